/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Bridge networks: their definitions and address allocations, and a
 * container attached to one.  Rootless, all of it is the user's and the
 * bridges are in the user's rootless network namespace (rootless.c,
 * design/networks.md "Rootless").
 *
 * Theory of operation
 *
 *   1. A user network is a file NAME.json in the network configuration
 *      directory (--network-config-dir, /etc/containers/networks for
 *      root), Podman's format: the JSON `network inspect` shows.  The
 *      default network `husk` (also named `podman` and `bridge`) is no
 *      file: it is made on first use (containers.conf's default_subnet
 *      unless the host routes or has an address in it, else the next
 *      free /16 from 10.89.0.0 on) and kept in the host-wide database.
 *   2. The host-wide database (HUSK_NET_DB; rootless the user's) records which
 *      bridge and subnet every network holds, whatever its configuration
 *      directory, and every address lease (bridge, ip, container, the
 *      store's state database), whatever the container's store.  Its
 *      write transaction is the host-wide lock: a create checks overlaps
 *      and takes its bridge, an allocation takes the lowest free address,
 *      each in one transaction.  A lease goes when its container is
 *      removed (whoever removes it), with all of a store at `system
 *      reset`, and by itself when its store no longer exists.
 *   3. start (husk_bridge_attach) makes the network's bridge on first
 *      use (husk0 for the default, husk1.. for the others, with the
 *      gateway address, route_localnet, the subnet in husk's nft sets),
 *      a veth pair into the container's namespace (eth0, its address and
 *      MAC, the default route) and the published ports' DNAT map
 *      elements, all under one host-wide lock.  It writes what it made
 *      (names and indexes, the nft elements) in <dir>/bridge.
 *   4. husk_net_teardown() (netns.c) undoes exactly what <dir>/bridge
 *      records: the map elements and the address's claim (without
 *      husk-netconf when there are no map elements).  The veth is left
 *      to go with the namespace, which the teardown unmounts: the kernel
 *      removes the pair in its own cleanup work, so nobody waits for the
 *      RCU grace periods of a link's deletion.  network disconnect,
 *      whose namespace stays, deletes the veth by its recorded index
 *      when its name still matches.  network rm takes the bridge with
 *      the network's set elements when no veth is on it (waiting up to
 *      2 s for the veths of containers just removed).
 *   5. What is under /run (claims, records, aardvark-dns files) is
 *      written without fsync: a reboot empties it anyway.  The database
 *      runs WAL with synchronous=NORMAL and no checkpoint at close, so a
 *      transaction costs no sync; a power cut may lose the last leases,
 *      which is what the stale-lease logic cleans up after anyway.
 */
#ifndef HUSK_NETWORK_BRIDGE_H
#define HUSK_NETWORK_BRIDGE_H

#include "util/error.h"

#include <jansson.h>
#include <stdbool.h>

/* The default network's name, and whether name is one of its names
   (husk, podman, bridge).  */
#define HUSK_NET_DEFAULT "husk"
bool husk_network_is_default (const char *name);

/* ---- macvlan and ipvlan networks (macvlan.c) ---------------------------- */

/* Whether net is a bridge network (no driver, or "bridge"), not a
   macvlan or ipvlan one.  */
bool husk_network_is_bridge (json_t *net);
/* What the host-wide database files the network's record and leases
   under (the caller frees): a bridge's name, "DRIVER:ID" for the others
   (their parent is no name of theirs).  */
char *husk_network_lease_key (json_t *net);
/* The interface of the host's IPv4 default route (the caller frees), or
   NULL: a macvlan network's parent when it names none.  */
char *husk_net_default_route_dev (void);
struct husk_network_request;
/* Check a create request of a driver other than bridge (macvlan, ipvlan:
   anything else is ENOTSUP; EPERM rootless).  *parent: the parent
   interface given (it exists), or NULL; *options: the network's options
   (without parent=).  Return: 0, or -1.  */
int husk_macvlan_check (const struct husk_network_request *q, bool rootless, char **parent,
                        json_t **options, husk_error_t *err);
/* Make a new network's JSON (network_json's) one of driver: its parent,
   options, no DNS, no gateway unless gateway.  */
void husk_macvlan_json (json_t *net, const char *driver, const char *parent, json_t *options,
                        bool gateway);

