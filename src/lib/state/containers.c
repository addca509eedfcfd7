/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Container rows: add, look up, list, save, remove.  */
#include "state/containers.h"
#include "state/pods.h"
#include "state/state-private.h"
#include "util/strutil.h"

#include <errno.h>
#include <string.h>

#define COLUMNS "id, name, image_id, config, state, pid, monitor_pid, exit_code, " \
                "created, started_at, finished_at, restart_count, oom_killed, boot_id, " \
                "pid_start, monitor_start"

void
husk_container_rec_release (struct husk_container_rec *r)
{
  free (r->id);
  free (r->name);
  free (r->image_id);
  free (r->config);
  free (r->state);
  free (r->boot_id);
  memset (r, 0, sizeof *r);
}

void
husk_container_rec_array_free (struct husk_container_rec *a, size_t n)
{
  for (size_t i = 0; i < n; i++)
    husk_container_rec_release (&a[i]);
  free (a);
}

static void
read_row (sqlite3_stmt *s, struct husk_container_rec *r)
{
  r->id = husk_state_column_text (s, 0);
  r->name = husk_state_column_text (s, 1);
  r->image_id = husk_state_column_text (s, 2);
  r->config = husk_state_column_text (s, 3);
  r->state = husk_state_column_text (s, 4);
  r->pid = sqlite3_column_int (s, 5);
  r->monitor_pid = sqlite3_column_int (s, 6);
  r->exit_code = sqlite3_column_int (s, 7);
  r->created = sqlite3_column_int64 (s, 8);
  r->started_at = sqlite3_column_int64 (s, 9);
  r->finished_at = sqlite3_column_int64 (s, 10);
  r->restart_count = sqlite3_column_int (s, 11);
  r->oom_killed = sqlite3_column_int (s, 12) != 0;
  r->boot_id = husk_state_column_text (s, 13);
  r->pid_start = (uint64_t) sqlite3_column_int64 (s, 14);
  r->monitor_start = (uint64_t) sqlite3_column_int64 (s, 15);
}

static void
read_any (sqlite3_stmt *s, void *r)
{
  read_row (s, r);
}

static void
release_any (void *r)
{
  husk_container_rec_release (r);
}

static const struct husk_state_row_type row_type = { sizeof (struct husk_container_rec), read_any, release_any };

static void
bind_mutable (sqlite3_stmt *s, const struct husk_container_rec *r)
{
  husk_state_bind_text (s, 1, r->id);
  husk_state_bind_text (s, 2, r->name);
  husk_state_bind_text (s, 3, r->image_id);
  husk_state_bind_text (s, 4, r->config);
  husk_state_bind_text (s, 5, r->state);
  sqlite3_bind_int (s, 6, r->pid);
  sqlite3_bind_int (s, 7, r->monitor_pid);
  sqlite3_bind_int (s, 8, r->exit_code);
  sqlite3_bind_int64 (s, 9, r->created);
  sqlite3_bind_int64 (s, 10, r->started_at);
  sqlite3_bind_int64 (s, 11, r->finished_at);
  sqlite3_bind_int (s, 12, r->restart_count);
  sqlite3_bind_int (s, 13, r->oom_killed);
  husk_state_bind_text (s, 14, r->boot_id ? r->boot_id : "");
  sqlite3_bind_int64 (s, 15, (sqlite3_int64) r->pid_start);
  sqlite3_bind_int64 (s, 16, (sqlite3_int64) r->monitor_start);
}

int
husk_state_container_add (struct husk_state *st, const struct husk_container_rec *r,
                          husk_error_t *err)
{
  /* Pods and containers share one set of names, as in Podman: one
     statement, so no pod can take the name in between.  */
  cleanup_stmt sqlite3_stmt *s = husk_state_prepare (
      st, "INSERT INTO containers (" COLUMNS ") SELECT "
      "?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16 "
      "WHERE NOT EXISTS (SELECT 1 FROM pods WHERE name = ?2)", err);
  int rc;

  if (s == NULL)
    return -1;
  bind_mutable (s, r);
  rc = husk_state_step_done (s);
  if (rc == SQLITE_DONE && sqlite3_changes (st->db) == 0)
    return husk_error_makex (err, EEXIST, "name \"%s\" is in use: pod already exists",
                             r->name);
  if (rc == SQLITE_DONE)
    return 0;
  if (rc == SQLITE_CONSTRAINT_UNIQUE)
    {
      char *holder = NULL;
      if (husk_state_container_lookup (st, r->name, &holder, NULL) == 0)
        {
          husk_error_makex (err, EEXIST, "the container name \"%s\" is already in use by %s. "
                            "You have to remove that container to be able to reuse that name: "
                            "that name is already in use", r->name, holder);
          free (holder);
          return -1;
        }
    }
  return husk_state_fail (st, rc, err, "add container '%s'", r->name);
}

int
husk_state_container_get (struct husk_state *st, const char *id,
                          struct husk_container_rec *out, husk_error_t *err)
{
  cleanup_stmt sqlite3_stmt *s = husk_state_prepare (
      st, "SELECT " COLUMNS " FROM containers WHERE id = ?1", err);
  int rc;

