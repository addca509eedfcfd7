/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Images and layers in the state database.  An image row owns its names,
 * repo digests and layer list (deleting it cascades to them); layers are
 * shared between images and outlive them until the layer store collects
 * them (husk_state_layer_unused()).
 *
 * Writers that are one statement run alone; husk_state_image_add() is
 * several and wraps itself in husk_state_begin()/commit, which nests as a
 * savepoint inside a caller's transaction.
 */
#include "state/state-private.h"
#include "util/strutil.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define IMAGE_COLUMNS "id, config, manifest, manifest_digest, created, added, size"

void
husk_image_rec_release (struct husk_image_rec *r)
{
  if (r == NULL)
    return;
  free (r->id);
  husk_strv_free (r->names);
  husk_strv_free (r->digests);
  husk_strv_free (r->layers);
  free (r->config);
  free (r->manifest);
  free (r->manifest_digest);
  memset (r, 0, sizeof *r);
}

void
husk_image_rec_free (struct husk_image_rec *r)
{
  husk_image_rec_release (r);
  free (r);
}

void
husk_image_rec_array_free (struct husk_image_rec *a, size_t n)
{
  for (size_t i = 0; a && i < n; i++)
    husk_image_rec_release (&a[i]);
  free (a);
}

void
husk_layer_rec_release (struct husk_layer_rec *r)
{
  if (r == NULL)
    return;
  free (r->chain_id);
  free (r->parent);
  free (r->diff_id);
  memset (r, 0, sizeof *r);
}

/* Run a one-row-per-value insert for every string of v.  */
static int
insert_each (struct husk_state *st, const char *sql, const char *id,
             char *const *v, const char *what, husk_error_t *err)
{
  cleanup_stmt sqlite3_stmt *stmt = NULL;

  if (v == NULL || v[0] == NULL)
    return 0;
  stmt = husk_state_prepare (st, sql, err);
  if (stmt == NULL)
    return -1;
  for (size_t i = 0; v[i]; i++)
    {
      int rc;

      sqlite3_reset (stmt);
      husk_state_bind_text (stmt, 1, id);
      husk_state_bind_text (stmt, 2, v[i]);
      if (sqlite3_bind_parameter_count (stmt) >= 3)
        sqlite3_bind_int64 (stmt, 3, (sqlite3_int64) i);
      rc = husk_state_step_done (stmt);
      if (rc == SQLITE_CONSTRAINT_FOREIGNKEY)
        return husk_error_makex (err, ENOENT, "%s '%s' is not recorded", what, v[i]);
      if (rc != SQLITE_DONE)
        return husk_state_fail (st, rc, err, "record %s '%s'", what, v[i]);
    }
  return 0;
}

static int
insert_image_row (struct husk_state *st, const struct husk_image_rec *r,
                  husk_error_t *err)
{
  cleanup_stmt sqlite3_stmt *stmt = husk_state_prepare (
      st, "INSERT INTO images (" IMAGE_COLUMNS ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
      err);
  int rc;

  if (stmt == NULL)
    return -1;
  husk_state_bind_text (stmt, 1, r->id);
  husk_state_bind_text (stmt, 2, r->config);
  husk_state_bind_text (stmt, 3, r->manifest);
  husk_state_bind_text (stmt, 4, r->manifest_digest);
  sqlite3_bind_int64 (stmt, 5, r->created);
  sqlite3_bind_int64 (stmt, 6, r->added ? r->added : (int64_t) time (NULL));
  sqlite3_bind_int64 (stmt, 7, r->size);
  rc = husk_state_step_done (stmt);
  if (rc == SQLITE_CONSTRAINT_PRIMARYKEY)
    return husk_error_makex (err, EEXIST, "image '%s' already exists", r->id);
  if (rc != SQLITE_DONE)
    return husk_state_fail (st, rc, err, "record image");
  return 0;
}

