/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The scalar half of the TOML reader: the four kinds of string, integers in
 * four bases, floats, booleans, and the four kinds of date and time, each
 * checked against the TOML 1.0 grammar.  Also the UTF-8 check that runs over
 * the whole document before parsing, so that everything later may assume
 * well-formed UTF-8 and copy bytes through.
 *
 * Numbers, booleans and dates are read as one "token" first (the run of
 * characters that can appear in any of them), then classified by shape: a
 * date has '-' at offset 4, a time ':' at offset 2, the rest are numbers.
 * Only the date-time form with a space separator spans two runs, and it is
 * recognised by the date, the space and a digit-digit-colon after it.
 */
#include "config/toml-private.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int
toml_fail (struct toml_lexer *lx, const char *at, const char *fmt, ...)
{
  const char *q = lx->start;
  char *msg;
  va_list ap;
  int line = 1;

  if (at > lx->end)
    at = lx->end;
  while (q < at && (q = memchr (q, '\n', at - q)) != NULL)
    {
      line++;
      q++;
    }
  va_start (ap, fmt);
  msg = husk_vasprintf (fmt, ap);
  va_end (ap);
  husk_error_makex (lx->err, EINVAL, "line %d: %s", line, msg);
  free (msg);
  return -1;
}

int
toml_check_utf8 (struct toml_lexer *lx)
{
  const unsigned char *s = (const unsigned char *) lx->start;
  const unsigned char *e = (const unsigned char *) lx->end;

  while (s < e)
    {
      unsigned c = *s;
      uint32_t cp, min;
      size_t n;

      if (c < 0x80)
        {
          s++;
          continue;
        }
      if ((c & 0xe0) == 0xc0)
        n = 2, cp = c & 0x1f, min = 0x80;
      else if ((c & 0xf0) == 0xe0)
        n = 3, cp = c & 0x0f, min = 0x800;
      else if ((c & 0xf8) == 0xf0)
        n = 4, cp = c & 0x07, min = 0x10000;
      else
        return toml_fail (lx, (const char *) s, "invalid UTF-8");
      if ((size_t) (e - s) < n)
        return toml_fail (lx, (const char *) s, "invalid UTF-8");
      for (size_t i = 1; i < n; i++)
        {
          if ((s[i] & 0xc0) != 0x80)
            return toml_fail (lx, (const char *) s, "invalid UTF-8");
          cp = (cp << 6) | (s[i] & 0x3f);
        }
      if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
        return toml_fail (lx, (const char *) s, "invalid UTF-8");
      s += n;
    }
  return 0;
}

/* Strings.  */

static bool
is_control (char c)
{
  unsigned char u = (unsigned char) c;
  return (u < 0x20 && u != '\t') || u == 0x7f;
}

/* Length of the newline at p (LF or CRLF), or 0.  */
static size_t
newline_len (struct toml_lexer *lx, const char *p)
{
  if (p < lx->end && *p == '\n')
    return 1;
  if (lx->end - p >= 2 && p[0] == '\r' && p[1] == '\n')
    return 2;
  return 0;
}

static void
put_utf8 (struct husk_buf *b, uint32_t cp)
{
  char u[4];
  size_t n;

  if (cp < 0x80)
    u[0] = cp, n = 1;
  else if (cp < 0x800)
    u[0] = 0xc0 | (cp >> 6), u[1] = 0x80 | (cp & 0x3f), n = 2;
  else if (cp < 0x10000)
    u[0] = 0xe0 | (cp >> 12), u[1] = 0x80 | ((cp >> 6) & 0x3f),
    u[2] = 0x80 | (cp & 0x3f), n = 3;
  else
    u[0] = 0xf0 | (cp >> 18), u[1] = 0x80 | ((cp >> 12) & 0x3f),
    u[2] = 0x80 | ((cp >> 6) & 0x3f), u[3] = 0x80 | (cp & 0x3f), n = 4;
  husk_buf_append (b, u, n);
}

