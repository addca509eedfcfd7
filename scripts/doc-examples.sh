#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# doc-examples.sh PAGE.md...: run the shell examples of documentation pages
# against a built husk, so that the pages cannot go stale.
#   HUSK_BIN=build/husk HUSK_IMAGES=build/test-images scripts/doc-examples.sh docs/husk-stop.md
#
# The convention (docs/design/README.md, "Examples"):
#  - an example is a fenced block tagged `console`; in it a line starting
#    with "$ " is a command (continued while a line ends in "\"), every
#    other line is the output it shows;
#  - a command must exit 0, unless its output shows an "Error: " line (then
#    it must fail) or it ends in "echo $?" (then the last line it prints
#    must be the last line shown: the status the example shows);
#  - `<!-- setup: COMMAND -->` outside a block runs COMMAND there, unseen
#    by readers (the container "web" that a page's examples assume);
#  - `<!-- skip: REASON -->` right before a block leaves the block out.
#  - `<!-- skip-unless-root: REASON -->` leaves it out as a plain user (and
#    the set-up lines after it), as skip-without-cgroup does without a cgroup.
#  - `<!-- skip-without-cgroup: REASON -->` leaves it out (and the set-up
#    lines between) only where containers get no cgroup (an unprivileged
#    user on cgroup v1).
# Run by an unprivileged user, the pages run inside husk's user namespace
# (`husk unshare`), where `husk mount` works, as in Podman.
# Output is not compared otherwise: IDs, times and sizes change.
#
# Each page runs in one bash shell of its own (variables carry from one
# command to the next), in a scratch directory that holds the test images
# (busybox.docker.tar, rootfs.tar, bad/..., and build/test-images/ as in a
# checkout), with HOME there too, and `husk` on PATH bound to a fresh
# private store in which multi.docker.tar (husk-test/busybox and
# husk-test/layers) is loaded, and a containers.conf whose stop_timeout is
# 1 s instead of 10 (a sleep in a container ignores SIGTERM).  Prints "ok PAGE", "skip PAGE:LINE: REASON"
# or "FAIL PAGE:LINE: ..." lines; exits 1 when an example failed.
set -u
: "${HUSK_BIN:?set HUSK_BIN to the husk binary}" "${HUSK_IMAGES:?set HUSK_IMAGES to the test images}"
HUSK_BIN=$(realpath "$HUSK_BIN")
if [ "$(id -u)" -ne 0 ] && [ -z "${_HUSK_USERNS_UID:-}" ]; then
    exec "$HUSK_BIN" unshare "$0" "$@"
fi
no_cgroup=0
if [ -n "${_HUSK_USERNS_UID:-}" ] && [ "$(stat -f -c %T /sys/fs/cgroup)" != cgroup2fs ]; then
    no_cgroup=1
fi
plain_user=0
[ -n "${_HUSK_USERNS_UID:-}" ] && plain_user=1
HUSK_IMAGES=$(realpath "$HUSK_IMAGES")

# parse PAGE: one record per command, skipped block or misplaced prompt,
# each "KIND US LINE US EXPECT US LAST US TEXT" and a NUL (US, the unit
# separator \037, is no character of a page, and not white space to read):
#   C  a command: EXPECT is 0, fail or echo; LAST the last output line shown
#   S  a skipped block: TEXT is the reason
#   B  a "$ " line in a block not tagged console
parse() {
    awk -v nocg="$no_cgroup" -v plain="$plain_user" '
    function flush() {
        if (cmd != "")
            printf "C\037%d\037%s\037%s\037%s%c", at, (cmd ~ /echo \$\?$/ ? "echo" : err ? "fail" : "0"), last, cmd, 0
        cmd = ""
    }
    /^```/ && !inb {
        inb = 1; lang = substr($0, 4); skipping = (skip != ""); cgskip = 0
        if (skipping && lang == "console") printf "S\037%d\037\037\037%s%c", NR, skip, 0
        skip = ""; next
    }
    /^```/ && inb { flush(); inb = 0; next }
    !inb && /^<!-- skip: .* -->$/ { skip = substr($0, 12, length($0) - 15); next }
    !inb && /^<!-- skip-without-cgroup: .* -->$/ {
        if (nocg) { skip = "needs a cgroup: " substr($0, 27, length($0) - 30); cgskip = 1 }
        next
    }
    !inb && /^<!-- skip-unless-root: .* -->$/ {
        if (plain) { skip = "needs root: " substr($0, 24, length($0) - 27); cgskip = 1 }
        next
    }
    !inb && cgskip && /^<!-- setup: .* -->$/ { next }
    !inb && /^<!-- setup: .* -->$/ {
        printf "C\037%d\0370\037\037%s%c", NR, substr($0, 13, length($0) - 16), 0; next
    }
    !inb { next }
    lang != "console" { if (/^\$ /) printf "B\037%d\037\037\037%s%c", NR, $0, 0; next }
    skipping { next }
    cont { cmd = cmd "\n" $0; cont = /\\$/; next }
    /^\$ / { flush(); cmd = substr($0, 3); at = NR; cont = /\\$/; err = 0; last = ""; next }
    /^Error: / { err = 1 }
    $0 != "" { last = $0 }
    END { flush() }
    ' "$1"
}

