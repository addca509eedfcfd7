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
 * The process runs under an exec monitor (`husk-monitor --exec`,
 * src/monitor/exec.c, one per session as conmon is per `podman exec`),
 * never under the caller: a long-lived caller (the REST API) must not
 * reap children it does not own or have its signal mask changed.  The
 * monitor is spawned first, before the container is looked up
 * (husk_container_exec_spawn(), from the operation), so that its start-up
 * runs alongside the lookup, reading the spec and writing process.json; a
 * RUNTIME frame names the runtime as soon as it is known, for the monitor
 * to make its sealed copy meanwhile.  It is our only child, which we wait
 * for by its pid once it has sent EXIT (with -d it forks and its first
 * process leaves at once, so a detached session belongs to nobody).  Once
 * process.json is written, one GO frame hands it the session
 * (monproto.h: struct husk_exec_config); it runs `RT exec --detach`,
 * becomes the process's parent (a subreaper) and relays the process's
 * stdio over the socket as attach frames (exec-tty.c is our side).
 *
 * A failure of the runtime itself is told from the process's own failure
 * by the runtime's JSON log (--log): crun and runc write an error-level
 * line there when they could not start the process.  The monitor sends
 * that message, and the exit code is 127 or 126 when it says the command
 * was not found or may not be executed (husk_runtime_exit_code()).
 *
 * The exit code comes from the monitor (EXIT frame); it also writes it to
 * the session's exit file, so a session whose caller was killed, or that
 * was detached, still has its end recorded.  A session directory whose
 * process ended is removed by the caller, or by husk_container_exec_ids()
 * a minute later.
 */
#include "container/exec-private.h"
#include "events/events.h"
#include "container/ccfg-build.h"
#include "container/monitor.h"
#include "monproto/monproto.h"
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
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
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

/* ---- the exec monitor ---------------------------------------------------- */

/* Spawn `husk-monitor --exec` with its end of a socket pair on fd 3 and
   our fds 3 .. 3+N-1 (--preserve-fds N) from HUSK_EXEC_PRESERVED_FD on
   (husk_monitor_spawn_process: its own session, stdio on /dev/null).  */
int
husk_container_exec_spawn (struct husk_exec_launch *l, int preserve_fds, husk_error_t *err)
{
  cleanup_free char *path = husk_monitor_path ();
  char *argv[] = { (char *) "husk-monitor", (char *) "--exec", (char *) "--sock-fd",
                   (char *) "3", NULL };
  cleanup_free int *fds = NULL;
  int sp[2], r;

  *l = (struct husk_exec_launch){ .sock = -1 };
  if (preserve_fds < 0 || preserve_fds > HUSK_PRESERVE_FDS_MAX)
    return husk_error_makex (err, EINVAL, "--preserve-fds %d: out of range", preserve_fds);
  if (socketpair (AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp) < 0)
    return husk_error_make (err, errno, "socketpair");
  fds = husk_xmalloc ((1 + preserve_fds) * sizeof (int));
  fds[0] = sp[1];
  for (int i = 0; i < preserve_fds; i++)
    fds[HUSK_EXEC_PRESERVED_FD - 3 + i] = 3 + i;
  r = husk_monitor_spawn_process (path, argv, fds, 1 + preserve_fds, &l->pid);
  close (sp[1]);
  if (r != 0)
    {
      close (sp[0]);
      l->pid = 0;
      return husk_error_make (err, r, "execute '%s'", path);
    }
  l->sock = sp[0];
  return 0;
}

void
husk_container_exec_launch_release (struct husk_exec_launch *l)
{
  /* Without GO the monitor leaves at once.  */
  if (l->sock >= 0)
    close (l->sock);
  l->sock = -1;
  if (l->pid > 0)
    while (waitpid (l->pid, NULL, 0) < 0 && errno == EINTR)
      ;
  l->pid = 0;
}

/* Name the runtime: the monitor makes its sealed copy while we resolve the
   process.  */
static int
monitor_runtime (struct husk_exec_session *s, husk_error_t *err)
{
  struct husk_buf frame = HUSK_BUF_INIT;
  ssize_t n;

  husk_buf_putc (&frame, HUSK_ATTACH_RUNTIME);
  husk_buf_puts (&frame, s->rt->path);
  n = send (s->sock, frame.data, frame.len, MSG_NOSIGNAL);
  husk_buf_release (&frame);
  if (n < 0)
    return husk_error_make (err, errno, "start the exec session's monitor");
  return 0;
}

