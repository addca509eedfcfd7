#!/usr/bin/env bats
# Local image commands: load, images, inspect, tag, untag, history, rmi.
load helpers

busybox_id() { awk '$1 == "busybox" {print $2}' "$HUSK_IMAGES/DIGESTS"; }
layers_id() { awk '$1 == "layers" {print $2}' "$HUSK_IMAGES/DIGESTS"; }

setup() {
    husk_setup_store
}

@test "load a docker-archive: image ID is the config digest" {
    run_husk load -i "$HUSK_IMAGES/busybox.docker.tar"
    assert_output_is "Loaded image: localhost/husk-test/busybox:latest"
    run_husk images --no-trunc --format '{{.ID}} {{.Repository}}:{{.Tag}}'
    assert_output_is "sha256:$(busybox_id) localhost/husk-test/busybox:latest"
}

@test "load from standard input" {
    run bash -c "'$HUSK_BIN' --root '$HUSK_ROOT' --runroot '$HUSK_RUNROOT' load < '$HUSK_IMAGES/busybox.docker.tar'"
    [ "$status" -eq 0 ]
    run_husk image exists localhost/husk-test/busybox
}

@test "load an oci-archive and an OCI layout directory" {
    run_husk load -i "$HUSK_IMAGES/layers.oci.tar"
    # Its index names it by a bare tag, ref.name "latest": as in Podman, a
    # local name (localhost/latest:latest), not an unnamed image.
    assert_output_is "Loaded image: localhost/latest:latest"
    run_husk load -i "$HUSK_IMAGES/busybox.oci"
    run_husk images -q --no-trunc
    [[ "$output" == *"$(layers_id)"* ]]
    [[ "$output" == *"$(busybox_id)"* ]]
}

@test "load a multi-image archive shares the common layer" {
    run_husk load -i "$HUSK_IMAGES/multi.docker.tar"
    assert_output_contains "localhost/husk-test/busybox:latest"
    assert_output_contains "localhost/husk-test/layers:latest"
    run_husk images --format '{{.Repository}}'
    [ "${#lines[@]}" -eq 2 ]
    # 3 distinct layers: busybox, layers/2, layers/3.
    n=$(ls "$HUSK_ROOT"/storage/*/layers | wc -l)
    [ "$n" -eq 3 ]
}

@test "images shows Podman's columns and honours --noheading, -q, --format json" {
    run_husk load -i "$HUSK_IMAGES/busybox.docker.tar"
    run_husk images
    [[ "${lines[0]}" == REPOSITORY*TAG*"IMAGE ID"*CREATED*SIZE ]]
    [[ "${lines[1]}" == "localhost/husk-test/busybox"*latest*"$(busybox_id | cut -c1-12)"* ]]
    run_husk images --noheading
    [ "${#lines[@]}" -eq 1 ]
    run_husk images -q
    assert_output_is "$(busybox_id | cut -c1-12)"
    run_husk images --format json
    echo "$output" | jq -e ".[0].Id == \"$(busybox_id)\"" >/dev/null
    echo "$output" | jq -e '.[0].Names[0] == "localhost/husk-test/busybox:latest"' >/dev/null
}

@test "images --filter reference, label, dangling" {
    run_husk load -i "$HUSK_IMAGES/multi.docker.tar"
    run_husk images --filter reference=busybox --format '{{.Repository}}'
    assert_output_is "localhost/husk-test/busybox"
    run_husk images --filter label=org.husk.test=layers --format '{{.Repository}}'
    assert_output_is "localhost/husk-test/layers"
    run_husk images --filter dangling=true --format '{{.Repository}}'
    assert_output_is ""
    run_husk 125 images --filter bogus=1
    assert_output_contains 'invalid image filter "bogus"'
}

@test "image inspect returns Podman's shape and --format works" {
    run_husk load -i "$HUSK_IMAGES/busybox.docker.tar"
    run_husk image inspect localhost/husk-test/busybox
    echo "$output" | jq -e ".[0].Id == \"$(busybox_id)\"" >/dev/null
    echo "$output" | jq -e '.[0].Os == "linux" and .[0].Architecture == "amd64"' >/dev/null
    echo "$output" | jq -e '.[0].Config.Cmd == ["sh"]' >/dev/null
    echo "$output" | jq -e '.[0].RootFS.Layers | length == 1' >/dev/null
    run_husk inspect --format '{{.Config.Labels}}' husk-test/busybox
    assert_output_is "map[org.husk.test:busybox]"
    run_husk inspect --type image --format '{{index .RepoTags 0}}' "$(busybox_id | cut -c1-8)"
    assert_output_is "localhost/husk-test/busybox:latest"
}

@test "an unknown --format field is an error with exit 125" {
    run_husk load -i "$HUSK_IMAGES/busybox.docker.tar"
    run_husk 125 images --format '{{.Bogus}}'
    assert_output_contains "Bogus"
    run_husk 125 image inspect --format '{{.Nope}}' husk-test/busybox
}

@test "unknown images: inspect fails 125, exists returns 1, rmi returns 1" {
    run_husk 125 image inspect nosuch
    assert_output_contains "nosuch: image not known"
    run_husk 1 image exists nosuch
    run_husk 1 rmi nosuch
    run_husk rmi -i nosuch
}

@test "tag and untag; short names resolve to localhost/" {
    run_husk load -i "$HUSK_IMAGES/busybox.docker.tar"
    run_husk tag husk-test/busybox mybox myreg.example:5000/team/box:v1
    run_husk images --format '{{.Repository}}:{{.Tag}}' --sort repository
    assert_output_contains "localhost/mybox:latest"
    assert_output_contains "myreg.example:5000/team/box:v1"
    run_husk image inspect --format '{{.Id}}' mybox
    assert_output_is "$(busybox_id)"
    run_husk untag mybox mybox
    run_husk 1 image exists localhost/mybox
    run_husk 125 untag husk-test/busybox notatag
    assert_output_contains "tag not known"
}

@test "rmi of one of several names only untags; by ID needs -f" {
    run_husk load -i "$HUSK_IMAGES/busybox.docker.tar"
    run_husk tag husk-test/busybox second
    run_husk rmi second
    assert_output_is "Untagged: localhost/second:latest"
    run_husk tag husk-test/busybox third
    run_husk 2 rmi "$(busybox_id)"
    run_husk rmi -f "$(busybox_id)"
    assert_output_contains "Deleted: $(busybox_id)"
    run_husk images -q
    assert_output_is ""
    # The layer is gone with the last image that used it.
    [ -z "$(ls "$HUSK_ROOT"/storage/*/layers)" ]
}

