/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Secret operations.
 *
 * Theory of operation: a secret is a state row (state/secrets.c: ID, name,
 * driver, labels, times) and a data file <root>/secrets/<id> (secret/
 * secret.c).  create adds the row first, which reserves the name, then
 * writes the data, and drops the row again when that fails.  remove
 * deletes the data first, then the row, so a failure leaves a secret that
 * a second rm can finish.  --replace keeps the ID and the creation time,
 * writes the new data over the old (a rename: readers see one or the
 * other) and sets the update time.
 *
 * A container does not refer to the secret once created: it keeps a copy
 * of the data (container/create), so removing a secret in use is safe, as
 * in Podman.
 */
#include "ops/secret.h"
#include "events/events.h"
#include "format/humanize.h"
#include "secret/secret.h"
#include "state/secrets.h"
#include "util/cleanup.h"
#include "util/strutil.h"

#include <errno.h>
#include <string.h>

int
husk_op_secret_resolve (struct husk_engine *e, const char *ref, char **id, husk_error_t *err)
{
  return husk_state_secret_lookup (e->state, ref, id, err);
}

int
husk_op_secret_create (struct husk_engine *e, const struct husk_secret_create_opts *o,
                       char **id_out, husk_error_t *err)
{
  cleanup_json json_t *labels = NULL;
  cleanup_free char *labels_text = NULL, *id = NULL;
  struct husk_secret_rec r = { 0 };
  int64_t now = husk_now_ns ();

  if (id_out)
    *id_out = NULL;
  if (husk_secret_name_check (o->name, err) < 0)
    return -1;
  if (o->driver && *o->driver && strcmp (o->driver, "file") != 0)
    return husk_error_makex (err, EINVAL, "%s: unknown secret driver: only \"file\" is "
                             "supported by husk", o->driver);
  if (husk_secret_size_check (o->len, err) < 0)
    return -1;
  labels = husk_labels_parse (o->labels, err);
  if (labels == NULL)
    return -1;
  labels_text = json_dumps (labels, JSON_COMPACT | JSON_SORT_KEYS);

  if ((o->replace || o->ignore)
      && husk_state_secret_find_name (e->state, o->name, &id, err) < 0)
    return -1;
  if (id != NULL && o->ignore)
    {
      if (id_out)
        *id_out = steal_ptr (&id);
      return 0;
    }
  if (id != NULL)
    {
      struct husk_secret_rec old;
      int rc;

      if (husk_state_secret_get (e->state, id, &old, err) < 0)
        return -1;
      free (old.labels);
      old.labels = husk_xstrdup (labels_text);
      old.updated = now;
      /* The row first, in a transaction that the data's write ends: a
         failure on either side leaves the secret as it was.  */
      rc = husk_state_begin (e->state, err);
      if (rc == 0 && (husk_state_secret_save (e->state, &old, err) < 0
                      || husk_secret_data_write (e->root, id, o->data, o->len, err) < 0))
        {
          husk_state_rollback (e->state);
          rc = -1;
        }
      if (rc == 0)
        rc = husk_state_commit (e->state, err);
      husk_secret_rec_release (&old);
      if (rc < 0)
        return -1;
      if (id_out)
        *id_out = steal_ptr (&id);
      return 0;
    }

  id = husk_random_hex (13);
  id[HUSK_SECRET_ID_LEN] = '\0';
  r.id = id;
  r.name = (char *) o->name;
  r.driver = (char *) "file";
  r.labels = labels_text;
  r.created = r.updated = now;
  if (husk_state_secret_add (e->state, &r, err) < 0)
    return -1;
  if (husk_secret_data_write (e->root, id, o->data, o->len, err) < 0)
    {
      husk_error_t ignored = NULL;
      husk_secret_data_remove (e->root, id, &ignored);
      husk_error_release (&ignored);
      husk_state_secret_remove (e->state, id, &ignored);
      husk_error_release (&ignored);
      return -1;
    }
  husk_events_secret (e->state, "create", id);
  if (id_out)
    *id_out = steal_ptr (&id);
  return 0;
}

