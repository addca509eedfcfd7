/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Bridge network definitions and address allocations, in the state
 * database (tables `networks` and `net_alloc`, schema version 6).  Each
 * change is one write transaction: a create checks the overlap with
 * every other network and takes its name and bridge name at once, an
 * allocation picks the lowest free address and takes it at once.
 */
#include "network/bridge-private.h"
#include "format/humanize.h"
#include "state/state-private.h"
#include "util/cleanup.h"
#include "util/strutil.h"

#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

bool
husk_network_is_default (const char *name)
{
  return name && (strcmp (name, HUSK_NET_DEFAULT) == 0 || strcmp (name, "podman") == 0
                  || strcmp (name, "bridge") == 0);
}

char *
husk_mac_random (void)
{
  cleanup_free char *h = husk_random_hex (5);

  /* 02: locally administered, unicast.  */
  return husk_asprintf ("02:%.2s:%.2s:%.2s:%.2s:%.2s", h, h + 2, h + 4, h + 6, h + 8);
}

bool
husk_mac_valid (const char *text)
{
  unsigned b[6];
  char tail;

  if (text == NULL || strlen (text) != 17
      || sscanf (text, "%2x:%2x:%2x:%2x:%2x:%2x%c", &b[0], &b[1], &b[2], &b[3], &b[4], &b[5],
                 &tail) != 6)
    return false;
  return !(b[0] & 1); /* not multicast */
}

/* ---- rows --------------------------------------------------------------- */

static json_t *
all_rows (struct husk_state *st, husk_error_t *err)
{
  cleanup_stmt sqlite3_stmt *s = husk_state_prepare (
      st, "SELECT config FROM networks ORDER BY name", err);
  json_t *out;
  int rc;

  if (s == NULL)
    return NULL;
  out = json_array ();
  while ((rc = sqlite3_step (s)) == SQLITE_ROW)
    json_array_append_new (out, json_loads ((const char *) sqlite3_column_text (s, 0), 0,
                                            NULL));
  if (rc != SQLITE_DONE)
    {
      json_decref (out);
      return husk_state_fail (st, rc, err, "list networks"), NULL;
    }
  return out;
}

static int
add_row (struct husk_state *st, json_t *net, husk_error_t *err)
{
  cleanup_stmt sqlite3_stmt *s = husk_state_prepare (
      st, "INSERT INTO networks (name, id, config, created) VALUES (?1, ?2, ?3, ?4)", err);
  cleanup_free char *text = json_dumps (net, JSON_COMPACT);
  const char *name = json_string_value (json_object_get (net, "name"));
  int rc;

  if (s == NULL)
    return -1;
  husk_state_bind_text (s, 1, name);
  husk_state_bind_text (s, 2, json_string_value (json_object_get (net, "id")));
  husk_state_bind_text (s, 3, text);
  sqlite3_bind_int64 (s, 4, husk_now_ns ());
  rc = husk_state_step_done (s);
  if (rc == SQLITE_CONSTRAINT_PRIMARYKEY || rc == SQLITE_CONSTRAINT_UNIQUE)
    return husk_error_makex (err, EEXIST, "network name %s already used: network already "
                             "exists", name);
  return rc == SQLITE_DONE ? 0 : husk_state_fail (st, rc, err, "add network %s", name);
}

/* ---- choosing --------------------------------------------------------- */

/* Whether s is free: no other network's subnet overlaps it, and the host
   neither routes it nor has an address in it.  *why says who has it.  */
static bool
subnet_free (json_t *nets, const struct husk_subnet *s, char **why)
{
  size_t i;
  json_t *n;

  json_array_foreach (nets, i, n)
    {
      struct husk_subnet o;
      const char *text = json_string_value (json_object_get (
          json_array_get (json_object_get (n, "subnets"), 0), "subnet"));
      if (text && husk_subnet_parse (text, &o, NULL) == 0 && husk_subnet_overlaps (s, &o))
        {
          *why = husk_asprintf ("network %s (%s)", json_string_value (json_object_get (n, "name")),
                                text);
          return false;
        }
    }
  {
    /* The network's own bridge, if one is up, does not count.  */
    cleanup_free char *dev = husk_subnet_host_user (s, NULL);
    if (dev && !husk_has_prefix (dev, "husk"))
      {
        *why = husk_asprintf ("the host's interface %s", dev);
        return false;
      }
  }
  return true;
}

