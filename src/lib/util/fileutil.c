/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Files and directories.  Removal works on directory fds and never follows a
   symlink, so a hostile tree cannot make us delete outside it.  */
#include "util/fileutil.h"
#include "util/cleanup.h"
#include "util/strutil.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int
husk_mkdir_p (const char *path, mode_t mode, husk_error_t *err)
{
  cleanup_free char *copy = NULL;
  char *slash;

  /* Usually everything but the last part exists (or all of it): try the
     whole path first, and walk up only on ENOENT.  */
  if (mkdir (path, mode) == 0 || errno == EEXIST)
    return 0;
  if (errno != ENOENT)
    return husk_error_make (err, errno, "mkdir '%s'", path);
  copy = husk_xstrdup (path);
  slash = strrchr (copy, '/');
  while (slash && slash > copy && slash[-1] == '/')
    slash--;
  if (slash == NULL || slash == copy)
    return husk_error_make (err, ENOENT, "mkdir '%s'", path);
  *slash = '\0';
  if (husk_mkdir_p (copy, mode, err) < 0)
    return -1;
  if (mkdir (path, mode) < 0 && errno != EEXIST)
    return husk_error_make (err, errno, "mkdir '%s'", path);
  return 0;
}

char *
husk_read_file_at (int dirfd, const char *path, size_t *len, husk_error_t *err)
{
  cleanup_close int fd = openat (dirfd, path, O_RDONLY | O_CLOEXEC);
  struct husk_buf b = HUSK_BUF_INIT;
  char chunk[65536];
  ssize_t n;

  if (fd < 0)
    {
      husk_error_make (err, errno, "open '%s'", path);
      return NULL;
    }
  husk_buf_append (&b, "", 0);
  while ((n = read (fd, chunk, sizeof chunk)) != 0)
    {
      if (n < 0)
        {
          if (errno == EINTR)
            continue;
          husk_error_make (err, errno, "read '%s'", path);
          husk_buf_release (&b);
          return NULL;
        }
      husk_buf_append (&b, chunk, n);
    }
  if (len)
    *len = b.len;
  return husk_buf_steal (&b);
}

char *
husk_read_file (const char *path, size_t *len, husk_error_t *err)
{
  return husk_read_file_at (AT_FDCWD, path, len, err);
}

int
husk_write_all (int fd, const void *buf, size_t len)
{
  const char *p = buf;

  while (len > 0)
    {
      ssize_t n = write (fd, p, len);
      if (n < 0)
        {
          if (errno == EINTR)
            continue;
          return -1;
        }
      p += n;
      len -= n;
    }
  return 0;
}

static int
write_replace (const char *path, const void *data, size_t len, mode_t mode,
               bool durable, husk_error_t *err)
{
  cleanup_free char *tmp = husk_asprintf ("%s.tmp-XXXXXX", path);
  cleanup_close int fd = mkostemp (tmp, O_CLOEXEC);

  if (fd < 0)
    return husk_error_make (err, errno, "create '%s'", tmp);
  if (husk_write_all (fd, data, len) < 0 || fchmod (fd, mode) < 0
      || (durable && fsync (fd) < 0))
    {
      int saved = errno;
      unlink (tmp);
      return husk_error_make (err, saved, "write '%s'", path);
    }
  if (rename (tmp, path) < 0)
    {
      int saved = errno;
      unlink (tmp);
      return husk_error_make (err, saved, "rename '%s'", path);
    }
  return 0;
}

int
husk_write_file_atomic (const char *path, const void *data, size_t len,
                        mode_t mode, husk_error_t *err)
{
  return write_replace (path, data, len, mode, true, err);
}

int
husk_write_file_replace (const char *path, const void *data, size_t len,
                         mode_t mode, husk_error_t *err)
{
  return write_replace (path, data, len, mode, false, err);
}

int
husk_write_file_new (const char *path, const void *data, size_t len, mode_t mode,
                     husk_error_t *err)
{
  cleanup_close int fd
      = open (path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);

  if (fd < 0)
    return husk_error_make (err, errno, "create '%s'", path);
  if (husk_write_all (fd, data, len) < 0 || fchmod (fd, mode) < 0)
    {
      int saved = errno;
      unlink (path);
      return husk_error_make (err, saved, "write '%s'", path);
    }
  return 0;
}

static int
rm_contents (int dfd, husk_error_t *err)
{
  cleanup_dir DIR *d = fdopendir (dfd);
  struct dirent *de;

  if (d == NULL)
    {
      close (dfd);
      return husk_error_make (err, errno, "opendir");
    }
  while ((de = readdir (d)) != NULL)
    {
      if (strcmp (de->d_name, ".") == 0 || strcmp (de->d_name, "..") == 0)
        continue;
      if (husk_rm_rf_at (dirfd (d), de->d_name, err) < 0)
        return -1;
    }
  return 0;
}

int
husk_rm_rf_at (int dirfd, const char *name, husk_error_t *err)
{
  int fd;

  if (unlinkat (dirfd, name, 0) == 0 || errno == ENOENT)
    return 0;
  if (errno != EISDIR && errno != EPERM)
    return husk_error_make (err, errno, "remove '%s'", name);
  fd = openat (dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0)
    {
      if (errno == ENOENT)
        return 0;
      /* A directory without read or exec permission: fix and retry.  */
      if (errno == EACCES && fchmodat (dirfd, name, 0700, 0) == 0)
        fd = openat (dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      if (fd < 0)
        return husk_error_make (err, errno, "open '%s'", name);
    }
  if (rm_contents (fd, err) < 0)
    return husk_error_wrap (err, "remove '%s'", name);
  if (unlinkat (dirfd, name, AT_REMOVEDIR) < 0 && errno != ENOENT)
    return husk_error_make (err, errno, "rmdir '%s'", name);
  return 0;
}

int
husk_rm_rf (const char *path, husk_error_t *err)
{
  return husk_rm_rf_at (AT_FDCWD, path, err);
}

bool
husk_path_exists (const char *path)
{
  return access (path, F_OK) == 0;
}

char *
husk_mkdtemp_in (const char *parent, const char *prefix, husk_error_t *err)
{
  char *tmpl = husk_asprintf ("%s/%sXXXXXX", parent, prefix);

  if (mkdtemp (tmpl) == NULL)
    {
      husk_error_make (err, errno, "mkdtemp '%s'", tmpl);
      free (tmpl);
      return NULL;
    }
  return tmpl;
}
