#!/usr/bin/env bats
# Events as Podman 4.3.1 records and prints them: which events a lifecycle
# produces and in which order, the JSON fields, the default line, the
# filters; died and cleanup (written by whichever process folds the exit,
# usually the monitor's `container cleanup`) exactly once.
load helpers

setup() {
    container_setup
}

teardown() {
    container_teardown
}

# statuses NAME: the actions recorded for one container, on one line.
statuses() {
    husk events --stream=false --filter container="$1" --format '{{.Status}}' | tr '\n' ' '
}

@test "a lifecycle records Podman's events in Podman's order" {
    skip_without_cgroup "pause needs the freezer cgroup"
    run_husk create --name lc --label tier=web husk-test/busybox sleep 1000
    run_husk start lc
    run_husk exec lc true
    run_husk pause lc
    run_husk unpause lc
    run_husk restart -t 0 lc
    run_husk stop -t 0 lc
    run_husk rm lc
    assert_equal "$(statuses lc)" "create init start exec exec_died pause unpause restart died cleanup init start stop died cleanup remove "
}

@test "run records attach; --rm records remove instead of cleanup; kill comes before died" {
    run_husk run --name att husk-test/busybox true
    assert_equal "$(statuses att)" "create init start attach died cleanup "
    run_husk run --rm --name gone husk-test/busybox true
    assert_equal "$(statuses gone)" "create init start attach died remove "
    # start -a records it too, for a created and for an initialized container;
    # a passthrough log leaves nothing to attach to, and records none.
    run_husk create --name sa husk-test/busybox true
    run_husk start -a sa
    assert_equal "$(statuses sa)" "create init start attach died cleanup "
    run_husk create --name si husk-test/busybox true
    run_husk init si
    run_husk start -a si
    assert_equal "$(statuses si)" "create init start attach died cleanup "
    run_husk run --name pt --log-driver passthrough husk-test/busybox true
    assert_equal "$(statuses pt)" "create init start died cleanup "
    run_husk run -d --name k husk-test/busybox sleep 1000
    run_husk kill k
    run_husk wait k
    assert_equal "$(statuses k)" "create init start kill died cleanup "
}

@test "--format json prints Podman's fields: Image, Attributes (sorted labels), ContainerExitCode" {
    run_husk 3 run --name js --label zz=last --label aa=first husk-test/busybox sh -c 'exit 3'
    id=$(husk inspect --format '{{.Id}}' js)
    run_husk events --stream=false --format json --filter container=js --filter event=create
    assert_output_is "$(printf '{"ID":"%s","Image":"localhost/husk-test/busybox:latest","Name":"js","Status":"create","Time":"%s","Type":"container","Attributes":{"aa":"first","org.husk.test":"busybox","zz":"last"}}' "$id" "$(echo "$output" | jq -r .Time)")"
    [[ "$(echo "$output" | jq -r .Time)" =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+(Z|[+-][0-9:]+)$ ]]
    run_husk events --stream=false --format json --filter container=js --filter event=died
    echo "$output" | jq -e '.ContainerExitCode == 3 and .Status == "died"' >/dev/null
    [[ "$output" == '{"ContainerExitCode":3,"ID":'* ]]
    # Exit code 0 is left out, as Podman's omitempty does.
    run_husk run --name ok husk-test/busybox true
    run_husk events --stream=false --format json --filter container=ok --filter event=died
    echo "$output" | jq -e 'has("ContainerExitCode") | not' >/dev/null
    run_husk run -d --name ex husk-test/busybox sleep 1000
    run_husk 4 exec ex sh -c 'exit 4'
    run_husk events --stream=false --format json --filter container=ex --filter event=exec_died
    echo "$output" | jq -e '.ContainerExitCode == 4' >/dev/null
}

@test "--format json: image events have Attributes null, volume events no ID" {
    run_husk volume create evvol
    run_husk events --stream=false --format json --filter type=volume
    echo "$output" | jq -e '.Name == "evvol" and .Status == "create" and .Attributes == null and (has("ID") | not)' >/dev/null
    run_husk events --stream=false --format json --filter type=image
    echo "$output" | head -1 | jq -e '.Type == "image" and .Attributes == null and (has("Image") | not)' >/dev/null
}

@test "the default line: TIME container ACTION ID (image=, name=, labels sorted)" {
    run_husk create --name hl --label b=2 --label a=1 husk-test/busybox true
    id=$(husk inspect --format '{{.Id}}' hl)
    run_husk events --stream=false --filter container=hl
    [[ "$output" =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}\ [0-9:.]+\ [+-][0-9]{4}\ [A-Z]+\ container\ create\ $id\ \(image=localhost/husk-test/busybox:latest,\ name=hl,\ a=1,\ b=2,\ org.husk.test=busybox\)$ ]]
    run_husk volume create hlvol
    run_husk events --stream=false --filter type=volume
    [[ "$output" =~ \ volume\ create\ hlvol$ ]]
    run_husk events --stream=false --filter type=image --filter event=loadfromarchive
    [[ "$output" =~ \ image\ loadfromarchive\ [0-9a-f]{64}\ localhost/husk-test/busybox:latest$ ]]
}

