/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What the files of bridge networks share: subnets (subnet.c).  */
#ifndef HUSK_NETWORK_BRIDGE_PRIVATE_H
#define HUSK_NETWORK_BRIDGE_PRIVATE_H

#include "network/bridge.h"
#include "network/network-private.h"

#include <stdint.h>

/* ---- subnet.c ----------------------------------------------------------- */

/* An IPv4 subnet, host byte order.  */
struct husk_subnet
{
  uint32_t net;
  unsigned prefix;
};

/* "10.88.0.0/16" (host bits must be zero).  Return: 0, or -1 (EINVAL).  */
int husk_subnet_parse (const char *text, struct husk_subnet *s, husk_error_t *err);
/* An address "10.88.0.5", host byte order.  Return: 0, or -1 (EINVAL).  */
int husk_ip_parse (const char *text, uint32_t *ip);
/* "10.88.0.5" of a host-order address (the caller frees).  */
char *husk_ip_text (uint32_t ip);
char *husk_subnet_text (const struct husk_subnet *s);
bool husk_subnet_contains (const struct husk_subnet *s, uint32_t ip);
bool husk_subnet_overlaps (const struct husk_subnet *a, const struct husk_subnet *b);
/* The host's routes and addresses that overlap s (not those on the
   device skip, a bridge of husk's own): the name of the first such
   device (the caller frees), or NULL.  */
char *husk_subnet_host_user (const struct husk_subnet *s, const char *skip);

/* ---- host-wide claims (subnet.c) ------------------------------------------ */

/* Addresses are allocated per store (networks.c), bridges are the host's:
   a started container claims its address on its bridge in
   HUSK_NET_CLAIMS/BRIDGE/IP (the file holds its ID), so that a container
   of another store on the same bridge never gets it too.  A claim counts
   while the claimer's veth exists.  */
#define HUSK_NET_CLAIMS "/run/husk-net"

char *husk_net_claim_dir (const char *bridge);
/* The live claims on bridge: an object "ip": "container id".  */
json_t *husk_net_claims (const char *bridge);

#endif
