#!/usr/bin/env bats
# Working with running containers: exec, attach, pause, unpause, restart,
# top and stats.
load helpers

setup() {
    container_setup
}

teardown() {
    container_teardown
}

# The husk command line with this test's store, for `script -c`.
husk_cmd() {
    echo "$HUSK_BIN --root $HUSK_ROOT --runroot $HUSK_RUNROOT"
}

start_sleeper() {
    run_husk run -d --name "${1:-box}" husk-test/busybox sleep 1000
}

# ---- exec ------------------------------------------------------------------

@test "exec prints the process's output and returns its exit code" {
    start_sleeper
    run_husk exec box echo hello
    assert_output_is "hello"
    run_husk 7 exec box sh -c 'echo out; echo err >&2; exit 7'
    assert_output_contains "out"
    assert_output_contains "err"
    run_husk 255 exec box sh -c 'exit 255'
}

@test "exec of a missing command exits 127, of a file not executable 126" {
    start_sleeper
    run_husk 127 exec box /nosuch
    assert_output_contains "Error: crun: executable file"
    assert_output_contains "OCI runtime attempted to invoke a command that was not found"
    run_husk 126 exec box /etc/passwd
    assert_output_contains "OCI permission denied"
}

@test "exec gets the container's environment plus -e and --env-file" {
    run_husk run -d --name box -e FROM_RUN=yes husk-test/busybox sleep 1000
    printf 'FROM_FILE=file\n# a comment\nOVER=file\n' > "$HUSK_TMP/env"
    export FROM_HOST=host
    run_husk exec -e A=1 -e FROM_HOST --env-file "$HUSK_TMP/env" -e OVER=flag box env
    assert_output_contains "FROM_RUN=yes"
    assert_output_contains "A=1"
    assert_output_contains "FROM_HOST=host"
    assert_output_contains "FROM_FILE=file"
    assert_output_contains "OVER=flag"
    assert_output_contains "TERM=xterm"
    assert_output_contains "PATH=/usr/local/sbin"
    [[ "$output" != *"OVER=file"* ]]
}

@test "exec -w sets the working directory, -u the user and its HOME" {
    run_husk run -d --name box -w /etc husk-test/busybox sleep 1000
    run_husk exec box pwd
    assert_output_is "/etc"
    run_husk exec -w /tmp box pwd
    assert_output_is "/tmp"
    run_husk exec -u tester box sh -c 'id -u; id -g; echo $HOME'
    assert_output_is "$(printf '1000\n1000\n/home/tester')"
    run_husk exec -u 4321 box id -u
    assert_output_is "4321"
    run_husk exec box id -u
    assert_output_is "0"
    run_husk 125 exec -u nosuchuser box id
    assert_output_contains "nosuchuser"
}

