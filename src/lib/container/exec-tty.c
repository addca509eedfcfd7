/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * exec with a terminal: the runtime hands the pty master over a console
 * socket and leaves; the master is proxied to the caller's terminal, with
 * detach keys and window size changes (see exec.c for the theory).
 */
#include "container/exec-private.h"
#include "util/cleanup.h"
#include "util/fileutil.h"
#include "util/strutil.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <termios.h>
#include <unistd.h>

struct console
{
  char *dir;
  char *path;
  int fd;
};


static void
console_release (struct console *c)
{
  if (c->fd >= 0)
    close (c->fd);
  if (c->path)
    unlink (c->path);
  if (c->dir)
    rmdir (c->dir);
  free (c->path);
  free (c->dir);
  c->fd = -1;
  c->path = c->dir = NULL;
}


static int
console_listen (struct console *c, husk_error_t *err)
{
  struct sockaddr_un sa = { .sun_family = AF_UNIX };

  c->fd = -1;
  c->path = NULL;
  c->dir = husk_mkdtemp_in ("/tmp", "husk-exec-", err);
  if (c->dir == NULL)
    return -1;
  c->path = husk_asprintf ("%s/console", c->dir);
  if (strlen (c->path) >= sizeof sa.sun_path)
    return husk_error_makex (err, ENAMETOOLONG, "console socket path '%s' is too long", c->path);
  memcpy (sa.sun_path, c->path, strlen (c->path) + 1);
  c->fd = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (c->fd < 0)
    return husk_error_make (err, errno, "console socket");
  if (bind (c->fd, (struct sockaddr *) &sa, sizeof sa) < 0 || listen (c->fd, 1) < 0)
    return husk_error_make (err, errno, "console socket '%s'", c->path);
  return 0;
}

/* Receive one descriptor (SCM_RIGHTS) from a connected socket.  */
static int
recv_fd (int sock, husk_error_t *err)
{
  char data[4096];
  union
  {
    char buf[CMSG_SPACE (sizeof (int))];
    struct cmsghdr align;
  } u;
  struct iovec iov = { data, sizeof data };
  struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf,
                      .msg_controllen = sizeof u.buf };
  struct cmsghdr *cm;
  ssize_t n;
  int fd;

  do
    n = recvmsg (sock, &m, MSG_CMSG_CLOEXEC);
  while (n < 0 && errno == EINTR);
  if (n < 0)
    return husk_error_make (err, errno, "receive the terminal from the runtime");
  cm = CMSG_FIRSTHDR (&m);
  if (cm == NULL || cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS
      || cm->cmsg_len != CMSG_LEN (sizeof (int)))
    return husk_error_makex (err, EIO, "the runtime sent no terminal");
  memcpy (&fd, CMSG_DATA (cm), sizeof fd);
  return fd;
}

/* Wait for the runtime to hand over the pty master.  Return: the master,
   or -1; *rt_code is set when the runtime exited first.  */
static int
console_receive (struct console *c, pid_t rt, int *rt_code, husk_error_t *err)
{
  for (;;)
    {
      struct pollfd p = { c->fd, POLLIN, 0 };
      int st, r = poll (&p, 1, 100);

      if (r < 0 && errno != EINTR)
        return husk_error_make (err, errno, "poll");
      if (r > 0)
        {
          cleanup_close int conn = accept4 (c->fd, NULL, NULL, SOCK_CLOEXEC);
          if (conn < 0)
            return husk_error_make (err, errno, "accept on the console socket");
          return recv_fd (conn, err);
        }
      if (waitpid (rt, &st, WNOHANG) == rt)
        {
          *rt_code = husk_exec_status_code (st);
          return husk_error_makex (err, EIO, "the runtime exited with status %d before it "
                                   "sent the terminal", *rt_code);
        }
    }
}

/* Keep reading the master in a detached process until the process ends. */
static void
hold_master (int master)
{
  pid_t pid = fork ();

  if (pid == 0)
    {
      char buf[4096];
      int null;

      if (setsid () < 0 || fork () != 0)
        _exit (0);
      null = open ("/dev/null", O_RDWR);
      if (null < 0 || dup2 (master, 3) < 0)
        _exit (1);
      for (int i = 0; i < 3; i++)
        dup2 (null, i);
      close_range (4, ~0U, 0);
      for (;;)
        {
          ssize_t n = read (3, buf, sizeof buf);
          if (n < 0 && errno == EINTR)
            continue;
          if (n <= 0)
            _exit (0);
        }
    }
  if (pid > 0)
    while (waitpid (pid, NULL, 0) < 0 && errno == EINTR)
      ;
}

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

