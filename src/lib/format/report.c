/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Report writer: Podman's handling of --format strings on top of the
 * template engine and the tabwriter.
 *
 * A "table " format is rewritten as Podman does: the word "table " is
 * dropped, "\t" and "\n" written as two characters and spaces become tabs
 * and newlines, a final newline is added, and the whole is wrapped in
 * {{range .}}...{{end -}}; the header line is the same template run in
 * header mode over one placeholder item.  Other formats get the escapes
 * and final newline, and the {{range .}} wrapper unless they already range
 * over dot.  When the rewritten text does not parse, the original text is
 * tried, again as Podman does (so '{{printf "\n"}}' keeps working).
 */
#include "format/report.h"
#include "format/gofmt.h"
#include "format/tabwriter.h"
#include "format/template.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct husk_report
{
  bool json, table;
  struct husk_template *tmpl;
  json_t *items;
  struct husk_report_options o;
  json_t *headers;
};

static bool
go_space (char c)
{
  return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r';
}

static const char *
skip_space (const char *p)
{
  while (*p && go_space (*p))
    p++;
  return p;
}

bool
husk_report_is_json (const char *format)
{
  const char *p;

  if (format == NULL)
    return false;
  p = skip_space (format);
  if (strncmp (p, "json", 4) == 0)
    p += 4;
  else if (strncmp (p, "{{", 2) == 0)
    {
      p = skip_space (p + 2);
      if (strncmp (p, "json", 4) != 0)
        return false;
      p += 4;
      if (*p == '.')
        p++;
      p = skip_space (p);
      if (strncmp (p, "}}", 2) != 0)
        return false;
      p += 2;
    }
  else
    return false;
  return *skip_space (p) == '\0';
}

/* Match "{{\s*WORD\s*" at p; return the position after it or NULL.  */
static const char *
match_open (const char *p, const char *word)
{
  if (strncmp (p, "{{", 2) != 0)
    return NULL;
  p = skip_space (p + 2);
  if (strncmp (p, word, strlen (word)) != 0)
    return NULL;
  return skip_space (p + strlen (word));
}

/* Podman's rangeRegex: {{\s*range\s*\.\s*}}.*{{\s*end\s*-?\s*}} with "."
   not matching a newline.  */
static bool
has_range (const char *s)
{
  for (const char *p = strstr (s, "{{"); p; p = strstr (p + 1, "{{"))
    {
      const char *e = match_open (p, "range");
      if (e == NULL || *e != '.')
        continue;
      e = skip_space (e + 1);
      if (strncmp (e, "}}", 2) != 0)
        continue;
      for (const char *q = e + 2; *q && *q != '\n'; q++)
        {
          const char *c = match_open (q, "end");
          if (c == NULL)
            continue;
          if (*c == '-')
            c = skip_space (c + 1);
          if (strncmp (c, "}}", 2) == 0)
            return true;
        }
    }
  return false;
}

/* Podman's NormalizeFormat.  */
static char *
normalize (const char *f, bool table)
{
  struct husk_buf b = HUSK_BUF_INIT;

  for (const char *p = f; *p;)
    {
      if (table && strncmp (p, "table ", 6) == 0)
        p += 6;
      else if (p[0] == '\\' && p[1] == 't')
        husk_buf_putc (&b, '\t'), p += 2;
      else if (p[0] == '\\' && p[1] == 'n')
        husk_buf_putc (&b, '\n'), p += 2;
      else if (table && *p == ' ')
        husk_buf_putc (&b, '\t'), p++;
      else
        husk_buf_putc (&b, *p++);
    }
  if (b.len == 0 || b.data[b.len - 1] != '\n')
    husk_buf_putc (&b, '\n');
  return husk_buf_steal (&b);
}

static char *
enforce_range (const char *f)
{
  if (has_range (f))
    return husk_xstrdup (f);
  return husk_asprintf ("{{range .}}%s{{end -}}", f);
}

static struct husk_template *
parse (const char *name, const char *text, husk_error_t *err)
{
  return husk_template_parse_named (name, text, strlen (text), err);
}

