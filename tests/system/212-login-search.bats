#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# husk login, logout and search against the local registries of
# tests/registry/registry.sh (see 210-pull.bats): each test has its own
# auth file in $BATS_TEST_TMPDIR, never the user's.

load helpers

setup_file() {
    registry_setup_file
}

teardown_file() {
    registry_teardown_file
}

setup() {
    registry_setup
    AUTH=$BATS_TEST_TMPDIR/auth.json
    export REGISTRY_AUTH_FILE=$AUTH
    CERTS=(--cert-dir "$HUSK_REG_CERTS")
    B64=$(printf '%s:%s' "$HUSK_REG_USER" "$HUSK_REG_PASS" | base64 -w0)
}

@test "login -u -p checks the password, stores it for pull; --get-login; logout removes it" {
    run_husk 0 login "${CERTS[@]}" -u "$HUSK_REG_USER" -p "$HUSK_REG_PASS" "$HUSK_REG_TLS"
    [ "$output" = "Login Succeeded!" ]
    [ "$(jq -r --arg k "$HUSK_REG_TLS" '.auths[$k].auth' "$AUTH")" = "$B64" ]
    [ "$(stat -c %a "$AUTH")" = 600 ]
    # pull without --creds finds them through REGISTRY_AUTH_FILE
    run_husk 0 pull -q "${CERTS[@]}" "$HUSK_REG_TLS/library/busybox"
    [ "$output" = "$BB_ID" ]
    run_husk 0 login --get-login "$HUSK_REG_TLS"
    [ "$output" = "$HUSK_REG_USER" ]
    # no -u/-p: the stored credentials are tried first
    run_husk 0 login "${CERTS[@]}" "$HUSK_REG_TLS" </dev/null
    [[ "$output" == *"Existing credentials are valid. Already logged in to $HUSK_REG_TLS"* ]]
    run_husk 0 logout "$HUSK_REG_TLS"
    [ "$output" = "Removed login credentials for $HUSK_REG_TLS" ]
    [ "$(jq -c .auths "$AUTH")" = "{}" ]
    run_husk 125 pull -q "${CERTS[@]}" "$HUSK_REG_TLS/library/busybox"
    [[ "$output" == *"authentication required"* ]]
    run_husk 125 login --get-login "$HUSK_REG_TLS"
    [ "$output" = "Error: not logged into $HUSK_REG_TLS" ]
}

@test "login --password-stdin, a URL and --authfile; other entries and keys are kept" {
    local file=$BATS_TEST_TMPDIR/other.json
    echo '{"auths":{"quay.io":{"auth":"eDp5"}},"credHelpers":{},"extra":{"a":1}}' >"$file"
    run_husk 0 login -v --authfile "$file" "${CERTS[@]}" -u "$HUSK_REG_USER" --password-stdin \
        "https://$HUSK_REG_TLS/v1/" <<<"$HUSK_REG_PASS"
    [ "${lines[0]}" = "Used:  $file" ]
    [ "${lines[1]}" = "Login Succeeded!" ]
    [ "$(jq -r --arg k "$HUSK_REG_TLS" '.auths[$k].auth' "$file")" = "$B64" ]
    [ "$(jq -r '.auths["quay.io"].auth' "$file")" = "eDp5" ]
    [ "$(jq -c .extra "$file")" = '{"a":1}' ]
    [ ! -e "$AUTH" ]
    run_husk 0 login --authfile "$file" --get-login quay.io
    [ "$output" = x ]
}

@test "a wrong password fails with 125 and stores nothing" {
    run_husk 125 login "${CERTS[@]}" -u "$HUSK_REG_USER" -p wrong "$HUSK_REG_TLS"
    [ "$output" = "Error: logging into \"$HUSK_REG_TLS\": invalid username/password" ]
    [ ! -e "$AUTH" ]
    run_husk 125 login "${CERTS[@]}" "$HUSK_REG_TLS" </dev/null
    [[ "$output" == *"standard input is not a terminal"* ]]
    [ ! -e "$AUTH" ]
    run_husk 125 login "${CERTS[@]}" --password-stdin "$HUSK_REG_TLS" </dev/null
    [[ "$output" == *"Must provide --username with --password-stdin"* ]]
    run_husk 125 login --compat-auth-file x "$HUSK_REG_TLS"
    [[ "$output" == *"not supported by husk: --compat-auth-file"* ]]
}

