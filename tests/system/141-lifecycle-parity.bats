#!/usr/bin/env bats
# Podman parity of the lifecycle commands: stop, kill, start, wait, rm and
# attach as scripts written for Podman 5 use them.
load helpers

setup() {
    container_setup
}

teardown() {
    container_teardown
}

# The husk command line with this test's store, for wrappers.
husk_cmd() {
    echo "$HUSK_BIN --root $HUSK_ROOT --runroot $HUSK_RUNROOT"
}

# Wait until CTR's {{.State.Status}} is STATUS (5 s at most).
wait_status() {
    local s
    for _ in $(seq 50); do
        s=$(husk inspect --format '{{.State.Status}}' "$1")
        [ "$s" = "$2" ] && return 0
        sleep 0.1
    done
    echo "status of $1: $s, expected $2" >&2
    return 1
}

# ptysize.py ROWS COLS WAIT_FOR NEWROWS NEWCOLS SEND CMD...: run CMD on a
# terminal of ROWS x COLS; once WAIT_FOR shows, resize the terminal (0 0:
# keep it) and type SEND.  Prints what the terminal showed.
write_ptysize() {
    command -v python3 >/dev/null || skip "needs python3 for a pseudo-terminal"
    cat > "$HUSK_TMP/ptysize.py" <<'EOF'
import fcntl, os, pty, select, struct, sys, termios, time
rows, cols, wait_for = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3].encode()
nrows, ncols, send = int(sys.argv[4]), int(sys.argv[5]), sys.argv[6].encode('latin1')
cmd = sys.argv[7:]
def setsize(fd, r, c):
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack('HHHH', r, c, 0, 0))
pid, fd = pty.fork()
if pid == 0:
    setsize(0, rows, cols)
    os.execvp(cmd[0], cmd)
buf, done, deadline = b'', False, time.time() + 20
while time.time() < deadline:
    if select.select([fd], [], [], 0.1)[0]:
        try:
            data = os.read(fd, 4096)
        except OSError:
            break
        if not data:
            break
        buf += data
    if not done and wait_for and wait_for in buf:
        if nrows:
            setsize(fd, nrows, ncols)
            time.sleep(0.3)
        os.write(fd, send)
        done = True
else:
    os.kill(pid, 9)  # never hang the suite
sys.stdout.write(buf.decode(errors='replace').replace('\r', ''))
sys.exit(os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]))
EOF
}

# ---- 1: wait across restarts --------------------------------------------

@test "wait returns when kill ends a --restart=always container; the policy does not undo the kill" {
    run_husk run -d --name phoenix --restart always husk-test/busybox sleep 1000
    timeout 20 "$HUSK_BIN" --root "$HUSK_ROOT" --runroot "$HUSK_RUNROOT" wait phoenix \
        > "$HUSK_TMP/wait.out" &
    waiter=$!
    sleep 0.5
    run_husk kill phoenix
    wait "$waiter"
    assert_equal "$(cat "$HUSK_TMP/wait.out")" "137"
    sleep 0.5
    run_husk inspect --format '{{.State.Status}} {{.RestartCount}} {{.State.ExitCode}}' phoenix
    assert_output_is "exited 0 137"
}

@test "wait returns when stop ends an on-failure container, even between restarts" {
    run_husk run -d --name flappy --restart always husk-test/busybox sh -c 'exit 3'
    sleep 1
    timeout 20 "$HUSK_BIN" --root "$HUSK_ROOT" --runroot "$HUSK_RUNROOT" wait flappy \
        > "$HUSK_TMP/wait.out" &
    waiter=$!
    run_husk stop -t 1 flappy
    wait "$waiter"
    [[ "$(cat "$HUSK_TMP/wait.out")" =~ ^(3|137)$ ]]
    run_husk inspect --format '{{.State.Status}}' flappy
    assert_output_is "exited"
    run_husk run -d --name onfail --restart on-failure husk-test/busybox sleep 1000
    timeout 20 "$HUSK_BIN" --root "$HUSK_ROOT" --runroot "$HUSK_RUNROOT" wait onfail \
        > "$HUSK_TMP/wait2.out" &
    waiter=$!
    sleep 0.5
    run_husk stop -t 0 onfail
    wait "$waiter"
    assert_equal "$(cat "$HUSK_TMP/wait2.out")" "137"
}

