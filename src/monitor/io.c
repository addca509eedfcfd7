/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * husk-monitor: the container's stdio, its log and the sockets clients use.
 *
 * Output read from the container (MON_FRAME_MAX bytes at a time) goes to the
 * log and, as one frame, to every attach client.  A client whose socket is
 * full keeps that one frame pending and output stops being read until it
 * drains: the container then blocks on its own writes, as under Docker, and
 * the monitor never buffers more than one frame per client.  Input from
 * clients goes to the container's stdin the same way in reverse: what the
 * pipe does not take waits in in_pending, and clients are not read while
 * that holds more than IN_PENDING_MAX bytes.
 *
 * Log rotation (max_size): when a record would take the file past the
 * limit, a fresh empty file is renamed over it, as conmon does; no old
 * generation is kept.  Readers following the log notice the new inode.
 */
#include "monitor/monitor.h"
#include "util/cleanup.h"
#include "util/fileutil.h"
#include "util/log.h"
#include "util/strutil.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#define IN_PENDING_MAX 65536

/* --- Log ------------------------------------------------------------------ */

static const char *
log_path (struct mon_ctx *c, char *buf, size_t size)
{
  if (c->o->log_path && *c->o->log_path)
    return c->o->log_path;
  snprintf (buf, size, "%s/%s", c->o->userdata, HUSK_MONITOR_CTR_LOG);
  return buf;
}

void
mon_log_open (struct mon_ctx *c)
{
  char buf[4096];
  const char *path = log_path (c, buf, sizeof buf);
  struct stat st;
  int fd;

  if (c->driver != HUSK_LOG_DRIVER_K8S_FILE
      && c->driver != HUSK_LOG_DRIVER_JSON_FILE)
    return;
  fd = open (path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0)
    {
      husk_log_error ("open log '%s': %s", path, strerror (errno));
      return;
    }
  if (c->log_fd >= 0)
    close (c->log_fd);
  c->log_fd = fd;
  c->log_size = fstat (fd, &st) == 0 ? st.st_size : 0;
}

