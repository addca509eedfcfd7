/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The container commands that work on its file system: cp, diff, export,
 * commit, mount and unmount; and rename, port and container prune.  The
 * file work is in container/fs.c (see container/fs.h); these resolve the
 * container, check what the command asks and record the events.
 *
 * commit writes the read-write layer as a tar into the store's work area
 * (its tmp/), applies it on top of the image's top layer with
 * husk_store_layer_create(), then records the image as import does; until
 * the record, the new layer is removed on failure.
 */
#include "container/changes.h"
#include "container/fs.h"
#include "container/monitor.h"
#include "container/parse.h"
#include "image/image.h"
#include "image/reference.h"
#include "ops/container.h"
#include "events/events.h"
#include "ops/events.h"
#include "ops/image.h"
#include "state/containers.h"
#include "storage/store.h"
#include "util/cleanup.h"
#include "util/digest.h"
#include "util/fileutil.h"
#include "util/log.h"
#include "util/strutil.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static void
event (struct husk_engine *e, const char *action, const char *id, const char *name)
{
  (void) name; /* the row has it, with the image and labels */
  husk_op_events_record (e, id, action);
}

/* ---- cp -------------------------------------------------------------------- */

int
husk_op_container_copy_in (struct husk_engine *e, const char *ref, const char *src,
                           int in_fd, const char *path, const struct husk_cp_request *rq,
                           husk_error_t *err)
{
  cleanup_container_rec struct husk_container_rec r = { 0 };

  if (husk_op_container_load (e, ref, &r, err) < 0)
    return -1;
  return husk_container_copy_in (e, &r, src, in_fd, path, rq, err);
}

int
husk_op_container_copy_out (struct husk_engine *e, const char *ref, const char *path,
                            const char *dst, int out_fd, const struct husk_cp_request *rq,
                            husk_error_t *err)
{
  cleanup_container_rec struct husk_container_rec r = { 0 };

  if (dst && husk_container_cp_check_dest (path, dst, err) < 0)
    return -1;
  if (husk_op_container_load (e, ref, &r, err) < 0)
    return -1;
  return husk_container_copy_out (e, &r, path, dst, out_fd, rq, err);
}

/* ---- diff, export ---------------------------------------------------------- */

int
husk_op_container_diff (struct husk_engine *e, const char *ref, struct husk_change **out,
                        size_t *n, husk_error_t *err)
{
  cleanup_container_rec struct husk_container_rec r = { 0 };

  if (husk_op_container_load (e, ref, &r, err) < 0)
    return -1;
  return husk_container_diff (e, &r, out, n, err);
}

int
husk_op_container_export (struct husk_engine *e, const char *ref, int out_fd,
                          husk_error_t *err)
{
  cleanup_container_rec struct husk_container_rec r = { 0 };

  if (husk_op_container_load (e, ref, &r, err) < 0)
    return -1;
  if (husk_container_export (e, &r, out_fd, err) < 0)
    return -1;
  event (e, "export", r.id, r.name);
  return 0;
}

/* ---- commit -------------------------------------------------------------------- */

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
  struct husk_change *c = NULL;
  size_t n = 0;
  int ret;

  if (tfd < 0)
    return husk_error_make (err, errno, "open '%s'", tree);
  if (strcmp (husk_store_driver_name (e->store), "overlay") == 0)
    return husk_changes_layer_overlay (tfd, fd, err);
  if (husk_container_changes (e, r, &c, &n, err) < 0)
    return -1;
  ret = husk_changes_layer_list (tfd, c, n, fd, err);
  husk_changes_free (c, n);
  return ret;
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

/* The image's config with the container's settings, the new layer, a
   history entry and the --change instructions: Docker's commit.  */
