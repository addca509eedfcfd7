/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * --userns and the ID mapping flags (idmaps.h).  Only called when one of
 * them is given: the default container has no user namespace of its own
 * and pays nothing here.
 */
#include "container/idmaps.h"

#include "engine/engine.h"
#include "runtime/driver.h"
#include "runtime/runtime.h"
#include "config/config.h"
#include "state/containers.h"
#include "userns/userns.h"
#include "util/cleanup.h"
#include "util/fileutil.h"
#include "util/hostdb.h"
#include "util/strutil.h"

#include <errno.h>
#include <sched.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define AUTO_MIN_SIZE 1024
#define AUTO_MAX_SIZE 65536
#define MAX_SUBID_RANGES 32

static const char *
str (json_t *o, const char *key)
{
  return json_string_value (json_object_get (o, key));
}

/* How many IDs the namespace husk runs in has (rootless: 0 is the user,
   1.. the subordinate ranges), from /proc/self/uid_map or gid_map.  */
static uint32_t
ns_size (const char *map)
{
  cleanup_free char *text = husk_read_file (map, NULL, NULL);
  unsigned long long top = 0;

  for (char *line = text; line && *line;)
    {
      unsigned long long in, out, n;
      char *eol = strchr (line, '\n');
      if (sscanf (line, "%llu %llu %llu", &in, &out, &n) == 3 && in + n > top)
        top = in + n;
      line = eol ? eol + 1 : NULL;
    }
  return top > UINT32_MAX ? UINT32_MAX : (uint32_t) top;
}

/* A storage.conf option of --userns=auto ("userns.KEY=VALUE").  */
static const char *
auto_option (struct husk_engine *e, const char *key)
{
  size_t n = strlen (key);

  for (size_t i = 0; e->config->storage_options && e->config->storage_options[i]; i++)
    {
      const char *o = e->config->storage_options[i];
      if (husk_has_prefix (o, "userns.") && strncmp (o + 7, key, n) == 0 && o[7 + n] == '=')
        return o + 8 + n;
    }
  return NULL;
}

static int
parse_num (const char *v, const char *what, uint32_t *out, husk_error_t *err)
{
  char *end;
  unsigned long long n;

  errno = 0;
  n = strtoull (v, &end, 10);
  if (*v < '0' || *v > '9' || *end || errno || n > UINT32_MAX)
    return husk_error_makex (err, EINVAL, "invalid %s \"%s\"", what, v);
  *out = (uint32_t) n;
  return 0;
}

/* ---- --uidmap, --gidmap, --subuidname, --subgidname ---------------------- */

static int
from_subids (const char *file, const char *name, struct husk_idmap *m, husk_error_t *err)
{
  struct husk_id_range r[MAX_SUBID_RANGES];
  size_t n = husk_userns_subids (file, name, (uid_t) -1, r, MAX_SUBID_RANGES);

  if (n == 0)
    return husk_error_makex (err, ENOENT, "no %s ranges found for user \"%s\" in %s",
                             strstr (file, "uid") ? "subuid" : "subgid", name, file);
  /* Container IDs from 0, one range after another.  */
  for (size_t i = 0; i < n; i++)
    if (!husk_idmap_add (m, r[i].inside - 1, r[i].outside, r[i].size))
      return husk_error_makex (err, EINVAL, "too many ranges for user \"%s\" in %s", name, file);
  return 0;
}

/* The maps of the namespace husk runs in (rootless: 0 the user, 1.. the
   subordinate IDs; root: the host's), for "@" and filling gaps.  */
static void
parent_maps (struct husk_idmap *u, struct husk_idmap *g)
{
  cleanup_free char *ut = husk_read_file ("/proc/self/uid_map", NULL, NULL);
  cleanup_free char *gt = husk_read_file ("/proc/self/gid_map", NULL, NULL);

  husk_idmap_from_proc (u, ut);
  husk_idmap_from_proc (g, gt);
}

static bool
parse_id (const char *s, uint64_t *out)
{
  char *end;

  if (*s < '0' || *s > '9')
    return false;
  errno = 0;
  *out = strtoull (s, &end, 10);
  return *end == '\0' && errno == 0 && *out <= UINT32_MAX;
}

/* "C:[@]H:N" (parts[0..2], flags already taken off C) as ranges in out:
   with "@", H is an ID of husk's parent namespace, found in parent one ID
   at a time (Podman 5).  */
static int
triple (char **parts, const char *what, const struct husk_idmap *parent,
        struct husk_idmap *out, husk_error_t *err)
{
  bool at = parts[1][0] == '@';
  uint64_t c, h, n;

