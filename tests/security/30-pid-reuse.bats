#!/usr/bin/env bats
# A recorded pid that now belongs to another process is never signalled
# and never counts as the container's (issue 8, section 3).
#
# Each test makes the situation a crash leaves: the monitor and the
# container die by SIGKILL (no exit record), and their pids go to an
# unrelated process.  The pid reuse is simulated by writing that process's
# pid into the container's row with sqlite3, which is what a reused pid
# looks like to husk: the row's recorded start times (and, for the reboot
# test, its boot ID) are the only difference.
load ../system/helpers

setup() {
    container_setup
    VICTIMS=()
}

teardown() {
    for v in "${VICTIMS[@]}"; do kill -9 "$v" 2>/dev/null || true; done
    wait 2>/dev/null || true
    container_teardown
}

db() { sqlite3 "$HUSK_ROOT/husk.db" "$@"; }

# Whether pid runs (a zombie does not: it was killed, only not reaped).
running() {
    local s
    s=$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null) || return 1
    [ -n "$s" ] && [ "$s" != Z ]
}

# An unrelated process, standing for whatever got the container's pid.
start_victim() {
    sleep 1000 &
    VICTIM=$!
    VICTIMS+=("$VICTIM")
}

# Kill the monitor and the container of $1 with SIGKILL, as a crash does:
# no exit file, the row stays "running".
crash() {
    local mpid cpid
    mpid=$(db "SELECT monitor_pid FROM containers WHERE name = '$1'")
    cpid=$(db "SELECT pid FROM containers WHERE name = '$1'")
    [ "$mpid" -gt 0 ] && [ "$cpid" -gt 0 ]
    kill -9 "$mpid" "$cpid"
    for i in $(seq 100); do
        running "$mpid" || running "$cpid" || break
        sleep 0.05
    done
    ! running "$mpid"
    ! running "$cpid"
    [ ! -e "$HUSK_RUNROOT/containers/$(db "SELECT id FROM containers WHERE name = '$1'")/exit" ]
}

# The crash, then both recorded pids reused by the victim: in the row and
# in the monitor's record of the start.
crash_and_reuse() {
    local id
    run_husk run -d --name "$1" husk-test/busybox sleep 1000
    crash "$1"
    start_victim
    id=$(db "SELECT id FROM containers WHERE name = '$1'")
    db "UPDATE containers SET pid = $VICTIM, monitor_pid = $VICTIM WHERE name = '$1'"
    sed -i -E "s/\"(pid|monitor_pid)\":[0-9]+/\"\1\":$VICTIM/g" \
        "$HUSK_RUNROOT/containers/$id/started"
}

@test "stop of a crashed container does not signal the process that got its pid" {
    crash_and_reuse ghost
    run_husk stop -t 1 ghost
    running "$VICTIM"
    run_husk ps -a --format '{{.Names}} {{.Status}}'
    assert_output_contains "ghost Exited"
    run_husk inspect --format '{{.State.Status}} {{.State.Pid}}' ghost
    assert_output_is "exited 0"
}

@test "kill of a crashed container does not signal the process that got its pid" {
    crash_and_reuse ghost
    run_husk 125 kill ghost
    assert_output_contains "can only kill running containers"
    running "$VICTIM"
    run_husk 125 kill -s KILL ghost
    running "$VICTIM"
}

@test "rm -f of a crashed container removes it and spares the process that got its pid" {
    crash_and_reuse ghost
    run_husk rm -f -t 1 ghost
    running "$VICTIM"
    run_husk ps -a -q
    assert_output_is ""
}

@test "wait, restart and ps do not take a reused pid for the container" {
    crash_and_reuse ghost
    # Bounded: taking the reused pid for the monitor, wait never returns.
    run timeout 30 "$HUSK_BIN" --root "$HUSK_ROOT" --runroot "$HUSK_RUNROOT" wait ghost
    [ "$status" -eq 0 ]
    assert_output_is "-1"
    running "$VICTIM"
    run_husk inspect --format '{{.State.Status}}' ghost
    assert_output_is "exited"
    run_husk restart -t 1 ghost
    running "$VICTIM"
    run_husk inspect --format '{{.State.Status}}' ghost
    assert_output_is "running"
}

@test "kill's fallback signals the recorded process, never one that got its pid" {
    run_husk run -d --name lost husk-test/busybox sleep 1000
    id=$(db "SELECT id FROM containers WHERE name = 'lost'")
    real=$(db "SELECT pid FROM containers WHERE name = 'lost'")
    # The runtime loses track of the container: `runtime kill` fails and
    # husk falls back to signalling the pid itself.  Without the monitor's
    # `started` record the row is not corrected from it.
    rm -rf "$HUSK_RUNROOT/runtime/$id" "$HUSK_RUNROOT/containers/$id/started"
    start_victim
    db "UPDATE containers SET pid = $VICTIM WHERE name = 'lost'"
    run_husk 125 kill -s KILL lost
    running "$VICTIM"
    running "$real"
    # With the row as recorded, the fallback reaches the container.
    db "UPDATE containers SET pid = $real WHERE name = 'lost'"
    run_husk kill -s KILL lost
    for i in $(seq 100); do running "$real" || break; sleep 0.05; done
    ! running "$real"
    run_husk wait lost
    assert_output_is "137"
}