@test "login keys a namespace; logout -a empties the file; logout when not logged in fails" {
    run_husk 0 login "${CERTS[@]}" -u "$HUSK_REG_USER" -p "$HUSK_REG_PASS" "$HUSK_REG_TLS/library"
    [ "$(jq -r '.auths | keys[]' "$AUTH")" = "$HUSK_REG_TLS/library" ]
    run_husk 125 login -u a -p b "$HUSK_REG_TLS/library/busybox:latest"
    [[ "$output" == *"contains tag or digest"* ]]
    run_husk 0 login --tls-verify=false -u x -p y "$HUSK_REG_PLAIN"
    [ "$(jq '.auths | length' "$AUTH")" = 2 ]
    run_husk 0 logout -a
    [ "$output" = "Removed login credentials for all registries" ]
    [ "$(jq -c .auths "$AUTH")" = "{}" ]
    run_husk 125 logout "$HUSK_REG_TLS"
    [ "$output" = "Error: not logged into $HUSK_REG_TLS" ]
    run_husk 125 logout --authfile "$BATS_TEST_TMPDIR/none.json" "$HUSK_REG_TLS"
    [[ "$output" == *"checking authfile"* ]]
}

@test "the default auth file is made 0600 in a 0700 directory" {
    unset REGISTRY_AUTH_FILE
    if is_rootless; then
        export XDG_RUNTIME_DIR=$BATS_TEST_TMPDIR/xdg
        mkdir -p "$XDG_RUNTIME_DIR"
        file=$XDG_RUNTIME_DIR/containers/auth.json
    else
        # root's default is /run/containers/0/auth.json: not touched here
        export REGISTRY_AUTH_FILE=$BATS_TEST_TMPDIR/new/dir/auth.json
        file=$REGISTRY_AUTH_FILE
    fi
    run_husk 0 login "${CERTS[@]}" -u "$HUSK_REG_USER" -p "$HUSK_REG_PASS" "$HUSK_REG_TLS"
    [ "$(stat -c %a "$file")" = 600 ]
    [ "$(stat -c %a "$(dirname "$file")")" = 700 ]
    [ -z "$(ls -A "$(dirname "$file")" | grep -v '^auth.json$')" ] # no temporary left
}

@test "search TERM finds library/busybox in the catalog; --limit, --format, --filter" {
    unset REGISTRY_AUTH_FILE # search, as pull, wants an auth file it names to exist
    run_husk 0 search "${CERTS[@]}" --authfile "$HUSK_REG_AUTH" "$HUSK_REG_TLS/busybox"
    [ "$(echo "${lines[0]}" | tr -s ' ')" = "NAME DESCRIPTION" ]
    [[ "$output" == *"$HUSK_REG_TLS/library/busybox"* ]]
    [[ "$output" != *"library/layers"* ]]
    run_husk 0 search "${CERTS[@]}" --creds "$HUSK_REG_USER:$HUSK_REG_PASS" --limit 1 \
        --format '{{.Index}}|{{.Name}}|{{.Stars}}' "$HUSK_REG_TLS/"
    [ "${#lines[@]}" -eq 1 ]
    [[ "$output" == "$HUSK_REG_TLS|$HUSK_REG_TLS/"*"|0" ]]
    run_husk 0 search "${CERTS[@]}" --authfile "$HUSK_REG_AUTH" --format '{{.Name}}' \
        --filter is-official=false --filter stars=0 "$HUSK_REG_TLS/layers"
    [ "$output" = "$HUSK_REG_TLS/library/layers" ]
    run_husk 0 search "${CERTS[@]}" --authfile "$HUSK_REG_AUTH" --filter stars=1 "$HUSK_REG_TLS/busybox"
    [ -z "$output" ]
    run_husk 125 search --filter color=red "$HUSK_REG_TLS/busybox"
    [[ "$output" == *'invalid filter type "color"'* ]]
    run_husk 125 search "${CERTS[@]}" "$HUSK_REG_TLS/busybox"
    [[ "$output" == *"authentication required"* ]]
}

@test "search --list-tags lists the tags of busybox; --compatible; json" {
    unset REGISTRY_AUTH_FILE # search, as pull, wants an auth file it names to exist
    run_husk 0 search "${CERTS[@]}" --authfile "$HUSK_REG_AUTH" --list-tags "$HUSK_REG_TLS/library/busybox"
    [ "$(echo "${lines[0]}" | tr -s ' ')" = "NAME TAG" ]
    [ "$(echo "${lines[1]}" | tr -s ' ')" = "$HUSK_REG_TLS/library/busybox latest" ]
    run_husk 0 search "${CERTS[@]}" --authfile "$HUSK_REG_AUTH" --list-tags --format json \
        "$HUSK_REG_TLS/library/busybox"
    [ "$(echo "$output" | jq -c '.[0].Tags')" = '["latest"]' ]
    run_husk 125 search --list-tags --filter stars=1 "$HUSK_REG_TLS/library/busybox"
    [[ "$output" == *"filters are not applicable to list tags result"* ]]
    run_husk 0 image search --tls-verify=false --compatible "$HUSK_REG_PLAIN/busybox"
    [ "$(echo "${lines[0]}" | tr -s ' ')" = "NAME DESCRIPTION STARS OFFICIAL AUTOMATED" ]
    [[ "${lines[1]}" == "$HUSK_REG_PLAIN/library/busybox "* ]]
}

