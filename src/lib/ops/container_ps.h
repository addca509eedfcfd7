/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * `ps`: the containers listed, their STATUS text, --filter and --sort, and
 * the object `podman ps --format json` prints per container.  The types
 * and the work are container/ps.h's; these are the entries the front ends
 * call (ops/container_ps.c).
 */
#ifndef HUSK_OPS_CONTAINER_PS_H
#define HUSK_OPS_CONTAINER_PS_H

#include "container/ps.h"
#include "container/size.h"
#include "engine/engine.h"
#include "state/containers.h"
#include "util/error.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

/* husk_container_ps_json(): a container as `podman ps --format json`
   shows it.  */
json_t *husk_op_container_ps_json (struct husk_engine *e, const struct husk_container_rec *r,
                                   json_t *cfg, const char *status, const struct husk_container_size *size);

/* husk_container_ps(): the containers `ps` shows, sorted.  */
int husk_op_container_ps (struct husk_engine *e, const struct husk_ps_opts *o,
                          struct husk_ps_row **rows, size_t *n, husk_error_t *err);

/* husk_container_ps_sort_valid(): whether key is one of --sort's.  */
bool husk_op_ps_sort_valid (const char *key);

/* husk_container_ps_filter_parse(): parse and check --filter values.  */
int husk_op_ps_filter_parse (struct husk_engine *e, char *const *filters,
                             struct husk_ps_filter **out, size_t *n, husk_error_t *err);

/* husk_container_ps_filter_match(): whether a container matches every
   filter.  */
bool husk_op_ps_filter_match (const struct husk_ps_filter *f, size_t n,
                              const struct husk_container_rec *r, json_t *cfg);

/* husk_container_ps_status_text(): Podman's STATUS text of a container. */
char *husk_op_ps_status_text (const struct husk_container_rec *r, const char *health,
                              int64_t now);

/* husk_container_ps_sort(): sort rows by a --sort key.  */
void husk_op_ps_sort (struct husk_ps_row *rows, size_t n, const char *key);

#endif
