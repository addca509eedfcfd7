#!/usr/bin/env bats
# The rootless user namespace (issue 11): created once per user with a
# pause process, joined by later commands, re-created by `system migrate`.
# Each test has its own XDG_RUNTIME_DIR, so its own pause process, which
# teardown stops.
load helpers

setup() {
    husk_setup_store
    export XDG_RUNTIME_DIR=$HUSK_TMP/xdg
    mkdir -m 700 "$XDG_RUNTIME_DIR"
    export SHELL=/bin/sh
}

teardown() {
    if is_rootless; then "$HUSK_BIN" system migrate 2>/dev/null || true; fi
    rm -rf "$HUSK_TMP"
}

pause_pid() { head -n 1 "$XDG_RUNTIME_DIR/husk/pause.pid"; }

@test "unshare as root is refused, as Podman" {
    skip_if_rootless
    run_husk 125 unshare true
    assert_output_is "Error: please use unshare with rootless"
}

@test "unshare: root inside, the user's own uid and its subordinate range outside" {
    skip_if_root
    run_husk unshare id -u
    assert_output_is "0"
    run_husk unshare cat /proc/self/uid_map
    [[ "${lines[0]}" =~ ^\ *0\ +$(id -u)\ +1$ ]]
    local range
    range=$(awk -F: -v u="$(id -un)" '$1 == u {print $2" "$3; exit}' /etc/subuid)
    if [ -n "$range" ]; then
        set -- $range
        [[ "${lines[1]}" =~ ^\ *1\ +$1\ +$2$ ]]
    fi
}

@test "unshare: later commands join the same namespace, kept by the pause process" {
    skip_if_root
    run_husk unshare readlink /proc/self/ns/user
    local first=$output pid
    pid=$(pause_pid)
    [ "$(cat /proc/$pid/comm)" = husk-pause ]
    [ "$(readlink /proc/$pid/ns/user)" = "$first" ]
    run_husk unshare readlink /proc/self/ns/user
    assert_output_is "$first"
    [ "$(pause_pid)" = "$pid" ]
    [ "$(readlink /proc/self/ns/user)" != "$first" ]   # this shell stays outside
}

@test "unshare: exit status, working directory and default shell" {
    skip_if_root
    cd "$HUSK_TMP"
    run_husk 7 unshare sh -c 'exit 7'
    run_husk unshare pwd
    assert_output_is "$HUSK_TMP"
    run bash -c "echo 'echo in-\$(id -u)' | '$HUSK_BIN' unshare"
    [ "$status" -eq 0 ]
    [ "$output" = "in-0" ]
    run_husk 127 unshare /no/such/command
    assert_output_contains "/no/such/command"
}

@test "system migrate stops the pause process; the next command makes a new one" {
    skip_if_root
    run_husk unshare true
    local old
    old=$(pause_pid)
    run_husk system migrate
    [ ! -e "$XDG_RUNTIME_DIR/husk/pause.pid" ]
    ! kill -0 "$old" 2>/dev/null
    run_husk unshare true
    [ "$(pause_pid)" != "$old" ]
}

@test "a stale pause.pid naming another process is neither joined nor signalled" {
    skip_if_root
    sleep 1000 &
    local other=$!
    mkdir -p -m 700 "$XDG_RUNTIME_DIR/husk"
    printf '%s\n%s 1\n' "$other" "$(cat /proc/sys/kernel/random/boot_id)" \
        >"$XDG_RUNTIME_DIR/husk/pause.pid"
    run_husk unshare id -u
    assert_output_is "0"
    [ "$(pause_pid)" != "$other" ]
    run_husk system migrate
    kill -0 "$other"                      # the impostor was left alone
    kill "$other"
}

@test "a run directory open to others is refused, naming it" {
    skip_if_root
    mkdir -m 755 "$XDG_RUNTIME_DIR/husk"
    run_husk 125 unshare true
    assert_output_contains "'$XDG_RUNTIME_DIR/husk' must be a directory of uid $(id -u) with mode 0700"
}
