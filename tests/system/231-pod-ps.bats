#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# Listing and inspecting pods: pod ps (columns, --format, --filter,
# --sort, -q, --ctr-*), pod inspect's JSON (Podman 5: an array), and the
# container side: ps --pod, --filter pod=, inspect's Pod, IsInfra.
# Names start with t231.

load helpers

IMG=husk-test/busybox

setup() {
    container_setup
}

teardown() {
    husk pod rm -a -f -t 0 >/dev/null 2>&1 || true
    container_teardown
}

@test "pod ps: Podman's columns, -q, --no-trunc, --format, json" {
    run_husk pod create --name t231a --label app=web
    local id=$output
    run_husk pod create --name t231b
    run_husk run -d --pod t231a --name t231m $IMG sleep 1000
    run_husk pod ps
    assert_equal "$(echo "${lines[0]}" | sed 's/  */ /g')" "POD ID NAME STATUS CREATED INFRA ID # OF CONTAINERS"
    assert_equal "${#lines[@]}" 3
    run_husk pod ls --noheading --format '{{.Name}}'
    assert_equal "$(echo "$output" | sort | tr '\n' ' ')" "t231a t231b "
    run_husk pod ps -q --filter name=t231a
    assert_output_is "${id:0:12}"
    run_husk pod ps -q --no-trunc --filter name=t231a
    assert_output_is "$id"
    run_husk pod ps --filter name=t231a --format '{{.Name}} {{.Status}} {{.NumberOfContainers}} {{.Labels}} {{.ContainerNames}} {{.ContainerStatuses}}'
    assert_output_is "t231a Running 2 map[app:web] ${id:0:12}-infra,t231m running,running"
    run_husk pod ps --filter name=t231a --ctr-names --ctr-status --ctr-ids
    assert_output_contains "t231m"
    assert_output_contains "running,running"
    run_husk pod ps --format json
    assert_equal "$(jq -r 'map(.Name) | sort | join(" ")' <<<"$output")" "t231a t231b"
    assert_equal "$(jq -r '.[] | select(.Name == "t231a") | "\(.Id) \(.Status) \(.Containers | length) \(.Labels.app) \(.InfraId | length)"' <<<"$output")" "$id Running 2 web 64"
    run_husk pod list --sort name --format '{{.Name}}'
    assert_output_is "t231a
t231b"
    run_husk pod ps --sort number --format '{{.Name}}'
    assert_equal "${lines[1]}" t231a
    run_husk 125 pod ps --sort nothing
}

@test "pod ps --filter: id, name, label, status, ctr-names, ctr-ids, ctr-status, ctr-number, network" {
    run_husk pod create --name t231x --label tier=db
    local id=$output
    run_husk pod create --name t231y
    run_husk run -d --pod t231x --name t231xm $IMG sleep 1000
    f() { husk pod ps --format '{{.Name}}' "$@" | sort | tr '\n' ' '; }
    assert_equal "$(f --filter id="${id:0:10}")" "t231x "
    assert_equal "$(f --filter name=t231y)" "t231y "
    assert_equal "$(f --filter label=tier=db)" "t231x "
    assert_equal "$(f --filter label=tier)" "t231x "
    assert_equal "$(f --filter status=running)" "t231x "
    assert_equal "$(f --filter status=created)" "t231y "
    assert_equal "$(f --filter ctr-names=t231xm)" "t231x "
    assert_equal "$(f --filter ctr-ids="$(husk inspect --format '{{.Id}}' t231xm | cut -c1-12)")" "t231x "
    assert_equal "$(f --filter ctr-status=created)" "t231y "
    assert_equal "$(f --filter ctr-number=2)" "t231x "
    assert_equal "$(f --filter name=t231x --filter name=t231y)" "t231x t231y "
    assert_equal "$(f --filter name=t231x --filter status=created)" ""
    local net
    net=$(husk pod inspect t231y --format '{{index .InfraConfig.Networks 0}}')
    assert_equal "$(f --filter network="$net")" "t231x t231y "
    run_husk 125 pod ps --filter color=red
    assert_output_contains "invalid filter"
    run_husk 125 pod ps --filter status=sleepy
}

