/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Image list filters, as `podman images --filter` and the Docker API take
   them: reference=, dangling=, label=, label!=, before=, since=, id=.
   Different keys must all match; repeated keys of one kind match when any
   of their values does (Podman's rule for reference and label is "all"
   for label, "any" for reference).  */
#include "ops/image_filter.h"
#include "image/reference.h"
#include "state/containers.h"
#include "util/cleanup.h"
#include "util/strutil.h"

#include <errno.h>
#include <fnmatch.h>
#include <string.h>

struct husk_image_filter
{
  char **references;
  char **labels;      /* "k" or "k=v" */
  char **not_labels;  /* label!= */
  char **ids;
  int dangling;       /* -1 any, 0 false, 1 true */
  int64_t before;     /* created strictly before, or INT64_MAX */
  int64_t since;      /* created strictly after, or INT64_MIN */
};

void
husk_image_filter_free (struct husk_image_filter *f)
{
  if (f == NULL)
    return;
  husk_strv_free (f->references);
  husk_strv_free (f->labels);
  husk_strv_free (f->not_labels);
  husk_strv_free (f->ids);
  free (f);
}

static int
image_created (struct husk_engine *e, const char *ref, int64_t *t, husk_error_t *err)
{
  cleanup_free char *id = NULL;
  struct husk_image_rec rec = { 0 };

  if (husk_op_image_resolve (e, ref, &id, err) < 0
      || husk_state_image_get (e->state, id, &rec, err) < 0)
    return -1;
  *t = rec.created;
  husk_image_rec_release (&rec);
  return 0;
}

struct husk_image_filter *
husk_image_filter_new (struct husk_engine *e, char **filters, husk_error_t *err)
{
  struct husk_image_filter *f = husk_xzalloc (sizeof *f);

  f->dangling = -1;
  f->before = INT64_MAX;
  f->since = INT64_MIN;
  for (size_t i = 0; filters && filters[i]; i++)
    {
      const char *eq = strchr (filters[i], '=');
      cleanup_free char *key = eq ? husk_xstrndup (filters[i], eq - filters[i]) : NULL;
      const char *val = eq ? eq + 1 : NULL;
      int64_t t;

      if (key == NULL)
        {
          husk_error_makex (err, EINVAL, "invalid image filter \"%s\": expected key=value",
                            filters[i]);
          goto fail;
        }
      if (strcmp (key, "reference") == 0)
        husk_strv_append (&f->references, val);
      else if (strcmp (key, "label") == 0)
        husk_strv_append (&f->labels, val);
      else if (strcmp (key, "label!") == 0)
        husk_strv_append (&f->not_labels, val);
      else if (strcmp (key, "id") == 0)
        husk_strv_append (&f->ids, val);
      else if (strcmp (key, "dangling") == 0)
        {
          if (strcmp (val, "true") && strcmp (val, "false") && strcmp (val, "1") && strcmp (val, "0"))
            {
              husk_error_makex (err, EINVAL, "invalid dangling filter value \"%s\"", val);
              goto fail;
            }
          f->dangling = strcmp (val, "true") == 0 || strcmp (val, "1") == 0;
        }
      else if (strcmp (key, "before") == 0 || strcmp (key, "since") == 0)
        {
          if (image_created (e, val, &t, err) < 0)
            goto fail;
          if (key[0] == 'b')
            f->before = t < f->before ? t : f->before;
          else
            f->since = t > f->since ? t : f->since;
        }
      else
        {
          husk_error_makex (err, EINVAL, "invalid image filter \"%s\"", key);
          goto fail;
        }
    }
  return f;
fail:
  husk_image_filter_free (f);
  return NULL;
}

/* Match pattern against the forms a user may mean by a name.  */
bool
husk_image_reference_matches (const char *pattern, const char *name)
{
  struct husk_reference ref = { 0 };
  bool hit = false;

  if (fnmatch (pattern, name, 0) == 0)
    return true;
  if (husk_reference_parse (name, false, &ref, NULL) < 0)
    return false;
  {
    cleanup_free char *repo = husk_reference_name (&ref);
    cleanup_free char *familiar = husk_reference_familiar (&ref);
    cleanup_free char *path_tag = ref.tag ? husk_asprintf ("%s:%s", ref.path, ref.tag) : NULL;
    const char *last = strrchr (ref.path, '/');
    cleanup_free char *last_tag = ref.tag ? husk_asprintf ("%s:%s", last ? last + 1 : ref.path, ref.tag) : NULL;
    const char *forms[] = { repo, familiar, ref.path, path_tag, last ? last + 1 : ref.path, last_tag };
    for (size_t i = 0; i < sizeof forms / sizeof forms[0] && !hit; i++)
      hit = forms[i] && fnmatch (pattern, forms[i], 0) == 0;
  }
  husk_reference_release (&ref);
  return hit;
}

/* Whether "REPO@DIGEST" at repo_digest matches pattern "PAT@DIGEST": the
   same digest, and PAT matches the repository as a name would.  */
static bool
repo_digest_matches (const char *pattern, const char *at, const char *repo_digest)
{
  const char *rat = strrchr (repo_digest, '@');
  cleanup_free char *pat = husk_xstrndup (pattern, at - pattern);
  cleanup_free char *repo = NULL;

  if (rat == NULL || strcmp (rat, at) != 0)
    return false;
  repo = husk_xstrndup (repo_digest, rat - repo_digest);
  return husk_image_reference_matches (pat, repo);
}

