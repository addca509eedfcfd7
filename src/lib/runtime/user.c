/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Resolving the container's user and groups from the image's /etc/passwd
 * and /etc/group.
 *
 * The files belong to the image, so they are hostile input: a symlink
 * /etc/passwd -> /etc/shadow must resolve to the image's shadow file, never
 * the host's, and a device node or FIFO planted there must not be opened
 * for reading.  husk_user_read_file() therefore opens with openat2()
 * RESOLVE_IN_ROOT (every "..", absolute symlink and absolute path stays
 * under the root) as O_PATH, checks that it got a regular file, and only
 * then opens that very inode for reading through /proc/self/fd.  Sizes are
 * bounded, and the parsers below work on (pointer, length) views, never
 * trusting a NUL terminator, a field count or a number's length.
 */
#include "runtime/user.h"
#include "util/cleanup.h"
#include "util/strutil.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

/* The kernel's NGROUPS_MAX: more supplementary groups cannot be set.  */
#define GROUPS_MAX 65536

struct view
{
  const char *p;
  size_t n;
};

/* The next line of [*cur, end) into *line.  Return: false at the end.  */
static bool
next_line (const char **cur, const char *end, struct view *line)
{
  const char *nl;

  if (*cur >= end)
    return false;
  nl = memchr (*cur, '\n', end - *cur);
  line->p = *cur;
  line->n = (nl ? nl : end) - *cur;
  *cur = nl ? nl + 1 : end;
  return true;
}

/* Split at ':' into at most max fields.  Return: the number of fields.  */
static size_t
split_fields (struct view line, struct view *f, size_t max)
{
  size_t n = 0;
  const char *p = line.p, *end = line.p + line.n;

  while (n < max)
    {
      const char *c = memchr (p, ':', end - p);

      f[n].p = p;
      f[n].n = (c ? c : end) - p;
      n++;
      if (c == NULL)
        break;
      p = c + 1;
    }
  return n;
}

static bool
view_eq (struct view v, const char *s)
{
  size_t n = strlen (s);

  return v.n == n && memcmp (v.p, s, n) == 0;
}

/* A decimal id: digits only, no sign, below 2^32 - 1 ((uid_t) -1 means
   "no change" to the kernel).  */
static bool
parse_id_n (const char *s, size_t n, uint32_t *out)
{
  uint64_t v = 0;

  if (n == 0 || n > 10)
    return false;
  for (size_t i = 0; i < n; i++)
    {
      if (s[i] < '0' || s[i] > '9')
        return false;
      v = v * 10 + (uint64_t) (s[i] - '0');
    }
  if (v >= UINT32_MAX)
    return false;
  *out = (uint32_t) v;
  return true;
}

static bool
parse_id (const char *s, uint32_t *out)
{
  return parse_id_n (s, strlen (s), out);
}

/* Lines that are not entries: empty, comments, NIS "+"/"-" inclusions.  */
static bool
skip_line (struct view line)
{
  return line.n == 0 || line.p[0] == '#' || line.p[0] == '+' || line.p[0] == '-';
}

struct pwent
{
  struct view name, home;
  uint32_t uid, gid;
};

/* The first passwd entry whose name is key, or whose uid is key when key
   is numeric (the order libcontainer and Podman use).  */
static bool
find_passwd (const char *data, size_t len, const char *key, struct pwent *out)
{
  const char *cur = data, *end = data + len;
  struct view line, f[7];
  uint32_t id = 0;
  bool numeric = parse_id (key, &id);

  if (data == NULL)
    return false;
  while (next_line (&cur, end, &line))
    {
      size_t n;
      uint32_t uid, gid;

      if (skip_line (line))
        continue;
      n = split_fields (line, f, 7);
      if (n < 4 || !parse_id_n (f[2].p, f[2].n, &uid) || !parse_id_n (f[3].p, f[3].n, &gid))
        continue;
      if (!view_eq (f[0], key) && !(numeric && uid == id))
        continue;
      out->name = f[0];
      out->uid = uid;
      out->gid = gid;
      out->home = n >= 6 ? f[5] : (struct view){ NULL, 0 };
      return true;
    }
  return false;
}

