/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Events and healthchecks as front ends see them.  */
#ifndef HUSK_OPS_EVENTS_H
#define HUSK_OPS_EVENTS_H

#include "ops/engine.h"
#include "state/state.h"

#include <jansson.h>
#include <stdbool.h>

struct husk_event_filter;

/* "container=", "event=" (or "status="), "image=", "type=", "label=" (not
   recorded yet: matches nothing but is accepted).  */
struct husk_event_filter *husk_event_filter_new (char **filters, husk_error_t *err);
void husk_event_filter_free (struct husk_event_filter *f);
bool husk_event_filter_match (struct husk_event_filter *f, const struct husk_event_rec *ev);

/* Podman's event object: ID, Image, Name, Status, Time, TimeNano, Type, Attributes. */
json_t *husk_event_json (const struct husk_event_rec *ev);

/* Events after seq in [since, until), oldest first.  */
int husk_op_events_list (struct husk_engine *e, int64_t after_seq, int64_t since_ns,
                         int64_t until_ns, struct husk_event_rec **out, size_t *n,
                         husk_error_t *err);

/* Run a container's healthcheck once.  Return: 0 healthy, 1 unhealthy,
   -1 with an error (no healthcheck, not running).  */
int husk_op_healthcheck_run (struct husk_engine *e, const char *ref, husk_error_t *err);

#endif
