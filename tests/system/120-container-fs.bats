#!/usr/bin/env bats
# The container file-system commands: cp, diff, export, commit, mount and
# unmount; rename, port and container prune.
load helpers

setup() {
    container_setup
    HOSTDIR=$HUSK_TMP/host
    mkdir -p "$HOSTDIR"
}

teardown() {
    rm -f /tmp/husk-cp-escape-$$ /tmp/husk-cp-final-$$ /etc/husk-cp-escape-$$ \
          /tmp/husk-tar-escape-$$
    container_teardown
}

# How many mounts below this test's store exist.
store_mounts() {
    store_mountinfo | grep -cF " $HUSK_TMP/" || true
}

@test "cp copies a file into a stopped container and back out" {
    run_husk create --name box husk-test/busybox true
    echo "hello from the host" > "$HOSTDIR/greeting"
    run_husk cp "$HOSTDIR/greeting" box:/etc/greeting
    run_husk cp "$HOSTDIR/greeting" box:/tmp
    run_husk cp box:/etc/greeting "$HOSTDIR/back"
    assert_equal "$(cat "$HOSTDIR/back")" "hello from the host"
    # Container paths are relative to its root: "tmp/x" is "/tmp/x".
    husk cp box:tmp/greeting - | tar -tf - > "$HOSTDIR/list"
    assert_equal "$(cat "$HOSTDIR/list")" "greeting"
    # Copies out belong to the caller, whoever owned them inside.
    husk cp box:/etc/passwd "$HOSTDIR/"
    [ -f "$HOSTDIR/passwd" ]
    [ "$(stat -c %u "$HOSTDIR/passwd")" = "$(id -u)" ]
    # Nothing stays mounted after copying with a stopped container.
    assert_equal "$(store_mounts)" "0"
}

@test "cp reports missing paths and a missing destination parent with 125" {
    run_husk create --name box husk-test/busybox true
    echo x > "$HOSTDIR/f"
    run_husk 125 cp "$HOSTDIR/f" box:/nodir/x
    assert_output_contains '"/nodir/x" could not be found on container box'
    run_husk 125 cp "$HOSTDIR/nosuch" box:/tmp
    assert_output_contains "could not be found on the host"
    run_husk 125 cp box:/nosuch "$HOSTDIR/"
    assert_output_contains '"/nosuch" could not be found on container box'
    run_husk 125 cp "$HOSTDIR/f" box:/etc/passwd/
    assert_output_contains "not a directory"
    run_husk 125 cp "$HOSTDIR/f" nosuchctr:/tmp
    assert_output_contains "no such container"
    run_husk 125 cp "$HOSTDIR/f" "$HOSTDIR/g"
    assert_output_contains "you must use just one container"
}

@test "cp follows docker's rules for directories" {
    run_husk create --name box husk-test/busybox true
    mkdir -p "$HOSTDIR/src/sub"
    echo a > "$HOSTDIR/src/sub/a"
    echo top > "$HOSTDIR/src/top"
    # Into an existing directory: it lands inside, under its own name.
    run_husk cp "$HOSTDIR/src" box:/etc
    # Onto a missing name: the directory is created with the content.
    run_husk cp "$HOSTDIR/src" box:/newdir
    # "dir/." copies the content into an existing directory.
    run_husk cp "$HOSTDIR/src/." box:/tmp
    check_mount box '
        [ "$(cat "$M/etc/src/sub/a")" = a ]
        [ "$(cat "$M/newdir/top")" = top ]
        [ ! -e "$M/newdir/src" ]
        [ "$(cat "$M/tmp/sub/a")" = a ]
        [ ! -e "$M/tmp/src" ]
        stat -c %a "$M/tmp"'
    # /tmp kept its own mode: the content was copied, not the directory.
    assert_output_is 1777
    # And out again, both ways.
    run_husk cp box:/newdir "$HOSTDIR/out"
    assert_equal "$(cat "$HOSTDIR/out/sub/a")" "a"
    mkdir "$HOSTDIR/into"
    run_husk cp box:/newdir "$HOSTDIR/into"
    assert_equal "$(cat "$HOSTDIR/into/newdir/top")" "top"
    run_husk cp box:/newdir/. "$HOSTDIR/into"
    assert_equal "$(cat "$HOSTDIR/into/top")" "top"
    # A directory onto a file is refused.
    run_husk 125 cp "$HOSTDIR/src" box:/etc/passwd
    assert_output_contains "must be a directory"
    assert_equal "$(store_mounts)" "0"
}