  if (!parse_id (parts[0], &c) || !parse_id (parts[1] + at, &h) || !parse_id (parts[2], &n))
    return 1;
  if (!at)
    return husk_idmap_add (out, c, h, n) || n == 0 ? 0 : husk_error_makex (err, EINVAL,
                                                           "invalid %s mapping %s:%s:%s",
                                                           what, parts[0], parts[1], parts[2]);
  for (uint64_t i = 0; i < n; i++)
    {
      uint32_t mid;
      size_t last = out->n - 1;
      if (h + i > UINT32_MAX || !husk_idmap_to_container (parent, (uint32_t) (h + i), &mid))
        return husk_error_makex (err, EINVAL, "parent ID %s %llu is not mapped/delegated",
                                 what, (unsigned long long) (h + i));
      if (out->n > 0 && (uint64_t) out->r[last].inside + out->r[last].size == c + i
          && (uint64_t) out->r[last].outside + out->r[last].size == mid)
        out->r[last].size++;
      else if (!husk_idmap_add (out, c + i, mid, 1))
        return husk_error_makex (err, EINVAL, "too many %s mapping ranges", what);
    }
  return 0;
}

static int
malformed (const char *what, const char *s, bool flags, husk_error_t *err)
{
  return husk_error_makex (err, EINVAL, "initializing ID mappings: %s setting is malformed "
                           "expected [\"%suint32:[@]uint32[:uint32]\"] : [\"%s\"]", what,
                           flags ? "[+ug]" : "", s);
}

/* One --uidmap or --gidmap value into m, as Podman 5 reads it: triples
   "[+ug]C:[@]H[:N]" (N is 1 when left out).  "u" and "g" keep it to one of
   the maps, "+" breaks what m maps already to make room; *fill is set
   when a "+" range comes first, rootless: the gaps are then filled.  */
static int
flex_add (struct husk_idmap *m, const char *spec, bool uid, const struct husk_idmap *parent,
          bool rootless, bool *fill, husk_error_t *err)
{
  const char *what = uid ? "UID" : "GID";
  cleanup_strv char **parts = husk_strv_split (spec, ':');
  size_t n = husk_strv_len (parts);

  if (*spec == '\0')
    return 0;
  if (n == 2)
    {
      parts = husk_xrealloc (parts, 4 * sizeof *parts);
      parts[2] = husk_xstrdup ("1");
      parts[3] = NULL;
      n = 3;
    }
  if (n == 0 || n % 3 != 0)
    return malformed (what, spec, true, err);
  for (size_t i = 0; i < n; i += 3)
    {
      size_t skip = strspn (parts[i], "+ug");
      bool plus = memchr (parts[i], '+', skip), only_u = memchr (parts[i], 'u', skip);
      bool only_g = memchr (parts[i], 'g', skip);
      struct husk_idmap r = { 0 };
      int rc;

      if (parts[i][skip] < '0' || parts[i][skip] > '9')
        return parts[i][skip] ? husk_error_makex (err, EINVAL, "invalid mapping: \"%s\": "
                                                  "unknown flag \"%c\"", spec, parts[i][skip])
                              : malformed (what, spec, true, err);
      if ((only_u || only_g) && (uid ? !only_u : !only_g))
        continue;
      memmove (parts[i], parts[i] + skip, strlen (parts[i] + skip) + 1);
      if ((rc = triple (parts + i, what, parent, &r, err)) != 0)
        return rc < 0 ? -1 : malformed (what, spec, true, err);
      for (size_t k = 0; k < r.n; k++)
        {
          bool ok;
          if (plus && m->n == 0 && rootless)
            *fill = true;
          ok = plus ? husk_idmap_break_insert (m, r.r[k].inside, r.r[k].outside, r.r[k].size)
                    : husk_idmap_add (m, r.r[k].inside, r.r[k].outside, r.r[k].size);
          if (!ok)
            return husk_error_makex (err, EINVAL, "too many %s mapping ranges", what);
        }
    }
  return 0;
}

static int
map_strings (json_t *a, bool uid, const struct husk_idmap *parent, bool rootless,
             struct husk_idmap *m, husk_error_t *err)
{
  bool fill = false;
  size_t i;
  json_t *v;

  json_array_foreach (a, i, v)
    if (flex_add (m, json_string_value (v) ?: "", uid, parent, rootless, &fill, err) < 0)
      return -1;
  if (fill)
    husk_idmap_fill (m, parent);
  if (m->n > 0)
    husk_idmap_normalize (m);
  return 0;
}

