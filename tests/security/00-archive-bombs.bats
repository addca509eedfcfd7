#!/usr/bin/env bats
# Hostile image archives whose cost is in their shape, not their size: an
# index that lists the next index 30 times, five levels deep (24 million
# paths through 40 KB), too many index entries, indexes nested too deep,
# too many layers, one big config named by every entry.  Each loads, or
# fails with one clear error and exit 125, within seconds, and leaves
# nothing in the store.  The archives are made here by python3.
load ../system/helpers

setup() {
    husk_setup_store
}

# mkarchive KIND OUT: write a hostile archive of that kind (see below).
mkarchive() {
    python3 - "$1" "$2" <<'PY'
import hashlib, io, json, sys, tarfile
kind, out = sys.argv[1], sys.argv[2]
IDX = "application/vnd.oci.image.index.v1+json"
MAN = "application/vnd.oci.image.manifest.v1+json"
blobs, files = {}, {}
def blob(data):
    if not isinstance(data, bytes):
        data = json.dumps(data).encode()
    d = hashlib.sha256(data).hexdigest()
    blobs[d] = data
    return "sha256:" + d
def desc(mt, d, **kw):
    x = {"mediaType": mt, "digest": d, "size": len(blobs[d[7:]])}
    x.update(kw)
    return x
def index(manifests):
    return {"schemaVersion": 2, "mediaType": IDX, "manifests": manifests}
def image(n_layers=0, tag=""):
    # An image of n_layers empty layers (all one blob), named by its manifest.
    lid = blob(bytes(1024))
    cfg = blob({"architecture": "amd64", "os": "linux", "tag": tag,
                "rootfs": {"type": "layers", "diff_ids": [lid] * n_layers}})
    return blob({"schemaVersion": 2, "mediaType": MAN,
                 "config": desc("application/vnd.oci.image.config.v1+json", cfg),
                 "layers": [desc("application/vnd.oci.image.layer.v1.tar", lid)] * n_layers})
def named(man, name):
    return desc(MAN, man, annotations={"org.opencontainers.image.ref.name": name})

if kind == "nested":       # index.json -> 30 x A -> 30 x B -> ... -> empty index
    cur = blob(index([]))
    for _ in range(4):
        cur = blob(index([desc(IDX, cur)] * 30))
    top = [named(image(), "bomb:1")] + [desc(IDX, cur)] * 30
elif kind == "wide":       # 5000 entries: one image under 5000 names
    man = image()
    top = [named(man, "n%d" % i) for i in range(5000)]
elif kind == "deep":       # six levels of one index each
    cur = blob(index([named(image(), "deep:1")]))
    for _ in range(5):
        cur = blob(index([desc(IDX, cur)]))
    top = [desc(IDX, cur)]
elif kind == "layers":     # 1025 layers
    top = [named(image(1025), "layers:1")]
elif kind == "manylayers": # 5 images of 1000 layers
    top = [named(image(1000, str(i)), "many:%d" % i) for i in range(5)]
elif kind == "bigconfig":  # docker-archive: 1024 entries name one 8 MiB config
    cfg = json.dumps({"architecture": "amd64", "os": "linux", "pad": " " * (8 << 20),
                      "rootfs": {"type": "layers", "diff_ids": []}}).encode()
    files["c.json"] = cfg
    files["manifest.json"] = json.dumps(
        [{"Config": "c.json", "RepoTags": ["big%d:1" % i], "Layers": []}
         for i in range(1024)]).encode()
if kind != "bigconfig":
    files["oci-layout"] = b'{"imageLayoutVersion":"1.0.0"}'
    files["index.json"] = json.dumps({"schemaVersion": 2, "manifests": top}).encode()
    for d, data in blobs.items():
        files["blobs/sha256/" + d] = data
with tarfile.open(out, "w:gz" if kind == "bigconfig" else "w") as tf:
    for name, data in files.items():
        ti = tarfile.TarInfo(name)
        ti.size = len(data)
        tf.addfile(ti, io.BytesIO(data))
PY
}

# The store holds no image, no layer and no work file.
store_empty() {
    [ -z "$(husk images -q)" ]
    [ -z "$(ls "$HUSK_ROOT"/storage/*/layers 2>/dev/null)" ]
    [ -z "$(ls -A "$HUSK_ROOT"/tmp 2>/dev/null)" ]
    [ -z "$(ls -A "$HUSK_ROOT"/storage/*/tmp 2>/dev/null)" ]
}

# load_within SECONDS STATUS ARCHIVE: load, and fail if it takes longer.
load_within() {
    local start=$SECONDS
    run timeout $(($1 * 10)) "$HUSK_BIN" --root "$HUSK_ROOT" --runroot "$HUSK_RUNROOT" load -i "$3"
    echo "load: status $status after $((SECONDS - start))s: $output" >&2
    [ "$status" -eq "$2" ]
    [ $((SECONDS - start)) -le "$1" ]
}

@test "an index that lists the next index 30 times, five levels deep, loads in seconds" {
    mkarchive nested "$HUSK_TMP/bomb.tar"
    [ "$(stat -c %s "$HUSK_TMP/bomb.tar")" -lt 65536 ]
    load_within 5 0 "$HUSK_TMP/bomb.tar"
    assert_output_is "Loaded image: localhost/bomb:1"
    [ "$(husk images -q | wc -l)" -eq 1 ]
    [ -z "$(ls -A "$HUSK_ROOT"/tmp 2>/dev/null)" ]
}

@test "an index with more than 4096 entries is refused and leaves nothing" {
    mkarchive wide "$HUSK_TMP/wide.tar"
    load_within 5 125 "$HUSK_TMP/wide.tar"
    assert_output_contains "more than 4096 descriptors"
    [ "${#lines[@]}" -eq 1 ]
    store_empty
}

@test "indexes nested more than four levels are refused and leave nothing" {
    mkarchive deep "$HUSK_TMP/deep.tar"
    load_within 5 125 "$HUSK_TMP/deep.tar"
    assert_output_contains "nested too deep"
    store_empty
}

@test "an image of more than 1024 layers is refused and leaves nothing" {
    mkarchive layers "$HUSK_TMP/layers.tar"
    load_within 5 125 "$HUSK_TMP/layers.tar"
    assert_output_contains "more than 1024 layers"
    store_empty
}

@test "an archive of more than 4096 layers in all is refused and leaves nothing" {
    mkarchive manylayers "$HUSK_TMP/many.tar"
    load_within 5 125 "$HUSK_TMP/many.tar"
    assert_output_contains "more than 4096 layers"
    store_empty
}

@test "a docker-archive naming one 8 MiB config 1024 times reads it once" {
    mkarchive bigconfig "$HUSK_TMP/big.tar.gz"
    [ "$(stat -c %s "$HUSK_TMP/big.tar.gz")" -lt 262144 ]
    load_within 15 0 "$HUSK_TMP/big.tar.gz"
    [ "$(husk images -q | wc -l)" -eq 1 ]
    [ "$(husk images --format '{{.Repository}}' | wc -l)" -eq 1024 ]
    [ -z "$(ls -A "$HUSK_ROOT"/tmp 2>/dev/null)" ]
}
