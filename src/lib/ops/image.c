/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Image operations.
 *
 * Theory of operation: files first, rows last.  A load or import applies
 * layers in the store (each appears atomically, by rename, or not at all),
 * then records layers, image and names in one state transaction.  When
 * anything fails, the transaction rolls back and the layers this operation
 * created, and that no image uses, are removed again: the store is left as
 * it was.  A crash between the two steps leaves only layer directories no
 * row names, which a later load of the same layers reuses.
 */
#include "ops/image.h"
#include "userns/userns.h"
#include "events/events.h"
#include "config/config.h"
#include "image/image.h"
#include "image/reference.h"
#include "ops/container.h"
#include "state/containers.h"
#include "storage/store.h"
#include "util/cleanup.h"
#include "util/digest.h"
#include "util/fileutil.h"
#include "util/log.h"
#include "util/strutil.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/file.h>
#include <dirent.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* Layer files and their rows change in two steps.  Writers that add
   (load, import) hold the store lock shared, so they run in parallel;
   removal holds it exclusive, so it never deletes a layer that a
   concurrent load has just decided to reuse.  */
static int
lock_store (struct husk_engine *e, int how, husk_error_t *err)
{
  cleanup_free char *path = husk_asprintf ("%s/storage.lock", e->root);
  int fd = open (path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);

  if (fd < 0)
    return husk_error_make (err, errno, "open '%s'", path);
  while (flock (fd, how) < 0)
    if (errno != EINTR)
      {
        close (fd);
        return husk_error_make (err, errno, "lock '%s'", path);
      }
  return fd;
}

static void
unlock_store (int *fd)
{
  if (*fd >= 0)
    close (*fd);
  *fd = -1;
}
#define cleanup_store_lock __attribute__ ((__cleanup__ (unlock_store)))

static void
event (struct husk_engine *e, const char *action, const char *id, const char *name)
{
  husk_events_image (e->state, action, id, name);
}

/* Does the user's text name a registry explicitly ("quay.io/x", "localhost/x")? */
static bool
has_domain (const char *s)
{
  const char *slash = strchr (s, '/');
  size_t n = slash ? (size_t) (slash - s) : 0;

  if (slash == NULL)
    return false;
  return memchr (s, '.', n) || memchr (s, ':', n) || (n == 9 && strncmp (s, "localhost", 9) == 0);
}

/**
 * normalise_local() - Normalise a name for a local image (tag, import)
 *
 * Podman names local images without a registry under "localhost/".
 */
static char *
normalise_local (const char *s, husk_error_t *err)
{
  struct husk_reference ref = { 0 };
  cleanup_free char *full = has_domain (s) ? husk_xstrdup (s) : husk_asprintf ("localhost/%s", s);
  char *r;

  if (husk_reference_parse (full, true, &ref, err) < 0)
    {
      husk_error_release (err);
      return husk_error_makex (err, EINVAL, "normalizing name \"%s\": invalid reference format", s),
             NULL;
    }
  r = husk_reference_string (&ref);
  husk_reference_release (&ref);
  return r;
}

static const char *match_name (struct husk_image_rec *rec, const char *text);

static int
resolve_by_suffix (struct husk_engine *e, const char *path_tag, char **id,
                   husk_error_t *err)
{
  struct husk_image_rec *list = NULL;
  size_t n = 0;
  cleanup_free char *suffix = husk_asprintf ("/%s", path_tag);

  if (husk_state_image_list (e->state, &list, &n, err) < 0)
    return -1;
  for (size_t i = 0; i < n && *id == NULL; i++)
    for (size_t k = 0; list[i].names && list[i].names[k]; k++)
      if (husk_has_suffix (list[i].names[k], suffix))
        {
          *id = husk_xstrdup (list[i].id);
          break;
        }
  husk_image_rec_array_free (list, n);
  return 0;
}

/* "repo@sha256:..." names the image with that manifest and a name in repo. */
static int
resolve_by_manifest (struct husk_engine *e, struct husk_reference *ref, char **id,
                     husk_error_t *err)
{
  struct husk_image_rec *list = NULL;
  size_t n = 0;
  cleanup_free char *repo = husk_reference_name (ref);
  cleanup_free char *prefix = husk_asprintf ("%s:", repo);

  if (husk_state_image_list (e->state, &list, &n, err) < 0)
    return -1;
  for (size_t i = 0; i < n && *id == NULL; i++)
    {
      if (list[i].manifest_digest == NULL || strcmp (list[i].manifest_digest, ref->digest) != 0)
        continue;
      for (size_t k = 0; list[i].names && list[i].names[k] && *id == NULL; k++)
        if (husk_has_prefix (list[i].names[k], prefix))
          *id = husk_xstrdup (list[i].id);
    }
  husk_image_rec_array_free (list, n);
  if (*id == NULL)
    return husk_error_makex (err, ENOENT, "no image with digest %s", ref->digest);
  return 0;
}

