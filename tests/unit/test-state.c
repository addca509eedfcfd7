/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests of state/: schema and migration, images, layers, metadata,
   events, transactions, and many processes writing one database at once. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "state/state.h"
#include "state/state-private.h"
#include "state/pods.h"
#include "state/secrets.h"
#include "state/volumes.h"
#include "util/cleanup.h"
#include "util/digest.h"
#include "util/fileutil.h"
#include "util/strutil.h"

#include <errno.h>
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

struct fixture
{
  char *dir;
  char *path;
  struct husk_state *st;
};

static int
setup (void **state)
{
  struct fixture *f = husk_xzalloc (sizeof *f);
  husk_error_t err = NULL;

  f->dir = husk_mkdtemp_in ("/tmp", "husk-unit-state-", &err);
  assert_non_null (f->dir);
  f->path = husk_asprintf ("%s/state.db", f->dir);
  f->st = husk_state_open (f->path, &err);
  if (f->st == NULL)
    fail_msg ("open: %s", err->msg);
  *state = f;
  return 0;
}

static int
teardown (void **state)
{
  struct fixture *f = *state;

  husk_state_free (f->st);
  husk_rm_rf (f->dir, NULL);
  free (f->dir);
  free (f->path);
  free (f);
  return 0;
}

/* A 64-hex ID (or, with prefix, a "sha256:" digest) made from a seed.  */
static char *
hexid (const char *seed)
{
  char *d = husk_digest_buf (seed, strlen (seed));
  char *id = husk_xstrdup (d + strlen ("sha256:"));

  free (d);
  return id;
}

static char *
chain (const char *seed)
{
  return husk_digest_buf (seed, strlen (seed));
}

static int64_t
count_rows (struct husk_state *st, const char *table)
{
  cleanup_free char *sql = husk_asprintf ("SELECT count(*) FROM %s", table);
  sqlite3_stmt *stmt = NULL;
  int64_t n = -1;

  assert_int_equal (sqlite3_prepare_v2 (husk_state_db (st), sql, -1, &stmt, NULL), SQLITE_OK);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    n = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  return n;
}

static int64_t
pragma_int (struct husk_state *st, const char *sql)
{
  sqlite3_stmt *stmt = NULL;
  int64_t n = -1;

  assert_int_equal (sqlite3_prepare_v2 (husk_state_db (st), sql, -1, &stmt, NULL), SQLITE_OK);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    n = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  return n;
}

static void
add_layer (struct husk_state *st, const char *chain_id, const char *parent)
{
  struct husk_layer_rec l = { (char *) chain_id, (char *) parent,
                              (char *) chain_id, 100 };
  husk_error_t err = NULL;

  if (husk_state_layer_add (st, &l, &err) < 0)
    fail_msg ("layer_add: %s", err->msg);
}

/* Record an image with layers L1 (base) and L2 and the given names.  */
static char *
add_image (struct husk_state *st, const char *seed, int64_t created,
           const char *name1, const char *name2)
{
  cleanup_free char *l1 = chain ("L1");
  cleanup_free char *l2 = chain ("L2");
  char *names[] = { (char *) name1, (char *) name2, NULL };
  char *layers[] = { l1, l2, NULL };
  struct husk_image_rec r = { 0 };
  husk_error_t err = NULL;

  add_layer (st, l1, NULL);
  add_layer (st, l2, l1);
  r.id = hexid (seed);
  r.names = names;
  r.layers = layers;
  r.config = (char *) "{\"architecture\":\"amd64\"}";
  r.created = created;
  r.size = 200;
  if (husk_state_image_add (st, &r, &err) < 0)
    fail_msg ("image_add: %s", err->msg);
  return r.id;
}

static void
open_creates_schema_and_reopen_keeps_it (void **state)
{
  struct fixture *f = *state;
  husk_error_t err = NULL;
  cleanup_free char *id = add_image (f->st, "a", 1, "docker.io/library/a:latest", NULL);
  cleanup_free char *lock = husk_asprintf ("%s.lock", f->path);

  assert_true (husk_state_schema_version () >= 1);
  assert_int_equal (pragma_int (f->st, "PRAGMA user_version"), husk_state_schema_version ());
  assert_int_equal (pragma_int (f->st, "PRAGMA foreign_keys"), 1);
  assert_true (husk_path_exists (lock));
  husk_state_free (f->st);
  f->st = husk_state_open (f->path, &err);
  assert_non_null (f->st);
  assert_int_equal (pragma_int (f->st, "PRAGMA user_version"), husk_state_schema_version ());
  assert_int_equal (count_rows (f->st, "images"), 1);
}

static void
open_uses_wal (void **state)
{
  struct fixture *f = *state;
  sqlite3_stmt *stmt = NULL;

  assert_int_equal (sqlite3_prepare_v2 (husk_state_db (f->st), "PRAGMA journal_mode",
                                        -1, &stmt, NULL), SQLITE_OK);
  assert_int_equal (sqlite3_step (stmt), SQLITE_ROW);
  assert_string_equal ((const char *) sqlite3_column_text (stmt, 0), "wal");
  sqlite3_finalize (stmt);
}

static void
open_refuses_a_newer_schema (void **state)
{
  struct fixture *f = *state;
  husk_error_t err = NULL;

  assert_int_equal (sqlite3_exec (husk_state_db (f->st), "PRAGMA user_version = 999",
                                  NULL, NULL, NULL), SQLITE_OK);
  husk_state_free (f->st);
  f->st = husk_state_open (f->path, &err);
  assert_null (f->st);
  assert_non_null (strstr (err->msg, "newer"));
  husk_error_release (&err);
}

static void
open_fails_in_a_missing_directory (void **state)
{
  struct fixture *f = *state;
  cleanup_free char *p = husk_asprintf ("%s/no/such/dir/state.db", f->dir);
  husk_error_t err = NULL;

  assert_null (husk_state_open (p, &err));
  assert_non_null (err);
  assert_non_null (strstr (err->msg, "open state database"));
  husk_error_release (&err);
}

