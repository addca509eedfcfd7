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

# ---- cp ------------------------------------------------------------------

@test "cp takes container paths without a leading / from the working directory" {
    run_husk create --name w -w /tmp husk-test/busybox true
    echo "relative" > "$HOSTDIR/f"
    run_husk cp "$HOSTDIR/f" w:rel
    run_husk cp w:/tmp/rel "$HOSTDIR/back1"
    assert_equal "$(cat "$HOSTDIR/back1")" "relative"
    run_husk cp w:rel "$HOSTDIR/back2"
    assert_equal "$(cat "$HOSTDIR/back2")" "relative"
    # "." is the working directory itself.
    run_husk cp "$HOSTDIR/f" w:.
    run_husk cp w:/tmp/f "$HOSTDIR/back3"
    assert_equal "$(cat "$HOSTDIR/back3")" "relative"
    # Podman's messages name the path as typed.
    run_husk 125 cp w:copyme "$HOSTDIR/"
    assert_output_is 'Error: "copyme" could not be found on container w: no such file or directory'
    run_husk 125 cp w:/copyme "$HOSTDIR/"
    assert_output_is 'Error: "/copyme" could not be found on container w: no such file or directory'
    run_husk 125 cp "$HOSTDIR/f" w:nodir/x
    assert_output_is 'Error: "nodir/x" could not be found on container w: no such file or directory'
    # --pause is Podman's hidden, ignored flag.
    run_husk cp --pause=false "$HOSTDIR/f" w:/tmp/p
}

@test "cp reaches a running container's tmpfs, volumes and bind mounts, not its layer" {
    mkdir -p "$HOSTDIR/bind"
    run_husk volume create v121
    run_husk run -d --name m --tmpfs /mnt -v "$HOSTDIR/bind:/data" -v v121:/vol \
        husk-test/busybox sh -c 'echo made > /mnt/made; ln -s / /mnt/up; sleep 300'
    for i in $(seq 100); do husk exec m test -L /mnt/up && break; sleep 0.1; done
    echo "payload" > "$HOSTDIR/f"
    for d in /mnt /data /vol; do
        run_husk cp "$HOSTDIR/f" "m:$d/f"
        run_husk exec m cat "$d/f"
        assert_output_is "payload"
    done
    assert_equal "$(cat "$HOSTDIR/bind/f")" "payload"
    # Out of them too: the file exists only in the container's tmpfs.
    run_husk cp m:/mnt/made "$HOSTDIR/made"
    assert_equal "$(cat "$HOSTDIR/made")" "made"
    # A link in the tmpfs resolves inside the container, never on the host.
    rm -f /tmp/husk-121-escape-$$
    run_husk cp "$HOSTDIR/f" m:/mnt/up/tmp/husk-121-escape-$$
    [ ! -e /tmp/husk-121-escape-$$ ]
    run_husk exec m cat /tmp/husk-121-escape-$$
    assert_output_is "payload"
    # The layer never saw the tmpfs: once stopped, the file is gone.
    run_husk stop -t 0 m
    run_husk 125 cp m:/mnt/f "$HOSTDIR/gone"
    assert_output_contains '"/mnt/f" could not be found on container m'
}

@test "cp into and out of a stopped container's volumes and binds reaches them, not its layer" {
    mkdir -p "$HOSTDIR/bind" "$HOSTDIR/robind"
    echo "payload" > "$HOSTDIR/f"
    # Never started: the named volume exists (made at create), nothing is mounted.
    run_husk create --name s -w /vol -v v121s:/vol -v "$HOSTDIR/bind:/data" \
        -v "$HOSTDIR/robind:/ro:ro" husk-test/busybox sh -c 'cat /vol/f; ls /data'
    run_husk cp "$HOSTDIR/f" s:/vol/f
    run_husk cp "$HOSTDIR/f" s:/data/sub/../f2
    run_husk cp "$HOSTDIR/f" s:f3
    assert_equal "$(cat "$HOSTDIR/bind/f2")" "payload"
    # What a later container sees in the volume, and s itself once it runs.
    run_husk run --rm -v v121s:/v husk-test/busybox cat /v/f /v/f3
    assert_output_is "payload
payload"
    run_husk start -a s
    assert_output_contains "payload"
    assert_output_contains "f2"
    # Stopped after a run: out of the volume and the bind, and a whole
    # directory with "/." as the volume's content.
    echo "host side" > "$HOSTDIR/bind/h"
    run_husk cp s:/data/h "$HOSTDIR/h-out"
    assert_equal "$(cat "$HOSTDIR/h-out")" "host side"
    run_husk cp s:/vol/. "$HOSTDIR/volcopy"
    assert_equal "$(cat "$HOSTDIR/volcopy/f3")" "payload"
    # The layer has none of it.
    run_husk export -o "$HOSTDIR/s.tar" s
    ! tar -tf "$HOSTDIR/s.tar" | grep -E '(^|/)(vol/f|data/f2)$' || false
    # A read-only mount is refused, naming it; nothing lands in the layer.
    run_husk 125 cp "$HOSTDIR/f" s:/ro/f
    assert_output_contains '"/ro/f" is on a read-only mount'
    [ ! -e "$HOSTDIR/robind/f" ]
}

