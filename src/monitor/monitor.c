/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * husk-monitor: one per container, our equivalent of conmon.
 *
 *   husk-monitor --config <userdata>/monitor.json [--sync-fd N]
 *
 * Theory of operation
 *
 * husk_monitor_spawn (container/monitor.c) writes monitor.json and spawns
 * us in a new session, with stdio on /dev/null, the sync pipe on fd 3, for
 * the passthrough log driver the caller's stdio on fds 4-6, the go socket
 * on fd 8, where one byte comes once the bundle is ready (EOF instead: the
 * caller gave up, and so do we), and with --preserve-fds N (preserve_fds
 * in the config) the caller's fds for the container on 9 .. 9+N-1.  Those
 * serve the first create only, as the passthrough stdio do: the runtime
 * gets them as 3 .. 3+N-1 with --preserve-fds N, and we close them once it
 * has run (a restart has none).  We never need the process
 * that started us again: SIGHUP and SIGPIPE are ignored and a closed sync
 * pipe only means nobody waits for the report.
 *
 * 0. Ahead of the go.  As soon as the config is read, the first create's
 *    runtime process is forked (runtime.c): it makes the runtime's sealed
 *    copy, puts the container's stdio in place and waits for the go
 *    itself, peeking so that the byte stays for us; on go it only has to
 *    exec.  Until then it dies with us (PR_SET_PDEATHSIG), so no container
 *    starts without a monitor.  Meanwhile we finish our setup, then wait
 *    for that process and read the go ourselves.  SIGCHLD is blocked
 *    before the fork, so that an exit before our signalfd exists is kept.
 *
 * 1. Setup.  stderr goes to <userdata>/monitor.log.  We become a child
 *    subreaper (the container's init is the runtime's child, so it is
 *    reparented to us when the runtime exits, and we can wait for it).
 *    SIGCHLD, SIGTERM and SIGINT are blocked and read from a signalfd.  The
 *    attach and control sockets are bound before the container exists; with
 *    --attach-fd the caller's end of a socket pair becomes the first attach
 *    client, so a foreground run loses no output.
 * 2. Create.  `runtime create --bundle B --pid-file <userdata>/pidfile
 *    [--console-socket S] ID` (crun and runc: `run --detach`, which also
 *    starts) with the container's stdio: pipes (stdin only with -i), the
 *    caller's fds (passthrough), or with a terminal /dev/null and a console
 *    socket on which the runtime sends the pty master (SCM_RIGHTS).  The
 *    pid comes from the pidfile.
 * 3. Start.  `runtime start ID` unless create started it, then the JSON
 *    report on the sync pipe: {"pid": N, "monitor_pid": M, "pid_start": S,
 *    "monitor_start": T}, or {"error": MSG, "exit_code_hint": H}.  The
 *    start times (field 22 of /proc/PID/stat) let husk tell these
 *    processes from later ones that get the same pids (util/proc.h); we
 *    read the container's while it is still our unreaped child, so it is
 *    its own.
 * 4. Run.  One epoll loop: the signalfd, the output pipes or pty master,
 *    the stdin pipe while data waits for it, the listening sockets and their
 *    clients, a phase timer (attach timeout, stop escalation, output drain,
 *    restart back-off) and the healthcheck timer with the check's output.
 * 5. Exit.  When waitpid() returns the container's pid (status, or 128 +
 *    signal), we read the output left in the pipes until EOF (at most
 *    DRAIN_NS, since processes outside a pid namespace may hold them), then
 *    decide on a restart, write <userdata>/exit atomically, run the exit
 *    command (with --restarting when we will restart, so it must keep the
 *    mounts) and wait for it; only then do
 *    attach clients get the exit frame, so a foreground `run --rm` returns
 *    after the cleanup.
 * 6. Restart.  Unless the user stopped the container (<userdata>/stopping,
 *    written by stop before it kills, or SIGTERM to us) the policy decides;
 *    after a back-off of 100 ms doubling to 10 s (reset when a run lasted
 *    10 s) we `runtime delete --force`, count the restart in
 *    <userdata>/restarts, remove the exit file and go back to 2.
 *    Otherwise we remove our sockets and exit.
 *
 * Memory: no static buffers; one frame (8 KiB) on the stack while copying,
 * at most one pending frame per blocked client, and the config kept as
 * parsed JSON.  Only util/, jansson and the shared container/monitor-*.c
 * are linked in.
 */