/* The first free subnet of the given size from 10.89.0.0 on.  */
static int
next_subnet (json_t *nets, unsigned prefix, struct husk_subnet *out, husk_error_t *err)
{
  uint32_t step = 1U << (32 - prefix);

  for (uint32_t net = 0x0a590000U; net < 0x0b000000U; net += step)
    {
      cleanup_free char *why = NULL;
      struct husk_subnet s = { .net = net, .prefix = prefix };
      if (subnet_free (nets, &s, &why))
        {
          *out = s;
          return 0;
        }
    }
  return husk_error_makex (err, ENOSPC, "no free subnet left in 10.89.0.0-10.255.255.255: "
                           "give one with --subnet");
}

/* The first bridge name huskN that no network has and no host link has. */
static char *
next_interface (json_t *nets)
{
  for (unsigned k = 1;; k++)
    {
      cleanup_free char *name = husk_asprintf ("husk%u", k);
      bool taken = if_nametoindex (name) != 0;
      size_t i;
      json_t *n;
      json_array_foreach (nets, i, n)
        taken = taken || strcmp (json_string_value (json_object_get (n, "network_interface")) ?: "",
                                 name) == 0;
      if (!taken)
        return steal_ptr (&name);
    }
}

static char *
now_text (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_REALTIME, &ts);
  return husk_time_rfc3339nano_local (ts.tv_sec, ts.tv_nsec);
}

/* The JSON of a network, as `network inspect` shows it.  */
static json_t *
network_json (const char *name, const char *iface, const struct husk_subnet *s,
              uint32_t gateway, const struct husk_network_request *q)
{
  cleanup_free char *id = husk_random_hex (32), *created = now_text ();
  cleanup_free char *subnet = husk_subnet_text (s), *gw = husk_ip_text (gateway);
  json_t *sub = json_pack ("{s:s, s:s}", "subnet", subnet, "gateway", gw);
  json_t *opts = q && q->options ? json_deep_copy (q->options) : json_object ();

  if (q && q->ip_range)
    {
      struct husk_subnet r;
      husk_subnet_parse (q->ip_range, &r, NULL);
      cleanup_free char *first = husk_ip_text (r.net + (r.net == s->net ? 1 : 0));
      cleanup_free char *last = husk_ip_text (r.net + (1U << (32 - r.prefix)) - 2);
      json_object_set_new (sub, "lease_range", json_pack ("{s:s, s:s}", "start_ip", first,
                                                          "end_ip", last));
    }
  return json_pack ("{s:s, s:s, s:s, s:s, s:s, s:[o], s:b, s:b, s:b, s:o, s:o, s:{s:s}}",
                    "name", name, "id", id, "driver", "bridge", "network_interface", iface,
                    "created", created, "subnets", sub, "ipv6_enabled", 0, "internal",
                    q && q->internal, "dns_enabled", q && !q->disable_dns, "labels",
                    q && q->labels ? json_deep_copy (q->labels) : json_object (), "options",
                    opts, "ipam_options", "driver", "host-local");
}

/* ---- the default network ------------------------------------------------ */

static json_t *
find (json_t *nets, const char *ref, bool *several)
{
  size_t i, n = strlen (ref);
  json_t *v, *hit = NULL;

  *several = false;
  json_array_foreach (nets, i, v)
    if (strcmp (json_string_value (json_object_get (v, "name")), ref) == 0
        || strcmp (json_string_value (json_object_get (v, "id")), ref) == 0)
      return v;
  json_array_foreach (nets, i, v)
    if (n >= 1 && strncmp (json_string_value (json_object_get (v, "id")), ref, n) == 0)
      {
        if (hit)
          *several = true;
        hit = v;
      }
  return hit;
}

