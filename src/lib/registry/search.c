/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Search, as containers/image does it: the Docker Hub's /v1/search, and
 * for a registry without it (Docker Distribution has no search API) its
 * /v2/_catalog with the term matched here; and a repository's tags from
 * /v2/NAME/tags/list.  Both lists come in pages linked by a Link header
 * (RFC 5988, `<URL>; rel="next"`); the pages followed are bounded.
 */
#include "registry/registry.h"

#include "util/cleanup.h"
#include "util/strutil.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define PAGE_MAX (4 * 1024 * 1024)
#define PAGES_MAX 1000

/* The path of a Link header's rel="next" URL (the registry's own paths
   only: a Link to another host is not followed), or NULL.  */
static char *
next_page (const char *link)
{
  const char *lt, *gt;

  if (link == NULL || strstr (link, "rel=\"next\"") == NULL)
    return NULL;
  if ((lt = strchr (link, '<')) == NULL || (gt = strchr (lt, '>')) == NULL)
    return NULL;
  lt++;
  if (husk_has_prefix (lt, "http://") || husk_has_prefix (lt, "https://"))
    {
      lt = strchr (strchr (lt, '/') + 2, '/');
      if (lt == NULL || lt > gt)
        return NULL;
    }
  if (*lt != '/')
    return NULL;
  return husk_xstrndup (lt, gt - lt);
}

/* GET path as JSON; *status set; a non-200 answer gives NULL, no error. */
static json_t *
get_json (struct husk_registry *r, const char *path, long *status, char **link,
          husk_error_t *err)
{
  cleanup_free char *body = NULL;
  json_error_t jerr;
  json_t *doc;
  size_t len;

  if (husk_registry_get (r, path, PAGE_MAX, &body, &len, status, link, err) < 0)
    return NULL;
  if (*status != 200)
    return NULL;
  doc = json_loadb (body, len, 0, &jerr);
  if (doc == NULL)
    husk_error_makex (err, EPROTO, "%s%s: invalid JSON: %s", husk_registry_name (r), path,
                      jerr.text);
  return doc;
}

/* The Hub's v1 search.  Return: 1 with *hits, 0 when the registry has no
   such API, -1.  */
static int
search_v1 (struct husk_registry *r, const char *term, int limit, json_t **hits,
           husk_error_t *err)
{
  cleanup_free char *q = husk_asprintf ("/v1/search?q=%s&n=%d", term, limit);
  cleanup_json json_t *doc = NULL;
  json_t *res, *it;
  size_t i;
  long status = 0;

  if (strpbrk (term, "&?#% ") != NULL)
    return 0; /* no escaping to get wrong: such a term goes to the catalog */
  doc = get_json (r, q, &status, NULL, err);
  if (doc == NULL)
    return *err ? -1 : 0;
  res = json_object_get (doc, "results");
  if (!json_is_array (res))
    return 0;
  *hits = json_array ();
  json_array_foreach (res, i, it)
    {
      const char *name = json_string_value (json_object_get (it, "name"));
      const char *desc = json_string_value (json_object_get (it, "description"));

      if (name == NULL)
        continue;
      json_array_append_new (*hits, json_pack ("{s:s,s:s,s:I,s:b,s:b}", "name", name,
                                               "description", desc ? desc : "",
                                               "stars", json_integer_value (json_object_get (it, "star_count")),
                                               "official", json_is_true (json_object_get (it, "is_official")),
                                               "automated", json_is_true (json_object_get (it, "is_automated"))));
    }
  return 1;
}

/* Every page of a list: each page's array under key goes to *out.  */
static int
get_pages (struct husk_registry *r, const char *first, const char *key, json_t *out,
           husk_error_t *err)
{
  cleanup_free char *path = husk_xstrdup (first);

  for (int page = 0; path && page < PAGES_MAX; page++)
    {
      cleanup_free char *link = NULL;
      cleanup_json json_t *doc = NULL;
      long status = 0;

      doc = get_json (r, path, &status, &link, err);
      if (doc == NULL && *err)
        return -1;
      if (doc == NULL)
        return husk_error_makex (err, status == 404 ? ENOENT : EPROTO, "%s: GET %s: status %ld",
                                 husk_registry_name (r), path, status);
      json_array_extend (out, json_object_get (doc, key));
      free (path);
      path = next_page (link);
    }
  return 0;
}

int
husk_registry_search (struct husk_registry *r, const char *term, int limit, json_t **hits,
                      husk_error_t *err)
{
  cleanup_json json_t *repos = json_array ();
  json_t *it;
  size_t i;
  int v1;

  *hits = NULL;
  if ((v1 = search_v1 (r, term, limit, hits, err)) != 0)
    return v1 < 0 ? -1 : 0;
  if (get_pages (r, "/v2/_catalog", "repositories", repos, err) < 0)
    return husk_error_wrap (err, "couldn't search registry \"%s\"", husk_registry_name (r));
  *hits = json_array ();
  json_array_foreach (repos, i, it)
    {
      const char *name = json_string_value (it);

      if (name && strstr (name, term) && json_array_size (*hits) < (size_t) limit)
        json_array_append_new (*hits, json_pack ("{s:s,s:s,s:i,s:b,s:b}", "name", name,
                                                 "description", "", "stars", 0,
                                                 "official", 0, "automated", 0));
    }
  return 0;
}

int
husk_registry_list_tags (struct husk_registry *r, char ***tags, husk_error_t *err)
{
  cleanup_json json_t *all = json_array ();
  cleanup_free char *first = NULL;
  const char *repo = strchr (husk_registry_name (r), '/') + 1;
  json_t *it;
  size_t i;

  *tags = NULL;
  first = husk_asprintf ("/v2/%s/tags/list", repo);
  if (get_pages (r, first, "tags", all, err) < 0)
    return husk_error_wrap (err, "getting repository tags");
  json_array_foreach (all, i, it)
    if (json_string_value (it))
      husk_strv_append (tags, json_string_value (it));
  if (*tags == NULL)
    *tags = husk_xzalloc (sizeof (char *));
  return 0;
}
