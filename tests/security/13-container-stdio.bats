#!/usr/bin/env bats
# Host safety: a container's stdio never include a device node of the host.
# crun before 1.9 fchowns each of the container's stdio descriptors that is
# not a terminal to the container's root user; handed the host's /dev/null
# in a container with a user namespace, or to an exec'd process of another
# user, it gave /dev/null on the host to that user (seen with crun 1.8.1: a
# detached --uidmap container, a pod's infra container, passthrough from
# </dev/null, exec -u).  The monitors hand the runtime pipes instead.  Each test puts /dev/null back if it changed, so
# that a failure here does not break the machine for the tests after it.
load ../system/helpers

MAP=(--uidmap 0:200000:65536 --gidmap 0:200000:65536)

setup() {
    container_setup
    skip_if_rootless "a plain user cannot chown the host's /dev/null"
}

teardown() {
    restore_null
    container_teardown
}

null_state() { stat -c '%u:%g %a %F' /dev/null; }
restore_null() {
    if [ "$(null_state)" != "0:0 666 character special file" ]; then
        chown 0:0 /dev/null
        chmod 666 /dev/null
    fi
}
null_intact() { assert_equal "$(null_state)" "0:0 666 character special file"; }

@test "a detached container with a user namespace leaves /dev/null to root" {
    run_husk run -d --name t13d "${MAP[@]}" husk-test/busybox sleep 100
    null_intact
    run_husk run -d -t --name t13t "${MAP[@]}" husk-test/busybox sleep 100
    null_intact
    # It still reads EOF on stdin, as from /dev/null.
    run_husk run --rm "${MAP[@]}" husk-test/busybox sh -c 'cat; echo eof'
    assert_output_is eof
    null_intact
}

@test "passthrough from and to /dev/null: the container gets pipes, its output still flows" {
    run_husk run --rm --log-driver passthrough "${MAP[@]}" husk-test/busybox \
        sh -c 'cat; echo out; echo err >&2' </dev/null
    assert_output_contains out
    null_intact
    # Output meant for /dev/null is read and dropped (more than a pipe holds).
    "$HUSK_BIN" --root "$HUSK_ROOT" --runroot "$HUSK_RUNROOT" run --rm --log-driver passthrough \
        "${MAP[@]}" husk-test/busybox sh -c 'seq 1 100000; echo done >&2' \
        </dev/null >/dev/null 2>"$HUSK_TMP/err" 3>&-
    assert_equal "$(cat "$HUSK_TMP/err")" done
    null_intact
}

@test "a pod's infra container with a user namespace leaves /dev/null to root" {
    run_husk pod create --name t13p "${MAP[@]}"
    run_husk pod start t13p
    run_husk run -d --pod t13p --name t13m husk-test/busybox sleep 100
    null_intact
    run_husk pod rm -f -t 0 t13p
}

@test "exec as another user, attached, detached or on a terminal, leaves /dev/null to root" {
    run_husk run -d --name t13e husk-test/busybox sleep 100
    run_husk exec -u 1000 t13e id -u
    assert_output_is 1000
    null_intact
    # Detached: its output is read and dropped, and it runs to its end.
    run_husk exec -d -u 1000 t13e sh -c 'seq 1 100000; echo done > /tmp/t13'
    null_intact
    for _ in $(seq 50); do
        [ "$(husk exec t13e cat /tmp/t13 2>/dev/null)" = done ] && break
        sleep 0.1
    done
    run_husk exec t13e cat /tmp/t13
    assert_output_is done
    "$HUSK_BIN" --root "$HUSK_ROOT" --runroot "$HUSK_RUNROOT" exec -t -u 1000 t13e true \
        </dev/null >/dev/null 2>&1 3>&- || true
    null_intact
}
