/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Blob reader: raw bytes in, decompressed bytes out, both hashed.
 *
 * The diff ID of a layer is the sha256 of its whole uncompressed tar,
 * including the end-of-archive blocks and any padding after them.  The tar
 * parser stops at the end-of-archive marker, so the hashing cannot be left
 * to it: we decompress ourselves, hash every decompressed byte as it is
 * produced, hand the bytes to the parser, and drain the rest of the stream
 * once the parser is done.  gzip streams may have several members (pigz,
 * concatenated files), zstd streams several frames; anything else after the
 * compressed data is an error, as it is for Go's readers that produced and
 * will read most layers.
 */
#include "storage/blob.h"
#include "storage/tar.h"
#include "util/digest.h"
#include "util/fileutil.h"
#include "util/strutil.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

struct husk_blob_reader
{
  int fd;
  int tee_fd;
  enum husk_compression comp;
  unsigned char *in;  /* raw bytes; [in_start, in_end) not yet consumed */
  size_t in_start;
  size_t in_end;
  bool in_eof;
  unsigned char *out; /* decompressed bytes (unused for plain blobs) */
  z_stream z;
  bool z_ready;
  bool member_end;    /* gzip: a member just ended */
  ZSTD_DStream *zs;
  size_t zs_last;     /* last ZSTD_decompressStream result; 0 = frame end */
  bool done;
  struct husk_sha256 *raw_hash; /* NULL for an uncompressed blob: out_hash */
  struct husk_sha256 *out_hash;
  int64_t raw_size;
  int64_t out_size;
};

enum husk_compression
husk_detect_compression (const unsigned char *buf, size_t len)
{
  if (len >= 2 && buf[0] == 0x1f && buf[1] == 0x8b)
    return HUSK_COMPRESSION_GZIP;
  if (len >= 4 && buf[0] == 0x28 && buf[1] == 0xb5 && buf[2] == 0x2f
      && buf[3] == 0xfd)
    return HUSK_COMPRESSION_ZSTD;
  return HUSK_COMPRESSION_NONE;
}

const char *
husk_compression_name (enum husk_compression c)
{
  switch (c)
    {
    case HUSK_COMPRESSION_GZIP:
      return "gzip";
    case HUSK_COMPRESSION_ZSTD:
      return "zstd";
    default:
      return "none";
    }
}

/* Read more raw input after what is buffered.  Sets in_eof at the end.  */
static int
fill (struct husk_blob_reader *r, husk_error_t *err)
{
  ssize_t n;

  if (r->in_start == r->in_end)
    r->in_start = r->in_end = 0;
  else if (r->in_end == HUSK_BLOB_BUFSIZE)
    {
      memmove (r->in, r->in + r->in_start, r->in_end - r->in_start);
      r->in_end -= r->in_start;
      r->in_start = 0;
    }
  do
    n = read (r->fd, r->in + r->in_end, HUSK_BLOB_BUFSIZE - r->in_end);
  while (n < 0 && errno == EINTR);
  if (n < 0)
    return husk_error_make (err, errno, "read blob");
  if (n == 0)
    {
      r->in_eof = true;
      return 0;
    }
  if (r->raw_hash)
    husk_sha256_update (r->raw_hash, r->in + r->in_end, n);
  if (r->tee_fd >= 0 && husk_write_all (r->tee_fd, r->in + r->in_end, n) < 0)
    return husk_error_make (err, errno, "write blob copy");
  r->raw_size += n;
  r->in_end += n;
  return 0;
}

static size_t
avail (const struct husk_blob_reader *r)
{
  return r->in_end - r->in_start;
}

/* Give the caller a chunk of output and account for it.  */
static ssize_t
produce (struct husk_blob_reader *r, const void **data, const unsigned char *p,
         size_t n)
{
  husk_sha256_update (r->out_hash, p, n);
  r->out_size += n;
  *data = p;
  return (ssize_t) n;
}

static ssize_t
read_plain (struct husk_blob_reader *r, const void **data, husk_error_t *err)
{
  const unsigned char *p;
  size_t n;

  if (avail (r) == 0 && !r->in_eof && fill (r, err) < 0)
    return -1;
  if (avail (r) == 0)
    {
      r->done = true;
      return 0;
    }
  p = r->in + r->in_start;
  n = avail (r);
  r->in_start = r->in_end;
  return produce (r, data, p, n);
}

