/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Execution of parsed templates.
 *
 * Theory of operation: a walk over the tree with a cursor value, dot, as
 * Go's text/template/exec.go does.  Every evaluation returns a status and
 * a new jansson reference (NULL for Go's "no value", the invalid
 * reflect.Value); a JSON null read from an object is Go's nil interface,
 * which the end of each pipeline turns into "no value" like Go does.  Dot
 * and variables also remember whether Go would see them through an
 * interface{} (elements of maps and slices), only so that error messages
 * name the same type as Go's.  Variables live on one stack, marked at each
 * control structure and popped at its end.  The node the executor is "at"
 * is tracked at the same points as Go's s.at(), so errors carry Go's
 * line:column and context.  {{break}} and {{continue}} travel up as
 * return codes to the enclosing range.
 */
#include "format/template-int.h"
#include "format/gofmt.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

enum
{
  WALK_BREAK = 1,
  WALK_CONTINUE = 2,
};

struct dot
{
  json_t *v;
  bool iface;
};

static int eval_pipeline (struct exec_state *s, struct dot dot, const struct tnode *pipe,
                          json_t **out);
static int eval_arg (struct exec_state *s, struct dot dot, enum tparam type,
                     const struct tnode *n, json_t **out);
static int walk (struct exec_state *s, struct dot dot, const struct tnode *n);

/* Go's state.errorf: "template: NAME:LINE:COL: executing "NAME" at <NODE>: MSG".  */
static int xerr (struct exec_state *s, const char *fmt, ...) __attribute__ ((format (printf, 2, 3)));
static int
xerr (struct exec_state *s, const char *fmt, ...)
{
  cleanup_free char *msg = NULL;
  struct husk_buf ctx = HUSK_BUF_INIT;
  const char *src = s->t->src;
  size_t pos, col, line = 1, nl = 0;
  bool has_nl = false;
  va_list ap;

  va_start (ap, fmt);
  msg = husk_vasprintf (fmt, ap);
  va_end (ap);
  if (s->at == NULL)
    return husk_error_makex (s->err, EINVAL, "template: %s: %s", s->t->name, msg);
  pos = s->at->pos;
  for (size_t i = 0; i < pos && i < s->t->len; i++)
    if (src[i] == '\n')
      line++, nl = i, has_nl = true;
  col = has_nl ? pos - nl - 1 : pos;
  husk_template_node_string (&ctx, s->at);
  husk_error_makex (s->err, EINVAL, "template: %s:%zu:%zu: executing \"%s\" at <%s>: %s",
                    s->t->name, line, col, s->t->name, ctx.data ? ctx.data : "", msg);
  husk_buf_release (&ctx);
  return -1;
}

/* ---- variables ------------------------------------------------------------ */

static void
push_var (struct exec_state *s, const char *name, json_t *v, bool iface)
{
  if (s->n_vars == s->cap_vars)
    {
      s->cap_vars = s->cap_vars ? s->cap_vars * 2 : 16;
      s->vars = husk_xrealloc (s->vars, s->cap_vars * sizeof (*s->vars));
    }
  s->vars[s->n_vars++] = (struct exec_var) { husk_xstrdup (name), json_incref (v), iface };
}

static void
pop_vars (struct exec_state *s, size_t mark)
{
  while (s->n_vars > mark)
    {
      struct exec_var *v = &s->vars[--s->n_vars];
      free (v->name);
      json_decref (v->v);
    }
}

static void
store_var (struct exec_var *var, json_t *v, bool iface)
{
  json_incref (v);
  json_decref (var->v);
  var->v = v;
  var->iface = iface;
}

static struct exec_var *
find_var (struct exec_state *s, const char *name)
{
  for (size_t i = s->n_vars; i-- > 0;)
    if (strcmp (s->vars[i].name, name) == 0)
      return &s->vars[i];
  return NULL;
}

static int
set_var (struct exec_state *s, const char *name, json_t *v, bool iface)
{
  struct exec_var *var = find_var (s, name);
  if (var == NULL)
    return xerr (s, "undefined variable: %s", name);
  store_var (var, v, iface);
  return 0;
}

