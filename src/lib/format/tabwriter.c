/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Go's text/tabwriter algorithm, from its documentation and checked
 * against Go's output.
 *
 * Theory of operation: written text is cut into cells (their bytes go to
 * one buffer, each cell keeps its offset, size and width in runes) and
 * lines of cells.  Flushing formats column by column, recursively: at
 * column c, each maximal block of consecutive lines that have a cell c
 * which is not their last cell gets one width (the widest cell plus
 * padding, at least minwidth), pushed on a stack while the columns to the
 * right are formatted for the lines of that block; lines are written
 * once every width to their left is known.  Go flushes early at lines of
 * one cell; that gives the same output as formatting everything at the
 * end, which is what this does.  Recursion depth is the number of columns,
 * capped at MAX_COLUMNS for hostile input (cells past it are not padded).
 */
#include "format/tabwriter.h"
#include "format/gofmt.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define MAX_COLUMNS 1000
#define ESCAPE '\xff'

struct cell
{
  size_t off, size; /* bytes in tw->text */
  size_t width;     /* runes */
  bool htab;        /* terminated by '\t' (not '\v') */
};

struct line
{
  struct cell *cells;
  size_t n, cap;
};

struct husk_tabwriter
{
  int minwidth, tabwidth, padding;
  char padchar;
  unsigned flags;
  struct husk_buf text;
  struct line *lines;
  size_t n_lines, cap_lines;
  struct cell cur;
  bool in_escape;
  int *widths;
  size_t n_widths;
  struct husk_buf *out; /* during flush */
};

struct husk_tabwriter *
husk_tabwriter_new (int minwidth, int tabwidth, int padding, char padchar, unsigned flags)
{
  struct husk_tabwriter *tw = husk_xzalloc (sizeof (*tw));

  tw->minwidth = minwidth;
  tw->tabwidth = tabwidth;
  tw->padding = padding;
  tw->padchar = padchar;
  tw->flags = flags;
  if (padchar == '\t')
    tw->flags &= ~(unsigned) HUSK_TABWRITER_ALIGN_RIGHT;
  tw->widths = husk_xmalloc ((MAX_COLUMNS + 1) * sizeof (int));
  return tw;
}

static void
add_line (struct husk_tabwriter *tw)
{
  if (tw->n_lines == tw->cap_lines)
    {
      tw->cap_lines = tw->cap_lines ? tw->cap_lines * 2 : 16;
      tw->lines = husk_xrealloc (tw->lines, tw->cap_lines * sizeof (*tw->lines));
    }
  tw->lines[tw->n_lines++] = (struct line) { NULL, 0, 0 };
}

/* End the current cell.  Return: the number of cells in its line.  */
static size_t
terminate_cell (struct husk_tabwriter *tw, bool htab)
{
  struct line *l;

  if (tw->n_lines == 0)
    add_line (tw);
  l = &tw->lines[tw->n_lines - 1];
  if (l->n == l->cap)
    {
      l->cap = l->cap ? l->cap * 2 : 8;
      l->cells = husk_xrealloc (l->cells, l->cap * sizeof (*l->cells));
    }
  tw->cur.htab = htab;
  l->cells[l->n++] = tw->cur;
  tw->cur = (struct cell) { tw->text.len, 0, 0, false };
  return l->n;
}

/* Append text to the current cell.  */
static void
append_text (struct husk_tabwriter *tw, const char *s, size_t len)
{
  husk_buf_append (&tw->text, s, len);
  tw->cur.size += len;
  tw->cur.width += husk_gofmt_rune_count (s, len);
}

void
husk_tabwriter_write (struct husk_tabwriter *tw, const char *data, size_t len)
{
  size_t n = 0;
  bool strip = tw->flags & HUSK_TABWRITER_STRIP_ESCAPE;

  if (tw->n_lines == 0)
    add_line (tw);
  for (size_t i = 0; i < len; i++)
    {
      char c = data[i];
      if (tw->in_escape)
        {
          if (c != ESCAPE)
            continue;
          append_text (tw, data + n, i - n);
          if (!strip)
            {
              husk_buf_putc (&tw->text, ESCAPE);
              tw->cur.size++;
            }
          n = i + 1;
          tw->in_escape = false;
          continue;
        }
      if (c == '\t' || c == '\v' || c == '\n' || c == '\f')
        {
          append_text (tw, data + n, i - n);
          n = i + 1;
          terminate_cell (tw, c == '\t');
          if (c == '\n' || c == '\f')
            add_line (tw);
        }
      else if (c == ESCAPE)
        {
          append_text (tw, data + n, i - n);
          n = i + 1;
          if (!strip)
            {
              husk_buf_putc (&tw->text, ESCAPE);
              tw->cur.size++;
            }
          tw->in_escape = true;
        }
    }
  append_text (tw, data + n, len - n);
}

