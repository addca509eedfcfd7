/* SPDX-License-Identifier: GPL-2.0-or-later */
/* System-wide operations: reset (its theory of operation is above
   husk_op_system_reset); info is in system_info.c, df in system_df.c.  */
#include "ops/system.h"
#include "ops/container.h"
#include "ops/volume.h"
#include "ops/image_filter.h"
#include "ops/network.h"
#include "ops/pod.h"
#include "container/monitor.h"
#include "container/netbridge.h"
#include "config/config.h"
#include "runtime/runtime.h"
#include "state/state.h"
#include "storage/store.h"
#include "util/cleanup.h"
#include "util/fileutil.h"
#include "util/log.h"
#include "util/strutil.h"
#include "husk-config.h"

#include <dirent.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <sys/sysinfo.h>
#include <sys/utsname.h>
#include <unistd.h>

/* ---- reset ------------------------------------------------------------------

   Theory of operation.  Reset is the recovery tool: it must work when the
   database lists less than there is (a restored backup, a lost WAL) or
   cannot be read at all, and it must never delete anything that is not
   the store's.  So it goes in this order:

   1. Every container the database lists is removed with the ordinary
      remove (force, no grace period, as Podman's reset): its process is
      killed, its monitor exits after its clean-up, its mounts go.
   2. Monitors the database does not know (found in /proc by their
      command line, "husk-monitor --config <runroot>/containers/ID/...")
      are killed, the monitor first, so that it cannot start a clean-up
      that opens (and re-creates) the store; then its container's init,
      checked to be the monitor's child and held by a pidfd across the
      monitor's death, so a reused PID is never signalled.
   3. Every mount below --root and --runroot that /proc/self/mountinfo
      shows, deepest first (lazily when busy): volumes, container roots,
      image mounts, whatever a lost database forgot.
   4. The files, with husk_rm_rf(), which refuses to cross into a mount: a
      mount that could not be undone stops the reset with an error instead
      of deleting the host directory behind it.  */

