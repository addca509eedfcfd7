/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What libhusk and husk-monitor must agree on: the monitor.json config, the
 * runtime command lines, the exit file, timestamps and socket addresses.
 * Compiled into both, so it depends on util/ and jansson only.
 */
#include "monproto/monproto.h"
#include "util/cleanup.h"
#include "util/fileutil.h"
#include "util/log.h"
#include "util/strutil.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static int
parse_name (const char *name, const char *const *names, int n)
{
  if (name == NULL || *name == '\0')
    return 0;
  for (int i = 0; i < n; i++)
    if (strcmp (name, names[i]) == 0)
      return i;
  return -1;
}

int
husk_log_driver_parse (const char *name)
{
  static const char *const names[]
      = { "k8s-file", "json-file", "none", "passthrough" };
  return parse_name (name, names, 4);
}

int
husk_restart_policy_parse (const char *name)
{
  static const char *const names[]
      = { "no", "on-failure", "always", "unless-stopped" };
  return parse_name (name, names, 4);
}

int
husk_health_action_parse (const char *name)
{
  static const char *const names[] = { "none", "kill", "restart", "stop" };
  return parse_name (name, names, 4);
}

const char *
husk_health_status_name (int status)
{
  switch (status)
    {
    case HUSK_HEALTH_HEALTHY:
      return "healthy";
    case HUSK_HEALTH_UNHEALTHY:
      return "unhealthy";
    default:
      return "starting";
    }
}

/* --- monitor.json --------------------------------------------------------- */

static json_t *
strv_json (const char *const *v)
{
  json_t *a = json_array ();

  for (; v && *v; v++)
    json_array_append_new (a, json_string (*v));
  return a;
}

static void
set_str (json_t *o, const char *key, const char *value)
{
  json_object_set_new (o, key, value ? json_string (value) : json_null ());
}

json_t *
husk_monitor_config_to_json (const struct husk_monitor_opts *o)
{
  json_t *j = json_object ();
  json_t *log = json_object ();
  json_t *restart = json_object ();

  set_str (j, "id", o->id);
  set_str (j, "bundle", o->bundle);
  set_str (j, "userdata", o->userdata);
  set_str (j, "runtime", o->runtime);
  set_str (j, "runtime_root", o->runtime_root);
  json_object_set_new (j, "runtime_args", strv_json (o->runtime_args));
  json_object_set_new (j, "create_args", strv_json (o->create_args));
  json_object_set_new (j, "terminal", json_boolean (o->terminal));
  json_object_set_new (j, "stdin", json_boolean (o->stdin_open));
  set_str (log, "driver", o->log_driver ? o->log_driver : "k8s-file");
  set_str (log, "path", o->log_path);
  json_object_set_new (log, "max_size",
                       json_integer (o->log_max_size > 0 ? o->log_max_size : -1));
  json_object_set_new (j, "log", log);
  json_object_set_new (j, "attach_wait", json_boolean (o->attach_wait));
  json_object_set_new (j, "create_only", json_boolean (o->create_only));
  json_object_set_new (j, "handoff_cleanup", json_boolean (o->handoff_cleanup));
  set_str (j, "trash_dir", o->trash_dir);
  json_object_set_new (j, "exit_command", strv_json (o->exit_command));
  set_str (restart, "policy", o->restart_policy ? o->restart_policy : "no");
  json_object_set_new (restart, "max_retries", json_integer (o->max_retries));
  json_object_set_new (j, "restart", restart);
  if (o->health.test && o->health.test[0]
      && strcmp (o->health.test[0], "NONE") != 0)
    {
      const struct husk_monitor_health *h = &o->health;
      json_object_set_new (
          j, "health",
          json_pack ("{s:o, s:I, s:I, s:I, s:i, s:s}", "test",
                     strv_json (h->test), "interval", (json_int_t) h->interval_ns,
                     "timeout", (json_int_t) h->timeout_ns, "start_period",
                     (json_int_t) h->start_period_ns, "retries", h->retries,
                     "on_failure", h->on_failure ? h->on_failure : "none"));
    }
  else
    json_object_set_new (j, "health", json_null ());
  json_object_set_new (j, "stop_signal", json_integer (o->stop_signal));
  json_object_set_new (j, "stop_timeout", json_integer (o->stop_timeout));
  json_object_set_new (j, "timeout", json_integer (o->timeout_ns));
  json_object_set_new (j, "preserve_fds", json_integer (o->preserve_fds));
  json_object_set_new (j, "log_level", json_integer (husk_log_get_level ()));
  return j;
}

