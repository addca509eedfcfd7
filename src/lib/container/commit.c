/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * commit's share of the work (see commit.h): the container's changes as a
 * layer in the store, and the new image's config.
 */
#include "container/idmaps.h"
#include "container/commit.h"
#include "container/fs.h"
#include "image/image.h"
#include "image/reference.h"
#include "util/cleanup.h"
#include "util/fileutil.h"
#include "util/strutil.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>


/* A file in the store's work area for the new layer, locked while *fd is
   open (husk_work_file_create()), so only the file of a commit that died
   (SIGKILL) is removed, by the next command.  */
static char *
layer_file (struct husk_engine *e, int *fd, husk_error_t *err)
{
  cleanup_free char *dir = husk_store_tmp_dir (e->store);
  char *path = NULL;

  *fd = husk_work_file_create (dir, "commit", &path, err);
  return *fd < 0 ? NULL : path;
}

/* Write the container's changes as a layer tar to fd.  */
static int
write_layer (struct husk_engine *e, const struct husk_container_rec *r, int fd,
             husk_error_t *err)
{
  cleanup_free char *dir = husk_container_store_dir (e, r->id), *tree = husk_asprintf ("%s/diff", dir);
  cleanup_close int tfd = open (tree, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  cleanup_json json_t *cfg = json_loads (r->config, 0, NULL);
  struct husk_idmap uids, gids;
  bool mapped = husk_container_idmaps (cfg, &uids, &gids);
  struct husk_change *c = NULL;
  size_t n = 0;
  int ret;

  if (tfd < 0)
    return husk_error_make (err, errno, "open '%s'", tree);
  if (strcmp (husk_store_driver_name (e->store), "overlay") == 0)
    return husk_changes_layer_overlay (tfd, husk_store_mount_program (e->store) != NULL, fd,
                                       mapped ? &uids : NULL, mapped ? &gids : NULL, err);
  if (husk_container_changes (e, r, &c, &n, err) < 0)
    return -1;
  ret = husk_changes_layer_list (tfd, c, n, fd, mapped ? &uids : NULL, mapped ? &gids : NULL,
                                 err);
  husk_changes_free (c, n);
  return ret;
}

int
husk_container_commit_layer (struct husk_engine *e, const struct husk_container_rec *r,
                             const struct husk_image_rec *img, struct husk_layer_info *info,
                             husk_error_t *err)
{
  cleanup_close int fd = -1;
  cleanup_free char *blob = layer_file (e, &fd, err);
  size_t n = husk_strv_len (img->layers);
  const char *top = n ? img->layers[n - 1] : NULL;

  if (blob == NULL)
    return -1;
  if (write_layer (e, r, fd, err) < 0 || fsync (fd) < 0)
    {
      if (*err == NULL)
        husk_error_make (err, errno, "write '%s'", blob);
      unlink (blob);
      return husk_error_wrap (err, "commit container %s", r->id);
    }
  if (husk_store_layer_create (e->store, top, blob, true, NULL, info, err) < 0)
    {
      unlink (blob);
      return husk_error_wrap (err, "commit container %s", r->id);
    }
  return 0;
}

/* "CMD=x" (Podman's other spelling) -> "CMD x".  */
static char *
change_text (const char *s)
{
  size_t word = strcspn (s, " =");

  if (s[word] == '=')
    return husk_asprintf ("%.*s %s", (int) word, s, s + word + 1);
  return husk_xstrdup (s);
}

static int
apply_changes (json_t *cfg, char **changes, husk_error_t *err)
{
  for (size_t i = 0; changes && changes[i]; i++)
    {
      cleanup_free char *text = change_text (changes[i]);
      if (husk_image_apply_change (cfg, text, err) < 0)
        return -1;
    }
  return 0;
}

static void
set_or_del (json_t *obj, const char *key, json_t *v)
{
  if (v == NULL || json_is_null (v))
    json_object_del (obj, key);
  else
    json_object_set (obj, key, v);
}

/* What the container runs, for the history: entrypoint and command.  */
static char *
created_by (json_t *c)
{
  struct husk_buf b = HUSK_BUF_INIT;
  const char *keys[] = { "entrypoint", "cmd" };
  size_t i;
  json_t *v;

  husk_buf_puts (&b, "");
  for (size_t k = 0; k < 2; k++)
    json_array_foreach (json_object_get (c, keys[k]), i, v)
      {
        if (b.len)
          husk_buf_putc (&b, ' ');
        husk_buf_puts (&b, json_string_value (v) ? json_string_value (v) : "");
      }
  return husk_buf_steal (&b);
}

/* What the container runs with, into the config's "config", as Docker's
   commit takes it: Env, Entrypoint, Cmd, WorkingDir, User, Labels.  */
static void
set_run_config (json_t *conf, json_t *c)
{
  const char *wd = json_string_value (json_object_get (c, "workdir"));
  const char *user = json_string_value (json_object_get (c, "user"));
  json_t *labels = json_object_get (c, "labels");

  set_or_del (conf, "Env", json_object_get (c, "env"));
  set_or_del (conf, "Entrypoint", json_object_get (c, "entrypoint"));
  set_or_del (conf, "Cmd", json_object_get (c, "cmd"));
  /* "/" and "" are what the container got when nothing was asked for.  */
  if (wd && (strcmp (wd, "/") != 0 || json_object_get (conf, "WorkingDir")))
    json_object_set_new (conf, "WorkingDir", json_string (wd));
  if (user && (*user || json_object_get (conf, "User")))
    json_object_set_new (conf, "User", json_string (user));
  if (json_is_object (labels) && json_object_size (labels) > 0)
    json_object_set (conf, "Labels", labels);
}

/* Append the new layer's diff ID and its history entry.  */
static void
add_layer (json_t *cfg, json_t *c, const struct husk_commit_opts *o, const char *diff_id,
           const char *now)
{
  const char *image = json_string_value (json_object_get (json_object_get (c, "image"), "name"));
  cleanup_free char *by = created_by (c), *comment = NULL;
  json_t *rootfs = json_object_get (cfg, "rootfs"), *h;

  if (!json_is_object (rootfs))
    json_object_set_new (cfg, "rootfs", rootfs = json_pack ("{s:s}", "type", "layers"));
  if (!json_is_array (json_object_get (rootfs, "diff_ids")))
    json_object_set_new (rootfs, "diff_ids", json_array ());
  json_array_append_new (json_object_get (rootfs, "diff_ids"), json_string (diff_id));
  if (!json_is_array (json_object_get (cfg, "history")))
    json_object_set_new (cfg, "history", json_array ());
  comment = o->message ? husk_xstrdup (o->message) : husk_asprintf ("FROM %s", image ? image : "");
  h = json_pack ("{s:s, s:s}", "created", now, "created_by", by);
  if (o->author)
    json_object_set_new (h, "author", json_string (o->author));
  json_object_set_new (h, "comment", json_string (comment));
  json_array_append_new (json_object_get (cfg, "history"), h);
}

char *
husk_container_commit_config (const struct husk_image_rec *img,
                              const struct husk_container_rec *r,
                              const struct husk_commit_opts *o, const char *diff_id,
                              husk_error_t *err)
{
  cleanup_json json_t *cfg = json_loads (img->config, 0, NULL);
  cleanup_json json_t *c = json_loads (r->config, 0, NULL);
  cleanup_free char *now = NULL;
  struct timespec ts;
  json_t *conf;

  if (!json_is_object (cfg))
    cfg = json_object ();
  clock_gettime (CLOCK_REALTIME, &ts);
  now = husk_time_format_rfc3339 (ts.tv_sec, ts.tv_nsec);
  json_object_set_new (cfg, "created", json_string (now));
  if (o->author)
    json_object_set_new (cfg, "author", json_string (o->author));
  /* Docker's record of the container that made the parent: not ours.  */
  json_object_del (cfg, "container");
  json_object_del (cfg, "container_config");
  if (!json_is_object (conf = json_object_get (cfg, "config")))
    json_object_set_new (cfg, "config", conf = json_object ());
  set_run_config (conf, c);
  add_layer (cfg, c, o, diff_id, now);
  if (apply_changes (cfg, o->changes, err) < 0)
    return NULL;
  return json_dumps (cfg, JSON_COMPACT);
}

int
husk_container_commit_check (const struct husk_commit_opts *o, husk_error_t *err)
{
  cleanup_json json_t *probe = json_object ();

  if (o->format && strcmp (o->format, "oci") && strcmp (o->format, "docker"))
    return husk_error_makex (err, EINVAL, "unrecognized image type \"%s\": use oci or docker",
                             o->format);
  if (o->reference)
    {
      struct husk_reference ref = { 0 };
      cleanup_free char *local = husk_asprintf ("localhost/%s", o->reference);
      if (husk_reference_parse (o->reference, true, &ref, NULL) < 0
          && husk_reference_parse (local, true, &ref, NULL) < 0)
        return husk_error_makex (err, EINVAL, "invalid image name \"%s\": invalid reference "
                                 "format", o->reference);
      husk_reference_release (&ref);
    }
  return apply_changes (probe, o->changes, err);
}


void
husk_container_commit_drop_layer (struct husk_engine *e, const char *chain)
{
  struct husk_layer_rec l = { 0 };
  husk_error_t err = NULL;

  if (husk_state_layer_get (e->state, chain, &l, NULL) == 0)
    {
      husk_layer_rec_release (&l);
      return;
    }
  if (husk_store_layer_remove (e->store, chain, &err) < 0)
    husk_error_drop (&err, "commit: remove layer %s", chain);
}
