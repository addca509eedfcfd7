/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The front ends' side of husk-monitor: launching it (husk_monitor_start),
 * attaching to the container through it (husk_attach), resizing its
 * terminal and reading what it records.  docs/design/monitor.md describes
 * the protocol; src/monitor/monitor.c the monitor.
 *
 * Launch: the config goes to <userdata>/monitor.json; husk-monitor is
 * spawned in a new session with only the sync pipe (fd 3), for the
 * passthrough log driver the caller's stdio (fds 4-6), with attach_wait
 * the monitor's end of the attach socket pair (fd 7), the go socket (fd 8)
 * and with --preserve-fds N the caller's fds 3 .. 3+N-1 (fds 9 .. 9+N-1,
 * HUSK_MONITOR_PRESERVED_FD), which the container gets.  The
 * monitor writes one JSON line on the pipe once the container runs (with
 * `init`, once it is created) and closes it: {"pid": N, "monitor_pid": M,
 * "pid_start": S, "monitor_start": T} (start times: util/proc.h)
 * or {"error": MSG, "exit_code_hint": H}.  A monitor that dies silently
 * leaves EOF, and the caller points at monitor.log.
 */
#include "container/monitor.h"
#include "husk-config.h"
#include "util/cleanup.h"
#include "util/exec.h"
#include "util/fileutil.h"
#include "util/log.h"
#include "util/strutil.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

extern char **environ;

#define FRAME_MAX 8192 /* payload bytes per attach frame */

char *
husk_monitor_path (void)
{
  return husk_exec_sibling ("husk-monitor");
}

/* --- Launch --------------------------------------------------------------- */

int
husk_monitor_spawn_process (const char *path, char **argv, const int *fds, int n, pid_t *pid)
{
  posix_spawn_file_actions_t fa;
  posix_spawnattr_t at;
  sigset_t none, all;
  int r, lift = 3 + n;

  posix_spawn_file_actions_init (&fa);
  posix_spawnattr_init (&at);
  /* Lifted above every source and every target first, so that no dup2
     clobbers a source (with --preserve-fds the sources are many).  */
  for (int i = 0; i < n; i++)
    if (fds[i] >= lift)
      lift = fds[i] + 1;
  for (int i = 0; i < n; i++)
    if (fds[i] >= 0)
      posix_spawn_file_actions_adddup2 (&fa, fds[i], lift + i);
  posix_spawn_file_actions_addopen (&fa, 0, "/dev/null", O_RDWR, 0);
  posix_spawn_file_actions_adddup2 (&fa, 0, 1);
  posix_spawn_file_actions_adddup2 (&fa, 0, 2);
  for (int i = 0; i < n; i++)
    posix_spawn_file_actions_adddup2 (&fa, fds[i] >= 0 ? lift + i : 0, 3 + i);
  posix_spawn_file_actions_addclosefrom_np (&fa, 3 + n);
  for (int i = 0; i < n; i++)
    if (fds[i] < 0)
      posix_spawn_file_actions_addclose (&fa, 3 + i);
  posix_spawn_file_actions_addchdir_np (&fa, "/");
  sigemptyset (&none);
  sigfillset (&all);
  posix_spawnattr_setsigmask (&at, &none);
  posix_spawnattr_setsigdefault (&at, &all);
  posix_spawnattr_setflags (&at, POSIX_SPAWN_SETSID | POSIX_SPAWN_SETSIGMASK
                                     | POSIX_SPAWN_SETSIGDEF);
  husk_log_argv ("starting husk-monitor", argv);
  r = posix_spawn (pid, path, &fa, &at, argv, environ);
  posix_spawn_file_actions_destroy (&fa);
  posix_spawnattr_destroy (&at);
  return r;
}

/* The container's monitor: the sync pipe on fd 3, the passthrough stdio on
   4-6, the attach socket on 7, the go socket on 8 and our fds 3 .. 3+N-1
   (--preserve-fds N) from HUSK_MONITOR_PRESERVED_FD on.  */
