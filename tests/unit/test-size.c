/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests of container/size.c: what a read-write layer weighs.  */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "container/size.h"
#include "util/cleanup.h"
#include "util/fileutil.h"
#include "util/strutil.h"

#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void
put (const char *dir, const char *name, size_t bytes)
{
  cleanup_free char *path = husk_asprintf ("%s/%s", dir, name);
  cleanup_free char *data = husk_xzalloc (bytes + 1);
  int fd = open (path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

  assert_true (fd >= 0);
  memset (data, 'x', bytes);
  assert_int_equal (husk_write_all (fd, data, bytes), 0);
  close (fd);
}

static int
setup (void **state)
{
  *state = husk_mkdtemp_in ("/tmp", "husk-size-", NULL);
  return *state ? 0 : -1;
}

static int
teardown (void **state)
{
  husk_rm_rf (*state, NULL);
  free (*state);
  return 0;
}

static int64_t
tree_size (const char *dir)
{
  cleanup_close int fd = open (dir, O_RDONLY | O_DIRECTORY);
  husk_error_t err = NULL;
  int64_t n = -1;

  assert_true (fd >= 0);
  assert_int_equal (husk_size_tree (fd, &n, &err), 0);
  assert_null (err);
  return n;
}

static void
tree_counts_files_not_directories (void **state)
{
  const char *dir = *state;
  cleanup_free char *sub = husk_asprintf ("%s/a/b", dir);

  assert_int_equal (husk_mkdir_p (sub, 0755, NULL), 0);
  put (dir, "top", 1000);
  put (sub, "deep", 24);
  assert_int_equal (tree_size (dir), 1024);
}

static void
tree_counts_a_hard_linked_file_once (void **state)
{
  const char *dir = *state;
  cleanup_free char *a = husk_asprintf ("%s/one", dir), *b = husk_asprintf ("%s/two", dir);

  put (dir, "one", 4096);
  assert_int_equal (link (a, b), 0);
  put (dir, "other", 1);
  assert_int_equal (tree_size (dir), 4097);
}

static void
tree_counts_a_symlink_as_its_target_length (void **state)
{
  const char *dir = *state;
  cleanup_free char *l1 = husk_asprintf ("%s/passwd", dir), *l2 = husk_asprintf ("%s/etc", dir);

  /* Neither the host file nor the host directory behind them is counted. */
  assert_int_equal (symlink ("/etc/passwd", l1), 0);
  assert_int_equal (symlink ("/etc", l2), 0);
  assert_int_equal (tree_size (dir), (int64_t) (strlen ("/etc/passwd") + strlen ("/etc")));
}

static void
changes_count_added_and_changed_files_only (void **state)
{
  const char *dir = *state;
  cleanup_free char *sub = husk_asprintf ("%s/d", dir);
  cleanup_close int fd = -1;
  struct husk_change c[] = {
    { 'A', (char *) "/new" },  { 'C', (char *) "/d" }, { 'A', (char *) "/d/f" },
    { 'D', (char *) "/gone" }, { 'C', (char *) "/old" },
  };
  husk_error_t err = NULL;
  int64_t n = -1;

  assert_int_equal (mkdir (sub, 0755), 0);
  put (dir, "new", 10);
  put (sub, "f", 20);
  put (dir, "old", 30);
  put (dir, "unchanged", 5000);
  fd = open (dir, O_RDONLY | O_DIRECTORY);
  assert_int_equal (husk_size_changes (fd, c, sizeof c / sizeof c[0], &n, &err), 0);
  assert_int_equal (n, 60);
}

static void
changes_never_resolve_through_a_symlink (void **state)
{
  const char *dir = *state;
  cleanup_free char *l = husk_asprintf ("%s/link", dir);
  cleanup_close int fd = -1;
  struct husk_change c[] = { { 'A', (char *) "/link/passwd" }, { 'A', (char *) "/link" } };
  husk_error_t err = NULL;
  int64_t n = -1;

  assert_int_equal (symlink ("/etc", l), 0);
  fd = open (dir, O_RDONLY | O_DIRECTORY);
  assert_int_equal (husk_size_changes (fd, c, 2, &n, &err), 0);
  /* Only the link itself: /etc/passwd of the host is not reached.  */
  assert_int_equal (n, (int64_t) strlen ("/etc"));
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup_teardown (tree_counts_files_not_directories, setup, teardown),
    cmocka_unit_test_setup_teardown (tree_counts_a_hard_linked_file_once, setup, teardown),
    cmocka_unit_test_setup_teardown (tree_counts_a_symlink_as_its_target_length, setup, teardown),
    cmocka_unit_test_setup_teardown (changes_count_added_and_changed_files_only, setup, teardown),
    cmocka_unit_test_setup_teardown (changes_never_resolve_through_a_symlink, setup, teardown),
  };

  return cmocka_run_group_tests (tests, NULL, NULL);
}
