/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * husk-monitor --exec: the monitor of one exec session, as conmon runs one
 * per `podman exec`.
 *
 *   husk-monitor --exec --sock-fd N
 *
 * With --preserve-fds N the caller's fds for the process follow the socket
 * (HUSK_EXEC_PRESERVED_FD on; their count comes with GO): the runtime gets
 * them as 3 .. 3+N-1, and we close them once it has run.
 *
 * Theory of operation
 *
 * The caller (container/exec.c) spawns us before it has even looked the
 * container up, with a SOCK_SEQPACKET socket on fd N and stdio on
 * /dev/null, in a session of our own.  The attach frames of monproto.h run
 * on that socket, plus the exec ones (RUNTIME, GO, RESIZE, SIGNAL,
 * CLOSE_OUT; STARTED, ERROR).
 *
 * 1. Setup, while the caller looks the container up and writes
 *    process.json.  We become a child subreaper and block SIGCHLD for a
 *    signalfd; the RUNTIME frame names the runtime, of which we make the
 *    sealed copy (util/exec.h).  Then the GO frame; EOF instead means the
 *    caller gave up, and so do we.  We are the
 *    caller's child, which it waits for by pid after EXIT (we leave right
 *    after it); a caller killed leaves us to init, running.  A detached
 *    session (-d) outlives its caller at once: we fork and our first
 *    process leaves, so the caller reaps that and we belong to nobody.
 *    (Forking always would cost every exec its page faults, 0.7 ms.)
 * 2. Start.  `RUNTIME exec --process P --pid-file F [--console-socket S]
 *    --detach CTR`, with stdio: pipes for stdout and stderr and, with -i,
 *    stdin; /dev/null with -d; with -t /dev/null and a console socket on
 *    which the runtime sends the pty master.  We wait for the runtime: its
 *    failure is told from its JSON log (--log) and goes to the caller as
 *    ERROR "STATUS MSG" and EXIT CODE (127/126/125 by
 *    husk_runtime_exit_code()), and to the exit file.  Otherwise the
 *    process's pid (the pid file) goes as STARTED.  The runtime has left;
 *    the process, orphaned, is now our child.
 * 3. Relay.  One epoll loop: output to frames (stdout 1, stderr 2; with a
 *    terminal all of it is 1), frames to stdin, RESIZE to TIOCSWINSZ,
 *    SIGNAL to kill(2) of the process (our unreaped child, so the pid is
 *    its own), CLOSE_OUT closes the output pipes so the process meets the
 *    broken pipe it would have met writing to the caller's.  Frames the
 *    socket does not take wait in a queue, and output is not read while
 *    one waits: the process blocks on its writes, as under Docker.  A
 *    caller that goes away (detach keys, -d, killed) leaves the process
 *    running; its output is then read and dropped, its stdin left open.
 * 4. Exit.  When waitpid() returns the process (status, or 128 + signal),
 *    we read what its pipes or terminal still hold, without waiting for
 *    more (a background process may keep them open), write the session's
 *    exit file atomically, send EXIT and leave.  The caller removes the
 *    session directory after EXIT, so nothing is written there after it.
 */
#include "monitor/monitor.h"
#include "util/cleanup.h"
#include "util/exec.h"
#include "util/fileutil.h"
#include "util/log.h"
#include "util/strutil.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

extern char **environ;

#define IN_PENDING_MAX 65536
#define DRAIN_READS 64          /* at most 64 frames per stream after the exit */
#define FINAL_SEND_MS 2000      /* the caller must take the last frames in this */

enum kind
{
  K_SIG,
  K_SOCK,
  K_OUT,
  K_ERR,
  K_IN,
  K_COUNT
};

struct exec_ctx
{
  struct husk_exec_config cfg;
  json_t *cfg_json;
  int epfd, sfd, null_fd, rt_copy;
  int fd[K_COUNT];          /* signalfd, socket, out (or master), err, stdin */
  uint32_t want[K_COUNT];   /* the events each is registered for (0: none) */
  struct husk_frame_queue q; /* frames for the caller */
  struct husk_buf in_buf;   /* stdin data the process has not taken */
  size_t in_off;
  bool in_close_after;      /* close stdin once in_buf is written */
  pid_t pid;                /* the process, until reaped */
  bool exited;
  int exit_code;
};