static bool
under (const char *path, const char *dir)
{
  size_t n = strlen (dir);

  return strncmp (path, dir, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

/* The mount points below dirs, from mountinfo (octal escapes undone). */
static char **
mounts_under (char *const *dirs)
{
  cleanup_fclose FILE *f = fopen ("/proc/self/mountinfo", "re");
  cleanup_free char *line = NULL;
  size_t cap = 0;
  char **out = NULL;

  while (f && getline (&line, &cap, f) > 0)
    {
      char *field = line, *mp;
      for (int i = 0; i < 4 && field; i++)
        field = strchr (field, ' ') ? strchr (field, ' ') + 1 : NULL;
      if (field == NULL)
        continue;
      mp = husk_xstrndup (field, strcspn (field, " "));
      for (char *r = mp, *w = mp;; r++, w++)
        {
          if (r[0] == '\\' && r[1] >= '0' && r[1] <= '3' && r[2] >= '0' && r[2] <= '7'
              && r[3] >= '0' && r[3] <= '7')
            {
              *w = (char) ((r[1] - '0') * 64 + (r[2] - '0') * 8 + (r[3] - '0'));
              r += 3;
            }
          else
            *w = *r;
          if (*r == '\0')
            break;
        }
      for (size_t i = 0; dirs[i]; i++)
        if (under (mp, dirs[i]))
          {
            husk_strv_append (&out, mp);
            break;
          }
      free (mp);
    }
  return out;
}

static int
deeper_first (const void *a, const void *b)
{
  size_t la = strlen (*(char *const *) a), lb = strlen (*(char *const *) b);

  return la < lb ? 1 : la > lb ? -1 : strcmp (*(char *const *) a, *(char *const *) b);
}

/* Undo every mount below root and runroot (stacked ones too).  */
static void
unmount_everything (struct husk_engine *e)
{
  char *dirs[3] = { realpath (e->root, NULL), realpath (e->runroot, NULL), NULL };

  if (dirs[0] == NULL)
    dirs[0] = dirs[1], dirs[1] = NULL;
  for (int pass = 0; pass < 16 && dirs[0]; pass++)
    {
      cleanup_strv char **m = mounts_under (dirs);
      size_t n = husk_strv_len (m);
      if (n == 0)
        break;
      qsort (m, n, sizeof *m, deeper_first);
      for (size_t i = 0; i < n; i++)
        if (umount2 (m[i], UMOUNT_NOFOLLOW) < 0 && errno != EINVAL && errno != ENOENT)
          {
            if (umount2 (m[i], MNT_DETACH | UMOUNT_NOFOLLOW) < 0)
              husk_log_warn ("unmount '%s': %s", m[i], strerror (errno));
          }
    }
  free (dirs[0]);
  free (dirs[1]);
}

/* Whether pid is a husk-monitor of a container below rundir (its config
   is "<rundir>/<id>/monitor.json"); *ctrdir gets "<rundir>/<id>".  */
static bool
is_our_monitor (int pid, const char *rundir, char **ctrdir)
{
  cleanup_free char *path = husk_asprintf ("/proc/%d/cmdline", pid);
  size_t len = 0;
  cleanup_free char *cmd = husk_read_file (path, &len, NULL);
  const char *a0, *a1, *a2, *slash;

  if (cmd == NULL || len == 0)
    return false;
  a0 = cmd;
  a1 = a0 + strlen (a0) + 1;
  if ((size_t) (a1 - cmd) >= len)
    return false;
  a2 = a1 + strlen (a1) + 1;
  if ((size_t) (a2 - cmd) >= len)
    return false;
  slash = strrchr (a0, '/');
  if (strcmp (slash ? slash + 1 : a0, "husk-monitor") != 0 || strcmp (a1, "--config") != 0
      || !under (a2, rundir) || (slash = strrchr (a2, '/')) == NULL)
    return false;
  *ctrdir = husk_xstrndup (a2, (size_t) (slash - a2));
  return true;
}

static int
parent_of (int pid)
{
  cleanup_free char *path = husk_asprintf ("/proc/%d/status", pid);
  cleanup_free char *text = husk_read_file (path, NULL, NULL);
  const char *p = text ? strstr (text, "\nPPid:") : NULL;

  return p ? atoi (p + 7) : -1;
}

/* Kill one monitor (mon: its pidfd, opened before it was identified, so
   the process identified is the one killed) and its container (see the
   theory above).  */
static void
kill_monitor (int mon, int mpid, const char *ctrdir)
{
  cleanup_free char *pidfile = husk_asprintf ("%s/%s", ctrdir, HUSK_MONITOR_PIDFILE);
  cleanup_free char *text = husk_read_file (pidfile, NULL, NULL);
  cleanup_close int ctr = -1;
  int cpid = text ? atoi (text) : 0;

  if (cpid > 1 && parent_of (cpid) == mpid)
    {
      ctr = (int) syscall (SYS_pidfd_open, cpid, 0);
      if (ctr >= 0 && parent_of (cpid) != mpid)
        close (ctr), ctr = -1; /* exited and reused in between */
    }
  husk_log_debug ("system reset: killing monitor %d of '%s'", mpid, ctrdir);
  syscall (SYS_pidfd_send_signal, mon, SIGKILL, NULL, 0);
  if (ctr >= 0)
    syscall (SYS_pidfd_send_signal, ctr, SIGKILL, NULL, 0);
  for (int i = 0; i < 200; i++)
    {
      struct pollfd p[2] = { { .fd = mon, .events = POLLIN }, { .fd = ctr, .events = POLLIN } };
      if (poll (p, 2, 10) == 2 || (p[0].revents && ctr < 0))
        break;
    }
}

static void
kill_monitors (struct husk_engine *e)
{
  cleanup_free char *rundir = husk_asprintf ("%s/containers", e->runroot);
  cleanup_free char *real = realpath (e->runroot, NULL);
  cleanup_free char *realdir = real ? husk_asprintf ("%s/containers", real) : NULL;
  cleanup_dir DIR *d = opendir ("/proc");
  struct dirent *de;

  while (d && (de = readdir (d)) != NULL)
    {
      cleanup_free char *ctrdir = NULL;
      cleanup_close int mon = -1;
      int pid = atoi (de->d_name);
      if (pid <= 1 || pid == getpid ())
        continue;
      mon = (int) syscall (SYS_pidfd_open, pid, 0);
      if (mon >= 0
          && (is_our_monitor (pid, rundir, &ctrdir)
              || (realdir && is_our_monitor (pid, realdir, &ctrdir))))
        kill_monitor (mon, pid, ctrdir);
    }
}

/* Step 1, with a readable database.  */
/* Pods first, with their containers: an infra container is not removed
   on its own.  */
static void
remove_pods (struct husk_engine *e)
{
  husk_error_t err = NULL;
  cleanup_json json_t *pods = husk_op_pod_list (e, &err);
  json_t *p;
  size_t i;

  if (pods == NULL)
    {
      husk_log_warn ("system reset: list pods: %s", err->msg);
      husk_error_release (&err);
      return;
    }
  json_array_foreach (pods, i, p)
    {
      const char *id = json_string_value (json_object_get (p, "Id"));
      if (id && husk_op_pod_remove (e, id, true, 0, &err) < 0)
        {
          husk_log_warn ("system reset: remove pod %.12s: %s", id, err->msg);
          husk_error_release (&err);
        }
    }
}

static void
remove_containers (struct husk_engine *e)
{
  struct husk_container_rec *list = NULL;
  size_t n = 0;
  husk_error_t err = NULL;

  if (husk_op_container_list (e, &list, &n, &err) < 0)
    {
      husk_log_warn ("system reset: list containers: %s", err->msg);
      husk_error_release (&err);
      return;
    }
  for (size_t i = 0; i < n; i++)
    if (husk_op_container_remove (e, list[i].id, true, false, 0, &err) < 0)
      {
        husk_log_warn ("system reset: remove container %.12s: %s", list[i].id, err->msg);
        husk_error_release (&err);
      }
  husk_container_rec_array_free (list, n);
}

int
husk_op_system_reset (struct husk_engine *e, husk_error_t *err)
{
  cleanup_free char *db = husk_asprintf ("%s/husk.db", e->root);
  const char *suffixes[] = { "", "-wal", "-shm", ".lock" };
  husk_error_t werr = NULL;

  if (e->state && e->store)
    {
      remove_pods (e);
      remove_containers (e);
    }
  if (e->state)
    {
      /* Whatever address a container of the store still leases.  */
      struct husk_netenv v = husk_container_netenv (e);
      husk_ipam_release_store (&v);
    }
  kill_monitors (e);
  /* Volumes the database lists first (their own unmount knows their
     options); then whatever is still mounted below the store.  */
  if (e->state && husk_op_volume_unmount_all (e, &werr) < 0)
    {
      husk_log_warn ("system reset: %s", werr->msg);
      husk_error_release (&werr);
    }
  unmount_everything (e);
  if (e->store && husk_store_wipe (e->store, &werr) < 0)
    {
      husk_log_warn ("system reset: %s", werr->msg);
      husk_error_release (&werr);
    }
  husk_store_free (e->store);
  e->store = NULL;
  husk_state_free (e->state);
  e->state = NULL;
  for (size_t i = 0; i < sizeof suffixes / sizeof suffixes[0]; i++)
    {
      cleanup_free char *p = husk_asprintf ("%s%s", db, suffixes[i]);
      if (unlink (p) < 0 && errno != ENOENT && errno != EISDIR)
        return husk_error_make (err, errno, "remove '%s'", p);
    }
  if (husk_rm_rf (e->root, err) < 0 || husk_rm_rf (e->runroot, err) < 0)
    return husk_error_wrap (err, "system reset");
  return 0;
}

/* ---- system prune ------------------------------------------------------ */

void
husk_system_prune_report_release (struct husk_system_prune_report *r)
{
  husk_strv_free (r->pods);
  husk_strv_free (r->containers);
  husk_strv_free (r->networks);
  husk_strv_free (r->volumes);
  husk_strv_free (r->images);
  husk_strv_free (r->failures);
  memset (r, 0, sizeof *r);
}

/* Bytes of the store in use: images, containers' layers, volumes.  */
static int64_t
usage (struct husk_engine *e)
{
  struct husk_system_df df = { 0 };
  husk_error_t err = NULL;

  if (husk_op_system_df (e, &df, &err) < 0)
    {
      husk_error_drop (&err, "system prune: disk usage");
      return 0;
    }
  return df.images.size + df.containers.size + df.volumes.size;
}

/* Keep the first step's error in err, the others' in the failures.  */
static void
step_failed (struct husk_system_prune_report *r, husk_error_t *first, husk_error_t *e)
{
  if (*first == NULL)
    {
      *first = *e;
      *e = NULL;
      return;
    }
  husk_strv_append (&r->failures, (*e)->msg);
  husk_error_release (e);
}

int
husk_op_system_prune (struct husk_engine *e, const struct husk_system_prune_opts *o,
                      struct husk_system_prune_report *r, husk_error_t *err)
{
  husk_error_t first = NULL, step = NULL;
  int64_t before = usage (e), after;

  memset (r, 0, sizeof *r);
  /* Podman's system prune takes label and until only; checked before
     anything goes (each step checks the values).  */
  for (size_t i = 0; o->filters && o->filters[i]; i++)
    if (!husk_has_prefix (o->filters[i], "label=") && !husk_has_prefix (o->filters[i], "label!=")
        && !husk_has_prefix (o->filters[i], "until="))
      return husk_error_makex (err, EINVAL, "%s is an invalid filter", o->filters[i]);
  if (husk_op_pod_prune (e, &r->pods, &step) < 0)
    step_failed (r, &first, &step);
  if (husk_op_container_prune (e, o->filters, &r->containers, &step) < 0)
    step_failed (r, &first, &step);
  if (husk_op_network_prune (e, o->filters, &r->networks, &step) < 0)
    step_failed (r, &first, &step);
  if (o->volumes && husk_op_volume_prune (e, o->filters, &r->volumes, &step) < 0)
    step_failed (r, &first, &step);
  if (husk_op_image_prune (e, o->filters, o->all, &r->images, &r->failures, &step) < 0)
    step_failed (r, &first, &step);
  after = usage (e);
  r->reclaimed = before > after ? before - after : 0;
  if (first)
    return husk_error_move (err, &first);
  return 0;
}
