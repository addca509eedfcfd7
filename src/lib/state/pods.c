/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Pod rows: add, look up, list, save, remove; a pod's containers.  */
#include "state/pods.h"
#include "state/state-private.h"
#include "util/strutil.h"

#include <errno.h>
#include <string.h>

#define COLUMNS "id, name, created, config, infra_id"

void
husk_pod_rec_release (struct husk_pod_rec *r)
{
  free (r->id);
  free (r->name);
  free (r->config);
  free (r->infra_id);
  memset (r, 0, sizeof *r);
}

void
husk_pod_rec_array_free (struct husk_pod_rec *a, size_t n)
{
  for (size_t i = 0; i < n; i++)
    husk_pod_rec_release (&a[i]);
  free (a);
}

static void
read_row (sqlite3_stmt *s, struct husk_pod_rec *r)
{
  r->id = husk_state_column_text (s, 0);
  r->name = husk_state_column_text (s, 1);
  r->created = sqlite3_column_int64 (s, 2);
  r->config = husk_state_column_text (s, 3);
  r->infra_id = husk_state_column_text (s, 4);
  if (r->infra_id == NULL)
    r->infra_id = husk_xstrdup ("");
}

static void
read_any (sqlite3_stmt *s, void *r)
{
  read_row (s, r);
}

static void
release_any (void *r)
{
  husk_pod_rec_release (r);
}

static const struct husk_state_row_type row_type = { sizeof (struct husk_pod_rec), read_any, release_any };

static int
no_pod (const char *ref, husk_error_t *err)
{
  return husk_error_makex (err, ENOENT, "no pod with name or ID %s found: no such pod", ref);
}

int
husk_state_pod_add (struct husk_state *st, const struct husk_pod_rec *r, husk_error_t *err)
{
  /* Pods and containers share one set of names, as in Podman.  */
  cleanup_stmt sqlite3_stmt *s = husk_state_prepare (
      st, "INSERT INTO pods (" COLUMNS ") SELECT ?1, ?2, ?3, ?4, ?5 "
      "WHERE NOT EXISTS (SELECT 1 FROM containers WHERE name = ?2)", err);
  int rc;

  if (s == NULL)
    return -1;
  husk_state_bind_text (s, 1, r->id);
  husk_state_bind_text (s, 2, r->name);
  sqlite3_bind_int64 (s, 3, r->created);
  husk_state_bind_text (s, 4, r->config);
  husk_state_bind_text (s, 5, r->infra_id ? r->infra_id : "");
  rc = husk_state_step_done (s);
  if (rc == SQLITE_DONE && sqlite3_changes (husk_state_db (st)) == 0)
    return husk_error_makex (err, EEXIST, "adding pod to state: name \"%s\" is in use: "
                             "container already exists", r->name);
  if (rc == SQLITE_DONE)
    return 0;
  if (rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY)
    return husk_error_makex (err, EEXIST, "adding pod to state: name \"%s\" is in use: "
                             "pod already exists", r->name);
  return husk_state_fail (st, rc, err, "add pod '%s'", r->name);
}

int
husk_state_pod_get (struct husk_state *st, const char *id, struct husk_pod_rec *out,
                    husk_error_t *err)
{
  cleanup_stmt sqlite3_stmt *s = husk_state_prepare (
      st, "SELECT " COLUMNS " FROM pods WHERE id = ?1", err);
  int rc;

  memset (out, 0, sizeof *out);
  if (s == NULL)
    return -1;
  husk_state_bind_text (s, 1, id);
  rc = sqlite3_step (s);
  if (rc == SQLITE_DONE)
    return no_pod (id, err);
  if (rc != SQLITE_ROW)
    return husk_state_fail (st, rc, err, "read pod '%s'", id);
  read_row (s, out);
  return 0;
}

int
husk_state_pod_lookup (struct husk_state *st, const char *name_or_id, char **id,
                       husk_error_t *err)
{
  cleanup_stmt sqlite3_stmt *exact = husk_state_prepare (
      st, "SELECT id FROM pods WHERE name = ?1 OR id = ?1", err);
  int rc;

  if (exact == NULL)
    return -1;
  husk_state_bind_text (exact, 1, name_or_id);
  if (sqlite3_step (exact) == SQLITE_ROW)
    {
      *id = husk_state_column_text (exact, 0);
      return 0;
    }
  if (*name_or_id == '\0' || !husk_is_hex (name_or_id, 0) || strlen (name_or_id) > 64)
    return no_pod (name_or_id, err);
  rc = husk_state_prefix_one (st, "SELECT id FROM pods WHERE substr (id, 1, ?2) = ?1 LIMIT 2",
                              name_or_id, id, err);
  if (rc == 1)
    return no_pod (name_or_id, err);
  if (rc == 2)
    return husk_error_makex (err, EINVAL, "more than one result for pod ID %s", name_or_id);
  return rc;
}

int
husk_state_pod_list (struct husk_state *st, struct husk_pod_rec **out, size_t *n,
                     husk_error_t *err)
{
  cleanup_stmt sqlite3_stmt *s = husk_state_prepare (
      st, "SELECT " COLUMNS " FROM pods ORDER BY created DESC, id", err);

  *out = NULL;
  *n = 0;
  return s ? husk_state_read_rows (st, s, &row_type, (void **) out, n, "list pods", err) : -1;
}

int
husk_state_pod_save (struct husk_state *st, const struct husk_pod_rec *r, husk_error_t *err)
{
  cleanup_stmt sqlite3_stmt *s = husk_state_prepare (
      st, "UPDATE pods SET config = ?2, infra_id = ?3 WHERE id = ?1", err);
  int rc;

  if (s == NULL)
    return -1;
  husk_state_bind_text (s, 1, r->id);
  husk_state_bind_text (s, 2, r->config);
  husk_state_bind_text (s, 3, r->infra_id ? r->infra_id : "");
  rc = husk_state_step_done (s);
  if (rc != SQLITE_DONE)
    return husk_state_fail (st, rc, err, "save pod '%s'", r->name);
  if (sqlite3_changes (husk_state_db (st)) == 0)
    return no_pod (r->id, err);
  return 0;
}

int
husk_state_pod_remove (struct husk_state *st, const char *id, husk_error_t *err)
{
  cleanup_stmt sqlite3_stmt *s = husk_state_prepare (st, "DELETE FROM pods WHERE id = ?1", err);
  int rc;

  if (s == NULL)
    return -1;
  husk_state_bind_text (s, 1, id);
  rc = husk_state_step_done (s);
  if (rc != SQLITE_DONE)
    return husk_state_fail (st, rc, err, "remove pod '%s'", id);
  return 0;
}
