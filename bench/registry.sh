#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The registry section of the benchmarks (issue 12): pull and push of husk
# against podman and against the floor (skopeo, which moves the same bytes
# but keeps no store), on the local TLS + htpasswd registry of the tests
# (tests/registry/registry.sh), in one run, printed as medians and ratios.
#
#   bash bench/registry.sh [RUNS]        (as root; bench/run.sh calls it)
#
# Two images: busybox (one small layer, as the fixture pushes it) and a
# five-layer image with 100 MB of incompressible data (bench/mkbig5.py,
# BENCH_BIG_MB), the one issue 12's targets name.  The pulls and pushes run
# engine after engine in each round (husk, podman, skopeo, husk, ...), each
# into a fresh store, so that drift of the machine hits all three alike.
# Rounds: RUNS for busybox, BENCH_BIG_RUNS (default 5) for the big image.
set -euo pipefail
cd "$(dirname "$0")/.."
# podman and skopeo remember where each blob went in one file for all of
# root (/var/lib/containers/cache/blob-info-cache-v1.boltdb) and mount it
# from there into a new repository instead of uploading: a push to an empty
# repository would then move nothing, against a husk with a fresh store that
# uploads.  So this runs in a mount namespace of its own with that
# directory emptied before every timed command (husk mounts only from the
# repositories its image came from, which a loaded image has none of).
if [ -z "${BENCH_REG_NS:-}" ]; then
    exec unshare -m --propagation private env BENCH_REG_NS=1 bash "$0" "$@"
fi
RUNS=${1:-15}
BIG_RUNS=${BENCH_BIG_RUNS:-5}
BIG_MB=${BENCH_BIG_MB:-100}
HUSK_BIN=${HUSK_BIN:-$PWD/build/husk}
IMAGES=${IMAGES:-$PWD/build/test-images}
for c in podman skopeo docker-registry htpasswd /usr/bin/time; do
    command -v "$c" >/dev/null || { echo "bench: $c is not installed" >&2; exit 1; }
done

tmp=$(mktemp -d /var/tmp/husk-bench-reg.XXXXXX)
reg=$tmp/registry
cleanup() {
    unmount_under "$tmp"
    HUSK_IMAGES=$IMAGES tests/registry/registry.sh stop "$reg" >/dev/null 2>&1 || true
    rm -rf "$tmp"
}
# Whatever an engine left mounted below DIR (nothing, normally).
unmount_under() {
    findmnt -rn -o TARGET | awk -v d="$1/" 'index($0, d) == 1' | sort -r | xargs -r umount -l 2>/dev/null || true
}
trap cleanup EXIT
mkdir "$tmp/bin"
cp "$HUSK_BIN" "$(dirname "$HUSK_BIN")/husk-monitor" "$(dirname "$HUSK_BIN")/husk-registry" "$tmp/bin/"
HUSK_BIN=$tmp/bin/husk
mkdir -p "$tmp/bic" /var/lib/containers/cache
mount --bind "$tmp/bic" /var/lib/containers/cache
cc -O2 -o "$tmp/timeit" bench/timeit.c

echo "bench: registry: starting the test registry and pushing the test images"
HUSK_IMAGES=$IMAGES tests/registry/registry.sh start "$reg" >/dev/null
# shellcheck disable=SC1091
. "$reg/env"
REG=$HUSK_REG_TLS
CREDS=$HUSK_REG_USER:$HUSK_REG_PASS
python3 bench/mkbig5.py "$IMAGES/rootfs.tar" "$tmp/big5.docker.tar" "$BIG_MB"
skopeo copy -q --dest-creds "$CREDS" "docker-archive:$tmp/big5.docker.tar" \
    "docker://$REG/bench/big5:latest" >/dev/null

# Each engine with a store of its own under DIR.
H() { local d=$1; shift; "$HUSK_BIN" --root "$d/root" --runroot "$d/run" --storage-driver overlay "$@"; }
P() { local d=$1; shift; podman --root "$d/root" --runroot "$d/run" --storage-driver overlay "$@"; }

