/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer target for the image archive reader (image/archive_read.c):
 * manifest.json, index.json, nested indexes, manifests and image configs,
 * and the outer tar.  The reader checks every blob against its digest,
 * which a fuzzer cannot forge, so the input is a small file system in
 * which digests are filled in by the harness:
 *
 *   byte 0     the mode: 'o' an OCI layout directory, 'd' a docker-archive
 *              directory, 't' the rest is a tar (any compression) that the
 *              reader unpacks; any other byte picks one of them
 *   the rest   for 'o' and 'd', chunks separated by NUL bytes (JSON holds
 *              none).  Chunk 0 is index.json ('o') or manifest.json ('d');
 *              chunk k (1..) is written as blobs/sha256/<its SHA-256> and as
 *              the file "k".  In every chunk, "@k" (k one digit) stands for
 *              "sha256:<hex>" of chunk k, so a chunk can name the chunks
 *              after it; chunks are filled in from the last to the first.
 *
 * Besides crashes and leaks the target checks that a successful read
 * gives images whose layer lists are never NULL (ops/image.c walks them)
 * and match their diff IDs, and (through
 * -timeout) that no input makes the reader loop: tests/fuzz/corpus/archive
 * holds an index that lists the next index 30 times, five levels deep.
 * With FUZZ_ARCHIVE_VERBOSE set, it prints what each input gave, to check
 * that a new seed reads as intended.
 */
#include "image/archive.h"
#include "util/cleanup.h"
#include "util/digest.h"
#include "util/fileutil.h"
#include "util/log.h"
#include "util/strutil.h"

#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_CHUNKS 64

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

struct chunk
{
  const uint8_t *p;
  size_t len;
  char *text;   /* with "@k" filled in */
  size_t text_len;
  char *digest; /* "sha256:<hex>" of text */
};

/* Fill "@k" in c with the digest of chunk k, when known.  */
static void
fill (struct chunk *chunks, size_t n, struct chunk *c)
{
  struct husk_buf b = { 0 };

  for (size_t i = 0; i < c->len; i++)
    {
      if (c->p[i] == '@' && i + 1 < c->len && c->p[i + 1] >= '1' && c->p[i + 1] <= '9')
        {
          size_t k = (size_t) (c->p[i + 1] - '0');
          if (k < n && chunks[k].digest)
            {
              husk_buf_puts (&b, chunks[k].digest);
              i++;
              continue;
            }
        }
      husk_buf_putc (&b, (char) c->p[i]);
    }
  c->text_len = b.len;
  c->text = husk_buf_steal (&b);
  if (c->text == NULL)
    c->text = husk_xstrdup ("");
  c->digest = husk_digest_buf (c->text, c->text_len);
}

static void
put (const char *dir, const char *name, const char *text, size_t len)
{
  cleanup_free char *path = husk_asprintf ("%s/%s", dir, name);
  cleanup_close int fd = open (path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

  if (fd < 0 || husk_write_all (fd, text, len) < 0)
    abort ();
}

/* Write the chunks as a layout in dir.  */
static void
make_layout (const char *dir, char mode, const uint8_t *data, size_t size)
{
  struct chunk chunks[MAX_CHUNKS] = { { 0 } };
  size_t n = 0, start = 0;
  cleanup_free char *blobs = husk_asprintf ("%s/blobs/sha256", dir);
  cleanup_free char *b1 = husk_asprintf ("%s/blobs", dir);

  for (size_t i = 0; i <= size && n < MAX_CHUNKS; i++)
    if (i == size || data[i] == '\0')
      {
        chunks[n].p = data + start;
        chunks[n++].len = i - start;
        start = i + 1;
      }
  if (mkdir (b1, 0700) < 0 || mkdir (blobs, 0700) < 0)
    abort ();
  for (size_t k = n; k-- > 0;)
    fill (chunks, n, &chunks[k]);
  put (dir, mode == 'o' ? "index.json" : "manifest.json", chunks[0].text, chunks[0].text_len);
  if (mode == 'o')
    put (dir, "oci-layout", "{\"imageLayoutVersion\":\"1.0.0\"}", 30);
  for (size_t k = 1; k < n; k++)
    {
      cleanup_free char *name = husk_asprintf ("%zu", k);
      cleanup_free char *blob = husk_asprintf ("blobs/sha256/%s", chunks[k].digest + 7);
      put (dir, name, chunks[k].text, chunks[k].text_len);
      put (dir, blob, chunks[k].text, chunks[k].text_len);
    }
  for (size_t k = 0; k < n; k++)
    {
      free (chunks[k].text);
      free (chunks[k].digest);
    }
}

static void
check (const struct husk_archive *ar)
{
  if (ar->n_images == 0)
    abort ();
  for (size_t i = 0; i < ar->n_images; i++)
    {
      const struct husk_archive_image *im = &ar->images[i];
      if (im->config == NULL || im->config_digest == NULL || im->diff_ids == NULL
          || im->layer_paths == NULL || husk_strv_len (im->layer_paths) != husk_strv_len (im->diff_ids))
        abort ();
    }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  static const char modes[] = { 'o', 'd', 't' };
  /* tmpfs: creating files on ext4 costs most of the time of a run here */
  const char *parent = access ("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
  cleanup_free char *sandbox = husk_mkdtemp_in (parent, "husk-fuzz-archive-", NULL);
  cleanup_free char *layout = NULL, *tmp = NULL, *input = NULL;
  struct husk_archive *ar = NULL;
  husk_error_t err = NULL;
  char mode;

  husk_log_set_level (HUSK_LOG_ERROR);
  if (sandbox == NULL)
    abort ();
  mode = size == 0 ? 'o' : data[0];
  if (mode != 'o' && mode != 'd' && mode != 't')
    mode = modes[data[0] % 3];
  if (size > 0)
    {
      data++;
      size--;
    }
  layout = husk_asprintf ("%s/layout", sandbox);
  tmp = husk_asprintf ("%s/tmp", sandbox);
  input = husk_asprintf ("%s/input.tar", sandbox);
  if (mkdir (layout, 0700) < 0 || mkdir (tmp, 0700) < 0)
    abort ();
  if (mode == 't')
    put (sandbox, "input.tar", (const char *) data, size);
  else
    make_layout (layout, mode, data, size);
  if (husk_archive_open (mode == 't' ? input : layout, tmp, &ar, &err) == 0)
    {
      check (ar);
      if (getenv ("FUZZ_ARCHIVE_VERBOSE"))
        fprintf (stderr, "archive: %zu image(s), the first with %zu name(s)\n",
                 ar->n_images, husk_strv_len (ar->images[0].names));
      husk_archive_free (ar);
    }
  else if (err == NULL || err->msg == NULL)
    abort (); /* a failure always says why */
  else if (getenv ("FUZZ_ARCHIVE_VERBOSE"))
    fprintf (stderr, "archive: %s\n", err->msg);
  husk_error_release (&err);
  if (husk_rm_rf (sandbox, NULL) < 0)
    abort ();
  return 0;
}
