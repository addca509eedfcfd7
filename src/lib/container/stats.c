/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * `stats`: a container's resource usage, read from its cgroups.
 *
 * The cgroups are found through /proc/PID/cgroup of the container's init,
 * not guessed from the cgroupsPath of the spec, so whatever the runtime
 * chose (and whether the host runs cgroup v1, v2 or both) the numbers come
 * from where the container really is.  With a v1 memory controller the v1
 * files are read (memory.usage_in_bytes, cpuacct.usage, pids.current,
 * blkio.throttle.io_service_bytes), else the v2 ones (memory.current,
 * cpu.stat, pids.current, io.stat).  Memory usage leaves out the inactive
 * page cache, as Podman and Docker do; an unlimited memory limit is shown
 * as the host's memory.  Network I/O is summed over the interfaces of the
 * container's own network namespace other than lo (/proc/PID/net/dev).
 */
#include "container/stats.h"
#include "util/cleanup.h"
#include "util/fileutil.h"
#include "util/proc.h"
#include "util/strutil.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define CGROUP_ROOT "/sys/fs/cgroup"

static char *
proc_file (int pid, const char *what)
{
  cleanup_free char *path = husk_asprintf ("/proc/%d/%s", pid, what);

  return husk_read_file (path, NULL, NULL);
}

/* A number from a file (the first word).  Return: false when missing.  */
static bool
read_u64 (const char *dir, const char *name, uint64_t *v)
{
  cleanup_free char *path = husk_asprintf ("%s/%s", dir, name);
  cleanup_free char *s = husk_read_file (path, NULL, NULL);
  char *end;

  if (s == NULL)
    return false;
  errno = 0;
  *v = strtoull (s, &end, 10);
  return end != s && errno == 0;
}

/* "key value" lines (memory.stat, cpu.stat): the value of key.  */
static bool
read_keyed (const char *dir, const char *name, const char *key, uint64_t *v)
{
  cleanup_free char *path = husk_asprintf ("%s/%s", dir, name);
  cleanup_free char *s = husk_read_file (path, NULL, NULL);
  size_t n = strlen (key);

  for (char *l = s; l && *l; l = strchr (l, '\n') ? strchr (l, '\n') + 1 : NULL)
    if (strncmp (l, key, n) == 0 && l[n] == ' ')
      {
        *v = strtoull (l + n + 1, NULL, 10);
        return true;
      }
  return false;
}

/* The directory of controller ctrl ("" for the v2 hierarchy) in the
   container's /proc/PID/cgroup text.  Return: a path, or NULL.  */
static char *
cgroup_dir (const char *cgfile, const char *ctrl)
{
  cleanup_strv char **lines = husk_strv_split (cgfile, '\n');

  for (char **l = lines; *l; l++)
    {
      cleanup_strv char **f = NULL;
      const char *c = strchr (*l, ':'), *p;
      char *dir;

      if (c == NULL || (p = strchr (c + 1, ':')) == NULL)
        continue;
      if (*ctrl == '\0' ? p != c + 1 : p == c + 1)
        continue;
      if (*ctrl)
        {
          cleanup_free char *list = husk_xstrndup (c + 1, p - c - 1);
          f = husk_strv_split (list, ',');
          if (!husk_strv_contains (f, ctrl))
            continue;
          /* Mounted under the list's name ("cpu,cpuacct") or its own. */
          dir = husk_asprintf ("%s/%s%s", CGROUP_ROOT, list, p + 1);
          if (husk_path_exists (dir))
            return dir;
          free (dir);
          dir = husk_asprintf ("%s/%s%s", CGROUP_ROOT, ctrl, p + 1);
        }
      else
        {
          dir = husk_asprintf ("%s%s", CGROUP_ROOT, p + 1);
          if (!husk_path_exists (dir) || strcmp (p + 1, "/") == 0)
            {
              free (dir);
              dir = husk_asprintf ("%s/unified%s", CGROUP_ROOT, p + 1);
            }
        }
      if (husk_path_exists (dir))
        return dir;
      free (dir);
    }
  return NULL;
}

