#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# husk pull and run's --pull against the local registries of
# tests/registry/registry.sh (started by tests/run-all.sh, whose env file
# is named by HUSK_REG_ENV; a file run alone starts its own).

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
}

teardown() {
    local p
    for p in "$BATS_TEST_TMPDIR"/*.pid; do
        [ -f "$p" ] && kill "$(cat "$p")" 2>/dev/null || true
    done
    husk_teardown_store
}

# own_registry: a plain HTTP registry of the test's own over a copy of the
# TLS registry's storage, whose blobs the test may alter; OWN is its
# host:port.
own_registry() {
    local port conf=$BATS_TEST_TMPDIR/own.yml data=$BATS_TEST_TMPDIR/own-data
    cp -r "$HUSK_REG_DIR/tls-data" "$data"
    port=$(free_port)
    printf 'version: 0.1\nlog: {level: error}\nstorage:\n  filesystem: {rootdirectory: %s}\nhttp:\n  addr: 127.0.0.1:%s\n  secret: husk-test\n' \
        "$data" "$port" >"$conf"
    docker-registry serve "$conf" >"$BATS_TEST_TMPDIR/own.log" 2>&1 3>&- &
    echo $! >"$BATS_TEST_TMPDIR/own.pid"
    OWN=127.0.0.1:$port
    for _ in $(seq 100); do
        curl -sf -o /dev/null "http://$OWN/v2/" && return 0
        sleep 0.05
    done
    cat "$BATS_TEST_TMPDIR/own.log" >&2
    false
}

# layer_digests REPO: the layer digests of REPO:latest in OWN, bottom first.
layer_digests() {
    curl -sf -H 'Accept: application/vnd.docker.distribution.manifest.v2+json' \
        "http://$OWN/v2/$1/manifests/latest" |
        python3 -c 'import json,sys; print("\n".join(l["digest"] for l in json.load(sys.stdin)["layers"]))'
}

# own_blob DIGEST: the file of blob DIGEST in OWN's storage.
own_blob() {
    local hex=${1#sha256:}
    echo "$BATS_TEST_TMPDIR/own-data/docker/registry/v2/blobs/sha256/${hex:0:2}/$hex/data"
}

# flip FILE: change one byte in the middle of FILE.
flip() {
    python3 - "$1" <<'EOF2'
import sys
b = bytearray(open(sys.argv[1], 'rb').read())
b[len(b) // 2] ^= 0xff
open(sys.argv[1], 'wb').write(bytes(b))
EOF2
}

# blob_digests: the digest of every layer blob the store keeps, with its mode.
blob_digests() {
    local f
    for f in "$HUSK_ROOT"/storage/*/layers/*/blob; do
        echo "sha256:$(sha256sum <"$f" | cut -d' ' -f1) $(stat -c %a "$f")"
    done
}

cache_files() {
    ls "$HUSK_ROOT"/storage/*/cache/blobs/sha256/ 2>/dev/null || true
}

@test "pull by tag prints progress and the ID, records the repo digest" {
    run_husk 0 pull "${CREDS[@]}" "$HUSK_REG_TLS/library/busybox:latest"
    [[ "$output" == *"Trying to pull $HUSK_REG_TLS/library/busybox:latest..."* ]]
    [[ "$output" == *"Copying blob "*" done"* ]]
    [[ "$output" == *"Writing manifest to image destination"* ]]
    [ "${lines[-1]}" = "$BB_ID" ]
    run_husk 0 image inspect --format '{{.RepoDigests}}' "$HUSK_REG_TLS/library/busybox"
    [[ "$output" == *"$HUSK_REG_TLS/library/busybox@sha256:"* ]]
}

