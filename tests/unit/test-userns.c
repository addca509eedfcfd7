/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests of userns: the subordinate ranges read from /etc/subuid.  */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "userns/userns.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void
test_subids (void **state)
{
  char path[] = "/tmp/husk-subuid-XXXXXX";
  const char text[] = "other:200000:65536\n"
                      "al:100000:65536\n"
                      "1000:300000:10\n"       /* by number */
                      "al:bad:10\n"            /* malformed: skipped */
                      "al:400000:0\n"          /* empty: skipped */
                      "alice:500000:5\n"       /* another name */
                      "al:600000:7";           /* no newline at the end */
  struct husk_id_range r[4];
  int fd = mkstemp (path);
  size_t n;

  (void) state;
  assert_true (fd >= 0);
  assert_int_equal (write (fd, text, sizeof text - 1), (ssize_t) (sizeof text - 1));
  close (fd);
  n = husk_userns_subids (path, "al", 1000, r, 4);
  assert_int_equal (n, 3);
  assert_int_equal (r[0].inside, 1);
  assert_int_equal (r[0].outside, 100000);
  assert_int_equal (r[0].size, 65536);
  assert_int_equal (r[1].inside, 65537); /* ranges follow each other inside */
  assert_int_equal (r[1].outside, 300000);
  assert_int_equal (r[2].inside, 65547);
  assert_int_equal (r[2].outside, 600000);
  assert_int_equal (r[2].size, 7);
  assert_int_equal (husk_userns_subids (path, "al", 1000, r, 1), 1); /* bounded */
  assert_int_equal (husk_userns_subids (path, "nobody", 4242, r, 4), 0);
  unlink (path);
  assert_int_equal (husk_userns_subids (path, "al", 1000, r, 4), 0);
}

int
main (void)
{
  const struct CMUnitTest tests[] = { cmocka_unit_test (test_subids) };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
