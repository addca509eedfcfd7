/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The state database: opening, schema migration, transactions, metadata
 * and the helpers the other files of state/ share.
 *
 * Theory of operation
 *
 * Every husk command is its own process with its own connection, so all
 * coordination goes through SQLite's file locks; nothing is shared in
 * memory.  Three rules keep concurrent commands from failing with
 * "database is locked":
 *
 * 1. WAL mode.  Readers never block the writer and the writer never blocks
 *    readers; only writers queue, one at a time.  The busy timeout
 *    (BUSY_TIMEOUT_MS) makes a writer wait for the lock instead of failing.
 *
 * 2. Writes start as writes.  In WAL mode a transaction that began as a
 *    read and later writes cannot wait for the lock: if another writer
 *    committed since its snapshot, SQLite fails it at once with
 *    SQLITE_BUSY_SNAPSHOT and the busy handler is not consulted.  So every
 *    explicit transaction is BEGIN IMMEDIATE (it takes the write lock, with
 *    waiting, before reading anything), and the helpers that write outside
 *    one are single statements, which SQLite retries safely on its own.
 *    husk_state_read_begin() opens deferred transactions for consistent
 *    multi-statement reads only.
 *
 * 3. Creation and migration are serialised by a flock on "<db>.lock".
 *    Turning a new database to WAL and creating the tables both need the
 *    database exclusively, and two first-time opens would otherwise race
 *    (one of them failing without the busy handler being asked).  The lock
 *    is held only inside husk_state_open(); the journal mode persists in
 *    the file, so later opens find it set and the pragma costs nothing.
 *
 * Nesting: husk_state_begin() inside an open transaction makes a SAVEPOINT,
 * so helpers that need atomicity of their own (husk_state_image_add) work
 * both alone and inside a caller's transaction.
 *
 * synchronous=NORMAL in WAL mode keeps the database consistent across a
 * crash or kill -9 at any point; only the last commits before a power
 * failure can be lost.
 */
#include "state/state-private.h"
#include "util/log.h"
#include "util/strutil.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#define BUSY_TIMEOUT_MS 60000

int
husk_state_fail (struct husk_state *st, int rc, husk_error_t *err,
                 const char *fmt, ...)
{
  cleanup_free char *what = NULL;
  va_list ap;

  va_start (ap, fmt);
  what = husk_vasprintf (fmt, ap);
  va_end (ap);

  if (rc == SQLITE_BUSY_SNAPSHOT)
    return husk_error_makex (err, EBUSY, "%s: database is locked (another "
                             "process wrote since this transaction read; "
                             "use husk_state_begin)", what);
  switch (rc & 0xff)
    {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return husk_error_makex (err, EBUSY, "%s: database is locked", what);
    case SQLITE_CONSTRAINT:
      if (rc == SQLITE_CONSTRAINT_FOREIGNKEY)
        return husk_error_makex (err, ENOENT, "%s: %s", what, sqlite3_errmsg (st->db));
      if (rc == SQLITE_CONSTRAINT_PRIMARYKEY || rc == SQLITE_CONSTRAINT_UNIQUE)
        return husk_error_makex (err, EEXIST, "%s: %s", what, sqlite3_errmsg (st->db));
      return husk_error_makex (err, EINVAL, "%s: %s", what, sqlite3_errmsg (st->db));
    case SQLITE_FULL:
      return husk_error_make (err, ENOSPC, "%s", what);
    case SQLITE_NOMEM:
      return husk_error_make (err, ENOMEM, "%s", what);
    case SQLITE_READONLY:
      return husk_error_makex (err, EROFS, "%s: %s", what, sqlite3_errmsg (st->db));
    case SQLITE_IOERR:
    case SQLITE_CANTOPEN:
      {
        int e = sqlite3_system_errno (st->db);
        return husk_error_makex (err, e > 0 ? e : EIO, "%s: %s%s%s", what,
                                 sqlite3_errmsg (st->db), e > 0 ? ": " : "",
                                 e > 0 ? strerror (e) : "");
      }
    default:
      return husk_error_makex (err, EIO, "%s: %s", what, sqlite3_errmsg (st->db));
    }
}

sqlite3_stmt *
husk_state_prepare (struct husk_state *st, const char *sql, husk_error_t *err)
{
  sqlite3_stmt *stmt = NULL;
  int rc = sqlite3_prepare_v2 (st->db, sql, -1, &stmt, NULL);

  if (rc != SQLITE_OK)
    {
      husk_state_fail (st, rc, err, "prepare statement");
      sqlite3_finalize (stmt);
      return NULL;
    }
  return stmt;
}

