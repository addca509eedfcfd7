/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Path resolution that cannot leave a directory: openat2() with
 * RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS, so ".."
 * cannot climb above the start and no symlink (planted by a layer or not)
 * is followed anywhere in the path.  Internal to storage/.
 */
#ifndef HUSK_STORAGE_RESOLVE_H
#define HUSK_STORAGE_RESOLVE_H

/**
 * husk_resolve_beneath() - Open @path beneath @dirfd without any symlink
 * @flags: open flags (O_CLOEXEC is added)
 *
 * Return: the fd, or -1 with errno set: ELOOP when the path meets a
 * symlink, EXDEV when it would leave @dirfd, ENOENT, ENOTDIR, ...
 */
int husk_resolve_beneath (int dirfd, const char *path, int flags);

/* "/proc/self/fd/<fd>/<name>" (or without "/<name>" when name is "" or
   NULL): a path for the calls that have no *at() form, such as
   lsetxattr().  The fd part is a magic link to a file we hold; the final
   name is not followed by l*() calls.  Caller frees.  */
char *husk_resolve_proc_path (int fd, const char *name);

#endif