@test "pull by digest gives the digest skopeo reports" {
    digest=$(skopeo inspect --cert-dir "$HUSK_REG_CERTS" --creds "$HUSK_REG_USER:$HUSK_REG_PASS" \
        --format '{{.Digest}}' "docker://$HUSK_REG_TLS/library/busybox:latest")
    run_husk 0 pull -q "${CREDS[@]}" "$HUSK_REG_TLS/library/busybox@$digest"
    [ "$output" = "$BB_ID" ]
    run_husk 0 images --digests --format '{{.Digest}}'
    [[ "$output" == *"$digest"* ]]
    # NAME@DIGEST names the image, in full or familiar form; another digest none.
    run_husk 0 images -q --no-trunc "$HUSK_REG_TLS/library/busybox@$digest"
    assert_output_is "sha256:$BB_ID"
    run_husk 0 images -q --filter "reference=busybox@$digest"
    [ -n "$output" ]
    run_husk 0 images -q "$HUSK_REG_TLS/library/busybox@sha256:$(printf '0%.0s' {1..64})"
    assert_output_is ""
}

@test "short name through the docker.io mirror, and run pulls what it lacks" {
    export REGISTRY_AUTH_FILE=$HUSK_REG_AUTH
    run_husk 0 run --rm busybox echo pulled-and-ran
    [[ "$output" == *"Trying to pull docker.io/library/busybox:latest..."* ]]
    [[ "$output" == *pulled-and-ran* ]]
    run_husk 0 images --format '{{.Repository}}:{{.Tag}}'
    [[ "$output" == *"docker.io/library/busybox:latest"* ]]
}

@test "--pull policies: never fails on a missing image, missing does not pull again" {
    export REGISTRY_AUTH_FILE=$HUSK_REG_AUTH
    run_husk 125 run --rm --pull never busybox true
    [[ "$output" == *"image not known"* ]]
    run_husk 0 pull -q busybox
    run_husk 0 run --rm --pull missing busybox true
    [[ "$output" != *"Trying to pull"* ]]
    run_husk 0 run --rm --pull always busybox true
    [[ "$output" == *"Trying to pull"* ]]
    run_husk 0 pull --policy newer busybox
    [[ "$output" != *"Copying blob"* ]]
}

@test "run and create pull with --authfile, --tls-verify, --platform, --retry and --retry-delay" {
    run_husk 125 run --rm "$HUSK_REG_TLS/library/busybox" true
    [[ "$output" == *"authentication required"* ]]
    run_husk 0 run --rm --authfile "$HUSK_REG_AUTH" --retry 1 --retry-delay 500ms \
        "$HUSK_REG_TLS/library/busybox" echo via-authfile
    [[ "$output" == *via-authfile* ]]
    # --tls-verify overrides registries.conf both ways (the plain HTTP
    # registry is insecure there).
    run_husk 125 create --tls-verify --name plain "$HUSK_REG_PLAIN/library/busybox" true
    assert_output_contains "--tls-verify"
    run_husk 0 create --tls-verify=false --name plain "$HUSK_REG_PLAIN/library/busybox" true
    run_husk 0 inspect --format '{{.Image}}' plain
    assert_output_is "$BB_ID"
    # --platform picks from an index; with --arch or --os it is refused.
    run_husk 0 create --authfile "$HUSK_REG_AUTH" --platform linux/arm64/v8 --name arm \
        "$HUSK_REG_TLS/library/multi" true
    run_husk 0 inspect --format '{{.Image}}' arm
    assert_output_is "$LAYERS_ID"
    run_husk 125 create --authfile "$HUSK_REG_AUTH" --platform linux/arm64 --arch arm64 \
        "$HUSK_REG_TLS/library/multi" true
    assert_output_contains "--platform option can not be specified with --arch or --os"
    run_husk 125 create --authfile "$HUSK_REG_AUTH" --arch s390x "$HUSK_REG_TLS/library/multi" true
    assert_output_contains "s390x"
    # A local image of another platform is not the one asked for.
    run_husk 125 create --pull never --arch s390x "$HUSK_REG_TLS/library/multi" true
    assert_output_contains "image not known"
    # Bad values fail before anything is pulled or made.
    run_husk 125 run --rm --retry-delay 5x "$HUSK_REG_TLS/library/busybox" true
    assert_output_contains 'invalid --retry-delay "5x"'
    run_husk 125 run --rm --platform linux "$HUSK_REG_TLS/library/busybox" true
    assert_output_contains 'invalid platform "linux"'
    run_husk 0 ps -a --format '{{.Names}}'
    [ "$(echo "$output" | sort | tr '\n' ' ')" = "arm plain " ]
}

