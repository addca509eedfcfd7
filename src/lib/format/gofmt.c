/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Go's fmt (Sprint, Sprintln, Sprintf, %v) and encoding/json over jansson
 * values, written from the documented behaviour of those packages and
 * cross-checked against Go 1.19 output.  Users of `--format` compare our
 * output with Podman's byte for byte, so the corner cases matter: float
 * shortest forms ("1e+06", "1.5"), "%!d(string=x)" for bad verbs, sorted
 * map keys in "map[a:1 b:2]", rune-counted widths, strconv.Quote escapes.
 *
 * Not covered: %p, the '#' flag on floats, complex numbers, unsigned
 * integers (JSON has none), Unicode case tables (see template-funcs.c).
 */
#include "format/gofmt.h"
#include "util/cleanup.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- UTF-8 ------------------------------------------------------------ */

int32_t
husk_gofmt_decode_rune (const char *str, size_t len, size_t *size)
{
  const unsigned char *s = (const unsigned char *) str;
  int32_t r;
  size_t n;

  *size = 1;
  if (s[0] < 0x80)
    return s[0];
  if (s[0] >= 0xc2 && s[0] <= 0xdf)
    n = 2, r = s[0] & 0x1f;
  else if (s[0] >= 0xe0 && s[0] <= 0xef)
    n = 3, r = s[0] & 0x0f;
  else if (s[0] >= 0xf0 && s[0] <= 0xf4)
    n = 4, r = s[0] & 0x07;
  else
    return 0xfffd;
  if (len < n)
    return 0xfffd;
  for (size_t i = 1; i < n; i++)
    {
      if ((s[i] & 0xc0) != 0x80)
        return 0xfffd;
      r = (r << 6) | (s[i] & 0x3f);
    }
  /* Overlong forms, surrogates and values past U+10FFFF are invalid.  */
  if ((n == 3 && r < 0x800) || (n == 4 && (r < 0x10000 || r > 0x10ffff))
      || (r >= 0xd800 && r <= 0xdfff))
    return 0xfffd;
  *size = n;
  return r;
}

void
husk_gofmt_put_rune (struct husk_buf *b, int32_t r)
{
  char u[4];

  if (r < 0 || r > 0x10ffff || (r >= 0xd800 && r <= 0xdfff))
    r = 0xfffd;
  if (r < 0x80)
    {
      husk_buf_putc (b, (char) r);
      return;
    }
  if (r < 0x800)
    {
      u[0] = (char) (0xc0 | (r >> 6));
      u[1] = (char) (0x80 | (r & 0x3f));
      husk_buf_append (b, u, 2);
      return;
    }
  if (r < 0x10000)
    {
      u[0] = (char) (0xe0 | (r >> 12));
      u[1] = (char) (0x80 | ((r >> 6) & 0x3f));
      u[2] = (char) (0x80 | (r & 0x3f));
      husk_buf_append (b, u, 3);
      return;
    }
  u[0] = (char) (0xf0 | (r >> 18));
  u[1] = (char) (0x80 | ((r >> 12) & 0x3f));
  u[2] = (char) (0x80 | ((r >> 6) & 0x3f));
  u[3] = (char) (0x80 | (r & 0x3f));
  husk_buf_append (b, u, 4);
}

size_t
husk_gofmt_rune_count (const char *s, size_t len)
{
  size_t n = 0, i = 0, sz;

  while (i < len)
    {
      husk_gofmt_decode_rune (s + i, len - i, &sz);
      i += sz;
      n++;
    }
  return n;
}

/* Byte length of the first n runes of s.  */
static size_t
rune_prefix (const char *s, size_t len, size_t n)
{
  size_t i = 0, sz;

  while (i < len && n-- > 0)
    {
      husk_gofmt_decode_rune (s + i, len - i, &sz);
      i += sz;
    }
  return i;
}

/* strconv.IsPrint, exact for ASCII and Latin-1, approximate above: the
   format, private-use and separator code points that matter in practice
   are not printable, everything else is.  */
static bool
is_print (int32_t r)
{
  if (r < 0x80)
    return r >= 0x20 && r < 0x7f;
  if (r < 0xa0 || r == 0xad)
    return false;
  if ((r >= 0x200b && r <= 0x200f) || (r >= 0x2028 && r <= 0x202e)
      || (r >= 0x2060 && r <= 0x206f) || r == 0xfeff
      || (r >= 0xfff0 && r <= 0xfffb) || (r >= 0xe000 && r <= 0xf8ff)
      || (r & 0xfffe) == 0xfffe || r >= 0xf0000 || (r >= 0xd800 && r <= 0xdfff)
      || r == 0x061c || r == 0x180e || (r >= 0x0600 && r <= 0x0605))
    return false;
  return true;
}

/* ---- strconv.Quote ------------------------------------------------------ */

static const char lhex[] = "0123456789abcdef";
static const char uhex[] = "0123456789ABCDEF";

static void
put_hex (struct husk_buf *b, unsigned long v, int digits, const char *hex)
{
  for (int i = digits - 1; i >= 0; i--)
    husk_buf_putc (b, hex[(v >> (4 * i)) & 0xf]);
}

