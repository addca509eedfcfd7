/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Events and healthchecks as front ends see them.  */
#ifndef HUSK_EVENTS_EVENTS_H
#define HUSK_EVENTS_EVENTS_H

#include "engine/engine.h"
#include "state/containers.h"
#include "state/state.h"

#include <jansson.h>
#include <stdbool.h>

struct husk_event_filter;

/* Podman's filters: "container=" and "image=" (exact name or ID prefix),
   "event=" (or "status="), "type=", "label=KEY=VALUE", "volume=", "pod=",
   "network=".  Several with one key: any matches; different keys: all
   must.  EINVAL for another key or a filter without "=".  */
struct husk_event_filter *husk_event_filter_new (char **filters, husk_error_t *err);
void husk_event_filter_free (struct husk_event_filter *f);
bool husk_event_filter_match (struct husk_event_filter *f, const struct husk_event_rec *ev);

/* The object `events --format json` prints, as Podman 4.3 does:
   ContainerExitCode (died, exec_died; left out when 0), ID, Image, Name
   (each left out when empty), Status, Time (RFC 3339), Type, health_status
   (health_status events), Attributes (a container's labels, else null). */
json_t *husk_event_json (const struct husk_event_rec *ev);

/* The object a --format template sees: the same fields, every one present,
   Time as Go prints a time ("2006-01-02 15:04:05.999999999 +0000 UTC"),
   HealthStatus, TimeNano.  */
json_t *husk_event_template_object (const struct husk_event_rec *ev);

/* The default line: "TIME TYPE ACTION ID (image=I, name=N, k=v...)" for
   containers, "TIME image ACTION ID NAME", "TIME volume ACTION NAME".  */
char *husk_event_human (const struct husk_event_rec *ev);

/* Whether this process records events: false for --events-backend none
   (the front end says so once, after opening the engine).  */
void husk_events_set_recording (bool on);

/**
 * husk_events_container() - Record a container event
 * @r:         the container: its ID, name, image name and labels are kept
 * @action:    "create", "init", "start", "died", "cleanup", ...
 * @exit_code: ContainerExitCode of died and exec_died (0 is not shown)
 * @health:    the status of a health_status event, else NULL
 *
 * This folder is the only writer of events.  A failure is logged, not
 * returned: an event never fails an operation.  Inside a caller's
 * transaction the event is part of it.
 */
void husk_events_container (struct husk_state *st, const struct husk_container_rec *r,
                            const char *action, int exit_code, const char *health);

/* An image event ("pull", "tag", "untag", "remove", ...).  */
void husk_events_image (struct husk_state *st, const char *action, const char *id,
                        const char *name);

/* A volume event ("create", "remove", "prune", ...).  */
void husk_events_volume (struct husk_state *st, const char *action, const char *name);

/* A secret event ("create", "remove"): its ID (Podman shows no name).  */
void husk_events_secret (struct husk_state *st, const char *action, const char *id);

/* A pod event ("create", "start", "stop", "kill", "pause", "unpause",
   "remove").  */
void husk_events_pod (struct husk_state *st, const char *action, const char *id,
                      const char *name);

#endif
