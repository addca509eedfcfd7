#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Banned functions (git's banned.h idea, as a check): unbounded or
# thread-unsafe string functions have safer replacements in util/strutil.h.
set -eu
cd "$(dirname "$0")/.."
bad=$(grep -nE '\b(strcpy|strcat|sprintf|vsprintf|strtok|gets|strncpy)[[:space:]]*\(' \
      $(find src tests -name '*.c' -o -name '*.h') | grep -vE '(snprintf|vsnprintf)' || true)
if [ -n "$bad" ]; then
    echo "lint: banned functions used:" >&2
    echo "$bad" >&2
    exit 1
fi
sh scripts/layers.sh
echo "lint: ok"
