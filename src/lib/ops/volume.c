/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Volume operations.
 *
 * Theory of operation: a volume is a state row (state/volumes.c) and a
 * directory <root>/volumes/<name>/_data (volume/volume.c).  create adds the
 * row first, which reserves the name, then makes the directory, and drops
 * the row again when that fails.  remove works the other way round: the
 * directory goes first (unmounted before anything is deleted), then the
 * row, so a failure leaves a volume that a second rm can finish.
 *
 * Which containers use a volume is read from their configurations (the
 * "mounts" entries of type "volume"), never recorded twice.  A container
 * names its volumes from creation on, so rm and prune see it as a user
 * before it ever ran.
 *
 * Creating and removing a volume, which containers use it, and its
 * attachment to containers (prepare at start, release at rm) are in
 * volume/attach.c, which the container lifecycle calls too.
 */
#include "ops/volume.h"
#include "volume/attach.h"
#include "events/events.h"
#include "ops/image_filter.h"
#include "format/humanize.h"
#include "ops/container.h"
#include "runtime/user.h"
#include "state/containers.h"
#include "state/volumes.h"
#include "util/cleanup.h"
#include "util/fileutil.h"
#include "util/strutil.h"
#include "volume/volume.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

int
husk_op_volume_resolve (struct husk_engine *e, const char *ref, char **name,
                        husk_error_t *err)
{
  return husk_state_volume_lookup (e->state, ref, name, err);
}

/* The row of a name or prefix.  */
static int
load (struct husk_engine *e, const char *ref, struct husk_volume_rec *r, husk_error_t *err)
{
  cleanup_free char *name = NULL;

  memset (r, 0, sizeof *r);
  if (husk_op_volume_resolve (e, ref, &name, err) < 0)
    return -1;
  return husk_state_volume_get (e->state, name, r, err);
}

/* ---- create ------------------------------------------------------------ */

int
husk_op_volume_create (struct husk_engine *e, const struct husk_volume_create_opts *o,
                       char **name_out, husk_error_t *err)
{
  return husk_volume_create (e, o, name_out, err);
}

/* ---- users ---------------------------------------------------------------- */

struct users
{
  const char *volume;
  char **ids, **names;
};

static void
add_user (const struct husk_container_rec *c, const char *vol, void *data)
{
  struct users *u = data;

  if (strcmp (vol, u->volume) == 0 && !husk_strv_contains (u->ids, c->id))
    {
      husk_strv_append (&u->ids, c->id);
      husk_strv_append (&u->names, c->name);
    }
}
static int
strv_cmp (const void *a, const void *b)
{
  return strcmp (*(char *const *) a, *(char *const *) b);
}

int
husk_op_volume_users (struct husk_engine *e, const char *name, char ***container_names,
                      husk_error_t *err)
{
  struct users u = { .volume = name };

  *container_names = NULL;
  if (husk_volume_each_mount (e, add_user, &u, err) < 0)
    return -1;
  husk_strv_free (u.ids);
  if (u.names)
    qsort (u.names, husk_strv_len (u.names), sizeof (char *), strv_cmp);
  *container_names = u.names;
  return 0;
}

/* ---- inspect, list --------------------------------------------------------- */

static json_t *
inspect_json (struct husk_engine *e, const struct husk_volume_rec *r)
{
  cleanup_free char *data = husk_volume_data_dir (e->volume_path, r->name);
  cleanup_free char *created = husk_time_rfc3339nano_local (r->created / 1000000000,
                                                            r->created % 1000000000);
  json_t *labels = json_loads (r->labels ? r->labels : "{}", 0, NULL);
  json_t *options = json_loads (r->options ? r->options : "{}", 0, NULL);
  bool mounted = husk_volume_options_need_mount (options) && husk_volume_is_mounted (data);
  json_t *j;

  j = json_pack ("{s:s, s:s, s:s, s:s, s:o, s:s, s:o, s:i, s:b, s:b}", "Name", r->name,
                 "Driver", r->driver, "Mountpoint", data, "CreatedAt", created,
                 "Labels", labels ? labels : json_object (), "Scope", "local",
                 "Options", options ? options : json_object (), "MountCount", mounted ? 1 : 0,
                 "NeedsCopyUp", r->needs_copy_up, "NeedsChown", r->needs_chown);
  if (r->anonymous)
    json_object_set_new (j, "Anonymous", json_true ());
  return j;
}

json_t *
husk_op_volume_inspect (struct husk_engine *e, const char *ref, husk_error_t *err)
{
  struct husk_volume_rec r;
  json_t *j;

  if (load (e, ref, &r, err) < 0)
    return NULL;
  j = inspect_json (e, &r);
  husk_volume_rec_release (&r);
  return j;
}

