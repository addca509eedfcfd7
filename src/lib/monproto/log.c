/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Container log files: the records husk-monitor writes and the reader behind
 * `husk logs`.  Two formats, one record per line:
 *
 *   k8s-file   "<RFC3339Nano> <stdout|stderr> <F|P> <text>\n" (the CRI log
 *              format: F ends a line, P is a piece of a line that goes on in
 *              the next record)
 *   json-file  {"log":"<text>","stream":"stdout","time":"<RFC3339Nano>"}
 *              (Docker's; a record whose text does not end in "\n" is a
 *              piece of a line)
 *
 * The writer never buffers a partial line: what the container wrote is on
 * disk as soon as it was read, which keeps the monitor small and `logs -f`
 * prompt.  JSON text is valid UTF-8 (invalid bytes become U+FFFD, as Go's
 * encoder does), so jansson can read every record back.
 */
#include "monproto/monproto.h"
#include "util/cleanup.h"
#include "util/strutil.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* --- Writing -------------------------------------------------------------- */

/* Length of the valid UTF-8 sequence at s (1..4), or 0 when invalid.  */
static size_t
utf8_seq (const unsigned char *s, size_t len)
{
  unsigned char c = s[0];
  size_t n;
  unsigned char lo = 0x80, hi = 0xbf;

  if (c < 0x80)
    return 1;
  if (c >= 0xc2 && c <= 0xdf)
    n = 2;
  else if (c >= 0xe0 && c <= 0xef)
    {
      n = 3;
      if (c == 0xe0)
        lo = 0xa0;
      else if (c == 0xed)
        hi = 0x9f;
    }
  else if (c >= 0xf0 && c <= 0xf4)
    {
      n = 4;
      if (c == 0xf0)
        lo = 0x90;
      else if (c == 0xf4)
        hi = 0x8f;
    }
  else
    return 0;
  if (len < n || s[1] < lo || s[1] > hi)
    return 0;
  for (size_t i = 2; i < n; i++)
    if (s[i] < 0x80 || s[i] > 0xbf)
      return 0;
  return n;
}

static void
json_escape (struct husk_buf *out, const char *data, size_t len)
{
  const unsigned char *s = (const unsigned char *) data;
  size_t i = 0;

  while (i < len)
    {
      size_t n = utf8_seq (s + i, len - i);

      if (n == 0)
        {
          husk_buf_puts (out, "\\ufffd");
          i++;
          continue;
        }
      if (n > 1)
        husk_buf_append (out, s + i, n);
      else if (s[i] == '"' || s[i] == '\\')
        {
          husk_buf_putc (out, '\\');
          husk_buf_putc (out, s[i]);
        }
      else if (s[i] == '\n')
        husk_buf_puts (out, "\\n");
      else if (s[i] == '\r')
        husk_buf_puts (out, "\\r");
      else if (s[i] == '\t')
        husk_buf_puts (out, "\\t");
      else if (s[i] < 0x20)
        husk_buf_printf (out, "\\u%04x", s[i]);
      else
        husk_buf_putc (out, s[i]);
      i += n;
    }
}

static void
format_record (struct husk_buf *out, enum husk_log_driver driver,
               const char *stream, const char *ts, const char *data,
               size_t len, bool partial)
{
  if (driver == HUSK_LOG_DRIVER_K8S_FILE)
    {
      husk_buf_printf (out, "%s %s %c ", ts, stream, partial ? 'P' : 'F');
      /* The text of a full line is followed by its newline.  */
      husk_buf_append (out, data, partial ? len : len - 1);
      husk_buf_putc (out, '\n');
      return;
    }
  husk_buf_puts (out, "{\"log\":\"");
  json_escape (out, data, len);
  husk_buf_printf (out, "\",\"stream\":\"%s\",\"time\":\"%s\"}\n", stream, ts);
}

void
husk_log_format (struct husk_buf *out, enum husk_log_driver driver,
                 int stream, int64_t ts_ns, const char *data, size_t len)
{
  const char *name = stream == 2 ? "stderr" : "stdout";
  char ts[HUSK_TIMESTAMP_LEN];

  if (driver != HUSK_LOG_DRIVER_K8S_FILE && driver != HUSK_LOG_DRIVER_JSON_FILE)
    return;
  husk_timestamp_format (ts, ts_ns);
  while (len > 0)
    {
      const char *nl = memchr (data, '\n', len);
      size_t n = nl ? (size_t) (nl - data) + 1 : len;

      format_record (out, driver, name, ts, data, n, nl == NULL);
      data += n;
      len -= n;
    }
}

/* --- Reading -------------------------------------------------------------- */

struct record
{
  const char *stream;
  int64_t ts;
  const char *data;
  size_t len;
  bool partial;
};