static int
resolve_name (struct husk_engine *e, const char *ref_s, char **id, husk_error_t *err)
{
  struct husk_reference ref = { 0 };
  cleanup_free char *full = NULL;
  int r = 0;

  if (husk_reference_parse (ref_s, true, &ref, NULL) < 0)
    return 0; /* not a name: maybe an ID prefix */
  full = husk_reference_string (&ref);
  if (ref.digest && !ref.tag)
    {
      r = husk_state_image_by_digest (e->state, full, id, err);
      if (r < 0 && (*err)->code == ENOENT)
        {
          husk_error_release (err);
          r = resolve_by_manifest (e, &ref, id, err);
        }
    }
  else
    r = husk_state_image_by_name (e->state, full, id, err);
  if (r < 0 && (*err)->code == ENOENT && !has_domain (ref_s))
    {
      /* Short name: also localhost/NAME, then any registry's NAME.  */
      cleanup_free char *tagged = NULL;
      const char *path = ref.path;
      husk_error_release (err);
      if (husk_has_prefix (path, "library/") && strchr (ref_s, '/') == NULL)
        path += 8;
      tagged = ref.tag ? husk_asprintf ("%s:%s", path, ref.tag) : husk_xstrdup (path);
      cleanup_free char *local = husk_asprintf ("localhost/%s", tagged);
      r = husk_state_image_by_name (e->state, local, id, err);
      if (r < 0 && (*err)->code == ENOENT)
        {
          husk_error_release (err);
          r = resolve_by_suffix (e, tagged, id, err);
        }
    }
  if (r < 0 && (*err)->code == ENOENT)
    {
      husk_error_release (err);
      r = 0;
    }
  husk_reference_release (&ref);
  return r;
}

int
husk_op_image_resolve (struct husk_engine *e, const char *ref, char **id,
                       husk_error_t *err)
{
  const char *hex = husk_has_prefix (ref, "sha256:") ? ref + 7 : ref;

  *id = NULL;
  if (husk_is_hex (hex, 64) && husk_state_image_by_prefix (e->state, hex, id, NULL) == 0)
    return 0;
  if (hex == ref && resolve_name (e, ref, id, err) < 0)
    return -1;
  if (*id == NULL && husk_is_hex (hex, 0) && strlen (hex) <= 64)
    {
      husk_error_t perr = NULL;

      if (husk_state_image_by_prefix (e->state, hex, id, &perr) == 0)
        return 0;
      if (perr->code != ENOENT)
        {
          return husk_error_move (err, &perr);
        }
      husk_error_release (&perr);
    }
  if (*id == NULL)
    return husk_error_makex (err, ENOENT, "%s: image not known", ref);
  return 0;
}

/* Remove layers (top first) that this operation created and no image uses. */
static void
drop_new_layers (struct husk_engine *e, char **created)
{
  husk_error_t err = NULL;

  for (size_t i = husk_strv_len (created); i > 0; i--)
    {
      struct husk_layer_rec l = { 0 };
      /* Recorded meanwhile by a concurrent load of the same layer: keep. */
      if (husk_state_layer_get (e->state, created[i - 1], &l, NULL) == 0)
        {
          husk_layer_rec_release (&l);
          continue;
        }
      if (husk_store_layer_remove (e->store, created[i - 1], &err) < 0)
        husk_error_drop (&err, "roll back layer %s", created[i - 1]);
    }
}

/* Apply layers bottom to top.  chains gets each chain ID; created the ones
   that did not exist before.  */
static int
apply_layers (struct husk_engine *e, char **paths, char **diff_ids, bool take,
              struct husk_layer_info *infos, char ***created, husk_error_t *err)
{
  for (size_t i = 0; paths[i]; i++)
    {
      const char *parent = i ? infos[i - 1].chain_id : NULL;
      char chain[72];

      husk_store_chain_id (parent, diff_ids[i], chain);
      bool existed = husk_store_layer_exists (e->store, chain);
      if (husk_store_layer_create (e->store, parent, paths[i], take && !existed,
                                   diff_ids[i], &infos[i], err) < 0)
        return husk_error_wrap (err, "layer %zu of %zu", i + 1, husk_strv_len (paths));
      if (!existed)
        husk_strv_append (created, infos[i].chain_id);
    }
  return 0;
}

/* Record layers, the image and its names in one transaction.  */
static int
record_image (struct husk_engine *e, struct husk_image_rec *rec,
              struct husk_layer_info *infos, size_t n, husk_error_t *err)
{
  struct husk_image_rec existing = { 0 };

  if (husk_state_begin (e->state, err) < 0)
    return -1;
  for (size_t i = 0; i < n; i++)
    {
      struct husk_layer_rec l = { .chain_id = infos[i].chain_id,
                                  .parent = infos[i].parent[0] ? infos[i].parent : NULL,
                                  .diff_id = infos[i].diff_id, .size = infos[i].size };
      if (husk_state_layer_add (e->state, &l, err) < 0)
        goto fail;
    }
  if (husk_state_image_get (e->state, rec->id, &existing, NULL) == 0)
    husk_image_rec_release (&existing);
  else
    {
      char **names = rec->names;
      rec->names = NULL;
      int r = husk_state_image_add (e->state, rec, err);
      rec->names = names;
      if (r < 0)
        goto fail;
    }
  for (size_t i = 0; rec->names && rec->names[i]; i++)
    if (husk_state_image_tag (e->state, rec->id, rec->names[i], err) < 0)
      goto fail;
  return husk_state_commit (e->state, err);
fail:
  husk_state_rollback (e->state);
  return -1;
}

