/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Bridge network definitions (files in the network configuration
 * directory; the default network in the host-wide database) and address
 * leases (the host-wide database, netdb.c).  Each change is one write
 * transaction of that database: a create checks the overlap with every
 * other network and takes its bridge name at once, an allocation picks
 * the lowest free address and takes it at once.
 */
#include "network/bridge-private.h"
#include "format/humanize.h"
#include "util/fileutil.h"
#include "util/log.h"
#include "util/cleanup.h"
#include "util/strutil.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
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

/* ---- definitions --------------------------------------------------------- */

static int
by_name (const void *a, const void *b)
{
  return strcmp (json_string_value (json_object_get (*(json_t *const *) a, "name")),
                 json_string_value (json_object_get (*(json_t *const *) b, "name")));
}

/* arr sorted by name, as `network ls` lists.  */
static json_t *
sorted (json_t *arr)
{
  size_t n = json_array_size (arr);
  cleanup_free json_t **v = husk_xzalloc ((n + 1) * sizeof *v);
  json_t *out = json_array ();

  for (size_t i = 0; i < n; i++)
    v[i] = json_array_get (arr, i);
  qsort (v, n, sizeof *v, by_name);
  for (size_t i = 0; i < n; i++)
    json_array_append (out, v[i]);
  json_decref (arr);
  return out;
}

/* The networks defined in dir: its *.json files (Podman's format too),
   by name.  */
static json_t *
read_dir (const char *dir)
{
  json_t *out = json_array ();
  DIR *d = dir ? opendir (dir) : NULL;
  struct dirent *e;

  while (d && (e = readdir (d)))
    {
      size_t n = strlen (e->d_name);
      cleanup_free char *p = NULL;
      json_t *net;
      if (e->d_name[0] == '.' || n < 6 || strcmp (e->d_name + n - 5, ".json") != 0)
        continue;
      p = husk_asprintf ("%s/%s", dir, e->d_name);
      net = json_load_file (p, 0, NULL);
      if (json_is_string (json_object_get (net, "name"))
          && json_is_string (json_object_get (net, "id")))
        json_array_append (out, net);
      else
        husk_log_debug ("network config %s: not a network definition, skipped", p);
      json_decref (net);
    }
  if (d)
    closedir (d);
  return sorted (out);
}

static char *
def_path (const char *dir, const char *name)
{
  return husk_asprintf ("%s/%s.json", dir, name);
}

static int
write_def (const char *dir, json_t *net, husk_error_t *err)
{
  cleanup_free char *p = def_path (dir, json_string_value (json_object_get (net, "name")));
  cleanup_free char *text = json_dumps (net, JSON_INDENT (5));

  if (husk_mkdir_p (dir, 0755, err) < 0)
    return -1;
  return husk_write_file_atomic (p, text, strlen (text), 0644, err);
}

/* The bridges the host-wide database knows that nets does not hold,
   as networks with just a name, a bridge and a subnet, for the overlap
   checks; records whose definition file went (a removed directory) go
   too.  */
static int
add_db_bridges (sqlite3 *db, const char *dir, json_t *nets, husk_error_t *err)
{
  cleanup_stmt_net sqlite3_stmt *s = netdb_prepare (
      db, "SELECT bridge, network, config_dir, subnet FROM bridges WHERE config_dir != ''", err);
  cleanup_json json_t *gone = json_array ();
  size_t i;
  json_t *g;
  int rc;

  if (s == NULL)
    return -1;
  while ((rc = sqlite3_step (s)) == SQLITE_ROW)
    {
      const char *br = (const char *) sqlite3_column_text (s, 0);
      const char *name = (const char *) sqlite3_column_text (s, 1);
      const char *cdir = (const char *) sqlite3_column_text (s, 2);
      cleanup_free char *p = def_path (cdir, name);
      json_t *n = json_pack ("{s:s, s:s, s:s, s:[{s:s}]}", "name", name, "id", "",
                             "network_interface", br, "subnets", "subnet",
                             sqlite3_column_text (s, 3));
      if (!husk_path_exists (p))
        json_array_append_new (gone, n);
      else if (strcmp (cdir, dir) != 0)
        json_array_append_new (nets, n);
      else
        json_decref (n);
    }
  /* The bridge of a network whose definition went goes too (the helper
     leaves one a container still uses): left, its subnet would look free
     to the next network while the host still routes it.  */
  json_array_foreach (gone, i, g)
    {
      const char *args[] = { json_string_value (json_object_get (g, "network_interface")), NULL };
      netdb_exec (db, "DELETE FROM bridges WHERE bridge = ?1", args, NULL);
      husk_bridge_forget (g);
    }
  return rc == SQLITE_DONE ? 0 : husk_error_makex (err, EIO, "%s: %s", HUSK_NET_DB,
                                                  sqlite3_errmsg (db));
}