static void
escape_rune (struct husk_buf *b, int32_t r, char quote, bool ascii_only)
{
  if (r == quote || r == '\\')
    {
      husk_buf_putc (b, '\\');
      husk_buf_putc (b, (char) r);
      return;
    }
  if (ascii_only ? (r < 0x80 && is_print (r)) : is_print (r))
    {
      husk_gofmt_put_rune (b, r);
      return;
    }
  switch (r)
    {
    case '\a': husk_buf_puts (b, "\\a"); return;
    case '\b': husk_buf_puts (b, "\\b"); return;
    case '\f': husk_buf_puts (b, "\\f"); return;
    case '\n': husk_buf_puts (b, "\\n"); return;
    case '\r': husk_buf_puts (b, "\\r"); return;
    case '\t': husk_buf_puts (b, "\\t"); return;
    case '\v': husk_buf_puts (b, "\\v"); return;
    default: break;
    }
  if (r < ' ' || r == 0x7f)
    {
      husk_buf_puts (b, "\\x");
      put_hex (b, (unsigned long) r, 2, lhex);
    }
  else if (r < 0x10000)
    {
      husk_buf_puts (b, "\\u");
      put_hex (b, (unsigned long) r, 4, lhex);
    }
  else
    {
      husk_buf_puts (b, "\\U");
      put_hex (b, (unsigned long) r, 8, lhex);
    }
}

static void
quote_with (struct husk_buf *b, const char *s, size_t len, char quote, bool ascii_only)
{
  size_t i = 0, sz;

  husk_buf_putc (b, quote);
  while (i < len)
    {
      int32_t r = husk_gofmt_decode_rune (s + i, len - i, &sz);
      if (r == 0xfffd && sz == 1)
        {
          husk_buf_puts (b, "\\x");
          put_hex (b, (unsigned char) s[i], 2, lhex);
        }
      else
        escape_rune (b, r, quote, ascii_only);
      i += sz;
    }
  husk_buf_putc (b, quote);
}

void
husk_gofmt_quote (struct husk_buf *b, const char *s, size_t len, bool ascii_only)
{
  quote_with (b, s, len, '"', ascii_only);
}

/* strconv.CanBackquote.  */
static bool
can_backquote (const char *s, size_t len)
{
  size_t i = 0, sz;

  while (i < len)
    {
      int32_t r = husk_gofmt_decode_rune (s + i, len - i, &sz);
      if ((r == 0xfffd && sz == 1) || r == '`' || r == 0xfeff
          || (r < ' ' && r != '\t') || r == 0x7f)
        return false;
      i += sz;
    }
  return true;
}

/* ---- floats ------------------------------------------------------------- */

/* Decimal digits of |v|: value = 0.d[0]d[1]... * 10^dp; nd == 0 for zero.  */
struct digits
{
  char d[32];
  int nd;
  int dp;
};

static void
shortest_digits (double v, struct digits *out)
{
  char buf[64], *e;
  int p, n = 0;

  v = fabs (v);
  out->nd = 0;
  out->dp = 0;
  if (v == 0 || !isfinite (v))
    return;
  for (p = 1; p <= 17; p++)
    {
      snprintf (buf, sizeof buf, "%.*e", p - 1, v);
      if (strtod (buf, NULL) == v)
        break;
    }
  e = strchr (buf, 'e');
  for (char *c = buf; c < e; c++)
    if (*c >= '0' && *c <= '9')
      out->d[n++] = *c;
  while (n > 1 && out->d[n - 1] == '0')
    n--;
  out->nd = n;
  out->dp = atoi (e + 1) + 1;
}

static void
put_exp (struct husk_buf *b, char e, int exp)
{
  husk_buf_putc (b, e);
  husk_buf_putc (b, exp < 0 ? '-' : '+');
  if (exp < 0)
    exp = -exp;
  if (exp < 10)
    husk_buf_putc (b, '0');
  husk_buf_printf (b, "%d", exp);
}

/* %e with prec digits after the point, from shortest digits.  */
static void
fmt_e (struct husk_buf *b, const struct digits *g, int prec, char e)
{
  husk_buf_putc (b, g->nd ? g->d[0] : '0');
  if (prec > 0)
    {
      husk_buf_putc (b, '.');
      for (int i = 1; i <= prec; i++)
        husk_buf_putc (b, i < g->nd ? g->d[i] : '0');
    }
  put_exp (b, e, g->nd ? g->dp - 1 : 0);
}

/* %f with prec digits after the point, from shortest digits.  */
static void
fmt_f (struct husk_buf *b, const struct digits *g, int prec)
{
  if (g->dp > 0)
    for (int i = 0; i < g->dp; i++)
      husk_buf_putc (b, i < g->nd ? g->d[i] : '0');
  else
    husk_buf_putc (b, '0');
  if (prec > 0)
    {
      husk_buf_putc (b, '.');
      for (int i = 1; i <= prec; i++)
        {
          int j = g->dp + i - 1;
          husk_buf_putc (b, j >= 0 && j < g->nd ? g->d[j] : '0');
        }
    }
}