# ---- 2: stop's warning and the stopping state ------------------------------

@test "stop -t N warns as Podman when the stop signal is ignored, and says stopping meanwhile" {
    # sleep as PID 1 has no handler for SIGTERM: the kernel drops it.
    run_husk run -d --name stubborn husk-test/busybox sleep 1000
    "$HUSK_BIN" --root "$HUSK_ROOT" --runroot "$HUSK_RUNROOT" stop -t 2 stubborn \
        > "$HUSK_TMP/stop.out" 2> "$HUSK_TMP/stop.err" &
    stopper=$!
    wait_status stubborn stopping
    run_husk ps -a --format '{{.Names}} {{.Status}}'
    assert_output_is "stubborn Stopping"
    wait "$stopper"
    assert_equal "$(cat "$HUSK_TMP/stop.out")" "stubborn"
    run cat "$HUSK_TMP/stop.err"
    [[ "$output" =~ ^time=\"[0-9T:+-]+(Z|[+-][0-9][0-9]:[0-9][0-9])\"\ level=warning\ msg=\"StopSignal\ SIGTERM\ failed\ to\ stop\ container\ stubborn\ in\ 2\ seconds,\ resorting\ to\ SIGKILL\"$ ]]
    run_husk inspect --format '{{.State.Status}} {{.State.ExitCode}}' stubborn
    assert_output_is "exited 137"
    # On a terminal, logrus's short form: the level and the seconds since start.
    run_husk start stubborn
    run script -qec "$(husk_cmd) stop -t 1 stubborn" /dev/null
    [ "$status" -eq 0 ]
    [[ "$output" =~ WARN\[000[0-9]\]\ StopSignal\ SIGTERM\ failed\ to\ stop\ container\ stubborn\ in\ 1\ seconds,\ resorting\ to\ SIGKILL ]]
    # A container that heeds its stop signal stops without a warning.
    run_husk run -d --name polite --stop-signal USR1 husk-test/busybox \
        sh -c 'trap "exit 0" USR1; while :; do sleep 0.1; done'
    sleep 0.3
    run_husk stop -t 5 polite
    assert_output_is "polite"
}

# ---- 3: rm and the containers that join a container's namespaces --------

@test "rm refuses a container others join through container:X; --depend removes them first" {
    run_husk run -d --name base --ipc=shareable husk-test/busybox sleep 1000
    base=$(husk inspect --format '{{.Id}}' base)
    run_husk inspect --format '{{.HostConfig.IpcMode}}' base
    assert_output_is "shareable"
    run_husk run -d --name netdep --network container:base husk-test/busybox sleep 1000
    netdep=$(husk inspect --format '{{.Id}}' netdep)
    run_husk run -d --name ipcdep --ipc container:base --pid container:base husk-test/busybox sleep 1000
    ipcdep=$(husk inspect --format '{{.Id}}' ipcdep)
    run_husk inspect --format '{{.HostConfig.IpcMode}} {{.HostConfig.PidMode}} {{.HostConfig.NetworkMode}}' ipcdep
    # the default network: pasta rootless (200-rootless-net), the bridge rootful
    assert_output_is "container:$base container:$base $(is_rootless && echo pasta || echo bridge)"
    run_husk inspect --format '{{.HostConfig.NetworkMode}}' netdep
    assert_output_is "container:$base"
    # Both dependents, in either order.
    run_husk 125 rm base
    [[ "$output" =~ ^"Error: container $base has dependent containers which must be removed before it: "($netdep", "$ipcdep|$ipcdep", "$netdep)": container already exists"$ ]]
    run_husk 125 rm -f base
    assert_output_contains "container $base has dependent containers which must be removed before it:"
    run_husk inspect --format '{{.State.Status}}' base
    assert_output_is "running"
    # A name that is no container fails the create.
    run_husk 125 create --ipc container:nosuch husk-test/busybox true
    assert_output_is 'Error: no container with name or ID "nosuch" found: no such container'
    run_husk rm -f -t 0 --depend base
    [ "${#lines[@]}" -eq 3 ]
    assert_equal "${lines[2]}" "base"
    [[ "${lines[0]} ${lines[1]}" =~ ^($netdep" "$ipcdep|$ipcdep" "$netdep)$ ]]
    run_husk ps -a -q
    assert_output_is ""
}

# ---- 4: the terminal's size -------------------------------------------------

@test "run -it, start -ai, exec -it and attach give the container the caller's terminal size and follow resizes" {
    write_ptysize
    local script='busybox stty size; echo ready; read x; busybox stty size'
    run python3 "$HUSK_TMP/ptysize.py" 33 101 ready 40 120 $'x\n' \
        $(husk_cmd) run --rm -it husk-test/busybox sh -c "$script"
    [ "$status" -eq 0 ]
    assert_equal "${lines[0]}" "33 101"
    assert_output_contains $'x\n40 120'
    # Its first output already sees the size: nothing races with it.
    for _ in 1 2 3; do
        run python3 "$HUSK_TMP/ptysize.py" 33 101 "" 0 0 "" \
            $(husk_cmd) run --rm -it husk-test/busybox busybox stty size
        assert_output_is "33 101"
    done
    run_husk create -it --name later husk-test/busybox sh -c "$script"
    run python3 "$HUSK_TMP/ptysize.py" 25 90 ready 30 95 $'x\n' $(husk_cmd) start -ai later
    [ "$status" -eq 0 ]
    assert_equal "${lines[0]}" "25 90"
    assert_output_contains $'x\n30 95'
    run_husk run -d --name box husk-test/busybox sleep 1000
    run python3 "$HUSK_TMP/ptysize.py" 33 101 ready 40 120 $'x\n' \
        $(husk_cmd) exec -it box sh -c "$script"
    [ "$status" -eq 0 ]
    assert_equal "${lines[0]}" "33 101"
    assert_output_contains $'x\n40 120'
    # attach: the running container's terminal takes the attaching one's size.
    run_husk run -dit --name tbox husk-test/busybox sh
    python3 "$HUSK_TMP/ptysize.py" 21 77 "" 0 0 "" timeout --foreground 10 $(husk_cmd) attach tbox >/dev/null &
    attacher=$!
    for _ in $(seq 50); do
        run_husk exec tbox sh -c 'busybox stty size < /dev/pts/0 2>&1'
        [ "$output" = "21 77" ] && break
        sleep 0.2
    done
    assert_output_is "21 77"
    kill "$attacher" 2>/dev/null || true
    wait "$attacher" || true
}

# ---- 5: start -a proxies signals -------------------------------------------

@test "start -a proxies SIGTERM to the container as run does; --sig-proxy=false does not" {
    run_husk create --name trapper husk-test/busybox \
        sh -c 'trap "echo got-term; exit 7" TERM; echo ready; while :; do sleep 0.1; done'
    "$HUSK_BIN" --root "$HUSK_ROOT" --runroot "$HUSK_RUNROOT" start -a trapper > "$HUSK_TMP/out" &
    starter=$!
    for _ in $(seq 50); do grep -q ready "$HUSK_TMP/out" && break; sleep 0.1; done
    kill -TERM "$starter"
    status=0
    wait "$starter" || status=$?
    assert_equal "$status" 7
    assert_equal "$(cat "$HUSK_TMP/out")" $'ready\ngot-term'
    # Without the proxy the signal ends husk, not the container.
    "$HUSK_BIN" --root "$HUSK_ROOT" --runroot "$HUSK_RUNROOT" start -a --sig-proxy=false trapper \
        > "$HUSK_TMP/out2" &
    starter=$!
    for _ in $(seq 50); do grep -q ready "$HUSK_TMP/out2" && break; sleep 0.1; done
    kill -TERM "$starter"
    status=0
    wait "$starter" || status=$?
    assert_equal "$status" 143
    run_husk inspect --format '{{.State.Status}}' trapper
    assert_output_is "running"
    run_husk 125 start --sig-proxy trapper
    assert_output_is "Error: you cannot use sig-proxy without --attach: invalid argument"
}

# ---- 6: flags ----------------------------------------------------------------

@test "start --filter starts the containers that match; stop --filter, --timeout and --cidfile" {
    run_husk create --name one --label tier=a husk-test/busybox sleep 1000
    one=$(husk inspect --format '{{.Id}}' one)
    run_husk create --name two --label tier=b husk-test/busybox sleep 1000
    run_husk start --filter label=tier=a
    assert_output_is "$one"
    run_husk ps --format '{{.Names}}'
    assert_output_is "one"
    # With names, the filters narrow them.
    run_husk start -f status=running two
    assert_output_is ""
    run_husk 125 start --filter nokey
    assert_output_is 'Error: invalid filter "nokey"'
    run_husk start two
    run_husk stop --timeout 0 --filter name=one
    assert_output_is "$one"
    run_husk inspect --format '{{.State.Status}}' one
    assert_output_is "exited"
    # --cidfile: the first line of the file names the container.
    husk inspect --format '{{.Id}}' two > "$HUSK_TMP/cid"
    run_husk stop -t 0 --cidfile "$HUSK_TMP/cid"
    assert_output_is "$(cat "$HUSK_TMP/cid")"
    run_husk inspect --format '{{.State.Status}}' two
    assert_output_is "exited"
    run_husk 125 stop --cidfile "$HUSK_TMP/nosuch"
    assert_output_is "Error: reading CIDFile: open $HUSK_TMP/nosuch: No such file or directory"
    run_husk stop --ignore --cidfile "$HUSK_TMP/nosuch"
    assert_output_is ""
}

@test "kill -s takes names with or without SIG, numbers and a leading dash, as Podman" {
    run_husk run -d --name k husk-test/busybox \
        sh -c 'trap "echo hup" HUP; trap "echo usr1" USR1; echo ready; while :; do sleep 0.1; done'
    # One at a time: two signals pending at once would be delivered once.
    n=0
    for s in HUP SIGHUP 1 -1 -HUP -SIGHUP sighup --signal=-10 --signal=USR1; do
        case "$s" in
            --signal=*) run_husk kill "$s" k; word=usr1 ;;
            *) run_husk kill -s "$s" k; word=hup ;;
        esac
        assert_output_is "k"
        n=$((n + 1))
        for _ in $(seq 50); do
            [ "$(husk logs k | grep -c -e '^hup$' -e '^usr1$')" -eq "$n" ] && break
            sleep 0.1
        done
        [ "$(husk logs k | grep -c "^$word$")" -ge 1 ]
    done
    run_husk logs k
    [ "$(echo "$output" | grep -c '^hup$')" -eq 7 ]
    [ "$(echo "$output" | grep -c '^usr1$')" -eq 2 ]
    for s in 0 -0 BADSIG -SIG -; do
        run_husk 125 kill -s "$s" k
        assert_output_is "Error: invalid signal: ${s#-}"
    done
    for s in 65 -65 99999999; do
        run_husk 125 kill -s "$s" k
        assert_output_is "Error: valid signals are 1 through 64"
    done
    # The signal is checked before the names.
    run_husk 125 kill -s 65 nosuch
    assert_output_is "Error: valid signals are 1 through 64"
    husk inspect --format '{{.Id}}' k > "$HUSK_TMP/cid"
    run_husk kill --signal=-9 --cidfile "$HUSK_TMP/cid"
    assert_output_is "$(cat "$HUSK_TMP/cid")"
    # kill -9 returns once the exit is recorded.
    run_husk inspect --format '{{.State.Status}} {{.State.ExitCode}}' k
    assert_output_is "exited 137"
}

