/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The container state machine: the recorded processes, folding what the
 * monitor recorded (an exit, a restart) into the row, loading and listing
 * rows brought up to date.  See lifecycle.h for the theory of operation.
 */
#include "container/lifecycle.h"
#include "events/events.h"
#include "util/cleanup.h"
#include "util/fileutil.h"
#include "util/log.h"
#include "util/strutil.h"
#include "container/monitor.h"
#include "runtime/runtime.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

/* The recorded processes.  A pid is only a name: after a reboot, or once
   a monitor and its container died without an exit record, it may belong
   to any process.  Every check and every signal on a pid from the row goes
   through husk_container_proc(), which adds the boot and start time recorded with it
   (util/proc.h): a process that does not match is not the container's, is
   never signalled and never counts as alive.  A row recorded before boot
   IDs were (no boot_id) belongs to this boot only if it started after the
   boot did; the minute of slack keeps a clock stepped after boot from
   ending a container that runs.  */
struct husk_proc_id
husk_container_proc (const struct husk_container_rec *r, bool monitor)
{
  struct husk_proc_id p = { .pid = monitor ? r->monitor_pid : r->pid,
                            .start = monitor ? r->monitor_start : r->pid_start,
                            .boot_id = r->boot_id };

  if ((r->boot_id == NULL || r->boot_id[0] == '\0') && r->started_at > 0
      && r->started_at < husk_proc_boot_time_ns () - 60LL * 1000000000)
    p.pid = 0;
  return p;
}

/* Whether the container's process (or its monitor) as recorded still
   runs.  A zombie is dead: init here reaps orphans slowly, and an exited
   monitor can linger as one for a second.  */
bool
husk_container_alive (const struct husk_container_rec *r, bool monitor)
{
  struct husk_proc_id p = husk_container_proc (r, monitor);

  return husk_proc_alive (&p);
}

/* Record the boot the pids about to be recorded belong to.  */
void
husk_container_set_boot (struct husk_container_rec *r)
{
  char boot[HUSK_BOOT_ID_LEN + 1];

  husk_proc_boot_id (boot);
  free (r->boot_id);
  r->boot_id = husk_xstrdup (boot);
}

/* The states in which a monitor looks after the container.  */
bool
husk_container_has_monitor (const char *state)
{
  return strcmp (state, "running") == 0 || strcmp (state, "paused") == 0
         || strcmp (state, "stopping") == 0 || strcmp (state, "initialized") == 0;
}


char *
husk_container_bundle_dir (struct husk_engine *e, const char *id)
{
  return husk_asprintf ("%s/containers/%s", e->root, id);
}


char *
husk_container_rundir (struct husk_engine *e, const char *id)
{
  return husk_asprintf ("%s/containers/%s", e->runroot, id);
}


void
husk_container_await_monitor (const struct husk_container_rec *r, int timeout_ms)
{
  struct husk_proc_id p = husk_container_proc (r, true);

  husk_proc_await (&p, timeout_ms);
}

/* The runtime recorded in a container's configuration, with husk's --root. */
struct husk_runtime *
husk_container_runtime (struct husk_engine *e, const struct husk_container_rec *r, husk_error_t *err)
{
  cleanup_json json_t *c = json_loads (r->config, 0, NULL);

  return husk_runtime_open (json_string_value (json_object_get (c, "runtime")), e->runroot,
                            err);
}

/* The monitor's record of the last start: {"pid", "pid_start",
   "monitor_pid", "monitor_start", "started_at_ns"}.  NULL if none.  */
static json_t *
read_started (const char *run)
{
  cleanup_free char *path = husk_asprintf ("%s/%s", run, HUSK_MONITOR_STARTED);
  cleanup_free char *text = husk_read_file (path, NULL, NULL);

  return text ? json_loads (text, 0, NULL) : NULL;
}

/* The monitor restarts the container on its own (restart policy): take
   the new pid, its start time and the count from its files.  */
static int
follow_restart (struct husk_engine *e, struct husk_container_rec *r, const char *run)
{
  cleanup_json json_t *j = read_started (run);
  int count = husk_monitor_restart_count (run);
  int pid = (int) json_integer_value (json_object_get (j, "pid"));
  uint64_t start = (uint64_t) json_integer_value (json_object_get (j, "pid_start"));
  husk_error_t err = NULL;

  if (count == r->restart_count && (pid == 0 || (pid == r->pid && start == r->pid_start)))
    return 0;
  r->restart_count = count;
  if (pid)
    {
      r->pid = pid;
      r->pid_start = start;
    }
  if (husk_state_container_save (e->state, r, &err) < 0)
    husk_error_drop (&err, "sync %s: save the restart", r->id);
  return 1;
}

/* A start whose husk died before it recorded the monitor: the monitor's
   own pid file tells whether one runs; without it, after a grace period,
   nothing does.  */
static bool
monitor_never_came (struct husk_container_rec *r, const char *run)
{
  cleanup_free char *path = husk_asprintf ("%s/%s", run, HUSK_MONITOR_PID);
  cleanup_free char *text = husk_read_file (path, NULL, NULL);

  if (text)
    {
      /* Its start time is in `started` once the container started; until
         then a live process with its pid counts (util/proc.h).  */
      cleanup_json json_t *j = read_started (run);
      r->monitor_pid = atoi (text);
      r->monitor_start = 0;
      if (json_integer_value (json_object_get (j, "monitor_pid")) == r->monitor_pid)
        r->monitor_start = (uint64_t) json_integer_value (json_object_get (j, "monitor_start"));
      return !husk_container_alive (r, true) && !husk_container_alive (r, false);
    }
  return husk_now_ns () - r->started_at > 30LL * 1000000000;
}

