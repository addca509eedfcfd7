/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Writing file trees as tar streams (pax): what `cp`, `export` and `commit`
 * send.  Every object is reached through a directory fd with O_NOFOLLOW, so
 * a tree that changes while it is read (a running container's root) cannot
 * lead the walk anywhere else: a symlink is archived as a symlink and never
 * followed, and a file swapped between its stat and its open is left out.
 */
#ifndef HUSK_CONTAINER_FSTAR_H
#define HUSK_CONTAINER_FSTAR_H

#include "util/error.h"

#include <stdbool.h>
#include <sys/types.h>

struct husk_fstar;

/* Return 0 to archive the entry, 1 to leave it (and what is below it)
   out, or -1 with an error to stop.  path is the entry's name in the tar
   ("etc/hosts"), mode its file type and permissions.  */
typedef int (*husk_fstar_check_fn) (void *data, const char *path, mode_t mode,
                                    husk_error_t *err);

struct husk_idmap;

struct husk_fstar_opts
{
  bool set_owner;          /* give every entry the owner below */
  uid_t uid;
  gid_t gid;
  bool skip_devices;       /* leave device nodes out (copies to the host) */
  bool xattrs;             /* archive extended attributes (not overlay's own) */
  bool overlay_whiteouts;  /* walking an overlay upper dir: char 0/0 becomes
                              ".wh.<name>", an opaque directory gets
                              ".wh..wh..opq" */
  bool fuse_whiteouts;     /* and fuse-overlayfs's: a ".wh.<name>" file is a
                              whiteout, in the layer as it is */
  bool sparse;             /* holes of regular files as holes (pax GNU.sparse
                              1.0, read by libarchive, GNU tar and Go), so a
                              sparse file costs its data, not its size */
  /* The tree's owners are host IDs of a container with these maps: the
     entries get the container's IDs (util/idmap.h).  NULL: as they are. */
  const struct husk_idmap *uids, *gids;
  husk_fstar_check_fn check; /* may be NULL */
  void *check_data;
};

/* Start a tar stream on out_fd (a socket is written with MSG_NOSIGNAL).  */
struct husk_fstar *husk_fstar_new (int out_fd, const struct husk_fstar_opts *o,
                                   husk_error_t *err);

/**
 * husk_fstar_add() - Archive an object and, for a directory, its content
 * @fd: the object (an O_PATH descriptor is enough)
 * @as: its name in the tar; "" archives only the content of a directory
 *
 * Return: 0, or -1.
 */
int husk_fstar_add (struct husk_fstar *w, int fd, const char *as, husk_error_t *err);

/* Archive the single entry name in dirfd as path (a directory without its
   content).  Return: 0, or -1.  */
int husk_fstar_add_entry (struct husk_fstar *w, int dirfd, const char *name,
                          const char *path, husk_error_t *err);

/* Archive a whiteout for path: ".wh.<base>" in the same directory.  A
   base that begins with ".wh." itself is refused (EINVAL): its whiteout
   would read as an aufs marker or as an opaque directory.  */
int husk_fstar_add_whiteout (struct husk_fstar *w, const char *path, husk_error_t *err);

/**
 * husk_fstar_add_archive() - Copy the entries of a tar stream
 * @in_fd: a tar, plain or compressed (gzip, zstd, bzip2, xz)
 *
 * The check and set_owner options apply to every entry; names keep what
 * the stream says (the reader of our stream judges them), except that a
 * root entry ("./") is left out: it would describe the directory the
 * stream is extracted into.
 * Return: 0, or -1 (EILSEQ when the stream holds no tar entry at all).
 */
int husk_fstar_add_archive (struct husk_fstar *w, int in_fd, husk_error_t *err);

/* The names in directory dirfd (taken; path names it in errors), sorted
   bytewise, without "." and "..", so that streams and listings do not
   depend on the order the file system returns.  Return: a vector (free
   with husk_strv_free()), or NULL.  */
char **husk_fstar_names (int dirfd, const char *path, husk_error_t *err);
/* Whether name in dirfd (stat st) is fuse-overlayfs's own mark of an
   opaque directory of an upper tree (".wh..wh..opq", a ".wh..opq"
   whiteout), beside the opaque xattr: not a file of the container.  */
struct stat;
bool husk_fstar_fuse_mark (int dirfd, const char *name, const struct stat *st);
/* Whether name (stat st) is fuse-overlayfs's other form of whiteout, an
   empty ".wh.<name>" file, made where 0/0 devices cannot be.  */
bool husk_fstar_fuse_whiteout (const char *name, const struct stat *st);

/* Write the end of the archive.  Return: 0, or -1.  */
int husk_fstar_finish (struct husk_fstar *w, husk_error_t *err);
void husk_fstar_free (struct husk_fstar *w);

#endif
