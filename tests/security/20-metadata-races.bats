#!/usr/bin/env bats
# Host safety: a process in a running container that swaps symlinks in a
# loop while husk writes into the container (cp, volume import) must never
# make husk change a host file.  Every mode, owner, time and xattr husk sets
# goes through a descriptor of the node it made, never through its name
# (see storage/resolve.h).  On the tree before that fix these tests turned
# several canaries into -rwsrwxrwx in every run.
load ../system/helpers

N=1000       # FIFOs (and, as root, char devices) per copy
ROUNDS=3

setup() {
    husk_setup_store
    command -v cc >/dev/null || skip "needs a C compiler for the racer"
    CANARY=$HUSK_TMP/canary
    mkdir -p "$CANARY" "$HUSK_TMP/bin"
    cc -static -O2 -o "$HUSK_TMP/bin/racer" "$BATS_TEST_DIRNAME/20-racer.c"
    # N canaries of mode 0644 and a tar of N FIFOs and N char devices, all
    # of mode 04777 (python3: mknod needs no root in a tar header).
    python3 - "$CANARY" "$HUSK_TMP/nodes.tar" "$N" <<'PY'
import os, sys, tarfile
canary, out, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
for i in range(n):
    p = os.path.join(canary, "c%d" % i)
    with open(p, "w") as f:
        f.write("canary\n")
    os.chmod(p, 0o644)
with tarfile.open(out, "w", format=tarfile.PAX_FORMAT) as t:
    for i in range(n):
        for prefix, kind in (("f", tarfile.FIFOTYPE), ("n", tarfile.CHRTYPE)):
            ti = tarfile.TarInfo("%s%d" % (prefix, i))
            ti.type, ti.mode, ti.devmajor, ti.devminor = kind, 0o4777, 1, 3
            t.addfile(ti)
PY
}

teardown() {
    container_teardown
}

# start_racer NAME [run options]: a container running two racers on /d.
start_racer() {
    local name=$1
    shift
    run_husk load -i "$HUSK_IMAGES/busybox.docker.tar"
    run_husk create --name "$name" "$@" husk-test/busybox sh -c \
        "mkdir -p /d; /racer /d $CANARY $N 0 2 f n & /racer /d $CANARY $N 1 2 f n & wait"
    run_husk cp "$HUSK_TMP/bin/racer" "$name:/racer"
    run_husk start "$name"
    sleep 0.3
}

# Fail when any canary lost its mode 0644 or its content.
assert_canaries_intact() {
    local bad
    bad=$(find "$CANARY" -type f ! -perm 0644 -printf '%m %p\n')
    if [ -n "$bad" ]; then
        echo "host files changed through the container's symlinks:" >&2
        echo "$bad" | head >&2
        return 1
    fi
    bad=$(grep -Lx canary "$CANARY"/c* || true)
    [ -z "$bad" ] || { echo "canary content changed: $bad" >&2; return 1; }
}

@test "cp - into a running container never chmods host files through swapped symlinks" {
    start_racer racer
    for r in $(seq $ROUNDS); do
        # The copy may fail when the racer replaces a node it made; it
        # must never touch the host.
        husk cp - racer:/d < "$HUSK_TMP/nodes.tar" || true
        assert_canaries_intact
    done
    run_husk rm -f -t 0 racer
}

@test "volume import into a volume a running container uses never chmods host files" {
    run_husk volume create racevol
    start_racer racer -v racevol:/d
    for r in $(seq $ROUNDS); do
        husk volume import racevol "$HUSK_TMP/nodes.tar" || true
        assert_canaries_intact
    done
    run_husk rm -f -t 0 racer
}

@test "volume import never chmods host files through names a racing process swaps" {
    # The racing process runs on the host, in the volume's directory, as
    # the user running husk: this runs rootless too.
    run_husk volume create racevol
    run_husk volume inspect --format '{{.Mountpoint}}' racevol
    dir=$output
    "$HUSK_TMP/bin/racer" "$dir" "$CANARY" $N 0 2 f n &
    r1=$!
    "$HUSK_TMP/bin/racer" "$dir" "$CANARY" $N 1 2 f n &
    r2=$!
    for r in $(seq $ROUNDS); do
        husk volume import racevol "$HUSK_TMP/nodes.tar" || true
        assert_canaries_intact || { kill $r1 $r2; return 1; }
    done
    kill $r1 $r2
    wait $r1 $r2 2>/dev/null || true
}