/* Add the default network's row if there is none (in a transaction).  */
static int
ensure_default (struct husk_state *st, const char *default_subnet, json_t *nets,
                husk_error_t *err)
{
  struct husk_subnet s;
  cleanup_free char *why = NULL;
  bool several;
  json_t *n;

  if (find (nets, HUSK_NET_DEFAULT, &several))
    return 0;
  if (husk_subnet_parse (default_subnet && *default_subnet ? default_subnet : "10.88.0.0/16",
                         &s, err) < 0)
    return husk_error_wrap (err, "containers.conf default_subnet");
  /* Podman's 10.88.0.0/16 is taken wherever Podman's CNI bridge is.  */
  if (!subnet_free (nets, &s, &why) && next_subnet (nets, 16, &s, err) < 0)
    return -1;
  n = network_json (HUSK_NET_DEFAULT, "husk0", &s, s.net + 1, NULL);
  json_object_set_new (n, "dns_enabled", json_false ());
  if (add_row (st, n, err) < 0)
    {
      json_decref (n);
      return -1;
    }
  json_array_append_new (nets, n);
  return 0;
}

/* The rows, the default network's made first when missing.  */
static json_t *
rows_with_default (struct husk_state *st, const char *default_subnet, husk_error_t *err)
{
  json_t *nets = all_rows (st, err);
  bool several;

  if (nets == NULL || find (nets, HUSK_NET_DEFAULT, &several))
    return nets;
  json_decref (nets);
  if (husk_state_begin (st, err) < 0)
    return NULL;
  nets = all_rows (st, err);
  if (nets == NULL || ensure_default (st, default_subnet, nets, err) < 0)
    husk_state_rollback (st);
  else if (husk_state_commit (st, err) == 0)
    return nets;
  json_decref (nets);
  return NULL;
}

json_t *
husk_network_list (struct husk_state *st, const char *default_subnet, husk_error_t *err)
{
  return rows_with_default (st, default_subnet, err);
}

json_t *
husk_network_get (struct husk_state *st, const char *default_subnet, const char *ref,
                  husk_error_t *err)
{
  cleanup_json json_t *nets = rows_with_default (st, default_subnet, err);
  bool several;
  json_t *n;

  if (nets == NULL)
    return NULL;
  n = find (nets, husk_network_is_default (ref) ? HUSK_NET_DEFAULT : ref, &several);
  if (several)
    return husk_error_makex (err, EINVAL, "more than one network matches \"%s\"", ref), NULL;
  if (n == NULL)
    return husk_error_makex (err, ENOENT, "unable to find network with name or ID %s: "
                             "network not found", ref), NULL;
  return json_incref (n);
}

/* ---- create, remove ------------------------------------------------------ */

