/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Managing containers as rows: rename and the filters of container prune
 * (manage.c).  ops/container_fs.c resolves the container, takes the
 * transaction, removes what prune selects and records the events.
 */
#ifndef HUSK_CONTAINER_MANAGE_H
#define HUSK_CONTAINER_MANAGE_H

#include "engine/engine.h"
#include "state/containers.h"
#include "util/error.h"

#include <stdbool.h>
#include <stdint.h>

/* Whether n is a valid container name: [a-zA-Z0-9][a-zA-Z0-9_.-]*.  */
bool husk_container_name_valid (const char *n);

/**
 * husk_container_rename_row() - Give container id (resolved) a new name
 * @old: set to the old name
 *
 * The row and the name in its configuration; call inside a transaction.
 * Return: 0, or -1 (EEXIST when another container has the name).
 */
int husk_container_rename_row (struct husk_engine *e, const char *id, const char *name,
                               char **old, husk_error_t *err);

/* container prune's --filter values, parsed.  */
struct husk_prune_filter
{
  int64_t until_ns;  /* until=: created before, in ns; 0: none */
  char **labels;     /* label=... */
  char **not_labels; /* label!=... */
};

/* Parse until= (RFC 3339, a Unix timestamp or a duration), label= and
   label!=.  Return: 0, or -1 (EINVAL: another key or a bad time).  */
int husk_container_prune_filter_parse (char **filters, struct husk_prune_filter *f,
                                       husk_error_t *err);
void husk_prune_filter_release (struct husk_prune_filter *f);

/* Whether prune removes r: exited or created, and matching every filter. */
bool husk_container_prune_match (const struct husk_prune_filter *f,
                                 const struct husk_container_rec *r);

#endif