static void
image_add_then_get_returns_everything (void **state)
{
  struct fixture *f = *state;
  cleanup_free char *l1 = chain ("L1");
  cleanup_free char *l2 = chain ("L2");
  char *names[] = { (char *) "docker.io/library/b:1", (char *) "docker.io/library/b:2", NULL };
  char *digests[] = { (char *) "docker.io/library/b@sha256:00", NULL };
  char *layers[] = { l1, l2, NULL };
  cleanup_free char *id = hexid ("b");
  struct husk_image_rec r = { id, names, digests, layers, (char *) "{}",
                              (char *) "{\"m\":1}", (char *) "sha256:11", 5, 6, 7 };
  struct husk_image_rec g;
  husk_error_t err = NULL;

  add_layer (f->st, l1, NULL);
  add_layer (f->st, l2, l1);
  assert_int_equal (husk_state_image_add (f->st, &r, &err), 0);
  assert_int_equal (husk_state_image_get (f->st, id, &g, &err), 0);
  assert_string_equal (g.id, id);
  assert_int_equal (husk_strv_len (g.names), 2);
  assert_string_equal (g.names[0], "docker.io/library/b:1");
  assert_string_equal (g.names[1], "docker.io/library/b:2");
  assert_string_equal (g.digests[0], digests[0]);
  assert_null (g.digests[1]);
  assert_string_equal (g.layers[0], l1);
  assert_string_equal (g.layers[1], l2);
  assert_null (g.layers[2]);
  assert_string_equal (g.config, "{}");
  assert_string_equal (g.manifest, "{\"m\":1}");
  assert_string_equal (g.manifest_digest, "sha256:11");
  assert_int_equal (g.created, 5);
  assert_int_equal (g.added, 6);
  assert_int_equal (g.size, 7);
  husk_image_rec_release (&g);
  assert_null (g.id);
}

static void
image_get_of_unknown_id_is_enoent (void **state)
{
  struct fixture *f = *state;
  cleanup_free char *id = hexid ("nothing");
  struct husk_image_rec g;
  husk_error_t err = NULL;

  assert_int_equal (husk_state_image_get (f->st, id, &g, &err), -1);
  assert_int_equal (err->code, ENOENT);
  husk_error_release (&err);
}

static void
image_without_names_has_empty_vectors (void **state)
{
  struct fixture *f = *state;
  cleanup_free char *id = hexid ("bare");
  struct husk_image_rec r = { .id = id, .config = (char *) "{}" };
  struct husk_image_rec g;
  husk_error_t err = NULL;

  assert_int_equal (husk_state_image_add (f->st, &r, &err), 0);
  assert_int_equal (husk_state_image_get (f->st, id, &g, &err), 0);
  assert_non_null (g.names);
  assert_null (g.names[0]);
  assert_null (g.digests[0]);
  assert_null (g.layers[0]);
  assert_null (g.manifest);
  assert_true (g.added > 0); /* 0 means now */
  husk_image_rec_release (&g);
}

static void
image_add_twice_is_eexist (void **state)
{
  struct fixture *f = *state;
  cleanup_free char *id = add_image (f->st, "a", 1, NULL, NULL);
  struct husk_image_rec r = { .id = id, .config = (char *) "{}" };
  husk_error_t err = NULL;

  assert_int_equal (husk_state_image_add (f->st, &r, &err), -1);
  assert_int_equal (err->code, EEXIST);
  husk_error_release (&err);
}

static void
image_add_with_unrecorded_layer_leaves_nothing (void **state)
{
  struct fixture *f = *state;
  cleanup_free char *id = hexid ("x");
  cleanup_free char *l = chain ("not recorded");
  char *names[] = { (char *) "docker.io/library/x:latest", NULL };
  char *layers[] = { l, NULL };
  struct husk_image_rec r = { .id = id, .names = names, .layers = layers,
                              .config = (char *) "{}" };
  husk_error_t err = NULL;

  assert_int_equal (husk_state_image_add (f->st, &r, &err), -1);
  assert_int_equal (err->code, ENOENT);
  assert_non_null (strstr (err->msg, "is not recorded"));
  husk_error_release (&err);
  assert_int_equal (count_rows (f->st, "images"), 0);
  assert_int_equal (count_rows (f->st, "image_names"), 0);
}

static void
image_add_rejects_a_bad_id (void **state)
{
  struct fixture *f = *state;
  struct husk_image_rec r = { .id = (char *) "xyz", .config = (char *) "{}" };
  husk_error_t err = NULL;

  assert_int_equal (husk_state_image_add (f->st, &r, &err), -1);
  assert_int_equal (err->code, EINVAL);
  husk_error_release (&err);
}

static void
image_add_takes_names_from_other_images (void **state)
{
  struct fixture *f = *state;
  cleanup_free char *a = add_image (f->st, "a", 1, "docker.io/library/x:latest", NULL);
  cleanup_free char *b = add_image (f->st, "b", 2, "docker.io/library/x:latest", NULL);
  cleanup_free char *id = NULL;
  husk_error_t err = NULL;

  assert_int_equal (husk_state_image_by_name (f->st, "docker.io/library/x:latest",
                                              &id, &err), 0);
  assert_string_equal (id, b);
  assert_int_equal (count_rows (f->st, "image_names"), 1);
}

static void
image_list_is_newest_first_then_by_id (void **state)
{
  struct fixture *f = *state;
  cleanup_free char *old = add_image (f->st, "old", 10, "docker.io/library/old:1", NULL);
  cleanup_free char *n1 = add_image (f->st, "new1", 20, "docker.io/library/n:1",
                                     "docker.io/library/n:2");
  cleanup_free char *n2 = add_image (f->st, "new2", 20, NULL, NULL);
  const char *first = strcmp (n1, n2) < 0 ? n1 : n2;
  const char *second = strcmp (n1, n2) < 0 ? n2 : n1;
  struct husk_image_rec *a = NULL;
  size_t n = 0;
  husk_error_t err = NULL;

  assert_int_equal (husk_state_image_list (f->st, &a, &n, &err), 0);
  assert_int_equal (n, 3);
  assert_string_equal (a[0].id, first);
  assert_string_equal (a[1].id, second);
  assert_string_equal (a[2].id, old);
  for (size_t i = 0; i < n; i++)
    {
      assert_int_equal (husk_strv_len (a[i].layers), 2);
      if (strcmp (a[i].id, n1) == 0)
        assert_int_equal (husk_strv_len (a[i].names), 2);
      else if (strcmp (a[i].id, n2) == 0)
        assert_int_equal (husk_strv_len (a[i].names), 0);
      else
        assert_string_equal (a[i].names[0], "docker.io/library/old:1");
    }
  husk_image_rec_array_free (a, n);
}

static void
image_list_of_empty_store_is_empty (void **state)
{
  struct fixture *f = *state;
  struct husk_image_rec *a = NULL;
  size_t n = 1;
  husk_error_t err = NULL;

  assert_int_equal (husk_state_image_list (f->st, &a, &n, &err), 0);
  assert_int_equal (n, 0);
  husk_image_rec_array_free (a, n);
}

