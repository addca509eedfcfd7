#!/usr/bin/env bats
# /etc/passwd and /etc/group entries for a --user the image lacks: --passwd,
# --passwd-entry, --group-entry, as Podman 4.3.1 writes them.
load helpers

IMG=husk-test/busybox
# What the test image's files end with.
IMG_PASSWD_LAST="tester:x:1000:1000::/home/tester:/bin/sh"
IMG_GROUP_LAST="nobody:x:65534:"
SHOW='whoami; id; echo "HOME=$HOME"; tail -1 /etc/passwd; tail -1 /etc/group'

setup() {
    container_setup
}

teardown() {
    container_teardown
}

# make_image NAME: import the test rootfs after running the commands on
# stdin in its unpacked tree (the current directory).
make_image() {
    local tree=$HUSK_TMP/tree-$1
    mkdir -p "$tree"
    tar -C "$tree" -xf "$HUSK_IMAGES/rootfs.tar"
    (cd "$tree" && sh -e)
    tar -C "$tree" -cf "$HUSK_TMP/$1.tar" .
    run_husk import "$HUSK_TMP/$1.tar" "$1"
}

@test "a numeric user gets Podman's passwd and group lines" {
    run_husk run --rm -u 1234 $IMG sh -c "$SHOW"
    assert_equal "${lines[0]}" "1234"
    assert_equal "${lines[1]}" "uid=1234(1234) gid=0(root) groups=0(root)"
    assert_equal "${lines[2]}" "HOME=/"
    assert_equal "${lines[3]}" "1234:*:1234:0:container user:/:/bin/sh"
    assert_equal "${lines[4]}" "1234:x:1234:1234"
    # Exactly one line added to each, after the image's own.
    run_husk run --rm -u 1234 $IMG sh -c 'wc -l < /etc/passwd; wc -l < /etc/group; tail -2 /etc/passwd | head -1'
    assert_equal "${lines[0]}" "4"
    assert_equal "${lines[1]}" "5"
    assert_equal "${lines[2]}" "$IMG_PASSWD_LAST"
}

@test "uid:gid gets the gid, and a group named by its number listing the user" {
    run_husk run --rm -u 1234:5678 $IMG sh -c "$SHOW"
    assert_equal "${lines[0]}" "1234"
    assert_equal "${lines[1]}" "uid=1234(1234) gid=5678(5678) groups=5678(5678)"
    assert_equal "${lines[3]}" "1234:*:1234:5678:container user:/:/bin/sh"
    assert_equal "${lines[4]}" "5678:x:5678:1234"
}

@test "uid:group takes the image's gid and adds no group; name:gid adds only the group" {
    run_husk run --rm -u 1234:audio $IMG sh -c "$SHOW"
    assert_equal "${lines[1]}" "uid=1234(1234) gid=29(audio) groups=29(audio)"
    assert_equal "${lines[3]}" "1234:*:1234:29:container user:/:/bin/sh"
    assert_equal "${lines[4]}" "$IMG_GROUP_LAST"
    run_husk run --rm -u tester:5678 $IMG sh -c "$SHOW"
    assert_equal "${lines[0]}" "tester"
    assert_equal "${lines[2]}" "HOME=/home/tester"
    assert_equal "${lines[3]}" "$IMG_PASSWD_LAST"
    assert_equal "${lines[4]}" "5678:x:5678:tester"
}

@test "the home of the entry, and HOME, is the working directory" {
    run_husk run --rm -u 1234 -w /tmp $IMG sh -c "$SHOW; pwd"
    assert_equal "${lines[2]}" "HOME=/tmp"
    assert_equal "${lines[3]}" "1234:*:1234:0:container user:/tmp:/bin/sh"
    assert_equal "${lines[5]}" "/tmp"
    # -e HOME still wins.
    run_husk run --rm -u 1234 -w /tmp -e HOME=/x $IMG sh -c 'echo $HOME'
    assert_output_is "/x"
}

@test "a user the image has is left alone: same files, nothing mounted" {
    run_husk run --rm $IMG cat /etc/passwd /etc/group
    local image_files=$output
    for u in tester 1000 0 root; do
        run_husk run --rm -u $u $IMG cat /etc/passwd /etc/group
        assert_output_is "$image_files"
    done
    run_husk run --rm -u tester $IMG sh -c "$SHOW"
    assert_equal "${lines[1]}" "uid=1000(tester) gid=1000(tester) groups=29(audio),1000(tester)"
    assert_equal "${lines[2]}" "HOME=/home/tester"
    run_husk run --rm -u 1000 $IMG sh -c 'grep -c -E " /etc/(passwd|group) " /proc/mounts || true'
    assert_output_is "0"
}

