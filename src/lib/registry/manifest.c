/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Image manifests and indexes (OCI and Docker schema 2), checked before
 * anything they name is fetched, and platform selection from an index.
 */
#include "registry/registry.h"

#include "util/arch.h"
#include "util/cleanup.h"
#include "util/digest.h"
#include "util/strutil.h"

#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

/* Bounds on what a manifest may ask for.  */
#define MAX_ENTRIES 1024
#define MAX_BLOB_SIZE ((int64_t) 64 << 30)

static const char *const layer_types[] = {
  "application/vnd.oci.image.layer.v1.tar",
  "application/vnd.oci.image.layer.v1.tar+gzip",
  "application/vnd.oci.image.layer.v1.tar+zstd",
  "application/vnd.docker.image.rootfs.diff.tar.gzip",
  "application/vnd.docker.image.rootfs.diff.tar",
  NULL,
};

static void
descriptor_release (struct husk_descriptor *d)
{
  free (d->media_type);
  free (d->digest);
  free (d->os);
  free (d->arch);
  free (d->variant);
  memset (d, 0, sizeof *d);
}

void
husk_manifest_release (struct husk_manifest *m)
{
  descriptor_release (&m->config);
  for (size_t i = 0; i < m->n_layers; i++)
    descriptor_release (&m->layers[i]);
  for (size_t i = 0; i < m->n_manifests; i++)
    descriptor_release (&m->manifests[i]);
  free (m->layers);
  free (m->manifests);
  free (m->media_type);
  memset (m, 0, sizeof *m);
}

static char *
opt_string (json_t *o, const char *key)
{
  const char *s = json_string_value (json_object_get (o, key));

  return s && *s ? husk_xstrdup (s) : NULL;
}

static int
parse_descriptor (json_t *o, const char *what, struct husk_descriptor *d, husk_error_t *err)
{
  json_t *size = json_object_get (o, "size");
  json_t *platform = json_object_get (o, "platform");
  const char *digest = json_string_value (json_object_get (o, "digest"));

  if (!json_is_object (o))
    return husk_error_makex (err, EINVAL, "invalid manifest: %s is not an object", what);
  if (digest == NULL || !husk_digest_valid (digest))
    return husk_error_makex (err, EINVAL, "invalid manifest: %s has no valid sha256 digest",
                             what);
  if (!json_is_integer (size) || json_integer_value (size) < 0
      || json_integer_value (size) > MAX_BLOB_SIZE)
    return husk_error_makex (err, EINVAL, "invalid manifest: %s has an invalid size", what);
  d->digest = husk_xstrdup (digest);
  d->size = json_integer_value (size);
  d->media_type = opt_string (o, "mediaType");
  if (json_is_object (platform))
    {
      d->os = opt_string (platform, "os");
      d->arch = opt_string (platform, "architecture");
      d->variant = opt_string (platform, "variant");
    }
  return 0;
}

static int
parse_list (json_t *a, const char *what, struct husk_descriptor **out, size_t *n,
            husk_error_t *err)
{
  json_t *v;
  size_t i;

  if (!json_is_array (a))
    return husk_error_makex (err, EINVAL, "invalid manifest: no \"%s\" array", what);
  if (json_array_size (a) > MAX_ENTRIES)
    return husk_error_makex (err, EINVAL, "invalid manifest: more than %d %s",
                             MAX_ENTRIES, what);
  *out = husk_xzalloc ((json_array_size (a) + 1) * sizeof **out);
  json_array_foreach (a, i, v)
    {
      cleanup_free char *name = husk_asprintf ("%s[%zu]", what, i);
      if (parse_descriptor (v, name, &(*out)[i], err) < 0)
        return -1;
      (*n)++;
    }
  return 0;
}

static bool
known_layer_type (const char *t)
{
  for (size_t i = 0; layer_types[i]; i++)
    if (strcmp (t, layer_types[i]) == 0)
      return true;
  return false;
}

