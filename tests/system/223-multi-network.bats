#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# A container on several bridge networks at once (issue 13): --network
# repeated, an interface and an address per network, name resolution on
# each, network connect/disconnect of one network, inspect and ps, and a
# teardown that leaves nothing of any.  Root and rootless (the rootless
# networks are in the rootless network namespace).

load helpers

setup() {
    container_setup
}

teardown() {
    # Networks are host-wide: only this file's (t223*) go.
    local n
    for n in $(husk network ls -q --filter name=^t223 2>/dev/null); do
        husk network rm -f -t 0 "$n" >/dev/null 2>&1 || true
    done
    container_teardown
}

# A web server container answering "hello-NAME": web NAME [run flags...]
web() {
    local name=$1
    shift
    husk run -d --name "$name" "$@" busybox sh -c \
        "mkdir -p /www && echo hello-$name >/www/index.html && exec httpd -f -p 80 -h /www" >/dev/null
}

# fetch CONTAINER URL: the page, fetched inside the container (retried
# while the server starts).
fetch() {
    husk exec "$1" sh -c "for i in \$(seq 30); do busybox wget -qO- $2 2>/dev/null && exit 0; sleep 0.1; done; exit 1"
}

# The links of the host (rootless: of the rootless network namespace).
links() {
    if is_rootless; then husk unshare --rootless-netns ip -o link; else ip -o link; fi
}

@test "multi-network: --network twice gives eth0 and eth1, each resolving its network's containers" {
    husk network create t223a >/dev/null
    husk network create t223b >/dev/null
    web wa --network t223a
    web wb --network t223b:alias=bee
    husk run -d --name m --network t223a --network t223b busybox sleep 100 >/dev/null
    local ipa ipb
    ipa=$(husk inspect --format '{{.NetworkSettings.Networks.t223a.IPAddress}}' m)
    ipb=$(husk inspect --format '{{.NetworkSettings.Networks.t223b.IPAddress}}' m)
    [ -n "$ipa" ] && [ -n "$ipb" ] && [ "$ipa" != "$ipb" ]
    run_husk exec m ip -4 -o addr show eth0
    assert_output_contains "inet $ipa/"
    run_husk exec m ip -4 -o addr show eth1
    assert_output_contains "inet $ipb/"
    # the first network's gateway is the default route (lowest metric)
    local gwa
    gwa=$(husk network inspect t223a | jq -r '.[0].subnets[0].gateway')
    run_husk exec m ip route
    assert_equal "$(echo "$output" | grep '^default' | sort -t' ' -k7 -n | head -1 | cut -d' ' -f3)" "$gwa"
    # containers on either network, by name and alias
    run fetch m http://wa/
    assert_equal "$output" "hello-wa"
    run fetch m http://bee/
    assert_equal "$output" "hello-wb"
    # /etc/hosts has both addresses, resolv.conf both networks' DNS
    run_husk exec m cat /etc/hosts
    assert_output_contains "$ipa"
    assert_output_contains "$ipb"
    run_husk exec m grep -c nameserver /etc/resolv.conf
    assert_output_is 2
    # inspect and ps list both
    run_husk inspect --format '{{range $k, $v := .NetworkSettings.Networks}}{{$k}}={{$v.IPAddress}} {{end}}' m
    assert_output_is "t223a=$ipa t223b=$ipb "
    run_husk ps --format '{{.Names}} {{.Networks}}'
    assert_output_contains "m t223a,t223b"
}

@test "multi-network: a,b, interface_name= and per-network options; published ports go to the first" {
    husk network create t223c >/dev/null
    husk network create t223d >/dev/null
    local sub port
    sub=$(husk network inspect t223d | jq -r '.[0].subnets[0].subnet')
    port=$(free_port)
    web m -p "$port:80" --network "t223c,t223d:interface_name=back0,ip=${sub%.0/24}.77,alias=dee"
    run_husk exec m ip -4 -o addr show back0
    assert_output_contains "inet ${sub%.0/24}.77/"
    run_husk inspect --format '{{.NetworkSettings.Networks.t223d.Aliases}}' m
    assert_output_contains "dee"
    if ! is_rootless; then
        local ipc
        ipc=$(husk inspect --format '{{.NetworkSettings.Networks.t223c.IPAddress}}' m)
        nft list map ip husk ports_any | grep -q "tcp . $port : $ipc . 80"
    fi
    run wget_retry "http://127.0.0.1:$port/"
    assert_equal "$output" "hello-m"
}

