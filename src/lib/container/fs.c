/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A container's file system: cp, diff, export, mount and unmount (see
 * fs.h for the theory of operation).
 */
#include "container/idmaps.h"
#include "container/fs.h"
#include "container/cp.h"
#include "container/fstar.h"
#include "runtime/user.h"
#include "storage/store.h"
#include "volume/volume.h"
#include "util/cleanup.h"
#include "util/fileutil.h"
#include "util/log.h"
#include "util/proc.h"
#include "util/strutil.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
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

/* cp onto the host writes into what is at the destination, as Podman
   does: a symlink named as the destination is followed and its target
   written, not replaced by the copy.  Only
   a regular file or a directory may be written: as root, replacing a
   device node, FIFO or socket with a regular file damages the host (a
   copy onto /dev/null made every later "> /dev/null" on the machine write
   into a file), and a link that resolves to none (/dev/stdout on a pipe
   or a terminal) is no destination either.  */
int
husk_container_cp_check_dest (const char *src, const char *dst, char **resolved,
                              husk_error_t *err)
{
  cleanup_free char *base = husk_xstrdup (src), *inside = NULL, *real = NULL;
  const char *target = dst;
  size_t n = strlen (base);
  struct stat st;
  bool into_dir;

  *resolved = NULL;
  while (n > 1 && base[n - 1] == '/')
    base[--n] = '\0';
  into_dir = stat (dst, &st) == 0 && S_ISDIR (st.st_mode);
  if (into_dir)
    {
      const char *slash = strrchr (base, '/');
      const char *name = slash ? slash + 1 : base;
      /* "dir/." copies the content: the names come from the container. */
      if (*name == '\0' || strcmp (name, ".") == 0 || strcmp (name, "..") == 0)
        return 0;
      inside = husk_asprintf ("%s/%s", dst, name);
      target = inside;
    }
  if (lstat (target, &st) < 0)
    return 0; /* created by the copy */
  /* A name inside the directory is the container's, replaced as it is
     (the applier follows no link); a link named as the destination is
     followed to the file it names.  */
  if (!into_dir && S_ISLNK (st.st_mode))
    {
      real = realpath (dst, NULL);
      if (real == NULL)
        return husk_error_makex (err, EINVAL, "invalid destination: \"%s\" must be a "
                                 "directory or a regular file", dst);
      target = real;
    }
  if (stat (target, &st) < 0 || S_ISREG (st.st_mode) || S_ISDIR (st.st_mode))
    {
      *resolved = steal_ptr (&real);
      return 0;
    }
  return husk_error_makex (err, EINVAL, "invalid destination: \"%s\" must be a directory or "
                           "a regular file, not a %s", target,
                           S_ISCHR (st.st_mode)    ? "character device"
                           : S_ISBLK (st.st_mode)  ? "block device"
                           : S_ISFIFO (st.st_mode) ? "FIFO"
                                                   : "socket");
}

/* The root of a running container as its processes see it, with the
   mounts of its mount namespace (tmpfs, volumes, binds) in place: its
   init's /proc/PID/root.  The pid is taken for the recorded process only
   (util/proc.h): a pidfd of exactly that process is opened first, and the
   process is checked alive after the open, so the /proc entry opened was
   its own and not a later process's with the same pid.  Paths are then
   resolved beneath this fd with RESOLVE_IN_ROOT, as beneath the layer's
   mount: the container's symlinks stay inside its root.
   Return: an O_PATH fd, or -1 (not running, or gone meanwhile).  */
