/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * husk search (ops/login.h): which registries a term goes to, the rows
 * Podman reports (libimage's search), filters and limits.  Only in the
 * binary that links libcurl; the static husk has image_login_exec.c.
 */
#include "ops/login.h"

#include "config/config.h"
#include "util/cleanup.h"
#include "util/log.h"
#include "util/strutil.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define DEFAULT_LIMIT 25
#define DESCRIPTION_MAX 44

struct filter
{
  long stars;        /* at least this many */
  int official;      /* -1: either; 0; 1 */
  int automated;
};

static int
parse_bool (const char *name, const char *v, int *out, husk_error_t *err)
{
  if (strcmp (v, "true") == 0)
    *out = 1;
  else if (strcmp (v, "false") == 0)
    *out = 0;
  else
    return husk_error_makex (err, EINVAL, "invalid filter \"%s=%s\": want true or false", name, v);
  return 0;
}

static int
parse_filters (char **filters, struct filter *f, husk_error_t *err)
{
  *f = (struct filter) { 0, -1, -1 };
  for (size_t i = 0; filters && filters[i]; i++)
    {
      cleanup_free char *name = husk_xstrndup (filters[i], strcspn (filters[i], "="));
      const char *eq = strchr (filters[i], '=');
      const char *v = eq ? eq + 1 : "";
      char *end;

      if (eq == NULL)
        return husk_error_makex (err, EINVAL, "invalid filter \"%s\": want KEY=VALUE",
                                 filters[i]);
      if (strcmp (name, "stars") == 0)
        {
          errno = 0;
          f->stars = strtol (v, &end, 10);
          if (*v == '\0' || *end || errno || f->stars < 0)
            return husk_error_makex (err, EINVAL, "incorrect value type for stars filter: "
                                     "\"%s\"", v);
        }
      else if (strcmp (name, "is-official") == 0)
        {
          if (parse_bool (name, v, &f->official, err) < 0)
            return -1;
        }
      else if (strcmp (name, "is-automated") == 0)
        {
          if (parse_bool (name, v, &f->automated, err) < 0)
            return -1;
        }
      else
        return husk_error_makex (err, EINVAL, "invalid filter type \"%s\"", name);
    }
  return 0;
}

static bool
filter_match (const struct filter *f, json_t *hit)
{
  bool official = json_is_true (json_object_get (hit, "official"));
  bool automated = json_is_true (json_object_get (hit, "automated"));

  return json_integer_value (json_object_get (hit, "stars")) >= f->stars
         && (f->official < 0 || official == (bool) f->official)
         && (f->automated < 0 || automated == (bool) f->automated);
}

/* The first component of a name is a registry when it looks like a host. */
static bool
is_registry (const char *s, size_t n)
{
  return memchr (s, '.', n) || memchr (s, ':', n) || (n == 9 && strncmp (s, "localhost", 9) == 0);
}

static json_t *
row (const char *index, const char *name, const char *desc, json_int_t stars, bool official,
     bool automated, const char *tag)
{
  cleanup_free char *full = husk_asprintf ("%s/%s", index, name);

  return json_pack ("{s:s,s:s,s:s,s:I,s:s,s:s,s:s}", "Index", index, "Name", full,
                    "Description", desc, "Stars", stars, "Official", official ? "[OK]" : "",
                    "Automated", automated ? "[OK]" : "", "Tag", tag ? tag : "");
}

static struct husk_registry *
open_registry (const struct husk_config *c, const char *reg, const char *repo,
               const struct husk_search_opts *o, husk_error_t *err)
{
  const struct husk_config_registry *cr = c ? husk_config_registry_find (c, reg) : NULL;

  if (cr && cr->blocked)
    return husk_error_makex (err, EACCES, "registry %s is blocked in registries.conf",
                             cr->prefix), NULL;
  /* The Hub answers searches (no repository) at its index, not at
     registry-1.  */
  if (*repo == '\0' && strcmp (reg, "docker.io") == 0)
    reg = "index.docker.io";
  return husk_registry_open (reg, repo, cr && cr->insecure, &o->reg, err);
}

/* The tags of reg/term.  */
static int
search_tags (const struct husk_config *c, const char *reg, const char *term,
             const struct husk_search_opts *o, json_t *out, husk_error_t *err)
{
  /* The Hub's official images live in library/, as pulls say.  */
  cleanup_free char *repo = strcmp (reg, "docker.io") == 0 && !strchr (term, '/')
                              ? husk_asprintf ("library/%s", term) : husk_xstrdup (term);
  struct husk_registry *r;
  cleanup_strv char **tags = NULL;
  size_t n = 0;

  if (strpbrk (repo, ":@") || *repo == '\0')
    return husk_error_makex (err, EINVAL, "reference \"%s/%s\" must be a repository without "
                             "tag or digest", reg, term);
  if ((r = open_registry (c, reg, repo, o, err)) == NULL)
    return -1;
  if (husk_registry_list_tags (r, &tags, err) < 0)
    {
      husk_registry_free (r);
      return -1;
    }
  husk_registry_free (r);
  for (size_t i = 0; tags[i] && (o->limit <= 0 || n < (size_t) o->limit); i++, n++)
    json_array_append_new (out, row (reg, repo, "", 0, false, false, tags[i]));
  return 0;
}

static int
search_one (const struct husk_config *c, const char *reg, const char *term,
            const struct husk_search_opts *o, const struct filter *f, json_t *out,
            husk_error_t *err)
{
  int limit = o->limit > 0 ? o->limit : DEFAULT_LIMIT;
  cleanup_json json_t *hits = NULL;
  struct husk_registry *r;
  json_t *h;
  size_t i, n = 0;

  if (o->list_tags)
    return search_tags (c, reg, term, o, out, err);
  if ((r = open_registry (c, reg, "", o, err)) == NULL)
    return -1;
  if (husk_registry_search (r, term, limit, &hits, err) < 0)
    {
      husk_registry_free (r);
      return -1;
    }
  husk_registry_free (r);
  json_array_foreach (hits, i, h)
    {
      const char *desc = json_string_value (json_object_get (h, "description"));
      cleanup_free char *shown = NULL;

      if (!filter_match (f, h) || n >= (size_t) limit)
        continue;
      if (!o->no_trunc && strlen (desc) > DESCRIPTION_MAX)
        desc = shown = husk_asprintf ("%.*s...", DESCRIPTION_MAX, desc);
      json_array_append_new (out, row (reg, json_string_value (json_object_get (h, "name")),
                                       desc, json_integer_value (json_object_get (h, "stars")),
                                       json_is_true (json_object_get (h, "official")),
                                       json_is_true (json_object_get (h, "automated")), NULL));
      n++;
    }
  return 0;
}

int
husk_op_search (const char *term, const struct husk_search_opts *o, json_t **out,
                husk_error_t *err)
{
  cleanup (husk_config_free) struct husk_config *c = NULL;
  size_t hlen = strcspn (term, "/");
  cleanup_strv char **regs = NULL;
  const char *what = term;
  struct filter f;
  int ok = 0;

  *out = NULL;
  if (o->list_tags && o->filters && o->filters[0])
    return husk_error_makex (err, EINVAL, "filters are not applicable to list tags result");
  if (parse_filters (o->filters, &f, err) < 0)
    return -1;
  if ((c = husk_config_load (geteuid () != 0, err)) == NULL)
    return -1;
  if (term[hlen] == '/' && is_registry (term, hlen))
    {
      husk_strv_take (&regs, husk_xstrndup (term, hlen));
      what = term + hlen + 1;
    }
  else
    regs = husk_strv_dup (c->unqualified_search_registries);
  if (regs == NULL || regs[0] == NULL)
    return husk_error_makex (err, EINVAL, "no registries to search for \"%s\": name one "
                             "(REGISTRY/TERM) or set unqualified-search-registries in "
                             "\"%s\"", term, c->registries_conf_path ? c->registries_conf_path
                             : "registries.conf");
  *out = json_array ();
  for (size_t i = 0; regs[i]; i++)
    {
      if (search_one (c, regs[i], what, o, &f, *out, err) == 0)
        {
          ok++;
          continue;
        }
      if (regs[i + 1] || ok)
        husk_error_drop_warn (err, "searching %s", regs[i]);
    }
  if (*err)
    {
      json_decref (steal_ptr (out));
      return -1;
    }
  return 0;
}
