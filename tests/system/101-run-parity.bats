#!/usr/bin/env bats
# run/create as Podman 5 has them: booleans, durations, the working
# directory, the root's mode, /etc/hosts and resolv.conf, inspect's names,
# and every flag of podman-run implemented or refused.
load helpers

setup() {
    container_setup
}

teardown() {
    container_teardown
}

# The OCI spec a created container gets: init writes it.
spec_of() {
    run_husk init "$1"
    cat "$HUSK_ROOT/containers/$1/config.json"
}

@test "boolean flags take a value only as --flag=value" {
    run_husk run --rm --read-only-tmpfs husk-test/busybox echo one
    assert_output_is "one"
    run_husk run --rm --sig-proxy husk-test/busybox echo two
    assert_output_is "two"
    run_husk run --rm --sig-proxy=false --http-proxy husk-test/busybox echo three
    assert_output_is "three"
    # Still a default of true: /tmp is writable in a read-only container.
    run_husk run --rm --read-only husk-test/busybox touch /tmp/x
    run_husk 1 run --rm --read-only --read-only-tmpfs=false husk-test/busybox touch /tmp/x
    assert_output_contains "Read-only file system"
    run_husk 125 run --rm --read-only-tmpfs=maybe husk-test/busybox true
    assert_output_contains 'invalid argument "maybe" for "--read-only-tmpfs" flag'
    # No boolean of run declares an argument.
    run "$HUSK_BIN" __flags
    for f in read-only-tmpfs sig-proxy http-proxy no-hosts no-hostname quiet unsetenv-all \
             disable-content-trust; do
        echo "$output" | grep -q "^run	--$f	"
    done
}

@test "a --workdir missing from the image fails with 126 unless it is the image's own" {
    run_husk 126 run --rm -w /does/not/exist husk-test/busybox pwd
    assert_output_contains 'Error: workdir "/does/not/exist" does not exist on container '
    [ -z "$(husk ps -aq)" ]
    run_husk create --name wd -w /does/not/exist husk-test/busybox pwd
    id=$output
    run_husk 125 start wd
    assert_output_contains "workdir \"/does/not/exist\" does not exist on container $id"
    # A file is no directory.
    run_husk 126 run --rm -w /etc/passwd husk-test/busybox pwd
    assert_output_contains 'workdir "/etc/passwd" exists on container '
    # Existing, or inside a mount: fine.
    run_husk run --rm -w /etc husk-test/busybox pwd
    assert_output_is "/etc"
    run_husk run --rm --tmpfs /scratch -w /scratch/sub husk-test/busybox pwd
    assert_output_is "/scratch/sub"
    # The image's own WorkingDir is made when missing.
    run_husk import --change 'WORKDIR /made/by/image' --change 'CMD ["pwd"]' \
        "$HUSK_IMAGES/rootfs.tar" wdimage
    run_husk run --rm wdimage
    assert_output_is "/made/by/image"
}

@test "the container's / keeps the mode of the image's root" {
    mkdir "$HUSK_TMP/r"
    tar -xf "$HUSK_IMAGES/rootfs.tar" -C "$HUSK_TMP/r"
    chmod 0555 "$HUSK_TMP/r"
    tar -C "$HUSK_TMP/r" -cf "$HUSK_TMP/root555.tar" .
    run_husk import "$HUSK_TMP/root555.tar" root555
    run_husk run --rm root555 /bin/stat -c %a /
    assert_output_is "555"
    run_husk run --rm husk-test/busybox stat -c %a /
    assert_output_is "755"
}

@test "--network host gets the host's /etc/hosts plus the container's names" {
    run_husk run --rm --name hostnet --network host husk-test/busybox cat /etc/hosts
    while read -r line; do
        [ -z "$line" ] || assert_output_contains "$line"
    done < /etc/hosts
    assert_output_contains "127.0.1.1	$(hostname) hostnet"
    # --no-hosts: the image's own (busybox has none).
    run_husk 1 run --rm --network host --no-hosts husk-test/busybox cat /etc/hosts
    assert_output_contains "can't open '/etc/hosts'"
    run_husk run --rm --no-hostname husk-test/busybox sh -c 'test -e /etc/hostname || echo none'
    assert_output_is "none"
}

