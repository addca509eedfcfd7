#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Build husk's offline test images, byte for byte the same on every run.

Called by tests/images/build.sh (see there for the list of images and what
each bad input is for).  Only the standard library is used.

Theory of operation
-------------------
Everything is built in a staging directory below OUTDIR: each layer is
written once as an uncompressed tar, hashed (its diff ID), gzipped with a
hand-written gzip header (mtime 0, no file name, OS "unknown") and both
forms are kept in a small content-addressed blob store.  Image configs and
OCI manifests are compact JSON with a fixed key order, stored the same way.
The output formats (OCI layout directory, oci-archive, docker-archive) are
then produced from lists of Entry objects: one list per output, written
either as a tar or as a directory, so a layout directory and its tar always
hold the same bytes.

Determinism: every tar entry has mtime 2024-01-01T00:00:00Z, owner 0:0
(or a fixed 1000:1000 where a test needs it), empty user and group names,
an explicit mode and USTAR format (no atime/ctime, no PAX records).  Entries
are sorted by path unless a bad input needs a particular order.  Output
files get explicit modes, so the umask does not matter, and nothing reads
the clock, the locale or the order of a directory listing.

Up to date check: OUTDIR/.stamp holds a key (hash of this script, of
build.sh and of the busybox binary) and the SHA-256 of every output file.
When the key matches and every file still has its hash, nothing is rebuilt.
"""

import fcntl
import hashlib
import io
import json
import os
import shutil
import sys
import tarfile
import zlib

EPOCH = 1704067200                      # 2024-01-01T00:00:00Z
CREATED = "2024-01-01T00:00:00Z"
FORMAT_VERSION = "husk-test-images 1"   # bump to force a rebuild
REPO = "localhost/husk-test/"
ENV_PATH = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

MT_INDEX = "application/vnd.oci.image.index.v1+json"
MT_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
MT_CONFIG = "application/vnd.oci.image.config.v1+json"
MT_LAYER_GZ = "application/vnd.oci.image.layer.v1.tar+gzip"
REF_NAME = "org.opencontainers.image.ref.name"

HERE = os.path.dirname(os.path.abspath(__file__))
BUSYBOX = os.environ.get("HUSK_TEST_BUSYBOX", "/bin/busybox")

# Applets linked into /bin of the busybox image (all -> busybox).
APPLETS = sorted("""
    [ ash awk base64 basename cat chgrp chmod chown cmp cp cut date dd df
    diff dirname du echo env expr false find free grep groups gunzip gzip
    head hostname id ip ipcalc kill killall ln ls md5sum mkdir mkfifo mknod
    mktemp mount mv nc netstat nproc nslookup od pidof ping printf ps pwd
    readlink realpath rm rmdir sed seq sh sha256sum sleep sort stat su sync
    tail tar tee test timeout top touch tr true umount uname uniq unshare
    uptime usleep vi wc which whoami xargs yes zcat
""".split())

PASSWD = (
    "root:x:0:0:root:/root:/bin/sh\n"
    "nobody:x:65534:65534:nobody:/nonexistent:/bin/false\n"
    "tester:x:1000:1000::/home/tester:/bin/sh\n"
)
GROUP = (
    "root:x:0:\n"
    "audio:x:29:tester\n"
    "tester:x:1000:\n"
    "nobody:x:65534:\n"
)


class BuildError(Exception):
    pass


def sha256_bytes(data):
    return hashlib.sha256(data).hexdigest()


def sha256_file(path):
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def jdump(obj):
    """Compact JSON in the caller's key order (dicts keep insertion order)."""
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=True).encode()


# --------------------------------------------------------------------------
# Tar entries

class Entry:
    """One tar member: kind is dir, file, symlink or hardlink.  A file's
    content is `data` (bytes), `path` (a file to copy) or `gen` (a callable
    returning a reader with read(n), for large generated files)."""

    def __init__(self, name, kind, mode, uid=0, gid=0, data=None, path=None,
                 gen=None, size=None, link=""):
        self.name, self.kind, self.mode = name, kind, mode
        self.uid, self.gid = uid, gid
        self.data, self.path, self.gen, self.link = data, path, gen, link
        if data is not None:
            size = len(data)
        elif path is not None:
            size = os.path.getsize(path)
        self.size = size or 0


