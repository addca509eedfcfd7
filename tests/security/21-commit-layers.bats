#!/usr/bin/env bats
# What a container can make commit write.  Files named ".wh.*" would be
# whiteouts in the layer (`touch /etc/.wh.passwd /bin/.wh..wh..opq` made the
# committed image lose /etc/passwd and all of /bin): commit refuses them,
# naming the file.  A sparse file costs its data, not its size: a 4 GiB
# hole used to make commit read and write it whole, several times.
load ../system/helpers

setup() {
    container_setup
}

teardown() {
    container_teardown
}

# commit_refuses DRIVER-ARGS...: the whiteout-name checks with that store.
commit_refuses() {
    run_husk "$@" run --name wh1 husk-test/busybox touch /etc/.wh.passwd
    run_husk 125 "$@" commit wh1 bad1
    assert_output_contains '"/etc/.wh.passwd"'
    assert_output_contains 'reserved for layer whiteouts'
    run_husk "$@" run --name wh2 husk-test/busybox sh -c 'mkdir -p /x && touch /bin/.wh..wh..opq'
    run_husk 125 "$@" commit wh2 bad2
    assert_output_contains '"/bin/.wh..wh..opq"'
    run_husk "$@" run --name wh3 husk-test/busybox mkdir -p /a/.wh.b/c
    run_husk 125 "$@" commit wh3 bad3
    assert_output_contains '"/a/.wh.b"'
    # Nothing was made, and the image still has what the names would hide.
    run_husk "$@" images --format '{{.Repository}}'
    [[ "$output" != *bad* ]]
    run_husk "$@" run --rm husk-test/busybox sh -c 'test -s /etc/passwd && test -x /bin/sh'
}

@test "commit refuses files named .wh.* (overlay or the default driver)" {
    commit_refuses
}

@test "commit refuses files named .wh.* with the vfs driver" {
    HUSK_ROOT=$HUSK_TMP/vfsroot
    HUSK_RUNROOT=$HUSK_TMP/vfsrun
    run_husk --storage-driver vfs load -i "$HUSK_IMAGES/busybox.docker.tar"
    commit_refuses --storage-driver vfs
    run_husk --storage-driver vfs rm -a -f
}

# The newest layer blob of the store (the layer commit just made).
newest_blob() {
    ls -t "$HUSK_ROOT"/storage/*/layers/*/blob | head -1
}

@test "commit writes sparse files with their holes, quickly, and the image keeps them" {
    run_husk run --name sp husk-test/busybox sh -c \
        'truncate -s 4G /big && echo middle | dd of=/big bs=1M seek=2048 conv=notrunc 2>/dev/null &&
         truncate -s 3G /empty'
    start=$(date +%s)
    run_husk commit -q sp sparse
    [ $(( $(date +%s) - start )) -le 10 ]
    blob=$(newest_blob)
    size=$(stat -c %s "$blob")
    echo "layer blob: $size bytes" >&2
    [ "$size" -lt $((4 * 1024 * 1024)) ]
    # The image's files have their sizes, their data, and little disk.
    run_husk run --rm sparse sh -c \
        'stat -c "%s %n" /big /empty; dd if=/big bs=1M skip=2048 count=1 2>/dev/null | head -1'
    assert_output_is "$(printf '4294967296 /big\n3221225472 /empty\nmiddle')"
    [ "$(du -sk "$HUSK_ROOT" | cut -f1)" -lt $((64 * 1024)) ]
    # GNU tar reads the layer (pax GNU.sparse 1.0) and restores the holes.
    tar -tvf "$blob" | grep -E ' 4294967296 .* big$'
    mkdir "$HUSK_TMP/x"
    tar -C "$HUSK_TMP/x" -xf "$blob" big empty
    assert_equal "$(stat -c %s "$HUSK_TMP/x/big")" 4294967296
    assert_equal "$(dd if="$HUSK_TMP/x/big" bs=1M skip=2048 count=1 2>/dev/null | head -1)" middle
    [ "$(du -sk "$HUSK_TMP/x" | cut -f1)" -lt 1024 ]
}

@test "podman loads an image with a sparse file committed by husk" {
    command -v podman >/dev/null || skip "podman is not installed"
    run_husk run --name sp husk-test/busybox sh -c \
        'truncate -s 64M /big && echo end >> /big'
    run_husk commit -q sp sparse
    run_husk save -o "$HUSK_TMP/sparse.tar" sparse
    p() { podman --root "$HUSK_TMP/proot" --runroot "$HUSK_TMP/prun" --storage-driver vfs "$@"; }
    p load -i "$HUSK_TMP/sparse.tar"
    # Rootless, podman mounts images only under `podman unshare`.
    local in_ns=
    is_rootless && in_ns="podman --root $HUSK_TMP/proot --runroot $HUSK_TMP/prun --storage-driver vfs unshare"
    run $in_ns sh -c 'r=$0 u=$1; p() { podman --root "$r" --runroot "$u" --storage-driver vfs "$@"; }
        m=$(p image mount localhost/sparse) && stat -c %s "$m/big" && tail -c 4 "$m/big" &&
        p image unmount localhost/sparse >/dev/null' "$HUSK_TMP/proot" "$HUSK_TMP/prun"
    [ "$status" -eq 0 ] || { echo "$output"; false; }
    assert_equal "${lines[0]}" $((64 * 1024 * 1024 + 4))
    assert_equal "${lines[1]}" end
    p rmi -a -f >/dev/null
    is_rootless && p unshare rm -rf "$HUSK_TMP/proot" "$HUSK_TMP/prun" || true
}
