/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * husk-monitor: healthchecks on a timer.  One timerfd serves both waits:
 * between checks it fires after the interval; while a check runs it fires
 * at the check's timeout, and the check (`runtime exec`) is killed.  The
 * check's output is read from the event loop (at most
 * HUSK_HEALTH_OUTPUT_MAX bytes kept); its exit, reaped with the other
 * children, is recorded in health.json by the code `husk healthcheck run`
 * shares (monproto/health.c).  When a result turns the container
 * unhealthy, on_failure applies: kill (SIGKILL; the restart policy then
 * decides), restart (SIGKILL, then restart whatever the policy), stop (the
 * stop signal, SIGKILL after stop_timeout, no restart).
 */
#include "monitor/monitor.h"
#include "util/log.h"
#include "util/strutil.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/wait.h>
#include <unistd.h>

static int64_t
timeout_ns (struct mon_ctx *c)
{
  return c->o->health.timeout_ns > 0 ? c->o->health.timeout_ns : 30000000000LL;
}

/* A container (re)started: status "starting", first check after the
   interval.  */
void
mon_health_begin (struct mon_ctx *c)
{
  husk_error_t err = NULL;

  if (c->health_argv == NULL)
    return;
  if (husk_health_reset (c->o->userdata, &err) < 0)
    {
      husk_log_warn ("%s", err->msg);
      husk_error_release (&err);
    }
  if (c->o->health.interval_ns > 0)
    mon_timer_arm (&c->health_timer, c->o->health.interval_ns);
}

static void
close_output (struct mon_ctx *c)
{
  if (c->health_out.fd < 0)
    return;
  mon_watch_del (c, &c->health_out);
  close (c->health_out.fd);
  c->health_out.fd = -1;
}

/* The container is gone: no more checks; a running one is killed.  */
void
mon_health_end (struct mon_ctx *c)
{
  mon_timer_arm (&c->health_timer, 0);
  if (c->health_pid > 0)
    kill (c->health_pid, SIGKILL);
  c->health_pid = 0;
  close_output (c);
  husk_buf_release (&c->health_buf);
}

void
mon_health_timer (struct mon_ctx *c)
{
  husk_error_t err = NULL;
  int fd;

  if (c->health_pid > 0)
    {
      /* The check ran out of time.  Its exit is recorded when reaped.  */
      kill (c->health_pid, SIGKILL);
      c->health_timed_out = true;
      return;
    }
  if (c->phase != PH_RUNNING || c->health_argv == NULL)
    return;
  c->health_start_ns = husk_now_ns ();
  c->health_timed_out = false;
  c->health_buf.len = 0;
  c->health_pid = husk_health_spawn (c->health_argv, &fd, &err);
  if (c->health_pid < 0)
    {
      husk_log_warn ("healthcheck: %s", err->msg);
      husk_error_release (&err);
      c->health_pid = 0;
      mon_timer_arm (&c->health_timer, c->o->health.interval_ns);
      return;
    }
  mon_watch_add (c, &c->health_out, fd, W_HEALTH_OUT, EPOLLIN);
  mon_timer_arm (&c->health_timer, timeout_ns (c));
}

void
mon_health_output (struct mon_ctx *c)
{
  char buf[1024];

  for (;;)
    {
      ssize_t n = read (c->health_out.fd, buf, sizeof buf);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0 && errno == EAGAIN)
        return;
      if (n <= 0)
        {
          close_output (c);
          return;
        }
      if (c->health_buf.len < HUSK_HEALTH_OUTPUT_MAX)
        husk_buf_append (&c->health_buf, buf,
                         (size_t) n < HUSK_HEALTH_OUTPUT_MAX - c->health_buf.len
                             ? (size_t) n
                             : HUSK_HEALTH_OUTPUT_MAX - c->health_buf.len);
    }
}

static void
apply_action (struct mon_ctx *c)
{
  switch (c->action)
    {
    case HUSK_HEALTH_ACTION_KILL:
      mon_runtime_kill (c, SIGKILL);
      break;
    case HUSK_HEALTH_ACTION_RESTART:
      c->health_restart = true;
      mon_runtime_kill (c, SIGKILL);
      break;
    case HUSK_HEALTH_ACTION_STOP:
      c->sig_stop = true;
      mon_runtime_kill (c, c->o->stop_signal > 0 ? c->o->stop_signal : SIGTERM);
      mon_timer_arm (&c->phase_timer,
                     (int64_t) (c->o->stop_timeout > 0 ? c->o->stop_timeout : 10)
                         * 1000000000);
      break;
    default:
      break;
    }
}

void
mon_health_exited (struct mon_ctx *c, int status)
{
  struct husk_health_result r = { .start_ns = c->health_start_ns };
  bool became_unhealthy = false;
  husk_error_t err = NULL;

  c->health_pid = 0;
  if (c->health_out.fd >= 0)
    mon_health_output (c);
  close_output (c);
  r.end_ns = husk_now_ns ();
  r.exit_code = WIFEXITED (status) ? WEXITSTATUS (status) : 128 + WTERMSIG (status);
  if (c->health_timed_out)
    {
      c->health_buf.len = 0;
      husk_buf_printf (&c->health_buf,
                       "healthcheck command exceeded timeout of %llds",
                       (long long) (timeout_ns (c) / 1000000000));
      r.exit_code = -1;
    }
  r.output = c->health_buf.data ? c->health_buf.data : "";
  r.output_len = c->health_buf.len;
  if (husk_health_record (c->o->userdata, &r, c->o->health.retries,
                          r.start_ns < c->started_ns + c->o->health.start_period_ns,
                          &became_unhealthy, &err) < 0)
    {
      husk_log_warn ("healthcheck: %s", err->msg);
      husk_error_release (&err);
    }
  husk_buf_release (&c->health_buf);
  if (c->phase != PH_RUNNING)
    return;
  mon_timer_arm (&c->health_timer, c->o->health.interval_ns);
  if (became_unhealthy)
    apply_action (c);
}
