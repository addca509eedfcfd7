#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Where a `run --rm --network none IMAGE true` spends its time, from ftrace:
#
#   bash bench/trace.sh BUILD_DIR [RUNS]     (as root)
#
# Runs husk from BUILD_DIR RUNS times (150 ms apart) in a private store,
# with the scheduler's fork, exec and exit events and a few system calls
# (sendto, recvfrom, fdatasync, mount, umount) traced in a private ftrace
# instance, and prints for each step of the path the median time from
# husk's exec, over the runs.  Only the processes that descend from each
# run's husk count, so other work on the machine does not mix in.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=$(cd "$1" && pwd) RUNS=${2:-21}
IMAGES=${IMAGES:-$PWD/build/test-images}
T=/sys/kernel/tracing
inst=$T/instances/husk-trace-$$
tmp=$(mktemp -d /var/tmp/husk-trace.XXXXXX)
H() { "$BUILD/husk" --root "$tmp/store" --runroot "$tmp/run" --storage-driver overlay "$@"; }
cleanup() {
    [ -d "$inst" ] && { echo 0 > "$inst/tracing_on"; rmdir "$inst"; }
    H system reset -f >/dev/null 2>&1 || true
    [ -n "${KEEP:-}" ] && cp "$tmp/trace" /tmp/husk-trace.txt
    rm -rf "$tmp"
}
trap cleanup EXIT
H load -i "$IMAGES/busybox.docker.tar" >/dev/null
mkdir "$inst"
echo 8192 > "$inst/buffer_size_kb"
for e in sched/sched_process_fork sched/sched_process_exec sched/sched_process_exit \
         syscalls/sys_enter_sendto syscalls/sys_exit_recvfrom syscalls/sys_enter_fdatasync \
         syscalls/sys_enter_mount syscalls/sys_enter_umount syscalls/sys_enter_exit_group; do
    echo 1 > "$inst/events/$e/enable"
done
for i in $(seq "$RUNS"); do
    sleep 0.15
    echo 1 > "$inst/tracing_on"
    H --runtime crun run --rm --network none localhost/husk-test/busybox true >/dev/null
    echo 0 > "$inst/tracing_on"
    echo "=== $i" >> "$tmp/trace"
    cat "$inst/trace" >> "$tmp/trace"
    echo > "$inst/trace"
done
# Per run: follow the tree from husk's exec, name the steps, and print
# "step ms" lines; then the median of each step over the runs.
awk -v husk="$BUILD/husk" '
function t(line,   a) { match(line, /[0-9]+\.[0-9]+:/); return substr(line, RSTART, RLENGTH - 1) * 1000 }
function pidof(line,   a) { match(line, /-[0-9]+ +\[/); a = substr(line, RSTART + 1, RLENGTH - 2); gsub(/ /, "", a); return a }
function mark(name, ms) { if (!(name in seen)) { seen[name] = 1; gsub(/ /, "-", name); printf "%s %.3f\n", name, ms - t0 } }
/^=== / { delete mine; delete seen; delete role; t0 = 0; root = 0; next }
/sched_process_exec/ && index($0, "filename=" husk " ") && !root {
    root = pidof($0); match($0, /pid=[0-9]+/); root = substr($0, RSTART + 4, RLENGTH - 4)
    mine[root] = 1; role[root] = "husk"; t0 = t($0); next }
!root { next }
/sched_process_fork/ {
    match($0, / pid=[0-9]+ child_comm/); p = substr($0, RSTART + 5, RLENGTH - 16)
    match($0, /child_pid=[0-9]+/); c = substr($0, RSTART + 10, RLENGTH - 10)
    if (p in mine) { mine[c] = 1; role[c] = role[p] "/child";
        if (role[p] == "monitor") mark("monitor forks", t($0)) }
    next }
{ p = pidof($0); if (!(p in mine)) next }
/sched_process_exec/ {
    if ($0 ~ /husk-monitor/) { role[p] = "monitor"; mark("monitor exec", t($0)) }
    else if ($0 ~ /filename=\/dev\/fd|filename=\/proc\/self\/fd|crun/) {
        if (!("crun exec" in seen)) { role[p] = "crun"; mark("crun exec", t($0)) }
        else { role[p] = "crun2"; mark("crun delete exec", t($0)) } }
    else if ($0 ~ /filename=\/bin\/true|filename=true/) { role[p] = "ctr"; mark("container exec", t($0)) }
    next }
/sys_sendto/ && role[p] == "husk" && /len: 1,/ && !("go sent" in seen) { mark("go sent", t($0)); next }
/sys_sendto/ && role[p] == "monitor" { mark("exit frame sent", t($0)); next }
/sys_sendto/ && role[p] == "husk" && ("exit frame read" in seen) { mark("cleaned sent", t($0)); next }
/sys_sendto/ && role[p] == "husk" { mark("config sent", t($0)); next }
/sys_recvfrom -> 0x1$/ && role[p] == "monitor/child" { mark("go read", t($0)); next }
/sys_recvfrom -> 0x2$/ && role[p] == "husk" { mark("exit frame read", t($0)); next }
/sys_fdatasync/ && role[p] == "husk" { mark("husk fdatasync", t($0)); next }
/sys_mount/ && role[p] == "husk" { mark("mount", t($0)); next }
/sys_umount/ && role[p] == "husk" { mark("umount", t($0)); next }
/sys_exit_group/ && role[p] == "ctr" { mark("container exit", t($0)); next }
/sys_exit_group/ && role[p] == "crun" { mark("crun exit", t($0)); next }
/sys_exit_group/ && role[p] == "crun2" { mark("crun delete exit", t($0)); next }
/sys_exit_group/ && role[p] == "husk" { mark("husk exit", t($0)); next }
/sys_exit_group/ && role[p] == "monitor" { mark("monitor exit", t($0)); next }
' "$tmp/trace" > "$tmp/steps"
sort -k1,1 -k2g "$tmp/steps" | awk '
function flush() { if (name != "") printf "%-20s %8.2f ms  (%d runs)\n", name, v[int((n + 1) / 2)], n }
$1 != name { flush(); name = $1; n = 0 }
{ v[++n] = $2 }
END { flush() }' | sort -k2 -g
