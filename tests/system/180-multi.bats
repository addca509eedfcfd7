#!/usr/bin/env bats
# Commands over several containers behave as Podman 4.3.1's: every name is
# resolved first, so one missing name makes the command do nothing; what
# succeeded is printed (as the user wrote it) before the errors; --ignore,
# --all and --latest; the exit codes (rm: 1 for a missing container).
load helpers

setup() {
    container_setup
}

teardown() {
    container_teardown
}

MISSING='Error: no container with name or ID "nosuch" found: no such container'

# running NAME...: detached sleepers; created NAME...: never started.
running() { for n in "$@"; do run_husk run -d --name "$n" husk-test/busybox sleep 1000; done; }
created() { for n in "$@"; do run_husk create --name "$n" husk-test/busybox sleep 1000; done; }

# assert_states "a=running b=exited": each container's State.Status.
assert_states() {
    local want got=""
    for want in $1; do
        got="$got ${want%%=*}=$(husk inspect --format '{{.State.Status}}' "${want%%=*}")"
    done
    assert_equal "${got# }" "$1"
}

id_of() { husk inspect --format '{{.Id}}' "$1"; }

@test "stop: a missing name stops nothing; --ignore skips it; --all and --latest" {
    running a b
    run_husk 125 stop -t 0 a nosuch b
    assert_output_is "$MISSING"
    assert_states "a=running b=running"
    run_husk stop -t 0 --ignore a nosuch b
    assert_output_is "$(printf 'a\nb')"
    assert_states "a=exited b=exited"
    run_husk 125 stop
    assert_output_is "Error: you must provide at least one name or id"
    run_husk 125 stop --latest a
    assert_output_is "Error: --latest and containers cannot be used together"
    run_husk 125 stop --all a
    assert_output_is "Error: no arguments are needed with --all"
    run_husk 125 stop --all --latest
    assert_output_is "Error: --all and --latest cannot be used together"
    running c
    run_husk stop -t 0 --latest
    assert_output_is "$(id_of c)"
    assert_states "c=exited"
    run_husk start a b
    run_husk stop -t 0 --all
    [ "${#lines[@]}" -eq 3 ]
    assert_output_contains "$(id_of a)"
    assert_states "a=exited b=exited c=exited"
}

@test "kill: a missing name signals nothing; state errors come after the names" {
    running a b
    created c
    run_husk 125 kill a nosuch b
    assert_output_is "$MISSING"
    assert_states "a=running b=running"
    run_husk 125 kill a c b
    assert_output_is "$(printf 'a\nb\nError: can only kill running containers. %s is in state created: container state improper' "$(id_of c)")"
    assert_states "a=exited b=exited c=created"
    run_husk start a
    run_husk kill --all
    assert_output_is "$(id_of a)"
    assert_states "a=exited"
    run_husk 125 kill -s USR1 nosuch
    assert_output_is "$MISSING"
}

@test "rm: a missing name removes nothing and exits 1; in use exits 2; --force and --ignore" {
    running a
    created c d
    run_husk 1 rm c nosuch d
    assert_output_is "$MISSING"
    assert_states "c=created d=created"
    # Podman: --force with a missing name does nothing, quietly.
    run_husk rm -f c nosuch d
    assert_output_is ""
    assert_states "c=created d=created"
    run_husk rm -i c nosuch
    assert_output_is "c"
    run_husk 2 rm a d
    assert_output_is "$(printf 'd\nError: cannot remove container %s as it is running - running or paused containers cannot be removed without force: container state improper' "$(id_of a)")"
    assert_states "a=running"
    run_husk rm -f -i -t 0 a nosuch
    assert_output_is "a"
    run_husk ps -a -q
    assert_output_is ""
    run_husk 1 rm --latest
    assert_output_is "Error: no such container"
    run_husk 125 rm
    assert_output_is "Error: you must provide at least one name or id"
}

