#!/usr/bin/env bats
# --mount type=image: another image's root file system, read-only, at a
# path in the container; resolved at create, mounted through the store at
# each start, released at cleanup; rmi refuses an image a container mounts.
load helpers

setup() {
    container_setup
    run_husk load -i "$HUSK_IMAGES/layers.docker.tar"
}

teardown() {
    container_teardown
}

# The image mounts of this test's store that are mounted now (as husk sees
# them: rootless, in its user namespace).
image_mounts() {
    store_mountinfo | awk '{print $5}' | grep -F "$HUSK_RUNROOT/" | grep -F "/mounts/" || true
}

@test "--mount type=image shows the image's files read-only" {
    run_husk run --rm --mount type=image,source=husk-test/layers,destination=/img \
        husk-test/busybox sh -c 'cat /img/data/keep.txt /img/data/new.txt; grep " /img " /proc/mounts'
    assert_output_contains "keep
new"
    [[ "${lines[2]}" == *" /img "*" ro,"* ]]
}

@test "writes to an image mount fail with EROFS and change neither the image nor the container" {
    run_husk 1 run --name w --mount type=image,src=husk-test/layers,dst=/img husk-test/busybox \
        sh -c 'touch /img/x; echo status=$?; echo y > /img/data/keep.txt'
    assert_output_contains "touch: /img/x: Read-only file system"
    assert_output_contains "status=1"
    assert_output_contains "can't create /img/data/keep.txt: Read-only file system"
    # The container's own layer has the mount point and nothing under it.
    run_husk diff w
    assert_output_contains "A /img"
    [[ "$output" != *"/img/"* ]]
    run_husk 1 run --rm --mount type=image,src=husk-test/layers,dst=/img husk-test/busybox \
        sh -c 'cat /img/data/keep.txt; ls /img/x 2>&1'
    assert_output_is "keep
ls: /img/x: No such file or directory"
}

@test "rw and readwrite take true or false; rw=true writes through an overlay the image never sees" {
    run_husk 1 run --rm --mount type=image,src=husk-test/layers,dst=/img,rw=false husk-test/busybox \
        sh -c 'touch /img/x 2>&1'
    assert_output_contains "Read-only file system"
    run_husk run -d --name w --mount type=image,src=husk-test/layers,dst=/img,rw=true \
        husk-test/busybox sh -c 'cat /img/x 2>/dev/null; echo new > /img/x; rm /img/data/keep.txt; sleep 300'
    for i in $(seq 50); do husk exec w test -f /img/x && break; sleep 0.1; done
    run_husk 1 exec w sh -c 'cat /img/x; ls /img/data/keep.txt 2>&1'
    assert_output_is "new
ls: /img/data/keep.txt: No such file or directory"
    # The image and another container mounting it meanwhile see none of it.
    run_husk 1 run --rm --mount type=image,src=husk-test/layers,dst=/img,readwrite husk-test/busybox \
        sh -c 'cat /img/data/keep.txt; ls /img/x 2>&1'
    assert_output_is "keep
ls: /img/x: No such file or directory"
    # Gone once the container stops: a restart starts from the image again.
    run_husk stop -t 0 w
    ! store_mountinfo | grep -q "image-rw" || false
    run_husk start w
    for i in $(seq 50); do husk exec w test -f /img/x && break; sleep 0.1; done
    run_husk logs w
    assert_output_is ""
    run_husk rm -f -t 0 w
    ! store_mountinfo | grep -q "image-rw" || false
    run_husk 125 create --mount type=image,dst=/img husk-test/busybox
    assert_output_contains 'type=image needs a source image'
    run_husk 125 create --mount type=image,src=husk-test/layers,dst=/img,nosuid husk-test/busybox
    assert_output_contains 'type=image takes only source, destination and rw'
    run_husk ps -a -q
    assert_output_is ""
}

