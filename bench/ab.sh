#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Interleaved A/B of `run --rm --network none IMAGE true` between two builds
# of husk, with a bare `crun run` of the same rootfs and spec as the floor:
#
#   bash bench/ab.sh OLD_DIR NEW_DIR [RUNS]     (as root)
#
# Each DIR holds a husk and the husk-monitor it runs (husk finds the monitor
# next to itself, so a copied pair really swaps both).  The three commands
# are timed in turn (A B C A B C ...) after 150 ms of rest each
# (bench/timeit.c), so that a machine busy with other work slows all three
# alike: compare the medians of one run, and each to the floor.
set -euo pipefail
cd "$(dirname "$0")/.."
OLD=$1 NEW=$2 RUNS=${3:-31}
IMAGES=${IMAGES:-$PWD/build/test-images}
# AB_TMP: where the stores and the bare runtime's root go (default /var/tmp;
# a tmpfs such as /dev/shm takes the disk's noise out, and its fsyncs).
tmp=$(mktemp -d "${AB_TMP:-/var/tmp}/husk-ab.XXXXXX")
for d in old new; do
    mkdir "$tmp/$d"
    src=$OLD; [ "$d" = new ] && src=$NEW
    cp "$src/husk" "$src/husk-monitor" "$tmp/$d/"
done
# Each build has its own store (a newer schema is refused by an older husk).
H() { local d=$1; shift; "$tmp/$d/husk" --root "$tmp/$d/store" --runroot "$tmp/$d/run" --storage-driver overlay "$@"; }
cleanup() {
    for d in old new; do
        H "$d" rm -a -f -t 0 >/dev/null 2>&1 || true
        H "$d" system reset -f >/dev/null 2>&1 || true
    done
    rm -rf "$tmp"
}
trap cleanup EXIT
for d in old new; do H "$d" load -i "$IMAGES/busybox.docker.tar" >/dev/null; done
cc -O2 -o "$tmp/timeit" bench/timeit.c

mkdir -p "$tmp/bundle/rootfs"
tar -C "$tmp/bundle/rootfs" -xf "$IMAGES/rootfs.tar"
H old --runtime crun run -d --name spec-src --network none localhost/husk-test/busybox sleep 1000 >/dev/null
id=$(H old inspect --format '{{.Id}}' spec-src)
jq --arg r "$tmp/bundle/rootfs" '.root.path = $r | .process.args = ["true"] | .process.terminal = false
    | .linux.cgroupsPath = "/husk-ab" | .mounts |= map(select(.type != "bind"))' \
    "$tmp/old/store/containers/$id/config.json" > "$tmp/bundle/config.json"
H old rm -f -t 0 spec-src >/dev/null

args=(--storage-driver overlay --runtime crun run --rm --network none localhost/husk-test/busybox true)
export TIMEIT_SETTLE_MS=${TIMEIT_SETTLE_MS:-150} TIMEIT_RAW=$tmp/raw
"$tmp/timeit" "$RUNS" "$tmp/old/husk" --root "$tmp/old/store" --runroot "$tmp/old/run" "${args[@]}" \
    --- "$tmp/new/husk" --root "$tmp/new/store" --runroot "$tmp/new/run" "${args[@]}" \
    --- crun --root "$tmp/crun-root" run --bundle "$tmp/bundle" ab-crun |
    { read -r a; read -r b; read -r f
      awk -v a="$a" -v b="$b" -v f="$f" 'BEGIN {
        printf "old %.2f ms (%.3f x crun)  new %.2f ms (%.3f x crun)  crun %.2f ms  new-old %+.2f ms\n",
               a, a / f, b, b / f, f, b - a }'; }
# Round by round: the median of new - old, and its quartiles.
awk '{ print $2 - $1 }' "$tmp/raw" | sort -n | awk '{ d[NR] = $1 } END {
    printf "paired new-old: median %+.2f ms, quartiles %+.2f %+.2f ms, new faster in %d of %d rounds\n",
           d[int((NR + 1) / 2)], d[int((NR + 3) / 4)], d[int((3 * NR + 1) / 4)], neg(), NR }
    function neg(  i, k) { k = 0; for (i = 1; i <= NR; i++) if (d[i] < 0) k++; return k }'
