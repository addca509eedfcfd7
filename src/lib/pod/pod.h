/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Pods (docs/design/pods.md): a row in the state database (state/pods.h)
 * and, unless made with --infra=false, an infra container that holds the
 * namespaces the members share.  A member is an ordinary container whose
 * configuration names the pod ("pod": its ID) and whose shared
 * namespaces are "container:<infra ID>".
 *
 * The pod's configuration (the row's JSON):
 *   "labels": {...}, "share": ["ipc", "net", "uts"], "hostname": "" (as
 *   given), "exit_policy": "continue" | "stop", "infra": true,
 *   "infra_name", "infra_image" (as given, "" for husk's own),
 *   "infra_command" (as given, or null), "create_command": [...],
 *   "infra_options": the network and user namespace flags of the infra,
 *   as a create request (container/ccfg-build.h), "volumes": [...] (every
 *   member's -v).
 */
#ifndef HUSK_POD_POD_H
#define HUSK_POD_POD_H

#include "engine/engine.h"
#include "state/pods.h"
#include "util/error.h"

#include <jansson.h>
#include <stdbool.h>

/* The name of husk's own infra image: localhost/husk-pause:<version>.  */
char *husk_pod_infra_image_name (void);

/**
 * husk_pod_config_build() - Check a pod create request and plan the pod
 * @req: "name", "labels" ["k=v"], "label_file", "hostname", "share",
 *       "exit_policy", "infra" (bool, default true), "infra_name",
 *       "infra_image", "infra_command", "create_command", "volumes", and
 *       the infra's flags: "network", "networks", "publish", "expose",
 *       "ip", "ip6", "mac_address", "network_aliases", "dns",
 *       "dns_search", "dns_options", "add_hosts", "no_hosts", "userns",
 *       "uidmap", "gidmap", "subuidname", "subgidname"
 *
 * Return: the pod's configuration, or NULL with Podman's message (EINVAL).
 */
json_t *husk_pod_config_build (json_t *req, husk_error_t *err);

/**
 * husk_pod_create() - Make the pod's row and its infra container
 * @config:         from husk_pod_config_build()
 * @name:           the pod's name, NULL for a random one
 * @infra_image_id: the infra's image (ignored without infra)
 *
 * One consistent step: when the infra cannot be made the row goes again,
 * so a failure leaves neither.  Records the "create" event.
 * Return: 0 with *id_out (64 hex), or -1 (EEXIST for a taken name).
 */
int husk_pod_create (struct husk_engine *e, json_t *config, const char *name,
                     const char *infra_image_id, char **id_out, husk_error_t *err);

/* Resolve a name, ID or ID prefix and read the row.  */
int husk_pod_load (struct husk_engine *e, const char *ref, struct husk_pod_rec *out,
                   husk_error_t *err);

/**
 * husk_pod_members() - A pod's containers with their state up to date
 * @out: the infra first, then the others oldest first
 *
 * Return: 0, or -1.
 */
int husk_pod_members (struct husk_engine *e, const struct husk_pod_rec *p,
                      struct husk_container_rec **out, size_t *n, husk_error_t *err);

/* Podman 5's pod status from its containers (infra included):
   "Created" (none, or none started), "Running" (all run), "Degraded"
   (some run), "Paused" (all paused), "Exited" (all stopped), "Stopped"
   (some stopped, none running), "Error".  */
const char *husk_pod_status (const struct husk_container_rec *members, size_t n);

/* Whether r is the infra container of its pod.  */
bool husk_pod_is_infra (const struct husk_container_rec *r);
/* The pod ID r's configuration names, or NULL (a new string).  */
char *husk_pod_of (const struct husk_container_rec *r);

/**
 * husk_pod_member_request() - Make a create request join a pod
 * @p:   the pod
 * @req: the container's create request: "pod" is set, the namespaces the
 *       pod shares become "container:<infra>", the pod's volumes are
 *       added, and with a user namespace of the pod's the member joins it
 *
 * Flags that the shared namespaces own are refused as Podman does
 * (-p, --network, --hostname, --dns, --userns, ...).
 * Return: 0, or -1 (EINVAL).
 */
int husk_pod_member_request (struct husk_engine *e, const struct husk_pod_rec *p, json_t *req,
                             husk_error_t *err);

/* The pod's settings for inspect: JSON in Podman 5's InspectPodData shape
   with the members given (from husk_pod_members).  */
json_t *husk_pod_inspect (struct husk_engine *e, const struct husk_pod_rec *p,
                          const struct husk_container_rec *members, size_t n);

/* The row of `pod ps --format json`, Podman's ListPodsReport.  */
json_t *husk_pod_list_entry (const struct husk_pod_rec *p,
                             const struct husk_container_rec *members, size_t n);

#endif