static int
parse_image (json_t *doc, struct husk_manifest *m, husk_error_t *err)
{
  if (parse_descriptor (json_object_get (doc, "config"), "config", &m->config, err) < 0
      || parse_list (json_object_get (doc, "layers"), "layers", &m->layers, &m->n_layers,
                     err) < 0)
    return -1;
  for (size_t i = 0; i < m->n_layers; i++)
    if (m->layers[i].media_type && !known_layer_type (m->layers[i].media_type))
      return husk_error_makex (err, EINVAL, "unsupported layer media type \"%s\"",
                               m->layers[i].media_type);
  return 0;
}

/* The media type: the body's own, else what the registry said.  */
static const char *
media_type (json_t *doc, const char *type)
{
  const char *t = json_string_value (json_object_get (doc, "mediaType"));

  if (t && *t)
    return t;
  if (type && *type)
    return type;
  /* An OCI manifest may omit mediaType: tell the two kinds by content.  */
  return json_object_get (doc, "manifests") ? HUSK_MT_OCI_INDEX : HUSK_MT_OCI_MANIFEST;
}

int
husk_manifest_parse (const char *body, size_t len, const char *type,
                     struct husk_manifest *out, husk_error_t *err)
{
  cleanup_json json_t *doc = NULL;
  json_error_t jerr;
  const char *t;
  int r;

  memset (out, 0, sizeof *out);
  doc = json_loadb (body, len, JSON_REJECT_DUPLICATES, &jerr);
  if (doc == NULL || !json_is_object (doc))
    return husk_error_makex (err, EINVAL, "invalid manifest: %s",
                             doc ? "not a JSON object" : jerr.text);
  if (json_integer_value (json_object_get (doc, "schemaVersion")) == 1
      || (type && strstr (type, "distribution.manifest.v1")))
    return husk_error_makex (err, EINVAL, "unsupported manifest format: Docker schema 1 "
                             "(deprecated; push the image again with a current client)");
  if (json_integer_value (json_object_get (doc, "schemaVersion")) != 2)
    return husk_error_makex (err, EINVAL, "invalid manifest: schemaVersion is not 2");
  t = media_type (doc, type);
  out->media_type = husk_xstrdup (t);
  if (strcmp (t, HUSK_MT_OCI_INDEX) == 0 || strcmp (t, HUSK_MT_DOCKER_LIST) == 0)
    {
      out->is_index = true;
      r = parse_list (json_object_get (doc, "manifests"), "manifests", &out->manifests,
                      &out->n_manifests, err);
    }
  else if (strcmp (t, HUSK_MT_OCI_MANIFEST) == 0 || strcmp (t, HUSK_MT_DOCKER_MANIFEST) == 0)
    r = parse_image (doc, out, err);
  else
    r = husk_error_makex (err, EINVAL, "unsupported manifest media type \"%s\"", t);
  if (r < 0)
    husk_manifest_release (out);
  return r;
}

/* arm64's variant is "v8" when absent, as Podman's platform matching has it. */
static bool
variant_matches (const char *arch, const char *want, const char *have)
{
  if (want == NULL || *want == '\0')
    return true;
  if (have == NULL && strcmp (arch, "arm64") == 0)
    have = "v8";
  return have && strcmp (want, have) == 0;
}

const struct husk_descriptor *
husk_manifest_select (const struct husk_manifest *m, const char *os, const char *arch,
                      const char *variant, husk_error_t *err)
{
  os = os && *os ? os : "linux";
  arch = arch && *arch ? arch : husk_go_arch ();
  for (size_t i = 0; i < m->n_manifests; i++)
    {
      const struct husk_descriptor *d = &m->manifests[i];
      if (d->os && strcmp (d->os, os) == 0 && d->arch && strcmp (d->arch, arch) == 0
          && variant_matches (arch, variant, d->variant))
        return d;
    }
  husk_error_makex (err, ENOENT, "no image found in image index for architecture \"%s\", "
                    "variant \"%s\", OS \"%s\"", arch, variant ? variant : "", os);
  return NULL;
}
