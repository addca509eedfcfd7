/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Internals of the template engine shared by its parser
 * (template-parse.c), executor (template-exec.c) and functions
 * (template-funcs.c).  The tree mirrors Go's text/template/parse nodes so
 * that positions and the "at <...>" context of errors come out the same.
 */
#ifndef HUSK_FORMAT_TEMPLATE_INT_H
#define HUSK_FORMAT_TEMPLATE_INT_H

#include <stdint.h>

#include "format/template.h"

/* Nesting limit for parentheses and control structures: the parser and
   the executor recurse once per level.  */
#define TEMPLATE_MAX_DEPTH 100

enum tnode_type
{
  N_TEXT,
  N_ACTION,
  N_IF,
  N_RANGE,
  N_WITH,
  N_LIST,
  N_BREAK,
  N_CONTINUE,
  N_PIPE,
  N_COMMAND,
  N_FIELD,
  N_VARIABLE,
  N_CHAIN,
  N_IDENT,
  N_DOT,
  N_NIL,
  N_BOOL,
  N_NUMBER,
  N_STRING,
  /* Parser-only markers for {{end}} and {{else}}.  */
  N_END,
  N_ELSE,
};

/* Parameter types of template functions, as Go's reflection sees them.  */
enum tparam
{
  P_ANY,     /* interface{} */
  P_VALUE,   /* reflect.Value (builtins that accept nil) */
  P_STRING,  /* string */
  P_INT,     /* int */
  P_STRLIST, /* []string */
  P_UNTYPED, /* no conversion at all (receiver of a chain) */
};

struct exec_state;

/* A function: returns 0 with *out set (a new reference, or NULL for nil)
   or -1 with *msg set to the reason (Go's "error calling NAME: ...").  */
typedef int (*tfunc_fn) (struct exec_state *s, json_t **args, size_t n, json_t **out,
                         char **msg);

struct tfunc
{
  const char *name;
  int n_params;          /* fixed parameters */
  enum tparam params[3]; /* their types */
  bool variadic;         /* then any number of vparam */
  enum tparam vparam;
  tfunc_fn fn;
};

struct tnode
{
  enum tnode_type type;
  size_t pos; /* byte offset in the source, for error positions */
  int line;
  /* N_TEXT: text; N_STRING: unquoted value; N_NUMBER, N_STRING: source
     text in src (Go prints it in error contexts).  */
  char *text;
  size_t text_len;
  char *src;
  /* N_FIELD, N_VARIABLE (with "$x" first), N_CHAIN: identifiers.  */
  char **idents;
  /* N_NUMBER */
  bool is_int, is_float;
  int64_t ival;
  double fval;
  /* N_BOOL */
  bool bval;
  /* N_LIST: nodes; N_PIPE: commands; N_COMMAND: arguments.  */
  struct tnode **kids;
  size_t n_kids;
  /* N_PIPE: declared variables, and whether they are assigned (=).  */
  char **decl;
  bool is_assign;
  /* N_IF, N_RANGE, N_WITH: pipe, list, else_list; N_ACTION: pipe;
     N_CHAIN: the chained term in pipe.  */
  struct tnode *pipe, *list, *else_list;
  /* N_IDENT */
  const struct tfunc *func;
};

struct husk_template
{
  char *name;
  char *src;
  size_t len;
  struct tnode *root;
};

/* State of one execution; functions see it for the limits.  */
struct exec_var
{
  char *name;
  json_t *v;  /* NULL: no value */
  bool iface; /* static type interface {} (a map or slice element) */
};

struct exec_state
{
  const struct husk_template *t;
  struct husk_template_exec_options o;
  struct husk_buf *out;
  size_t out_start;
  const struct tnode *at; /* node that errors are reported at */
  struct exec_var *vars;
  size_t n_vars, cap_vars;
  size_t steps;
  json_t **strict; /* sorted objects whose missing keys are errors */
  size_t n_strict;
  husk_error_t *err;
};

/* ---- template-lex.c ---- */

enum tok
{
  T_EOF,
  T_ERROR,
  T_TEXT,
  T_LEFT,
  T_RIGHT,
  T_SPACE,
  T_FIELD,
  T_VARIABLE,
  T_IDENT,
  T_BOOL,
  T_STRING,
  T_RAW,
  T_CHARCONST,
  T_NUMBER,
  T_PIPE,
  T_LPAREN,
  T_RPAREN,
  T_DECLARE,
  T_ASSIGN,
  T_CHAR,
  /* Keywords; Go prints these as <word> in errors.  */
  T_KEYWORD,
  T_BLOCK,
  T_BREAK,
  T_CONTINUE,
  T_DOT,
  T_DEFINE,
  T_ELSE,
  T_END,
  T_IF,
  T_NIL,
  T_RANGE,
  T_TEMPLATE,
  T_WITH,
};

struct token
{
  enum tok type;
  size_t pos, len;
  int line;
};

struct lexer
{
  const char *in;
  size_t len;
  size_t pos, start;
  int line; /* line of in[start] */
  int paren_depth;
  struct token *toks;
  size_t n, cap;
  char *errmsg;
};

void husk_template_lex (struct lexer *l);
/* strconv.UnquoteChar of s[*i..len) into b.  Return: false on bad syntax.  */
bool husk_template_unquote_char (struct husk_buf *b, const char *s, size_t len, size_t *i,
                                 char quote);
/* strconv.Unquote of a "..." or `...` token.  */
bool husk_template_unquote (struct husk_buf *b, const char *s, size_t len);
/* Check Go's rule for '_' in numbers and copy s without them to out.  */
bool husk_template_strip_underscores (const char *s, size_t len, char *out);
/* strconv.ParseInt/ParseUint (s, 0, 64) and ParseFloat (s, 64).  */
bool husk_template_parse_int (const char *s, bool *neg, uint64_t *u);
bool husk_template_parse_float (const char *s, double *d);

/* ---- template-parse.c ---- */
void husk_template_node_free (struct tnode *n);
/* Go's Node.String(), used for "at <...>" in errors.  */
void husk_template_node_string (struct husk_buf *b, const struct tnode *n);

/* ---- template-funcs.c ---- */
const struct tfunc *husk_template_find_func (const char *name);
/* Go's truth: non-zero, non-empty, not nil.  */
bool husk_template_truth (json_t *v);

#endif
