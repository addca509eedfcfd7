/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The object `podman ps --format json` prints per container.  The sizes
 * of a container's root file system are container/size.c's.
 */
#include "ops/container_ps.h"
#include "container/size.h"
#include "format/humanize.h"
#include "ops/container.h"
#include "util/cleanup.h"
#include "util/strutil.h"

#include <string.h>
#include <time.h>

/* Go's zero time.Time in Unix seconds: what Podman prints for "never".  */
#define GO_ZERO_UNIX (-62135596800LL)

static json_int_t
unix_or_zero (int64_t ns)
{
  return ns ? (json_int_t) (ns / 1000000000) : (json_int_t) GO_ZERO_UNIX;
}

/* Podman's PortMapping objects, or null when none are published.  */
static json_t *
ports_json (json_t *c)
{
  json_t *ports = json_object_get (c, "ports"), *out, *p;
  size_t i;

  if (json_array_size (ports) == 0)
    return json_null ();
  out = json_array ();
  json_array_foreach (ports, i, p)
    json_array_append_new (out, json_pack (
        "{s:s, s:I, s:I, s:i, s:s}",
        "host_ip", json_string_value (json_object_get (p, "host_ip")) ?: "",
        "container_port", (json_int_t) json_integer_value (json_object_get (p, "container_port")),
        "host_port", (json_int_t) json_integer_value (json_object_get (p, "host_port")),
        "range", 1, "protocol", json_string_value (json_object_get (p, "protocol")) ?: "tcp"));
  return out;
}

json_t *
husk_op_container_ps_json (struct husk_engine *e, const struct husk_container_rec *r,
                           const char *status, const struct husk_container_size *size)
{
  cleanup_json json_t *c = json_loads (r->config, 0, NULL);
  cleanup_free char *ago = NULL;
  json_t *mounts = json_array (), *m, *cmd = json_object_get (c, "cmd");
  const char *image = json_string_value (json_object_get (json_object_get (c, "image"), "name"));
  bool exited = strcmp (r->state, "exited") == 0;
  size_t i;

  (void) e;
  ago = husk_human_duration_ago (time (NULL) - r->created / 1000000000);
  json_array_foreach (json_object_get (c, "mounts"), i, m)
    json_array_append (mounts, json_object_get (m, "destination"));
  return json_pack (
      "{s:b, s:O, s:s, s:b, s:I, s:i, s:s, s:s, s:s, s:b, s:O, s:o, s:[s], s:{}, s:[], s:i, "
      "s:s, s:s, s:o, s:o, s:I, s:s, s:s, s:I}",
      "AutoRemove", json_is_true (json_object_get (c, "rm")),
      "Command", json_is_array (cmd) ? cmd : json_null (),
      "CreatedAt", ago, "Exited", exited,
      "ExitedAt", unix_or_zero (r->finished_at),
      "ExitCode", r->exit_code, "Id", r->id, "Image", image ? image : "",
      "ImageID", r->image_id, "IsInfra", 0,
      "Labels", json_object_size (json_object_get (c, "labels")) ? json_object_get (c, "labels")
                                                                 : json_null (),
      "Mounts", mounts, "Names", r->name, "Namespaces", "Networks", "Pid", r->pid,
      "Pod", "", "PodName", "", "Ports", ports_json (c),
      "Size", size ? json_pack ("{s:I, s:I}", "rootFsSize", (json_int_t) size->rootfs,
                                "rwSize", (json_int_t) size->rw)
                   : json_null (),
      "StartedAt", unix_or_zero (r->started_at), "State", r->state, "Status", status,
      "Created", (json_int_t) (r->created / 1000000000));
}