/* After a gzip member: another member, or the end.  */
static int
next_member (struct husk_blob_reader *r, husk_error_t *err)
{
  while (avail (r) < 2 && !r->in_eof)
    if (fill (r, err) < 0)
      return -1;
  if (avail (r) == 0)
    {
      r->done = true;
      return 0;
    }
  if (avail (r) < 2 || r->in[r->in_start] != 0x1f || r->in[r->in_start + 1] != 0x8b)
    return husk_error_makex (err, EINVAL, "gzip: unexpected data after the "
                                          "compressed stream");
  if (inflateReset (&r->z) != Z_OK)
    return husk_error_makex (err, EINVAL, "gzip: cannot reset the decoder");
  r->member_end = false;
  return 0;
}

static ssize_t
read_gzip (struct husk_blob_reader *r, const void **data, husk_error_t *err)
{
  for (;;)
    {
      size_t produced;
      int ret;

      if (r->member_end && next_member (r, err) < 0)
        return -1;
      if (r->done)
        return 0;
      if (avail (r) == 0 && !r->in_eof && fill (r, err) < 0)
        return -1;
      if (avail (r) == 0)
        return husk_error_makex (err, EINVAL, "gzip: unexpected end of data");
      r->z.next_in = r->in + r->in_start;
      r->z.avail_in = avail (r);
      r->z.next_out = r->out;
      r->z.avail_out = HUSK_BLOB_BUFSIZE;
      ret = inflate (&r->z, Z_NO_FLUSH);
      r->in_start = r->in_end - r->z.avail_in;
      produced = HUSK_BLOB_BUFSIZE - r->z.avail_out;
      if (ret == Z_STREAM_END)
        r->member_end = true;
      else if (ret != Z_OK && ret != Z_BUF_ERROR)
        return husk_error_makex (err, EINVAL, "gzip: %s",
                                 r->z.msg ? r->z.msg : "corrupt data");
      if (produced > 0)
        return produce (r, data, r->out, produced);
    }
}

static ssize_t
read_zstd (struct husk_blob_reader *r, const void **data, husk_error_t *err)
{
  for (;;)
    {
      ZSTD_inBuffer ib;
      ZSTD_outBuffer ob = { r->out, HUSK_BLOB_BUFSIZE, 0 };
      size_t ret;

      if (r->done)
        return 0;
      if (avail (r) == 0 && !r->in_eof && fill (r, err) < 0)
        return -1;
      /* Between frames at the end: done.  (Called with no input there,
         the decoder would ask for the next frame's header.)  */
      if (avail (r) == 0 && r->in_eof && r->zs_last == 0)
        {
          r->done = true;
          return 0;
        }
      ib.src = r->in + r->in_start;
      ib.size = avail (r);
      ib.pos = 0;
      ret = ZSTD_decompressStream (r->zs, &ob, &ib);
      if (ZSTD_isError (ret))
        return husk_error_makex (err, EINVAL, "zstd: %s", ZSTD_getErrorName (ret));
      r->in_start += ib.pos;
      r->zs_last = ret;
      if (ob.pos > 0)
        return produce (r, data, r->out, ob.pos);
      if (avail (r) == 0 && r->in_eof && r->zs_last != 0)
        return husk_error_makex (err, EINVAL, "zstd: unexpected end of data");
    }
}

ssize_t
husk_blob_reader_read (struct husk_blob_reader *r, const void **data,
                       husk_error_t *err)
{
  switch (r->comp)
    {
    case HUSK_COMPRESSION_GZIP:
      return read_gzip (r, data, err);
    case HUSK_COMPRESSION_ZSTD:
      return read_zstd (r, data, err);
    default:
      return read_plain (r, data, err);
    }
}

int
husk_blob_reader_drain (struct husk_blob_reader *r, husk_error_t *err)
{
  const void *data;
  ssize_t n;

  while ((n = husk_blob_reader_read (r, &data, err)) > 0)
    ;
  return n < 0 ? -1 : 0;
}