static const char *
get_str (json_t *o, const char *key)
{
  return json_string_value (json_object_get (o, key));
}

static int64_t
get_int (json_t *o, const char *key)
{
  return json_integer_value (json_object_get (o, key));
}

/* A vector of pointers into the JSON array's strings; NULL when absent.  */
static const char **
get_strv (json_t *o, const char *key)
{
  json_t *a = json_object_get (o, key);
  const char **v;
  size_t i;
  json_t *s;

  if (!json_is_array (a))
    return NULL;
  v = husk_xzalloc ((json_array_size (a) + 1) * sizeof (*v));
  json_array_foreach (a, i, s)
    v[i] = json_string_value (s) ? json_string_value (s) : "";
  return v;
}

int
husk_monitor_config_load (const char *path, struct husk_monitor_config *cfg,
                          husk_error_t *err)
{
  struct husk_monitor_opts *o = &cfg->o;
  json_error_t jerr;
  json_t *j, *log, *restart, *health;

  memset (cfg, 0, sizeof (*cfg));
  j = json_load_file (path, 0, &jerr);
  if (j == NULL)
    return husk_error_makex (err, EINVAL, "parse '%s': %s", path, jerr.text);
  cfg->json = j;
  o->id = get_str (j, "id");
  o->bundle = get_str (j, "bundle");
  o->userdata = get_str (j, "userdata");
  o->runtime = get_str (j, "runtime");
  o->runtime_root = get_str (j, "runtime_root");
  o->runtime_args = cfg->vecs[0] = get_strv (j, "runtime_args");
  o->create_args = cfg->vecs[1] = get_strv (j, "create_args");
  o->terminal = json_is_true (json_object_get (j, "terminal"));
  o->stdin_open = json_is_true (json_object_get (j, "stdin"));
  log = json_object_get (j, "log");
  o->log_driver = get_str (log, "driver");
  o->log_path = get_str (log, "path");
  o->log_max_size = get_int (log, "max_size");
  o->attach_wait = json_is_true (json_object_get (j, "attach_wait"));
  o->create_only = json_is_true (json_object_get (j, "create_only"));
  o->handoff_cleanup = json_is_true (json_object_get (j, "handoff_cleanup"));
  o->trash_dir = get_str (j, "trash_dir");
  o->exit_command = cfg->vecs[2] = get_strv (j, "exit_command");
  if (o->exit_command && o->exit_command[0] == NULL)
    o->exit_command = NULL;
  restart = json_object_get (j, "restart");
  o->restart_policy = get_str (restart, "policy");
  o->max_retries = get_int (restart, "max_retries");
  health = json_object_get (j, "health");
  if (json_is_object (health))
    {
      o->health.test = cfg->vecs[3] = get_strv (health, "test");
      o->health.interval_ns = get_int (health, "interval");
      o->health.timeout_ns = get_int (health, "timeout");
      o->health.start_period_ns = get_int (health, "start_period");
      o->health.retries = get_int (health, "retries");
      o->health.on_failure = get_str (health, "on_failure");
    }
  o->stop_signal = get_int (j, "stop_signal");
  o->stop_timeout = get_int (j, "stop_timeout");
  o->timeout_ns = get_int (j, "timeout");
  o->preserve_fds = (int) get_int (j, "preserve_fds");
  cfg->log_level = get_int (j, "log_level");
  o->stdio_fds[0] = o->stdio_fds[1] = o->stdio_fds[2] = -1;

  if (o->id == NULL || o->bundle == NULL || o->userdata == NULL
      || o->runtime == NULL)
    {
      husk_monitor_config_release (cfg);
      return husk_error_makex (err, EINVAL,
                               "'%s': id, bundle, userdata and runtime are "
                               "required", path);
    }
  if (husk_log_driver_parse (o->log_driver) < 0
      || husk_restart_policy_parse (o->restart_policy) < 0
      || husk_health_action_parse (o->health.on_failure) < 0)
    {
      husk_monitor_config_release (cfg);
      return husk_error_makex (err, EINVAL,
                               "'%s': unknown log driver, restart policy or "
                               "health action", path);
    }
  if (get_int (j, "preserve_fds") < 0 || get_int (j, "preserve_fds") > HUSK_PRESERVE_FDS_MAX)
    {
      husk_monitor_config_release (cfg);
      return husk_error_makex (err, EINVAL, "'%s': preserve_fds out of range", path);
    }
  return 0;
}