static int
hex_value (char c)
{
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

/* \uXXXX or \UXXXXXXXX: lx->p is past the 'u'; at is the backslash.  */
static int
read_unicode_escape (struct toml_lexer *lx, const char *at, int digits,
                     struct husk_buf *out)
{
  uint32_t cp = 0;

  if (lx->end - lx->p < digits)
    return toml_fail (lx, at, "incomplete unicode escape");
  for (int i = 0; i < digits; i++)
    {
      int v = hex_value (lx->p[i]);
      if (v < 0)
        return toml_fail (lx, at, "invalid unicode escape");
      cp = (cp << 4) | v;
    }
  if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
    return toml_fail (lx, at, "unicode escape '\\%c%.*s' is not a scalar value",
                      digits == 4 ? 'u' : 'U', digits, lx->p);
  lx->p += digits;
  put_utf8 (out, cp);
  return 0;
}

/* An escape sequence at lx->p (the backslash).  */
static int
read_escape (struct toml_lexer *lx, struct husk_buf *out)
{
  const char *at = lx->p;
  char c;

  if (lx->end - lx->p < 2)
    return toml_fail (lx, at, "unterminated string");
  c = lx->p[1];
  lx->p += 2;
  switch (c)
    {
    case 'b': husk_buf_putc (out, '\b'); return 0;
    case 't': husk_buf_putc (out, '\t'); return 0;
    case 'n': husk_buf_putc (out, '\n'); return 0;
    case 'f': husk_buf_putc (out, '\f'); return 0;
    case 'r': husk_buf_putc (out, '\r'); return 0;
    case '"': husk_buf_putc (out, '"'); return 0;
    case '\\': husk_buf_putc (out, '\\'); return 0;
    case 'u': return read_unicode_escape (lx, at, 4, out);
    case 'U': return read_unicode_escape (lx, at, 8, out);
    default:
      if (c > 0x20 && c < 0x7f)
        return toml_fail (lx, at, "invalid escape sequence '\\%c'", c);
      return toml_fail (lx, at, "invalid escape sequence");
    }
}

/* "..." and '...'.  */
static int
read_single_line (struct toml_lexer *lx, struct husk_buf *out)
{
  const char *open = lx->p;
  char quote = *lx->p++;

  for (;;)
    {
      char c;

      if (lx->p >= lx->end || newline_len (lx, lx->p) > 0)
        return toml_fail (lx, open, "unterminated string");
      c = *lx->p;
      if (c == quote)
        {
          lx->p++;
          return 0;
        }
      if (c == '\\' && quote == '"')
        {
          if (read_escape (lx, out) < 0)
            return -1;
          continue;
        }
      if (is_control (c))
        return toml_fail (lx, lx->p, "control character in string");
      husk_buf_putc (out, c);
      lx->p++;
    }
}

/* After a backslash in a multi-line basic string: if only whitespace
   follows up to the end of the line, skip it and all whitespace and newlines
   after it, and return true.  */
static bool
skip_line_ending_backslash (struct toml_lexer *lx)
{
  const char *q = lx->p + 1;
  size_t nl;

  while (q < lx->end && toml_is_ws (*q))
    q++;
  if (newline_len (lx, q) == 0)
    return false;
  while (q < lx->end)
    {
      if (toml_is_ws (*q))
        q++;
      else if ((nl = newline_len (lx, q)) > 0)
        q += nl;
      else
        break;
    }
  lx->p = q;
  return true;
}

/* """...""" and '''...'''.  */
static int
read_multi_line (struct toml_lexer *lx, struct husk_buf *out)
{
  const char *open = lx->p;
  char quote = *lx->p;

  lx->p += 3;
  lx->p += newline_len (lx, lx->p); /* a newline right after the opening is trimmed */
  for (;;)
    {
      size_t nl;
      char c;

      if (lx->p >= lx->end)
        return toml_fail (lx, open, "unterminated multi-line string");
      c = *lx->p;
      if (c == quote)
        {
          size_t k = 0;
          while (lx->p + k < lx->end && lx->p[k] == quote)
            k++;
          if (k >= 3)
            {
              if (k > 5)
                return toml_fail (lx, lx->p, "too many quotes at the end of a multi-line string");
              husk_buf_append (out, lx->p, k - 3);
              lx->p += k;
              return 0;
            }
          husk_buf_append (out, lx->p, k);
          lx->p += k;
        }
      else if (c == '\\' && quote == '"')
        {
          if (!skip_line_ending_backslash (lx) && read_escape (lx, out) < 0)
            return -1;
        }
      else if ((nl = newline_len (lx, lx->p)) > 0)
        {
          husk_buf_putc (out, '\n');
          lx->p += nl;
        }
      else if (is_control (c))
        return toml_fail (lx, lx->p, "control character in string");
      else
        {
          husk_buf_putc (out, c);
          lx->p++;
        }
    }
}

int
toml_read_string (struct toml_lexer *lx, bool multiline, struct husk_buf *out)
{
  char q = *lx->p;

  husk_buf_append (out, "", 0);
  if (multiline && lx->end - lx->p >= 3 && lx->p[1] == q && lx->p[2] == q)
    return read_multi_line (lx, out);
  return read_single_line (lx, out);
}

/* Numbers, booleans, dates and times.  */

/* Quote at most 40 bytes of a token in a message.  */
#define SHOWN(tok, n) (int) ((n) > 40 ? 40 : (n)), (tok), ((n) > 40 ? "..." : "")

static bool
is_token_char (char c)
{
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
         || c == '_' || c == '+' || c == '-' || c == '.' || c == ':';
}

static bool
all_digits (const char *s, size_t n)
{
  for (size_t i = 0; i < n; i++)
    if (!toml_is_digit (s[i]))
      return false;
  return true;
}

static int
two_digits (const char *s)
{
  return (s[0] - '0') * 10 + (s[1] - '0');
}

static bool
is_date_start (const char *s, size_t n)
{
  return n >= 5 && all_digits (s, 4) && s[4] == '-';
}

static bool
is_hex (char c)
{
  return hex_value (c) >= 0;
}

static bool
is_oct (char c)
{
  return c >= '0' && c <= '7';
}

static bool
is_bin (char c)
{
  return c == '0' || c == '1';
}

/* Skip a run of digits in which each '_' stands between two digits.
   Return: the end of the run (s when empty), or NULL for a misplaced '_'.  */
static const char *
skip_digits (const char *s, const char *e, bool (*is_dig) (char))
{
  const char *q = s;

  while (q < e)
    {
      if (is_dig (*q))
        q++;
      else if (*q == '_')
        {
          if (q == s || !is_dig (q[-1]) || q + 1 >= e || !is_dig (q[1]))
            return NULL;
          q++;
        }
      else
        break;
    }
  return q;
}

static int
read_radix_integer (struct toml_lexer *lx, const char *tok, size_t n,
                    struct toml_scalar *out)
{
  const char *e = tok + n, *s = tok + 2, *q;
  bool (*is_dig) (char) = tok[1] == 'x' ? is_hex : tok[1] == 'o' ? is_oct : is_bin;
  unsigned base = tok[1] == 'x' ? 16 : tok[1] == 'o' ? 8 : 2;
  uint64_t v = 0;

  q = skip_digits (s, e, is_dig);
  if (q == NULL || q == s || q != e)
    return toml_fail (lx, tok, "invalid integer '%.*s%s'", SHOWN (tok, n));
  for (; s < e; s++)
    {
      if (*s == '_')
        continue;
      if (v > ((uint64_t) INT64_MAX - hex_value (*s)) / base)
        return toml_fail (lx, tok, "integer '%.*s%s' out of range", SHOWN (tok, n));
      v = v * base + hex_value (*s);
    }
  out->kind = TOML_INTEGER;
  out->i = (int64_t) v;
  return 0;
}

static int
decimal_integer (struct toml_lexer *lx, const char *tok, size_t n,
                 struct toml_scalar *out)
{
  const char *s = tok, *e = tok + n;
  bool neg = *s == '-';
  uint64_t limit = neg ? (uint64_t) INT64_MAX + 1 : (uint64_t) INT64_MAX;
  uint64_t v = 0;

  if (*s == '+' || *s == '-')
    s++;
  for (; s < e; s++)
    {
      unsigned d;
      if (*s == '_')
        continue;
      d = *s - '0';
      if (v > (limit - d) / 10)
        return toml_fail (lx, tok, "integer '%.*s%s' out of range", SHOWN (tok, n));
      v = v * 10 + d;
    }
  out->kind = TOML_INTEGER;
  if (neg)
    out->i = v == (uint64_t) INT64_MAX + 1 ? INT64_MIN : -(int64_t) v;
  else
    out->i = (int64_t) v;
  return 0;
}

static int
decimal_float (struct toml_lexer *lx, const char *tok, size_t n,
               struct toml_scalar *out)
{
  char *end;

  for (size_t i = 0; i < n; i++)
    if (tok[i] != '_')
      husk_buf_putc (&out->text, tok[i]);
  if (lx->c_locale == (locale_t) 0)
    lx->c_locale = newlocale (LC_ALL_MASK, "C", (locale_t) 0);
  if (lx->c_locale == (locale_t) 0)
    return toml_fail (lx, tok, "cannot make the C locale to read '%.*s%s'", SHOWN (tok, n));
  out->f = strtod_l (out->text.data, &end, lx->c_locale);
  if (*end != '\0')
    return toml_fail (lx, tok, "invalid float '%.*s%s'", SHOWN (tok, n));
  if (isinf (out->f))
    return toml_fail (lx, tok, "float '%.*s%s' out of range", SHOWN (tok, n));
  out->kind = TOML_FLOAT;
  return 0;
}

static int
read_number (struct toml_lexer *lx, const char *tok, size_t n,
             struct toml_scalar *out)
{
  const char *e = tok + n, *s = tok, *q;
  bool is_float = false;

  if (*s == '+' || *s == '-')
    s++;
  if (e - s == 3 && (memcmp (s, "inf", 3) == 0 || memcmp (s, "nan", 3) == 0))
    {
      out->kind = TOML_FLOAT;
      out->f = s[0] == 'n' ? NAN : *tok == '-' ? -INFINITY : INFINITY;
      husk_buf_append (&out->text, tok, n);
      return 0;
    }
  if (e - s >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'o' || s[1] == 'b'))
    {
      if (s != tok)
        return toml_fail (lx, tok, "sign not allowed on integer '%.*s%s'", SHOWN (tok, n));
      return read_radix_integer (lx, tok, n, out);
    }
  q = skip_digits (s, e, toml_is_digit);
  if (q == NULL || q == s)
    return toml_fail (lx, tok, "invalid value '%.*s%s'", SHOWN (tok, n));
  if (*s == '0' && q - s > 1)
    return toml_fail (lx, tok, "leading zero in number '%.*s%s'", SHOWN (tok, n));
  if (q < e && *q == '.')
    {
      const char *f = q + 1;
      q = skip_digits (f, e, toml_is_digit);
      if (q == NULL || q == f)
        return toml_fail (lx, tok, "invalid float '%.*s%s'", SHOWN (tok, n));
      is_float = true;
    }
  if (q < e && (*q == 'e' || *q == 'E'))
    {
      const char *x = q + 1;
      if (x < e && (*x == '+' || *x == '-'))
        x++;
      q = skip_digits (x, e, toml_is_digit);
      if (q == NULL || q == x)
        return toml_fail (lx, tok, "invalid float '%.*s%s'", SHOWN (tok, n));
      is_float = true;
    }
  if (q != e)
    return toml_fail (lx, tok, "invalid value '%.*s%s'", SHOWN (tok, n));
  if (is_float)
    return decimal_float (lx, tok, n, out);
  return decimal_integer (lx, tok, n, out);
}

