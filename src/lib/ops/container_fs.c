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
#include "container/commit.h"
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

/* Make the layer (container/commit.c) and record the image.  */
static int
commit_image (struct husk_engine *e, const struct husk_container_rec *r,
              const struct husk_image_rec *img, const struct husk_commit_opts *o,
              char **id_out, husk_error_t *err)
{
  cleanup_free char *config = NULL;
  struct husk_layer_info info = { 0 };

  if (husk_container_commit_layer (e, r, img, &info, err) < 0)
    return -1;
  config = husk_container_commit_config (img, r, o, info.diff_id, err);
  if (config == NULL || record (e, img, config, &info, o->reference, id_out, err) < 0)
    {
      /* Not recorded: no image uses it (one that does has a row).  */
      husk_container_commit_drop_layer (e, info.chain_id);
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

  if (husk_container_commit_check (o, err) < 0 || husk_op_container_load (e, ref, &r, err) < 0)
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