static int
explicit_maps (json_t *req, bool rootless, struct husk_idmap *u, struct husk_idmap *g,
               husk_error_t *err)
{
  const char *su = str (req, "subuidname"), *sg = str (req, "subgidname");

  if ((su || sg) && rootless)
    return husk_error_makex (err, ENOTSUP, "--subuidname and --subgidname need root: "
                             "rootless, use --uidmap and --gidmap with IDs of your user "
                             "namespace");
  struct husk_idmap pu = { 0 }, pg = { 0 };
  json_t *um = json_object_get (req, "uidmap"), *gm = json_object_get (req, "gidmap");

  parent_maps (&pu, &pg);
  /* As in Podman, the values of one of the two flags stand for both ("u"
     and "g" ranges stay on their side).  */
  if (json_array_size (um) == 0)
    um = gm;
  if (json_array_size (gm) == 0)
    gm = um;
  if (map_strings (um, true, &pu, rootless, u, err) < 0
      || map_strings (gm, false, &pg, rootless, g, err) < 0)
    return -1;
  /* Rootless, a map left empty gets all of the user's IDs (Podman).  */
  if (rootless && u->n == 0 && g->n > 0)
    husk_idmap_fill (u, &pu);
  if (rootless && g->n == 0 && u->n > 0)
    husk_idmap_fill (g, &pg);
  if ((su && from_subids ("/etc/subuid", su, u, err) < 0)
      || (sg || su ? from_subids ("/etc/subgid", sg ? sg : su, g, err) : 0) < 0)
    return -1;
  if (u->n == 0 && json_array_size (um) == 0)
    *u = *g;
  if (g->n == 0 && json_array_size (gm) == 0)
    *g = *u;
  return 0;
}

/* ---- keep-id and nomap --------------------------------------------------- */

/* Container ID id is the user (0 in husk's namespace); the others of the
   namespace's IDs 1..n-1 fill the container's IDs around it.  */
static void
keep_map (struct husk_idmap *m, uint32_t id, uint32_t n)
{
  uint32_t below = n - 1 < id ? n - 1 : id;

  if (below)
    husk_idmap_add (m, 0, 1, below);
  husk_idmap_add (m, id, 0, 1);
  if (n - 1 > id)
    husk_idmap_add (m, (uint64_t) id + 1, (uint64_t) id + 1, n - 1 - id);
}

static int
keep_id (const char *mode, json_t *req, json_t *c, struct husk_idmap *u, struct husk_idmap *g,
         husk_error_t *err)
{
  uint32_t uid = husk_userns_host_uid (), gid = uid;
  cleanup_free char *name = husk_hostdb_field ("/etc/passwd", uid, 0);
  cleanup_free char *pgid = husk_hostdb_field ("/etc/passwd", uid, 3);
  bool named = true;

  if (pgid && parse_num (pgid, "gid", &gid, NULL) < 0)
    gid = uid;

  if (mode[7] == ':')
    {
      cleanup_strv char **opts = husk_strv_split (mode + 8, ',');
      for (size_t i = 0; opts[i]; i++)
        {
          if (husk_has_prefix (opts[i], "uid="))
            {
              if (parse_num (opts[i] + 4, "keep-id uid", &uid, err) < 0)
                return -1;
              named = false;
            }
          else if (husk_has_prefix (opts[i], "gid="))
            {
              if (parse_num (opts[i] + 4, "keep-id gid", &gid, err) < 0)
                return -1;
              named = false;
            }
          else
            return husk_error_makex (err, EINVAL, "unknown option specified: \"%s\"", opts[i]);
        }
    }
  keep_map (u, uid, ns_size ("/proc/self/uid_map"));
  keep_map (g, gid, ns_size ("/proc/self/gid_map"));
  /* The process runs as the user, who has a passwd entry of its own name
     (Podman).  */
  if (str (req, "user") == NULL)
    json_object_set_new (c, "user", json_sprintf ("%u:%u", uid, gid));
  if (named && name && *name && str (req, "passwd_entry") == NULL
      && strpbrk (name, ":$\n") == NULL)
    json_object_set_new (c, "passwd_entry",
                         json_sprintf ("%s:*:$UID:$GID::$HOME:/bin/sh", name));
  if (named && str (req, "group_entry") == NULL)
    {
      cleanup_free char *group = husk_hostdb_field ("/etc/group", gid, 0);
      if (group && *group && strpbrk (group, ":$\n") == NULL)
        json_object_set_new (c, "group_entry", json_sprintf ("%s:x:$GID:$USERLIST", group));
    }
  return 0;
}

static int
nomap (struct husk_idmap *u, struct husk_idmap *g, husk_error_t *err)
{
  uint32_t nu = ns_size ("/proc/self/uid_map"), ng = ns_size ("/proc/self/gid_map");

  if (nu < 2 || ng < 2)
    return husk_error_makex (err, EINVAL, "nomap needs subordinate IDs: your user has no "
                             "ranges in /etc/subuid and /etc/subgid");
  husk_idmap_add (u, 0, 1, nu - 1);
  husk_idmap_add (g, 0, 1, ng - 1);
  return 0;
}

/* ---- auto ---------------------------------------------------------------- */

