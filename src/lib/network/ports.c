/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Published ports: -p, -P and --expose to the configuration's "ports"
 * (one {host_ip, host_port, container_port, protocol} per port, Podman's
 * PortMapping with range 1), and back to what ps and inspect show.
 */
#include "network/network-private.h"
#include "util/cleanup.h"
#include "util/fileutil.h"
#include "util/strutil.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* "80" or "8000-8002" to first and count.  */
static int
parse_range (const char *s, const char *flag, const char *whole, unsigned *first,
             unsigned *count, husk_error_t *err)
{
  char *end;
  unsigned long a, b;

  a = strtoul (s, &end, 10);
  b = a;
  if (end != s && *end == '-')
    {
      const char *p = end + 1;
      b = strtoul (p, &end, 10);
      if (end == p)
        b = 0;
    }
  if (end == s || *end || *s == '-' || *s == '+' || a == 0 || a > 65535 || b < a || b > 65535)
    return husk_error_makex (err, EINVAL, "invalid %s \"%s\": ports are numbers from 1 to "
                             "65535, or ranges of them (8000-8010)", flag, whole);
  *first = (unsigned) a;
  *count = (unsigned) (b - a + 1);
  return 0;
}

/* "PORT[-PORT][/PROTO]" to the range and the protocol.  */
static int
parse_ports_proto (const char *s, const char *flag, const char *whole, unsigned *first,
                   unsigned *count, const char **proto, husk_error_t *err)
{
  const char *slash = strrchr (s, '/');
  cleanup_free char *ports = slash ? husk_xstrndup (s, slash - s) : husk_xstrdup (s);

  *proto = "tcp";
  if (slash)
    {
      if (strcmp (slash + 1, "tcp") == 0 || strcmp (slash + 1, "udp") == 0)
        *proto = strcmp (slash + 1, "tcp") == 0 ? "tcp" : "udp";
      else if (strcmp (slash + 1, "sctp") == 0)
        return husk_error_makex (err, ENOTSUP, "%s \"%s\": sctp is not supported by pasta "
                                 "and slirp4netns", flag, whole);
      else
        return husk_error_makex (err, EINVAL, "invalid %s \"%s\": the protocol must be tcp "
                                 "or udp", flag, whole);
    }
  return parse_range (ports, flag, whole, first, count, err);
}

static bool
is_ip (const char *s, int *family)
{
  unsigned char buf[sizeof (struct in6_addr)];

  if (inet_pton (AF_INET, s, buf) == 1)
    return *family = AF_INET, true;
  if (inet_pton (AF_INET6, s, buf) == 1)
    return *family = AF_INET6, true;
  return false;
}

/* A free port of the host on ip for proto, as the kernel hands out
   ephemeral ports; not one of the taken ones.  Return: it, or 0.  */
static unsigned
free_port (const char *ip, const char *proto, json_t *taken)
{
  int family = AF_INET;
  bool tcp = strcmp (proto, "tcp") == 0;

  if (*ip && !is_ip (ip, &family))
    return 0;
  for (int tries = 0; tries < 20; tries++)
    {
      struct sockaddr_storage ss = { 0 };
      socklen_t len = family == AF_INET ? sizeof (struct sockaddr_in) : sizeof (struct sockaddr_in6);
      cleanup_close int fd = socket (family, (tcp ? SOCK_STREAM : SOCK_DGRAM) | SOCK_CLOEXEC, 0);
      unsigned port;
      bool dup = false;
      size_t i;
      json_t *p;

      ss.ss_family = (sa_family_t) family;
      if (*ip && family == AF_INET)
        inet_pton (AF_INET, ip, &((struct sockaddr_in *) &ss)->sin_addr);
      else if (*ip)
        inet_pton (AF_INET6, ip, &((struct sockaddr_in6 *) &ss)->sin6_addr);
      if (fd < 0 || bind (fd, (struct sockaddr *) &ss, len) < 0
          || getsockname (fd, (struct sockaddr *) &ss, &len) < 0)
        return 0;
      port = ntohs (family == AF_INET ? ((struct sockaddr_in *) &ss)->sin_port
                                      : ((struct sockaddr_in6 *) &ss)->sin6_port);
      json_array_foreach (taken, i, p)
        dup = dup || (unsigned) json_integer_value (json_object_get (p, "host_port")) == port;
      if (!dup)
        return port;
    }
  return 0;
}

static unsigned
unprivileged_port_start (void)
{
  cleanup_free char *text = husk_read_file ("/proc/sys/net/ipv4/ip_unprivileged_port_start",
                                            NULL, NULL);

  return text ? (unsigned) strtoul (text, NULL, 10) : 1024;
}

/* A rootless user cannot bind a host port below the sysctl: say why, and
   the ways around it.  */
static int
check_privileged (unsigned port, bool rootless, husk_error_t *err)
{
  unsigned start;

  if (!rootless || port >= (start = unprivileged_port_start ()))
    return 0;
  return husk_error_makex (err, EACCES, "rootless: host port %u is below "
                           "net.ipv4.ip_unprivileged_port_start (%u), which unprivileged users "
                           "cannot bind: publish on a host port of %u or more, put a reverse "
                           "proxy on the host in front of it, run husk as root, or lower the "
                           "sysctl (sysctl net.ipv4.ip_unprivileged_port_start=%u)",
                           port, start, start, port);
}

