/* SPDX-License-Identifier: GPL-2.0-or-later */
/* SHA-256 with nettle.  Not OpenSSL's EVP: its first digest in a process
   loads the configuration and providers, 1.6-2.8 ms on these machines,
   which every `husk run` paid; nettle has no set-up (and libarchive links
   it already).  */
#include "util/digest.h"
#include "util/cleanup.h"
#include "util/strutil.h"

#include <errno.h>
#include <fcntl.h>
#include <nettle/sha2.h>
#include <string.h>
#include <unistd.h>

struct husk_sha256
{
  struct sha256_ctx ctx;
};

struct husk_sha256 *
husk_sha256_new (void)
{
  struct husk_sha256 *h = husk_xmalloc (sizeof *h);

  sha256_init (&h->ctx);
  return h;
}

void
husk_sha256_update (struct husk_sha256 *h, const void *data, size_t len)
{
  sha256_update (&h->ctx, len, data);
}

void
husk_sha256_free (struct husk_sha256 *h)
{
  free (h);
}

void
husk_sha256_final (struct husk_sha256 *h, char hex[HUSK_SHA256_HEX_LEN + 1])
{
  static const char digits[] = "0123456789abcdef";
  unsigned char md[SHA256_DIGEST_SIZE];

  sha256_digest (&h->ctx, sizeof md, md);
  for (unsigned int i = 0; i < 32; i++)
    {
      hex[2 * i] = digits[md[i] >> 4];
      hex[2 * i + 1] = digits[md[i] & 15];
    }
  hex[64] = '\0';
  husk_sha256_free (h);
}

char *
husk_digest_buf (const void *data, size_t len)
{
  struct husk_sha256 *h = husk_sha256_new ();
  char hex[HUSK_SHA256_HEX_LEN + 1];

  husk_sha256_update (h, data, len);
  husk_sha256_final (h, hex);
  return husk_asprintf ("sha256:%s", hex);
}

char *
husk_digest_file (const char *path, husk_error_t *err)
{
  cleanup_close int fd = open (path, O_RDONLY | O_CLOEXEC);
  struct husk_sha256 *h;
  char buf[1 << 16], hex[HUSK_SHA256_HEX_LEN + 1];
  ssize_t n;

  if (fd < 0)
    {
      husk_error_make (err, errno, "open '%s'", path);
      return NULL;
    }
  h = husk_sha256_new ();
  while ((n = read (fd, buf, sizeof buf)) != 0)
    {
      if (n < 0)
        {
          if (errno == EINTR)
            continue;
          husk_error_make (err, errno, "read '%s'", path);
          husk_sha256_free (h);
          return NULL;
        }
      husk_sha256_update (h, buf, n);
    }
  husk_sha256_final (h, hex);
  return husk_asprintf ("sha256:%s", hex);
}

int
husk_digest_valid (const char *d)
{
  return strncmp (d, "sha256:", 7) == 0 && husk_is_hex (d + 7, 64);
}
