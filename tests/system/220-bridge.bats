#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# Bridge networks (rootful): the default network and user-defined ones,
# published ports through nft DNAT, addresses from the state database,
# the network commands, complete teardown and bad input.  Rootless only
# what differs is tested here: rootless bridge networks live in the
# rootless network namespace (222-rootless-bridge.bats).

load helpers

setup() {
    container_setup
}

teardown() {
    # Networks are host-wide (files in /etc/containers/networks): this
    # file's go with the test that made them.
    local n
    for n in $(husk network ls -q --filter name=^t22[01] 2>/dev/null); do
        husk network rm -f -t 0 "$n" >/dev/null 2>&1 || true
    done
    container_teardown
}

host_ip() { ip -4 route get 1.1.1.1 | sed -n 's/.* src \([0-9.]*\).*/\1/p'; }

# link_gone NAME: the link is gone now or within 2 s.  A teardown leaves
# the host's end of a veth pair to go with the container's namespace,
# which the kernel frees in its own time after the command returned.
link_gone() {
    local i
    for i in $(seq 20); do
        ip link show "$1" >/dev/null 2>&1 || return 0
        sleep 0.1
    done
    echo "link $1 still there after 2 s" >&2
    return 1
}

# A web server container answering "hello-NAME": web NAME [run flags...]
web() {
    local name=$1
    shift
    husk run -d --name "$name" "$@" busybox sh -c \
        "mkdir -p /www && echo hello-$name >/www/index.html && exec httpd -f -p 80 -h /www" >/dev/null
}

@test "bridge: rootless --network bridge and network create work, in the rootless network namespace" {
    skip_if_root "rootless"
    run_husk run --rm --network bridge busybox ip -4 -o addr show eth0
    assert_output_contains "inet 10."
    run_husk network create t220rl
    run_husk network inspect --format '{{.NetworkInterface}}' t220rl
    local br=$output
    husk run -d --name rl1 --network t220rl busybox sleep 100 >/dev/null
    run_husk unshare --rootless-netns ip -o link show "$br"
    assert_output_contains "$br"
    ! ip link show "$br" 2>/dev/null || false
}

@test "bridge: the default network's published port from 127.0.0.1, the host address and another container" {
    skip_if_rootless "rootful: host links and nft (rootless: 222-rootless-bridge.bats)"
    local port
    port=$(free_port)
    web w1 --network bridge -p "$port:80"
    run_husk port w1
    assert_output_is "80/tcp -> 0.0.0.0:$port"
    run wget_retry "http://127.0.0.1:$port/"
    assert_output_is "hello-w1"
    run wget_retry "http://$(host_ip):$port/"
    assert_output_is "hello-w1"
    # another container, through the host's address (hairpin NAT)
    run_husk run --rm --network podman busybox sh -c \
        "printf 'GET / HTTP/1.0\r\n\r\n' | nc $(host_ip) $port | tail -1"
    assert_output_is "hello-w1"
    # and directly, by the address inspect shows
    local ip
    ip=$(husk inspect --format '{{.NetworkSettings.IPAddress}}' w1)
    [[ "$ip" =~ ^10\. ]]
    run_husk run --rm --network husk busybox sh -c \
        "printf 'GET / HTTP/1.0\r\n\r\n' | nc $ip 80 | tail -1"
    assert_output_is "hello-w1"
    # the container's own name and address in /etc/hosts
    run_husk exec w1 grep w1 /etc/hosts
    assert_output_contains "$ip"
    nft list map ip husk ports_any | grep -q "tcp . $port : $ip . 80"
}

@test "bridge: udp and a port range on a host address" {
    skip_if_rootless "rootful: host links and nft (rootless: 222-rootless-bridge.bats)"
    local port
    port=$(free_port)
    husk run -d --name u1 --network bridge -p "127.0.0.1:$port-$((port + 1)):7000-7001/udp" \
        busybox sleep 100 >/dev/null
    run_husk port u1
    assert_output_contains "7000/udp -> 127.0.0.1:$port"
    assert_output_contains "7001/udp -> 127.0.0.1:$((port + 1))"
    nft list map ip husk ports_ip | grep -q "127.0.0.1 . udp . $((port + 1)) : .* . 7001"
}

