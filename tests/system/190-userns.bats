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
    if is_rootless; then
        husk rm -a -f -t 0 >/dev/null 2>&1 || true
        "$HUSK_BIN" unshare rm -rf "$HUSK_ROOT" "$HUSK_RUNROOT" 2>/dev/null || true
        "$HUSK_BIN" system migrate 2>/dev/null || true
    fi
    rm -rf "$HUSK_TMP"
}

pause_pid() { head -n 1 "$XDG_RUNTIME_DIR/husk/pause.pid"; }

@test "unshare as root is refused, as Podman" {
    skip_needs_root "it checks what root gets from unshare"
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
    sleep 1000 >/dev/null 2>&1 3>&- &
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

# ---- containers in the namespace ---------------------------------------------

load_busybox() {
    run_husk load -i "$HUSK_IMAGES/busybox.docker.tar"
}

@test "rootless: the container's root is the user on the host" {
    skip_if_root
    load_busybox
    run_husk run --rm husk-test/busybox id -u
    assert_output_is "0"
    run_husk run -d --name s husk-test/busybox sleep 100
    pid=$(husk inspect --format '{{.State.Pid}}' s)
    [ "$(awk '/^Uid:/ {print $2}' /proc/$pid/status)" = "$(id -u)" ]
    run_husk rm -f -t 0 s
}

@test "rootless: a host file owned by root, bind-mounted read-write, stays root's" {
    skip_if_root
    [ -w /etc/hostname ] && skip "/etc/hostname is writable by this user"
    load_busybox
    run_husk 1 run --rm -v /etc/hostname:/mnt/h husk-test/busybox sh -c 'echo pwn >>/mnt/h'
    assert_output_contains "Permission denied"
}

@test "rootless: storage is kernel overlay with user xattrs, layers owned by mapped IDs" {
    skip_if_root
    load_busybox
    run_husk info --format '{{.Store.GraphDriverName}}'
    assert_output_is "overlay"
    run_husk run --name c husk-test/busybox sh -c 'rm /bin/ls; mkdir -p /o && chown 1000:1000 /o'
    run_husk diff c
    assert_output_contains "D /bin/ls"
    run_husk commit -q c committed
    run_husk 127 run --rm committed ls /   # the whiteout hides it
    run_husk run --rm committed stat -c %u:%g /o
    assert_output_is "1000:1000"
}

@test "rootless limits on cgroup v1: pause and stats say why, as Podman" {
    skip_if_root
    [ "$(stat -f -c %T /sys/fs/cgroup)" = cgroup2fs ] && skip "cgroup v2 host"
    load_busybox
    run_husk run -d --name s husk-test/busybox sleep 100
    run_husk 125 pause s
    assert_output_is "Error: can not pause containers on rootless containers with cgroup V1: this container does not have a cgroup"
    run_husk 125 unpause s
    assert_output_contains "can not unpause containers on rootless containers with cgroup V1"
    run_husk 125 stats --no-stream s
    assert_output_is "Error: stats is not supported in rootless mode without cgroups v2"
    run_husk rm -f -t 0 s
}

@test "rootless: mount needs husk unshare, where the mount is seen" {
    skip_if_root
    load_busybox
    run_husk create --name c husk-test/busybox true
    run_husk 125 mount c
    assert_output_is 'Error: cannot run command "husk mount" in rootless mode, must execute `husk unshare` first'
    run_husk 125 image mount husk-test/busybox
    assert_output_contains "must execute \`husk unshare\` first"
    run "$HUSK_BIN" unshare sh -c '
        m=$("$0" --root "$1" --runroot "$2" mount c) && ls "$m/bin/busybox" &&
        "$0" --root "$1" --runroot "$2" unmount c' "$HUSK_BIN" "$HUSK_ROOT" "$HUSK_RUNROOT"
    [ "$status" -eq 0 ] || { echo "$output"; false; }
    [[ "$output" == */bin/busybox* ]]
}

@test "info shows the namespace's ID maps rootless, as Podman; null rootful" {
    run_husk info --format json
    if ! is_rootless; then
        assert_equal "$(echo "$output" | jq -c .host.idMappings)" '{"gidmap":null,"uidmap":null}'
        return
    fi
    assert_equal "$(echo "$output" | jq -c '.host.idMappings.uidmap[0]')" \
        "{\"container_id\":0,\"host_id\":$(id -u),\"size\":1}"
    local range
    range=$(awk -F: -v u="$(id -un)" '$1 == u {print $2" "$3; exit}' /etc/subuid)
    [ -n "$range" ] || return 0
    set -- $range
    assert_equal "$(echo "$output" | jq -c '.host.idMappings.uidmap[1]')" \
        "{\"container_id\":1,\"host_id\":$1,\"size\":$2}"
    assert_equal "$(echo "$output" | jq -r .host.security.rootless)" true
}

@test "rootless limits on cgroup v1: resource limits are ignored with Podman's warning" {
    skip_if_root
    [ "$(stat -f -c %T /sys/fs/cgroup)" = cgroup2fs ] && skip "cgroup v2 host"
    load_busybox
    run_husk run --rm --memory 64m --pids-limit 100 husk-test/busybox echo ran
    assert_output_contains "Resource limits are not supported and ignored on cgroups V1 rootless systems"
    assert_output_contains "ran"
    run_husk run --rm husk-test/busybox echo plain
    assert_output_is "plain"
}

@test "rootless: the user's store, run directory and namespace record are closed to others" {
    skip_if_root
    load_busybox
    run_husk run -d --name s husk-test/busybox sleep 100
    [ "$(stat -c %a "$HUSK_ROOT")" = 700 ]
    [ "$(stat -c %a "$HUSK_RUNROOT")" = 700 ]
    [ "$(stat -c %a "$XDG_RUNTIME_DIR/husk")" = 700 ]
    # The container's files under the store are reachable only through it.
    id=$(husk inspect --format '{{.Id}}' s)
    [ "$(stat -c %u "$HUSK_ROOT")" = "$(id -u)" ]
    run_husk rm -f -t 0 s
}
