/* SPDX-License-Identifier: GPL-2.0-or-later */
/* `system df`: the totals of images, containers, volumes and of the
   store's work area, as a typed record; the front ends format them.  */
#include "ops/system.h"
#include "ops/container.h"
#include "ops/image.h"
#include "ops/volume.h"
#include "container/size.h"
#include "state/containers.h"
#include "volume/attach.h"
#include "state/state.h"
#include "storage/store.h"
#include "util/cleanup.h"
#include "util/fileutil.h"
#include "util/strutil.h"

#include <dirent.h>
#include <fcntl.h>
#include <string.h>

void
husk_op_df_work_area (const char *dir, struct husk_df_row *out)
{
  cleanup_dir DIR *d = opendir (dir);
  struct dirent *de;

  memset (out, 0, sizeof *out);
  while (d && (de = readdir (d)) != NULL)
    {
      cleanup_close int lock = -1;
      int64_t b;
      if (strcmp (de->d_name, ".") == 0 || strcmp (de->d_name, "..") == 0)
        continue;
      b = husk_tree_bytes_at (dirfd (d), de->d_name);
      out->total++;
      out->size += b;
      if (husk_work_entry_claim (dirfd (d), de->d_name, &lock) != 0)
        out->active++;
      else
        out->reclaimable += b;
    }
}

/* The bytes of the images' layers, each layer once; used: whether each
   image counts (NULL: all), seen: the layers counted so far.  */
static int64_t
layer_bytes (struct husk_engine *e, const struct husk_image_rec *list, size_t n,
             const bool *used, char ***seen)
{
  int64_t total = 0;

  for (size_t i = 0; i < n; i++)
    for (size_t k = 0; (used == NULL || used[i]) && list[i].layers && list[i].layers[k]; k++)
      {
        struct husk_layer_rec l = { 0 };
        if (husk_strv_contains (*seen, list[i].layers[k])
            || husk_state_layer_get (e->state, list[i].layers[k], &l, NULL) < 0)
          continue;
        husk_strv_append (seen, list[i].layers[k]);
        total += l.size;
        husk_layer_rec_release (&l);
      }
  return total;
}

/* Images: an image a container uses is active; what removing the others
   would free (their layers that no used image shares) is reclaimable.  */
static int
df_images (struct husk_engine *e, struct husk_df_row *out, husk_error_t *err)
{
  struct husk_image_rec *list = NULL;
  cleanup_free bool *used = NULL;
  cleanup_strv char **all = NULL, **in_use = NULL;
  size_t n = 0;

  if (husk_op_image_list (e, &list, &n, err) < 0)
    return -1;
  used = husk_xzalloc ((n + 1) * sizeof (bool));
  for (size_t i = 0; i < n; i++)
    {
      cleanup_strv char **users = NULL;
      if (husk_state_image_users (e->state, list[i].id, &users, NULL) == 0 && users)
        used[i] = true, out->active++;
    }
  out->total = (int64_t) n;
  out->size = layer_bytes (e, list, n, NULL, &all);
  out->reclaimable = out->size - layer_bytes (e, list, n, used, &in_use);
  husk_image_rec_array_free (list, n);
  return 0;
}

/* Containers: the running ones are active; the read-write layers of the
   others are reclaimable (what `container prune` frees).  */
static int
df_containers (struct husk_engine *e, struct husk_df_row *out, husk_error_t *err)
{
  struct husk_container_rec *list = NULL;
  size_t n = 0;

  if (husk_op_container_list (e, &list, &n, err) < 0)
    return -1;
  for (size_t i = 0; i < n; i++)
    {
      struct husk_container_size sz = { 0 };
      bool running = strcmp (list[i].state, "running") == 0
                     || strcmp (list[i].state, "paused") == 0
                     || strcmp (list[i].state, "stopping") == 0;
      husk_error_t serr = NULL;
      if (husk_container_size (e, &list[i], &sz, &serr) < 0)
        husk_error_release (&serr);
      out->total++;
      out->size += sz.rw;
      if (running)
        out->active++;
      else
        out->reclaimable += sz.rw;
    }
  husk_container_rec_array_free (list, n);
  return 0;
}

/* Volumes: one that a container uses is active; the data of the others
   is reclaimable.  */
static int
df_volumes (struct husk_engine *e, struct husk_df_row *out, husk_error_t *err)
{
  cleanup_json json_t *vols = NULL;
  cleanup_strv char **used = NULL;
  size_t i;
  json_t *v;

  if (husk_op_volume_list (e, NULL, &vols, err) < 0 || husk_volume_used (e, &used, err) < 0)
    return -1;
  json_array_foreach (vols, i, v)
    {
      const char *mp = json_string_value (json_object_get (v, "Mountpoint"));
      int64_t b = mp ? husk_tree_bytes_at (AT_FDCWD, mp) : 0;
      out->total++;
      out->size += b;
      if (husk_strv_contains (used, json_string_value (json_object_get (v, "Name"))))
        out->active++;
      else
        out->reclaimable += b;
    }
  return 0;
}

int
husk_op_system_df (struct husk_engine *e, struct husk_system_df *out, husk_error_t *err)
{
  cleanup_free char *tmp = NULL;

  memset (out, 0, sizeof *out);
  if (df_images (e, &out->images, err) < 0 || df_containers (e, &out->containers, err) < 0
      || df_volumes (e, &out->volumes, err) < 0)
    return -1;
  if (e->store)
    {
      tmp = husk_store_tmp_dir (e->store);
      husk_op_df_work_area (tmp, &out->build_cache);
    }
  return 0;
}

/* ---- system df -v --------------------------------------------------------- */

