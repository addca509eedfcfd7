#!/usr/bin/env bats
# Man pages: every command the binary lists has one (a page of its own in
# docs/, or the page its group's COMMANDS table names, installed as a
# ".so" alias), and `meson install` (what `make install` runs) puts them
# where man(1) finds them.  The command tree comes from the binary's own
# --help, so a new command without a page fails here.  The pages cannot go
# stale: their examples run (scripts/doc-examples.sh, conventions in
# docs/design/README.md), their OPTIONS sections list exactly the flags of
# `husk __flags`, and docs/flags.md is what scripts/flags-table.sh makes of
# it.  The rootless pass (tests/run-all.sh) copies docs/, scripts/ and
# README.md beside the tests; the examples then run inside husk's user
# namespace.  A copy of the tests alone skips.
load helpers

DOCS=$HUSK_TOP/docs

docs_or_skip() {
    if [ ! -d "$DOCS" ] || [ ! -f "$DOCS/man-links.sh" ]; then
        skip "no docs/ beside the tests (a copy of tests/ alone)"
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

# The flags the page of command path PATH documents: "--long<TAB>short" (or
# "-"), from the "#### **--flag**, **-x**" headings of its OPTIONS section
# (GLOBAL OPTIONS of husk.md for the global flags).  `run` takes all of
# create's flags, which husk-create.md describes.
page_of() {
    local p=husk-${1// /-}
    [ "$1" = "(global)" ] && p=husk
    if [ ! -f "$DOCS/$p.md" ]; then
        p=$(sh "$DOCS/man-links.sh" "$DOCS" | awk -v a="$p" '$1 == a { print $2 }')
    fi
    echo "$p"
}

page_flags() { # page section
    awk -v sect="$2" '
    /^## / { on = ($0 == "## " sect); next }
    on && /^#### / {
        s = $0; long = ""
        while (match(s, /\*\*-[-A-Za-z0-9]+\*\*/)) {
            t = substr(s, RSTART + 2, RLENGTH - 4); s = substr(s, RSTART + RLENGTH)
            if (t ~ /^--/) { if (long != "") print long "\t" short; long = t; short = "-" }
            else short = substr(t, 2)
        }
        if (long != "") print long "\t" short
    }' "$DOCS/$1.md" | grep -v '^--help' || true
}

@test "every page's OPTIONS name exactly the flags husk __flags lists for its command" {
    docs_or_skip
    local table cmd page sect flag short want have bad=()
    table=$(husk __flags)
    [ -n "$table" ]
    while IFS= read -r cmd; do
        page=$(page_of "$cmd")
        [ -n "$page" ] || { bad+=("husk $cmd: no page"); continue; }
        sect=OPTIONS; [ "$cmd" = "(global)" ] && sect="GLOBAL OPTIONS"
        have=$(page_flags "$page" "$sect")
        case $cmd in run|"container run") have+=$'\n'$(page_flags husk-create OPTIONS) ;; esac
        have=$(sort -u <<<"$have")
        # Every supported flag has a section, with its short form.
        want=$(awk -F '\t' -v c="$cmd" '$1 == c && $4 == "supported" { print $2 "\t" $3 }' <<<"$table" | sort -u)
        while IFS=$'\t' read -r flag short; do
            [ -n "$flag" ] || continue   # no supported flag at all
            if ! grep -q -- "^$flag"$'\t' <<<"$have"; then
                bad+=("docs/$page.md: no section for $flag under ## $sect (husk $cmd supports it)")
            elif ! grep -qx -- "$flag"$'\t'"$short" <<<"$have"; then
                bad+=("docs/$page.md: $flag: short form '$short' in husk $cmd, '$(awk -F '\t' -v f="$flag" '$1 == f { print $2 }' <<<"$have" | paste -sd,)' on the page ('-' is none)")
            fi
        done <<<"$want"
        # Every section names a flag the command has (supported or refused).
        while IFS=$'\t' read -r flag short; do
            [ -n "$flag" ] || continue
            awk -F '\t' -v c="$cmd" -v f="$flag" '$1 == c && $2 == f { found = 1 } END { exit !found }' <<<"$table" \
                || bad+=("docs/$page.md: a section for $flag, which husk $cmd does not have")
        done <<<"$(page_flags "$page" "$sect")"
    done < <(cut -f1 <<<"$table" | sort -u)
    if [ ${#bad[@]} -gt 0 ]; then
        printf '%s\n' "${bad[@]}" | sort -u >&2
        return 1
    fi
}

@test "docs/flags.md is what scripts/flags-table.sh generates from husk __flags" {
    docs_or_skip
    [ -f "$HUSK_TOP/scripts/flags-table.sh" ] || skip "no scripts/ beside the tests"
    run sh "$HUSK_TOP/scripts/flags-table.sh" "$HUSK_BIN"
    [ "$status" -eq 0 ]
    if [ "$output" != "$(cat "$DOCS/flags.md")" ]; then
        diff <(echo "$output") "$DOCS/flags.md" >&2 || true
        echo "docs/flags.md is out of date: run \`make flags-table\` and commit it" >&2
        return 1
    fi
}

# The runner of the examples, tried on a page made here: a failing example,
# a wrong status after "echo $?", a "$ " line outside a console block and a
# skipped block are each reported; a good page passes.
@test "doc-examples.sh fails a page whose example fails, and passes a good one" {
    docs_or_skip
    local page=$HUSK_TMP/page.md
    {
        echo '<!-- setup: husk create --name web husk-test/busybox -->'
        echo '```console'
        echo '$ husk ps -a --format "{{.Names}}"'
        echo 'web'
        echo '$ husk rm nothere'
        echo 'Error: no container with name or ID "nothere" found: no such container'
        echo '$ husk rmi nothere; echo $?'
        echo '1'
        echo '```'
        echo '<!-- skip: needs registries (issue 12) -->'
        echo '```console'
        echo '$ husk pull busybox'
        echo '```'
    } >"$page"
    run env HUSK_BIN="$HUSK_BIN" HUSK_IMAGES="$HUSK_IMAGES" "$HUSK_TOP/scripts/doc-examples.sh" "$page"
    [ "$status" -eq 0 ] || { echo "$output" >&2; return 1; }
    assert_output_contains "skip $page:11: needs registries (issue 12)"
    assert_output_contains "ok $page"

    printf '```console\n$ husk inspect nothere\n$ husk rmi nothere; echo $?\n2\n```\n```\n$ husk ps\n```\n' >"$page"
    run env HUSK_BIN="$HUSK_BIN" HUSK_IMAGES="$HUSK_IMAGES" "$HUSK_TOP/scripts/doc-examples.sh" "$page"
    [ "$status" -eq 1 ]
    assert_output_contains "FAIL $page:2: \$ husk inspect nothere"
    assert_output_contains "FAIL $page:3: \$ husk rmi nothere; echo \$?"
    assert_output_contains "FAIL $page:7: a \"\$ \" example outside a \`\`\`console block"
}

@test "every example in README.md and docs/ runs as written" {
    docs_or_skip
    [ -x "$HUSK_TOP/scripts/doc-examples.sh" ] || skip "no scripts/ beside the tests"
    run env HUSK_BIN="$HUSK_BIN" HUSK_IMAGES="$HUSK_IMAGES" "$HUSK_TOP/scripts/doc-examples.sh" "$HUSK_TOP/README.md" "$DOCS"/*.md "$DOCS"/design/*.md
    echo "$output" | grep -v '^ok ' >&3 || true   # the skips and their reasons
    if [ "$status" -ne 0 ]; then
        echo "$output" | grep -v '^ok ' >&2
        echo "(one page: HUSK_BIN=build/husk HUSK_IMAGES=build/test-images scripts/doc-examples.sh docs/PAGE.md)" >&2
        return 1
    fi
}
