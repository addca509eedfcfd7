/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Cleaning up after a container's exit: the runtime's record and the
 * mount go, and an --rm container is removed with its anonymous volumes.
 * Whoever sees the exit first does it: the monitor's exit command (`husk
 * container cleanup ID`), the foreground run the monitor handed it over
 * to, or any command that folds the exit in (state.c).  What a cleanup
 * may wait for depends on who runs it: the caller says (enum
 * husk_cleanup_flags).
 */
#include "container/lifecycle.h"
#include "events/events.h"
#include "util/cleanup.h"
#include "util/fileutil.h"
#include "util/log.h"
#include "util/strutil.h"
#include "container/imgmount.h"
#include "container/monitor.h"
#include "network/network.h"
#include "volume/attach.h"
#include "runtime/runtime.h"
#include "storage/store.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

/* Release what a stopped container holds: the runtime's record, the mount,
   the images it mounts (--mount type=image). */
void
husk_container_release (struct husk_engine *e, struct husk_container_rec *r, bool runtime)
{
  husk_error_t err = NULL;
  cleanup (husk_runtime_free) struct husk_runtime *rt = husk_container_runtime (e, r, &err);
  cleanup_free char *state = rt ? husk_asprintf ("%s/%s", rt->root, r->id) : NULL;

  /* crun and runc keep <root>/<id> while they know the container: without
     it there is nothing to delete, and a runtime call costs milliseconds. */
  if (runtime && rt && husk_path_exists (state) && husk_runtime_delete (rt, r->id, true, &err) < 0)
    husk_log_debug ("release %s: %s", r->id, err->msg);
  husk_error_release (&err);
  if (husk_store_container_unmount (e->store, r->id, true, &err) < 0)
    husk_error_drop (&err, "release %s: unmount", r->id);
  husk_container_image_mounts_release (e, r->id);
  /* The network of its own (pasta, slirp4netns), if it had one: the
     backend process ends with it.  */
  cleanup_free char *net = husk_net_dir (e->runroot, r->id);
  husk_net_teardown (net);
}

/* A command that exits at once can bring the monitor's cleanup here
   before the husk that started it has recorded the start (record_pids):
   give that husk a moment, so that died follows start.  One that was
   killed half-way never comes; after 2 s the exit is folded anyway.  */
static void
wait_for_starter (struct husk_engine *e, const char *ref)
{
  cleanup_free char *id = NULL;

  if (husk_state_container_lookup (e->state, ref, &id, NULL) < 0)
    return;
  for (int i = 0; i < 100; i++)
    {
      cleanup_container_rec struct husk_container_rec r = { 0 };
      bool starting;
      if (husk_state_container_get (e->state, id, &r, NULL) < 0)
        return;
      starting = husk_container_has_monitor (r.state) && r.monitor_pid == 0;
      if (!starting)
        return;
      usleep (20000);
    }
}

int
husk_container_cleanup (struct husk_engine *e, const char *ref, unsigned flags, char **trash,
                        husk_error_t *err)
{
  cleanup_container_rec struct husk_container_rec r = { 0 };
  cleanup_free char *id = NULL;
  cleanup_json json_t *c = NULL;
  bool handed_over = flags & HUSK_CLEANUP_HANDED_OVER;
  int ret = 0;
  bool exited;

  /* Handed over, the monitor deletes the runtime's record meanwhile; the
     caller recorded the start long before.  */
  if (!handed_over)
    wait_for_starter (e, ref);
  if (husk_state_container_lookup (e->state, ref, &id, err) < 0
      || husk_state_container_get (e->state, id, &r, err) < 0)
    return -1;
  husk_container_fold (e, &r, !handed_over);
  c = json_loads (r.config, 0, NULL);
  /* A monitor cleans up before a restart while the row still says
     running, and its own exit command while it still runs.  */
  if (strcmp (r.state, "running") == 0
      && !(flags & (HUSK_CLEANUP_RESTARTING | HUSK_CLEANUP_BY_MONITOR))
      && husk_container_alive (&r, true))
    return husk_error_makex (err, EBUSY, "container %s is running: refusing to clean up",
                             r.id);
  exited = strcmp (r.state, "exited") == 0;
  if (exited)
    {
      husk_container_release (e, &r, !handed_over);
      /* --rm takes the container's anonymous volumes too, as Podman does. */
      if (json_is_true (json_object_get (c, "rm")))
        ret = husk_container_remove (e, &r, flags, trash, err);
      if (ret == 0 && json_is_true (json_object_get (c, "rm")))
        ret = husk_volume_release_anonymous (e, c, err);
    }
  return ret < 0 ? -1 : exited;
}

/* Whether the container's monitor waits for its attach client to clean
   up (monitor.json), rather than running the exit command.  */
static bool
monitor_hands_over (struct husk_engine *e, const char *id)
{
  cleanup_free char *run = husk_container_rundir (e, id);
  cleanup_free char *path = husk_asprintf ("%s/%s", run, HUSK_MONITOR_CONFIG);
  struct husk_monitor_config cfg = { 0 };
  bool yes;

  if (husk_monitor_config_load (path, &cfg, NULL) < 0)
    return false;
  yes = cfg.o.handoff_cleanup;
  husk_monitor_config_release (&cfg);
  return yes;
}

int
husk_container_attached_exit (struct husk_engine *e, const char *id, int sock,
                              husk_error_t *err)
{
  cleanup_free char *trash = NULL;
  int ret;

  if (!monitor_hands_over (e, id))
    {
      close (sock); /* an `init` monitor: its exit command cleans up */
      return 0;
    }
  ret = husk_container_cleanup (e, id, HUSK_CLEANUP_HANDED_OVER, &trash, err);
  /* With the trash goes the checkpoint that the row's deletion owes: the
     monitor makes it before it deletes the files (state.c), after we
     have returned.  */
  if (ret == 1 && husk_attach_cleaned (sock, trash, husk_state_path (e->state)) == 0 && trash)
    husk_state_checkpoint_handed_over (e->state);
  close (sock);
  return ret < 0 ? -1 : 0;
}
