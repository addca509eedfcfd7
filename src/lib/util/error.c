/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The error type: a code and one message chain.  */
#include "util/error.h"
#include "util/log.h"
#include "util/strutil.h"
#include "util/cleanup.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int make (husk_error_t *err, int code, int with_errno, const char *fmt,
                 va_list ap) __attribute__ ((format (printf, 4, 0)));

static int
make (husk_error_t *err, int code, int with_errno, const char *fmt, va_list ap)
{
  char *msg;

  if (err == NULL)
    return -1;
  husk_error_release (err);
  msg = husk_vasprintf (fmt, ap);
  if (with_errno && code > 0)
    {
      char *full = husk_asprintf ("%s: %s", msg, strerror (code));
      free (msg);
      msg = full;
    }
  *err = husk_xmalloc (sizeof (**err));
  (*err)->code = code;
  (*err)->msg = msg;
  return -1;
}

int
husk_error_make (husk_error_t *err, int code, const char *fmt, ...)
{
  va_list ap;

  va_start (ap, fmt);
  make (err, code, 1, fmt, ap);
  va_end (ap);
  return -1;
}

int
husk_error_makex (husk_error_t *err, int code, const char *fmt, ...)
{
  va_list ap;

  va_start (ap, fmt);
  make (err, code, 0, fmt, ap);
  va_end (ap);
  return -1;
}

int
husk_error_wrap (husk_error_t *err, const char *fmt, ...)
{
  va_list ap;
  char *ctx, *full;

  if (err == NULL || *err == NULL)
    return -1;
  va_start (ap, fmt);
  ctx = husk_vasprintf (fmt, ap);
  va_end (ap);
  full = husk_asprintf ("%s: %s", ctx, (*err)->msg);
  free (ctx);
  free ((*err)->msg);
  (*err)->msg = full;
  return -1;
}

void
husk_error_release (husk_error_t *err)
{
  if (err == NULL || *err == NULL)
    return;
  free ((*err)->msg);
  free (*err);
  *err = NULL;
}

int
husk_error_move (husk_error_t *dst, husk_error_t *src)
{
  if (dst == NULL)
    {
      husk_error_release (src);
      return -1;
    }
  husk_error_release (dst);
  *dst = *src;
  *src = NULL;
  return -1;
}

/* Errors a step goes on without.  */

static void __attribute__ ((format (printf, 3, 0)))
drop (husk_error_t *err, bool warn, const char *fmt, va_list ap)
{
  cleanup_free char *what = NULL;

  if (err == NULL || *err == NULL)
    return;
  what = husk_vasprintf (fmt, ap);
  if (warn)
    husk_log_warn ("%s: %s", what, (*err)->msg);
  else
    husk_log_debug ("%s: %s", what, (*err)->msg);
  husk_error_release (err);
}

void
husk_error_drop (husk_error_t *err, const char *fmt, ...)
{
  va_list ap;

  va_start (ap, fmt);
  drop (err, false, fmt, ap);
  va_end (ap);
}

void
husk_error_drop_warn (husk_error_t *err, const char *fmt, ...)
{
  va_list ap;

  va_start (ap, fmt);
  drop (err, true, fmt, ap);
  va_end (ap);
}
