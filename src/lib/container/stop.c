/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Stopping and signalling a container: through its runtime, or, when the
 * runtime lost track, the recorded pid while it is still the process
 * recorded (util/proc.h).
 */
#include "container/lifecycle.h"
#include "container/parse.h"
#include "events/events.h"
#include "util/cleanup.h"
#include "util/fileutil.h"
#include "util/log.h"
#include "util/strutil.h"
#include "container/monitor.h"
#include "runtime/runtime.h"
#include "runtime/spec.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>


bool
husk_container_cgroup_disabled (const struct husk_container_rec *r)
{
  cleanup_json json_t *c = r->config ? json_loads (r->config, 0, NULL) : NULL;

  return strcmp (json_string_value (json_object_get (c, "cgroups")) ?: "", "disabled") == 0;
}

int
husk_container_signal (struct husk_engine *e, struct husk_container_rec *r, int sig, bool all)
{
  husk_error_t err = NULL;
  cleanup (husk_runtime_free) struct husk_runtime *rt = husk_container_runtime (e, r, &err);
  struct husk_proc_id p = husk_container_proc (r, false);

  /* A rootless container on cgroup v1 has no cgroup: the runtime's --all
     would find no process to signal.  Its init is then signalled, which
     ends its pid namespace.  */
  if (all && ((e->rootless && !husk_spec_host_cgroup2 ()) || husk_container_cgroup_disabled (r)))
    all = false;
  if (rt && husk_runtime_kill (rt, r->id, sig, all, &err) == 0)
    return 0;
  husk_log_debug ("kill %s: %s", r->id, err ? err->msg : "");
  husk_error_release (&err);
  /* The runtime may have lost track: signal the pid, but only while it is
     still the process recorded (util/proc.h), never one that got its pid
     since; a row without the start time gets no signal of ours.  */
  return husk_proc_signal (&p, sig);
}

/* Wait until the monitor has recorded an exit, up to timeout_ms.  */
bool
husk_container_await_exit (struct husk_engine *e, const struct husk_container_rec *r,
                           int timeout_ms)
{
  for (int waited = 0;; waited += 20)
    {
      cleanup_container_rec struct husk_container_rec fresh = { 0 };
      bool done;
      if (husk_state_container_get (e->state, r->id, &fresh, NULL) < 0)
        return true;
      husk_container_sync (e, &fresh, true);
      done = !husk_container_has_monitor (fresh.state);
      if (done)
        return true;
      if (timeout_ms >= 0 && waited >= timeout_ms)
        return false;
      usleep (20000);
    }
}

void
husk_container_no_restart (struct husk_engine *e, const struct husk_container_rec *r)
{
  cleanup_free char *run = husk_container_rundir (e, r->id);
  cleanup_free char *stopping = husk_asprintf ("%s/%s", run, HUSK_MONITOR_STOPPING);
  husk_error_t serr = NULL;

  if (husk_write_file_atomic (stopping, "1", 1, 0600, &serr) < 0)
    husk_error_drop (&serr, "%s: no restart", r->id);
}

/* The row says "stopping" while the stop is pending (inspect, ps), as
   Podman's; the exit folded later makes it "exited".  */
static void
mark_stopping (struct husk_engine *e, const struct husk_container_rec *r)
{
  cleanup_container_rec struct husk_container_rec cur = { 0 };
  husk_error_t serr = NULL;

  if (husk_state_begin (e->state, &serr) < 0)
    {
      husk_error_drop (&serr, "stop %s: state", r->id);
      return;
    }
  if (husk_state_container_get (e->state, r->id, &cur, NULL) == 0
      && (strcmp (cur.state, "running") == 0 || strcmp (cur.state, "paused") == 0))
    {
      free (cur.state);
      cur.state = husk_xstrdup ("stopping");
      if (husk_state_container_save (e->state, &cur, &serr) < 0)
        husk_error_drop (&serr, "stop %s: state", r->id);
    }
  if (husk_state_commit (e->state, &serr) < 0)
    husk_error_drop (&serr, "stop %s: state", r->id);
}

static void
resume (struct husk_engine *e, const struct husk_container_rec *r)
{
  husk_error_t rerr = NULL;
  cleanup (husk_runtime_free) struct husk_runtime *rt = husk_container_runtime (e, r, &rerr);

  if (rt == NULL || husk_runtime_resume (rt, r->id, &rerr) < 0)
    husk_log_debug ("stop %s: resume: %s", r->id, rerr->msg);
  husk_error_release (&rerr);
}

/* SIGKILL until the exit is recorded, up to timeout_ms.  A stop that
   comes while the monitor restarts the container (after its check of the
   stop file, before the new process exists) finds nothing to signal; the
   monitor then creates the container again, so the signal is repeated,
   for the record as it is now.  */
static void
kill_until_exit (struct husk_engine *e, const struct husk_container_rec *r, int timeout_ms)
{
  for (int waited = 0; waited < timeout_ms; waited += 50)
    {
      cleanup_container_rec struct husk_container_rec fresh = { 0 };
      if (husk_state_container_get (e->state, r->id, &fresh, NULL) < 0)
        return;
      husk_container_signal (e, &fresh, SIGKILL, true);
      if (husk_container_await_exit (e, &fresh, 50))
        return;
    }
}

/* The stop signal's name as Podman prints it in its warning.  */
static void
name_signal (int sig, char buf[16])
{
  const char *n = husk_signal_name (sig);

  if (n)
    snprintf (buf, 16, "%s", n);
  else
    snprintf (buf, 16, "(%d)", sig);
}

int
husk_container_stop (struct husk_engine *e, struct husk_container_rec *r,
                     const struct husk_stop_opts *o, husk_error_t *err)
{
  cleanup_json json_t *c = json_loads (r->config, 0, NULL);
  int sig = (int) json_integer_value (json_object_get (c, "stop_signal"));
  int timeout = o->timeout;

  (void) err; /* best effort, as Podman's stop */
  if (sig <= 0)
    sig = SIGTERM;
  if (timeout < 0)
    timeout = (int) json_integer_value (json_object_get (c, "stop_timeout"));
  /* Before the signal: no restart after this; the exit it causes is
     folded (died, cleanup) by whichever process sees it first, maybe
     the monitor's.  */
  husk_container_no_restart (e, r);
  mark_stopping (e, r);
  if (strcmp (r->state, "paused") == 0)
    resume (e, r);
  if (timeout > 0)
    husk_container_signal (e, r, sig, false);
  if (timeout == 0 || !husk_container_await_exit (e, r, timeout * 1000))
    {
      char name[16];
      name_signal (sig, name);
      if (timeout > 0 && o->timed_out)
        o->timed_out (o->data, r->name, name, timeout);
      kill_until_exit (e, r, 10000);
    }
  /* The monitor's cleanup comes after the exit: let it end, so that a
     start right after this stop cannot lose its rootfs to it.  */
  {
    cleanup_container_rec struct husk_container_rec fresh = { 0 };
    if (husk_state_container_get (e->state, r->id, &fresh, NULL) == 0 && fresh.monitor_pid > 0)
      husk_container_await_monitor (&fresh, 5000);
  }
  return 0;
}
