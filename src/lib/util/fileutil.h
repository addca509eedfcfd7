/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Files and directories.  */
#ifndef HUSK_UTIL_FILEUTIL_H
#define HUSK_UTIL_FILEUTIL_H

#include "util/error.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Create path and missing parents with mode.  Return: 0, or -1.  */
int husk_mkdir_p (const char *path, mode_t mode, husk_error_t *err);

/* Read a whole file (NUL-terminated; *len without it).  Return: data or NULL. */
char *husk_read_file (const char *path, size_t *len, husk_error_t *err);
char *husk_read_file_at (int dirfd, const char *path, size_t *len, husk_error_t *err);

/* Write data to path through a temporary file, fsync and rename, so readers
   see the old or the new content, never a part.  This is
   husk_output_write() (below): an existing device or FIFO at path
   is written into instead, a directory refused, "-" is standard output.  */
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

/* Remove path recursively without following symlinks and without crossing
   into another mount (bind mounts too): a mount point below path is an
   error (EBUSY) and what is mounted there is left alone; unmount first.
   Missing is fine.  */
int husk_rm_rf (const char *path, husk_error_t *err);
int husk_rm_rf_at (int dirfd, const char *name, husk_error_t *err);

/* Write all of buf to fd, retrying on EINTR and short writes.  */
int husk_write_all (int fd, const void *buf, size_t len);

bool husk_path_exists (const char *path);

/* The name of a network file system that does not understand user
   namespaces (NFS, CIFS/SMB, AFS, Lustre, GPFS, CephFS), given statfs()'s
   f_type: its server sees the user's own uid and refuses files of
   subordinate IDs.  NULL for any other type.  */
const char *husk_fs_network_name (long f_type);
/* The same for the file system that holds path (NULL when unknown).  */
const char *husk_path_network_fs (const char *path);

/**
 * husk_work_entry_claim() - Whether a work entry (of a tmp/ directory) is
 *   stale, and if so lock it
 * @lock_fd: set to a descriptor holding the entry's flock when stale (-1
 *           when the entry is not a file or directory)
 *
 * Work entries (directories and files) are flock()ed by the process using
 * them for as long as it does; a free lock means that process died.  Names
 * beginning with "." are entries being made (created, locked, renamed):
 * in use unless older than HUSK_WORK_HIDDEN_GRACE_S.  Anything but a file
 * or directory is garbage.
 * Return: 1 when in use, 0 when stale.
 */
#define HUSK_WORK_HIDDEN_GRACE_S 3600
int husk_work_entry_claim (int dfd, const char *name, int *lock_fd);

/**
 * husk_work_file_create() - A new work file in dir, locked from its first
 *   moment under a name husk_work_entry_claim() looks at
 * @prefix: "commit", "import": the name is "<prefix>-XXXXXXXX"
 * @path:   set to its path (a new string)
 *
 * The file is made unnamed (O_TMPFILE), locked, then linked in, so a
 * process killed at any point leaves either nothing or a file whose free
 * lock says it is stale.  Where O_TMPFILE is not supported it falls back to
 * a hidden name, locked, renamed (a kill in between leaves a hidden file
 * for the grace period).  The lock lasts while the descriptor is open.
 *
 * Return: the descriptor (O_RDWR), or -1.
 */
int husk_work_file_create (const char *dir, const char *prefix, char **path,
                           husk_error_t *err);

/* Disk use (allocated blocks) of the tree at name of dfd, without
   following symlinks or entering mounts.  */
int64_t husk_tree_bytes_at (int dfd, const char *name);

/* Make a fresh directory under parent with the given prefix; return its path.  */
char *husk_mkdtemp_in (const char *parent, const char *prefix, husk_error_t *err);

/*
 * Named output files (husk_output_*): what `save -o`, `export -o`, `volume export -o`,
 * `--iidfile`, `--cidfile` and every other "write the result to PATH"
 * option go through, so that all of them treat the host's nodes alike.
 *
 *   "-", "/dev/stdout", "/dev/fd/1", "/proc/self/fd/1"
 *                         standard output, as Podman writes it
 *   a new path, or an existing regular file (also through a symlink)
 *                         a temporary file beside it, fsynced and renamed
 *                         over it at the end: readers see the old or the
 *                         new content, and a failed write leaves the old
 *   an existing character or block device, FIFO (or socket)
 *                         opened O_WRONLY|O_TRUNC, never created, and
 *                         written straight into: renaming a file over
 *                         /dev/null would replace the host's node
 *   an existing directory refused (EISDIR)
 */
struct husk_output
{
  int fd;         /* write here; -1 when not open */
  char *path;     /* what the user named */
  char *target;   /* the file renamed over (path with its symlinks resolved) */
  char *tmp;      /* the temporary file while not committed; NULL when direct */
  bool is_stdout; /* fd is our standard output: never closed */
};

/**
 * husk_output_is_stdout() - Whether an output name means standard output
 * Return: true for "-", "/dev/stdout", "/dev/fd/1" and "/proc/self/fd/1".
 */
bool husk_output_is_stdout (const char *path);

/**
 * husk_output_open() - Open a named output for writing
 * @o:    initialised here; release with husk_output_release()
 * @path: the name given by the user
 * @mode: permissions of a file made anew
 *
 * Return: 0 with o->fd open, or -1 (EISDIR for a directory).
 */
int husk_output_open (struct husk_output *o, const char *path, mode_t mode,
                      husk_error_t *err);

/**
 * husk_output_commit() - Finish writing: fsync and rename a temporary file
 * into place; a direct write only has its descriptor closed.
 * Return: 0, or -1 (the temporary file is removed by the release).
 */
int husk_output_commit (struct husk_output *o, husk_error_t *err);

/* Close; a temporary file that was not committed is removed.  Safe to call
   twice and on a zeroed struct with fd -1.  */
void husk_output_release (struct husk_output *o);

/* Open, write data, commit.  Return: 0, or -1.  */
int husk_output_write (const char *path, const void *data, size_t len, mode_t mode,
                       husk_error_t *err);

#endif
