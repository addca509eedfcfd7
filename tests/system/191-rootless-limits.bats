#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# The limits of rootless operation, each with the message or the failure
# that explains it: --privileged is all capabilities inside the user
# namespace, not host root; NFS-like file systems do not understand user
# namespaces.  (Storage drivers: 065; cgroup limits: 106; the user
# namespace itself: 190.)

load helpers

setup() {
    container_setup
}

teardown() {
    container_teardown
}

# A mounted file system of a kind that does not understand user
# namespaces, if this host has one.
network_fs_mount() {
    awk '{ for (i = 7; i <= NF; i++) if ($i == "-") { print $(i + 1), $5; break } }' /proc/self/mountinfo \
        | awk '$1 ~ /^(nfs|nfs4|cifs|smb3|ceph|afs|lustre|gpfs)$/ { print $2; exit }'
}

@test "--privileged rootless: every capability inside the user namespace, none over the host" {
    skip_if_root "rootless only: as root, --privileged is host root"
    last=$(cat /proc/sys/kernel/cap_last_cap)
    full=$(printf '%016x' $(( (1 << (last + 1)) - 1 )))
    # A root-owned host file, bind-mounted read-write.  The check opens it
    # for appending and writes nothing, so even a failure harms nothing.
    host_file=/etc/hostname
    [ "$(stat -c %u "$host_file")" -eq 0 ]
    before=$(sha256sum "$host_file")
    blk=$(ls /sys/block | grep -v '^loop\|^ram\|^zram' | head -1)
    run_husk run --rm --privileged -v "$host_file:/mnt/f" husk-test/busybox sh -c '
        grep ^CapEff: /proc/self/status
        printf "" >> /mnt/f && echo WROTE
        mknod /tmp/null c 1 3 && echo MADE-NODE
        dev=/dev/'"${blk:-loop0}"'; [ -b "$dev" ] || dev=/dev/loop0
        mount "$dev" /mnt 2>&1 && echo MOUNTED
        grep -o "^ *0 *[0-9]*" /proc/self/uid_map
        true'
    assert_output_contains "CapEff:	$full"
    [[ "$output" != *WROTE* ]]
    [[ "$output" != *MADE-NODE* ]]
    [[ "$output" != *MOUNTED* ]]
    assert_output_contains "can't create /mnt/f: Permission denied"
    assert_output_contains "mknod: /tmp/null: Operation not permitted"
    # The container's root is the user's own uid on the host.
    grep -qE "^ *0 +$(id -u)\$" <<<"$output"
    [ "$(sha256sum "$host_file")" = "$before" ]
}

@test "a bind mount from an NFS-like file system: a warning says why other users of the container fail" {
    src=$(network_fs_mount)
    [ -n "$src" ] || skip "no NFS, CIFS or other network file system is mounted on this host (the detection by statfs magic is unit-tested in tests/unit/test-util.c)"
    run_husk run --rm -v "$src:/mnt" husk-test/busybox true
    if is_rootless; then
        assert_output_contains "which does not understand user namespaces"
    else
        [[ "$output" != *"does not understand user namespaces"* ]]
    fi
}

@test "storage on an NFS-like file system is refused with the reason" {
    src=$(network_fs_mount)
    [ -n "$src" ] || skip "no NFS, CIFS or other network file system is mounted on this host (the detection by statfs magic is unit-tested in tests/unit/test-util.c)"
    is_rootless || skip "as root, files of any owner can be written to NFS"
    [ -w "$src" ] || skip "$src is not writable here"
    HUSK_ROOT=$src/husk-test-$$
    run_husk 125 images
    assert_output_contains "rootless storage on"
    assert_output_contains "does not understand user namespaces"
}
