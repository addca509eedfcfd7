/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Starting a container: the monitor is spawned first and starts up while
 * the root file system is mounted, the volumes prepared and the spec
 * written; then it creates (and starts) the container and reports the
 * pids, which are recorded with the init and start events in one
 * transaction.  `init` stops after the runtime's create; a later start
 * asks the monitor to run `runtime start`.
 */
#include "container/lifecycle.h"
#include "container/netbridge.h"
#include "events/events.h"
#include "util/cleanup.h"
#include "util/fileutil.h"
#include "util/log.h"
#include "util/strutil.h"
#include "container/monitor.h"
#include "network/network.h"
#include "volume/attach.h"
#include "runtime/runtime.h"
#include "storage/store.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

/* ---- start --------------------------------------------------------------- */

/* The monitor's exit command: `husk --root R --runroot R [--storage-driver
   D] container cleanup --by-monitor ID` (HUSK_CLEANUP_BY_MONITOR).  */
static char **
exit_command (struct husk_engine *e, const char *id)
{
  char **v = NULL;
  char self[4096];
  ssize_t n = readlink ("/proc/self/exe", self, sizeof self - 1);

  self[n > 0 ? n : 0] = '\0';
  husk_strv_append (&v, self);
  husk_strv_append (&v, "--root");
  husk_strv_append (&v, e->root);
  husk_strv_append (&v, "--runroot");
  husk_strv_append (&v, e->runroot);
  if (e->storage_driver)
    {
      husk_strv_append (&v, "--storage-driver");
      husk_strv_append (&v, husk_store_driver_name (e->store));
    }
  husk_engine_child_args (e, &v);
  husk_strv_append (&v, "container");
  husk_strv_append (&v, "cleanup");
  /* Hidden: say that the container's own monitor runs it.  */
  husk_strv_append (&v, "--by-monitor");
  husk_strv_append (&v, id);
  return v;
}


static void
health_opts (json_t *h, struct husk_monitor_health *mh, char ***test)
{
  size_t i;
  json_t *v;

  if (!json_is_object (h))
    return;
  json_array_foreach (json_object_get (h, "test"), i, v)
    husk_strv_append (test, json_string_value (v));
  mh->test = (const char *const *) *test;
  mh->interval_ns = json_integer_value (json_object_get (h, "interval"));
  mh->timeout_ns = json_integer_value (json_object_get (h, "timeout"));
  mh->start_period_ns = json_integer_value (json_object_get (h, "start_period"));
  mh->retries = (int) json_integer_value (json_object_get (h, "retries"));
  mh->on_failure = json_string_value (json_object_get (h, "on_failure"));
}


/* --cgroups=disabled: without a cgroupsPath crun would still make a
   cgroup of the container's ID; its "disabled" cgroup manager makes none
   (as Podman runs it).  runc has no such manager.  */
static int
no_cgroup (struct husk_runtime *rt, json_t *mode, husk_error_t *err)
{
  if (strcmp (json_string_value (mode) ?: "", "disabled") != 0)
    return 0;
  if (strcmp (rt->name, "crun") != 0)
    return husk_error_makex (err, ENOTSUP, "--cgroups=disabled needs the OCI runtime crun "
                             "(its \"disabled\" cgroup manager): %s always makes a cgroup",
                             rt->name);
  husk_strv_append (&rt->args, "--cgroup-manager=disabled");
  return 0;
}

