/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ID mappings of a container's user namespace: ranges of container IDs
 * and the IDs they are on the host (for a rootless husk, IDs of its own
 * user namespace), as in /proc/PID/uid_map and Podman's "C:H:S" strings.
 * Shared by the container configuration, the OCI spec, the storage (files
 * owned by mapped IDs) and the tars of cp, commit and export.
 */
#ifndef HUSK_UTIL_IDMAP_H
#define HUSK_UTIL_IDMAP_H

#include "util/error.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The kernel accepts at most 340 lines in a map; real maps have a few.  */
#define HUSK_IDMAP_MAX 64

struct husk_idmap
{
  size_t n;
  struct
  {
    uint32_t inside, outside, size;
  } r[HUSK_IDMAP_MAX];
};

/* Append the range "CONTAINER:HOST:SIZE" to m (what names it in errors).
   Return: 0, or -1 with EINVAL.  */
int husk_idmap_add_string (struct husk_idmap *m, const char *s, const char *what,
                           husk_error_t *err);

/* Append a range; false when m is full or the range overflows 32 bits.  */
bool husk_idmap_add (struct husk_idmap *m, uint64_t inside, uint64_t outside, uint64_t size);

/* Load a JSON array of "C:H:S" strings (as the container configuration
   keeps them).  Return: 0, or -1.  */
int husk_idmap_from_json (struct husk_idmap *m, json_t *a, husk_error_t *err);

/* The JSON array of "C:H:S" strings of m (inspect's IDMappings).  */
json_t *husk_idmap_to_json (const struct husk_idmap *m);

/* Whether two ranges of the map overlap, inside or outside (the kernel
   refuses such maps).  */
bool husk_idmap_overlaps (const struct husk_idmap *m);

/* The host ID of container ID id (false when it is not mapped), and the
   container ID of host ID id.  */
bool husk_idmap_to_host (const struct husk_idmap *m, uint32_t id, uint32_t *out);
bool husk_idmap_to_container (const struct husk_idmap *m, uint32_t id, uint32_t *out);

/* Podman's "+" form: remove from m whatever the range takes, on either
   side, then append it (false when m is full).  */
bool husk_idmap_break_insert (struct husk_idmap *m, uint64_t inside, uint64_t outside,
                              uint64_t size);

/* Sort m by container ID and merge ranges that continue each other.  */
void husk_idmap_normalize (struct husk_idmap *m);

/* Give the container IDs m leaves unmapped, from 0 up, the IDs of parent
   (their inside: the IDs of husk's namespace) that m does not use yet, in
   order; m ends normalized.  */
void husk_idmap_fill (struct husk_idmap *m, const struct husk_idmap *parent);

/* Load the lines "IN OUT SIZE" of /proc/PID/uid_map or gid_map text.  */
void husk_idmap_from_proc (struct husk_idmap *m, const char *text);

/* The maps of a mount's idmap option, "idmap", "idmap=true" or
   "idmap=uids=C-H-N#...;gids=..." (Podman's): file system ID to host ID.
   What a custom mapping leaves out is the container's (cu, cg); "@C-H-N"
   takes H as an ID of the container, through cu or cg.  u and g stay
   empty for "idmap=false".  Return: 0, or -1 (EINVAL).  */
int husk_idmap_mount_option (const char *opt, const struct husk_idmap *cu,
                             const struct husk_idmap *cg, struct husk_idmap *u,
                             struct husk_idmap *g, husk_error_t *err);

#endif
