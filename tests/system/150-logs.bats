#!/usr/bin/env bats
# Log drivers and `logs`: k8s-file, json-file, none, passthrough; --tail,
# --since, -t, -f, several containers.
load helpers

setup() {
    container_setup
}

teardown() {
    container_teardown
}

@test "k8s-file logs keep stdout and stderr apart, in the CRI format" {
    run_husk run --name l1 husk-test/busybox sh -c 'echo out1; echo err1 >&2; echo out2'
    run_husk run --name l2 husk-test/busybox sh -c 'echo out1; echo out2'
    path=$(husk inspect --format '{{.HostConfig.LogConfig.Path}}' l1)
    grep -Eq '^[0-9T:.Z-]+ stdout F out1$' "$path"
    grep -Eq '^[0-9T:.Z-]+ stderr F err1$' "$path"
    run bash -c "'$HUSK_BIN' --root '$HUSK_ROOT' --runroot '$HUSK_RUNROOT' logs l1 2>/dev/null"
    assert_output_is "$(printf 'out1\nout2')"
    # stdout and stderr are separate pipes: only within one is order kept.
    run_husk logs --tail 1 l2
    assert_output_is "out2"
    run_husk logs -t --tail 1 l2
    [[ "$output" =~ ^20[0-9-]+T[0-9:.]+Z\ out2$ ]]
    run_husk logs --since 10m l1
    assert_output_contains "out1"
    run_husk logs --until 2000-01-01T00:00:00Z l1
    assert_output_is ""
}

@test "json-file writes Docker's JSON lines" {
    run_husk run --name j --log-driver json-file husk-test/busybox echo hello
    path=$(husk inspect --format '{{.HostConfig.LogConfig.Path}}' j)
    head -1 "$path" | jq -e '.log == "hello\n" and .stream == "stdout"' >/dev/null
    run_husk logs j
    assert_output_is "hello"
}

@test "log driver none keeps nothing; logs says so" {
    run_husk run --name n --log-driver none husk-test/busybox echo hi
    run_husk 125 logs n
    assert_output_contains "'none' log driver"
}

@test "passthrough gives the container the caller's stdio" {
    run_husk 4 run --rm --log-driver passthrough husk-test/busybox sh -c 'echo through; exit 4'
    assert_output_is "through"
    run_husk ps -a -q
    assert_output_is ""
}

@test "logs -f follows until the container exits" {
    run_husk run -d --name f husk-test/busybox sh -c 'for i in 1 2 3; do echo tick$i; sleep 0.3; done'
    run timeout 20 "$HUSK_BIN" --root "$HUSK_ROOT" --runroot "$HUSK_RUNROOT" logs -f f
    [ "$status" -eq 0 ]
    assert_output_is "$(printf 'tick1\ntick2\ntick3')"
}

@test "logs of several containers are prefixed" {
    run_husk run --name a1 husk-test/busybox echo from-a
    run_husk run --name b1 husk-test/busybox echo from-b
    run_husk logs --names a1 b1
    assert_output_contains "a1 from-a"
    assert_output_contains "b1 from-b"
}

@test "--log-opt max-size rotates the log" {
    run_husk run --name big --log-opt max-size=10k husk-test/busybox sh -c 'i=0; while [ $i -lt 2000 ]; do echo line-$i; i=$((i+1)); done'
    path=$(husk inspect --format '{{.HostConfig.LogConfig.Path}}' big)
    # 2000 lines make about 100 kB of log; rotation keeps far less (the
    # monitor rotates between reads, so a file may pass the limit by one read).
    [ "$(stat -c %s "$path")" -lt 75000 ]
    run_husk logs --tail 1 big
    assert_output_is "line-1999"
}
