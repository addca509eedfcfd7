/* SPDX-License-Identifier: GPL-2.0-or-later */
/* `logs`: a container's log, streamed to a callback (ops/container_logs.c). */
#ifndef HUSK_OPS_CONTAINER_LOGS_H
#define HUSK_OPS_CONTAINER_LOGS_H

#include "container/monitor.h"
#include "engine/engine.h"
#include "util/error.h"

#include <stdbool.h>
#include <stdint.h>

struct husk_logs_opts
{
  int64_t since_ns; /* 0: from the start */
  int64_t until_ns; /* 0: to the end */
  long tail;        /* < 0: every line; else the last tail lines */
  bool follow;      /* go on until the container exits */
};

/**
 * husk_op_container_logs() - Stream a container's log
 * @cb:   gets each record (husk_log_cb), in order
 *
 * Follow stops when the monitor records the exit; it is off for a
 * container that has not run since the last boot (no run directory).  A
 * container whose log does not exist yet has nothing to show.
 * Return: 0, or -1 (EINVAL "this container is using the 'none' log
 * driver, cannot read logs" for none and passthrough).
 */
int husk_op_container_logs (struct husk_engine *e, const char *ref,
                            const struct husk_logs_opts *o, husk_log_cb cb, void *data,
                            husk_error_t *err);

/* Where a container's log is, found once (husk_op_container_log_source())
   and read with no further look-up in the state (husk_op_log_source_read()),
   so that several logs can be followed at once, one thread each.  */
struct husk_log_source
{
  char *path, *driver;
  char *exit_file;  /* the monitor's exit record: following ends there */
  bool can_follow;  /* it has run since the last boot (a run directory) */
};

void husk_log_source_release (struct husk_log_source *s);

/* The log of container ref.  Return: 0, or -1 (EINVAL for the none and
   passthrough drivers, as husk_op_container_logs()).  */
int husk_op_container_log_source (struct husk_engine *e, const char *ref,
                                  struct husk_log_source *s, husk_error_t *err);

/* Stream the log s names to cb, as husk_op_container_logs() does; touches
   only files, so threads may read several sources at once.  */
int husk_op_log_source_read (const struct husk_log_source *s, const struct husk_logs_opts *o,
                             husk_log_cb cb, void *data, husk_error_t *err);

/**
 * husk_op_logs_time() - Parse a --since or --until time as Podman 5 does
 * @flag:  "since" or "until", for the message
 * @s:     RFC 3339 (a "," may stand for the "."), "2006-01-02T15:04:05",
 *         "2006-01-02Z07:00", "2006-01-02" (times without a zone are
 *         UTC), a Unix time with a fraction ("1700000000.25"), or a Go
 *         duration ("10m", "1h30m"); NULL: none
 * @since: a duration counts back from now (--since) or ahead (--until)
 * @ns:    set to nanoseconds since the epoch (0 when @s is NULL)
 *
 * Return: 0, or -1 (EINVAL "parsing --until "x": unable to interpret time
 * value").
 */
int husk_op_logs_time (const char *flag, const char *s, bool since, int64_t *ns,
                       husk_error_t *err);

#endif
