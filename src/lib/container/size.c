/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The size of a container's read-write layer (see size.h).  The walk opens
 * every directory with O_NOFOLLOW relative to its parent and stats entries
 * with AT_SYMLINK_NOFOLLOW, so a running container that plants symlinks
 * cannot make it count (or reveal) host files.  Files with several links
 * are remembered by (device, inode) and counted once at the end.
 */
#include "container/size.h"
#include "container/fs.h"
#include "container/fstar.h"
#include "storage/store.h"
#include "util/cleanup.h"
#include "util/strutil.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define SIZE_MAX_DEPTH 512

struct linked
{
  dev_t dev;
  ino_t ino;
  int64_t size;
};

struct tally
{
  int64_t total;
  struct linked *v; /* files with more than one link, counted at the end */
  size_t n, cap;
};

static void
count (struct tally *t, const struct stat *st)
{
  if (S_ISDIR (st->st_mode))
    return;
  if (st->st_nlink <= 1)
    {
      t->total += st->st_size;
      return;
    }
  if (t->n == t->cap)
    {
      t->cap = t->cap ? t->cap * 2 : 32;
      t->v = husk_xrealloc (t->v, t->cap * sizeof *t->v);
    }
  t->v[t->n++] = (struct linked) { st->st_dev, st->st_ino, st->st_size };
}

static int
cmp_linked (const void *a, const void *b)
{
  const struct linked *x = a, *y = b;

  if (x->dev != y->dev)
    return x->dev < y->dev ? -1 : 1;
  return (x->ino > y->ino) - (x->ino < y->ino);
}

/* The total, each linked inode once; releases the tally.  */
static int64_t
finish (struct tally *t)
{
  int64_t total = t->total;

  if (t->n > 1)
    qsort (t->v, t->n, sizeof *t->v, cmp_linked);
  for (size_t i = 0; i < t->n; i++)
    if (i == 0 || cmp_linked (&t->v[i - 1], &t->v[i]) != 0)
      total += t->v[i].size;
  free (t->v);
  *t = (struct tally) { 0 };
  return total;
}

/* Whether errno says the entry went away or was swapped for something we
   do not follow while we looked.  */
static bool
vanished (int e)
{
  return e == ENOENT || e == ENOTDIR || e == ELOOP;
}

static int
walk (int dfd, struct husk_buf *path, unsigned depth, struct tally *t, husk_error_t *err)
{
  cleanup_strv char **names = NULL;
  size_t len = path->len;

  if (depth > SIZE_MAX_DEPTH)
    return husk_error_makex (err, ELOOP, "'%s': directories nested too deep", path->data);
  names = husk_fstar_names (dup (dfd), path->data, err);
  if (names == NULL)
    return -1;
  for (size_t i = 0; names[i]; i++)
    {
      struct stat st;
      cleanup_close int cfd = -1;
      int r;

      if (fstatat (dfd, names[i], &st, AT_SYMLINK_NOFOLLOW) < 0)
        {
          if (vanished (errno))
            continue;
          return husk_error_make (err, errno, "stat '%s/%s'", path->data, names[i]);
        }
      count (t, &st);
      if (!S_ISDIR (st.st_mode))
        continue;
      cfd = openat (dfd, names[i], O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      if (cfd < 0)
        {
          if (vanished (errno))
            continue;
          return husk_error_make (err, errno, "open '%s/%s'", path->data, names[i]);
        }
      husk_buf_putc (path, '/');
      husk_buf_puts (path, names[i]);
      r = walk (cfd, path, depth + 1, t, err);
      path->len = len;
      path->data[len] = '\0';
      if (r < 0)
        return -1;
    }
  return 0;
}

int
husk_size_tree (int dir_fd, int64_t *out, husk_error_t *err)
{
  struct husk_buf path = HUSK_BUF_INIT;
  struct tally t = { 0 };
  int r;

  husk_buf_puts (&path, "");
  r = walk (dir_fd, &path, 0, &t, err);
  husk_buf_release (&path);
  *out = finish (&t);
  return r;
}

int
husk_size_changes (int tree_fd, const struct husk_change *c, size_t n, int64_t *out,
                   husk_error_t *err)
{
  struct tally t = { 0 };

  for (size_t i = 0; i < n; i++)
    {
      const char *rel = c[i].path[0] == '/' ? c[i].path + 1 : c[i].path, *base;
      cleanup_close int dfd = -1;
      struct stat st;

      if (c[i].kind == 'D' || *rel == '\0')
        continue;
      dfd = husk_changes_open_parent (tree_fd, rel, &base);
      if (dfd < 0 || fstatat (dfd, base, &st, AT_SYMLINK_NOFOLLOW) < 0)
        {
          if (vanished (errno) || errno == EXDEV)
            continue;
          finish (&t);
          return husk_error_make (err, errno, "stat '%s'", c[i].path);
        }
      count (&t, &st);
    }
  *out = finish (&t);
  return 0;
}

static int
rw_size (struct husk_engine *e, const struct husk_container_rec *r, int64_t *out,
         husk_error_t *err)
{
  const char *driver = husk_store_driver_name (e->store);
  cleanup_free char *tree = husk_asprintf ("%s/%s/containers/%s/diff",
                                           husk_store_graphroot (e->store), driver, r->id);
  cleanup_close int fd = open (tree, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  struct husk_change *c = NULL;
  size_t n = 0;
  int ret;

  *out = 0;
  if (fd < 0)
    {
      /* Removed meanwhile, or made before it had a layer: nothing written. */
      if (errno == ENOENT)
        return 0;
      return husk_error_make (err, errno, "open '%s'", tree);
    }
  if (strcmp (driver, "overlay") == 0)
    return husk_size_tree (fd, out, err);
  if (husk_container_diff (e, r, &c, &n, err) < 0)
    return -1;
  ret = husk_size_changes (fd, c, n, out, err);
  husk_changes_free (c, n);
  return ret;
}

int
husk_container_size (struct husk_engine *e, const struct husk_container_rec *r,
                     struct husk_container_size *out, husk_error_t *err)
{
  struct husk_image_rec img = { 0 };
  int64_t image = 0;

  if (rw_size (e, r, &out->rw, err) < 0)
    return husk_error_wrap (err, "size of container %.12s", r->id);
  if (husk_state_image_get (e->state, r->image_id, &img, NULL) == 0)
    image = img.size;
  husk_image_rec_release (&img);
  out->rootfs = image + out->rw;
  return 0;
}