static int
add_port (json_t *ports, const char *ip, unsigned host, unsigned ctr, const char *proto,
          bool rootless, const char *whole, husk_error_t *err)
{
  size_t i;
  json_t *p;

  if (host == 0 && (host = free_port (ip, proto, ports)) == 0)
    return husk_error_makex (err, EADDRNOTAVAIL, "-p \"%s\": no free host port on \"%s\"",
                             whole, *ip ? ip : "0.0.0.0");
  if (check_privileged (host, rootless, err) < 0)
    return -1;
  json_array_foreach (ports, i, p)
    if ((unsigned) json_integer_value (json_object_get (p, "host_port")) == host
        && strcmp (json_string_value (json_object_get (p, "protocol")), proto) == 0
        && strcmp (json_string_value (json_object_get (p, "host_ip")), ip) == 0)
      return husk_error_makex (err, EINVAL, "-p \"%s\": host port %u/%s is published twice",
                               whole, host, proto);
  json_array_append_new (ports, json_pack ("{s:s, s:i, s:i, s:s}", "host_ip", ip,
                                           "host_port", (int) host, "container_port", (int) ctr,
                                           "protocol", proto));
  return 0;
}

/* One -p value.  */
static int
publish (json_t *ports, const char *s, bool rootless, husk_error_t *err)
{
  cleanup_free char *ip = NULL, *host = NULL, *ctr = NULL;
  unsigned hfirst = 0, hcount = 0, cfirst, ccount;
  const char *proto;
  const char *rest = s;
  int family;

  if (*s == '[')
    {
      const char *close = strchr (s, ']');
      if (close == NULL || close[1] != ':')
        return husk_error_makex (err, EINVAL, "invalid -p \"%s\": an IPv6 address in brackets "
                                 "is followed by :HOSTPORT:PORT", s);
      ip = husk_xstrndup (s + 1, close - s - 1);
      rest = close + 2;
      const char *colon = strchr (rest, ':');
      if (colon == NULL)
        return husk_error_makex (err, EINVAL, "invalid -p \"%s\": use [IP]:HOSTPORT:PORT", s);
      host = husk_xstrndup (rest, colon - rest);
      ctr = husk_xstrdup (colon + 1);
    }
  else
    {
      cleanup_strv char **v = husk_strv_split (s, ':');
      size_t n = husk_strv_len (v);
      if (n == 0 || n > 3)
        return husk_error_makex (err, EINVAL, "invalid -p \"%s\": use "
                                 "[[IP:][HOSTPORT]:]PORT[/PROTOCOL]", s);
      ip = husk_xstrdup (n == 3 ? v[0] : "");
      host = husk_xstrdup (n >= 2 ? v[n - 2] : "");
      ctr = husk_xstrdup (v[n - 1]);
    }
  if (*ip && !is_ip (ip, &family))
    return husk_error_makex (err, EINVAL, "invalid -p \"%s\": \"%s\" is not an IP address", s, ip);
  if (parse_ports_proto (ctr, "-p", s, &cfirst, &ccount, &proto, err) < 0)
    return -1;
  if (*host && parse_range (host, "-p", s, &hfirst, &hcount, err) < 0)
    return -1;
  if (*host && hcount != ccount)
    return husk_error_makex (err, EINVAL, "invalid -p \"%s\": the host range and the "
                             "container range must have the same length", s);
  for (unsigned i = 0; i < ccount; i++)
    if (add_port (ports, ip, *host ? hfirst + i : 0, cfirst + i, proto, rootless, s, err) < 0)
      return -1;
  return 0;
}

static bool
published (json_t *ports, unsigned ctr, const char *proto)
{
  size_t i;
  json_t *p;

  json_array_foreach (ports, i, p)
    if ((unsigned) json_integer_value (json_object_get (p, "container_port")) == ctr
        && strcmp (json_string_value (json_object_get (p, "protocol")), proto) == 0)
      return true;
  return false;
}

/* "PORT/PROTO" strings to out, each once.  */
static void
add_exposed (json_t *out, unsigned first, unsigned count, const char *proto)
{
  for (unsigned k = 0; k < count; k++)
    {
      cleanup_free char *s = husk_asprintf ("%u/%s", first + k, proto);
      bool seen = false;
      size_t i;
      json_t *e;
      json_array_foreach (out, i, e)
        seen = seen || strcmp (json_string_value (e), s) == 0;
      if (!seen)
        json_array_append_new (out, json_string (s));
    }
}

