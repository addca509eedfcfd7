/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ps and inspect helpers of the CLI (cli/container_ps.c).  */
#ifndef HUSK_CLI_CONTAINER_PS_H
#define HUSK_CLI_CONTAINER_PS_H

#include "cli/cli.h"
#include "state/containers.h"

#include <jansson.h>
#include <stdbool.h>

/* Add to a ps template row the fields Podman's ps templates have beyond
   the table columns, from the container's entry: Size ("1.05MB (virtual
   3.1MB)", "" without --size), Mounts, Networks, Namespaces, Pod, PodName,
   Pid, StartedAt, Exited, ExitedAt, IsInfra; and SortSize (--sort size). */
void cli_ps_row_extend (json_t *row, json_t *entry);

/* The command line of this process (/proc/self/cmdline) as a JSON array:
   what create and run record as Config.CreateCommand.  */
json_t *cli_command_line (void);

#endif