# run_page PAGE: run its examples in a scratch directory; print the result.
run_page() {
    local page=$1 abs scratch f rc
    abs=$(realpath "$page")
    # A page without examples needs no store.
    grep -q -e '^```console' -e '^<!-- setup: ' -e '^\$ ' "$abs" || return 0
    scratch=$(mktemp -d "${TMPDIR:-/tmp}/husk-doc.XXXXXX")
    mkdir -p "$scratch/bin" "$scratch/home" "$scratch/build"
    # Networks are host-wide (files in the network config dir): each page
    # gets a directory of its own, so pages side by side may name one alike.
    printf '#!/bin/sh\nexec "%s" --root "%s/store/root" --runroot "%s/store/run" --network-config-dir "%s/networks" "$@"\n' \
        "$HUSK_BIN" "$scratch" "$scratch" "$scratch" >"$scratch/bin/husk"
    chmod +x "$scratch/bin/husk"
    for f in "$HUSK_IMAGES"/*; do ln -s "$f" "$scratch/"; done
    ln -s "$HUSK_IMAGES" "$scratch/build/test-images"
    cp -a "$template" "$scratch/store"
    # A container's sleep ignores SIGTERM: stop and rm -f would wait 10 s.
    printf '[engine]\nstop_timeout = 1\n' >"$scratch/containers.conf"

    (SECONDS=0; cd "$scratch" && HOME=$scratch/home PATH=$scratch/bin:$PATH CONTAINERS_CONF=$scratch/containers.conf examples "$page" 3< <(parse "$abs"))
    rc=$?
    # An example that runs `exit`, or sources what bash cannot parse, ends
    # the examples' shell: say so rather than fail silently.
    if [ ! -e "$scratch/home/.done" ]; then
        echo "FAIL $page:$(cat "$scratch/home/.line" 2>/dev/null): the examples' shell ended here (exit status $rc)"
        rc=1
    fi
    # Leave nothing behind: containers, mounts below the store, files.
    "$scratch/bin/husk" rm -a -f -t 0 >/dev/null 2>&1
    grep -F " $scratch/" /proc/self/mountinfo | awk '{print $5}' | sort -r \
        | while read -r f; do umount -l "$f"; done
    rm -rf "$scratch"
    return "$rc"
}

# examples PAGE (records on fd 3): run each command in this shell, so that
# an example's variables and cd reach the next one.  The runner's own names
# start with __ to stay out of the examples' way.
examples() {
    local __page=$1 __kind __line __expect __last __cmd __rec __st=0 __got __failed=0
    while IFS= read -r -d '' __rec <&3; do
        IFS=$'\037' read -r __kind __line __expect __last __cmd <<<"${__rec%%$'\n'*}"
        [[ $__rec == *$'\n'* ]] && __cmd+=$'\n'${__rec#*$'\n'}
        case $__kind in
            S) echo "skip $__page:$__line: $__cmd"; continue ;;
            B) echo "FAIL $__page:$__line: a \"\$ \" example outside a \`\`\`console block: $__cmd"
               __failed=1; continue ;;
        esac
        echo "$__line" >"$HOME/.line"
        # $? as the previous example left it, for a following "echo $?".
        (exit "$__st")
        eval "$__cmd" >"$HOME/.out" 2>&1 </dev/null
        __st=$?
        __got=$(sed '/^$/d' "$HOME/.out" | tail -n 1)
        case $__expect in
            0) [ "$__st" -eq 0 ] && continue ;;
            fail) [ "$__st" -ne 0 ] && continue ;;
            echo) [ "$__got" = "$__last" ] && continue ;;
        esac
        echo "FAIL $__page:$__line: \$ $__cmd"
        case $__expect in
            echo) echo "  the last line printed is not the one shown: $__last; output:" ;;
            *) echo "  exit status $__st, expected ${__expect/fail/non-zero}; output:" ;;
        esac
        sed 's/^/  | /' "$HOME/.out"
        __failed=1
    done
    touch "$HOME/.done"
    [ "$__failed" -eq 0 ] && echo "ok $__page (${SECONDS}s)"
    return "$__failed"
}

# Pages run side by side (HUSK_DOC_JOBS at a time, default 4): most of
# their time is spent waiting (stop timeouts, sleeps in examples), not
# computing.  Each page's report is printed whole, in the order given.
out=$(mktemp -d "${TMPDIR:-/tmp}/husk-doc-out.XXXXXX")
# One store with the images loaded, copied for each page: a copy costs a
# quarter of a load (the store holds no absolute paths).
template=$out/store
"$HUSK_BIN" --root "$template/root" --runroot "$out/run" load -i "$HUSK_IMAGES/multi.docker.tar" >/dev/null \
    || { echo "FAIL: cannot load $HUSK_IMAGES/multi.docker.tar"; exit 1; }
i=0
for page in "$@"; do
    while [ "$(jobs -rp | wc -l)" -ge "${HUSK_DOC_JOBS:-4}" ]; do wait -n; done
    { run_page "$page"; echo $? >"$out/$i.rc"; } >"$out/$i" 2>&1 &
    i=$((i + 1))
done
wait
status=0
for ((j = 0; j < i; j++)); do
    cat "$out/$j"
    [ "$(cat "$out/$j.rc" 2>/dev/null)" = 0 ] || status=1
done
rm -rf "$out"
exit "$status"
