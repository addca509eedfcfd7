/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Healthchecks: the command a check runs (`runtime exec ID CMD`), the
 * health.json record both husk-monitor's timer and `husk healthcheck run`
 * update, and the one-shot check behind the latter.
 *
 * health.json has the shape of Podman's `inspect` State.Health:
 *   {"Status": "starting"|"healthy"|"unhealthy", "FailingStreak": N,
 *    "Log": [{"Start": T, "End": T, "ExitCode": N, "Output": "..."}]}
 * with the last five results.  It is replaced atomically under an flock of
 * health.json.lock, so two checks never lose each other's result.
 * The rules are Docker's: a success makes the container healthy and resets
 * the streak; a failure after the start period adds to the streak, and
 * `retries` failures in a row make it unhealthy.  Failures within the start
 * period are logged but do not count.
 */
#include "monproto/monproto.h"
#include "util/cleanup.h"
#include "util/fileutil.h"
#include "util/strutil.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <unistd.h>

#define LOG_KEEP 5

static int
lock_health (const char *userdata_dir, husk_error_t *err)
{
  cleanup_free char *path
      = husk_asprintf ("%s/%s.lock", userdata_dir, HUSK_MONITOR_HEALTH);
  int fd = open (path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);

  if (fd < 0)
    return husk_error_make (err, errno, "open '%s'", path);
  while (flock (fd, LOCK_EX) < 0)
    if (errno != EINTR)
      {
        int saved = errno;
        close (fd);
        return husk_error_make (err, saved, "lock '%s'", path);
      }
  return fd;
}

static int
write_health (const char *userdata_dir, json_t *j, husk_error_t *err)
{
  cleanup_free char *path
      = husk_asprintf ("%s/%s", userdata_dir, HUSK_MONITOR_HEALTH);
  cleanup_free char *text = json_dumps (j, JSON_COMPACT);

  if (text == NULL)
    return husk_error_makex (err, ENOMEM, "encode '%s'", path);
  return husk_monitor_write_file (path, text, strlen (text), 0644, err);
}

int
husk_health_reset (const char *userdata_dir, husk_error_t *err)
{
  cleanup_close int lock = lock_health (userdata_dir, err);
  cleanup_json json_t *j = NULL;

  if (lock < 0)
    return -1;
  j = json_pack ("{s:s, s:i, s:[]}", "Status", "starting", "FailingStreak", 0,
                 "Log");
  return write_health (userdata_dir, j, err);
}

static int
status_of (const char *name)
{
  if (name && strcmp (name, "healthy") == 0)
    return HUSK_HEALTH_HEALTHY;
  if (name && strcmp (name, "unhealthy") == 0)
    return HUSK_HEALTH_UNHEALTHY;
  return HUSK_HEALTH_STARTING;
}

static json_t *
log_entry (const struct husk_health_result *r)
{
  char start[HUSK_TIMESTAMP_LEN], end[HUSK_TIMESTAMP_LEN];
  size_t len;
  cleanup_free char *out
      = husk_utf8_sanitize (r->output ? r->output : "", r->output_len, &len);

  husk_timestamp_format (start, r->start_ns);
  husk_timestamp_format (end, r->end_ns);
  return json_pack ("{s:s, s:s, s:i, s:s%}", "Start", start, "End", end,
                    "ExitCode", r->exit_code, "Output", out, len);
}

int
husk_health_record (const char *userdata_dir,
                    const struct husk_health_result *r, int retries,
                    bool in_start_period, bool *became_unhealthy,
                    husk_error_t *err)
{
  cleanup_close int lock = lock_health (userdata_dir, err);
  cleanup_free char *path
      = husk_asprintf ("%s/%s", userdata_dir, HUSK_MONITOR_HEALTH);
  cleanup_json json_t *j = NULL;
  json_t *log;
  int old, status, streak;

  if (lock < 0)
    return -1;
  if (retries <= 0)
    retries = 3;
  j = json_load_file (path, 0, NULL);
  if (!json_is_object (j))
    {
      json_decref (j);
      j = json_object ();
    }
  old = status = status_of (json_string_value (json_object_get (j, "Status")));
  streak = json_integer_value (json_object_get (j, "FailingStreak"));
  if (r->exit_code == 0)
    {
      status = HUSK_HEALTH_HEALTHY;
      streak = 0;
    }
  else if (!in_start_period && ++streak >= retries)
    status = HUSK_HEALTH_UNHEALTHY;
  log = json_object_get (j, "Log");
  if (!json_is_array (log))
    {
      log = json_array ();
      json_object_set_new (j, "Log", log);
    }
  json_array_append_new (log, log_entry (r));
  while (json_array_size (log) > LOG_KEEP)
    json_array_remove (log, 0);
  json_object_set_new (j, "Status", json_string (husk_health_status_name (status)));
  json_object_set_new (j, "FailingStreak", json_integer (streak));
  if (became_unhealthy)
    *became_unhealthy = status == HUSK_HEALTH_UNHEALTHY && old != status;
  if (write_health (userdata_dir, j, err) < 0)
    return -1;
  return status;
}

/* The container's working directory, for `exec --cwd` (crun runs exec'd
   processes in "/" otherwise).  */
static char *
bundle_cwd (const char *bundle)
{
  cleanup_free char *path = husk_asprintf ("%s/config.json", bundle);
  cleanup_json json_t *j = json_load_file (path, 0, NULL);
  const char *cwd
      = json_string_value (json_object_get (json_object_get (j, "process"), "cwd"));

  return cwd ? husk_xstrdup (cwd) : NULL;
}

