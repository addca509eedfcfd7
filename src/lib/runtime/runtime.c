/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The OCI runtime driver (see runtime.h for the command lines).
 *
 * Errors: crun and runc both write their errors to stderr, as JSON lines
 * with --log-format json, which husk passes to them, so the message is
 * taken from the "msg" of the error-level lines rather than guessed from
 * free text.  Runtimes of unknown families get no extra flags; their
 * stderr is used as it is (logrus text lines are reduced to the message).
 *
 * crun 1.8 refuses to run on a host with cgroups in hybrid mode while the
 * unified (v2) hierarchy holds controllers, with a message that does not
 * say what to do about it.  husk_runtime_check_host() detects that state
 * up front, and husk_runtime_run() replaces the raw message with the same
 * explanation should it appear anyway.
 */
#include "runtime/runtime.h"
#include "util/exec.h"
#include "util/cleanup.h"
#include "util/fileutil.h"
#include "util/strutil.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

#define OUTPUT_MAX (16u << 20)
#define STDERR_MAX (64u << 10)
#define HYBRID_MESSAGE "cgroups in hybrid mode not supported"

static int crun_check_host (const struct husk_runtime *rt, const char *cgroup_root,
                            husk_error_t *err);

static const struct husk_runtime_ops crun_ops = { "crun", true, crun_check_host };
static const struct husk_runtime_ops runc_ops = { "runc", true, NULL };
static const struct husk_runtime_ops oci_ops = { "oci", false, NULL };

static const struct husk_runtime_ops *
ops_for (const char *name)
{
  if (husk_has_prefix (name, "crun") || husk_has_prefix (name, "krun"))
    return &crun_ops;
  if (husk_has_prefix (name, "runc"))
    return &runc_ops;
  return &oci_ops;
}

struct husk_runtime *
husk_runtime_new (const char *name, const char *path)
{
  struct husk_runtime *rt = husk_xzalloc (sizeof *rt);

  rt->name = husk_xstrdup (name);
  rt->path = husk_xstrdup (path);
  rt->ops = ops_for (name);
  return rt;
}

void
husk_runtime_free (struct husk_runtime *rt)
{
  if (rt == NULL)
    return;
  free (rt->name);
  free (rt->path);
  free (rt->root);
  free (rt);
}

void
husk_runtime_set_root (struct husk_runtime *rt, const char *runroot)
{
  free (rt->root);
  rt->root = husk_asprintf ("%s/runtime/%s", runroot, rt->name);
}

static bool
executable (const char *path)
{
  return access (path, X_OK) == 0;
}

/* name in $PATH.  Return: a new string, or NULL.  */
static char *
search_path (const char *name)
{
  const char *env = getenv ("PATH");
  cleanup_strv char **dirs
      = husk_strv_split (env && *env ? env : "/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin", ':');

  for (char **d = dirs; *d; d++)
    {
      char *p;

      if (**d != '/')
        continue;
      p = husk_asprintf ("%s/%s", *d, name);
      if (executable (p))
        return p;
      free (p);
    }
  return NULL;
}

struct husk_runtime *
husk_runtime_find (const char *name_or_path, struct husk_config *cfg, husk_error_t *err)
{
  const char *s = name_or_path;
  cleanup_free char *found = NULL;
  char **paths;

  if (s == NULL || *s == '\0' || strcmp (s, ".") == 0 || strcmp (s, "..") == 0)
    {
      husk_error_makex (err, EINVAL, "invalid OCI runtime name \"%s\"", s ? s : "");
      return NULL;
    }
  if (strchr (s, '/') != NULL)
    {
      const char *base = strrchr (s, '/') + 1;

      if (s[0] != '/' || *base == '\0')
        {
          husk_error_makex (err, EINVAL, "OCI runtime path \"%s\" must be an absolute path to "
                            "the executable", s);
          return NULL;
        }
      if (!executable (s))
        {
          husk_error_makex (err, ENOENT, "OCI runtime \"%s\" not found: install it or use "
                            "--runtime", s);
          return NULL;
        }
      return husk_runtime_new (base, s);
    }
  paths = cfg ? husk_config_runtime_paths (cfg, s) : NULL;
  for (char **p = paths; p && *p; p++)
    if (executable (*p))
      return husk_runtime_new (s, *p);
  if ((found = search_path (s)) != NULL)
    return husk_runtime_new (s, found);
  husk_error_makex (err, ENOENT, "OCI runtime \"%s\" not found: install it or use --runtime", s);
  return NULL;
}

