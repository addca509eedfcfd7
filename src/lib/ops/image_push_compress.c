/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Layer blobs for a push: the stored blob is read through the store's
 * blob reader (which undoes its compression, if any, and hashes the tar)
 * and compressed (zlib's gzip, or zstd) piece by piece, hashed on the
 * way: the tar must be the layer's diff ID, and the output's hash is the
 * blob digest the manifest names.  The pieces go straight to a streamed
 * upload (husk_op_image_push_stream_read) or into an unnamed file
 * (husk_op_image_push_compress, in image_push.c's worker threads).  No
 * copy of the tar is written.  The digests made are kept in a small
 * cache under the store, so that the next push of the layer can find
 * the blob in the registry without compressing it again.
 */
#include "ops/image-push.h"
#include "storage/blob.h"

#include "util/cleanup.h"
#include "util/digest.h"
#include "util/fileutil.h"
#include "util/strutil.h"

#include <errno.h>
#include <inttypes.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#define CHUNK (256 * 1024)

/* The compressed output waiting to be taken (buf[off..len)), and the
   hash and size of all of it so far.  */
struct sink
{
  unsigned char *buf;
  size_t off, len, cap;
  struct husk_sha256 *hash;
  int64_t size;
};

static int
sink_write (struct sink *k, const void *p, size_t n, husk_error_t *err)
{
  (void) err;
  if (n == 0)
    return 0;
  if (k->len + n > k->cap)
    {
      k->cap = k->len + n > 2 * k->cap ? k->len + n : 2 * k->cap;
      k->buf = husk_xrealloc (k->buf, k->cap);
    }
  memcpy (k->buf + k->len, p, n);
  k->len += n;
  husk_sha256_update (k->hash, p, n);
  k->size += (int64_t) n;
  return 0;
}

/* gzip skips what does not compress: the input is cut into windows of
   WINDOW bytes, and before each window is deflated a sample of it
   (SLICES slices of SLICE bytes spread over it) is deflated at level 1
   into scratch space.  When that comes out at 97 % or more of its size,
   the window is stored (level 0: a quarter of the CPU on such data),
   else deflated at the asked level.  Only the input's bytes decide
   (windows at fixed offsets), so a layer always gives the same blob.
   The sample costs a few percent of a level-6 pass: trying whole
   windows at the asked level (every 8th of the stored ones, before)
   took 40 % of a push's CPU on a layer of random data.  */
#define WINDOW (256 * 1024)
#define SLICE 1024
#define SLICES 4

struct gz
{
  z_stream z, probe;
  bool open, probe_open;
  int level, now;        /* asked, and in use */
  unsigned char *win;    /* the window being filled */
  size_t win_len;
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

/* Does the sample of a window compress?  */
static bool
gzip_window_compresses (struct gz *g, const unsigned char *p, size_t n)
{
  unsigned char out[SLICES * SLICE + 1024];
  size_t step = n / SLICES, in = 0;

  if (n < SLICES * SLICE)
    return true; /* too little to judge, and cheap either way */
  deflateReset (&g->probe);
  g->probe.next_out = out;
  g->probe.avail_out = sizeof out;
  for (size_t i = 0; i < SLICES; i++)
    {
      g->probe.next_in = (unsigned char *) p + i * step;
      g->probe.avail_in = SLICE;
      deflate (&g->probe, i + 1 == SLICES ? Z_FINISH : Z_NO_FLUSH);
      in += SLICE;
    }
  return (sizeof out - g->probe.avail_out) * 100 < in * 97;
}

/* Deflate one window at the level its sample calls for.  */
static int
gzip_window (struct gz *g, struct sink *k, husk_error_t *err)
{
  int want = g->level;

  if (g->probe_open && !gzip_window_compresses (g, g->win, g->win_len))
    want = 0;
  if (want != g->now && gzip_set_level (g, k, want, err) < 0)
    return -1;
  if (gzip_step (g, k, g->win, g->win_len, false, err) < 0)
    return -1;
  g->win_len = 0;
  return 0;
}

/* Feed n bytes, deflated window by window.  */
static int
gzip_feed (struct gz *g, struct sink *k, const unsigned char *p, size_t n, husk_error_t *err)
{
  while (n > 0)
    {
      size_t take = WINDOW - g->win_len < n ? WINDOW - g->win_len : n;
      memcpy (g->win + g->win_len, p, take);
      g->win_len += take;
      p += take;
      n -= take;
      if (g->win_len == WINDOW && gzip_window (g, k, err) < 0)
        return -1;
    }
  return 0;
}

/* The last window, and the end of the stream.  */
static int
gzip_end (struct gz *g, struct sink *k, husk_error_t *err)
{
  if (g->win_len > 0 && gzip_window (g, k, err) < 0)
    return -1;
  return gzip_step (g, k, NULL, 0, true, err);
}

static void
gzip_free (struct gz *g)
{
  if (g->open)
    deflateEnd (&g->z);
  if (g->probe_open)
    deflateEnd (&g->probe);
  free (g->win);
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
      g->win = husk_xmalloc (WINDOW);
      /* Level 0 stores everything anyway: no sample to take.  */
      if (g->level != 0)
        g->probe_open = deflateInit2 (&g->probe, 1, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY)
                        == Z_OK;
      return 0;
    }
  *z = ZSTD_createCCtx ();
  if (*z == NULL || ZSTD_isError (ZSTD_CCtx_setParameter (*z, ZSTD_c_compressionLevel,
                                                          level < 0 ? 3 : level)))
    return husk_error_makex (err, EINVAL, "zstd: cannot start (level %d)", level);
  return 0;
}

/* One layer being compressed: read on demand (a streamed upload pulls
   it as it sends) or written whole into a file.  */
struct husk_op_image_push_stream
{
  struct husk_store *store;
  int in;                    /* the stored blob */
  struct husk_blob_reader *r;
  char diff_id[72];
  enum husk_compression c;
  int level;
  struct gz g;
  ZSTD_CCtx *z;
  struct sink k;
  bool done;
  char digest[72];
};

struct husk_op_image_push_stream *
husk_op_image_push_stream_new (struct husk_store *s, const char *chain_id, const char *diff_id,
                      enum husk_compression c, int level, husk_error_t *err)
{
  cleanup_free char *path = husk_store_layer_blob_path (s, chain_id);
  struct husk_op_image_push_stream *st;
  int in = path ? open (path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW) : -1;

  if (in < 0)
    {
      husk_error_make (err, path ? errno : EINVAL, "layer %s: open its blob", chain_id);
      return NULL;
    }
  st = husk_xzalloc (sizeof *st);
  st->store = s;
  st->in = in;
  st->c = c;
  st->level = level;
  snprintf (st->diff_id, sizeof st->diff_id, "%s", diff_id);
  st->k.hash = husk_sha256_new ();
  st->r = husk_blob_reader_new (in, -1, err);
  if (st->r == NULL || compress_start (&st->g, &st->z, c, level, err) < 0)
    {
      husk_error_wrap (err, "layer %s", chain_id);
      husk_op_image_push_stream_free (st);
      return NULL;
    }
  return st;
}

void
husk_op_image_push_stream_free (struct husk_op_image_push_stream *st)
{
  char hex[HUSK_SHA256_HEX_LEN + 1];

  if (st == NULL)
    return;
  gzip_free (&st->g);
  ZSTD_freeCCtx (st->z);
  husk_blob_reader_free (st->r);
  if (!st->done)
    husk_sha256_final (st->k.hash, hex);
  free (st->k.buf);
  close (st->in);
  free (st);
}

/* The end of the tar: close the compressed stream and check the tar
   against the diff ID (a store whose files changed must not be pushed
   under the old ID).  */
static int
stream_finish (struct husk_op_image_push_stream *st, husk_error_t *err)
{
  char got[72], hex[HUSK_SHA256_HEX_LEN + 1];
  int ret;

  if (st->c == HUSK_COMPRESSION_ZSTD)
    ret = zstd_step (st->z, &st->k, NULL, 0, true, err);
  else
    ret = gzip_end (&st->g, &st->k, err);
  if (ret < 0)
    return -1;
  husk_blob_reader_digests (st->r, got, NULL);
  if (strcmp (st->diff_id, got) != 0)
    return husk_error_makex (err, EIO, "layer %s: its files give %s, not its diff ID",
                             st->diff_id, got);
  husk_sha256_final (st->k.hash, hex);
  snprintf (st->digest, sizeof st->digest, "sha256:%s", hex);
  st->done = true;
  husk_op_image_push_cache_put (st->store, st->diff_id, st->c, st->level, st->digest, st->k.size);
  return 0;
}

/* Compress the next piece of the tar into the sink.  */
static int
stream_step (struct husk_op_image_push_stream *st, husk_error_t *err)
{
  const void *data = NULL;
  ssize_t n = husk_blob_reader_read (st->r, &data, err);

  if (n < 0)
    return husk_error_wrap (err, "read layer %s", st->diff_id);
  if (n == 0)
    return stream_finish (st, err);
  if (st->c == HUSK_COMPRESSION_ZSTD)
    return zstd_step (st->z, &st->k, data, (size_t) n, false, err);
  return gzip_feed (&st->g, &st->k, data, (size_t) n, err);
}

ssize_t
husk_op_image_push_stream_read (struct husk_op_image_push_stream *st, void *buf, size_t n,
                                husk_error_t *err)
{
  size_t take;

  while (st->k.off == st->k.len)
    {
      if (st->done)
        return 0;
      st->k.off = st->k.len = 0;
      if (stream_step (st, err) < 0)
        return -1;
    }
  take = st->k.len - st->k.off < n ? st->k.len - st->k.off : n;
  memcpy (buf, st->k.buf + st->k.off, take);
  st->k.off += take;
  return (ssize_t) take;
}

void
husk_op_image_push_stream_result (const struct husk_op_image_push_stream *st, char digest[72],
                                  int64_t *size)
{
  memcpy (digest, st->digest, 72);
  *size = st->k.size;
}

int
husk_op_image_push_compress (struct husk_store *s, const char *chain_id, const char *diff_id,
                             enum husk_compression c, int level, const char *dir, int *fd,
                             char digest[72], int64_t *size, husk_error_t *err)
{
  struct husk_op_image_push_stream *st;
  cleanup_close int out = -1;
  int ret = 0;

  *fd = -1;
  out = open (dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
  if (out < 0)
    return husk_error_make (err, errno, "temporary file in '%s'", dir);
  st = husk_op_image_push_stream_new (s, chain_id, diff_id, c, level, err);
  if (st == NULL)
    return -1;
  while (ret == 0 && !(st->done && st->k.off == st->k.len))
    {
      if (st->k.off == st->k.len)
        {
          st->k.off = st->k.len = 0;
          ret = stream_step (st, err);
          continue;
        }
      if (husk_write_all (out, st->k.buf + st->k.off, st->k.len - st->k.off) < 0)
        ret = husk_error_make (err, errno, "write a compressed layer");
      st->k.off = st->k.len;
    }
  if (ret == 0)
    {
      husk_op_image_push_stream_result (st, digest, size);
      *fd = steal_fd (&out);
    }
  husk_op_image_push_stream_free (st);
  return ret;
}

/* The cache of compressed digests: one small file per (diff ID,
   compression, level) under the store's cache directory, holding the
   digest and size of the blob that compression gave.  The output depends
   only on those, so a push that finds an entry asks the registry for
   that digest first and, when it has it, compresses nothing (Podman's
   blob info cache does the same).  A wrong or stale entry costs one HEAD:
   the blob is then compressed and the entry written again.  */
static char *
cache_path (struct husk_store *s, const char *diff_id, enum husk_compression c, int level)
{
  cleanup_free char *dir = husk_store_cache_dir (s);

  if (!husk_digest_valid (diff_id))
    return NULL;
  if (level < 0)
    return husk_asprintf ("%s/blob-digests/%s-default-%s", dir, husk_compression_name (c),
                          diff_id + 7);
  return husk_asprintf ("%s/blob-digests/%s-%d-%s", dir, husk_compression_name (c), level,
                        diff_id + 7);
}

bool
husk_op_image_push_cache_get (struct husk_store *s, const char *diff_id, enum husk_compression c,
                     int level, char digest[72], int64_t *size)
{
  cleanup_free char *path = cache_path (s, diff_id, c, level);
  cleanup_free char *text = NULL;
  husk_error_t e = NULL;
  char d[72];
  long long n;

  text = path ? husk_read_file (path, NULL, &e) : NULL;
  husk_error_release (&e);
  if (text == NULL || sscanf (text, "%71s %lld", d, &n) != 2 || !husk_digest_valid (d) || n < 0)
    return false;
  memcpy (digest, d, sizeof d);
  *size = n;
  return true;
}

void
husk_op_image_push_cache_put (struct husk_store *s, const char *diff_id, enum husk_compression c,
                     int level, const char *digest, int64_t size)
{
  cleanup_free char *path = cache_path (s, diff_id, c, level);
  cleanup_free char *text = husk_asprintf ("%s %" PRId64 "\n", digest, size);
  husk_error_t e = NULL;

  if (path == NULL)
    return;
  cleanup_free char *dir = husk_xstrndup (path, (size_t) (strrchr (path, '/') - path));
  if (husk_mkdir_p (dir, 0700, &e) == 0)
    husk_write_file_replace (path, text, strlen (text), 0600, &e);
  if (e)
    husk_error_drop (&e, "the push cache");
}
