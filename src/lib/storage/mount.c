/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Mounting images and container layers, and the container layers' life.
 *
 * Mounts are counted so that nested mount/unmount pairs (two commands
 * using one image at once) work: a directory under the run root holds a
 * "count" file, and every change to it happens under flock() of that file.
 * The count is trusted only while the mount point really is a mount, so a
 * reboot (run root cleared) or an unmount behind our back self-heals.
 *   images:      <runroot>/<driver>/mounts/<hex>/{count,merged}
 *   containers:  <runroot>/<driver>/containers/<id>/count, mounted on
 *                <graphroot>/<driver>/containers/<id>/merged
 * Drivers without a mount (vfs) return the directory itself, uncounted.
 */
#include "storage/driver.h"
#include "storage/store.h"
#include "util/cleanup.h"
#include "util/digest.h"
#include "util/fileutil.h"
#include "util/log.h"
#include "util/strutil.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

typedef int (*mount_fn) (struct husk_store *s, const char *key, const char *target,
                         husk_error_t *err);

/* Open and lock countdir/count.  Return: fd, or -1.  */
static int
lock_count (const char *countdir, husk_error_t *err)
{
  cleanup_free char *p = husk_asprintf ("%s/count", countdir);
  cleanup_close int fd = -1;

  if (husk_mkdir_p (countdir, 0700, err) < 0)
    return -1;
  fd = open (p, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0)
    return husk_error_make (err, errno, "open '%s'", p);
  if (flock (fd, LOCK_EX) < 0)
    return husk_error_make (err, errno, "lock '%s'", p);
  return steal_fd (&fd);
}

static long
read_count (int fd)
{
  char buf[32];
  ssize_t n = pread (fd, buf, sizeof buf - 1, 0);

  if (n <= 0)
    return 0;
  buf[n] = '\0';
  return strtol (buf, NULL, 10);
}

static int
write_count (int fd, long n, husk_error_t *err)
{
  char buf[32];
  int len = snprintf (buf, sizeof buf, "%ld\n", n);

  if (ftruncate (fd, 0) < 0 || pwrite (fd, buf, (size_t) len, 0) != len)
    return husk_error_make (err, errno, "write mount count");
  return 0;
}

static int
counted_mount (struct husk_store *s, const char *countdir, const char *target,
               mount_fn fn, const char *key, husk_error_t *err)
{
  cleanup_close int lock = lock_count (countdir, err);
  long n;

  if (lock < 0)
    return -1;
  if (husk_mkdir_p (target, 0700, err) < 0)
    return -1;
  n = read_count (lock);
  if (n > 0 && husk_store_is_mountpoint (target))
    return write_count (lock, n + 1, err);
  if (fn (s, key, target, err) < 0)
    return -1;
  return write_count (lock, 1, err);
}

static int
counted_unmount (const char *countdir, const char *target, bool force,
                 husk_error_t *err)
{
  cleanup_close int lock = lock_count (countdir, err);
  long n;

  if (lock < 0)
    return -1;
  n = read_count (lock);
  /* Not mounted: the count heals to 0 (an unmount done twice, as the
     cleanup of an exited container does, writes nothing).  */
  if (!husk_store_is_mountpoint (target))
    return n == 0 ? 0 : write_count (lock, 0, err);
  if (n > 1 && !force)
    return write_count (lock, n - 1, err);
  if (umount2 (target, 0) < 0)
    {
      if (errno != EBUSY || !force)
        return husk_error_make (err, errno, "unmount '%s'", target);
      if (umount2 (target, MNT_DETACH) < 0)
        return husk_error_make (err, errno, "unmount '%s'", target);
    }
  return write_count (lock, 0, err);
}

/* Images.  */

