#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# Kubernetes YAML (docs/husk-kube-play.md, docs/design/kube.md): kube play
# of Pods, Deployments, PersistentVolumeClaims and ConfigMaps, what each
# field becomes, kube down, bad files refused with nothing left behind,
# and kube generate played back.  Rootful and rootless (pasta).  Names
# start with t240; host ports from free_port (the rootful and rootless
# runs of this file go at the same time).

load helpers

IMG=husk-test/busybox

setup() {
    container_setup
    P1=$(free_port)
    P2=$(free_port)
    P3=$(free_port)
}

teardown() {
    husk pod rm -a -f -t 0 >/dev/null 2>&1 || true
    husk volume prune -f >/dev/null 2>&1 || true
    container_teardown
}

# Nothing of a play is left: no pod, no container, no volume.
assert_nothing_left() {
    run_husk pod ps -q
    assert_output_is ""
    run_husk ps -aq
    assert_output_is ""
    run_husk volume ls -q
    assert_output_is ""
}

# The full pod: two containers, env, command/args, a hostPort, a hostPath,
# an emptyDir and a claim.
write_pod() {
    cat >"$HUSK_TMP/pod.yaml" <<EOF
apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: t240data
spec:
  accessModes: [ReadWriteOnce]
  resources:
    requests:
      storage: 1Gi
---
apiVersion: v1
kind: Pod
metadata:
  name: t240web
  labels:
    app: t240
spec:
  terminationGracePeriodSeconds: 1
  restartPolicy: OnFailure
  hostname: t240host
  containers:
  - name: srv
    image: $IMG
    command: [sh, -c]
    args: ['echo "\$GREETING" >/data/greeting; echo made >/host/made; exec busybox httpd -f -p 8080 -h /data']
    env:
    - name: GREETING
      value: hello kube
    workingDir: /data
    ports:
    - containerPort: 8080
      hostPort: $P1
    volumeMounts:
    - name: data
      mountPath: /data
    - name: scratch
      mountPath: /scratch
    - name: host
      mountPath: /host
  - name: client
    image: $IMG
    args: [sleep, "1000"]
    volumeMounts:
    - name: data
      mountPath: /data
      readOnly: true
  volumes:
  - name: data
    persistentVolumeClaim:
      claimName: t240data
  - name: scratch
    emptyDir: {}
  - name: host
    hostPath:
      path: $HUSK_TMP/hostdir
      type: DirectoryOrCreate
EOF
}

