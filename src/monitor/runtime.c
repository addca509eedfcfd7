/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * husk-monitor: running the OCI runtime.  Every runtime command but exec
 * runs synchronously (create, start, kill, delete take milliseconds); the
 * healthcheck's exec runs from the event loop (health.c).
 *
 * Errors: the runtime writes its messages to --log <userdata>/runtime.log
 * as JSON (crun and runc both do, with --log-format json), truncated before
 * each create and start; the last error-level "msg" is what the user sees,
 * prefixed with the runtime's name as Podman does ("crun: executable file
 * `x` not found in $PATH: No such file or directory").  The runtime's
 * stderr is the fallback: during create it is the container's stderr pipe,
 * which carries nothing else then, since the container's program only
 * runs after start.
 */
#include "monitor/monitor.h"
#include "util/exec.h"
#include "util/cleanup.h"
#include "util/fileutil.h"
#include "util/log.h"
#include "util/strutil.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

/* In a forked child: fds[0..2] become its stdio, the @keep fds from
   HUSK_MONITOR_PRESERVED_FD on its 3 .. 3+keep-1 (--preserve-fds) and the
   gate, if any, the next one (close-on-exec); nothing else stays open.
   Return: the gate's fd.  */
static int
child_fds (const int fds[3], int gate, int keep)
{
  int tmp[4] = { -1, -1, -1, -1 }, top = HUSK_MONITOR_PRESERVED_FD + keep;

  /* Lifted above every source and target first: no dup2 clobbers one.  */
  for (int i = 0; i < 3; i++)
    if ((tmp[i] = fcntl (fds[i], F_DUPFD, top)) < 0)
      _exit (127);
  if (gate >= 0 && (tmp[3] = fcntl (gate, F_DUPFD_CLOEXEC, top)) < 0)
    _exit (127);
  for (int i = 0; i < 3; i++)
    if (dup2 (tmp[i], i) < 0)
      _exit (127);
  /* Upwards, each target below its source: a source is moved before any
     later target lands on it.  */
  for (int i = 0; i < keep; i++)
    if (dup2 (HUSK_MONITOR_PRESERVED_FD + i, 3 + i) < 0)
      _exit (127);
  if (gate >= 0 && dup3 (tmp[3], 3 + keep, O_CLOEXEC) < 0)
    _exit (127);
  close_range (3 + keep + (gate >= 0), ~0U, 0);
  return gate >= 0 ? 3 + keep : -1;
}

/* In a child forked ahead of the go: wait on the gate for the caller's
   go, peeking, so that the byte stays for the monitor to read once we are
   done; leave on anything else.  Until the go we die with the monitor
   (PR_SET_PDEATHSIG): no container may start without one.  After it, a
   runtime already running is left to finish, as it always was.  */
