/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests of container/parse.c: durations as Go parses them, and the
   integer flags with Podman's messages.  */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "container/parse.h"
#include "util/error.h"

#include <string.h>

static void
durations_in_go_syntax_are_accepted (void **state)
{
  static const struct
  {
    const char *s;
    int64_t ns;
  } ok[] = {
    { "0", 0 },           { "+0", 0 },        { "30s", 30000000000LL },
    { "1m30s", 90000000000LL }, { "1.5s", 1500000000LL }, { ".5s", 500000000LL },
    { "1.s", 1000000000LL }, { "500ms", 500000000LL }, { "2h", 7200000000000LL },
    { "10us", 10000 },    { "10\u00b5s", 10000 }, { "7ns", 7 }, { "1h2m3s", 3723000000000LL },
  };

  (void) state;
  for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++)
    {
      int64_t v = -1;
      husk_error_t err = NULL;
      assert_int_equal (husk_parse_duration (ok[i].s, &v, &err), 0);
      assert_true (v == ok[i].ns);
    }
}

static void
malformed_durations_get_go_messages (void **state)
{
  static const struct
  {
    const char *s, *msg;
  } bad[] = {
    { "0.0.1", "time: missing unit in duration \"0.0.1\"" },
    { "5", "time: missing unit in duration \"5\"" },
    { "x", "time: invalid duration \"x\"" },
    { "", "time: invalid duration \"\"" },
    { ".s", "time: invalid duration \".s\"" },
    { "-1s", "time: invalid duration \"-1s\"" },
    { "1x", "time: unknown unit \"x\" in duration \"1x\"" },
    { "1sec", "time: unknown unit \"sec\" in duration \"1sec\"" },
  };

  (void) state;
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
    {
      int64_t v;
      husk_error_t err = NULL;
      assert_int_equal (husk_parse_duration (bad[i].s, &v, &err), -1);
      assert_string_equal (err->msg, bad[i].msg);
      husk_error_release (&err);
    }
}

static void
integer_flags_name_the_flag (void **state)
{
  uint64_t u = 0;
  int64_t n = 0;
  husk_error_t err = NULL;

  (void) state;
  assert_int_equal (husk_parse_uint_flag ("42", "stop-timeout", &u, &err), 0);
  assert_true (u == 42);
  assert_int_equal (husk_parse_uint_flag ("-x", "stop-timeout", &u, &err), -1);
  assert_int_equal (err->code, HUSK_ERR_USAGE);
  assert_string_equal (err->msg, "invalid argument \"-x\" for \"--stop-timeout\" flag: "
                                 "strconv.ParseUint: parsing \"-x\": invalid syntax");
  husk_error_release (&err);
  assert_int_equal (husk_parse_uint_flag ("-1", "timeout", &u, &err), -1);
  husk_error_release (&err);
  assert_int_equal (husk_parse_uint_flag ("99999999999999999999", "timeout", &u, &err), -1);
  assert_non_null (strstr (err->msg, "value out of range"));
  husk_error_release (&err);
  assert_int_equal (husk_parse_int_flag ("-500", "oom-score-adj", &n, &err), 0);
  assert_true (n == -500);
  assert_int_equal (husk_parse_int_flag (" 5", "oom-score-adj", &n, &err), -1);
  assert_string_equal (err->msg, "invalid argument \" 5\" for \"--oom-score-adj\" flag: "
                                 "strconv.ParseInt: parsing \" 5\": invalid syntax");
  husk_error_release (&err);
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (durations_in_go_syntax_are_accepted),
    cmocka_unit_test (malformed_durations_get_go_messages),
    cmocka_unit_test (integer_flags_name_the_flag),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
