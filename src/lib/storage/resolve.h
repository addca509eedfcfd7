/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Reaching and changing files beneath a directory that someone else may be
 * changing at the same moment (a running container's root, a volume it
 * uses), without ever acting on a host file.
 *
 * Resolution: openat2() with RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS |
 * RESOLVE_NO_MAGICLINKS, so ".." cannot climb above the start and no
 * symlink (planted by a layer or by a running container) is followed
 * anywhere in the path.
 *
 * Metadata: every owner, mode, time and xattr that husk sets beneath such
 * a directory is set through a descriptor of the object, never through its
 * name, because a name is only a name: between mknodat(dir, "x") and
 * fchmodat(dir, "x", ...) a process in the container can replace "x" by a
 * symlink to a host file, and the chmod then lands on the host file.  The
 * husk_resolve_f*() functions accept any descriptor, O_PATH ones included
 * (the only kind a FIFO, a device node or a symlink can be opened as
 * without side effects), and never follow a symlink the descriptor names.
 * husk_resolve_open_made() opens a node just made and checks that it is
 * still the node we made.  Internal to storage/ and container/.
 */
#ifndef HUSK_STORAGE_RESOLVE_H
#define HUSK_STORAGE_RESOLVE_H

#include <stddef.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>

/**
 * husk_resolve_beneath() - Open @path beneath @dirfd without any symlink
 * @flags: open flags (O_CLOEXEC is added)
 *
 * Return: the fd, or -1 with errno set: ELOOP when the path meets a
 * symlink, EXDEV when it would leave @dirfd, ENOENT, ENOTDIR, ...
 */
int husk_resolve_beneath (int dirfd, const char *path, int flags);

/**
 * husk_resolve_open_made() - Open a node this process has just made
 * @dirfd: the directory it was made in
 * @name:  its name there (one component)
 * @type:  its file type (S_IFIFO, S_IFCHR, S_IFLNK, S_IFDIR, ...)
 *
 * The node is opened O_PATH | O_NOFOLLOW, and must have type @type, belong
 * to our effective user and have no other name (a directory: no
 * subdirectory), as a node fresh from mknodat()/symlinkat()/mkdirat() has.
 * Anything else means another process replaced it meanwhile.
 * Return: the O_PATH fd, or -1 with errno set (EBUSY when replaced).
 */
int husk_resolve_open_made (int dirfd, const char *name, mode_t type);

/* Set the mode of the object fd refers to (any fd, O_PATH included; not
   a symlink): fchmod(), else fchmodat2(fd, "", AT_EMPTY_PATH), else
   chmod() of "/proc/self/fd/N".  Return: 0, or -1 with errno.  */
int husk_resolve_fchmod (int fd, mode_t mode);

/* Set the owner of the object fd refers to, a symlink itself when fd is
   an O_PATH fd of one.  Return: 0, or -1 with errno.  */
int husk_resolve_fchown (int fd, uid_t uid, gid_t gid);

/* Set the times of the object fd refers to, a symlink itself when fd is
   an O_PATH fd of one.  Return: 0, or -1 with errno.  */
int husk_resolve_futimens (int fd, const struct timespec ts[2]);

/* Set an xattr on the object fd refers to, a symlink itself when fd is an
   O_PATH fd of one.  Return: 0, or -1 with errno.  */
int husk_resolve_fsetxattr (int fd, const char *name, const void *value, size_t size);

/* "/proc/self/fd/<fd>/<name>" (or without "/<name>" when name is "" or
   NULL): a path for the calls that have no *at() form, such as
   lgetxattr().  The fd part is a magic link to a file we hold; the final
   name is not followed by l*() calls.  Never use it to change a name that
   someone else can replace: open the object and use the calls above.
   Caller frees.  */
char *husk_resolve_proc_path (int fd, const char *name);

#endif
