/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The document half of the TOML reader: keys, key/value pairs, [tables],
 * [[arrays of tables]], arrays and inline tables, and the tree they build.
 *
 * Theory of operation
 *
 * The reader is a recursive-descent parser over the byte range of the
 * document, after one pass that rejects invalid UTF-8.  It builds a tree of
 * its own nodes and converts that to jansson at the end, because TOML's
 * rules about what may be defined twice need a little history per table
 * that a jansson object cannot carry:
 *
 *   IMPLICIT  made as the parent of a [header] ("a" in [a.b]); a later [a]
 *             may still define it, once.
 *   HEADER    defined by a [header] or as an element of [[array]]; never
 *             defined again.
 *   DOTTED    made by a dotted key (a.b = 1 makes a); more dotted keys in
 *             the same place may add to it, a [header] naming it may not,
 *             though a [header] may go through it to define a sub-table.
 *   FROZEN    an inline table or anything inside one: nothing may be added.
 *
 * Dotted keys only go through DOTTED tables, so a key/value pair can never
 * add to a table that a [header] has defined elsewhere.  Arrays made by
 * [[header]] are marked AOT; [headers] go into their last element, while
 * arrays written as values are static and cannot be extended.
 *
 * Tables look keys up through a jansson object used as an index (key to
 * position), which gives seeded hashing, so hostile documents with many keys
 * stay linear.  Every table and array records its depth, and nothing deeper
 * than HUSK_TOML_MAX_DEPTH is made, which bounds the recursion of the
 * parser, of the conversion and of freeing.
 */
#include "config/toml.h"
#include "config/toml-private.h"
#include "util/cleanup.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <string.h>

enum
{
  TAB_IMPLICIT = 1 << 0,
  TAB_HEADER = 1 << 1,
  TAB_DOTTED = 1 << 2,
  TAB_FROZEN = 1 << 3,
  ARR_AOT = 1 << 4,
};

struct node;

struct entry
{
  char *key;
  size_t klen;
  struct node *val;
};

struct node
{
  enum toml_kind kind;
  unsigned flags;
  unsigned depth;
  /* TOML_TABLE */
  struct entry *entries;
  json_t *index;
  /* TOML_ARRAY */
  struct node **items;
  size_t n, cap; /* of entries or items */
  /* scalars */
  struct toml_scalar v;
};

struct parser
{
  struct toml_lexer lx;
  struct node *root;
  struct node *cur; /* table that key/value pairs go into */
};

/* A dotted key, split into its parts.  */
struct key
{
  struct husk_buf *parts;
  size_t n, cap;
};

/* The tree.  */

static void
node_free (struct node *n)
{
  if (n == NULL)
    return;
  for (size_t i = 0; i < n->n; i++)
    {
      if (n->kind == TOML_TABLE)
        {
          free (n->entries[i].key);
          node_free (n->entries[i].val);
        }
      else
        node_free (n->items[i]);
    }
  free (n->entries);
  free (n->items);
  if (n->index)
    json_decref (n->index);
  husk_buf_release (&n->v.text);
  free (n);
}

DEFINE_CLEANUP (struct node *, node_free)

static struct node *
scalar_new (void)
{
  return husk_xzalloc (sizeof (struct node));
}

/* Make an empty table or array one level below parent.  */
static struct node *
container_new (struct parser *P, const char *at, enum toml_kind kind,
               unsigned parent_depth, unsigned flags)
{
  struct node *n;

  if (parent_depth >= HUSK_TOML_MAX_DEPTH)
    {
      toml_fail (&P->lx, at, "nesting deeper than %d levels", HUSK_TOML_MAX_DEPTH);
      return NULL;
    }
  n = husk_xzalloc (sizeof *n);
  n->kind = kind;
  n->flags = flags;
  n->depth = parent_depth + 1;
  if (kind == TOML_TABLE)
    n->index = json_object ();
  return n;
}

static struct node *
table_get (struct node *t, const struct husk_buf *key)
{
  json_t *pos = json_object_getn (t->index, key->data ? key->data : "", key->len);

  return pos ? t->entries[json_integer_value (pos)].val : NULL;
}

/* Add key = val to t; the key must not be there.  Takes val.  */
static void
table_put (struct node *t, const struct husk_buf *key, struct node *val)
{
  if (t->n == t->cap)
    {
      t->cap = t->cap ? 2 * t->cap : 8;
      t->entries = husk_xrealloc (t->entries, t->cap * sizeof *t->entries);
    }
  t->entries[t->n].key = husk_xmalloc (key->len + 1);
  memcpy (t->entries[t->n].key, key->data ? key->data : "", key->len);
  t->entries[t->n].key[key->len] = '\0';
  t->entries[t->n].klen = key->len;
  t->entries[t->n].val = val;
  json_object_setn_new_nocheck (t->index, t->entries[t->n].key, key->len,
                                json_integer ((json_int_t) t->n));
  t->n++;
}

