/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The core of the OCI runtime driver (see driver.h): families, command
 * lines, spawning, error text and exit codes.  Linked by husk and by
 * husk-monitor, so it uses nothing but util/ and jansson.
 *
 * crun 1.8 refuses to run on a host with cgroups in hybrid mode while the
 * unified (v2) hierarchy holds controllers, with a message that does not
 * say what to do about it; crun's host check here detects that state up
 * front (runtime.c also replaces the raw message should it appear).
 */
#include "runtime/driver.h"
#include "util/exec.h"
#include "util/fileutil.h"
#include "util/log.h"
#include "util/strutil.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

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

static char **default_args;

void
husk_runtime_set_default_args (char *const *args)
{
  husk_strv_free (default_args);
  default_args = args && args[0] ? husk_strv_dup (args) : NULL;
}

struct husk_runtime *
husk_runtime_new (const char *name, const char *path)
{
  struct husk_runtime *rt = husk_xzalloc (sizeof *rt);

  rt->name = husk_xstrdup (name);
  rt->path = husk_xstrdup (path);
  rt->ops = ops_for (name);
  rt->args = default_args ? husk_strv_dup (default_args) : NULL;
  return rt;
}

struct husk_runtime *
husk_runtime_new_path (const char *path)
{
  const char *base = strrchr (path, '/');

  return husk_runtime_new (base ? base + 1 : path, path);
}

void
husk_runtime_free (struct husk_runtime *rt)
{
  if (rt == NULL)
    return;
  free (rt->name);
  free (rt->path);
  free (rt->root);
  free (rt->log);
  husk_strv_free (rt->args);
  free (rt);
}

void
husk_runtime_set_root (struct husk_runtime *rt, const char *runroot)
{
  free (rt->root);
  rt->root = husk_asprintf ("%s/runtime", runroot);
}

void
husk_runtime_set_log (struct husk_runtime *rt, const char *path)
{
  free (rt->log);
  rt->log = path ? husk_xstrdup (path) : NULL;
}

/* --- Command lines -------------------------------------------------------- */

static void
opt (char ***v, const char *name, const char *value)
{
  if (value == NULL)
    return;
  husk_strv_append (v, name);
  husk_strv_append (v, value);
}

char **
husk_runtime_argv_v (const struct husk_runtime *rt, const char *verb, va_list ap)
{
  char **v = husk_xzalloc (sizeof *v);
  const char *a;

  husk_strv_append (&v, rt->path);
  opt (&v, "--root", rt->root);
  for (char **p = rt->args; p && *p; p++)
    husk_strv_append (&v, *p);
  opt (&v, "--log", rt->log);
  /* A log file is always asked for as JSON, whatever the family (as
     Podman does): it is read back by husk_runtime_log_error().  */
  if (!rt->plain && (rt->log || rt->ops->json_log))
    opt (&v, "--log-format", "json");
  husk_strv_append (&v, verb);
  while ((a = va_arg (ap, const char *)) != NULL)
    husk_strv_append (&v, a);
  return v;
}

char **
husk_runtime_argv (const struct husk_runtime *rt, const char *verb, ...)
{
  va_list ap;
  char **v;

  va_start (ap, verb);
  v = husk_runtime_argv_v (rt, verb, ap);
  va_end (ap);
  return v;
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
  char **v = husk_runtime_argv (rt, "create", NULL);

  opt (&v, "--bundle", bundle);
  opt (&v, "--pid-file", pid_file);
  opt (&v, "--console-socket", console_socket);
  opt_fds (&v, preserve_fds);
  husk_strv_append (&v, id);
  return v;
}

char **
husk_runtime_argv_start (const struct husk_runtime *rt, const char *id)
{
  return husk_runtime_argv (rt, "start", id, NULL);
}

char **
husk_runtime_argv_state (const struct husk_runtime *rt, const char *id)
{
  return husk_runtime_argv (rt, "state", id, NULL);
}

char **
husk_runtime_argv_kill (const struct husk_runtime *rt, const char *id, int signal, bool all)
{
  char **v = all ? husk_runtime_argv (rt, "kill", "--all", id, NULL)
                 : husk_runtime_argv (rt, "kill", id, NULL);

  husk_strv_take (&v, husk_asprintf ("%d", signal));
  return v;
}

char **
husk_runtime_argv_delete (const struct husk_runtime *rt, const char *id, bool force)
{
  return force ? husk_runtime_argv (rt, "delete", "--force", id, NULL)
               : husk_runtime_argv (rt, "delete", id, NULL);
}

char **
husk_runtime_argv_pause (const struct husk_runtime *rt, const char *id)
{
  return husk_runtime_argv (rt, "pause", id, NULL);
}

char **
husk_runtime_argv_resume (const struct husk_runtime *rt, const char *id)
{
  return husk_runtime_argv (rt, "resume", id, NULL);
}

