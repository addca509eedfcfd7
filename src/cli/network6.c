/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "cli/network6.h"
#include "util/strutil.h"

#include <errno.h>
#include <string.h>

static bool
is6 (const char *s)
{
  return strchr (s, ':') != NULL;
}

int
cli_network_subnets (char **subnets, char **gateways, struct husk_network_request *q,
                     husk_error_t *err)
{
  size_t ns = husk_strv_len (subnets), ng = husk_strv_len (gateways);

  if (ng > ns)
    return husk_error_makex (err, EINVAL, "cannot set more gateways than subnets");
  if (ns > 2 || (ns == 2 && is6 (subnets[0]) == is6 (subnets[1])))
    return husk_error_makex (err, EINVAL, "--subnet: at most one IPv4 and one IPv6 subnet "
                             "per network");
  if (q->ip_range && is6 (q->ip_range))
    return husk_error_makex (err, ENOTSUP, "--ip-range %s: only IPv4 ranges are supported",
                             q->ip_range);
  for (size_t i = 0; i < ns; i++)
    {
      const char *gw = i < ng ? gateways[i] : NULL;
      if (gw && is6 (gw) != is6 (subnets[i]))
        return husk_error_makex (err, EINVAL, "gateway %s is not of the family of subnet %s",
                                 gw, subnets[i]);
      if (is6 (subnets[i]))
        {
          q->subnet6 = subnets[i];
          q->gateway6 = gw;
          q->ipv6 = true;
        }
      else
        {
          q->subnet = subnets[i];
          q->gateway = gw;
        }
    }
  return 0;
}
