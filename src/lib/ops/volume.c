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
 * At every container start husk_op_volume_prepare() resolves the volume
 * mounts: it creates missing named volumes, makes anonymous ones and
 * records their names in the configuration, mounts volumes that have mount
 * options, and on a volume's first use seeds it from the image and gives
 * it to the container's user.  The first-use step runs under an exclusive
 * flock on the volume's directory and re-reads the row inside it, so two
 * containers starting together seed a volume once.
 */
#include "ops/volume.h"
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
#include <regex.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static int64_t
now_ns (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_REALTIME, &ts);
  return (int64_t) ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void
event (struct husk_engine *e, const char *action, const char *name)
{
  husk_events_volume (e->state, action, name);
}

static char *
random_name (void)
{
  unsigned char buf[32];
  char *out = husk_xmalloc (2 * sizeof buf + 1);
  int fd = open ("/dev/urandom", O_RDONLY | O_CLOEXEC);

  if (fd < 0 || read (fd, buf, sizeof buf) != (ssize_t) sizeof buf)
    abort ();
  close (fd);
  for (size_t i = 0; i < sizeof buf; i++)
    snprintf (out + 2 * i, 3, "%02x", buf[i]);
  return out;
}

/* "k=v" -> {"k": "v"}; "k" -> {"k": ""}.  */
static json_t *
parse_labels (char **labels, husk_error_t *err)
{
  json_t *o = json_object ();

  for (size_t i = 0; labels && labels[i]; i++)
    {
      const char *eq = strchr (labels[i], '=');
      cleanup_free char *k = eq ? husk_xstrndup (labels[i], eq - labels[i])
                                : husk_xstrdup (labels[i]);
      if (*k == '\0')
        {
          json_decref (o);
          return husk_error_makex (err, EINVAL, "invalid label \"%s\": empty key", labels[i]),
                 NULL;
        }
      json_object_set_new (o, k, json_string (eq ? eq + 1 : ""));
    }
  return o;
}

/* ---- create ------------------------------------------------------------ */

int
husk_op_volume_create (struct husk_engine *e, const struct husk_volume_create_opts *o,
                       char **name_out, husk_error_t *err)
{
  const char *driver = o->driver && *o->driver ? o->driver : "local";
  cleanup_free char *name = o->name && *o->name ? husk_xstrdup (o->name) : random_name ();
  cleanup_free char *labels_text = NULL, *options_text = NULL;
  cleanup_json json_t *labels = NULL, *options = NULL;
  struct husk_volume_rec r = { 0 };

  if (strcmp (driver, "local") != 0)
    return husk_error_makex (err, EINVAL, "volume driver \"%s\" is not supported: husk has "
                             "only the \"local\" driver", driver);
  if (!husk_volume_name_valid (name))
    return husk_error_makex (err, EINVAL, "invalid volume name \"%s\": names must match "
                             "[a-zA-Z0-9][a-zA-Z0-9_.-]*", name);
  if ((options = husk_volume_options_parse (o->options, err)) == NULL
      || (labels = parse_labels (o->labels, err)) == NULL)
    return -1;
  labels_text = json_dumps (labels, JSON_COMPACT);
  options_text = json_dumps (options, JSON_COMPACT);
  r = (struct husk_volume_rec){ .name = name, .driver = (char *) driver, .labels = labels_text,
                                .options = options_text, .anonymous = o->anonymous,
                                .needs_copy_up = true, .needs_chown = true,
                                .created = now_ns () };
  if (husk_state_volume_add (e->state, &r, err) < 0)
    {
      if ((*err)->code != EEXIST || !o->ignore)
        return -1;
      husk_error_release (err);
      /* Whoever made it may not have made its directory yet.  */
      if (husk_volume_dirs_create (e->root, name, err) < 0)
        return -1;
    }
  else if (husk_volume_dirs_create (e->root, name, err) < 0)
    {
      husk_state_volume_remove (e->state, name, NULL);
      return husk_error_wrap (err, "create volume '%s'", name);
    }
  else
    event (e, "create", name);
  if (name_out)
    *name_out = steal_ptr (&name);
  return 0;
}

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

