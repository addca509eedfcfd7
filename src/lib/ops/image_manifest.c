/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Local manifest lists (ops/manifest.h).  A list is an image record with
 * no layers whose manifest is the OCI index and whose config is
 *   {"created": TIME, "husk.manifestList": {"sources": {DIGEST: SOURCE}}}
 * where SOURCE is {"image": ID} for a local image (pushed with the list)
 * or {"repo": "HOST/REPO"} for a manifest that stays in its registry.
 * The ID is random and stays; a change replaces the record (same ID,
 * same names) in one transaction.  Everything remote is looked up before
 * anything is written: in the static husk that look-up runs the command
 * again in husk-registry (image_manifest_exec.c).
 */
#include "ops/manifest.h"
#include "ops/image-pull.h"

#include "image/image.h"
#include "image/reference.h"
#include "state/state.h"
#include "util/arch.h"
#include "storage/blob.h"
#include "storage/store.h"
#include "util/cleanup.h"
#include "util/digest.h"
#include "util/strutil.h"

#include <errno.h>
#include <string.h>
#include <time.h>

#define LIST_KEY "husk.manifestList"
#define MT_OCI_INDEX "application/vnd.oci.image.index.v1+json"
#define MT_OCI_MANIFEST "application/vnd.oci.image.manifest.v1+json"
#define MT_OCI_CONFIG "application/vnd.oci.image.config.v1+json"

/* A list being changed.  */
struct list
{
  char *id;
  json_t *index;
  json_t *sources;
};

static void
list_release (struct list *l)
{
  free (l->id);
  json_decref (l->index);
  json_decref (l->sources);
}

static bool
is_list (const struct husk_image_rec *r, json_t *config)
{
  return r->layers[0] == NULL && r->manifest && json_is_object (json_object_get (config, LIST_KEY));
}

int
husk_op_manifest_load (struct husk_engine *e, const char *list, char **id, json_t **index,
                       json_t **sources, husk_error_t *err)
{
  struct husk_image_rec r = { 0 };
  cleanup_free char *iid = NULL;
  cleanup_json json_t *config = NULL;
  int ret = -1;

  if (husk_op_image_resolve (e, list, &iid, err) < 0)
    return -1;
  if (husk_state_image_get (e->state, iid, &r, err) < 0)
    return -1;
  config = json_loads (r.config, 0, NULL);
  if (!is_list (&r, config))
    husk_error_makex (err, EINVAL, "%s: not a manifest list", list);
  else if ((*index = json_loads (r.manifest, 0, NULL)) == NULL)
    husk_error_makex (err, EINVAL, "%s: the stored index is not JSON", list);
  else
    {
      *sources = json_incref (json_object_get (json_object_get (config, LIST_KEY), "sources"));
      if (*sources == NULL)
        *sources = json_object ();
      *id = steal_ptr (&iid);
      ret = 0;
    }
  husk_image_rec_release (&r);
  return ret;
}

/* Write l as the record id with names (a new list when no record has id).  */
static int
list_store (struct husk_engine *e, struct list *l, char **names, int64_t created,
            husk_error_t *err)
{
  cleanup_json json_t *config = json_object ();
  cleanup_free char *when = husk_time_format_rfc3339 (created, 0);
  cleanup_free char *cfg = NULL, *man = NULL, *mdigest = NULL;
  struct husk_image_rec old = { 0 };
  bool exists = husk_state_image_get (e->state, l->id, &old, NULL) == 0;
  int r;

  json_object_set_new (config, "created", json_string (when));
  json_object_set_new (config, LIST_KEY, json_pack ("{s:O}", "sources", l->sources));
  cfg = json_dumps (config, JSON_COMPACT | JSON_SORT_KEYS);
  man = json_dumps (l->index, JSON_COMPACT);
  mdigest = husk_digest_buf (man, strlen (man));
  struct husk_image_rec rec = {
    .id = l->id, .names = exists ? old.names : names, .config = cfg, .manifest = man,
    .manifest_digest = mdigest, .created = created, .added = exists ? old.added : 0,
  };
  r = husk_state_begin (e->state, err);
  if (r == 0 && exists)
    r = husk_state_image_remove (e->state, l->id, err);
  if (r == 0)
    r = husk_state_image_add (e->state, &rec, err);
  if (r == 0)
    r = husk_state_commit (e->state, err);
  else
    husk_state_rollback (e->state);
  husk_image_rec_release (&old);
  return r;
}