@test "cp copies from one container to another, running or not" {
    run_husk create --name src -w /etc husk-test/busybox true
    run_husk create --name dst husk-test/busybox true
    mkdir -p "$HOSTDIR/dir/sub"
    echo one > "$HOSTDIR/dir/sub/a"
    echo two > "$HOSTDIR/f"
    run_husk cp "$HOSTDIR/f" src:/tmp/f
    run_husk cp "$HOSTDIR/dir" src:/tmp/
    run_husk cp src:/tmp/f dst:/tmp/g
    run_husk cp src:/tmp/dir dst:/tmp
    run_husk cp src:/tmp/dir/. dst:/newdir
    run_husk cp dst:/tmp/g "$HOSTDIR/g"
    assert_equal "$(cat "$HOSTDIR/g")" "two"
    run_husk cp dst:/tmp/dir/sub/a "$HOSTDIR/a1"
    assert_equal "$(cat "$HOSTDIR/a1")" "one"
    run_husk cp dst:/newdir/sub/a "$HOSTDIR/a2"
    assert_equal "$(cat "$HOSTDIR/a2")" "one"
    # Relative paths on each side start at that container's workdir.
    run_husk cp src:passwd dst:h
    run_husk cp dst:/h "$HOSTDIR/h"
    grep -q "^root:" "$HOSTDIR/h"
    # A running source's tmpfs is read through its mounts.
    run_husk run -d --name live --tmpfs /mnt husk-test/busybox sh -c 'echo live > /mnt/x; sleep 300'
    for i in $(seq 100); do husk exec live test -s /mnt/x && break; sleep 0.1; done
    run_husk cp live:/mnt/x dst:/tmp/x
    run_husk cp dst:/tmp/x "$HOSTDIR/x"
    assert_equal "$(cat "$HOSTDIR/x")" "live"
    run_husk 125 cp src:/nosuch dst:/tmp
    assert_output_is 'Error: "/nosuch" could not be found on container src: no such file or directory'
}

@test "cp refuses /dev/stdout and streams that are not tar archives with 125" {
    run_husk create --name box husk-test/busybox true
    # A link that resolves to a pipe, as /dev/stdout does under run: it is
    # refused and left as it is.
    ln -s /proc/self/fd/1 "$HOSTDIR/out"
    run_husk 125 cp box:/etc/passwd "$HOSTDIR/out"
    assert_output_is "Error: invalid destination: \"$HOSTDIR/out\" must be a directory or a regular file"
    [ -L "$HOSTDIR/out" ]
    run_husk 125 cp box:/etc/passwd /dev/stdout
    assert_output_is 'Error: invalid destination: "/dev/stdout" must be a directory or a regular file'
    [ -L /dev/stdout ]
    # A link to a regular file is written through, not replaced.
    echo old > "$HOSTDIR/file"
    ln -s "$HOSTDIR/file" "$HOSTDIR/link"
    run_husk cp box:/etc/group "$HOSTDIR/link"
    [ -L "$HOSTDIR/link" ]
    grep -q '^root:' "$HOSTDIR/file"
    echo "not a tar" > "$HOSTDIR/plain"
    run_husk 125 cp - box:/tmp < "$HOSTDIR/plain"
    assert_output_is "Error: source must be a (compressed) tar archive when copying from stdin"
    run_husk 125 cp - box:/tmp < /dev/null
    assert_output_is "Error: source must be a (compressed) tar archive when copying from stdin"
    tar -C "$HOSTDIR" -czf "$HOSTDIR/in.tgz" plain
    run_husk 125 cp - box:/etc/passwd < "$HOSTDIR/in.tgz"
    assert_output_is "Error: destination must be a directory when copying from stdin"
    run_husk cp - box:/tmp < "$HOSTDIR/in.tgz"
    run_husk cp box:/tmp/plain "$HOSTDIR/plain2"
    assert_equal "$(cat "$HOSTDIR/plain2")" "not a tar"
    # Podman's words for a directory onto a file, both ways.
    mkdir -p "$HOSTDIR/d"
    run_husk 125 cp "$HOSTDIR/d" box:/etc/passwd
    assert_output_is "Error: destination must be a directory when copying a directory"
    run_husk 125 cp box:/etc "$HOSTDIR/file"
    assert_output_is "Error: destination must be a directory when copying a directory"
}

