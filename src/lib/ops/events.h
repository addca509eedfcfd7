/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Events and healthchecks as front ends ask for them.  */
#ifndef HUSK_OPS_EVENTS_H
#define HUSK_OPS_EVENTS_H

#include "engine/engine.h"
#include "events/events.h"

/* Record an event for a container given by name or ID (nothing when
   missing).  */
void husk_op_events_record (struct husk_engine *e, const char *ref, const char *action);

/* A time as `events --since/--until` and the API's since/until take it:
   RFC 3339, a duration before now ("10m"), or Unix seconds.  NULL is 0
   (no bound).  Return: 0, or -1 with EINVAL.  */
int husk_op_events_time (const char *s, int64_t *ns, husk_error_t *err);

/* Called with each event that passes the filter, oldest first.  Return
   0 to go on, anything else to stop the stream (that value is returned). */
typedef int (*husk_event_cb) (void *ctx, const struct husk_event_rec *ev);

struct husk_events_stream_opts
{
  char **filters;   /* as husk_event_filter_new() takes them */
  int64_t since_ns; /* 0: from the oldest, or from now when following */
  int64_t until_ns; /* 0: no end; else the stream ends there */
  bool follow;      /* wait for new events (ignored with until_ns) */
};

/**
 * husk_op_events_stream() - Events, as they are recorded
 *
 * Without @follow: the recorded events in [since, until), then return.
 * With it: from @since (or from now when 0, as Podman does), then each new
 * event as it is recorded, until @cb returns non-zero.  New events are
 * looked for every 200 ms: there is no daemon to be told by.
 * Return: 0 at the end, @cb's non-zero value, or -1 with an error.
 */
int husk_op_events_stream (struct husk_engine *e, const struct husk_events_stream_opts *o,
                           husk_event_cb cb, void *ctx, husk_error_t *err);

/* Run a container's healthcheck once.  Return: 0 healthy, 1 unhealthy,
   -1 with an error (no healthcheck, not running).  */
int husk_op_healthcheck_run (struct husk_engine *e, const char *ref, husk_error_t *err);

#endif