@test "cp refuses to replace a directory by a file and back unless --overwrite" {
    run_husk create --name box husk-test/busybox true
    # A file by a directory, named as the destination or inside it.
    mkdir -p "$HOSTDIR/group"
    echo inside > "$HOSTDIR/group/member"
    run_husk 125 cp "$HOSTDIR/group" box:/etc/passwd
    run_husk 125 cp "$HOSTDIR/group" box:/etc
    assert_output_contains 'cannot overwrite non-directory "/etc/group"'
    run_husk cp --overwrite "$HOSTDIR/group" box:/etc/passwd
    run_husk cp --overwrite "$HOSTDIR/group" box:/etc
    assert_equal "$(store_mounts)" "0"
    run_husk cp box:/etc/passwd/member "$HOSTDIR/m1"
    run_husk cp box:/etc/group/member "$HOSTDIR/m2"
    assert_equal "$(cat "$HOSTDIR/m1" "$HOSTDIR/m2")" "$(printf 'inside\ninside')"
    # A directory by a file.
    mkdir -p "$HOSTDIR/d"
    echo file > "$HOSTDIR/d/etc"
    run_husk 125 cp "$HOSTDIR/d/." box:/
    assert_output_contains 'cannot overwrite directory "/etc"'
    check_mount box '[ -d "$M/etc" ]'
    run_husk cp --overwrite "$HOSTDIR/d/." box:/
    assert_equal "$(store_mounts)" "0"
    check_mount box 'cat "$M/etc"'
    assert_output_is file
}

@test "cp - extracts a tar into a directory and writes one to stdout" {
    run_husk create --name box husk-test/busybox true
    mkdir -p "$HOSTDIR/t/dir"
    echo one > "$HOSTDIR/t/one"
    echo two > "$HOSTDIR/t/dir/two"
    tar -cf "$HOSTDIR/in.tar" -C "$HOSTDIR/t" .
    run_husk 125 cp - box:/opt < "$HOSTDIR/in.tar"
    assert_output_is "Error: destination must be a directory when copying from stdin"
    run_husk cp - box:/tmp < "$HOSTDIR/in.tar"
    husk cp box:/tmp - | tar -tf - | sort > "$HOSTDIR/list"
    assert_equal "$(cat "$HOSTDIR/list")" "$(printf 'tmp/\ntmp/dir/\ntmp/dir/two\ntmp/one')"
    husk cp box:/tmp/dir/two - | tar -xOf - > "$HOSTDIR/two"
    assert_equal "$(cat "$HOSTDIR/two")" "two"
    # A compressed stream is fine too.
    gzip -c "$HOSTDIR/in.tar" > "$HOSTDIR/in.tgz"
    run_husk cp - box:/root < "$HOSTDIR/in.tgz"
    run_husk cp box:/root/dir/two "$HOSTDIR/two.again"
    assert_equal "$(cat "$HOSTDIR/two.again")" "two"
    # A tar goes into a directory, not onto a file.
    run_husk 125 cp - box:/etc/passwd < "$HOSTDIR/in.tar"
    assert_equal "$(store_mounts)" "0"
}

@test "cp works on a running container, which sees the file at once" {
    run_husk run -d --name live husk-test/busybox \
        sh -c 'while [ ! -f /tmp/go ]; do sleep 0.1; done; cat /tmp/go'
    echo "delivered" > "$HOSTDIR/go"
    run_husk cp "$HOSTDIR/go" live:/tmp/go
    run_husk wait live
    assert_output_is "0"
    run_husk logs live
    assert_output_is "delivered"
}