@test "malformed durations and numbers are refused naming the flag" {
    run_husk 125 create --health-cmd true --health-interval 0.0.1 husk-test/busybox
    assert_output_is 'Error: invalid argument "0.0.1" for "--health-interval" flag: time: missing unit in duration "0.0.1"'
    run_husk 125 create --health-timeout x husk-test/busybox
    assert_output_is 'Error: invalid argument "x" for "--health-timeout" flag: time: invalid duration "x"'
    run_husk 125 create --health-start-period 1x husk-test/busybox
    assert_output_is 'Error: invalid argument "1x" for "--health-start-period" flag: time: unknown unit "x" in duration "1x"'
    run_husk 125 create --stop-timeout -x husk-test/busybox
    assert_output_contains 'Error: invalid argument "-x" for "--stop-timeout" flag: strconv.ParseUint: parsing "-x": invalid syntax'
    run_husk 125 create --health-retries x husk-test/busybox
    assert_output_contains 'invalid argument "x" for "--health-retries" flag: strconv.ParseUint'
    run_husk 125 create --timeout -1 husk-test/busybox
    assert_output_contains 'invalid argument "-1" for "--timeout" flag: strconv.ParseUint'
    run_husk 125 create --oom-score-adj x husk-test/busybox
    assert_output_contains 'invalid argument "x" for "--oom-score-adj" flag: strconv.ParseInt'
    [ -z "$(husk ps -aq)" ]
    run_husk create --health-cmd true --health-interval 1m30s --health-timeout 1.5s \
        --health-start-period 0 --stop-timeout 7 husk-test/busybox
    run_husk inspect --format '{{.Config.Healthcheck.Interval}} {{.Config.Healthcheck.Timeout}} {{.Config.StopTimeout}}' "$output"
    assert_output_is "90000000000 1500000000 7"
}

@test "inspect: ImageName as given at create, OCIRuntime as named" {
    run_husk create --name named husk-test/busybox true
    run_husk inspect --format '{{.ImageName}}' named
    assert_output_is "husk-test/busybox"
    run_husk create --name full localhost/husk-test/busybox:latest true
    run_husk inspect --format '{{.ImageName}}' full
    assert_output_is "localhost/husk-test/busybox:latest"
    rt=$(command -v runc)
    run_husk create --name rt --runtime "$rt" husk-test/busybox true
    run_husk inspect --format '{{.OCIRuntime}}' rt
    assert_output_is "$rt"
}

@test "--attach connects only the streams named" {
    run_husk run --rm -a stdout husk-test/busybox sh -c 'echo out; echo err >&2'
    assert_output_is "out"
    run_husk run --rm --attach stderr husk-test/busybox sh -c 'echo out; echo err >&2'
    assert_output_is "err"
    run bash -c "echo piped | '$HUSK_BIN' --root '$HUSK_ROOT' --runroot '$HUSK_RUNROOT' run --rm -a stdin -a stdout husk-test/busybox cat"
    [ "$output" = "piped" ]
    run_husk 125 run --rm -a stdfoo husk-test/busybox true
    assert_output_is 'Error: invalid stream "stdfoo" for --attach - must be one of stdin, stdout, or stderr: invalid argument'
}

@test "--pull: never and missing use the store, newer keeps it when no registry answers, always needs one" {
    # No registry to search: what a short name resolves to is certain.
    export CONTAINERS_REGISTRIES_CONF=$HUSK_TMP/registries.conf
    echo 'unqualified-search-registries = []' > "$CONTAINERS_REGISTRIES_CONF"
    run_husk run --rm --pull never husk-test/busybox echo never
    assert_output_is "never"
    run_husk run --rm --pull=missing -q husk-test/busybox echo missing
    assert_output_is "missing"
    run_husk run --rm --pull newer --quiet husk-test/busybox echo newer
    assert_equal "${lines[-1]}" "newer"
    assert_output_contains "using the local image"
    run_husk 125 run --rm --pull always husk-test/busybox true
    assert_output_is "Error: short-name \"husk-test/busybox\" did not resolve to an alias and no unqualified-search registries are defined in \"$CONTAINERS_REGISTRIES_CONF\""
    run_husk 125 run --rm --pull never nosuch true
    assert_output_contains "nosuch: image not known"
    run_husk 125 run --rm --pull sometimes husk-test/busybox true
    assert_output_is 'Error: unsupported pull policy "sometimes"'
    [ -z "$(husk ps -aq)" ]
}

