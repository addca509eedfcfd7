#!/usr/bin/env bats
# The image commands as Podman 5 behaves (issue 10): images NAME, -a,
# --history, the templates; save by ID and --uncompressed; load's message
# for an unknown format; run/create from archive transports; a full disk;
# image mount/unmount --all; rmi --force; system df, info counts and keys;
# the flags of the image commands' man pages.
load helpers

setup() {
    container_setup
}

teardown() {
    if [ -n "${IMGWT_TMPFS:-}" ]; then umount -l "$IMGWT_TMPFS" 2>/dev/null || true; fi
    container_teardown
}

@test "images NAME lists only the names that match NAME, not every tag of the image" {
    run_husk tag husk-test/busybox foo:1 bar
    run_husk images --format '{{.Repository}}:{{.Tag}}' husk-test/busybox
    assert_output_is "localhost/husk-test/busybox:latest"
    run_husk images --format '{{.Repository}}:{{.Tag}}' foo:1
    assert_output_is "localhost/foo:1"
    run_husk images --format '{{.Repository}}:{{.Tag}}' --filter reference=bar
    assert_output_is "localhost/bar:latest"
    # Without a name every name of every image is listed.
    run_husk images --format '{{.Repository}}:{{.Tag}}'
    [ "${#lines[@]}" -eq 3 ]
}

@test "images hides intermediate images (unnamed parents of others); -a shows them" {
    run_husk load -i "$HUSK_IMAGES/layers.docker.tar"
    # busybox's one layer is the first of layers': unnamed, it is layers' parent.
    run_husk untag husk-test/busybox
    run_husk images --format '{{.Repository}} {{.ID}}'
    assert_output_is "localhost/husk-test/layers b07f7a69c2ab"
    run_husk images -a --format '{{.Repository}} {{.ID}}'
    assert_output_contains "<none> d9a5a6248031"
    [ "${#lines[@]}" -eq 2 ]
    run_husk images -q
    assert_output_is "b07f7a69c2ab"
    # Not dangling: image prune leaves it.
    run_husk images -a -q --filter dangling=true
    assert_output_is ""
    run_husk images -a -q --filter dangling=false
    [ "${#lines[@]}" -eq 2 ]
    run_husk image prune -f
    assert_output_is ""
    # An unnamed image that is nobody's parent is dangling and listed.
    run_husk rmi --no-prune husk-test/layers
    assert_output_is "Untagged: localhost/husk-test/layers:latest
Deleted: b07f7a69c2ab22ef3d6aa953d26c5479aa84a7d25ed91b128e6cd8059444c867"
    run_husk images --format '{{.Repository}} {{.ID}}'
    assert_output_is "<none> d9a5a6248031"
}

@test "rmi removes the parents it leaves dangling, unless --no-prune" {
    run_husk load -i "$HUSK_IMAGES/layers.docker.tar"
    run_husk untag husk-test/busybox
    run_husk rmi husk-test/layers
    assert_output_is "Untagged: localhost/husk-test/layers:latest
Deleted: b07f7a69c2ab22ef3d6aa953d26c5479aa84a7d25ed91b128e6cd8059444c867
Deleted: d9a5a62480319f30e21a07a867f1f0674434a14e3fa5e6400994361fae706e2b"
    run_husk images -a -q
    assert_output_is ""
    # A named parent, or one a container uses, stays.
    run_husk load -i "$HUSK_IMAGES/busybox.docker.tar"
    run_husk load -i "$HUSK_IMAGES/layers.docker.tar"
    run_husk rmi husk-test/layers
    run_husk images -a -q
    assert_output_is "d9a5a6248031"
}

@test "images --format {{.History}} and --history; history --format {{.CreatedSince}}" {
    run_husk tag husk-test/busybox other
    run_husk images --format '{{.History}}' husk-test/busybox
    assert_output_is "localhost/husk-test/busybox:latest, localhost/other:latest"
    run_husk images --history husk-test/busybox
    assert_output_contains "HISTORY"
    run_husk history --format '{{.CreatedSince}}|{{.CreatedAt}}' husk-test/busybox
    assert_output_is "2 years ago|2024-01-01 00:00:00 +0000 UTC"
}

