/* SPDX-License-Identifier: GPL-2.0-or-later */
/* System-wide operations.  */
#ifndef HUSK_OPS_SYSTEM_H
#define HUSK_OPS_SYSTEM_H

#include "engine/engine.h"

#include <jansson.h>
#include <stdint.h>

/* Podman's `info` object (host, store, registries, version).  */
json_t *husk_op_system_info (struct husk_engine *e, husk_error_t *err);
/* Remove every image, layer and the state itself.  */
int husk_op_system_reset (struct husk_engine *e, husk_error_t *err);

/* ==== system df (ops/system_df.c) ======================================= */

/* One row of `system df`.  */
struct husk_df_row
{
  int64_t total;       /* how many */
  int64_t active;      /* how many are in use */
  int64_t size;        /* bytes */
  int64_t reclaimable; /* bytes that removing the unused ones would free */
};

struct husk_system_df
{
  struct husk_df_row images;
  struct husk_df_row containers; /* active: running (or paused); size: rw layers */
  struct husk_df_row volumes;    /* active: used by a container */
  struct husk_df_row build_cache; /* the store's work area */
};

/**
 * husk_op_system_df() - Disk usage of images, containers, volumes and the
 * work area
 * @out: filled in
 *
 * Images: their number and the size of their layers, a layer shared by
 * several images counted once (the disk holds it once); an image that a
 * container uses is active, and only the layers of unused images that no
 * used image shares are reclaimable.  Containers: their read-write
 * layers; the stopped ones' are reclaimable.  Volumes: their data; the
 * unused ones' are reclaimable.  Build cache: the entries of the
 * store's work area (husk_store_tmp_dir()), see husk_op_df_work_area().
 * Return: 0, or -1.
 */
int husk_op_system_df (struct husk_engine *e, struct husk_system_df *out, husk_error_t *err);

/**
 * husk_op_system_df_verbose() - `system df -v`: each image, container and
 * volume with its sizes
 *
 * Return: {"Images": [{Repository, Tag, ImageID, Created, Size, SharedSize
 * (bytes of layers another image uses too), UniqueSize, Containers}],
 * "Containers": [{ContainerID, Image, Command, LocalVolumes, Size (the
 * read-write layer), Created, Status, Names}], "Volumes": [{VolumeName,
 * Links (the containers' mounts of it), Size}]}, or NULL.
 */
json_t *husk_op_system_df_verbose (struct husk_engine *e, husk_error_t *err);

/* The work area's row: each entry of dir counts; one whose lock another
   process holds is active (a commit, load, import or build in progress),
   the others are leftovers of a killed one, reclaimable.  A directory that
   cannot be read counts nothing.  */
void husk_op_df_work_area (const char *dir, struct husk_df_row *out);

/* system prune: what it removes, and what it removed.  */
struct husk_system_prune_opts
{
  bool all;       /* every image no container uses, not only dangling ones */
  bool volumes;   /* unused volumes too */
  char **filters; /* label=, label!=, until=: for containers, networks,
                     volumes and images */
};

struct husk_system_prune_report
{
  char **pods, **containers, **networks, **volumes, **images; /* IDs, names */
  char **failures;   /* messages of removals that failed (the rest went on) */
  int64_t reclaimed; /* bytes: the store's usage before less after */
};

void husk_system_prune_report_release (struct husk_system_prune_report *r);

/**
 * husk_op_system_prune() - Remove what nothing uses, as `podman system prune`
 *
 * In Podman's order: pods with no running container, stopped containers,
 * networks no container uses, unused volumes (with o->volumes), then
 * dangling images (every unused one with o->all).  The store's usage
 * (husk_op_system_df: images, containers, volumes) is measured before and
 * after for r->reclaimed.
 * Return: 0, or -1 (a bad filter, before anything is removed; else the
 * first failure of a step, after every step ran; r holds what went).
 */
int husk_op_system_prune (struct husk_engine *e, const struct husk_system_prune_opts *o,
                          struct husk_system_prune_report *r, husk_error_t *err);

#endif