static int
load_one (struct husk_engine *e, struct husk_archive_image *im, bool take,
          husk_error_t *err)
{
  size_t n = husk_strv_len (im->layer_paths);
  cleanup_free struct husk_layer_info *infos = husk_xzalloc ((n + 1) * sizeof (*infos));
  cleanup_strv char **created = NULL, **chains = NULL;
  cleanup_json json_t *cfg = json_loadb (im->config, im->config_len, 0, NULL);
  struct husk_image_rec rec = { 0 };

  if (apply_layers (e, im->layer_paths, im->diff_ids, take, infos, &created, err) < 0)
    {
      drop_new_layers (e, created);
      return -1;
    }
  for (size_t i = 0; i < n; i++)
    {
      husk_strv_append (&chains, infos[i].chain_id);
      rec.size += infos[i].size;
    }
  rec.id = im->config_digest + 7;
  rec.names = im->names;
  rec.layers = chains ? chains : (char *[]){ NULL };
  rec.config = im->config;
  rec.manifest = im->manifest;
  rec.manifest_digest = im->manifest_digest;
  rec.created = husk_image_config_created (cfg);
  rec.added = time (NULL);
  if (record_image (e, &rec, infos, n, err) < 0)
    {
      drop_new_layers (e, created);
      return -1;
    }
  event (e, "loadfromarchive", rec.id, im->names ? im->names[0] : NULL);
  return 0;
}

/* Work files of load and import live in the store's work area, which
   husk_store_open() clears of what dead commands left (entries whose lock
   is free) at every command: a load killed by SIGKILL leaves nothing for
   long.  */
static char *
tmp_dir (struct husk_engine *e, husk_error_t *err)
{
  (void) err;
  return husk_store_tmp_dir (e->store);
}

/* A layer blob used by two images of one archive must not be moved away. */
static bool
blob_shared (struct husk_archive *ar, const char *path)
{
  int uses = 0;

  for (size_t i = 0; i < ar->n_images; i++)
    for (size_t k = 0; ar->images[i].layer_paths[k]; k++)
      uses += strcmp (ar->images[i].layer_paths[k], path) == 0;
  return uses > 1;
}

int
husk_op_image_load (struct husk_engine *e, const char *input, char ***names_out,
                    husk_error_t *err)
{
  cleanup_free char *tmp = tmp_dir (e, err);
  cleanup_store_lock int lock = lock_store (e, LOCK_SH, err);
  struct husk_archive *ar = NULL;
  int ret = 0;

  if (lock < 0)
    return -1;
  if (tmp == NULL || husk_archive_open (input, tmp, &ar, err) < 0)
    {
      /* Podman's "payload does not match ..." names the input itself.  */
      if (*err && husk_has_prefix ((*err)->msg, "payload does not match"))
        return -1;
      return husk_error_wrap (err, "load '%s'", input);
    }
  for (size_t i = 0; i < ar->n_images && ret == 0; i++)
    {
      struct husk_archive_image *im = &ar->images[i];
      bool take = ar->owns_dir;
      for (size_t k = 0; take && im->layer_paths[k]; k++)
        take = !blob_shared (ar, im->layer_paths[k]);
      ret = load_one (e, im, take, err);
      if (ret < 0)
        husk_error_wrap (err, "load '%s'", input);
      if (ret == 0 && im->names && im->names[0])
        for (size_t k = 0; im->names[k]; k++)
          husk_strv_append (names_out, im->names[k]);
      else if (ret == 0)
        husk_strv_take (names_out, husk_xstrdup (im->config_digest));
    }
  husk_archive_free (ar);
  return ret;
}

