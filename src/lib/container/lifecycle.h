/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The container lifecycle: create, bundle, start, stop, cleanup, remove,
 * wait, exec, pause.  ops/container.c calls these, one per user operation,
 * after it resolved the container and checked its state; they do the work
 * and record the events that belong in their own transactions (start,
 * init and attach with the recorded pids, died and cleanup with the folded
 * exit, remove with the row's removal).
 *
 * Theory of operation: a container is a state row (state/containers.c),
 * a read-write layer (storage), a bundle directory <root>/containers/<id>
 * (config.json, hosts, hostname, resolv.conf, .containerenv, the log) and,
 * while it runs, a run directory <runroot>/containers/<id> owned by its
 * husk-monitor (attach socket, pid, exit record, health).  husk never waits
 * for a container: the monitor records the exit and runs `husk container
 * cleanup ID`; any command that looks at a container first folds in what
 * the monitor recorded (husk_container_sync), so a lost cleanup is
 * repaired by the next command.  create plans everything before it writes
 * anything, and rolls back what it wrote when a later step fails.
 *
 * Files: state.c (the state machine, sync, load), create.c, bundle.c
 * (files of the bundle, config.json), start.c (monitor launch, start,
 * init), stop.c (signal, stop), wait.c, cleanup.c (release, cleanup of an
 * exited container), remove.c, exec.c and exec-tty.c, pause.c.
 */
#ifndef HUSK_CONTAINER_LIFECYCLE_H
#define HUSK_CONTAINER_LIFECYCLE_H

#include "engine/engine.h"
#include "runtime/driver.h"
#include "state/containers.h"
#include "util/cleanup.h"
#include "util/error.h"
#include "util/proc.h"

#include <jansson.h>
#include <stdbool.h>

/* --- state.c ------------------------------------------------------------- */

/* <root>/containers/<id> and <runroot>/containers/<id>.  */
char *husk_container_bundle_dir (struct husk_engine *e, const char *id);
char *husk_container_rundir (struct husk_engine *e, const char *id);

/* The states in which a monitor looks after the container.  */
bool husk_container_has_monitor (const char *state);

/* The recorded container process (or its monitor) with the boot and start
   time that make its pid trustworthy (util/proc.h), and whether it runs. */
struct husk_proc_id husk_container_proc (const struct husk_container_rec *r, bool monitor);
bool husk_container_alive (const struct husk_container_rec *r, bool monitor);
/* Record the boot the pids about to be recorded belong to.  */
void husk_container_set_boot (struct husk_container_rec *r);

/* Wait until the recorded monitor has exited, at most timeout_ms.  */
void husk_container_await_monitor (const struct husk_container_rec *r, int timeout_ms);

/* Fold what the monitor recorded into the row (an exit: release, save,
   died/cleanup events, once).  runtime: delete the runtime's record too.
   An exit handed over to an attached caller whose monitor still runs is
   only read into *r, not saved: that cleanup is on its way and folds it
   (husk_container_fold).
   Return: 1 if it changed the row.  */
int husk_container_sync (struct husk_engine *e, struct husk_container_rec *r, bool runtime);
/* The same, folding an exit even while its monitor runs: the cleanup's
   own (container/cleanup.c).  */
int husk_container_fold (struct husk_engine *e, struct husk_container_rec *r, bool runtime);

/* Resolve ref and read its row, brought up to date.  */
int husk_container_load (struct husk_engine *e, const char *ref, struct husk_container_rec *r,
                         husk_error_t *err);
int husk_container_list (struct husk_engine *e, struct husk_container_rec **out, size_t *n,
                         husk_error_t *err);

/* The runtime the container was created with, with husk's --root.  */
struct husk_runtime *husk_container_runtime (struct husk_engine *e,
                                             const struct husk_container_rec *r,
                                             husk_error_t *err);

/* --- create.c, bundle.c --------------------------------------------------- */

/* Create a container of the image image_id (resolved) from a create
   request; a failure leaves nothing behind.  Records "create".  */
int husk_container_create (struct husk_engine *e, const char *image_id, json_t *req,
                           char **id_out, husk_error_t *err);

/* hosts, hostname, resolv.conf, .containerenv of a new bundle.  */
int husk_container_write_bundle_files (struct husk_engine *e, const char *dir, json_t *c,
                                       husk_error_t *err);
/* /etc/hosts and /etc/resolv.conf of the bundle written again in place
   (network connect and disconnect).  Return: 0, or -1.  */
int husk_container_rewrite_net_files (const char *dir, json_t *c, husk_error_t *err);
/* config.json of the bundle, for the root file system mounted at rootfs. */
int husk_container_write_spec (struct husk_engine *e, json_t *c, const char *dir,
                               const char *rootfs, husk_error_t *err);

/* --- start.c ----------------------------------------------------------------- */

/* Start a created, exited or initialized container (the op checked it is
   one of those); attach_fd and exit_hint as for husk_op_container_start. */
int husk_container_start (struct husk_engine *e, struct husk_container_rec *r, int *attach_fd,
                          int *exit_hint, husk_error_t *err);
/* The same; a container with a terminal gets rows x cols as its size
   before its process runs (the spec's consoleSize; 0: the runtime's), and
   the process the caller's fds 3 .. 3+preserve_fds-1 (0: none).  */
int husk_container_start_sized (struct husk_engine *e, struct husk_container_rec *r,
                                int *attach_fd, unsigned rows, unsigned cols, int preserve_fds,
                                int *exit_hint, husk_error_t *err);
/* Create it in the runtime without starting its process ("initialized").  */
int husk_container_init (struct husk_engine *e, struct husk_container_rec *r, husk_error_t *err);

/* --- stop.c, wait.c -------------------------------------------------------- */

/* Whether the container was made with --cgroups=disabled: it has no
   cgroup (no freezer for pause, no counters for stats, nothing for the
   runtime's kill --all to walk).  */
bool husk_container_cgroup_disabled (const struct husk_container_rec *r);

/* Signal the container's process (all: every process of it).  */
int husk_container_signal (struct husk_engine *e, struct husk_container_rec *r, int sig,
                           bool all);
/* How to stop a container.  */
struct husk_stop_opts
{
  int timeout; /* seconds before SIGKILL; < 0: the container's own */
  /* Called when the stop signal (its name, "SIGTERM") did not end the
     container in timeout seconds, before SIGKILL; NULL: nothing.  */
  void (*timed_out) (void *data, const char *name, const char *signal, int timeout);
  void *data;
};

/* Stop a container a monitor looks after: no restart from now on, the
   row "stopping", the stop signal, then after the timeout SIGKILL;
   returns once the exit is folded and the monitor's cleanup done.  */
int husk_container_stop (struct husk_engine *e, struct husk_container_rec *r,
                         const struct husk_stop_opts *o, husk_error_t *err);
/* The user ended it (stop, kill): its monitor does not restart it.  */
void husk_container_no_restart (struct husk_engine *e, const struct husk_container_rec *r);
/* Wait until its exit is folded, at most timeout_ms (< 0: forever).
   Return: whether it was.  */
bool husk_container_await_exit (struct husk_engine *e, const struct husk_container_rec *r,
                                int timeout_ms);
/* Check wait conditions (Podman 5's: configured, created, exited,
   healthy, initialized, paused, removing, running, stopped, stopping,
   unhealthy; health ones need a healthcheck).  Return: 0, or -1 EINVAL. */
int husk_container_wait_check (const struct husk_container_rec *r, char *const *conditions,
                               husk_error_t *err);
/* Wait until any of the (checked) conditions holds (NULL: the exit),
   looking every interval_ms (<= 0: 50 ms).  exit_code: the exit code for
   "stopped"/"exited", else -1, as Podman.  */
int husk_container_wait (struct husk_engine *e, struct husk_container_rec *r,
                         char *const *conditions, int interval_ms, int *exit_code,
                         husk_error_t *err);

/* --- cleanup.c, remove.c ------------------------------------------------------ */

/* Who runs a cleanup, and so what it may wait for.  */
enum husk_cleanup_flags
{
  HUSK_CLEANUP_DEFAULT = 0,
  /* The caller of a foreground run, whose monitor handed the cleanup over
     and waits for it: wait for neither the starter nor the monitor, and
     leave the runtime's record to the monitor.  */
  HUSK_CLEANUP_HANDED_OVER = 1 << 0,
  /* Run by the container's own monitor (its exit command): do not wait
     for the monitor, which waits for us.  */
  HUSK_CLEANUP_BY_MONITOR = 1 << 1,
  /* Run by a monitor about to restart the container (restart policy):
     the row may still say running.  */
  HUSK_CLEANUP_RESTARTING = 1 << 2,
};

/* Delete the runtime's record of a stopped container (runtime) and
   unmount its root file system.  */
void husk_container_release (struct husk_engine *e, struct husk_container_rec *r, bool runtime);

/* Release an exited container, and remove it (with its anonymous volumes)
   if it was made with --rm.  trash: with HUSK_CLEANUP_HANDED_OVER, set to
   what the waiting monitor is to delete.  Return: 1 when it was exited (and
   so cleaned up), 0 when not, or -1 (EBUSY when it runs).  */
int husk_container_cleanup (struct husk_engine *e, const char *ref, unsigned flags,
                            char **trash, husk_error_t *err);

/* The cleanup handed over by the monitor on the attach socket sock (see
   husk_op_container_attached_exit).  */
int husk_container_attached_exit (struct husk_engine *e, const char *id, int sock,
                                  husk_error_t *err);

/* Remove a stopped container's files and row; records "remove".  flags as
   for husk_container_cleanup (wait for the monitor unless handed over or
   run by it); trash as there.  */
int husk_container_remove (struct husk_engine *e, struct husk_container_rec *r, unsigned flags,
                           char **trash, husk_error_t *err);

/* --- exec.c, pause.c --------------------------------------------------------- */

struct husk_exec_opts
{
  char *const *argv;       /* the command and its arguments */
  char *const *env;        /* -e: "NAME=value", or "NAME" from our environment */
  char *const *env_files;  /* --env-file */
  const char *user;        /* -u; NULL: the container's user */
  const char *workdir;     /* -w; NULL: the container's working directory */
  bool privileged;         /* every capability husk may give */
  bool tty;                /* -t: a terminal, proxied to in_fd/out_fd */
  bool interactive;        /* -i: in_fd feeds the process */
  bool detach;             /* -d: start it and return at once */
  const char *detach_keys; /* NULL: "ctrl-p,ctrl-q"; "": none */
  int in_fd, out_fd, err_fd; /* the caller's stdio, normally 0, 1, 2 */
  /* --preserve-fds: the caller's own fds 3 .. 3+N-1 become the process's
     (open, and not husk's own: the caller checked); 0: none.  */
  int preserve_fds;
  /* Signals for the process: the read end of a pipe the caller writes one
     byte per signal to (its number), from a handler say; SIGWINCH resizes
     the terminal instead.  0 or -1: none (0 is stdin, never this).  */
  int signal_fd;
};

/* An exec session's monitor (husk-monitor --exec), spawned before the
   container is looked up so that its start-up runs alongside.  */
struct husk_exec_launch
{
  int sock;  /* to the monitor; -1: none */
  pid_t pid; /* the monitor, our child */
};

/* Spawn an exec monitor, handing it our fds 3 .. 3+preserve_fds-1 for the
   process (husk_exec_opts.preserve_fds).  Return: 0, or -1.  */
int husk_container_exec_spawn (struct husk_exec_launch *l, int preserve_fds,
                               husk_error_t *err);
/* Let a monitor that got no session go (it leaves) and reap it.  */
void husk_container_exec_launch_release (struct husk_exec_launch *l);

/* Run a process in the running container r (see husk_op_container_exec)
   under its own exec monitor, l's (taken over; NULL or none: one spawned
   here): the caller never has the runtime or the process as a child, nor
   changes its signal mask.  Records "exec" and "exec_died".  */
int husk_container_exec (struct husk_engine *e, struct husk_container_rec *r,
                         const struct husk_exec_opts *o, struct husk_exec_launch *l,
                         int *exit_code, char **exec_id, husk_error_t *err);
/* IDs of the container's exec sessions whose process still runs.  */
char **husk_container_exec_ids (struct husk_engine *e, const char *id);

/* Freeze (pause) or thaw the container r, running (paused) as checked by
   the caller, and move its row to paused (running).  */
int husk_container_pause (struct husk_engine *e, struct husk_container_rec *r, bool pause,
                          husk_error_t *err);

#endif
