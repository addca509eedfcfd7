/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Parsers for the values of container flags: sizes, durations, signals. */
#ifndef HUSK_CONTAINER_PARSE_H
#define HUSK_CONTAINER_PARSE_H

#include "util/error.h"

#include <stdint.h>

/* "512m", "1g", "65536k", "100" (bytes; b k m g, case-insensitive).  */
int husk_parse_size (const char *s, int64_t *out, husk_error_t *err);
/* Go durations: "30s", "1m30s", "500ms", "1h", "0"; nanoseconds.  The
   error is Go's: "time: missing unit in duration \"5\"".  */
int husk_parse_duration (const char *s, int64_t *out, husk_error_t *err);
/* The value of an unsigned or signed integer flag (--stop-timeout,
   --health-retries, --oom-score-adj): on error HUSK_ERR_USAGE with
   Podman's text, 'invalid argument "x" for "--FLAG" flag: strconv...'.  */
int husk_parse_uint_flag (const char *s, const char *flag, uint64_t *out, husk_error_t *err);
int husk_parse_int_flag (const char *s, const char *flag, int64_t *out, husk_error_t *err);
/* "SIGTERM", "TERM", "15", "sigkill" -> number.  */
int husk_parse_signal (const char *s, int *out, husk_error_t *err);
const char *husk_signal_name (int sig); /* "SIGTERM", or NULL */

#endif
