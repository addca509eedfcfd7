/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A container on a macvlan or ipvlan network (network/macvlan.c): its
 * link is made on the parent interface directly in the container's
 * namespace, with its address and default route.  No bridge, no
 * firewall: nothing of the host's changes, so no lock is taken.  The
 * link goes with the namespace; a disconnect deletes it in there.
 */
#include "netconf/netconf.h"
#include "util/cleanup.h"
#include "util/fileutil.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_link.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static json_t *
option (json_t *net, const char *key)
{
  return json_object_get (json_object_get (net, "options"), key);
}

/* The kernel's mode of mode= (checked at create), the driver's default
   without one: macvlan bridge, ipvlan l2 (netavark's).  */
static unsigned
mode_of (json_t *net, bool macvlan)
{
  static const struct { const char *name; unsigned mode; } modes[] = {
    { "bridge", MACVLAN_MODE_BRIDGE },     { "private", MACVLAN_MODE_PRIVATE },
    { "vepa", MACVLAN_MODE_VEPA },         { "passthru", MACVLAN_MODE_PASSTHRU },
    { "l2", IPVLAN_MODE_L2 },              { "l3", IPVLAN_MODE_L3 },
    { "l3s", IPVLAN_MODE_L3S },
  };
  const char *m = json_string_value (option (net, "mode"));

  for (size_t i = 0; m && i < sizeof modes / sizeof *modes; i++)
    if (strcmp (modes[i].name, m) == 0)
      return modes[i].mode;
  return macvlan ? MACVLAN_MODE_BRIDGE : IPVLAN_MODE_L2;
}

/* The parent's index: the network's interface, or the default route's
   (Podman keeps none when none was given).  */
static int
parent_index (json_t *net, husk_error_t *err)
{
  const char *name = json_string_value (json_object_get (net, "name"));
  const char *given = json_string_value (json_object_get (net, "network_interface"));
  cleanup_free char *dev = given && *given ? husk_xstrdup (given) : husk_net_default_route_dev ();
  int index;

  if (dev == NULL)
    return husk_error_makex (err, ENODEV, "network %s names no parent interface and the host "
                             "has no default route to take one from", name);
  if ((index = if_nametoindex (dev)) == 0)
    return husk_error_makex (err, ENODEV, "parent interface %s of network %s does not exist",
                             dev, name);
  return index;
}

