#!/usr/bin/env bats
# A container's own user namespace (issue 11): --userns modes, --uidmap,
# --gidmap, --subuidname, --subgidname.  Rootful, host IDs are the host's;
# rootless, they are IDs of husk's user namespace (0 is the user, 1.. the
# subordinate range), seen with `husk unshare`.
load helpers

IMG=husk-test/busybox
SHOW='cat /proc/self/uid_map; id -u; id -g; stat -c %u:%g /bin /etc/passwd'

setup() {
    container_setup
}

teardown() {
    container_teardown
}

# uid_map lines squeezed to "IN OUT SIZE".
squeeze() { sed 's/^ *//; s/  */ /g'; }

# How many IDs husk's namespace has (rootless: 1 + the subordinate range).
ns_ids() { in_userns cat /proc/self/uid_map | awk '{ if ($1 + $3 > n) n = $1 + $3 } END { print n }'; }

skip_without_subids() {
    if is_rootless && [ "$(ns_ids)" -lt 65537 ]; then
        skip "needs a subordinate range of 65536 IDs for $(id -un)"
    fi
}

# A directory the container's root may write to, bound at /vol.
vol_dir() {
    in_userns mkdir -m 0777 "$HUSK_TMP/vol"
    chmod o+x "$HUSK_TMP"
}

# Owner of a file as husk's namespace sees it.
owner() { in_userns stat -c %u:%g "$1"; }

@test "invalid --userns values and combinations fail with Podman's messages" {
    run_husk 125 run --rm --userns=bogus $IMG true
    assert_output_is "Error: unrecognized namespace mode bogus passed"
    run_husk 125 run --rm --userns=private $IMG true
    assert_output_contains "must provide at least one UID or GID mapping"
    run_husk 125 run --rm --uidmap=abc $IMG true
    assert_output_contains 'UID setting is malformed expected ["[+ug]uint32:[@]uint32[:uint32]"] : ["abc"]'
    run_husk 125 run --rm --userns=auto --uidmap 0:1:1 $IMG true
    assert_output_contains "--userns and --uidmap/--gidmap/--subuidname/--subgidname are mutually exclusive"
    run_husk 125 run --rm --userns=ns:relative $IMG true
    assert_output_contains "the path must be absolute"
    run_husk 125 run --rm --userns=ns:/nonexistent/ns $IMG true
    assert_output_contains "cannot find specified user namespace path"
    run_husk 125 run --rm --uidmap 0:1:10 --uidmap 5:100:10 $IMG true
    assert_output_contains "overlap"
    run_husk 125 run --rm --userns=auto:size=x $IMG true
    assert_output_contains 'invalid auto size "x"'
    run_husk 125 run --rm --uidmap x0:1:1 $IMG true
    assert_output_contains 'unknown flag "x"'
    run_husk ps -a -q
    assert_output_is ""
}

@test "keep-id and nomap are rootless only, as in Podman" {
    skip_if_rootless
    run_husk 125 run --rm --userns=keep-id $IMG true
    assert_output_is "Error: keep-id is only supported in rootless mode"
    run_husk 125 run --rm --userns=nomap $IMG true
    assert_output_is "Error: nomap is only supported in rootless mode"
}

@test "rootless: maps must stay within husk's namespace; --subuidname needs root" {
    skip_if_root
    run_husk 125 run --rm --uidmap 0:1:4000000 $IMG true
    assert_output_contains "is outside the"
    run_husk 125 run --rm --subuidname "$(id -un)" $IMG true
    assert_output_contains "need root"
}

@test "default, host and \"\": no user namespace of the container's own" {
    local host
    host=$(in_userns cat /proc/self/uid_map | squeeze)
    for mode in "" "--userns=host" "--userns="; do
        run_husk run --rm $mode $IMG cat /proc/self/uid_map
        assert_equal "$(echo "$output" | squeeze)" "$host"
    done
    run_husk create --name h --userns=host $IMG true
    run_husk inspect h --format '{{.HostConfig.UsernsMode}}|{{json .HostConfig.IDMappings}}'
    assert_output_is "|null"
}