static int
launch (struct husk_engine *e, struct husk_container_rec *r, json_t *c, bool attach_wait,
        bool create_only, int preserve_fds, struct husk_monitor_launch *l, husk_error_t *err)
{
  cleanup_free char *dir = husk_container_bundle_dir (e, r->id), *run = husk_container_rundir (e, r->id);
  cleanup_free char *trash = husk_store_tmp_dir (e->store);
  cleanup_strv char **exitcmd = exit_command (e, r->id), **test = NULL;
  json_t *log = json_object_get (c, "log"), *restart = json_object_get (c, "restart");
  cleanup (husk_runtime_free) struct husk_runtime *rt
      = husk_runtime_open (json_string_value (json_object_get (c, "runtime")), e->runroot, err);
  struct husk_monitor_opts o = {
    .id = r->id, .bundle = dir, .userdata = run,
    .runtime = rt ? rt->path : NULL, .runtime_root = rt ? rt->root : NULL,
    .runtime_args = rt ? (const char *const *) rt->args : NULL,
    .terminal = json_is_true (json_object_get (c, "tty")),
    .stdin_open = json_is_true (json_object_get (c, "interactive")),
    .log_driver = json_string_value (json_object_get (log, "driver")),
    .log_path = json_string_value (json_object_get (log, "path")),
    .log_max_size = json_integer_value (json_object_get (log, "max_size")),
    .attach_wait = attach_wait,
    .create_only = create_only,
    .handoff_cleanup = attach_wait,
    .trash_dir = trash,
    .exit_command = (const char *const *) exitcmd,
    .restart_policy = json_string_value (json_object_get (restart, "policy")),
    .max_retries = (int) json_integer_value (json_object_get (restart, "max_retries")),
    .stop_signal = (int) json_integer_value (json_object_get (c, "stop_signal")),
    .stop_timeout = (int) json_integer_value (json_object_get (c, "stop_timeout")),
    .timeout_ns = json_integer_value (json_object_get (c, "timeout")) * 1000000000LL,
    .preserve_fds = preserve_fds,
    .stdio_fds = { -1, -1, -1 },
  };

  /* Say why the runtime cannot work on this host (crun on hybrid cgroups)
     instead of passing on its raw refusal.  */
  if (rt == NULL || husk_runtime_check_host (rt, err) < 0
      || no_cgroup (rt, json_object_get (c, "cgroups"), err) < 0)
    return -1;
  o.runtime_args = (const char *const *) rt->args;
  if (o.log_driver && strcmp (o.log_driver, "passthrough") == 0)
    {
      /* The container's stdio are the caller's own.  */
      o.stdio_fds[0] = 0;
      o.stdio_fds[1] = 1;
      o.stdio_fds[2] = 2;
      o.attach_wait = false;
    }
  health_opts (json_object_get (c, "health"), &o.health, &test);
  /* A fresh run directory: no exit record of an earlier run.  */
  if (husk_rm_rf (run, err) < 0)
    husk_error_drop (err, "start %s: empty the run directory", r->id);
  if (husk_mkdir_p (run, 0700, err) < 0 || husk_mkdir_p (rt->root, 0700, err) < 0)
    return -1;
  return husk_monitor_spawn (&o, l, err);
}


static void
set_state (struct husk_container_rec *r, const char *state, int pid, int monitor_pid)
{
  free (r->state);
  r->state = husk_xstrdup (state);
  if (pid != r->pid)
    r->pid_start = 0;
  if (monitor_pid != r->monitor_pid)
    r->monitor_start = 0;
  r->pid = pid;
  r->monitor_pid = monitor_pid;
  r->finished_at = 0;
  r->exit_code = 0;
}

/* Record the pids, unless the container already exited and its cleanup
   (run by the monitor) got there first: one transaction decides.  The
   init and start events go in the same transaction, so they come before
   the died that the monitor's cleanup records (see wait_for_starter).  */
