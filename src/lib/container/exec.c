/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * exec: running a process in a running container through its OCI runtime.
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
#include "container/exec-private.h"
#include "events/events.h"
#include "container/ccfg-build.h"
#include "container/monitor.h"
#include "runtime/runtime.h"
#include "runtime/spec.h"
#include "runtime/user.h"
#include "util/cleanup.h"
#include "util/fileutil.h"
#include "util/log.h"
#include "util/strutil.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>


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
bool
husk_exec_term_size (int in_fd, int out_fd, struct winsize *ws)
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
  if (o->tty && husk_exec_term_size (o->in_fd, o->out_fd, &ws))
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

/* Reap children that ended, looking again rounds times 10 ms apart.  */
void
husk_exec_reap_orphans (int rounds)
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

/* Did the runtime fail to run the process?  Return: -1 (error made, exit
   code set) when its log says so, else 0.  */
int
husk_exec_check_runtime (struct husk_exec_session *s, int code, husk_error_t *err)
{
  cleanup_free char *msg = NULL;
  const char *what;

  if (code == 0 || s->log == NULL || (msg = husk_runtime_log_error (s->log)) == NULL)
    return 0;
  *s->exit_code = husk_runtime_exit_code (msg, &what);
  return husk_error_makex (err, EIO, "%s: %s: %s", s->rt->name, msg, what);
}


char **
husk_exec_argv (struct husk_exec_session *s, const char *console, bool detach)
{
  cleanup_free char *proc = husk_asprintf ("%s/process.json", s->dir);
  cleanup_free char *pidf = husk_asprintf ("%s/pid", s->dir);

  husk_runtime_set_log (s->rt, s->log);
  return husk_runtime_argv_exec (s->rt, s->r->id, proc, pidf, console, detach, 0);
}

/* Without a terminal: the runtime uses the caller's descriptors.  */
static int
run_plain (struct husk_exec_session *s, husk_error_t *err)
{
  const struct husk_exec_opts *o = s->o;
  cleanup_strv char **argv = husk_exec_argv (s, NULL, o->detach);
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
      husk_exec_reap_orphans (code == 0 ? 1 : 10);
      prctl (PR_SET_CHILD_SUBREAPER, was_reaper);
    }
  if (pid < 0)
    return -1;
  if (husk_exec_check_runtime (s, code, err) < 0)
    return -1;
  if (o->detach && code != 0)
    return husk_error_makex (err, EIO, "%s exec exited with status %d", s->rt->name, code);
  *s->exit_code = o->detach ? 0 : code;
  return 0;
}

/* ---- exec sessions ------------------------------------------------------- */

static char *
exec_root (struct husk_engine *e, const char *id)
{
  cleanup_free char *run = husk_container_rundir (e, id);

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
husk_container_exec_ids (struct husk_engine *e, const char *id)
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
session_prepare (struct husk_exec_session *s, json_t *spec, json_t *ccfg, husk_error_t *err)
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
husk_container_exec (struct husk_engine *e, struct husk_container_rec *r,
                     const struct husk_exec_opts *o, int *exit_code, char **exec_id,
                     husk_error_t *err)
{
  struct husk_exec_session s = { .e = e, .r = r, .o = o, .exit_code = exit_code };
  cleanup_json json_t *ccfg = json_loads (r->config, 0, NULL);
  cleanup_json json_t *spec = NULL;
  int ret = -1;

  if ((s.rt = husk_runtime_open (json_string_value (json_object_get (ccfg, "runtime")),
                                 e->runroot, err)) == NULL
      || (spec = load_spec (e, r->id, err)) == NULL || session_prepare (&s, spec, ccfg, err) < 0)
    goto out;
  husk_events_container (e->state, r, "exec", 0, NULL);
  ret = o->tty ? husk_exec_run_tty (&s, err) : run_plain (&s, err);
  if (ret == 0 && exec_id)
    *exec_id = husk_xstrdup (s.id);
  if (!o->detach || ret < 0)
    {
      if (!o->detach)
        husk_events_container (e->state, r, "exec_died", *exit_code, NULL);
      husk_rm_rf (s.dir, NULL);
    }
out:
  husk_runtime_free (s.rt);
  free (s.id);
  free (s.dir);
  free (s.log);
  return ret;
}
