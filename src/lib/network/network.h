/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A container's own network: a network namespace that husk makes and a
 * user-mode network program (a backend: pasta or slirp4netns) that
 * connects it to the host; bridge networks (bridge.h) connect it through
 * a veth pair instead, with the same namespace file and teardown.
 *
 * Theory of operation
 *
 *   1. At start, before the spec is written, husk_net_start() makes
 *      <runroot>/net/<id>/ (mode 0700) and in it the file `ns`, onto which
 *      a forked child that unshared CLONE_NEWNET bind-mounts its
 *      /proc/self/ns/net.  The bind mount lives in husk's mount namespace
 *      (rootless: the user's namespace held by the pause process, which
 *      the monitor, the cleanup and the backend share), and it keeps the
 *      namespace alive without a process.  The namespace is owned by the
 *      user namespace husk runs in, so the runtime (root there) can join
 *      it, and so can the backend.
 *   2. The backend configures it (an interface, addresses, a route, lo up)
 *      and forwards the published ports; it runs in the host's network
 *      namespace, detached from husk, and its pid and start time are
 *      recorded in `pid`.  The spec joins the namespace by path.
 *   3. A restart by the monitor keeps it all: the runtime re-creates the
 *      container in the same namespace, the backend still serves it.
 *   4. husk_net_teardown() (the container's release, after every exit, by
 *      whoever cleans up, also the monitor's exit command when no husk
 *      runs) ends the recorded process (only that process: pidfd of the
 *      recorded pid and start time), unmounts and removes the files.  It
 *      is idempotent: a second cleanup finds nothing.  pasta would also
 *      quit by itself when `ns` goes (it watches it), slirp4netns when its
 *      namespace has no user left; the signal makes it immediate.
 *
 * Nothing of this happens for --network none, host, container: or ns:.
 */
#ifndef HUSK_NETWORK_NETWORK_H
#define HUSK_NETWORK_NETWORK_H

#include "util/error.h"

#include <jansson.h>
#include <stdbool.h>

/* What a backend needs to set up one container's network.  */
struct husk_net_ctx
{
  const char *dir;           /* <runroot>/net/<id> (husk_net_dir) */
  const char *netns;         /* <dir>/ns, the namespace's file */
  json_t *options;           /* the mode's options, as strings */
  json_t *ports;             /* the configuration's "ports" */
  const char *exe;           /* the backend's executable */
  bool rootless;
};

/* A backend program started and not yet waited for.  */
struct husk_net_pending
{
  int child;    /* the process to wait for, or 0 */
  int ready_fd; /* where it says it is ready, or -1 */
};

/* A user-mode network program.  */
struct husk_net_backend
{
  const char *name;       /* the --network mode: "pasta", "slirp4netns" */
  const char *binary;     /* the executable's name */
  const char *package;    /* the Debian package that installs it */
  /* Check the mode's options at create.  Return: 0, or -1.  */
  int (*check_options) (json_t *options, husk_error_t *err);
  /* Start the program that configures the namespace and forwards the
     ports, without waiting for it.  Return: 0, or -1.  */
  int (*start) (const struct husk_net_ctx *n, struct husk_net_pending *p, husk_error_t *err);
  /* Wait until it is ready; record its process in <dir>/pid.  With err
     NULL only reap what start left.  Return: 0, or -1.  */
  int (*finish) (const struct husk_net_ctx *n, struct husk_net_pending *p, husk_error_t *err);
  /* The resolver the container's resolv.conf names (the caller frees).  */
  char *(*nameserver) (json_t *options);
  /* The address that reaches the host from the container
     (host.containers.internal), or NULL when there is none.  */
  char *(*host_address) (json_t *options);
};

extern const struct husk_net_backend husk_net_pasta;
extern const struct husk_net_backend husk_net_slirp4netns;

/* The backend of a network mode ("pasta", "slirp4netns"), or NULL for
   the modes without one (none, host, container:, ns:).  */
const struct husk_net_backend *husk_net_backend_find (const char *mode);

