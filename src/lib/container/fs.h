/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A container's file system: cp in and out, diff, export, mount and
 * unmount (fs.c).  The callers (ops/container_fs.c) resolve the container
 * and record the events; these do the work on the loaded row.
 *
 * Theory of operation: a command that reads or writes a container's root
 * mounts it with husk_store_container_mount() (counted, so a running
 * container's mount is shared and stays) and unmounts it when done; the
 * file work is done beneath an O_PATH fd of the root by cp.c and fstar.c,
 * which resolve container paths inside the root only.  diff reads the
 * read-write layer directly: overlay's upper directory
 * (<graphroot>/overlay/containers/<id>/diff, as storage/store.h lays it
 * out), or vfs's full copy compared with the image's tree.
 */
#ifndef HUSK_CONTAINER_FS_H
#define HUSK_CONTAINER_FS_H

#include "container/changes.h"
#include "engine/engine.h"
#include "state/containers.h"
#include "util/error.h"

#include <stdbool.h>
#include <stddef.h>

struct husk_cp_request
{
  bool archive;   /* copies in: chown to the container's user (Podman's -a) */
  bool overwrite; /* replace directories with non-directories and back */
};

/**
 * husk_container_cp_check_dest() - May a copy out write at @dst, and where
 * @src:      the path inside the container being copied
 * @dst:      the host destination
 * @resolved: set to where to write instead of @dst when @dst is a symlink
 *            (its target, followed as Podman follows it), else NULL
 *
 * Only a regular file or a directory may be written (as named, or the
 * name the copy takes in the directory @dst): replacing a device node,
 * FIFO or socket as root damages the host; a link that resolves to no
 * file (/dev/stdout on a pipe) is refused too.
 * Return: 0, or -1 (EINVAL "invalid destination: ...").
 */
int husk_container_cp_check_dest (const char *src, const char *dst, char **resolved,
                                  husk_error_t *err);

/**
 * husk_container_copy_in() - `cp HOSTPATH CTR:PATH` and `cp - CTR:DIR`
 * @src:   the host path, or NULL to extract the tar read from @in_fd
 * @path:  the destination inside the container
 *
 * Works on running and stopped containers; nothing of the host outside
 * @src is read, nothing outside the container's root is written, whatever
 * symlinks the container holds.  Return: 0, or -1 (ENOENT: missing path).
 */
int husk_container_copy_in (struct husk_engine *e, const struct husk_container_rec *r,
                            const char *src, int in_fd, const char *path,
                            const struct husk_cp_request *rq, husk_error_t *err);

/* `cp CTR:PATH HOSTPATH` (dst NULL: a tar of PATH to out_fd).  Container
   paths without a leading "/" are relative to its working directory; a
   running container is read and written as its processes see it, its
   tmpfs, volumes and bind mounts included (through its init's root).  */
int husk_container_copy_out (struct husk_engine *e, const struct husk_container_rec *r,
                             const char *path, const char *dst, int out_fd,
                             const struct husk_cp_request *rq, husk_error_t *err);

/* `cp CTR1:SRC CTR2:DST`: SRC of @from copied as a host path would be
   into @to.  */
int husk_container_copy_between (struct husk_engine *e, const struct husk_container_rec *from,
                                 const char *src, const struct husk_container_rec *to,
                                 const char *dst, const struct husk_cp_request *rq,
                                 husk_error_t *err);

/* All the changes of container r against its image, sorted by path.  Free
   with husk_changes_free().  */
int husk_container_changes (struct husk_engine *e, const struct husk_container_rec *r,
                            struct husk_change **out, size_t *n, husk_error_t *err);

/* What `diff` compares: a container (its root file system) or an image
   (the tree of its top layer), by its record or ID.  */
struct husk_fs_obj
{
  const struct husk_container_rec *ctr;
  const char *image_id;
};

/**
 * husk_fs_diff() - The changes from one file tree to another
 * @now:    the container or image whose changes are listed
 * @before: what it is compared with; NULL for its own parent (a
 *          container's image, an image's parent layer, nothing under a
 *          one-layer image)
 *
 * Sorted by path, without the mount points the runtime makes when a
 * container is involved.  Free with husk_changes_free().
 */
int husk_fs_diff (struct husk_engine *e, const struct husk_fs_obj *now,
                  const struct husk_fs_obj *before, struct husk_change **out, size_t *n,
                  husk_error_t *err);

/* The same without the mount points the runtime makes: what `diff` shows. */
int husk_container_diff (struct husk_engine *e, const struct husk_container_rec *r,
                         struct husk_change **out, size_t *n, husk_error_t *err);

/* A tar of the container's whole file system to out_fd.  */
int husk_container_export (struct husk_engine *e, const struct husk_container_rec *r,
                           int out_fd, husk_error_t *err);

/* The container's directory in the layer store (store.h's layout).  */
char *husk_container_store_dir (struct husk_engine *e, const char *id);

/* Mount the container's root file system (counted); return its path.  */
char *husk_container_mount (struct husk_engine *e, const struct husk_container_rec *r,
                            husk_error_t *err);

/* Undo one mount (force: all).  A running container keeps the mount it
   runs on: EBUSY when only that one is left.  vfs mounts nothing.  */
int husk_container_unmount (struct husk_engine *e, const struct husk_container_rec *r,
                            bool force, husk_error_t *err);

struct husk_ctr_mount
{
  char *id;
  char *name;
  char *path;
};

/* Containers whose root file system is mounted, newest first.  */
int husk_container_mounts (struct husk_engine *e, struct husk_ctr_mount **out, size_t *n,
                           husk_error_t *err);
void husk_ctr_mount_array_free (struct husk_ctr_mount *a, size_t n);

#endif