  memset (out, 0, sizeof *out);
  if (s == NULL)
    return -1;
  husk_state_bind_text (s, 1, id);
  rc = sqlite3_step (s);
  if (rc == SQLITE_DONE)
    return husk_error_makex (err, ENOENT, "no container with name or ID \"%s\" found: "
                             "no such container", id);
  if (rc != SQLITE_ROW)
    return husk_state_fail (st, rc, err, "read container '%s'", id);
  read_row (s, out);
  return 0;
}

int
husk_state_container_lookup (struct husk_state *st, const char *name_or_id,
                             char **id, husk_error_t *err)
{
  cleanup_stmt sqlite3_stmt *byname = husk_state_prepare (
      st, "SELECT id FROM containers WHERE name = ?1 OR id = ?1", err);
  int rc;

  if (byname == NULL)
    return -1;
  husk_state_bind_text (byname, 1, name_or_id);
  if (sqlite3_step (byname) == SQLITE_ROW)
    {
      *id = husk_state_column_text (byname, 0);
      return 0;
    }
  if (!husk_is_hex (name_or_id, 0) || strlen (name_or_id) > 64)
    return husk_error_makex (err, ENOENT, "no container with name or ID \"%s\" found: "
                             "no such container", name_or_id);
  rc = husk_state_prefix_one (st, "SELECT id FROM containers WHERE substr (id, 1, ?2) = ?1 "
                              "LIMIT 2", name_or_id, id, err);
  if (rc == 1)
    return husk_error_makex (err, ENOENT, "no container with name or ID \"%s\" found: "
                             "no such container", name_or_id);
  if (rc == 2)
    return husk_error_makex (err, EINVAL, "more than one result for container \"%s\"",
                             name_or_id);
  return rc;
}

int
husk_state_container_list (struct husk_state *st, struct husk_container_rec **out,
                           size_t *n, husk_error_t *err)
{
  cleanup_stmt sqlite3_stmt *s = husk_state_prepare (
      st, "SELECT " COLUMNS " FROM containers ORDER BY created DESC, id", err);

  *out = NULL;
  *n = 0;
  return s ? husk_state_read_rows (st, s, &row_type, (void **) out, n, "list containers", err)
           : -1;
}

int
husk_state_container_save (struct husk_state *st, const struct husk_container_rec *r,
                           husk_error_t *err)
{
  cleanup_stmt sqlite3_stmt *s = husk_state_prepare (
      st, "UPDATE containers SET name = ?2, image_id = ?3, config = ?4, state = ?5, "
      "pid = ?6, monitor_pid = ?7, exit_code = ?8, created = ?9, started_at = ?10, "
      "finished_at = ?11, restart_count = ?12, oom_killed = ?13, boot_id = ?14, "
      "pid_start = ?15, monitor_start = ?16 WHERE id = ?1", err);
  int rc;

  if (s == NULL)
    return -1;
  bind_mutable (s, r);
  rc = husk_state_step_done (s);
  if (rc != SQLITE_DONE)
    return husk_state_fail (st, rc, err, "save container '%s'", r->name);
  if (sqlite3_changes (st->db) == 0)
    return husk_error_makex (err, ENOENT, "no such container '%s'", r->id);
  return 0;
}

int
husk_state_container_remove (struct husk_state *st, const char *id, husk_error_t *err)
{
  cleanup_stmt sqlite3_stmt *s = husk_state_prepare (
      st, "DELETE FROM containers WHERE id = ?1", err);
  int rc;

  if (s == NULL)
    return -1;
  husk_state_bind_text (s, 1, id);
  rc = husk_state_step_done (s);
  if (rc != SQLITE_DONE)
    return husk_state_fail (st, rc, err, "remove container '%s'", id);
  return 0;
}

int
husk_state_image_users (struct husk_state *st, const char *image_id, char ***names,
                        husk_error_t *err)
{
  cleanup_stmt sqlite3_stmt *s = husk_state_prepare (
      st, "SELECT name FROM containers WHERE image_id = ?1 OR CASE WHEN json_valid (config) "
          "THEN EXISTS (SELECT 1 FROM json_each (config, '$.mounts') WHERE "
          "json_extract (value, '$.type') = 'image' AND json_extract (value, '$.source') = ?1) "
          "ELSE 0 END ORDER BY name", err);
  int rc;

  *names = NULL;
  if (s == NULL)
    return -1;
  husk_state_bind_text (s, 1, image_id);
  while ((rc = sqlite3_step (s)) == SQLITE_ROW)
    husk_strv_take (names, husk_state_column_text (s, 0));
  if (rc != SQLITE_DONE)
    return husk_state_fail (st, rc, err, "list users of image '%s'", image_id);
  return 0;
}

/* Declared in state/pods.h: here for the row reader.  */
int
husk_state_pod_containers (struct husk_state *st, const char *pod_id,
                           struct husk_container_rec **out, size_t *n, husk_error_t *err)
{
  cleanup_stmt sqlite3_stmt *s = husk_state_prepare (
      st, "SELECT " COLUMNS " FROM containers WHERE CASE WHEN json_valid (config) THEN "
          "json_extract (config, '$.pod') END = ?1 ORDER BY created, id", err);
  cleanup_free char *what = husk_asprintf ("list the containers of pod '%s'", pod_id);

  *out = NULL;
  *n = 0;
  if (s == NULL)
    return -1;
  husk_state_bind_text (s, 1, pod_id);
  return husk_state_read_rows (st, s, &row_type, (void **) out, n, what, err);
}