static int
spawn_monitor (const char *path, char **argv, int sync_w, const int *stdio,
               bool passthrough, int attach, int go_r, int preserve_fds, pid_t *pid)
{
  int fixed = HUSK_MONITOR_PRESERVED_FD - 3, n = fixed + preserve_fds;
  cleanup_free int *src = husk_xmalloc (n * sizeof (int));

  src[0] = sync_w;
  for (int i = 1; i < 4; i++)
    src[i] = passthrough ? stdio[i - 1] : -1;
  src[4] = attach;
  src[5] = go_r;
  for (int i = 0; i < preserve_fds; i++)
    src[fixed + i] = 3 + i;
  return husk_monitor_spawn_process (path, argv, src, n, pid);
}

/* Read the monitor's one-line report.  Return: the text (maybe empty).  */
static char *
read_report (int fd)
{
  struct husk_buf b = HUSK_BUF_INIT;
  char chunk[512];

  husk_buf_append (&b, "", 0);
  while (b.len < 65536 && memchr (b.data, '\n', b.len) == NULL)
    {
      ssize_t n = read (fd, chunk, sizeof chunk);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        break;
      husk_buf_append (&b, chunk, n);
    }
  return husk_buf_steal (&b);
}

/* The last line the monitor wrote to monitor.log, for a silent death.  */
static char *
last_monitor_message (const char *userdata)
{
  cleanup_free char *path = husk_asprintf ("%s/%s", userdata, HUSK_MONITOR_LOG);
  cleanup_free char *text = husk_read_file (path, NULL, NULL);
  char *end, *start;

  if (text == NULL)
    return NULL;
  end = text + strlen (text);
  while (end > text && end[-1] == '\n')
    *--end = '\0';
  start = strrchr (text, '\n');
  start = start ? start + 1 : text;
  return *start ? husk_xstrdup (start) : NULL;
}

static int
parse_report (const char *text, const char *userdata, struct husk_monitor_result *res,
              husk_error_t *err)
{
  cleanup_json json_t *j = json_loads (text, JSON_DISABLE_EOF_CHECK, NULL);
  json_t *pid = json_object_get (j, "pid");
  const char *msg = json_string_value (json_object_get (j, "error"));

  res->exit_code_hint = 125;
  if (json_is_integer (pid))
    {
      res->container_pid = json_integer_value (pid);
      res->monitor_pid = json_integer_value (json_object_get (j, "monitor_pid"));
      res->container_start = (uint64_t) json_integer_value (json_object_get (j, "pid_start"));
      res->monitor_start = (uint64_t) json_integer_value (json_object_get (j, "monitor_start"));
      res->exit_code_hint = 0;
      return 0;
    }
  if (msg)
    {
      json_t *hint = json_object_get (j, "exit_code_hint");
      if (json_is_integer (hint))
        res->exit_code_hint = json_integer_value (hint);
      return husk_error_makex (err, 0, "%s", msg);
    }
  {
    cleanup_free char *last = last_monitor_message (userdata);
    if (last)
      return husk_error_makex (err, EIO, "husk-monitor failed: %s", last);
  }
  return husk_error_makex (err, EIO,
                           "husk-monitor exited without a report (see '%s/%s')",
                           userdata, HUSK_MONITOR_LOG);
}

