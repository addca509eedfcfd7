/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Users and groups inside an image: "name", "uid", "name:group", "uid:gid"
 * and --group-add entries resolved against the image's /etc/passwd and
 * /etc/group, read without ever leaving the root file system.
 */
#ifndef HUSK_RUNTIME_USER_H
#define HUSK_RUNTIME_USER_H

#include "util/error.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The largest /etc/passwd or /etc/group read; larger ones are refused.  */
#define HUSK_USER_FILE_MAX (4u << 20)

struct husk_user
{
  uint32_t uid;
  uint32_t gid;
  uint32_t *gids;  /* supplementary groups (process.user.additionalGids) */
  size_t n_gids;
  char *name;      /* from /etc/passwd; NULL when the uid has no entry */
  char *home;      /* from /etc/passwd; "/" when the uid has no entry */
};

/**
 * husk_user_resolve_data() - Resolve a user from file contents
 * @passwd:    /etc/passwd contents (need not be NUL-terminated); NULL: none
 * @group:     /etc/group contents; NULL: none
 * @spec:      "", "name", "uid", "name:group", "uid:gid" ("" is root)
 * @group_add: extra groups by name or number, NULL-terminated; may be NULL
 * @u:         filled in; release with husk_user_release()
 * @err:       Podman's wording, e.g. "unable to find user tester2: no
 *             matching entries in passwd file"
 *
 * As in Podman: a numeric uid without a passwd entry is fine (gid 0, home
 * "/"); supplementary groups are the groups listing the user's name, unless
 * the group was given explicitly, then the group_add entries; for non-root
 * users (and whenever there are any) the primary gid comes first.
 *
 * Return: 0, or -1 (EINVAL for a malformed spec, ENOENT for unknown names).
 */
int husk_user_resolve_data (const char *passwd, size_t passwd_len,
                            const char *group, size_t group_len, const char *spec,
                            char *const *group_add, struct husk_user *u,
                            husk_error_t *err);

/**
 * husk_user_resolve() - Resolve a user inside a root file system
 * @rootfd: an O_PATH (or O_DIRECTORY) descriptor of the root file system
 * Others as for husk_user_resolve_data().
 *
 * /etc/passwd and /etc/group are opened with openat2(RESOLVE_IN_ROOT), so
 * symlinks resolve inside the root and can never reach the host's files;
 * files that are missing count as empty; non-regular files and files over
 * HUSK_USER_FILE_MAX are errors.
 *
 * Return: 0, or -1.
 */
int husk_user_resolve (int rootfd, const char *spec, char *const *group_add,
                       struct husk_user *u, husk_error_t *err);

/**
 * husk_user_resolve_files() - husk_user_resolve() with husk's own copies
 * @passwd_path: a host file bound over /etc/passwd in the container (the
 *               copy container/passwd.c writes); NULL: the image's file
 * @group_path:  the same for /etc/group
 * Others as for husk_user_resolve().
 *
 * The copies are read with O_NOFOLLOW and must be regular files no larger
 * than twice HUSK_USER_FILE_MAX (the image's file plus one entry).
 *
 * Return: 0, or -1.
 */
int husk_user_resolve_files (int rootfd, const char *passwd_path, const char *group_path,
                             const char *spec, char *const *group_add, struct husk_user *u,
                             husk_error_t *err);

/**
 * husk_user_find_group() - Look a group up in /etc/group contents
 * @group: the contents (need not be NUL-terminated); NULL: none
 * @len:   their length
 * @key:   a group name, or a number matched against the gids
 * @gid:   set to the gid found; may be NULL
 *
 * Return: true when a group matches.
 */
bool husk_user_find_group (const char *group, size_t len, const char *key, uint32_t *gid);

/**
 * husk_user_read_file() - Read a small file inside a root file system
 * @rootfd: as for husk_user_resolve()
 * @path:   path inside the root ("/etc/passwd")
 * @max:    the largest size accepted
 * @len:    set to the length read
 *
 * Return: the contents (NUL-terminated), NULL with ENOENT in the error when
 * the file does not exist, or NULL on other failures.
 */
char *husk_user_read_file (int rootfd, const char *path, size_t max, size_t *len,
                           husk_error_t *err);

void husk_user_release (struct husk_user *u);

#endif
