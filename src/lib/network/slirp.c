/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The slirp4netns backend: a TCP/IP stack in a process of its own,
 * joined to the namespace by path (--netns-type=path), with a tap device
 * tap0 at 10.0.2.100/24 (the gateway 10.0.2.2, the resolver 10.0.2.3:
 * the first addresses of --cidr).  It says on --ready-fd when the device
 * is up, and takes the published ports on its API socket (add_hostfwd):
 * Podman's port_handler=slirp4netns.  Podman's default port handler,
 * rootlessport (which keeps the client's source address), is not here.
 *
 * Podman's options: allow_host_loopback, cidr, enable_ipv6, mtu,
 * outbound_addr, outbound_addr6, port_handler.
 */
#include "network/network-private.h"
#include "util/cleanup.h"
#include "util/fileutil.h"
#include "util/strutil.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

/* The value of key=VALUE among the options, or NULL.  */
static const char *
option (json_t *options, const char *key)
{
  size_t n = strlen (key), i;
  json_t *v;
  const char *found = NULL;

  json_array_foreach (options, i, v)
    {
      const char *s = json_string_value (v);
      if (strncmp (s, key, n) == 0 && s[n] == '=')
        found = s + n + 1;
    }
  return found;
}

static bool
option_true (json_t *options, const char *key)
{
  const char *v = option (options, key);

  return v && strcmp (v, "true") == 0;
}

static int
check_options (json_t *options, husk_error_t *err)
{
  static const char *const keys[] = { "allow_host_loopback", "cidr", "enable_ipv6", "mtu",
                                      "outbound_addr", "outbound_addr6", "port_handler", NULL };
  size_t i;
  json_t *v;
  const char *ph = option (options, "port_handler");

  json_array_foreach (options, i, v)
    {
      const char *s = json_string_value (v);
      size_t n = strcspn (s, "=");
      bool known = false;
      for (size_t k = 0; keys[k]; k++)
        known = known || (strlen (keys[k]) == n && strncmp (s, keys[k], n) == 0);
      if (!known || s[n] != '=')
        return husk_error_makex (err, EINVAL, "unknown option for slirp4netns: \"%s\"", s);
    }
  if (ph && strcmp (ph, "slirp4netns") != 0)
    return husk_error_makex (err, ENOTSUP, "port_handler=%s is not supported: husk forwards "
                             "ports with slirp4netns's own handler (port_handler=slirp4netns)",
                             ph);
  return 0;
}

/* The n-th address of the network (cidr=, default 10.0.2.0/24).  */
static char *
cidr_address (json_t *options, unsigned nth)
{
  const char *cidr = option (options, "cidr");
  cleanup_free char *net = husk_xstrndup (cidr ? cidr : "10.0.2.0/24",
                                          strcspn (cidr ? cidr : "10.0.2.0/24", "/"));
  struct in_addr a;
  char text[INET_ADDRSTRLEN];

  if (inet_pton (AF_INET, net, &a) != 1)
    return husk_xstrdup ("");
  a.s_addr = htonl (ntohl (a.s_addr) + nth);
  return husk_xstrdup (inet_ntop (AF_INET, &a, text, sizeof text) ? text : "");
}

static char *
nameserver (json_t *options)
{
  return cidr_address (options, 3);
}

static char *
host_address (json_t *options)
{
  /* The gateway is the host's loopback only when allowed (Podman); else
     the host's own address, which slirp4netns reaches as any other.  */
  if (option_true (options, "allow_host_loopback"))
    return cidr_address (options, 2);
  return net_host_ipv4 ();
}

static char **
slirp_argv (const struct husk_net_ctx *n)
{
  char **argv = NULL;
  const char *v;

  husk_strv_append (&argv, n->exe);
  husk_strv_append (&argv, "--netns-type=path");
  husk_strv_append (&argv, "--configure");
  husk_strv_take (&argv, husk_asprintf ("--mtu=%s", option (n->options, "mtu") ?: "65520"));
  husk_strv_append (&argv, "--ready-fd=3");
  husk_strv_append (&argv, "--api-socket=api.sock"); /* in dir: sun_path is short */
  husk_strv_append (&argv, "--enable-sandbox");
  husk_strv_append (&argv, "--enable-seccomp");
  if (!option_true (n->options, "allow_host_loopback"))
    husk_strv_append (&argv, "--disable-host-loopback");
  if (option_true (n->options, "enable_ipv6"))
    husk_strv_append (&argv, "--enable-ipv6");
  if ((v = option (n->options, "cidr")))
    husk_strv_take (&argv, husk_asprintf ("--cidr=%s", v));
  if ((v = option (n->options, "outbound_addr")))
    husk_strv_take (&argv, husk_asprintf ("--outbound-addr=%s", v));
  if ((v = option (n->options, "outbound_addr6")))
    husk_strv_take (&argv, husk_asprintf ("--outbound-addr6=%s", v));
  husk_strv_append (&argv, n->netns);
  husk_strv_append (&argv, "tap0");
  return argv;
}

/* Wait for "1" on the ready pipe; EOF means it died.  */
static int
await_ready (const struct husk_net_ctx *n, int fd, husk_error_t *err)
{
  struct pollfd pfd = { .fd = fd, .events = POLLIN };
  char c = 0;
  int r;

  while ((r = poll (&pfd, 1, 10000)) < 0 && errno == EINTR)
    ;
  if (r > 0)
    while ((r = (int) read (fd, &c, 1)) < 0 && errno == EINTR)
      ;
  else
    return husk_error_makex (err, ETIMEDOUT, "slirp4netns did not configure the network in 10 s");
  if (r <= 0 || c != '1')
    {
      cleanup_free char *why = net_log (n->dir);
      return husk_error_makex (err, EIO, "slirp4netns failed to configure the network%s", why);
    }
  return 0;
}

/* One request on the API socket; its answer must have "return".  */
static int
api_call (int dirfd, json_t *req, husk_error_t *err)
{
  struct sockaddr_un sa = { .sun_family = AF_UNIX };
  cleanup_close int fd = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  cleanup_free char *text = json_dumps (req, JSON_COMPACT);
  char buf[1024];
  size_t len = 0;
  ssize_t r;
  cleanup_json json_t *ans = NULL;

  snprintf (sa.sun_path, sizeof sa.sun_path, "/proc/self/fd/%d/api.sock", dirfd);
  if (fd < 0 || connect (fd, (struct sockaddr *) &sa, sizeof sa) < 0)
    return husk_error_make (err, errno, "connect to slirp4netns's API socket");
  if (husk_write_all (fd, text, strlen (text)) < 0 || shutdown (fd, SHUT_WR) < 0)
    return husk_error_make (err, errno, "write to slirp4netns's API socket");
  while (len < sizeof buf - 1 && ((r = read (fd, buf + len, sizeof buf - 1 - len)) > 0
                                  || (r < 0 && errno == EINTR)))
    len += r > 0 ? (size_t) r : 0;
  buf[len] = '\0';
  ans = json_loads (buf, 0, NULL);
  if (json_object_get (ans, "return") == NULL)
    {
      json_t *e = json_object_get (ans, "error");
      const char *desc = json_string_value (json_object_get (e, "desc"));
      return husk_error_makex (err, EIO, "%s", desc ? desc : buf);
    }
  return 0;
}

static int
add_ports (const struct husk_net_ctx *n, husk_error_t *err)
{
  cleanup_close int dirfd = -1;
  size_t i;
  json_t *p;

  if (json_array_size (n->ports) == 0)
    return 0;
  dirfd = open (n->dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (dirfd < 0)
    return husk_error_make (err, errno, "open '%s'", n->dir);
  json_array_foreach (n->ports, i, p)
    {
      const char *ip = json_string_value (json_object_get (p, "host_ip"));
      json_int_t hp = json_integer_value (json_object_get (p, "host_port"));
      json_int_t cp = json_integer_value (json_object_get (p, "container_port"));
      const char *proto = json_string_value (json_object_get (p, "protocol")) ?: "tcp";
      cleanup_json json_t *req = json_pack ("{s:s, s:{s:s, s:s, s:I, s:I}}", "execute",
                                            "add_hostfwd", "arguments", "proto", proto,
                                            "host_addr", ip && *ip ? ip : "0.0.0.0",
                                            "host_port", hp, "guest_port", cp);
      if (api_call (dirfd, req, err) < 0)
        return husk_error_wrap (err, "slirp4netns: publish %s:%lld -> %lld/%s",
                                ip && *ip ? ip : "0.0.0.0", (long long) hp, (long long) cp,
                                proto);
    }
  return 0;
}

static int
start (const struct husk_net_ctx *n, struct husk_net_pending *p, husk_error_t *err)
{
  cleanup_strv char **argv = slirp_argv (n);
  int fds[2];
  pid_t pid;

  if (pipe2 (fds, O_CLOEXEC) < 0)
    return husk_error_make (err, errno, "pipe");
  pid = net_spawn (n->dir, argv, fds[1], true, err);
  close (fds[1]);
  if (pid < 0)
    {
      close (fds[0]);
      return -1;
    }
  p->ready_fd = fds[0];
  /* Recorded at once: whatever happens next, the teardown finds it.  */
  if (net_record (n->dir, pid, err) < 0)
    return -1;
  return 0;
}

static int
finish (const struct husk_net_ctx *n, struct husk_net_pending *p, husk_error_t *err)
{
  if (err == NULL || p->ready_fd < 0)
    return 0;
  if (await_ready (n, p->ready_fd, err) < 0)
    return -1;
  return add_ports (n, err);
}

const struct husk_net_backend husk_net_slirp4netns = {
  .name = "slirp4netns",
  .binary = "slirp4netns",
  .package = "slirp4netns",
  .nameserver = nameserver,
  .check_options = check_options,
  .start = start,
  .finish = finish,
  .host_address = host_address,
};
