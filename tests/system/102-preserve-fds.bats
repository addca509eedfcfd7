#!/usr/bin/env bats
# --preserve-fds N of run and exec: husk's fds 3 .. 3+N-1, as the shell
# gave them, become the process's 3 .. 3+N-1 (Podman 5's run and exec).
# They go through husk-monitor to the runtime's --preserve-fds, serve the
# first start only, and nothing else gets them.  bats itself keeps fd 3
# open, so every test says what its fds 3 and 4 are.
load helpers

setup() {
    container_setup
}

teardown() {
    container_teardown
}

# A shell line that says whether the process has fd $1 open.
fd_state() {
    echo "if [ -e /proc/self/fd/$1 ]; then echo open; else echo closed; fi"
}

@test "run --preserve-fds 1: the process writes to the caller's fd 3" {
    run_husk run --rm --preserve-fds 1 husk-test/busybox sh -c 'echo hi >&3' 3>"$HUSK_TMP/out"
    assert_output_is ""
    assert_equal "$(cat "$HUSK_TMP/out")" "hi"
}

@test "run --preserve-fds 2: fds 3 and 4, each the caller's own" {
    echo from-four >"$HUSK_TMP/in"
    run_husk run --rm --preserve-fds 2 husk-test/busybox sh -c 'cat <&4 >&3; echo done' \
        3>"$HUSK_TMP/out" 4<"$HUSK_TMP/in"
    assert_output_is "done"
    assert_equal "$(cat "$HUSK_TMP/out")" "from-four"
    # Exactly 3+N: fd 5 is not passed on.
    run_husk run --rm --preserve-fds 2 husk-test/busybox sh -c "$(fd_state 4); $(fd_state 5)" \
        3>/dev/null 4>/dev/null 5>/dev/null
    assert_output_is $'open\nclosed'
}

@test "without --preserve-fds the process has no fd 3, though husk has one" {
    run_husk run --rm husk-test/busybox sh -c "$(fd_state 3)" 3>"$HUSK_TMP/out"
    assert_output_is "closed"
    run_husk run --rm --preserve-fds 0 husk-test/busybox sh -c "$(fd_state 3)" 3>"$HUSK_TMP/out"
    assert_output_is "closed"
}

@test "a preserved fd that is not open fails with 125, before anything is created" {
    run_husk 125 run --rm --preserve-fds 1 husk-test/busybox true 3<&-
    assert_output_is "Error: file descriptor 3 is not available - the preserve-fds option requires that file descriptors must be passed"
    run_husk 125 run --name nofd --preserve-fds 2 husk-test/busybox true 3>/dev/null 4<&-
    assert_output_is "Error: file descriptor 4 is not available - the preserve-fds option requires that file descriptors must be passed"
    # husk's own files (the state database) take the lowest free fds: they
    # are never taken for the caller's.
    run_husk 125 run -d --preserve-fds 3 husk-test/busybox true 3<&- 4<&- 5<&-
    assert_output_contains "file descriptor 3 is not available"
    [ -z "$(husk ps -aq)" ]
    run_husk 125 run --preserve-fds -1 husk-test/busybox true
    assert_output_contains 'invalid argument "-1" for "--preserve-fds" flag: strconv.ParseUint'
}

@test "run -d --preserve-fds: the detached container gets the fd, the monitor keeps none" {
    run_husk run -d --name bg --preserve-fds 1 husk-test/busybox \
        sh -c 'echo detached >&3; exec 3>&-; sleep 1000' 3>"$HUSK_TMP/out"
    for i in $(seq 50); do [ -s "$HUSK_TMP/out" ] && break; sleep 0.1; done
    assert_equal "$(cat "$HUSK_TMP/out")" "detached"
    # The monitor closed its copy once the runtime had it.
    local mon
    mon=$(husk inspect --format '{{.State.ConmonPid}}' bg)
    [ "$mon" -gt 0 ]
    run ls -l "/proc/$mon/fd/"
    [ "$status" -eq 0 ]
    [[ "$output" != *"$HUSK_TMP/out"* ]]
}

@test "the preserved fds serve the first start only" {
    run_husk run --name again --preserve-fds 1 husk-test/busybox sh -c "$(fd_state 3)" \
        3>"$HUSK_TMP/out"
    assert_output_is "open"
    run_husk start -a again 3>"$HUSK_TMP/out"
    assert_output_is "closed"
    # A restart by policy has none either.
    run_husk run -d --name rs --restart on-failure:1 --preserve-fds 1 husk-test/busybox \
        sh -c "$(fd_state 3); exit 1" 3>"$HUSK_TMP/out"
    run_husk wait rs
    run_husk logs rs
    assert_output_is $'open\nclosed'
}

@test "run -t and --log-driver passthrough pass the fds on too" {
    run_husk run --rm -t --preserve-fds 1 husk-test/busybox sh -c 'echo tty >&3' \
        3>"$HUSK_TMP/tty" </dev/null
    assert_equal "$(cat "$HUSK_TMP/tty")" "tty"
    run_husk run --rm --log-driver passthrough --preserve-fds 1 husk-test/busybox \
        sh -c 'echo pass >&3' 3>"$HUSK_TMP/pass"
    assert_equal "$(cat "$HUSK_TMP/pass")" "pass"
}

@test "exec --preserve-fds passes fds to the exec'd process, with -d too" {
    run_husk run -d --name box husk-test/busybox sleep 1000
    run_husk exec --preserve-fds 1 box sh -c 'echo from-exec >&3' 3>"$HUSK_TMP/out"
    assert_equal "$(cat "$HUSK_TMP/out")" "from-exec"
    run_husk exec box sh -c "$(fd_state 3)" 3>"$HUSK_TMP/out"
    assert_output_is "closed"
    run_husk exec -d --preserve-fds 2 box sh -c 'echo d3 >&3; echo d4 >&4' \
        3>"$HUSK_TMP/d3" 4>"$HUSK_TMP/d4"
    for i in $(seq 50); do [ -s "$HUSK_TMP/d4" ] && break; sleep 0.1; done
    assert_equal "$(cat "$HUSK_TMP/d3") $(cat "$HUSK_TMP/d4")" "d3 d4"
    run_husk 125 exec --preserve-fds 1 box true 3<&-
    assert_output_is "Error: file descriptor 3 is not available - the preserve-fds option requires that file descriptors must be passed"
}

@test "create --preserve-fds fails: the fds would be gone by the start" {
    run_husk 125 create --preserve-fds 1 husk-test/busybox true 3>/dev/null
    assert_output_contains "--preserve-fds: only run and exec pass file descriptors on"
    [ -z "$(husk ps -aq)" ]
}

@test "Podman's crun-only --preserve-fd is refused, naming --preserve-fds" {
    run_husk 125 run --preserve-fd 3 husk-test/busybox true
    assert_output_contains "not supported by husk: --preserve-fd:"
    assert_output_contains "--preserve-fds N"
}
