/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Logging, separate from errors: one output handler, levels from --log-level. */
#ifndef HUSK_UTIL_LOG_H
#define HUSK_UTIL_LOG_H

enum husk_log_level
{
  HUSK_LOG_ERROR = 0,
  HUSK_LOG_WARN,
  HUSK_LOG_INFO,
  HUSK_LOG_DEBUG,
};

/* Parse "error", "warn"/"warning", "info", "debug" (also "fatal", "panic",
   "trace" as Podman accepts them).  Return: level, or -1 when unknown.  */
int husk_log_parse_level (const char *name);
void husk_log_set_level (enum husk_log_level level);
enum husk_log_level husk_log_get_level (void);

void husk_log_error (const char *fmt, ...) __attribute__ ((format (printf, 1, 2)));
void husk_log_warn (const char *fmt, ...) __attribute__ ((format (printf, 1, 2)));
void husk_log_info (const char *fmt, ...) __attribute__ ((format (printf, 1, 2)));
void husk_log_debug (const char *fmt, ...) __attribute__ ((format (printf, 1, 2)));

#endif
