/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * `--format` output of listings and inspect, as Podman's report package
 * does it:
 *
 *   "json" (also "{{json}}", "{{ json. }}"): the items as a JSON array,
 *       indented (Podman: 4 spaces for listings).
 *   "table {{.A}}\t{{.B}}": a header line, then a line per item, aligned
 *       by a Go-compatible tabwriter.  As in Podman, "\t" and "\n" typed
 *       as two characters become tab and newline, and spaces become column
 *       separators too.  Headers come from husk_template_header.
 *   anything else: a Go template run once per item (or once over the
 *       whole list when it has its own {{range .}}...{{end}}), a newline
 *       added when the template does not end with one; "\t", "\n" typed
 *       as two characters are interpreted.
 *   NULL, "" or "table": the caller's default format.
 *
 * Usage: r = husk_report_new (format, &opts, &err); husk_report_add for
 * each item; husk_report_finish (r, stdout, &err); husk_report_free (r).
 * Template errors come back in Go's words (exit 125 at the CLI).
 */
#ifndef HUSK_FORMAT_REPORT_H
#define HUSK_FORMAT_REPORT_H

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>

#include "util/cleanup.h"
#include "util/error.h"
#include "util/strutil.h"

struct husk_report_options
{
  const char *name;           /* template name in errors (Podman: command name); NULL: "format" */
  const char *default_format; /* for NULL, "" and "table", e.g. "table {{.ID}}\t{{.Names}}" */
  json_t *headers;            /* object: field (or dotted path) -> column header; may be NULL */
  bool no_heading;            /* --noheading: no header line for tables */
  bool strict;                /* an unknown field of an item is an error (Podman's structs) */
  const char *type_name;      /* Go type named in that error, e.g. "images.imageReporter" */
  int json_indent;            /* spaces per level for "json"; 0: 4 */
  bool json_escape_html;      /* escape <, >, & in "json" output (Go's MarshalIndent does) */
};

struct husk_report;

/**
 * husk_report_new() - Prepare output in a format
 * @format: the --format value; NULL or "" for the default
 * @opts:   options; NULL for defaults
 *
 * The template is parsed now, so a bad --format fails before any work.
 *
 * Return: the report, or NULL with @err set.
 */
struct husk_report *husk_report_new (const char *format, const struct husk_report_options *opts,
                                     husk_error_t *err);

/* Add an item (a reference is taken).  */
void husk_report_add (struct husk_report *r, json_t *item);

/**
 * husk_report_render() - Format all items
 * @out: output is appended here
 *
 * Return: 0, or -1 with @err set (a template execution error); nothing is
 * appended then.
 */
int husk_report_render (struct husk_report *r, struct husk_buf *out, husk_error_t *err);

/* husk_report_render, then write to out.  Return: 0 or -1.  */
int husk_report_finish (struct husk_report *r, FILE *out, husk_error_t *err);

/* True for a table format (header line and aligned columns).  */
bool husk_report_is_table (const struct husk_report *r);

/* True when format asks for the JSON array ("json", "{{json}}", ...),
   as Podman's report.IsJSON.  */
bool husk_report_is_json (const char *format);

void husk_report_free (struct husk_report *r);
DEFINE_CLEANUP (struct husk_report *, husk_report_free)

#endif