static void
log_rotate (struct mon_ctx *c)
{
  char buf[4096];
  const char *path = log_path (c, buf, sizeof buf);
  cleanup_free char *tmp = husk_asprintf ("%s.new", path);
  int fd = open (tmp, O_WRONLY | O_APPEND | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

  if (fd < 0 || rename (tmp, path) < 0)
    {
      husk_log_warn ("rotate log '%s': %s", path, strerror (errno));
      if (fd >= 0)
        close (fd);
      return;
    }
  close (c->log_fd);
  c->log_fd = fd;
  c->log_size = 0;
}

static void
log_write (struct mon_ctx *c, int stream, const char *data, size_t len)
{
  if (c->log_fd < 0)
    return;
  c->log_buf.len = 0;
  husk_log_format (&c->log_buf, c->driver, stream, husk_now_ns (), data, len);
  if (c->o->log_max_size > 0 && c->log_size > 0
      && c->log_size + (int64_t) c->log_buf.len > c->o->log_max_size)
    log_rotate (c);
  if (husk_write_all (c->log_fd, c->log_buf.data, c->log_buf.len) < 0)
    husk_log_warn ("write log: %s", strerror (errno));
  else
    c->log_size += c->log_buf.len;
  /* Do not keep a large buffer after a burst of escaped output.  */
  if (c->log_buf.cap > 4 * MON_FRAME_MAX)
    husk_buf_release (&c->log_buf);
}

/* --- Sockets -------------------------------------------------------------- */

static int
listen_on (struct mon_ctx *c, const char *name, husk_error_t *err)
{
  struct sockaddr_un sa;
  socklen_t len;
  cleanup_close int dirfd = -1;
  cleanup_close int fd = -1;

  if (husk_monitor_sockaddr (c->o->userdata, name, &sa, &len, &dirfd, err) < 0)
    return -1;
  fd = socket (AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return husk_error_make (err, errno, "socket");
  unlink (sa.sun_path);
  if (bind (fd, (struct sockaddr *) &sa, len) < 0)
    return husk_error_make (err, errno, "bind '%s/%s'", c->o->userdata, name);
  chmod (sa.sun_path, 0600);
  if (listen (fd, 16) < 0)
    return husk_error_make (err, errno, "listen '%s/%s'", c->o->userdata, name);
  return steal_fd (&fd);
}

int
mon_io_setup (struct mon_ctx *c, husk_error_t *err)
{
  int fd = listen_on (c, HUSK_MONITOR_ATTACH, err);

  if (fd < 0)
    return -1;
  mon_watch_add (c, &c->attach, fd, W_ATTACH, EPOLLIN);
  fd = listen_on (c, HUSK_MONITOR_CTL, err);
  if (fd < 0)
    return -1;
  mon_watch_add (c, &c->ctl, fd, W_CTL, EPOLLIN);
  mon_log_open (c);
  return 0;
}

static void
client_drop (struct mon_ctx *c, struct mon_client *cl)
{
  for (struct mon_client **p = &c->clients; *p; p = &(*p)->next)
    if (*p == cl)
      {
        *p = cl->next;
        break;
      }
  if (cl->pending)
    {
      free (cl->pending);
      c->blocked--;
    }
  mon_watch_del (c, &cl->w);
  close (cl->w.fd);
  free (cl);
}

void
mon_io_teardown (struct mon_ctx *c)
{
  cleanup_free char *a = husk_asprintf ("%s/%s", c->o->userdata, HUSK_MONITOR_ATTACH);
  cleanup_free char *t = husk_asprintf ("%s/%s", c->o->userdata, HUSK_MONITOR_CTL);

  while (c->clients)
    client_drop (c, c->clients);
  unlink (a);
  unlink (t);
}

/* Events a client is watched for: input unless stdin is backed up, output
   room while it has a pending frame.  */
static void
client_update (struct mon_ctx *c, struct mon_client *cl)
{
  uint32_t ev = 0;

  if (cl->ctl || c->in_pending.len <= IN_PENDING_MAX)
    ev |= EPOLLIN;
  if (cl->pending)
    ev |= EPOLLOUT;
  mon_watch_mod (c, &cl->w, ev);
}

static void
clients_update (struct mon_ctx *c)
{
  for (struct mon_client *cl = c->clients; cl; cl = cl->next)
    client_update (c, cl);
}

/* Stop or resume reading the container's output as clients block.  */
static void
output_flow (struct mon_ctx *c)
{
  bool pause = c->blocked > 0;

  if (pause == c->out_paused)
    return;
  c->out_paused = pause;
  if (c->out.on)
    mon_watch_mod (c, &c->out, pause ? 0 : EPOLLIN);
  if (c->err.on)
    mon_watch_mod (c, &c->err, pause ? 0 : EPOLLIN);
}

/* Send a frame; keep it when the socket is full.  Return: -1 when the
   client is gone.  */
static int
client_send (struct mon_ctx *c, struct mon_client *cl, const char *frame,
             size_t len)
{
  ssize_t n;

  do
    n = send (cl->w.fd, frame, len, MSG_DONTWAIT | MSG_NOSIGNAL);
  while (n < 0 && errno == EINTR);
  if (n >= 0)
    return 0;
  if (errno != EAGAIN && errno != EWOULDBLOCK)
    return -1;
  cl->pending = husk_xmalloc (len);
  memcpy (cl->pending, frame, len);
  cl->pending_len = len;
  c->blocked++;
  client_update (c, cl);
  return 0;
}

void
mon_broadcast (struct mon_ctx *c, int stream, const char *data, size_t len)
{
  char frame[MON_FRAME_MAX + 1];
  struct mon_client *cl = c->clients, *next;

  if (len > MON_FRAME_MAX)
    len = MON_FRAME_MAX;
  frame[0] = (char) stream;
  memcpy (frame + 1, data, len);
  for (; cl; cl = next)
    {
      next = cl->next;
      if (!cl->ctl && cl->pending == NULL
          && client_send (c, cl, frame, len + 1) < 0)
        client_drop (c, cl);
    }
  output_flow (c);
}

void
mon_output_ready (struct mon_ctx *c, struct mon_watch *w)
{
  char buf[MON_FRAME_MAX];
  int stream = w->kind == W_ERR ? HUSK_ATTACH_STDERR : HUSK_ATTACH_STDOUT;
  ssize_t n;

  /* An event from the same epoll batch as the one that paused output.  */
  if (c->out_paused)
    return;
  do
    n = read (w->fd, buf, sizeof buf);
  while (n < 0 && errno == EINTR);
  if (n < 0 && errno == EAGAIN)
    return;
  if (n <= 0)
    {
      /* EOF, or EIO from a pty master whose slave is gone.  */
      mon_watch_del (c, w);
      close (w->fd);
      w->fd = -1;
      mon_output_closed (c);
      return;
    }
  log_write (c, stream, buf, n);
  mon_broadcast (c, stream, buf, n);
}

/* The drain ran out of time (a client stuck, or a process outside the
   container's pid namespace holding the pipe): what the pipes hold still
   goes to the log.  */
void
mon_output_drain_to_log (struct mon_ctx *c)
{
  struct mon_watch *ws[2] = { &c->out, &c->err };
  char buf[MON_FRAME_MAX];

  for (int i = 0; i < 2; i++)
    {
      int stream = i == 1 ? HUSK_ATTACH_STDERR : HUSK_ATTACH_STDOUT;

      /* Bounded: a process still writing must not keep us here.  */
      for (int round = 0; ws[i]->fd >= 0 && round < 16; round++)
        {
          ssize_t n = read (ws[i]->fd, buf, sizeof buf);
          if (n <= 0)
            break;
          log_write (c, stream, buf, n);
        }
    }
}

/* --- Stdin ---------------------------------------------------------------- */

void
mon_stdin_close (struct mon_ctx *c)
{
  if (c->in.fd < 0)
    return;
  if (c->in.on)
    mon_watch_del (c, &c->in);
  close (c->in.fd);
  c->in.fd = -1;
  c->in_pending.len = 0;
  c->in_close_after = false;
  clients_update (c);
}

/* Write what is pending; watch for room while some is left.  */
void
mon_stdin_ready (struct mon_ctx *c)
{
  size_t off = 0;

  while (off < c->in_pending.len)
    {
      ssize_t n = write (c->in.fd, c->in_pending.data + off,
                         c->in_pending.len - off);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0 && errno == EAGAIN)
        break;
      if (n < 0)
        {
          /* The container closed its stdin: drop what it will never read. */
          mon_stdin_close (c);
          return;
        }
      off += n;
    }
  if (off > 0)
    {
      memmove (c->in_pending.data, c->in_pending.data + off,
               c->in_pending.len - off);
      c->in_pending.len -= off;
    }
  if (c->in_pending.len == 0)
    {
      if (c->in.on)
        mon_watch_del (c, &c->in);
      if (c->in_close_after)
        mon_stdin_close (c);
    }
  else if (!c->in.on)
    mon_watch_add (c, &c->in, c->in.fd, W_IN, EPOLLOUT);
  clients_update (c);
}

static void
stdin_data (struct mon_ctx *c, const char *data, size_t len)
{
  if (c->in.fd < 0 || len == 0)
    return;
  husk_buf_append (&c->in_pending, data, len);
  mon_stdin_ready (c);
}

static void
stdin_eof (struct mon_ctx *c)
{
  /* A terminal has no end of input to pass on; a pipe is closed.  */
  if (c->o->terminal || c->in.fd < 0)
    return;
  if (c->in_pending.len > 0)
    c->in_close_after = true;
  else
    mon_stdin_close (c);
}

/* --- Clients -------------------------------------------------------------- */

static void
client_add (struct mon_ctx *c, int fd, bool ctl)
{
  struct mon_client *cl = husk_xzalloc (sizeof (*cl));

  cl->ctl = ctl;
  cl->next = c->clients;
  c->clients = cl;
  mon_watch_add (c, &cl->w, fd, W_CLIENT, 0);
  client_update (c, cl);
}

void
mon_accept (struct mon_ctx *c, struct mon_watch *w)
{
  int fd = accept4 (w->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

  if (fd >= 0)
    client_add (c, fd, w->kind == W_CTL);
}

/* The caller's end of a socket pair: the first attach client, there
   before the container starts, so no output is lost.  */
void
mon_client_adopt (struct mon_ctx *c, int fd)
{
  fcntl (fd, F_SETFL, O_NONBLOCK);
  fcntl (fd, F_SETFD, FD_CLOEXEC);
  client_add (c, fd, false);
  c->clients->cleaner = c->o->handoff_cleanup;
}

static void
ctl_message (struct mon_ctx *c, struct mon_client *cl, char *msg)
{
  unsigned rows, cols;

  if (sscanf (msg, "1 %u %u", &rows, &cols) == 2)
    {
      struct winsize ws = { .ws_row = rows, .ws_col = cols };
      if (c->o->terminal && c->out.fd >= 0
          && ioctl (c->out.fd, TIOCSWINSZ, &ws) < 0)
        husk_log_warn ("resize: %s", strerror (errno));
    }
  else if (strncmp (msg, "2", 1) == 0)
    mon_log_open (c);
  else if (strncmp (msg, "3", 1) == 0)
    {
      /* Start an initialized container; the reply is "0", or "1 " and
         why it could not start.  */
      const char *why = mon_start_created (c);
      cleanup_free char *reply = why ? husk_asprintf ("1 %s", why) : husk_xstrdup ("0");
      if (send (cl->w.fd, reply, strlen (reply), MSG_DONTWAIT | MSG_NOSIGNAL) < 0)
        husk_log_warn ("start reply: %s", strerror (errno));
    }
  else
    husk_log_warn ("unknown control message '%.20s'", msg);
}

static void
client_flush (struct mon_ctx *c, struct mon_client *cl)
{
  ssize_t n = send (cl->w.fd, cl->pending, cl->pending_len,
                    MSG_DONTWAIT | MSG_NOSIGNAL);

  if (n < 0 && (errno == EAGAIN || errno == EINTR))
    return;
  if (n < 0)
    {
      client_drop (c, cl);
      output_flow (c);
      return;
    }
  free (cl->pending);
  cl->pending = NULL;
  c->blocked--;
  c->flushed++;
  client_update (c, cl);
  output_flow (c);
}

void
mon_client_ready (struct mon_ctx *c, struct mon_client *cl, uint32_t events)
{
  char buf[MON_FRAME_MAX + 2];
  ssize_t n;

  if (events & EPOLLOUT)
    {
      client_flush (c, cl);
      return;
    }
  n = recv (cl->w.fd, buf, sizeof (buf) - 1, MSG_DONTWAIT);
  if (n < 0 && (errno == EAGAIN || errno == EINTR))
    return;
  if (n <= 0)
    {
      /* Gone (or detached): never a reason to close the container's stdin.  */
      client_drop (c, cl);
      output_flow (c);
      return;
    }
  buf[n] = '\0';
  if (cl->ctl)
    ctl_message (c, cl, buf);
  else if (buf[0] == HUSK_ATTACH_STDIN)
    stdin_data (c, buf + 1, n - 1);
  else if (buf[0] == HUSK_ATTACH_CLOSE_STDIN)
    stdin_eof (c);
}

/* The last frame to a client: wait a little for room rather than lose it. */
static void
send_exit (struct mon_client *cl, const char *frame, int n)
{
  struct timeval tv = { 1, 0 };
  int fl = fcntl (cl->w.fd, F_GETFL);

  fcntl (cl->w.fd, F_SETFL, fl & ~O_NONBLOCK);
  setsockopt (cl->w.fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  if (cl->pending)
    send (cl->w.fd, cl->pending, cl->pending_len, MSG_NOSIGNAL);
  send (cl->w.fd, frame, n, MSG_NOSIGNAL);
}

/* Delete what the caller of a handed-over cleanup left in the store's
   work area: one plain name, "rm-*", nothing else.  The lock is what every
   user of that area takes; whoever comes first deletes it.  */
static void
delete_trash (struct mon_ctx *c, const char *name)
{
  cleanup_close int dfd = -1, fd = -1;
  husk_error_t err = NULL;

  if (c->o->trash_dir == NULL || strncmp (name, "rm-", 3) != 0 || strchr (name, '/')
      || strlen (name) > 64)
    return;
  dfd = open (c->o->trash_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd < 0)
    return;
  fd = openat (dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0 || flock (fd, LOCK_EX) < 0)
    return;
  if (husk_rm_rf_at (dfd, name, &err) < 0 && err->code != ENOENT)
    husk_log_warn ("%s", err->msg);
  husk_error_release (&err);
}

/* The checkpoint that the caller's deletion of the container's row owes
   (src/lib/state/state.c, "Durability of the transitions that free
   resources"), made here before the files go, so that the caller returns
   without waiting for its three syncs.  SQLite is loaded only now, at the
   end of our life: an idle monitor does not carry it, and so stays small.
   Without the library, the WAL that holds the deletion is synced instead:
   the deletion then survives a crash, though not the loss of the WAL
   file alone, until the next checkpoint.  */
static void
checkpoint_state (const char *db)
{
  void *lib = dlopen ("libsqlite3.so.0", RTLD_NOW | RTLD_LOCAL);
  int (*open_v2) (const char *, sqlite3 **, int, const char *) = NULL;
  int (*db_config) (sqlite3 *, int, ...) = NULL;
  int (*busy_timeout) (sqlite3 *, int) = NULL;
  int (*exec) (sqlite3 *, const char *, int (*) (void *, int, char **, char **), void *,
               char **) = NULL;
  int (*close_v2) (sqlite3 *) = NULL;
  sqlite3 *h = NULL;

  if (lib)
    {
      open_v2 = dlsym (lib, "sqlite3_open_v2");
      db_config = dlsym (lib, "sqlite3_db_config");
      busy_timeout = dlsym (lib, "sqlite3_busy_timeout");
      exec = dlsym (lib, "sqlite3_exec");
      close_v2 = dlsym (lib, "sqlite3_close_v2");
    }
  if (open_v2 && db_config && busy_timeout && exec && close_v2)
    {
      if (open_v2 (db, &h, SQLITE_OPEN_READWRITE, NULL) == SQLITE_OK)
        {
          /* As every husk connection: closing must not checkpoint and
             delete the WAL (state.c, husk_state_open).  The pragma reads
             the schema first, which opens the WAL.  */
          db_config (h, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, NULL);
          busy_timeout (h, 10000);
          if (exec (h, "PRAGMA wal_checkpoint(PASSIVE)", NULL, NULL, NULL) != SQLITE_OK)
            husk_log_warn ("checkpoint '%s' failed", db);
        }
      close_v2 (h);
    }
  else
    {
      cleanup_free char *wal = husk_asprintf ("%s-wal", db);
      cleanup_close int fd = open (wal, O_RDONLY | O_CLOEXEC);
      husk_log_debug ("no libsqlite3 (%s): syncing '%s' only", dlerror (), wal);
      if (fd >= 0 && fdatasync (fd) < 0)
        husk_log_warn ("sync '%s': %s", wal, strerror (errno));
    }
  if (lib)
    dlclose (lib);
}

/* Whether the caller that cleans up after the exit is attached.  */
bool
mon_has_cleaner (struct mon_ctx *c)
{
  for (struct mon_client *cl = c->clients; cl; cl = cl->next)
    if (cl->cleaner)
      return true;
  return false;
}

/* Give the exit to the client that cleans up and wait (at most a minute)
   for its word that it did.  Return: true when it did; false when there
   is no such client, or it went away without saying so, and the exit
   command must run.  */
bool
mon_handoff_cleanup (struct mon_ctx *c, int exit_code)
{
  struct mon_client *cl = c->clients;
  struct timeval tv = { 60, 0 };
  char frame[16], buf[MON_FRAME_MAX + 2];
  int n = snprintf (frame, sizeof frame, "%c%d", HUSK_ATTACH_EXIT, exit_code);
  bool cleaned = false;
  ssize_t got;

  while (cl && !cl->cleaner)
    cl = cl->next;
  if (cl == NULL)
    return false;
  send_exit (cl, frame, n);
  /* The runtime's record is ours to delete, while the caller unmounts and
     updates the store: the two run side by side.  */
  mon_runtime_delete (c);
  setsockopt (cl->w.fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  while (!cleaned && ((got = recv (cl->w.fd, buf, sizeof buf - 1, 0)) > 0
                      || (got < 0 && errno == EINTR)))
    cleaned = got > 0 && buf[0] == HUSK_ATTACH_CLEANED;
  client_drop (c, cl);
  if (cleaned && got > 1)
    {
      /* [2] [trash] [\0 state database] (husk_attach_cleaned()) */
      const char *name = buf + 1, *end;
      buf[got] = '\0';
      end = memchr (name, '\0', got - 1);
      if (end && end + 1 < buf + got)
        checkpoint_state (end + 1);
      delete_trash (c, name);
    }
  return cleaned;
}

void
mon_clients_finish (struct mon_ctx *c, int exit_code)
{
  char frame[16];
  int n = snprintf (frame, sizeof frame, "%c%d", HUSK_ATTACH_EXIT, exit_code);

  while (c->clients)
    {
      struct mon_client *cl = c->clients;
      if (!cl->ctl)
        send_exit (cl, frame, n);
      client_drop (c, cl);
    }
  c->out_paused = false;
}
