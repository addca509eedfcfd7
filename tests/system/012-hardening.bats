#!/usr/bin/env bats
# The built binaries carry the hardening meson.build asks for (issue 9):
# husk runs as root and parses archives others made, so a flag that
# silently fell out of the build (a meson edit, a new link mode) should
# fail here, not go unnoticed.  Everything is read back from the ELF files
# with binutils (readelf, objdump), for husk and for the husk-monitor that
# husk runs from beside itself (src/lib/container/monitor.c).
#
# Compiler flags leave no header bit of their own, so they are checked by
# their effect on husk's own code: functions named husk_* (exported, so
# never third-party code; the static archives of libarchive, sqlite and
# the others are Debian's and come with Debian's own flags), cmd_* and
# mon_*.  This needs the symbol table: the build leaves it in.
load helpers

MONITOR_BIN=$(dirname "$HUSK_BIN")/husk-monitor

# Disassemble both binaries once for the whole file (a few seconds).
setup_file() {
    local b
    for b in "$HUSK_BIN" "$MONITOR_BIN"; do
        [ -f "$b" ] || continue
        objdump -d -w --no-show-raw-insn "$b" > "$BATS_FILE_TMPDIR/$(basename "$b").dis"
    done
}

binaries() { echo "$HUSK_BIN" "$MONITOR_BIN"; }

# need_symtab BIN: fail (not skip) when the symbol table is gone.
need_symtab() {
    if ! readelf -SW "$1" | grep -q ' \.symtab '; then
        echo "$1 is stripped: the compiler-flag checks need its symbol table" >&2
        return 1
    fi
}

# own_calls BIN REGEX: how many calls or tail jumps from husk's own
# functions (husk_*, cmd_*, mon_*, with their .cold/.part clones) go to a
# symbol matching REGEX.
own_calls() {
    awk -v re="$2" '
        /^[0-9a-f]+ <.*>:$/ { fn = $2; own = fn ~ /^<(husk_|cmd_|mon_)/; next }
        own && ($2 ~ /^(call|jmp)$/) && $0 ~ ("<" re "(@plt)?>") { n++ }
        END { print n + 0 }' "$BATS_FILE_TMPDIR/$(basename "$1").dis"
}

# endbr_count BIN: "TOTAL MISSING": how many exported husk_* functions
# (and main) BIN defines, and how many of them do not start with endbr64
# (the first few are named on stderr).
endbr_count() {
    local dis
    dis=$BATS_FILE_TMPDIR/$(basename "$1").dis
    readelf -sW "$1" |
        awk '$4 == "FUNC" && $5 == "GLOBAL" && $7 != "UND" && ($8 == "main" || $8 ~ /^husk_/) { print $8 }' |
        awk '
            NR == FNR { want[$1] = 1; next }
            /^[0-9a-f]+ <.*>:$/ { fn = substr($2, 2, length($2) - 3); first = 1; next }
            first && NF >= 2 {
                first = 0
                if (!(fn in want)) next
                total++
                if ($2 != "endbr64" && ++bad <= 5) print "no endbr64: " fn > "/dev/stderr"
            }
            END { print total + 0, bad + 0 }' - "$dis"
}

@test "both binaries are position-independent executables (ELF type DYN, PIE)" {
    local b type
    for b in $(binaries); do
        type=$(readelf -hW "$b" | awk '$1 == "Type:" {print $2}')
        [ "$type" = DYN ] || { echo "$b: ELF type $type, not DYN" >&2; return 1; }
        readelf -dW "$b" | grep -E '\(FLAGS_1\)' | grep -qw PIE \
            || { echo "$b: DT_FLAGS_1 lacks PIE" >&2; return 1; }
    done
}

@test "both binaries have full RELRO: PT_GNU_RELRO and BIND_NOW" {
    local b
    for b in $(binaries); do
        readelf -lW "$b" | grep -qw GNU_RELRO || { echo "$b: no PT_GNU_RELRO" >&2; return 1; }
        readelf -dW "$b" | grep -qE '\(FLAGS\).*BIND_NOW|\(FLAGS_1\).*\bNOW\b' \
            || { echo "$b: neither DT_FLAGS BIND_NOW nor DT_FLAGS_1 NOW" >&2; return 1; }
    done
}

@test "both binaries ask for a non-executable stack (PT_GNU_STACK without E)" {
    local b flags
    for b in $(binaries); do
        # Without the header, x86-64 kernels map the stack executable.
        flags=$(readelf -lW "$b" | awk '$1 == "GNU_STACK" {print $7}')
        [ -n "$flags" ] || { echo "$b: no PT_GNU_STACK" >&2; return 1; }
        [[ $flags != *E* ]] || { echo "$b: GNU_STACK is $flags" >&2; return 1; }
    done
}

@test "husk's own functions are built with the stack protector" {
    local b n
    for b in $(binaries); do
        need_symtab "$b"
        n=$(own_calls "$b" '__stack_chk_fail')
        echo "$b: $n calls to __stack_chk_fail from husk's functions"
        [ "$n" -gt 0 ]
    done
}

@test "husk's own functions are built with _FORTIFY_SOURCE (calls to __*_chk)" {
    local b n
    for b in $(binaries); do
        need_symtab "$b"
        n=$(own_calls "$b" '__[a-z0-9_]+_chk')
        echo "$b: $n calls to __*_chk functions from husk's functions"
        [ "$n" -gt 0 ]
    done
}

# CET.  -fcf-protection marks each object with a .note.gnu.property of
# IBT and SHSTK, but the linker keeps the property only when every object
# in the link has it, and on Debian 12 glibc's own start files (Scrt1.o,
# rcrt1.o, crti.o, crtn.o), libc.a and the -dev archives are built
# without it: even `int main(void){return 0;}` built with -fcf-protection
# ends up without the note there.  What the flag does guarantee is
# husk's own code: every function that can be called indirectly (all the
# exported husk_* and main) starts with an endbr64 landing pad.  Where the
# whole link has the note (a CET-built distribution) it is checked too.
@test "husk's own code is built for CET: endbr64 at every exported function" {
    local b missing total
    for b in $(binaries); do
        if ! readelf -hW "$b" | grep -q 'X86-64'; then
            skip "CET (endbr64) exists only on x86-64"
        fi
        need_symtab "$b"
        if readelf -nW "$b" | grep -q 'x86 feature:.*IBT'; then
            readelf -nW "$b" | grep -q 'x86 feature:.*SHSTK'
        fi
        read -r total missing < <(endbr_count "$b")
        echo "$b: $total exported functions, $missing without endbr64"
        [ "$total" -gt 0 ]
        [ "$missing" -eq 0 ]
    done
}
