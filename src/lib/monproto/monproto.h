/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The protocol between husk and its per-container monitor (husk-monitor):
 * the files and sockets of the userdata directory, monitor.json, the
 * attach frames, the log formats, health records, and the runtime the
 * monitor runs.  Both sides link these files (husk-monitor nothing else
 * of libhusk but util/ and runtime/driver.c); the client side of husk is
 * container/monitor.h, the monitor itself src/monitor/, the protocol is
 * described in docs/design/monitor.md.
 *
 * Everything the monitor records lives in the container's userdata
 * directory, under the names below, so any husk process can read the state
 * of a container without talking to its monitor.
 */
#ifndef HUSK_MONPROTO_MONPROTO_H
#define HUSK_MONPROTO_MONPROTO_H

#include "runtime/driver.h"
#include "util/error.h"
#include "util/strutil.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/un.h>

/* Files in the userdata directory.  */
#define HUSK_MONITOR_CONFIG "monitor.json"   /* written by husk_monitor_start */
#define HUSK_MONITOR_PIDFILE "pidfile"       /* container pid, by the runtime */
#define HUSK_MONITOR_PID "monitor.pid"       /* the monitor's pid */
#define HUSK_MONITOR_STARTED "started"       /* {"pid","started_at_ns"} */
#define HUSK_MONITOR_EXIT "exit"             /* struct husk_monitor_exit */
#define HUSK_MONITOR_RESTARTS "restarts"     /* restart count, decimal */
#define HUSK_MONITOR_STOPPING "stopping"     /* written by stop: no restart */
#define HUSK_MONITOR_HEALTH "health.json"    /* Podman's State.Health shape */
#define HUSK_MONITOR_ATTACH "attach"         /* SOCK_SEQPACKET attach socket */
#define HUSK_MONITOR_CTL "ctl"               /* SOCK_SEQPACKET control socket */
#define HUSK_MONITOR_LOG "monitor.log"       /* the monitor's own messages */
#define HUSK_MONITOR_RUNTIME_LOG "runtime.log" /* runtime --log of create/start */
#define HUSK_MONITOR_CTR_LOG "ctr.log"       /* default container log */

/* Where the caller's --preserve-fds descriptors are in a monitor: after
   its fixed ones (a container's monitor: the sync pipe on 3, the
   passthrough stdio on 4-6, the attach socket on 7, the go socket on 8;
   an exec session's: its socket on 3), N of them in a row.  The runtime
   gets them as 3 .. 3+N-1, with --preserve-fds N.  */
#define HUSK_MONITOR_PRESERVED_FD 9
#define HUSK_EXEC_PRESERVED_FD 4
#define HUSK_PRESERVE_FDS_MAX (1 << 20) /* no process has more: fs.nr_open */

/* Attach frames: the first byte of every SOCK_SEQPACKET message.  */
#define HUSK_ATTACH_STDIN 0      /* client -> monitor: stdin data */
#define HUSK_ATTACH_CLOSE_STDIN 1 /* client -> monitor: stdin ended */
#define HUSK_ATTACH_CLEANED 2    /* client -> monitor: the cleanup is done */
#define HUSK_ATTACH_STDOUT 1     /* monitor -> client: stdout data */
#define HUSK_ATTACH_STDERR 2     /* monitor -> client: stderr data */
#define HUSK_ATTACH_EXIT 3       /* monitor -> client: exit code, decimal */
/* Exec sessions only (husk-monitor --exec, see "Exec sessions" below).  */
#define HUSK_ATTACH_RESIZE 3     /* client -> monitor: "ROWS COLS" of the terminal */
#define HUSK_ATTACH_SIGNAL 4     /* client -> monitor: a signal for the process, decimal */
#define HUSK_ATTACH_GO 5         /* client -> monitor: the session (JSON); start it */
#define HUSK_ATTACH_CLOSE_OUT 6  /* client -> monitor: nobody reads the output any more */
#define HUSK_ATTACH_RUNTIME 7    /* client -> monitor: the runtime's path, before GO */
#define HUSK_ATTACH_STARTED 4    /* monitor -> client: the process runs; its pid, decimal */
#define HUSK_ATTACH_ERROR 5      /* monitor -> client: "STATUS MSG": the runtime failed */
#define HUSK_ATTACH_FRAME_MAX 8192 /* data bytes per frame (GO frames excepted) */

enum husk_log_driver
{
  HUSK_LOG_DRIVER_K8S_FILE = 0,
  HUSK_LOG_DRIVER_JSON_FILE,
  HUSK_LOG_DRIVER_NONE,
  HUSK_LOG_DRIVER_PASSTHROUGH,
};

enum husk_restart_policy
{
  HUSK_RESTART_NO = 0,
  HUSK_RESTART_ON_FAILURE,
  HUSK_RESTART_ALWAYS,
  HUSK_RESTART_UNLESS_STOPPED,
};

