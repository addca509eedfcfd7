/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * exec, attach, pause, unpause and restart: the operations that act on a
 * running container through its OCI runtime or its monitor.
 *
 * Theory of operation (exec)
 *
 * An exec session is a directory <rundir>/exec/<exec-id> with the OCI
 * process (process.json), the runtime's pid file and the runtime's log.
 * The process starts as a copy of the container's own config.json process,
 * so rlimits, noNewPrivileges, the umask and the capability sets are the
 * container's; it then takes the command, the environment (the
 * container's, then --env-file, then -e), the working directory and, with
 * -u, the user resolved in the container's root file system.  Capabilities
 * are computed anew only when -u or --privileged changes what the process
 * may hold.
 *
 * Without a terminal the runtime (`RT exec --process P ID`) inherits the
 * caller's descriptors, so output reaches the caller with nothing in
 * between, and the runtime's exit status is the process's.  A failure of
 * the runtime itself is told from the process's own failure by the
 * runtime's JSON log (--log): crun and runc write an error-level line there
 * when they could not start the process.  That message becomes the error,
 * and the exit code 127 or 126 when it says the command was not found or
 * may not be executed.
 *
 * With a terminal the runtime sends the pty master over a console socket,
 * which lives in a private directory under /tmp because sun_path is short,
 * starts the process and leaves (`exec --detach`: without it runc insists
 * on proxying the terminal itself).  husk is a child subreaper meanwhile,
 * so the process, orphaned when the runtime leaves, becomes its child and
 * its exit status can be waited for.  husk proxies the master to the
 * caller's terminal; SIGCHLD and SIGWINCH are blocked and read from a
 * signalfd, so the loop sees the exit and window size changes without
 * signal handlers.  Detaching (the detach keys, or -d) hands the master to
 * a small drainer process that keeps reading it until the process ends, so
 * the process is never hung up on.  The runtime runs in a session of its
 * own, so the caller's terminal signals never reach it.
 */
#include "ops/container.h"
#include "events/events.h"
#include "container/ccfg-build.h"
#include "container/monitor.h"
#include "runtime/runtime.h"
#include "runtime/spec.h"
#include "runtime/user.h"
#include "util/exec.h"
#include "util/cleanup.h"
#include "util/fileutil.h"
#include "util/log.h"
#include "util/strutil.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#define DEFAULT_DETACH_KEYS "ctrl-p,ctrl-q"

/* ---- shared helpers ------------------------------------------------------ */

static void
event (struct husk_engine *e, const char *action, const struct husk_container_rec *r)
{
  husk_events_container (e->state, r, action, 0, NULL);
}

static bool
is_running (const struct husk_container_rec *r)
{
  return strcmp (r->state, "running") == 0;
}

static char *
random_id (void)
{
  unsigned char b[32];
  char *out = husk_xmalloc (sizeof b * 2 + 1);
  size_t got = 0;

  while (got < sizeof b)
    {
      ssize_t n = getrandom (b + got, sizeof b - got, 0);
      if (n < 0 && errno != EINTR)
        abort ();
      if (n > 0)
        got += n;
    }
  for (size_t i = 0; i < sizeof b; i++)
    snprintf (out + 2 * i, 3, "%02x", b[i]);
  return out;
}

/* The container's OCI runtime, with the --root its containers live under. */
static struct husk_runtime *
ctr_runtime (struct husk_engine *e, json_t *ccfg, husk_error_t *err)
{
  return husk_runtime_open (json_string_value (json_object_get (ccfg, "runtime")), e->runroot,
                            err);
}

/* Load a container that must be running; Podman's message otherwise.  */
static int
load_running (struct husk_engine *e, const char *ref, struct husk_container_rec *r,
              const char *msg, husk_error_t *err)
{
  if (husk_op_container_load (e, ref, r, err) < 0)
    return -1;
  if (is_running (r))
    return 0;
  husk_container_rec_release (r);
  return husk_error_makex (err, EBUSY, "%s", msg);
}

/* ---- the exec process ------------------------------------------------------ */

/* The environment: the container's, TERM as Podman adds it, HOME of a -u
   user (unless the container sets HOME itself), the files, then -e.  */
