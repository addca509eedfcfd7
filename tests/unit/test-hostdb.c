/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests of util/hostdb: the host's account files read without NSS.  */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "util/hostdb.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char path[] = "/tmp/husk-hostdb-XXXXXX";

static void
write_db (const char *text)
{
  int fd = mkstemp (path);

  assert_true (fd >= 0);
  assert_int_equal (write (fd, text, strlen (text)), (ssize_t) strlen (text));
  close (fd);
}

static void
test_fields (void **state)
{
  char *s;

  (void) state;
  write_db ("root:x:0:0:root:/root:/bin/sh\n"
            "# not an entry\n"
            "short:x\n"
            "al:x:1000:100:Al:/home/al:/bin/bash\n"
            "bo:x:10000:100::/home/bo");
  s = husk_hostdb_field (path, 1000, 0);
  assert_string_equal (s, "al");
  free (s);
  s = husk_hostdb_field (path, 1000, 5);
  assert_string_equal (s, "/home/al");
  free (s);
  s = husk_hostdb_field (path, 10000, 5); /* last line, no newline */
  assert_string_equal (s, "/home/bo");
  free (s);
  s = husk_hostdb_field (path, 10000, 4); /* empty field */
  assert_string_equal (s, "");
  free (s);
  assert_null (husk_hostdb_field (path, 100, 0)); /* "1000" is not "100" */
  assert_null (husk_hostdb_field (path, 0, 9));   /* no such field */
  unlink (path);
  assert_null (husk_hostdb_field (path, 0, 0));   /* no file */
}

int
main (void)
{
  const struct CMUnitTest tests[] = { cmocka_unit_test (test_fields) };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
