/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Strings, vectors and buffers.  Allocation failure aborts: a container
   engine that runs out of memory in a short-lived CLI has nothing useful
   left to do, and checking every strdup hides the real logic.  */
#include "util/strutil.h"
#include "util/cleanup.h"

#include <ctype.h>
#include <errno.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

static void
oom (void)
{
  fputs ("husk: out of memory\n", stderr);
  abort ();
}

void *
husk_xmalloc (size_t size)
{
  void *p = malloc (size ? size : 1);
  if (p == NULL)
    oom ();
  return p;
}

void *
husk_xzalloc (size_t size)
{
  void *p = calloc (1, size ? size : 1);
  if (p == NULL)
    oom ();
  return p;
}

void *
husk_xrealloc (void *p, size_t size)
{
  p = realloc (p, size ? size : 1);
  if (p == NULL)
    oom ();
  return p;
}

char *
husk_xstrdup (const char *s)
{
  char *r;

  if (s == NULL)
    return NULL;
  r = strdup (s);
  if (r == NULL)
    oom ();
  return r;
}

char *
husk_xstrndup (const char *s, size_t n)
{
  char *r = strndup (s, n);
  if (r == NULL)
    oom ();
  return r;
}

char *
husk_vasprintf (const char *fmt, va_list ap)
{
  char *r;

  if (vasprintf (&r, fmt, ap) < 0)
    oom ();
  return r;
}

char *
husk_asprintf (const char *fmt, ...)
{
  va_list ap;
  char *r;

  va_start (ap, fmt);
  r = husk_vasprintf (fmt, ap);
  va_end (ap);
  return r;
}

bool
husk_has_prefix (const char *s, const char *prefix)
{
  return strncmp (s, prefix, strlen (prefix)) == 0;
}

bool
husk_match_regex (const char *s, const char *pattern)
{
  regex_t re;
  bool ok;

  if (regcomp (&re, pattern, REG_EXTENDED | REG_NOSUB) != 0)
    return strcmp (s, pattern) == 0;
  ok = regexec (&re, s, 0, NULL, 0) == 0;
  regfree (&re);
  return ok;
}

bool
husk_has_suffix (const char *s, const char *suffix)
{
  size_t ls = strlen (s), lx = strlen (suffix);
  return ls >= lx && memcmp (s + ls - lx, suffix, lx) == 0;
}

bool
husk_is_hex (const char *s, size_t len)
{
  size_t n = 0;

  for (; s[n]; n++)
    if (!((s[n] >= '0' && s[n] <= '9') || (s[n] >= 'a' && s[n] <= 'f')))
      return false;
  return n > 0 && (len == 0 || n == len);
}

size_t
husk_strv_len (char *const *v)
{
  size_t n = 0;
  while (v && v[n])
    n++;
  return n;
}

void
husk_strv_take (char ***v, char *s)
{
  size_t n = husk_strv_len (*v);
  *v = husk_xrealloc (*v, (n + 2) * sizeof (char *));
  (*v)[n] = s;
  (*v)[n + 1] = NULL;
}

void
husk_strv_append (char ***v, const char *s)
{
  husk_strv_take (v, husk_xstrdup (s));
}

bool
husk_strv_contains (char *const *v, const char *s)
{
  for (size_t i = 0; v && v[i]; i++)
    if (strcmp (v[i], s) == 0)
      return true;
  return false;
}

void
husk_strv_free (char **v)
{
  for (size_t i = 0; v && v[i]; i++)
    free (v[i]);
  free (v);
}

char **
husk_strv_dup (char *const *v)
{
  char **r = husk_xzalloc (sizeof (char *));
  for (size_t i = 0; v && v[i]; i++)
    husk_strv_append (&r, v[i]);
  return r;
}

char **
husk_strv_split (const char *s, char sep)
{
  char **r = husk_xzalloc (sizeof (char *));
  const char *p;

  while ((p = strchr (s, sep)) != NULL)
    {
      husk_strv_take (&r, husk_xstrndup (s, p - s));
      s = p + 1;
    }
  husk_strv_append (&r, s);
  return r;
}

