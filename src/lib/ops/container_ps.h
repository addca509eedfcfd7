/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What `ps` and `inspect` need beyond the container's row: the sizes of
 * its file system (--size) and the object `podman ps --format json` prints
 * for it (ops/container_ps.c).
 */
#ifndef HUSK_OPS_CONTAINER_PS_H
#define HUSK_OPS_CONTAINER_PS_H

#include "engine/engine.h"
#include "state/containers.h"
#include "util/error.h"

#include <jansson.h>
#include <stdint.h>

struct husk_container_size
{
  int64_t rw;     /* bytes of the read-write layer (the container's changes) */
  int64_t rootfs; /* the image's size plus rw: the whole root file system */
};

/**
 * husk_op_container_size() - Sizes of a container's root file system
 * @r:   the container
 * @out: filled in
 *
 * rw is what the container changed: overlay's upper directory, or for vfs
 * the added and changed files of its copy (see container/size.h: apparent
 * sizes, symlinks not followed, hard links once).  rootfs adds the size of
 * the image as `husk images` shows it (the uncompressed layers); an image
 * that is gone counts 0.
 * Return: 0, or -1.
 */
int husk_op_container_size (struct husk_engine *e, const struct husk_container_rec *r,
                            struct husk_container_size *out, husk_error_t *err);

/**
 * husk_op_container_ps_json() - A container as `podman ps --format json` shows it
 * @r:      the container, its state up to date
 * @status: the STATUS text ("Up 5 minutes", "Exited (0) 3 seconds ago")
 * @size:   its sizes, or NULL when not asked for ("Size": null)
 *
 * The keys and their order are Podman's: AutoRemove, Command, CreatedAt,
 * Exited, ExitedAt, ExitCode, Id, Image, ImageID, IsInfra, Labels, Mounts,
 * Names, Namespaces, Networks, Pid, Pod, PodName, Ports, Size, StartedAt,
 * State, Status, Created.  Times never reached are Go's zero time in Unix
 * seconds (-62135596800), as Podman prints them.
 * Return: a new object.
 */
json_t *husk_op_container_ps_json (struct husk_engine *e, const struct husk_container_rec *r,
                                   const char *status, const struct husk_container_size *size);

#endif
