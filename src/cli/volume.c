/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The volume commands: volume create, ls, inspect, rm, prune, exists,
   import, export.  Each parses its flags, calls husk_op_volume_*, and
   prints as Podman does.  */
#include "cli/cli.h"
#include "cli/output.h"
#include "format/report.h"
#include "ops/volume.h"
#include "util/cleanup.h"
#include "util/fileutil.h"
#include "util/strutil.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Print one failure of a multi-argument command; Podman's exit status for
   it: 1 when the volume does not exist, 2 when it is in use, else 125.  */
static int
report (struct cli_ctx *ctx, int status)
{
  int code = ctx->err->code;

  fprintf (stderr, "Error: %s\n", ctx->err->msg);
  husk_error_release (&ctx->err);
  if (code == ENOENT)
    return status ? status : 1;
  return code == EBUSY ? 2 : 125;
}

/* Podman's volume struct has fields its JSON leaves out when zero
   (Anonymous, UID, GID); templates may still name them.  Return: copies
   of the objects with those fields filled in.  */
static json_t *
template_view (json_t *vols)
{
  json_t *out = json_array ();
  size_t i;
  json_t *v;

  json_array_foreach (vols, i, v)
    {
      json_t *c = json_copy (v);
      if (json_object_get (c, "Anonymous") == NULL)
        json_object_set_new (c, "Anonymous", json_false ());
      if (json_object_get (c, "UID") == NULL)
        json_object_set_new (c, "UID", json_integer (0));
      if (json_object_get (c, "GID") == NULL)
        json_object_set_new (c, "GID", json_integer (0));
      json_array_append_new (out, c);
    }
  return out;
}

/* ---- create ---------------------------------------------------------------- */

struct create_opts
{
  char *driver;
  char **label, **opt;
  bool ignore;
};

static int
cmd_volume_create (struct cli_ctx *ctx, int argc, char **argv)
{
  static const struct cli_option opts[] = {
    { "driver", 'd', OPT_STRING, offsetof (struct create_opts, driver), "string", "Specify volume driver name (default \"local\")" },
    { "ignore", 0, OPT_BOOL, offsetof (struct create_opts, ignore), NULL, "Don't fail if volume already exists" },
    { "label", 'l', OPT_STRV, offsetof (struct create_opts, label), "stringArray", "Set metadata for a volume (e.g. --label mykey=value)" },
    { "opt", 'o', OPT_STRV, offsetof (struct create_opts, opt), "stringArray", "Set driver specific options: type=, device=, o=" },
    OPTION_END,
  };
  struct create_opts o = { 0 };
  struct husk_volume_create_opts co = { 0 };
  cleanup_free char *name = NULL;

  PARSE (opts, o, "[options] [NAME]", true);
  if (husk_strv_len (args) > 1)
    return cli_usage_error (ctx, "too many arguments, create takes at most 1 argument"), cli_fail (ctx);
  co.name = args[0];
  co.driver = o.driver;
  co.labels = o.label;
  co.options = o.opt;
  co.ignore = o.ignore;
  if (husk_op_volume_create (ctx->engine, &co, &name, &ctx->err) < 0)
    return cli_fail (ctx);
  puts (name);
  return 0;
}

/* ---- ls, inspect -------------------------------------------------------------- */

struct ls_opts
{
  char **filter;
  char *format;
  bool quiet, noheading, all;
};

static int
cmd_volume_ls (struct cli_ctx *ctx, int argc, char **argv)
{
  static const struct cli_option opts[] = {
    { "filter", 'f', OPT_STRV, offsetof (struct ls_opts, filter), "filter", "Filter volume output" },
    { "format", 0, OPT_STRING, offsetof (struct ls_opts, format), "string", "Format volume output using JSON or a Go template" },
    { "noheading", 'n', OPT_BOOL, offsetof (struct ls_opts, noheading), NULL, "Do not print headers" },
    { "quiet", 'q', OPT_BOOL, offsetof (struct ls_opts, quiet), NULL, "Print volume output in quiet mode" },
    OPTION_END,
  };
  struct ls_opts o = { 0 };
  cleanup_json json_t *vols = NULL, *headers = NULL, *view = NULL;
  size_t i;
  json_t *v;

  PARSE (opts, o, "[options]", true);
  if (args[0])
    return cli_usage_error (ctx, "accepts 0 arg(s), received %zu", husk_strv_len (args)), cli_fail (ctx);
  if (husk_op_volume_list (ctx->engine, o.filter, &vols, &ctx->err) < 0)
    return cli_fail (ctx);
  if (o.quiet && o.format == NULL)
    {
      json_array_foreach (vols, i, v)
        puts (json_string_value (json_object_get (v, "Name")));
      return 0;
    }
  headers = json_pack ("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "Driver", "DRIVER",
                       "Name", "VOLUME NAME", "Mountpoint", "MOUNTPOINT", "Scope", "SCOPE",
                       "CreatedAt", "CREATED AT", "Labels", "LABELS", "Options", "OPTIONS",
                       "MountCount", "MOUNT COUNT");
  view = template_view (vols);
  if (cli_print_list (ctx, o.format, "table {{.Driver}}\t{{.Name}}", headers, view, vols,
                      o.noheading) < 0)
    return cli_fail (ctx);
  return 0;
}

