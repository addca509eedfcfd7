/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The pasta backend (passt's "pack a subtle tap abstraction"): it copies
 * the host's addresses and routes into the namespace (--config-net), maps
 * the gateway's address to the host (so host.containers.internal is the
 * gateway), answers DNS sent to 169.254.1.1 with the host's resolver
 * (--dns-forward, as Podman 5), and forwards the published ports with its
 * own -t/-u.  Once configured it forks to the background and the process
 * we started exits: its exit status says whether it worked.
 */
#include "network/network-private.h"
#include "util/cleanup.h"
#include "util/fileutil.h"
#include "util/strutil.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define PASTA_DNS "169.254.1.1"

/* The options husk gives pasta itself, which a user's would contradict. */
static int
check_options (json_t *options, husk_error_t *err)
{
  static const char *const ours[] = { "--netns", "--netns-type", "-P", "--pid",
                                      "--no-netns-quit", "-f", "--foreground", "--runas", NULL };
  size_t i;
  json_t *v;

  json_array_foreach (options, i, v)
    {
      const char *s = json_string_value (v);
      size_t n = strcspn (s, "=");
      for (size_t k = 0; ours[k]; k++)
        if (strlen (ours[k]) == n && strncmp (s, ours[k], n) == 0)
          return husk_error_makex (err, EINVAL, "pasta option \"%s\" is set by husk", s);
    }
  return 0;
}

static bool
has_option (json_t *options, const char *a, const char *b)
{
  size_t i;
  json_t *v;

  json_array_foreach (options, i, v)
    {
      const char *s = json_string_value (v);
      if (strcmp (s, a) == 0 || (b && (strcmp (s, b) == 0 || husk_has_prefix (s, b))))
        return true;
    }
  return false;
}

/* -t / -u arguments for the published ports, one per run.  */
static void
port_args (json_t *ports, char ***argv)
{
  cleanup_free struct net_port_run *runs = NULL;
  size_t n = net_port_runs (ports, &runs);

  for (size_t i = 0; i < n; i++)
    {
      const struct net_port_run *r = &runs[i];
      cleanup_free char *ip = *r->host_ip ? husk_asprintf ("%s/", r->host_ip) : husk_xstrdup ("");
      char *spec = r->count > 1
                       ? husk_asprintf ("%s%u-%u:%u-%u", ip, r->host_port,
                                        r->host_port + r->count - 1, r->container_port,
                                        r->container_port + r->count - 1)
                       : husk_asprintf ("%s%u:%u", ip, r->host_port, r->container_port);
      husk_strv_append (argv, strcmp (r->protocol, "udp") == 0 ? "-u" : "-t");
      husk_strv_take (argv, spec);
    }
}

static char **
pasta_argv (const struct husk_net_ctx *n, const char *pidfile)
{
  char **argv = NULL;
  size_t i;
  json_t *v;

  husk_strv_append (&argv, n->exe);
  husk_strv_append (&argv, "--config-net");
  husk_strv_append (&argv, "--quiet");
  husk_strv_append (&argv, "--netns");
  husk_strv_append (&argv, n->netns);
  husk_strv_append (&argv, "--pid");
  husk_strv_append (&argv, pidfile);
  /* As uid 0 pasta would switch to nobody before it opens the namespace's
     file, which is in a directory only husk's user may enter (rootless,
     uid 0 is that user).  It still drops its capabilities and shuts
     itself in namespaces of its own.  */
  husk_strv_append (&argv, "--runas");
  husk_strv_append (&argv, "0:0");
  port_args (n->ports, &argv);
  json_array_foreach (n->options, i, v)
    husk_strv_append (&argv, json_string_value (v));
  /* pasta forwards every port bound inside by default ("auto"); Podman
     forwards only what was published.  */
  if (!has_option (n->options, "-t", "--tcp-ports") && json_array_size (n->ports) == 0)
    husk_strv_append (&argv, "-t"), husk_strv_append (&argv, "none");
  if (!has_option (n->options, "-u", "--udp-ports") && json_array_size (n->ports) == 0)
    husk_strv_append (&argv, "-u"), husk_strv_append (&argv, "none");
  if (!has_option (n->options, "-T", "--tcp-ns"))
    husk_strv_append (&argv, "-T"), husk_strv_append (&argv, "none");
  if (!has_option (n->options, "-U", "--udp-ns"))
    husk_strv_append (&argv, "-U"), husk_strv_append (&argv, "none");
  if (!has_option (n->options, "--dns-forward", NULL))
    husk_strv_append (&argv, "--dns-forward"), husk_strv_append (&argv, PASTA_DNS);
  return argv;
}