static void
close_kind (struct exec_ctx *c, enum kind k)
{
  if (c->fd[k] < 0)
    return;
  if (c->want[k])
    epoll_ctl (c->epfd, EPOLL_CTL_DEL, c->fd[k], NULL);
  close (c->fd[k]);
  c->fd[k] = -1;
  c->want[k] = 0;
}

/* Register fd k for events (0: not at all: a pipe's hang-up would be
   reported even without asking).  */
static void
want (struct exec_ctx *c, enum kind k, uint32_t events)
{
  struct epoll_event ev = { .events = events, .data.u32 = k };

  if (c->fd[k] < 0 || c->want[k] == events)
    return;
  if (events == 0)
    epoll_ctl (c->epfd, EPOLL_CTL_DEL, c->fd[k], NULL);
  else if (epoll_ctl (c->epfd, c->want[k] ? EPOLL_CTL_MOD : EPOLL_CTL_ADD, c->fd[k], &ev) < 0)
    husk_log_warn ("epoll: %s", strerror (errno));
  c->want[k] = events;
}

/* What to wait for, from the state: output only while no frame waits for
   the caller, the socket only while stdin has room.  */
static void
update_interest (struct exec_ctx *c)
{
  bool queued = c->fd[K_SOCK] >= 0 && husk_frame_queue_pending (&c->q) > 0;
  size_t in_left = c->in_buf.len - c->in_off;

  want (c, K_SOCK, (in_left < IN_PENDING_MAX ? EPOLLIN : 0) | (queued ? EPOLLOUT : 0));
  want (c, K_OUT, queued ? 0 : EPOLLIN);
  want (c, K_ERR, queued ? 0 : EPOLLIN);
  want (c, K_IN, in_left > 0 ? EPOLLOUT : 0);
}

/* The caller is gone (detached, or killed): the process runs on.  */
static void
client_gone (struct exec_ctx *c)
{
  husk_log_debug ("the caller left; the process runs on");
  close_kind (c, K_SOCK);
  husk_frame_queue_release (&c->q);
}

static void
send_frame (struct exec_ctx *c, int type, const void *data, size_t len)
{
  if (c->fd[K_SOCK] < 0)
    return;
  husk_frame_queue_push (&c->q, type, data, len);
  if (husk_frame_queue_flush (&c->q, c->fd[K_SOCK]) < 0)
    client_gone (c);
}

static void
send_text (struct exec_ctx *c, int type, const char *text)
{
  send_frame (c, type, text, strlen (text));
}

/* --- Start ---------------------------------------------------------------- */

static bool read_output (struct exec_ctx *c, enum kind k);

/* The console socket the runtime sends the pty master to.  A path too long
   for sun_path goes through /proc/<our pid>/fd/N: the runtime is another
   process.  */
static int
console_listen (struct exec_ctx *c, char **path, int *dirfd)
{
  struct sockaddr_un sa;
  socklen_t len;
  husk_error_t err = NULL;
  int fd;

  if (husk_monitor_sockaddr (c->cfg.dir, HUSK_EXEC_CONSOLE, &sa, &len, dirfd, &err) < 0)
    {
      husk_log_error ("%s", err->msg);
      husk_error_release (&err);
      return -1;
    }
  fd = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0 || bind (fd, (struct sockaddr *) &sa, len) < 0 || listen (fd, 1) < 0)
    {
      husk_log_error ("console socket '%s': %s", sa.sun_path, strerror (errno));
      if (fd >= 0)
        close (fd);
      return -1;
    }
  *path = *dirfd >= 0 ? husk_asprintf ("/proc/%d/fd/%d/%s", (int) getpid (), *dirfd,
                                       HUSK_EXEC_CONSOLE)
                      : husk_xstrdup (sa.sun_path);
  return fd;
}

