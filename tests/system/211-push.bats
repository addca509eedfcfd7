#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# husk push against the local registries of tests/registry/registry.sh
# (started by tests/run-all.sh, whose env file is named by HUSK_REG_ENV; a
# file run alone starts its own).  Each test pushes to repositories of its
# own, so the root and rootless passes can share one registry.

load helpers

setup_file() {
    registry_setup_file
}

teardown_file() {
    registry_teardown_file
}

setup() {
    registry_setup
    # A repository namespace no other test (or pass) uses.
    NS=$HUSK_REG_TLS/push$(id -u)-$BATS_TEST_NUMBER-$RANDOM
    run_husk load -q -i "$HUSK_IMAGES/busybox.docker.tar"
}

# husk with a second, empty store.
husk2() {
    "$HUSK_BIN" --root "$HUSK_TMP/root2" --runroot "$HUSK_TMP/run2" "$@"
}

# skopeo inspect --raw of a pushed reference, through jq.
raw() {
    skopeo inspect --cert-dir "$HUSK_REG_CERTS" --creds "$HUSK_REG_USER:$HUSK_REG_PASS" \
        --raw "docker://$1" | jq -r "$2"
}

digest_of() {
    skopeo inspect --cert-dir "$HUSK_REG_CERTS" --creds "$HUSK_REG_USER:$HUSK_REG_PASS" \
        --format '{{.Digest}}' "docker://$1"
}

@test "push a loaded image: OCI and gzip by default, --digestfile, pulled back with the same ID" {
    run_husk 0 push "${CREDS[@]}" "${TLS[@]}" --digestfile "$HUSK_TMP/digest" \
        husk-test/busybox "docker://$NS/bb:v1"
    [[ "$output" == *"Getting image source signatures"* ]]
    [[ "$output" == *"Copying blob "*" done"* ]]
    [[ "$output" == *"Copying config ${BB_ID:0:12} done"* ]]
    [[ "$output" == *"Writing manifest to image destination"* ]]
    [ "$(cat "$HUSK_TMP/digest")" = "$(digest_of "$NS/bb:v1")" ]
    [ "$(raw "$NS/bb:v1" .mediaType)" = application/vnd.oci.image.manifest.v1+json ]
    [ "$(raw "$NS/bb:v1" '.layers[0].mediaType')" = application/vnd.oci.image.layer.v1.tar+gzip ]
    run husk2 pull -q "${CREDS[@]}" "${TLS[@]}" "$NS/bb:v1"
    [ "$status" -eq 0 ]
    [ "$output" = "$BB_ID" ]
    # The pushed image was the source: nothing of it changed.
    run_husk 0 images --format '{{.Repository}}:{{.Tag}}'
    [ "$output" = "localhost/husk-test/busybox:latest" ]
}

@test "a second push skips the blobs the repository has" {
    run_husk 0 push -q "${CREDS[@]}" "${TLS[@]}" husk-test/busybox "$NS/bb:1"
    [ -z "$output" ]
    run_husk 0 image push "${CREDS[@]}" "${TLS[@]}" husk-test/busybox "$NS/bb:2"
    [[ "$output" == *"Copying blob "*" skipped: already exists"* ]]
    [[ "$output" == *"Copying config ${BB_ID:0:12} skipped: already exists"* ]]
    [ "$(digest_of "$NS/bb:1")" = "$(digest_of "$NS/bb:2")" ]
}

@test "--format v2s2 writes Docker schema 2 media types" {
    run_husk 0 push -q "${CREDS[@]}" "${TLS[@]}" --format v2s2 husk-test/busybox "$NS/bb:v2s2"
    [ "$(raw "$NS/bb:v2s2" .mediaType)" = application/vnd.docker.distribution.manifest.v2+json ]
    [ "$(raw "$NS/bb:v2s2" .config.mediaType)" = application/vnd.docker.container.image.v1+json ]
    [ "$(raw "$NS/bb:v2s2" '.layers[0].mediaType')" = application/vnd.docker.image.rootfs.diff.tar.gzip ]
    run_husk 125 push "${CREDS[@]}" "${TLS[@]}" --format v2s2 --compression-format zstd \
        husk-test/busybox "$NS/bb:no"
    [[ "$output" == *"zstd compression needs an OCI manifest"* ]]
    run_husk 125 push "${CREDS[@]}" "${TLS[@]}" --format v2s1 husk-test/busybox "$NS/bb:no"
    [[ "$output" == *"schema 1"* ]]
}

