#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# Pods (docs/husk-pod.md, docs/design/pods.md): the infra container and
# its image, the namespaces members share, the lifecycle and its status,
# removal, the exit policy, run --pod new:NAME, and what fails cleanly.
# Rootful and rootless (pasta).  Names start with t230.

load helpers

IMG=husk-test/busybox

setup() {
    container_setup
}

teardown() {
    husk pod rm -a -f -t 0 >/dev/null 2>&1 || true
    container_teardown
}

# The pod's status as pod ps shows it.
pod_status() { husk pod ps --filter name="^$1\$" --format '{{.Status}}'; }

@test "pod create: the infra container and the husk-pause image, made once" {
    # Two first uses at once: both work, one image.
    husk pod create --name t230b >"$HUSK_TMP/b.out" 2>&1 3>&- &
    run_husk pod create --name t230a
    local id=$output
    wait $! || { cat "$HUSK_TMP/b.out"; false; }
    [[ "$id" =~ ^[0-9a-f]{64}$ ]]
    run_husk pod inspect t230a --format '{{.InfraContainerID}}'
    local infra=$output
    run_husk ps -a --filter id="$infra" --format '{{.Names}} {{.Image}} {{.Command}}'
    assert_output_is "${id:0:12}-infra localhost/husk-pause:$(husk version --format '{{.Client.Version}}') /pause"
    run_husk ps -a --format json --filter id="$infra"
    assert_equal "$(jq -r '.[0].IsInfra' <<<"$output")" true
    # The image: one layer, /pause 0755 root:root, entrypoint ["/pause"].
    local img
    img=localhost/husk-pause:$(husk version --format '{{.Client.Version}}')
    run_husk image inspect --format '{{json .Config.Entrypoint}} {{len .RootFS.Layers}}' "$img"
    assert_output_is '["/pause"] 1'
    run_husk save -o "$HUSK_TMP/p.tar" "$img"
    mkdir "$HUSK_TMP/x" && tar -xf "$HUSK_TMP/p.tar" -C "$HUSK_TMP/x"
    local layer
    layer=$(jq -r '.[0].Layers[0]' "$HUSK_TMP/x/manifest.json")
    run tar -tvf "$HUSK_TMP/x/$layer"
    [[ "$output" =~ ^-rwxr-xr-x\ 0/0\ .*\ pause$ ]]
    # A later pod reuses it.
    local before
    before=$(husk images -q --no-trunc | sort | tr '\n' ' ')
    run_husk pod create --name t230d
    assert_equal "$(husk images -q --no-trunc | sort | tr '\n' ' ')" "$before"
    run_husk images --filter reference=husk-pause --format '{{.ID}}'
    assert_equal "${#lines[@]}" 1
}

@test "members share the infra's net, uts and ipc; pid only with --share +pid" {
    run_husk pod create --name t230n
    run_husk pod start t230n
    run_husk run -d --pod t230n --name t230m1 $IMG sleep 1000
    run_husk run -d --pod t230n --name t230m2 $IMG sleep 1000
    local infra pid
    infra=$(husk pod inspect t230n --format '{{.InfraContainerID}}')
    pid=$(husk inspect --format '{{.State.Pid}}' "$infra")
    for ns in net uts ipc; do
        run_husk exec t230m1 readlink /proc/self/ns/$ns
        local one=$output
        run_husk exec t230m2 readlink /proc/self/ns/$ns
        assert_equal "$output" "$one"
        assert_equal "$(in_userns readlink /proc/$pid/ns/$ns)" "$one"
    done
    # The pod's name is the hostname.
    run_husk exec t230m1 hostname
    assert_output_is t230n
    # A member reaches another on 127.0.0.1.
    run_husk exec -d t230m1 busybox httpd -f -p 8080 -h /etc
    run_husk exec t230m2 sh -c 'for i in $(seq 50); do wget -qO- http://127.0.0.1:8080/hostname && exit; sleep 0.1; done; exit 1'
    assert_output_is t230n
    # PID: each its own by default, so its command is its PID 1.
    run_husk exec t230m1 cat /proc/1/cmdline
    assert_output_is "sleep1000"
    run_husk pod create --name t230p --share +pid
    run_husk run --rm --pod t230p $IMG sh -c 'cat /proc/1/cmdline; echo; readlink /proc/self/ns/ipc'
    assert_equal "${lines[0]}" "/pause"
    run_husk pod inspect t230p --format '{{json .SharedNamespaces}}'
    assert_output_is '["ipc","net","pid","uts"]'
    run_husk pod create --name t230none --share none
    run_husk run --rm --pod t230none $IMG hostname
    [ "$output" != t230none ]
    # Sharing nothing makes no infra, unless --infra asks for one (Podman).
    run_husk pod inspect t230none --format '{{.InfraContainerID}}|{{.NumContainers}}'
    assert_output_is "|0"
    run_husk pod create --name t230none2 --share none --infra
    run_husk pod inspect t230none2 --format '{{.NumContainers}}'
    assert_output_is 1
}