/* ---- helpers ------------------------------------------------------------------ */

static int
cmp_ptr (const void *a, const void *b)
{
  const void *x = *(const void *const *) a, *y = *(const void *const *) b;
  return x < y ? -1 : x > y;
}

static bool
is_strict (struct exec_state *s, json_t *obj)
{
  return s->o.strict && s->n_strict
         && bsearch (&obj, s->strict, s->n_strict, sizeof (json_t *), cmp_ptr) != NULL;
}

static const char *
param_type_name (enum tparam t)
{
  switch (t)
    {
    case P_STRING: return "string";
    case P_INT: return "int";
    case P_STRLIST: return "[]string";
    case P_VALUE: return "reflect.Value";
    default: return "interface {}";
    }
}

/* An error whose message names a node: before NODE after.  */
static int
node_error (struct exec_state *s, const char *before, const struct tnode *n, const char *after)
{
  struct husk_buf b = HUSK_BUF_INIT;
  int r;

  husk_template_node_string (&b, n);
  r = xerr (s, "%s%s%s", before, b.data ? b.data : "", after);
  husk_buf_release (&b);
  return r;
}

/* The column header a field chain stands for in header mode.  */
static json_t *
header_value (struct exec_state *s, char *const *idents)
{
  size_t n = husk_strv_len (idents);
  cleanup_free char *path = NULL;
  cleanup_free char *h = NULL;

  if (n == 0)
    return json_string ("");
  path = husk_strv_join (idents, ".");
  if (s->o.headers && json_is_string (json_object_get (s->o.headers, path)))
    h = husk_template_header (s->o.headers, path);
  else
    h = husk_template_header (s->o.headers, idents[n - 1]);
  return json_stringn_nocheck (h, strlen (h));
}

/* Go's validateType: convert an evaluated value to a parameter type.
   Takes the reference in v.  */
static int
validate (struct exec_state *s, json_t *v, enum tparam type, json_t **out)
{
  cleanup_json json_t *val = v;
  bool ok;

  *out = NULL;
  if (type == P_UNTYPED)
    {
      *out = steal_ptr (&val);
      return 0;
    }
  if (val == NULL)
    {
      if (type == P_ANY || type == P_VALUE)
        return 0;
      if (type == P_STRLIST)
        {
          *out = json_array ();
          return 0;
        }
      return xerr (s, "invalid value; expected %s", param_type_name (type));
    }
  if (json_is_null (val))
    {
      if (type == P_ANY || type == P_VALUE)
        return 0;
      return xerr (s, "wrong type for value; expected %s; got interface {}",
                   param_type_name (type));
    }
  switch (type)
    {
    case P_STRING: ok = json_is_string (val); break;
    case P_INT: ok = json_is_integer (val); break;
    case P_STRLIST:
      ok = json_is_array (val);
      for (size_t i = 0; ok && i < json_array_size (val); i++)
        ok = json_is_string (json_array_get (val, i));
      break;
    default: ok = true; break;
    }
  if (!ok)
    return xerr (s, "wrong type for value; expected %s; got %s", param_type_name (type),
                 husk_gofmt_type_name (val));
  *out = steal_ptr (&val);
  return 0;
}

static bool
is_hex_int (const char *t)
{
  return t[0] == '0' && (t[1] == 'x' || t[1] == 'X') && !strpbrk (t, "pP");
}

/* Go's idealConstant: how a number literal becomes a value.  */
static int
ideal_constant (struct exec_state *s, const struct tnode *n, json_t **out)
{
  s->at = n;
  if (n->is_float && !is_hex_int (n->src) && n->src[0] != '\'' && strpbrk (n->src, ".eEpP"))
    *out = json_real (n->fval);
  else if (n->is_int)
    *out = json_integer (n->ival);
  else
    return xerr (s, "%s overflows int", n->src);
  return 0;
}