/* Command lines.  */

static char **
argv_begin (const struct husk_runtime *rt, const char *verb)
{
  char **v = husk_xzalloc (sizeof *v);

  husk_strv_append (&v, rt->path);
  if (rt->root)
    {
      husk_strv_append (&v, "--root");
      husk_strv_append (&v, rt->root);
    }
  if (rt->ops->json_log)
    {
      husk_strv_append (&v, "--log-format");
      husk_strv_append (&v, "json");
    }
  husk_strv_append (&v, verb);
  return v;
}

static void
opt (char ***v, const char *name, const char *value)
{
  if (value == NULL)
    return;
  husk_strv_append (v, name);
  husk_strv_append (v, value);
}

static void
opt_fds (char ***v, int preserve_fds)
{
  if (preserve_fds > 0)
    husk_strv_take (v, husk_asprintf ("--preserve-fds=%d", preserve_fds));
}

char **
husk_runtime_argv_create (const struct husk_runtime *rt, const char *id, const char *bundle,
                          const char *pid_file, const char *console_socket,
                          int preserve_fds)
{
  char **v = argv_begin (rt, "create");

  opt (&v, "--bundle", bundle);
  opt (&v, "--pid-file", pid_file);
  opt (&v, "--console-socket", console_socket);
  opt_fds (&v, preserve_fds);
  husk_strv_append (&v, id);
  return v;
}

static char **
argv_simple (const struct husk_runtime *rt, const char *verb, const char *flag,
             const char *id)
{
  char **v = argv_begin (rt, verb);

  if (flag)
    husk_strv_append (&v, flag);
  husk_strv_append (&v, id);
  return v;
}

char **
husk_runtime_argv_start (const struct husk_runtime *rt, const char *id)
{
  return argv_simple (rt, "start", NULL, id);
}

char **
husk_runtime_argv_state (const struct husk_runtime *rt, const char *id)
{
  return argv_simple (rt, "state", NULL, id);
}

char **
husk_runtime_argv_kill (const struct husk_runtime *rt, const char *id, int signal, bool all)
{
  char **v = argv_simple (rt, "kill", all ? "--all" : NULL, id);

  husk_strv_take (&v, husk_asprintf ("%d", signal));
  return v;
}

char **
husk_runtime_argv_delete (const struct husk_runtime *rt, const char *id, bool force)
{
  return argv_simple (rt, "delete", force ? "--force" : NULL, id);
}

char **
husk_runtime_argv_pause (const struct husk_runtime *rt, const char *id)
{
  return argv_simple (rt, "pause", NULL, id);
}

char **
husk_runtime_argv_resume (const struct husk_runtime *rt, const char *id)
{
  return argv_simple (rt, "resume", NULL, id);
}

char **
husk_runtime_argv_exec (const struct husk_runtime *rt, const char *id,
                        const char *process_json, const char *pid_file,
                        const char *console_socket, bool detach, int preserve_fds)
{
  char **v = argv_begin (rt, "exec");

  opt (&v, "--process", process_json);
  opt (&v, "--pid-file", pid_file);
  opt (&v, "--console-socket", console_socket);
  if (detach)
    husk_strv_append (&v, "--detach");
  opt_fds (&v, preserve_fds);
  husk_strv_append (&v, id);
  return v;
}

/* Error messages.  */

/* The value of msg="..." in a logrus text line, unescaped.  */
static char *
logrus_msg (const char *line)
{
  const char *p = strstr (line, "msg=\"");
  struct husk_buf b = HUSK_BUF_INIT;

  if (p == NULL)
    return NULL;
  for (p += 5; *p && *p != '"'; p++)
    {
      if (*p == '\\' && p[1] != '\0')
        p++;
      husk_buf_putc (&b, *p);
    }
  husk_buf_append (&b, "", 0);
  return husk_buf_steal (&b);
}

static bool
error_level (const char *level)
{
  return level == NULL || strcmp (level, "error") == 0 || strcmp (level, "fatal") == 0
         || strcmp (level, "panic") == 0;
}

/* The message of one line, or NULL when it is a log line of a lower
   level.  *structured says whether it was a log line at all.  */