/* strconv.FormatFloat (|v|, 'g', -1, 64).  */
static void
fmt_g_shortest (struct husk_buf *b, double v, char e)
{
  struct digits g;
  int exp;

  shortest_digits (v, &g);
  exp = g.dp - 1;
  if (g.nd > 0 && (exp < -4 || exp >= 6))
    fmt_e (b, &g, g.nd - 1, e);
  else
    fmt_f (b, &g, g.nd > g.dp ? g.nd - g.dp : 0);
}

void
husk_gofmt_float (struct husk_buf *b, double d)
{
  if (isnan (d))
    {
      husk_buf_puts (b, "NaN");
      return;
    }
  if (signbit (d))
    husk_buf_putc (b, '-');
  if (isinf (d))
    husk_buf_puts (b, signbit (d) ? "Inf" : "+Inf");
  else
    fmt_g_shortest (b, d, 'e');
}

/* ---- fmt state ------------------------------------------------------------ */

struct spec
{
  bool minus, plus, sharp, space, zero, plus_v, sharp_v;
  bool wid_present, prec_present;
  int wid, prec;
};

static void
write_padding (struct husk_buf *b, const struct spec *f, int n)
{
  char c = f->zero ? '0' : ' ';
  for (int i = 0; i < n; i++)
    husk_buf_putc (b, c);
}

/* fmt.pad: width counted in runes.  */
static void
pad (struct husk_buf *b, const struct spec *f, const char *s, size_t len)
{
  size_t n;

  if (!f->wid_present || f->wid == 0)
    {
      husk_buf_append (b, s, len);
      return;
    }
  n = husk_gofmt_rune_count (s, len);
  if (n >= (size_t) f->wid)
    {
      husk_buf_append (b, s, len);
      return;
    }
  if (!f->minus)
    write_padding (b, f, f->wid - (int) n);
  husk_buf_append (b, s, len);
  if (f->minus)
    write_padding (b, f, f->wid - (int) n);
}

static void
pad_buf (struct husk_buf *b, const struct spec *f, struct husk_buf *tmp)
{
  pad (b, f, tmp->data ? tmp->data : "", tmp->len);
  husk_buf_release (tmp);
}

static void print_arg (struct husk_buf *b, struct spec *f, int verb, json_t *v);
static void print_value (struct husk_buf *b, struct spec *f, int verb, json_t *v, int depth);

static void
bad_verb (struct husk_buf *b, struct spec *f, int verb, json_t *v)
{
  husk_buf_puts (b, "%!");
  husk_gofmt_put_rune (b, verb);
  husk_buf_putc (b, '(');
  if (v && !json_is_null (v))
    {
      husk_buf_puts (b, husk_gofmt_type_name (v));
      husk_buf_putc (b, '=');
      print_arg (b, f, 'v', v);
    }
  else
    husk_buf_puts (b, "<nil>");
  husk_buf_putc (b, ')');
}

const char *
husk_gofmt_type_name (json_t *v)
{
  switch (v ? json_typeof (v) : JSON_NULL)
    {
    case JSON_STRING: return "string";
    case JSON_INTEGER: return "int";
    case JSON_REAL: return "float64";
    case JSON_TRUE:
    case JSON_FALSE: return "bool";
    case JSON_ARRAY: return "[]interface {}";
    case JSON_OBJECT: return "map[string]interface {}";
    default: return "<nil>";
    }
}

static void
fmt_bool (struct husk_buf *b, struct spec *f, int verb, json_t *v)
{
  const char *s = json_is_true (v) ? "true" : "false";

  if (verb == 't' || verb == 'v')
    pad (b, f, s, strlen (s));
  else
    bad_verb (b, f, verb, v);
}

/* fmt.fmtInteger.  */
static void
fmt_integer (struct husk_buf *b, struct spec *f, long long sv, int base, int verb,
             const char *digits)
{
  bool neg = sv < 0;
  unsigned long long u = neg ? 0ULL - (unsigned long long) sv : (unsigned long long) sv;
  size_t cap = 80 + (size_t) (f->wid_present ? f->wid : 0) + (size_t) (f->prec_present ? f->prec : 0);
  cleanup_free char *buf = husk_xmalloc (cap);
  size_t i = cap;
  int prec = 0;
  bool old_zero;

  if (f->prec_present)
    {
      prec = f->prec;
      if (prec == 0 && u == 0)
        {
          old_zero = f->zero;
          f->zero = false;
          write_padding (b, f, f->wid);
          f->zero = old_zero;
          return;
        }
    }
  else if (f->zero && f->wid_present)
    {
      prec = f->wid;
      if (neg || f->plus || f->space)
        prec--;
    }
  do
    {
      buf[--i] = digits[u % (unsigned) base];
      u /= (unsigned) base;
    }
  while (u);
  while (i > 4 && prec > (int) (cap - i))
    buf[--i] = '0';
  if (f->sharp && base == 2)
    {
      buf[--i] = 'b';
      buf[--i] = '0';
    }
  else if (f->sharp && base == 8 && buf[i] != '0')
    buf[--i] = '0';
  else if (f->sharp && base == 16)
    {
      buf[--i] = digits[10] == 'a' ? 'x' : 'X';
      buf[--i] = '0';
    }
  if (verb == 'O')
    {
      buf[--i] = 'o';
      buf[--i] = '0';
    }
  if (neg)
    buf[--i] = '-';
  else if (f->plus)
    buf[--i] = '+';
  else if (f->space)
    buf[--i] = ' ';
  old_zero = f->zero;
  f->zero = false;
  pad (b, f, buf + i, cap - i);
  f->zero = old_zero;
}

