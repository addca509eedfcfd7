/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests of ops/system_df.c: the totals of `system df` over a real
   state database (images whose layers are shared) and a work area with
   an entry in use and a leftover.  */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "engine/engine.h"
#include "ops/system.h"
#include "state/state.h"
#include "util/cleanup.h"
#include "util/fileutil.h"
#include "util/strutil.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct fixture
{
  char *dir;
  struct husk_engine e;
};

static int
setup (void **state)
{
  struct fixture *f = husk_xzalloc (sizeof *f);
  husk_error_t err = NULL;
  cleanup_free char *path = NULL;

  f->dir = husk_mkdtemp_in ("/tmp", "husk-unit-ops-df-", &err);
  assert_non_null (f->dir);
  path = husk_asprintf ("%s/state.db", f->dir);
  f->e.state = husk_state_open (path, &err);
  if (f->e.state == NULL)
    fail_msg ("open: %s", err->msg);
  *state = f;
  return 0;
}

static int
teardown (void **state)
{
  struct fixture *f = *state;

  husk_state_free (f->e.state);
  husk_rm_rf (f->dir, NULL);
  free (f->dir);
  free (f);
  return 0;
}

static char *
digest (char c)
{
  char *d = husk_xmalloc (72);

  memcpy (d, "sha256:", 7);
  memset (d + 7, c, 64);
  d[71] = '\0';
  return d;
}

static void
add_layer (struct fixture *f, char c, int64_t size)
{
  cleanup_free char *id = digest (c);
  struct husk_layer_rec l = { .chain_id = id, .diff_id = id, .size = size };

  assert_int_equal (husk_state_layer_add (f->e.state, &l, NULL), 0);
}

/* An image named after seed c with these layer seeds.  */
static void
add_image (struct fixture *f, char c, const char *layers)
{
  cleanup_strv char **v = NULL;
  cleanup_free char *id = husk_xmalloc (65);
  struct husk_image_rec r = { 0 };
  husk_error_t err = NULL;

  memset (id, c, 64);
  id[64] = '\0';
  for (const char *p = layers; *p; p++)
    {
      cleanup_free char *d = digest (*p);
      husk_strv_append (&v, d);
    }
  r.id = id;
  r.layers = v;
  r.config = (char *) "{}";
  if (husk_state_image_add (f->e.state, &r, &err) < 0)
    fail_msg ("add image: %s", err->msg);
}

static void
empty_store_counts_nothing (void **state)
{
  struct fixture *f = *state;
  struct husk_system_df df;

  assert_int_equal (husk_op_system_df (&f->e, &df, NULL), 0);
  assert_int_equal (df.images.total, 0);
  assert_int_equal (df.images.size, 0);
  assert_int_equal (df.images.reclaimable, 0);
  assert_int_equal (df.build_cache.total, 0);
}

static void
images_count_each_shared_layer_once_all_reclaimable (void **state)
{
  struct fixture *f = *state;
  struct husk_system_df df;

  add_layer (f, '1', 1000);
  add_layer (f, '2', 200);
  add_layer (f, '3', 30);
  add_image (f, 'a', "12");
  add_image (f, 'b', "13"); /* shares layer 1 with a */
  assert_int_equal (husk_op_system_df (&f->e, &df, NULL), 0);
  assert_int_equal (df.images.total, 2);
  assert_int_equal (df.images.active, 0);
  assert_int_equal (df.images.size, 1230);
  assert_int_equal (df.images.reclaimable, 1230);
  assert_int_equal (df.containers.total, 0);
  assert_int_equal (df.volumes.size, 0);
}

static void
work_area_counts_entries_active_while_locked (void **state)
{
  struct fixture *f = *state;
  cleanup_free char *area = husk_asprintf ("%s/tmp", f->dir);
  cleanup_free char *busy_path = NULL, *stale = NULL;
  cleanup_close int busy = -1;
  struct husk_df_row row;
  char block[8192];

  memset (block, 'x', sizeof block);
  assert_int_equal (husk_mkdir_p (area, 0700, NULL), 0);
  busy = husk_work_file_create (area, "commit", &busy_path, NULL);
  assert_true (busy >= 0);
  assert_int_equal (write (busy, block, sizeof block), (ssize_t) sizeof block);
  stale = husk_asprintf ("%s/import-leftover", area);
  assert_int_equal (husk_write_file_atomic (stale, block, sizeof block, 0600, NULL), 0);

  husk_op_df_work_area (area, &row);
  assert_int_equal (row.total, 2);
  assert_int_equal (row.active, 1);
  assert_true (row.reclaimable > 0);
  assert_true (row.size > row.reclaimable);

  /* The process using it is gone (its lock freed): all of it is leftover. */
  close (steal_fd (&busy));
  husk_op_df_work_area (area, &row);
  assert_int_equal (row.active, 0);
  assert_int_equal (row.reclaimable, row.size);
}

static void
work_area_that_cannot_be_read_counts_nothing (void **state)
{
  struct husk_df_row row = { .total = 9 };

  (void) state;
  husk_op_df_work_area ("/nonexistent/husk-unit", &row);
  assert_int_equal (row.total, 0);
  assert_int_equal (row.size, 0);
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup_teardown (empty_store_counts_nothing, setup, teardown),
    cmocka_unit_test_setup_teardown (images_count_each_shared_layer_once_all_reclaimable, setup,
                                     teardown),
    cmocka_unit_test_setup_teardown (work_area_counts_entries_active_while_locked, setup,
                                     teardown),
    cmocka_unit_test (work_area_that_cannot_be_read_counts_nothing),
  };

  return cmocka_run_group_tests (tests, NULL, NULL);
}
