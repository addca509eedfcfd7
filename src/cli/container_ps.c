/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What `ps` prints per container beyond its table columns: the object of
   `--format json` (with the sizes of --size), the extra fields a --format
   template can use, and the command line `create`/`run` record for
   inspect's Config.CreateCommand.  */
#include "cli/container_ps.h"
#include "format/humanize.h"
#include "ops/container_ps.h"
#include "util/cleanup.h"
#include "util/fileutil.h"
#include "util/strutil.h"

#include <stdio.h>
#include <string.h>

json_t *
cli_ps_entry (struct cli_ctx *ctx, const struct husk_container_rec *r, const char *status,
              bool size)
{
  struct husk_container_size sz;
  husk_error_t err = NULL;

  if (!size)
    return husk_op_container_ps_json (ctx->engine, r, status, NULL);
  /* As Podman: one container whose size cannot be read is reported and
     listed without it; the others are still listed.  */
  if (husk_op_container_size (ctx->engine, r, &sz, &err) < 0)
    {
      fprintf (stderr, "Error: %s\n", err->msg);
      husk_error_release (&err);
      return husk_op_container_ps_json (ctx->engine, r, status, NULL);
    }
  return husk_op_container_ps_json (ctx->engine, r, status, &sz);
}

void
cli_ps_row_extend (json_t *row, json_t *entry)
{
  json_t *size = json_object_get (entry, "Size"), *n;
  cleanup_free char *rw = NULL, *rootfs = NULL;
  cleanup_strv char **nets = NULL;
  cleanup_free char *networks = NULL;
  size_t i;

  json_array_foreach (json_object_get (entry, "Networks"), i, n)
    husk_strv_append (&nets, json_string_value (n));
  networks = nets ? husk_strv_join (nets, ",") : husk_xstrdup ("");
  if (json_is_object (size))
    {
      json_int_t r = json_integer_value (json_object_get (size, "rwSize"));
      json_int_t v = json_integer_value (json_object_get (size, "rootFsSize"));
      rw = husk_human_size_compact (r);
      rootfs = husk_human_size_compact (v);
      json_object_set_new (row, "Size", json_sprintf ("%s (virtual %s)", rw, rootfs));
      json_object_set_new (row, "SortSize", json_integer (v));
    }
  else
    json_object_set_new (row, "Size", json_string ("")); /* Podman: needs --size */
  json_object_set (row, "Mounts", json_object_get (entry, "Mounts"));
  json_object_set_new (row, "Networks", json_string (networks));
  json_object_set (row, "Namespaces", json_object_get (entry, "Namespaces"));
  json_object_set (row, "Pod", json_object_get (entry, "Pod"));
  json_object_set (row, "PodName", json_object_get (entry, "PodName"));
  json_object_set (row, "Pid", json_object_get (entry, "Pid"));
  json_object_set (row, "StartedAt", json_object_get (entry, "StartedAt"));
  json_object_set (row, "Exited", json_object_get (entry, "Exited"));
  json_object_set (row, "ExitedAt", json_object_get (entry, "ExitedAt"));
  json_object_set (row, "IsInfra", json_object_get (entry, "IsInfra"));
}

json_t *
cli_command_line (void)
{
  size_t len = 0;
  cleanup_free char *s = husk_read_file ("/proc/self/cmdline", &len, NULL);
  json_t *a = json_array ();

  /* NUL-separated words, each ending in NUL.  */
  for (size_t i = 0; s && i < len; i += strlen (s + i) + 1)
    json_array_append_new (a, json_string (s + i));
  return a;
}