enum husk_health_action
{
  HUSK_HEALTH_ACTION_NONE = 0,
  HUSK_HEALTH_ACTION_KILL,
  HUSK_HEALTH_ACTION_RESTART,
  HUSK_HEALTH_ACTION_STOP,
};

enum husk_health_status
{
  HUSK_HEALTH_HEALTHY = 0, /* values chosen as `healthcheck run` exit codes */
  HUSK_HEALTH_UNHEALTHY = 1,
  HUSK_HEALTH_STARTING = 2,
};

/* Parse a name; Return: the enum value, or -1 when unknown.  NULL and ""
   give the default (k8s-file, no, none).  */
int husk_log_driver_parse (const char *name);
int husk_restart_policy_parse (const char *name);
int husk_health_action_parse (const char *name);
const char *husk_health_status_name (int status);

struct husk_monitor_health
{
  /* {"CMD", arg...} or {"CMD-SHELL", "cmd"}, NULL-terminated; NULL or
     {"NONE"}: no healthcheck.  */
  const char *const *test;
  int64_t interval_ns;     /* 0: never on a timer, only husk_health_run_once */
  int64_t timeout_ns;      /* 0: 30 s */
  int64_t start_period_ns; /* failures before this count for nothing */
  int retries;             /* 0: 3 */
  const char *on_failure;  /* NULL/"none", "kill", "restart", "stop" */
};

/* What husk_monitor_start needs.  Zero-initialise and fill in; strings are
   borrowed for the duration of the call.  */
struct husk_monitor_opts
{
  const char *id;       /* container ID, as the runtime knows it */
  const char *bundle;   /* directory with config.json */
  const char *userdata; /* the container's userdata directory (must exist) */

  const char *runtime;      /* OCI runtime binary, absolute path */
  const char *runtime_root; /* its --root; NULL: the runtime's default */
  const char *const *runtime_args; /* more global options, before the verb */
  const char *const *create_args;  /* more options of `create` */

  bool terminal;   /* allocate a pty (process.terminal in config.json) */
  bool stdin_open; /* keep stdin open (-i): a pipe the attach clients feed */

  const char *log_driver; /* NULL: k8s-file */
  const char *log_path;   /* NULL: <userdata>/ctr.log */
  int64_t log_max_size;   /* bytes; <= 0: unlimited */

  /* The caller attaches: husk_monitor_start() hands the monitor one end
     of a socket pair as its first attach client, before the container
     starts, and returns the other in attach_fd, so a foreground run
     loses no output.  */
  bool attach_wait;
  /* `init`: create only; the process starts at husk_monitor_start_created() */
  bool create_only;
  /* With attach_wait: the caller cleans up after the exit itself (it is
     waiting anyway, and has the store open).  The monitor sends it the
     exit frame first and runs the exit command only if the caller goes
     away without a HUSK_ATTACH_CLEANED frame.  */
  bool handoff_cleanup;
  /* With handoff_cleanup: the store's work area, where the caller may
     leave the removed container's files for the monitor to delete after
     the caller has returned (husk_attach_cleaned()).  */
  const char *trash_dir;

  const char *const *exit_command; /* run after every exit; NULL: none */
  const char *restart_policy;      /* NULL/"no", "on-failure", "always",
                                      "unless-stopped" */
  int max_retries;                 /* on-failure only; 0: unlimited */
  struct husk_monitor_health health;
  int stop_signal;  /* for the "stop" health action; 0: SIGTERM */
  int stop_timeout; /* seconds before SIGKILL; 0: 10 */
  int64_t timeout_ns; /* --timeout: SIGKILL after running this long; 0: never */
  /* --preserve-fds: the caller's own fds 3 .. 3+N-1 become the process's
     3 .. 3+N-1 at its first start (not at a restart); 0: none.  They
     must be open, and not husk's own (the caller checked both).  */
  int preserve_fds;

  /* Launch only, not recorded in monitor.json.  */
  const char *monitor_path; /* NULL: husk_monitor_path () */
  int stdio_fds[3];         /* passthrough: the container's stdin/out/err */
};

struct husk_monitor_exit
{
  int exit_code;          /* status, or 128 + signal */
  int64_t finished_at_ns; /* CLOCK_REALTIME */
  bool oom_killed;
  bool restarting;        /* the monitor will restart the container */
  bool handed_over;       /* the attached caller cleans up (handoff_cleanup) */
  int restart_count;
  char *error;            /* create/start failure message, or NULL */
};
/* --- Logs ---------------------------------------------------------------- */