int
husk_op_image_save (struct husk_engine *e, char **refs, char **tags,
                    enum husk_archive_format format, const char *output,
                    bool uncompressed, husk_error_t *err)
{
  struct husk_archive_writer *w;
  cleanup_strv char **extra = NULL;

  /* Nothing is created or truncated before every image and tag is known. */
  for (size_t i = 0; refs[i]; i++)
    {
      cleanup_free char *id = NULL;
      if (husk_op_image_resolve (e, refs[i], &id, err) < 0)
        return -1;
    }
  for (size_t i = 0; tags && tags[i]; i++)
    {
      char *n = normalise_local (tags[i], err);
      if (n == NULL)
        return -1;
      husk_strv_take (&extra, n);
    }
  w = husk_archive_writer_new (format, output, err);
  if (w == NULL)
    return -1;
  husk_archive_writer_set_uncompressed (w, uncompressed);
  for (size_t i = 0; refs[i]; i++)
    {
      cleanup_free char *id = NULL, *cdigest = NULL;
      struct husk_image_rec rec = { 0 };
      char **names = NULL;
      int r;

      if (husk_op_image_resolve (e, refs[i], &id, err) < 0
          || husk_state_image_get (e->state, id, &rec, err) < 0)
        {
          husk_archive_writer_abort (w);
          return -1;
        }
      /* Saved by name: that name; by ID (or digest): no name at all, so
         that loading it gives <none>:<none>, as Podman's save does.  */
      {
        const char *hit = match_name (&rec, refs[i]);
        if (hit)
          husk_strv_append (&names, hit);
        for (size_t k = 0; i == 0 && extra && extra[k]; k++)
          if (!husk_strv_contains (names, extra[k]))
            husk_strv_append (&names, extra[k]);
      }
      cdigest = husk_asprintf ("sha256:%s", rec.id);
      struct husk_archive_out_image out = { .config = rec.config, .config_digest = cdigest,
                                            .layers = rec.layers, .names = names,
                                            .manifest = rec.manifest };
      r = husk_archive_writer_add (w, e->store, &out, err);
      husk_strv_free (names);
      husk_image_rec_release (&rec);
      if (r < 0)
        {
          husk_archive_writer_abort (w);
          return husk_error_wrap (err, "save '%s'", refs[i]);
        }
      event (e, "save", id, refs[i]);
    }
  return husk_archive_writer_finish (w, err);
}

/* Copy standard input to a file under dir.  */
static char *
spool_stdin (const char *dir, husk_error_t *err)
{
  char *path = NULL;
  /* Locked from its first moment; the lock is held until exit (the fd
     stays open) and marks it as in use.  */
  int fd = husk_work_file_create (dir, "import", &path, err);
  char buf[1 << 16];
  ssize_t n;

  if (fd < 0)
    return NULL;
  while ((n = read (0, buf, sizeof buf)) != 0)
    if (n < 0 ? errno != EINTR : husk_write_all (fd, buf, n) < 0)
      {
        husk_error_make (err, errno, n < 0 ? "read standard input" : "write '%s'", path);
        unlink (path);
        free (path);
        close (fd);
        return NULL;
      }
  return path;
}

static char *
import_config (const struct husk_import_opts *o, const char *diff_id,
               husk_error_t *err)
{
  cleanup_json json_t *cfg = json_object ();
  struct timespec ts;
  cleanup_free char *now = NULL, *created_by = NULL;

  clock_gettime (CLOCK_REALTIME, &ts);
  now = husk_time_format_rfc3339 (ts.tv_sec, ts.tv_nsec);
  created_by = husk_asprintf ("/bin/sh -c #(nop) ADD file:%s in / ", diff_id + 7);
  json_object_set_new (cfg, "created", json_string (now));
  json_object_set_new (cfg, "architecture", json_string (o->arch ? o->arch : "amd64"));
  json_object_set_new (cfg, "os", json_string (o->os ? o->os : "linux"));
  if (o->variant)
    json_object_set_new (cfg, "variant", json_string (o->variant));
  json_object_set_new (cfg, "config", json_object ());
  json_object_set_new (cfg, "rootfs", json_pack ("{s:s, s:[s]}", "type", "layers",
                                                 "diff_ids", diff_id));
  json_object_set_new (cfg, "history", json_pack ("[{s:s, s:s, s:s}]", "created", now,
                                                  "created_by", created_by, "comment",
                                                  o->message ? o->message : ""));
  for (size_t i = 0; o->changes && o->changes[i]; i++)
    if (husk_image_apply_change (cfg, o->changes[i], err) < 0)
      return NULL;
  return json_dumps (cfg, JSON_COMPACT);
}

int
husk_op_image_import (struct husk_engine *e, const struct husk_import_opts *o,
                      char **id_out, husk_error_t *err)
{
  cleanup_store_lock int lock = lock_store (e, LOCK_SH, err);
  cleanup_free char *tmp = lock < 0 ? NULL : tmp_dir (e, err);
  cleanup_free char *spooled = NULL, *config = NULL;
  cleanup_free char *name = NULL, *digest = NULL;
  cleanup_strv char **created = NULL;
  struct husk_layer_info info = { 0 };
  struct husk_image_rec rec = { 0 };
  char *names[2] = { NULL, NULL };
  int r;

  if (tmp == NULL)
    return -1;
  if (o->reference && (name = normalise_local (o->reference, err)) == NULL)
    return -1;
  if (strcmp (o->source, "-") == 0 && (spooled = spool_stdin (tmp, err)) == NULL)
    return -1;
  /* Check the changes before doing any work.  */
  {
    cleanup_json json_t *probe = json_object ();
    for (size_t i = 0; o->changes && o->changes[i]; i++)
      if (husk_image_apply_change (probe, o->changes[i], err) < 0)
        return -1;
  }
  r = husk_store_layer_create (e->store, NULL, spooled ? spooled : o->source,
                               spooled != NULL, NULL, &info, err);
  if (spooled)
    unlink (spooled);
  if (r < 0)
    return husk_error_wrap (err, "import '%s'", o->source);
  config = import_config (o, info.diff_id, err);
  if (config == NULL)
    return -1;
  digest = husk_digest_buf (config, strlen (config));
  names[0] = name;
  rec.id = digest + 7;
  rec.names = name ? names : NULL;
  rec.layers = (char *[]){ info.chain_id, NULL };
  rec.config = config;
  rec.created = time (NULL);
  rec.added = rec.created;
  rec.size = info.size;
  husk_strv_append (&created, info.chain_id);
  if (record_image (e, &rec, &info, 1, err) < 0)
    {
      drop_new_layers (e, created);
      return -1;
    }
  event (e, "import", rec.id, name);
  *id_out = husk_xstrdup (rec.id);
  return 0;
}

