/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * --mount type=image: an image's root file system, read-only, at a path in
 * the container.
 *
 * Theory of operation.  Create records the image by ID (ccfg.c).  Each
 * start mounts the image through the store, as `husk image mount` does:
 * one read-only mount per image, counted, so containers (and `image
 * mount`) share it.  The spec binds that mount point read-only; the path
 * is the store's own, made from the image's top layer, never a name the
 * container controls.  Each use a container holds is a marker file named
 * for the top layer's hex in <rundir>/image-mounts: whoever unlinks the
 * marker gives the use back, so a release done twice (the exit's cleanup,
 * then rm; a fold of the exit by another command) decrements the count
 * once.  A marker left by a start that never released (killed half-way)
 * is given back before the next start takes its own.
 *
 * With rw=true the container writes through an overlay of its own over
 * that mount: <rundir>/image-rw/<n>/{upper,work,merged}, made at start and
 * unmounted and removed at every release, so what it wrote goes when it
 * stops (Podman).  The image's mount itself stays read-only and shared.
 */
#include "container/imgmount.h"
#include "container/lifecycle.h"
#include "storage/store.h"
#include "util/cleanup.h"
#include "util/fileutil.h"
#include "util/log.h"
#include "util/strutil.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

static char *
marker_dir (struct husk_engine *e, const char *id)
{
  cleanup_free char *run = husk_container_rundir (e, id);

  return husk_asprintf ("%s/image-mounts", run);
}

static char *
rw_dir (struct husk_engine *e, const char *id)
{
  cleanup_free char *run = husk_container_rundir (e, id);

  return husk_asprintf ("%s/image-rw", run);
}

/* Unmount and remove the writable overlays: before the images under them
   are given back, which their mounts would keep busy.  */
static void
release_rw (struct husk_engine *e, const char *id)
{
  cleanup_free char *dir = rw_dir (e, id);
  cleanup_dir DIR *d = opendir (dir);
  struct dirent *de;
  husk_error_t err = NULL;

  if (d == NULL)
    return;
  while ((de = readdir (d)) != NULL)
    {
      cleanup_free char *merged = NULL;
      if (de->d_name[0] == '.')
        continue;
      merged = husk_asprintf ("%s/%s/merged", dir, de->d_name);
      if (umount2 (merged, MNT_DETACH | UMOUNT_NOFOLLOW) < 0 && errno != EINVAL
          && errno != ENOENT)
        husk_log_warn ("release %s: unmount '%s': %s", id, merged, strerror (errno));
    }
  if (husk_rm_rf (dir, &err) < 0)
    husk_error_drop (&err, "release %s: remove '%s'", id, dir);
}

void
husk_container_image_mounts_release (struct husk_engine *e, const char *id)
{
  cleanup_free char *dir = marker_dir (e, id);
  cleanup_dir DIR *d = NULL;
  struct dirent *de;

  release_rw (e, id);
  if ((d = opendir (dir)) == NULL)
    return;
  while ((de = readdir (d)) != NULL)
    {
      cleanup_free char *chain = NULL;
      husk_error_t err = NULL;
      if (de->d_name[0] == '.' || unlinkat (dirfd (d), de->d_name, 0) < 0)
        continue; /* another release took this one */
      chain = husk_asprintf ("sha256:%s", de->d_name);
      if (husk_store_image_unmount (e->store, chain, false, &err) < 0)
        husk_error_drop (&err, "release %s: image mount %s", id, chain);
    }
}

/* The top layer of image_id: its mount key.  */
static char *
image_top (struct husk_engine *e, const char *image_id, husk_error_t *err)
{
  struct husk_image_rec rec = { 0 };
  size_t n;
  char *top;

  if (image_id == NULL || husk_state_image_get (e->state, image_id, &rec, err) < 0)
    return husk_error_makex (err, ENOENT, "image %s not known", image_id ? image_id : ""),
           NULL;
  n = husk_strv_len (rec.layers);
  top = n ? husk_xstrdup (rec.layers[n - 1]) : NULL;
  husk_image_rec_release (&rec);
  if (top == NULL)
    husk_error_makex (err, EINVAL, "image %s has no layers to mount", image_id);
  return top;
}

/* Mount one image (once per container) and record the use.  Return: the
   mount point, or NULL.  */