/* The caller's fds for the process (--preserve-fds), from
   HUSK_EXEC_PRESERVED_FD on: close-on-exec until run_runtime() hands them
   to the runtime, closed once it has.  */
static void
hold_preserved (struct exec_ctx *c)
{
  for (int i = 0; i < c->cfg.preserve_fds; i++)
    fcntl (HUSK_EXEC_PRESERVED_FD + i, F_SETFD, FD_CLOEXEC);
}

static void
close_preserved (struct exec_ctx *c)
{
  if (c->cfg.preserve_fds > 0)
    close_range (HUSK_EXEC_PRESERVED_FD, HUSK_EXEC_PRESERVED_FD + c->cfg.preserve_fds - 1, 0);
  c->cfg.preserve_fds = 0;
}

/* Run the runtime with stdio fds (-1: /dev/null) and wait for it: with
   posix_spawn (no copy of our pages), executing its sealed copy through
   /proc/self/fd (the child's copy of our descriptors: the copy is
   close-on-exec, which the kernel honours only after reading it), default
   signal dispositions and an empty mask; everything else of ours closes
   on exec.  Return: its status, or 125 when it could not be run.  */
static int
run_runtime (struct exec_ctx *c, char **argv, const int fds[3])
{
  char path[64];
  posix_spawn_file_actions_t fa;
  posix_spawnattr_t at;
  sigset_t none, all;
  pid_t pid;
  int r, st;

  if (c->rt_copy >= 0)
    snprintf (path, sizeof path, "/proc/self/fd/%d", c->rt_copy);
  else
    snprintf (path, sizeof path, "%s", "");
  posix_spawn_file_actions_init (&fa);
  posix_spawnattr_init (&at);
  for (int i = 0; i < 3; i++)
    posix_spawn_file_actions_adddup2 (&fa, fds[i] >= 0 ? fds[i] : c->null_fd, i);
  /* --preserve-fds: upwards, each target below its source.  */
  for (int i = 0; i < c->cfg.preserve_fds; i++)
    posix_spawn_file_actions_adddup2 (&fa, HUSK_EXEC_PRESERVED_FD + i, 3 + i);
  sigemptyset (&none);
  sigfillset (&all);
  posix_spawnattr_setsigmask (&at, &none);
  posix_spawnattr_setsigdefault (&at, &all);
  posix_spawnattr_setflags (&at, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  husk_log_argv ("running", argv);
  r = posix_spawn (&pid, path[0] ? path : argv[0], &fa, &at, argv, environ);
  posix_spawn_file_actions_destroy (&fa);
  posix_spawnattr_destroy (&at);
  if (r != 0)
    {
      husk_log_error ("execute '%s': %s", argv[0], strerror (r));
      return 125;
    }
  while (waitpid (pid, &st, 0) < 0)
    if (errno != EINTR)
      return 125;
  return WIFEXITED (st) ? WEXITSTATUS (st) : 128 + WTERMSIG (st);
}

static pid_t
read_pid (struct exec_ctx *c)
{
  cleanup_free char *path = husk_asprintf ("%s/%s", c->cfg.dir, HUSK_EXEC_PIDFILE);
  cleanup_free char *text = husk_read_file (path, NULL, NULL);
  long pid;

  if (text == NULL || husk_frame_parse_long (text, strlen (text), 1, INT32_MAX, &pid) < 0)
    return -1;
  return (pid_t) pid;
}

static void
write_exit (struct exec_ctx *c, const char *error)
{
  struct husk_monitor_exit ex = { .exit_code = c->exit_code, .finished_at_ns = husk_now_ns (),
                                  .error = (char *) error };
  husk_error_t err = NULL;

  if (husk_monitor_write_exit (c->cfg.dir, &ex, &err) < 0)
    {
      husk_log_error ("%s", err->msg);
      husk_error_release (&err);
    }
}

/* The runtime did not start the process (status: its exit status, or -1
   when it gave no pid): the caller hears why, the exit file keeps it.  */
static void
start_failed (struct exec_ctx *c, int status, const char *why)
{
  cleanup_free char *msg = why ? husk_xstrdup (why)
                               : c->cfg.runtime_log ? husk_runtime_log_error (c->cfg.runtime_log)
                                                    : NULL;
  const char *slash = strrchr (c->cfg.runtime, '/');
  cleanup_free char *frame = husk_asprintf ("%d %s", status, msg ? msg : "");
  cleanup_free char *error = msg ? husk_asprintf ("%s: %s", slash + 1, msg)
                                 : husk_asprintf ("%s exec exited with status %d", slash + 1,
                                                  status);

  husk_log_error ("%s", error);
  c->exit_code = msg ? husk_runtime_exit_code (msg, NULL) : 125;
  write_exit (c, error);
  send_text (c, HUSK_ATTACH_ERROR, frame);
}

static void
close_pair (int p[2])
{
  for (int i = 0; i < 2; i++)
    if (p[i] >= 0)
      close (p[i]);
  p[0] = p[1] = -1;
}

static void
close_fd (int *fd)
{
  if (*fd >= 0)
    close (*fd);
  *fd = -1;
}

/* A pipe at EOF, read as /dev/null would be.  */
static int
eof_pipe (void)
{
  int p[2];

  if (pipe2 (p, O_CLOEXEC) < 0)
    return -1;
  close (p[1]);
  return p[0];
}

/* Start the process.  Return: 0, or -1 (the caller told).  */
static int
start (struct exec_ctx *c)
{
  int out[2] = { -1, -1 }, err[2] = { -1, -1 }, in[2] = { -1, -1 };
  cleanup_free char *console = NULL;
  cleanup_close int dirfd = -1, lfd = -1;
  cleanup_strv char **argv = NULL;
  /* Detached too: the process's output is read and dropped once the
     caller has gone, rather than going to the host's /dev/null (see the
     stdin below).  */
  bool pipes = !c->cfg.terminal;
  int status, master = -1;
  char pid[16];

  if (c->cfg.terminal && (lfd = console_listen (c, &console, &dirfd)) < 0)
    return start_failed (c, -1, "cannot create the console socket"), -1;
  if (pipes
      && (pipe2 (out, O_CLOEXEC) < 0 || pipe2 (err, O_CLOEXEC) < 0
          || (c->cfg.stdin_open && pipe2 (in, O_CLOEXEC) < 0)))
    {
      status = errno;
      close_pair (out);
      close_pair (err);
      close_pair (in);
      return start_failed (c, -1, strerror (status)), -1;
    }
  /* Never the host's /dev/null as stdin: crun 1.8.1 fchowns the process's
     non-terminal stdio to its user (see monitor/runtime.c, host_device).  */
  if (in[0] < 0 && (in[0] = eof_pipe ()) < 0)
    {
      status = errno;
      close_pair (out);
      close_pair (err);
      return start_failed (c, -1, strerror (status)), -1;
    }
  argv = husk_exec_config_argv (&c->cfg, console);
  status = run_runtime (c, argv, (int[3]){ in[0], out[1], err[1] });
  close_preserved (c);
  close_fd (&in[0]);
  close_fd (&out[1]);
  close_fd (&err[1]);
  if (lfd >= 0)
    {
      cleanup_free char *path = husk_asprintf ("%s/%s", c->cfg.dir, HUSK_EXEC_CONSOLE);
      if (status == 0 && (master = mon_console_receive (lfd)) < 0)
        status = -1;
      unlink (path);
    }
  if (status == 0 && (c->pid = read_pid (c)) <= 0)
    status = -1;
  if (status != 0)
    {
      /* What the runtime said on stderr reaches the caller, as when it
         ran with the caller's stdio.  */
      if (err[0] >= 0)
        {
          c->fd[K_ERR] = err[0];
          err[0] = -1;
          fcntl (c->fd[K_ERR], F_SETFL, O_NONBLOCK);
          for (int i = 0; i < DRAIN_READS && c->fd[K_ERR] >= 0 && read_output (c, K_ERR); i++)
            ;
        }
      close_fd (&master);
      close_pair (out);
      close_pair (err);
      close_pair (in);
      start_failed (c, status, status == -1 ? "the runtime started no process" : NULL);
      return -1;
    }
  c->fd[K_OUT] = master >= 0 ? master : out[0];
  c->fd[K_ERR] = err[0];
  c->fd[K_IN] = in[1];
  if (master >= 0 && c->cfg.stdin_open)
    c->fd[K_IN] = fcntl (master, F_DUPFD_CLOEXEC, 3);
  for (int k = K_OUT; k <= K_IN; k++)
    if (c->fd[k] >= 0)
      fcntl (c->fd[k], F_SETFL, fcntl (c->fd[k], F_GETFL) | O_NONBLOCK);
  snprintf (pid, sizeof pid, "%d", (int) c->pid);
  send_text (c, HUSK_ATTACH_STARTED, pid);
  return 0;
}

/* --- Relay ---------------------------------------------------------------- */

/* Read one chunk of output.  Return: false when there is nothing now.  */
static bool
read_output (struct exec_ctx *c, enum kind k)
{
  char buf[HUSK_ATTACH_FRAME_MAX];
  ssize_t n = read (c->fd[k], buf, sizeof buf);

  if (n < 0 && (errno == EINTR || errno == EAGAIN))
    return n < 0 && errno == EINTR;
  if (n <= 0)
    {
      /* EOF, or EIO: a terminal nobody holds any more.  */
      close_kind (c, k);
      return false;
    }
  send_frame (c, k == K_ERR ? HUSK_ATTACH_STDERR : HUSK_ATTACH_STDOUT, buf, n);
  return true;
}

static void
write_stdin (struct exec_ctx *c)
{
  while (c->fd[K_IN] >= 0 && c->in_off < c->in_buf.len)
    {
      ssize_t n = write (c->fd[K_IN], c->in_buf.data + c->in_off, c->in_buf.len - c->in_off);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0 && errno == EAGAIN)
        return;
      if (n < 0)
        {
          /* The process closed its stdin: what waits is for nobody.  */
          close_kind (c, K_IN);
          break;
        }
      c->in_off += n;
    }
  c->in_buf.len = c->in_off = 0;
  if (c->in_close_after)
    close_kind (c, K_IN);
}