/* pasta with published ports but no -t for tcp: it would forward "auto";
   the ports given are the only ones, so name none for the other protocol. */
static void
other_protocol_none (json_t *ports, json_t *options, char ***argv)
{
  bool tcp = false, udp = false;
  size_t i;
  json_t *p;

  if (json_array_size (ports) == 0)
    return;
  json_array_foreach (ports, i, p)
    {
      const char *proto = json_string_value (json_object_get (p, "protocol"));
      if (proto && strcmp (proto, "udp") == 0)
        udp = true;
      else
        tcp = true;
    }
  if (!tcp && !has_option (options, "-t", "--tcp-ports"))
    husk_strv_append (argv, "-t"), husk_strv_append (argv, "none");
  if (!udp && !has_option (options, "-u", "--udp-ports"))
    husk_strv_append (argv, "-u"), husk_strv_append (argv, "none");
}

static int
start (const struct husk_net_ctx *n, struct husk_net_pending *p, husk_error_t *err)
{
  cleanup_free char *pidfile = husk_asprintf ("%s/pasta.pid", n->dir);
  cleanup_strv char **argv = pasta_argv (n, pidfile);

  other_protocol_none (n->ports, n->options, &argv);
  p->child = net_spawn (n->dir, argv, -1, false, err);
  return p->child < 0 ? -1 : 0;
}

/* pasta forks to the background once the namespace is configured: the
   process we started exits, with 0 when it worked.  */
static int
finish (const struct husk_net_ctx *n, struct husk_net_pending *p, husk_error_t *err)
{
  cleanup_free char *pidfile = husk_asprintf ("%s/pasta.pid", n->dir);
  cleanup_free char *text = NULL;
  int status = 0, pid;

  while (p->child > 0 && waitpid (p->child, &status, 0) < 0 && errno == EINTR)
    ;
  if (!WIFEXITED (status) || WEXITSTATUS (status) != 0)
    {
      cleanup_free char *why = net_log (n->dir);
      return husk_error_makex (err, EIO, "pasta failed with exit code %d%s",
                               WIFEXITED (status) ? WEXITSTATUS (status) : -1, why);
    }
  /* Its background process wrote its pid before we got here.  With err
     NULL it is recorded all the same: the teardown that follows ends it. */
  text = husk_read_file (pidfile, NULL, err);
  if (text == NULL || sscanf (text, "%d", &pid) != 1)
    return text ? husk_error_makex (err, EIO, "pasta wrote no pid") : -1;
  return net_record (n->dir, pid, err);
}

static char *
nameserver (json_t *options)
{
  size_t i;
  json_t *v;

  json_array_foreach (options, i, v)
    if (strcmp (json_string_value (v), "--dns-forward") == 0 && json_array_get (options, i + 1))
      return husk_xstrdup (json_string_value (json_array_get (options, i + 1)));
  return husk_xstrdup (PASTA_DNS);
}

static char *
host_address (json_t *options)
{
  /* With --no-map-gw the gateway is the real one, and the host's address
     is the container's own (pasta copies it): nothing reaches the host. */
  if (has_option (options, "--no-map-gw", NULL))
    return NULL;
  return net_host_gateway ();
}

const struct husk_net_backend husk_net_pasta = {
  .name = "pasta",
  .binary = "pasta",
  .package = "passt",
  .nameserver = nameserver,
  .check_options = check_options,
  .start = start,
  .finish = finish,
  .host_address = host_address,
};