static void
array_push (struct node *a, struct node *val)
{
  if (a->n == a->cap)
    {
      a->cap = a->cap ? 2 * a->cap : 8;
      a->items = husk_xrealloc (a->items, a->cap * sizeof *a->items);
    }
  a->items[a->n++] = val;
}

/* Mark an inline table and the tables made inside it read-only.  */
static void
freeze (struct node *t)
{
  t->flags |= TAB_FROZEN;
  for (size_t i = 0; i < t->n; i++)
    {
      struct node *c = t->entries[i].val;
      if (c->kind == TOML_TABLE && !(c->flags & TAB_FROZEN))
        freeze (c);
    }
}

/* Quote a key part for a message, cut short if long.  */
static char *
key_display (const struct husk_buf *k)
{
  struct husk_buf b = HUSK_BUF_INIT;
  size_t n = k->len > 60 ? 60 : k->len;

  husk_buf_append (&b, "", 0);
  for (size_t i = 0; i < n; i++)
    husk_buf_putc (&b, (unsigned char) k->data[i] < 0x20 ? '?' : k->data[i]);
  if (n < k->len)
    husk_buf_puts (&b, "...");
  return husk_buf_steal (&b);
}

/* Whitespace, comments, newlines.  */

static void
skip_ws (struct toml_lexer *lx)
{
  while (lx->p < lx->end && toml_is_ws (*lx->p))
    lx->p++;
}

static bool
at_newline (struct toml_lexer *lx)
{
  return lx->p < lx->end
         && (*lx->p == '\n' || (*lx->p == '\r' && lx->end - lx->p >= 2 && lx->p[1] == '\n'));
}

static void
skip_newline (struct toml_lexer *lx)
{
  lx->p += *lx->p == '\r' ? 2 : 1;
}

/* A comment from '#' to the end of the line (not including it).  */
static int
skip_comment (struct toml_lexer *lx)
{
  if (lx->p >= lx->end || *lx->p != '#')
    return 0;
  for (lx->p++; lx->p < lx->end && !at_newline (lx); lx->p++)
    {
      unsigned char c = (unsigned char) *lx->p;
      if ((c < 0x20 && c != '\t') || c == 0x7f)
        return toml_fail (lx, lx->p, "control character in comment");
    }
  return 0;
}

/* Whitespace, comments and newlines inside an array.  */
static int
skip_ws_comments_newlines (struct toml_lexer *lx)
{
  for (;;)
    {
      skip_ws (lx);
      if (skip_comment (lx) < 0)
        return -1;
      if (!at_newline (lx))
        return 0;
      skip_newline (lx);
    }
}

/* After a key/value pair or a header: only a comment may follow on the
   line.  */
static int
expect_line_end (struct toml_lexer *lx, const char *what)
{
  skip_ws (lx);
  if (skip_comment (lx) < 0)
    return -1;
  if (lx->p < lx->end && !at_newline (lx))
    return toml_fail (lx, lx->p, "expected a newline after %s", what);
  return 0;
}

/* Keys.  */

static bool
is_bare_key_char (char c)
{
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || toml_is_digit (c)
         || c == '_' || c == '-';
}

static void
key_release (struct key *k)
{
  for (size_t i = 0; i < k->n; i++)
    husk_buf_release (&k->parts[i]);
  free (k->parts);
  *k = (struct key) { 0 };
}

static int
read_key_part (struct toml_lexer *lx, struct husk_buf *out)
{
  const char *s = lx->p;

  if (lx->p < lx->end && (*lx->p == '"' || *lx->p == '\''))
    return toml_read_string (lx, false, out);
  while (lx->p < lx->end && is_bare_key_char (*lx->p))
    lx->p++;
  if (lx->p == s)
    return toml_fail (lx, s, "expected a key");
  husk_buf_append (out, s, lx->p - s);
  return 0;
}

