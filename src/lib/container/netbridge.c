/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A container on a bridge network: named at create, its address
   allocated, attached at start (netbridge.h).  */
#include "container/netbridge.h"
#include "container/lifecycle.h"
#include "config/config.h"
#include "network/bridge.h"
#include "network/network.h"
#include "util/cleanup.h"
#include "util/strutil.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct husk_netenv
husk_container_netenv (struct husk_engine *e)
{
  return (struct husk_netenv){ .config_dir = e->network_config_dir,
                               .default_subnet = e->config->default_subnet,
                               .store = e->state ? husk_state_path (e->state) : "",
                               .rootless = e->rootless };
}

static bool
on_bridge (json_t *c)
{
  const char *net = json_string_value (json_object_get (json_object_get (c, "namespaces"),
                                                        "network"));

  return net && strcmp (net, "bridge") == 0;
}

/* Rootless, published ports go through husk's forwarder (network/
   forward.c), which carries tcp and udp.  */
static int
rootless_udp (json_t *ports, husk_error_t *err)
{
  size_t i;
  json_t *p;

  json_array_foreach (ports, i, p)
    {
      const char *proto = json_string_value (json_object_get (p, "protocol")) ?: "tcp";
      if (strcmp (proto, "tcp") != 0 && strcmp (proto, "udp") != 0)
        return husk_error_makex (err, ENOTSUP, "publishing %s ports of a rootless container on "
                                 "a bridge network is not supported: only tcp and udp (use "
                                 "--network pasta for %s)", proto, proto);
    }
  return 0;
}

/* The scalar fields of a record of an older husk, on one network.  */
static json_t *
old_shape (json_t *c)
{
  static const char *const keys[][2] = {
    { "network_name", "name" },       { "network_ip", "ip" },     { "network_mac", "mac" },
    { "network_gateway", "gateway" }, { "network_prefix", "prefix" },
    { "network_bridge", "bridge" },   { "network_id", "id" },     { "network_dns", "dns" },
    { "network_aliases", "aliases" }, { NULL, NULL },
  };
  json_t *n = json_object (), *list = json_array ();

  for (size_t i = 0; keys[i][0]; i++)
    {
      json_t *v = json_object_get (c, keys[i][0]);
      if (v)
        json_object_set (n, keys[i][1], v);
    }
  json_object_set_new (n, "interface", json_string ("eth0"));
  json_object_set_new (n, "slot", json_integer (0));
  if (json_object_get (n, "name"))
    json_array_append (list, n);
  json_decref (n);
  for (size_t i = 0; keys[i][0]; i++)
    json_object_del (c, keys[i][0]);
  return list;
}

json_t *
husk_container_networks (json_t *c)
{
  json_t *list = json_object_get (c, "networks");

  if (list || !on_bridge (c))
    return list;
  json_object_set_new (c, "networks", old_shape (c));
  return json_object_get (c, "networks");
}

/* Whether the network n (one of the configuration's) comes earlier in
   the list under the same name.  */
static bool
named_before (json_t *list, size_t at, const char *name)
{
  for (size_t i = 0; i < at; i++)
    if (strcmp (json_string_value (json_object_get (json_array_get (list, i), "name")) ?: "",
                name) == 0)
      return true;
  return false;
}

static bool
slot_used (json_t *list, int slot)
{
  size_t i;
  json_t *n;

  json_array_foreach (list, i, n)
    if (json_object_get (n, "slot") && json_integer_value (json_object_get (n, "slot")) == slot)
      return true;
  return false;
}

/* An interface name the kernel takes and a shell reads plainly.  */
static bool
interface_valid (const char *name)
{
  size_t n = strlen (name);

  return n > 0 && n < 16 && strspn (name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                          "0123456789_-.") == n
         && strcmp (name, ".") && strcmp (name, "..") && strcmp (name, "lo");
}

/* Each network without one gets the lowest free slot, and ethSLOT unless
   interface_name= named its interface.  */
static int
plan_slots (json_t *list, husk_error_t *err)
{
  size_t i;
  json_t *n;

  json_array_foreach (list, i, n)
    {
      int slot = 0;
      const char *ifname;
      if (json_object_get (n, "slot"))
        continue;
      while (slot_used (list, slot))
        slot++;
      if (slot >= HUSK_BRIDGE_MAX_NETWORKS)
        return husk_error_makex (err, ENOSPC, "a container can be on at most %d networks",
                                 HUSK_BRIDGE_MAX_NETWORKS);
      json_object_set_new (n, "slot", json_integer (slot));
      if (json_object_get (n, "interface") == NULL)
        json_object_set_new (n, "interface", json_sprintf ("eth%d", slot));
      ifname = json_string_value (json_object_get (n, "interface"));
      if (!interface_valid (ifname))
        return husk_error_makex (err, EINVAL, "invalid interface_name \"%s\": at most 15 "
                                 "letters, digits, '_', '-' and '.'", ifname);
      for (size_t k = 0; k < i; k++)
        if (strcmp (json_string_value (json_object_get (json_array_get (list, k), "interface")),
                    ifname) == 0)
          return husk_error_makex (err, EEXIST, "interface name %s is used twice", ifname);
    }
  return 0;
}