@test "after a reboot (another boot ID) a container without a monitor is exited and unmounted" {
    run_husk run -d --name old husk-test/busybox sleep 1000
    id=$(db "SELECT id FROM containers WHERE name = 'old'")
    store_mountinfo | grep -q "/containers/$id/merged "
    crash old
    # The recorded pids now name a live process whose start time even
    # matches: only the boot ID tells that the row is from another boot.
    start_victim
    start=$(awk '{print $22}' "/proc/$VICTIM/stat")
    db "UPDATE containers SET pid = $VICTIM, monitor_pid = $VICTIM, pid_start = $start,
        monitor_start = $start, boot_id = '00000000-0000-0000-0000-000000000000'
        WHERE name = 'old'"
    run_husk ps -a --format '{{.Names}} {{.Status}}'
    assert_output_contains "old Exited"
    running "$VICTIM"
    # Its mount is released by the command that noticed.
    ! store_mountinfo | grep -q "/containers/$id/merged " || false
    run_husk stop old
    run_husk rm -f old
    running "$VICTIM"
}

@test "a row from before boot IDs were recorded, started before this boot, is exited" {
    crash_and_reuse legacy
    db "UPDATE containers SET boot_id = '', pid_start = 0, monitor_start = 0,
        started_at = 1000000000 WHERE name = 'legacy'"
    run_husk inspect --format '{{.State.Status}}' legacy
    assert_output_is "exited"
    run_husk rm -f legacy
    running "$VICTIM"
}

@test "a row without start times is never signalled by pid" {
    run_husk run -d --name unknown husk-test/busybox sleep 1000
    id=$(db "SELECT id FROM containers WHERE name = 'unknown'")
    real=$(db "SELECT pid FROM containers WHERE name = 'unknown'")
    rm -rf "$HUSK_RUNROOT/runtime/$id" "$HUSK_RUNROOT/containers/$id/started"
    db "UPDATE containers SET pid_start = 0 WHERE name = 'unknown'"
    run_husk 125 kill -s KILL unknown
    running "$real"
    kill -9 "$real"
}

@test "in a pid namespace, a pid really reused (ns_last_pid) is not signalled" {
    # Rootless, husk joins its user's mount namespace, whose /proc may be
    # the outer pid namespace's, so a pid of this inner namespace would be
    # checked against another process's start time: to be looked into (it
    # failed twice in full runs, as root once, which the later tick above
    # explains; whether the rootless case is more is not yet known).
    skip_if_rootless "husk's /proc may be the outer pid namespace's: to be looked into"
    # Writing ns_last_pid needs CAP_SYS_ADMIN over the pid namespace's
    # owner: rootless, the namespace is made inside husk's user namespace.
    cat > "$HUSK_TMP/reuse.sh" <<SCRIPT
set -e
trap 'echo "reuse.sh failed at line \$LINENO"' ERR
h() { "$HUSK_BIN" --root "$HUSK_ROOT" --runroot "$HUSK_RUNROOT" "\$@"; }
running() { s=\$(awk '{print \$3}' /proc/\$1/stat 2>/dev/null) && [ -n "\$s" ] && [ "\$s" != Z ]; }
db="$HUSK_ROOT/husk.db"
h run -d --name reused husk-test/busybox sleep 1000 >/dev/null
cpid=\$(sqlite3 "\$db" "SELECT pid FROM containers WHERE name = 'reused'")
mpid=\$(sqlite3 "\$db" "SELECT monitor_pid FROM containers WHERE name = 'reused'")
kill -9 "\$mpid" "\$cpid"
for i in \$(seq 100); do running "\$cpid" || running "\$mpid" || break; sleep 0.05; done
# The next process gets the container's pid (again if another process of
# the namespace forked in between and took it), in a later clock tick: a
# process is known by its pid and start time, counted in 1/100 s, and on a
# fast machine the pid came back within the container's own tick.
sleep 0.05
for try in 1 2 3 4 5; do
    echo \$((cpid - 1)) > /proc/sys/kernel/ns_last_pid
    sleep 1000 &
    victim=\$!
    [ "\$victim" -eq "\$cpid" ] && break
    kill -9 "\$victim"
done
[ "\$victim" -eq "\$cpid" ]
h stop -t 1 reused >/dev/null
running "\$victim"
h ps -a --format '{{.Names}} {{.Status}}' | grep -q '^reused Exited (-1)'
h rm -f reused >/dev/null
running "\$victim"
kill -9 "\$victim"
echo reuse-ok
SCRIPT
    run in_userns unshare --pid --fork --mount-proc bash "$HUSK_TMP/reuse.sh"
    echo "$output"
    [ "$status" -eq 0 ]
    assert_output_contains reuse-ok
}