int
husk_monitor_spawn (const struct husk_monitor_opts *o, struct husk_monitor_launch *l,
                    husk_error_t *err)
{
  cleanup_free char *path = o->monitor_path ? husk_xstrdup (o->monitor_path)
                                            : husk_monitor_path ();
  cleanup_free char *cfg_path
      = husk_asprintf ("%s/%s", o->userdata ? o->userdata : "", HUSK_MONITOR_CONFIG);
  cleanup_free char *text = NULL;
  cleanup_json json_t *cfg = NULL;
  cleanup_strv char **argv = NULL;
  cleanup_close int theirs = -1, go_r = -1; /* the monitor's ends */
  int p[2], sp[2], g[2], rc;
  bool passthrough;

  *l = (struct husk_monitor_launch){ .sync_r = -1, .go_w = -1, .attach_fd = -1 };
  if (o->id == NULL || o->bundle == NULL || o->userdata == NULL
      || o->runtime == NULL)
    return husk_error_makex (err, EINVAL,
                             "monitor: id, bundle, userdata and runtime are required");
  if (husk_log_driver_parse (o->log_driver) < 0)
    return husk_error_makex (err, EINVAL, "unknown log driver '%s'", o->log_driver);
  if (husk_restart_policy_parse (o->restart_policy) < 0)
    return husk_error_makex (err, EINVAL, "unknown restart policy '%s'",
                             o->restart_policy);
  if (husk_health_action_parse (o->health.on_failure) < 0)
    return husk_error_makex (err, EINVAL, "unknown healthcheck action '%s'",
                             o->health.on_failure);
  if (o->preserve_fds < 0 || o->preserve_fds > HUSK_PRESERVE_FDS_MAX)
    return husk_error_makex (err, EINVAL, "--preserve-fds %d: out of range", o->preserve_fds);
  passthrough = husk_log_driver_parse (o->log_driver) == HUSK_LOG_DRIVER_PASSTHROUGH;
  if (passthrough && o->terminal)
    return husk_error_makex (err, EINVAL,
                             "the passthrough log driver hands over the "
                             "caller's terminal: the container must not "
                             "allocate one");

  cfg = husk_monitor_config_to_json (o);
  text = json_dumps (cfg, JSON_INDENT (2));
  if (text == NULL)
    return husk_error_makex (err, EINVAL, "encode '%s'", cfg_path);
  if (husk_monitor_write_file (cfg_path, text, strlen (text), 0600, err) < 0)
    return -1;

  husk_strv_append (&argv, "husk-monitor");
  husk_strv_append (&argv, "--config");
  husk_strv_append (&argv, cfg_path);
  husk_strv_append (&argv, "--sync-fd");
  husk_strv_append (&argv, "3");
  husk_strv_append (&argv, "--go-fd");
  husk_strv_append (&argv, "8");
  if (o->attach_wait && !passthrough)
    {
      if (socketpair (AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp) < 0)
        return husk_error_make (err, errno, "socketpair");
      l->attach_fd = sp[0];
      theirs = sp[1];
      husk_strv_append (&argv, "--attach-fd");
      husk_strv_append (&argv, "7");
    }
  /* A socket, not a pipe: a monitor that died early must not cost us a
     SIGPIPE when we say go (send has MSG_NOSIGNAL).  */
  if (socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, g) < 0)
    {
      husk_monitor_launch_release (l);
      return husk_error_make (err, errno, "socketpair");
    }
  go_r = g[0];
  l->go_w = g[1];
  if (pipe2 (p, O_CLOEXEC) < 0)
    {
      husk_monitor_launch_release (l);
      return husk_error_make (err, errno, "pipe");
    }
  rc = spawn_monitor (path, argv, p[1], o->stdio_fds, passthrough, theirs, go_r,
                      o->preserve_fds, &l->pid);
  husk_log_debug ("started husk-monitor (pid %d): %s %s, logging to %s/%s",
                  rc ? -1 : (int) l->pid, path, cfg_path, o->userdata, HUSK_MONITOR_LOG);
  close (p[1]);
  l->sync_r = p[0];
  if (rc != 0)
    {
      husk_monitor_launch_release (l);
      return husk_error_make (err, rc, "execute '%s'", path);
    }
  return 0;
}

int
husk_monitor_go (const char *userdata, struct husk_monitor_launch *l,
                 struct husk_monitor_result *res, husk_error_t *err)
{
  cleanup_free char *text = NULL;
  struct timespec t0 = husk_log_clock ();

  memset (res, 0, sizeof (*res));
  res->exit_code_hint = 125;
  res->attach_fd = -1;
  /* One byte: go.  A monitor that could not start has said why in its
     report instead.  */
  if (send (l->go_w, "1", 1, MSG_NOSIGNAL) < 0)
    husk_log_debug ("monitor go: %s", strerror (errno));
  close (l->go_w);
  l->go_w = -1;
  text = read_report (l->sync_r);
  husk_log_timing (&t0, "husk-monitor %d starting the container", (int) l->pid);
  if (parse_report (text, userdata, res, err) < 0)
    return -1;
  res->attach_fd = steal_fd (&l->attach_fd);
  return 0;
}

