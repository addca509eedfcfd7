/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Template functions: Go's builtins (and, or, not, len, index, slice,
 * print, printf, println, html, js, urlquery, eq, ne, lt, le, gt, ge) and
 * the ones Podman and Docker register (json, join, lower, upper, title,
 * split, truncate, pad), with Go's argument types and error texts.
 *
 * Case mapping uses the C.UTF-8 locale through a private locale object
 * (no setlocale); where that locale is missing, only ASCII changes case.
 */
#include "format/template-int.h"
#include "format/gofmt.h"

#include <locale.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <wctype.h>

/* ---- helpers -------------------------------------------------------------- */

static int
fail (char **msg, const char *fmt, ...) __attribute__ ((format (printf, 2, 3)));
static int
fail (char **msg, const char *fmt, ...)
{
  va_list ap;

  va_start (ap, fmt);
  *msg = husk_vasprintf (fmt, ap);
  va_end (ap);
  return -1;
}

static json_t *
str_from_buf (struct husk_buf *b)
{
  json_t *r = json_stringn_nocheck (b->data ? b->data : "", b->len);
  husk_buf_release (b);
  return r;
}

bool
husk_template_truth (json_t *v)
{
  switch (v ? json_typeof (v) : JSON_NULL)
    {
    case JSON_TRUE: return true;
    case JSON_INTEGER: return json_integer_value (v) != 0;
    case JSON_REAL: return json_real_value (v) != 0;
    case JSON_STRING: return json_string_length (v) > 0;
    case JSON_ARRAY: return json_array_size (v) > 0;
    case JSON_OBJECT: return json_object_size (v) > 0;
    default: return false;
    }
}

static locale_t utf8_loc;
static pthread_once_t utf8_once = PTHREAD_ONCE_INIT;

static void
utf8_locale_init (void)
{
  utf8_loc = newlocale (LC_CTYPE_MASK, "C.UTF-8", (locale_t) 0);
}

/* The C.UTF-8 locale for case mapping, or 0 when it is not installed.  */
static locale_t
utf8_locale (void)
{
  pthread_once (&utf8_once, utf8_locale_init);
  return utf8_loc;
}

enum rune_map
{
  MAP_LOWER,
  MAP_UPPER,
};

static int32_t
map_rune (int32_t r, enum rune_map how)
{
  locale_t loc = utf8_locale ();

  if (r < 0x80 || loc == (locale_t) 0)
    {
      if (how == MAP_LOWER && r >= 'A' && r <= 'Z')
        return r + 32;
      if (how == MAP_UPPER && r >= 'a' && r <= 'z')
        return r - 32;
      return r;
    }
  return (int32_t) (how == MAP_LOWER ? towlower_l ((wint_t) r, loc) : towupper_l ((wint_t) r, loc));
}

/* strings.Title's isSeparator.  */
static bool
is_separator (int32_t r)
{
  locale_t loc = utf8_locale ();

  if (r < 0x80)
    return !((r >= '0' && r <= '9') || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z')
             || r == '_');
  if (loc == (locale_t) 0)
    return false;
  if (iswalpha_l ((wint_t) r, loc) || iswdigit_l ((wint_t) r, loc))
    return false;
  return iswspace_l ((wint_t) r, loc);
}

static json_t *
map_string (json_t *v, enum rune_map how, bool title)
{
  const char *s = json_string_value (v);
  size_t len = json_string_length (v), i = 0, sz;
  struct husk_buf b = HUSK_BUF_INIT;
  int32_t prev = ' ';

  husk_buf_append (&b, "", 0);
  while (i < len)
    {
      int32_t r = husk_gofmt_decode_rune (s + i, len - i, &sz);
      if (r == 0xfffd && sz == 1)
        husk_buf_putc (&b, s[i]);
      else if (!title)
        husk_gofmt_put_rune (&b, map_rune (r, how));
      else
        husk_gofmt_put_rune (&b, is_separator (prev) ? map_rune (r, MAP_UPPER) : r);
      prev = r;
      i += sz;
    }
  return str_from_buf (&b);
}

/* ---- Podman's and Docker's functions ----------------------------------------- */

