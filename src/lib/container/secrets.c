/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A container's secrets: parse, resolve and copy at create, prepare at
   start (container/secrets.h).  */
#include "container/secrets.h"
#include "container/idmaps.h"
#include "container/lifecycle.h"
#include "secret/secret.h"
#include "state/secrets.h"
#include "util/cleanup.h"
#include "util/fileutil.h"
#include "util/idmap.h"
#include "util/strutil.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int
parse_uint (const char *v, int base, uint64_t max, uint64_t *out)
{
  char *end;
  unsigned long long n;

  if (*v == '\0' || *v == '-' || *v == '+')
    return -1;
  errno = 0;
  n = strtoull (v, &end, base);
  if (errno || *end || n > max)
    return -1;
  *out = n;
  return 0;
}

static json_t *
parse_one (const char *spec, husk_error_t *err)
{
  cleanup_strv char **parts = husk_strv_split (spec, ',');
  cleanup_json json_t *s = json_object ();
  bool has_ugm = false;
  const char *type = "mount";

  if (parts == NULL || parts[0] == NULL || *parts[0] == '\0')
    return husk_error_makex (err, EINVAL, "invalid --secret \"%s\": no secret name", spec),
           NULL;
  json_object_set_new (s, "name", json_string (parts[0]));
  json_object_set_new (s, "uid", json_integer (0));
  json_object_set_new (s, "gid", json_integer (0));
  json_object_set_new (s, "mode", json_integer (0444));
  for (size_t i = 1; parts[i]; i++)
    {
      const char *eq = strchr (parts[i], '=');
      cleanup_free char *key = eq ? husk_xstrndup (parts[i], eq - parts[i]) : NULL;
      const char *v = eq ? eq + 1 : NULL;
      uint64_t n;

      if (key == NULL)
        return husk_error_makex (err, EINVAL, "invalid --secret \"%s\": option \"%s\" must "
                                 "be KEY=VALUE", spec, parts[i]), NULL;
      if (strcmp (key, "type") == 0)
        {
          if (strcmp (v, "mount") && strcmp (v, "env"))
            return husk_error_makex (err, EINVAL, "invalid --secret \"%s\": type must be "
                                     "mount or env", spec), NULL;
          type = strcmp (v, "env") == 0 ? "env" : "mount";
        }
      else if (strcmp (key, "target") == 0)
        {
          if (*v == '\0')
            return husk_error_makex (err, EINVAL, "invalid --secret \"%s\": empty target",
                                     spec), NULL;
          json_object_set_new (s, "target", json_string (v));
        }
      else if (strcmp (key, "uid") == 0 || strcmp (key, "gid") == 0)
        {
          if (parse_uint (v, 10, UINT32_MAX - 1, &n) < 0)
            return husk_error_makex (err, EINVAL, "invalid --secret \"%s\": %s \"%s\" is not "
                                     "a number", spec, key, v), NULL;
          json_object_set_new (s, key, json_integer ((json_int_t) n));
          has_ugm = true;
        }
      else if (strcmp (key, "mode") == 0)
        {
          if (parse_uint (v, 8, 07777, &n) < 0)
            return husk_error_makex (err, EINVAL, "invalid --secret \"%s\": mode \"%s\" is "
                                     "not an octal mode", spec, v), NULL;
          json_object_set_new (s, "mode", json_integer ((json_int_t) n));
          has_ugm = true;
        }
      else
        return husk_error_makex (err, EINVAL, "invalid --secret \"%s\": unknown option \"%s\"",
                                 spec, key), NULL;
    }
  if (has_ugm && strcmp (type, "env") == 0)
    return husk_error_makex (err, EINVAL, "invalid --secret \"%s\": UID, GID, Mode options "
                             "cannot be set with secret type env", spec), NULL;
  json_object_set_new (s, "type", json_string (type));
  return steal_ptr (&s);
}