int
husk_state_image_add (struct husk_state *st, const struct husk_image_rec *r,
                      husk_error_t *err)
{
  if (r->id == NULL || !husk_is_hex (r->id, 64))
    return husk_error_makex (err, EINVAL, "add image: invalid ID '%s'",
                             r->id ? r->id : "");
  if (r->config == NULL)
    return husk_error_makex (err, EINVAL, "add image '%s': no config", r->id);
  if (husk_state_begin (st, err) < 0)
    return husk_error_wrap (err, "add image '%s'", r->id);
  if (insert_image_row (st, r, err) < 0
      /* A name moves here from whatever image had it.  */
      || insert_each (st, "INSERT OR REPLACE INTO image_names (image_id, name) "
                      "VALUES (?1, ?2)", r->id, r->names, "name", err) < 0
      || insert_each (st, "INSERT OR IGNORE INTO image_digests (image_id, digest) "
                      "VALUES (?1, ?2)", r->id, r->digests, "digest", err) < 0
      || insert_each (st, "INSERT INTO image_layers (image_id, chain_id, idx) "
                      "VALUES (?1, ?2, ?3)", r->id, r->layers, "layer", err) < 0)
    {
      husk_state_rollback (st);
      return husk_error_wrap (err, "add image '%s'", r->id);
    }
  /* A failed commit has rolled back already.  */
  if (husk_state_commit (st, err) < 0)
    return husk_error_wrap (err, "add image '%s'", r->id);
  return 0;
}

/* Column i of a row of IMAGE_COLUMNS into r; the vectors start empty.  */
static void
image_from_row (sqlite3_stmt *stmt, struct husk_image_rec *r)
{
  r->id = husk_state_column_text (stmt, 0);
  r->config = husk_state_column_text (stmt, 1);
  r->manifest = husk_state_column_text (stmt, 2);
  r->manifest_digest = husk_state_column_text (stmt, 3);
  r->created = sqlite3_column_int64 (stmt, 4);
  r->added = sqlite3_column_int64 (stmt, 5);
  r->size = sqlite3_column_int64 (stmt, 6);
  r->names = husk_xzalloc (sizeof (char *));
  r->digests = husk_xzalloc (sizeof (char *));
  r->layers = husk_xzalloc (sizeof (char *));
}

/* Which vector of the record a child table fills.  */
enum child
{
  CHILD_NAMES,
  CHILD_DIGESTS,
  CHILD_LAYERS,
};

static const char *const child_sql[] = {
  [CHILD_NAMES] = "SELECT image_id, name FROM image_names",
  [CHILD_DIGESTS] = "SELECT image_id, digest FROM image_digests",
  [CHILD_LAYERS] = "SELECT image_id, chain_id FROM image_layers",
};
static const char *const child_order[] = {
  [CHILD_NAMES] = " ORDER BY rowid",
  [CHILD_DIGESTS] = " ORDER BY rowid",
  [CHILD_LAYERS] = " ORDER BY image_id, idx",
};

static char ***
child_vec (struct husk_image_rec *r, enum child c)
{
  return c == CHILD_NAMES ? &r->names : c == CHILD_DIGESTS ? &r->digests : &r->layers;
}

static int
cmp_rec_ptr_id (const void *a, const void *b)
{
  const struct husk_image_rec *const *x = a, *const *y = b;
  return strcmp ((*x)->id, (*y)->id);
}

static int
cmp_key_rec_ptr (const void *key, const void *b)
{
  const struct husk_image_rec *const *y = b;
  return strcmp (key, (*y)->id);
}

/* Fill one child vector of the records: of one image when id is set (then
   n is 1), else of all (sorted is then recs sorted by ID).  */
static int
load_child (struct husk_state *st, enum child c, const char *id,
            struct husk_image_rec **sorted, size_t n, husk_error_t *err)
{
  cleanup_free char *sql = husk_asprintf ("%s%s%s", child_sql[c],
                                          id ? " WHERE image_id = ?1" : "",
                                          child_order[c]);
  cleanup_stmt sqlite3_stmt *stmt = husk_state_prepare (st, sql, err);
  int rc;

  if (stmt == NULL)
    return -1;
  if (id)
    husk_state_bind_text (stmt, 1, id);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      const char *owner = (const char *) sqlite3_column_text (stmt, 0);
      struct husk_image_rec **r;

      if (owner == NULL)
        continue;
      r = bsearch (owner, sorted, n, sizeof *sorted, cmp_key_rec_ptr);
      if (r)
        husk_strv_take (child_vec (*r, c), husk_state_column_text (stmt, 1));
    }
  if (rc != SQLITE_DONE)
    return husk_state_fail (st, rc, err, "read images");
  return 0;
}