@test "bridge: two containers on a user network reach each other; --ip, mac=" {
    skip_if_rootless "rootful: host links and nft (rootless: 222-rootless-bridge.bats)"
    run_husk network create --subnet 10.231.7.0/24 t220a
    husk run -d --name n1 --network t220a --ip 10.231.7.50 busybox sleep 100 >/dev/null
    run_husk run --rm --cap-add NET_RAW --network t220a:ip=10.231.7.60,mac=02:11:22:33:44:55 \
        busybox sh -c 'cat /sys/class/net/eth0/address; ip -4 -o addr show eth0; ping -c1 -W3 10.231.7.50 >/dev/null && echo pong'
    assert_equal "${lines[0]}" "02:11:22:33:44:55"
    [[ "${lines[1]}" == *"inet 10.231.7.60/24"* ]]
    assert_equal "${lines[2]}" "pong"
    run_husk inspect --format '{{.NetworkSettings.Networks.t220a.IPAddress}} {{.NetworkSettings.Networks.t220a.Gateway}}' n1
    assert_output_is "10.231.7.50 10.231.7.1"
    run_husk 125 run --rm --network t220a --ip 10.231.7.50 busybox true
    assert_output_contains "already allocated"
    run_husk 125 run --rm --network t220a --ip 10.9.9.9 busybox true
    assert_output_contains "not in any subnet"
    run_husk 2 network rm t220a
    assert_output_contains "has associated containers"
    local br
    br=$(husk network inspect --format '{{.NetworkInterface}}' t220a)
    ip link show "$br" >/dev/null
    run_husk network rm -f -t 0 t220a
    assert_output_is "t220a"
    # its bridge and its subnet's firewall element go with it
    ! ip link show "$br" 2>/dev/null || false
    ! nft list set ip husk nets 2>/dev/null | grep -q "10.231.7.0/24" || false
    run_husk 1 container exists n1
    run_husk 1 network exists t220a
}

@test "bridge: the default network of a rootful container is the bridge husk" {
    skip_if_rootless "rootless keeps pasta"
    husk run -d --name d1 busybox sleep 100 >/dev/null
    run_husk inspect --format '{{.HostConfig.NetworkMode}} {{range $k, $v := .NetworkSettings.Networks}}{{$k}}{{end}}' d1
    assert_output_is "bridge husk"
    local ip id
    ip=$(husk inspect --format '{{.NetworkSettings.IPAddress}}' d1)
    id=$(husk inspect --format '{{.Id}}' d1)
    ip link show "huskv${id:0:10}" | grep -q "master husk0"
    run_husk exec d1 ip -4 -o addr show eth0
    assert_output_contains "inet $ip/"
    # NAT: the gateway is the bridge, the route leads out
    run_husk exec d1 ip route
    assert_output_contains "default via"
    husk rm -f -t 0 d1 >/dev/null
    link_gone "huskv${id:0:10}"
}

@test "bridge: 20 parallel run -d on the default network across two stores: distinct addresses, nothing left" {
    skip_if_rootless "rootful: host links and nft (rootless: 222-rootless-bridge.bats)"
    local other=$HUSK_TMP/other i
    "$HUSK_BIN" --root "$other/root" --runroot "$other/run" load -i "$HUSK_IMAGES/busybox.docker.tar" >/dev/null
    for i in $(seq 20); do
        if [ $((i % 2)) -eq 0 ]; then
            husk run -d --name "p$i" busybox sleep 100 >/dev/null 3>&- &
        else
            "$HUSK_BIN" --root "$other/root" --runroot "$other/run" run -d --name "p$i" \
                busybox sleep 100 >/dev/null 3>&- &
        fi
    done
    wait
    local ips ids
    ips=$( (husk inspect --format '{{.NetworkSettings.IPAddress}}' $(husk ps -q)
            "$HUSK_BIN" --root "$other/root" --runroot "$other/run" inspect \
                --format '{{.NetworkSettings.IPAddress}}' \
                $("$HUSK_BIN" --root "$other/root" --runroot "$other/run" ps -q)) | grep . | sort -u | wc -l)
    assert_equal "$ips" "20"
    ids="$(husk ps -q --no-trunc) $("$HUSK_BIN" --root "$other/root" --runroot "$other/run" ps -q --no-trunc)"
    husk rm -f -t 0 -a >/dev/null
    "$HUSK_BIN" --root "$other/root" --runroot "$other/run" rm -f -t 0 -a >/dev/null
    for id in $ids; do
        link_gone "huskv${id:0:10}"
        ! nft list ruleset | grep -q "${id:0:12}" || false
    done
    run sqlite3 -cmd ".timeout 60000" /var/lib/husk-net/ipam.db "select count(*) from leases where store in ('$HUSK_ROOT/husk.db', '$other/root/husk.db')"
    assert_output_is "0"
}

