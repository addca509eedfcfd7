/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * exec, the caller's side of a running session: relaying between the
 * caller's stdio and the session's monitor over attach frames (see exec.c
 * for the theory, src/monitor/exec.c for the other side), with the detach
 * keys and the caller's terminal in raw mode for -t, and the signals the
 * caller passes on.  Nothing here waits for a child or touches the signal
 * mask: a signal reaches us as a byte on o->signal_fd.
 */
#include "container/exec-private.h"
#include "container/monitor.h"
#include "monproto/monproto.h"
#include "util/cleanup.h"
#include "util/fileutil.h"
#include "util/strutil.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <termios.h>
#include <unistd.h>

#define IN_QUEUE_MAX 65536 /* stdin bytes queued before we stop reading it */
#define RELAY_DETACHED (-2)
#define RELAY_GO_ON (-3)
#define RELAY_EMPTY (-4)

/* "ctrl-p,ctrl-q" -> bytes.  Return: the count, or -1 when invalid.  */
static int
parse_keys (const char *spec, unsigned char *keys, size_t max)
{
  cleanup_strv char **parts = NULL;
  size_t n = 0;

  if (spec == NULL)
    spec = DEFAULT_DETACH_KEYS;
  if (*spec == '\0')
    return 0;
  parts = husk_strv_split (spec, ',');
  for (char **p = parts; *p; p++)
    {
      const char *k = *p;
      if (n >= max)
        return -1;
      if (strlen (k) == 1)
        keys[n++] = (unsigned char) k[0];
      else if (strncasecmp (k, "ctrl-", 5) == 0 && strlen (k) == 6)
        {
          char c = k[5];
          if (c >= 'a' && c <= 'z')
            keys[n++] = (unsigned char) (c - 'a' + 1);
          else if (c >= 'A' && c <= 'Z')
            keys[n++] = (unsigned char) (c - 'A' + 1);
          else if (strchr ("@[\\]^_", c))
            keys[n++] = (unsigned char) (c == '@' ? 0 : c - '[' + 27);
          else
            return -1;
        }
      else
        return -1;
    }
  return (int) n;
}

struct relay
{
  struct husk_exec_session *s;
  int sock, in_fd, out_fd, err_fd, sig_fd;
  bool in_open;
  bool out_gone, err_gone; /* the caller's output is a broken pipe */
  bool tty;
  struct husk_frame_queue q;
  unsigned char keys[16];
  int nkeys, matched;
  char *error;        /* ERROR: the runtime's message ("" when none) */
  int error_status;   /* ... and its exit status */
};

/* Input through the detach-key matcher (with -t) to STDIN frames.
   Return: true when the keys were typed.  */
static bool
forward_input (struct relay *p, const unsigned char *in, size_t len)
{
  struct husk_buf out = HUSK_BUF_INIT;
  bool detached = false;

  for (size_t i = 0; i < len && !detached; i++)
    {
      if (p->nkeys > 0 && in[i] == p->keys[p->matched])
        {
          detached = ++p->matched == p->nkeys;
          continue;
        }
      /* Not the sequence after all: let the held bytes through.  */
      husk_buf_append (&out, p->keys, p->matched);
      p->matched = 0;
      if (p->nkeys > 0 && in[i] == p->keys[0])
        p->matched = 1;
      else
        husk_buf_putc (&out, (char) in[i]);
    }
  if (out.len > 0)
    husk_frame_queue_push (&p->q, HUSK_ATTACH_STDIN, out.data, out.len);
  husk_buf_release (&out);
  return detached;
}

/* Return: true when the detach keys were typed.  */
static bool
handle_input (struct relay *p)
{
  unsigned char in[HUSK_ATTACH_FRAME_MAX];
  ssize_t n = read (p->in_fd, in, sizeof in);

  if (n < 0 && (errno == EINTR || errno == EAGAIN))
    return false;
  if (n <= 0)
    {
      /* End of input: the monitor closes the pipe, or with a terminal
         sends its end-of-file character.  */
      p->in_open = false;
      husk_frame_queue_push (&p->q, HUSK_ATTACH_CLOSE_STDIN, "", 0);
      return false;
    }
  if (p->tty)
    return forward_input (p, in, n);
  husk_frame_queue_push (&p->q, HUSK_ATTACH_STDIN, in, n);
  return false;
}