/**
 * husk_net_parse_mode() - Split a --network value into mode and options
 * @spec:    "pasta", "pasta:-t,8080", "slirp4netns:mtu=1500,cidr=..."
 * @mode:    set to the mode (the caller frees)
 * @options: set to the options as a JSON array of strings (new reference)
 *
 * Return: 1 when the mode has a backend (options checked), 0 when not
 * (*mode is spec, *options empty), or -1.
 */
int husk_net_parse_mode (const char *spec, char **mode, json_t **options, husk_error_t *err);

/**
 * husk_net_find_exe() - Where the backend's program is
 * @helper_dirs: containers.conf's helper_binaries_dir, searched first
 * @override:    a path given by the user (--network-cmd-path), or NULL
 *
 * Return: the absolute path (the caller frees), or NULL with ENOENT
 * naming the program and its package.
 */
char *husk_net_find_exe (const struct husk_net_backend *b, char *const *helper_dirs,
                         const char *override, husk_error_t *err);

/* <runroot>/net/<id>: the directory of a container's network files.  */
char *husk_net_dir (const char *runroot, const char *id);

/**
 * husk_net_start() - Make a container's network namespace, start its backend
 * @b: the backend
 * @n: the context; n->dir and n->netns name the files to make; it must
 *     stay valid until husk_net_finish()
 * @p: filled for husk_net_finish()
 *
 * /dev/net/tun must be usable (both backends need it).  Whatever existed
 * there before (a cleanup that never came) is torn down first.  The
 * backend configures the namespace while the caller goes on (mounts,
 * writes the spec); the namespace's file can be named in the spec at once.
 *
 * Return: 0, or -1 with everything made torn down again.
 */
int husk_net_start (const struct husk_net_backend *b, const struct husk_net_ctx *n,
                    struct husk_net_pending *p, husk_error_t *err);

/* Wait for what husk_net_start() began; with err NULL (the caller failed
   meanwhile) only reap it.  On failure everything is torn down.  Return:
   0, or -1.  */
int husk_net_finish (const struct husk_net_backend *b, const struct husk_net_ctx *n,
                     struct husk_net_pending *p, husk_error_t *err);

/* Undo husk_net_start() for dir: end the recorded backend process, unmount
   and remove.  Safe to repeat, safe on a dir that never existed.  */
void husk_net_teardown (const char *dir);

/* For `info`: "pasta 2023_03_09..." as the program's --version prints its
   first line, or "" when it cannot be run.  */
char *husk_net_version (const char *exe);

/* ---- published ports (ports.c) ------------------------------------------ */

/* What the port flags asked for, and the facts to check them against.  */
struct husk_net_port_request
{
  json_t *publish;          /* -p values, strings */
  json_t *expose;           /* --expose values, strings */
  bool publish_all;         /* -P */
  json_t *image_exposed;    /* the image's ExposedPorts object, or NULL */
  bool rootless;            /* check the unprivileged port range */
};

/**
 * husk_net_ports_build() - The published ports of a new container
 *
 * Each -p "[[IP:][HOSTPORT]:]PORT[/PROTO]" (ranges "8000-8002:80-82"; an
 * IPv6 address in brackets) becomes one {host_ip, host_port,
 * container_port, protocol} object per port; a missing host port is
 * chosen now among the free ones (and kept for the container's life), as
 * are those of -P (the image's ExposedPorts and --expose).  *exposed gets
 * the "PORT/PROTO" strings of --expose.
 *
 * Return: 0, or -1 (EINVAL for a bad value, EACCES for a privileged port
 * rootless, with the sysctl and the ways around it).
 */
int husk_net_ports_build (const struct husk_net_port_request *q, json_t **ports,
                          json_t **exposed, husk_error_t *err);

/* ps's PORTS text: "0.0.0.0:8000-8002->80-82/tcp, ..." ("" for none).  */
char *husk_net_ports_text (json_t *ports);

/* inspect's {"80/tcp": [{"HostIp": "", "HostPort": "8080"}], ...}: the
   published ports, and with exposed also the exposed ones (null).  */
json_t *husk_net_ports_bindings (json_t *ports, json_t *exposed);

#endif