#include "monitor/monitor.h"
#include "util/cleanup.h"
#include "util/exec.h"
#include "util/fileutil.h"
#include "util/log.h"
#include "util/proc.h"
#include "util/strutil.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <sys/wait.h>
#include <unistd.h>

#define DRAIN_NS 2000000000LL
#define BACKOFF_MIN_MS 100
#define BACKOFF_MAX_MS 10000
#define BACKOFF_RESET_NS 10000000000LL

extern char **environ;

/* --- Small helpers -------------------------------------------------------- */

void
mon_watch_add (struct mon_ctx *c, struct mon_watch *w, int fd,
               enum mon_kind kind, uint32_t events)
{
  struct epoll_event ev = { .events = events, .data.ptr = w };

  w->fd = fd;
  w->kind = kind;
  if (epoll_ctl (c->epfd, EPOLL_CTL_ADD, fd, &ev) < 0)
    husk_log_error ("epoll add: %s", strerror (errno));
  else
    w->on = true;
}

void
mon_watch_mod (struct mon_ctx *c, struct mon_watch *w, uint32_t events)
{
  struct epoll_event ev = { .events = events, .data.ptr = w };

  if (w->on && epoll_ctl (c->epfd, EPOLL_CTL_MOD, w->fd, &ev) < 0)
    husk_log_error ("epoll mod: %s", strerror (errno));
}

void
mon_watch_del (struct mon_ctx *c, struct mon_watch *w)
{
  if (w->on)
    epoll_ctl (c->epfd, EPOLL_CTL_DEL, w->fd, NULL);
  w->on = false;
}

/* Arm a one-shot timer ns from now; 0 disarms.  */
void
mon_timer_arm (struct mon_watch *t, int64_t ns)
{
  struct itimerspec its = { { 0, 0 }, { ns / 1000000000, ns % 1000000000 } };

  timerfd_settime (t->fd, 0, &its, NULL);
}

static void
write_text (struct mon_ctx *c, const char *name, const char *text)
{
  cleanup_free char *path = husk_asprintf ("%s/%s", c->o->userdata, name);
  husk_error_t err = NULL;

  if (husk_monitor_write_file (path, text, strlen (text), 0644, &err) < 0)
    {
      husk_log_warn ("%s", err->msg);
      husk_error_release (&err);
    }
}

static void
remove_file (struct mon_ctx *c, const char *name)
{
  cleanup_free char *path = husk_asprintf ("%s/%s", c->o->userdata, name);

  unlink (path);
}

static bool
file_exists (struct mon_ctx *c, const char *name)
{
  cleanup_free char *path = husk_asprintf ("%s/%s", c->o->userdata, name);

  return husk_path_exists (path);
}

/* The one report husk_monitor_start waits for.  Return: false when nobody
   is there to read it any more.  */
static bool
report (struct mon_ctx *c, json_t *j)
{
  cleanup_free char *text = json_dumps (j, JSON_COMPACT);
  bool ok;

  json_decref (j);
  if (c->sync_fd < 0)
    return false;
  ok = text && husk_write_all (c->sync_fd, text, strlen (text)) == 0
       && husk_write_all (c->sync_fd, "\n", 1) == 0;
  close (c->sync_fd);
  c->sync_fd = -1;
  return ok;
}

static bool
report_error (struct mon_ctx *c)
{
  return report (c, json_pack ("{s:s, s:i}", "error",
                               c->error ? c->error : "unknown error",
                               "exit_code_hint",
                               husk_runtime_exit_code (c->error, NULL)));
}

static void
close_watch (struct mon_ctx *c, struct mon_watch *w)
{
  if (w->fd < 0)
    return;
  mon_watch_del (c, w);
  close (w->fd);
  w->fd = -1;
}

/* --- Life cycle ----------------------------------------------------------- */

static void finish (struct mon_ctx *c);

/* The start time of a process (field 22 of /proc/PID/stat), 0 if unknown. */
static uint64_t
start_time (pid_t pid)
{
  cleanup_free char *path = husk_asprintf ("/proc/%d/stat", (int) pid);
  cleanup_free char *text = pid > 0 ? husk_read_file (path, NULL, NULL) : NULL;
  uint64_t start = 0;
  char state;

  if (text == NULL || husk_proc_stat_parse (text, &state, &start) < 0)
    return 0;
  return start;
}

