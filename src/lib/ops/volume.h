/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Volume operations: the only entry points cli/ and api/ use for volumes,
   and the hooks the container lifecycle calls (prepare at start, release
   of anonymous volumes at rm -v).  */
#ifndef HUSK_OPS_VOLUME_H
#define HUSK_OPS_VOLUME_H

#include "engine/engine.h"
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

/**
 * husk_op_volume_create() - Create a volume
 * @name_out: the volume's name (caller frees); may be NULL
 *
 * Return: 0, or -1: EEXIST "volume with name X already exists" unless
 * @o->ignore; EINVAL for a bad name, driver or option.
 */
int husk_op_volume_create (struct husk_engine *e, const struct husk_volume_create_opts *o,
                           char **name_out, husk_error_t *err);

/* Resolve a full name or unique prefix.  ENOENT "no volume with name "x"
   found: no such volume"; EINVAL when a prefix is ambiguous.  */
int husk_op_volume_resolve (struct husk_engine *e, const char *ref, char **name,
                            husk_error_t *err);

/* Podman's inspect object: Name, Driver, Mountpoint, CreatedAt, Labels,
   Scope, Options, MountCount, NeedsCopyUp, NeedsChown (and Anonymous when
   true).  */
json_t *husk_op_volume_inspect (struct husk_engine *e, const char *ref, husk_error_t *err);

/**
 * husk_op_volume_list() - Volumes that match every filter, by name
 * @filters: "name=REGEX", "label=KEY[=VALUE]", "label!=KEY[=VALUE]",
 *           "driver=local", "dangling=true|false", "scope=local"; values of
 *           one key are alternatives, except labels, which must all match
 * @out:     set to an array of inspect objects
 */
int husk_op_volume_list (struct husk_engine *e, char **filters, json_t **out,
                         husk_error_t *err);

/**
 * husk_op_volume_remove() - Remove a volume and its content
 * @force:   first remove (forcibly) the containers that use it
 * @timeout: stop timeout for those containers, < 0 for theirs
 * @removed: set to the volume's full name (caller frees); may be NULL
 *
 * Return: 0, or -1: ENOENT when no such volume; EBUSY "volume X is being
 * used by the following container(s): ID, ...: volume is being used".
 */
int husk_op_volume_remove (struct husk_engine *e, const char *ref, bool force, int timeout,
                           char **removed, husk_error_t *err);

/* Remove every volume that matches the filters (as for list) and that no
   container uses.  *removed: their names (NULL when none).  */
int husk_op_volume_prune (struct husk_engine *e, char **filters, char ***removed,
                          husk_error_t *err);

/* Untar input (a file, or "-" for stdin) into the volume, safely.  */
int husk_op_volume_import (struct husk_engine *e, const char *ref, const char *input,
                           husk_error_t *err);
/* Tar the volume's content to output (a file, written atomically, or "-"
   for stdout).  */
int husk_op_volume_export (struct husk_engine *e, const char *ref, const char *output,
                           husk_error_t *err);

/**
 * husk_op_volume_prepare() - Make the volumes of a container ready to mount
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
int husk_op_volume_prepare (struct husk_engine *e, json_t *ccfg, const char *rootfs,
                            husk_error_t *err);

/* Create the named volumes that ccfg's mounts name and that do not exist
   yet, as Podman does when a container is created (prepare does it
   otherwise at the first start).  */
int husk_op_volume_create_named (struct husk_engine *e, json_t *ccfg, husk_error_t *err);

/* Remove the anonymous volumes that ccfg's mounts name, unless another
   container uses them (rm -v).  Call after the container's row is gone.
   Every volume is tried; the first failure is returned.  */
int husk_op_volume_release_anonymous (struct husk_engine *e, json_t *ccfg,
                                      husk_error_t *err);

/* Names of the containers whose configuration mounts the volume named
   name (NULL-terminated, sorted; NULL when none).  */
int husk_op_volume_users (struct husk_engine *e, const char *name, char ***container_names,
                          husk_error_t *err);

/* Unmount every volume's file system (before `system reset` deletes the
   store: a bind volume's host directory must not be emptied).  */
int husk_op_volume_unmount_all (struct husk_engine *e, husk_error_t *err);

#endif