static int
load_children (struct husk_state *st, const char *id,
               struct husk_image_rec **sorted, size_t n, husk_error_t *err)
{
  for (enum child c = CHILD_NAMES; c <= CHILD_LAYERS; c++)
    if (load_child (st, c, id, sorted, n, err) < 0)
      return -1;
  return 0;
}

static int
image_get_locked (struct husk_state *st, const char *id,
                  struct husk_image_rec *out, husk_error_t *err)
{
  cleanup_stmt sqlite3_stmt *stmt = husk_state_prepare (
      st, "SELECT " IMAGE_COLUMNS " FROM images WHERE id = ?1", err);
  struct husk_image_rec r = { 0 };
  struct husk_image_rec *one = &r;
  int rc;

  if (stmt == NULL)
    return -1;
  husk_state_bind_text (stmt, 1, id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_DONE)
    return husk_error_makex (err, ENOENT, "no such image '%s'", id);
  if (rc != SQLITE_ROW)
    return husk_state_fail (st, rc, err, "read image '%s'", id);
  image_from_row (stmt, &r);
  if (load_children (st, id, &one, 1, err) < 0)
    {
      husk_image_rec_release (&r);
      return -1;
    }
  *out = r;
  return 0;
}

int
husk_state_image_get (struct husk_state *st, const char *id,
                      struct husk_image_rec *out, husk_error_t *err)
{
  bool started;
  int ret;

  memset (out, 0, sizeof *out);
  if (husk_state_read_begin (st, &started, err) < 0)
    return -1;
  ret = image_get_locked (st, id, out, err);
  husk_state_read_end (st, started);
  return ret;
}

static int
list_locked (struct husk_state *st, struct husk_image_rec **out, size_t *n,
             husk_error_t *err)
{
  cleanup_stmt sqlite3_stmt *stmt = husk_state_prepare (
      st, "SELECT " IMAGE_COLUMNS " FROM images ORDER BY created DESC, id", err);
  struct husk_image_rec *a = NULL;
  cleanup_free struct husk_image_rec **sorted = NULL;
  size_t len = 0, cap = 0;
  int rc;

  if (stmt == NULL)
    return -1;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      if (len == cap)
        {
          cap = cap ? cap * 2 : 16;
          a = husk_xrealloc (a, cap * sizeof *a);
        }
      memset (&a[len], 0, sizeof *a);
      image_from_row (stmt, &a[len++]);
    }
  if (rc != SQLITE_DONE)
    {
      husk_image_rec_array_free (a, len);
      return husk_state_fail (st, rc, err, "list images");
    }
  sorted = husk_xmalloc ((len ? len : 1) * sizeof *sorted);
  for (size_t i = 0; i < len; i++)
    sorted[i] = &a[i];
  qsort (sorted, len, sizeof *sorted, cmp_rec_ptr_id);
  if (load_children (st, NULL, sorted, len, err) < 0)
    {
      husk_image_rec_array_free (a, len);
      return -1;
    }
  *out = a;
  *n = len;
  return 0;
}

int
husk_state_image_list (struct husk_state *st, struct husk_image_rec **out,
                       size_t *n, husk_error_t *err)
{
  bool started;
  int ret;

  *out = NULL;
  *n = 0;
  if (husk_state_read_begin (st, &started, err) < 0)
    return -1;
  ret = list_locked (st, out, n, err);
  husk_state_read_end (st, started);
  return ret;
}

/* The ID that sql (one bound text parameter) yields, ENOENT if none.  */
static int
lookup_id (struct husk_state *st, const char *sql, const char *key,
           char **id_out, husk_error_t *err)
{
  cleanup_stmt sqlite3_stmt *stmt = husk_state_prepare (st, sql, err);
  int rc;

  *id_out = NULL;
  if (stmt == NULL)
    return -1;
  husk_state_bind_text (stmt, 1, key);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_DONE)
    return husk_error_makex (err, ENOENT, "no such image '%s'", key);
  if (rc != SQLITE_ROW)
    return husk_state_fail (st, rc, err, "look up image '%s'", key);
  *id_out = husk_state_column_text (stmt, 0);
  return 0;
}