/* The index of the link named name in the namespace at netns, or 0.  */
static int
index_in (const char *netns, const char *name)
{
  cleanup_close int self = open ("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
  cleanup_close int target = open (netns, O_RDONLY | O_CLOEXEC);
  int index = 0;

  if (self >= 0 && target >= 0 && setns (target, CLONE_NEWNET) == 0)
    {
      index = if_nametoindex (name);
      if (setns (self, CLONE_NEWNET) < 0)
        abort (); /* never go on in the wrong namespace */
    }
  return index;
}

static int
make_link (const struct husk_bridge_attach *a, int parent, husk_error_t *err)
{
  const char *driver = json_string_value (json_object_get (a->network, "driver"));
  const char *mtu = json_string_value (option (a->network, "mtu"));
  bool macvlan = strcmp (driver, "macvlan") == 0;
  unsigned m[6];
  unsigned char mac[6];
  struct husk_nl_sublink l = { .kind = macvlan ? "macvlan" : "ipvlan", .name = a->interface,
                               .parent = parent, .mode = mode_of (a->network, macvlan),
                               .mtu = mtu ? (unsigned) strtoul (mtu, NULL, 10) : 0 };
  struct husk_nl *nl;
  int ret;

  if (strcmp (driver, "macvlan") != 0 && strcmp (driver, "ipvlan") != 0)
    return husk_error_makex (err, ENOTSUP, "network driver %s is not supported", driver);
  /* ipvlan links share the parent's MAC.  */
  if (macvlan)
    {
      if (sscanf (a->mac, "%x:%x:%x:%x:%x:%x", &m[0], &m[1], &m[2], &m[3], &m[4], &m[5]) != 6)
        return husk_error_makex (err, EINVAL, "bad MAC address %s", a->mac);
      for (int i = 0; i < 6; i++)
        mac[i] = m[i];
      l.mac = mac;
    }
  if ((l.netns_fd = open (a->netns, O_RDONLY | O_CLOEXEC)) < 0)
    return husk_error_make (err, errno, "open '%s'", a->netns);
  if ((nl = husk_nl_open (NULL, err)) == NULL)
    {
      close (l.netns_fd);
      return -1;
    }
  ret = husk_nl_sublink_add (nl, &l, err);
  husk_nl_close (nl);
  close (l.netns_fd);
  return ret;
}

/* In the container: lo and the link up, its address, the default route
   through the gateway (none on --internal networks, nor without one).  */
static int
configure (const struct husk_bridge_attach *a, int index, husk_error_t *err)
{
  json_t *sub = json_array_get (json_object_get (a->network, "subnets"), 0);
  const char *gateway = json_string_value (json_object_get (sub, "gateway"));
  bool route = gateway && !json_is_true (json_object_get (a->network, "internal"));
  struct husk_subnet s;
  uint32_t ip, gw = 0;
  struct husk_nl *nl;
  int ret = -1;

  if (husk_subnet_parse (json_string_value (json_object_get (sub, "subnet")), &s, err) < 0
      || husk_ip_parse (a->ip, &ip) < 0 || (gateway && husk_ip_parse (gateway, &gw) < 0))
    return husk_error_makex (err, EINVAL, "bad address %s", a->ip);
  if ((nl = husk_nl_open (a->netns, err)) == NULL)
    return -1;
  if (husk_nl_link_up (nl, 1, err) == 0 && husk_nl_addr_add (nl, index, htonl (ip), s.prefix, err) == 0
      && husk_nl_link_up (nl, index, err) == 0
      && (!route || husk_nl_route_default (nl, index, htonl (gw), a->metric, err) == 0))
    ret = 0;
  husk_nl_close (nl);
  return ret;
}

/* What the teardown undoes: the link, by its index in the container's
   namespace while it still has its name.  No firewall elements ("":
   husk drops the record itself when the namespace goes).  */
static int
record (const struct husk_bridge_attach *a, int index, husk_error_t *err)
{
  cleanup_free char *path = husk_net_slot_file (a->dir, "bridge", a->slot);
  cleanup_json json_t *r = json_pack ("{s:s, s:O, s:s, s:s, s:i, s:s}", "id", a->id, "driver",
                                      json_object_get (a->network, "driver"), "netns", a->netns,
                                      "link", a->interface, "link_index", index, "nft_delete",
                                      "");
  cleanup_free char *text = json_dumps (r, JSON_COMPACT);

  /* In the run root: no fsync, nothing of it outlives a reboot.  */
  return husk_write_file_replace (path, text, strlen (text), 0600, err);
}

static void
delete_in (const char *netns, const char *name, int index)
{
  struct husk_nl *nl;

  if (index <= 0 || name == NULL || index_in (netns, name) != index)
    return;
  if ((nl = husk_nl_open (netns, NULL)) == NULL)
    return;
  husk_nl_link_del (nl, index, NULL);
  husk_nl_close (nl);
}

int
netconf_macvlan_attach (const struct husk_bridge_attach *a, husk_error_t *err)
{
  int parent, index;

  if (json_array_size (a->ports))
    return husk_error_makex (err, ENOTSUP, "port forwarding is not supported on %s networks",
                             json_string_value (json_object_get (a->network, "driver")));
  if ((parent = parent_index (a->network, err)) < 0 || make_link (a, parent, err) < 0)
    return -1;
  if ((index = index_in (a->netns, a->interface)) <= 0)
    return husk_error_makex (err, ENODEV, "the new link %s is not in the container's namespace",
                             a->interface);
  if (record (a, index, err) < 0 || configure (a, index, err) < 0)
    {
      delete_in (a->netns, a->interface, index);
      return -1;
    }
  return 0;
}

void
netconf_macvlan_detach (json_t *r, bool ns_going)
{
  /* The namespace going takes the link along.  */
  if (ns_going)
    return;
  delete_in (json_string_value (json_object_get (r, "netns")),
             json_string_value (json_object_get (r, "link")),
             json_integer_value (json_object_get (r, "link_index")));
}