/* Who the container's process and we are: the report, and `started`.  */
static json_t *
identity (struct mon_ctx *c)
{
  return json_pack ("{s:i, s:i, s:I, s:I}", "pid", (int) c->ctr_pid, "monitor_pid",
                    (int) getpid (), "pid_start", (json_int_t) start_time (c->ctr_pid),
                    "monitor_start", (json_int_t) start_time (getpid ()));
}

static void
record_started (struct mon_ctx *c)
{
  cleanup_json json_t *j = identity (c);
  cleanup_free char *text = NULL;

  json_object_set_new (j, "started_at_ns", json_integer ((json_int_t) c->started_ns));
  text = json_dumps (j, JSON_COMPACT);
  write_text (c, HUSK_MONITOR_STARTED, text);
}

/* The container could not be created or started: it exits with the code
   the runtime's message stands for.  */
static void
failed (struct mon_ctx *c)
{
  c->exit_code = husk_runtime_exit_code (c->error, NULL);
  c->finished_ns = husk_now_ns ();
  c->ctr_pid = 0; /* delete kills it; its exit is not the one to record */
  if (c->clients && c->error)
    {
      cleanup_free char *line = husk_asprintf ("Error: %s\n", c->error);
      mon_broadcast (c, HUSK_ATTACH_STDERR, line, strlen (line));
    }
  mon_runtime_delete (c);
  c->phase = PH_DRAINING;
  c->sig_stop = true; /* a program that cannot start is not restarted */
  finish (c);
}

static void
start_container (struct mon_ctx *c)
{
  if (!c->started && mon_runtime_start (c) < 0)
    {
      if (c->sync_fd >= 0)
        {
          /* The caller is told; it cleans up after a failed start.  */
          bool told = report_error (c);
          mon_runtime_delete (c);
          if (told)
            {
              c->exit_code = husk_runtime_exit_code (c->error, NULL);
              c->finished_ns = husk_now_ns ();
              c->phase = PH_DONE;
              return;
            }
        }
      failed (c);
      return;
    }
  c->started_ns = husk_now_ns ();
  c->phase = PH_RUNNING;
  record_started (c);
  mon_oom_watch (c);
  mon_health_begin (c);
  if (c->o->timeout_ns > 0)
    mon_timer_arm (&c->timeout_timer, c->o->timeout_ns);
  if (c->sync_fd >= 0)
    report (c, identity (c));
}

static void
launch (struct mon_ctx *c, bool first)
{
  bool init = first && c->o->create_only;
  int rc = mon_runtime_create (c, !init);

  if (rc == MON_NO_GO)
    {
      c->phase = PH_DONE;
      return;
    }
  if (rc < 0)
    {
      if (first && c->sync_fd >= 0 && report_error (c))
        {
          mon_runtime_delete (c);
          c->phase = PH_DONE;
          return;
        }
      failed (c);
      return;
    }
  if (init)
    {
      /* `husk init`: the process waits in the runtime for `start`.  */
      c->phase = PH_CREATED;
      if (c->sync_fd >= 0)
        report (c, identity (c));
      return;
    }
  start_container (c);
}

/* The control message "start" of an initialized container.  Return: NULL,
   or why it did not start.  */
const char *
mon_start_created (struct mon_ctx *c)
{
  if (c->phase != PH_CREATED)
    return c->phase == PH_RUNNING ? NULL : "the container is not waiting to start";
  start_container (c);
  return c->phase == PH_RUNNING ? NULL : c->error ? c->error : "start failed";
}

static bool
should_restart (struct mon_ctx *c)
{
  if (c->sig_stop || file_exists (c, HUSK_MONITOR_STOPPING))
    return false;
  if (c->health_restart)
    return true;
  switch (c->policy)
    {
    case HUSK_RESTART_ON_FAILURE:
      return c->exit_code != 0
             && (c->o->max_retries <= 0 || c->restarts < c->o->max_retries);
    case HUSK_RESTART_ALWAYS:
    case HUSK_RESTART_UNLESS_STOPPED:
      return true;
    default:
      return false;
    }
}

