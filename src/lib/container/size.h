/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * How many bytes a container's read-write layer holds, for `ps --size` and
 * `inspect --size`.  Sizes are apparent sizes (st_size) of everything that
 * is not a directory, read without following any symlink (a symlink counts
 * the length of its target), each inode once however many hard links it
 * has, as Podman (containers/storage) counts them.
 */
#ifndef HUSK_CONTAINER_SIZE_H
#define HUSK_CONTAINER_SIZE_H

#include "container/changes.h"
#include "engine/engine.h"
#include "state/containers.h"
#include "util/error.h"

#include <stddef.h>
#include <stdint.h>

struct husk_container_size
{
  int64_t rw;     /* bytes of the read-write layer (the container's changes) */
  int64_t rootfs; /* the image's size plus rw: the whole root file system */
};

/**
 * husk_container_size() - Sizes of a container's root file system
 * @r:   the container
 * @out: filled in
 *
 * rw is what the container changed: overlay's upper directory
 * (<graphroot>/overlay/containers/<id>/diff, exactly the container's
 * writes, so its whole content is counted), or for vfs the added and
 * changed files of its copy (what `diff` lists; nothing is mounted for
 * overlay, vfs's image tree is a plain directory).  rootfs adds the size
 * of the image as `husk images` shows it (the uncompressed layers); an
 * image that is gone counts 0.
 * Return: 0, or -1.
 */
int husk_container_size (struct husk_engine *e, const struct husk_container_rec *r,
                         struct husk_container_size *out, husk_error_t *err);

/**
 * husk_size_tree() - Bytes of the files below a directory
 * @dir_fd: the directory (not taken)
 * @out:    the total
 *
 * Overlay's upper directory holds exactly what the container wrote, so
 * its total is the read-write layer's size (whiteouts are 0 bytes).
 * Entries that vanish during the walk (a running container deleting
 * files) are skipped.
 * Return: 0, or -1 (ELOOP when directories nest deeper than 512).
 */
int husk_size_tree (int dir_fd, int64_t *out, husk_error_t *err);

/**
 * husk_size_changes() - Bytes of the added and changed files of a tree
 * @tree_fd: the container's full tree (vfs)
 * @c, @n:   its changes against the image (husk_changes_compare())
 * @out:     the total
 *
 * Paths are resolved beneath @tree_fd without following symlinks; one
 * that no longer resolves is skipped.
 * Return: 0, or -1.
 */
int husk_size_changes (int tree_fd, const struct husk_change *c, size_t n, int64_t *out,
                       husk_error_t *err);

#endif
