/* SPDX-License-Identifier: GPL-2.0-or-later */
/* System-wide operations.  */
#ifndef HUSK_OPS_SYSTEM_H
#define HUSK_OPS_SYSTEM_H

#include "engine/engine.h"

#include <jansson.h>

/* Podman's `info` object (host, store, registries, version).  */
json_t *husk_op_system_info (struct husk_engine *e, husk_error_t *err);
/* Remove every image, layer and the state itself.  */
int husk_op_system_reset (struct husk_engine *e, husk_error_t *err);

#endif