@test "rmi keeps layers another image still uses" {
    run_husk load -i "$HUSK_IMAGES/multi.docker.tar"
    run_husk rmi husk-test/layers
    assert_output_contains "Deleted: $(layers_id)"
    [ "$(ls "$HUSK_ROOT"/storage/*/layers | wc -l)" -eq 1 ]
    run_husk rmi -a
    [ -z "$(ls "$HUSK_ROOT"/storage/*/layers)" ]
}

@test "history lists the config's history, newest first" {
    run_husk load -i "$HUSK_IMAGES/layers.docker.tar"
    run_husk history husk-test/layers
    [[ "${lines[0]}" == ID*CREATED*"CREATED BY"*SIZE*COMMENT ]]
    [ "${#lines[@]}" -eq 4 ]
    [[ "${lines[1]}" == "$(layers_id | cut -c1-12)"* ]]
    run_husk history --format json husk-test/layers
    echo "$output" | jq -e 'length == 3' >/dev/null
}

@test "loading an image twice is harmless and keeps one copy" {
    run_husk load -i "$HUSK_IMAGES/busybox.docker.tar"
    run_husk load -i "$HUSK_IMAGES/busybox.oci.tar"
    run_husk images -q
    [ "${#lines[@]}" -eq 1 ]
}

@test "the three-layer image shows whiteouts and opaque directories applied" {
    use_unshare
    run_husk load -i "$HUSK_IMAGES/layers.docker.tar"
    run_husk image mount husk-test/layers
    mnt=$output
    run in_userns sh -ec '[ -f "$1/data/keep.txt" ]; [ -f "$1/data/new.txt" ]
                          [ ! -e "$1/data/gone.txt" ]; [ -x "$1/bin/busybox" ]; ls "$1/opaque"' sh "$mnt"
    [ "$status" -eq 0 ]
    assert_output_is fresh.txt
    run_husk image unmount husk-test/layers
    ! store_mountinfo | grep -q " $mnt " || false
}

