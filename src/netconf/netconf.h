/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * husk-netconf: the helper that changes the host's network for bridge
 * networks.  It is a program of its own because libnftables and libmnl
 * come as shared libraries only, and husk itself is linked statically
 * (meson.build): a start on a bridge network pays for loading them, no
 * other command does.  husk runs it (network/bridge_call.c) as
 *
 *   husk-netconf attach        JSON of struct husk_bridge_attach on stdin
 *   husk-netconf detach REC    undo what the record REC (DIR/bridge for
 *                              eth0, DIR/bridge.N for the Nth network's
 *                              interface) records
 *   husk-netconf release REC   the same, when the container's network
 *                              namespace goes next: the veth goes with it
 *   husk-netconf forget        a removed network's JSON on stdin
 *
 * and reads an error's message from its stderr.  macvlan and ipvlan
 * networks go through it too (macvlan.c): their links are made the same
 * way, with no bridge and no firewall.
 */
#ifndef HUSK_NETCONF_NETCONF_H
#define HUSK_NETCONF_NETCONF_H

#include "network/bridge-private.h"

#include <stdint.h>

int netconf_attach (const struct husk_bridge_attach *a, husk_error_t *err);
void netconf_detach (const char *record, bool ns_going);
void netconf_forget (json_t *net);
/* Make husk's firewall table again for the running containers listed
   (bridge.c).  Return: 0, or -1.  */
int netconf_reload (json_t *list, husk_error_t *err);

/* macvlan and ipvlan networks (macvlan.c): the container's link made on
   the parent in its namespace, recorded in its record with a "driver";
   the detach of such a record.  */
int netconf_macvlan_attach (const struct husk_bridge_attach *a, husk_error_t *err);
void netconf_macvlan_detach (json_t *record, bool ns_going);

/* ---- netlink.c ---------------------------------------------------------- */

struct husk_nl;

/* A route netlink socket in the namespace bound at netns (NULL: husk's own). */
struct husk_nl *husk_nl_open (const char *netns, husk_error_t *err);
void husk_nl_close (struct husk_nl *nl);

struct husk_nl_veth
{
  const char *host_name;  /* the host's end, enslaved to master */
  int master;             /* the bridge's index */
  const char *peer_name;  /* "eth0" */
  int peer_index;         /* its index in the container's namespace */
  int peer_netns_fd;      /* where the peer goes */
  unsigned char peer_mac[6];
  unsigned mtu;           /* 0: the kernel's */
};

int husk_nl_bridge_add (struct husk_nl *nl, const char *name, unsigned mtu, bool vlan_filtering,
                        husk_error_t *err);
/* Join (as PVID, untagged) or leave VLAN vid on a bridge port, or with
   self on the bridge device itself.  */
int husk_nl_bridge_vlan (struct husk_nl *nl, int index, unsigned vid, bool self, bool join,
                         husk_error_t *err);
int husk_nl_veth_add (struct husk_nl *nl, const struct husk_nl_veth *v, husk_error_t *err);
/* A macvlan or ipvlan link on a host interface, made in another
   namespace.  */
struct husk_nl_sublink
{
  const char *kind;          /* "macvlan" or "ipvlan" */
  const char *name;          /* its name there: eth0, ... */
  int parent;                /* the host interface's index */
  int netns_fd;              /* where it goes */
  unsigned mode;             /* MACVLAN_MODE_*, IPVLAN_MODE_* */
  const unsigned char *mac;  /* 6 bytes, or NULL (ipvlan: the parent's) */
  unsigned mtu;              /* 0: the parent's */
};
int husk_nl_sublink_add (struct husk_nl *nl, const struct husk_nl_sublink *l, husk_error_t *err);
int husk_nl_link_up (struct husk_nl *nl, int index, husk_error_t *err);
/* A link that is gone already is no error.  */
int husk_nl_link_del (struct husk_nl *nl, int index, husk_error_t *err);
/* addr and gateway in network byte order.  */
int husk_nl_addr_add (struct husk_nl *nl, int index, uint32_t addr, unsigned prefix,
                      husk_error_t *err);
/* metric 0: none given.  */
int husk_nl_route_default (struct husk_nl *nl, int index, uint32_t gateway, unsigned metric,
                           husk_error_t *err);

/* IPv6 (dual-stack networks): a, gateway in6 addresses.  The address
   skips duplicate address detection (the subnet is the network's own), so
   that it is usable at once.  */
int husk_nl_addr6_add (struct husk_nl *nl, int index, const struct in6_addr *a, unsigned prefix,
                       husk_error_t *err);
int husk_nl_route6_default (struct husk_nl *nl, int index, const struct in6_addr *gateway,
                            unsigned metric, husk_error_t *err);

/* bridge6.c: the bridge's IPv6 gateway address, and the container's
   address and default route on its interface eth (nothing on a network
   without IPv6).  Return: 0, or -1.  */
int netconf_bridge6 (struct husk_nl *nl, int index, json_t *net, husk_error_t *err);
int netconf_inside6 (struct husk_nl *nl, int eth, const struct husk_bridge_attach *a,
                     husk_error_t *err);

/* ---- nft6.c: the table `ip6 husk` of dual-stack networks ----------------- */

/* Its commands, as husk_nft_table_cmds (the caller frees).  */
char *husk_nft6_table_cmds (void);
/* "VERB element ip6 husk SET { SUBNET6 }\n" of net's IPv6 subnet, or ""
   (the caller frees).  */
char *husk_nft6_element (json_t *net, const char *verb);
/* The ports_any6 / ports_ip6 elements of the published ports to ip6
   (ports on IPv4 host addresses skipped), "VERB element ..." lines; ""
   without ip6 (the caller frees).  */
char *husk_nft6_port_cmds (json_t *ports, const char *ip6, const char *verb);

/* ---- nft.c -------------------------------------------------------------- */

/* Run nft commands as one transaction.  Return: 0, or -1 with nft's
   message.  */
int husk_nft_run (const char *cmds, husk_error_t *err);

/* The commands that make (or re-make) husk's table `ip husk` with its
   chains and rules; sets and maps keep their elements.  The caller
   frees.  */
char *husk_nft_table_cmds (void);

#endif