@test "cp never writes on the host through the container's symlinks" {
    run_husk run --name evil husk-test/busybox sh -c \
        'ln -s / /target && ln -s /etc /etc/evil && ln -s ../../../../../../tmp /var/up &&
         ln -s /tmp/husk-cp-final-'$$' /final && ln -s /etc/shadow /leak && mkdir /links &&
         ln -s /etc /links/etc'
    echo "payload" > "$HOSTDIR/payload"
    rm -f /tmp/husk-cp-escape-$$ /etc/husk-cp-escape-$$ /tmp/husk-cp-final-$$
    run_husk cp "$HOSTDIR/payload" evil:/target/tmp/husk-cp-escape-$$
    run_husk cp "$HOSTDIR/payload" evil:/etc/evil/husk-cp-escape-$$
    run_husk cp "$HOSTDIR/payload" evil:/var/up/
    run_husk cp "$HOSTDIR/payload" evil:/final
    # Nothing reached the host ...
    [ ! -e /tmp/husk-cp-escape-$$ ]
    [ ! -e /etc/husk-cp-escape-$$ ]
    [ ! -e /tmp/payload ] || [ "$(cat /tmp/payload)" != "payload" ]
    [ ! -e /tmp/husk-cp-final-$$ ]
    # ... everything landed where the container's own view puts it.
    check_mount evil '
        [ "$(cat "$M/tmp/husk-cp-escape-'$$'")" = payload ]
        [ "$(cat "$M/etc/husk-cp-escape-'$$'")" = payload ]
        [ "$(cat "$M/tmp/payload")" = payload ]
        # The dangling link was replaced, not followed.
        [ -f "$M/final" ] && [ ! -L "$M/final" ]'
    # Copies out resolve links inside the container too, and archive the
    # links met on the way as links.
    run_husk 125 cp evil:/leak "$HOSTDIR/leak"
    [ ! -e "$HOSTDIR/leak" ]
    run_husk cp evil:/links "$HOSTDIR/"
    [ -L "$HOSTDIR/links/etc" ]
    assert_equal "$(readlink "$HOSTDIR/links/etc")" "/etc"
    # A tar stream cannot write through a link either.
    mkdir -p "$HOSTDIR/tt"
    ln -s / "$HOSTDIR/tt/hop"
    tar -cf "$HOSTDIR/evil.tar" -C "$HOSTDIR/tt" hop
    mkdir -p "$HOSTDIR/tt2/hop/tmp"
    echo pwn > "$HOSTDIR/tt2/hop/tmp/husk-tar-escape-$$"
    tar -rf "$HOSTDIR/evil.tar" -C "$HOSTDIR/tt2" hop/tmp/husk-tar-escape-$$
    run_husk 125 cp - evil:/ < "$HOSTDIR/evil.tar"
    [ ! -e /tmp/husk-tar-escape-$$ ]
    # Names that would act as whiteouts are refused.
    mkdir -p "$HOSTDIR/wh"
    touch "$HOSTDIR/wh/.wh.passwd"
    run_husk 125 cp "$HOSTDIR/wh/." evil:/etc
    assert_output_contains "reserved for layer whiteouts"
    run_husk cp evil:/etc/passwd "$HOSTDIR/passwd"
    assert_equal "$(store_mounts)" "0"
}

@test "cp --archive gives copies the container user's owner; --archive=false keeps it" {
    run_husk create --name box -u tester husk-test/busybox true
    echo x > "$HOSTDIR/f"
    in_userns chown 4321:4321 "$HOSTDIR/f"
    run_husk cp "$HOSTDIR/f" box:/tmp/default
    run_husk cp --archive=false "$HOSTDIR/f" box:/tmp/kept
    check_mount box 'stat -c %u:%g "$M/tmp/default" "$M/tmp/kept"'
    assert_equal "$output" "$(printf '1000:1000\n4321:4321')"
}

