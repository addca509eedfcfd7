/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * husk-pause: the process of a pod's infra container (docs/design/pods.md).
 * It holds the namespaces the pod's containers join, so it does nothing
 * but wait: SIGTERM or SIGINT end it with status 0, and as PID 1 of a
 * pod that shares its PID namespace it reaps the orphans that the
 * members leave to it.  Linked static: the infra image holds this one
 * file and nothing else.
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile sig_atomic_t stop_requested;

static void
on_stop (int sig)
{
  (void) sig;
  stop_requested = 1;
}

/* Wake sigsuspend for SIGCHLD; the reaping happens in the loop.  */
static void
on_child (int sig)
{
  (void) sig;
}

static void
reap (void)
{
  while (waitpid (-1, NULL, WNOHANG) > 0)
    ;
}

int
main (void)
{
  struct sigaction stop = { .sa_handler = on_stop }, child = { .sa_handler = on_child };
  sigset_t blocked, waiting;

  sigemptyset (&stop.sa_mask);
  sigemptyset (&child.sa_mask);
  sigaction (SIGTERM, &stop, NULL);
  sigaction (SIGINT, &stop, NULL);
  sigaction (SIGCHLD, &child, NULL);
  /* Blocked except inside sigsuspend: a signal that comes between the
     check and the wait is not lost.  */
  sigemptyset (&blocked);
  sigaddset (&blocked, SIGTERM);
  sigaddset (&blocked, SIGINT);
  sigaddset (&blocked, SIGCHLD);
  sigprocmask (SIG_BLOCK, &blocked, &waiting);
  sigdelset (&waiting, SIGTERM);
  sigdelset (&waiting, SIGINT);
  sigdelset (&waiting, SIGCHLD);
  while (!stop_requested)
    {
      reap ();
      if (stop_requested)
        break;
      sigsuspend (&waiting);
    }
  reap ();
  return 0;
}
