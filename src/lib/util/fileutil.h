/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Files and directories.  */
#ifndef HUSK_UTIL_FILEUTIL_H
#define HUSK_UTIL_FILEUTIL_H

#include "util/error.h"

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* Create path and missing parents with mode.  Return: 0, or -1.  */
int husk_mkdir_p (const char *path, mode_t mode, husk_error_t *err);

/* Read a whole file (NUL-terminated; *len without it).  Return: data or NULL. */
char *husk_read_file (const char *path, size_t *len, husk_error_t *err);
char *husk_read_file_at (int dirfd, const char *path, size_t *len, husk_error_t *err);

/* Write data to path through a temporary file, fsync and rename, so readers
   see the old or the new content, never a part.  */
int husk_write_file_atomic (const char *path, const void *data, size_t len,
                            mode_t mode, husk_error_t *err);

/* The same without the fsync: for files derived from the store and written
   again at every start (the bundle, process.json).  A crash loses nothing
   that the next start does not write again, and each fsync costs
   milliseconds on a virtual disk.  */
int husk_write_file_replace (const char *path, const void *data, size_t len,
                             mode_t mode, husk_error_t *err);

/* Create path, which must not exist yet (nor be a symlink), with data:
   for files of a directory just made, where nobody reads a half-written
   file and the temporary file and rename of the above are wasted.  */
int husk_write_file_new (const char *path, const void *data, size_t len, mode_t mode,
                         husk_error_t *err);

/* Remove path recursively without following symlinks.  Missing is fine.  */
int husk_rm_rf (const char *path, husk_error_t *err);
int husk_rm_rf_at (int dirfd, const char *name, husk_error_t *err);

/* Write all of buf to fd, retrying on EINTR and short writes.  */
int husk_write_all (int fd, const void *buf, size_t len);

bool husk_path_exists (const char *path);

/* Make a fresh directory under parent with the given prefix; return its path.  */
char *husk_mkdtemp_in (const char *parent, const char *prefix, husk_error_t *err);

#endif