static int
cmd_volume_inspect (struct cli_ctx *ctx, int argc, char **argv)
{
  static const struct cli_option opts[] = {
    { "all", 'a', OPT_BOOL, offsetof (struct ls_opts, all), NULL, "Inspect all volumes" },
    { "format", 'f', OPT_STRING, offsetof (struct ls_opts, format), "string", "Format volume output using Go template" },
    OPTION_END,
  };
  struct ls_opts o = { 0 };
  cleanup_json json_t *all = NULL;
  int status = 0;

  PARSE (opts, o, "[options] VOLUME [VOLUME...]", true);
  if (o.all && args[0])
    return cli_usage_error (ctx, "provide one or more volume names or use --all"), cli_fail (ctx);
  if (!o.all && args[0] == NULL)
    return cli_usage_error (ctx, "provide one or more volume names or use --all"), cli_fail (ctx);
  if (o.all)
    {
      if (husk_op_volume_list (ctx->engine, NULL, &all, &ctx->err) < 0)
        return cli_fail (ctx);
    }
  else
    {
      all = json_array ();
      for (size_t i = 0; args[i]; i++)
        {
          json_t *j = husk_op_volume_inspect (ctx->engine, args[i], &ctx->err);
          if (j == NULL)
            {
              fprintf (stderr, "Error: %s\n", ctx->err->msg);
              husk_error_release (&ctx->err);
              status = 125;
              continue;
            }
          json_array_append_new (all, j);
        }
    }
  if (o.format && !husk_report_is_json (o.format))
    {
      json_t *view = template_view (all);
      json_decref (all);
      all = view;
    }
  if ((json_array_size (all) > 0 || o.format == NULL)
      && cli_print_objects (ctx, o.format, all) < 0)
    return cli_fail (ctx);
  return status;
}

/* ---- exists, rm, prune ------------------------------------------------------------ */

struct rm_opts
{
  bool all, force;
  long time;
  char **filter;
};

static int
cmd_volume_exists (struct cli_ctx *ctx, int argc, char **argv)
{
  static const struct cli_option opts[] = { OPTION_END };
  struct rm_opts o = { 0 };
  cleanup_free char *name = NULL;

  PARSE (opts, o, "VOLUME", true);
  if (husk_strv_len (args) != 1)
    return cli_usage_error (ctx, "accepts 1 arg(s), received %zu", husk_strv_len (args)), cli_fail (ctx);
  return cli_exists_status (ctx, husk_op_volume_resolve (ctx->engine, args[0], &name, &ctx->err));
}

static int
cmd_volume_rm (struct cli_ctx *ctx, int argc, char **argv)
{
  static const struct cli_option opts[] = {
    { "all", 'a', OPT_BOOL, offsetof (struct rm_opts, all), NULL, "Remove all volumes" },
    { "force", 'f', OPT_BOOL, offsetof (struct rm_opts, force), NULL, "Remove a volume by force, even if it is being used by a container" },
    { "time", 't', OPT_INT, offsetof (struct rm_opts, time), "int", "Seconds to wait for running containers to stop before killing the container" },
    OPTION_END,
  };
  struct rm_opts o = { .time = -1 };
  cleanup_strv char **names = NULL;
  int status = 0;

  PARSE (opts, o, "[options] VOLUME [VOLUME...]", true);
  if (o.all == (args[0] != NULL))
    return cli_usage_error (ctx, "choose either one or more volumes or all"), cli_fail (ctx);
  if (o.all)
    {
      cleanup_json json_t *vols = NULL;
      size_t i;
      json_t *v;
      if (husk_op_volume_list (ctx->engine, NULL, &vols, &ctx->err) < 0)
        return cli_fail (ctx);
      json_array_foreach (vols, i, v)
        husk_strv_append (&names, json_string_value (json_object_get (v, "Name")));
    }
  for (size_t i = 0; !o.all && args[i]; i++)
    husk_strv_append (&names, args[i]);
  for (size_t i = 0; names && names[i]; i++)
    {
      cleanup_free char *removed = NULL;
      if (husk_op_volume_remove (ctx->engine, names[i], o.force, (int) o.time, &removed,
                                 &ctx->err) < 0)
        {
          /* Podman: --force is quiet about volumes that do not exist.  */
          if (o.force && ctx->err->code == ENOENT)
            husk_error_release (&ctx->err);
          else
            status = report (ctx, status);
        }
      else
        puts (removed);
    }
  return status;
}

