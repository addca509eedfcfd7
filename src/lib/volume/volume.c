/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Volume files: names, directories, mount options, seeding from an image
 * and import.
 *
 * Theory of operation
 *
 * Every path below <root>/volumes is made from a checked name, so a name
 * can never climb out ("..", "/").  Content that does not come from us is
 * handled through directory fds only:
 *  - seeding (copy up) opens the mount destination inside the container's
 *    root file system with openat2(RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS):
 *    the image decides what /etc is, symlinks included, but whatever it
 *    says resolves inside the image.  The copy itself (storage/copy.c)
 *    walks with *at() calls and never follows a link;
 *  - import is the layer extractor (storage/tar.c), which refuses entries
 *    that climb out and never writes through a symlink;
 *  - export (export.c) walks with O_NOFOLLOW directory fds.
 * Mounts: a volume with a type or a bind in its options gets mount(2)
 * with exactly those on _data at first use.  Removal unmounts first and
 * refuses to descend into a _data that is still a mount point, so a bind
 * volume's host directory is never emptied by `volume rm`.
 */
#include "volume/volume.h"
#include "storage/copy.h"
#include "storage/tar.h"
#include "util/cleanup.h"
#include "util/fileutil.h"
#include "util/strutil.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

bool
husk_volume_name_valid (const char *n)
{
  return husk_name_valid (n);
}

char *
husk_volume_dir (const char *volpath, const char *name)
{
  return husk_asprintf ("%s/%s", volpath, name);
}

char *
husk_volume_data_dir (const char *volpath, const char *name)
{
  return husk_asprintf ("%s/%s/_data", volpath, name);
}

/* ---- options ------------------------------------------------------------ */

static bool
has_bind (const char *o)
{
  cleanup_strv char **v = husk_strv_split (o ? o : "", ',');

  return husk_strv_contains (v, "bind") || husk_strv_contains (v, "rbind");
}

bool
husk_volume_options_need_mount (json_t *options)
{
  return json_object_get (options, "type") != NULL
         || has_bind (json_string_value (json_object_get (options, "o")));
}

static int
check_options (json_t *o, husk_error_t *err)
{
  const char *type = json_string_value (json_object_get (o, "type"));
  const char *device = json_string_value (json_object_get (o, "device"));
  const char *mo = json_string_value (json_object_get (o, "o"));
  struct stat st;

  if (has_bind (mo))
    {
      if (device == NULL || device[0] != '/')
        return husk_error_makex (err, EINVAL, "a bind volume needs an absolute path: "
                                 "use --opt device=/PATH");
      if (stat (device, &st) < 0)
        return husk_error_make (err, errno, "bind volume device '%s'", device);
      if (!S_ISDIR (st.st_mode))
        return husk_error_makex (err, ENOTDIR, "bind volume device '%s' is not a directory",
                                 device);
      return 0;
    }
  if (type == NULL && (device || mo))
    return husk_error_makex (err, EINVAL, "volume options need a file system type: "
                             "use --opt type=TYPE (or --opt o=bind)");
  if (type == NULL)
    return 0;
  if (*type == '\0' || strcmp (type, "none") == 0)
    return husk_error_makex (err, EINVAL, "volume type \"%s\" needs --opt o=bind", type);
  if (strcmp (type, "tmpfs") != 0 && (device == NULL || *device == '\0'))
    return husk_error_makex (err, EINVAL, "volume type \"%s\" needs --opt device=DEVICE",
                             type);
  return 0;
}

json_t *
husk_volume_options_parse (char *const *opts, husk_error_t *err)
{
  cleanup_json json_t *o = json_object ();

  for (size_t i = 0; opts && opts[i]; i++)
    {
      const char *eq = strchr (opts[i], '=');
      cleanup_free char *key = eq ? husk_xstrndup (opts[i], eq - opts[i]) : husk_xstrdup (opts[i]);

      if (strcmp (key, "type") && strcmp (key, "device") && strcmp (key, "o"))
        return husk_error_makex (err, EINVAL, "invalid mount option %s for driver 'local': "
                                 "invalid argument", key), NULL;
      if (eq == NULL)
        return husk_error_makex (err, EINVAL, "invalid volume option \"%s\": expected "
                                 "%s=VALUE", opts[i], key), NULL;
      json_object_set_new (o, key, json_string (eq + 1));
    }
  if (check_options (o, err) < 0)
    return NULL;
  return steal_ptr (&o);
}