@test "diff lists added, changed and deleted paths, sorted" {
    run_husk run --name changed husk-test/busybox sh -c \
        'touch /new && rm /etc/group && mkdir /d && echo x > /d/f && rm -rf /var/tmp'
    run_husk diff changed
    assert_output_is "$(printf 'A /d\nA /d/f\nC /etc\nD /etc/group\nA /new\nC /var\nD /var/tmp')"
    run_husk container diff --format json changed
    [ "$(echo "$output" | jq -c .)" = '{"changed":["/etc","/var"],"added":["/d","/d/f","/new"],"deleted":["/etc/group","/var/tmp"]}' ]
    run_husk create --name pristine husk-test/busybox true
    run_husk diff pristine
    assert_output_is ""
    run_husk 125 diff nosuch
    assert_output_contains "nosuch not found"
    assert_equal "$(store_mounts)" "0"
}

@test "diff and commit work with the vfs driver too" {
    HUSK_ROOT=$HUSK_TMP/vfsroot
    HUSK_RUNROOT=$HUSK_TMP/vfsrun
    run_husk --storage-driver vfs load -i "$HUSK_IMAGES/busybox.docker.tar"
    run_husk --storage-driver vfs run --name changed husk-test/busybox sh -c \
        'touch /new && rm /etc/group && mkdir /d'
    run_husk --storage-driver vfs diff changed
    assert_output_contains "A /d"
    assert_output_contains "D /etc/group"
    assert_output_contains "A /new"
    [[ "$output" != *"/etc/passwd"* ]]
    run_husk --storage-driver vfs commit -q changed fromvfs
    run_husk --storage-driver vfs run --rm fromvfs sh -c 'ls /new /d; ls /etc/group 2>&1; true'
    assert_output_is "$(printf '/new\n\n/d:\nls: /etc/group: No such file or directory')"
    run_husk --storage-driver vfs rm -a -f
}

@test "export writes the container's whole file system as a tar" {
    run_husk run --name ex husk-test/busybox sh -c 'echo exported > /marker && ln -s /etc /link'
    run_husk export -o "$HOSTDIR/ex.tar" ex
    tar -tf "$HOSTDIR/ex.tar" > "$HOSTDIR/list"
    grep -qx "bin/busybox" "$HOSTDIR/list"
    grep -qx "marker" "$HOSTDIR/list"
    assert_equal "$(tar -xOf "$HOSTDIR/ex.tar" marker)" "exported"
    tar -tvf "$HOSTDIR/ex.tar" link | grep -q -- "link -> /etc"
    husk container export ex | tar -tf - | grep -qx "bin/busybox"
    run_husk 125 export nosuch -o "$HOSTDIR/x.tar"
    [ ! -e "$HOSTDIR/x.tar" ]
    assert_equal "$(store_mounts)" "0"
}

@test "commit makes an image that runs with the container's changes" {
    run_husk run --name src -e FOO=bar -w /tmp husk-test/busybox sh -c \
        'echo "added in the container" > /file-added-in-container && rm /etc/group &&
         rm -rf /var && mkdir /var && touch /var/only'
    run_husk commit src committed
    [[ "$output" =~ ^[0-9a-f]{64}$ ]]
    id=$output
    run_husk images --format '{{.Repository}}:{{.Tag}} {{.ID}}'
    assert_output_contains "localhost/committed:latest ${id:0:12}"
    run_husk run --rm committed cat /file-added-in-container
    assert_output_is "added in the container"
    # Deletions and opaque directories survive; env and workdir carry over.
    run_husk run --rm committed sh -c 'ls /etc/group 2>&1; ls /var; echo $FOO; pwd'
    assert_output_is "$(printf 'ls: /etc/group: No such file or directory\nonly\nbar\n/tmp')"
    run_husk image inspect --format '{{len .RootFS.Layers}}' committed
    assert_output_is "2"
    assert_equal "$(store_mounts)" "0"
}

