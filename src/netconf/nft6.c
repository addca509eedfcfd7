/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The IPv6 half of husk's firewall for dual-stack networks: the table
 * `ip6 husk`, made with the same design as `ip husk` (nft.c): rules that
 * never change, sets `nets` and `internal` of the networks' IPv6 subnets
 * that do, every change one transaction.  Published ports are DNATed to
 * the containers' IPv6 addresses through maps as the IPv4 ones:
 *
 *   ports_any6  PROTO . HOSTPORT : ADDRESS6 . PORT, on every host address
 *   ports_ip6   HOSTIP6 . PROTO . HOSTPORT : ADDRESS6 . PORT, on one
 *
 * ::1 is never DNATed: IPv6 has no route_localnet, and the kernel drops
 * the container's answer once it is translated back to ::1 (netavark has
 * the same limit; Podman's way around it would be a proxy in user space).
 * Left alone, a connection to [::1]:PORT is refused at once, and a client
 * of "localhost" goes on to 127.0.0.1, which is DNATed.
 */
#include "netconf/netconf.h"
#include "util/strutil.h"

#include <string.h>

char *
husk_nft6_table_cmds (void)
{
  return husk_xstrdup (
      "add table ip6 husk\n"
      "add set ip6 husk nets { type ipv6_addr; flags interval; }\n"
      "add set ip6 husk internal { type ipv6_addr; flags interval; }\n"
      "add map ip6 husk ports_any6 { type inet_proto . inet_service : ipv6_addr . inet_service; }\n"
      "add map ip6 husk ports_ip6 { type ipv6_addr . inet_proto . inet_service : "
      "ipv6_addr . inet_service; }\n"
      "add chain ip6 husk ports\n"
      "add chain ip6 husk prerouting { type nat hook prerouting priority dstnat; policy accept; }\n"
      "add chain ip6 husk output { type nat hook output priority -100; policy accept; }\n"
      "add chain ip6 husk postrouting { type nat hook postrouting priority srcnat; policy accept; }\n"
      "add chain ip6 husk forward { type filter hook forward priority filter; policy accept; }\n"
      "flush chain ip6 husk ports\n"
      "flush chain ip6 husk prerouting\n"
      "flush chain ip6 husk output\n"
      "flush chain ip6 husk postrouting\n"
      "flush chain ip6 husk forward\n"
      "add rule ip6 husk prerouting fib daddr type local jump ports\n"
      "add rule ip6 husk output fib daddr type local jump ports\n"
      "add rule ip6 husk ports ip6 daddr ::1 return\n"
      "add rule ip6 husk ports dnat ip6 to ip6 daddr . meta l4proto . th dport map @ports_ip6\n"
      "add rule ip6 husk ports dnat ip6 to meta l4proto . th dport map @ports_any6\n"
      "add rule ip6 husk postrouting ip6 saddr @nets ip6 daddr != @nets masquerade\n"
      "add rule ip6 husk postrouting ct status dnat ip6 saddr @nets ip6 daddr @nets masquerade\n"
      "add rule ip6 husk forward ip6 saddr @internal ip6 daddr != @internal drop\n"
      "add rule ip6 husk forward ip6 daddr @internal ip6 saddr != @internal drop\n"
      "add rule ip6 husk forward ip6 daddr @nets ct state established,related accept\n"
      "add rule ip6 husk forward ct status dnat ip6 daddr @nets accept\n"
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

char *
husk_nft6_port_cmds (json_t *ports, const char *ip6, const char *verb)
{
  struct husk_buf b = HUSK_BUF_INIT;
  size_t i;
  json_t *p;

  if (ip6 == NULL || *ip6 == '\0')
    return husk_xstrdup ("");
  json_array_foreach (ports, i, p)
    {
      const char *hip = json_string_value (json_object_get (p, "host_ip")) ?: "";
      const char *proto = json_string_value (json_object_get (p, "protocol")) ?: "tcp";
      long long hport = json_integer_value (json_object_get (p, "host_port"));
      long long cport = json_integer_value (json_object_get (p, "container_port"));
      if (*hip && strchr (hip, ':') == NULL)
        continue; /* an IPv4 host address */
      if (*hip)
        husk_buf_printf (&b, "%s element ip6 husk ports_ip6 { %s . %s . %lld", verb, hip, proto,
                         hport);
      else
        husk_buf_printf (&b, "%s element ip6 husk ports_any6 { %s . %lld", verb, proto, hport);
      if (strcmp (verb, "delete") == 0)
        husk_buf_puts (&b, " }\n");
      else
        husk_buf_printf (&b, " : %s . %lld }\n", ip6, cport);
    }
  return husk_buf_steal (&b);
}