static int
exec_env (json_t *proc, json_t *ccfg, const struct husk_exec_opts *o, const char *home,
          husk_error_t *err)
{
  json_t *env = json_deep_copy (json_object_get (proc, "env"));

  if (!json_is_array (env))
    {
      json_decref (env);
      env = json_array ();
    }
  json_object_set_new (proc, "env", env);
  if (!husk_ccfg_env_has (env, "TERM"))
    husk_ccfg_env_set (env, "TERM=xterm");
  if (home && !husk_ccfg_env_has (json_object_get (ccfg, "env"), "HOME"))
    {
      cleanup_free char *h = husk_asprintf ("HOME=%s", home);
      husk_ccfg_env_set (env, h);
    }
  for (size_t i = 0; o->env_files && o->env_files[i]; i++)
    if (husk_ccfg_env_add_file (env, o->env_files[i], err) < 0)
      return -1;
  for (size_t i = 0; o->env && o->env[i]; i++)
    if (husk_ccfg_env_add (env, o->env[i], err) < 0)
      return -1;
  return 0;
}

/* husk's own /etc/passwd copy (container/passwd.c), when the spec binds
   it: a user it added has a name and a home there.  */
static const char *
passwd_copy (json_t *spec, json_t *ccfg)
{
  const char *id = json_string_value (json_object_get (ccfg, "id"));
  cleanup_free char *tail = id ? husk_asprintf ("/%s/passwd", id) : NULL;
  size_t i;
  json_t *m;

  json_array_foreach (json_object_get (spec, "mounts"), i, m)
    {
      const char *dest = json_string_value (json_object_get (m, "destination"));
      const char *src = json_string_value (json_object_get (m, "source"));

      if (tail && dest && src && strcmp (dest, "/etc/passwd") == 0 && husk_has_suffix (src, tail))
        return src;
    }
  return NULL;
}

/* -u: the user resolved in the container's root file system.  */
static int
exec_user (json_t *proc, json_t *spec, json_t *ccfg, const char *spec_user,
           struct husk_user *u, husk_error_t *err)
{
  const char *rootfs = json_string_value (json_object_get (json_object_get (spec, "root"), "path"));
  json_t *old = json_object_get (proc, "user"), *nu, *g;
  cleanup_strv char **groups = husk_xzalloc (sizeof (char *));
  cleanup_close int rootfd = -1;
  size_t i;

