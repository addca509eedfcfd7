#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# Networks of a container's own: pasta and slirp4netns (the rootless
# default is pasta), -p/-P/--expose, and the limits with their messages.
# Most tests run as root and as the test user alike.

load helpers

setup() {
    container_setup
}

teardown() {
    container_teardown
}

# The processes that serve a container's network: they name its files.
net_procs() {
    local id
    id=$(husk inspect --format '{{.Id}}' "$1" 2>/dev/null) || id=$1
    pgrep -f "$HUSK_RUNROOT/net/$id" || true
}

@test "pasta: the host reaches the container through -p, the container the host" {
    local p q
    p=$(free_port)
    q=$(free_port)
    run_husk run -d --name web --network pasta -p "$p:80" husk-test/busybox busybox httpd -f -p 80 -h /etc
    run wget_retry "http://127.0.0.1:$p/hostname"
    [ "$status" -eq 0 ]
    assert_output_is "$(husk inspect --format '{{.Config.Hostname}}' web)"
    # A server on the host, reached as host.containers.internal.
    busybox nc -l -p "$q" >"$HUSK_TMP/got" 3>&- &
    local srv=$!
    wait_listening "$q"
    run_husk run --rm --network pasta husk-test/busybox sh -c \
        "for i in 1 2 3 4 5; do echo from-the-container | nc -w 2 host.containers.internal $q && exit; sleep 0.2; done"
    wait "$srv" || true
    [ "$(cat "$HUSK_TMP/got")" = from-the-container ]
}

@test "pasta: -p publishes udp, ranges and a host address" {
    local p b
    p=$(free_port)
    b=$(free_port)
    # busybox's nc has no udp: the forwarding is seen bound on the host
    run_husk run -d --name u --network pasta -p "127.0.0.1:$p:5353/udp" husk-test/busybox sleep 1000
    run_husk run -d --name r --network pasta -p "$b-$((b + 1)):80-81" husk-test/busybox \
        sh -c 'busybox httpd -p 80 -h /etc; busybox httpd -p 81 -h /proc; exec sleep 1000'
    [ -n "$(ss -Hlun "sport = :$p" | grep -F "127.0.0.1:$p")" ]
    [ -z "$(ss -Hltn "sport = :$p")" ]
    run wget_retry "http://127.0.0.1:$b/hostname"
    [ "$status" -eq 0 ]
    run wget_retry "http://127.0.0.1:$((b + 1))/sys/kernel/hostname"
    [ "$status" -eq 0 ]
    run_husk port r
    assert_output_is "80/tcp -> 0.0.0.0:$b
81/tcp -> 0.0.0.0:$((b + 1))"
    run_husk port u 5353/udp
    assert_output_is "127.0.0.1:$p"
    run_husk ps --format '{{.Names}} {{.Ports}}' --filter name=r
    assert_output_is "r 0.0.0.0:$b-$((b + 1))->80-81/tcp"
    run_husk inspect --format '{{json .HostConfig.PortBindings}}' u
    assert_output_is "{\"5353/udp\":[{\"HostIp\":\"127.0.0.1\",\"HostPort\":\"$p\"}]}"
    run_husk rm -f -t 0 u
    [ -z "$(ss -Hlun "sport = :$p")" ]
    # slirp4netns binds it the same way
    run_husk run -d --name su --network slirp4netns -p "$p:5353/udp" husk-test/busybox sleep 1000
    [ -n "$(ss -Hlun "sport = :$p")" ]
}

