/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Container operations: one thin entry per user operation.  Each resolves
 * the container (its state brought up to date), checks that the state
 * allows the operation with Podman's wording, and calls the lifecycle in
 * container/ (container/lifecycle.h has the theory of operation), taking
 * the transaction and recording the event where the lifecycle does not do
 * so inside its own.
 */
#include "ops/container.h"
#include "ops/pod.h"
#include "container/ccfg-build.h"
#include "container/lifecycle.h"
#include "container/monitor.h"
#include "events/events.h"
#include "ops/image.h"
#include "runtime/runtime.h"
#include "userns/userns.h"
#include "volume/attach.h"
#include "util/cleanup.h"
#include "util/log.h"
#include "util/strutil.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

static void
event (struct husk_engine *e, const char *action, const struct husk_container_rec *r)
{
  husk_events_container (e->state, r, action, 0, NULL);
}

char *
husk_op_container_rundir (struct husk_engine *e, const char *id)
{
  return husk_container_rundir (e, id);
}

int
husk_op_container_resolve (struct husk_engine *e, const char *ref, char **id,
                           husk_error_t *err)
{
  return husk_state_container_lookup (e->state, ref, id, err);
}

int
husk_op_container_load (struct husk_engine *e, const char *ref, struct husk_container_rec *r,
                        husk_error_t *err)
{
  return husk_container_load (e, ref, r, err);
}

int
husk_op_container_list (struct husk_engine *e, struct husk_container_rec **out,
                        size_t *n, husk_error_t *err)
{
  return husk_container_list (e, out, n, err);
}

void
husk_op_container_await_monitor (const struct husk_container_rec *r, int timeout_ms)
{
  husk_container_await_monitor (r, timeout_ms);
}

/* --network, --ipc, --pid, --uts container:NAME: the other container by
   its full ID, as Podman records it (inspect shows "container:<id>", and
   a rename does not lose it); a missing one fails the create.  Docker's
   --ipc shareable is a private namespace that others may join: husk's
   private.  */
static int
resolve_namespaces (struct husk_engine *e, json_t *req, husk_error_t *err)
{
  static const char *const kinds[] = { "network", "ipc", "pid", "uts" };

  for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
    {
      const char *v = json_string_value (json_object_get (req, kinds[i]));
      cleanup_free char *id = NULL;
      if (v && strcmp (kinds[i], "ipc") == 0 && strcmp (v, "shareable") == 0)
        json_object_set_new (req, kinds[i], json_string ("private"));
      if (v == NULL || strncmp (v, "container:", 10) != 0)
        continue;
      if (husk_state_container_lookup (e->state, v + 10, &id, err) < 0)
        return -1;
      json_object_set_new (req, kinds[i], json_sprintf ("container:%s", id));
    }
  return 0;
}

/* --mount type=image: the image by its ID from create on.  */
static int
resolve_mount_image (void *e, const char *ref, char **id, husk_error_t *err)
{
  return husk_op_image_resolve (e, ref, id, err);
}

int
husk_op_container_create (struct husk_engine *e, const char *image, json_t *req,
                          char **id_out, husk_error_t *err)
{
  cleanup_free char *image_id = NULL;

  if (resolve_namespaces (e, req, err) < 0
      || husk_ccfg_resolve_image_mounts (req, resolve_mount_image, e, err) < 0
      || husk_op_image_resolve (e, image, &image_id, err) < 0)
    return -1;
  return husk_container_create (e, image_id, req, id_out, err);
}

int
husk_op_container_start (struct husk_engine *e, const char *ref, int *attach_fd,
                         int *exit_hint, husk_error_t *err)
{
  return husk_op_container_start_sized (e, ref, attach_fd, 0, 0, 0, exit_hint, err);
}

int
husk_op_container_start_sized (struct husk_engine *e, const char *ref, int *attach_fd,
                               unsigned rows, unsigned cols, int preserve_fds, int *exit_hint,
                               husk_error_t *err)
{
  cleanup_container_rec struct husk_container_rec r = { 0 };
  int ret;

  *exit_hint = 125;
  if (attach_fd)
    *attach_fd = -1;
  if (husk_container_load (e, ref, &r, err) < 0)
    return -1;
  if (strcmp (r.state, "running") == 0)
    ret = 1;
  else if (strcmp (r.state, "paused") == 0 || strcmp (r.state, "stopping") == 0)
    ret = husk_error_makex (err, EBUSY, "container %s must be in Created or Stopped state "
                            "to be started: container state improper", r.id);
  else if (husk_op_pod_before_start (e, &r, err) < 0)
    ret = -1;
  else
    ret = husk_container_start_sized (e, &r, attach_fd, rows, cols, preserve_fds, exit_hint,
                                      err);
  return ret;
}