# ---- ps, diff, inspect ---------------------------------------------------

@test "ps --ns shows each running container's namespaces; --external and --sync are accepted" {
    run_husk run -d --name up husk-test/busybox sleep 300
    run_husk create --name idle husk-test/busybox true
    pid=$(husk inspect --format '{{.State.Pid}}' up)
    mnt=$(readlink /proc/$pid/ns/mnt | tr -dc 0-9)
    net=$(readlink /proc/$pid/ns/net | tr -dc 0-9)
    run_husk ps -a --ns --sort names
    assert_equal "$(echo "${lines[0]}" | tr -s ' ')" "CONTAINER ID NAMES PID CGROUPNS IPC MNT NET PIDNS USERNS UTS"
    [[ "${lines[1]}" == *" idle "*" 0 "* ]]
    [[ "${lines[2]}" == *" up "*" $pid "*" $mnt "*" $net "* ]]
    run_husk ps --namespace --format '{{.Names}} {{.Namespaces.MNT}} {{.MNT}}'
    assert_output_is "up $mnt $mnt"
    run_husk ps --ns --format json
    assert_equal "$(echo "$output" | jq -r '.[0].Namespaces.NET')" "$net"
    run_husk ps --format json
    assert_equal "$(echo "$output" | jq -c '.[0].Namespaces')" "{}"
    # husk keeps no container outside its state: --external adds none.
    run_husk ps -a --external --sync --sort names --format '{{.Names}}'
    assert_output_is "$(printf 'idle\nup')"
    run_husk ps --external --format '{{.Names}}'
    assert_output_is "up"
}

@test "ps refuses what Podman refuses; --watch lists again" {
    run_husk 125 ps -q --size
    assert_output_is "Error: quiet conflicts with size and namespace"
    run_husk 125 ps -q --ns
    assert_output_is "Error: quiet conflicts with size and namespace"
    run_husk 125 ps --size --ns
    assert_output_is "Error: size and namespace options conflict"
    run_husk 125 ps -n 2 --latest
    assert_output_is "Error: last and latest are mutually exclusive"
    run_husk 125 ps -w 1 --latest
    assert_output_is "Error: the watch and latest flags cannot be used together"
    run_husk 125 ps extra
    assert_output_contains 'Error: `husk ps` takes no arguments'
    run_husk run -d --name w husk-test/busybox sleep 300
    run timeout 3 "$HUSK_BIN" --root "$HUSK_ROOT" --runroot "$HUSK_RUNROOT" ps -w 1 --format '{{.Names}}'
    assert_equal "$status" "124"
    [ "$(grep -c 'H\?w$' <<<"$output")" -ge 2 ]
    assert_output_contains $'\033[2J'
}

@test "diff -l and --latest show the newest container's changes" {
    run_husk run --name first husk-test/busybox touch /one
    run_husk run --name second husk-test/busybox touch /two
    run_husk diff -l
    assert_output_contains "A /two"
    [[ "$output" != *"/one"* ]]
    run_husk container diff --latest --format json
    assert_equal "$(echo "$output" | jq -r '.added | join(" ")')" "/two"
    run_husk 125 diff -l first
    assert_output_is "Error: --latest and containers cannot be used together"
}

