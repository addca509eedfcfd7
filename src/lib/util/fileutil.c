/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Files and directories.  Removal works on directory fds and never follows a
   symlink, so a hostile tree cannot make us delete outside it.  */
#include "util/fileutil.h"
#include "util/cleanup.h"
#include "util/strutil.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <time.h>
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
  /* On the heap: with -fstack-clash-protection a 64 KiB array on the
     stack is probed page by page, and those 16 dirty pages stayed with
     every idle husk-monitor (it reads its configuration here).  */
  enum { CHUNK = 65536 };
  cleanup_free char *chunk = husk_xmalloc (CHUNK);
  ssize_t n;

  if (fd < 0)
    {
      husk_error_make (err, errno, "open '%s'", path);
      return NULL;
    }
  husk_buf_append (&b, "", 0);
  while ((n = read (fd, chunk, CHUNK)) != 0)
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
               husk_error_t *err)
{
  cleanup_free char *tmp = husk_asprintf ("%s.tmp-XXXXXX", path);
  cleanup_close int fd = mkostemp (tmp, O_CLOEXEC);

  if (fd < 0)
    return husk_error_make (err, errno, "create '%s'", tmp);
  if (husk_write_all (fd, data, len) < 0 || fchmod (fd, mode) < 0)
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
  /* The output rules: a device or FIFO at path is written into, never
     replaced (iidfile, cidfile and completion files are named by users).  */
  return husk_output_write (path, data, len, mode, err);
}

int
husk_write_file_replace (const char *path, const void *data, size_t len,
                         mode_t mode, husk_error_t *err)
{
  return write_replace (path, data, len, mode, err);
}

/* The old way: a hidden name, locked, then renamed.  */
static int
work_file_hidden (const char *dir, const char *prefix, char **path, husk_error_t *err)
{
  cleanup_free char *hidden = husk_asprintf ("%s/.%s-XXXXXX", dir, prefix);
  cleanup_close int fd = mkostemp (hidden, O_CLOEXEC);
  cleanup_free char *named = NULL;

  if (fd < 0)
    return husk_error_make (err, errno, "create '%s'", hidden);
  flock (fd, LOCK_EX);
  named = husk_asprintf ("%s/%s", dir, strrchr (hidden, '/') + 2);
  if (rename (hidden, named) < 0)
    {
      int saved = errno;
      unlink (hidden);
      return husk_error_make (err, saved, "rename '%s'", hidden);
    }
  *path = steal_ptr (&named);
  return steal_fd (&fd);
}

int
husk_work_file_create (const char *dir, const char *prefix, char **path, husk_error_t *err)
{
  cleanup_close int fd = open (dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
  char proc[64];

  *path = NULL;
  if (fd < 0)
    return work_file_hidden (dir, prefix, path, err);
  if (flock (fd, LOCK_EX) < 0)
    return husk_error_make (err, errno, "lock a work file in '%s'", dir);
  snprintf (proc, sizeof proc, "/proc/self/fd/%d", fd);
  for (int tries = 0; tries < 100; tries++)
    {
      uint32_t r = 0;
      cleanup_free char *p = NULL;

      if (getrandom (&r, sizeof r, 0) != sizeof r)
        r = (uint32_t) rand ();
      p = husk_asprintf ("%s/%s-%08x", dir, prefix, r);
      if (linkat (AT_FDCWD, proc, AT_FDCWD, p, AT_SYMLINK_FOLLOW) == 0)
        {
          *path = steal_ptr (&p);
          return steal_fd (&fd);
        }
      if (errno != EEXIST)
        return husk_error_make (err, errno, "create '%s'", p);
    }
  return husk_error_makex (err, EEXIST, "cannot name a work file in '%s'", dir);
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

static int rm_entry (int dfd, const char *name, husk_error_t *err);

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
      if (rm_entry (dirfd (d), de->d_name, err) < 0)
        return -1;
    }
  return 0;
}

/* Open the directory name (one component) of dfd without following a
   symlink and without entering another mount: a bind mount under the tree
   (a volume's host directory, a container's rootfs) is somebody's data,
   never ours to delete.  openat2 RESOLVE_NO_XDEV refuses the step into the
   mount in the same call that opens (EXDEV); kernels without openat2 get
   the same check from statx's STATX_ATTR_MOUNT_ROOT.  */
static int
open_subdir (int dfd, const char *name)
{
  struct open_how how = { .flags = O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC,
                          .resolve = RESOLVE_NO_XDEV | RESOLVE_NO_SYMLINKS
                                     | RESOLVE_NO_MAGICLINKS | RESOLVE_BENEATH };
  struct statx stx;
  int fd = (int) syscall (SYS_openat2, dfd, name, &how, sizeof how);

  if (fd >= 0 || errno != ENOSYS)
    return fd;
  fd = openat (dfd, name, how.flags);
  if (fd >= 0 && statx (fd, "", AT_EMPTY_PATH, STATX_BASIC_STATS, &stx) == 0
      && (stx.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT)
      && (stx.stx_attributes & STATX_ATTR_MOUNT_ROOT))
    {
      close (fd);
      errno = EXDEV;
      return -1;
    }
  return fd;
}