/* What `network create` asks for.  */
struct husk_network_request
{
  const char *name;       /* NULL: chosen (huskN) */
  const char *driver;     /* NULL or "bridge", "macvlan", "ipvlan" */
  const char *subnet;     /* NULL: the next free /24 */
  const char *gateway;    /* NULL: the subnet's first address */
  const char *ip_range;   /* NULL: the whole subnet */
  const char *interface;  /* NULL: husk1, husk2, ... (macvlan: the parent) */
  const char *subnet6;    /* an IPv6 subnet (dual stack), or NULL */
  const char *gateway6;   /* NULL: subnet6's first address */
  bool ipv6;              /* dual stack: subnet6, or a random unique local /64 */
  bool internal, disable_dns, ignore;
  json_t *labels;         /* object of strings, or NULL */
  json_t *options;        /* object of strings (mtu=, isolate=), or NULL */
  json_t *dns_servers;    /* array of IP strings (--dns), or NULL */
};

/* Where networks are and whose addresses are asked for.  */
struct husk_netenv
{
  const char *config_dir;     /* --network-config-dir */
  const char *default_subnet; /* containers.conf's, or NULL */
  char *const *subnet_pools;  /* containers.conf's "BASE:SIZE", or NULL: 10.89.0.0 on */
  const char *store;          /* the state database's path: whose leases */
  bool rootless;              /* no host-wide database: nothing is written */
};

/* Make a network.  With ignore, an existing one of that name is no
   error.  *out: its JSON (new reference).  Return: 0, or -1 (EEXIST,
   EINVAL, ENOTSUP; nothing made).  */
int husk_network_create (const struct husk_netenv *v, const struct husk_network_request *q,
                         json_t **out, husk_error_t *err);

/* A network by name, a default name, or a unique ID prefix (the default
   network made when needed).  Return: its JSON (new reference), or NULL
   (ENOENT "unable to find network with name or ID ...").  */
json_t *husk_network_get (const struct husk_netenv *v, const char *ref, husk_error_t *err);

/* All networks, by name, the default one first.  Return: an array (new
   reference), or NULL.  */
json_t *husk_network_list (const struct husk_netenv *v, husk_error_t *err);

/* Change a network's DNS servers (network update): drop then add, each
   an IP address, in its file, replaced at once under the host-wide lock;
   aardvark-dns gets them too.  *out: the network (new reference).
   Return: 0, or -1 (ENOENT, EINVAL; EPERM for the default network).  */
int husk_network_update_dns (const struct husk_netenv *v, const char *ref, json_t *add,
                             json_t *drop, json_t **out, husk_error_t *err);

/* Remove a network's file and its bridge's record (never the default's;
   EBUSY while an address of it is leased) and its bridge and firewall
   elements.  */
int husk_network_remove (const struct husk_netenv *v, json_t *net, husk_error_t *err);

/* The containers of this store holding an address on the network (free
   with husk_strv_free); *elsewhere: how many of other stores.  */
char **husk_network_users (const struct husk_netenv *v, json_t *net, size_t *elsewhere,
                           husk_error_t *err);

/* Lease the container an address on the network: want (--ip) or the
   lowest free one.  Return: the address (the caller frees), or NULL
   (EEXIST, EINVAL, ENOSPC).  */
char *husk_ipam_alloc (const struct husk_netenv *v, json_t *net, const char *container_id,
                       const char *want, husk_error_t *err);

/* At start: the container's address ip is its lease, taken again when
   no other container holds it (a store of an older husk kept leases in
   its own database).  Return: 0, or -1 (EEXIST).  */
int husk_ipam_claim (const struct husk_netenv *v, json_t *net, const char *container_id,
                     const char *ip, husk_error_t *err);

/* The same for the network's IPv6 subnet (ipam6.c): "" when it has
   none (and no want).  */
char *husk_ipam_alloc6 (const struct husk_netenv *v, json_t *net, const char *container_id,
                        const char *want, husk_error_t *err);
/* husk_ipam_claim of ip, an IPv6 address ("" or NULL: nothing).  */
int husk_ipam_claim6 (const struct husk_netenv *v, json_t *net, const char *container_id,
                      const char *ip, husk_error_t *err);

/* The container's leases return (rm; nothing to do rootless).  */
void husk_ipam_release (const struct husk_netenv *v, const char *container_id);
/* All of the store's leases return (system reset).  */
void husk_ipam_release_store (const struct husk_netenv *v);