/* The created time of the stored record (kept across changes).  */
static int64_t
list_created (struct husk_engine *e, const char *id)
{
  struct husk_image_rec r = { 0 };
  int64_t c = time (NULL);

  if (husk_state_image_get (e->state, id, &r, NULL) == 0)
    c = r.created;
  husk_image_rec_release (&r);
  return c;
}

static int
list_save (struct husk_engine *e, struct list *l, husk_error_t *err)
{
  return list_store (e, l, NULL, list_created (e, l->id), err);
}

/* Podman's local names: no registry means localhost/.  */
static char *
local_name (const char *s, husk_error_t *err)
{
  size_t n = strcspn (s, "/");
  bool domain = s[n] == '/' && (memchr (s, '.', n) || memchr (s, ':', n)
                                || (n == 9 && strncmp (s, "localhost", 9) == 0));
  cleanup_free char *full = domain ? husk_xstrdup (s) : husk_asprintf ("localhost/%s", s);
  struct husk_reference ref = { 0 };
  char *r;

  if (husk_reference_parse (full, true, &ref, err) < 0)
    return NULL;
  r = husk_reference_string (&ref);
  husk_reference_release (&ref);
  return r;
}

/* "KEY=VALUE" pairs into obj.  */
static int
set_annotations (json_t *obj, const char *field, char **kv, husk_error_t *err)
{
  json_t *a;

  if (kv == NULL || kv[0] == NULL)
    return 0;
  a = json_object_get (obj, field);
  if (a == NULL)
    json_object_set_new (obj, field, a = json_object ());
  for (size_t i = 0; kv[i]; i++)
    {
      const char *eq = strchr (kv[i], '=');
      if (eq == NULL || eq == kv[i])
        return husk_error_makex (err, EINVAL, "no value given for annotation \"%s\": want "
                                 "KEY=VALUE", kv[i]);
      cleanup_free char *k = husk_xstrndup (kv[i], (size_t) (eq - kv[i]));
      json_object_set_new (a, k, json_string (eq + 1));
    }
  return 0;
}

static void
set_strv (json_t *obj, const char *field, char **v)
{
  json_t *a = json_array ();

  for (size_t i = 0; v && v[i]; i++)
    json_array_append_new (a, json_string (v[i]));
  json_object_set_new (obj, field, a);
}

/* What the user said about an entry, over what it had.  */
static int
apply_entry_opts (json_t *desc, const struct husk_manifest_entry_opts *o, husk_error_t *err)
{
  json_t *p = json_object_get (desc, "platform");

  if (p == NULL && (o->arch || o->os || o->os_version || o->variant || o->os_features
                    || o->features))
    json_object_set_new (desc, "platform", p = json_object ());
  if (o->arch)
    json_object_set_new (p, "architecture", json_string (o->arch));
  if (o->os)
    json_object_set_new (p, "os", json_string (o->os));
  if (o->os_version)
    json_object_set_new (p, "os.version", json_string (o->os_version));
  if (o->variant)
    json_object_set_new (p, "variant", json_string (o->variant));
  if (o->os_features)
    set_strv (p, "os.features", o->os_features);
  if (o->features)
    set_strv (p, "features", o->features);
  return set_annotations (desc, "annotations", o->annotations, err);
}

/* The platform an image config states.  */
static json_t *
config_platform (json_t *config)
{
  json_t *p = json_object ();
  const char *keys[][2] = { { "architecture", "architecture" }, { "os", "os" },
                            { "os.version", "os.version" }, { "variant", "variant" } };

  for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
    {
      json_t *v = json_object_get (config, keys[i][0]);
      if (json_is_string (v) && json_string_length (v) > 0)
        json_object_set (p, keys[i][1], v);
    }
  json_t *f = json_object_get (config, "os.features");
  if (json_is_array (f) && json_array_size (f) > 0)
    json_object_set (p, "os.features", f);
  if (json_object_get (p, "architecture") == NULL)
    json_object_set_new (p, "architecture", json_string (""));
  if (json_object_get (p, "os") == NULL)
    json_object_set_new (p, "os", json_string (""));
  return p;
}

static const char *
layer_type (enum husk_compression c)
{
  switch (c)
    {
    case HUSK_COMPRESSION_GZIP:
      return "application/vnd.oci.image.layer.v1.tar+gzip";
    case HUSK_COMPRESSION_ZSTD:
      return "application/vnd.oci.image.layer.v1.tar+zstd";
    default:
      return "application/vnd.oci.image.layer.v1.tar";
    }
}

/* The manifest of an image that has none stored (loaded, imported,
   committed): an OCI manifest of its blobs as stored.  A push may send
   another (compressed anew); then it records that one's digest.  */
