/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests of the TOML reader (config/toml.c), one TOML 1.0 rule each,
   written from the specification: valid documents and the values they give,
   invalid ones and the line their error names.  */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "config/toml.h"
#include "util/cleanup.h"
#include "util/strutil.h"

#include <errno.h>
#include <string.h>

static json_t *
parse_ok_n (const char *doc, size_t len)
{
  husk_error_t err = NULL;
  json_t *j = husk_toml_parse (doc, len, &err);

  if (j == NULL)
    fail_msg ("unexpected error: %s", err->msg);
  return j;
}

static json_t *
parse_ok (const char *doc)
{
  return parse_ok_n (doc, strlen (doc));
}

static void
assert_error_n (const char *doc, size_t len, const char *msg)
{
  husk_error_t err = NULL;
  json_t *j = husk_toml_parse (doc, len, &err);

  if (j != NULL)
    {
      json_decref (j);
      fail_msg ("accepted invalid document: %s", doc);
    }
  assert_non_null (err);
  assert_string_equal (err->msg, msg);
  assert_int_equal (err->code, EINVAL);
  husk_error_release (&err);
}

/* doc must be invalid, with exactly this message.  */
static void
assert_error (const char *doc, const char *msg)
{
  assert_error_n (doc, strlen (doc), msg);
}

/* doc must be invalid; only the line is checked.  */
static void
assert_error_line (const char *doc, int line)
{
  husk_error_t err = NULL;
  json_t *j = husk_toml_parse (doc, strlen (doc), &err);
  char prefix[32];

  if (j != NULL)
    {
      json_decref (j);
      fail_msg ("accepted invalid document: %s", doc);
    }
  snprintf (prefix, sizeof prefix, "line %d: ", line);
  if (!husk_has_prefix (err->msg, prefix))
    fail_msg ("expected '%s...', got '%s'", prefix, err->msg);
  husk_error_release (&err);
}

/* The key "v" of doc, in the tagged encoding, has this type and value.  */
static void
assert_typed (const char *doc, const char *type, const char *value)
{
  husk_error_t err = NULL;
  cleanup_json json_t *j = husk_toml_parse_typed (doc, strlen (doc), &err);
  json_t *v;

  if (j == NULL)
    fail_msg ("unexpected error for '%s': %s", doc, err->msg);
  v = json_object_get (j, "v");
  assert_non_null (v);
  assert_string_equal (json_string_value (json_object_get (v, "type")), type);
  assert_string_equal (json_string_value (json_object_get (v, "value")), value);
}

/* The key "v" of doc is a string of len bytes equal to want.  */
static void
assert_string_n (const char *doc, const char *want, size_t len)
{
  cleanup_json json_t *j = parse_ok (doc);
  json_t *v = json_object_get (j, "v");

  assert_true (json_is_string (v));
  assert_int_equal (json_string_length (v), len);
  assert_memory_equal (json_string_value (v), want, len);
}

static void
assert_string (const char *doc, const char *want)
{
  assert_string_n (doc, want, strlen (want));
}

/* Strings.  */

static void
basic_string_decodes_escapes (void **state)
{
  (void) state;
  assert_string ("v = \"a\\tb\\nc\\\"d\\\\e\\b\\f\\r\"", "a\tb\nc\"d\\e\b\f\r");
  assert_string ("v = \"\\u00e9\\U0001F600\"", "\xc3\xa9\xf0\x9f\x98\x80");
  assert_string ("v = \"tab\tinside\"", "tab\tinside");
}

static void
basic_string_keeps_escaped_nul (void **state)
{
  (void) state;
  assert_string_n ("v = \"a\\u0000b\"", "a\0b", 3);
}

static void
basic_string_rejects_unknown_escape (void **state)
{
  (void) state;
  assert_error ("v = \"\\x41\"", "line 1: invalid escape sequence '\\x'");
  assert_error ("v = \"\\ \"", "line 1: invalid escape sequence");
  assert_error ("v = \"\\u12G4\"", "line 1: invalid unicode escape");
  assert_error ("v = \"\\U0001F6", "line 1: incomplete unicode escape");
}

static void
basic_string_rejects_non_scalar_escapes (void **state)
{
  (void) state;
  assert_error ("v = \"\\uD800\"", "line 1: unicode escape '\\uD800' is not a scalar value");
  assert_error ("v = \"\\U00110000\"",
                "line 1: unicode escape '\\U00110000' is not a scalar value");
}

static void
basic_string_rejects_control_characters (void **state)
{
  (void) state;
  assert_error ("v = \"a\x01\"", "line 1: control character in string");
  assert_error ("v = \"a\x7f\"", "line 1: control character in string");
  assert_error ("v = 'a\x1f'", "line 1: control character in string");
}

