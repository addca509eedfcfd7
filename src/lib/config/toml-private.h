/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Internals shared by the two halves of the TOML reader: toml.c reads the
 * document structure (keys, tables, arrays) and builds the tree; toml-scalar.c
 * reads the scalar values (strings, numbers, booleans, dates and times).
 */
#ifndef HUSK_CONFIG_TOML_PRIVATE_H
#define HUSK_CONFIG_TOML_PRIVATE_H

#include "util/error.h"
#include "util/strutil.h"

#include <locale.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum toml_kind
{
  TOML_TABLE,
  TOML_ARRAY,
  TOML_STRING,
  TOML_INTEGER,
  TOML_FLOAT,
  TOML_BOOL,
  TOML_DATETIME,       /* offset date-time */
  TOML_DATETIME_LOCAL, /* date and time, no offset */
  TOML_DATE_LOCAL,
  TOML_TIME_LOCAL,
};

/* Read position in the document.  The document is [start, end); p is the
   next byte to read.  Errors name the line of the byte they point at.  */
struct toml_lexer
{
  const char *start;
  const char *p;
  const char *end;
  husk_error_t *err;
  locale_t c_locale; /* for strtod, made on first use */
};

/* A scalar just read.  text holds the string's contents (which may contain
   NUL bytes), the RFC 3339 text of a date or time, or the float as written
   without underscores; i, f and b hold the value of the other kinds.  */
struct toml_scalar
{
  enum toml_kind kind;
  int64_t i;
  double f;
  bool b;
  struct husk_buf text;
};

/* Record "line N: <message>" for the byte at 'at'.  Return: -1.  */
int toml_fail (struct toml_lexer *lx, const char *at, const char *fmt, ...)
    __attribute__ ((format (printf, 3, 4)));

/* Check that the whole document is valid UTF-8 (no overlong forms, no
   surrogates, nothing past U+10FFFF).  Return: 0, or -1.  */
int toml_check_utf8 (struct toml_lexer *lx);

/* Read a string starting at the quote under lx->p into out (appended).
   Multi-line forms are accepted only when multiline is true (values, not
   keys).  Return: 0, or -1.  */
int toml_read_string (struct toml_lexer *lx, bool multiline, struct husk_buf *out);

/* Read a boolean, number, date or time starting at lx->p.  Return: 0, or
   -1.  */
int toml_read_scalar (struct toml_lexer *lx, struct toml_scalar *out);

static inline bool
toml_is_ws (char c)
{
  return c == ' ' || c == '\t';
}

static inline bool
toml_is_digit (char c)
{
  return c >= '0' && c <= '9';
}

#endif
