/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Resolution beneath a directory and metadata through descriptors (see
 * resolve.h for why).  glibc has no wrapper for openat2() or fchmodat2(),
 * so syscall().
 */
#include "storage/resolve.h"
#include "util/strutil.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <sys/xattr.h>
#include <unistd.h>

#ifndef SYS_fchmodat2
#define SYS_fchmodat2 452 /* Linux 6.6; the same number on every architecture */
#endif

int
husk_resolve_beneath (int dirfd, const char *path, int flags)
{
  struct open_how how = {
    .flags = (unsigned) (flags | O_CLOEXEC),
    .resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS,
  };
  int fd = -1;

  /* EAGAIN means a concurrent rename somewhere in the mount; retry a few
     times rather than forever.  */
  for (int tries = 0; tries < 32; tries++)
    {
      fd = (int) syscall (SYS_openat2, dirfd, *path ? path : ".", &how, sizeof how);
      if (fd >= 0 || (errno != EAGAIN && errno != EINTR))
        break;
    }
  return fd;
}

int
husk_resolve_open_made (int dirfd, const char *name, mode_t type)
{
  int fd = openat (dirfd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
  struct stat st;

  if (fd < 0)
    {
      /* Gone, or a directory made in place of a node: replaced.  */
      if (errno == ENOENT)
        errno = EBUSY;
      return -1;
    }
  if (fstat (fd, &st) < 0)
    {
      int e = errno;
      close (fd);
      errno = e;
      return -1;
    }
  if ((st.st_mode & S_IFMT) != (type & S_IFMT) || st.st_uid != geteuid ()
      || (S_ISDIR (type) ? st.st_nlink > 2 : st.st_nlink != 1))
    {
      close (fd);
      errno = EBUSY;
      return -1;
    }
  return fd;
}

/* "/proc/self/fd/N": a magic link to exactly the object fd holds.  */
static void
fd_path (char buf[64], int fd)
{
  snprintf (buf, 64, "/proc/self/fd/%d", fd);
}

int
husk_resolve_fchmod (int fd, mode_t mode)
{
  char proc[64];

  if (fchmod (fd, mode) == 0)
    return 0;
  if (errno != EBADF)
    return -1;
  /* An O_PATH descriptor.  */
  if (syscall (SYS_fchmodat2, fd, "", mode, AT_EMPTY_PATH) == 0)
    return 0;
  if (errno != ENOSYS && errno != EINVAL)
    return -1;
  fd_path (proc, fd);
  return chmod (proc, mode);
}

int
husk_resolve_fchown (int fd, uid_t uid, gid_t gid)
{
  return fchownat (fd, "", uid, gid, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW);
}

int
husk_resolve_futimens (int fd, const struct timespec ts[2])
{
  char proc[64];

  if (utimensat (fd, "", ts, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW) == 0)
    return 0;
  if (errno != EINVAL)
    return -1;
  /* Before Linux 5.8 utimensat() knew no AT_EMPTY_PATH.  */
  if (futimens (fd, ts) == 0)
    return 0;
  if (errno != EBADF)
    return -1;
  fd_path (proc, fd);
  return utimensat (AT_FDCWD, proc, ts, 0);
}

int
husk_resolve_fsetxattr (int fd, const char *name, const void *value, size_t size)
{
  char proc[64];

  if (fsetxattr (fd, name, value, size, 0) == 0)
    return 0;
  if (errno != EBADF)
    return -1;
  /* An O_PATH descriptor: the magic link leads to the object itself (a
     symlink included: it is not followed past it).  */
  fd_path (proc, fd);
  return setxattr (proc, name, value, size, 0);
}

char *
husk_resolve_proc_path (int fd, const char *name)
{
  if (name == NULL || *name == '\0')
    return husk_asprintf ("/proc/self/fd/%d", fd);
  return husk_asprintf ("/proc/self/fd/%d/%s", fd, name);
}
