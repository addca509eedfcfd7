/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The configuration husk shares with the containers ecosystem:
 * containers.conf (engine and container defaults), storage.conf (storage
 * driver and its options) and registries.conf (short-name search and
 * per-registry settings), read in Podman's order with built-in defaults
 * underneath.
 *
 * Files, lowest priority first; each file's keys override earlier ones, and
 * an array value replaces the earlier array whole:
 *
 *   containers.conf  built-in defaults, then
 *                    /usr/share/containers/containers.conf,
 *                    /etc/containers/containers.conf,
 *                    /etc/containers/containers.conf.d/NAME.conf (sorted),
 *                    rootless: $XDG_CONFIG_HOME/containers/containers.conf
 *                    and its containers.conf.d/NAME.conf.
 *                    $CONTAINERS_CONF: the defaults, then only that file.
 *   storage.conf     rootful: /usr/share/containers/storage.conf, then
 *                    /etc/containers/storage.conf; rootless: the user's
 *                    $XDG_CONFIG_HOME/containers/storage.conf if it exists,
 *                    else the system ones.  $CONTAINERS_STORAGE_CONF: only
 *                    that file.
 *   registries.conf  /etc/containers/registries.conf and registries.conf.d/
 *                    NAME.conf; rootless: $XDG_CONFIG_HOME/containers/
 *                    registries.conf replaces the system file when it exists,
 *                    and the user's registries.conf.d/ is read after the
 *                    system one.  $CONTAINERS_REGISTRIES_CONF: only that file.
 *
 * XDG_CONFIG_HOME defaults to ~/.config.  Missing files are skipped, but a
 * file named by one of the CONTAINERS_* variables must exist.  Unknown keys
 * are ignored, as Podman ignores them; a known key of the wrong type is an
 * error.
 *
 * husk keeps its own store: graphroot, runroot and rootless_storage_path in
 * the system and user storage.conf files describe Podman's store, whose
 * on-disk format husk does not share, so they are ignored.  Only a file
 * named by $CONTAINERS_STORAGE_CONF (an explicit request) sets graphroot and
 * runroot.
 *
 * Testing: $HUSK_CONFIG_PREFIX (for tests only) is put in front of the
 * /usr/share and /etc paths by husk_config_load(); or call
 * husk_config_load_from() with paths of your own.
 */
#ifndef HUSK_CONFIG_CONFIG_H
#define HUSK_CONFIG_CONFIG_H

#include "util/cleanup.h"
#include "util/error.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* [engine.runtimes]: an OCI runtime's name and where to look for it.  */
struct husk_config_runtime
{
  char *name;
  char **paths; /* NULL-terminated, in order of preference */
};

/* One [[registry.mirror]]: tried, in order, before the registry itself. */
struct husk_config_mirror
{
  char *location;
  bool insecure;
};

/* One [[registry]] of registries.conf (or a v1 [registries.*] list).  */
struct husk_config_registry
{
  char *prefix;   /* the image names it applies to; defaults to location */
  char *location; /* where to go instead; defaults to prefix, but is NULL
                     for a wildcard prefix ("*.example.com") without one:
                     each matching name keeps its own registry */
  bool insecure;  /* plain HTTP or unverified TLS allowed */
  bool blocked;   /* pulling from it is refused */
  struct husk_config_mirror *mirrors;
  size_t n_mirrors;
};

/* String fields are NULL when unset and no default applies; string lists
   are NULL-terminated and never NULL themselves.  */
struct husk_config
{
  /* containers.conf [engine] */
  char *runtime;                         /* NULL: chosen per host (runtime.h) */
  struct husk_config_runtime *runtimes;  /* crun, runc, then any configured */
  size_t n_runtimes;
  char *events_logger;                   /* "file" (no journald here) */
  char *cgroup_manager;                  /* "cgroupfs" (no systemd here) */
  char *infra_image;                     /* NULL: husk's built-in pause image */
  char **helper_binaries_dir;            /* where netavark, catatonit, pasta ... live */
  char *network_cmd_path;                /* slirp4netns's path; NULL: searched */
  int64_t stop_timeout;                  /* 10 (seconds) */

  /* containers.conf [containers] */
  char **default_capabilities; /* upper case with "CAP_" prefix, e.g. "CAP_CHOWN" */
  char **default_ulimits;      /* "nofile=1024:2048" */
  char **default_sysctls;      /* "net.ipv4.ping_group_range=0 0" */
  char **env;                  /* "PATH=...", "TERM=xterm" */
  char **devices;
  char **volumes;
  char **annotations;
  char **dns_servers;
  char **dns_searches;
  char **dns_options;
  char *log_driver;            /* "k8s-file" */
  int64_t log_size_max;        /* -1: unlimited */
  int64_t pids_limit;          /* 2048 */
  char *shm_size;              /* "65536k" */
  char *tz;                    /* NULL */
  bool init;                   /* false */
  char *init_path;             /* NULL: search helper_binaries_dir */
  char *netns;                 /* "none" until bridge networking lands */
  char *userns;                /* "host" */
  char *ipcns;                 /* "shareable" */
  char *pidns;                 /* "private" */
  char *utsns;                 /* "private" */
  char *cgroupns;              /* "private" */
  char *cgroups;               /* "enabled" */
  char *umask;                 /* "0022" */
  char *seccomp_profile;       /* NULL: the runtime's default */
  bool label;                  /* true */
  bool no_hosts;               /* false */
  bool http_proxy;             /* true */

