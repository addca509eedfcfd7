/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Container layers of containers with a user namespace of their own
 * (--userns, --uidmap): the image's files, as the container must see
 * them, owned by the host IDs its IDs map to.  The image's tree is copied
 * once per container with its owners shifted ("storage chown"): with
 * overlay into containers/<id>/mapped, the one lower layer of the
 * container's mount; with vfs into containers/<id>/diff.  See
 * design/storage.md, "Containers with their own user namespace".
 */
#include "storage/driver.h"

#include "storage/copy.h"
#include "util/cleanup.h"
#include "util/fileutil.h"
#include "util/idmap.h"
#include "util/strutil.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAPPED "mapped"

static int
write_lower (int ctr_fd, const char *id, husk_error_t *err)
{
  cleanup_free char *text = husk_asprintf ("containers/%s/" MAPPED, id);
  cleanup_close int fd = openat (ctr_fd, "lower", O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC
                                                      | O_NOFOLLOW, 0600);

  if (fd < 0 || husk_write_all (fd, text, strlen (text)) < 0)
    return husk_error_make (err, errno, "write 'lower'");
  return 0;
}

/* The upper directory's root: the mode of the image's root, owned by the
   container's root, as a copy-up would make it.  */
static int
own_upper (int ctr_fd, int src_fd, const struct husk_idmap *uids,
           const struct husk_idmap *gids, husk_error_t *err)
{
  struct stat st;
  uint32_t uid, gid;

  if (fstat (src_fd, &st) < 0)
    return husk_error_make (err, errno, "stat the image's root");
  if (!husk_idmap_to_host (uids, 0, &uid))
    uid = 65534;
  if (!husk_idmap_to_host (gids, 0, &gid))
    gid = 65534;
  if (fchownat (ctr_fd, "diff", uid, gid, AT_SYMLINK_NOFOLLOW) < 0
      || fchmodat (ctr_fd, "diff", st.st_mode & 07777, 0) < 0)
    return husk_error_make (err, errno, "chown 'diff' to %u:%u", uid, gid);
  return 0;
}

static int
fill (struct husk_store *s, const char *id, const char *image_chain,
      const struct husk_idmap *uids, const struct husk_idmap *gids, husk_error_t *err)
{
  cleanup_free char *rel = husk_asprintf ("containers/%s", id);
  cleanup_free char *src = NULL;
  cleanup_close int ctr_fd = openat (s->dir_fd, rel, O_RDONLY | O_DIRECTORY | O_CLOEXEC
                                                         | O_NOFOLLOW);
  cleanup_close int src_fd = -1, dst_fd = -1;
  struct husk_copy_opts o = { .rootless = s->rootless, .uids = uids, .gids = gids };
  bool layered = s->driver->container_mount != NULL;
  int r;

  if (ctr_fd < 0)
    return husk_error_make (err, errno, "open '%s/%s'", s->dir, rel);
  if (layered && mkdirat (ctr_fd, MAPPED, 0755) < 0)
    return husk_error_make (err, errno, "mkdir '%s/%s/" MAPPED "'", s->dir, rel);
  dst_fd = openat (ctr_fd, layered ? MAPPED : "diff", O_RDONLY | O_DIRECTORY | O_CLOEXEC
                                                          | O_NOFOLLOW);
  if (dst_fd < 0)
    return husk_error_make (err, errno, "open '%s/%s'", s->dir, rel);
  if ((src = husk_store_image_mount (s, image_chain, err)) == NULL)
    return -1;
  src_fd = open (src, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  r = src_fd < 0 ? husk_error_make (err, errno, "open '%s'", src)
                 : husk_copy_tree (src_fd, dst_fd, &o, err);
  if (r == 0 && layered)
    r = own_upper (ctr_fd, src_fd, uids, gids, err) < 0 ? -1 : write_lower (ctr_fd, id, err);
  /* An open directory in the mount would keep it busy.  */
  if (src_fd >= 0)
    close (steal_fd (&src_fd));
  if (s->driver->image_mount)
    {
      husk_error_t uerr = NULL;
      if (husk_store_image_unmount (s, image_chain, false, &uerr) < 0)
        husk_error_drop (&uerr, "unmount image '%s'", image_chain);
    }
  return r;
}

int
husk_store_container_create_mapped (struct husk_store *s, const char *id,
                                    const char *image_chain, const struct husk_idmap *uids,
                                    const struct husk_idmap *gids, husk_error_t *err)
{
  if (husk_store_container_create (s, id, NULL, err) < 0)
    return -1;
  if (image_chain == NULL || *image_chain == '\0')
    return 0;
  if (fill (s, id, image_chain, uids, gids, err) < 0)
    {
      husk_error_t rerr = NULL;
      if (husk_store_container_remove (s, id, &rerr) < 0)
        husk_error_drop (&rerr, "remove container storage '%s'", id);
      return husk_error_wrap (err, "copy the image for the container's user namespace");
    }
  return 0;
}