@test "save IMAGE-ID writes no repo tags: loading it gives <none>:<none>" {
    run_husk save -o "$HUSK_TMP/byid.tar" d9a5a6248031
    run tar -xOf "$HUSK_TMP/byid.tar" manifest.json
    assert_output_contains '"RepoTags":[]'
    run_husk save -o "$HUSK_TMP/byname.tar" husk-test/busybox
    run tar -xOf "$HUSK_TMP/byname.tar" manifest.json
    assert_output_contains '"RepoTags":["localhost/husk-test/busybox:latest"]'
    run_husk rmi husk-test/busybox
    run_husk load -i "$HUSK_TMP/byid.tar"
    assert_output_is "Loaded image: sha256:d9a5a62480319f30e21a07a867f1f0674434a14e3fa5e6400994361fae706e2b"
    run_husk images --format '{{.Repository}}:{{.Tag}} {{.ID}}'
    assert_output_is "<none>:<none> d9a5a6248031"
}

@test "save --uncompressed writes an OCI archive's layers uncompressed" {
    run_husk rmi husk-test/busybox
    run_husk load -i "$HUSK_IMAGES/busybox.oci.tar"   # a gzip layer
    run_husk save --format oci-archive -o "$HUSK_TMP/gz.tar" d9a5a6248031
    run tar -tf "$HUSK_TMP/gz.tar"
    assert_output_contains "blobs/sha256/cdf3957cdfd8578184f6bd79cb1a018db08c3aec712509f9bd25691f0e7e4a7f"
    run_husk save --uncompressed --format oci-archive -o "$HUSK_TMP/u.tar" d9a5a6248031
    run tar -tf "$HUSK_TMP/u.tar"
    # The uncompressed blob's digest is the layer's diff ID.
    assert_output_contains "blobs/sha256/a1eebe6acc76f547279987249e80cb916fa1aa2d208219558d63651a8b8fbf3e"
    [[ "$output" != *cdf3957cdfd8* ]]
    mkdir "$HUSK_TMP/u" && tar -xf "$HUSK_TMP/u.tar" -C "$HUSK_TMP/u"
    run grep -rh 'vnd.oci.image.layer.v1.tar"' "$HUSK_TMP/u/blobs/sha256"
    [ "$status" -eq 0 ]
    # It loads again, with the same ID.
    run_husk rmi -f d9a5a6248031
    run_husk load -i "$HUSK_TMP/u.tar"
    run_husk images -q --no-trunc
    assert_output_is "sha256:d9a5a62480319f30e21a07a867f1f0674434a14e3fa5e6400994361fae706e2b"
    # docker-archive's layers are uncompressed anyway: accepted.
    run_husk save --uncompressed -o "$HUSK_TMP/d.tar" d9a5a6248031
}

@test "save without -m takes the other arguments as names for the first image; -m only for docker-archive" {
    run_husk load -i "$HUSK_IMAGES/layers.docker.tar"
    run_husk save -o "$HUSK_TMP/tags.tar" husk-test/busybox foo:1 reg.example/x/y:2
    run tar -xOf "$HUSK_TMP/tags.tar" manifest.json
    assert_output_contains '"RepoTags":["localhost/husk-test/busybox:latest","localhost/foo:1","reg.example/x/y:2"]'
    run jq length <<<"$output"
    assert_output_is 1
    run_husk save -m -o "$HUSK_TMP/multi.tar" husk-test/busybox husk-test/layers
    run tar -xOf "$HUSK_TMP/multi.tar" manifest.json
    run jq length <<<"$output"
    assert_output_is 2
    run_husk 125 save -m --format oci-archive -o "$HUSK_TMP/m.oci" husk-test/busybox husk-test/layers
    assert_output_is 'Error: unsupported format "oci-archive" for saving multiple images (only docker-archive)'
    [ ! -e "$HUSK_TMP/m.oci" ]
}

@test "save refuses --compress and docker-dir with Podman's reasons" {
    run_husk 125 save --compress -o "$HUSK_TMP/x" husk-test/busybox
    assert_output_contains "--compress can only be set when --format is 'docker-dir'"
    run_husk 125 save --format docker-dir -o "$HUSK_TMP/x" husk-test/busybox
    assert_output_contains "not supported by husk: --format docker-dir"
    [ ! -e "$HUSK_TMP/x" ]
}

@test "load of an archive in no known format says what it tried, exit 125" {
    echo garbage > "$HUSK_TMP/bad.tar"
    run_husk 125 load -i "$HUSK_TMP/bad.tar"
    assert_equal "${lines[0]}" "Error: payload does not match any of the supported image formats:"
    assert_equal "${lines[1]}" " * oci: '$HUSK_TMP/bad.tar' is not a directory"
    assert_equal "${lines[2]}" " * oci-archive: not a tar archive: Unrecognized archive format"
    assert_equal "${lines[3]}" " * docker-archive: not a tar archive: Unrecognized archive format"
    # A tar that holds no image.
    tar -cf "$HUSK_TMP/plain.tar" -C "$HUSK_TMP" bad.tar
    run_husk 125 load -i "$HUSK_TMP/plain.tar"
    assert_equal "${lines[2]}" " * oci-archive: no index.json in the archive"
    assert_equal "${lines[3]}" " * docker-archive: no manifest.json in the archive"
    # A directory that is no OCI layout.
    mkdir "$HUSK_TMP/empty"
    run_husk 125 load -i "$HUSK_TMP/empty"
    assert_equal "${lines[1]}" " * oci: no index.json in directory '$HUSK_TMP/empty'"
    run_husk images -q
    assert_output_is "d9a5a6248031"
}