@test "search: a TLS failure names --tls-verify; the plain registry with --tls-verify=false" {
    unset REGISTRY_AUTH_FILE # search, as pull, wants an auth file it names to exist
    run_husk 125 search --cert-dir "$BATS_TEST_TMPDIR" --authfile "$HUSK_REG_AUTH" "$HUSK_REG_TLS/busybox"
    [[ "$output" == *"$HUSK_REG_TLS"* ]]
    [[ "$output" == *"--tls-verify"* ]]
    run_husk 125 login --cert-dir "$BATS_TEST_TMPDIR" -u "$HUSK_REG_USER" -p "$HUSK_REG_PASS" "$HUSK_REG_TLS"
    [[ "$output" == *"--tls-verify"* ]]
    [ ! -e "$AUTH" ]
    run_husk 0 search --tls-verify=false --format '{{.Name}}' "$HUSK_REG_PLAIN/busybox"
    [ "$output" = "$HUSK_REG_PLAIN/library/busybox" ]
}

@test "login prompts on a terminal, the password without echo" {
    # A pseudo-terminal that answers each prompt once it is shown.
    run python3 - "$HUSK_BIN" --root "$HUSK_ROOT" --runroot "$HUSK_RUNROOT" login \
        --cert-dir "$HUSK_REG_CERTS" "$HUSK_REG_TLS" <<PY 3>&-
import os, pty, sys
pid, fd = pty.fork()
if pid == 0:
    os.execv(sys.argv[1], sys.argv[1:])
out = b""
def until(s):
    global out
    while s not in out:
        b = os.read(fd, 1024)
        if not b:
            raise SystemExit("no %r in %r" % (s, out))
        out += b
until(b"Username: "); os.write(fd, b"$HUSK_REG_USER\n")
until(b"Password: "); os.write(fd, b"$HUSK_REG_PASS\n")
try:
    while True:
        b = os.read(fd, 1024)
        if not b: break
        out += b
except OSError:
    pass
_, st = os.waitpid(pid, 0)
sys.stdout.write(out.decode())
sys.exit(os.waitstatus_to_exitcode(st))
PY
    echo "$output"
    [ "$status" -eq 0 ]
    [[ "$output" == *"Login Succeeded!"* ]]
    [[ "$output" != *"$HUSK_REG_PASS"* ]]
    [ "$(jq -r --arg k "$HUSK_REG_TLS" '.auths[$k].auth' "$AUTH")" = "$B64" ]
}

@test "login and logout through the credential helper credHelpers names for the registry" {
    PATH="$BATS_TEST_DIRNAME/../registry:$PATH"
    export HUSK_CRED_FILE=$BATS_TEST_TMPDIR/keychain
    : >"$HUSK_CRED_FILE"
    printf '{"auths": {}, "credHelpers": {"%s": "husk-test"}}\n' "$HUSK_REG_TLS" >"$AUTH"
    run_husk 0 login "${CERTS[@]}" -u "$HUSK_REG_USER" -p "$HUSK_REG_PASS" "$HUSK_REG_TLS"
    [ "$output" = "Login Succeeded!" ]
    # the helper keeps them; the file has no password
    [ "$(cat "$HUSK_CRED_FILE")" = "$HUSK_REG_TLS $HUSK_REG_USER $HUSK_REG_PASS" ]
    [ "$(jq -c .auths "$AUTH")" = "{}" ]
    run_husk 0 login --get-login "$HUSK_REG_TLS"
    [ "$output" = "$HUSK_REG_USER" ]
    run_husk 0 pull -q "${CERTS[@]}" "$HUSK_REG_TLS/library/busybox"
    [ "$output" = "$BB_ID" ]
    run_husk 0 logout "$HUSK_REG_TLS"
    [ "$output" = "Removed login credentials for $HUSK_REG_TLS" ]
    [ ! -s "$HUSK_CRED_FILE" ]
    run_husk 125 logout "$HUSK_REG_TLS"
    assert_output_contains "not logged into $HUSK_REG_TLS"
    # a helper that fails to store: the login fails and says why
    printf '{"credHelpers": {"%s": "husk-none"}}\n' "$HUSK_REG_TLS" >"$AUTH"
    run_husk 125 login "${CERTS[@]}" -u "$HUSK_REG_USER" -p "$HUSK_REG_PASS" "$HUSK_REG_TLS"
    assert_output_contains "docker-credential-husk-none"
}
