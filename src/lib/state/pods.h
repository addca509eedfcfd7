/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Pod rows of the state database (docs/design/pods.md).  A pod's members
   are the containers whose configuration names it ("pod": the pod's ID),
   so the two cannot disagree.  */
#ifndef HUSK_STATE_PODS_H
#define HUSK_STATE_PODS_H

#include "state/containers.h"
#include "state/state.h"

#include <stdint.h>

struct husk_pod_rec
{
  char *id;       /* 64 hex digits */
  char *name;     /* unique among pods and containers */
  int64_t created; /* nanoseconds since epoch */
  char *config;   /* JSON: labels, share, hostname, exit_policy, infra, ... */
  char *infra_id; /* the infra container's ID, "" when the pod has none */
};

void husk_pod_rec_release (struct husk_pod_rec *r);
void husk_pod_rec_array_free (struct husk_pod_rec *a, size_t n);

static inline void
cleanup_pod_recp (struct husk_pod_rec *r)
{
  husk_pod_rec_release (r);
}
#define cleanup_pod_rec __attribute__ ((__cleanup__ (cleanup_pod_recp)))

/* EEXIST when a pod or a container has the name (they share one set of
   names, as in Podman).  */
int husk_state_pod_add (struct husk_state *st, const struct husk_pod_rec *r, husk_error_t *err);
int husk_state_pod_get (struct husk_state *st, const char *id, struct husk_pod_rec *out,
                        husk_error_t *err);
/* A name, full ID or unique ID prefix.  ENOENT "no pod with name or ID X
   found: no such pod"; EINVAL when a prefix is ambiguous.  */
int husk_state_pod_lookup (struct husk_state *st, const char *name_or_id, char **id,
                           husk_error_t *err);
/* All pods, newest first.  */
int husk_state_pod_list (struct husk_state *st, struct husk_pod_rec **out, size_t *n,
                         husk_error_t *err);
/* Write config and infra_id of the row r->id.  */
int husk_state_pod_save (struct husk_state *st, const struct husk_pod_rec *r, husk_error_t *err);
int husk_state_pod_remove (struct husk_state *st, const char *id, husk_error_t *err);
/* The containers whose configuration names the pod, oldest first (the
   infra, made with the pod, comes first), in one query.  */
int husk_state_pod_containers (struct husk_state *st, const char *pod_id,
                               struct husk_container_rec **out, size_t *n, husk_error_t *err);

#endif