static char *
local_manifest (struct husk_engine *e, const struct husk_image_rec *r, husk_error_t *err)
{
  cleanup_json json_t *m = json_object ();
  json_t *layers = json_array ();

  json_object_set_new (m, "schemaVersion", json_integer (2));
  json_object_set_new (m, "mediaType", json_string (MT_OCI_MANIFEST));
  cleanup_free char *cd = husk_asprintf ("sha256:%s", r->id);
  json_object_set_new (m, "config", json_pack ("{s:s, s:s, s:I}", "mediaType", MT_OCI_CONFIG,
                                               "digest", cd, "size",
                                               (json_int_t) strlen (r->config)));
  json_object_set_new (m, "layers", layers);
  for (size_t i = 0; r->layers[i]; i++)
    {
      struct husk_layer_info li;
      if (husk_store_layer_info (e->store, r->layers[i], &li, err) < 0)
        return NULL;
      json_array_append_new (layers, json_pack ("{s:s, s:s, s:I}", "mediaType",
                                                layer_type (li.compression), "digest",
                                                li.blob_digest, "size",
                                                (json_int_t) li.blob_size));
    }
  return json_dumps (m, JSON_COMPACT);
}

/* The media type a manifest declares (its config's for Docker's).  */
static const char *
manifest_type (json_t *m)
{
  const char *t = json_string_value (json_object_get (m, "mediaType"));

  return t ? t : MT_OCI_MANIFEST;
}

/* The entry of a local image: its stored manifest, or one made.  */
static json_t *
local_entry (struct husk_engine *e, const char *id, husk_error_t *err)
{
  struct husk_image_rec r = { 0 };
  cleanup_json json_t *config = NULL, *m = NULL;
  cleanup_free char *made = NULL, *digest = NULL;
  json_t *desc = NULL;

  if (husk_state_image_get (e->state, id, &r, err) < 0)
    return NULL;
  config = json_loads (r.config, 0, NULL);
  if (is_list (&r, config))
    husk_error_makex (err, EINVAL, "%s is a manifest list: add the images it holds", id);
  else if (r.manifest == NULL && (made = local_manifest (e, &r, err)) == NULL)
    ;
  else
    {
      const char *body = made ? made : r.manifest;
      digest = made || r.manifest_digest == NULL ? husk_digest_buf (body, strlen (body))
                                                 : husk_xstrdup (r.manifest_digest);
      m = json_loads (body, 0, NULL);
      desc = json_pack ("{s:s, s:I, s:s, s:o}", "mediaType", manifest_type (m), "size",
                        (json_int_t) strlen (body), "digest", digest, "platform",
                        config_platform (config));
    }
  husk_image_rec_release (&r);
  return desc;
}

/* Entries for one image: found locally, else fetched.  *srcs gets the
   source of each.  */
static int
entries_for (struct husk_engine *e, const char *image, const struct husk_manifest_add_opts *o,
             json_t *out, json_t *srcs, husk_error_t *err)
{
  cleanup_free char *id = NULL;
  struct husk_remote_manifest rm = { 0 };
  cleanup_json json_t *m = NULL;
  int r = -1;

  if (!husk_has_prefix (image, "docker://") && husk_op_image_resolve_quiet (e, image, &id))
    {
      json_t *d = local_entry (e, id, err);
      if (d == NULL)
        return -1;
      json_object_set_new (srcs, json_string_value (json_object_get (d, "digest")),
                           json_pack ("{s:s}", "image", id));
      return json_array_append_new (out, d), 0;
    }
  if (husk_op_manifest_fetch (e, image, NULL, &o->reg, &rm, err) < 0)
    return -1;
  m = json_loads (rm.body, 0, NULL);
  json_t *list = json_object_get (m, "manifests");
  if (json_is_array (list))
    {
      size_t i;
      json_t *d;
      json_array_foreach (list, i, d)
        {
          /* Without --all, the entry for this host only.  */
          json_t *p = json_object_get (d, "platform");
          const char *arch = json_string_value (json_object_get (p, "architecture"));
          if (!o->all && (arch == NULL || strcmp (arch, husk_go_arch ()) != 0))
            continue;
          json_array_append (out, d);
          json_object_set_new (srcs, json_string_value (json_object_get (d, "digest")),
                               json_pack ("{s:s}", "repo", rm.repo));
          if (!o->all)
            break;
        }
      if (json_array_size (out) == 0)
        husk_error_makex (err, ENOENT, "%s: no entry for %s in the list", image,
                          husk_go_arch ());
      else
        r = 0;
    }
  else
    {
      json_array_append_new (out, json_pack ("{s:s, s:I, s:s, s:O}", "mediaType", rm.type,
                                             "size", (json_int_t) rm.len, "digest", rm.digest,
                                             "platform", rm.platform));
      json_object_set_new (srcs, rm.digest, json_pack ("{s:s}", "repo", rm.repo));
      r = 0;
    }
  husk_remote_manifest_release (&rm);
  return r;
}

