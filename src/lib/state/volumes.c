/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Volume rows: add, look up, list, save, remove.  */
#include "state/volumes.h"
#include "state/state-private.h"
#include "util/strutil.h"

#include <errno.h>
#include <string.h>

#define COLUMNS "name, driver, labels, options, anonymous, needs_copy_up, " \
                "needs_chown, created"

void
husk_volume_rec_release (struct husk_volume_rec *r)
{
  free (r->name);
  free (r->driver);
  free (r->labels);
  free (r->options);
  memset (r, 0, sizeof *r);
}

void
husk_volume_rec_array_free (struct husk_volume_rec *a, size_t n)
{
  for (size_t i = 0; i < n; i++)
    husk_volume_rec_release (&a[i]);
  free (a);
}

static void
read_row (sqlite3_stmt *s, struct husk_volume_rec *r)
{
  r->name = husk_state_column_text (s, 0);
  r->driver = husk_state_column_text (s, 1);
  r->labels = husk_state_column_text (s, 2);
  r->options = husk_state_column_text (s, 3);
  r->anonymous = sqlite3_column_int (s, 4) != 0;
  r->needs_copy_up = sqlite3_column_int (s, 5) != 0;
  r->needs_chown = sqlite3_column_int (s, 6) != 0;
  r->created = sqlite3_column_int64 (s, 7);
}

static void
read_any (sqlite3_stmt *s, void *r)
{
  read_row (s, r);
}

static void
release_any (void *r)
{
  husk_volume_rec_release (r);
}

static const struct husk_state_row_type row_type = { sizeof (struct husk_volume_rec), read_any, release_any };

static void
bind_row (sqlite3_stmt *s, const struct husk_volume_rec *r)
{
  husk_state_bind_text (s, 1, r->name);
  husk_state_bind_text (s, 2, r->driver ? r->driver : "local");
  husk_state_bind_text (s, 3, r->labels ? r->labels : "{}");
  husk_state_bind_text (s, 4, r->options ? r->options : "{}");
  sqlite3_bind_int (s, 5, r->anonymous);
  sqlite3_bind_int (s, 6, r->needs_copy_up);
  sqlite3_bind_int (s, 7, r->needs_chown);
  sqlite3_bind_int64 (s, 8, r->created);
}

static int
no_such_volume (husk_error_t *err, const char *name)
{
  return husk_error_makex (err, ENOENT, "no volume with name \"%s\" found: no such volume",
                           name);
}

int
husk_state_volume_add (struct husk_state *st, const struct husk_volume_rec *r,
                       husk_error_t *err)
{
  cleanup_stmt sqlite3_stmt *s = husk_state_prepare (
      st, "INSERT INTO volumes (" COLUMNS ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)", err);
  int rc;

  if (s == NULL)
    return -1;
  bind_row (s, r);
  rc = husk_state_step_done (s);
  if (rc == SQLITE_DONE)
    return 0;
  if (rc == SQLITE_CONSTRAINT_PRIMARYKEY || rc == SQLITE_CONSTRAINT_UNIQUE)
    return husk_error_makex (err, EEXIST, "volume with name %s already exists: "
                             "volume already exists", r->name);
  return husk_state_fail (st, rc, err, "add volume '%s'", r->name);
}

int
husk_state_volume_get (struct husk_state *st, const char *name,
                       struct husk_volume_rec *out, husk_error_t *err)
{
  cleanup_stmt sqlite3_stmt *s = husk_state_prepare (
      st, "SELECT " COLUMNS " FROM volumes WHERE name = ?1", err);
  int rc;

  memset (out, 0, sizeof *out);
  if (s == NULL)
    return -1;
  husk_state_bind_text (s, 1, name);
  rc = sqlite3_step (s);
  if (rc == SQLITE_DONE)
    return no_such_volume (err, name);
  if (rc != SQLITE_ROW)
    return husk_state_fail (st, rc, err, "read volume '%s'", name);
  read_row (s, out);
  return 0;
}

int
husk_state_volume_lookup (struct husk_state *st, const char *ref, char **name,
                          husk_error_t *err)
{
  cleanup_stmt sqlite3_stmt *exact = husk_state_prepare (
      st, "SELECT name FROM volumes WHERE name = ?1", err);
  int rc;

  *name = NULL;
  if (exact == NULL)
    return -1;
  husk_state_bind_text (exact, 1, ref);
  rc = sqlite3_step (exact);
  if (rc == SQLITE_ROW)
    {
      *name = husk_state_column_text (exact, 0);
      return 0;
    }
  if (rc != SQLITE_DONE)
    return husk_state_fail (st, rc, err, "look up volume '%s'", ref);
  if (*ref == '\0')
    return no_such_volume (err, ref);
  /* substr() compares bytes exactly; LIKE would take the '_' that names
     may contain for a wildcard.  */
  rc = husk_state_prefix_one (st, "SELECT name FROM volumes WHERE substr (name, 1, ?2) = ?1 "
                              "ORDER BY name LIMIT 2", ref, name, err);
  if (rc == 1)
    return no_such_volume (err, ref);
  if (rc == 2)
    return husk_error_makex (err, EINVAL, "more than one result for volume name \"%s\"",
                             ref);
  return rc;
}

int
husk_state_volume_list (struct husk_state *st, struct husk_volume_rec **out,
                        size_t *n, husk_error_t *err)
{
  cleanup_stmt sqlite3_stmt *s = husk_state_prepare (
      st, "SELECT " COLUMNS " FROM volumes ORDER BY name", err);

  *out = NULL;
  *n = 0;
  return s ? husk_state_read_rows (st, s, &row_type, (void **) out, n, "list volumes", err) : -1;
}

int
husk_state_volume_save (struct husk_state *st, const struct husk_volume_rec *r,
                        husk_error_t *err)
{
  cleanup_stmt sqlite3_stmt *s = husk_state_prepare (
      st, "UPDATE volumes SET driver = ?2, labels = ?3, options = ?4, anonymous = ?5, "
      "needs_copy_up = ?6, needs_chown = ?7, created = ?8 WHERE name = ?1", err);
  int rc;

  if (s == NULL)
    return -1;
  bind_row (s, r);
  rc = husk_state_step_done (s);
  if (rc != SQLITE_DONE)
    return husk_state_fail (st, rc, err, "save volume '%s'", r->name);
  if (sqlite3_changes (st->db) == 0)
    return no_such_volume (err, r->name);
  return 0;
}

int
husk_state_volume_remove (struct husk_state *st, const char *name, husk_error_t *err)
{
  cleanup_stmt sqlite3_stmt *s = husk_state_prepare (
      st, "DELETE FROM volumes WHERE name = ?1", err);
  int rc;

  if (s == NULL)
    return -1;
  husk_state_bind_text (s, 1, name);
  rc = husk_state_step_done (s);
  if (rc != SQLITE_DONE)
    return husk_state_fail (st, rc, err, "remove volume '%s'", name);
  if (sqlite3_changes (st->db) == 0)
    return no_such_volume (err, name);
  return 0;
}
