/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The IPv6 half of husk's firewall for dual-stack networks: the table
 * `ip6 husk`, made with the same design as `ip husk` (nft.c): rules that
 * never change, sets `nets` and `internal` of the networks' IPv6 subnets
 * that do, every change one transaction.  Published ports stay IPv4
 * (the `ip husk` maps): containers are reached on the host's IPv4
 * addresses only.
 */
#include "netconf/netconf.h"
#include "util/strutil.h"

char *
husk_nft6_table_cmds (void)
{
  return husk_xstrdup (
      "add table ip6 husk\n"
      "add set ip6 husk nets { type ipv6_addr; flags interval; }\n"
      "add set ip6 husk internal { type ipv6_addr; flags interval; }\n"
      "add chain ip6 husk postrouting { type nat hook postrouting priority srcnat; policy accept; }\n"
      "add chain ip6 husk forward { type filter hook forward priority filter; policy accept; }\n"
      "flush chain ip6 husk postrouting\n"
      "flush chain ip6 husk forward\n"
      "add rule ip6 husk postrouting ip6 saddr @nets ip6 daddr != @nets masquerade\n"
      "add rule ip6 husk forward ip6 saddr @internal ip6 daddr != @internal drop\n"
      "add rule ip6 husk forward ip6 daddr @internal ip6 saddr != @internal drop\n"
      "add rule ip6 husk forward ip6 daddr @nets ct state established,related accept\n"
      "add rule ip6 husk forward ip6 saddr @nets accept\n");
}

char *
husk_nft6_element (json_t *net, const char *verb)
{
  json_t *sub = husk_net_subnet6 (net);
  const char *set = json_is_true (json_object_get (net, "internal")) ? "internal" : "nets";

  if (sub == NULL)
    return husk_xstrdup ("");
  return husk_asprintf ("%s element ip6 husk %s { %s }\n", verb, set,
                        json_string_value (json_object_get (sub, "subnet")));
}
