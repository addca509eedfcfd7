/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ID mappings (idmap.h).  */
#include "util/idmap.h"

#include "util/strutil.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool
husk_idmap_add (struct husk_idmap *m, uint64_t inside, uint64_t outside, uint64_t size)
{
  if (m->n >= HUSK_IDMAP_MAX || size == 0 || inside + size > UINT32_MAX + 1ull
      || outside + size > UINT32_MAX + 1ull)
    return false;
  m->r[m->n].inside = (uint32_t) inside;
  m->r[m->n].outside = (uint32_t) outside;
  m->r[m->n].size = (uint32_t) size;
  m->n++;
  return true;
}

static bool
parse_u32 (const char *s, char end, const char **next, uint64_t *out)
{
  char *e;
  unsigned long long v;

  if (*s < '0' || *s > '9')
    return false;
  errno = 0;
  v = strtoull (s, &e, 10);
  if (errno || *e != end || v > UINT32_MAX)
    return false;
  *out = v;
  *next = e + (end != '\0');
  return true;
}

int
husk_idmap_add_string (struct husk_idmap *m, const char *s, const char *what, husk_error_t *err)
{
  uint64_t in, out, size;
  const char *p = s;

  if (!parse_u32 (p, ':', &p, &in) || !parse_u32 (p, ':', &p, &out)
      || !parse_u32 (p, '\0', &p, &size))
    return husk_error_makex (err, EINVAL, "%s setting is malformed expected "
                             "[\"uint32:uint32:uint32\"]: [\"%s\"]", what, s);
  if (!husk_idmap_add (m, in, out, size))
    return husk_error_makex (err, EINVAL, "invalid %s mapping \"%s\"", what, s);
  return 0;
}

int
husk_idmap_from_json (struct husk_idmap *m, json_t *a, husk_error_t *err)
{
  size_t i;
  json_t *v;

  m->n = 0;
  json_array_foreach (a, i, v)
    if (!json_is_string (v) || husk_idmap_add_string (m, json_string_value (v), "ID", err) < 0)
      return husk_error_makex (err, EINVAL, "invalid ID mapping in the container configuration");
  return 0;
}

json_t *
husk_idmap_to_json (const struct husk_idmap *m)
{
  json_t *a = json_array ();

  for (size_t i = 0; i < m->n; i++)
    json_array_append_new (a, json_sprintf ("%u:%u:%u", m->r[i].inside, m->r[i].outside,
                                            m->r[i].size));
  return a;
}

static bool
ranges_meet (uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
  return a < b + blen && b < a + alen;
}

bool
husk_idmap_overlaps (const struct husk_idmap *m)
{
  for (size_t i = 0; i < m->n; i++)
    for (size_t k = i + 1; k < m->n; k++)
      if (ranges_meet (m->r[i].inside, m->r[i].size, m->r[k].inside, m->r[k].size)
          || ranges_meet (m->r[i].outside, m->r[i].size, m->r[k].outside, m->r[k].size))
        return true;
  return false;
}

bool
husk_idmap_to_host (const struct husk_idmap *m, uint32_t id, uint32_t *out)
{
  for (size_t i = 0; i < m->n; i++)
    if (id >= m->r[i].inside && id - m->r[i].inside < m->r[i].size)
      {
        *out = m->r[i].outside + (id - m->r[i].inside);
        return true;
      }
  return false;
}

bool
husk_idmap_to_container (const struct husk_idmap *m, uint32_t id, uint32_t *out)
{
  for (size_t i = 0; i < m->n; i++)
    if (id >= m->r[i].outside && id - m->r[i].outside < m->r[i].size)
      {
        *out = m->r[i].inside + (id - m->r[i].outside);
        return true;
      }
  return false;
}
