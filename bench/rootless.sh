#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The rootless section of the benchmarks: husk and podman as the same
# unprivileged user, in one run, printed as ratios (lower is better).
#
#   bash bench/rootless.sh [RUNS] [ROOTFUL_RUN_MS]     (as root)
#
# bench/run.sh calls it last and passes its own rootful `run --rm` median,
# so that the rootless figure is also compared with rootful husk measured
# minutes before on the same machine.  As root, the script copies itself,
# the binaries, bench/timeit and the images into a directory the test
# user owns, then runs there as that user (BENCH_USER, default husktest,
# which tests/setup-host.sh creates with subordinate ID ranges).
set -euo pipefail
RUNS=${1:-15}
ROOTFUL_RUN_MS=${2:-}
BENCH_USER=${BENCH_USER:-husktest}

if [ "$(id -u)" -eq 0 ]; then
    cd "$(dirname "$0")/.."
    HUSK_BIN=${HUSK_BIN:-$PWD/build/husk}
    IMAGES=${IMAGES:-$PWD/build/test-images}
    id "$BENCH_USER" >/dev/null 2>&1 \
        || { echo "bench: no user $BENCH_USER (run tests/setup-host.sh)" >&2; exit 1; }
    tmp=$(mktemp -d /var/tmp/husk-bench-rl.XXXXXX)
    trap 'rm -rf "$tmp"' EXIT
    mkdir "$tmp/bin"
    cp "$HUSK_BIN" "$(dirname "$HUSK_BIN")/husk-monitor" "$tmp/bin/"
    cc -O2 -o "$tmp/bin/timeit" bench/timeit.c
    cp "$IMAGES/busybox.docker.tar" "$IMAGES/rootfs.tar" bench/rootless.sh "$tmp/"
    chown -R "$BENCH_USER": "$tmp"
    # Not exec: the trap removes what the user's run leaves (its own stores
    # are reset first, from inside, since subordinate IDs own their files).
    su "$BENCH_USER" -s /bin/bash -c \
        "cd '$tmp' && BENCH_DIR='$tmp' bash '$tmp/rootless.sh' '$RUNS' '$ROOTFUL_RUN_MS'"
    exit
fi

tmp=${BENCH_DIR:?run bench/rootless.sh as root}
HUSK=("$tmp/bin/husk" --root "$tmp/husk" --runroot "$tmp/husk-run" --storage-driver overlay)
PODMAN=(podman --root "$tmp/podman" --runroot "$tmp/podman-run" --storage-driver overlay)
H() { "${HUSK[@]}" "$@"; }
P() { "${PODMAN[@]}" "$@"; }
cleanup() {
    H rm -a -f -t 0 >/dev/null 2>&1 || true
    P rm -a -f -t 0 >/dev/null 2>&1 || true
    H system reset -f >/dev/null 2>&1 || true
    P system reset -f >/dev/null 2>&1 || true
}
trap cleanup EXIT
median_ms() { "$tmp/bin/timeit" "$RUNS" "$@"; }
report() { # name husk_ms other_ms target [other-name]
    awk -v n="$1" -v h="$2" -v p="$3" -v t="$4" -v o="${5:-podman}" 'BEGIN {
        printf "%-28s husk %9.2f ms  %-6s %9.2f ms  ratio %6.3f  (target %s)\n", n, h, o, p, h / p, t }'
}

echo "bench: rootless, as $(id -un) (uid $(id -u)), median of $RUNS runs each"
for i in $(seq 1 50); do
    H import --change "LABEL n=$i" "$tmp/rootfs.tar" "bench/img$i" >/dev/null
    P import --change "LABEL n=$i" "$tmp/rootfs.tar" "bench/img$i" >/dev/null 2>&1
done
H load -i "$tmp/busybox.docker.tar" >/dev/null
P load -i "$tmp/busybox.docker.tar" >/dev/null 2>&1

# Joining the pause process's namespaces: husk times it itself (debug log).
join_us=()
for ((i = 0; i < RUNS; i++)); do
    join_us+=("$(H --log-level debug images -q 2>&1 >/dev/null \
        | sed -n 's/.*joining the user namespace.* took \([0-9.]*\)ms.*/\1/p')")
done
printf '%s\n' "${join_us[@]}" | sort -n | awk -v n="$RUNS" '{a[NR]=$1} END {
    printf "%-28s husk %9.3f ms  (median; target <= 1 ms)\n", "rootless userns join", a[int((n + 1) / 2)] }'

# shellcheck disable=SC2046
report "rootless images (51)" $(median_ms "${HUSK[@]}" images --- "${PODMAN[@]}" images) "<= 0.1"

# podman's own ulimit defaults can exceed this machine's hard limits.
PODMAN_RUN=(--runtime crun --ulimit nofile=1024:1024 --ulimit nproc=4096:4096)
export TIMEIT_SETTLE_MS=150
# shellcheck disable=SC2207
m=($(median_ms "${HUSK[@]}" --runtime crun run --rm --network none localhost/husk-test/busybox true \
    --- "${PODMAN[@]}" run --rm --network none "${PODMAN_RUN[@]}" localhost/husk-test/busybox true))
report "rootless run --rm, no net" "${m[@]}" "<= 0.15"
[ -n "$ROOTFUL_RUN_MS" ] && report "" "${m[0]}" "$ROOTFUL_RUN_MS" "<= 2 (rootless / rootful husk)" rootful

# Each with its default rootless network: husk's is pasta; podman 4.3.1
# has no pasta (it came in 4.4), its default is slirp4netns.
if command -v pasta >/dev/null; then
    # shellcheck disable=SC2207
m=($(median_ms "${HUSK[@]}" --runtime crun run --rm localhost/husk-test/busybox true \
        --- "${PODMAN[@]}" run --rm "${PODMAN_RUN[@]}" localhost/husk-test/busybox true))
    report "rootless run --rm, pasta" "${m[@]}" "<= 0.2 (podman with its default)"
else
    echo "rootless run --rm, pasta      skipped: pasta is not installed (apt-get install passt)"
fi
unset TIMEIT_SETTLE_MS

for i in $(seq 1 49); do
    H create --name "c$i" --network none localhost/husk-test/busybox true >/dev/null
    P create --name "c$i" --network none "${PODMAN_RUN[@]}" localhost/husk-test/busybox true >/dev/null 2>&1
done
H run -d --name c50 --network none localhost/husk-test/busybox sleep 1000 >/dev/null
P run -d --name c50 --network none "${PODMAN_RUN[@]}" localhost/husk-test/busybox sleep 1000 >/dev/null 2>&1
# shellcheck disable=SC2046
report "rootless ps -a (50)" $(median_ms "${HUSK[@]}" ps -a --- "${PODMAN[@]}" ps -a) "<= 0.1"