static void
single_line_string_cannot_span_lines (void **state)
{
  (void) state;
  assert_error ("a = 1\nv = \"abc\ndef\"", "line 2: unterminated string");
  assert_error ("v = 'abc", "line 1: unterminated string");
}

static void
literal_string_has_no_escapes (void **state)
{
  (void) state;
  assert_string ("v = 'C:\\Users\\nodejs\\n'", "C:\\Users\\nodejs\\n");
  assert_string ("v = '<\\i\\c*\\s*>'", "<\\i\\c*\\s*>");
}

static void
multi_line_basic_trims_first_newline (void **state)
{
  (void) state;
  assert_string ("v = \"\"\"\nRoses\nViolets\"\"\"", "Roses\nViolets");
  assert_string ("v = \"\"\"\r\nRoses\r\nViolets\"\"\"", "Roses\nViolets");
  assert_string ("v = \"\"\"\n\nx\"\"\"", "\nx");
}

static void
multi_line_basic_line_ending_backslash (void **state)
{
  (void) state;
  assert_string ("v = \"\"\"\nThe quick \\\n\n   brown \\   \n  fox.\"\"\"",
                 "The quick brown fox.");
  assert_string ("v = \"\"\"a\\\n   \t\n  \"\"\"", "a");
  assert_error ("v = \"\"\"a\\ b\"\"\"", "line 1: invalid escape sequence");
}

static void
multi_line_strings_allow_quotes_inside_and_at_end (void **state)
{
  (void) state;
  assert_string ("v = \"\"\"a \"\"b\"\" c\"\"\"", "a \"\"b\"\" c");
  assert_string ("v = \"\"\"x\"\"\"\"", "x\"");
  assert_string ("v = \"\"\"x\"\"\"\"\"", "x\"\"");
  assert_string ("v = ''''That's it'''''", "'That's it''");
  assert_error ("v = \"\"\"x\"\"\"\"\"\"",
                "line 1: too many quotes at the end of a multi-line string");
}

static void
multi_line_literal_is_raw (void **state)
{
  (void) state;
  assert_string ("v = '''\nfirst \\n\n  second\\\n'''", "first \\n\n  second\\\n");
}

static void
multi_line_strings_reject_bare_cr_and_controls (void **state)
{
  static const char nul[] = "v = '''a\0b'''";

  (void) state;
  assert_error ("v = \"\"\"a\rb\"\"\"", "line 1: control character in string");
  assert_error_n (nul, sizeof nul - 1, "line 1: control character in string");
}

static void
multi_line_string_error_names_its_line (void **state)
{
  (void) state;
  assert_error ("v = \"\"\"\none\ntwo \\q\n\"\"\"", "line 3: invalid escape sequence '\\q'");
  assert_error ("a = 1\nv = '''\nnever closed\n", "line 2: unterminated multi-line string");
}

/* Integers.  */

static void
integers_in_every_base (void **state)
{
  cleanup_json json_t *j = parse_ok ("a = 99\nb = +17\nc = -17\nd = 0\ne = -0\n"
                                     "f = 1_000_000\ng = 0xDEAD_beef\nh = 0o755\n"
                                     "i = 0b1101_0110\nj = 0x0001\n");

  (void) state;
  assert_int_equal (json_integer_value (json_object_get (j, "a")), 99);
  assert_int_equal (json_integer_value (json_object_get (j, "b")), 17);
  assert_int_equal (json_integer_value (json_object_get (j, "c")), -17);
  assert_int_equal (json_integer_value (json_object_get (j, "d")), 0);
  assert_true (json_is_integer (json_object_get (j, "e")));
  assert_int_equal (json_integer_value (json_object_get (j, "f")), 1000000);
  assert_int_equal (json_integer_value (json_object_get (j, "g")), 0xdeadbeef);
  assert_int_equal (json_integer_value (json_object_get (j, "h")), 0755);
  assert_int_equal (json_integer_value (json_object_get (j, "i")), 0xd6);
  assert_int_equal (json_integer_value (json_object_get (j, "j")), 1);
}

static void
integers_span_64_bits_exactly (void **state)
{
  (void) state;
  assert_typed ("v = 9223372036854775807", "integer", "9223372036854775807");
  assert_typed ("v = -9223372036854775808", "integer", "-9223372036854775808");
  assert_typed ("v = 0x7FFFFFFFFFFFFFFF", "integer", "9223372036854775807");
  assert_error ("v = 9223372036854775808",
                "line 1: integer '9223372036854775808' out of range");
  assert_error ("v = -9223372036854775809",
                "line 1: integer '-9223372036854775809' out of range");
  assert_error ("v = 0x8000000000000000", "line 1: integer '0x8000000000000000' out of range");
}

