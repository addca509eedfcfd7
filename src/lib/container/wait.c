/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Waiting for a container to reach one of Podman's conditions: its exit
 * ("stopped", "exited": folded from what the monitor recorded), a state
 * ("created", "running", "stopping", ...) or a health status.
 */
#include "container/lifecycle.h"
#include "events/events.h"
#include "monproto/monproto.h"
#include "util/cleanup.h"
#include "util/fileutil.h"
#include "util/log.h"
#include "util/strutil.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

/* Podman 5's conditions: the exit, the states, the health statuses.  */
static const char *const states[] = { "configured", "created", "initialized", "paused",
                                      "removing", "running", "stopping", NULL };

static bool
is_exit (const char *c)
{
  return strcmp (c, "stopped") == 0 || strcmp (c, "exited") == 0;
}

static bool
is_health (const char *c)
{
  return strcmp (c, "healthy") == 0 || strcmp (c, "unhealthy") == 0;
}

int
husk_container_wait_check (const struct husk_container_rec *r, char *const *conditions,
                           husk_error_t *err)
{
  cleanup_json json_t *c = r->config ? json_loads (r->config, 0, NULL) : NULL;

  for (size_t i = 0; conditions && conditions[i]; i++)
    {
      const char *k = conditions[i];
      bool state = false;
      for (size_t s = 0; states[s] && !state; s++)
        state = strcmp (k, states[s]) == 0;
      if (is_health (k) && !json_is_object (json_object_get (c, "health")))
        return husk_error_makex (err, EINVAL, "cannot use condition \"%s\": container %s has "
                                 "no healthcheck", k, r->id);
      if (!state && !is_exit (k) && !is_health (k))
        return husk_error_makex (err, EINVAL, "invalid condition \"%s\": use configured, "
                                 "created, exited, healthy, initialized, paused, removing, "
                                 "running, stopped, stopping or unhealthy", k);
    }
  return 0;
}

/* The healthcheck's last status, as the monitor recorded it.  */
static char *
health_status (struct husk_engine *e, const struct husk_container_rec *r)
{
  cleanup_free char *run = husk_container_rundir (e, r->id);
  cleanup_free char *path = husk_asprintf ("%s/%s", run, HUSK_MONITOR_HEALTH);
  cleanup_free char *text = husk_read_file (path, NULL, NULL);
  cleanup_json json_t *h = text ? json_loads (text, 0, NULL) : NULL;

  return husk_xstrdup (json_string_value (json_object_get (h, "Status")));
}

/* Whether r has exited (for "stopped"/"exited"); a created container
   counts, as in Podman, which returns its exit code; an initialized one
   will run, so its exit is waited for.  */
static bool
exited (const struct husk_container_rec *r)
{
  return !husk_container_has_monitor (r->state);
}

/* Whether r meets a condition other than the exit.  */
static bool
meets (struct husk_engine *e, const struct husk_container_rec *r, const char *k)
{
  if (is_health (k))
    {
      cleanup_free char *h = health_status (e, r);
      return h && strcmp (h, k) == 0;
    }
  if (strcmp (k, "configured") == 0)
    k = "created";
  return strcmp (r->state, k) == 0;
}

int
husk_container_wait (struct husk_engine *e, struct husk_container_rec *r,
                     char *const *conditions, int interval_ms, int *exit_code,
                     husk_error_t *err)
{
  static char *const exit_only[] = { (char *) "stopped", NULL };

  if (conditions == NULL || conditions[0] == NULL)
    conditions = exit_only;
  for (;;)
    {
      for (size_t i = 0; conditions[i]; i++)
        {
          if (is_exit (conditions[i]) ? exited (r) : meets (e, r, conditions[i]))
            {
              /* Podman: the exit code for the exit, -1 for the rest.  */
              *exit_code = is_exit (conditions[i]) ? r->exit_code : -1;
              return 0;
            }
        }
      usleep (interval_ms > 0 ? (useconds_t) interval_ms * 1000 : 50000);
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
}
