/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What exec.c and exec-tty.c share: one exec session and its runtime.  */
#ifndef HUSK_CONTAINER_EXEC_PRIVATE_H
#define HUSK_CONTAINER_EXEC_PRIVATE_H

#include "container/lifecycle.h"

#include <stdbool.h>
#include <sys/ioctl.h>
#include <sys/wait.h>

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
};

/* The runtime's `exec` of the session; console: its --console-socket.  */
char **husk_exec_argv (struct husk_exec_session *s, const char *console, bool detach);
/* Did the runtime fail to run the process (its log says so)?  Return: -1
   with the error made and the exit code set, else 0.  */
int husk_exec_check_runtime (struct husk_exec_session *s, int code, husk_error_t *err);
/* Reap children that ended, looking again rounds times 10 ms apart.  */
void husk_exec_reap_orphans (int rounds);
/* The terminal size of whichever of the fds is a terminal.  */
bool husk_exec_term_size (int in_fd, int out_fd, struct winsize *ws);
/* Run the session on a terminal (exec-tty.c).  */
int husk_exec_run_tty (struct husk_exec_session *s, husk_error_t *err);

static inline int
husk_exec_status_code (int st)
{
  return WIFEXITED (st) ? WEXITSTATUS (st) : 128 + WTERMSIG (st);
}

#endif
