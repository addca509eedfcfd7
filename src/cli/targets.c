/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The containers a command acts on (see targets.h): one place that
   resolves names, --all and --latest for stop, kill, rm, start, restart,
   pause, unpause, wait, logs, port, mount and unmount.  */
#include "cli/output.h"
#include "cli/targets.h"
#include "ops/volume.h"
#include "ops/image.h"
#include "ops/container.h"
#include "util/cleanup.h"
#include "util/strutil.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

void
cli_targets_add (struct cli_targets *t, const char *ref, const char *id)
{
  t->v = husk_xrealloc (t->v, (t->n + 1) * sizeof *t->v);
  t->v[t->n].ref = husk_xstrdup (ref);
  t->v[t->n].id = husk_xstrdup (id);
  t->n++;
}

static bool
state_fits (const char *state, enum cli_all_filter f)
{
  bool running = strcmp (state, "running") == 0, paused = strcmp (state, "paused") == 0;

  switch (f)
    {
    case CLI_ALL_ACTIVE:
      return running || paused;
    case CLI_ALL_RUNNING:
      return running;
    case CLI_ALL_PAUSED:
      return paused;
    case CLI_ALL_NOT_RUNNING:
      return !running;
    case CLI_ALL_ANY:
    default:
      return true;
    }
}

/* --all (newest first) or --latest (the newest of all).  */
static int
from_list (struct cli_ctx *ctx, bool latest, enum cli_all_filter f, struct cli_targets *t)
{
  struct husk_container_rec *list = NULL;
  size_t n = 0;

  if (husk_op_container_list (ctx->engine, &list, &n, &ctx->err) < 0)
    return -1;
  if (latest && n == 0)
    return husk_error_makex (&ctx->err, ENOENT, "no such container");
  for (size_t i = 0; i < (latest ? 1 : n); i++)
    if (latest || state_fits (list[i].state, f))
      cli_targets_add (t, list[i].id, list[i].id);
  husk_container_rec_array_free (list, n);
  return 0;
}

static int
usage_checks (struct cli_ctx *ctx, char **args, const struct cli_target_opts *o)
{
  if (o->all && o->latest)
    return husk_error_makex (&ctx->err, EINVAL, "--all and --latest cannot be used together");
  if (o->latest && args[0])
    return husk_error_makex (&ctx->err, EINVAL, "%s", o->latest_and_args ? o->latest_and_args
                             : "--latest and containers cannot be used together");
  if (o->all && args[0])
    return husk_error_makex (&ctx->err, EINVAL, "%s", o->all_and_args ? o->all_and_args
                             : "no arguments are needed with --all");
  if (!o->all && !o->latest && args[0] == NULL)
    return husk_error_makex (&ctx->err, EINVAL, "%s", o->no_args ? o->no_args
                             : "you must provide at least one name or id");
  return 0;
}

int
cli_targets_collect (struct cli_ctx *ctx, char **args, const struct cli_target_opts *o,
                     struct cli_targets *t)
{
  memset (t, 0, sizeof *t);
  if (usage_checks (ctx, args, o) < 0)
    return -1;
  if (o->all || o->latest)
    {
      if (from_list (ctx, o->latest, o->filter, t) == 0)
        return 0;
      cli_targets_release (t);
      return -1;
    }
  for (size_t i = 0; args[i]; i++)
    {
      cleanup_free char *id = NULL;
      husk_error_t err = NULL;
      if (husk_op_container_resolve (ctx->engine, args[i], &id, &err) == 0)
        {
          cli_targets_add (t, args[i], id);
          continue;
        }
      if (err->code == ENOENT && (o->ignore || o->keep_going))
        {
          if (o->keep_going && t->missing == NULL)
            husk_error_move (&t->missing, &err);
          husk_error_release (&err);
          continue;
        }
      /* The first missing name fails the command before any work.  */
      cli_targets_release (t);
      husk_error_move (&ctx->err, &err);
      return -1;
    }
  return 0;
}

