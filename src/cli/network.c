/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The network commands: network create, update, ls, inspect, rm, prune, exists.
   Each parses its flags, calls husk_op_network_*, and prints as Podman
   does.  */
#include "cli/cli.h"
#include "cli/network6.h"
#include "cli/output.h"
#include "format/report.h"
#include "ops/network.h"
#include "util/cleanup.h"
#include "util/strutil.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* A network as templates see it: Podman's Go field names.  */
static json_t *
go_view (json_t *n, bool trunc)
{
  const char *id = json_string_value (json_object_get (n, "id"));
  cleanup_free char *shown = husk_xstrndup (id, trunc ? 12 : 64);
  struct husk_buf labels = HUSK_BUF_INIT;
  const char *k;
  json_t *v, *view, *subnets = json_array (), *sub;
  size_t i;

  json_object_foreach (json_object_get (n, "labels"), k, v)
    husk_buf_printf (&labels, "%s%s=%s", labels.len ? "," : "", k, json_string_value (v));
  json_array_foreach (json_object_get (n, "subnets"), i, sub)
    json_array_append_new (subnets, json_pack ("{s:O?, s:O?, s:O?}", "Subnet",
                                               json_object_get (sub, "subnet"), "Gateway",
                                               json_object_get (sub, "gateway"), "LeaseRange",
                                               json_object_get (sub, "lease_range")));
  /* A macvlan network without a parent has no network_interface.  */
  view = json_pack ("{s:s, s:O, s:O, s:s, s:O, s:o, s:O, s:O, s:O, s:O, s:O, s:O, s:s%}",
                    "ID", shown, "Name", json_object_get (n, "name"), "Driver",
                    json_object_get (n, "driver"), "NetworkInterface",
                    json_string_value (json_object_get (n, "network_interface")) ?: "", "Created",
                    json_object_get (n, "created"), "Subnets", subnets,
                    "IPv6Enabled", json_object_get (n, "ipv6_enabled"), "Internal",
                    json_object_get (n, "internal"), "DNSEnabled",
                    json_object_get (n, "dns_enabled"), "Options", json_object_get (n, "options"),
                    "IPAMOptions", json_object_get (n, "ipam_options"), "LabelsMap",
                    json_object_get (n, "labels"), "Labels", labels.data ? labels.data : "",
                    labels.len);
  husk_buf_release (&labels);
  json_object_set_new (view, "NetworkDNSServers",
                       json_deep_copy (json_object_get (n, "network_dns_servers")) ?: json_array ());
  return view;
}

static int
report (struct cli_ctx *ctx)
{
  int code = ctx->err->code;

  fprintf (stderr, "Error: %s\n", ctx->err->msg);
  husk_error_release (&ctx->err);
  return code == ENOENT ? 1 : code == EBUSY ? 2 : 125;
}

/* ---- create ------------------------------------------------------------------ */

struct create_opts
{
  char *driver, *ip_range, *interface;
  char **label, **opt, **subnet, **gateway, **dns;
  bool internal, disable_dns, ignore, ipv6;
};

/* Repeated values that may each be a comma list, as one array, each
   value once.  */
static json_t *
list_of (char **v)
{
  json_t *out = json_array ();

  for (size_t i = 0; v && v[i]; i++)
    {
      cleanup_strv char **parts = husk_strv_split (v[i], ',');
      for (size_t k = 0; parts[k]; k++)
        {
          json_t *item = json_string (parts[k]), *had;
          size_t j;
          bool seen = *parts[k] == '\0';
          json_array_foreach (out, j, had)
            seen = seen || json_equal (had, item);
          if (seen)
            json_decref (item);
          else
            json_array_append_new (out, item);
        }
    }
  return out;
}