static void
image_tag_moves_a_name (void **state)
{
  struct fixture *f = *state;
  cleanup_free char *a = add_image (f->st, "a", 1, "docker.io/library/x:latest", NULL);
  cleanup_free char *b = add_image (f->st, "b", 2, NULL, NULL);
  cleanup_free char *id = NULL;
  struct husk_image_rec g;
  husk_error_t err = NULL;

  assert_int_equal (husk_state_image_tag (f->st, b, "docker.io/library/x:latest", &err), 0);
  assert_int_equal (husk_state_image_by_name (f->st, "docker.io/library/x:latest", &id, &err), 0);
  assert_string_equal (id, b);
  assert_int_equal (husk_state_image_get (f->st, a, &g, &err), 0);
  assert_null (g.names[0]);
  husk_image_rec_release (&g);
  /* Tagging again with a name the image has is a no-op.  */
  assert_int_equal (husk_state_image_tag (f->st, b, "docker.io/library/x:latest", &err), 0);
  assert_int_equal (count_rows (f->st, "image_names"), 1);
}

static void
image_tag_keeps_name_order (void **state)
{
  struct fixture *f = *state;
  cleanup_free char *a = add_image (f->st, "a", 1, "docker.io/library/x:1",
                                    "docker.io/library/x:2");
  struct husk_image_rec g;
  husk_error_t err = NULL;

  assert_int_equal (husk_state_image_tag (f->st, a, "docker.io/library/x:1", &err), 0);
  assert_int_equal (husk_state_image_tag (f->st, a, "docker.io/library/x:3", &err), 0);
  assert_int_equal (husk_state_image_get (f->st, a, &g, &err), 0);
  assert_string_equal (g.names[0], "docker.io/library/x:1");
  assert_string_equal (g.names[1], "docker.io/library/x:2");
  assert_string_equal (g.names[2], "docker.io/library/x:3");
  husk_image_rec_release (&g);
}

static void
image_tag_of_unknown_image_is_enoent (void **state)
{
  struct fixture *f = *state;
  cleanup_free char *id = hexid ("none");
  husk_error_t err = NULL;

  assert_int_equal (husk_state_image_tag (f->st, id, "docker.io/library/x:1", &err), -1);
  assert_int_equal (err->code, ENOENT);
  husk_error_release (&err);
  assert_int_equal (count_rows (f->st, "image_names"), 0);
}

static void
image_untag_removes_one_name (void **state)
{
  struct fixture *f = *state;
  cleanup_free char *a = add_image (f->st, "a", 1, "docker.io/library/x:1",
                                    "docker.io/library/x:2");
  cleanup_free char *id = NULL;
  husk_error_t err = NULL;

  assert_int_equal (husk_state_image_untag (f->st, a, "docker.io/library/x:1", &err), 0);
  assert_int_equal (husk_state_image_by_name (f->st, "docker.io/library/x:1", &id, &err), -1);
  assert_int_equal (err->code, ENOENT);
  husk_error_release (&err);
  assert_int_equal (husk_state_image_by_name (f->st, "docker.io/library/x:2", &id, &err), 0);
  assert_int_equal (husk_state_image_untag (f->st, a, "docker.io/library/x:1", &err), -1);
  assert_int_equal (err->code, ENOENT);
  husk_error_release (&err);
}

static void
image_by_prefix_resolves_unique_prefixes (void **state)
{
  struct fixture *f = *state;
  cleanup_free char *a = add_image (f->st, "a", 1, NULL, NULL);
  cleanup_free char *prefix = husk_xstrndup (a, 12);
  cleanup_free char *with_algo = husk_asprintf ("sha256:%s", prefix);
  char *id = NULL;
  husk_error_t err = NULL;

  assert_int_equal (husk_state_image_by_prefix (f->st, prefix, &id, &err), 0);
  assert_string_equal (id, a);
  free (steal_ptr (&id));
  assert_int_equal (husk_state_image_by_prefix (f->st, a, &id, &err), 0);
  assert_string_equal (id, a);
  free (steal_ptr (&id));
  assert_int_equal (husk_state_image_by_prefix (f->st, with_algo, &id, &err), 0);
  assert_string_equal (id, a);
  free (steal_ptr (&id));
}

static void
image_by_prefix_reports_ambiguity (void **state)
{
  struct fixture *f = *state;
  char seed[16];
  cleanup_free char *first = NULL;
  char *id = NULL;
  husk_error_t err = NULL;
  char p[2] = { 0, 0 };

  /* 40 random IDs share at least one first hex digit.  */
  for (int i = 0; i < 40; i++)
    {
      snprintf (seed, sizeof seed, "img%d", i);
      free (add_image (f->st, seed, i, NULL, NULL));
    }
  for (const char *c = "0123456789abcdef"; *c; c++)
    {
      p[0] = *c;
      if (husk_state_image_by_prefix (f->st, p, &id, &err) < 0 && err->code == EINVAL)
        break;
      husk_error_release (&err);
      free (steal_ptr (&id));
    }
  assert_non_null (err);
  assert_int_equal (err->code, EINVAL);
  first = husk_asprintf ("short ID '%s' is ambiguous", p);
  assert_string_equal (err->msg, first);
  assert_null (id);
  husk_error_release (&err);
}

static void
image_by_prefix_of_nothing_is_enoent (void **state)
{
  struct fixture *f = *state;
  cleanup_free char *a = add_image (f->st, "a", 1, NULL, NULL);
  char p[3] = { a[0], a[1], 0 };
  char *id = NULL;
  husk_error_t err = NULL;

  /* Flip the second digit: no ID starts with it.  */
  p[1] = p[1] == '0' ? '1' : '0';
  assert_int_equal (husk_state_image_by_prefix (f->st, p, &id, &err), -1);
  assert_int_equal (err->code, ENOENT);
  husk_error_release (&err);
  assert_int_equal (husk_state_image_by_prefix (f->st, "busybox", &id, &err), -1);
  assert_int_equal (err->code, ENOENT);
  husk_error_release (&err);
  assert_int_equal (husk_state_image_by_prefix (f->st, "", &id, &err), -1);
  assert_int_equal (err->code, ENOENT);
  husk_error_release (&err);
}

static void
image_by_digest_finds_repo_digests (void **state)
{
  struct fixture *f = *state;
  cleanup_free char *a = add_image (f->st, "a", 1, NULL, NULL);
  cleanup_free char *d = husk_asprintf ("docker.io/library/a@sha256:%s", a);
  cleanup_free char *id = NULL;
  husk_error_t err = NULL;

  assert_int_equal (husk_state_image_by_digest (f->st, d, &id, &err), -1);
  assert_int_equal (err->code, ENOENT);
  husk_error_release (&err);
  assert_int_equal (husk_state_image_add_digest (f->st, a, d, &err), 0);
  assert_int_equal (husk_state_image_add_digest (f->st, a, d, &err), 0); /* twice is fine */
  assert_int_equal (husk_state_image_by_digest (f->st, d, &id, &err), 0);
  assert_string_equal (id, a);
  assert_int_equal (count_rows (f->st, "image_digests"), 1);
}

