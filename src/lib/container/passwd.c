/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The container's /etc/passwd and /etc/group entries for a --user that the
 * image does not know (--passwd, --passwd-entry, --group-entry).
 *
 * Theory of operation
 *
 * `husk run -u 1234 IMAGE` runs as uid 1234 whether or not the image's
 * /etc/passwd has it, but without an entry `whoami`, `id -un`, shells and
 * many programs fail.  As Podman does, husk adds one line for a numeric
 * user without an entry ("1234:*:1234:GID:container user:WORKDIR:/bin/sh")
 * and one for a numeric group without one ("GID:x:GID:USER"); the user may
 * give the lines as templates instead.
 *
 * When: at every start, after the container's root file system is mounted
 * and before the OCI spec is generated (the spec's HOME and user come from
 * the copy).  A copy made by an earlier start is kept, so what the
 * container wrote to its /etc/passwd survives a restart.
 *
 * How: the image's file is read inside the root file system with
 * runtime/user.c (openat2 RESOLVE_IN_ROOT, regular files only, bounded
 * size): a symlink /etc/passwd -> /etc/shadow in a hostile image reads
 * the image's own shadow file, never the host's.  The copy, the image's
 * bytes plus the line, is written to the bundle directory (husk's own,
 * mode 0700) and bind-mounted over /etc/passwd or /etc/group by the spec
 * (runtime/spec-mounts.c).  Nothing is ever written inside the root file
 * system, so `husk diff` and `husk commit` do not see the entry.  (Podman
 * 4.3 appends to the file in the container's layer unless the container
 * is --read-only; the container sees the same contents either way.)
 *
 * Templates come from the user and are checked at create: one line, the
 * right number of fields, a name.  The values substituted are numbers,
 * "container user", the user part of --user and the working directory;
 * only the last can hold ':' or a newline, so the lines are checked again
 * once expanded.
 */
#include "container/passwd.h"
#include "runtime/user.h"
#include "util/cleanup.h"
#include "util/fileutil.h"
#include "util/strutil.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define PASSWD_FIELDS 7
#define GROUP_FIELDS 4
#define DEFAULT_PASSWD "$USERNAME:*:$UID:$GID:$NAME:$HOME:/bin/sh"
#define DEFAULT_GROUP "$GROUPNAME:x:$GID:$USERLIST"

struct var
{
  const char *name; /* without the '$' */
  const char *value;
};

/* Replace "$NAME" for each var, trying them in order at each '$'.  */
static char *
expand (const char *tmpl, const struct var *vars, size_t n)
{
  struct husk_buf b = HUSK_BUF_INIT;
  const char *p = tmpl;

  husk_buf_append (&b, "", 0);
  while (*p)
    {
      const char *dollar = strchr (p, '$');
      size_t i;

      if (dollar == NULL)
        {
          husk_buf_puts (&b, p);
          break;
        }
      husk_buf_append (&b, p, dollar - p);
      p = dollar + 1;
      for (i = 0; i < n; i++)
        if (strncmp (p, vars[i].name, strlen (vars[i].name)) == 0)
          break;
      if (i == n)
        {
          husk_buf_putc (&b, '$');
          continue;
        }
      husk_buf_puts (&b, vars[i].value);
      p += strlen (vars[i].name);
    }
  return husk_buf_steal (&b);
}

char *
husk_passwd_expand (const char *tmpl, const char *uid, const char *gid, const char *home)
{
  const struct var vars[] = {
    { "USERNAME", uid }, { "UID", uid }, { "GID", gid },
    { "NAME", "container user" }, { "HOME", home },
  };

  return expand (tmpl, vars, sizeof vars / sizeof *vars);
}

char *
husk_passwd_expand_group (const char *tmpl, const char *gid, const char *users)
{
  const struct var vars[] = {
    { "GROUPNAME", gid }, { "GID", gid }, { "USERLIST", users },
  };

  return expand (tmpl, vars, sizeof vars / sizeof *vars);
}