static int
fn_json (struct exec_state *s, json_t **a, size_t n, json_t **out, char **msg)
{
  struct husk_buf b = HUSK_BUF_INIT;

  (void) s, (void) n, (void) msg;
  husk_gofmt_json (&b, a[0], 0, 0);
  *out = str_from_buf (&b);
  return 0;
}

static int
fn_join (struct exec_state *s, json_t **a, size_t n, json_t **out, char **msg)
{
  struct husk_buf b = HUSK_BUF_INIT;

  (void) s, (void) n, (void) msg;
  husk_buf_append (&b, "", 0);
  for (size_t i = 0; i < json_array_size (a[0]); i++)
    {
      json_t *e = json_array_get (a[0], i);
      if (i > 0)
        husk_buf_append (&b, json_string_value (a[1]), json_string_length (a[1]));
      husk_buf_append (&b, json_string_value (e), json_string_length (e));
    }
  *out = str_from_buf (&b);
  return 0;
}

static int
fn_lower (struct exec_state *s, json_t **a, size_t n, json_t **out, char **msg)
{
  (void) s, (void) n, (void) msg;
  *out = map_string (a[0], MAP_LOWER, false);
  return 0;
}

static int
fn_upper (struct exec_state *s, json_t **a, size_t n, json_t **out, char **msg)
{
  (void) s, (void) n, (void) msg;
  *out = map_string (a[0], MAP_UPPER, false);
  return 0;
}

static int
fn_title (struct exec_state *s, json_t **a, size_t n, json_t **out, char **msg)
{
  (void) s, (void) n, (void) msg;
  *out = map_string (a[0], MAP_UPPER, true);
  return 0;
}

static int
fn_split (struct exec_state *s, json_t **a, size_t n, json_t **out, char **msg)
{
  const char *str = json_string_value (a[0]), *sep = json_string_value (a[1]);
  size_t len = json_string_length (a[0]), slen = json_string_length (a[1]), i = 0, start = 0;
  json_t *r = json_array ();

  (void) s, (void) n, (void) msg;
  if (slen == 0)
    {
      size_t sz;
      while (i < len)
        {
          husk_gofmt_decode_rune (str + i, len - i, &sz);
          json_array_append_new (r, json_stringn_nocheck (str + i, sz));
          i += sz;
        }
      *out = r;
      return 0;
    }
  while (i + slen <= len)
    {
      if (memcmp (str + i, sep, slen) == 0)
        {
          json_array_append_new (r, json_stringn_nocheck (str + start, i - start));
          i += slen;
          start = i;
        }
      else
        i++;
    }
  json_array_append_new (r, json_stringn_nocheck (str + start, len - start));
  *out = r;
  return 0;
}

static int
fn_truncate (struct exec_state *s, json_t **a, size_t n, json_t **out, char **msg)
{
  json_int_t k = json_integer_value (a[1]);
  size_t len = json_string_length (a[0]);

  (void) s, (void) n;
  if (k < 0)
    return fail (msg, "runtime error: slice bounds out of range [:%lld]", (long long) k);
  if ((size_t) k >= len)
    *out = json_incref (a[0]);
  else
    *out = json_stringn_nocheck (json_string_value (a[0]), (size_t) k);
  return 0;
}

static int
fn_pad (struct exec_state *s, json_t **a, size_t n, json_t **out, char **msg)
{
  json_int_t pre = json_integer_value (a[1]), post = json_integer_value (a[2]);
  struct husk_buf b = HUSK_BUF_INIT;

  (void) n;
  if (json_string_length (a[0]) == 0)
    {
      *out = json_incref (a[0]);
      return 0;
    }
  if (pre < 0 || post < 0)
    return fail (msg, "strings: negative Repeat count");
  if ((s->o.max_output && (size_t) pre + (size_t) post > s->o.max_output)
      || pre > (1 << 30) || post > (1 << 30))
    return fail (msg, "strings: Repeat output length overflow");
  for (json_int_t i = 0; i < pre; i++)
    husk_buf_putc (&b, ' ');
  husk_buf_append (&b, json_string_value (a[0]), json_string_length (a[0]));
  for (json_int_t i = 0; i < post; i++)
    husk_buf_putc (&b, ' ');
  *out = str_from_buf (&b);
  return 0;
}