@test "rm --cidfile and --filter" {
    run_husk create --name r1 --label gone=yes husk-test/busybox true
    r1=$(husk inspect --format '{{.Id}}' r1)
    run_husk create --name r2 husk-test/busybox true
    husk inspect --format '{{.Id}}' r2 > "$HUSK_TMP/cid"
    run_husk rm --filter label=gone=yes
    assert_output_is "$r1"
    run_husk rm --cidfile "$HUSK_TMP/cid"
    assert_output_is "$(cat "$HUSK_TMP/cid")"
    run_husk ps -a -q
    assert_output_is ""
}

# ---- 7: the rest of Podman 5's flags ----------------------------------------

@test "pause, unpause and restart take --cidfile and --filter; attach --latest" {
    skip_without_cgroup "pause needs the freezer cgroup"
    run_husk run -d --name pa --label grp=x husk-test/busybox sleep 1000
    pa=$(husk inspect --format '{{.Id}}' pa)
    run_husk run -d --name pb husk-test/busybox sleep 1000
    echo "$pa" > "$HUSK_TMP/cid"
    run_husk pause --cidfile "$HUSK_TMP/cid"
    assert_output_is "$pa"
    run_husk unpause --filter label=grp=x
    assert_output_is "$pa"
    run_husk pause -f name=pb
    assert_output_is "$(husk inspect --format '{{.Id}}' pb)"
    run_husk unpause --all
    run_husk restart -t 0 --filter label=grp=x
    assert_output_is "$pa"
    run_husk inspect --format '{{.RestartCount}} {{.State.Status}}' pa
    assert_output_is "0 running"
    run_husk restart -t 0 --cidfile "$HUSK_TMP/cid"
    assert_output_is "$pa"
    # attach --latest: the newest container.
    run_husk run -d --name newest husk-test/busybox sh -c 'sleep 1; echo from-newest'
    run timeout 10 "$HUSK_BIN" --root "$HUSK_ROOT" --runroot "$HUSK_RUNROOT" attach --latest --no-stdin
    assert_output_is "from-newest"
    run_husk 125 attach --latest newest
}