static char *
line_message (const char *line, bool *structured)
{
  cleanup_json json_t *j = NULL;

  *structured = false;
  if (line[0] == '{' && (j = json_loads (line, 0, NULL)) != NULL && json_is_object (j))
    {
      const char *level = json_string_value (json_object_get (j, "level"));
      const char *msg = json_string_value (json_object_get (j, "msg"));

      *structured = true;
      return msg && error_level (level) ? husk_xstrdup (msg) : NULL;
    }
  if (strstr (line, "level=") && strstr (line, "msg=\""))
    {
      *structured = true;
      if (strstr (line, "level=error") == NULL && strstr (line, "level=fatal") == NULL)
        return NULL;
      return logrus_msg (line);
    }
  return NULL;
}

char *
husk_runtime_error_message (const char *stderr_text)
{
  cleanup_strv char **lines = husk_strv_split (stderr_text ? stderr_text : "", '\n');
  struct husk_buf b = HUSK_BUF_INIT;
  const char *last = "";

  for (char **l = lines; *l; l++)
    {
      bool structured;
      cleanup_free char *m = line_message (*l, &structured);

      if (m != NULL && *m)
        {
          if (b.len > 0)
            husk_buf_puts (&b, "; ");
          husk_buf_puts (&b, m);
        }
      if (!structured && **l)
        last = *l;
    }
  if (b.len == 0)
    husk_buf_puts (&b, last);
  husk_buf_append (&b, "", 0);
  return husk_buf_steal (&b);
}

/* Hybrid cgroups.  */

/* The hybrid-mode error for the controllers in ctrls (space separated).  */
static int
hybrid_error (const struct husk_runtime *rt, const char *ctrls, husk_error_t *err)
{
  cleanup_strv char **v = husk_strv_split (ctrls, ' ');
  struct husk_buf fix = HUSK_BUF_INIT;
  struct husk_buf names = HUSK_BUF_INIT;
  cleanup_free char *f = NULL;
  cleanup_free char *n = NULL;

  for (char **c = v; *c; c++)
    {
      if (**c == '\0')
        continue;
      husk_buf_printf (&names, "%s%s", names.len ? ", " : "", *c);
      husk_buf_printf (&fix, "%smkdir -p /sys/fs/cgroup/%s && mount -t cgroup -o %s cgroup "
                       "/sys/fs/cgroup/%s", fix.len ? " && " : "", *c, *c, *c);
    }
  husk_buf_append (&names, "", 0);
  husk_buf_append (&fix, "", 0);
  n = husk_buf_steal (&names);
  f = husk_buf_steal (&fix);
  return husk_error_makex (err, EOPNOTSUPP,
                           "%s cannot run on this host: cgroups are in hybrid mode with "
                           "controllers in the unified hierarchy (%s); mount a cgroup v1 %s "
                           "hierarchy (%s) or use --runtime runc",
                           rt->name, n, n, f);
}

/* The controllers of the unified hierarchy of a hybrid host, space
   separated; "" when there are none or the host is not hybrid.  */
static char *
hybrid_controllers (const char *cgroup_root)
{
  cleanup_free char *path = husk_asprintf ("%s/unified/cgroup.controllers", cgroup_root);
  char *s = husk_read_file (path, NULL, NULL);
  size_t n;

  if (s == NULL)
    return husk_xstrdup ("");
  for (char *p = s; *p; p++)
    if (*p == '\n' || *p == '\t')
      *p = ' ';
  n = strlen (s);
  while (n > 0 && s[n - 1] == ' ')
    s[--n] = '\0';
  return s;
}

static int
crun_check_host (const struct husk_runtime *rt, const char *cgroup_root, husk_error_t *err)
{
  cleanup_free char *ctrls = hybrid_controllers (cgroup_root);

  if (*ctrls == '\0')
    return 0;
  return hybrid_error (rt, ctrls, err);
}

int
husk_runtime_check_host_at (const struct husk_runtime *rt, const char *cgroup_root,
                            husk_error_t *err)
{
  if (rt->ops->check_host == NULL)
    return 0;
  return rt->ops->check_host (rt, cgroup_root, err);
}

/* Choosing a runtime.  */

struct husk_runtime *
husk_runtime_choose (struct husk_config *cfg, const char *cgroup_root, char **reason,
                     husk_error_t *err)
{
  husk_error_t first = NULL;

  *reason = NULL;
  for (size_t i = 0; i < cfg->n_runtimes; i++)
    {
      husk_error_t e = NULL;
      struct husk_runtime *rt = husk_runtime_find (cfg->runtimes[i].name, cfg, NULL);

      if (rt == NULL)
        continue;
      if (husk_runtime_check_host_at (rt, cgroup_root, &e) == 0)
        {
          if (first)
            *reason = husk_xstrdup (first->msg);
          husk_error_release (&first);
          return rt;
        }
      if (first == NULL)
        first = e;
      else
        husk_error_release (&e);
      husk_runtime_free (rt);
    }
  if (first)
    {
      *err = first;
      return NULL;
    }
  husk_error_makex (err, ENOENT, "no OCI runtime found: install crun or runc, or name one "
                    "with --runtime");
  return NULL;
}