/* ---- Go builtins ---------------------------------------------------------------- */

static int
fn_not (struct exec_state *s, json_t **a, size_t n, json_t **out, char **msg)
{
  (void) s, (void) n, (void) msg;
  *out = json_boolean (!husk_template_truth (a[0]));
  return 0;
}

static int
fn_len (struct exec_state *s, json_t **a, size_t n, json_t **out, char **msg)
{
  (void) s, (void) n;
  switch (a[0] ? json_typeof (a[0]) : JSON_NULL)
    {
    case JSON_STRING: *out = json_integer ((json_int_t) json_string_length (a[0])); return 0;
    case JSON_ARRAY: *out = json_integer ((json_int_t) json_array_size (a[0])); return 0;
    case JSON_OBJECT: *out = json_integer ((json_int_t) json_object_size (a[0])); return 0;
    case JSON_NULL: return fail (msg, "len of nil pointer");
    default: return fail (msg, "len of type %s", husk_gofmt_type_name (a[0]));
    }
}

/* Go's indexArg: an integer index below cap.  */
static int
index_arg (json_t *idx, size_t cap, json_int_t *x, char **msg)
{
  if (idx == NULL)
    return fail (msg, "cannot index slice/array with nil");
  if (!json_is_integer (idx))
    return fail (msg, "cannot index slice/array with type %s", husk_gofmt_type_name (idx));
  *x = json_integer_value (idx);
  if (*x < 0 || (size_t) *x > cap)
    return fail (msg, "index out of range: %lld", (long long) *x);
  return 0;
}

static int
fn_index (struct exec_state *s, json_t **a, size_t n, json_t **out, char **msg)
{
  json_t *item = a[0];
  json_int_t x;

  (void) s;
  for (size_t i = 1; i < n; i++)
    {
      if (item == NULL || json_is_null (item))
        return fail (msg, "index of untyped nil");
      if (json_is_array (item) || json_is_string (item))
        {
          size_t len = json_is_array (item) ? json_array_size (item) : json_string_length (item);
          if (index_arg (a[i], len, &x, msg) < 0)
            return -1;
          if ((size_t) x == len)
            return fail (msg, "index out of range: %lld", (long long) x);
          if (json_is_string (item))
            {
              if (i + 1 < n)
                return fail (msg, "can't index item of type uint8");
              *out = json_integer ((unsigned char) json_string_value (item)[x]);
              return 0;
            }
          item = json_array_get (item, (size_t) x);
        }
      else if (json_is_object (item))
        {
          if (a[i] == NULL)
            return fail (msg, "value is nil; should be of type string");
          if (!json_is_string (a[i]))
            return fail (msg, "value has type %s; should be string", husk_gofmt_type_name (a[i]));
          item = json_object_get (item, json_string_value (a[i]));
        }
      else
        return fail (msg, "can't index item of type %s", husk_gofmt_type_name (item));
    }
  *out = json_is_null (item) ? NULL : json_incref (item);
  return 0;
}

static int
fn_slice (struct exec_state *s, json_t **a, size_t n, json_t **out, char **msg)
{
  json_t *item = a[0];
  json_int_t idx[3] = { 0, 0, 0 };
  size_t cap;

  (void) s;
  if (item == NULL)
    return fail (msg, "slice of untyped nil");
  if (n - 1 > 3)
    return fail (msg, "too many slice indexes: %zu", n - 1);
  if (json_is_string (item))
    {
      if (n - 1 == 3)
        return fail (msg, "cannot 3-index slice a string");
      cap = json_string_length (item);
    }
  else if (json_is_array (item))
    cap = json_array_size (item);
  else
    return fail (msg, "can't slice item of type %s", husk_gofmt_type_name (item));
  idx[1] = (json_int_t) cap;
  for (size_t i = 1; i < n; i++)
    if (index_arg (a[i], cap, &idx[i - 1], msg) < 0)
      return -1;
  if (idx[0] > idx[1])
    return fail (msg, "invalid slice index: %lld > %lld", (long long) idx[0], (long long) idx[1]);
  if (n - 1 == 3 && idx[1] > idx[2])
    return fail (msg, "invalid slice index: %lld > %lld", (long long) idx[1], (long long) idx[2]);
  if (json_is_string (item))
    {
      *out = json_stringn_nocheck (json_string_value (item) + idx[0], (size_t) (idx[1] - idx[0]));
      return 0;
    }
  *out = json_array ();
  for (json_int_t i = idx[0]; i < idx[1]; i++)
    json_array_append (*out, json_array_get (item, (size_t) i));
  return 0;
}

