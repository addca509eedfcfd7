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
    skip_if_rootless "bind mounts need root"
    run_husk load -i "$HUSK_IMAGES/busybox.docker.tar"
    mkdir "$HUSK_TMP/hostdir" && echo precious > "$HUSK_TMP/hostdir/keep"
    # A bind volume's mount, as a restored backup or a lost WAL leaves it:
    # present under the store, unknown to the database.
    mkdir -p "$HUSK_ROOT/volumes/lost/_data" "$HUSK_ROOT/storage/elsewhere"
    mount --bind "$HUSK_TMP/hostdir" "$HUSK_ROOT/volumes/lost/_data"
    mount --bind "$HUSK_TMP/hostdir" "$HUSK_ROOT/storage/elsewhere"
    run_husk system reset -f
    [ "$(cat "$HUSK_TMP/hostdir/keep")" = precious ]
    ! grep -qF " $HUSK_ROOT/" /proc/self/mountinfo
    [ ! -e "$HUSK_ROOT" ]
}

@test "system reset with a bind volume the database lists keeps the host directory" {
    skip_if_rootless "bind mounts need root"
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
    ! kill -0 "$pid" 2>/dev/null
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
    ! kill -0 "$pid" 2>/dev/null
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