/* Check that line is one entry of nfields fields with a name.  what names
   it in the message ("--passwd-entry").  */
static int
check_line (const char *line, size_t nfields, size_t max, const char *what,
            const char *layout, husk_error_t *err)
{
  size_t fields = 1;

  if (strlen (line) > max)
    return husk_error_makex (err, EINVAL, "invalid %s: longer than %zu bytes", what, max);
  if (strpbrk (line, "\n\r"))
    return husk_error_makex (err, EINVAL, "invalid %s: it must be a single line, without "
                             "newlines", what);
  for (const char *p = line; *p; p++)
    fields += *p == ':';
  if (fields != nfields)
    return husk_error_makex (err, EINVAL, "invalid %s \"%s\": it has %zu colon-separated "
                             "fields, not %zu (%s)", what, line, fields, nfields, layout);
  if (line[0] == ':')
    return husk_error_makex (err, EINVAL, "invalid %s \"%s\": the name (the first field) is "
                             "empty", what, line);
  return 0;
}

static int
check_passwd_line (const char *line, size_t max, const char *what, husk_error_t *err)
{
  return check_line (line, PASSWD_FIELDS, max, what, "name:password:UID:GID:GECOS:home:shell",
                     err);
}

static int
check_group_line (const char *line, size_t max, const char *what, husk_error_t *err)
{
  return check_line (line, GROUP_FIELDS, max, what, "name:password:GID:users", err);
}

int
husk_passwd_check_entry (const char *tmpl, husk_error_t *err)
{
  return check_passwd_line (tmpl, HUSK_PASSWD_TEMPLATE_MAX, "--passwd-entry", err);
}

int
husk_passwd_check_group_entry (const char *tmpl, husk_error_t *err)
{
  return check_group_line (tmpl, HUSK_PASSWD_TEMPLATE_MAX, "--group-entry", err);
}

/* A uid or gid as Podman takes it: decimal digits, below 2^32 - 1.  */
static bool
parse_id (const char *s, uint32_t *out)
{
  uint64_t v = 0;
  size_t n = strlen (s);

  if (n == 0 || n > 10 || strspn (s, "0123456789") != n)
    return false;
  for (size_t i = 0; i < n; i++)
    v = v * 10 + (uint64_t) (s[i] - '0');
  if (v >= UINT32_MAX)
    return false;
  *out = (uint32_t) v;
  return true;
}

static const char *
or_default (const char *tmpl, const char *def)
{
  return tmpl && *tmpl ? tmpl : def;
}

/* The passwd line for uid and gid, checked.  Return: it, or NULL.  */
static char *
passwd_line (const struct husk_passwd_opts *o, uint32_t uid, uint32_t gid, husk_error_t *err)
{
  const char *tmpl = or_default (o->passwd_entry, DEFAULT_PASSWD);
  const char *home = o->workdir && *o->workdir ? o->workdir : "/";
  const char *what = tmpl == o->passwd_entry ? "--passwd-entry" : "passwd entry";
  char u[16], g[16];
  cleanup_free char *line = NULL;

  if (strstr (tmpl, "$HOME") && strpbrk (home, ":\n\r"))
    return husk_error_makex (err, EINVAL, "the working directory \"%s\" cannot be the home "
                             "directory of a passwd entry: it contains ':' or a newline (use "
                             "--passwd=false, or another --workdir)", home), NULL;
  snprintf (u, sizeof u, "%u", uid);
  snprintf (g, sizeof g, "%u", gid);
  line = husk_passwd_expand (tmpl, u, g, home);
  if (check_passwd_line (line, HUSK_PASSWD_LINE_MAX, what, err) < 0)
    return NULL;
  return steal_ptr (&line);
}

