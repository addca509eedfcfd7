/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Container operations: the only entry points cli/ and api/ use.  */
#ifndef HUSK_OPS_CONTAINER_H
#define HUSK_OPS_CONTAINER_H

#include "container/lifecycle.h"
#include "container/stats.h"
#include "engine/engine.h"
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

/* Start a created or exited container.  With attach_fd, the caller
   attaches: *attach_fd gets a socket connected to the monitor before the
   process started (for husk_attach_fd()), or -1 when the log driver leaves
   nothing to attach to (passthrough); the "attach" event is recorded with
   the start's when there is a socket.  The caller then also cleans up:
   when attach returns the exit code it calls
   husk_op_container_attached_exit(), else it just closes the socket and
   the monitor's exit command cleans up.  On failure *exit_hint is 125, or
   126/127 when the command cannot run.  Return: 0, 1 when it was running
   already (nothing done), or -1 (EBUSY when it is paused or stopping).  */
int husk_op_container_start (struct husk_engine *e, const char *ref, int *attach_fd,
                             int *exit_hint, husk_error_t *err);
/* The same; a container with a terminal gets rows x cols as the size of
   its terminal before its process runs (0: the runtime's default), and
   the process gets the caller's fds 3 .. 3+preserve_fds-1 (run
   --preserve-fds; they must be open, and not husk's own).  */
int husk_op_container_start_sized (struct husk_engine *e, const char *ref, int *attach_fd,
                                   unsigned rows, unsigned cols, int preserve_fds,
                                   int *exit_hint, husk_error_t *err);

/* After the exit code came on an attach socket from husk_op_container_start:
   clean up as the monitor's exit command would (release; --rm removes),
   tell the waiting monitor, close sock.  Return: 0, or -1.  */
int husk_op_container_attached_exit (struct husk_engine *e, const char *id, int sock,
                                     husk_error_t *err);

/* Wait until the container's recorded monitor has exited (a pidfd, else
   polling), at most timeout_ms; at once when the pid now belongs to
   another process (util/proc.h).  */
void husk_op_container_await_monitor (const struct husk_container_rec *r, int timeout_ms);

/* `init`: create the container in the runtime without starting its
   process (state "initialized"); start does the rest.  EBUSY unless it is
   created or exited.  */
int husk_op_container_init (struct husk_engine *e, const char *ref, husk_error_t *err);

/* Bring the state up to date with what the monitor recorded; release what
   an exited container held; remove it when created with --rm.  flags: who
   runs it (enum husk_cleanup_flags, container/lifecycle.h):
   HUSK_CLEANUP_BY_MONITOR when it is the container's monitor's exit
   command, with HUSK_CLEANUP_RESTARTING when that monitor restarts the
   container next; HUSK_CLEANUP_DEFAULT for a user's command.  */
int husk_op_container_cleanup (struct husk_engine *e, const char *ref, unsigned flags,
                               husk_error_t *err);

/* timeout < 0: the container's stop timeout.  */
int husk_op_container_stop (struct husk_engine *e, const char *ref, int timeout,
                            husk_error_t *err);
/* The same without the "stop" event (restart records its own).  */
int husk_op_container_stop_quiet (struct husk_engine *e, const char *ref, int timeout,
                                  husk_error_t *err);
/* The same with a report of a stop signal that did not stop it in time
   (struct husk_stop_opts, container/lifecycle.h).  */
int husk_op_container_stop_with (struct husk_engine *e, const char *ref,
                                 const struct husk_stop_opts *o, husk_error_t *err);
/* Signal a running, paused or stopping container; it is not restarted by
   its policy after this (Podman's StoppedByUser).  With SIGKILL, returns
   once its exit is folded.  */
/* A command that will start a container process (run, start, exec, ...)
   begins: as root, start the cgroup grace period the runtime would wait
   for (husk_runtime_cgroup_warm()).  Before the engine is opened, and
   after any user namespace is joined (a thread exists from then on).  */