int
husk_state_image_by_name (struct husk_state *st, const char *name,
                          char **id_out, husk_error_t *err)
{
  return lookup_id (st, "SELECT image_id FROM image_names WHERE name = ?1",
                    name, id_out, err);
}

int
husk_state_image_by_digest (struct husk_state *st, const char *ref,
                            char **id_out, husk_error_t *err)
{
  /* The newest record wins if two images claim one manifest.  */
  return lookup_id (st, "SELECT image_id FROM image_digests WHERE digest = ?1 "
                    "ORDER BY rowid DESC LIMIT 1", ref, id_out, err);
}

int
husk_state_image_by_prefix (struct husk_state *st, const char *prefix,
                            char **id_out, husk_error_t *err)
{
  cleanup_stmt sqlite3_stmt *stmt = NULL;
  cleanup_free char *upper = NULL;
  const char *hex = prefix;
  int rc;

  *id_out = NULL;
  if (husk_has_prefix (hex, "sha256:"))
    hex += strlen ("sha256:");
  if (strlen (hex) > 64 || !husk_is_hex (hex, 0))
    return husk_error_makex (err, ENOENT, "no such image '%s'", prefix);
  /* IDs are lowercase hex, all below "g": those starting with hex are
     exactly the ones in [hex, hex + "g"), which the primary key index
     answers without a scan.  */
  upper = husk_asprintf ("%sg", hex);
  stmt = husk_state_prepare (st, "SELECT id FROM images WHERE id >= ?1 AND id < ?2 "
                             "ORDER BY id LIMIT 2", err);
  if (stmt == NULL)
    return -1;
  husk_state_bind_text (stmt, 1, hex);
  husk_state_bind_text (stmt, 2, upper);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_DONE)
    return husk_error_makex (err, ENOENT, "no such image '%s'", prefix);
  if (rc != SQLITE_ROW)
    return husk_state_fail (st, rc, err, "look up image '%s'", prefix);
  *id_out = husk_state_column_text (stmt, 0);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      free (steal_ptr (id_out));
      return husk_error_makex (err, EINVAL, "short ID '%s' is ambiguous", hex);
    }
  if (rc != SQLITE_DONE)
    {
      free (steal_ptr (id_out));
      return husk_state_fail (st, rc, err, "look up image '%s'", prefix);
    }
  return 0;
}

int
husk_state_image_tag (struct husk_state *st, const char *id, const char *name,
                      husk_error_t *err)
{
  /* One statement, so it is atomic alone: REPLACE takes the name from any
     other image; the guard keeps the row (and the name's place in the
     image's list) when the image has it already.  */
  cleanup_stmt sqlite3_stmt *stmt = husk_state_prepare (
      st, "INSERT OR REPLACE INTO image_names (name, image_id) SELECT ?1, ?2 "
      "WHERE NOT EXISTS (SELECT 1 FROM image_names WHERE name = ?1 AND image_id = ?2)",
      err);
  int rc;

  if (stmt == NULL)
    return -1;
  if (name == NULL || *name == '\0')
    return husk_error_makex (err, EINVAL, "tag image '%s': empty name", id);
  husk_state_bind_text (stmt, 1, name);
  husk_state_bind_text (stmt, 2, id);
  rc = husk_state_step_done (stmt);
  if (rc == SQLITE_CONSTRAINT_FOREIGNKEY)
    return husk_error_makex (err, ENOENT, "tag image '%s': no such image", id);
  if (rc != SQLITE_DONE)
    return husk_state_fail (st, rc, err, "tag image '%s' as '%s'", id, name);
  return 0;
}

/* Run a one-statement write with two text parameters.  Return: rows
   changed, or -1.  */
static int
write2 (struct husk_state *st, const char *sql, const char *a, const char *b,
        const char *what, husk_error_t *err)
{
  cleanup_stmt sqlite3_stmt *stmt = husk_state_prepare (st, sql, err);
  int rc;

  if (stmt == NULL)
    return -1;
  husk_state_bind_text (stmt, 1, a);
  if (b)
    husk_state_bind_text (stmt, 2, b);
  rc = husk_state_step_done (stmt);
  if (rc != SQLITE_DONE)
    return husk_state_fail (st, rc, err, "%s", what);
  return sqlite3_changes (st->db);
}