@test "--compression-format zstd, uploaded in chunks, pulls back to the same image" {
    # Compressed anew, the layer is streamed into its upload.
    run_husk 0 push "${CREDS[@]}" "${TLS[@]}" \
        --compression-format zstd --digestfile "$HUSK_TMP/digest" husk-test/busybox "$NS/bb:zstd"
    [ "$(raw "$NS/bb:zstd" '.layers[0].mediaType')" = application/vnd.oci.image.layer.v1.tar+zstd ]
    [ "$(cat "$HUSK_TMP/digest")" = "$(digest_of "$NS/bb:zstd")" ]
    run husk2 pull -q "${CREDS[@]}" "${TLS[@]}" "$NS/bb:zstd"
    [ "$status" -eq 0 ]
    [ "$output" = "$BB_ID" ]
    # A zstd layer pushed again without --compression-format stays zstd.
    run husk2 push -q "${CREDS[@]}" "${TLS[@]}" --digestfile "$HUSK_TMP/again" "$NS/bb:zstd" "$NS/bb:again"
    [ "$status" -eq 0 ]
    [ "$(cat "$HUSK_TMP/again")" = "$(cat "$HUSK_TMP/digest")" ]
    # A stored blob sent as it is goes in chunks of 64 KiB (the layer is
    # about 1 MB: PATCHes with Content-Range), to the other registry,
    # where nothing can be mounted.
    plain=$HUSK_REG_PLAIN/push$(id -u)-$BATS_TEST_NUMBER-$RANDOM/bb:chunks
    HUSK_REGISTRY_CHUNK_SIZE=65536 run husk2 push -q --tls-verify=false "$NS/bb:zstd" "$plain"
    [ "$status" -eq 0 ] || { echo "$output"; false; }
    run_husk 0 pull -q --tls-verify=false "$plain"
    [ "$output" = "$BB_ID" ]
}

@test "a pulled image keeps its manifest digest; blobs are mounted from the repository it came from" {
    src=$HUSK_REG_TLS/library/busybox:latest
    run husk2 pull -q "${CREDS[@]}" "${TLS[@]}" "$src"
    [ "$status" -eq 0 ]
    run husk2 --log-level info push "${CREDS[@]}" "${TLS[@]}" --digestfile "$HUSK_TMP/digest" \
        "$src" "$NS/copy:1"
    [ "$status" -eq 0 ]
    [[ "$output" == *"mounted from $HUSK_REG_TLS/library/busybox"* ]]
    [[ "$output" == *"Copying blob "*" skipped: already exists"* ]]
    [[ "$output" != *"Copying blob "*" done"* ]]
    [ "$(cat "$HUSK_TMP/digest")" = "$(digest_of "$src")" ]
}

@test "plain HTTP with --tls-verify=false" {
    run_husk 0 push --tls-verify=false -q husk-test/busybox "$HUSK_REG_PLAIN/push$(id -u)/bb:plain"
    run husk2 pull -q --tls-verify=false "$HUSK_REG_PLAIN/push$(id -u)/bb:plain"
    [ "$status" -eq 0 ]
    [ "$output" = "$BB_ID" ]
}

@test "a wrong password fails with login failed and leaves the store as it was" {
    before=$(husk images -a --digests --no-trunc; ls -A "$HUSK_ROOT"/storage/*/layers)
    run_husk 125 push --creds "$HUSK_REG_USER:wrong" "${TLS[@]}" --compression-format zstd \
        husk-test/busybox "$NS/bb:w"
    [[ "$output" == *"login to $HUSK_REG_TLS failed"* ]]
    after=$(husk images -a --digests --no-trunc; ls -A "$HUSK_ROOT"/storage/*/layers)
    [ "$before" = "$after" ]
    [ -z "$(ls -A "$HUSK_ROOT"/storage/*/tmp 2>/dev/null)" ]
    run_husk 125 push "${TLS[@]}" husk-test/busybox "$NS/bb:w"
    [[ "$output" == *"authentication required"* ]]
}