int
husk_container_secrets_parse (json_t *req, json_t *c, husk_error_t *err)
{
  json_t *in = json_object_get (req, "secrets"), *out, *v;
  size_t i;

  if (json_array_size (in) == 0)
    return 0;
  out = json_array ();
  json_object_set_new (c, "secrets", out);
  json_array_foreach (in, i, v)
    {
      json_t *s = parse_one (json_string_value (v) ?: "", err);
      if (s == NULL)
        return -1;
      json_array_append_new (out, s);
    }
  return 0;
}

/* Squash "//" and drop a trailing "/" in place.  */
static void
squash (char *p)
{
  char *w = p;

  for (char *r = p; *r; r++)
    if (!(*r == '/' && w > p && w[-1] == '/'))
      *w++ = *r;
  if (w > p + 1 && w[-1] == '/')
    w--;
  *w = '\0';
}

/* Where a mount secret goes: an absolute target as is, else under
   /run/secrets.  */
static char *
mount_target (const char *target)
{
  return target[0] == '/' ? husk_xstrdup (target) : husk_asprintf ("/run/secrets/%s", target);
}

/* Another mount of c (or an earlier secret) at dst.  Paths are compared
   without trailing or doubled slashes.  */
static bool
taken (json_t *c, size_t upto, const char *dst)
{
  cleanup_free char *want = husk_xstrdup (dst);
  json_t *m;
  size_t i;

  squash (want);
  json_array_foreach (json_object_get (c, "mounts"), i, m)
    {
      cleanup_free char *d = husk_xstrdup (json_string_value (json_object_get (m, "destination")) ?: "");
      squash (d);
      if (strcmp (d, want) == 0)
        return true;
    }
  json_array_foreach (json_object_get (c, "secrets"), i, m)
    {
      cleanup_free char *d = NULL;
      if (i >= upto)
        break;
      if (strcmp (json_string_value (json_object_get (m, "type")), "mount") != 0)
        continue;
      d = husk_xstrdup (json_string_value (json_object_get (m, "target")));
      squash (d);
      if (strcmp (d, want) == 0)
        return true;
    }
  return false;
}

int
husk_container_secrets_resolve (struct husk_engine *e, json_t *c, husk_error_t *err)
{
  json_t *all = json_object_get (c, "secrets"), *s;
  size_t i;

  json_array_foreach (all, i, s)
    {
      const char *ref = json_string_value (json_object_get (s, "name"));
      const char *type = json_string_value (json_object_get (s, "type"));
      const char *target = json_string_value (json_object_get (s, "target"));
      cleanup_free char *id = NULL;
      struct husk_secret_rec r;

      if (husk_state_secret_lookup (e->state, ref, &id, err) < 0
          || husk_state_secret_get (e->state, id, &r, err) < 0)
        return -1;
      json_object_set_new (s, "id", json_string (r.id));
      json_object_set_new (s, "name", json_string (r.name));
      if (target == NULL)
        target = r.name;
      if (strcmp (type, "env") == 0)
        json_object_set_new (s, "target", json_string (target));
      else
        {
          cleanup_free char *dst = mount_target (target);
          if (taken (c, i, dst))
            {
              husk_secret_rec_release (&r);
              return husk_error_makex (err, EINVAL, "%s: duplicate mount destination", dst);
            }
          json_object_set_new (s, "target", json_string (dst));
        }
      husk_secret_rec_release (&r);
    }
  return 0;
}