/* The group line for gid with users as members, checked.  */
static char *
group_line (const struct husk_passwd_opts *o, uint32_t gid, const char *users,
            husk_error_t *err)
{
  const char *tmpl = or_default (o->group_entry, DEFAULT_GROUP);
  const char *what = tmpl == o->group_entry ? "--group-entry" : "group entry";
  char g[16];
  cleanup_free char *line = NULL;

  snprintf (g, sizeof g, "%u", gid);
  line = husk_passwd_expand_group (tmpl, g, users);
  if (check_group_line (line, HUSK_PASSWD_LINE_MAX, what, err) < 0)
    return NULL;
  return steal_ptr (&line);
}

int
husk_passwd_check (const struct husk_passwd_opts *o, husk_error_t *err)
{
  const char *user = o->user ? o->user : "";
  const char *colon = strchr (user, ':');
  cleanup_free char *upart = colon ? husk_xstrndup (user, colon - user) : husk_xstrdup (user);
  const char *gpart = colon ? colon + 1 : upart;
  cleanup_free char *pw = NULL, *gr = NULL;
  uint32_t id;

  if ((o->passwd_entry && *o->passwd_entry && husk_passwd_check_entry (o->passwd_entry, err) < 0)
      || (o->group_entry && *o->group_entry
          && husk_passwd_check_group_entry (o->group_entry, err) < 0))
    return -1;
  /* Only numbers get entries; the ids do not change the line's shape.  */
  if (parse_id (upart, &id) && (pw = passwd_line (o, 0, 0, err)) == NULL)
    return -1;
  if (parse_id (gpart, &id) && (gr = group_line (o, 0, upart, err)) == NULL)
    return -1;
  return 0;
}

int
husk_passwd_entries (const char *passwd, size_t plen, const char *group, size_t glen,
                     const struct husk_passwd_opts *o, char **pw_line, char **gr_line,
                     husk_error_t *err)
{
  const char *user = o->user ? o->user : "";
  const char *colon = strchr (user, ':');
  cleanup_free char *upart = NULL, *pw = NULL, *gr = NULL;
  const char *gpart;
  uint32_t id;

  *pw_line = *gr_line = NULL;
  if (*user == '\0')
    return 0; /* root, as the image says */
  upart = colon ? husk_xstrndup (user, colon - user) : husk_xstrdup (user);
  gpart = colon ? colon + 1 : upart;
  if (parse_id (upart, &id))
    {
      struct husk_user u;
      bool known;

      /* The user as the spec will resolve it: an entry only when the
         process would have none.  */
      if (husk_user_resolve_data (passwd, plen, group, glen, user, NULL, &u, err) < 0)
        return -1;
      known = u.name != NULL;
      if (!known)
        pw = passwd_line (o, u.uid, u.gid, err);
      husk_user_release (&u);
      if (!known && pw == NULL)
        return -1;
    }
  if (parse_id (gpart, &id) && !husk_user_find_group (group, glen, gpart, NULL))
    {
      gr = group_line (o, id, upart, err);
      if (gr == NULL)
        return -1;
    }
  if (pw)
    *pw_line = husk_asprintf ("%s\n", pw);
  if (gr)
    *gr_line = husk_asprintf ("%s\n", gr);
  return 0;
}

/* ---- the copies ----------------------------------------------------------- */

/* Compare two absolute paths, ignoring repeated and trailing slashes.  */
static bool
same_path (const char *a, const char *b)
{
  for (;;)
    {
      while (a[0] == '/' && (a[1] == '/' || a[1] == '\0'))
        a++;
      while (b[0] == '/' && (b[1] == '/' || b[1] == '\0'))
        b++;
      if (*a != *b)
        return false;
      if (*a == '\0')
        return true;
      a++;
      b++;
    }
}

/* Does the user mount something on dest?  Then it is theirs.  */
static bool
mounted_at (json_t *ccfg, const char *dest)
{
  size_t i;
  json_t *m;

  json_array_foreach (json_object_get (ccfg, "mounts"), i, m)
    {
      const char *d = json_string_value (json_object_get (m, "destination"));

      if (d && same_path (d, dest))
        return true;
    }
  return false;
}

