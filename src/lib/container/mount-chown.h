/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The U (chown) option of bind and volume mounts (see mount-chown.c).  */
#ifndef HUSK_CONTAINER_MOUNT_CHOWN_H
#define HUSK_CONTAINER_MOUNT_CHOWN_H

#include "util/error.h"

#include <jansson.h>

/**
 * husk_container_chown_mounts() - Give U mounts' sources to the container's user
 * @c:      the container configuration; its bind and volume "mounts" whose
 *          options hold "U" (their "source" set: volumes are prepared)
 * @rootfs: the container's mounted root file system (its /etc/passwd
 *          names the user)
 *
 * Called at every start, as Podman does for -v SRC:DST:U and --mount
 * ...,U=true: the source and everything beneath it, on the same file
 * system, is given to the uid and gid of the container's user.
 *
 * Return: 0, or -1.
 */
int husk_container_chown_mounts (json_t *c, const char *rootfs, husk_error_t *err);

#endif