@test "--uidmap/--gidmap: the maps, image files owned by container root, new files by mapped IDs" {
    local base=100000
    is_rootless && base=1
    vol_dir
    run_husk run --rm -v "$HUSK_TMP/vol:/vol" --uidmap 0:$base:1000 --gidmap 0:$((base + 2000)):1000 \
        $IMG sh -c "$SHOW; cat /proc/self/gid_map; touch /vol/f; chown 5:7 /vol/f"
    [[ "${lines[0]}" =~ ^\ *0\ +$base\ +1000$ ]]
    assert_equal "${lines[1]}" "0"
    assert_equal "${lines[2]}" "0"
    assert_equal "${lines[3]}" "0:0"
    assert_equal "${lines[4]}" "0:0"
    [[ "${lines[5]}" =~ ^\ *0\ +$((base + 2000))\ +1000$ ]]
    assert_equal "$(owner "$HUSK_TMP/vol/f")" "$((base + 5)):$((base + 2007))"
    if is_rootless; then
        # Outside husk's namespace: ID 6 there is the 6th subordinate ID.
        local sub
        sub=$(in_userns cat /proc/self/uid_map | awk '$1 == 1 { print $2 }')
        assert_equal "$(stat -c %u "$HUSK_TMP/vol/f")" "$((sub + 5))"
    fi
    run_husk create --name m --uidmap 0:$base:1000 $IMG true
    # The image mounted for the copy is not left mounted.
    run store_mountinfo
    [[ "$output" != *"$HUSK_RUNROOT/storage/overlay/mounts/"* ]]
    run_husk inspect m --format '{{.HostConfig.UsernsMode}} {{json .HostConfig.IDMappings}}'
    assert_output_is "private {\"UidMap\":[\"0:$base:1000\"],\"GidMap\":[\"0:$base:1000\"]}"
}

@test "--gidmap alone stands for both maps" {
    local base=100000
    is_rootless && base=1
    run_husk run --rm --gidmap 0:$base:500 $IMG cat /proc/self/uid_map
    [[ "$output" =~ ^\ *0\ +$base\ +500$ ]]
}

@test "--subuidname/--subgidname map the ranges of /etc/subuid and /etc/subgid" {
    skip_if_rootless
    local name start size
    read -r name start size < <(awk -F: '$3 >= 1024 { print $1, $2, $3; exit }' /etc/subuid)
    [ -n "$name" ] || skip "no range in /etc/subuid"
    grep -q "^$name:" /etc/subgid || skip "no range for $name in /etc/subgid"
    run_husk run --rm --subuidname "$name" $IMG cat /proc/self/uid_map
    [[ "$output" =~ ^\ *0\ +$start\ +$size$ ]]
    run_husk 125 run --rm --subuidname husk-no-such-user $IMG true
    assert_output_contains 'no subuid ranges found for user "husk-no-such-user" in /etc/subuid'
}

@test "keep-id: the user's IDs inside, as that user with a passwd entry" {
    skip_if_root
    skip_without_subids
    local uid gid n
    uid=$(id -u); gid=$(id -g); n=$(ns_ids)
    mkdir -p "$HUSK_TMP/vol"
    run_husk run --rm -v "$HUSK_TMP/vol:/vol" --userns=keep-id $IMG \
        sh -c "$SHOW; grep ^$(id -un): /etc/passwd; echo HOME=\$HOME; touch /vol/f"
    [[ "${lines[0]}" =~ ^\ *0\ +1\ +$uid$ ]]
    [[ "${lines[1]}" =~ ^\ *$uid\ +0\ +1$ ]]
    [[ "${lines[2]}" =~ ^\ *$((uid + 1))\ +$((uid + 1))\ +$((n - 1 - uid))$ ]]
    assert_equal "${lines[3]}" "$uid"
    assert_equal "${lines[4]}" "$gid"
    assert_equal "${lines[5]}" "0:0"
    assert_equal "${lines[7]}" "$(id -un):*:$uid:$gid::/:/bin/sh"
    assert_equal "${lines[8]}" "HOME=/"
    run_husk run --rm --userns=keep-id $IMG id -gn
    assert_output_is "$(id -gn)"
    # The user's own file on the host.
    assert_equal "$(stat -c %u:%g "$HUSK_TMP/vol/f")" "$uid:$gid"
    run_husk run --rm --userns=keep-id:uid=10,gid=20 $IMG sh -c 'cat /proc/self/uid_map; id -u; id -g'
    [[ "${lines[1]}" =~ ^\ *10\ +0\ +1$ ]]
    assert_equal "${lines[3]}" "10"
    assert_equal "${lines[4]}" "20"
    run_husk create --name k --userns=keep-id $IMG true
    run_husk inspect k --format '{{.HostConfig.UsernsMode}} {{.Config.User}}'
    assert_output_is "keep-id $uid:$gid"
}