/* A macvlan or ipvlan network takes no published ports (they are for
   the first network: the container's address is on the parent's LAN,
   reached directly) and needs the host's interfaces.  */
static int
check_macvlan (struct husk_netenv *v, json_t *net, size_t i, json_t *ports, husk_error_t *err)
{
  const char *name = json_string_value (json_object_get (net, "name"));
  const char *driver = json_string_value (json_object_get (net, "driver"));

  if (v->rootless)
    return husk_error_makex (err, EPERM, "network %s: %s networks are not supported rootless: "
                             "rootless networking has no access to the host's interfaces",
                             name, driver);
  if (i == 0 && json_array_size (ports))
    return husk_error_makex (err, ENOTSUP, "cannot publish ports on %s network %s: port "
                             "forwarding is not supported on %s networks (the container's "
                             "address is reached directly)", driver, name, driver);
  return 0;
}

/* One network of the configuration: named by its own name, its MAC
   checked.  */
static int
plan_one (struct husk_netenv *v, json_t *list, size_t i, json_t *ports, husk_error_t *err)
{
  json_t *n = json_array_get (list, i);
  const char *mac = json_string_value (json_object_get (n, "mac"));
  cleanup_json json_t *net = husk_network_get (v, json_string_value (json_object_get (n, "name")),
                                               err);

  if (net == NULL || (!husk_network_is_bridge (net) && check_macvlan (v, net, i, ports, err) < 0))
    return -1;
  if (mac && !husk_mac_valid (mac))
    return husk_error_makex (err, EINVAL, "invalid MAC address \"%s\": want six hex bytes "
                             "\"xx:xx:xx:xx:xx:xx\", not a multicast one", mac);
  json_object_set (n, "name", json_object_get (net, "name"));
  if (named_before (list, i, json_string_value (json_object_get (net, "name"))))
    return husk_error_makex (err, EEXIST, "network %s is given twice",
                             json_string_value (json_object_get (net, "name")));
  return 0;
}

int
husk_container_bridge_plan (struct husk_engine *e, json_t *c, husk_error_t *err)
{
  json_t *list;

  if (!on_bridge (c))
    return 0;
  if (e->rootless && rootless_udp (json_object_get (c, "ports"), err) < 0)
    return -1;
  struct husk_netenv v = husk_container_netenv (e);

  list = husk_container_networks (c);
  for (size_t i = 0; i < json_array_size (list); i++)
    if (plan_one (&v, list, i, json_object_get (c, "ports"), err) < 0)
      return -1;
  return plan_slots (list, err);
}

/* A lease on the network for n: its address, and what /etc/hosts,
   resolv.conf and inspect show without the network at hand.  */
static int
alloc_one (struct husk_netenv *v, const char *id, json_t *n, husk_error_t *err)
{
  cleanup_json json_t *net = husk_network_get (v, json_string_value (json_object_get (n, "name")),
                                               err);
  cleanup_free char *ip = NULL, *key = net ? husk_network_lease_key (net) : NULL;
  json_t *sub;
  const char *subnet, *slash;

  if (net == NULL)
    return -1;
  ip = husk_ipam_alloc (v, net, id, json_string_value (json_object_get (n, "ip")), err);
  if (ip == NULL || husk_container_alloc6 (v, id, net, n, err) < 0)
    return -1;
  sub = json_array_get (json_object_get (net, "subnets"), 0);
  subnet = json_string_value (json_object_get (sub, "subnet"));
  slash = subnet ? strchr (subnet, '/') : NULL;
  json_object_set_new (n, "ip", json_string (ip));
  json_object_set (n, "gateway", json_object_get (sub, "gateway"));
  json_object_set_new (n, "prefix", json_integer (slash ? atoi (slash + 1) : 0));
  /* What the leases go by: a macvlan network's parent is no key.  */
  json_object_set_new (n, "bridge", json_string (key));
  json_object_set (n, "id", json_object_get (net, "id"));
  /* resolv.conf names the gateway, where aardvark-dns answers.  */
  json_object_set_new (n, "dns", json_boolean (json_is_true (json_object_get (net, "dns_enabled"))));
  if (json_object_get (n, "mac") == NULL)
    {
      cleanup_free char *mac = husk_mac_random ();
      json_object_set_new (n, "mac", json_string (mac));
    }
  return 0;
}

/* The leases of the networks in list return but those of the container's
   other networks, taken again (the database has no release of one
   network's lease): a connect that failed, a disconnect.  */