/* The gid of the first group named key, or numbered key.  */
static bool
find_group (const char *data, size_t len, const char *key, uint32_t *gid)
{
  const char *cur = data, *end = data + len;
  struct view line, f[4];
  uint32_t id = 0;
  bool numeric = parse_id (key, &id);

  if (data == NULL)
    return false;
  while (next_line (&cur, end, &line))
    {
      uint32_t g;

      if (skip_line (line) || split_fields (line, f, 4) < 3
          || !parse_id_n (f[2].p, f[2].n, &g))
        continue;
      if (view_eq (f[0], key) || (numeric && g == id))
        {
          *gid = g;
          return true;
        }
    }
  return false;
}

static bool
list_has_member (struct view members, const char *name)
{
  const char *p = members.p, *end = members.p + members.n;

  while (p < end)
    {
      const char *c = memchr (p, ',', end - p);
      struct view m = { p, (c ? c : end) - p };

      if (view_eq (m, name))
        return true;
      p = c ? c + 1 : end;
    }
  return false;
}

struct gidlist
{
  uint32_t *v;
  size_t n, cap;
};

static int
gid_push (struct gidlist *l, uint32_t gid, husk_error_t *err)
{
  if (l->n >= GROUPS_MAX)
    return husk_error_makex (err, EINVAL, "more than %d supplementary groups", GROUPS_MAX);
  if (l->n == l->cap)
    {
      l->cap = l->cap ? l->cap * 2 : 8;
      l->v = husk_xrealloc (l->v, l->cap * sizeof *l->v);
    }
  l->v[l->n++] = gid;
  return 0;
}

/* Every group whose member list names the user.  */
static int
member_groups (const char *data, size_t len, const char *name, struct gidlist *l,
               husk_error_t *err)
{
  const char *cur = data, *end = data + len;
  struct view line, f[4];

  if (data == NULL)
    return 0;
  while (next_line (&cur, end, &line))
    {
      uint32_t g;

      if (skip_line (line) || split_fields (line, f, 4) < 4
          || !parse_id_n (f[2].p, f[2].n, &g) || !list_has_member (f[3], name))
        continue;
      if (gid_push (l, g, err) < 0)
        return -1;
    }
  return 0;
}

struct idx_gid
{
  uint32_t gid;
  size_t idx;
};

static int
cmp_idx_gid (const void *a, const void *b)
{
  const struct idx_gid *x = a, *y = b;

  if (x->gid != y->gid)
    return x->gid < y->gid ? -1 : 1;
  return x->idx < y->idx ? -1 : (x->idx > y->idx);
}

/* Drop repeated gids, keeping the first of each and the order: sort
   (gid, index) pairs, mark later duplicates, compact.  O(n log n), so a
   hostile group file cannot make this quadratic.  */
static void
gid_dedup (struct gidlist *l)
{
  cleanup_free struct idx_gid *s = NULL;
  cleanup_free bool *drop = NULL;
  size_t k = 0;

  if (l->n < 2)
    return;
  s = husk_xmalloc (l->n * sizeof *s);
  drop = husk_xzalloc (l->n * sizeof *drop);
  for (size_t i = 0; i < l->n; i++)
    s[i] = (struct idx_gid){ l->v[i], i };
  qsort (s, l->n, sizeof *s, cmp_idx_gid);
  for (size_t i = 1; i < l->n; i++)
    if (s[i].gid == s[i - 1].gid)
      drop[s[i].idx] = true;
  for (size_t i = 0; i < l->n; i++)
    if (!drop[i])
      l->v[k++] = l->v[i];
  l->n = k;
}

static int
resolve_group (const char *group, size_t group_len, const char *key, uint32_t *gid,
               husk_error_t *err)
{
  if (*key == '\0')
    return husk_error_makex (err, EINVAL, "invalid empty group name");
  if (find_group (group, group_len, key, gid) || parse_id (key, gid))
    return 0;
  return husk_error_makex (err, ENOENT,
                           "unable to find group %s: no matching entries in group file",
                           key);
}

