#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Benchmarks of husk against podman on this machine, in one run, printed as
# ratios (husk / podman; lower is better).  Never part of `make check`:
# timings are facts about a machine, not pass/fail criteria.
#
#   bash bench/run.sh [RUNS] [SECTION...]   (as root; needs `make build images`)
#
# SECTIONs: images containers rootless registry network (default: all, in
# that order; or BENCH_SECTIONS="..."), so that one can be run again alone,
# e.g. `bash bench/run.sh 5 network`.  rootless compares with the rootful
# run --rm of containers when that ran too.
# Each case runs RUNS times (default 15) after one warm-up; the median wall
# time is compared.  Both engines get private stores under one temporary
# directory, with the same storage driver (overlay).
set -euo pipefail
cd "$(dirname "$0")/.."
# RUNS may be left out before the sections (`bash bench/run.sh network`).
RUNS=15
if [[ "${1:-}" =~ ^[0-9]+$ ]]; then RUNS=$1; shift; fi
ALL_SECTIONS="images containers rootless registry network"
# shellcheck disable=SC2206
SECTIONS=(${*:-${BENCH_SECTIONS:-$ALL_SECTIONS}})
for s in "${SECTIONS[@]}"; do
    [[ " $ALL_SECTIONS " == *" $s "* ]] || { echo "bench: no section $s (one of: $ALL_SECTIONS)" >&2; exit 2; }
done
want() { [[ " ${SECTIONS[*]} " == *" $1 "* ]]; }
# BENCH_ROOTLESS=0 (older spelling) leaves rootless out.
[ "${BENCH_ROOTLESS:-1}" = 1 ] || SECTIONS=("${SECTIONS[@]/rootless/}")
HUSK_BIN=${HUSK_BIN:-$PWD/build/husk}
IMAGES=${IMAGES:-$PWD/build/test-images}
command -v podman >/dev/null || { echo "bench: podman is not installed (apt-get install podman)" >&2; exit 1; }
[ -x "$HUSK_BIN" ] || { echo "bench: build husk first (make build images)" >&2; exit 1; }

tmp=$(mktemp -d /var/tmp/husk-bench.XXXXXX)
cleanup() {
    podman --root "$tmp/podman" --runroot "$tmp/podman-run" system reset -f >/dev/null 2>&1 || true
    "$HUSK_BIN" --root "$tmp/husk" --runroot "$tmp/husk-run" system reset -f >/dev/null 2>&1 || true
    rm -rf "$tmp"
}
trap cleanup EXIT
# A private copy, so that a rebuild during the run cannot disturb it.
# husk finds husk-monitor, husk-registry and husk-netconf next to itself,
# so all are copied; the sections in scripts of their own get this copy.
mkdir "$tmp/bin"
for b in husk husk-monitor husk-registry husk-netconf; do cp "$(dirname "$HUSK_BIN")/$b" "$tmp/bin/"; done
HUSK_BIN=$tmp/bin/husk
export HUSK_BIN IMAGES
HUSK=("$HUSK_BIN" --root "$tmp/husk" --runroot "$tmp/husk-run" --storage-driver overlay)
PODMAN=(podman --root "$tmp/podman" --runroot "$tmp/podman-run" --storage-driver overlay)
H() { "${HUSK[@]}" "$@"; }
P() { "${PODMAN[@]}" "$@"; }

# median_ms CMD... [--- CMD...]...: median wall time of RUNS runs after one
# warm-up, in milliseconds, timed by bench/timeit.c (posix_spawn and
# CLOCK_MONOTONIC; a shell loop around `date` added about 5 ms of its own
# forks to every sample, which flattered no one but blurred the ratios).
cc -O2 -o "$tmp/timeit" bench/timeit.c
median_ms() { "$tmp/timeit" "$RUNS" "$@"; }

report() { # name husk_ms podman_ms target
    awk -v n="$1" -v h="$2" -v p="$3" -v t="$4" 'BEGIN {
        r = h / p; printf "%-28s husk %9.2f ms  podman %9.2f ms  ratio %6.3f  (target %s)\n", n, h, p, r, t }'
}

# A container case against both references: podman, and the bare runtime
# doing the same thing by itself (the floor husk adds its own cost to).
report2() { # name husk_ms podman_ms floor_ms target_podman target_floor
    awk -v n="$1" -v h="$2" -v p="$3" -v f="$4" -v tp="$5" -v tf="$6" 'BEGIN {
        printf "%-28s husk %9.2f ms  podman %9.2f ms  ratio %6.3f  (target %s)\n", n, h, p, h / p, tp
        printf "%-28s husk %9.2f ms  crun   %9.2f ms  ratio %6.3f  (target %s)\n", "", h, f, h / f, tf }'
}

if want images || want containers; then
    H load -i "$IMAGES/busybox.docker.tar" >/dev/null
    P load -i "$IMAGES/busybox.docker.tar" >/dev/null 2>&1
fi

# ---- images -----------------------------------------------------------------
if want images; then
echo "bench: preparing 50 images in each store"
for i in $(seq 1 50); do
    H import --change "LABEL n=$i" "$IMAGES/rootfs.tar" "bench/img$i" >/dev/null
    P import --change "LABEL n=$i" "$IMAGES/rootfs.tar" "bench/img$i" >/dev/null 2>&1
done

