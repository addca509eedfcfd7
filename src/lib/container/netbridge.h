/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A container on bridge networks (network/bridge.h): its networks named
   at create, its addresses allocated, attached at start.

   The configuration's "networks" is an array with one object per
   network, in order: name, ip, mac, aliases, gateway, prefix, bridge,
   id (the network's), dns (whether aardvark-dns serves it), interface
   (eth0, eth1, ... or interface_name=) and slot (the number that names
   its files in the network directory and its veth: the lowest free one
   when it joined).  The first network takes the published ports and has
   the default route of the lowest metric.  A record of an older husk
   has scalar network_name, network_ip, ... instead:
   husk_container_networks() turns them into the array.  */
#ifndef HUSK_CONTAINER_NETBRIDGE_H
#define HUSK_CONTAINER_NETBRIDGE_H

#include "engine/engine.h"
#include "network/bridge.h"
#include "state/containers.h"

#include <jansson.h>

/* How many networks a container can be on (its veths' names).  */
#define HUSK_BRIDGE_MAX_NETWORKS 100

/* c's "networks" (borrowed; NULL off bridge mode), made from an older
   record's scalar fields when it has them.  */
json_t *husk_container_networks (json_t *c);

/* Where the engine's networks are and whose leases it asks for.  */
struct husk_netenv husk_container_netenv (struct husk_engine *e);

/* The configuration's networks named by their own names (the default
   network made when needed), their MACs checked, slots and interfaces
   given.  Nothing to do off bridge networks.  Return: 0, or -1 (ENOENT
   for no such network, EEXIST for one given twice).  */
int husk_container_bridge_plan (struct husk_engine *e, json_t *c, husk_error_t *err);

/* The addresses of the networks of c that have none yet (the row r
   exists): ip and mac set in c and saved in r, whose config is *text
   (replaced by the new text).  Return: 0, or -1.  */
int husk_container_bridge_alloc (struct husk_engine *e, struct husk_container_rec *r, json_t *c,
                                 char **text, husk_error_t *err);

/* Attach the container to its networks at start: its namespace at netns
   (under dir).  Return: 0, or -1 with nothing left.  */
int husk_container_bridge_attach (struct husk_engine *e, json_t *c, const char *dir,
                                  const char *netns, husk_error_t *err);

/* What network connect asks for.  */
struct husk_bridge_connect
{
  const char *network;
  const char *ip, *mac; /* or NULL */
  const char *ip6;      /* or NULL */
  json_t *aliases;      /* array of strings, or NULL */
};

/* network connect: the container (bridge mode) gets an address on one
   more network; when running its interface too.  Return: 0, or -1
   (EEXIST: on it already).  */
int husk_container_bridge_connect (struct husk_engine *e, struct husk_container_rec *r,
                                   const struct husk_bridge_connect *q, bool running,
                                   husk_error_t *err);
/* network disconnect: its address on that network returns, its
   interface goes when running; off its last network it stays in bridge
   mode with a namespace of its own (lo only).  Return: 0, or -1 (ENOENT:
   not on that network).  */
int husk_container_bridge_disconnect (struct husk_engine *e, struct husk_container_rec *r,
                                      const char *ref, bool running, husk_error_t *err);

/* The container's address leases return (remove; c NULL: whatever it
   was on).  */
void husk_container_bridge_release (struct husk_engine *e, json_t *c, const char *id);

/* The IPv6 lease of the container id on net, a dual-stack network, in
   its network entry n (ip6 asked for, or the lowest free; netbridge6.c);
   nothing on a network without IPv6.  Return: 0, or -1.  */
struct husk_netenv;
int husk_container_alloc6 (struct husk_netenv *v, const char *id, json_t *net, json_t *n,
                           husk_error_t *err);

#endif