int
husk_op_image_tag (struct husk_engine *e, const char *ref, char **names,
                   husk_error_t *err)
{
  cleanup_free char *id = NULL;
  cleanup_strv char **full = NULL;

  if (husk_op_image_resolve (e, ref, &id, err) < 0)
    return -1;
  for (size_t i = 0; names[i]; i++)
    {
      char *n = normalise_local (names[i], err);
      if (n == NULL)
        return -1;
      husk_strv_take (&full, n);
    }
  if (husk_state_begin (e->state, err) < 0)
    return -1;
  for (size_t i = 0; full[i]; i++)
    if (husk_state_image_tag (e->state, id, full[i], err) < 0)
      {
        husk_state_rollback (e->state);
        return -1;
      }
  if (husk_state_commit (e->state, err) < 0)
    return -1;
  for (size_t i = 0; full[i]; i++)
    event (e, "tag", id, full[i]);
  return 0;
}

/* Which of the image's names does the user's text mean?  */
static const char *
match_name (struct husk_image_rec *rec, const char *text)
{
  struct husk_reference ref = { 0 };
  cleanup_free char *full = NULL, *local = NULL;
  const char *hit = NULL;

  if (husk_reference_parse (text, true, &ref, NULL) == 0)
    {
      full = husk_reference_string (&ref);
      husk_reference_release (&ref);
    }
  local = normalise_local (text, NULL);
  for (size_t i = 0; rec->names && rec->names[i] && !hit; i++)
    if ((full && strcmp (rec->names[i], full) == 0)
        || (local && strcmp (rec->names[i], local) == 0))
      hit = rec->names[i];
  /* A short name found by its repository suffix ("layers" for
     "localhost/husk-test/layers:latest"), as resolution does.  */
  if (hit == NULL && !has_domain (text))
    {
      const char *colon = strrchr (text, ':');
      cleanup_free char *suffix = colon && !strchr (colon, '/')
                                      ? husk_asprintf ("/%s", text)
                                      : husk_asprintf ("/%s:latest", text);
      for (size_t i = 0; rec->names && rec->names[i] && !hit; i++)
        if (husk_has_suffix (rec->names[i], suffix))
          hit = rec->names[i];
    }
  return hit;
}

int
husk_op_image_untag (struct husk_engine *e, const char *ref, char **names,
                     husk_error_t *err)
{
  cleanup_free char *id = NULL;
  struct husk_image_rec rec = { 0 };
  cleanup_strv char **drop = NULL;
  int ret = 0;

  if (husk_op_image_resolve (e, ref, &id, err) < 0
      || husk_state_image_get (e->state, id, &rec, err) < 0)
    return -1;
  if (names == NULL || names[0] == NULL)
    drop = husk_strv_dup (rec.names);
  for (size_t i = 0; names && names[i] && ret == 0; i++)
    {
      const char *hit = match_name (&rec, names[i]);
      if (hit == NULL)
        ret = husk_error_makex (err, ENOENT, "%s: tag not known", names[i]);
      else
        husk_strv_append (&drop, hit);
    }
  if (ret == 0 && husk_state_begin (e->state, err) < 0)
    ret = -1;
  for (size_t i = 0; ret == 0 && drop && drop[i]; i++)
    if (husk_state_image_untag (e->state, id, drop[i], err) < 0)
      ret = -1;
  if (ret == 0)
    ret = husk_state_commit (e->state, err);
  else
    husk_state_rollback (e->state);
  for (size_t i = 0; ret == 0 && drop && drop[i]; i++)
    event (e, "untag", id, drop[i]);
  husk_image_rec_release (&rec);
  return ret;
}

void
husk_rmi_report_release (struct husk_rmi_report *r)
{
  husk_strv_free (r->untagged);
  husk_strv_free (r->deleted);
  r->untagged = r->deleted = NULL;
}

/* Whether `image mount` holds the image whose top layer is chain.  */
static bool
image_mounted (struct husk_engine *e, const char *chain)
{
  return chain && husk_store_image_mounted (e->store, chain);
}

/* An image mounted with `image mount` is unmounted first with force (its
   mount would otherwise stay, over layers that are gone) and refused
   without, as Podman does.  */