/* A reference pattern with a digest ("busybox@sha256:...") names the
   images that repository's manifest digest leads to: their repo digests,
   and each name's repository with the manifest digest.  */
static bool
digest_reference_matches (const char *pattern, const struct husk_image_rec *r)
{
  const char *at = strrchr (pattern, '@');

  for (size_t k = 0; r->digests && r->digests[k]; k++)
    if (repo_digest_matches (pattern, at, r->digests[k]))
      return true;
  for (size_t k = 0; r->manifest_digest && r->names && r->names[k]; k++)
    {
      struct husk_reference ref = { 0 };
      bool hit = false;
      if (husk_reference_parse (r->names[k], false, &ref, NULL) == 0)
        {
          cleanup_free char *repo = husk_reference_name (&ref);
          cleanup_free char *rd = husk_asprintf ("%s@%s", repo, r->manifest_digest);
          hit = repo_digest_matches (pattern, at, rd);
        }
      husk_reference_release (&ref);
      if (hit)
        return true;
    }
  return false;
}

static bool
reference_matches (const char *pattern, const struct husk_image_rec *r)
{
  if (strchr (pattern, '@') != NULL)
    return digest_reference_matches (pattern, r);
  for (size_t k = 0; r->names && r->names[k]; k++)
    if (husk_image_reference_matches (pattern, r->names[k]))
      return true;
  return false;
}

bool
husk_image_filter_match (struct husk_image_filter *f, const struct husk_image_rec *r,
                         json_t *config, bool dangling)
{
  json_t *labels = json_object_get (json_object_get (config, "config"), "Labels");

  if (f->dangling >= 0 && dangling != (bool) f->dangling)
    return false;
  if (r->created >= f->before || r->created <= f->since)
    return false;
  for (size_t i = 0; f->labels && f->labels[i]; i++)
    if (!husk_label_filter_match (labels, f->labels[i]))
      return false;
  for (size_t i = 0; f->not_labels && f->not_labels[i]; i++)
    if (husk_label_filter_match (labels, f->not_labels[i]))
      return false;
  if (f->ids)
    {
      bool hit = false;
      for (size_t i = 0; f->ids[i] && !hit; i++)
        hit = husk_has_prefix (r->id, f->ids[i] + (husk_has_prefix (f->ids[i], "sha256:") ? 7 : 0));
      if (!hit)
        return false;
    }
  if (f->references)
    {
      bool hit = false;
      for (size_t i = 0; f->references[i] && !hit; i++)
        hit = reference_matches (f->references[i], r);
      if (!hit)
        return false;
    }
  return true;
}

/* Whether another image is built on list[i]: its layers start with all
   of list[i]'s and go on.  */
static bool
has_child (const struct husk_image_rec *list, size_t n, size_t i)
{
  size_t len = husk_strv_len (list[i].layers);

  for (size_t k = 0; k < n && len; k++)
    {
      size_t j = 0;
      if (k == i || husk_strv_len (list[k].layers) <= len)
        continue;
      while (j < len && strcmp (list[k].layers[j], list[i].layers[j]) == 0)
        j++;
      if (j == len)
        return true;
    }
  return false;
}

static int64_t
users (struct husk_engine *e, const char *id)
{
  cleanup_strv char **names = NULL;

  if (husk_state_image_users (e->state, id, &names, NULL) < 0)
    return 0;
  return (int64_t) husk_strv_len (names);
}

int
husk_op_image_select (struct husk_engine *e, char **filters, bool dangling_only,
                      struct husk_image_entry **out, size_t *n, husk_error_t *err)
{
  struct husk_image_filter *f = husk_image_filter_new (e, filters, err);
  struct husk_image_rec *list = NULL;
  cleanup_free bool *inter = NULL;
  size_t count = 0;

  *out = NULL;
  *n = 0;
  if (f == NULL || husk_op_image_list (e, &list, &count, err) < 0)
    {
      husk_image_filter_free (f);
      return -1;
    }
  *out = husk_xzalloc ((count ? count : 1) * sizeof **out);
  /* Before any record moves: children may be filtered out.  */
  inter = husk_xzalloc ((count + 1) * sizeof (bool));
  for (size_t i = 0; i < count; i++)
    inter[i] = (list[i].names == NULL || list[i].names[0] == NULL) && has_child (list, count, i);
  for (size_t i = 0; i < count; i++)
    {
      json_t *cfg = json_loads (list[i].config, 0, NULL);
      /* Podman's dangling: no name, and no image built on it.  */
      bool dangling = (list[i].names == NULL || list[i].names[0] == NULL) && !inter[i];

      if ((dangling_only && !dangling) || !husk_image_filter_match (f, &list[i], cfg, dangling))
        {
          json_decref (cfg);
          husk_image_rec_release (&list[i]);
          continue;
        }
      (*out)[*n].intermediate = inter[i];
      (*out)[*n].containers = users (e, list[i].id);
      (*out)[*n].config = cfg;
      (*out)[(*n)++].rec = list[i]; /* moved: list[i] is not released */
    }
  free (list);
  husk_image_filter_free (f);
  return 0;
}

void
husk_image_entry_array_free (struct husk_image_entry *a, size_t n)
{
  for (size_t i = 0; a && i < n; i++)
    {
      husk_image_rec_release (&a[i].rec);
      json_decref (a[i].config);
    }
  free (a);
}