static void
fmt_quoted_rune (struct husk_buf *b, struct spec *f, long long c)
{
  struct husk_buf t = HUSK_BUF_INIT;
  int32_t r = (c < 0 || c > 0x10ffff) ? 0xfffd : (int32_t) c;

  if (f->sharp && is_print (r) && r != '\'')
    {
      husk_buf_putc (&t, '\'');
      husk_gofmt_put_rune (&t, r);
      husk_buf_putc (&t, '\'');
    }
  else
    {
      husk_buf_putc (&t, '\'');
      if (r >= 0xd800 && r <= 0xdfff)
        r = 0xfffd;
      escape_rune (&t, r, '\'', f->plus);
      husk_buf_putc (&t, '\'');
    }
  pad_buf (b, f, &t);
}

static void
fmt_int (struct husk_buf *b, struct spec *f, int verb, json_t *v)
{
  long long n = json_integer_value (v);
  struct husk_buf t = HUSK_BUF_INIT;
  bool old_zero;

  switch (verb)
    {
    case 'v':
    case 'd': fmt_integer (b, f, n, 10, verb, lhex); return;
    case 'b': fmt_integer (b, f, n, 2, verb, lhex); return;
    case 'o':
    case 'O': fmt_integer (b, f, n, 8, verb, lhex); return;
    case 'x': fmt_integer (b, f, n, 16, verb, lhex); return;
    case 'X': fmt_integer (b, f, n, 16, verb, uhex); return;
    case 'c':
      husk_gofmt_put_rune (&t, (n < 0 || n > 0x10ffff) ? 0xfffd : (int32_t) n);
      pad_buf (b, f, &t);
      return;
    case 'q': fmt_quoted_rune (b, f, n); return;
    case 'U':
      {
        int prec = f->prec_present && f->prec > 4 ? f->prec : 4;
        unsigned long long u = (unsigned long long) n;
        char hex[32];
        int nd = snprintf (hex, sizeof hex, "%llX", u);
        husk_buf_puts (&t, "U+");
        for (int i = nd; i < prec; i++)
          husk_buf_putc (&t, '0');
        husk_buf_puts (&t, hex);
        if (f->sharp && u <= 0x10ffff && is_print ((int32_t) u))
          {
            husk_buf_puts (&t, " '");
            husk_gofmt_put_rune (&t, (int32_t) u);
            husk_buf_putc (&t, '\'');
          }
        old_zero = f->zero;
        f->zero = false;
        pad_buf (b, f, &t);
        f->zero = old_zero;
        return;
      }
    default: bad_verb (b, f, verb, v); return;
    }
}

/* Go's %b for a float64: mantissa p exponent of two.  */
static void
fmt_float_b (struct husk_buf *b, double d)
{
  int e;
  double fr = frexp (fabs (d), &e);
  long long mant = (long long) ldexp (fr, 53);

  if (d == 0)
    e = -1074 + 53, mant = 0;
  husk_buf_printf (b, "%s%lldp%s%d", signbit (d) ? "-" : "", mant,
                   e - 53 >= 0 ? "+" : "", e - 53);
}

/* Hex float as Go prints it: like C's %a but with a two-digit exponent.  */
static void
fmt_float_x (struct husk_buf *b, double d, int prec, bool upper)
{
  char buf[64], *p;

  if (prec >= 0)
    snprintf (buf, sizeof buf, upper ? "%.*A" : "%.*a", prec > 30 ? 30 : prec, d);
  else
    snprintf (buf, sizeof buf, upper ? "%A" : "%a", d);
  p = strchr (buf, upper ? 'P' : 'p');
  if (p == NULL)
    {
      husk_buf_puts (b, buf);
      return;
    }
  husk_buf_append (b, buf, (size_t) (p - buf) + 2);
  if (p[3] == '\0')
    husk_buf_putc (b, '0');
  husk_buf_puts (b, p + 2);
}

/* %e, %E, %f, %g, %G with an explicit precision: C's printf rounds
   exactly as Go's strconv does.  */
static void
fmt_float_c (struct husk_buf *b, int verb, int prec, double d)
{
  switch (verb)
    {
    case 'e': husk_buf_printf (b, "%.*e", prec, d); break;
    case 'E': husk_buf_printf (b, "%.*E", prec, d); break;
    case 'g': husk_buf_printf (b, "%.*g", prec, d); break;
    case 'G': husk_buf_printf (b, "%.*G", prec, d); break;
    default: husk_buf_printf (b, "%.*f", prec, d); break;
    }
}

