#!/usr/bin/env bats
# Named volumes: volume create, ls, inspect, rm, prune, exists, import,
# export, and volumes in containers (-v NAME:/dst, anonymous -v /dst).
load helpers

setup() {
    husk_setup_store
    run_husk load -i "$HUSK_IMAGES/busybox.docker.tar"
}

teardown() {
    husk rm -a -f -t 0 >/dev/null 2>&1 || true
    grep -F " $HUSK_TMP/" /proc/self/mountinfo | awk '{print $5}' | sort -r \
        | while read -r m; do umount -l "$m"; done
    remove_tree "$HUSK_TMP"
}

# ---- create, ls, inspect, exists ------------------------------------------

@test "volume create prints the name; a second create of it fails unless --ignore" {
    run_husk volume create myvol
    assert_output_is "myvol"
    [ -d "$HUSK_ROOT/volumes/myvol/_data" ]
    run_husk 125 volume create myvol
    assert_output_contains "volume with name myvol already exists"
    run_husk volume create --ignore myvol
    assert_output_is "myvol"
    run_husk volume ls -q
    assert_output_is "myvol"
}

@test "volume create without a name makes a random 64-hex name" {
    run_husk volume create
    [[ "$output" =~ ^[0-9a-f]{64}$ ]]
    name=$output
    [ -d "$HUSK_ROOT/volumes/$name/_data" ]
    run_husk volume ls -q
    assert_output_is "$name"
}

@test "volume create refuses other drivers, bad names and unknown options" {
    run_husk 125 volume create --driver nfs v1
    assert_output_contains 'volume driver "nfs" is not supported'
    run_husk 125 volume create ../escape
    assert_output_contains "invalid volume name"
    run_husk 125 volume create --opt foo=bar v2
    assert_output_contains "invalid mount option foo for driver 'local'"
    run_husk 125 volume create --opt o=bind v3
    assert_output_contains "needs an absolute path"
    run_husk volume create --driver local v4
    run_husk volume ls -q
    assert_output_is "v4"
    [ ! -e "$HUSK_TMP/escape" ]
}

@test "volume ls shows DRIVER and VOLUME NAME, sorted, and filters" {
    run_husk volume create --label app=web --label tier b-vol
    run_husk volume create --label app=db a-vol
    run_husk 125 volume create --label =x c-vol
    assert_output_contains 'invalid label "=x": empty key'
    run_husk volume create c-other
    run_husk volume ls
    assert_output_is "$(printf 'DRIVER      VOLUME NAME\nlocal       a-vol\nlocal       b-vol\nlocal       c-other')"
    run_husk volume ls -q --filter label=app
    assert_output_is "$(printf 'a-vol\nb-vol')"
    run_husk volume ls -q --filter label=app=web
    assert_output_is "b-vol"
    run_husk volume ls -q --filter label=tier --filter label=app=web
    assert_output_is "b-vol"
    run_husk volume ls -q --filter 'label!=app'
    assert_output_is "c-other"
    run_husk volume ls -q --filter name=-vol
    assert_output_is "$(printf 'a-vol\nb-vol')"
    run_husk volume ls -q --filter 'name=^c'
    assert_output_is "c-other"
    run_husk volume ls -q --filter driver=other
    assert_output_is ""
    run_husk volume ls -q --filter dangling=true
    assert_output_is "$(printf 'a-vol\nb-vol\nc-other')"
    run_husk volume ls --noheading --format '{{.Name}}={{.Labels}}'
    assert_output_is "$(printf 'a-vol=map[app:db]\nb-vol=map[app:web tier:]\nc-other=map[]')"
    run_husk 125 volume ls --filter bogus=1
    assert_output_contains "invalid volume filter"
}

@test "volume inspect prints Podman's JSON, takes --format, -a and prefixes" {
    run_husk volume create --label k=v --opt type=tmpfs --opt o=size=1m insp
    run_husk volume inspect insp
    echo "$output" | python3 -c '
import json, sys
v = json.load(sys.stdin)
assert len(v) == 1, v
v = v[0]
keys = ["Name", "Driver", "Mountpoint", "CreatedAt", "Labels", "Scope", "Options",
        "MountCount", "NeedsCopyUp", "NeedsChown"]
assert list(v.keys()) == keys, list(v.keys())
assert v["Name"] == "insp" and v["Driver"] == "local" and v["Scope"] == "local"
assert v["Mountpoint"].endswith("/volumes/insp/_data"), v["Mountpoint"]
assert v["Labels"] == {"k": "v"}, v["Labels"]
assert v["Options"] == {"type": "tmpfs", "o": "size=1m"}, v["Options"]
assert v["MountCount"] == 0 and v["NeedsCopyUp"] is True and v["NeedsChown"] is True
assert v["CreatedAt"][:2] == "20" and "T" in v["CreatedAt"], v["CreatedAt"]
'
    run_husk volume inspect --format '{{.Name}} {{.Driver}} {{.Anonymous}}' ins
    assert_output_is "insp local false"
    run_husk volume create other
    run_husk volume inspect -a --format '{{.Name}}'
    assert_output_is "$(printf 'insp\nother')"
    run_husk 125 volume inspect nosuch
    assert_output_contains 'no volume with name "nosuch" found: no such volume'
}