@test "bridge: 20 parallel run -d get distinct addresses, and rm -f leaves nothing" {
    skip_if_rootless "rootful: host links and nft (rootless: 222-rootless-bridge.bats)"
    local ports=() p
    # twenty ports each checked free (a range after one could hold another
    # test's, or an ephemeral port of the machine's)
    while [ "${#ports[@]}" -lt 20 ]; do
        p=$(free_port)
        [[ " ${ports[*]} " == *" $p "* ]] || ports+=("$p")
    done
    for i in $(seq 20); do
        husk run -d --name "par$i" --network bridge -p "${ports[i - 1]}:80" busybox sleep 100 \
            >/dev/null 3>&- &
    done
    wait
    run_husk ps -q
    [ "${#lines[@]}" -eq 20 ]
    local ids
    ids=$(husk ps -q --no-trunc)
    run bash -c "for i in \$(seq 20); do $HUSK_BIN --root $HUSK_ROOT --runroot $HUSK_RUNROOT inspect --format '{{.NetworkSettings.IPAddress}}' par\$i; done | sort -u | wc -l"
    assert_output_is "20"
    husk rm -f -t 0 -a >/dev/null
    for id in $ids; do
        link_gone "huskv${id:0:10}"
    done
    # none of their ports is left in the host-wide map (which other stores
    # of the machine, running now, use too)
    run nft list map ip husk ports_any
    for p in "${ports[@]}"; do
        [[ "$output" != *" . $p : "* ]]
    done
    # no lease of this store is left in the host-wide database
    run sqlite3 -cmd ".timeout 60000" /var/lib/husk-net/ipam.db "select count(*) from leases where store = '$HUSK_ROOT/husk.db'"
    assert_output_is "0"
}

@test "bridge: stop tears the link and the rules down, start brings them back" {
    skip_if_rootless "rootful: host links and nft (rootless: 222-rootless-bridge.bats)"
    local port id
    port=$(free_port)
    web s1 --network bridge -p "$port:80"
    id=$(husk inspect --format '{{.Id}}' s1)
    ip link show "huskv${id:0:10}" >/dev/null
    husk stop -t 0 s1 >/dev/null
    link_gone "huskv${id:0:10}"
    ! nft list map ip husk ports_any 2>/dev/null | grep -q "tcp . $port " || false
    husk start s1 >/dev/null
    run wget_retry "http://127.0.0.1:$port/"
    assert_output_is "hello-s1"
}

@test "bridge: network reload makes the firewall rules of running containers again" {
    skip_if_rootless "rootful: host links and nft (rootless: 222-rootless-bridge.bats)"
    local port id
    port=$(free_port)
    web r1 --network bridge -p "$port:80"
    id=$(husk inspect --format '{{.Id}}' r1)
    run wget_retry "http://127.0.0.1:$port/"
    assert_output_is "hello-r1"
    # what a flush of the firewall does to this container (the whole
    # table is shared with the containers of other stores running now)
    nft delete element ip husk ports_any "{ tcp . $port }"
    run wget -q -T 2 -O- "http://127.0.0.1:$port/"
    [ "$status" -ne 0 ]
    run_husk network reload r1
    assert_output_is "$id"
    run wget_retry "http://127.0.0.1:$port/"
    assert_output_is "hello-r1"
    run_husk network reload --all
    assert_output_contains "$id"
    run_husk 125 network reload
    assert_output_contains "--all"
    run_husk 125 network reload nosuch
    assert_output_contains "no container"
}

