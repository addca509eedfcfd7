/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The OCI runtime driver: finding a runtime (crun by default, runc, or any
 * OCI runtime by name or path), running it, reading its state, and telling
 * the user why it cannot run here.  The handle (struct husk_runtime), its
 * command lines, the spawner and the exit-code table are in driver.h,
 * which husk-monitor shares.  Every call husk makes to a runtime goes
 * through these two files.
 */
#ifndef HUSK_RUNTIME_RUNTIME_H
#define HUSK_RUNTIME_RUNTIME_H

#include "config/config.h"
#include "runtime/driver.h"
#include "util/cleanup.h"
#include "util/error.h"

#include <stdbool.h>

/**
 * husk_runtime_find() - Find an OCI runtime
 * @name_or_path: a name ("crun", "runc", or any [engine.runtimes] name,
 *                whose configured paths are tried in order, then $PATH),
 *                or an absolute path to the executable
 * @cfg:          the configuration ([engine.runtimes]); may be NULL
 * @err:          ENOENT "OCI runtime \"crun\" not found: install it or
 *                use --runtime"
 *
 * Return: a new runtime, or NULL.
 */
struct husk_runtime *husk_runtime_find (const char *name_or_path, struct husk_config *cfg,
                                        husk_error_t *err);

/**
 * husk_runtime_open() - The runtime a container was created with
 * @path:    the absolute path recorded in its configuration
 * @runroot: the engine's run root: --root is "<runroot>/runtime"
 * @err:     EINVAL "container has no OCI runtime recorded"
 *
 * Return: a new runtime, or NULL.
 */
struct husk_runtime *husk_runtime_open (const char *path, const char *runroot,
                                        husk_error_t *err);

/**
 * husk_runtime_run() - Run the runtime and wait for it
 * @argv:   a command line from husk_runtime_argv_*()
 * @output: set to its standard output (may be NULL to discard)
 * @err:    on failure "<name>: <the runtime's error message>" (its JSON or
 *          logrus log lines reduced to the message); ENOENT when the
 *          container does not exist, EOPNOTSUPP with the cause and the fix
 *          for crun's hybrid-cgroup refusal, EIO otherwise
 *
 * Standard input is /dev/null.  Return: 0, or -1.
 */
int husk_runtime_run (const struct husk_runtime *rt, char **argv, char **output,
                      husk_error_t *err);

/* Run a command line and discard its output.  */
int husk_runtime_start (const struct husk_runtime *rt, const char *id, husk_error_t *err);
int husk_runtime_kill (const struct husk_runtime *rt, const char *id, int signal, bool all,
                       husk_error_t *err);
int husk_runtime_delete (const struct husk_runtime *rt, const char *id, bool force,
                         husk_error_t *err);
int husk_runtime_pause (const struct husk_runtime *rt, const char *id, husk_error_t *err);
int husk_runtime_resume (const struct husk_runtime *rt, const char *id, husk_error_t *err);

/* `RT state ID`.  */
struct husk_runtime_state
{
  char *status;  /* "creating", "created", "running", "paused", "stopped" */
  int pid;       /* 0 when there is none */
  char *bundle;  /* may be NULL */
};

/**
 * husk_runtime_parse_state() - Parse the output of `RT state`
 *
 * Return: 0, or -1 (EINVAL) when it is not a state object.
 */
int husk_runtime_parse_state (const char *json, struct husk_runtime_state *st,
                              husk_error_t *err);

/* Run `RT state ID` and parse it.  Return: 0, or -1 (ENOENT: no such
   container).  */
int husk_runtime_state (const struct husk_runtime *rt, const char *id,
                        struct husk_runtime_state *st, husk_error_t *err);

void husk_runtime_state_release (struct husk_runtime_state *st);

/**
 * husk_runtime_check_host() - Can this runtime run containers here?
 *
 * crun 1.8 refuses cgroups in hybrid mode while the unified hierarchy has
 * controllers (/sys/fs/cgroup/unified/cgroup.controllers not empty); the
 * error says so and gives the fix (mount a v1 hierarchy for each of them,
 * or use runc).  Cheap: one small file read.
 *
 * Return: 0, or -1 (EOPNOTSUPP).
 */
int husk_runtime_check_host (const struct husk_runtime *rt, husk_error_t *err);

/* The same, with the cgroup file system root as a parameter (for tests). */
int husk_runtime_check_host_at (const struct husk_runtime *rt, const char *cgroup_root,
                                husk_error_t *err);

/**
 * husk_runtime_choose() - The runtime husk uses when none is named
 * @cfg:         the candidates, in order: crun, runc, then the rest of
 *               [engine.runtimes]
 * @cgroup_root: "/sys/fs/cgroup" (tests pass another)
 * @reason:      set to a new string saying why the runtime chosen is not
 *               the first candidate ("crun cannot run on this host: ..."),
 *               or to NULL when it is
 * @err:         ENOENT when no candidate is installed; the first
 *               candidate's host error when none can run here
 *
 * The first candidate that is installed and passes its host check, judged
 * from the host's state (a file read or two, no process), so every command
 * on a host makes the same choice.
 *
 * Return: a new runtime, or NULL.
 */
struct husk_runtime *husk_runtime_choose (struct husk_config *cfg, const char *cgroup_root,
                                          char **reason, husk_error_t *err);

/**
 * husk_runtime_resolve() - The runtime a new container gets
 * @name_or_path: --runtime, else NULL
 *
 * A named runtime (the argument, else containers.conf's [engine] runtime)
 * is found with husk_runtime_find(); with neither, husk_runtime_choose()
 * picks one.  A runtime named explicitly is not checked here: it fails
 * with its own clear message when it starts.
 */
struct husk_runtime *husk_runtime_resolve (const char *name_or_path, struct husk_config *cfg,
                                           char **reason, husk_error_t *err);

/**
 * husk_runtime_cgroup_warm() - Start the grace period the runtime's cgroup move waits for
 *
 * For a command about to start a container process (run, start, exec,
 * ...), as early as it can: a detached thread moves itself into the cgroup
 * it is in (a no-op), so that the RCU grace period the kernel makes the
 * first cgroup move after a quiet spell wait for (5-15 ms on an idle
 * machine) runs while husk prepares, not inside the runtime.  Rootful
 * only: rootless runtimes move no process into a cgroup of cgroup v1, and
 * a rootless husk has no say over its cgroup.  The process's exit waits
 * for the thread, at most one grace period.  See cgroup-warm.c.
 */
void husk_runtime_cgroup_warm (void);

#endif