@test "the vfs driver gives the same view" {
    run_husk --storage-driver vfs load -i "$HUSK_IMAGES/layers.docker.tar"
    run_husk --storage-driver vfs info --format '{{.Store.GraphDriverName}}'
    assert_output_is "vfs"
    d=$(husk --storage-driver vfs image inspect --format '{{.GraphDriver.Data.UpperDir}}' husk-test/layers)
    [ -f "$d/data/keep.txt" ]
    [ ! -e "$d/data/gone.txt" ]
    [ "$(ls "$d/opaque")" = "fresh.txt" ]
}

@test "rmi -f of one name of several only untags it; short names work" {
    run_husk load -i "$HUSK_IMAGES/busybox.docker.tar"
    run_husk tag husk-test/busybox other
    run_husk rmi -f other
    assert_output_is "Untagged: localhost/other:latest"
    run_husk tag husk-test/busybox other
    run_husk rmi busybox
    assert_output_is "Untagged: localhost/husk-test/busybox:latest"
    run_husk images --format '{{.Names}}'
    assert_output_is "[localhost/other:latest]"
}

@test "global options are accepted after the command too" {
    run "$HUSK_BIN" images --root "$HUSK_ROOT" --runroot "$HUSK_RUNROOT" --format '{{.ID}}'
    [ "$status" -eq 0 ]
    [ -f "$HUSK_ROOT/husk.db" ]
}

@test "--help opens no store" {
    run "$HUSK_BIN" --root "$HUSK_TMP/nostore" load --help
    [ "$status" -eq 0 ]
    assert_output_contains "husk load [options]"
    [ ! -e "$HUSK_TMP/nostore" ]
}

@test "import --change ENV takes several pairs" {
    run_husk import -c 'ENV A=1 B="two words"' "$HUSK_IMAGES/rootfs.tar" envs
    run_husk inspect --format '{{json .Config.Env}}' envs
    assert_output_is '["A=1","B=two words"]'
}

@test "an image loaded with its manifest is known by repo@digest" {
    digest=$(awk '$1 == "busybox" {print $3}' "$HUSK_IMAGES/DIGESTS")
    run_husk load -i "$HUSK_IMAGES/busybox.oci.tar"
    run_husk tag "$(busybox_id)" husk-test/busybox
    run_husk image inspect --format '{{json .RepoDigests}} {{.Digest}}' husk-test/busybox
    # One repo@digest per name: the archive's own (ref.name "latest") first.
    assert_output_is "[\"localhost/latest@$digest\",\"localhost/husk-test/busybox@$digest\"] $digest"
    run_husk image exists "localhost/husk-test/busybox@$digest"
    run_husk 1 image exists "localhost/husk-test/busybox@sha256:$(printf '0%.0s' $(seq 64))"
}

@test "image prune removes dangling images, -a every unused one, never one a container uses" {
    run_husk load -q -i "$HUSK_IMAGES/layers.docker.tar"
    layers=$(husk images -q --no-trunc husk-test/layers); layers=${layers#sha256:}
    run_husk load -q -i "$HUSK_IMAGES/busybox.docker.tar"
    run_husk untag husk-test/layers
    run_husk image prune -f
    assert_output_is "$layers"
    run_husk 1 image exists "$layers"
    run_husk image exists husk-test/busybox
    # In use: left alone, without an error (Podman 5).
    run_husk create --name user husk-test/busybox true
    run_husk image prune -af
    assert_output_is ""
    run_husk image exists husk-test/busybox
    run_husk rm user
    run_husk image prune -af
    [[ "$output" =~ ^[0-9a-f]{64}$ ]]
    run_husk images -q
    assert_output_is ""
    run_husk 125 image prune -f --filter bogus=1
    assert_output_contains "bogus"
}

@test "rmi --force and volume rm --force are quiet about names that do not exist" {
    run_husk rmi --force no-such-image
    assert_output_is ""
    run_husk image rm -f no-such-image
    run_husk 1 rmi no-such-image
    run_husk volume rm --force no-such-volume
    assert_output_is ""
    run_husk 1 volume rm no-such-volume
}

@test "inspect templates take .ID where the object has .Id, and the JSON stays as it was" {
    run_husk load -q -i "$HUSK_IMAGES/busybox.docker.tar"
    run_husk image inspect --format '{{.ID}}' husk-test/busybox
    assert_output_is "$(busybox_id)"
    run_husk inspect --format '{{.ID}}={{.Id}}' husk-test/busybox
    assert_output_is "$(busybox_id)=$(busybox_id)"
    run_husk image inspect husk-test/busybox
    ! grep -q '"ID"' <<<"$output"
}