static int
not_a_function (struct exec_state *s, const struct tnode *cmd_first, size_t n_args, bool has_final)
{
  if (n_args > 1 || has_final)
    return node_error (s, "can't give argument to non-function ", cmd_first, "");
  return 0;
}

/* ---- fields ------------------------------------------------------------------ */

static int
eval_field (struct exec_state *s, const char *name, bool has_args, struct dot recv, json_t **out)
{
  json_t *v;

  *out = NULL;
  if (recv.v == NULL)
    return 0;
  if (json_is_null (recv.v))
    return xerr (s, "nil pointer evaluating interface {}.%s", name);
  if (!json_is_object (recv.v))
    return xerr (s, "can't evaluate field %s in type %s", name,
                 recv.iface ? "interface {}" : husk_gofmt_type_name (recv.v));
  if (has_args)
    return xerr (s, "%s is not a method but has arguments", name);
  v = json_object_get (recv.v, name);
  if (v == NULL && is_strict (s, recv.v))
    return xerr (s, "can't evaluate field %s in type %s", name,
                 s->o.type_name ? s->o.type_name : "struct");
  *out = json_incref (v);
  return 0;
}

static int
eval_field_chain (struct exec_state *s, struct dot recv, char *const *idents, bool has_args,
                  json_t **out)
{
  size_t n = husk_strv_len (idents);
  cleanup_json json_t *hold = NULL;
  struct dot r = recv;

  for (size_t i = 0; i + 1 < n; i++)
    {
      json_t *v;
      if (eval_field (s, idents[i], false, r, &v) < 0)
        return -1;
      json_decref (hold);
      hold = v;
      r = (struct dot) { v, true };
    }
  return eval_field (s, idents[n - 1], has_args, r, out);
}

static int
eval_field_node (struct exec_state *s, struct dot dot, const struct tnode *field, size_t n_args,
                 bool has_final, json_t **out)
{
  s->at = field;
  if (s->o.header_mode)
    {
      *out = header_value (s, field->idents);
      return 0;
    }
  return eval_field_chain (s, dot, field->idents, n_args > 1 || has_final, out);
}

static int
eval_chain_node (struct exec_state *s, struct dot dot, const struct tnode *chain, size_t n_args,
                 bool has_final, json_t **out)
{
  cleanup_json json_t *recv = NULL;

  s->at = chain;
  if (chain->pipe->type == N_NIL)
    return node_error (s, "indirection through explicit nil in ", chain, "");
  if (eval_arg (s, dot, P_UNTYPED, chain->pipe, &recv) < 0)
    return -1;
  if (s->o.header_mode)
    {
      *out = header_value (s, chain->idents);
      return 0;
    }
  return eval_field_chain (s, (struct dot) { recv, false }, chain->idents,
                           n_args > 1 || has_final, out);
}

static int
eval_variable_node (struct exec_state *s, const struct tnode *var, size_t n_args, bool has_final,
                    json_t **out)
{
  struct exec_var *v;

  s->at = var;
  v = find_var (s, var->idents[0]);
  if (v == NULL)
    return xerr (s, "undefined variable: %s", var->idents[0]);
  if (var->idents[1] == NULL)
    {
      if (not_a_function (s, var, n_args, has_final) < 0)
        return -1;
      *out = json_incref (v->v);
      return 0;
    }
  if (s->o.header_mode)
    {
      *out = header_value (s, var->idents + 1);
      return 0;
    }
  return eval_field_chain (s, (struct dot) { v->v, v->iface }, var->idents + 1,
                           n_args > 1 || has_final, out);
}

/* ---- calls ------------------------------------------------------------------ */

static void
release_args (json_t **argv, size_t n)
{
  for (size_t i = 0; i < n; i++)
    json_decref (argv[i]);
  free (argv);
}

