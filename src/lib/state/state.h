/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The state database: SQLite in WAL mode with a busy timeout.  Every
 * multi-step change runs inside husk_state_begin()/husk_state_commit(), which
 * use BEGIN IMMEDIATE so that writers queue on the database lock instead of
 * failing with SQLITE_BUSY half-way through.  The schema is versioned with
 * PRAGMA user_version and migrated forward on open, under an exclusive
 * flock on "<db>.lock" so two first-time opens cannot race.
 */
#ifndef HUSK_STATE_STATE_H
#define HUSK_STATE_STATE_H

#include "util/error.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct husk_state;

/* An image record.  Strings are owned by the record.  */
struct husk_image_rec
{
  char *id;          /* 64 hex digits: the config digest without "sha256:" */
  char **names;      /* full references, "docker.io/library/busybox:latest"; NULL-terminated */
  char **digests;    /* repo digests, "docker.io/library/busybox@sha256:..."; NULL-terminated */
  char **layers;     /* chain IDs "sha256:...", bottom to top; NULL-terminated */
  char *config;      /* the image config JSON, byte for byte as its digest covers */
  char *manifest;    /* manifest JSON as received or made, or NULL */
  char *manifest_digest; /* "sha256:..." or NULL */
  int64_t created;   /* image creation, seconds since epoch (from the config) */
  int64_t added;     /* when it entered this store, seconds since epoch */
  int64_t size;      /* sum of the uncompressed layer sizes */
};

struct husk_layer_rec
{
  char *chain_id;    /* "sha256:..." */
  char *parent;      /* chain ID or NULL */
  char *diff_id;     /* "sha256:..." */
  int64_t size;      /* uncompressed tar bytes */
};

/* Open (creating and migrating as needed) the database at path.  The
   directory must exist; "<path>.lock" is created next to it.  Errors that
   are "database is locked" carry EBUSY.  */
struct husk_state *husk_state_open (const char *path, husk_error_t *err);
/* Close; an open transaction is rolled back.  NULL is fine.  */
void husk_state_free (struct husk_state *st);
/* The database's path, as opened.  */
const char *husk_state_path (struct husk_state *st);
/* Hand the checkpoint that a committed deletion owes (see "Durability of
   the transitions that free resources" in state.c) to another process,
   which makes it before it frees what the deleted rows named: husk-monitor
   after a handed-over cleanup (docs/design/monitor.md).  This process
   then closes without it.  Only outside a transaction.  */
void husk_state_checkpoint_handed_over (struct husk_state *st);
/* The schema version this build creates (PRAGMA user_version).  */
int husk_state_schema_version (void);

/* Transactions.  begin uses BEGIN IMMEDIATE; rollback is safe to call when
   no transaction is open.  They nest: begin inside an open transaction
   makes a savepoint, and commit/rollback end the innermost level only.  A
   failed commit has rolled its level back (do not roll back again).  Never
   read and then write through husk_state_db() outside a begin: see
   "Theory of operation" in state.c.  */
int husk_state_begin (struct husk_state *st, husk_error_t *err);
int husk_state_commit (struct husk_state *st, husk_error_t *err);
void husk_state_rollback (struct husk_state *st);

void husk_image_rec_release (struct husk_image_rec *r);
void husk_image_rec_free (struct husk_image_rec *r);
void husk_layer_rec_release (struct husk_layer_rec *r);

/* Images.  Lookups return 0 and fill *out, or -1 with code ENOENT.

   Record an image with its names, digests and layers, atomically.  EEXIST
   when the ID exists; names are taken from images that had them; every
   layer must be recorded first (husk_state_layer_add), else ENOENT.
   added 0 means now.  names/digests/layers may be NULL.  */
int husk_state_image_add (struct husk_state *st, const struct husk_image_rec *r,
                          husk_error_t *err);  /* EEXIST when the ID exists */
/* The record of id (64 hex).  Vectors of the result are never NULL.  */
int husk_state_image_get (struct husk_state *st, const char *id,
                          struct husk_image_rec *out, husk_error_t *err);
/* Resolve a full reference name ("docker.io/library/x:tag") to an ID.  */
int husk_state_image_by_name (struct husk_state *st, const char *name,
                              char **id_out, husk_error_t *err);