@test "kube play: a Pod's containers, env, command/args, hostPort, hostPath, emptyDir and claim" {
    write_pod
    run_husk kube play "$HUSK_TMP/pod.yaml"
    local pod ctr1 ctr2
    pod=$(husk pod inspect t240web --format '{{.Id}}')
    ctr1=$(husk inspect t240web-srv --format '{{.Id}}')
    ctr2=$(husk inspect t240web-client --format '{{.Id}}')
    assert_output_is "Volumes:
t240data
Pod:
$pod
Containers:
$ctr1
$ctr2"
    run_husk pod ps --format '{{.Name}} {{.Status}} {{.NumberOfContainers}}'
    assert_output_is "t240web Running 3"
    # command -> entrypoint, args -> command; env; workingDir; hostname.
    run_husk inspect t240web-srv --format '{{json .Config.Entrypoint}} {{.Config.WorkingDir}} {{.HostConfig.RestartPolicy.Name}} {{.Config.StopTimeout}}'
    assert_output_is '["sh","-c"] /data on-failure 1'
    run_husk inspect t240web-client --format '{{json .Config.Cmd}}'
    assert_output_is '["sleep","1000"]'
    run_husk exec t240web-srv sh -c 'echo "$GREETING"; pwd; hostname'
    assert_output_is $'hello kube\n/data\nt240host'
    # The claim is a named volume both containers share (read-only in one).
    husk_wait_file() { for _ in $(seq 50); do husk exec t240web-client cat /data/greeting 2>/dev/null && return; sleep 0.1; done; }
    run husk_wait_file
    assert_output_is "hello kube"
    run_husk 1 exec t240web-client sh -c 'echo x >/data/nope'
    run_husk volume inspect t240data --format '{{.Name}} {{.Anonymous}}'
    assert_output_is "t240data false"
    # hostPath DirectoryOrCreate: made on the host, written by the container.
    [ "$(cat "$HUSK_TMP/hostdir/made")" = made ]
    # emptyDir: an anonymous volume.
    run_husk inspect t240web-srv --format '{{range .Mounts}}{{if eq .Destination "/scratch"}}{{.Type}} {{.Name}}{{end}}{{end}}'
    local anon=${output#volume }
    [[ "$output" == "volume "* ]]
    run_husk volume inspect "$anon" --format '{{.Anonymous}}'
    assert_output_is "true"
    # hostPort: published on the pod, served by the container.
    run_husk pod inspect t240web --format '{{json .InfraConfig.PortBindings}}'
    assert_output_is "{\"8080/tcp\":[{\"HostIp\":\"\",\"HostPort\":\"$P1\"}]}"
    local got=""
    for _ in $(seq 50); do
        got=$(curl -s --max-time 2 http://127.0.0.1:$P1/greeting) && [ -n "$got" ] && break
        sleep 0.1
    done
    assert_equal "$got" "hello kube"
    # The pod's labels are on the pod.
    run_husk pod inspect t240web --format '{{.Labels.app}}'
    assert_output_is "t240"
}

@test "kube play: securityContext, resources and --start=false" {
    cat >"$HUSK_TMP/sec.yaml" <<EOF
apiVersion: v1
kind: Pod
metadata:
  name: t240sec
spec:
  containers:
  - name: c
    image: $IMG
    command: [sleep, "1000"]
    securityContext:
      runAsUser: 1000
      runAsGroup: 1001
      readOnlyRootFilesystem: true
      capabilities:
        add: [NET_ADMIN]
        drop: [CHOWN]
EOF
    run_husk kube play --start=false "$HUSK_TMP/sec.yaml"
    run_husk pod ps --format '{{.Name}} {{.Status}}'
    assert_output_is "t240sec Created"
    run_husk inspect t240sec-c --format '{{.Config.User}} {{.HostConfig.ReadonlyRootfs}} {{json .HostConfig.CapAdd}} {{.State.Status}}'
    assert_output_is '1000:1001 true ["CAP_NET_ADMIN"] created'
    run_husk inspect t240sec-c --format '{{json .HostConfig.CapDrop}}'
    assert_output_contains '"CAP_CHOWN"'
    run_husk pod start t240sec
    run_husk exec t240sec-c id -u
    assert_output_is "1000"
}

@test "kube play: resources.limits become the memory and cpu limits" {
    if is_rootless && [ "$(stat -f -c %T /sys/fs/cgroup)" != cgroup2fs ]; then
        skip "rootless on cgroup v1: limits are warned about and ignored (106-cgroups-mode)"
    fi
    cat >"$HUSK_TMP/res.yaml" <<EOF
apiVersion: v1
kind: Pod
metadata:
  name: t240res
spec:
  containers:
  - name: c
    image: $IMG
    command: [sleep, "1000"]
    resources:
      requests:
        memory: 1Mi
      limits:
        memory: 64Mi
        cpu: 500m
EOF
    run_husk kube play --start=false "$HUSK_TMP/res.yaml"
    run_husk inspect t240res-c --format '{{.HostConfig.Memory}} {{.HostConfig.NanoCpus}}'
    assert_output_is "67108864 500000000"
}

@test "kube play --network applies to the file's pods; from standard input" {
    printf 'kind: Pod\nmetadata:\n  name: t240net\nspec:\n  containers:\n  - name: c\n    image: %s\n    command: [sleep, "1000"]\n' "$IMG" >"$HUSK_TMP/net.yaml"
    run_husk kube play --network none - <"$HUSK_TMP/net.yaml"
    assert_output_contains "Pod:"
    run_husk exec t240net-c ls /sys/class/net
    assert_output_is "lo"
}

@test "kube play --publish, --annotation, --no-hosts, --log-driver apply to every pod and container" {
    printf 'kind: Pod\nmetadata:\n  name: t240o\nspec:\n  containers:\n  - name: c\n    image: %s\n    command: [busybox, httpd, -f, -p, "80", -h, /etc]\n' "$IMG" >"$HUSK_TMP/o.yaml"
    run_husk kube play --annotation t240.a=b --publish $P2:80 --no-hosts --log-driver k8s-file "$HUSK_TMP/o.yaml"
    run_husk inspect t240o-c --format '{{index .Config.Annotations "t240.a"}} {{.HostConfig.LogConfig.Type}}'
    assert_output_is "b k8s-file"
    run_husk pod inspect t240o --format '{{json .InfraConfig.PortBindings}} {{.InfraConfig.NoManageHosts}}'
    assert_output_is "{\"80/tcp\":[{\"HostIp\":\"\",\"HostPort\":\"$P2\"}]} true"
    local code=""
    for _ in $(seq 50); do
        code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 http://127.0.0.1:$P2/passwd) && [ "$code" = 200 ] && break
        sleep 0.1
    done
    assert_equal "$code" 200
}

@test "kube play: a Deployment makes one pod NAME-pod; replicas above 1 warn" {
    cat >"$HUSK_TMP/dep.yaml" <<EOF
apiVersion: apps/v1
kind: Deployment
metadata:
  name: t240dep
spec:
  replicas: 3
  selector:
    matchLabels:
      app: t240dep
  template:
    metadata:
      labels:
        app: t240dep
    spec:
      containers:
      - name: web
        image: $IMG
        command: [sleep, "1000"]
EOF
    run husk kube play "$HUSK_TMP/dep.yaml" 2>&1
    [ "$status" -eq 0 ]
    assert_output_contains "Limiting replica count to 1"
    run_husk pod ps --format '{{.Name}} {{.NumberOfContainers}}'
    assert_output_is "t240dep-pod 2"
    run_husk ps --format '{{.Names}}' --filter name=t240dep-pod-web
    assert_output_is "t240dep-pod-web"
    run_husk pod inspect t240dep-pod --format '{{.Labels.app}}'
    assert_output_is "t240dep"
}

@test "kube play: a DaemonSet and a Job each make one pod NAME-pod; the Job's runs once" {
    cat >"$HUSK_TMP/wl.yaml" <<EOF
apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: t240ds
spec:
  selector:
    matchLabels: {app: t240ds}
  template:
    metadata:
      labels: {app: t240ds}
    spec:
      containers:
      - name: agent
        image: $IMG
        command: [sleep, "1000"]
---
apiVersion: batch/v1
kind: Job
metadata:
  name: t240job
spec:
  backoffLimit: 2
  template:
    spec:
      containers:
      - name: once
        image: $IMG
        command: [sh, -c, "echo ran"]
EOF
    run_husk kube play "$HUSK_TMP/wl.yaml"
    run_husk inspect t240ds-pod-agent t240job-pod-once --format '{{.Name}} {{.HostConfig.RestartPolicy.Name}}'
    assert_output_is $'t240ds-pod-agent always\nt240job-pod-once '   # "no" reads as ""
    run_husk wait t240job-pod-once
    assert_output_is "0"
    run_husk logs t240job-pod-once
    assert_output_is "ran"
    run_husk kube down "$HUSK_TMP/wl.yaml"
    run_husk pod ps -q
    assert_output_is ""
}

@test "kube play: ConfigMap values by configMapKeyRef and envFrom, wherever the ConfigMap is" {
    cat >"$HUSK_TMP/cm.yaml" <<EOF
apiVersion: v1
kind: Pod
metadata:
  name: t240cm
spec:
  containers:
  - name: c
    image: $IMG
    command: [sleep, "1000"]
    envFrom:
    - configMapRef:
        name: t240env
      prefix: CM_
    env:
    - name: COLOR
      valueFrom:
        configMapKeyRef:
          name: t240env
          key: color
    - name: OPT
      valueFrom:
        configMapKeyRef: {name: t240none, key: x, optional: true}
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: t240env
data:
  color: blue
  size: "3"
EOF
    run_husk kube play "$HUSK_TMP/cm.yaml"
    run_husk exec t240cm-c sh -c 'echo "$COLOR $CM_color $CM_size ${OPT-unset}"'
    assert_output_is "blue blue 3 unset"
    # A key that is not there, not optional: refused, nothing made.
    sed -i 's/key: color/key: nope/' "$HUSK_TMP/cm.yaml"
    run_husk kube down "$HUSK_TMP/cm.yaml"
    run_husk 125 kube play "$HUSK_TMP/cm.yaml"
    assert_output_contains 'key "nope" not found in ConfigMap "t240env"'
    assert_nothing_left
}

@test "kube play: configMap volumes hold the ConfigMap's keys as read-only files" {
    cat >"$HUSK_TMP/cmv.yaml" <<EOF
apiVersion: v1
kind: ConfigMap
metadata:
  name: t240conf
data:
  app.conf: |
    port=8080
  mode: fast
---
apiVersion: v1
kind: Pod
metadata:
  name: t240cv
spec:
  containers:
  - name: c
    image: $IMG
    command: [sleep, "1000"]
    volumeMounts:
    - {name: conf, mountPath: /etc/app}
    - {name: one, mountPath: /one}
  volumes:
  - name: conf
    configMap:
      name: t240conf
  - name: one
    configMap:
      name: t240conf
      defaultMode: 0600
      items:
      - {key: mode, path: m}
EOF
    run_husk kube play "$HUSK_TMP/cmv.yaml"
    assert_output_contains $'Volumes:\nt240conf\nt240conf-t240cv-one\nPod:'
    run_husk exec t240cv-c sh -c 'cat /etc/app/app.conf /etc/app/mode; echo; ls /one; stat -c %a /one/m'
    assert_output_is $'port=8080\nfast\nm\n600'
    run_husk 1 exec t240cv-c touch /etc/app/x
    assert_output_contains "Read-only file system"
    run_husk kube down --force "$HUSK_TMP/cmv.yaml"
    assert_output_contains $'Volumes removed:\nt240conf\nt240conf-t240cv-one'
    assert_nothing_left
    # A key that is no file name is refused, nothing made.
    sed -i 's/  mode: fast/  ..: fast/' "$HUSK_TMP/cmv.yaml"
    run_husk 125 kube play "$HUSK_TMP/cmv.yaml"
    assert_output_contains 'ConfigMap key ".." is not a file name husk writes'
    assert_nothing_left
}

@test "kube play --replace recreates the pods; without it a second play fails" {
    write_pod
    husk kube play "$HUSK_TMP/pod.yaml" >/dev/null
    local old
    old=$(husk pod inspect t240web --format '{{.Id}}')
    run_husk 125 kube play "$HUSK_TMP/pod.yaml"
    assert_output_contains 't240web'
    # The failed second play removed nothing of the first.
    run_husk pod inspect t240web --format '{{.Id}}'
    assert_output_is "$old"
    run_husk volume exists t240data
    run_husk kube play --replace "$HUSK_TMP/pod.yaml"
    run_husk pod inspect t240web --format '{{.Id}} {{.NumContainers}}'
    [[ "$output" != "$old"* ]]
    [[ "$output" == *" 3" ]]
    run_husk pod ps -q
    [ "$(echo "$output" | wc -l)" -eq 1 ]
}

@test "kube down removes the file's pods and their containers; volumes only with --force" {
    write_pod
    husk kube play "$HUSK_TMP/pod.yaml" >/dev/null
    local pod
    pod=$(husk pod inspect t240web --format '{{.Id}}')
    run_husk kube down "$HUSK_TMP/pod.yaml"
    assert_output_is "Pods stopped:
$pod
Pods removed:
$pod"
    run_husk pod ps -q
    assert_output_is ""
    run_husk ps -aq
    assert_output_is ""
    # The claim's volume stays; the emptyDir's anonymous volume went.
    run_husk volume ls -q
    assert_output_is "t240data"
    # Again: nothing to do, no error (Podman prints the titles alone).
    run_husk kube down "$HUSK_TMP/pod.yaml"
    assert_output_is $'Pods stopped:\nPods removed:'
    # play --down is kube down; --force removes the claims' volumes.
    husk kube play "$HUSK_TMP/pod.yaml" >/dev/null
    run_husk play kube --down --force - <"$HUSK_TMP/pod.yaml"
    assert_output_contains "Volumes removed:
t240data"
    assert_nothing_left
}

@test "kube play: bad files and failures exit 125 naming the fault, and leave nothing" {
    local f=$HUSK_TMP/bad.yaml
    printf 'apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\n' >"$f"
    run_husk 125 kube play "$f"
    assert_output_contains 'kind "Secret" is not supported by husk'
    printf 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: [oops\n' >"$f"
    run_husk 125 kube play "$f"
    assert_output_contains "Error: yaml: line"
    printf 'kind: Pod\nmetadata:\n  name: t240x\nspec:\n  containers:\n  - name: c\n    image: %s\n    livenessProbe: {}\n' "$IMG" >"$f"
    run_husk 125 kube play "$f"
    assert_output_contains 'field "livenessProbe" is not supported by husk'
    printf 'kind: Pod\nmetadata:\n  name: t240x\nspec:\n  containers:\n  - name: c\n    image: %s\n    ports:\n    - containerPort: "80"\n' "$IMG" >"$f"
    run_husk 125 kube play "$f"
    assert_output_contains '"containerPort" must be an integer'
    printf '\xff\xfe\x00kind: Pod\n' >"$f"
    run_husk 125 kube play "$f"
    assert_output_contains "Error: yaml: "
    # Bounded: more than 4 MiB is refused before parsing.
    head -c 5000000 /dev/zero | tr '\0' '#' >"$f"
    run_husk 125 kube play "$f"
    assert_output_contains "larger than 4194304 bytes"
    run_husk 125 kube play "$HUSK_TMP/none.yaml"
    assert_output_contains "No such file or directory"
    run_husk 125 kube play https://podman.io/demo.yml
    assert_output_contains "from a URL is not supported by husk"
    assert_nothing_left

    # A missing image, after a claim and a first pod were made: all undone.
    write_pod
    sed -e "s/t240web/t240bad/; s/hostPort: $P1/hostPort: $P2/" "$HUSK_TMP/pod.yaml" >"$f"
    printf -- '---\nkind: Pod\nmetadata:\n  name: t240late\nspec:\n  containers:\n  - name: c\n    image: localhost/t240/nothere\n    imagePullPolicy: Never\n' >>"$f"
    run_husk 125 kube play "$f"
    assert_output_contains 'container "t240late-c"'
    assert_nothing_left
    [ ! -e "$HUSK_TMP/hostdir" ]

    # A port already taken: the second pod cannot start; it and its claim go.
    husk kube play "$HUSK_TMP/pod.yaml" >/dev/null
    sed -e 's/t240web/t240two/; s/t240data/t240two/' "$HUSK_TMP/pod.yaml" >"$f"
    run_husk 125 kube play "$f"
    assert_output_contains 'start pod "t240two"'
    run_husk pod ps --format '{{.Name}}'
    assert_output_is "t240web"
    run_husk ps -a --format '{{.Names}}' --filter name=t240two
    assert_output_is ""
    run_husk 1 volume exists t240two
    # Refused flags say so.
    run_husk 125 kube play --build "$f"
    assert_output_contains "husk does not build images"
}

@test "kube generate plays back to the same containers" {
    write_pod
    husk kube play "$HUSK_TMP/pod.yaml" >/dev/null
    run_husk kube generate t240web
    local gen=$output
    [[ "$gen" == "# Save the output of this file"* ]]
    assert_output_contains "apiVersion: v1
kind: Pod
metadata:
  labels:
    app: t240
  name: t240web"
    assert_output_contains "claimName: t240data"
    assert_output_contains "hostPort: $P1"
    assert_output_contains "emptyDir: {}"
    assert_output_contains "      type: Directory"
    husk kube generate -f "$HUSK_TMP/gen.yaml" t240web
    run_husk 125 kube generate -f "$HUSK_TMP/gen.yaml" t240web
    local before
    before=$(husk inspect t240web-srv t240web-client --format '{{.ImageName}} {{json .Config.Entrypoint}} {{json .Config.Cmd}} {{.Config.WorkingDir}} {{json .Config.Env}} {{range .Mounts}}{{.Type}}:{{.Destination}}:{{.RW}} {{end}}')
    husk pod rm -f -t 0 t240web >/dev/null
    run_husk generate kube --help
    run_husk kube play "$HUSK_TMP/gen.yaml"
    run_husk inspect t240web-srv t240web-client --format '{{.ImageName}} {{json .Config.Entrypoint}} {{json .Config.Cmd}} {{.Config.WorkingDir}} {{json .Config.Env}} {{range .Mounts}}{{.Type}}:{{.Destination}}:{{.RW}} {{end}}'
    assert_output_is "$before"
    run_husk pod inspect t240web --format '{{json .InfraConfig.PortBindings}}'
    assert_output_is "{\"8080/tcp\":[{\"HostIp\":\"\",\"HostPort\":\"$P1\"}]}"
    # The same YAML again from the played-back pod.
    run_husk kube generate t240web
    assert_output_is "$gen"
}

@test "kube generate --type deployment and --service; lone containers" {
    husk run -d --name t240lone -p $P3:80 -e FOO=bar $IMG sleep 1000 >/dev/null
    run_husk generate kube -s --type deployment t240lone
    assert_output_contains "kind: Deployment"
    assert_output_contains "name: t240lone-pod-deployment"
    assert_output_contains "kind: Service"
    assert_output_contains "    port: 80"
    echo "$output" >"$HUSK_TMP/dep.yaml"
    husk rm -f -t 0 t240lone >/dev/null
    run_husk kube play "$HUSK_TMP/dep.yaml"
    run_husk inspect t240lone-pod-deployment-pod-t240lone --format '{{json .Config.Cmd}} {{range .Config.Env}}{{.}} {{end}}'
    assert_output_contains '["sleep","1000"] '
    assert_output_contains 'FOO=bar'
    run_husk 125 kube generate --type job t240lone-pod-deployment-pod
    assert_output_contains "only supported types are pod and deployment"
    run_husk 125 kube generate t240nothere
    assert_output_contains 't240nothere'
    # A volume becomes a PersistentVolumeClaim, which plays back to it.
    husk volume create t240vol >/dev/null
    run_husk kube generate t240vol
    assert_output_contains "kind: PersistentVolumeClaim"
    echo "$output" >"$HUSK_TMP/pvc.yaml"
    husk volume rm t240vol >/dev/null
    run_husk kube play "$HUSK_TMP/pvc.yaml"
    assert_output_is $'Volumes:\nt240vol'
}

@test "kube play accepts what podman kube generate (4.3.1) writes" {
    cat >"$HUSK_TMP/podman.yaml" <<EOF2
# Save the output of this file and use kubectl create -f to import
# it into Kubernetes.
#
# Created with podman-4.3.1
apiVersion: v1
kind: Pod
metadata:
  annotations:
    io.kubernetes.cri-o.ContainerType/p-c: container
    io.podman.annotations.autoremove/p-c: "FALSE"
  creationTimestamp: "2026-12-06T05:08:15Z"
  labels:
    app: t240p
  name: t240p
spec:
  automountServiceAccountToken: false
  containers:
  - command:
    - sleep
    - "1000"
    image: localhost/husk-test/busybox:latest
    name: c
    resources: {}
    securityContext:
      capabilities:
        drop:
        - CAP_MKNOD
        - CAP_NET_RAW
        - CAP_AUDIT_WRITE
    volumeMounts:
    - mountPath: /d
      name: t240pv-pvc
  enableServiceLinks: false
  hostname: t240p
  restartPolicy: Always
  volumes:
  - name: t240pv-pvc
    persistentVolumeClaim:
      claimName: t240pv
status: {}
EOF2
    run_husk kube play "$HUSK_TMP/podman.yaml"
    run_husk inspect t240p-c --format '{{.State.Status}} {{json .Config.Entrypoint}} {{index .Config.Annotations "io.kubernetes.cri-o.ContainerType/p-c"}}'
    assert_output_is 'running ["sleep","1000"] container'
    run_husk inspect t240p-c --format '{{range .Mounts}}{{.Name}}:{{.Destination}}{{end}}'
    assert_output_is "t240pv:/d"
}