@test "nomap: the user's own ID is not in the container" {
    skip_if_root
    skip_without_subids
    vol_dir
    run_husk run --rm -v "$HUSK_TMP/vol:/vol" --userns=nomap $IMG sh -c "$SHOW; touch /vol/f"
    [[ "${lines[0]}" =~ ^\ *0\ +1\ +$(( $(ns_ids) - 1 ))$ ]]
    assert_equal "${lines[3]}" "0:0"
    assert_equal "$(owner "$HUSK_TMP/vol/f")" "1:1"
    run_husk create --name n --userns=nomap $IMG true
    run_husk inspect n --format '{{.HostConfig.UsernsMode}}'
    assert_output_is "nomap"
}

# Rootful --userns=auto takes ranges of storage.conf's root-auto-userns-user
# (Podman's "containers" by default): any user of /etc/subuid will do here.
auto_conf() {
    is_rootless && return 0
    local name
    name=$(awk -F: '$3 >= 4096 { print $1; exit }' /etc/subuid)
    [ -n "$name" ] && grep -q "^$name:" /etc/subgid || skip "no range in /etc/subuid and /etc/subgid"
    printf '[storage]\n[storage.options]\nroot-auto-userns-user = "%s"\n' "$name" > "$HUSK_TMP/storage.conf"
    export CONTAINERS_STORAGE_CONF=$HUSK_TMP/storage.conf
}

@test "auto: two containers get disjoint ranges; size= chooses the size" {
    skip_without_subids
    auto_conf
    run_husk run -d --name a1 --userns=auto $IMG sleep 100
    run_husk run -d --name a2 --userns=auto:size=500 $IMG sleep 100
    run_husk exec a1 sh -c "$SHOW"
    local s1 n1 s2 n2
    read -r _ s1 n1 <<<"${lines[0]}"
    assert_equal "$n1" "1024"
    assert_equal "${lines[3]}" "0:0"
    run_husk exec a2 cat /proc/self/uid_map
    read -r _ s2 n2 <<<"$output"
    assert_equal "$n2" "500"
    # Disjoint: one ends before the other begins.
    [ $((s1 + n1)) -le "$s2" ] || [ $((s2 + n2)) -le "$s1" ]
    run_husk inspect a1 --format '{{.HostConfig.UsernsMode}} {{json .HostConfig.IDMappings.UidMap}}'
    assert_output_is "auto [\"0:$s1:1024\"]"
    # A range is free again once its container is gone.
    run_husk rm -f -t 0 a1
    run_husk run --rm --userns=auto $IMG cat /proc/self/uid_map
    [[ "$output" =~ ^\ *0\ +$s1\ +1024$ ]]
}

@test "ns:PATH joins another container's user namespace" {
    local base=100000
    is_rootless && base=1
    run_husk run -d --name owner --uidmap 0:$base:2000 $IMG sleep 100
    local pid
    pid=$(husk inspect owner --format '{{.State.Pid}}')
    run_husk run --rm --userns=ns:/proc/$pid/ns/user $IMG cat /proc/self/uid_map
    [[ "$output" =~ ^\ *0\ +$base\ +2000$ ]]
}

@test "cp, commit, export, exec, restart of a container with its own maps" {
    local base=100000
    is_rootless && base=1
    run_husk run -d --name c --uidmap 0:$base:65536 $IMG sleep 1000
    echo hello > "$HUSK_TMP/hello"
    run_husk cp "$HUSK_TMP/hello" c:/hello
    run_husk exec c sh -c 'stat -c %u:%g /hello; mkdir /d; touch /d/x; chown 5:6 /d/x; cat /proc/self/uid_map'
    assert_equal "${lines[0]}" "0:0"
    [[ "${lines[1]}" =~ ^\ *0\ +$base\ +65536$ ]]
    # The upper directory holds the host IDs.
    local upper
    upper=$(husk inspect c --format '{{.GraphDriver.Data.UpperDir}}')
    if [ -d "$upper" ] || in_userns test -d "$upper"; then
        assert_equal "$(owner "$upper/d/x")" "$((base + 5)):$((base + 6))"
    fi
    # Out of the container, container IDs again.
    run_husk export c
    run tar -tvf - <<<"$output"
    husk export c | tar -tvf - | grep -E ' d/x$' | grep -q ' 5/6 '
    husk export c | tar -tvf - | grep -E ' hello$' | grep -q ' 0/0 '
    run_husk commit -q c mapped-img
    run_husk run --rm mapped-img stat -c %u:%g /d/x /hello /bin
    assert_equal "${lines[0]}" "5:6"
    assert_equal "${lines[1]}" "0:0"
    assert_equal "${lines[2]}" "0:0"
    run_husk cp c:/hello "$HUSK_TMP/back"
    assert_equal "$(cat "$HUSK_TMP/back")" "hello"
    run_husk restart -t 0 c
    run_husk exec c cat /proc/self/uid_map
    [[ "$output" =~ ^\ *0\ +$base\ +65536$ ]]
    run_husk stop -t 0 c
    run_husk start c
    run_husk exec c id -u
    assert_output_is "0"
    run_husk ps --format '{{.Names}}'
    assert_output_contains "c"
    run_husk top c
    assert_output_contains "sleep 1000"
    run_husk rm -f -t 0 c
    run_husk ps -a -q
    assert_output_is ""
}

