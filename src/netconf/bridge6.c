/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The IPv6 side of a dual-stack network's links: the bridge gets the
   gateway's address, the container's interface its own address and a
   default route through the gateway.  */
#include "netconf/netconf.h"
#include "util/cleanup.h"
#include "util/log.h"
#include "util/strutil.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

static void
sysctl_on (const char *path, const char *value)
{
  int fd = open (path, O_WRONLY | O_CLOEXEC);

  if (fd < 0 || write (fd, value, strlen (value)) < 0)
    husk_log_debug ("write '%s': %s", path, strerror (errno));
  if (fd >= 0)
    close (fd);
}

static int
subnet6_of (json_t *net, struct husk_subnet6 *s, struct in6_addr *gw, husk_error_t *err)
{
  json_t *sub = husk_net_subnet6 (net);

  if (husk_subnet6_parse (json_string_value (json_object_get (sub, "subnet")), s, err) < 0
      || husk_ip6_parse (json_string_value (json_object_get (sub, "gateway")), gw) < 0)
    return husk_error_makex (err, EINVAL, "network %s: bad IPv6 subnet",
                             json_string_value (json_object_get (net, "name")));
  return 0;
}

int
netconf_bridge6 (struct husk_nl *nl, int index, json_t *net, husk_error_t *err)
{
  const char *name = json_string_value (json_object_get (net, "network_interface"));
  struct husk_subnet6 s;
  struct in6_addr gw;

  if (husk_net_subnet6 (net) == NULL)
    return 0;
  if (subnet6_of (net, &s, &gw, err) < 0)
    return -1;
  {
    /* A host that turned IPv6 off by default still gets it here.  */
    cleanup_free char *p = husk_asprintf ("/proc/sys/net/ipv6/conf/%s/disable_ipv6", name);
    sysctl_on (p, "0");
  }
  if (husk_nl_addr6_add (nl, index, &gw, s.prefix, err) < 0)
    return -1;
  sysctl_on ("/proc/sys/net/ipv6/conf/all/forwarding", "1");
  return 0;
}

int
netconf_inside6 (struct husk_nl *nl, int eth, const struct husk_bridge_attach *a,
                 husk_error_t *err)
{
  struct husk_subnet6 s;
  struct in6_addr gw, ip;

  if (a->ip6 == NULL || *a->ip6 == '\0' || husk_net_subnet6 (a->network) == NULL)
    return 0;
  if (subnet6_of (a->network, &s, &gw, err) < 0)
    return -1;
  if (husk_ip6_parse (a->ip6, &ip) < 0)
    return husk_error_makex (err, EINVAL, "bad IPv6 address %s", a->ip6);
  if (husk_nl_addr6_add (nl, eth, &ip, s.prefix, err) < 0)
    return -1;
  if (json_is_true (json_object_get (a->network, "internal")))
    return 0;
  return husk_nl_route6_default (nl, eth, &gw, a->metric, err);
}
