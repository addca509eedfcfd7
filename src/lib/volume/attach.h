/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Volumes and their attachment to containers (see attach.c).  */
#ifndef HUSK_VOLUME_ATTACH_H
#define HUSK_VOLUME_ATTACH_H

#include "engine/engine.h"
#include "state/containers.h"
#include "util/error.h"

#include <jansson.h>
#include <stdbool.h>

struct husk_volume_create_opts
{
  const char *name;   /* NULL or "": a random 64-hex name */
  const char *driver; /* NULL or "local"; any other is refused */
  char **labels;      /* "key=value" or "key" (NULL-terminated; may be NULL) */
  char **options;     /* --opt "type=tmpfs", "device=...", "o=..." */
  bool ignore;        /* an existing name is not an error (--ignore) */
  bool anonymous;     /* removed with its container by rm -v */
};

/* Create a volume: the row (reserving the name), the directory, the
   "create" event.  EEXIST unless o->ignore; EINVAL for a bad name, driver
   or option.  */
int husk_volume_create (struct husk_engine *e, const struct husk_volume_create_opts *o,
                        char **name_out, husk_error_t *err);
/* Remove a volume: files first, then the row; the "remove" event.  */
int husk_volume_remove (struct husk_engine *e, const char *name, husk_error_t *err);
/* Lock a volume's directory (made when missing).  Return: the fd holding
   the lock, or -1.  */
int husk_volume_lock (struct husk_engine *e, const char *name, husk_error_t *err);
/* Call fn for every volume mount of every container.  */
int husk_volume_each_mount (struct husk_engine *e,
                            void (*fn) (const struct husk_container_rec *c, const char *vol,
                                        void *data),
                            void *data, husk_error_t *err);
/* Names of all volumes some container uses (NULL when none).  */
int husk_volume_used (struct husk_engine *e, char ***used, husk_error_t *err);

/**
 * husk_volume_prepare() - Make the volumes of a container ready to mount
 * @ccfg:   the container configuration (container/ccfg.h); its "mounts"
 *          entries of type "volume" are completed in place
 * @rootfs: the container's mounted root file system
 *
 * Called at every start, once the root file system is mounted and before
 * the OCI spec is written.  For each volume mount: a named volume that
 * does not exist is created; an entry without a name gets a new anonymous
 * volume, whose name (and "anonymous": true) is recorded in the entry so
 * that the container keeps it across restarts; the volume's file system is
 * mounted when its options ask for one; on the volume's first use its
 * content is seeded from the image at the destination (unless the volume
 * has content or the mount says "nocopy") and, when nothing was seeded,
 * it is given to the container's user; "source" is set to its _data.
 * When it fails, the anonymous volumes it made are removed again.
 *
 * Return: 1 when @ccfg changed (the caller saves it), 0 when not, -1.
 */
int husk_volume_prepare (struct husk_engine *e, json_t *ccfg, const char *rootfs,
                         husk_error_t *err);

/* Create the named volumes that ccfg's mounts name and that do not exist
   yet, as Podman does when a container is created (prepare does it
   otherwise at the first start).  */
int husk_volume_create_named (struct husk_engine *e, json_t *ccfg, husk_error_t *err);

/* Remove the anonymous volumes that ccfg's mounts name, unless another
   container uses them (rm -v).  Call after the container's row is gone.
   Every volume is tried; the first failure is returned.  */
int husk_volume_release_anonymous (struct husk_engine *e, json_t *ccfg,
                                   husk_error_t *err);

#endif