static void
put_n (struct husk_buf *b, char c, long n)
{
  for (long i = 0; i < n; i++)
    husk_buf_putc (b, c);
}

static void
write_padding (struct husk_tabwriter *tw, size_t textw, int cellw, bool use_tabs)
{
  if (tw->padchar == '\t' || use_tabs)
    {
      long n;
      if (tw->tabwidth == 0)
        return;
      cellw = (cellw + tw->tabwidth - 1) / tw->tabwidth * tw->tabwidth;
      n = (long) cellw - (long) textw;
      put_n (tw->out, '\t', (n + tw->tabwidth - 1) / tw->tabwidth);
      return;
    }
  put_n (tw->out, tw->padchar, (long) cellw - (long) textw);
}

static void
write_lines (struct husk_tabwriter *tw, size_t line0, size_t line1)
{
  for (size_t i = line0; i < line1; i++)
    {
      const struct line *l = &tw->lines[i];
      bool use_tabs = tw->flags & HUSK_TABWRITER_TAB_INDENT;

      for (size_t j = 0; j < l->n; j++)
        {
          const struct cell *c = &l->cells[j];
          bool padded = j < tw->n_widths;
          if (j > 0 && (tw->flags & HUSK_TABWRITER_DEBUG))
            husk_buf_putc (tw->out, '|');
          if (c->size == 0)
            {
              if (padded)
                write_padding (tw, c->width, tw->widths[j], use_tabs);
              continue;
            }
          use_tabs = false;
          if (padded && (tw->flags & HUSK_TABWRITER_ALIGN_RIGHT))
            write_padding (tw, c->width, tw->widths[j], false);
          husk_buf_append (tw->out, tw->text.data + c->off, c->size);
          if (padded && !(tw->flags & HUSK_TABWRITER_ALIGN_RIGHT))
            write_padding (tw, c->width, tw->widths[j], false);
        }
      if (i + 1 < tw->n_lines)
        husk_buf_putc (tw->out, '\n');
    }
}

static void
format (struct husk_tabwriter *tw, size_t line0, size_t line1)
{
  size_t column = tw->n_widths;

  for (size_t this = line0; this < line1; this++)
    {
      int width = tw->minwidth;
      bool discardable = true;

      if (column + 1 >= tw->lines[this].n || column >= MAX_COLUMNS)
        continue;
      write_lines (tw, line0, this);
      line0 = this;
      for (; this < line1; this++)
        {
          const struct cell *c;
          if (column + 1 >= tw->lines[this].n)
            break;
          c = &tw->lines[this].cells[column];
          if ((int) c->width + tw->padding > width)
            width = (int) c->width + tw->padding;
          if (c->width > 0 || c->htab)
            discardable = false;
        }
      if (discardable && (tw->flags & HUSK_TABWRITER_DISCARD_EMPTY_COLUMNS))
        width = 0;
      tw->widths[tw->n_widths++] = width;
      format (tw, line0, this);
      tw->n_widths--;
      line0 = this;
      if (this >= line1)
        break;
    }
  write_lines (tw, line0, line1);
}

static void
reset (struct husk_tabwriter *tw)
{
  for (size_t i = 0; i < tw->n_lines; i++)
    free (tw->lines[i].cells);
  tw->n_lines = 0;
  husk_buf_release (&tw->text);
  tw->cur = (struct cell) { 0, 0, 0, false };
  tw->in_escape = false;
  tw->n_widths = 0;
}

void
husk_tabwriter_flush (struct husk_tabwriter *tw, struct husk_buf *out)
{
  if (tw->cur.size > 0)
    terminate_cell (tw, false);
  tw->out = out;
  husk_buf_append (out, "", 0);
  if (tw->n_lines > 0)
    format (tw, 0, tw->n_lines);
  tw->out = NULL;
  reset (tw);
}

void
husk_tabwriter_free (struct husk_tabwriter *tw)
{
  if (tw == NULL)
    return;
  reset (tw);
  free (tw->lines);
  free (tw->widths);
  free (tw);
}