static char *
commit_config (const struct husk_image_rec *img, json_t *c,
               const struct husk_commit_opts *o, const char *diff_id, husk_error_t *err)
{
  cleanup_json json_t *cfg = json_loads (img->config, 0, NULL);
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

/* Check what can be checked before any work.  */
static int
commit_check (const struct husk_commit_opts *o, husk_error_t *err)
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

/* Record the image of layer info on top of img; name it.  */
static int
record (struct husk_engine *e, const struct husk_image_rec *img, const char *config,
        struct husk_layer_info *info, const char *reference, char **id_out, husk_error_t *err)
{
  cleanup_free char *digest = husk_digest_buf (config, strlen (config));
  cleanup_strv char **layers = husk_strv_dup (img->layers);
  struct husk_image_rec rec = { 0 };

  husk_strv_append (&layers, info->chain_id);
  rec.id = digest + 7;
  rec.layers = layers;
  rec.config = (char *) config;
  rec.created = time (NULL);
  rec.added = rec.created;
  rec.size = img->size + info->size;
  if (husk_op_image_record (e, &rec, info, 1, err) < 0)
    return -1;
  if (reference)
    {
      char *names[] = { (char *) reference, NULL };
      if (husk_op_image_tag (e, rec.id, names, err) < 0)
        {
          struct husk_rmi_report rep = { 0 };
          husk_error_t rerr = NULL;
          if (husk_op_image_remove_id (e, rec.id, &rep, &rerr) < 0)
            husk_error_drop (&rerr, "commit: remove the untagged image %s", rec.id);
          husk_rmi_report_release (&rep);
          return -1;
        }
    }
  *id_out = husk_xstrdup (rec.id);
  return 0;
}

/* Remove the layer a failed commit made, unless an image records it.  */
static void
drop_layer (struct husk_engine *e, const char *chain)
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

/* Make the layer and the image.  */
static int
commit_image (struct husk_engine *e, const struct husk_container_rec *r,
              const struct husk_image_rec *img, const struct husk_commit_opts *o,
              char **id_out, husk_error_t *err)
{
  cleanup_close int fd = -1;
  cleanup_free char *blob = layer_file (e, &fd, err), *config = NULL;
  cleanup_json json_t *c = json_loads (r->config, 0, NULL);
  size_t n = husk_strv_len (img->layers);
  const char *top = n ? img->layers[n - 1] : NULL;
  struct husk_layer_info info = { 0 };

  if (blob == NULL)
    return -1;
  if (write_layer (e, r, fd, err) < 0 || fsync (fd) < 0)
    {
      if (*err == NULL)
        husk_error_make (err, errno, "write '%s'", blob);
      unlink (blob);
      return husk_error_wrap (err, "commit container %s", r->id);
    }
  if (husk_store_layer_create (e->store, top, blob, true, NULL, &info, err) < 0)
    {
      unlink (blob);
      return husk_error_wrap (err, "commit container %s", r->id);
    }
  config = commit_config (img, c, o, info.diff_id, err);
  if (config == NULL || record (e, img, config, &info, o->reference, id_out, err) < 0)
    {
      /* Not recorded: no image uses it (one that does has a row).  */
      drop_layer (e, info.chain_id);
      return -1;
    }
  return 0;
}

int
husk_op_container_commit (struct husk_engine *e, const char *ref,
                          const struct husk_commit_opts *o, char **id_out, husk_error_t *err)
{
  cleanup_container_rec struct husk_container_rec r = { 0 };
  struct husk_image_rec img = { 0 };
  bool paused = false;
  int ret = -1;

  if (commit_check (o, err) < 0 || husk_op_container_load (e, ref, &r, err) < 0)
    return -1;
  if (husk_state_image_get (e->state, r.image_id, &img, err) < 0)
    {
      husk_error_wrap (err, "image of container %s", r.id);
      goto out;
    }
  if (o->pause && strcmp (r.state, "running") == 0)
    {
      if (husk_op_container_pause (e, r.id, err) < 0)
        goto out;
      paused = true;
    }
  ret = commit_image (e, &r, &img, o, id_out, err);
  if (paused && husk_op_container_unpause (e, r.id, ret < 0 ? NULL : err) < 0)
    ret = -1;
  if (ret == 0)
    event (e, "commit", r.id, r.name);
out:
  husk_image_rec_release (&img);
  return ret;
}

/* ---- mount, unmount ------------------------------------------------------ */

char *
husk_op_container_mount (struct husk_engine *e, const char *ref, husk_error_t *err)
{
  cleanup_container_rec struct husk_container_rec r = { 0 };
  char *path;

  if (e->rootless)
    return husk_error_makex (err, EPERM, "cannot mount containers in rootless mode: run the "
                             "command inside `husk unshare`"), NULL;
  if (husk_op_container_load (e, ref, &r, err) < 0)
    return NULL;
  path = husk_container_mount (e, &r, err);
  if (path)
    event (e, "mount", r.id, r.name);
  return path;
}

int
husk_op_container_unmount (struct husk_engine *e, const char *ref, bool force,
                           husk_error_t *err)
{
  cleanup_container_rec struct husk_container_rec r = { 0 };

  if (husk_op_container_load (e, ref, &r, err) < 0)
    return -1;
  if (husk_container_unmount (e, &r, force, err) < 0)
    return -1;
  event (e, "unmount", r.id, r.name);
  return 0;
}

int
husk_op_container_mounts (struct husk_engine *e, struct husk_ctr_mount **out, size_t *n,
                          husk_error_t *err)
{
  return husk_container_mounts (e, out, n, err);
}

/* ---- rename ------------------------------------------------------------------ */

static bool
valid_name (const char *n)
{
  if (!((n[0] >= 'a' && n[0] <= 'z') || (n[0] >= 'A' && n[0] <= 'Z')
        || (n[0] >= '0' && n[0] <= '9')))
    return false;
  for (const char *p = n; *p; p++)
    if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9')
          || *p == '_' || *p == '.' || *p == '-'))
      return false;
  return true;
}

