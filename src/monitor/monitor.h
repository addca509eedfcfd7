/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * husk-monitor internals: the one context every mon_* function takes, and
 * the entry points of the monitor's files (monitor.c: life cycle and event
 * loop; runtime.c: running the OCI runtime; io.c: the container's stdio,
 * the log and the attach and control sockets; health.c: healthchecks).
 */
#ifndef HUSK_MONITOR_MONITOR_H
#define HUSK_MONITOR_MONITOR_H

#include "monproto/monproto.h"
#include "util/strutil.h"

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#define MON_FRAME_MAX 8192 /* bytes read from the container per frame */

/* What an epoll event is about: every registered fd has a watch, and
   epoll's data.ptr points to it.  */
enum mon_kind
{
  W_SIGNAL,
  W_OUT,    /* container stdout pipe, or the pty master */
  W_ERR,    /* container stderr pipe */
  W_IN,     /* container stdin (write side), only while data is pending */
  W_ATTACH, /* attach listening socket */
  W_CTL,    /* control listening socket */
  W_CLIENT, /* an attach or control connection */
  W_PHASE,  /* timer of the current phase */
  W_HEALTH, /* healthcheck timer */
  W_HEALTH_OUT, /* output of a running healthcheck */
  W_TIMEOUT, /* --timeout: the container has run long enough */
};

struct mon_watch
{
  enum mon_kind kind;
  int fd;    /* -1 when closed */
  bool on;   /* registered with epoll */
};

struct mon_client
{
  struct mon_watch w; /* first: the epoll pointer is the client */
  struct mon_client *next;
  bool ctl;
  bool cleaner; /* the caller that cleans up after the exit (handoff_cleanup) */
  char *pending; /* one output frame the socket had no room for */
  size_t pending_len;
};

/* mon_runtime_create: the caller gave up before its go.  */
#define MON_NO_GO (-2)

/* A create under way (runtime.c): its runtime process is forked, the first
   one ahead of the caller's go, and finishing the create needs these.  */
struct mon_create
{
  bool begun;
  bool run;     /* `run --detach`: it also starts the container */
  pid_t pid;    /* the runtime's process; -1: not forked (c->error says why) */
  int out, err, in; /* our ends of the container's stdio pipes, or -1 */
  int cap;      /* terminal: the read end of the runtime's stderr */
  int console, console_dir; /* terminal: the console socket, its directory */
};

enum mon_phase
{
  PH_CREATED,     /* `init`: created, waiting for the start message */
  PH_RUNNING,
  PH_DRAINING,    /* the container exited; reading its last output */
  PH_BACKOFF,     /* waiting to restart */
  PH_DONE,
};

struct mon_ctx
{
  struct husk_monitor_config cfg;
  const struct husk_monitor_opts *o; /* &cfg.o */
  enum husk_log_driver driver;
  int policy; /* enum husk_restart_policy */
  int action; /* enum husk_health_action */
  const char *runtime_name;

  int epfd;
  int null_fd;
  int go_fd;         /* the caller's go socket, until the first create reads it */
  struct mon_create create;
  int sync_fd;       /* report pipe to husk_monitor_start, until used */
  int attach_fd;     /* the first attach client, until adopted */
  bool started;      /* the last create also started the process */
  int passthrough[3]; /* the caller's stdio for the first create */
  int preserved;      /* --preserve-fds: how many of the caller's fds, from
                         HUSK_MONITOR_PRESERVED_FD on, the first create
                         passes on; 0 once they are closed */
  struct mon_watch sig, out, err, in, attach, ctl, phase_timer, health_timer,
      health_out, timeout_timer;

  struct mon_client *clients;
  int blocked;     /* clients with a pending frame: output is paused */
  bool out_paused;
  unsigned long flushed;       /* pending frames clients took, ever */
  unsigned long flushed_mark;  /* ... when the drain timer was armed */
  struct husk_buf in_pending; /* stdin data the container has not taken */
  bool in_close_after; /* close stdin once in_pending is written */

  int log_fd;
  int64_t log_size;
  struct husk_buf log_buf;

  enum mon_phase phase;
  pid_t ctr_pid;
  int64_t started_ns;
  int exit_code;
  int64_t finished_ns;
  char *error; /* why the last create/start failed */
  char oom_file[256];
  int restarts;
  int64_t backoff_ms;
  bool sig_stop;       /* SIGTERM/SIGINT or a health "stop": never restart */
  bool health_restart; /* a health "restart": restart whatever the policy */

  char **health_argv;
  pid_t health_pid;
  int64_t health_start_ns;
  bool health_timed_out;
  struct husk_buf health_buf;
};

/* monitor.c */
void mon_watch_add (struct mon_ctx *c, struct mon_watch *w, int fd,
                    enum mon_kind kind, uint32_t events);
void mon_watch_mod (struct mon_ctx *c, struct mon_watch *w, uint32_t events);
void mon_watch_del (struct mon_ctx *c, struct mon_watch *w);
void mon_timer_arm (struct mon_watch *t, int64_t ns);
void mon_container_exited (struct mon_ctx *c, int status);
void mon_output_closed (struct mon_ctx *c);
const char *mon_start_created (struct mon_ctx *c);
bool mon_go_given (struct mon_ctx *c);

/* runtime.c */
/* The pty master the runtime sends on its console socket, or -1.  */
int mon_console_receive (int lfd);
int mon_run (struct mon_ctx *c, char **argv, int in, int out, int err,
             char **env);
void mon_runtime_prepare (struct mon_ctx *c, bool start);
void mon_runtime_abandon (struct mon_ctx *c);
int mon_runtime_create (struct mon_ctx *c, bool start);
int mon_runtime_start (struct mon_ctx *c);
void mon_runtime_kill (struct mon_ctx *c, int sig);
void mon_runtime_delete (struct mon_ctx *c);
void mon_oom_watch (struct mon_ctx *c);
bool mon_oom_killed (struct mon_ctx *c);

/* io.c */
int mon_io_setup (struct mon_ctx *c, husk_error_t *err);
void mon_io_teardown (struct mon_ctx *c);
void mon_log_open (struct mon_ctx *c);
void mon_output_ready (struct mon_ctx *c, struct mon_watch *w);
void mon_output_drain_to_log (struct mon_ctx *c);
void mon_stdin_ready (struct mon_ctx *c);
void mon_stdin_close (struct mon_ctx *c);
void mon_accept (struct mon_ctx *c, struct mon_watch *w);
void mon_client_adopt (struct mon_ctx *c, int fd);
void mon_client_ready (struct mon_ctx *c, struct mon_client *cl,
                       uint32_t events);
void mon_broadcast (struct mon_ctx *c, int stream, const char *data,
                    size_t len);
void mon_clients_finish (struct mon_ctx *c, int exit_code);
bool mon_has_cleaner (struct mon_ctx *c);
bool mon_handoff_cleanup (struct mon_ctx *c, int exit_code);

/* exec.c: `husk-monitor --exec`, the monitor of one exec session */
int mon_exec_main (int argc, char **argv);

/* health.c */
void mon_health_begin (struct mon_ctx *c);
void mon_health_end (struct mon_ctx *c);
void mon_health_timer (struct mon_ctx *c);
void mon_health_output (struct mon_ctx *c);
void mon_health_exited (struct mon_ctx *c, int status);

#endif
