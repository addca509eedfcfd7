/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A container on a bridge network (network/bridge.h): its network named
   at create, its address allocated, attached at start.  */
#ifndef HUSK_CONTAINER_NETBRIDGE_H
#define HUSK_CONTAINER_NETBRIDGE_H

#include "engine/engine.h"
#include "network/bridge.h"
#include "state/containers.h"

#include <jansson.h>

/* Where the engine's networks are and whose leases it asks for.  */
struct husk_netenv husk_container_netenv (struct husk_engine *e);

/* The configuration's network_name made the network's own name (the
   default network made when needed); --mac-address checked.  Nothing to
   do off bridge networks.  Return: 0, or -1 (ENOENT for no such
   network).  */
int husk_container_bridge_plan (struct husk_engine *e, json_t *c, husk_error_t *err);

/* The new container's address (the row r exists): network_ip and
   network_mac set in c and saved in r, whose config is *text (replaced
   by the new text).  Return: 0, or -1.  */
int husk_container_bridge_alloc (struct husk_engine *e, struct husk_container_rec *r, json_t *c,
                                 char **text, husk_error_t *err);

/* Attach the container at start: its namespace at netns (under dir).
   Return: 0, or -1 with nothing left.  */
int husk_container_bridge_attach (struct husk_engine *e, json_t *c, const char *dir,
                                  const char *netns, husk_error_t *err);

/* The container's address leases return (remove; c NULL: whatever it
   was on).  */
void husk_container_bridge_release (struct husk_engine *e, json_t *c, const char *id);

#endif