  json_array_foreach (json_object_get (ccfg, "group_add"), i, g)
    husk_strv_append (&groups, json_string_value (g));
  if (rootfs == NULL)
    return husk_error_makex (err, EINVAL, "container spec has no root file system");
  rootfd = open (rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (rootfd < 0)
    return husk_error_make (err, errno, "open root file system '%s'", rootfs);
  if (husk_user_resolve_files (rootfd, passwd_copy (spec, ccfg), NULL, spec_user, groups, u,
                               err) < 0)
    return -1;
  nu = json_pack ("{s:I, s:I}", "uid", (json_int_t) u->uid, "gid", (json_int_t) u->gid);
  if (json_object_get (old, "umask"))
    json_object_set (nu, "umask", json_object_get (old, "umask"));
  if (u->n_gids > 0)
    {
      json_t *a = json_array ();
      for (size_t k = 0; k < u->n_gids; k++)
        json_array_append_new (a, json_integer (u->gids[k]));
      json_object_set_new (nu, "additionalGids", a);
    }
  json_object_set_new (proc, "user", nu);
  return 0;
}

static int
exec_caps (json_t *proc, json_t *ccfg, bool privileged, bool root, husk_error_t *err)
{
  uint64_t bounding;
  json_t *caps = husk_spec_capabilities (json_object_get (ccfg, "cap_add"),
                                         json_object_get (ccfg, "cap_drop"),
                                         privileged || json_is_true (json_object_get (ccfg, "privileged")),
                                         root, &bounding, err);

  if (caps == NULL)
    return -1;
  json_object_set_new (proc, "capabilities", caps);
  return 0;
}

static int
exec_cwd (json_t *proc, const char *workdir, husk_error_t *err)
{
  const char *base = json_string_value (json_object_get (proc, "cwd"));

  if (workdir == NULL || *workdir == '\0')
    return 0;
  if (workdir[0] == '/')
    json_object_set_new (proc, "cwd", json_string (workdir));
  else if (base)
    json_object_set_new (proc, "cwd", json_sprintf ("%s%s%s", base,
                                                    husk_has_suffix (base, "/") ? "" : "/",
                                                    workdir));
  else
    return husk_error_makex (err, EINVAL, "invalid working directory \"%s\"", workdir);
  return 0;
}

/* The terminal size of whichever of fds is a terminal.  */
static bool
term_size (int in_fd, int out_fd, struct winsize *ws)
{
  return (in_fd >= 0 && ioctl (in_fd, TIOCGWINSZ, ws) == 0 && ws->ws_row > 0)
         || (out_fd >= 0 && ioctl (out_fd, TIOCGWINSZ, ws) == 0 && ws->ws_row > 0);
}

static json_t *
exec_process (json_t *spec, json_t *ccfg, const struct husk_exec_opts *o, husk_error_t *err)
{
  cleanup_json json_t *proc = json_deep_copy (json_object_get (spec, "process"));
  struct husk_user u = { 0 };
  json_t *args = json_array (), *uid;
  struct winsize ws;
  bool root;
  int r = 0;

  if (!json_is_object (proc))
    {
      json_decref (args);
      husk_error_makex (err, EINVAL, "container spec has no process");
      return NULL;
    }
  for (size_t i = 0; o->argv[i]; i++)
    json_array_append_new (args, json_string (o->argv[i]));
  json_object_set_new (proc, "args", args);
  json_object_set_new (proc, "terminal", json_boolean (o->tty));
  json_object_del (proc, "consoleSize");
  if (o->tty && term_size (o->in_fd, o->out_fd, &ws))
    json_object_set_new (proc, "consoleSize", json_pack ("{s:i, s:i}", "height", ws.ws_row,
                                                         "width", ws.ws_col));
  if (o->user && *o->user)
    r = exec_user (proc, spec, ccfg, o->user, &u, err);
  uid = json_object_get (json_object_get (proc, "user"), "uid");
  root = json_integer_value (uid) == 0;
  if (r == 0 && (o->privileged || (o->user && *o->user)))
    r = exec_caps (proc, ccfg, o->privileged, root, err);
  if (r == 0)
    r = exec_cwd (proc, o->workdir, err);
  if (r == 0)
    r = exec_env (proc, ccfg, o, o->user && *o->user ? u.home : NULL, err);
  husk_user_release (&u);
  return r < 0 ? NULL : steal_ptr (&proc);
}

/* ---- running the runtime ------------------------------------------------- */

/* Start the runtime with the given stdio (-1: /dev/null) and signal mask.
   With new_session the child leaves our session, so our terminal's
   signals (^C, the hang-up when we exit) never reach it.  */
static pid_t
spawn (char **argv, int in_fd, int out_fd, int err_fd, const sigset_t *mask,
       bool new_session, husk_error_t *err)
{
  struct husk_runtime_stdio io = { .fds = { in_fd, out_fd, err_fd }, .mask = mask,
                                   .new_session = new_session };

  return husk_runtime_spawn (argv, &io, err);
}

static int
status_code (int st)
{
  return WIFEXITED (st) ? WEXITSTATUS (st) : 128 + WTERMSIG (st);
}

/* Reap children that ended, looking again rounds times 10 ms apart.  */
static void
reap_orphans (int rounds)
{
  for (int i = 0; i < rounds; i++)
    {
      pid_t r;

      while ((r = waitpid (-1, NULL, WNOHANG)) > 0 || (r < 0 && errno == EINTR))
        ;
      if (i + 1 < rounds)
        usleep (10000);
    }
}

struct session
{
  struct husk_engine *e;
  struct husk_container_rec *r;
  struct husk_runtime *rt;
  const struct husk_exec_opts *o;
  char *id;    /* exec ID */
  char *dir;   /* <rundir>/exec/<id> */
  char *log;   /* the runtime's log, or NULL when it cannot write one */
  int *exit_code;
};

/* Did the runtime fail to run the process?  Return: -1 (error made, exit
   code set) when its log says so, else 0.  */
static int
check_runtime (struct session *s, int code, husk_error_t *err)
{
  cleanup_free char *msg = NULL;
  const char *what;

  if (code == 0 || s->log == NULL || (msg = husk_runtime_log_error (s->log)) == NULL)
    return 0;
  *s->exit_code = husk_runtime_exit_code (msg, &what);
  return husk_error_makex (err, EIO, "%s: %s: %s", s->rt->name, msg, what);
}

static char **
session_argv (struct session *s, const char *console, bool detach)
{
  cleanup_free char *proc = husk_asprintf ("%s/process.json", s->dir);
  cleanup_free char *pidf = husk_asprintf ("%s/pid", s->dir);

  husk_runtime_set_log (s->rt, s->log);
  return husk_runtime_argv_exec (s->rt, s->r->id, proc, pidf, console, detach, 0);
}

/* Without a terminal: the runtime uses the caller's descriptors.  */
static int
run_plain (struct session *s, husk_error_t *err)
{
  const struct husk_exec_opts *o = s->o;
  cleanup_strv char **argv = session_argv (s, NULL, o->detach);
  sigset_t mask;
  pid_t pid;
  int code, was_reaper = 0;

  sigprocmask (SIG_SETMASK, NULL, &mask);
  prctl (PR_GET_CHILD_SUBREAPER, &was_reaper);
  if (o->detach)
    pid = spawn (argv, -1, -1, -1, &mask, true, err);
  else
    {
      /* A process the runtime failed to start is left to its parent's
         reaper: be it, so no zombie lingers in the container.  */
      prctl (PR_SET_CHILD_SUBREAPER, 1);
      pid = spawn (argv, o->interactive ? o->in_fd : -1, o->out_fd, o->err_fd, &mask, false,
                   err);
    }
  code = pid < 0 ? 125 : husk_runtime_wait (pid);
  if (!o->detach)
    {
      reap_orphans (code == 0 ? 1 : 10);
      prctl (PR_SET_CHILD_SUBREAPER, was_reaper);
    }
  if (pid < 0)
    return -1;
  if (check_runtime (s, code, err) < 0)
    return -1;
  if (o->detach && code != 0)
    return husk_error_makex (err, EIO, "%s exec exited with status %d", s->rt->name, code);
  *s->exit_code = o->detach ? 0 : code;
  return 0;
}

/* ---- terminals ------------------------------------------------------------ */

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
          *rt_code = status_code (st);
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

