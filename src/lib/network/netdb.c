/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The host-wide network database of rootful husk, HUSK_NET_DB: which
 * bridge and subnet each network holds, whatever its configuration
 * directory, and every address lease, whatever the container's store.
 * One write transaction (BEGIN IMMEDIATE) at a time is the host-wide
 * lock of network creation and address allocation.
 */
#include "network/bridge-private.h"
#include "util/cleanup.h"
#include "util/fileutil.h"
#include "util/strutil.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>

static const char schema[]
    = "CREATE TABLE IF NOT EXISTS bridges ("
      "  bridge TEXT PRIMARY KEY NOT NULL,"
      "  network TEXT NOT NULL,"
      "  config_dir TEXT NOT NULL,"   /* '' for the default network */
      "  subnet TEXT NOT NULL,"
      "  config TEXT"                 /* the default network's JSON */
      ");"
      "CREATE TABLE IF NOT EXISTS leases ("
      "  bridge TEXT NOT NULL,"
      "  ip TEXT NOT NULL,"
      "  network TEXT NOT NULL,"
      "  container_id TEXT NOT NULL,"
      "  store TEXT NOT NULL,"        /* the state database holding it */
      "  PRIMARY KEY (bridge, ip)"
      ");"
      "CREATE INDEX IF NOT EXISTS leases_container ON leases (container_id);";

/* After a commit: empty the WAL once it holds 64 pages.  Every process
   opens the database afresh and reads the whole WAL to rebuild its index
   (a 4 MB WAL cost a bridge `run --rm` 30 ms of checksumming over its
   opens), and a process writes once: SQLite's own autocheckpoint would
   copy the pages but never start the WAL over, since that waits for the
   next write of the same process (a new one forgets what was copied).
   TRUNCATE copies and starts it over at once.  */
static int
wal_grown (void *data, sqlite3 *db, const char *name, int pages)
{
  (void) data;
  if (pages >= 64)
    sqlite3_wal_checkpoint_v2 (db, name, SQLITE_CHECKPOINT_TRUNCATE, NULL, NULL);
  return SQLITE_OK;
}

static sqlite3 *
netdb_open (husk_error_t *err)
{
  sqlite3 *db = NULL;
  int rc;

  if (husk_mkdir_p (HUSK_NET_DB_DIR, 0700, err) < 0)
    return NULL;
  rc = sqlite3_open_v2 (HUSK_NET_DB, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE
                        | SQLITE_OPEN_NOMUTEX, NULL);
  if (rc != SQLITE_OK)
    {
      husk_error_makex (err, EIO, "open %s: %s", HUSK_NET_DB, db ? sqlite3_errmsg (db)
                                                                  : sqlite3_errstr (rc));
      sqlite3_close (db);
      return NULL;
    }
  /* Parallel runs queue here; a writer holds it for a millisecond.  */
  sqlite3_busy_timeout (db, 60000);
  /* Every command opens and closes the database: the last connection's
     close would checkpoint the WAL into the database and delete it, four
     syncs each time (synchronous=NORMAL syncs at checkpoints only).  The
     WAL stays, and is emptied when it grows past 64 pages (wal_grown).
     A power cut may lose the last leases: the stale-lease logic takes
     care of addresses of containers that are gone.  */
  {
    int persist = 1;
    sqlite3_db_config (db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, NULL);
    sqlite3_file_control (db, "main", SQLITE_FCNTL_PERSIST_WAL, &persist);
    sqlite3_wal_hook (db, wal_grown, NULL);
  }
  if (sqlite3_exec (db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;", NULL, NULL,
                    NULL) != SQLITE_OK
      || sqlite3_exec (db, schema, NULL, NULL, NULL) != SQLITE_OK)
    {
      husk_error_makex (err, EIO, "set up %s: %s", HUSK_NET_DB, sqlite3_errmsg (db));
      sqlite3_close (db);
      return NULL;
    }
  return db;
}

static sqlite3 *
begin (const char *how, husk_error_t *err)
{
  sqlite3 *db = netdb_open (err);

  if (db && sqlite3_exec (db, how, NULL, NULL, NULL) != SQLITE_OK)
    {
      husk_error_makex (err, EIO, "lock %s: %s", HUSK_NET_DB, sqlite3_errmsg (db));
      sqlite3_close (db);
      return NULL;
    }
  return db;
}

sqlite3 *
netdb_begin (husk_error_t *err)
{
  return begin ("BEGIN IMMEDIATE", err);
}

