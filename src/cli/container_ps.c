/* SPDX-License-Identifier: GPL-2.0-or-later */
/* `ps`: the rows husk_op_container_ps() lists, shown as Podman shows
   them (the table, a --format template with Podman's extra fields, or
   `--format json`); and the command line `create`/`run` record for
   inspect's Config.CreateCommand.  */
#include "cli/container_ps.h"
#include "cli/output.h"
#include "format/humanize.h"
#include "ops/container_ps.h"
#include "util/cleanup.h"
#include "util/fileutil.h"
#include "util/strutil.h"

#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

void
cli_ps_row_extend (json_t *row, json_t *entry)
{
  json_t *size = json_object_get (entry, "Size"), *n;
  cleanup_free char *rw = NULL, *rootfs = NULL;
  cleanup_strv char **nets = NULL;
  cleanup_free char *networks = NULL;
  size_t i;

  json_array_foreach (json_object_get (entry, "Networks"), i, n)
    husk_strv_append (&nets, json_string_value (n));
  networks = nets ? husk_strv_join (nets, ",") : husk_xstrdup ("");
  if (json_is_object (size))
    {
      json_int_t r = json_integer_value (json_object_get (size, "rwSize"));
      json_int_t v = json_integer_value (json_object_get (size, "rootFsSize"));
      rw = husk_human_size_compact (r);
      rootfs = husk_human_size_compact (v);
      json_object_set_new (row, "Size", json_sprintf ("%s (virtual %s)", rw, rootfs));
      json_object_set_new (row, "SortSize", json_integer (v));
    }
  else
    json_object_set_new (row, "Size", json_string ("")); /* Podman: needs --size */
  json_object_set (row, "Mounts", json_object_get (entry, "Mounts"));
  json_object_set_new (row, "Networks", json_string (networks));
  json_object_set (row, "Namespaces", json_object_get (entry, "Namespaces"));
  json_object_set (row, "Pod", json_object_get (entry, "Pod"));
  json_object_set (row, "PodName", json_object_get (entry, "PodName"));
  json_object_set (row, "Pid", json_object_get (entry, "Pid"));
  json_object_set (row, "StartedAt", json_object_get (entry, "StartedAt"));
  json_object_set (row, "Exited", json_object_get (entry, "Exited"));
  json_object_set (row, "ExitedAt", json_object_get (entry, "ExitedAt"));
  json_object_set (row, "IsInfra", json_object_get (entry, "IsInfra"));
}

json_t *
cli_command_line (void)
{
  size_t len = 0;
  cleanup_free char *s = husk_read_file ("/proc/self/cmdline", &len, NULL);
  json_t *a = json_array ();

  /* NUL-separated words, each ending in NUL.  */
  for (size_t i = 0; s && i < len; i += strlen (s + i) + 1)
    json_array_append_new (a, json_string (s + i));
  return a;
}

/* ---- ps ------------------------------------------------------------------ */

struct ps_opts
{
  bool all, quiet, latest, no_trunc, size, noheading, external, ns, sync, pod;
  long last, watch;
  char **filter;
  char *format, *sort;
};

static char *
truncated (const char *s, bool no_trunc)
{
  if (!no_trunc && strlen (s) > 20)
    return husk_asprintf ("%.17s...", s);
  return husk_xstrdup (s);
}

/* The fields of a template row: the table's columns and Podman's others. */
static json_t *
template_row (const struct husk_ps_row *p, bool no_trunc, json_t *entry)
{
  const struct husk_container_rec *c = &p->rec;
  cleanup_free char *id = no_trunc ? husk_xstrdup (c->id) : husk_xstrndup (c->id, 12);
  cleanup_free char *cmd = truncated (p->command, no_trunc);
  cleanup_free char *created = husk_human_duration_ago (time (NULL) - c->created / 1000000000);
  cleanup_free char *at = husk_time_go_string (c->created / 1000000000, c->created % 1000000000, true);
  json_t *row = json_pack (
      "{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:O, s:i, s:s, s:b}",
      "ID", id, "Image", p->image, "Command", cmd, "Created", created, "CreatedAt", at,
      "CreatedHuman", created, "Status", p->status, "Ports", p->ports ? p->ports : "", "Names", c->name,
      "State", c->state, "ImageID", c->image_id, "Labels", p->labels ? p->labels : json_null (),
      "ExitCode", c->exit_code, "RunningFor", created, "AutoRemove", p->auto_remove);

  cli_ps_row_extend (row, entry);
  /* The table's POD ID, as its container ID, is the short form.  */
  if (!no_trunc && json_string_value (json_object_get (row, "Pod")))
    json_object_set_new (row, "Pod", json_stringn (json_string_value (json_object_get (row, "Pod")),
                                                   strnlen (json_string_value (json_object_get (row, "Pod")), 12)));
  return row;
}

