/* SPDX-License-Identifier: GPL-2.0-or-later */
/* All log lines go through emit(), to stderr, prefixed by their level.  */
#include "util/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

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

static void emit (enum husk_log_level level, const char *fmt, va_list ap)
    __attribute__ ((format (printf, 2, 0)));

static void
emit (enum husk_log_level level, const char *fmt, va_list ap)
{
  static const char *const prefix[] = { "Error", "WARN", "INFO", "DEBU" };

  if (level > current)
    return;
  fprintf (stderr, "%s[husk] ", prefix[level]);
  vfprintf (stderr, fmt, ap);
  fputc ('\n', stderr);
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