@test "pod inspect: a JSON array in Podman 5's shape; --format; errors" {
    run_husk pod create --name t231i --label a=b --hostname t231host --share ipc,uts
    local id=$output
    run_husk run -d --pod t231i --name t231im $IMG sleep 1000
    run_husk pod inspect t231i
    jq -e 'type == "array" and length == 1' <<<"$output"
    local o
    o=$(jq '.[0]' <<<"$output")
    jq -e '(.Id | type) == "string" and (.Created | type) == "string"
           and (.CreateCommand | type) == "array" and (.Labels | type) == "object"
           and (.CreateInfra | type) == "boolean" and (.NumContainers | type) == "number"
           and (.InfraConfig.HostNetwork | type) == "boolean"
           and (.InfraConfig.PortBindings | type) == "object"
           and (.InfraConfig.Networks | type) == "array"
           and (.Containers | type) == "array"' <<<"$o"
    assert_equal "$(jq -r '.Id' <<<"$o")" "$id"
    assert_equal "$(jq -r '.Name, .State, .Hostname, .ExitPolicy, .Labels.a' <<<"$o" | tr '\n' ' ')" "t231i Running t231host continue b "
    assert_equal "$(jq -c '.SharedNamespaces' <<<"$o")" '["ipc","uts"]'
    assert_equal "$(jq -r '.NumContainers, (.Containers | map(.Name) | join(","))' <<<"$o" | tr '\n' ' ')" "2 ${id:0:12}-infra,t231im "
    assert_equal "$(jq -r '.CreateCommand | .[-2:] | join(" ")' <<<"$o")" "--share ipc,uts"
    assert_equal "$(jq -r '.Containers[0].Id' <<<"$o")" "$(jq -r '.InfraContainerID' <<<"$o")"
    run_husk exec t231im hostname
    assert_output_is t231host
    run_husk pod inspect --format '{{.Name}} {{.NumContainers}}' t231i
    assert_output_is "t231i 2"
    run_husk pod inspect --format '{{.ID}}' "${id:0:12}"
    assert_output_is "$id"
    run_husk 125 pod inspect t231nothere
    assert_output_is "Error: no pod with name or ID t231nothere found: no such pod"
    run_husk pod exists t231i
    run_husk 1 pod exists t231nothere
}

@test "ps --pod, --filter pod=, {{.Pod}} {{.PodName}}, inspect's Pod and IsInfra" {
    run_husk pod create --name t231p
    local id=$output
    run_husk run -d --pod t231p --name t231pm $IMG sleep 1000
    run_husk run -d --name t231alone $IMG sleep 1000
    run_husk ps --pod
    assert_output_contains "POD ID"
    assert_output_contains "PODNAME"
    run_husk ps --pod --format '{{.Names}} {{.Pod}} {{.PodName}}' --filter name=t231
    assert_equal "$(echo "$output" | sort | tr '\n' '|')" "t231alone  |t231pm ${id:0:12} t231p|"
    run_husk ps -a --filter pod=t231p --format '{{.Names}}'
    assert_equal "$(echo "$output" | sort | tr '\n' ' ')" "${id:0:12}-infra t231pm "
    run_husk ps -a --filter pod="$id" -q
    assert_equal "${#lines[@]}" 2
    run_husk ps -a --filter pod=t231none -q
    assert_output_is ""
    run_husk ps -a --format json --filter pod=t231p
    assert_equal "$(jq -r 'map("\(.Names[0] // .Names) \(.Pod == "'"$id"'") \(.PodName) \(.IsInfra)") | sort | join("|")' <<<"$output")" "${id:0:12}-infra true t231p true|t231pm true t231p false"
    run_husk inspect --format '{{.Pod}} {{.IsInfra}}' t231pm
    assert_output_is "$id false"
    run_husk inspect --format '{{.Pod}}' t231alone
    assert_output_is ""
}

@test "pod create --label-file: k=v lines (CRLF too), bare keys, comments skipped; --label added" {
    printf 'a=1\r\n# a comment\n\nb\n' >"$HUSK_TMP/labels"
    run_husk pod create --name t231lf --label-file "$HUSK_TMP/labels" --label x=y
    run_husk pod inspect t231lf --format '{{json .Labels}}'
    assert_output_is '{"a":"1","b":"","x":"y"}'
}
