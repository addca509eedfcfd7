/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The vfs driver: every layer's diff/ is the full root file system of the
 * image up to that layer, made by copying the parent's tree and applying
 * the layer's tar with whiteouts turned into deletions.  Slow and
 * space-hungry, but it needs nothing from the kernel, so it works
 * everywhere, rootless included.  Mounting is a no-op: the directory is
 * the rootfs.
 */
#include "storage/copy.h"
#include "storage/driver.h"
#include "util/cleanup.h"
#include "util/strutil.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

/* Copy layers/<hex>/diff into dst_dir (an empty directory under base_fd).  */
static int
copy_layer_tree (struct husk_store *s, const char *hex, int base_fd,
                 const char *dst_dir, husk_error_t *err)
{
  cleanup_free char *rel = husk_asprintf ("layers/%s/diff", hex);
  cleanup_close int src = openat (s->dir_fd, rel, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  cleanup_close int dst = openat (base_fd, dst_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  struct husk_copy_opts o = { .rootless = s->rootless };
  struct stat st;

  if (src < 0)
    return husk_error_make (err, errno, "open '%s/%s'", s->dir, rel);
  if (dst < 0)
    return husk_error_make (err, errno, "open '%s'", dst_dir);
  if (husk_copy_tree (src, dst, &o, err) < 0)
    return husk_error_wrap (err, "copy layer '%s'", hex);
  /* The copy's root keeps the layer root's mode (a container's / too).  */
  if (fstat (src, &st) < 0 || fchmod (dst, st.st_mode & 07777) < 0)
    return husk_error_make (err, errno, "chmod '%s'", dst_dir);
  return 0;
}

static int
vfs_layer_prepare (struct husk_store *s, const char *parent_hex, int layer_fd,
                   husk_error_t *err)
{
  if (parent_hex == NULL)
    return 0;
  return copy_layer_tree (s, parent_hex, layer_fd, "diff", err);
}

static int
vfs_layer_commit (struct husk_store *s, const char *hex, const char *parent_hex,
                  int layer_fd, husk_error_t *err)
{
  (void) s, (void) hex, (void) parent_hex, (void) layer_fd, (void) err;
  return 0;
}

static void
vfs_layer_release (struct husk_store *s, int layer_fd)
{
  (void) s, (void) layer_fd;
}

static int
vfs_container_prepare (struct husk_store *s, const char *image_hex, int ctr_fd,
                       husk_error_t *err)
{
  if (mkdirat (ctr_fd, "diff", 0755) < 0)
    return husk_error_make (err, errno, "mkdir 'diff'");
  if (image_hex == NULL)
    return 0;
  return copy_layer_tree (s, image_hex, ctr_fd, "diff", err);
}

const struct husk_storage_driver husk_storage_vfs = {
  .name = "vfs",
  .whiteout = HUSK_WHITEOUT_DELETE,
  .layer_prepare = vfs_layer_prepare,
  .layer_commit = vfs_layer_commit,
  .layer_release = vfs_layer_release,
  .image_mount = NULL,
  .container_prepare = vfs_container_prepare,
  .container_mount = NULL,
};