@test "exec keeps the container's capabilities; -u drops them; --privileged gives all" {
    start_sleeper
    run_husk exec box grep CapEff /proc/self/status
    default=${output##*:}
    [ "$(( 16#${default//[[:space:]]/} ))" -ne 0 ]
    run_husk exec -u tester box grep CapEff /proc/self/status
    assert_output_contains "0000000000000000"
    run_husk exec --privileged box grep CapEff /proc/self/status
    priv=${output##*:}
    [ "$(( 16#${priv//[[:space:]]/} ))" -gt "$(( 16#${default//[[:space:]]/} ))" ]
}

@test "exec into a container that is not running fails with 125" {
    run_husk create --name made husk-test/busybox true
    run_husk 125 exec made true
    assert_output_is "Error: can only create exec sessions on running containers: container state improper"
    run_husk run --name done husk-test/busybox true
    run_husk 125 exec done true
    assert_output_contains "can only create exec sessions on running containers"
    run_husk 125 exec nosuch true
    assert_output_contains "no such container"
    start_sleeper
    run_husk 125 exec box
    assert_output_contains "must provide a non-empty command"
}

@test "exec -d returns at once with an exec ID; the process runs on" {
    start_sleeper
    run_husk exec -d box sh -c 'sleep 0.3; echo done > /tmp/marker; sleep 1000'
    [[ "$output" =~ ^[0-9a-f]{64}$ ]]
    run_husk top box args
    assert_output_contains "sleep 0.3"
    for _ in $(seq 50); do
        husk exec box test -f /tmp/marker && break
        sleep 0.1
    done
    run_husk exec box cat /tmp/marker
    assert_output_is "done"
}

@test "exec -i passes stdin to the process; without -i it reads nothing" {
    start_sleeper
    run bash -c "echo piped | $(husk_cmd) exec -i box cat"
    [ "$status" -eq 0 ]
    assert_output_is "piped"
    run bash -c "echo piped | $(husk_cmd) exec box cat"
    [ "$status" -eq 0 ]
    assert_output_is ""
}

@test "exec -t gives the process a terminal and returns its exit code" {
    start_sleeper
    run script -qec "$(husk_cmd) exec -t box sh -c 'tty; test -t 0 && echo stdin-tty; exit 3'" /dev/null
    [ "$status" -eq 3 ]
    assert_output_contains "/dev/pts/"
    assert_output_contains "stdin-tty"
    # Without -t the process has no terminal.
    run_husk 1 exec box test -t 1
}

@test "exec -it passes typed input; the detach keys leave the process running" {
    command -v python3 >/dev/null || skip "needs python3 for a pseudo-terminal"
    start_sleeper
    cat > "$HUSK_TMP/ptyrun.py" <<'EOF'
import os, pty, select, sys, time
wait_for, send = sys.argv[1].encode(), sys.argv[2].encode('latin1')
cmd = sys.argv[3:]
pid, fd = pty.fork()
if pid == 0:
    os.execvp(cmd[0], cmd)
buf, sent, deadline = b'', False, time.time() + 20
while time.time() < deadline:
    if select.select([fd], [], [], 0.1)[0]:
        try:
            data = os.read(fd, 4096)
        except OSError:
            break
        if not data:
            break
        buf += data
    if not sent and wait_for in buf:
        os.write(fd, send)
        sent = True
else:
    os.kill(pid, 9)  # never hang the suite
sys.stdout.write(buf.decode(errors='replace'))
sys.exit(os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]))
EOF
    # Typed input reaches the process, its exit code comes back.
    run python3 "$HUSK_TMP/ptyrun.py" ready $'typed\n' \
        $(husk_cmd) exec -it box sh -c 'echo ready; read x; echo got-$x; exit 5'
    [ "$status" -eq 5 ]
    assert_output_contains "got-typed"
    # ctrl-p ctrl-q detaches: exit 0, and the process is still there.
    run python3 "$HUSK_TMP/ptyrun.py" ready $'\x10\x11' \
        $(husk_cmd) exec -it box sh -c 'echo ready; exec sleep 777'
    [ "$status" -eq 0 ]
    run_husk top box args
    assert_output_contains "sleep 777"
    # Other detach keys.
    run python3 "$HUSK_TMP/ptyrun.py" ready $'\x18' \
        $(husk_cmd) exec -it --detach-keys ctrl-x box sh -c 'echo ready; exec sleep 778'
    [ "$status" -eq 0 ]
    run_husk top box args
    assert_output_contains "sleep 778"
}

# The pid file of the container's one exec session, once it exists.
exec_pidfile() {
    local id pidf
    id=$(husk inspect --format '{{.Id}}' "$1")
    for _ in $(seq 100); do
        pidf=$(ls "$HUSK_RUNROOT/containers/$id/exec/"*/pid 2>/dev/null | head -1)
        [ -n "$pidf" ] && [ -s "$pidf" ] && { echo "$pidf"; return 0; }
        sleep 0.05
    done
    return 1
}

@test "exec runs under an exec monitor: a killed caller leaves the process running, its exit recorded" {
    start_sleeper
    "$HUSK_BIN" --root "$HUSK_ROOT" --runroot "$HUSK_RUNROOT" \
        exec box sh -c 'sleep 1.5; exit 5' > "$HUSK_TMP/out" 2>&1 &
    caller=$!
    pidf=$(exec_pidfile box)
    pid=$(cat "$pidf")
    # The process's parent is the session's monitor, in a session of its
    # own; husk's only child is that monitor: no runtime child to reap.
    ppid=$(awk '/^PPid:/ {print $2}' "/proc/$pid/status")
    [ "$(cat "/proc/$ppid/comm")" = husk-monitor ]
    [ "$(ps -o sid= -p "$ppid")" != "$(ps -o sid= -p "$caller")" ]
    [ "$(cat "/proc/$caller/task/$caller/children")" = "$ppid " ]
    kill -KILL "$caller"
    wait "$caller" || true
    kill -0 "$pid"
    dir=$(dirname "$pidf")
    for _ in $(seq 100); do [ -f "$dir/exit" ] && break; sleep 0.05; done
    grep -q '"exit_code":5' "$dir/exit"
    ! kill -0 "$pid" 2>/dev/null
    run_husk inspect --format '{{len .ExecIDs}}' box
    assert_output_is "0"
}