static int
remove_id (struct husk_engine *e, const char *id, bool force, struct husk_rmi_report *rep,
           husk_error_t *err)
{
  struct husk_image_rec rec = { 0 };
  cleanup_store_lock int lock = lock_store (e, LOCK_EX, err);
  husk_error_t lerr = NULL;
  const char *top;
  int ret = 0;

  if (lock < 0 || husk_state_image_get (e->state, id, &rec, err) < 0)
    return -1;
  top = husk_strv_len (rec.layers) ? rec.layers[husk_strv_len (rec.layers) - 1] : NULL;
  /* Users first: a container that mounts the image (--mount type=image)
     holds the store's mount too, which must not go from under it.  */
  {
    cleanup_strv char **users = NULL;
    if (husk_state_image_users (e->state, id, &users, err) < 0)
      goto fail_users;
    if (users)
      {
        cleanup_free char *list = husk_strv_join (users, ", ");
        husk_error_makex (err, EBUSY, "image used by container %s: image is in use by a "
                          "container: consider listing external containers and force-removing "
                          "image", list);
        goto fail_users;
      }
  }
  if (image_mounted (e, top))
    {
      if (!force)
        {
          husk_error_makex (err, EBUSY, "image %s is mounted (husk image mount): unmount it "
                            "first, or force removal", id);
          goto fail_users;
        }
      if (husk_store_image_unmount (e->store, top, true, err) < 0)
        {
          husk_error_wrap (err, "unmount image %s", id);
          goto fail_users;
        }
      event (e, "unmount", id, rec.names ? rec.names[0] : NULL);
    }
  if (husk_state_begin (e->state, err) < 0)
    goto out;
  if (husk_state_image_remove (e->state, id, err) < 0)
    {
      husk_state_rollback (e->state);
      ret = -1;
      goto out;
    }
  /* Layers no image uses any more go too, top first.  */
  for (size_t i = husk_strv_len (rec.layers); i > 0 && ret == 0; i--)
    {
      int64_t refs = husk_state_layer_refs (e->state, rec.layers[i - 1], err);
      if (refs < 0)
        ret = -1;
      else if (refs == 0 && husk_state_layer_remove (e->state, rec.layers[i - 1], err) < 0)
        {
          /* EBUSY: another recorded layer is built on it; it stays.  */
          if ((*err)->code == EBUSY)
            husk_error_release (err);
          else
            ret = -1;
        }
    }
  if (ret == 0)
    ret = husk_state_commit (e->state, err);
  else
    husk_state_rollback (e->state);
  if (ret < 0)
    goto out;
  for (size_t i = husk_strv_len (rec.layers); i > 0; i--)
    {
      struct husk_layer_rec l = { 0 };
      if (husk_state_layer_get (e->state, rec.layers[i - 1], &l, NULL) == 0)
        {
          husk_layer_rec_release (&l);
          continue; /* still recorded: still in use */
        }
      if (husk_store_layer_remove (e->store, rec.layers[i - 1], &lerr) < 0)
        husk_error_drop_warn (&lerr, "could not remove layer %s", rec.layers[i - 1]);
    }
  for (size_t i = 0; rec.names && rec.names[i]; i++)
    husk_strv_append (&rep->untagged, rec.names[i]);
  husk_strv_append (&rep->deleted, id);
  event (e, "remove", id, rec.names ? rec.names[0] : NULL);
  if (husk_state_event_prune (e->state, 10000, &lerr) < 0)
    husk_error_drop (&lerr, "prune events");
out:
  husk_image_rec_release (&rec);
  return ret;
fail_users:
  husk_image_rec_release (&rec);
  return -1;
}

int
husk_op_image_remove_id (struct husk_engine *e, const char *id,
                         struct husk_rmi_report *rep, husk_error_t *err)
{
  return remove_id (e, id, false, rep, err);
}

/* Podman's rmi --force: the containers that use the image go first
   (forcibly, each with its own stop timeout).  Done before remove_id()
   takes the store lock, as a container's removal is an operation of its
   own.  */
static int
remove_users (struct husk_engine *e, const char *id, husk_error_t *err)
{
  cleanup_strv char **users = NULL;

  if (husk_state_image_users (e->state, id, &users, err) < 0)
    return -1;
  for (size_t i = 0; users && users[i]; i++)
    if (husk_op_container_remove (e, users[i], true, false, -1, err) < 0
        && (*err)->code != ENOENT)
      return husk_error_wrap (err, "remove container '%s' of image %.12s", users[i], id);
    else
      husk_error_release (err);
  return 0;
}

int
husk_op_image_remove_id_force (struct husk_engine *e, const char *id,
                               struct husk_rmi_report *rep, husk_error_t *err)
{
  if (remove_users (e, id, err) < 0)
    return -1;
  return remove_id (e, id, true, rep, err);
}

/* Whether a's layers are the first layers of b's, and b has more.  */
static bool
layers_prefix (char **a, char **b)
{
  size_t n = husk_strv_len (a);

  if (n == 0 || husk_strv_len (b) <= n)
    return false;
  for (size_t i = 0; i < n; i++)
    if (strcmp (a[i], b[i]) != 0)
      return false;
  return true;
}

/* The unnamed parent of an image with these layers that nothing else
   needs any more (no other child, no container), or NULL.  */