int
husk_state_image_untag (struct husk_state *st, const char *id, const char *name,
                        husk_error_t *err)
{
  cleanup_free char *what = husk_asprintf ("untag '%s' from image '%s'", name, id);
  int n = write2 (st, "DELETE FROM image_names WHERE image_id = ?1 AND name = ?2",
                  id, name, what, err);

  if (n < 0)
    return -1;
  if (n == 0)
    return husk_error_makex (err, ENOENT, "image '%s' has no name '%s'", id, name);
  return 0;
}

int
husk_state_image_add_digest (struct husk_state *st, const char *id,
                             const char *repo_digest, husk_error_t *err)
{
  cleanup_free char *what = husk_asprintf ("add digest '%s' to image '%s'",
                                           repo_digest, id);
  cleanup_stmt sqlite3_stmt *stmt = husk_state_prepare (
      st, "INSERT OR IGNORE INTO image_digests (image_id, digest) VALUES (?1, ?2)", err);
  int rc;

  if (stmt == NULL)
    return -1;
  husk_state_bind_text (stmt, 1, id);
  husk_state_bind_text (stmt, 2, repo_digest);
  rc = husk_state_step_done (stmt);
  if (rc == SQLITE_CONSTRAINT_FOREIGNKEY)
    return husk_error_makex (err, ENOENT, "%s: no such image", what);
  if (rc != SQLITE_DONE)
    return husk_state_fail (st, rc, err, "%s", what);
  return 0;
}

int
husk_state_image_remove (struct husk_state *st, const char *id, husk_error_t *err)
{
  cleanup_free char *what = husk_asprintf ("remove image '%s'", id);
  int n = write2 (st, "DELETE FROM images WHERE id = ?1", id, NULL, what, err);

  if (n < 0)
    return -1;
  if (n == 0)
    return husk_error_makex (err, ENOENT, "no such image '%s'", id);
  return 0;
}

int
husk_state_layer_add (struct husk_state *st, const struct husk_layer_rec *r,
                      husk_error_t *err)
{
  cleanup_stmt sqlite3_stmt *stmt = husk_state_prepare (
      st, "INSERT OR IGNORE INTO layers (chain_id, parent, diff_id, size) "
      "VALUES (?1, ?2, ?3, ?4)", err);
  int rc;

  if (stmt == NULL)
    return -1;
  if (r->chain_id == NULL || r->diff_id == NULL)
    return husk_error_makex (err, EINVAL, "add layer: chain ID and diff ID are required");
  husk_state_bind_text (stmt, 1, r->chain_id);
  husk_state_bind_text (stmt, 2, r->parent && *r->parent ? r->parent : NULL);
  husk_state_bind_text (stmt, 3, r->diff_id);
  sqlite3_bind_int64 (stmt, 4, r->size);
  rc = husk_state_step_done (stmt);
  if (rc != SQLITE_DONE)
    return husk_state_fail (st, rc, err, "add layer '%s'", r->chain_id);
  return 0;
}

int
husk_state_layer_get (struct husk_state *st, const char *chain_id,
                      struct husk_layer_rec *out, husk_error_t *err)
{
  cleanup_stmt sqlite3_stmt *stmt = husk_state_prepare (
      st, "SELECT chain_id, parent, diff_id, size FROM layers WHERE chain_id = ?1", err);
  int rc;

  memset (out, 0, sizeof *out);
  if (stmt == NULL)
    return -1;
  husk_state_bind_text (stmt, 1, chain_id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_DONE)
    return husk_error_makex (err, ENOENT, "no such layer '%s'", chain_id);
  if (rc != SQLITE_ROW)
    return husk_state_fail (st, rc, err, "read layer '%s'", chain_id);
  out->chain_id = husk_state_column_text (stmt, 0);
  out->parent = husk_state_column_text (stmt, 1);
  out->diff_id = husk_state_column_text (stmt, 2);
  out->size = sqlite3_column_int64 (stmt, 3);
  return 0;
}

