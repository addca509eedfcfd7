#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The network section of the benchmarks (issue 13), rootful: husk's bridge
# networks against podman's (netavark, chosen explicitly: this machine's
# podman would otherwise pick CNI) and against the floor, the same setup
# done with bare `ip` commands, in one run, printed as medians and ratios;
# then a correctness run of 20 parallel containers on one network.
#
#   bash bench/network.sh [RUNS]        (as root; bench/run.sh calls it)
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-15}
HUSK_BIN=${HUSK_BIN:-$PWD/build/husk}
IMAGES=${IMAGES:-$PWD/build/test-images}
PAR=${BENCH_PARALLEL:-20}

tmp=$(mktemp -d /var/tmp/husk-bench-net.XXXXXX)
tag=hb$$ # names of this run's networks, bridges and namespaces
mkdir "$tmp/bin"
for b in husk husk-monitor husk-netconf; do cp "$(dirname "$HUSK_BIN")/$b" "$tmp/bin/"; done
HUSK=("$tmp/bin/husk" --root "$tmp/husk" --runroot "$tmp/husk-run" --storage-driver overlay --runtime crun)
PODMAN=(podman --root "$tmp/podman" --runroot "$tmp/podman-run" --storage-driver overlay --network-backend netavark)
H() { "${HUSK[@]}" "$@"; }
P() { "${PODMAN[@]}" "$@"; }
cleanup() {
    H rm -a -f -t 0 >/dev/null 2>&1 || true
    P rm -a -f -t 0 >/dev/null 2>&1 || true
    for n in "$tag-par" "$tag-cyc"; do
        H network rm -f "$n" >/dev/null 2>&1 || true
        P network rm -f "$n" >/dev/null 2>&1 || true
    done
    H system reset -f >/dev/null 2>&1 || true
    P system reset -f >/dev/null 2>&1 || true
    ip link del "${tag}br" 2>/dev/null || true
    ip netns del "${tag}ns" 2>/dev/null || true
    rm -rf "$tmp"
}
trap cleanup EXIT
cc -O2 -o "$tmp/timeit" bench/timeit.c
median_ms() { "$tmp/timeit" "$RUNS" "$@"; }
H load -q -i "$IMAGES/busybox.docker.tar" >/dev/null
P load -q -i "$IMAGES/busybox.docker.tar" >/dev/null 2>&1
IMG=localhost/husk-test/busybox

# free_subnet: a 10.231.N.0/24 no route of the host's covers yet.
free_subnet() {
    local n
    for n in $(shuf -i 10-250); do
        ip -4 route show | grep -q "^10\.231\.$n\." || { echo "10.231.$n"; return; }
    done
    echo "bench: no free 10.231.N.0/24" >&2; exit 1
}

# ---- run --rm on the default bridge ----------------------------------------
# podman's ulimit defaults can exceed this machine's hard limits.
PODMAN_RUN=(--runtime crun --ulimit nofile=1024:1024 --ulimit nproc=4096:4096)
# The floor: what a bridge network adds to a container, done by hand on a
# bridge that exists already (as the default network's does after the first
# container): a namespace, a veth pair into it, the host end on the bridge,
# the address, the route; then all of it torn down.  No firewall rules
# (husk's masquerade is per network, made once).
fl=$(free_subnet)
ip link add "${tag}br" type bridge
ip addr add "$fl.1/24" dev "${tag}br"
ip link set "${tag}br" up
cat >"$tmp/floor.sh" <<EOF
ip netns add ${tag}ns
ip link add ${tag}v type veth peer name eth0 netns ${tag}ns
ip link set ${tag}v master ${tag}br up
ip -n ${tag}ns link set lo up
ip -n ${tag}ns addr add $fl.2/24 dev eth0
ip -n ${tag}ns link set eth0 up
ip -n ${tag}ns route add default via $fl.1
ip link del ${tag}v
ip netns del ${tag}ns
EOF
echo "bench: network (rootful; podman with netavark), median of $RUNS runs each"
export TIMEIT_SETTLE_MS=150
# shellcheck disable=SC2207
m=($(median_ms "${HUSK[@]}" run --rm "$IMG" true \
    --- "${HUSK[@]}" run --rm --network none "$IMG" true \
    --- "${PODMAN[@]}" run --rm "${PODMAN_RUN[@]}" "$IMG" true \
    --- sh -e "$tmp/floor.sh"))
unset TIMEIT_SETTLE_MS
awk -v h="${m[0]}" -v n="${m[1]}" -v p="${m[2]}" -v f="${m[3]}" 'BEGIN {
    printf "%-28s husk %9.2f ms  podman %9.2f ms  ratio %6.3f  (target <= 0.15)\n", "run --rm, default bridge", h, p, h / p
    printf "%-28s husk %9.2f ms  none   %9.2f ms  ratio %6.3f  (target <= 1.5 x husk --network none)\n", "", h, n, h / n
    printf "%-28s bridge - none %6.2f ms  floor (ip netns+veth+addr, teardown) %6.2f ms\n", "", h - n, f }'