int
husk_op_container_init (struct husk_engine *e, const char *ref, husk_error_t *err)
{
  cleanup_container_rec struct husk_container_rec r = { 0 };
  int ret;

  if (husk_container_load (e, ref, &r, err) < 0)
    return -1;
  if (strcmp (r.state, "created") && strcmp (r.state, "exited"))
    ret = husk_error_makex (err, EBUSY,
                            "container %s has already been created in runtime: "
                            "container state improper", r.id);
  else
    ret = husk_container_init (e, &r, err);
  return ret;
}

int
husk_op_container_cleanup (struct husk_engine *e, const char *ref, unsigned flags,
                           husk_error_t *err)
{
  /* Only the monitor's own hand-over (husk_op_container_attached_exit)
     may say it was handed over.  */
  bool drop_pod;
  cleanup_free char *pod = husk_op_pod_member_of (e, ref, &drop_pod);

  flags &= HUSK_CLEANUP_BY_MONITOR | HUSK_CLEANUP_RESTARTING;
  if (husk_container_cleanup (e, ref, flags, NULL, err) < 0)
    return -1;
  if (!(flags & HUSK_CLEANUP_RESTARTING))
    husk_op_pod_after_exit (e, pod, drop_pod);
  return 0;
}

int
husk_op_container_attached_exit (struct husk_engine *e, const char *id, int sock,
                                 husk_error_t *err)
{
  bool drop_pod;
  cleanup_free char *pod = husk_op_pod_member_of (e, id, &drop_pod);

  if (husk_container_attached_exit (e, id, sock, err) < 0)
    return -1;
  husk_op_pod_after_exit (e, pod, drop_pod);
  return 0;
}

static int
stop (struct husk_engine *e, const char *ref, const struct husk_stop_opts *o, bool record,
      husk_error_t *err)
{
  cleanup_container_rec struct husk_container_rec r = { 0 };
  int ret = 0;

  if (husk_container_load (e, ref, &r, err) < 0)
    return -1;
  /* Already stopped: Podman succeeds too.  */
  if (husk_container_has_monitor (r.state))
    {
      /* Before the signal: the exit it causes is folded (died, cleanup)
         by whichever process sees it first, maybe the monitor's.  */
      if (record)
        event (e, "stop", &r);
      ret = husk_container_stop (e, &r, o, err);
    }
  return ret;
}

int
husk_op_container_stop_with (struct husk_engine *e, const char *ref,
                             const struct husk_stop_opts *o, husk_error_t *err)
{
  return stop (e, ref, o, true, err);
}

int
husk_op_container_stop (struct husk_engine *e, const char *ref, int timeout,
                        husk_error_t *err)
{
  return stop (e, ref, &(struct husk_stop_opts){ .timeout = timeout }, true, err);
}

int
husk_op_container_stop_quiet (struct husk_engine *e, const char *ref, int timeout,
                              husk_error_t *err)
{
  return stop (e, ref, &(struct husk_stop_opts){ .timeout = timeout }, false, err);
}

/* Signal while holding the write lock, so that the kill event comes
   before the died that the monitor's cleanup records.  */
static int
kill_locked (struct husk_engine *e, struct husk_container_rec *r, int sig, husk_error_t *err)
{
  if (husk_state_begin (e->state, err) < 0)
    return -1;
  if (husk_container_signal (e, r, sig, false) < 0)
    {
      husk_error_make (err, errno, "kill container %s", r->id);
      husk_state_rollback (e->state);
      return -1;
    }
  event (e, "kill", r);
  return husk_state_commit (e->state, err);
}

void
husk_op_container_warm (void)
{
  if (!husk_userns_rootless ())
    husk_runtime_cgroup_warm ();
}

int
husk_op_container_kill (struct husk_engine *e, const char *ref, int sig, husk_error_t *err)
{
  cleanup_container_rec struct husk_container_rec r = { 0 };

  if (husk_container_load (e, ref, &r, err) < 0)
    return -1;
  /* A stop pending may be hurried along by a kill, as in Podman.  */
  if (strcmp (r.state, "running") && strcmp (r.state, "paused") && strcmp (r.state, "stopping"))
    return husk_error_makex (err, EINVAL, "can only kill running containers. %s is in state "
                             "%s: container state improper", r.id, r.state);
  /* Podman's StoppedByUser: what the user killed is not restarted by its
     policy; written before the signal, which the monitor may see first. */
  husk_container_no_restart (e, &r);
  if (kill_locked (e, &r, sig, err) < 0)
    return -1;
  /* SIGKILL ends it for sure: return once the exit is folded, as Podman
     does, so that the next command sees it exited.  */
  if (sig == SIGKILL)
    husk_container_await_exit (e, &r, 10000);
  return 0;
}

