/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "util/hostdb.h"
#include "util/cleanup.h"
#include "util/fileutil.h"
#include "util/strutil.h"

#include <stdlib.h>
#include <string.h>

/* The n-th ':'-separated field of line [s, end), or NULL.  */
static const char *
nth_field (const char *s, const char *end, int n, size_t *len)
{
  for (; n > 0; n--)
    {
      s = memchr (s, ':', (size_t) (end - s));
      if (s == NULL)
        return NULL;
      s++;
    }
  const char *colon = memchr (s, ':', (size_t) (end - s));
  *len = (size_t) ((colon ? colon : end) - s);
  return s;
}

static bool
id_matches (const char *s, size_t len, unsigned long id)
{
  char buf[24];
  char *endp;

  if (len == 0 || len >= sizeof buf)
    return false;
  memcpy (buf, s, len);
  buf[len] = '\0';
  return strtoul (buf, &endp, 10) == id && *endp == '\0';
}

char *
husk_hostdb_field (const char *path, unsigned long id, int field)
{
  size_t n = 0, len;
  cleanup_free char *text = husk_read_file (path, &n, NULL);

  for (const char *s = text, *end; s && s < text + n; s = end + 1)
    {
      const char *id_s, *f;

      end = memchr (s, '\n', (size_t) (text + n - s));
      if (end == NULL)
        end = text + n;
      id_s = nth_field (s, end, 2, &len);
      if (id_s == NULL || !id_matches (id_s, len, id))
        continue;
      f = nth_field (s, end, field, &len);
      return f ? husk_xstrndup (f, len) : NULL;
    }
  return NULL;
}
