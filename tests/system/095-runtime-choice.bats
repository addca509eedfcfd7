#!/usr/bin/env bats
# The runtime chooses itself: with no --runtime and no [engine] runtime,
# husk uses the first of crun and runc that can run on this host.  A fresh
# host of this kind has hybrid cgroups with hugetlb in cgroup2, where crun
# refuses to run; each test recreates that state (or its opposite) in a
# private mount namespace by bind-mounting a file over cgroup2's controller
# list, which is exactly what crun and husk read.
load helpers

CTRLS=/sys/fs/cgroup/unified/cgroup.controllers

setup() {
    skip_needs_root "it bind-mounts over the host's cgroup hierarchy"
    container_setup
    [ -e "$CTRLS" ] || skip "no hybrid cgroup hierarchy on this host"
    command -v crun >/dev/null && command -v runc >/dev/null || skip "needs crun and runc"
}

teardown() {
    container_teardown
}

# in_host CONTROLLERS command...: run husk's command with cgroup2 listing
# CONTROLLERS ("" for none), in a mount namespace of its own.
in_host() {
    local ctrls=$1; shift
    printf '%s' "$ctrls" > "$HUSK_TMP/controllers"
    run unshare -m --propagation private sh -c \
        'mount --bind "$0" '"$CTRLS"' && exec "$@"' "$HUSK_TMP/controllers" \
        "$HUSK_BIN" --root "$HUSK_ROOT" --runroot "$HUSK_RUNROOT" "$@"
}

@test "on a fresh hybrid host husk runs the container with runc and says why in info" {
    in_host "hugetlb" run --rm husk-test/busybox echo hello
    [ "$status" -eq 0 ] || { echo "$output"; false; }
    [ "$output" = "hello" ]

    in_host "hugetlb" info --format '{{.Host.OCIRuntime.Name}} {{.Host.OCIRuntime.Path}}'
    [[ "$output" == "runc /"*/runc ]] || { echo "$output"; false; }
    [ -x "${output#runc }" ]
    in_host "hugetlb" info --format '{{.Host.OCIRuntime.Reason}}'
    [[ "$output" == "crun cannot run on this host: cgroups are in hybrid mode"*"hugetlb"* ]]

    # The container records the runtime it was created with.
    in_host "hugetlb" create --name c husk-test/busybox true
    [ "$status" -eq 0 ]
    in_host "hugetlb" inspect --format '{{.OCIRuntime}}' c
    [ "$output" = "runc" ] || [ "$output" = "$(command -v runc)" ] || { echo "$output"; false; }
}

@test "where crun can run it is the choice, with no reason given" {
    in_host "" info --format '{{.Host.OCIRuntime.Name}}|{{.Host.OCIRuntime.Reason}}'
    [ "$output" = "crun|<no value>" ] || { echo "$output"; false; }
    in_host "" run --rm husk-test/busybox echo hello
    [ "$output" = "hello" ]
}

@test "an explicit --runtime crun on a hybrid host fails with husk's message" {
    for how in "--runtime crun run" "run --runtime crun"; do
        # shellcheck disable=SC2086
        in_host "hugetlb" $how --rm husk-test/busybox echo hello
        [ "$status" -eq 125 ] || { echo "$how: $status $output"; false; }
        [[ "$output" == *"crun cannot run on this host: cgroups are in hybrid mode with controllers in the unified hierarchy (hugetlb)"* ]]
        [[ "$output" == *"mount -t cgroup -o hugetlb cgroup /sys/fs/cgroup/hugetlb"* ]]
        [[ "$output" == *"--runtime runc"* ]]
    done
    # Nothing is left behind by the failed --rm runs.
    run_husk ps -a -q
    [ -z "$output" ]
}

@test "[engine] runtime in containers.conf is used as named, not replaced" {
    printf '[engine]\nruntime = "crun"\n' > "$HUSK_TMP/containers.conf"
    export CONTAINERS_CONF=$HUSK_TMP/containers.conf
    in_host "hugetlb" info --format '{{.Host.OCIRuntime.Name}}'
    [ "$output" = "crun" ]
    in_host "hugetlb" run --rm husk-test/busybox true
    [ "$status" -eq 125 ]
    [[ "$output" == *"crun cannot run on this host"* ]]
}

@test "a container keeps its runtime when the host changes under it" {
    # Created where crun cannot run: runc.  Started where crun could: still runc.
    in_host "hugetlb" create --name k husk-test/busybox echo ran
    in_host "" start -a k
    [ "$status" -eq 0 ] && [ "$output" = "ran" ] || { echo "$output"; false; }
    run_husk container inspect --format '{{.OCIRuntime}}' k
    [[ "$output" == *runc ]]
}