@test "--dns, --dns-search and --dns-option write the container's resolv.conf" {
    run_husk run --rm --network host --dns 192.0.2.1 --dns 2001:db8::1 --dns-search example.test \
        --dns-option ndots:3 husk-test/busybox cat /etc/resolv.conf
    assert_output_contains "nameserver 192.0.2.1"
    assert_output_contains "nameserver 2001:db8::1"
    assert_output_contains "search example.test"
    assert_output_contains "options ndots:3"
    [ "$(echo "$output" | grep -c nameserver)" -eq 2 ]
    run_husk create --name dnsc --network host --dns 192.0.2.1 --dns-search example.test \
        --dns-option ndots:3 --add-host 'a;b:192.0.2.5' --oom-score-adj 7 husk-test/busybox
    run_husk inspect --format '{{json .HostConfig.Dns}} {{json .HostConfig.DnsSearch}} {{json .HostConfig.DnsOptions}} {{json .HostConfig.ExtraHosts}} {{.HostConfig.OomScoreAdj}}' dnsc
    assert_output_is '["192.0.2.1"] ["example.test"] ["ndots:3"] ["a:192.0.2.5","b:192.0.2.5"] 7'
    run_husk 125 create --network host --dns not-an-ip husk-test/busybox
    assert_output_is "Error: not-an-ip is not an ip address"
    run_husk 125 create --network none --dns 192.0.2.1 husk-test/busybox
    assert_output_is "Error: conflicting options: dns and the network mode: none"
}

@test "--mount takes Podman's keys for bind, volume, tmpfs and devpts" {
    mkdir "$HUSK_TMP/src"
    echo data > "$HUSK_TMP/src/f"
    run_husk run --rm --mount "type=bind,src=$HUSK_TMP/src,dst=/m,rw=true,relabel=private,bind-propagation=rslave" \
        husk-test/busybox sh -c 'cat /m/f; echo new > /m/g'
    assert_output_is "data"
    [ "$(cat "$HUSK_TMP/src/g")" = new ]
    run_husk 1 run --rm --mount "type=bind,source=$HUSK_TMP/src,destination=/m,readonly" \
        husk-test/busybox touch /m/h
    run_husk 1 run --rm --mount "type=bind,source=$HUSK_TMP/src,target=/m,ro=true,bind-nonrecursive" \
        husk-test/busybox touch /m/h
    run_husk run --rm --mount "type=bind,source=$HUSK_TMP/src,target=/m,ro=false" \
        husk-test/busybox touch /m/h
    run_husk run --rm --mount type=tmpfs,dst=/t,tmpfs-size=1m,tmpfs-mode=700 \
        husk-test/busybox sh -c 'stat -c %a /t; df -k /t | tail -1'
    assert_output_contains "700"
    assert_output_contains " 1024 "
    run_husk run --rm --mount type=volume,source=mvol,target=/v husk-test/busybox sh -c 'echo x > /v/x'
    run_husk run --rm --mount type=volume,src=mvol,dst=/v,ro husk-test/busybox cat /v/x
    assert_output_is "x"
    run_husk run --rm --mount type=devpts,destination=/dev/pts2,gid=5,mode=620 husk-test/busybox \
        sh -c 'grep " /dev/pts2 " /proc/mounts'
    assert_output_contains "devpts /dev/pts2 devpts"
    run_husk 125 create --mount "type=bind,src=$HUSK_TMP/src,dst=/m,rw=maybe" husk-test/busybox
    assert_output_contains 'invalid value "maybe" for mount option "rw"'
    run_husk 125 create --mount "type=bind,src=$HUSK_TMP/src,dst=/m,bogus=1" husk-test/busybox
    assert_output_contains 'invalid mount option "bogus"'
}

@test "the same -v twice is taken once; two different ones on a target are refused" {
    run_husk run --rm -v "$HUSK_TMP:/h" -v "$HUSK_TMP:/h" husk-test/busybox true
    run_husk 125 create -v "$HUSK_TMP:/h" -v "$HUSK_TMP:/h:ro" husk-test/busybox
    assert_output_contains 'duplicate mount destination "/h"'
}

@test "security-opt no-new-privileges, --memory=0, --group-add keep-groups" {
    run_husk create --security-opt no-new-privileges husk-test/busybox true
    [ "$(spec_of "$output" | jq -r .process.noNewPrivileges)" = true ]
    run_husk create --security-opt no-new-privileges=true --security-opt no-new-privileges=false husk-test/busybox true
    [ "$(spec_of "$output" | jq -r .process.noNewPrivileges)" = false ]
    run_husk 125 create --security-opt no-new-privileges=maybe husk-test/busybox
    assert_output_contains 'invalid --security-opt "no-new-privileges=maybe"'
    run_husk create --memory=0 husk-test/busybox true
    [ "$(spec_of "$output" | jq -r .linux.resources.memory)" = null ]
    run_husk create --group-add keep-groups husk-test/busybox true
    id=$output
    [ "$(spec_of "$id" | jq -r '.annotations["run.oci.keep_original_groups"]')" = 1 ]
    run_husk 125 create --group-add keep-groups --group-add 10 husk-test/busybox
    assert_output_is "Error: the '--group-add keep-groups' option is not allowed with any other --group-add options"
}

