#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# macvlan and ipvlan networks: network create -d macvlan|ipvlan (parent,
# mode, mtu; --subnet required; refused rootless), containers' links made
# on the parent in their namespace (they reach each other), no published
# ports, network rm leaves the parent alone, leases go with rm -f.  The
# parent is a dummy link of the test's own (a veth pair where the kernel
# has no dummy driver).

load helpers

setup() {
    container_setup
    is_rootless && return 0
    ip link del t226p0 2>/dev/null || true
    if ! ip link add t226p0 type dummy 2>/dev/null; then
        ip link add t226p0 type veth peer name t226p1
        ip link set t226p1 up
    fi
    ip link set t226p0 up
}

teardown() {
    local n
    for n in $(husk network ls -q --filter name=^t226- 2>/dev/null); do
        husk network rm -f -t 0 "$n" >/dev/null 2>&1 || true
    done
    container_teardown
    is_rootless || ip link del t226p0 2>/dev/null || true
}

leases_of() {
    sqlite3 -cmd ".timeout 60000" /var/lib/husk-net/ipam.db \
        "SELECT count(*) FROM leases WHERE network = '$1'"
}

# two NETWORK DRIVER: two containers on NETWORK reach each other, and
# their link is of DRIVER.
two() {
    husk run -d --name t226a --network "$1" busybox sleep 100 >/dev/null
    local ip pid
    ip=$(husk inspect --format "{{(index .NetworkSettings.Networks \"$1\").IPAddress}}" t226a)
    [ -n "$ip" ]
    run_husk run --rm --cap-add NET_RAW --network "$1" busybox \
        sh -c "ping -c1 -W3 $ip >/dev/null && echo pong"
    assert_output_is "pong"
    pid=$(husk inspect --format '{{.State.Pid}}' t226a)
    run nsenter -t "$pid" -n ip -d link show eth0
    assert_output_contains " $2 mode "
    [ "$(leases_of "$1")" = 1 ]
    run_husk rm -f -t 0 t226a
    [ "$(leases_of "$1")" = 0 ]
}

@test "macvlan: network create stores Podman's shape; ls --filter driver=" {
    skip_if_rootless "macvlan needs host interfaces (root)"
    run_husk network create -d macvlan -o parent=t226p0 -o mode=private -o mtu=1400 \
        --subnet 192.168.226.0/24 t226-mv
    run_husk network inspect --format '{{.Driver}} {{.NetworkInterface}} {{.DNSEnabled}} {{index .Options "mode"}}' t226-mv
    assert_output_is "macvlan t226p0 false private"
    run_husk network inspect t226-mv
    [[ "$output" != *'"parent"'* ]]
    assert_output_contains '"gateway": "192.168.226.1"'
    run_husk network ls --filter driver=macvlan --format '{{.Name}}'
    assert_output_contains "t226-mv"
    [[ "$output" != *husk* ]]
    # --interface-name names the parent too; --internal without --gateway has none
    run_husk network create -d ipvlan --interface-name t226p0 --internal \
        --subnet 192.168.227.0/24 t226-iv
    run_husk network inspect --format '{{.Driver}} {{.NetworkInterface}} {{.Internal}}' t226-iv
    assert_output_is "ipvlan t226p0 true"
    run_husk network inspect t226-iv
    [[ "$output" != *'"gateway"'* ]]
    # without a parent Podman keeps none: the default route's at start
    run_husk network create -d macvlan --subnet 192.168.228.0/24 t226-def
    run_husk network inspect --format '[{{.NetworkInterface}}]' t226-def
    assert_output_is "[]"
}

@test "macvlan: two containers reach each other; ports refused; reload, disconnect; rm leaves the parent" {
    skip_if_rootless "macvlan needs host interfaces (root)"
    run_husk network create -d macvlan -o parent=t226p0 --subnet 192.168.226.0/24 t226-mv
    two t226-mv macvlan
    run_husk 125 run --rm -p 8080:80 --network t226-mv busybox true
    assert_output_contains "port forwarding is not supported on macvlan networks"
    # the firewall has none of it
    husk run -d --name t226b --network t226-mv busybox sleep 100 >/dev/null
    run_husk network reload t226b
    run nft list set ip husk nets
    [[ "$output" != *192.168.226.* ]]
    run_husk network disconnect t226-mv t226b
    run_husk exec t226b cat /proc/net/dev
    [[ "$output" != *eth0* ]]
    run_husk network connect t226-mv t226b
    run_husk exec t226b ip -4 -o addr show eth0
    assert_output_contains "inet 192.168.226."
    run_husk rm -f -t 0 t226b
    run_husk network rm t226-mv
    ip link show t226p0 >/dev/null
    [ "$(leases_of t226-mv)" = 0 ]
}

@test "ipvlan: l2, two containers reach each other" {
    skip_if_rootless "macvlan needs host interfaces (root)"
    if ! ip link add link t226p0 name t226pi type ipvlan mode l2 2>/dev/null; then
        skip "the kernel has no ipvlan driver"
    fi
    ip link del t226pi
    run_husk network create -d ipvlan -o parent=t226p0 --subnet 192.168.229.0/24 t226-iv
    two t226-iv ipvlan
    run_husk network rm t226-iv
    ip link show t226p0 >/dev/null
}

@test "macvlan: errors: no subnet, missing parent, bad mode, bad option, other drivers" {
    skip_if_rootless "macvlan needs host interfaces (root)"
    run_husk 125 network create -d macvlan -o parent=t226p0 t226-x
    assert_output_contains "DHCP, which husk does not support: give --subnet"
    run_husk 125 network create -d macvlan -o parent=t226nosuch --subnet 192.168.226.0/24 t226-x
    assert_output_contains "parent interface t226nosuch does not exist"
    run_husk 125 network create -d macvlan -o parent=t226p0 -o mode=l2 --subnet 192.168.226.0/24 t226-x
    assert_output_contains 'unknown macvlan mode "l2"'
    run_husk 125 network create -d ipvlan -o parent=t226p0 -o mode=bridge --subnet 192.168.226.0/24 t226-x
    assert_output_contains 'unknown ipvlan mode "bridge"'
    run_husk 125 network create -d macvlan -o parent=t226p0 -o isolate=true --subnet 192.168.226.0/24 t226-x
    assert_output_contains "unsupported macvlan network option isolate"
    run_husk 125 network create -d overlay --subnet 192.168.226.0/24 t226-x
    assert_output_contains "unsupported driver overlay"
    run_husk 1 network exists t226-x
}

@test "macvlan: refused rootless" {
    skip_if_root "rootless only"
    run_husk 125 network create -d macvlan --subnet 192.168.226.0/24 t226-rl
    assert_output_contains "macvlan networks are not supported rootless: rootless networking has no access to the host's interfaces"
    run_husk 125 network create -d ipvlan --subnet 192.168.226.0/24 t226-rl
    assert_output_contains "ipvlan networks are not supported rootless"
}
