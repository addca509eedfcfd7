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

int
husk_container_bridge_plan (struct husk_engine *e, json_t *c, husk_error_t *err)
{
  const char *mac = json_string_value (json_object_get (c, "network_mac"));
  cleanup_json json_t *net = NULL;

  if (!on_bridge (c))
    return 0;
  if (e->rootless && rootless_udp (json_object_get (c, "ports"), err) < 0)
    return -1;
  struct husk_netenv v = husk_container_netenv (e);

  net = husk_network_get (&v, json_string_value (json_object_get (c, "network_name")), err);
  if (net == NULL)
    return -1;
  if (mac && !husk_mac_valid (mac))
    return husk_error_makex (err, EINVAL, "invalid MAC address \"%s\": want six hex bytes "
                             "\"xx:xx:xx:xx:xx:xx\", not a multicast one", mac);
  json_object_set (c, "network_name", json_object_get (net, "name"));
  return 0;
}

int
husk_container_bridge_alloc (struct husk_engine *e, struct husk_container_rec *r, json_t *c,
                             char **text, husk_error_t *err)
{
  cleanup_json json_t *net = NULL;
  cleanup_free char *ip = NULL, *mac = NULL;

  if (!on_bridge (c))
    return 0;
  struct husk_netenv v = husk_container_netenv (e);

  net = husk_network_get (&v, json_string_value (json_object_get (c, "network_name")), err);
  if (net == NULL)
    return -1;
  ip = husk_ipam_alloc (&v, net, r->id,
                        json_string_value (json_object_get (c, "network_ip")), err);
  if (ip == NULL)
    return -1;
  json_object_set_new (c, "network_ip", json_string (ip));
  /* For /etc/hosts and inspect, which have no state at hand.  */
  {
    json_t *sub = json_array_get (json_object_get (net, "subnets"), 0);
    const char *subnet = json_string_value (json_object_get (sub, "subnet"));
    const char *slash = subnet ? strchr (subnet, '/') : NULL;
    json_object_set (c, "network_gateway", json_object_get (sub, "gateway"));
    json_object_set_new (c, "network_prefix", json_integer (slash ? atoi (slash + 1) : 0));
    json_object_set (c, "network_bridge", json_object_get (net, "network_interface"));
    json_object_set (c, "network_id", json_object_get (net, "id"));
    /* resolv.conf names the gateway, where aardvark-dns answers.  */
    json_object_set_new (c, "network_dns",
                         json_boolean (json_is_true (json_object_get (net, "dns_enabled"))));
  }
  if (json_object_get (c, "network_mac") == NULL)
    {
      mac = husk_mac_random ();
      json_object_set_new (c, "network_mac", json_string (mac));
    }
  /* The caller's text is r->config: replaced together.  */
  free (*text);
  *text = r->config = json_dumps (c, JSON_COMPACT);
  return husk_state_container_save (e->state, r, err);
}

