/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Events and healthchecks as front ends ask for them.  */
#ifndef HUSK_OPS_EVENTS_H
#define HUSK_OPS_EVENTS_H

#include "engine/engine.h"
#include "events/events.h"

/* Record an event for a container given by name or ID (nothing when
   missing).  */
void husk_op_events_record (struct husk_engine *e, const char *ref, const char *action);

/* Events after seq in [since, until), oldest first.  */
int husk_op_events_list (struct husk_engine *e, int64_t after_seq, int64_t since_ns,
                         int64_t until_ns, struct husk_event_rec **out, size_t *n,
                         husk_error_t *err);

/* Run a container's healthcheck once.  Return: 0 healthy, 1 unhealthy,
   -1 with an error (no healthcheck, not running).  */
int husk_op_healthcheck_run (struct husk_engine *e, const char *ref, husk_error_t *err);

#endif