static void
run_exit_command (struct mon_ctx *c, bool restarting)
{
  cleanup_strv char **argv = husk_strv_dup ((char *const *) c->o->exit_command);
  int rc;

  if (argv == NULL || argv[0] == NULL)
    return;
  /* husk's cleanup takes its flags interspersed: a restart by policy
     keeps the container's layer and volumes.  */
  if (restarting)
    husk_strv_append (&argv, "--restarting");
  rc = mon_run (c, argv, c->null_fd, c->null_fd, 2, environ);
  if (rc != 0)
    husk_log_warn ("exit command '%s' failed with status %d", argv[0], rc);
}

/* Everything after the container's exit and its last output.  */
static void
finish (struct mon_ctx *c)
{
  struct husk_monitor_exit ex = { .exit_code = c->exit_code,
                                  .finished_at_ns = c->finished_ns,
                                  .error = c->error };
  husk_error_t err = NULL;

  if (c->phase != PH_DRAINING)
    return;
  mon_timer_arm (&c->phase_timer, 0);
  mon_stdin_close (c);
  mon_output_drain_to_log (c);
  close_watch (c, &c->out);
  close_watch (c, &c->err);
  ex.oom_killed = c->exit_code == 128 + SIGKILL && mon_oom_killed (c);
  ex.restarting = should_restart (c);
  ex.restart_count = c->restarts;
  ex.handed_over = !ex.restarting && mon_has_cleaner (c);
  if (husk_monitor_write_exit (c->o->userdata, &ex, &err) < 0)
    {
      husk_log_error ("%s", err->msg);
      husk_error_release (&err);
    }
  if (!ex.restarting && mon_handoff_cleanup (c, c->exit_code))
    husk_log_debug ("the attached caller cleaned up");
  else
    {
      husk_log_debug ("running the exit command");
      run_exit_command (c, ex.restarting);
    }
  mon_clients_finish (c, c->exit_code);
  if (!ex.restarting)
    {
      c->phase = PH_DONE;
      return;
    }
  if (c->started_ns > 0 && c->finished_ns - c->started_ns >= BACKOFF_RESET_NS)
    c->backoff_ms = BACKOFF_MIN_MS;
  c->phase = PH_BACKOFF;
  mon_timer_arm (&c->phase_timer, c->backoff_ms * 1000000);
  c->backoff_ms = c->backoff_ms * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS
                                                     : c->backoff_ms * 2;
}

/* A stop or kill came while we waited to restart: the exit recorded as
   "restarting" becomes final, so that husk folds it (wait returns) and
   the cleanup releases what the container held.  */
static void
abandon_restart (struct mon_ctx *c)
{
  struct husk_monitor_exit ex = { .exit_code = c->exit_code,
                                  .finished_at_ns = c->finished_ns,
                                  .restart_count = c->restarts, .error = c->error };
  husk_error_t err = NULL;

  mon_timer_arm (&c->phase_timer, 0);
  c->phase = PH_DONE;
  if (husk_monitor_write_exit (c->o->userdata, &ex, &err) < 0)
    {
      husk_log_error ("%s", err->msg);
      husk_error_release (&err);
    }
  run_exit_command (c, false);
}

static void
restart (struct mon_ctx *c)
{
  char count[16];

  if (c->sig_stop || file_exists (c, HUSK_MONITOR_STOPPING))
    {
      abandon_restart (c);
      return;
    }
  mon_runtime_delete (c);
  c->restarts++;
  snprintf (count, sizeof count, "%d\n", c->restarts);
  write_text (c, HUSK_MONITOR_RESTARTS, count);
  remove_file (c, HUSK_MONITOR_EXIT);
  free (c->error);
  c->error = NULL;
  c->health_restart = false;
  c->started_ns = 0;
  launch (c, false);
}

void
mon_output_closed (struct mon_ctx *c)
{
  if (c->phase == PH_DRAINING && c->out.fd < 0 && c->err.fd < 0)
    finish (c);
}

void
mon_container_exited (struct mon_ctx *c, int status)
{
  c->exit_code = WIFEXITED (status) ? WEXITSTATUS (status) : 128 + WTERMSIG (status);
  c->finished_ns = husk_now_ns ();
  c->ctr_pid = 0;
  mon_health_end (c);
  mon_timer_arm (&c->timeout_timer, 0);
  c->phase = PH_DRAINING;
  c->flushed_mark = c->flushed;
  mon_timer_arm (&c->phase_timer, DRAIN_NS);
  mon_output_closed (c);
}

