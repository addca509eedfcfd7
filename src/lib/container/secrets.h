/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A container's secrets (--secret): parsed into the configuration at
 * create, resolved to the secret's ID, and copied into the container's
 * bundle directory, so the container keeps its data when the secret is
 * removed (Podman's behaviour).  At every start the copy of each mount
 * secret is written into the run directory with its owner and mode and
 * bound read-only; an env secret becomes a variable of the process.
 *
 * The configuration's "secrets" (container/ccfg.h): an array of
 *   { "name": "pw", "id": "<25 hex>", "type": "mount"|"env",
 *     "target": "/run/secrets/pw" | "PW", "uid": 0, "gid": 0, "mode": 292 }
 * "id" is set by husk_container_secrets_resolve().  Absent when none.
 */
#ifndef HUSK_CONTAINER_SECRETS_H
#define HUSK_CONTAINER_SECRETS_H

#include "engine/engine.h"
#include "util/error.h"

#include <jansson.h>

/* The request's "secrets" ("NAME[,type=mount|env][,target=T][,uid=N]
   [,gid=N][,mode=OCTAL]") into c's "secrets".  EINVAL naming the option.  */
int husk_container_secrets_parse (json_t *req, json_t *c, husk_error_t *err);

/* Each secret of c by name or ID: "id", "name" and the default target
   set.  ENOENT naming a missing one.  Before anything is made.  */
int husk_container_secrets_resolve (struct husk_engine *e, json_t *c, husk_error_t *err);

/* The data of each secret into <dir>/secrets/<index> (mode 0600, in a
   0700 directory), by descriptor.  At create, in the new bundle.  */
int husk_container_secrets_copy (struct husk_engine *e, const char *dir, json_t *c,
                                 husk_error_t *err);

/**
 * husk_container_secrets_prepare() - The secrets of a starting container
 * @c:       the container's configuration
 * @spec_c:  the copy the spec is generated from: env secrets are added to
 *           its "env"
 * @bundle:  the bundle directory (holds the copies)
 * @run_dir: set to <rundir>/secrets, where mount secret <index> is written
 *           with its uid, gid (mapped to the host's when the container has
 *           maps of its own) and mode; NULL when the container has none
 */
int husk_container_secrets_prepare (struct husk_engine *e, json_t *c, json_t *spec_c,
                                    const char *bundle, char **run_dir, husk_error_t *err);

#endif
