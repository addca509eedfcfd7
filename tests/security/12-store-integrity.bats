#!/usr/bin/env bats
# Store integrity: a lost or truncated database is an error, never a silent
# fresh start; removals survive a lost WAL; rmi -f of a mounted image
# unmounts it; what a killed commit or load leaves in the work area is
# cleared by the next command and counted by `system df`.
load ../system/helpers

teardown() {
    container_teardown
}

@test "a new empty store still starts normally" {
    run_husk images -q
    assert_output_is ""
    [ -s "$HUSK_ROOT/husk.db" ]
}

@test "a husk.db truncated to 0 bytes over a store with volumes is an error, not a fresh start" {
    run_husk volume create keep
    : > "$HUSK_ROOT/husk.db"
    rm -f "$HUSK_ROOT/husk.db-wal" "$HUSK_ROOT/husk.db-shm"
    run_husk 125 volume ls
    assert_output_contains "empty or missing"
    assert_output_contains "husk system reset"
    [ ! -s "$HUSK_ROOT/husk.db" ]           # nothing was written over it
    [ -d "$HUSK_ROOT/volumes/keep" ]
}

@test "a truncated or deleted husk.db over a store with layers is an error" {
    run_husk load -i "$HUSK_IMAGES/busybox.docker.tar"
    : > "$HUSK_ROOT/husk.db"
    rm -f "$HUSK_ROOT/husk.db-wal" "$HUSK_ROOT/husk.db-shm"
    run_husk 125 images
    assert_output_contains "holds layers"
    rm -f "$HUSK_ROOT/husk.db"
    run_husk 125 images
    assert_output_contains "husk system reset"
    [ -n "$(ls "$HUSK_ROOT"/storage/*/layers)" ]
    run_husk system reset -f
    run_husk images -q
    assert_output_is ""
}

@test "a malformed husk.db names the way to recover" {
    mkdir -p "$HUSK_ROOT"
    head -c 4096 /dev/zero | tr '\0' 'x' > "$HUSK_ROOT/husk.db"
    run_husk 125 images
    assert_output_contains "husk system reset"
}

@test "a removed container and image stay removed when the WAL is lost" {
    run_husk load -i "$HUSK_IMAGES/busybox.docker.tar"
    # An image of its own (an untag frees nothing and is not checkpointed).
    run_husk import "$HUSK_IMAGES/rootfs.tar" other
    run_husk create --name gone husk-test/busybox true
    run_husk rm gone
    run_husk rmi other
    rm -f "$HUSK_ROOT/husk.db-wal" "$HUSK_ROOT/husk.db-shm"
    run_husk ps -a --format '{{.Names}}'
    assert_output_is ""
    run_husk images --format '{{.Repository}}'
    assert_output_is "localhost/husk-test/busybox"
}

@test "rmi of a mounted image is refused; rmi -f unmounts it first" {
    use_unshare
    run_husk load -i "$HUSK_IMAGES/busybox.docker.tar"
    run_husk image mount husk-test/busybox
    mnt=$output
    in_userns test -e "$mnt/bin/busybox"
    run_husk 2 rmi husk-test/busybox
    assert_output_contains "is mounted"
    run_husk rmi -f husk-test/busybox
    ! store_mountinfo | grep -qF " $HUSK_RUNROOT/" || false
    in_userns test ! -e "$mnt/bin/busybox"
    run_husk images -q
    assert_output_is ""
}

@test "work files a killed commit or load left are cleared by the next command and counted by df" {
    run_husk load -i "$HUSK_IMAGES/busybox.docker.tar"
    tmp=$(echo "$HUSK_ROOT"/storage/*/tmp)
    [ -d "$tmp" ]
    # What SIGKILL leaves: a commit's layer tar and a load's archive
    # directory, their locks free.
    head -c 1048576 /dev/zero > "$tmp/commit-dead01"
    mkdir "$tmp/archive-dead02" && head -c 65536 /dev/zero > "$tmp/archive-dead02/blob"
    # One in use: its lock is held by a live process.
    head -c 2097152 /dev/zero > "$tmp/commit-live03"
    ( exec 9<"$tmp/commit-live03"; flock 9; exec sleep 30 ) &
    holder=$!
    sleep 0.3
    run_husk system df --format '{{.Type}} {{.Total}} {{.Active}}'
    assert_output_contains "Build Cache 1 1"
    [ ! -e "$tmp/commit-dead01" ]
    [ ! -e "$tmp/archive-dead02" ]
    [ -e "$tmp/commit-live03" ]
    run_husk system df --format '{{.Type}} {{.Size}}'
    assert_output_contains "Build Cache 2"
    kill "$holder"; wait "$holder" 2>/dev/null || true
    run_husk images -q
    [ ! -e "$tmp/commit-live03" ]
}

@test "a commit killed by SIGKILL leaves nothing after the next command" {
    run_husk load -i "$HUSK_IMAGES/busybox.docker.tar"
    run_husk run --name big husk-test/busybox dd if=/dev/urandom of=/big bs=1M count=64
    tmp=$(echo "$HUSK_ROOT"/storage/*/tmp)
    for i in 1 2 3; do
        # The binary itself, not the husk() wrapper: killing the wrapper's
        # subshell would leave the commit running past the check below.
        "$HUSK_BIN" --root "$HUSK_ROOT" --runroot "$HUSK_RUNROOT" commit big img$i \
            >/dev/null 2>&1 &
        pid=$!
        sleep 0.$((RANDOM % 5 + 1))
        kill -9 "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    done
    run_husk ps -a -q
    [ -z "$(ls -A "$tmp")" ]
    [ -z "$(ls -A "$HUSK_ROOT/tmp" 2>/dev/null)" ]
}
