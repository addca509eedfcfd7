#!/usr/bin/env bats
# ps and inspect of containers as Podman 4.3 shows them: --size (the SIZE
# column, {{.Size}}, "Size" in ps JSON, SizeRw/SizeRootFs in inspect), the
# keys of `ps --format json` and of `container inspect`, and their values.
load helpers

setup() {
    container_setup
    IMG_SIZE=$(husk image inspect --format '{{.Size}}' husk-test/busybox)
}

teardown() {
    "$HUSK_BIN" --root "$HUSK_TMP/vfs" --runroot "$HUSK_TMP/vfs-run" --storage-driver vfs \
        rm -a -f -t 0 >/dev/null 2>&1 || true
    container_teardown
}

# go-units' HumanSizeWithPrecision(n, 3), as Podman prints sizes in ps.
go_human() {
    awk -v n="$1" 'BEGIN { split("B kB MB GB TB", u, " "); i = 1
        while (n >= 1000 && i < 5) { n /= 1000; i++ }
        printf "%.3g%s\n", n, u[i] }'
}

# "Key:type ..." of an object, in order.
key_types() {
    jq -r "$1"' | to_entries | map("\(.key):\(.value | type)") | join(" ")'
}

# assert_types JSON FILTER "Key:type ..." : each key has that type.
assert_types() {
    local json=$1 filter=$2 kt k t got
    for kt in $3; do
        k=${kt%%:*} t=${kt#*:}
        got=$(echo "$json" | jq -r "$filter"' | if has("'"$k"'") then (."'"$k"'" | type) else "missing" end')
        if [ "$got" != "$t" ]; then
            echo "$filter.$k: expected $t, got $got" >&2
            return 1
        fi
    done
}

@test "ps --size: SIZE column is '<rw> (virtual <image + rw>)' in Podman's units" {
    run_husk run --name big husk-test/busybox dd if=/dev/zero of=/big bs=1024 count=1024
    run_husk create --name idle husk-test/busybox true
    run_husk ps -a --size --format 'table {{.Names}}\t{{.Size}}'
    assert_equal "${lines[0]}" "NAMES       SIZE"
    [[ "$output" == *"big         1.05MB (virtual $(go_human $((IMG_SIZE + 1048576))))"* ]]
    [[ "$output" == *"idle        0B (virtual $(go_human "$IMG_SIZE"))"* ]]
    # The default table grows a SIZE column, as Podman's.
    run_husk ps -a -s
    [[ "${lines[0]}" == *"  NAMES       SIZE" ]]
    [[ "${lines[1]}" == *"  big         1.05MB (virtual $(go_human $((IMG_SIZE + 1048576))))" ]]
    [[ "${lines[2]}" == *"  idle        0B (virtual $(go_human "$IMG_SIZE"))" ]]
    # Without --size there is no column and {{.Size}} is empty.
    run_husk ps -a
    [[ "${lines[0]}" != *SIZE* ]]
    run_husk ps -a --format '[{{.Size}}]'
    assert_output_is "$(printf '[]\n[]')"
}

@test "ps --size --format json: Size has rwSize and rootFsSize in bytes; null without --size" {
    run_husk run --name big husk-test/busybox sh -c \
        'dd if=/dev/zero of=/big bs=1024 count=1024 2>/dev/null; ln /big /big2; ln -s /big /sym'
    run_husk ps -a -s --format json
    # A hard link counts once; a symlink counts its target's length ("/big").
    assert_equal "$(echo "$output" | jq -c '.[0].Size')" \
        "{\"rootFsSize\":$((IMG_SIZE + 1048580)),\"rwSize\":1048580}"
    run_husk ps -a --format json
    assert_equal "$(echo "$output" | jq -c '.[0].Size')" "null"
    run_husk container inspect -s big
    assert_equal "$(echo "$output" | jq -c '.[0] | [.SizeRw, .SizeRootFs]')" \
        "[1048580,$((IMG_SIZE + 1048580))]"
}

@test "ps --size counts vfs changes: added and changed files, not the image's copy" {
    local vh=("$HUSK_BIN" --root "$HUSK_TMP/vfs" --runroot "$HUSK_TMP/vfs-run" --storage-driver vfs)
    "${vh[@]}" load -i "$HUSK_IMAGES/busybox.docker.tar" >/dev/null
    "${vh[@]}" run --name big husk-test/busybox sh -c \
        'dd if=/dev/zero of=/big bs=1024 count=1024 2>/dev/null; ln /big /big2; echo hi > /etc/motd; rm /bin/ls'
    run "${vh[@]}" ps -a -s --format '{{.Size}}'
    [ "$status" -eq 0 ]
    assert_output_is "1.05MB (virtual $(go_human $((IMG_SIZE + 1048579))))"
    run "${vh[@]}" inspect -s big
    [ "$status" -eq 0 ]
    assert_equal "$(echo "$output" | jq -c '.[0] | [.SizeRw, .GraphDriver]')" \
        '[1048579,{"Name":"vfs","Data":null}]'
}

@test "ps --sort size orders by root file system size when --size is given" {
    run_husk run --name two husk-test/busybox dd if=/dev/zero of=/f bs=1024 count=2048
    run_husk run --name none husk-test/busybox true
    run_husk run --name one husk-test/busybox dd if=/dev/zero of=/f bs=1024 count=1024
    run_husk ps -a -s --sort size --format '{{.Names}}'
    assert_output_is "$(printf 'none\none\ntwo')"
}

@test "ps --format json: every key of Podman's, in its order, with its type" {
    run_husk create --name c1 -v "$HUSK_TMP:/mnt" --tmpfs /scratch husk-test/busybox true
    run_husk ps -a --format json
    assert_equal "$(echo "$output" | key_types '.[0]')" \
        "AutoRemove:boolean Command:array CreatedAt:string Exited:boolean ExitedAt:number ExitCode:number Id:string Image:string ImageID:string IsInfra:boolean Labels:object Mounts:array Names:array Namespaces:object Networks:array Pid:number Pod:string PodName:string Ports:null Size:null StartedAt:number State:string Status:string Created:number"
    # Never started, never exited: Go's zero time, as Podman prints it.
    # Networks: its bridge networks (Podman's ["podman"]); rootless pasta, none
    local nets='["husk"]'
    ! is_rootless || nets='[]'
    assert_equal "$(echo "$output" | jq -c '.[0] | [.StartedAt, .ExitedAt, .Exited, .Status, .Mounts, .Networks, .Pod, .IsInfra]')" \
        '[-62135596800,-62135596800,false,"Created",["/mnt","/scratch"],'"$nets"',"",false]'
    run_husk ps -a -s --format json
    assert_equal "$(echo "$output" | jq -r '.[0].Size | keys_unsorted | join(" ")')" "rootFsSize rwSize"
}

@test "ps --format json: times, pid and status of running and exited containers" {
    run_husk 3 run --name done husk-test/busybox sh -c 'exit 3'
    run_husk run -d --name up husk-test/busybox sleep 1000
    run_husk ps -a --format json
    up=$(echo "$output" | jq '.[] | select(.Names[0] == "up")')
    done_=$(echo "$output" | jq '.[] | select(.Names[0] == "done")')
    assert_equal "$(echo "$up" | jq -c '[.State, .Exited, .ExitedAt, .Pid > 0, .StartedAt > 0]')" \
        '["running",false,-62135596800,true,true]'
    assert_equal "$(echo "$up" | jq '.Pid')" "$(husk inspect --format '{{.State.Pid}}' up)"
    assert_equal "$(echo "$done_" | jq -c '[.State, .Exited, .ExitCode, .ExitedAt >= .StartedAt, .Pid]')" \
        '["exited",true,3,true,0]'
    [[ "$(echo "$done_" | jq -r .Status)" == "Exited (3) "* ]]
}

@test "ps templates see Podman's extra fields: Mounts, Networks, Pod, Pid, Exited, IsInfra" {
    run_husk create --name c1 -v "$HUSK_TMP:/mnt" husk-test/busybox true
    run_husk ps -a --format '{{.Mounts}}|{{.Networks}}|{{.Pod}}|{{.PodName}}|{{.Pid}}|{{.Exited}}|{{.IsInfra}}|{{.StartedAt}}|{{.ExitedAt}}'
    local nets=husk
    ! is_rootless || nets=
    assert_output_is "[/mnt]|$nets|||0|false|false|-62135596800|-62135596800"
}

@test "inspect: SizeRw and SizeRootFs only with -s (inspect, container inspect, --size)" {
    run_husk run --name big husk-test/busybox dd if=/dev/zero of=/big bs=1024 count=1024
    run_husk container inspect big
    assert_equal "$(echo "$output" | jq -c '.[0] | [has("SizeRw"), has("SizeRootFs")]')" "[false,false]"
    run_husk inspect big
    assert_equal "$(echo "$output" | jq -c '.[0] | [has("SizeRw"), has("SizeRootFs")]')" "[false,false]"
    for cmd in "container inspect -s" "container inspect --size" "inspect -s" "inspect --size --type container"; do
        run_husk $cmd big
        assert_equal "$(echo "$output" | jq -c '.[0] | [.SizeRw, .SizeRootFs]')" \
            "[1048576,$((IMG_SIZE + 1048576))]"
        # Placed after GraphDriver, as Podman places them.
        assert_equal "$(echo "$output" | jq -r '.[0] | keys_unsorted | .[index("GraphDriver") + 1]')" SizeRw
    done
    run_husk inspect -s --format '{{.SizeRw}}' big
    assert_output_is 1048576
    # Images ignore -s (their Size is always there).
    run_husk inspect -s --format '{{.Size}}' husk-test/busybox
    assert_output_is "$IMG_SIZE"
}

@test "container inspect: Podman's top-level keys, in order, with their types" {
    run_husk run -d --name up husk-test/busybox sleep 1000
    run_husk container inspect up
    assert_equal "$(echo "$output" | key_types '.[0]')" \
        "Id:string Created:string Path:string Args:array State:object Image:string ImageDigest:string ImageName:string Rootfs:string Pod:string ResolvConfPath:string HostnamePath:string HostsPath:string StaticDir:string OCIConfigPath:string OCIRuntime:string ConmonPidFile:string PidFile:string Name:string RestartCount:number Driver:string MountLabel:string ProcessLabel:string AppArmorProfile:string EffectiveCaps:array BoundingCaps:array ExecIDs:array GraphDriver:object Mounts:array Dependencies:array NetworkSettings:object Namespace:string IsInfra:boolean IsService:boolean Config:object HostConfig:object"
    assert_equal "$(echo "$output" | key_types '.[0].State')" \
        "OciVersion:string Status:string Running:boolean Paused:boolean Restarting:boolean OOMKilled:boolean Dead:boolean Pid:number ConmonPid:number ExitCode:number Error:string StartedAt:string FinishedAt:string Health:object CgroupPath:string CheckpointedAt:string RestoredAt:string"
    assert_equal "$(echo "$output" | jq -c '.[0] | [.MountLabel, .ProcessLabel, .AppArmorProfile, .Namespace, .IsInfra, .IsService, .Dependencies, .ExecIDs, .State.Health, .State.CheckpointedAt]')" \
        '["","","","",false,false,[],[],{"Status":"","FailingStreak":0,"Log":null},"0001-01-01T00:00:00Z"]'
    assert_types "$output" '.[0].Config' "CreateCommand:array Umask:string Timeout:number StopTimeout:number Passwd:boolean OnBuild:null HealthcheckOnFailureAction:string"
    assert_types "$output" '.[0].HostConfig' "CgroupMode:string ContainerIDFile:string VolumeDriver:string VolumesFrom:null Dns:array DnsOptions:array DnsSearch:array ExtraHosts:array Cgroup:string Cgroups:string Links:null OomScoreAdj:number PublishAllPorts:boolean SecurityOpt:array UsernsMode:string ConsoleSize:array Isolation:string CpuShares:number CgroupParent:string BlkioWeight:number BlkioWeightDevice:null BlkioDeviceReadBps:null BlkioDeviceWriteBps:null BlkioDeviceReadIOps:null BlkioDeviceWriteIOps:null CpuPeriod:number CpuQuota:number CpuRealtimePeriod:number CpuRealtimeRuntime:number CpusetMems:string DiskQuota:number KernelMemory:number MemoryReservation:number MemorySwappiness:number OomKillDisable:boolean CpuCount:number CpuPercent:number IOMaximumIOps:number IOMaximumBandwidth:number CgroupConf:null"
    assert_types "$output" '.[0].HostConfig.LogConfig' "Type:string Config:null Path:string Tag:string Size:string"
    assert_types "$output" '.[0].NetworkSettings' "EndpointID:string Gateway:string IPAddress:string IPPrefixLen:number IPv6Gateway:string GlobalIPv6Address:string GlobalIPv6PrefixLen:number MacAddress:string Bridge:string SandboxID:string HairpinMode:boolean LinkLocalIPv6Address:string LinkLocalIPv6PrefixLen:number Ports:object SandboxKey:string"
    assert_equal "$(echo "$output" | jq -c '.[0].Config | [.Umask, .Timeout, .StopTimeout, .Passwd, .HealthcheckOnFailureAction]')" \
        '["0022",0,10,true,"none"]'
    assert_equal "$(echo "$output" | jq -c '.[0].HostConfig | [.IpcMode, .Cgroups, .ConsoleSize, .PidsLimit, .SecurityOpt, .CapAdd, .CapDrop]')" \
        '["shareable","default",[0,0],2048,[],[],["CAP_AUDIT_WRITE","CAP_MKNOD","CAP_NET_RAW"]]'
}

@test "container inspect: pid files, OCI config and cgroup are the container's own" {
    run_husk run -d --name up husk-test/busybox sleep 1000
    run_husk container inspect up
    j=$output
    id=$(echo "$j" | jq -r '.[0].Id')
    assert_equal "$(cat "$(echo "$j" | jq -r '.[0].ConmonPidFile')")" "$(echo "$j" | jq '.[0].State.ConmonPid')"
    assert_equal "$(cat "$(echo "$j" | jq -r '.[0].PidFile')")" "$(echo "$j" | jq '.[0].State.Pid')"
    cfg=$(echo "$j" | jq -r '.[0].OCIConfigPath')
    assert_equal "$cfg" "$HUSK_ROOT/containers/$id/config.json"
    cg=$(jq -r .linux.cgroupsPath "$cfg")
    if [ "$cg" = null ]; then
        # No cgroup of its own (rootless on cgroup v1): the one it runs in.
        pid=$(echo "$j" | jq '.[0].State.Pid')
        cg=$(sed -n 's/^0:://p' /proc/$pid/cgroup)
    fi
    assert_equal "$cg" "$(echo "$j" | jq -r '.[0].State.CgroupPath')"
    rt=$(echo "$j" | jq -r '.[0].OCIRuntime')
    [[ "$rt" == crun || "$rt" == runc ]]
    # Not running: no cgroup any more.
    run_husk stop -t 0 up
    run_husk container inspect up
    assert_equal "$(echo "$output" | jq -c '.[0].State | has("CgroupPath")')" false
}

@test "container inspect: GraphDriver names the overlay directories; MergedDir while mounted" {
    run_husk run -d --name up husk-test/busybox sh -c 'echo hello > /marker; sleep 1000'
    for i in $(seq 50); do
        run_husk container inspect up
        upper=$(echo "$output" | jq -r '.[0].GraphDriver.Data.UpperDir')
        [ -f "$upper/marker" ] && break
        sleep 0.1
    done
    assert_equal "$(echo "$output" | jq -r '.[0].GraphDriver.Name')" overlay
    assert_equal "$(cat "$upper/marker")" hello
    lower=$(echo "$output" | jq -r '.[0].GraphDriver.Data.LowerDir')
    [ -x "${lower%%:*}/bin/busybox" ]
    [ -d "$(echo "$output" | jq -r '.[0].GraphDriver.Data.WorkDir')" ]
    merged=$(echo "$output" | jq -r '.[0].GraphDriver.Data.MergedDir')
    assert_equal "$(in_userns cat "$merged/marker")" hello   # mounted in husk's namespace
    run_husk stop -t 0 up
    run_husk container inspect up
    assert_equal "$(echo "$output" | jq -c '.[0].GraphDriver.Data | keys')" '["LowerDir","UpperDir","WorkDir"]'
}

@test "container inspect: capabilities, CapAdd/CapDrop, security options, resources" {
    run_husk create --name c1 --cap-add NET_ADMIN --cap-drop CHOWN -u 1000 \
        --security-opt no-new-privileges --security-opt seccomp=unconfined \
        --cpus 1.5 --cpu-shares 512 --memory 100m --pids-limit 100 \
        --cidfile "$HUSK_TMP/cid" --health-cmd true husk-test/busybox true
    run_husk container inspect c1
    j=$output
    # A non-root user keeps only the added capabilities effective.
    assert_equal "$(echo "$j" | jq -c '.[0].EffectiveCaps')" '["CAP_NET_ADMIN"]'
    assert_equal "$(echo "$j" | jq -c '.[0].BoundingCaps | [index("CAP_NET_ADMIN") != null, index("CAP_CHOWN")]')" '[true,null]'
    assert_equal "$(echo "$j" | jq -c '.[0].HostConfig | [.CapAdd, .CapDrop, .SecurityOpt]')" \
        '[["CAP_NET_ADMIN"],["CAP_AUDIT_WRITE","CAP_CHOWN","CAP_MKNOD","CAP_NET_RAW"],["no-new-privileges","seccomp=unconfined"]]'
    assert_equal "$(echo "$j" | jq -c '.[0].HostConfig | [.CpuPeriod, .CpuQuota, .NanoCpus, .CpuShares, .Memory, .MemorySwap, .PidsLimit, .ContainerIDFile]')" \
        "[100000,150000,1500000000,512,104857600,209715200,100,\"$HUSK_TMP/cid\"]"
    assert_equal "$(echo "$j" | jq -c '.[0].Config | [.Healthcheck.Test, .HealthcheckOnFailureAction]')" \
        '[["CMD-SHELL","true"],"none"]'
    # The whole command line that made it, global options included.
    assert_equal "$(echo "$j" | jq -c '.[0].Config.CreateCommand')" \
        "$(printf '%s\n' "$HUSK_BIN" --root "$HUSK_ROOT" --runroot "$HUSK_RUNROOT" \
            create --name c1 --cap-add NET_ADMIN --cap-drop CHOWN -u 1000 \
            --security-opt no-new-privileges --security-opt seccomp=unconfined \
            --cpus 1.5 --cpu-shares 512 --memory 100m --pids-limit 100 \
            --cidfile "$HUSK_TMP/cid" --health-cmd true husk-test/busybox true | jq -R . | jq -sc .)"
    # Privileged: every capability; dropped are those this host lacks.
    run_husk create --name p1 --privileged husk-test/busybox true
    run_husk container inspect p1
    assert_equal "$(echo "$output" | jq -c '.[0].HostConfig.CapAdd')" '[]'
    assert_equal "$(echo "$output" | jq -c '.[0].EffectiveCaps == .[0].BoundingCaps and (.[0].BoundingCaps | index("CAP_SYS_ADMIN") != null)')" true
}

@test "container inspect: Mounts lists volumes and binds (tmpfs only in HostConfig.Tmpfs); Dependencies" {
    run_husk create --name c1 -v "$HUSK_TMP:/mnt:ro" -v vol1:/data --tmpfs /scratch husk-test/busybox true
    run_husk container inspect c1
    assert_equal "$(echo "$output" | jq -c '[.[0].Mounts[] | [.Type, .Destination, .Mode, .RW]]')" \
        '[["bind","/mnt","",false],["volume","/data","",true]]'
    assert_equal "$(echo "$output" | jq -c '.[0].HostConfig.Tmpfs | keys')" '["/scratch"]'
    id=$(echo "$output" | jq -r '.[0].Id')
    run_husk run -d --name host1 husk-test/busybox sleep 1000
    hid=$(husk inspect --format '{{.Id}}' host1)
    run_husk create --name guest --network container:host1 --pid container:host1 husk-test/busybox true
    run_husk container inspect guest
    assert_equal "$(echo "$output" | jq -c '.[0].Dependencies')" "[\"$hid\"]"
}

# ---- which containers ps lists, and their STATUS ------------------------------

@test "ps --filter status= lists exactly the containers in that state" {
    skip_without_cgroup "the paused state needs the freezer cgroup"
    run_husk create --name cr husk-test/busybox true
    run_husk run --name ex husk-test/busybox true
    run_husk run -d --name up husk-test/busybox sleep 1000
    run_husk run -d --name pz husk-test/busybox sleep 1000
    run_husk pause pz
    run_husk ps --filter status=created --format '{{.Names}}'
    assert_output_is "cr"
    run_husk ps --filter status=exited --format '{{.Names}}'
    assert_output_is "ex"
    run_husk ps --filter status=running --format '{{.Names}}'
    assert_output_is "up"
    run_husk ps --filter status=paused --format '{{.Names}} {{.Status}}'
    [[ "$output" == "pz Up "*" (Paused)" ]]
    # Without -a and a filter: running and paused ones only, oldest first.
    run_husk ps --format '{{.Names}}'
    assert_output_is "$(printf 'up\npz')"
    run_husk unpause pz
}

@test "ps --filter exited=, name=, id= and before=/since= select; filters of different keys are ANDed, of one key ORed" {
    run_husk 3 run --name three husk-test/busybox sh -c 'exit 3'
    run_husk run --name zero husk-test/busybox true
    run_husk create --name fresh husk-test/busybox true
    # Without -a, filters other than status= narrow the running ones (Podman).
    run_husk ps --filter name=e --format '{{.Names}}'
    assert_output_is ""
    run_husk ps -a --filter exited=3 --format '{{.Names}}'
    assert_output_is "three"
    run_husk ps -a --filter exited=0 --format '{{.Names}}'
    assert_output_is "zero"
    run_husk ps --filter name=e --filter status=exited --format '{{.Names}}'
    assert_output_is "$(printf 'three\nzero')"
    run_husk ps -a --filter name=e --filter exited=3 --format '{{.Names}}'
    assert_output_is "three"
    # One key: either (Podman 4.4+, Docker).
    run_husk ps -a --filter exited=3 --filter exited=0 --format '{{.Names}}'
    assert_output_is "$(printf 'three\nzero')"
    run_husk ps --filter status=created --filter status=exited --filter name=r --format '{{.Names}}'
    assert_output_is "$(printf 'three\nzero\nfresh')"
    id=$(husk inspect --format '{{.Id}}' zero)
    run_husk ps -a --filter "id=${id:0:8}" --format '{{.Names}}'
    assert_output_is "zero"
    run_husk ps -a --filter before=zero --format '{{.Names}}'
    assert_output_is "three"
    # name= and id= are regular expressions, as Podman's: anchors work.
    run_husk ps -a --filter 'name=^ze.o$' --filter 'name=^thr' --format '{{.Names}}'
    assert_output_is "$(printf 'three\nzero')"
    run_husk ps -a --filter 'name=^e' --format '{{.Names}}'
    assert_output_is ""
    run_husk ps -a --filter "id=^${id:0:4}.*${id:60:4}\$" --format '{{.Names}}'
    assert_output_is "zero"
    run_husk ps -a --filter since=three --format '{{.Names}}'
    assert_output_is "$(printf 'zero\nfresh')"
    run_husk ps -a -n 2 --format '{{.Names}}'
    assert_output_is "$(printf 'zero\nfresh')"
    run_husk ps -a --sort names --format '{{.Names}}'
    assert_output_is "$(printf 'fresh\nthree\nzero')"
}

@test "ps: a bad filter or a missing before= container fails with 125, even with nothing listed" {
    run_husk 125 ps --filter colour=red
    assert_output_is "Error: colour is an invalid filter"
    run_husk 125 ps --filter before=nothere
    run_husk 125 ps --sort bogus
}

@test "ps STATUS shows the healthcheck: (starting) or (healthy) after Up" {
    run_husk run -d --name hc --health-cmd true --health-interval 1s husk-test/busybox sleep 1000
    for i in $(seq 50); do
        s=$(husk ps --filter name=hc --format '{{.Status}}')
        [[ "$s" == *"(healthy)" ]] && break
        sleep 0.1
    done
    [[ "$s" == "Up "*" ago (healthy)" ]]
    run_husk run -d --name slow --health-cmd true --health-interval 1h \
        --health-start-period 1h husk-test/busybox sleep 1000
    run_husk ps --filter name=slow --format '{{.Status}}'
    [[ "$output" == "Up "*" (starting)" || "$output" == "Up "*" (healthy)" ]]
}
