/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Go text/template for `--format`: the syntax and semantics of Go's
 * package (actions, trim markers, comments, fields, variables, pipelines,
 * if/else if/range/with/break/continue, the builtin functions) plus the
 * functions Podman and Docker add (json, join, lower, upper, title, split,
 * truncate, pad).  Data are jansson values: objects stand for Go structs
 * and maps (keys are the Go field names), arrays for slices.
 *
 * Output and error messages follow Go's byte for byte where a user could
 * see the difference, e.g. "template: format:1:2: executing \"format\" at
 * <.Bogus>: can't evaluate field Bogus in type ..." and "template:
 * format:1: function \"foo\" not defined".  {{define}}, {{template}} and
 * {{block}} are not supported (a parse error says so).
 */
#ifndef HUSK_FORMAT_TEMPLATE_H
#define HUSK_FORMAT_TEMPLATE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "util/cleanup.h"
#include "util/error.h"
#include "util/strutil.h"

struct husk_template;

/**
 * husk_template_parse() - Parse a template named "format"
 * @src: template text (NUL-terminated)
 * @err: set on failure to Go's message, e.g.
 *       template: format:1: function "foo" not defined
 *
 * Return: the template, or NULL.
 */
struct husk_template *husk_template_parse (const char *src, husk_error_t *err);

/**
 * husk_template_parse_named() - Parse a template with a name
 * @name: the name errors show (Podman uses the command name, e.g. "ps")
 * @src:  template text, @len bytes (may contain NUL bytes)
 *
 * Return: the template, or NULL.
 */
struct husk_template *husk_template_parse_named (const char *name, const char *src, size_t len,
                                                 husk_error_t *err);

void husk_template_free (struct husk_template *t);
DEFINE_CLEANUP (struct husk_template *, husk_template_free)

struct husk_template_exec_options
{
  /* A key missing from the root object, or from an object that is an
     element of a root array, is an error "can't evaluate field X in type
     T" (T is type_name, default "struct"), as it is for Podman's structs.
     Nested objects stay maps: their missing keys print "<no value>".  */
  bool strict;
  const char *type_name;
  /* Render a table header instead of data: every field evaluates to its
     column header (see husk_template_header), errors in an action print
     the header of the action's first field, ranges run once.  */
  bool header_mode;
  json_t *headers; /* object: field name (or dotted path) -> header text */
  /* Limits for untrusted templates; 0 means none.  */
  size_t max_output; /* bytes appended to out */
  size_t max_steps;  /* nodes executed */
};

/**
 * husk_template_exec() - Execute a template against data
 * @t:    parsed template
 * @data: the value of dot ("."), borrowed; may be NULL (no value)
 * @out:  output is appended here; on error it may hold partial output
 *
 * Missing keys print "<no value>" (Go's default for maps).
 *
 * Return: 0, or -1 with @err set to Go's message.
 */
int husk_template_exec (struct husk_template *t, json_t *data, struct husk_buf *out,
                        husk_error_t *err);

/* Same with options (NULL: the defaults of husk_template_exec).  */
int husk_template_exec_full (struct husk_template *t, json_t *data,
                             const struct husk_template_exec_options *opts,
                             struct husk_buf *out, husk_error_t *err);

/**
 * husk_template_header() - Column header for a field, as Podman makes it
 * @headers: optional object of overrides: field name -> header text
 * @field:   the field name, e.g. "CreatedAt"
 *
 * Return: the override upper-cased, or the name split at CamelCase
 * boundaries and upper-cased ("CreatedAt" -> "CREATED AT", "ID" -> "ID").
 */
char *husk_template_header (json_t *headers, const char *field);

#endif