@test "a wrong password says login failed; --authfile works" {
    run_husk 125 pull --creds "$HUSK_REG_USER:wrong" "$HUSK_REG_TLS/library/busybox"
    [[ "$output" == *"login to $HUSK_REG_TLS failed"* ]]
    run_husk 125 pull "$HUSK_REG_TLS/library/busybox"
    [[ "$output" == *"authentication required"* ]]
    run_husk 0 pull -q --authfile "$HUSK_REG_AUTH" "$HUSK_REG_TLS/library/busybox"
    [ "$output" = "$BB_ID" ]
}

@test "TLS without the CA names --tls-verify; --tls-verify=false reaches plain HTTP" {
    run_husk 125 pull "${CREDS[@]}" --cert-dir "$BATS_TEST_TMPDIR" "$HUSK_REG_TLS/library/busybox"
    [[ "$output" == *"$HUSK_REG_TLS"* ]]
    [[ "$output" == *"--tls-verify"* ]]
    run_husk 0 pull -q --tls-verify=false "$HUSK_REG_PLAIN/library/busybox"
    [ "$output" = "$BB_ID" ]
    # The switch counts wherever it stands, first argument included.
    run_husk 0 rmi -a -f
    run_husk 0 pull --tls-verify=false -q "$HUSK_REG_PLAIN/library/busybox"
    [ "$output" = "$BB_ID" ]
}

@test "rootless: ~/.config/containers/certs.d/HOST comes before /etc/containers/certs.d" {
    skip_if_root "the user's certs.d is read for a plain user only"
    local home=$BATS_TEST_TMPDIR/home
    local d=$home/.config/containers/certs.d/$HUSK_REG_TLS
    mkdir -p "$d"
    openssl req -x509 -newkey rsa:2048 -nodes -subj /CN=other-ca -days 1 \
        -keyout "$BATS_TEST_TMPDIR/other.key" -out "$d/ca.crt" 2>/dev/null
    # another CA in the user's directory: the registry's is not trusted
    HOME=$home run_husk 125 pull "${CREDS[@]}" "$HUSK_REG_TLS/library/busybox"
    assert_output_contains "TLS"
    cp "$HUSK_REG_CERTS/ca.crt" "$d/ca.crt"
    HOME=$home run_husk 0 pull -q "${CREDS[@]}" "$HUSK_REG_TLS/library/busybox"
    [ "$output" = "$BB_ID" ]
}

@test "an unknown tag names the reference" {
    run_husk 125 pull "${CREDS[@]}" "$HUSK_REG_TLS/library/busybox:nosuchtag"
    [[ "$output" == *"manifest nosuchtag in $HUSK_REG_TLS/library/busybox"* ]]
}

@test "a blob whose digest differs fails and keeps nothing" {
    run_husk 125 pull --tls-verify=false "$HUSK_REG_BAD/library/busybox"
    [[ "$output" == *"digest mismatch"* ]]
    run_husk 0 images -q
    [ -z "$output" ]
    [ -z "$(ls -A "$HUSK_ROOT"/storage/*/layers 2>/dev/null)" ]
    [ -z "$(ls -A "$HUSK_ROOT"/storage/*/tmp 2>/dev/null)" ]
}

@test "platform selection from an index" {
    run_husk 0 pull -q "${CREDS[@]}" "$HUSK_REG_TLS/library/multi"
    [ "$output" = "$BB_ID" ]
    run_husk 0 pull -q "${CREDS[@]}" --platform linux/arm64/v8 "$HUSK_REG_TLS/library/multi"
    [ "$output" = "$LAYERS_ID" ]
    run_husk 125 pull "${CREDS[@]}" --arch s390x "$HUSK_REG_TLS/library/multi"
    [[ "$output" == *"s390x"* ]]
}

