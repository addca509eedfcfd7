#!/usr/bin/env bats
# Running containers: run, exit codes, output, detach, ps, stop, rm.
load helpers

setup() {
    container_setup
}

teardown() {
    container_teardown
}

@test "run prints the container's output and returns its exit code" {
    run_husk run --rm husk-test/busybox echo hello
    assert_output_is "hello"
    run_husk 3 run --rm husk-test/busybox sh -c 'echo out; echo err >&2; exit 3'
    assert_output_contains "out"
    assert_output_contains "err"
}

@test "a foreground run --rm leaves its files to the monitor, which deletes them" {
    run_husk run --rm husk-test/busybox sh -c 'echo data > /big; mkdir -p /d/e/f'
    # Gone from the store the moment run returns ...
    [ -z "$(ls -A "$HUSK_ROOT/containers")" ]
    [ -z "$(ls -A "$HUSK_ROOT"/storage/*/containers)" ]
    # ... and deleted by the monitor (no husk command runs meanwhile).
    for i in $(seq 50); do [ -z "$(ls -A "$HUSK_ROOT"/storage/*/tmp)" ] && break; sleep 0.1; done
    [ -z "$(ls -A "$HUSK_ROOT"/storage/*/tmp)" ]
    # Left behind (the monitor was killed before it got to it), the next
    # command that opens the store deletes it.
    local tmp
    tmp=$(echo "$HUSK_ROOT"/storage/*/tmp)
    mkdir -p "$tmp"/rm-left/container/diff/x
    run_husk ps -a -q
    [ ! -e "$tmp"/rm-left ]
}

@test "a command that does not exist exits 127, one not executable 126" {
    run_husk 127 run --rm husk-test/busybox /nosuch
    run_husk 126 run --rm husk-test/busybox /etc/passwd
}

@test "--rm removes the container; without it the container stays, exited" {
    for i in 1 2 3 4 5 6 7 8; do
        run_husk run --rm husk-test/busybox true
    done
    run_husk ps -a -q
    assert_output_is ""
    # Nothing is left of them: no runtime record (their monitors delete it
    # as they exit), no mount, no directories.
    for i in $(seq 50); do [ -z "$(ls -A "$HUSK_RUNROOT/runtime")" ] && break; sleep 0.1; done
    [ -z "$(ls -A "$HUSK_RUNROOT/runtime")" ]
    [ -z "$(ls -A "$HUSK_RUNROOT/containers")" ]
    # The layer and the bundle leave the store at once; their files are
    # deleted by the monitor after run has returned.
    [ -z "$(ls -A "$HUSK_ROOT/containers")" ]
    [ -z "$(ls -A "$HUSK_ROOT"/storage/*/containers)" ]
    for i in $(seq 50); do [ -z "$(ls -A "$HUSK_ROOT"/storage/*/tmp)" ] && break; sleep 0.1; done
    [ -z "$(ls -A "$HUSK_ROOT"/storage/*/tmp)" ]
    ! store_mountinfo | grep -q "$HUSK_ROOT/storage" || false
    run_husk run --name keep husk-test/busybox true
    run_husk ps -a --format '{{.Names}} {{.Status}}'
    [[ "$output" == "keep Exited (0)"* ]]
}

@test "the container sees the image's files, env, hostname and user" {
    run_husk run --rm --hostname box -e FOO=bar husk-test/busybox sh -c 'echo $FOO; hostname; id -u; cat /etc/passwd | head -1'
    assert_output_is "$(printf 'bar\nbox\n0\nroot:x:0:0:root:/root:/bin/sh')"
    run_husk run --rm -u tester husk-test/busybox id
    assert_output_contains "uid=1000(tester)"
    run_husk run --rm -w /tmp husk-test/busybox pwd
    assert_output_is "/tmp"
}

