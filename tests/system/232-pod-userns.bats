#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# pod create --userns (issue 11): the infra container gets the user
# namespace, every member joins it (same maps, same namespace), and a
# member's own --userns or maps are refused as Podman does.  keep-id and
# nomap rootless, auto and --uidmap rootful.  Names start with t232.

load helpers

IMG=husk-test/busybox

setup() {
    container_setup
}

teardown() {
    husk pod rm -a -f -t 0 >/dev/null 2>&1 || true
    container_teardown
}

# The infra's and a member's user namespaces, seen from here: the same
# namespace and the same maps.
same_userns() {
    local pod=$1 member=$2 ipid mpid
    ipid=$(husk inspect --format '{{.State.Pid}}' "$(husk pod inspect "$pod" --format '{{.InfraContainerID}}')")
    mpid=$(husk inspect --format '{{.State.Pid}}' "$member")
    assert_equal "$(in_userns readlink /proc/$mpid/ns/user)" "$(in_userns readlink /proc/$ipid/ns/user)"
    [ "$(readlink /proc/$mpid/ns/user)" != "$(readlink /proc/self/ns/user)" ]
    assert_equal "$(cat /proc/$mpid/uid_map)" "$(cat /proc/$ipid/uid_map)"
}

# Rootful --userns=auto takes ranges of storage.conf's root-auto-userns-user
# (as in 192-userns-modes.bats): any user of /etc/subuid will do here.
auto_conf() {
    local name
    name=$(awk -F: '$3 >= 4096 { print $1; exit }' /etc/subuid)
    [ -n "$name" ] && grep -q "^$name:" /etc/subgid || skip "no range in /etc/subuid and /etc/subgid"
    printf '[storage]\n[storage.options]\nroot-auto-userns-user = "%s"\n' "$name" > "$HUSK_TMP/storage.conf"
    export CONTAINERS_STORAGE_CONF=$HUSK_TMP/storage.conf
}

@test "--userns=keep-id: members run as the user, in the infra's namespace" {
    skip_if_root "keep-id is rootless only"
    run_husk pod create --name t232k --userns keep-id
    run_husk run -d --pod t232k --name t232km $IMG sleep 1000
    run_husk exec t232km id -u
    assert_output_is "$(id -u)"
    run_husk exec t232km cat /proc/self/uid_map
    local inside=$output
    [[ "$(echo "$inside" | sed 's/^ *//; s/  */ /g' | sed -n 2p)" == "$(id -u) 0 1" ]]
    same_userns t232k t232km
    run_husk pod inspect t232k --format json
    assert_equal "$(jq -r '.[0].InfraConfig.userns' <<<"$output")" keep-id
    # A second member joins the same namespace.
    run_husk run --rm --pod t232k $IMG cat /proc/self/uid_map
    assert_output_is "$inside"
}

@test "--userns=nomap: the user is not mapped, in every member" {
    skip_if_root "nomap is rootless only"
    run_husk pod create --name t232n --userns nomap
    run_husk run -d --pod t232n --name t232nm $IMG sleep 1000
    run_husk exec t232nm cat /proc/self/uid_map
    # No line maps onto ID 0 of husk's namespace, which is the user.
    [ -n "$output" ]
    assert_equal "$(echo "$output" | awk '$2 == 0')" ""
    same_userns t232n t232nm
}

@test "--userns=auto (rootful): the member's map is not the identity, and is the infra's" {
    skip_if_rootless "rootful --userns=auto"
    auto_conf
    run_husk pod create --name t232a --userns auto
    run_husk run -d --pod t232a --name t232am $IMG sleep 1000
    run_husk exec t232am cat /proc/self/uid_map
    local map
    map=$(echo "$output" | sed 's/^ *//; s/  */ /g')
    [ "$map" != "0 0 4294967295" ]
    [[ "$map" =~ ^0\ [1-9][0-9]*\ [0-9]+$ ]]
    same_userns t232a t232am
    # The member's files are owned as its namespace maps them.
    run_husk exec t232am stat -c %u:%g /bin
    assert_output_is "0:0"
}

@test "--uidmap/--gidmap on the pod; a member's own user namespace is refused" {
    skip_if_rootless "maps of host IDs"
    run_husk pod create --name t232u --uidmap 0:200000:65536 --gidmap 0:200000:65536
    run_husk run -d --pod t232u --name t232um $IMG sleep 1000
    run_husk exec t232um cat /proc/self/uid_map
    assert_equal "$(echo "$output" | sed 's/^ *//; s/  */ /g')" "0 200000 65536"
    same_userns t232u t232um
    run_husk 125 run --pod t232u --userns host $IMG true
    assert_output_contains "cannot specify a new uid/gid map when entering a pod with an infra container"
    run_husk 125 run --pod t232u --uidmap 0:300000:10 $IMG true
    assert_output_contains "cannot specify a new uid/gid map"
    run_husk 125 pod create --name t232bad --userns bogus
    assert_output_contains "bogus"
    run_husk 1 pod exists t232bad
}