struct proxy
{
  int master, in_fd, out_fd, sfd;
  bool in_open;
  pid_t pid;       /* the process: our child once the runtime has left */
  int code;        /* its exit status; -1 until it ended */
  unsigned char keys[16];
  int nkeys, matched;
};


static void
resize (struct proxy *p)
{
  struct winsize ws;

  if (husk_exec_term_size (p->in_open ? p->in_fd : -1, p->out_fd, &ws))
    ioctl (p->master, TIOCSWINSZ, &ws);
}

/* Input through the detach-key matcher to the master.  Return: 1 when the
   keys were typed.  */
static int
forward_input (struct proxy *p, const unsigned char *in, size_t len)
{
  struct husk_buf out = HUSK_BUF_INIT;
  int detached = 0;

  for (size_t i = 0; i < len && !detached; i++)
    {
      if (p->nkeys > 0 && in[i] == p->keys[p->matched])
        {
          detached = ++p->matched == p->nkeys;
          continue;
        }
      husk_buf_append (&out, p->keys, p->matched);
      p->matched = 0;
      if (p->nkeys > 0 && in[i] == p->keys[0])
        p->matched = 1;
      else
        husk_buf_putc (&out, (char) in[i]);
    }
  if (out.len > 0)
    husk_write_all (p->master, out.data, out.len);
  husk_buf_release (&out);
  return detached;
}

/* Copy what the master has to out_fd.  Return: false at its end.  */
static bool
pump_output (struct proxy *p)
{
  char buf[8192];
  ssize_t n = read (p->master, buf, sizeof buf);

  if (n < 0 && (errno == EINTR || errno == EAGAIN))
    return true;
  if (n <= 0)
    return false;
  husk_write_all (p->out_fd, buf, n);
  return true;
}

/* The process is gone: copy what the pty still holds, without waiting for
   more (a background process may keep the terminal open).  */
static void
drain_output (struct proxy *p)
{
  char buf[8192];
  ssize_t n;

  fcntl (p->master, F_SETFL, fcntl (p->master, F_GETFL) | O_NONBLOCK);
  while ((n = read (p->master, buf, sizeof buf)) > 0 || (n < 0 && errno == EINTR))
    if (n > 0)
      husk_write_all (p->out_fd, buf, n);
}

/* Reap what has ended (as a subreaper, orphans of the container's
   processes come to us too), noting the process's status.  */
static void
reap (struct proxy *p)
{
  pid_t r;
  int st;

  while ((r = waitpid (-1, &st, WNOHANG)) > 0 || (r < 0 && errno == EINTR))
    if (r == p->pid)
      p->code = husk_exec_status_code (st);
}


static void
handle_signals (struct proxy *p)
{
  struct signalfd_siginfo si;

  while (read (p->sfd, &si, sizeof si) == sizeof si)
    if (si.ssi_signo == SIGWINCH)
      resize (p);
  reap (p);
}


static bool
handle_input (struct proxy *p)
{
  unsigned char in[4096];
  ssize_t r = read (p->in_fd, in, sizeof in);

  if (r < 0 && (errno == EINTR || errno == EAGAIN))
    return false;
  if (r <= 0)
    {
      /* End of input: the terminal's end-of-file character.  */
      p->in_open = false;
      husk_write_all (p->master, "\x04", 1);
      return false;
    }
  return forward_input (p, in, r);
}

/* Proxy until the process ends or the user detaches.  Return: 1 when
   detached, 0 when done (p->code set).  */
static int
proxy_loop (struct proxy *p)
{
  for (;;)
    {
      struct pollfd pf[3] = { { p->master, POLLIN, 0 }, { p->sfd, POLLIN, 0 },
                              { p->in_fd, POLLIN, 0 } };
      int n = poll (pf, p->in_open ? 3 : 2, -1);

      if (n < 0 && errno != EINTR)
        break;
      if (n <= 0)
        continue;
      if (pf[1].revents & POLLIN)
        handle_signals (p);
      if ((pf[0].revents & (POLLIN | POLLHUP | POLLERR)) && !pump_output (p))
        break;
      if (p->code >= 0)
        {
          drain_output (p);
          return 0;
        }
      if (p->in_open && (pf[2].revents & (POLLIN | POLLHUP | POLLERR)) && handle_input (p))
        return 1;
    }
  if (p->code < 0)
    p->code = husk_runtime_wait (p->pid);
  return 0;
}


static pid_t
read_pid (struct husk_exec_session *s, husk_error_t *err)
{
  cleanup_free char *path = husk_asprintf ("%s/pid", s->dir);
  cleanup_free char *text = husk_read_file (path, NULL, err);
  long pid = text ? strtol (text, NULL, 10) : 0;

  if (text && (pid <= 0 || pid > INT_MAX))
    husk_error_makex (err, EIO, "invalid pid file '%s'", path);
  return text && pid > 0 && pid <= INT_MAX ? (pid_t) pid : -1;
}