struct husk_runtime *
husk_runtime_resolve (const char *name_or_path, struct husk_config *cfg, char **reason,
                      husk_error_t *err)
{
  *reason = NULL;
  if (name_or_path && *name_or_path)
    return husk_runtime_find (name_or_path, cfg, err);
  if (cfg->runtime)
    return husk_runtime_find (cfg->runtime, cfg, err);
  return husk_runtime_choose (cfg, "/sys/fs/cgroup", reason, err);
}

int
husk_runtime_check_host (const struct husk_runtime *rt, husk_error_t *err)
{
  return husk_runtime_check_host_at (rt, "/sys/fs/cgroup", err);
}

/* Running.  */

/* Read from fd into b, keeping at most max bytes (the rest is drained).
   Return: false at end of file.  */
static bool
drain (int fd, struct husk_buf *b, size_t max)
{
  char chunk[16384];
  ssize_t n = read (fd, chunk, sizeof chunk);

  if (n < 0)
    return errno == EINTR || errno == EAGAIN;
  if (n == 0)
    return false;
  if (b->len < max)
    husk_buf_append (b, chunk, (size_t) n < max - b->len ? (size_t) n : max - b->len);
  return true;
}

/* Spawn argv with stdin from /dev/null and stdout, stderr into pipes.  */
static pid_t
spawn (char **argv, int *out_fd, int *err_fd, husk_error_t *err)
{
  int out[2] = { -1, -1 }, errp[2] = { -1, -1 };
  pid_t pid;

  if (pipe2 (out, O_CLOEXEC) < 0 || pipe2 (errp, O_CLOEXEC) < 0)
    {
      int saved = errno;

      for (int i = 0; i < 2; i++)
        if (out[i] >= 0)
          close (out[i]);
      return husk_error_make (err, saved, "pipe");
    }
  pid = fork ();
  if (pid == 0)
    {
      int null = open ("/dev/null", O_RDONLY);
      if (null < 0 || dup2 (null, 0) < 0 || dup2 (out[1], 1) < 0 || dup2 (errp[1], 2) < 0)
        _exit (127);
      husk_exec_runtime (argv[0], argv, environ);
      _exit (127);
    }
  close (out[1]);
  close (errp[1]);
  if (pid < 0)
    {
      int saved = errno;
      close (out[0]);
      close (errp[0]);
      return husk_error_make (err, saved, "run '%s'", argv[0]);
    }
  *out_fd = out[0];
  *err_fd = errp[0];
  return pid;
}

/* Collect both pipes to their end, then reap.  Return: the wait status.  */
static int
collect (pid_t pid, int out_fd, int err_fd, struct husk_buf *out, struct husk_buf *errb)
{
  struct pollfd p[2] = { { out_fd, POLLIN, 0 }, { err_fd, POLLIN, 0 } };
  int status = 0;

  while (p[0].fd >= 0 || p[1].fd >= 0)
    {
      if (poll (p, 2, -1) < 0)
        {
          if (errno == EINTR)
            continue;
          break;
        }
      for (int i = 0; i < 2; i++)
        if (p[i].fd >= 0 && (p[i].revents & (POLLIN | POLLHUP | POLLERR))
            && !drain (p[i].fd, i == 0 ? out : errb, i == 0 ? OUTPUT_MAX : STDERR_MAX))
          {
            close (p[i].fd);
            p[i].fd = -1;
          }
    }
  for (int i = 0; i < 2; i++)
    if (p[i].fd >= 0)
      close (p[i].fd);
  while (waitpid (pid, &status, 0) < 0 && errno == EINTR)
    ;
  return status;
}

static int
failure (const struct husk_runtime *rt, int status, const char *stderr_text,
         husk_error_t *err)
{
  cleanup_free char *msg = husk_runtime_error_message (stderr_text);
  int code = EIO;

  if (strstr (msg, HYBRID_MESSAGE) != NULL)
    {
      cleanup_free char *ctrls = hybrid_controllers ("/sys/fs/cgroup");

      return hybrid_error (rt, *ctrls ? ctrls : "hugetlb", err);
    }
  if (*msg == '\0')
    {
      free (msg);
      msg = WIFEXITED (status) ? husk_asprintf ("exited with status %d", WEXITSTATUS (status))
                               : husk_asprintf ("killed by signal %d", WTERMSIG (status));
    }
  if (strstr (msg, "does not exist") || strstr (msg, "/status`: No such file or directory"))
    code = ENOENT;
  return husk_error_makex (err, code, "%s: %s", rt->name, msg);
}

