/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Copying files between the host and a container's root file system with
 * `docker cp` / `podman cp` semantics, without ever letting the container
 * choose where on the host anything is written or read.
 */
#ifndef HUSK_CONTAINER_CP_H
#define HUSK_CONTAINER_CP_H

#include "util/error.h"

#include <stdbool.h>
#include <sys/types.h>

struct husk_idmap;

struct husk_cp_opts
{
  bool overwrite;     /* replace directories with non-directories and back */
  bool set_owner;     /* copies into the container: give them uid:gid */
  uid_t uid;
  gid_t gid;
  const char *where;  /* "container web", for messages */
  const char *workdir; /* the container's working directory: relative
                          container paths start there ("/" when NULL) */
  const char *src_where, *src_workdir; /* husk_cp_between()'s source */
  bool rootless;      /* skip device nodes and owners that cannot be set */
  /* The maps of the destination's and of the source container's own user
     namespace (util/idmap.h), NULL without one: owners in the copy are
     container IDs, on disk the host IDs they map to.  */
  const struct husk_idmap *uids, *gids, *src_uids, *src_gids;
};

/**
 * husk_cp_into() - Copy a host path, or a tar stream, into a root file system
 * @rootfd: the container's root file system (an O_PATH directory fd)
 * @dst:    the path inside the container ("/etc", "etc/x", "/tmp/")
 * @src:    the host path, or NULL to extract the tar read from @in_fd
 *          (@dst must then be an existing directory; a stream that is
 *          not a tar fails with EINVAL "source must be a (compressed) tar
 *          archive when copying from stdin")
 *
 * Every container path is resolved with openat2(RESOLVE_IN_ROOT), so its
 * symlinks resolve as the container sees them and never leave the root;
 * the files are written by husk_tar_apply() beneath the directory so
 * found, which follows no symlink at all.
 * Return: 0, or -1 (ENOENT when @dst's parent does not exist).
 */
int husk_cp_into (int rootfd, const char *dst, const char *src, int in_fd,
                  const struct husk_cp_opts *o, husk_error_t *err);

/**
 * husk_cp_between() - Copy a path of one root file system into another
 * @srcroot: the source container's root (an O_PATH directory fd)
 * @src:     the path there, resolved as husk_cp_out() resolves it
 * @dstroot, @dst: the destination, as husk_cp_into() takes it
 *
 * The names follow the host-to-container rules, with @src in the place
 * of the host path; nothing is resolved outside either root.
 * Return: 0, or -1 (ENOENT when @src or @dst's parent does not exist).
 */
int husk_cp_between (int srcroot, const char *src, int dstroot, const char *dst,
                     const struct husk_cp_opts *o, husk_error_t *err);

/**
 * husk_cp_out() - Copy a path of a root file system to the host
 * @src: the path inside the container; a final "/." copies a directory's
 *       content; symlinks resolve inside the root
 * @dst: the host path, or NULL to write a tar to @out_fd
 *
 * What is written on the host belongs to the caller; device nodes are left
 * out; symlinks are copied as symlinks.
 * Return: 0, or -1 (ENOENT when @src does not exist).
 */
int husk_cp_out (int rootfd, const char *src, const char *dst, int out_fd,
                 const struct husk_cp_opts *o, husk_error_t *err);

#endif
