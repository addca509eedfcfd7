/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Copying a directory tree with everything a root file system needs:
 * owners, modes (setuid/setgid/sticky), xattrs, times, hard links, symlinks,
 * devices, fifos.  File data is reflinked (FICLONE) when the file system
 * can, else copied in the kernel (copy_file_range).  Used by the vfs driver
 * for layers and container layers.  Internal to storage/.
 */
#ifndef HUSK_STORAGE_COPY_H
#define HUSK_STORAGE_COPY_H

#include "util/error.h"

#include <stdbool.h>

struct husk_idmap;

struct husk_copy_opts
{
  bool rootless; /* skip device nodes; ignore chown and xattr refusals */
  /* Shift owners into a user namespace: the copy of a file owned by ID n
     is owned by the host ID that container ID n maps to (an unmapped ID
     becomes host ID 65534, seen inside as the overflow ID).  NULL: keep. */
  const struct husk_idmap *uids, *gids;
};

/**
 * husk_copy_tree() - Copy the content of one directory into another
 * @src_fd: the directory to copy (its content and its own metadata)
 * @dst_fd: an existing, empty directory; gets the content and the metadata
 *
 * Symlinks are copied as links, never followed.
 * Return: 0, or -1.
 */
int husk_copy_tree (int src_fd, int dst_fd, const struct husk_copy_opts *o,
                    husk_error_t *err);

#endif