void
husk_monitor_config_release (struct husk_monitor_config *cfg)
{
  for (size_t i = 0; i < sizeof (cfg->vecs) / sizeof (cfg->vecs[0]); i++)
    {
      free (cfg->vecs[i]);
      cfg->vecs[i] = NULL;
    }
  if (cfg->json)
    json_decref (cfg->json);
  cfg->json = NULL;
}

/* --- Runtime command lines ------------------------------------------------ */

struct husk_runtime *
husk_monitor_runtime (const struct husk_monitor_opts *o, const char *log)
{
  struct husk_runtime *rt = husk_runtime_new_path (o->runtime);

  rt->root = o->runtime_root ? husk_xstrdup (o->runtime_root) : NULL;
  husk_strv_free (rt->args);
  rt->args = husk_strv_dup ((char *const *) o->runtime_args);
  husk_runtime_set_log (rt, log);
  /* Without a log file its messages reach a person (a healthcheck's
     output, the monitor's own log) as the runtime writes them.  */
  rt->plain = log == NULL;
  return rt;
}

char **
husk_monitor_runtime_argv (const struct husk_monitor_opts *o, const char *verb, ...)
{
  cleanup (husk_runtime_free) struct husk_runtime *rt = husk_monitor_runtime (o, NULL);
  va_list ap;
  char **argv;

  va_start (ap, verb);
  argv = husk_runtime_argv_v (rt, verb, ap);
  va_end (ap);
  return argv;
}

/* --- Time ----------------------------------------------------------------- */

void
husk_timestamp_format (char buf[HUSK_TIMESTAMP_LEN], int64_t ns)
{
  time_t sec = ns / 1000000000;
  long frac = ns % 1000000000;
  struct tm tm;

  if (frac < 0)
    {
      frac += 1000000000;
      sec--;
    }
  gmtime_r (&sec, &tm);
  snprintf (buf, HUSK_TIMESTAMP_LEN, "%04d-%02d-%02dT%02d:%02d:%02d.%09ldZ",
            tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
            tm.tm_min, tm.tm_sec, frac);
}

static int
digits (const char *s, size_t n)
{
  int v = 0;

  for (size_t i = 0; i < n; i++)
    {
      if (s[i] < '0' || s[i] > '9')
        return -1;
      v = v * 10 + (s[i] - '0');
    }
  return v;
}

