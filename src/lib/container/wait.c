/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Waiting for a container to reach a condition: its exit (folded from
 * what the monitor recorded), or running.
 */
#include "container/lifecycle.h"
#include "events/events.h"
#include "util/cleanup.h"
#include "util/fileutil.h"
#include "util/log.h"
#include "util/strutil.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>


int
husk_container_wait (struct husk_engine *e, struct husk_container_rec *r,
                     const char *condition, int *exit_code, husk_error_t *err)
{
  bool want_running = condition && strcmp (condition, "running") == 0;

  for (;;)
    {
      bool running = husk_container_has_monitor (r->state) && strcmp (r->state, "initialized") != 0;
      if (!want_running && strcmp (r->state, "initialized") == 0)
        running = true; /* it will run: wait for its exit */
      if (want_running ? running : !running && strcmp (r->state, "created") != 0)
        break;
      if (!want_running && strcmp (r->state, "created") == 0 && r->started_at == 0)
        {
          /* Never started: Docker waits; Podman returns its exit code.  */
          break;
        }
      usleep (50000);
      {
        cleanup_free char *id = husk_xstrdup (r->id);
        husk_container_rec_release (r);
        if (husk_state_container_get (e->state, id, r, err) < 0)
          {
            /* Removed meanwhile (--rm): the exit code is gone with it.  */
            if ((*err)->code == ENOENT)
              {
                husk_error_release (err);
                *exit_code = 0;
                return 0;
              }
            return -1;
          }
        husk_container_sync (e, r, true);
      }
    }
  *exit_code = r->exit_code;
  return 0;
}