@test "commit applies --change, --message and --author; -q prints only the ID" {
    run_husk run --name src husk-test/busybox sh -c 'echo hi > /hello'
    run_husk commit -q -c 'CMD=["cat","/hello"]' -c "ENV ADDED=1" -m "my message" \
        -a "A. Author" --iidfile "$HOSTDIR/iid" src withchanges
    [[ "$output" =~ ^[0-9a-f]{64}$ ]]
    assert_equal "$(cat "$HOSTDIR/iid")" "$output"
    run_husk run --rm withchanges
    assert_output_is "hi"
    run_husk run --rm withchanges sh -c 'echo $ADDED'
    assert_output_is "1"
    run_husk image inspect --format '{{.Author}}' withchanges
    assert_output_is "A. Author"
    run_husk history --format '{{.Comment}}' withchanges
    assert_output_contains "my message"
    # Bad input fails before anything is made.
    run_husk 125 commit -c "BOGUS x" src bad
    run_husk 125 commit --format nope src bad
    run_husk images --format '{{.Repository}}'
    [[ "$output" != *bad* ]]
    # Without a name the image has none.
    run_husk commit src
    run_husk image inspect --format '{{len .RepoTags}}' "$output"
    assert_output_is "0"
}

@test "mount prints the root, lists mounted containers, and unmount releases it" {
    use_unshare
    run_husk create --name mnt husk-test/busybox true
    run_husk mount
    assert_output_is ""
    run_husk container mount mnt
    path=$output
    in_userns test -x "$path/bin/busybox"
    id=$(husk container inspect --format '{{.Id}}' mnt)
    run_husk mount
    assert_output_is "${id:0:12}  $path"
    run_husk mount --no-trunc
    assert_output_is "$id  $path"
    run_husk mount --format json
    [ "$(echo "$output" | jq -r '.[0].Names[0]')" = "mnt" ]
    # Mounts are counted: two mounts need two unmounts.
    run_husk mount mnt
    run_husk unmount mnt
    assert_output_is "mnt"
    store_mountinfo | grep -qF " $path "
    run_husk umount mnt
    ! store_mountinfo | grep -qF " $path " || false
    run_husk mount
    assert_output_is ""
    assert_equal "$(store_mounts)" "0"
    run_husk 125 mount nosuch
}

@test "unmount keeps a running container's own mount" {
    use_unshare
    run_husk run -d --name live husk-test/busybox sleep 100
    run_husk mount live
    path=$output
    run_husk unmount live
    run_husk 125 unmount live
    assert_output_contains "container state improper"
    store_mountinfo | grep -qF " $path "
    run_husk unmount -a
    store_mountinfo | grep -qF " $path "
}

@test "rename changes the name; taken and invalid names are refused" {
    run_husk create --name first husk-test/busybox true
    run_husk create --name second husk-test/busybox true
    run_husk rename first renamed
    assert_output_is ""
    run_husk ps -a --format '{{.Names}}'
    assert_output_contains "renamed"
    [[ "$output" != *first* ]]
    run_husk container inspect --format '{{.Name}}' renamed
    assert_output_is "renamed"
    run_husk 125 rename renamed second
    assert_output_contains "already in use"
    run_husk 125 rename renamed 'bad name'
    assert_output_contains "names must match"
    run_husk 125 rename nosuch other
    run_husk 125 rename renamed
    # The old name is free again.
    run_husk create --name first husk-test/busybox true
}

@test "port prints nothing for containers without published ports" {
    run_husk run -d --name live husk-test/busybox sleep 100
    run_husk port live
    assert_output_is ""
    run_husk port live 80
    assert_output_is ""
    run_husk container port -a
    assert_output_is ""
    run_husk create --name hostnet --network host husk-test/busybox true
    run_husk port hostnet
    assert_output_is ""
    run_husk 125 port nosuch
    assert_output_contains "no such container"
}

@test "container prune removes exited and created containers, honouring filters" {
    run_husk run --name exited1 --label keep=no husk-test/busybox true
    exited1=$(husk container inspect --format '{{.Id}}' exited1)
    run_husk create --name created1 husk-test/busybox true
    created1=$(husk container inspect --format '{{.Id}}' created1)
    run_husk run -d --name live husk-test/busybox sleep 100
    run_husk container prune -f --filter until=10m
    assert_output_is ""
    run_husk container prune -f --filter label=keep=no
    assert_output_is "$exited1"
    run_husk container prune -f
    assert_output_is "$created1"
    run_husk ps -a --format '{{.Names}}'
    assert_output_is "live"
    run_husk 125 container prune -f --filter bogus=1
    assert_output_contains "bogus is an invalid filter"
}