@test "--passwd-entry and --group-entry shape the lines" {
    run_husk run --rm -u 1234:5678 -w /tmp \
        --passwd-entry '$USERNAME:x:$UID:$GID:$NAME:/home/$USERNAME:/bin/false' \
        --group-entry 'grp$GROUPNAME:x:$GID:$USERLIST' $IMG sh -c "$SHOW"
    assert_equal "${lines[0]}" "1234"
    assert_equal "${lines[1]}" "uid=1234(1234) gid=5678(grp5678) groups=5678(grp5678)"
    assert_equal "${lines[2]}" "HOME=/home/1234"
    assert_equal "${lines[3]}" "1234:x:1234:5678:container user:/home/1234:/bin/false"
    assert_equal "${lines[4]}" "grp5678:x:5678:1234"
    # A name of one's own, with $HOME the working directory.
    run_husk run --rm -u 1234 --passwd-entry 'bob:x:$UID:$GID:$NAME:$HOME:/bin/sh' $IMG sh -c "$SHOW"
    assert_equal "${lines[0]}" "bob"
    assert_equal "${lines[1]}" "uid=1234(bob) gid=0(root) groups=0(root)"
    assert_equal "${lines[3]}" "bob:x:1234:0:container user:/:/bin/sh"
}

@test "--passwd=false adds nothing" {
    run_husk run --rm $IMG cat /etc/passwd /etc/group
    local image_files=$output
    run_husk run --rm -u 1234:5678 --passwd=false $IMG cat /etc/passwd /etc/group
    assert_output_is "$image_files"
    run_husk 1 run --rm -u 1234 --passwd=false $IMG whoami
    assert_output_contains "unknown uid 1234"
    run_husk run --rm -u 1234 --passwd $IMG whoami
    assert_output_is "1234"
}

@test "bad templates are refused at create with 125, leaving nothing behind" {
    run_husk 125 run --rm -u 1234 --passwd-entry 'a:b' $IMG true
    assert_output_contains 'invalid --passwd-entry "a:b": it has 2 colon-separated fields, not 7'
    run_husk 125 create --passwd-entry $'bob:x:1:1::/:/bin/sh\nroot2:x:0:0::/:/bin/sh' $IMG
    assert_output_contains "invalid --passwd-entry: it must be a single line, without newlines"
    run_husk 125 create --group-entry ':x:$GID:' $IMG
    assert_output_contains 'invalid --group-entry ":x:$GID:": the name (the first field) is empty'
    run_husk 125 create --group-entry 'g:x:$GID' $IMG
    assert_output_contains "not 4 (name:password:GID:users)"
    run_husk 125 create -u 1234 -w /a:b $IMG
    assert_output_contains 'the working directory "/a:b" cannot be the home directory of a passwd entry'
    run_husk ps -a -q
    assert_output_is ""
    # Not needed with --passwd=false, or for a user the image has.
    run_husk create --passwd=false -u 1234 -w /a:b $IMG
    run_husk create -u tester -w /a:b $IMG
}

@test "an image without /etc/passwd or /etc/group gets files with just the entries" {
    make_image nopasswd <<'EOF'
rm -f etc/passwd etc/group
EOF
    run_husk run --rm -u 1234 nopasswd sh -c 'cat /etc/passwd /etc/group; whoami; ls -l /etc/passwd'
    assert_equal "${lines[0]}" "1234:*:1234:0:container user:/:/bin/sh"
    assert_equal "${lines[1]}" "1234:x:1234:1234"
    assert_equal "${lines[2]}" "1234"
    [[ "${lines[3]}" == "-rw-r--r--"* ]]
    # root, without an entry, gets one too (Podman: "0:*:0:0:...").
    run_husk run --rm -u 0 nopasswd cat /etc/passwd
    assert_output_is "0:*:0:0:container user:/:/bin/sh"
}