@test "-p on the pod publishes the members' ports" {
    local port
    port=$(free_port)
    run_husk pod create --name t230w -p "$port:8080"
    run_husk run -d --pod t230w --name t230web $IMG busybox httpd -f -p 8080 -h /etc
    run wget_retry "http://127.0.0.1:$port/hostname"
    assert_output_is t230w
    run_husk pod inspect t230w --format '{{json .InfraConfig.PortBindings}}'
    assert_output_is "{\"8080/tcp\":[{\"HostIp\":\"\",\"HostPort\":\"$port\"}]}"
    # A member may not take the pod's network options.
    run_husk 125 run --pod t230w -p 9999:80 $IMG true
    assert_output_contains "published or exposed ports must be defined when the pod is created"
    run_husk 125 run --pod t230w --network none $IMG true
    assert_output_contains "networks must be defined when the pod is created"
    run_husk 125 run --pod t230w --hostname x $IMG true
    assert_output_contains "cannot set hostname when joining the pod UTS namespace"
    run_husk 125 run --pod t230w --dns 1.1.1.1 $IMG true
    assert_output_contains "DNS options must be defined when the pod is created"
}

@test "status: Created, Running, Degraded, Exited; start order and stop" {
    run_husk pod create --name t230s
    run_husk create --pod t230s --name t230s1 $IMG sleep 1000
    run_husk create --pod t230s --name t230s2 $IMG sleep 1000
    assert_equal "$(pod_status t230s)" Created
    run_husk pod start t230s
    assert_equal "$(pod_status t230s)" Running
    run_husk ps --pod --format '{{.Names}} {{.PodName}}' --filter pod=t230s
    assert_equal "$(echo "$output" | sort | tr '\n' ' ')" "$(printf '%s\n' "$(husk pod inspect t230s --format '{{range .Containers}}{{.Name}} t230s
{{end}}')" | grep . | sort | tr '\n' ' ')"
    run_husk stop -t 0 t230s2
    assert_equal "$(pod_status t230s)" Degraded
    run_husk pod stop -t 0 t230s
    assert_equal "$(pod_status t230s)" Exited
    run_husk pod inspect t230s --format '{{range .Containers}}{{.State}} {{end}}'
    assert_output_is "exited exited exited "
    # A member started alone starts the infra first.
    run_husk start t230s1
    run_husk pod inspect t230s --format '{{range .Containers}}{{.State}} {{end}}'
    assert_output_is "running running exited "
    run_husk pod restart t230s
    assert_equal "$(pod_status t230s)" Running
    run_husk pod kill t230s
    assert_equal "$(pod_status t230s)" Exited
}

@test "pause and unpause a pod" {
    skip_without_cgroup "pod pause"
    run_husk pod create --name t230z
    run_husk run -d --pod t230z $IMG sleep 1000
    run_husk pod pause t230z
    assert_equal "$(pod_status t230z)" Paused
    run_husk pod unpause t230z
    assert_equal "$(pod_status t230z)" Running
}

@test "rm: refused while containers run, -f removes all; infra alone refused; members go" {
    run_husk pod create --name t230r
    run_husk run -d --pod t230r --name t230r1 $IMG sleep 1000
    run_husk run -d --pod t230r --name t230r2 $IMG sleep 1000
    local infra
    infra=$(husk pod inspect t230r --format '{{.InfraContainerID}}')
    run_husk 125 pod rm t230r
    assert_output_contains "t230r1"
    assert_output_contains "cannot be removed without force"
    run_husk 125 rm -f "$infra"
    assert_output_contains "is the infra container of pod"
    run_husk rm -f -t 0 t230r2
    run_husk pod inspect t230r --format '{{.NumContainers}}'
    assert_output_is 2
    run_husk pod rm -f -t 0 t230r
    run_husk 1 pod exists t230r
    run_husk ps -a -q
    assert_output_is ""
    run_husk 125 pod rm t230r
    assert_output_is "Error: no pod with name or ID t230r found: no such pod"
    run_husk pod rm -i t230r
    # rm --depend of an infra, and rm -a, take the pod (Podman 4+).
    run_husk pod create --name t230r4
    run_husk rm --depend "$(husk pod inspect t230r4 --format '{{.InfraContainerID}}')"
    run_husk 1 pod exists t230r4
    run_husk pod create --name t230r5
    run_husk run -d --pod t230r5 $IMG sleep 1000
    run_husk rm -a -f -t 0
    run_husk 1 pod exists t230r5
    # A stopped pod goes without -f.
    run_husk pod create --name t230r3
    run_husk pod rm t230r3
    run_husk ps -a -q
    assert_output_is ""
}

@test "--exit-policy stop: the infra stops after the last member" {
    run_husk pod create --name t230e --exit-policy stop
    run_husk run --pod t230e $IMG true
    assert_equal "$(pod_status t230e)" Exited
    run_husk run -d --pod t230e $IMG sleep 1
    run_husk run -d --pod t230e $IMG sleep 2
    sleep 1.5
    assert_equal "$(pod_status t230e)" Degraded
    local i
    for i in $(seq 50); do
        [ "$(pod_status t230e)" = Exited ] && break
        sleep 0.2
    done
    assert_equal "$(pod_status t230e)" Exited
    run_husk pod inspect t230e --format '{{.ExitPolicy}}'
    assert_output_is stop
    # continue (the default): the infra keeps running.
    run_husk pod create --name t230c
    run_husk run --pod t230c $IMG true
    assert_equal "$(pod_status t230c)" Degraded
}

@test "run --pod new:NAME, --pod-id-file, pod create --replace" {
    local port
    port=$(free_port)
    run_husk run -d --pod new:t230new -p "$port:8080" --name t230nw $IMG busybox httpd -f -p 8080 -h /etc
    run wget_retry "http://127.0.0.1:$port/hostname"
    assert_output_is t230new
    run_husk pod inspect t230new --format '{{.NumContainers}}'
    assert_output_is 2
    run_husk 125 run --pod new:t230new $IMG true
    assert_output_contains "pod already exists"
    # With --rm the pod made for the container goes with it.
    run_husk run --rm --pod new:t230gone $IMG hostname
    assert_output_is t230gone
    run_husk 1 pod exists t230gone
    # container prune leaves an infra container to its pod.
    run_husk pod create --name t230pr
    run_husk container prune -f
    run_husk pod inspect t230pr --format '{{.NumContainers}}'
    assert_output_is 1
    run_husk pod create --name t230f --pod-id-file "$HUSK_TMP/pid"
    local id=$output
    assert_equal "$(cat "$HUSK_TMP/pid")" "$id"
    run_husk run --rm --pod-id-file "$HUSK_TMP/pid" $IMG hostname
    assert_output_is t230f
    run_husk 125 pod create --name t230g --pod-id-file "$HUSK_TMP/pid"
    assert_output_contains "pod id file exists"
    run_husk 1 pod exists t230g
    run_husk pod create --name t230f --replace
    [ "$output" != "$id" ]
    run_husk pod stop --pod-id-file "$HUSK_TMP/pid" --ignore
    run_husk 125 pod create --name t230f
    assert_output_contains "pod already exists"
    run_husk 125 create --name t230f $IMG true
    assert_output_contains "pod already exists"
    run_husk 125 run --pod nosuch $IMG true
    assert_output_is "Error: no pod with name or ID nosuch found: no such pod"
}

@test "a failed pod create leaves no pod and no infra container" {
    run_husk 125 pod create --name t230x --share foo
    assert_output_contains "invalid kernel namespace to share: foo"
    run_husk 125 pod create --name t230x --network t230nonet
    assert_output_contains "t230nonet"
    run_husk 125 pod create --name t230x --exit-policy sometimes
    assert_output_contains "invalid pod exit policy"
    run_husk 125 pod create --name t230x --infra=false -p 8080:80
    run_husk 125 pod create --name t230x --cpus 1
    assert_output_contains "pod-level resource limits are not supported"
    # Pods and containers share one set of names.
    run_husk create --name t230same $IMG true
    run_husk 125 pod create --name t230same
    assert_output_contains "container already exists"
    run_husk pod create --name t230same2
    run_husk 125 rename t230same t230same2
    assert_output_contains "pod already exists"
    run_husk rm t230same
    run_husk pod rm t230same2
    run_husk pod ps -q
    assert_output_is ""
    run_husk ps -a -q
    assert_output_is ""
    # A published port that is taken fails the start, with 125.
    local port
    port=$(free_port)
    run_husk pod create --name t230y1 -p "$port:8080"
    run_husk pod start t230y1
    run_husk pod create --name t230y2 -p "$port:8080"
    run_husk 125 pod start t230y2
    assert_equal "$(pod_status t230y2)" Created
}

@test "--infra=false, --infra-name, --infra-image, --infra-command" {
    run_husk pod create --name t230i --infra=false
    run_husk pod inspect t230i --format '{{.CreateInfra}} {{.InfraContainerID}} {{.NumContainers}}'
    assert_output_is "false  0"
    run_husk run --rm --pod t230i $IMG hostname
    [ "$output" != t230i ]
    run_husk pod create --name t230j --infra-name t230jinfra --infra-image $IMG --infra-command sleep
    run_husk inspect --format '{{.Path}} {{.IsInfra}}' t230jinfra
    assert_output_is "sleep true"
    run_husk ps -a --format '{{.Names}} {{.Image}}' --filter name=t230jinfra
    assert_output_is "t230jinfra localhost/husk-test/busybox:latest"
}

@test "pod logs: the members' logs, prefixed" {
    run_husk pod create --name t230l
    run_husk run --pod t230l --name t230l1 $IMG echo one
    run_husk run --pod t230l --name t230l2 $IMG echo two
    run_husk pod logs --names t230l
    assert_equal "$(echo "$output" | sort | tr '\n' '|')" "t230l1 one|t230l2 two|"
    run_husk pod logs -c t230l2 t230l
    assert_output_is two
    run_husk run -d --name t230out $IMG true
    run_husk 125 pod logs -c t230out t230l
    assert_output_contains "is not in pod"
}

@test "pod stats: every running container of the pod" {
    skip_without_cgroup "pod stats"
    run_husk pod create --name t230st --infra-name t230st-infra
    run_husk run -d --pod t230st --name t230stw $IMG sleep 1000
    run_husk pod stats --no-stream t230st
    assert_equal "$(echo "${lines[0]}" | sed 's/  */ /g')" "POD CID NAME CPU % MEM USAGE/ LIMIT MEM % NET IO BLOCK IO PIDS"
    run_husk pod stats --no-stream --format json t230st
    assert_equal "$(jq -r 'map(.name) | sort | join(" ")' <<<"$output")" "t230st-infra t230stw"
    assert_equal "$(jq -r '.[0].pod' <<<"$output")" "$(husk pod inspect t230st --format '{{.Id}}' | cut -c1-12)"
    run_husk 125 pod stats --no-stream t230nothere
    assert_output_contains "no such pod"
}

@test "pod events, top, prune and the unsupported verbs" {
    run_husk pod create --name t230v
    run_husk run -d --pod t230v $IMG sleep 1000
    run_husk pod top t230v
    assert_output_contains "/pause"
    assert_output_contains "sleep 1000"
    run_husk pod stop -t 0 t230v
    run_husk events --stream=false --filter type=pod --format '{{.Status}} {{.Name}}'
    assert_output_contains "create t230v"
    assert_output_contains "stop t230v"
    run_husk pod create --name t230keep
    run_husk pod prune -f
    assert_output_is "$(husk events --stream=false --filter type=pod --filter event=remove --format '{{.ID}}')"
    run_husk pod ps --format '{{.Name}}'
    assert_output_is t230keep
    run_husk 125 pod clone t230keep
    assert_output_contains "not supported by husk yet"
}