/* key *( ws "." ws key ), leaving lx->p after the last part.  */
static int
read_key (struct toml_lexer *lx, struct key *k)
{
  for (;;)
    {
      if (k->n == HUSK_TOML_MAX_DEPTH)
        return toml_fail (lx, lx->p, "key has more than %d parts", HUSK_TOML_MAX_DEPTH);
      if (k->n == k->cap)
        {
          k->cap = k->cap ? 2 * k->cap : 4;
          k->parts = husk_xrealloc (k->parts, k->cap * sizeof *k->parts);
        }
      k->parts[k->n] = (struct husk_buf) HUSK_BUF_INIT;
      if (read_key_part (lx, &k->parts[k->n++]) < 0)
        return -1;
      skip_ws (lx);
      if (lx->p >= lx->end || *lx->p != '.')
        return 0;
      lx->p++;
      skip_ws (lx);
    }
}

/* Values.  */

static struct node *read_value (struct parser *P, unsigned depth);
static int read_keyval (struct parser *P, struct node *table);

static struct node *
read_array (struct parser *P, unsigned depth)
{
  struct toml_lexer *lx = &P->lx;
  const char *open = lx->p;
  cleanup (node_free) struct node *a = container_new (P, open, TOML_ARRAY, depth, 0);

  if (a == NULL)
    return NULL;
  lx->p++;
  for (;;)
    {
      struct node *v;

      if (skip_ws_comments_newlines (lx) < 0)
        return NULL;
      if (lx->p >= lx->end)
        {
          toml_fail (lx, open, "unterminated array");
          return NULL;
        }
      if (*lx->p == ']')
        break;
      v = read_value (P, a->depth);
      if (v == NULL)
        return NULL;
      array_push (a, v);
      if (skip_ws_comments_newlines (lx) < 0)
        return NULL;
      if (lx->p < lx->end && *lx->p == ',')
        {
          lx->p++;
          continue;
        }
      if (lx->p < lx->end && *lx->p == ']')
        break;
      toml_fail (lx, lx->p < lx->end ? lx->p : open,
                 lx->p < lx->end ? "expected ',' or ']' in array" : "unterminated array");
      return NULL;
    }
  lx->p++;
  return steal_ptr (&a);
}

static struct node *
read_inline_table (struct parser *P, unsigned depth)
{
  struct toml_lexer *lx = &P->lx;
  const char *open = lx->p;
  cleanup (node_free) struct node *t = container_new (P, open, TOML_TABLE, depth, 0);

  if (t == NULL)
    return NULL;
  lx->p++;
  skip_ws (lx);
  if (lx->p < lx->end && *lx->p == '}')
    {
      lx->p++;
      freeze (t);
      return steal_ptr (&t);
    }
  for (;;)
    {
      skip_ws (lx);
      if (lx->p < lx->end && *lx->p == '}')
        {
          toml_fail (lx, lx->p, "trailing comma in inline table");
          return NULL;
        }
      if (read_keyval (P, t) < 0)
        return NULL;
      skip_ws (lx);
      if (lx->p < lx->end && *lx->p == ',')
        {
          lx->p++;
          continue;
        }
      if (lx->p < lx->end && *lx->p == '}')
        break;
      if (lx->p >= lx->end || at_newline (lx))
        toml_fail (lx, open, "unterminated inline table");
      else
        toml_fail (lx, lx->p, "expected ',' or '}' in inline table");
      return NULL;
    }
  lx->p++;
  freeze (t);
  return steal_ptr (&t);
}

/* A value whose container is at the given depth.  */
static struct node *
read_value (struct parser *P, unsigned depth)
{
  struct toml_lexer *lx = &P->lx;
  cleanup (node_free) struct node *v = NULL;

  if (lx->p >= lx->end || at_newline (lx) || *lx->p == '#')
    {
      toml_fail (lx, lx->p, "expected a value");
      return NULL;
    }
  if (*lx->p == '[')
    return read_array (P, depth);
  if (*lx->p == '{')
    return read_inline_table (P, depth);
  v = scalar_new ();
  if (*lx->p == '"' || *lx->p == '\'')
    {
      v->v.kind = TOML_STRING;
      if (toml_read_string (lx, true, &v->v.text) < 0)
        return NULL;
    }
  else if (toml_read_scalar (lx, &v->v) < 0)
    return NULL;
  v->kind = v->v.kind;
  return steal_ptr (&v);
}

/* key = value into table (the current [table], or an inline table being
   read).  The parts before the last go through, or make, DOTTED tables.  */
