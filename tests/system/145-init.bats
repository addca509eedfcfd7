#!/usr/bin/env bats
# husk init: a container created in the runtime, started later.
load helpers

setup() {
    container_setup
}

teardown() {
    container_teardown
}

@test "init creates the container without running it; start runs it" {
    run_husk create --name i1 husk-test/busybox sh -c 'echo ran > /tmp/mark; echo hello'
    run_husk init i1
    assert_output_is "i1"
    run_husk inspect --format '{{.State.Status}} {{.State.Running}}' i1
    assert_output_is "initialized false"
    run_husk inspect --format '{{.State.Pid}}' i1
    [ "$output" -gt 0 ]
    pid=$output
    # The process exists and waits in the runtime: it has not run the command.
    [ -d "/proc/$pid" ]
    id=$(husk inspect --format '{{.Id}}' i1)
    [ -f "$HUSK_ROOT/containers/$id/config.json" ]
    run_husk ps -a --format '{{.Names}} {{.Status}}'
    assert_output_is "i1 Initialized"
    run_husk logs i1
    assert_output_is ""
    run_husk start i1
    run_husk wait i1
    assert_output_is "0"
    run_husk logs i1
    assert_output_is "hello"
    run_husk events --stream=false --format '{{.Status}}' --filter container=i1
    [[ "$(echo $output)" == "create init start died"* ]]
}

@test "init refuses a container that is already initialized or running" {
    run_husk create --name i2 husk-test/busybox sleep 100
    run_husk init i2
    run_husk 125 init i2
    assert_output_contains "has already been created in runtime: container state improper"
    run_husk start i2
    run_husk 125 init i2
    assert_output_contains "container state improper"
    run_husk 125 init nosuch
    assert_output_contains "no such container"
}

@test "start -a of an initialized container gets all its output and exit code" {
    run_husk create --name i3 husk-test/busybox sh -c 'seq 1 2000; exit 7'
    run_husk init i3
    run_husk 7 start -a i3
    [ "${#lines[@]}" -eq 2000 ]
    [ "${lines[0]}" = "1" ]
    [ "${lines[1999]}" = "2000" ]
}

@test "stop and rm end an initialized container that never ran" {
    run_husk create --name i4 husk-test/busybox sleep 100
    run_husk init i4
    run_husk stop -t 0 i4
    run_husk inspect --format '{{.State.Status}}' i4
    assert_output_is "exited"
    run_husk create --name i5 husk-test/busybox sleep 100
    run_husk init i5
    # Podman removes an initialized container without --force.
    run_husk rm i5
    run_husk 1 container exists i5
    id=$(husk inspect --format '{{.Id}}' i4)
    ! store_mountinfo | grep -q "$id" || false
}

@test "init -a initializes the created containers; -l the newest" {
    run_husk create --name a1 husk-test/busybox true
    run_husk create --name a2 husk-test/busybox true
    run_husk init --latest
    run_husk ps -a --format '{{.Names}} {{.Status}}'
    assert_output_contains "a2 Initialized"
    assert_output_contains "a1 Created"
    run_husk init -a
    run_husk ps -a --format '{{.Names}} {{.Status}}'
    assert_output_contains "a1 Initialized"
    run_husk 125 init -a a1
}