static void
on_frame (struct exec_ctx *c, const char *f, size_t n)
{
  unsigned short rows, cols;
  long v;

  switch (f[0])
    {
    case HUSK_ATTACH_STDIN:
      if (c->fd[K_IN] >= 0 && !c->in_close_after)
        husk_buf_append (&c->in_buf, f + 1, n - 1);
      break;
    case HUSK_ATTACH_CLOSE_STDIN:
      /* A terminal ends its input with its end-of-file character.  */
      if (c->cfg.terminal && c->fd[K_IN] >= 0)
        husk_buf_append (&c->in_buf, "\x04", 1);
      else
        c->in_close_after = true;
      break;
    case HUSK_ATTACH_RESIZE:
      if (c->cfg.terminal && c->fd[K_OUT] >= 0
          && husk_frame_parse_size (f + 1, n - 1, &rows, &cols) == 0)
        ioctl (c->fd[K_OUT], TIOCSWINSZ, &(struct winsize){ .ws_row = rows, .ws_col = cols });
      break;
    case HUSK_ATTACH_SIGNAL:
      if (c->pid > 0 && husk_frame_parse_long (f + 1, n - 1, 1, SIGRTMAX, &v) == 0)
        kill (c->pid, (int) v);
      break;
    case HUSK_ATTACH_CLOSE_OUT:
      /* Nobody reads our output: the process's next write fails, as it
         would have on the caller's own broken pipe.  A terminal stays. */
      if (!c->cfg.terminal)
        {
          close_kind (c, K_OUT);
          close_kind (c, K_ERR);
        }
      break;
    default:
      break;
    }
  write_stdin (c);
}

