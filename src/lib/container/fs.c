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

static int
copy (struct husk_engine *e, const struct husk_container_rec *r, bool in, const char *path,
      const char *host, int fd, const struct husk_cp_request *rq, husk_error_t *err)
{
  cleanup_free char *where = husk_asprintf ("container %s", r->name);
  cleanup_free char *workdir = ctr_workdir (r);
  struct husk_cp_opts o = { .overwrite = rq->overwrite, .rootless = e->rootless };
  int rootfd = -1, ret = -1;
  bool mounted;

  o.where = where;
  o.workdir = workdir;
  if (copy_root (e, r, &rootfd, &mounted, err) < 0)
    return -1;
  if (in)
    ret = rq->archive && ctr_owner (rootfd, r, &o, err) < 0
              ? -1
              : husk_cp_into (rootfd, path, host, fd, &o, err);
  else
    ret = husk_cp_out (rootfd, path, host, fd, &o, err);
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
  int sroot = -1, droot = -1, ret = -1;
  bool smounted = false, dmounted = false;

  if (copy_root (e, from, &sroot, &smounted, err) < 0)
    return -1;
  if (copy_root (e, to, &droot, &dmounted, err) == 0)
    {
      ret = rq->archive && ctr_owner (droot, to, &o, err) < 0
                ? -1
                : husk_cp_between (sroot, src, droot, dst, &o, err);
      release_root (e, to, &droot, dmounted);
    }
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
