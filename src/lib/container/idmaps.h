/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A container's own user namespace: --userns, --uidmap, --gidmap,
 * --subuidname and --subgidname turned into the "userns" member of the
 * container configuration (ccfg.h):
 *
 *   "userns": { "mode": "private" | "keep-id[:...]" | "nomap" | "auto[:...]"
 *                       | "ns:/path",
 *               "uid_map": ["0:100000:65536"], "gid_map": [...] }
 *
 * Absent (the default, --userns=host or ""): no user namespace of its own.
 * Host IDs are IDs of the namespace husk runs in: the initial one for
 * root, the user's own (userns/) rootless.  See design/rootless.md.
 */
#ifndef HUSK_CONTAINER_IDMAPS_H
#define HUSK_CONTAINER_IDMAPS_H

#include "util/error.h"
#include "util/idmap.h"

#include <jansson.h>
#include <stdbool.h>

struct husk_engine;

/**
 * husk_container_userns_build() - Add the container's user namespace to ccfg
 * @req:     the create request ("userns", "uidmap", "gidmap", "subuidname",
 *           "subgidname")
 * @c:       the container configuration; "user" and "passwd_entry" are set
 *           for keep-id when the request gives none
 * @image_chain: the image's top layer (NULL: none), whose files and
 *           /etc/passwd, /etc/group size --userns=auto's range
 * @lock_fd: set to a lock held while --userns=auto picks a range; the caller
 *           closes it once the container's row exists (else -1)
 *
 * Return: 0, or -1 with Podman's message (EINVAL, ENOTSUP, ENOENT).
 */
int husk_container_userns_build (struct husk_engine *e, json_t *req, json_t *c,
                                 const char *image_chain, int *lock_fd, husk_error_t *err);

/**
 * husk_container_image_id_span() - How many IDs an image's files need
 * @image_chain: the image's top layer
 * @span:        set to the highest UID or GID + 1 of the image's files
 *               (walked without following a link) and of the names of its
 *               /etc/passwd and /etc/group ("nobody", 65534, left out), as
 *               Podman sizes --userns=auto
 *
 * Return: 0, or -1.
 */
int husk_container_image_id_span (struct husk_engine *e, const char *image_chain,
                                  uint32_t *span, husk_error_t *err);

/**
 * husk_container_idmap_mounts() - Check the idmap option of c's mounts
 * @c: the container configuration, its "userns" built
 *
 * "idmap" (or "idmap=uids=C-H-N#...;gids=...") on a bind or volume mount
 * shows the source's files to the container with the owners they have
 * on the host.  Without maps of its own and without a custom mapping
 * the container sees the host's IDs anyway and the option is dropped,
 * as in Podman.  Refused rootless (the kernel wants CAP_SYS_ADMIN in
 * the initial user namespace) and with a runtime that cannot do it.
 *
 * Return: 0, or -1 (EINVAL, ENOTSUP).
 */
int husk_container_idmap_mounts (struct husk_engine *e, json_t *c, husk_error_t *err);

/* The container's maps (false when it has no user namespace of its own, or
   joins one by path).  */
bool husk_container_idmaps (json_t *ccfg, struct husk_idmap *uids, struct husk_idmap *gids);

/**
 * husk_container_userns_reach() - Let the container's root reach its files
 * @spec: the container's OCI spec
 *
 * The runtime mounts the root file system and the bind sources from inside
 * the container's user namespace, where husk's 0700 directories are closed
 * to the container's root (an ID that is not their owner).  The
 * directories above them, from the store's and run directory's roots down,
 * get search permission for others (o+x, no listing), as Podman's store
 * does for containers with their own maps.
 *
 * Return: 0, or -1.
 */
int husk_container_userns_reach (struct husk_engine *e, json_t *spec, husk_error_t *err);

#endif
