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
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

int
mon_run (struct mon_ctx *c, char **argv, int in, int out, int err, char **env)
{
  int fds[3] = { in, out, err }, status;
  pid_t pid = fork ();

  if (pid < 0)
    {
      husk_log_error ("fork: %s", strerror (errno));
      return -1;
    }
  if (pid == 0)
    {
      int copy = strcmp (argv[0], c->o->runtime) == 0 ? c->rt_copy : -1;
      sigset_t none;
      int tmp[3];

      sigemptyset (&none);
      sigprocmask (SIG_SETMASK, &none, NULL);
      for (int s = 1; s < NSIG; s++)
        signal (s, SIG_DFL);
      for (int i = 0; i < 3; i++)
        if ((tmp[i] = fcntl (fds[i] >= 0 ? fds[i] : c->null_fd, F_DUPFD, 16)) < 0)
          _exit (127);
      for (int i = 0; i < 3; i++)
        if (dup2 (tmp[i], i) < 0)
          _exit (127);
      /* The runtime's sealed copy survives as fd 3, close-on-exec.  */
      if (copy >= 0 && (dup2 (copy, 3) < 0 || fcntl (3, F_SETFD, FD_CLOEXEC) < 0))
        copy = -1;
      else if (copy >= 0)
        copy = 3;
      close_range (copy >= 0 ? 4 : 3, ~0U, 0);
      husk_exec_runtime_from (copy, argv[0], argv, env ? env : environ);
      _exit (127);
    }
  while (waitpid (pid, &status, 0) < 0)
    if (errno != EINTR)
      return -1;
  return WIFEXITED (status) ? WEXITSTATUS (status) : 128 + WTERMSIG (status);
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

static int
console_receive (int lfd)
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

static int
create_terminal (struct mon_ctx *c, char **argv, int cap[2])
{
  cleanup_free char *path = NULL;
  cleanup_close int dirfd = -1;
  cleanup_close int lfd = console_listen (c, &path, &dirfd);
  int rc, master;

  if (lfd < 0)
    {
      c->error = husk_xstrdup ("cannot create the console socket");
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
  rc = mon_run (c, argv, c->null_fd, cap[1], cap[1], NULL);
  husk_strv_free (argv);
  if (rc != 0)
    {
      set_error (c, "create", rc, cap[0]);
      return -1;
    }
  master = console_receive (lfd);
  if (master < 0)
    {
      c->error = husk_asprintf ("%s: no terminal received on the console socket",
                                c->runtime_name);
      return -1;
    }
  take_stdio (c, master, -1,
              c->o->stdin_open ? fcntl (master, F_DUPFD_CLOEXEC, 0) : -1);
  return 0;
}

static int
create_pipes (struct mon_ctx *c, char **argv)
{
  int out[2] = { -1, -1 }, err[2] = { -1, -1 }, in[2] = { -1, -1 };
  bool pass = c->driver == HUSK_LOG_DRIVER_PASSTHROUGH && c->passthrough[1] >= 0;
  int rc;

  if (!pass
      && (pipe2 (out, O_CLOEXEC) < 0 || pipe2 (err, O_CLOEXEC) < 0
          || (c->o->stdin_open && pipe2 (in, O_CLOEXEC) < 0)))
    {
      husk_strv_free (argv);
      close_pair (out);
      close_pair (err);
      close_pair (in);
      c->error = husk_asprintf ("pipe: %s", strerror (errno));
      return -1;
    }
  if (pass)
    rc = mon_run (c, argv, c->passthrough[0], c->passthrough[1],
                  c->passthrough[2], NULL);
  else
    rc = mon_run (c, argv, in[0] >= 0 ? in[0] : c->null_fd, out[1], err[1], NULL);
  husk_strv_free (argv);
  close_fd (&in[0]);
  close_fd (&out[1]);
  close_fd (&err[1]);
  if (rc != 0)
    {
      set_error (c, "create", rc, err[0]);
      close_pair (out);
      close_pair (err);
      close_pair (in);
      return -1;
    }
  take_stdio (c, out[0], err[0], in[1]);
  return 0;
}

/* crun and runc create and start in one call, `run --detach`, which the
   OCI command line leaves out: one runtime process instead of two.  */
static bool
runs_detached (struct mon_ctx *c)
{
  return strcmp (c->runtime_name, "crun") == 0 || strcmp (c->runtime_name, "runc") == 0;
}

int
mon_runtime_create (struct mon_ctx *c, bool start)
{
  const struct husk_monitor_opts *o = c->o;
  cleanup_free char *pidfile
      = husk_asprintf ("%s/%s", o->userdata, HUSK_MONITOR_PIDFILE);
  bool run = start && runs_detached (c);
  char **argv = run ? runtime_argv (c, "run", "--detach", "--bundle", o->bundle,
                                    "--pid-file", pidfile, NULL)
                    : runtime_argv (c, "create", "--bundle", o->bundle, "--pid-file",
                                    pidfile, NULL);
  int rc;

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
  for (const char *const *a = o->create_args; a && *a; a++)
    husk_strv_append (&argv, *a);
  husk_strv_append (&argv, o->id);
  if (o->terminal)
    {
      int cap[2] = { -1, -1 };
      if (pipe2 (cap, O_CLOEXEC) < 0)
        {
          husk_strv_free (argv);
          c->error = husk_asprintf ("pipe: %s", strerror (errno));
          return -1;
        }
      rc = create_terminal (c, argv, cap);
      close_pair (cap);
    }
  else
    rc = create_pipes (c, argv);
  /* The caller's stdio served the first create only.  */
  for (int i = 0; i < 3; i++)
    if (c->passthrough[i] >= 0)
      {
        close (c->passthrough[i]);
        c->passthrough[i] = -1;
      }
  {
    cleanup_free char *sock = husk_asprintf ("%s/console.sock", o->userdata);
    unlink (sock);
  }
  if (rc < 0)
    return -1;
  c->ctr_pid = read_pidfile (c);
  if (c->ctr_pid <= 0)
    {
      c->error = husk_asprintf ("%s: no pid in '%s'", c->runtime_name, pidfile);
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
