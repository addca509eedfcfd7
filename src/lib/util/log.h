/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Logging, separate from errors: one output handler, levels from
 * --log-level, lines in Podman's (logrus's) format so that a user who
 * greps Podman's debug output can grep husk's: on a terminal
 * "DEBU[0000] message" (seconds since start, colours), elsewhere
 * time="2026-12-05T13:08:13Z" level=debug msg="message".
 */
#ifndef HUSK_UTIL_LOG_H
#define HUSK_UTIL_LOG_H

#include <time.h>

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

/* A start time for husk_log_timing() (CLOCK_MONOTONIC).  */
struct timespec husk_log_clock (void);

/* Debug "<what> took N.NNNms", measured from t0.  */
void husk_log_timing (const struct timespec *t0, const char *fmt, ...)
    __attribute__ ((format (printf, 2, 3)));

/* Debug "<what>: ARGV..." with the words joined by spaces (a command
   line about to be run).  */
void husk_log_argv (const char *what, char *const *argv);

#endif
