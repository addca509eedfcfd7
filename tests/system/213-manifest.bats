#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# husk manifest (local lists, push, remote inspect and add) and pull
# --all-tags against the registries of tests/registry/registry.sh (one
# shared instance under tests/run-all.sh; a file run alone starts its
# own).  Each test pushes to repositories of its own, so the root and
# rootless passes can share one registry.

load helpers

setup_file() {
    registry_setup_file
}

teardown_file() {
    registry_teardown_file
}

setup() {
    registry_setup
    LAYERS_ID=$(awk '$1 == "layers" {print $2}' "$HUSK_IMAGES/DIGESTS")
    NS=$HUSK_REG_TLS/manifest$(id -u)-$BATS_TEST_NUMBER-$RANDOM
    run_husk load -q -i "$HUSK_IMAGES/busybox.docker.tar"
    run_husk load -q -i "$HUSK_IMAGES/layers.docker.tar"
}

raw() {
    skopeo inspect --cert-dir "$HUSK_REG_CERTS" --creds "$HUSK_REG_USER:$HUSK_REG_PASS" \
        --raw "docker://$1" | jq -r "$2"
}

# The digest of an entry of a local list, by position.
entry() {
    husk manifest inspect "$1" | jq -r ".manifests[$2].digest"
}

@test "create, inspect, annotate, remove, exists and rm a local list" {
    run_husk 0 manifest create ml husk-test/busybox husk-test/layers
    id=$output
    [[ "$id" =~ ^[0-9a-f]{64}$ ]]
    run_husk 0 manifest inspect ml
    [ "$(jq -r .mediaType <<<"$output")" = application/vnd.oci.image.index.v1+json ]
    [ "$(jq '.manifests | length' <<<"$output")" = 2 ]
    [ "$(jq -r '[.manifests[].platform | .os + "/" + .architecture] | join(",")' <<<"$output")" = linux/amd64,linux/amd64 ]
    # The list is an image of the store.
    run_husk 0 images --format '{{.Repository}}'
    [[ "$output" == *localhost/ml* ]]
    run_husk 0 manifest exists ml
    run_husk 1 manifest exists nosuchlist

    # Annotate an entry by digest, another by the local image it is.
    run_husk 0 manifest annotate --arch arm64 --variant v8 --annotation k=v ml "$(entry ml 0)"
    [ "$output" = "$id" ]
    run_husk 0 manifest annotate --os-features f1 ml husk-test/layers
    run_husk 0 manifest annotate --index --annotation top=1 ml
    run_husk 0 manifest inspect ml
    [ "$(jq -r '.manifests[0].platform | .architecture + "/" + .variant' <<<"$output")" = arm64/v8 ]
    [ "$(jq -r '.manifests[0].annotations.k' <<<"$output")" = v ]
    [ "$(jq -r '.manifests[1].platform."os.features"[0]' <<<"$output")" = f1 ]
    [ "$(jq -r '.annotations.top' <<<"$output")" = 1 ]

    run_husk 0 manifest remove ml "$(entry ml 1)"
    run_husk 0 manifest inspect ml
    [ "$(jq '.manifests | length' <<<"$output")" = 1 ]

    run_husk 0 manifest rm ml
    assert_output_is "Untagged: localhost/ml:latest
Deleted: $id"
    run_husk 1 manifest exists ml
    # The images stay.
    run_husk 0 image exists husk-test/busybox
}

@test "bad input fails with 125 and a clear error" {
    run_husk 0 manifest create ml husk-test/busybox
    run_husk 125 manifest create ml
    [[ "$output" == *"already in use"* ]]
    run_husk 0 manifest create --amend ml husk-test/layers
    [ "$(husk manifest inspect ml | jq '.manifests | length')" = 2 ]
    run_husk 125 manifest add nosuchlist husk-test/busybox
    [[ "$output" == *"nosuchlist: image not known"* ]]
    run_husk 125 manifest add ml "not an/image"
    [[ "$output" == *"adding not an/image"* ]]
    run_husk 125 manifest annotate --arch arm ml sha256:0000000000000000000000000000000000000000000000000000000000000000
    [[ "$output" == *"no instance matching digest"* ]]
    run_husk 125 manifest remove ml sha256:0000000000000000000000000000000000000000000000000000000000000000
    [[ "$output" == *"no instance matching digest"* ]]
    run_husk 125 manifest annotate ml husk-test/busybox --annotation novalue
    [[ "$output" == *"KEY=VALUE"* ]]
    # An image that is no list is not one.
    run_husk 125 manifest add husk-test/busybox husk-test/layers
    [[ "$output" == *"not a manifest list"* ]]
    run_husk 1 manifest exists husk-test/busybox
    # A list has no file system to run.
    run_husk 125 create ml true
    [[ "$output" == *"localhost/ml:latest is a manifest list"* ]]
    run_husk 125 manifest rm nosuchlist
    run_husk 0 manifest rm --ignore nosuchlist ml
    run_husk 125 manifest push "${TLS[@]}" nosuchlist "docker://$NS/x:v1"
    [[ "$output" == *"nosuchlist: image not known"* ]]
}