@test "multi-network: network connect and disconnect add and remove one interface" {
    husk network create t223e >/dev/null
    husk network create t223f >/dev/null
    web wf --network t223f
    husk run -d --name m --network t223e busybox sleep 100 >/dev/null
    local id
    id=$(husk inspect --format '{{.Id}}' m)
    run_husk 2 exec m ip link show eth1
    husk network connect --alias emm t223f m
    run_husk exec m ip -4 -o addr show eth1
    assert_output_contains "inet 10."
    run fetch m http://wf/
    assert_equal "$output" "hello-wf"
    run_husk exec wf nslookup emm
    assert_output_contains "Address: $(husk inspect --format '{{.NetworkSettings.Networks.t223f.IPAddress}}' m)"
    run_husk 125 network connect t223f m
    assert_output_contains "already connected"
    # the second one goes: eth0 stays, eth1, its veth, DNS name and lease go
    husk network disconnect t223f m
    run_husk 2 exec m ip link show eth1
    run_husk exec m ip -4 -o addr show eth0
    assert_output_contains "inet 10."
    run_husk 1 exec wf nslookup emm
    run_husk exec m grep -c nameserver /etc/resolv.conf
    assert_output_is 1
    run_husk inspect --format '{{range $k, $v := .NetworkSettings.Networks}}{{$k}} {{end}}' m
    assert_output_is "t223e "
    ! links | grep -q "huskv${id:0:7}\.1" || false
    if ! is_rootless; then
        run sqlite3 -cmd ".timeout 60000" /var/lib/husk-net/ipam.db \
            "select network from leases where container_id = '$id'"
        assert_output_is "t223e"
    fi
    # the last one too: lo only, no crash
    husk network disconnect t223e m
    run_husk exec m ip -o link
    assert_equal "$(echo "$output" | wc -l)" 1
    # a stopped container connects to two, and starts on both
    husk stop -t 0 m >/dev/null
    husk network connect t223f m
    husk network connect t223e m
    husk start m >/dev/null
    run_husk exec m ip -4 -o addr show eth0
    assert_output_contains "inet 10."
    run_husk exec m ip -4 -o addr show eth1
    assert_output_contains "inet 10."
    run fetch m http://wf/
    assert_equal "$output" "hello-wf"
}

@test "multi-network: stop and rm leave no veth, firewall element, lease or DNS entry" {
    husk network create t223g >/dev/null
    husk network create t223h >/dev/null
    local port id
    port=$(free_port)
    husk run -d --name m -p "$port:80" --network t223g --network t223h busybox sleep 100 >/dev/null
    id=$(husk inspect --format '{{.Id}}' m)
    links | grep -q "huskv${id:0:10}"
    links | grep -q "huskv${id:0:7}\.1"
    husk stop -t 0 m >/dev/null
    husk rm m >/dev/null
    local i
    for i in $(seq 20); do
        links | grep -q "huskv${id:0:7}" || break
        sleep 0.1
    done
    ! links | grep -q "huskv${id:0:7}" || false
    if ! is_rootless; then
        ! nft list ruleset | grep -q "$port" || false
        run sqlite3 -cmd ".timeout 60000" /var/lib/husk-net/ipam.db \
            "select count(*) from leases where container_id = '$id'"
        assert_output_is 0
        [ ! -e /run/husk-net/aardvark-dns/t223g ] && [ ! -e /run/husk-net/aardvark-dns/t223h ]
    fi
    # --rm: gone on exit with both
    husk run --rm --name r --network t223g --network t223h busybox ip -4 -o addr >"$HUSK_TMP/out"
    grep -q eth1 "$HUSK_TMP/out"
    run_husk 1 container exists r
}

@test "multi-network: only bridge networks combine; --ip and --mac-address want one network" {
    husk network create t223i >/dev/null
    husk network create t223j >/dev/null
    run_husk 125 create --network t223i --network host busybox true
    assert_output_contains "cannot be combined"
    run_husk 125 create --network none --network t223i busybox true
    assert_output_contains "cannot be combined"
    run_husk 125 create --network t223i,pasta busybox true
    assert_output_contains "cannot be combined"
    run_husk 125 create --ip 10.99.0.5 --network t223i --network t223j busybox true
    assert_output_contains "--ip can only be set for a single network"
    run_husk 125 create --mac-address 02:00:00:00:00:05 --network t223i,t223j busybox true
    assert_output_contains "--mac-address can only be set for a single network"
    run_husk 125 create --network t223i --network t223i busybox true
    assert_output_contains "given twice"
    run_husk 125 create --network t223i --network t223j:interface_name=eth0 busybox true
    assert_output_contains "used twice"
    run_husk 125 create --network t223i:interface_name=a/b busybox true
    assert_output_contains "invalid interface_name"
    run_husk 125 create --network t223i:metric=5 busybox true
    assert_output_contains "not supported"
    # nothing was created
    run_husk ps -a -q
    assert_output_is ""
}