  if (term_size (p->in_open ? p->in_fd : -1, p->out_fd, &ws))
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
      p->code = status_code (st);
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
read_pid (struct session *s, husk_error_t *err)
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
tty_start (struct session *s, const sigset_t *mask, pid_t *pid, husk_error_t *err)
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
  argv = session_argv (s, c.path, true);
  rt = spawn (argv, -1, -1, -1, mask, true, err);
  if (rt >= 0)
    master = console_receive (&c, rt, &code, err);
  /* Closed, the socket makes a runtime still waiting on it give up.  */
  console_release (&c);
  if (rt < 0)
    return -1;
  if (code < 0)
    code = husk_runtime_wait (rt);
  if (check_runtime (s, code, &rerr) < 0 || (master >= 0 && code != 0))
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
static int
run_tty (struct session *s, husk_error_t *err)
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
    reap_orphans (10);
  prctl (PR_SET_CHILD_SUBREAPER, was_reaper);
  sigprocmask (SIG_SETMASK, &old, NULL);
  return ret;
}

/* ---- exec sessions ------------------------------------------------------- */

static char *
exec_root (struct husk_engine *e, const char *id)
{
  cleanup_free char *run = husk_op_container_rundir (e, id);

  return husk_asprintf ("%s/exec", run);
}

/* Is the session in dir still running?  */
static bool
session_alive (const char *dir)
{
  cleanup_free char *path = husk_asprintf ("%s/pid", dir);
  cleanup_free char *text = husk_read_file (path, NULL, NULL);
  int pid = text ? atoi (text) : 0;

  return pid > 0 && (kill (pid, 0) == 0 || errno == EPERM);
}

