#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Run every test suite and end with one line counting them all:
#   N passed, N failed
# Suites: lint, unit tests (normal and ASan/UBSan builds), short fuzz runs,
# system and security tests (BATS: tests/system, tests/security) as root
# and as the unprivileged user husktest, and a few system test files run
# with the ASan/UBSan husk, so that a leak in the CLI fails the check.
set -u
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
ASAN_BUILD=${ASAN_BUILD:-build-asan}
FUZZ_BUILD=${FUZZ_BUILD:-build-fuzz}
FUZZ_SECONDS=${FUZZ_SECONDS:-15}
passed=0
failed=0
skipped=0
failures=()

count() { # name status
    if [ "$2" -eq 0 ]; then passed=$((passed + 1)); else failed=$((failed + 1)); failures+=("$1"); fi
}

# meson test: count each test of the suite.
meson_suite() { # label builddir
    local log=$2/meson-logs/testlog.json out
    out=$(meson test -C "$2" --print-errorlogs 2>&1); echo "$out" | tail -n 15
    if [ -f "$log" ]; then
        while IFS=$'\t' read -r name result; do
            [ "$result" = OK ] && count "$1/$name" 0 || count "$1/$name" 1
        done < <(jq -r '[.name, .result] | @tsv' "$log")
    else
        count "$1" 1
    fi
}

echo "== lint"
sh scripts/lint.sh; count lint $?

echo "== unit tests"
meson_suite unit "$BUILD"
echo "== unit tests (ASan/UBSan)"
ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
    meson_suite unit-asan "$ASAN_BUILD"

# The slow parts (fuzz, the root BATS pass, the ASan BATS files, the
# rootless BATS pass) share nothing but the registry fixture, so they run
# at once, each into its own log, and are reported in this order after.
# HUSK_CHECK_SERIAL=1 runs them one after another (to read a failure
# without the others' load).
logs=$(mktemp -d /tmp/husk-check.XXXXXX)
parts=()
part() { # name command...
    local name=$1; shift
    parts+=("$name")
    if [ "${HUSK_CHECK_SERIAL:-0}" = 1 ]; then
        part_run "$name" "$@"
    else
        part_run "$name" "$@" &
    fi
}
part_run() { # name command...
    local name=$1 t0=$SECONDS; shift
    "$@" >"$logs/$name.log" 2>&1 </dev/null
    echo "$name: $((SECONDS - t0)) s" >"$logs/$name.time"
    echo "== $name done in $((SECONDS - t0)) s"
}

# Fuzz: one "ok NAME" / "not ok NAME" line per target, as TAP.
fuzz_all() {
    local f name corpus work
    for f in "$FUZZ_BUILD"/tests/fuzz/fuzz-*; do
        [ -f "$f" ] && [ -x "$f" ] || continue
        name=$(basename "$f"); corpus=tests/fuzz/corpus/${name#fuzz-}
        work=$(mktemp -d); [ -d "$corpus" ] && cp -r "$corpus"/. "$work"/
        if "$f" -max_total_time="$FUZZ_SECONDS" -timeout=10 -rss_limit_mb=2048 "$work" \
            >"$work.log" 2>&1; then
            echo "ok $name"
        else
            echo "not ok $name"; tail -n 40 "$work.log"
        fi
        rm -rf "$work" "$work.log"
    done
}

# TAP lines of a part's log, counted under a label.
count_tap() { # label log
    local label=$1 line
    while IFS= read -r line; do
        echo "$line"
        case $line in
            "ok "*"# skip"*) skipped=$((skipped + 1)) ;;
            "ok "*) count "$label" 0 ;;
            "not ok "*) count "$label: ${line#not ok }" 1 ;;
        esac
    done <"$2"
}

