/* SPDX-License-Identifier: GPL-2.0-or-later */
/* husk version, info and the "system" group.  */
#include "cli/cli.h"
#include "husk-config.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/utsname.h>

struct version_opts
{
  char *format;
};

int
cmd_version (struct cli_ctx *ctx, int argc, char **argv)
{
  static const struct cli_option opts[] = {
    { "format", 'f', OPT_STRING, offsetof (struct version_opts, format), "string",
      "Change the output format to JSON or a Go template" },
    OPTION_END,
  };
  struct version_opts o = { 0 };
  char **rest = NULL;
  struct utsname u;
  int r = cli_parse (ctx, opts, &o, argc, argv, true, &rest, "[options]");

  if (r != 0)
    return r < 0 ? cli_fail (ctx) : 0;
  uname (&u);
  printf ("Client:       husk Engine\nVersion:      %s\nAPI Version:  %s\n"
          "OS/Arch:      linux/%s\n",
          HUSK_VERSION, HUSK_VERSION, u.machine);
  free (rest);
  free (o.format);
  return 0;
}

int
cmd_info (struct cli_ctx *ctx, int argc, char **argv)
{
  (void) argc;
  (void) argv;
  husk_error_makex (&ctx->err, 0, "info: not implemented yet");
  return cli_fail (ctx);
}

const struct cli_command cli_system_commands[] = {
  { "info", cmd_info, CMD_ENGINE, NULL, "Display husk system information" },
  { NULL, NULL, 0, NULL, NULL },
};