char **
husk_op_container_exec_ids (struct husk_engine *e, const char *id)
{
  cleanup_free char *root = exec_root (e, id);
  cleanup_dir DIR *d = opendir (root);
  char **ids = NULL;
  struct dirent *de;

  while (d && (de = readdir (d)) != NULL)
    {
      cleanup_free char *dir = NULL;
      if (!husk_is_hex (de->d_name, 64))
        continue;
      dir = husk_asprintf ("%s/%s", root, de->d_name);
      if (session_alive (dir))
        husk_strv_append (&ids, de->d_name);
      else
        {
          /* A session that ended and was never cleaned up: a detached one,
             or one whose husk was killed.  A young one may not have its pid
             file yet.  */
          struct stat st;
          if (stat (dir, &st) == 0 && time (NULL) - st.st_mtime > 60)
            husk_rm_rf (dir, NULL);
        }
    }
  return ids;
}

static int
session_prepare (struct session *s, json_t *spec, json_t *ccfg, husk_error_t *err)
{
  cleanup_json json_t *proc = exec_process (spec, ccfg, s->o, err);
  cleanup_free char *root = NULL, *path = NULL, *text = NULL;

  if (proc == NULL)
    return -1;
  root = exec_root (s->e, s->r->id);
  s->id = random_id ();
  s->dir = husk_asprintf ("%s/%s", root, s->id);
  if (husk_mkdir_p (s->dir, 0700, err) < 0)
    return -1;
  if (s->rt->ops->json_log)
    s->log = husk_asprintf ("%s/runtime.log", s->dir);
  path = husk_asprintf ("%s/process.json", s->dir);
  text = husk_spec_dumps (proc);
  /* The session's directory is new: no temporary file and rename.  */
  return husk_write_file_new (path, text, strlen (text), 0600, err);
}

static json_t *
load_spec (struct husk_engine *e, const char *id, husk_error_t *err)
{
  cleanup_free char *path = husk_asprintf ("%s/containers/%s/config.json", e->root, id);
  json_error_t je;
  json_t *spec = json_load_file (path, 0, &je);

  if (spec == NULL)
    husk_error_makex (err, EIO, "read '%s': %s", path, je.text);
  return spec;
}

int
husk_op_container_exec (struct husk_engine *e, const char *ref,
                        const struct husk_exec_opts *o, int *exit_code, char **exec_id,
                        husk_error_t *err)
{
  struct husk_container_rec r = { 0 };
  struct session s = { .e = e, .r = &r, .o = o, .exit_code = exit_code };
  cleanup_json json_t *ccfg = NULL, *spec = NULL;
  int ret = -1;

  *exit_code = 125;
  if (o->argv == NULL || o->argv[0] == NULL)
    return husk_error_makex (err, EINVAL, "must provide a non-empty command to start an exec "
                             "session");
  if (load_running (e, ref, &r, "can only create exec sessions on running containers: "
                    "container state improper", err) < 0)
    return -1;
  ccfg = json_loads (r.config, 0, NULL);
  if ((s.rt = ctr_runtime (e, ccfg, err)) == NULL || (spec = load_spec (e, r.id, err)) == NULL
      || session_prepare (&s, spec, ccfg, err) < 0)
    goto out;
  event (e, "exec", &r);
  ret = o->tty ? run_tty (&s, err) : run_plain (&s, err);
  if (ret == 0 && exec_id)
    *exec_id = husk_xstrdup (s.id);
  if (!o->detach || ret < 0)
    {
      if (!o->detach)
        husk_events_container (e->state, &r, "exec_died", *exit_code, NULL);
      husk_rm_rf (s.dir, NULL);
    }
out:
  husk_runtime_free (s.rt);
  free (s.id);
  free (s.dir);
  free (s.log);
  husk_container_rec_release (&r);
  return ret;
}

/* ---- attach ---------------------------------------------------------------- */

int
husk_op_container_attach (struct husk_engine *e, const char *ref, int in_fd, int out_fd,
                          int err_fd, const char *detach_keys, husk_error_t *err)
{
  struct husk_container_rec r = { 0 };
  cleanup_json json_t *ccfg = NULL;
  cleanup_free char *run = NULL, *keys = NULL;
  bool tty, interactive;

  if (load_running (e, ref, &r, "you can only attach to running containers", err) < 0)
    return -1;
  ccfg = json_loads (r.config, 0, NULL);
  tty = json_is_true (json_object_get (ccfg, "tty"));
  interactive = json_is_true (json_object_get (ccfg, "interactive"));
  if (detach_keys == NULL)
    detach_keys = json_string_value (json_object_get (ccfg, "detach_keys"));
  keys = husk_xstrdup (detach_keys ? detach_keys : DEFAULT_DETACH_KEYS);
  run = husk_op_container_rundir (e, r.id);
  event (e, "attach", &r);
  husk_container_rec_release (&r);
  return husk_attach (run, interactive ? in_fd : -1, out_fd, err_fd, keys, tty, err);
}

