/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * `ps`: the entries the front ends call.  The listing, its filters, the
 * STATUS text, the sort and the JSON object are container/ps.c's.
 */
#include "ops/container_ps.h"

json_t *
husk_op_container_ps_json (struct husk_engine *e, const struct husk_container_rec *r,
                           json_t *cfg, const char *status, const struct husk_container_size *size)
{
  return husk_container_ps_json (e, r, cfg, status, size);
}

int
husk_op_container_ps (struct husk_engine *e, const struct husk_ps_opts *o,
                      struct husk_ps_row **rows, size_t *n, husk_error_t *err)
{
  return husk_container_ps (e, o, rows, n, err);
}

bool
husk_op_ps_sort_valid (const char *key)
{
  return husk_container_ps_sort_valid (key);
}

int
husk_op_ps_filter_parse (struct husk_engine *e, char *const *filters,
                         struct husk_ps_filter **out, size_t *n, husk_error_t *err)
{
  return husk_container_ps_filter_parse (e, filters, out, n, err);
}

bool
husk_op_ps_filter_match (const struct husk_ps_filter *f, size_t n,
                         const struct husk_container_rec *r, json_t *cfg)
{
  return husk_container_ps_filter_match (f, n, r, cfg);
}

char *
husk_op_ps_status_text (const struct husk_container_rec *r, const char *health, int64_t now)
{
  return husk_container_ps_status_text (r, health, now);
}

void
husk_op_ps_sort (struct husk_ps_row *rows, size_t n, const char *key)
{
  husk_container_ps_sort (rows, n, key);
}
