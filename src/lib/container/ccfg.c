/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Building the container configuration (ccfg.h) from a create request and
 * the image: plan first, execute second.  Every flag is parsed and checked
 * here, before anything exists, so a bad flag leaves nothing behind.
 *
 * The request is a JSON object of the raw flag values, as the CLI (and
 * later the REST API) received them; see husk_ccfg_build() for its keys.
 */
#include "container/ccfg-build.h"
#include "container/parse.h"
#include "container/passwd.h"
#include "container/secrets.h"
#include "network/network.h"
#include "util/log.h"
#include "userns/userns.h"
#include "util/cleanup.h"
#include "util/fileutil.h"
#include "util/log.h"
#include "util/strutil.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <arpa/inet.h>
#include <stdio.h>
#include <sys/stat.h>

extern char **environ;

static const char *
str (json_t *req, const char *key)
{
  const char *s = json_string_value (json_object_get (req, key));
  return s && *s ? s : NULL;
}

static bool
flag (json_t *req, const char *key)
{
  return json_is_true (json_object_get (req, key));
}

static bool
env_is (const char *entry, const char *name, size_t n)
{
  return strncmp (entry, name, n) == 0 && (entry[n] == '=' || entry[n] == '\0');
}

bool
husk_ccfg_env_has (json_t *env, const char *name)
{
  size_t i, n = strlen (name);
  json_t *v;

  json_array_foreach (env, i, v)
    if (env_is (json_string_value (v), name, n))
      return true;
  return false;
}

void
husk_ccfg_env_set (json_t *env, const char *entry)
{
  const char *eq = strchr (entry, '=');
  size_t n = eq ? (size_t) (eq - entry) : strlen (entry), i;
  json_t *v;

  json_array_foreach (env, i, v)
    if (env_is (json_string_value (v), entry, n))
      {
        json_array_set_new (env, i, json_string (entry));
        return;
      }
  json_array_append_new (env, json_string (entry));
}

int
husk_ccfg_env_add (json_t *env, const char *val, husk_error_t *err)
{
  const char *hv;

  if (*val == '=' || *val == '\0')
    return husk_error_makex (err, EINVAL, "invalid environment variable \"%s\"", val);
  if (strchr (val, '=') != NULL)
    {
      husk_ccfg_env_set (env, val);
      return 0;
    }
  if ((hv = getenv (val)) != NULL)
    {
      cleanup_free char *e = husk_asprintf ("%s=%s", val, hv);
      husk_ccfg_env_set (env, e);
    }
  return 0;
}

int
husk_ccfg_env_add_file (json_t *env, const char *path, husk_error_t *err)
{
  cleanup_free char *text = husk_read_file (path, NULL, err);
  cleanup_strv char **lines = NULL;

  if (text == NULL)
    return husk_error_wrap (err, "env file");
  lines = husk_strv_split (text, '\n');
  for (size_t i = 0; lines[i]; i++)
    {
      char *l = lines[i];
      size_t n;

      while (*l == ' ' || *l == '\t')
        l++;
      n = strlen (l);
      if (n > 0 && l[n - 1] == '\r')
        l[--n] = '\0';
      if (*l == '\0' || *l == '#')
        continue;
      if (husk_ccfg_env_add (env, l, err) < 0)
        return husk_error_wrap (err, "env file '%s'", path);
    }
  return 0;
}

/* --env-merge "PATH=/x:${PATH}": ${NAME} takes the value NAME has so far. */
static char *
expand_env (json_t *env, const char *s)
{
  struct husk_buf b = HUSK_BUF_INIT;

  while (*s)
    {
      const char *end;
      if (s[0] != '$' || s[1] != '{' || (end = strchr (s + 2, '}')) == NULL)
        {
          husk_buf_putc (&b, *s++);
          continue;
        }
      {
        size_t n = end - (s + 2), i;
        json_t *v;
        json_array_foreach (env, i, v)
          {
            const char *e = json_string_value (v);
            if (strncmp (e, s + 2, n) == 0 && e[n] == '=')
              husk_buf_puts (&b, e + n + 1);
          }
      }
      s = end + 1;
    }
  return husk_buf_steal (&b);
}

/* --http-proxy (default true): the caller's proxy variables go in.  */
static void
proxy_env (json_t *env)
{
  static const char *const names[] = { "http_proxy", "https_proxy", "ftp_proxy", "no_proxy",
                                       "HTTP_PROXY", "HTTPS_PROXY", "FTP_PROXY", "NO_PROXY" };

  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
    {
      const char *v = getenv (names[i]);
      cleanup_free char *e = v ? husk_asprintf ("%s=%s", names[i], v) : NULL;
      if (e)
        husk_ccfg_env_set (env, e);
    }
}

/* --unsetenv NAME and --unsetenv-all: remove the defaults (the image's,
   containers.conf's) before the user's own variables go in, as Podman
   does: -e A=b --unsetenv-all keeps A.  */
static void
unset_env (json_t *req, json_t *env)
{
  bool all = flag (req, "unsetenv_all");
  size_t i, k;
  json_t *u;

  for (i = 0; i < json_array_size (env);)
    {
      const char *e = json_string_value (json_array_get (env, i));
      bool drop = all;
      json_array_foreach (json_object_get (req, "unsetenv"), k, u)
        if (env_is (e, json_string_value (u), strlen (json_string_value (u))))
          drop = true;
      if (drop)
        json_array_remove (env, i);
      else
        i++;
    }
}

