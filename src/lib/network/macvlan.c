/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * macvlan and ipvlan networks (bridge.h): what `network create` checks
 * for them, and what sets them apart from bridges elsewhere.  Their
 * containers' links hang off a host interface (the parent) directly:
 * no bridge of husk's, no firewall, no published ports.  The links are
 * made by husk-netconf (netconf/macvlan.c).
 */
#include "network/bridge-private.h"
#include "util/cleanup.h"
#include "util/strutil.h"

#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool
husk_network_is_bridge (json_t *net)
{
  const char *d = json_string_value (json_object_get (net, "driver"));

  return d == NULL || strcmp (d, "bridge") == 0;
}

char *
husk_network_lease_key (json_t *net)
{
  /* A parent is shared by any number of macvlan networks (and is no
     name of husk's): their leases and records go by their ID.  */
  if (!husk_network_is_bridge (net))
    return husk_asprintf ("%s:%s", json_string_value (json_object_get (net, "driver")),
                          json_string_value (json_object_get (net, "id")) ?: "");
  return husk_xstrdup (json_string_value (json_object_get (net, "network_interface")) ?: "");
}

char *
husk_net_default_route_dev (void)
{
  FILE *f = fopen ("/proc/net/route", "re");
  char line[512], dev[IF_NAMESIZE + 1];
  unsigned long dst, gw, flags, ref, use, metric, mask;
  char *out = NULL;

  while (f && out == NULL && fgets (line, sizeof line, f))
    if (sscanf (line, "%16s %lx %lx %lx %lu %lu %lu %lx", dev, &dst, &gw, &flags, &ref, &use,
                &metric, &mask) == 8
        && dst == 0 && mask == 0)
      out = husk_xstrdup (dev);
  if (f)
    fclose (f);
  return out;
}

/* mode= of the driver: macvlan's bridge|private|vepa|passthru, ipvlan's
   l2|l3|l3s (the kernel's modes Podman offers).  */
static int
check_mode (const char *driver, const char *mode, husk_error_t *err)
{
  static const char *const macvlan[] = { "bridge", "private", "vepa", "passthru", NULL };
  static const char *const ipvlan[] = { "l2", "l3", "l3s", NULL };
  const char *const *ok = strcmp (driver, "macvlan") == 0 ? macvlan : ipvlan;

  for (size_t i = 0; ok[i]; i++)
    if (strcmp (ok[i], mode) == 0)
      return 0;
  return husk_error_makex (err, EINVAL, "unknown %s mode \"%s\": want %s", driver, mode,
                           ok == macvlan ? "bridge, private, vepa or passthru" : "l2, l3 or l3s");
}

static int
check_options (const char *driver, json_t *opts, husk_error_t *err)
{
  const char *k;
  json_t *v;

  json_object_foreach (opts, k, v)
    {
      const char *s = json_string_value (v) ?: "";
      if (strcmp (k, "mode") == 0)
        {
          if (check_mode (driver, s, err) < 0)
            return -1;
          continue;
        }
      if (strcmp (k, "mtu") != 0)
        return husk_error_makex (err, ENOTSUP, "unsupported %s network option %s: parent=, "
                                 "mode= and mtu= are supported", driver, k);
      if (net_check_mtu (s, err) < 0)
        return -1;
    }
  return 0;
}

int
husk_macvlan_check (const struct husk_network_request *q, bool rootless, char **parent,
                    json_t **options, husk_error_t *err)
{
  const char *p = json_string_value (json_object_get (q->options, "parent"));

  *parent = NULL;
  *options = NULL;
  if (strcmp (q->driver, "macvlan") != 0 && strcmp (q->driver, "ipvlan") != 0)
    return husk_error_makex (err, ENOTSUP, "unsupported driver %s: bridge, macvlan and "
                             "ipvlan are supported", q->driver);
  if (rootless)
    return husk_error_makex (err, EPERM, "%s networks are not supported rootless: rootless "
                             "networking has no access to the host's interfaces", q->driver);
  if (q->subnet == NULL)
    return husk_error_makex (err, ENOTSUP, "%s network without --subnet: its addresses would "
                             "come from DHCP, which husk does not support: give --subnet",
                             q->driver);
  if (json_array_size (q->dns_servers))
    return husk_error_makex (err, EINVAL, "--dns: %s networks have no DNS of their own",
                             q->driver);
  if (p && q->interface && strcmp (p, q->interface) != 0)
    return husk_error_makex (err, EINVAL, "-o parent=%s and --interface-name %s: give the "
                             "parent interface once", p, q->interface);
  p = p ? p : q->interface;
  /* Podman keeps no parent when none is given: the host's default
     route's interface is taken at each start (netavark).  */
  if (p && (strlen (p) >= IF_NAMESIZE || if_nametoindex (p) == 0))
    return husk_error_makex (err, ENODEV, "parent interface %s does not exist", p);
  *options = q->options ? json_deep_copy (q->options) : json_object ();
  json_object_del (*options, "parent");
  if (check_options (q->driver, *options, err) < 0)
    {
      json_decref (steal_ptr (options));
      return -1;
    }
  *parent = p ? husk_xstrdup (p) : NULL;
  return 0;
}

void
husk_macvlan_json (json_t *net, const char *driver, const char *parent, json_t *options,
                   bool gateway)
{
  json_object_set_new (net, "driver", json_string (driver));
  if (parent)
    json_object_set_new (net, "network_interface", json_string (parent));
  else
    json_object_del (net, "network_interface");
  /* Nothing answers names on a parent's network (Podman's too).  */
  json_object_set_new (net, "dns_enabled", json_false ());
  json_object_set (net, "options", options);
  if (!gateway)
    json_object_del (json_array_get (json_object_get (net, "subnets"), 0), "gateway");
}
