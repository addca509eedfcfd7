/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Allocation that cannot fail (aborts on OOM), strings, string vectors and a
   growable buffer.  */
#ifndef HUSK_UTIL_STRUTIL_H
#define HUSK_UTIL_STRUTIL_H

#include "util/error.h"

#include <stdarg.h>
#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

void *husk_xmalloc (size_t size);

/* bytes (at most 32) random bytes from the kernel, as 2 * bytes lowercase
   hex digits (the caller frees): IDs and generated names.  */
char *husk_random_hex (size_t bytes);
void *husk_xzalloc (size_t size);
void *husk_xrealloc (void *p, size_t size);
char *husk_xstrdup (const char *s);
char *husk_xstrndup (const char *s, size_t n);
char *husk_asprintf (const char *fmt, ...) __attribute__ ((format (printf, 1, 2)));
char *husk_vasprintf (const char *fmt, va_list ap) __attribute__ ((format (printf, 1, 0)));

bool husk_has_prefix (const char *s, const char *prefix);
bool husk_has_suffix (const char *s, const char *suffix);
/* Podman's name filters: pattern as an unanchored POSIX extended regular
   expression, or as plain text when it does not compile.  */
bool husk_match_regex (const char *s, const char *pattern);
/* True when s is all lowercase hex digits and, if len > 0, exactly len long. */
bool husk_is_hex (const char *s, size_t len);

/* NULL-terminated string vectors.  */
size_t husk_strv_len (char *const *v);
/* Append a copy of s; *v may be NULL.  */
void husk_strv_append (char ***v, const char *s);
/* Append s itself, taking ownership.  */
void husk_strv_take (char ***v, char *s);
bool husk_strv_contains (char *const *v, const char *s);
void husk_strv_free (char **v);
char **husk_strv_dup (char *const *v);
/* Split s at every occurrence of sep; empty fields kept.  */
char **husk_strv_split (const char *s, char sep);
char *husk_strv_join (char *const *v, const char *sep);
/* A JSON array of v's strings ([] for NULL).  */
json_t *husk_strv_json (char *const *v);

/* Growable byte buffer, always NUL-terminated.  */
struct husk_buf
{
  char *data;
  size_t len;
  size_t cap;
};
#define HUSK_BUF_INIT { NULL, 0, 0 }
void husk_buf_append (struct husk_buf *b, const void *data, size_t len);
void husk_buf_puts (struct husk_buf *b, const char *s);
void husk_buf_putc (struct husk_buf *b, char c);
void husk_buf_printf (struct husk_buf *b, const char *fmt, ...)
    __attribute__ ((format (printf, 2, 3)));
/* Give the data to the caller (never NULL) and reset the buffer.  */
char *husk_buf_steal (struct husk_buf *b);
void husk_buf_release (struct husk_buf *b);

/* The wall clock in nanoseconds since the epoch (event and log times).  */
int64_t husk_now_ns (void);

/* The label= filter of every listing: "key" matches any value, "key=value"
   that value (labels: a JSON object of strings).  */
bool husk_label_filter_match (json_t *labels, const char *want);

/* --label values as an object: "k=v" -> {"k": "v"}, "k" -> {"k": ""};
   an empty key fails (EINVAL), NULL returned.  */
json_t *husk_labels_parse (char *const *labels, husk_error_t *err);

/* A Docker/Podman object name: [a-zA-Z0-9][a-zA-Z0-9_.-]* (containers
   and volumes share the rule).  */
bool husk_name_valid (const char *n);

#endif