@test "a missing image fails the create with Podman's message and leaves nothing" {
    run_husk 125 create --mount type=image,src=nothere,dst=/x husk-test/busybox
    assert_output_is 'Error: creating image volume "nothere":"/x": nothere: image not known'
    run_husk ps -a -q
    assert_output_is ""
}

@test "inspect lists an image mount by the image's ID, resolved at create" {
    id=$(husk image inspect --format '{{.Id}}' husk-test/layers)
    run_husk create --name c --mount type=image,src=husk-test/layers,dst=/img husk-test/busybox \
        cat /img/data/keep.txt
    run_husk inspect --format '{{json .Mounts}}' c
    assert_output_is "[{\"Type\":\"image\",\"Source\":\"$id\",\"Destination\":\"/img\",\"Driver\":\"\",\"Mode\":\"\",\"Options\":null,\"RW\":false,\"Propagation\":\"\"}]"
    # The name may move on; the container keeps the image it was given.
    run_husk tag husk-test/busybox husk-test/layers
    run_husk start -a c
    assert_output_is "keep"
    run_husk run --rm --mount type=image,src=$id,dst=/img husk-test/busybox cat /img/data/keep.txt
    assert_output_is "keep"
}

@test "containers share an image mount; the last one to stop releases it" {
    run_husk run -d --name a --mount type=image,src=husk-test/layers,dst=/img husk-test/busybox sleep 100
    run_husk run -d --name b --mount type=image,src=husk-test/layers,dst=/img2 husk-test/busybox sleep 100
    run image_mounts
    [ "${#lines[@]}" -eq 1 ]
    run_husk rm -f -t 0 a
    run image_mounts
    [ "${#lines[@]}" -eq 1 ]
    run_husk exec b cat /img2/data/new.txt
    assert_output_is "new"
    run_husk stop -t 0 b
    run image_mounts
    assert_output_is ""
    # A release done twice (stop's cleanup, then rm) gives the use back once.
    run_husk start b
    run image_mounts
    [ "${#lines[@]}" -eq 1 ]
    run_husk rm -f -t 0 b
    run image_mounts
    assert_output_is ""
}

@test "run --rm releases the image mount" {
    run_husk run --rm --mount type=image,src=husk-test/layers,dst=/img husk-test/busybox true
    run image_mounts
    assert_output_is ""
    run_husk ps -a -q
    assert_output_is ""
    [ -z "$(ls "$HUSK_RUNROOT/containers")" ]
}

@test "rmi refuses an image a container mounts; rmi -f removes the container" {
    run_husk create --name m --mount type=image,src=husk-test/layers,dst=/img husk-test/busybox
    run_husk 2 rmi husk-test/layers
    assert_output_contains "Error: image used by container m: image is in use by a container"
    run_husk start m
    run_husk 2 rmi husk-test/layers
    assert_output_contains "image used by container m"
    run_husk run --rm --mount type=image,src=husk-test/layers,dst=/img husk-test/busybox cat /img/data/keep.txt
    assert_output_is "keep"
    run_husk rm -f -t 0 m
    run_husk create --name n --mount type=image,src=husk-test/layers,dst=/img husk-test/busybox
    run_husk rmi -f husk-test/layers
    assert_output_contains "Deleted:"
    run_husk ps -a -q
    assert_output_is ""
    run image_mounts
    assert_output_is ""
}

@test "a restart by policy keeps the image mount; the final exit releases it" {
    run_husk run -d --name r --restart on-failure:2 \
        --mount type=image,src=husk-test/layers,dst=/img husk-test/busybox \
        sh -c 'cat /img/data/keep.txt; exit 1'
    run_husk wait r
    assert_output_is "1"
    run_husk logs r
    assert_output_is "keep
keep
keep"
    run_husk inspect --format '{{.RestartCount}} {{.State.Status}}' r
    assert_output_is "2 exited"
    run image_mounts
    assert_output_is ""
}
