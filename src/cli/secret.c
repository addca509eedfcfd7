/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The secret commands: secret create, ls, inspect, rm, exists.  Each
   parses its flags, calls husk_op_secret_*, and prints as Podman does.  */
#include "cli/cli.h"
#include "cli/output.h"
#include "format/humanize.h"
#include "format/report.h"
#include "ops/secret.h"
#include "secret/secret.h"
#include "util/cleanup.h"
#include "util/strutil.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- create ---------------------------------------------------------------- */

struct create_opts
{
  char *driver;
  char **label, **driver_opts;
  bool env, replace, ignore;
};

/* At most HUSK_SECRET_MAX_SIZE bytes of fd, and one more to tell that it
   is too big: the size check then refuses it.  */
static char *
read_limited (int fd, size_t *len, const char *what, husk_error_t *err)
{
  size_t cap = HUSK_SECRET_MAX_SIZE + 1;
  char *buf = husk_xmalloc (cap);

  *len = 0;
  while (*len < cap)
    {
      ssize_t r = read (fd, buf + *len, cap - *len);
      if (r < 0 && errno == EINTR)
        continue;
      if (r < 0)
        {
          int saved = errno;
          free (buf);
          return husk_error_make (err, saved, "read '%s'", what), NULL;
        }
      if (r == 0)
        break;
      *len += (size_t) r;
    }
  return buf;
}

static int
cmd_secret_create (struct cli_ctx *ctx, int argc, char **argv)
{
  static const struct cli_option opts[] = {
    { "driver", 'd', OPT_STRING, offsetof (struct create_opts, driver), "string", "Specify secret driver (default \"file\")" },
    OPTION_REFUSED ("driver-opts", 0, "secret driver options are not supported by husk yet"),
    { "env", 0, OPT_BOOL, offsetof (struct create_opts, env), NULL, "Read secret data from environment variable" },
    { "ignore", 0, OPT_BOOL, offsetof (struct create_opts, ignore), NULL, "If a secret with the same name exists, print its ID instead of failing" },
    { "label", 'l', OPT_STRV, offsetof (struct create_opts, label), "stringArray", "Specify labels on the secret" },
    { "replace", 0, OPT_BOOL, offsetof (struct create_opts, replace), NULL, "If a secret with the same name exists, replace it" },
    OPTION_END,
  };
  struct create_opts o = { 0 };
  struct husk_secret_create_opts co = { 0 };
  cleanup_free char *id = NULL, *data = NULL;
  size_t len = 0;

  PARSE (opts, o, "[options] NAME FILE|-", true);
  if (husk_strv_len (args) != 2)
    return cli_usage_error (ctx, "accepts 2 arg(s), received %zu", husk_strv_len (args)), cli_fail (ctx);
  if (o.ignore && o.replace)
    return cli_usage_error (ctx, "--ignore and --replace cannot be used together"), cli_fail (ctx);
  if (husk_secret_name_check (args[0], &ctx->err) < 0)
    return cli_fail (ctx);
  if (o.env)
    {
      const char *v = getenv (args[1]);
      if (v == NULL)
        {
          husk_error_makex (&ctx->err, EINVAL, "cannot create store secret data: environment "
                            "variable %s is not set", args[1]);
          return cli_fail (ctx);
        }
      len = strlen (v);
      data = husk_xstrdup (v);
    }
  else if (strcmp (args[1], "-") == 0)
    data = read_limited (0, &len, "standard input", &ctx->err);
  else
    {
      cleanup_close int fd = open (args[1], O_RDONLY | O_CLOEXEC);
      if (fd < 0)
        {
          husk_error_make (&ctx->err, errno, "open '%s'", args[1]);
          return cli_fail (ctx);
        }
      data = read_limited (fd, &len, args[1], &ctx->err);
    }
  if (data == NULL)
    return cli_fail (ctx);
  co.name = args[0];
  co.driver = o.driver;
  co.labels = o.label;
  co.replace = o.replace;
  co.ignore = o.ignore;
  co.data = data;
  co.len = len;
  if (husk_op_secret_create (ctx->engine, &co, &id, &ctx->err) < 0)
    {
      explicit_bzero (data, len);
      return cli_fail (ctx);
    }
  explicit_bzero (data, len);
  puts (id);
  return 0;
}

/* ---- ls, inspect -------------------------------------------------------------- */

struct ls_opts
{
  char **filter;
  char *format;
  bool quiet, noheading, showsecret, pretty;
};

/* The rows of `secret ls`: ID, Name, Driver, CreatedAt and UpdatedAt (as
   "3 minutes ago").  */