static int
record_pids (struct husk_engine *e, const char *id, struct husk_monitor_result *res,
             bool init_only, bool attach, husk_error_t *err)
{
  cleanup_container_rec struct husk_container_rec r = { 0 };
  int ret = 0;

  if (husk_state_begin (e->state, err) < 0)
    return -1;
  if (husk_state_container_get (e->state, id, &r, NULL) < 0)
    {
      husk_state_rollback (e->state);
      return 0; /* gone already: it ran, exited and was removed (--rm) */
    }
  if (husk_container_has_monitor (r.state) && r.monitor_pid == 0)
    {
      r.pid = res->container_pid;
      r.monitor_pid = res->monitor_pid;
      r.pid_start = res->container_start;
      r.monitor_start = res->monitor_start;
      husk_container_set_boot (&r);
      ret = husk_state_container_save (e->state, &r, err);
    }
  if (ret == 0)
    {
      husk_events_container (e->state, &r, "init", 0, NULL);
      if (!init_only)
        husk_events_container (e->state, &r, "start", 0, NULL);
      if (attach) /* the caller attaches: in the same transaction */
        husk_events_container (e->state, &r, "attach", 0, NULL);
      ret = husk_state_commit (e->state, err);
    }
  else
    husk_state_rollback (e->state);
  return ret;
}

/* The caller's terminal size for the container's: in config.json before
   the runtime makes the pty, so that the process never sees another size
   (a resize sent after the start races with it).  */
static int
set_console_size (const char *dir, json_t *c, unsigned rows, unsigned cols, husk_error_t *err)
{
  cleanup_free char *path = husk_asprintf ("%s/config.json", dir);
  cleanup_free char *text = NULL;
  cleanup_json json_t *spec = NULL;
  json_t *proc;

  if (rows == 0 || cols == 0 || !json_is_true (json_object_get (c, "tty")))
    return 0;
  spec = json_load_file (path, 0, NULL);
  proc = json_object_get (spec, "process");
  if (!json_is_object (proc))
    return husk_error_makex (err, EINVAL, "'%s': no process", path);
  json_object_set_new (proc, "consoleSize", json_pack ("{s:I, s:I}", "height", (json_int_t) rows,
                                                       "width", (json_int_t) cols));
  text = json_dumps (spec, JSON_COMPACT);
  return husk_write_file_atomic (path, text, strlen (text), 0600, err);
}

/* A network of the container's own (pasta, slirp4netns), being set up. */
struct net_up
{
  const struct husk_net_backend *b; /* NULL: none to set up */
  char *dir, *netns, *exe;
  struct husk_net_ctx n;
  struct husk_net_pending p;
};

static void
cleanup_net_up_p (struct net_up *u)
{
  if (u->b && (u->p.child > 0 || u->p.ready_fd >= 0))
    husk_net_finish (u->b, &u->n, &u->p, NULL); /* reaped, torn down */
  free (u->dir);
  free (u->netns);
  free (u->exe);
}

/* Make the namespace and start its backend, which configures it while
   the rest of the start goes on (husk_net_finish before the go); the spec
   joins it by path.  */
static int
net_up_start (struct husk_engine *e, const char *id, json_t *c, struct net_up *u,
              husk_error_t *err)
{
  json_t *ns = json_object_get (c, "namespaces");

  u->b = husk_net_backend_find (json_string_value (json_object_get (ns, "network")));
  if (u->b == NULL && strcmp (json_string_value (json_object_get (ns, "network")) ?: "",
                              "bridge") == 0)
    {
      /* A bridge network: connected now, before the spec names it.  */
      u->dir = husk_net_dir (e->runroot, id);
      u->netns = husk_asprintf ("%s/ns", u->dir);
      if (husk_container_bridge_attach (e, c, u->dir, u->netns, err) < 0)
        return husk_error_wrap (err, "set up the bridge networks");
      json_object_set_new (ns, "network", json_sprintf ("ns:%s", u->netns));
      return 0;
    }
  if (u->b == NULL)
    return 0;
  u->exe = husk_net_find_exe (u->b, e->config->helper_binaries_dir,
                              u->b == &husk_net_slirp4netns ? e->config->network_cmd_path : NULL,
                              err);
  if (u->exe == NULL)
    return -1;
  u->dir = husk_net_dir (e->runroot, id);
  u->netns = husk_asprintf ("%s/ns", u->dir);
  u->n = (struct husk_net_ctx){ .dir = u->dir, .netns = u->netns,
                                .options = json_object_get (c, "network_options"),
                                .ports = json_object_get (c, "ports"), .exe = u->exe,
                                .rootless = e->rootless };
  if (husk_net_start (u->b, &u->n, &u->p, err) < 0)
    {
      u->b = NULL;
      return husk_error_wrap (err, "set up the %s network", json_string_value (
                                  json_object_get (ns, "network")));
    }
  json_object_set_new (ns, "network", json_sprintf ("ns:%s", u->netns));
  return 0;
}

