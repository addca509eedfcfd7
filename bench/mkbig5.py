#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
# mkbig5.py ROOTFS.tar OUT.docker.tar SIZE_MB: a docker-archive of five
# layers for the registry benchmark (issue 12's "~100 MB, 5-layer image"):
# the busybox rootfs as layer 1, then four layers that share SIZE_MB MiB of
# incompressible pseudo-random data between them (so that gzip on push and
# pull has to move every byte).  Tagged localhost/husk-bench/big5:latest.
import hashlib
import io
import json
import random
import sys
import tarfile


def data_layer(n, size):
    # Deterministic bytes: the same image (and digests) in every run.
    rng = random.Random("husk-bench big5 %d" % n)
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as t:
        d = tarfile.TarInfo("big%d" % n)
        d.type, d.mode, d.mtime = tarfile.DIRTYPE, 0o755, 1704067200
        t.addfile(d)
        f = tarfile.TarInfo("big%d/data.bin" % n)
        f.size, f.mode, f.mtime = size, 0o644, 1704067200
        t.addfile(f, io.BytesIO(rng.randbytes(size)))
    return buf.getvalue()


def main(rootfs, out, size_mb):
    layers = [open(rootfs, "rb").read()]
    per = size_mb * 1024 * 1024 // 4
    layers += [data_layer(n, per) for n in range(1, 5)]
    diff_ids = ["sha256:" + hashlib.sha256(b).hexdigest() for b in layers]
    config = json.dumps({
        "architecture": "amd64", "os": "linux",
        "created": "2024-01-01T00:00:00Z",
        "config": {"Cmd": ["sh"], "Env": ["PATH=/usr/sbin:/usr/bin:/sbin:/bin"]},
        "rootfs": {"type": "layers", "diff_ids": diff_ids},
        "history": [{"created": "2024-01-01T00:00:00Z"} for _ in layers],
    }, sort_keys=True).encode()
    chex = hashlib.sha256(config).hexdigest()
    names = ["%s/layer.tar" % d[7:] for d in diff_ids]
    manifest = json.dumps([{"Config": chex + ".json",
                            "RepoTags": ["localhost/husk-bench/big5:latest"],
                            "Layers": names}]).encode()
    with tarfile.open(out, "w") as t:
        for name, blob in [(chex + ".json", config), ("manifest.json", manifest)] + \
                list(zip(names, layers)):
            ti = tarfile.TarInfo(name)
            ti.size, ti.mode, ti.mtime = len(blob), 0o644, 1704067200
            t.addfile(ti, io.BytesIO(blob))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]))
