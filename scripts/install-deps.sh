#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Install exactly the Debian packages husk needs to build and test.
# Idempotent and fast when everything is present: apt runs only for what
# dpkg does not already list as installed.
set -eu

BUILD="gcc clang make meson ninja-build pkg-config libjansson-dev libsqlite3-dev
       libnftables-dev libmnl-dev
libarchive-dev libssl-dev libcurl4-openssl-dev libzstd-dev zlib1g-dev
libyaml-dev libcmocka-dev libclang-rt-14-dev liblzma-dev libbz2-dev nettle-dev libseccomp-dev
go-md2man"
TEST="docker-registry apache2-utils openssl curl python3 bats nftables aardvark-dns binutils busybox-static jq sqlite3 skopeo umoci podman crun runc uidmap
fuse-overlayfs catatonit man-db zsh fish passt slirp4netns strace
iptables"

missing=""
for p in $BUILD $TEST; do
    dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$' \
        || missing="$missing $p"
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
    echo "install-deps: missing packages:$missing (run as root, or install them)" >&2
    exit 1
fi
echo "install-deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q >/dev/null
# shellcheck disable=SC2086
apt-get install -y -q --no-install-recommends $missing >/dev/null
