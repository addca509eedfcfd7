#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# network create --opt vlan=N, as netavark: the bridge filters by VLAN,
# each container's port is in VLAN N only (its PVID, untagged) and so is
# the bridge itself (the gateway's address).  Rootless the same, in the
# rootless network namespace.

load helpers

setup() {
    container_setup
}

teardown() {
    local n
    for n in $(husk network ls -q --filter name=^t227 2>/dev/null); do
        husk network rm -f -t 0 "$n" >/dev/null 2>&1 || true
    done
    container_teardown
}

# Run a command where the bridges are: the host, or rootless the
# rootless network namespace.
on_bridges() {
    if is_rootless; then husk unshare --rootless-netns "$@"; else "$@"; fi
}

# Whether this kernel filters VLANs on bridges (CONFIG_BRIDGE_VLAN_FILTERING).
kernel_has_vlan_filtering() {
    local probe="ip link add t227probe type bridge vlan_filtering 1 && ip link del t227probe"
    if is_rootless; then unshare -rn sh -c "$probe"; else sh -c "$probe"; fi 2>/dev/null
}

@test "network vlan: without VLAN filtering in the kernel a start fails clearly" {
    if kernel_has_vlan_filtering; then skip "the kernel has VLAN filtering"; fi
    husk network create --opt vlan=42 t227k >/dev/null
    run_husk 125 run --rm --network t227k busybox true
    assert_output_contains "vlan= needs VLAN filtering on bridges, which this kernel lacks"
}

@test "network vlan: containers of a vlan=N network reach each other and the gateway in VLAN N only" {
    kernel_has_vlan_filtering || skip "the kernel lacks VLAN filtering on bridges"
    husk network create --opt vlan=42 t227v >/dev/null
    run_husk network inspect --format '{{index .Options "vlan"}}' t227v
    assert_output_is 42
    local br gw id ip1
    br=$(husk network inspect --format '{{.NetworkInterface}}' t227v)
    gw=$(husk network inspect --format '{{(index .Subnets 0).Gateway}}' t227v)
    husk run -d --name c1 --network t227v busybox sleep 100 >/dev/null
    id=$(husk inspect --format '{{.Id}}' c1)
    ip1=$(husk inspect --format '{{.NetworkSettings.Networks.t227v.IPAddress}}' c1)
    run_husk run --rm --cap-add NET_RAW --network t227v busybox sh -c \
        "ping -c1 -W3 $ip1 >/dev/null && ping -c1 -W3 $gw >/dev/null && echo reached"
    assert_output_is reached

    run on_bridges ip -d link show "$br"
    [ "$status" -eq 0 ]
    assert_output_contains "vlan_filtering 1"
    # the port: VLAN 42 as PVID, untagged, and not in VLAN 1
    run on_bridges bridge -d vlan show dev "huskv${id:0:10}"
    [ "$status" -eq 0 ]
    echo "$output" | grep -Eq "\b42\b.*PVID.*Egress Untagged" || {
        echo "port not in VLAN 42 as untagged PVID: $output"; false; }
    echo "$output" | grep -Eq "(^|[[:space:]])1([[:space:]]|$)" && {
        echo "port still in VLAN 1: $output"; false; }
    # the bridge itself
    run on_bridges bridge -d vlan show dev "$br"
    [ "$status" -eq 0 ]
    echo "$output" | grep -Eq "\b42\b.*PVID.*Egress Untagged" || {
        echo "bridge not in VLAN 42 as untagged PVID: $output"; false; }
    echo "$output" | grep -Eq "(^|[[:space:]])1([[:space:]]|$)" && {
        echo "bridge still in VLAN 1: $output"; false; }
    true
}

@test "network vlan: a network without vlan= does no VLAN filtering" {
    husk network create t227n >/dev/null
    local br
    br=$(husk network inspect --format '{{.NetworkInterface}}' t227n)
    husk run -d --name n1 --network t227n busybox sleep 100 >/dev/null
    run on_bridges ip -d link show "$br"
    [ "$status" -eq 0 ]
    assert_output_contains "vlan_filtering 0"
}

@test "network vlan: a vlan outside 1..4094 is refused" {
    local v
    for v in 0 4095 -3 abc 7x ""; do
        run_husk 125 network create -o "vlan=$v" t227x
        assert_output_contains "invalid vlan \"$v\": want 1 to 4094"
    done
    run_husk 1 network exists t227x
}
