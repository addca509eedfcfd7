/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The image commands.  */
#include "cli/cli.h"

static int
not_yet (struct cli_ctx *ctx, int argc, char **argv)
{
  (void) argc;
  (void) argv;
  husk_error_makex (&ctx->err, 0, "%s: not implemented yet", ctx->cmd_path);
  return cli_fail (ctx);
}

int cmd_image_ls (struct cli_ctx *ctx, int argc, char **argv) { return not_yet (ctx, argc, argv); }
int cmd_image_inspect (struct cli_ctx *ctx, int argc, char **argv) { return not_yet (ctx, argc, argv); }
int cmd_image_rm (struct cli_ctx *ctx, int argc, char **argv) { return not_yet (ctx, argc, argv); }
int cmd_image_tag (struct cli_ctx *ctx, int argc, char **argv) { return not_yet (ctx, argc, argv); }
int cmd_image_untag (struct cli_ctx *ctx, int argc, char **argv) { return not_yet (ctx, argc, argv); }
int cmd_image_load (struct cli_ctx *ctx, int argc, char **argv) { return not_yet (ctx, argc, argv); }
int cmd_image_save (struct cli_ctx *ctx, int argc, char **argv) { return not_yet (ctx, argc, argv); }
int cmd_image_import (struct cli_ctx *ctx, int argc, char **argv) { return not_yet (ctx, argc, argv); }
int cmd_image_history (struct cli_ctx *ctx, int argc, char **argv) { return not_yet (ctx, argc, argv); }
int cmd_inspect (struct cli_ctx *ctx, int argc, char **argv) { return not_yet (ctx, argc, argv); }

const struct cli_command cli_image_commands[] = {
  { "ls", cmd_image_ls, CMD_ENGINE, NULL, "List images in local storage" },
  { "list", cmd_image_ls, CMD_ENGINE | CMD_HIDDEN, NULL, "List images in local storage" },
  { NULL, NULL, 0, NULL, NULL },
};