int64_t
husk_state_layer_refs (struct husk_state *st, const char *chain_id,
                       husk_error_t *err)
{
  cleanup_stmt sqlite3_stmt *stmt = husk_state_prepare (
      st, "SELECT count(DISTINCT image_id) FROM image_layers WHERE chain_id = ?1", err);
  int rc;

  if (stmt == NULL)
    return -1;
  husk_state_bind_text (stmt, 1, chain_id);
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW)
    return husk_state_fail (st, rc, err, "count users of layer '%s'", chain_id);
  return sqlite3_column_int64 (stmt, 0);
}

/* A recorded layer whose parent is chain_id, or NULL.  */
static char *
first_child (struct husk_state *st, const char *chain_id)
{
  husk_error_t ignored = NULL;
  cleanup_stmt sqlite3_stmt *stmt = husk_state_prepare (
      st, "SELECT chain_id FROM layers WHERE parent = ?1 LIMIT 1", &ignored);

  husk_error_release (&ignored);
  if (stmt == NULL)
    return NULL;
  husk_state_bind_text (stmt, 1, chain_id);
  if (sqlite3_step (stmt) != SQLITE_ROW)
    return NULL;
  return husk_state_column_text (stmt, 0);
}

/* Why a layer that exists could not be removed.  */
static int
layer_busy (struct husk_state *st, const char *chain_id, husk_error_t *err)
{
  cleanup_free char *child = NULL;
  int64_t refs = husk_state_layer_refs (st, chain_id, err);

  if (refs < 0)
    return -1;
  if (refs > 0)
    return husk_error_makex (err, EBUSY, "layer '%s' is used by %lld image%s",
                             chain_id, (long long) refs, refs == 1 ? "" : "s");
  child = first_child (st, chain_id);
  if (child)
    return husk_error_makex (err, EBUSY, "layer '%s' is the parent of layer '%s'",
                             chain_id, child);
  return husk_error_makex (err, EBUSY, "layer '%s' is in use", chain_id);
}

int
husk_state_layer_remove (struct husk_state *st, const char *chain_id,
                         husk_error_t *err)
{
  cleanup_free char *what = husk_asprintf ("remove layer '%s'", chain_id);
  struct husk_layer_rec r = { 0 };
  husk_error_t ignored = NULL;
  int n;

  /* One statement: the guard and the delete cannot be split by a writer
     that starts using the layer in between.  */
  n = write2 (st, "DELETE FROM layers WHERE chain_id = ?1"
              " AND NOT EXISTS (SELECT 1 FROM image_layers WHERE chain_id = ?1)"
              " AND NOT EXISTS (SELECT 1 FROM layers WHERE parent = ?1)",
              chain_id, NULL, what, err);
  if (n < 0)
    return -1;
  if (n > 0)
    return 0;
  if (husk_state_layer_get (st, chain_id, &r, &ignored) < 0)
    return husk_error_move (err, &ignored);
  husk_layer_rec_release (&r);
  return layer_busy (st, chain_id, err);
}

int
husk_state_layer_unused (struct husk_state *st, char ***out, husk_error_t *err)
{
  /* Children before parents, so removing the list in order never removes
     a layer another one still builds on.  Layers whose parent is not
     recorded count as bases.  */
  cleanup_stmt sqlite3_stmt *stmt = husk_state_prepare (
      st,
      "WITH RECURSIVE chain (chain_id, depth) AS ("
      "  SELECT chain_id, 0 FROM layers"
      "   WHERE parent IS NULL OR parent NOT IN (SELECT chain_id FROM layers)"
      "  UNION ALL"
      "  SELECT l.chain_id, c.depth + 1 FROM layers l JOIN chain c ON l.parent = c.chain_id)"
      " SELECT chain_id FROM chain"
      "  WHERE NOT EXISTS (SELECT 1 FROM image_layers i WHERE i.chain_id = chain.chain_id)"
      "  ORDER BY depth DESC, chain_id",
      err);
  cleanup_strv char **v = NULL;
  int rc;

  *out = NULL;
  if (stmt == NULL)
    return -1;
  v = husk_xzalloc (sizeof (char *));
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    husk_strv_take (&v, husk_state_column_text (stmt, 0));
  if (rc != SQLITE_DONE)
    return husk_state_fail (st, rc, err, "list unused layers");
  *out = steal_ptr (&v);
  return 0;
}