@test "TLS without the CA names the host and --tls-verify" {
    run_husk 125 push "${CREDS[@]}" --cert-dir "$BATS_TEST_TMPDIR" husk-test/busybox "$NS/bb:tls"
    [[ "$output" == *"$HUSK_REG_TLS"* ]]
    [[ "$output" == *"--tls-verify"* ]]
}

@test "bad input: a missing image, other transports, signing, too many arguments" {
    run_husk 125 push "${CREDS[@]}" nosuchimage "$NS/x:1"
    [[ "$output" == *"nosuchimage: image not known"* ]]
    run_husk 125 push husk-test/busybox oci:"$HUSK_TMP/layout"
    [[ "$output" == *"the oci transport is not supported"* ]]
    [ ! -e "$HUSK_TMP/layout" ]
    run_husk 125 push husk-test/busybox "$NS/x@sha256:$BB_ID"
    [[ "$output" == *"push to a tag"* ]]
    run_husk 125 push --sign-by me husk-test/busybox "$NS/x:1"
    [[ "$output" == *"does not sign"* ]]
    run_husk 125 push --compression-format xz husk-test/busybox "$NS/x:1"
    [[ "$output" == *"unsupported compression format"* ]]
    run_husk 125 push husk-test/busybox a b
    [[ "$output" == *"accepts between 1 and 2 arg(s)"* ]]
}

# podman on a private store of its own (vfs: nothing to mount but files).
podman_() {
    podman --root "$HUSK_TMP/proot" --runroot "$HUSK_TMP/prun" --storage-driver vfs "$@"
}

@test "interoperability: podman pulls what husk pushed, husk pulls what podman pushed, digests kept" {
    command -v podman >/dev/null || skip "podman is not installed"
    run_husk 0 push -q "${CREDS[@]}" "${TLS[@]}" --digestfile "$HUSK_TMP/d1" husk-test/busybox "$NS/bb:husk"
    run podman_ pull -q "${CREDS[@]}" "${TLS[@]}" "$NS/bb:husk"
    [ "$status" -eq 0 ] || { echo "$output"; false; }
    [ "$(podman_ image inspect --format '{{.Digest}}' "$NS/bb:husk")" = "$(cat "$HUSK_TMP/d1")" ]
    [ "$(podman_ image inspect --format '{{.ID}}' "$NS/bb:husk")" = "$BB_ID" ]
    run podman_ push -q "${CREDS[@]}" "${TLS[@]}" --digestfile "$HUSK_TMP/d2" "$NS/bb:husk" "docker://$NS/bb:podman"
    [ "$status" -eq 0 ] || { echo "$output"; false; }
    run husk2 pull -q "${CREDS[@]}" "${TLS[@]}" "$NS/bb:podman"
    [ "$status" -eq 0 ]
    [ "$output" = "$BB_ID" ]
    run husk2 image inspect --format '{{.Digest}}' "$NS/bb:podman"
    [ "$output" = "$(cat "$HUSK_TMP/d2")" ]
    podman_ rmi -a -f >/dev/null 2>&1 || true
}

@test "a three-layer image: layers compressed in threads land in order, the same each push" {
    LY_ID=$(awk '$1 == "layers" {print $2}' "$HUSK_IMAGES/DIGESTS")
    run_husk load -q -i "$HUSK_IMAGES/layers.docker.tar"
    run_husk 0 push -q "${CREDS[@]}" "${TLS[@]}" husk-test/layers "$NS/ly:1"
    [ "$(raw "$NS/ly:1" '.layers | length')" = 3 ]
    # Order kept: the pull checks each blob against the config's diff IDs
    # in turn, and the image ID is the config's.
    run husk2 pull -q "${CREDS[@]}" "${TLS[@]}" "$NS/ly:1"
    [ "$status" -eq 0 ]
    [ "$output" = "$LY_ID" ]
    # Compression is deterministic however the threads ran: pushed again,
    # every blob is already there.
    run_husk 0 push "${CREDS[@]}" "${TLS[@]}" husk-test/layers "$NS/ly:2"
    [ "$(grep -c 'Copying blob .* skipped: already exists' <<<"$output")" = 3 ]
    [ "$(digest_of "$NS/ly:1")" = "$(digest_of "$NS/ly:2")" ]
}

