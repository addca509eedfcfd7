/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The container's /etc/passwd and /etc/group entries (--passwd,
 * --passwd-entry, --group-entry): when the --user uid has no passwd entry
 * in the image, or the group no group entry, the container sees a copy of
 * the image's file with one line added, as in Podman.
 */
#ifndef HUSK_CONTAINER_PASSWD_H
#define HUSK_CONTAINER_PASSWD_H

#include "util/error.h"

#include <jansson.h>
#include <stddef.h>

/* The longest --passwd-entry or --group-entry template, and the longest
   line one may expand to.  */
#define HUSK_PASSWD_TEMPLATE_MAX 4096
#define HUSK_PASSWD_LINE_MAX 65536

/* What decides the entries.  */
struct husk_passwd_opts
{
  const char *user;         /* the container's user: "", "uid", "uid:gid", "name", ... */
  const char *workdir;      /* the container's working directory: the entry's home */
  const char *passwd_entry; /* --passwd-entry; NULL or "": Podman's default line */
  const char *group_entry;  /* --group-entry; NULL or "": Podman's default line */
};

/**
 * husk_passwd_check_entry() - Check a --passwd-entry template
 * @tmpl: e.g. "$USERNAME:x:$UID:$GID:$NAME:$HOME:/bin/sh"
 *
 * A template is one line (no newline or carriage return) of the seven
 * colon-separated fields of /etc/passwd, the first (the name) not empty,
 * at most HUSK_PASSWD_TEMPLATE_MAX bytes.
 *
 * Return: 0, or -1 with EINVAL and a message naming the flag.
 */
int husk_passwd_check_entry (const char *tmpl, husk_error_t *err);

/**
 * husk_passwd_check_group_entry() - Check a --group-entry template
 * @tmpl: e.g. "$GROUPNAME:x:$GID:$USERLIST"
 *
 * As husk_passwd_check_entry(), with the four fields of /etc/group.
 *
 * Return: 0, or -1 with EINVAL.
 */
int husk_passwd_check_group_entry (const char *tmpl, husk_error_t *err);

/**
 * husk_passwd_check() - Check everything the entries depend on, at create
 * @o: the user, working directory and templates
 *
 * Checks both templates, and, when the user is a number (the only case in
 * which an entry can be added), that the lines they expand to with this
 * working directory are still single lines with the right fields: a home
 * directory with ':' or a newline cannot be written to /etc/passwd.
 *
 * Return: 0, or -1 with EINVAL.
 */
int husk_passwd_check (const struct husk_passwd_opts *o, husk_error_t *err);

/**
 * husk_passwd_expand() - Substitute the variables of a --passwd-entry
 * @tmpl: the template
 * @uid, @gid: the numbers for $UID (and $USERNAME) and $GID
 * @home: the value of $HOME
 *
 * $USERNAME and $UID become the uid, $GID the gid, $NAME "container user"
 * and $HOME home, in one pass: substituted text is never substituted again.
 * Anything else (other "$" words too) is kept as it is.
 *
 * Return: the line, without a newline (never NULL).
 */
char *husk_passwd_expand (const char *tmpl, const char *uid, const char *gid,
                          const char *home);

/**
 * husk_passwd_expand_group() - Substitute the variables of a --group-entry
 * @tmpl: the template
 * @gid:  the number for $GROUPNAME and $GID
 * @users: the value of $USERLIST (the user part of --user)
 *
 * Return: the line, without a newline (never NULL).
 */
char *husk_passwd_expand_group (const char *tmpl, const char *gid, const char *users);

/**
 * husk_passwd_entries() - The lines to add to the image's files
 * @passwd, @plen: the image's /etc/passwd (need not be NUL-terminated);
 *                 NULL when it has none
 * @group, @glen:  the image's /etc/group; NULL when it has none
 * @o:             the user, working directory and templates
 * @pw_line:       set to the line for /etc/passwd, with its newline, or
 *                 NULL when none is needed
 * @gr_line:       the same for /etc/group
 *
 * As Podman does: a passwd line when the user part of @o->user is a number
 * that has no entry, with the resolved gid ("uid:gid", "uid:group" or 0)
 * and the working directory as home ("1234:*:1234:0:container
 * user:/:/bin/sh"); a group line when the group part (or, without one, the
 * user part) is a number that no group has ("5678:x:5678:1234", the user
 * part as its member list).  Names are never added.
 *
 * Return: 0, or -1: an unknown user or group name, or a line that is not
 * a valid entry (EINVAL).
 */
int husk_passwd_entries (const char *passwd, size_t plen, const char *group, size_t glen,
                         const struct husk_passwd_opts *o, char **pw_line, char **gr_line,
                         husk_error_t *err);

/**
 * husk_passwd_prepare() - Write the container's copies of /etc/passwd and /etc/group
 * @ccfg:       the container configuration ("user", "workdir", "passwd",
 *              "passwd_entry", "group_entry", "mounts")
 * @rootfs:     the container's mounted root file system
 * @dir:        the bundle directory: the copies are <dir>/passwd, <dir>/group
 * @passwd_out: set to the copy to bind over /etc/passwd, or NULL
 * @group_out:  set to the copy to bind over /etc/group, or NULL
 *
 * Nothing happens with "passwd": false, or for a file the user mounts
 * something on.  A copy made by an earlier start is kept, with whatever the
 * container wrote to it.  Otherwise the image's file is read inside the
 * root (runtime/user.h: a symlink cannot lead out of it) and, when an entry
 * is needed, the copy is that file (or nothing, when the image has none)
 * with the entry appended.  The image's files are never written.
 *
 * Return: 0, or -1.
 */
int husk_passwd_prepare (json_t *ccfg, const char *rootfs, const char *dir, char **passwd_out,
                         char **group_out, husk_error_t *err);

#endif