/* Put the entries into the list: one with the same digest is replaced.  */
static int
merge (struct list *l, json_t *entries, json_t *srcs, const struct husk_manifest_entry_opts *eo,
       husk_error_t *err)
{
  json_t *ms = json_object_get (l->index, "manifests");
  size_t i, k;
  json_t *d, *x;

  json_array_foreach (entries, i, d)
    {
      const char *dg = json_string_value (json_object_get (d, "digest"));
      if (eo && apply_entry_opts (d, eo, err) < 0)
        return -1;
      for (k = 0; k < json_array_size (ms); k++)
        {
          x = json_array_get (ms, k);
          if (strcmp (json_string_value (json_object_get (x, "digest")), dg) == 0)
            break;
        }
      if (k < json_array_size (ms))
        json_array_set (ms, k, d);
      else
        json_array_append (ms, d);
      json_object_set (l->sources, dg, json_object_get (srcs, dg));
    }
  return 0;
}

/* Every image's entries, before anything is written.  */
static int
collect (struct husk_engine *e, char **images, const struct husk_manifest_add_opts *o,
         json_t *entries, json_t *srcs, husk_error_t *err)
{
  for (size_t i = 0; images && images[i]; i++)
    if (entries_for (e, images[i], o, entries, srcs, err) < 0)
      return husk_error_wrap (err, "adding %s", images[i]);
  return 0;
}

int
husk_op_manifest_create (struct husk_engine *e, const char *list, char **images,
                         char **annotations, bool amend, const struct husk_manifest_add_opts *o,
                         char **id, husk_error_t *err)
{
  cleanup_json json_t *entries = json_array (), *srcs = json_object ();
  cleanup_free char *name = local_name (list, err);
  cleanup_free char *old = NULL;
  struct list l = { 0 };
  cleanup_strv char **names = NULL;
  int r = -1;

  if (name == NULL)
    return -1;
  if (husk_op_image_resolve_quiet (e, name, &old) && !amend)
    return husk_error_makex (err, EEXIST, "%s: image name already in use: use --amend to "
                             "add to an existing list", name);
  if (collect (e, images, o, entries, srcs, err) < 0)
    return -1;
  if (old && husk_op_manifest_load (e, name, &l.id, &l.index, &l.sources, err) < 0)
    return -1;
  if (l.id == NULL)
    {
      l.id = husk_random_hex (32);
      l.index = json_pack ("{s:i, s:s, s:[]}", "schemaVersion", 2, "mediaType", MT_OCI_INDEX,
                           "manifests");
      l.sources = json_object ();
    }
  husk_strv_append (&names, name);
  if (set_annotations (l.index, "annotations", annotations, err) == 0
      && merge (&l, entries, srcs, NULL, err) == 0
      && list_store (e, &l, names, list_created (e, l.id), err) == 0)
    {
      *id = steal_ptr (&l.id);
      r = 0;
    }
  list_release (&l);
  return r;
}

int
husk_op_manifest_add (struct husk_engine *e, const char *list, const char *image,
                      const struct husk_manifest_add_opts *o, char **id, husk_error_t *err)
{
  cleanup_json json_t *entries = json_array (), *srcs = json_object ();
  char *one[] = { (char *) image, NULL };
  struct list l = { 0 };
  int r = -1;

  /* The list first: a missing list fails before any registry.  */
  if (husk_op_manifest_load (e, list, &l.id, &l.index, &l.sources, err) < 0)
    return -1;
  if (collect (e, one, o, entries, srcs, err) == 0
      && merge (&l, entries, srcs, &o->entry, err) == 0 && list_save (e, &l, err) == 0)
    {
      *id = steal_ptr (&l.id);
      r = 0;
    }
  list_release (&l);
  return r;
}

/* The entry target names: a digest of the list, or a local image in it. */
static json_t *
find_entry (struct husk_engine *e, struct list *l, const char *target, husk_error_t *err)
{
  json_t *ms = json_object_get (l->index, "manifests");
  cleanup_free char *id = NULL;
  const char *key;
  json_t *v, *d;
  size_t i;

  if (!husk_digest_valid (target) && husk_op_image_resolve_quiet (e, target, &id))
    json_object_foreach (l->sources, key, v)
      if (strcmp (json_string_value (json_object_get (v, "image")) ?: "", id) == 0)
        target = key;
  json_array_foreach (ms, i, d)
    if (strcmp (json_string_value (json_object_get (d, "digest")), target) == 0)
      return d;
  return husk_error_makex (err, ENOENT, "no instance matching digest \"%s\" found in the "
                           "manifest list", target), NULL;
}