static int
cmd_volume_prune (struct cli_ctx *ctx, int argc, char **argv)
{
  static const struct cli_option opts[] = {
    { "filter", 0, OPT_STRV, offsetof (struct rm_opts, filter), "filters", "Provide filter values (e.g. 'label=<key>=<value>')" },
    { "force", 'f', OPT_BOOL, offsetof (struct rm_opts, force), NULL, "Do not prompt for confirmation" },
    OPTION_END,
  };
  struct rm_opts o = { 0 };
  cleanup_strv char **removed = NULL;
  int r;

  PARSE (opts, o, "[options]", true);
  if (args[0])
    return cli_usage_error (ctx, "accepts 0 arg(s), received %zu", husk_strv_len (args)), cli_fail (ctx);
  if (!o.force && isatty (0) && !cli_confirm ("This will remove all volumes not used by at least one container."))
    return 0;
  r = husk_op_volume_prune (ctx->engine, o.filter, &removed, &ctx->err);
  for (size_t i = 0; removed && removed[i]; i++)
    puts (removed[i]);
  return r < 0 ? cli_fail (ctx) : 0;
}

/* ---- import, export ---------------------------------------------------------------- */

struct export_opts
{
  char *output;
};

static int
cmd_volume_import (struct cli_ctx *ctx, int argc, char **argv)
{
  static const struct cli_option opts[] = { OPTION_END };
  struct export_opts o = { 0 };

  PARSE (opts, o, "VOLUME SOURCE", true);
  if (husk_strv_len (args) != 2)
    return cli_usage_error (ctx, "accepts 2 arg(s), received %zu", husk_strv_len (args)), cli_fail (ctx);
  if (strcmp (args[1], "-") == 0 && isatty (0))
    {
      husk_error_makex (&ctx->err, EINVAL, "cannot read from terminal, use command-line redirection");
      return cli_fail (ctx);
    }
  if (husk_op_volume_import (ctx->engine, args[0], args[1], &ctx->err) < 0)
    return cli_fail (ctx);
  return 0;
}

static int
cmd_volume_export (struct cli_ctx *ctx, int argc, char **argv)
{
  static const struct cli_option opts[] = {
    { "output", 'o', OPT_STRING, offsetof (struct export_opts, output), "string", "Write to a specified file (default: stdout, which must be redirected)" },
    OPTION_END,
  };
  struct export_opts o = { 0 };
  const char *output;

  PARSE (opts, o, "[options] VOLUME", true);
  if (husk_strv_len (args) != 1)
    return cli_usage_error (ctx, "accepts 1 arg(s), received %zu", husk_strv_len (args)), cli_fail (ctx);
  output = o.output && *o.output ? o.output : "-";
  if (husk_output_is_stdout (output) && isatty (1))
    {
      husk_error_makex (&ctx->err, EINVAL, "expects output path, use --output=[path]");
      return cli_fail (ctx);
    }
  if (husk_op_volume_export (ctx->engine, args[0], output, &ctx->err) < 0)
    return cli_fail (ctx);
  return 0;
}

const struct cli_command cli_volume_commands[] = {
  { "create", cmd_volume_create, CMD_ENGINE, NULL, "Create a new volume" },
  { "exists", cmd_volume_exists, CMD_ENGINE, NULL, "Check if volume exists" },
  { "export", cmd_volume_export, CMD_ENGINE, NULL, "Export volumes" },
  { "import", cmd_volume_import, CMD_ENGINE, NULL, "Import a tarball contents into a volume" },
  { "inspect", cmd_volume_inspect, CMD_ENGINE, NULL, "Display detailed information on one or more volumes" },
  { "list", cmd_volume_ls, CMD_ENGINE | CMD_HIDDEN, NULL, "List volumes" },
  { "ls", cmd_volume_ls, CMD_ENGINE, NULL, "List volumes" },
  { "prune", cmd_volume_prune, CMD_ENGINE, NULL, "Remove all unused volumes" },
  { "remove", cmd_volume_rm, CMD_ENGINE | CMD_HIDDEN, NULL, "Remove one or more volumes" },
  { "rm", cmd_volume_rm, CMD_ENGINE, NULL, "Remove one or more volumes" },
  { NULL, NULL, 0, NULL, NULL },
};
