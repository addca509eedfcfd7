#!/usr/bin/env bats
# The command line as a Podman user meets it: boolean flags, -h, commands
# husk does not have yet, typos, help, version, the global options Podman
# scripts pass, and --log-level debug.
load helpers

# Tests that run containers call container_setup themselves; every test
# leaves no container behind.
teardown() {
    container_teardown
}

# husk's stderr alone (run_husk mixes both streams).
stderr_of() {
    husk "$@" 2>&1 >/dev/null
}

# ---- boolean flags ------------------------------------------------------------

@test "a boolean takes its value only as --flag=value: events --stream false is an argument" {
    run_husk 125 events --stream false
    assert_output_is $'Error: `husk events` takes no arguments\nSee \'husk events --help\''
    run_husk events --stream=false
    assert_output_is ""
    run_husk 125 events --stream=maybe
    assert_output_contains 'invalid argument "maybe" for "--stream" flag'
}

@test "no option table but run's and create's (and start's --sig-proxy) declares a boolean as a string" {
    # A flag shown as "--x bool" in --help is a string that swallows the
    # next word.  run/create belong to the run-flags work and start's
    # --sig-proxy to the lifecycle work; every other table is checked.
    local cmd verb bad=()
    for cmd in $(commands_of); do
        if is_group "$cmd"; then
            for verb in $(commands_of "$cmd"); do
                husk "$cmd" "$verb" --help | grep -E -- '--[a-z-]+ bool ' | sed "s/^/$cmd $verb: /" \
                    | grep -v -E '^container (run|create|start): ' >>"$HUSK_TMP/bad" || true
            done
        else
            husk "$cmd" --help | grep -E -- '--[a-z-]+ bool ' | sed "s/^/$cmd: /" \
                | grep -v -E '^(run|create|start): ' >>"$HUSK_TMP/bad" || true
        fi
    done
    if [ -s "$HUSK_TMP/bad" ]; then
        cat "$HUSK_TMP/bad" >&2
        return 1
    fi
}

@test "-h is --hostname for run and create, --help is help" {
    run_husk run --help
    assert_output_contains "Usage:"
    assert_output_contains "husk run [options] IMAGE"
    run_husk create --help
    assert_output_contains "husk create [options] IMAGE"
    if ! is_rootless; then # create is refused rootless before its flags
        run_husk 125 create -h
        assert_output_contains "flag needs an argument: 'h' in -h"
    fi
    # Elsewhere -h is the help.
    run_husk images -h
    assert_output_contains "husk images [options]"
}

@test "run -h NAME sets the container's hostname" {
    container_setup
    run_husk run --rm -h myhost husk-test/busybox hostname
    assert_output_is "myhost"
}

# ---- commands husk does not have yet ----------------------------------------------

@test "Podman commands husk lacks say so with exit 125, naming the command" {
    local c
    for c in build artifact \
             machine auto-update update farm; do
        run_husk 125 "$c"
        assert_output_is "Error: \`husk $c\` is not supported by husk yet"
    done
    for c in "pod clone" "image scp" "image build" "image sign" "image trust" \
             "container checkpoint" "container restore" "system service" \
             "system connection" "system renumber" "volume reload" "kube apply" \
             "generate systemd" "generate spec"; do
        # shellcheck disable=SC2086
        run_husk 125 $c
        assert_output_is "Error: \`husk $c\` is not supported by husk yet"
    done
    run_husk 125 help build
    assert_output_is 'Error: `husk build` is not supported by husk yet'
}

@test "the placeholders are not in --help, completion or __flags" {
    local top
    top=$(commands_of)
    [[ $'\n'$top$'\n' != *$'\nbuild\n'* ]]
    [[ $'\n'$top$'\n' != *$'\nmachine\n'* ]]
    [[ $'\n'$top$'\n' == *$'\nsecret\n'* ]]    # a group husk has
    [[ $'\n'$(commands_of kube)$'\n' != *$'\napply\n'* ]]
    [[ $'\n'$(commands_of image)$'\n' != *$'\nsign\n'* ]]
    run_husk __complete ma
    [[ "$output" != *machine* ]]
    [[ "$output" == *manifest* ]]
    run_husk __complete pod c
    [[ "$output" == *create* ]]    # a command husk has
    [[ "$output" != *clone* ]]
    run_husk __complete image s
    [[ "$output" == *save* ]]
    [[ "$output" != *sign* ]]
    [[ "$output" != *scp* ]]
    run_husk __flags
    [[ "$output" != *$'\n'build$'\t'* ]]
    [[ "$output" != *$'\n'"image sign"$'\t'* ]]
    [[ "$output" != *$'\n'"system service"$'\t'* ]]
}

