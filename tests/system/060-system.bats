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

@test "system reset removes pods with their infra and member containers, saying nothing" {
    run_husk load -i "$HUSK_IMAGES/busybox.docker.tar"
    run_husk pod create --name t060p
    run_husk run -d --pod t060p --name t060m husk-test/busybox sleep 100
    run_husk pod create --name t060q
    run_husk system reset -f
    # (an infra container was once refused on its own: a warning per pod)
    assert_output_is ""
    [ ! -e "$HUSK_ROOT/husk.db" ]
    [ -z "$(pgrep -f "husk-monitor.*$HUSK_RUNROOT/" || true)" ]
}

# system prune: pods with nothing running, stopped containers, unused
# networks, with --volumes unused volumes, dangling (-a: unused) images,
# each under Podman's heading, and the space the store gave back.
@test "system prune removes what nothing uses, asks first, and reports it as Podman" {
    run_husk load -i "$HUSK_IMAGES/busybox.docker.tar"
    run_husk import "$HUSK_IMAGES/rootfs.tar" t060-unused
    run_husk create --name t060-stopped husk-test/busybox true
    stopped=$(husk inspect --format '{{.Id}}' t060-stopped)
    run_husk run -d --name t060-up husk-test/busybox sleep 100
    run_husk volume create t060-vol
    run_husk network create t060-net
    # Anything but yes leaves everything.
    run bash -c "echo n | '$HUSK_BIN' --root '$HUSK_ROOT' --runroot '$HUSK_RUNROOT' system prune"
    [ "$status" -eq 0 ]
    assert_output_contains "	- all dangling images"
    run_husk container exists t060-stopped
    run bash -c "echo y | '$HUSK_BIN' --root '$HUSK_ROOT' --runroot '$HUSK_RUNROOT' system prune --volumes"
    [ "$status" -eq 0 ]
    assert_output_contains "	- all volumes not used by at least one container"
    assert_output_contains "Deleted Containers
$stopped
Deleted Networks
t060-net
Deleted Volumes
t060-vol
Total reclaimed space: "
    run_husk 1 container exists t060-stopped
    run_husk container exists t060-up
    # -a: every image no container uses; the running one's stays.
    run_husk system prune -a -f
    assert_output_contains "Deleted Images"
    [[ "${lines[-1]}" =~ ^Total\ reclaimed\ space:\ [0-9.]+[kMG]?B$ ]]
    run_husk images --format '{{.Repository}}'
    assert_output_is "localhost/husk-test/busybox"
    run_husk 125 system prune -f --filter bogus=1
    assert_output_contains "bogus=1 is an invalid filter"
    run_husk 125 system prune -f --external
    assert_output_contains "not supported by husk: --external"
    run_husk rm -f -t 0 t060-up
}