static int
ns_root (const struct husk_container_rec *r)
{
  struct husk_proc_id p = { .pid = r->pid, .start = r->pid_start, .boot_id = r->boot_id };
  cleanup_close int pidfd = -1;
  char path[64];
  int fd;

  if (!is_running (r) || r->pid <= 0 || r->pid_start == 0)
    return -1;
  pidfd = husk_proc_open (&p);
  if (pidfd < 0)
    return -1;
  snprintf (path, sizeof path, "/proc/%d/root", r->pid);
  fd = open (path, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (fd >= 0 && syscall (SYS_pidfd_send_signal, pidfd, 0, NULL, 0) < 0)
    {
      close (fd);
      fd = -1;
    }
  return fd;
}

/* The root a copy works beneath: a running container's own view (its
   mounts included), else its layers, mounted (*mounted set: undo with
   unmount_root()).  */
static int
copy_root (struct husk_engine *e, const struct husk_container_rec *r, int *rootfd,
           bool *mounted, husk_error_t *err)
{
  *mounted = false;
  *rootfd = ns_root (r);
  if (*rootfd >= 0)
    return 0;
  if (mount_root (e, r->id, rootfd, err) < 0)
    return -1;
  *mounted = true;
  return 0;
}

static void
release_root (struct husk_engine *e, const struct husk_container_rec *r, int *rootfd,
              bool mounted)
{
  if (mounted)
    unmount_root (e, r->id, rootfd);
  else if (*rootfd >= 0)
    close (*rootfd);
  *rootfd = -1;
}

/* The container's working directory, where relative paths start.  */
static char *
ctr_workdir (const struct husk_container_rec *r)
{
  cleanup_json json_t *c = json_loads (r->config, 0, NULL);
  const char *wd = json_string_value (json_object_get (c, "workdir"));

  return husk_xstrdup (wd && *wd ? wd : "/");
}

/* ---- cp beneath a stopped container's volumes ------------------------------ */

/* A stopped container's volumes and bind mounts are not in its layers:
   a path beneath one of their destinations is copied to or from the host
   directory behind it, as Podman does.  The mount is chosen on the path
   cleaned lexically; the copy then resolves the rest beneath that
   directory, never outside it.  */

/* raw made absolute (from workdir) with ".", ".." and repeated slashes
   taken out, "/" for the root.  */
static char *
clean_abs (const char *raw, const char *workdir)
{
  cleanup_free char *s = *raw == '/' ? husk_xstrdup (raw) : husk_asprintf ("%s/%s", workdir, raw);
  char *out = husk_xmalloc (strlen (s) + 2), *save = NULL;
  size_t n = 0;

  for (char *c = strtok_r (s, "/", &save); c; c = strtok_r (NULL, "/", &save))
    {
      if (strcmp (c, ".") == 0)
        continue;
      if (strcmp (c, "..") == 0)
        {
          while (n > 0 && out[--n] != '/')
            ;
          continue;
        }
      out[n++] = '/';
      memcpy (out + n, c, strlen (c));
      n += strlen (c);
    }
  if (n == 0)
    out[n++] = '/';
  out[n] = '\0';
  return out;
}

/* The rest of path beneath dest ("" at dest itself), or NULL.  */
static const char *
beneath (const char *path, const char *dest)
{
  size_t n = strlen (dest);

  if (strcmp (dest, "/") == 0)
    return path + 1;
  if (strncmp (path, dest, n) != 0 || (path[n] != '\0' && path[n] != '/'))
    return NULL;
  return path[n] == '/' ? path + n + 1 : path + n;
}

static bool
mount_ro (json_t *m)
{
  size_t i;
  json_t *o;

  json_array_foreach (json_object_get (m, "options"), i, o)
    if (json_is_string (o) && (strcmp (json_string_value (o), "ro") == 0
                               || strcmp (json_string_value (o), "readonly") == 0))
      return true;
  return json_is_true (json_object_get (m, "readonly"));
}

/* The volume or bind mount whose destination holds path, the deepest.  */
static json_t *
mount_holding (json_t *c, const char *path, const char **rest)
{
  json_t *best = NULL, *m;
  size_t i, best_len = 0;

  json_array_foreach (json_object_get (c, "mounts"), i, m)
    {
      const char *type = json_string_value (json_object_get (m, "type"));
      const char *src = json_string_value (json_object_get (m, "source"));
      cleanup_free char *dest = NULL;
      const char *r;

      if (type == NULL || (strcmp (type, "bind") != 0 && strcmp (type, "volume") != 0)
          || (src == NULL && json_object_get (m, "name") == NULL) || (src && *src != '/'))
        continue;
      dest = clean_abs (json_string_value (json_object_get (m, "destination")), "/");
      if ((r = beneath (path, dest)) != NULL && (best == NULL || strlen (dest) > best_len))
        {
          best = m;
          best_len = strlen (dest);
          *rest = r;
        }
    }
  return best;
}

/* Return: 1 with *fd (the host directory) and *path (beneath it) set, 0
   when path is in the layers, -1.  */
static int
mount_redirect (struct husk_engine *e, const struct husk_container_rec *r, const char *raw,
                bool in, int *fd, char **path, husk_error_t *err)
{
  cleanup_json json_t *c = json_loads (r->config, 0, NULL);
  cleanup_free char *workdir = ctr_workdir (r);
  cleanup_free char *clean = clean_abs (raw, workdir);
  cleanup_free char *vol = NULL;
  size_t n = strlen (raw);
  const char *rest = NULL, *src;
  json_t *m = mount_holding (c, clean, &rest);

  if (m == NULL)
    return 0;
  src = json_string_value (json_object_get (m, "source"));
  if (src == NULL) /* a named volume of a container not started yet */
    src = vol = husk_volume_data_dir (e->volume_path,
                                      json_string_value (json_object_get (m, "name")));
  if (in && mount_ro (m))
    return husk_error_makex (err, EROFS, "copying into container %s: \"%s\" is on a read-only "
                             "mount of %s", r->name, raw, src);
  *fd = open (src, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (*fd < 0 && vol && errno == ENOENT)
    return 0;
  if (*fd < 0)
    return husk_error_make (err, errno, "container %s: open the mount source '%s'", r->name, src);
  /* What the trailing "/" and "/." say (cp.c) is kept.  */
  *path = husk_asprintf ("/%s%s", rest,
                         n >= 2 && strcmp (raw + n - 2, "/.") == 0 ? (*rest ? "/." : ".")
                         : n > 1 && raw[n - 1] == '/' && *rest ? "/" : "");
  return 1;
}


static int
copy (struct husk_engine *e, const struct husk_container_rec *r, bool in, const char *path,
      const char *host, int fd, const struct husk_cp_request *rq, husk_error_t *err)
{
  cleanup_free char *where = husk_asprintf ("container %s", r->name);
  cleanup_free char *workdir = ctr_workdir (r);
  struct husk_cp_opts o = { .overwrite = rq->overwrite, .rootless = e->rootless };
  cleanup_json json_t *cfg = json_loads (r->config, 0, NULL);
  struct husk_idmap uids, gids;
  cleanup_close int mntfd = -1;
  cleanup_free char *mntpath = NULL;
  int rootfd = -1, ret = -1, at;
  bool mounted;

  if (in && husk_container_idmaps (cfg, &uids, &gids))
    {
      o.uids = &uids;
      o.gids = &gids;
    }
  o.where = where;
  o.workdir = workdir;
  if (copy_root (e, r, &rootfd, &mounted, err) < 0)
    return -1;
  if ((at = mounted ? mount_redirect (e, r, path, in, &mntfd, &mntpath, err) : 0) < 0)
    goto out;
  if (at)
    path = mntpath;
  if (in)
    ret = rq->archive && ctr_owner (rootfd, r, &o, err) < 0
              ? -1
              : husk_cp_into (at ? mntfd : rootfd, path, host, fd, &o, err);
  else
    ret = husk_cp_out (at ? mntfd : rootfd, path, host, fd, &o, err);
out:
  release_root (e, r, &rootfd, mounted);
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

int
husk_container_copy_between (struct husk_engine *e, const struct husk_container_rec *from,
                             const char *src, const struct husk_container_rec *to,
                             const char *dst, const struct husk_cp_request *rq,
                             husk_error_t *err)
{
  cleanup_free char *where = husk_asprintf ("container %s", to->name);
  cleanup_free char *src_where = husk_asprintf ("container %s", from->name);
  cleanup_free char *workdir = ctr_workdir (to), *src_workdir = ctr_workdir (from);
  struct husk_cp_opts o = { .overwrite = rq->overwrite, .rootless = e->rootless,
                            .where = where, .workdir = workdir, .src_where = src_where,
                            .src_workdir = src_workdir };
  cleanup_json json_t *fcfg = json_loads (from->config, 0, NULL);
  cleanup_json json_t *tcfg = json_loads (to->config, 0, NULL);
  struct husk_idmap fu, fg, tu, tg;
  cleanup_close int sfd = -1, dfd = -1;
  cleanup_free char *spath = NULL, *dpath = NULL;
  int sroot = -1, droot = -1, ret = -1, sat = 0, dat = 0;
  bool smounted = false, dmounted = false;

  if (husk_container_idmaps (fcfg, &fu, &fg))
    {
      o.src_uids = &fu;
      o.src_gids = &fg;
    }
  if (husk_container_idmaps (tcfg, &tu, &tg))
    {
      o.uids = &tu;
      o.gids = &tg;
    }

  if (copy_root (e, from, &sroot, &smounted, err) < 0)
    return -1;
  if (smounted && (sat = mount_redirect (e, from, src, false, &sfd, &spath, err)) < 0)
    goto out;
  if (copy_root (e, to, &droot, &dmounted, err) == 0)
    {
      if (dmounted && (dat = mount_redirect (e, to, dst, true, &dfd, &dpath, err)) < 0)
        ret = -1;
      else
        ret = rq->archive && ctr_owner (droot, to, &o, err) < 0
                  ? -1
                  : husk_cp_between (sat ? sfd : sroot, sat ? spath : src, dat ? dfd : droot,
                                     dat ? dpath : dst, &o, err);
      release_root (e, to, &droot, dmounted);
    }
out:
  release_root (e, from, &sroot, smounted);
  return ret;
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
    ret = overlay ? husk_changes_overlay (tfd, lfd, husk_store_mount_program (e->store) != NULL,
                                          out, n, err)
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

static void
drop_runtime_paths (struct husk_change *c, size_t *n)
{
  size_t k = 0;

  for (size_t i = 0; i < *n; i++)
    {
      if (husk_changes_runtime_path (c[i].path))
        free (c[i].path);
      else
        c[k++] = c[i];
    }
  *n = k;
}

int
husk_container_diff (struct husk_engine *e, const struct husk_container_rec *r,
                     struct husk_change **out, size_t *n, husk_error_t *err)
{
  if (husk_container_changes (e, r, out, n, err) < 0)
    return -1;
  drop_runtime_paths (*out, n);
  return 0;
}

/* A tree diff compares: a container's root (its layers mounted) or the
   tree of one image layer (mounted with the layers under it).  */
struct tree
{
  int fd;
  const char *ctr_id;
  char *layer;
};

static void
tree_close (struct husk_engine *e, struct tree *t)
{
  husk_error_t err = NULL;

  if (t->ctr_id)
    unmount_root (e, t->ctr_id, &t->fd);
  else if (t->fd >= 0)
    close (t->fd);
  t->fd = -1;
  if (t->layer && husk_store_image_unmount (e->store, t->layer, false, &err) < 0)
    husk_error_drop_warn (&err, "could not unmount image layer %s", t->layer);
  free (t->layer);
  t->layer = NULL;
}

/* The layer "up" from an image's top (0 the top itself, 1 its parent):
   NULL with *none set when the image has no such layer.  */
static char *
image_layer (struct husk_engine *e, const char *image_id, size_t up, bool *none,
             husk_error_t *err)
{
  struct husk_image_rec img = { 0 };
  size_t n;
  char *layer = NULL;

  *none = false;
  if (husk_state_image_get (e->state, image_id, &img, err) < 0)
    return NULL;
  n = husk_strv_len (img.layers);
  if (n > up)
    layer = husk_xstrdup (img.layers[n - 1 - up]);
  else
    *none = true;
  husk_image_rec_release (&img);
  return layer;
}

/* Open the tree of o (up: as image_layer); an image without that layer
   is the empty tree (fd -1).  */
static int
tree_open (struct husk_engine *e, const struct husk_fs_obj *o, size_t up, struct tree *t,
           husk_error_t *err)
{
  cleanup_free char *path = NULL;
  bool none;

  *t = (struct tree){ .fd = -1 };
  if (o->ctr)
    {
      if (mount_root (e, o->ctr->id, &t->fd, err) < 0)
        return -1;
      t->ctr_id = o->ctr->id;
      return 0;
    }
  t->layer = image_layer (e, o->image_id, up, &none, err);
  if (t->layer == NULL)
    return none ? 0 : -1;
  if ((path = husk_store_image_mount (e->store, t->layer, err)) == NULL)
    {
      free (t->layer);
      t->layer = NULL;
      return -1;
    }
  t->fd = open (path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (t->fd < 0)
    {
      husk_error_make (err, errno, "open '%s'", path);
      tree_close (e, t);
      return -1;
    }
  return 0;
}

int
husk_fs_diff (struct husk_engine *e, const struct husk_fs_obj *now,
              const struct husk_fs_obj *before, struct husk_change **out, size_t *n,
              husk_error_t *err)
{
  struct tree a, b = { .fd = -1 };
  int ret = -1;

  if (before == NULL && now->ctr)
    return husk_container_diff (e, now->ctr, out, n, err);
  if (tree_open (e, now, 0, &a, err) < 0)
    return -1;
  if (a.fd < 0) /* an image with no layer at all */
    husk_error_makex (err, ENOENT, "image %s has no layers", now->image_id);
  else if (tree_open (e, before ? before : now, before ? 0 : 1, &b, err) == 0)
    {
      ret = husk_changes_compare (a.fd, b.fd, out, n, err);
      tree_close (e, &b);
    }
  tree_close (e, &a);
  if (ret == 0 && (now->ctr || (before && before->ctr)))
    drop_runtime_paths (*out, n);
  return ret;
}

/* ---- export ---------------------------------------------------------------- */

int
husk_container_export (struct husk_engine *e, const struct husk_container_rec *r,
                       int out_fd, husk_error_t *err)
{
  struct husk_fstar_opts o = { .xattrs = true };
  cleanup_json json_t *cfg = json_loads (r->config, 0, NULL);
  struct husk_idmap uids, gids;
  struct husk_fstar *w = NULL;
  int rootfd = -1, ret;

  if (husk_container_idmaps (cfg, &uids, &gids))
    {
      o.uids = &uids;
      o.gids = &gids;
    }
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