static int
net_up_finish (struct net_up *u, husk_error_t *err)
{
  if (u->b == NULL || husk_net_finish (u->b, &u->n, &u->p, err) == 0)
    return 0;
  return husk_error_wrap (err, "set up the %s network", u->b->name);
}

/* Mount, write the spec and launch the monitor: the process starts, or
   with init only waits in the runtime (state "initialized").  */
static int
bring_up (struct husk_engine *e, struct husk_container_rec *r, bool init, int *attach_fd,
          const unsigned size[2], int preserve_fds, int *exit_hint, husk_error_t *err)
{
  struct husk_monitor_result res = { 0 };
  struct husk_monitor_launch l = { .sync_r = -1, .go_w = -1, .attach_fd = -1 };
  cleanup_json json_t *c = json_loads (r->config, 0, NULL);
  cleanup_free char *rootfs = NULL, *dir = husk_container_bundle_dir (e, r->id);
  cleanup_free char *run = husk_container_rundir (e, r->id);
  cleanup_free char *prev = husk_xstrdup (r->state);
  int64_t prev_started = r->started_at;
  int ret, vols;
  cleanup (net_up) struct net_up net = { 0 };

  /* The monitor of the last run may still be deleting the runtime's
     record (a handed-over cleanup does not wait for that).  */
  husk_container_await_monitor (r, 10000);
  /* The container's own network (if any) is configured meanwhile.  The
     saved configuration keeps the mode: only the spec names the path.  */
  cleanup_free char *saved_net = husk_xstrdup (json_string_value (json_object_get (
      json_object_get (c, "namespaces"), "network")) ?: "");
  if (net_up_start (e, r->id, c, &net, err) < 0)
    return -1;
  /* The new monitor starts up while we mount and write the spec; it
     waits for our go.  */
  if (launch (e, r, c, attach_fd != NULL, init, preserve_fds, &l, err) < 0)
    goto fail;
  rootfs = husk_store_container_mount (e->store, r->id, err);
  if (rootfs == NULL || (vols = husk_volume_prepare (e, c, rootfs, err)) < 0)
    goto fail;
  if (vols > 0)
    {
      /* Anonymous volumes got names: keep them across restarts.  */
      json_t *ns = json_object_get (c, "namespaces");
      cleanup_free char *now = husk_xstrdup (json_string_value (json_object_get (ns, "network")) ?: "");
      json_object_set_new (ns, "network", json_string (saved_net));
      free (r->config);
      r->config = json_dumps (c, JSON_COMPACT);
      json_object_set_new (ns, "network", json_string (now));
      if (husk_state_container_save (e->state, r, err) < 0)
        goto fail;
    }
  if (husk_container_write_spec (e, c, dir, rootfs, err) < 0
      || set_console_size (dir, c, size[0], size[1], err) < 0 || net_up_finish (&net, err) < 0)
    goto fail;
  /* Active before the monitor goes: its cleanup may come before we
     return, and must find a row it can fold the exit into.  */
  set_state (r, init ? "initialized" : "running", 0, 0);
  husk_container_set_boot (r);
  if (!init)
    r->started_at = husk_now_ns ();
  if (husk_state_container_save (e->state, r, err) < 0)
    goto fail;
  if (husk_monitor_go (run, &l, &res, err) < 0)
    {
      if (res.exit_code_hint)
        *exit_hint = res.exit_code_hint;
      set_state (r, prev, 0, 0);
      r->started_at = prev_started;
      husk_error_t serr = NULL;
      if (husk_state_container_save (e->state, r, &serr) < 0)
        husk_error_drop_warn (&serr, "start %s: restore state %s", r->id, prev);
      husk_events_container (e->state, r, "cleanup", 0, NULL); /* as Podman records a start that failed */
      goto fail;
    }
  husk_monitor_launch_release (&l);
  /* An attach socket handed back (not with the passthrough log driver):
     the caller attaches, and the event goes with the start's.  */
  ret = record_pids (e, r->id, &res, init, attach_fd != NULL && res.attach_fd >= 0, err);
  if (ret == 0 && attach_fd)
    *attach_fd = res.attach_fd;
  else if (res.attach_fd >= 0)
    close (res.attach_fd);
  return ret;
fail:
  husk_monitor_launch_release (&l);
  /* The backend reaped and its process recorded, so that the release
     below ends it.  */
  if (net.b && (net.p.child > 0 || net.p.ready_fd >= 0))
    husk_net_finish (net.b, &net.n, &net.p, NULL);
  husk_container_release (e, r, true);
  return -1;
}

