/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Container operations: the only entry points cli/ and api/ use.  */
#ifndef HUSK_OPS_CONTAINER_H
#define HUSK_OPS_CONTAINER_H

#include "ops/engine.h"
#include "state/containers.h"
#include "util/error.h"

#include <jansson.h>
#include <stdbool.h>

/**
 * husk_op_container_create() - Create a container (nothing runs yet)
 * @image: the image reference
 * @req:   the create request (container/ccfg-build.h), plus "name"
 *
 * Validates everything first; a failure leaves nothing behind.
 */
int husk_op_container_create (struct husk_engine *e, const char *image, json_t *req,
                              char **id_out, husk_error_t *err);

/* Start a created or exited container.  With attach_wait the monitor waits
   for the first attach client before starting the process.  On failure
   *exit_hint is 125, or 126/127 when the command cannot run.  */
int husk_op_container_start (struct husk_engine *e, const char *ref, bool attach_wait,
                             int *exit_hint, husk_error_t *err);

/* Bring the state up to date with what the monitor recorded; release what
   an exited container held; remove it when created with --rm.  */
int husk_op_container_cleanup (struct husk_engine *e, const char *ref, husk_error_t *err);

/* timeout < 0: the container's stop timeout.  */
int husk_op_container_stop (struct husk_engine *e, const char *ref, int timeout,
                            husk_error_t *err);
int husk_op_container_kill (struct husk_engine *e, const char *ref, int sig,
                            husk_error_t *err);
/* EBUSY when running and !force.  */
int husk_op_container_remove (struct husk_engine *e, const char *ref, bool force,
                              bool volumes, int timeout, husk_error_t *err);
/* Wait for a condition ("stopped"/"exited" default, "running").  */
int husk_op_container_wait (struct husk_engine *e, const char *ref, const char *condition,
                            int *exit_code, husk_error_t *err);

int husk_op_container_resolve (struct husk_engine *e, const char *ref, char **id,
                               husk_error_t *err);
/* All containers with their state brought up to date, newest first.  */
int husk_op_container_list (struct husk_engine *e, struct husk_container_rec **out,
                            size_t *n, husk_error_t *err);
json_t *husk_op_container_inspect (struct husk_engine *e, const char *ref, husk_error_t *err);

/* Where a container's monitor files (exit, attach, health) are.  */
char *husk_op_container_rundir (struct husk_engine *e, const char *id);
/* The container's log file and driver.  */
int husk_op_container_log (struct husk_engine *e, const char *ref, char **path,
                           char **driver, char **id, husk_error_t *err);

#endif
