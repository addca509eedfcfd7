/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Go's text/tabwriter: aligns tab-separated cells into columns the way
 * Podman's and Docker's `table` output does (Podman uses minwidth 12,
 * tabwidth 2, padding 2, padchar ' ', StripEscape).
 *
 * Text is split into cells at '\t' (and '\v'), lines at '\n' (and '\f').
 * The cells of one column in a block of consecutive lines that all have
 * that column are padded to the widest cell plus padding, at least
 * minwidth; the last cell of a line is not part of any column and is never
 * padded.  Widths count runes.  Text between two 0xff bytes is escaped:
 * taken as one piece, and with HUSK_TABWRITER_STRIP_ESCAPE the 0xff bytes
 * are dropped.
 */
#ifndef HUSK_FORMAT_TABWRITER_H
#define HUSK_FORMAT_TABWRITER_H

#include <stddef.h>

#include "util/cleanup.h"
#include "util/strutil.h"

/* Go's flag values.  */
enum
{
  HUSK_TABWRITER_STRIP_ESCAPE = 1 << 1,
  HUSK_TABWRITER_ALIGN_RIGHT = 1 << 2,
  HUSK_TABWRITER_DISCARD_EMPTY_COLUMNS = 1 << 3,
  HUSK_TABWRITER_TAB_INDENT = 1 << 4,
  HUSK_TABWRITER_DEBUG = 1 << 5,
};

struct husk_tabwriter;

/* tabwriter.NewWriter.  With padchar '\t', cells are padded with tabs of
   tabwidth columns and always aligned left.  */
struct husk_tabwriter *husk_tabwriter_new (int minwidth, int tabwidth, int padding, char padchar,
                                           unsigned flags);

/* Buffer more text.  */
void husk_tabwriter_write (struct husk_tabwriter *tw, const char *data, size_t len);

/* Format everything buffered so far into out and start afresh.  A last
   line without a newline is written without one.  */
void husk_tabwriter_flush (struct husk_tabwriter *tw, struct husk_buf *out);

void husk_tabwriter_free (struct husk_tabwriter *tw);
DEFINE_CLEANUP (struct husk_tabwriter *, husk_tabwriter_free)

#endif
