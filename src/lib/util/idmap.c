/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ID mappings (idmap.h).  */
#include "util/idmap.h"

#include "util/cleanup.h"
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

/* The offsets of range r that [start, start+size) on one side covers, as
   [*from, *to); false when none.  */
static bool
covered (uint32_t r_start, uint32_t r_size, uint64_t start, uint64_t size, uint64_t *from,
         uint64_t *to)
{
  uint64_t lo = start > r_start ? start - r_start : 0;
  uint64_t hi = start + size > r_start ? start + size - r_start : 0;

  if (hi > r_size)
    hi = r_size;
  if (lo >= hi)
    return false;
  *from = lo;
  *to = hi;
  return true;
}

/* Range i of m into out without the offsets of the holes [f[k], t[k]),
   sorted by f and not overlapping.  */
static void
keep_outside (struct husk_idmap *out, const struct husk_idmap *m, size_t i, const uint64_t *f,
              const uint64_t *t, size_t holes)
{
  uint64_t at = 0;

  for (size_t k = 0; k <= holes; k++)
    {
      uint64_t stop = k < holes ? f[k] : m->r[i].size;
      if (stop > at)
        husk_idmap_add (out, (uint64_t) m->r[i].inside + at, (uint64_t) m->r[i].outside + at,
                        stop - at);
      if (k < holes)
        at = t[k];
    }
}

bool
husk_idmap_break_insert (struct husk_idmap *m, uint64_t inside, uint64_t outside,
                         uint64_t size)
{
  struct husk_idmap out = { 0 };

  for (size_t i = 0; i < m->n; i++)
    {
      uint64_t f[2], t[2];
      size_t holes = 0;

      /* What the new range takes, on the container side and the host's.  */
      if (covered (m->r[i].inside, m->r[i].size, inside, size, &f[holes], &t[holes]))
        holes++;
      if (covered (m->r[i].outside, m->r[i].size, outside, size, &f[holes], &t[holes]))
        holes++;
      if (holes == 2 && f[1] < f[0])
        {
          uint64_t x = f[0], y = t[0];
          f[0] = f[1], t[0] = t[1], f[1] = x, t[1] = y;
        }
      if (holes == 2 && f[1] <= t[0])
        {
          t[0] = t[1] > t[0] ? t[1] : t[0];
          holes = 1;
        }
      keep_outside (&out, m, i, f, t, holes);
    }
  if (size > 0 && !husk_idmap_add (&out, inside, outside, size))
    return false;
  *m = out;
  return true;
}

static int
by_inside (const void *a, const void *b)
{
  const uint32_t *x = a, *y = b;

  return (*x > *y) - (*x < *y);
}

void
husk_idmap_normalize (struct husk_idmap *m)
{
  size_t k = 0;

  qsort (m->r, m->n, sizeof m->r[0], by_inside);
  for (size_t i = 0; i < m->n; i++)
    if (k > 0 && (uint64_t) m->r[k - 1].inside + m->r[k - 1].size == m->r[i].inside
        && (uint64_t) m->r[k - 1].outside + m->r[k - 1].size == m->r[i].outside)
      m->r[k - 1].size += m->r[i].size;
    else
      m->r[k++] = m->r[i];
  m->n = k;
}

/* The first of parent's IDs (its inside) at or after *next that m does not
   use as a host ID, and how many follow it free: 0 when none is left.  */
static uint64_t
next_free (const struct husk_idmap *m, const struct husk_idmap *parent, uint64_t *next)
{
  for (;;)
    {
      uint64_t best = UINT64_MAX, end = 0;
      bool moved = false;

      for (size_t p = 0; p < parent->n; p++)
        {
          uint64_t s = parent->r[p].inside, e = s + parent->r[p].size;
          if (e > *next && (s > *next ? s : *next) < best)
            best = s > *next ? s : *next, end = e;
        }
      if (best == UINT64_MAX)
        return 0;
      *next = best;
      for (size_t i = 0; i < m->n; i++)
        {
          uint64_t s = m->r[i].outside, e = s + m->r[i].size;
          if (s <= *next && *next < e)
            *next = e, moved = true;
          else if (s > *next && s < end)
            end = s;
        }
      if (!moved)
        return end - *next;
    }
}

