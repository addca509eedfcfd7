# SPDX-License-Identifier: GPL-2.0-or-later
# Shared helpers for the BATS system tests.  Each test file gets its own
# private store (--root/--runroot under a fresh temporary directory), so
# files never see each other's images.  With HUSK_ROOTLESS_RUN=1 the suite
# runs as an unprivileged user (tests/run-all.sh does this as husktest).

bats_require_minimum_version 1.5.0

HUSK_TOP=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
HUSK_BIN=${HUSK_BIN:-$HUSK_TOP/build/husk}
HUSK_IMAGES=${HUSK_IMAGES:-$HUSK_TOP/build/test-images}

husk_setup_store() {
    HUSK_TMP=$(mktemp -d "${BATS_TMPDIR:-/tmp}/husk-test.XXXXXX")
    HUSK_ROOT=$HUSK_TMP/root
    HUSK_RUNROOT=$HUSK_TMP/run
    export HUSK_TMP HUSK_ROOT HUSK_RUNROOT
}

setup() {
    husk_setup_store
}

teardown() {
    husk_teardown_store
}

husk_teardown_store() {
    if [ -n "${HUSK_TMP:-}" ]; then
        # Unmount anything a test left mounted below the store.
        grep -F " $HUSK_TMP/" /proc/self/mountinfo 2>/dev/null | awk '{print $5}' \
            | sort -r | while read -r m; do umount -l "$m" 2>/dev/null; done
        remove_tree "$HUSK_TMP"
    fi
}

# Run a command where husk's files are seen as husk sees them: rootless,
# inside the user namespace (files of subordinate IDs are not the user's
# on the host), else as it is.
in_userns() {
    if is_rootless; then "${HUSK_BIN_REAL:-$HUSK_BIN}" unshare "$@"; else "$@"; fi
}

# use_unshare: rootless, every husk command of this test runs under
# `husk unshare`, where `husk mount` and `husk image mount` work (as in
# Podman) and their mounts are seen by in_userns.  Root: nothing to do.
use_unshare() {
    is_rootless || return 0
    HUSK_BIN_REAL=$HUSK_BIN
    HUSK_BIN=$HUSK_TMP/husk-unshared
    printf '#!/bin/sh\nexec "%s" unshare "%s" "$@"\n' "$HUSK_BIN_REAL" "$HUSK_BIN_REAL" > "$HUSK_BIN"
    chmod +x "$HUSK_BIN"
}

# The mounts husk sees: rootless, those of its user namespace's mount
# namespace.
store_mountinfo() { in_userns cat /proc/self/mountinfo; }

# Rootless containers on cgroup v1 have no cgroup of their own: no freezer
# for pause, no counters for stats (190-userns checks Podman's messages).
skip_without_cgroup() {
    if is_rootless && [ "$(stat -f -c %T /sys/fs/cgroup)" != cgroup2fs ]; then
        skip "${1:-needs a cgroup}: on cgroup v1 an unprivileged user's containers have none"
    fi
}

# husk_sh SCRIPT: run SCRIPT with sh where husk's mounts are seen
# (rootless: under `husk unshare`, in husk's mount namespace, where
# `husk mount` works as in Podman), $HUSK being husk with this test's store
# (and $HUSK_OPTS).  For checks that read the path `husk mount` or
# `husk image mount` prints: husk_sh 'ls "$($HUSK mount c)"'.  More
# arguments are the script's $1...
husk_sh() {
    in_userns env HUSK="$HUSK_BIN --root $HUSK_ROOT --runroot $HUSK_RUNROOT ${HUSK_OPTS:-}" \
        sh -c "$1" sh "${@:2}"
}

# check_mount CONTAINER SCRIPT: `husk mount` the container where its
# mount is seen (husk_sh), run SCRIPT with `sh -e` and $M its root, then
# unmount; fail the test unless SCRIPT succeeds.  Sets $output.
check_mount() {
    run husk_sh 'M=$($HUSK mount "$1") || exit 125; export M; sh -ec "$2"; r=$?
                 $HUSK unmount "$1" >/dev/null; exit $r' "$1" "$2"
    if [ "$status" -ne 0 ]; then
        echo "check_mount $1 failed ($status): $output" >&2
        return 1
    fi
}

# Tests that need real root (the host's cgroups, devices, kernel
# settings) say why in their skip: "needs root: <why>".
skip_needs_root() {
    if is_rootless; then skip "needs root: $1"; fi
}

# rm -rf, rootless inside the user namespace: files of containers belong to
# the user's subordinate IDs there.
remove_tree() {
    # (again after a moment: a helper process of the last command, such as
    # husk-registry, may still be writing its last file)
    if is_rootless; then
        "${HUSK_BIN_REAL:-$HUSK_BIN}" unshare rm -rf "$@" 2>/dev/null || rm -rf "$@" 2>/dev/null \
            || { sleep 0.5; "${HUSK_BIN_REAL:-$HUSK_BIN}" unshare rm -rf "$@" 2>/dev/null || rm -rf "$@"; }
    else
        rm -rf "$@" 2>/dev/null || { sleep 0.5; rm -rf "$@"; }
    fi
}

is_rootless() { [ "$(id -u)" -ne 0 ]; }

skip_if_rootless() {
    if is_rootless; then skip "${1:-needs root}"; fi
}

skip_if_root() {
    if ! is_rootless; then skip "${1:-rootless only}"; fi
}