static json_t *
ls_rows (json_t *secrets)
{
  json_t *out = json_array ();
  int64_t now = husk_now_ns ();
  size_t i;
  json_t *s;

  json_array_foreach (secrets, i, s)
    {
      json_t *spec = json_object_get (s, "Spec");
      int64_t c = json_integer_value (json_object_get (s, "created_ns"));
      int64_t u = json_integer_value (json_object_get (s, "updated_ns"));
      cleanup_free char *cago = husk_human_duration_ago ((now - c) / 1000000000);
      cleanup_free char *uago = husk_human_duration_ago ((now - u) / 1000000000);

      json_array_append_new (out, json_pack ("{s:O, s:O, s:O, s:s, s:s, s:O}",
                                             "ID", json_object_get (s, "ID"),
                                             "Name", json_object_get (spec, "Name"),
                                             "Driver", json_object_get (json_object_get (spec, "Driver"), "Name"),
                                             "CreatedAt", cago, "UpdatedAt", uago,
                                             "Labels", json_object_get (spec, "Labels")));
      json_object_del (s, "created_ns");
      json_object_del (s, "updated_ns");
    }
  return out;
}

static int
cmd_secret_ls (struct cli_ctx *ctx, int argc, char **argv)
{
  static const struct cli_option opts[] = {
    { "filter", 'f', OPT_STRV, offsetof (struct ls_opts, filter), "filter=value", "Filter secret output" },
    { "format", 0, OPT_STRING, offsetof (struct ls_opts, format), "string", "Format secret output using Go template" },
    { "noheading", 'n', OPT_BOOL, offsetof (struct ls_opts, noheading), NULL, "Do not print headers" },
    { "quiet", 'q', OPT_BOOL, offsetof (struct ls_opts, quiet), NULL, "Print secret IDs only" },
    OPTION_END,
  };
  struct ls_opts o = { 0 };
  cleanup_json json_t *secrets = NULL, *headers = NULL, *rows = NULL;
  size_t i;
  json_t *v;

  PARSE (opts, o, "[options]", true);
  if (args[0])
    return cli_usage_error (ctx, "accepts 0 arg(s), received %zu", husk_strv_len (args)), cli_fail (ctx);
  if (husk_op_secret_list (ctx->engine, o.filter, &secrets, &ctx->err) < 0)
    return cli_fail (ctx);
  rows = ls_rows (secrets);
  if (o.quiet && o.format == NULL)
    {
      json_array_foreach (rows, i, v)
        puts (json_string_value (json_object_get (v, "ID")));
      return 0;
    }
  headers = json_pack ("{s:s, s:s, s:s, s:s, s:s, s:s}", "ID", "ID", "Name", "NAME",
                       "Driver", "DRIVER", "CreatedAt", "CREATED", "UpdatedAt", "UPDATED",
                       "Labels", "LABELS");
  if (cli_print_list (ctx, o.format,
                      "table {{.ID}}\t{{.Name}}\t{{.Driver}}\t{{.CreatedAt}}\t{{.UpdatedAt}}",
                      headers, rows, secrets, o.noheading) < 0)
    return cli_fail (ctx);
  return 0;
}

static int
cmd_secret_inspect (struct cli_ctx *ctx, int argc, char **argv)
{
  static const struct cli_option opts[] = {
    { "format", 'f', OPT_STRING, offsetof (struct ls_opts, format), "string", "Format inspect output using Go template" },
    { "pretty", 0, OPT_BOOL, offsetof (struct ls_opts, pretty), NULL, "Print inspect output in human-readable format" },
    { "showsecret", 0, OPT_BOOL, offsetof (struct ls_opts, showsecret), NULL, "Display the secret" },
    OPTION_END,
  };
  struct ls_opts o = { 0 };
  cleanup_json json_t *all = NULL;
  int status = 0;

  PARSE (opts, o, "[options] SECRET [SECRET...]", true);
  if (args[0] == NULL)
    return cli_usage_error (ctx, "requires at least 1 arg(s), only received 0"), cli_fail (ctx);
  if (o.pretty && o.format)
    {
      husk_error_makex (&ctx->err, EINVAL, "--format and --pretty cannot be used together");
      return cli_fail (ctx);
    }
  all = json_array ();
  for (size_t i = 0; args[i]; i++)
    {
      json_t *j = husk_op_secret_inspect (ctx->engine, args[i], o.showsecret, &ctx->err);
      if (j == NULL)
        {
          fprintf (stderr, "Error: inspecting secret: %s\n", ctx->err->msg);
          husk_error_release (&ctx->err);
          status = 125;
          continue;
        }
      json_array_append_new (all, j);
    }
  if (o.pretty)
    {
      size_t i;
      json_t *s;
      json_array_foreach (all, i, s)
        {
          json_t *spec = json_object_get (s, "Spec");
          if (i > 0)
            putchar ('\n');
          printf ("ID:              %s\nName:            %s\nDriver:          %s\n"
                  "Created at:      %s\nUpdated at:      %s\n",
                  json_string_value (json_object_get (s, "ID")),
                  json_string_value (json_object_get (spec, "Name")),
                  json_string_value (json_object_get (json_object_get (spec, "Driver"), "Name")),
                  json_string_value (json_object_get (s, "CreatedAt")),
                  json_string_value (json_object_get (s, "UpdatedAt")));
          if (json_object_get (s, "SecretData"))
            printf ("Secret data:     %s\n", json_string_value (json_object_get (s, "SecretData")));
        }
      return status;
    }
  if ((json_array_size (all) > 0 || o.format == NULL)
      && cli_print_objects (ctx, o.format, all) < 0)
    return cli_fail (ctx);
  return status;
}

