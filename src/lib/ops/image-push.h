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

#include <sys/types.h>

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

/* A layer compressed as it is read (a streamed upload), with the same
   output as husk_op_image_push_compress().  */
struct husk_op_image_push_stream;

struct husk_op_image_push_stream *
husk_op_image_push_stream_new (struct husk_store *s, const char *chain_id, const char *diff_id,
                               enum husk_compression c, int level, husk_error_t *err);

/* Up to n bytes of the compressed blob.  Return: bytes, 0 at its end
   (the tar was checked against the diff ID, the digest is known and
   cached), or -1.  */
ssize_t husk_op_image_push_stream_read (struct husk_op_image_push_stream *st, void *buf,
                                        size_t n, husk_error_t *err);

/* After the end: the blob's digest and size.  */
void husk_op_image_push_stream_result (const struct husk_op_image_push_stream *st,
                                       char digest[72], int64_t *size);
void husk_op_image_push_stream_free (struct husk_op_image_push_stream *st);

/* The compressed digest (and size) a layer's diff ID gave with c at
   level, from the store's cache.  Return: whether it is known.  */
bool husk_op_image_push_cache_get (struct husk_store *s, const char *diff_id,
                                   enum husk_compression c, int level, char digest[72],
                                   int64_t *size);
/* Record one (errors only logged: it is a cache).  */
void husk_op_image_push_cache_put (struct husk_store *s, const char *diff_id,
                                   enum husk_compression c, int level, const char *digest,
                                   int64_t size);

/* Push local image id to HOST/REPO by digest (an entry of a list, see
   image_manifest_push.c).  Return: 0 with the manifest sent (its digest,
   media type and size), or -1.  */
int husk_op_image_push_instance (struct husk_engine *e, const char *id, const char *host,
                                 const char *repo, bool insecure,
                                 const struct husk_push_opts *o, char **digest, char **type,
                                 int64_t *size, husk_error_t *err);

#endif