static void
integers_reject_leading_zeros_and_bad_underscores (void **state)
{
  (void) state;
  assert_error ("v = 012", "line 1: leading zero in number '012'");
  assert_error ("v = -01", "line 1: leading zero in number '-01'");
  assert_error ("v = 1__000", "line 1: invalid value '1__000'");
  assert_error ("v = _1", "line 1: invalid value '_1'");
  assert_error ("v = 1_", "line 1: invalid value '1_'");
  assert_error ("v = 0x_1", "line 1: invalid integer '0x_1'");
}

static void
integers_reject_bad_prefixes (void **state)
{
  (void) state;
  assert_error ("v = +0x1", "line 1: sign not allowed on integer '+0x1'");
  assert_error ("v = 0X1F", "line 1: invalid value '0X1F'");
  assert_error ("v = 0o8", "line 1: invalid integer '0o8'");
  assert_error ("v = 0b102", "line 1: invalid integer '0b102'");
  assert_error ("v = 0x", "line 1: invalid integer '0x'");
}

/* Floats.  */

static void
floats_fractions_and_exponents (void **state)
{
  cleanup_json json_t *j = parse_ok ("a = 3.1415\nb = -0.01\nc = 5e+22\nd = 1e06\n"
                                     "e = -2E-2\nf = 6.626e-34\ng = 224_617.445_991\n"
                                     "h = +1.5\ni = 0.0\nj = 0e0\n");

  (void) state;
  assert_true (json_is_real (json_object_get (j, "a")));
  assert_true (json_real_value (json_object_get (j, "a")) == 3.1415);
  assert_true (json_real_value (json_object_get (j, "b")) == -0.01);
  assert_true (json_real_value (json_object_get (j, "c")) == 5e22);
  assert_true (json_real_value (json_object_get (j, "d")) == 1e6);
  assert_true (json_real_value (json_object_get (j, "e")) == -2e-2);
  assert_true (json_real_value (json_object_get (j, "f")) == 6.626e-34);
  assert_true (json_real_value (json_object_get (j, "g")) == 224617.445991);
  assert_true (json_real_value (json_object_get (j, "h")) == 1.5);
  assert_true (json_is_real (json_object_get (j, "i")));
  assert_true (json_is_real (json_object_get (j, "j")));
}

static void
floats_special_values (void **state)
{
  cleanup_json json_t *j = parse_ok ("a = inf\nb = +inf\nc = -inf\nd = nan\ne = -nan\n");

  (void) state;
  assert_string_equal (json_string_value (json_object_get (j, "a")), "inf");
  assert_string_equal (json_string_value (json_object_get (j, "b")), "inf");
  assert_string_equal (json_string_value (json_object_get (j, "c")), "-inf");
  assert_string_equal (json_string_value (json_object_get (j, "d")), "nan");
  assert_string_equal (json_string_value (json_object_get (j, "e")), "nan");
  assert_typed ("v = -inf", "float", "-inf");
  assert_typed ("v = +nan", "float", "+nan");
}

static void
floats_reject_incomplete_forms (void **state)
{
  (void) state;
  assert_error ("v = .7", "line 1: invalid value '.7'");
  assert_error ("v = 7.", "line 1: invalid float '7.'");
  assert_error ("v = 3.e+20", "line 1: invalid float '3.e+20'");
  assert_error ("v = 1e", "line 1: invalid float '1e'");
  assert_error ("v = 1_.5", "line 1: invalid value '1_.5'");
  assert_error ("v = 1._5", "line 1: invalid float '1._5'");
  assert_error ("v = 01.5", "line 1: leading zero in number '01.5'");
  assert_error ("v = Inf", "line 1: invalid value 'Inf'");
}

static void
floats_reject_overflow (void **state)
{
  (void) state;
  assert_error ("v = 1e400", "line 1: float '1e400' out of range");
}

/* Booleans.  */

static void
booleans_are_lower_case_words (void **state)
{
  cleanup_json json_t *j = parse_ok ("t = true\nf = false\n");

  (void) state;
  assert_true (json_is_true (json_object_get (j, "t")));
  assert_true (json_is_false (json_object_get (j, "f")));
  assert_error ("v = True", "line 1: invalid value 'True'");
  assert_error ("v = truex", "line 1: invalid value 'truex'");
}

/* Dates and times.  */

static void
offset_date_times (void **state)
{
  (void) state;
  assert_typed ("v = 1979-05-27T07:32:00Z", "datetime", "1979-05-27T07:32:00Z");
  assert_typed ("v = 1979-05-27T00:32:00-07:00", "datetime", "1979-05-27T00:32:00-07:00");
  assert_typed ("v = 1979-05-27T00:32:00.999999+07:00", "datetime",
                "1979-05-27T00:32:00.999999+07:00");
  assert_typed ("v = 1979-05-27 07:32:00z", "datetime", "1979-05-27T07:32:00Z");
  assert_typed ("v = 1979-05-27t07:32:00Z", "datetime", "1979-05-27T07:32:00Z");
  assert_string ("v = 1979-05-27 07:32:00Z", "1979-05-27T07:32:00Z");
}