char *
husk_store_image_mount (struct husk_store *s, const char *chain_id,
                        husk_error_t *err)
{
  const char *hex = husk_store_chain_hex (chain_id, err);
  cleanup_free char *countdir = NULL, *target = NULL;

  if (hex == NULL)
    return NULL;
  if (!husk_store_layer_exists (s, chain_id))
    {
      husk_error_makex (err, ENOENT, "layer '%s' not found", chain_id);
      return NULL;
    }
  if (s->driver->image_mount == NULL)
    return husk_asprintf ("%s/layers/%s/diff", s->dir, hex);
  countdir = husk_asprintf ("%s/mounts/%s", s->rundir, hex);
  target = husk_asprintf ("%s/merged", countdir);
  if (counted_mount (s, countdir, target, s->driver->image_mount, hex, err) < 0)
    {
      husk_error_wrap (err, "mount image '%s'", chain_id);
      return NULL;
    }
  return steal_ptr (&target);
}

bool
husk_store_image_mounted (struct husk_store *s, const char *chain_id)
{
  cleanup_free char *target = NULL;

  if (s->driver->image_mount == NULL || !husk_digest_valid (chain_id))
    return false;
  target = husk_asprintf ("%s/mounts/%s/merged", s->rundir, chain_id + 7);
  return husk_store_is_mountpoint (target);
}

int
husk_store_image_unmount (struct husk_store *s, const char *chain_id, bool force,
                          husk_error_t *err)
{
  const char *hex = husk_store_chain_hex (chain_id, err);
  cleanup_free char *countdir = NULL, *target = NULL;

  if (hex == NULL)
    return -1;
  if (s->driver->image_mount == NULL)
    return 0;
  countdir = husk_asprintf ("%s/mounts/%s", s->rundir, hex);
  target = husk_asprintf ("%s/merged", countdir);
  if (!husk_path_exists (countdir))
    return 0;
  return counted_unmount (countdir, target, force, err);
}

/* Containers.  */

static int
check_id (const char *id, husk_error_t *err)
{
  if (id == NULL || *id == '\0' || strlen (id) > 255 || strchr (id, '/')
      || strcmp (id, ".") == 0 || strcmp (id, "..") == 0)
    return husk_error_makex (err, EINVAL, "invalid container ID '%s'", id ? id : "");
  return 0;
}

int
husk_store_container_create (struct husk_store *s, const char *id,
                             const char *image_chain, husk_error_t *err)
{
  cleanup_free char *target = NULL;
  struct husk_work_dir w = { NULL, NULL, -1 };
  const char *image_hex = NULL;

  if (check_id (id, err) < 0)
    return -1;
  if (image_chain && *image_chain)
    {
      image_hex = husk_store_chain_hex (image_chain, err);
      if (image_hex == NULL)
        return -1;
      if (!husk_store_layer_exists (s, image_chain))
        return husk_error_makex (err, ENOENT, "layer '%s' not found", image_chain);
    }
  target = husk_asprintf ("%s/containers/%s", s->dir, id);
  if (husk_path_exists (target))
    return husk_error_makex (err, EEXIST, "container storage '%s' already exists", id);
  if (husk_store_work_new (s, "ctr-", &w, err) < 0)
    return -1;
  if (s->driver->container_prepare (s, image_hex, w.fd, err) < 0)
    {
      husk_store_work_discard (s, &w);
      return husk_error_wrap (err, "create container storage '%s'", id);
    }
  if (rename (w.path, target) < 0)
    {
      int saved = errno;

      husk_store_work_discard (s, &w);
      if (saved == EEXIST || saved == ENOTEMPTY)
        return husk_error_makex (err, EEXIST, "container storage '%s' already exists", id);
      return husk_error_make (err, saved, "rename into '%s'", target);
    }
  free (w.path);
  w.path = NULL;
  husk_store_work_discard (s, &w);
  return 0;
}

int
husk_store_container_set_transient (struct husk_store *s, const char *id, husk_error_t *err)
{
  cleanup_free char *rel = NULL;
  cleanup_close int fd = -1;

  if (check_id (id, err) < 0)
    return -1;
  rel = husk_asprintf ("containers/%s/transient", id);
  fd = openat (s->dir_fd, rel, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0)
    return husk_error_make (err, errno, "mark container storage '%s' transient", id);
  return 0;
}

