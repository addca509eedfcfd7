/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The container commands that work on its file system: cp, diff, export,
 * commit, mount and unmount; and rename, port and container prune.  The
 * work is in container/ (fs.h, commit.h, manage.h); these resolve the
 * container, check what the command asks, take the transaction and record
 * the events.
 *
 * commit writes the read-write layer as a tar into the store's work area
 * (its tmp/), applies it on top of the image's top layer with
 * husk_store_layer_create(), then records the image as import does; until
 * the record, the new layer is removed on failure.
 */
#include "container/changes.h"
#include "container/commit.h"
#include "container/fs.h"
#include "container/manage.h"
#include "image/image.h"
#include "ops/container.h"
#include "ops/pod.h"
#include "userns/userns.h"
#include "events/events.h"
#include "ops/events.h"
#include "ops/image.h"
#include "state/containers.h"
#include "storage/store.h"
#include "util/cleanup.h"
#include "util/digest.h"
#include "util/log.h"
#include "util/strutil.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

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
  cleanup_free char *resolved = NULL;

  if (dst && husk_container_cp_check_dest (path, dst, &resolved, err) < 0)
    return -1;
  if (husk_op_container_load (e, ref, &r, err) < 0)
    return -1;
  return husk_container_copy_out (e, &r, path, resolved ? resolved : dst, out_fd, rq, err);
}

int
husk_op_container_copy_between (struct husk_engine *e, const char *from, const char *src,
                                const char *to, const char *dst,
                                const struct husk_cp_request *rq, husk_error_t *err)
{
  cleanup_container_rec struct husk_container_rec a = { 0 };
  cleanup_container_rec struct husk_container_rec b = { 0 };

  if (husk_op_container_load (e, from, &a, err) < 0 || husk_op_container_load (e, to, &b, err) < 0)
    return -1;
  return husk_container_copy_between (e, &a, src, &b, dst, rq, err);
}

/* ---- diff, export ---------------------------------------------------------- */

/* One side of a diff, resolved.  */
struct diff_side
{
  struct husk_container_rec rec;
  char *image_id;
  struct husk_fs_obj obj;
};

static int
diff_resolve (struct husk_engine *e, const char *ref, enum husk_diff_kind kind,
              struct diff_side *d, husk_error_t *err)
{
  if (kind != HUSK_DIFF_IMAGE)
    {
      if (husk_container_load (e, ref, &d->rec, err) == 0)
        {
          d->obj.ctr = &d->rec;
          return 0;
        }
      if (kind == HUSK_DIFF_CONTAINER || (*err)->code != ENOENT)
        return -1;
      husk_error_release (err);
    }
  if (husk_op_image_resolve (e, ref, &d->image_id, err) < 0)
    {
      if (kind == HUSK_DIFF_ANY && (*err)->code == ENOENT)
        {
          husk_error_release (err);
          return husk_error_makex (err, ENOENT, "%s not found: no container or image "
                                   "with this name or ID", ref);
        }
      return -1;
    }
  d->obj.image_id = d->image_id;
  return 0;
}

static void
diff_side_release (struct diff_side *d)
{
  husk_container_rec_release (&d->rec);
  free (d->image_id);
}

int
husk_op_diff (struct husk_engine *e, const char *now, const char *before,
              enum husk_diff_kind kind, struct husk_change **out, size_t *n, husk_error_t *err)
{
  struct diff_side a = { 0 }, b = { 0 };
  int ret = -1;

  if (diff_resolve (e, now, kind, &a, err) == 0
      && (before == NULL || diff_resolve (e, before, kind, &b, err) == 0))
    ret = husk_fs_diff (e, &a.obj, before ? &b.obj : NULL, out, n, err);
  diff_side_release (&a);
  diff_side_release (&b);
  return ret;
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

  /* Rootless, the mount is made in husk's own mount namespace: a path
     the caller's shell would not see, unless it runs under `husk unshare`. */
  if (e->rootless && !husk_userns_inherited ())
    return husk_error_makex (err, EPERM, "cannot run command \"husk mount\" in rootless mode, "
                             "must execute `husk unshare` first"), NULL;
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

int
husk_op_container_rename (struct husk_engine *e, const char *ref, const char *name,
                          husk_error_t *err)
{
  cleanup_free char *id = NULL, *old = NULL;

  if (!husk_container_name_valid (name))
    return husk_error_makex (err, EINVAL, "names must match [a-zA-Z0-9][a-zA-Z0-9_.-]*: "
                             "invalid argument");
  if (husk_op_container_resolve (e, ref, &id, err) < 0)
    return -1;
  if (husk_state_begin (e->state, err) < 0)
    return -1;
  if (husk_container_rename_row (e, id, name, &old, err) < 0)
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

int
husk_op_container_prune (struct husk_engine *e, char **filters, char ***removed,
                         husk_error_t *err)
{
  struct husk_prune_filter f = { 0 };
  struct husk_container_rec *list = NULL;
  size_t n = 0;
  int ret = 0;

  if (husk_container_prune_filter_parse (filters, &f, err) < 0
      || husk_op_container_list (e, &list, &n, err) < 0)
    {
      husk_prune_filter_release (&f);
      return -1;
    }
  for (size_t i = 0; i < n; i++)
    {
      husk_error_t one = NULL;
      if (!husk_container_prune_match (&f, &list[i]))
        continue;
      /* A pod's infra container goes with its pod (pod prune).  */
      if (husk_op_pod_check_remove (e, list[i].id, &one) < 0)
        {
          husk_error_release (&one);
          continue;
        }
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
  husk_prune_filter_release (&f);
  return ret;
}
