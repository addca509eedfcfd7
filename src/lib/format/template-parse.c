/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Parser of Go templates.
 *
 * Theory of operation: a recursive descent over the token array of
 * template-lex.c with the same functions as Go's text/template/parse
 * (action, pipeline, command, operand, term, parseControl, itemList), so
 * that what is accepted, the node positions, and the error messages all
 * match Go's.  Errors name the line of the furthest token read, as Go's
 * do.  Variables are checked at parse time against a scope stack popped
 * at the end of each control structure.  Nesting (parentheses, control
 * blocks) is limited to TEMPLATE_MAX_DEPTH so hostile input cannot
 * exhaust the stack, here or in the executor.
 */
#include "format/template-int.h"
#include "format/gofmt.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/* ---- nodes ------------------------------------------------------------------ */

static struct tnode *
new_node (enum tnode_type type, size_t pos, int line)
{
  struct tnode *n = husk_xzalloc (sizeof (*n));
  n->type = type;
  n->pos = pos;
  n->line = line;
  return n;
}

static void
append_kid (struct tnode *n, struct tnode *kid)
{
  n->kids = husk_xrealloc (n->kids, (n->n_kids + 1) * sizeof (*n->kids));
  n->kids[n->n_kids++] = kid;
}

void
husk_template_node_free (struct tnode *n)
{
  if (n == NULL)
    return;
  free (n->text);
  free (n->src);
  husk_strv_free (n->idents);
  husk_strv_free (n->decl);
  for (size_t i = 0; i < n->n_kids; i++)
    husk_template_node_free (n->kids[i]);
  free (n->kids);
  husk_template_node_free (n->pipe);
  husk_template_node_free (n->list);
  husk_template_node_free (n->else_list);
  free (n);
}
DEFINE_CLEANUP (struct tnode *, husk_template_node_free)

void
husk_template_node_string (struct husk_buf *b, const struct tnode *n)
{
  switch (n->type)
    {
    case N_FIELD:
      for (size_t i = 0; n->idents[i]; i++)
        husk_buf_printf (b, ".%s", n->idents[i]);
      return;
    case N_VARIABLE:
      for (size_t i = 0; n->idents[i]; i++)
        husk_buf_printf (b, "%s%s", i ? "." : "", n->idents[i]);
      return;
    case N_CHAIN:
      if (n->pipe->type == N_PIPE)
        husk_buf_putc (b, '(');
      husk_template_node_string (b, n->pipe);
      if (n->pipe->type == N_PIPE)
        husk_buf_putc (b, ')');
      for (size_t i = 0; n->idents[i]; i++)
        husk_buf_printf (b, ".%s", n->idents[i]);
      return;
    case N_PIPE:
      for (size_t i = 0; n->decl && n->decl[i]; i++)
        husk_buf_printf (b, "%s%s", i ? ", " : "", n->decl[i]);
      if (n->decl && n->decl[0])
        husk_buf_puts (b, " := ");
      for (size_t i = 0; i < n->n_kids; i++)
        {
          if (i > 0)
            husk_buf_puts (b, " | ");
          husk_template_node_string (b, n->kids[i]);
        }
      return;
    case N_COMMAND:
      for (size_t i = 0; i < n->n_kids; i++)
        {
          bool paren = n->kids[i]->type == N_PIPE;
          if (i > 0)
            husk_buf_putc (b, ' ');
          if (paren)
            husk_buf_putc (b, '(');
          husk_template_node_string (b, n->kids[i]);
          if (paren)
            husk_buf_putc (b, ')');
        }
      return;
    case N_ACTION:
      husk_buf_puts (b, "{{");
      husk_template_node_string (b, n->pipe);
      husk_buf_puts (b, "}}");
      return;
    case N_IDENT: husk_buf_puts (b, n->func->name); return;
    case N_DOT: husk_buf_putc (b, '.'); return;
    case N_NIL: husk_buf_puts (b, "nil"); return;
    case N_BOOL: husk_buf_puts (b, n->bval ? "true" : "false"); return;
    case N_NUMBER:
    case N_STRING: husk_buf_puts (b, n->src); return;
    case N_END: husk_buf_puts (b, "{{end}}"); return;
    case N_ELSE: husk_buf_puts (b, "{{else}}"); return;
    case N_BREAK: husk_buf_puts (b, "{{break}}"); return;
    case N_CONTINUE: husk_buf_puts (b, "{{continue}}"); return;
    default: return;
    }
}