@test "load of an OCI archive whose ref.name is only a tag names it localhost/TAG:latest" {
    # Podman 4.3.1 says "Loaded image: localhost/latest:latest" for this archive.
    run_husk load -i "$HUSK_IMAGES/layers.oci.tar"
    assert_output_is "Loaded image: localhost/latest:latest"
    run_husk image exists localhost/latest:latest
}

@test "run and create from docker-archive:PATH load the image first" {
    run_husk rmi husk-test/busybox
    run_husk run --rm "docker-archive:$HUSK_IMAGES/busybox.docker.tar" echo from-docker-archive
    assert_output_is "from-docker-archive"
    run_husk image exists husk-test/busybox
    run_husk rmi husk-test/busybox
    run_husk create --name c1 "docker-archive:$HUSK_IMAGES/busybox.docker.tar" true
    run_husk inspect --format '{{.Image}}' c1
    assert_output_is "d9a5a62480319f30e21a07a867f1f0674434a14e3fa5e6400994361fae706e2b"
}

@test "run and create from docker-archive:PATH:NAME pick NAME of a multi-image archive" {
    run_husk run --rm "docker-archive:$HUSK_IMAGES/multi.docker.tar:husk-test/layers" ls /data
    run_husk create --name c2 "docker-archive:$HUSK_IMAGES/multi.docker.tar:husk-test/layers" true
    run_husk inspect --format '{{.Image}}' c2
    assert_output_is "b07f7a69c2ab22ef3d6aa953d26c5479aa84a7d25ed91b128e6cd8059444c867"
}

@test "run and create from oci-archive:PATH load the image first" {
    run_husk run --rm "oci-archive:$HUSK_IMAGES/layers.oci.tar" ls /data
    run_husk image exists localhost/latest:latest
    run_husk create --name c3 "oci-archive:$HUSK_IMAGES/layers.oci.tar" true
    run_husk inspect --format '{{.Image}}' c3
    assert_output_is "b07f7a69c2ab22ef3d6aa953d26c5479aa84a7d25ed91b128e6cd8059444c867"
}

@test "run and create from oci:DIR load the image first" {
    run_husk rmi husk-test/busybox
    run_husk run --rm "oci:$HUSK_IMAGES/busybox.oci" echo from-oci-dir
    assert_output_is "from-oci-dir"
    run_husk create --name c4 "oci:$HUSK_IMAGES/busybox.oci:latest" true
    run_husk inspect --format '{{.Image}}' c4
    assert_output_is "d9a5a62480319f30e21a07a867f1f0674434a14e3fa5e6400994361fae706e2b"
    run_husk 125 run --rm "oci:$HUSK_TMP/nosuch" true
    assert_output_contains "nosuch"
}

@test "a load, save or import that fills the disk says No space left on device" {
    IMGWT_TMPFS=$HUSK_TMP/small
    mkdir "$IMGWT_TMPFS"
    # Rootless the tmpfs is mounted where husk works: its mount namespace.
    in_userns mount -t tmpfs -o size=1m tmpfs "$IMGWT_TMPFS"
    local h=("$HUSK_BIN" --root "$IMGWT_TMPFS/root" --runroot "$IMGWT_TMPFS/run")
    run "${h[@]}" load -i "$HUSK_IMAGES/busybox.docker.tar"
    [ "$status" -eq 125 ]
    assert_output_contains "No space left on device"
    [[ "$output" != *"File exists"* ]]
    run "${h[@]}" load -i "$HUSK_IMAGES/busybox.oci.tar"
    [ "$status" -eq 125 ]
    assert_output_contains "No space left on device"
    # The store stays consistent: nothing recorded, nothing left over.
    run "${h[@]}" images -q
    assert_output_is ""
    [ -z "$(in_userns ls "$IMGWT_TMPFS"/root/storage/overlay/layers 2>/dev/null)" ]
    run "${h[@]}" import "$HUSK_IMAGES/rootfs.tar"
    [ "$status" -eq 125 ]
    assert_output_contains "No space left on device"
    run_husk 125 save -o "$IMGWT_TMPFS/out.tar" husk-test/busybox
    assert_output_contains "No space left on device"
    run_husk 125 save --format oci-archive -o "$IMGWT_TMPFS/out.tar" husk-test/busybox
    assert_output_contains "No space left on device"
    in_userns test ! -e "$IMGWT_TMPFS/out.tar"
    in_userns test -d "$IMGWT_TMPFS/root"   # the tmpfs was there all along
    in_userns umount "$IMGWT_TMPFS"
}