# husk with this test's private store.
husk() {
    "$HUSK_BIN" --root "$HUSK_ROOT" --runroot "$HUSK_RUNROOT" "$@"
}

# run_husk [expected-status] args...: run husk, fail unless the exit status
# is the expected one (default 0).  Sets $output, $status and $lines.
run_husk() {
    local expected=0
    case "${1:-}" in
        [0-9]|[0-9][0-9]|[0-9][0-9][0-9]) expected=$1; shift ;;
    esac
    if [ "$expected" -eq 127 ]; then
        # bats warns about 127 unless the test says it expects it.
        run -127 "$HUSK_BIN" --root "$HUSK_ROOT" --runroot "$HUSK_RUNROOT" "$@"
    else
        run "$HUSK_BIN" --root "$HUSK_ROOT" --runroot "$HUSK_RUNROOT" "$@"
    fi
    if [ "$status" -ne "$expected" ]; then
        echo "husk $*" >&2
        echo "exit status $status, expected $expected; output:" >&2
        echo "$output" >&2
        return 1
    fi
}

# assert_output_contains TEXT / assert_output_is TEXT / assert_equal A B
assert_output_contains() {
    if [[ "$output" != *"$1"* ]]; then
        echo "output does not contain: $1" >&2
        echo "output was: $output" >&2
        return 1
    fi
}

assert_output_is() {
    if [ "$output" != "$1" ]; then
        echo "expected output: $1" >&2
        echo "actual output:   $output" >&2
        return 1
    fi
}

assert_equal() {
    if [ "$1" != "$2" ]; then
        echo "expected: $2" >&2
        echo "actual:   $1" >&2
        return 1
    fi
}

# Test image paths (built by tests/images/build.sh).
image_path() { echo "$HUSK_IMAGES/$1"; }

# Files whose tests run containers: a private store with the busybox image,
# skipped rootless until the user namespace comes (the rootless issue).
container_setup() {
    husk_setup_store
    run_husk load -i "$HUSK_IMAGES/busybox.docker.tar"
}

# Remove every container, then whatever is still mounted below the store.
container_teardown() {
    [ -n "${HUSK_TMP:-}" ] || return 0
    husk rm -a -f -t 0 >/dev/null 2>&1 || true
    grep -F " $HUSK_TMP/" /proc/self/mountinfo | awk '{print $5}' | sort -r \
        | while read -r m; do umount -l "$m"; done
    remove_tree "$HUSK_TMP"
}

# The command tree, as `--help` lists it (015-docs and 016-completion walk
# it).  commands_of [GROUP]: the commands `husk [GROUP] --help` lists, one
# a line.
commands_of() {
    husk "$@" --help | awk '/^Available Commands:/ { on = 1; next }
                            on && /^$/ { exit }
                            on { print $1 }'
}

is_group() {
    husk "$1" --help | grep -q '^Available Commands:'
}

# ---- networks (200-rootless-net, 220-bridge) ----

# A host port nobody uses: random in 20000-32767, below the kernel's
# ephemeral ports (32768-60999 here) that any outgoing connection of the
# machine may take meanwhile, and checked with ss.
free_port() {
    local p
    for _ in $(seq 50); do
        p=$((20000 + RANDOM % 12768))
        if ! ss -Htaun | awk '{print $5}' | grep -q ":$p\$"; then
            echo "$p"
            return
        fi
    done
    false
}

# wait_listening PORT: returns once something listens on the host's TCP
# PORT (at most 5 s): a server started in the background is ready.
wait_listening() {
    for _ in $(seq 50); do
        ss -Hltn "sport = :$1" | grep -q . && return 0
        sleep 0.1
    done
    echo "nothing listens on port $1" >&2
    return 1
}

# wget_retry URL: the page, once the server answers (at most 5 s).
wget_retry() {
    for _ in $(seq 50); do
        # (busybox's wget -T crashes here: timeout(1) instead)
        if timeout 3 busybox wget -qO- "$1" 2>/dev/null; then return 0; fi
        sleep 0.1
    done
    echo "no answer from $1" >&2
    return 1
}

# The registries of tests/registry/registry.sh for a file's tests: the
# shared ones tests/run-all.sh started (HUSK_REG_ENV names their env
# file), else the file's own, started in setup_file and stopped after.
registry_setup_file() {
    if [ -z "${HUSK_REG_ENV:-}" ]; then
        export HUSK_REG_OWN=$BATS_FILE_TMPDIR/registry
        "$BATS_TEST_DIRNAME/../registry/registry.sh" start "$HUSK_REG_OWN" 3>&-
        export HUSK_REG_ENV=$HUSK_REG_OWN/env
    fi
}

registry_teardown_file() {
    if [ -n "${HUSK_REG_OWN:-}" ]; then
        "$BATS_TEST_DIRNAME/../registry/registry.sh" stop "$HUSK_REG_OWN"
    fi
}

# A store of the test's own, the registries' settings (HUSK_REG_*; docker.io
# mirrored to the TLS one), and CREDS, TLS and BB_ID for the commands.
registry_setup() {
    husk_setup_store
    . "$HUSK_REG_ENV"
    export CONTAINERS_REGISTRIES_CONF=$HUSK_REG_CONF
    CREDS=(--creds "$HUSK_REG_USER:$HUSK_REG_PASS")
    TLS=(--cert-dir "$HUSK_REG_CERTS")
    BB_ID=$(awk '$1 == "busybox" {print $2}' "$HUSK_IMAGES/DIGESTS")
}