@test "a second image sharing a layer skips it" {
    run_husk 0 pull -q "${CREDS[@]}" "$HUSK_REG_TLS/library/busybox"
    run_husk 0 pull "${CREDS[@]}" "$HUSK_REG_TLS/library/layers"
    [[ "$output" == *"skipped: already exists"* ]]
    [ "${lines[-1]}" = "$LAYERS_ID" ]
}

@test "a present image costs the manifest only: nothing copied or recorded, the tag moved back" {
    run_husk 0 pull -q "${CREDS[@]}" "$HUSK_REG_TLS/library/busybox:latest"
    run_husk 0 --log-level debug pull "${CREDS[@]}" "$HUSK_REG_TLS/library/busybox:latest"
    [[ "$output" == *"nothing to copy"* ]]
    [[ "$output" == *"Copying blob "*" skipped: already exists"* ]]
    [ "${lines[-1]}" = "$BB_ID" ]
    run_husk 0 events --stream=false --filter event=pull --format '{{.Name}}'
    [ "$(grep -c "$HUSK_REG_TLS/library/busybox:latest" <<<"$output")" = 2 ]
    # Without the tag the image is not "present under that name": the pull
    # records it again.
    run_husk 0 untag "$BB_ID"
    run_husk 0 --log-level debug pull "${CREDS[@]}" "$HUSK_REG_TLS/library/busybox:latest"
    [[ "$output" != *"nothing to copy"* ]] || false
    run_husk 0 images --format '{{.Repository}}:{{.Tag}}'
    [[ "$output" == *"$HUSK_REG_TLS/library/busybox:latest"* ]]
}

@test "a static husk pulls through husk-registry, its twin with libcurl, and says so when it is missing" {
    ! readelf -l "$HUSK_BIN" | grep -q INTERP || skip "husk is one dynamic binary in this build"
    # The static binary has no HTTP code of its own: libcurl is only in the twin.
    ! grep -qa "libcurl" "$HUSK_BIN" || false
    [ -x "$(dirname "$HUSK_BIN")/husk-registry" ]
    # Without the twin next to it (nor installed), a pull fails naming it,
    # and a run of a local image never needs it.
    run_husk load -q -i "$HUSK_IMAGES/busybox.docker.tar"
    mkdir -p "$HUSK_TMP/alone"
    cp "$HUSK_BIN" "$(dirname "$HUSK_BIN")/husk-monitor" "$HUSK_TMP/alone/"
    # the default bridge (rootful) is set up by husk-netconf
    [ ! -x "$(dirname "$HUSK_BIN")/husk-netconf" ] || cp "$(dirname "$HUSK_BIN")/husk-netconf" "$HUSK_TMP/alone/"
    run "$HUSK_TMP/alone/husk" --root "$HUSK_ROOT" --runroot "$HUSK_RUNROOT" \
        pull "${CREDS[@]}" "$HUSK_REG_TLS/library/busybox:latest"
    [ "$status" -eq 125 ]
    [[ "$output" == *"pulls through husk-registry, which it could not run"* ]]
    run "$HUSK_TMP/alone/husk" --root "$HUSK_ROOT" --runroot "$HUSK_RUNROOT" \
        run --rm husk-test/busybox echo local
    [ "$status" -eq 0 ]
    [ "$output" = "local" ]
}