char **
husk_health_argv (const struct husk_monitor_opts *o)
{
  const char *const *t = o->health.test;
  cleanup_free char *cwd = NULL;
  char **argv;

  if (t == NULL || t[0] == NULL || strcmp (t[0], "NONE") == 0)
    return NULL;
  if ((strcmp (t[0], "CMD") == 0 || strcmp (t[0], "CMD-SHELL") == 0)
      && t[1] == NULL)
    return NULL;
  argv = husk_monitor_runtime_argv (o, "exec", NULL);
  cwd = bundle_cwd (o->bundle);
  if (cwd)
    {
      husk_strv_append (&argv, "--cwd");
      husk_strv_append (&argv, cwd);
    }
  husk_strv_append (&argv, o->id);
  if (strcmp (t[0], "CMD-SHELL") == 0)
    {
      husk_strv_append (&argv, "/bin/sh");
      husk_strv_append (&argv, "-c");
      husk_strv_append (&argv, t[1]);
      return argv;
    }
  for (t += strcmp (t[0], "CMD") == 0 ? 1 : 0; *t; t++)
    husk_strv_append (&argv, *t);
  return argv;
}

pid_t
husk_health_spawn (char **argv, int *out_fd, husk_error_t *err)
{
  struct husk_runtime_stdio io = { .fds = { -1, -1, -1 } };
  int p[2];
  pid_t pid;

  if (pipe2 (p, O_CLOEXEC) < 0)
    return husk_error_make (err, errno, "pipe");
  io.fds[1] = io.fds[2] = p[1];
  pid = husk_runtime_spawn (argv, &io, err);
  close (p[1]);
  if (pid < 0)
    {
      close (p[0]);
      return -1;
    }
  fcntl (p[0], F_SETFL, O_NONBLOCK);
  *out_fd = p[0];
  return pid;
}

/* Collect the check's output until EOF or the deadline.
   Return: 0 at EOF, 1 on timeout.  */
static int
collect (int fd, int64_t deadline, struct husk_buf *out)
{
  char chunk[1024];

  for (;;)
    {
      struct pollfd pfd = { fd, POLLIN, 0 };
      int64_t left = deadline - husk_now_ns ();
      ssize_t n;

      if (left <= 0)
        return 1;
      if (poll (&pfd, 1, (int) (left / 1000000) + 1) < 0 && errno != EINTR)
        return 1;
      n = read (fd, chunk, sizeof chunk);
      if (n == 0)
        return 0;
      if (n < 0)
        {
          if (errno == EAGAIN || errno == EINTR)
            continue;
          return 0;
        }
      if (out->len < HUSK_HEALTH_OUTPUT_MAX)
        husk_buf_append (out, chunk,
                         (size_t) n < HUSK_HEALTH_OUTPUT_MAX - out->len
                             ? (size_t) n
                             : HUSK_HEALTH_OUTPUT_MAX - out->len);
    }
}

static int64_t
started_at (const char *userdata_dir)
{
  cleanup_free char *path
      = husk_asprintf ("%s/%s", userdata_dir, HUSK_MONITOR_STARTED);
  cleanup_json json_t *j = json_load_file (path, 0, NULL);

  return json_integer_value (json_object_get (j, "started_at_ns"));
}

int
husk_health_run_once (const char *userdata_dir, husk_error_t *err)
{
  cleanup_free char *cfg_path
      = husk_asprintf ("%s/%s", userdata_dir, HUSK_MONITOR_CONFIG);
  struct husk_monitor_config cfg;
  struct husk_health_result r = { 0 };
  struct husk_buf out = HUSK_BUF_INIT;
  cleanup_strv char **argv = NULL;
  cleanup_close int fd = -1;
  int64_t timeout;
  int status, rc;
  pid_t pid;

  if (husk_monitor_config_load (cfg_path, &cfg, err) < 0)
    return -1;
  argv = husk_health_argv (&cfg.o);
  if (argv == NULL)
    {
      husk_monitor_config_release (&cfg);
      return husk_error_makex (err, EINVAL, "container '%s' has no healthcheck",
                               cfg.o.id);
    }
  timeout = cfg.o.health.timeout_ns > 0 ? cfg.o.health.timeout_ns : 30000000000LL;
  r.start_ns = husk_now_ns ();
  pid = husk_health_spawn (argv, &fd, err);
  if (pid < 0)
    {
      husk_monitor_config_release (&cfg);
      return -1;
    }
  husk_buf_append (&out, "", 0);
  if (collect (fd, r.start_ns + timeout, &out) == 1)
    {
      kill (pid, SIGKILL);
      out.len = 0;
      husk_buf_printf (&out, "healthcheck command exceeded timeout of %llds",
                       (long long) (timeout / 1000000000));
      r.exit_code = -1;
    }
  while (waitpid (pid, &status, 0) < 0 && errno == EINTR)
    ;
  r.end_ns = husk_now_ns ();
  if (r.exit_code == 0)
    r.exit_code = WIFEXITED (status) ? WEXITSTATUS (status) : 128 + WTERMSIG (status);
  r.output = out.data;
  r.output_len = out.len;
  rc = husk_health_record (
      userdata_dir, &r, cfg.o.health.retries,
      r.start_ns < started_at (userdata_dir) + cfg.o.health.start_period_ns,
      NULL, err);
  husk_buf_release (&out);
  husk_monitor_config_release (&cfg);
  return rc;
}
