/* SPDX-License-Identifier: GPL-2.0-or-later */
/* husk init: create containers in the runtime without starting them.  */
#include "cli/cli.h"
#include "ops/container.h"
#include "util/cleanup.h"
#include "util/strutil.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

struct init_opts
{
  bool all, latest;
};

/* The containers -a or -l name: every created or exited one, or the
   newest.  */
static int
chosen (struct cli_ctx *ctx, bool latest, char ***ids)
{
  struct husk_container_rec *list = NULL;
  size_t n = 0;

  if (husk_op_container_list (ctx->engine, &list, &n, &ctx->err) < 0)
    return -1;
  if (latest && n == 0)
    return husk_error_makex (&ctx->err, ENOENT, "no containers to act on: no such container");
  for (size_t i = 0; i < n && !(latest && i > 0); i++)
    if (latest || strcmp (list[i].state, "created") == 0 || strcmp (list[i].state, "exited") == 0)
      husk_strv_append (ids, list[i].id);
  husk_container_rec_array_free (list, n);
  return 0;
}

int
cmd_container_init (struct cli_ctx *ctx, int argc, char **argv)
{
  static const struct cli_option opts[] = {
    { "all", 'a', OPT_BOOL, offsetof (struct init_opts, all), NULL, "Initialize all containers" },
    { "latest", 'l', OPT_BOOL, offsetof (struct init_opts, latest), NULL, "Act on the latest container husk is aware of" },
    OPTION_END,
  };
  struct init_opts o = { 0 };
  cleanup_strv char **ids = NULL;
  int status = 0;

  PARSE (opts, o, "[options] CONTAINER [CONTAINER...]", true);
  if ((o.all || o.latest) && args[0])
    return cli_usage_error (ctx, "--all, --latest and containers cannot be used together"),
           cli_fail (ctx);
  if (!o.all && !o.latest && args[0] == NULL)
    return cli_usage_error (ctx, "requires at least 1 arg(s), only received 0"), cli_fail (ctx);
  if (o.all || o.latest)
    {
      if (chosen (ctx, o.latest, &ids) < 0)
        return cli_fail (ctx);
    }
  else
    for (size_t i = 0; args[i]; i++)
      husk_strv_append (&ids, args[i]);
  for (size_t i = 0; ids && ids[i]; i++)
    {
      if (husk_op_container_init (ctx->engine, ids[i], &ctx->err) < 0)
        {
          cli_fail (ctx);
          status = 125;
          continue;
        }
      puts (ids[i]);
    }
  return status;
}
