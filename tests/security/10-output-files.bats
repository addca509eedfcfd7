#!/usr/bin/env bats
# Host safety: a named output file (save -o, export -o, volume export -o,
# --iidfile) that is a device node or a FIFO is written into, never replaced
# by a regular file; a directory is refused; cp never replaces a host node
# that is not a regular file or directory.  Device nodes are made with mknod
# in the test's own directory: the host's /dev/null is never touched.
# Rootless (no mknod on the host), the node is the host's /dev/null
# bind-mounted over a file of the test's directory inside husk's mount
# namespace, where husk sees it; the user cannot chown or replace the real
# one, and a rename onto a mount point fails.
load ../system/helpers

# A FIFO read by a background cat into $2 (given up after 20 s: a FIFO that
# was replaced by a file is never written, and its reader would wait).
fifo_reader() {
    mkfifo "$1"
    timeout 20 cat "$1" > "$2" &
    READER=$!
}

# A store with busybox, for the tests that need a container.
need_container() {
    run_husk load -i "$HUSK_IMAGES/busybox.docker.tar"
}

teardown() {
    if is_rootless && [ -n "${HUSK_TMP:-}" ]; then
        store_mountinfo | awk -v t="$HUSK_TMP/" 'index($5, t) == 1 { print $5 }' | sort -r \
            | while read -r m; do in_userns umount "$m"; done
    fi
    container_teardown
}

# A null device (c 1 3) at $1.
null_node() {
    if is_rootless; then
        touch "$1" && in_userns mount --bind /dev/null "$1"
        return
    fi
    mknod -m 666 "$1" c 1 3
}

@test "save -o a character device writes into it and leaves the node" {
    run_husk load -i "$HUSK_IMAGES/busybox.docker.tar"
    null_node "$HUSK_TMP/null"
    run_husk save -o "$HUSK_TMP/null" husk-test/busybox
    in_userns test -c "$HUSK_TMP/null"
    [ -z "$(ls "$HUSK_TMP" | grep husk-)" ]    # no temporary left beside it
    run_husk save --format oci-archive -o "$HUSK_TMP/null" husk-test/busybox
    in_userns test -c "$HUSK_TMP/null"
}

@test "save -o a FIFO feeds the reader and leaves the FIFO" {
    run_husk load -i "$HUSK_IMAGES/busybox.docker.tar"
    fifo_reader "$HUSK_TMP/fifo" "$HUSK_TMP/got.tar"
    run_husk save -o "$HUSK_TMP/fifo" husk-test/busybox
    wait "$READER"
    [ -p "$HUSK_TMP/fifo" ]
    tar -tf "$HUSK_TMP/got.tar" | grep -qx manifest.json
}

@test "save -o a directory is refused and -o - and /dev/stdout write standard output" {
    run_husk load -i "$HUSK_IMAGES/busybox.docker.tar"
    mkdir "$HUSK_TMP/dir"
    run_husk 125 save -o "$HUSK_TMP/dir" husk-test/busybox
    assert_output_contains "is a directory"
    [ -z "$(ls -A "$HUSK_TMP/dir")" ]
    husk save -o - husk-test/busybox | tar -t | grep -qx manifest.json
    husk save -o /dev/stdout husk-test/busybox | tar -t | grep -qx manifest.json
}

@test "save -o a regular file through a symlink replaces the file, keeps the link" {
    run_husk load -i "$HUSK_IMAGES/busybox.docker.tar"
    echo old > "$HUSK_TMP/file"
    ln -s file "$HUSK_TMP/link"
    run_husk save -o "$HUSK_TMP/link" husk-test/busybox
    [ -L "$HUSK_TMP/link" ]
    tar -tf "$HUSK_TMP/file" | grep -qx manifest.json
}

@test "volume export --output onto a device or FIFO writes into it" {
    run_husk volume create v
    if ! is_rootless; then
        null_node "$HUSK_TMP/null"
        run_husk volume export v --output="$HUSK_TMP/null"
        in_userns test -c "$HUSK_TMP/null"
    fi
    fifo_reader "$HUSK_TMP/fifo" "$HUSK_TMP/got.tar"
    run_husk volume export v --output="$HUSK_TMP/fifo"
    wait "$READER"
    [ -p "$HUSK_TMP/fifo" ]
    tar -tf "$HUSK_TMP/got.tar" >/dev/null
    mkdir "$HUSK_TMP/dir"
    run_husk 125 volume export v --output="$HUSK_TMP/dir"
    assert_output_contains "is a directory"
}

@test "export -o a device writes into it; a FIFO gets the tar" {
    need_container
    run_husk create --name c husk-test/busybox true
    null_node "$HUSK_TMP/null"
    run_husk export -o "$HUSK_TMP/null" c
    in_userns test -c "$HUSK_TMP/null"
    fifo_reader "$HUSK_TMP/fifo" "$HUSK_TMP/got.tar"
    run_husk export -o "$HUSK_TMP/fifo" c
    wait "$READER"
    [ -p "$HUSK_TMP/fifo" ]
    tar -tf "$HUSK_TMP/got.tar" | grep -q 'bin/'
}

@test "commit --iidfile onto a FIFO writes the ID into it" {
    need_container
    run_husk create --name c husk-test/busybox true
    fifo_reader "$HUSK_TMP/fifo" "$HUSK_TMP/iid"
    run_husk commit --iidfile "$HUSK_TMP/fifo" c img
    wait "$READER"
    [ -p "$HUSK_TMP/fifo" ]
    [[ "$(cat "$HUSK_TMP/iid")" =~ ^[0-9a-f]{64}$ ]] || [[ "$(cat "$HUSK_TMP/iid")" =~ ^sha256:[0-9a-f]{64}$ ]]
}

@test "cp CTR:/file onto a host device or FIFO is refused and leaves the node" {
    need_container
    run_husk create --name c husk-test/busybox true
    null_node "$HUSK_TMP/null"
    run_husk 125 cp c:/bin/busybox "$HUSK_TMP/null"
    assert_output_contains "must be a directory or a regular file"
    in_userns test -c "$HUSK_TMP/null"
    mkfifo "$HUSK_TMP/fifo"
    run_husk 125 cp c:/bin/busybox "$HUSK_TMP/fifo"
    [ -p "$HUSK_TMP/fifo" ]
    # Into a directory where the name is taken by a node: the same.
    mkdir "$HUSK_TMP/d" && null_node "$HUSK_TMP/d/busybox"
    run_husk 125 cp c:/bin/busybox "$HUSK_TMP/d/"
    in_userns test -c "$HUSK_TMP/d/busybox"
    # A regular file is still replaced.
    echo old > "$HUSK_TMP/reg"
    run_husk cp c:/bin/busybox "$HUSK_TMP/reg"
    [ "$(stat -c %s "$HUSK_TMP/reg")" -gt 1000 ]
}
