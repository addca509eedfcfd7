/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Lexer of Go templates and decoding of their literals.
 *
 * The lexer turns the whole source into a token array: text (already
 * trimmed by "{{- " and " -}}" markers), delimiters, spaces, operands and
 * operators; comments are dropped; a lexical error ends the array with one
 * T_ERROR token whose message is in lexer.errmsg.  It follows the states
 * of Go's text/template/parse/lex.go (lexText, lexLeftDelim, lexComment,
 * lexInsideAction, lexSpace, lexNumber...) so the same input splits into
 * the same tokens, with the same messages for bad input.
 */
#include "format/template-int.h"
#include "format/gofmt.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/* ---- lexer ------------------------------------------------------------------ */

static const struct
{
  const char *word;
  enum tok type;
} keywords[] = {
  { "block", T_BLOCK }, { "break", T_BREAK }, { "continue", T_CONTINUE },
  { "define", T_DEFINE }, { "else", T_ELSE }, { "end", T_END }, { "if", T_IF },
  { "nil", T_NIL }, { "range", T_RANGE }, { "template", T_TEMPLATE },
  { "with", T_WITH }, { "true", T_BOOL }, { "false", T_BOOL },
};

static bool
is_space (int c)
{
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static int
count_lines (const char *s, size_t len)
{
  int n = 0;
  for (size_t i = 0; i < len; i++)
    n += s[i] == '\n';
  return n;
}

static void
lex_ignore (struct lexer *l)
{
  l->line += count_lines (l->in + l->start, l->pos - l->start);
  l->start = l->pos;
}

static void
lex_emit (struct lexer *l, enum tok type)
{
  if (l->n == l->cap)
    {
      l->cap = l->cap ? l->cap * 2 : 64;
      l->toks = husk_xrealloc (l->toks, l->cap * sizeof (*l->toks));
    }
  l->toks[l->n++] = (struct token) { type, l->start, l->pos - l->start, l->line };
  lex_ignore (l);
}

/* Record a lexical error; lexing stops.  Return: false.  */
static bool lex_error (struct lexer *l, const char *fmt, ...) __attribute__ ((format (printf, 2, 3)));
static bool
lex_error (struct lexer *l, const char *fmt, ...)
{
  va_list ap;

  va_start (ap, fmt);
  l->errmsg = husk_vasprintf (fmt, ap);
  va_end (ap);
  lex_emit (l, T_ERROR);
  return false;
}

static bool
starts_with (const struct lexer *l, size_t at, const char *s)
{
  size_t n = strlen (s);
  return at + n <= l->len && memcmp (l->in + at, s, n) == 0;
}

/* "{{-" followed by a space trims the text before.  */
static bool
has_left_trim (const struct lexer *l, size_t at)
{
  return at + 2 <= l->len && l->in[at] == '-' && is_space (l->in[at + 1]);
}

/* A space then "-" then "}}" trims the text after.  */
static bool
at_right_delim (const struct lexer *l, size_t at, bool *trim)
{
  *trim = at + 2 <= l->len && is_space (l->in[at]) && l->in[at + 1] == '-'
          && starts_with (l, at + 2, "}}");
  return *trim || starts_with (l, at, "}}");
}

static size_t
left_trim_length (const struct lexer *l, size_t at)
{
  size_t n = 0;
  while (at + n < l->len && is_space (l->in[at + n]))
    n++;
  return n;
}

/* Next rune at l->pos, advancing; -1 at the end.  */
static int32_t
lex_next (struct lexer *l, size_t *size)
{
  int32_t r;

  if (l->pos >= l->len)
    {
      *size = 0;
      return -1;
    }
  r = husk_gofmt_decode_rune (l->in + l->pos, l->len - l->pos, size);
  l->pos += *size;
  return r;
}

static int32_t
lex_peek (struct lexer *l)
{
  size_t sz;
  int32_t r = lex_next (l, &sz);
  l->pos -= sz;
  return r;
}

static bool
is_alnum (int32_t r)
{
  return r == '_' || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9')
         || r >= 0x80;
}

/* Go's %#U of a rune.  */
static char *
rune_desc (int32_t r)
{
  struct husk_buf b = HUSK_BUF_INIT;

  husk_buf_printf (&b, "U+%04X", (unsigned) r);
  if (r >= 0x20 && r != 0x7f && r != 0xfffd)
    {
      husk_buf_puts (&b, " '");
      husk_gofmt_put_rune (&b, r);
      husk_buf_putc (&b, '\'');
    }
  return husk_buf_steal (&b);
}

static bool
at_terminator (struct lexer *l)
{
  int32_t r = lex_peek (l);
  return r == -1 || is_space (r) || r == '.' || r == ',' || r == '|' || r == ':' || r == ')'
         || r == '(' || r == '}';
}

static bool
lex_bad_char (struct lexer *l)
{
  cleanup_free char *d = rune_desc (lex_peek (l));
  return lex_error (l, "bad character %s", d);
}

static bool
lex_field_or_variable (struct lexer *l, enum tok type)
{
  size_t sz;

  if (at_terminator (l))
    {
      lex_emit (l, type == T_VARIABLE ? T_VARIABLE : T_DOT);
      return true;
    }
  while (is_alnum (lex_peek (l)))
    lex_next (l, &sz);
  if (!at_terminator (l))
    return lex_bad_char (l);
  lex_emit (l, type);
  return true;
}

static bool
lex_identifier (struct lexer *l)
{
  size_t sz, n;

  while (is_alnum (lex_peek (l)))
    lex_next (l, &sz);
  if (!at_terminator (l))
    return lex_bad_char (l);
  n = l->pos - l->start;
  for (size_t i = 0; i < sizeof keywords / sizeof keywords[0]; i++)
    if (strlen (keywords[i].word) == n && memcmp (keywords[i].word, l->in + l->start, n) == 0)
      {
        lex_emit (l, keywords[i].type);
        return true;
      }
  lex_emit (l, T_IDENT);
  return true;
}

/* A quoted string or character constant ending at quote.  */
static bool
lex_quote (struct lexer *l, char quote, enum tok type, const char *what)
{
  size_t sz;

  for (;;)
    {
      int32_t r = lex_next (l, &sz);
      if (r == '\\')
        {
          r = lex_next (l, &sz);
          if (r != -1 && r != '\n')
            continue;
        }
      if (r == -1 || r == '\n')
        return lex_error (l, "unterminated %s", what);
      if (r == quote)
        break;
    }
  lex_emit (l, type);
  return true;
}

static bool
accept (struct lexer *l, const char *valid)
{
  if (l->pos < l->len && l->in[l->pos] && strchr (valid, l->in[l->pos]))
    {
      l->pos++;
      return true;
    }
  return false;
}

static void
accept_run (struct lexer *l, const char *valid)
{
  while (accept (l, valid))
    ;
}

/* Go's scanNumber.  */
static bool
scan_number (struct lexer *l)
{
  const char *digits = "0123456789_";
  size_t sz;

  accept (l, "+-");
  if (accept (l, "0"))
    {
      if (accept (l, "xX"))
        digits = "0123456789abcdefABCDEF_";
      else if (accept (l, "oO"))
        digits = "01234567_";
      else if (accept (l, "bB"))
        digits = "01_";
    }
  accept_run (l, digits);
  if (accept (l, "."))
    accept_run (l, digits);
  if (strlen (digits) == 11 && accept (l, "eE"))
    {
      accept (l, "+-");
      accept_run (l, "0123456789_");
    }
  if (strlen (digits) == 23 && accept (l, "pP"))
    {
      accept (l, "+-");
      accept_run (l, "0123456789_");
    }
  accept (l, "i");
  if (is_alnum (lex_peek (l)))
    {
      lex_next (l, &sz);
      return false;
    }
  return true;
}

static bool
lex_number (struct lexer *l)
{
  if (!scan_number (l) || (lex_peek (l) == '+' || lex_peek (l) == '-'))
    {
      struct husk_buf q = HUSK_BUF_INIT;
      bool r;
      if (lex_peek (l) == '+' || lex_peek (l) == '-')
        return lex_error (l, "complex numbers are not supported");
      husk_gofmt_quote (&q, l->in + l->start, l->pos - l->start, false);
      r = lex_error (l, "bad number syntax: %s", q.data);
      husk_buf_release (&q);
      return r;
    }
  lex_emit (l, T_NUMBER);
  return true;
}

static bool
lex_right_delim (struct lexer *l)
{
  bool trim;

  at_right_delim (l, l->pos, &trim);
  if (trim)
    {
      l->pos += 2;
      lex_ignore (l);
    }
  l->pos += 2;
  lex_emit (l, T_RIGHT);
  if (trim)
    {
      l->pos += left_trim_length (l, l->pos);
      lex_ignore (l);
    }
  return true;
}

static bool
lex_space (struct lexer *l)
{
  int n = 0;
  bool trim;

  while (l->pos < l->len && is_space (l->in[l->pos]))
    l->pos++, n++;
  /* The last space may belong to a " -}}".  */
  if (at_right_delim (l, l->pos - 1, &trim) && trim)
    {
      l->pos--;
      if (n == 1)
        return lex_right_delim (l);
    }
  lex_emit (l, T_SPACE);
  return true;
}

/* One token inside an action.  Return: false at the end of the action or
   on error (check l->errmsg).  */
static bool
lex_inside_action (struct lexer *l, bool *done)
{
  bool trim;
  size_t sz;
  int32_t r;

  if (at_right_delim (l, l->pos, &trim))
    {
      if (l->paren_depth == 0)
        {
          *done = true;
          return lex_right_delim (l);
        }
      return lex_error (l, "unclosed left paren");
    }
  r = lex_next (l, &sz);
  switch (r)
    {
    case -1: return lex_error (l, "unclosed action");
    case ' ': case '\t': case '\r': case '\n':
      l->pos -= sz;
      return lex_space (l);
    case '=': lex_emit (l, T_ASSIGN); return true;
    case ':':
      if (lex_next (l, &sz) != '=')
        return lex_error (l, "expected :=");
      lex_emit (l, T_DECLARE);
      return true;
    case '|': lex_emit (l, T_PIPE); return true;
    case '"': return lex_quote (l, '"', T_STRING, "quoted string");
    case '\'': return lex_quote (l, '\'', T_CHARCONST, "character constant");
    case '`':
      {
        const char *e = memchr (l->in + l->pos, '`', l->len - l->pos);
        if (e == NULL)
          return lex_error (l, "unterminated raw quoted string");
        l->pos = (size_t) (e - l->in) + 1;
        lex_emit (l, T_RAW);
        return true;
      }
    case '$':
      if (at_terminator (l))
        {
          lex_emit (l, T_VARIABLE);
          return true;
        }
      return lex_field_or_variable (l, T_VARIABLE);
    case '(':
      lex_emit (l, T_LPAREN);
      l->paren_depth++;
      return true;
    case ')':
      lex_emit (l, T_RPAREN);
      if (--l->paren_depth < 0)
        return lex_error (l, "unexpected right paren U+0029 ')'");
      return true;
    default: break;
    }
  if (r == '.' && l->pos < l->len && (l->in[l->pos] < '0' || l->in[l->pos] > '9'))
    return lex_field_or_variable (l, T_FIELD);
  if (r == '.' || r == '+' || r == '-' || (r >= '0' && r <= '9'))
    {
      l->pos -= sz;
      return lex_number (l);
    }
  if (is_alnum (r))
    {
      l->pos -= sz;
      return lex_identifier (l);
    }
  if (r < 0x7f && r >= 0x20)
    {
      lex_emit (l, T_CHAR);
      return true;
    }
  {
    cleanup_free char *d = rune_desc (r);
    return lex_error (l, "unrecognized character in action: %s", d);
  }
}

/* After "{{": a comment, or the start of an action.  */
static bool
lex_left_delim (struct lexer *l, bool *in_action)
{
  bool trim_right;
  size_t after;

  l->pos += 2;
  after = has_left_trim (l, l->pos) ? 2 : 0;
  if (starts_with (l, l->pos + after, "/*"))
    {
      const char *e;
      l->pos += after + 2;
      lex_ignore (l);
      e = memmem (l->in + l->pos, l->len - l->pos, "*/", 2);
      if (e == NULL)
        return lex_error (l, "unclosed comment");
      l->pos = (size_t) (e - l->in) + 2;
      if (!at_right_delim (l, l->pos, &trim_right))
        return lex_error (l, "comment ends before closing delimiter");
      l->pos += trim_right ? 4 : 2;
      if (trim_right)
        l->pos += left_trim_length (l, l->pos);
      lex_ignore (l);
      return true;
    }
  lex_emit (l, T_LEFT);
  l->pos += after;
  lex_ignore (l);
  l->paren_depth = 0;
  *in_action = true;
  return true;
}

/* Text up to the next "{{", trimmed when it has a left trim marker.  */
static bool
lex_text (struct lexer *l, bool *in_action)
{
  const char *x = memmem (l->in + l->pos, l->len - l->pos, "{{", 2);
  size_t at, trim = 0;

  if (x == NULL)
    {
      l->pos = l->len;
      if (l->pos > l->start)
        lex_emit (l, T_TEXT);
      lex_emit (l, T_EOF);
      return false;
    }
  at = (size_t) (x - l->in);
  if (has_left_trim (l, at + 2))
    while (at - trim > l->start && is_space (l->in[at - trim - 1]))
      trim++;
  l->pos = at - trim;
  if (l->pos > l->start)
    lex_emit (l, T_TEXT);
  l->pos = at;
  lex_ignore (l);
  return lex_left_delim (l, in_action);
}

void
husk_template_lex (struct lexer *l)
{
  bool in_action = false, done;

  for (;;)
    {
      if (!in_action)
        {
          if (!lex_text (l, &in_action))
            return;
          continue;
        }
      done = false;
      if (!lex_inside_action (l, &done))
        return;
      if (done)
        in_action = false;
    }
}

/* ---- literals ------------------------------------------------------------- */

static int
hexval (char c)
{
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

/* strconv.UnquoteChar: one possibly escaped character of s[*i..len).
   Return: false on bad syntax.  */
bool
husk_template_unquote_char (struct husk_buf *b, const char *s, size_t len, size_t *i, char quote)
{
  size_t sz;
  int32_t r;
  int n = 0;

  if (s[*i] == quote && (quote == '\'' || quote == '"'))
    return false;
  if (s[*i] != '\\')
    {
      r = husk_gofmt_decode_rune (s + *i, len - *i, &sz);
      if ((unsigned char) s[*i] < 0x80)
        husk_buf_putc (b, s[*i]);
      else
        husk_gofmt_put_rune (b, r);
      *i += sz;
      return true;
    }
  if (*i + 1 >= len)
    return false;
  char c = s[*i + 1];
  *i += 2;
  switch (c)
    {
    case 'a': husk_buf_putc (b, '\a'); return true;
    case 'b': husk_buf_putc (b, '\b'); return true;
    case 'f': husk_buf_putc (b, '\f'); return true;
    case 'n': husk_buf_putc (b, '\n'); return true;
    case 'r': husk_buf_putc (b, '\r'); return true;
    case 't': husk_buf_putc (b, '\t'); return true;
    case 'v': husk_buf_putc (b, '\v'); return true;
    case '\\': husk_buf_putc (b, '\\'); return true;
    case '\'':
    case '"':
      if (c != quote)
        return false;
      husk_buf_putc (b, c);
      return true;
    case 'x': n = 2; break;
    case 'u': n = 4; break;
    case 'U': n = 8; break;
    default:
      if (c >= '0' && c <= '7')
        {
          int v = c - '0';
          for (int k = 0; k < 2; k++)
            {
              if (*i >= len || s[*i] < '0' || s[*i] > '7')
                return false;
              v = v * 8 + (s[(*i)++] - '0');
            }
          if (v > 255)
            return false;
          husk_buf_putc (b, (char) v);
          return true;
        }
      return false;
    }
  r = 0;
  for (int k = 0; k < n; k++)
    {
      if (*i >= len || hexval (s[*i]) < 0)
        return false;
      r = r * 16 + hexval (s[(*i)++]);
    }
  if (c == 'x')
    {
      husk_buf_putc (b, (char) r);
      return true;
    }
  if (r > 0x10ffff || (r >= 0xd800 && r <= 0xdfff))
    return false;
  husk_gofmt_put_rune (b, r);
  return true;
}

/* strconv.Unquote of a string token.  */
bool
husk_template_unquote (struct husk_buf *b, const char *s, size_t len)
{
  if (s[0] == '`')
    {
      for (size_t i = 1; i + 1 < len; i++)
        if (s[i] != '\r')
          husk_buf_putc (b, s[i]);
      husk_buf_append (b, "", 0);
      return true;
    }
  husk_buf_append (b, "", 0);
  for (size_t i = 1; i + 1 < len;)
    if (!husk_template_unquote_char (b, s, len - 1, &i, '"'))
      return false;
  return true;
}

/* Check Go's underscore rule and copy s without underscores.  */
bool
husk_template_strip_underscores (const char *s, size_t len, char *out)
{
  size_t n = 0, i = 0;
  bool prev_digit = false, has_us = false, prefix = false;

  if (i < len && (s[i] == '+' || s[i] == '-'))
    out[n++] = s[i++];
  if (i + 1 < len && s[i] == '0' && strchr ("xXoObB", s[i + 1]))
    {
      out[n++] = s[i++];
      out[n++] = s[i++];
      prefix = prev_digit = true;
    }
  for (; i < len; i++)
    {
      if (s[i] == '_')
        {
          if (!prev_digit)
            return false;
          prev_digit = false;
          has_us = true;
          continue;
        }
      prev_digit = hexval (s[i]) >= 0;
      if (!prev_digit && has_us && s[i - 1] == '_')
        return false;
      out[n++] = s[i];
    }
  out[n] = '\0';
  (void) prefix;
  return !has_us || prev_digit;
}

/* strconv.ParseUint/ParseInt with base 0.  */
bool
husk_template_parse_int (const char *s, bool *neg, uint64_t *u)
{
  int base = 10;
  uint64_t v = 0;

  *neg = false;
  if (*s == '+' || *s == '-')
    *neg = *s++ == '-';
  if (s[0] == '0' && s[1])
    {
      if (s[1] == 'x' || s[1] == 'X')
        base = 16, s += 2;
      else if (s[1] == 'o' || s[1] == 'O')
        base = 8, s += 2;
      else if (s[1] == 'b' || s[1] == 'B')
        base = 2, s += 2;
      else
        base = 8, s++;
    }
  if (*s == '\0')
    return false;
  for (; *s; s++)
    {
      int d = hexval (*s);
      if (d < 0 || d >= base || v > (UINT64_MAX - (uint64_t) d) / (uint64_t) base)
        return false;
      v = v * (uint64_t) base + (uint64_t) d;
    }
  *u = v;
  return true;
}

bool
husk_template_parse_float (const char *s, double *d)
{
  const char *p = s + (*s == '+' || *s == '-');
  char *end;

  if ((p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) && !strpbrk (p, "pP"))
    return false;
  if (strpbrk (p, "oObB") || (p[0] != '.' && (p[0] < '0' || p[0] > '9')))
    return false;
  errno = 0;
  *d = strtod (s, &end);
  return *end == '\0' && !isinf (*d);
}