static bool
is_regular (const char *path)
{
  struct stat st;

  return lstat (path, &st) == 0 && S_ISREG (st.st_mode);
}

/* The image's file, or NULL with *len 0 when it has none.  */
static int
read_image_file (int rootfd, const char *path, char **data, size_t *len, husk_error_t *err)
{
  husk_error_t local = NULL;

  *len = 0;
  *data = husk_user_read_file (rootfd, path, HUSK_USER_FILE_MAX, len, &local);
  if (*data != NULL)
    return 0;
  if (local->code == ENOENT)
    {
      husk_error_release (&local);
      return 0;
    }
  husk_error_move (err, &local);
  return husk_error_wrap (err, "the image's '%s'", path);
}

/* Write the image's bytes plus line to path.  */
static int
write_copy (const char *path, const char *data, size_t len, const char *line,
            husk_error_t *err)
{
  struct husk_buf b = HUSK_BUF_INIT;
  int ret;

  husk_buf_append (&b, data ? data : "", len);
  if (len > 0 && data[len - 1] != '\n')
    husk_buf_putc (&b, '\n'); /* never glue the entry to the last line */
  husk_buf_puts (&b, line);
  ret = husk_write_file_replace (path, b.data, b.len, 0644, err);
  husk_buf_release (&b);
  return ret;
}

static const char *
ccfg_str (json_t *ccfg, const char *key)
{
  return json_string_value (json_object_get (ccfg, key));
}

int
husk_passwd_prepare (json_t *ccfg, const char *rootfs, const char *dir, char **passwd_out,
                     char **group_out, husk_error_t *err)
{
  struct husk_passwd_opts o = {
    .user = ccfg_str (ccfg, "user"), .workdir = ccfg_str (ccfg, "workdir"),
    .passwd_entry = ccfg_str (ccfg, "passwd_entry"), .group_entry = ccfg_str (ccfg, "group_entry"),
  };
  cleanup_free char *pw_path = husk_asprintf ("%s/passwd", dir);
  cleanup_free char *gr_path = husk_asprintf ("%s/group", dir);
  cleanup_free char *pdata = NULL, *gdata = NULL, *pw_line = NULL, *gr_line = NULL;
  cleanup_close int rootfd = -1;
  bool need_pw, need_gr, keep_pw = false, keep_gr = false;
  size_t plen = 0, glen = 0;

  *passwd_out = *group_out = NULL;
  if (json_is_false (json_object_get (ccfg, "passwd")) || o.user == NULL || *o.user == '\0')
    return 0;
  need_pw = !mounted_at (ccfg, "/etc/passwd");
  need_gr = !mounted_at (ccfg, "/etc/group");
  /* An earlier start made it: keep it, and what the container wrote.  */
  if (need_pw && is_regular (pw_path))
    need_pw = !(keep_pw = true);
  if (need_gr && is_regular (gr_path))
    need_gr = !(keep_gr = true);
  if (need_pw || need_gr)
    {
      rootfd = open (rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
      if (rootfd < 0)
        return husk_error_make (err, errno, "open root file system '%s'", rootfs);
      if (read_image_file (rootfd, "/etc/passwd", &pdata, &plen, err) < 0
          || read_image_file (rootfd, "/etc/group", &gdata, &glen, err) < 0
          || husk_passwd_entries (pdata, plen, gdata, glen, &o, &pw_line, &gr_line, err) < 0)
        return -1;
      if (need_pw && pw_line && write_copy (pw_path, pdata, plen, pw_line, err) < 0)
        return -1;
      if (need_gr && gr_line && write_copy (gr_path, gdata, glen, gr_line, err) < 0)
        return -1;
    }
  if (keep_pw || (need_pw && pw_line))
    *passwd_out = steal_ptr (&pw_path);
  if (keep_gr || (need_gr && gr_line))
    *group_out = steal_ptr (&gr_path);
  return 0;
}