/* --expose values to flag, then with the image's ExposedPorts to all.  */
static int
exposed_ports (const struct husk_net_port_request *q, json_t *flag, json_t *all,
               husk_error_t *err)
{
  unsigned first, count;
  const char *proto, *key;
  size_t i;
  json_t *v;

  json_array_foreach (q->expose, i, v)
    {
      if (parse_ports_proto (json_string_value (v), "--expose", json_string_value (v), &first,
                             &count, &proto, err) < 0)
        return -1;
      add_exposed (flag, first, count, proto);
      add_exposed (all, first, count, proto);
    }
  json_object_foreach (q->image_exposed, key, v)
    {
      husk_error_t ignore = NULL;
      if (parse_ports_proto (key, "ExposedPorts", key, &first, &count, &proto, &ignore) < 0)
        husk_error_release (&ignore); /* the image's mistake: skipped */
      else
        add_exposed (all, first, count, proto);
    }
  return 0;
}

int
husk_net_ports_build (const struct husk_net_port_request *q, json_t **ports_out,
                      json_t **exposed_out, husk_error_t *err)
{
  cleanup_json json_t *ports = json_array (), *all = json_array (), *flag = json_array ();
  size_t i;
  json_t *v;

  json_array_foreach (q->publish, i, v)
    if (publish (ports, json_string_value (v), q->rootless, err) < 0)
      return -1;
  if (exposed_ports (q, flag, all, err) < 0)
    return -1;
  /* -P: every exposed port not published already, on a free host port.  */
  json_array_foreach (all, i, v)
    {
      unsigned ctr = (unsigned) strtoul (json_string_value (v), NULL, 10);
      const char *proto = strchr (json_string_value (v), '/') + 1;
      if (q->publish_all && !published (ports, ctr, proto)
          && add_port (ports, "", 0, ctr, proto, q->rootless, json_string_value (v), err) < 0)
        return -1;
    }
  *ports_out = steal_ptr (&ports);
  *exposed_out = steal_ptr (&flag);
  return 0;
}

/* ---- what ps, inspect and the backends see --------------------------------- */

size_t
net_port_runs (json_t *ports, struct net_port_run **out)
{
  struct net_port_run *runs = calloc (json_array_size (ports) + 1, sizeof *runs);
  size_t n = 0, i;
  json_t *p;

  json_array_foreach (ports, i, p)
    {
      const char *ip = json_string_value (json_object_get (p, "host_ip")) ?: "";
      const char *proto = json_string_value (json_object_get (p, "protocol")) ?: "tcp";
      unsigned hp = (unsigned) json_integer_value (json_object_get (p, "host_port"));
      unsigned cp = (unsigned) json_integer_value (json_object_get (p, "container_port"));
      struct net_port_run *last = n ? &runs[n - 1] : NULL;
      if (last && strcmp (last->host_ip, ip) == 0 && strcmp (last->protocol, proto) == 0
          && last->host_port + last->count == hp && last->container_port + last->count == cp)
        {
          last->count++;
          continue;
        }
      runs[n++] = (struct net_port_run){ .host_ip = ip, .protocol = proto, .host_port = hp,
                                         .container_port = cp, .count = 1 };
    }
  *out = runs;
  return n;
}

static char *
range_text (unsigned first, unsigned count)
{
  return count > 1 ? husk_asprintf ("%u-%u", first, first + count - 1)
                   : husk_asprintf ("%u", first);
}

char *
husk_net_ports_text (json_t *ports)
{
  cleanup_free struct net_port_run *runs = NULL;
  size_t n = net_port_runs (ports, &runs);
  struct husk_buf b = HUSK_BUF_INIT;

  for (size_t i = 0; i < n; i++)
    {
      cleanup_free char *h = range_text (runs[i].host_port, runs[i].count);
      cleanup_free char *c = range_text (runs[i].container_port, runs[i].count);
      bool v6 = strchr (runs[i].host_ip, ':') != NULL;
      husk_buf_printf (&b, "%s%s%s%s:%s->%s/%s", i ? ", " : "", v6 ? "[" : "",
                       *runs[i].host_ip ? runs[i].host_ip : "0.0.0.0", v6 ? "]" : "", h, c,
                       runs[i].protocol);
    }
  return b.len ? husk_buf_steal (&b) : (husk_buf_release (&b), husk_xstrdup (""));
}

json_t *
husk_net_ports_bindings (json_t *ports, json_t *exposed)
{
  json_t *o = json_object (), *p, *v;
  size_t i;

  json_array_foreach (exposed, i, v)
    json_object_set_new (o, json_string_value (v), json_null ());
  json_array_foreach (ports, i, p)
    {
      cleanup_free char *key = husk_asprintf (
          "%lld/%s", (long long) json_integer_value (json_object_get (p, "container_port")),
          json_string_value (json_object_get (p, "protocol")) ?: "tcp");
      json_t *list = json_object_get (o, key);
      if (!json_is_array (list))
        {
          list = json_array ();
          json_object_set_new (o, key, list);
        }
      cleanup_free char *port = husk_asprintf (
          "%lld", (long long) json_integer_value (json_object_get (p, "host_port")));
      json_array_append_new (list, json_pack (
          "{s:s, s:s}", "HostIp", json_string_value (json_object_get (p, "host_ip")) ?: "",
          "HostPort", port));
    }
  return o;
}
