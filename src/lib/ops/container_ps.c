/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * `ps` and `inspect` helpers: the sizes of a container's root file system
 * and the object `podman ps --format json` prints per container.
 *
 * The read-write layer lives where storage/store.h lays it out,
 * <graphroot>/<driver>/containers/<id>/diff: overlay's upper directory
 * (exactly the container's writes, so its whole content is counted), or
 * vfs's full copy of the image (only what `diff` lists as added or changed
 * is counted).  Nothing is mounted for overlay; vfs needs the image's tree,
 * which for vfs is a plain directory.
 */
#include "ops/container_ps.h"
#include "container/size.h"
#include "format/humanize.h"
#include "ops/container.h"
#include "storage/store.h"
#include "util/cleanup.h"
#include "util/strutil.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* Go's zero time.Time in Unix seconds: what Podman prints for "never".  */
#define GO_ZERO_UNIX (-62135596800LL)

static int
rw_size (struct husk_engine *e, const struct husk_container_rec *r, int64_t *out,
         husk_error_t *err)
{
  const char *driver = husk_store_driver_name (e->store);
  cleanup_free char *tree = husk_asprintf ("%s/%s/containers/%s/diff",
                                           husk_store_graphroot (e->store), driver, r->id);
  cleanup_close int fd = open (tree, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  struct husk_change *c = NULL;
  size_t n = 0;
  int ret;

  *out = 0;
  if (fd < 0)
    {
      /* Removed meanwhile, or made before it had a layer: nothing written. */
      if (errno == ENOENT)
        return 0;
      return husk_error_make (err, errno, "open '%s'", tree);
    }
  if (strcmp (driver, "overlay") == 0)
    return husk_size_tree (fd, out, err);
  if (husk_op_container_diff (e, r->id, &c, &n, err) < 0)
    return -1;
  ret = husk_size_changes (fd, c, n, out, err);
  husk_changes_free (c, n);
  return ret;
}

int
husk_op_container_size (struct husk_engine *e, const struct husk_container_rec *r,
                        struct husk_container_size *out, husk_error_t *err)
{
  struct husk_image_rec img = { 0 };
  int64_t image = 0;

  if (rw_size (e, r, &out->rw, err) < 0)
    return husk_error_wrap (err, "size of container %.12s", r->id);
  if (husk_state_image_get (e->state, r->image_id, &img, NULL) == 0)
    image = img.size;
  husk_image_rec_release (&img);
  out->rootfs = image + out->rw;
  return 0;
}

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
