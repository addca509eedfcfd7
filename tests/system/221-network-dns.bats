#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# DNS between the containers of a user network (aardvark-dns), host-wide
# networks and leases.  The DNS tests run rootless too (in the rootless
# network namespace, tests/system/222-rootless-bridge.bats).

load helpers

setup() {
    container_setup
}

teardown() {
    local n
    for n in $(husk network ls -q --filter name=^t221 2>/dev/null); do
        husk network rm -f -t 0 "$n" >/dev/null 2>&1 || true
    done
    container_teardown
}

# Where aardvark-dns's files are: the host's, or the user's rootless.
dns_dir() {
    if is_rootless; then
        if [ -n "${XDG_RUNTIME_DIR:-}" ]; then
            echo "$XDG_RUNTIME_DIR/husk/net/aardvark-dns"
        else
            echo "/tmp/husk-run-$(id -u)/net/aardvark-dns"
        fi
    else
        echo /run/husk-net/aardvark-dns
    fi
}

@test "dns: containers of a user network resolve each other by name and alias" {
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
    [ ! -e "$(dns_dir)/t221a" ]
}

@test "dns: --disable-dns and the default network have none; aliases need a bridge" {
    husk network create --disable-dns t221b >/dev/null
    husk run -d --name n1 --network t221b busybox sleep 100 >/dev/null
    run_husk 1 run --rm --network t221b busybox nslookup n1
    [ ! -e "$(dns_dir)/t221b" ]
    run_husk network inspect --format '{{.DNSEnabled}}' husk
    assert_output_is "false"
    local gw
    gw=$(husk network inspect husk | jq -r '.[0].subnets[0].gateway')
    run_husk run --rm busybox cat /etc/resolv.conf
    [[ "$output" != *"nameserver $gw"* ]]
    run_husk 125 run --rm --network none --network-alias x busybox true
    assert_output_contains "--network-alias needs a bridge network"
}

@test "dns: network --dns servers are aardvark-dns's upstream; network update adds and drops them" {
    run_husk network create --dns 192.0.2.53,198.51.100.53 --dns 192.0.2.53 t221d
    # Podman's key, each server once, in order
    run_husk network inspect t221d
    assert_equal "$(jq -c '.[0].network_dns_servers' <<<"$output")" '["192.0.2.53","198.51.100.53"]'
    husk run -d --name s1 --network t221d busybox sleep 100 >/dev/null
    local gw
    gw=$(husk network inspect t221d | jq -r '.[0].subnets[0].gateway')
    # aardvark-dns's file: its listen address, then the network's servers
    assert_equal "$(head -1 "$(dns_dir)/t221d")" "$gw 192.0.2.53,198.51.100.53"
    # resolv.conf names aardvark-dns (which forwards there), as Podman's
    run_husk exec s1 grep nameserver /etc/resolv.conf
    assert_output_is "nameserver $gw"
    # update: drop, then add; the file replaced and aardvark-dns told
    run_husk network update t221d --dns-drop 192.0.2.53 --dns-add 203.0.113.53,198.51.100.53
    assert_output_is "t221d"
    run_husk network inspect t221d
    assert_equal "$(jq -c '.[0].network_dns_servers' <<<"$output")" '["198.51.100.53","203.0.113.53"]'
    assert_equal "$(head -1 "$(dns_dir)/t221d")" "$gw 198.51.100.53,203.0.113.53"
    run_husk exec s1 nslookup s1
    assert_output_contains "Address: $(husk inspect --format '{{.NetworkSettings.Networks.t221d.IPAddress}}' s1)"
    # dropping them all takes the key away
    run_husk network update t221d --dns-drop 198.51.100.53 --dns-drop 203.0.113.53
    run_husk network inspect t221d
    assert_equal "$(jq -c '.[0].network_dns_servers' <<<"$output")" null
    assert_equal "$(head -1 "$(dns_dir)/t221d")" "$gw"
    # a container started now gets the servers too
    husk network update t221d --dns-add 192.0.2.54 >/dev/null
    husk rm -f -t 0 s1 >/dev/null
    husk run -d --name s2 --network t221d busybox sleep 100 >/dev/null
    assert_equal "$(head -1 "$(dns_dir)/t221d")" "$gw 192.0.2.54"
}

