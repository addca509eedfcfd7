/* SPDX-License-Identifier: GPL-2.0-or-later */
/* husk: a daemonless, rootless, Docker-compatible container engine.  */
#include "cli/cli.h"
#include "userns/userns.h"

#include <locale.h>
#include <string.h>

int
main (int argc, char **argv)
{
  /* The rootless namespace's pause process runs this binary again under
     that name (userns.c), so that ps shows what it is.  */
  if (argc == 1 && strcmp (argv[0], HUSK_PAUSE_NAME) == 0)
    husk_userns_pause ();
  setlocale (LC_ALL, "C");
  return cli_main (argc, argv);
}
