#!/usr/bin/env bats
# Man pages: every command the binary lists has one (a page of its own in
# docs/, or the page its group's COMMANDS table names, installed as a
# ".so" alias), and `meson install` (what `make install` runs) puts them
# where man(1) finds them.  The command tree comes from the binary's own
# --help, so a new command without a page fails here.  The rootless pass
# runs from a copy without docs/ (tests/run-all.sh): there it is skipped.
load helpers

DOCS=$HUSK_TOP/docs

docs_or_skip() {
    if [ ! -d "$DOCS" ] || [ ! -f "$DOCS/man-links.sh" ]; then
        skip "no docs/ beside the tests (the rootless pass copies only tests/system)"
    fi
}

# help_of WORDS...: `husk WORDS --help` with the command path replaced by
# CMD, so two names of one command give the same text.
help_of() {
    husk "$@" --help | sed "s/^\(  *husk\) $*\( \|\$\)/\1 CMD\2/"
}

@test "every command has a man page: its own, or the one its group's table names" {
    docs_or_skip
    local -A alias=()
    local a t cmd verb page missing=()
    while read -r a t; do alias[$a]=$t; done < <(sh "$DOCS/man-links.sh" "$DOCS")

    local top
    top=$(commands_of)
    [[ $'\n'$top$'\n' == *$'\nrun\n'* ]]    # the walk itself works
    for cmd in $top; do
        [ -f "$DOCS/husk-$cmd.md" ] || missing+=("husk $cmd: no docs/husk-$cmd.md")
        is_group "$cmd" || continue
        for verb in $(commands_of "$cmd"); do
            page=husk-$cmd-$verb
            [ -f "$DOCS/$page.md" ] && continue
            t=${alias[$page]:-}
            if [ -z "$t" ]; then
                missing+=("husk $cmd $verb: no docs/$page.md and no row in the COMMANDS table of docs/husk-$cmd.md")
            elif [ ! -f "$DOCS/$t.md" ]; then
                missing+=("husk $cmd $verb: docs/husk-$cmd.md names $t, which has no docs/$t.md")
            fi
        done
    done
    if [ ${#missing[@]} -gt 0 ]; then
        printf 'missing man page: %s\n' "${missing[@]}" >&2
        return 1
    fi
}

@test "group tables list exactly the group's commands, and an alias page is the same command" {
    docs_or_skip
    local rows cmd verb target listed actual bad=()
    rows=$(sh "$DOCS/man-links.sh" --rows "$DOCS")
    for cmd in $(commands_of); do
        is_group "$cmd" || continue
        listed=$(awk -v g="$cmd" '$1 == g { print $2 }' <<<"$rows" | sort)
        actual=$(commands_of "$cmd" | sort)
        if [ "$listed" != "$actual" ]; then
            bad+=("docs/husk-$cmd.md lists [${listed//$'\n'/ }], husk $cmd --help [${actual//$'\n'/ }]")
        fi
    done
    while read -r cmd verb target; do
        if [ -f "$DOCS/husk-$cmd-$verb.md" ]; then
            [ "$target" = "husk-$cmd-$verb" ] \
                || bad+=("docs/husk-$cmd.md: $verb names $target, but docs/husk-$cmd-$verb.md exists")
            continue
        fi
        # husk-rmi -> "rmi", husk-image-inspect -> "image inspect"
        local words=${target#husk-}
        words=${words/-/ }
        # shellcheck disable=SC2086
        if [ "$(help_of "$cmd" "$verb")" != "$(help_of $words)" ]; then
            bad+=("husk $cmd $verb and husk $words differ in --help: the alias page $target is wrong")
        fi
    done <<<"$rows"
    if [ ${#bad[@]} -gt 0 ]; then
        printf '%s\n' "${bad[@]}" >&2
        return 1
    fi
}

@test "meson install puts the man pages in MANDIR/man1 and man renders them" {
    docs_or_skip
    # The build directory of the husk under test (build/ for make check).
    local build
    build=$(dirname "$HUSK_BIN")
    [ -f "$build/build.ninja" ] || skip "$HUSK_BIN is not in a meson build directory"
    command -v go-md2man >/dev/null || skip "go-md2man is not installed (scripts/install-deps.sh installs it)"
    command -v man >/dev/null && command -v groff >/dev/null \
        || skip "man is not installed (scripts/install-deps.sh installs man-db)"
    [ -w "$build" ] || skip "meson install writes its log into $build, which this user cannot write"
    grep -q 'docs/husk-run\.1' "$build/build.ninja" \
        || skip "$build was configured without go-md2man: run make to configure it again"

    local dest=$HUSK_TMP/dest
    run meson install -C "$build" --no-rebuild --destdir "$dest"
    [ "$status" -eq 0 ] || { echo "$output" >&2; return 1; }

    local run1 mandir
    run1=$(find "$dest" -path '*/man1/husk-run.1')
    [ -n "$run1" ]
    mandir=${run1%/man1/husk-run.1}

    # One page per docs/husk*.md, one per alias, and husk-format(7).
    local md page t f missing=()
    for md in "$DOCS"/husk*.md; do
        page=${md##*/}
        [ -f "$mandir/man1/${page%.md}.1" ] || missing+=("man1/${page%.md}.1")
    done
    while read -r page t; do
        [ "$(cat "$mandir/man1/$page.1" 2>/dev/null)" = ".so man1/$t.1" ] \
            || missing+=("man1/$page.1 as .so man1/$t.1")
    done < <(sh "$DOCS/man-links.sh" "$DOCS")
    [ -f "$mandir/man7/husk-format.7" ] || missing+=("man7/husk-format.7")
    if [ ${#missing[@]} -gt 0 ]; then
        printf 'not installed: %s\n' "${missing[@]}" >&2
        echo "(a new page needs meson to configure again: make does, ninja alone does not)" >&2
        return 1
    fi
    assert_equal "$(cat "$mandir/man1/husk-container-run.1")" ".so man1/husk-run.1"

    # man renders the page with its NAME line, and finds an alias by name.
    run env MANWIDTH=80 man -l "$mandir/man1/husk-run.1"
    [ "$status" -eq 0 ]
    assert_output_contains "husk-run - run a command in a new container"
    run env MANPATH="$mandir" MANWIDTH=80 man husk-image-rm
    [ "$status" -eq 0 ]
    assert_output_contains "husk-rmi - "

    # Every page renders without a complaint from groff, at man's line
    # length for an 80-column terminal ("cannot adjust line", a long path
    # that cannot be justified, is only cosmetic).  One groff run for all
    # pages: man -l takes a quarter of a second for each.
    local pages=() complaints
    for f in "$mandir"/man1/*.1 "$mandir"/man7/*.7; do
        grep -q '^\.so ' "$f" || pages+=("$f")
    done
    complaints=$(groff -man -Tutf8 -t -rLL=78n -z "${pages[@]}" 2>&1 \
                 | grep -v 'cannot adjust line' || true)
    if [ -n "$complaints" ]; then
        echo "$complaints" >&2
        return 1
    fi
}
