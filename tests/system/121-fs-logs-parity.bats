#!/usr/bin/env bats
# Podman 5 parity of logs, cp, ps, inspect and diff: the times logs
# accepts and where following stops; cp relative to the working directory,
# through a running container's mounts, between containers, and its error
# texts; ps --external, --ns, --sync, --watch; diff -l; refused flags.
load helpers

setup() {
    container_setup
    HOSTDIR=$HUSK_TMP/host
    mkdir -p "$HOSTDIR"
}

teardown() {
    container_teardown
}

# ---- logs ----------------------------------------------------------------

@test "logs -f --until returns at that time while the container runs on" {
    run_husk run -d --name talker husk-test/busybox sh -c 'while :; do echo tick; sleep 0.2; done'
    SECONDS=0
    run timeout 20 "$HUSK_BIN" --root "$HUSK_ROOT" --runroot "$HUSK_RUNROOT" \
        logs --until 2s -f talker
    assert_equal "$status" "0"
    [ "$SECONDS" -ge 1 ] && [ "$SECONDS" -le 8 ]
    assert_output_contains "tick"
    # An --until in the past ends following at once, after what was logged.
    SECONDS=0
    run_husk logs -f --until 2000-01-01 talker
    assert_output_is ""
    [ "$SECONDS" -le 3 ]
}

@test "logs --since and --until take every time form Podman 5 documents" {
    run_husk run --name l husk-test/busybox echo hello
    for t in 2000-01-01T00:00:00Z 2000-01-01T00:00:00.5Z 2000-01-01T00:00:00,123456789Z \
             2000-01-01T02:00:00+02:00 2000-01-01T00:00:00 2000-01-01T00:00:00.25 \
             2000-01-01T00:00:00,25 2000-01-01Z 2000-01-01+01:00 2000-01-01 \
             946684800 946684800.5 0 10m 1h30m; do
        run_husk logs --since "$t" l
        assert_output_is "hello"
    done
    # A comma before the fraction, as RFC 3339 allows; an --until duration
    # counts ahead of now, as in Podman 5.
    run_husk logs --until 2099-12-05T13:00:00,123456789Z l
    assert_output_is "hello"
    run_husk logs --until 1m l
    assert_output_is "hello"
    run_husk logs --until 2000-01-01T00:00:00,5Z l
    assert_output_is ""
    run_husk logs --since 2099-01-01 l
    assert_output_is ""
    run_husk 125 logs --since bogus l
    assert_output_is 'Error: parsing --since "bogus": unable to interpret time value'
    run_husk 125 logs --until 2000-13-01 l
    assert_output_is 'Error: parsing --until "2000-13-01": unable to interpret time value'
}

@test "logs --color paints each container's lines in its own colour" {
    run_husk run --name c1 husk-test/busybox echo one
    run_husk run --name c2 husk-test/busybox echo two
    run_husk logs --color --names c1 c2
    assert_equal "${lines[0]}" $'\033[37mc1 one'
    assert_equal "${lines[1]}" $'\033[0m\033[31mc2 two'
}
