/* SPDX-License-Identifier: GPL-2.0-or-later */
/* `logs`: where a container's log is and when following it ends (the
   monitor's exit file), so that front ends only print records.  */
#include "ops/container_logs.h"
#include "ops/container.h"
#include "container/parse.h"
#include "util/cleanup.h"
#include "util/fileutil.h"
#include "util/strutil.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Parse n digits at s; -1 when one is not a digit.  */
static int
digits (const char *s, int n)
{
  int v = 0;

  for (int i = 0; i < n; i++)
    {
      if (s[i] < '0' || s[i] > '9')
        return -1;
      v = v * 10 + (s[i] - '0');
    }
  return v;
}

/* "Z", "+hh:mm" or "-hh:mm" at s, the whole rest: *off in seconds east. */
static bool
parse_zone (const char *s, int64_t *off)
{
  int h, m;

  if (strcmp (s, "Z") == 0)
    return *off = 0, true;
  if ((s[0] != '+' && s[0] != '-') || strlen (s) != 6 || s[3] != ':')
    return false;
  h = digits (s + 1, 2);
  m = digits (s + 4, 2);
  if (h < 0 || h > 23 || m < 0 || m > 59)
    return false;
  *off = (h * 3600 + m * 60) * (s[0] == '+' ? 1 : -1);
  return true;
}

/* A fraction of a second after "." or "," (Go accepts both when
   parsing): its nanoseconds; *s moves past it.  */
static int64_t
parse_fraction (const char **s)
{
  int64_t ns = 0, scale = 1000000000;
  const char *p = *s;

  if ((*p != '.' && *p != ',') || p[1] < '0' || p[1] > '9')
    return 0;
  for (p++; *p >= '0' && *p <= '9'; p++)
    if (scale > 1)
      ns += (*p - '0') * (scale /= 10);
  *s = p;
  return ns;
}

/* The layouts Podman 5 documents for logs --since/--until: RFC 3339 with
   or without a fraction, "2006-01-02T15:04:05[.999999999]" (UTC),
   "2006-01-02Z07:00" and "2006-01-02" (UTC).  Return: whether s is one.  */
static bool
parse_date_time (const char *s, int64_t *ns)
{
  struct tm tm = { 0 };
  int64_t frac = 0, off = 0;
  const char *p = s + 10;
  time_t sec;

  if (strlen (s) < 10 || s[4] != '-' || s[7] != '-')
    return false;
  tm.tm_year = digits (s, 4) - 1900;
  tm.tm_mon = digits (s + 5, 2) - 1;
  tm.tm_mday = digits (s + 8, 2);
  if (tm.tm_year < 0 || tm.tm_mon < 0 || tm.tm_mon > 11 || tm.tm_mday < 1 || tm.tm_mday > 31)
    return false;
  if (*p == 'T')
    {
      if (strlen (p) < 9 || p[3] != ':' || p[6] != ':')
        return false;
      tm.tm_hour = digits (p + 1, 2);
      tm.tm_min = digits (p + 4, 2);
      tm.tm_sec = digits (p + 7, 2);
      if (tm.tm_hour < 0 || tm.tm_hour > 23 || tm.tm_min < 0 || tm.tm_min > 59
          || tm.tm_sec < 0 || tm.tm_sec > 59)
        return false;
      p += 9;
      frac = parse_fraction (&p);
    }
  if (*p != '\0' && !parse_zone (p, &off))
    return false;
  sec = timegm (&tm);
  *ns = ((int64_t) sec - off) * 1000000000 + frac;
  return true;
}

/* A Unix time in seconds, with a fraction: "1700000000.5".  */
static bool
parse_unix (const char *s, int64_t *ns)
{
  char *end;
  double v, ip, fp;

  errno = 0;
  v = strtod (s, &end);
  if (end == s || *end != '\0' || errno != 0 || !isfinite (v) || fabs (v) > 9.2e9)
    return false;
  fp = modf (v, &ip);
  *ns = (int64_t) ip * 1000000000 + (int64_t) (fp * 1e9);
  return true;
}

int
husk_op_logs_time (const char *flag, const char *s, bool since, int64_t *ns,
                   husk_error_t *err)
{
  int64_t d;

  *ns = 0;
  if (s == NULL)
    return 0;
  if (parse_date_time (s, ns) || parse_unix (s, ns))
    return 0;
  if (husk_parse_duration (s, &d, NULL) == 0)
    {
      /* Podman 5: back from now for --since, ahead of now for --until. */
      *ns = husk_now_ns () + (since ? -d : d);
      return 0;
    }
  return husk_error_makex (err, EINVAL, "parsing --%s \"%s\": unable to interpret time value",
                           flag, s);
}

void
husk_log_source_release (struct husk_log_source *s)
{
  free (s->path);
  free (s->driver);
  free (s->exit_file);
  memset (s, 0, sizeof *s);
}

int
husk_op_container_log_source (struct husk_engine *e, const char *ref,
                              struct husk_log_source *s, husk_error_t *err)
{
  cleanup_free char *id = NULL, *run = NULL;

  memset (s, 0, sizeof *s);
  if (husk_op_container_log (e, ref, &s->path, &s->driver, &id, err) < 0)
    return -1;
  if (strcmp (s->driver, "none") == 0 || strcmp (s->driver, "passthrough") == 0)
    {
      husk_error_makex (err, EINVAL, "this container is using the '%s' log driver, "
                        "cannot read logs", s->driver);
      husk_log_source_release (s);
      return -1;
    }
  run = husk_op_container_rundir (e, id);
  s->exit_file = husk_asprintf ("%s/%s", run, HUSK_MONITOR_EXIT);
  s->can_follow = husk_path_exists (run);
  return 0;
}

int
husk_op_log_source_read (const struct husk_log_source *s, const struct husk_logs_opts *o,
                         husk_log_cb cb, void *data, husk_error_t *err)
{
  struct husk_log_filter f = { .since_ns = o->since_ns, .until_ns = o->until_ns,
                               .tail = o->tail, .follow = o->follow && s->can_follow,
                               .exit_file = s->exit_file };

  if (!husk_path_exists (s->path))
    return 0;
  return husk_log_read (s->path, s->driver, &f, cb, data, err);
}

int
husk_op_container_logs (struct husk_engine *e, const char *ref,
                        const struct husk_logs_opts *o, husk_log_cb cb, void *data,
                        husk_error_t *err)
{
  struct husk_log_source s;
  int r;

  if (husk_op_container_log_source (e, ref, &s, err) < 0)
    return -1;
  r = husk_op_log_source_read (&s, o, cb, data, err);
  husk_log_source_release (&s);
  return r;
}