@test "a commit that fills the disk says No space left on device" {
    IMGWT_TMPFS=$HUSK_TMP/small
    mkdir "$IMGWT_TMPFS"
    # Room for busybox (its tar while loading, then its layer) and a 2 MB
    # file, not for the commit of it: the run itself must not fill the disk,
    # or its state writes at exit would fail first.
    in_userns mount -t tmpfs -o size=5m tmpfs "$IMGWT_TMPFS"
    local h=("$HUSK_BIN" --root "$IMGWT_TMPFS/root" --runroot "$HUSK_TMP/run-small")
    run "${h[@]}" load -i "$HUSK_IMAGES/busybox.docker.tar"
    [ "$status" -eq 0 ]
    run "${h[@]}" run --name filler husk-test/busybox \
        sh -c 'dd if=/dev/urandom of=/f bs=1k count=2000 2>/dev/null; true'
    [ "$status" -eq 0 ]
    run "${h[@]}" commit filler big
    [ "$status" -eq 125 ]
    assert_output_contains "No space left on device"
    run "${h[@]}" images --format '{{.Repository}}'
    assert_output_is "localhost/husk-test/busybox"
    "${h[@]}" rm -f filler >/dev/null
    in_userns umount "$IMGWT_TMPFS"
}

@test "image umount -a and image unmount --all unmount every mounted image" {
    use_unshare
    run_husk load -i "$HUSK_IMAGES/layers.docker.tar"
    run_husk image mount husk-test/busybox
    mnt=$output
    run_husk image mount husk-test/layers
    run_husk image mount husk-test/layers
    run_husk 125 image mount --format '{{.}}'
    assert_output_contains "unknown --format argument"
    run_husk image mount --format json
    run jq -r '.[] | .Repositories[0]' <<<"$output"
    assert_output_contains "localhost/husk-test/layers:latest"
    run_husk image mount
    assert_output_contains "localhost/husk-test/busybox:latest  $mnt"
    [ "${#lines[@]}" -eq 2 ]
    run_husk image umount -a
    [ "${#lines[@]}" -eq 2 ]
    assert_output_contains "d9a5a62480319f30e21a07a867f1f0674434a14e3fa5e6400994361fae706e2b"
    ! in_userns mountpoint -q "$mnt" || false
    run_husk image mount
    assert_output_is ""
    run_husk image mount husk-test/busybox
    run_husk image unmount --all
    assert_output_is "d9a5a62480319f30e21a07a867f1f0674434a14e3fa5e6400994361fae706e2b"
    run_husk image unmount --all
    assert_output_is ""
    run_husk 125 image unmount --all husk-test/busybox
}

@test "image rm --force and rmi -f of an image that does not exist exit 0" {
    run_husk image rm --force nosuch
    assert_output_is ""
    run_husk rmi -f nosuch
    run_husk 1 rmi nosuch
    assert_output_contains "nosuch: image not known"
}

@test "rmi -f IMAGE removes the containers that use it, then the image" {
    run_husk create --name user1 husk-test/busybox true
    run_husk run -d --name user2 husk-test/busybox sleep 1000
    run_husk 2 rmi husk-test/busybox
    assert_output_contains "image is in use by a container"
    run_husk rmi -f husk-test/busybox
    assert_output_contains "Untagged: localhost/husk-test/busybox:latest"
    assert_output_contains "Deleted: d9a5a62480319f30e21a07a867f1f0674434a14e3fa5e6400994361fae706e2b"
    run_husk ps -a -q
    assert_output_is ""
    run_husk images -q
    assert_output_is ""
}

