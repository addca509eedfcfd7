/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Inside ops/: the parts of husk_op_image_push().  As for pulls
 * (ops/image-pull.h), the registry half (image_push.c, over registry/ and
 * libcurl) is only in husk-registry; the static husk has image_push_exec.c
 * in its place, which checks the image and runs the command again there.
 * image_push_compress.c makes the layer blobs a push sends when the
 * stored ones will not do (uncompressed, or another compression asked).
 */
#ifndef HUSK_OPS_IMAGE_PUSH_H
#define HUSK_OPS_IMAGE_PUSH_H

#include "ops/image.h"
#include "storage/store.h"

/**
 * husk_op_image_push_compress() - A layer's tar, compressed anew
 * @chain_id, @diff_id: the layer; its tar must hash to diff_id
 * @c:      HUSK_COMPRESSION_GZIP or HUSK_COMPRESSION_ZSTD
 * @level:  the compression level, or -1 for the format's default
 * @dir:    where the unnamed file goes (the store's tmp/)
 * @fd:     set to the compressed blob, an unnamed file (O_TMPFILE)
 * @digest, @size: of the compressed blob
 *
 * The output depends only on the tar, c and level, so the same layer
 * pushed again has the same digest (and the registry has it already).
 * Return: 0, or -1.
 */
int husk_op_image_push_compress (struct husk_store *s, const char *chain_id,
                                 const char *diff_id, enum husk_compression c, int level,
                                 const char *dir, int *fd, char digest[72], int64_t *size,
                                 husk_error_t *err);

/* Push local image id to HOST/REPO by digest (an entry of a list, see
   image_manifest_push.c).  Return: 0 with the manifest sent (its digest,
   media type and size), or -1.  */
int husk_op_image_push_instance (struct husk_engine *e, const char *id, const char *host,
                                 const char *repo, bool insecure,
                                 const struct husk_push_opts *o, char **digest, char **type,
                                 int64_t *size, husk_error_t *err);

#endif
