/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Secret rows: add, look up, list, save, remove.  */
#include "state/secrets.h"
#include "state/state-private.h"
#include "util/strutil.h"

#include <errno.h>
#include <string.h>

#define COLUMNS "id, name, driver, labels, created, updated"

void
husk_secret_rec_release (struct husk_secret_rec *r)
{
  free (r->id);
  free (r->name);
  free (r->driver);
  free (r->labels);
  memset (r, 0, sizeof *r);
}

void
husk_secret_rec_array_free (struct husk_secret_rec *a, size_t n)
{
  for (size_t i = 0; i < n; i++)
    husk_secret_rec_release (&a[i]);
  free (a);
}

static void
read_row (sqlite3_stmt *s, struct husk_secret_rec *r)
{
  r->id = husk_state_column_text (s, 0);
  r->name = husk_state_column_text (s, 1);
  r->driver = husk_state_column_text (s, 2);
  r->labels = husk_state_column_text (s, 3);
  r->created = sqlite3_column_int64 (s, 4);
  r->updated = sqlite3_column_int64 (s, 5);
}

static void
read_any (sqlite3_stmt *s, void *r)
{
  read_row (s, r);
}

static void
release_any (void *r)
{
  husk_secret_rec_release (r);
}

static const struct husk_state_row_type row_type = { sizeof (struct husk_secret_rec), read_any, release_any };

static void
bind_row (sqlite3_stmt *s, const struct husk_secret_rec *r)
{
  husk_state_bind_text (s, 1, r->id);
  husk_state_bind_text (s, 2, r->name);
  husk_state_bind_text (s, 3, r->driver ? r->driver : "file");
  husk_state_bind_text (s, 4, r->labels ? r->labels : "{}");
  sqlite3_bind_int64 (s, 5, r->created);
  sqlite3_bind_int64 (s, 6, r->updated);
}

static int
no_such_secret (husk_error_t *err, const char *ref)
{
  return husk_error_makex (err, ENOENT, "no secret with name or id \"%s\": no such secret", ref);
}

int
husk_state_secret_add (struct husk_state *st, const struct husk_secret_rec *r,
                       husk_error_t *err)
{
  cleanup_stmt sqlite3_stmt *s = husk_state_prepare (
      st, "INSERT INTO secrets (" COLUMNS ") VALUES (?1, ?2, ?3, ?4, ?5, ?6)", err);
  int rc;

  if (s == NULL)
    return -1;
  bind_row (s, r);
  rc = husk_state_step_done (s);
  if (rc == SQLITE_DONE)
    return 0;
  if (rc == SQLITE_CONSTRAINT_PRIMARYKEY || rc == SQLITE_CONSTRAINT_UNIQUE)
    return husk_error_makex (err, EEXIST, "%s: secret name in use", r->name);
  return husk_state_fail (st, rc, err, "add secret '%s'", r->name);
}

int
husk_state_secret_get (struct husk_state *st, const char *id, struct husk_secret_rec *out,
                       husk_error_t *err)
{
  cleanup_stmt sqlite3_stmt *s = husk_state_prepare (
      st, "SELECT " COLUMNS " FROM secrets WHERE id = ?1", err);
  int rc;

  memset (out, 0, sizeof *out);
  if (s == NULL)
    return -1;
  husk_state_bind_text (s, 1, id);
  rc = sqlite3_step (s);
  if (rc == SQLITE_DONE)
    return no_such_secret (err, id);
  if (rc != SQLITE_ROW)
    return husk_state_fail (st, rc, err, "read secret '%s'", id);
  read_row (s, out);
  return 0;
}

int
husk_state_secret_lookup (struct husk_state *st, const char *ref, char **id,
                          husk_error_t *err)
{
  cleanup_stmt sqlite3_stmt *exact = husk_state_prepare (
      st, "SELECT id FROM secrets WHERE name = ?1 OR id = ?1", err);
  int rc;

  *id = NULL;
  if (exact == NULL)
    return -1;
  husk_state_bind_text (exact, 1, ref);
  rc = sqlite3_step (exact);
  if (rc == SQLITE_ROW)
    {
      *id = husk_state_column_text (exact, 0);
      return 0;
    }
  if (rc != SQLITE_DONE)
    return husk_state_fail (st, rc, err, "look up secret '%s'", ref);
  if (*ref == '\0')
    return no_such_secret (err, ref);
  rc = husk_state_prefix_one (st, "SELECT id FROM secrets WHERE substr (id, 1, ?2) = ?1 "
                              "ORDER BY id LIMIT 2", ref, id, err);
  if (rc == 1)
    return no_such_secret (err, ref);
  if (rc == 2)
    return husk_error_makex (err, EINVAL, "%s: more than one result secret with prefix",
                             ref);
  return rc;
}

int
husk_state_secret_find_name (struct husk_state *st, const char *name, char **id,
                             husk_error_t *err)
{
  cleanup_stmt sqlite3_stmt *s = husk_state_prepare (
      st, "SELECT id FROM secrets WHERE name = ?1", err);
  int rc;

  *id = NULL;
  if (s == NULL)
    return -1;
  husk_state_bind_text (s, 1, name);
  rc = sqlite3_step (s);
  if (rc == SQLITE_ROW)
    *id = husk_state_column_text (s, 0);
  else if (rc != SQLITE_DONE)
    return husk_state_fail (st, rc, err, "look up secret '%s'", name);
  return 0;
}

int
husk_state_secret_list (struct husk_state *st, struct husk_secret_rec **out, size_t *n,
                        husk_error_t *err)
{
  cleanup_stmt sqlite3_stmt *s = husk_state_prepare (
      st, "SELECT " COLUMNS " FROM secrets ORDER BY created, name", err);

  *out = NULL;
  *n = 0;
  return s ? husk_state_read_rows (st, s, &row_type, (void **) out, n, "list secrets", err) : -1;
}

int
husk_state_secret_save (struct husk_state *st, const struct husk_secret_rec *r,
                        husk_error_t *err)
{
  cleanup_stmt sqlite3_stmt *s = husk_state_prepare (
      st, "UPDATE secrets SET name = ?2, driver = ?3, labels = ?4, created = ?5, "
      "updated = ?6 WHERE id = ?1", err);
  int rc;

  if (s == NULL)
    return -1;
  bind_row (s, r);
  rc = husk_state_step_done (s);
  if (rc != SQLITE_DONE)
    return husk_state_fail (st, rc, err, "save secret '%s'", r->name);
  if (sqlite3_changes (st->db) == 0)
    return no_such_secret (err, r->name);
  return 0;
}

int
husk_state_secret_remove (struct husk_state *st, const char *id, husk_error_t *err)
{
  cleanup_stmt sqlite3_stmt *s = husk_state_prepare (
      st, "DELETE FROM secrets WHERE id = ?1", err);
  int rc;

  if (s == NULL)
    return -1;
  husk_state_bind_text (s, 1, id);
  rc = husk_state_step_done (s);
  if (rc != SQLITE_DONE)
    return husk_state_fail (st, rc, err, "remove secret '%s'", id);
  if (sqlite3_changes (st->db) == 0)
    return no_such_secret (err, id);
  return 0;
}
