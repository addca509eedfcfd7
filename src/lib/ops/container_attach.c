/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Start a container with its output attached (`run` in the foreground,
 * `start -a`).  The attach socket is connected before the container's
 * process starts (husk_op_container_start gives it), so not a byte of its
 * output is missed.  When the exit code arrives on it the caller cleans up
 * as the monitor's exit command would (the monitor waits for that); on a
 * detach or a lost connection the monitor does.
 */
#include "ops/container_run.h"
#include "container/monitor.h"
#include "ops/container.h"
#include "state/containers.h"
#include "util/cleanup.h"

#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#define DEFAULT_KEYS "ctrl-p,ctrl-q"

/* The container's record after start: whether it has a terminal (ours goes
   raw then), and the caller's started() hook.  */
static bool
after_start (struct husk_engine *e, const char *id, const struct husk_start_attach_opts *o)
{
  cleanup_container_rec struct husk_container_rec r = { 0 };
  cleanup_json json_t *c = NULL;
  bool tty;

  /* The row as start left it, without the state sync of
     husk_op_container_load(): a container that has exited already (`run
     --rm IMAGE true`) would have its exit folded here, ahead of the
     handed-over cleanup, which then takes the slow way (about 12 ms).  */
  if (husk_state_container_get (e->state, id, &r, NULL) < 0)
    return false;
  c = json_loads (r.config, 0, NULL);
  tty = json_is_true (json_object_get (c, "tty"));
  if (o->started)
    o->started (o->data, &r);
  return tty;
}

/* The size of the caller's terminal (in_fd's, else out_fd's), for a
   container with one; zero when neither is a terminal.  */
static void
term_size (const struct husk_start_attach_opts *o, struct winsize *ws)
{
  if ((o->in_fd >= 0 && ioctl (o->in_fd, TIOCGWINSZ, ws) == 0 && ws->ws_row > 0)
      || (o->out_fd >= 0 && ioctl (o->out_fd, TIOCGWINSZ, ws) == 0 && ws->ws_row > 0))
    return;
  memset (ws, 0, sizeof *ws);
}

/* With the exit code, clean up and tell the monitor; else close the socket
   and leave it to the monitor.  */
static void
attach_end (struct husk_engine *e, const char *id, int afd, int code,
            const struct husk_start_attach_opts *o)
{
  husk_error_t lerr = NULL;

  if (afd < 0)
    return;
  if (code < 0)
    {
      close (afd);
      return;
    }
  if (husk_op_container_attached_exit (e, id, afd, &lerr) < 0)
    {
      if (o->cleanup_err)
        husk_error_move (o->cleanup_err, &lerr);
      husk_error_release (&lerr);
    }
}

int
husk_op_container_start_attached (struct husk_engine *e, const char *ref,
                                  const struct husk_start_attach_opts *o, int *exit_hint,
                                  husk_error_t *err)
{
  const char *keys = o->detach_keys ? o->detach_keys : DEFAULT_KEYS;
  cleanup_free char *id = NULL, *run = NULL;
  struct winsize ws;
  int afd = -1, code;
  bool tty;

  *exit_hint = 125;
  term_size (o, &ws);
  if (husk_op_container_resolve (e, ref, &id, err) < 0
      || husk_op_container_start_sized (e, id, &afd, ws.ws_row, ws.ws_col, o->preserve_fds,
                                        exit_hint, err) < 0)
    return -1;
  *exit_hint = 0; /* it runs: a failure from here on is attaching's */
  tty = after_start (e, id, o);
  run = husk_op_container_rundir (e, id);
  code = afd >= 0 ? husk_attach_fd (afd, run, o->in_fd, o->out_fd, o->err_fd, keys, tty, err)
                  : husk_attach (run, o->in_fd, o->out_fd, o->err_fd, keys, tty, err);
  attach_end (e, id, afd, code, o);
  return code;
}