@test "--uidmap +: breaks the earlier ranges; rootless, fills the rest from 0" {
    skip_without_subids
    local base=100000
    is_rootless && base=1
    if is_rootless; then
        # 70001 is outside the namespace: refused.
        run_husk 125 run --rm --uidmap 0:$base:65536 --uidmap +1000:$((base + 70000)):1 $IMG true
        assert_output_contains "is outside the"
        run_husk run --rm --uidmap +1000:0:1 $IMG sh -c 'cat /proc/self/uid_map; id -u'
        [[ "${lines[0]}" =~ ^\ *0\ +1\ +1000$ ]]
        [[ "${lines[1]}" =~ ^\ *1000\ +0\ +1$ ]]
        [[ "${lines[2]}" =~ ^\ *1001\ +1001\ +$(( $(ns_ids) - 1001 ))$ ]]
        return
    fi
    run_husk run --rm --uidmap 0:$base:65536 --uidmap +1000:$((base + 70000)):1 $IMG cat /proc/self/uid_map
    [[ "${lines[0]}" =~ ^\ *0\ +100000\ +1000$ ]]
    [[ "${lines[1]}" =~ ^\ *1000\ +170000\ +1$ ]]
    [[ "${lines[2]}" =~ ^\ *1001\ +101001\ +64535$ ]]
}

@test "--uidmap @HOST: a host ID through husk's namespace; u and g keep a range to one map" {
    skip_without_subids
    local base=100000 host=100000
    if is_rootless; then
        base=1
        host=$(in_userns cat /proc/self/uid_map | awk '$1 == 1 { print $2 }')
    fi
    run_husk run --rm --uidmap 0:@$host:10 $IMG cat /proc/self/uid_map
    [[ "$output" =~ ^\ *0\ +$base\ +10$ ]]
    run_husk 125 run --rm --uidmap 0:@4294967295:1 $IMG true
    assert_output_contains "parent ID UID 4294967295 is not mapped/delegated"
    # The "g" range is not copied to the UID map.
    run_husk run --rm --gidmap 0:$base:1000 --gidmap g2000:$((base + 5000)):1 $IMG \
        sh -c 'cat /proc/self/uid_map; echo -; cat /proc/self/gid_map'
    [[ "${lines[0]}" =~ ^\ *0\ +$base\ +1000$ ]]
    assert_equal "${lines[1]}" "-"
    [[ "${lines[3]}" =~ ^\ *2000\ +$((base + 5000))\ +1$ ]]
}

@test "auto: uidmapping= and gidmapping= add ranges inside the automatic one" {
    skip_without_subids
    auto_conf
    local extra=5000
    run_husk run --rm --userns=auto:size=2000,uidmapping=1000:$extra:1,gidmapping=0:$extra:1 $IMG \
        sh -c 'cat /proc/self/uid_map; echo -; cat /proc/self/gid_map'
    [[ "${lines[1]}" =~ ^\ *1000\ +$extra\ +1$ ]]
    # The automatic range goes around container ID 1000 and host ID extra.
    local s n
    read -r _ s n <<<"${lines[0]}"
    assert_equal "$n" "1000"
    [[ "${lines[2]}" =~ ^\ *1001\ +$((s + 1000))\ +999$ ]]
    [[ "${lines[4]}" =~ ^\ *0\ +$extra\ +1$ ]]
    [[ "${lines[5]}" =~ ^\ *1\ +[0-9]+\ +1999$ ]]
    run_husk 125 run --rm --userns=auto:uidmapping=abc $IMG true
    assert_output_contains 'UID setting is malformed expected ["uint32:[@]uint32[:uint32]"]'
}

