/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The network commands' operations: bridge networks (network/bridge.h). */
#ifndef HUSK_OPS_NETWORK_H
#define HUSK_OPS_NETWORK_H

#include "container/netbridge.h"
#include "engine/engine.h"
#include "network/bridge.h"

#include <jansson.h>

/* Make a network; *out its JSON (new reference).  */
int husk_op_network_create (struct husk_engine *e, const struct husk_network_request *q,
                            json_t **out, husk_error_t *err);

/* The networks that pass every filter (name=, id=, driver=, label=,
   label!=, until=), by name.  */
int husk_op_network_list (struct husk_engine *e, char **filters, json_t **out,
                          husk_error_t *err);

/* One network's JSON (new reference), or NULL (ENOENT).  */
/* network update: the network's DNS servers changed (drop, then add;
   arrays of IP strings).  *out: the network.  Return: 0, or -1.  */
int husk_op_network_update (struct husk_engine *e, const char *ref, json_t *dns_add,
                            json_t *dns_drop, json_t **out, husk_error_t *err);

json_t *husk_op_network_inspect (struct husk_engine *e, const char *ref, husk_error_t *err);

/* Remove a network; with force its containers first (stopped within
   timeout seconds; -1: their own).  *removed: its name.  */
int husk_op_network_remove (struct husk_engine *e, const char *ref, bool force, int timeout,
                            char **removed, husk_error_t *err);

/* Remove the networks (not the default) no container uses that pass the
   filters (label=, label!=, until=).  */
int husk_op_network_prune (struct husk_engine *e, char **filters, char ***removed,
                           husk_error_t *err);

/* network reload: husk's firewall rules of the running containers named
   (refs: names or IDs) or of all of them made again, as after a flush of
   the firewall.  *done: the IDs of those reloaded.  Return: 0, or -1.  */
int husk_op_network_reload (struct husk_engine *e, char **refs, bool all, char ***done,
                            husk_error_t *err);

/* network connect NETWORK CONTAINER (q->network), network disconnect:
   container/netbridge.h.  Return: 0, or -1.  */
int husk_op_network_connect (struct husk_engine *e, const char *container,
                             const struct husk_bridge_connect *q, husk_error_t *err);
int husk_op_network_disconnect (struct husk_engine *e, const char *network,
                                const char *container, husk_error_t *err);

/* husk unshare --rootless-netns: run argv (argv[0] looked up in $PATH)
   in the rootless network namespace, made for it when there is none and
   ended after it when nobody else uses it.  Call inside the user
   namespace.  *status: the command's exit status (127: not found, 126:
   not executable; 128+N: killed by signal N).  Return: 0, or -1.  */
int husk_op_network_rootless_run (char *const argv[], int *status, husk_error_t *err);

#endif
