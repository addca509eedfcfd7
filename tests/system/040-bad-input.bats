#!/usr/bin/env bats
# Hostile and broken input: one clear error, exit 125, and the store left
# exactly as it was (images, layer directories, nothing written outside).
load helpers

setup() {
    husk_setup_store
    run_husk load -i "$HUSK_IMAGES/busybox.docker.tar"
    before_images=$(husk images -q --no-trunc)
    before_layers=$(ls "$HUSK_ROOT"/storage/*/layers)
}

store_unchanged() {
    [ "$(husk images -q --no-trunc)" = "$before_images" ]
    [ "$(ls "$HUSK_ROOT"/storage/*/layers)" = "$before_layers" ]
    [ -z "$(ls "$HUSK_ROOT"/storage/*/tmp 2>/dev/null)" ]
    [ -z "$(ls "$HUSK_ROOT"/tmp 2>/dev/null)" ]
}

load_bad() { # file expected-message
    run_husk 125 load -i "$HUSK_IMAGES/bad/$1"
    assert_output_contains "$2"
    [ "${#lines[@]}" -eq 1 ]
    store_unchanged
}

@test "truncated gzip layer" {
    load_bad truncated-gzip.oci.tar "gzip"
}

@test "corrupt archive" {
    # Podman's message: the first line, then one line per format tried.
    run_husk 125 load -i "$HUSK_IMAGES/bad/corrupt.tar"
    assert_output_contains "payload does not match any of the supported image formats:"
    store_unchanged
}

@test "manifest naming a missing blob" {
    load_bad missing-blob.oci.tar "is missing"
}

@test "layer whose diff ID does not match" {
    load_bad bad-diffid.docker.tar "diff ID"
}

@test "tar with ../../etc/husk-escape" {
    rm -f /etc/husk-escape 2>/dev/null || true
    load_bad escape-dotdot.docker.tar "husk-escape"
    [ ! -e /etc/husk-escape ]
}

@test "tar that plants a symlink to / and writes through it" {
    rm -f /tmp/husk-escape-symlink
    load_bad escape-symlink.docker.tar "evil"
    [ ! -e /tmp/husk-escape-symlink ]
}

@test "hard link to /etc/shadow" {
    load_bad escape-hardlink.docker.tar "shadow"
}

@test "import of a tarball with ../ entries" {
    run_husk 125 import "$HUSK_IMAGES/bad/escape-dotdot.tar" evil
    assert_output_contains "husk-escape"
    store_unchanged
    [ ! -e /etc/husk-escape ]
}

@test "invalid TOML in containers.conf names the file and line" {
    printf '[engine]\nruntime = "crun"\nbroken line\n' > "$HUSK_TMP/bad.conf"
    CONTAINERS_CONF=$HUSK_TMP/bad.conf run_husk 125 images
    assert_output_contains "$HUSK_TMP/bad.conf"
    assert_output_contains "line 3"
}

@test "a missing input file is named" {
    run_husk 125 load -i "$HUSK_TMP/nope.tar"
    assert_output_contains "nope.tar"
}

@test "work files of a killed load are cleaned up by the next command" {
    mkfifo "$HUSK_TMP/fifo"
    ( "$HUSK_BIN" --root "$HUSK_ROOT" --runroot "$HUSK_RUNROOT" load -i "$HUSK_TMP/fifo" >/dev/null 2>&1 & echo $! > "$HUSK_TMP/pid"; wait ) &
    ( head -c 300000 "$HUSK_IMAGES/busybox.docker.tar"; sleep 30 ) > "$HUSK_TMP/fifo" &
    writer=$!
    sleep 1
    kill -9 "$(cat "$HUSK_TMP/pid")"
    pkill -P "$writer" sleep || true
    wait || true
    # Work files live in the store's work area (storage/<driver>/tmp).
    [ -n "$(ls -A "$HUSK_ROOT"/storage/*/tmp)" ]
    run_husk load -i "$HUSK_IMAGES/busybox.docker.tar"
    [ -z "$(ls -A "$HUSK_ROOT"/storage/*/tmp)" ]
}