@test "bridge: network create, ls with filters and formats, inspect, exists, prune" {
    skip_if_rootless "rootful: host links and nft (rootless: 222-rootless-bridge.bats)"
    run_husk network create --subnet 10.231.8.0/24 --gateway 10.231.8.254 --label env=t \
        --opt mtu=1400 --internal t220b
    assert_output_is "t220b"
    run_husk network create --ip-range 10.231.9.128/25 --subnet 10.231.9.0/24 --disable-dns t220c
    run_husk network create --ignore t220b
    assert_output_is "t220b"
    run_husk network ls --format '{{.Name}}'
    [[ "$output" == *"husk"* ]]
    [[ "$output" == *"t220b"* ]]
    [[ "$output" == *"t220c"* ]]
    run_husk network ls -q --filter label=env=t
    assert_output_is "t220b"
    run_husk network ls -q --filter name=^t220
    assert_output_is "t220b
t220c"
    run_husk network ls -q --filter driver=bridge --filter name=t220c
    assert_output_is "t220c"
    local id
    id=$(husk network inspect --format '{{.ID}}' t220b)
    [ "${#id}" -eq 64 ]
    run_husk network ls --no-trunc --filter "id=${id:0:6}" --format '{{.ID}}'
    assert_output_is "$id"
    run_husk network ls --filter "id=${id:0:6}"
    [[ "${lines[1]}" =~ ^${id:0:12}\ +t220b\ +bridge$ ]]
    run_husk network inspect t220b
    run jq -r '.[0] | [.name, .driver, .subnets[0].subnet, .subnets[0].gateway,
                       .internal, .labels.env, .options.mtu, .ipam_options.driver,
                       .ipv6_enabled] | join(" ")' <<<"$output"
    assert_output_is "t220b bridge 10.231.8.0/24 10.231.8.254 true t 1400 host-local false"
    run_husk network inspect --format '{{.Name}} {{.NetworkInterface}}' podman
    assert_output_is "husk husk0"
    run_husk network inspect t220c
    run jq -r '.[0].subnets[0].lease_range.start_ip + " " + (.[0].dns_enabled|tostring)' <<<"$output"
    assert_output_is "10.231.9.128 false"
    run_husk network exists bridge
    run_husk 1 network exists nosuch
    # definitions are files in the network config dir, as Podman's
    jq -e '.name == "t220b" and .subnets[0].subnet == "10.231.8.0/24"' \
        /etc/containers/networks/t220b.json >/dev/null
    run_husk network prune -f --filter label=env=t
    assert_output_is "t220b"
    # networks are host-wide: only this test's are pruned by label
    husk network rm t220c >/dev/null
    [ ! -e /etc/containers/networks/t220c.json ]
    run_husk network ls -q --filter name=^t220
    assert_output_is ""
    run_husk network ls -q
    assert_equal "${lines[0]}" "husk"
    run_husk 125 network rm husk
    assert_output_contains "cannot be removed"
}

@test "bridge: bad input fails clearly and makes nothing" {
    skip_if_rootless "rootful: host links and nft (rootless: 222-rootless-bridge.bats)"
    run_husk network create --subnet 10.231.10.0/24 t220d
    run_husk 125 network create --subnet 10.231.10.128/25 t220e
    assert_output_contains "already used"
    local hostnet
    hostnet=$(ip -4 -o route show scope link | awk '$1 ~ /\// && $3 !~ /^husk/ {print $1; exit}')
    run_husk 125 network create --subnet "$hostnet" t220e
    assert_output_contains "already used on the host"
    run_husk 125 network create --subnet 10.231.11.5/24 t220e
    assert_output_contains "host bits"
    run_husk 125 network create --driver overlay t220e
    assert_output_contains "unsupported driver overlay"
    run_husk 125 network create --subnet 10.231.12.0/24 --gateway 10.231.13.1 t220e
    assert_output_contains "gateway"
    run_husk 125 network create t220d
    assert_output_contains "already exists"
    run_husk 1 network exists t220e
    run_husk 125 run --rm --network nosuchnet busybox true
    assert_output_contains "unable to find network"
    run_husk 125 run --rm --network t220d --mac-address 01:00:00:00:00:01 busybox true
    assert_output_contains "invalid MAC"
    run_husk 125 run --rm --network none --ip 10.231.10.5 busybox true
    assert_output_contains "need a bridge network"
    run_husk 125 run --rm --network t220d,host busybox true
    assert_output_contains "cannot be combined"
    # a host port taken by a program of the host's: the start fails
    local port
    port=$(free_port)
    busybox nc -l -p "$port" </dev/null >/dev/null 3>&- &
    local pid=$!
    wait_listening "$port"
    run_husk 125 run --name busy --network bridge -p "$port:80" busybox true
    kill "$pid" 2>/dev/null || true
    assert_output_contains "already in use"
    run_husk inspect --format '{{.State.Status}}' busy
    assert_output_is "created"
    local id
    id=$(husk inspect --format '{{.Id}}' busy)
    ! ip link show "huskv${id:0:10}" 2>/dev/null || false
}