static int
fn_printf (struct exec_state *s, json_t **a, size_t n, json_t **out, char **msg)
{
  struct husk_buf b = HUSK_BUF_INIT;

  (void) msg;
  husk_gofmt_sprintf (&b, json_string_value (a[0]), json_string_length (a[0]), a + 1, n - 1,
                      s->o.max_output);
  *out = str_from_buf (&b);
  return 0;
}

static int
fn_print (struct exec_state *s, json_t **a, size_t n, json_t **out, char **msg)
{
  struct husk_buf b = HUSK_BUF_INIT;

  (void) s, (void) msg;
  husk_gofmt_sprint (&b, a, n);
  *out = str_from_buf (&b);
  return 0;
}

static int
fn_println (struct exec_state *s, json_t **a, size_t n, json_t **out, char **msg)
{
  struct husk_buf b = HUSK_BUF_INIT;

  (void) s, (void) msg;
  husk_gofmt_sprintln (&b, a, n);
  *out = str_from_buf (&b);
  return 0;
}

/* Go's evalArgs for html, js and urlquery: one string as is, else Sprint
   with "<no value>" for nil.  */
static void
escaper_input (struct husk_buf *b, json_t **a, size_t n)
{
  json_t **v;

  if (n == 1 && a[0] && json_is_string (a[0]))
    {
      husk_buf_append (b, json_string_value (a[0]), json_string_length (a[0]));
      return;
    }
  v = husk_xzalloc ((n + 1) * sizeof (json_t *));
  for (size_t i = 0; i < n; i++)
    v[i] = a[i] ? json_incref (a[i]) : json_string ("<no value>");
  husk_gofmt_sprint (b, v, n);
  for (size_t i = 0; i < n; i++)
    json_decref (v[i]);
  free (v);
}

static int
fn_html (struct exec_state *s, json_t **a, size_t n, json_t **out, char **msg)
{
  struct husk_buf in = HUSK_BUF_INIT, b = HUSK_BUF_INIT;

  (void) s, (void) msg;
  escaper_input (&in, a, n);
  husk_buf_append (&b, "", 0);
  for (size_t i = 0; i < in.len; i++)
    switch (in.data[i])
      {
      case '"': husk_buf_puts (&b, "&#34;"); break;
      case '\'': husk_buf_puts (&b, "&#39;"); break;
      case '&': husk_buf_puts (&b, "&amp;"); break;
      case '<': husk_buf_puts (&b, "&lt;"); break;
      case '>': husk_buf_puts (&b, "&gt;"); break;
      case '\0': husk_buf_puts (&b, "\xef\xbf\xbd"); break;
      default: husk_buf_putc (&b, in.data[i]); break;
      }
  husk_buf_release (&in);
  *out = str_from_buf (&b);
  return 0;
}

