/* SPDX-License-Identifier: GPL-2.0-or-later */
/* husk: a daemonless, rootless, Docker-compatible container engine.  */
#include "cli/cli.h"

#include <locale.h>

int
main (int argc, char **argv)
{
  setlocale (LC_ALL, "C");
  return cli_main (argc, argv);
}
