/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * top: the processes of a running container with ps(1)'s descriptors, read
 * from /proc (container/top.c).  husk_op_container_top resolves the
 * container and checks its state, then calls these.
 */
#ifndef HUSK_CONTAINER_TOP_H
#define HUSK_CONTAINER_TOP_H

#include "state/containers.h"
#include "util/error.h"

#include <jansson.h>

/* Check the descriptors (see husk_op_container_top): EINVAL "unknown
   descriptor: X".  */
int husk_container_top_check (char *const *descriptors, husk_error_t *err);

/* The processes of the running (or paused) container r: {"Titles": [...],
   "Processes": [[...], ...]}, or NULL.  */
json_t *husk_container_top (const struct husk_container_rec *r, char *const *descriptors,
                            husk_error_t *err);

#endif
