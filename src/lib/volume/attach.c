/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Volumes and their attachment to containers: creating and removing a
 * volume (row, directory, event), which containers use which volume, and
 * the services the container lifecycle calls at create, start and rm.
 *
 * At every container start husk_volume_prepare() resolves the volume
 * mounts: it creates missing named volumes, makes anonymous ones and
 * records their names in the configuration, mounts volumes that have mount
 * options, and on a volume's first use seeds it from the image and gives
 * it to the container's user.  The first-use step runs under an exclusive
 * flock on the volume's directory and re-reads the row inside it, so two
 * containers starting together seed a volume once.
 */
#include "volume/attach.h"
#include "events/events.h"
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


/* ---- create ------------------------------------------------------------ */

int
husk_volume_create (struct husk_engine *e, const struct husk_volume_create_opts *o,
                    char **name_out, husk_error_t *err)
{
  const char *driver = o->driver && *o->driver ? o->driver : "local";
  cleanup_free char *name = o->name && *o->name ? husk_xstrdup (o->name) : husk_random_hex (32);
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
      || (labels = husk_labels_parse (o->labels, err)) == NULL)
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
      if (husk_volume_dirs_create (e->volume_path, name, err) < 0)
        return -1;
    }
  else if (husk_volume_dirs_create (e->volume_path, name, err) < 0)
    {
      husk_error_t rberr = NULL;
      if (husk_state_volume_remove (e->state, name, &rberr) < 0)
        husk_error_drop_warn (&rberr, "roll back volume '%s'", name);
      return husk_error_wrap (err, "create volume '%s'", name);
    }
  else
    event (e, "create", name);
  if (name_out)
    *name_out = steal_ptr (&name);
  return 0;
}

/* Lock a volume's directory (made when missing, as after a crash between
   row and directory).  Return: the fd holding the lock, or -1.  */
int
husk_volume_lock (struct husk_engine *e, const char *name, husk_error_t *err)
{
  cleanup_free char *dir = husk_volume_dir (e->volume_path, name);
  cleanup_close int fd = -1;

  if (husk_volume_dirs_create (e->volume_path, name, err) < 0)
    return -1;
  fd = open (dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0)
    return husk_error_make (err, errno, "open volume '%s'", dir);
  while (flock (fd, LOCK_EX) < 0)
    if (errno != EINTR)
      return husk_error_make (err, errno, "lock volume '%s'", dir);
  return steal_fd (&fd);
}

/* Calls fn for every volume mount of every container.  */
int
husk_volume_each_mount (struct husk_engine *e,
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


static void
add_used (const struct husk_container_rec *c, const char *vol, void *data)
{
  (void) c;
  if (!husk_strv_contains (*(char ***) data, vol))
    husk_strv_append ((char ***) data, vol);
}

/* Names of all volumes some container uses (NULL when none).  */
int
husk_volume_used (struct husk_engine *e, char ***used, husk_error_t *err)
{
  *used = NULL;
  return husk_volume_each_mount (e, add_used, used, err);
}

/* Files first, then the row (see the top of this file).  */
int
husk_volume_remove (struct husk_engine *e, const char *name, husk_error_t *err)
{
  if (husk_volume_dirs_remove (e->volume_path, name, err) < 0
      || husk_state_volume_remove (e->state, name, err) < 0)
    return husk_error_wrap (err, "remove volume '%s'", name);
  event (e, "remove", name);
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
  cleanup_free char *data = husk_volume_data_dir (e->volume_path, name);
  cleanup_close int lock = husk_volume_lock (e, name, err);
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
      if (husk_volume_create (e, &o, &created, err) < 0)
        return -1;
      husk_strv_append (made, created);
      json_object_set_new (m, "name", json_string (created));
      json_object_set_new (m, "anonymous", json_true ());
      name = created;
      changed = 1;
    }
  else if (husk_volume_create (e, &o, NULL, err) < 0) /* created on first use */
    return husk_error_wrap (err, "volume for '%s'",
                            json_string_value (json_object_get (m, "destination")) ?: "");
  if (use_volume (e, name, m, ccfg, rootfs, err) < 0)
    return husk_error_wrap (err, "volume '%s'", name);
  data = husk_volume_data_dir (e->volume_path, name);
  if (source == NULL || strcmp (source, data) != 0)
    {
      json_object_set_new (m, "source", json_string (data));
      changed = 1;
    }
  return changed;
}

/* A failed create or start leaves nothing: not the volumes it made.  */
static void
drop_made (struct husk_engine *e, char **made)
{
  for (size_t k = 0; made && made[k]; k++)
    {
      husk_error_t err = NULL;
      if (husk_volume_remove (e, made[k], &err) < 0)
        husk_error_drop_warn (&err, "roll back volume '%s'", made[k]);
    }
}

int
husk_volume_prepare (struct husk_engine *e, json_t *ccfg, const char *rootfs,
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
          drop_made (e, made);
          return -1;
        }
      changed |= r;
    }
  return changed;
}


int
husk_volume_create_named (struct husk_engine *e, json_t *ccfg, husk_error_t *err)
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
      if (husk_volume_create (e, &o, NULL, err) < 0)
        {
          drop_made (e, made);
          return -1;
        }
      husk_strv_append (&made, o.name);
    }
  return 0;
}


int
husk_volume_release_anonymous (struct husk_engine *e, json_t *ccfg, husk_error_t *err)
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
  if (husk_volume_used (e, &used, err) < 0)
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
      if (r.anonymous && husk_volume_remove (e, name, &e2) < 0)
        {
          if (ret == 0)
            ret = husk_error_move (err, &e2);
          husk_error_release (&e2);
        }
      husk_volume_rec_release (&r);
    }
  return ret;
}