static int
fn_js (struct exec_state *s, json_t **a, size_t n, json_t **out, char **msg)
{
  struct husk_buf in = HUSK_BUF_INIT, b = HUSK_BUF_INIT;
  size_t i = 0, sz;

  (void) s, (void) msg;
  escaper_input (&in, a, n);
  husk_buf_append (&b, "", 0);
  while (i < in.len)
    {
      int32_t r = husk_gofmt_decode_rune (in.data + i, in.len - i, &sz);
      switch (r)
        {
        case '\\': husk_buf_puts (&b, "\\\\"); break;
        case '\'': husk_buf_puts (&b, "\\'"); break;
        case '"': husk_buf_puts (&b, "\\\""); break;
        case '<': husk_buf_puts (&b, "\\u003C"); break;
        case '>': husk_buf_puts (&b, "\\u003E"); break;
        case '&': husk_buf_puts (&b, "\\u0026"); break;
        case '=': husk_buf_puts (&b, "\\u003D"); break;
        default:
          if (r < ' ' || (r >= 0x80 && r < 0xa0))
            husk_buf_printf (&b, "\\u%04X", (unsigned) r);
          else
            husk_buf_append (&b, in.data + i, sz);
          break;
        }
      i += sz;
    }
  husk_buf_release (&in);
  *out = str_from_buf (&b);
  return 0;
}

static int
fn_urlquery (struct exec_state *s, json_t **a, size_t n, json_t **out, char **msg)
{
  struct husk_buf in = HUSK_BUF_INIT, b = HUSK_BUF_INIT;

  (void) s, (void) msg;
  escaper_input (&in, a, n);
  husk_buf_append (&b, "", 0);
  for (size_t i = 0; i < in.len; i++)
    {
      unsigned char c = (unsigned char) in.data[i];
      if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
          || c == '-' || c == '_' || c == '.' || c == '~')
        husk_buf_putc (&b, (char) c);
      else if (c == ' ')
        husk_buf_putc (&b, '+');
      else
        husk_buf_printf (&b, "%%%02X", c);
    }
  husk_buf_release (&in);
  *out = str_from_buf (&b);
  return 0;
}

/* ---- comparisons ------------------------------------------------------------ */

enum kind
{
  K_INVALID,
  K_BOOL,
  K_INT,
  K_FLOAT,
  K_STRING,
  K_OTHER,
};

static enum kind
kind_of (json_t *v)
{
  switch (v ? json_typeof (v) : JSON_NULL)
    {
    case JSON_TRUE:
    case JSON_FALSE: return K_BOOL;
    case JSON_INTEGER: return K_INT;
    case JSON_REAL: return K_FLOAT;
    case JSON_STRING: return K_STRING;
    case JSON_NULL: return K_INVALID;
    default: return K_OTHER;
    }
}

static int
cmp_strings (json_t *a, json_t *b)
{
  size_t la = json_string_length (a), lb = json_string_length (b);
  int c = memcmp (json_string_value (a), json_string_value (b), la < lb ? la : lb);
  return c ? c : (la > lb) - (la < lb);
}

/* Compare two basic values of one kind: <0, 0, >0.  */
static int
cmp_basic (json_t *a, json_t *b, enum kind k)
{
  switch (k)
    {
    case K_BOOL: return json_is_true (a) - json_is_true (b);
    case K_INT:
      return (json_integer_value (a) > json_integer_value (b))
             - (json_integer_value (a) < json_integer_value (b));
    case K_FLOAT:
      return (json_real_value (a) > json_real_value (b)) - (json_real_value (a) < json_real_value (b));
    default: return cmp_strings (a, b);
    }
}

static int
eq_values (json_t *a, json_t *b, bool *truth, char **msg)
{
  enum kind k1 = kind_of (a), k2 = kind_of (b);

  *truth = false;
  if (k1 != k2)
    {
      if (k1 != K_INVALID && k2 != K_INVALID)
        return fail (msg, "incompatible types for comparison");
      return 0;
    }
  if (k1 == K_INVALID)
    *truth = true;
  else if (k1 == K_OTHER)
    {
      struct husk_buf pb = HUSK_BUF_INIT;
      husk_gofmt_print (&pb, a);
      fail (msg, "non-comparable type %s: %s", pb.data, husk_gofmt_type_name (a));
      husk_buf_release (&pb);
      return -1;
    }
  else
    *truth = cmp_basic (a, b, k1) == 0;
  return 0;
}

static int
fn_eq (struct exec_state *s, json_t **a, size_t n, json_t **out, char **msg)
{
  bool truth = false;

  (void) s;
  if (n < 2)
    return fail (msg, "missing argument for comparison");
  for (size_t i = 1; i < n && !truth; i++)
    if (eq_values (a[0], a[i], &truth, msg) < 0)
      return -1;
  *out = json_boolean (truth);
  return 0;
}