@test "exec passes husk's signals to the process through its monitor" {
    start_sleeper
    "$HUSK_BIN" --root "$HUSK_ROOT" --runroot "$HUSK_RUNROOT" exec box \
        sh -c 'trap "echo got-term; exit 7" TERM; echo ready; while true; do sleep 0.1; done' \
        > "$HUSK_TMP/out" 2>&1 &
    caller=$!
    # The trap is set once "ready" is out: a fixed sleep raced it under load.
    for i in $(seq 100); do grep -q ready "$HUSK_TMP/out" && break; sleep 0.1; done
    kill -TERM "$caller"
    status=0
    wait "$caller" || status=$?
    cat "$HUSK_TMP/out" >&2
    [ "$status" -eq 7 ]
    grep -q got-term "$HUSK_TMP/out"
}

@test "exec output into a closed pipe ends the process as a broken pipe would" {
    start_sleeper
    run bash -c "$(husk_cmd) exec box yes | head -2; echo \"status \${PIPESTATUS[0]}\""
    assert_output_is "$(printf 'y\ny\nstatus 141')"
    run_husk top box args
    [[ "$output" != *yes* ]]
}

@test "exec -d: the session is listed while it runs and records its exit" {
    start_sleeper
    run_husk exec -d box sh -c 'sleep 0.5; exit 3'
    eid=$output
    run_husk inspect --format '{{range .ExecIDs}}{{.}}{{end}}' box
    assert_output_is "$eid"
    id=$(husk inspect --format '{{.Id}}' box)
    for _ in $(seq 100); do [ -f "$HUSK_RUNROOT/containers/$id/exec/$eid/exit" ] && break; sleep 0.05; done
    grep -q '"exit_code":3' "$HUSK_RUNROOT/containers/$id/exec/$eid/exit"
    run_husk inspect --format '{{len .ExecIDs}}' box
    assert_output_is "0"
}

# ---- attach --------------------------------------------------------------

@test "attach shows a running container's output and returns its exit code" {
    run_husk run -d --name talker husk-test/busybox sh -c 'sleep 1; echo out; echo err >&2; exit 3'
    run_husk 3 attach talker
    assert_output_contains "out"
    assert_output_contains "err"
    run_husk 125 attach talker
    assert_output_is "Error: you can only attach to running containers"
}

@test "attach feeds stdin to an interactive container, unless --no-stdin" {
    run_husk run -d -i --name cat husk-test/busybox sh -c 'cat; echo cat-ended; exit 4'
    echo hello > "$HUSK_TMP/in"
    # SIGTERM is proxied to the container, where cat ignores it: KILL ends us.
    run timeout -k 1 2 "$HUSK_BIN" --root "$HUSK_ROOT" --runroot "$HUSK_RUNROOT" \
        attach --no-stdin cat < "$HUSK_TMP/in"
    [ "$status" -eq 124 ] || [ "$status" -eq 137 ]
    [[ "$output" != *hello* ]]
    run_husk inspect --format '{{.State.Status}}' cat
    assert_output_is "running"
    run bash -c "echo hello | $(husk_cmd) attach cat"
    [ "$status" -eq 4 ]
    assert_output_contains "hello"
    assert_output_contains "cat-ended"
}

# ---- pause, unpause -------------------------------------------------------

@test "pause freezes a container and unpause thaws it" {
    skip_without_cgroup "pause needs the freezer cgroup"
    start_sleeper
    pid=$(husk inspect --format '{{.State.Pid}}' box)
    run_husk pause box
    assert_output_is "box"
    run_husk inspect --format '{{.State.Paused}} {{.State.Status}} {{.State.Running}}' box
    assert_output_is "true paused true"
    run_husk ps --format '{{.Names}} {{.Status}}'
    [[ "$output" == "box Up "*"(Paused)" ]]
    # A frozen process is in the freezer's uninterruptible sleep.
    grep -q '^State:.*D' /proc/$pid/status
    run_husk 125 pause box
    assert_output_contains "is already paused: container state improper"
    run_husk 125 exec box true
    run_husk unpause box
    assert_output_is "box"
    run_husk inspect --format '{{.State.Paused}} {{.State.Status}}' box
    assert_output_is "false running"
    run_husk exec box echo thawed
    assert_output_is "thawed"
    run_husk 125 unpause box
    assert_output_contains "is not paused, can't unpause: container state improper"
}