static bool
valid_name (const char *n)
{
  if (n == NULL || !((n[0] >= 'a' && n[0] <= 'z') || (n[0] >= 'A' && n[0] <= 'Z')
                     || (n[0] >= '0' && n[0] <= '9')))
    return false;
  return n[strspn (n, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-")] == '\0';
}

/* The options a bridge network takes: mtu only, for now.  */
static int
check_options (json_t *opts, husk_error_t *err)
{
  const char *k;
  json_t *v;

  json_object_foreach (opts, k, v)
    {
      const char *s = json_string_value (v);
      char *end;
      long mtu;
      if (strcmp (k, "mtu") != 0)
        return husk_error_makex (err, ENOTSUP, "unsupported bridge network option %s: "
                                 "only mtu= is supported (vlan=, isolate= come later)", k);
      mtu = strtol (s ? s : "", &end, 10);
      if (s == NULL || *s == '\0' || *end || mtu < 68 || mtu > 65535)
        return husk_error_makex (err, EINVAL, "invalid mtu \"%s\": want 68 to 65535", s ? s : "");
    }
  return 0;
}

/* The subnet, gateway and range of a request, checked against the rest.  */
static int
plan_subnet (json_t *nets, const struct husk_network_request *q, struct husk_subnet *s,
             uint32_t *gw, husk_error_t *err)
{
  cleanup_free char *why = NULL;
  struct husk_subnet r;
  uint32_t last;

  if (q->subnet == NULL)
    {
      if (q->gateway || q->ip_range)
        return husk_error_makex (err, EINVAL, "%s needs --subnet", q->gateway ? "--gateway"
                                                                              : "--ip-range");
      if (next_subnet (nets, 24, s, err) < 0)
        return -1;
    }
  else if (husk_subnet_parse (q->subnet, s, err) < 0)
    return -1;
  else if (!subnet_free (nets, s, &why))
    return husk_error_makex (err, EEXIST, "subnet %s is already used on the host or by "
                             "another config: %s", q->subnet, why);
  last = s->net + (1U << (32 - s->prefix)) - 1;
  *gw = s->net + 1;
  if (q->gateway && (husk_ip_parse (q->gateway, gw) < 0 || !husk_subnet_contains (s, *gw)
                     || *gw == s->net || *gw == last))
    return husk_error_makex (err, EINVAL, "gateway %s is not a host address of subnet %s",
                             q->gateway, q->subnet);
  if (q->ip_range && (husk_subnet_parse (q->ip_range, &r, err) < 0
                      || !husk_subnet_contains (s, r.net) || r.prefix < s->prefix))
    return husk_error_makex (err, EINVAL, "ip range %s is not inside subnet %s", q->ip_range,
                             q->subnet);
  return 0;
}

static int
check_interface (json_t *nets, const char *iface, husk_error_t *err)
{
  size_t i;
  json_t *n;

  if (strlen (iface) >= IF_NAMESIZE || !valid_name (iface))
    return husk_error_makex (err, EINVAL, "invalid interface name \"%s\": at most 15 of "
                             "[a-zA-Z0-9_.-]", iface);
  json_array_foreach (nets, i, n)
    if (strcmp (json_string_value (json_object_get (n, "network_interface")) ?: "", iface) == 0)
      return husk_error_makex (err, EEXIST, "bridge name %s already in use by network %s",
                               iface, json_string_value (json_object_get (n, "name")));
  if (if_nametoindex (iface) != 0)
    return husk_error_makex (err, EEXIST, "interface name %s is already used on the host",
                             iface);
  return 0;
}

static int
create_in (struct husk_state *st, const char *default_subnet,
           const struct husk_network_request *q, json_t **out, husk_error_t *err)
{
  cleanup_json json_t *nets = all_rows (st, err);
  cleanup_free char *name = NULL, *iface = NULL;
  struct husk_subnet s;
  uint32_t gw;
  bool several;
  json_t *had;

  if (nets == NULL || ensure_default (st, default_subnet, nets, err) < 0)
    return -1;
  if (q->name == NULL)
    for (unsigned k = 1; name == NULL || find (nets, name, &several); k++)
      free (name), name = husk_asprintf ("husk%u", k);
  else
    name = husk_xstrdup (husk_network_is_default (q->name) ? HUSK_NET_DEFAULT : q->name);
  if ((had = find (nets, name, &several)) && strcmp (json_string_value (json_object_get (had, "name")), name) == 0)
    {
      if (!q->ignore)
        return husk_error_makex (err, EEXIST, "network name %s already used: network "
                                 "already exists", q->name);
      *out = json_incref (had);
      return 0;
    }
  if (plan_subnet (nets, q, &s, &gw, err) < 0)
    return -1;
  iface = q->interface ? husk_xstrdup (q->interface) : next_interface (nets);
  if (check_interface (nets, iface, err) < 0)
    return -1;
  *out = network_json (name, iface, &s, gw, q);
  if (add_row (st, *out, err) < 0)
    {
      json_decref (*out);
      *out = NULL;
      return -1;
    }
  return 0;
}

int
husk_network_create (struct husk_state *st, const char *default_subnet,
                     const struct husk_network_request *q, json_t **out, husk_error_t *err)
{
  *out = NULL;
  if (q->driver && strcmp (q->driver, "bridge") != 0)
    return husk_error_makex (err, ENOTSUP, "unsupported driver %s: only bridge networks are "
                             "supported (macvlan and ipvlan come later)", q->driver);
  if (q->name && !valid_name (q->name))
    return husk_error_makex (err, EINVAL, "network name \"%s\" invalid: names must match "
                             "[a-zA-Z0-9][a-zA-Z0-9_.-]*", q->name);
  if (check_options (q->options, err) < 0)
    return -1;
  if (husk_state_begin (st, err) < 0)
    return -1;
  if (create_in (st, default_subnet, q, out, err) < 0)
    husk_state_rollback (st);
  else if (husk_state_commit (st, err) == 0)
    return 0;
  json_decref (*out);
  *out = NULL;
  return -1;
}

char **
husk_network_users (struct husk_state *st, const char *name, husk_error_t *err)
{
  cleanup_stmt sqlite3_stmt *s = husk_state_prepare (
      st, "SELECT container_id FROM net_alloc WHERE network = ?1 ORDER BY container_id", err);
  char **out = husk_xzalloc (sizeof *out);
  int rc;

  if (s == NULL)
    return husk_strv_free (out), NULL;
  husk_state_bind_text (s, 1, name);
  while ((rc = sqlite3_step (s)) == SQLITE_ROW)
    husk_strv_append (&out, (const char *) sqlite3_column_text (s, 0));
  if (rc != SQLITE_DONE)
    {
      husk_strv_free (out);
      return husk_state_fail (st, rc, err, "list the containers of network %s", name), NULL;
    }
  return out;
}

static int
remove_in (struct husk_state *st, const char *name, husk_error_t *err)
{
  cleanup_strv char **users = husk_network_users (st, name, err);
  cleanup_stmt sqlite3_stmt *s = NULL;
  int rc;

  if (users == NULL)
    return -1;
  if (users[0])
    return husk_error_makex (err, EBUSY, "\"%s\" has associated containers with it (%.12s). "
                             "Use -f to forcibly delete containers: network is being used",
                             name, users[0]);
  s = husk_state_prepare (st, "DELETE FROM networks WHERE name = ?1", err);
  if (s == NULL)
    return -1;
  husk_state_bind_text (s, 1, name);
  rc = husk_state_step_done (s);
  return rc == SQLITE_DONE ? 0 : husk_state_fail (st, rc, err, "remove network %s", name);
}

int
husk_network_remove (struct husk_state *st, const char *name, husk_error_t *err)
{
  if (husk_network_is_default (name))
    return husk_error_makex (err, EPERM, "default network %s cannot be removed", name);
  if (husk_state_begin (st, err) < 0)
    return -1;
  if (remove_in (st, name, err) < 0)
    {
      husk_state_rollback (st);
      return -1;
    }
  return husk_state_commit (st, err);
}

/* ---- addresses ------------------------------------------------------------ */

/* The addresses of the network taken, as an object "ip": container.  */
static json_t *
taken (struct husk_state *st, const char *name, husk_error_t *err)
{
  cleanup_stmt sqlite3_stmt *s = husk_state_prepare (
      st, "SELECT ip, container_id FROM net_alloc WHERE network = ?1", err);
  json_t *out;
  int rc;

  if (s == NULL)
    return NULL;
  husk_state_bind_text (s, 1, name);
  out = json_object ();
  while ((rc = sqlite3_step (s)) == SQLITE_ROW)
    json_object_set_new (out, (const char *) sqlite3_column_text (s, 0),
                         json_string ((const char *) sqlite3_column_text (s, 1)));
  if (rc != SQLITE_DONE)
    {
      json_decref (out);
      return husk_state_fail (st, rc, err, "read the addresses of network %s", name), NULL;
    }
  return out;
}

/* The first and last address to hand out, host order.  */
static void
lease_range (json_t *sub, const struct husk_subnet *s, uint32_t *first, uint32_t *last)
{
  json_t *r = json_object_get (sub, "lease_range");

  *first = s->net + 1;
  *last = s->net + (1U << (32 - s->prefix)) - 2;
  if (r)
    {
      husk_ip_parse (json_string_value (json_object_get (r, "start_ip")), first);
      husk_ip_parse (json_string_value (json_object_get (r, "end_ip")), last);
    }
}

/* Add the addresses containers of other stores hold on the network's
   bridge to used.  */
static void
add_claims (json_t *net, json_t *used, const char *cid)
{
  cleanup_json json_t *claims = husk_net_claims (
      json_string_value (json_object_get (net, "network_interface")) ?: "");
  const char *ip;
  json_t *id;

  json_object_foreach (claims, ip, id)
    if (strcmp (json_string_value (id), cid) != 0 && json_object_get (used, ip) == NULL)
      json_object_set (used, ip, id);
}

static char *
choose (json_t *net, json_t *used, const char *want, husk_error_t *err)
{
  json_t *sub = json_array_get (json_object_get (net, "subnets"), 0);
  const char *name = json_string_value (json_object_get (net, "name"));
  struct husk_subnet s;
  uint32_t gw = 0, first, last, ip;

  if (husk_subnet_parse (json_string_value (json_object_get (sub, "subnet")), &s, err) < 0)
    return NULL;
  husk_ip_parse (json_string_value (json_object_get (sub, "gateway")), &gw);
  lease_range (sub, &s, &first, &last);
  if (want)
    {
      if (husk_ip_parse (want, &ip) < 0 || !husk_subnet_contains (&s, ip) || ip == s.net
          || ip == s.net + (1U << (32 - s.prefix)) - 1 || ip == gw)
        return husk_error_makex (err, EINVAL, "requested static ip %s not in any subnet on "
                                 "network %s (%s), or its gateway", want, name,
                                 json_string_value (json_object_get (sub, "subnet"))), NULL;
      if (json_object_get (used, want))
        return husk_error_makex (err, EEXIST, "IPAM error: requested ip address %s is already "
                                 "allocated to container ID %.12s", want,
                                 json_string_value (json_object_get (used, want))), NULL;
      return husk_xstrdup (want);
    }
  for (ip = first; ip <= last && ip != 0; ip++)
    {
      cleanup_free char *text = husk_ip_text (ip);
      if (ip != gw && json_object_get (used, text) == NULL)
        return steal_ptr (&text);
    }
  return husk_error_makex (err, ENOSPC, "IPAM error: failed to get ips for subnet %s: no "
                           "address left on network %s",
                           json_string_value (json_object_get (sub, "subnet")), name), NULL;
}

static char *
alloc_in (struct husk_state *st, json_t *net, const char *cid, const char *want, husk_error_t *err)
{
  const char *name = json_string_value (json_object_get (net, "name"));
  cleanup_json json_t *used = taken (st, name, err);
  cleanup_stmt sqlite3_stmt *s = NULL;
  cleanup_free char *ip = NULL;

  if (used)
    add_claims (net, used, cid);
  ip = used ? choose (net, used, want, err) : NULL;
  int rc;

  if (ip == NULL)
    return NULL;
  s = husk_state_prepare (st, "INSERT INTO net_alloc (network, ip, container_id) "
                              "VALUES (?1, ?2, ?3)", err);
  if (s == NULL)
    return NULL;
  husk_state_bind_text (s, 1, name);
  husk_state_bind_text (s, 2, ip);
  husk_state_bind_text (s, 3, cid);
  rc = husk_state_step_done (s);
  if (rc != SQLITE_DONE)
    return husk_state_fail (st, rc, err, "allocate %s on network %s", ip, name), NULL;
  return steal_ptr (&ip);
}

char *
husk_ipam_alloc (struct husk_state *st, json_t *net, const char *container_id,
                 const char *want, husk_error_t *err)
{
  char *ip;

  if (husk_state_begin (st, err) < 0)
    return NULL;
  ip = alloc_in (st, net, container_id, want, err);
  if (ip == NULL)
    husk_state_rollback (st);
  else if (husk_state_commit (st, err) < 0)
    {
      free (ip);
      return NULL;
    }
  return ip;
}
