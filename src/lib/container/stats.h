/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * stats: a container's resource usage, read from its cgroups
 * (container/stats.c).  husk_op_container_stats resolves the container and
 * calls husk_container_stats.
 */
#ifndef HUSK_CONTAINER_STATS_H
#define HUSK_CONTAINER_STATS_H

#include "state/containers.h"
#include "util/error.h"

#include <stdbool.h>
#include <stdint.h>

struct husk_container_stats
{
  char *id;
  char *name;
  bool running;          /* false: every number is 0 */
  int64_t read_ns;       /* CLOCK_REALTIME when read */
  int64_t up_ns;         /* time since the container started */
  uint64_t cpu_ns;       /* CPU time used by the container */
  uint64_t mem_usage;    /* bytes, page cache that can be dropped excluded */
  uint64_t mem_limit;    /* bytes; the host's memory when unlimited */
  int64_t net_rx, net_tx; /* bytes; -1 when the container has no network */
  uint64_t blk_read, blk_write;
  uint64_t pids;
};

/* Read the resource usage of the container r (brought up to date) from
   its cgroup (v1 or v2).  A container that is not running gives zeros.  */
int husk_container_stats (const struct husk_container_rec *r, struct husk_container_stats *s,
                          husk_error_t *err);
void husk_container_stats_release (struct husk_container_stats *s);

#endif
