#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Prepare this host for husk's tests (see shared/ENVIRONMENT.md).  Idempotent.
#  - crun refuses hybrid cgroups while cgroup2 has controllers and no v1
#    hugetlb hierarchy is mounted: mount one.
#  - rootless pasta/slirp4netns need /dev/net/tun usable by a plain user.
#  - rootless fuse-overlayfs needs /dev/fuse usable by a plain user (mode
#    0666, as distributions ship it).
#  - rootless tests run as the user "husktest" with subuid/subgid ranges;
#    "husktest2", with a range of its own, is the other user of the tests
#    that prove two users' containers and stores apart.
set -eu

[ "$(id -u)" -eq 0 ] || { echo "setup-host: must run as root" >&2; exit 1; }

unified=/sys/fs/cgroup/unified/cgroup.controllers
if [ -n "$(cat "$unified" 2>/dev/null)" ] && ! grep -q ' /sys/fs/cgroup/hugetlb ' /proc/self/mountinfo; then
    mkdir -p /sys/fs/cgroup/hugetlb 2>/dev/null || true
    mount -t cgroup -o hugetlb cgroup /sys/fs/cgroup/hugetlb 2>/dev/null \
        || echo "setup-host: could not mount the hugetlb v1 hierarchy" >&2
fi

[ -c /dev/net/tun ] && chmod 666 /dev/net/tun
[ -c /dev/fuse ] && chmod 666 /dev/fuse

add_user() { # name first-subordinate-id
    if ! id "$1" >/dev/null 2>&1; then
        useradd --create-home --shell /bin/sh "$1"
    fi
    for f in /etc/subuid /etc/subgid; do
        touch "$f"
        grep -q "^$1:" "$f" || echo "$1:$2:65536" >> "$f"
    done
}
add_user husktest 200000
add_user husktest2 300000