echo "bench: median of $RUNS runs each"
# shellcheck disable=SC2046
report "images (51 images)" $(median_ms "${HUSK[@]}" images --- "${PODMAN[@]}" images) "<= 0.1"
# shellcheck disable=SC2046
report "image inspect" $(median_ms "${HUSK[@]}" image inspect localhost/husk-test/busybox \
    --- "${PODMAN[@]}" image inspect localhost/husk-test/busybox) "<= 0.1"

sh tests/images/build.sh --big "$tmp/big" 100 >/dev/null
time_load() { # engine-fn: median of 5 loads, each into a store without the image
    local times=() i s e
    for ((i = 0; i < 5; i++)); do
        "$1" rmi -f localhost/husk-test/big >/dev/null 2>&1 || true
        s=$(date +%s%N); "$1" load -i "$tmp/big/big.docker.tar" >/dev/null 2>&1; e=$(date +%s%N)
        times+=($(( (e - s) / 1000 )))
    done
    printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {printf "%.2f", a[3]/1000}'
}
report "load 100 MB docker-archive" "$(time_load H)" "$(time_load P)" "<= 1.0"
fi

run_h=

# ---- containers -----------------------------------------------------------
if want containers; then
echo "bench: containers, median of $RUNS runs each"
# Both rootful, crun, --network none.  podman needs its ulimits inside this
# machine's hard limits (it does not clamp them, see ENVIRONMENT.md).
PODMAN_RUN=(--network none --runtime crun --ulimit nofile=1024:1024 --ulimit nproc=4096:4096)
HC=("${HUSK[@]}" --runtime crun)
H rm -a -f -t 0 >/dev/null 2>&1 || true

# The floor: bare crun on the same rootfs, with husk's own spec for it.
mkdir -p "$tmp/bundle/rootfs"
tar -C "$tmp/bundle/rootfs" -xf "$IMAGES/rootfs.tar"
"${HC[@]}" run -d --name spec-src --network none localhost/husk-test/busybox sleep 1000 >/dev/null
spec_id=$(H inspect --format '{{.Id}}' spec-src)
jq --arg r "$tmp/bundle/rootfs" '.root.path = $r | .process.args = ["true"] | .process.terminal = false
    | .linux.cgroupsPath = "/husk-bench" | .mounts |= map(select(.type != "bind"))' \
    "$tmp/husk/containers/$spec_id/config.json" > "$tmp/bundle/config.json"
# husk, podman and the floor in turn, so that the machine's drift during
# the run (a VM's speed moves by 10-30 % over minutes) cannot skew a ratio,
# each after 150 ms of rest: what a command leaves running in the
# background (husk's monitor deleting the runtime's record, conmon exiting)
# would otherwise slow whichever command comes next (measured: a bare crun
# run right after a husk run --rm took 31 ms instead of 27).
export TIMEIT_SETTLE_MS=150
# shellcheck disable=SC2207
m=($(median_ms "${HC[@]}" run --rm --network none localhost/husk-test/busybox true \
    --- "${PODMAN[@]}" run --rm "${PODMAN_RUN[@]}" localhost/husk-test/busybox true \
    --- crun --root "$tmp/crun-root" run --bundle "$tmp/bundle" bench-crun))
run_h=${m[0]}
report2 "run --rm IMAGE true" "${m[@]}" "<= 0.15" "<= 1.6 (husk / crun run)"

P run -d --name spec-src "${PODMAN_RUN[@]}" localhost/husk-test/busybox sleep 1000 >/dev/null 2>&1
# shellcheck disable=SC2046
report2 "exec CTR true" $(median_ms "${HUSK[@]}" exec spec-src true \
    --- "${PODMAN[@]}" exec spec-src true \
    --- crun --root "$tmp/husk-run/runtime" exec "$spec_id" true) \
    "<= 0.2" "<= 1.3 (husk / crun exec)"
unset TIMEIT_SETTLE_MS

for i in $(seq 1 49); do
    H create --name "c$i" --network none localhost/husk-test/busybox true >/dev/null
    P create --name "c$i" "${PODMAN_RUN[@]}" localhost/husk-test/busybox true >/dev/null 2>&1
done
# shellcheck disable=SC2046
report "ps -a (50 containers)" $(median_ms "${HUSK[@]}" ps -a --- "${PODMAN[@]}" ps -a) "<= 0.1"

# Memory of the per-container monitor of an idle detached container.
pss() { awk '/^Pss:/ {print $2}' "/proc/$1/smaps_rollup"; }
husk_mon=$(H inspect --format '{{.State.ConmonPid}}' spec-src)
conmon_pid=$(P inspect --format '{{.State.ConmonPid}}' spec-src)
awk -v h="$(pss "$husk_mon")" -v c="$(pss "$conmon_pid")" 'BEGIN {
    printf "%-28s husk-monitor %6d kB  conmon %6d kB  ratio %6.3f  (target <= 0.5)\n", "monitor PSS (idle)", h, c, h / c }'
H rm -a -f -t 0 >/dev/null 2>&1 || true
P rm -a -f -t 0 >/dev/null 2>&1 || true
fi

# ---- rootless -------------------------------------------------------------
# The same engines as an unprivileged user (bench/rootless.sh), with the
# rootful run --rm figure above as the second reference.
if want rootless; then
    bash bench/rootless.sh "$RUNS" "$run_h"
fi

# ---- registry (issue 12) and network (issue 13) ---------------------------
# Each with its own stores and registry or networks (bench/registry.sh,
# bench/network.sh); run alone they build what they need the same way.
if want registry; then
    bash bench/registry.sh "$RUNS"
fi
if want network; then
    bash bench/network.sh "$RUNS"
fi
