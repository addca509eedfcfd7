/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Bridge networks (rootful): their definitions and address allocations
 * in the state database, and a container attached to one.
 *
 * Theory of operation
 *
 *   1. A network is a row of the `networks` table whose config is the JSON
 *      `network inspect` shows (Podman's shape).  The default network
 *      `husk` (also named `podman` and `bridge`) is made on first use:
 *      containers.conf's default_subnet unless the host routes or has
 *      an address in it, else the next free /16 from 10.89.0.0 on.
 *   2. create gives the container an address: a row of `net_alloc`
 *      (network, ip, container), chosen in one write transaction, so
 *      parallel creates never share one; the row goes with the
 *      container's (rm).  --ip asks for one.
 *   3. start (husk_bridge_attach) makes the network's bridge on first
 *      use (husk0 for the default, husk1.. for the others, with the
 *      gateway address, route_localnet, the subnet in husk's nft sets),
 *      a veth pair into the container's namespace (eth0, its address and
 *      MAC, the default route) and the published ports' DNAT map
 *      elements, all under one host-wide lock.  It writes what it made
 *      (names and indexes, the nft elements) in <dir>/bridge.
 *   4. husk_net_teardown() (netns.c) undoes exactly what <dir>/bridge
 *      records: the veth by its recorded index when its name still
 *      matches, the map elements, and the bridge with the network's set
 *      elements when no other veth is on it.
 */
#ifndef HUSK_NETWORK_BRIDGE_H
#define HUSK_NETWORK_BRIDGE_H

#include "state/state.h"
#include "util/error.h"

#include <jansson.h>
#include <stdbool.h>

/* The default network's name, and whether name is one of its names
   (husk, podman, bridge).  */
#define HUSK_NET_DEFAULT "husk"
bool husk_network_is_default (const char *name);

/* What `network create` asks for.  */
struct husk_network_request
{
  const char *name;       /* NULL: chosen (huskN) */
  const char *driver;     /* NULL or "bridge" */
  const char *subnet;     /* NULL: the next free /24 */
  const char *gateway;    /* NULL: the subnet's first address */
  const char *ip_range;   /* NULL: the whole subnet */
  const char *interface;  /* NULL: husk1, husk2, ... */
  bool internal, disable_dns, ignore;
  json_t *labels;         /* object of strings, or NULL */
  json_t *options;        /* object of strings (mtu=), or NULL */
};

/* Make a network.  With ignore, an existing one of that name is no
   error.  *out: its JSON (new reference).  Return: 0, or -1 (EEXIST,
   EINVAL, ENOTSUP; nothing made).  */
int husk_network_create (struct husk_state *st, const char *default_subnet,
                         const struct husk_network_request *q, json_t **out,
                         husk_error_t *err);

/* A network by name, a default name, or a unique ID prefix (the default
   network made when needed).  Return: its JSON (new reference), or NULL
   (ENOENT "unable to find network with name or ID ...").  */
json_t *husk_network_get (struct husk_state *st, const char *default_subnet, const char *ref,
                          husk_error_t *err);

/* All networks, by name, the default one first made.  Return: an array
   (new reference), or NULL.  */
json_t *husk_network_list (struct husk_state *st, const char *default_subnet,
                           husk_error_t *err);

/* Remove a network's row (never the default's; EBUSY while addresses of
   it are allocated) and its bridge and firewall elements.  */
int husk_network_remove (struct husk_state *st, const char *name, husk_error_t *err);

/* The containers holding an address on the network (free with
   husk_strv_free).  */
char **husk_network_users (struct husk_state *st, const char *name, husk_error_t *err);

/* Allocate the container's address on the network: want (--ip) or the
   lowest free one.  Inside the caller's transaction or its own.
   Return: the address (the caller frees), or NULL (EEXIST, EINVAL,
   ENOSPC).  */
char *husk_ipam_alloc (struct husk_state *st, json_t *net, const char *container_id,
                       const char *want, husk_error_t *err);

/* A random locally administered unicast MAC "02:..." (the caller frees). */
char *husk_mac_random (void);
/* Whether text is a MAC address "xx:xx:xx:xx:xx:xx" that may be used.  */
bool husk_mac_valid (const char *text);

/* A container joining a bridge network at start.  */
struct husk_bridge_attach
{
  json_t *network;     /* the network's JSON */
  const char *ip, *mac;
  json_t *ports;       /* the configuration's "ports" */
  const char *dir;     /* <runroot>/net/<id> */
  const char *netns;   /* <dir>/ns */
  const char *id;      /* the container's ID */
};

/* Make the namespace and connect it (theory above, 3).  Return: 0, or
   -1 with everything made torn down again.  */
int husk_bridge_attach (const struct husk_bridge_attach *a, husk_error_t *err);

/* A removed network's bridge (when no container is on it) and its
   subnet's firewall elements go.  */
void husk_bridge_forget (json_t *net);

#endif
