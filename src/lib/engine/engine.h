/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The engine: configuration, state database and layer store opened
 * together, once per command.  Every husk_op_* takes one.
 */
#ifndef HUSK_ENGINE_ENGINE_H
#define HUSK_ENGINE_ENGINE_H

#include "util/error.h"

#include <stdbool.h>

struct husk_config;
struct husk_state;
struct husk_store;

struct husk_engine_opts
{
  const char *root;           /* --root */
  const char *runroot;        /* --runroot */
  const char *storage_driver; /* --storage-driver */
  char **storage_opts;        /* --storage-opt (NULL-terminated) */
  const char *runtime;        /* --runtime: replaces [engine] runtime */
};

struct husk_engine
{
  bool rootless;       /* the caller is not root */
  char *root;          /* persistent state, e.g. /var/lib/husk */
  char *runroot;       /* runtime state, e.g. /run/husk */
  char *storage_driver; /* requested driver, or NULL to choose */
  char **storage_opts;
  struct husk_config *config;
  struct husk_state *state;
  struct husk_store *store;
};

/* Load the configuration and decide paths; opens nothing on disk.  */
struct husk_engine *husk_engine_new (const struct husk_engine_opts *o,
                                     husk_error_t *err);
/* Open the state database and the layer store.  */
int husk_engine_open (struct husk_engine *e, husk_error_t *err);
void husk_engine_free (struct husk_engine *e);

#endif