/* "k=v" strings as an object; a bare "k" gets "".  */
static json_t *
pairs (char **v)
{
  json_t *o = json_object ();

  for (size_t i = 0; v && v[i]; i++)
    {
      const char *eq = strchr (v[i], '=');
      cleanup_free char *k = eq ? husk_xstrndup (v[i], eq - v[i]) : husk_xstrdup (v[i]);
      json_object_set_new (o, k, json_string (eq ? eq + 1 : ""));
    }
  return o;
}

static int
cmd_network_create (struct cli_ctx *ctx, int argc, char **argv)
{
#define F(x) offsetof (struct create_opts, x)
  static const struct cli_option opts[] = {
    { "disable-dns", 0, OPT_BOOL, F (disable_dns), NULL, "disable dns plugin" },
    { "dns", 0, OPT_STRV, F (dns), "strings", "DNS servers this network will use" },
    { "driver", 'd', OPT_STRING, F (driver), "string", "driver to manage the network (default \"bridge\")" },
    { "gateway", 0, OPT_STRV, F (gateway), "ip", "IPv4 or IPv6 gateway for the subnet" },
    { "ignore", 0, OPT_BOOL, F (ignore), NULL, "Don't fail if network already exists" },
    { "interface-name", 0, OPT_STRING, F (interface), "string", "interface name which is used by the driver" },
    { "internal", 0, OPT_BOOL, F (internal), NULL, "restrict external access from this network" },
    { "ip-range", 0, OPT_STRING, F (ip_range), "string", "allocate container IP from range" },
    { "ipv6", 0, OPT_BOOL, F (ipv6), NULL, "enable IPv6 networking" },
    { "label", 0, OPT_STRV, F (label), "stringArray", "set metadata on a network" },
    { "opt", 'o', OPT_STRV, F (opt), "stringArray", "Set driver specific options (default [])" },
    { "subnet", 0, OPT_STRV, F (subnet), "string", "subnet in CIDR format" },
    OPTION_END,
  };
#undef F
  struct create_opts o = { 0 };
  cleanup_json json_t *labels = NULL, *options = NULL, *net = NULL, *dns = NULL;
  struct husk_network_request q = { 0 };

  PARSE (opts, o, "[options] [NAME]", true);
  if (husk_strv_len (args) > 1)
    return cli_usage_error (ctx, "accepts at most 1 arg(s), received %zu", husk_strv_len (args)), cli_fail (ctx);
  labels = pairs (o.label);
  options = pairs (o.opt);
  dns = list_of (o.dns);
  q = (struct husk_network_request){ .name = args[0], .driver = o.driver,
                                     .ip_range = o.ip_range,
                                     .interface = o.interface, .internal = o.internal,
                                     .disable_dns = o.disable_dns, .ignore = o.ignore,
                                     .labels = labels, .options = options,
                                     .dns_servers = dns, .ipv6 = o.ipv6 };
  if (cli_network_subnets (o.subnet, o.gateway, &q, &ctx->err) < 0)
    return cli_fail (ctx);
  if (husk_op_network_create (ctx->engine, &q, &net, &ctx->err) < 0)
    return cli_fail (ctx);
  puts (json_string_value (json_object_get (net, "name")));
  return 0;
}

/* ---- update ------------------------------------------------------------------ */

struct update_opts
{
  char **dns_add, **dns_drop;
};

static int
cmd_network_update (struct cli_ctx *ctx, int argc, char **argv)
{
  static const struct cli_option opts[] = {
    { "dns-add", 0, OPT_STRV, offsetof (struct update_opts, dns_add), "strings", "add network level nameservers" },
    { "dns-drop", 0, OPT_STRV, offsetof (struct update_opts, dns_drop), "strings", "remove network level nameservers" },
    OPTION_END,
  };
  struct update_opts o = { 0 };
  cleanup_json json_t *add = NULL, *drop = NULL, *net = NULL;

  PARSE (opts, o, "[options] NETWORK", true);
  if (husk_strv_len (args) != 1)
    return cli_usage_error (ctx, "accepts 1 arg(s), received %zu", husk_strv_len (args)), cli_fail (ctx);
  add = list_of (o.dns_add);
  drop = list_of (o.dns_drop);
  if (husk_op_network_update (ctx->engine, args[0], add, drop, &net, &ctx->err) < 0)
    return cli_fail (ctx);
  puts (args[0]);
  return 0;
}