char *
husk_store_container_mount (struct husk_store *s, const char *id,
                            husk_error_t *err)
{
  cleanup_free char *dir = NULL, *countdir = NULL, *target = NULL;

  if (check_id (id, err) < 0)
    return NULL;
  dir = husk_asprintf ("%s/containers/%s", s->dir, id);
  if (!husk_path_exists (dir))
    {
      husk_error_makex (err, ENOENT, "container storage '%s' not found", id);
      return NULL;
    }
  if (s->driver->container_mount == NULL)
    return husk_asprintf ("%s/diff", dir);
  countdir = husk_asprintf ("%s/containers/%s", s->rundir, id);
  target = husk_asprintf ("%s/merged", dir);
  if (counted_mount (s, countdir, target, s->driver->container_mount, id, err) < 0)
    {
      husk_error_wrap (err, "mount container '%s'", id);
      return NULL;
    }
  return steal_ptr (&target);
}

int
husk_store_container_unmount (struct husk_store *s, const char *id, bool force,
                              husk_error_t *err)
{
  cleanup_free char *countdir = NULL, *target = NULL;

  if (check_id (id, err) < 0)
    return -1;
  if (s->driver->container_mount == NULL)
    return 0;
  countdir = husk_asprintf ("%s/containers/%s", s->rundir, id);
  target = husk_asprintf ("%s/containers/%s/merged", s->dir, id);
  if (!husk_path_exists (countdir))
    return 0;
  return counted_unmount (countdir, target, force, err);
}

/* Unmount container id and move its storage into a new work directory w
   (locked), then drop its mount count.  */
static int
take_out (struct husk_store *s, const char *id, struct husk_work_dir *w, husk_error_t *err)
{
  cleanup_free char *src = NULL, *dst = NULL, *countdir = NULL;

  if (check_id (id, err) < 0)
    return -1;
  if (husk_store_container_unmount (s, id, true, err) < 0)
    return -1;
  src = husk_asprintf ("%s/containers/%s", s->dir, id);
  if (husk_store_work_new (s, "rm-", w, err) < 0)
    return -1;
  dst = husk_asprintf ("%s/container", w->path);
  if (rename (src, dst) < 0)
    {
      int saved = errno;

      husk_store_work_discard (s, w);
      if (saved == ENOENT)
        return husk_error_makex (err, ENOENT, "container storage '%s' not found", id);
      return husk_error_make (err, saved, "remove container storage '%s'", id);
    }
  countdir = husk_asprintf ("%s/containers/%s", s->rundir, id);
  return husk_rm_rf (countdir, err);
}

int
husk_store_container_remove (struct husk_store *s, const char *id,
                             husk_error_t *err)
{
  struct husk_work_dir w = { NULL, NULL, -1 };
  int ret = take_out (s, id, &w, err);

  husk_store_work_discard (s, &w);
  return ret;
}

int
husk_store_container_remove_later (struct husk_store *s, const char *id,
                                   const char *also, char **trash, husk_error_t *err)
{
  struct husk_work_dir w = { NULL, NULL, -1 };
  cleanup_free char *dst = NULL;

  *trash = NULL;
  if (take_out (s, id, &w, err) < 0)
    {
      husk_store_work_discard (s, &w);
      return -1;
    }
  dst = husk_asprintf ("%s/bundle", w.path);
  if (also && rename (also, dst) < 0 && errno != ENOENT)
    {
      /* Another file system: no deferring it.  */
      husk_error_t rmerr = NULL;
      if (husk_rm_rf (also, &rmerr) < 0)
        husk_error_drop_warn (&rmerr, "remove '%s'", also);
    }
  /* Unlocked now: the one who deletes it takes the lock, and should a
     husk_store_open() get there first, it deletes it just the same.  */
  *trash = steal_ptr (&w.name);
  free (w.path);
  close (w.fd);
  return 0;
}

char *
husk_store_tmp_dir (struct husk_store *s)
{
  return husk_asprintf ("%s/tmp", s->dir);
}

char *
husk_store_cache_dir (struct husk_store *s)
{
  return husk_asprintf ("%s/cache", s->dir);
}