char **
husk_runtime_argv_exec (const struct husk_runtime *rt, const char *id,
                        const char *process_json, const char *pid_file,
                        const char *console_socket, bool detach, int preserve_fds)
{
  char **v = husk_runtime_argv (rt, "exec", NULL);

  opt (&v, "--process", process_json);
  opt (&v, "--pid-file", pid_file);
  opt (&v, "--console-socket", console_socket);
  if (detach)
    husk_strv_append (&v, "--detach");
  opt_fds (&v, preserve_fds);
  husk_strv_append (&v, id);
  return v;
}

/* --- Spawning ------------------------------------------------------------- */

pid_t
husk_runtime_spawn (char **argv, const struct husk_runtime_stdio *io, husk_error_t *err)
{
  cleanup_close int null = open ("/dev/null", O_RDWR | O_CLOEXEC);
  pid_t pid;

  if (null < 0)
    return husk_error_make (err, errno, "open '/dev/null'");
  husk_log_argv ("running the OCI runtime", argv);
  pid = fork ();
  if (pid < 0)
    return husk_error_make (err, errno, "fork");
  if (pid == 0)
    {
      sigset_t none;
      int tmp[3];

      /* Lift the sources above 2 first, so no dup2 clobbers another.  */
      for (int i = 0; i < 3; i++)
        if ((tmp[i] = fcntl (io->fds[i] < 0 ? null : io->fds[i], F_DUPFD_CLOEXEC, 3)) < 0)
          _exit (125);
      for (int i = 0; i < 3; i++)
        if (dup2 (tmp[i], i) < 0)
          _exit (125);
      close_range (3, ~0U, CLOSE_RANGE_CLOEXEC);
      if (io->new_session && setsid () < 0)
        _exit (125);
      /* Nothing we ignore (SIGPIPE, say) may stay ignored in the runtime
         or the process it starts.  */
      for (int sig = 1; sig < NSIG; sig++)
        signal (sig, SIG_DFL);
      sigemptyset (&none);
      sigprocmask (SIG_SETMASK, io->mask ? io->mask : &none, NULL);
      husk_exec_runtime (argv[0], argv, environ);
      _exit (127);
    }
  return pid;
}

int
husk_runtime_wait (pid_t pid)
{
  int st;

  while (waitpid (pid, &st, 0) < 0)
    if (errno != EINTR)
      return 125;
  return WIFEXITED (st) ? WEXITSTATUS (st) : 128 + WTERMSIG (st);
}

/* --- Error messages ------------------------------------------------------- */

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

char *
husk_runtime_log_error (const char *log_path)
{
  cleanup_fclose FILE *f = fopen (log_path, "re");
  cleanup_free char *line = NULL;
  size_t cap = 0;
  char *msg = NULL;

  if (f == NULL)
    return NULL;
  while (getline (&line, &cap, f) > 0)
    {
      cleanup_json json_t *j = json_loads (line, 0, NULL);
      const char *level = json_string_value (json_object_get (j, "level"));
      const char *m = json_string_value (json_object_get (j, "msg"));

      if (m == NULL || level == NULL
          || !(strcmp (level, "error") == 0 || strcmp (level, "fatal") == 0))
        continue;
      free (msg);
      msg = husk_xstrdup (m);
    }
  return msg;
}

/* --- Exit codes ----------------------------------------------------------- */

static const struct
{
  const char *text; /* found anywhere in the message, case ignored */
  int code;
  const char *what; /* Podman's words */
} exit_table[] = {
  /* Podman's order: a command found but not executable is 126 even when
     the runtime's wording also says "not found" (crun: "executable file
     `x` not found in $PATH: Permission denied").  */
  { "permission denied", 126, "OCI permission denied" },
  { "operation not permitted", 126, "OCI permission denied" },
  { "is a directory", 126, "OCI permission denied" },
  { "not found", 127, "OCI runtime attempted to invoke a command that was not found" },
  { "no such file or directory", 127,
    "OCI runtime attempted to invoke a command that was not found" },
};

int
husk_runtime_exit_code (const char *msg, const char **what)
{
  if (what)
    *what = "OCI runtime error";
  /* crun: "executable file `x` not found", "open executable: Permission
     denied", "exec `/etc`: ..."; runc: "exec: \"x\": executable file not
     found", "exec: \"/etc\": permission denied".  A missing bundle file
     ("open `config.json`: No such file ...") is not the command's.  */
  if (msg == NULL || strcasestr (msg, "exec") == NULL)
    return 125;
  for (size_t i = 0; i < sizeof exit_table / sizeof exit_table[0]; i++)
    if (strcasestr (msg, exit_table[i].text))
      {
        if (what)
          *what = exit_table[i].what;
        return exit_table[i].code;
      }
  return 125;
}

/* --- Hybrid cgroups ------------------------------------------------------- */

int
husk_runtime_hybrid_error (const struct husk_runtime *rt, const char *ctrls,
                           husk_error_t *err)
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

char *
husk_runtime_hybrid_controllers (const char *cgroup_root)
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
  cleanup_free char *ctrls = husk_runtime_hybrid_controllers (cgroup_root);

  if (*ctrls == '\0')
    return 0;
  return husk_runtime_hybrid_error (rt, ctrls, err);
}