@test "wait --condition takes Podman 5's conditions, several at once" {
    run_husk create --name w husk-test/busybox sleep 1
    "$HUSK_BIN" --root "$HUSK_ROOT" --runroot "$HUSK_RUNROOT" wait --condition running,stopping w \
        > "$HUSK_TMP/wait.out" &
    waiter=$!
    sleep 0.3
    run_husk start w
    wait "$waiter"
    assert_equal "$(cat "$HUSK_TMP/wait.out")" "-1"
    run timeout 10 "$HUSK_BIN" --root "$HUSK_ROOT" --runroot "$HUSK_RUNROOT" wait --condition=stopped --condition=exited w
    assert_output_is "0"
    run_husk create --name fresh husk-test/busybox true
    run timeout 10 "$HUSK_BIN" --root "$HUSK_ROOT" --runroot "$HUSK_RUNROOT" wait --condition configured fresh
    assert_output_is "-1"
    run_husk wait --interval 200ms w
    assert_output_is "0"
    run_husk 125 wait -i bogus w
    assert_output_contains 'invalid duration "bogus"'
    run_husk 125 wait --condition bogus w
    assert_output_contains 'invalid condition "bogus"'
    run_husk 125 wait --condition healthy w
    assert_output_is "Error: cannot use condition \"healthy\": container $(husk inspect --format '{{.Id}}' w) has no healthcheck"
    run_husk run -d --name hc --health-cmd true --health-interval 1s husk-test/busybox sleep 1000
    run timeout 20 "$HUSK_BIN" --root "$HUSK_ROOT" --runroot "$HUSK_RUNROOT" wait --condition healthy hc
    [ "$status" -eq 0 ]
    assert_output_is "-1"
}