/* Go's parse.newNumber.  Return: NULL with *msg set on error.  */
static struct tnode *
new_number (const struct token *tok, const char *text, char **msg)
{
  cleanup (husk_template_node_free) struct tnode *n = new_node (N_NUMBER, tok->pos, tok->line);
  cleanup_free char *clean = husk_xmalloc (tok->len + 1);
  uint64_t u;
  bool neg, is_uint = false;
  double f;

  n->src = husk_xstrndup (text, tok->len);
  if (tok->type == T_CHARCONST)
    {
      struct husk_buf b = HUSK_BUF_INIT;
      size_t i = 1, sz;
      bool ok = tok->len > 2 && husk_template_unquote_char (&b, text, tok->len, &i, '\'');
      int32_t r = ok ? husk_gofmt_decode_rune (b.data, b.len, &sz) : 0;
      if (ok && b.len == 1)
        r = (unsigned char) b.data[0];
      husk_buf_release (&b);
      if (!ok)
        {
          *msg = husk_xstrdup ("invalid syntax");
          return NULL;
        }
      if (i != tok->len - 1)
        {
          *msg = husk_asprintf ("malformed character constant: %s", n->src);
          return NULL;
        }
      n->is_int = n->is_float = true;
      n->ival = r;
      n->fval = r;
      return steal_ptr (&n);
    }
  if (n->src[tok->len - 1] == 'i')
    {
      *msg = husk_xstrdup ("complex numbers are not supported");
      return NULL;
    }
  if (husk_template_strip_underscores (text, tok->len, clean) && husk_template_parse_int (clean, &neg, &u))
    {
      is_uint = !neg || u == 0;
      if (neg ? u <= (uint64_t) INT64_MAX + 1 : u <= (uint64_t) INT64_MAX)
        {
          n->is_int = true;
          n->ival = neg ? (int64_t) (0 - u) : (int64_t) u;
        }
    }
  if (n->is_int || is_uint)
    {
      n->is_float = true;
      n->fval = n->is_int ? (double) n->ival : (double) u;
    }
  else if (husk_template_strip_underscores (text, tok->len, clean) && husk_template_parse_float (clean, &f))
    {
      if (!strpbrk (n->src, ".eEpP"))
        {
          *msg = husk_asprintf ("integer overflow: \"%s\"", n->src);
          return NULL;
        }
      n->is_float = true;
      n->fval = f;
      if (f >= -9.2e18 && f <= 9.2e18 && (double) (int64_t) f == f)
        {
          n->is_int = true;
          n->ival = (int64_t) f;
        }
    }
  if (!n->is_int && !n->is_float)
    {
      struct husk_buf q = HUSK_BUF_INIT;
      husk_gofmt_quote (&q, n->src, strlen (n->src), false);
      *msg = husk_asprintf ("illegal number syntax: %s", q.data);
      husk_buf_release (&q);
      return NULL;
    }
  return steal_ptr (&n);
}

/* ---- parser ------------------------------------------------------------------ */

struct parser
{
  const struct husk_template *t;
  struct lexer *lex;
  size_t i;        /* next token */
  size_t max_seen; /* furthest token read: Go's errors name its line */
  char **vars;
  int range_depth;
  int action_line;
  int depth;
  char *errmsg;
  int errline;
};

static const struct token *
tok_at (struct parser *p, size_t i)
{
  if (i >= p->lex->n)
    i = p->lex->n - 1;
  if (i > p->max_seen)
    p->max_seen = i;
  return &p->lex->toks[i];
}

static const struct token *
next (struct parser *p)
{
  const struct token *t = tok_at (p, p->i);
  if (p->i < p->lex->n)
    p->i++;
  return t;
}

static const struct token *
peek (struct parser *p)
{
  return tok_at (p, p->i);
}

static void
backup (struct parser *p)
{
  p->i--;
}

static const struct token *
next_non_space (struct parser *p)
{
  const struct token *t;
  do
    t = next (p);
  while (t->type == T_SPACE);
  return t;
}

static const struct token *
peek_non_space (struct parser *p)
{
  const struct token *t = next_non_space (p);
  backup (p);
  return t;
}

static const char *
tok_text (struct parser *p, const struct token *t)
{
  return p->lex->in + t->pos;
}