static void
local_date_times_dates_and_times (void **state)
{
  (void) state;
  assert_typed ("v = 1979-05-27T07:32:00", "datetime-local", "1979-05-27T07:32:00");
  assert_typed ("v = 1979-05-27 00:32:00.5", "datetime-local", "1979-05-27T00:32:00.5");
  assert_typed ("v = 1979-05-27", "date-local", "1979-05-27");
  assert_typed ("v = 07:32:00", "time-local", "07:32:00");
  assert_typed ("v = 00:32:00.999999", "time-local", "00:32:00.999999");
  assert_typed ("v = 1979-05-27 # a date, then a comment", "date-local", "1979-05-27");
}

static void
dates_check_calendar_ranges (void **state)
{
  (void) state;
  assert_typed ("v = 2020-02-29", "date-local", "2020-02-29");
  assert_typed ("v = 2000-02-29", "date-local", "2000-02-29");
  assert_error ("v = 1900-02-29", "line 1: invalid date '1900-02-29'");
  assert_error ("v = 2021-02-29", "line 1: invalid date '2021-02-29'");
  assert_error ("v = 2021-13-01", "line 1: invalid date '2021-13-01'");
  assert_error ("v = 2021-04-31", "line 1: invalid date '2021-04-31'");
  assert_error ("v = 2021-00-10", "line 1: invalid date '2021-00-10'");
  assert_error ("v = 2021-1-10", "line 1: invalid date '2021-1-10'");
}

static void
times_check_clock_ranges (void **state)
{
  (void) state;
  assert_error ("v = 24:00:00", "line 1: invalid time '24:00:00'");
  assert_error ("v = 12:60:00", "line 1: invalid time '12:60:00'");
  assert_error ("v = 12:00:61", "line 1: invalid time '12:00:61'");
  assert_error ("v = 12:00", "line 1: invalid time '12:00'");
  assert_error ("v = 12:00:00.", "line 1: invalid time '12:00:00.'");
  assert_error ("v = 1979-05-27T07:32:00+24:00",
                "line 1: invalid date-time '1979-05-27T07:32:00+24:00'");
  assert_error ("v = 1979-05-27T07:32:00+0700",
                "line 1: invalid date-time '1979-05-27T07:32:00+0700'");
  assert_error ("v = 1979-05-27T07:32Z", "line 1: invalid date-time '1979-05-27T07:32Z'");
}

/* Arrays.  */

static void
arrays_mix_types_and_allow_trailing_comma (void **state)
{
  cleanup_json json_t *j = parse_ok ("v = [ 1, 'two', 3.0, [4], {five = 5}, ]\n");
  json_t *v = json_object_get (j, "v");

  (void) state;
  assert_int_equal (json_array_size (v), 5);
  assert_int_equal (json_integer_value (json_array_get (v, 0)), 1);
  assert_string_equal (json_string_value (json_array_get (v, 1)), "two");
  assert_true (json_is_real (json_array_get (v, 2)));
  assert_true (json_is_array (json_array_get (v, 3)));
  assert_int_equal (json_integer_value (json_object_get (json_array_get (v, 4), "five")), 5);
}

static void
arrays_span_lines_with_comments (void **state)
{
  cleanup_json json_t *j = parse_ok ("v = [ # start\n  1, # one\n\n  2 # two\n  # alone\n"
                                     "  , 3\r\n]\nafter = true\n");

  (void) state;
  assert_int_equal (json_array_size (json_object_get (j, "v")), 3);
  assert_true (json_is_true (json_object_get (j, "after")));
  cleanup_json json_t *e = parse_ok ("v = [\n]\n");
  assert_int_equal (json_array_size (json_object_get (e, "v")), 0);
}

static void
arrays_reject_bad_separators (void **state)
{
  (void) state;
  assert_error ("v = [1 2]", "line 1: expected ',' or ']' in array");
  assert_error ("v = [,1]", "line 1: expected a value");
  assert_error ("v = [1,,2]", "line 1: expected a value");
  assert_error ("a = 1\nv = [1,\n2\n", "line 2: unterminated array");
}

/* Inline tables.  */

static void
inline_tables_with_dotted_keys (void **state)
{
  cleanup_json json_t *j = parse_ok ("v = { x = 1, y.z = 2, y.w = 'w', \"q k\" = {} }\n");
  json_t *v = json_object_get (j, "v");

  (void) state;
  assert_int_equal (json_integer_value (json_object_get (v, "x")), 1);
  assert_int_equal (json_integer_value (json_object_get (json_object_get (v, "y"), "z")), 2);
  assert_string_equal (json_string_value (json_object_get (json_object_get (v, "y"), "w")), "w");
  assert_true (json_is_object (json_object_get (v, "q k")));
}