/* --- Events --------------------------------------------------------------- */

static void
on_signal (struct mon_ctx *c)
{
  struct signalfd_siginfo si;
  int status;
  pid_t pid;

  while (read (c->sig.fd, &si, sizeof si) == sizeof si)
    if (si.ssi_signo == SIGTERM || si.ssi_signo == SIGINT)
      {
        /* Stop means no restart; the container itself is left to stop.  */
        c->sig_stop = true;
        if (c->phase == PH_BACKOFF)
          abandon_restart (c);
      }
  while ((pid = waitpid (-1, &status, WNOHANG)) > 0)
    {
      if (pid == c->ctr_pid)
        mon_container_exited (c, status);
      else if (pid == c->health_pid)
        mon_health_exited (c, status);
    }
}

static void
on_phase_timer (struct mon_ctx *c)
{
  uint64_t ticks;

  if (read (c->phase_timer.fd, &ticks, sizeof ticks) < 0)
    return;
  switch (c->phase)
    {
    case PH_RUNNING:
      /* A health "stop" whose signal was not enough.  */
      mon_runtime_kill (c, SIGKILL);
      break;
    case PH_DRAINING:
      /* Attach clients still taking output get more time; a stuck one
         does not hold up the exit.  */
      if (c->blocked > 0 && c->flushed != c->flushed_mark)
        {
          c->flushed_mark = c->flushed;
          mon_timer_arm (&c->phase_timer, DRAIN_NS);
        }
      else
        finish (c);
      break;
    case PH_BACKOFF:
      restart (c);
      break;
    default:
      break;
    }
}

static void
dispatch (struct mon_ctx *c, struct mon_watch *w, uint32_t events)
{
  uint64_t ticks;

  switch (w->kind)
    {
    case W_SIGNAL:
      on_signal (c);
      break;
    case W_OUT:
    case W_ERR:
      mon_output_ready (c, w);
      break;
    case W_IN:
      mon_stdin_ready (c);
      break;
    case W_ATTACH:
    case W_CTL:
      mon_accept (c, w);
      break;
    case W_CLIENT:
      mon_client_ready (c, (struct mon_client *) w, events);
      break;
    case W_PHASE:
      on_phase_timer (c);
      break;
    case W_HEALTH:
      if (read (w->fd, &ticks, sizeof ticks) == sizeof ticks)
        mon_health_timer (c);
      break;
    case W_HEALTH_OUT:
      mon_health_output (c);
      break;
    case W_TIMEOUT:
      if (read (w->fd, &ticks, sizeof ticks) == sizeof ticks && c->ctr_pid > 0)
        mon_runtime_kill (c, SIGKILL);
      break;
    }
}

static void
loop (struct mon_ctx *c)
{
  struct epoll_event ev[16];

  while (c->phase != PH_DONE)
    {
      int n = epoll_wait (c->epfd, ev, 16, -1);

      if (n < 0 && errno != EINTR)
        {
          husk_log_error ("epoll_wait: %s", strerror (errno));
          return;
        }
      for (int i = 0; i < n && c->phase != PH_DONE; i++)
        {
          struct mon_watch *w = ev[i].data.ptr;
          /* A watch closed by an earlier event of this batch.  */
          if (w->fd < 0 || !w->on)
            continue;
          dispatch (c, w, ev[i].events);
        }
    }
}

/* --- Setup ---------------------------------------------------------------- */

static void
signal_set (sigset_t *set)
{
  sigemptyset (set);
  sigaddset (set, SIGCHLD);
  sigaddset (set, SIGTERM);
  sigaddset (set, SIGINT);
}

/* Blocked before the first runtime process is forked: a SIGCHLD that came
   before the signalfd is made must wait for it, not be discarded.  */
static void
block_signals (void)
{
  sigset_t set;

  signal (SIGHUP, SIG_IGN);
  signal (SIGPIPE, SIG_IGN);
  signal_set (&set);
  sigprocmask (SIG_BLOCK, &set, NULL);
}

