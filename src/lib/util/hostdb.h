/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The host's own accounts, read from /etc/passwd and /etc/group.  husk is a
 * static binary: glibc's getpwuid() would have to dlopen NSS modules built
 * for another libc, so husk reads the files, as the kernel-facing tools of
 * minimal systems do.  Accounts that exist only in LDAP or sssd are not
 * seen: callers fall back to the number.
 */
#ifndef HUSK_UTIL_HOSTDB_H
#define HUSK_UTIL_HOSTDB_H

#include <sys/types.h>

/* Field `field` (0 = name, 5 = home for passwd) of the entry whose third
   field is `id` in `path` ("/etc/passwd" or "/etc/group"), malloc'd; NULL
   when there is none.  */
char *husk_hostdb_field (const char *path, unsigned long id, int field);

#endif
