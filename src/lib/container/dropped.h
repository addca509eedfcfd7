/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Errors a step goes on without.  Cleaning up, rolling back and other
 * best-effort steps must not fail the operation, but their failures must
 * not vanish either: they are logged (at debug level, or as a warning
 * when the user should act on them) with what was being done, and
 * released.  Used by container/ and ops/.
 */
#ifndef HUSK_CONTAINER_DROPPED_H
#define HUSK_CONTAINER_DROPPED_H

#include "util/error.h"

/**
 * husk_container_dropped() - Log an error that is not passed on
 * @err: the error (may hold none: then nothing is logged); released
 * @fmt: what was being done, e.g. "remove %s: unmount"
 *
 * Logs "<what>: <message>" at debug level.
 */
void husk_container_dropped (husk_error_t *err, const char *fmt, ...)
    __attribute__ ((format (printf, 2, 3)));

/* The same as a warning, for a failure the user should know about.  */
void husk_container_dropped_warn (husk_error_t *err, const char *fmt, ...)
    __attribute__ ((format (printf, 2, 3)));

#endif
