#!/usr/bin/env bats
# Seccomp: the default profile is enforced, and the program husk compiles
# for crun (run.oci.seccomp_bpf_data) is the one crun would compile itself.
load helpers

setup() {
    container_setup
}

teardown() {
    crun --root "$HUSK_TMP/crun" delete -f cmp >/dev/null 2>&1 || true
    container_teardown
}

@test "the default profile refuses unshare under crun and runc; unconfined allows it" {
    run_husk 1 run --rm husk-test/busybox unshare -U true
    assert_output_contains "Operation not permitted"
    run_husk 1 run --rm --runtime runc husk-test/busybox unshare -U true
    assert_output_contains "Operation not permitted"
    run_husk run --rm husk-test/busybox grep '^Seccomp:' /proc/self/status
    [[ "$output" == *"2" ]]
    run_husk run --rm --security-opt seccomp=unconfined husk-test/busybox unshare -U true
    run_husk run --rm --security-opt seccomp=unconfined husk-test/busybox grep '^Seccomp:' /proc/self/status
    [[ "$output" == *"0" ]]
}

# crun(1): run.oci.seccomp_bpf_data holds the program in base64; crun then
# skips compiling.  The program must be byte for byte what crun compiles.
check_same_program() { # container name
    local id cfg
    husk start "$1" >/dev/null 2>&1 || true # the spec is written at start
    id=$(husk inspect --format '{{.Id}}' "$1")
    cfg=$HUSK_ROOT/containers/$id/config.json
    jq -e '.annotations["run.oci.seccomp_bpf_data"] | length > 100' "$cfg" >/dev/null
    jq -r '.annotations["run.oci.seccomp_bpf_data"]' "$cfg" | base64 -d > "$HUSK_TMP/husk.bpf"
    mkdir -p "$HUSK_TMP/b/rootfs"
    tar -C "$HUSK_TMP/b/rootfs" -xf "$HUSK_IMAGES/rootfs.tar"
    jq --arg r "$HUSK_TMP/b/rootfs" '.root.path = $r | del(.annotations["run.oci.seccomp_bpf_data"])
        | .mounts |= map(select(.type != "bind")) | .linux.cgroupsPath = "/husk-seccomp-cmp"
        | .linux.namespaces |= map(del(.path))' \
        "$cfg" > "$HUSK_TMP/b/config.json"
    crun --root "$HUSK_TMP/crun" create --bundle "$HUSK_TMP/b" cmp
    cmp "$HUSK_TMP/crun/cmp/seccomp.bpf" "$HUSK_TMP/husk.bpf"
    crun --root "$HUSK_TMP/crun" delete -f cmp
}

@test "the precompiled program equals crun's own, for the default and a privileged profile" {
    skip_needs_root "it runs crun directly with a cgroup"
    command -v jq >/dev/null || skip "jq is not installed"
    run_husk create --name plain husk-test/busybox true
    check_same_program plain
    run_husk create --name admin --cap-add SYS_ADMIN husk-test/busybox true
    check_same_program admin
    # A profile file with argument conditions, including two on one argument.
    cat > "$HUSK_TMP/prof.json" <<'JSON'
{"defaultAction": "SCMP_ACT_ALLOW",
 "architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"],
 "syscalls": [
  {"names": ["read", "write", "nosuchcall"], "action": "SCMP_ACT_ALLOW"},
  {"names": ["mkdir", "nosuchcall"], "action": "SCMP_ACT_ERRNO"},
  {"names": ["personality"], "action": "SCMP_ACT_ERRNO", "errnoRet": 22,
   "args": [{"index": 0, "value": 3, "op": "SCMP_CMP_EQ"}, {"index": 0, "value": 8, "op": "SCMP_CMP_GT"}]},
  {"names": ["socket"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13,
   "args": [{"index": 0, "value": 16, "op": "SCMP_CMP_EQ"}, {"index": 2, "value": 9, "valueTwo": 0, "op": "SCMP_CMP_MASKED_EQ"}]}
 ]}
JSON
    run_husk create --name prof --security-opt seccomp="$HUSK_TMP/prof.json" husk-test/busybox true
    check_same_program prof
}

@test "compiled programs are kept per profile; runc gets the profile only" {
    command -v jq >/dev/null || skip "jq is not installed"
    run_husk run --rm husk-test/busybox true
    run_husk run --rm husk-test/busybox true
    [ "$(ls "$HUSK_RUNROOT/seccomp" | wc -l)" -eq 1 ]
    run_husk create --name r --runtime runc husk-test/busybox true
    run_husk start r
    id=$(husk inspect --format '{{.Id}}' r)
    jq -e '.annotations["run.oci.seccomp_bpf_data"] == null and (.linux.seccomp.syscalls | length) > 0' \
        "$HUSK_ROOT/containers/$id/config.json"
}