static int
attach_or_join (struct husk_engine *e, json_t *c, const char *dir, const char *netns, bool join,
                husk_error_t *err)
{
  struct husk_netenv v = husk_container_netenv (e);
  cleanup_json json_t *net = husk_network_get (
      &v, json_string_value (json_object_get (c, "network_name")), err);
  struct husk_bridge_attach a = {
    .network = net,
    .ip = json_string_value (json_object_get (c, "network_ip")),
    .mac = json_string_value (json_object_get (c, "network_mac")),
    .ports = json_object_get (c, "ports"),
    .dir = dir,
    .netns = netns,
    .id = json_string_value (json_object_get (c, "id")),
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
  if (husk_ipam_claim (&v, net, a.id, a.ip, err) < 0)
    return -1;
  if (json_is_true (json_object_get (net, "dns_enabled")))
    {
      /* Its name and aliases resolve on the network (aardvark-dns).  */
      size_t i;
      json_t *alias;
      husk_strv_append (&names, json_string_value (json_object_get (c, "name")));
      json_array_foreach (json_object_get (c, "network_aliases"), i, alias)
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
  /* Disconnected from its network (network disconnect): a namespace
     with lo only, which network connect can join to one.  */
  if (json_object_get (c, "network_name") == NULL)
    return husk_bridge_netns_only (dir, netns, err);
  return attach_or_join (e, c, dir, netns, false, err);
}

/* The network fields of the configuration, gone (disconnect).  */
static void
clear_network (json_t *c)
{
  static const char *const keys[] = { "network_name", "network_ip", "network_mac",
                                      "network_gateway", "network_prefix", "network_bridge",
                                      "network_id", "network_dns", "network_aliases", NULL };

  for (size_t i = 0; keys[i]; i++)
    json_object_del (c, keys[i]);
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

int
husk_container_bridge_disconnect (struct husk_engine *e, struct husk_container_rec *r,
                                  const char *ref, bool running, husk_error_t *err)
{
  struct husk_netenv v = husk_container_netenv (e);
  cleanup_json json_t *c = json_loads (r->config, 0, NULL);
  cleanup_json json_t *net = husk_network_get (&v, ref, err);
  const char *now = json_string_value (json_object_get (c, "network_name"));

  if (net == NULL)
    return -1;
  if (!on_bridge (c) || now == NULL
      || strcmp (now, json_string_value (json_object_get (net, "name"))) != 0)
    return husk_error_makex (err, ENOENT, "container %s is not connected to network %s",
                             r->name, ref);
  if (running)
    {
      cleanup_free char *dir = husk_net_dir (e->runroot, r->id);
      husk_bridge_leave (dir);
    }
  husk_ipam_release (&v, r->id);
  clear_network (c);
  return save_config (e, r, c, err);
}

int
husk_container_bridge_connect (struct husk_engine *e, struct husk_container_rec *r,
                               const struct husk_bridge_connect *q, bool running,
                               husk_error_t *err)
{
  cleanup_json json_t *c = json_loads (r->config, 0, NULL);
  const char *now = json_string_value (json_object_get (c, "network_name"));
  char *text;

  if (c == NULL || !on_bridge (c))
    return husk_error_makex (err, EINVAL, "container %s is not in bridge network mode: "
                             "only containers on bridge networks can be connected", r->name);
  if (now)
    {
      cleanup_json json_t *want = NULL;
      struct husk_netenv v = husk_container_netenv (e);
      if ((want = husk_network_get (&v, q->network, err)) == NULL)
        return -1;
      if (strcmp (now, json_string_value (json_object_get (want, "name"))) == 0)
        return husk_error_makex (err, EEXIST, "container %s is already connected to network "
                                 "%s", r->name, now);
      return husk_error_makex (err, ENOTSUP, "container %s is on network %s: one network per "
                               "container for now (network disconnect it first)", r->name, now);
    }
  json_object_set_new (c, "network_name", json_string (q->network));
  if (q->ip)
    json_object_set_new (c, "network_ip", json_string (q->ip));
  if (q->mac)
    json_object_set_new (c, "network_mac", json_string (q->mac));
  json_object_set_new (c, "network_aliases", json_deep_copy (q->aliases) ?: json_array ());
  /* bridge_alloc frees the text it is given and makes r->config the new
     one: give it r->config itself, which stays r's on a failure.  */
  text = r->config;
  if (husk_container_bridge_plan (e, c, err) < 0
      || husk_container_bridge_alloc (e, r, c, &text, err) < 0)
    return -1;
  if (save_config (e, r, c, err) < 0)
    return -1;
  if (running)
    {
      cleanup_free char *dir = husk_net_dir (e->runroot, r->id);
      cleanup_free char *netns = husk_asprintf ("%s/ns", dir);
      if (attach_or_join (e, c, dir, netns, true, err) < 0)
        {
          struct husk_netenv v = husk_container_netenv (e);
          husk_ipam_release (&v, r->id);
          clear_network (c);
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