static int
fn_ne (struct exec_state *s, json_t **a, size_t n, json_t **out, char **msg)
{
  bool truth;

  (void) s, (void) n;
  if (eq_values (a[0], a[1], &truth, msg) < 0)
    return -1;
  *out = json_boolean (!truth);
  return 0;
}

/* lt: Return: 0 with *less set, or -1.  */
static int
less_than (json_t *a, json_t *b, bool *less, char **msg)
{
  enum kind k1 = kind_of (a), k2 = kind_of (b);

  if (k1 == K_INVALID || k1 == K_OTHER || k1 == K_BOOL || k2 == K_INVALID || k2 == K_OTHER
      || k2 == K_BOOL)
    return fail (msg, "invalid type for comparison");
  if (k1 != k2)
    return fail (msg, "incompatible types for comparison");
  *less = cmp_basic (a, b, k1) < 0;
  return 0;
}

enum order_op
{
  OP_LT,
  OP_LE,
  OP_GT,
  OP_GE,
};

static int
order (json_t **a, enum order_op op, json_t **out, char **msg)
{
  bool less, eq = false;

  if (less_than (a[0], a[1], &less, msg) < 0)
    return -1;
  if ((op == OP_LE || op == OP_GT) && eq_values (a[0], a[1], &eq, msg) < 0)
    return -1;
  switch (op)
    {
    case OP_LT: *out = json_boolean (less); break;
    case OP_LE: *out = json_boolean (less || eq); break;
    case OP_GT: *out = json_boolean (!(less || eq)); break;
    default: *out = json_boolean (!less); break;
    }
  return 0;
}

static int
fn_lt (struct exec_state *s, json_t **a, size_t n, json_t **out, char **msg)
{
  (void) s, (void) n;
  return order (a, OP_LT, out, msg);
}

static int
fn_le (struct exec_state *s, json_t **a, size_t n, json_t **out, char **msg)
{
  (void) s, (void) n;
  return order (a, OP_LE, out, msg);
}

static int
fn_gt (struct exec_state *s, json_t **a, size_t n, json_t **out, char **msg)
{
  (void) s, (void) n;
  return order (a, OP_GT, out, msg);
}

static int
fn_ge (struct exec_state *s, json_t **a, size_t n, json_t **out, char **msg)
{
  (void) s, (void) n;
  return order (a, OP_GE, out, msg);
}

/* ---- table ------------------------------------------------------------------ */

static const struct tfunc funcs[] = {
  { "and", 1, { P_VALUE }, true, P_VALUE, NULL },
  { "eq", 1, { P_VALUE }, true, P_VALUE, fn_eq },
  { "ge", 2, { P_VALUE, P_VALUE }, false, P_ANY, fn_ge },
  { "gt", 2, { P_VALUE, P_VALUE }, false, P_ANY, fn_gt },
  { "html", 0, { P_ANY }, true, P_ANY, fn_html },
  { "index", 1, { P_VALUE }, true, P_VALUE, fn_index },
  { "join", 2, { P_STRLIST, P_STRING }, false, P_ANY, fn_join },
  { "js", 0, { P_ANY }, true, P_ANY, fn_js },
  { "json", 1, { P_ANY }, false, P_ANY, fn_json },
  { "le", 2, { P_VALUE, P_VALUE }, false, P_ANY, fn_le },
  { "len", 1, { P_VALUE }, false, P_ANY, fn_len },
  { "lower", 1, { P_STRING }, false, P_ANY, fn_lower },
  { "lt", 2, { P_VALUE, P_VALUE }, false, P_ANY, fn_lt },
  { "ne", 2, { P_VALUE, P_VALUE }, false, P_ANY, fn_ne },
  { "not", 1, { P_VALUE }, false, P_ANY, fn_not },
  { "or", 1, { P_VALUE }, true, P_VALUE, NULL },
  { "pad", 3, { P_STRING, P_INT, P_INT }, false, P_ANY, fn_pad },
  { "print", 0, { P_ANY }, true, P_ANY, fn_print },
  { "printf", 1, { P_STRING }, true, P_ANY, fn_printf },
  { "println", 0, { P_ANY }, true, P_ANY, fn_println },
  { "slice", 1, { P_VALUE }, true, P_VALUE, fn_slice },
  { "split", 2, { P_STRING, P_STRING }, false, P_ANY, fn_split },
  { "title", 1, { P_STRING }, false, P_ANY, fn_title },
  { "truncate", 2, { P_STRING, P_INT }, false, P_ANY, fn_truncate },
  { "upper", 1, { P_STRING }, false, P_ANY, fn_upper },
  { "urlquery", 0, { P_ANY }, true, P_ANY, fn_urlquery },
};