/* HH:MM:SS[.fraction] at the start of s[0, n).  Return: bytes used, or 0.  */
static size_t
read_time (const char *s, size_t n, struct husk_buf *text)
{
  size_t k = 8;

  if (n < 8 || !all_digits (s, 2) || s[2] != ':' || !all_digits (s + 3, 2)
      || s[5] != ':' || !all_digits (s + 6, 2))
    return 0;
  if (two_digits (s) > 23 || two_digits (s + 3) > 59 || two_digits (s + 6) > 60)
    return 0;
  if (k < n && s[k] == '.')
    {
      size_t f = ++k;
      while (k < n && toml_is_digit (s[k]))
        k++;
      if (k == f)
        return 0;
    }
  husk_buf_append (text, s, k);
  return k;
}

static bool
is_leap (int y)
{
  return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static bool
valid_date (const char *s)
{
  static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
  int y, m, d;

  if (!all_digits (s, 4) || s[4] != '-' || !all_digits (s + 5, 2) || s[7] != '-'
      || !all_digits (s + 8, 2))
    return false;
  y = two_digits (s) * 100 + two_digits (s + 2);
  m = two_digits (s + 5);
  d = two_digits (s + 8);
  if (m < 1 || m > 12 || d < 1)
    return false;
  return d <= mdays[m - 1] + (m == 2 && is_leap (y));
}

/* +HH:MM / -HH:MM / Z at s[0, n), exactly.  */
static bool
read_offset (const char *s, size_t n, struct husk_buf *text)
{
  if (n == 1 && (*s == 'Z' || *s == 'z'))
    {
      husk_buf_putc (text, 'Z');
      return true;
    }
  if (n != 6 || (*s != '+' && *s != '-') || !all_digits (s + 1, 2) || s[3] != ':'
      || !all_digits (s + 4, 2) || two_digits (s + 1) > 23 || two_digits (s + 4) > 59)
    return false;
  husk_buf_append (text, s, n);
  return true;
}

static int
read_datetime (struct toml_lexer *lx, const char *tok, size_t n,
               struct toml_scalar *out)
{
  size_t used;

  if (n < 10 || !valid_date (tok))
    return toml_fail (lx, tok, "invalid date '%.*s%s'", SHOWN (tok, n));
  husk_buf_append (&out->text, tok, 10);
  if (n == 10)
    {
      out->kind = TOML_DATE_LOCAL;
      return 0;
    }
  if (tok[10] != 'T' && tok[10] != 't' && tok[10] != ' ')
    return toml_fail (lx, tok, "invalid date-time '%.*s%s'", SHOWN (tok, n));
  husk_buf_putc (&out->text, 'T');
  used = read_time (tok + 11, n - 11, &out->text);
  if (used == 0)
    return toml_fail (lx, tok, "invalid date-time '%.*s%s'", SHOWN (tok, n));
  if (11 + used == n)
    {
      out->kind = TOML_DATETIME_LOCAL;
      return 0;
    }
  if (!read_offset (tok + 11 + used, n - 11 - used, &out->text))
    return toml_fail (lx, tok, "invalid date-time '%.*s%s'", SHOWN (tok, n));
  out->kind = TOML_DATETIME;
  return 0;
}

int
toml_read_scalar (struct toml_lexer *lx, struct toml_scalar *out)
{
  const char *tok = lx->p, *q = lx->p;
  size_t n;

  while (q < lx->end && is_token_char (*q))
    q++;
  /* A date, one space, and a time: the space-separated date-time.  */
  if (q - tok == 10 && is_date_start (tok, 10) && lx->end - q >= 4 && *q == ' '
      && toml_is_digit (q[1]) && toml_is_digit (q[2]) && q[3] == ':')
    for (q++; q < lx->end && is_token_char (*q);)
      q++;
  n = q - tok;
  lx->p = q;
  if (n == 0)
    return toml_fail (lx, tok, "expected a value");
  if ((n == 4 && memcmp (tok, "true", 4) == 0) || (n == 5 && memcmp (tok, "false", 5) == 0))
    {
      out->kind = TOML_BOOL;
      out->b = n == 4;
      return 0;
    }
  if (is_date_start (tok, n))
    return read_datetime (lx, tok, n, out);
  if (n >= 3 && all_digits (tok, 2) && tok[2] == ':')
    {
      if (read_time (tok, n, &out->text) != n)
        return toml_fail (lx, tok, "invalid time '%.*s%s'", SHOWN (tok, n));
      out->kind = TOML_TIME_LOCAL;
      return 0;
    }
  return read_number (lx, tok, n, out);
}