@test "a typo gets cobra's suggestions, top level and group verbs" {
    run_husk 125 imagse
    assert_output_is $'Error: unrecognized command `husk imagse`\n\nDid you mean this?\n\timage\n\timages\n\nTry \'husk --help\' for more information'
    run_husk 125 contaner ls
    assert_output_is $'Error: unrecognized command `husk contaner`\n\nDid you mean this?\n\tcontainer\n\nTry \'husk --help\' for more information'
    # Podman's groups suggest by prefix only, aliases included.
    run_husk 125 image lis
    assert_output_is $'Error: unrecognized command `husk image lis`\n\nDid you mean this?\n\tlist\n\nTry \'husk image --help\' for more information'
    run_husk 125 image tga
    assert_output_is $'Error: unrecognized command `husk image tga`\nTry \'husk image --help\' for more information'
    run_husk 125 frobnicate
    assert_output_is $'Error: unrecognized command `husk frobnicate`\nTry \'husk --help\' for more information'
}

@test "husk help CMD [VERB] is CMD's --help, exit 0" {
    assert_equal "$(husk help image ls)" "$(husk image ls --help)"
    assert_equal "$(husk help version)" "$(husk version --help)"
    assert_equal "$(husk help image)" "$(husk image --help)"
    assert_equal "$(husk help)" "$(husk --help)"
    run_husk help image
    assert_output_contains $'Manage images\n\nDescription:\n  Manage images\n\nUsage:\n  husk image [command]\n\nAvailable Commands:\n'
    run_husk help nosuch
    assert_output_contains 'Unknown help topic [`nosuch`]'
    assert_output_contains "Available Commands:"
}

@test "--help lists the commands sorted as Podman lists them, with help" {
    local top
    top=$(commands_of)
    assert_equal "$top" "$(LC_ALL=C sort <<<"$top")"
    assert_equal "$(commands_of image)" "$(commands_of image | LC_ALL=C sort)"
    [[ $'\n'$top$'\n' == *$'\nhelp\n'* ]]
    run_husk --help
    assert_output_contains $'Manage pods, containers and images\n\nUsage:\n  husk [options] [command]\n\nAvailable Commands:\n  attach      Attach to a running container\n  commit      '
    assert_output_contains $'\n  healthcheck Manage health checks on containers\n  help        Help about any command\n'
    # Global options sorted too, --help among them.
    local opts
    opts=$(husk --help | sed -n '/^Options:/,$p' | sed 1d | awk '{ print ($1 ~ /^-[a-z],$/) ? $2 : $1 }')
    assert_equal "$opts" "$(LC_ALL=C sort <<<"$opts")"
    [[ "$opts" == *--help* ]]
    # No command: the list, then Podman's error.
    run_husk 125
    assert_output_contains "Available Commands:"
    assert_output_contains "Error: missing command 'husk COMMAND'"
    run_husk 125 image
    assert_output_contains "Error: missing command 'husk image COMMAND'"
}

# ---- version ---------------------------------------------------------------------------