/* Start what `init` created: the monitor runs `runtime start`.  */
static int
start_initialized (struct husk_engine *e, struct husk_container_rec *r, int *attach_fd,
                   husk_error_t *err)
{
  cleanup_free char *run = husk_container_rundir (e, r->id);
  cleanup_close int sock = -1;
  cleanup_container_rec struct husk_container_rec cur = { 0 };
  int ret = 0;

  if (attach_fd && (sock = husk_monitor_connect_attach (run, err)) < 0)
    return -1;
  if (husk_monitor_start_created (run, err) < 0)
    return husk_error_wrap (err, "start '%s'", r->name);
  if (husk_state_begin (e->state, err) < 0)
    return -1;
  if (husk_state_container_get (e->state, r->id, &cur, NULL) == 0
      && strcmp (cur.state, "initialized") == 0)
    {
      set_state (&cur, "running", cur.pid, cur.monitor_pid);
      cur.started_at = husk_now_ns ();
      ret = husk_state_container_save (e->state, &cur, err);
    }
  if (ret < 0 || husk_state_commit (e->state, err) < 0)
    {
      husk_state_rollback (e->state);
      return -1;
    }
  husk_events_container (e->state, r, "start", 0, NULL);
  if (attach_fd)
    {
      husk_events_container (e->state, r, "attach", 0, NULL);
      *attach_fd = steal_fd (&sock);
    }
  return 0;
}

int
husk_container_start_sized (struct husk_engine *e, struct husk_container_rec *r,
                            int *attach_fd, unsigned rows, unsigned cols, int preserve_fds,
                            int *exit_hint, husk_error_t *err)
{
  const unsigned size[2] = { rows, cols };

  if (strcmp (r->state, "initialized") == 0)
    {
      /* Its runtime process ran at init, without them.  */
      if (preserve_fds > 0)
        return husk_error_makex (err, EINVAL, "--preserve-fds: container %s was "
                                 "initialized already", r->id);
      return start_initialized (e, r, attach_fd, err);
    }
  return bring_up (e, r, false, attach_fd, size, preserve_fds, exit_hint, err);
}

int
husk_container_start (struct husk_engine *e, struct husk_container_rec *r, int *attach_fd,
                      int *exit_hint, husk_error_t *err)
{
  return husk_container_start_sized (e, r, attach_fd, 0, 0, 0, exit_hint, err);
}

int
husk_container_init (struct husk_engine *e, struct husk_container_rec *r, husk_error_t *err)
{
  const unsigned size[2] = { 0, 0 };
  int hint;

  return bring_up (e, r, true, NULL, size, 0, &hint, err);
}