  /* containers.conf [network] */
  char *default_network;       /* "podman" */
  char *network_backend;       /* "netavark" */
  char *default_subnet;        /* "10.88.0.0/16" */
  char **default_subnet_pools; /* "BASE/PREFIX:SIZE" each, in order; empty: husk's range */
  char *default_rootless_network_cmd; /* "pasta" (or "slirp4netns") */
  char **pasta_options;        /* given to pasta before --network pasta:'s */

  /* storage.conf [storage] */
  char *storage_driver;        /* NULL: choose automatically */
  char *graphroot;             /* NULL unless set by $CONTAINERS_STORAGE_CONF */
  char *runroot;               /* likewise */
  char **storage_options;      /* "overlay.mount_program=/usr/bin/fuse-overlayfs" */

  /* registries.conf */
  char **unqualified_search_registries;
  struct husk_config_registry *registries;
  size_t n_registries;
  char *short_name_mode;       /* "enforcing" (default), "permissive", "disabled" */
  char **aliases;              /* [aliases]: "NAME=VALUE" pairs, later files win */

  /* Where it came from.  */
  char **files_read;           /* every file read, in order */
  char *containers_conf_path;  /* the file a user would edit: $CONTAINERS_CONF,
                                  the user's file (rootless) or /etc's */
  char *storage_conf_path;     /* likewise for storage.conf */
  char *registries_conf_path;  /* the registries.conf chosen */
};

/* Where husk_config_load_from() looks.  NULL members are not read.  */
struct husk_config_paths
{
  const char *share_dir;       /* "/usr/share/containers" */
  const char *etc_dir;         /* "/etc/containers" */
  const char *user_dir;        /* rootless: "$XDG_CONFIG_HOME/containers";
                                  NULL for rootful */
  const char *containers_conf; /* $CONTAINERS_CONF */
  const char *storage_conf;    /* $CONTAINERS_STORAGE_CONF */
  const char *registries_conf; /* $CONTAINERS_REGISTRIES_CONF */
};

/**
 * husk_config_new_defaults() - The built-in configuration, no files read
 *
 * Return: a new configuration (never NULL).
 */
struct husk_config *husk_config_new_defaults (void);

/**
 * husk_config_load() - Load the configuration from the usual places
 * @rootless: read the user's files under $XDG_CONFIG_HOME as well
 * @err:      on failure, names the file and what is wrong in it, e.g.
 *            "containers.conf '/etc/containers/containers.conf': line 3:
 *            expected '=' after key"
 *
 * Honours CONTAINERS_CONF, CONTAINERS_STORAGE_CONF,
 * CONTAINERS_REGISTRIES_CONF, XDG_CONFIG_HOME, HOME and (tests only)
 * HUSK_CONFIG_PREFIX.
 *
 * Return: a new configuration, or NULL.
 */
struct husk_config *husk_config_load (bool rootless, husk_error_t *err);

/**
 * husk_config_load_from() - Load the configuration from the given places
 * @p:   directories and explicit files (see struct husk_config_paths)
 * @err: as for husk_config_load()
 *
 * Return: a new configuration, or NULL.
 */
struct husk_config *husk_config_load_from (const struct husk_config_paths *p,
                                           husk_error_t *err);

/**
 * husk_config_runtime_paths() - Candidate paths of a named OCI runtime
 * @c:    the configuration
 * @name: runtime name, e.g. "crun"
 *
 * Return: NULL-terminated list owned by @c, or NULL when @name is unknown.
 */
char **husk_config_runtime_paths (const struct husk_config *c, const char *name);

/**
 * husk_config_registry_find() - The [[registry]] an image name falls under
 * @c:    the configuration
 * @name: "host[:port]/path" without tag or digest
 *
 * The longest matching prefix wins (a prefix matches the whole name or a
 * part ending at '/' ; "*.example.com" matches any subdomain host).
 * Return: the entry owned by @c, or NULL.
 */
const struct husk_config_registry *husk_config_registry_find (const struct husk_config *c,
                                                              const char *name);

/* The [aliases] value of a short name, or NULL.  */
const char *husk_config_alias (const struct husk_config *c, const char *name);

void husk_config_free (struct husk_config *c);

DEFINE_CLEANUP (struct husk_config *, husk_config_free)

#endif