int
husk_state_read_rows (struct husk_state *st, sqlite3_stmt *s,
                      const struct husk_state_row_type *t, void **out, size_t *n,
                      const char *what, husk_error_t *err)
{
  char *a = NULL;
  size_t len = 0;
  int rc;

  *out = NULL;
  *n = 0;
  while ((rc = sqlite3_step (s)) == SQLITE_ROW)
    {
      a = husk_xrealloc (a, (len + 1) * t->size);
      memset (a + len * t->size, 0, t->size);
      t->read (s, a + len++ * t->size);
    }
  if (rc != SQLITE_DONE)
    {
      for (size_t i = 0; i < len; i++)
        t->release (a + i * t->size);
      free (a);
      return husk_state_fail (st, rc, err, "%s", what);
    }
  *out = a;
  *n = len;
  return 0;
}

int
husk_state_prefix_one (struct husk_state *st, const char *sql, const char *prefix,
                       char **key, husk_error_t *err)
{
  cleanup_stmt sqlite3_stmt *s = husk_state_prepare (st, sql, err);
  int rc;

  *key = NULL;
  if (s == NULL)
    return -1;
  husk_state_bind_text (s, 1, prefix);
  sqlite3_bind_int (s, 2, (int) strlen (prefix));
  rc = sqlite3_step (s);
  if (rc == SQLITE_DONE)
    return 1;
  if (rc != SQLITE_ROW)
    return husk_state_fail (st, rc, err, "look up '%s'", prefix);
  *key = husk_state_column_text (s, 0);
  if (sqlite3_step (s) != SQLITE_ROW)
    return 0;
  free (*key);
  *key = NULL;
  return 2;
}

int
husk_state_exec (struct husk_state *st, const char *sql, husk_error_t *err)
{
  int rc = sqlite3_exec (st->db, sql, NULL, NULL, NULL);

  if (rc != SQLITE_OK)
    return husk_state_fail (st, rc, err, "run '%s'", sql);
  return 0;
}

int
husk_state_step_done (sqlite3_stmt *stmt)
{
  int rc = sqlite3_step (stmt);

  return rc == SQLITE_ROW ? SQLITE_MISUSE : rc;
}

void
husk_state_bind_text (sqlite3_stmt *stmt, int idx, const char *s)
{
  if (s)
    sqlite3_bind_text (stmt, idx, s, -1, SQLITE_STATIC);
  else
    sqlite3_bind_null (stmt, idx);
}

char *
husk_state_column_text (sqlite3_stmt *stmt, int col)
{
  const unsigned char *t = sqlite3_column_text (stmt, col);

  return t ? husk_xstrdup ((const char *) t) : NULL;
}

int
husk_state_read_begin (struct husk_state *st, bool *started, husk_error_t *err)
{
  *started = false;
  if (!sqlite3_get_autocommit (st->db))
    return 0;
  if (husk_state_exec (st, "BEGIN DEFERRED", err) < 0)
    return -1;
  *started = true;
  return 0;
}

void
husk_state_read_end (struct husk_state *st, bool started)
{
  if (!started || sqlite3_get_autocommit (st->db))
    return;
  /* Ending a read-only transaction cannot lose anything.  */
  if (sqlite3_exec (st->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
    sqlite3_exec (st->db, "ROLLBACK", NULL, NULL, NULL);
}

/* One integer from a PRAGMA or a SELECT.  */
static int
query_int (struct husk_state *st, const char *sql, int64_t *out, husk_error_t *err)
{
  cleanup_stmt sqlite3_stmt *stmt = husk_state_prepare (st, sql, err);
  int rc;

  if (stmt == NULL)
    return -1;
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW)
    return husk_state_fail (st, rc, err, "run '%s'", sql);
  *out = sqlite3_column_int64 (stmt, 0);
  return 0;
}

static int
set_wal (struct husk_state *st, husk_error_t *err)
{
  cleanup_stmt sqlite3_stmt *stmt = husk_state_prepare (st, "PRAGMA journal_mode=WAL", err);
  const char *mode;
  int rc;

  if (stmt == NULL)
    return -1;
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW)
    return husk_state_fail (st, rc, err, "set journal mode");
  mode = (const char *) sqlite3_column_text (stmt, 0);
  /* Some file systems cannot do WAL (no shared mmap); the rollback journal
     is as safe, only slower under concurrency.  */
  if (mode == NULL || strcmp (mode, "wal") != 0)
    husk_log_warn ("state database '%s' could not use WAL mode (got '%s')",
                   st->path, mode ? mode : "?");
  return 0;
}

