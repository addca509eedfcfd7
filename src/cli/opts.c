/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A small table-driven option parser.  Docker's flags are interspersed and
 * repeatable ("-e A -e B"), short booleans bundle ("-aq"), values may be
 * attached ("--name=x", "-nx") or separate, and "--" ends the options.  The
 * same table prints --help, so help cannot drift from what is parsed.
 */
#include "cli/cli.h"
#include "util/strutil.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct cli_option *
find_long (const struct cli_option *opts, const char *name, size_t len)
{
  for (; opts->type != OPT_END; opts++)
    if (strlen (opts->name) == len && strncmp (opts->name, name, len) == 0)
      return opts;
  return NULL;
}

static const struct cli_option *
find_short (const struct cli_option *opts, char c)
{
  for (; opts->type != OPT_END; opts++)
    if (opts->short_name == c)
      return opts;
  return NULL;
}

int
cli_usage_error (struct cli_ctx *ctx, const char *fmt, ...)
{
  va_list ap;
  char *msg;

  va_start (ap, fmt);
  msg = husk_vasprintf (fmt, ap);
  va_end (ap);
  husk_error_makex (&ctx->err, HUSK_ERR_USAGE, "%s", msg);
  free (msg);
  return -1;
}

static int
parse_bool (const char *v, bool *out)
{
  if (strcmp (v, "true") == 0 || strcmp (v, "1") == 0)
    *out = true;
  else if (strcmp (v, "false") == 0 || strcmp (v, "0") == 0)
    *out = false;
  else
    return -1;
  return 0;
}

static int
store (struct cli_ctx *ctx, const struct cli_option *o, void *out,
       const char *value)
{
  char *field = (char *) out + o->offset;
  char *end;

  switch (o->type)
    {
    case OPT_BOOL:
      if (value == NULL)
        *(bool *) field = true;
      else if (parse_bool (value, (bool *) field) < 0)
        return cli_usage_error (ctx, "invalid argument \"%s\" for \"--%s\" flag: "
                                "parse error", value, o->name);
      return 0;
    case OPT_TRISTATE:
      {
        bool b = true;
        if (value && parse_bool (value, &b) < 0)
          return cli_usage_error (ctx, "invalid argument \"%s\" for \"--%s\" flag: "
                                  "parse error", value, o->name);
        *(int *) field = b;
        return 0;
      }
    case OPT_STRING:
      free (*(char **) field);
      *(char **) field = husk_xstrdup (value);
      return 0;
    case OPT_STRV:
      husk_strv_append ((char ***) field, value);
      return 0;
    case OPT_INT:
      errno = 0;
      *(long *) field = strtol (value, &end, 10);
      if (errno || *end || end == value)
        return cli_usage_error (ctx, "invalid argument \"%s\" for \"--%s\" flag: "
                                "strconv.ParseInt: parsing \"%s\": invalid syntax",
                                value, o->name, value);
      return 0;
    case OPT_REFUSED:
      husk_error_makex (&ctx->err, ENOTSUP, "not supported by husk: --%s: %s", o->name, o->help);
      return -1;
    case OPT_END:
      break;
    }
  return 0;
}

/* Handle "--name", "--name=value"; *i advances past a separate value.  */
static int
parse_long (struct cli_ctx *ctx, const struct cli_option *opts, void *out,
            int argc, char **argv, int *i)
{
  const char *arg = argv[*i] + 2;
  const char *eq = strchr (arg, '=');
  size_t len = eq ? (size_t) (eq - arg) : strlen (arg);
  const struct cli_option *o = find_long (opts, arg, len);

  if (o == NULL)
    return cli_usage_error (ctx, "unknown flag: --%.*s", (int) len, arg);
  if (cli_option_is_flag (o) || o->type == OPT_REFUSED)
    return store (ctx, o, out, eq ? eq + 1 : NULL);
  if (eq)
    return store (ctx, o, out, eq + 1);
  if (*i + 1 >= argc)
    return cli_usage_error (ctx, "flag needs an argument: --%s", o->name);
  (*i)++;
  return store (ctx, o, out, argv[*i]);
}

