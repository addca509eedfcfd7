#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# IPv6 on bridge networks (dual stack): network create --ipv6 and a
# second --subnet, v6 leases (--ip6), the links, DNS (AAAA), /etc/hosts,
# inspect, published ports on the host's IPv6 addresses (rootful), and a
# teardown that leaves nothing.

load helpers

setup() {
    container_setup
}

teardown() {
    local n
    for n in $(husk network ls -q --filter name=^t225 2>/dev/null); do
        husk network rm -f -t 0 "$n" >/dev/null 2>&1 || true
    done
    container_teardown
}

# A unique local /64 of this run: networks are host-wide.
ula() { printf 'fd%02x:%x:%x:%x::/64' $((RANDOM % 256)) $((RANDOM + 1)) $((RANDOM + 1)) "$1"; }

leases_of() {
    local db=/var/lib/husk-net/ipam.db
    if is_rootless; then db=${XDG_DATA_HOME:-$HOME/.local/share}/husk-net/ipam.db; fi
    sqlite3 -cmd ".timeout 60000" "$db" \
        "select count(*) from leases where store = '$HUSK_ROOT/husk.db' and ip like '%:%'"
}

@test "network create --ipv6: an IPv4 subnet and a unique local /64, as Podman" {
    run_husk network create --ipv6 t225a
    run_husk network inspect --format '{{.IPv6Enabled}} {{range .Subnets}}{{.Subnet}}={{.Gateway}} {{end}}' t225a
    [[ "$output" =~ ^true\ [0-9.]+/24=[0-9.]+\ (fd[0-9a-f:]+::/64)=([0-9a-f:]+)\ $ ]]
    [[ "${BASH_REMATCH[2]}" == "${BASH_REMATCH[1]%/64}1" ]]
    run_husk network ls --format '{{.Name}} {{.IPv6Enabled}}' --filter name=^t225a
    [ "$output" = "t225a true" ]

    # An IPv6 subnet alone implies --ipv6; the IPv4 one is chosen.
    local s6; s6=$(ula 1)
    run_husk network create --subnet "$s6" --gateway "${s6%::/64}::fe" t225b
    run_husk network inspect --format '{{.IPv6Enabled}} {{range .Subnets}}{{.Gateway}} {{end}}' t225b
    [[ "$output" =~ ^true\ [0-9.]+\ ${s6%::/64}::fe\ $ ]]
    # Overlap with it is refused, and a second v6 subnet, and a wrong family.
    run_husk 125 network create --subnet "${s6%::/64}:1::/80" t225c
    [[ "$output" == *"already used"*"t225b"* ]]
    run_husk 125 network create --subnet "$s6" --subnet "$(ula 2)" t225c
    [[ "$output" == *"at most one IPv4 and one IPv6"* ]]
    run_husk 125 network create --subnet "$(ula 3)" --gateway 10.1.2.3 t225c
    [[ "$output" == *"not of the family"* ]]
    run_husk network create --subnet 10.224.77.0/24 --subnet "$(ula 4)" t225d
    run_husk network inspect --format '{{len .Subnets}} {{(index .Subnets 0).Subnet}}' t225d
    [ "$output" = "2 10.224.77.0/24" ]
}

@test "ipv6: two containers reach each other by address and by name; --ip6 picks" {
    local s6 p; s6=$(ula 5); p=${s6%::/64}
    run_husk network create --subnet "$s6" t225e
    run_husk run -d --name v1 --network t225e --ip6 "$p::99" busybox sleep 100
    run_husk run -d --name v2 --network t225e:ip6=$p::98 busybox sleep 100
    run_husk inspect --format '{{.NetworkSettings.GlobalIPv6Address}}/{{.NetworkSettings.GlobalIPv6PrefixLen}} {{.NetworkSettings.IPv6Gateway}}' v1
    [ "$output" = "$p::99/64 $p::1" ]
    run_husk exec v1 ip -6 -o addr show eth0
    [[ "$output" == *"inet6 $p::99/64"* ]]
    run_husk exec v1 ip -6 route
    [[ "$output" == *"default via $p::1"* ]]
    run_husk exec v1 grep -F "$p::99" /etc/hosts
    run_husk exec --privileged v1 ping -6 -c1 -W3 "$p::98"
    [[ "$output" == *"1 packets received"* ]]
    run_husk exec --privileged v1 ping -6 -c1 -W3 v2
    [[ "$output" == *"$p::98"*"1 packets received"* ]]
    run_husk exec v1 nslookup -type=AAAA v2
    [[ "$output" == *"$p::98"* ]]
    # The subnet is masqueraded out, in husk's ip6 table (rootless in the
    # rootless network namespace).
    if ! is_rootless; then
        run nft list set ip6 husk nets
        [[ "$output" == *"$s6"* ]]
    fi
    # An address taken, or outside the subnet, is refused.
    run_husk 125 create --network t225e --ip6 "$p::99" busybox true
    [[ "$output" == *"already allocated"* ]]
    run_husk 125 create --network t225e --ip6 fd00:dead::5 busybox true
    [[ "$output" == *"not in any subnet"* ]]
    run_husk 125 create --network bridge --ip6 fd00:dead::5 busybox true
    [[ "$output" == *"no IPv6 subnet"* ]]
    # A free address with no --ip6: the lowest one after the gateway.
    run_husk run --rm --network t225e busybox sh -c 'ip -6 -o addr show eth0 scope global'
    [[ "$output" == *"inet6 $p::2/64"* ]]
    [ "$(leases_of)" = 2 ]

    # Teardown: no lease, no veth, no subnet element left.
    run_husk rm -f -t 0 v1 v2
    [ "$(leases_of)" = 0 ]
    run_husk network rm t225e
    if ! is_rootless; then
        run nft list set ip6 husk nets
        [[ "$output" != *"$s6"* ]]
        run ip -6 addr
        [[ "$output" != *"$p::1"* ]]
    fi
}