static void
on_socket (struct exec_ctx *c, uint32_t events)
{
  char buf[HUSK_ATTACH_FRAME_MAX + 2];

  if ((events & EPOLLOUT) && husk_frame_queue_flush (&c->q, c->fd[K_SOCK]) < 0)
    {
      client_gone (c);
      return;
    }
  if (!(events & (EPOLLIN | EPOLLHUP | EPOLLERR)))
    return;
  for (int i = 0; i < 16 && c->fd[K_SOCK] >= 0; i++)
    {
      ssize_t n = recv (c->fd[K_SOCK], buf, sizeof buf, MSG_DONTWAIT);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0 && errno == EAGAIN)
        return;
      if (n <= 0)
        {
          client_gone (c);
          return;
        }
      on_frame (c, buf, n);
    }
}

static void
reap (struct exec_ctx *c)
{
  struct signalfd_siginfo si;
  pid_t r;
  int st;

  while (read (c->fd[K_SIG], &si, sizeof si) == sizeof si)
    ;
  /* As a subreaper we also get what the process leaves behind.  */
  while ((r = waitpid (-1, &st, WNOHANG)) > 0 || (r < 0 && errno == EINTR))
    if (r == c->pid && r > 0)
      {
        c->exit_code = WIFEXITED (st) ? WEXITSTATUS (st) : 128 + WTERMSIG (st);
        c->exited = true;
        c->pid = 0;
      }
}