/* The container that has name, if any (names only, not ID prefixes).  */
static char *
name_holder (struct husk_engine *e, const char *name, husk_error_t *err)
{
  struct husk_container_rec *list = NULL;
  size_t n = 0;
  char *id = NULL;

  if (husk_state_container_list (e->state, &list, &n, err) < 0)
    return NULL;
  for (size_t i = 0; i < n && id == NULL; i++)
    if (strcmp (list[i].name, name) == 0)
      id = husk_xstrdup (list[i].id);
  husk_container_rec_array_free (list, n);
  return id;
}

static int
rename_row (struct husk_engine *e, const char *id, const char *name, char **old,
            husk_error_t *err)
{
  cleanup_container_rec struct husk_container_rec r = { 0 };
  cleanup_json json_t *c = NULL;
  cleanup_free char *holder = NULL;
  husk_error_t lerr = NULL;
  int ret = -1;

  if (husk_state_container_get (e->state, id, &r, err) < 0)
    return -1;
  holder = name_holder (e, name, &lerr);
  if (lerr)
    husk_error_move (err, &lerr);
  else if (holder && strcmp (holder, r.id) != 0)
    husk_error_makex (err, EEXIST, "renaming container %s: name %s already in use, "
                      "cannot rename container %s: container already exists", r.id, name,
                      r.id);
  else
    {
      c = json_loads (r.config, 0, NULL);
      if (json_is_object (c))
        {
          json_object_set_new (c, "name", json_string (name));
          free (r.config);
          r.config = json_dumps (c, JSON_COMPACT);
        }
      *old = steal_ptr (&r.name);
      r.name = husk_xstrdup (name);
      ret = husk_state_container_save (e->state, &r, err);
    }
  return ret;
}

int
husk_op_container_rename (struct husk_engine *e, const char *ref, const char *name,
                          husk_error_t *err)
{
  cleanup_free char *id = NULL, *old = NULL;

  if (!valid_name (name))
    return husk_error_makex (err, EINVAL, "names must match [a-zA-Z0-9][a-zA-Z0-9_.-]*: "
                             "invalid argument");
  if (husk_op_container_resolve (e, ref, &id, err) < 0)
    return -1;
  if (husk_state_begin (e->state, err) < 0)
    return -1;
  if (rename_row (e, id, name, &old, err) < 0)
    {
      husk_state_rollback (e->state);
      return -1;
    }
  if (husk_state_commit (e->state, err) < 0)
    return -1;
  event (e, "rename", id, name);
  return 0;
}

/* ---- port -------------------------------------------------------------------- */

int
husk_op_container_ports (struct husk_engine *e, const char *ref,
                         struct husk_container_port **out, size_t *n, husk_error_t *err)
{
  cleanup_container_rec struct husk_container_rec r = { 0 };
  struct husk_container_info i = { 0 };