/* Resolve an ID prefix (at least 1 hex digit; "sha256:" is skipped).
   EINVAL "short ID '...' is ambiguous" when two match; ENOENT when none
   (or when prefix is not lowercase hex).  */
int husk_state_image_by_prefix (struct husk_state *st, const char *prefix,
                                char **id_out, husk_error_t *err);
/* Resolve a repo digest "repo@sha256:..." to an ID.  */
int husk_state_image_by_digest (struct husk_state *st, const char *ref,
                                char **id_out, husk_error_t *err);
/* All images, newest first (by created, then ID).  *out is a malloc'd array. */
int husk_state_image_list (struct husk_state *st, struct husk_image_rec **out,
                           size_t *n, husk_error_t *err);
void husk_image_rec_array_free (struct husk_image_rec *a, size_t n);
/* Give name to id, taking it from any image that had it.  */
int husk_state_image_tag (struct husk_state *st, const char *id,
                          const char *name, husk_error_t *err);
/* Remove one name; ENOENT when the image does not have it.  */
int husk_state_image_untag (struct husk_state *st, const char *id,
                            const char *name, husk_error_t *err);
/* No error when the image has it already; ENOENT when no such image.  */
int husk_state_image_add_digest (struct husk_state *st, const char *id,
                                 const char *repo_digest, husk_error_t *err);
/* Remove the image with its names, digests and layer list (not the layers
   themselves).  ENOENT when no such image.  */
int husk_state_image_remove (struct husk_state *st, const char *id,
                             husk_error_t *err);

/* Layers.  */
int husk_state_layer_add (struct husk_state *st, const struct husk_layer_rec *r,
                          husk_error_t *err); /* no error when it exists */
/* ENOENT when not recorded.  */
int husk_state_layer_get (struct husk_state *st, const char *chain_id,
                          struct husk_layer_rec *out, husk_error_t *err);
/* How many images list this layer.  */
int64_t husk_state_layer_refs (struct husk_state *st, const char *chain_id,
                               husk_error_t *err);
/* ENOENT when not recorded; EBUSY while an image lists it or a recorded
   layer has it as parent.  */
int husk_state_layer_remove (struct husk_state *st, const char *chain_id,
                             husk_error_t *err);
/* Chain IDs of layers that no image uses (and, later, no container),
   NULL-terminated, children before their parents, so removing them in
   order always works.  */
int husk_state_layer_unused (struct husk_state *st, char ***out,
                             husk_error_t *err);

/* Key-value metadata (store settings such as the driver in use).  */
int husk_state_meta_get (struct husk_state *st, const char *key, char **val,
                         husk_error_t *err); /* *val NULL when unset */
int husk_state_meta_set (struct husk_state *st, const char *key,
                         const char *val, husk_error_t *err); /* NULL unsets */

/* Events (recorded for every image and, later, container change).  */
struct husk_event_rec
{
  int64_t time_ns;   /* nanoseconds since epoch */
  char *type;        /* "image", "container", "pod", "volume", ... */
  char *action;      /* "pull", "tag", "remove", ... */
  char *id;          /* object ID */
  char *name;        /* object name or NULL */
  char *attributes;  /* JSON object text or NULL */
  int64_t seq;       /* set by husk_state_event_list: grows with every event */
};
/* Record an event; time_ns 0 means now; attributes must be a JSON object
   (EINVAL otherwise).  seq is ignored.  */
int husk_state_event_add (struct husk_state *st, const struct husk_event_rec *e,
                          husk_error_t *err);
/* Events with seq > after_seq and since_ns <= time_ns < until_ns (until_ns
   0: no end), oldest first.  *out is a malloc'd array.  */
int husk_state_event_list (struct husk_state *st, int64_t after_seq,
                           int64_t since_ns, int64_t until_ns,
                           struct husk_event_rec **out, size_t *n,
                           husk_error_t *err);
/* Drop all but the newest keep events; the newest always stays, since seq
   goes on from it.  */
int husk_state_event_prune (struct husk_state *st, int64_t keep,
                            husk_error_t *err);
void husk_event_rec_release (struct husk_event_rec *e);
void husk_event_rec_array_free (struct husk_event_rec *a, size_t n);

/* The underlying sqlite3 handle, for modules that add their own tables
   through migrations registered in state/schema.c.  */
struct sqlite3 *husk_state_db (struct husk_state *st);

#endif