static void
image_remove_cascades_to_names_digests_and_layer_links (void **state)
{
  struct fixture *f = *state;
  cleanup_free char *a = add_image (f->st, "a", 1, "docker.io/library/a:1", NULL);
  cleanup_free char *b = add_image (f->st, "b", 1, "docker.io/library/b:1", NULL);
  cleanup_free char *l1 = chain ("L1");
  husk_error_t err = NULL;

  assert_int_equal (husk_state_image_add_digest (f->st, a, "docker.io/library/a@sha256:00",
                                                 &err), 0);
  assert_int_equal (husk_state_layer_refs (f->st, l1, &err), 2);
  assert_int_equal (husk_state_image_remove (f->st, a, &err), 0);
  assert_int_equal (count_rows (f->st, "images"), 1);
  assert_int_equal (count_rows (f->st, "image_names"), 1);
  assert_int_equal (count_rows (f->st, "image_digests"), 0);
  assert_int_equal (count_rows (f->st, "image_layers"), 2);
  assert_int_equal (count_rows (f->st, "layers"), 2);
  assert_int_equal (husk_state_layer_refs (f->st, l1, &err), 1);
  assert_int_equal (husk_state_image_remove (f->st, a, &err), -1);
  assert_int_equal (err->code, ENOENT);
  husk_error_release (&err);
}

static void
layer_add_twice_is_fine (void **state)
{
  struct fixture *f = *state;
  cleanup_free char *l = chain ("L");
  struct husk_layer_rec g;
  husk_error_t err = NULL;

  add_layer (f->st, l, NULL);
  add_layer (f->st, l, NULL);
  assert_int_equal (count_rows (f->st, "layers"), 1);
  assert_int_equal (husk_state_layer_get (f->st, l, &g, &err), 0);
  assert_string_equal (g.chain_id, l);
  assert_null (g.parent);
  assert_int_equal (g.size, 100);
  husk_layer_rec_release (&g);
}

static void
layer_unused_lists_children_before_parents (void **state)
{
  struct fixture *f = *state;
  cleanup_free char *a = add_image (f->st, "a", 1, NULL, NULL); /* uses L1, L2 */
  cleanup_free char *l1 = chain ("L1");
  cleanup_free char *l2 = chain ("L2");
  cleanup_free char *u1 = chain ("U1");
  cleanup_free char *u2 = chain ("U2");
  cleanup_free char *u3 = chain ("U3");
  cleanup_strv char **v = NULL;
  husk_error_t err = NULL;

  add_layer (f->st, u1, NULL);
  add_layer (f->st, u3, u2); /* child recorded before its parent */
  add_layer (f->st, u2, u1);
  assert_int_equal (husk_state_layer_unused (f->st, &v, &err), 0);
  assert_int_equal (husk_strv_len (v), 3);
  assert_string_equal (v[0], u3);
  assert_string_equal (v[1], u2);
  assert_string_equal (v[2], u1);
  husk_strv_free (steal_ptr (&v));

  assert_int_equal (husk_state_image_remove (f->st, a, &err), 0);
  assert_int_equal (husk_state_layer_unused (f->st, &v, &err), 0);
  assert_int_equal (husk_strv_len (v), 5);
  for (size_t i = 0; v[i]; i++)
    assert_int_equal (husk_state_layer_remove (f->st, v[i], &err), 0);
  assert_int_equal (count_rows (f->st, "layers"), 0);
  (void) l1;
  (void) l2;
}

static void
layer_remove_refuses_layers_in_use (void **state)
{
  struct fixture *f = *state;
  cleanup_free char *a = add_image (f->st, "a", 1, NULL, NULL);
  cleanup_free char *l1 = chain ("L1");
  cleanup_free char *l2 = chain ("L2");
  cleanup_free char *c = chain ("child");
  cleanup_free char *missing = chain ("missing");
  husk_error_t err = NULL;

  assert_int_equal (husk_state_layer_remove (f->st, l2, &err), -1);
  assert_int_equal (err->code, EBUSY);
  assert_non_null (strstr (err->msg, "used by 1 image"));
  husk_error_release (&err);
  assert_int_equal (husk_state_image_remove (f->st, a, &err), 0);
  add_layer (f->st, c, l2);
  assert_int_equal (husk_state_layer_remove (f->st, l2, &err), -1);
  assert_int_equal (err->code, EBUSY);
  assert_non_null (strstr (err->msg, "is the parent of"));
  husk_error_release (&err);
  assert_int_equal (husk_state_layer_remove (f->st, missing, &err), -1);
  assert_int_equal (err->code, ENOENT);
  husk_error_release (&err);
  (void) l1;
}

static void
meta_set_get_unset (void **state)
{
  struct fixture *f = *state;
  char *v = (char *) "junk";
  husk_error_t err = NULL;

  assert_int_equal (husk_state_meta_get (f->st, "driver", &v, &err), 0);
  assert_null (v);
  assert_int_equal (husk_state_meta_set (f->st, "driver", "overlay", &err), 0);
  assert_int_equal (husk_state_meta_set (f->st, "driver", "vfs", &err), 0);
  assert_int_equal (husk_state_meta_get (f->st, "driver", &v, &err), 0);
  assert_string_equal (v, "vfs");
  free (v);
  assert_int_equal (husk_state_meta_set (f->st, "driver", NULL, &err), 0);
  assert_int_equal (husk_state_meta_get (f->st, "driver", &v, &err), 0);
  assert_null (v);
}

static void
events_are_recorded_and_listed_in_order (void **state)
{
  struct fixture *f = *state;
  struct husk_event_rec e1 = { 1000, (char *) "image", (char *) "pull", (char *) "abc",
                               (char *) "docker.io/library/a:1", (char *) "{\"k\":\"v\"}" };
  struct husk_event_rec e2 = { 2000, (char *) "image", (char *) "tag", (char *) "abc",
                               NULL, NULL };
  struct husk_event_rec e3 = { 0, (char *) "image", (char *) "remove", (char *) "abc" };
  struct husk_event_rec *a = NULL;
  size_t n = 0;
  husk_error_t err = NULL;

  assert_int_equal (husk_state_event_add (f->st, &e1, &err), 0);
  assert_int_equal (husk_state_event_add (f->st, &e2, &err), 0);
  assert_int_equal (husk_state_event_add (f->st, &e3, &err), 0);
  assert_int_equal (husk_state_event_list (f->st, 0, 0, 0, &a, &n, &err), 0);
  assert_int_equal (n, 3);
  assert_string_equal (a[0].action, "pull");
  assert_string_equal (a[0].name, "docker.io/library/a:1");
  assert_string_equal (a[0].attributes, "{\"k\":\"v\"}");
  assert_int_equal (a[0].time_ns, 1000);
  assert_null (a[1].name);
  assert_true (a[2].time_ns > 1600000000LL * 1000000000LL); /* 0 means now */
  assert_true (a[0].seq < a[1].seq && a[1].seq < a[2].seq);
  {
    int64_t after = a[0].seq;
    husk_event_rec_array_free (a, n);
    assert_int_equal (husk_state_event_list (f->st, after, 0, 0, &a, &n, &err), 0);
    assert_int_equal (n, 2);
    assert_string_equal (a[0].action, "tag");
    husk_event_rec_array_free (a, n);
  }
  assert_int_equal (husk_state_event_list (f->st, 0, 1500, 2001, &a, &n, &err), 0);
  assert_int_equal (n, 1);
  assert_string_equal (a[0].action, "tag");
  husk_event_rec_array_free (a, n);
}

