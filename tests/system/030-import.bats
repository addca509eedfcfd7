#!/usr/bin/env bats
# import: a rootfs tarball becomes a one-layer image.
load helpers

setup() {
    husk_setup_store
}

@test "import a file with a name, changes and a message" {
    run_husk import --change 'CMD ["/bin/sh"]' --change 'ENV FOO=bar' \
        --change 'LABEL team=core' --change 'WORKDIR /tmp' --message "from rootfs" \
        "$HUSK_IMAGES/rootfs.tar" imported
    id=$output
    [[ "$id" =~ ^[0-9a-f]{64}$ ]]
    run_husk image inspect --format '{{.Id}} {{json .Config.Cmd}} {{index .Config.Env 0}} {{.Config.Labels.team}} {{.Config.WorkingDir}}' imported
    assert_output_is "$id [\"/bin/sh\"] FOO=bar core /tmp"
    run_husk images --format '{{.Repository}}:{{.Tag}}'
    assert_output_is "localhost/imported:latest"
    run_husk history --format '{{.Comment}}' imported
    assert_output_is "from rootfs"
    # The layer's diff ID is the tarball's digest.
    run_husk image inspect --format '{{index .RootFS.Layers 0}}' imported
    assert_output_is "sha256:$(sha256sum "$HUSK_IMAGES/rootfs.tar" | cut -d' ' -f1)"
}

@test "import from standard input, compressed, without a name" {
    gzip -c "$HUSK_IMAGES/rootfs.tar" > "$HUSK_TMP/rootfs.tar.gz"
    run bash -c "'$HUSK_BIN' --root '$HUSK_ROOT' --runroot '$HUSK_RUNROOT' import - < '$HUSK_TMP/rootfs.tar.gz'"
    [ "$status" -eq 0 ]
    run_husk images --format '{{.Repository}}:{{.Tag}}'
    assert_output_is "<none>:<none>"
    run_husk images --filter dangling=true -q
    [ -n "$output" ]
}

@test "import refuses an unknown --change instruction before doing anything" {
    run_husk 125 import --change 'FROBNICATE x' "$HUSK_IMAGES/rootfs.tar" bad
    assert_output_contains 'unknown instruction "FROBNICATE"'
    run_husk images -q
    assert_output_is ""
    [ -z "$(ls "$HUSK_ROOT"/storage/*/layers 2>/dev/null)" ]
}