/* Refuse compressions we recognise but do not read, with a clear message
   rather than the tar parser's "unrecognized archive format".  */
static int
check_unsupported (const unsigned char *p, size_t n, husk_error_t *err)
{
  static const unsigned char xz[] = { 0xfd, '7', 'z', 'X', 'Z', 0 };

  if (n >= sizeof xz && memcmp (p, xz, sizeof xz) == 0)
    return husk_error_makex (err, ENOTSUP, "unsupported layer compression 'xz'");
  if (n >= 3 && memcmp (p, "BZh", 3) == 0)
    return husk_error_makex (err, ENOTSUP, "unsupported layer compression 'bzip2'");
  return 0;
}

static int
start_decoder (struct husk_blob_reader *r, husk_error_t *err)
{
  if (r->comp == HUSK_COMPRESSION_NONE)
    return 0;
  r->out = husk_xmalloc (HUSK_BLOB_BUFSIZE);
  if (r->comp == HUSK_COMPRESSION_GZIP)
    {
      /* 16 + 15: gzip wrapper only, largest window.  */
      if (inflateInit2 (&r->z, 16 + MAX_WBITS) != Z_OK)
        return husk_error_makex (err, ENOMEM, "gzip: cannot start the decoder");
      r->z_ready = true;
      return 0;
    }
  r->zs = ZSTD_createDStream ();
  if (r->zs == NULL)
    return husk_error_makex (err, ENOMEM, "zstd: cannot start the decoder");
  r->zs_last = 1;
  return 0;
}

struct husk_blob_reader *
husk_blob_reader_new (int fd, int tee_fd, husk_error_t *err)
{
  struct husk_blob_reader *r = husk_xzalloc (sizeof *r);

  r->fd = fd;
  r->tee_fd = tee_fd;
  r->in = husk_xmalloc (HUSK_BLOB_BUFSIZE);
  r->raw_hash = husk_sha256_new ();
  r->out_hash = husk_sha256_new ();
  while (avail (r) < 6 && !r->in_eof)
    if (fill (r, err) < 0)
      goto fail;
  if (check_unsupported (r->in, avail (r), err) < 0)
    goto fail;
  r->comp = husk_detect_compression (r->in, avail (r));
  if (start_decoder (r, err) < 0)
    goto fail;
  /* Uncompressed, the raw bytes are the output (all of it still in the
     buffer): hashing both was a second SHA-256 pass over the layer.  */
  if (r->comp == HUSK_COMPRESSION_NONE)
    {
      husk_sha256_free (r->raw_hash);
      r->raw_hash = NULL;
    }
  return r;

fail:
  husk_blob_reader_free (r);
  return NULL;
}

enum husk_compression
husk_blob_reader_compression (struct husk_blob_reader *r)
{
  return r->comp;
}

int64_t
husk_blob_reader_size (struct husk_blob_reader *r)
{
  return r->out_size;
}

int64_t
husk_blob_reader_raw_size (struct husk_blob_reader *r)
{
  return r->raw_size;
}

void
husk_blob_reader_digests (struct husk_blob_reader *r, char diff_id[72],
                          char blob_digest[72])
{
  char hex[HUSK_SHA256_HEX_LEN + 1];

  if (r->out_hash)
    {
      husk_sha256_final (r->out_hash, hex);
      r->out_hash = NULL;
      if (diff_id)
        snprintf (diff_id, 72, "sha256:%s", hex);
      if (blob_digest && r->comp == HUSK_COMPRESSION_NONE)
        snprintf (blob_digest, 72, "sha256:%s", hex);
    }
  if (r->raw_hash)
    {
      husk_sha256_final (r->raw_hash, hex);
      r->raw_hash = NULL;
      if (blob_digest)
        snprintf (blob_digest, 72, "sha256:%s", hex);
    }
}

void
husk_blob_reader_free (struct husk_blob_reader *r)
{
  if (r == NULL)
    return;
  if (r->z_ready)
    inflateEnd (&r->z);
  ZSTD_freeDStream (r->zs);
  husk_sha256_free (r->raw_hash);
  husk_sha256_free (r->out_hash);
  free (r->in);
  free (r->out);
  free (r);
}
