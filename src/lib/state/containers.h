/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Container rows of the state database.  */
#ifndef HUSK_STATE_CONTAINERS_H
#define HUSK_STATE_CONTAINERS_H

#include "state/state.h"

#include <stdbool.h>
#include <stdint.h>

struct husk_container_rec
{
  char *id;           /* 64 hex digits */
  char *name;
  char *image_id;
  char *config;       /* the container configuration JSON (container/ccfg.h) */
  char *state;        /* "created", "running", "paused", "stopping", "exited", "removing" */
  int pid;            /* container init, 0 when not running */
  int monitor_pid;
  /* Who the pids are (util/proc.h): the boot they were recorded in and
     their start times; "" or NULL and 0 when unknown.  */
  char *boot_id;
  uint64_t pid_start;
  uint64_t monitor_start;
  int exit_code;
  int64_t created;    /* nanoseconds since epoch */
  int64_t started_at;
  int64_t finished_at;
  int restart_count;
  bool oom_killed;
};

void husk_container_rec_release (struct husk_container_rec *r);
void husk_container_rec_array_free (struct husk_container_rec *a, size_t n);

/* A record released when it goes out of scope (util/cleanup.h):
   cleanup_container_rec struct husk_container_rec r = { 0 };  */
static inline void
cleanup_container_recp (struct husk_container_rec *r)
{
  husk_container_rec_release (r);
}
#define cleanup_container_rec __attribute__ ((__cleanup__ (cleanup_container_recp)))

/* EEXIST (naming the holder) when the name is taken, by a container or
   a pod (state/pods.h).  */
int husk_state_container_add (struct husk_state *st, const struct husk_container_rec *r,
                              husk_error_t *err);
int husk_state_container_get (struct husk_state *st, const char *id,
                              struct husk_container_rec *out, husk_error_t *err);
/* Resolve a name, full ID or ID prefix.  ENOENT or EINVAL (ambiguous).  */
int husk_state_container_lookup (struct husk_state *st, const char *name_or_id,
                                 char **id, husk_error_t *err);
/* All containers, newest first.  */
int husk_state_container_list (struct husk_state *st, struct husk_container_rec **out,
                               size_t *n, husk_error_t *err);
/* Write the mutable fields (state, pids and who they are, exit, times,
   restarts, name).  */
int husk_state_container_save (struct husk_state *st, const struct husk_container_rec *r,
                               husk_error_t *err);
int husk_state_container_remove (struct husk_state *st, const char *id, husk_error_t *err);
/* Names of containers using an image: made from it, or mounting it
   (--mount type=image, read from their configurations so that the two
   cannot disagree).  NULL-terminated; NULL when none.  */
int husk_state_image_users (struct husk_state *st, const char *image_id, char ***names,
                            husk_error_t *err);

#endif
