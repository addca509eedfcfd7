/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What exec.c and exec-tty.c share: one exec session and its monitor.  */
#ifndef HUSK_CONTAINER_EXEC_PRIVATE_H
#define HUSK_CONTAINER_EXEC_PRIVATE_H

#include "container/lifecycle.h"

#include <stdbool.h>
#include <sys/ioctl.h>

#define DEFAULT_DETACH_KEYS "ctrl-p,ctrl-q"

struct husk_exec_session
{
  struct husk_engine *e;
  struct husk_container_rec *r;
  struct husk_runtime *rt;
  const struct husk_exec_opts *o;
  char *id;    /* exec ID */
  char *dir;   /* <rundir>/exec/<id> */
  char *log;   /* the runtime's log, or NULL when it cannot write one */
  int *exit_code;
  int sock;    /* the session's monitor (husk-monitor --exec), or -1 */
  pid_t spawned; /* the monitor: our only child, reaped by its pid once it
                    has sent EXIT (with -d its first process, which leaves
                    at once) */
  bool detached; /* the user typed the detach keys: the process runs on */
  bool started;  /* the monitor has the GO frame */
  bool ended;    /* the monitor sent EXIT, and leaves */
};

/* The terminal size of whichever of the fds is a terminal.  */
bool husk_exec_term_size (int in_fd, int out_fd, struct winsize *ws);

/**
 * husk_exec_relay() - Talk to the session's monitor until the process ends
 * (exec-tty.c)
 *
 * Copies the caller's stdin to the monitor and the process's output to the
 * caller's fds, matches the detach keys and keeps the caller's terminal raw
 * with -t, and passes the signals read from o->signal_fd on (SIGWINCH as
 * the terminal size).  With -d it only waits for the process to start.
 *
 * Return: 0 with *s->exit_code set (0 when detached, s->detached then
 * true), or -1 (the runtime's message, with 125, 126 or 127).
 */
int husk_exec_relay (struct husk_exec_session *s, husk_error_t *err);

/* With -t: are the detach keys valid?  Return: 0, or -1.  */
int husk_exec_check_keys (const struct husk_exec_opts *o, husk_error_t *err);

#endif
