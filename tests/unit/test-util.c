/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests of util/: errors, strings, files, digests.  */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "util/cleanup.h"
#include "util/digest.h"
#include "util/error.h"
#include "util/fileutil.h"
#include "util/strutil.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void
error_wrap_builds_a_chain (void **state)
{
  husk_error_t err = NULL;

  (void) state;
  assert_int_equal (husk_error_make (&err, ENOSPC, "extract '%s'", "usr/bin/x"), -1);
  husk_error_wrap (&err, "layer %d", 3);
  husk_error_wrap (&err, "load '%s'", "x.tar");
  assert_string_equal (err->msg, "load 'x.tar': layer 3: extract 'usr/bin/x': "
                                 "No space left on device");
  assert_int_equal (err->code, ENOSPC);
  husk_error_release (&err);
  assert_null (err);
  husk_error_release (&err); /* idempotent */
}

static void
error_makex_has_no_strerror (void **state)
{
  husk_error_t err = NULL;

  (void) state;
  husk_error_makex (&err, ENOENT, "no such image '%s'", "x");
  assert_string_equal (err->msg, "no such image 'x'");
  husk_error_release (&err);
}

static void
strv_split_and_join_round_trip (void **state)
{
  cleanup_strv char **v = husk_strv_split ("a,,b,c", ',');
  cleanup_free char *j = NULL;

  (void) state;
  assert_int_equal (husk_strv_len (v), 4);
  assert_string_equal (v[1], "");
  assert_true (husk_strv_contains (v, "c"));
  j = husk_strv_join (v, "+");
  assert_string_equal (j, "a++b+c");
}

static void
buf_grows (void **state)
{
  struct husk_buf b = HUSK_BUF_INIT;
  cleanup_free char *s = NULL;

  (void) state;
  for (int i = 0; i < 1000; i++)
    husk_buf_printf (&b, "%d,", i % 10);
  assert_int_equal (b.len, 2000);
  s = husk_buf_steal (&b);
  assert_int_equal (strlen (s), 2000);
  assert_null (b.data);
}

static void
sha256_of_known_vector (void **state)
{
  cleanup_free char *d = husk_digest_buf ("abc", 3);
  cleanup_free char *e = husk_digest_buf ("", 0);

  (void) state;
  assert_string_equal (d, "sha256:ba7816bf8f01cfea414140de5dae2223b00361a3"
                          "96177a9cb410ff61f20015ad");
  assert_string_equal (e, "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4"
                          "649b934ca495991b7852b855");
  assert_true (husk_digest_valid (d));
  assert_false (husk_digest_valid ("sha256:ABC"));
}

static void
rm_rf_does_not_follow_symlinks (void **state)
{
  husk_error_t err = NULL;
  cleanup_free char *dir = husk_mkdtemp_in ("/tmp", "husk-unit-", &err);
  cleanup_free char *outside = husk_mkdtemp_in ("/tmp", "husk-unit-out-", &err);
  cleanup_free char *keep = husk_asprintf ("%s/keep", outside);
  cleanup_free char *sub = husk_asprintf ("%s/a/b", dir);
  cleanup_free char *link = husk_asprintf ("%s/a/link", dir);

  (void) state;
  assert_int_equal (husk_mkdir_p (sub, 0755, &err), 0);
  assert_int_equal (husk_write_file_atomic (keep, "x", 1, 0644, &err), 0);
  assert_int_equal (symlink (outside, link), 0);
  chmod (sub, 0); /* unreadable directories are removed too */
  assert_int_equal (husk_rm_rf (dir, &err), 0);
  assert_false (husk_path_exists (dir));
  assert_true (husk_path_exists (keep));
  assert_int_equal (husk_rm_rf (outside, &err), 0);
}

static void
write_file_new_creates_and_never_overwrites (void **state)
{
  husk_error_t err = NULL;
  cleanup_free char *dir = husk_mkdtemp_in ("/tmp", "husk-unit-", &err);
  cleanup_free char *f = husk_asprintf ("%s/f", dir);
  cleanup_free char *l = husk_asprintf ("%s/l", dir);
  cleanup_free char *target = husk_asprintf ("%s/target", dir);
  cleanup_free char *text = NULL;
  struct stat st;

  (void) state;
  assert_int_equal (husk_write_file_new (f, "new\n", 4, 0640, &err), 0);
  text = husk_read_file (f, NULL, &err);
  assert_string_equal (text, "new\n");
  assert_int_equal (stat (f, &st), 0);
  assert_int_equal (st.st_mode & 07777, 0640);
  /* An existing file is left alone, and a symlink is not followed.  */
  assert_int_equal (husk_write_file_new (f, "x", 1, 0644, &err), -1);
  assert_int_equal (err->code, EEXIST);
  husk_error_release (&err);
  assert_int_equal (symlink (target, l), 0);
  assert_int_equal (husk_write_file_new (l, "x", 1, 0644, &err), -1);
  husk_error_release (&err);
  assert_false (husk_path_exists (target));
  assert_int_equal (husk_rm_rf (dir, &err), 0);
}