@test "--device-cgroup-rule, --cgroupns, --umask, --oom-score-adj reach the spec" {
    run_husk create --device-cgroup-rule 'c 1:3 mr' --device-cgroup-rule 'b *:* rw' \
        --cgroupns private --umask 0077 --oom-score-adj 100 husk-test/busybox true
    spec=$(spec_of "$output")
    echo "$spec" | jq -e '.linux.resources.devices[] | select(.type == "c" and .major == 1 and .minor == 3 and .access == "mr" and .allow)'
    echo "$spec" | jq -e '.linux.resources.devices[] | select(.type == "b" and .major == null and .access == "rw")'
    echo "$spec" | jq -e '.linux.namespaces[] | select(.type == "cgroup")'
    [ "$(echo "$spec" | jq -r .process.user.umask)" = 63 ]
    [ "$(echo "$spec" | jq -r .process.oomScoreAdj)" = 100 ]
    run_husk create --cgroupns host husk-test/busybox true
    [ "$(spec_of "$output" | jq '[.linux.namespaces[] | select(.type == "cgroup")] | length')" = 0 ]
    run_husk run --rm --umask 027 --oom-score-adj 200 husk-test/busybox sh -c 'umask; cat /proc/self/oom_score_adj'
    assert_output_is "0027
200"
    run_husk 125 create --device-cgroup-rule 'x' husk-test/busybox
    assert_output_is 'Error: invalid device cgroup rule requires type, major:Minor, and access rules: "x"'
    run_husk 125 create --cgroupns x husk-test/busybox
    assert_output_is "Error: unrecognized namespace mode x passed"
    run_husk 125 create --umask 9 husk-test/busybox
    assert_output_contains "invalid umask string 9"
}

@test "--unsetenv and --unsetenv-all drop default variables, -e still applies" {
    run_husk run --rm --unsetenv TERM husk-test/busybox env
    [[ "$output" != *TERM=* ]]
    assert_output_contains "PATH="
    run_husk run --rm --unsetenv-all -e A=b husk-test/busybox /bin/env
    # HOME is the OCI runtime's own default.
    assert_output_is "A=b
HOME=/root"
    run_husk run --rm --unsetenv HOSTNAME --unsetenv container husk-test/busybox env
    [[ "$output" != *HOSTNAME=* && "$output" != *container=* ]]
}

@test "every Podman 5 run flag is implemented or refused with its reason" {
    run "$HUSK_BIN" __flags
    local flags=$(echo "$output" | awk -F'\t' '$1 == "run" { print $2 }')
    for f in add-host annotation arch attach authfile blkio-weight blkio-weight-device cap-add \
             cap-drop cgroup-conf cgroup-parent cgroupns cgroups chrootdirs cidfile conmon-pidfile \
             cpu-period cpu-quota cpu-rt-period cpu-rt-runtime cpu-shares cpus cpuset-cpus \
             cpuset-mems decryption-key detach detach-keys device device-cgroup-rule \
             device-read-bps device-read-iops device-write-bps device-write-iops \
             disable-content-trust dns dns-option dns-search entrypoint env env-file env-host \
             env-merge expose gidmap gpus group-add group-entry health-cmd health-interval \
             health-log-destination health-max-log-count health-max-log-size health-on-failure \
             health-retries health-start-period health-startup-cmd health-startup-interval \
             health-startup-retries health-startup-success health-startup-timeout \
             health-timeout hostname hosts-file hostuser http-proxy image-volume init init-path \
             interactive ip ip6 ipc label label-file link-local-ip log-driver log-opt mac-address \
             memory memory-reservation memory-swap memory-swappiness mount name network \
             network-alias no-healthcheck no-hostname no-hosts oom-kill-disable oom-score-adj os \
             passwd passwd-entry personality pid pidfile pids-limit platform pod pod-id-file \
             preserve-fds privileged publish publish-all pull quiet rdt-class read-only \
             read-only-tmpfs replace requires restart retry retry-delay rm rmi rootfs runtime \
             sdnotify seccomp-policy secret security-opt shm-size shm-size-systemd sig-proxy \
             stop-signal stop-timeout subgidname subuidname sysctl systemd timeout tls-verify \
             tmpfs tty tz uidmap ulimit umask unsetenv unsetenv-all user userns uts variant \
             volume volumes-from workdir; do
        echo "$flags" | grep -qx -- "--$f" || { echo "missing: --$f"; false; }
    done
    run_husk 125 run --network none --mac-address 92:d0:c6:0a:29:33 husk-test/busybox true
    assert_output_is 'Error: --ip, --ip6 and --mac-address need a bridge network (--network bridge or NAME), not "none"'
    run_husk 125 run --network none --ip6 fd00::5 husk-test/busybox true
    assert_output_contains "--ip6 and --mac-address need a bridge network"
    if ! is_rootless; then
        run_husk 125 run --userns=keep-id husk-test/busybox true
        assert_output_is "Error: keep-id is only supported in rootless mode"
    fi
    run_husk 125 create --pod p husk-test/busybox true
    assert_output_is "Error: no pod with name or ID p found: no such pod"
    [ -z "$(husk ps -aq)" ]
}