/* Record the first error.  Return: NULL.  */
static void *perr (struct parser *p, const char *fmt, ...) __attribute__ ((format (printf, 2, 3)));
static void *
perr (struct parser *p, const char *fmt, ...)
{
  va_list ap;

  if (p->errmsg)
    return NULL;
  va_start (ap, fmt);
  p->errmsg = husk_vasprintf (fmt, ap);
  va_end (ap);
  p->errline = p->lex->toks[p->max_seen].line;
  return NULL;
}

/* Go's item.String().  */
static char *
tok_string (struct parser *p, const struct token *t)
{
  struct husk_buf b = HUSK_BUF_INIT;
  const char *s = tok_text (p, t);

  if (t->type == T_EOF)
    return husk_xstrdup ("EOF");
  if (t->type == T_ERROR)
    return husk_xstrdup (p->lex->errmsg);
  if (t->type > T_KEYWORD)
    {
      husk_buf_putc (&b, '<');
      husk_buf_append (&b, s, t->len);
      husk_buf_putc (&b, '>');
    }
  else if (husk_gofmt_rune_count (s, t->len) > 10)
    {
      size_t n = 0, sz;
      for (int k = 0; k < 10; k++)
        husk_gofmt_decode_rune (s + n, t->len - n, &sz), n += sz;
      husk_gofmt_quote (&b, s, n, false);
      husk_buf_puts (&b, "...");
    }
  else
    husk_gofmt_quote (&b, s, t->len, false);
  return husk_buf_steal (&b);
}

static void *
unexpected (struct parser *p, const struct token *t, const char *context)
{
  cleanup_free char *s = tok_string (p, t);

  if (t->type == T_ERROR)
    {
      if (p->action_line && p->action_line != t->line)
        {
          bool action = husk_has_suffix (s, " action");
          return perr (p, "%s%s started at %s:%d", s, action ? "" : " in action",
                       p->t->name, p->action_line);
        }
      return perr (p, "%s", s);
    }
  return perr (p, "unexpected %s in %s", s, context);
}

static const struct token *
expect (struct parser *p, enum tok type, const char *context)
{
  const struct token *t = next_non_space (p);
  if (t->type != type)
    return unexpected (p, t, context);
  return t;
}

static struct tnode *pipeline (struct parser *p, const char *context, enum tok end);
static struct tnode *text_or_action (struct parser *p);

static struct tnode *
use_var (struct parser *p, const struct token *t)
{
  struct tnode *n = new_node (N_VARIABLE, t->pos, t->line);

  husk_strv_take (&n->idents, husk_xstrndup (tok_text (p, t), t->len));
  if (!husk_strv_contains (p->vars, n->idents[0]))
    {
      perr (p, "undefined variable \"%s\"", n->idents[0]);
      husk_template_node_free (n);
      return NULL;
    }
  return n;
}

/* Go's term: a literal, field, variable, function or parenthesized
   pipeline.  Return: NULL with no error when the token starts none.  */
static struct tnode *
term (struct parser *p)
{
  const struct token *t = next_non_space (p);
  const char *s = tok_text (p, t);
  struct tnode *n;
  char *msg = NULL;

  switch (t->type)
    {
    case T_IDENT:
      {
        cleanup_free char *name = husk_xstrndup (s, t->len);
        const struct tfunc *f = husk_template_find_func (name);
        if (f == NULL)
          return perr (p, "function \"%s\" not defined", name);
        n = new_node (N_IDENT, t->pos, t->line);
        n->func = f;
        return n;
      }
    case T_DOT: return new_node (N_DOT, t->pos, t->line);
    case T_NIL: return new_node (N_NIL, t->pos, t->line);
    case T_VARIABLE: return use_var (p, t);
    case T_FIELD:
      n = new_node (N_FIELD, t->pos, t->line);
      husk_strv_take (&n->idents, husk_xstrndup (s + 1, t->len - 1));
      return n;
    case T_BOOL:
      n = new_node (N_BOOL, t->pos, t->line);
      n->bval = s[0] == 't';
      return n;
    case T_CHARCONST:
    case T_NUMBER:
      n = new_number (t, s, &msg);
      if (n == NULL)
        {
          perr (p, "%s", msg);
          free (msg);
        }
      return n;
    case T_LPAREN:
      if (++p->depth > TEMPLATE_MAX_DEPTH)
        return perr (p, "max expression depth exceeded");
      n = pipeline (p, "parenthesized pipeline", T_RPAREN);
      p->depth--;
      return n;
    case T_STRING:
    case T_RAW:
      {
        struct husk_buf b = HUSK_BUF_INIT;
        if (!husk_template_unquote (&b, s, t->len))
          {
            husk_buf_release (&b);
            return perr (p, "invalid syntax");
          }
        n = new_node (N_STRING, t->pos, t->line);
        n->text_len = b.len;
        n->text = husk_buf_steal (&b);
        n->src = husk_xstrndup (s, t->len);
        return n;
      }
    default:
      backup (p);
      return NULL;
    }
}