static void
output_writes_into_a_fifo_and_refuses_a_directory (void **state)
{
  husk_error_t err = NULL;
  cleanup_free char *dir = husk_mkdtemp_in ("/tmp", "husk-unit-", &err);
  cleanup_free char *fifo = husk_asprintf ("%s/fifo", dir);
  cleanup_free char *f = husk_asprintf ("%s/f", dir);
  cleanup_free char *text = NULL;
  cleanup_close int rd = -1;
  char buf[16] = "";
  struct stat st;

  (void) state;
  /* A FIFO stays a FIFO and its reader gets the data.  */
  assert_int_equal (mkfifo (fifo, 0600), 0);
  rd = open (fifo, O_RDONLY | O_NONBLOCK);
  assert_true (rd >= 0);
  assert_int_equal (husk_output_write (fifo, "id\n", 3, 0644, &err), 0);
  assert_int_equal (read (rd, buf, sizeof buf - 1), 3);
  assert_string_equal (buf, "id\n");
  assert_int_equal (lstat (fifo, &st), 0);
  assert_true (S_ISFIFO (st.st_mode));
  /* A directory is refused; a regular file is replaced whole.  */
  assert_int_equal (husk_output_write (dir, "x", 1, 0644, &err), -1);
  assert_int_equal (err->code, EISDIR);
  husk_error_release (&err);
  assert_int_equal (husk_write_file_atomic (f, "old", 3, 0644, &err), 0);
  assert_int_equal (husk_output_write (f, "new", 3, 0600, &err), 0);
  text = husk_read_file (f, NULL, &err);
  assert_string_equal (text, "new");
  assert_true (husk_output_is_stdout ("-") && husk_output_is_stdout ("/dev/stdout"));
  assert_false (husk_output_is_stdout ("./-x"));
  assert_int_equal (husk_rm_rf (dir, &err), 0);
}

static void
work_file_is_locked_from_its_first_moment (void **state)
{
  husk_error_t err = NULL;
  cleanup_free char *dir = husk_mkdtemp_in ("/tmp", "husk-unit-", &err);
  cleanup_free char *path = NULL;
  int fd, lock = -1, dfd;
  const char *name;

  (void) state;
  dfd = open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  fd = husk_work_file_create (dir, "commit", &path, &err);
  assert_true (fd >= 0);
  name = strrchr (path, '/') + 1;
  assert_true (strncmp (name, "commit-", 7) == 0);
  assert_int_equal (write (fd, "x", 1), 1);
  /* In use while its descriptor is open; stale, and claimable, after.  */
  assert_int_equal (husk_work_entry_claim (dfd, name, &lock), 1);
  close (fd);
  assert_int_equal (husk_work_entry_claim (dfd, name, &lock), 0);
  if (lock >= 0)
    close (lock);
  close (dfd);
  assert_int_equal (husk_rm_rf (dir, &err), 0);
}

/* The magic numbers statfs() gives for file systems whose servers do not
   understand user namespaces, as linux/magic.h and the file systems
   define them (CIFS and SMB2 have none in linux/magic.h).  */
static void
network_fs_by_magic (void **state)
{
  (void) state;
  assert_string_equal (husk_fs_network_name (0x6969), "NFS");
  assert_string_equal (husk_fs_network_name ((long) 0xFF534D42), "CIFS");
  /* f_type is signed on some ABIs: the same magic, sign-extended.  */
  assert_string_equal (husk_fs_network_name ((long) (int) 0xFF534D42), "CIFS");
  assert_string_equal (husk_fs_network_name ((long) 0xFE534D42), "SMB2");
  assert_string_equal (husk_fs_network_name (0x00C36400), "CephFS");
  assert_null (husk_fs_network_name (0xEF53));     /* ext4 */
  assert_null (husk_fs_network_name (0x01021994)); /* tmpfs */
  assert_null (husk_fs_network_name (0x794C7630)); /* overlay */
  assert_null (husk_path_network_fs ("/proc"));
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (error_wrap_builds_a_chain),
    cmocka_unit_test (error_makex_has_no_strerror),
    cmocka_unit_test (strv_split_and_join_round_trip),
    cmocka_unit_test (buf_grows),
    cmocka_unit_test (sha256_of_known_vector),
    cmocka_unit_test (rm_rf_does_not_follow_symlinks),
    cmocka_unit_test (write_file_new_creates_and_never_overwrites),
    cmocka_unit_test (work_file_is_locked_from_its_first_moment),
    cmocka_unit_test (output_writes_into_a_fifo_and_refuses_a_directory),
    cmocka_unit_test (network_fs_by_magic),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