static const struct cli_option ps_options[] = {
  { "all", 'a', OPT_BOOL, offsetof (struct ps_opts, all), NULL, "Show all the containers, default is only running containers" },
  { "external", 0, OPT_BOOL, offsetof (struct ps_opts, external), NULL, "Show containers in storage not controlled by husk (husk keeps none)" },
  { "filter", 'f', OPT_STRV, offsetof (struct ps_opts, filter), "strings", "Filter output based on conditions given" },
  { "format", 0, OPT_STRING, offsetof (struct ps_opts, format), "string", "Pretty-print containers to JSON or using a Go template" },
  { "last", 'n', OPT_INT, offsetof (struct ps_opts, last), "int", "Print the n last created containers (all states)" },
  { "latest", 'l', OPT_BOOL, offsetof (struct ps_opts, latest), NULL, "Act on the latest container husk is aware of" },
  { "namespace", 0, OPT_BOOL, offsetof (struct ps_opts, ns), NULL, "Display namespace information (alias of --ns)" },
  { "no-trunc", 0, OPT_BOOL, offsetof (struct ps_opts, no_trunc), NULL, "Display the extended information" },
  { "noheading", 0, OPT_BOOL, offsetof (struct ps_opts, noheading), NULL, "Do not print headers" },
  { "ns", 0, OPT_BOOL, offsetof (struct ps_opts, ns), NULL, "Display namespace information" },
  { "pod", 'p', OPT_BOOL, offsetof (struct ps_opts, pod), NULL, "Print the ID and name of the pod the containers are associated with" },
  { "quiet", 'q', OPT_BOOL, offsetof (struct ps_opts, quiet), NULL, "Print the numeric IDs of the containers only" },
  { "size", 's', OPT_BOOL, offsetof (struct ps_opts, size), NULL, "Display the total file sizes" },
  { "sort", 0, OPT_STRING, offsetof (struct ps_opts, sort), "string", "Sort output by: command, created, id, image, names, runningfor, size, status" },
  { "sync", 0, OPT_BOOL, offsetof (struct ps_opts, sync), NULL, "Sync container state with OCI runtime (husk always does)" },
  { "watch", 'w', OPT_INT, offsetof (struct ps_opts, watch), "uint", "Watch the ps output on an interval in seconds" },
  OPTION_END,
};

static int
print_rows (struct cli_ctx *ctx, const struct ps_opts *o, json_t *rows, json_t *jrows)
{
  cleanup_json json_t *headers = NULL;
  size_t i;
  json_t *row;

  if (o->quiet && o->format == NULL)
    {
      json_array_foreach (rows, i, row)
        puts (json_string_value (json_object_get (row, "ID")));
      return 0;
    }
  headers = json_pack ("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, "
                       "s:s, s:s, s:s}", "ID", "CONTAINER ID",
                       "Image", "IMAGE", "Command", "COMMAND", "Created", "CREATED",
                       "Status", "STATUS", "Ports", "PORTS", "Names", "NAMES", "State", "STATE",
                       "Size", "SIZE", "Pid", "PID", "Cgroup", "CGROUPNS", "IPC", "IPC",
                       "MNT", "MNT", "NET", "NET", "PIDNS", "PIDNS", "User", "USERNS", "UTS", "UTS");
  json_object_set_new (headers, "Pod", json_string ("POD ID"));
  json_object_set_new (headers, "PodName", json_string ("PODNAME"));
  return cli_print_list (ctx, o->format,
                         o->ns ? "table {{.ID}}\t{{.Names}}\t{{.Pid}}\t{{.Cgroup}}\t{{.IPC}}\t{{.MNT}}\t{{.NET}}\t{{.PIDNS}}\t{{.User}}\t{{.UTS}}"
                         : o->size ? (o->pod ? "table {{.ID}}\t{{.Image}}\t{{.Command}}\t{{.Created}}\t{{.Status}}\t{{.Ports}}\t{{.Names}}\t{{.Size}}\t{{.Pod}}\t{{.PodName}}"
                                             : "table {{.ID}}\t{{.Image}}\t{{.Command}}\t{{.Created}}\t{{.Status}}\t{{.Ports}}\t{{.Names}}\t{{.Size}}")
                         : o->pod ? "table {{.ID}}\t{{.Image}}\t{{.Command}}\t{{.Created}}\t{{.Status}}\t{{.Ports}}\t{{.Names}}\t{{.Pod}}\t{{.PodName}}"
                                  : "table {{.ID}}\t{{.Image}}\t{{.Command}}\t{{.Created}}\t{{.Status}}\t{{.Ports}}\t{{.Names}}",
                         headers, rows, jrows, o->noheading);
}

