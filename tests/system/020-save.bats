#!/usr/bin/env bats
# save in every format, and the real peers (skopeo, umoci, podman) reading
# what husk writes and husk reading what podman writes.
load helpers

busybox_id() { awk '$1 == "busybox" {print $2}' "$HUSK_IMAGES/DIGESTS"; }
layers_id() { awk '$1 == "layers" {print $2}' "$HUSK_IMAGES/DIGESTS"; }

setup() {
    husk_setup_store
    run_husk load -i "$HUSK_IMAGES/multi.docker.tar"
}

podman_tmp() {
    podman --root "$HUSK_TMP/podman/root" --runroot "$HUSK_TMP/podman/run" \
        --storage-driver vfs "$@"
}

@test "save docker-archive: layer digests equal the diff IDs" {
    run_husk save -o "$HUSK_TMP/out.tar" husk-test/layers
    mkdir "$HUSK_TMP/x" && tar -C "$HUSK_TMP/x" -xf "$HUSK_TMP/out.tar"
    jq -r '.[0].Layers[]' "$HUSK_TMP/x/manifest.json" > "$HUSK_TMP/layers"
    [ "$(wc -l < "$HUSK_TMP/layers")" -eq 3 ]
    cfg=$(jq -r '.[0].Config' "$HUSK_TMP/x/manifest.json")
    [ "$(sha256sum "$HUSK_TMP/x/$cfg" | cut -d' ' -f1)" = "$(layers_id)" ]
    i=0
    while read -r l; do
        want=$(jq -r ".rootfs.diff_ids[$i]" "$HUSK_TMP/x/$cfg")
        [ "sha256:$(sha256sum "$HUSK_TMP/x/$l" | cut -d' ' -f1)" = "$want" ]
        i=$((i + 1))
    done < "$HUSK_TMP/layers"
    jq -e '.[0].RepoTags == ["localhost/husk-test/layers:latest"]' "$HUSK_TMP/x/manifest.json"
}

@test "save to stdout, then load it into a fresh store: same ID" {
    "$HUSK_BIN" --root "$HUSK_ROOT" --runroot "$HUSK_RUNROOT" save husk-test/busybox > "$HUSK_TMP/s.tar"
    run "$HUSK_BIN" --root "$HUSK_TMP/r2" --runroot "$HUSK_TMP/rr2" load -i "$HUSK_TMP/s.tar"
    [ "$status" -eq 0 ]
    run "$HUSK_BIN" --root "$HUSK_TMP/r2" --runroot "$HUSK_TMP/rr2" images -q --no-trunc
    assert_output_is "sha256:$(busybox_id)"
}

@test "save refuses to write an archive to a terminal-less unknown format" {
    run_husk 125 save --format bogus -o "$HUSK_TMP/x.tar" husk-test/busybox
    assert_output_contains 'unsupported format "bogus"'
    [ ! -e "$HUSK_TMP/x.tar" ]
    run_husk 125 save -o "$HUSK_TMP/y.tar" nosuch
    assert_output_contains "nosuch: image not known"
    [ ! -e "$HUSK_TMP/y.tar" ]
}

@test "oci-archive and oci-dir pass skopeo inspect and umoci" {
    run_husk save --format oci-archive -o "$HUSK_TMP/b.oci.tar" husk-test/busybox
    # Rootless, skopeo unpacks the archive's root-owned entries only
    # inside a user namespace.
    run in_userns skopeo inspect --raw "oci-archive:$HUSK_TMP/b.oci.tar"
    [ "$status" -eq 0 ]
    run in_userns skopeo inspect --config "oci-archive:$HUSK_TMP/b.oci.tar"
    [ "$status" -eq 0 ]
    echo "$output" | jq -e '.config.Cmd == ["sh"]' >/dev/null
    run_husk save --format oci-dir -o "$HUSK_TMP/l.oci" husk-test/layers
    run skopeo inspect "oci:$HUSK_TMP/l.oci"
    [ "$status" -eq 0 ]
    echo "$output" | jq -e '.Layers | length == 3' >/dev/null
    run umoci unpack $(is_rootless && echo --rootless) \
        --image "$HUSK_TMP/l.oci:localhost/husk-test/layers:latest" "$HUSK_TMP/bundle"
    [ "$status" -eq 0 ]
    [ -f "$HUSK_TMP/bundle/rootfs/data/keep.txt" ]
    [ ! -e "$HUSK_TMP/bundle/rootfs/data/gone.txt" ]
    [ "$(ls "$HUSK_TMP/bundle/rootfs/opaque")" = "fresh.txt" ]
}

@test "oci round trip keeps the manifest digest" {
    want=$(awk '$1 == "busybox" {print $3}' "$HUSK_IMAGES/DIGESTS")
    run "$HUSK_BIN" --root "$HUSK_TMP/r3" --runroot "$HUSK_TMP/rr3" load -i "$HUSK_IMAGES/busybox.oci.tar"
    run "$HUSK_BIN" --root "$HUSK_TMP/r3" --runroot "$HUSK_TMP/rr3" save --format oci-dir -o "$HUSK_TMP/rt.oci" "$(busybox_id)"
    [ "$status" -eq 0 ]
    jq -e ".manifests[0].digest == \"$want\"" "$HUSK_TMP/rt.oci/index.json"
}