/* ---- pause, unpause ------------------------------------------------------ */

/* Move the row from one state to another in one transaction, unless
   something else changed it meanwhile.  */
static int
switch_state (struct husk_engine *e, const char *id, const char *from, const char *to,
              husk_error_t *err)
{
  struct husk_container_rec r = { 0 };
  int ret = 0;

  if (husk_state_begin (e->state, err) < 0)
    return -1;
  if (husk_state_container_get (e->state, id, &r, err) < 0)
    {
      husk_state_rollback (e->state);
      return -1;
    }
  if (strcmp (r.state, from) == 0)
    {
      free (r.state);
      r.state = husk_xstrdup (to);
      ret = husk_state_container_save (e->state, &r, err);
    }
  if (ret == 0)
    ret = husk_state_commit (e->state, err);
  else
    husk_state_rollback (e->state);
  husk_container_rec_release (&r);
  return ret;
}

static int
pause_resume (struct husk_engine *e, const char *ref, bool pause, husk_error_t *err)
{
  struct husk_container_rec r = { 0 };
  cleanup_json json_t *ccfg = NULL;
  cleanup (husk_runtime_free) struct husk_runtime *rt = NULL;
  const char *want = pause ? "running" : "paused";
  int ret = -1;

  if (husk_op_container_load (e, ref, &r, err) < 0)
    return -1;
  ccfg = json_loads (r.config, 0, NULL);
  if (pause && strcmp (r.state, "paused") == 0)
    husk_error_makex (err, EBUSY, "\"%s\" is already paused: container state improper", r.id);
  else if (strcmp (r.state, want) != 0)
    /* Podman names the state, not the container, when it cannot pause. */
    husk_error_makex (err, EBUSY, pause ? "\"%s\" is not running, can't pause: container "
                      "state improper" : "\"%s\" is not paused, can't unpause: container "
                      "state improper", pause ? r.state : r.id);
  else if ((rt = ctr_runtime (e, ccfg, err)) != NULL
           && (pause ? husk_runtime_pause (rt, r.id, err) : husk_runtime_resume (rt, r.id, err)) == 0
           && switch_state (e, r.id, want, pause ? "paused" : "running", err) == 0)
    {
      event (e, pause ? "pause" : "unpause", &r);
      ret = 0;
    }
  husk_container_rec_release (&r);
  return ret;
}

int
husk_op_container_pause (struct husk_engine *e, const char *ref, husk_error_t *err)
{
  return pause_resume (e, ref, true, err);
}

int
husk_op_container_unpause (struct husk_engine *e, const char *ref, husk_error_t *err)
{
  return pause_resume (e, ref, false, err);
}

/* ---- restart ----------------------------------------------------------------- */

int
husk_op_container_restart (struct husk_engine *e, const char *ref, int timeout,
                           int *exit_hint, husk_error_t *err)
{
  struct husk_container_rec r = { 0 };
  bool active;
  int ret;

  *exit_hint = 125;
  if (husk_op_container_load (e, ref, &r, err) < 0)
    return -1;
  active = strcmp (r.state, "running") == 0 || strcmp (r.state, "paused") == 0
           || strcmp (r.state, "stopping") == 0;
  /* Podman's order: restart, then the old run's died and cleanup, then
     init and start; no stop event.  */
  event (e, "restart", &r);
  ret = active ? husk_op_container_stop_quiet (e, r.id, timeout, err) : 0;
  /* The old monitor runs `container cleanup` after the exit; a start
     before it is done would have its fresh mount taken away.  */
  if (ret == 0)
    husk_op_container_await_monitor (&r, 10000);
  if (ret == 0 && husk_op_container_start (e, r.id, NULL, exit_hint, err) < 0)
    ret = -1;
  husk_container_rec_release (&r);
  return ret;
}
