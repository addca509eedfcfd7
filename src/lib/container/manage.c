/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * rename's row and container prune's filters (see manage.h).
 */
#include "container/manage.h"
#include "state/pods.h"
#include "container/parse.h"
#include "monproto/monproto.h"
#include "util/cleanup.h"
#include "util/strutil.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* ---- rename ------------------------------------------------------------------ */

bool
husk_container_name_valid (const char *n)
{
  return husk_name_valid (n);
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

/* Whether a pod has exactly this name (pods and containers share one
   set of names, state/pods.h).  */
static bool
pod_named (struct husk_engine *e, const char *name)
{
  cleanup_pod_rec struct husk_pod_rec p = { 0 };
  cleanup_free char *id = NULL;

  return husk_state_pod_lookup (e->state, name, &id, NULL) == 0
         && husk_state_pod_get (e->state, id, &p, NULL) == 0 && strcmp (p.name, name) == 0;
}

int
husk_container_rename_row (struct husk_engine *e, const char *id, const char *name,
                           char **old, husk_error_t *err)
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
  else if (pod_named (e, name))
    husk_error_makex (err, EEXIST, "renaming container %s: name %s already in use, "
                      "cannot rename container %s: pod already exists", r.id, name, r.id);
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

/* ---- container prune --------------------------------------------------------- */

void
husk_prune_filter_release (struct husk_prune_filter *f)
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

int
husk_container_prune_filter_parse (char **filters, struct husk_prune_filter *f,
                                   husk_error_t *err)
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

bool
husk_container_prune_match (const struct husk_prune_filter *f,
                            const struct husk_container_rec *r)
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
    if (!husk_label_filter_match (labels, f->labels[i]))
      return false;
  for (size_t i = 0; f->not_labels && f->not_labels[i]; i++)
    if (husk_label_filter_match (labels, f->not_labels[i]))
      return false;
  return true;
}
