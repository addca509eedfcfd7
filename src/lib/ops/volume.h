/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Volume operations: the only entry points cli/ and api/ use for volumes,
   and the hooks the container lifecycle calls (prepare at start, release
   of anonymous volumes at rm -v).  */
#ifndef HUSK_OPS_VOLUME_H
#define HUSK_OPS_VOLUME_H

#include "engine/engine.h"
#include "volume/attach.h"
#include "util/error.h"

#include <jansson.h>
#include <stdbool.h>

/* struct husk_volume_create_opts: volume/attach.h.  */

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

/* Names of the containers whose configuration mounts the volume named
   name (NULL-terminated, sorted; NULL when none).  */
int husk_op_volume_users (struct husk_engine *e, const char *name, char ***container_names,
                          husk_error_t *err);

/* Unmount every volume's file system (before `system reset` deletes the
   store: a bind volume's host directory must not be emptied).  */
int husk_op_volume_unmount_all (struct husk_engine *e, husk_error_t *err);

#endif