@test "volume exists exits 0 when the volume exists and 1 when not" {
    run_husk volume create here
    run_husk volume exists here
    assert_output_is ""
    run_husk 1 volume exists nothere
    assert_output_is ""
}

# ---- rm, prune -------------------------------------------------------------

@test "volume rm removes the volume and its content; a missing one exits 1" {
    run_husk volume create gone
    echo data >"$HUSK_ROOT/volumes/gone/_data/file"
    run_husk volume rm gone
    assert_output_is "gone"
    [ ! -e "$HUSK_ROOT/volumes/gone" ]
    run_husk 1 volume rm gone
    assert_output_contains 'no volume with name "gone" found'
    run_husk volume create x1
    run_husk volume create x2
    run_husk volume rm -a
    assert_output_is "$(printf 'x1\nx2')"
    run_husk volume ls -q
    assert_output_is ""
}

@test "volume prune removes unused volumes matching the filters and prints them" {
    run_husk volume create --label keep=yes kept
    run_husk volume create p1
    run_husk volume create p2
    run_husk volume prune -f --filter label=nosuch
    assert_output_is ""
    run_husk volume prune -f --filter 'label!=keep'
    assert_output_is "$(printf 'p1\np2')"
    run_husk volume ls -q
    assert_output_is "kept"
    [ ! -e "$HUSK_ROOT/volumes/p1" ]
}

# ---- import, export -----------------------------------------------------------

@test "volume export and import round-trip files, links and modes" {
    mkdir -p "$HUSK_TMP/src/dir"
    echo hello >"$HUSK_TMP/src/dir/file"
    chmod 0640 "$HUSK_TMP/src/dir/file"
    ln -s dir/file "$HUSK_TMP/src/link"
    ln "$HUSK_TMP/src/dir/file" "$HUSK_TMP/src/hard"
    tar -C "$HUSK_TMP/src" -cf "$HUSK_TMP/in.tar" .
    run_husk volume create v1
    run_husk volume import v1 "$HUSK_TMP/in.tar"
    data=$HUSK_ROOT/volumes/v1/_data
    [ "$(in_userns cat "$data/dir/file")" = hello ]
    [ "$(in_userns stat -c %a "$data/dir/file")" = 640 ]
    [ "$(in_userns readlink "$data/link")" = dir/file ]
    [ "$(in_userns stat -c %i "$data/hard")" = "$(in_userns stat -c %i "$data/dir/file")" ]
    husk volume export v1 >"$HUSK_TMP/out.tar"
    run tar -tf "$HUSK_TMP/out.tar"
    [[ "$output" == *"dir/file"* ]]
    [[ "$output" == *"link"* ]]
    run_husk volume export -o "$HUSK_TMP/out2.tar" v1
    cmp "$HUSK_TMP/out.tar" "$HUSK_TMP/out2.tar"
    run_husk volume create v2
    husk volume import v2 - <"$HUSK_TMP/out.tar"
    data2=$HUSK_ROOT/volumes/v2/_data
    [ "$(in_userns cat "$data2/dir/file")" = hello ]
    [ "$(in_userns stat -c %a "$data2/dir/file")" = 640 ]
    [ "$(in_userns readlink "$data2/link")" = dir/file ]
    [ "$(in_userns stat -c %i "$data2/hard")" = "$(in_userns stat -c %i "$data2/dir/file")" ]
}

@test "volume import refuses entries that climb out and writes nothing outside" {
    python3 - "$HUSK_TMP/evil.tar" <<'EOF'
import io, sys, tarfile
t = tarfile.open(sys.argv[1], "w")
for name in ["ok.txt", "../escaped.txt"]:
    data = b"bad\n"
    ti = tarfile.TarInfo(name)
    ti.size = len(data)
    t.addfile(ti, io.BytesIO(data))
t.close()
EOF
    run_husk volume create ev
    run_husk 125 volume import ev "$HUSK_TMP/evil.tar"
    assert_output_contains "escapes"
    [ ! -e "$HUSK_ROOT/volumes/ev/escaped.txt" ]
    [ ! -e "$HUSK_ROOT/volumes/escaped.txt" ]
    run find "$HUSK_TMP" -name escaped.txt
    assert_output_is ""
}