@test "version shows the git commit and the build time, as Podman's" {
    run_husk version
    [ "${lines[0]}" = "Client:       husk Engine" ]
    [ "${lines[1]}" = "Version:      0.1.0" ]
    [ "${lines[2]}" = "API Version:  0.1.0" ]
    [[ "${lines[3]}" =~ ^"Git Commit:   "([0-9a-f]{40}|unknown)$ ]]
    [[ "${lines[4]}" =~ ^"Built:        "[A-Z][a-z]{2}\ [A-Z][a-z]{2}\ [\ 0-9][0-9]\ [0-9]{2}:[0-9]{2}:[0-9]{2}\ [0-9]{4}$ ]]
    [[ "${lines[5]}" =~ ^"OS/Arch:      linux/" ]]
    local commit=${lines[3]#Git Commit:   } built=${lines[4]#Built:        }
    # The commit of the tree the binary was built from (this one, in make check).
    if git -C "$HUSK_TOP" rev-parse HEAD >/dev/null 2>&1 && [ "$commit" != unknown ]; then
        git -C "$HUSK_TOP" cat-file -e "$commit^{commit}"
    fi
    run_husk version --format '{{.Client.Version}}'
    assert_output_is "0.1.0"
    run_husk version --format '{{.Client.GitCommit}}|{{.Client.BuiltTime}}|{{.Client.Os}}'
    assert_output_is "$commit|$built|linux"
    run_husk version --format json
    [[ "$output" =~ ^\{\"Client\":\{\"APIVersion\":\"0.1.0\",\"Version\":\"0.1.0\",\"GoVersion\":\"[^\"]+\",\"GitCommit\":\"$commit\",\"BuiltTime\":\"$built\",\"Built\":[0-9]+,\"OsArch\":\"linux/[a-z0-9]+\",\"Os\":\"linux\"\}\}$ ]]
    # Built is BuiltTime in seconds.
    local secs
    secs=$(husk version --format '{{.Client.Built}}')
    assert_equal "$(date -d "@$secs" '+%a %b %e %H:%M:%S %Y')" "$built"
}

# ---- global options --------------------------------------------------------------------

@test "--noout silences standard output, before or after the command" {
    run_husk --noout volume create quiet
    assert_output_is ""
    run_husk volume ls --noout
    assert_output_is ""
    run_husk volume ls --format '{{.Name}}'
    assert_output_is "quiet"
    # Errors still reach stderr.
    run_husk 125 --noout volume inspect nosuch
    assert_output_contains "Error:"
}

@test "--events-backend none records no events; journald is refused" {
    run_husk --events-backend none volume create v1
    run_husk --events-backend=none volume rm v1
    run_husk events --stream=false
    assert_output_is ""
    run_husk --events-backend file volume create v2
    run_husk events --stream=false --format '{{.Type}} {{.Status}} {{.Name}}'
    assert_output_is "volume create v2"
    run_husk 125 --events-backend journald volume ls
    assert_output_is 'Error: --events-backend journald: there is no journald on this host: use "file" (the default) or "none"'
    run_husk 125 volume ls --events-backend bogus
    assert_output_is 'Error: unsupported events backend "bogus": use "file" or "none"'
    run_husk info --format '{{.Host.EventLogger}}'
    assert_output_is "file"
    run_husk --events-backend none info --format '{{.Host.EventLogger}}'
    assert_output_is "none"
}

@test "--events-backend none reaches the clean-up a container's monitor runs" {
    container_setup
    local id
    id=$(husk --events-backend none run -d husk-test/busybox true)
    # Whoever notices the exit first records it: the monitor's clean-up
    # (its exit command carries the option) or this wait.
    run_husk --events-backend none wait "$id"
    grep -A1 '"--events-backend",' "$HUSK_RUNROOT/containers/$id/monitor.json" | grep -q '"none",'
    run_husk --events-backend none rm "$id"
    run_husk events --stream=false --filter type=container
    assert_output_is ""
}

@test "--volumepath: named volumes live there" {
    local vp=$HUSK_TMP/vols
    run_husk --volumepath "$vp" volume create data
    [ -d "$vp/data/_data" ]
    [ ! -e "$HUSK_ROOT/volumes/data" ]
    run_husk --volumepath "$vp" volume inspect data --format '{{.Mountpoint}}'
    assert_output_is "$vp/data/_data"
    run_husk volume inspect --volumepath "$vp" data --format '{{.Mountpoint}}'
    assert_output_is "$vp/data/_data"
    run_husk --volumepath "$vp" info --format '{{.Store.VolumePath}}'
    assert_output_is "$vp"
    run_husk info --format '{{.Store.VolumePath}}'
    assert_output_is "$HUSK_ROOT/volumes"
    run_husk --volumepath "$vp" volume rm data
    [ ! -e "$vp/data" ]
}

@test "--tmpdir is created and named by --log-level debug" {
    run husk --tmpdir "$HUSK_TMP/scratch" --log-level debug images
    [ "$status" -eq 0 ]
    [ -d "$HUSK_TMP/scratch" ]
    assert_output_contains "level=debug msg=\"Using tmp dir $HUSK_TMP/scratch\""
}

@test "--cgroup-manager: cgroupfs accepted, systemd refused" {
    run_husk --cgroup-manager cgroupfs info --format '{{.Host.CgroupManager}}'
    assert_output_is "cgroupfs"
    run_husk 125 --cgroup-manager systemd images
    assert_output_is 'Error: --cgroup-manager systemd: systemd is not running on this host: use "cgroupfs"'
    run_husk 125 --cgroup-manager foo images
    assert_output_is 'Error: invalid cgroup manager "foo": use "cgroupfs"'
}

@test "--network-config-dir is stored and shown by info" {
    run_husk --network-config-dir "$HUSK_TMP/nets" info --format '{{.Host.NetworkConfigDir}}'
    assert_output_is "$HUSK_TMP/nets"
}

@test "--storage-opt '' is accepted silently" {
    run_husk --storage-opt '' images
    assert_output_is "REPOSITORY  TAG         IMAGE ID    CREATED     SIZE"
    run_husk images --storage-opt= -q
    assert_output_is ""
}

@test "Podman's remote and backend options are refused with the reason" {
    run_husk 125 --conmon /usr/bin/conmon images
    assert_output_is "Error: not supported by husk: --conmon: husk runs its own monitor, husk-monitor, not conmon"
    run_husk 125 --remote images
    assert_output_contains "not supported by husk: --remote:"
    run_husk 125 images --syslog
    assert_output_contains "not supported by husk: --syslog:"
    run_husk __flags
    assert_output_contains $'(global)\t--conmon\t-\trefused\t'
    assert_output_contains $'(global)\t--runtime-flag\t-\tsupported\t'
    assert_output_contains $'(global)\t--noout\t-\tsupported\t'
}

@test "--runtime-flag is passed to every runtime command line as --FLAG" {
    container_setup
    local id
    id=$(husk --runtime-flag debug run -d husk-test/busybox sleep 100)
    # The monitor ran create with it ...
    grep -q '"--debug"' "$HUSK_RUNROOT/containers/$id/monitor.json"
    # ... and husk runs kill and delete with it.
    run husk --runtime-flag debug --runtime-flag log-level=debug --log-level debug rm -f -t 0 "$id"
    [ "$status" -eq 0 ]
    assert_output_contains "level=debug msg=\"running the OCI runtime: "
    assert_output_contains " --debug --log-level=debug "
    # An option the runtime does not know makes it fail.
    run_husk 125 --runtime-flag no-such-runtime-flag run --rm husk-test/busybox true
}

# ---- --log-level ---------------------------------------------------------------------

@test "--log-level debug says what husk does, in logrus's format" {
    container_setup
    printf '[engine]\n' >"$HUSK_TMP/containers.conf"
    run env CONTAINERS_CONF="$HUSK_TMP/containers.conf" \
        "$HUSK_BIN" --root "$HUSK_ROOT" --runroot "$HUSK_RUNROOT" --log-level debug \
        run --rm husk-test/busybox true
    [ "$status" -eq 0 ]
    local l
    for l in "${lines[@]}"; do
        [[ "$l" =~ ^time=\"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}(Z|[+-][0-9]{2}:[0-9]{2})\"\ level=debug\ msg=.+$ ]] \
            || { echo "not a logrus line: $l" >&2; return 1; }
    done
    assert_output_contains "level=debug msg=\"Called husk run ("
    assert_output_contains "level=debug msg=\"Merged system config \\\"$HUSK_TMP/containers.conf\\\"\""
    assert_output_contains "level=debug msg=\"Using graph root $HUSK_ROOT\""
    assert_output_contains "level=debug msg=\"Using run root $HUSK_RUNROOT\""
    assert_output_contains "level=debug msg=\"Initializing state database at $HUSK_ROOT/husk.db\""
    assert_output_contains "level=debug msg=\"Using OCI runtime \\\"/"
    assert_output_contains "level=debug msg=\"started husk-monitor (pid "
    assert_output_contains "level=debug msg=\"opening the state database and the store took "
    assert_output_contains "level=debug msg=\"\`husk run\` took "
}

@test "--log-level debug: the monitor logs the runtime command lines it runs" {
    container_setup
    local id
    id=$(husk --log-level debug run -d husk-test/busybox sleep 100 2>/dev/null)
    grep -Eq 'level=debug msg="running: /[^ ]* --root [^ ]* .*(create|run) .*--bundle ' \
        "$HUSK_RUNROOT/containers/$id/monitor.log"
}

@test "--log-level info and the default print nothing extra" {
    run stderr_of --log-level info images
    [[ "$output" != *level=debug* ]]
    [[ "$output" != *Called* ]]
    run stderr_of images
    assert_output_is ""
}

@test "on a terminal log lines take logrus's terminal form" {
    command -v script >/dev/null || skip "script(1) is not installed"
    run script -qec "$HUSK_BIN --root $HUSK_ROOT --runroot $HUSK_RUNROOT --log-level debug images" /dev/null
    [ "$status" -eq 0 ]
    assert_output_contains $'\e[37mDEBU\e[0m[0000] Using graph root '
}
