/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The event log: one row per change to an image, container, pod, volume,
 * read back by "husk events" and the API's /events.  seq only grows, so a
 * follower polls for seq > the last it saw and never misses or repeats an
 * event, even across pruning: seq is the rowid, one more than the largest
 * in the table, and pruning always keeps the newest row.  (AUTOINCREMENT
 * would say the same with a second page written per event, the
 * sqlite_sequence row; see schema.c, version 5.)
 */
#include "state/state-private.h"
#include "util/strutil.h"

#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int64_t
now_ns (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_REALTIME, &ts);
  return (int64_t) ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int
husk_state_event_add (struct husk_state *st, const struct husk_event_rec *e,
                      husk_error_t *err)
{
  cleanup_stmt sqlite3_stmt *stmt = NULL;
  int rc;

  if (e->type == NULL || e->action == NULL)
    return husk_error_makex (err, EINVAL, "record event: type and action are required");
  if (e->attributes)
    {
      json_error_t jerr;
      cleanup_json json_t *j = json_loads (e->attributes, JSON_REJECT_DUPLICATES, &jerr);

      if (!json_is_object (j))
        return husk_error_makex (err, EINVAL, "record %s %s event: attributes "
                                 "are not a JSON object", e->type, e->action);
    }
  stmt = husk_state_prepare (st, "INSERT INTO events (time_ns, type, action, id, "
                             "name, attributes) VALUES (?1, ?2, ?3, ?4, ?5, ?6)", err);
  if (stmt == NULL)
    return -1;
  sqlite3_bind_int64 (stmt, 1, e->time_ns ? e->time_ns : now_ns ());
  husk_state_bind_text (stmt, 2, e->type);
  husk_state_bind_text (stmt, 3, e->action);
  husk_state_bind_text (stmt, 4, e->id);
  husk_state_bind_text (stmt, 5, e->name);
  husk_state_bind_text (stmt, 6, e->attributes);
  rc = husk_state_step_done (stmt);
  if (rc != SQLITE_DONE)
    return husk_state_fail (st, rc, err, "record %s %s event", e->type, e->action);
  return 0;
}

void
husk_event_rec_release (struct husk_event_rec *e)
{
  if (e == NULL)
    return;
  free (e->type);
  free (e->action);
  free (e->id);
  free (e->name);
  free (e->attributes);
  memset (e, 0, sizeof *e);
}

void
husk_event_rec_array_free (struct husk_event_rec *a, size_t n)
{
  for (size_t i = 0; a && i < n; i++)
    husk_event_rec_release (&a[i]);
  free (a);
}

int
husk_state_event_list (struct husk_state *st, int64_t after_seq,
                       int64_t since_ns, int64_t until_ns,
                       struct husk_event_rec **out, size_t *n, husk_error_t *err)
{
  cleanup_stmt sqlite3_stmt *stmt = husk_state_prepare (
      st, "SELECT seq, time_ns, type, action, id, name, attributes FROM events"
      " WHERE seq > ?1 AND time_ns >= ?2 AND (?3 = 0 OR time_ns < ?3)"
      " ORDER BY seq", err);
  struct husk_event_rec *a = NULL;
  size_t len = 0, cap = 0;
  int rc;

  *out = NULL;
  *n = 0;
  if (stmt == NULL)
    return -1;
  sqlite3_bind_int64 (stmt, 1, after_seq);
  sqlite3_bind_int64 (stmt, 2, since_ns);
  sqlite3_bind_int64 (stmt, 3, until_ns);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      struct husk_event_rec *e;

      if (len == cap)
        {
          cap = cap ? cap * 2 : 32;
          a = husk_xrealloc (a, cap * sizeof *a);
        }
      e = &a[len++];
      e->seq = sqlite3_column_int64 (stmt, 0);
      e->time_ns = sqlite3_column_int64 (stmt, 1);
      e->type = husk_state_column_text (stmt, 2);
      e->action = husk_state_column_text (stmt, 3);
      e->id = husk_state_column_text (stmt, 4);
      e->name = husk_state_column_text (stmt, 5);
      e->attributes = husk_state_column_text (stmt, 6);
    }
  if (rc != SQLITE_DONE)
    {
      husk_event_rec_array_free (a, len);
      return husk_state_fail (st, rc, err, "read events");
    }
  *out = a;
  *n = len;
  return 0;
}

int
husk_state_event_prune (struct husk_state *st, int64_t keep, husk_error_t *err)
{
  cleanup_stmt sqlite3_stmt *stmt = husk_state_prepare (
      st, "DELETE FROM events WHERE seq <= (SELECT max(seq) FROM events) - ?1", err);
  int rc;

  if (stmt == NULL)
    return -1;
  /* The newest row stays whatever keep says: it is where seq goes on.  */
  sqlite3_bind_int64 (stmt, 1, keep < 1 ? 1 : keep);
  rc = husk_state_step_done (stmt);
  if (rc != SQLITE_DONE)
    return husk_state_fail (st, rc, err, "prune events");
  return 0;
}