/* ---- exists, rm ------------------------------------------------------------------ */

struct rm_opts
{
  bool all, ignore;
};

static int
cmd_secret_exists (struct cli_ctx *ctx, int argc, char **argv)
{
  static const struct cli_option opts[] = { OPTION_END };
  struct rm_opts o = { 0 };
  cleanup_free char *id = NULL;

  PARSE (opts, o, "SECRET", true);
  if (husk_strv_len (args) != 1)
    return cli_usage_error (ctx, "accepts 1 arg(s), received %zu", husk_strv_len (args)), cli_fail (ctx);
  return cli_exists_status (ctx, husk_op_secret_resolve (ctx->engine, args[0], &id, &ctx->err));
}

static int
cmd_secret_rm (struct cli_ctx *ctx, int argc, char **argv)
{
  static const struct cli_option opts[] = {
    { "all", 'a', OPT_BOOL, offsetof (struct rm_opts, all), NULL, "Remove all secrets" },
    { "ignore", 'i', OPT_BOOL, offsetof (struct rm_opts, ignore), NULL, "Ignore errors when a specified secret is missing" },
    OPTION_END,
  };
  struct rm_opts o = { 0 };
  cleanup_strv char **refs = NULL;
  int status = 0;

  PARSE (opts, o, "[options] SECRET [SECRET...]", true);
  if (o.all && args[0])
    return cli_usage_error (ctx, "when using the --all switch, you may not pass any secret names or IDs"), cli_fail (ctx);
  if (!o.all && args[0] == NULL)
    return cli_usage_error (ctx, "at least one argument is required"), cli_fail (ctx);
  if (o.all)
    {
      cleanup_json json_t *all = NULL;
      size_t i;
      json_t *v;
      if (husk_op_secret_list (ctx->engine, NULL, &all, &ctx->err) < 0)
        return cli_fail (ctx);
      json_array_foreach (all, i, v)
        husk_strv_append (&refs, json_string_value (json_object_get (v, "ID")));
    }
  for (size_t i = 0; !o.all && args[i]; i++)
    husk_strv_append (&refs, args[i]);
  for (size_t i = 0; refs && refs[i]; i++)
    {
      cleanup_free char *id = NULL;
      if (husk_op_secret_remove (ctx->engine, refs[i], &id, &ctx->err) < 0)
        {
          if (o.ignore && ctx->err->code == ENOENT)
            husk_error_release (&ctx->err);
          else
            {
              fprintf (stderr, "Error: %s\n", ctx->err->msg);
              husk_error_release (&ctx->err);
              status = 125;
            }
          continue;
        }
      puts (id);
    }
  return status;
}

const struct cli_command cli_secret_commands[] = {
  { "create", cmd_secret_create, CMD_ENGINE, NULL, "Create a new secret" },
  { "exists", cmd_secret_exists, CMD_ENGINE, NULL, "Check if a secret exists in local storage" },
  { "inspect", cmd_secret_inspect, CMD_ENGINE, NULL, "Inspect a secret" },
  { "list", cmd_secret_ls, CMD_ENGINE | CMD_HIDDEN, NULL, "List secrets" },
  { "ls", cmd_secret_ls, CMD_ENGINE, NULL, "List secrets" },
  { "remove", cmd_secret_rm, CMD_ENGINE | CMD_HIDDEN, NULL, "Remove one or more secrets" },
  { "rm", cmd_secret_rm, CMD_ENGINE, NULL, "Remove one or more secrets" },
  { NULL, NULL, 0, NULL, NULL },
};
