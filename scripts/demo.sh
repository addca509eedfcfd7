#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# The README's first command: show husk working on the offline busybox image.
# Uses a private store under build/demo-store so it never touches yours.
set -eu
husk=$1 images=$2
store=$(dirname "$husk")/demo-store
H="$husk --root $store/root --runroot $store/run"
set -x
$H load -i "$images/busybox.docker.tar"
$H images
$H image inspect --format '{{.Id}} {{.Os}}/{{.Architecture}} {{json .RepoTags}}' localhost/husk-test/busybox:latest
$H history localhost/husk-test/busybox:latest
$H run --rm husk-test/busybox sh -c 'echo "hello from a husk container: $(uname -sr), pid $$"'