/* Bytes of image i's layers that another image uses too.  */
static int64_t
shared_bytes (struct husk_engine *e, const struct husk_image_rec *list, size_t n, size_t i)
{
  int64_t total = 0;

  for (size_t k = 0; list[i].layers && list[i].layers[k]; k++)
    {
      struct husk_layer_rec l = { 0 };
      bool shared = false;
      for (size_t j = 0; j < n && !shared; j++)
        shared = j != i && husk_strv_contains (list[j].layers, list[i].layers[k]);
      if (shared && husk_state_layer_get (e->state, list[i].layers[k], &l, NULL) == 0)
        {
          total += l.size;
          husk_layer_rec_release (&l);
        }
    }
  return total;
}

static json_t *
df_image_rows (struct husk_engine *e, husk_error_t *err)
{
  struct husk_image_rec *list = NULL;
  size_t n = 0;
  json_t *rows;

  if (husk_op_image_list (e, &list, &n, err) < 0)
    return NULL;
  rows = json_array ();
  for (size_t i = 0; i < n; i++)
    {
      cleanup_strv char **users = NULL;
      const char *name = list[i].names && list[i].names[0] ? list[i].names[0] : NULL;
      const char *colon = name ? strrchr (name, ':') : NULL;
      cleanup_free char *repo = colon && !strchr (colon, '/') ? husk_xstrndup (name, colon - name)
                                                              : husk_xstrdup (name ? name : "<none>");
      int64_t shared = shared_bytes (e, list, n, i);
      husk_state_image_users (e->state, list[i].id, &users, NULL);
      json_array_append_new (rows, json_pack ("{s:s, s:s, s:s, s:I, s:I, s:I, s:I, s:I}",
                                              "Repository", repo, "Tag",
                                              colon && !strchr (colon, '/') ? colon + 1 : "<none>",
                                              "ImageID", list[i].id, "Created",
                                              (json_int_t) list[i].created, "Size",
                                              (json_int_t) list[i].size, "SharedSize",
                                              (json_int_t) shared, "UniqueSize",
                                              (json_int_t) (list[i].size - shared), "Containers",
                                              (json_int_t) husk_strv_len (users)));
    }
  husk_image_rec_array_free (list, n);
  return rows;
}

/* Volume mounts tallied per container ID and per volume name.  */
struct mount_tally
{
  json_t *by_container, *by_volume;
};

static void
bump (json_t *o, const char *key)
{
  json_object_set_new (o, key, json_integer (json_integer_value (json_object_get (o, key)) + 1));
}

static void
count_mount (const struct husk_container_rec *c, const char *vol, void *data)
{
  struct mount_tally *t = data;

  bump (t->by_container, c->id);
  bump (t->by_volume, vol);
}

static json_t *
df_container_rows (struct husk_engine *e, json_t *by_container, husk_error_t *err)
{
  struct husk_container_rec *list = NULL;
  size_t n = 0;
  json_t *rows;

  if (husk_op_container_list (e, &list, &n, err) < 0)
    return NULL;
  rows = json_array ();
  for (size_t i = 0; i < n; i++)
    {
      struct husk_container_info info = { 0 };
      struct husk_container_size sz = { 0 };
      husk_error_t serr = NULL;
      cleanup_free char *cmd = NULL;

      husk_op_container_info (&list[i], &info);
      cmd = husk_strv_join (info.command, " ");
      if (husk_container_size (e, &list[i], &sz, &serr) < 0)
        husk_error_release (&serr);
      json_array_append_new (rows, json_pack ("{s:s, s:s, s:s, s:I, s:I, s:I, s:s, s:s}",
                                              "ContainerID", list[i].id, "Image",
                                              info.image_name ? info.image_name : "",
                                              "Command", cmd ? cmd : "", "LocalVolumes",
                                              json_integer_value (json_object_get (by_container,
                                                                                   list[i].id)),
                                              "Size", (json_int_t) sz.rw, "Created",
                                              (json_int_t) (list[i].created / 1000000000),
                                              "Status", list[i].state, "Names", list[i].name));
      husk_container_info_release (&info);
    }
  husk_container_rec_array_free (list, n);
  return rows;
}

static json_t *
df_volume_rows (struct husk_engine *e, json_t *by_volume, husk_error_t *err)
{
  cleanup_json json_t *vols = NULL;
  json_t *rows, *v;
  size_t i;

  if (husk_op_volume_list (e, NULL, &vols, err) < 0)
    return NULL;
  rows = json_array ();
  json_array_foreach (vols, i, v)
    {
      const char *name = json_string_value (json_object_get (v, "Name"));
      const char *mp = json_string_value (json_object_get (v, "Mountpoint"));
      json_array_append_new (rows, json_pack ("{s:s, s:I, s:I}", "VolumeName", name, "Links",
                                              json_integer_value (json_object_get (by_volume, name)),
                                              "Size",
                                              (json_int_t) (mp ? husk_tree_bytes_at (AT_FDCWD, mp) : 0)));
    }
  return rows;
}

json_t *
husk_op_system_df_verbose (struct husk_engine *e, husk_error_t *err)
{
  struct mount_tally t = { json_object (), json_object () };
  json_t *images = NULL, *containers = NULL, *volumes = NULL, *out = NULL;

  if (husk_volume_each_mount (e, count_mount, &t, err) == 0
      && (images = df_image_rows (e, err)) != NULL
      && (containers = df_container_rows (e, t.by_container, err)) != NULL
      && (volumes = df_volume_rows (e, t.by_volume, err)) != NULL)
    out = json_pack ("{s:O, s:O, s:O}", "Images", images, "Containers", containers,
                     "Volumes", volumes);
  json_decref (images);
  json_decref (containers);
  json_decref (volumes);
  json_decref (t.by_container);
  json_decref (t.by_volume);
  return out;
}