/* Parse "TS STREAM F|P TEXT\n" in place.  Return: 0, or -1 when malformed. */
static int
parse_k8s (char *line, size_t len, struct record *r)
{
  char *sp1 = memchr (line, ' ', len), *sp2, *end = line + len;

  if (sp1 == NULL)
    return -1;
  r->ts = husk_timestamp_parse (line, sp1 - line);
  sp2 = memchr (sp1 + 1, ' ', end - sp1 - 1);
  if (r->ts < 0 || sp2 == NULL || sp2 + 2 > end)
    return -1;
  *sp2 = '\0';
  r->stream = sp1 + 1;
  if (strcmp (r->stream, "stdout") != 0 && strcmp (r->stream, "stderr") != 0)
    return -1;
  if (sp2[1] != 'F' && sp2[1] != 'P')
    return -1;
  r->partial = sp2[1] == 'P';
  r->data = sp2 + 2;
  if (r->data < end && *r->data == ' ')
    r->data++;
  /* The line ends with '\n'; a full record keeps it as its newline.  */
  r->len = end - r->data;
  if (r->partial && r->len > 0)
    r->len--;
  return 0;
}

static int
parse_json (const char *line, size_t len, json_t **holder, struct record *r)
{
  json_t *j = json_loadb (line, len, JSON_ALLOW_NUL | JSON_DISABLE_EOF_CHECK,
                          NULL);
  json_t *log, *time;
  const char *stream;

  if (j == NULL)
    return -1;
  *holder = j;
  log = json_object_get (j, "log");
  time = json_object_get (j, "time");
  stream = json_string_value (json_object_get (j, "stream"));
  if (!json_is_string (log) || !json_is_string (time) || stream == NULL)
    return -1;
  r->ts = husk_timestamp_parse (json_string_value (time),
                                json_string_length (time));
  if (r->ts < 0)
    return -1;
  r->stream = strcmp (stream, "stderr") == 0 ? "stderr" : "stdout";
  r->data = json_string_value (log);
  r->len = json_string_length (log);
  r->partial = r->len == 0 || r->data[r->len - 1] != '\n';
  return 0;
}

struct reader
{
  const char *path;
  enum husk_log_driver driver;
  const struct husk_log_filter *f;
  husk_log_cb cb;
  void *ctx;
  int fd;
  off_t offset; /* bytes consumed: up to the end of the last full line */
  struct husk_buf pending;
  /* Line counting for --tail: lines are counted by the records that pass
     the time filter; a line ends with a record that is not partial.  */
  long line;
  long skip;
  bool in_partial;
  bool counting;
};

static bool
passes_time (const struct husk_log_filter *f, int64_t ts)
{
  if (f == NULL)
    return true;
  if (f->since_ns > 0 && ts < f->since_ns)
    return false;
  if (f->until_ns > 0 && ts > f->until_ns)
    return false;
  return true;
}

static void
handle_line (struct reader *rd, char *line, size_t len)
{
  cleanup_json json_t *holder = NULL;
  struct record r;
  int rc;

  if (rd->driver == HUSK_LOG_DRIVER_K8S_FILE)
    rc = parse_k8s (line, len, &r);
  else
    rc = parse_json (line, len, &holder, &r);
  if (rc < 0 || !passes_time (rd->f, r.ts))
    return;
  if (!rd->counting && rd->line >= rd->skip)
    rd->cb (rd->ctx, r.stream, r.ts, r.data, r.len, r.partial);
  rd->in_partial = r.partial;
  if (!r.partial)
    rd->line++;
}

/* Read what the file has past rd->offset and hand over its full lines.
   Return: 0, or -1 on a read error.  */
static int
drain (struct reader *rd, husk_error_t *err)
{
  cleanup_free char *chunk = husk_xmalloc (65536);
  ssize_t n;

  for (;;)
    {
      size_t start = 0;
      char *nl;

      n = pread (rd->fd, chunk, 65536, rd->offset + rd->pending.len);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        return husk_error_make (err, errno, "read '%s'", rd->path);
      if (n == 0)
        return 0;
      husk_buf_append (&rd->pending, chunk, n);
      while ((nl = memchr (rd->pending.data + start, '\n',
                           rd->pending.len - start)) != NULL)
        {
          size_t len = nl - (rd->pending.data + start) + 1;
          handle_line (rd, rd->pending.data + start, len);
          start += len;
        }
      rd->offset += start;
      memmove (rd->pending.data, rd->pending.data + start,
               rd->pending.len - start);
      rd->pending.len -= start;
      rd->pending.data[rd->pending.len] = '\0';
    }
}

