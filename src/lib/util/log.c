/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * All log lines go through emit(), to stderr, in logrus's two forms, as
 * Podman prints them: for a terminal
 *   "\e[37mDEBU\e[0m[0003] message padded to 44 columns "
 * (the number is whole seconds since the process started), else
 *   time="2026-12-05T13:08:13Z" level=debug msg="message"
 * with the message quoted (Go's %q) unless it is one plain word.
 */
#include "util/log.h"
#include "util/strutil.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static enum husk_log_level current = HUSK_LOG_WARN;

int
husk_log_parse_level (const char *name)
{
  static const struct
  {
    const char *name;
    int level;
  } names[] = {
    { "panic", HUSK_LOG_ERROR }, { "fatal", HUSK_LOG_ERROR },
    { "error", HUSK_LOG_ERROR }, { "warn", HUSK_LOG_WARN },
    { "warning", HUSK_LOG_WARN }, { "info", HUSK_LOG_INFO },
    { "debug", HUSK_LOG_DEBUG }, { "trace", HUSK_LOG_DEBUG },
  };

  for (size_t i = 0; i < sizeof (names) / sizeof (names[0]); i++)
    if (strcmp (names[i].name, name) == 0)
      return names[i].level;
  return -1;
}

void
husk_log_set_level (enum husk_log_level level)
{
  current = level;
}

enum husk_log_level
husk_log_get_level (void)
{
  return current;
}

struct timespec
husk_log_clock (void)
{
  struct timespec t;

  clock_gettime (CLOCK_MONOTONIC, &t);
  return t;
}

/* Seconds since the process started, for the terminal form: from the
   first log line or clock reading, which is close enough.  */
static long
seconds_since_start (void)
{
  static struct timespec start;
  struct timespec now = husk_log_clock ();

  if (start.tv_sec == 0 && start.tv_nsec == 0)
    start = now;
  return (long) (now.tv_sec - start.tv_sec);
}

/* logrus quotes a value unless every byte is a letter, digit or one of
   "-._/@^+".  */
static bool
needs_quoting (const char *s)
{
  if (*s == '\0')
    return true;
  for (; *s; s++)
    if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9')
          || strchr ("-._/@^+", *s)))
      return true;
  return false;
}

/* Go's %q of a string: "", backslash and control characters escaped.  */
static void
put_quoted (FILE *f, const char *s)
{
  fputc ('"', f);
  for (; *s; s++)
    {
      unsigned char c = (unsigned char) *s;
      if (c == '"' || c == '\\')
        fprintf (f, "\\%c", c);
      else if (c == '\n')
        fputs ("\\n", f);
      else if (c == '\t')
        fputs ("\\t", f);
      else if (c == '\r')
        fputs ("\\r", f);
      else if (c < 0x20 || c == 0x7f)
        fprintf (f, "\\x%02x", c);
      else
        fputc (c, f);
    }
  fputc ('"', f);
}

/* RFC 3339 in local time, as Go prints it ("Z" for UTC).  */
static void
put_time (FILE *f)
{
  time_t now = time (NULL);
  struct tm tm;
  char buf[64], zone[40];

  localtime_r (&now, &tm);
  strftime (buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  if (tm.tm_gmtoff == 0)
    snprintf (zone, sizeof zone, "Z");
  else
    snprintf (zone, sizeof zone, "%c%02ld:%02ld", tm.tm_gmtoff < 0 ? '-' : '+',
              labs (tm.tm_gmtoff) / 3600, labs (tm.tm_gmtoff) % 3600 / 60);
  fprintf (f, "time=\"%s%s\" ", buf, zone);
}

static void emit (enum husk_log_level level, const char *fmt, va_list ap)
    __attribute__ ((format (printf, 2, 0)));

static void
emit (enum husk_log_level level, const char *fmt, va_list ap)
{
  static const char *const text[] = { "ERRO", "WARN", "INFO", "DEBU" };
  static const char *const name[] = { "error", "warning", "info", "debug" };
  static const int colour[] = { 31, 33, 36, 37 };
  char *msg = NULL;

  if (level > current)
    return;
  if (vasprintf (&msg, fmt, ap) < 0)
    return;
  if (isatty (STDERR_FILENO))
    fprintf (stderr, "\x1b[%dm%s\x1b[0m[%04ld] %-44s \n", colour[level], text[level],
             seconds_since_start (), msg);
  else
    {
      put_time (stderr);
      fprintf (stderr, "level=%s msg=", name[level]);
      if (needs_quoting (msg))
        put_quoted (stderr, msg);
      else
        fputs (msg, stderr);
      fputc ('\n', stderr);
    }
  free (msg);
}

#define DEFINE_LOG_FN(fn, level)                                              \
  void fn (const char *fmt, ...)                                               \
  {                                                                            \
    va_list ap;                                                                \
    va_start (ap, fmt);                                                        \
    emit (level, fmt, ap);                                                     \
    va_end (ap);                                                               \
  }

DEFINE_LOG_FN (husk_log_error, HUSK_LOG_ERROR)
DEFINE_LOG_FN (husk_log_warn, HUSK_LOG_WARN)
DEFINE_LOG_FN (husk_log_info, HUSK_LOG_INFO)
DEFINE_LOG_FN (husk_log_debug, HUSK_LOG_DEBUG)

void
husk_log_timing (const struct timespec *t0, const char *fmt, ...)
{
  struct timespec now;
  char *what = NULL;
  va_list ap;
  int r;

  if (current < HUSK_LOG_DEBUG)
    return;
  now = husk_log_clock ();
  va_start (ap, fmt);
  r = vasprintf (&what, fmt, ap);
  va_end (ap);
  if (r < 0)
    return;
  husk_log_debug ("%s took %.3fms", what,
                  (double) (now.tv_sec - t0->tv_sec) * 1e3
                      + (double) (now.tv_nsec - t0->tv_nsec) / 1e6);
  free (what);
}

void
husk_log_argv (const char *what, char *const *argv)
{
  char *line;

  if (current < HUSK_LOG_DEBUG || argv == NULL)
    return;
  line = husk_strv_join (argv, " ");
  husk_log_debug ("%s: %s", what, line);
  free (line);
}