static void
inline_tables_stay_on_one_line (void **state)
{
  (void) state;
  assert_error ("v = { a = 1,\n b = 2 }", "line 1: expected a key");
  assert_error ("v = { a = 1\n}", "line 1: unterminated inline table");
  assert_error ("v = { a = 1, }", "line 1: trailing comma in inline table");
  assert_error ("v = { a = 1 b = 2 }", "line 1: expected ',' or '}' in inline table");
}

static void
inline_tables_cannot_be_extended (void **state)
{
  (void) state;
  assert_error ("a = { x = 1 }\n[a]", "line 2: table 'a' is already defined");
  assert_error ("a = { x = 1 }\na.y = 2",
                "line 2: key 'a' is already defined and cannot be extended");
  assert_error ("a = { b.c = 1 }\n[a.b.d]",
                "line 2: key 'a' is already defined and cannot be extended");
  assert_error ("a = { x = 1, x = 2 }", "line 1: duplicate key 'x'");
  assert_error ("[t]\na = { b = {} }\n[t.a.b]",
                "line 3: key 'a' is already defined and cannot be extended");
}

/* Keys.  */

static void
keys_bare_quoted_and_dotted (void **state)
{
  cleanup_json json_t *j = parse_ok ("bare_key-1 = 1\n1234 = 2\n\"a.b\" = 3\n'x y' = 4\n"
                                     "\"\" = 5\nsite . \"g.com\" . ok = 6\n3.14 = 7\n");

  (void) state;
  assert_int_equal (json_integer_value (json_object_get (j, "bare_key-1")), 1);
  assert_int_equal (json_integer_value (json_object_get (j, "1234")), 2);
  assert_int_equal (json_integer_value (json_object_get (j, "a.b")), 3);
  assert_int_equal (json_integer_value (json_object_get (j, "x y")), 4);
  assert_int_equal (json_integer_value (json_object_get (j, "")), 5);
  assert_int_equal (json_integer_value (json_object_get (
                        json_object_get (json_object_get (j, "site"), "g.com"), "ok")), 6);
  assert_int_equal (json_integer_value (json_object_get (json_object_get (j, "3"), "14")), 7);
}

static void
keys_reject_bad_syntax (void **state)
{
  (void) state;
  assert_error ("= 1", "line 1: expected a key");
  assert_error ("a b = 1", "line 1: expected '=' after key");
  assert_error ("a. = 1", "line 1: expected a key");
  assert_error ("a = ", "line 1: expected a value");
  assert_error ("a\n= 1", "line 1: expected '=' after key");
  assert_error ("\"\"\"a\"\"\" = 1", "line 1: expected '=' after key");
  assert_error ("é = 1", "line 1: expected a key");
}

static void
keys_cannot_be_defined_twice (void **state)
{
  (void) state;
  assert_error ("a = 1\na = 2", "line 2: duplicate key 'a'");
  assert_error ("a = 1\n\"a\" = 2", "line 2: duplicate key 'a'");
  assert_error ("a = 1\na.b = 2", "line 2: key 'a' is already defined and cannot be extended");
  assert_error ("a.b = 1\na = 2", "line 2: duplicate key 'a'");
  assert_error ("a.b = 1\na.b = 2", "line 2: duplicate key 'b'");
}

static void
dotted_keys_build_tables_in_any_order (void **state)
{
  cleanup_json json_t *j = parse_ok ("apple.type = 'fruit'\norange.type = 'fruit'\n"
                                     "apple.skin = 'thin'\n");

  (void) state;
  assert_string_equal (json_string_value (json_object_get (json_object_get (j, "apple"), "skin")),
                       "thin");
  assert_int_equal (json_object_size (j), 2);
}

/* Tables.  */

static void
tables_and_sub_tables (void **state)
{
  cleanup_json json_t *j = parse_ok ("top = 0\n[a]\nx = 1\n[ a . b ]\ny = 2\n"
                                     "[\"q.k\"]\nz = 3\n[e]\n");
  json_t *a = json_object_get (j, "a");

  (void) state;
  assert_int_equal (json_integer_value (json_object_get (j, "top")), 0);
  assert_int_equal (json_integer_value (json_object_get (a, "x")), 1);
  assert_int_equal (json_integer_value (json_object_get (json_object_get (a, "b"), "y")), 2);
  assert_int_equal (json_integer_value (json_object_get (json_object_get (j, "q.k"), "z")), 3);
  assert_int_equal (json_object_size (json_object_get (j, "e")), 0);
}

static void
super_table_may_be_defined_after_sub_table (void **state)
{
  cleanup_json json_t *j = parse_ok ("[x.y.z]\na = 1\n[x]\nb = 2\n");

  (void) state;
  assert_int_equal (json_integer_value (json_object_get (json_object_get (j, "x"), "b")), 2);
  assert_error ("[x.y]\n[x]\n[x]", "line 3: table 'x' is already defined");
}

