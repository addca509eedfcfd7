/* SPDX-License-Identifier: GPL-2.0-or-later */
/* IPv6 leases of dual-stack networks: rows of the same host-wide table
   as the IPv4 ones (networks.c), keyed by the bridge and the address's
   canonical text, so an address is leased once and goes with the
   container's other leases.  */
#include "network/bridge-private.h"
#include "util/cleanup.h"
#include "util/strutil.h"

#include <errno.h>
#include <string.h>

static char *
alloc6_in (sqlite3 *db, const struct husk_netenv *v, json_t *net, const char *cid,
           const char *want, husk_error_t *err)
{
  cleanup_json json_t *leases = netdb_leases (db, net_lease_bridge (net), err);
  cleanup_json json_t *used = json_object ();
  cleanup_free char *ip = NULL;
  const char *name = json_string_value (json_object_get (net, "name")), *k;
  json_t *l;

  if (leases == NULL)
    return NULL;
  json_object_foreach (leases, k, l)
    json_object_set (used, k, json_object_get (l, "id"));
  if ((ip = husk_ip6_choose (net, used, want, err)) == NULL)
    return NULL;
  if (netdb_lease_add (db, net_lease_bridge (net), ip, name, cid, v->store, err) < 0)
    return NULL;
  return steal_ptr (&ip);
}

char *
husk_ipam_alloc6 (const struct husk_netenv *v, json_t *net, const char *container_id,
                  const char *want, husk_error_t *err)
{
  sqlite3 *db;
  char *ip;

  if (husk_net_subnet6 (net) == NULL)
    {
      if (want)
        return husk_error_makex (err, EINVAL, "requested static ip %s: network %s has no "
                                 "IPv6 subnet (create it with --ipv6)", want,
                                 json_string_value (json_object_get (net, "name"))), NULL;
      return husk_xstrdup ("");
    }
  if ((db = netdb_begin (err)) == NULL)
    return NULL;
  ip = alloc6_in (db, v, net, container_id, want, err);
  if (netdb_end (db, ip != NULL, ip ? err : NULL) < 0)
    {
      free (ip);
      return NULL;
    }
  return ip;
}

int
husk_ipam_claim6 (const struct husk_netenv *v, json_t *net, const char *container_id,
                  const char *ip, husk_error_t *err)
{
  sqlite3 *db;
  json_t *l;
  cleanup_json json_t *leases = NULL;
  cleanup_free char *got = NULL;

  if (ip == NULL || *ip == '\0' || husk_net_subnet6 (net) == NULL)
    return 0;
  if ((db = netdb_begin (err)) == NULL)
    return -1;
  if ((leases = netdb_leases (db, net_lease_bridge (net), err)) == NULL)
    return netdb_end (db, false, NULL), -1;
  l = json_object_get (leases, ip);
  if (l && strcmp (json_string_value (json_object_get (l, "id")), container_id) == 0)
    return netdb_end (db, false, NULL), 0;
  if ((got = alloc6_in (db, v, net, container_id, ip, err)) == NULL)
    return netdb_end (db, false, NULL), -1;
  return netdb_end (db, true, err);
}