/* Go's operand: a term, possibly followed by .Field chains.  */
static struct tnode *
operand (struct parser *p)
{
  cleanup (husk_template_node_free) struct tnode *n = term (p);
  cleanup_strv char **fields = NULL;
  struct husk_buf b = HUSK_BUF_INIT;
  struct tnode *r;
  size_t pos;

  if (n == NULL || peek (p)->type != T_FIELD)
    return steal_ptr (&n);
  pos = peek (p)->pos;
  while (peek (p)->type == T_FIELD)
    {
      const struct token *t = next (p);
      husk_strv_take (&fields, husk_xstrndup (tok_text (p, t) + 1, t->len - 1));
    }
  switch (n->type)
    {
    case N_FIELD:
    case N_VARIABLE:
      for (size_t i = 0; fields[i]; i++)
        husk_strv_append (&n->idents, fields[i]);
      n->pos = pos;
      return steal_ptr (&n);
    case N_BOOL:
    case N_STRING:
    case N_NUMBER:
    case N_NIL:
    case N_DOT:
      husk_template_node_string (&b, n);
      {
        struct husk_buf q = HUSK_BUF_INIT;
        husk_gofmt_quote (&q, b.data, b.len, false);
        perr (p, "unexpected . after term %s", q.data);
        husk_buf_release (&q);
      }
      husk_buf_release (&b);
      return NULL;
    default:
      r = new_node (N_CHAIN, pos, n->line);
      r->pipe = steal_ptr (&n);
      r->idents = steal_ptr (&fields);
      return r;
    }
}

static struct tnode *
command (struct parser *p)
{
  cleanup (husk_template_node_free) struct tnode *cmd = NULL;
  const struct token *t = peek_non_space (p);

  cmd = new_node (N_COMMAND, t->pos, t->line);
  for (;;)
    {
      struct tnode *op;
      peek_non_space (p);
      op = operand (p);
      if (p->errmsg)
        return NULL;
      if (op)
        append_kid (cmd, op);
      t = next (p);
      if (t->type == T_SPACE)
        continue;
      if (t->type == T_RIGHT || t->type == T_RPAREN)
        backup (p);
      else if (t->type != T_PIPE)
        return unexpected (p, t, "operand");
      break;
    }
  if (cmd->n_kids == 0)
    return perr (p, "empty command");
  return steal_ptr (&cmd);
}

static void
declare (struct parser *p, struct tnode *pipe, const struct token *v)
{
  char *name = husk_xstrndup (tok_text (p, v), v->len);
  husk_strv_append (&pipe->decl, name);
  husk_strv_take (&p->vars, name);
}

/* Variable declarations at the start of a pipeline.  Return: false on
   error.  */
static bool
declarations (struct parser *p, struct tnode *pipe, const char *context)
{
  for (;;)
    {
      const struct token *v = peek_non_space (p), *nx;
      size_t at = p->i;

      if (v->type != T_VARIABLE)
        return true;
      next (p);
      nx = peek_non_space (p);
      if (nx->type == T_ASSIGN || nx->type == T_DECLARE)
        {
          pipe->is_assign = nx->type == T_ASSIGN;
          next_non_space (p);
          declare (p, pipe, v);
          return true;
        }
      if (nx->type == T_CHAR && tok_text (p, nx)[0] == ',')
        {
          next_non_space (p);
          declare (p, pipe, v);
          if (strcmp (context, "range") == 0 && husk_strv_len (pipe->decl) < 2)
            {
              enum tok k = peek_non_space (p)->type;
              if (k == T_VARIABLE || k == T_RIGHT || k == T_RPAREN)
                continue;
              perr (p, "range can only initialize variables");
              return false;
            }
          perr (p, "too many declarations in %s", context);
          return false;
        }
      p->i = at;
      return true;
    }
}

