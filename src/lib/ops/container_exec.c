/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * exec, attach, pause, unpause and restart: the operations that act on a
 * running container through its OCI runtime or its monitor.  The work is
 * in container/ (exec.c, exec-tty.c, pause.c); these resolve the
 * container, check its state with Podman's wording and record the events.
 */
#include "ops/container.h"
#include "runtime/spec.h"
#include "container/lifecycle.h"
#include "container/monitor.h"
#include "events/events.h"
#include "util/cleanup.h"
#include "util/strutil.h"

#include <errno.h>
#include <string.h>

#define DEFAULT_DETACH_KEYS "ctrl-p,ctrl-q"

static void
event (struct husk_engine *e, const char *action, const struct husk_container_rec *r)
{
  husk_events_container (e->state, r, action, 0, NULL);
}

/* Load a container that must be running; Podman's message otherwise.  */
static int
load_running (struct husk_engine *e, const char *ref, struct husk_container_rec *r,
              const char *msg, husk_error_t *err)
{
  if (husk_container_load (e, ref, r, err) < 0)
    return -1;
  if (strcmp (r->state, "running") == 0)
    return 0;
  husk_container_rec_release (r);
  return husk_error_makex (err, EBUSY, "%s", msg);
}

int
husk_op_container_exec (struct husk_engine *e, const char *ref,
                        const struct husk_exec_opts *o, int *exit_code, char **exec_id,
                        husk_error_t *err)
{
  struct husk_container_rec r = { 0 };
  struct husk_exec_launch l;
  int ret;

  *exit_code = 125;
  if (o->argv == NULL || o->argv[0] == NULL)
    return husk_error_makex (err, EINVAL, "must provide a non-empty command to start an exec "
                             "session");
  /* The session's monitor starts up while we look the container up.  */
  if (husk_container_exec_spawn (&l, o->preserve_fds, err) < 0)
    return -1;
  if (load_running (e, ref, &r, "can only create exec sessions on running containers: "
                    "container state improper", err) < 0)
    {
      husk_container_exec_launch_release (&l);
      return -1;
    }
  ret = husk_container_exec (e, &r, o, &l, exit_code, exec_id, err);
  husk_container_rec_release (&r);
  return ret;
}

char **
husk_op_container_exec_ids (struct husk_engine *e, const char *id)
{
  return husk_container_exec_ids (e, id);
}

/* ---- attach ---------------------------------------------------------------- */

int
husk_op_container_attach (struct husk_engine *e, const char *ref, int in_fd, int out_fd,
                          int err_fd, const char *detach_keys, husk_error_t *err)
{
  struct husk_container_rec r = { 0 };
  cleanup_json json_t *ccfg = NULL;
  cleanup_free char *run = NULL, *keys = NULL;
  bool tty, interactive;

  if (load_running (e, ref, &r, "you can only attach to running containers", err) < 0)
    return -1;
  ccfg = json_loads (r.config, 0, NULL);
  tty = json_is_true (json_object_get (ccfg, "tty"));
  interactive = json_is_true (json_object_get (ccfg, "interactive"));
  if (detach_keys == NULL)
    detach_keys = json_string_value (json_object_get (ccfg, "detach_keys"));
  keys = husk_xstrdup (detach_keys ? detach_keys : DEFAULT_DETACH_KEYS);
  run = husk_container_rundir (e, r.id);
  event (e, "attach", &r);
  husk_container_rec_release (&r);
  return husk_attach (run, interactive ? in_fd : -1, out_fd, err_fd, keys, tty, err);
}

static int
pause_resume (struct husk_engine *e, const char *ref, bool pause, husk_error_t *err)
{
  struct husk_container_rec r = { 0 };
  const char *want = pause ? "running" : "paused";
  int ret = -1;

  /* The freezer is a cgroup, and rootless containers have none on v1. */
  if (e->rootless && !husk_spec_host_cgroup2 ())
    return husk_error_makex (err, ENOTSUP, "can not %s containers on rootless containers "
                             "with cgroup V1: this container does not have a cgroup",
                             pause ? "pause" : "unpause");
  if (husk_container_load (e, ref, &r, err) < 0)
    return -1;
  if (husk_container_cgroup_disabled (&r))
    husk_error_makex (err, ENOTSUP, "cannot %s without using Cgroups (--cgroups=disabled): "
                      "this container does not have a cgroup", pause ? "pause" : "unpause");
  else if (pause && strcmp (r.state, "paused") == 0)
    husk_error_makex (err, EBUSY, "\"%s\" is already paused: container state improper", r.id);
  else if (strcmp (r.state, want) != 0)
    /* Podman names the state, not the container, when it cannot pause. */
    husk_error_makex (err, EBUSY, pause ? "\"%s\" is not running, can't pause: container "
                      "state improper" : "\"%s\" is not paused, can't unpause: container "
                      "state improper", pause ? r.state : r.id);
  else if (husk_container_pause (e, &r, pause, err) == 0)
    {
      event (e, pause ? "pause" : "unpause", &r);
      ret = 0;
    }
  husk_container_rec_release (&r);
  return ret;
}

int
husk_op_container_pause (struct husk_engine *e, const char *ref, husk_error_t *err)
{
  return pause_resume (e, ref, true, err);
}

int
husk_op_container_unpause (struct husk_engine *e, const char *ref, husk_error_t *err)
{
  return pause_resume (e, ref, false, err);
}

/* ---- restart ----------------------------------------------------------------- */

int
husk_op_container_restart (struct husk_engine *e, const char *ref, int timeout,
                           int *exit_hint, husk_error_t *err)
{
  struct husk_container_rec r = { 0 };
  bool active;
  int ret;

  *exit_hint = 125;
  if (husk_container_load (e, ref, &r, err) < 0)
    return -1;
  active = strcmp (r.state, "running") == 0 || strcmp (r.state, "paused") == 0
           || strcmp (r.state, "stopping") == 0;
  /* Podman's order: restart, then the old run's died and cleanup, then
     init and start; no stop event.  */
  event (e, "restart", &r);
  ret = active ? husk_op_container_stop_quiet (e, r.id, timeout, err) : 0;
  /* The old monitor runs `container cleanup` after the exit; a start
     before it is done would have its fresh mount taken away.  */
  if (ret == 0)
    husk_op_container_await_monitor (&r, 10000);
  if (ret == 0 && husk_op_container_start (e, r.id, NULL, exit_hint, err) < 0)
    ret = -1;
  husk_container_rec_release (&r);
  return ret;
}