static uint64_t
host_memory (void)
{
  cleanup_free char *s = husk_read_file ("/proc/meminfo", NULL, NULL);
  const char *p = s ? strstr (s, "MemTotal:") : NULL;

  return p ? strtoull (p + 9, NULL, 10) * 1024 : 0;
}

/* Sum "Read"/"Write" (v1 blkio) lines.  */
static void
blkio_v1 (const char *dir, struct husk_container_stats *s)
{
  static const char *const names[] = { "blkio.throttle.io_service_bytes_recursive",
                                       "blkio.throttle.io_service_bytes",
                                       "blkio.io_service_bytes_recursive", NULL };

  for (const char *const *n = names; *n; n++)
    {
      cleanup_free char *path = husk_asprintf ("%s/%s", dir, *n);
      cleanup_free char *text = husk_read_file (path, NULL, NULL);
      cleanup_strv char **lines = NULL;

      if (text == NULL)
        continue;
      lines = husk_strv_split (text, '\n');
      for (char **l = lines; *l; l++)
        {
          char dev[64], op[16];
          unsigned long long v;
          if (sscanf (*l, "%63s %15s %llu", dev, op, &v) != 3)
            continue;
          if (strcmp (op, "Read") == 0)
            s->blk_read += v;
          else if (strcmp (op, "Write") == 0)
            s->blk_write += v;
        }
      return;
    }
}

/* Sum rbytes= and wbytes= of io.stat (v2).  */
static void
io_v2 (const char *dir, struct husk_container_stats *s)
{
  cleanup_free char *path = husk_asprintf ("%s/io.stat", dir);
  cleanup_free char *text = husk_read_file (path, NULL, NULL);
  cleanup_strv char **words = NULL;

  if (text == NULL)
    return;
  for (char *p = text; *p; p++)
    if (*p == '\n')
      *p = ' ';
  words = husk_strv_split (text, ' ');
  for (char **w = words; *w; w++)
    {
      if (husk_has_prefix (*w, "rbytes="))
        s->blk_read += strtoull (*w + 7, NULL, 10);
      else if (husk_has_prefix (*w, "wbytes="))
        s->blk_write += strtoull (*w + 7, NULL, 10);
    }
}

static void
cgroup_v1 (const char *cg, struct husk_container_stats *s)
{
  cleanup_free char *mem = cgroup_dir (cg, "memory");
  cleanup_free char *cpu = cgroup_dir (cg, "cpuacct");
  cleanup_free char *pids = cgroup_dir (cg, "pids");
  cleanup_free char *blk = cgroup_dir (cg, "blkio");
  uint64_t inactive = 0;

  if (mem)
    {
      read_u64 (mem, "memory.usage_in_bytes", &s->mem_usage);
      read_u64 (mem, "memory.limit_in_bytes", &s->mem_limit);
      if (read_keyed (mem, "memory.stat", "total_inactive_file", &inactive)
          && inactive < s->mem_usage)
        s->mem_usage -= inactive;
    }
  if (cpu)
    read_u64 (cpu, "cpuacct.usage", &s->cpu_ns);
  if (pids)
    read_u64 (pids, "pids.current", &s->pids);
  if (blk)
    blkio_v1 (blk, s);
}

static void
cgroup_v2 (const char *dir, struct husk_container_stats *s)
{
  uint64_t inactive = 0, usec = 0;

  read_u64 (dir, "memory.current", &s->mem_usage);
  if (!read_u64 (dir, "memory.max", &s->mem_limit))
    s->mem_limit = UINT64_MAX; /* "max" */
  if (read_keyed (dir, "memory.stat", "inactive_file", &inactive) && inactive < s->mem_usage)
    s->mem_usage -= inactive;
  if (read_keyed (dir, "cpu.stat", "usage_usec", &usec))
    s->cpu_ns = usec * 1000;
  read_u64 (dir, "pids.current", &s->pids);
  io_v2 (dir, s);
}