static void
child_wait_go (pid_t monitor, int gate)
{
  char b = 0;
  ssize_t n;

  if (prctl (PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid () != monitor)
    _exit (0);
  do
    n = recv (gate, &b, 1, MSG_PEEK);
  while (n < 0 && errno == EINTR);
  if (n != 1 || b != '1')
    _exit (0);
  prctl (PR_SET_PDEATHSIG, 0);
}

/* The child of spawn(): default signals, its fds, and with a gate the
   runtime's sealed copy and the wait for the go; then the exec.  */
static void __attribute__ ((noreturn))
child_exec (struct mon_ctx *c, char **argv, const int fds[3], char **env, int gate,
            int keep, pid_t monitor)
{
  int copy = -1;
  sigset_t none;

  /* exec resets caught signals; of ours only the ignored ones would stay
     (monitor.c: block_signals), and the blocked mask.  */
  signal (SIGHUP, SIG_DFL);
  signal (SIGPIPE, SIG_DFL);
  sigemptyset (&none);
  sigprocmask (SIG_SETMASK, &none, NULL);
  gate = child_fds (fds, gate, keep);
  if (gate >= 0)
    {
      if (strcmp (argv[0], c->o->runtime) == 0)
        copy = husk_runtime_sealed_copy (argv[0]);
      child_wait_go (monitor, gate);
    }
  husk_exec_runtime_from (copy, argv[0], argv, env ? env : environ);
  _exit (127);
}

/* Fork a child that executes argv (the runtime through a sealed copy,
   util/exec.h) with stdio in, out, err (-1: /dev/null) and the first @keep
   of the caller's preserved fds on 3 .. 3+keep-1.  With gate >= 0 it
   first makes the runtime's copy and waits there for the go: all of the
   fork's cost is then paid before the go, and only the exec after it.
   Return: its pid, or -1.  */
static pid_t
spawn (struct mon_ctx *c, char **argv, int in, int out, int err, char **env,
       int gate, int keep)
{
  int fds[3] = { in, out, err };
  pid_t monitor = getpid (), pid;

  for (int i = 0; i < 3; i++)
    if (fds[i] < 0)
      fds[i] = c->null_fd;
  husk_log_argv ("running", argv);
  pid = fork ();
  if (pid < 0)
    husk_log_error ("fork: %s", strerror (errno));
  else if (pid == 0)
    child_exec (c, argv, fds, env, gate, keep, monitor);
  return pid;
}

/* Wait for a child of spawn().  Return: its exit status, 128 + the signal
   that killed it, or -1.  */
static int
reap (pid_t pid)
{
  int status;

  while (waitpid (pid, &status, 0) < 0)
    if (errno != EINTR)
      return -1;
  return WIFEXITED (status) ? WEXITSTATUS (status) : 128 + WTERMSIG (status);
}

int
mon_run (struct mon_ctx *c, char **argv, int in, int out, int err, char **env)
{
  pid_t pid = spawn (c, argv, in, out, err, env, -1, 0);

  return pid < 0 ? -1 : reap (pid);
}

/* runtime [--root R] [args] --log L --log-format json VERB ARGS... NULL */
static char **
runtime_argv (struct mon_ctx *c, const char *verb, ...)
{
  cleanup_free char *log = husk_asprintf ("%s/%s", c->o->userdata, HUSK_MONITOR_RUNTIME_LOG);
  cleanup (husk_runtime_free) struct husk_runtime *rt = husk_monitor_runtime (c->o, log);
  char **argv;
  va_list ap;

  va_start (ap, verb);
  argv = husk_runtime_argv_v (rt, verb, ap);
  va_end (ap);
  return argv;
}

static int
open_runtime_log (struct mon_ctx *c, bool truncate)
{
  cleanup_free char *path
      = husk_asprintf ("%s/%s", c->o->userdata, HUSK_MONITOR_RUNTIME_LOG);

  return open (path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC
                         | (truncate ? O_TRUNC : 0),
               0600);
}

/* The last non-empty line of what fd has (non-blocking), or NULL.  */
static char *
last_line (int fd)
{
  char buf[4096];
  ssize_t n;
  char *end, *start;

  if (fd < 0)
    return NULL;
  fcntl (fd, F_SETFL, O_NONBLOCK);
  n = read (fd, buf, sizeof (buf) - 1);
  if (n <= 0)
    return NULL;
  buf[n] = '\0';
  end = buf + n;
  while (end > buf && (end[-1] == '\n' || end[-1] == '\r'))
    *--end = '\0';
  start = strrchr (buf, '\n');
  start = start ? start + 1 : buf;
  return *start ? husk_xstrdup (start) : NULL;
}

static void
set_error (struct mon_ctx *c, const char *verb, int rc, int stderr_fd)
{
  cleanup_free char *log
      = husk_asprintf ("%s/%s", c->o->userdata, HUSK_MONITOR_RUNTIME_LOG);
  cleanup_free char *msg = husk_runtime_log_error (log);

  if (msg == NULL)
    msg = last_line (stderr_fd);
  free (c->error);
  if (msg)
    c->error = husk_asprintf ("%s: %s", c->runtime_name, msg);
  else
    c->error = husk_asprintf ("%s %s failed with status %d", c->runtime_name,
                              verb, rc);
  husk_log_error ("%s", c->error);
}

static pid_t
read_pidfile (struct mon_ctx *c)
{
  cleanup_free char *path
      = husk_asprintf ("%s/%s", c->o->userdata, HUSK_MONITOR_PIDFILE);
  char buf[32];
  cleanup_close int fd = open (path, O_RDONLY | O_CLOEXEC);
  ssize_t n = fd >= 0 ? read (fd, buf, sizeof (buf) - 1) : -1;

  if (n <= 0)
    return -1;
  buf[n] = '\0';
  return (pid_t) strtol (buf, NULL, 10);
}

/* The console socket: the runtime sends the pty master to it.  Its path
   must work in the runtime's process, so a path too long for sun_path goes
   through /proc/<our pid>/fd/N rather than /proc/self.  */
static int
console_listen (struct mon_ctx *c, char **path_out, int *dirfd)
{
  struct sockaddr_un sa;
  socklen_t len;
  int fd;

  if (husk_monitor_sockaddr (c->o->userdata, "console.sock", &sa, &len, dirfd,
                             NULL) < 0)
    return -1;
  fd = socket (AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return -1;
  unlink (sa.sun_path);
  if (bind (fd, (struct sockaddr *) &sa, len) < 0 || listen (fd, 1) < 0)
    {
      husk_log_error ("console socket '%s': %s", sa.sun_path, strerror (errno));
      close (fd);
      return -1;
    }
  if (*dirfd >= 0)
    *path_out = husk_asprintf ("/proc/%d/fd/%d/console.sock", (int) getpid (),
                               *dirfd);
  else
    *path_out = husk_xstrdup (sa.sun_path);
  return fd;
}

int
mon_console_receive (int lfd)
{
  cleanup_close int conn = accept4 (lfd, NULL, NULL, SOCK_CLOEXEC);
  char data[256];
  struct iovec iov = { data, sizeof data };
  union
  {
    struct cmsghdr h;
    char buf[CMSG_SPACE (sizeof (int))];
  } u;
  struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1,
                        .msg_control = u.buf, .msg_controllen = sizeof u.buf };
  struct cmsghdr *cm;
  int fd;

  if (conn < 0)
    return -1;
  if (recvmsg (conn, &msg, MSG_CMSG_CLOEXEC | MSG_DONTWAIT) < 0)
    return -1;
  cm = CMSG_FIRSTHDR (&msg);
  if (cm == NULL || cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS
      || cm->cmsg_len != CMSG_LEN (sizeof (int)))
    return -1;
  memcpy (&fd, CMSG_DATA (cm), sizeof fd);
  return fd;
}

static void
close_fd (int *fd)
{
  if (*fd >= 0)
    close (*fd);
  *fd = -1;
}

static void
close_pair (int p[2])
{
  close_fd (&p[0]);
  close_fd (&p[1]);
}

/* Hand the container's stdio over to the event loop.  */
static void
take_stdio (struct mon_ctx *c, int out, int err, int in)
{
  if (out >= 0)
    {
      fcntl (out, F_SETFL, O_NONBLOCK);
      mon_watch_add (c, &c->out, out, W_OUT, EPOLLIN);
    }
  if (err >= 0)
    {
      fcntl (err, F_SETFL, O_NONBLOCK);
      mon_watch_add (c, &c->err, err, W_ERR, EPOLLIN);
    }
  c->in.fd = in;
  c->in.kind = W_IN;
  if (in >= 0)
    fcntl (in, F_SETFL, O_NONBLOCK);
  c->in_pending.len = 0;
  c->in_close_after = false;
}

static void
set_error_text (struct mon_ctx *c, char *text)
{
  free (c->error);
  c->error = text;
}

/* The container's stdio never include a device node of the host.  crun
   before 1.9 fchowns each of the container's stdio descriptors that is not
   a terminal to the container's root user: with a user namespace, handed
   the host's /dev/null, it gave /dev/null to that user on the host (crun
   1.8.1 does; newer ones skip devices).  A pipe at EOF reads as /dev/null
   does; output meant for a device goes to a pipe we read and drop.  */
static bool
host_device (int fd)
{
  struct stat st;

  return fd >= 0 && !isatty (fd) && fstat (fd, &st) == 0
         && (S_ISCHR (st.st_mode) || S_ISBLK (st.st_mode));
}

static int
eof_pipe (void)
{
  int p[2];

  if (pipe2 (p, O_CLOEXEC) < 0)
    return -1;
  close (p[1]);
  return p[0];
}

/* Fork the runtime with a console socket to send the pty master to.  */
static int
begin_terminal (struct mon_ctx *c, char **argv)
{
  struct mon_create *k = &c->create;
  cleanup_free char *path = NULL;
  int cap[2];

  k->console = console_listen (c, &path, &k->console_dir);
  if (k->console < 0 || pipe2 (cap, O_CLOEXEC) < 0)
    {
      husk_strv_free (argv);
      set_error_text (c, k->console < 0 ? husk_xstrdup ("cannot create the console socket")
                                        : husk_asprintf ("pipe: %s", strerror (errno)));
      return -1;
    }
  /* --console-socket goes before the container ID, the last argument.  */
  {
    size_t n = husk_strv_len (argv);
    char *id = argv[n - 1];
    argv[n - 1] = husk_xstrdup ("--console-socket");
    husk_strv_append (&argv, path);
    husk_strv_take (&argv, id);
  }
  {
    int in = eof_pipe ();
    k->pid = spawn (c, argv, in, cap[1], cap[1], NULL, c->go_fd, c->preserved);
    if (in >= 0)
      close (in);
  }
  husk_strv_free (argv);
  close (cap[1]);
  k->cap = cap[0];
  return k->pid < 0 ? -1 : 0;
}

static int
end_terminal (struct mon_ctx *c, int rc)
{
  struct mon_create *k = &c->create;
  int master;

  if (rc != 0)
    {
      set_error (c, "create", rc, k->cap);
      return -1;
    }
  master = mon_console_receive (k->console);
  if (master < 0)
    {
      set_error_text (c, husk_asprintf ("%s: no terminal received on the console socket",
                                        c->runtime_name));
      return -1;
    }
  take_stdio (c, master, -1,
              c->o->stdin_open ? fcntl (master, F_DUPFD_CLOEXEC, 0) : -1);
  return 0;
}

/* The caller's stdio for the passthrough driver, each in the slot of
   the pipe end the container gets; a device among them (host_device), or
   one the caller had closed, replaced: stdin by a pipe at EOF, an output
   by a pipe that the event loop reads and drops.  */
static int
passthrough_fds (struct mon_ctx *c, int in[2], int out[2], int err[2])
{
  int *pairs[3] = { in, out, err };

  for (int i = 0; i < 3; i++)
    {
      int fd = c->passthrough[i];
      if (fd >= 0 && !host_device (fd))
        {
          /* Ours to close after the fork, as the pipe ends are.  */
          pairs[i][i == 0 ? 0 : 1] = fcntl (fd, F_DUPFD_CLOEXEC, 3);
          continue;
        }
      if (i == 0)
        in[0] = eof_pipe ();
      else if (pipe2 (pairs[i], O_CLOEXEC) < 0)
        return -1;
      if (i == 0 && in[0] < 0)
        return -1;
    }
  return 0;
}

/* Fork the runtime with pipes for the container's stdio, or the caller's
   own (passthrough).  */
static int
begin_pipes (struct mon_ctx *c, char **argv)
{
  struct mon_create *k = &c->create;
  int out[2] = { -1, -1 }, err[2] = { -1, -1 }, in[2] = { -1, -1 };
  bool pass = c->driver == HUSK_LOG_DRIVER_PASSTHROUGH && c->passthrough[1] >= 0;

  if (!pass
      && (pipe2 (out, O_CLOEXEC) < 0 || pipe2 (err, O_CLOEXEC) < 0
          || (c->o->stdin_open && pipe2 (in, O_CLOEXEC) < 0)))
    {
      husk_strv_free (argv);
      close_pair (out);
      close_pair (err);
      close_pair (in);
      set_error_text (c, husk_asprintf ("pipe: %s", strerror (errno)));
      return -1;
    }
  if (pass && passthrough_fds (c, in, out, err) < 0)
    {
      husk_strv_free (argv);
      close_pair (out);
      close_pair (err);
      close_pair (in);
      set_error_text (c, husk_asprintf ("pipe: %s", strerror (errno)));
      return -1;
    }
  if (!pass && !c->o->stdin_open)
    in[0] = eof_pipe ();
  k->pid = spawn (c, argv, in[0], out[1], err[1], NULL, c->go_fd, c->preserved);
  husk_strv_free (argv);
  close_fd (&in[0]);
  close_fd (&out[1]);
  close_fd (&err[1]);
  k->out = out[0];
  k->err = err[0];
  k->in = in[1];
  return k->pid < 0 ? -1 : 0;
}

static int
end_pipes (struct mon_ctx *c, int rc)
{
  struct mon_create *k = &c->create;

  if (rc != 0)
    {
      set_error (c, "create", rc, k->err);
      return -1;
    }
  take_stdio (c, k->out, k->err, k->in);
  k->out = k->err = k->in = -1;
  return 0;
}

/* crun and runc create and start in one call, `run --detach`, which the
   OCI command line leaves out: one runtime process instead of two.  */
static bool
runs_detached (struct mon_ctx *c)
{
  return strcmp (c->runtime_name, "crun") == 0 || strcmp (c->runtime_name, "runc") == 0;
}

/* Everything of a create up to the runtime's exec: files, pipes or the
   console socket, and the fork.  Return: 0, or -1 with c->error.  */
static int
create_begin (struct mon_ctx *c, bool start)
{
  const struct husk_monitor_opts *o = c->o;
  cleanup_free char *pidfile
      = husk_asprintf ("%s/%s", o->userdata, HUSK_MONITOR_PIDFILE);
  bool run = start && runs_detached (c);
  char **argv = run ? runtime_argv (c, "run", "--detach", "--bundle", o->bundle,
                                    "--pid-file", pidfile, NULL)
                    : runtime_argv (c, "create", "--bundle", o->bundle, "--pid-file",
                                    pidfile, NULL);

  c->create = (struct mon_create){ .begun = true, .run = run, .pid = -1, .out = -1,
                                   .err = -1, .in = -1, .cap = -1, .console = -1,
                                   .console_dir = -1 };
  c->started = false;

  /* Only this create's messages: its stderr is the container's.  */
  {
    /* Emptied, not made: the runtime creates it when it has something to
       say, and a first create finds none (an inode less on its path).  */
    cleanup_free char *log = husk_asprintf ("%s/%s", o->userdata, HUSK_MONITOR_RUNTIME_LOG);
    if (truncate (log, 0) < 0 && errno != ENOENT)
      husk_log_warn ("truncate '%s': %s", log, strerror (errno));
  }
  unlink (pidfile);
  if (c->preserved > 0)
    husk_strv_take (&argv, husk_asprintf ("--preserve-fds=%d", c->preserved));
  for (const char *const *a = o->create_args; a && *a; a++)
    husk_strv_append (&argv, *a);
  husk_strv_append (&argv, o->id);
  if (o->terminal ? begin_terminal (c, argv) < 0 : begin_pipes (c, argv) < 0)
    {
      if (c->create.pid < 0 && c->error == NULL)
        set_error_text (c, husk_asprintf ("fork: %s", strerror (errno)));
      return -1;
    }
  return 0;
}

static void
create_release (struct mon_ctx *c)
{
  struct mon_create *k = &c->create;
  int *fds[] = { &k->out, &k->err, &k->in, &k->cap, &k->console, &k->console_dir };

  for (size_t i = 0; i < sizeof fds / sizeof fds[0]; i++)
    close_fd (fds[i]);
  k->begun = false;
  k->pid = -1;
  /* The caller's stdio and preserved fds served the first create only.  */
  for (int i = 0; i < 3; i++)
    close_fd (&c->passthrough[i]);
  if (c->preserved > 0)
    close_range (HUSK_MONITOR_PRESERVED_FD, HUSK_MONITOR_PRESERVED_FD + c->preserved - 1, 0);
  c->preserved = 0;
  {
    cleanup_free char *sock = husk_asprintf ("%s/console.sock", c->o->userdata);
    unlink (sock);
  }
}

/* Wait for the create's runtime process, then for the caller's go if it
   has not been read yet (the process waited for it), and take the
   container's stdio.  Return: 0, -1 with c->error, or MON_NO_GO.  */
static int
create_finish (struct mon_ctx *c)
{
  struct mon_create *k = &c->create;
  int rc = k->pid > 0 ? reap (k->pid) : -1;

  if (!mon_go_given (c))
    rc = MON_NO_GO;
  else if (k->pid < 0)
    rc = -1;
  else
    rc = c->o->terminal ? end_terminal (c, rc) : end_pipes (c, rc);
  create_release (c);
  return rc;
}

void
mon_runtime_prepare (struct mon_ctx *c, bool start)
{
  create_begin (c, start);
}

void
mon_runtime_abandon (struct mon_ctx *c)
{
  if (!c->create.begun)
    return;
  if (c->create.pid > 0)
    {
      kill (c->create.pid, SIGKILL);
      reap (c->create.pid);
    }
  create_release (c);
}

int
mon_runtime_create (struct mon_ctx *c, bool start)
{
  cleanup_free char *pidfile
      = husk_asprintf ("%s/%s", c->o->userdata, HUSK_MONITOR_PIDFILE);
  bool run;
  int rc;

  if (!c->create.begun)
    create_begin (c, start);
  run = c->create.run;
  rc = create_finish (c);
  if (rc < 0)
    return rc;
  c->ctr_pid = read_pidfile (c);
  if (c->ctr_pid <= 0)
    {
      set_error_text (c, husk_asprintf ("%s: no pid in '%s'", c->runtime_name, pidfile));
      return -1;
    }
  c->started = run;
  return 0;
}

int
mon_runtime_start (struct mon_ctx *c)
{
  cleanup_strv char **argv = runtime_argv (c, "start", c->o->id, NULL);
  cleanup_close int log = open_runtime_log (c, true);
  int rc = mon_run (c, argv, c->null_fd, c->null_fd, log, NULL);

  if (rc != 0)
    {
      set_error (c, "start", rc, -1);
      return -1;
    }
  return 0;
}

void
mon_runtime_kill (struct mon_ctx *c, int sig)
{
  char num[16];
  cleanup_strv char **argv = NULL;

  snprintf (num, sizeof num, "%d", sig);
  argv = runtime_argv (c, "kill", c->o->id, num, NULL);
  if (mon_run (c, argv, c->null_fd, c->null_fd, 2, NULL) != 0)
    husk_log_warn ("%s kill %s %d failed", c->runtime_name, c->o->id, sig);
}

void
mon_runtime_delete (struct mon_ctx *c)
{
  /* No --log: with a handed-over cleanup of an --rm container the caller
     may remove our directory, and the runtime log with it, meanwhile; a
     runtime that cannot open its log does not delete.  Its messages go
     to our stderr.  */
  cleanup_strv char **argv = husk_monitor_runtime_argv (c->o, "delete", "--force", c->o->id,
                                                        NULL);

  mon_run (c, argv, c->null_fd, c->null_fd, 2, NULL);
}

/* --- OOM ------------------------------------------------------------------ */

/* Remember where the container's memory cgroup reports OOM kills: cgroup v2
   memory.events, or v1 memory.oom_control; both have "oom_kill N".  */
void
mon_oom_watch (struct mon_ctx *c)
{
  cleanup_free char *path = husk_asprintf ("/proc/%d/cgroup", (int) c->ctr_pid);
  cleanup_free char *text = husk_xmalloc (4096);
  cleanup_close int fd = open (path, O_RDONLY | O_CLOEXEC);
  cleanup_strv char **lines = NULL;
  ssize_t n;

  c->oom_file[0] = '\0';
  if (fd < 0 || (n = read (fd, text, 4095)) <= 0)
    return;
  text[n] = '\0';
  lines = husk_strv_split (text, '\n');
  for (char **l = lines; *l; l++)
    {
      char *p = strchr (*l, ':'), *q = p ? strchr (p + 1, ':') : NULL;
      if (q == NULL)
        continue;
      *q = '\0';
      if (strcmp (p + 1, "") == 0 && husk_path_exists ("/sys/fs/cgroup/cgroup.controllers"))
        snprintf (c->oom_file, sizeof c->oom_file,
                  "/sys/fs/cgroup%s/memory.events", q + 1);
      else if (strstr (p + 1, "memory") != NULL)
        {
          snprintf (c->oom_file, sizeof c->oom_file,
                    "/sys/fs/cgroup/memory%s/memory.oom_control", q + 1);
          return;
        }
    }
}

bool
mon_oom_killed (struct mon_ctx *c)
{
  cleanup_close int fd = -1;
  char buf[512], *p;
  ssize_t n;

  if (c->oom_file[0] == '\0')
    return false;
  fd = open (c->oom_file, O_RDONLY | O_CLOEXEC);
  if (fd < 0 || (n = read (fd, buf, sizeof (buf) - 1)) <= 0)
    return false;
  buf[n] = '\0';
  p = strstr (buf, "oom_kill ");
  return p && strtol (p + 9, NULL, 10) > 0;
}