sqlite3 *
netdb_read (husk_error_t *err)
{
  return begin ("BEGIN", err);
}

int
netdb_end (sqlite3 *db, bool commit, husk_error_t *err)
{
  int ret = 0;

  if (db == NULL)
    return 0;
  if (commit && sqlite3_exec (db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
    ret = husk_error_makex (err, EIO, "write %s: %s", HUSK_NET_DB, sqlite3_errmsg (db));
  if (!commit || ret < 0)
    sqlite3_exec (db, "ROLLBACK", NULL, NULL, NULL);
  sqlite3_close (db);
  return ret;
}

sqlite3_stmt *
netdb_prepare (sqlite3 *db, const char *sql, husk_error_t *err)
{
  sqlite3_stmt *s = NULL;

  if (sqlite3_prepare_v2 (db, sql, -1, &s, NULL) != SQLITE_OK)
    husk_error_makex (err, EIO, "%s: %s", HUSK_NET_DB, sqlite3_errmsg (db));
  return s;
}

int
netdb_exec (sqlite3 *db, const char *sql, const char *const *args, husk_error_t *err)
{
  sqlite3_stmt *s = netdb_prepare (db, sql, err);
  int rc;

  if (s == NULL)
    return -1;
  for (int i = 0; args && args[i]; i++)
    sqlite3_bind_text (s, i + 1, args[i], -1, SQLITE_TRANSIENT);
  rc = sqlite3_step (s);
  sqlite3_finalize (s);
  if (rc != SQLITE_DONE && rc != SQLITE_ROW)
    return husk_error_makex (err, rc == SQLITE_CONSTRAINT ? EEXIST : EIO, "%s: %s",
                             HUSK_NET_DB, sqlite3_errmsg (db));
  return 0;
}

/* A lease whose store is gone (its directory removed without `rm`, as
   test stores are) holds nothing any more.  */
static bool
store_gone (const char *store)
{
  struct stat st;

  return stat (store, &st) < 0 && errno == ENOENT;
}

json_t *
netdb_leases (sqlite3 *db, const char *bridge, husk_error_t *err)
{
  cleanup_stmt_net sqlite3_stmt *s = netdb_prepare (
      db, "SELECT ip, container_id, store, network FROM leases WHERE bridge = ?1", err);
  json_t *out;
  int rc;

  if (s == NULL)
    return NULL;
  sqlite3_bind_text (s, 1, bridge, -1, SQLITE_TRANSIENT);
  out = json_object ();
  while ((rc = sqlite3_step (s)) == SQLITE_ROW)
    {
      const char *store = (const char *) sqlite3_column_text (s, 2);
      if (store_gone (store))
        continue;
      json_object_set_new (out, (const char *) sqlite3_column_text (s, 0),
                           json_pack ("{s:s, s:s, s:s}", "id", sqlite3_column_text (s, 1),
                                      "store", store, "network", sqlite3_column_text (s, 3)));
    }
  if (rc != SQLITE_DONE)
    {
      json_decref (out);
      return husk_error_makex (err, EIO, "%s: %s", HUSK_NET_DB, sqlite3_errmsg (db)), NULL;
    }
  return out;
}

void
netdb_forget_stale (sqlite3 *db)
{
  cleanup_stmt_net sqlite3_stmt *s = netdb_prepare (db, "SELECT DISTINCT store FROM leases",
                                                    NULL);
  cleanup_strv char **gone = husk_xzalloc (sizeof *gone);

  while (s && sqlite3_step (s) == SQLITE_ROW)
    if (store_gone ((const char *) sqlite3_column_text (s, 0)))
      husk_strv_append (&gone, (const char *) sqlite3_column_text (s, 0));
  for (size_t i = 0; gone[i]; i++)
    {
      const char *args[] = { gone[i], NULL };
      netdb_exec (db, "DELETE FROM leases WHERE store = ?1", args, NULL);
    }
}

int
netdb_lease_add (sqlite3 *db, const char *bridge, const char *ip, const char *network,
                 const char *cid, const char *store, husk_error_t *err)
{
  const char *args[] = { bridge, ip, network, cid, store, NULL };

  if (netdb_exec (db, "INSERT OR REPLACE INTO leases (bridge, ip, network, container_id, "
                      "store) VALUES (?1, ?2, ?3, ?4, ?5)", args, err) < 0)
    return husk_error_wrap (err, "allocate %s on network %s", ip, network);
  return 0;
}
