#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# Rootless bridge networks: user networks in the user's rootless network
# namespace (beside the pause process, reached through pasta), DNS by
# aardvark-dns inside it, -p through husk's forwarder, husk unshare
# --rootless-netns, and nothing of it on the host.  Rootful bridge
# networks are 220-bridge.bats and 221-network-dns.bats.

load helpers

setup() {
    skip_if_root "rootless bridge networks (rootful: 220, 221)"
    container_setup
}

teardown() {
    if is_rootless; then
        local n
        for n in $(husk network ls -q --filter name=^t222 2>/dev/null); do
            husk network rm -f -t 0 "$n" >/dev/null 2>&1 || true
        done
    fi
    container_teardown
}

host_links() { ip -o link | awk -F': ' '{print $2}' | sed 's/@.*//' | sort; }

# Nothing of the network on the host (other test files run in parallel and
# make host links of their own, so only ours are looked for): no link
# named as its bridge, no veth of the containers named.
assert_not_on_host() {
    local net=$1 br c id
    br=$(husk network inspect --format '{{.NetworkInterface}}' "$net")
    ! host_links | grep -qx "$br" || false
    shift
    for c in "$@"; do
        id=$(husk inspect --format '{{.Id}}' "$c")
        ! host_links | grep -qx "huskv${id:0:10}" || false
    done
}

# The rootless network namespace's pasta (by its netns argument).
rootless_pasta() { pgrep -u "$(id -u)" -f 'pasta.*rootless-netns/ns' || true; }

@test "rootless bridge: two containers reach each other by IP and by name" {
    run_husk network create --interface-name t222abr t222a
    # the user's own definitions, as Podman's
    [ -f "${XDG_CONFIG_HOME:-$HOME/.config}/containers/networks/t222a.json" ]
    husk run -d --name a1 --network t222a busybox sh -c \
        "mkdir -p /www && echo hello-a1 >/www/index.html && exec httpd -f -p 80 -h /www" >/dev/null
    husk run -d --name a2 --network t222a busybox sleep 100 >/dev/null
    local ip1 ip2
    ip1=$(husk inspect --format '{{.NetworkSettings.Networks.t222a.IPAddress}}' a1)
    ip2=$(husk inspect --format '{{.NetworkSettings.Networks.t222a.IPAddress}}' a2)
    [[ "$ip1" == 10.* ]] && [ "$ip1" != "$ip2" ]
    run_husk exec a2 timeout 5 wget -qO- "http://$ip1/"
    assert_output_is "hello-a1"
    # by name, through aardvark-dns in the rootless network namespace
    run_husk exec a2 nslookup a1
    assert_output_contains "$ip1"
    run_husk exec a2 timeout 5 wget -qO- http://a1/
    assert_output_is "hello-a1"
    # the bridge and the veths are in the rootless network namespace only
    assert_not_on_host t222a a1 a2
    run_husk unshare --rootless-netns ip -o link
    assert_output_contains "huskv$(husk inspect --format '{{.Id}}' a1 | cut -c1-10)"
}

@test "rootless bridge: -p publishes a port on the host's 127.0.0.1" {
    local p
    p=$(free_port)
    husk network create t222p >/dev/null
    husk run -d --name web --network t222p -p "127.0.0.1:$p:80" busybox sh -c \
        "mkdir -p /www && echo hello-web >/www/index.html && exec httpd -f -p 80 -h /www" >/dev/null
    run wget_retry "http://127.0.0.1:$p/"
    assert_equal "$status" 0
    assert_output_is "hello-web"
    run_husk port web
    assert_output_contains "80/tcp -> 127.0.0.1:$p"
    # the forwarder goes with the container: the port is free again
    husk rm -f -t 0 web >/dev/null
    ! ss -Htln | awk '{print $4}' | grep -q ":$p\$" || false
    # sctp has no forwarder rootless: a clear error at create
    run_husk 125 create --network t222p -p "$p:53/sctp" busybox true
    assert_output_contains "sctp is not supported"
}

# A UDP round trip to 127.0.0.1:PORT: prints the answer, retried while the
# server starts.
udp_ask() {
    python3 - "$1" "$2" <<'PY'
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(0.5)
for _ in range(20):
    s.sendto(sys.argv[2].encode(), ("127.0.0.1", int(sys.argv[1])))
    try:
        print(s.recv(2048).decode()); sys.exit(0)
    except socket.timeout:
        pass
sys.exit(1)
PY
}

@test "rootless bridge: -p udp reaches the container and its answers come back" {
    local p
    p=$(free_port)
    cc -static -O2 -o "$BATS_TEST_TMPDIR/udpecho" "$BATS_TEST_DIRNAME/../helpers/udpecho.c"
    husk network create t222d >/dev/null
    husk run -d --name uecho --network t222d -p "127.0.0.1:$p:5353/udp" \
        -v "$BATS_TEST_TMPDIR/udpecho:/udpecho:ro" busybox /udpecho 5353 >/dev/null
    run udp_ask "$p" one
    assert_equal "$status" 0
    assert_output_is "echo:one"
    # a second sender gets its own answers
    run udp_ask "$p" two
    assert_output_is "echo:two"
    run_husk port uecho
    assert_output_contains "5353/udp -> 127.0.0.1:$p"
    husk rm -f -t 0 uecho >/dev/null
    ! ss -Huln | awk '{print $4}' | grep -q ":$p\$" || false
}

@test "rootless bridge: unshare --rootless-netns sees the bridge; it all goes with the last container" {
    local br
    husk network create --interface-name t222ubr t222u >/dev/null
    br=$(husk network inspect --format '{{.NetworkInterface}}' t222u)
    husk run -d --name u1 --network t222u busybox sleep 100 >/dev/null
    run_husk unshare --rootless-netns ip -o addr
    assert_output_contains "$br"
    assert_output_contains "$(husk network inspect t222u | jq -r '.[0].subnets[0].gateway')/24"
    assert_not_on_host t222u u1
    [ -n "$(rootless_pasta)" ]
    # the command's exit status is unshare's
    run_husk 3 unshare --rootless-netns sh -c 'exit 3'
    husk rm -f -t 0 u1 >/dev/null
    # the last container gone: pasta ends, and the namespace with it
    for _ in $(seq 20); do [ -z "$(rootless_pasta)" ] && break; sleep 0.1; done
    [ -z "$(rootless_pasta)" ]
    run_husk network rm t222u
    [ ! -f "${XDG_CONFIG_HOME:-$HOME/.config}/containers/networks/t222u.json" ]
    # a new namespace for unshare has no bridge left, and goes after it
    run_husk unshare --rootless-netns ip -o link
    [[ "$output" != *"$br"* ]]
    [ -z "$(rootless_pasta)" ]
    ! host_links | grep -qx "$br" || false
}

@test "rootless bridge: --network bridge (the default network) and network rm in use" {
    run_husk run --rm --network bridge busybox ip -4 -o addr show eth0
    assert_output_contains "inet 10."
    husk network create t222r >/dev/null
    husk create --name r1 --network t222r busybox true >/dev/null
    run_husk 2 network rm t222r
    assert_output_contains "associated containers"
    run_husk network rm -f t222r
    run_husk 1 container exists r1
}
