/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Parsers for the values of container flags.  */
#include "container/parse.h"
#include "util/strutil.h"

#include <ctype.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

int
husk_parse_size (const char *s, int64_t *out, husk_error_t *err)
{
  char *end;
  double v;
  int64_t mult = 1;

  errno = 0;
  v = strtod (s, &end);
  if (errno || end == s || v < 0)
    return husk_error_makex (err, EINVAL, "invalid size: '%s'", s);
  switch (tolower ((unsigned char) *end))
    {
    case '\0':
    case 'b':
      break;
    case 'k':
      mult = 1024;
      break;
    case 'm':
      mult = 1024 * 1024;
      break;
    case 'g':
      mult = 1024LL * 1024 * 1024;
      break;
    case 't':
      mult = 1024LL * 1024 * 1024 * 1024;
      break;
    default:
      return husk_error_makex (err, EINVAL, "invalid size: '%s'", s);
    }
  if (*end && end[1] && !(tolower ((unsigned char) end[1]) == 'b' && end[2] == '\0'))
    return husk_error_makex (err, EINVAL, "invalid size: '%s'", s);
  *out = (int64_t) (v * mult);
  return 0;
}

int
husk_parse_duration (const char *s, int64_t *out, husk_error_t *err)
{
  static const struct
  {
    const char *unit;
    int64_t ns;
  } units[] = { { "ns", 1 }, { "us", 1000 }, { "µs", 1000 }, { "ms", 1000000 },
                { "s", 1000000000LL }, { "m", 60000000000LL }, { "h", 3600000000000LL } };
  const char *p = s;
  double total = 0;

  if (strcmp (s, "0") == 0)
    return *out = 0, 0;
  if (*p == '\0')
    return husk_error_makex (err, EINVAL, "invalid duration \"%s\"", s);
  while (*p)
    {
      char *end;
      double v = strtod (p, &end);
      size_t best = 0;
      int64_t ns = 0;
      if (end == p || v < 0)
        return husk_error_makex (err, EINVAL, "invalid duration \"%s\"", s);
      for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
        {
          size_t n = strlen (units[i].unit);
          if (strncmp (end, units[i].unit, n) == 0 && n > best)
            best = n, ns = units[i].ns;
        }
      if (best == 0)
        return husk_error_makex (err, EINVAL, "invalid duration \"%s\": missing unit", s);
      total += v * ns;
      p = end + best;
    }
  *out = (int64_t) total;
  return 0;
}

static const struct
{
  const char *name;
  int sig;
} signals[] = {
  { "HUP", SIGHUP }, { "INT", SIGINT }, { "QUIT", SIGQUIT }, { "ILL", SIGILL },
  { "TRAP", SIGTRAP }, { "ABRT", SIGABRT }, { "BUS", SIGBUS }, { "FPE", SIGFPE },
  { "KILL", SIGKILL }, { "USR1", SIGUSR1 }, { "SEGV", SIGSEGV }, { "USR2", SIGUSR2 },
  { "PIPE", SIGPIPE }, { "ALRM", SIGALRM }, { "TERM", SIGTERM }, { "STKFLT", SIGSTKFLT },
  { "CHLD", SIGCHLD }, { "CONT", SIGCONT }, { "STOP", SIGSTOP }, { "TSTP", SIGTSTP },
  { "TTIN", SIGTTIN }, { "TTOU", SIGTTOU }, { "URG", SIGURG }, { "XCPU", SIGXCPU },
  { "XFSZ", SIGXFSZ }, { "VTALRM", SIGVTALRM }, { "PROF", SIGPROF }, { "WINCH", SIGWINCH },
  { "IO", SIGIO }, { "PWR", SIGPWR }, { "SYS", SIGSYS },
};

int
husk_parse_signal (const char *s, int *out, husk_error_t *err)
{
  const char *n = s;
  char *end;
  long v;

  if (strncasecmp (n, "SIG", 3) == 0)
    n += 3;
  for (size_t i = 0; i < sizeof signals / sizeof signals[0]; i++)
    if (strcasecmp (n, signals[i].name) == 0)
      return *out = signals[i].sig, 0;
  if (strncasecmp (n, "RTMIN+", 6) == 0)
    {
      v = strtol (n + 6, &end, 10);
      if (*end == '\0' && v >= 0 && SIGRTMIN + v <= SIGRTMAX)
        return *out = SIGRTMIN + (int) v, 0;
    }
  v = strtol (s, &end, 10);
  if (*s && *end == '\0' && v > 0 && v <= SIGRTMAX)
    return *out = (int) v, 0;
  return husk_error_makex (err, EINVAL, "invalid signal: %s", s);
}

const char *
husk_signal_name (int sig)
{
  static char buf[16];

  for (size_t i = 0; i < sizeof signals / sizeof signals[0]; i++)
    if (signals[i].sig == sig)
      {
        snprintf (buf, sizeof buf, "SIG%s", signals[i].name);
        return buf;
      }
  return NULL;
}