@test "diff compares two containers, a container with an image, an image with its parent or another image" {
    run_husk run --name d1 husk-test/busybox sh -c 'echo a > /new1; rm /bin/vi'
    run_husk run --name d2 husk-test/busybox sh -c 'echo b > /new2; mkdir /newdir'
    # Container against container: what d1 has that d2 has not, and back.
    run_husk diff d1 d2
    assert_output_contains "A /new1"
    assert_output_contains "D /new2"
    assert_output_contains "D /newdir"
    assert_output_contains "D /bin/vi"
    run_husk container diff --format json d2 d1
    assert_equal "$(echo "$output" | jq -r '.added | sort | join(" ")')" "/bin/vi /new2 /newdir"
    # Container against an image (its own, so the same as diff alone).
    run_husk diff d1 husk-test/busybox
    assert_equal "$output" "$(husk diff d1)"
    # An image against its parent layer: what its top layer did.
    run_husk load -i "$HUSK_IMAGES/layers.docker.tar"
    run_husk image diff husk-test/layers
    assert_output_contains "D /data/gone.txt"
    assert_output_contains "A /data/new.txt"
    assert_output_contains "D /opaque/old1.txt"
    [[ "$output" != *"/bin/"* ]]
    # Image against image: everything the other lacks.
    run_husk diff --format json husk-test/layers husk-test/busybox
    assert_equal "$(echo "$output" | jq -r '.added | index("/data/keep.txt") != null')" "true"
    run_husk image diff husk-test/busybox husk-test/busybox
    assert_output_is ""
    # Each form takes only its own kind; neither kind is named as such.
    run_husk 125 container diff d1 husk-test/busybox
    assert_output_contains 'no container with name or ID "husk-test/busybox"'
    run_husk 125 image diff d1
    assert_output_contains "image not known"
    run_husk 125 diff nosuch
    assert_output_is "Error: nosuch not found: no container or image with this name or ID"
    run_husk 125 image diff -l
    assert_output_contains "unknown shorthand flag: 'l'"
    # Every tree mounted for a comparison is unmounted again.
    assert_equal "$(store_mountinfo | grep -cF " $HUSK_TMP/" || true)" "0"
}

@test "every flag of Podman 5's ps, logs, cp, diff and inspect is supported or refused" {
    run_husk __flags
    for f in "ps --all" "ps --external" "ps --filter" "ps --format" "ps --last" "ps --latest" \
             "ps --namespace" "ps --ns" "ps --no-trunc" "ps --noheading" "ps --pod" "ps --quiet" \
             "ps --size" "ps --sort" "ps --sync" "ps --watch" \
             "logs --color" "logs --follow" "logs --latest" "logs --names" "logs --since" \
             "logs --tail" "logs --timestamps" "logs --until" \
             "cp --archive" "cp --overwrite" "diff --format" "diff --latest" \
             "inspect --format" "inspect --latest" "inspect --size" "inspect --type"; do
        set -- $f
        grep -q "^$1"$'\t'"$2"$'\t' <<<"$output" || { echo "missing: $f" >&2; return 1; }
    done
    grep -q "^ps"$'\t'"--pod"$'\t'"p"$'\t'"supported" <<<"$output"
    # container inspect and container diff are the same commands.
    for f in "container inspect --format" "container inspect --latest" "container inspect --size" \
             "container diff --latest"; do
        set -- $f
        grep -q "^$1 $2"$'\t'"$3"$'\t' <<<"$output" || { echo "missing: $f" >&2; return 1; }
    done
}

@test "logs -f follows several containers at once, each to its own end" {
    run_husk run -d --name f1 husk-test/busybox sh -c 'echo one-start; sleep 3; echo one-end'
    run_husk run -d --name f2 husk-test/busybox sh -c 'echo two-start; sleep 1; echo two-end'
    SECONDS=0
    run_husk logs -f --names f1 f2
    [ "$SECONDS" -le 15 ]
    assert_output_contains "f1 one-start"
    assert_output_contains "f1 one-end"
    assert_output_contains "f2 two-start"
    assert_output_contains "f2 two-end"
    # f2's lines came while f1 was still being followed, not after it.
    i_two=$(grep -n 'f2 two-end' <<<"$output" | cut -d: -f1)
    i_one=$(grep -n 'f1 one-end' <<<"$output" | cut -d: -f1)
    [ "$i_two" -lt "$i_one" ]
    # Several logs, not followed, still come one whole log after the other.
    run_husk logs --names f1 f2
    assert_output_is "$(printf 'f1 one-start\nf1 one-end\nf2 two-start\nf2 two-end')"
}