void
husk_idmap_fill (struct husk_idmap *m, const struct husk_idmap *parent)
{
  struct husk_idmap given = *m;
  uint64_t cid = 0, hid = 0, free_n = next_free (&given, parent, &hid);

  husk_idmap_normalize (&given);
  for (size_t i = 0; i <= given.n && free_n > 0; i++)
    {
      /* The gap of container IDs before range i (after the last: all).  */
      uint64_t stop = i < given.n ? given.r[i].inside : UINT32_MAX + 1ull;
      while (cid < stop && free_n > 0)
        {
          uint64_t n = stop - cid < free_n ? stop - cid : free_n;
          if (!husk_idmap_add (m, cid, hid, n))
            return;
          cid += n;
          hid += n;
          free_n = next_free (m, parent, &hid);
        }
      if (i < given.n)
        cid = (uint64_t) given.r[i].inside + given.r[i].size;
    }
  husk_idmap_normalize (m);
}

void
husk_idmap_from_proc (struct husk_idmap *m, const char *text)
{
  m->n = 0;
  for (const char *line = text; line && *line;)
    {
      unsigned long long in, out, n;
      const char *eol = strchr (line, '\n');
      if (sscanf (line, "%llu %llu %llu", &in, &out, &n) == 3)
        husk_idmap_add (m, in, out, n);
      line = eol ? eol + 1 : NULL;
    }
}

/* "C-H-N#C-H-N..." of an idmap mount option into m; "@" before a range
   takes H as an ID of the container (through ctr).  */
static int
mount_ranges (const char *v, const struct husk_idmap *ctr, struct husk_idmap *m,
              husk_error_t *err)
{
  cleanup_strv char **r = husk_strv_split (v, '#');

  for (size_t i = 0; r[i]; i++)
    {
      const char *p = r[i] + (r[i][0] == '@');
      uint64_t c, h, n;
      uint32_t host;

      if (!parse_u32 (p, '-', &p, &c) || !parse_u32 (p, '-', &p, &h)
          || !parse_u32 (p, '\0', &p, &n) || n == 0)
        return husk_error_makex (err, EINVAL, "invalid idmap mapping \"%s\": expected "
                                 "CONTAINER-HOST-SIZE ranges separated by #", v);
      if (r[i][0] == '@')
        {
          if (!husk_idmap_to_host (ctr, (uint32_t) h, &host))
            return husk_error_makex (err, EINVAL, "could not find a user namespace mapping "
                                     "for the relative mapping \"%s\"", r[i]);
          h = host;
        }
      if (!husk_idmap_add (m, c, h, n))
        return husk_error_makex (err, EINVAL, "invalid idmap mapping \"%s\"", r[i]);
    }
  return 0;
}

int
husk_idmap_mount_option (const char *opt, const struct husk_idmap *cu,
                         const struct husk_idmap *cg, struct husk_idmap *u,
                         struct husk_idmap *g, husk_error_t *err)
{
  const char *v = strcmp (opt, "idmap") == 0 ? "true" : opt + 6;
  bool have_u = false, have_g = false;

  u->n = g->n = 0;
  if (strcmp (v, "false") == 0)
    return 0;
  if (strcmp (v, "true") != 0)
    {
      cleanup_strv char **parts = husk_strv_split (v, ';');
      for (size_t i = 0; parts[i]; i++)
        if (husk_has_prefix (parts[i], "uids=") && !have_u)
          {
            if (mount_ranges (parts[i] + 5, cu, u, err) < 0)
              return -1;
            have_u = true;
          }
        else if (husk_has_prefix (parts[i], "gids=") && !have_g)
          {
            if (mount_ranges (parts[i] + 5, cg, g, err) < 0)
              return -1;
            have_g = true;
          }
        else
          return husk_error_makex (err, EINVAL, "unknown idmap option \"%s\"", parts[i]);
    }
  if (!have_u)
    *u = *cu;
  if (!have_g)
    *g = *cg;
  return 0;
}