/* Bring the schema from version i to i + 1, unless a racing opener has
   done it already (cannot happen under the open lock, but the re-check
   inside the write transaction costs nothing and keeps this safe on its
   own).  Return: 1 when applied, 0 when skipped, -1 on error.  */
static int
migrate_one (struct husk_state *st, size_t i, husk_error_t *err)
{
  char sql[64];
  int64_t version = 0;
  int rc;

  if (husk_state_exec (st, "BEGIN IMMEDIATE", err) < 0)
    return -1;
  if (query_int (st, "PRAGMA user_version", &version, err) < 0)
    goto fail;
  if (version > (int64_t) i)
    {
      sqlite3_exec (st->db, "ROLLBACK", NULL, NULL, NULL);
      return 0;
    }
  rc = sqlite3_exec (st->db, husk_state_migrations[i], NULL, NULL, NULL);
  if (rc != SQLITE_OK)
    {
      husk_state_fail (st, rc, err, "schema version %zu", i + 1);
      goto fail;
    }
  /* PRAGMA takes no parameters; the value is our own integer.  */
  snprintf (sql, sizeof sql, "PRAGMA user_version = %zu", i + 1);
  if (husk_state_exec (st, sql, err) < 0 || husk_state_exec (st, "COMMIT", err) < 0)
    goto fail;
  return 1;

fail:
  sqlite3_exec (st->db, "ROLLBACK", NULL, NULL, NULL);
  return -1;
}

static int
migrate (struct husk_state *st, husk_error_t *err)
{
  int64_t version = 0;

  if (query_int (st, "PRAGMA user_version", &version, err) < 0)
    return -1;
  if (version < 0 || (uint64_t) version > husk_state_n_migrations)
    return husk_error_makex (err, EPROTO, "schema version %lld is newer than "
                             "this husk knows (%zu)", (long long) version,
                             husk_state_n_migrations);
  for (size_t i = version; i < husk_state_n_migrations; i++)
    {
      int r = migrate_one (st, i, err);

      if (r < 0)
        return -1;
      if (r > 0)
        husk_log_debug ("state database '%s' migrated to schema version %zu",
                        st->path, i + 1);
    }
  return 0;
}

static int
lock_file (const char *path, husk_error_t *err)
{
  cleanup_free char *lock = husk_asprintf ("%s.lock", path);
  cleanup_close int fd = open (lock, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);

  if (fd < 0)
    return husk_error_make (err, errno, "open '%s'", lock);
  while (flock (fd, LOCK_EX) < 0)
    if (errno != EINTR)
      return husk_error_make (err, errno, "lock '%s'", lock);
  return steal_fd (&fd);
}

/* Whether dir (a directory of the store root) has an entry.  */
static bool
has_entries (const char *root, const char *sub)
{
  cleanup_free char *path = husk_asprintf ("%s/%s", root, sub);
  cleanup_dir DIR *d = opendir (path);
  struct dirent *de;

  while (d && (de = readdir (d)) != NULL)
    if (strcmp (de->d_name, ".") != 0 && strcmp (de->d_name, "..") != 0)
      return true;
  return false;
}

/* A database without a schema is new, or lost: truncated to 0 bytes,
   deleted, replaced.  The store beside it (<root>/storage, <root>/volumes,
   laid out by storage/store.h and volume/volume.c) tells them apart: a
   new store has no layers, containers or volumes yet, because the engine
   opens the database before it makes the store.  Starting afresh over a
   lost database would forget every image and container and orphan their
   files, silently; so that is an error that says how to recover.  */
static int
check_not_lost (struct husk_state *st, husk_error_t *err)
{
  static const char *const subs[] = { "storage/overlay/layers", "storage/overlay/containers",
                                      "storage/vfs/layers", "storage/vfs/containers",
                                      "volumes" };
  cleanup_free char *root = husk_xstrdup (st->path);
  char *slash = strrchr (root, '/');
  int64_t version = 0;

  if (query_int (st, "PRAGMA user_version", &version, err) < 0)
    return -1;
  if (version != 0)
    return 0;
  if (slash)
    *slash = '\0';
  else
    {
      free (root);
      root = husk_xstrdup (".");
    }
  for (size_t i = 0; i < sizeof subs / sizeof subs[0]; i++)
    if (has_entries (root, subs[i]))
      return husk_error_makex (err, EUCLEAN, "state database '%s' is empty or missing, but "
                               "the store holds %s: the database was lost or truncated; "
                               "restore it from a backup, or run `husk system reset` to "
                               "delete the store and start again", st->path,
                               strcmp (subs[i], "volumes") == 0 ? "volumes"
                               : strstr (subs[i], "layers")      ? "layers"
                                                                 : "containers");
  return 0;
}