@test "templates see Podman's fields: ContainerExitCode, Attributes, HealthStatus" {
    run_husk 5 run --name tp --label k=v husk-test/busybox sh -c 'exit 5'
    run_husk events --stream=false --filter container=tp --filter event=died \
        --format '{{.Name}} {{.ContainerExitCode}} {{.Image}} {{.Attributes}}'
    assert_output_is "tp 5 localhost/husk-test/busybox:latest map[k:v org.husk.test:busybox]"
}

@test "healthcheck run records health_status with the status" {
    run_husk run -d --name hc --health-cmd true --health-interval 0 husk-test/busybox sleep 1000
    run_husk healthcheck run hc
    run_husk run -d --name hb --health-cmd false --health-interval 0 --health-retries 1 husk-test/busybox sleep 1000
    run_husk 1 healthcheck run hb
    run_husk events --stream=false --filter event=health_status --format '{{.Name}} {{.HealthStatus}}'
    assert_output_is "$(printf 'hc healthy\nhb unhealthy')"
    run_husk events --stream=false --filter event=health_status --filter container=hb --format json
    echo "$output" | jq -e '.health_status == "unhealthy" and .Status == "health_status"' >/dev/null
    run_husk events --stream=false --filter event=health_status --filter container=hc
    [[ "$output" == *"(image=localhost/husk-test/busybox:latest, name=hc, health_status=healthy, org.husk.test=busybox)" ]]
}

@test "filters: container= is an exact name or an ID prefix; label=K=V; same keys any, different all" {
    # Names with a letter that is no hex digit: "f1" would also be a
    # prefix of one ID in 256, and container= matches ID prefixes.
    run_husk create --name w1 --label app=web husk-test/busybox true
    run_husk create --name xw1 husk-test/busybox true
    id=$(husk inspect --format '{{.Id}}' w1)
    run_husk events --stream=false --filter container=w1 --format '{{.Name}} {{.Status}}'
    assert_output_is "w1 create"
    # Not a prefix of a name ("x" is no hex digit, so no ID prefix either).
    run_husk events --stream=false --filter container=xw --format '{{.Name}}'
    assert_output_is ""
    run_husk events --stream=false --filter container="${id:0:6}" --format '{{.Name}}'
    assert_output_is "w1"
    run_husk events --stream=false --filter label=app=web --format '{{.Name}}'
    assert_output_is "w1"
    # As in Podman, a label filter without a value matches nothing.
    run_husk events --stream=false --filter label=app --format '{{.Name}}'
    assert_output_is ""
    run_husk rm w1 xw1
    run_husk events --stream=false --filter event=create --filter event=remove --filter container=xw1 --format '{{.Status}}'
    assert_output_is "$(printf 'create\nremove')"
    run_husk events --stream=false --filter type=container --filter type=image --format '{{.Type}}'
    assert_output_contains "image"
    assert_output_contains "container"
    run_husk events --stream=false --filter image=localhost/husk-test/busybox:latest --format '{{.Type}} {{.Status}}'
    assert_output_is "image loadfromarchive"
    run_husk volume create fv
    run_husk events --stream=false --filter volume=fv --format '{{.Type}} {{.Name}}'
    assert_output_is "volume fv"
    run_husk events --stream=false --filter pod=x
    assert_output_is ""
    run_husk 125 events --stream=false --filter bogus=1
    assert_output_is "Error: bogus is an invalid filter"
}

@test "died and cleanup are recorded exactly once, whoever folds the exit" {
    # Another husk keeps looking at the containers while the monitors'
    # cleanups run: each exit must still be written once.
    ( for i in $(seq 40); do husk ps -a >/dev/null 2>&1; done ) &
    for i in 1 2 3 4 5 6; do
        run_husk run -d --name q$i husk-test/busybox sh -c 'exit 7'
    done
    run_husk run -d --name qs husk-test/busybox sleep 1000
    run_husk stop -t 0 qs
    wait
    for i in 1 2 3 4 5 6; do
        run_husk wait q$i
        assert_output_is "7"
    done
    sleep 0.5
    for n in q1 q2 q3 q4 q5 q6; do
        assert_equal "$(statuses $n)" "create init start died cleanup "
    done
    assert_equal "$(statuses qs)" "create init start stop died cleanup "
}
