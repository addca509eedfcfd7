/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The state database schema, as a list of migrations.  Entry i takes a
 * database from PRAGMA user_version i to i + 1; husk_state_open() applies
 * the missing ones in order, each in its own transaction together with the
 * new user_version, under the open lock.
 *
 * Rules for adding a migration:
 * - Append only.  Never edit or reorder an entry that has shipped: stores
 *   in the field have already run it.
 * - Migrations run with foreign_keys OFF (SQLite cannot change it inside a
 *   transaction), so a table can be rebuilt the documented way (create new,
 *   copy, drop old, rename).  End such a migration with a check that keeps
 *   the references true, since nothing else will.
 * - Containers, pods, volumes and exec sessions get their tables in the
 *   next migrations; layers that a container uses must then also count in
 *   husk_state_layer_unused() and husk_state_layer_remove() (images.c).
 *
 * The tables of version 1:
 *   images        one row per image; id is the config digest's hex
 *   image_names   "docker.io/library/busybox:latest" -> image; a name
 *                 belongs to at most one image; rowid keeps tagging order
 *   image_digests repo digests "repo@sha256:..." of an image
 *   image_layers  the image's layers bottom (idx 0) to top, by chain ID;
 *                 a layer must be recorded before an image lists it
 *   layers        layers recorded in the store, by chain ID
 *   meta          store settings (key/value)
 *   events        the event log; seq only grows, so a follower can resume
 *                 (version 5: without AUTOINCREMENT and time index)
 */
#include "state/state-private.h"

