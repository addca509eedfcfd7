/* SPDX-License-Identifier: GPL-2.0-or-later */
/* IPv6 subnets of dual-stack bridge networks (network create --ipv6):
   parsed, compared, a unique local /64 chosen as Podman's netavark does,
   and addresses handed out.  A network's IPv4 subnet stays the first of
   its "subnets", the IPv6 one follows.  */
#include "network/bridge-private.h"
#include "util/cleanup.h"
#include "util/strutil.h"

#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* How many addresses a lease search looks at before it gives up: a /64
   never fills, and a linear walk must end.  */
#define SEARCH_MAX 65536

static bool
bit (const struct in6_addr *a, unsigned i)
{
  return a->s6_addr[i / 8] & (0x80 >> (i % 8));
}

static void
clear_host (struct in6_addr *a, unsigned prefix)
{
  for (unsigned i = prefix; i < 128; i++)
    a->s6_addr[i / 8] &= ~(0x80 >> (i % 8));
}

static bool
same_prefix (const struct in6_addr *a, const struct in6_addr *b, unsigned prefix)
{
  for (unsigned i = 0; i < prefix; i++)
    if (bit (a, i) != bit (b, i))
      return false;
  return true;
}

/* a + n, carrying through the bytes.  */
static struct in6_addr
add (const struct in6_addr *a, uint64_t n)
{
  struct in6_addr r = *a;

  for (int i = 15; i >= 0 && n; i--)
    {
      uint64_t sum = r.s6_addr[i] + (n & 0xff);
      r.s6_addr[i] = sum & 0xff;
      n = (n >> 8) + (sum >> 8);
    }
  return r;
}

bool
husk_is_ip6 (const char *text)
{
  return text && strchr (text, ':');
}

int
husk_ip6_parse (const char *text, struct in6_addr *a)
{
  return text && inet_pton (AF_INET6, text, a) == 1 ? 0 : -1;
}

char *
husk_ip6_text (const struct in6_addr *a)
{
  char buf[INET6_ADDRSTRLEN];

  inet_ntop (AF_INET6, a, buf, sizeof buf);
  return husk_xstrdup (buf);
}

int
husk_subnet6_parse (const char *text, struct husk_subnet6 *s, husk_error_t *err)
{
  const char *slash = text ? strchr (text, '/') : NULL;
  cleanup_free char *ip = slash ? husk_xstrndup (text, slash - text) : NULL;
  char *end;
  unsigned long prefix;

  if (slash == NULL || husk_ip6_parse (ip, &s->net) < 0)
    return husk_error_makex (err, EINVAL, "invalid subnet \"%s\": want an IPv6 "
                             "ADDRESS/PREFIX, e.g. fd10:1:2:3::/64", text ? text : "");
  prefix = strtoul (slash + 1, &end, 10);
  if (*end || end == slash + 1 || prefix < 8 || prefix > 124)
    return husk_error_makex (err, EINVAL, "invalid subnet \"%s\": want a prefix of 8 to 124",
                             text);
  s->prefix = prefix;
  {
    struct in6_addr n = s->net;
    clear_host (&n, prefix);
    if (memcmp (&n, &s->net, sizeof n) != 0)
      {
        cleanup_free char *t = husk_ip6_text (&n);
        return husk_error_makex (err, EINVAL, "invalid subnet \"%s\": the address has host "
                                 "bits set (the network is %s)", text, t);
      }
  }
  return 0;
}

char *
husk_subnet6_text (const struct husk_subnet6 *s)
{
  cleanup_free char *ip = husk_ip6_text (&s->net);

  return husk_asprintf ("%s/%u", ip, s->prefix);
}

bool
husk_subnet6_contains (const struct husk_subnet6 *s, const struct in6_addr *a)
{
  return same_prefix (&s->net, a, s->prefix);
}

bool
husk_subnet6_overlaps (const struct husk_subnet6 *a, const struct husk_subnet6 *b)
{
  return same_prefix (&a->net, &b->net, a->prefix < b->prefix ? a->prefix : b->prefix);
}

json_t *
husk_net_subnet6 (json_t *net)
{
  size_t i;
  json_t *sub;

  json_array_foreach (json_object_get (net, "subnets"), i, sub)
    if (husk_is_ip6 (json_string_value (json_object_get (sub, "subnet"))))
      return sub;
  return NULL;
}

/* The device of a host route from /proc/net/ipv6_route that overlaps s
   (the default route and the local table's host routes aside), or of a
   host address in s.  */
static char *
host_user (const struct husk_subnet6 *s)
{
  cleanup_fclose FILE *f = fopen ("/proc/net/ipv6_route", "re");
  char dest[33], dev[32], line[512];
  unsigned plen;
  struct ifaddrs *all = NULL;
  char *user = NULL;

  while (f && user == NULL && fgets (line, sizeof line, f))
    {
      struct husk_subnet6 r = { 0 };
      if (sscanf (line, "%32s %x %*s %*s %*s %*s %*s %*s %*s %31s", dest, &plen, dev) != 3
          || plen == 0 || plen == 128 || strcmp (dev, "lo") == 0)
        continue;
      for (int i = 0; i < 16; i++)
        {
          unsigned b;
          sscanf (dest + 2 * i, "%2x", &b);
          r.net.s6_addr[i] = b;
        }
      r.prefix = plen;
      /* Link-local and multicast routes are on every link.  */
      if (r.net.s6_addr[0] == 0xfe || r.net.s6_addr[0] == 0xff)
        continue;
      if (husk_subnet6_overlaps (s, &r))
        user = husk_xstrdup (dev);
    }
  if (user || getifaddrs (&all) < 0)
    return user;
  for (struct ifaddrs *a = all; a && user == NULL; a = a->ifa_next)
    if (a->ifa_addr && a->ifa_addr->sa_family == AF_INET6
        && husk_subnet6_contains (s, &((struct sockaddr_in6 *) a->ifa_addr)->sin6_addr))
      user = husk_xstrdup (a->ifa_name);
  freeifaddrs (all);
  return user;
}

