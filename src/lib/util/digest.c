/* SPDX-License-Identifier: GPL-2.0-or-later */
/* SHA-256 through OpenSSL's EVP interface.  */
#include "util/digest.h"
#include "util/cleanup.h"
#include "util/strutil.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <string.h>
#include <unistd.h>

struct husk_sha256
{
  EVP_MD_CTX *ctx;
};

struct husk_sha256 *
husk_sha256_new (void)
{
  struct husk_sha256 *h = husk_xmalloc (sizeof *h);

  h->ctx = EVP_MD_CTX_new ();
  if (h->ctx == NULL || EVP_DigestInit_ex (h->ctx, EVP_sha256 (), NULL) != 1)
    abort ();
  return h;
}

void
husk_sha256_update (struct husk_sha256 *h, const void *data, size_t len)
{
  EVP_DigestUpdate (h->ctx, data, len);
}

void
husk_sha256_free (struct husk_sha256 *h)
{
  if (h == NULL)
    return;
  EVP_MD_CTX_free (h->ctx);
  free (h);
}

void
husk_sha256_final (struct husk_sha256 *h, char hex[HUSK_SHA256_HEX_LEN + 1])
{
  static const char digits[] = "0123456789abcdef";
  unsigned char md[32];
  unsigned int n = 0;

  EVP_DigestFinal_ex (h->ctx, md, &n);
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