char *
husk_strv_join (char *const *v, const char *sep)
{
  struct husk_buf b = HUSK_BUF_INIT;

  for (size_t i = 0; v && v[i]; i++)
    {
      if (i)
        husk_buf_puts (&b, sep);
      husk_buf_puts (&b, v[i]);
    }
  return husk_buf_steal (&b);
}

json_t *
husk_strv_json (char *const *v)
{
  json_t *a = json_array ();

  for (size_t i = 0; v && v[i]; i++)
    json_array_append_new (a, json_string (v[i]));
  return a;
}

void
husk_buf_append (struct husk_buf *b, const void *data, size_t len)
{
  if (b->len + len + 1 > b->cap)
    {
      size_t cap = b->cap ? b->cap : 64;
      while (cap < b->len + len + 1)
        cap *= 2;
      b->data = husk_xrealloc (b->data, cap);
      b->cap = cap;
    }
  if (len)
    memcpy (b->data + b->len, data, len);
  b->len += len;
  b->data[b->len] = '\0';
}

void
husk_buf_puts (struct husk_buf *b, const char *s)
{
  husk_buf_append (b, s, strlen (s));
}

void
husk_buf_putc (struct husk_buf *b, char c)
{
  husk_buf_append (b, &c, 1);
}

void
husk_buf_printf (struct husk_buf *b, const char *fmt, ...)
{
  va_list ap;
  char *s;

  va_start (ap, fmt);
  s = husk_vasprintf (fmt, ap);
  va_end (ap);
  husk_buf_puts (b, s);
  free (s);
}

char *
husk_buf_steal (struct husk_buf *b)
{
  char *r;

  if (b->data == NULL)
    husk_buf_append (b, "", 0);
  r = b->data;
  b->data = NULL;
  b->len = b->cap = 0;
  return r;
}

void
husk_buf_release (struct husk_buf *b)
{
  free (b->data);
  b->data = NULL;
  b->len = b->cap = 0;
}

int64_t
husk_now_ns (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_REALTIME, &ts);
  return (int64_t) ts.tv_sec * 1000000000 + ts.tv_nsec;
}

bool
husk_label_filter_match (json_t *labels, const char *want)
{
  const char *eq = strchr (want, '=');
  char *k = eq ? husk_xstrndup (want, eq - want) : husk_xstrdup (want);
  json_t *v = json_object_get (labels, k);

  free (k);
  if (v == NULL)
    return false;
  return eq == NULL || (json_is_string (v) && strcmp (json_string_value (v), eq + 1) == 0);
}

bool
husk_name_valid (const char *n)
{
  if (n == NULL || !isalnum ((unsigned char) n[0]))
    return false;
  for (const char *p = n; *p; p++)
    if (!isalnum ((unsigned char) *p) && *p != '_' && *p != '.' && *p != '-')
      return false;
  return true;
}

char *
husk_random_hex (size_t bytes)
{
  unsigned char buf[32];
  char *out;
  size_t got = 0;

  if (bytes > sizeof buf)
    abort ();
  while (got < bytes)
    {
      ssize_t n = getrandom (buf + got, bytes - got, 0);
      if (n < 0 && errno != EINTR)
        abort (); /* no randomness: no IDs that could collide */
      got += n > 0 ? (size_t) n : 0;
    }
  out = husk_xmalloc (bytes * 2 + 1);
  for (size_t i = 0; i < bytes; i++)
    snprintf (out + 2 * i, 3, "%02x", buf[i]);
  return out;
}

json_t *
husk_labels_parse (char *const *labels, husk_error_t *err)
{
  json_t *o = json_object ();

  for (size_t i = 0; labels && labels[i]; i++)
    {
      const char *eq = strchr (labels[i], '=');
      cleanup_free char *k = eq ? husk_xstrndup (labels[i], eq - labels[i])
                                : husk_xstrdup (labels[i]);
      if (*k == '\0')
        {
          json_decref (o);
          return husk_error_makex (err, EINVAL, "invalid label \"%s\": empty key", labels[i]),
                 NULL;
        }
      json_object_set_new (o, k, json_string (eq ? eq + 1 : ""));
    }
  return o;
}
