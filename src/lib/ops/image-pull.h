/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Inside ops/: the two halves of husk_op_image_pull().  The policy half
 * (image_pull_policy.c: is a pull needed at all?) is in every husk; the
 * registry half (image_pull.c, over registry/ and libcurl) only in the
 * binary that links libcurl.  A static husk (libcurl has no archive on
 * Debian) has image_pull_exec.c in its place, which runs the same command
 * again in husk-registry, husk's dynamically linked twin: its start-up
 * (libcurl and its dependencies, 30+ ms) is paid only by pulls.
 */
#ifndef HUSK_OPS_IMAGE_PULL_H
#define HUSK_OPS_IMAGE_PULL_H

#include "ops/image.h"

#include <stdint.h>

/* Pull image from its registry.  *local: the image the store has under
   that name (policy "newer"), kept when the registry cannot be reached;
   NULL otherwise.  Return: 0 with *id_out set, or -1.  */
int husk_op_image_pull_remote (struct husk_engine *e, const char *image,
                               const struct husk_pull_opts *o, char **local, char **id_out,
                               husk_error_t *err);

/* Whether the store has ref: its ID in *id, and no error kept.  */
bool husk_op_image_resolve_quiet (struct husk_engine *e, const char *ref, char **id);

/* The download cache of finished layer blobs (image_pull_cache.c).
   open: the blob digest names, hashed again first, at offset 0 (a
   damaged one is deleted), or -1.  keep: link the finished, verified
   blob in fd into the cache.  drop: forget digest.  trim: drop entries
   older than a day or beyond 2 GiB.  */
int husk_op_pull_cache_open (struct husk_engine *e, const char *digest, int64_t size);
void husk_op_pull_cache_keep (struct husk_engine *e, const char *digest, int fd);
void husk_op_pull_cache_drop (struct husk_engine *e, const char *digest);
void husk_op_pull_cache_trim (struct husk_engine *e);

#endif
