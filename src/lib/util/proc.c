/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Recorded processes: boot ID, start times, checked signals (see proc.h). */
#include "util/proc.h"
#include "util/cleanup.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#ifndef SYS_pidfd_send_signal
#define SYS_pidfd_send_signal 424
#endif

/* Read a small /proc file whole.  Return: its length, or -1.  */
static ssize_t
read_small (const char *path, char *buf, size_t size)
{
  cleanup_close int fd = open (path, O_RDONLY | O_CLOEXEC);
  ssize_t n, len = 0;

  if (fd < 0)
    return -1;
  while ((size_t) len < size - 1 && (n = read (fd, buf + len, size - 1 - len)) != 0)
    {
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        return -1;
      len += n;
    }
  buf[len] = '\0';
  return len;
}

int
husk_proc_boot_id (char out[HUSK_BOOT_ID_LEN + 1])
{
  char buf[64];
  ssize_t n = read_small ("/proc/sys/kernel/random/boot_id", buf, sizeof buf);

  out[0] = '\0';
  if (n < HUSK_BOOT_ID_LEN)
    return -1;
  memcpy (out, buf, HUSK_BOOT_ID_LEN);
  out[HUSK_BOOT_ID_LEN] = '\0';
  return 0;
}

int64_t
husk_proc_boot_time_ns (void)
{
  char buf[8192];
  const char *p;

  if (read_small ("/proc/stat", buf, sizeof buf) < 0 || (p = strstr (buf, "\nbtime ")) == NULL)
    return 0;
  return (int64_t) strtoll (p + 7, NULL, 10) * 1000000000;
}

int
husk_proc_start_time (int pid, uint64_t *start)
{
  char path[64], buf[1024], state;

  if (pid <= 0)
    return -1;
  snprintf (path, sizeof path, "/proc/%d/stat", pid);
  if (read_small (path, buf, sizeof buf) <= 0 || husk_proc_stat_parse (buf, &state, start) < 0)
    return -1;
  return state == 'Z' || state == 'X' ? -1 : 0;
}

/* Whether the record belongs to this boot (unknown counts as yes).  */
static bool
same_boot (const struct husk_proc_id *p)
{
  char now[HUSK_BOOT_ID_LEN + 1];

  if (p->boot_id == NULL || p->boot_id[0] == '\0')
    return true;
  return husk_proc_boot_id (now) == 0 && strcmp (now, p->boot_id) == 0;
}

bool
husk_proc_alive (const struct husk_proc_id *p)
{
  uint64_t start;

  if (p == NULL || p->pid <= 0 || !same_boot (p) || husk_proc_start_time (p->pid, &start) < 0)
    return false;
  return p->start == 0 || p->start == start;
}

int
husk_proc_open (const struct husk_proc_id *p)
{
  cleanup_close int fd = -1;
  uint64_t start;

  if (p == NULL || p->pid <= 0 || p->start == 0 || !same_boot (p))
    {
      errno = ESRCH;
      return -1;
    }
  /* Open first, check second: see proc.h.  */
  fd = (int) syscall (SYS_pidfd_open, p->pid, 0);
  if (fd < 0)
    return -1;
  if (husk_proc_start_time (p->pid, &start) < 0 || start != p->start)
    {
      errno = ESRCH;
      return -1;
    }
  return steal_fd (&fd);
}

int
husk_proc_signal (const struct husk_proc_id *p, int sig)
{
  cleanup_close int fd = husk_proc_open (p);
  uint64_t start;

  if (fd >= 0)
    return (int) syscall (SYS_pidfd_send_signal, fd, sig, NULL, 0);
  if (errno != ENOSYS)
    return -1;
  /* A kernel before 5.3: check and signal by pid, which leaves the short
     race between the two that pidfds close.  */
  if (husk_proc_start_time (p->pid, &start) < 0 || start != p->start)
    {
      errno = ESRCH;
      return -1;
    }
  return kill (p->pid, sig);
}

void
husk_proc_await (const struct husk_proc_id *p, int timeout_ms)
{
  cleanup_close int fd = -1;
  struct pollfd pfd = { .fd = -1, .events = POLLIN };

  if (!husk_proc_alive (p))
    return;
  fd = p->start ? husk_proc_open (p) : (int) syscall (SYS_pidfd_open, p->pid, 0);
  if (fd < 0)
    {
      if (errno != ENOSYS)
        return; /* gone, or not the recorded process */
      /* No pidfds: poll its state.  */
      for (int i = 0; i < timeout_ms / 20 && husk_proc_alive (p); i++)
        usleep (20000);
      return;
    }
  pfd.fd = fd;
  while (poll (&pfd, 1, timeout_ms) < 0 && errno == EINTR)
    ;
}