struct vfilter
{
  char **names, **labels, **not_labels, **drivers, **scopes;
  int dangling; /* -1 any */
  char **used;
};

static void
vfilter_release (struct vfilter *f)
{
  husk_strv_free (f->names);
  husk_strv_free (f->labels);
  husk_strv_free (f->not_labels);
  husk_strv_free (f->drivers);
  husk_strv_free (f->scopes);
  husk_strv_free (f->used);
}

static int
vfilter_parse (struct husk_engine *e, char **filters, struct vfilter *f, husk_error_t *err)
{
  memset (f, 0, sizeof *f);
  f->dangling = -1;
  for (size_t i = 0; filters && filters[i]; i++)
    {
      const char *eq = strchr (filters[i], '=');
      cleanup_free char *key = eq ? husk_xstrndup (filters[i], eq - filters[i]) : NULL;
      const char *val = eq ? eq + 1 : NULL;

      if (key == NULL)
        return husk_error_makex (err, EINVAL, "invalid volume filter \"%s\": expected "
                                 "key=value", filters[i]);
      if (strcmp (key, "name") == 0)
        husk_strv_append (&f->names, val);
      else if (strcmp (key, "label") == 0)
        husk_strv_append (&f->labels, val);
      else if (strcmp (key, "label!") == 0)
        husk_strv_append (&f->not_labels, val);
      else if (strcmp (key, "driver") == 0)
        husk_strv_append (&f->drivers, val);
      else if (strcmp (key, "scope") == 0)
        husk_strv_append (&f->scopes, val);
      else if (strcmp (key, "dangling") == 0)
        {
          if (strcmp (val, "true") == 0 || strcmp (val, "1") == 0)
            f->dangling = 1;
          else if (strcmp (val, "false") == 0 || strcmp (val, "0") == 0)
            f->dangling = 0;
          else
            return husk_error_makex (err, EINVAL, "invalid dangling filter value \"%s\": "
                                     "use true or false", val);
        }
      else
        return husk_error_makex (err, EINVAL, "\"%s\" is an invalid volume filter: use "
                                 "name, label, label!, driver, scope or dangling", key);
    }
  if (f->dangling >= 0 && husk_volume_used (e, &f->used, err) < 0)
    return -1;
  return 0;
}

static bool
any_of (char **v, const char *s)
{
  return v == NULL || husk_strv_contains (v, s);
}

static bool
vfilter_match (const struct vfilter *f, const struct husk_volume_rec *r)
{
  cleanup_json json_t *labels = json_loads (r->labels ? r->labels : "{}", 0, NULL);
  bool ok = f->names == NULL;

  for (size_t i = 0; f->names && f->names[i] && !ok; i++)
    ok = husk_match_regex (r->name, f->names[i]);
  if (!ok || !any_of (f->drivers, r->driver) || !any_of (f->scopes, "local"))
    return false;
  for (size_t i = 0; f->labels && f->labels[i]; i++)
    if (!husk_label_filter_match (labels, f->labels[i]))
      return false;
  for (size_t i = 0; f->not_labels && f->not_labels[i]; i++)
    if (husk_label_filter_match (labels, f->not_labels[i]))
      return false;
  if (f->dangling >= 0 && (f->dangling == 1) == husk_strv_contains (f->used, r->name))
    return false;
  return true;
}

int
husk_op_volume_list (struct husk_engine *e, char **filters, json_t **out, husk_error_t *err)
{
  struct vfilter f;
  struct husk_volume_rec *list = NULL;
  size_t n = 0;

  *out = NULL;
  if (vfilter_parse (e, filters, &f, err) < 0 || husk_state_volume_list (e->state, &list, &n, err) < 0)
    {
      vfilter_release (&f);
      return -1;
    }
  *out = json_array ();
  for (size_t i = 0; i < n; i++)
    if (vfilter_match (&f, &list[i]))
      json_array_append_new (*out, inspect_json (e, &list[i]));
  husk_volume_rec_array_free (list, n);
  vfilter_release (&f);
  return 0;
}

/* ---- remove, prune ----------------------------------------------------------- */