/* and, or: evaluate arguments until the result is known.  */
static int
eval_and_or (struct exec_state *s, struct dot dot, const struct tfunc *f,
             const struct tnode *const *args, size_t n_args, bool has_final, json_t *final,
             json_t **out)
{
  bool is_or = f->name[0] == 'o';
  json_t *v = NULL;

  for (size_t i = 0; i < n_args; i++)
    {
      json_decref (v);
      if (eval_arg (s, dot, P_VALUE, args[i], &v) < 0)
        return -1;
      if (husk_template_truth (v) == is_or)
        {
          *out = v;
          return 0;
        }
    }
  if (has_final)
    {
      json_decref (v);
      v = json_incref (final);
    }
  *out = v;
  return 0;
}

static int
eval_call (struct exec_state *s, struct dot dot, const struct tfunc *f, const struct tnode *node,
           const struct tnode *const *args, size_t n_args, bool has_final, json_t *final,
           json_t **out)
{
  size_t num_in = n_args + (has_final ? 1 : 0), i = 0;
  json_t **argv;
  char *msg = NULL;
  int r;

  if (f->variadic && num_in < (size_t) f->n_params)
    return xerr (s, "wrong number of args for %s: want at least %d got %zu", f->name,
                 f->n_params, n_args);
  if (!f->variadic && num_in != (size_t) f->n_params)
    return xerr (s, "wrong number of args for %s: want %d got %zu", f->name, f->n_params,
                 num_in);
  if (f->fn == NULL)
    return eval_and_or (s, dot, f, args, n_args, has_final, final, out);
  argv = husk_xzalloc ((num_in + 1) * sizeof (json_t *));
  for (; i < n_args; i++)
    {
      enum tparam t = i < (size_t) f->n_params ? f->params[i] : f->vparam;
      if (eval_arg (s, dot, t, args[i], &argv[i]) < 0)
        {
          release_args (argv, num_in);
          return -1;
        }
    }
  if (has_final)
    {
      enum tparam t = i < (size_t) f->n_params ? f->params[i] : f->vparam;
      if (validate (s, json_incref (final), t, &argv[i]) < 0)
        {
          release_args (argv, num_in);
          return -1;
        }
    }
  r = f->fn (s, argv, num_in, out, &msg);
  release_args (argv, num_in);
  if (r < 0)
    {
      s->at = node;
      xerr (s, "error calling %s: %s", f->name, msg ? msg : "failed");
      free (msg);
      return -1;
    }
  return 0;
}

static int
eval_function (struct exec_state *s, struct dot dot, const struct tnode *ident,
               const struct tnode *node, const struct tnode *const *args, size_t n_args,
               bool has_final, json_t *final, json_t **out)
{
  s->at = ident;
  return eval_call (s, dot, ident->func, node, args, n_args, has_final, final, out);
}

/* Go's evalArg: one argument of a function, converted to its type.  */
static int
eval_arg (struct exec_state *s, struct dot dot, enum tparam type, const struct tnode *n,
          json_t **out)
{
  json_t *v = NULL;

  s->at = n;
  *out = NULL;
  switch (n->type)
    {
    case N_DOT: return validate (s, json_incref (dot.v), type, out);
    case N_NIL:
      if (type == P_ANY || type == P_VALUE || type == P_UNTYPED)
        return 0;
      if (type == P_STRLIST)
        {
          *out = json_array ();
          return 0;
        }
      return xerr (s, "cannot assign nil to %s", param_type_name (type));
    case N_FIELD:
      if (eval_field_node (s, dot, n, 1, false, &v) < 0)
        return -1;
      return validate (s, v, type, out);
    case N_VARIABLE:
      if (eval_variable_node (s, n, 0, false, &v) < 0)
        return -1;
      return validate (s, v, type, out);
    case N_PIPE:
      if (eval_pipeline (s, dot, n, &v) < 0)
        return -1;
      return validate (s, v, type, out);
    case N_IDENT:
      if (eval_function (s, dot, n, n, NULL, 0, false, NULL, &v) < 0)
        return -1;
      return validate (s, v, type, out);
    case N_CHAIN:
      if (eval_chain_node (s, dot, n, 0, false, &v) < 0)
        return -1;
      return validate (s, v, type, out);
    default: break;
    }
  switch (type)
    {
    case P_STRING:
      if (n->type != N_STRING)
        return node_error (s, "expected string; found ", n, "");
      *out = json_stringn_nocheck (n->text, n->text_len);
      return 0;
    case P_INT:
      if (n->type != N_NUMBER || !n->is_int)
        return node_error (s, "expected integer; found ", n, "");
      *out = json_integer (n->ival);
      return 0;
    case P_STRLIST: return node_error (s, "can't handle ", n, " for arg of type []string");
    default: break;
    }
  if (n->type == N_BOOL)
    *out = json_boolean (n->bval);
  else if (n->type == N_NUMBER)
    return ideal_constant (s, n, out);
  else if (n->type == N_STRING)
    *out = json_stringn_nocheck (n->text, n->text_len);
  return 0;
}