static int
read_keyval (struct parser *P, struct node *table)
{
  struct toml_lexer *lx = &P->lx;
  const char *at = lx->p;
  struct key k = { 0 };
  struct node *t = table, *v;
  int r = -1;

  if (read_key (lx, &k) < 0)
    goto out;
  if (lx->p >= lx->end || *lx->p != '=')
    {
      toml_fail (lx, lx->p, "expected '=' after key");
      goto out;
    }
  lx->p++;
  skip_ws (lx);
  for (size_t i = 0; i + 1 < k.n; i++)
    {
      struct node *c = table_get (t, &k.parts[i]);
      if (c == NULL)
        {
          c = container_new (P, at, TOML_TABLE, t->depth, TAB_DOTTED);
          if (c == NULL)
            goto out;
          table_put (t, &k.parts[i], c);
        }
      else if (c->kind != TOML_TABLE || !(c->flags & TAB_DOTTED) || (c->flags & TAB_FROZEN))
        {
          cleanup_free char *d = key_display (&k.parts[i]);
          toml_fail (lx, at, "key '%s' is already defined and cannot be extended", d);
          goto out;
        }
      t = c;
    }
  if (table_get (t, &k.parts[k.n - 1]) != NULL)
    {
      cleanup_free char *d = key_display (&k.parts[k.n - 1]);
      toml_fail (lx, at, "duplicate key '%s'", d);
      goto out;
    }
  v = read_value (P, t->depth);
  if (v == NULL)
    goto out;
  table_put (t, &k.parts[k.n - 1], v);
  r = 0;
out:
  key_release (&k);
  return r;
}

/* Headers.  */

/* Walk the parts of a header key but the last, from the root, making
   IMPLICIT tables where needed and going into the last element of arrays of
   tables.  Return: the parent of the last part, or NULL.  */
static struct node *
header_parent (struct parser *P, const char *at, struct key *k)
{
  struct node *t = P->root;

  for (size_t i = 0; i + 1 < k->n; i++)
    {
      struct node *c = table_get (t, &k->parts[i]);
      if (c == NULL)
        {
          c = container_new (P, at, TOML_TABLE, t->depth, TAB_IMPLICIT);
          if (c == NULL)
            return NULL;
          table_put (t, &k->parts[i], c);
        }
      else if (c->kind == TOML_ARRAY && (c->flags & ARR_AOT))
        c = c->items[c->n - 1];
      if (c->kind != TOML_TABLE || (c->flags & TAB_FROZEN))
        {
          cleanup_free char *d = key_display (&k->parts[i]);
          toml_fail (&P->lx, at, "key '%s' is already defined and cannot be extended", d);
          return NULL;
        }
      t = c;
    }
  return t;
}

/* [key]  */
static int
define_table (struct parser *P, const char *at, struct key *k)
{
  struct node *parent = header_parent (P, at, k);
  struct husk_buf *last = &k->parts[k->n - 1];
  struct node *t;

  if (parent == NULL)
    return -1;
  t = table_get (parent, last);
  if (t == NULL)
    {
      t = container_new (P, at, TOML_TABLE, parent->depth, TAB_HEADER);
      if (t == NULL)
        return -1;
      table_put (parent, last, t);
    }
  else if (t->kind == TOML_TABLE && t->flags == TAB_IMPLICIT)
    t->flags = TAB_HEADER;
  else
    {
      cleanup_free char *d = key_display (last);
      return toml_fail (&P->lx, at, "table '%s' is already defined", d);
    }
  P->cur = t;
  return 0;
}

/* [[key]]  */
static int
define_array_table (struct parser *P, const char *at, struct key *k)
{
  struct node *parent = header_parent (P, at, k);
  struct husk_buf *last = &k->parts[k->n - 1];
  struct node *a, *t;

  if (parent == NULL)
    return -1;
  a = table_get (parent, last);
  if (a == NULL)
    {
      a = container_new (P, at, TOML_ARRAY, parent->depth, ARR_AOT);
      if (a == NULL)
        return -1;
      table_put (parent, last, a);
    }
  else if (a->kind != TOML_ARRAY || !(a->flags & ARR_AOT))
    {
      cleanup_free char *d = key_display (last);
      return toml_fail (&P->lx, at, "key '%s' is already defined and is not an array of tables", d);
    }
  t = container_new (P, at, TOML_TABLE, a->depth, TAB_HEADER);
  if (t == NULL)
    return -1;
  array_push (a, t);
  P->cur = t;
  return 0;
}

static int
read_header (struct parser *P)
{
  struct toml_lexer *lx = &P->lx;
  const char *at = lx->p;
  bool aot = lx->end - lx->p >= 2 && lx->p[1] == '[';
  struct key k = { 0 };
  int r = -1;

  lx->p += aot ? 2 : 1;
  skip_ws (lx);
  if (read_key (lx, &k) < 0)
    goto out;
  if (lx->p >= lx->end || *lx->p != ']' || (aot && (lx->end - lx->p < 2 || lx->p[1] != ']')))
    {
      toml_fail (lx, lx->p, "expected '%s' after table name", aot ? "]]" : "]");
      goto out;
    }
  lx->p += aot ? 2 : 1;
  r = aot ? define_array_table (P, at, &k) : define_table (P, at, &k);
out:
  key_release (&k);
  return r;
}

