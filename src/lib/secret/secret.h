/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The file driver of secrets: each secret's data is one file
   <root>/secrets/<id>, mode 0600, in a directory of mode 0700, written
   through a temporary file and a rename, always relative to the
   directory's descriptor.  The state database (state/secrets.h) knows the
   secret's name and labels, never its data.  */
#ifndef HUSK_SECRET_SECRET_H
#define HUSK_SECRET_SECRET_H

#include "util/error.h"

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* Podman's bounds: at least 1 byte, less than 512000.  */
#define HUSK_SECRET_MAX_SIZE 512000

/* Length of a secret's ID in hex digits, as Podman.  */
#define HUSK_SECRET_ID_LEN 25

/* 0, or -1 EINVAL with Podman's message: a name is 1 to 253 bytes without
   '=', '/', ',' (and husk also refuses "." and "..", which would name a
   directory under /run/secrets).  */
int husk_secret_name_check (const char *name, husk_error_t *err);

/* 0, or -1 EINVAL "secret data must be larger than 0 and less than 512000
   bytes".  */
int husk_secret_size_check (size_t len, husk_error_t *err);

/* Write the data of the secret id, replacing what it had.  */
int husk_secret_data_write (const char *root, const char *id, const void *data, size_t len,
                            husk_error_t *err);

/* The data of the secret id (malloc'd, NUL-terminated, *len without it).  */
char *husk_secret_data_read (const char *root, const char *id, size_t *len,
                             husk_error_t *err);

/* Remove the data of the secret id; missing is fine.  */
int husk_secret_data_remove (const char *root, const char *id, husk_error_t *err);

/* Write data as the file name in the directory dirfd (a temporary name,
   then renameat over name), with owner uid:gid and mode; never follows a
   symlink.  Used for a secret's copy in a container's directories.  */
int husk_secret_write_at (int dirfd, const char *name, const void *data, size_t len,
                          uid_t uid, gid_t gid, mode_t mode, bool sync, husk_error_t *err);

#endif
