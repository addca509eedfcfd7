#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# md2man.sh GO_MD2MAN IN.md OUT: turn one page of docs/ into a roff man page.
#
# go-md2man (2.0) does the conversion; this script mends what it renders
# badly on a terminal, so that the pages can stay plain markdown:
#  - links: [husk-run(1)](husk-run.md) would print the file name after the
#    page name, and inside a table it breaks the row in two.  Links to .md
#    files become their text; a link to format.md becomes husk-format(7),
#    the man page that file is installed as, and a link to a design note
#    its path in the source tree (docs/design/containers.md), since those
#    notes are not installed.
#  - text lines that start with '.' or "'" (an example's "...", a quoted
#    word that go-md2man left at the start of a line) are requests to roff,
#    which drops them silently; they are escaped with \&.
#  - the doc test's markers (<!-- setup: ... -->, <!-- skip: ... -->, see
#    docs/design/README.md) are dropped: go-md2man warns about HTML.
#  - hyphenation: go-md2man turns it off before .TH, which turns it back
#    on; it is turned off after .TH instead, and groff is told not to
#    break lines after a hyphen either, so option names and paths
#    (--no-healthcheck, ctrl-p) are never split.
#  - tables: tbl sizes a plain cell to its text, so a long cell makes the
#    table wider than the page.  The last column of every table becomes an
#    expanding column of text blocks (lx, T{ T}), which wrap, left-aligned
#    and unhyphenated.
set -eu

if [ $# -ne 3 ]; then
    echo "usage: md2man.sh GO_MD2MAN IN.md OUT" >&2
    exit 2
fi
md2man=$1 in=$2 out=$3

sed -e '/^<!-- .* -->$/d' \
    -e 's/\[format[^]]*\](format\.md)/husk-format(7)/g' \
    -e 's/\[[^]]*\](design\/\([^)#]*\.md\)\(#[^)]*\)\{0,1\})/docs\/design\/\1/g' \
    -e 's/\[\([^]]*\)\]([^)]*\.md\(#[^)]*\)\{0,1\})/\1/g' \
    "$in" >"$out.md"
"$md2man" -in "$out.md" -out "$out.roff"
rm -f "$out.md"

awk '
function wrap_last(line,    n, i, f, s) {
    n = split(line, f, "\t")
    if (f[n] == "" || f[n] == "T}")
        return line
    s = ""
    for (i = 1; i < n; i++)
        s = s f[i] "\t"
    return s "T{\n.nh\n.ad l\n" f[n] "\nT}"
}
NR == 1 && $0 == ".nh" { next }
/^\.TH / {
    print; print ".nh"
    print ".if \\n(.g .cflags 0 -\\[hy]\\[em]"
    next
}
/^\.TS$/ { print; state = "format"; next }
state == "format" {
    if ($0 ~ / \.$/) {
        sub(/l \.$/, "lx .")
        state = "header"
    } else if ($0 ~ /l *$/) {
        sub(/l *$/, "lx ")
    }
    print; next
}
state == "header" { print; state = (/T\{$/ ? "header-block" : "body"); next }
state == "header-block" { print; if (/^T\}/ && !/T\{$/) state = "body"; next }
/^\.TE$/ { print; state = ""; next }
state == "body" && block {
    if (!/^T\}/) {
        if (/^[.\047]/) $0 = "\\&" $0
        print; next
    }
    block = 0
    if ($0 == "T}") { print; next }
}
state == "body" {
    if (/^[.\047]/) $0 = "\\&" $0
    if (/T\{$/) { block = 1; print; print ".nh"; print ".ad l"; next }
    print wrap_last($0); next
}
/^[.\047]/ && !/^\.(TH|SH|SS|PP|IP|TP|RS|RE|nf|fi|nh|ad|br|sp|EX|EE)( |$)/ {
    $0 = "\\&" $0
}
{ print }
' "$out.roff" >"$out.tmp"
rm -f "$out.roff"
mv "$out.tmp" "$out"
