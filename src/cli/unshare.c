/* SPDX-License-Identifier: GPL-2.0-or-later */
/* husk unshare: a command inside the rootless user namespace; husk system
   migrate: a new namespace after the subordinate ID ranges changed.  */
#include "cli/cli.h"
#include "ops/network.h"
#include "userns/userns.h"
#include "util/cleanup.h"
#include "util/log.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct unshare_opts
{
  bool rootless_netns;
};

static const struct cli_option unshare_options[] = {
  { "rootless-netns", 0, OPT_BOOL, offsetof (struct unshare_opts, rootless_netns), NULL,
    "Join the rootless network namespace used for bridge networks" },
  OPTION_END,
};

static const struct cli_option no_options[] = { OPTION_END };

int
cmd_unshare (struct cli_ctx *ctx, int argc, char **argv)
{
  struct unshare_opts o = { 0 };
  const char *shell = getenv ("SHELL");
  char *sh[] = { (char *) (shell && *shell ? shell : "/bin/sh"), NULL };

  PARSE (unshare_options, o, "[options] [COMMAND [ARG...]]", false);
  if (geteuid () == 0 && !husk_userns_rootless ())
    {
      husk_error_makex (&ctx->err, EPERM, "please use unshare with rootless");
      return cli_fail (ctx);
    }
  if (husk_userns_join (&ctx->err) < 0)
    return cli_fail (ctx);
  if (o.rootless_netns)
    {
      int status;
      if (husk_op_network_rootless_run (args[0] ? args : sh, &status, &ctx->err) < 0)
        return cli_fail (ctx);
      return status;
    }
  fflush (stdout);
  execvp (args[0] ? args[0] : sh[0], args[0] ? args : sh);
  husk_error_make (&ctx->err, errno, "exec '%s'", args[0] ? args[0] : sh[0]);
  cli_fail (ctx);
  return errno == ENOENT ? 127 : 126;
}

int
cmd_system_migrate (struct cli_ctx *ctx, int argc, char **argv)
{
  struct unshare_opts o = { 0 };
  bool stopped;

  PARSE (no_options, o, "[options]", true);
  if (args[0])
    {
      cli_usage_error (ctx, "accepts 0 arg(s), received %d", argc);
      return cli_fail (ctx);
    }
  if (!husk_userns_rootless ())
    return 0; /* rootful: nothing to migrate */
  if (husk_userns_stop_pause (&stopped, &ctx->err) < 0)
    return cli_fail (ctx);
  husk_log_debug ("%s", stopped ? "stopped the pause process" : "no pause process");
  return 0;
}