/* mkdir (0700) then open by descriptor, not following a symlink.  */
static int
open_secrets_dir (const char *parent, husk_error_t *err)
{
  cleanup_free char *dir = husk_asprintf ("%s/secrets", parent);
  int fd;

  if (husk_mkdir_p (parent, 0700, err) < 0)
    return -1;
  if (mkdir (dir, 0700) < 0 && errno != EEXIST)
    return husk_error_make (err, errno, "create '%s'", dir);
  fd = open (dir, O_DIRECTORY | O_NOFOLLOW | O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return husk_error_make (err, errno, "open '%s'", dir);
  return fd;
}

int
husk_container_secrets_copy (struct husk_engine *e, const char *dir, json_t *c,
                             husk_error_t *err)
{
  json_t *all = json_object_get (c, "secrets"), *s;
  cleanup_close int dfd = -1;
  size_t i;

  if (json_array_size (all) == 0)
    return 0;
  dfd = open_secrets_dir (dir, err);
  if (dfd < 0)
    return -1;
  json_array_foreach (all, i, s)
    {
      const char *id = json_string_value (json_object_get (s, "id"));
      char name[32];
      size_t len;
      char *data = husk_secret_data_read (e->root, id, &len, err);
      int r;

      if (data == NULL)
        return husk_error_wrap (err, "secret '%s'",
                                json_string_value (json_object_get (s, "name")));
      snprintf (name, sizeof name, "%zu", i);
      r = husk_secret_write_at (dfd, name, data, len, geteuid (), getegid (), 0600, true, err);
      explicit_bzero (data, len);
      free (data);
      if (r < 0)
        return -1;
    }
  return 0;
}

/* id of the container to the host's (the same without maps of its own).  */
static uint32_t
to_host (bool mapped, const struct husk_idmap *m, uint32_t id)
{
  uint32_t out;

  if (mapped && husk_idmap_to_host (m, id, &out))
    return out;
  return id;
}

int
husk_container_secrets_prepare (struct husk_engine *e, json_t *c, json_t *spec_c,
                                const char *bundle, char **run_dir, husk_error_t *err)
{
  json_t *all = json_object_get (c, "secrets"), *s;
  cleanup_free char *run = NULL;
  cleanup_close int src = -1, dst = -1;
  struct husk_idmap uids, gids;
  bool mapped;
  size_t i;

  *run_dir = NULL;
  if (json_array_size (all) == 0)
    return 0;
  mapped = husk_container_idmaps (c, &uids, &gids);
  {
    cleanup_free char *sdir = husk_asprintf ("%s/secrets", bundle);
    src = open (sdir, O_DIRECTORY | O_NOFOLLOW | O_RDONLY | O_CLOEXEC);
    if (src < 0)
      return husk_error_make (err, errno, "open '%s'", sdir);
  }
  run = husk_container_rundir (e, json_string_value (json_object_get (c, "id")));
  json_array_foreach (all, i, s)
    {
      const char *type = json_string_value (json_object_get (s, "type"));
      const char *target = json_string_value (json_object_get (s, "target"));
      char name[32];
      size_t len;
      char *data;
      int r = 0;

      snprintf (name, sizeof name, "%zu", i);
      data = husk_read_file_at (src, name, &len, err);
      if (data == NULL)
        return husk_error_wrap (err, "secret '%s'",
                                json_string_value (json_object_get (s, "name")));
      if (strcmp (type, "env") == 0)
        {
          json_t *env = json_object_get (spec_c, "env");
          cleanup_free char *entry = husk_asprintf ("%s=%.*s", target, (int) len, data);
          if (!json_is_array (env))
            json_object_set_new (spec_c, "env", env = json_array ());
          /* The value replaces an earlier one of the name.  */
          for (size_t k = json_array_size (env); k-- > 0;)
            {
              const char *v = json_string_value (json_array_get (env, k));
              size_t tl = strlen (target);
              if (v && strncmp (v, target, tl) == 0 && v[tl] == '=')
                json_array_remove (env, k);
            }
          json_array_append_new (env, json_string_nocheck (entry));
          explicit_bzero (entry, strlen (entry));
        }
      else
        {
          if (dst < 0 && (dst = open_secrets_dir (run, err)) < 0)
            r = -1;
          else
            r = husk_secret_write_at (
                dst, name, data, len,
                to_host (mapped, &uids, (uint32_t) json_integer_value (json_object_get (s, "uid"))),
                to_host (mapped, &gids, (uint32_t) json_integer_value (json_object_get (s, "gid"))),
                (mode_t) json_integer_value (json_object_get (s, "mode")), false, err);
        }
      explicit_bzero (data, len);
      free (data);
      if (r < 0)
        return husk_error_wrap (err, "secret '%s'",
                                json_string_value (json_object_get (s, "name")));
    }
  if (dst >= 0)
    *run_dir = husk_asprintf ("%s/secrets", run);
  return 0;
}