/* IDs of the containers that join r's namespaces (--network, --ipc,
   --pid, --uts container:X), NULL when none.  */
static char **
dependents (struct husk_engine *e, const struct husk_container_rec *r)
{
  struct husk_container_rec *list = NULL;
  char **out = NULL;
  size_t n = 0;

  if (husk_state_container_list (e->state, &list, &n, NULL) < 0)
    return NULL;
  for (size_t i = 0; i < n; i++)
    {
      cleanup_json json_t *c = list[i].config ? json_loads (list[i].config, 0, NULL) : NULL;
      const char *key;
      json_t *v;
      bool uses = false;

      json_object_foreach (json_object_get (c, "namespaces"), key, v)
        {
          const char *s = json_string_value (v);
          cleanup_free char *id = NULL;
          if (uses || s == NULL || strncmp (s, "container:", 10) != 0)
            continue;
          uses = husk_state_container_lookup (e->state, s + 10, &id, NULL) == 0
                 && strcmp (id, r->id) == 0;
        }
      if (uses && strcmp (list[i].id, r->id) != 0)
        husk_strv_append (&out, list[i].id);
    }
  husk_container_rec_array_free (list, n);
  return out;
}

static int remove_one (struct husk_engine *e, const char *ref, const struct husk_rm_opts *o,
                       bool dependent, husk_error_t *err);

/* --depend: the dependents go first; without it they stop the removal
   with Podman's words.  */
static int
remove_dependents (struct husk_engine *e, const struct husk_container_rec *r,
                   const struct husk_rm_opts *o, husk_error_t *err)
{
  cleanup_strv char **deps = dependents (e, r);
  cleanup_free char *list = NULL;

  if (deps == NULL)
    return 0;
  if (!o->depend)
    {
      list = husk_strv_join (deps, ", ");
      return husk_error_makex (err, EEXIST, "container %s has dependent containers which "
                               "must be removed before it: %s: container already exists",
                               r->id, list);
    }
  for (size_t i = 0; deps[i]; i++)
    if (remove_one (e, deps[i], o, true, err) < 0)
      return -1;
  return 0;
}

static int
remove_one (struct husk_engine *e, const char *ref, const struct husk_rm_opts *o,
            bool dependent, husk_error_t *err)
{
  cleanup_container_rec struct husk_container_rec r = { 0 };
  cleanup_json json_t *c = NULL;
  husk_error_t serr = NULL;
  int ret;

  if (husk_container_load (e, ref, &r, err) < 0)
    return -1;
  /* An infra container goes only with its pod: with --depend (and -a,
     which implies it, as in Podman) the whole pod, else not at all.  */
  if (!o->infra && husk_op_pod_check_remove (e, r.id, err) < 0)
    {
      cleanup_free char *pod = NULL;
      if (!o->depend || (pod = husk_op_pod_of_infra (e, r.id)) == NULL)
        return -1;
      husk_error_release (err);
      return husk_op_pod_remove (e, pod, o->force, o->stop.timeout, err);
    }
  if (o->check_dependents && remove_dependents (e, &r, o, err) < 0)
    return -1;
  c = json_loads (r.config, 0, NULL);
  /* An initialized container has no process running yet: Podman removes
     it without --force.  */
  if (husk_container_has_monitor (r.state) && !o->force && strcmp (r.state, "initialized") != 0)
    return husk_error_makex (err, EBUSY, "cannot remove container %s as it is %s - "
                             "running or paused containers cannot be removed without "
                             "force: container state improper", r.id, r.state);
  if (husk_container_has_monitor (r.state)
      && husk_op_container_stop_with (e, r.id, &o->stop, &serr) < 0)
    husk_log_debug ("remove %s: stop: %s", r.id, serr->msg);
  husk_error_release (&serr);
  ret = husk_container_remove (e, &r, HUSK_CLEANUP_DEFAULT, NULL, err);
  if (ret == 0 && o->volumes)
    ret = husk_volume_release_anonymous (e, c, err);
  if (ret == 0 && dependent && o->removed)
    o->removed (o->data, r.id);
  return ret;
}

