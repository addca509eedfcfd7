#!/usr/bin/env bats
# Two unprivileged users (husktest and husktest2, tests/setup-host.sh, with
# disjoint subordinate ranges) cannot see or touch each other's husk: not
# the containers, images, store files, pause process record or runtime
# directory, and not the container processes.  Driven by root with su, so
# both users act in one test.
load ../system/helpers

A=husktest
B=husktest2

setup() {
    husk_setup_store
    skip_needs_root "it acts as two unprivileged users with su"
    id "$A" >/dev/null 2>&1 && id "$B" >/dev/null 2>&1 \
        || skip "no users $A and $B: run tests/setup-host.sh"
    # Binaries and the image where both users can read them.
    SHARED=$(mktemp -d /tmp/husk-2users.XXXXXX)
    chmod 755 "$SHARED"
    mkdir "$SHARED/bin"
    cp "$HUSK_BIN" "$(dirname "$HUSK_BIN")/husk-monitor" "$SHARED/bin/"
    cp "$HUSK_IMAGES/busybox.docker.tar" "$SHARED/"
    chmod -R a+rX "$SHARED"
    BUID=$(id -u "$B")
}

teardown() {
    [ -n "${SHARED:-}" ] || return 0
    as "$B" 'husk rm -a -f -t 0; husk rmi -a -f; husk unshare rm -rf "$HOME/.local/share/husk"
             husk system migrate' >/dev/null 2>&1 || true
    if [ -n "${AROOT:-}" ]; then
        as "$A" 'husk --root "$1" --runroot "$1/run" rm -a -f -t 0
                 husk unshare rm -rf "$1"' "$AROOT" >/dev/null 2>&1 || true
    fi
    rm -rf "$SHARED"
    remove_tree "$HUSK_TMP"
}

# as USER SCRIPT [ARGS]: run SCRIPT with sh as USER, husk on its PATH, in
# the user's own environment (HOME; no XDG_RUNTIME_DIR: /tmp/husk-run-UID).
# In SCRIPT, $0 is the shared directory and $1... are ARGS.
as() {
    local user=$1 script=$2
    shift 2
    su "$user" -s /bin/sh -c 'cd /tmp && PATH="$0/bin:$PATH" && export PATH && unset XDG_RUNTIME_DIR && s=$1 && shift && eval "$s"' \
        "$SHARED" "$script" "$@" 2>&1
}

@test "two unprivileged users: disjoint subordinate ranges" {
    a=$(grep "^$A:" /etc/subuid | head -1)
    b=$(grep "^$B:" /etc/subuid | head -1)
    [ -n "$a" ] && [ -n "$b" ]
    IFS=: read -r _ astart alen <<<"$a"
    IFS=: read -r _ bstart blen <<<"$b"
    [ $((astart + alen)) -le "$bstart" ] || [ $((bstart + blen)) -le "$astart" ]
}

@test "two unprivileged users see nothing of each other's containers, images, stores and processes" {
    # B: its default store, a tagged image and a running container.
    run as "$B" 'husk load -q -i "$0/busybox.docker.tar" && husk tag husk-test/busybox secret-of-b &&
                 husk run -d --name b-secret husk-test/busybox sleep 1000 >/dev/null &&
                 husk inspect --format "{{.State.Pid}}" b-secret && husk info --format "{{.Store.GraphRoot}}"'
    [ "$status" -eq 0 ] || { echo "$output"; false; }
    bpid=${lines[-2]}
    broot=${lines[-1]}
    brun=/tmp/husk-run-$BUID
    [ -d "$broot" ] && [ -f "$brun/pause.pid" ]
    # The container's root is B's own uid on the host.
    [ "$(awk '/^Uid:/ { print $2 }' "/proc/$bpid/status")" = "$BUID" ]

    # A: a store of its own, with a container too.
    AROOT=$(as "$A" 'mktemp -d /tmp/husk-2users-a.XXXXXX')
    run as "$A" 'h() { r=$1; shift; husk --root "$r" --runroot "$r/run" "$@"; }
        h "$1" load -q -i "$0/busybox.docker.tar" >/dev/null
        h "$1" create --name a-own husk-test/busybox true >/dev/null
        echo "ps: $(h "$1" ps -a --format "{{.Names}}" | tr "\n" " ")"
        echo "images: $(h "$1" images --format "{{.Repository}}" | tr "\n" " ")"' "$AROOT"
    [ "$status" -eq 0 ] || { echo "$output"; false; }
    assert_output_contains "ps: a-own "
    [[ "$output" != *b-secret* ]]
    [[ "$output" != *secret-of-b* ]]

    # B's store and runtime directory, named outright: closed to A, on the
    # host and inside A's own user namespace (where B's uid is unmapped).
    run as "$A" 'husk --root "$1" --runroot "$2" ps -a' "$broot" "$brun"
    [ "$status" -eq 125 ]
    [[ "$output" != *b-secret* ]]
    assert_output_contains "ermission denied"
    run as "$A" 'husk --root "$1" --runroot "$2" images' "$broot" "$brun"
    [ "$status" -eq 125 ]
    [[ "$output" != *secret-of-b* ]]
    for path in "$broot" "$broot/husk.db" "$brun" "$brun/pause.pid"; do
        run as "$A" 'cat "$1" >/dev/null 2>&1 || ls "$1"' "$path"
        [ "$status" -ne 0 ]
        assert_output_contains "ermission denied"
        run as "$A" 'husk --root "$1" --runroot "$1/run" unshare ls -a "$2"' "$AROOT" "$path"
        [ "$status" -ne 0 ]
        assert_output_contains "ermission denied"
    done
    [ "$(stat -c %a "$broot")" = 700 ]
    [ "$(stat -c %a "$brun")" = 700 ]

    # B's container process and B's pause process: A's signals are refused.
    bpause=$(head -n 1 "$brun/pause.pid")
    for pid in "$bpid" "$bpause"; do
        run as "$A" 'kill -0 "$1"' "$pid"
        [ "$status" -ne 0 ]
        assert_output_contains "not permitted"
        run as "$A" 'husk --root "$1" --runroot "$1/run" unshare kill -0 "$2"' "$AROOT" "$pid"
        [ "$status" -ne 0 ]
        assert_output_contains "not permitted"
    done
    kill -0 "$bpid"
    run as "$B" 'husk ps --format "{{.Names}} {{.State}}"'
    assert_output_is "b-secret running"
}