static int
record_bridge (sqlite3 *db, json_t *net, const char *dir, husk_error_t *err)
{
  cleanup_free char *config = dir ? NULL : json_dumps (net, JSON_COMPACT);
  cleanup_free char *key = husk_network_lease_key (net);
  const char *args[] = {
    key,
    json_string_value (json_object_get (net, "name")),
    dir ? dir : "",
    json_string_value (json_object_get (json_array_get (json_object_get (net, "subnets"), 0),
                                        "subnet")),
    config,
    NULL,
  };

  if (netdb_exec (db, "INSERT INTO bridges (bridge, network, config_dir, subnet, config) "
                      "VALUES (?1, ?2, ?3, ?4, ?5)", args, err) < 0)
    return husk_error_wrap (err, "record the bridge %s of network %s", args[0], args[1]);
  return 0;
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
    /* The default network's own bridge, if one is up, does not count;
       any other bridge of husk's is a network's (caught above) or one
       left behind, whose subnet the host still routes.  */
    cleanup_free char *dev = husk_subnet_host_user (s, NULL);
    if (dev && strcmp (dev, "husk0") != 0)
      {
        *why = husk_asprintf ("the host's interface %s", dev);
        return false;
      }
  }
  return true;
}

/* The first free subnet of size prefix in [first, end).  */
static bool
free_in (json_t *nets, uint32_t first, uint64_t end, unsigned prefix, struct husk_subnet *out)
{
  uint32_t step = 1U << (32 - prefix);

  for (uint64_t net = first; net + step <= end; net += step)
    {
      cleanup_free char *why = NULL;
      struct husk_subnet s = { .net = (uint32_t) net, .prefix = prefix };
      if (subnet_free (nets, &s, &why))
        {
          *out = s;
          return true;
        }
    }
  return false;
}

/* The first free subnet from containers.conf's default_subnet_pools, in
   their order ("BASE:SIZE", checked at load); without pools, the first
   free one of the given size from 10.89.0.0 on (Podman's default pools
   cover that range).  */