def d(name, mode=0o755, uid=0, gid=0):
    return Entry(name, "dir", mode, uid, gid)


def f(name, text, mode=0o644, uid=0, gid=0):
    data = text.encode() if isinstance(text, str) else text
    return Entry(name, "file", mode, uid, gid, data=data)


def fpath(name, path, mode=0o644):
    return Entry(name, "file", mode, path=path)


def sym(name, target):
    return Entry(name, "symlink", 0o777, link=target)


def hard(name, target):
    return Entry(name, "hardlink", 0o644, link=target)


def sorted_entries(entries):
    """Sort by path components, so a directory precedes what it holds."""
    return sorted(entries, key=lambda e: e.name.split("/"))


def open_content(e):
    if e.data is not None:
        return io.BytesIO(e.data)
    if e.path is not None:
        return open(e.path, "rb")
    return e.gen()


def write_tar(path, entries):
    """Write entries, in the given order, as a USTAR archive at path."""
    kinds = {"dir": tarfile.DIRTYPE, "file": tarfile.REGTYPE,
             "symlink": tarfile.SYMTYPE, "hardlink": tarfile.LNKTYPE}
    with open(path, "wb") as fh, \
         tarfile.open(fileobj=fh, mode="w", format=tarfile.USTAR_FORMAT,
                      encoding="utf-8", errors="strict") as tf:
        for e in entries:
            ti = tarfile.TarInfo(e.name)
            ti.type = kinds[e.kind]
            ti.mode = e.mode
            ti.uid, ti.gid = e.uid, e.gid
            ti.uname = ti.gname = ""
            ti.mtime = EPOCH
            ti.linkname = e.link
            if e.kind == "file":
                ti.size = e.size
                with open_content(e) as src:
                    tf.addfile(ti, src)
            else:
                tf.addfile(ti)
    os.chmod(path, 0o644)


def write_tree(root, entries):
    """Write file and directory entries below root (for layout dirs)."""
    os.mkdir(root)
    dirs = [root]
    for e in entries:
        dest = os.path.join(root, e.name)
        if e.kind == "dir":
            os.mkdir(dest)
            dirs.append(dest)
        elif e.kind == "file":
            with open_content(e) as src, open(dest, "wb") as dst:
                shutil.copyfileobj(src, dst, 1 << 20)
            os.chmod(dest, e.mode)
            os.utime(dest, (EPOCH, EPOCH))
        else:
            raise BuildError("cannot write %s %r to a directory"
                             % (e.kind, e.name))
    for path in reversed(dirs):
        os.chmod(path, 0o755)
        os.utime(path, (EPOCH, EPOCH))


# --------------------------------------------------------------------------
# Blobs, layers, images