/* Lock a volume's directory (made when missing, as after a crash between
   row and directory).  Return: the fd holding the lock, or -1.  */
static int
lock_volume (struct husk_engine *e, const char *name, husk_error_t *err)
{
  cleanup_free char *dir = husk_volume_dir (e->root, name);
  cleanup_close int fd = -1;

  if (husk_volume_dirs_create (e->root, name, err) < 0)
    return -1;
  fd = open (dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0)
    return husk_error_make (err, errno, "open volume '%s'", dir);
  while (flock (fd, LOCK_EX) < 0)
    if (errno != EINTR)
      return husk_error_make (err, errno, "lock volume '%s'", dir);
  return steal_fd (&fd);
}

/* ---- users ---------------------------------------------------------------- */

/* Calls fn for every volume mount of every container.  */
static int
each_volume_mount (struct husk_engine *e,
                   void (*fn) (const struct husk_container_rec *c, const char *vol, void *data),
                   void *data, husk_error_t *err)
{
  struct husk_container_rec *list = NULL;
  size_t n = 0;

  if (husk_state_container_list (e->state, &list, &n, err) < 0)
    return -1;
  for (size_t i = 0; i < n; i++)
    {
      cleanup_json json_t *c = json_loads (list[i].config, 0, NULL);
      size_t k;
      json_t *m;

      json_array_foreach (json_object_get (c, "mounts"), k, m)
        {
          const char *type = json_string_value (json_object_get (m, "type"));
          const char *vol = json_string_value (json_object_get (m, "name"));
          if (type && vol && *vol && strcmp (type, "volume") == 0)
            fn (&list[i], vol, data);
        }
    }
  husk_container_rec_array_free (list, n);
  return 0;
}

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

static void
add_used (const struct husk_container_rec *c, const char *vol, void *data)
{
  (void) c;
  if (!husk_strv_contains (*(char ***) data, vol))
    husk_strv_append ((char ***) data, vol);
}

/* Names of all volumes some container uses (NULL when none).  */
static int
used_volumes (struct husk_engine *e, char ***used, husk_error_t *err)
{
  *used = NULL;
  return each_volume_mount (e, add_used, used, err);
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
  if (each_volume_mount (e, add_user, &u, err) < 0)
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
  cleanup_free char *data = husk_volume_data_dir (e->root, r->name);
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
  if (f->dangling >= 0 && used_volumes (e, &f->used, err) < 0)
    return -1;
  return 0;
}

/* Podman matches names as unanchored regular expressions, and as plain
   text when the pattern does not compile.  */