void husk_op_container_warm (void);

int husk_op_container_kill (struct husk_engine *e, const char *ref, int sig,
                            husk_error_t *err);
/* EBUSY when running and !force.  */
int husk_op_container_remove (struct husk_engine *e, const char *ref, bool force,
                              bool volumes, int timeout, husk_error_t *err);

/* What `rm` may do beyond husk_op_container_remove.  */
struct husk_rm_opts
{
  bool force, volumes;
  /* Refuse (EEXIST, Podman's words) a container that others join through
     container:X namespaces; with depend, remove those first, and for a
     pod's infra container the whole pod (ops/pod.h).  */
  bool check_dependents, depend;
  struct husk_stop_opts stop; /* for a running one (with force) */
  /* Removing its pod (ops/pod.h): an infra container may go too.  */
  bool infra;
  /* Each dependent removed with depend, by full ID; may be NULL.  */
  void (*removed) (void *data, const char *id);
  void *data;
};
int husk_op_container_remove_with (struct husk_engine *e, const char *ref,
                                   const struct husk_rm_opts *o, husk_error_t *err);
/* Wait for a condition ("stopped"/"exited" default, "running").  */
int husk_op_container_wait (struct husk_engine *e, const char *ref, const char *condition,
                            int *exit_code, husk_error_t *err);
/* Wait until any of Podman 5's conditions holds (husk_container_wait_check
   in container/lifecycle.h lists them; NULL: the exit).  *exit_code: the
   exit code for the exit, -1 for the others.  EINVAL for a bad one.
   interval_ms: how often to look (<= 0: 50 ms).  */
int husk_op_container_wait_any (struct husk_engine *e, const char *ref, char *const *conditions,
                                int interval_ms, int *exit_code, husk_error_t *err);

int husk_op_container_resolve (struct husk_engine *e, const char *ref, char **id,
                               husk_error_t *err);
/* All containers with their state brought up to date, newest first.  */
int husk_op_container_list (struct husk_engine *e, struct husk_container_rec **out,
                            size_t *n, husk_error_t *err);
json_t *husk_op_container_inspect (struct husk_engine *e, const char *ref, husk_error_t *err);
/* The same; with size, "SizeRw" and "SizeRootFs" too (ops/container_ps.h). */
json_t *husk_op_container_inspect_sized (struct husk_engine *e, const char *ref, bool size,
                                         husk_error_t *err);

/* A published port (-p), typed.  */
struct husk_container_port
{
  unsigned container_port;
  unsigned host_port;
  char *protocol; /* "tcp" when the flag named none */
  char *host_ip;  /* "0.0.0.0" when the flag named none */
};
void husk_container_ports_free (struct husk_container_port *p, size_t n);

/* What the front ends show of a container's configuration, read from its
   record, so that none of them parses the stored configuration itself.  */
struct husk_container_info
{
  char *image_name; /* the image as named at create */
  char **command;   /* entrypoint then command (NULL-terminated; NULL: none) */
  bool tty;         /* -t */
  bool interactive; /* -i */
  bool rm;          /* --rm */
  char *cidfile;    /* --cidfile as given, or NULL */
  struct husk_container_port *ports;
  size_t n_ports;
};

/* Fill i from the record r (of husk_op_container_load or _list).  A
   configuration that cannot be read gives an empty i.  */
void husk_op_container_info (const struct husk_container_rec *r, struct husk_container_info *i);
void husk_container_info_release (struct husk_container_info *i);

/* Where a container's monitor files (exit, attach, health) are.  */
char *husk_op_container_rundir (struct husk_engine *e, const char *id);
/* The container's log file and driver.  */
int husk_op_container_log (struct husk_engine *e, const char *ref, char **path,
                           char **driver, char **id, husk_error_t *err);

/* ==========================================================================
   Runtime-facing operations: exec, attach, pause/unpause, restart, top,
   stats (ops/container_exec.c, container_query.c).
   ========================================================================== */