/* ---- ls, inspect, exists ------------------------------------------------------- */

struct ls_opts
{
  char **filter;
  char *format;
  bool quiet, noheading, no_trunc;
};

static int
cmd_network_ls (struct cli_ctx *ctx, int argc, char **argv)
{
  static const struct cli_option opts[] = {
    { "filter", 'f', OPT_STRV, offsetof (struct ls_opts, filter), "strings", "Provide filter values (e.g. 'name=podman')" },
    { "format", 0, OPT_STRING, offsetof (struct ls_opts, format), "string", "Pretty-print networks to JSON or using a Go template" },
    { "noheading", 0, OPT_BOOL, offsetof (struct ls_opts, noheading), NULL, "Do not print headers" },
    { "no-trunc", 0, OPT_BOOL, offsetof (struct ls_opts, no_trunc), NULL, "Do not truncate the network ID" },
    { "quiet", 'q', OPT_BOOL, offsetof (struct ls_opts, quiet), NULL, "display only names" },
    OPTION_END,
  };
  struct ls_opts o = { 0 };
  cleanup_json json_t *nets = NULL, *headers = NULL, *view = json_array ();
  size_t i;
  json_t *n;

  PARSE (opts, o, "[options]", true);
  if (args[0])
    return cli_usage_error (ctx, "accepts 0 arg(s), received %zu", husk_strv_len (args)), cli_fail (ctx);
  if (husk_op_network_list (ctx->engine, o.filter, &nets, &ctx->err) < 0)
    return cli_fail (ctx);
  if (o.quiet && o.format == NULL)
    {
      json_array_foreach (nets, i, n)
        puts (json_string_value (json_object_get (n, "name")));
      return 0;
    }
  json_array_foreach (nets, i, n)
    json_array_append_new (view, go_view (n, !o.no_trunc));
  headers = json_pack ("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "ID", "NETWORK ID",
                       "Name", "NAME", "Driver", "DRIVER", "Labels", "LABELS",
                       "NetworkInterface", "NETWORK INTERFACE", "Created", "CREATED",
                       "Internal", "INTERNAL", "DNSEnabled", "DNS ENABLED", "IPv6Enabled",
                       "IPV6 ENABLED");
  if (cli_print_list (ctx, o.format, "table {{.ID}}\t{{.Name}}\t{{.Driver}}", headers, view,
                      nets, o.noheading) < 0)
    return cli_fail (ctx);
  return 0;
}

static int
cmd_network_inspect (struct cli_ctx *ctx, int argc, char **argv)
{
  static const struct cli_option opts[] = {
    { "format", 'f', OPT_STRING, offsetof (struct ls_opts, format), "string", "Pretty-print network to JSON or using a Go template" },
    OPTION_END,
  };
  struct ls_opts o = { 0 };
  cleanup_json json_t *all = json_array ();
  int status = 0;

  PARSE (opts, o, "[options] NETWORK [NETWORK...]", true);
  if (args[0] == NULL)
    return cli_usage_error (ctx, "requires at least 1 arg(s), only received 0"), cli_fail (ctx);
  for (size_t i = 0; args[i]; i++)
    {
      json_t *j = husk_op_network_inspect (ctx->engine, args[i], &ctx->err);
      if (j == NULL)
        {
          status = report (ctx) == 1 ? 125 : 125;
          continue;
        }
      if (o.format && !husk_report_is_json (o.format))
        {
          json_t *v = go_view (j, false);
          json_decref (j);
          j = v;
        }
      json_array_append_new (all, j);
    }
  if ((json_array_size (all) > 0 || o.format == NULL) && cli_print_objects (ctx, o.format, all) < 0)
    return cli_fail (ctx);
  return status;
}