/* Journal mode and schema, under the open lock.  */
static int
prepare_schema (struct husk_state *st, husk_error_t *err)
{
  cleanup_close int lock = lock_file (st->path, err);

  if (lock < 0)
    return -1;
  if (check_not_lost (st, err) < 0 || set_wal (st, err) < 0 || migrate (st, err) < 0)
    return -1;
  /* Closing the descriptor drops the flock.  */
  return 0;
}

/* Durability of the transitions that free resources.

   synchronous=NORMAL does not sync the WAL at commit, and husk never
   checkpoints on close (see husk_state_open): the newest commits live in
   husk.db-wal only.  Lost with that file (deleted, left out of a backup),
   a removed container comes back "Up" and a removed image comes back with
   its layer files gone.  So a commit that deleted a container, image,
   layer or volume row is checkpointed into husk.db at once (PASSIVE, which
   syncs the WAL and then the database); other commits stay cheap.

   The update hook sets st->freeing; the commit that ends the outermost
   transaction checkpoints and clears it.

   One commit hands its checkpoint on (husk_state_checkpoint_handed_over):
   a foreground `run --rm` deletes the container's row and moves its files
   into a work directory of the store, which its monitor deletes once the
   caller has returned.  The monitor makes the checkpoint then, before it
   deletes them (src/monitor/io.c), so that the caller does not wait for
   the three syncs (WAL, directory, database) and the row's deletion still
   reaches husk.db before the files go.  A caller killed before it hands
   over leaves the checkpoint to the next freeing commit, as a caller
   killed before its own checkpoint always did.  */
static void
on_update (void *arg, int op, const char *db, const char *table, sqlite3_int64 rowid)
{
  struct husk_state *st = arg;

  (void) db;
  (void) rowid;
  if (op == SQLITE_DELETE
      && (strcmp (table, "containers") == 0 || strcmp (table, "images") == 0
          || strcmp (table, "layers") == 0 || strcmp (table, "volumes") == 0))
    st->freeing = true;
}