@test "a symlinked /etc/passwd in a hostile image neither reads nor writes the host's file" {
    local host=$HUSK_TMP/host-passwd
    printf 'HOSTSECRET:x:0:0::/:/bin/sh\n' > "$host"
    make_image hostile <<EOF
rm -f etc/passwd
ln -s "$host" etc/passwd
EOF
    run_husk run --rm -u 1234 hostile sh -c 'cat /etc/passwd; whoami'
    # Resolved inside the image, where nothing is: just the entry.
    assert_equal "${lines[0]}" "1234:*:1234:0:container user:/:/bin/sh"
    assert_equal "${lines[1]}" "1234"
    [[ "$output" != *HOSTSECRET* ]]
    assert_equal "$(cat "$host")" "HOSTSECRET:x:0:0::/:/bin/sh"
    # A relative link that climbs out ends at the image's root too.
    make_image climbing <<'EOF'
mkdir -p tmp
printf 'inimage:x:5:5::/:/bin/sh\n' > tmp/passwd-in-image
rm -f etc/passwd
ln -s ../../../../../../tmp/passwd-in-image etc/passwd
EOF
    run_husk run --rm -u 1234 climbing cat /etc/passwd
    assert_equal "${lines[0]}" "inimage:x:5:5::/:/bin/sh"
    assert_equal "${lines[1]}" "1234:*:1234:0:container user:/:/bin/sh"
    assert_equal "$(cat "$host")" "HOSTSECRET:x:0:0::/:/bin/sh"
}

@test "the entries are bind-mounted copies: the container layer stays clean" {
    run_husk run --name plain $IMG true
    run_husk diff plain
    local plain_diff=$output
    run_husk run --name numeric -u 1234:5678 $IMG sh -c 'grep -E " /etc/(passwd|group) " /proc/mounts | cut -d" " -f2'
    assert_equal "${lines[0]}" "/etc/passwd"
    assert_equal "${lines[1]}" "/etc/group"
    run_husk diff numeric
    assert_output_is "$plain_diff"
    [[ "$output" != *passwd* && "$output" != *group* ]]
    check_mount numeric '
        grep -q "^tester:" "$M/etc/passwd"
        grep -c -e "^1234:" "$M/etc/passwd" || true
        grep -c -e "^5678:" "$M/etc/group" || true'
    assert_output_is "$(printf '0\n0')"
}

@test "restart keeps the settings and what the container wrote; exec sees the user" {
    run_husk create --name keep -u 1234 -w /tmp --passwd-entry 'bob:x:$UID:$GID:$NAME:$HOME:/bin/sh' \
        $IMG sleep 100
    run_husk inspect --format '{{.Config.Passwd}}' keep
    assert_output_is "true"
    run_husk start keep
    run_husk exec keep sh -c "$SHOW"
    assert_equal "${lines[0]}" "bob"
    assert_equal "${lines[2]}" "HOME=/tmp"
    run_husk exec -u 1234 keep sh -c 'whoami; echo $HOME'
    assert_equal "${lines[0]}" "bob"
    assert_equal "${lines[1]}" "/tmp"
    run_husk exec -u 0 keep sh -c 'echo "extra:x:77:77::/:/bin/sh" >> /etc/passwd'
    run_husk restart -t 0 keep
    run_husk exec keep sh -c 'whoami; tail -2 /etc/passwd'
    assert_equal "${lines[0]}" "bob"
    assert_equal "${lines[1]}" "bob:x:1234:0:container user:/tmp:/bin/sh"
    assert_equal "${lines[2]}" "extra:x:77:77::/:/bin/sh"
    run_husk rm -f -t 0 keep
}

@test "inspect shows Config.Passwd" {
    run_husk create --name on $IMG
    run_husk create --name off --passwd=false $IMG
    run_husk inspect --format '{{.Config.Passwd}}' on off
    assert_equal "${lines[0]}" "true"
    assert_equal "${lines[1]}" "false"
}

@test "a file the user mounts on /etc/passwd is left to them" {
    printf 'mine:x:1234:0::/mine:/bin/sh\n' > "$HUSK_TMP/mypasswd"
    run_husk run --rm -u 1234 -v "$HUSK_TMP/mypasswd:/etc/passwd" $IMG sh -c 'cat /etc/passwd; whoami; tail -1 /etc/group'
    assert_equal "${lines[0]}" "mine:x:1234:0::/mine:/bin/sh"
    assert_equal "${lines[1]}" "mine"
    assert_equal "${lines[2]}" "1234:x:1234:1234"
    assert_equal "$(cat "$HUSK_TMP/mypasswd")" "mine:x:1234:0::/mine:/bin/sh"
}
