/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * -v SRC:DST:U and --mount type=bind|volume,...,U: the source is given to
 * the container's user at every start.
 *
 * The source is a host path the caller named, and what lies beneath it
 * may be written by a container that had it mounted before: every step
 * is made on descriptors, never on names.  Directories are opened with
 * O_NOFOLLOW beneath their parent's descriptor, symbolic links are
 * changed themselves (AT_SYMLINK_NOFOLLOW), never followed, and the walk
 * stays on the source's file system (a mount beneath it is not ours to
 * give away).
 */
#include "container/mount-chown.h"
#include "runtime/user.h"
#include "util/cleanup.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static bool
has_u (json_t *m)
{
  size_t i;
  json_t *v;

  json_array_foreach (json_object_get (m, "options"), i, v)
    if (json_string_value (v) && strcmp (json_string_value (v), "U") == 0)
      return true;
  return false;
}

/* Deeper than this, a tree is someone's attack on husk's stack and
   descriptors (two a level: 256 levels stay within the usual 1024), not
   data.  */
#define CHOWN_MAX_DEPTH 256

/* Change the owner of everything beneath the directory dfd (dev: its
   file system), depth levels down already.  */
static int
chown_tree (int dfd, dev_t dev, uid_t uid, gid_t gid, const char *path, int depth,
            husk_error_t *err)
{
  int dup_fd = dup (dfd);
  cleanup_dir DIR *d = dup_fd >= 0 ? fdopendir (dup_fd) : NULL;
  struct dirent *de;

  if (d == NULL)
    {
      if (dup_fd >= 0)
        close (dup_fd);
      return husk_error_make (err, errno, "read '%s'", path);
    }
  if (depth > CHOWN_MAX_DEPTH)
    return husk_error_makex (err, ELOOP, "'%s' has directories more than %d levels deep",
                             path, CHOWN_MAX_DEPTH);
  while ((errno = 0, de = readdir (d)) != NULL)
    {
      cleanup_close int fd = -1, sub = -1;
      struct stat st;
      if (strcmp (de->d_name, ".") == 0 || strcmp (de->d_name, "..") == 0)
        continue;
      /* The entry itself (a symlink as a link), checked and changed
         through one descriptor: a swap after the check changes nothing
         but what was checked.  */
      fd = openat (dfd, de->d_name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
      if (fd < 0 && errno == ENOENT)
        continue;
      if (fd < 0 || fstat (fd, &st) < 0)
        return husk_error_make (err, errno, "open '%s/%s'", path, de->d_name);
      if (st.st_dev != dev)
        continue;
      if (fchownat (fd, "", uid, gid, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW) < 0)
        return husk_error_make (err, errno, "chown '%s/%s'", path, de->d_name);
      if (!S_ISDIR (st.st_mode))
        continue;
      sub = openat (fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
      if (sub < 0)
        return husk_error_make (err, errno, "open '%s/%s'", path, de->d_name);
      close (fd);
      fd = -1;
      if (chown_tree (sub, dev, uid, gid, path, depth + 1, err) < 0)
        return -1;
    }
  if (errno)
    return husk_error_make (err, errno, "read '%s'", path);
  return 0;
}

static int
chown_source (const char *src, uid_t uid, gid_t gid, husk_error_t *err)
{
  cleanup_close int fd = open (src, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
  struct stat st;

  if (fd < 0 && errno == ELOOP)
    return 0; /* the source itself a symlink: nothing that is ours to change */
  if (fd < 0 || fstat (fd, &st) < 0)
    return husk_error_make (err, errno, "open '%s'", src);
  if (fchown (fd, uid, gid) < 0)
    return husk_error_make (err, errno, "chown '%s'", src);
  if (!S_ISDIR (st.st_mode))
    return 0;
  return chown_tree (fd, st.st_dev, uid, gid, src, 0, err);
}

int
husk_container_chown_mounts (json_t *c, const char *rootfs, husk_error_t *err)
{
  const char *spec = json_string_value (json_object_get (c, "user"));
  cleanup_close int rootfd = -1;
  struct husk_user u = { 0 };
  bool resolved = false;
  int ret = 0;
  size_t i;
  json_t *m;

  json_array_foreach (json_object_get (c, "mounts"), i, m)
    {
      const char *type = json_string_value (json_object_get (m, "type"));
      const char *src = json_string_value (json_object_get (m, "source"));
      if (type == NULL || (strcmp (type, "bind") && strcmp (type, "volume")) || src == NULL
          || !has_u (m))
        continue;
      if (!resolved)
        {
          rootfd = open (rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
          if (rootfd < 0)
            return husk_error_make (err, errno, "open root file system '%s'", rootfs);
          if (husk_user_resolve (rootfd, spec && *spec ? spec : "0", NULL, &u, err) < 0)
            return husk_error_wrap (err, "mount option U");
          resolved = true;
        }
      if ((ret = chown_source (src, u.uid, u.gid, err)) < 0)
        {
          husk_error_wrap (err, "mount option U for '%s'",
                           json_string_value (json_object_get (m, "destination")));
          break;
        }
    }
  if (resolved)
    husk_user_release (&u);
  return ret;
}