static void
relay (struct exec_ctx *c)
{
  struct epoll_event ev[8];

  want (c, K_SIG, EPOLLIN);
  reap (c);
  while (!c->exited)
    {
      int n;

      update_interest (c);
      n = epoll_wait (c->epfd, ev, 8, -1);
      if (n < 0 && errno != EINTR)
        {
          husk_log_error ("epoll_wait: %s", strerror (errno));
          return;
        }
      for (int i = 0; i < n; i++)
        {
          enum kind k = ev[i].data.u32;
          if (c->fd[k] < 0)
            continue;
          if (k == K_SIG)
            reap (c);
          else if (k == K_SOCK)
            on_socket (c, ev[i].events);
          else if (k == K_IN)
            write_stdin (c);
          else if (!(c->fd[K_SOCK] >= 0 && husk_frame_queue_pending (&c->q) > 0))
            read_output (c, k);
        }
    }
}

/* EXIT, the last frame; the caller gets FINAL_SEND_MS without progress to
   take what is left.  */
static void
send_exit (struct exec_ctx *c)
{
  char code[16];

  snprintf (code, sizeof code, "%d", c->exit_code);
  send_text (c, HUSK_ATTACH_EXIT, code);
  while (c->fd[K_SOCK] >= 0 && husk_frame_queue_pending (&c->q) > 0)
    {
      struct pollfd p = { c->fd[K_SOCK], POLLOUT, 0 };
      if (poll (&p, 1, FINAL_SEND_MS) <= 0
          || husk_frame_queue_flush (&c->q, c->fd[K_SOCK]) < 0)
        break;
    }
}

/* After the exit: what the pipes or the terminal hold now, then the exit
   file, then EXIT.  */
static void
finish (struct exec_ctx *c)
{
  for (int k = K_OUT; k <= K_ERR; k++)
    for (int i = 0; i < DRAIN_READS && c->fd[k] >= 0 && read_output (c, k); i++)
      ;
  write_exit (c, NULL);
  send_exit (c);
}

/* --- Setup ---------------------------------------------------------------- */

/* Wait for the GO frame, making the runtime's sealed copy when a RUNTIME
   frame names it first.  Return: 0, or -1 when the caller gave up.  */