/* --ns: the namespaces in the JSON entry and, for the table and
   templates, as top-level fields too (Podman reads ".Namespaces.X" as
   ".X").  */
static void
add_namespaces (json_t *row, json_t *entry, json_t *ns)
{
  const char *k;
  json_t *v;

  json_object_set (entry, "Namespaces", ns);
  json_object_set (row, "Namespaces", ns);
  json_object_foreach (ns, k, v)
    json_object_set (row, k, v);
}

/* Podman's checks of flags that cannot go together.  */
static int
ps_check (struct cli_ctx *ctx, const struct ps_opts *o)
{
  const char *why = NULL;

  if (o->last >= 0 && o->latest)
    why = "last and latest are mutually exclusive";
  else if (o->quiet && (o->size || o->ns))
    why = "quiet conflicts with size and namespace";
  else if (o->size && o->ns)
    why = "size and namespace options conflict";
  else if (o->watch > 0 && o->latest)
    why = "the watch and latest flags cannot be used together";
  else if (o->watch < 0)
    why = "invalid argument for --watch: it must not be negative";
  else if (o->sort && !husk_op_ps_sort_valid (o->sort))
    why = "invalid option for --sort, options are: command, created, id, image, names, "
          "runningfor, size, or status";
  if (why)
    return husk_error_makex (&ctx->err, EINVAL, "%s", why);
  return 0;
}

/* List once.  Return: 0, or -1.  */
static int
ps_once (struct cli_ctx *ctx, const struct ps_opts *o)
{
  struct husk_ps_row *list = NULL;
  size_t n = 0;
  cleanup_json json_t *rows = json_array (), *jrows = json_array ();

  /* -q prints only IDs: sizes are read for a template or the table.  */
  if (husk_op_container_ps (ctx->engine, &(struct husk_ps_opts){
                              .all = o->all, .latest = o->latest, .last = o->last,
                              .filters = o->filter, .sort = o->sort, .namespaces = o->ns,
                              .size = o->size && (o->format || !o->quiet) }, &list, &n,
                            &ctx->err) < 0)
    return -1;
  for (size_t i = 0; i < n; i++)
    {
      const struct husk_ps_row *p = &list[i];
      json_t *entry = husk_op_container_ps_json (ctx->engine, &p->rec, p->cfg, p->status,
                                                 p->sized ? &p->size : NULL);
      json_t *row;
      /* As Podman: a container whose size cannot be read is reported and
         listed without it.  */
      if (p->size_error)
        fprintf (stderr, "Error: %s\n", p->size_error);
      row = template_row (p, o->no_trunc, entry);
      if (p->namespaces)
        add_namespaces (row, entry, p->namespaces);
      json_array_append_new (rows, row);
      json_array_append_new (jrows, entry);
    }
  husk_ps_rows_free (list, n);
  return print_rows (ctx, o, rows, jrows);
}

/* --watch: clear the screen and list again every o->watch seconds, until
   interrupted (or an error).  */
static int
ps_watch (struct cli_ctx *ctx, const struct ps_opts *o)
{
  for (;;)
    {
      fputs ("\033[2J\033[1;1H", stdout);
      if (ps_once (ctx, o) < 0)
        return -1;
      fflush (stdout);
      sleep ((unsigned) o->watch);
    }
}

int
cmd_container_ps (struct cli_ctx *ctx, int argc, char **argv)
{
  struct ps_opts o = { .last = -1 };
  int r;

  PARSE (ps_options, o, "[options]", true);
  if (args[0])
    return cli_usage_error (ctx, "`%s` takes no arguments", ctx->cmd_path), cli_fail (ctx);
  /* --external lists containers the store holds and the state does not
     know (Podman: Buildah's); husk changes both in one transaction and
     keeps none.  --sync: every listing already reads each container's
     state from its monitor's records.  */
  if (ps_check (ctx, &o) < 0)
    return cli_fail (ctx);
  r = o.watch > 0 ? ps_watch (ctx, &o) : ps_once (ctx, &o);
  return r < 0 ? cli_fail (ctx) : 0;
}