static json_t *
inspect_json (struct husk_engine *e, const struct husk_secret_rec *r)
{
  cleanup_free char *created = husk_time_rfc3339nano_local (r->created / 1000000000,
                                                            r->created % 1000000000);
  cleanup_free char *updated = husk_time_rfc3339nano_local (r->updated / 1000000000,
                                                            r->updated % 1000000000);
  cleanup_free char *path = husk_asprintf ("%s/secrets", e->root);
  json_t *labels = json_loads (r->labels ? r->labels : "{}", 0, NULL);

  return json_pack ("{s:s, s:s, s:s, s:{s:s, s:{s:s, s:{s:s}}, s:o}}", "ID", r->id,
                    "CreatedAt", created, "UpdatedAt", updated, "Spec", "Name", r->name,
                    "Driver", "Name", r->driver, "Options", "path", path, "Labels",
                    labels ? labels : json_object ());
}

json_t *
husk_op_secret_inspect (struct husk_engine *e, const char *ref, bool show_data,
                        husk_error_t *err)
{
  cleanup_free char *id = NULL;
  struct husk_secret_rec r;
  json_t *j;

  if (husk_op_secret_resolve (e, ref, &id, err) < 0
      || husk_state_secret_get (e->state, id, &r, err) < 0)
    return NULL;
  j = inspect_json (e, &r);
  husk_secret_rec_release (&r);
  if (show_data)
    {
      size_t len;
      char *data = husk_secret_data_read (e->root, id, &len, err);
      if (data == NULL)
        {
          json_decref (j);
          return NULL;
        }
      json_object_set_new (j, "SecretData", json_stringn_nocheck (data, len));
      explicit_bzero (data, len);
      free (data);
    }
  return j;
}

static bool
matches (char **filters, const struct husk_secret_rec *r)
{
  bool name_any = false, name_ok = false, id_any = false, id_ok = false;

  for (size_t i = 0; filters && filters[i]; i++)
    {
      const char *v = strchr (filters[i], '=') + 1;
      if (strncmp (filters[i], "name=", 5) == 0)
        {
          name_any = true;
          name_ok = name_ok || husk_match_regex (r->name, v);
        }
      else
        {
          id_any = true;
          id_ok = id_ok || strncmp (r->id, v, strlen (v)) == 0;
        }
    }
  return (!name_any || name_ok) && (!id_any || id_ok);
}

int
husk_op_secret_list (struct husk_engine *e, char **filters, json_t **out, husk_error_t *err)
{
  struct husk_secret_rec *list = NULL;
  size_t n = 0;

  *out = NULL;
  for (size_t i = 0; filters && filters[i]; i++)
    if (strncmp (filters[i], "name=", 5) != 0 && strncmp (filters[i], "id=", 3) != 0)
      return husk_error_makex (err, EINVAL, "invalid secret filter \"%s\": use name= or id=",
                               filters[i]);
  if (husk_state_secret_list (e->state, &list, &n, err) < 0)
    return -1;
  *out = json_array ();
  for (size_t i = 0; i < n; i++)
    if (matches (filters, &list[i]))
      {
        json_t *j = inspect_json (e, &list[i]);
        json_object_set_new (j, "created_ns", json_integer (list[i].created));
        json_object_set_new (j, "updated_ns", json_integer (list[i].updated));
        json_array_append_new (*out, j);
      }
  husk_secret_rec_array_free (list, n);
  return 0;
}

int
husk_op_secret_remove (struct husk_engine *e, const char *ref, char **removed_id,
                       husk_error_t *err)
{
  cleanup_free char *id = NULL;

  if (removed_id)
    *removed_id = NULL;
  if (husk_op_secret_resolve (e, ref, &id, err) < 0)
    return -1;
  if (husk_secret_data_remove (e->root, id, err) < 0
      || husk_state_secret_remove (e->state, id, err) < 0)
    return -1;
  husk_events_secret (e->state, "remove", id);
  if (removed_id)
    *removed_id = steal_ptr (&id);
  return 0;
}

int
husk_op_secret_data (struct husk_engine *e, const char *ref, char **id, char **name,
                     char **data, size_t *len, husk_error_t *err)
{
  struct husk_secret_rec r;

  *id = *name = *data = NULL;
  if (husk_op_secret_resolve (e, ref, id, err) < 0
      || husk_state_secret_get (e->state, *id, &r, err) < 0)
    goto fail;
  *name = steal_ptr (&r.name);
  husk_secret_rec_release (&r);
  *data = husk_secret_data_read (e->root, *id, len, err);
  if (*data == NULL)
    goto fail;
  return 0;

fail:
  free (steal_ptr (id));
  free (steal_ptr (name));
  return -1;
}
