#!/usr/bin/env bats
# Shell completion: `husk completion SHELL` and the hidden `husk __complete
# WORD...` its scripts call.  Every command the binary lists (walked from
# its own --help, so a new command is checked too) completes at its place
# and offers its flags; the bash script, driven the way bash drives it,
# fills COMPREPLY with commands, flags and names from this test's private
# store; the zsh and fish scripts parse, and fish completes through them.
load helpers

# flags_of WORDS...: the flags `husk WORDS --help` lists ("-a", "--all").
flags_of() {
    husk "$@" --help | awk '/^Options:/ { on = 1; next }
                            on && $1 ~ /^-[^-],$/ { print substr($1, 1, 2); print $2; next }
                            on && $1 ~ /^--/ { print $1 }'
}

# candidates WORDS...: the words `husk __complete WORDS...` offers, one a
# line, without descriptions and without the directive line.
candidates() {
    husk __complete "$@" | sed '$d' | cut -f1
}

# has_line TEXT LINE: TEXT has LINE as one of its lines.
has_line() {
    [[ $'\n'$1$'\n' == *$'\n'$2$'\n'* ]]
}

# A directory on PATH where `husk` is the binary under test, as a user
# who completes `husk ...` has it.
husk_on_path() {
    mkdir -p "$HUSK_TMP/bin"
    ln -sf "$HUSK_BIN" "$HUSK_TMP/bin/husk"
    PATH=$HUSK_TMP/bin:$PATH
}