static int
eval_command (struct exec_state *s, struct dot dot, const struct tnode *cmd, bool has_final,
              json_t *final, json_t **out)
{
  const struct tnode *first = cmd->kids[0];

  *out = NULL;
  switch (first->type)
    {
    case N_FIELD: return eval_field_node (s, dot, first, cmd->n_kids, has_final, out);
    case N_CHAIN: return eval_chain_node (s, dot, first, cmd->n_kids, has_final, out);
    case N_IDENT:
      return eval_function (s, dot, first, cmd, (const struct tnode *const *) cmd->kids + 1,
                            cmd->n_kids - 1, has_final, final, out);
    case N_PIPE:
      if (not_a_function (s, first, cmd->n_kids, has_final) < 0)
        return -1;
      return eval_pipeline (s, dot, first, out);
    case N_VARIABLE: return eval_variable_node (s, first, cmd->n_kids, has_final, out);
    default: break;
    }
  s->at = first;
  if (not_a_function (s, first, cmd->n_kids, has_final) < 0)
    return -1;
  switch (first->type)
    {
    case N_BOOL: *out = json_boolean (first->bval); return 0;
    case N_DOT: *out = json_incref (dot.v); return 0;
    case N_NIL: return xerr (s, "nil is not a command");
    case N_NUMBER: return ideal_constant (s, first, out);
    case N_STRING: *out = json_stringn_nocheck (first->text, first->text_len); return 0;
    default: return node_error (s, "can't evaluate command ", first, "");
    }
}

static int
eval_pipeline (struct exec_state *s, struct dot dot, const struct tnode *pipe, json_t **out)
{
  json_t *value = NULL;

  *out = NULL;
  if (pipe == NULL)
    return 0;
  s->at = pipe;
  for (size_t i = 0; i < pipe->n_kids; i++)
    {
      json_t *nv;
      int r = eval_command (s, dot, pipe->kids[i], i > 0, value, &nv);
      json_decref (value);
      if (r < 0)
        return -1;
      value = nv;
      /* Go digs the dynamic value out of an interface{}: nil becomes "no value".  */
      if (json_is_null (value))
        {
          json_decref (value);
          value = NULL;
        }
    }
  for (size_t i = 0; pipe->decl && pipe->decl[i]; i++)
    {
      if (!pipe->is_assign)
        push_var (s, pipe->decl[i], value, false);
      else if (set_var (s, pipe->decl[i], value, false) < 0)
        {
          json_decref (value);
          return -1;
        }
    }
  *out = value;
  return 0;
}

/* ---- walking ------------------------------------------------------------------ */

static int
check_output (struct exec_state *s)
{
  if (s->o.max_output && s->out->len - s->out_start > s->o.max_output)
    {
      s->at = NULL;
      return xerr (s, "output exceeds %zu bytes", s->o.max_output);
    }
  return 0;
}

/* In header mode: the header of the first field an action mentions.  */
static const struct tnode *
first_field (const struct tnode *n)
{
  if (n == NULL)
    return NULL;
  if ((n->type == N_FIELD || n->type == N_CHAIN) || (n->type == N_VARIABLE && n->idents[1]))
    return n;
  for (size_t i = 0; i < n->n_kids; i++)
    {
      const struct tnode *f = first_field (n->kids[i]);
      if (f)
        return f;
    }
  return first_field (n->pipe);
}