@test "pause and unpause refuse containers that do not run; -a takes all" {
    skip_without_cgroup "pause needs the freezer cgroup"
    run_husk create --name made husk-test/busybox true
    run_husk 125 pause made
    assert_output_contains "is not running, can't pause: container state improper"
    start_sleeper one
    start_sleeper two
    run_husk pause -a
    run_husk ps --format '{{.Names}} {{.State}}'
    assert_output_contains "one paused"
    assert_output_contains "two paused"
    run_husk unpause -a
    run_husk ps --format '{{.Names}} {{.State}}'
    assert_output_contains "one running"
    assert_output_contains "two running"
}

# ---- restart -------------------------------------------------------------

@test "restart stops and starts the same container: new StartedAt and pid" {
    start_sleeper
    run_husk inspect --format '{{.Id}} {{.State.StartedAt}} {{.State.Pid}}' box
    before=$output
    sleep 0.1
    run_husk restart -t 0 box
    assert_output_is "box"
    run_husk inspect --format '{{.Id}} {{.State.StartedAt}} {{.State.Pid}}' box
    after=$output
    [ "${before%% *}" = "${after%% *}" ]
    [ "$before" != "$after" ]
    run_husk inspect --format '{{.State.Status}}' box
    assert_output_is "running"
    run_husk exec box echo alive
    assert_output_is "alive"
    run_husk ps -a -q
    [ "${#lines[@]}" -eq 1 ]
}

@test "restart starts an exited container; --running takes only running ones" {
    run_husk run --name once husk-test/busybox sh -c 'echo ran'
    run_husk restart once
    run_husk wait once
    run_husk logs once
    assert_output_is "$(printf 'ran\nran')"
    run_husk create --name made husk-test/busybox sleep 1000
    start_sleeper
    # --running narrows --all (alone it names nothing, as in Podman 4.3).
    run_husk 125 restart --running -t 0
    run_husk restart --all --running -t 0
    run_husk ps -a --format '{{.Names}} {{.State}}'
    assert_output_contains "made created"
    assert_output_contains "box running"
    run_husk 125 restart nosuch
}

# ---- top -------------------------------------------------------------------

@test "top lists the container's processes with the pids it sees" {
    start_sleeper
    run_husk top box
    [[ "${lines[0]}" =~ ^USER\ +PID\ +PPID\ +%CPU\ +ELAPSED\ +TTY\ +TIME\ +COMMAND$ ]]
    [[ "${lines[1]}" =~ ^root\ +1\ +0\ +[0-9.]+\ +[0-9.]+(ms|s)\ +\?\ +0s\ +sleep\ 1000$ ]]
    run_husk exec -d box sleep 999
    run_husk top box pid ppid args
    assert_output_contains "sleep 999"
    [ "${#lines[@]}" -eq 3 ]
}

@test "top takes descriptor names and AIX descriptors" {
    start_sleeper
    run_husk top box pid,comm user group nice state
    [[ "${lines[0]}" =~ ^PID\ +COMMAND\ +USER\ +GROUP\ +NI\ +STATE$ ]]
    [[ "${lines[1]}" =~ ^1\ +sleep\ +root\ +root\ +0\ +S$ ]]
    run_husk top box %p %c %U %G %n %a %P %C %t %x %y %z %u %g %r
    [[ "${lines[0]}" =~ ^PID\ +COMMAND\ +USER\ +GROUP\ +NI\ +COMMAND\ +PPID\ +%CPU\ +ELAPSED\ +TIME\ +TTY\ +VSZ\ +RUSER\ +RGROUP\ +PGID$ ]]
    [[ "${lines[1]}" =~ ^1\ +sleep\ +root\ +root\ +0\ +sleep\ 1000\ +0 ]]
    run_husk top box hpid vsz rss
    pid=$(husk inspect --format '{{.State.Pid}}' box)
    [[ "${lines[1]}" =~ ^$pid\ +[1-9][0-9]*\ +[1-9][0-9]*$ ]]
}