static void
event_attributes_must_be_a_json_object (void **state)
{
  struct fixture *f = *state;
  struct husk_event_rec e = { 1, (char *) "image", (char *) "pull", (char *) "abc",
                              NULL, (char *) "[1, 2]" };
  husk_error_t err = NULL;

  assert_int_equal (husk_state_event_add (f->st, &e, &err), -1);
  assert_int_equal (err->code, EINVAL);
  husk_error_release (&err);
  e.attributes = (char *) "{not json";
  assert_int_equal (husk_state_event_add (f->st, &e, &err), -1);
  husk_error_release (&err);
  assert_int_equal (count_rows (f->st, "events"), 0);
}

static void
event_prune_keeps_the_newest_and_seq_keeps_growing (void **state)
{
  struct fixture *f = *state;
  struct husk_event_rec e = { 1, (char *) "image", (char *) "pull", (char *) "abc" };
  struct husk_event_rec *a = NULL;
  size_t n = 0;
  int64_t last;
  husk_error_t err = NULL;

  for (int i = 0; i < 10; i++)
    assert_int_equal (husk_state_event_add (f->st, &e, &err), 0);
  assert_int_equal (husk_state_event_prune (f->st, 3, &err), 0);
  assert_int_equal (husk_state_event_list (f->st, 0, 0, 0, &a, &n, &err), 0);
  assert_int_equal (n, 3);
  last = a[2].seq;
  husk_event_rec_array_free (a, n);
  /* Even "keep none" keeps the newest: seq goes on from it.  */
  assert_int_equal (husk_state_event_prune (f->st, 0, &err), 0);
  assert_int_equal (count_rows (f->st, "events"), 1);
  assert_int_equal (husk_state_event_add (f->st, &e, &err), 0);
  assert_int_equal (husk_state_event_list (f->st, last, 0, 0, &a, &n, &err), 0);
  assert_int_equal (n, 1);
  assert_true (a[0].seq > last);
  husk_event_rec_array_free (a, n);
}

/* A store of schema version 4 (events with AUTOINCREMENT and a time
   index) migrates: every event keeps its seq, time and fields, a new one
   follows the last, and no event writes sqlite_sequence any more.  */
static void
events_keep_their_seq_through_the_migration_to_version_5 (void **state)
{
  struct fixture *f = *state;
  cleanup_free char *p = husk_asprintf ("%s/v4.db", f->dir);
  struct husk_event_rec e = { 0, (char *) "container", (char *) "start", (char *) "c1" };
  struct husk_event_rec *a = NULL;
  husk_error_t err = NULL;
  struct husk_state *st;
  sqlite3 *db = NULL;
  size_t n = 0;

  assert_int_equal (sqlite3_open (p, &db), SQLITE_OK);
  for (size_t i = 0; i < 4; i++)
    assert_int_equal (sqlite3_exec (db, husk_state_migrations[i], NULL, NULL, NULL), SQLITE_OK);
  assert_int_equal (sqlite3_exec (db, "PRAGMA user_version = 4;"
                                  "INSERT INTO events (time_ns, type, action, id) VALUES"
                                  " (100, 'image', 'pull', 'i1'), (200, 'image', 'tag', 'i1'),"
                                  " (300, 'image', 'remove', 'i1');"
                                  "DELETE FROM events WHERE seq = 1;",
                                  NULL, NULL, NULL), SQLITE_OK);
  sqlite3_close (db);

  st = husk_state_open (p, &err);
  assert_non_null (st);
  assert_int_equal (pragma_int (st, "PRAGMA user_version"), husk_state_schema_version ());
  assert_int_equal (husk_state_event_list (st, 0, 0, 0, &a, &n, &err), 0);
  assert_int_equal (n, 2);
  assert_int_equal (a[0].seq, 2);
  assert_int_equal (a[0].time_ns, 200);
  assert_string_equal (a[0].action, "tag");
  assert_int_equal (a[1].seq, 3);
  assert_string_equal (a[1].id, "i1");
  husk_event_rec_array_free (a, n);
  assert_int_equal (husk_state_event_add (st, &e, &err), 0);
  assert_int_equal (husk_state_event_list (st, 3, 0, 0, &a, &n, &err), 0);
  assert_int_equal (n, 1);
  assert_int_equal (a[0].seq, 4);
  husk_event_rec_array_free (a, n);
  assert_int_equal (pragma_int (st, "SELECT count(*) FROM sqlite_sequence"), 0);
  assert_int_equal (pragma_int (st, "SELECT count(*) FROM sqlite_master WHERE name = 'events_time'"), 0);
  husk_state_free (st);
}

static void
rollback_leaves_nothing (void **state)
{
  struct fixture *f = *state;
  husk_error_t err = NULL;
  cleanup_free char *id = NULL;

  assert_int_equal (husk_state_begin (f->st, &err), 0);
  id = add_image (f->st, "a", 1, "docker.io/library/a:1", NULL);
  assert_int_equal (husk_state_meta_set (f->st, "k", "v", &err), 0);
  husk_state_rollback (f->st);
  assert_int_equal (count_rows (f->st, "images"), 0);
  assert_int_equal (count_rows (f->st, "image_names"), 0);
  assert_int_equal (count_rows (f->st, "layers"), 0);
  assert_int_equal (count_rows (f->st, "meta"), 0);
  husk_state_rollback (f->st); /* nothing open: harmless */
}