@test "push a list: an OCI index of the pushed images; a fresh store pulls each platform" {
    run_husk 0 manifest create ml husk-test/busybox husk-test/layers
    run_husk 0 manifest annotate --arch arm64 --variant v8 ml husk-test/layers
    run_husk 0 manifest push "${CREDS[@]}" "${TLS[@]}" --digestfile "$HUSK_TMP/digest" ml \
        "docker://$NS/list:v1"
    [[ "$output" == *"Writing manifest list to image destination"* ]]
    [ "$(raw "$NS/list:v1" .mediaType)" = application/vnd.oci.image.index.v1+json ]
    [ "$(raw "$NS/list:v1" '.manifests | length')" = 2 ]
    [ "$(raw "$NS/list:v1" '.manifests[1].platform | .architecture + "/" + .variant')" = arm64/v8 ]
    # Every entry is in the repository.
    d0=$(raw "$NS/list:v1" '.manifests[0].digest')
    [ "$(raw "$NS/list@$d0" .config.digest)" = "sha256:$BB_ID" ]
    # The digest file holds the index's digest.
    digest=$(cat "$HUSK_TMP/digest")
    [ "sha256:$(skopeo inspect --cert-dir "$HUSK_REG_CERTS" --creds "$HUSK_REG_USER:$HUSK_REG_PASS" \
        --raw "docker://$NS/list:v1" | sha256sum | cut -d' ' -f1)" = "$digest" ]

    husk_setup_store
    run_husk 0 pull -q "${CREDS[@]}" "${TLS[@]}" --platform linux/arm64/v8 "$NS/list:v1"
    [ "$output" = "$LAYERS_ID" ]
    run_husk 0 pull -q "${CREDS[@]}" "${TLS[@]}" "$NS/list:v1"
    [ "$output" = "$BB_ID" ]
    # The list's digest is a repository digest of what it led to.
    run_husk 0 image inspect --format '{{.RepoDigests}}' "$BB_ID"
    [[ "$output" == *"$NS/list@$digest"* ]]
}

@test "push --format v2s2 makes a Docker manifest list; --rm removes the local list" {
    run_husk 0 manifest create ml husk-test/busybox
    run_husk 0 manifest push -q --format v2s2 --rm "${CREDS[@]}" "${TLS[@]}" ml "$NS/list:v2"
    [ "$(raw "$NS/list:v2" .mediaType)" = application/vnd.docker.distribution.manifest.list.v2+json ]
    [ "$(raw "$NS/list:v2" '.manifests[0].mediaType')" = application/vnd.docker.distribution.manifest.v2+json ]
    run_husk 1 manifest exists ml
}

@test "push to a registry that refuses fails with 125" {
    run_husk 0 manifest create ml husk-test/busybox
    run_husk 125 manifest push --creds "$HUSK_REG_USER:wrong" "${TLS[@]}" ml "$NS/list:v1"
    [[ "$output" == *"login to $HUSK_REG_TLS failed"* ]]
    run_husk 125 manifest push "${CREDS[@]}" "${TLS[@]}" ml "$NS/list@sha256:$BB_ID"
    [[ "$output" == *"push to a tag"* ]]
}

@test "remote lists: inspect, add one platform or --all, push with entries mounted from their repository" {
    printf '{"auths":{"%s":{"auth":"%s"}}}' "$HUSK_REG_TLS" \
        "$(printf '%s:%s' "$HUSK_REG_USER" "$HUSK_REG_PASS" | base64 -w0)" >"$HUSK_TMP/auth.json"
    run_husk 0 manifest inspect --authfile "$HUSK_TMP/auth.json" --tls-verify=false \
        "$HUSK_REG_TLS/library/multi"
    [ "$(jq '.manifests | length' <<<"$output")" = 2 ]
    run_husk 125 manifest inspect --tls-verify=false "$HUSK_REG_PLAIN/library/nosuchrepo"

    run_husk 0 manifest create ml
    run_husk 0 manifest add "${CREDS[@]}" "${TLS[@]}" ml "docker://$HUSK_REG_TLS/library/multi"
    [ "$(husk manifest inspect ml | jq -r '[.manifests[].platform.architecture] | join(",")')" = amd64 ]
    run_husk 0 manifest add --all "${CREDS[@]}" "${TLS[@]}" ml "docker://$HUSK_REG_TLS/library/multi"
    [ "$(husk manifest inspect ml | jq '.manifests | length')" = 2 ]
    run_husk 0 manifest push "${CREDS[@]}" "${TLS[@]}" ml "$NS/copy:v1"
    [ "$(raw "$NS/copy:v1" '.manifests | length')" = 2 ]
    d1=$(raw "$NS/copy:v1" '.manifests[1].digest')
    [ "$(raw "$NS/copy@$d1" .schemaVersion)" = 2 ]
}

@test "pull --all-tags pulls every tag of a repository" {
    run_husk 0 push -q "${CREDS[@]}" "${TLS[@]}" husk-test/busybox "$NS/tags:a"
    run_husk 0 push -q "${CREDS[@]}" "${TLS[@]}" husk-test/layers "$NS/tags:b"
    husk_setup_store
    run_husk 0 pull -q -a "${CREDS[@]}" "${TLS[@]}" "$NS/tags"
    [ "${#lines[@]}" = 2 ]
    run_husk 0 images --format '{{.Repository}}:{{.Tag}} {{.ID}}'
    [[ "$output" == *"$NS/tags:a ${BB_ID:0:12}"* ]]
    [[ "$output" == *"$NS/tags:b ${LAYERS_ID:0:12}"* ]]
    run_husk 125 pull -a "${CREDS[@]}" "${TLS[@]}" "$NS/tags:a"
    [[ "$output" == *"tag can't be used with --all-tags"* ]]
}