int
husk_user_resolve_data (const char *passwd, size_t passwd_len, const char *group,
                        size_t group_len, const char *spec, char *const *group_add,
                        struct husk_user *u, husk_error_t *err)
{
  cleanup_free char *user_part = NULL;
  const char *colon = strchr (spec, ':');
  const char *group_part = colon ? colon + 1 : NULL;
  struct gidlist extra = { NULL, 0, 0 };
  struct gidlist all = { NULL, 0, 0 };
  struct pwent pw;
  bool found;

  memset (u, 0, sizeof *u);
  user_part = colon ? husk_xstrndup (spec, colon - spec) : husk_xstrdup (spec);
  if (*spec == '\0')
    {
      free (user_part);
      user_part = husk_xstrdup ("0");
    }
  if (*user_part == '\0' || (group_part && *group_part == '\0'))
    return husk_error_makex (err, EINVAL, "invalid user \"%s\"", spec);

  found = find_passwd (passwd, passwd_len, user_part, &pw);
  if (found)
    {
      u->uid = pw.uid;
      u->gid = pw.gid;
      u->name = husk_xstrndup (pw.name.p, pw.name.n);
      u->home = pw.home.n > 0 ? husk_xstrndup (pw.home.p, pw.home.n) : husk_xstrdup ("/");
    }
  else if (parse_id (user_part, &u->uid))
    {
      u->gid = 0;
      u->home = husk_xstrdup ("/");
    }
  else
    return husk_error_makex (err, ENOENT,
                             "unable to find user %s: no matching entries in passwd file",
                             user_part);

  if (group_part != NULL && resolve_group (group, group_len, group_part, &u->gid, err) < 0)
    goto fail;
  if (group_part == NULL && u->name != NULL
      && member_groups (group, group_len, u->name, &extra, err) < 0)
    goto fail;
  for (char *const *g = group_add; g && *g; g++)
    {
      uint32_t gid;

      if (strcmp (*g, "keep-groups") == 0)
        {
          husk_error_makex (err, EINVAL, "--group-add keep-groups is not supported");
          goto fail;
        }
      if (resolve_group (group, group_len, *g, &gid, err) < 0
          || gid_push (&extra, gid, err) < 0)
        goto fail;
    }

  if (u->uid != 0 || extra.n > 0)
    {
      gid_push (&all, u->gid, NULL);
      for (size_t i = 0; i < extra.n; i++)
        if (gid_push (&all, extra.v[i], err) < 0)
          goto fail;
      gid_dedup (&all);
    }
  free (extra.v);
  u->gids = all.v;
  u->n_gids = all.n;
  return 0;

fail:
  free (extra.v);
  free (all.v);
  husk_user_release (u);
  return -1;
}

/* Open path under the root for reading, refusing anything but a regular
   file no larger than max.  Return: the descriptor, or -1.  */
