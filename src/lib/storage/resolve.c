/* SPDX-License-Identifier: GPL-2.0-or-later */
/* openat2() beneath a directory; glibc has no wrapper, so syscall().  */
#include "storage/resolve.h"
#include "util/strutil.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/syscall.h>
#include <unistd.h>

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

char *
husk_resolve_proc_path (int fd, const char *name)
{
  if (name == NULL || *name == '\0')
    return husk_asprintf ("/proc/self/fd/%d", fd);
  return husk_asprintf ("/proc/self/fd/%d/%s", fd, name);
}
