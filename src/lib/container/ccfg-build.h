/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Building the container configuration (ccfg.h) from a create request. */
#ifndef HUSK_CONTAINER_CCFG_BUILD_H
#define HUSK_CONTAINER_CCFG_BUILD_H

#include "container/ccfg.h"
#include "util/error.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

/* Defaults from containers.conf.  */
struct husk_ccfg_defaults
{
  const char *log_driver;
  const char *shm_size;
  const char *init_path;
  int64_t stop_timeout;
  /* The network mode when --network is not given: rootless, containers.conf's
     default_rootless_network_cmd ("pasta"); rootful "none" until bridge
     networks come (issue 13).  */
  const char *network;
  char *const *pasta_options; /* containers.conf [network] pasta_options */
  bool rootless;              /* published ports below the unprivileged start fail */
};

/**
 * husk_ccfg_build() - Validate a create request and merge it with the image
 * @req:          the raw flag values: "command" [..], "entrypoint" (string,
 *                array or null), "env", "env_file", "env_host", "workdir",
 *                "user", "group_add", "hostname", "tty", "interactive",
 *                "rm", "privileged", "cap_add", "cap_drop", "security_opt",
 *                "read_only", "read_only_tmpfs", "ulimits", "sysctls",
 *                "memory", "memory_swap", "cpus", "cpu_shares",
 *                "cpuset_cpus", "pids_limit", "shm_size", "volumes",
 *                "mounts", "tmpfs", "devices", "network", "pid", "ipc",
 *                "uts", "init", "init_path", "labels", "label_file",
 *                "annotations", "log_driver", "log_opts", "stop_signal",
 *                "stop_timeout", "restart", "health_*", "no_healthcheck",
 *                "tz", "passwd" (bool, default true), "passwd_entry",
 *                "group_entry", "detach_keys", "create_command", "cidfile",
 *                "publish", "publish_all", "expose", "secrets" (the
 *                --secret values, container/secrets.h),
 *                "cidfile_path" (its absolute path, for rm)
 * @image_config: the image's OCI config
 *
 * Return: the ccfg without id, name and image (the caller adds them), or
 * NULL with EINVAL naming the flag at fault.
 */
json_t *husk_ccfg_build (json_t *req, const struct husk_ccfg_defaults *d,
                         json_t *image_config, husk_error_t *err);

/* Resolve an image reference to its ID (*id: the caller frees).  */
typedef int (*husk_ccfg_image_resolver) (void *data, const char *ref, char **id,
                                         husk_error_t *err);

/**
 * husk_ccfg_resolve_image_mounts() - Resolve the images of --mount type=image
 * @req:     the create request; its "mounts" are read and "image_mount_ids"
 *           (the given name to the image ID) is set, for husk_ccfg_build()
 * @resolve: how a reference becomes an ID (ops/ knows the store's names)
 *
 * Done at create, before the build: the container keeps the image it was
 * given then, whatever the name means later.
 *
 * Return: 0, or -1 with "creating image volume "SRC":"DST": ..." (Podman).
 */
int husk_ccfg_resolve_image_mounts (json_t *req, husk_ccfg_image_resolver resolve, void *data,
                                    husk_error_t *err);

/* Environment arrays ["NAME=value", ...], for create and exec alike.
   husk_ccfg_env_set() replaces an earlier NAME; husk_ccfg_env_add() takes
   a -e value ("NAME=value", or "NAME" copied from our environment when
   set; "=x" is refused); husk_ccfg_env_add_file() adds the lines of an
   --env-file (blank lines and # comments skipped, CR LF accepted).  */
bool husk_ccfg_env_has (json_t *env, const char *name);
void husk_ccfg_env_set (json_t *env, const char *entry);
int husk_ccfg_env_add (json_t *env, const char *val, husk_error_t *err);
int husk_ccfg_env_add_file (json_t *env, const char *path, husk_error_t *err);
/* The lines of req's "label_file" files ("k=v" or "k"; blank lines and
   # comments skipped, a CR at the end dropped) into labels.  */
int husk_ccfg_label_files (json_t *req, json_t *labels, husk_error_t *err);

#endif