/* The host ranges other containers' --userns=auto took.  */
static int
auto_used (struct husk_engine *e, struct husk_idmap *u, struct husk_idmap *g,
           husk_error_t *err)
{
  struct husk_container_rec *recs = NULL;
  size_t n = 0;

  if (husk_state_container_list (e->state, &recs, &n, err) < 0)
    return -1;
  for (size_t i = 0; i < n; i++)
    {
      cleanup_json json_t *cfg = json_loads (recs[i].config, 0, NULL);
      json_t *ns = json_object_get (cfg, "userns");
      const char *mode = str (ns, "mode");
      struct husk_idmap cu = { 0 }, cg = { 0 };

      if (mode == NULL || !husk_has_prefix (mode, "auto") || !husk_container_idmaps (cfg, &cu, &cg))
        continue;
      for (size_t k = 0; k < cu.n; k++)
        husk_idmap_add (u, cu.r[k].outside, cu.r[k].outside, cu.r[k].size);
      for (size_t k = 0; k < cg.n; k++)
        husk_idmap_add (g, cg.r[k].outside, cg.r[k].outside, cg.r[k].size);
    }
  husk_container_rec_array_free (recs, n);
  return 0;
}

/* The first size IDs of the pool that no used range touches.  */
static bool
auto_pick (const struct husk_idmap *pool, const struct husk_idmap *used, uint32_t size,
           struct husk_idmap *out)
{
  for (size_t p = 0; p < pool->n; p++)
    {
      uint64_t start = pool->r[p].outside, end = start + pool->r[p].size;
      bool moved = true;

      while (moved && start + size <= end)
        {
          moved = false;
          for (size_t k = 0; k < used->n; k++)
            {
              uint64_t us = used->r[k].outside, ue = us + used->r[k].size;
              if (start < ue && us < start + size)
                {
                  start = ue;
                  moved = true;
                }
            }
        }
      if (start + size <= end)
        return husk_idmap_add (out, 0, start, size);
    }
  return false;
}

static int
auto_pool (struct husk_engine *e, bool rootless, const char *file, const char *map,
           struct husk_idmap *pool, husk_error_t *err)
{
  const char *user = auto_option (e, "root-auto-userns-user") ?: "containers";
  struct husk_id_range r[MAX_SUBID_RANGES];
  size_t n;

  if (rootless)
    {
      /* The user's own ID (0 here) stays out, as in Podman.  */
      uint32_t top = ns_size (map);
      if (top > 1)
        husk_idmap_add (pool, 1, 1, top - 1);
      return 0;
    }
  n = husk_userns_subids (file, user, (uid_t) -1, r, MAX_SUBID_RANGES);
  if (n == 0)
    return husk_error_makex (err, ENOENT, "cannot find mappings for user \"%s\": no %s ranges "
                             "found for user \"%s\" in %s", user,
                             strstr (file, "uid") ? "subuid" : "subgid", user, file);
  for (size_t i = 0; i < n; i++)
    husk_idmap_add (pool, r[i].outside, r[i].outside, r[i].size);
  return 0;
}

