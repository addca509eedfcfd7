#!/usr/bin/env bats
# Secrets: secret create, ls, inspect, rm, exists, and --secret for run and
# create (a file under /run/secrets, or an environment variable).
load helpers

setup() {
    container_setup
}

teardown() {
    container_teardown
}

# The data file of the secret whose name or ID is $1.
data_file() {
    echo "$HUSK_ROOT/secrets/$(husk secret inspect --format '{{.ID}}' "$1")"
}

# ---- create, ls, inspect, exists, rm ---------------------------------------------

@test "secret create from a file prints a 25-hex ID; the data is a 0600 file, never in inspect" {
    printf 'hunter2' > "$HUSK_TMP/pw"
    run_husk secret create --label app=db dbpass "$HUSK_TMP/pw"
    [[ "$output" =~ ^[0-9a-f]{25}$ ]]
    id=$output
    [ "$(stat -c %a "$HUSK_ROOT/secrets")" = 700 ]
    [ "$(stat -c %a "$HUSK_ROOT/secrets/$id")" = 600 ]
    [ "$(cat "$HUSK_ROOT/secrets/$id")" = hunter2 ]
    run_husk secret inspect dbpass
    [[ "$output" != *hunter2* ]]
    [[ "$output" != *SecretData* ]]
    assert_equal "$(jq -r '.[0].ID' <<<"$output")" "$id"
    assert_equal "$(jq -r '.[0].Spec.Name' <<<"$output")" dbpass
    assert_equal "$(jq -r '.[0].Spec.Driver.Name' <<<"$output")" file
    assert_equal "$(jq -r '.[0].Spec.Labels.app' <<<"$output")" db
    assert_equal "$(jq -r '.[0].Spec.Driver.Options.path' <<<"$output")" "$HUSK_ROOT/secrets"
    [[ "$(jq -r '.[0].CreatedAt' <<<"$output")" =~ ^20[0-9][0-9]-[0-9][0-9]-[0-9][0-9]T ]]
    # The database holds no data.
    ! grep -a -q hunter2 "$HUSK_ROOT"/*.db
    run_husk secret inspect --showsecret --format '{{.Spec.Name}}={{.SecretData}}' dbpass
    assert_output_is "dbpass=hunter2"
    run_husk secret inspect --showsecret "${id:0:6}"
    assert_equal "$(jq -r '.[0].SecretData' <<<"$output")" hunter2
}

@test "secret create from stdin and from an env var; ls formats, filters, -q, --noheading" {
    run_husk secret create one - <<<"first"
    id1=$output
    printf 'second' | husk secret create two - >/dev/null
    TOKEN=third run_husk secret create --env three TOKEN
    run_husk secret inspect --showsecret --format '{{.SecretData}}' one
    assert_output_is "first"
    run_husk secret inspect --showsecret --format '{{.SecretData}}' three
    assert_output_is "third"
    run_husk secret ls
    [[ "${lines[0]}" =~ ^ID\ +NAME\ +DRIVER\ +CREATED\ +UPDATED$ ]]
    [ "${#lines[@]}" -eq 4 ]
    [[ "${lines[1]}" == "$id1  one "*" file "*" ago"* ]]
    run_husk secret ls --noheading --format '{{.Name}} {{.Driver}}'
    assert_output_is $'one file\ntwo file\nthree file'
    run_husk secret ls -q --filter name=^t
    [ "${#lines[@]}" -eq 2 ]
    run_husk secret ls --format '{{.Name}}' --filter "id=${id1:0:8}"
    assert_output_is "one"
    run_husk secret ls --format '{{.Name}}' --filter name=one --filter name=two
    assert_output_is $'one\ntwo'
    run_husk 125 secret ls --filter label=x
    assert_output_contains 'invalid secret filter "label=x"'
    run_husk secret ls --format json
    assert_equal "$(jq -r '.[].Spec.Name' <<<"$output" | paste -sd,)" "one,two,three"
}

@test "secret exists: 0 for a name or an ID, 1 when missing" {
    run_husk secret create pw - <<<"x"
    id=$output
    run_husk secret exists pw
    run_husk secret exists "$id"
    run_husk 1 secret exists nothere
    assert_output_is ""
}

@test "secret create --replace keeps the ID and creation time and changes the data" {
    run_husk secret create pw - <<<"old"
    id=$output
    created=$(husk secret inspect --format '{{.CreatedAt}}' pw)
    run_husk 125 secret create pw - <<<"new"
    assert_output_is "Error: pw: secret name in use"
    run_husk secret inspect --showsecret --format '{{.SecretData}}' pw
    assert_output_is "old"
    printf 'new' > "$HUSK_TMP/new"
    run_husk secret create --replace --label v=2 pw "$HUSK_TMP/new"
    assert_output_is "$id"
    run_husk secret inspect --showsecret --format '{{.SecretData}} {{.Spec.Labels.v}} {{.CreatedAt}}' pw
    assert_output_is "new 2 $created"
    [ "$(husk secret inspect --format '{{.UpdatedAt}}' pw)" != "$created" ]
    [ "$(stat -c %a "$HUSK_ROOT/secrets/$id")" = 600 ]
    # No temporary file is left beside the data.
    assert_equal "$(ls -A "$HUSK_ROOT/secrets")" "$id"
    run_husk secret create --replace fresh - <<<"made"
    [[ "$output" =~ ^[0-9a-f]{25}$ ]]
}

@test "secret create refuses empty, oversized, bad names, duplicates and other drivers; nothing is made" {
    : > "$HUSK_TMP/empty"
    run_husk 125 secret create empty "$HUSK_TMP/empty"
    assert_output_is "Error: secret data must be larger than 0 and less than 512000 bytes"
    head -c 512000 /dev/zero | tr '\0' a > "$HUSK_TMP/big"
    run_husk 125 secret create big "$HUSK_TMP/big"
    assert_output_is "Error: secret data must be larger than 0 and less than 512000 bytes"
    head -c 511999 /dev/zero | tr '\0' a > "$HUSK_TMP/max"
    run_husk secret create max "$HUSK_TMP/max"
    run_husk secret rm max
    for bad in a/b a=b a,b . ..; do
        run_husk 125 secret create "$bad" - <<<"x"
        assert_output_contains "invalid secret name"
    done
    run_husk 125 secret create "$(printf 'n%.0s' $(seq 254))" - <<<"x"
    assert_output_contains "invalid secret name"
    run_husk 125 secret create --driver pass p - <<<"x"
    assert_output_contains "unknown secret driver"
    run_husk 125 secret create --env p NOT_SET_ANYWHERE
    assert_output_contains "environment variable NOT_SET_ANYWHERE is not set"
    run_husk 125 secret create p "$HUSK_TMP/nothere"
    run_husk 125 secret create --driver-opts a=b p - <<<"x"
    run_husk secret ls -q
    assert_output_is ""
    assert_equal "$(ls -A "$HUSK_ROOT/secrets" 2>/dev/null)" ""
}

@test "secret rm removes the data and the row; -i ignores missing ones; -a removes all" {
    run_husk secret create a - <<<"1"
    ida=$output
    run_husk secret create b - <<<"2"
    run_husk secret create c - <<<"3"
    run_husk secret rm a
    assert_output_is "$ida"
    [ ! -e "$HUSK_ROOT/secrets/$ida" ]
    run_husk 1 secret exists a
    run_husk 125 secret rm a
    assert_output_is 'Error: no secret with name or id "a": no such secret'
    run_husk secret rm -i a
    assert_output_is ""
    run_husk 125 secret rm -a b
    run_husk 125 secret inspect nothere
    assert_output_contains 'no secret with name or id "nothere": no such secret'
    run_husk secret rm -a
    [ "${#lines[@]}" -eq 2 ]
    run_husk secret ls -q
    assert_output_is ""
    assert_equal "$(ls -A "$HUSK_ROOT/secrets")" ""
}