struct husk_report *
husk_report_new (const char *format, const struct husk_report_options *opts, husk_error_t *err)
{
  cleanup (husk_report_free) struct husk_report *r = husk_xzalloc (sizeof (*r));
  cleanup_free char *norm = NULL;
  cleanup_free char *orig = NULL;
  const char *name;

  if (opts)
    r->o = *opts;
  name = r->o.name ? r->o.name : "format";
  r->headers = r->o.headers ? json_incref (r->o.headers) : NULL;
  r->items = json_array ();
  if (format == NULL || *format == '\0' || strcmp (format, "table") == 0)
    format = r->o.default_format ? r->o.default_format : "json";
  if (husk_report_is_json (format))
    {
      r->json = true;
      return steal_ptr (&r);
    }
  if (husk_has_prefix (format, "table "))
    {
      cleanup_free char *n = normalize (format, true);
      r->table = true;
      norm = husk_asprintf ("{{range .}}%s{{end -}}", n);
      orig = husk_asprintf ("{{range .}}%s{{end -}}", format + 6);
    }
  else
    {
      cleanup_free char *n = normalize (format, false);
      norm = enforce_range (n);
      orig = enforce_range (format);
    }
  r->tmpl = parse (name, norm, NULL);
  if (r->tmpl == NULL)
    r->tmpl = parse (name, orig, err);
  if (r->tmpl == NULL)
    return NULL;
  return steal_ptr (&r);
}

void
husk_report_add (struct husk_report *r, json_t *item)
{
  json_array_append (r->items, item);
}

bool
husk_report_is_table (const struct husk_report *r)
{
  return r->table;
}

static int
render_table (struct husk_report *r, struct husk_buf *out, husk_error_t *err)
{
  cleanup (husk_tabwriter_free) struct husk_tabwriter *tw
      = husk_tabwriter_new (12, 2, 2, ' ', HUSK_TABWRITER_STRIP_ESCAPE);
  struct husk_template_exec_options ho = { .header_mode = true, .headers = r->headers };
  struct husk_template_exec_options ro = { .strict = r->o.strict, .type_name = r->o.type_name };
  struct husk_buf b = HUSK_BUF_INIT;

  if (!r->o.no_heading)
    {
      cleanup_json json_t *hdr = json_pack ("[{}]");
      if (husk_template_exec_full (r->tmpl, hdr, &ho, &b, err) < 0)
        {
          husk_buf_release (&b);
          return -1;
        }
      husk_tabwriter_write (tw, b.data, b.len);
      husk_buf_release (&b);
    }
  if (husk_template_exec_full (r->tmpl, r->items, &ro, &b, err) < 0)
    {
      husk_buf_release (&b);
      return -1;
    }
  husk_tabwriter_write (tw, b.data, b.len);
  husk_buf_release (&b);
  husk_tabwriter_flush (tw, out);
  return 0;
}

int
husk_report_render (struct husk_report *r, struct husk_buf *out, husk_error_t *err)
{
  struct husk_template_exec_options ro = { .strict = r->o.strict, .type_name = r->o.type_name };
  struct husk_buf b = HUSK_BUF_INIT;

  if (r->json)
    {
      husk_gofmt_json (out, r->items, r->o.json_escape_html ? HUSK_GOJSON_ESCAPE_HTML : 0,
                       r->o.json_indent > 0 ? r->o.json_indent : 4);
      husk_buf_putc (out, '\n');
      return 0;
    }
  if (r->table)
    return render_table (r, out, err);
  if (husk_template_exec_full (r->tmpl, r->items, &ro, &b, err) < 0)
    {
      husk_buf_release (&b);
      return -1;
    }
  husk_buf_append (out, b.data ? b.data : "", b.len);
  husk_buf_release (&b);
  return 0;
}

int
husk_report_finish (struct husk_report *r, FILE *out, husk_error_t *err)
{
  struct husk_buf b = HUSK_BUF_INIT;

  if (husk_report_render (r, &b, err) < 0)
    return -1;
  if (b.len && fwrite (b.data, 1, b.len, out) != b.len)
    {
      int e = errno;
      husk_buf_release (&b);
      return husk_error_make (err, e, "write output");
    }
  husk_buf_release (&b);
  if (fflush (out) != 0)
    return husk_error_make (err, errno, "write output");
  return 0;
}

void
husk_report_free (struct husk_report *r)
{
  if (r == NULL)
    return;
  husk_template_free (r->tmpl);
  json_decref (r->items);
  json_decref (r->headers);
  free (r);
}
