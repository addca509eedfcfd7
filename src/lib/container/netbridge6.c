/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A container's IPv6 address on a dual-stack bridge network (network
   create --ipv6): leased with its IPv4 one, kept in its network entry as
   ip6, gateway6 and prefix6 for /etc/hosts, DNS and inspect.  */
#include "container/netbridge.h"
#include "network/bridge.h"
#include "util/cleanup.h"
#include "util/strutil.h"

#include <stdlib.h>
#include <string.h>

/* The network's IPv6 subnet entry, or NULL.  */
static json_t *
subnet6 (json_t *net)
{
  size_t i;
  json_t *sub;

  json_array_foreach (json_object_get (net, "subnets"), i, sub)
    if (strchr (json_string_value (json_object_get (sub, "subnet")) ?: "", ':'))
      return sub;
  return NULL;
}

int
husk_container_alloc6 (struct husk_netenv *v, const char *id, json_t *net, json_t *n,
                       husk_error_t *err)
{
  cleanup_free char *ip = husk_ipam_alloc6 (v, net, id, json_string_value (json_object_get (n, "ip6")),
                                            err);
  json_t *sub = subnet6 (net);
  const char *slash;

  if (ip == NULL)
    return -1;
  if (sub == NULL)
    return 0;
  slash = strchr (json_string_value (json_object_get (sub, "subnet")), '/');
  json_object_set_new (n, "ip6", json_string (ip));
  json_object_set (n, "gateway6", json_object_get (sub, "gateway"));
  json_object_set_new (n, "prefix6", json_integer (slash ? atoi (slash + 1) : 0));
  return 0;
}
