/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Go's fmt and encoding/json, as far as `--format` output needs them, over
 * jansson values.  The value model is the one Go's text/template sees when
 * it runs on JSON decoded into interface{}: strings, integers (Go int),
 * reals (float64), booleans, arrays ([]interface {}), objects
 * (map[string]interface {}) and nil, which is NULL here (a JSON null is
 * treated the same).
 *
 * Internal to src/lib/format: the template engine and the report writer
 * use it; other subsystems should go through template.h and report.h.
 */
#ifndef HUSK_FORMAT_GOFMT_H
#define HUSK_FORMAT_GOFMT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/strutil.h"

/* Decode one UTF-8 sequence of s[0..len) as Go's utf8.DecodeRune does:
   invalid input yields U+FFFD with *size 1.  len must be > 0.  */
int32_t husk_gofmt_decode_rune (const char *s, size_t len, size_t *size);

/* Append the UTF-8 encoding of r (U+FFFD when r is not a valid rune).  */
void husk_gofmt_put_rune (struct husk_buf *b, int32_t r);

/* Number of runes in s[0..len), invalid bytes counting one each.  */
size_t husk_gofmt_rune_count (const char *s, size_t len);

/* Go's name for the dynamic type of v ("string", "int", "float64", "bool",
   "[]interface {}", "map[string]interface {}"; "<nil>" for NULL).  */
const char *husk_gofmt_type_name (json_t *v);

/* fmt.Sprint (v): Go's %v.  NULL (nil) prints "<nil>".  */
void husk_gofmt_print (struct husk_buf *b, json_t *v);

/* fmt.Sprintf (fmt, args...).  Arguments may be NULL (nil).  When limit
   is not 0, stops early once more than limit bytes were appended (widths
   go up to a million, so a short format can ask for a lot).  */
void husk_gofmt_sprintf (struct husk_buf *b, const char *fmt, size_t fmt_len,
                         json_t *const *args, size_t n_args, size_t limit);

/* fmt.Sprint (args...) and fmt.Sprintln (args...).  */
void husk_gofmt_sprint (struct husk_buf *b, json_t *const *args, size_t n_args);
void husk_gofmt_sprintln (struct husk_buf *b, json_t *const *args, size_t n_args);

/* strconv.Quote, or strconv.QuoteToASCII when ascii_only.  */
void husk_gofmt_quote (struct husk_buf *b, const char *s, size_t len, bool ascii_only);

/* A float64 as Go's %v prints it (shortest form, exponent from 1e+06).  */
void husk_gofmt_float (struct husk_buf *b, double d);

enum
{
  HUSK_GOJSON_ESCAPE_HTML = 1 << 0, /* <, >, & as \u003c, \u003e, \u0026 */
  HUSK_GOJSON_SORT_KEYS = 1 << 1,   /* map order instead of insertion order */
};

/* Go's JSON encoding of v: compact when indent is 0, else
   json.MarshalIndent (v, "", indent spaces).  NULL encodes as null.  */
void husk_gofmt_json (struct husk_buf *b, json_t *v, unsigned flags, int indent);

#endif
