/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Events and healthchecks: the operations front ends call.  */
#include "ops/events.h"
#include "container/monitor.h"
#include "container/parse.h"
#include "monproto/monproto.h"
#include "events/events.h"
#include "ops/container.h"
#include "state/containers.h"
#include "util/cleanup.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define POLL_US 200000

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
husk_op_events_time (const char *s, int64_t *ns, husk_error_t *err)
{
  int64_t d, t;
  char *end;
  long long sec;

  *ns = 0;
  if (s == NULL)
    return 0;
  if ((t = husk_timestamp_parse (s, strlen (s))) >= 0)
    return *ns = t, 0;
  if (husk_parse_duration (s, &d, NULL) == 0)
    return *ns = husk_now_ns () - d, 0;
  errno = 0;
  sec = strtoll (s, &end, 10);
  if (*s != '\0' && *end == '\0' && errno == 0)
    return *ns = sec * 1000000000LL, 0;
  return husk_error_makex (err, EINVAL, "invalid time \"%s\"", s);
}

/* The sequence number of the newest event: where "from now" begins.  */
static int
newest_seq (struct husk_engine *e, int64_t *seq, husk_error_t *err)
{
  struct husk_event_rec *evs = NULL;
  size_t n = 0;

  if (husk_state_event_list (e->state, 0, 0, 0, &evs, &n, err) < 0)
    return -1;
  *seq = n ? evs[n - 1].seq : 0;
  husk_event_rec_array_free (evs, n);
  return 0;
}

/* Hand the events after *seq to cb.  Return: 0, cb's value, or -1.  */
static int
deliver (struct husk_engine *e, const struct husk_events_stream_opts *o,
         struct husk_event_filter *f, int64_t *seq, husk_event_cb cb, void *ctx,
         husk_error_t *err)
{
  struct husk_event_rec *evs = NULL;
  size_t n = 0;
  int r = 0;

  if (husk_state_event_list (e->state, *seq, o->since_ns, o->until_ns, &evs, &n, err) < 0)
    return -1;
  for (size_t i = 0; i < n && r == 0; i++)
    {
      *seq = evs[i].seq;
      if (husk_event_filter_match (f, &evs[i]))
        r = cb (ctx, &evs[i]);
    }
  husk_event_rec_array_free (evs, n);
  return r;
}

int
husk_op_events_stream (struct husk_engine *e, const struct husk_events_stream_opts *o,
                       husk_event_cb cb, void *ctx, husk_error_t *err)
{
  struct husk_event_filter *f = husk_event_filter_new (o->filters, err);
  bool follow = o->follow && o->until_ns == 0;
  int64_t seq = 0;
  int r = 0;

  if (f == NULL)
    return -1;
  if (follow && o->since_ns == 0)
    r = newest_seq (e, &seq, err);
  while (r == 0)
    {
      r = deliver (e, o, f, &seq, cb, ctx, err);
      if (!follow)
        break;
      if (r == 0)
        usleep (POLL_US);
    }
  husk_event_filter_free (f);
  return r;
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