static int64_t
now_ns (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_REALTIME, &ts);
  return (int64_t) ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Following ends when the container is gone, or at --until: nothing
   written later could be shown.  */
static bool
follow_done (const struct husk_log_filter *f, void *ctx)
{
  if (f->until_ns > 0 && now_ns () >= f->until_ns)
    return true;
  if (f->running && !f->running (ctx))
    return true;
  return f->exit_file && access (f->exit_file, F_OK) == 0;
}

/* Sleep ns, but wake at --until rather than after it.  */
static void
sleep_ns (const struct husk_log_filter *f, int64_t ns)
{
  struct timespec ts;

  if (f->until_ns > 0 && f->until_ns - now_ns () < ns)
    ns = f->until_ns - now_ns ();
  if (ns <= 0)
    return;
  ts = (struct timespec){ ns / 1000000000, ns % 1000000000 };

  while (nanosleep (&ts, &ts) < 0 && errno == EINTR)
    ;
}

/* Start over on a new file: the log was rotated or truncated.  */
static void
reopen (struct reader *rd)
{
  int fd = open (rd->path, O_RDONLY | O_CLOEXEC);

  if (fd < 0)
    return;
  close (rd->fd);
  rd->fd = fd;
  rd->offset = 0;
  rd->pending.len = 0;
}

static int
follow (struct reader *rd, husk_error_t *err)
{
  const struct husk_log_filter *f = rd->f;
  int64_t poll = f->poll_ns > 0 ? f->poll_ns : 200000000;

  for (;;)
    {
      struct stat now, cur;
      bool done = follow_done (f, rd->ctx);

      if (drain (rd, err) < 0)
        return -1;
      if (done)
        return 0;
      sleep_ns (f, poll);
      if (fstat (rd->fd, &cur) == 0 && stat (rd->path, &now) == 0
          && (now.st_ino != cur.st_ino || now.st_dev != cur.st_dev
              || cur.st_size < rd->offset))
        {
          if (drain (rd, err) < 0)
            return -1;
          reopen (rd);
        }
    }
}

static int
open_log (struct reader *rd, husk_error_t *err)
{
  const struct husk_log_filter *f = rd->f;
  bool following = f && f->follow && (f->running || f->exit_file);

  for (;;)
    {
      rd->fd = open (rd->path, O_RDONLY | O_CLOEXEC);
      if (rd->fd >= 0)
        return 1;
      if (errno != ENOENT)
        return husk_error_make (err, errno, "open '%s'", rd->path);
      /* No log yet: nothing to show, or wait for it while following.  */
      if (!following || follow_done (f, rd->ctx))
        return 0;
      sleep_ns (f, f->poll_ns > 0 ? f->poll_ns : 200000000);
    }
}

int
husk_log_read (const char *path, const char *driver,
               const struct husk_log_filter *f, husk_log_cb cb, void *ctx,
               husk_error_t *err)
{
  struct reader rd = { .path = path, .f = f, .cb = cb, .ctx = ctx, .fd = -1 };
  int rc;

  rd.driver = husk_log_driver_parse (driver);
  if (rd.driver != HUSK_LOG_DRIVER_K8S_FILE
      && rd.driver != HUSK_LOG_DRIVER_JSON_FILE)
    return husk_error_makex (err, EINVAL,
                             "the '%s' log driver keeps no log to read",
                             driver);
  rc = open_log (&rd, err);
  if (rc <= 0)
    return rc;
  rc = 0;
  if (f && f->tail >= 0)
    {
      /* First pass: count the lines, to skip all but the last f->tail.  */
      rd.counting = true;
      rc = drain (&rd, err);
      rd.skip = rd.line + (rd.in_partial ? 1 : 0) - f->tail;
      rd.counting = false;
      rd.line = 0;
      rd.in_partial = false;
      rd.offset = 0;
      rd.pending.len = 0;
    }
  if (rc == 0)
    rc = drain (&rd, err);
  if (rc == 0 && f && f->follow && (f->running || f->exit_file))
    rc = follow (&rd, err);
  close (rd.fd);
  husk_buf_release (&rd.pending);
  return rc;
}

char *
husk_utf8_sanitize (const char *s, size_t len, size_t *out_len)
{
  const unsigned char *u = (const unsigned char *) s;
  struct husk_buf b = HUSK_BUF_INIT;
  size_t i = 0;

  husk_buf_append (&b, "", 0);
  while (i < len)
    {
      size_t n = utf8_seq (u + i, len - i);

      if (n == 0)
        {
          husk_buf_append (&b, "\xef\xbf\xbd", 3);
          i++;
          continue;
        }
      husk_buf_append (&b, u + i, n);
      i += n;
    }
  *out_len = b.len;
  return husk_buf_steal (&b);
}
