/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Humanising helpers.  The thresholds are go-units' (the library Podman
 * and Docker print sizes and ages with); C's "%.3g" formats exactly as
 * Go's does, so sizes like 999.9 kB come out as Podman's "1e+03 kB".
 */
#include "format/humanize.h"

#include <inttypes.h>
#include "util/cleanup.h"
#include "util/strutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static char *
human_size (int64_t bytes, const char *sep, int digits)
{
  static const char *const units[] = { "B", "kB", "MB", "GB", "TB", "PB", "EB", "ZB", "YB" };
  double size = (double) bytes;
  size_t i = 0;
  char num[64];

  while (size >= 1000.0 && i + 1 < sizeof units / sizeof units[0])
    {
      size /= 1000.0;
      i++;
    }
  snprintf (num, sizeof num, "%.*g", digits, size);
  return husk_asprintf ("%s%s%s", num, sep, units[i]);
}

char *
husk_human_size (int64_t bytes)
{
  return human_size (bytes, " ", 3);
}

char *
husk_human_size_compact (int64_t bytes)
{
  return human_size (bytes, "", 3);
}

char *
husk_human_size_4 (int64_t bytes)
{
  return human_size (bytes, "", 4);
}

char *
husk_human_duration (int64_t seconds)
{
  int64_t minutes = seconds / 60, hours = (int64_t) ((double) seconds / 3600.0 + 0.5);

  if (seconds < 1)
    return husk_xstrdup ("Less than a second");
  if (seconds == 1)
    return husk_xstrdup ("1 second");
  if (seconds < 60)
    return husk_asprintf ("%lld seconds", (long long) seconds);
  if (minutes == 1)
    return husk_xstrdup ("About a minute");
  if (minutes < 60)
    return husk_asprintf ("%lld minutes", (long long) minutes);
  if (hours == 1)
    return husk_xstrdup ("About an hour");
  if (hours < 48)
    return husk_asprintf ("%lld hours", (long long) hours);
  if (hours < 24 * 7 * 2)
    return husk_asprintf ("%lld days", (long long) (hours / 24));
  if (hours < 24 * 30 * 2)
    return husk_asprintf ("%lld weeks", (long long) (hours / 24 / 7));
  if (hours < 24 * 365 * 2)
    return husk_asprintf ("%lld months", (long long) (hours / 24 / 30));
  return husk_asprintf ("%lld years", (long long) (seconds / 3600 / 24 / 365));
}

char *
husk_human_duration_ago (int64_t seconds)
{
  cleanup_free char *d = husk_human_duration (seconds);
  return husk_asprintf ("%s ago", d);
}

/* ".123" for the nanoseconds, trailing zeros trimmed; "" for zero.  */
static void
fraction (char *out, size_t size, long nsec)
{
  size_t n;

  if (nsec <= 0 || nsec >= 1000000000L)
    {
      out[0] = '\0';
      return;
    }
  snprintf (out, size, ".%09ld", nsec);
  n = strlen (out);
  while (n > 1 && out[n - 1] == '0')
    out[--n] = '\0';
}

static void
broken_down (int64_t sec, bool utc, struct tm *tm)
{
  time_t t = (time_t) sec;

  memset (tm, 0, sizeof *tm);
  if (utc)
    gmtime_r (&t, tm);
  else
    localtime_r (&t, tm);
}

static char *
rfc3339 (int64_t sec, long nsec, bool utc)
{
  struct tm tm;
  char frac[16], zone[48];
  long off;

  broken_down (sec, utc, &tm);
  fraction (frac, sizeof frac, nsec);
  off = utc ? 0 : tm.tm_gmtoff;
  if (off == 0)
    snprintf (zone, sizeof zone, "Z");
  else
    snprintf (zone, sizeof zone, "%c%02ld:%02ld", off < 0 ? '-' : '+', labs (off) / 3600,
              labs (off) % 3600 / 60);
  return husk_asprintf ("%04d-%02d-%02dT%02d:%02d:%02d%s%s", tm.tm_year + 1900, tm.tm_mon + 1,
                        tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, frac, zone);
}

char *
husk_time_rfc3339nano (int64_t sec, long nsec)
{
  return rfc3339 (sec, nsec, true);
}

char *
husk_time_rfc3339nano_local (int64_t sec, long nsec)
{
  return rfc3339 (sec, nsec, false);
}

char *
husk_time_go_string (int64_t sec, long nsec, bool utc)
{
  struct tm tm;
  char frac[16];
  long off;
  const char *abbr;

  broken_down (sec, utc, &tm);
  fraction (frac, sizeof frac, nsec);
  off = utc ? 0 : tm.tm_gmtoff;
  abbr = utc ? "UTC" : tm.tm_zone ? tm.tm_zone : "";
  return husk_asprintf ("%04d-%02d-%02d %02d:%02d:%02d%s %c%02ld%02ld %s", tm.tm_year + 1900,
                        tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, frac,
                        off < 0 ? '-' : '+', labs (off) / 3600, labs (off) % 3600 / 60, abbr);
}

char *
husk_go_duration (int64_t ns)
{
  struct husk_buf b = HUSK_BUF_INIT;
  uint64_t u = ns < 0 ? -(uint64_t) ns : (uint64_t) ns;
  uint64_t unit = 1000000000, sec;
  const char *suffix = "s";
  int prec = 9;

  if (u == 0)
    return husk_xstrdup ("0s");
  if (ns < 0)
    husk_buf_putc (&b, '-');
  if (u < 1000)
    {
      husk_buf_printf (&b, "%" PRIu64 "ns", u);
      return husk_buf_steal (&b);
    }
  if (u < 1000000)
    unit = 1000, prec = 3, suffix = "µs";
  else if (u < 1000000000)
    unit = 1000000, prec = 6, suffix = "ms";
  sec = u / unit;
  if (unit == 1000000000)
    {
      if (sec >= 3600)
        husk_buf_printf (&b, "%" PRIu64 "h%" PRIu64 "m", sec / 3600, sec / 60 % 60);
      else if (sec >= 60)
        husk_buf_printf (&b, "%" PRIu64 "m", sec / 60);
      sec %= 60;
    }
  husk_buf_printf (&b, "%" PRIu64, sec);
  if (u % unit)
    {
      char frac[16];
      size_t n;

      snprintf (frac, sizeof frac, "%0*" PRIu64, prec, u % unit);
      for (n = strlen (frac); n > 0 && frac[n - 1] == '0'; n--)
        frac[n - 1] = '\0';
      husk_buf_printf (&b, ".%s", frac);
    }
  husk_buf_puts (&b, suffix);
  return husk_buf_steal (&b);
}