void
cli_targets_defer (struct cli_ctx *ctx, struct cli_targets *t, int status)
{
  if (ctx->err)
    husk_strv_append (&t->errors, ctx->err->msg);
  husk_error_release (&ctx->err);
  t->status = status;
}

int
cli_targets_finish (struct cli_targets *t)
{
  int status = t->status;

  fflush (stdout);
  for (size_t i = 0; t->errors && t->errors[i]; i++)
    fprintf (stderr, "Error: %s\n", t->errors[i]);
  cli_targets_release (t);
  return status;
}

void
cli_targets_release (struct cli_targets *t)
{
  for (size_t i = 0; i < t->n; i++)
    {
      free (t->v[i].ref);
      free (t->v[i].id);
    }
  free (t->v);
  husk_strv_free (t->errors);
  husk_error_release (&t->missing);
  memset (t, 0, sizeof *t);
}

int
cli_inspect_errors (char **errors)
{
  if (errors == NULL || errors[0] == NULL)
    return 0;
  fflush (stdout);
  for (size_t i = 1; errors[i]; i++)
    fprintf (stderr, "error inspecting object: %s\n", errors[i]);
  fprintf (stderr, "Error: inspecting object: %s\n", errors[0]);
  return 125;
}

char **
cli_inspect_refs (struct cli_ctx *ctx, char **args, bool latest, struct cli_targets *t,
                  char *latest_ids[2], char ***errors)
{
  if (!latest && args[0] != NULL)
    return args;
  /* Only usage errors and "no containers" fail before the output.  */
  if (cli_targets_collect (ctx, args, &(struct cli_target_opts){
                             .latest = latest, .no_args = "no names or ids specified",
                             .latest_and_args = "--latest and arguments cannot be used together" },
                           t) < 0)
    {
      if (ctx->err->code != ENOENT)
        return NULL;
      husk_strv_append (errors, "no containers to inspect: no such container");
      husk_error_release (&ctx->err);
    }
  latest_ids[0] = t->n ? t->v[0].id : NULL;
  latest_ids[1] = NULL;
  return latest_ids;
}

int
cli_inspect_objects (struct cli_ctx *ctx, char **refs, const char *type, bool size,
                     const char *format, char ***errors)
{
  cleanup_json json_t *all = json_array ();

  /* Containers first, then images, as Podman looks them up; the objects
     found are printed, then what was not found.  */
  for (size_t i = 0; refs[i]; i++)
    {
      json_t *j = husk_op_container_inspect_sized (ctx->engine, refs[i], size, &ctx->err);
      if (j == NULL && strcmp (type, "all") == 0 && ctx->err->code == ENOENT)
        {
          husk_error_release (&ctx->err);
          j = husk_op_image_inspect (ctx->engine, refs[i], &ctx->err);
          if (j == NULL && ctx->err->code == ENOENT)
            {
              /* Then volumes, as Podman does.  */
              husk_error_release (&ctx->err);
              j = husk_op_volume_inspect (ctx->engine, refs[i], &ctx->err);
            }
          if (j == NULL && ctx->err->code == ENOENT)
            {
              husk_error_release (&ctx->err);
              husk_error_makex (&ctx->err, ENOENT, "no such object: \"%s\"", refs[i]);
            }
        }
      else if (j == NULL && ctx->err->code == ENOENT)
        {
          husk_error_release (&ctx->err);
          husk_error_makex (&ctx->err, ENOENT, "no such container %s", refs[i]);
        }
      if (j == NULL)
        {
          husk_strv_append (errors, ctx->err->msg);
          husk_error_release (&ctx->err);
          continue;
        }
      json_array_append_new (all, j);
    }
  if (cli_print_inspect (ctx, format, all) < 0)
    return cli_fail (ctx);
  return cli_inspect_errors (*errors);
}