static void
send_size (struct relay *p)
{
  struct winsize ws;
  char text[32];

  if (husk_exec_term_size (p->in_open ? p->in_fd : -1, p->out_fd, &ws))
    {
      snprintf (text, sizeof text, "%u %u", ws.ws_row, ws.ws_col);
      husk_frame_queue_push (&p->q, HUSK_ATTACH_RESIZE, text, strlen (text));
    }
}

/* Signals the caller passes on: SIGWINCH is the terminal's new size, any
   other goes to the process.  */
static void
handle_signals (struct relay *p)
{
  unsigned char sigs[64];
  ssize_t n = read (p->sig_fd, sigs, sizeof sigs);

  for (ssize_t i = 0; i < n; i++)
    {
      char text[16];
      if (sigs[i] == SIGWINCH)
        {
          if (p->tty)
            send_size (p);
          continue;
        }
      snprintf (text, sizeof text, "%d", sigs[i]);
      husk_frame_queue_push (&p->q, HUSK_ATTACH_SIGNAL, text, strlen (text));
    }
}

/* Output for the caller.  A broken pipe ends the output: the monitor
   closes the process's pipes, so the process meets it too.  */
static void
write_output (struct relay *p, bool err, const char *data, size_t len)
{
  bool *gone = err ? &p->err_gone : &p->out_gone;
  int fd = err && p->err_fd >= 0 ? p->err_fd : p->out_fd;

  if (*gone || fd < 0 || len == 0 || husk_write_all (fd, data, len) == 0)
    return;
  *gone = true;
  if (errno == EPIPE && !err)
    husk_frame_queue_push (&p->q, HUSK_ATTACH_CLOSE_OUT, "", 0);
}

/* The connection ended without EXIT: the exit file may know.  */
static int
lost (struct relay *p, husk_error_t *err)
{
  struct husk_monitor_exit ex;

  if (husk_monitor_read_exit (p->s->dir, &ex, NULL) == 1)
    {
      husk_monitor_exit_release (&ex);
      return ex.exit_code;
    }
  return husk_error_makex (err, EIO, "lost the connection to the exec session's monitor");
}

/* The runtime's failure, as the monitor reported it.  */
static int
runtime_failed (struct relay *p, int code, husk_error_t *err)
{
  const char *what;

  *p->s->exit_code = code;
  if (p->error[0] == '\0')
    return husk_error_makex (err, EIO, "%s exec exited with status %d", p->s->rt->name,
                             p->error_status);
  *p->s->exit_code = husk_runtime_exit_code (p->error, &what);
  return husk_error_makex (err, EIO, "%s: %s: %s", p->s->rt->name, p->error, what);
}

/* One frame from the monitor.  Return: the exit code, RELAY_GO_ON,
   RELAY_EMPTY when there is none now, or -1.  */
static int
handle_frame (struct relay *p, husk_error_t *err)
{
  char buf[HUSK_ATTACH_FRAME_MAX + 2];
  ssize_t n = recv (p->sock, buf, sizeof buf - 1, MSG_DONTWAIT);
  long v = 0;

  if (n < 0 && (errno == EINTR || errno == EAGAIN))
    return RELAY_EMPTY;
  if (n < 0 && errno != ECONNRESET)
    return husk_error_make (err, errno, "receive from the exec session's monitor");
  if (n <= 0)
    return lost (p, err);
  buf[n] = '\0';
  switch (buf[0])
    {
    case HUSK_ATTACH_STDOUT:
    case HUSK_ATTACH_STDERR:
      write_output (p, buf[0] == HUSK_ATTACH_STDERR, buf + 1, n - 1);
      return RELAY_GO_ON;
    case HUSK_ATTACH_STARTED:
      /* -d: the process runs; nothing else to wait for.  */
      return p->s->o->detach ? 0 : RELAY_GO_ON;
    case HUSK_ATTACH_ERROR:
      {
        char *sp = strchr (buf + 1, ' ');
        husk_frame_parse_long (buf + 1, sp ? (size_t) (sp - buf - 1) : (size_t) n - 1, -1,
                               255, &v);
        p->error_status = (int) v;
        free (p->error);
        p->error = husk_xstrdup (sp ? sp + 1 : "");
        return RELAY_GO_ON;
      }
    case HUSK_ATTACH_EXIT:
      p->s->ended = true;
      if (husk_frame_parse_long (buf + 1, n - 1, 0, 255, &v) < 0)
        v = 125;
      if (p->error)
        return runtime_failed (p, (int) v, err);
      return (int) v;
    default:
      return RELAY_GO_ON;
    }
}