def gzip_file(src, dst):
    """gzip src into dst: level 9, header with mtime 0, no name, OS 255."""
    crc, isize = 0, 0
    comp = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS, 9)
    with open(src, "rb") as fin, open(dst, "wb") as fout:
        fout.write(b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff")
        for chunk in iter(lambda: fin.read(1 << 20), b""):
            crc = zlib.crc32(chunk, crc)
            isize += len(chunk)
            fout.write(comp.compress(chunk))
        fout.write(comp.flush())
        fout.write(crc.to_bytes(4, "little"))
        fout.write((isize & 0xFFFFFFFF).to_bytes(4, "little"))


class Blobs:
    """Content-addressed store: blobs named by SHA-256 hex in one dir."""

    def __init__(self, root):
        self.root = root
        os.mkdir(root)
        self.count = 0

    def path(self, hexd):
        return os.path.join(self.root, hexd)

    def tmp(self):
        self.count += 1
        return os.path.join(self.root, "tmp-%d" % self.count)

    def add_file(self, tmp):
        hexd = sha256_file(tmp)
        os.replace(tmp, self.path(hexd))
        return hexd, os.path.getsize(self.path(hexd))

    def add_bytes(self, data):
        tmp = self.tmp()
        with open(tmp, "wb") as fh:
            fh.write(data)
        return self.add_file(tmp)


class Layer:
    """A layer: diff_id = hex of the tar; blob_hex/blob_size = what the
    OCI manifest names (the gzip blob); tar_size for docker-archives."""

    def __init__(self, diff_id, tar_size, blob_hex=None, blob_size=None):
        self.diff_id, self.tar_size = diff_id, tar_size
        self.blob_hex, self.blob_size = blob_hex, blob_size


def make_layer(blobs, entries, compress=True):
    tmp = blobs.tmp()
    write_tar(tmp, entries)
    diff_id, tar_size = blobs.add_file(tmp)
    layer = Layer(diff_id, tar_size)
    if compress:
        gz = blobs.tmp()
        gzip_file(blobs.path(diff_id), gz)
        layer.blob_hex, layer.blob_size = blobs.add_file(gz)
    return layer


class Image:
    def __init__(self, name, layers, config_hex, config_size,
                 manifest_hex=None, manifest_size=None):
        self.name, self.layers = name, layers
        self.config_hex, self.config_size = config_hex, config_size
        self.manifest_hex, self.manifest_size = manifest_hex, manifest_size

    @property
    def ref(self):
        return REPO + self.name + ":latest"


def make_image(blobs, name, layers, history, diff_ids=None):
    """Store the config (and, if all layers have gzip blobs, the OCI
    manifest) of an image; diff_ids overrides the true ones."""
    if diff_ids is None:
        diff_ids = ["sha256:" + l.diff_id for l in layers]
    config = {
        "created": CREATED,
        "architecture": "amd64",
        "os": "linux",
        "config": {
            "Env": [ENV_PATH],
            "Cmd": ["sh"],
            "Labels": {"org.husk.test": name},
        },
        "rootfs": {"type": "layers", "diff_ids": diff_ids},
        "history": [{"created": CREATED, "created_by": h,
                     "comment": "husk tests/images/mkimage.py"}
                    for h in history],
    }
    cfg_hex, cfg_size = blobs.add_bytes(jdump(config))
    img = Image(name, layers, cfg_hex, cfg_size)
    if all(l.blob_hex for l in layers):
        manifest = {
            "schemaVersion": 2,
            "mediaType": MT_MANIFEST,
            "config": {"mediaType": MT_CONFIG, "digest": "sha256:" + cfg_hex,
                       "size": cfg_size},
            "layers": [{"mediaType": MT_LAYER_GZ,
                        "digest": "sha256:" + l.blob_hex,
                        "size": l.blob_size} for l in layers],
        }
        img.manifest_hex, img.manifest_size = blobs.add_bytes(jdump(manifest))
    return img


def oci_entries(blobs, img, omit=()):
    """The files of an OCI image layout holding img, tagged "latest";
    blobs whose hex is in omit are left out (bad inputs)."""
    index = {
        "schemaVersion": 2,
        "mediaType": MT_INDEX,
        "manifests": [{"mediaType": MT_MANIFEST,
                       "digest": "sha256:" + img.manifest_hex,
                       "size": img.manifest_size,
                       "annotations": {REF_NAME: "latest"}}],
    }
    hexes = {img.manifest_hex, img.config_hex}
    hexes.update(l.blob_hex for l in img.layers)
    out = [d("blobs"), d("blobs/sha256"),
           f("index.json", jdump(index)),
           f("oci-layout", jdump({"imageLayoutVersion": "1.0.0"}))]
    out += [fpath("blobs/sha256/" + h, blobs.path(h))
            for h in hexes if h not in omit]
    return sorted_entries(out)


def v1_ids(img):
    """Legacy layer IDs (directory names) of a docker-archive.  Derived from
    the chain of diff IDs, so a layer shared by two images (same parents)
    gets the same directory and is stored once."""
    ids, parent = [], ""
    for l in img.layers:
        parent = sha256_bytes(("husk-test-v1\n%s\n%s" % (parent, l.diff_id))
                              .encode())
        ids.append(parent)
    return ids


def docker_entries(blobs, images):
    """The files of a docker-archive (the layout `docker save` writes)."""
    out, seen, manifest, repos = [], set(), [], {}
    for img in images:
        ids = v1_ids(img)
        for i, (lid, layer) in enumerate(zip(ids, img.layers)):
            if lid in seen:
                continue
            seen.add(lid)
            v1 = {"id": lid}
            if i:
                v1["parent"] = ids[i - 1]
            v1.update({"created": CREATED, "os": "linux",
                       "architecture": "amd64"})
            out += [d(lid), f(lid + "/VERSION", "1.0"),
                    f(lid + "/json", jdump(v1)),
                    fpath(lid + "/layer.tar", blobs.path(layer.diff_id))]
        cfg = img.config_hex + ".json"
        if cfg not in seen:
            seen.add(cfg)
            out.append(fpath(cfg, blobs.path(img.config_hex)))
        manifest.append({"Config": cfg, "RepoTags": [img.ref],
                         "Layers": [lid + "/layer.tar" for lid in ids]})
        repos[REPO + img.name] = {"latest": ids[-1]}
    out += [f("manifest.json", jdump(manifest)),
            f("repositories", jdump(repos))]
    return sorted_entries(out)


# --------------------------------------------------------------------------
# Contents

def check_busybox():
    """The image needs a static busybox: refuse one with an ELF interpreter."""
    try:
        with open(BUSYBOX, "rb") as fh:
            elf = fh.read(1 << 16)
    except OSError as e:
        raise BuildError("cannot read %s: %s (install busybox-static)"
                         % (BUSYBOX, e.strerror))
    if elf[:5] != b"\x7fELF\x02":
        raise BuildError("%s is not a 64-bit ELF file" % BUSYBOX)
    phoff = int.from_bytes(elf[0x20:0x28], "little")
    phentsize = int.from_bytes(elf[0x36:0x38], "little")
    phnum = int.from_bytes(elf[0x38:0x3a], "little")
    for i in range(phnum):
        off = phoff + i * phentsize
        if int.from_bytes(elf[off:off + 4], "little") == 3:   # PT_INTERP
            raise BuildError("%s is dynamically linked; install "
                             "busybox-static" % BUSYBOX)


def busybox_rootfs():
    e = [d("bin"), fpath("bin/busybox", BUSYBOX, 0o755),
         d("dev"), d("etc"), f("etc/group", GROUP), f("etc/passwd", PASSWD),
         d("home"), d("home/tester", 0o755, 1000, 1000),
         d("proc"), d("root", 0o700), d("sys"), d("tmp", 0o1777),
         d("usr"), d("usr/bin"), sym("usr/bin/env", "/bin/busybox"),
         d("var"), d("var/tmp", 0o1777)]
    e += [sym("bin/" + a, "busybox") for a in APPLETS]
    return sorted_entries(e)


def layers_layer2():
    return sorted_entries([
        d("data"), f("data/keep.txt", "keep\n"), f("data/gone.txt", "gone\n"),
        d("opaque"), f("opaque/old1.txt", "old1\n"),
        f("opaque/old2.txt", "old2\n")])


def layers_layer3():
    return sorted_entries([
        d("data"), f("data/.wh.gone.txt", ""), f("data/new.txt", "new\n"),
        d("opaque"), f("opaque/.wh..wh..opq", ""),
        f("opaque/fresh.txt", "fresh\n")])


# Small "normal" content around the malicious entries of the bad layers.
def bad_normal():
    return [d("etc"), f("etc/husk-ok", "ok\n")]


def bad_tail():
    return [d("tmp", 0o1777)]


class PseudoRandom:
    """Reader of deterministic, incompressible bytes: SHAKE-256 of
    (seed, block number), 1 MiB per block."""

    def __init__(self, seed, size):
        self.seed, self.left, self.block = seed, size, 0
        self.buf, self.pos = b"", 0

    def read(self, n=-1):
        if n is None or n < 0:
            n = self.left
        n = min(n, self.left)
        if len(self.buf) - self.pos < n:
            self.buf = self.buf[self.pos:]
            self.pos = 0
            while len(self.buf) < n:
                x = hashlib.shake_256(b"%s/%d" % (self.seed, self.block))
                self.buf += x.digest(1 << 20)
                self.block += 1
        out = self.buf[self.pos:self.pos + n]
        self.pos += n
        self.left -= n
        return out

    def __enter__(self):
        return self

    def __exit__(self, *a):
        return False


def pseudo_random(seed, size):
    return PseudoRandom(seed, size).read(size)


# --------------------------------------------------------------------------
# Outputs

def emit(stage, name, entries, as_dir=False):
    path = os.path.join(stage, name)
    if as_dir:
        write_tree(path, entries)
    else:
        write_tar(path, entries)


def build_all(stage):
    """Build every standard output below stage; return DIGESTS text."""
    check_busybox()
    blobs = Blobs(os.path.join(stage, ".blobs"))
    base = make_layer(blobs, busybox_rootfs())
    busybox = make_image(blobs, "busybox", [base],
                         ["husk-test: busybox rootfs (busybox-static)"])
    l2 = make_layer(blobs, layers_layer2())
    l3 = make_layer(blobs, layers_layer3())
    layers = make_image(blobs, "layers", [base, l2, l3], [
        "husk-test: busybox rootfs (busybox-static)",
        "husk-test: add /data/keep.txt /data/gone.txt /opaque/old1.txt "
        "/opaque/old2.txt",
        "husk-test: whiteout /data/gone.txt, add /data/new.txt, "
        "opaque /opaque, add /opaque/fresh.txt"])

    for img in (busybox, layers):
        emit(stage, img.name + ".oci", oci_entries(blobs, img), as_dir=True)
        emit(stage, img.name + ".oci.tar", oci_entries(blobs, img))
        emit(stage, img.name + ".docker.tar", docker_entries(blobs, [img]))
    emit(stage, "multi.docker.tar", docker_entries(blobs, [busybox, layers]))
    rootfs = os.path.join(stage, "rootfs.tar")
    shutil.copyfile(blobs.path(base.diff_id), rootfs)
    os.chmod(rootfs, 0o644)

    bad = os.path.join(stage, "bad")
    os.mkdir(bad)
    os.chmod(bad, 0o755)
    build_bad(blobs, bad, base)

    shutil.rmtree(blobs.root)
    return "".join("%s %s sha256:%s\n" % (i.name, i.config_hex, i.manifest_hex)
                   for i in (busybox, layers))


def build_bad(blobs, bad, base):
    # The truncated and the missing layer carry a marker file, so their
    # diff IDs are not the busybox layer's: a store that already holds
    # busybox cannot skip reading them.
    # Only layer cut in half; manifest digest/size and diff_id stay true.
    whole = make_layer(blobs, sorted_entries(
        busybox_rootfs() + [f("etc/husk-truncated", "truncated\n")]))
    with open(blobs.path(whole.blob_hex), "rb") as fh:
        gz = fh.read()
    cut_hex, cut_size = blobs.add_bytes(gz[:len(gz) // 2])
    cut = Layer(whole.diff_id, whole.tar_size, cut_hex, cut_size)
    img = make_image(blobs, "truncated-gzip", [cut],
                     ["husk-test: layer blob truncated"])
    emit(bad, "truncated-gzip.oci.tar", oci_entries(blobs, img))

    with open(os.path.join(bad, "corrupt.tar"), "wb") as fh:
        fh.write(pseudo_random(b"husk-test corrupt.tar", 10240))
    os.chmod(os.path.join(bad, "corrupt.tar"), 0o644)

    # The busybox layer is there, the second layer's blob is not.
    gone = make_layer(blobs, [d("etc"), f("etc/husk-missing", "missing\n")])
    img = make_image(blobs, "missing-blob", [base, gone],
                     ["husk-test: busybox rootfs (busybox-static)",
                      "husk-test: layer blob left out"])
    emit(bad, "missing-blob.oci.tar",
         oci_entries(blobs, img, omit={gone.blob_hex}))

    wrong = "sha256:" + sha256_bytes(b"husk-test: not the layer's diff id")
    img = make_image(blobs, "bad-diffid", [base],
                     ["husk-test: diff_ids[0] is wrong"], diff_ids=[wrong])
    emit(bad, "bad-diffid.docker.tar", docker_entries(blobs, [img]))

    dotdot = bad_normal() + [f("../../etc/husk-escape", "escaped\n")] \
        + bad_tail()
    layer = make_layer(blobs, dotdot, compress=False)
    img = make_image(blobs, "escape-dotdot", [layer],
                     ["husk-test: entry ../../etc/husk-escape"])
    emit(bad, "escape-dotdot.docker.tar", docker_entries(blobs, [img]))
    emit(bad, "escape-dotdot.tar", dotdot)

    evil = bad_normal() + [sym("evil", "/"),
                           f("evil/tmp/husk-escape-symlink", "escaped\n")] \
        + bad_tail()
    layer = make_layer(blobs, evil, compress=False)
    img = make_image(blobs, "escape-symlink", [layer],
                     ["husk-test: evil -> /, then evil/tmp/..."])
    emit(bad, "escape-symlink.docker.tar", docker_entries(blobs, [img]))

    links = bad_normal() + [hard("shadow", "/etc/shadow"),
                            hard("shadow-dotdot", "../../etc/shadow")] \
        + bad_tail()
    layer = make_layer(blobs, links, compress=False)
    img = make_image(blobs, "escape-hardlink", [layer],
                     ["husk-test: hard links to /etc/shadow"])
    emit(bad, "escape-hardlink.docker.tar", docker_entries(blobs, [img]))


def build_big(stage, size_mb):
    """big.docker.tar: busybox base plus one layer of size_mb MiB of
    incompressible data in up to four files."""
    check_busybox()
    blobs = Blobs(os.path.join(stage, ".blobs"))
    base = make_layer(blobs, busybox_rootfs(), compress=False)
    nfiles = min(4, size_mb)
    mib = [size_mb // nfiles + (1 if i < size_mb % nfiles else 0)
           for i in range(nfiles)]
    entries = [d("big")]
    for i, m in enumerate(mib):
        seed = b"husk-test big %d" % i
        entries.append(Entry("big/data-%d.bin" % i, "file", 0o644,
                             gen=lambda s=seed, n=m << 20: PseudoRandom(s, n),
                             size=m << 20))
    big = make_layer(blobs, entries, compress=False)
    img = make_image(blobs, "big", [base, big], [
        "husk-test: busybox rootfs (busybox-static)",
        "husk-test: %d MiB of incompressible data in /big" % size_mb])
    emit(stage, "big.docker.tar", docker_entries(blobs, [img]))
    shutil.rmtree(blobs.root)


# --------------------------------------------------------------------------
# Stamp, staging, main

STANDARD = ["busybox.oci", "busybox.oci.tar", "busybox.docker.tar",
            "layers.oci", "layers.oci.tar", "layers.docker.tar",
            "multi.docker.tar", "rootfs.tar", "bad", "DIGESTS"]


def stamp_key(extra=""):
    h = hashlib.sha256()
    for part in (FORMAT_VERSION.encode(), extra.encode()):
        h.update(part + b"\0")
    for path in (os.path.join(HERE, "mkimage.py"),
                 os.path.join(HERE, "build.sh"), BUSYBOX):
        try:
            h.update(sha256_file(path).encode() + b"\0")
        except OSError as e:
            raise BuildError("cannot read %s: %s" % (path, e.strerror))
    return h.hexdigest()


def list_files(root, names):
    """Relative paths of all files under root/names, in a fixed order."""
    out = []
    for name in names:
        top = os.path.join(root, name)
        if os.path.isdir(top) and not os.path.islink(top):
            for dirpath, dirnames, filenames in os.walk(top):
                dirnames.sort()
                for fn in sorted(filenames):
                    out.append(os.path.relpath(os.path.join(dirpath, fn),
                                               root))
        else:
            out.append(name)
    return out


def stamp_text(key, root, names):
    lines = ["key " + key]
    lines += ["%s %s" % (sha256_file(os.path.join(root, p)), p)
              for p in list_files(root, names)]
    return "\n".join(lines) + "\n"


def up_to_date(outdir, stamp, key, names):
    """True if outdir/stamp has key and lists exactly the files below
    names, each with the SHA-256 it has now."""
    try:
        with open(os.path.join(outdir, stamp)) as fh:
            lines = fh.read().splitlines()
    except OSError:
        return False
    if not lines or lines[0] != "key " + key:
        return False
    if [l.partition(" ")[2] for l in lines[1:]] != list_files(outdir, names):
        return False
    for line in lines[1:]:
        want, _, rel = line.partition(" ")
        try:
            if sha256_file(os.path.join(outdir, rel)) != want:
                return False
        except OSError:
            return False
    return len(lines) > 1


def remove(path):
    if os.path.isdir(path) and not os.path.islink(path):
        shutil.rmtree(path)
    elif os.path.lexists(path):
        os.unlink(path)


def run(outdir, stamp, key, names, builder):
    """Build names into outdir with builder(stage) unless the stamp says
    they are current.  Holds an flock on outdir meanwhile.  Returns True
    if something was built."""
    os.makedirs(outdir, exist_ok=True)
    lockfd = os.open(outdir, os.O_RDONLY | os.O_DIRECTORY)
    try:
        fcntl.flock(lockfd, fcntl.LOCK_EX)
        if up_to_date(outdir, stamp, key, names):
            return False
        remove(os.path.join(outdir, stamp))
        stage = os.path.join(outdir, ".stage-%s" % stamp.strip("."))
        remove(stage)
        os.mkdir(stage)
        try:
            builder(stage)
            for name in names:
                remove(os.path.join(outdir, name))
                os.rename(os.path.join(stage, name),
                          os.path.join(outdir, name))
        finally:
            remove(stage)
        with open(os.path.join(outdir, stamp), "w") as fh:
            fh.write(stamp_text(key, outdir, names))
        os.chmod(os.path.join(outdir, stamp), 0o644)
        return True
    finally:
        os.close(lockfd)


def usage():
    sys.stderr.write("usage: build.sh OUTDIR\n"
                     "       build.sh --big OUTDIR SIZE_MB\n")
    sys.exit(2)


def main(argv):
    if len(argv) == 1 and not argv[0].startswith("-"):
        outdir = argv[0]

        def builder(stage):
            digests = build_all(stage)
            with open(os.path.join(stage, "DIGESTS"), "w") as fh:
                fh.write(digests)
            os.chmod(os.path.join(stage, "DIGESTS"), 0o644)

        built = run(outdir, ".stamp", stamp_key(), STANDARD, builder)
        print("test images: %s in %s" % ("built" if built else "up to date",
                                          outdir))
    elif len(argv) == 3 and argv[0] == "--big":
        outdir, size = argv[1], argv[2]
        if not size.isdigit() or not 1 <= int(size) <= 65536:
            raise BuildError("SIZE_MB must be a whole number from 1 to 65536,"
                             " not %r" % size)
        size_mb = int(size)
        built = run(outdir, ".big-stamp", stamp_key("big %d" % size_mb),
                    ["big.docker.tar"], lambda st: build_big(st, size_mb))
        print("test images: big.docker.tar (%d MiB) %s in %s"
              % (size_mb, "built" if built else "up to date", outdir))
    else:
        usage()


if __name__ == "__main__":
    try:
        main(sys.argv[1:])
    except BuildError as e:
        sys.stderr.write("build.sh: error: %s\n" % e)
        sys.exit(1)
    except OSError as e:
        sys.stderr.write("build.sh: error: %s\n" % e)
        sys.exit(1)