static bool
name_matches (const char *name, const char *pattern)
{
  regex_t re;
  bool ok;

  if (regcomp (&re, pattern, REG_EXTENDED | REG_NOSUB) != 0)
    return strcmp (name, pattern) == 0;
  ok = regexec (&re, name, 0, NULL, 0) == 0;
  regfree (&re);
  return ok;
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
    ok = name_matches (r->name, f->names[i]);
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

/* Files first, then the row (see the top of this file).  */
static int
remove_volume (struct husk_engine *e, const char *name, husk_error_t *err)
{
  if (husk_volume_dirs_remove (e->root, name, err) < 0
      || husk_state_volume_remove (e->state, name, err) < 0)
    return husk_error_wrap (err, "remove volume '%s'", name);
  event (e, "remove", name);
  return 0;
}

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
  if (each_volume_mount (e, add_user, &u, err) < 0)
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
  if (remove_volume (e, name, err) < 0)
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
  if (vfilter_parse (e, filters, &f, err) < 0 || used_volumes (e, &used, err) < 0
      || husk_state_volume_list (e->state, &list, &n, err) < 0)
    {
      vfilter_release (&f);
      return -1;
    }
  for (size_t i = 0; i < n && ret == 0; i++)
    {
      if (husk_strv_contains (used, list[i].name) || !vfilter_match (&f, &list[i]))
        continue;
      ret = remove_volume (e, list[i].name, err);
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
      cleanup_free char *data = husk_volume_data_dir (e->root, list[i].name);
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
  data = husk_volume_data_dir (e->root, r.name);
  options = json_loads (r.options ? r.options : "{}", 0, NULL);
  *name = steal_ptr (&r.name);
  husk_volume_rec_release (&r);
  lock = lock_volume (e, *name, err);
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

/* ---- containers: prepare, release ------------------------------------------------- */

static bool
mount_has_option (json_t *m, const char *opt)
{
  size_t i;
  json_t *v;

  json_array_foreach (json_object_get (m, "options"), i, v)
    if (json_string_value (v) && strcmp (json_string_value (v), opt) == 0)
      return true;
  return false;
}

/* Give _data to the container's user (when not root).  Resolution
   failures are left for the spec generator, which reports them.  */
static int
chown_to_user (struct husk_engine *e, json_t *ccfg, const char *rootfs, int data_fd,
               husk_error_t *err)
{
  const char *spec = json_string_value (json_object_get (ccfg, "user"));
  cleanup_close int rootfd = -1;
  struct husk_user u = { 0 };
  int ret = 0;

  if (spec == NULL || *spec == '\0')
    return 0;
  rootfd = open (rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (rootfd < 0 || husk_user_resolve (rootfd, spec, NULL, &u, NULL) < 0)
    return 0;
  if ((u.uid || u.gid) && fchown (data_fd, u.uid, u.gid) < 0 && !e->rootless)
    ret = husk_error_make (err, errno, "give the volume to %u:%u", u.uid, u.gid);
  husk_user_release (&u);
  return ret;
}

/* Mount the volume's file system; on first use seed and chown it.  */
static int
use_volume (struct husk_engine *e, const char *name, json_t *m, json_t *ccfg,
            const char *rootfs, husk_error_t *err)
{
  cleanup_free char *data = husk_volume_data_dir (e->root, name);
  cleanup_close int lock = lock_volume (e, name, err);
  cleanup_close int data_fd = -1;
  cleanup_json json_t *options = NULL;
  struct husk_volume_rec r;
  int copied = 0, ret = -1;

  if (lock < 0)
    return -1;
  if (husk_state_volume_get (e->state, name, &r, err) < 0)
    return -1;
  options = json_loads (r.options ? r.options : "{}", 0, NULL);
  if (husk_volume_mount (data, options, err) < 0)
    goto out;
  if (!r.needs_copy_up && !r.needs_chown)
    {
      ret = 0;
      goto out;
    }
  data_fd = open (data, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (data_fd < 0)
    {
      husk_error_make (err, errno, "open volume '%s'", data);
      goto out;
    }
  if (r.needs_copy_up && !mount_has_option (m, "nocopy"))
    {
      int empty = husk_volume_is_empty (data_fd, err);
      const char *dest = json_string_value (json_object_get (m, "destination"));
      if (empty < 0 || (empty && (copied = husk_volume_copy_up (rootfs, dest ? dest : "/", data_fd,
                                                                e->rootless, err)) < 0))
        goto out;
      r.needs_copy_up = false;
    }
  if (r.needs_chown && !copied && chown_to_user (e, ccfg, rootfs, data_fd, err) < 0)
    goto out;
  r.needs_chown = false;
  ret = husk_state_volume_save (e->state, &r, err);
out:
  husk_volume_rec_release (&r);
  return ret;
}

/* One "volume" mount entry.  Return: 1 when the entry changed, 0, -1.  */
static int
prepare_one (struct husk_engine *e, json_t *ccfg, json_t *m, const char *rootfs,
             char ***made, husk_error_t *err)
{
  const char *name = json_string_value (json_object_get (m, "name"));
  const char *source = json_string_value (json_object_get (m, "source"));
  struct husk_volume_create_opts o = { .name = name, .ignore = true,
                                       .anonymous = json_is_true (json_object_get (m, "anonymous")) };
  cleanup_free char *created = NULL, *data = NULL;
  int changed = 0;

  if (name == NULL || *name == '\0')
    {
      o.anonymous = true;
      if (husk_op_volume_create (e, &o, &created, err) < 0)
        return -1;
      husk_strv_append (made, created);
      json_object_set_new (m, "name", json_string (created));
      json_object_set_new (m, "anonymous", json_true ());
      name = created;
      changed = 1;
    }
  else if (husk_op_volume_create (e, &o, NULL, err) < 0) /* created on first use */
    return husk_error_wrap (err, "volume for '%s'",
                            json_string_value (json_object_get (m, "destination")) ?: "");
  if (use_volume (e, name, m, ccfg, rootfs, err) < 0)
    return husk_error_wrap (err, "volume '%s'", name);
  data = husk_volume_data_dir (e->root, name);
  if (source == NULL || strcmp (source, data) != 0)
    {
      json_object_set_new (m, "source", json_string (data));
      changed = 1;
    }
  return changed;
}

int
husk_op_volume_prepare (struct husk_engine *e, json_t *ccfg, const char *rootfs,
                        husk_error_t *err)
{
  cleanup_strv char **made = NULL;
  int changed = 0;
  size_t i;
  json_t *m;

  json_array_foreach (json_object_get (ccfg, "mounts"), i, m)
    {
      const char *type = json_string_value (json_object_get (m, "type"));
      int r;

      if (type == NULL || strcmp (type, "volume") != 0)
        continue;
      r = prepare_one (e, ccfg, m, rootfs, &made, err);
      if (r < 0)
        {
          for (size_t k = 0; made && made[k]; k++)
            remove_volume (e, made[k], NULL);
          return -1;
        }
      changed |= r;
    }
  return changed;
}

int
husk_op_volume_create_named (struct husk_engine *e, json_t *ccfg, husk_error_t *err)
{
  cleanup_strv char **made = NULL;
  size_t i;
  json_t *m;

  json_array_foreach (json_object_get (ccfg, "mounts"), i, m)
    {
      const char *type = json_string_value (json_object_get (m, "type"));
      struct husk_volume_create_opts o = { .name = json_string_value (json_object_get (m, "name")),
                                           .ignore = true };
      struct husk_volume_rec r;

      if (type == NULL || strcmp (type, "volume") != 0 || o.name == NULL || *o.name == '\0')
        continue;
      if (husk_state_volume_get (e->state, o.name, &r, NULL) == 0)
        {
          husk_volume_rec_release (&r);
          continue;
        }
      if (husk_op_volume_create (e, &o, NULL, err) < 0)
        {
          /* A failed create leaves nothing: not the volumes it made.  */
          for (size_t k = 0; made && made[k]; k++)
            remove_volume (e, made[k], NULL);
          return -1;
        }
      husk_strv_append (&made, o.name);
    }
  return 0;
}

int
husk_op_volume_release_anonymous (struct husk_engine *e, json_t *ccfg, husk_error_t *err)
{
  cleanup_strv char **used = NULL;
  bool any = false;
  int ret = 0;
  size_t i;
  json_t *m;

  /* Most containers have no volume: then there is no need to read every
     container's configuration for the volumes still in use.  */
  json_array_foreach (json_object_get (ccfg, "mounts"), i, m)
    {
      const char *type = json_string_value (json_object_get (m, "type"));
      any = any || (type && strcmp (type, "volume") == 0);
    }
  if (!any)
    return 0;
  if (used_volumes (e, &used, err) < 0)
    return -1;
  json_array_foreach (json_object_get (ccfg, "mounts"), i, m)
    {
      const char *type = json_string_value (json_object_get (m, "type"));
      const char *name = json_string_value (json_object_get (m, "name"));
      struct husk_volume_rec r;
      husk_error_t e2 = NULL;

      if (type == NULL || strcmp (type, "volume") != 0 || name == NULL || *name == '\0'
          || husk_strv_contains (used, name))
        continue;
      if (husk_state_volume_get (e->state, name, &r, NULL) < 0)
        continue; /* gone already */
      if (r.anonymous && remove_volume (e, name, &e2) < 0)
        {
          if (ret == 0)
            ret = husk_error_move (err, &e2);
          husk_error_release (&e2);
        }
      husk_volume_rec_release (&r);
    }
  return ret;
}