@test "credential helpers: credHelpers for its registry, credsStore for the rest" {
    PATH="$BATS_TEST_DIRNAME/../registry:$PATH"
    export HUSK_CRED_FILE=$BATS_TEST_TMPDIR/keychain
    local auth=$BATS_TEST_TMPDIR/auth.json
    echo "$HUSK_REG_TLS $HUSK_REG_USER $HUSK_REG_PASS" > "$HUSK_CRED_FILE"
    printf '{"auths": {}, "credHelpers": {"%s": "husk-test"}}\n' "$HUSK_REG_TLS" > "$auth"
    run_husk 0 pull -q --authfile "$auth" "$HUSK_REG_TLS/library/busybox"
    [ "$output" = "$BB_ID" ]
    run_husk 0 rmi -a -f
    printf '{"credsStore": "husk-test"}\n' > "$auth"
    run_husk 0 pull -q --authfile "$auth" "$HUSK_REG_TLS/library/busybox"
    [ "$output" = "$BB_ID" ]
    run_husk 0 rmi -a -f
    # The keychain has nothing for the registry: no credentials, so no login.
    : > "$HUSK_CRED_FILE"
    run_husk 125 pull -q --authfile "$auth" "$HUSK_REG_TLS/library/busybox"
    assert_output_contains "$HUSK_REG_TLS"
    # A helper that is not installed is named.
    printf '{"credsStore": "husk-none"}\n' > "$auth"
    run_husk 125 pull -q --authfile "$auth" "$HUSK_REG_TLS/library/busybox"
    assert_output_contains "docker-credential-husk-none"
    printf '{"credsStore": "../bin/sh"}\n' > "$auth"
    run_husk 125 pull -q --authfile "$auth" "$HUSK_REG_TLS/library/busybox"
    assert_output_contains "invalid credential helper name"
    run_husk 0 images -q
    assert_output_is ""
}

@test "policy.json: reject refuses, a more specific scope accepts, signatures are refused as unverifiable" {
    local pol=$BATS_TEST_TMPDIR/policy.json
    printf '{"default": [{"type": "reject"}], "transports": {"docker": {"%s/library": [{"type": "insecureAcceptAnything"}]}}}\n' \
        "$HUSK_REG_TLS" > "$pol"
    run_husk 0 pull -q "${CREDS[@]}" --signature-policy "$pol" "$HUSK_REG_TLS/library/busybox"
    [ "$output" = "$BB_ID" ]
    run_husk 125 pull -q "${CREDS[@]}" --signature-policy "$pol" "$HUSK_REG_TLS/other/busybox"
    assert_output_contains "docker://$HUSK_REG_TLS/other/busybox:latest is rejected by policy"
    printf '{"default": [{"type": "signedBy", "keyType": "GPGKeys", "keyPath": "/k.gpg"}]}\n' > "$pol"
    run_husk 125 pull -q "${CREDS[@]}" --signature-policy "$pol" "$HUSK_REG_TLS/library/busybox:latest"
    assert_output_contains "requires signedBy signatures, which husk cannot verify yet"
    # the user's own policy.json comes before the system's
    mkdir -p "$BATS_TEST_TMPDIR/cfg/containers"
    echo '{"default": [{"type": "reject"}]}' > "$BATS_TEST_TMPDIR/cfg/containers/policy.json"
    XDG_CONFIG_HOME=$BATS_TEST_TMPDIR/cfg run_husk 125 pull -q "${CREDS[@]}" "$HUSK_REG_TLS/library/busybox:1"
    assert_output_contains "rejected by policy"
    run_husk 0 images -q --no-trunc
    assert_output_is "sha256:$BB_ID"
}