struct husk_log_filter
{
  int64_t since_ns; /* 0: from the start */
  int64_t until_ns; /* 0: to the end */
  long tail;        /* < 0: all lines; else the last @tail lines */
  bool follow;      /* after the end, wait for more until the container exits */
  /* With follow: the container is gone when running() returns false or
     exit_file exists (either may be NULL; with both NULL follow is off).  */
  bool (*running) (void *ctx);
  const char *exit_file;
  int64_t poll_ns;  /* 0: 200 ms */
};

/* One record.  @data ends with '\n' unless @partial (a line longer than one
   read, or output without a final newline).  @stream is "stdout"/"stderr". */
typedef void (*husk_log_cb) (void *ctx, const char *stream, int64_t ts_ns,
                             const char *data, size_t len, bool partial);

/**
 * husk_log_read() - Read a container log written by husk-monitor
 * @path:   the log file
 * @driver: "k8s-file" or "json-file" (NULL: k8s-file)
 * @f:      filters; NULL: everything, no follow
 *
 * Lines that do not parse are skipped.  A log rotated while following (the
 * file replaced, or shorter than what was read) is read again from its start.
 *
 * Return: 0, or -1.
 */
int husk_log_read (const char *path, const char *driver,
                   const struct husk_log_filter *f, husk_log_cb cb, void *ctx,
                   husk_error_t *err);

/* --- Healthchecks -------------------------------------------------------- */

/**
 * husk_health_run_once() - Run the container's healthcheck once, now
 * @userdata_dir: the container's userdata directory (its monitor.json has
 *                the healthcheck and the runtime to run it with)
 *
 * Runs `runtime exec ID CMD` with the timeout, records the result in
 * health.json under the lock, like a check run by the monitor.  The
 * on_failure action is left to the monitor's own checks.
 *
 * Return: enum husk_health_status after the check, or -1.
 */
int husk_health_run_once (const char *userdata_dir, husk_error_t *err);

/* ========================================================================
   Shared with husk-monitor; not for the front ends.
   ======================================================================== */

/* monitor.json parsed back: the options, whose strings point into json.  */
struct husk_monitor_config
{
  struct husk_monitor_opts o;
  int log_level;
  json_t *json;
  const char **vecs[4]; /* the string vectors of o, allocated */
};

json_t *husk_monitor_config_to_json (const struct husk_monitor_opts *o);
int husk_monitor_config_load (const char *path, struct husk_monitor_config *cfg,
                              husk_error_t *err);
void husk_monitor_config_release (struct husk_monitor_config *cfg);

/* The container's runtime as monitor.json names it (path, --root, global
   options).  log: its --log, asked for as JSON; NULL: none, and its
   stderr left as the runtime writes it.  Free with husk_runtime_free.  */
struct husk_runtime *husk_monitor_runtime (const struct husk_monitor_opts *o, const char *log);

/* argv of `runtime [--root R] [runtime_args] VERB ARGS...` without a log
   (varargs end with NULL).  Free with husk_strv_free.  */
char **husk_monitor_runtime_argv (const struct husk_monitor_opts *o,
                                  const char *verb, ...)
    __attribute__ ((sentinel));

/* RFC 3339 with nanoseconds in UTC: "2024-01-02T03:04:05.000000006Z".  */
#define HUSK_TIMESTAMP_LEN 64
void husk_timestamp_format (char buf[HUSK_TIMESTAMP_LEN], int64_t ns);
/* Parse RFC 3339 (fraction optional, "Z" or a numeric offset).
   Return: nanoseconds since the epoch, or -1.  */
int64_t husk_timestamp_parse (const char *s, size_t len);

/* Address of socket @name in @dir; a path too long for sun_path goes
   through /proc/self/fd/N of an O_PATH descriptor left in *dirfd (close it
   after bind/connect; -1 when unused).  */
int husk_monitor_sockaddr (const char *dir, const char *name,
                           struct sockaddr_un *sa, socklen_t *len, int *dirfd,
                           husk_error_t *err);

/* Replace path with data through a temporary file and rename: readers see
   the old or the new content.  No fsync: these files describe processes,
   which a crash ends anyway, and an fsync costs milliseconds on the
   container start path.  */
int husk_monitor_write_file (const char *path, const void *data, size_t len,
                             mode_t mode, husk_error_t *err);

int husk_monitor_write_exit (const char *userdata_dir,
                             const struct husk_monitor_exit *ex,
                             husk_error_t *err);

/* Append the log records of one chunk of output of @stream (1 stdout, 2
   stderr) to @out: full lines as full records, a final piece without
   newline as a partial one.  */
void husk_log_format (struct husk_buf *out, enum husk_log_driver driver,
                      int stream, int64_t ts_ns, const char *data, size_t len);

/* health.json: reset to "starting", or add one result.  Both hold the lock
   health.json.lock.  husk_health_record returns the new status and sets
   *became_unhealthy when this result turned the status to unhealthy.  */
