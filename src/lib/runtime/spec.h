/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The OCI runtime spec (config.json) of a container, generated from its
 * container configuration (the JSON documented in container/ccfg.h).
 */
#ifndef HUSK_RUNTIME_SPEC_H
#define HUSK_RUNTIME_SPEC_H

#include "util/error.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

/* Where the files a container needs are on the host.  */
struct husk_spec_paths
{
  const char *rootfs;        /* the mounted root file system (absolute) */
  const char *hosts;         /* bound at /etc/hosts; NULL: none */
  const char *resolv_conf;   /* bound at /etc/resolv.conf; NULL: none */
  const char *hostname;      /* bound at /etc/hostname; NULL: none */
  const char *containerenv;  /* bound read-only at /run/.containerenv; NULL: none */
  const char *passwd;        /* bound at /etc/passwd, and read for the user
                                instead of the image's; NULL: none */
  const char *group;         /* bound at /etc/group (the user's groups still
                                come from the image's); NULL: none */
  const char *cgroup_parent; /* NULL: "husk"; cgroupsPath is "/<parent>/<id>" */
  const char *secrets_dir;   /* the mount secrets: file <index> of the ccfg's
                                "secrets" is bound read-only at its target;
                                NULL: none */
  bool rootless;
};

/* Where --init's binary appears in the container.  */
#define HUSK_SPEC_INIT_PATH "/run/husk-init"

/**
 * husk_spec_generate() - Generate the OCI runtime spec of a container
 * @ccfg: the container configuration (see container/ccfg.h).  Namespace
 *        values "ns:PATH" and "path:PATH" join the namespace at PATH;
 *        "container:ID" must be turned into "path:/proc/PID/ns/TYPE" by the
 *        caller first (it is refused here).  Optional keys beyond ccfg.h:
 *        "umask" ("0022") and "shm_path" (a host directory bound at
 *        /dev/shm instead of a fresh tmpfs, for a shared IPC namespace).
 * @p:    host paths (rootfs, files to bind, cgroup parent)
 * @err:  EINVAL for invalid configuration, naming the flag and value, e.g.
 *        "invalid ulimit \"nofile=abc\"", "unknown capability \"CAP_FOO\"";
 *        ENOENT for a missing user, device, bind source or init binary
 *
 * Everything is checked before anything is returned; nothing on the host
 * is changed (the image's /etc/passwd and /etc/group are read, host device
 * nodes and bind sources are stat()ed).
 *
 * Unlimited rlimits are -1 in the returned tree; write it with
 * husk_spec_dumps() or husk_spec_write(), which turn them into the
 * runtime's 2^64-1.
 *
 * Return: the spec, or NULL.
 */
json_t *husk_spec_generate (json_t *ccfg, const struct husk_spec_paths *p,
                            husk_error_t *err);

/**
 * husk_spec_dumps() - Serialise a spec (or a process object) for a runtime
 *
 * Like json_dumps(), but rlimit values of -1 become 18446744073709551615
 * (RLIM_INFINITY), which jansson's signed integers cannot hold.
 *
 * Return: a new string (never NULL).
 */
char *husk_spec_dumps (json_t *spec);

/**
 * husk_spec_write() - Write a spec to a file, atomically, mode 0600
 * @path: e.g. "<bundle>/config.json"
 *
 * Return: 0, or -1.
 */
int husk_spec_write (json_t *spec, const char *path, husk_error_t *err);

/* The pieces, exposed for the exec path and for tests.  */

/**
 * husk_spec_parse_capability() - Normalise a capability name
 * @name: "net_admin", "NET_ADMIN", "cap_net_admin" or "CAP_NET_ADMIN"
 *
 * Return: its number (0..40), or -1 when unknown.
 */
int husk_spec_parse_capability (const char *name);

/* The name ("CAP_NET_ADMIN") of capability number cap, or NULL.  */
const char *husk_spec_capability_name (int cap);

/* The highest capability this kernel knows (/proc/sys/kernel/cap_last_cap),
   bounded by the names husk knows.  */
int husk_spec_cap_last (void);

/* The capabilities a container can have: those of this kernel that are in
   the caller's bounding set.  */
uint64_t husk_spec_cap_available (void);

/**
 * husk_spec_capabilities() - The capability sets of a container process
 * @cap_add, @cap_drop: --cap-add and --cap-drop (names, or "ALL")
 * @privileged:         start from every available capability instead of
 *                      the default (see husk_spec_cap_available())
 * @root:               the process runs as uid 0 (else only the added
 *                      capabilities are effective, as in Podman)
 * @bounding:           set to the bounding set (bit n = capability n)
 *
 * Return: process.capabilities, or NULL ("unknown capability \"X\"").
 */
json_t *husk_spec_capabilities (json_t *cap_add, json_t *cap_drop, bool privileged,
                                bool root, uint64_t *bounding, husk_error_t *err);

/* The caller's limits as husk_spec_rlimits() sees them.  */
struct husk_spec_host_limits
{
  bool can_raise;     /* CAP_SYS_RESOURCE: hard limits may go up */
  uint64_t hard[16];  /* current hard limits by RLIMIT_* number;
                         UINT64_MAX for unlimited */
  uint64_t nr_open;   /* /proc/sys/fs/nr_open */
};

/* Fill in the limits of the calling process.  */
void husk_spec_host_limits (struct husk_spec_host_limits *h);

/**
 * husk_spec_rlimits() - process.rlimits from --ulimit entries
 * @ulimits: array of "name=soft[:hard]" ("-1" for unlimited), or "host"
 * @clamp:   fit the defaults (nofile 1048576, nproc 4194304) under the
 *           host's hard limits when they cannot be raised, and refuse
 *           explicit limits that do not fit
 * @h:       the host's limits
 *
 * Return: the array (unlimited as -1), or NULL.
 */
json_t *husk_spec_rlimits (json_t *ulimits, bool clamp,
                           const struct husk_spec_host_limits *h, husk_error_t *err);

/* Whether /sys/fs/cgroup is cgroup v2 (unified).  Rootless containers get
   a cgroup of their own only there (spec-linux.c).  */
bool husk_spec_host_cgroup2 (void);

#endif
