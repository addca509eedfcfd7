/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests of husk_op_logs_time() (ops/container_logs.c): the times
   `logs --since/--until` take, in every form Podman 5 documents.  */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "ops/container_logs.h"
#include "util/strutil.h"

#include <stdlib.h>
#include <string.h>

#define T2000 946684800LL /* 2000-01-01T00:00:00Z */
#define NS 1000000000LL

static int64_t
parsed (const char *s, bool since)
{
  husk_error_t err = NULL;
  int64_t ns = -1;

  assert_int_equal (husk_op_logs_time ("since", s, since, &ns, &err), 0);
  assert_null (err);
  return ns;
}

static void
rfc3339_with_a_dot_or_a_comma_and_any_zone (void **state)
{
  (void) state;
  assert_true (parsed ("2000-01-01T00:00:00Z", true) == T2000 * NS);
  assert_true (parsed ("2000-01-01T00:00:00.5Z", true) == T2000 * NS + NS / 2);
  assert_true (parsed ("2000-01-01T00:00:00,123456789Z", true) == T2000 * NS + 123456789);
  assert_true (parsed ("2000-01-01T02:00:00+02:00", true) == T2000 * NS);
  assert_true (parsed ("1999-12-31T23:30:00-00:30", true) == T2000 * NS);
}

static void
times_and_dates_without_a_zone_are_utc (void **state)
{
  (void) state;
  assert_true (parsed ("2000-01-01T00:00:00", true) == T2000 * NS);
  assert_true (parsed ("2000-01-01T00:00:00,25", true) == T2000 * NS + NS / 4);
  assert_true (parsed ("2000-01-01", true) == T2000 * NS);
  assert_true (parsed ("2000-01-01Z", true) == T2000 * NS);
  assert_true (parsed ("2000-01-01+01:00", true) == (T2000 - 3600) * NS);
}

static void
unix_times_take_a_fraction (void **state)
{
  (void) state;
  assert_true (parsed ("946684800", true) == T2000 * NS);
  assert_true (parsed ("946684800.5", true) == T2000 * NS + NS / 2);
  assert_true (parsed ("0", true) == 0);
}

static void
durations_count_back_for_since_and_ahead_for_until (void **state)
{
  int64_t now = husk_now_ns ();

  (void) state;
  assert_true (llabs (parsed ("10m", true) - (now - 600 * NS)) < 5 * NS);
  assert_true (llabs (parsed ("10m", false) - (now + 600 * NS)) < 5 * NS);
  assert_true (llabs (parsed ("1h30m", true) - (now - 5400 * NS)) < 5 * NS);
}

static void
anything_else_is_refused_with_the_flag_named (void **state)
{
  static const char *const bad[] = { "bogus", "2000-13-01", "2000-01-01T25:00:00Z",
                                     "2000-01-01T00:00:00Q", "2000-01-01+24:00", "inf",
                                     "nan", "", "10", "1e", NULL };
  (void) state;
  for (size_t i = 0; bad[i]; i++)
    {
      husk_error_t err = NULL;
      int64_t ns;
      int r = husk_op_logs_time ("until", bad[i], false, &ns, &err);

      if (strcmp (bad[i], "10") == 0)
        {
          /* a bare number is a Unix time */
          assert_int_equal (r, 0);
          continue;
        }
      assert_int_equal (r, -1);
      assert_non_null (err);
      assert_true (strstr (err->msg, "parsing --until \"") == err->msg);
      assert_non_null (strstr (err->msg, "unable to interpret time value"));
      husk_error_release (&err);
    }
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (rfc3339_with_a_dot_or_a_comma_and_any_zone),
    cmocka_unit_test (times_and_dates_without_a_zone_are_utc),
    cmocka_unit_test (unix_times_take_a_fraction),
    cmocka_unit_test (durations_count_back_for_since_and_ahead_for_until),
    cmocka_unit_test (anything_else_is_refused_with_the_flag_named),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