/* Hand the monitor the session: it starts the process now.  */
static int
monitor_go (struct husk_exec_session *s, husk_error_t *err)
{
  const struct husk_exec_opts *o = s->o;
  struct husk_exec_config cfg = {
    .ctr_id = s->r->id, .dir = s->dir, .runtime = s->rt->path, .runtime_root = s->rt->root,
    .runtime_args = (const char *const *) s->rt->args, .runtime_log = s->log,
    .terminal = o->tty, .stdin_open = !o->detach && o->interactive && o->in_fd >= 0,
    .detach = o->detach, .preserve_fds = o->preserve_fds, .log_level = husk_log_get_level (),
  };
  cleanup_json json_t *j = husk_exec_config_to_json (&cfg);
  cleanup_free char *text = json_dumps (j, JSON_COMPACT);
  struct husk_buf frame = HUSK_BUF_INIT;
  ssize_t n;

  husk_buf_putc (&frame, HUSK_ATTACH_GO);
  husk_buf_puts (&frame, text);
  n = send (s->sock, frame.data, frame.len, MSG_NOSIGNAL);
  husk_buf_release (&frame);
  if (n < 0)
    return husk_error_make (err, errno, "start the exec session's monitor");
  s->started = true;
  return 0;
}

/* Reap the monitor by its pid (never any other child): once it has sent
   EXIT it leaves, without GO (its socket closed) too, and with -d its
   first process left at once; else (the detach keys, a lost connection)
   it may run on, and stays our child until we exit.  */
static void
monitor_reap (struct husk_exec_session *s)
{
  bool gone = s->ended || !s->started || (s->o->detach && !s->detached);

  if (s->spawned <= 0)
    return;
  while (waitpid (s->spawned, NULL, gone ? 0 : WNOHANG) < 0 && errno == EINTR)
    ;
  s->spawned = 0;
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
  cleanup_free char *path = husk_asprintf ("%s/%s", dir, HUSK_EXEC_PIDFILE);
  cleanup_free char *exit = husk_asprintf ("%s/%s", dir, HUSK_MONITOR_EXIT);
  cleanup_free char *text = husk_read_file (path, NULL, NULL);
  int pid = text ? atoi (text) : 0;

  /* Its monitor records the end; the pid may be another's by then.  */
  if (husk_path_exists (exit))
    return false;
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
                     const struct husk_exec_opts *o, struct husk_exec_launch *l,
                     int *exit_code, char **exec_id, husk_error_t *err)
{
  struct husk_exec_session s = { .e = e, .r = r, .o = o, .exit_code = exit_code, .sock = -1 };
  struct husk_exec_launch own = { .sock = -1 };
  cleanup_json json_t *ccfg = json_loads (r->config, 0, NULL);
  cleanup_json json_t *spec = NULL;
  int ret = -1;

  /* The monitor first (the caller's, spawned before it looked r up, else
     ours): its start-up overlaps reading the spec and writing
     process.json.  Closing the socket before GO makes it leave.  */
  if (l == NULL || l->sock < 0)
    {
      if (l)
        husk_container_exec_launch_release (l);
      l = &own;
      if (husk_container_exec_spawn (l, o->preserve_fds, err) < 0)
        return -1;
    }
  s.sock = steal_fd (&l->sock);
  s.spawned = l->pid;
  l->pid = 0;
  if (husk_exec_check_keys (o, err) < 0
      || (s.rt = husk_runtime_open (json_string_value (json_object_get (ccfg, "runtime")),
                                    e->runroot, err)) == NULL
      || monitor_runtime (&s, err) < 0
      || (spec = load_spec (e, r->id, err)) == NULL || session_prepare (&s, spec, ccfg, err) < 0
      || monitor_go (&s, err) < 0)
    goto out;
  /* Recorded while the runtime starts the process.  */
  husk_events_container (e->state, r, "exec", 0, NULL);
  ret = husk_exec_relay (&s, err);
  if (ret == 0 && exec_id)
    *exec_id = husk_xstrdup (s.id);
  if (!o->detach && !s.detached)
    husk_events_container (e->state, r, "exec_died", *exit_code, NULL);
out:
  if (s.sock >= 0)
    close (s.sock);
  monitor_reap (&s);
  /* A session that ended is removed; a detached one is its monitor's
     until the process ends.  */
  if (s.dir && (ret < 0 || (!o->detach && !s.detached)))
    husk_rm_rf (s.dir, NULL);
  husk_runtime_free (s.rt);
  free (s.id);
  free (s.dir);
  free (s.log);
  return ret;
}
