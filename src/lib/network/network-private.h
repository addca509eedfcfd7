/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What the backends share (netns.c).  */
#ifndef HUSK_NETWORK_PRIVATE_H
#define HUSK_NETWORK_PRIVATE_H

#include "network/network.h"

#include <sys/types.h>

/**
 * net_spawn() - Run a backend's program, away from husk
 * @dir:     its stdout and stderr go to <dir>/log; stdin is /dev/null
 * @argv:    argv[0] is the executable
 * @keep_fd: a descriptor the program gets as fd 3, or -1
 * @detach:  fork twice, so that the program is nobody's child of ours
 *
 * The program gets a session of its own (a terminal's ^C is not for it),
 * no other descriptor of ours (no lock of the state database stays held
 * by it), an empty signal mask and every signal's default action.
 *
 * Return: the program's pid (with detach, the grandchild's), or -1.
 */
pid_t net_spawn (const char *dir, char *const argv[], int keep_fd, bool detach,
                 husk_error_t *err);

/* A new network namespace bound to path (made, must not exist).  */
int net_make_netns (const char *path, husk_error_t *err);

/* Undo what husk_bridge_attach() recorded in <dir>/bridge, if anything
   (bridge.c).  ns_going: the namespace at <dir>/ns goes next, and the
   veth pair with it (not waited for).  */
void net_bridge_detach (const char *dir, bool ns_going);

/* Record pid with its start time in <dir>/pid, for the teardown.  */
int net_record (const char *dir, pid_t pid, husk_error_t *err);

/* End the process recorded in <dir>/pid (only that one) and wait a
   little for it.  */
void net_end_process (const char *dir);

/* The last lines the program wrote to <dir>/log (the caller frees), or
   an empty string.  */
char *net_log (const char *dir);

/* The host's first IPv4 address on the interface of its default route,
   and that route's gateway ("" when there is none; the caller frees).  */
char *net_host_ipv4 (void);
char *net_host_gateway (void);

/* Consecutive ports of one address and protocol, as one range: the
   configuration keeps one object per port.  */
struct net_port_run
{
  const char *host_ip; /* "" for all addresses */
  const char *protocol;
  unsigned host_port, container_port, count;
};

/* The runs of ports (free *out).  Return: how many.  */
size_t net_port_runs (json_t *ports, struct net_port_run **out);

#endif
