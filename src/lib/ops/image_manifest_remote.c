/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The registry half of husk manifest (ops/manifest.h), in husk-registry
 * only: fetching a remote manifest for add, create and inspect, and
 * manifest push.  A push sends each local image of the list by digest
 * (the manifest it sends may differ from the one the list recorded: the
 * entry then takes the sent one's digest, type and size), makes sure each
 * remote entry is in the destination repository (mounting its blobs from
 * its own repository on the same registry when it is not), then puts the
 * index under the tag.
 */
#include "ops/manifest.h"
#include "ops/image-push.h"

#include "config/config.h"
#include "image/reference.h"
#include "registry/registry.h"
#include "util/cleanup.h"
#include "util/digest.h"
#include "util/fileutil.h"
#include "util/strutil.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

/* Where text points: host, repository, tag or digest (registries.conf's
   location applied), and whether the registry is insecure.  */
struct target
{
  char *host, *repo, *ref;
  bool insecure;
};

static void
target_release (struct target *t)
{
  free (t->host);
  free (t->repo);
  free (t->ref);
}

static int
target_parse (struct husk_engine *e, const char *text, bool need_tag, struct target *t,
              husk_error_t *err)
{
  struct husk_reference ref;
  const struct husk_config_registry *cr;
  cleanup_free char *name = NULL, *mapped = NULL;

  if (husk_has_prefix (text, "docker://"))
    text += 9;
  if (husk_reference_parse (text, true, &ref, err) < 0)
    return -1;
  name = husk_reference_name (&ref);
  t->ref = husk_xstrdup (ref.digest ? ref.digest : ref.tag);
  husk_reference_release (&ref);
  if (need_tag && husk_has_prefix (t->ref, "sha256:"))
    return husk_error_makex (err, EINVAL, "destination \"%s\": push to a tag, not a digest",
                             text);
  cr = husk_config_registry_find (e->config, name);
  if (cr && cr->blocked)
    return husk_error_makex (err, EACCES, "registry %s is blocked in registries.conf",
                             cr->prefix);
  t->insecure = cr && cr->insecure;
  if (cr && cr->location && !husk_has_prefix (cr->prefix, "*."))
    mapped = husk_asprintf ("%s%s", cr->location, name + strlen (cr->prefix));
  else
    mapped = husk_xstrdup (name);
  t->host = husk_xstrndup (mapped, strcspn (mapped, "/"));
  if (mapped[strlen (t->host)] != '/')
    return husk_error_makex (err, EINVAL, "invalid reference \"%s\"", mapped);
  t->repo = husk_xstrdup (mapped + strlen (t->host) + 1);
  return 0;
}

int
husk_op_image_tags (struct husk_engine *e, const char *text, const struct husk_registry_opts *ro,
                    char ***refs, husk_error_t *err)
{
  struct husk_reference ref;
  struct target t = { 0 };
  struct husk_registry *r = NULL;
  cleanup_strv char **tags = NULL;
  cleanup_free char *name = NULL;
  const char *bare = husk_has_prefix (text, "docker://") ? text + 9 : text;
  int ret = -1;

  *refs = NULL;
  if (husk_reference_parse (bare, false, &ref, err) < 0)
    return -1;
  name = husk_reference_name (&ref);
  if (ref.tag || ref.digest)
    husk_error_makex (err, EINVAL, "%s: tag can't be used with --all-tags/-a", text);
  else if (target_parse (e, name, false, &t, err) == 0
           && (r = husk_registry_open (t.host, t.repo, t.insecure, ro, err)) != NULL
           && husk_registry_list_tags (r, &tags, err) == 0)
    {
      for (size_t i = 0; tags[i]; i++)
        husk_strv_take (refs, husk_asprintf ("%s:%s", name, tags[i]));
      if (*refs == NULL)
        husk_error_makex (err, ENOENT, "%s: the repository has no tags", name);
      else
        ret = 0;
    }
  husk_reference_release (&ref);
  husk_registry_free (r);
  target_release (&t);
  return ret;
}

/* The platform of an image manifest's config.  */
static int
platform_of (struct husk_registry *r, struct husk_remote_manifest *out, husk_error_t *err)
{
  struct husk_manifest m = { 0 };
  cleanup_free char *body = NULL;
  cleanup_json json_t *config = NULL;
  size_t len;
  int ret = -1;

  if (husk_manifest_parse (out->body, out->len, out->type, &m, err) < 0)
    return -1;
  if (husk_registry_get_blob (r, m.config.digest, HUSK_REGISTRY_CONFIG_MAX, &body, &len,
                              err) == 0)
    {
      config = json_loadb (body, len, 0, NULL);
      out->platform = json_object ();
      json_object_set_new (out->platform, "architecture",
                           json_string (json_string_value (json_object_get (config, "architecture")) ?: ""));
      json_object_set_new (out->platform, "os",
                           json_string (json_string_value (json_object_get (config, "os")) ?: ""));
      json_t *v = json_object_get (config, "variant");
      if (json_is_string (v))
        json_object_set (out->platform, "variant", v);
      ret = 0;
    }
  husk_manifest_release (&m);
  return ret;
}

int
husk_op_manifest_fetch (struct husk_engine *e, const char *text, const char *digest,
                        const struct husk_registry_opts *ro, struct husk_remote_manifest *out,
                        husk_error_t *err)
{
  struct target t = { 0 };
  struct husk_registry *r = NULL;
  struct husk_manifest m = { 0 };
  int ret = -1;

  if (target_parse (e, text, false, &t, err) < 0)
    goto done;
  if ((r = husk_registry_open (t.host, t.repo, t.insecure, ro, err)) == NULL)
    goto done;
  if (husk_registry_get_manifest (r, digest ? digest : t.ref, &out->body, &out->len,
                                  &out->type, &out->digest, err) < 0)
    goto done;
  out->repo = husk_asprintf ("%s/%s", t.host, t.repo);
  if (husk_manifest_parse (out->body, out->len, out->type, &m, err) < 0)
    goto done;
  ret = m.is_index ? 0 : platform_of (r, out, err);
done:
  husk_manifest_release (&m);
  husk_registry_free (r);
  target_release (&t);
  return ret;
}

/* A remote entry: in the destination already, or copied there by
   mounting its blobs from its repository (same registry only).  */
static int
ensure_remote (struct husk_registry *dst, const struct target *t, json_t *entry,
               const char *src_repo, const struct husk_registry_opts *ro, husk_error_t *err)
{
  const char *digest = json_string_value (json_object_get (entry, "digest"));
  cleanup_free char *body = NULL, *type = NULL, *got = NULL;
  size_t len, hl = strlen (t->host);
  husk_error_t e2 = NULL;
  struct husk_manifest m = { 0 };
  struct husk_registry *src = NULL;
  int ret = -1;

  if (husk_registry_get_manifest (dst, digest, &body, &len, &type, &got, &e2) == 0)
    return 0;
  if (e2->code != ENOENT)
    return husk_error_move (err, &e2);
  husk_error_release (&e2);
  if (src_repo == NULL || strncmp (src_repo, t->host, hl) != 0 || src_repo[hl] != '/')
    return husk_error_makex (err, ENOTSUP, "%s is in %s, not in %s/%s: copy it there first "
                             "(husk copies entries between repositories of one registry only)",
                             digest, src_repo ? src_repo : "no known repository", t->host,
                             t->repo);
  if ((src = husk_registry_open (t->host, src_repo + hl + 1, false, ro, err)) == NULL
      || husk_registry_get_manifest (src, digest, &body, &len, &type, &got, err) < 0
      || husk_manifest_parse (body, len, type, &m, err) < 0)
    goto out;
  if (m.is_index)
    {
      husk_error_makex (err, ENOTSUP, "%s in %s is itself a list: not copied", digest,
                        src_repo);
      goto out;
    }
  for (size_t i = 0; i <= m.n_layers; i++)
    {
      const char *bd = i < m.n_layers ? m.layers[i].digest : m.config.digest;
      int r = husk_registry_blob_exists (dst, bd, err);
      if (r == 0)
        r = husk_registry_blob_mount (dst, bd, src_repo + hl + 1, err);
      if (r < 0)
        goto out;
      if (r == 0)
        {
          husk_error_makex (err, ENOTSUP, "%s: the registry did not mount blob %s from %s",
                            digest, bd, src_repo);
          goto out;
        }
    }
  ret = husk_registry_put_manifest (dst, digest, body, len, type, err);
out:
  husk_manifest_release (&m);
  husk_registry_free (src);
  return ret;
}

/* Entries of a Docker manifest list must be Docker manifests, and it has
   no annotations.  */
static int
to_docker_list (json_t *index, husk_error_t *err)
{
  json_t *d;
  size_t i;

  json_object_set_new (index, "mediaType", json_string (HUSK_MT_DOCKER_LIST));
  json_object_del (index, "annotations");
  json_array_foreach (json_object_get (index, "manifests"), i, d)
    {
      const char *t = json_string_value (json_object_get (d, "mediaType"));
      if (t == NULL || strcmp (t, HUSK_MT_DOCKER_MANIFEST) != 0)
        return husk_error_makex (err, EINVAL, "--format v2s2: entry %s is an OCI manifest, "
                                 "which a Docker manifest list cannot hold",
                                 json_string_value (json_object_get (d, "digest")));
      json_object_del (d, "annotations");
    }
  return 0;
}

/* Repositories of the destination's registry that remote entries are
   in: their pull access is asked with the push, to mount from them.  */
static char **
mount_sources (const struct target *t, json_t *sources)
{
  char **v = NULL;
  size_t hl = strlen (t->host);
  const char *k;
  json_t *s;

  json_object_foreach (sources, k, s)
    {
      const char *r = json_string_value (json_object_get (s, "repo"));
      if (r && strncmp (r, t->host, hl) == 0 && r[hl] == '/' && strcmp (r + hl + 1, t->repo) != 0
          && !husk_strv_contains (v, r + hl + 1))
        husk_strv_append (&v, r + hl + 1);
    }
  return v;
}

/* Every entry into the destination; local images with all.  */
static int
push_entries (struct husk_engine *e, const struct target *t, json_t *index, json_t *sources,
              const struct husk_manifest_push_opts *o, struct husk_registry *dst,
              husk_error_t *err)
{
  struct husk_push_opts po = o->push;
  json_t *d;
  size_t i;

  po.digestfile = NULL;
  json_array_foreach (json_object_get (index, "manifests"), i, d)
    {
      const char *digest = json_string_value (json_object_get (d, "digest"));
      json_t *src = json_object_get (sources, digest);
      const char *image = json_string_value (json_object_get (src, "image"));
      cleanup_free char *nd = NULL, *nt = NULL;
      int64_t ns;

      if (image == NULL || !o->all)
        {
          if (ensure_remote (dst, t, d, json_string_value (json_object_get (src, "repo")),
                             &o->push.reg, err) < 0)
            return -1;
          continue;
        }
      if (husk_op_image_push_instance (e, image, t->host, t->repo, t->insecure, &po, &nd, &nt,
                                       &ns, err) < 0)
        return -1;
      json_object_set_new (d, "digest", json_string (nd));
      json_object_set_new (d, "mediaType", json_string (nt));
      json_object_set_new (d, "size", json_integer (ns));
    }
  return 0;
}

int
husk_op_manifest_push (struct husk_engine *e, const char *list, const char *dest,
                       const struct husk_manifest_push_opts *o, char **digest,
                       husk_error_t *err)
{
  cleanup_free char *id = NULL, *body = NULL;
  cleanup_json json_t *index = NULL, *sources = NULL;
  struct husk_image_rec rec = { 0 };
  struct target t = { 0 };
  struct husk_registry_opts ro = o->push.reg;
  struct husk_registry *dst = NULL;
  const char *f = o->push.format;
  cleanup_strv char **mounts = NULL;
  int ret = -1;

  if (husk_op_manifest_load (e, list, &id, &index, &sources, err) < 0)
    return -1;
  if (f && strcmp (f, "oci") != 0 && strcmp (f, "v2s2") != 0)
    return husk_error_makex (err, EINVAL, "unknown format \"%s\": want oci or v2s2", f);
  if (dest == NULL && husk_state_image_get (e->state, id, &rec, err) < 0)
    return -1;
  if (target_parse (e, dest ? dest : rec.names[0], true, &t, err) < 0)
    goto out;
  ro.push = true;
  ro.mount_from = mounts = mount_sources (&t, sources);
  if ((dst = husk_registry_open (t.host, t.repo, t.insecure, &ro, err)) == NULL
      || push_entries (e, &t, index, sources, o, dst, err) < 0)
    goto out;
  if (f && strcmp (f, "v2s2") == 0 && to_docker_list (index, err) < 0)
    goto out;
  body = json_dumps (index, JSON_COMPACT);
  *digest = husk_digest_buf (body, strlen (body));
  if (!o->push.quiet)
    fprintf (stderr, "Writing manifest list to image destination\n");
  if (husk_registry_put_manifest (dst, t.ref, body, strlen (body),
                                  json_string_value (json_object_get (index, "mediaType")),
                                  err) < 0)
    goto out;
  if (o->push.digestfile
      && husk_output_write (o->push.digestfile, *digest, strlen (*digest), 0644, err) < 0)
    {
      husk_error_wrap (err, "--digestfile");
      goto out;
    }
  ret = 0;
  if (o->rm)
    {
      cleanup_free char *gone = NULL;
      cleanup_strv char **names = NULL;
      ret = husk_op_manifest_rm (e, id, &gone, &names, err);
    }
out:
  if (ret < 0 && t.host)
    husk_error_wrap (err, "pushing manifest list %s to %s/%s:%s", list, t.host, t.repo,
                     t.ref ? t.ref : "");
  husk_registry_free (dst);
  husk_image_rec_release (&rec);
  target_release (&t);
  return ret;
}