static void
release_but (struct husk_engine *e, const char *id, json_t *list)
{
  struct husk_netenv v = husk_container_netenv (e);
  size_t i;
  json_t *n;

  husk_ipam_release (&v, id);
  json_array_foreach (list, i, n)
    {
      husk_error_t err = NULL;
      cleanup_json json_t *net = husk_network_get (
          &v, json_string_value (json_object_get (n, "name")), &err);
      if (net == NULL
          || husk_ipam_claim (&v, net, id, json_string_value (json_object_get (n, "ip")), &err) < 0
          || husk_ipam_claim6 (&v, net, id, json_string_value (json_object_get (n, "ip6")), &err) < 0)
        husk_error_drop (&err, "keep the address of %.12s on network %s", id,
                         json_string_value (json_object_get (n, "name")));
    }
}

int
husk_container_bridge_alloc (struct husk_engine *e, struct husk_container_rec *r, json_t *c,
                             char **text, husk_error_t *err)
{
  struct husk_netenv v = husk_container_netenv (e);
  size_t i;
  json_t *n;

  if (!on_bridge (c))
    return 0;
  /* Those without a bridge have no lease yet (all at create, the new
     one at connect).  */
  json_array_foreach (husk_container_networks (c), i, n)
    if (json_object_get (n, "bridge") == NULL && alloc_one (&v, r->id, n, err) < 0)
      return -1;
  /* The caller's text is r->config: replaced together.  */
  free (*text);
  *text = r->config = json_dumps (c, JSON_COMPACT);
  return husk_state_container_save (e->state, r, err);
}

/* Connect the container's network n (its slot's interface) in the
   namespace at netns: made with the first network, joined after
   (join).  The first network takes the published ports.  */
static int
attach_one (struct husk_engine *e, json_t *c, json_t *n, bool first, const char *dir,
            const char *netns, bool join, husk_error_t *err)
{
  struct husk_netenv v = husk_container_netenv (e);
  cleanup_json json_t *net = husk_network_get (
      &v, json_string_value (json_object_get (n, "name")), err);
  int slot = json_integer_value (json_object_get (n, "slot"));
  struct husk_bridge_attach a = {
    .network = net,
    .ip = json_string_value (json_object_get (n, "ip")),
    .ip6 = json_string_value (json_object_get (n, "ip6")),
    .mac = json_string_value (json_object_get (n, "mac")),
    .ports = first ? json_object_get (c, "ports") : NULL,
    .dir = dir,
    .netns = netns,
    .id = json_string_value (json_object_get (c, "id")),
    .interface = json_string_value (json_object_get (n, "interface")) ?: "eth0",
    .slot = slot,
    /* The first network's default route wins (Podman's metrics).  */
    .metric = 100 + slot,
  };
  cleanup_strv char **names = husk_xzalloc (sizeof *names);
  cleanup_free char *exe = NULL, *pasta = NULL;

  if (net == NULL)
    return -1;
  /* The rootless network namespace reaches the host through pasta.  */
  if (e->rootless
      && (a.pasta_exe = pasta = husk_net_find_exe (&husk_net_pasta, e->config->helper_binaries_dir,
                                                   NULL, err)) == NULL)
    return -1;
  if (a.ip == NULL || a.mac == NULL)
    return husk_error_makex (err, EINVAL, "the container has no address on network %s",
                             json_string_value (json_object_get (net, "name")));
  if (husk_ipam_claim (&v, net, a.id, a.ip, err) < 0
      || husk_ipam_claim6 (&v, net, a.id, a.ip6, err) < 0)
    return -1;
  if (json_is_true (json_object_get (net, "dns_enabled")))
    {
      /* Its name and aliases resolve on the network (aardvark-dns).  */
      size_t i;
      json_t *alias;
      husk_strv_append (&names, json_string_value (json_object_get (c, "name")));
      json_array_foreach (json_object_get (n, "aliases"), i, alias)
        husk_strv_append (&names, json_string_value (alias));
      if ((exe = husk_dns_find_exe (e->config->helper_binaries_dir, err)) == NULL)
        return -1;
      a.dns_names = names;
      a.dns_exe = exe;
    }
  return join ? husk_bridge_join (&a, err) : husk_bridge_attach (&a, err);
}

int
husk_container_bridge_attach (struct husk_engine *e, json_t *c, const char *dir,
                              const char *netns, husk_error_t *err)
{
  json_t *list = husk_container_networks (c);

  /* Disconnected from its networks (network disconnect): a namespace
     with lo only, which network connect can join to one.  */
  if (json_array_size (list) == 0)
    return husk_bridge_netns_only (dir, netns, err);
  for (size_t i = 0; i < json_array_size (list); i++)
    if (attach_one (e, c, json_array_get (list, i), i == 0, dir, netns, i > 0, err) < 0)
      {
        husk_net_teardown (dir);
        return -1;
      }
  return 0;
}

