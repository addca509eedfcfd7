/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests of ops/container_create.c: --cidfile is planned before
   anything is created or replaced, and leaves no file when the command
   fails.  */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "engine/engine.h"
#include "ops/container_run.h"
#include "state/containers.h"
#include "util/cleanup.h"
#include "util/fileutil.h"
#include "util/strutil.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define ID "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

struct fixture
{
  char *dir;
  char *cid; /* <dir>/cid, not made */
  struct husk_engine e;
};

static int
setup (void **state)
{
  struct fixture *f = husk_xzalloc (sizeof *f);
  cleanup_free char *db = NULL;
  husk_error_t err = NULL;

  umask (022);
  f->dir = husk_mkdtemp_in ("/tmp", "husk-unit-cidfile-", &err);
  assert_non_null (f->dir);
  f->cid = husk_asprintf ("%s/cid", f->dir);
  db = husk_asprintf ("%s/state.db", f->dir);
  f->e.state = husk_state_open (db, &err);
  if (f->e.state == NULL)
    fail_msg ("open: %s", err->msg);
  f->e.root = f->dir;
  f->e.runroot = f->dir;
  *state = f;
  return 0;
}

static int
teardown (void **state)
{
  struct fixture *f = *state;

  husk_state_free (f->e.state);
  husk_rm_rf (f->dir, NULL);
  free (f->cid);
  free (f->dir);
  free (f);
  return 0;
}

static char *
content (const char *path)
{
  return husk_read_file (path, NULL, NULL);
}

static void
existing_cidfile_is_refused_with_podmans_message_and_kept (void **state)
{
  struct fixture *f = *state;
  struct husk_cidfile c;
  husk_error_t err = NULL;
  cleanup_free char *want = NULL, *after = NULL;

  assert_int_equal (husk_write_file_atomic (f->cid, "keep", 4, 0644, NULL), 0);
  assert_int_equal (husk_op_cidfile_reserve (f->cid, &c, &err), -1);
  assert_int_equal (err->code, EEXIST);
  want = husk_asprintf ("container id file exists. Ensure another container is not using "
                        "it or delete %s", f->cid);
  assert_string_equal (err->msg, want);
  husk_error_release (&err);
  after = content (f->cid);
  assert_string_equal (after, "keep");
}

static void
a_symlink_counts_as_existing (void **state)
{
  struct fixture *f = *state;
  cleanup_free char *target = husk_asprintf ("%s/elsewhere", f->dir);
  struct husk_cidfile c;
  husk_error_t err = NULL;

  assert_int_equal (symlink (target, f->cid), 0);
  assert_int_equal (husk_op_cidfile_reserve (f->cid, &c, &err), -1);
  assert_int_equal (err->code, EEXIST);
  husk_error_release (&err);
  assert_false (husk_path_exists (target));
}

static void
commit_writes_the_id_alone_mode_0644 (void **state)
{
  struct fixture *f = *state;
  struct husk_cidfile c;
  cleanup_free char *got = NULL;
  struct stat st;

  assert_int_equal (husk_op_cidfile_reserve (f->cid, &c, NULL), 0);
  /* Reserved: a second command with the same path is refused already.  */
  {
    struct husk_cidfile c2;
    husk_error_t err = NULL;
    assert_int_equal (husk_op_cidfile_reserve (f->cid, &c2, &err), -1);
    husk_error_release (&err);
  }
  assert_int_equal (husk_op_cidfile_commit (&c, ID, NULL), 0);
  assert_int_equal (c.fd, -1);
  got = content (f->cid);
  assert_string_equal (got, ID);
  assert_int_equal (stat (f->cid, &st), 0);
  assert_int_equal (st.st_mode & 07777, 0644);
}

static void
abandon_removes_the_reserved_file_and_is_repeatable (void **state)
{
  struct fixture *f = *state;
  struct husk_cidfile c;
  struct husk_cidfile never = { .fd = -1 };

  assert_int_equal (husk_op_cidfile_reserve (f->cid, &c, NULL), 0);
  assert_true (husk_path_exists (f->cid));
  husk_op_cidfile_abandon (&c);
  assert_false (husk_path_exists (f->cid));
  husk_op_cidfile_abandon (&c);
  husk_op_cidfile_abandon (&never);
}

static void
abandon_spares_a_file_put_there_meanwhile (void **state)
{
  struct fixture *f = *state;
  struct husk_cidfile c;
  cleanup_free char *got = NULL;

  assert_int_equal (husk_op_cidfile_reserve (f->cid, &c, NULL), 0);
  assert_int_equal (unlink (f->cid), 0);
  assert_int_equal (husk_write_file_atomic (f->cid, "theirs", 6, 0644, NULL), 0);
  husk_op_cidfile_abandon (&c);
  got = content (f->cid);
  assert_string_equal (got, "theirs");
}

static void
cidfile_in_a_missing_directory_fails (void **state)
{
  struct fixture *f = *state;
  cleanup_free char *path = husk_asprintf ("%s/no/such/dir/cid", f->dir);
  struct husk_cidfile c;
  husk_error_t err = NULL;

  assert_int_equal (husk_op_cidfile_reserve (path, &c, &err), -1);
  assert_int_equal (err->code, ENOENT);
  assert_true (husk_has_prefix (err->msg, "opening cidfile "));
  husk_error_release (&err);
}

/* create --replace --cidfile EXISTING: the cidfile is checked first, so the
   container to be replaced is still there and nothing new was added.  */
static void
existing_cidfile_stops_create_before_replace (void **state)
{
  struct fixture *f = *state;
  struct husk_container_rec old = { .id = (char *) ID, .name = (char *) "web",
                                    .image_id = (char *) ID, .config = (char *) "{}",
                                    .state = (char *) "created", .boot_id = (char *) "" };
  cleanup_json json_t *req = json_pack ("{s:s}", "name", "web");
  struct husk_container_rec *list = NULL;
  cleanup_free char *id = NULL, *found = NULL;
  husk_error_t err = NULL;
  size_t n = 0;

  assert_int_equal (husk_state_container_add (f->e.state, &old, NULL), 0);
  assert_int_equal (husk_write_file_atomic (f->cid, "x", 1, 0644, NULL), 0);
  assert_int_equal (husk_op_container_create_with (&f->e, "husk-test/busybox", req,
                                                   &(struct husk_create_opts){
                                                     .cidfile = f->cid, .replace = true },
                                                   &id, &err), -1);
  assert_int_equal (err->code, EEXIST);
  husk_error_release (&err);
  assert_null (id);
  assert_int_equal (husk_state_container_lookup (f->e.state, "web", &found, NULL), 0);
  assert_string_equal (found, ID);
  assert_int_equal (husk_state_container_list (f->e.state, &list, &n, NULL), 0);
  assert_int_equal (n, 1);
  husk_container_rec_array_free (list, n);
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown (fn, setup, teardown)
    T (existing_cidfile_is_refused_with_podmans_message_and_kept),
    T (a_symlink_counts_as_existing),
    T (commit_writes_the_id_alone_mode_0644),
    T (abandon_removes_the_reserved_file_and_is_repeatable),
    T (abandon_spares_a_file_put_there_meanwhile),
    T (cidfile_in_a_missing_directory_fails),
    T (existing_cidfile_stops_create_before_replace),
#undef T
  };

  return cmocka_run_group_tests (tests, NULL, NULL);
}
