/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Printing lists and objects: tables, --format templates and JSON.  */
#ifndef HUSK_CLI_OUTPUT_H
#define HUSK_CLI_OUTPUT_H

#include "cli/cli.h"

#include <jansson.h>
#include <stdbool.h>

/**
 * cli_print_list() - Print rows as a table, a template or JSON
 * @format:        the user's --format, or NULL for @default_table
 * @default_table: "table {{.A}}\t{{.B}}" used when @format is NULL
 * @headers:       object: field name -> column header
 * @rows:          array of objects with Go field names, one per row
 * @json_rows:     what "--format json" prints (array), or NULL for @rows
 * @noheading:     omit the header line of a table
 */
int cli_print_list (struct cli_ctx *ctx, const char *format, const char *default_table,
                    json_t *headers, json_t *rows, json_t *json_rows, bool noheading);

/* Print each object through format (a template), or all as a JSON array.  */
int cli_print_objects (struct cli_ctx *ctx, const char *format, json_t *objects);
/* The same for inspect: a template also finds .ID where the object has
   .Id, as Podman's do (objects gains that key).  */
int cli_print_inspect (struct cli_ctx *ctx, const char *format, json_t *objects);

/* Pretty-print JSON as Podman does (4-space indent) followed by a newline. */
void cli_print_json (json_t *j);

/* Humanised helpers for rows.  */
char *cli_human_size (int64_t bytes);
char *cli_human_ago (int64_t when);

#endif