static int
setup_signals (struct mon_ctx *c)
{
  sigset_t set;
  int fd;

  signal_set (&set);
  fd = signalfd (-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
  if (fd < 0)
    return -1;
  mon_watch_add (c, &c->sig, fd, W_SIGNAL, EPOLLIN);
  return 0;
}

static int
setup_timer (struct mon_ctx *c, struct mon_watch *w, enum mon_kind kind)
{
  int fd = timerfd_create (CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);

  if (fd < 0)
    return -1;
  mon_watch_add (c, w, fd, kind, EPOLLIN);
  return 0;
}

/* Messages go to <userdata>/monitor.log from now on.  */
static void
redirect_stderr (struct mon_ctx *c)
{
  cleanup_free char *path
      = husk_asprintf ("%s/%s", c->o->userdata, HUSK_MONITOR_LOG);
  int fd = open (path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);

  if (fd < 0)
    return;
  dup2 (fd, 2);
  close (fd);
}

/* What the first create needs: the config, the log, /dev/null, and being
   the subreaper of what the runtime leaves behind.  */
static int
setup_config (struct mon_ctx *c, const char *config, husk_error_t *err)
{
  const char *slash;

  if (husk_monitor_config_load (config, &c->cfg, err) < 0)
    return -1;
  c->o = &c->cfg.o;
  husk_log_set_level (c->cfg.log_level);
  redirect_stderr (c);
  c->driver = husk_log_driver_parse (c->o->log_driver);
  c->policy = husk_restart_policy_parse (c->o->restart_policy);
  c->action = husk_health_action_parse (c->o->health.on_failure);
  slash = strrchr (c->o->runtime, '/');
  c->runtime_name = slash ? slash + 1 : c->o->runtime;
  c->backoff_ms = BACKOFF_MIN_MS;
  c->restarts = 0;

  if (prctl (PR_SET_CHILD_SUBREAPER, 1) < 0)
    return husk_error_make (err, errno, "become a subreaper");
  block_signals ();
  c->null_fd = open ("/dev/null", O_RDWR | O_CLOEXEC);
  if (c->null_fd < 0)
    return husk_error_make (err, errno, "open '/dev/null'");
  return 0;
}

/* The rest: signals, timers, our files and sockets.  */
static int
setup_loop (struct mon_ctx *c, husk_error_t *err)
{
  char pid[16];

  c->epfd = epoll_create1 (EPOLL_CLOEXEC);
  if (c->epfd < 0)
    return husk_error_make (err, errno, "setup");
  if (setup_signals (c) < 0 || setup_timer (c, &c->phase_timer, W_PHASE) < 0
      || setup_timer (c, &c->health_timer, W_HEALTH) < 0
      || setup_timer (c, &c->timeout_timer, W_TIMEOUT) < 0)
    return husk_error_make (err, errno, "signals and timers");

  snprintf (pid, sizeof pid, "%d\n", (int) getpid ());
  write_text (c, HUSK_MONITOR_PID, pid);
  remove_file (c, HUSK_MONITOR_EXIT);
  remove_file (c, HUSK_MONITOR_STOPPING);
  remove_file (c, HUSK_MONITOR_RESTARTS);
  c->health_argv = husk_health_argv (c->o);
  return mon_io_setup (c, err);
}

static void
release (struct mon_ctx *c)
{
  mon_io_teardown (c);
  remove_file (c, HUSK_MONITOR_PID);
  husk_strv_free (c->health_argv);
  husk_buf_release (&c->in_pending);
  husk_buf_release (&c->log_buf);
  husk_buf_release (&c->health_buf);
  free (c->error);
  husk_monitor_config_release (&c->cfg);
}

/* The caller's fds for the container (--preserve-fds): close-on-exec from
   now on, so that only the create's runtime process gets them (runtime.c
   moves them into place).  Return: 0, or -1 when one is not open.  */
static int
take_preserved (struct mon_ctx *c, husk_error_t *err)
{
  for (int i = 0; i < c->o->preserve_fds; i++)
    if (fcntl (HUSK_MONITOR_PRESERVED_FD + i, F_SETFD, FD_CLOEXEC) < 0)
      return husk_error_make (err, errno, "--preserve-fds: fd %d", HUSK_MONITOR_PRESERVED_FD + i);
  c->preserved = c->o->preserve_fds;
  return 0;
}

/* Whether the caller said go on its socket (read once; true without one).  */
bool
mon_go_given (struct mon_ctx *c)
{
  char b = 0;
  ssize_t n;

  if (c->go_fd < 0)
    return true;
  do
    n = read (c->go_fd, &b, 1);
  while (n < 0 && errno == EINTR);
  close (c->go_fd);
  c->go_fd = -1;
  return n == 1 && b == '1';
}

static int
setup_failed (struct mon_ctx *c, husk_error_t *err)
{
  husk_log_error ("%s", (*err)->msg);
  c->error = husk_xstrdup ((*err)->msg);
  husk_error_release (err);
  report_error (c);
  return 1;
}

static void
usage (void)
{
  fprintf (stderr, "usage: husk-monitor --config FILE [--sync-fd N] [--attach-fd N] "
                   "[--go-fd N]\n");
  exit (2);
}

int
main (int argc, char **argv)
{
  struct mon_ctx ctx = { .sync_fd = -1, .attach_fd = -1, .log_fd = -1, .null_fd = -1,
                         .go_fd = -1, .epfd = -1 };
  struct mon_ctx *c = &ctx;
  struct mon_watch *watches[] = { &c->sig, &c->out, &c->err, &c->in,
                                  &c->attach, &c->ctl, &c->phase_timer,
                                  &c->health_timer, &c->health_out, &c->timeout_timer };
  const char *config = NULL;
  husk_error_t err = NULL;
  int go_fd = -1;

  if (argc > 1 && strcmp (argv[1], "--exec") == 0)
    return mon_exec_main (argc, argv);
  for (int i = 1; i < argc; i++)
    {
      if (strcmp (argv[i], "--config") == 0 && i + 1 < argc)
        config = argv[++i];
      else if (strcmp (argv[i], "--sync-fd") == 0 && i + 1 < argc)
        c->sync_fd = atoi (argv[++i]);
      else if (strcmp (argv[i], "--attach-fd") == 0 && i + 1 < argc)
        c->attach_fd = atoi (argv[++i]);
      else if (strcmp (argv[i], "--go-fd") == 0 && i + 1 < argc)
        go_fd = atoi (argv[++i]);
      else
        usage ();
    }
  if (config == NULL)
    usage ();
  for (size_t i = 0; i < sizeof watches / sizeof watches[0]; i++)
    watches[i]->fd = -1;
  if (c->sync_fd >= 0)
    fcntl (c->sync_fd, F_SETFD, FD_CLOEXEC);
  if (c->attach_fd >= 0)
    fcntl (c->attach_fd, F_SETFD, FD_CLOEXEC);
  if (go_fd >= 0)
    fcntl (go_fd, F_SETFD, FD_CLOEXEC);
  /* The caller's stdio for the passthrough driver, on fds 4-6; before we
     open anything ourselves, as those numbers would be ours then.  */
  for (int i = 0; i < 3; i++)
    {
      c->passthrough[i] = fcntl (4 + i, F_GETFD) >= 0 ? 4 + i : -1;
      if (c->passthrough[i] >= 0)
        fcntl (c->passthrough[i], F_SETFD, FD_CLOEXEC);
    }

  if (setup_config (c, config, &err) < 0 || take_preserved (c, &err) < 0)
    return setup_failed (c, &err);
  if (c->driver != HUSK_LOG_DRIVER_PASSTHROUGH)
    for (int i = 0; i < 3; i++)
      if (c->passthrough[i] >= 0)
        {
          close (c->passthrough[i]);
          c->passthrough[i] = -1;
        }
  /* Started ahead of the container: the caller says go once the spec is
     written, or closes the socket when it gives up.  The first create's
     runtime process is forked now and waits for the go itself, so that
     only its exec is left for then; the rest of our setup runs meanwhile.  */
  c->go_fd = go_fd;
  if (c->go_fd >= 0)
    mon_runtime_prepare (c, !c->o->create_only);
  if (setup_loop (c, &err) < 0)
    {
      mon_runtime_abandon (c);
      return setup_failed (c, &err);
    }
  if (c->attach_fd >= 0)
    mon_client_adopt (c, c->attach_fd);
  c->attach_fd = -1;
  launch (c, true);
  loop (c);
  release (c);
  return 0;
}