@test "-p 80 picks a free host port, kept for the container's life; -P publishes --expose" {
    run_husk run -d --name web --network pasta -p 80 husk-test/busybox busybox httpd -f -p 80 -h /etc
    run_husk port web 80
    local hp=${output##*:}
    [[ "$output" == 0.0.0.0:* ]] && [ "$hp" -gt 0 ]
    run wget_retry "http://127.0.0.1:$hp/hostname"
    [ "$status" -eq 0 ]
    run_husk restart -t 0 web
    run_husk port web 80
    assert_output_is "0.0.0.0:$hp"
    run_husk create --name pall --network pasta -P --expose 7000-7001 --expose 53/udp husk-test/busybox
    run_husk port pall
    [ "${#lines[@]}" -eq 3 ]
    assert_output_contains "7000/tcp -> 0.0.0.0:"
    assert_output_contains "7001/tcp -> 0.0.0.0:"
    assert_output_contains "53/udp -> 0.0.0.0:"
    run_husk inspect --format '{{.HostConfig.PublishAllPorts}}' pall
    assert_output_is "true"
}

@test "pasta: the backend process goes with the container; cleanup twice is harmless" {
    local p
    p=$(free_port)
    run_husk run -d --name web --network pasta -p "$p:80" husk-test/busybox sleep 1000
    [ -n "$(net_procs web)" ]
    local id
    id=$(husk inspect --format '{{.Id}}' web)
    run_husk inspect --format '{{.NetworkSettings.SandboxKey}}' web
    assert_output_is "$HUSK_RUNROOT/net/$id/ns"
    run_husk stop -t 0 web
    [ -z "$(net_procs "$id")" ]
    [ ! -e "$HUSK_RUNROOT/net/$id" ]
    run_husk container cleanup web
    run_husk container cleanup web
    run_husk start web
    [ -n "$(net_procs "$id")" ]
    run_husk rm -f -t 0 web
    [ -z "$(net_procs "$id")" ]
    ! store_mountinfo | grep -q "$HUSK_RUNROOT/net/" || false
    # --rm, ended by the monitor's cleanup with no husk running
    run_husk run -d --rm --name gone --network pasta husk-test/busybox sleep 0.3
    id=$output
    [ -n "$(net_procs "$id")" ]
    for _ in $(seq 50); do
        husk container exists gone || break
        sleep 0.1
    done
    [ -z "$(net_procs "$id")" ]
    [ ! -e "$HUSK_RUNROOT/net/$id" ]
}

@test "networking survives restart, stop and start, and a restart policy" {
    local p q
    p=$(free_port)
    q=$(free_port)
    run_husk run -d --name web --network pasta -p "$p:80" husk-test/busybox busybox httpd -f -p 80 -h /etc
    run wget_retry "http://127.0.0.1:$p/hostname"
    [ "$status" -eq 0 ]
    run_husk restart -t 0 web
    run wget_retry "http://127.0.0.1:$p/hostname"
    [ "$status" -eq 0 ]
    run_husk stop -t 0 web
    run_husk start web
    run wget_retry "http://127.0.0.1:$p/hostname"
    [ "$status" -eq 0 ]
    # Each connection ends the process; the policy restarts it in the
    # same network, which still forwards the port.
    run_husk run -d --name pol --restart always --network pasta -p "$q:80" husk-test/busybox \
        sh -c 'echo served | nc -l -p 80'
    local got=0
    for _ in $(seq 100); do
        if [ "$(busybox nc -w 1 127.0.0.1 "$q" </dev/null 2>/dev/null)" = served ]; then
            got=$((got + 1))
            [ "$got" -ge 2 ] && break
        fi
        sleep 0.1
    done
    [ "$got" -ge 2 ]
    run_husk inspect --format '{{.RestartCount}}' pol
    [ "$output" -ge 1 ]
}

@test "resolv.conf and hosts name the backend's resolver and the host" {
    run_husk run --rm --name rc1 --network pasta husk-test/busybox cat /etc/resolv.conf /etc/hosts
    [ "${lines[0]}" = "nameserver 169.254.1.1" ]
    assert_output_contains "host.containers.internal host.docker.internal"
    assert_output_contains " rc1"
    run_husk run --rm --network slirp4netns husk-test/busybox cat /etc/resolv.conf /etc/hosts
    [ "${lines[0]}" = "nameserver 10.0.2.3" ]
    assert_output_contains "host.containers.internal host.docker.internal"
    run_husk run --rm --network slirp4netns:cidr=10.9.0.0/24,allow_host_loopback=true \
        husk-test/busybox cat /etc/resolv.conf /etc/hosts
    [ "${lines[0]}" = "nameserver 10.9.0.3" ]
    assert_output_contains "10.9.0.2	host.containers.internal"
    # --dns replaces the resolver
    run_husk run --rm --network pasta --dns 192.0.2.53 husk-test/busybox cat /etc/resolv.conf
    assert_output_contains "nameserver 192.0.2.53"
    [[ "$output" != *169.254.1.1* ]]
}

@test "slirp4netns: -p, restart, and its process goes with the container" {
    local p
    p=$(free_port)
    run_husk run -d --name s --network slirp4netns:mtu=1500 -p "$p:80" husk-test/busybox busybox httpd -f -p 80 -h /etc
    run_husk run --rm --network slirp4netns husk-test/busybox ip addr show tap0
    assert_output_contains "10.0.2.100/24"
    run wget_retry "http://127.0.0.1:$p/hostname"
    [ "$status" -eq 0 ]
    run_husk inspect --format '{{.HostConfig.NetworkMode}}' s
    assert_output_is "slirp4netns"
    local id
    id=$(husk inspect --format '{{.Id}}' s)
    [ -n "$(net_procs "$id")" ]
    run_husk restart -t 0 s
    run wget_retry "http://127.0.0.1:$p/hostname"
    [ "$status" -eq 0 ]
    run_husk rm -f -t 0 s
    [ -z "$(net_procs "$id")" ]
    run_husk 125 create --network slirp4netns:port_handler=rootlesskit husk-test/busybox
    assert_output_contains "port_handler=rootlesskit is not supported"
    run_husk 125 create --network slirp4netns:bogus=1 husk-test/busybox
    assert_output_contains 'unknown option for slirp4netns: "bogus=1"'
}

@test "the default network: pasta rootless (or containers.conf's), the bridge husk rootful" {
    run_husk create --name d husk-test/busybox
    run_husk inspect --format '{{.HostConfig.NetworkMode}}' d
    if is_rootless; then
        assert_output_is "pasta"
        printf '[network]\ndefault_rootless_network_cmd = "slirp4netns"\n' >"$HUSK_TMP/c.conf"
        CONTAINERS_CONF=$HUSK_TMP/c.conf run_husk create --name d2 husk-test/busybox
        run_husk inspect --format '{{.HostConfig.NetworkMode}}' d2
        assert_output_is "slirp4netns"
        run_husk run --rm husk-test/busybox ip route
        assert_output_contains "default via"
    else
        # the default bridge network (220-bridge and 221 test it further)
        assert_output_is "bridge"
        printf '[network]\ndefault_network = "podman"\n' >"$HUSK_TMP/c.conf"
        CONTAINERS_CONF=$HUSK_TMP/c.conf run_husk create --name d2 husk-test/busybox
        run_husk inspect --format '{{.HostConfig.NetworkMode}}' d2
        assert_output_is "bridge"
    fi
    run_husk create --name n --network none -p 8080:80 husk-test/busybox
    assert_output_contains "Port mappings have been discarded"
    run_husk port n
    assert_output_is ""
    run_husk run --rm --network none husk-test/busybox ip route
    assert_output_is ""
}

@test "bad -p and --network values fail before anything is made" {
    run_husk 125 create --network pasta -p 80:80:80:80 husk-test/busybox
    assert_output_contains 'invalid -p "80:80:80:80"'
    run_husk 125 create --network pasta -p 8000-8002:80-81 husk-test/busybox
    assert_output_contains "must have the same length"
    run_husk 125 create --network pasta -p 70000 husk-test/busybox
    assert_output_contains "ports are numbers from 1 to 65535"
    run_husk 125 create --network pasta -p 8080:80/sctp husk-test/busybox
    assert_output_contains "sctp is not supported"
    run_husk 125 create --network pasta -p nothere:8080:80 husk-test/busybox
    assert_output_contains '"nothere" is not an IP address'
    run_husk 125 create --network pasta:--netns,/x husk-test/busybox
    assert_output_contains 'pasta option "--netns" is set by husk'
    # a name is a bridge network's (220-bridge.bats; rootless 222)
    run_husk 125 create --network nosuch husk-test/busybox
    assert_output_contains "unable to find network with name or ID nosuch"
    [ -z "$(husk ps -aq)" ]
}

@test "rootless: a host port below ip_unprivileged_port_start is refused with the ways around it" {
    skip_if_root "root may bind any port"
    local start
    start=$(cat /proc/sys/net/ipv4/ip_unprivileged_port_start)
    [ "$start" -gt 80 ] || skip "ip_unprivileged_port_start is $start here"
    run_husk 125 run --rm --network pasta -p 80:80 husk-test/busybox true
    assert_output_contains "host port 80 is below net.ipv4.ip_unprivileged_port_start ($start)"
    assert_output_contains "publish on a host port of $start or more"
    assert_output_contains "reverse proxy"
    assert_output_contains "run husk as root"
    run_husk 125 run --rm --network slirp4netns -p 8080:80 -p 443:443 husk-test/busybox true
    assert_output_contains "host port 443 is below"
    [ -z "$(husk ps -aq)" ]
}

@test "pasta and slirp4netns are found in helper_binaries_dir, else \$PATH, else named with their package" {
    mkdir -p "$HUSK_TMP/helpers" "$HUSK_TMP/empty"
    printf '[engine]\nhelper_binaries_dir = ["%s"]\n' "$HUSK_TMP/empty" >"$HUSK_TMP/none.conf"
    CONTAINERS_CONF=$HUSK_TMP/none.conf PATH=/nonexistent run_husk 125 run --rm --network pasta husk-test/busybox true
    assert_output_is "Error: pasta not found in helper_binaries_dir (containers.conf) nor in \$PATH: install the passt package, or choose another network (--network slirp4netns)"
    CONTAINERS_CONF=$HUSK_TMP/none.conf PATH=/nonexistent run_husk 125 create --network slirp4netns husk-test/busybox
    assert_output_contains "slirp4netns not found in helper_binaries_dir (containers.conf) nor in \$PATH: install the slirp4netns package"
    ln -s "$(command -v pasta)" "$HUSK_TMP/helpers/pasta"
    printf '[engine]\nhelper_binaries_dir = ["%s"]\n' "$HUSK_TMP/helpers" >"$HUSK_TMP/h.conf"
    CONTAINERS_CONF=$HUSK_TMP/h.conf PATH=/nonexistent run_husk run --rm --network pasta husk-test/busybox ip route
    assert_output_contains "default via"
    # --network-cmd-path names slirp4netns
    run_husk 125 --network-cmd-path "$HUSK_TMP/empty/slirp4netns" create --network slirp4netns husk-test/busybox
    assert_output_contains "(--network-cmd-path) is not an executable file"
    PATH=/nonexistent run_husk --network-cmd-path "$(command -v slirp4netns)" run --rm \
        --network slirp4netns husk-test/busybox ip route
    assert_output_contains "default via 10.0.2.2"
    [ -z "$(husk ps -aq)" ]
}

@test "/dev/net/tun not accessible is named" {
    skip_if_rootless "hides /dev/net in a mount namespace of its own"
    run unshare -m sh -c "mount -t tmpfs tmpfs /dev/net && exec $HUSK_BIN --root $HUSK_ROOT --runroot $HUSK_RUNROOT run --rm --network pasta husk-test/busybox true"
    [ "$status" -eq 125 ]
    assert_output_contains "pasta needs /dev/net/tun, which is not accessible"
    [ ! -e "$HUSK_RUNROOT/net" ] || [ -z "$(ls "$HUSK_RUNROOT/net")" ]
}

@test "info shows pasta, slirp4netns and the rootless network command" {
    run_husk info --format json
    assert_equal "$(jq -r .host.pasta.executable <<<"$output")" "$(command -v pasta)"
    assert_equal "$(jq -r .host.slirp4netns.executable <<<"$output")" "$(command -v slirp4netns)"
    [[ "$(jq -r .host.slirp4netns.version <<<"$output")" == "slirp4netns version "* ]]
    [[ "$(jq -r .host.pasta.package <<<"$output")" == passt* ]]
    assert_equal "$(jq -r .host.rootlessNetworkCmd <<<"$output")" "pasta"
}

@test "timing: run --rm true with pasta and with --network none (printed, not asserted)" {
    local t0 t1 t2
    husk run --rm --network pasta husk-test/busybox true
    t0=$(date +%s%N)
    for _ in 1 2 3 4 5; do husk run --rm --network pasta husk-test/busybox true; done
    t1=$(date +%s%N)
    for _ in 1 2 3 4 5; do husk run --rm --network none husk-test/busybox true; done
    t2=$(date +%s%N)
    echo "# run --rm true: pasta $(((t1 - t0) / 5000000)) ms, none $(((t2 - t1) / 5000000)) ms" >&3
}
