/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Removing a stopped container: the runtime's record, the mount, the
 * read-write layer, the bundle and run directories, then the row.
 */
#include "container/lifecycle.h"
#include "container/dropped.h"
#include "events/events.h"
#include "util/cleanup.h"
#include "util/fileutil.h"
#include "util/log.h"
#include "util/strutil.h"
#include "storage/store.h"

#include <errno.h>
#include <unistd.h>

/* A monitor that may still run the exit command ends first, unless it
   runs us (HUSK_CLEANUP_BY_MONITOR) or waits for us (handed over).
   trash: NULL, or (handed over) set to the store's work directory whose
   deleting the waiting monitor takes over, so that a foreground `run
   --rm` returns without doing it.  */
int
husk_container_remove (struct husk_engine *e, struct husk_container_rec *r, unsigned flags,
                       char **trash, husk_error_t *err)
{
  bool handed_over = flags & HUSK_CLEANUP_HANDED_OVER;
  husk_error_t derr = NULL;
  cleanup_free char *dir = husk_container_bundle_dir (e, r->id), *run = husk_container_rundir (e, r->id);
  int ret;

  if (!handed_over && !(flags & HUSK_CLEANUP_BY_MONITOR) && r->monitor_pid > 0)
    husk_container_await_monitor (r, 5000);
  husk_container_release (e, r, !handed_over);
  ret = trash ? husk_store_container_remove_later (e->store, r->id, dir, trash, err)
              : husk_store_container_remove (e->store, r->id, err);
  /* A create killed half-way may have left a row without its layer.  */
  if (ret < 0)
    {
      if ((*err)->code != ENOENT)
        return -1;
      husk_error_release (err);
    }
  if (husk_rm_rf (run, &derr) < 0)
    husk_container_dropped (&derr, "remove %s: run directory", r->id);
  /* Moved to the trash, unless there was none.  */
  if (husk_rm_rf (dir, &derr) < 0)
    husk_container_dropped (&derr, "remove %s: bundle directory", r->id);
  if (husk_state_container_remove (e->state, r->id, err) < 0)
    return -1;
  husk_events_container (e->state, r, "remove", 0, NULL);
  return 0;
}