static int
open_in_root (int rootfd, const char *path, size_t max, husk_error_t *err)
{
  struct open_how how = {
    .flags = O_PATH | O_CLOEXEC,
    .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
  };
  cleanup_close int pfd = -1;
  char proc[64];
  struct stat st;
  int fd;

  pfd = (int) syscall (SYS_openat2, rootfd, path, &how, sizeof how);
  if (pfd < 0)
    return husk_error_make (err, errno, "open '%s' in the root file system", path);
  if (fstat (pfd, &st) < 0)
    return husk_error_make (err, errno, "stat '%s'", path);
  if (!S_ISREG (st.st_mode))
    return husk_error_makex (err, EINVAL, "'%s' is not a regular file", path);
  if ((uint64_t) st.st_size > max)
    return husk_error_makex (err, EFBIG, "'%s' is larger than %zu bytes", path, max);
  /* Reopen the inode that was checked: the path may point elsewhere now.  */
  snprintf (proc, sizeof proc, "/proc/self/fd/%d", pfd);
  fd = open (proc, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
  if (fd < 0)
    return husk_error_make (err, errno, "open '%s'", path);
  return fd;
}

static int
read_bounded (int fd, const char *path, size_t max, struct husk_buf *b, husk_error_t *err)
{
  char chunk[65536];
  ssize_t n;

  husk_buf_append (b, "", 0);
  while ((n = read (fd, chunk, sizeof chunk)) != 0)
    {
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        return husk_error_make (err, errno, "read '%s'", path);
      if (b->len + (size_t) n > max)
        return husk_error_makex (err, EFBIG, "'%s' is larger than %zu bytes", path, max);
      husk_buf_append (b, chunk, n);
    }
  return 0;
}

char *
husk_user_read_file (int rootfd, const char *path, size_t max, size_t *len,
                     husk_error_t *err)
{
  cleanup_close int fd = open_in_root (rootfd, path, max, err);
  struct husk_buf b = HUSK_BUF_INIT;

  if (fd < 0)
    return NULL;
  if (read_bounded (fd, path, max, &b, err) < 0)
    {
      husk_buf_release (&b);
      return NULL;
    }
  *len = b.len;
  return husk_buf_steal (&b);
}

/* Read path, or return NULL with *data NULL when it does not exist.  */
static int
read_optional (int rootfd, const char *path, char **data, size_t *len, husk_error_t *err)
{
  husk_error_t local = NULL;

  *data = husk_user_read_file (rootfd, path, HUSK_USER_FILE_MAX, len, &local);
  if (*data != NULL)
    return 0;
  if (local->code == ENOENT)
    {
      husk_error_release (&local);
      *len = 0;
      return 0;
    }
  return husk_error_move (err, &local);
}

/* Read one of husk's own copies: a regular file, never through a link. */
static int
read_copy (const char *path, char **data, size_t *len, husk_error_t *err)
{
  cleanup_close int fd = open (path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY);
  struct husk_buf b = HUSK_BUF_INIT;
  struct stat st;

  if (fd < 0)
    return husk_error_make (err, errno, "open '%s'", path);
  if (fstat (fd, &st) < 0)
    return husk_error_make (err, errno, "stat '%s'", path);
  if (!S_ISREG (st.st_mode))
    return husk_error_makex (err, EINVAL, "'%s' is not a regular file", path);
  if (read_bounded (fd, path, 2 * (size_t) HUSK_USER_FILE_MAX, &b, err) < 0)
    {
      husk_buf_release (&b);
      return -1;
    }
  *len = b.len;
  *data = husk_buf_steal (&b);
  return 0;
}

int
husk_user_resolve_files (int rootfd, const char *passwd_path, const char *group_path,
                         const char *spec, char *const *group_add, struct husk_user *u,
                         husk_error_t *err)
{
  cleanup_free char *passwd = NULL;
  cleanup_free char *group = NULL;
  size_t plen = 0, glen = 0;

  memset (u, 0, sizeof *u);
  if ((passwd_path ? read_copy (passwd_path, &passwd, &plen, err)
                   : read_optional (rootfd, "/etc/passwd", &passwd, &plen, err)) < 0
      || (group_path ? read_copy (group_path, &group, &glen, err)
                     : read_optional (rootfd, "/etc/group", &group, &glen, err)) < 0)
    return -1;
  return husk_user_resolve_data (passwd, plen, group, glen, spec, group_add, u, err);
}

int
husk_user_resolve (int rootfd, const char *spec, char *const *group_add,
                   struct husk_user *u, husk_error_t *err)
{
  return husk_user_resolve_files (rootfd, NULL, NULL, spec, group_add, u, err);
}

bool
husk_user_find_group (const char *group, size_t len, const char *key, uint32_t *gid)
{
  uint32_t g;

  if (!find_group (group, len, key, &g))
    return false;
  if (gid)
    *gid = g;
  return true;
}

void
husk_user_release (struct husk_user *u)
{
  if (u == NULL)
    return;
  free (u->gids);
  free (u->name);
  free (u->home);
  memset (u, 0, sizeof *u);
}