/* ---- directories ---------------------------------------------------------- */

int
husk_volume_dirs_create (const char *volpath, const char *name, husk_error_t *err)
{
  cleanup_free char *dir = husk_volume_dir (volpath, name);
  cleanup_free char *data = husk_volume_data_dir (volpath, name);

  if (!husk_volume_name_valid (name))
    return husk_error_makex (err, EINVAL, "invalid volume name \"%s\"", name);
  if (husk_mkdir_p (volpath, 0700, err) < 0)
    return -1;
  if (mkdir (dir, 0700) < 0 && errno != EEXIST)
    return husk_error_make (err, errno, "create volume directory '%s'", dir);
  if (mkdir (data, 0755) == 0)
    chmod (data, 0755); /* whatever the umask */
  else if (errno != EEXIST)
    return husk_error_make (err, errno, "create volume directory '%s'", data);
  return 0;
}

int
husk_volume_dirs_remove (const char *volpath, const char *name, husk_error_t *err)
{
  cleanup_free char *dir = husk_volume_dir (volpath, name);
  cleanup_free char *data = husk_volume_data_dir (volpath, name);

  if (!husk_volume_name_valid (name))
    return husk_error_makex (err, EINVAL, "invalid volume name \"%s\"", name);
  if (husk_volume_unmount (data, err) < 0)
    return -1;
  if (husk_volume_is_mounted (data))
    return husk_error_makex (err, EBUSY, "volume '%s' is still mounted on '%s': not removing "
                             "its directory", name, data);
  return husk_rm_rf (dir, err);
}

/* ---- mounts ----------------------------------------------------------------- */

bool
husk_volume_is_mounted (const char *data_dir)
{
  struct statx stx;

  if (statx (AT_FDCWD, data_dir, AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS, &stx) < 0)
    return false;
  return (stx.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT)
         && (stx.stx_attributes & STATX_ATTR_MOUNT_ROOT);
}

struct mount_flag
{
  const char *name;
  unsigned long set, clear;
};

static const struct mount_flag mount_flags[] = {
  { "ro", MS_RDONLY, 0 },          { "rw", 0, MS_RDONLY },
  { "nosuid", MS_NOSUID, 0 },      { "suid", 0, MS_NOSUID },
  { "nodev", MS_NODEV, 0 },        { "dev", 0, MS_NODEV },
  { "noexec", MS_NOEXEC, 0 },      { "exec", 0, MS_NOEXEC },
  { "sync", MS_SYNCHRONOUS, 0 },   { "async", 0, MS_SYNCHRONOUS },
  { "noatime", MS_NOATIME, 0 },    { "atime", 0, MS_NOATIME },
  { "nodiratime", MS_NODIRATIME, 0 }, { "diratime", 0, MS_NODIRATIME },
  { "relatime", MS_RELATIME, 0 },  { "norelatime", 0, MS_RELATIME },
  { "strictatime", MS_STRICTATIME, 0 },
  { "bind", MS_BIND, 0 },          { "rbind", MS_BIND | MS_REC, 0 },
};

/* Split "o" into mount flags and the data string the file system gets.  */
static char *
split_mount_options (const char *o, unsigned long *flags)
{
  cleanup_strv char **v = husk_strv_split (o ? o : "", ',');
  struct husk_buf data = HUSK_BUF_INIT;

  *flags = 0;
  for (size_t i = 0; v[i]; i++)
    {
      size_t k;
      if (*v[i] == '\0')
        continue;
      for (k = 0; k < sizeof mount_flags / sizeof mount_flags[0]; k++)
        if (strcmp (v[i], mount_flags[k].name) == 0)
          break;
      if (k < sizeof mount_flags / sizeof mount_flags[0])
        {
          *flags = (*flags & ~mount_flags[k].clear) | mount_flags[k].set;
          continue;
        }
      if (data.len)
        husk_buf_putc (&data, ',');
      husk_buf_puts (&data, v[i]);
    }
  return husk_buf_steal (&data);
}

static int
mount_failed (husk_error_t *err, const char *what, const char *data_dir)
{
  int code = errno;

  if (code == EPERM && geteuid () != 0)
    return husk_error_make (err, code, "mount %s on '%s' (volumes with mount options "
                            "need root)", what, data_dir);
  return husk_error_make (err, code, "mount %s on '%s'", what, data_dir);
}