const char *const husk_state_migrations[] = {
  /* 1: images, layers, metadata, events.  */
  "CREATE TABLE meta ("
  "  key TEXT PRIMARY KEY NOT NULL,"
  "  value TEXT NOT NULL"
  ");"
  "CREATE TABLE layers ("
  "  chain_id TEXT PRIMARY KEY NOT NULL,"
  "  parent TEXT,"
  "  diff_id TEXT NOT NULL,"
  "  size INTEGER NOT NULL DEFAULT 0"
  ");"
  "CREATE INDEX layers_parent ON layers (parent);"
  "CREATE TABLE images ("
  "  id TEXT PRIMARY KEY NOT NULL,"
  "  config TEXT NOT NULL,"
  "  manifest TEXT,"
  "  manifest_digest TEXT,"
  "  created INTEGER NOT NULL DEFAULT 0,"
  "  added INTEGER NOT NULL DEFAULT 0,"
  "  size INTEGER NOT NULL DEFAULT 0"
  ");"
  "CREATE INDEX images_created ON images (created DESC, id);"
  "CREATE TABLE image_names ("
  "  name TEXT PRIMARY KEY NOT NULL,"
  "  image_id TEXT NOT NULL REFERENCES images (id) ON DELETE CASCADE"
  ");"
  "CREATE INDEX image_names_image ON image_names (image_id);"
  "CREATE TABLE image_digests ("
  "  image_id TEXT NOT NULL REFERENCES images (id) ON DELETE CASCADE,"
  "  digest TEXT NOT NULL,"
  "  PRIMARY KEY (image_id, digest)"
  ");"
  "CREATE INDEX image_digests_digest ON image_digests (digest);"
  "CREATE TABLE image_layers ("
  "  image_id TEXT NOT NULL REFERENCES images (id) ON DELETE CASCADE,"
  "  idx INTEGER NOT NULL,"
  "  chain_id TEXT NOT NULL REFERENCES layers (chain_id),"
  "  PRIMARY KEY (image_id, idx)"
  ");"
  "CREATE INDEX image_layers_chain ON image_layers (chain_id);"
  "CREATE TABLE events ("
  "  seq INTEGER PRIMARY KEY AUTOINCREMENT,"
  "  time_ns INTEGER NOT NULL,"
  "  type TEXT NOT NULL,"
  "  action TEXT NOT NULL,"
  "  id TEXT,"
  "  name TEXT,"
  "  attributes TEXT"
  ");"
  "CREATE INDEX events_time ON events (time_ns);",
  /* 2: containers.  image_id is not a foreign key: rmi checks use itself
     and says which container holds the image.  */
  "CREATE TABLE containers ("
  "  id TEXT PRIMARY KEY NOT NULL,"
  "  name TEXT UNIQUE NOT NULL,"
  "  image_id TEXT NOT NULL,"
  "  config TEXT NOT NULL,"
  "  state TEXT NOT NULL,"
  "  pid INTEGER NOT NULL DEFAULT 0,"
  "  monitor_pid INTEGER NOT NULL DEFAULT 0,"
  "  exit_code INTEGER NOT NULL DEFAULT 0,"
  "  created INTEGER NOT NULL DEFAULT 0,"
  "  started_at INTEGER NOT NULL DEFAULT 0,"
  "  finished_at INTEGER NOT NULL DEFAULT 0,"
  "  restart_count INTEGER NOT NULL DEFAULT 0,"
  "  oom_killed INTEGER NOT NULL DEFAULT 0"
  ");"
  "CREATE INDEX containers_image ON containers (image_id);",
  /* 3: volumes.  labels and options are JSON objects.  Which containers
     use a volume is read from their configurations (ops/volume.c), not
     kept here, so the two cannot disagree.  */
  "CREATE TABLE volumes ("
  "  name TEXT PRIMARY KEY NOT NULL,"
  "  driver TEXT NOT NULL DEFAULT 'local',"
  "  labels TEXT NOT NULL DEFAULT '{}',"
  "  options TEXT NOT NULL DEFAULT '{}',"
  "  anonymous INTEGER NOT NULL DEFAULT 0,"
  "  needs_copy_up INTEGER NOT NULL DEFAULT 1,"
  "  needs_chown INTEGER NOT NULL DEFAULT 1,"
  "  created INTEGER NOT NULL DEFAULT 0"
  ");",
  /* 4: who the recorded pids are.  A pid is reused once its process is
     gone (after a reboot, or a kill -9 of monitor and container): the
     boot it was recorded in and the start times (field 22 of
     /proc/PID/stat) of the container's process and of its monitor tell
     the recorded process from a newcomer (util/proc.h).  '' and 0:
     unknown, for rows recorded before this version.  */
  "ALTER TABLE containers ADD COLUMN boot_id TEXT NOT NULL DEFAULT '';"
  "ALTER TABLE containers ADD COLUMN pid_start INTEGER NOT NULL DEFAULT 0;"
  "ALTER TABLE containers ADD COLUMN monitor_start INTEGER NOT NULL DEFAULT 0;",
  /* 5: events without AUTOINCREMENT and without the time index.  Each
     event wrote three pages: its row, the sqlite_sequence row and the
     index; now one.  seq still only grows: a rowid is one more than the
     largest in the table, and pruning always keeps the newest row
     (events.c).  Events are recorded with the time they are written, so
     seq order is time order and --since/--until scan by seq.  The rows
     keep their seq; dropping the old table drops its index and its
     sqlite_sequence row.  */
  "CREATE TABLE events_v5 ("
  "  seq INTEGER PRIMARY KEY,"
  "  time_ns INTEGER NOT NULL,"
  "  type TEXT NOT NULL,"
  "  action TEXT NOT NULL,"
  "  id TEXT,"
  "  name TEXT,"
  "  attributes TEXT"
  ");"
  "INSERT INTO events_v5 (seq, time_ns, type, action, id, name, attributes)"
  "  SELECT seq, time_ns, type, action, id, name, attributes FROM events;"
  "DROP TABLE events;"
  "ALTER TABLE events_v5 RENAME TO events;",
  /* 6: bridge networks (network/networks.c) and their address
     allocations (network/ipam.c).  config is the network's JSON as
     `network inspect` shows it.  An allocation belongs to a container
     and goes with its row; (network, ip) is unique, so two creates can
     never hold one address.  */
  "CREATE TABLE networks ("
  "  name TEXT PRIMARY KEY NOT NULL,"
  "  id TEXT UNIQUE NOT NULL,"
  "  config TEXT NOT NULL,"
  "  created INTEGER NOT NULL DEFAULT 0"
  ");"
  "CREATE TABLE net_alloc ("
  "  network TEXT NOT NULL,"
  "  ip TEXT NOT NULL,"
  "  container_id TEXT NOT NULL REFERENCES containers (id) ON DELETE CASCADE,"
  "  PRIMARY KEY (network, ip)"
  ");"
  "CREATE INDEX net_alloc_container ON net_alloc (container_id);",
  /* 7: pods (state/pods.h).  config is the pod's settings as JSON
     (labels, share, hostname, exit_policy, infra); infra_id the infra
     container's ID ('' without one).  A container names its pod in its
     own configuration ("pod"), read with json_extract, so the two cannot
     disagree.  */
  "CREATE TABLE pods ("
  "  id TEXT PRIMARY KEY NOT NULL,"
  "  name TEXT UNIQUE NOT NULL,"
  "  created INTEGER NOT NULL DEFAULT 0,"
  "  config TEXT NOT NULL,"
  "  infra_id TEXT NOT NULL DEFAULT ''"
  ");",
  /* 8: secrets (state/secrets.h).  The data is never here: it is a file
     <root>/secrets/<id> of mode 0600 (secret/secret.c).  labels is a JSON
     object; created and updated are nanoseconds since the epoch.  */
  "CREATE TABLE secrets ("
  "  id TEXT PRIMARY KEY NOT NULL,"
  "  name TEXT UNIQUE NOT NULL,"
  "  driver TEXT NOT NULL DEFAULT 'file',"
  "  labels TEXT NOT NULL DEFAULT '{}',"
  "  created INTEGER NOT NULL DEFAULT 0,"
  "  updated INTEGER NOT NULL DEFAULT 0"
  ");",
};

const size_t husk_state_n_migrations
    = sizeof (husk_state_migrations) / sizeof (husk_state_migrations[0]);