/* A random locally administered unicast MAC "02:..." (the caller frees). */
char *husk_mac_random (void);
/* Whether text is a MAC address "xx:xx:xx:xx:xx:xx" that may be used.  */
bool husk_mac_valid (const char *text);

/* A container's names on a network with DNS (dns.c).  */
struct husk_dns_entry
{
  const char *network, *gateway, *id, *ip;
  const char *ip6;       /* or NULL: no IPv6 */
  char **names;          /* its name and aliases */
  const char *exe;       /* aardvark-dns */
  json_t *servers;       /* the network's DNS servers (its upstream), or NULL */
};

/* Add (or replace) the container's entry; start aardvark-dns or make it
   read its files again.  Return: 0, or -1.  */
int husk_dns_add (const struct husk_dns_entry *q, husk_error_t *err);
/* The network's upstream servers changed: its file's first line is
   written again and aardvark-dns told (nothing when no container of the
   network runs).  Return: 0, or -1.  */
int husk_dns_set_servers (const char *network, json_t *servers, husk_error_t *err);
/* Remove the container's entry; stop aardvark-dns with the last one.  */
void husk_dns_remove (const char *network, const char *id);
/* Where aardvark-dns is: the first of helper_dirs that has it, or NULL
   with ENOENT naming the package.  */
char *husk_dns_find_exe (char *const *helper_dirs, husk_error_t *err);

/* A container joining a bridge network at start.  */
struct husk_bridge_attach
{
  json_t *network;     /* the network's JSON */
  const char *ip, *mac;
  const char *ip6;     /* its IPv6 address on a dual-stack network, or NULL */
  json_t *ports;       /* the configuration's "ports" */
  const char *dir;     /* <runroot>/net/<id> */
  const char *netns;   /* <dir>/ns */
  const char *id;      /* the container's ID */
  char **dns_names;    /* its names for DNS, or NULL: no DNS */
  const char *dns_exe; /* aardvark-dns, with dns_names */
  const char *pasta_exe; /* rootless: pasta, for the rootless network namespace */
  const char *interface; /* its name in the container: eth0, eth1, ... */
  int slot;            /* 0, 1, ...: which of the container's networks (files, veth) */
  unsigned metric;     /* of its default route (none on internal networks) */
};

/* Make the namespace and connect it (theory above, 3).  Return: 0, or
   -1 with everything made torn down again.  */
int husk_bridge_attach (const struct husk_bridge_attach *a, husk_error_t *err);

/* A container on a bridge mode with no network (disconnected): only its
   namespace, at start.  Return: 0, or -1.  */
int husk_bridge_netns_only (const char *dir, const char *netns, husk_error_t *err);
/* A running container joins the network in its namespace (a->netns
   exists: network connect, or its second.. network at start).  Return:
   0, or -1 with nothing of this network left.  */
int husk_bridge_join (const struct husk_bridge_attach *a, husk_error_t *err);
/* A running container leaves the network of its slot: its link, ports
   and DNS entry go, its namespace stays (network disconnect).  With
   ports, the forwarder of its published ports (rootless) ends too.  */
void husk_bridge_leave (const char *dir, int slot, bool ports);

/* husk's firewall table made again (after a flush of the firewall) with
   the subnets and published ports of the containers listed: each
   {network, ip, ports}.  Return: 0, or -1.  */
int husk_bridge_reload (json_t *list, husk_error_t *err);

/* ---- the rootless network namespace (rootless.c) ----------------------- */

/* The rootless network namespace's file (the caller frees).  */
char *husk_net_rootless_netns (void);
/* Move this process into it.  Return: 0, or -1.  */
int husk_net_enter_rootless_netns (husk_error_t *err);
/* Count user (a container's ID, or "unshare-PID") in, making the
   namespace and its pasta (exe) first when there is none.  Return: 0, or
   -1.  */
int husk_net_rootless_ensure (const char *pasta, const char *user, husk_error_t *err);
/* Count user out; the last one ends it all.  */
void husk_net_rootless_release (const char *user);
/* Whether the namespace is up.  */
bool husk_net_rootless_exists (void);

/* A removed network's bridge (when no container is on it) and its
   subnet's firewall elements go.  */
void husk_bridge_forget (json_t *net);

#endif