@test "system df, info and images count containers and volumes" {
    run_husk load -i "$HUSK_IMAGES/layers.docker.tar"
    run_husk volume create vol1
    run_husk volume create vol2
    run_husk create --name stopped1 -v vol1:/data husk-test/busybox true
    run_husk run -d --name running1 husk-test/busybox sleep 1000
    run_husk images --format '{{.Repository}} {{.Containers}}'
    assert_output_contains "localhost/husk-test/busybox 2"
    assert_output_contains "localhost/husk-test/layers 0"
    run_husk info --format '{{.Store.ContainerStore.Number}} {{.Store.ContainerStore.Running}} {{.Store.ContainerStore.Paused}} {{.Store.ContainerStore.Stopped}} {{.Store.ImageStore.Number}}'
    assert_output_is "2 1 0 1 2"
    run_husk system df --format '{{.Type}} {{.Total}} {{.Active}}'
    assert_equal "${lines[0]}" "Images 2 1"
    assert_equal "${lines[1]}" "Containers 2 1"
    assert_equal "${lines[2]}" "Local Volumes 2 1"
    # Only the layers image is unused: only its own layers are reclaimable.
    run_husk system df --format '{{.Type}} {{.RawReclaimable}}'
    [[ "${lines[0]}" != "Images 0" ]]
    size=$(husk system df --format '{{.RawSize}}' | head -1)
    recl=$(husk system df --format '{{.RawReclaimable}}' | head -1)
    [ "$recl" -lt "$size" ]
    run_husk system df -v
    assert_output_contains "Images space usage:"
    assert_output_contains "Containers space usage:"
    assert_output_contains "Local Volumes space usage:"
    assert_output_contains "running1"
    run_husk system df -v --format json
    run jq -r '.Volumes[] | "\(.VolumeName) \(.Links)"' <<<"$output"
    assert_output_is "vol1 1
vol2 0"
}

@test "info carries Podman 5's keys with real values, never <no value>" {
    run_husk info --format json
    json=$output
    for key in .host.networkBackend .host.networkBackendInfo.backend .host.logDriver \
               .host.eventLogger .host.conmon.path .host.conmon.version .host.conmon.package \
               .host.ociRuntime.name .host.ociRuntime.path .host.ociRuntime.version \
               .host.ociRuntime.package .host.databaseBackend .host.uptime .host.security.capabilities \
               .store.configFile .store.graphDriverName '.store.graphStatus["Backing Filesystem"]' \
               .store.volumePath .store.imageCopyTmpDir .version.Version .version.OsArch; do
        v=$(jq -r "$key" <<<"$json")
        [ -n "$v" ] && [ "$v" != null ] || { echo "$key is empty" >&2; return 1; }
    done
    assert_equal "$(jq -r .host.networkBackend <<<"$json")" "husk"
    assert_equal "$(jq -r .host.conmon.version <<<"$json")" "husk-monitor version $(husk version --format '{{.Client.Version}}')"
    assert_equal "$(jq -r '.store.graphOptions | type' <<<"$json")" "object"
    if [ "$(jq -r .store.graphDriverName <<<"$json")" = overlay ]; then
        assert_equal "$(jq -r '.store.graphStatus["Native Overlay Diff"]' <<<"$json")" "true"
        assert_equal "$(jq -r '.store.graphStatus["Supports d_type"]' <<<"$json")" "true"
    fi
    run_husk info --format '{{.Host.NetworkBackend}} {{.Host.LogDriver}} {{.Host.Conmon.Path}} {{.Store.GraphStatus}} {{.Host.EventLogger}}'
    [[ "$output" != *"<no value>"* ]]
    assert_output_contains "husk k8s-file "
    run_husk --storage-opt '' info --format '{{.Store.GraphOptions}}'
    assert_output_is "map[]"
    # Go maps keep their keys as they are: data, not field names.
    run_husk info --format '{{json .Store.GraphStatus}}'
    assert_output_contains '"Backing Filesystem":'
    run_husk --storage-opt overlay.mountopt=nodev info --format '{{json .Store.GraphOptions}}'
    [[ "$output" != *'"Overlay.'* ]]
    run_husk info
    assert_output_contains "networkBackend: husk"
    assert_output_contains "  conmon:"
}

@test "the image commands' Podman 5 flags: implemented or refused with the reason" {
    run_husk 1 rmi --no-prune nosuch
    assert_output_contains "nosuch: image not known"
    run_husk image prune --external -f
    run_husk 125 image prune --build-cache
    assert_output_is "Error: not supported by husk: --build-cache: husk has no builds yet, so no build cache to remove"
    run_husk __flags
    for f in "images --history" "save --uncompressed" "rmi --no-prune" "system df --verbose" \
             "image prune --external"; do
        assert_output_contains "${f% *}"$'\t'"${f##* }"$'\t'
    done
    assert_output_contains $'image prune\t--build-cache\t-\trefused'
    assert_output_contains $'save\t--uncompressed\t-\tsupported'
    assert_output_contains $'images\t--history\t-\tsupported'
    assert_output_contains $'rmi\t--no-prune\t-\tsupported'
    assert_output_contains $'system df\t--verbose\tv\tsupported'
}
