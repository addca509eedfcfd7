/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A container's file system: cp, diff, export, mount and unmount (see
 * fs.h for the theory of operation).
 */
#include "container/fs.h"
#include "container/cp.h"
#include "container/fstar.h"
#include "runtime/user.h"
#include "storage/store.h"
#include "util/cleanup.h"
#include "util/fileutil.h"
#include "util/log.h"
#include "util/strutil.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static bool
is_running (const struct husk_container_rec *r)
{
  return strcmp (r->state, "running") == 0 || strcmp (r->state, "paused") == 0
         || strcmp (r->state, "stopping") == 0;
}

char *
husk_container_store_dir (struct husk_engine *e, const char *id)
{
  return husk_asprintf ("%s/%s/containers/%s", husk_store_graphroot (e->store),
                        husk_store_driver_name (e->store), id);
}

/* A container's root, mounted; *rootfd an O_PATH fd of it.  Undo with
   unmount_root().  */
static int
mount_root (struct husk_engine *e, const char *id, int *rootfd, husk_error_t *err)
{
  cleanup_free char *path = husk_store_container_mount (e->store, id, err);

  if (path == NULL)
    return -1;
  *rootfd = open (path, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (*rootfd < 0)
    {
      husk_error_t uerr = NULL;
      husk_error_make (err, errno, "open '%s'", path);
      if (husk_store_container_unmount (e->store, id, false, &uerr) < 0)
        husk_error_drop (&uerr, "container %s: unmount", id);
      return -1;
    }
  return 0;
}

static void
unmount_root (struct husk_engine *e, const char *id, int *rootfd)
{
  husk_error_t err = NULL;

  if (*rootfd >= 0)
    close (*rootfd);
  *rootfd = -1;
  if (husk_store_container_unmount (e->store, id, false, &err) < 0)
    {
      husk_log_warn ("container %s: %s", id, err->msg);
      husk_error_release (&err);
    }
}

/* ---- cp -------------------------------------------------------------------- */

/* The primary uid/gid of the container's user, as Podman's --archive
   gives copies (resolved in the container's own /etc/passwd).  */
static int
ctr_owner (int rootfd, const struct husk_container_rec *r, struct husk_cp_opts *o,
           husk_error_t *err)
{
  cleanup_json json_t *c = json_loads (r->config, 0, NULL);
  const char *spec = json_string_value (json_object_get (c, "user"));
  struct husk_user u = { 0 };

  o->set_owner = true;
  if (spec == NULL || *spec == '\0')
    {
      /* root, whatever the container's /etc/passwd holds */
      o->uid = 0;
      o->gid = 0;
      return 0;
    }
  if (husk_user_resolve (rootfd, spec, NULL, &u, err) < 0)
    return -1;
  o->uid = u.uid;
  o->gid = u.gid;
  husk_user_release (&u);
  return 0;
}

/* cp onto the host replaces what is at the destination.  Only a regular
   file or a directory may be there: as root, replacing a device node, FIFO
   or socket with a regular file damages the host (a copy onto /dev/null
   made every later "> /dev/null" on the machine write into a file), and
   Podman refuses such a destination too.  dst is checked as named and,
   when it is a directory, the name the copy takes in it.  */
int
husk_container_cp_check_dest (const char *src, const char *dst, husk_error_t *err)
{
  cleanup_free char *base = husk_xstrdup (src), *inside = NULL;
  const char *target = dst;
  size_t n = strlen (base);
  struct stat st;

  while (n > 1 && base[n - 1] == '/')
    base[--n] = '\0';
  if (stat (dst, &st) == 0 && S_ISDIR (st.st_mode))
    {
      const char *slash = strrchr (base, '/');
      const char *name = slash ? slash + 1 : base;
      /* "dir/." copies the content: the names come from the container. */
      if (*name == '\0' || strcmp (name, ".") == 0 || strcmp (name, "..") == 0)
        return 0;
      inside = husk_asprintf ("%s/%s", dst, name);
      target = inside;
    }
  if (stat (target, &st) < 0 || S_ISREG (st.st_mode) || S_ISDIR (st.st_mode))
    return 0;
  return husk_error_makex (err, EINVAL, "cannot copy to \"%s\": it is a %s, not a regular "
                           "file or directory", target,
                           S_ISCHR (st.st_mode)    ? "character device"
                           : S_ISBLK (st.st_mode)  ? "block device"
                           : S_ISFIFO (st.st_mode) ? "FIFO"
                                                   : "socket");
}

static int
copy (struct husk_engine *e, const struct husk_container_rec *r, bool in, const char *path,
      const char *host, int fd, const struct husk_cp_request *rq, husk_error_t *err)
{
  cleanup_free char *where = husk_asprintf ("container %s", r->name);
  struct husk_cp_opts o = { .overwrite = rq->overwrite, .rootless = e->rootless };
  int rootfd = -1, ret = -1;

  o.where = where;
  if (mount_root (e, r->id, &rootfd, err) < 0)
    return -1;
  if (in)
    ret = rq->archive && ctr_owner (rootfd, r, &o, err) < 0
              ? -1
              : husk_cp_into (rootfd, path, host, fd, &o, err);
  else
    ret = husk_cp_out (rootfd, path, host, fd, &o, err);
  unmount_root (e, r->id, &rootfd);
  return ret;
}

int
husk_container_copy_in (struct husk_engine *e, const struct husk_container_rec *r,
                        const char *src, int in_fd, const char *path,
                        const struct husk_cp_request *rq, husk_error_t *err)
{
  return copy (e, r, true, path, src, in_fd, rq, err);
}

int
husk_container_copy_out (struct husk_engine *e, const struct husk_container_rec *r,
                         const char *path, const char *dst, int out_fd,
                         const struct husk_cp_request *rq, husk_error_t *err)
{
  return copy (e, r, false, path, dst, out_fd, rq, err);
}

/* ---- diff ------------------------------------------------------------------ */

/* The image's top layer (NULL when it has none), from the image record.  */
static char *
image_top (struct husk_engine *e, const char *image_id, struct husk_image_rec *img,
           husk_error_t *err)
{
  size_t n;

  if (husk_state_image_get (e->state, image_id, img, err) < 0)
    return husk_error_wrap (err, "image of the container"), NULL;
  n = husk_strv_len (img->layers);
  return n ? husk_xstrdup (img->layers[n - 1]) : NULL;
}

int
husk_container_changes (struct husk_engine *e, const struct husk_container_rec *r,
                        struct husk_change **out, size_t *n, husk_error_t *err)
{
  struct husk_image_rec img = { 0 };
  cleanup_free char *top = image_top (e, r->image_id, &img, err);
  cleanup_free char *dir = husk_container_store_dir (e, r->id);
  cleanup_free char *tree = husk_asprintf ("%s/diff", dir);
  cleanup_free char *lower = NULL;
  cleanup_close int tfd = -1, lfd = -1;
  bool overlay = strcmp (husk_store_driver_name (e->store), "overlay") == 0;
  husk_error_t uerr = NULL;
  int ret = -1;

  if (top == NULL && img.id == NULL)
    return -1;
  if (top && (lower = husk_store_image_mount (e->store, top, err)) == NULL)
    goto out;
  tfd = open (tree, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (tfd < 0)
    husk_error_make (err, errno, "open '%s'", tree);
  else if (lower && (lfd = open (lower, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
    husk_error_make (err, errno, "open '%s'", lower);
  else
    ret = overlay ? husk_changes_overlay (tfd, lfd, out, n, err)
                  : husk_changes_compare (tfd, lfd, out, n, err);
  /* Nothing of the image's tree may stay open, or the unmount fails.  */
  if (lfd >= 0)
    close (lfd), lfd = -1;
  if (lower && husk_store_image_unmount (e->store, top, false, &uerr) < 0)
    husk_error_drop_warn (&uerr, "could not unmount image layer %s", top);
out:
  husk_image_rec_release (&img);
  return ret;
}

int
husk_container_diff (struct husk_engine *e, const struct husk_container_rec *r,
                     struct husk_change **out, size_t *n, husk_error_t *err)
{
  struct husk_change *c = NULL;
  size_t k = 0, m = 0;

  if (husk_container_changes (e, r, &c, &m, err) < 0)
    return -1;
  for (size_t i = 0; i < m; i++)
    {
      if (husk_changes_runtime_path (c[i].path))
        free (c[i].path);
      else
        c[k++] = c[i];
    }
  *out = c;
  *n = k;
  return 0;
}

/* ---- export ---------------------------------------------------------------- */

int
husk_container_export (struct husk_engine *e, const struct husk_container_rec *r,
                       int out_fd, husk_error_t *err)
{
  struct husk_fstar_opts o = { .xattrs = true };
  struct husk_fstar *w = NULL;
  int rootfd = -1, ret;

  if (mount_root (e, r->id, &rootfd, err) < 0)
    return -1;
  w = husk_fstar_new (out_fd, &o, err);
  ret = w ? husk_fstar_add (w, rootfd, "", err) : -1;
  if (ret == 0)
    ret = husk_fstar_finish (w, err);
  husk_fstar_free (w);
  unmount_root (e, r->id, &rootfd);
  return ret;
}

/* ---- mount, unmount ------------------------------------------------------ */

char *
husk_container_mount (struct husk_engine *e, const struct husk_container_rec *r,
                      husk_error_t *err)
{
  return husk_store_container_mount (e->store, r->id, err);
}

/* How many mounts the store counts for container id (0 when unknown).  */
static long
mount_count (struct husk_engine *e, const char *id)
{
  cleanup_free char *p = husk_asprintf ("%s/storage/%s/containers/%s/count", e->runroot,
                                        husk_store_driver_name (e->store), id);
  cleanup_free char *text = husk_read_file (p, NULL, NULL);

  return text ? strtol (text, NULL, 10) : 0;
}

int
husk_container_unmount (struct husk_engine *e, const struct husk_container_rec *r,
                        bool force, husk_error_t *err)
{
  if (strcmp (husk_store_driver_name (e->store), "vfs") == 0)
    return 0; /* nothing is mounted */
  if (is_running (r) && (force || mount_count (e, r->id) <= 1))
    return husk_error_makex (err, EBUSY, "cannot unmount container %s as it is %s: "
                             "container state improper", r->id, r->state);
  return husk_store_container_unmount (e->store, r->id, force, err);
}

static bool
is_mountpoint (const char *path)
{
  cleanup_free char *parent = husk_asprintf ("%s/..", path);
  struct stat a, b;

  return stat (path, &a) == 0 && stat (parent, &b) == 0 && a.st_dev != b.st_dev;
}

void
husk_ctr_mount_array_free (struct husk_ctr_mount *a, size_t n)
{
  for (size_t i = 0; a && i < n; i++)
    {
      free (a[i].id);
      free (a[i].name);
      free (a[i].path);
    }
  free (a);
}

int
husk_container_mounts (struct husk_engine *e, struct husk_ctr_mount **out, size_t *n,
                       husk_error_t *err)
{
  struct husk_container_rec *list = NULL;
  size_t count = 0;

  *out = NULL;
  *n = 0;
  if (husk_state_container_list (e->state, &list, &count, err) < 0)
    return -1;
  for (size_t i = 0; i < count; i++)
    {
      cleanup_free char *dir = husk_container_store_dir (e, list[i].id);
      char *merged = husk_asprintf ("%s/merged", dir);
      if (!is_mountpoint (merged))
        {
          free (merged);
          continue;
        }
      *out = husk_xrealloc (*out, (*n + 1) * sizeof **out);
      (*out)[*n] = (struct husk_ctr_mount){ .id = husk_xstrdup (list[i].id),
                                            .name = husk_xstrdup (list[i].name),
                                            .path = merged };
      (*n)++;
    }
  husk_container_rec_array_free (list, count);
  return 0;
}