@test "--timeout kills the container after N seconds" {
    SECONDS=0
    run_husk 137 run --rm --timeout 1 husk-test/busybox sleep 20
    [ "$SECONDS" -lt 10 ]
    run_husk run -d --name slow --timeout 1 --umask 0027 husk-test/busybox sleep 20
    run_husk wait slow
    assert_output_is "137"
    run_husk inspect --format '{{.Config.Timeout}} {{.Config.Umask}}' slow
    assert_output_is "1 0027"
    # Without it, nothing is killed.
    run_husk run --rm husk-test/busybox sh -c 'sleep 1.5; echo done'
    assert_output_is "done"
}

@test "--add-host puts lines in /etc/hosts, first" {
    run_husk run --rm --name ah --add-host 'db;db.local:192.0.2.7' --add-host 'v6:[2001:db8::7]' \
        husk-test/busybox cat /etc/hosts
    [ "${lines[0]}" = "192.0.2.7	db db.local" ]
    [ "${lines[1]}" = "2001:db8::7	v6" ]
    # the container's address (127.0.1.1 without a network of its own)
    echo "$output" | grep -q "	[0-9a-f]* ah\$"
    run_husk run --rm --network host --add-host 'x:192.0.2.8' husk-test/busybox head -1 /etc/hosts
    assert_output_is "192.0.2.8	x"
    run_husk 125 create --add-host 'db:nope' husk-test/busybox
    assert_output_is 'Error: invalid IP address in add-host: "nope"'
    run_husk 125 create --add-host 'db' husk-test/busybox
    assert_output_is 'Error: invalid add-host "db": use HOSTNAME[;HOSTNAME...]:IP'
    run_husk 125 create --add-host 'gw:host-gateway' husk-test/busybox
    assert_output_contains "host-gateway needs bridge networks"
    run_husk 125 create --no-hosts --add-host 'db:192.0.2.7' husk-test/busybox
    assert_output_is "Error: --no-hosts and --add-host cannot be set together"
}

@test "containers.conf default_sysctls (ping_group_range) apply in the container's own namespaces" {
    # a new network namespace starts with "1 0": no unprivileged ping
    run_husk run --rm --network none busybox cat /proc/sys/net/ipv4/ping_group_range
    assert_output_is "$(printf '0\t0')"
    # --sysctl wins over the default
    run_husk run --rm --network none --sysctl "net.ipv4.ping_group_range=0 1" busybox \
        cat /proc/sys/net/ipv4/ping_group_range
    assert_output_is "$(printf '0\t1')"
    # the host's namespace is not the container's to change
    if ! is_rootless; then
        run_husk run --rm --network host busybox cat /proc/sys/net/ipv4/ping_group_range
        assert_output_is "$(cat /proc/sys/net/ipv4/ping_group_range)"
    fi
    local conf=$BATS_TEST_TMPDIR/containers.conf
    printf '[containers]\ndefault_sysctls = []\n' >"$conf"
    # without defaults the namespace keeps the kernel's (shown as overflow
    # IDs rootless), not "0 0"
    CONTAINERS_CONF=$conf run_husk run --rm --network none busybox cat /proc/sys/net/ipv4/ping_group_range
    [ "$output" != "$(printf '0\t0')" ]
}