int husk_health_reset (const char *userdata_dir, husk_error_t *err);
struct husk_health_result
{
  int64_t start_ns;
  int64_t end_ns;
  int exit_code;
  const char *output;
  size_t output_len;
};
int husk_health_record (const char *userdata_dir,
                        const struct husk_health_result *r, int retries,
                        bool in_start_period, bool *became_unhealthy,
                        husk_error_t *err);

/* argv of the runtime exec that runs the check; NULL when there is none. */
char **husk_health_argv (const struct husk_monitor_opts *o);

/* Fork and exec argv with stdin on /dev/null and stdout and stderr on a
   pipe whose read end (non-blocking, close-on-exec) goes to *out_fd.  The
   child gets default signal dispositions and an empty signal mask.
   Return: the pid, or -1.  */
pid_t husk_health_spawn (char **argv, int *out_fd, husk_error_t *err);

/* A copy of s where bytes that are not UTF-8 are U+FFFD, so jansson takes
   it.  *out_len is its length.  */
char *husk_utf8_sanitize (const char *s, size_t len, size_t *out_len);

/* Health output kept per result, like Docker.  */
#define HUSK_HEALTH_OUTPUT_MAX 4096

/* --- Exec sessions (exec.c) ---------------------------------------------- */

/* Files of an exec session's directory (<rundir>/exec/<exec-id>).  The
   exit file is HUSK_MONITOR_EXIT, as a container's.  */
#define HUSK_EXEC_PROCESS "process.json" /* the OCI process, by husk */
#define HUSK_EXEC_PIDFILE "pid"          /* the process's pid, by the runtime */
#define HUSK_EXEC_CONSOLE "console.sock" /* the runtime sends the pty master here */

/* An exec session as husk hands it to `husk-monitor --exec` in the GO
   frame.  Strings are borrowed (from the caller, or from the parsed
   JSON).  */
struct husk_exec_config
{
  const char *ctr_id;       /* the container, as the runtime knows it */
  const char *dir;          /* the session directory */
  const char *runtime;      /* the OCI runtime, absolute */
  const char *runtime_root; /* its --root; NULL: its default */
  const char *const *runtime_args; /* global options before the verb; may be NULL */
  const char *runtime_log;  /* its --log (JSON); NULL: none */
  bool terminal;            /* -t: a pty, whose master the monitor holds */
  bool stdin_open;          /* -i: a stdin pipe the client feeds */
  bool detach;              /* -d: no stdio at all (/dev/null) */
  int preserve_fds;         /* the monitor's fds HUSK_EXEC_PRESERVED_FD on,
                               for the process as 3 .. 3+N-1; 0: none */
  int log_level;            /* the monitor's husk_log level */
  const char **args_vec;    /* owned by husk_exec_config_parse() */
};

json_t *husk_exec_config_to_json (const struct husk_exec_config *c);
/* Parse a GO frame's payload; strings point into *json (keep it, and
   release c with husk_exec_config_release()).  Return: 0, or -1.  */
int husk_exec_config_parse (const char *text, size_t len, struct husk_exec_config *c,
                            json_t **json, husk_error_t *err);
void husk_exec_config_release (struct husk_exec_config *c);

/* The runtime's `exec --process DIR/process.json --pid-file DIR/pid
   [--console-socket S] --detach CTR` of the session, built by the one
   runtime driver.  Free with husk_strv_free.  */
char **husk_exec_config_argv (const struct husk_exec_config *c, const char *console);

/* Frames waiting for a SOCK_SEQPACKET socket, kept with their lengths, so
   neither end ever blocks on the other: what the socket does not take now
   waits here.  Zero-initialise.  */
struct husk_frame_queue
{
  struct husk_buf b; /* [u32 length][type][data]... */
  size_t off;        /* bytes of b already sent */
};

/* Queue data as frames of type; data longer than HUSK_ATTACH_FRAME_MAX
   becomes several frames; len 0 queues one frame without data.  */
void husk_frame_queue_push (struct husk_frame_queue *q, int type, const void *data,
                            size_t len);
/* Send what the socket takes now (MSG_DONTWAIT).  Return: 0 (see
   husk_frame_queue_pending() for what is left), or -1 with errno set.  */
int husk_frame_queue_flush (struct husk_frame_queue *q, int sock);
/* Bytes still to send.  */
size_t husk_frame_queue_pending (const struct husk_frame_queue *q);
void husk_frame_queue_release (struct husk_frame_queue *q);

/* A frame's payload as a decimal in [min, max] (surrounding blanks
   allowed).  Return: 0, or -1 when it is not one.  */
int husk_frame_parse_long (const char *data, size_t len, long min, long max, long *out);
/* "ROWS COLS" (each 1..65535).  Return: 0, or -1.  */
int husk_frame_parse_size (const char *data, size_t len, unsigned short *rows,
                           unsigned short *cols);

#endif
