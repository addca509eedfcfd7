/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What husk and `husk-monitor --exec` agree on for an exec session: the
 * session's configuration (the GO frame), the runtime command line built
 * from it, a queue of frames that never blocks either end, and the parsing
 * of the small frames (sizes, signals, pids, codes).  Compiled into both,
 * so it depends on util/, runtime/driver.c and jansson only.
 */
#include "monproto/monproto.h"
#include "util/cleanup.h"
#include "util/strutil.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

/* --- The session's configuration ------------------------------------------ */

json_t *
husk_exec_config_to_json (const struct husk_exec_config *c)
{
  json_t *j = json_pack ("{s:s, s:s, s:s, s:b, s:b, s:b, s:i, s:i}", "ctr_id", c->ctr_id,
                         "dir", c->dir, "runtime", c->runtime, "terminal", c->terminal,
                         "stdin", c->stdin_open, "detach", c->detach, "preserve_fds",
                         c->preserve_fds, "log_level", c->log_level);
  json_t *args = json_array ();

  if (c->runtime_root)
    json_object_set_new (j, "runtime_root", json_string (c->runtime_root));
  if (c->runtime_log)
    json_object_set_new (j, "runtime_log", json_string (c->runtime_log));
  for (const char *const *a = c->runtime_args; a && *a; a++)
    json_array_append_new (args, json_string (*a));
  json_object_set_new (j, "runtime_args", args);
  return j;
}

static const char *
str (json_t *j, const char *key)
{
  return json_string_value (json_object_get (j, key));
}

int
husk_exec_config_parse (const char *text, size_t len, struct husk_exec_config *c,
                        json_t **json, husk_error_t *err)
{
  json_error_t je;
  json_t *j = json_loadb (text, len, 0, &je), *args, *a;
  size_t i, n = 0;

  memset (c, 0, sizeof *c);
  *json = j;
  if (!json_is_object (j))
    return husk_error_makex (err, EINVAL, "exec session: %s", j ? "not an object" : je.text);
  c->ctr_id = str (j, "ctr_id");
  c->dir = str (j, "dir");
  c->runtime = str (j, "runtime");
  c->runtime_root = str (j, "runtime_root");
  c->runtime_log = str (j, "runtime_log");
  c->terminal = json_is_true (json_object_get (j, "terminal"));
  c->stdin_open = json_is_true (json_object_get (j, "stdin"));
  c->detach = json_is_true (json_object_get (j, "detach"));
  c->preserve_fds = (int) json_integer_value (json_object_get (j, "preserve_fds"));
  c->log_level = (int) json_integer_value (json_object_get (j, "log_level"));
  args = json_object_get (j, "runtime_args");
  c->args_vec = husk_xzalloc ((json_array_size (args) + 1) * sizeof (char *));
  json_array_foreach (args, i, a)
    if (json_is_string (a))
      c->args_vec[n++] = json_string_value (a);
  c->runtime_args = c->args_vec;
  if (c->ctr_id == NULL || c->dir == NULL || c->runtime == NULL || c->runtime[0] != '/')
    return husk_error_makex (err, EINVAL, "exec session: ctr_id, dir and an absolute "
                             "runtime are required");
  if (json_integer_value (json_object_get (j, "preserve_fds")) < 0
      || json_integer_value (json_object_get (j, "preserve_fds")) > HUSK_PRESERVE_FDS_MAX)
    return husk_error_makex (err, EINVAL, "exec session: preserve_fds out of range");
  return 0;
}

void
husk_exec_config_release (struct husk_exec_config *c)
{
  free (c->args_vec);
  c->args_vec = NULL;
  c->runtime_args = NULL;
}

char **
husk_exec_config_argv (const struct husk_exec_config *c, const char *console)
{
  cleanup (husk_runtime_free) struct husk_runtime *rt = husk_runtime_new_path (c->runtime);
  cleanup_free char *proc = husk_asprintf ("%s/%s", c->dir, HUSK_EXEC_PROCESS);
  cleanup_free char *pid = husk_asprintf ("%s/%s", c->dir, HUSK_EXEC_PIDFILE);

  rt->root = c->runtime_root ? husk_xstrdup (c->runtime_root) : NULL;
  husk_strv_free (rt->args);
  rt->args = c->runtime_args ? husk_strv_dup ((char *const *) c->runtime_args) : NULL;
  husk_runtime_set_log (rt, c->runtime_log);
  /* Always --detach: the runtime leaves once the process runs, and the
     process, orphaned, comes to the monitor (a subreaper) to be waited
     for; runc would otherwise proxy a terminal itself.  */
  return husk_runtime_argv_exec (rt, c->ctr_id, proc, pid, console, true, c->preserve_fds);
}

/* --- Frame queue ---------------------------------------------------------- */

void
husk_frame_queue_push (struct husk_frame_queue *q, int type, const void *data, size_t len)
{
  do
    {
      size_t n = len > HUSK_ATTACH_FRAME_MAX ? HUSK_ATTACH_FRAME_MAX : len;
      uint32_t flen = (uint32_t) n + 1;
      char t = (char) type;

      husk_buf_append (&q->b, &flen, sizeof flen);
      husk_buf_append (&q->b, &t, 1);
      husk_buf_append (&q->b, data, n);
      data = (const char *) data + n;
      len -= n;
    }
  while (len > 0);
}

int
husk_frame_queue_flush (struct husk_frame_queue *q, int sock)
{
  while (q->off < q->b.len)
    {
      uint32_t flen;
      ssize_t r;

      memcpy (&flen, q->b.data + q->off, sizeof flen);
      r = send (sock, q->b.data + q->off + sizeof flen, flen, MSG_NOSIGNAL | MSG_DONTWAIT);
      if (r < 0 && errno == EINTR)
        continue;
      if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
        break;
      if (r < 0)
        return -1;
      q->off += sizeof flen + flen;
    }
  if (q->off == q->b.len)
    q->off = q->b.len = 0;
  else if (q->off > 65536)
    {
      memmove (q->b.data, q->b.data + q->off, q->b.len - q->off);
      q->b.len -= q->off;
      q->off = 0;
    }
  return 0;
}

size_t
husk_frame_queue_pending (const struct husk_frame_queue *q)
{
  return q->b.len - q->off;
}

void
husk_frame_queue_release (struct husk_frame_queue *q)
{
  husk_buf_release (&q->b);
  q->off = 0;
}

/* --- Small frames --------------------------------------------------------- */

int
husk_frame_parse_long (const char *data, size_t len, long min, long max, long *out)
{
  char buf[32], *end;
  long v;

  if (len == 0 || len >= sizeof buf)
    return -1;
  memcpy (buf, data, len);
  buf[len] = '\0';
  errno = 0;
  v = strtol (buf, &end, 10);
  while (*end == ' ' || *end == '\n')
    end++;
  if (errno != 0 || end == buf || *end != '\0' || v < min || v > max)
    return -1;
  *out = v;
  return 0;
}

int
husk_frame_parse_size (const char *data, size_t len, unsigned short *rows,
                       unsigned short *cols)
{
  const char *sp = memchr (data, ' ', len);
  long r, c;

  if (sp == NULL || husk_frame_parse_long (data, sp - data, 1, 65535, &r) < 0
      || husk_frame_parse_long (sp + 1, len - (sp + 1 - data), 1, 65535, &c) < 0)
    return -1;
  *rows = (unsigned short) r;
  *cols = (unsigned short) c;
  return 0;
}