/* eval_pipeline, except that in header mode a failure yields the header
   of the pipeline's first field instead.  */
static int
eval_pipeline_hdr (struct exec_state *s, struct dot dot, const struct tnode *pipe, json_t **out)
{
  const struct tnode *f;

  if (eval_pipeline (s, dot, pipe, out) == 0)
    return 0;
  if (!s->o.header_mode)
    return -1;
  husk_error_release (s->err);
  f = first_field (pipe);
  *out = f ? header_value (s, f->type == N_VARIABLE ? f->idents + 1 : f->idents)
           : json_string ("");
  /* The pipeline failed before its variables were declared; declare them
     with the header value, as range and with expect them to exist.  */
  for (size_t i = 0; pipe && pipe->decl && pipe->decl[i]; i++)
    {
      if (!pipe->is_assign)
        push_var (s, pipe->decl[i], *out, false);
      else if (set_var (s, pipe->decl[i], *out, false) < 0)
        {
          json_decref (*out);
          *out = NULL;
          return -1;
        }
    }
  return 0;
}

static int
walk_if_or_with (struct exec_state *s, struct dot dot, const struct tnode *n)
{
  size_t mark = s->n_vars;
  cleanup_json json_t *v = NULL;
  int r = 0;

  if (eval_pipeline_hdr (s, dot, n->pipe, &v) < 0)
    return -1;
  if (husk_template_truth (v))
    r = walk (s, n->type == N_WITH ? (struct dot) { v, false } : dot, n->list);
  else if (n->else_list)
    r = walk (s, dot, n->else_list);
  pop_vars (s, mark);
  return r;
}

static int
range_once (struct exec_state *s, const struct tnode *n, size_t mark, json_t *index,
            struct dot elem)
{
  char *const *decl = n->pipe->decl;
  size_t nd = husk_strv_len (decl);
  int r;

  if (nd > 0)
    {
      if (!n->pipe->is_assign)
        store_var (&s->vars[s->n_vars - 1], elem.v, elem.iface);
      else if ((nd > 1 ? set_var (s, decl[0], index, false)
                       : set_var (s, decl[0], elem.v, elem.iface)) < 0)
        return -1;
    }
  if (nd > 1)
    {
      if (!n->pipe->is_assign)
        store_var (&s->vars[s->n_vars - 2], index, false);
      else if (set_var (s, decl[1], elem.v, elem.iface) < 0)
        return -1;
    }
  r = walk (s, elem, n->list);
  pop_vars (s, mark);
  return r == WALK_CONTINUE ? 0 : r;
}