int
husk_op_manifest_annotate (struct husk_engine *e, const char *list, const char *target,
                           bool index, const struct husk_manifest_entry_opts *o, char **id,
                           husk_error_t *err)
{
  struct list l = { 0 };
  json_t *d;
  int r = -1;

  if (husk_op_manifest_load (e, list, &l.id, &l.index, &l.sources, err) < 0)
    return -1;
  if (index)
    r = set_annotations (l.index, "annotations", o->annotations, err);
  else if ((d = find_entry (e, &l, target, err)) != NULL)
    r = apply_entry_opts (d, o, err);
  if (r == 0)
    r = list_save (e, &l, err);
  if (r == 0)
    *id = steal_ptr (&l.id);
  list_release (&l);
  return r;
}

int
husk_op_manifest_remove (struct husk_engine *e, const char *list, const char *digest,
                         char **id, husk_error_t *err)
{
  struct list l = { 0 };
  json_t *ms;
  size_t i;
  json_t *d;
  int r = -1;

  if (husk_op_manifest_load (e, list, &l.id, &l.index, &l.sources, err) < 0)
    return -1;
  ms = json_object_get (l.index, "manifests");
  json_array_foreach (ms, i, d)
    if (strcmp (json_string_value (json_object_get (d, "digest")), digest) == 0)
      break;
  if (i == json_array_size (ms))
    husk_error_makex (err, ENOENT, "removing from manifest list %s: no instance matching "
                      "digest \"%s\" found in manifest list", list, digest);
  else
    {
      json_array_remove (ms, i);
      json_object_del (l.sources, digest);
      r = list_save (e, &l, err);
    }
  if (r == 0)
    *id = steal_ptr (&l.id);
  list_release (&l);
  return r;
}

bool
husk_op_manifest_exists (struct husk_engine *e, const char *list)
{
  struct list l = { 0 };
  husk_error_t err = NULL;
  bool found = husk_op_manifest_load (e, list, &l.id, &l.index, &l.sources, &err) == 0;

  husk_error_release (&err);
  list_release (&l);
  return found;
}

int
husk_op_manifest_rm (struct husk_engine *e, const char *list, char **id, char ***names,
                     husk_error_t *err)
{
  struct list l = { 0 };
  struct husk_rmi_report rep = { 0 };
  int r = -1;

  if (husk_op_manifest_load (e, list, &l.id, &l.index, &l.sources, err) < 0)
    return -1;
  if (husk_op_image_remove_id (e, l.id, &rep, err) == 0)
    {
      *names = steal_ptr (&rep.untagged);
      *id = steal_ptr (&l.id);
      r = 0;
    }
  husk_rmi_report_release (&rep);
  list_release (&l);
  return r;
}

char *
husk_op_manifest_inspect (struct husk_engine *e, const char *ref,
                          const struct husk_registry_opts *ro, husk_error_t *err)
{
  struct list l = { 0 };
  husk_error_t lerr = NULL;
  struct husk_remote_manifest rm = { 0 };
  cleanup_json json_t *m = NULL;
  char *out = NULL;

  if (!husk_has_prefix (ref, "docker://")
      && husk_op_manifest_load (e, ref, &l.id, &l.index, &l.sources, &lerr) == 0)
    {
      out = json_dumps (l.index, JSON_INDENT (4));
      list_release (&l);
      return out;
    }
  /* A local image that is no list is an error, not a remote name.  */
  if (lerr && lerr->code != ENOENT)
    return husk_error_move (err, &lerr), NULL;
  husk_error_release (&lerr);
  list_release (&l);
  if (husk_op_manifest_fetch (e, ref, NULL, ro, &rm, err) < 0)
    return NULL;
  m = json_loads (rm.body, 0, NULL);
  out = m ? json_dumps (m, JSON_INDENT (4)) : NULL;
  husk_remote_manifest_release (&rm);
  if (out == NULL)
    husk_error_makex (err, EINVAL, "%s: the manifest is not JSON", ref);
  return out;
}

void
husk_remote_manifest_release (struct husk_remote_manifest *m)
{
  free (m->body);
  free (m->type);
  free (m->digest);
  free (m->repo);
  json_decref (m->platform);
  memset (m, 0, sizeof *m);
}