/* Relay until the monitor sends EXIT (or STARTED with -d) or the user
   detaches.  Return: the exit code, RELAY_DETACHED, or -1.  */
static int
relay_loop (struct relay *p, husk_error_t *err)
{
  for (;;)
    {
      struct pollfd pf[3] = { { p->sock, POLLIN, 0 } };
      size_t queued = husk_frame_queue_pending (&p->q);
      int n = 1, in = -1, sig = -1, rc;

      if (queued > 0)
        pf[0].events |= POLLOUT;
      if (p->in_open && queued < IN_QUEUE_MAX)
        pf[in = n++] = (struct pollfd){ p->in_fd, POLLIN, 0 };
      if (p->sig_fd > 2)
        pf[sig = n++] = (struct pollfd){ p->sig_fd, POLLIN, 0 };
      if (poll (pf, n, -1) < 0)
        {
          if (errno == EINTR)
            continue;
          return husk_error_make (err, errno, "poll");
        }
      if (sig >= 0 && (pf[sig].revents & POLLIN))
        handle_signals (p);
      for (int i = 0; i < 16 && (pf[0].revents & (POLLIN | POLLHUP | POLLERR)); i++)
        if ((rc = handle_frame (p, err)) == RELAY_EMPTY)
          break;
        else if (rc != RELAY_GO_ON)
          return rc;
      if (in >= 0 && (pf[in].revents & (POLLIN | POLLHUP | POLLERR | POLLNVAL))
          && handle_input (p))
        {
          husk_frame_queue_flush (&p->q, p->sock);
          return RELAY_DETACHED;
        }
      if (husk_frame_queue_flush (&p->q, p->sock) < 0 && errno != EPIPE
          && errno != ECONNRESET)
        return husk_error_make (err, errno, "send to the exec session's monitor");
    }
}

int
husk_exec_relay (struct husk_exec_session *s, husk_error_t *err)
{
  const struct husk_exec_opts *o = s->o;
  struct relay p = { .s = s, .sock = s->sock, .in_fd = o->in_fd, .out_fd = o->out_fd,
                     .err_fd = o->err_fd, .sig_fd = o->detach ? -1 : o->signal_fd,
                     .tty = o->tty, .in_open = !o->detach && o->interactive && o->in_fd >= 0 };
  struct termios saved, raw;
  bool restore = false;
  int tfd = -1, rc;

  p.nkeys = o->tty ? parse_keys (o->detach_keys, p.keys, sizeof p.keys) : 0;
  if (o->tty && !o->detach)
    {
      /* The container's terminal does the line discipline: ours passes
         bytes through (raw with input; without, only its output
         processing off, so ^C still reaches us).  */
      tfd = p.in_open && isatty (p.in_fd) ? p.in_fd : isatty (p.out_fd) ? p.out_fd : -1;
      if (tfd >= 0 && tcgetattr (tfd, &saved) == 0)
        {
          raw = saved;
          if (tfd == p.in_fd)
            cfmakeraw (&raw);
          else
            raw.c_oflag &= ~OPOST;
          restore = tcsetattr (tfd, TCSANOW, &raw) == 0;
        }
      send_size (&p);
    }
  rc = relay_loop (&p, err);
  if (restore)
    tcsetattr (tfd, TCSANOW, &saved);
  husk_frame_queue_release (&p.q);
  free (p.error);
  if (rc == RELAY_DETACHED)
    {
      s->detached = true;
      rc = 0;
    }
  if (rc < 0)
    return -1;
  *s->exit_code = rc;
  return 0;
}

int
husk_exec_check_keys (const struct husk_exec_opts *o, husk_error_t *err)
{
  unsigned char keys[16];

  if (o->tty && parse_keys (o->detach_keys, keys, sizeof keys) < 0)
    return husk_error_makex (err, EINVAL, "invalid detach keys '%s'", o->detach_keys);
  return 0;
}