int
husk_op_volume_remove (struct husk_engine *e, const char *ref, bool force, int timeout,
                       char **removed, husk_error_t *err)
{
  cleanup_free char *name = NULL, *ids = NULL;
  struct users u = { 0 };
  int ret = -1;

  if (husk_op_volume_resolve (e, ref, &name, err) < 0)
    return -1;
  u.volume = name;
  if (husk_volume_each_mount (e, add_user, &u, err) < 0)
    return -1;
  if (u.ids && !force)
    {
      ids = husk_strv_join (u.ids, ", ");
      husk_error_makex (err, EBUSY, "volume %s is being used by the following container(s): "
                        "%s: volume is being used", name, ids);
      goto out;
    }
  for (size_t i = 0; u.ids && u.ids[i]; i++)
    if (husk_op_container_remove (e, u.ids[i], true, false, timeout, err) < 0)
      {
        husk_error_wrap (err, "remove volume '%s'", name);
        goto out;
      }
  if (husk_volume_remove (e, name, err) < 0)
    goto out;
  if (removed)
    *removed = steal_ptr (&name);
  ret = 0;
out:
  husk_strv_free (u.ids);
  husk_strv_free (u.names);
  return ret;
}

int
husk_op_volume_prune (struct husk_engine *e, char **filters, char ***removed,
                      husk_error_t *err)
{
  struct vfilter f;
  struct husk_volume_rec *list = NULL;
  cleanup_strv char **used = NULL;
  size_t n = 0;
  int ret = 0;

  *removed = NULL;
  if (vfilter_parse (e, filters, &f, err) < 0 || husk_volume_used (e, &used, err) < 0
      || husk_state_volume_list (e->state, &list, &n, err) < 0)
    {
      vfilter_release (&f);
      return -1;
    }
  for (size_t i = 0; i < n && ret == 0; i++)
    {
      if (husk_strv_contains (used, list[i].name) || !vfilter_match (&f, &list[i]))
        continue;
      ret = husk_volume_remove (e, list[i].name, err);
      if (ret == 0)
        husk_strv_append (removed, list[i].name);
    }
  husk_volume_rec_array_free (list, n);
  vfilter_release (&f);
  return ret;
}

int
husk_op_volume_unmount_all (struct husk_engine *e, husk_error_t *err)
{
  struct husk_volume_rec *list = NULL;
  size_t n = 0;
  int ret = 0;

  if (husk_state_volume_list (e->state, &list, &n, err) < 0)
    return -1;
  for (size_t i = 0; i < n && ret == 0; i++)
    {
      cleanup_free char *data = husk_volume_data_dir (e->volume_path, list[i].name);
      ret = husk_volume_unmount (data, err);
    }
  husk_volume_rec_array_free (list, n);
  return ret;
}

/* ---- import, export ------------------------------------------------------------ */

/* Open a volume's _data, its file system mounted when it has one.  */
static int
open_data (struct husk_engine *e, const char *ref, char **name, husk_error_t *err)
{
  struct husk_volume_rec r;
  cleanup_json json_t *options = NULL;
  cleanup_free char *data = NULL;
  cleanup_close int lock = -1;
  int fd;

  if (load (e, ref, &r, err) < 0)
    return -1;
  data = husk_volume_data_dir (e->volume_path, r.name);
  options = json_loads (r.options ? r.options : "{}", 0, NULL);
  *name = steal_ptr (&r.name);
  husk_volume_rec_release (&r);
  lock = husk_volume_lock (e, *name, err);
  if (lock < 0 || husk_volume_mount (data, options, err) < 0)
    return -1;
  fd = open (data, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0)
    return husk_error_make (err, errno, "open volume '%s'", data);
  return fd;
}

int
husk_op_volume_import (struct husk_engine *e, const char *ref, const char *input,
                       husk_error_t *err)
{
  cleanup_free char *name = NULL;
  cleanup_close int data = open_data (e, ref, &name, err);
  cleanup_close int in = -1;

  if (data < 0)
    return -1;
  if (strcmp (input, "-") != 0)
    {
      in = open (input, O_RDONLY | O_CLOEXEC);
      if (in < 0)
        return husk_error_make (err, errno, "open '%s'", input);
    }
  if (husk_volume_import (data, in >= 0 ? in : 0, e->rootless, err) < 0)
    return husk_error_wrap (err, "import into volume '%s'", name);
  return 0;
}

int
husk_op_volume_export (struct husk_engine *e, const char *ref, const char *output,
                       husk_error_t *err)
{
  cleanup_free char *name = NULL;
  cleanup_close int data = open_data (e, ref, &name, err);
  struct husk_output out = { .fd = -1 };
  int r;

  if (data < 0)
    return -1;
  /* A regular file is written beside and renamed at the end (a failed
     export leaves it as it was); a device or FIFO is written into: as
     root, renaming over /dev/null would replace the host's node.  */
  r = husk_output_open (&out, output, 0644, err);
  if (r == 0)
    r = husk_volume_export (data, out.fd, err);
  if (r == 0)
    r = husk_output_commit (&out, err);
  husk_output_release (&out);
  if (r < 0)
    return husk_error_wrap (err, "export volume '%s'", name);
  return 0;
}