/* Remove name (one component) of dfd and, for a directory, its content.  */
static int
rm_entry (int dfd, const char *name, husk_error_t *err)
{
  int fd;

  if (unlinkat (dfd, name, 0) == 0 || errno == ENOENT)
    return 0;
  if (errno != EISDIR && errno != EPERM)
    return husk_error_make (err, errno, "remove '%s'", name);
  fd = open_subdir (dfd, name);
  if (fd < 0 && errno == EACCES
      && fchmodat (dfd, name, 0700, AT_SYMLINK_NOFOLLOW) == 0)
    fd = open_subdir (dfd, name); /* no read or search permission: fixed */
  if (fd < 0)
    {
      if (errno == ENOENT)
        return 0;
      if (errno == EXDEV)
        return husk_error_makex (err, EBUSY, "'%s' is a mount point: not removing "
                                 "what is mounted there", name);
      return husk_error_make (err, errno, "open '%s'", name);
    }
  if (rm_contents (fd, err) < 0)
    return husk_error_wrap (err, "remove '%s'", name);
  if (unlinkat (dfd, name, AT_REMOVEDIR) < 0 && errno != ENOENT)
    return husk_error_make (err, errno, "rmdir '%s'", name);
  return 0;
}

int
husk_rm_rf_at (int dirfd, const char *name, husk_error_t *err)
{
  cleanup_free char *copy = husk_xstrdup (name);
  cleanup_close int pfd = -1;
  size_t n = strlen (copy);
  char *slash;

  while (n > 1 && copy[n - 1] == '/')
    copy[--n] = '\0';
  slash = strrchr (copy, '/');
  if (slash == NULL)
    return rm_entry (dirfd, copy, err);
  if (slash[1] == '\0')
    return husk_error_makex (err, EINVAL, "refusing to remove '%s'", name);
  /* The parent is reached as named (its path may cross mounts); only what
     lies below the last component must stay on one mount.  */
  *slash = '\0';
  pfd = openat (dirfd, slash == copy ? "/" : copy, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (pfd < 0)
    return errno == ENOENT ? 0 : husk_error_make (err, errno, "open '%s'", copy);
  return rm_entry (pfd, slash + 1, err);
}

int
husk_rm_rf (const char *path, husk_error_t *err)
{
  return husk_rm_rf_at (AT_FDCWD, path, err);
}

int
husk_work_entry_claim (int dfd, const char *name, int *lock_fd)
{
  struct stat st;
  int fd;

  *lock_fd = -1;
  if (fstatat (dfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
    return 1; /* gone: not ours to judge */
  if (name[0] == '.' && time (NULL) - st.st_mtime < HUSK_WORK_HIDDEN_GRACE_S)
    return 1;
  if (!S_ISDIR (st.st_mode) && !S_ISREG (st.st_mode))
    return 0; /* nothing uses anything else: garbage */
  fd = openat (dfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0)
    return 1;
  if (flock (fd, LOCK_EX | LOCK_NB) < 0)
    {
      close (fd);
      return 1;
    }
  *lock_fd = fd;
  return 0;
}

int64_t
husk_tree_bytes_at (int dfd, const char *name)
{
  struct stat st;
  int64_t total;
  int fd;
  DIR *d;
  struct dirent *de;

  if (fstatat (dfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
    return 0;
  total = (int64_t) st.st_blocks * 512;
  if (!S_ISDIR (st.st_mode))
    return total;
  fd = open_subdir (dfd, name);
  d = fd >= 0 ? fdopendir (fd) : NULL;
  if (d == NULL)
    {
      if (fd >= 0)
        close (fd);
      return total;
    }
  while ((de = readdir (d)) != NULL)
    if (strcmp (de->d_name, ".") != 0 && strcmp (de->d_name, "..") != 0)
      total += husk_tree_bytes_at (dirfd (d), de->d_name);
  closedir (d);
  return total;
}

bool
husk_path_exists (const char *path)
{
  return access (path, F_OK) == 0;
}

const char *
husk_fs_network_name (long f_type)
{
  static const struct
  {
    unsigned long magic;
    const char *name;
  } fs[] = {
    { 0x6969, "NFS" },          { 0xFF534D42, "CIFS" },  { 0xFE534D42, "SMB2" },
    { 0x517B, "SMB" },          { 0x5346414F, "AFS" },   { 0x6B414653, "AFS" },
    { 0x0BD00BD0, "Lustre" },   { 0x47504653, "GPFS" },  { 0x00C36400, "CephFS" },
  };

  for (size_t i = 0; i < sizeof fs / sizeof fs[0]; i++)
    if ((unsigned long) (unsigned int) f_type == fs[i].magic)
      return fs[i].name;
  return NULL;
}

const char *
husk_path_network_fs (const char *path)
{
  struct statfs st;

  return statfs (path, &st) == 0 ? husk_fs_network_name ((long) st.f_type) : NULL;
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

/* Named output files (fileutil.h).  The one decision that matters for the
   host: only a new path or a regular file is ever replaced by rename();
   anything else that exists is written into or refused, so an output named
   /dev/null, a tape or a FIFO another process reads stays the node it was. */

bool
husk_output_is_stdout (const char *path)
{
  return strcmp (path, "-") == 0 || strcmp (path, "/dev/stdout") == 0
         || strcmp (path, "/dev/fd/1") == 0 || strcmp (path, "/proc/self/fd/1") == 0;
}

/* Beside the file that will be replaced: rename() stays in one file
   system, and a symlink named by the user keeps pointing at its file.  */
static int
open_tmp (struct husk_output *o, mode_t mode, husk_error_t *err)
{
  o->tmp = husk_asprintf ("%s.husk-XXXXXX", o->target);
  o->fd = mkostemp (o->tmp, O_CLOEXEC);
  if (o->fd < 0)
    {
      int saved = errno;
      free (o->tmp);
      o->tmp = NULL;
      return husk_error_make (err, saved, "create '%s'", o->path);
    }
  if (fchmod (o->fd, mode) < 0)
    return husk_error_make (err, errno, "create '%s'", o->path);
  return 0;
}

int
husk_output_open (struct husk_output *o, const char *path, mode_t mode, husk_error_t *err)
{
  struct stat st;

  *o = (struct husk_output){ .fd = -1, .path = husk_xstrdup (path) };
  if (husk_output_is_stdout (path))
    {
      o->fd = 1;
      o->is_stdout = true;
      return 0;
    }
  if (*path == '\0')
    return husk_error_makex (err, EINVAL, "invalid output path \"\"");
  if (stat (path, &st) < 0)
    {
      if (errno != ENOENT)
        return husk_error_make (err, errno, "stat '%s'", path);
      o->target = husk_xstrdup (path); /* new (or a dangling symlink) */
      return open_tmp (o, mode, err);
    }
  if (S_ISDIR (st.st_mode))
    return husk_error_makex (err, EISDIR, "output '%s' is a directory", path);
  if (S_ISREG (st.st_mode))
    {
      char *real = realpath (path, NULL);
      if (real == NULL)
        return husk_error_make (err, errno, "resolve '%s'", path);
      o->target = real;
      return open_tmp (o, mode, err);
    }
  /* A device, FIFO or socket: write into it; never create, never rename. */
  o->fd = open (path, O_WRONLY | O_TRUNC | O_NOCTTY | O_CLOEXEC);
  if (o->fd < 0)
    return husk_error_make (err, errno, "open '%s'", path);
  return 0;
}

int
husk_output_commit (struct husk_output *o, husk_error_t *err)
{
  if (o->fd < 0)
    return husk_error_makex (err, EBADF, "write '%s': not open", o->path);
  if (o->is_stdout)
    return 0;
  if (o->tmp == NULL)
    {
      /* Devices and FIFOs: nothing to sync (fsync fails with EINVAL).  */
      int r = close (o->fd);
      o->fd = -1;
      if (r < 0 && errno != EINTR)
        return husk_error_make (err, errno, "write '%s'", o->path);
      return 0;
    }
  if (fsync (o->fd) < 0)
    return husk_error_make (err, errno, "write '%s'", o->path);
  if (rename (o->tmp, o->target) < 0)
    return husk_error_make (err, errno, "rename to '%s'", o->path);
  free (o->tmp);
  o->tmp = NULL;
  close (o->fd);
  o->fd = -1;
  return 0;
}

void
husk_output_release (struct husk_output *o)
{
  if (o->fd >= 0 && !o->is_stdout)
    close (o->fd);
  o->fd = -1;
  if (o->tmp)
    unlink (o->tmp);
  free (o->tmp);
  free (o->target);
  free (o->path);
  o->tmp = o->target = o->path = NULL;
}

int
husk_output_write (const char *path, const void *data, size_t len, mode_t mode,
                   husk_error_t *err)
{
  struct husk_output o;
  int r = husk_output_open (&o, path, mode, err);

  if (r == 0 && husk_write_all (o.fd, data, len) < 0)
    r = husk_error_make (err, errno, "write '%s'", path);
  if (r == 0)
    r = husk_output_commit (&o, err);
  husk_output_release (&o);
  return r;
}