static void
nested_transactions_are_savepoints (void **state)
{
  struct fixture *f = *state;
  husk_error_t err = NULL;

  /* Inner rollback, outer commit: only the outer work stays.  */
  assert_int_equal (husk_state_begin (f->st, &err), 0);
  assert_int_equal (husk_state_meta_set (f->st, "outer", "1", &err), 0);
  assert_int_equal (husk_state_begin (f->st, &err), 0);
  assert_int_equal (husk_state_meta_set (f->st, "inner", "1", &err), 0);
  husk_state_rollback (f->st);
  assert_int_equal (husk_state_commit (f->st, &err), 0);
  assert_int_equal (count_rows (f->st, "meta"), 1);

  /* Inner commit, outer rollback: nothing stays.  */
  assert_int_equal (husk_state_begin (f->st, &err), 0);
  assert_int_equal (husk_state_begin (f->st, &err), 0);
  assert_int_equal (husk_state_meta_set (f->st, "inner2", "1", &err), 0);
  assert_int_equal (husk_state_commit (f->st, &err), 0);
  husk_state_rollback (f->st);
  assert_int_equal (count_rows (f->st, "meta"), 1);

  assert_int_equal (husk_state_commit (f->st, &err), -1); /* none open */
  husk_error_release (&err);
}

static void
failed_image_add_inside_a_transaction_keeps_the_rest (void **state)
{
  struct fixture *f = *state;
  cleanup_free char *a = NULL;
  struct husk_image_rec dup = { 0 };
  husk_error_t err = NULL;

  assert_int_equal (husk_state_begin (f->st, &err), 0);
  a = add_image (f->st, "a", 1, "docker.io/library/a:1", NULL);
  dup.id = a;
  dup.config = (char *) "{}";
  assert_int_equal (husk_state_image_add (f->st, &dup, &err), -1);
  husk_error_release (&err);
  assert_int_equal (husk_state_commit (f->st, &err), 0);
  assert_int_equal (count_rows (f->st, "images"), 1);
  assert_int_equal (count_rows (f->st, "image_names"), 1);
}

/* Concurrency: many processes create, migrate and write one database at
   the same time.  Every write must succeed: the busy timeout, BEGIN
   IMMEDIATE and the open lock are what make that true.  */
#define CHILDREN 20
#define ROUNDS 20

static int
child_round (struct husk_state *st, int k, int i, husk_error_t *err)
{
  char seed[64], name[96], tag[96];
  cleanup_free char *base = chain ("base");
  cleanup_free char *own = NULL;
  cleanup_free char *id = NULL;
  cleanup_free char *found = NULL;
  cleanup_free char *prefix = NULL;
  struct husk_image_rec *list = NULL;
  size_t n = 0;
  struct husk_layer_rec lb = { base, NULL, base, 1 };
  struct husk_layer_rec lo = { NULL, base, NULL, 1 };
  char *names[] = { name, (char *) "docker.io/library/shared:latest", NULL };
  char *layers[] = { base, NULL, NULL };
  struct husk_image_rec r = { 0 };
  struct husk_event_rec e = { 0, (char *) "image", (char *) "pull", NULL };
  bool explicit_tx = i % 2 == 0;

  snprintf (seed, sizeof seed, "child %d round %d", k, i);
  snprintf (name, sizeof name, "docker.io/library/c%d-i%d:latest", k, i);
  snprintf (tag, sizeof tag, "docker.io/library/c%d:t%d", k, i);
  own = chain (seed);
  id = hexid (seed);
  lo.chain_id = lo.diff_id = own;
  layers[1] = own;
  r.id = id;
  r.names = names;
  r.layers = layers;
  r.config = (char *) "{}";
  r.created = k * 100 + i;
  e.id = id;

  /* Even rounds: one explicit transaction that reads before it writes
     (the pattern that fails with SQLITE_BUSY_SNAPSHOT unless the
     transaction takes the write lock up front); odd: every helper alone. */
  if (explicit_tx)
    {
      if (husk_state_begin (st, err) < 0)
        return -1;
      if (husk_state_image_by_name (st, name, &found, err) == 0
          || (*err)->code != ENOENT)
        {
          husk_state_rollback (st);
          return -1;
        }
      husk_error_release (err);
    }
  if (husk_state_layer_add (st, &lb, err) < 0 || husk_state_layer_add (st, &lo, err) < 0
      || husk_state_image_add (st, &r, err) < 0 || husk_state_event_add (st, &e, err) < 0)
    {
      if (explicit_tx)
        husk_state_rollback (st);
      return -1;
    }
  if (explicit_tx && husk_state_commit (st, err) < 0)
    return -1;
  if (husk_state_image_tag (st, id, tag, err) < 0
      || husk_state_image_untag (st, id, name, err) < 0
      || husk_state_image_list (st, &list, &n, err) < 0)
    return -1;
  husk_image_rec_array_free (list, n);
  if (n < 1)
    return husk_error_makex (err, EIO, "list returned nothing");
  prefix = husk_xstrndup (id, 16);
  if (husk_state_image_by_prefix (st, prefix, &found, err) < 0)
    return -1;
  if (strcmp (found, id) != 0)
    return husk_error_makex (err, EIO, "prefix resolved to the wrong image");
  return 0;
}

static int
child_main (const char *path, int k, int gate)
{
  husk_error_t err = NULL;
  struct husk_state *st;
  char c;

  /* Wait until every child exists, so the opens really race.  */
  while (read (gate, &c, 1) < 0 && errno == EINTR)
    ;
  st = husk_state_open (path, &err);
  if (st == NULL)
    {
      fprintf (stderr, "child %d: %s\n", k, err->msg);
      return 1;
    }
  for (int i = 0; i < ROUNDS; i++)
    if (child_round (st, k, i, &err) < 0)
      {
        fprintf (stderr, "child %d round %d: %s\n", k, i, err->msg);
        husk_state_free (st);
        return 1;
      }
  husk_state_free (st);
  return 0;
}

static void
concurrent_processes_all_succeed (void **state)
{
  struct fixture *f = *state;
  cleanup_free char *path = husk_asprintf ("%s/race.db", f->dir);
  pid_t pids[CHILDREN];
  int gate[2];
  int failures = 0;
  husk_error_t err = NULL;
  struct husk_state *st;
  cleanup_free char *id = NULL;
  char *gone = NULL;

  assert_int_equal (pipe (gate), 0);
  for (int k = 0; k < CHILDREN; k++)
    {
      pids[k] = fork ();
      assert_true (pids[k] >= 0);
      if (pids[k] == 0)
        {
          close (gate[1]);
          _exit (child_main (path, k, gate[0]));
        }
    }
  close (gate[0]);
  close (gate[1]); /* EOF opens the gate */
  for (int k = 0; k < CHILDREN; k++)
    {
      int status = 0;

      assert_int_equal (waitpid (pids[k], &status, 0), pids[k]);
      if (!WIFEXITED (status) || WEXITSTATUS (status) != 0)
        failures++;
    }
  assert_int_equal (failures, 0);

  st = husk_state_open (path, &err);
  assert_non_null (st);
  assert_int_equal (count_rows (st, "images"), CHILDREN * ROUNDS);
  assert_int_equal (count_rows (st, "layers"), CHILDREN * ROUNDS + 1);
  assert_int_equal (count_rows (st, "image_layers"), CHILDREN * ROUNDS * 2);
  assert_int_equal (count_rows (st, "events"), CHILDREN * ROUNDS);
  /* Each image kept its tag; the shared name belongs to exactly one.  */
  assert_int_equal (count_rows (st, "image_names"), CHILDREN * ROUNDS + 1);
  assert_int_equal (husk_state_image_by_name (st, "docker.io/library/shared:latest",
                                              &id, &err), 0);
  assert_int_equal (husk_state_image_by_name (st, "docker.io/library/c0-i0:latest",
                                              &gone, &err), -1);
  assert_null (gone);
  husk_error_release (&err);
  assert_int_equal (pragma_int (st, "PRAGMA user_version"), husk_state_schema_version ());
  husk_state_free (st);
}