static int
next_subnet (json_t *nets, char *const *pools, unsigned prefix, struct husk_subnet *out,
             husk_error_t *err)
{
  for (size_t i = 0; pools && pools[i]; i++)
    {
      cleanup_free char *base = husk_xstrdup (pools[i]);
      char *colon = strrchr (base, ':');
      struct husk_subnet b;
      if (colon == NULL)
        continue;
      *colon = '\0';
      if (husk_subnet_parse (base, &b, err) < 0)
        return husk_error_wrap (err, "containers.conf default_subnet_pools");
      if (free_in (nets, b.net, (uint64_t) b.net + (1ULL << (32 - b.prefix)), atoi (colon + 1),
                   out))
        return 0;
    }
  if (pools && pools[0])
    return husk_error_makex (err, ENOSPC, "no free subnet left in containers.conf's "
                             "default_subnet_pools: give one with --subnet");
  if (free_in (nets, 0x0a590000U, 0x0b000000U, prefix, out))
    return 0;
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
  json_t *net = json_pack ("{s:s, s:s, s:s, s:s, s:s, s:[o], s:b, s:b, s:b, s:o, s:o, s:{s:s}}",
                           "name", name, "id", id, "driver", "bridge", "network_interface",
                           iface, "created", created, "subnets", sub, "ipv6_enabled", 0,
                           "internal", q && q->internal, "dns_enabled", q && !q->disable_dns,
                           "labels", q && q->labels ? json_deep_copy (q->labels) : json_object (),
                           "options", opts, "ipam_options", "driver", "host-local");

  /* Podman's key, absent without --dns.  */
  if (q && json_array_size (q->dns_servers))
    json_object_set_new (net, "network_dns_servers", json_deep_copy (q->dns_servers));
  return net;
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

/* A new default network: containers.conf's subnet unless another
   network or the host has it (a Podman with CNI holds 10.88.0.0/16).  */
static json_t *
make_default (const char *default_subnet, json_t *nets, husk_error_t *err)
{
  struct husk_subnet s;
  cleanup_free char *why = NULL;
  json_t *n;

  if (husk_subnet_parse (default_subnet && *default_subnet ? default_subnet : "10.88.0.0/16",
                         &s, err) < 0)
    return husk_error_wrap (err, "containers.conf default_subnet"), NULL;
  if (!subnet_free (nets, &s, &why) && next_subnet (nets, NULL, 16, &s, err) < 0)
    return NULL;
  n = network_json (HUSK_NET_DEFAULT, "husk0", &s, s.net + 1, NULL);
  json_object_set_new (n, "dns_enabled", json_false ());
  return n;
}

static json_t *
db_default (sqlite3 *db, husk_error_t *err)
{
  cleanup_stmt_net sqlite3_stmt *s = netdb_prepare (
      db, "SELECT config FROM bridges WHERE config_dir = '' AND network = 'husk'", err);

  if (s == NULL)
    return NULL;
  if (sqlite3_step (s) != SQLITE_ROW)
    return json_null ();
  return json_loads ((const char *) sqlite3_column_text (s, 0), 0, NULL) ?: json_null ();
}

/* In the host-wide transaction: the default network, recorded on first
   use; taken_nets (the directory's, freed here) are what it must not
   overlap.  */
static json_t *
ensure_default (sqlite3 *db, const struct husk_netenv *v, json_t *taken_nets, husk_error_t *err)
{
  cleanup_json json_t *nets = taken_nets;
  json_t *n = db_default (db, err);

  if (n == NULL || !json_is_null (n))
    return n;
  if (add_db_bridges (db, v->config_dir, nets, err) < 0
      || (n = make_default (v->default_subnet, nets, err)) == NULL)
    return NULL;
  if (record_bridge (db, n, NULL, err) < 0)
    {
      json_decref (n);
      return NULL;
    }
  return n;
}

/* The default network as recorded, without the host-wide lock: every
   command on a bridge network asks, and all but the first find it.
   Return: it, JSON null when it is not recorded yet, or NULL.  */
static json_t *
recorded_default (husk_error_t *err)
{
  sqlite3 *db = netdb_read (err);
  json_t *def = db ? db_default (db, err) : NULL;

  netdb_end (db, false, NULL);
  return def;
}

/* The networks: the default one first, then the directory's by name.  */
static json_t *
all_networks (const struct husk_netenv *v, husk_error_t *err)
{
  json_t *nets = read_dir (v->config_dir), *def = recorded_default (err);
  sqlite3 *db = NULL;
  size_t i;
  json_t *n;

  if (def && !json_is_null (def))
    ;
  else if (def == NULL || (db = netdb_begin (err)) == NULL)
    def = NULL;
  else if ((def = ensure_default (db, v, json_deep_copy (nets), err)) == NULL
           || netdb_end (steal_ptr (&db), true, err) < 0)
    json_decref (steal_ptr (&def));
  netdb_end (db, false, NULL);
  if (def == NULL)
    {
      json_decref (nets);
      return NULL;
    }
  /* A file named like the default network is not another one.  */
  json_array_foreach (nets, i, n)
    if (husk_network_is_default (json_string_value (json_object_get (n, "name"))))
      {
        json_array_remove (nets, i);
        break;
      }
  json_array_insert_new (nets, 0, def);
  return nets;
}

json_t *
husk_network_list (const struct husk_netenv *v, husk_error_t *err)
{
  return all_networks (v, err);
}

json_t *
husk_network_get (const struct husk_netenv *v, const char *ref, husk_error_t *err)
{
  cleanup_json json_t *nets = all_networks (v, err);
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

int
net_check_mtu (const char *s, husk_error_t *err)
{
  char *end;
  long mtu = strtol (s, &end, 10);

  if (*s == '\0' || *end || mtu < 68 || mtu > 65535)
    return husk_error_makex (err, EINVAL, "invalid mtu \"%s\": want 68 to 65535", s);
  return 0;
}

/* The options a bridge network takes: mtu, isolate and vlan.  */
static int
check_options (json_t *opts, husk_error_t *err)
{
  const char *k;
  json_t *v;

  json_object_foreach (opts, k, v)
    {
      const char *s = json_string_value (v) ?: "";
      char *end;
      if (strcmp (k, "isolate") == 0)
        {
          if (strcmp (s, "true") && strcmp (s, "false") && strcmp (s, "strict"))
            return husk_error_makex (err, EINVAL, "invalid isolate option \"%s\": want true, "
                                     "false or strict", s);
          continue;
        }
      if (strcmp (k, "vlan") == 0)
        {
          /* 0 and 4095 are reserved by 802.1Q.  */
          long vid = strtol (s, &end, 10);
          if (*s < '0' || *s > '9' || *end || vid < 1 || vid > 4094)
            return husk_error_makex (err, EINVAL, "invalid vlan \"%s\": want 1 to 4094", s);
          continue;
        }
      if (strcmp (k, "mtu") != 0)
        return husk_error_makex (err, ENOTSUP, "unsupported bridge network option %s: "
                                 "mtu=, isolate= and vlan= are supported", k);
      if (net_check_mtu (s, err) < 0)
        return -1;
    }
  return 0;
}

/* Each of servers an IPv4 or IPv6 address.  */
static int
check_dns_servers (json_t *servers, husk_error_t *err)
{
  unsigned char buf[sizeof (struct in6_addr)];
  size_t i;
  json_t *v;

  json_array_foreach (servers, i, v)
    {
      const char *s = json_string_value (v) ?: "";
      if (inet_pton (AF_INET, s, buf) != 1 && inet_pton (AF_INET6, s, buf) != 1)
        return husk_error_makex (err, EINVAL, "%s is not an ip address", s);
    }
  return 0;
}

/* The subnet, gateway and range of a request, checked against the rest.  */
static int
plan_subnet (json_t *nets, char *const *pools, const struct husk_network_request *q,
             struct husk_subnet *s, uint32_t *gw, husk_error_t *err)
{
  cleanup_free char *why = NULL;
  struct husk_subnet r;
  uint32_t last;

  if (q->subnet == NULL)
    {
      if (q->gateway || q->ip_range)
        return husk_error_makex (err, EINVAL, "%s needs --subnet", q->gateway ? "--gateway"
                                                                              : "--ip-range");
      if (next_subnet (nets, pools, 24, s, err) < 0)
        return -1;
    }
  else if (husk_subnet_parse (q->subnet, s, err) < 0)
    return -1;
  /* A macvlan network's subnet is its parent's LAN, the host's own
     often: Podman checks no overlap for it.  */
  else if ((q->driver == NULL || strcmp (q->driver, "bridge") == 0)
           && !subnet_free (nets, s, &why))
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

/* In the host-wide transaction: plan the network against the
   directory's, the default and every bridge of the host-wide database,
   write its file, record its bridge.  parent: of a macvlan or ipvlan
   network ("" for the default route's), with its options; NULL for a
   bridge.  */
static int
create_in (sqlite3 *db, const struct husk_netenv *v, const struct husk_network_request *q,
           const char *parent, json_t *options, json_t **out, husk_error_t *err)
{
  cleanup_json json_t *nets = read_dir (v->config_dir);
  cleanup_free char *name = NULL, *iface = NULL;
  cleanup_json json_t *sub6 = NULL;
  struct husk_subnet s;
  uint32_t gw;
  bool several;
  json_t *had, *def;

  if ((def = ensure_default (db, v, json_deep_copy (nets), err)) == NULL)
    return -1;
  json_array_append_new (nets, def);
  if (add_db_bridges (db, v->config_dir, nets, err) < 0)
    return -1;
  if (q->name == NULL)
    for (unsigned k = 1; name == NULL || find (nets, name, &several); k++)
      free (name), name = husk_asprintf ("husk%u", k);
  else
    name = husk_xstrdup (husk_network_is_default (q->name) ? HUSK_NET_DEFAULT : q->name);
  if ((had = find (nets, name, &several))
      && strcmp (json_string_value (json_object_get (had, "name")), name) == 0
      && *json_string_value (json_object_get (had, "id")))
    {
      if (!q->ignore)
        return husk_error_makex (err, EEXIST, "network name %s already used: network "
                                 "already exists", q->name);
      *out = json_incref (had);
      return 0;
    }
  if (plan_subnet (nets, v->subnet_pools, q, &s, &gw, err) < 0
      || husk_net6_plan (nets, q, &sub6, err) < 0)
    return -1;
  if (parent && sub6)
    return husk_error_makex (err, ENOTSUP, "IPv6 on a %s network is not supported: only "
                             "bridge networks have IPv6 for now", q->driver);
  if (parent)
    {
      /* --internal without --gateway: none (Podman's).  */
      bool has_gw = !q->internal || q->gateway;
      *out = network_json (name, "", &s, gw, q);
      husk_macvlan_json (*out, q->driver, *parent ? parent : NULL, options, has_gw);
    }
  else
    {
      iface = q->interface ? husk_xstrdup (q->interface) : next_interface (nets);
      if (check_interface (nets, iface, err) < 0)
        return -1;
      *out = network_json (name, iface, &s, gw, q);
      if (sub6)
        {
          json_array_append (json_object_get (*out, "subnets"), sub6);
          json_object_set_new (*out, "ipv6_enabled", json_true ());
        }
    }
  if (record_bridge (db, *out, v->config_dir, err) < 0 || write_def (v->config_dir, *out, err) < 0)
    {
      json_decref (*out);
      *out = NULL;
      return -1;
    }
  return 0;
}

int
husk_network_create (const struct husk_netenv *v, const struct husk_network_request *q,
                     json_t **out, husk_error_t *err)
{
  cleanup_free char *parent = NULL;
  cleanup_json json_t *options = NULL;
  bool bridge = q->driver == NULL || strcmp (q->driver, "bridge") == 0;
  sqlite3 *db;

  *out = NULL;
  if (q->name && !valid_name (q->name))
    return husk_error_makex (err, EINVAL, "network name \"%s\" invalid: names must match "
                             "[a-zA-Z0-9][a-zA-Z0-9_.-]*", q->name);
  if (!bridge && husk_macvlan_check (q, v->rootless, &parent, &options, err) < 0)
    return -1;
  if (!bridge && parent == NULL)
    parent = husk_xstrdup ("");
  if ((bridge && check_options (q->options, err) < 0) || check_dns_servers (q->dns_servers, err) < 0)
    return -1;
  if (q->disable_dns && json_array_size (q->dns_servers))
    return husk_error_makex (err, EINVAL, "cannot set NetworkDNSServers if DNS is not enabled "
                             "for the network: invalid argument");
  if ((db = netdb_begin (err)) == NULL)
    return -1;
  if (create_in (db, v, q, parent, options, out, err) < 0)
    return netdb_end (db, false, NULL), -1;
  if (netdb_end (db, true, err) == 0)
    return 0;
  json_decref (*out);
  *out = NULL;
  return -1;
}

/* servers without drop, then add's that are not there yet.  */
static json_t *
changed_servers (json_t *servers, json_t *add, json_t *drop)
{
  json_t *out = json_array (), *v, *w;
  size_t i, j;

  json_array_foreach (servers, i, v)
    {
      bool gone = false;
      json_array_foreach (drop, j, w)
        gone = gone || json_equal (v, w);
      if (!gone)
        json_array_append (out, v);
    }
  json_array_foreach (add, i, v)
    {
      bool there = false;
      json_array_foreach (out, j, w)
        there = there || json_equal (v, w);
      if (!there)
        json_array_append (out, v);
    }
  return out;
}

/* In the host-wide transaction: the file read again, changed, replaced.  */
static int
update_in (const struct husk_netenv *v, const char *name, json_t *add, json_t *drop,
           json_t **out, husk_error_t *err)
{
  cleanup_free char *path = def_path (v->config_dir, name);
  cleanup_json json_t *net = json_load_file (path, 0, NULL);
  json_t *servers;

  if (!json_is_object (net))
    return husk_error_makex (err, ENOENT, "unable to find network with name or ID %s: "
                             "network not found", name);
  if (!json_is_true (json_object_get (net, "dns_enabled")))
    return husk_error_makex (err, EINVAL, "network %s has DNS disabled: its DNS servers "
                             "cannot be changed", name);
  servers = changed_servers (json_object_get (net, "network_dns_servers"), add, drop);
  if (json_array_size (servers))
    json_object_set_new (net, "network_dns_servers", servers);
  else
    {
      json_decref (servers);
      json_object_del (net, "network_dns_servers");
    }
  if (write_def (v->config_dir, net, err) < 0)
    return -1;
  *out = json_incref (net);
  return 0;
}

int
husk_network_update_dns (const struct husk_netenv *v, const char *ref, json_t *add,
                         json_t *drop, json_t **out, husk_error_t *err)
{
  cleanup_json json_t *net = husk_network_get (v, ref, err);
  const char *name = net ? json_string_value (json_object_get (net, "name")) : NULL;
  sqlite3 *db;

  *out = NULL;
  if (net == NULL)
    return -1;
  if (check_dns_servers (add, err) < 0 || check_dns_servers (drop, err) < 0)
    return -1;
  if (husk_network_is_default (name))
    return husk_error_makex (err, EPERM, "default network %s cannot be updated: it has DNS "
                             "disabled", name);
  if ((db = netdb_begin (err)) == NULL)
    return -1;
  if (update_in (v, name, add, drop, out, err) < 0)
    return netdb_end (db, false, NULL), -1;
  netdb_end (db, false, NULL);
  /* Containers already running ask aardvark-dns, which forwards there.  */
  return husk_dns_set_servers (name, json_object_get (*out, "network_dns_servers"), err);
}

/* What the network's leases are filed under (husk_network_lease_key),
   valid until the next call: every caller uses it at once.  */
const char *
net_lease_bridge (json_t *net)
{
  static char *key;

  free (key);
  key = husk_network_lease_key (net);
  return key;
}

char **
husk_network_users (const struct husk_netenv *v, json_t *net, size_t *elsewhere,
                    husk_error_t *err)
{
  sqlite3 *db = netdb_read (err);
  cleanup_json json_t *leases = db ? netdb_leases (db, net_lease_bridge (net), err) : NULL;
  char **out;
  const char *ip;
  json_t *l;

  netdb_end (db, false, NULL);
  *elsewhere = 0;
  if (leases == NULL)
    return NULL;
  out = husk_xzalloc (sizeof *out);
  json_object_foreach (leases, ip, l)
    if (husk_is_ip6 (ip))
      continue; /* the same container's IPv4 lease counts it */
    else if (strcmp (json_string_value (json_object_get (l, "store")), v->store) == 0)
      husk_strv_append (&out, json_string_value (json_object_get (l, "id")));
    else
      (*elsewhere)++;
  return out;
}

int
husk_network_remove (const struct husk_netenv *v, json_t *net, husk_error_t *err)
{
  const char *name = json_string_value (json_object_get (net, "name"));
  cleanup_free char *path = def_path (v->config_dir, name);
  cleanup_json json_t *leases = NULL;
  const char *args[] = { net_lease_bridge (net), NULL };
  sqlite3 *db;

  if (husk_network_is_default (name))
    return husk_error_makex (err, EPERM, "default network %s cannot be removed", name);
  if ((db = netdb_begin (err)) == NULL)
    return -1;
  if ((leases = netdb_leases (db, args[0], err)) == NULL)
    return netdb_end (db, false, NULL), -1;
  if (json_object_size (leases))
    {
      netdb_end (db, false, NULL);
      return husk_error_makex (err, EBUSY, "\"%s\" has associated containers with it. "
                               "Use -f to forcibly delete containers: network is being used",
                               name);
    }
  if (unlink (path) < 0 && errno != ENOENT)
    {
      netdb_end (db, false, NULL);
      return husk_error_make (err, errno, "remove network %s: '%s'", name, path);
    }
  if (netdb_exec (db, "DELETE FROM leases WHERE bridge = ?1", args, err) < 0
      || netdb_exec (db, "DELETE FROM bridges WHERE bridge = ?1", args, err) < 0)
    return netdb_end (db, false, NULL), -1;
  return netdb_end (db, true, err);
}

/* ---- addresses ------------------------------------------------------------ */

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

/* The JSON leases as choose() wants them: "ip": container.  An address
   whose claim on the bridge is live counts as used too: a container
   whose store was deleted under it keeps running, and its lease went
   with the store (netdb_forget_stale).  */
static json_t *
used_of (json_t *leases, const char *bridge, const char *cid)
{
  json_t *used = json_object (), *l;
  cleanup_json json_t *claims = husk_net_claims (bridge);
  const char *ip;

  json_object_foreach (leases, ip, l)
    json_object_set (used, ip, json_object_get (l, "id"));
  json_object_foreach (claims, ip, l)
    if (json_object_get (used, ip) == NULL && strcmp (json_string_value (l), cid) != 0)
      json_object_set (used, ip, l);
  return used;
}

static char *
alloc_in (sqlite3 *db, const struct husk_netenv *v, json_t *net, const char *cid,
          const char *want, husk_error_t *err)
{
  cleanup_json json_t *leases = netdb_leases (db, net_lease_bridge (net), err);
  cleanup_json json_t *used = leases ? used_of (leases, net_lease_bridge (net), cid) : NULL;
  cleanup_free char *ip = NULL;
  const char *name = json_string_value (json_object_get (net, "name"));

  if (used == NULL || (ip = choose (net, used, want, err)) == NULL)
    return NULL;
  if (netdb_lease_add (db, net_lease_bridge (net), ip, name, cid, v->store, err) < 0)
    return NULL;
  return steal_ptr (&ip);
}

char *
husk_ipam_alloc (const struct husk_netenv *v, json_t *net, const char *container_id,
                 const char *want, husk_error_t *err)
{
  sqlite3 *db = netdb_begin (err);
  char *ip;

  if (db == NULL)
    return NULL;
  ip = alloc_in (db, v, net, container_id, want, err);
  if (netdb_end (db, ip != NULL, ip ? err : NULL) < 0)
    {
      free (ip);
      return NULL;
    }
  return ip;
}

/* Whether ip is container_id's lease already, as it is at every start
   but the first after network disconnect and connect: looked at without
   the host-wide lock.  */
static bool
leased_to (json_t *net, const char *container_id, const char *ip)
{
  sqlite3 *db = netdb_read (NULL);
  cleanup_json json_t *leases = db ? netdb_leases (db, net_lease_bridge (net), NULL) : NULL;
  json_t *l = leases ? json_object_get (leases, ip) : NULL;

  netdb_end (db, false, NULL);
  return l && strcmp (json_string_value (json_object_get (l, "id")) ?: "", container_id) == 0;
}

int
husk_ipam_claim (const struct husk_netenv *v, json_t *net, const char *container_id,
                 const char *ip, husk_error_t *err)
{
  if (leased_to (net, container_id, ip))
    return 0;
  sqlite3 *db = netdb_begin (err);
  cleanup_json json_t *leases = db ? netdb_leases (db, net_lease_bridge (net), err) : NULL;
  json_t *l = leases ? json_object_get (leases, ip) : NULL;
  cleanup_free char *got = NULL;

  if (leases == NULL)
    return netdb_end (db, false, NULL), -1;
  if (l && strcmp (json_string_value (json_object_get (l, "id")), container_id) == 0)
    return netdb_end (db, false, NULL), 0;
  if ((got = alloc_in (db, v, net, container_id, ip, err)) == NULL)
    return netdb_end (db, false, NULL), -1;
  return netdb_end (db, true, err);
}

void
husk_ipam_release (const struct husk_netenv *v, const char *container_id)
{
  const char *args[] = { container_id, v->store, NULL };
  husk_error_t err = NULL;
  sqlite3 *db;

  if ((db = netdb_begin (&err)) == NULL)
    {
      if (err)
        husk_error_drop (&err, "release the addresses of %.12s", container_id);
      return;
    }
  if (netdb_exec (db, "DELETE FROM leases WHERE container_id = ?1 AND store = ?2", args,
                  &err) < 0)
    husk_error_drop (&err, "release the addresses of %.12s", container_id);
  netdb_forget_stale (db);
  if (netdb_end (db, true, &err) < 0)
    husk_error_drop (&err, "release the addresses of %.12s", container_id);
}

void
husk_ipam_release_store (const struct husk_netenv *v)
{
  const char *args[] = { v->store, NULL };
  husk_error_t err = NULL;
  sqlite3 *db;

  if ((db = netdb_begin (&err)) == NULL)
    {
      if (err)
        husk_error_drop (&err, "release the addresses of store %s", v->store);
      return;
    }
  if (netdb_exec (db, "DELETE FROM leases WHERE store = ?1", args, &err) < 0)
    husk_error_drop (&err, "release the addresses of store %s", v->store);
  if (netdb_end (db, true, &err) < 0)
    husk_error_drop (&err, "release the addresses of store %s", v->store);
}