int
husk_volume_mount (const char *data_dir, json_t *options, husk_error_t *err)
{
  const char *type = json_string_value (json_object_get (options, "type"));
  const char *device = json_string_value (json_object_get (options, "device"));
  unsigned long flags;
  cleanup_free char *data = NULL;

  if (!husk_volume_options_need_mount (options) || husk_volume_is_mounted (data_dir))
    return 0;
  data = split_mount_options (json_string_value (json_object_get (options, "o")), &flags);
  if (flags & MS_BIND)
    {
      /* A bind takes no data, and its flags apply only on a remount.  */
      if (mount (device, data_dir, NULL, flags & (MS_BIND | MS_REC), NULL) < 0)
        return mount_failed (err, device, data_dir);
      if ((flags & ~(MS_BIND | MS_REC))
          && mount (NULL, data_dir, NULL, (flags & ~MS_REC) | MS_REMOUNT, NULL) < 0)
        {
          mount_failed (err, device, data_dir);
          umount2 (data_dir, MNT_DETACH);
          return -1;
        }
      return 1;
    }
  if (device == NULL || *device == '\0')
    device = type;
  if (mount (device, data_dir, type, flags, *data ? data : NULL) < 0)
    return mount_failed (err, type, data_dir);
  return 1;
}

int
husk_volume_unmount (const char *data_dir, husk_error_t *err)
{
  /* Mounts can be stacked (one made by hand, say): take them all.  */
  for (int i = 0; i < 16 && husk_volume_is_mounted (data_dir); i++)
    if (umount2 (data_dir, MNT_DETACH) < 0 && errno != EINVAL && errno != ENOENT)
      return husk_error_make (err, errno, "unmount '%s'", data_dir);
  return 0;
}

/* ---- content ------------------------------------------------------------- */

int
husk_volume_is_empty (int dir_fd, husk_error_t *err)
{
  int fd = openat (dir_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  cleanup_dir DIR *d = fd >= 0 ? fdopendir (fd) : NULL;
  struct dirent *de;

  if (d == NULL)
    {
      if (fd >= 0)
        close (fd);
      return husk_error_make (err, errno, "open volume directory");
    }
  while ((errno = 0, de = readdir (d)) != NULL)
    if (strcmp (de->d_name, ".") && strcmp (de->d_name, ".."))
      return 0;
  if (errno)
    return husk_error_make (err, errno, "read volume directory");
  return 1;
}

/* Open path inside the root file system rootfd as a directory; symlinks
   and ".." resolve as if rootfd were "/".  */
static int
open_in_root (int rootfd, const char *path)
{
  struct open_how how = {
    .flags = O_RDONLY | O_DIRECTORY | O_CLOEXEC,
    .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
  };
  int fd = -1;

  for (int tries = 0; tries < 32; tries++)
    {
      fd = (int) syscall (SYS_openat2, rootfd, path, &how, sizeof how);
      if (fd >= 0 || (errno != EAGAIN && errno != EINTR))
        break;
    }
  return fd;
}

int
husk_volume_copy_up (const char *rootfs, const char *dest, int data_fd, bool rootless,
                     husk_error_t *err)
{
  cleanup_close int rootfd = open (rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
  cleanup_close int src = -1;
  struct husk_copy_opts o = { .rootless = rootless };

  if (rootfd < 0)
    return husk_error_make (err, errno, "open root file system '%s'", rootfs);
  src = open_in_root (rootfd, dest);
  if (src < 0)
    {
      if (errno == ENOENT || errno == ENOTDIR)
        return 0;
      return husk_error_make (err, errno, "open '%s' in the image", dest);
    }
  if (husk_copy_tree (src, data_fd, &o, err) < 0)
    return husk_error_wrap (err, "copy '%s' from the image into the volume", dest);
  return 1;
}

int
husk_volume_import (int data_fd, int in_fd, bool rootless, husk_error_t *err)
{
  struct husk_tar_apply_opts o = { .whiteout = HUSK_WHITEOUT_DELETE, .rootless = rootless,
                                   .ignore_chown_errors = rootless };
  struct husk_tar_result res;

  return husk_tar_apply (in_fd, data_fd, &o, &res, err);
}
