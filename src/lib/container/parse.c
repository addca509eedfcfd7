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

/* The unit at *p of a Go duration, in nanoseconds; 0 when unknown.  */
static int64_t
duration_unit (const char *u, size_t n)
{
  static const struct
  {
    const char *unit;
    int64_t ns;
  } units[] = { { "ns", 1 }, { "us", 1000 }, { "\u00b5s", 1000 }, { "\u03bcs", 1000 },
                { "ms", 1000000 }, { "s", 1000000000LL }, { "m", 60000000000LL },
                { "h", 3600000000000LL } };

  for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
    if (strlen (units[i].unit) == n && strncmp (u, units[i].unit, n) == 0)
      return units[i].ns;
  return 0;
}

/* Go's time.ParseDuration, with its messages: "[0-9]*(.[0-9]*)?UNIT"
   repeated; a bare "0" is the only number without a unit.  Negative
   durations are refused: no flag takes one.  */
int
husk_parse_duration (const char *s, int64_t *out, husk_error_t *err)
{
  const char *p = s;
  double total = 0;

  if (strcmp (s, "0") == 0 || strcmp (s, "+0") == 0)
    return *out = 0, 0;
  if (*p == '+')
    p++;
  if (*p == '\0')
    return husk_error_makex (err, EINVAL, "time: invalid duration \"%s\"", s);
  while (*p)
    {
      const char *start = p, *u;
      int64_t ns;
      double v;

      while (isdigit ((unsigned char) *p))
        p++;
      if (*p == '.')
        for (p++; isdigit ((unsigned char) *p); p++)
          ;
      /* Digits before or after the point: "." alone is no number.  */
      if (p == start || (p == start + 1 && *start == '.'))
        return husk_error_makex (err, EINVAL, "time: invalid duration \"%s\"", s);
      v = strtod (start, NULL);
      for (u = p; *p && *p != '.' && !isdigit ((unsigned char) *p); p++)
        ;
      if (p == u)
        return husk_error_makex (err, EINVAL, "time: missing unit in duration \"%s\"", s);
      if ((ns = duration_unit (u, p - u)) == 0)
        return husk_error_makex (err, EINVAL, "time: unknown unit \"%.*s\" in duration \"%s\"",
                                 (int) (p - u), u, s);
      total += v * ns;
    }
  if (total > (double) INT64_MAX)
    return husk_error_makex (err, EINVAL, "time: invalid duration \"%s\"", s);
  *out = (int64_t) total;
  return 0;
}

int
husk_parse_uint_flag (const char *s, const char *flag, uint64_t *out, husk_error_t *err)
{
  char *end;

  errno = 0;
  if (!isdigit ((unsigned char) *s))
    errno = EINVAL;
  else
    *out = strtoull (s, &end, 10);
  if (errno == 0 && *end != '\0')
    errno = EINVAL;
  if (errno == 0)
    return 0;
  return husk_error_makex (err, HUSK_ERR_USAGE, "invalid argument \"%s\" for \"--%s\" flag: "
                           "strconv.ParseUint: parsing \"%s\": %s", s, flag, s,
                           errno == ERANGE ? "value out of range" : "invalid syntax");
}

int
husk_parse_int_flag (const char *s, const char *flag, int64_t *out, husk_error_t *err)
{
  char *end;

  errno = 0;
  *out = strtoll (s, &end, 10);
  if (errno == 0 && (end == s || *end != '\0' || isspace ((unsigned char) *s)))
    errno = EINVAL;
  if (errno == 0)
    return 0;
  return husk_error_makex (err, HUSK_ERR_USAGE, "invalid argument \"%s\" for \"--%s\" flag: "
                           "strconv.ParseInt: parsing \"%s\": %s", s, flag, s,
                           errno == ERANGE ? "value out of range" : "invalid syntax");
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