  if (husk_op_container_load (e, ref, &r, err) < 0)
    return -1;
  husk_op_container_info (&r, &i);
  *out = steal_ptr (&i.ports);
  *n = i.n_ports;
  husk_container_info_release (&i);
  return 0;
}

/* ---- container prune --------------------------------------------------------- */

struct prune_filter
{
  int64_t until_ns; /* 0: none */
  char **labels;    /* label=... */
  char **not_labels; /* label!=... */
};

static void
prune_filter_release (struct prune_filter *f)
{
  husk_strv_free (f->labels);
  husk_strv_free (f->not_labels);
}

static int
parse_until (const char *s, int64_t *ns, husk_error_t *err)
{
  int64_t d;
  char *end;
  long long sec;

  if ((*ns = husk_timestamp_parse (s, strlen (s))) >= 0)
    return 0;
  if (husk_parse_duration (s, &d, NULL) == 0)
    return *ns = husk_now_ns () - d, 0;
  errno = 0;
  sec = strtoll (s, &end, 10);
  if (*s && *end == '\0' && errno == 0)
    return *ns = sec * 1000000000LL, 0;
  return husk_error_makex (err, EINVAL, "invalid until filter \"%s\": use RFC 3339, a Unix "
                           "timestamp or a duration such as 10m", s);
}

static int
parse_filters (char **filters, struct prune_filter *f, husk_error_t *err)
{
  for (size_t i = 0; filters && filters[i]; i++)
    {
      const char *v = filters[i];
      if (husk_has_prefix (v, "until="))
        {
          if (parse_until (v + 6, &f->until_ns, err) < 0)
            return -1;
        }
      else if (husk_has_prefix (v, "label!="))
        husk_strv_append (&f->not_labels, v + 7);
      else if (husk_has_prefix (v, "label="))
        husk_strv_append (&f->labels, v + 6);
      else
        {
          cleanup_free char *key = husk_xstrndup (v, strcspn (v, "!="));
          return husk_error_makex (err, EINVAL, "%s is an invalid filter", key);
        }
    }
  return 0;
}

/* "key" or "key=value" against a labels object.  */
static bool
label_matches (json_t *labels, const char *want)
{
  const char *eq = strchr (want, '=');
  cleanup_free char *key = husk_xstrndup (want, eq ? (size_t) (eq - want) : strlen (want));
  json_t *v = json_object_get (labels, key);

  if (v == NULL)
    return false;
  return eq == NULL || (json_is_string (v) && strcmp (json_string_value (v), eq + 1) == 0);
}

static bool
prune_matches (const struct prune_filter *f, const struct husk_container_rec *r)
{
  cleanup_json json_t *c = NULL;
  json_t *labels;

  if (strcmp (r->state, "exited") != 0 && strcmp (r->state, "created") != 0)
    return false;
  if (f->until_ns && r->created >= f->until_ns)
    return false;
  c = json_loads (r->config, 0, NULL);
  labels = json_object_get (c, "labels");
  for (size_t i = 0; f->labels && f->labels[i]; i++)
    if (!label_matches (labels, f->labels[i]))
      return false;
  for (size_t i = 0; f->not_labels && f->not_labels[i]; i++)
    if (label_matches (labels, f->not_labels[i]))
      return false;
  return true;
}

int
husk_op_container_prune (struct husk_engine *e, char **filters, char ***removed,
                         husk_error_t *err)
{
  struct prune_filter f = { 0 };
  struct husk_container_rec *list = NULL;
  size_t n = 0;
  int ret = 0;

  if (parse_filters (filters, &f, err) < 0 || husk_op_container_list (e, &list, &n, err) < 0)
    {
      prune_filter_release (&f);
      return -1;
    }
  for (size_t i = 0; i < n; i++)
    {
      husk_error_t one = NULL;
      if (!prune_matches (&f, &list[i]))
        continue;
      if (husk_op_container_remove (e, list[i].id, false, false, -1, &one) == 0)
        husk_strv_append (removed, list[i].id);
      else if (ret == 0)
        ret = husk_error_move (err, &one);
      else
        {
          husk_log_error ("%s", one->msg);
          husk_error_release (&one);
        }
    }
  husk_container_rec_array_free (list, n);
  prune_filter_release (&f);
  return ret;
}