static int
auto_lock (struct husk_engine *e, int *lock_fd, husk_error_t *err)
{
  cleanup_free char *path = husk_asprintf ("%s/userns-auto.lock", e->root);

  *lock_fd = open (path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (*lock_fd < 0)
    return husk_error_make (err, errno, "open '%s'", path);
  if (flock (*lock_fd, LOCK_EX) < 0)
    return husk_error_make (err, errno, "lock '%s'", path);
  return 0;
}

/* "uidmapping=C:[@]H[:N]" of --userns=auto into m (Podman 5).  */
static int
auto_extra (const char *v, bool uid, struct husk_idmap *m, husk_error_t *err)
{
  struct husk_idmap pu = { 0 }, pg = { 0 };
  cleanup_strv char **parts = husk_strv_split (v, ':');
  size_t n = husk_strv_len (parts);
  int rc;

  if (n == 2)
    {
      parts = husk_xrealloc (parts, 4 * sizeof *parts);
      parts[2] = husk_xstrdup ("1");
      parts[3] = NULL;
      n = 3;
    }
  parent_maps (&pu, &pg);
  if (n != 3 || (rc = triple (parts, uid ? "UID" : "GID", uid ? &pu : &pg, m, err)) > 0)
    return malformed (uid ? "UID" : "GID", v, false, err);
  return rc;
}

/* Container IDs 0..size-1 that extra leaves free, one range after the
   other, from host ID host on (out NULL: just count them).  */
static uint64_t
auto_zip (struct husk_idmap *out, uint64_t size, const struct husk_idmap *extra, uint64_t host)
{
  uint64_t c = 0, count = 0;

  while (c < size)
    {
      uint64_t stop = size;
      bool taken = false;

      for (size_t k = 0; k < extra->n && !taken; k++)
        if (extra->r[k].inside <= c && c < (uint64_t) extra->r[k].inside + extra->r[k].size)
          c = (uint64_t) extra->r[k].inside + extra->r[k].size, taken = true;
        else if (extra->r[k].inside > c && extra->r[k].inside < stop)
          stop = extra->r[k].inside;
      if (taken)
        continue;
      if (out)
        husk_idmap_add (out, c, host + count, stop - c);
      count += stop - c;
      c = stop;
    }
  return count;
}

/* Pick size IDs for one side: a free block of the pool for the container
   IDs the extra ranges leave, then the extra ranges themselves.  */
static bool
auto_side (const struct husk_idmap *pool, struct husk_idmap *used, uint32_t size,
           const struct husk_idmap *extra, struct husk_idmap *out)
{
  struct husk_idmap block = { 0 };
  uint64_t count;

  for (size_t k = 0; k < extra->n; k++)
    husk_idmap_add (used, extra->r[k].outside, extra->r[k].outside, extra->r[k].size);
  count = auto_zip (NULL, size, extra, 0);
  if (count > 0 && !auto_pick (pool, used, (uint32_t) count, &block))
    return false;
  if (count > 0)
    auto_zip (out, size, extra, block.r[0].outside);
  for (size_t k = 0; k < extra->n; k++)
    husk_idmap_add (out, extra->r[k].inside, extra->r[k].outside, extra->r[k].size);
  husk_idmap_normalize (out);
  return true;
}

/* How many IDs the image needs (idmaps.h), within storage.conf's
   auto-userns-min-size and auto-userns-max-size.  */
static int
auto_size (struct husk_engine *e, const char *image_chain, uint32_t *size, husk_error_t *err)
{
  const char *min = auto_option (e, "auto-userns-min-size");
  const char *max = auto_option (e, "auto-userns-max-size");
  uint32_t lo = AUTO_MIN_SIZE, hi = AUTO_MAX_SIZE, need = 0;

  if ((min && parse_num (min, "auto-userns-min-size", &lo, err) < 0)
      || (max && parse_num (max, "auto-userns-max-size", &hi, err) < 0))
    return -1;
  if (image_chain && *image_chain
      && husk_container_image_id_span (e, image_chain, &need, err) < 0)
    return husk_error_wrap (err, "size the user namespace of --userns=auto");
  *size = need > lo ? need : lo;
  if (hi > 0 && *size > hi)
    return husk_error_makex (err, EINVAL, "the container needs a user namespace with size %u "
                             "that is bigger than the maximum value allowed with userns=auto "
                             "%u", *size, hi);
  return 0;
}

static int
auto_maps (struct husk_engine *e, const char *mode, const char *image_chain, bool rootless,
           struct husk_idmap *u, struct husk_idmap *g, int *lock_fd, husk_error_t *err)
{
  struct husk_idmap upool = { 0 }, gpool = { 0 }, uused = { 0 }, gused = { 0 };
  struct husk_idmap uextra = { 0 }, gextra = { 0 };
  uint32_t size = 0;
  bool sized = false;

  if (mode[4] == ':')
    {
      cleanup_strv char **opts = husk_strv_split (mode + 5, ',');
      for (size_t i = 0; opts[i]; i++)
        if (husk_has_prefix (opts[i], "size="))
          {
            if (parse_num (opts[i] + 5, "auto size", &size, err) < 0)
              return -1;
            sized = true;
          }
        else if (husk_has_prefix (opts[i], "uidmapping="))
          {
            if (auto_extra (opts[i] + 11, true, &uextra, err) < 0)
              return -1;
          }
        else if (husk_has_prefix (opts[i], "gidmapping="))
          {
            if (auto_extra (opts[i] + 11, false, &gextra, err) < 0)
              return -1;
          }
        else
          return husk_error_makex (err, EINVAL, "invalid option \"%s\" for auto user "
                                   "namespace", opts[i]);
    }
  if (sized && size == 0)
    return husk_error_makex (err, EINVAL, "invalid auto size 0");
  if (!sized && auto_size (e, image_chain, &size, err) < 0)
    return -1;
  if (auto_pool (e, rootless, "/etc/subuid", "/proc/self/uid_map", &upool, err) < 0
      || auto_pool (e, rootless, "/etc/subgid", "/proc/self/gid_map", &gpool, err) < 0
      || auto_lock (e, lock_fd, err) < 0 || auto_used (e, &uused, &gused, err) < 0)
    return -1;
  if (!auto_side (&upool, &uused, size, &uextra, u)
      || !auto_side (&gpool, &gused, size, &gextra, g))
    return husk_error_makex (err, ENOSPC, "could not find enough available IDs");
  return 0;
}

/* ---- the flags together -------------------------------------------------- */

static int
check_maps (const struct husk_idmap *u, const struct husk_idmap *g, bool rootless,
            husk_error_t *err)
{
  uint32_t nu = rootless ? ns_size ("/proc/self/uid_map") : UINT32_MAX;
  uint32_t ng = rootless ? ns_size ("/proc/self/gid_map") : UINT32_MAX;

  if (u->n == 0 || g->n == 0)
    return husk_error_makex (err, EINVAL, "must provide at least one UID or GID mapping to "
                             "configure a user namespace");
  if (husk_idmap_overlaps (u) || husk_idmap_overlaps (g))
    return husk_error_makex (err, EINVAL, "the UID or GID mappings overlap: each ID may "
                             "appear once on each side");
  for (size_t i = 0; rootless && i < u->n; i++)
    if ((uint64_t) u->r[i].outside + u->r[i].size > nu)
      return husk_error_makex (err, EINVAL, "UID mapping %u:%u:%u is outside the %u IDs of "
                               "your user namespace (rootless, host IDs are IDs of that "
                               "namespace: 0 is you, 1..%u your subordinate IDs)",
                               u->r[i].inside, u->r[i].outside, u->r[i].size, nu, nu - 1);
  for (size_t i = 0; rootless && i < g->n; i++)
    if ((uint64_t) g->r[i].outside + g->r[i].size > ng)
      return husk_error_makex (err, EINVAL, "GID mapping %u:%u:%u is outside the %u IDs of "
                               "your user namespace", g->r[i].inside, g->r[i].outside,
                               g->r[i].size, ng);
  return 0;
}

/* The maps of the user namespace at path, as seen from inside it (its
   own maps to its parent): a child joins it and reads them, since setns()
   into a user namespace wants a single-threaded process.  */
static int
ns_maps (const char *path, struct husk_idmap *u, struct husk_idmap *g, husk_error_t *err)
{
  cleanup_close int fd = open (path, O_RDONLY | O_CLOEXEC);
  int pfd[2], status;
  char buf[8192];
  size_t len = 0;
  ssize_t n;
  pid_t pid;

  if (fd < 0)
    return husk_error_make (err, errno, "cannot open user namespace '%s'", path);
  if (pipe2 (pfd, O_CLOEXEC) < 0)
    return husk_error_make (err, errno, "pipe");
  if ((pid = fork ()) < 0)
    return close (pfd[0]), close (pfd[1]), husk_error_make (err, errno, "fork");
  if (pid == 0)
    {
      static const char *const files[] = { "/proc/self/uid_map", "/proc/self/gid_map" };
      if (setns (fd, CLONE_NEWUSER) < 0)
        _exit (1);
      for (int k = 0; k < 2; k++)
        {
          char *text = husk_read_file (files[k], NULL, NULL);
          if (text == NULL || husk_write_all (pfd[1], text, strlen (text)) < 0
              || husk_write_all (pfd[1], "-\n", 2) < 0)
            _exit (1);
        }
      _exit (0);
    }
  close (pfd[1]);
  while (len < sizeof buf - 1 && (n = read (pfd[0], buf + len, sizeof buf - 1 - len)) > 0)
    len += (size_t) n;
  buf[len] = '\0';
  close (pfd[0]);
  while (waitpid (pid, &status, 0) < 0 && errno == EINTR)
    ;
  if (!WIFEXITED (status) || WEXITSTATUS (status) != 0)
    return husk_error_makex (err, EPERM, "cannot join user namespace '%s' to read its maps",
                             path);
  {
    struct husk_idmap *m = u;
    for (char *line = buf, *eol; line && *line; line = eol ? eol + 1 : NULL)
      {
        unsigned long long in, out, size;
        eol = strchr (line, '\n');
        if (line[0] == '-')
          m = g;
        else if (sscanf (line, "%llu %llu %llu", &in, &out, &size) == 3)
          husk_idmap_add (m, in, out, size);
      }
  }
  return 0;
}

static int
userns_path (const char *mode, json_t *c, husk_error_t *err)
{
  struct husk_idmap u = { 0 }, g = { 0 };
  struct stat st;

  if (mode[3] != '/')
    return husk_error_makex (err, EINVAL, "invalid --userns \"%s\": the path must be absolute",
                             mode);
  if (lstat (mode + 3, &st) < 0)
    return husk_error_make (err, errno, "cannot find specified user namespace path: stat %s",
                            mode + 3);
  /* Its maps own the container's files as they do with a map of its own. */
  if (ns_maps (mode + 3, &u, &g, err) < 0)
    return -1;
  json_object_set_new (c, "userns", json_pack ("{s:s, s:o, s:o}", "mode", mode, "uid_map",
                                               husk_idmap_to_json (&u), "gid_map",
                                               husk_idmap_to_json (&g)));
  return 0;
}

int
husk_container_userns_build (struct husk_engine *e, json_t *req, json_t *c,
                             const char *image_chain, int *lock_fd, husk_error_t *err)
{
  const char *mode = str (req, "userns");
  bool maps = json_array_size (json_object_get (req, "uidmap"))
              || json_array_size (json_object_get (req, "gidmap")) || str (req, "subuidname")
              || str (req, "subgidname");
  bool rootless = husk_userns_rootless ();
  struct husk_idmap u = { 0 }, g = { 0 };
  int r;

  *lock_fd = -1;
  /* A pod's member joins the infra's namespace (pod/pod.h): its maps, so
     that the layer is owned as the infra's, and "container:ID".  */
  if (json_is_object (json_object_get (req, "userns_from")))
    {
      json_object_set_new (c, "userns", json_deep_copy (json_object_get (req, "userns_from")));
      return 0;
    }
  if (mode == NULL && !maps)
    return 0;
  if (mode && maps)
    return husk_error_makex (err, EINVAL, "--userns and --uidmap/--gidmap/--subuidname/"
                             "--subgidname are mutually exclusive");
  if (maps)
    {
      r = explicit_maps (req, rootless, &u, &g, err);
      mode = "private";
    }
  else if (*mode == '\0' || strcmp (mode, "host") == 0)
    return 0;
  else if (husk_has_prefix (mode, "ns:"))
    return userns_path (mode, c, err);
  else if (strcmp (mode, "keep-id") == 0 || husk_has_prefix (mode, "keep-id:"))
    r = rootless ? keep_id (mode, req, c, &u, &g, err)
                 : husk_error_makex (err, EINVAL, "keep-id is only supported in rootless mode");
  else if (strcmp (mode, "nomap") == 0)
    r = rootless ? nomap (&u, &g, err)
                 : husk_error_makex (err, EINVAL, "nomap is only supported in rootless mode");
  else if (strcmp (mode, "auto") == 0 || husk_has_prefix (mode, "auto:"))
    r = auto_maps (e, mode, image_chain, rootless, &u, &g, lock_fd, err);
  else if (strcmp (mode, "private") == 0)
    r = husk_error_makex (err, EINVAL, "must provide at least one UID or GID mapping to "
                          "configure a user namespace");
  else
    r = husk_error_makex (err, EINVAL, "unrecognized namespace mode %s passed", mode);
  if (r < 0 || check_maps (&u, &g, rootless, err) < 0)
    return -1;
  json_object_set_new (c, "userns", json_pack ("{s:s, s:o, s:o}", "mode", mode, "uid_map",
                                               husk_idmap_to_json (&u), "gid_map",
                                               husk_idmap_to_json (&g)));
  return 0;
}

bool
husk_container_idmaps (json_t *ccfg, struct husk_idmap *uids, struct husk_idmap *gids)
{
  json_t *ns = json_object_get (ccfg, "userns");

  if (json_object_get (ns, "uid_map") == NULL)
    return false;
  return husk_idmap_from_json (uids, json_object_get (ns, "uid_map"), NULL) == 0
         && husk_idmap_from_json (gids, json_object_get (ns, "gid_map"), NULL) == 0
         && uids->n > 0 && gids->n > 0;
}

/* ---- idmapped mounts ----------------------------------------------------- */

/* Whether the runtime can give a mount an ID mapping: what its "features"
   say (runc 1.1 lists no "idmap" and would ignore the mapping); a runtime
   without "features" is trusted when it is crun, which has had them since
   long before it had that verb.  */
static bool
runtime_idmaps (struct husk_engine *e, const char *path)
{
  cleanup (husk_runtime_free) struct husk_runtime *rt = husk_runtime_open (path, e->runroot,
                                                                          NULL);
  cleanup_strv char **argv = rt ? husk_runtime_argv (rt, "features", NULL) : NULL;
  cleanup_free char *out = NULL;
  cleanup_json json_t *f = NULL;
  husk_error_t ignored = NULL;
  json_t *v;
  size_t i;

  if (rt == NULL)
    return false;
  if (husk_runtime_run (rt, argv, &out, &ignored) < 0)
    {
      husk_error_release (&ignored);
      return husk_has_prefix (rt->name, "crun");
    }
  f = json_loads (out ? out : "", 0, NULL);
  json_array_foreach (json_object_get (f, "mountOptions"), i, v)
    if (json_string_value (v) && strcmp (json_string_value (v), "idmap") == 0)
      return true;
  v = json_object_get (json_object_get (json_object_get (f, "linux"), "mountExtensions"),
                       "idmap");
  return json_is_true (json_object_get (v, "enabled"));
}

/* The mount's idmap option (NULL: none), its index in *at.  */
static const char *
idmap_option (json_t *m, size_t *at, husk_error_t *err)
{
  const char *found = NULL;
  size_t i;
  json_t *v;

  json_array_foreach (json_object_get (m, "options"), i, v)
    {
      const char *o = json_string_value (v);
      if (o == NULL || (strcmp (o, "idmap") && !husk_has_prefix (o, "idmap=")))
        continue;
      if (found)
        return husk_error_makex (err, EINVAL, "the 'idmap' option can only be set once"),
               NULL;
      found = o;
      *at = i;
    }
  return found;
}

int
husk_container_idmap_mounts (struct husk_engine *e, json_t *c, husk_error_t *err)
{
  struct husk_idmap cu = { 0 }, cg = { 0 };
  bool checked = false;
  size_t i;
  json_t *m;

  if (!husk_container_idmaps (c, &cu, &cg))
    cu.n = cg.n = 0;
  json_array_foreach (json_object_get (c, "mounts"), i, m)
    {
      const char *type = str (m, "type"), *dst = str (m, "destination");
      struct husk_idmap u, g;
      husk_error_t perr = NULL;
      size_t at = 0;
      const char *opt = idmap_option (m, &at, &perr);

      if (perr)
        return *err = perr, husk_error_wrap (err, "invalid mount '%s'", dst ? dst : "");
      if (opt == NULL)
        continue;
      if (strcmp (type, "bind") && strcmp (type, "volume"))
        return husk_error_makex (err, EINVAL, "invalid mount '%s': idmap is supported for "
                                 "bind and volume mounts only", dst);
      if (husk_idmap_mount_option (opt, &cu, &cg, &u, &g, err) < 0)
        return husk_error_wrap (err, "invalid mount '%s'", dst);
      /* No maps: the container sees the host's IDs anyway (Podman).  */
      if (u.n == 0 && g.n == 0)
        {
          json_array_remove (json_object_get (m, "options"), at);
          continue;
        }
      if (u.n == 0 || g.n == 0)
        return husk_error_makex (err, EINVAL, "invalid mount '%s': without a user namespace "
                                 "of the container's own, idmap needs both uids= and gids=",
                                 dst);
      if (husk_userns_rootless ())
        return husk_error_makex (err, ENOTSUP, "invalid mount '%s': idmapped mounts are not "
                                 "possible rootless: the kernel allows them only to a process "
                                 "with CAP_SYS_ADMIN in the initial user namespace (root); use "
                                 "--userns=keep-id, or U to chown the source", dst);
      if (!checked && !runtime_idmaps (e, str (c, "runtime")))
        return husk_error_makex (err, ENOTSUP, "invalid mount '%s': the OCI runtime '%s' "
                                 "does not support idmapped mounts: use --runtime crun", dst,
                                 str (c, "runtime"));
      checked = true;
    }
  return 0;
}

/* ---- reaching husk's directories from the container's namespace ---------- */

/* Give the directories above path search permission for others (o+x: no
   listing), those of the caller's own; a home directory is left as it is
   and named in the error instead.  */
static int
reach (const char *path, husk_error_t *err)
{
  cleanup_free char *dir = husk_xstrdup (path);
  const char *home = getenv ("HOME");

  for (char *slash; (slash = strrchr (dir, '/')) != NULL && slash != dir;)
    {
      cleanup_close int fd = -1;
      struct stat st;

      *slash = '\0';
      fd = open (dir, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      if (fd < 0 || fstat (fd, &st) < 0)
        return husk_error_make (err, errno, "open '%s'", dir);
      if (st.st_mode & S_IXOTH)
        continue;
      if (st.st_uid != geteuid () || (home && strcmp (dir, home) == 0))
        return husk_error_makex (err, EACCES, "the container's user namespace cannot reach "
                                 "'%s': '%s' is not searchable by other users (chmod o+x it)",
                                 path, dir);
      {
        cleanup_free char *proc = husk_asprintf ("/proc/self/fd/%d", fd);
        if (chmod (proc, (st.st_mode & 07777) | S_IXOTH) < 0)
          return husk_error_make (err, errno, "chmod o+x '%s'", dir);
      }
    }
  return 0;
}

static bool
under (const char *path, const char *top)
{
  size_t n = top ? strlen (top) : 0;

  return n && strncmp (path, top, n) == 0 && path[n] == '/';
}

int
husk_container_userns_reach (struct husk_engine *e, json_t *spec, husk_error_t *err)
{
  const char *root = json_string_value (json_object_get (json_object_get (spec, "root"), "path"));
  size_t i;
  json_t *m;

  if (root && reach (root, err) < 0)
    return -1;
  json_array_foreach (json_object_get (spec, "mounts"), i, m)
    {
      const char *src = json_string_value (json_object_get (m, "source"));
      const char *type = json_string_value (json_object_get (m, "type"));
      /* Only husk's own files: other bind sources are the user's to open.  */
      if (src && type && strcmp (type, "bind") == 0
          && (under (src, e->root) || under (src, e->runroot) || under (src, e->tmpdir)
              || under (src, e->volume_path))
          && reach (src, err) < 0)
        return -1;
    }
  return 0;
}
