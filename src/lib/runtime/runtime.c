/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The OCI runtime driver: finding and choosing runtimes, running them to
 * completion and reading their state.  The handle, the command lines, the
 * spawner and the exit-code table are in driver.c, which husk-monitor
 * links too.
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

#define OUTPUT_MAX (16u << 20)
#define STDERR_MAX (64u << 10)
#define HYBRID_MESSAGE "cgroups in hybrid mode not supported"

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
      cleanup_free char *ctrls = husk_runtime_hybrid_controllers ("/sys/fs/cgroup");

      return husk_runtime_hybrid_error (rt, *ctrls ? ctrls : "hugetlb", err);
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

/* Spawn argv with stdin from /dev/null and stdout, stderr into pipes.  */
static pid_t
spawn_piped (char **argv, int *out_fd, int *err_fd, husk_error_t *err)
{
  int out[2] = { -1, -1 }, errp[2] = { -1, -1 };
  struct husk_runtime_stdio io = { .fds = { -1, -1, -1 } };
  pid_t pid;

  if (pipe2 (out, O_CLOEXEC) < 0 || pipe2 (errp, O_CLOEXEC) < 0)
    {
      int saved = errno;

      for (int i = 0; i < 2; i++)
        if (out[i] >= 0)
          close (out[i]);
      return husk_error_make (err, saved, "pipe");
    }
  io.fds[1] = out[1];
  io.fds[2] = errp[1];
  pid = husk_runtime_spawn (argv, &io, err);
  close (out[1]);
  close (errp[1]);
  if (pid < 0)
    {
      close (out[0]);
      close (errp[0]);
      return husk_error_wrap (err, "run '%s'", argv[0]);
    }
  *out_fd = out[0];
  *err_fd = errp[0];
  return pid;
}

int
husk_runtime_run (const struct husk_runtime *rt, char **argv, char **output,
                  husk_error_t *err)
{
  struct husk_buf out = HUSK_BUF_INIT, errb = HUSK_BUF_INIT;
  int out_fd = -1, err_fd = -1, status;
  pid_t pid = spawn_piped (argv, &out_fd, &err_fd, err);

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

struct husk_runtime *
husk_runtime_open (const char *path, const char *runroot, husk_error_t *err)
{
  struct husk_runtime *rt;

  if (path == NULL || path[0] != '/')
    {
      husk_error_makex (err, EINVAL, "container has no OCI runtime recorded");
      return NULL;
    }
  rt = husk_runtime_new_path (path);
  husk_runtime_set_root (rt, runroot);
  return rt;
}