@test "layers compressed as they upload keep their digests; a second push compresses none (the digest cache)" {
    LY_ID=$(awk '$1 == "layers" {print $2}' "$HUSK_IMAGES/DIGESTS")
    run_husk load -q -i "$HUSK_IMAGES/layers.docker.tar"
    # The loaded layers are stored uncompressed: each is compressed for the
    # push, at least one of them streamed into its upload as it compresses.
    run_husk 0 --log-level debug push "${CREDS[@]}" "${TLS[@]}" husk-test/layers "$NS/ly:1"
    [ "$(grep -c 'Copying blob .* done' <<<"$output")" = 3 ]
    # Which of the three the worker thread takes depends on timing; a
    # single layer has no worker beside it and is always streamed.
    run_husk load -q -i "$HUSK_IMAGES/busybox.docker.tar"
    run_husk 0 --log-level debug push "${CREDS[@]}" "${TLS[@]}" husk-test/busybox "$NS/bbs:1"
    [[ "$output" == *"compressing while uploading"* ]]
    # The registry checked each digest at the PUT; podman pulls it back to
    # the same image (every layer against its diff ID).
    if command -v podman >/dev/null; then
        run podman_ pull -q "${CREDS[@]}" "${TLS[@]}" "$NS/ly:1"
        [ "$status" -eq 0 ] || { echo "$output"; false; }
        [ "$(podman_ image inspect --format '{{.ID}}' "$NS/ly:1")" = "$LY_ID" ]
        podman_ rmi -a -f >/dev/null 2>&1 || true
    fi
    # One cache entry per layer under the store (busybox's layer is one of them).
    [ "$(find "$HUSK_TMP" -path '*/cache/blob-digests/gzip-default-*' -type f | wc -l)" = 3 ]
    # Pushed again: the cache names each blob, the registry has it, and
    # nothing is compressed.
    run_husk 0 --log-level debug push "${CREDS[@]}" "${TLS[@]}" husk-test/layers "$NS/ly:2"
    [ "$(grep -c 'known from the cache and present: not compressed' <<<"$output")" = 3 ]
    [[ "$output" != *"compressing"* ]] || false
    [ "$(digest_of "$NS/ly:1")" = "$(digest_of "$NS/ly:2")" ]
    # Without the cache the layers are compressed again, to the same blobs.
    find "$HUSK_TMP" -path '*/cache/blob-digests/*' -type f -delete
    run_husk 0 --log-level debug push "${CREDS[@]}" "${TLS[@]}" husk-test/layers "$NS/ly:3"
    [[ "$output" == *"compressing"* ]]
    [ "$(digest_of "$NS/ly:1")" = "$(digest_of "$NS/ly:3")" ]
}

@test "a wrong cache entry costs a HEAD: the layer is compressed and the entry written again" {
    run_husk 0 push -q "${CREDS[@]}" "${TLS[@]}" husk-test/busybox "$NS/bb:1"
    entry=$(find "$HUSK_TMP" -path '*/cache/blob-digests/gzip-default-*' -type f)
    [ -n "$entry" ]
    good=$(cat "$entry")
    echo "sha256:$(printf '%064d' 0) 10" >"$entry"
    run_husk 0 --log-level debug push "${CREDS[@]}" "${TLS[@]}" husk-test/busybox "$NS/bb:2"
    [[ "$output" == *"compressing while uploading"* ]]
    [ "$(cat "$entry")" = "$good" ]
    [ "$(digest_of "$NS/bb:1")" = "$(digest_of "$NS/bb:2")" ]
}