@test "auto: the size comes from the image's IDs, within auto-userns-min-size and -max-size" {
    skip_without_subids
    auto_conf
    local conf=$HUSK_TMP/storage-size.conf
    { [ -n "${CONTAINERS_STORAGE_CONF:-}" ] && cat "$CONTAINERS_STORAGE_CONF" || printf '[storage]\n[storage.options]\n'; } > "$conf"
    echo 'auto-userns-min-size = 1' >> "$conf"
    # The image's /etc/passwd has tester, 1000: 1001 IDs.
    CONTAINERS_STORAGE_CONF=$conf run_husk run --rm --userns=auto $IMG cat /proc/self/uid_map
    [[ "$output" =~ ^\ *0\ +[0-9]+\ +1001$ ]]
    echo 'auto-userns-max-size = 500' >> "$conf"
    CONTAINERS_STORAGE_CONF=$conf run_husk 125 run --rm --userns=auto $IMG true
    assert_output_contains "the container needs a user namespace with size 1001 that is bigger than the maximum value allowed with userns=auto 500"
    # size= wins over both.
    CONTAINERS_STORAGE_CONF=$conf run_husk run --rm --userns=auto:size=300 $IMG cat /proc/self/uid_map
    [[ "$output" =~ ^\ *0\ +[0-9]+\ +300$ ]]
}

@test "top: user and group names as the container with its own maps sees them" {
    local base=100000
    is_rootless && base=1
    run_husk run -d --name tp --uidmap 0:$base:2000 --user 1000:29 $IMG sleep 100
    run_husk top tp user group pid
    [[ "${lines[1]}" =~ ^tester\ +audio\ +1\ *$ ]]
    if ! is_rootless; then
        run_husk top tp huser
        assert_equal "${lines[1]}" "101000"
    fi
}

# A directory with a file owned by 1000:1000 on the host.
idmap_dir() {
    mkdir -p "$HUSK_TMP/idm"
    echo hi > "$HUSK_TMP/idm/f"
    chown 1000:1000 "$HUSK_TMP/idm/f"
    chmod o+x "$HUSK_TMP"
}

@test "idmap mounts: the host's owners inside a container with its own maps" {
    skip_if_rootless
    idmap_dir
    local maps="--uidmap 0:100000:65536"
    run_husk run --rm $maps -v "$HUSK_TMP/idm:/x" $IMG stat -c %u:%g /x/f
    assert_output_is "65534:65534"
    run_husk run --rm $maps -v "$HUSK_TMP/idm:/x:idmap" $IMG sh -c 'stat -c %u:%g /x/f; touch /x/new'
    assert_output_is "1000:1000"
    # Written by the container's root: root's on the host, through the mount.
    assert_equal "$(stat -c %u:%g "$HUSK_TMP/idm/new")" "0:0"
    run_husk run --rm $maps --mount "type=bind,src=$HUSK_TMP/idm,dst=/x,idmap=uids=1000-100005-1;gids=@1000-7-1" \
        $IMG stat -c %u:%g /x/f
    assert_output_is "5:7"
    # A named volume, with --mount type=volume.
    run_husk run --rm -v idv:/x $IMG sh -c 'touch /x/v; chown 1000:1000 /x/v'
    run_husk run --rm $maps --mount type=volume,src=idv,dst=/x,idmap $IMG stat -c %u:%g /x/v
    assert_output_is "1000:1000"
}

@test "idmap mounts: dropped without maps, refused for tmpfs, twice, rootless and with runc" {
    idmap_dir 2>/dev/null || true
    if is_rootless; then
        run_husk 125 run --rm --uidmap 0:1:1000 -v "$HUSK_TMP/idm:/x:idmap" $IMG true
        assert_output_contains "idmapped mounts are not possible rootless: the kernel allows them only to a process with CAP_SYS_ADMIN in the initial user namespace"
    else
        # No user namespace of its own: the host's IDs, as without idmap.
        run_husk run --rm -v "$HUSK_TMP/idm:/x:idmap" $IMG stat -c %u:%g /x/f
        assert_output_is "1000:1000"
        if command -v runc >/dev/null; then
            run_husk 125 run --rm --runtime runc --uidmap 0:100000:65536 -v "$HUSK_TMP/idm:/x:idmap" $IMG true
            assert_output_contains "does not support idmapped mounts: use --runtime crun"
        fi
    fi
    run_husk 125 run --rm --mount type=tmpfs,dst=/x,idmap $IMG true
    assert_output_contains "idmap is supported for bind and volume mounts only"
    run_husk 125 run --rm --uidmap 0:1:1000 --mount "type=bind,src=$HUSK_TMP,dst=/x,idmap=uids=1-2" $IMG true
    assert_output_contains "invalid idmap mapping"
    run_husk ps -a -q
    assert_output_is ""
}