/* Save a folded exit, once: the monitor's cleanup and a command may both
   see the exit record; only the one that still finds the row active
   writes it and records the event.  */
static int
save_exit (struct husk_engine *e, struct husk_container_rec *r)
{
  cleanup_container_rec struct husk_container_rec cur = { 0 };
  husk_error_t err = NULL;
  bool first;

  if (husk_state_begin (e->state, &err) < 0)
    return husk_error_drop (&err, "sync %s: save the exit", r->id), 0;
  /* A row that is gone was removed meanwhile: nothing to save.  */
  if (husk_state_container_get (e->state, r->id, &cur, NULL) == 0)
    {
      first = strcmp (cur.state, "exited") != 0 && strcmp (cur.state, "created") != 0;
      if (first && husk_state_container_save (e->state, r, &err) < 0)
        husk_error_drop (&err, "sync %s: save the exit", r->id);
      else if (first)
        {
          /* In the transaction that folds the exit, so that exactly one
             process records them.  An --rm container gets "remove"
             instead of "cleanup", as in Podman.  */
          cleanup_json json_t *c = json_loads (r->config, 0, NULL);
          husk_events_container (e->state, r, "died", r->exit_code, NULL);
          if (!json_is_true (json_object_get (c, "rm")))
            husk_events_container (e->state, r, "cleanup", 0, NULL);
        }
    }
  if (husk_state_commit (e->state, &err) < 0)
    return husk_error_drop (&err, "sync %s: save the exit", r->id), 0;
  return 1;
}

/* Fold what the monitor recorded into the row.  cleaner: the process that
   cleans up after the exit.  Any other leaves an exit that the monitor
   handed over to its attached caller (a foreground `run`, `start -a`:
   the exit file says so) to that caller while the monitor still runs,
   and only reads it: the monitor lives until the caller's CLEANED word
   (or, the caller gone, until its exit command is done), so a live
   monitor means a cleanup on its way.  Folding it here as well would
   race that cleanup for the row's write lock and the mount's, and run
   the runtime's delete a second time: a `ps` that came between the exit
   of a foreground `run --rm` and its cleanup made that run about 12 ms
   slower.  An exit left to the exit command alone is folded by whoever
   sees it first, as before: `wait` and a passthrough `run` then return
   with the exit recorded (died, cleanup).  A monitor that dies before the
   cleanup leaves the exit to the next sync.  Return: 1 if it changed the
   row.  */
static int
sync_row (struct husk_engine *e, struct husk_container_rec *r, bool runtime, bool cleaner)
{
  cleanup_free char *run = husk_container_rundir (e, r->id);
  struct husk_monitor_exit ex = { 0 };
  if (!husk_container_has_monitor (r->state))
    return 0;
  if (r->monitor_pid > 0)
    follow_restart (e, r, run);
  if (husk_monitor_read_exit (run, &ex, NULL) > 0)
    {
      /* A restart comes only from a monitor that still runs.  */
      if (ex.restarting && !(r->monitor_pid > 0 && !husk_container_alive (r, true)))
        {
          husk_monitor_exit_release (&ex);
          return follow_restart (e, r, run);
        }
      free (r->state);
      r->state = husk_xstrdup ("exited");
      r->exit_code = ex.exit_code;
      r->finished_at = ex.finished_at_ns;
      r->oom_killed = ex.oom_killed;
      r->restart_count = ex.restart_count;
      r->pid = 0;
      husk_monitor_exit_release (&ex);
      if (!cleaner && ex.handed_over && r->monitor_pid > 0 && husk_container_alive (r, true))
        return 0;
    }
  else if (r->monitor_pid > 0 ? !husk_container_alive (r, true) && !husk_container_alive (r, false)
                               : monitor_never_came (r, run))
    {
      /* Monitor and container gone without a record (killed, or a reboot:
         the run directory cleared, or the boot ID differs and every
         recorded pid is stale).  The mount goes now (husk_container_release).  */
      free (r->state);
      r->state = husk_xstrdup ("exited");
      r->exit_code = -1;
      r->finished_at = husk_now_ns ();
      r->pid = 0;
    }
  else
    return 0;
  husk_container_release (e, r, runtime);
  return save_exit (e, r);
}

int
husk_container_sync (struct husk_engine *e, struct husk_container_rec *r, bool runtime)
{
  return sync_row (e, r, runtime, false);
}

int
husk_container_fold (struct husk_engine *e, struct husk_container_rec *r, bool runtime)
{
  return sync_row (e, r, runtime, true);
}


int
husk_container_load (struct husk_engine *e, const char *ref, struct husk_container_rec *r, husk_error_t *err)
{
  cleanup_free char *id = NULL;

  if (husk_state_container_lookup (e->state, ref, &id, err) < 0
      || husk_state_container_get (e->state, id, r, err) < 0)
    return -1;
  husk_container_sync (e, r, true);
  return 0;
}


int
husk_container_list (struct husk_engine *e, struct husk_container_rec **out,
                     size_t *n, husk_error_t *err)
{
  if (husk_state_container_list (e->state, out, n, err) < 0)
    return -1;
  for (size_t i = 0; i < *n; i++)
    husk_container_sync (e, &(*out)[i], true);
  return 0;
}