/* Save c as r's configuration and write its /etc/hosts and resolv.conf
   again.  */
static int
save_config (struct husk_engine *e, struct husk_container_rec *r, json_t *c, husk_error_t *err)
{
  cleanup_free char *dir = husk_container_bundle_dir (e, r->id);

  free (r->config);
  r->config = json_dumps (c, JSON_COMPACT);
  if (husk_state_container_save (e->state, r, err) < 0)
    return -1;
  return husk_container_rewrite_net_files (dir, c, err);
}

/* Where the network named name is in list, or -1.  */
static int
find_network (json_t *list, const char *name)
{
  size_t i;
  json_t *n;

  json_array_foreach (list, i, n)
    if (strcmp (json_string_value (json_object_get (n, "name")) ?: "", name) == 0)
      return (int) i;
  return -1;
}

int
husk_container_bridge_disconnect (struct husk_engine *e, struct husk_container_rec *r,
                                  const char *ref, bool running, husk_error_t *err)
{
  struct husk_netenv v = husk_container_netenv (e);
  cleanup_json json_t *c = json_loads (r->config, 0, NULL);
  cleanup_json json_t *net = husk_network_get (&v, ref, err);
  json_t *list = c ? husk_container_networks (c) : NULL;
  int at;

  if (net == NULL)
    return -1;
  at = find_network (list, json_string_value (json_object_get (net, "name")));
  if (!on_bridge (c) || at < 0)
    return husk_error_makex (err, ENOENT, "container %s is not connected to network %s",
                             r->name, ref);
  if (running)
    {
      cleanup_free char *dir = husk_net_dir (e->runroot, r->id);
      json_t *n = json_array_get (list, at);
      husk_bridge_leave (dir, json_integer_value (json_object_get (n, "slot")),
                         at == 0 && json_array_size (json_object_get (c, "ports")) > 0);
    }
  json_array_remove (list, at);
  release_but (e, r->id, list);
  return save_config (e, r, c, err);
}

int
husk_container_bridge_connect (struct husk_engine *e, struct husk_container_rec *r,
                               const struct husk_bridge_connect *q, bool running,
                               husk_error_t *err)
{
  cleanup_json json_t *c = json_loads (r->config, 0, NULL);
  struct husk_netenv v = husk_container_netenv (e);
  cleanup_json json_t *want = NULL;
  json_t *list, *n;
  char *text;
  size_t at;

  if (c == NULL || !on_bridge (c))
    return husk_error_makex (err, EINVAL, "container %s is not in bridge network mode: "
                             "only containers on bridge networks can be connected", r->name);
  list = husk_container_networks (c);
  if ((want = husk_network_get (&v, q->network, err)) == NULL)
    return -1;
  if (find_network (list, json_string_value (json_object_get (want, "name"))) >= 0)
    return husk_error_makex (err, EEXIST, "container %s is already connected to network %s",
                             r->name, json_string_value (json_object_get (want, "name")));
  n = json_pack ("{s:O, s:o}", "name", json_object_get (want, "name"), "aliases",
                 json_deep_copy (q->aliases) ?: json_array ());
  if (q->ip)
    json_object_set_new (n, "ip", json_string (q->ip));
  if (q->mac)
    json_object_set_new (n, "mac", json_string (q->mac));
  if (q->ip6)
    json_object_set_new (n, "ip6", json_string (q->ip6));
  at = json_array_size (list);
  json_array_append_new (list, n);
  /* bridge_alloc frees the text it is given and makes r->config the new
     one: give it r->config itself, which stays r's on a failure.  */
  text = r->config;
  if (husk_container_bridge_plan (e, c, err) < 0
      || husk_container_bridge_alloc (e, r, c, &text, err) < 0)
    {
      json_array_remove (list, at);
      release_but (e, r->id, list);
      return -1;
    }
  if (save_config (e, r, c, err) < 0)
    return -1;
  if (running)
    {
      cleanup_free char *dir = husk_net_dir (e->runroot, r->id);
      cleanup_free char *netns = husk_asprintf ("%s/ns", dir);
      if (attach_one (e, c, n, at == 0, dir, netns, true, err) < 0)
        {
          json_array_remove (list, at);
          release_but (e, r->id, list);
          husk_error_t serr = NULL;
          if (save_config (e, r, c, &serr) < 0)
            husk_error_drop (&serr, "connect %s: roll back", r->name);
          return -1;
        }
    }
  return 0;
}

void
husk_container_bridge_release (struct husk_engine *e, json_t *c, const char *id)
{
  struct husk_netenv v = husk_container_netenv (e);

  if (c == NULL || on_bridge (c))
    husk_ipam_release (&v, id);
}
