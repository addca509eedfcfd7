/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the files of src/lib/state share: the handle, statement helpers and
 * the error mapping.  Modules that keep their own tables in the state
 * database (containers, pods, volumes) may include this header too.
 */
#ifndef HUSK_STATE_STATE_PRIVATE_H
#define HUSK_STATE_STATE_PRIVATE_H

#include "state/state.h"
#include "util/cleanup.h"

#include <sqlite3.h>
#include <stddef.h>

struct husk_state
{
  sqlite3 *db;
  char *path;
  int depth; /* husk_state_begin() levels open; > 1 are savepoints */
  bool freeing; /* the open transaction deleted a row that freed resources */
};

static inline void
cleanup_stmtp (sqlite3_stmt **s)
{
  if (*s)
    sqlite3_finalize (*s);
  *s = NULL;
}
#define cleanup_stmt __attribute__ ((__cleanup__ (cleanup_stmtp)))

/* The migrations, in order: entry i brings user_version from i to i + 1.
   Defined in schema.c.  */
extern const char *const husk_state_migrations[];
extern const size_t husk_state_n_migrations;

/**
 * husk_state_fail() - Turn a SQLite result into an error
 * @rc:  the (extended) result code that failed
 * @fmt: what was being done, e.g. "tag image 'abc'"
 *
 * Busy results become "<what>: database is locked" with EBUSY; constraint
 * violations EEXIST (unique) or ENOENT (foreign key); the rest carry
 * SQLite's message.  Return: -1.
 */
int husk_state_fail (struct husk_state *st, int rc, husk_error_t *err,
                     const char *fmt, ...) __attribute__ ((format (printf, 4, 5)));

/* A record type of a table, for husk_state_read_rows().  */
struct husk_state_row_type
{
  size_t size;                               /* of one record */
  void (*read) (sqlite3_stmt *s, void *rec); /* fill one from the current row */
  void (*release) (void *rec);               /* free what read() filled */
};

/**
 * husk_state_read_rows() - Every row of a statement, as an array of records
 * @s:    prepared and bound, not yet stepped
 * @t:    the record type
 * @out:  set to the array (NULL when none), its records read by @t->read
 * @n:    set to their number
 * @what: for the error: what was being listed ("list pods")
 *
 * Return: 0, or -1 with nothing kept when a step fails.
 */
int husk_state_read_rows (struct husk_state *st, sqlite3_stmt *s,
                          const struct husk_state_row_type *t, void **out, size_t *n,
                          const char *what, husk_error_t *err);

/**
 * husk_state_prefix_one() - The one key that starts with a prefix
 * @sql:    "SELECT key FROM t WHERE substr (key, 1, ?2) = ?1 ... LIMIT 2"
 * @prefix: what the user typed
 * @key:    set to the key found (a new string), else NULL
 *
 * Return: 0 (found), 1 (no key starts so), 2 (more than one does), or -1
 * with @err set when the statement fails.
 */
int husk_state_prefix_one (struct husk_state *st, const char *sql, const char *prefix,
                           char **key, husk_error_t *err);

/* Prepare sql (a constant: values are always bound, never pasted in).
   Return: the statement, or NULL.  */
sqlite3_stmt *husk_state_prepare (struct husk_state *st, const char *sql,
                                  husk_error_t *err);

/* Run constant SQL that takes no parameters and returns no rows.  */
int husk_state_exec (struct husk_state *st, const char *sql, husk_error_t *err);

/* Step a statement that returns no rows.  Return: SQLITE_DONE or the
   failing result code (the caller reports it with husk_state_fail).  */
int husk_state_step_done (sqlite3_stmt *stmt);

/* Bind text (NULL binds SQL NULL); the string must outlive the step.  */
void husk_state_bind_text (sqlite3_stmt *stmt, int idx, const char *s);

/* A copy of a text column, or NULL for SQL NULL.  */
char *husk_state_column_text (sqlite3_stmt *stmt, int col);

/* Give reads that span several statements one consistent snapshot: open a
   read transaction unless one is open already.  Never write inside it.
   husk_state_read_end() takes what husk_state_read_begin() returned.  */
int husk_state_read_begin (struct husk_state *st, bool *started, husk_error_t *err);
void husk_state_read_end (struct husk_state *st, bool started);

#endif