/* Handle "-a", "-aq", "-nvalue", "-n value".  */
static int
parse_short (struct cli_ctx *ctx, const struct cli_option *opts, void *out,
             int argc, char **argv, int *i)
{
  const char *p = argv[*i] + 1;

  for (; *p; p++)
    {
      const struct cli_option *o = find_short (opts, *p);
      if (o == NULL)
        return cli_usage_error (ctx, "unknown shorthand flag: '%c' in %s", *p,
                                argv[*i]);
      if (o->type == OPT_REFUSED)
        return store (ctx, o, out, NULL);
      if (cli_option_is_flag (o))
        {
          if (p[1] == '=')
            return store (ctx, o, out, p + 2);
          if (store (ctx, o, out, NULL) < 0)
            return -1;
          continue;
        }
      if (p[1])
        return store (ctx, o, out, p[1] == '=' ? p + 2 : p + 1);
      if (*i + 1 >= argc)
        return cli_usage_error (ctx, "flag needs an argument: '%c' in -%c", *p, *p);
      (*i)++;
      return store (ctx, o, out, argv[*i]);
    }
  return 0;
}

static const struct cli_option help_option[]
    = { { "help", 'h', OPT_BOOL, 0, NULL, "Help for this command" }, OPTION_END };

int
cli_parse (struct cli_ctx *ctx, const struct cli_option *opts, void *out,
           int argc, char **argv, bool interspersed, char ***rest,
           const char *usage)
{
  bool help = false, only_args = false;
  char **pos;
  size_t npos = 0;

  if (ctx->probe)
    {
      ctx->probe->opts = opts;
      ctx->probe->usage = usage;
      ctx->probe->interspersed = interspersed;
      return 1;
    }
  pos = husk_xzalloc (sizeof (char *));
  for (int i = 0; i < argc; i++)
    {
      const char *a = argv[i];
      int r = 0;

      if (only_args || a[0] != '-' || a[1] == '\0')
        {
          pos = husk_xrealloc (pos, (npos + 2) * sizeof (char *));
          pos[npos++] = argv[i];
          pos[npos] = NULL;
          if (!interspersed)
            only_args = true;
          continue;
        }
      if (strcmp (a, "--") == 0)
        {
          only_args = true;
          continue;
        }
      if (strcmp (a, "--help") == 0 || strcmp (a, "-h") == 0)
        {
          if (!find_short (opts, 'h') || strcmp (a, "--help") == 0)
            {
              help = true;
              continue;
            }
        }
      if (a[1] == '-')
        r = parse_long (ctx, opts, out, argc, argv, &i);
      else
        r = parse_short (ctx, opts, out, argc, argv, &i);
      if (r < 0)
        {
          free (pos);
          return -1;
        }
    }
  (void) help_option;
  if (help)
    {
      cli_print_help (ctx->cmd_path, usage, opts);
      free (pos);
      return 1;
    }
  *rest = pos;
  return 0;
}

void
cli_print_help (const char *cmd_path, const char *usage,
                const struct cli_option *opts)
{
  printf ("Usage:\n  %s %s\n\nOptions:\n", cmd_path, usage ? usage : "[options]");
  for (; opts && opts->type != OPT_END; opts++)
    {
      char left[128];
      if (opts->help == NULL || opts->type == OPT_REFUSED)
        continue; /* hidden */
      if (opts->short_name)
        snprintf (left, sizeof left, "-%c, --%s%s%s", opts->short_name,
                  opts->name, opts->arg ? " " : "", opts->arg ? opts->arg : "");
      else
        snprintf (left, sizeof left, "    --%s%s%s", opts->name,
                  opts->arg ? " " : "", opts->arg ? opts->arg : "");
      printf ("  %-32s %s\n", left, opts->help);
    }
  printf ("  %-32s %s\n", "-h, --help", "Help for this command");
}

void
cli_options_release (const struct cli_option *opts, void *out)
{
  for (; opts && opts->type != OPT_END; opts++)
    {
      char *field = (char *) out + opts->offset;
      if (opts->type == OPT_STRING)
        {
          free (*(char **) field);
          *(char **) field = NULL;
        }
      else if (opts->type == OPT_STRV)
        {
          husk_strv_free (*(char ***) field);
          *(char ***) field = NULL;
        }
    }
}

void
cli_options_owner_release (struct cli_options_owner *owner)
{
  cli_options_release (owner->opts, owner->out);
}

bool
cli_confirm (const char *fmt, ...)
{
  char line[16] = "";
  va_list ap;

  fputs ("WARNING! ", stdout);
  va_start (ap, fmt);
  vprintf (fmt, ap);
  va_end (ap);
  fputs ("\nAre you sure you want to continue? [y/N] ", stdout);
  fflush (stdout);
  return fgets (line, sizeof line, stdin) != NULL && (line[0] == 'y' || line[0] == 'Y');
}

int
cli_exists_status (struct cli_ctx *ctx, int found)
{
  if (found >= 0)
    return 0;
  if (ctx->err == NULL || ctx->err->code != ENOENT)
    return cli_fail (ctx);
  husk_error_release (&ctx->err);
  return 1;
}
