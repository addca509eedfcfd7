#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# DNS between the containers of a user network (aardvark-dns), host-wide
# networks and leases: rootful only.

load helpers

setup() {
    container_setup
}

teardown() {
    if ! is_rootless; then
        local n
        for n in $(husk network ls -q --filter name=^t221 2>/dev/null); do
            husk network rm -f -t 0 "$n" >/dev/null 2>&1 || true
        done
    fi
    container_teardown
}

@test "dns: containers of a user network resolve each other by name and alias" {
    skip_if_rootless "bridge networks are rootful"
    husk network create t221a >/dev/null
    husk run -d --name d1 --network t221a --network-alias web busybox sleep 100 >/dev/null
    husk run -d --name d2 --network t221a:alias=db busybox sleep 100 >/dev/null
    local ip1 ip2 gw
    ip1=$(husk inspect --format '{{.NetworkSettings.Networks.t221a.IPAddress}}' d1)
    ip2=$(husk inspect --format '{{.NetworkSettings.Networks.t221a.IPAddress}}' d2)
    gw=$(husk network inspect t221a | jq -r '.[0].subnets[0].gateway')
    # resolv.conf points at the gateway, where aardvark-dns answers
    run_husk exec d2 grep nameserver /etc/resolv.conf
    assert_output_is "nameserver $gw"
    run_husk exec d2 nslookup d1
    assert_output_contains "Address: $ip1"
    run_husk exec d2 nslookup web
    assert_output_contains "Address: $ip1"
    run_husk exec d1 nslookup db
    assert_output_contains "Address: $ip2"
    run_husk exec d1 nslookup d2
    assert_output_contains "Address: $ip2"
    # a container that leaves is no longer found
    husk rm -f -t 0 d2 >/dev/null
    run_husk 1 exec d1 nslookup d2
    # the last one gone, aardvark-dns has nothing of the network
    husk rm -f -t 0 d1 >/dev/null
    [ ! -e /run/husk-net/aardvark-dns/t221a ]
}

@test "dns: --disable-dns and the default network have none; aliases need a bridge" {
    skip_if_rootless "bridge networks are rootful"
    husk network create --disable-dns t221b >/dev/null
    husk run -d --name n1 --network t221b busybox sleep 100 >/dev/null
    run_husk 1 run --rm --network t221b busybox nslookup n1
    [ ! -e /run/husk-net/aardvark-dns/t221b ]
    run_husk network inspect --format '{{.DNSEnabled}}' husk
    assert_output_is "false"
    local gw
    gw=$(husk network inspect husk | jq -r '.[0].subnets[0].gateway')
    run_husk run --rm busybox cat /etc/resolv.conf
    [[ "$output" != *"nameserver $gw"* ]]
    run_husk 125 run --rm --network none --network-alias x busybox true
    assert_output_contains "--network-alias needs a bridge network"
}

@test "dns: rootless --network-alias is refused with the bridge message" {
    skip_if_root "the rootless refusal"
    run_husk 125 run --rm --network-alias x busybox true
    assert_output_contains "bridge network"
}
