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
    run_husk 125 secret create --label =x bad "$HUSK_TMP/pw"
    assert_output_contains 'invalid label "=x": empty key'
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

@test "secret create --replace keeps the ID and creation time and changes the data; --ignore keeps all" {
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
    # --ignore: the existing secret's ID, its data unchanged.
    run_husk secret create --ignore pw - <<<"ignored"
    assert_output_is "$id"
    run_husk secret inspect --showsecret --format '{{.SecretData}}' pw
    assert_output_is "new"
    run_husk 125 secret create --ignore --replace pw - <<<"x"
    assert_output_contains "--ignore and --replace cannot be used together"
    # --replace goes by name: a name that is a prefix of pw's ID makes a
    # new secret and leaves pw alone.
    run_husk secret create --replace "${id:0:4}" - <<<"other"
    [ "$output" != "$id" ]
    run_husk secret inspect --showsecret --format '{{.SecretData}}' pw
    assert_output_is "new"
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

@test "secret rm removes the data and the row (names are not hex: an ID prefix also names a secret); -i ignores missing ones; -a removes all" {
    run_husk secret create sa - <<<"1"
    ida=$output
    run_husk secret create sb - <<<"2"
    run_husk secret create sc - <<<"3"
    run_husk secret rm sa
    assert_output_is "$ida"
    [ ! -e "$HUSK_ROOT/secrets/$ida" ]
    run_husk 1 secret exists sa
    run_husk 125 secret rm sa
    assert_output_is 'Error: no secret with name or id "sa": no such secret'
    run_husk secret rm -i sa
    assert_output_is ""
    run_husk 125 secret rm -a sb
    run_husk 125 secret inspect nothere
    assert_output_contains 'no secret with name or id "nothere": no such secret'
    run_husk secret rm -a
    [ "${#lines[@]}" -eq 2 ]
    run_husk secret ls -q
    assert_output_is ""
    assert_equal "$(ls -A "$HUSK_ROOT/secrets")" ""
}

# ---- run/create --secret ----------------------------------------------------------

@test "run --secret: a read-only file at /run/secrets/NAME, 0444 root, with the data" {
    printf 'hunter2' | husk secret create pw - >/dev/null
    run_husk run --rm --secret pw husk-test/busybox \
        sh -c 'cat /run/secrets/pw; echo; stat -c "%u %g %a" /run/secrets/pw; { echo x > /run/secrets/pw; } 2>/dev/null || echo ro'
    assert_equal "${lines[0]}" "hunter2"
    assert_equal "${lines[1]}" "0 0 444"
    assert_equal "${lines[-1]}" "ro"
    # Without --secret there is no /run/secrets/pw.
    run_husk 1 run --rm husk-test/busybox test -e /run/secrets/pw
}

@test "run --secret target=, uid=, gid=, mode=; a relative target goes under /run/secrets" {
    printf 'hunter2' | husk secret create pw - >/dev/null
    run_husk run --rm --secret pw,target=/etc/pw.txt,uid=1000,gid=100,mode=0400 \
        --secret pw,target=other husk-test/busybox \
        sh -c 'stat -c "%u %g %a" /etc/pw.txt; cat /etc/pw.txt; echo; cat /run/secrets/other'
    assert_output_is $'1000 100 400\nhunter2\nhunter2'
}

@test "run --secret type=env sets the variable (NAME, or target), replacing -e" {
    printf 's3cr3t' | husk secret create token - >/dev/null
    run_husk run --rm --secret token,type=env -e token=old \
        --secret token,type=env,target=API_KEY husk-test/busybox \
        sh -c 'echo "$token $API_KEY"; test ! -e /run/secrets/token && echo nofile'
    assert_output_is $'s3cr3t s3cr3t\nnofile'
    # The value is not in the container's configuration (inspect).
    run_husk create --name envc --secret token,type=env husk-test/busybox true
    run_husk inspect envc
    [[ "$output" != *s3cr3t* ]]
    run_husk 125 run --rm --secret token,type=env,mode=0400 husk-test/busybox true
    assert_output_contains "UID, GID, Mode options cannot be set with secret type env"
}

@test "create --secret: inspect shows Config.Secrets; the container keeps its copy after secret rm" {
    run_husk secret create pw - <<<"first"
    id=$output
    run_husk create --name c1 --secret pw,uid=7,mode=0440 husk-test/busybox cat /run/secrets/pw
    run_husk inspect --format '{{json .Config.Secrets}}' c1
    assert_equal "$(jq -r '.[0] | "\(.Name) \(.ID) \(.UID) \(.GID) \(.Mode)"' <<<"$output")" "pw $id 7 0 288"
    run_husk inspect c1
    [[ "$output" != *first* ]]
    run_husk secret rm pw
    printf 'second' | husk secret create pw - >/dev/null
    run_husk start -a c1
    assert_output_is "first"
    # The container's copies are 0600 in 0700 directories.
    cid=$(husk inspect --format '{{.Id}}' c1)
    [ "$(stat -c %a "$HUSK_ROOT/containers/$cid/secrets")" = 700 ]
    [ "$(stat -c %a "$HUSK_ROOT/containers/$cid/secrets/0")" = 600 ]
}

@test "run --secret of a missing secret or a bad option: exit 125, no container left" {
    run_husk 125 run --rm --secret nothere husk-test/busybox true
    assert_output_is 'Error: no secret with name or id "nothere": no such secret'
    run_husk 125 create --name c2 --secret nothere husk-test/busybox true
    run_husk 125 run --secret pw,bogus=1 husk-test/busybox true
    assert_output_contains 'unknown option "bogus"'
    run_husk 125 run --secret pw,mode=999 husk-test/busybox true
    assert_output_contains 'not an octal mode'
    # A destination another mount (or secret) has: refused at create.
    printf 'x' | husk secret create pw - >/dev/null
    run_husk 125 run --name c3 -v "$HUSK_TMP:/run/secrets/pw" --secret pw husk-test/busybox true
    assert_output_is "Error: /run/secrets/pw: duplicate mount destination"
    run_husk 125 create --secret pw --secret pw,target=/run/secrets/pw husk-test/busybox true
    assert_output_contains "duplicate mount destination"
    run_husk ps -a -q
    assert_output_is ""
    assert_equal "$(ls -A "$HUSK_ROOT/containers" 2>/dev/null)" ""
}