@test "an interrupted pull keeps its finished layers: the next pull takes them from the download cache" {
    own_registry
    mapfile -t lay < <(layer_digests library/layers)
    [ "${#lay[@]}" = 3 ]
    local last; last=$(own_blob "${lay[2]}")
    cp "$last" "$BATS_TEST_TMPDIR/good-blob"
    flip "$last"
    # The top layer does not verify: the pull fails after the others finished.
    run_husk 125 pull --tls-verify=false "$OWN/library/layers"
    assert_output_contains "digest mismatch"
    run_husk 0 images -q
    assert_output_is ""
    [ -z "$(ls -A "$HUSK_ROOT"/storage/*/layers 2>/dev/null)" ]
    # Only the two layers that verified are kept, and nothing of them shows.
    run cache_files
    [ "$(sort <<<"$output")" = "$(printf '%s\n' "${lay[0]#sha256:}" "${lay[1]#sha256:}" | sort)" ]
    run_husk 0 system df --format '{{.Type}} {{.Total}} {{.Size}}'
    assert_output_contains "Images 0 0 B"
    # Repaired: the pull reads those two from the cache, downloads the third.
    cp "$BATS_TEST_TMPDIR/good-blob" "$last"
    run_husk 0 --log-level debug pull --tls-verify=false "$OWN/library/layers"
    assert_output_contains "layer blob ${lay[0]}: taken from the download cache"
    assert_output_contains "layer blob ${lay[1]}: taken from the download cache"
    [[ "$output" != *"layer blob ${lay[2]}: taken from the download cache"* ]] || false
    [ "${lines[-1]}" = "$LAYERS_ID" ]
    # A recorded image leaves nothing in the cache.
    run cache_files
    assert_output_is ""
    # Each layer keeps the very blob served, whether it came from the cache
    # or was linked in from its download.
    run blob_digests
    assert_equal "$(sort <<<"$output")" "$(printf '%s 644\n' "${lay[@]}" | sort)"
    run_husk 0 run --rm "$OWN/library/layers" true
}

@test "a damaged download-cache file is deleted and the blob downloaded again" {
    own_registry
    mapfile -t lay < <(layer_digests library/layers)
    local last; last=$(own_blob "${lay[2]}")
    cp "$last" "$BATS_TEST_TMPDIR/good-blob"
    flip "$last"
    run_husk 125 pull --tls-verify=false "$OWN/library/layers"
    local d0 d1
    d0=$(echo "$HUSK_ROOT"/storage/*/cache/blobs/sha256/"${lay[0]#sha256:}")
    d1=$(echo "$HUSK_ROOT"/storage/*/cache/blobs/sha256/"${lay[1]#sha256:}")
    [ -f "$d0" ] && [ -f "$d1" ]
    # one cut short (as by a crash), one with other bytes of the same size
    truncate -s 100 "$d0"
    flip "$d1"
    cp "$BATS_TEST_TMPDIR/good-blob" "$last"
    run_husk 0 --log-level debug pull --tls-verify=false "$OWN/library/layers"
    assert_output_contains "download cache: blob ${lay[0]} is damaged"
    assert_output_contains "download cache: blob ${lay[1]} is damaged"
    [[ "$output" != *"taken from the download cache"* ]] || false
    [ "${lines[-1]}" = "$LAYERS_ID" ]
    run cache_files
    assert_output_is ""
}

@test "a registry that closes the connection mid-blob is retried, then the pull fails naming the blob" {
    own_registry
    mapfile -t lay < <(layer_digests library/layers)
    local port; port=$(free_port)
    python3 "$BATS_TEST_DIRNAME/../registry/cut-proxy.py" "$port" "$OWN" "${lay[2]}" \
        "$BATS_TEST_TMPDIR/cuts" >"$BATS_TEST_TMPDIR/proxy.out" 2>&1 3>&- &
    echo $! >"$BATS_TEST_TMPDIR/proxy.pid"
    for _ in $(seq 100); do grep -q ready "$BATS_TEST_TMPDIR/proxy.out" && break; sleep 0.05; done
    run_husk 125 pull --tls-verify=false --retry 2 --retry-delay 1s "127.0.0.1:$port/library/layers"
    assert_output_contains "reading blob ${lay[2]} in 127.0.0.1:$port"
    assert_output_contains "after 2 retries"
    # the first attempt and two resumed where the data stopped
    [ "$(wc -l <"$BATS_TEST_TMPDIR/cuts")" = 3 ]
    [ "$(grep -c '^bytes=' "$BATS_TEST_TMPDIR/cuts")" = 2 ]
    run_husk 0 images -q
    assert_output_is ""
    [ -z "$(ls -A "$HUSK_ROOT"/storage/*/layers 2>/dev/null)" ]
    [ -z "$(ls -A "$HUSK_ROOT"/storage/*/tmp 2>/dev/null)" ]
    # nothing but the cache: the two layers that finished
    run cache_files
    [ "$(wc -l <<<"$output")" = 2 ]
    # which system reset removes with the rest
    run_husk 0 system reset --force
    run cache_files
    assert_output_is ""
}
