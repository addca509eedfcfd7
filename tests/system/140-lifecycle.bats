#!/usr/bin/env bats
# Healthchecks, restart policies, --init, events, and surviving the death
# of the husk process that started a container.
load helpers

setup() {
    container_setup
}

teardown() {
    container_teardown
}

@test "healthcheck: the monitor marks healthy on schedule; healthcheck run reports" {
    run_husk run -d --name good --health-cmd true --health-interval 1s husk-test/busybox sleep 1000
    for i in $(seq 50); do
        s=$(husk inspect --format '{{.State.Health.Status}}' good)
        [ "$s" = healthy ] && break
        sleep 0.1
    done
    assert_equal "$s" healthy
    run_husk healthcheck run good
    run_husk run -d --name bad --health-cmd false --health-interval 0 --health-retries 1 husk-test/busybox sleep 1000
    run_husk 1 healthcheck run bad
    assert_output_is "unhealthy"
    run_husk inspect --format '{{.State.Health.Status}} {{.State.Health.FailingStreak}}' bad
    assert_output_is "unhealthy 1"
    run_husk 125 healthcheck run nosuch
    run_husk run -d --name none husk-test/busybox sleep 1000
    run_husk 125 healthcheck run none
    assert_output_contains "no defined healthcheck"
}

@test "restart on-failure:2 runs the container three times, then stays exited" {
    run_husk run -d --name flaky --restart on-failure:2 husk-test/busybox sh -c 'echo run; exit 1'
    for i in $(seq 100); do
        s=$(husk inspect --format '{{.RestartCount}} {{.State.Status}}' flaky)
        [ "$s" = "2 exited" ] && break
        sleep 0.1
    done
    assert_equal "$s" "2 exited"
    run_husk logs flaky
    [ "$(echo "$output" | grep -c '^run$')" -eq 3 ]
}

@test "restart always brings a killed container back; stop ends it for good" {
    run_husk run -d --name phoenix --restart always husk-test/busybox sleep 1000
    pid=$(husk inspect --format '{{.State.Pid}}' phoenix)
    kill -9 "$pid"
    # The stop comes as soon as the restart is counted, while the monitor
    # may still be creating the container again: it must end that one too
    # (it once found nothing to signal and left it running, "stopping").
    for i in $(seq 500); do
        n=$(husk inspect --format '{{.RestartCount}}' phoenix)
        [ "$n" -ge 1 ] && break
        sleep 0.01
    done
    [ "$n" -ge 1 ]
    SECONDS=0
    run_husk stop -t 0 phoenix
    [ "$SECONDS" -lt 5 ]
    run_husk inspect --format '{{.State.Status}}' phoenix
    assert_output_is "exited"
}

@test "--init runs the command under an init as PID 1" {
    run_husk run --rm --init husk-test/busybox sh -c 'cat /proc/1/cmdline | tr "\0" " "'
    assert_output_contains "husk-init"
}

@test "events records the lifecycle; --filter and --format work" {
    run_husk run --name ev husk-test/busybox true
    run_husk rm ev
    run_husk events --stream=false --filter container=ev --format '{{.Status}}'
    assert_output_is "$(printf 'create\ninit\nstart\nattach\ndied\ncleanup\nremove')"
    run_husk events --stream=false --filter type=image --format '{{.Status}}'
    assert_output_contains "loadfromarchive"
    run_husk events --stream=false --format json --filter event=create
    echo "$output" | head -1 | jq -e '.Type == "container" and .Name == "ev"' >/dev/null
}

@test "a container outlives the husk that started it, killed at any point" {
    for delay in 0.01 0.05 0.1 0.2 0.4; do
        "$HUSK_BIN" --root "$HUSK_ROOT" --runroot "$HUSK_RUNROOT" run -d husk-test/busybox sleep 1000 >/dev/null 2>&1 &
        p=$!
        sleep "$delay"
        kill -9 "$p" 2>/dev/null || true
        wait "$p" 2>/dev/null || true
    done
    # Whatever state each one reached, the store is usable and consistent.
    run_husk ps -a --format '{{.ID}} {{.State}}'
    echo "$output" >&2
    for line in "${lines[@]}"; do
        [[ "$line" =~ \ (created|running|exited)$ ]]
    done
    # Those that run keep running: their monitor is independent of husk.
    for id in $(husk ps -q); do
        pid=$(husk inspect --format '{{.State.Pid}}' "$id")
        [ "$pid" -gt 0 ] && kill -0 "$pid"
    done
    run_husk rm -a -f -t 0
    run_husk ps -a -q
    assert_output_is ""
    ! store_mountinfo | grep -q " $HUSK_TMP/" || false
    [ -z "$(ls "$HUSK_RUNROOT/runtime" 2>/dev/null | grep -v '^$')" ]
}