int
husk_runtime_run (const struct husk_runtime *rt, char **argv, char **output,
                  husk_error_t *err)
{
  struct husk_buf out = HUSK_BUF_INIT, errb = HUSK_BUF_INIT;
  int out_fd = -1, err_fd = -1, status;
  pid_t pid = spawn (argv, &out_fd, &err_fd, err);

  if (pid < 0)
    return -1;
  status = collect (pid, out_fd, err_fd, &out, &errb);
  husk_buf_append (&out, "", 0);
  husk_buf_append (&errb, "", 0);
  if (!WIFEXITED (status) || WEXITSTATUS (status) != 0)
    {
      failure (rt, status, errb.data, err);
      husk_buf_release (&out);
      husk_buf_release (&errb);
      return -1;
    }
  husk_buf_release (&errb);
  if (output)
    *output = husk_buf_steal (&out);
  else
    husk_buf_release (&out);
  return 0;
}

static int
run_argv (const struct husk_runtime *rt, char **argv, husk_error_t *err)
{
  int r = husk_runtime_run (rt, argv, NULL, err);

  husk_strv_free (argv);
  return r;
}

int
husk_runtime_start (const struct husk_runtime *rt, const char *id, husk_error_t *err)
{
  return run_argv (rt, husk_runtime_argv_start (rt, id), err);
}

int
husk_runtime_kill (const struct husk_runtime *rt, const char *id, int signal, bool all,
                   husk_error_t *err)
{
  return run_argv (rt, husk_runtime_argv_kill (rt, id, signal, all), err);
}

int
husk_runtime_delete (const struct husk_runtime *rt, const char *id, bool force,
                     husk_error_t *err)
{
  return run_argv (rt, husk_runtime_argv_delete (rt, id, force), err);
}

int
husk_runtime_pause (const struct husk_runtime *rt, const char *id, husk_error_t *err)
{
  return run_argv (rt, husk_runtime_argv_pause (rt, id), err);
}

int
husk_runtime_resume (const struct husk_runtime *rt, const char *id, husk_error_t *err)
{
  return run_argv (rt, husk_runtime_argv_resume (rt, id), err);
}

/* State.  */

int
husk_runtime_parse_state (const char *json, struct husk_runtime_state *st,
                          husk_error_t *err)
{
  cleanup_json json_t *j = json_loads (json, 0, NULL);
  json_t *status, *pid, *bundle;

  memset (st, 0, sizeof *st);
  if (!json_is_object (j))
    return husk_error_makex (err, EINVAL, "invalid runtime state: not a JSON object");
  status = json_object_get (j, "status");
  pid = json_object_get (j, "pid");
  bundle = json_object_get (j, "bundle");
  if (!json_is_string (status))
    return husk_error_makex (err, EINVAL, "invalid runtime state: no \"status\"");
  if (pid != NULL && (!json_is_integer (pid) || json_integer_value (pid) < 0
                      || json_integer_value (pid) > INT32_MAX))
    return husk_error_makex (err, EINVAL, "invalid runtime state: bad \"pid\"");
  st->status = husk_xstrdup (json_string_value (status));
  st->pid = pid ? (int) json_integer_value (pid) : 0;
  st->bundle = json_is_string (bundle) ? husk_xstrdup (json_string_value (bundle)) : NULL;
  return 0;
}

int
husk_runtime_state (const struct husk_runtime *rt, const char *id,
                    struct husk_runtime_state *st, husk_error_t *err)
{
  cleanup_strv char **argv = husk_runtime_argv_state (rt, id);
  cleanup_free char *out = NULL;

  memset (st, 0, sizeof *st);
  if (husk_runtime_run (rt, argv, &out, err) < 0)
    return -1;
  if (husk_runtime_parse_state (out, st, err) < 0)
    return husk_error_wrap (err, "%s state '%s'", rt->name, id);
  return 0;
}

void
husk_runtime_state_release (struct husk_runtime_state *st)
{
  if (st == NULL)
    return;
  free (st->status);
  free (st->bundle);
  memset (st, 0, sizeof *st);
}