@test "ipv6: network connect --ip6" {
    local s6 p; s6=$(ula 6); p=${s6%::/64}
    run_husk network create --subnet "$s6" t225f
    run_husk run -d --name c1 --network bridge busybox sleep 100
    run_husk network connect --ip6 "$p::42" t225f c1
    run_husk exec c1 ip -6 -o addr show eth1
    [[ "$output" == *"inet6 $p::42/64"* ]]
    run_husk 125 network connect --ip6 fd00:dead::5 t225f c1
    run_husk network disconnect t225f c1
    [ "$(leases_of)" = 0 ]
}

@test "ipv6: -p publishes on the host's IPv6 addresses too, -p [IPv6]:... on that one" {
    skip_if_rootless "rootless ports go through husk's IPv4 forwarder"
    local s6 pa pl
    s6=$(ula 7)
    pa=$(free_port)
    pl=$(free_port)
    run_husk network create --subnet "$s6" t225p
    run_husk run -d --name w6 --network t225p -p "$pa:80" -p "[fd00::2]:$pl:80" busybox sh -c \
        "mkdir -p /www && echo hi6 >/www/index.html && exec httpd -f -p [::]:80 -h /www"
    # no host address: both families
    run wget_retry "http://[fd00::2]:$pa/"
    assert_output_is hi6
    run wget_retry "http://127.0.0.1:$pa/"
    assert_output_is hi6
    run nft list map ip6 husk ports_any6
    assert_output_contains "tcp . $pa : ${s6%::/64}::2 . 80"
    # ::1 is not DNATed (the kernel drops the answer): refused at once,
    # so that a client of "localhost" goes on to 127.0.0.1
    run timeout 3 wget -6 -q -t 1 -O- "http://[::1]:$pa/"
    [ "$status" -ne 0 ] && [ "$status" -ne 124 ]
    # one IPv6 host address: only there
    run wget_retry "http://[fd00::2]:$pl/"
    assert_output_is hi6
    run timeout 3 wget -4 -q -t 1 -O- "http://127.0.0.1:$pl/"
    [ "$status" -ne 0 ]
    run nft list map ip6 husk ports_ip6
    assert_output_contains "fd00::2 . tcp . $pl"

    # network reload puts back what a flush of the firewall took (only this
    # container's element: the map is shared with other stores running now)
    nft delete element ip6 husk ports_any6 "{ tcp . $pa }"
    run timeout 3 wget -6 -q -t 1 -O- "http://[fd00::2]:$pa/"
    [ "$status" -ne 0 ]
    run_husk network reload w6
    run wget_retry "http://[fd00::2]:$pa/"
    assert_output_is hi6

    # teardown: no element of it left in the ip6 maps
    run_husk rm -f -t 0 w6
    run nft list map ip6 husk ports_any6
    [[ "$output" != *"tcp . $pa "* ]]
    run nft list map ip6 husk ports_ip6
    [[ "$output" != *"tcp . $pl "* ]]
}

@test "ipv6: -p on an IPv6 host address needs an IPv6 network, not ::1; rootless it is refused" {
    local p; p=$(free_port)
    run_husk network create t225q
    run_husk 125 run --rm --network t225q -p "[fd00::2]:$p:80" busybox true
    if is_rootless; then
        assert_output_contains "only IPv4 host addresses are supported for rootless containers"
    else
        assert_output_contains "publishing on fd00::2: network t225q has no IPv6 (create it with --ipv6)"
        run_husk network create --ipv6 t225r
        run_husk 125 run --rm --network t225r -p "[::1]:$p:80" busybox true
        assert_output_contains "publishing on ::1 is not supported"
    fi
}
