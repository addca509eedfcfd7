#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Build the offline test images for husk's system tests from the host's
# busybox-static, deterministically: the same bytes and digests on every
# machine with the same /bin/busybox, whatever the umask, time, locale or
# user.  The work is done by mkimage.py (Python standard library only).
#
#   sh tests/images/build.sh OUTDIR                 the images below
#   sh tests/images/build.sh --big OUTDIR SIZE_MB   only OUTDIR/big.docker.tar
#
# A second run with nothing changed is quick: OUTDIR/.stamp records a hash
# of these scripts and of /bin/busybox plus the SHA-256 of every output, and
# nothing is rebuilt while all of them match.
#
# Images (all amd64/linux, Cmd ["sh"], tagged localhost/husk-test/NAME:latest,
# label org.husk.test=NAME, created 2024-01-01T00:00:00Z):
#   busybox   one layer: /bin/busybox and applet symlinks, /etc/passwd
#             (root, nobody, tester 1000), /etc/group (root, audio:29 with
#             tester, tester 1000, nobody), /tmp 1777, /root 0700,
#             /home/tester owned by 1000:1000, /usr/bin/env, /proc /sys /dev
#   layers    three layers: 1 = the busybox layer (the same blob, so it is
#             shared), 2 = /data/keep.txt /data/gone.txt /opaque/old1.txt
#             /opaque/old2.txt, 3 = whiteout /data/.wh.gone.txt, /data/new.txt,
#             opaque whiteout /opaque/.wh..wh..opq and /opaque/fresh.txt.
#             Expected view: /data has keep.txt and new.txt; /opaque has
#             only fresh.txt
#   big       (--big only) busybox layer plus SIZE_MB MiB of incompressible
#             pseudo-random data in /big/data-N.bin, for the benchmark
#
# Outputs in OUTDIR:
#   NAME.oci/          OCI image layout, gzip layers, index ref.name "latest"
#   NAME.oci.tar       the same layout as a tar (oci-archive)
#   NAME.docker.tar    docker-archive as `docker save` writes it
#                      (manifest.json, CONFIGHEX.json, ID/layer.tar
#                      uncompressed, ID/VERSION, ID/json, repositories)
#   multi.docker.tar   docker-archive with busybox and layers; the shared
#                      layer is stored once
#   rootfs.tar         the busybox rootfs as a plain tar, for `husk import`
#   DIGESTS            one line per image: NAME IMAGE-ID MANIFEST-DIGEST, the
#                      image ID as 64 hex digits (the config digest, what
#                      `podman images --no-trunc` shows without "sha256:"),
#                      the OCI manifest digest as sha256:HEX
#   bad/               inputs a correct engine must refuse; each is valid
#                      except for the one defect named:
#     truncated-gzip.oci.tar     oci-archive whose only layer blob (busybox
#                                plus /etc/husk-truncated) is a gzip stream
#                                cut in half; manifest digest/size and config
#                                diff_ids are right, so only decompression
#                                fails
#     corrupt.tar                10 KiB of deterministic pseudo-random bytes,
#                                not a tar at all (load/import must fail)
#     missing-blob.oci.tar       oci-archive with two layers: the busybox
#                                layer is present, the second layer's blob
#                                (unique to this image, so no store can
#                                already have it) is not in blobs/sha256/
#     bad-diffid.docker.tar      docker-archive whose config diff_ids[0] is
#                                not the SHA-256 of the layer tar
#     escape-dotdot.docker.tar   layer with a regular file
#                                "../../etc/husk-escape" among normal entries
#                                (etc/, etc/husk-ok, tmp/)
#     escape-dotdot.tar          the same entries as a plain rootfs tarball,
#                                for `husk import`
#     escape-symlink.docker.tar  layer with symlink "evil" -> "/" and then a
#                                regular file "evil/tmp/husk-escape-symlink";
#                                the host's /tmp/husk-escape-symlink must
#                                never appear (refusing the layer, or keeping
#                                the write inside the rootfs as podman does,
#                                are both safe)
#     escape-hardlink.docker.tar layer with hard links "shadow" ->
#                                "/etc/shadow" and "shadow-dotdot" ->
#                                "../../etc/shadow" (no etc/shadow in the
#                                layer): must never link to a host file
#   The host's /etc/husk-escape, /tmp/husk-escape-symlink and /etc/shadow
#   must stay untouched.  Podman 4.3 refuses bad-diffid, corrupt,
#   missing-blob, truncated-gzip and escape-hardlink, but loads the dotdot
#   and symlink layers with the writes confined to the layer (it unpacks in
#   a chroot); husk refusing them is the stricter, also correct answer.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
LC_ALL=C TZ=UTC PYTHONHASHSEED=0 PYTHONDONTWRITEBYTECODE=1
export LC_ALL TZ PYTHONHASHSEED PYTHONDONTWRITEBYTECODE
umask 022
# Debian's interpreter when there is one (not a python3 first in PATH).
py=/usr/bin/python3
[ -x "$py" ] || py=python3
exec "$py" "$here/mkimage.py" "$@"