/* Read a container's row with its state brought up to date (what the
   monitor recorded folded in).  Release with husk_container_rec_release. */
int husk_op_container_load (struct husk_engine *e, const char *ref,
                            struct husk_container_rec *r, husk_error_t *err);

/* struct husk_exec_opts: container/lifecycle.h.  */

/**
 * husk_op_container_exec() - Run a process in a running container
 * @o:         what to run and how
 * @exit_code: the process's exit status (128 + signal when killed); on
 *             failure 125, or 126/127 when the runtime could not run the
 *             command (not executable, not found); 0 after -d or detach
 * @exec_id:   set to the exec session's ID (64 hex); may be NULL
 * @err:       EBUSY "can only create exec sessions on running containers:
 *             container state improper"; the runtime's message on failure
 *
 * Without a terminal the runtime inherits in_fd (with -i; else
 * /dev/null), out_fd and err_fd.  With one, the pty's master comes over a
 * console socket and is proxied here (raw mode when in_fd is a terminal,
 * window size changes followed); detaching leaves the process running.
 *
 * Return: 0, or -1.
 */
int husk_op_container_exec (struct husk_engine *e, const char *ref,
                            const struct husk_exec_opts *o, int *exit_code,
                            char **exec_id, husk_error_t *err);

/* IDs of a container's exec sessions whose process still runs (NULL when
   none; free with husk_strv_free).  */
char **husk_op_container_exec_ids (struct husk_engine *e, const char *id);

/**
 * husk_op_container_attach() - Attach to a running container's monitor
 * @in_fd:       stdin to forward, or -1 (ignored unless the container was
 *               created with -i)
 * @detach_keys: NULL: the container's, else "ctrl-p,ctrl-q"; "": none
 *
 * Return: the container's exit code, HUSK_ATTACH_DETACHED (-2), or -1
 * (EBUSY "you can only attach to running containers").
 */
int husk_op_container_attach (struct husk_engine *e, const char *ref, int in_fd, int out_fd,
                              int err_fd, const char *detach_keys, husk_error_t *err);

/* Freeze / thaw a container; EBUSY with Podman's wording when it is not
   running / not paused.  */
int husk_op_container_pause (struct husk_engine *e, const char *ref, husk_error_t *err);
int husk_op_container_unpause (struct husk_engine *e, const char *ref, husk_error_t *err);

/* Stop (when running; timeout < 0: the container's) then start.  On
   failure *exit_hint is 125, or 126/127.  */
int husk_op_container_restart (struct husk_engine *e, const char *ref, int timeout,
                               int *exit_hint, husk_error_t *err);

/**
 * husk_op_container_top() - The processes of a running container
 * @descriptors: ps(1) AIX descriptors ("%C", "%p", ...) or names ("user",
 *               "pid", "pcpu", "etime", "args", ...), each word may hold
 *               several separated by commas; NULL or empty: "user pid ppid
 *               %cpu etime tty time args"
 * @err:         EINVAL "unknown descriptor: X" (callers may then run ps(1)
 *               in the container, as Podman does); EBUSY when not running
 *
 * Pids are those seen inside the container.
 *
 * Return: {"Titles": [...], "Processes": [[...], ...]}, or NULL.
 */
json_t *husk_op_container_top (struct husk_engine *e, const char *ref,
                               char *const *descriptors, husk_error_t *err);

/* Read a container's resource usage from its cgroup (v1 or v2).  A
   container that is not running gives zeros.  */
int husk_op_container_stats (struct husk_engine *e, const char *ref,
                             struct husk_container_stats *s, husk_error_t *err);

/* ==== File-system commands (ops/container_fs.c) ========================
   cp, diff, export, commit, mount/unmount, rename, port, container prune. */

#include "container/commit.h"
#include "container/fs.h"

