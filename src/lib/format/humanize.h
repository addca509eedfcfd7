/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Human-readable sizes, durations and Go time formats, as Podman prints
 * them in listings (go-units' HumanSizeWithPrecision and HumanDuration,
 * Go's time.RFC3339Nano and time.Time.String()).  All return malloc'd
 * strings.
 */
#ifndef HUSK_FORMAT_HUMANIZE_H
#define HUSK_FORMAT_HUMANIZE_H

#include <stdbool.h>
#include <stdint.h>

/* Decimal units, 3 significant digits, a space before the unit as Podman
   adds one: "100 B", "1.2 kB", "4.26 MB", "1 GB".  */
char *husk_human_size (int64_t bytes);

/* The same without the space, as go-units prints it and Podman shows it
   in `ps --size`: "0B", "12B", "1.05MB".  */
char *husk_human_size_compact (int64_t bytes);

/* go-units' HumanSize: 4 significant digits, no space ("2.049MB"), as
   Podman's prune reports print the space they reclaimed.  */
char *husk_human_size_4 (int64_t bytes);

/* go-units HumanDuration: "Less than a second", "1 second", "5 seconds",
   "About a minute", "3 minutes", "About an hour", "2 hours", "3 days",
   "2 weeks", "3 months", "2 years".  Negative counts as 0.  */
char *husk_human_duration (int64_t seconds);

/* husk_human_duration + " ago", for CREATED columns.  */
char *husk_human_duration_ago (int64_t seconds);

/* Go's RFC3339Nano in UTC: "2006-01-02T15:04:05.999999999Z", fraction
   trimmed of trailing zeros and omitted when zero.  */
char *husk_time_rfc3339nano (int64_t sec, long nsec);

/* Same in the local time zone: "...+02:00", or "Z" at offset zero.  */
char *husk_time_rfc3339nano_local (int64_t sec, long nsec);

/* Go's time.Time.String(): "2006-01-02 15:04:05.999999999 -0700 MST",
   in UTC ("+0000 UTC") or the local zone.  */
char *husk_time_go_string (int64_t sec, long nsec, bool utc);

/* Go's time.Duration.String(): "1h2m3.5s", "250ms", "0s".  */
char *husk_go_duration (int64_t ns);

#endif