@test "podman loads what husk saved, with the same image ID" {
    run_husk save --format oci-archive -o "$HUSK_TMP/b.oci.tar" husk-test/busybox
    run podman_tmp load -i "$HUSK_TMP/b.oci.tar"
    [ "$status" -eq 0 ]
    run_husk save -o "$HUSK_TMP/l.docker.tar" husk-test/layers
    run podman_tmp load -i "$HUSK_TMP/l.docker.tar"
    [ "$status" -eq 0 ]
    run podman_tmp images -q --no-trunc
    [[ "$output" == *"$(busybox_id)"* ]]
    [[ "$output" == *"$(layers_id)"* ]]
}

@test "an archive saved by podman loads into husk with the same ID and diff IDs" {
    run podman_tmp load -i "$HUSK_IMAGES/layers.docker.tar"
    [ "$status" -eq 0 ]
    run podman_tmp save -o "$HUSK_TMP/p.tar" localhost/husk-test/layers:latest
    [ "$status" -eq 0 ]
    run "$HUSK_BIN" --root "$HUSK_TMP/r4" --runroot "$HUSK_TMP/rr4" load -i "$HUSK_TMP/p.tar"
    [ "$status" -eq 0 ]
    run "$HUSK_BIN" --root "$HUSK_TMP/r4" --runroot "$HUSK_TMP/rr4" images -q --no-trunc
    assert_output_is "sha256:$(layers_id)"
    # Saving again from husk reproduces the layer diff IDs.
    run "$HUSK_BIN" --root "$HUSK_TMP/r4" --runroot "$HUSK_TMP/rr4" save -o "$HUSK_TMP/h.tar" husk-test/layers
    mkdir "$HUSK_TMP/h" && tar -C "$HUSK_TMP/h" -xf "$HUSK_TMP/h.tar"
    for l in $(jq -r '.[0].Layers[]' "$HUSK_TMP/h/manifest.json"); do
        d="sha256:$(sha256sum "$HUSK_TMP/h/$l" | cut -d' ' -f1)"
        jq -e --arg d "$d" '.rootfs.diff_ids | index($d) != null' "$HUSK_TMP/h/$(layers_id).json" >/dev/null
    done
}

@test "save several images into one docker-archive" {
    run_husk save -m -o "$HUSK_TMP/m.tar" husk-test/busybox husk-test/layers
    mkdir "$HUSK_TMP/m" && tar -C "$HUSK_TMP/m" -xf "$HUSK_TMP/m.tar"
    jq -e 'length == 2' "$HUSK_TMP/m/manifest.json"
    # The shared busybox layer is stored once: 3 layer tars.
    [ "$(ls "$HUSK_TMP/m" | grep -c '\.tar$')" -eq 3 ]
}

@test "a failed save leaves an existing output file alone" {
    echo important > "$HUSK_TMP/keep.txt"
    run_husk 125 save -o "$HUSK_TMP/keep.txt" nothere
    [ "$(cat "$HUSK_TMP/keep.txt")" = important ]
    run_husk save -o "$HUSK_TMP/keep.txt" husk-test/busybox
    tar -tf "$HUSK_TMP/keep.txt" | grep -q manifest.json
    [ -z "$(ls "$HUSK_TMP" | grep husk-)" ]
}

@test "an OCI archive's ref.name without a registry names a local image, as in Podman" {
    run_husk save --format oci-dir -o "$HUSK_TMP/d" husk-test/busybox
    id=$(husk image inspect --format '{{.Id}}' husk-test/busybox)
    run_husk rmi -a -f
    # name given in ref.name -> name loaded (Podman 4.3.1 and 5 alike)
    for pair in "v1=localhost/v1:latest" "foo:bar=localhost/foo:bar" \
                "app/web=localhost/app/web:latest" "quay.io/x/y:3=quay.io/x/y:3"; do
        ann=${pair%%=*} want=${pair#*=}
        rm -rf "$HUSK_TMP/e"; cp -r "$HUSK_TMP/d" "$HUSK_TMP/e"
        jq --arg n "$ann" '.manifests[0].annotations["org.opencontainers.image.ref.name"] = $n' \
            "$HUSK_TMP/d/index.json" > "$HUSK_TMP/e/index.json"
        tar -C "$HUSK_TMP/e" -cf "$HUSK_TMP/e.tar" .
        run_husk load -i "$HUSK_TMP/e.tar"
        assert_output_is "Loaded image: $want"
        run_husk image inspect --format '{{.Id}}' "$want"
        assert_output_is "$id"
        run_husk rmi -a -f
    done
    # A ref.name that is no valid name fails the load, naming it.
    jq '.manifests[0].annotations["org.opencontainers.image.ref.name"] = "Bad Name"' \
        "$HUSK_TMP/d/index.json" > "$HUSK_TMP/e/index.json"
    tar -C "$HUSK_TMP/e" -cf "$HUSK_TMP/e.tar" .
    run_husk 125 load -i "$HUSK_TMP/e.tar"
    assert_output_contains 'ref.name "Bad Name"'
    run_husk images -q
    assert_output_is ""
}
