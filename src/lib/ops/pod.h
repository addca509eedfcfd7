/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Pod operations (pod/pod.h, docs/design/pods.md): the only entries cli/
   and api/ use for pods.  Each acts on the pod's containers through the
   container operations, so their events and checks are the same.  */
#ifndef HUSK_OPS_POD_H
#define HUSK_OPS_POD_H

#include "engine/engine.h"
#include "state/pods.h"
#include "util/error.h"

#include <jansson.h>
#include <stdbool.h>

struct husk_pod_create_opts
{
  bool replace;            /* remove a pod of the same name first */
  const char *pod_id_file; /* write the new ID there (must not exist) */
};

/**
 * husk_op_pod_create() - Create a pod and its infra container
 * @req: the pod create request (pod/pod.h husk_pod_config_build()), with
 *       "name"; "infra_image" is pulled when missing, else husk's own
 *       localhost/husk-pause:VERSION is made once per store
 *
 * A failure leaves no pod and no infra container.
 * Return: 0 with *id_out, or -1.
 */
int husk_op_pod_create (struct husk_engine *e, json_t *req, const struct husk_pod_create_opts *o,
                        char **id_out, husk_error_t *err);

/* ENOENT "no pod with name or ID X found: no such pod".  */
int husk_op_pod_resolve (struct husk_engine *e, const char *ref, char **id, husk_error_t *err);

/* Start every container of the pod, the infra first.  Return: 0, or -1
   (the first failure, after trying all).  */
int husk_op_pod_start (struct husk_engine *e, const char *ref, husk_error_t *err);
/* Stop the members, then the infra (timeout < 0: each one's own).  */
int husk_op_pod_stop (struct husk_engine *e, const char *ref, int timeout, husk_error_t *err);
/* Signal every running container of the pod (EINVAL: none runs).  */
int husk_op_pod_kill (struct husk_engine *e, const char *ref, int sig, husk_error_t *err);
int husk_op_pod_pause (struct husk_engine *e, const char *ref, husk_error_t *err);
int husk_op_pod_unpause (struct husk_engine *e, const char *ref, husk_error_t *err);
int husk_op_pod_restart (struct husk_engine *e, const char *ref, husk_error_t *err);

/**
 * husk_op_pod_remove() - Remove a pod with its containers
 * @force:   stop running containers first; without it a pod with running
 *           or paused containers is refused (EBUSY, naming them)
 * @timeout: for the stop (< 0: each container's own)
 *
 * Members go first, then the infra, then the row.
 * Return: 0, or -1.
 */
int husk_op_pod_remove (struct husk_engine *e, const char *ref, bool force, int timeout,
                        husk_error_t *err);

/* Podman 5's `pod inspect` object.  */
json_t *husk_op_pod_inspect (struct husk_engine *e, const char *ref, husk_error_t *err);

/* All pods as `pod ps --format json` rows (Podman's ListPodsReport),
   newest first.  */
json_t *husk_op_pod_list (struct husk_engine *e, husk_error_t *err);

/* Remove every pod whose containers are all stopped (or that has none
   running); *removed gets their IDs.  */
int husk_op_pod_prune (struct husk_engine *e, char ***removed, husk_error_t *err);

/* The processes of the pod's running containers, as husk_op_container_top
   gives them, in one table.  */
json_t *husk_op_pod_top (struct husk_engine *e, const char *ref, char *const *descriptors,
                         husk_error_t *err);

/* The pod's containers' IDs (infra first) and names, for stats and logs. */
int husk_op_pod_containers (struct husk_engine *e, const char *ref, char ***ids,
                            char ***names, husk_error_t *err);

/* ==== what the container operations ask of pods ========================= */

/**
 * husk_op_pod_join() - Make a container create request join its pod
 * @req: "pod" (NAME or ID, or "new:NAME" to create the pod first, whose
 *       network flags the container then gives to the pod) and
 *       "pod_id_file" (read when "pod" is not given)
 *
 * Return: 0 (nothing to do without them), or -1.
 */
int husk_op_pod_join (struct husk_engine *e, json_t *req, husk_error_t *err);

/* Before a member starts: its pod's infra must run.  */
int husk_op_pod_before_start (struct husk_engine *e, const struct husk_container_rec *r,
                              husk_error_t *err);

/* The pod of a container that is a member (not the infra), or NULL: a
   new string.  *drop_pod: it was made for this container by run --rm
   --pod new:NAME.  Read before a cleanup that may remove the container. */
char *husk_op_pod_member_of (struct husk_engine *e, const char *ref, bool *drop_pod);
/* After a member of pod (NULL: none) exited and was cleaned up: with
   drop_pod the pod is removed once no member is left; with --exit-policy
   stop the infra stops when no member runs any more.  Failures are
   logged.  */
void husk_op_pod_after_exit (struct husk_engine *e, const char *pod, bool drop_pod);

/* Whether a container may be removed alone: EPERM for an infra container
   whose pod exists ("remove the pod").  */
int husk_op_pod_check_remove (struct husk_engine *e, const char *ctr_id, husk_error_t *err);
/* The pod of an infra container, or NULL (a new string).  */
char *husk_op_pod_of_infra (struct husk_engine *e, const char *ctr_id);

#endif
