#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# man-links.sh [--rows] DOCS_DIR: the alias man pages of the group commands.
#
# A group page, docs/husk-GROUP.md (GROUP is one word), lists the group's
# commands in its COMMANDS table, each with the page that describes it:
#
#   | ls | [husk-ps(1)](husk-ps.md) | List containers |
#
# Most group commands are top-level commands under a second name, so they
# have no page of their own: `husk container ls` is `husk ps`, `husk image
# rm` is `husk rmi`.  For each row whose command has no page of its own
# (no docs/husk-GROUP-VERB.md), this prints "ALIAS TARGET", for example
# "husk-container-ls husk-ps"; docs/meson.build installs ALIAS.1 as a
# ".so man1/TARGET.1" page, as Podman does.  With --rows it prints every
# row instead, as "GROUP VERB TARGET", for tests/system/015-docs.bats,
# which checks the tables against the binary's --help: every command
# listed, and each alias the same command as its target.
set -eu

rows=false
if [ "${1:-}" = --rows ]; then
    rows=true
    shift
fi
docs=${1:-.}

for page in "$docs"/husk-*.md; do
    [ -e "$page" ] || continue
    group=${page##*/husk-}
    group=${group%.md}
    case $group in *-*) continue ;; esac
    awk '
        /^## / { in_commands = ($0 == "## COMMANDS"); next }
        in_commands && /^\|/ {
            split($0, cell, "|")
            verb = cell[2]
            gsub(/[ `]/, "", verb)
            if (verb != "" && match(cell[3], /\]\(husk[a-z0-9-]*\.md\)/))
                print verb, substr(cell[3], RSTART + 2, RLENGTH - 6)
        }' "$page" |
    while read -r verb target; do
        if $rows; then
            echo "$group $verb $target"
        elif [ ! -e "$docs/husk-$group-$verb.md" ]; then
            echo "husk-$group-$verb $target"
        fi
    done
done