void
husk_monitor_launch_release (struct husk_monitor_launch *l)
{
  /* Without the go byte the monitor sees EOF and leaves.  */
  int *fds[] = { &l->sync_r, &l->go_w, &l->attach_fd };

  for (size_t i = 0; i < sizeof fds / sizeof fds[0]; i++)
    if (*fds[i] >= 0)
      {
        close (*fds[i]);
        *fds[i] = -1;
      }
}

int
husk_monitor_start (const struct husk_monitor_opts *o,
                    struct husk_monitor_result *res, husk_error_t *err)
{
  struct husk_monitor_launch l;
  int ret;

  memset (res, 0, sizeof (*res));
  res->exit_code_hint = 125;
  res->attach_fd = -1;
  if (husk_monitor_spawn (o, &l, err) < 0)
    return -1;
  ret = husk_monitor_go (o->userdata, &l, res, err);
  husk_monitor_launch_release (&l);
  return ret;
}

/* --- Control socket ------------------------------------------------------- */

static int
connect_to (const char *dir, const char *name, husk_error_t *err)
{
  struct sockaddr_un sa;
  socklen_t len;
  cleanup_close int dirfd = -1;
  cleanup_close int fd = -1;

  if (husk_monitor_sockaddr (dir, name, &sa, &len, &dirfd, err) < 0)
    return -1;
  fd = socket (AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return husk_error_make (err, errno, "socket");
  if (connect (fd, (struct sockaddr *) &sa, len) < 0)
    return husk_error_make (err, errno, "connect to '%s/%s'", dir, name);
  return steal_fd (&fd);
}

static int
ctl_send (const char *userdata_dir, const char *msg, husk_error_t *err)
{
  cleanup_close int fd = connect_to (userdata_dir, HUSK_MONITOR_CTL, err);

  if (fd < 0)
    return -1;
  if (send (fd, msg, strlen (msg), MSG_NOSIGNAL) < 0)
    return husk_error_make (err, errno, "send to the container's monitor");
  return 0;
}

int
husk_monitor_start_created (const char *userdata_dir, husk_error_t *err)
{
  cleanup_close int fd = connect_to (userdata_dir, HUSK_MONITOR_CTL, err);
  char reply[4096];
  ssize_t n;

  if (fd < 0)
    return -1;
  if (send (fd, "3", 1, MSG_NOSIGNAL) < 0)
    return husk_error_make (err, errno, "send to the container's monitor");
  do
    n = recv (fd, reply, sizeof reply - 1, 0);
  while (n < 0 && errno == EINTR);
  if (n <= 0)
    return husk_error_makex (err, EIO, "the container's monitor did not answer");
  reply[n] = '\0';
  if (reply[0] != '0')
    return husk_error_makex (err, EIO, "%s", reply[0] == '1' && reply[1] ? reply + 2 : reply);
  return 0;
}

int
husk_monitor_connect_attach (const char *userdata_dir, husk_error_t *err)
{
  return connect_to (userdata_dir, HUSK_MONITOR_ATTACH, err);
}

int
husk_monitor_resize (const char *userdata_dir, unsigned rows, unsigned cols,
                     husk_error_t *err)
{
  char msg[64];

  snprintf (msg, sizeof msg, "1 %u %u\n", rows, cols);
  return ctl_send (userdata_dir, msg, err);
}

int
husk_monitor_reopen_log (const char *userdata_dir, husk_error_t *err)
{
  return ctl_send (userdata_dir, "2\n", err);
}

/* --- Exit file ------------------------------------------------------------ */

void
husk_monitor_exit_release (struct husk_monitor_exit *ex)
{
  free (ex->error);
  ex->error = NULL;
}

int
husk_monitor_read_exit (const char *userdata_dir, struct husk_monitor_exit *ex,
                        husk_error_t *err)
{
  cleanup_free char *path = husk_asprintf ("%s/%s", userdata_dir, HUSK_MONITOR_EXIT);
  cleanup_json json_t *j = NULL;
  json_error_t jerr;
  const char *msg;

  memset (ex, 0, sizeof (*ex));
  if (access (path, F_OK) < 0)
    return errno == ENOENT ? 0 : husk_error_make (err, errno, "access '%s'", path);
  j = json_load_file (path, 0, &jerr);
  if (j == NULL)
    return husk_error_makex (err, EINVAL, "parse '%s': %s", path, jerr.text);
  ex->exit_code = json_integer_value (json_object_get (j, "exit_code"));
  ex->finished_at_ns = json_integer_value (json_object_get (j, "finished_at_ns"));
  ex->oom_killed = json_is_true (json_object_get (j, "oom_killed"));
  ex->restarting = json_is_true (json_object_get (j, "restarting"));
  ex->handed_over = json_is_true (json_object_get (j, "handed_over"));
  ex->restart_count = json_integer_value (json_object_get (j, "restart_count"));
  msg = json_string_value (json_object_get (j, "error"));
  ex->error = msg ? husk_xstrdup (msg) : NULL;
  return 1;
}

int
husk_monitor_restart_count (const char *userdata_dir)
{
  cleanup_free char *path
      = husk_asprintf ("%s/%s", userdata_dir, HUSK_MONITOR_RESTARTS);
  cleanup_free char *text = husk_read_file (path, NULL, NULL);

  return text ? atoi (text) : 0;
}

/* --- Attach --------------------------------------------------------------- */

/* Parse "ctrl-p,ctrl-q" into bytes.  Return: the count, or -1.  */
static int
parse_detach_keys (const char *spec, unsigned char *keys, size_t max)
{
  cleanup_strv char **parts = NULL;
  int n = 0;

  if (spec == NULL)
    spec = "ctrl-p,ctrl-q";
  if (*spec == '\0')
    return 0;
  parts = husk_strv_split (spec, ',');
  for (char **p = parts; *p; p++)
    {
      const char *k = *p;
      if ((size_t) n >= max)
        return -1;
      if (strlen (k) == 1)
        keys[n++] = (unsigned char) k[0];
      else if (strncasecmp (k, "ctrl-", 5) == 0 && strlen (k) == 6)
        {
          unsigned char c = (unsigned char) k[5];
          if (c >= 'a' && c <= 'z')
            keys[n++] = c - 'a' + 1;
          else if (c >= 'A' && c <= 'Z')
            keys[n++] = c - 'A' + 1;
          else if (c == '@' || c == '[' || c == '\\' || c == ']' || c == '^'
                   || c == '_')
            keys[n++] = c - '@';
          else
            return -1;
        }
      else
        return -1;
    }
  return n;
}

struct attach
{
  int sock;
  int in_fd, out_fd, err_fd;
  unsigned char keys[16];
  int nkeys;
  int matched; /* bytes of keys seen so far, held back */
  bool tty;
  struct winsize ws;
  const char *userdata;
  struct husk_buf pending; /* frames not yet sent: [len16][frame]... */
};

/* Queue one stdin frame (type + data).  */
static void
queue_frame (struct attach *a, int type, const void *data, size_t len)
{
  while (true)
    {
      size_t n = len > FRAME_MAX ? FRAME_MAX : len;
      unsigned char hdr[3] = { (n + 1) >> 8, (n + 1) & 0xff, type };

      husk_buf_append (&a->pending, hdr, 3);
      husk_buf_append (&a->pending, data, n);
      data = (const char *) data + n;
      len -= n;
      if (len == 0)
        return;
    }
}

/* Send queued frames until done or the socket is full.  */
static int
flush_frames (struct attach *a, husk_error_t *err)
{
  size_t off = 0;

  while (off < a->pending.len)
    {
      const unsigned char *p = (const unsigned char *) a->pending.data + off;
      size_t n = ((size_t) p[0] << 8) | p[1];
      ssize_t r = send (a->sock, p + 2, n, MSG_NOSIGNAL | MSG_DONTWAIT);

      if (r < 0 && errno == EINTR)
        continue;
      if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
        break;
      if (r < 0)
        return husk_error_make (err, errno, "send to the container's monitor");
      off += n + 2;
    }
  if (off > 0)
    {
      memmove (a->pending.data, a->pending.data + off, a->pending.len - off);
      a->pending.len -= off;
    }
  return 0;
}

/* Feed input through the detach-key matcher.  Return: 1 when detached.  */
static int
handle_input (struct attach *a, const unsigned char *in, size_t len)
{
  struct husk_buf out = HUSK_BUF_INIT;
  int detached = 0;

  for (size_t i = 0; i < len && !detached; i++)
    {
      if (a->nkeys > 0 && in[i] == a->keys[a->matched])
        {
          if (++a->matched == a->nkeys)
            detached = 1;
          continue;
        }
      /* Not the sequence after all: let the held bytes through.  */
      husk_buf_append (&out, a->keys, a->matched);
      a->matched = 0;
      if (a->nkeys > 0 && in[i] == a->keys[0])
        a->matched = 1;
      else
        husk_buf_putc (&out, in[i]);
    }
  if (out.len > 0)
    queue_frame (a, HUSK_ATTACH_STDIN, out.data, out.len);
  husk_buf_release (&out);
  return detached;
}

static void
send_size (struct attach *a)
{
  struct winsize ws;
  int fd = isatty (a->in_fd) ? a->in_fd : a->out_fd;
  husk_error_t err = NULL;

  if (!a->tty || fd < 0 || ioctl (fd, TIOCGWINSZ, &ws) < 0)
    return;
  if (ws.ws_row == a->ws.ws_row && ws.ws_col == a->ws.ws_col)
    return;
  a->ws = ws;
  if (husk_monitor_resize (a->userdata, ws.ws_row, ws.ws_col, &err) < 0)
    husk_error_drop (&err, "resize the terminal");
}

/* The connection ended without an exit frame: the exit file may know.  */
static int
attach_lost (struct attach *a, husk_error_t *err)
{
  struct husk_monitor_exit ex;
  int rc = husk_monitor_read_exit (a->userdata, &ex, NULL);

  if (rc == 1)
    {
      husk_monitor_exit_release (&ex);
      return ex.exit_code;
    }
  return husk_error_makex (err, EIO, "lost the connection to the container's monitor");
}

/* One frame from the monitor.  Return: exit code, -3 to go on, -1.  */
static int
handle_frame (struct attach *a, husk_error_t *err)
{
  char buf[FRAME_MAX * 2 + 2];
  ssize_t n = recv (a->sock, buf, sizeof (buf) - 1, 0);
  int fd;

  if (n < 0 && (errno == EINTR || errno == EAGAIN))
    return -3;
  if (n < 0 && errno != ECONNRESET)
    return husk_error_make (err, errno, "receive from the container's monitor");
  if (n <= 0)
    return attach_lost (a, err);
  if (buf[0] == HUSK_ATTACH_EXIT)
    {
      buf[n] = '\0';
      return atoi (buf + 1);
    }
  fd = buf[0] == HUSK_ATTACH_STDERR && a->err_fd >= 0 ? a->err_fd : a->out_fd;
  if (fd >= 0 && n > 1 && husk_write_all (fd, buf + 1, n - 1) < 0 && errno != EPIPE)
    return husk_error_make (err, errno, "write the container's output");
  return -3;
}

/* With a terminal, SIGWINCH is blocked but while we wait (ppoll), so that
   one arriving between two waits is not lost until the next input.  */
static int
attach_loop (struct attach *a, husk_error_t *err)
{
  bool in_open = a->in_fd >= 0;
  sigset_t winch, waitmask;

  sigemptyset (&winch);
  sigaddset (&winch, SIGWINCH);
  sigprocmask (SIG_BLOCK, a->tty ? &winch : NULL, &waitmask);
  sigdelset (&waitmask, SIGWINCH);
  for (;;)
    {
      struct pollfd pfd[2] = { { a->sock, POLLIN, 0 }, { a->in_fd, POLLIN, 0 } };
      int nfds = in_open && a->pending.len == 0 ? 2 : 1;
      int rc;

      if (a->pending.len > 0)
        pfd[0].events |= POLLOUT;
      if (ppoll (pfd, nfds, NULL, a->tty ? &waitmask : NULL) < 0)
        {
          if (errno != EINTR)
            return husk_error_make (err, errno, "poll");
          send_size (a);
          continue;
        }
      if (pfd[0].revents & (POLLIN | POLLHUP | POLLERR))
        {
          rc = handle_frame (a, err);
          if (rc != -3)
            return rc;
        }
      if (nfds == 2 && (pfd[1].revents & (POLLIN | POLLHUP | POLLERR)))
        {
          unsigned char in[4096];
          ssize_t n = read (a->in_fd, in, sizeof in);

          if (n < 0 && (errno == EINTR || errno == EAGAIN))
            continue;
          if (n <= 0)
            {
              in_open = false;
              queue_frame (a, HUSK_ATTACH_CLOSE_STDIN, "", 0);
            }
          else if (handle_input (a, in, n))
            {
              husk_error_t ferr = NULL;
              if (flush_frames (a, &ferr) < 0)
                husk_error_drop (&ferr, "detach: send the last input");
              return HUSK_ATTACH_DETACHED;
            }
        }
      if (a->pending.len > 0 && flush_frames (a, err) < 0)
        return -1;
    }
}

static int
attach_on (int sock, int in_fd, int out_fd, int err_fd, const char *detach_keys,
           bool tty, const char *userdata_dir, husk_error_t *err)
{
  struct attach a = { .sock = sock, .in_fd = in_fd, .out_fd = out_fd, .err_fd = err_fd,
                      .tty = tty, .userdata = userdata_dir };
  struct termios saved, raw;
  bool restore = false;
  int rc;

  a.nkeys = parse_detach_keys (detach_keys, a.keys, sizeof a.keys);
  if (a.nkeys < 0)
    return husk_error_makex (err, EINVAL, "invalid detach keys '%s'", detach_keys);
  if (tty && in_fd >= 0 && isatty (in_fd) && tcgetattr (in_fd, &saved) == 0)
    {
      raw = saved;
      cfmakeraw (&raw);
      restore = tcsetattr (in_fd, TCSANOW, &raw) == 0;
    }
  send_size (&a);
  {
    sigset_t saved_mask;
    sigprocmask (SIG_SETMASK, NULL, &saved_mask);
    rc = attach_loop (&a, err);
    sigprocmask (SIG_SETMASK, &saved_mask, NULL);
  }
  if (restore)
    tcsetattr (in_fd, TCSANOW, &saved);
  husk_buf_release (&a.pending);
  return rc;
}

int
husk_attach (const char *userdata_dir, int in_fd, int out_fd, int err_fd,
             const char *detach_keys, bool tty, husk_error_t *err)
{
  husk_error_t lerr = NULL;
  unsigned char keys[16];
  int sock, rc;

  if (parse_detach_keys (detach_keys, keys, sizeof keys) < 0)
    return husk_error_makex (err, EINVAL, "invalid detach keys '%s'", detach_keys);
  sock = connect_to (userdata_dir, HUSK_MONITOR_ATTACH, &lerr);
  if (sock < 0)
    {
      struct husk_monitor_exit ex;
      if (husk_monitor_read_exit (userdata_dir, &ex, NULL) == 1)
        {
          husk_error_release (&lerr);
          husk_monitor_exit_release (&ex);
          return ex.exit_code;
        }
      return husk_error_move (err, &lerr);
    }
  rc = attach_on (sock, in_fd, out_fd, err_fd, detach_keys, tty, userdata_dir, err);
  close (sock);
  return rc;
}

int
husk_attach_cleaned (int sock, const char *trash, const char *state_db)
{
  char frame[HUSK_ATTACH_FRAME_MAX] = { HUSK_ATTACH_CLEANED };
  size_t n = 1, tl = trash ? strlen (trash) : 0, dl = state_db ? strlen (state_db) : 0;

  /* [2] [trash] [\0 state_db]: a monitor of an older husk reads the
     trash's name as a C string and ignores the rest.  */
  if (trash && tl + dl + 3 <= sizeof frame)
    {
      memcpy (frame + n, trash, tl);
      n += tl;
      if (state_db)
        {
          frame[n++] = '\0';
          memcpy (frame + n, state_db, dl);
          n += dl;
        }
    }
  return send (sock, frame, n, MSG_NOSIGNAL) == (ssize_t) n ? 0 : -1;
}

int
husk_attach_fd (int sock, const char *userdata_dir, int in_fd, int out_fd, int err_fd,
                const char *detach_keys, bool tty, husk_error_t *err)
{
  return attach_on (sock, in_fd, out_fd, err_fd, detach_keys, tty, userdata_dir, err);
}
