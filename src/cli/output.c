/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Printing lists and objects through the report engine in format/.  */
#include "cli/output.h"
#include "format/humanize.h"
#include "format/report.h"
#include "util/cleanup.h"
#include "util/strutil.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

void
cli_print_json (json_t *j)
{
  char *s = json_dumps (j, JSON_INDENT (4) | JSON_ENCODE_ANY);

  if (s)
    puts (s);
  free (s);
}

static int
render (struct cli_ctx *ctx, const char *format, const struct husk_report_options *o,
        json_t *items)
{
  cleanup (husk_report_free) struct husk_report *r = husk_report_new (format, o, &ctx->err);
  size_t i;
  json_t *it;

  if (r == NULL)
    return -1;
  json_array_foreach (items, i, it)
    husk_report_add (r, it);
  fflush (stdout);
  return husk_report_finish (r, stdout, &ctx->err);
}

int
cli_print_list (struct cli_ctx *ctx, const char *format, const char *default_table,
                json_t *headers, json_t *rows, json_t *json_rows, bool noheading)
{
  struct husk_report_options o = {
    .name = "format",
    .default_format = default_table,
    .headers = headers,
    .no_heading = noheading,
    .strict = true,
  };

  if (format && husk_report_is_json (format))
    return render (ctx, format, &o, json_rows ? json_rows : rows);
  return render (ctx, format, &o, rows);
}

int
cli_print_objects (struct cli_ctx *ctx, const char *format, json_t *objects)
{
  struct husk_report_options o = { .name = "format", .strict = true };

  if (format == NULL || husk_report_is_json (format))
    {
      cli_print_json (objects);
      return 0;
    }
  return render (ctx, format, &o, objects);
}

int
cli_print_inspect (struct cli_ctx *ctx, const char *format, json_t *objects)
{
  size_t i;
  json_t *obj;

  if (format == NULL || husk_report_is_json (format))
    return cli_print_objects (ctx, format, objects);
  /* Podman's templates take .ID wherever the object has .Id: an alias
     for the template only, never in the JSON.  */
  json_array_foreach (objects, i, obj)
    {
      json_t *id = json_object_get (obj, "Id");
      if (json_is_string (id) && json_object_get (obj, "ID") == NULL)
        json_object_set (obj, "ID", id);
    }
  return cli_print_objects (ctx, format, objects);
}

char *
cli_human_size (int64_t bytes)
{
  return husk_human_size (bytes);
}

char *
cli_human_ago (int64_t when)
{
  return husk_human_duration_ago ((int64_t) time (NULL) - when);
}