# measure OUT CMD...: run CMD once, append "ms peak-RSS-kB" to OUT.  The
# peak is the largest process's (GNU time: husk's husk-registry child
# counts; podman and skopeo pull in-process).
measure() {
    local out=$1 s e; shift
    case $1 in # the engine functions, spelt out for time(1)
        H) set -- "$HUSK_BIN" --root "$2/root" --runroot "$2/run" --storage-driver overlay "${@:3}" ;;
        P) set -- podman --root "$2/root" --runroot "$2/run" --storage-driver overlay "${@:3}" ;;
    esac
    rm -f "$tmp"/bic/*
    s=$(date +%s%N)
    /usr/bin/time -f %M -o "$tmp/rss" "$@" >/dev/null 2>"$tmp/err" \
        || { echo "bench: failed: $*" >&2; cat "$tmp/err" >&2; exit 1; }
    e=$(date +%s%N)
    echo "$(( (e - s) / 1000 )) $(tail -n 1 "$tmp/rss")" >>"$out"
}
# stats FILE: "median-ms max-peak-kB" of measure's lines.
stats() {
    sort -n "$1" | awk '{ t[NR] = $1 / 1000; if ($2 > m) m = $2 }
        END { n = NR; printf "%.2f %d\n", n % 2 ? t[(n + 1) / 2] : (t[n / 2] + t[n / 2 + 1]) / 2, m }'
}
report3() { # name husk podman floor target-podman [floor-name]
    awk -v n="$1" -v h="$2" -v p="$3" -v f="$4" -v t="$5" -v fn="${6:-skopeo}" 'BEGIN {
        printf "%-28s husk %9.2f ms  podman %9.2f ms  ratio %6.3f  (target %s)\n", n, h, p, h / p, t
        printf "%-28s husk %9.2f ms  %-6s %9.2f ms  ratio %6.3f  (x floor)\n", "", h, fn, f, h / f }'
}
peak() { # name husk-kB podman-kB skopeo-kB target
    awk -v n="$1" -v h="$2" -v p="$3" -v s="$4" -v t="$5" 'BEGIN {
        printf "%-28s husk %6.1f MB  podman %6.1f MB  skopeo %6.1f MB  (target %s)\n", n, h / 1024, p / 1024, s / 1024, t }'
}

# pull_fresh NAME REF ROUNDS TARGET: pull into an empty store, in turn.
pull_fresh() {
    local name=$1 ref=$2 rounds=$3 target=$4 r e d
    rm -f "$tmp"/pull-*
    for ((r = 0; r <= rounds; r++)); do # round 0 warms up
        for e in husk podman skopeo; do
            d=$tmp/s-$e; rm -rf "$d"; mkdir -p "$d"
            case $e in
                husk) measure "$tmp/pull-$e" H "$d" pull -q --creds "$CREDS" "$REG/$ref" ;;
                podman) measure "$tmp/pull-$e" P "$d" pull -q --creds "$CREDS" "$REG/$ref" ;;
                skopeo) measure "$tmp/pull-$e" skopeo copy -q --src-creds "$CREDS" "docker://$REG/$ref" "dir:$d/dir" ;;
            esac
            [ "$r" = 0 ] && : >"$tmp/pull-$e"
            unmount_under "$d"; rm -rf "$d"
        done
    done
    local h p s
    read -r -a h < <(stats "$tmp/pull-husk")
    read -r -a p < <(stats "$tmp/pull-podman")
    read -r -a s < <(stats "$tmp/pull-skopeo")
    report3 "$name" "${h[0]}" "${p[0]}" "${s[0]}" "$target" "skopeo"
    peak "  peak RSS of that pull" "${h[1]}" "${p[1]}" "${s[1]}" "${5:-none named}"
}

# push_new NAME IMAGE-TAR REF-IN-STORE ROUNDS TARGET: load the archive into
# a fresh store (untimed), push it to a repository no one pushed to.
push_new() {
    local name=$1 tar=$2 ref=$3 rounds=$4 target=$5 r e d repo
    rm -f "$tmp"/push-*
    for ((r = 0; r <= rounds; r++)); do
        for e in husk podman skopeo; do
            d=$tmp/s-$e; rm -rf "$d"; mkdir -p "$d"
            repo=$REG/bench/push-$e-$RANDOM-$r:latest
            case $e in
                husk) H "$d" load -q -i "$tar" >/dev/null
                      measure "$tmp/push-$e" H "$d" push -q --creds "$CREDS" "$ref" "$repo" ;;
                podman) P "$d" load -q -i "$tar" >/dev/null 2>&1
                        measure "$tmp/push-$e" P "$d" push -q --creds "$CREDS" "$ref" "$repo" ;;
                skopeo) measure "$tmp/push-$e" skopeo copy -q --dest-creds "$CREDS" "docker-archive:$tar" "docker://$repo" ;;
            esac
            [ "$r" = 0 ] && : >"$tmp/push-$e"
            unmount_under "$d"; rm -rf "$d"
        done
    done
    report3 "$name" "$(stats "$tmp/push-husk" | cut -d' ' -f1)" "$(stats "$tmp/push-podman" | cut -d' ' -f1)" \
        "$(stats "$tmp/push-skopeo" | cut -d' ' -f1)" "$target" "skopeo"
}

# pull_present NAME REF TARGET: pull again what the store has (timeit).
pull_present() {
    local name=$1 ref=$2 target=$3
    rm -rf "$tmp/sh" "$tmp/sp"
    H "$tmp/sh" pull -q --creds "$CREDS" "$REG/$ref" >/dev/null
    P "$tmp/sp" pull -q --creds "$CREDS" "$REG/$ref" >/dev/null 2>&1
    # shellcheck disable=SC2046
    awk -v n="$name" -v t="$target" -v r="$(
        "$tmp/timeit" "$RUNS" "$HUSK_BIN" --root "$tmp/sh/root" --runroot "$tmp/sh/run" --storage-driver overlay \
            pull -q --creds "$CREDS" "$REG/$ref" \
        --- podman --root "$tmp/sp/root" --runroot "$tmp/sp/run" --storage-driver overlay \
            pull -q --creds "$CREDS" "$REG/$ref" | paste -sd' ')" 'BEGIN {
        split(r, m, " ")
        printf "%-28s husk %9.2f ms  podman %9.2f ms  ratio %6.3f  (target %s)\n", n, m[1], m[2], m[1] / m[2], t }'
    H "$tmp/sh" system reset -f >/dev/null 2>&1 || true
    P "$tmp/sp" system reset -f >/dev/null 2>&1 || true
    unmount_under "$tmp/sh"; unmount_under "$tmp/sp"
}

echo "bench: registry (TLS + htpasswd on 127.0.0.1), median of $RUNS rounds (big image: $BIG_RUNS)"
pull_fresh "pull busybox, empty store" library/busybox:latest "$RUNS" "none named" "none named"
pull_present "pull busybox, present" library/busybox:latest "none named"
push_new "push busybox, new repo" "$IMAGES/busybox.docker.tar" localhost/husk-test/busybox "$RUNS" "none named"
pull_fresh "pull big5 ${BIG_MB}MB, empty" bench/big5:latest "$BIG_RUNS" "<= 0.5" "<= 64 MB"
pull_present "pull big5, layers present" bench/big5:latest "<= 0.1"
push_new "push big5, new repo" "$tmp/big5.docker.tar" localhost/husk-bench/big5 "$BIG_RUNS" "<= 0.7"