/* The document.  */

static int
read_document (struct parser *P)
{
  struct toml_lexer *lx = &P->lx;

  if (toml_check_utf8 (lx) < 0)
    return -1;
  if (lx->end - lx->p >= 3 && memcmp (lx->p, "\xef\xbb\xbf", 3) == 0)
    lx->p += 3;
  while (lx->p < lx->end)
    {
      skip_ws (lx);
      if (lx->p >= lx->end)
        break;
      if (at_newline (lx))
        {
          skip_newline (lx);
          continue;
        }
      if (*lx->p == '#')
        {
          if (expect_line_end (lx, "a comment") < 0)
            return -1;
          continue;
        }
      if (*lx->p == '[')
        {
          if (read_header (P) < 0 || expect_line_end (lx, "a table header") < 0)
            return -1;
        }
      else if (read_keyval (P, P->cur) < 0 || expect_line_end (lx, "a value") < 0)
        return -1;
    }
  return 0;
}

/* Conversion to JSON.  */

static json_t *
scalar_plain (const struct node *n)
{
  switch (n->kind)
    {
    case TOML_STRING:
      return json_stringn_nocheck (n->v.text.data, n->v.text.len);
    case TOML_INTEGER:
      return json_integer (n->v.i);
    case TOML_BOOL:
      return json_boolean (n->v.b);
    case TOML_FLOAT:
      if (isnan (n->v.f))
        return json_string ("nan");
      if (isinf (n->v.f))
        return json_string (n->v.f < 0 ? "-inf" : "inf");
      return json_real (n->v.f);
    default:
      return json_stringn_nocheck (n->v.text.data, n->v.text.len);
    }
}

static json_t *
scalar_typed (const struct node *n)
{
  static const char *const names[] = {
    [TOML_STRING] = "string",          [TOML_INTEGER] = "integer",
    [TOML_FLOAT] = "float",            [TOML_BOOL] = "bool",
    [TOML_DATETIME] = "datetime",      [TOML_DATETIME_LOCAL] = "datetime-local",
    [TOML_DATE_LOCAL] = "date-local",  [TOML_TIME_LOCAL] = "time-local",
  };
  json_t *value;

  if (n->kind == TOML_INTEGER)
    {
      char num[32];
      snprintf (num, sizeof num, "%" PRId64, n->v.i);
      value = json_string (num);
    }
  else if (n->kind == TOML_BOOL)
    value = json_string (n->v.b ? "true" : "false");
  else
    value = json_stringn_nocheck (n->v.text.data, n->v.text.len);
  return json_pack ("{s:s, s:o}", "type", names[n->kind], "value", value);
}

static json_t *
to_json (const struct node *n, bool typed)
{
  json_t *j;

  if (n->kind == TOML_TABLE)
    {
      j = json_object ();
      for (size_t i = 0; i < n->n; i++)
        json_object_setn_new_nocheck (j, n->entries[i].key, n->entries[i].klen,
                                      to_json (n->entries[i].val, typed));
      return j;
    }
  if (n->kind == TOML_ARRAY)
    {
      j = json_array ();
      for (size_t i = 0; i < n->n; i++)
        json_array_append_new (j, to_json (n->items[i], typed));
      return j;
    }
  return typed ? scalar_typed (n) : scalar_plain (n);
}

static json_t *
parse (const char *text, size_t len, bool typed, husk_error_t *err)
{
  struct parser P = { 0 };
  json_t *j = NULL;

  if (text == NULL)
    text = "";
  P.lx.start = P.lx.p = text;
  P.lx.end = text + len;
  P.lx.err = err;
  P.root = husk_xzalloc (sizeof *P.root);
  P.root->kind = TOML_TABLE;
  P.root->flags = TAB_HEADER;
  P.root->index = json_object ();
  P.cur = P.root;
  if (read_document (&P) == 0)
    j = to_json (P.root, typed);
  node_free (P.root);
  if (P.lx.c_locale != (locale_t) 0)
    freelocale (P.lx.c_locale);
  return j;
}

json_t *
husk_toml_parse (const char *text, size_t len, husk_error_t *err)
{
  return parse (text, len, false, err);
}

json_t *
husk_toml_parse_typed (const char *text, size_t len, husk_error_t *err)
{
  return parse (text, len, true, err);
}
