/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Errors a step goes on without: logged with what was being done, then
 * released (see dropped.h).
 */
#include "container/dropped.h"
#include "util/cleanup.h"
#include "util/log.h"
#include "util/strutil.h"

#include <stdarg.h>
#include <stdbool.h>

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
husk_container_dropped (husk_error_t *err, const char *fmt, ...)
{
  va_list ap;

  va_start (ap, fmt);
  drop (err, false, fmt, ap);
  va_end (ap);
}

void
husk_container_dropped_warn (husk_error_t *err, const char *fmt, ...)
{
  va_list ap;

  va_start (ap, fmt);
  drop (err, true, fmt, ap);
  va_end (ap);
}
