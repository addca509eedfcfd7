/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The file driver of secrets: <root>/secrets/<id>, written by descriptor.  */
#include "secret/secret.h"
#include "util/cleanup.h"
#include "util/fileutil.h"
#include "util/strutil.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int
husk_secret_name_check (const char *name, husk_error_t *err)
{
  size_t len = strlen (name);

  if (len == 0 || len > 253 || strpbrk (name, "=/,") != NULL || strcmp (name, ".") == 0
      || strcmp (name, "..") == 0)
    return husk_error_makex (err, EINVAL, "secret name \"%s\" can not include '=', '/', ',', "
                             "or the '\\0' (NULL) and be between 1 and 253 characters: "
                             "invalid secret name", name);
  return 0;
}

int
husk_secret_size_check (size_t len, husk_error_t *err)
{
  if (len == 0 || len >= HUSK_SECRET_MAX_SIZE)
    return husk_error_makex (err, EINVAL, "secret data must be larger than 0 and less than "
                             "%d bytes", HUSK_SECRET_MAX_SIZE);
  return 0;
}

/* The directory of the data, made 0700 when missing.  */
static int
open_dir (const char *root, bool create, husk_error_t *err)
{
  cleanup_free char *dir = husk_asprintf ("%s/secrets", root);
  int fd;

  if (create)
    {
      if (husk_mkdir_p (root, 0700, err) < 0)
        return -1;
      if (mkdir (dir, 0700) < 0 && errno != EEXIST)
        return husk_error_make (err, errno, "create '%s'", dir);
    }
  fd = open (dir, O_DIRECTORY | O_NOFOLLOW | O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return husk_error_make (err, errno, "open '%s'", dir);
  if (create && fchmod (fd, 0700) < 0)
    {
      int saved = errno;
      close (fd);
      return husk_error_make (err, saved, "chmod '%s'", dir);
    }
  return fd;
}

static bool
id_ok (const char *id)
{
  return *id != '\0' && strspn (id, "0123456789abcdef") == strlen (id);
}

int
husk_secret_write_at (int dirfd, const char *name, const void *data, size_t len, uid_t uid,
                      gid_t gid, mode_t mode, bool sync, husk_error_t *err)
{
  cleanup_free char *rnd = husk_random_hex (8);
  cleanup_free char *tmp = husk_asprintf (".tmp-%s", rnd);
  cleanup_close int fd = openat (dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW
                                 | O_CLOEXEC, 0600);

  if (fd < 0)
    return husk_error_make (err, errno, "create secret file '%s'", tmp);
  if (husk_write_all (fd, data, len) < 0 || fchown (fd, uid, gid) < 0
      || fchmod (fd, mode) < 0 || (sync && fsync (fd) < 0))
    {
      int saved = errno;
      unlinkat (dirfd, tmp, 0);
      return husk_error_make (err, saved, "write secret file '%s'", name);
    }
  if (renameat (dirfd, tmp, dirfd, name) < 0)
    {
      int saved = errno;
      unlinkat (dirfd, tmp, 0);
      return husk_error_make (err, saved, "rename secret file to '%s'", name);
    }
  return 0;
}

int
husk_secret_data_write (const char *root, const char *id, const void *data, size_t len,
                        husk_error_t *err)
{
  cleanup_close int dirfd = -1;

  if (!id_ok (id))
    return husk_error_makex (err, EINVAL, "invalid secret ID \"%s\"", id);
  dirfd = open_dir (root, true, err);
  if (dirfd < 0)
    return -1;
  if (husk_secret_write_at (dirfd, id, data, len, geteuid (), getegid (), 0600, true, err) < 0)
    return -1;
  if (fsync (dirfd) < 0)
    return husk_error_make (err, errno, "sync '%s/secrets'", root);
  return 0;
}

char *
husk_secret_data_read (const char *root, const char *id, size_t *len, husk_error_t *err)
{
  cleanup_close int dirfd = -1;

  *len = 0;
  if (!id_ok (id))
    return husk_error_makex (err, EINVAL, "invalid secret ID \"%s\"", id), NULL;
  dirfd = open_dir (root, false, err);
  if (dirfd < 0)
    return NULL;
  return husk_read_file_at (dirfd, id, len, err);
}

int
husk_secret_data_remove (const char *root, const char *id, husk_error_t *err)
{
  cleanup_close int dirfd = -1;
  husk_error_t ignored = NULL;

  if (!id_ok (id))
    return husk_error_makex (err, EINVAL, "invalid secret ID \"%s\"", id);
  dirfd = open_dir (root, false, &ignored);
  if (dirfd < 0)
    {
      husk_error_release (&ignored);
      return 0;
    }
  if (unlinkat (dirfd, id, 0) < 0 && errno != ENOENT)
    return husk_error_make (err, errno, "remove secret data '%s'", id);
  return 0;
}