@test "top huser/hgroup name the host's account from its files, a number when none" {
    start_sleeper
    run_husk top box huser hgroup
    [[ "${lines[1]}" =~ ^root\ +root$ ]]
    run_husk exec -d -u 4242:4343 box sleep 998
    run_husk top box huser hgroup args
    assert_output_contains "4242"
    [[ "$output" =~ 4242\ +4343\ +sleep\ 998 ]]
}

@test "top runs ps(1) in the container for what it does not know" {
    start_sleeper
    run_husk top box -o pid,comm
    assert_output_contains "PID"
    assert_output_contains "sleep"
    run_husk create --name made husk-test/busybox true
    run_husk 125 top made
    assert_output_is "Error: top can only be used on running containers"
}

# ---- stats -----------------------------------------------------------------

@test "stats --no-stream shows PIDS, memory and CPU of a running container" {
    skip_without_cgroup "stats reads the container's cgroup"
    start_sleeper
    run_husk exec -d box sleep 999
    run_husk stats --no-stream
    [[ "${lines[0]}" =~ ^ID\ +NAME\ +CPU\ %\ +MEM\ USAGE\ /\ LIMIT\ +MEM\ %\ +NET\ IO\ +BLOCK\ IO\ +PIDS\ +CPU\ TIME\ +AVG\ CPU\ %$ ]]
    [ "${#lines[@]}" -eq 2 ]
    run_husk stats --no-stream --format '{{.Name}} {{.PIDs}} {{.MemUsage}} {{.CPUPerc}} {{.BlockIO}}' box
    read -r name pids usage slash limit cpu rest <<< "$output"
    [ "$name" = box ]
    [ "$pids" -ge 2 ]
    [[ "$usage" =~ ^[0-9.]+(B|kB|MB)$ ]] && [[ "$usage" != 0B ]]
    [[ "$limit" =~ ^[0-9.]+(MB|GB|TB)$ ]]
    [[ "$cpu" =~ ^[0-9]+\.[0-9][0-9]%$ ]]
}

@test "stats --format json, -a includes containers that do not run" {
    skip_without_cgroup "stats reads the container's cgroup"
    start_sleeper
    run_husk create --name made husk-test/busybox true
    run_husk stats --no-stream --format json box
    assert_output_contains '"name": "box"'
    assert_output_contains '"pids": "1"'
    assert_output_contains '"mem_usage": '
    run_husk stats --no-stream --format '{{.Name}}'
    assert_output_is "box"
    run_husk stats --no-stream -a --format '{{.Name}} {{.PIDs}} {{.MemUsage}}'
    assert_output_contains "box 1 "
    assert_output_contains "made 0 0B / 0B"
    run_husk 125 stats --no-stream nosuch
}

@test "stats streams a report per interval" {
    skip_without_cgroup "stats reads the container's cgroup"
    start_sleeper
    run timeout 2.5 "$HUSK_BIN" --root "$HUSK_ROOT" --runroot "$HUSK_RUNROOT" stats -i 1 --no-reset --format '{{.Name}} {{.PIDs}}' box
    [ "$(grep -c '^box 1$' <<< "$output")" -ge 2 ]
}

@test "attach forwards signals to the container's process (--sig-proxy)" {
    run_husk run -d --name sp husk-test/busybox \
        sh -c 'trap "echo got-term; exit 7" TERM; echo ready; while true; do sleep 0.1; done'
    for i in $(seq 100); do husk logs sp | grep -q ready && break; sleep 0.1; done
    "$HUSK_BIN" --root "$HUSK_ROOT" --runroot "$HUSK_RUNROOT" attach --no-stdin sp \
        > "$HUSK_TMP/out" 2>&1 &
    p=$!
    sleep 0.5
    kill -TERM "$p"
    status=0
    wait "$p" || status=$?
    cat "$HUSK_TMP/out" >&2
    [ "$status" -eq 7 ]
    grep -q got-term "$HUSK_TMP/out"
    # --sig-proxy=false leaves the container alone: attach ends, it runs on.
    run_husk run -d --name sp2 husk-test/busybox sleep 1000
    "$HUSK_BIN" --root "$HUSK_ROOT" --runroot "$HUSK_RUNROOT" attach --sig-proxy=false --no-stdin sp2 &
    p=$!
    sleep 0.5
    kill -TERM "$p"
    wait "$p" || true
    run_husk inspect --format '{{.State.Status}}' sp2
    assert_output_is "running"
}