# ---- network create + rm ---------------------------------------------------
cyc=$(free_subnet)
# shellcheck disable=SC2046
awk -v r="$(median_ms sh -ec "\"\$0\" \"\$@\" network create --subnet $cyc.0/24 $tag-cyc >/dev/null; \"\$0\" \"\$@\" network rm $tag-cyc >/dev/null" "${HUSK[@]}" \
    --- sh -ec "\"\$0\" \"\$@\" network create --subnet $cyc.0/24 $tag-cyc >/dev/null; \"\$0\" \"\$@\" network rm $tag-cyc >/dev/null" "${PODMAN[@]}" \
    | paste -sd' ')" 'BEGIN { split(r, m, " ")
    printf "%-28s husk %9.2f ms  podman %9.2f ms  ratio %6.3f  (target <= 0.2)\n", "network create + rm", m[1], m[2], m[1] / m[2] }'

# ---- 20 parallel run -d on one network, then rm -f of all ------------------
# Checks: 20 distinct addresses in the subnet; after rm -f no veth is left
# on the network's bridge, no address in husk's nft table / podman's
# iptables rules or in the DNS files; after network rm the bridge is gone
# and the subnet is out of the firewall.  Prints PASS or FAIL with why.
par_check() { # engine-fn name
    local e=$1 name=$2 net=$tag-par sub br ok=PASS why="" s t1 t2 i addrs fw
    sub=$(free_subnet)
    "$e" network create --subnet "$sub.0/24" "$net" >/dev/null
    s=$(date +%s%N)
    for ((i = 1; i <= PAR; i++)); do
        if [ "$e" = P ]; then
            P run -d --name "$tag-$i" --network "$net" "${PODMAN_RUN[@]}" "$IMG" sleep 1000 >"$tmp/par-$i" 2>&1 &
        else
            H run -d --name "$tag-$i" --network "$net" "$IMG" sleep 1000 >"$tmp/par-$i" 2>&1 &
        fi
    done
    wait
    t1=$(date +%s%N)
    addrs=$(for ((i = 1; i <= PAR; i++)); do
        "$e" inspect --format '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}' "$tag-$i" 2>/dev/null || echo missing
    done)
    br=$("$e" network inspect --format '{{.NetworkInterface}}' "$net")
    s2=$(date +%s%N)
    # shellcheck disable=SC2046
    "$e" rm -f -t 0 $(for ((i = 1; i <= PAR; i++)); do echo "$tag-$i"; done) >/dev/null 2>"$tmp/rm-err" \
        || { ok=FAIL; why+=" rm -f failed: $(head -c 200 "$tmp/rm-err");"; }
    t2=$(date +%s%N)
    [ "$(echo "$addrs" | grep -c "^$sub\.")" = "$PAR" ] \
        || { ok=FAIL; why+=" $(echo "$addrs" | grep -vc "^$sub\.") of $PAR without an address ($(head -c 200 "$tmp/par-1"));"; }
    [ -z "$(echo "$addrs" | sort | uniq -d)" ] || { ok=FAIL; why+=" duplicate addresses: $(echo "$addrs" | sort | uniq -d | paste -sd' ');"; }
    # husk leaves a removed container's veth to go with its namespace, in
    # the kernel's own time: allow it 2 s (outside the timed part).
    for ((w = 0; w < 20; w++)); do
        [ -z "$(ip -o link show master "$br" 2>/dev/null)" ] && break
        sleep 0.1
    done
    [ -z "$(ip -o link show master "$br" 2>/dev/null)" ] \
        || { ok=FAIL; why+=" links left on $br: $(ip -o link show master "$br" | wc -l);"; }
    if [ "$e" = H ]; then fw=$(nft list table ip husk 2>/dev/null; cat /run/husk-net/aardvark-dns/* 2>/dev/null || true)
    else fw=$(iptables-save 2>/dev/null; cat /run/containers/networks/aardvark-dns/* 2>/dev/null || true); fi
    for a in $addrs; do
        if echo "$fw" | grep -qw "${a//./\\.}"; then ok=FAIL; why+=" $a still in the firewall or DNS;"; break; fi
    done
    "$e" network rm "$net" >/dev/null 2>&1 || { ok=FAIL; why+=" network rm failed;"; }
    ! ip link show "$br" >/dev/null 2>&1 || { ok=FAIL; why+=" bridge $br left;"; }
    if [ "$e" = H ]; then fw=$(nft list table ip husk 2>/dev/null || true); else fw=$(iptables-save 2>/dev/null || true); fi
    ! echo "$fw" | grep -q "$sub\.0/24" || { ok=FAIL; why+=" $sub.0/24 still in the firewall;"; }
    awk -v n="$name" -v ok="$ok" -v a="$(( (t1 - s) / 1000 ))" -v b="$(( (t2 - s2) / 1000 ))" -v w="$why" -v k="$PAR" 'BEGIN {
        printf "%-28s %-6s %s  %d x run -d %8.1f ms, rm -f of all %8.1f ms%s\n", "parallel run -d (" k ")", n, ok, k, a / 1000, b / 1000, (w ? "\n    " w : "") }'
}
par_check H husk
par_check P podman
