#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# The README's first command: show husk working on the offline busybox image.
# Uses a private store under build/demo-store so it never touches yours.
# husk picks the runtime itself (crun, or runc where crun cannot run on
# this host), so a fresh machine needs no set-up first.
set -eu
husk=$1 images=$2
store=$(dirname "$husk")/demo-store
H="$husk --root $store/root --runroot $store/run"
set -x
$H load -i "$images/busybox.docker.tar"
$H images
$H image inspect --format '{{.Id}} {{.Os}}/{{.Architecture}} {{json .RepoTags}}' localhost/husk-test/busybox:latest
$H info --format 'OCI runtime: {{.Host.OCIRuntime.Path}}{{with .Host.OCIRuntime.Reason}} ({{.}}){{end}}'
$H run --rm husk-test/busybox sh -c 'echo "hello from a husk container: $(uname -sr), pid $$"'
set +x
cat <<NEXT

husk works.  Try next, on the same private store (see the README's tour):

  H="$H"
  \$H run -d --name web husk-test/busybox sleep 1000
  \$H ps --format '{{.Names}} {{.Status}}'
  \$H exec web ps
  \$H rm -f web

Then 'make check' runs every test, and 'make install' installs husk, its
man pages (man husk-run) and shell completion.
NEXT
