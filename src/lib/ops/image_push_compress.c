/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Layer blobs for a push: the store exports the layer's tar into an
 * unnamed file, which is then compressed (zlib's gzip, or zstd) into
 * another, hashing both on the way: the tar must be the layer's diff ID,
 * and the output's hash is the blob digest the manifest names.
 */
#include "ops/image-push.h"

#include "util/cleanup.h"
#include "util/digest.h"
#include "util/fileutil.h"
#include "util/strutil.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#define CHUNK (256 * 1024)

/* One output sink: the file and the hash of what went to it.  */
struct sink
{
  int fd;
  struct husk_sha256 *hash;
  int64_t size;
};

static int
sink_write (struct sink *k, const void *p, size_t n, husk_error_t *err)
{
  if (n == 0)
    return 0;
  if (husk_write_all (k->fd, p, n) < 0)
    return husk_error_make (err, errno, "write a compressed layer");
  husk_sha256_update (k->hash, p, n);
  k->size += (int64_t) n;
  return 0;
}

struct gz
{
  z_stream z;
  bool open;
};

static int
gzip_step (struct gz *g, struct sink *k, const void *in, size_t n, bool end,
           husk_error_t *err)
{
  unsigned char out[CHUNK];
  int r;

  g->z.next_in = (unsigned char *) in;
  g->z.avail_in = (uInt) n;
  do
    {
      g->z.next_out = out;
      g->z.avail_out = sizeof out;
      r = deflate (&g->z, end ? Z_FINISH : Z_NO_FLUSH);
      if (r == Z_STREAM_ERROR)
        return husk_error_makex (err, EIO, "gzip: %s", g->z.msg ? g->z.msg : "stream error");
      if (sink_write (k, out, sizeof out - g->z.avail_out, err) < 0)
        return -1;
    }
  while (g->z.avail_out == 0 || (end && r != Z_STREAM_END));
  return 0;
}

static int
zstd_step (ZSTD_CCtx *z, struct sink *k, const void *in, size_t n, bool end,
           husk_error_t *err)
{
  unsigned char out[CHUNK];
  ZSTD_inBuffer ib = { in, n, 0 };
  size_t left;

  do
    {
      ZSTD_outBuffer ob = { out, sizeof out, 0 };
      left = ZSTD_compressStream2 (z, &ob, &ib, end ? ZSTD_e_end : ZSTD_e_continue);
      if (ZSTD_isError (left))
        return husk_error_makex (err, EIO, "zstd: %s", ZSTD_getErrorName (left));
      if (sink_write (k, out, ob.pos, err) < 0)
        return -1;
    }
  while (end ? left != 0 : ib.pos < ib.size);
  return 0;
}

/* Compress all of in_fd into k, checking the input against diff_id.  */
static int
compress_fd (int in_fd, const char *diff_id, enum husk_compression c, int level,
             struct sink *k, husk_error_t *err)
{
  cleanup_free unsigned char *buf = husk_xzalloc (CHUNK);
  struct husk_sha256 *in_hash = husk_sha256_new ();
  char hex[HUSK_SHA256_HEX_LEN + 1];
  struct gz g = { 0 };
  ZSTD_CCtx *z = NULL;
  int ret = 0;
  ssize_t n;

  if (c == HUSK_COMPRESSION_GZIP)
    {
      /* windowBits 15 + 16: a gzip header, with no name and time 0.  */
      g.open = deflateInit2 (&g.z, level < 0 ? Z_DEFAULT_COMPRESSION : level, Z_DEFLATED,
                             15 + 16, 8, Z_DEFAULT_STRATEGY) == Z_OK;
      if (!g.open)
        ret = husk_error_makex (err, EINVAL, "gzip: cannot start (level %d)", level);
    }
  else
    {
      z = ZSTD_createCCtx ();
      if (z == NULL || ZSTD_isError (ZSTD_CCtx_setParameter (z, ZSTD_c_compressionLevel,
                                                             level < 0 ? 3 : level)))
        ret = husk_error_makex (err, EINVAL, "zstd: cannot start (level %d)", level);
    }
  while (ret == 0)
    {
      do
        n = read (in_fd, buf, CHUNK);
      while (n < 0 && errno == EINTR);
      if (n < 0)
        {
          ret = husk_error_make (err, errno, "read a layer");
          break;
        }
      husk_sha256_update (in_hash, buf, (size_t) n);
      ret = c == HUSK_COMPRESSION_GZIP ? gzip_step (&g, k, buf, (size_t) n, n == 0, err)
                                       : zstd_step (z, k, buf, (size_t) n, n == 0, err);
      if (n == 0)
        break;
    }
  husk_sha256_final (in_hash, hex);
  if (g.open)
    deflateEnd (&g.z);
  ZSTD_freeCCtx (z);
  if (ret == 0 && strcmp (diff_id + 7, hex) != 0)
    ret = husk_error_makex (err, EIO, "layer %s: its files give sha256:%s, not its diff ID",
                            diff_id, hex);
  return ret;
}

int
husk_op_image_push_compress (struct husk_store *s, const char *chain_id, const char *diff_id,
                             enum husk_compression c, int level, const char *dir, int *fd,
                             char digest[72], int64_t *size, husk_error_t *err)
{
  cleanup_close int tar = open (dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
  struct sink k = { -1, NULL, 0 };
  char hex[HUSK_SHA256_HEX_LEN + 1];

  *fd = -1;
  if (tar < 0)
    return husk_error_make (err, errno, "temporary file in '%s'", dir);
  if (husk_store_layer_export (s, chain_id, tar, err) < 0)
    return husk_error_wrap (err, "layer %s", chain_id);
  if (lseek (tar, 0, SEEK_SET) < 0)
    return husk_error_make (err, errno, "rewind a layer");
  k.fd = open (dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
  if (k.fd < 0)
    return husk_error_make (err, errno, "temporary file in '%s'", dir);
  k.hash = husk_sha256_new ();
  if (compress_fd (tar, diff_id, c, level, &k, err) < 0)
    {
      husk_sha256_free (k.hash);
      close (k.fd);
      return -1;
    }
  husk_sha256_final (k.hash, hex);
  snprintf (digest, 72, "sha256:%s", hex);
  *size = k.size;
  *fd = k.fd;
  return 0;
}
