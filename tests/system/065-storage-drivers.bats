#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# Storage drivers: overlay through fuse-overlayfs (overlay.mount_program,
# given or chosen when a kernel overlay mount fails in the graph root),
# the reasons `info` gives, and the drivers husk does not have.  Root and
# rootless alike.

load helpers

setup() {
    container_setup
}

teardown() {
    container_teardown
}

FUSE=/usr/bin/fuse-overlayfs

need_fuse() {
    [ -x "$FUSE" ] || skip "fuse-overlayfs is not installed"
    [ -r /dev/fuse ] && [ -w /dev/fuse ] || skip "/dev/fuse cannot be opened (tests/setup-host.sh makes it 0666)"
}

# The fuse-overlayfs server of one container's layer, if it runs (a
# server that exited and waits to be reaped has no command line).
fuse_server_of() {
    pgrep -f "fuse-overlayfs .*containers/$1/" || true
}

@test "overlay.mount_program: containers run through fuse-overlayfs; files persist across stop, start and commit" {
    need_fuse
    opt=(--storage-opt "overlay.mount_program=$FUSE")
    run_husk "${opt[@]}" info --format json
    [ "$(jq -r '.store.graphOptions."overlay.mount_program".Executable' <<<"$output")" = "$FUSE" ]
    [[ "$(jq -r '.store.graphOptions."overlay.mount_program".Version' <<<"$output")" == *"fuse-overlayfs: version"* ]]
    run_husk "${opt[@]}" info --format '{{.Store.GraphStatus}}'
    assert_output_contains "Native Overlay Diff:false"

    # First run: write; later starts: show what the first wrote.
    run_husk "${opt[@]}" run --name c husk-test/busybox sh -c \
        'grep " / / " /proc/self/mountinfo; if [ -e /kept ]; then cat /kept; ls /d;
         else echo kept > /kept; rm /etc/group; mkdir /d; touch /d/f; fi'
    assert_output_contains "fuse.fuse-overlayfs"
    cid=$(husk inspect --format '{{.Id}}' c)
    # The container exited: its layer is unmounted and its server gone.
    [ -z "$(fuse_server_of "$cid")" ]
    run_husk "${opt[@]}" start -a c
    assert_output_contains "$(printf 'kept\nf')"
    run_husk "${opt[@]}" start -a c
    assert_output_contains "$(printf 'kept\nf')"
    run_husk "${opt[@]}" diff c
    assert_output_contains "A /kept"
    assert_output_contains "D /etc/group"
    [[ "$output" != *".wh."* ]]
    run_husk "${opt[@]}" commit -q c committed
    run_husk "${opt[@]}" run --rm committed sh -c 'cat /kept; ls /d; test ! -e /etc/group && echo gone'
    assert_equal "$output" "$(printf 'kept\nf\ngone')"
    # A non-root user of the container reads through the mount too.
    run_husk "${opt[@]}" run --rm --user 1000 committed cat /kept
    assert_output_is kept
}

@test "overlay.mount_program: mount, umount and rm stop the fuse-overlayfs server" {
    need_fuse
    opt=(--storage-opt "overlay.mount_program=$FUSE")
    run_husk "${opt[@]}" run -d --name c husk-test/busybox sleep 100
    cid=$output
    [ -n "$(fuse_server_of "$cid")" ]
    run_husk "${opt[@]}" rm -f -t 0 c
    [ -z "$(fuse_server_of "$cid")" ]

    run_husk "${opt[@]}" create --name m husk-test/busybox true
    cid=$output
    HUSK_OPTS="--storage-opt overlay.mount_program=$FUSE" run husk_sh 'ls "$($HUSK mount m)/bin/sh" && $HUSK umount m'
    [ "$status" -eq 0 ] || { echo "$output"; false; }
    assert_output_contains "/bin/sh"
    [ -z "$(fuse_server_of "$cid")" ]
    run_husk "${opt[@]}" rm m
}