@test "bridge: a container of another store on the same bridge gets another address" {
    skip_if_rootless "rootful: host links and nft (rootless: 222-rootless-bridge.bats)"
    husk run -d --name c1 --network bridge busybox sleep 100 >/dev/null
    local ip1 other=$HUSK_TMP/other
    ip1=$(husk inspect --format '{{.NetworkSettings.IPAddress}}' c1)
    "$HUSK_BIN" --root "$other/root" --runroot "$other/run" load -i "$HUSK_IMAGES/busybox.docker.tar" >/dev/null
    run "$HUSK_BIN" --root "$other/root" --runroot "$other/run" run --rm --network bridge busybox \
        sh -c 'ip -4 -o addr show eth0'
    [ "$status" -eq 0 ]
    [[ "$output" == *"inet 10."* ]]
    [[ "$output" != *"inet $ip1/"* ]]
}

@test "bridge: the address of a running container whose store went is not handed out again" {
    skip_if_rootless "rootful: host links and claims (rootless: 222-rootless-bridge.bats)"
    local other=$HUSK_TMP/other ip1
    local -a o=("$HUSK_BIN" --root "$other/root" --runroot "$other/run")
    "${o[@]}" load -i "$HUSK_IMAGES/busybox.docker.tar" >/dev/null
    husk network create --subnet 10.231.19.0/29 t220s >/dev/null
    "${o[@]}" run -d --name gone --network t220s busybox sleep 100 >/dev/null
    ip1=$("${o[@]}" inspect --format '{{.NetworkSettings.Networks.t220s.IPAddress}}' gone)
    # its store's database is gone (the lease with it); the container runs on
    mv "$other/root/husk.db" "$other/root/husk.db.away"
    run_husk run --rm --network t220s busybox ip -4 -o addr show eth0
    assert_output_contains "inet 10.231.19."
    [[ "$output" != *"inet $ip1/"* ]]
    mv "$other/root/husk.db.away" "$other/root/husk.db"
    "${o[@]}" rm -f -t 0 gone >/dev/null
}

@test "bridge: the address database's WAL stays small over many runs" {
    skip_if_rootless "rootful: the host's database (rootless: the user's, same code)"
    # every command reads the whole WAL when it opens the database: it is
    # emptied past 64 pages (4 MB of it cost a bridge run 30 ms)
    for _ in $(seq 60); do
        husk create --name w --network bridge busybox true >/dev/null
        husk rm w >/dev/null
    done
    local size
    size=$(stat -c %s /var/lib/husk-net/ipam.db-wal)
    [ "$size" -le $((64 * (4096 + 24) + 32)) ] || { echo "WAL of $size bytes"; false; }
}

@test "bridge: a network whose definition directory went takes its bridge along" {
    skip_if_rootless "rootful: host links (rootless: 222-rootless-bridge.bats)"
    local dir=$HUSK_TMP/gone-nets br
    run_husk --network-config-dir "$dir" network create t220g
    br=$(husk --network-config-dir "$dir" network inspect --format '{{.NetworkInterface}}' t220g)
    husk --network-config-dir "$dir" run --rm --network t220g busybox true
    ip link show "$br" >/dev/null
    rm -rf "$dir"
    # The next network made, in any directory, drops the record and the link.
    run_husk network create t220h
    ! ip link show "$br" 2>/dev/null || false
}
