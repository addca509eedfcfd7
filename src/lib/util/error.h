/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Errors are made once, where the failure happens, and consumed at the edge
 * (the CLI prints them, the API maps them to HTTP).  Context is added on the
 * way up, so the user reads one line: "load 'x.tar': layer 2: extract
 * 'usr/bin/x': No space left on device".
 */
#ifndef HUSK_UTIL_ERROR_H
#define HUSK_UTIL_ERROR_H

struct husk_error
{
  int code;  /* errno value, or 0 when none applies */
  char *msg; /* full message chain, outermost context first */
};
typedef struct husk_error *husk_error_t;

/* Error codes beyond errno that the edges map specially.  */
#define HUSK_ERR_USAGE (-1000) /* bad command line: exit 125 with usage hint */

/**
 * husk_error_make() - Record a failure
 * @err:  where to store it; may be NULL to discard
 * @code: errno value (appended as strerror when non-zero and > 0)
 * @fmt:  message, lowercase, no final full stop
 *
 * Return: -1, so callers can write "return husk_error_make (...)".
 */
int husk_error_make (husk_error_t *err, int code, const char *fmt, ...)
    __attribute__ ((format (printf, 3, 4)));

/* Same as husk_error_make but never appends strerror.  */
int husk_error_makex (husk_error_t *err, int code, const char *fmt, ...)
    __attribute__ ((format (printf, 3, 4)));

/**
 * husk_error_wrap() - Prefix context to an existing error
 *
 * Return: -1.  Does nothing when *err is NULL.
 */
int husk_error_wrap (husk_error_t *err, const char *fmt, ...)
    __attribute__ ((format (printf, 2, 3)));

void husk_error_release (husk_error_t *err);

/**
 * husk_error_drop() - Log an error that is not passed on, and release it
 * @err: the error (may hold none: then nothing is logged)
 * @fmt: what was being done, e.g. "remove %s: unmount"
 *
 * Cleaning up, rolling back and other best-effort steps must not fail the
 * operation, but their failures must not vanish either: this logs
 * "<what>: <message>" at debug level.
 */
void husk_error_drop (husk_error_t *err, const char *fmt, ...)
    __attribute__ ((format (printf, 2, 3)));

/* The same as a warning, for a failure the user should know about.  */
void husk_error_drop_warn (husk_error_t *err, const char *fmt, ...)
    __attribute__ ((format (printf, 2, 3)));

/* Move an error from *src into *dst (dst must be empty).  Return: -1.  */
int husk_error_move (husk_error_t *dst, husk_error_t *src);

#endif