static char *
dangling_parent (struct husk_engine *e, char **layers)
{
  struct husk_image_rec *list = NULL;
  size_t n = 0;
  char *found = NULL;

  if (husk_state_image_list (e->state, &list, &n, NULL) < 0)
    return NULL;
  for (size_t i = 0; i < n && found == NULL; i++)
    {
      cleanup_strv char **users = NULL;
      bool child = false;
      if (husk_strv_len (list[i].names) || !layers_prefix (list[i].layers, layers))
        continue;
      for (size_t k = 0; k < n && !child; k++)
        child = layers_prefix (list[i].layers, list[k].layers);
      if (!child && husk_state_image_users (e->state, list[i].id, &users, NULL) == 0 && !users)
        found = husk_xstrdup (list[i].id);
    }
  husk_image_rec_array_free (list, n);
  return found;
}

/* Podman's rmi removes the parents a removed image leaves dangling, up the
   chain, unless --no-prune; a parent that cannot go is left, quietly.  */
static void
prune_parents (struct husk_engine *e, char **layers, struct husk_rmi_report *rep)
{
  cleanup_strv char **cur = husk_strv_dup (layers);
  char *parent;

  while ((parent = dangling_parent (e, cur)) != NULL)
    {
      struct husk_image_rec rec = { 0 };
      husk_error_t perr = NULL;
      if (husk_state_image_get (e->state, parent, &rec, NULL) < 0
          || remove_id (e, parent, false, rep, &perr) < 0)
        {
          husk_error_drop (&perr, "remove parent image %s", parent);
          husk_image_rec_release (&rec);
          free (parent);
          return;
        }
      husk_strv_free (cur);
      cur = husk_strv_dup (rec.layers);
      husk_image_rec_release (&rec);
      free (parent);
    }
}

int
husk_op_image_remove (struct husk_engine *e, const char *ref, bool force, bool no_prune,
                      struct husk_rmi_report *rep, husk_error_t *err)
{
  cleanup_free char *id = NULL;
  cleanup_strv char **layers = NULL;
  struct husk_image_rec rec = { 0 };
  const char *hit;
  size_t n;
  int ret;

  if (husk_op_image_resolve (e, ref, &id, err) < 0
      || husk_state_image_get (e->state, id, &rec, err) < 0)
    return -1;
  n = husk_strv_len (rec.names);
  hit = match_name (&rec, ref);
  if (n > 1 && hit)
    {
      /* A name of an image that has others: untag only.  */
      cleanup_free char *name = husk_xstrdup (hit);
      husk_image_rec_release (&rec);
      if (husk_state_image_untag (e->state, id, name, err) < 0)
        return -1;
      husk_strv_append (&rep->untagged, name);
      event (e, "untag", id, name);
      return 0;
    }
  layers = husk_strv_dup (rec.layers);
  husk_image_rec_release (&rec);
  if (n > 1 && !force)
    return husk_error_makex (err, EBUSY, "unable to delete image \"%s\" by ID with more "
                             "than one tag (%zu): please force removal", id, n);
  if (force && remove_users (e, id, err) < 0)
    return -1;
  ret = remove_id (e, id, force, rep, err);
  if (ret == 0 && !no_prune)
    prune_parents (e, layers, rep);
  return ret;
}

json_t *
husk_op_image_inspect (struct husk_engine *e, const char *ref, husk_error_t *err)
{
  cleanup_free char *id = NULL;
  struct husk_image_rec rec = { 0 };
  cleanup_json json_t *cfg = NULL;
  json_t *o, *data = json_object ();

  if (husk_op_image_resolve (e, ref, &id, err) < 0
      || husk_state_image_get (e->state, id, &rec, err) < 0)
    {
      json_decref (data);
      return NULL;
    }
  cfg = json_loads (rec.config, 0, NULL);
  if (rec.layers && rec.layers[0])
    {
      size_t n = husk_strv_len (rec.layers);
      cleanup_free char *top = husk_asprintf ("%s/%s/layers/%s/diff", husk_store_graphroot (e->store),
                                              husk_store_driver_name (e->store),
                                              rec.layers[n - 1] + 7);
      json_object_set_new (data, "UpperDir", json_string (top));
    }
  o = husk_image_inspect_json (&rec, cfg, husk_store_driver_name (e->store), data);
  json_decref (data);
  husk_image_rec_release (&rec);
  return o;
}

int
husk_op_image_list (struct husk_engine *e, struct husk_image_rec **out, size_t *n,
                    husk_error_t *err)
{
  return husk_state_image_list (e->state, out, n, err);
}