static char *
mount_one (struct husk_engine *e, int dfd, json_t *done, const char *image_id,
           husk_error_t *err)
{
  cleanup_free char *top = image_top (e, image_id, err);
  const char *have;
  char *path;
  int fd;

  if (top == NULL)
    return NULL;
  if ((have = json_string_value (json_object_get (done, top))))
    return husk_xstrdup (have);
  path = husk_store_image_mount (e->store, top, err);
  if (path == NULL)
    return NULL;
  fd = openat (dfd, top + 7, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0)
    {
      husk_error_t uerr = NULL;
      husk_error_make (err, errno, "record image mount '%s'", top);
      if (husk_store_image_unmount (e->store, top, false, &uerr) < 0)
        husk_error_drop (&uerr, "unmount image %s", top);
      free (path);
      return NULL;
    }
  close (fd);
  json_object_set_new (done, top, json_string (path));
  return path;
}

/* An overlay over the image's mount point lower, writable by the
   container: the n-th under <rundir>/image-rw.  Return: its mount point.  */
static char *
mount_rw (struct husk_engine *e, const char *id, size_t n, const char *lower,
          husk_error_t *err)
{
  cleanup_free char *rw = rw_dir (e, id);
  cleanup_free char *base = husk_asprintf ("%s/%zu", rw, n);
  cleanup_free char *upper = husk_asprintf ("%s/upper", base);
  cleanup_free char *work = husk_asprintf ("%s/work", base);
  cleanup_free char *merged = husk_asprintf ("%s/merged", base);
  cleanup_free char *opts = NULL;

  if (strpbrk (lower, ",:") || strpbrk (base, ",:"))
    return husk_error_makex (err, EINVAL, "image mount: a path with ',' or ':' cannot be an "
                             "overlay layer: '%s'", strpbrk (lower, ",:") ? lower : base),
           NULL;
  if (husk_mkdir_p (upper, 0755, err) < 0 || husk_mkdir_p (work, 0700, err) < 0
      || husk_mkdir_p (merged, 0755, err) < 0)
    return NULL;
  /* Inside a user namespace overlay keeps its own attributes in user.*
     xattrs (trusted.* needs the initial namespace's CAP_SYS_ADMIN).  */
  opts = husk_asprintf ("lowerdir=%s,upperdir=%s,workdir=%s%s", lower, upper, work,
                        e->rootless ? ",userxattr" : "");
  if (mount ("overlay", merged, "overlay", MS_NODEV, opts) < 0)
    return husk_error_make (err, errno, "mount a writable overlay over image mount '%s'",
                            lower), NULL;
  return steal_ptr (&merged);
}

static bool
wants_rw (json_t *m)
{
  size_t i;
  json_t *o;

  json_array_foreach (json_object_get (m, "options"), i, o)
    if (json_is_string (o) && strcmp (json_string_value (o), "rw") == 0)
      return true;
  return false;
}

static int
open_marker_dir (const char *dir, husk_error_t *err)
{
  int fd;

  if (husk_mkdir_p (dir, 0700, err) < 0)
    return -1;
  fd = open (dir, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0)
    return husk_error_make (err, errno, "open '%s'", dir);
  return fd;
}

json_t *
husk_container_image_mounts_prepare (struct husk_engine *e, const char *id, json_t *c,
                                     husk_error_t *err)
{
  cleanup_json json_t *out = json_deep_copy (c), *done = json_object ();
  cleanup_free char *dir = marker_dir (e, id);
  cleanup_close int dfd = -1;
  size_t i;
  json_t *m;

  husk_container_image_mounts_release (e, id);
  json_array_foreach (json_object_get (out, "mounts"), i, m)
    {
      const char *type = json_string_value (json_object_get (m, "type"));
      cleanup_free char *path = NULL;
      if (type == NULL || strcmp (type, "image") != 0)
        continue;
      if (dfd < 0 && (dfd = open_marker_dir (dir, err)) < 0)
        return NULL;
      path = mount_one (e, dfd, done, json_string_value (json_object_get (m, "source")), err);
      if (path == NULL)
        return husk_error_wrap (err, "mount image %s at '%s'",
                                json_string_value (json_object_get (m, "source")),
                                json_string_value (json_object_get (m, "destination"))),
               NULL;
      if (wants_rw (m))
        {
          char *merged = mount_rw (e, id, i, path, err);
          if (merged == NULL)
            return NULL;
          free (path);
          path = merged;
          /* For the spec, a plain writable bind of the overlay.  */
          json_object_set_new (m, "type", json_string ("bind"));
        }
      json_object_set_new (m, "source", json_string (path));
    }
  return steal_ptr (&out);
}