static int
cmd_network_exists (struct cli_ctx *ctx, int argc, char **argv)
{
  static const struct cli_option opts[] = { OPTION_END };
  struct ls_opts o = { 0 };
  cleanup_json json_t *net = NULL;

  PARSE (opts, o, "NETWORK", true);
  if (husk_strv_len (args) != 1)
    return cli_usage_error (ctx, "accepts 1 arg(s), received %zu", husk_strv_len (args)), cli_fail (ctx);
  net = husk_op_network_inspect (ctx->engine, args[0], &ctx->err);
  return cli_exists_status (ctx, net ? 0 : -1);
}

/* ---- rm, prune ------------------------------------------------------------------ */

struct rm_opts
{
  bool force;
  long time;
  char **filter;
};

static int
cmd_network_rm (struct cli_ctx *ctx, int argc, char **argv)
{
  static const struct cli_option opts[] = {
    { "force", 'f', OPT_BOOL, offsetof (struct rm_opts, force), NULL, "remove any containers using network" },
    { "time", 't', OPT_INT, offsetof (struct rm_opts, time), "int", "Seconds to wait for running containers to stop before killing the container" },
    OPTION_END,
  };
  struct rm_opts o = { .time = -1 };
  int status = 0;

  PARSE (opts, o, "[options] NETWORK [NETWORK...]", true);
  if (args[0] == NULL)
    return cli_usage_error (ctx, "requires at least 1 arg(s), only received 0"), cli_fail (ctx);
  for (size_t i = 0; args[i]; i++)
    {
      cleanup_free char *removed = NULL;
      if (husk_op_network_remove (ctx->engine, args[i], o.force, (int) o.time, &removed,
                                  &ctx->err) < 0)
        status = report (ctx);
      else
        puts (removed);
    }
  return status;
}

static int
cmd_network_prune (struct cli_ctx *ctx, int argc, char **argv)
{
  static const struct cli_option opts[] = {
    { "filter", 0, OPT_STRV, offsetof (struct rm_opts, filter), "strings", "Provide filter values (e.g. 'label=<key>=<value>')" },
    { "force", 'f', OPT_BOOL, offsetof (struct rm_opts, force), NULL, "do not prompt for confirmation" },
    OPTION_END,
  };
  struct rm_opts o = { 0 };
  cleanup_strv char **removed = NULL;
  int r;

  PARSE (opts, o, "[options]", true);
  if (args[0])
    return cli_usage_error (ctx, "accepts 0 arg(s), received %zu", husk_strv_len (args)), cli_fail (ctx);
  if (!o.force && isatty (0)
      && !cli_confirm ("This will remove all networks not used by at least one container."))
    return 0;
  r = husk_op_network_prune (ctx->engine, o.filter, &removed, &ctx->err);
  for (size_t i = 0; removed && removed[i]; i++)
    puts (removed[i]);
  return r < 0 ? cli_fail (ctx) : 0;
}

/* ---- connect, disconnect ------------------------------------------------------------ */

struct connect_opts
{
  char **alias;
  char *ip, *mac, *ip6;
  bool force;
};

