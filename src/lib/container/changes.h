/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What a container changed in its root file system, against its image:
 * the list `diff` prints and the layer `commit` writes.  Overlay keeps the
 * changes in the container's upper directory; vfs keeps a full copy, which
 * is compared with the image's tree.
 */
#ifndef HUSK_CONTAINER_CHANGES_H
#define HUSK_CONTAINER_CHANGES_H

#include "util/error.h"

#include <stdbool.h>
#include <stddef.h>

struct husk_change
{
  char kind;  /* 'A' added, 'C' changed, 'D' deleted */
  char *path; /* absolute inside the container: "/etc/hosts" */
};

void husk_changes_free (struct husk_change *c, size_t n);

/**
 * husk_changes_overlay() - Changes recorded in an overlay upper directory
 * @upper_fd: the upper directory
 * @lower_fd: the image's merged tree (what the upper directory covers), or
 *            -1 for an image without layers
 * @out, @n:  the changes, sorted by path
 *
 * @fuse:     the upper directory is fuse-overlayfs's, whose whiteouts may
 *            also be ".wh.<name>" files (where it cannot make 0/0 devices)
 *
 * A whiteout (char device 0/0) is a deletion; an entry that the lower
 * tree has is a change, else an addition; below an opaque directory the
 * two trees are compared as by husk_changes_compare().
 * Return: 0, or -1.
 */
int husk_changes_overlay (int upper_fd, int lower_fd, bool fuse, struct husk_change **out,
                          size_t *n, husk_error_t *err);

/**
 * husk_changes_compare() - Changes between two full trees (vfs)
 * @new_fd: the container's tree
 * @old_fd: the image's tree, or -1 for none
 *
 * A file is changed when its type, permissions, owner, size, mtime, device
 * number or link target differ; a directory when its own metadata differ
 * or anything below it changed.
 * Return: 0, or -1.
 */
int husk_changes_compare (int new_fd, int old_fd, struct husk_change **out, size_t *n,
                          husk_error_t *err);

/* Whether path ("/etc/hosts") is a mount point the runtime makes in every
   container (hosts, hostname, resolv.conf, /proc, ...), which `diff` does
   not report, as Podman does not.  */
bool husk_changes_runtime_path (const char *path);

struct husk_idmap;

/**
 * husk_changes_layer_overlay() - Write an overlay upper directory as a layer
 * @upper_fd: the upper directory
 * @fuse:     the store's overlay is a mount program's (fuse-overlayfs): its
 *            own whiteout files count as whiteouts too
 * @out_fd:   where the tar goes
 * @uids, @gids: the container's maps, NULL without: owners become its IDs
 *
 * Whiteouts become ".wh.<name>" entries and opaque directories get
 * ".wh..wh..opq"; the files the runtime bind-mounts over (/etc/hosts,
 * /etc/hostname, /etc/resolv.conf, /run/.containerenv) are left out.  A
 * file the container named ".wh.*" fails the layer (EINVAL, naming it):
 * it would be a whiteout there.  Sparse files keep their holes (pax
 * GNU.sparse 1.0 entries).
 * Return: 0, or -1.
 */
int husk_changes_layer_overlay (int upper_fd, bool fuse, int out_fd, const struct husk_idmap *uids,
                                const struct husk_idmap *gids, husk_error_t *err);

/* The parent directory of rel beneath root (O_PATH), no symlink followed;
   *base is set to rel's last part.  Return: the fd, or -1 with errno.  */
int husk_changes_open_parent (int root, const char *rel, const char **base);

/**
 * husk_changes_layer_list() - Write listed changes of a full tree as a layer
 * @tree_fd: the container's tree
 * @c, @n:   its changes (husk_changes_compare()), sorted
 *
 * Names and sparse files as for husk_changes_layer_overlay().
 * Return: 0, or -1.
 */
int husk_changes_layer_list (int tree_fd, const struct husk_change *c, size_t n, int out_fd,
                             const struct husk_idmap *uids, const struct husk_idmap *gids,
                             husk_error_t *err);

#endif