static json_t *
build_env (json_t *req, json_t *image_cfg, husk_error_t *err)
{
  json_t *env = json_array ();
  size_t i;
  json_t *v;

  json_array_foreach (json_object_get (image_cfg, "Env"), i, v)
    if (json_is_string (v))
      husk_ccfg_env_set (env, json_string_value (v));
  if (json_array_size (env) == 0)
    husk_ccfg_env_set (env, "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
  /* containers.conf's default environment (Podman's: TERM=xterm).  */
  {
    if (!husk_ccfg_env_has (env, "TERM"))
      husk_ccfg_env_set (env, "TERM=xterm");
  }
  unset_env (req, env);
  if (flag (req, "env_host"))
    for (char **e = environ; *e; e++)
      husk_ccfg_env_set (env, *e);
  else if (!json_is_false (json_object_get (req, "http_proxy")))
    proxy_env (env);
  json_array_foreach (json_object_get (req, "env_file"), i, v)
    if (husk_ccfg_env_add_file (env, json_string_value (v), err) < 0)
      {
        json_decref (env);
        return NULL;
      }
  json_array_foreach (json_object_get (req, "env"), i, v)
    if (husk_ccfg_env_add (env, json_string_value (v), err) < 0)
      {
        json_decref (env);
        return NULL;
      }
  json_array_foreach (json_object_get (req, "env_merge"), i, v)
    {
      cleanup_free char *merged = expand_env (env, json_string_value (v));
      husk_ccfg_env_set (env, merged);
    }
  return env;
}

/* -w, else the image's WorkingDir, else "/".  "workdir_create" says that
   start may make it when missing: only the image's own (Podman).  */
static int
build_workdir (json_t *req, json_t *image_cfg, json_t *c, husk_error_t *err)
{
  const char *image_wd = json_string_value (json_object_get (image_cfg, "WorkingDir"));
  const char *wd = str (req, "workdir");

  if (image_wd && *image_wd == '\0')
    image_wd = NULL;
  if (wd == NULL)
    wd = image_wd ? image_wd : "/";
  if (wd[0] != '/')
    return husk_error_makex (err, EINVAL, "the working directory \"%s\" is invalid: it must "
                             "be an absolute path", wd);
  json_object_set_new (c, "workdir", json_string (wd));
  json_object_set_new (c, "workdir_create",
                       json_boolean (image_wd && strcmp (wd, image_wd) == 0));
  return 0;
}

/* --entrypoint: a JSON array, or one word; "" clears the image's.  */
static json_t *
entrypoint (json_t *req, json_t *image_cfg)
{
  json_t *ep = json_object_get (req, "entrypoint");
  const char *s = json_string_value (ep);
  json_t *parsed;

  if (ep == NULL || json_is_null (ep))
    return json_deep_copy (json_object_get (image_cfg, "Entrypoint")) ?: json_null ();
  if (json_is_array (ep))
    return json_deep_copy (ep);
  if (*s == '\0')
    return json_array ();
  parsed = json_loads (s, 0, NULL);
  if (json_is_array (parsed))
    return parsed;
  json_decref (parsed);
  return json_pack ("[s]", s);
}

/* Rootless, a bind mount from NFS (or CIFS, ...) works for the user's own
   files only: the server knows nothing of the user namespace, sees the
   user's uid for the container's root and refuses what other IDs of the
   container do.  Say why before the first EACCES.  */
static void
warn_network_bind (const char *source)
{
  const char *fs = husk_userns_rootless () ? husk_path_network_fs (source) : NULL;

  if (fs)
    husk_log_warn ("bind mount source '%s' is on %s, which does not understand user "
                   "namespaces: in a rootless container only its root (your own user) can "
                   "use files there as their owner; other users of the container get "
                   "permission errors", source, fs);
}

/* "-v SRC:DST[:OPTS]" -> a mount; SRC without '/' names a volume.  */
static json_t *
parse_volume (const char *spec, husk_error_t *err)
{
  cleanup_strv char **parts = husk_strv_split (spec, ':');
  size_t n = husk_strv_len (parts);
  json_t *m, *opts = json_array ();

  if (n == 1)
    {
      /* Anonymous volume: "-v /data".  */
      if (parts[0][0] != '/')
        goto bad;
      return json_pack ("{s:s, s:s, s:s, s:o}", "type", "volume", "name", "",
                        "destination", parts[0], "options", opts);
    }
  if (n > 3 || parts[1][0] != '/' || parts[0][0] == '\0')
    goto bad;
  if (n == 3)
    {
      cleanup_strv char **o = husk_strv_split (parts[2], ',');
      for (size_t i = 0; o[i]; i++)
        {
          if (strcmp (o[i], "ro") && strcmp (o[i], "rw") && strcmp (o[i], "z")
              && strcmp (o[i], "idmap") && !husk_has_prefix (o[i], "idmap=")
              && strcmp (o[i], "Z") && strcmp (o[i], "U") && strcmp (o[i], "nosuid")
              && strcmp (o[i], "nodev") && strcmp (o[i], "noexec") && strcmp (o[i], "suid")
              && strcmp (o[i], "dev") && strcmp (o[i], "exec") && strcmp (o[i], "rbind")
              && strcmp (o[i], "bind") && strcmp (o[i], "private") && strcmp (o[i], "rprivate")
              && strcmp (o[i], "shared") && strcmp (o[i], "rshared") && strcmp (o[i], "slave")
              && strcmp (o[i], "rslave") && strcmp (o[i], "copy") && strcmp (o[i], "nocopy"))
            {
              json_decref (opts);
              return husk_error_makex (err, EINVAL, "invalid option \"%s\" in volume \"%s\"",
                                       o[i], spec), NULL;
            }
          if (strcmp (o[i], "z") && strcmp (o[i], "Z"))
            json_array_append_new (opts, json_string (o[i]));
        }
    }
  if (parts[0][0] == '/' || parts[0][0] == '.')
    {
      /* Relative sources are the caller's: make them absolute now.  */
      cleanup_free char *abs = realpath (parts[0], NULL);
      if (abs == NULL)
        {
          json_decref (opts);
          return husk_error_make (err, errno, "invalid volume \"%s\": source '%s'", spec,
                                  parts[0]), NULL;
        }
      warn_network_bind (abs);
      m = json_pack ("{s:s, s:s, s:s, s:o}", "type", "bind", "source", abs,
                     "destination", parts[1], "options", opts);
    }
  else
    m = json_pack ("{s:s, s:s, s:s, s:o}", "type", "volume", "name", parts[0],
                   "destination", parts[1], "options", opts);
  return m;
bad:
  json_decref (opts);
  return husk_error_makex (err, EINVAL, "invalid volume \"%s\": expected "
                           "[SOURCE:]DESTINATION[:OPTIONS] with an absolute destination",
                           spec), NULL;
}

/* A --mount key's boolean value: "ro", "ro=true", "ro=false".  */
static int
mount_bool (const char *key, const char *v, bool *out, husk_error_t *err)
{
  if (v == NULL || strcmp (v, "true") == 0 || strcmp (v, "1") == 0)
    return *out = true, 0;
  if (strcmp (v, "false") == 0 || strcmp (v, "0") == 0)
    return *out = false, 0;
  return husk_error_makex (err, EINVAL, "invalid value \"%s\" for mount option \"%s\": "
                           "use true or false", v, key);
}

/* Options a --mount passes on as they are (the spec checks them).  */
static bool
mount_flag (const char *k)
{
  static const char *const flags[] = { "nosuid", "suid", "nodev", "dev", "noexec", "exec",
                                       "tmpcopyup", "notmpcopyup", NULL };

  for (size_t i = 0; flags[i]; i++)
    if (strcmp (k, flags[i]) == 0)
      return true;
  return false;
}

struct mount_spec
{
  const char *type, *src, *dst;
  bool ro, ro_set, nonrecursive;
  json_t *opts;
};

/* One key of --mount into m; v is NULL for a bare key.  */
static int
mount_key (struct mount_spec *m, const char *k, const char *v, husk_error_t *err)
{
  static const char *const data_keys[][2] = {
    { "tmpfs-size", "size" }, { "tmpfs-mode", "mode" }, { "uid", "uid" }, { "gid", "gid" },
    { "mode", "mode" }, { "max", "max" },
  };
  bool b;

  if (strcmp (k, "type") == 0 && v)
    return m->type = v, 0;
  if ((strcmp (k, "source") == 0 || strcmp (k, "src") == 0) && v)
    return m->src = v, 0;
  if ((strcmp (k, "target") == 0 || strcmp (k, "destination") == 0 || strcmp (k, "dst") == 0)
      && v)
    return m->dst = v, 0;
  if (strcmp (k, "readonly") == 0 || strcmp (k, "ro") == 0)
    return m->ro_set = true, mount_bool (k, v, &m->ro, err);
  if (strcmp (k, "rw") == 0 || strcmp (k, "readwrite") == 0)
    {
      if (mount_bool (k, v, &b, err) < 0)
        return -1;
      m->ro = !b;
      m->ro_set = true;
      return 0;
    }
  if (strcmp (k, "bind-nonrecursive") == 0)
    return mount_bool (k, v, &m->nonrecursive, err);
  if (strcmp (k, "bind-propagation") == 0 && v)
    return json_array_append_new (m->opts, json_string (v)), 0;
  if (strcmp (k, "idmap") == 0)
    {
      /* Checked with the container's maps (container/idmaps.c).  */
      cleanup_free char *o = v ? husk_asprintf ("idmap=%s", v) : husk_xstrdup ("idmap");
      return json_array_append_new (m->opts, json_string (o)), 0;
    }
  if (strcmp (k, "U") == 0 || strcmp (k, "chown") == 0)
    {
      if (mount_bool (k, v, &b, err) < 0)
        return -1;
      if (b)
        json_array_append_new (m->opts, json_string ("U"));
      return 0;
    }
  if ((strcmp (k, "relabel") == 0 && v && (strcmp (v, "shared") == 0 || strcmp (v, "private") == 0))
      || strcmp (k, "consistency") == 0 || strcmp (k, "z") == 0 || strcmp (k, "Z") == 0)
    return 0; /* SELinux labels: no SELinux here */
  if (strcmp (k, "volume-nocopy") == 0 || strcmp (k, "nocopy") == 0)
    return json_array_append_new (m->opts, json_string ("nocopy")), 0;
  if (v == NULL && mount_flag (k))
    return json_array_append_new (m->opts, json_string (k)), 0;
  for (size_t i = 0; v && i < sizeof data_keys / sizeof data_keys[0]; i++)
    if (strcmp (k, data_keys[i][0]) == 0)
      {
        cleanup_free char *o = husk_asprintf ("%s=%s", data_keys[i][1], v);
        return json_array_append_new (m->opts, json_string (o)), 0;
      }
  return husk_error_makex (err, EINVAL, "invalid mount option \"%s\"", k);
}

static bool
json_strings_have (json_t *a, const char *s)
{
  size_t i;
  json_t *v;

  json_array_foreach (a, i, v)
    if (strcmp (json_string_value (v), s) == 0)
      return true;
  return false;
}

/* "--mount type=image,source=IMAGE,target=/b": the image as resolved at
   create (ids: the request's "image_mount_ids", its given name to its
   ID), mounted read-only at every start (bundle.c).  */
static json_t *
image_mount (const struct mount_spec *m, const char *spec, json_t *ids, husk_error_t *err)
{
  const char *id;

  if (m->src == NULL || *m->src == '\0')
    return husk_error_makex (err, EINVAL, "invalid mount \"%s\": type=image needs a source "
                             "image", spec), NULL;
  if (json_array_size (m->opts) > 0)
    return husk_error_makex (err, EINVAL, "invalid mount \"%s\": type=image takes only "
                             "source, destination and rw", spec), NULL;
  id = json_string_value (json_object_get (ids, m->src));
  if (id == NULL)
    return husk_error_makex (err, ENOENT, "creating image volume \"%s\":\"%s\": %s: image "
                             "not known", m->src, m->dst, m->src), NULL;
  /* Read-only unless it says rw=true (Podman): then writable through an
     overlay of the container's own, whose writes go when it stops.  */
  return json_pack ("{s:s, s:s, s:s, s:s, s:[s]}", "type", "image", "source", id, "image",
                    m->src, "destination", m->dst, "options",
                    m->ro_set && !m->ro ? "rw" : "ro");
}

/* Split a --mount value into m (its options in m->opts).  */
static int
mount_split (const char *spec, char **kv, struct mount_spec *m, husk_error_t *err)
{
  for (size_t i = 0; kv[i]; i++)
    {
      char *eq = strchr (kv[i], '=');
      if (eq)
        *eq = '\0';
      if (mount_key (m, kv[i], eq ? eq + 1 : NULL, err) < 0)
        return husk_error_wrap (err, "invalid mount \"%s\"", spec);
    }
  return 0;
}

int
husk_ccfg_resolve_image_mounts (json_t *req, husk_ccfg_image_resolver resolve, void *data,
                                husk_error_t *err)
{
  json_t *ids = json_object (), *v;
  size_t i;

  json_object_set_new (req, "image_mount_ids", ids);
  json_array_foreach (json_object_get (req, "mounts"), i, v)
    {
      cleanup_strv char **kv = husk_strv_split (json_string_value (v) ?: "", ',');
      cleanup_json json_t *opts = json_array ();
      cleanup_free char *id = NULL;
      struct mount_spec m = { .opts = opts };
      husk_error_t ignored = NULL;

      /* A bad spec is build_mounts' to report, with the same words.  */
      if (mount_split (json_string_value (v) ?: "", kv, &m, &ignored) < 0)
        {
          husk_error_release (&ignored);
          continue;
        }
      if (m.type == NULL || strcmp (m.type, "image") || m.src == NULL || *m.src == '\0'
          || json_object_get (ids, m.src))
        continue;
      if (resolve (data, m.src, &id, err) < 0)
        return husk_error_wrap (err, "creating image volume \"%s\":\"%s\"", m.src,
                                m.dst ? m.dst : "");
      json_object_set_new (ids, m.src, json_string (id));
    }
  return 0;
}

/* "--mount type=bind,source=/a,target=/b,readonly": Podman's keys.  */
static json_t *
parse_mount (const char *spec, json_t *ids, husk_error_t *err)
{
  cleanup_strv char **kv = husk_strv_split (spec, ',');
  cleanup_json json_t *opts = json_array ();
  struct mount_spec m = { .opts = opts };

  if (mount_split (spec, kv, &m, err) < 0)
    return NULL;
  if (m.type == NULL || m.dst == NULL || m.dst[0] != '/'
      || (strcmp (m.type, "bind") && strcmp (m.type, "volume") && strcmp (m.type, "tmpfs")
          && strcmp (m.type, "devpts") && strcmp (m.type, "image"))
      || (strcmp (m.type, "bind") == 0 && (m.src == NULL || m.src[0] == '\0')))
    return husk_error_makex (err, EINVAL, "invalid mount \"%s\": need type=bind|volume|tmpfs|"
                             "image|devpts, an absolute target and, for binds, a source",
                             spec), NULL;
  if (strcmp (m.type, "image") == 0)
    return image_mount (&m, spec, ids, err);
  if (strcmp (m.type, "bind") && strcmp (m.type, "volume") && json_strings_have (opts, "U"))
    return husk_error_makex (err, ENOTSUP, "invalid mount \"%s\": U (chown) is supported for "
                             "bind and volume mounts only", spec), NULL;
  json_array_append_new (opts, json_string (m.ro ? "ro" : "rw"));
  if (strcmp (m.type, "bind") == 0)
    {
      /* Relative sources are the caller's: make them absolute now.  */
      cleanup_free char *abs = realpath (m.src, NULL);
      if (abs == NULL)
        return husk_error_make (err, errno, "invalid mount \"%s\": source '%s'", spec,
                                m.src), NULL;
      json_array_append_new (opts, json_string (m.nonrecursive ? "bind" : "rbind"));
      return json_pack ("{s:s, s:s, s:s, s:O}", "type", "bind", "source", abs,
                        "destination", m.dst, "options", opts);
    }
  if (strcmp (m.type, "volume") == 0)
    return json_pack ("{s:s, s:s, s:s, s:O}", "type", "volume", "name", m.src ? m.src : "",
                      "destination", m.dst, "options", opts);
  return json_pack ("{s:s, s:s, s:O}", "type", m.type, "destination", m.dst, "options", opts);
}

static json_t *
parse_tmpfs (const char *spec)
{
  const char *colon = strchr (spec, ':');
  cleanup_free char *dst = colon ? husk_xstrndup (spec, colon - spec) : husk_xstrdup (spec);
  json_t *opts = json_array ();

  if (colon)
    {
      cleanup_strv char **o = husk_strv_split (colon + 1, ',');
      for (size_t i = 0; o[i]; i++)
        json_array_append_new (opts, json_string (o[i]));
    }
  return json_pack ("{s:s, s:s, s:o}", "type", "tmpfs", "destination", dst, "options", opts);
}

static bool
has_equal (json_t *list, json_t *m)
{
  size_t i;
  json_t *v;

  json_array_foreach (list, i, v)
    if (json_equal (v, m))
      return true;
  return false;
}

static int
build_mounts (json_t *req, json_t *c, husk_error_t *err)
{
  json_t *mounts = json_array ();
  size_t i;
  json_t *v, *m;

  json_object_set_new (c, "mounts", mounts);
  json_array_foreach (json_object_get (req, "volumes"), i, v)
    {
      if ((m = parse_volume (json_string_value (v), err)) == NULL)
        return -1;
      if (has_equal (mounts, m))
        json_decref (m); /* the same -v twice: Podman takes it once */
      else
        json_array_append_new (mounts, m);
    }
  json_array_foreach (json_object_get (req, "mounts"), i, v)
    {
      if ((m = parse_mount (json_string_value (v), json_object_get (req, "image_mount_ids"),
                            err)) == NULL)
        return -1;
      json_array_append_new (mounts, m);
    }
  json_array_foreach (json_object_get (req, "tmpfs"), i, v)
    json_array_append_new (mounts, parse_tmpfs (json_string_value (v)));
  /* Two mounts on one destination is a mistake, not an override.  */
  json_array_foreach (mounts, i, m)
    for (size_t k = i + 1; k < json_array_size (mounts); k++)
      if (strcmp (json_string_value (json_object_get (m, "destination")),
                  json_string_value (json_object_get (json_array_get (mounts, k), "destination"))) == 0)
        return husk_error_makex (err, EINVAL, "duplicate mount destination \"%s\"",
                                 json_string_value (json_object_get (m, "destination")));
  return 0;
}

/* Whether v names a bridge network: bridge, private, the default's
   names, or a name that is no other mode.  */
static bool
bridge_mode (const char *v)
{
  static const char *const others[] = { "none", "host", "pasta", "slirp4netns", NULL };

  if (strncmp (v, "container:", 10) == 0 || strncmp (v, "ns:", 3) == 0
      || husk_has_prefix (v, "pasta:") || husk_has_prefix (v, "slirp4netns:"))
    return false;
  for (size_t i = 0; others[i]; i++)
    if (strcmp (v, others[i]) == 0)
      return false;
  return true;
}

/* One bridge network of --network: NAME[:ip=X,mac=Y,alias=A,
   interface_name=I] as an entry of the configuration's "networks"
   (container/netbridge.h).  */
static json_t *
bridge_entry (const char *v, json_t *aliases, husk_error_t *err)
{
  const char *colon = strchr (v, ':');
  cleanup_free char *name = colon ? husk_xstrndup (v, colon - v) : husk_xstrdup (v);
  cleanup_strv char **opts = colon ? husk_strv_split (colon + 1, ',') : NULL;
  cleanup_json json_t *n = NULL;

  if (*name == '\0')
    return husk_error_makex (err, EINVAL, "--network %s: no network name", v), NULL;
  n = json_pack ("{s:s, s:o}", "name", strcmp (name, "private") == 0 ? "bridge" : name,
                 "aliases", json_deep_copy (aliases) ?: json_array ());
  for (size_t i = 0; opts && opts[i]; i++)
    {
      static const char *const keys[][2] = { { "ip=", "ip" }, { "ip6=", "ip6" }, { "mac=", "mac" },
                                             { "interface_name=", "interface" }, { NULL, NULL } };
      size_t k = 0;
      while (keys[k][0] && !husk_has_prefix (opts[i], keys[k][0]))
        k++;
      if (keys[k][0])
        json_object_set_new (n, keys[k][1], json_string (opts[i] + strlen (keys[k][0])));
      else if (husk_has_prefix (opts[i], "alias=") && opts[i][6])
        json_array_append_new (json_object_get (n, "aliases"), json_string (opts[i] + 6));
      else
        return husk_error_makex (err, ENOTSUP, "--network %s: option \"%s\" is not supported "
                                 "(ip=, ip6=, mac=, alias= and interface_name= are)", v, opts[i]),
               NULL;
    }
  return steal_ptr (&n);
}

/* The values of --network, repeated or comma-separated: "a,b:OPTIONS"
   is a and b:OPTIONS (commas after the ':' separate options).  */
static char **
network_values (json_t *req)
{
  cleanup_json json_t *single = str (req, "network") ? json_pack ("[O]", json_object_get (req, "network"))
                                                    : json_array ();
  json_t *list = json_object_get (req, "networks") ?: single;
  char **out = husk_xzalloc (sizeof *out);
  size_t i;
  json_t *v;

  json_array_foreach (list, i, v)
    {
      const char *text = json_string_value (v), *colon = strchr (text, ':');
      cleanup_free char *names = colon ? husk_xstrndup (text, colon - text) : husk_xstrdup (text);
      cleanup_strv char **parts = husk_strv_split (names, ',');
      for (size_t k = 0; parts[k]; k++)
        {
          cleanup_free char *one = parts[k + 1] || !colon ? husk_xstrdup (parts[k])
                                                          : husk_asprintf ("%s%s", parts[k], colon);
          husk_strv_append (&out, one);
        }
    }
  return out;
}

/* --network bridge|NAME[:OPTIONS] (repeated for more networks), --ip,
   --mac-address, --network-alias: the networks and the addresses asked
   for; create gives the addresses (network/bridge.h).  Return: 1 when
   the values are bridge networks, 0 when not, -1.  */
static int
build_bridge (json_t *req, char **values, json_t *c, husk_error_t *err)
{
  const char *ip = str (req, "ip"), *mac = str (req, "mac_address");
  json_t *list;
  size_t n = husk_strv_len (values);

  if (n == 0 || !bridge_mode (values[0]))
    {
      /* Podman: only bridge networks combine.  */
      for (size_t i = 1; i < n; i++)
        if (bridge_mode (values[i]))
          return husk_error_makex (err, EINVAL, "--network %s cannot be combined with other "
                                   "networks: only bridge networks can", values[0]);
      if (n > 1)
        return husk_error_makex (err, EINVAL, "--network %s: one network mode only", values[0]);
      return 0;
    }
  for (size_t i = 1; i < n; i++)
    if (!bridge_mode (values[i]))
      return husk_error_makex (err, EINVAL, "--network %s cannot be combined with bridge "
                               "network %s: only bridge networks can", values[i], values[0]);
  if (n > 1 && str (req, "ip6"))
    return husk_error_makex (err, EINVAL, "--ip6 can only be set for a single network: use "
                             "--network NAME:ip6=... for each");
  if (n > 1 && (ip || mac))
    return husk_error_makex (err, EINVAL, "%s can only be set for a single network: use "
                             "--network NAME:%s=... for each", ip ? "--ip" : "--mac-address",
                             ip ? "ip" : "mac");
  list = json_array ();
  json_object_set_new (c, "networks", list);
  for (size_t i = 0; i < n; i++)
    {
      /* --network-alias is every network's (Podman).  */
      json_t *e = bridge_entry (values[i], json_object_get (req, "network_aliases"), err);
      if (e == NULL)
        return -1;
      json_array_append_new (list, e);
    }
  if (ip && json_object_get (json_array_get (list, 0), "ip") == NULL)
    json_object_set_new (json_array_get (list, 0), "ip", json_string (ip));
  if (str (req, "ip6") && json_object_get (json_array_get (list, 0), "ip6") == NULL)
    json_object_set_new (json_array_get (list, 0), "ip6", json_string (str (req, "ip6")));
  if (mac && json_object_get (json_array_get (list, 0), "mac") == NULL)
    json_object_set_new (json_array_get (list, 0), "mac", json_string (mac));
  json_object_set_new (json_object_get (c, "namespaces"), "network", json_string ("bridge"));
  return 1;
}

/* --network: the mode, and a backend's options (network/).  */
static int
build_network (json_t *req, const struct husk_ccfg_defaults *d, json_t *c, husk_error_t *err)
{
  cleanup_strv char **values = network_values (req);
  const char *v = values[0] ?: (d->network ?: "none");
  cleanup_free char *mode = NULL;
  cleanup_json json_t *opts = NULL;
  int has_backend;

  /* Rootless too: the networks are in the rootless network namespace.  */
  if (values[0] == NULL)
    husk_strv_append (&values, v);
  if ((has_backend = build_bridge (req, values, c, err)) != 0)
    return has_backend < 0 ? -1 : 0;
  if (str (req, "ip") || str (req, "ip6") || str (req, "mac_address"))
    return husk_error_makex (err, EINVAL, "--ip, --ip6 and --mac-address need a bridge network "
                             "(--network bridge or NAME), not \"%s\"", v);
  if (json_array_size (json_object_get (req, "network_aliases")))
    return husk_error_makex (err, EINVAL, "--network-alias needs a bridge network "
                             "(--network bridge or NAME), not \"%s\"", v);
  if ((has_backend = husk_net_parse_mode (v, &mode, &opts, err)) < 0)
    return -1;
  if (!has_backend && strcmp (v, "none") && strcmp (v, "host")
      && strncmp (v, "container:", 10) && strncmp (v, "ns:", 3))
    return husk_error_makex (err, EINVAL, "invalid --network \"%s\": use pasta[:OPTIONS], "
                             "slirp4netns[:OPTIONS], none, host, container:NAME or ns:PATH", v);
  if (has_backend && strcmp (mode, "pasta") == 0 && d->pasta_options && d->pasta_options[0])
    {
      /* containers.conf's pasta_options come first, the flag's after.  */
      json_t *all = json_array ();
      for (size_t i = 0; d->pasta_options[i]; i++)
        json_array_append_new (all, json_string (d->pasta_options[i]));
      json_array_extend (all, opts);
      json_decref (opts);
      opts = all;
    }
  json_object_set_new (json_object_get (c, "namespaces"), "network", json_string (mode));
  if (has_backend)
    json_object_set_new (c, "network_options", steal_ptr (&opts));
  return 0;
}

/* -p, -P, --expose: published only with a network of the container's own. */
static int
build_ports (json_t *req, const struct husk_ccfg_defaults *d, json_t *icfg, json_t *c,
             husk_error_t *err)
{
  const char *net = json_string_value (json_object_get (json_object_get (c, "namespaces"),
                                                        "network"));
  struct husk_net_port_request q = {
    .publish = json_object_get (req, "publish"), .expose = json_object_get (req, "expose"),
    .publish_all = flag (req, "publish_all"),
    .image_exposed = json_object_get (icfg, "ExposedPorts"), .rootless = d->rootless,
  };
  json_t *ports = NULL, *exposed = NULL;
  bool asked = json_array_size (q.publish) || q.publish_all;

  if (asked && husk_net_backend_find (net) == NULL && strcmp (net, "bridge") != 0)
    {
      if (str (req, "network") == NULL)
        return husk_error_makex (err, ENOTSUP, "publishing ports needs a network of the "
                                 "container's own: use --network bridge, pasta or slirp4netns");
      /* Podman's warning, and the ports are dropped.  */
      husk_log_warn ("Port mappings have been discarded as one of the Host, Container, Pod, "
                     "and None network modes are in use");
      q.publish = NULL;
      q.publish_all = false;
    }
  if (husk_net_ports_build (&q, &ports, &exposed, err) < 0)
    return -1;
  json_object_set_new (c, "ports", ports);
  json_object_set_new (c, "expose", exposed);
  json_object_set_new (c, "publish_all", json_boolean (q.publish_all));
  return 0;
}

static int
build_namespaces (json_t *req, json_t *c, husk_error_t *err)
{
  static const char *const kinds[] = { "network", "pid", "ipc", "uts" };
  json_t *ns = json_object ();

  json_object_set_new (c, "namespaces", ns);
  for (size_t i = 0; i < 4; i++)
    {
      const char *v = str (req, kinds[i]);
      if (v == NULL)
        v = i == 0 ? "none" : "private";
      if (i == 0)
        continue; /* build_network() */
      if (strcmp (v, "none") && strcmp (v, "host") && strcmp (v, "private")
          && strncmp (v, "container:", 10) && strncmp (v, "ns:", 3))
        return husk_error_makex (err, EINVAL, "invalid --%s \"%s\": use %shost, "
                                 "container:NAME or ns:PATH", i == 0 ? "network" : kinds[i], v,
                                 i == 0 ? "none, " : "private, ");
      if (i > 0 && strcmp (v, "none") == 0)
        v = "private";
      json_object_set_new (ns, kinds[i], json_string (v));
    }
  return 0;
}

static int
build_resources (json_t *req, json_t *c, husk_error_t *err)
{
  json_t *r = json_object ();
  int64_t v;
  const char *s;

  json_object_set_new (c, "resources", r);
  if ((s = str (req, "memory")))
    {
      if (husk_parse_size (s, &v, err) < 0)
        return husk_error_wrap (err, "--memory");
      /* Podman: 0 is no limit.  */
      if (v > 0 && v < 6 * 1024 * 1024)
        return husk_error_makex (err, EINVAL, "minimum memory limit allowed is 6MB");
      if (v > 0)
        json_object_set_new (r, "memory", json_integer (v));
    }
  if ((s = str (req, "memory_swap")))
    {
      if (strcmp (s, "-1") == 0)
        v = -1;
      else if (husk_parse_size (s, &v, err) < 0)
        return husk_error_wrap (err, "--memory-swap");
      if (!json_object_get (r, "memory"))
        return husk_error_makex (err, EINVAL, "you must provide a memory limit when "
                                 "setting a swap limit");
      json_object_set_new (r, "memory_swap", json_integer (v));
    }
  if ((s = str (req, "cpus")))
    {
      char *end;
      double d = strtod (s, &end);
      if (*end || d <= 0)
        return husk_error_makex (err, EINVAL, "invalid --cpus \"%s\"", s);
      json_object_set_new (r, "cpus", json_real (d));
    }
  if ((s = str (req, "cpu_shares")))
    json_object_set_new (r, "cpu_shares", json_integer (strtoll (s, NULL, 10)));
  if ((s = str (req, "cpuset_cpus")))
    json_object_set_new (r, "cpuset_cpus", json_string (s));
  if ((s = str (req, "pids_limit")))
    json_object_set_new (r, "pids_limit", json_integer (strtoll (s, NULL, 10)));
  return 0;
}

static int
build_restart (json_t *req, json_t *c, husk_error_t *err)
{
  const char *s = str (req, "restart");
  const char *colon;
  cleanup_free char *policy = NULL;
  long retries = 0;

  if (s == NULL)
    s = "no";
  colon = strchr (s, ':');
  policy = colon ? husk_xstrndup (s, colon - s) : husk_xstrdup (s);
  if (strcmp (policy, "no") && strcmp (policy, "on-failure") && strcmp (policy, "always")
      && strcmp (policy, "unless-stopped"))
    return husk_error_makex (err, EINVAL, "invalid restart policy \"%s\": use no, "
                             "on-failure[:max-retries], always or unless-stopped", s);
  if (colon)
    {
      char *end;
      retries = strtol (colon + 1, &end, 10);
      if (strcmp (policy, "on-failure") || *end || retries < 0)
        return husk_error_makex (err, EINVAL, "invalid restart policy \"%s\": only "
                                 "on-failure takes a retry count", s);
    }
  if (strcmp (policy, "no") && flag (req, "rm"))
    return husk_error_makex (err, EINVAL, "the --rm option conflicts with --restart, when "
                             "the restartPolicy is not \"no\"");
  json_object_set_new (c, "restart", json_pack ("{s:s, s:i}", "policy", policy,
                                                "max_retries", (int) retries));
  return 0;
}

/* A duration flag's value, or def when not given: checked even when no
   healthcheck uses it, so a typo never passes silently.  */
static int
duration_flag (json_t *req, const char *key, int64_t def, int64_t *out, husk_error_t *err)
{
  const char *s = str (req, key);
  cleanup_free char *name = husk_xstrdup (key);

  *out = def;
  if (s == NULL || husk_parse_duration (s, out, err) == 0)
    return 0;
  for (char *p = name; *p; p++)
    if (*p == '_')
      *p = '-';
  return husk_error_wrap (err, "invalid argument \"%s\" for \"--%s\" flag", s, name);
}

static int
build_health (json_t *req, json_t *image_cfg, json_t *c, husk_error_t *err)
{
  const char *cmd = str (req, "health_cmd");
  json_t *img = json_object_get (image_cfg, "Healthcheck");
  json_t *test;
  static const struct
  {
    const char *key, *flag;
    int64_t def;
  } durations[] = { { "interval", "health_interval", 30000000000LL },
                    { "timeout", "health_timeout", 30000000000LL },
                    { "start_period", "health_start_period", 0 } };
  json_t *h;
  int64_t d[3];
  uint64_t retries = 3;

  for (size_t i = 0; i < 3; i++)
    if (duration_flag (req, durations[i].flag, durations[i].def, &d[i], err) < 0)
      return -1;
  if (str (req, "health_retries")
      && husk_parse_uint_flag (str (req, "health_retries"), "health-retries", &retries, err) < 0)
    return -1;
  if (flag (req, "no_healthcheck") || (cmd && strcasecmp (cmd, "none") == 0))
    return json_object_set_new (c, "health", json_null ()), 0;
  if (cmd)
    {
      json_t *parsed = json_loads (cmd, 0, NULL);
      if (json_is_array (parsed))
        test = json_pack ("[s]", "CMD"), json_array_extend (test, parsed);
      else
        test = json_pack ("[s, s]", "CMD-SHELL", cmd);
      json_decref (parsed);
    }
  else if (json_is_array (json_object_get (img, "Test"))
           && json_array_size (json_object_get (img, "Test")) > 0)
    test = json_deep_copy (json_object_get (img, "Test"));
  else
    return json_object_set_new (c, "health", json_null ()), 0;
  h = json_pack ("{s:o}", "test", test);
  json_object_set_new (c, "health", h);
  for (size_t i = 0; i < 3; i++)
    json_object_set_new (h, durations[i].key, json_integer (d[i]));
  json_object_set_new (h, "retries", json_integer ((json_int_t) retries));
  {
    const char *f = str (req, "health_on_failure");
    if (f == NULL)
      f = "none";
    if (strcmp (f, "none") && strcmp (f, "kill") && strcmp (f, "restart") && strcmp (f, "stop"))
      return husk_error_makex (err, EINVAL, "invalid --health-on-failure \"%s\": use none, "
                               "kill, restart or stop", f);
    json_object_set_new (h, "on_failure", json_string (f));
  }
  return 0;
}

static json_t *
string_map (json_t *req, const char *key, json_t *base)
{
  json_t *m = json_is_object (base) ? json_deep_copy (base) : json_object ();
  size_t i;
  json_t *v;

  json_array_foreach (json_object_get (req, key), i, v)
    {
      const char *s = json_string_value (v);
      const char *eq = strchr (s, '=');
      cleanup_free char *k = eq ? husk_xstrndup (s, eq - s) : husk_xstrdup (s);
      json_object_set_new (m, k, json_string (eq ? eq + 1 : ""));
    }
  return m;
}

int
husk_ccfg_label_files (json_t *req, json_t *labels, husk_error_t *err)
{
  size_t i;
  json_t *v;

  json_array_foreach (json_object_get (req, "label_file"), i, v)
    {
      cleanup_free char *text = husk_read_file (json_string_value (v), NULL, err);
      cleanup_strv char **lines = NULL;
      if (text == NULL)
        return husk_error_wrap (err, "--label-file");
      lines = husk_strv_split (text, '\n');
      for (size_t k = 0; lines[k]; k++)
        {
          char *line = lines[k], *eq;
          line[strcspn (line, "\r")] = '\0';
          if (*line == '\0' || *line == '#')
            continue;
          eq = strchr (line, '=');
          if (eq)
            *eq = '\0';
          json_object_set_new (labels, line, json_string (eq ? eq + 1 : ""));
        }
    }
  return 0;
}

static int
build_log (json_t *req, json_t *c, const char *default_driver, husk_error_t *err)
{
  const char *driver = str (req, "log_driver");
  json_t *log;
  size_t i;
  json_t *v;

  if (driver == NULL)
    driver = default_driver ? default_driver : "k8s-file";
  if (strcmp (driver, "k8s-file") && strcmp (driver, "json-file") && strcmp (driver, "none")
      && strcmp (driver, "passthrough"))
    return husk_error_makex (err, EINVAL, "invalid log driver \"%s\": use k8s-file, "
                             "json-file, none or passthrough", driver);
  log = json_pack ("{s:s, s:I}", "driver", driver, "max_size", (json_int_t) -1);
  json_object_set_new (c, "log", log);
  json_array_foreach (json_object_get (req, "log_opts"), i, v)
    {
      const char *s = json_string_value (v);
      int64_t size;
      if (husk_has_prefix (s, "max-size="))
        {
          if (husk_parse_size (s + 9, &size, err) < 0)
            return husk_error_wrap (err, "--log-opt");
          json_object_set_new (log, "max_size", json_integer (size));
        }
      else if (husk_has_prefix (s, "path="))
        json_object_set_new (log, "path", json_string (s + 5));
      else if (husk_has_prefix (s, "tag=") || husk_has_prefix (s, "max-file="))
        continue;
      else
        return husk_error_makex (err, EINVAL, "invalid --log-opt \"%s\": use max-size= or path=", s);
    }
  return 0;
}

static int
build_signals (json_t *req, json_t *image_cfg, json_t *c, int64_t default_timeout,
               husk_error_t *err)
{
  const char *s = str (req, "stop_signal");
  int sig = 15;
  uint64_t timeout;

  if (s == NULL)
    s = json_string_value (json_object_get (image_cfg, "StopSignal"));
  if (s && husk_parse_signal (s, &sig, err) < 0)
    return husk_error_wrap (err, "--stop-signal");
  json_object_set_new (c, "stop_signal", json_integer (sig));
  s = str (req, "stop_timeout");
  if (s && husk_parse_uint_flag (s, "stop-timeout", &timeout, err) < 0)
    return -1;
  json_object_set_new (c, "stop_timeout", json_integer (s ? (json_int_t) timeout : default_timeout));
  s = str (req, "timeout");
  if (s && husk_parse_uint_flag (s, "timeout", &timeout, err) < 0)
    return -1;
  if (s && timeout > 0)
    json_object_set_new (c, "timeout", json_integer ((json_int_t) timeout));
  return 0;
}

/* --device-cgroup-rule "c 1:3 mr", "a *:* rwm": {type, major, minor,
   access}, -1 for a '*'.  */
static json_t *
parse_cgroup_rule (const char *spec, husk_error_t *err)
{
  char type, maj[16], min[16], access[8];
  long long n[2];
  const char *parts[2] = { maj, min };
  int end = 0;

  if (sscanf (spec, "%c %15[0-9*]:%15[0-9*] %7s%n", &type, maj, min, access, &end) != 4
      || spec[end] != '\0' || strchr ("abc", type) == NULL || type == '\0'
      || access[strspn (access, "rwm")] != '\0')
    return husk_error_makex (err, EINVAL, "invalid device cgroup rule requires type, "
                             "major:Minor, and access rules: \"%s\"", spec), NULL;
  for (int i = 0; i < 2; i++)
    {
      if (strcmp (parts[i], "*") == 0)
        n[i] = -1;
      else if (strchr (parts[i], '*') || (n[i] = strtoll (parts[i], NULL, 10)) < 0)
        return husk_error_makex (err, EINVAL, "invalid device cgroup rule \"%s\": major and "
                                 "minor are numbers or '*'", spec), NULL;
    }
  return json_pack ("{s:s#, s:I, s:I, s:s}", "type", &type, (int) 1, "major", (json_int_t) n[0],
                    "minor", (json_int_t) n[1], "access", access);
}

static bool
is_ip (const char *s)
{
  unsigned char buf[sizeof (struct in6_addr)];

  return inet_pton (AF_INET, s, buf) == 1 || inet_pton (AF_INET6, s, buf) == 1;
}

/* --dns, --dns-search, --dns-option: kept for resolv.conf (bundle.c).  */
static int
build_dns (json_t *req, json_t *c, husk_error_t *err)
{
  json_t *dns = json_object_get (req, "dns");
  size_t i;
  json_t *v;

  json_array_foreach (dns, i, v)
    {
      const char *s = json_string_value (v);
      if (strcmp (s, "none") == 0 && json_array_size (dns) == 1)
        continue;
      if (!is_ip (s))
        return husk_error_makex (err, EINVAL, "%s is not an ip address", s);
    }
  {
    const char *net = json_string_value (json_object_get (json_object_get (c, "namespaces"),
                                                          "network"));
    bool any = json_array_size (dns) || json_array_size (json_object_get (req, "dns_search"))
               || json_array_size (json_object_get (req, "dns_options"));
    /* No network of its own, no resolver to configure (Podman).  */
    if (any && net && (strcmp (net, "none") == 0 || husk_has_prefix (net, "container:")))
      return husk_error_makex (err, EINVAL, "conflicting options: dns and the network mode: %s",
                               strcmp (net, "none") == 0 ? "none" : "container");
  }
  json_object_set_new (c, "dns", json_deep_copy (dns) ?: json_array ());
  json_object_set_new (c, "dns_search", json_deep_copy (json_object_get (req, "dns_search"))
                                        ?: json_array ());
  json_object_set_new (c, "dns_options", json_deep_copy (json_object_get (req, "dns_options"))
                                         ?: json_array ());
  return 0;
}

/* --add-host "name[;name...]:ip" (an IPv6 address may be in brackets):
   ["ip\tname name"] lines for /etc/hosts.  */
static int
build_add_host (json_t *req, json_t *c, husk_error_t *err)
{
  json_t *lines = json_array ();
  size_t i;
  json_t *v;

  json_object_set_new (c, "add_hosts", lines);
  json_array_foreach (json_object_get (req, "add_hosts"), i, v)
    {
      const char *s = json_string_value (v);
      const char *colon = strchr (s, ':');
      cleanup_free char *names = colon ? husk_xstrndup (s, colon - s) : NULL;
      cleanup_free char *ip = colon ? husk_xstrdup (colon + 1) : NULL;
      size_t n = ip ? strlen (ip) : 0;

      if (names == NULL || *names == '\0' || strpbrk (names, " \t"))
        return husk_error_makex (err, EINVAL, "invalid add-host \"%s\": use "
                                 "HOSTNAME[;HOSTNAME...]:IP", s);
      if (n > 2 && ip[0] == '[' && ip[n - 1] == ']')
        memmove (ip, ip + 1, n - 2), ip[n - 2] = '\0';
      if (strcmp (ip, "host-gateway") == 0)
        return husk_error_makex (err, ENOTSUP, "--add-host %s: host-gateway needs bridge "
                                 "networks, which husk does not have yet", s);
      if (!is_ip (ip))
        return husk_error_makex (err, EINVAL, "invalid IP address in add-host: \"%s\"", ip);
      for (char *p = names; (p = strchr (p, ';')); p++)
        *p = ' ';
      json_array_append_new (lines, json_sprintf ("%s\t%s", ip, names));
    }
  return 0;
}

/* --cgroups: "enabled" (the default) gives the container a cgroup of its
   own, "disabled" none (it stays in the caller's, and limits cannot
   apply).  "no-conmon" is what husk always does: husk-monitor never gets
   a cgroup of its own.  "split" would move the monitor into a sub-cgroup
   of the caller's, which husk, leaving cgroups to the OCI runtime, does
   not do.  Recorded only when given: the spec tells a rootless default
   (warn and ignore limits on cgroup v1) from an explicit "enabled".  */
static int
cgroups_mode (json_t *req, json_t *c, husk_error_t *err)
{
  const char *s = str (req, "cgroups");

  if (s == NULL)
    return 0;
  if (strcmp (s, "split") == 0)
    return husk_error_makex (err, ENOTSUP, "--cgroups=split is not supported by husk: it "
                             "moves the monitor (Podman's conmon, husk's husk-monitor) "
                             "into a sub-cgroup of the caller's cgroup, and husk leaves "
                             "cgroups to the OCI runtime; use enabled, disabled or "
                             "no-conmon");
  if (strcmp (s, "no-conmon") == 0)
    s = "enabled"; /* husk-monitor has no cgroup of its own anyway */
  if (strcmp (s, "enabled") && strcmp (s, "disabled"))
    return husk_error_makex (err, EINVAL, "invalid cgroup mode \"%s\"", s);
  if (strcmp (s, "disabled") == 0 && json_object_size (json_object_get (c, "resources")) > 0)
    return husk_error_makex (err, EINVAL, "resource limits (--memory, --cpus, --pids-limit, "
                             "...) need a cgroup: they cannot be used with --cgroups=disabled");
  json_object_set_new (c, "cgroups", json_string (s));
  return 0;
}

/* The flags that the spec and the bundle files read as they are.  */
static int
build_extras (json_t *req, json_t *c, husk_error_t *err)
{
  const char *s;
  json_t *rules = json_array ();
  size_t i;
  json_t *v, *r;

  json_object_set_new (c, "device_cgroup_rules", rules);
  json_array_foreach (json_object_get (req, "device_cgroup_rules"), i, v)
    {
      if ((r = parse_cgroup_rule (json_string_value (v), err)) == NULL)
        return -1;
      json_array_append_new (rules, r);
    }
  if ((s = str (req, "cgroupns")))
    {
      /* container:ID: a pod's shared cgroup namespace (pod/pod.h).  */
      if (strcmp (s, "host") && strcmp (s, "private") && strncmp (s, "container:", 10))
        return husk_error_makex (err, EINVAL, "unrecognized namespace mode %s passed", s);
      json_object_set_new (json_object_get (c, "namespaces"), "cgroup", json_string (s));
    }
  if (cgroups_mode (req, c, err) < 0)
    return -1;
  if ((s = str (req, "umask")))
    {
      char *end;
      long m = strtol (s, &end, 8);
      if (*end || end == s || m < 0 || m > 0777)
        return husk_error_makex (err, EINVAL, "invalid umask string %s: invalid argument", s);
      json_object_set_new (c, "umask", json_string (s));
    }
  if ((s = str (req, "oom_score_adj")))
    {
      int64_t adj;
      if (husk_parse_int_flag (s, "oom-score-adj", &adj, err) < 0)
        return -1;
      if (adj < -1000 || adj > 1000)
        return husk_error_makex (err, EINVAL, "oom_score_adj must be between -1000 and 1000: %s", s);
      json_object_set_new (c, "oom_score_adj", json_integer (adj));
    }
  json_object_set_new (c, "no_hosts", json_boolean (flag (req, "no_hosts")));
  json_object_set_new (c, "unsetenv_all", json_boolean (flag (req, "unsetenv_all")));
  json_object_set_new (c, "unsetenv", json_deep_copy (json_object_get (req, "unsetenv"))
                                      ?: json_array ());
  json_object_set_new (c, "no_hostname", json_boolean (flag (req, "no_hostname")));
  if (build_add_host (req, c, err) < 0)
    return -1;
  if (json_array_size (json_object_get (c, "add_hosts")) && flag (req, "no_hosts"))
    return husk_error_makex (err, EINVAL, "--no-hosts and --add-host cannot be set together");
  return build_dns (req, c, err);
}

/* --group-add; "keep-groups" (alone, as in Podman) keeps the caller's
   supplementary groups: crun's run.oci.keep_original_groups annotation,
   which only a rootless crun acts on.  */
static int
build_group_add (json_t *req, json_t *c, husk_error_t *err)
{
  json_t *groups = json_object_get (req, "group_add");
  size_t i;
  json_t *v;

  json_array_foreach (groups, i, v)
    if (strcmp (json_string_value (v), "keep-groups") == 0)
      {
        if (json_array_size (groups) > 1)
          return husk_error_makex (err, EINVAL, "the '--group-add keep-groups' option is not "
                                   "allowed with any other --group-add options");
        json_object_set_new (c, "group_add", json_array ());
        json_object_set_new (c, "keep_groups", json_true ());
        return 0;
      }
  json_object_set_new (c, "group_add", json_deep_copy (groups) ?: json_array ());
  return 0;
}

/* --passwd, --passwd-entry, --group-entry: checked now, used at start.  */
static int
build_passwd (json_t *req, json_t *c, husk_error_t *err)
{
  bool on = !json_is_false (json_object_get (req, "passwd"));
  struct husk_passwd_opts o = {
    /* Without --passwd no entry is made: check the templates alone.  */
    .user = on ? json_string_value (json_object_get (c, "user")) : "",
    .workdir = json_string_value (json_object_get (c, "workdir")),
    .passwd_entry = str (req, "passwd_entry"),
    .group_entry = str (req, "group_entry"),
  };

  if (husk_passwd_check (&o, err) < 0)
    return -1;
  json_object_set_new (c, "passwd", json_boolean (on));
  json_object_set_new (c, "passwd_entry", json_string (o.passwd_entry ?: ""));
  json_object_set_new (c, "group_entry", json_string (o.group_entry ?: ""));
  return 0;
}

json_t *
husk_ccfg_build (json_t *req, const struct husk_ccfg_defaults *d, json_t *image_config,
                 husk_error_t *err)
{
  json_t *icfg = json_object_get (image_config, "config");
  cleanup_json json_t *c = json_object ();
  json_t *cmd = json_object_get (req, "command");
  json_t *env, *labels;
  size_t i;
  json_t *v;

  json_object_set_new (c, "entrypoint", entrypoint (req, icfg));
  if (json_array_size (cmd) > 0)
    json_object_set_new (c, "cmd", json_deep_copy (cmd));
  else if (json_object_get (req, "entrypoint") && !json_is_null (json_object_get (req, "entrypoint")))
    json_object_set_new (c, "cmd", json_null ()); /* --entrypoint resets the image's CMD */
  else
    json_object_set_new (c, "cmd", json_deep_copy (json_object_get (icfg, "Cmd")) ?: json_null ());
  if (json_array_size (json_object_get (c, "entrypoint")) == 0
      && json_array_size (json_object_get (c, "cmd")) == 0)
    return husk_error_makex (err, EINVAL, "no command or entrypoint provided, and no CMD "
                             "or ENTRYPOINT from image"), NULL;
  if ((env = build_env (req, icfg, err)) == NULL)
    return NULL;
  json_object_set_new (c, "env", env);
  if (build_workdir (req, icfg, c, err) < 0)
    return NULL;
  json_object_set_new (c, "user", json_string (str (req, "user") ?: (json_string_value (json_object_get (icfg, "User")) ?: "")));
  if (build_group_add (req, c, err) < 0)
    return NULL;
  if (str (req, "hostname"))
    json_object_set_new (c, "hostname", json_string (str (req, "hostname")));
  json_object_set_new (c, "tty", json_boolean (flag (req, "tty")));
  json_object_set_new (c, "interactive", json_boolean (flag (req, "interactive")));
  json_object_set_new (c, "privileged", json_boolean (flag (req, "privileged")));
  json_object_set_new (c, "cap_add", json_deep_copy (json_object_get (req, "cap_add")) ?: json_array ());
  json_object_set_new (c, "cap_drop", json_deep_copy (json_object_get (req, "cap_drop")) ?: json_array ());
  json_object_set_new (c, "seccomp", json_string ("default"));
  json_object_set_new (c, "mask", json_array ());
  json_object_set_new (c, "unmask", json_array ());
  json_object_set_new (c, "no_new_privileges", json_false ());
  json_array_foreach (json_object_get (req, "security_opt"), i, v)
    {
      const char *s = json_string_value (v);
      if (husk_has_prefix (s, "seccomp=") || husk_has_prefix (s, "seccomp:"))
        json_object_set_new (c, "seccomp", json_string (s + 8));
      else if (strcmp (s, "no-new-privileges") == 0 || strcmp (s, "no-new-privileges=true") == 0
               || strcmp (s, "no-new-privileges:true") == 0)
        json_object_set_new (c, "no_new_privileges", json_true ());
      else if (strcmp (s, "no-new-privileges=false") == 0
               || strcmp (s, "no-new-privileges:false") == 0)
        json_object_set_new (c, "no_new_privileges", json_false ());
      else if (husk_has_prefix (s, "mask="))
        {
          cleanup_strv char **p = husk_strv_split (s + 5, ':');
          for (size_t k = 0; p[k]; k++)
            json_array_append_new (json_object_get (c, "mask"), json_string (p[k]));
        }
      else if (husk_has_prefix (s, "unmask="))
        {
          cleanup_strv char **p = husk_strv_split (s + 7, ':');
          for (size_t k = 0; p[k]; k++)
            json_array_append_new (json_object_get (c, "unmask"), json_string (p[k]));
        }
      else if (strcmp (s, "label=disable") == 0 || husk_has_prefix (s, "label="))
        continue; /* no SELinux on these hosts */
      else
        return husk_error_makex (err, EINVAL, "invalid --security-opt \"%s\"", s), NULL;
    }
  json_object_set_new (c, "read_only", json_boolean (flag (req, "read_only")));
  json_object_set_new (c, "read_only_tmpfs", json_boolean (!json_is_false (json_object_get (req, "read_only_tmpfs"))));
  json_object_set_new (c, "ulimits", json_deep_copy (json_object_get (req, "ulimits")) ?: json_array ());
  json_object_set_new (c, "sysctls", string_map (req, "sysctls", NULL));
  if (build_resources (req, c, err) < 0 || build_mounts (req, c, err) < 0
      || build_namespaces (req, c, err) < 0 || build_network (req, d, c, err) < 0
      || build_ports (req, d, icfg, c, err) < 0 || build_restart (req, c, err) < 0
      || build_health (req, icfg, c, err) < 0
      || build_log (req, c, d->log_driver, err) < 0
      || build_signals (req, icfg, c, d->stop_timeout, err) < 0
      || husk_container_secrets_parse (req, c, err) < 0)
    return NULL;
  {
    int64_t shm = 64 * 1024 * 1024;
    const char *s = str (req, "shm_size") ?: d->shm_size;
    if (s && husk_parse_size (s, &shm, err) < 0)
      return husk_error_wrap (err, "--shm-size"), NULL;
    json_object_set_new (c, "shm_size", json_integer (shm));
  }
  json_object_set_new (c, "devices", json_array ());
  json_array_foreach (json_object_get (req, "devices"), i, v)
    {
      cleanup_strv char **p = husk_strv_split (json_string_value (v), ':');
      size_t n = husk_strv_len (p);
      json_array_append_new (json_object_get (c, "devices"),
                             json_pack ("{s:s, s:s, s:s}", "path", p[0],
                                        "destination", n > 1 && p[1][0] == '/' ? p[1] : p[0],
                                        "permissions", n > 2 ? p[2] : (n == 2 && p[1][0] != '/') ? p[1] : "rwm"));
    }
  json_object_set_new (c, "init", json_boolean (flag (req, "init")));
  if (str (req, "init_path") || d->init_path)
    json_object_set_new (c, "init_path", json_string (str (req, "init_path") ?: d->init_path));
  labels = string_map (req, "labels", json_object_get (icfg, "Labels"));
  json_object_set_new (c, "labels", labels);
  if (husk_ccfg_label_files (req, labels, err) < 0)
    return NULL;
  json_object_set_new (c, "annotations", string_map (req, "annotations", NULL));
  if (flag (c, "keep_groups"))
    json_object_set_new (json_object_get (c, "annotations"), "run.oci.keep_original_groups",
                         json_string ("1"));
  if (build_extras (req, c, err) < 0)
    return NULL;
  json_object_set_new (c, "rm", json_boolean (flag (req, "rm")));
  json_object_set_new (c, "tz", json_string (str (req, "tz") ?: ""));
  if (build_passwd (req, c, err) < 0)
    return NULL;
  json_object_set_new (c, "detach_keys", json_string (str (req, "detach_keys") ?: "ctrl-p,ctrl-q"));
  json_object_set_new (c, "rlimits_clamp", json_true ());
  /* The pod it belongs to, by ID (pod/pod.h), and whether it is the
     pod's infra container.  */
  if (str (req, "pod"))
    json_object_set_new (c, "pod", json_string (str (req, "pod")));
  if (flag (req, "pod_infra"))
    json_object_set_new (c, "pod_infra", json_true ());
  if (flag (req, "pod_new"))
    json_object_set_new (c, "pod_new", json_true ()); /* run --pod new:NAME made it */
  /* Recorded for inspect only (Config.CreateCommand, ContainerIDFile).  */
  if (json_is_array (json_object_get (req, "create_command")))
    json_object_set (c, "create_command", json_object_get (req, "create_command"));
  if (str (req, "cidfile"))
    json_object_set_new (c, "cidfile", json_string (str (req, "cidfile")));
  if (str (req, "cidfile_path"))
    json_object_set_new (c, "cidfile_path", json_string (str (req, "cidfile_path")));
  return steal_ptr (&c);
}