@test "rm --all removes what it can; running ones make it exit 2" {
    running a
    created c
    c_id=$(id_of c)
    run_husk 2 rm --all
    assert_output_is "$(printf '%s\nError: cannot remove container %s as it is running - running or paused containers cannot be removed without force: container state improper' "$c_id" "$(id_of a)")"
    run_husk ps -a --format '{{.Names}}'
    assert_output_is "a"
}

@test "start: a missing name starts nothing; running ones are not named; paused fails" {
    skip_without_cgroup "the paused state needs the freezer cgroup"
    running a
    created c d
    run_husk 125 start c nosuch d
    assert_output_is "$MISSING"
    assert_states "c=created d=created"
    run_husk start c a d
    assert_output_is "$(printf 'c\nd')"
    assert_states "a=running c=running d=running"
    run_husk pause a
    run_husk 125 start a
    assert_output_is "Error: unable to start container \"$(id_of a)\": container $(id_of a) must be in Created or Stopped state to be started: container state improper"
    run_husk unpause a
    run_husk 125 start
    assert_output_is "Error: start requires at least one argument"
    run_husk 125 start --all a
    assert_output_is "Error: either start all containers or the container(s) provided in the arguments"
    run_husk 125 start -a c d
    assert_output_is "Error: you cannot start and attach multiple containers at once"
    run_husk stop -t 0 c
    run_husk start --all
    assert_output_is "$(id_of c)"
    run_husk stop -t 0 d
    run_husk start --latest
    assert_output_is "$(id_of d)"
    assert_states "a=running c=running d=running"
}

@test "restart: a missing name restarts nothing; created ones start; --all --running" {
    running a
    created c
    pid=$(husk inspect --format '{{.State.Pid}}' a)
    run_husk 125 restart -t 0 a nosuch c
    assert_output_is "$MISSING"
    assert_states "a=running c=created"
    assert_equal "$(husk inspect --format '{{.State.Pid}}' a)" "$pid"
    run_husk restart -t 0 a c
    assert_output_is "$(printf 'a\nc')"
    assert_states "a=running c=running"
    [ "$(husk inspect --format '{{.State.Pid}}' a)" != "$pid" ]
    run_husk 125 restart --running
    assert_output_is "Error: you must provide at least one name or id"
    run_husk stop -t 0 c
    run_husk restart -t 0 --all --running
    assert_output_is "$(id_of a)"
    assert_states "a=running c=exited"
}

@test "pause and unpause: a missing name does nothing; Podman's state errors" {
    skip_without_cgroup "pause needs the freezer cgroup"
    running a b
    created c
    run_husk 125 pause a nosuch b
    assert_output_is "$MISSING"
    assert_states "a=running b=running"
    run_husk 125 pause a c b
    assert_output_is "$(printf 'a\nb\nError: "created" is not running, can'"'"'t pause: container state improper')"
    assert_states "a=paused b=paused c=created"
    run_husk 125 unpause a nosuch b
    assert_output_is "$MISSING"
    assert_states "a=paused b=paused"
    run_husk 125 unpause a c
    assert_output_is "$(printf 'a\nError: "%s" is not paused, can'"'"'t unpause: container state improper' "$(id_of c)")"
    assert_states "a=running b=paused"
    run_husk unpause --all
    assert_output_is "$(id_of b)"
    run_husk pause --all
    [ "${#lines[@]}" -eq 2 ]
    assert_states "a=paused b=paused c=created"
    # --latest is the newest container, c, whatever its state.
    run_husk 125 unpause --latest
    assert_output_is "Error: \"$(id_of c)\" is not paused, can't unpause: container state improper"
    run_husk 125 pause --latest
    assert_output_is 'Error: "created" is not running, can'"'"'t pause: container state improper'
}

