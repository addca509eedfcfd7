/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The containers a command acts on, collected the way Podman does: every
 * name is resolved before anything happens, so `husk stop a nosuch b`
 * fails without touching a; --all takes the containers in the states the
 * command works on; --latest takes the newest.  Failures of the work
 * itself are kept and printed after the results, each as "Error: ...",
 * as Podman prints its errors after the names of what succeeded.
 */
#ifndef HUSK_CLI_TARGETS_H
#define HUSK_CLI_TARGETS_H

#include "cli/cli.h"

#include <stdbool.h>
#include <stddef.h>

struct cli_target
{
  char *ref; /* as the user wrote it; the full ID with --all or --latest */
  char *id;  /* the full ID */
};

/* What --all takes.  */
enum cli_all_filter
{
  CLI_ALL_ANY,         /* every container */
  CLI_ALL_ACTIVE,      /* running or paused */
  CLI_ALL_RUNNING,     /* running */
  CLI_ALL_PAUSED,      /* paused */
  CLI_ALL_NOT_RUNNING, /* anything but running */
};

struct cli_target_opts
{
  bool all, latest;
  bool ignore;     /* names of missing containers are skipped silently */
  bool keep_going; /* names of missing containers are skipped; the first
                      one's error is kept in missing */
  enum cli_all_filter filter;
  const char *no_args;         /* NULL: "you must provide at least one name or id" */
  const char *all_and_args;    /* NULL: "no arguments are needed with --all" */
  const char *latest_and_args; /* NULL: "--latest and containers cannot be used together" */
};

struct cli_targets
{
  struct cli_target *v;
  size_t n;
  husk_error_t missing; /* keep_going: the first missing name's error */
  char **errors;        /* deferred messages, printed by cli_targets_finish */
  int status;           /* the exit status so far */
};

/**
 * cli_targets_collect() - Resolve the containers a command acts on
 * @args: the names and IDs the user gave
 * @o:    --all, --latest, --ignore and the messages of the usage errors
 * @t:    filled in; release with cli_targets_finish() or _release()
 *
 * Return: 0, or -1 with ctx->err set: EINVAL for a usage error, ENOENT for
 * the first name (in the order given) that is no container, or "no such
 * container" for --latest without containers.  Nothing is kept on failure.
 */
int cli_targets_collect (struct cli_ctx *ctx, char **args, const struct cli_target_opts *o,
                         struct cli_targets *t);

/* Append one container (a command that chooses its own, as unmount -a). */
void cli_targets_add (struct cli_targets *t, const char *ref, const char *id);

/* Keep ctx->err to print after the results and make status the exit
   status (rm folds its own codes and passes them here).  */
void cli_targets_defer (struct cli_ctx *ctx, struct cli_targets *t, int status);

/* Flush stdout, print the deferred errors in order, release t.
   Return: the exit status.  */
int cli_targets_finish (struct cli_targets *t);

void cli_targets_release (struct cli_targets *t);

/* inspect's errors, as Podman prints them: all but the first as "error
   inspecting object: X", then the first as "Error: inspecting object: X".
   Return: 0 without errors, else 125.  */
int cli_inspect_errors (char **errors);

/* Inspect each of refs: containers, then (type "all") images and volumes,
   as Podman looks them up; print what was found with format, then the
   errors as cli_inspect_errors() does.  Return: 0, or 125.  */
int cli_inspect_objects (struct cli_ctx *ctx, char **refs, const char *type, bool size,
                         const char *format, char ***errors);

/* inspect's names: the arguments, or with --latest (or none given) the
   newest container's ID in latest[0] (collected into t).  A missing
   container becomes one of *errors.  Return: the names (args or latest),
   or NULL after a usage error.  */
char **cli_inspect_refs (struct cli_ctx *ctx, char **args, bool latest, struct cli_targets *t,
                         char *latest_ids[2], char ***errors);
#define cleanup_targets __attribute__ ((__cleanup__ (cli_targets_release)))

#endif