static int
cmd_network_connect (struct cli_ctx *ctx, int argc, char **argv)
{
  static const struct cli_option opts[] = {
    { "alias", 0, OPT_STRV, offsetof (struct connect_opts, alias), "strings", "network scoped alias for container" },
    { "ip", 0, OPT_STRING, offsetof (struct connect_opts, ip), "string", "set a static ipv4 address for this container network" },
    { "ip6", 0, OPT_STRING, offsetof (struct connect_opts, ip6), "string", "set a static ipv6 address for this container network" },
    { "mac-address", 0, OPT_STRING, offsetof (struct connect_opts, mac), "string", "set a static mac address for this container network" },
    OPTION_END,
  };
  struct connect_opts o = { 0 };
  cleanup_json json_t *aliases = json_array ();
  struct husk_bridge_connect q;

  PARSE (opts, o, "[options] NETWORK CONTAINER", true);
  if (husk_strv_len (args) != 2)
    return cli_usage_error (ctx, "accepts 2 arg(s), received %zu", husk_strv_len (args)), cli_fail (ctx);
  for (size_t i = 0; o.alias && o.alias[i]; i++)
    json_array_append_new (aliases, json_string (o.alias[i]));
  q = (struct husk_bridge_connect){ .network = args[0], .ip = o.ip, .ip6 = o.ip6, .mac = o.mac,
                                    .aliases = aliases };
  if (husk_op_network_connect (ctx->engine, args[1], &q, &ctx->err) < 0)
    return cli_fail (ctx);
  return 0;
}

static int
cmd_network_disconnect (struct cli_ctx *ctx, int argc, char **argv)
{
  static const struct cli_option opts[] = {
    { "force", 'f', OPT_BOOL, offsetof (struct connect_opts, force), NULL, "force removal of container from network" },
    OPTION_END,
  };
  struct connect_opts o = { 0 };

  PARSE (opts, o, "[options] NETWORK CONTAINER", true);
  if (husk_strv_len (args) != 2)
    return cli_usage_error (ctx, "accepts 2 arg(s), received %zu", husk_strv_len (args)), cli_fail (ctx);
  if (husk_op_network_disconnect (ctx->engine, args[0], args[1], &ctx->err) < 0)
    return cli_fail (ctx);
  return 0;
}

/* ---- reload --------------------------------------------------------------------- */

struct reload_opts
{
  bool all;
};

static int
cmd_network_reload (struct cli_ctx *ctx, int argc, char **argv)
{
  static const struct cli_option opts[] = {
    { "all", 'a', OPT_BOOL, offsetof (struct reload_opts, all), NULL, "Reload network configuration of all containers" },
    OPTION_END,
  };
  struct reload_opts o = { 0 };
  cleanup_strv char **done = NULL;
  int r;

  PARSE (opts, o, "[options] [CONTAINER...]", true);
  if (o.all == (args[0] != NULL))
    return cli_usage_error (ctx, o.all ? "--all and containers cannot be used together"
                                       : "requires at least one container or --all"),
           cli_fail (ctx);
  r = husk_op_network_reload (ctx->engine, args, o.all, &done, &ctx->err);
  for (size_t i = 0; r == 0 && done && done[i]; i++)
    puts (done[i]);
  return r < 0 ? cli_fail (ctx) : 0;
}

const struct cli_command cli_network_commands[] = {
  { "connect", cmd_network_connect, CMD_ENGINE, NULL, "Add container to a network" },
  { "create", cmd_network_create, CMD_ENGINE, NULL, "network create" },
  { "disconnect", cmd_network_disconnect, CMD_ENGINE, NULL, "Disconnect a container from a network" },
  { "exists", cmd_network_exists, CMD_ENGINE, NULL, "network exists" },
  { "inspect", cmd_network_inspect, CMD_ENGINE, NULL, "Displays the raw CNI network configuration for one or more networks." },
  { "list", cmd_network_ls, CMD_ENGINE | CMD_HIDDEN, NULL, "List networks" },
  { "ls", cmd_network_ls, CMD_ENGINE, NULL, "List networks" },
  { "prune", cmd_network_prune, CMD_ENGINE, NULL, "Prune unused networks" },
  { "reload", cmd_network_reload, CMD_ENGINE, NULL, "Reload firewall rules for one or more containers" },
  { "remove", cmd_network_rm, CMD_ENGINE | CMD_HIDDEN, NULL, "Remove networks" },
  { "rm", cmd_network_rm, CMD_ENGINE, NULL, "Remove networks" },
  { "update", cmd_network_update, CMD_ENGINE, NULL, "update an existing podman network" },
  { NULL, NULL, 0, NULL, NULL },
};