@test "wait: a missing name waits for nothing; --ignore prints -1 for it; --latest" {
    run_husk 3 run --name x1 husk-test/busybox sh -c 'exit 3'
    run_husk 4 run --name x2 husk-test/busybox sh -c 'exit 4'
    run_husk 125 wait x1 nosuch x2
    assert_output_is "$MISSING"
    run_husk wait --ignore x1 nosuch x2
    assert_output_is "$(printf '3\n-1\n4')"
    run_husk wait --latest
    assert_output_is "4"
    run_husk 125 wait
    assert_output_is 'Error: "husk wait" requires a name, id, or the "--latest" flag'
    run_husk 125 wait --latest x1
    assert_output_is "Error: --latest and containers cannot be used together"
}

@test "inspect: prints what it found, then the missing ones as Podman does" {
    created a b
    run_husk 125 container inspect --format '{{.Name}}' a nosuch b
    assert_output_is "$(printf 'a\nb\nError: inspecting object: no such container nosuch')"
    run_husk 125 container inspect nosuch1 nosuch2
    assert_output_is "$(printf '[]\nerror inspecting object: no such container nosuch2\nError: inspecting object: no such container nosuch1')"
    run_husk 125 inspect --format '{{.Name}}' a nosuch b
    assert_output_is "$(printf 'a\nb\nError: inspecting object: no such object: "nosuch"')"
    run_husk container inspect --latest --format '{{.Name}}'
    assert_output_is "b"
    run_husk 125 container inspect --latest a
    assert_output_is "Error: --latest and arguments cannot be used together"
    run_husk 125 container inspect
    assert_output_is "Error: no names or ids specified"
    run_husk rm a b
    run_husk 125 container inspect --latest
    assert_output_is "$(printf '[]\nError: inspecting object: no containers to inspect: no such container')"
}

@test "logs: a missing name prints no logs at all" {
    run_husk run --name l1 husk-test/busybox echo one
    run_husk run --name l2 husk-test/busybox echo two
    run_husk 125 logs l1 nosuch l2
    assert_output_is "$MISSING"
    run_husk logs --latest
    assert_output_is "two"
    run_husk 125 logs
    assert_output_is "Error: specify at least one container name or ID to log"
}

@test "port: one container and an optional port; Podman's errors" {
    running a
    run_husk 125 port a nosuch b
    assert_output_is 'Error: `port` accepts at most 2 arguments'
    run_husk 125 port nosuch
    assert_output_is "$MISSING"
    run_husk port a 80
    assert_output_is ""
    run_husk port --latest
    assert_output_is ""
    run_husk 125 port
    assert_output_is "Error: you must supply a running container name or id"
    run_husk 125 port --all a
    assert_output_is "Error: no arguments are needed with --all"
}

@test "mount and unmount: the names that exist are done, only the missing one is reported" {
    use_unshare
    created a b
    run_husk 125 mount a nosuch b
    assert_output_is "$MISSING"
    run_husk mount
    assert_output_contains "$(id_of a | cut -c1-12)"
    assert_output_contains "$(id_of b | cut -c1-12)"
    run_husk 125 unmount a nosuch b
    assert_output_is "$MISSING"
    run_husk mount
    assert_output_is ""
    run_husk mount --latest
    assert_output_contains "/merged"
    run_husk unmount --latest
    assert_output_is "$(id_of b)"
    run_husk mount a b
    [ "${#lines[@]}" -eq 2 ]
    run_husk unmount a b
    assert_output_is "$(printf 'a\nb')"
    run_husk 125 unmount
    assert_output_is "Error: you must provide at least one name or id"
    run_husk 125 unmount --all a
    assert_output_is "Error: no arguments are needed with --all"
    run_husk 125 mount --latest a
    assert_output_is "Error: --latest and containers cannot be used together"
}

@test "rename: one container; a missing one or a wrong count fails with 125" {
    created a
    run_husk 125 rename nosuch x
    assert_output_is "$MISSING"
    run_husk 125 rename a
    assert_output_is "Error: accepts 2 arg(s), received 1"
    run_husk rename a a2
    assert_output_is ""
    assert_states "a2=created"
}