@test "run -d keeps the container running after husk exits; stop ends it" {
    run_husk run -d --name bg husk-test/busybox sleep 1000
    id=$output
    [[ "$id" =~ ^[0-9a-f]{64}$ ]]
    run_husk ps --format '{{.Names}} {{.State}}'
    assert_output_is "bg running"
    run_husk inspect --type container --format '{{.State.Running}} {{.State.Pid}}' bg
    [[ "$output" == "true "[1-9]* ]]
    pid=${output#true }
    kill -0 "$pid"
    run_husk stop -t 1 bg
    run_husk ps -a --format '{{.Names}} {{.State}}'
    assert_output_is "bg exited"
    ! kill -0 "$pid" 2>/dev/null
}

@test "a container killed from outside is seen as exited with 137" {
    run_husk run -d --name victim husk-test/busybox sleep 1000
    pid=$(husk container inspect --format '{{.State.Pid}}' victim)
    kill -9 "$pid"
    run_husk wait victim
    assert_output_is "137"
    run_husk ps -a --format '{{.Status}}'
    [[ "$output" == "Exited (137)"* ]]
}

@test "rm refuses a running container without -f; rm -f removes it and its mount" {
    run_husk run -d --name busy husk-test/busybox sleep 1000
    run_husk 2 rm busy
    assert_output_contains "cannot remove container"
    run_husk rm -f busy
    run_husk ps -a -q
    assert_output_is ""
    ! store_mountinfo | grep -q " $HUSK_TMP/" || false
}

@test "name conflicts are refused before anything is created" {
    run_husk create --name dup husk-test/busybox true
    run_husk 125 create --name dup husk-test/busybox true
    assert_output_contains "already in use"
    run_husk ps -a -q
    [ "${#lines[@]}" -eq 1 ]
}

@test "invalid flags are refused before anything is created" {
    run_husk 125 run --rm --restart always husk-test/busybox true
    assert_output_contains "conflicts with --restart"
    run_husk 125 run --memory 1x husk-test/busybox true
    assert_output_contains "invalid size"
    run_husk 125 run --network nosuchnet husk-test/busybox true
    assert_output_contains "unable to find network"
    run_husk 125 run --pull never nosuchimage true
    assert_output_contains "image not known"
    # -e and exec -e share one parser: "=x" names no variable.
    run_husk 125 run -e =x husk-test/busybox true
    assert_output_contains 'invalid environment variable "=x"'
    run_husk ps -a -q
    assert_output_is ""
}

@test "create then start; wait returns the exit code; logs shows the output" {
    run_husk create --name later husk-test/busybox sh -c 'echo from-log; exit 5'
    run_husk ps -a --format '{{.Status}}'
    assert_output_is "Created"
    run_husk start later
    run_husk wait later
    assert_output_is "5"
    run_husk logs later
    assert_output_is "from-log"
}

@test "20 parallel run --rm of the same image all succeed" {
    pids=()
    for i in $(seq 1 20); do
        husk run --rm husk-test/busybox echo "n$i" >"$HUSK_TMP/out.$i" 2>&1 &
        pids+=($!)
    done
    failed=0
    for p in "${pids[@]}"; do wait "$p" || failed=$((failed + 1)); done
    cat "$HUSK_TMP"/out.* >&2
    [ "$failed" -eq 0 ]
    for i in $(seq 1 20); do grep -qx "n$i" "$HUSK_TMP/out.$i"; done
    run_husk ps -a -q
    assert_output_is ""
}

@test "rmi refuses an image a container uses" {
    run_husk create --name user husk-test/busybox true
    run_husk 2 rmi husk-test/busybox
    assert_output_contains "user"
}

@test "a relative --root works for containers too" {
    cd "$HUSK_TMP"
    run "$HUSK_BIN" --root rel/root --runroot rel/run load -i "$HUSK_IMAGES/busybox.docker.tar"
    [ "$status" -eq 0 ]
    run "$HUSK_BIN" --root rel/root --runroot rel/run run --rm husk-test/busybox echo relative
    [ "$status" -eq 0 ]
    assert_output_is "relative"
}

@test "foreground run forwards signals to the container (--sig-proxy)" {
    "$HUSK_BIN" --root "$HUSK_ROOT" --runroot "$HUSK_RUNROOT" run --rm husk-test/busybox \
        sh -c 'trap "echo got-term; exit 7" TERM; echo ready; while true; do sleep 0.1; done' \
        > "$HUSK_TMP/out" 2>&1 &
    p=$!
    for i in $(seq 100); do grep -q ready "$HUSK_TMP/out" && break; sleep 0.1; done
    kill -TERM "$p"
    status=0
    wait "$p" || status=$?
    cat "$HUSK_TMP/out" >&2
    [ "$status" -eq 7 ]
    grep -q got-term "$HUSK_TMP/out"
}

@test "--env-merge expands the image's values" {
    run_husk run --rm --env-merge 'PATH=/opt/bin:${PATH}' husk-test/busybox sh -c 'echo $PATH'
    assert_output_is "/opt/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
}

@test "a failed start leaves a container wait can return for" {
    run_husk create --name bad husk-test/busybox /nosuch
    run_husk 125 start bad
    # Podman names the container by its full ID here.
    assert_output_contains "unable to start container \"$(husk inspect --format '{{.Id}}' bad)\""
    run timeout 10 "$HUSK_BIN" --root "$HUSK_ROOT" --runroot "$HUSK_RUNROOT" wait bad
    [ "$status" -eq 0 ]
}

@test "--network container:NAME joins another container's namespace" {
    run_husk run -d --name netowner husk-test/busybox sleep 1000
    owner=$(husk inspect --format '{{.State.Pid}}' netowner)
    run_husk run --rm --network container:netowner husk-test/busybox readlink /proc/self/ns/net
    assert_output_is "$(readlink /proc/$owner/ns/net)"
    run_husk run --rm --pid container:netowner husk-test/busybox sh -c 'tr "\0" " " < /proc/1/cmdline'
    assert_output_is "sleep 1000 "
}

@test "a relative bind source is taken from the current directory" {
    mkdir "$HUSK_TMP/share" && echo shared > "$HUSK_TMP/share/f"
    cd "$HUSK_TMP"
    run_husk run --rm -v ./share:/mnt:ro husk-test/busybox cat /mnt/f
    assert_output_is "shared"
}

@test "exit codes follow Podman: stop/kill/wait of an unknown container is 125, rm 1" {
    run_husk 125 stop nothere
    run_husk 125 kill nothere
    run_husk 125 wait nothere
    run_husk 1 rm nothere
    run_husk rm -i nothere
}

@test "ps lists oldest first, with Podman's status texts; -l picks the newest" {
    run_husk run --name first husk-test/busybox true
    run_husk run -d --name second husk-test/busybox sleep 1000
    run_husk ps -a --format '{{.Names}}'
    assert_output_is "$(printf 'first\nsecond')"
    run_husk ps -a --format '{{.Status}}' --filter name=second
    [[ "$output" == "Up "*" ago" ]]
    run_husk container inspect -l --format '{{.Name}}'
    assert_output_is "second"
    run_husk 125 ps --sort bogus
}

@test "the container's environment has TERM, as Podman's defaults give" {
    run_husk run --rm husk-test/busybox sh -c 'echo $TERM'
    assert_output_is "xterm"
}

@test "ps --filter label= and status= select containers" {
    run_husk create --name lab --label team=core husk-test/busybox true
    run_husk create --name other husk-test/busybox true
    run_husk ps -a --filter label=team=core --format '{{.Names}}'
    assert_output_is "lab"
    run_husk ps -a --filter label=team --format '{{.Names}}'
    assert_output_is "lab"
    run_husk ps -a --filter label=team=nope --format '{{.Names}}'
    assert_output_is ""
    run_husk ps -a --filter status=created --format '{{.Names}}'
    assert_output_is "$(printf 'lab\nother')"
}

@test "a foreground run --rm whose husk is killed is still cleaned up by the monitor" {
    "$HUSK_BIN" --root "$HUSK_ROOT" --runroot "$HUSK_RUNROOT" run --rm --name fg \
        husk-test/busybox sleep 2 >/dev/null 2>&1 &
    pid=$!
    for i in $(seq 50); do husk container exists fg && break; sleep 0.1; done
    sleep 0.5
    kill -9 "$pid"
    wait "$pid" || true
    run_husk ps -a --format '{{.Names}} {{.Status}}'
    [[ "$output" == "fg Up"* ]]
    for i in $(seq 60); do husk container exists fg || break; sleep 0.1; done
    run_husk 1 container exists fg
    ! store_mountinfo | grep -q "$HUSK_ROOT/storage/overlay/containers" || false
}

@test "the foreground run cleans up itself: the monitor runs no exit command" {
    run_husk --log-level debug run --name self husk-test/busybox true
    id=$(husk inspect --format '{{.Id}}' self)
    run_husk inspect --format '{{.State.Status}}' self
    assert_output_is "exited"
    for i in $(seq 50); do [ -e "$HUSK_RUNROOT/runtime/$id" ] || break; sleep 0.1; done
    [ ! -e "$HUSK_RUNROOT/runtime/$id" ]
    grep -q "the attached caller cleaned up" "$HUSK_RUNROOT/containers/$id/monitor.log"
    ! grep -q "running the exit command" "$HUSK_RUNROOT/containers/$id/monitor.log"
    # Detached, the monitor cleans up.
    run_husk --log-level debug run -d --name bg husk-test/busybox true
    id=$(husk inspect --format '{{.Id}}' bg)
    run_husk wait bg
    for i in $(seq 50); do grep -qs "running the exit command" "$HUSK_RUNROOT/containers/$id/monitor.log" && break; sleep 0.1; done
    grep -q "running the exit command" "$HUSK_RUNROOT/containers/$id/monitor.log"
}

@test "a container can be started again right after its foreground run returned" {
    run_husk run --name again husk-test/busybox true
    for i in 1 2 3 4 5; do
        run_husk start -a again
    done
    run_husk inspect --format '{{.State.Status}} {{.State.ExitCode}}' again
    assert_output_is "exited 0"
}

@test "an --rm container's layer is mounted volatile (no sync at unmount), others are not" {
    run_husk run --rm husk-test/busybox grep " / " /proc/mounts
    assert_output_contains "volatile"
    run_husk run --name keep2 husk-test/busybox grep " / " /proc/mounts
    [[ "$output" != *volatile* ]]
    # A volatile mount that was not unmounted cleanly (a crash) leaves
    # <workdir>/work/incompat/volatile behind; the next mount must still work.
    run_husk create --rm --name crashed husk-test/busybox echo survived
    id=$(husk inspect --format '{{.Id}}' crashed)
    mkdir -p "$HUSK_ROOT/storage/overlay/containers/$id/work/work/incompat/volatile"
    run_husk start -a crashed
    assert_output_is "survived"
}

@test "run takes --env-file (comments, CR LF) and -e, later ones winning" {
    printf '# a comment\nA=from-file\r\n\nB=file\n' > "$HUSK_TMP/env"
    FROM_HOST=host-value run_husk run --rm --env-file "$HUSK_TMP/env" -e B=flag -e FROM_HOST \
        husk-test/busybox sh -c 'echo "$A|$B|$FROM_HOST"'
    assert_output_is "from-file|flag|host-value"
}

@test "--cidfile: an existing file fails create and run with 125 before anything is created" {
    echo keep > "$HUSK_TMP/cid"
    run_husk 125 create --cidfile "$HUSK_TMP/cid" husk-test/busybox true
    assert_output_is "Error: container id file exists. Ensure another container is not using it or delete $HUSK_TMP/cid"
    run_husk 125 run --rm --cidfile "$HUSK_TMP/cid" husk-test/busybox true
    run_husk ps -a -q
    assert_output_is ""
    assert_equal "$(cat "$HUSK_TMP/cid")" keep
    # --replace removes nothing either: the cidfile is checked first.
    run_husk create --name web husk-test/busybox true
    run_husk 125 create --replace --name web --cidfile "$HUSK_TMP/cid" husk-test/busybox true
    run_husk ps -a --format '{{.Names}}'
    assert_output_is "web"
    # A new file gets the ID, and only it.
    run_husk run -d --cidfile "$HUSK_TMP/cid2" husk-test/busybox true
    assert_equal "$(cat "$HUSK_TMP/cid2")" "$output"
    # A failed create leaves no cidfile.
    run_husk 125 create --cidfile "$HUSK_TMP/cid3" nothere true
    [ ! -e "$HUSK_TMP/cid3" ]
}

@test "--cidfile: rm and --rm remove it while it holds the ID, never what replaced it (Podman 5)" {
    run_husk create --cidfile "$HUSK_TMP/c1" husk-test/busybox true
    run_husk rm "$output"
    [ ! -e "$HUSK_TMP/c1" ]
    # run --rm in the foreground: the cleanup handed over by the monitor.
    run_husk run --rm --cidfile "$HUSK_TMP/c2" husk-test/busybox true
    [ ! -e "$HUSK_TMP/c2" ]
    # run -d --rm: the monitor's exit command.
    run_husk run -d --rm --cidfile "$HUSK_TMP/c3" husk-test/busybox true
    for _ in $(seq 100); do [ -e "$HUSK_TMP/c3" ] || break; sleep 0.1; done
    [ ! -e "$HUSK_TMP/c3" ]
    # A relative path is removed from any working directory.
    (cd "$HUSK_TMP" && run_husk create --name rel --cidfile c4 husk-test/busybox true)
    run_husk rm rel
    [ ! -e "$HUSK_TMP/c4" ]
    # A file that holds something else now stays.
    run_husk create --name other --cidfile "$HUSK_TMP/c5" husk-test/busybox true
    echo mine > "$HUSK_TMP/c5"
    run_husk rm other
    assert_equal "$(cat "$HUSK_TMP/c5")" mine
    # A symlink put in its place stays, and so does its target, even when
    # the target holds the ID.
    run_husk create --name link --cidfile "$HUSK_TMP/c6" husk-test/busybox true
    mv "$HUSK_TMP/c6" "$HUSK_TMP/target"
    ln -s "$HUSK_TMP/target" "$HUSK_TMP/c6"
    run_husk rm link
    [ -L "$HUSK_TMP/c6" ]
    [ -s "$HUSK_TMP/target" ]
}
