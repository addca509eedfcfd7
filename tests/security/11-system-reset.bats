#!/usr/bin/env bats
# Host safety: `system reset` never deletes what is mounted below the store
# (whether or not the database knows the mount), leaves no container or
# monitor running, and works when the database cannot be read.
load ../system/helpers

teardown() {
    if [ -n "${HUSK_TMP:-}" ]; then
        for p in $(monitors); do kill -9 "$p" 2>/dev/null; done
        grep -F " $HUSK_TMP/" /proc/self/mountinfo 2>/dev/null | awk '{print $5}' \
            | sort -r | while read -r m; do umount -l "$m" 2>/dev/null; done
        remove_tree "$HUSK_TMP"
    fi
}

# Where the user's pause process is recorded (rootless).
pause_record() {
    if [ "${XDG_RUNTIME_DIR:-}" = "${XDG_RUNTIME_DIR#/}" ]; then
        echo "/tmp/husk-run-$(id -u)/pause.pid"
    else
        echo "$XDG_RUNTIME_DIR/husk/pause.pid"
    fi
}

# Whether pid runs (a zombie does not: a killed container whose monitor
# was killed too waits for init to reap it).
alive() {
    kill -0 "$1" 2>/dev/null && [ "$(awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null)" != Z ]
}

# PIDs of the husk-monitor processes of this test's store.
monitors() {
    local p
    for p in $(pgrep -x husk-monitor); do
        if tr '\0' ' ' < "/proc/$p/cmdline" 2>/dev/null | grep -qF "$HUSK_RUNROOT/"; then
            echo "$p"
        fi
    done
}

@test "system reset leaves a bind mount under the store that the database does not list" {
    run_husk load -i "$HUSK_IMAGES/busybox.docker.tar"
    mkdir "$HUSK_TMP/hostdir" && echo precious > "$HUSK_TMP/hostdir/keep"
    # A bind volume's mount, as a restored backup or a lost WAL leaves it:
    # present under the store, unknown to the database.  Rootless, made
    # where husk's own mounts are: in its user namespace's mount namespace.
    mkdir -p "$HUSK_ROOT/volumes/lost/_data" "$HUSK_ROOT/storage/elsewhere"
    in_userns sh -c 'mount --bind "$1" "$2" && mount --bind "$1" "$3"' sh "$HUSK_TMP/hostdir" \
        "$HUSK_ROOT/volumes/lost/_data" "$HUSK_ROOT/storage/elsewhere"
    store_mountinfo | grep -qF " $HUSK_ROOT/storage/elsewhere "
    run_husk system reset -f
    [ "$(cat "$HUSK_TMP/hostdir/keep")" = precious ]
    ! grep -qF " $HUSK_ROOT/" /proc/self/mountinfo || false
    ! store_mountinfo | grep -qF " $HUSK_ROOT/" || false
    [ ! -e "$HUSK_ROOT" ]
}

@test "system reset with a bind volume the database lists keeps the host directory" {
    mkdir "$HUSK_TMP/hostdir" && echo precious > "$HUSK_TMP/hostdir/keep"
    run_husk volume create --opt type=none --opt o=bind --opt device="$HUSK_TMP/hostdir" bv
    run_husk load -i "$HUSK_IMAGES/busybox.docker.tar"
    run_husk run -d --name c -v bv:/data husk-test/busybox sleep 1000
    run_husk system reset -f
    [ "$(cat "$HUSK_TMP/hostdir/keep")" = precious ]
}

@test "system reset stops and removes running containers and their monitors" {
    run_husk load -i "$HUSK_IMAGES/busybox.docker.tar"
    run_husk run -d --name c husk-test/busybox sleep 1000
    run_husk inspect --format '{{.State.Pid}}' c
    pid=$output
    [ -n "$(monitors)" ]
    kill -0 "$pid"
    run_husk system reset -f
    ! alive "$pid" || false
    [ -z "$(monitors)" ]
    sleep 1
    [ ! -e "$HUSK_ROOT" ]    # nothing came back to re-create the store
    [ ! -e "$HUSK_RUNROOT" ]
}

@test "system reset works on a garbage database and still ends the monitors" {
    run_husk load -i "$HUSK_IMAGES/busybox.docker.tar"
    run_husk run -d --name c husk-test/busybox sleep 1000
    run_husk inspect --format '{{.State.Pid}}' c
    pid=$output
    rm -f "$HUSK_ROOT/husk.db-wal" "$HUSK_ROOT/husk.db-shm"
    head -c 8192 /dev/urandom > "$HUSK_ROOT/husk.db"
    run_husk 125 images
    run_husk system reset -f
    assert_output_contains "resetting without the state database"
    ! alive "$pid" || false
    [ -z "$(monitors)" ]
    [ ! -e "$HUSK_ROOT" ]
    run_husk images -q
    assert_output_is ""
}

@test "system reset works on a garbage database without containers" {
    mkdir -p "$HUSK_ROOT"
    echo "this is not a database, not even close to one......................" > "$HUSK_ROOT/husk.db"
    run_husk system reset -f
    [ ! -e "$HUSK_ROOT/husk.db" ]
    run_husk images -q
    assert_output_is ""
}

@test "system reset rootless removes files of subordinate IDs and stops the pause process, as Podman" {
    skip_if_root "as root there is no user namespace nor pause process"
    run_husk load -i "$HUSK_IMAGES/busybox.docker.tar"
    # Files of a subordinate ID, in a container layer and in a volume: not
    # the user's own on the host, so only husk inside its namespace can
    # remove them.
    run_husk run --name c -v vol:/vol husk-test/busybox sh -c \
        'mkdir -p /owned/deep && echo x > /owned/deep/f && chown -R 1000:1000 /owned /vol && touch /vol/g && chown 1000 /vol/g'
    owned=$(stat -c %u "$HUSK_ROOT/volumes/vol/_data/g")
    [ "$owned" -ne "$(id -u)" ]
    run rm -rf "$HUSK_ROOT"
    [ "$status" -ne 0 ]     # the host user cannot remove them
    pid=$(head -n 1 "$(pause_record)")
    kill -0 "$pid"
    run_husk system reset -f
    [ ! -e "$HUSK_ROOT" ]
    [ ! -e "$HUSK_RUNROOT" ]
    ! alive "$pid" || false
    [ ! -e "$(pause_record)" ]
    # The next command makes a new namespace.
    run_husk images -q
    assert_output_is ""
    [ "$(head -n 1 "$(pause_record)")" != "$pid" ]
}
