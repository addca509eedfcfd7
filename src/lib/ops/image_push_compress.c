/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Layer blobs for a push: the stored blob is read through the store's
 * blob reader (which undoes its compression, if any, and hashes the tar)
 * and compressed (zlib's gzip, or zstd) straight into an unnamed file,
 * hashed on the way: the tar must be the layer's diff ID, and the
 * output's hash is the blob digest the manifest names.  No copy of the
 * tar is written: that was a second pass over the disk per layer.
 * image_push.c runs one of these per layer in threads of its own.
 */
#include "ops/image-push.h"
#include "storage/blob.h"

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

/* gzip skips what does not compress: the input is judged in windows of
   WINDOW bytes; a window that came out at 97 % or more of its size
   switches deflate to level 0 (stored blocks, a quarter of the CPU on
   such data), and every PROBE-th window after that is tried at the
   asked level again.  Only the input's bytes decide (windows at fixed
   offsets), so a layer always gives the same blob.  Most of a layer of
   compressed files (or random data) then costs little to push; Podman's
   gzip does much the same.  */
#define WINDOW (256 * 1024)
#define PROBE 8

struct gz
{
  z_stream z;
  bool open;
  int level, now;        /* asked, and in use */
  size_t win_in;         /* input bytes in this window */
  int64_t win_out;       /* k->size when the window began */
  unsigned stored;       /* windows stored since the last probe */
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
gzip_set_level (struct gz *g, struct sink *k, int level, husk_error_t *err)
{
  unsigned char out[CHUNK];
  int r;

  /* deflateParams flushes the block so far; with too little room it
     says Z_BUF_ERROR and is called again.  */
  do
    {
      g->z.next_in = NULL;
      g->z.avail_in = 0;
      g->z.next_out = out;
      g->z.avail_out = sizeof out;
      r = deflateParams (&g->z, level, Z_DEFAULT_STRATEGY);
      if (sink_write (k, out, sizeof out - g->z.avail_out, err) < 0)
        return -1;
    }
  while (r == Z_BUF_ERROR);
  if (r != Z_OK)
    return husk_error_makex (err, EIO, "gzip: cannot change level: %s",
                             g->z.msg ? g->z.msg : "stream error");
  g->now = level;
  return 0;
}

static int
gzip_window_end (struct gz *g, struct sink *k, husk_error_t *err)
{
  int64_t out = k->size - g->win_out;
  int want = g->level;

  if (g->now != 0 && out * 100 >= (int64_t) WINDOW * 97)
    want = 0;
  else if (g->now == 0 && ++g->stored < PROBE)
    want = 0;
  if (want == 0 && g->now != 0)
    g->stored = 0;
  if (want != g->now && gzip_set_level (g, k, want, err) < 0)
    return -1;
  g->win_in = 0;
  g->win_out = k->size;
  return 0;
}

/* Feed n bytes, cut at the window boundaries.  */
static int
gzip_feed (struct gz *g, struct sink *k, const unsigned char *p, size_t n, husk_error_t *err)
{
  while (n > 0)
    {
      size_t take = WINDOW - g->win_in < n ? WINDOW - g->win_in : n;
      if (gzip_step (g, k, p, take, false, err) < 0)
        return -1;
      p += take;
      n -= take;
      g->win_in += take;
      if (g->win_in == WINDOW && g->level != 0 && gzip_window_end (g, k, err) < 0)
        return -1;
      if (g->win_in == WINDOW)
        g->win_in = 0;
    }
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

static int
compress_start (struct gz *g, ZSTD_CCtx **z, enum husk_compression c, int level,
                husk_error_t *err)
{
  if (c == HUSK_COMPRESSION_GZIP)
    {
      /* windowBits 15 + 16: a gzip header, with no name and time 0.  */
      g->level = g->now = level < 0 ? Z_DEFAULT_COMPRESSION : level;
      g->open = deflateInit2 (&g->z, g->level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY)
                == Z_OK;
      if (!g->open)
        return husk_error_makex (err, EINVAL, "gzip: cannot start (level %d)", level);
      return 0;
    }
  *z = ZSTD_createCCtx ();
  if (*z == NULL || ZSTD_isError (ZSTD_CCtx_setParameter (*z, ZSTD_c_compressionLevel,
                                                          level < 0 ? 3 : level)))
    return husk_error_makex (err, EINVAL, "zstd: cannot start (level %d)", level);
  return 0;
}

/* Compress the whole of r's tar into k, checking it against diff_id.  */
static int
compress_reader (struct husk_blob_reader *r, const char *diff_id, enum husk_compression c,
                 int level, struct sink *k, husk_error_t *err)
{
  char got[72];
  struct gz g = { 0 };
  ZSTD_CCtx *z = NULL;
  const void *data = NULL;
  ssize_t n = 1;
  int ret = compress_start (&g, &z, c, level, err);

  while (ret == 0 && n > 0)
    {
      n = husk_blob_reader_read (r, &data, err);
      if (n < 0)
        {
          ret = husk_error_wrap (err, "read layer %s", diff_id);
          break;
        }
      if (c == HUSK_COMPRESSION_ZSTD)
        ret = zstd_step (z, k, data, (size_t) n, n == 0, err);
      else if (n > 0)
        ret = gzip_feed (&g, k, data, (size_t) n, err);
      else
        ret = gzip_step (&g, k, NULL, 0, true, err);
    }
  if (g.open)
    deflateEnd (&g.z);
  ZSTD_freeCCtx (z);
  if (ret < 0)
    return -1;
  husk_blob_reader_digests (r, got, NULL);
  if (strcmp (diff_id, got) != 0)
    return husk_error_makex (err, EIO, "layer %s: its files give %s, not its diff ID",
                             diff_id, got);
  return 0;
}

int
husk_op_image_push_compress (struct husk_store *s, const char *chain_id, const char *diff_id,
                             enum husk_compression c, int level, const char *dir, int *fd,
                             char digest[72], int64_t *size, husk_error_t *err)
{
  cleanup_free char *path = husk_store_layer_blob_path (s, chain_id);
  cleanup_close int in = open (path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  struct sink k = { -1, NULL, 0 };
  struct husk_blob_reader *r;
  char hex[HUSK_SHA256_HEX_LEN + 1];
  int ret;

  *fd = -1;
  if (in < 0)
    return husk_error_make (err, errno, "layer %s: open '%s'", chain_id, path);
  k.fd = open (dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
  if (k.fd < 0)
    return husk_error_make (err, errno, "temporary file in '%s'", dir);
  r = husk_blob_reader_new (in, -1, err);
  if (r == NULL)
    {
      close (k.fd);
      return husk_error_wrap (err, "layer %s", chain_id);
    }
  k.hash = husk_sha256_new ();
  ret = compress_reader (r, diff_id, c, level, &k, err);
  husk_blob_reader_free (r);
  husk_sha256_final (k.hash, hex);
  if (ret < 0)
    {
      close (k.fd);
      return -1;
    }
  snprintf (digest, 72, "sha256:%s", hex);
  *size = k.size;
  *fd = k.fd;
  return 0;
}
