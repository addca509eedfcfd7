#!/usr/bin/env bats
# info, system df, system reset, and the rootless limits of this release.
load helpers

@test "info reports the store and --format reaches nested fields" {
    run_husk info --format '{{.Store.GraphRoot}} {{.Host.Os}}'
    assert_output_is "$HUSK_ROOT linux"
    run_husk info --format json
    echo "$output" | jq -e '.store.graphDriverName | test("overlay|vfs")' >/dev/null
    run_husk info
    assert_output_contains "graphRoot: $HUSK_ROOT"
}

@test "system df counts images" {
    run_husk load -i "$HUSK_IMAGES/busybox.docker.tar"
    run_husk system df --format '{{.Type}} {{.Total}}'
    assert_output_contains "Images 1"
}

@test "system reset -f removes every image and layer" {
    run_husk load -i "$HUSK_IMAGES/multi.docker.tar"
    run_husk system reset -f
    run_husk images -q
    assert_output_is ""
    [ -z "$(ls "$HUSK_ROOT"/storage/*/layers 2>/dev/null)" ]
}

@test "rootless: load and import write layers in the user's namespace" {
    skip_if_root
    run_husk load -i "$HUSK_IMAGES/busybox.docker.tar"
    run_husk import "$HUSK_IMAGES/rootfs.tar" imported
    run_husk images --format '{{.Repository}}'
    assert_output_contains "localhost/husk-test/busybox"
    assert_output_contains "localhost/imported"
    # The store is the user's own on the host, closed to others.
    [ "$(stat -c %u "$HUSK_ROOT")" = "$(id -u)" ]
}

@test "rootless: default paths follow XDG" {
    skip_if_root
    run env XDG_DATA_HOME="$HUSK_TMP/data" XDG_RUNTIME_DIR="$HUSK_TMP/rt" "$HUSK_BIN" info --format '{{.Store.GraphRoot}} {{.Store.RunRoot}}'
    # Its own runtime directory made its own user namespace: stop its
    # pause process, or it outlives the test.
    XDG_RUNTIME_DIR="$HUSK_TMP/rt" "$HUSK_BIN" system migrate
    [ "$status" -eq 0 ]
    assert_output_is "$HUSK_TMP/data/husk $HUSK_TMP/rt/husk"
}

@test "system reset without -f asks, and only y goes ahead" {
    run_husk load -i "$HUSK_IMAGES/busybox.docker.tar"
    run bash -c "echo n | '$HUSK_BIN' --root '$HUSK_ROOT' --runroot '$HUSK_RUNROOT' system reset"
    [ "$status" -eq 0 ]
    assert_output_contains "Are you sure you want to continue? [y/N]"
    run_husk images -q
    [ -n "$output" ]
    run bash -c "echo y | '$HUSK_BIN' --root '$HUSK_ROOT' --runroot '$HUSK_RUNROOT' system reset"
    [ "$status" -eq 0 ]
    run_husk images -q
    assert_output_is ""
}
