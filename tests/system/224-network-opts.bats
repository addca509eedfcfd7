#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# Network options: --opt isolate=true|strict (nothing forwarded between
# isolated networks, or between a strict one and any other), --opt vlan=
# taken (227 tests it), and the subnets of network create from containers.conf's
# default_subnet_pools.  Rootless the same, in the rootless network
# namespace.

load helpers

setup() {
    container_setup
}

teardown() {
    local n
    for n in $(husk network ls -q --filter name=^t224 2>/dev/null); do
        husk network rm -f -t 0 "$n" >/dev/null 2>&1 || true
    done
    container_teardown
}

# reach NETWORK IP: "reached" when a container on NETWORK gets IP's page.
reach() {
    husk run --rm --network "$1" busybox sh -c \
        "timeout 3 wget -qO- http://$2/ >/dev/null 2>&1 && echo reached || echo blocked"
}

web() {
    husk run -d --name "$1" --network "$2" busybox sh -c \
        "mkdir -p /www && echo hi >/www/index.html && exec httpd -f -p 80 -h /www" >/dev/null
    husk inspect --format "{{.NetworkSettings.Networks.$2.IPAddress}}" "$1"
}

@test "network opts: isolate=true blocks isolated networks from each other, strict from all" {
    husk network create -o isolate=true t224i1 >/dev/null
    husk network create --opt isolate=true t224i2 >/dev/null
    husk network create t224p >/dev/null
    husk network create -o isolate=strict t224s >/dev/null
    run_husk network inspect --format '{{index .Options "isolate"}}' t224s
    assert_output_is "strict"
    local i2 p s
    i2=$(web w-i2 t224i2)
    p=$(web w-p t224p)
    s=$(web w-s t224s)
    # within one network all passes, also in a strict one
    assert_equal "$(reach t224i2 "$i2")" reached
    assert_equal "$(reach t224s "$s")" reached
    # two isolated networks: blocked; isolated and plain: passes
    assert_equal "$(reach t224i1 "$i2")" blocked
    assert_equal "$(reach t224i1 "$p")" reached
    assert_equal "$(reach t224p "$i2")" reached
    # strict: blocked both ways, also with a network without isolate
    assert_equal "$(reach t224s "$p")" blocked
    assert_equal "$(reach t224p "$s")" blocked
    assert_equal "$(reach t224i1 "$s")" blocked
}

@test "network opts: isolate=false is a plain network; vlan= is taken; bad isolate and vlan are refused" {
    husk network create -o isolate=false t224f >/dev/null
    husk network create t224g >/dev/null
    local g
    g=$(web w-g t224g)
    assert_equal "$(reach t224f "$g")" reached
    run_husk 125 network create -o isolate=yes t224x
    assert_output_contains 'invalid isolate option "yes": want true, false or strict'
    # vlan= is taken (227 has its VLAN filtering), a bad one refused
    husk network create -o vlan=5 t224v >/dev/null
    run_husk network inspect --format '{{index .Options "vlan"}}' t224v
    assert_output_is 5
    run_husk 125 network create -o vlan=4095 t224x
    assert_output_contains 'invalid vlan "4095": want 1 to 4094'
    run_husk 125 network create -o foo=1 t224x
    assert_output_contains "unsupported bridge network option foo"
    run_husk 1 network exists t224x
}

@test "network opts: network create takes its subnet from default_subnet_pools in order" {
    local conf=$BATS_TEST_TMPDIR/containers.conf o=232
    # the root and the rootless pass run at once: each its own subnets
    # (a subnet routed on the host is not free for the other)
    if is_rootless; then o=233; fi
    cat >"$conf" <<CONF
[network]
default_subnet_pools = [
  {"base" = "10.$o.240.0/25", "size" = 26},
  {base = "10.$o.241.0/24", size = 28},
]
CONF
    CONTAINERS_CONF=$conf husk network create t224a >/dev/null
    CONTAINERS_CONF=$conf husk network create t224b >/dev/null
    CONTAINERS_CONF=$conf husk network create t224c >/dev/null
    run_husk network inspect --format '{{range .Subnets}}{{.Subnet}} {{.Gateway}}{{end}}' t224a t224b t224c
    assert_equal "${lines[0]}" "10.$o.240.0/26 10.$o.240.1"
    assert_equal "${lines[1]}" "10.$o.240.64/26 10.$o.240.65"
    # the first pool is full: the next one, with its size
    assert_equal "${lines[2]}" "10.$o.241.0/28 10.$o.241.1"
    # --subnet still wins
    CONTAINERS_CONF=$conf husk network create --subnet 10.$o.242.0/24 t224d >/dev/null
    run_husk network inspect --format '{{range .Subnets}}{{.Subnet}}{{end}}' t224d
    assert_output_is "10.$o.242.0/24"
    # a container gets an address from its pool subnet
    run_husk run --rm --network t224b busybox ip -4 -o addr show eth0
    assert_output_contains "inet 10.$o.240.66/26"
    # all pools taken: refused with the way out
    cat >"$conf" <<CONF
[network]
default_subnet_pools = [{base = "10.$o.240.0/25", size = 26}]
CONF
    CONTAINERS_CONF=$conf run_husk 125 network create t224e
    assert_output_contains "no free subnet left in containers.conf's default_subnet_pools"
    # a pool without its size is a configuration error
    printf '[network]\ndefault_subnet_pools = [{base = "10.0.0.0/8"}]\n' >"$conf"
    CONTAINERS_CONF=$conf run_husk 125 network create t224e
    assert_output_contains "network.default_subnet_pools' must be an array of"
}