/**
 * husk_op_container_copy_in() - `cp HOSTPATH CTR:PATH` and `cp - CTR:DIR`
 * @src:   the host path, or NULL to extract the tar read from @in_fd
 * @path:  the destination inside the container
 *
 * Works on running and stopped containers; nothing of the host outside
 * @src is read, nothing outside the container's root is written, whatever
 * symlinks the container holds.  Return: 0, or -1 (ENOENT: missing path).
 */
int husk_op_container_copy_in (struct husk_engine *e, const char *ref, const char *src,
                               int in_fd, const char *path,
                               const struct husk_cp_request *rq, husk_error_t *err);

/* `cp CTR:PATH HOSTPATH` (dst NULL: a tar of PATH to out_fd).  */
int husk_op_container_copy_out (struct husk_engine *e, const char *ref, const char *path,
                                const char *dst, int out_fd,
                                const struct husk_cp_request *rq, husk_error_t *err);

/* `cp CTR1:SRC CTR2:DST`.  */
int husk_op_container_copy_between (struct husk_engine *e, const char *from, const char *src,
                                    const char *to, const char *dst,
                                    const struct husk_cp_request *rq, husk_error_t *err);

/* diff's objects: a container, an image, or either (container first). */
enum husk_diff_kind
{
  HUSK_DIFF_ANY,
  HUSK_DIFF_CONTAINER,
  HUSK_DIFF_IMAGE,
};

/* The changes of now against before (NULL: against its own parent), each
   a reference of the kind asked for; see husk_fs_diff().  */
int husk_op_diff (struct husk_engine *e, const char *now, const char *before,
                  enum husk_diff_kind kind, struct husk_change **out, size_t *n,
                  husk_error_t *err);

/* A tar of the container's whole file system to out_fd.  */
int husk_op_container_export (struct husk_engine *e, const char *ref, int out_fd,
                              husk_error_t *err);

/**
 * husk_op_container_commit() - A new image from a container's changes
 * @id_out: the new image's ID (64 hex digits)
 *
 * One new layer (the read-write layer's changes, whiteouts as ".wh." files)
 * on top of the image's layers, and a config made from the image's with
 * the container's Env, Cmd, Entrypoint, WorkingDir, User and Labels, a
 * history entry and the changes applied.  A failure leaves no image.
 * Return: 0, or -1.
 */
int husk_op_container_commit (struct husk_engine *e, const char *ref,
                              const struct husk_commit_opts *o, char **id_out,
                              husk_error_t *err);

/* Mount the container's root file system (counted); return its path.  */
char *husk_op_container_mount (struct husk_engine *e, const char *ref, husk_error_t *err);
/* Undo one mount (force: all).  A running container keeps the mount it
   runs on: EBUSY when only that one is left.  */
int husk_op_container_unmount (struct husk_engine *e, const char *ref, bool force,
                               husk_error_t *err);

/* Containers whose root file system is mounted, newest first.  */
int husk_op_container_mounts (struct husk_engine *e, struct husk_ctr_mount **out,
                              size_t *n, husk_error_t *err);

/* EINVAL for an invalid name, EEXIST when another container has it.  */
int husk_op_container_rename (struct husk_engine *e, const char *ref, const char *name,
                              husk_error_t *err);

/* The container's published ports, from the configuration's "ports"
   (struct husk_container_port; none until port publishing exists).
   Free with husk_container_ports_free.  Return: 0, or -1.  */
int husk_op_container_ports (struct husk_engine *e, const char *ref,
                             struct husk_container_port **out, size_t *n, husk_error_t *err);

/**
 * husk_op_container_prune() - Remove all stopped (exited or created) containers
 * @filters: "until=<time>", "label=<key>[=<value>]", "label!=<key>[=<value>]"
 * @removed: gets the IDs removed (may be set when the result is -1)
 *
 * Return: 0, or -1 (EINVAL for a bad filter; else the first failure, after
 * trying every container).
 */
int husk_op_container_prune (struct husk_engine *e, char **filters, char ***removed,
                             husk_error_t *err);

/* ==== end of file-system commands ======================================= */

#endif