/* A store of schema version 6 (before pods) migrates: its container
   keeps its row, pods can be added and looked up, and a pod's containers
   are those whose configuration names it.  */
static void
pods_arrive_with_the_migration_to_version_7 (void **state)
{
  struct fixture *f = *state;
  cleanup_free char *p = husk_asprintf ("%s/v6.db", f->dir);
  const char *id = "aaaa000000000000000000000000000000000000000000000000000000000000";
  struct husk_pod_rec pod = { (char *) id, (char *) "web", 1, (char *) "{}", (char *) "" };
  struct husk_pod_rec got = { 0 };
  struct husk_container_rec *m = NULL;
  husk_error_t err = NULL;
  struct husk_state *st;
  char *found = NULL;
  sqlite3 *db = NULL;
  size_t n = 0;

  assert_int_equal (sqlite3_open (p, &db), SQLITE_OK);
  for (size_t i = 0; i < 6; i++)
    assert_int_equal (sqlite3_exec (db, husk_state_migrations[i], NULL, NULL, NULL), SQLITE_OK);
  assert_int_equal (sqlite3_exec (db, "PRAGMA user_version = 6;"
                                  "INSERT INTO containers (id, name, image_id, config, state)"
                                  " VALUES ('c1', 'one', 'i', '{\"pod\":\"aaaa000000000000000000000000000000000000000000000000000000000000\"}', 'created'),"
                                  " ('c2', 'two', 'i', 'not json', 'created');",
                                  NULL, NULL, NULL), SQLITE_OK);
  sqlite3_close (db);

  st = husk_state_open (p, &err);
  assert_non_null (st);
  assert_int_equal (pragma_int (st, "PRAGMA user_version"), husk_state_schema_version ());
  assert_int_equal (husk_state_pod_add (st, &pod, &err), 0);
  assert_int_equal (husk_state_pod_add (st, &(struct husk_pod_rec){ (char *) "bbbb", (char *) "web",
                                                                    2, (char *) "{}", NULL },
                                        &err), -1);
  assert_int_equal (err->code, EEXIST);
  husk_error_release (&err);
  assert_int_equal (husk_state_pod_lookup (st, "aaaa0", &found, &err), 0);
  assert_string_equal (found, id);
  free (found);
  assert_int_equal (husk_state_pod_lookup (st, "nothere", &found, &err), -1);
  assert_int_equal (err->code, ENOENT);
  husk_error_release (&err);
  assert_int_equal (husk_state_pod_get (st, id, &got, &err), 0);
  assert_string_equal (got.name, "web");
  husk_pod_rec_release (&got);
  assert_int_equal (husk_state_pod_containers (st, id, &m, &n, &err), 0);
  assert_int_equal (n, 1);
  assert_string_equal (m[0].name, "one");
  husk_container_rec_array_free (m, n);
  assert_int_equal (husk_state_pod_remove (st, id, &err), 0);
  assert_int_equal (husk_state_pod_get (st, id, &got, &err), -1);
  husk_error_release (&err);
  husk_state_free (st);
}

/* A store of schema version 7 (before secrets) migrates: secrets can be
   added, found by name, ID or ID prefix, saved and removed, and a second
   secret of the same name is refused.  */
static void
secrets_arrive_with_the_migration_to_version_8 (void **state)
{
  struct fixture *f = *state;
  cleanup_free char *p = husk_asprintf ("%s/v7.db", f->dir);
  struct husk_secret_rec rec = { (char *) "0123456789abcdef012345678", (char *) "pw",
                                 (char *) "file", (char *) "{\"a\":\"b\"}", 1, 1 };
  struct husk_secret_rec got = { 0 }, *all = NULL;
  husk_error_t err = NULL;
  struct husk_state *st;
  char *found = NULL;
  sqlite3 *db = NULL;
  size_t n = 0;

  assert_int_equal (sqlite3_open (p, &db), SQLITE_OK);
  for (size_t i = 0; i < 7; i++)
    assert_int_equal (sqlite3_exec (db, husk_state_migrations[i], NULL, NULL, NULL), SQLITE_OK);
  assert_int_equal (sqlite3_exec (db, "PRAGMA user_version = 7;", NULL, NULL, NULL), SQLITE_OK);
  sqlite3_close (db);

  st = husk_state_open (p, &err);
  assert_non_null (st);
  assert_int_equal (pragma_int (st, "PRAGMA user_version"), husk_state_schema_version ());
  assert_int_equal (husk_state_secret_add (st, &rec, &err), 0);
  assert_int_equal (husk_state_secret_add (st, &(struct husk_secret_rec){ (char *) "fff", (char *) "pw",
                                                                          NULL, NULL, 2, 2 },
                                           &err), -1);
  assert_int_equal (err->code, EEXIST);
  assert_string_equal (err->msg, "pw: secret name in use");
  husk_error_release (&err);
  assert_int_equal (husk_state_secret_lookup (st, "pw", &found, &err), 0);
  assert_string_equal (found, rec.id);
  free (found);
  assert_int_equal (husk_state_secret_lookup (st, "01234", &found, &err), 0);
  assert_string_equal (found, rec.id);
  free (found);
  /* By name only: an ID prefix is not a name.  */
  assert_int_equal (husk_state_secret_find_name (st, "pw", &found, &err), 0);
  assert_string_equal (found, rec.id);
  free (found);
  assert_int_equal (husk_state_secret_find_name (st, "01234", &found, &err), 0);
  assert_null (found);
  assert_int_equal (husk_state_secret_lookup (st, "nothere", &found, &err), -1);
  assert_int_equal (err->code, ENOENT);
  husk_error_release (&err);
  rec.updated = 5;
  assert_int_equal (husk_state_secret_save (st, &rec, &err), 0);
  assert_int_equal (husk_state_secret_get (st, rec.id, &got, &err), 0);
  assert_string_equal (got.name, "pw");
  assert_string_equal (got.labels, "{\"a\":\"b\"}");
  assert_int_equal (got.created, 1);
  assert_int_equal (got.updated, 5);
  husk_secret_rec_release (&got);
  assert_int_equal (husk_state_secret_list (st, &all, &n, &err), 0);
  assert_int_equal (n, 1);
  husk_secret_rec_array_free (all, n);
  assert_int_equal (husk_state_secret_remove (st, rec.id, &err), 0);
  assert_int_equal (husk_state_secret_get (st, rec.id, &got, &err), -1);
  assert_int_equal (err->code, ENOENT);
  husk_error_release (&err);
  husk_state_free (st);
}