int64_t
husk_timestamp_parse (const char *s, size_t len)
{
  struct tm tm = { 0 };
  int64_t frac = 0, sec, off = 0;
  size_t i = 19;
  int scale = 1000000000;

  /* YYYY-MM-DDTHH:MM:SS  */
  if (len < 20 || s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != 't')
      || s[13] != ':' || s[16] != ':')
    return -1;
  tm.tm_year = digits (s, 4) - 1900;
  tm.tm_mon = digits (s + 5, 2) - 1;
  tm.tm_mday = digits (s + 8, 2);
  tm.tm_hour = digits (s + 11, 2);
  tm.tm_min = digits (s + 14, 2);
  tm.tm_sec = digits (s + 17, 2);
  if (tm.tm_year < -1900 || tm.tm_mon < 0 || tm.tm_mon > 11 || tm.tm_mday < 1
      || tm.tm_mday > 31 || tm.tm_hour < 0 || tm.tm_hour > 23 || tm.tm_min < 0
      || tm.tm_min > 59 || tm.tm_sec < 0 || tm.tm_sec > 60)
    return -1;
  if (s[i] == '.')
    {
      i++;
      if (i >= len || s[i] < '0' || s[i] > '9')
        return -1;
      for (; i < len && s[i] >= '0' && s[i] <= '9'; i++)
        if (scale > 1)
          {
            scale /= 10;
            frac += (s[i] - '0') * (int64_t) scale;
          }
    }
  if (i < len && (s[i] == 'Z' || s[i] == 'z'))
    i++;
  else if (i + 6 == len && (s[i] == '+' || s[i] == '-') && s[i + 3] == ':')
    {
      int h = digits (s + i + 1, 2), m = digits (s + i + 4, 2);
      if (h < 0 || h > 23 || m < 0 || m > 59)
        return -1;
      off = (h * 3600 + m * 60) * (s[i] == '+' ? 1 : -1);
      i += 6;
    }
  else
    return -1;
  if (i != len)
    return -1;
  sec = timegm (&tm);
  if (sec < 0)
    return -1;
  return (sec - off) * 1000000000 + frac;
}

/* --- Sockets -------------------------------------------------------------- */

int
husk_monitor_sockaddr (const char *dir, const char *name,
                       struct sockaddr_un *sa, socklen_t *len, int *dirfd,
                       husk_error_t *err)
{
  int n;

  *dirfd = -1;
  memset (sa, 0, sizeof (*sa));
  sa->sun_family = AF_UNIX;
  n = snprintf (sa->sun_path, sizeof (sa->sun_path), "%s/%s", dir, name);
  if (n < 0 || (size_t) n >= sizeof (sa->sun_path))
    {
      /* Too long for sun_path: go through a descriptor of the directory.  */
      *dirfd = open (dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
      if (*dirfd < 0)
        return husk_error_make (err, errno, "open '%s'", dir);
      n = snprintf (sa->sun_path, sizeof (sa->sun_path), "/proc/self/fd/%d/%s",
                    *dirfd, name);
      if (n < 0 || (size_t) n >= sizeof (sa->sun_path))
        {
          close (*dirfd);
          *dirfd = -1;
          return husk_error_makex (err, ENAMETOOLONG, "socket name '%s' too long",
                                   name);
        }
    }
  *len = offsetof (struct sockaddr_un, sun_path) + n + 1;
  return 0;
}

/* --- Files ---------------------------------------------------------------- */

int
husk_monitor_write_file (const char *path, const void *data, size_t len,
                         mode_t mode, husk_error_t *err)
{
  return husk_write_file_replace (path, data, len, mode, err);
}

int
husk_monitor_write_exit (const char *userdata_dir,
                         const struct husk_monitor_exit *ex, husk_error_t *err)
{
  cleanup_json json_t *j = json_pack (
      "{s:i, s:I, s:b, s:b, s:i}", "exit_code", ex->exit_code,
      "finished_at_ns", (json_int_t) ex->finished_at_ns, "oom_killed",
      ex->oom_killed, "restarting", ex->restarting, "restart_count",
      ex->restart_count);
  cleanup_free char *path = husk_asprintf ("%s/%s", userdata_dir, HUSK_MONITOR_EXIT);
  cleanup_free char *text = NULL;

  if (ex->error)
    json_object_set_new (j, "error", json_string (ex->error));
  if (ex->handed_over)
    json_object_set_new (j, "handed_over", json_true ());
  text = json_dumps (j, JSON_COMPACT);
  if (text == NULL)
    return husk_error_makex (err, ENOMEM, "encode the exit file");
  return husk_monitor_write_file (path, text, strlen (text), 0644, err);
}