int
husk_op_container_remove_with (struct husk_engine *e, const char *ref,
                               const struct husk_rm_opts *o, husk_error_t *err)
{
  return remove_one (e, ref, o, false, err);
}

int
husk_op_container_remove (struct husk_engine *e, const char *ref, bool force, bool volumes,
                          int timeout, husk_error_t *err)
{
  return husk_op_container_remove_with (e, ref, &(struct husk_rm_opts){
                                          .force = force, .volumes = volumes,
                                          .stop = { .timeout = timeout } }, err);
}

int
husk_op_container_wait_any (struct husk_engine *e, const char *ref, char *const *conditions,
                            int interval_ms, int *exit_code, husk_error_t *err)
{
  cleanup_container_rec struct husk_container_rec r = { 0 };

  if (husk_container_load (e, ref, &r, err) < 0
      || husk_container_wait_check (&r, conditions, err) < 0)
    return -1;
  return husk_container_wait (e, &r, conditions, interval_ms, exit_code, err);
}

int
husk_op_container_wait (struct husk_engine *e, const char *ref, const char *condition,
                        int *exit_code, husk_error_t *err)
{
  char *const one[] = { (char *) condition, NULL };

  return husk_op_container_wait_any (e, ref, condition ? one : NULL, 0, exit_code, err);
}

int
husk_op_container_log (struct husk_engine *e, const char *ref, char **path, char **driver,
                       char **id, husk_error_t *err)
{
  cleanup_container_rec struct husk_container_rec r = { 0 };
  cleanup_json json_t *c = NULL;
  json_t *log;

  if (husk_container_load (e, ref, &r, err) < 0)
    return -1;
  c = json_loads (r.config, 0, NULL);
  log = json_object_get (c, "log");
  *path = husk_xstrdup (json_string_value (json_object_get (log, "path")));
  *driver = husk_xstrdup (json_string_value (json_object_get (log, "driver")));
  *id = steal_ptr (&r.id);
  return 0;
}

/* ---- typed configuration ------------------------------------------------ */

void
husk_container_ports_free (struct husk_container_port *p, size_t n)
{
  for (size_t i = 0; p && i < n; i++)
    {
      free (p[i].protocol);
      free (p[i].host_ip);
    }
  free (p);
}

static void
ports_of (json_t *c, struct husk_container_info *i)
{
  json_t *ports = json_object_get (c, "ports"), *p;
  size_t k;

  i->n_ports = json_array_size (ports);
  if (i->n_ports == 0)
    return;
  i->ports = calloc (i->n_ports, sizeof *i->ports);
  if (i->ports == NULL)
    {
      i->n_ports = 0;
      return;
    }
  json_array_foreach (ports, k, p)
    {
      const char *proto = json_string_value (json_object_get (p, "protocol"));
      const char *ip = json_string_value (json_object_get (p, "host_ip"));
      i->ports[k].container_port
          = (unsigned) json_integer_value (json_object_get (p, "container_port"));
      i->ports[k].host_port = (unsigned) json_integer_value (json_object_get (p, "host_port"));
      i->ports[k].protocol = husk_xstrdup (proto ? proto : "tcp");
      i->ports[k].host_ip = husk_xstrdup (ip && *ip ? ip : "0.0.0.0");
    }
}

void
husk_op_container_info (const struct husk_container_rec *r, struct husk_container_info *i)
{
  cleanup_json json_t *c = r->config ? json_loads (r->config, 0, NULL) : NULL;
  json_t *v;
  size_t k;

  memset (i, 0, sizeof *i);
  if (c == NULL)
    return;
  i->image_name = husk_xstrdup (json_string_value (json_object_get (json_object_get (c, "image"),
                                                                     "name")));
  json_array_foreach (json_object_get (c, "entrypoint"), k, v)
    husk_strv_append (&i->command, json_string_value (v));
  json_array_foreach (json_object_get (c, "cmd"), k, v)
    husk_strv_append (&i->command, json_string_value (v));
  i->tty = json_is_true (json_object_get (c, "tty"));
  i->interactive = json_is_true (json_object_get (c, "interactive"));
  i->rm = json_is_true (json_object_get (c, "rm"));
  i->cidfile = husk_xstrdup (json_string_value (json_object_get (c, "cidfile")));
  ports_of (c, i);
}

void
husk_container_info_release (struct husk_container_info *i)
{
  free (i->image_name);
  husk_strv_free (i->command);
  free (i->cidfile);
  husk_container_ports_free (i->ports, i->n_ports);
  memset (i, 0, sizeof *i);
}
