/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What the files of bridge networks share: subnets (subnet.c).  */
#ifndef HUSK_NETWORK_BRIDGE_PRIVATE_H
#define HUSK_NETWORK_BRIDGE_PRIVATE_H

#include "network/bridge.h"
#include "network/network-private.h"
#include "util/strutil.h"

#include <netinet/in.h>
#include <sqlite3.h>
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

/* ---- subnet6.c: IPv6 (dual stack) ----------------------------------------- */

struct husk_subnet6
{
  struct in6_addr net;
  unsigned prefix;
};

/* Whether text is an IPv6 address or subnet (has a colon).  */
bool husk_is_ip6 (const char *text);
int husk_ip6_parse (const char *text, struct in6_addr *a);
/* The canonical text of a (the caller frees).  */
char *husk_ip6_text (const struct in6_addr *a);
/* "fd10::/64" (host bits must be zero).  Return: 0, or -1 (EINVAL).  */
int husk_subnet6_parse (const char *text, struct husk_subnet6 *s, husk_error_t *err);
char *husk_subnet6_text (const struct husk_subnet6 *s);
bool husk_subnet6_contains (const struct husk_subnet6 *s, const struct in6_addr *a);
bool husk_subnet6_overlaps (const struct husk_subnet6 *a, const struct husk_subnet6 *b);
/* The IPv6 subnet of a network ({subnet, gateway}), or NULL.  */
json_t *husk_net_subnet6 (json_t *net);
/* The IPv6 subnet of a request (q->subnet6, or with q->ipv6 a random
   unique local /64) checked against nets and the host: *sub
   {subnet, gateway} (new reference), NULL when the request has no IPv6.
   Return: 0, or -1 (EEXIST, EINVAL).  */
int husk_net6_plan (json_t *nets, const struct husk_network_request *q, json_t **sub,
                    husk_error_t *err);
/* want (canonical form), or the lowest free address of net's IPv6
   subnet that is not in used ("ip": id) nor the gateway.  The caller
   frees.  */
char *husk_ip6_choose (json_t *net, json_t *used, const char *want, husk_error_t *err);

/* ---- a container's files (bridge_call.c, netconf/bridge.c) ------------- */

/* The name of what a container's network of slot N leaves in its
   directory: "bridge" (the record of netconf) or "dns" for the first,
   "bridge.N" or "dns.N" for the others (the caller frees).  */
static inline char *
husk_net_slot_file (const char *dir, const char *leaf, int slot)
{
  return slot ? husk_asprintf ("%s/%s.%d", dir, leaf, slot) : husk_asprintf ("%s/%s", dir, leaf);
}

/* ---- host-wide claims (subnet.c) ------------------------------------------ */

/* Addresses are allocated per store (networks.c), bridges are the host's:
   a started container claims its address on its bridge in
   HUSK_NET_CLAIMS/BRIDGE/IP (the file holds its ID), so that a container
   of another store on the same bridge never gets it too.  A claim counts
   while the claimer's veth exists.  */
#define HUSK_NET_CLAIMS husk_net_rundir ()

char *husk_net_claim_dir (const char *bridge);
/* Take the host-wide lock of bridges and claims (rootless the user's).
   Return: its descriptor (close it to unlock), or -1.  */
int husk_net_lock (husk_error_t *err);
/* Remove the claim at path if it still is id's; under the lock.  */
void husk_net_unclaim (const char *path, const char *id);
/* The live claims on bridge: an object "ip": "container id".  */
json_t *husk_net_claims (const char *bridge);

/* ---- rootless (rootless.c) --------------------------------------------- */

/* Where the networks' run files are: /run/husk-net for root, the user's
   <pause record dir>/net rootless.  */
const char *husk_net_rundir (void);
/* Where the lease database is: /var/lib/husk-net for root,
   $XDG_DATA_HOME/husk-net (~/.local/share/husk-net) rootless.  */
const char *husk_net_db_dir (void);
const char *husk_net_db_path (void);

/* Forward the published TCP ports to ip in the rootless network
   namespace (forward.c); the forwarder is recorded in <dir>/pid.
   Return: 0, or -1.  */
int net_forward_start (const char *dir, json_t *ports, const char *ip, husk_error_t *err);

/* ---- the host-wide database (netdb.c) ------------------------------------ */

#define HUSK_NET_DB_DIR husk_net_db_dir ()
#define HUSK_NET_DB husk_net_db_path ()

static inline void
cleanup_stmt_netp (sqlite3_stmt **s)
{
  if (*s)
    sqlite3_finalize (*s);
}
#define cleanup_stmt_net __attribute__ ((__cleanup__ (cleanup_stmt_netp)))

/* Open it in a write transaction: the host-wide lock.  */
sqlite3 *netdb_begin (husk_error_t *err);
/* Open it in a read transaction: a snapshot, which waits for no writer
   (WAL), for what only looks.  */
sqlite3 *netdb_read (husk_error_t *err);
/* Commit (or roll back) and close.  Return: 0, or -1.  */
int netdb_end (sqlite3 *db, bool commit, husk_error_t *err);
sqlite3_stmt *netdb_prepare (sqlite3 *db, const char *sql, husk_error_t *err);
/* Run sql with the NULL-terminated text arguments.  EEXIST on a
   constraint.  Return: 0, or -1.  */
int netdb_exec (sqlite3 *db, const char *sql, const char *const *args, husk_error_t *err);
/* The live leases on bridge: "ip": {id, store, network}.  */
json_t *netdb_leases (sqlite3 *db, const char *bridge, husk_error_t *err);
/* husk_network_lease_key (net), held until the next call (every caller
   uses it at once): the leases' "bridge" column.  */
const char *net_lease_bridge (json_t *net);
/* An MTU option's value: 68 to 65535.  Return: 0, or -1 saying why.  */
int net_check_mtu (const char *s, husk_error_t *err);
/* Drop the leases of stores that no longer exist.  */
void netdb_forget_stale (sqlite3 *db);
/* Lease ip on bridge (network's) to the container cid of store; a row
   left by a store that is gone is replaced.  Return: 0, or -1.  */
int netdb_lease_add (sqlite3 *db, const char *bridge, const char *ip, const char *network,
                     const char *cid, const char *store, husk_error_t *err);

#endif