static bool
same_ns (int pid, const char *type)
{
  cleanup_free char *path = husk_asprintf ("/proc/%d/ns/%s", pid, type);
  cleanup_free char *self = husk_asprintf ("/proc/self/ns/%s", type);
  struct stat a, b;

  return stat (path, &a) == 0 && stat (self, &b) == 0 && a.st_ino == b.st_ino
         && a.st_dev == b.st_dev;
}

/* Bytes received and sent on the container's interfaces but lo; -1 when it
   has no interface of its own.  */
static void
net_io (int pid, struct husk_container_stats *s)
{
  cleanup_free char *text = NULL;
  cleanup_strv char **lines = NULL;
  bool any = false;

  s->net_rx = s->net_tx = -1;
  if (same_ns (pid, "net") || (text = proc_file (pid, "net/dev")) == NULL)
    return;
  lines = husk_strv_split (text, '\n');
  for (char **l = lines; *l; l++)
    {
      char *colon = strchr (*l, ':'), *name = *l;
      unsigned long long v[9];

      if (colon == NULL)
        continue;
      *colon = '\0';
      while (*name == ' ')
        name++;
      if (strcmp (name, "lo") == 0
          || sscanf (colon + 1, "%llu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1],
                     &v[2], &v[3], &v[4], &v[5], &v[6], &v[7], &v[8]) != 9)
        continue;
      if (!any)
        s->net_rx = s->net_tx = 0;
      any = true;
      s->net_rx += (int64_t) v[0];
      s->net_tx += (int64_t) v[8];
    }
}

static int
read_stats (const struct husk_container_rec *r, struct husk_container_stats *s,
            husk_error_t *err)
{
  cleanup_free char *cg = proc_file (r->pid, "cgroup");
  cleanup_free char *v2 = NULL, *v1mem = NULL;
  uint64_t host = host_memory ();

  if (cg == NULL)
    return husk_error_make (err, errno, "read the cgroups of container %s", r->id);
  v1mem = cgroup_dir (cg, "memory");
  if (v1mem)
    cgroup_v1 (cg, s);
  else if ((v2 = cgroup_dir (cg, "")) != NULL)
    cgroup_v2 (v2, s);
  if (host > 0 && (s->mem_limit == 0 || s->mem_limit > host))
    s->mem_limit = host;
  net_io (r->pid, s);
  return 0;
}

int
husk_container_stats (const struct husk_container_rec *r, struct husk_container_stats *s,
                      husk_error_t *err)
{
  struct timespec ts;
  int ret = 0;

  memset (s, 0, sizeof *s);
  clock_gettime (CLOCK_REALTIME, &ts);
  s->id = husk_xstrdup (r->id);
  s->name = husk_xstrdup (r->name);
  s->read_ns = (int64_t) ts.tv_sec * 1000000000 + ts.tv_nsec;
  s->running = (strcmp (r->state, "running") == 0 || strcmp (r->state, "paused") == 0)
               && r->pid > 0;
  if (s->running)
    {
      struct husk_proc_id p = { .pid = r->pid, .start = r->pid_start, .boot_id = r->boot_id };
      s->up_ns = s->read_ns - r->started_at;
      ret = read_stats (r, s, err);
      if (ret < 0 && !husk_proc_alive (&p))
        {
          /* It exited between the state and the read: nothing to show. */
          husk_error_release (err);
          s->running = false;
          s->net_rx = s->net_tx = 0;
          ret = 0;
        }
    }
  if (ret < 0)
    husk_container_stats_release (s);
  return ret;
}

void
husk_container_stats_release (struct husk_container_stats *s)
{
  if (s == NULL)
    return;
  free (s->id);
  free (s->name);
  memset (s, 0, sizeof *s);
}
