#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# The layering of libhusk (docs/design/README.md), checked from the
# #include lines: no folder of src/lib may reach itself again through
# the folders it includes (no two folders call each other in a circle),
# nothing under src/lib may include cli/ or api/, and only the front
# ends include ops/.
set -eu
cd "$(dirname "$0")/.."
edges=$(mktemp)
trap 'rm -f "$edges"' EXIT
for f in $(find src/lib -name '*.c' -o -name '*.h'); do
    from=$(echo "$f" | cut -d/ -f3)
    sed -n 's|^#include "\([a-z0-9_-]*\)/.*|\1|p' "$f" | sort -u |
        while read -r to; do
            [ "$to" = "$from" ] || echo "$from $to $f"
        done
done >"$edges"
fail=0
bad=$(awk '$2 == "cli" || $2 == "api" || ($2 == "ops" && $1 != "ops")' "$edges")
if [ -n "$bad" ]; then
    echo "layers: libhusk reaching up into a front end or ops/:" >&2
    echo "$bad" >&2
    fail=1
fi
# A cycle exists when tsort cannot order the folder graph.
if ! cut -d' ' -f1,2 "$edges" | sort -u | tsort >/dev/null 2>"$edges.err"; then
    echo "layers: folders of src/lib include each other in a circle:" >&2
    cat "$edges.err" >&2
    fail=1
fi
rm -f "$edges.err"
[ "$fail" = 0 ] && echo "layers: ok"
exit "$fail"