/* fmt.fmtFloat: number with sign, then padding rules.  */
static void
fmt_float (struct husk_buf *b, struct spec *f, int verb, json_t *v)
{
  double d = json_real_value (v);
  struct husk_buf num = HUSK_BUF_INIT;
  int prec = -1;
  char sign;

  switch (verb)
    {
    case 'v': verb = 'g'; break;
    case 'b': case 'g': case 'G': case 'x': case 'X': break;
    case 'f': case 'F': case 'e': case 'E': prec = 6; break;
    default: bad_verb (b, f, verb, v); return;
    }
  if (f->prec_present)
    prec = f->prec;
  if (verb == 'F')
    verb = 'f';
  if (isnan (d) || isinf (d))
    {
      bool old_zero = f->zero;
      const char *s = isnan (d) ? "NaN" : d < 0 ? "-Inf" : f->plus ? "+Inf" : f->space ? " Inf" : "Inf";
      if (isnan (d) && (f->plus || f->space))
        s = f->plus ? "+NaN" : " NaN";
      f->zero = false;
      pad (b, f, s, strlen (s));
      f->zero = old_zero;
      return;
    }
  if (verb == 'b')
    fmt_float_b (&num, fabs (d));
  else if (verb == 'x' || verb == 'X')
    fmt_float_x (&num, fabs (d), prec, verb == 'X');
  else if ((verb == 'g' || verb == 'G') && prec < 0)
    fmt_g_shortest (&num, d, verb == 'G' ? 'E' : 'e');
  else
    fmt_float_c (&num, verb, prec, fabs (d));
  sign = signbit (d) ? '-' : f->plus ? '+' : f->space ? ' ' : 0;
  if (sign)
    {
      if (f->zero && f->wid_present && f->wid > (int) num.len + 1)
        {
          husk_buf_putc (b, sign);
          write_padding (b, f, f->wid - (int) num.len - 1);
          husk_buf_append (b, num.data, num.len);
        }
      else
        {
          struct husk_buf t = HUSK_BUF_INIT;
          husk_buf_putc (&t, sign);
          husk_buf_append (&t, num.data, num.len);
          pad_buf (b, f, &t);
        }
      husk_buf_release (&num);
      return;
    }
  pad_buf (b, f, &num);
}

/* %x / %X of a string: hex bytes, optionally spaced and prefixed.  */
static void
fmt_string_hex (struct husk_buf *b, struct spec *f, const char *s, size_t len, bool upper)
{
  struct husk_buf t = HUSK_BUF_INIT;
  const char *hex = upper ? uhex : lhex;

  if (f->prec_present && (size_t) f->prec < len)
    len = (size_t) f->prec;
  for (size_t i = 0; i < len; i++)
    {
      if (f->space && i > 0)
        husk_buf_putc (&t, ' ');
      if (f->sharp && (f->space || i == 0))
        husk_buf_puts (&t, upper ? "0X" : "0x");
      put_hex (&t, (unsigned char) s[i], 2, hex);
    }
  pad_buf (b, f, &t);
}

static void
fmt_string (struct husk_buf *b, struct spec *f, int verb, json_t *v)
{
  const char *s = json_string_value (v);
  size_t len = json_string_length (v);
  struct husk_buf t = HUSK_BUF_INIT;

  if (f->prec_present && verb != 'x' && verb != 'X')
    len = rune_prefix (s, len, (size_t) f->prec);
  switch (verb)
    {
    case 'v':
      if (!f->sharp_v)
        {
          pad (b, f, s, len);
          return;
        }
      husk_gofmt_quote (&t, s, len, false);
      pad_buf (b, f, &t);
      return;
    case 's': pad (b, f, s, len); return;
    case 'x':
    case 'X': fmt_string_hex (b, f, s, json_string_length (v), verb == 'X'); return;
    case 'q':
      if (f->sharp && can_backquote (s, len))
        {
          husk_buf_putc (&t, '`');
          husk_buf_append (&t, s, len);
          husk_buf_putc (&t, '`');
        }
      else
        husk_gofmt_quote (&t, s, len, f->plus);
      pad_buf (b, f, &t);
      return;
    default: bad_verb (b, f, verb, v); return;
    }
}

