/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libFuzzer target for registry manifests and indexes: the first byte picks
   the Content-Type the registry claims, the rest is the body.  What parses
   holds only valid digests and bounded sizes, and selecting the platform of
   any complete index entry finds an entry of that platform; what fails says
   why and leaves nothing behind.  */
#include "registry/registry.h"
#include "util/digest.h"
#include "util/error.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static const char *const content_types[] = {
  NULL,
  HUSK_MT_OCI_MANIFEST,
  HUSK_MT_OCI_INDEX,
  HUSK_MT_DOCKER_MANIFEST,
  HUSK_MT_DOCKER_LIST,
  "application/vnd.docker.distribution.manifest.v1+prettyjws",
  "application/json",
  "",
};

static void
check_descriptor (const struct husk_descriptor *d)
{
  if (d->digest == NULL || !husk_digest_valid (d->digest) || d->size < 0)
    abort ();
  if ((d->media_type && *d->media_type == '\0') || (d->os && *d->os == '\0')
      || (d->arch && *d->arch == '\0') || (d->variant && *d->variant == '\0'))
    abort ();
}

static bool
same (const char *a, const char *b)
{
  return a && b && strcmp (a, b) == 0;
}

static void
check_select (const struct husk_manifest *m)
{
  husk_error_t err = NULL;
  const struct husk_descriptor *d;

  for (size_t i = 0; i < m->n_manifests; i++)
    {
      const struct husk_descriptor *want = &m->manifests[i];
      if (want->os == NULL || want->arch == NULL)
        continue;
      d = husk_manifest_select (m, want->os, want->arch, want->variant, &err);
      if (d == NULL || d < m->manifests || d >= m->manifests + m->n_manifests
          || !same (d->os, want->os) || !same (d->arch, want->arch))
        abort ();
    }
  /* The host's platform, and one no index names: an entry or an error.  */
  d = husk_manifest_select (m, NULL, NULL, NULL, &err);
  if ((d == NULL) != (err != NULL))
    abort ();
  husk_error_release (&err);
  d = husk_manifest_select (m, "plan9", "mips", "v0", &err);
  if (d != NULL || err == NULL || err->msg == NULL)
    abort ();
  husk_error_release (&err);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  static const struct husk_manifest zero;
  struct husk_manifest m;
  husk_error_t err = NULL;
  const char *type;

  if (size < 1)
    return 0;
  type = content_types[data[0] % (sizeof content_types / sizeof content_types[0])];
  if (husk_manifest_parse ((const char *) data + 1, size - 1, type, &m, &err) < 0)
    {
      if (err == NULL || err->msg == NULL || memcmp (&m, &zero, sizeof m) != 0)
        abort ();
      husk_error_release (&err);
      return 0;
    }
  if (err != NULL || m.media_type == NULL)
    abort ();
  if (m.is_index)
    {
      if (m.config.digest || m.n_layers || (m.n_manifests && m.manifests == NULL))
        abort ();
      for (size_t i = 0; i < m.n_manifests; i++)
        check_descriptor (&m.manifests[i]);
      check_select (&m);
    }
  else
    {
      if (m.n_manifests || (m.n_layers && m.layers == NULL))
        abort ();
      check_descriptor (&m.config);
      for (size_t i = 0; i < m.n_layers; i++)
        check_descriptor (&m.layers[i]);
    }
  husk_manifest_release (&m);
  return 0;
}