static struct tnode *
pipeline (struct parser *p, const char *context, enum tok end)
{
  const struct token *t = peek_non_space (p);
  cleanup (husk_template_node_free) struct tnode *pipe = new_node (N_PIPE, t->pos, t->line);

  if (!declarations (p, pipe, context))
    return NULL;
  for (;;)
    {
      t = next_non_space (p);
      if (t->type == end)
        break;
      switch (t->type)
        {
        case T_BOOL: case T_CHARCONST: case T_DOT: case T_FIELD: case T_IDENT:
        case T_NUMBER: case T_NIL: case T_RAW: case T_STRING: case T_VARIABLE:
        case T_LPAREN:
          {
            struct tnode *cmd;
            backup (p);
            cmd = command (p);
            if (cmd == NULL)
              return NULL;
            append_kid (pipe, cmd);
            continue;
          }
        default: return unexpected (p, t, context);
        }
    }
  if (pipe->n_kids == 0)
    return perr (p, "missing value for %s", context);
  for (size_t i = 1; i < pipe->n_kids; i++)
    switch (pipe->kids[i]->kids[0]->type)
      {
      case N_BOOL: case N_DOT: case N_NIL: case N_NUMBER: case N_STRING:
        return perr (p, "non executable command in pipeline stage %zu", i + 1);
      default: break;
      }
  return steal_ptr (&pipe);
}

/* Nodes until {{end}} or {{else}}, returned in *stop.  */
static struct tnode *
item_list (struct parser *p, struct tnode **stop)
{
  const struct token *t = peek_non_space (p);
  cleanup (husk_template_node_free) struct tnode *list = new_node (N_LIST, t->pos, t->line);

  *stop = NULL;
  while (peek_non_space (p)->type != T_EOF)
    {
      struct tnode *n = text_or_action (p);
      if (n == NULL)
        return NULL;
      if (n->type == N_END || n->type == N_ELSE)
        {
          *stop = n;
          return steal_ptr (&list);
        }
      append_kid (list, n);
    }
  return perr (p, "unexpected EOF");
}

static struct tnode *control (struct parser *p, enum tnode_type type, const char *context);

/* Go's parseControl for if, range and with.  */
static struct tnode *
control (struct parser *p, enum tnode_type type, const char *context)
{
  size_t mark = husk_strv_len (p->vars);
  cleanup (husk_template_node_free) struct tnode *n = NULL;
  cleanup (husk_template_node_free) struct tnode *pipe = NULL;
  cleanup (husk_template_node_free) struct tnode *stop = NULL;
  cleanup (husk_template_node_free) struct tnode *stop2 = NULL;

  if (++p->depth > TEMPLATE_MAX_DEPTH)
    return perr (p, "max expression depth exceeded");
  pipe = pipeline (p, context, T_RIGHT);
  if (pipe == NULL)
    return NULL;
  n = new_node (type, pipe->pos, pipe->line);
  p->range_depth += type == N_RANGE;
  n->list = item_list (p, &stop);
  p->range_depth -= type == N_RANGE;
  if (n->list == NULL)
    return NULL;
  if (stop->type == N_ELSE)
    {
      enum tok chained = type == N_IF ? T_IF : type == N_WITH ? T_WITH : T_EOF;
      if (chained != T_EOF && peek (p)->type == chained)
        {
          struct tnode *sub;
          next (p);
          n->else_list = new_node (N_LIST, stop->pos, stop->line);
          sub = control (p, type, context);
          if (sub == NULL)
            return NULL;
          append_kid (n->else_list, sub);
        }
      else
        {
          n->else_list = item_list (p, &stop2);
          if (n->else_list == NULL)
            return NULL;
          if (stop2->type != N_END)
            {
              struct husk_buf b = HUSK_BUF_INIT;
              husk_template_node_string (&b, stop2);
              perr (p, "expected end; found %s", b.data);
              husk_buf_release (&b);
              return NULL;
            }
        }
    }
  while (husk_strv_len (p->vars) > mark)
    {
      size_t k = husk_strv_len (p->vars) - 1;
      free (p->vars[k]);
      p->vars[k] = NULL;
    }
  p->depth--;
  n->pipe = steal_ptr (&pipe);
  return steal_ptr (&n);
}