static int
cmp_keys (const void *a, const void *b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

/* Keys of an object in byte order; the caller frees the array only.  */
static const char **
sorted_keys (json_t *obj, size_t *n)
{
  const char **keys = husk_xmalloc ((json_object_size (obj) + 1) * sizeof (char *));
  const char *k;
  json_t *v;

  *n = 0;
  json_object_foreach (obj, k, v)
    keys[(*n)++] = k;
  qsort (keys, *n, sizeof (char *), cmp_keys);
  return keys;
}

/* fmt's printValue for the elements of maps and slices.  */
static void
print_value (struct husk_buf *b, struct spec *f, int verb, json_t *v, int depth)
{
  if (depth > 0 && (v == NULL || json_is_null (v)))
    {
      if (f->sharp_v)
        husk_buf_puts (b, "interface {}(nil)");
      else
        pad (b, f, "<nil>", 5);
      return;
    }
  if (json_is_object (v))
    {
      size_t n;
      cleanup_free const char **keys = sorted_keys (v, &n);
      husk_buf_puts (b, f->sharp_v ? "map[string]interface {}{" : "map[");
      for (size_t i = 0; i < n; i++)
        {
          json_t *k = json_string_nocheck (keys[i]);
          if (i > 0)
            husk_buf_puts (b, f->sharp_v ? ", " : " ");
          print_value (b, f, verb, k, depth + 1);
          husk_buf_putc (b, ':');
          print_value (b, f, verb, json_object_get (v, keys[i]), depth + 1);
          json_decref (k);
        }
      husk_buf_putc (b, f->sharp_v ? '}' : ']');
      return;
    }
  if (json_is_array (v))
    {
      husk_buf_puts (b, f->sharp_v ? "[]interface {}{" : "[");
      for (size_t i = 0; i < json_array_size (v); i++)
        {
          if (i > 0)
            husk_buf_puts (b, f->sharp_v ? ", " : " ");
          print_value (b, f, verb, json_array_get (v, i), depth + 1);
        }
      husk_buf_putc (b, f->sharp_v ? '}' : ']');
      return;
    }
  print_arg (b, f, verb, v);
}

static void
print_arg (struct husk_buf *b, struct spec *f, int verb, json_t *v)
{
  if (v == NULL || json_is_null (v))
    {
      if (verb == 'T' || verb == 'v')
        pad (b, f, "<nil>", 5);
      else
        bad_verb (b, f, verb, NULL);
      return;
    }
  if (verb == 'T')
    {
      const char *t = husk_gofmt_type_name (v);
      pad (b, f, t, strlen (t));
      return;
    }
  switch (json_typeof (v))
    {
    case JSON_TRUE:
    case JSON_FALSE: fmt_bool (b, f, verb, v); return;
    case JSON_INTEGER: fmt_int (b, f, verb, v); return;
    case JSON_REAL: fmt_float (b, f, verb, v); return;
    case JSON_STRING: fmt_string (b, f, verb, v); return;
    default: break;
    }
  if (verb == 'p')
    bad_verb (b, f, verb, v);
  else
    print_value (b, f, verb, v, 0);
}

void
husk_gofmt_print (struct husk_buf *b, json_t *v)
{
  struct spec f = { 0 };
  print_arg (b, &f, 'v', v);
}

void
husk_gofmt_sprint (struct husk_buf *b, json_t *const *args, size_t n_args)
{
  bool prev_string = false;

  for (size_t i = 0; i < n_args; i++)
    {
      bool is_string = args[i] && json_is_string (args[i]);
      if (i > 0 && !is_string && !prev_string)
        husk_buf_putc (b, ' ');
      husk_gofmt_print (b, args[i]);
      prev_string = is_string;
    }
}

void
husk_gofmt_sprintln (struct husk_buf *b, json_t *const *args, size_t n_args)
{
  for (size_t i = 0; i < n_args; i++)
    {
      if (i > 0)
        husk_buf_putc (b, ' ');
      husk_gofmt_print (b, args[i]);
    }
  husk_buf_putc (b, '\n');
}

/* ---- Sprintf ------------------------------------------------------------- */

static bool
too_large (long long n)
{
  return n > 1000000 || n < -1000000;
}

/* parsenum: a decimal number at fmt[*i]; false when absent or too large.  */
static bool
parse_num (const char *fmt, size_t *i, size_t end, int *num)
{
  long long n = 0;
  bool any = false;

  while (*i < end && fmt[*i] >= '0' && fmt[*i] <= '9')
    {
      if (too_large (n))
        {
          *i = end;
          *num = 0;
          return false;
        }
      n = n * 10 + (fmt[*i] - '0');
      any = true;
      (*i)++;
    }
  *num = (int) n;
  return any;
}

struct printf_state
{
  json_t *const *args;
  size_t n_args;
  size_t arg_num;
  bool reordered, good_arg_num;
};

/* argNumber: an explicit "[n]" index at fmt[*i].  Return: true when one
   was consumed.  */
static bool
arg_number (struct printf_state *p, const char *fmt, size_t *i, size_t end)
{
  size_t j;
  int n;

  if (*i >= end || fmt[*i] != '[')
    return false;
  p->reordered = true;
  for (j = *i + 1; j < end; j++)
    if (fmt[j] == ']')
      {
        size_t k = *i + 1;
        bool ok = parse_num (fmt, &k, j, &n);
        if (!ok || k != j || n < 1 || (size_t) n > p->n_args)
          {
            p->good_arg_num = false;
            *i = j + 1;
            return true;
          }
        p->arg_num = (size_t) n - 1;
        *i = j + 1;
        return true;
      }
  p->good_arg_num = false;
  *i = *i + 1;
  return true;
}

/* intFromArg: a '*' width or precision.  */
static bool
int_from_arg (struct printf_state *p, int *num)
{
  bool ok = false;

  *num = 0;
  if (p->arg_num < p->n_args)
    {
      json_t *a = p->args[p->arg_num];
      if (a && json_is_integer (a) && !too_large (json_integer_value (a)))
        {
          *num = (int) json_integer_value (a);
          ok = true;
        }
      p->arg_num++;
    }
  return ok;
}

/* Parse flags, width and precision of one directive starting after '%'.  */
static void
parse_directive (struct husk_buf *b, struct printf_state *p, struct spec *f,
                 const char *fmt, size_t *i, size_t end, bool *after_index)
{
  memset (f, 0, sizeof *f);
  for (; *i < end; (*i)++)
    {
      char c = fmt[*i];
      if (c == '#')
        f->sharp = true;
      else if (c == '0')
        f->zero = !f->minus;
      else if (c == '+')
        f->plus = true;
      else if (c == '-')
        f->minus = true, f->zero = false;
      else if (c == ' ')
        f->space = true;
      else
        break;
    }
  *after_index = arg_number (p, fmt, i, end);
  if (*i < end && fmt[*i] == '*')
    {
      (*i)++;
      f->wid_present = int_from_arg (p, &f->wid);
      if (!f->wid_present)
        husk_buf_puts (b, "%!(BADWIDTH)");
      if (f->wid < 0)
        f->wid = -f->wid, f->minus = true, f->zero = false;
      *after_index = false;
    }
  else
    {
      f->wid_present = parse_num (fmt, i, end, &f->wid);
      if (*after_index && f->wid_present)
        p->good_arg_num = false;
    }
  if (*i + 1 < end && fmt[*i] == '.')
    {
      (*i)++;
      if (*after_index)
        p->good_arg_num = false;
      *after_index = arg_number (p, fmt, i, end);
      if (*i < end && fmt[*i] == '*')
        {
          (*i)++;
          f->prec_present = int_from_arg (p, &f->prec);
          if (f->prec < 0)
            f->prec = 0, f->prec_present = false;
          if (!f->prec_present)
            husk_buf_puts (b, "%!(BADPREC)");
          *after_index = false;
        }
      else
        {
          f->prec_present = parse_num (fmt, i, end, &f->prec);
          if (!f->prec_present)
            f->prec = 0, f->prec_present = true;
        }
    }
  if (!*after_index)
    *after_index = arg_number (p, fmt, i, end);
}

void
husk_gofmt_sprintf (struct husk_buf *b, const char *fmt, size_t end,
                    json_t *const *args, size_t n_args, size_t limit)
{
  struct printf_state p = { args, n_args, 0, false, true };
  size_t i = 0, start = b->len;

  while (i < end)
    {
      if (limit && b->len - start > limit)
        return;
      struct spec f;
      bool after_index;
      size_t lasti = i, sz;
      int32_t verb;

      p.good_arg_num = true;
      while (i < end && fmt[i] != '%')
        i++;
      if (i > lasti)
        husk_buf_append (b, fmt + lasti, i - lasti);
      if (i >= end)
        break;
      i++;
      parse_directive (b, &p, &f, fmt, &i, end, &after_index);
      if (i >= end)
        {
          husk_buf_puts (b, "%!(NOVERB)");
          break;
        }
      verb = husk_gofmt_decode_rune (fmt + i, end - i, &sz);
      i += sz;
      if (verb == '%')
        husk_buf_putc (b, '%');
      else if (!p.good_arg_num)
        {
          husk_buf_puts (b, "%!");
          husk_gofmt_put_rune (b, verb);
          husk_buf_puts (b, "(BADINDEX)");
        }
      else if (p.arg_num >= n_args)
        {
          husk_buf_puts (b, "%!");
          husk_gofmt_put_rune (b, verb);
          husk_buf_puts (b, "(MISSING)");
        }
      else
        {
          if (verb == 'v')
            {
              f.sharp_v = f.sharp, f.sharp = false;
              f.plus_v = f.plus, f.plus = false;
            }
          print_arg (b, &f, verb, args[p.arg_num++]);
        }
    }
  if (!p.reordered && p.arg_num < n_args)
    {
      husk_buf_puts (b, "%!(EXTRA ");
      for (size_t k = p.arg_num; k < n_args; k++)
        {
          if (k > p.arg_num)
            husk_buf_puts (b, ", ");
          if (args[k] == NULL || json_is_null (args[k]))
            husk_buf_puts (b, "<nil>");
          else
            {
              husk_buf_puts (b, husk_gofmt_type_name (args[k]));
              husk_buf_putc (b, '=');
              husk_gofmt_print (b, args[k]);
            }
        }
      husk_buf_putc (b, ')');
    }
}

/* ---- encoding/json -------------------------------------------------------- */

static void
json_str (struct husk_buf *b, const char *s, size_t len, bool html)
{
  size_t i = 0, start = 0, sz;

  husk_buf_putc (b, '"');
  while (i < len)
    {
      unsigned char c = (unsigned char) s[i];
      if (c < 0x80)
        {
          if (c >= 0x20 && c != '"' && c != '\\' && !(html && (c == '<' || c == '>' || c == '&')))
            {
              i++;
              continue;
            }
          husk_buf_append (b, s + start, i - start);
          if (c == '"' || c == '\\')
            husk_buf_putc (b, '\\'), husk_buf_putc (b, (char) c);
          else if (c == '\n')
            husk_buf_puts (b, "\\n");
          else if (c == '\r')
            husk_buf_puts (b, "\\r");
          else if (c == '\t')
            husk_buf_puts (b, "\\t");
          else
            {
              husk_buf_puts (b, "\\u00");
              put_hex (b, c, 2, lhex);
            }
          start = ++i;
          continue;
        }
      int32_t r = husk_gofmt_decode_rune (s + i, len - i, &sz);
      if ((r == 0xfffd && sz == 1) || r == 0x2028 || r == 0x2029)
        {
          husk_buf_append (b, s + start, i - start);
          husk_buf_puts (b, r == 0x2028 ? "\\u2028" : r == 0x2029 ? "\\u2029" : "\\ufffd");
          start = i + sz;
        }
      i += sz;
    }
  husk_buf_append (b, s + start, len - start);
  husk_buf_putc (b, '"');
}

static void
json_float (struct husk_buf *b, double d)
{
  struct digits g;
  double a = fabs (d);
  size_t at;

  if (!isfinite (d))
    {
      husk_buf_puts (b, "null");
      return;
    }
  if (signbit (d))
    husk_buf_putc (b, '-');
  shortest_digits (d, &g);
  if (a != 0 && (a < 1e-6 || a >= 1e21))
    {
      at = b->len;
      fmt_e (b, &g, g.nd - 1, 'e');
      /* Go writes e-07 as e-7.  */
      if (b->len - at >= 4 && b->data[b->len - 4] == 'e' && b->data[b->len - 3] == '-'
          && b->data[b->len - 2] == '0')
        {
          b->data[b->len - 2] = b->data[b->len - 1];
          b->data[--b->len] = '\0';
        }
    }
  else
    fmt_f (b, &g, g.nd > g.dp ? g.nd - g.dp : 0);
}

static void
newline_indent (struct husk_buf *b, int indent, int level)
{
  husk_buf_putc (b, '\n');
  for (int i = 0; i < indent * level; i++)
    husk_buf_putc (b, ' ');
}

static void
json_value (struct husk_buf *b, json_t *v, unsigned flags, int indent, int level)
{
  bool html = flags & HUSK_GOJSON_ESCAPE_HTML;

  switch (v ? json_typeof (v) : JSON_NULL)
    {
    case JSON_STRING: json_str (b, json_string_value (v), json_string_length (v), html); return;
    case JSON_INTEGER: husk_buf_printf (b, "%" JSON_INTEGER_FORMAT, json_integer_value (v)); return;
    case JSON_REAL: json_float (b, json_real_value (v)); return;
    case JSON_TRUE: husk_buf_puts (b, "true"); return;
    case JSON_FALSE: husk_buf_puts (b, "false"); return;
    case JSON_NULL: husk_buf_puts (b, "null"); return;
    case JSON_ARRAY:
      if (json_array_size (v) == 0)
        {
          husk_buf_puts (b, "[]");
          return;
        }
      husk_buf_putc (b, '[');
      for (size_t i = 0; i < json_array_size (v); i++)
        {
          if (i > 0)
            husk_buf_putc (b, ',');
          if (indent)
            newline_indent (b, indent, level + 1);
          json_value (b, json_array_get (v, i), flags, indent, level + 1);
        }
      if (indent)
        newline_indent (b, indent, level);
      husk_buf_putc (b, ']');
      return;
    case JSON_OBJECT:
      {
        size_t n = 0;
        cleanup_free const char **keys = NULL;
        const char *k;
        json_t *e;

        if (json_object_size (v) == 0)
          {
            husk_buf_puts (b, "{}");
            return;
          }
        if (flags & HUSK_GOJSON_SORT_KEYS)
          keys = sorted_keys (v, &n);
        else
          {
            keys = husk_xmalloc ((json_object_size (v) + 1) * sizeof (char *));
            json_object_foreach (v, k, e)
              keys[n++] = k;
          }
        husk_buf_putc (b, '{');
        for (size_t i = 0; i < n; i++)
          {
            if (i > 0)
              husk_buf_putc (b, ',');
            if (indent)
              newline_indent (b, indent, level + 1);
            json_str (b, keys[i], strlen (keys[i]), html);
            husk_buf_puts (b, indent ? ": " : ":");
            json_value (b, json_object_get (v, keys[i]), flags, indent, level + 1);
          }
        if (indent)
          newline_indent (b, indent, level);
        husk_buf_putc (b, '}');
        return;
      }
    }
}

void
husk_gofmt_json (struct husk_buf *b, json_t *v, unsigned flags, int indent)
{
  json_value (b, v, flags, indent, 0);
}