@test "automatic choice: a graph root where kernel overlay cannot mount gets fuse-overlayfs" {
    need_fuse
    # An overlay cannot be the upper file system of another kernel overlay
    # ("not supported as upperdir"): put the graph root on one.
    fs=$HUSK_TMP/ovl
    mkdir -p "$fs/lower" "$fs/upper" "$fs/work" "$fs/mnt"
    local opts="lowerdir=$fs/lower,upperdir=$fs/upper,workdir=$fs/work"
    is_rootless && opts+=",userxattr"
    in_userns mount -t overlay overlay -o "$opts" "$fs/mnt"
    HUSK_ROOT=$fs/mnt/root
    run_husk --log-level debug load -i "$HUSK_IMAGES/busybox.docker.tar"
    assert_output_contains "Storage driver overlay with mount program $FUSE: kernel overlay cannot mount in the graph root"
    assert_output_contains "not supported as upperdir"
    run_husk info --format '{{.Store.GraphDriverName}} {{.Store.GraphDriverReason}}'
    assert_output_contains "overlay the store was made with it; kernel overlay cannot mount"
    run_husk info --format json
    [ "$(jq -r '.store.graphOptions."overlay.mount_program".Executable' <<<"$output")" = "$FUSE" ]
    # Layers with whiteouts and opaque directories land on this graph root
    # in the form fuse-overlayfs also reads (.wh. files).
    run_husk load -i "$HUSK_IMAGES/layers.docker.tar"
    run_husk run --rm husk-test/layers ls /opaque
    assert_output_is fresh.txt
    run_husk run --name c husk-test/busybox sh -c 'cat /kept 2>/dev/null || echo kept > /kept; rm -f /etc/group'
    run_husk start -a c
    assert_output_is kept
    run_husk commit -q c committed
    run_husk run --rm committed sh -c 'cat /kept; test ! -e /etc/group && echo gone'
    assert_equal "$output" "$(printf 'kept\ngone')"
    cid=$(husk inspect --format '{{.Id}}' c)
    run_husk rm -a -f -t 0
    [ -z "$(fuse_server_of "$cid")" ]
    run_husk rmi -a -f
    in_userns umount "$fs/mnt"
}

@test "drivers husk does not have: a clear error, exit 125" {
    HUSK_ROOT=$HUSK_TMP/fresh
    for d in btrfs zfs devmapper aufs; do
        run_husk 125 --storage-driver "$d" images
        if is_rootless; then
            assert_output_contains "the storage driver \"$d\" cannot be used rootless"
        else
            assert_output_contains "the storage driver \"$d\" is not supported by husk (supported: overlay, vfs)"
        fi
    done
    run_husk 125 --storage-driver nosuch images
    assert_output_contains "unknown storage driver 'nosuch'"
}

@test "overlay.mount_program must name an executable" {
    run_husk 125 --storage-opt overlay.mount_program=/nonexistent/fuse images
    assert_output_contains "overlay.mount_program '/nonexistent/fuse'"
    run_husk 125 --storage-opt overlay.mount_program=fuse-overlayfs images
    assert_output_contains "not an absolute path"
}

@test "the driver a store was made with is kept, and info says why" {
    run_husk info --format '{{.Store.GraphDriverName}}: {{.Store.GraphDriverReason}}'
    assert_output_contains "overlay: the store was made with it"
    run_husk 125 --storage-driver vfs images
    assert_output_contains "uses the storage driver \"overlay\""
    HUSK_ROOT=$HUSK_TMP/vfsroot
    run_husk --storage-driver vfs --log-level debug info --format '{{.Store.GraphDriverName}}: {{.Store.GraphDriverReason}}'
    assert_output_contains "Storage driver vfs: requested (--storage-driver or storage.conf)"
    run_husk info --format '{{.Store.GraphDriverName}}'
    assert_output_is vfs
}
