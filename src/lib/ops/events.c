/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Events and healthchecks: the operations front ends call.  */
#include "ops/events.h"
#include "container/monitor.h"
#include "events/events.h"
#include "ops/container.h"
#include "state/containers.h"
#include "util/cleanup.h"

#include <errno.h>
#include <string.h>

void
husk_op_events_record (struct husk_engine *e, const char *ref, const char *action)
{
  cleanup_free char *id = NULL;
  cleanup_container_rec struct husk_container_rec r = { 0 };

  if (husk_op_container_resolve (e, ref, &id, NULL) < 0
      || husk_state_container_get (e->state, id, &r, NULL) < 0)
    return;
  husk_events_container (e->state, &r, action, 0, NULL);
}

int
husk_op_events_list (struct husk_engine *e, int64_t after_seq, int64_t since_ns,
                     int64_t until_ns, struct husk_event_rec **out, size_t *n,
                     husk_error_t *err)
{
  return husk_state_event_list (e->state, after_seq, since_ns, until_ns, out, n, err);
}

int
husk_op_healthcheck_run (struct husk_engine *e, const char *ref, husk_error_t *err)
{
  cleanup_free char *id = NULL, *run = NULL;
  cleanup_container_rec struct husk_container_rec r = { 0 };
  cleanup_json json_t *c = NULL;
  int status;

  if (husk_op_container_resolve (e, ref, &id, err) < 0
      || husk_state_container_get (e->state, id, &r, err) < 0)
    return -1;
  c = json_loads (r.config, 0, NULL);
  if (strcmp (r.state, "running") != 0)
    return husk_error_makex (err, EINVAL, "container %s is not running", ref);
  if (!json_is_object (json_object_get (c, "health")))
    return husk_error_makex (err, EINVAL, "container %s has no defined healthcheck", ref);
  run = husk_op_container_rundir (e, id);
  status = husk_health_run_once (run, err);
  if (status >= 0)
    husk_events_container (e->state, &r, "health_status", 0, husk_health_status_name (status));
  if (status < 0)
    return -1;
  return status == HUSK_HEALTH_HEALTHY ? 0 : 1;
}
