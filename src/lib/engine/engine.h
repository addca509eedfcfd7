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
  char **runtime_flags;       /* --runtime-flag: "debug", "log-format=json" */
  const char *events_backend; /* --events-backend: "file" (default) or "none" */
  const char *tmpdir;         /* --tmpdir */
  const char *volume_path;    /* --volumepath */
  const char *cgroup_manager; /* --cgroup-manager: replaces [engine] cgroup_manager */
  const char *network_config_dir; /* --network-config-dir */
  const char *network_cmd_path;   /* --network-cmd-path: replaces [engine] network_cmd_path */
};

struct husk_engine
{
  bool rootless;       /* the caller is not root */
  char *root;          /* persistent state, e.g. /var/lib/husk */
  char *runroot;       /* runtime state, e.g. /run/husk */
  char *storage_driver; /* requested driver, or NULL to choose */
  char **storage_opts;
  char **runtime_flags; /* "--FLAG" words for every runtime command line */
  char *events_backend; /* "file": events in the state database; "none" */
  char *tmpdir;         /* scratch state; default <runroot>/tmp */
  char *volume_path;    /* named volumes; default <root>/volumes */
  char *network_config_dir; /* default /etc/containers/networks (root) */
  struct husk_config *config;
  struct husk_state *state;
  struct husk_store *store;
};

/* Load the configuration and decide paths; opens nothing on disk.
   EINVAL for an option husk cannot honour here (--events-backend
   journald, --cgroup-manager systemd: these hosts have neither).  */
struct husk_engine *husk_engine_new (const struct husk_engine_opts *o,
                                     husk_error_t *err);
/* Open the state database and the layer store.  */
int husk_engine_open (struct husk_engine *e, husk_error_t *err);
void husk_engine_free (struct husk_engine *e);

/* The global options a husk process started on the engine's behalf (the
   monitor's exit command) needs to see the same engine, appended to *v:
   --events-backend, --volumepath, --tmpdir, --network-config-dir,
   --cgroup-manager and --runtime-flag when they differ from the
   defaults.  */
void husk_engine_child_args (const struct husk_engine *e, char ***v);

#endif