/* Whether s is free: no network of nets has an IPv6 subnet that
   overlaps it, the host neither routes it nor has an address in it.  */
static bool
subnet6_free (json_t *nets, const struct husk_subnet6 *s, char **why)
{
  size_t i;
  json_t *n;

  json_array_foreach (nets, i, n)
    {
      struct husk_subnet6 o;
      const char *text = json_string_value (json_object_get (husk_net_subnet6 (n), "subnet"));
      if (text && husk_subnet6_parse (text, &o, NULL) == 0 && husk_subnet6_overlaps (s, &o))
        {
          *why = husk_asprintf ("network %s (%s)", json_string_value (json_object_get (n, "name")),
                                text);
          return false;
        }
    }
  {
    cleanup_free char *dev = host_user (s);
    if (dev)
      {
        *why = husk_asprintf ("the host's interface %s", dev);
        return false;
      }
  }
  return true;
}

/* A unique local /64 (RFC 4193): fd, then 56 random bits, as netavark
   picks one.  */
static void
random_ula (struct husk_subnet6 *s)
{
  cleanup_free char *h = husk_random_hex (7);

  memset (s, 0, sizeof *s);
  s->net.s6_addr[0] = 0xfd;
  for (int i = 0; i < 7; i++)
    {
      unsigned b;
      sscanf (h + 2 * i, "%2x", &b);
      s->net.s6_addr[1 + i] = b;
    }
  s->prefix = 64;
}

int
husk_net6_plan (json_t *nets, const struct husk_network_request *q, json_t **sub,
                husk_error_t *err)
{
  struct husk_subnet6 s;
  struct in6_addr gw;
  cleanup_free char *why = NULL, *text = NULL, *gwtext = NULL;

  *sub = NULL;
  if (!q->ipv6 && q->subnet6 == NULL)
    return 0;
  if (q->subnet6 == NULL)
    {
      int tries = 0;
      if (q->gateway6)
        return husk_error_makex (err, EINVAL, "gateway %s needs an IPv6 --subnet", q->gateway6);
      do
        {
          free (why), why = NULL;
          random_ula (&s);
        }
      while (!subnet6_free (nets, &s, &why) && ++tries < 16);
      if (tries == 16)
        return husk_error_makex (err, ENOSPC, "no free IPv6 subnet found: give one with "
                                 "--subnet");
    }
  else if (husk_subnet6_parse (q->subnet6, &s, err) < 0)
    return -1;
  else if (!subnet6_free (nets, &s, &why))
    return husk_error_makex (err, EEXIST, "subnet %s is already used on the host or by "
                             "another config: %s", q->subnet6, why);
  gw = add (&s.net, 1);
  if (q->gateway6)
    {
      struct in6_addr net = s.net;
      if (husk_ip6_parse (q->gateway6, &gw) < 0 || !husk_subnet6_contains (&s, &gw)
          || memcmp (&gw, &net, sizeof gw) == 0)
        return husk_error_makex (err, EINVAL, "gateway %s is not a host address of subnet %s",
                                 q->gateway6, q->subnet6);
    }
  text = husk_subnet6_text (&s);
  gwtext = husk_ip6_text (&gw);
  *sub = json_pack ("{s:s, s:s}", "subnet", text, "gateway", gwtext);
  return 0;
}

char *
husk_ip6_choose (json_t *net, json_t *used, const char *want, husk_error_t *err)
{
  json_t *sub = husk_net_subnet6 (net);
  const char *name = json_string_value (json_object_get (net, "name"));
  const char *subnet = json_string_value (json_object_get (sub, "subnet"));
  struct husk_subnet6 s;
  struct in6_addr gw = { 0 }, ip;

  if (husk_subnet6_parse (subnet, &s, err) < 0)
    return NULL;
  husk_ip6_parse (json_string_value (json_object_get (sub, "gateway")), &gw);
  if (want)
    {
      cleanup_free char *canon = NULL;
      if (husk_ip6_parse (want, &ip) < 0 || !husk_subnet6_contains (&s, &ip)
          || memcmp (&ip, &s.net, sizeof ip) == 0 || memcmp (&ip, &gw, sizeof ip) == 0)
        return husk_error_makex (err, EINVAL, "requested static ip %s not in any subnet on "
                                 "network %s (%s), or its gateway", want, name, subnet), NULL;
      canon = husk_ip6_text (&ip);
      if (json_object_get (used, canon))
        return husk_error_makex (err, EEXIST, "IPAM error: requested ip address %s is already "
                                 "allocated to container ID %.12s", canon,
                                 json_string_value (json_object_get (used, canon))), NULL;
      return steal_ptr (&canon);
    }
  for (uint64_t k = 1; k < SEARCH_MAX; k++)
    {
      cleanup_free char *text = NULL;
      ip = add (&s.net, k);
      if (!husk_subnet6_contains (&s, &ip))
        break;
      if (memcmp (&ip, &gw, sizeof ip) == 0)
        continue;
      text = husk_ip6_text (&ip);
      if (json_object_get (used, text) == NULL)
        return steal_ptr (&text);
    }
  return husk_error_makex (err, ENOSPC, "IPAM error: failed to get ips for subnet %s: no "
                           "address left on network %s", subnet, name), NULL;
}