/* Start the process on a terminal.  The runtime hands the pty master over
   the console socket, starts the process and leaves (--detach: runc
   proxies a terminal itself otherwise).  Return: the master, or -1.  */
static int
tty_start (struct husk_exec_session *s, const sigset_t *mask, pid_t *pid, husk_error_t *err)
{
  struct console c = { .fd = -1 };
  cleanup_strv char **argv = NULL;
  husk_error_t rerr = NULL;
  int master = -1, code = -1;
  pid_t rt;

  if (console_listen (&c, err) < 0)
    {
      console_release (&c);
      return -1;
    }
  argv = husk_exec_argv (s, c.path, true);
  rt = husk_runtime_spawn (argv, &(struct husk_runtime_stdio){ .fds = { -1, -1, -1 },
                                                            .mask = mask, .new_session = true },
                           err);
  if (rt >= 0)
    master = console_receive (&c, rt, &code, err);
  /* Closed, the socket makes a runtime still waiting on it give up.  */
  console_release (&c);
  if (rt < 0)
    return -1;
  if (code < 0)
    code = husk_runtime_wait (rt);
  if (husk_exec_check_runtime (s, code, &rerr) < 0 || (master >= 0 && code != 0))
    {
      if (master >= 0)
        close (master);
      if (rerr == NULL)
        return husk_error_makex (err, EIO, "%s exec exited with status %d", s->rt->name, code);
      return husk_error_move (err, &rerr);
    }
  if (master >= 0 && (*pid = read_pid (s, err)) < 0)
    {
      close (master);
      return -1;
    }
  return master;
}

/* Proxy the master to the caller's terminal.  Return: 0.  */
static int
tty_proxy (struct proxy *p, const sigset_t *block, int *exit_code)
{
  struct termios saved, raw;
  bool restore = false;
  int tfd;

  p->sfd = signalfd (-1, block, SFD_CLOEXEC | SFD_NONBLOCK);
  resize (p);
  /* The container's terminal does the line discipline: ours passes bytes
     through (raw with input; without, only its output processing off, so
     ^C still reaches us).  */
  tfd = p->in_open && isatty (p->in_fd) ? p->in_fd : isatty (p->out_fd) ? p->out_fd : -1;
  if (tfd >= 0 && tcgetattr (tfd, &saved) == 0)
    {
      raw = saved;
      if (tfd == p->in_fd)
        cfmakeraw (&raw);
      else
        raw.c_oflag &= ~OPOST;
      restore = tcsetattr (tfd, TCSANOW, &raw) == 0;
    }
  if (proxy_loop (p))
    {
      hold_master (p->master);
      *exit_code = 0;
    }
  else
    *exit_code = p->code;
  if (restore)
    tcsetattr (tfd, TCSANOW, &saved);
  if (p->sfd >= 0)
    close (p->sfd);
  return 0;
}

/* With a terminal.  */
int
husk_exec_run_tty (struct husk_exec_session *s, husk_error_t *err)
{
  const struct husk_exec_opts *o = s->o;
  struct proxy p = { .in_fd = o->in_fd, .out_fd = o->out_fd, .sfd = -1, .code = -1,
                     .in_open = o->interactive && o->in_fd >= 0 };
  sigset_t block, old;
  int was_reaper = 0, ret = -1;

  p.nkeys = parse_keys (o->detach_keys, p.keys, sizeof p.keys);
  if (p.nkeys < 0)
    return husk_error_makex (err, EINVAL, "invalid detach keys '%s'", o->detach_keys);
  sigemptyset (&block);
  sigaddset (&block, SIGCHLD);
  sigaddset (&block, SIGWINCH);
  sigprocmask (SIG_BLOCK, &block, &old);
  /* Once the runtime has left, the process is ours to wait for.  */
  prctl (PR_GET_CHILD_SUBREAPER, &was_reaper);
  if (!o->detach)
    prctl (PR_SET_CHILD_SUBREAPER, 1);
  p.master = tty_start (s, &old, &p.pid, err);
  if (p.master >= 0 && o->detach)
    {
      hold_master (p.master);
      *s->exit_code = 0;
      ret = 0;
    }
  else if (p.master >= 0)
    ret = tty_proxy (&p, &block, s->exit_code);
  if (p.master >= 0)
    close (p.master);
  /* A process that failed to start may still come to us to be reaped.  */
  if (p.master < 0 && !o->detach)
    husk_exec_reap_orphans (10);
  prctl (PR_SET_CHILD_SUBREAPER, was_reaper);
  sigprocmask (SIG_SETMASK, &old, NULL);
  return ret;
}