# complete_bash LINE: source `husk completion bash` in a new bash, set
# COMP_* as bash does for LINE with the cursor at its end, call the
# function `complete -p husk` names and print COMPREPLY, sorted, one a line.
complete_bash() {
    bash -c '
        source <(husk completion bash) || exit 1
        spec=$(complete -p husk) || exit 1
        fn=${spec##*-F }; fn=${fn%% *}
        COMP_LINE=$1 COMP_POINT=${#1} COMP_TYPE=9 COMP_KEY=9
        read -r -a COMP_WORDS <<< "$1"
        [[ $1 == *" " ]] && COMP_WORDS+=("")
        COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 ))
        COMPREPLY=()
        "$fn" husk "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
        (( ${#COMPREPLY[@]} )) && printf "%s\n" "${COMPREPLY[@]}" | sort
        exit 0
    ' complete_bash "$1"
}

# The --root/--runroot of this test's store, for command lines.
store_flags() {
    echo "--root $HUSK_ROOT --runroot $HUSK_RUNROOT"
}

@test "every command completes at its place and offers its flags and --help" {
    local cmd verb bad=()
    check() { # GROUP-WORDS... NAME
        local name=${!#} words=("${@:1:$#-1}") offered flag
        offered=$(candidates "${words[@]}" "${name:0:2}")
        has_line "$offered" "$name" \
            || bad+=("husk ${words[*]:+${words[*]} }$name: '${name:0:2}' does not complete to it")
        offered=$(candidates "${words[@]}" "$name" -)
        has_line "$offered" --help || bad+=("husk ${words[*]:+${words[*]} }$name: no --help")
        for flag in $(flags_of "${words[@]}" "$name"); do
            has_line "$offered" "$flag" \
                || bad+=("husk ${words[*]:+${words[*]} }$name: flag $flag not offered")
        done
    }
    local top
    top=$(commands_of)
    has_line "$top" run    # the walk itself works
    has_line "$top" completion
    for cmd in $top; do
        check "$cmd"
        is_group "$cmd" || continue
        for verb in $(commands_of "$cmd"); do
            check "$cmd" "$verb"
        done
    done
    if [ ${#bad[@]} -gt 0 ]; then
        printf '%s\n' "${bad[@]}" >&2
        return 1
    fi
}

@test "__complete: global flags and their values, before and after the command" {
    run_husk __complete --ro
    assert_output_is $'--root\tPath to the root directory in which data, including images, is stored\n:none'
    run_husk __complete --log-level de
    assert_output_is $'debug\n:none'
    run_husk __complete --log-level=w
    assert_output_is $'--log-level=warn\n--log-level=warning\n:none'
    run_husk __complete ps --runr
    assert_output_contains $'--runroot\t'
    run_husk __complete --root ''
    assert_output_is ':dirs'
    run_husk __complete load -i ''
    assert_output_is ':files'
    # Its words are data: --help and global flags among them are completed,
    # not obeyed.
    run_husk __complete ps --he
    assert_output_is $'--help\tHelp for this command\n:none'
}

@test "__complete: arguments follow the usage line; run's command is not its flags" {
    run candidates completion ''
    assert_output_is $'bash\nzsh\nfish\npowershell'
    run_husk __complete run -it img ''
    assert_output_is ':files'
    run_husk __complete run -it img --na
    assert_output_is ':files'
    run_husk __complete tag img ''
    assert_output_is ':none'
    # -h of run is --hostname: no second -h, for help, there.
    run_husk __complete run -h
    assert_output_is $'-h\tSet container hostname\n:none'
}

@test "__complete: a store that does not exist gives no names and is not created" {
    run husk __complete --root "$HUSK_TMP/none" --runroot "$HUSK_TMP/none-run" stop ''
    [ "$status" -eq 0 ]
    assert_output_is ':none'
    [ ! -e "$HUSK_TMP/none" ]
    [ ! -e "$HUSK_TMP/none-run" ]
}

@test "bash: commands, subcommands, flags and flag values" {
    husk_on_path
    run complete_bash "husk ima"
    assert_output_is $'image\nimages'
    run complete_bash "husk image ins"
    assert_output_is "inspect"
    run complete_bash "husk run --na"
    assert_output_is "--name"
    run complete_bash "husk container "
    assert_output_contains $'\ninspect\n'
    # bash replaces only what follows "=": the value.
    run complete_bash "husk --log-level=de"
    assert_output_is "debug"
    run complete_bash "husk ps --format json --all --no-t"
    assert_output_is "--no-trunc"
    mkdir "$HUSK_TMP/files"
    touch "$HUSK_TMP/files/archive.tar"
    run complete_bash "husk load -i $HUSK_TMP/files/arc"
    assert_output_is "$HUSK_TMP/files/archive.tar"
}

@test "bash: volume names come from the store named on the line" {
    husk_on_path
    run_husk volume create v-one
    run_husk volume create v-two
    run complete_bash "husk $(store_flags) volume rm "
    assert_output_is $'v-one\nv-two'
    run complete_bash "husk volume inspect $(store_flags) v-t"
    assert_output_is "v-two"
    # The same store given before `husk __complete` itself.
    run husk __complete volume rm v-
    assert_output_is $'v-one\nv-two\n:none'
}

@test "secret names complete for secret rm, inspect and exists" {
    printf 1 | husk secret create s-one - >/dev/null
    printf 2 | husk secret create s-two - >/dev/null
    run husk __complete secret rm s-
    assert_output_is $'s-one\ns-two\n:none'
    run husk __complete secret inspect s-t
    assert_output_is $'s-two\n:none'
    run husk __complete secret exists ""
    assert_output_is $'s-one\ns-two\n:none'
}

@test "bash: container names for stop, image names for rmi and run" {
    husk_on_path
    run_husk load -i "$HUSK_IMAGES/busybox.docker.tar"
    run_husk create --name c-one husk-test/busybox
    run_husk create --name c-two husk-test/busybox
    run complete_bash "husk $(store_flags) stop "
    assert_output_is $'c-one\nc-two'
    run complete_bash "husk $(store_flags) logs c-t"
    assert_output_is "c-two"
    run complete_bash "husk stop $(store_flags) c-"
    assert_output_is $'c-one\nc-two'
    run complete_bash "husk $(store_flags) rmi "
    assert_output_is "localhost/husk-test/busybox:latest"
    run complete_bash "husk $(store_flags) run --rm husk-test/b"
    assert_output_is "husk-test/busybox:latest"
    # After ":" bash replaces only the tag.
    run complete_bash "husk $(store_flags) rmi husk-test/busybox:"
    assert_output_is "latest"
    run complete_bash "husk $(store_flags) cp c-o"
    assert_output_is "c-one:"
    # An ID once its first characters are typed.
    local id
    id=$(husk container inspect --format '{{.Id}}' c-one)
    run complete_bash "husk $(store_flags) rm ${id:0:6}"
    assert_output_is "${id:0:12}"
}

@test "completion: the scripts, --file, --no-desc and the shells refused" {
    run_husk completion bash
    assert_output_contains "complete -F _husk husk"
    run_husk completion -f "$HUSK_TMP/husk.bash" bash
    assert_output_is ""
    assert_equal "$(cat "$HUSK_TMP/husk.bash")" "$(husk completion bash)"
    run_husk completion --no-desc fish
    assert_output_contains "set -l desc 0"
    run_husk 125 completion powershell
    assert_output_contains "powershell completion is not supported"
    run_husk 125 completion tcsh
    assert_output_contains 'invalid argument "tcsh"'
    run_husk 125 completion
}

@test "zsh: the script parses, and passes the words to husk __complete" {
    command -v zsh >/dev/null || skip "zsh is not installed (scripts/install-deps.sh installs it)"
    husk_on_path
    husk completion zsh > "$HUSK_TMP/_husk"
    run zsh -n "$HUSK_TMP/_husk"
    [ "$status" -eq 0 ] || { echo "$output" >&2; return 1; }
    # Outside a completion widget: stand-ins for the zsh functions it calls.
    run zsh -c '
        _describe() { local -a a; a=("${(@P)4}"); print -rl -- "${a[@]}"; }
        _files() { print -r -- "(files)"; }
        compset() { :; }
        compdef() { :; }
        source "$1"
        words=(husk image ins); CURRENT=3; PREFIX=ins; _husk
        words=(husk --log-level=de); CURRENT=2; PREFIX=--log-level=de; _husk
        words=(husk load -i ""); CURRENT=4; PREFIX=""; _husk
    ' zsh "$HUSK_TMP/_husk"
    assert_output_is $'inspect:Display the configuration of an image\n--log-level=debug\n(files)'
}

@test "fish: the script parses, and completes through husk __complete" {
    command -v fish >/dev/null || skip "fish is not installed (scripts/install-deps.sh installs it)"
    husk_on_path
    husk completion fish > "$HUSK_TMP/husk.fish"
    run fish -n "$HUSK_TMP/husk.fish"
    [ "$status" -eq 0 ] || { echo "$output" >&2; return 1; }
    run_husk volume create v-one
    run fish --no-config -c "source '$HUSK_TMP/husk.fish'
        complete -C 'husk image ins'
        complete -C 'husk $(store_flags) volume rm '"
    assert_output_is $'inspect\tDisplay the configuration of an image\nv-one'
    husk completion --no-desc fish > "$HUSK_TMP/husk.fish"
    run fish --no-config -c "source '$HUSK_TMP/husk.fish'; complete -C 'husk image ins'"
    assert_output_is "inspect"
}