static void
tables_cannot_be_defined_twice (void **state)
{
  (void) state;
  assert_error ("[a]\nb = 1\n\n[a]\nc = 2", "line 4: table 'a' is already defined");
  assert_error ("[a]\nb = 1\n[a.b]", "line 3: table 'b' is already defined");
  assert_error ("a = 1\n[a.b]", "line 2: key 'a' is already defined and cannot be extended");
}

static void
tables_made_by_dotted_keys_cannot_be_headers (void **state)
{
  cleanup_json json_t *j = parse_ok ("[fruit]\napple.color = 'red'\napple.taste.sweet = true\n"
                                     "[fruit.apple.texture]\nsmooth = true\n");
  json_t *apple = json_object_get (json_object_get (j, "fruit"), "apple");

  (void) state;
  assert_true (json_is_true (json_object_get (json_object_get (apple, "texture"), "smooth")));
  assert_error ("[fruit]\napple.color = 'red'\n[fruit.apple]",
                "line 3: table 'apple' is already defined");
  assert_error ("[fruit]\napple.taste.sweet = true\n[fruit.apple.taste]",
                "line 3: table 'taste' is already defined");
}

static void
dotted_keys_cannot_add_to_header_tables (void **state)
{
  (void) state;
  assert_error ("[a.b.c]\nz = 9\n[a]\nb.c.t = 1",
                "line 4: key 'b' is already defined and cannot be extended");
  assert_error ("[a.b]\n[a]\nb.x = 1", "line 3: key 'b' is already defined and cannot be extended");
}

/* Arrays of tables.  */

static void
arrays_of_tables_append_elements (void **state)
{
  cleanup_json json_t *j = parse_ok ("[[fruit]]\nname = 'apple'\n[fruit.physical]\ncolor = 'red'\n"
                                     "[[fruit.variety]]\nname = 'red delicious'\n"
                                     "[[fruit.variety]]\nname = 'granny smith'\n"
                                     "[[fruit]]\nname = 'banana'\n[[fruit.variety]]\n"
                                     "name = 'plantain'\n");
  json_t *fruit = json_object_get (j, "fruit");
  json_t *apple = json_array_get (fruit, 0);

  (void) state;
  assert_int_equal (json_array_size (fruit), 2);
  assert_string_equal (
      json_string_value (json_object_get (json_object_get (apple, "physical"), "color")), "red");
  assert_int_equal (json_array_size (json_object_get (apple, "variety")), 2);
  assert_int_equal (json_array_size (json_object_get (json_array_get (fruit, 1), "variety")), 1);
}

static void
arrays_of_tables_cannot_extend_other_values (void **state)
{
  (void) state;
  assert_error ("fruits = []\n[[fruits]]",
                "line 2: key 'fruits' is already defined and is not an array of tables");
  assert_error ("[a]\n[[a]]", "line 2: key 'a' is already defined and is not an array of tables");
  assert_error ("[[a]]\n[a]", "line 2: table 'a' is already defined");
  assert_error ("a = [{ b = 1 }]\n[a.c]",
                "line 2: key 'a' is already defined and cannot be extended");
  assert_error ("[[a]]\nb = 1\n[[a]]\nb = 1\nb = 2", "line 5: duplicate key 'b'");
}

static void
headers_reject_bad_syntax (void **state)
{
  (void) state;
  assert_error ("[]", "line 1: expected a key");
  assert_error ("[a", "line 1: expected ']' after table name");
  assert_error ("[[a]", "line 1: expected ']]' after table name");
  assert_error ("[[a] ]", "line 1: expected ']]' after table name");
  assert_error ("[a] b = 1", "line 1: expected a newline after a table header");
  assert_error ("[a.]", "line 1: expected a key");
}

/* The document.  */

static void
comments_and_blank_lines_are_ignored (void **state)
{
  cleanup_json json_t *j = parse_ok ("# full-line comment\n\n  \t\nkey = 'value' # trailing\n"
                                     "other = '# not a comment'\n[t] # after a header\n#end");

  (void) state;
  assert_string_equal (json_string_value (json_object_get (j, "key")), "value");
  assert_string_equal (json_string_value (json_object_get (j, "other")), "# not a comment");
  assert_non_null (json_object_get (j, "t"));
}

static void
comments_reject_control_characters (void **state)
{
  (void) state;
  assert_error ("a = 1\n# bell \x07 here", "line 2: control character in comment");
  assert_error ("# del \x7f", "line 1: control character in comment");
  assert_error ("# cr \r alone", "line 1: control character in comment");
  cleanup_json json_t *j = parse_ok ("# tab \t and unicode \xc3\xa9 are fine\n");
}

