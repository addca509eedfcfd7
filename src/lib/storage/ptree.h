/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A path tree: the set of relative paths a layer touched, stored as nodes
 * (parent, name) in one hash table, so that recording a path costs its
 * length and memory stays proportional to the input, however deep or
 * hostile the paths.  Internal to storage/.
 */
#ifndef HUSK_STORAGE_PTREE_H
#define HUSK_STORAGE_PTREE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HUSK_PTREE_ROOT 0u
#define HUSK_PTREE_NONE UINT32_MAX

/* Node flags.  */
#define HUSK_PTREE_FRESH 1u /* a directory this layer created */
#define HUSK_PTREE_DONE 2u  /* free for a caller's own bookkeeping */

struct husk_ptree;

struct husk_ptree *husk_ptree_new (void);
void husk_ptree_free (struct husk_ptree *t);

/**
 * husk_ptree_child() - Find (or add) the child @name of node @parent
 * @name/@len: one path component (not NUL-terminated necessarily)
 * @create:    add the node when missing
 *
 * Return: the node, or HUSK_PTREE_NONE when missing and !@create.
 */
uint32_t husk_ptree_child (struct husk_ptree *t, uint32_t parent,
                           const char *name, size_t len, bool create);

/* Walk (adding when @create) every component of the relative path @path
   ("" is the root).  Return: the node, or HUSK_PTREE_NONE.  */
uint32_t husk_ptree_path (struct husk_ptree *t, const char *path, bool create);

void husk_ptree_set_flags (struct husk_ptree *t, uint32_t node, unsigned flags);
unsigned husk_ptree_flags (struct husk_ptree *t, uint32_t node);

#endif