@test "volume import does not write through a symlink in the volume" {
    mkdir -p "$HUSK_TMP/outside"
    run_husk volume create sv
    ln -s "$HUSK_TMP/outside" "$HUSK_ROOT/volumes/sv/_data/link"
    python3 - "$HUSK_TMP/via-link.tar" <<'EOF'
import io, sys, tarfile
t = tarfile.open(sys.argv[1], "w")
data = b"bad\n"
ti = tarfile.TarInfo("link/planted.txt")
ti.size = len(data)
t.addfile(ti, io.BytesIO(data))
t.close()
EOF
    run_husk 125 volume import sv "$HUSK_TMP/via-link.tar"
    [ ! -e "$HUSK_TMP/outside/planted.txt" ]
}

@test "volume export of an unknown volume fails and writes no file" {
    run_husk 125 volume export nosuch -o "$HUSK_TMP/x.tar"
    assert_output_contains "no such volume"
    [ ! -e "$HUSK_TMP/x.tar" ]
}

# ---- volumes in containers --------------------------------------------------------

@test "run -v NAME:/dst creates the volume; data written in one container is seen by the next" {
    run_husk 1 volume exists shared
    run_husk run --rm -v shared:/data husk-test/busybox sh -c 'echo persisted >/data/f'
    run_husk volume exists shared
    run_husk run --rm -v shared:/data husk-test/busybox cat /data/f
    assert_output_is "persisted"
    [ "$(cat "$HUSK_ROOT/volumes/shared/_data/f")" = persisted ]
    run_husk volume inspect --format '{{.NeedsCopyUp}} {{.NeedsChown}}' shared
    assert_output_is "false false"
}

@test "a fresh volume is seeded from the image at its mount point" {
    run_husk run --rm -v newvol:/etc husk-test/busybox sh -c 'grep ^tester: /etc/passwd'
    assert_output_contains "tester:x:1000"
    [ -f "$HUSK_ROOT/volumes/newvol/_data/passwd" ]
    # Owners and modes come along: /home/tester is 1000:1000 in the image.
    run_husk run --rm -v homevol:/home/tester husk-test/busybox stat -c '%u:%g %a' /home/tester
    [ "$(in_userns stat -c %u:%g "$HUSK_ROOT/volumes/homevol/_data")" = 1000:1000 ]
    # Only on first use, and only into an empty volume.
    rm "$HUSK_ROOT/volumes/newvol/_data/passwd"
    run_husk run --rm -v newvol:/etc husk-test/busybox ls /etc
    [[ "$output" != *passwd* ]]
    run_husk volume create filled
    echo mine >"$HUSK_ROOT/volumes/filled/_data/only"
    run_husk run --rm -v filled:/etc husk-test/busybox ls /etc
    [[ "$output" == *only* ]]
    [[ "$output" != *passwd* ]]
}

@test "containers starting together with one new volume all see it seeded" {
    pids=()
    for i in 1 2 3 4 5 6; do
        husk run --rm -v together:/etc husk-test/busybox grep -c ^root: /etc/passwd \
            >"$HUSK_TMP/out.$i" 2>&1 &
        pids+=($!)
    done
    failed=0
    for p in "${pids[@]}"; do wait "$p" || failed=$((failed + 1)); done
    cat "$HUSK_TMP"/out.* >&2
    [ "$failed" -eq 0 ]
    for i in 1 2 3 4 5 6; do [ "$(cat "$HUSK_TMP/out.$i")" = 1 ]; done
    run_husk volume ls -q
    assert_output_is "together"
}

@test "seeding resolves the mount point inside the image, never on the host" {
    mkdir -p "$HUSK_TMP/hostsecret"
    echo secret >"$HUSK_TMP/hostsecret/secret.txt"
    mkdir -p "$HUSK_TMP/rootfs"
    tar -C "$HUSK_TMP/rootfs" -xf "$HUSK_IMAGES/rootfs.tar"
    ln -s "$HUSK_TMP/hostsecret" "$HUSK_TMP/rootfs/abs"
    ln -s ../../../../../../../../../../../.."$HUSK_TMP/hostsecret" "$HUSK_TMP/rootfs/rel"
    tar -C "$HUSK_TMP/rootfs" -cf "$HUSK_TMP/evil-rootfs.tar" .
    run_husk import "$HUSK_TMP/evil-rootfs.tar" husk-test/evil
    run husk run --rm -v absvol:/abs husk-test/evil true
    run husk run --rm -v relvol:/rel husk-test/evil true
    run_husk volume ls -q
    [[ "$output" == *absvol* ]]
    [ ! -e "$HUSK_ROOT/volumes/absvol/_data/secret.txt" ]
    [ ! -e "$HUSK_ROOT/volumes/relvol/_data/secret.txt" ]
}

