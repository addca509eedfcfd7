/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The rootless user namespace.  An unprivileged user's husk commands share
 * one user namespace (and one mount namespace owned by it), created the
 * first time and kept alive by a pause process whose identity is recorded
 * in <rundir>/pause.pid; later commands join it with one setns() on the
 * pause process's pidfd, before any thread exists.  Inside, the user is
 * root (uid 0 maps to the user's own uid) and the ranges of /etc/subuid and
 * /etc/subgid (through newuidmap/newgidmap) map the other IDs.  With no
 * range, or without the setuid helpers, only the user's own ID is mapped.
 */
#ifndef HUSK_USERNS_USERNS_H
#define HUSK_USERNS_USERNS_H

#include "util/error.h"

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* Set in the environment once a command has joined, so that the processes
   it starts (husk-monitor, `container cleanup`, an `unshare` shell) know
   that they are inside and which user they serve.  */
#define HUSK_USERNS_ENV "_HUSK_USERNS_UID"

/* argv[0] of the pause process, which husk's main() turns into
   husk_userns_pause().  */
#define HUSK_PAUSE_NAME "husk-pause"

/* The pause process: wait for signals forever (SIGTERM/SIGKILL end it). */
void husk_userns_pause (void) __attribute__ ((noreturn));

struct husk_id_range
{
  unsigned long inside, outside, size;
};

/* The directory that holds pause.pid: $XDG_RUNTIME_DIR/husk, else
   /tmp/husk-run-UID (created 0700 and checked to be the user's own).  */
char *husk_userns_dir (uid_t uid);

/* The ranges /etc/subuid (or /etc/subgid) grants the user: by name and by
   number, in file order.  Returns how many were stored in r (at most max). */
size_t husk_userns_subids (const char *file, const char *name, uid_t id,
                           struct husk_id_range *r, size_t max);

/* Join the user's namespace, creating it and its pause process first when
   there is none.  Root and a process already inside do nothing.  */
int husk_userns_join (husk_error_t *err);

/* Whether this process serves an unprivileged user: not root, or root
   inside the rootless user namespace.  */
bool husk_userns_rootless (void);

/* Whether this process started inside the namespace (under `husk
   unshare`), where what it mounts stays visible to its caller.  */
bool husk_userns_inherited (void);

/* The uid of the user husk serves (getuid() outside, the recorded one
   inside).  */
uid_t husk_userns_host_uid (void);

/* Stop the pause process (after checking it is the recorded one) and
   remove its record; the next command creates a new namespace with the
   ranges of the day.  *stopped says whether there was one.  */
int husk_userns_stop_pause (bool *stopped, husk_error_t *err);

#endif