# The local registries of the pull tests (tests/registry/registry.sh),
# started once for all BATS passes: root installs their CA in certs.d and
# makes the directory readable, so husktest's husk uses them too.  Stopped
# on any exit.  Without them, tests/system/210-pull.bats starts its own.
reg_dir=
rl=
stop_registry() {
    if [ -n "$reg_dir" ]; then
        bash tests/registry/registry.sh stop "$reg_dir" || true
        reg_dir=
    fi
}
cleanup() {
    stop_registry
    [ -n "$rl" ] && rm -rf "$rl"
    rm -rf "$logs"
}
trap cleanup EXIT
trap 'kill $(jobs -p) 2>/dev/null; exit 130' INT TERM
echo "== registry fixture"
reg_dir=$(mktemp -d /tmp/husk-registry.XXXXXX)
if HUSK_IMAGES=$(realpath "$BUILD/test-images") bash tests/registry/registry.sh start "$reg_dir"; then
    export HUSK_REG_ENV=$reg_dir/env
    count registry-fixture 0; echo "ok registry fixture in $reg_dir"
else
    count registry-fixture 1; echo "not ok registry fixture"
    stop_registry
fi

part fuzz fuzz_all
part root bats --tap tests/system tests/security
# helpers.bash runs $HUSK_BIN; husk finds husk-monitor next to itself.  A
# leak makes husk exit 23 and print its report, which fails the test.
asan_husk=$(realpath "$ASAN_BUILD/husk")
part asan env HUSK_BIN="$asan_husk" ASAN_OPTIONS=detect_leaks=1 \
    UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
    bats --tap tests/system/001-basic.bats tests/system/010-images.bats \
        tests/system/016-completion.bats tests/system/220-bridge.bats
if id husktest >/dev/null 2>&1; then
    # The checkout may sit where a plain user cannot read (CI clones
    # anywhere): give husktest its own copy of the binaries, tests, images.
    rl=$(mktemp -d /tmp/husk-rootless.XXXXXX)
    mkdir -p "$rl/bin" "$rl/tests"
    cp "$BUILD/husk" "$BUILD/husk-monitor" "$rl/bin/"
    for b in husk-registry husk-netconf husk-pause; do
        [ -x "$BUILD/$b" ] && cp "$BUILD/$b" "$rl/bin/"
    done
    # tests/security loads ../system/helpers: keep the two side by side;
    # 015-docs runs the pages' examples (scripts/doc-examples.sh).
    cp -r tests/system tests/security tests/registry tests/helpers "$rl/tests/"
    cp -r docs scripts README.md "$rl/"
    cp -r "$BUILD/test-images" "$rl/images"
    chmod -R a+rX "$rl"
    reg_env=
    [ -n "${HUSK_REG_ENV:-}" ] && reg_env="HUSK_REG_ENV='$HUSK_REG_ENV'"
    part rootless su husktest -s /bin/bash -c \
        "cd '$rl' && $reg_env HUSK_BIN='$rl/bin/husk' HUSK_IMAGES='$rl/images' HUSK_ROOTLESS_RUN=1 bats --tap tests/system tests/security"
fi
wait

declare -A title=(
    [fuzz]="fuzz (${FUZZ_SECONDS}s each)"
    [root]="system and security tests (root)"
    [asan]="system tests with the ASan/UBSan husk"
    [rootless]="system and security tests (rootless, as husktest)"
)
for p in "${parts[@]}"; do
    echo "== ${title[$p]}"
    label=$p; [ "$p" = root ] && label=system
    [ "$p" = fuzz ] && label=fuzz
    count_tap "$label" "$logs/$p.log"
done
# The suite's commands shared husktest's user namespace: stop its pause
# process, which would otherwise outlive the run.
if [ -n "$rl" ]; then
    su husktest -s /bin/bash -c "'$rl/bin/husk' system migrate" || true
fi
echo "== time per part"
cat "$logs"/*.time

# The host survived the suite: a test or a bug that replaced or chowned
# these (cp onto /dev/stdout once made it a file) breaks the machine for
# everything after it.
echo "== host nodes"
host_ok=$(stat -c '%F %t:%T %a %u:%g' /dev/null)
if [ "$host_ok" = "character special file 1:3 666 0:0" ] && [ -L /dev/stdout ]; then
    count host-nodes 0
else
    echo "host nodes damaged: /dev/null is '$host_ok', /dev/stdout: $(ls -l /dev/stdout)"
    count host-nodes 1
fi

stop_registry

echo
for f in "${failures[@]}"; do echo "FAILED: $f"; done
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