static int
cmp_str (const void *a, const void *b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

static int
range_object (struct exec_state *s, const struct tnode *n, size_t mark, json_t *obj)
{
  size_t cnt = 0;
  cleanup_free const char **keys = husk_xmalloc ((json_object_size (obj) + 1) * sizeof (char *));
  const char *k;
  json_t *e;
  int r = 0;

  json_object_foreach (obj, k, e)
    keys[cnt++] = k;
  qsort (keys, cnt, sizeof (char *), cmp_str);
  for (size_t i = 0; i < cnt && r == 0; i++)
    {
      json_t *key = json_string_nocheck (keys[i]);
      r = range_once (s, n, mark, key, (struct dot) { json_object_get (obj, keys[i]), true });
      json_decref (key);
    }
  return r < 0 ? -1 : 0;
}

static int
walk_range (struct exec_state *s, struct dot dot, const struct tnode *n)
{
  size_t mark = s->n_vars, mark2;
  cleanup_json json_t *val = NULL;
  bool empty = true;
  int r = 0;

  s->at = n;
  if (eval_pipeline_hdr (s, dot, n->pipe, &val) < 0)
    return -1;
  mark2 = s->n_vars;
  if (json_is_array (val) && json_array_size (val) > 0)
    {
      empty = false;
      for (size_t i = 0; i < json_array_size (val) && r == 0; i++)
        {
          json_t *idx = json_integer ((json_int_t) i);
          r = range_once (s, n, mark2, idx, (struct dot) { json_array_get (val, i), true });
          json_decref (idx);
        }
      r = r < 0 ? -1 : 0;
    }
  else if (json_is_object (val) && json_object_size (val) > 0)
    {
      empty = false;
      r = range_object (s, n, mark2, val);
    }
  else if (val != NULL && !json_is_array (val) && !json_is_object (val))
    {
      if (!s->o.header_mode)
        {
          struct husk_buf b = HUSK_BUF_INIT;
          husk_gofmt_print (&b, val);
          r = xerr (s, "range can't iterate over %s", b.data);
          husk_buf_release (&b);
          return r;
        }
      empty = false;
      json_t *idx = json_integer (0);
      r = range_once (s, n, mark2, idx, (struct dot) { val, false });
      json_decref (idx);
      r = r < 0 ? -1 : 0;
    }
  if (r == 0 && empty && n->else_list)
    r = walk (s, dot, n->else_list);
  pop_vars (s, mark);
  return r;
}

static int
walk (struct exec_state *s, struct dot dot, const struct tnode *n)
{
  json_t *v = NULL;
  int r;

  if (s->o.max_steps && ++s->steps > s->o.max_steps)
    {
      s->at = NULL;
      return xerr (s, "execution exceeds %zu steps", s->o.max_steps);
    }
  switch (n->type)
    {
    case N_ACTION:
      if (eval_pipeline_hdr (s, dot, n->pipe, &v) < 0)
        return -1;
      if (n->pipe->decl == NULL)
        {
          if (v == NULL)
            husk_buf_puts (s->out, "<no value>");
          else
            husk_gofmt_print (s->out, v);
        }
      json_decref (v);
      return check_output (s);
    case N_BREAK: return WALK_BREAK;
    case N_CONTINUE: return WALK_CONTINUE;
    case N_IF:
    case N_WITH: return walk_if_or_with (s, dot, n);
    case N_LIST:
      for (size_t i = 0; i < n->n_kids; i++)
        if ((r = walk (s, dot, n->kids[i])) != 0)
          return r;
      return 0;
    case N_RANGE: return walk_range (s, dot, n);
    case N_TEXT:
      husk_buf_append (s->out, n->text, n->text_len);
      return check_output (s);
    default: return 0;
    }
}

int
husk_template_exec_full (struct husk_template *t, json_t *data,
                         const struct husk_template_exec_options *opts, struct husk_buf *out,
                         husk_error_t *err)
{
  husk_error_t local = NULL;
  struct exec_state s = { 0 };
  int r;

  s.t = t;
  if (opts)
    s.o = *opts;
  s.out = out;
  s.out_start = out->len;
  s.err = err ? err : &local;
  if (s.o.strict && json_is_object (data))
    {
      s.strict = husk_xmalloc (sizeof (json_t *));
      s.strict[s.n_strict++] = data;
    }
  else if (s.o.strict && json_is_array (data))
    {
      s.strict = husk_xmalloc ((json_array_size (data) + 1) * sizeof (json_t *));
      for (size_t i = 0; i < json_array_size (data); i++)
        if (json_is_object (json_array_get (data, i)))
          s.strict[s.n_strict++] = json_array_get (data, i);
      qsort (s.strict, s.n_strict, sizeof (json_t *), cmp_ptr);
    }
  push_var (&s, "$", data, false);
  husk_buf_append (out, "", 0);
  r = walk (&s, (struct dot) { data, false }, t->root);
  pop_vars (&s, 0);
  free (s.vars);
  free (s.strict);
  husk_error_release (&local);
  return r < 0 ? -1 : 0;
}

int
husk_template_exec (struct husk_template *t, json_t *data, struct husk_buf *out,
                    husk_error_t *err)
{
  return husk_template_exec_full (t, data, NULL, out, err);
}