/* Checkpoint when a committed change freed something.  */
static void
sync_freeing (struct husk_state *st)
{
  int rc;

  if (st->db == NULL || !st->freeing || !sqlite3_get_autocommit (st->db))
    return;
  st->freeing = false;
  rc = sqlite3_wal_checkpoint_v2 (st->db, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
  if (rc != SQLITE_OK && rc != SQLITE_BUSY)
    husk_log_debug ("state database: checkpoint: %s", sqlite3_errmsg (st->db));
}

struct husk_state *
husk_state_open (const char *path, husk_error_t *err)
{
  struct husk_state *st = husk_xzalloc (sizeof *st);
  int rc;

  st->path = husk_xstrdup (path);
  rc = sqlite3_open_v2 (path, &st->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
  if (rc != SQLITE_OK)
    {
      if (st->db == NULL)
        husk_error_makex (err, ENOMEM, "open state database '%s': out of memory", path);
      else
        husk_state_fail (st, rc, err, "open state database '%s'", path);
      husk_state_free (st);
      return NULL;
    }
  sqlite3_extended_result_codes (st->db, 1);
  sqlite3_busy_timeout (st->db, BUSY_TIMEOUT_MS);
  /* Every husk command is a short process and the last connection to
     close would checkpoint the WAL into the database and delete it, four
     fsyncs per command.  The WAL is as safe as the database (synchronous=
     NORMAL), so it stays; but the first connection of every process reads
     all of it to rebuild its index, so it is checkpointed early, at 64
     pages (a handful of commands) instead of SQLite's 1000.  */
  sqlite3_db_config (st->db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, NULL);
  sqlite3_wal_autocheckpoint (st->db, 64);
  if (prepare_schema (st, err) < 0
      || husk_state_exec (st, "PRAGMA synchronous=NORMAL", err) < 0
      || husk_state_exec (st, "PRAGMA foreign_keys=ON", err) < 0)
    {
      int code = sqlite3_errcode (st->db);
      if (code == SQLITE_NOTADB || code == SQLITE_CORRUPT || code == SQLITE_CANTOPEN)
        husk_error_wrap (err, "open state database '%s' (restore it from a backup, or "
                         "run `husk system reset` to delete the store and start again)",
                         path);
      else
        husk_error_wrap (err, "open state database '%s'", path);
      husk_state_free (st);
      return NULL;
    }
  sqlite3_update_hook (st->db, on_update, st);
  return st;
}

void
husk_state_free (struct husk_state *st)
{
  if (st == NULL)
    return;
  sync_freeing (st); /* a single-statement delete outside a transaction */
  /* Closing rolls back whatever is still open.  */
  sqlite3_close_v2 (st->db);
  free (st->path);
  free (st);
}

const char *
husk_state_path (struct husk_state *st)
{
  return st->path;
}

void
husk_state_checkpoint_handed_over (struct husk_state *st)
{
  if (st->depth == 0)
    st->freeing = false;
}

int
husk_state_schema_version (void)
{
  return (int) husk_state_n_migrations;
}

struct sqlite3 *
husk_state_db (struct husk_state *st)
{
  return st->db;
}

/* A transaction of ours ended behind our back: SQLite rolls back by itself
   after some errors (disk full, I/O error, interrupted).  */
static bool
lost_transaction (struct husk_state *st)
{
  return st->depth > 0 && sqlite3_get_autocommit (st->db);
}

int
husk_state_begin (struct husk_state *st, husk_error_t *err)
{
  char sql[64];
  int rc;

  if (lost_transaction (st))
    return husk_error_makex (err, EIO, "begin transaction: the enclosing "
                             "transaction was rolled back after an error");
  if (st->depth == 0)
    snprintf (sql, sizeof sql, "BEGIN IMMEDIATE");
  else
    snprintf (sql, sizeof sql, "SAVEPOINT husk_%d", st->depth);
  rc = sqlite3_exec (st->db, sql, NULL, NULL, NULL);
  if (rc != SQLITE_OK)
    return husk_state_fail (st, rc, err, "begin transaction");
  st->depth++;
  return 0;
}

int
husk_state_commit (struct husk_state *st, husk_error_t *err)
{
  char sql[64];
  int rc;

  if (st->depth == 0)
    return husk_error_makex (err, EINVAL, "commit: no transaction is open");
  if (lost_transaction (st))
    {
      st->depth = 0;
      return husk_error_makex (err, EIO, "commit: the transaction was rolled "
                               "back after an error");
    }
  if (st->depth == 1)
    snprintf (sql, sizeof sql, "COMMIT");
  else
    snprintf (sql, sizeof sql, "RELEASE husk_%d", st->depth - 1);
  rc = sqlite3_exec (st->db, sql, NULL, NULL, NULL);
  if (rc != SQLITE_OK)
    {
      husk_state_fail (st, rc, err, "commit transaction");
      /* A failed commit leaves nothing half-done: undo this level.  */
      husk_state_rollback (st);
      return -1;
    }
  st->depth--;
  if (st->depth == 0)
    sync_freeing (st);
  return 0;
}

void
husk_state_rollback (struct husk_state *st)
{
  char sql[96];

  if (st->depth == 0)
    return;
  if (sqlite3_get_autocommit (st->db))
    {
      st->depth = 0;
      return;
    }
  if (st->depth == 1)
    snprintf (sql, sizeof sql, "ROLLBACK");
  else
    snprintf (sql, sizeof sql, "ROLLBACK TO husk_%d; RELEASE husk_%d",
              st->depth - 1, st->depth - 1);
  if (sqlite3_exec (st->db, sql, NULL, NULL, NULL) != SQLITE_OK)
    husk_log_warn ("state database: rollback failed: %s", sqlite3_errmsg (st->db));
  st->depth--;
}

int
husk_state_meta_get (struct husk_state *st, const char *key, char **val,
                     husk_error_t *err)
{
  cleanup_stmt sqlite3_stmt *stmt
      = husk_state_prepare (st, "SELECT value FROM meta WHERE key = ?1", err);
  int rc;

  *val = NULL;
  if (stmt == NULL)
    return -1;
  husk_state_bind_text (stmt, 1, key);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    *val = husk_state_column_text (stmt, 0);
  else if (rc != SQLITE_DONE)
    return husk_state_fail (st, rc, err, "read setting '%s'", key);
  return 0;
}

int
husk_state_meta_set (struct husk_state *st, const char *key, const char *val,
                     husk_error_t *err)
{
  const char *sql = val ? "INSERT OR REPLACE INTO meta (key, value) VALUES (?1, ?2)"
                        : "DELETE FROM meta WHERE key = ?1";
  cleanup_stmt sqlite3_stmt *stmt = husk_state_prepare (st, sql, err);
  int rc;

  if (stmt == NULL)
    return -1;
  husk_state_bind_text (stmt, 1, key);
  if (val)
    husk_state_bind_text (stmt, 2, val);
  rc = husk_state_step_done (stmt);
  if (rc != SQLITE_DONE)
    return husk_state_fail (st, rc, err, "write setting '%s'", key);
  return 0;
}
