/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The per-container monitor (husk-monitor), husk's side: launching it,
 * attaching to it, resizing its terminal and reading what it records (exit
 * status, restarts).  What both sides share is monproto/monproto.h.
 */
#ifndef HUSK_CONTAINER_MONITOR_H
#define HUSK_CONTAINER_MONITOR_H

#include "monproto/monproto.h"

/* husk_attach () result when the user typed the detach keys.  */
#define HUSK_ATTACH_DETACHED (-2)

struct husk_monitor_result
{
  pid_t monitor_pid;
  pid_t container_pid;
  uint64_t monitor_start;   /* start times (util/proc.h); 0: unknown */
  uint64_t container_start;
  int exit_code_hint; /* on failure: 127 not found, 126 not executable, 125 */
  int attach_fd;      /* with attach_wait: the caller's attach socket, else -1 */
};

/**
 * husk_monitor_path() - Where husk-monitor is
 *
 * "husk-monitor" next to the running executable (so the build tree uses the
 * freshly built one), else husk's libexec directory (husk_exec_sibling).
 *
 * Return: a newly allocated path.
 */
char *husk_monitor_path (void);

/**
 * husk_monitor_spawn_process() - Start a husk-monitor (container or exec)
 * @fds: descriptors to pass on fds 3, 4, ... (-1: that fd stays closed)
 *
 * In a session of its own (no signal of our terminal reaches it), stdio on
 * /dev/null, default signals, cwd /, nothing else open.  posix_spawn (a
 * vfork underneath) costs far less than forking the whole husk process.
 * Return: 0, or an errno value.
 */
int husk_monitor_spawn_process (const char *path, char **argv, const int *fds, int n,
                                pid_t *pid);

/**
 * husk_monitor_start() - Launch the monitor of a container and start it
 * @o:   what to run and how
 * @res: filled with the pids on success, the exit-code hint on failure
 * @err: the runtime's own message on failure ("crun: executable file `x`
 *       not found in $PATH: No such file or directory")
 *
 * Writes <userdata>/monitor.json, double-forks husk-monitor into a new
 * session and waits for its report, sent once the container runs.  The
 * monitor keeps running after the caller exits.
 *
 * Return: 0, or -1.
 */
int husk_monitor_start (const struct husk_monitor_opts *o,
                        struct husk_monitor_result *res, husk_error_t *err);

/* A monitor spawned but not yet told to go (husk_monitor_spawn()).  */
struct husk_monitor_launch
{
  int sync_r;    /* its report */
  int go_w;      /* one byte here lets it create the container */
  int attach_fd; /* with attach_wait: the caller's end of the attach pair */
  pid_t pid;     /* the monitor: our child until we exit */
};

/**
 * husk_monitor_spawn() - Start the monitor ahead of the container
 * @o: as for husk_monitor_start()
 * @l: set to the pipes of the waiting monitor
 *
 * The monitor starts up (exec, configuration, sockets) while the caller
 * mounts the root file system and writes the spec, then waits for
 * husk_monitor_go(); husk_monitor_launch_release() without it makes the
 * monitor leave without doing anything.
 *
 * Return: 0, or -1.
 */
int husk_monitor_spawn (const struct husk_monitor_opts *o, struct husk_monitor_launch *l,
                        husk_error_t *err);

/* Let the monitor create (and start) the container, and read its report,
   as husk_monitor_start() does.  Return: 0, or -1.  */
int husk_monitor_go (const char *userdata, struct husk_monitor_launch *l,
                     struct husk_monitor_result *res, husk_error_t *err);

/* Close what is left of l.  */
void husk_monitor_launch_release (struct husk_monitor_launch *l);

/**
 * husk_attach() - Attach to a container through its monitor
 * @userdata_dir: the container's userdata directory
 * @in_fd:        data for the container's stdin, or -1
 * @out_fd:       where stdout frames go
 * @err_fd:       where stderr frames go
 * @detach_keys:  "ctrl-p,ctrl-q" style; NULL: that default; "": none
 * @tty:          the container has a terminal: in_fd is put in raw mode
 *                when it is one, and the terminal size is sent on start and
 *                whenever poll() is interrupted (install a SIGWINCH handler
 *                without SA_RESTART to get resizes)
 *
 * Return: the container's exit code, HUSK_ATTACH_DETACHED, or -1.
 */
int husk_attach (const char *userdata_dir, int in_fd, int out_fd, int err_fd,
                 const char *detach_keys, bool tty, husk_error_t *err);

/* The same over the socket husk_monitor_start() returned in attach_fd (with
   attach_wait), which stays open: the caller closes it, after
   husk_attach_cleaned() with handoff_cleanup.  */
int husk_attach_fd (int sock, const char *userdata_dir, int in_fd, int out_fd,
                    int err_fd, const char *detach_keys, bool tty, husk_error_t *err);

/* Tell the monitor (handoff_cleanup) that the caller has cleaned up.  It
   may still be deleting the runtime's record: a start of the same
   container waits for the old monitor to exit.  trash: NULL, or the name
   of a directory in the monitor's trash_dir that it is to delete;
   state_db: NULL, or the state database, which the monitor checkpoints
   before it deletes the trash (husk_state_checkpoint_handed_over()).
   Return: 0 when the monitor got the frame, else -1 (it is gone).  */
int husk_attach_cleaned (int sock, const char *trash, const char *state_db);

/* Start a container its monitor created with create_only.  Return: 0, or -1
   with the runtime's message.  */
int husk_monitor_start_created (const char *userdata_dir, husk_error_t *err);

/* Connect to the attach socket (for husk_attach_fd()).  Return: fd, or -1. */
int husk_monitor_connect_attach (const char *userdata_dir, husk_error_t *err);

/* Set the container's terminal size.  Return: 0, or -1.  */
int husk_monitor_resize (const char *userdata_dir, unsigned rows,
                         unsigned cols, husk_error_t *err);

/* Ask the monitor to reopen its log file (after it was moved away).  */
int husk_monitor_reopen_log (const char *userdata_dir, husk_error_t *err);

void husk_monitor_exit_release (struct husk_monitor_exit *ex);

/**
 * husk_monitor_read_exit() - Read <userdata>/exit
 *
 * Return: 1 when the container has exited (@ex filled; release it), 0 when
 * there is no exit file, -1 on error.
 */
int husk_monitor_read_exit (const char *userdata_dir,
                            struct husk_monitor_exit *ex, husk_error_t *err);

/* The restart count recorded in <userdata>/restarts (0 when none).  */
int husk_monitor_restart_count (const char *userdata_dir);

#endif