const struct tfunc *
husk_template_find_func (const char *name)
{
  for (size_t i = 0; i < sizeof funcs / sizeof funcs[0]; i++)
    if (strcmp (funcs[i].name, name) == 0)
      return &funcs[i];
  return NULL;
}

/* ---- headers ----------------------------------------------------------------- */

enum cc_class
{
  CC_LOWER,
  CC_UPPER,
  CC_DIGIT,
  CC_OTHER,
};

static enum cc_class
cc_class_of (int32_t r)
{
  locale_t loc = utf8_locale ();

  if (r >= 'a' && r <= 'z')
    return CC_LOWER;
  if (r >= 'A' && r <= 'Z')
    return CC_UPPER;
  if (r >= '0' && r <= '9')
    return CC_DIGIT;
  if (r >= 0x80 && loc != (locale_t) 0)
    {
      if (iswlower_l ((wint_t) r, loc))
        return CC_LOWER;
      if (iswupper_l ((wint_t) r, loc))
        return CC_UPPER;
      if (iswdigit_l ((wint_t) r, loc))
        return CC_DIGIT;
    }
  return CC_OTHER;
}

/* Split at CamelCase boundaries as Podman's camelcase.Split does: runs of
   one character class, and an upper-case run followed by a lower-case run
   gives its last letter to that run ("PDFLoader" -> "PDF Loader").  */
static char *
camel_split_upper (const char *s)
{
  size_t len = strlen (s), i = 0, sz, n = 0;
  size_t *starts = husk_xmalloc ((len + 2) * sizeof (size_t));
  enum cc_class *cls = husk_xmalloc ((len + 2) * sizeof (enum cc_class));
  struct husk_buf b = HUSK_BUF_INIT;
  json_t *tmp;

  while (i < len)
    {
      enum cc_class c = cc_class_of (husk_gofmt_decode_rune (s + i, len - i, &sz));
      if (n == 0 || cls[n - 1] != c)
        {
          starts[n] = i;
          cls[n++] = c;
        }
      i += sz;
    }
  starts[n] = len;
  for (size_t k = 0; k + 1 < n; k++)
    if (cls[k] == CC_UPPER && cls[k + 1] == CC_LOWER)
      {
        size_t back = starts[k + 1] - 1;
        while (back > starts[k] && ((unsigned char) s[back] & 0xc0) == 0x80)
          back--;
        starts[k + 1] = back;
      }
  for (size_t k = 0; k < n; k++)
    if (starts[k + 1] > starts[k])
      {
        if (b.len)
          husk_buf_putc (&b, ' ');
        husk_buf_append (&b, s + starts[k], starts[k + 1] - starts[k]);
      }
  free (starts);
  free (cls);
  tmp = json_stringn_nocheck (b.data ? b.data : "", b.len);
  husk_buf_release (&b);
  {
    json_t *up = map_string (tmp, MAP_UPPER, false);
    char *r = husk_xstrndup (json_string_value (up), json_string_length (up));
    json_decref (tmp);
    json_decref (up);
    return r;
  }
}

char *
husk_template_header (json_t *headers, const char *field)
{
  json_t *h = headers ? json_object_get (headers, field) : NULL;

  if (json_is_string (h))
    {
      json_t *up = map_string (h, MAP_UPPER, false);
      char *r = husk_xstrndup (json_string_value (up), json_string_length (up));
      json_decref (up);
      return r;
    }
  return camel_split_upper (field);
}