static void
crlf_line_endings_and_bom (void **state)
{
  cleanup_json json_t *j = parse_ok ("\xef\xbb\xbf" "a = 1\r\n[t]\r\nb = 2 # c\r\n");

  (void) state;
  assert_int_equal (json_integer_value (json_object_get (j, "a")), 1);
  assert_int_equal (json_integer_value (json_object_get (json_object_get (j, "t"), "b")), 2);
  assert_error ("a = 1\rb = 2", "line 1: expected a newline after a value");
}

static void
empty_document_is_an_empty_table (void **state)
{
  cleanup_json json_t *a = parse_ok ("");
  cleanup_json json_t *b = parse_ok_n (NULL, 0);

  (void) state;
  assert_true (json_is_object (a) && json_object_size (a) == 0);
  assert_true (json_is_object (b) && json_object_size (b) == 0);
}

static void
one_key_value_per_line (void **state)
{
  (void) state;
  assert_error ("a = 1 b = 2", "line 1: expected a newline after a value");
  assert_error ("a = \"x\"y", "line 1: expected a newline after a value");
}

static void
invalid_utf8_is_rejected (void **state)
{
  (void) state;
  assert_error ("a = 1\nb = \"\xff\"", "line 2: invalid UTF-8");
  assert_error ("v = \"\xc0\xaf\"", "line 1: invalid UTF-8");         /* overlong */
  assert_error ("v = \"\xed\xa0\x80\"", "line 1: invalid UTF-8");     /* surrogate */
  assert_error ("v = \"\xf4\x90\x80\x80\"", "line 1: invalid UTF-8"); /* > U+10FFFF */
  assert_error ("# \xe2\x82", "line 1: invalid UTF-8");               /* truncated */
  assert_string ("v = \"\xf0\x9f\x98\x80\"", "\xf0\x9f\x98\x80");
}

static void
nul_bytes_in_the_document_are_rejected (void **state)
{
  (void) state;
  assert_error_n ("a = 1\n\0", 7, "line 2: expected a key");
  assert_error_n ("v = \"a\0\"", 8, "line 1: control character in string");
}

static void
error_names_the_line_of_the_fault (void **state)
{
  (void) state;
  assert_error_line ("a = 1\nb = 2\nc = \n", 3);
  assert_error_line ("a = '''\n\n\n'''\nb = [\n1,\n\n2 3]\n", 8);
  assert_error_line ("[a]\r\n[b]\r\n[a]\r\n", 3);
  assert_error_line ("x = \"\"\"\\\n\n\n\"\"\"\ny = 1\ny = 2", 6);
}

static char *
repeat (const char *s, int n)
{
  struct husk_buf b = HUSK_BUF_INIT;

  husk_buf_append (&b, "", 0);
  for (int i = 0; i < n; i++)
    husk_buf_puts (&b, s);
  return husk_buf_steal (&b);
}

static void
nesting_depth_is_bounded (void **state)
{
  cleanup_free char *open_ok = repeat ("[", HUSK_TOML_MAX_DEPTH);
  cleanup_free char *close_ok = repeat ("]", HUSK_TOML_MAX_DEPTH);
  cleanup_free char *ok = husk_asprintf ("v = %s%s", open_ok, close_ok);
  cleanup_free char *bad = husk_asprintf ("v = [%s%s]", open_ok, close_ok);
  cleanup_free char *braces = repeat ("{a=", HUSK_TOML_MAX_DEPTH + 1);
  cleanup_free char *inl = husk_asprintf ("v = %s", braces);
  cleanup_free char *dots = repeat ("a.", HUSK_TOML_MAX_DEPTH + 5);
  cleanup_free char *dotted = husk_asprintf ("%sa = 1", dots);
  cleanup_free char *hdr = husk_asprintf ("[%sa]", dots);
  cleanup_free char *deep1 = repeat ("a.", HUSK_TOML_MAX_DEPTH - 1);
  cleanup_free char *deep2 = husk_asprintf ("[%sa]\nb = [[1]]", deep1);
  cleanup_json json_t *j = NULL;

  (void) state;
  j = parse_ok (ok);
  assert_error (bad, "line 1: nesting deeper than 128 levels");
  assert_error (inl, "line 1: nesting deeper than 128 levels");
  assert_error (dotted, "line 1: key has more than 128 parts");
  assert_error (hdr, "line 1: key has more than 128 parts");
  assert_error (deep2, "line 2: nesting deeper than 128 levels");
}

