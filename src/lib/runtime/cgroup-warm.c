/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Starting, ahead of the runtime, the wait its first cgroup move pays.
 *
 * Moving a process into a cgroup takes a global lock of the kernel's
 * (cgroup_threadgroup_rwsem, a per-CPU rw-semaphore).  Unless some cgroup
 * hierarchy is mounted with favordynmods, the first writer after a quiet
 * spell waits for an RCU grace period, and for about one more grace period
 * after it the next writers pass at once.  On an idle machine (HZ=250,
 * NO_HZ) that grace period is 5-15 ms: the largest single cost of a cold
 * `run --rm` or `exec`, paid inside the runtime when it moves the
 * container's process into its cgroups, after husk has done its own work.
 *
 * So husk moves one of its threads into the cgroup it already is in, a
 * no-op, as soon as a command that will start a container process begins:
 * the grace period then runs while husk prepares the container, and the
 * runtime's move finds it passed.  Measured on the development machine
 * (bench/RESULTS.md): a cold `run --rm` 27.9 -> 15.1 ms, `exec` 26.1 ->
 * 9.4 ms when the move came before husk started.
 */
#include "runtime/runtime.h"
#include "util/cleanup.h"
#include "util/fileutil.h"
#include "util/log.h"
#include "util/strutil.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <string.h>
#include <unistd.h>

/* Our cgroup in the unified hierarchy, from "0::/PATH" of
   /proc/self/cgroup, or NULL.  */
static char *
own_cgroup2 (void)
{
  size_t len;
  cleanup_free char *text = husk_read_file ("/proc/self/cgroup", &len, NULL);

  if (text == NULL)
    return NULL;
  for (char *line = text; line && *line;)
    {
      char *end = strchr (line, '\n');
      if (end)
        *end = '\0';
      if (strncmp (line, "0::", 3) == 0)
        return husk_xstrdup (line + 3);
      line = end ? end + 1 : NULL;
    }
  return NULL;
}

static void *
warm (void *arg)
{
  static const char *const bases[] = { "/sys/fs/cgroup/unified", "/sys/fs/cgroup" };
  cleanup_free char *rel = own_cgroup2 ();

  (void) arg;
  for (size_t i = 0; rel && i < sizeof bases / sizeof *bases; i++)
    {
      cleanup_free char *path = husk_asprintf ("%s%s/cgroup.procs", bases[i],
                                               strcmp (rel, "/") == 0 ? "" : rel);
      cleanup_close int fd = open (path, O_WRONLY | O_CLOEXEC);
      if (fd < 0 && errno == ENOENT)
        continue;
      /* "0" is this thread's process; refused (a threaded cgroup, no
         permission) there is nothing to gain either.  */
      if (fd >= 0 && write (fd, "0", 1) < 0)
        husk_log_debug ("cgroup warm-up: %s: %s", path, strerror (errno));
      break;
    }
  return NULL;
}

void
husk_runtime_cgroup_warm (void)
{
  pthread_attr_t a;
  pthread_t t;

  if (pthread_attr_init (&a) != 0)
    return;
  pthread_attr_setdetachstate (&a, PTHREAD_CREATE_DETACHED);
  if (pthread_create (&t, &a, warm, NULL) != 0)
    husk_log_debug ("cgroup warm-up: no thread");
  pthread_attr_destroy (&a);
}
