#!/usr/bin/env bats
# The U option of -v and --mount (U, U=true, chown=true): at every start
# the source, and everything beneath it, goes to the container's user.
load helpers

setup() {
    container_setup
    mkdir -p "$HUSK_TMP/src/sub"
    touch "$HUSK_TMP/src/sub/f"
    ln -s /etc/hostname "$HUSK_TMP/src/link"
}

teardown() {
    container_teardown
}

@test "-v SRC:DST:U gives the source and its tree to the container's user" {
    run_husk run --rm --user 1234:5678 -v "$HUSK_TMP/src:/u:U" husk-test/busybox \
        sh -c 'stat -c "%u:%g %n" /u /u/sub /u/sub/f; stat -c "%u:%g %N" /u/link'
    assert_output_is "1234:5678 /u
1234:5678 /u/sub
1234:5678 /u/sub/f
1234:5678 '/u/link' -> '/etc/hostname'"
    # The link was changed, not followed.
    [ "$(stat -c %u:%g /etc/hostname)" = 0:0 ]
}

@test "--mount U=true and chown=true on binds and volumes; a user without an entry gets gid 0" {
    run_husk run --rm --user 42 --mount "type=bind,src=$HUSK_TMP/src,dst=/u,chown=true" \
        husk-test/busybox stat -c "%u:%g" /u/sub/f
    assert_output_is "42:0"
    run_husk run --rm --user 7:8 --mount type=volume,src=uv,dst=/u,U=true husk-test/busybox \
        stat -c "%u:%g" /u
    assert_output_is "7:8"
    run_husk run --rm --mount "type=bind,src=$HUSK_TMP/src,dst=/u,U=false" husk-test/busybox \
        stat -c "%u:%g" /u/sub/f
    assert_output_is "42:0"
}

@test "U is refused on a tmpfs, and an unknown user fails the start clearly" {
    run_husk 125 create --mount type=tmpfs,dst=/u,U husk-test/busybox
    assert_output_is 'Error: invalid mount "type=tmpfs,dst=/u,U": U (chown) is supported for bind and volume mounts only'
    run_husk create --name c --user nobodyhere -v "$HUSK_TMP/src:/u:U" husk-test/busybox true
    run_husk 125 start c
    assert_output_contains "mount option U"
    assert_output_contains "nobodyhere"
}

@test "U refuses a tree deeper than its limit, without crashing" {
    mkdir -p "$HUSK_TMP/deep"
    ( cd "$HUSK_TMP/deep" && for i in $(seq 300); do mkdir d && cd d; done )
    run_husk 125 run --rm -v "$HUSK_TMP/deep:/d:U" husk-test/busybox true
    assert_output_contains "more than 256 levels deep"
}