json_t *
husk_op_image_history (struct husk_engine *e, const char *ref, husk_error_t *err)
{
  cleanup_free char *id = NULL;
  struct husk_image_rec rec = { 0 };
  cleanup_json json_t *cfg = NULL;
  json_t *out = json_array (), *h;
  size_t layer, i;

  if (husk_op_image_resolve (e, ref, &id, err) < 0
      || husk_state_image_get (e->state, id, &rec, err) < 0)
    {
      json_decref (out);
      return NULL;
    }
  cfg = json_loads (rec.config, 0, NULL);
  layer = 0;
  json_array_foreach (json_object_get (cfg, "history"), i, h)
    {
      bool empty = json_is_true (json_object_get (h, "empty_layer"));
      int64_t size = 0;
      struct husk_layer_info info;
      if (!empty && rec.layers && rec.layers[layer]
          && husk_store_layer_info (e->store, rec.layers[layer++], &info, NULL) == 0)
        size = info.size;
      json_array_insert_new (out, 0, json_pack ("{s:s, s:O, s:O, s:I, s:O, s:b}",
                                                "id", "<missing>",
                                                "created", json_object_get (h, "created") ?: json_null (),
                                                "CreatedBy", json_object_get (h, "created_by") ?: json_string (""),
                                                "size", (json_int_t) size,
                                                "comment", json_object_get (h, "comment") ?: json_string (""),
                                                "empty_layer", empty));
    }
  if (json_array_size (out) > 0)
    {
      json_object_set_new (json_array_get (out, 0), "id", json_string (rec.id));
      json_t *tags = json_array ();
      for (size_t k = 0; rec.names && rec.names[k]; k++)
        json_array_append_new (tags, json_string (rec.names[k]));
      json_object_set_new (json_array_get (out, 0), "tags", tags);
    }
  husk_image_rec_release (&rec);
  return out;
}

char *
husk_op_image_mount (struct husk_engine *e, const char *ref, husk_error_t *err)
{
  cleanup_free char *id = NULL;
  struct husk_image_rec rec = { 0 };
  char *path = NULL;

  if (e->rootless && !husk_userns_inherited ())
    return husk_error_makex (err, EPERM, "cannot run command \"husk image mount\" in "
                             "rootless mode, must execute `husk unshare` first"), NULL;
  if (husk_op_image_resolve (e, ref, &id, err) < 0
      || husk_state_image_get (e->state, id, &rec, err) < 0)
    return NULL;
  if (rec.layers == NULL || rec.layers[0] == NULL)
    husk_error_makex (err, EINVAL, "image %s has no layers", id);
  else
    path = husk_store_image_mount (e->store, rec.layers[husk_strv_len (rec.layers) - 1], err);
  if (path)
    event (e, "mount", id, ref);
  husk_image_rec_release (&rec);
  return path;
}

int
husk_op_image_unmount (struct husk_engine *e, const char *ref, bool force,
                       husk_error_t *err)
{
  cleanup_free char *id = NULL;
  struct husk_image_rec rec = { 0 };
  int r = -1;

  if (husk_op_image_resolve (e, ref, &id, err) < 0
      || husk_state_image_get (e->state, id, &rec, err) < 0)
    return -1;
  if (rec.layers && rec.layers[0])
    r = husk_store_image_unmount (e->store, rec.layers[husk_strv_len (rec.layers) - 1],
                                  force, err);
  if (r == 0)
    event (e, "unmount", id, ref);
  husk_image_rec_release (&rec);
  return r;
}

static const char *
top_layer (const struct husk_image_rec *r)
{
  size_t n = husk_strv_len (r->layers);

  return n ? r->layers[n - 1] : NULL;
}

json_t *
husk_op_image_mounts (struct husk_engine *e, husk_error_t *err)
{
  struct husk_image_rec *list = NULL;
  size_t n = 0;
  json_t *out = json_array ();

  if (husk_state_image_list (e->state, &list, &n, err) < 0)
    {
      json_decref (out);
      return NULL;
    }
  for (size_t i = 0; i < n; i++)
    {
      const char *top = top_layer (&list[i]);
      json_t *repos = json_array ();
      if (!image_mounted (e, top))
        {
          json_decref (repos);
          continue;
        }
      cleanup_free char *mp = husk_asprintf ("%s/storage/%s/mounts/%s/merged", e->runroot,
                                             husk_store_driver_name (e->store), top + 7);
      for (size_t k = 0; list[i].names && list[i].names[k]; k++)
        json_array_append_new (repos, json_string (list[i].names[k]));
      json_array_append_new (out, json_pack ("{s:s, s:o, s:s}", "id", list[i].id,
                                             "Repositories", repos, "mountpoint", mp));
    }
  husk_image_rec_array_free (list, n);
  return out;
}

int
husk_op_image_unmount_all (struct husk_engine *e, char ***ids, husk_error_t *err)
{
  cleanup_json json_t *mounts = husk_op_image_mounts (e, err);
  size_t i;
  json_t *m;

  *ids = NULL;
  if (mounts == NULL)
    return -1;
  json_array_foreach (mounts, i, m)
    {
      const char *id = json_string_value (json_object_get (m, "id"));
      if (husk_op_image_unmount (e, id, true, err) < 0)
        return -1;
      husk_strv_append (ids, id);
    }
  return 0;
}

int
husk_op_image_record (struct husk_engine *e, struct husk_image_rec *rec,
                      struct husk_layer_info *infos, size_t n, husk_error_t *err)
{
  cleanup_store_lock int lock = lock_store (e, LOCK_SH, err);

  if (lock < 0)
    return -1;
  return record_image (e, rec, infos, n, err);
}
