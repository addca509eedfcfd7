/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * inspect: a container as `podman container inspect` shows it
 * (container/inspect.c).  husk_op_container_inspect resolves the container,
 * reads its sizes when asked, then calls husk_container_inspect.
 */
#ifndef HUSK_CONTAINER_INSPECT_H
#define HUSK_CONTAINER_INSPECT_H

#include "container/size.h"
#include "engine/engine.h"
#include "state/containers.h"

#include <jansson.h>

/* The inspect object of the container r (its state up to date), in
   Podman 4.3's keys and order; with SizeRw and SizeRootFs when size is
   not NULL.  Return: a new object.  */
json_t *husk_container_inspect (struct husk_engine *e, const struct husk_container_rec *r,
                                const struct husk_container_size *size);

#endif