/* Containers, pods and volumes are found by a unique prefix of their ID
   (a volume: of its name); a prefix two share is refused with "more than
   one result", one nobody has with ENOENT; their listings hold every row.  */
static void
lookups_by_prefix_find_one_and_refuse_ambiguity (void **state)
{
  struct fixture *f = *state;
  static const char *const ids[] = {
    "abcd100000000000000000000000000000000000000000000000000000000000",
    "abcd200000000000000000000000000000000000000000000000000000000000",
  };
  struct husk_container_rec *cs = NULL;
  struct husk_volume_rec *vs = NULL;
  struct husk_pod_rec *ps = NULL;
  husk_error_t err = NULL;
  char *found = NULL;
  size_t n = 0;

  for (int i = 0; i < 2; i++)
    {
      cleanup_free char *name = husk_asprintf ("c%d", i);
      cleanup_free char *pname = husk_asprintf ("p%d", i);
      cleanup_free char *vname = husk_asprintf ("data%d", i);
      struct husk_container_rec c = { .id = (char *) ids[i], .name = name, .image_id = (char *) "i",
                                      .config = (char *) "{}", .state = (char *) "created",
                                      .created = i + 1 };
      struct husk_pod_rec p = { (char *) ids[i], pname, i + 1, (char *) "{}", (char *) "" };
      struct husk_volume_rec v = { .name = vname, .driver = (char *) "local",
                                   .labels = (char *) "{}", .options = (char *) "{}" };
      assert_int_equal (husk_state_container_add (f->st, &c, &err), 0);
      assert_int_equal (husk_state_pod_add (f->st, &p, &err), 0);
      assert_int_equal (husk_state_volume_add (f->st, &v, &err), 0);
    }

  assert_int_equal (husk_state_container_lookup (f->st, "abcd2", &found, &err), 0);
  assert_string_equal (found, ids[1]);
  free (found);
  assert_int_equal (husk_state_container_lookup (f->st, "abcd", &found, &err), -1);
  assert_int_equal (err->code, EINVAL);
  assert_non_null (strstr (err->msg, "more than one result for container"));
  husk_error_release (&err);
  assert_int_equal (husk_state_container_lookup (f->st, "abce", &found, &err), -1);
  assert_int_equal (err->code, ENOENT);
  husk_error_release (&err);

  assert_int_equal (husk_state_pod_lookup (f->st, "abcd1", &found, &err), 0);
  assert_string_equal (found, ids[0]);
  free (found);
  assert_int_equal (husk_state_pod_lookup (f->st, "abcd", &found, &err), -1);
  assert_int_equal (err->code, EINVAL);
  husk_error_release (&err);

  assert_int_equal (husk_state_volume_lookup (f->st, "data1", &found, &err), 0);
  assert_string_equal (found, "data1");
  free (found);
  assert_int_equal (husk_state_volume_lookup (f->st, "dat", &found, &err), -1);
  assert_int_equal (err->code, EINVAL);
  assert_non_null (strstr (err->msg, "more than one result for volume"));
  husk_error_release (&err);
  assert_int_equal (husk_state_volume_lookup (f->st, "x", &found, &err), -1);
  assert_int_equal (err->code, ENOENT);
  husk_error_release (&err);

  assert_int_equal (husk_state_container_list (f->st, &cs, &n, &err), 0);
  assert_int_equal (n, 2);
  assert_string_equal (cs[0].name, "c1"); /* newest first */
  husk_container_rec_array_free (cs, n);
  assert_int_equal (husk_state_pod_list (f->st, &ps, &n, &err), 0);
  assert_int_equal (n, 2);
  husk_pod_rec_array_free (ps, n);
  assert_int_equal (husk_state_volume_list (f->st, &vs, &n, &err), 0);
  assert_int_equal (n, 2);
  assert_string_equal (vs[1].name, "data1");
  husk_volume_rec_array_free (vs, n);
}

#define T(name) cmocka_unit_test_setup_teardown (name, setup, teardown)

int
main (void)
{
  const struct CMUnitTest tests[] = {
    T (open_creates_schema_and_reopen_keeps_it),
    T (open_uses_wal),
    T (open_refuses_a_newer_schema),
    T (open_fails_in_a_missing_directory),
    T (image_add_then_get_returns_everything),
    T (image_get_of_unknown_id_is_enoent),
    T (image_without_names_has_empty_vectors),
    T (image_add_twice_is_eexist),
    T (image_add_with_unrecorded_layer_leaves_nothing),
    T (image_add_rejects_a_bad_id),
    T (image_add_takes_names_from_other_images),
    T (image_list_is_newest_first_then_by_id),
    T (image_list_of_empty_store_is_empty),
    T (image_tag_moves_a_name),
    T (image_tag_keeps_name_order),
    T (image_tag_of_unknown_image_is_enoent),
    T (image_untag_removes_one_name),
    T (image_by_prefix_resolves_unique_prefixes),
    T (image_by_prefix_reports_ambiguity),
    T (image_by_prefix_of_nothing_is_enoent),
    T (image_by_digest_finds_repo_digests),
    T (image_remove_cascades_to_names_digests_and_layer_links),
    T (layer_add_twice_is_fine),
    T (layer_unused_lists_children_before_parents),
    T (layer_remove_refuses_layers_in_use),
    T (meta_set_get_unset),
    T (events_are_recorded_and_listed_in_order),
    T (event_attributes_must_be_a_json_object),
    T (event_prune_keeps_the_newest_and_seq_keeps_growing),
    T (events_keep_their_seq_through_the_migration_to_version_5),
    T (pods_arrive_with_the_migration_to_version_7),
    T (secrets_arrive_with_the_migration_to_version_8),
    T (lookups_by_prefix_find_one_and_refuse_ambiguity),
    T (rollback_leaves_nothing),
    T (nested_transactions_are_savepoints),
    T (failed_image_add_inside_a_transaction_keeps_the_rest),
    T (concurrent_processes_all_succeed),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