static void
typed_encoding_tags_every_scalar (void **state)
{
  husk_error_t err = NULL;
  const char *doc = "s = 's'\ni = 1\nf = 1.5\nb = false\n[t]\na = [1, {x = true}]\n";
  cleanup_json json_t *j = husk_toml_parse_typed (doc, strlen (doc), &err);
  cleanup_free char *out = NULL;

  (void) state;
  assert_non_null (j);
  out = json_dumps (j, JSON_COMPACT | JSON_SORT_KEYS);
  assert_string_equal (out, "{\"b\":{\"type\":\"bool\",\"value\":\"false\"},"
                            "\"f\":{\"type\":\"float\",\"value\":\"1.5\"},"
                            "\"i\":{\"type\":\"integer\",\"value\":\"1\"},"
                            "\"s\":{\"type\":\"string\",\"value\":\"s\"},"
                            "\"t\":{\"a\":[{\"type\":\"integer\",\"value\":\"1\"},"
                            "{\"x\":{\"type\":\"bool\",\"value\":\"true\"}}]}}");
}

static void
keys_keep_document_order (void **state)
{
  cleanup_json json_t *j = parse_ok ("z = 1\na = 2\nm = 3\n");
  const char *want[] = { "z", "a", "m" };
  const char *key;
  json_t *v;
  int i = 0;

  (void) state;
  json_object_foreach (j, key, v)
    assert_string_equal (key, want[i++]);
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (basic_string_decodes_escapes),
    cmocka_unit_test (basic_string_keeps_escaped_nul),
    cmocka_unit_test (basic_string_rejects_unknown_escape),
    cmocka_unit_test (basic_string_rejects_non_scalar_escapes),
    cmocka_unit_test (basic_string_rejects_control_characters),
    cmocka_unit_test (single_line_string_cannot_span_lines),
    cmocka_unit_test (literal_string_has_no_escapes),
    cmocka_unit_test (multi_line_basic_trims_first_newline),
    cmocka_unit_test (multi_line_basic_line_ending_backslash),
    cmocka_unit_test (multi_line_strings_allow_quotes_inside_and_at_end),
    cmocka_unit_test (multi_line_literal_is_raw),
    cmocka_unit_test (multi_line_strings_reject_bare_cr_and_controls),
    cmocka_unit_test (multi_line_string_error_names_its_line),
    cmocka_unit_test (integers_in_every_base),
    cmocka_unit_test (integers_span_64_bits_exactly),
    cmocka_unit_test (integers_reject_leading_zeros_and_bad_underscores),
    cmocka_unit_test (integers_reject_bad_prefixes),
    cmocka_unit_test (floats_fractions_and_exponents),
    cmocka_unit_test (floats_special_values),
    cmocka_unit_test (floats_reject_incomplete_forms),
    cmocka_unit_test (floats_reject_overflow),
    cmocka_unit_test (booleans_are_lower_case_words),
    cmocka_unit_test (offset_date_times),
    cmocka_unit_test (local_date_times_dates_and_times),
    cmocka_unit_test (dates_check_calendar_ranges),
    cmocka_unit_test (times_check_clock_ranges),
    cmocka_unit_test (arrays_mix_types_and_allow_trailing_comma),
    cmocka_unit_test (arrays_span_lines_with_comments),
    cmocka_unit_test (arrays_reject_bad_separators),
    cmocka_unit_test (inline_tables_with_dotted_keys),
    cmocka_unit_test (inline_tables_stay_on_one_line),
    cmocka_unit_test (inline_tables_cannot_be_extended),
    cmocka_unit_test (keys_bare_quoted_and_dotted),
    cmocka_unit_test (keys_reject_bad_syntax),
    cmocka_unit_test (keys_cannot_be_defined_twice),
    cmocka_unit_test (dotted_keys_build_tables_in_any_order),
    cmocka_unit_test (tables_and_sub_tables),
    cmocka_unit_test (super_table_may_be_defined_after_sub_table),
    cmocka_unit_test (tables_cannot_be_defined_twice),
    cmocka_unit_test (tables_made_by_dotted_keys_cannot_be_headers),
    cmocka_unit_test (dotted_keys_cannot_add_to_header_tables),
    cmocka_unit_test (arrays_of_tables_append_elements),
    cmocka_unit_test (arrays_of_tables_cannot_extend_other_values),
    cmocka_unit_test (headers_reject_bad_syntax),
    cmocka_unit_test (comments_and_blank_lines_are_ignored),
    cmocka_unit_test (comments_reject_control_characters),
    cmocka_unit_test (crlf_line_endings_and_bom),
    cmocka_unit_test (empty_document_is_an_empty_table),
    cmocka_unit_test (one_key_value_per_line),
    cmocka_unit_test (invalid_utf8_is_rejected),
    cmocka_unit_test (nul_bytes_in_the_document_are_rejected),
    cmocka_unit_test (error_names_the_line_of_the_fault),
    cmocka_unit_test (nesting_depth_is_bounded),
    cmocka_unit_test (typed_encoding_tags_every_scalar),
    cmocka_unit_test (keys_keep_document_order),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