static struct tnode *
action (struct parser *p)
{
  const struct token *t = next_non_space (p);
  struct tnode *pipe, *n;

  switch (t->type)
    {
    case T_BLOCK:
    case T_DEFINE:
    case T_TEMPLATE:
      return perr (p, "{{%.*s}} is not supported", (int) t->len, tok_text (p, t));
    case T_BREAK:
    case T_CONTINUE:
      {
        const char *what = t->type == T_BREAK ? "{{break}}" : "{{continue}}";
        const struct token *d = next_non_space (p);
        if (d->type != T_RIGHT)
          return unexpected (p, d, what);
        if (p->range_depth == 0)
          return perr (p, "%s outside {{range}}", what);
        return new_node (t->type == T_BREAK ? N_BREAK : N_CONTINUE, t->pos, t->line);
      }
    case T_ELSE:
      {
        const struct token *k = peek_non_space (p);
        if (k->type == T_IF || k->type == T_WITH)
          return new_node (N_ELSE, k->pos, k->line);
        k = expect (p, T_RIGHT, "else");
        return k ? new_node (N_ELSE, k->pos, k->line) : NULL;
      }
    case T_END:
      t = expect (p, T_RIGHT, "end");
      return t ? new_node (N_END, t->pos, t->line) : NULL;
    case T_IF: return control (p, N_IF, "if");
    case T_RANGE: return control (p, N_RANGE, "range");
    case T_WITH: return control (p, N_WITH, "with");
    default: break;
    }
  backup (p);
  t = peek (p);
  pipe = pipeline (p, "command", T_RIGHT);
  if (pipe == NULL)
    return NULL;
  n = new_node (N_ACTION, t->pos, t->line);
  n->pipe = pipe;
  return n;
}

static struct tnode *
text_or_action (struct parser *p)
{
  const struct token *t = next_non_space (p);
  struct tnode *n;

  switch (t->type)
    {
    case T_TEXT:
      n = new_node (N_TEXT, t->pos, t->line);
      n->text = husk_xmalloc (t->len + 1); /* text may hold NUL bytes */
      memcpy (n->text, tok_text (p, t), t->len);
      n->text[t->len] = '\0';
      n->text_len = t->len;
      return n;
    case T_LEFT:
      p->action_line = t->line;
      n = action (p);
      p->action_line = 0;
      return n;
    default: return unexpected (p, t, "input");
    }
}

static struct tnode *
parse_root (struct parser *p)
{
  cleanup (husk_template_node_free) struct tnode *root = new_node (N_LIST, 0, 1);

  while (peek (p)->type != T_EOF)
    {
      struct tnode *n = text_or_action (p);
      if (n == NULL)
        return NULL;
      if (n->type == N_END || n->type == N_ELSE)
        {
          struct husk_buf b = HUSK_BUF_INIT;
          husk_template_node_string (&b, n);
          perr (p, "unexpected %s", b.data);
          husk_buf_release (&b);
          husk_template_node_free (n);
          return NULL;
        }
      append_kid (root, n);
    }
  return steal_ptr (&root);
}

struct husk_template *
husk_template_parse_named (const char *name, const char *src, size_t len, husk_error_t *err)
{
  cleanup (husk_template_free) struct husk_template *t = husk_xzalloc (sizeof (*t));
  struct lexer l = { 0 };
  struct parser p = { 0 };

  t->name = husk_xstrdup (name ? name : "format");
  t->src = husk_xmalloc (len + 1);
  memcpy (t->src, src, len);
  t->src[len] = '\0';
  t->len = len;
  l.in = t->src;
  l.len = len;
  l.line = 1;
  husk_template_lex (&l);
  p.t = t;
  p.lex = &l;
  husk_strv_append (&p.vars, "$");
  t->root = parse_root (&p);
  husk_strv_free (p.vars);
  free (l.toks);
  free (l.errmsg);
  if (t->root == NULL)
    {
      husk_error_makex (err, EINVAL, "template: %s:%d: %s", t->name, p.errline,
                        p.errmsg ? p.errmsg : "parse error");
      free (p.errmsg);
      return NULL;
    }
  return steal_ptr (&t);
}

struct husk_template *
husk_template_parse (const char *src, husk_error_t *err)
{
  return husk_template_parse_named (NULL, src, strlen (src), err);
}

void
husk_template_free (struct husk_template *t)
{
  if (t == NULL)
    return;
  husk_template_node_free (t->root);
  free (t->name);
  free (t->src);
  free (t);
}