@test "an anonymous volume stays with its container across restarts; rm -v removes it" {
    run_husk run --name anon -v /scratch husk-test/busybox sh -c 'echo 1 >>/scratch/count'
    run_husk inspect --format '{{range .Mounts}}{{.Name}}{{end}}' anon
    [[ "$output" =~ ^[0-9a-f]{64}$ ]]
    vol=$output
    run_husk volume inspect --format '{{.Anonymous}}' "$vol"
    assert_output_is "true"
    run_husk start anon
    run_husk wait anon
    run_husk inspect --format '{{range .Mounts}}{{.Name}}{{end}}' anon
    assert_output_is "$vol"
    [ "$(wc -l <"$HUSK_ROOT/volumes/$vol/_data/count")" -eq 2 ]
    run_husk rm -v anon
    run_husk 1 volume exists "$vol"
    [ ! -e "$HUSK_ROOT/volumes/$vol" ]
}

@test "rm without -v keeps an anonymous volume, and rm -v keeps named ones" {
    run_husk run --name keepanon -v /scratch -v named:/named husk-test/busybox true
    run_husk inspect --format '{{range .Mounts}}{{if eq .Destination "/scratch"}}{{.Name}}{{end}}{{end}}' keepanon
    vol=$output
    [[ "$vol" =~ ^[0-9a-f]{64}$ ]]
    run_husk rm keepanon
    run_husk volume exists "$vol"
    run_husk run --name other -v /scratch -v named:/named husk-test/busybox true
    run_husk rm -v other
    run_husk volume exists named
    run_husk volume exists "$vol"
}

@test "rm of a volume in use fails with exit 2; rm -f removes its containers too" {
    run_husk run --name user1 -v busy:/data husk-test/busybox true
    id=$(husk container inspect --format '{{.Id}}' user1)
    run_husk 2 volume rm busy
    assert_output_contains "volume busy is being used by the following container(s): $id"
    run_husk volume prune -f
    [[ "$output" != *busy* ]]
    run_husk volume ls -q --filter dangling=false
    assert_output_is "busy"
    run_husk volume rm -f busy
    assert_output_is "busy"
    run_husk ps -a -q
    assert_output_is ""
    run_husk 1 volume exists busy
}

@test "a tmpfs volume is mounted at first use and unmounted by rm" {
    run_husk volume create --opt type=tmpfs --opt device=tmpfs --opt o=size=2m tv
    data=$HUSK_ROOT/volumes/tv/_data
    ! in_userns mountpoint -q "$data"
    run_husk run --rm -v tv:/data husk-test/busybox sh -c 'echo t >/data/x; df -k /data | tail -1'
    [[ "$output" == tmpfs*2048* ]]
    in_userns mountpoint -q "$data"
    [ "$(in_userns findmnt -n -o FSTYPE "$data")" = tmpfs ]
    run_husk volume inspect --format '{{.MountCount}}' tv
    assert_output_is "1"
    run_husk run --rm -v tv:/data husk-test/busybox cat /data/x
    assert_output_is "t"
    run_husk volume rm tv
    ! in_userns mountpoint -q "$data" 2>/dev/null
    [ ! -e "$HUSK_ROOT/volumes/tv" ]
}

@test "a bind volume shows a host directory, and rm leaves that directory alone" {
    mkdir -p "$HUSK_TMP/host"
    echo from-host >"$HUSK_TMP/host/h"
    run_husk volume create --opt type=none --opt o=bind --opt device="$HUSK_TMP/host" bv
    run_husk run --rm -v bv:/data husk-test/busybox sh -c 'cat /data/h; echo from-ctr >/data/c'
    assert_output_is "from-host"
    [ "$(cat "$HUSK_TMP/host/c")" = from-ctr ]
    run_husk volume export -o "$HUSK_TMP/bv.tar" bv
    run tar -tf "$HUSK_TMP/bv.tar"
    [[ "$output" == *h* ]]
    run_husk volume rm bv
    [ "$(cat "$HUSK_TMP/host/h")" = from-host ]
    [ "$(cat "$HUSK_TMP/host/c")" = from-ctr ]
    ! in_userns mountpoint -q "$HUSK_ROOT/volumes/bv/_data" 2>/dev/null
}

@test "run --rm removes the container's anonymous volumes" {
    run_husk run --rm -v /scratch husk-test/busybox touch /scratch/x
    run_husk volume ls -q
    assert_output_is ""
}

@test "system reset never empties a bind volume's host directory" {
    mkdir "$HUSK_TMP/hostdir" && echo precious > "$HUSK_TMP/hostdir/keep"
    run_husk volume create --opt type=none --opt o=bind --opt device="$HUSK_TMP/hostdir" bindvol
    run_husk load -i "$HUSK_IMAGES/busybox.docker.tar"
    run_husk run --rm -v bindvol:/data husk-test/busybox cat /data/keep
    assert_output_is "precious"
    run_husk system reset -f
    [ "$(cat "$HUSK_TMP/hostdir/keep")" = precious ]
}
