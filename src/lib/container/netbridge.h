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

/* What network connect asks for.  */
struct husk_bridge_connect
{
  const char *network;
  const char *ip, *mac; /* or NULL */
  json_t *aliases;      /* array of strings, or NULL */
};

/* network connect: the container (bridge mode, on no network: one
   network per container for now) gets an address on the network; when
   running its link too.  Return: 0, or -1 (EEXIST: on it already,
   ENOTSUP: on another).  */
int husk_container_bridge_connect (struct husk_engine *e, struct husk_container_rec *r,
                                   const struct husk_bridge_connect *q, bool running,
                                   husk_error_t *err);
/* network disconnect: its address returns, its link goes when running;
   it stays in bridge mode with a namespace of its own (lo only).
   Return: 0, or -1 (ENOENT: not on that network).  */
int husk_container_bridge_disconnect (struct husk_engine *e, struct husk_container_rec *r,
                                      const char *ref, bool running, husk_error_t *err);

/* The container's address leases return (remove; c NULL: whatever it
   was on).  */
void husk_container_bridge_release (struct husk_engine *e, json_t *c, const char *id);

#endif