static int
await_go (struct exec_ctx *c)
{
  size_t cap = 1 << 20;
  cleanup_free char *buf = husk_xmalloc (cap);
  husk_error_t err = NULL;

  for (;;)
    {
      ssize_t n = recv (c->fd[K_SOCK], buf, cap - 1, 0);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 1)
        return -1;
      buf[n] = '\0';
      if (buf[0] == HUSK_ATTACH_RUNTIME && c->rt_copy < 0 && buf[1] == '/')
        c->rt_copy = husk_runtime_sealed_copy (buf + 1);
      if (buf[0] == HUSK_ATTACH_GO)
        break;
    }
  if (husk_exec_config_parse (buf + 1, strlen (buf + 1), &c->cfg, &c->cfg_json, &err) < 0)
    {
      husk_log_error ("%s", err->msg);
      husk_error_release (&err);
      return -1;
    }
  if (c->rt_copy < 0)
    c->rt_copy = husk_runtime_sealed_copy (c->cfg.runtime);
  return 0;
}

/* Our messages go to the session's monitor.log from now on.  */
static void
redirect_stderr (struct exec_ctx *c)
{
  cleanup_free char *path = husk_asprintf ("%s/%s", c->cfg.dir, HUSK_MONITOR_LOG);
  int fd = open (path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);

  if (fd >= 0)
    {
      dup2 (fd, 2);
      close (fd);
    }
}

static int
setup (struct exec_ctx *c)
{
  sigset_t set;

  signal (SIGHUP, SIG_IGN);
  signal (SIGPIPE, SIG_IGN);
  sigemptyset (&set);
  sigaddset (&set, SIGCHLD);
  sigprocmask (SIG_BLOCK, &set, NULL);
  if (prctl (PR_SET_CHILD_SUBREAPER, 1) < 0)
    return -1;
  c->fd[K_SIG] = signalfd (-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
  c->epfd = epoll_create1 (EPOLL_CLOEXEC);
  c->null_fd = open ("/dev/null", O_RDWR | O_CLOEXEC);
  if (c->fd[K_SIG] < 0 || c->epfd < 0 || c->null_fd < 0)
    return -1;
  return 0;
}

static void
release (struct exec_ctx *c)
{
  for (int k = 0; k < K_COUNT; k++)
    close_kind (c, k);
  husk_frame_queue_release (&c->q);
  husk_buf_release (&c->in_buf);
  husk_exec_config_release (&c->cfg);
  json_decref (c->cfg_json);
}

int
mon_exec_main (int argc, char **argv)
{
  struct exec_ctx ctx = { .epfd = -1, .null_fd = -1, .rt_copy = -1 };
  struct exec_ctx *c = &ctx;
  long sock = -1;
  pid_t pid;
  int ret = 0, fork_errno;

  for (int k = 0; k < K_COUNT; k++)
    c->fd[k] = -1;
  if (argc == 4 && strcmp (argv[2], "--sock-fd") == 0)
    husk_frame_parse_long (argv[3], strlen (argv[3]), 3, 1 << 20, &sock);
  if (sock < 0)
    {
      fprintf (stderr, "usage: husk-monitor --exec --sock-fd N\n");
      return 2;
    }
  c->fd[K_SOCK] = (int) sock;
  fcntl (c->fd[K_SOCK], F_SETFD, FD_CLOEXEC);
  if (setup (c) < 0)
    husk_log_error ("exec monitor setup: %s", strerror (errno));
  else if (await_go (c) == 0)
    {
      hold_preserved (c);
      /* Detached, we outlive the caller: belong to nobody (the caller
         reaps our first process at once).  A subreaper's child is none. */
      pid = c->cfg.detach ? fork () : 0;
      fork_errno = errno;
      if (pid > 0)
        _exit (0);
      if (c->cfg.detach && pid == 0)
        prctl (PR_SET_CHILD_SUBREAPER, 1);
      redirect_stderr (c);
      husk_log_set_level (c->cfg.log_level);
      /* A detached session that cannot leave its caller does not start:
         the caller waits for our first process.  */
      if (pid < 0)
        start_failed (c, -1, strerror (fork_errno));
      if (pid == 0 && start (c) == 0)
        {
          relay (c);
          finish (c);
        }
      else
        {
          close_preserved (c);
          send_exit (c);
          ret = 1;
        }
    }
  if (c->rt_copy >= 0)
    close (c->rt_copy);
  release (c);
  return ret;
}