@test "dns: network --dns and network update refuse bad input" {
    run_husk 125 network create --dns 1.2.3 t221e
    assert_output_contains "1.2.3 is not an ip address"
    run_husk 125 network create --disable-dns --dns 192.0.2.53 t221e
    assert_output_contains "cannot set NetworkDNSServers if DNS is not enabled"
    run_husk 1 network exists t221e
    husk network create --disable-dns t221e >/dev/null
    run_husk 125 network update t221e --dns-add 192.0.2.53
    assert_output_contains "network t221e has DNS disabled"
    husk network create t221f >/dev/null
    run_husk 125 network update t221f --dns-add nope
    assert_output_contains "nope is not an ip address"
    run_husk 125 network update t221-none --dns-add 192.0.2.53
    assert_output_contains "unable to find network with name or ID t221-none: network not found"
    run_husk 125 network update husk --dns-add 192.0.2.53
    assert_output_contains "default network husk cannot be updated"
    run_husk 125 network update
    # nothing changed by the failures
    run_husk network inspect t221f
    assert_equal "$(jq -c '.[0].network_dns_servers' <<<"$output")" null
}

@test "network connect and disconnect: running and stopped containers, hosts, DNS, leases" {
    skip_if_rootless "rootful: the default network is the bridge husk, its veths the host's"
    husk network create --subnet 10.231.41.0/24 t221c >/dev/null
    husk run -d --name c1 busybox sleep 100 >/dev/null
    husk run -d --name c2 --network t221c busybox sleep 100 >/dev/null
    local id
    id=$(husk inspect --format '{{.Id}}' c1)
    run_husk network disconnect husk c1
    run_husk exec c1 ip -o link show
    [[ "$output" != *eth0* ]]
    ! ip link show "huskv${id:0:10}" 2>/dev/null || false
    run_husk inspect --format '{{.NetworkSettings.IPAddress}}' c1
    assert_output_is ""
    run_husk network connect --alias c1alias --ip 10.231.41.77 --mac-address 02:aa:bb:cc:dd:ee t221c c1
    run_husk exec c1 ip -4 -o addr show eth0
    assert_output_contains "inet 10.231.41.77/24"
    run_husk exec c1 cat /sys/class/net/eth0/address
    assert_output_is "02:aa:bb:cc:dd:ee"
    run_husk exec c1 grep c1 /etc/hosts
    assert_output_contains "10.231.41.77"
    run_husk exec c2 nslookup c1alias
    assert_output_contains "Address: 10.231.41.77"
    run_husk 125 network connect t221c c1
    assert_output_contains "already connected"
    # its address is leased: nobody else gets it
    run_husk 125 run --rm --network t221c --ip 10.231.41.77 busybox true
    assert_output_contains "already allocated"
    # stopped: disconnect and connect change what the next start makes
    husk stop -t 0 c1 >/dev/null
    run_husk network disconnect -f t221c c1
    run_husk 125 network disconnect t221c c1
    assert_output_contains "not connected"
    run_husk network connect husk c1
    husk start c1 >/dev/null
    local ip
    ip=$(husk inspect --format '{{.NetworkSettings.Networks.husk.IPAddress}}' c1)
    [[ "$ip" =~ ^10\. ]]
    run_husk exec c1 ip -4 -o addr show eth0
    assert_output_contains "inet $ip/"
    # a --network none container is not in bridge mode
    husk create --name n0 --network none busybox true >/dev/null
    run_husk 125 network connect t221c n0
    assert_output_contains "not in bridge network mode"
}

@test "dns: rootless connect and disconnect work in the rootless network namespace; reload" {
    skip_if_root "rootless"
    run_husk 125 run --rm --network-alias x busybox true
    assert_output_contains "bridge network"
    husk network create --subnet 10.231.42.0/24 t221r >/dev/null
    husk run -d --name r0 --network t221r busybox sleep 100 >/dev/null
    husk run -d --name r1 --network t221r busybox sleep 100 >/dev/null
    run_husk network disconnect t221r r0
    run_husk exec r0 ip -o link show
    [[ "$output" != *eth0* ]]
    run_husk network connect --alias r0alias --ip 10.231.42.77 t221r r0
    run_husk exec r0 ip -4 -o addr show eth0
    assert_output_contains "inet 10.231.42.77/24"
    run_husk exec r1 nslookup r0alias
    assert_output_contains "Address: 10.231.42.77"
    # reload makes husk's table in the rootless network namespace again
    husk unshare --rootless-netns nft delete table ip husk
    run_husk 1 unshare --rootless-netns nft list table ip husk
    run_husk network reload --all
    assert_output_contains "$(husk inspect --format '{{.Id}}' r0)"
    run_husk unshare --rootless-netns nft list table ip husk
    assert_output_contains "10.231.42.0/24"
}
