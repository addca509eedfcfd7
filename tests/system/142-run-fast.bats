#!/usr/bin/env bats
# What a foreground `run --rm` leaves to others so that it returns sooner,
# and the guarantees that must hold all the same: the checkpoint its row's
# removal owes (made by the monitor, before it deletes the files), the exit
# seen from another terminal while the cleanup is still to come, and a
# caller killed on the way.
load helpers

setup() {
    container_setup
    mkdir -p "$HUSK_TMP/sig"
}

teardown() {
    # A test that failed while its caller was stopped must not leave it
    # stopped: bats would wait for it forever.
    if [ -n "${fg:-}" ]; then
        kill -CONT "$fg" 2>/dev/null || true
        kill -9 "$fg" 2>/dev/null || true
    fi
    container_teardown
}

# statuses NAME: the actions recorded for one container, on one line.
statuses() {
    husk events --stream=false --filter container="$1" --format '{{.Status}}' | tr '\n' ' '
}

# until_true TRIES CMD...: run CMD every 0.1 s until it succeeds.
until_true() {
    local n=$1
    shift
    for _ in $(seq "$n"); do
        "$@" && return 0
        sleep 0.1
    done
    "$@"
}

no_trash() { [ -z "$(find "$HUSK_ROOT/storage" -maxdepth 3 -name 'rm-*')" ]; }
not_mounted() { ! store_mountinfo | grep -q "$1"; }
is_status() { [ "$(husk inspect --format '{{.State.Status}}' "$1" 2>/dev/null)" = "$2" ]; }
has_pid() { [ "$(husk inspect --format '{{.State.Pid}}' "$1" 2>/dev/null)" -gt 0 ] 2>/dev/null; }
# ps must answer (an empty output of a failing ps is not "gone").
is_gone() {
    local out
    out=$(husk ps -a -q --filter name="^$1\$") && [ -z "$out" ]
}

# A container that waits for the test to create $HUSK_TMP/sig/go, then
# exits with status 3, started in the foreground in the background: $fg is
# the pid of its husk.
start_waiting() {
    "$HUSK_BIN" --root "$HUSK_ROOT" --runroot "$HUSK_RUNROOT" run --rm --name "$1" \
        -v "$HUSK_TMP/sig:/sig" husk-test/busybox \
        sh -c 'while [ ! -e /sig/go ]; do sleep 0.05; done; exit 3' \
        >"$HUSK_TMP/fg.out" 2>&1 </dev/null 3>&- &
    fg=$!
    # Running, and its pids recorded: the caller only waits from here on.
    until_true 300 has_pid "$1"
}

@test "run --rm: the removal of the row reaches husk.db itself before the files go" {
    run_husk run --rm --name ck husk-test/busybox true
    # The monitor deletes the files after the checkpoint: once they are
    # gone, the database file alone (without its WAL) must not have the row.
    until_true 300 no_trash
    cp "$HUSK_ROOT/husk.db" "$HUSK_TMP/copy.db"
    run sqlite3 "$HUSK_TMP/copy.db" "SELECT count(*) FROM containers WHERE name = 'ck'"
    assert_output_is "0"
}

@test "run --rm: other commands see the exit before the cleanup and leave the cleanup to the caller" {
    start_waiting fg
    id=$(husk inspect --format '{{.Id}}' fg)
    # The caller stops between the exit and its cleanup.
    kill -STOP "$fg"
    touch "$HUSK_TMP/sig/go"
    until_true 300 is_status fg exited
    run_husk wait fg
    assert_output_is "3"
    run_husk ps -a --format '{{.Names}} {{.Status}}'
    assert_output_contains "fg Exited (3)"
    # Nobody but the caller folded the exit: no died yet, still mounted.
    assert_equal "$(statuses fg)" "create init start attach "
    store_mountinfo | grep -q "$id"
    kill -CONT "$fg"
    st=0
    wait "$fg" || st=$?
    assert_equal "$st" 3
    is_gone fg
    assert_equal "$(statuses fg)" "create init start attach died remove "
    ! store_mountinfo | grep -q "$id" || false
}

@test "run --rm: a caller killed while the container runs leaves the cleanup to the monitor" {
    start_waiting gone
    id=$(husk inspect --format '{{.Id}}' gone)
    kill -9 "$fg"
    wait "$fg" || true
    # The container outlives its caller ...
    is_status gone running
    touch "$HUSK_TMP/sig/go"
    # ... and its monitor removes it after the exit, as --rm says.
    until_true 300 is_gone gone
    until_true 300 no_trash
    # the unmount may follow the row's removal by a moment (seen once
    # rootless, in CI); a mount that stays fails here after 30 s
    until_true 300 not_mounted "$id"
    run sqlite3 "$HUSK_ROOT/husk.db" "SELECT count(*) FROM containers WHERE name = 'gone'"
    assert_output_is "0"
}

# The cgroup warm-up (src/lib/runtime/cgroup-warm.c): a command that
# starts a container process first moves a thread of its own into the
# cgroup it is in, so that the grace period the runtime's first cgroup
# move waits for runs beside husk's work.  Seen with strace: husk's write
# of "0" to its own cgroup.procs comes before the runtime's first move.
@test "run and exec start the runtime's cgroup wait early; ps does not" {
    skip_if_rootless "rootless husk has no say over its cgroup"
    command -v strace >/dev/null || skip "needs strace"
    local own procs
    own=$(sed -n 's/^0:://p' /proc/self/cgroup)
    procs=/sys/fs/cgroup/unified$own/cgroup.procs
    [ -e "$procs" ] || procs=/sys/fs/cgroup$own/cgroup.procs
    procs=${procs//\/\//\/}
    strace -f -qq -e trace=openat,write -o "$HUSK_TMP/run.trace" \
        "$HUSK_BIN" --root "$HUSK_ROOT" --runroot "$HUSK_RUNROOT" run --rm --network none husk-test/busybox true
    # The warm-up's open of its own cgroup.procs, then its write of "0"...
    run grep -n -F "\"$procs\"" "$HUSK_TMP/run.trace"
    [ "$status" -eq 0 ]
    local first=${output%%:*}
    sed -n "$first,\$p" "$HUSK_TMP/run.trace" | grep -q -E 'write\([0-9]+, "0", 1'
    # ...before the runtime moves the container's process into its cgroups.
    local runtime
    runtime=$(grep -n -E 'openat\(.*/husk/[0-9a-f]{64}/cgroup\.procs' "$HUSK_TMP/run.trace" | head -1)
    [ -n "$runtime" ]
    [ "$first" -lt "${runtime%%:*}" ]
    run_husk run -d --name warm husk-test/busybox sleep 100
    strace -f -qq -e trace=openat -o "$HUSK_TMP/exec.trace" "$HUSK_BIN" --root "$HUSK_ROOT" --runroot "$HUSK_RUNROOT" exec warm true
    grep -q -F "\"$procs\"" "$HUSK_TMP/exec.trace"
    strace -f -qq -e trace=openat -o "$HUSK_TMP/ps.trace" "$HUSK_BIN" --root "$HUSK_ROOT" --runroot "$HUSK_RUNROOT" ps -a
    ! grep -q -F "\"$procs\"" "$HUSK_TMP/ps.trace"
}
