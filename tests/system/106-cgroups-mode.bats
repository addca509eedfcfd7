#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# run/create --cgroups=enabled|disabled|no-conmon|split.

load helpers

setup() {
    container_setup
}

teardown() {
    container_teardown
}

@test "--cgroups=disabled: no cgroup of its own, inspect says so" {
    # It stays in its caller's cgroup (crun's "disabled" cgroup manager):
    # no hierarchy names a cgroup of the container's ID.
    cid=$(husk create --cgroups=disabled husk-test/busybox sh -c 'cat /proc/self/cgroup')
    run_husk start -a "$cid"
    [[ "$output" != *"$cid"* ]]
    if [ "$(stat -f -c %T /sys/fs/cgroup)" != cgroup2fs ]; then
        assert_equal "$output" "$(cat /proc/self/cgroup)"
    fi
    if ! is_rootless || [ "$(stat -f -c %T /sys/fs/cgroup)" = cgroup2fs ]; then
        # With a cgroup, the default puts the container in one named after it.
        cid2=$(husk create husk-test/busybox sh -c 'cat /proc/self/cgroup')
        run_husk start -a "$cid2"
        assert_output_contains "$cid2"
    fi
    run_husk inspect --format '{{.HostConfig.Cgroups}}' "$cid"
    assert_output_is disabled
    run_husk create --name plain husk-test/busybox true
    run_husk inspect --format '{{.HostConfig.Cgroups}}' plain
    assert_output_is default
    run_husk create --name nc --cgroups=no-conmon husk-test/busybox true
    run_husk inspect --format '{{.HostConfig.Cgroups}}' nc
    assert_output_is default
}

@test "--cgroups=disabled: limits refused; pause and stats say there is no cgroup; stop works" {
    run_husk 125 run --rm --cgroups=disabled --memory 64m husk-test/busybox true
    assert_output_contains "resource limits (--memory, --cpus, --pids-limit, ...) need a cgroup: they cannot be used with --cgroups=disabled"
    run_husk 125 create --cgroups=disabled --pids-limit 10 husk-test/busybox true
    assert_output_contains "cannot be used with --cgroups=disabled"

    run_husk run -d --name d --cgroups=disabled husk-test/busybox sleep 300
    if ! is_rootless || [ "$(stat -f -c %T /sys/fs/cgroup)" = cgroup2fs ]; then
        run_husk 125 pause d
        assert_output_contains "cannot pause without using Cgroups (--cgroups=disabled): this container does not have a cgroup"
        run_husk 125 stats --no-stream d
        assert_output_contains "(--cgroups=disabled): this container does not have a cgroup"
    fi
    # No cgroup for the runtime's kill --all: the init is signalled.
    run_husk stop -t 1 d
    run_husk inspect --format '{{.State.Status}}' d
    assert_output_is exited
}

@test "--cgroups=split and unknown modes are refused" {
    run_husk 125 run --rm --cgroups=split husk-test/busybox true
    assert_output_contains "--cgroups=split is not supported by husk"
    assert_output_contains "husk-monitor"
    run_husk 125 create --cgroups=bogus husk-test/busybox true
    assert_output_contains 'invalid cgroup mode "bogus"'
    run_husk ps -aq
    assert_output_is ""
}

@test "--cgroups=disabled needs crun: runc always makes a cgroup" {
    command -v runc >/dev/null || skip "runc is not installed"
    run_husk 125 run --rm --runtime runc --cgroups=disabled husk-test/busybox true
    assert_output_contains "--cgroups=disabled needs the OCI runtime crun"
}

@test "limits without a cgroup: warned and ignored by default, refused with --cgroups=enabled (rootless, cgroup v1)" {
    if ! is_rootless || [ "$(stat -f -c %T /sys/fs/cgroup)" = cgroup2fs ]; then
        # With a cgroup the limit applies, whichever way it is asked for.
        run_husk run --rm --cgroups=enabled --memory 64m husk-test/busybox true
        run_husk run --rm --memory 64m husk-test/busybox true
        [[ "$output" != *"ignored"* ]]
        return
    fi
    run_husk run --rm --memory 64m husk-test/busybox echo ran
    assert_output_contains "Resource limits are not supported and ignored on cgroups V1 rootless systems"
    assert_output_contains ran
    run_husk 125 run --rm --cgroups=enabled --memory 64m husk-test/busybox echo ran
    assert_output_contains "--cgroups=enabled: resource limits need a cgroup, and rootless containers get none on cgroup v1"
    [[ "$output" != *ran* ]]
    # Without a limit there is nothing to refuse.
    run_husk run --rm --cgroups=enabled husk-test/busybox echo ran
    assert_output_is ran
}
