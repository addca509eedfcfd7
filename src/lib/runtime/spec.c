/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Generating the OCI runtime spec (config.json, runtime-spec 1.0.2) of a
 * container from its configuration (container/ccfg.h).
 *
 * Theory of operation
 *
 * Plan first, write nothing: husk_spec_generate() reads the configuration,
 * checks every value (each error names the flag and the value), resolves
 * the user inside the image, and returns the whole spec as a JSON tree;
 * only husk_spec_write() touches the disk.  The pieces:
 *   process   args (entrypoint + cmd, behind --init's binary), env (PATH,
 *             HOSTNAME, HOME, TERM and container=podman added when
 *             missing), cwd, user and groups (runtime/user.c),
 *             capabilities (spec-caps.c), rlimits (spec-rlimit.c)
 *   root      the mounted root file system, read-only with --read-only
 *   hostname  only with a private UTS namespace
 *   mounts    spec-mounts.c
 *   linux     spec-linux.c: namespaces, resources, devices, sysctls,
 *             masked paths, seccomp
 *
 * The environment variable "container" is set to "podman", as Podman sets
 * it: programs test it to know they run in a container (systemd, toolbox),
 * and some compare it with "podman"; husk aims to be a drop-in.
 */
#include "runtime/spec-private.h"
#include "util/cleanup.h"
#include "util/fileutil.h"
#include "util/strutil.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#define OCI_VERSION "1.0.2"
#define DEFAULT_PATH "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
#define CGROUP2_MAGIC 0x63677270

static const char *const init_candidates[] = {
  "/usr/libexec/podman/catatonit", "/usr/bin/catatonit",
  "/usr/libexec/catatonit/catatonit", NULL,
};

/* Typed access.  */

static int
type_error (const char *key, const char *what, husk_error_t *err)
{
  return husk_error_makex (err, EINVAL, "invalid container configuration: \"%s\" must be %s",
                           key, what);
}

static json_t *
get (json_t *o, const char *key)
{
  json_t *v = json_is_object (o) ? json_object_get (o, key) : NULL;

  return json_is_null (v) ? NULL : v;
}

int
husk_spec_get_str (json_t *o, const char *key, const char *def, const char **out,
                   husk_error_t *err)
{
  json_t *v = get (o, key);

  *out = def;
  if (v == NULL)
    return 0;
  if (!json_is_string (v))
    return type_error (key, "a string", err);
  *out = json_string_value (v);
  return 0;
}

int
husk_spec_get_bool (json_t *o, const char *key, bool def, bool *out, husk_error_t *err)
{
  json_t *v = get (o, key);

  *out = def;
  if (v == NULL)
    return 0;
  if (!json_is_boolean (v))
    return type_error (key, "true or false", err);
  *out = json_is_true (v);
  return 0;
}

int
husk_spec_get_int (json_t *o, const char *key, int64_t def, int64_t *out,
                   husk_error_t *err)
{
  json_t *v = get (o, key);
  double d;

  *out = def;
  if (v == NULL)
    return 0;
  if (json_is_integer (v))
    {
      *out = json_integer_value (v);
      return 0;
    }
  /* 30e9 in JSON is a real; accept whole numbers written that way.  */
  d = json_is_real (v) ? json_real_value (v) : NAN;
  if (!isfinite (d) || d != floor (d) || fabs (d) > 9.2e18)
    return type_error (key, "an integer", err);
  *out = (int64_t) d;
  return 0;
}

int
husk_spec_get_real (json_t *o, const char *key, double def, double *out,
                    husk_error_t *err)
{
  json_t *v = get (o, key);

  *out = def;
  if (v == NULL)
    return 0;
  if (!json_is_number (v))
    return type_error (key, "a number", err);
  *out = json_number_value (v);
  return 0;
}

int
husk_spec_get_strings (json_t *o, const char *key, json_t **out, husk_error_t *err)
{
  json_t *v = get (o, key), *e;
  size_t i;

  *out = NULL;
  if (v == NULL)
    return 0;
  if (!json_is_array (v))
    return type_error (key, "an array of strings", err);
  json_array_foreach (v, i, e)
    if (!json_is_string (e))
      return type_error (key, "an array of strings", err);
  *out = v;
  return 0;
}

int
husk_spec_get_array (json_t *o, const char *key, json_t **out, husk_error_t *err)
{
  json_t *v = get (o, key);

  *out = NULL;
  if (v == NULL)
    return 0;
  if (!json_is_array (v))
    return type_error (key, "an array", err);
  *out = v;
  return 0;
}

int
husk_spec_get_object (json_t *o, const char *key, json_t **out, husk_error_t *err)
{
  json_t *v = get (o, key);

  *out = NULL;
  if (v == NULL)
    return 0;
  if (!json_is_object (v))
    return type_error (key, "an object", err);
  *out = v;
  return 0;
}

/* Namespaces.  */

static int
parse_ns (json_t *nss, const char *key, struct husk_spec_ns *ns, husk_error_t *err)
{
  struct stat st;
  const char *v;

  if (husk_spec_get_str (nss, key, "private", &v, err) < 0)
    return -1;
  ns->mode = HUSK_SPEC_NS_PRIVATE;
  ns->path = NULL;
  if (strcmp (v, "host") == 0)
    ns->mode = HUSK_SPEC_NS_HOST;
  else if (husk_has_prefix (v, "ns:") || husk_has_prefix (v, "path:"))
    {
      ns->mode = HUSK_SPEC_NS_PATH;
      ns->path = strchr (v, ':') + 1;
      if (ns->path[0] != '/')
        return husk_error_makex (err, EINVAL, "invalid --%s \"%s\": the path must be absolute",
                                 key, v);
      /* lstat: following /proc/PID/ns links needs ptrace rights that only
         the runtime, joining the namespace, must have.  */
      if (lstat (ns->path, &st) < 0 && errno == ENOENT)
        return husk_error_make (err, errno, "--%s \"%s\"", key, v);
    }
  else if (husk_has_prefix (v, "container:"))
    return husk_error_makex (err, EINVAL,
                             "--%s \"%s\": the caller must resolve a container's namespace "
                             "to \"path:/proc/PID/ns/TYPE\"", key, v);
  /* The network namespace may be named by its network mode (none, bridge,
     pasta, ...): all of them start from a private namespace.  */
  else if (strcmp (key, "network") != 0 && strcmp (v, "private") != 0
           && strcmp (v, "shareable") != 0 && *v != '\0')
    return husk_error_makex (err, EINVAL, "invalid --%s \"%s\"", key, v);
  return 0;
}

static int
namespaces (struct husk_spec_ctx *c, husk_error_t *err)
{
  json_t *nss;

  if (husk_spec_get_object (c->ccfg, "namespaces", &nss, err) < 0)
    return -1;
  if (parse_ns (nss, "network", &c->net, err) < 0 || parse_ns (nss, "pid", &c->pid, err) < 0
      || parse_ns (nss, "ipc", &c->ipc, err) < 0 || parse_ns (nss, "uts", &c->uts, err) < 0)
    return -1;
  return 0;
}

bool
husk_spec_host_cgroup2 (void)
{
  struct statfs fs;

  return statfs ("/sys/fs/cgroup", &fs) == 0 && fs.f_type == CGROUP2_MAGIC;
}

/* Process.  */

static int
append_strings (json_t *to, json_t *from, const char *key, husk_error_t *err)
{
  json_t *a;

  if (husk_spec_get_strings (from, key, &a, err) < 0)
    return -1;
  if (a)
    json_array_extend (to, a);
  return 0;
}

static int
args (struct husk_spec_ctx *c, json_t *proc, husk_error_t *err)
{
  json_t *cmd = json_array ();
  json_t *a = json_array ();

  json_object_set_new (proc, "args", a);
  if (append_strings (cmd, c->ccfg, "entrypoint", err) < 0
      || append_strings (cmd, c->ccfg, "cmd", err) < 0)
    {
      json_decref (cmd);
      return -1;
    }
  if (json_array_size (cmd) == 0)
    {
      json_decref (cmd);
      return husk_error_makex (err, EINVAL, "no command specified");
    }
  if (c->init_path)
    {
      json_array_append_new (a, json_string (HUSK_SPEC_INIT_PATH));
      json_array_append_new (a, json_string ("--"));
    }
  json_array_extend (a, cmd);
  json_decref (cmd);
  return 0;
}

static bool
env_has (json_t *env, const char *name)
{
  size_t n = strlen (name), i;
  json_t *v;

  json_array_foreach (env, i, v)
    {
      const char *s = json_string_value (v);

      if (strncmp (s, name, n) == 0 && s[n] == '=')
        return true;
    }
  return false;
}

static void
env_default (json_t *env, const char *name, const char *value)
{
  if (!env_has (env, name))
    json_array_append_new (env, json_sprintf ("%s=%s", name, value));
}

/* Whether --unsetenv named this default variable.  */
static bool
unset (struct husk_spec_ctx *c, const char *name)
{
  size_t i;
  json_t *v;

  json_array_foreach (json_object_get (c->ccfg, "unsetenv"), i, v)
    if (json_is_string (v) && strcmp (json_string_value (v), name) == 0)
      return true;
  return false;
}

static int
env (struct husk_spec_ctx *c, json_t *proc, husk_error_t *err)
{
  json_t *e = json_array ();
  char host[HOST_NAME_MAX + 1] = "";
  size_t i;
  json_t *v;

  json_object_set_new (proc, "env", e);
  if (append_strings (e, c->ccfg, "env", err) < 0)
    return -1;
  json_array_foreach (e, i, v)
    {
      const char *s = json_string_value (v);

      if (*s == '=' || strchr (s, '=') == NULL)
        return husk_error_makex (err, EINVAL, "invalid environment variable \"%s\"", s);
    }
  /* --unsetenv-all: none of the defaults below (Podman's own).  */
  if (json_is_true (json_object_get (c->ccfg, "unsetenv_all")))
    return 0;
  if (!env_has (e, "PATH") && !unset (c, "PATH"))
    json_array_insert_new (e, 0, json_string (DEFAULT_PATH));
  if (c->tty && !unset (c, "TERM"))
    env_default (e, "TERM", "xterm");
  if (!unset (c, "container"))
    env_default (e, "container", "podman");
  if (!unset (c, "HOME"))
    env_default (e, "HOME", c->user.home);
  if (unset (c, "HOSTNAME"))
    return 0;
  if (c->uts.mode == HUSK_SPEC_NS_PRIVATE)
    env_default (e, "HOSTNAME", c->hostname);
  else if (gethostname (host, sizeof host - 1) == 0)
    env_default (e, "HOSTNAME", host);
  return 0;
}

static int
user (struct husk_spec_ctx *c, json_t *proc, husk_error_t *err)
{
  const char *umask_s;
  char *end;
  long um;
  json_t *u;

  if (husk_spec_get_str (c->ccfg, "umask", "0022", &umask_s, err) < 0)
    return -1;
  um = strtol (umask_s, &end, 8);
  if (*umask_s == '\0' || *end != '\0' || um < 0 || um > 0777)
    return husk_error_makex (err, EINVAL, "invalid umask \"%s\"", umask_s);
  u = json_pack ("{s:I, s:I, s:I}", "uid", (json_int_t) c->user.uid, "gid",
                 (json_int_t) c->user.gid, "umask", (json_int_t) um);
  if (c->user.n_gids > 0)
    {
      json_t *g = json_array ();

      for (size_t i = 0; i < c->user.n_gids; i++)
        json_array_append_new (g, json_integer (c->user.gids[i]));
      json_object_set_new (u, "additionalGids", g);
    }
  json_object_set_new (proc, "user", u);
  return 0;
}

/* --oom-score-adj, when given.  */
static int
process_tuning (struct husk_spec_ctx *c, json_t *proc, husk_error_t *err)
{
  int64_t adj = 0;

  if (husk_spec_get_int (c->ccfg, "oom_score_adj", 0, &adj, err) < 0)
    return -1;
  if (adj < -1000 || adj > 1000)
    return husk_error_makex (err, EINVAL, "invalid oom_score_adj %lld", (long long) adj);
  if (json_object_get (c->ccfg, "oom_score_adj"))
    json_object_set_new (proc, "oomScoreAdj", json_integer (adj));
  return 0;
}

static int
process (struct husk_spec_ctx *c, json_t *proc, husk_error_t *err)
{
  json_t *cap_add, *cap_drop, *ulimits, *caps, *rl;
  const char *cwd;
  bool nnp, clamp;
  struct husk_spec_host_limits h;

  json_object_set_new (proc, "terminal", json_boolean (c->tty));
  if (user (c, proc, err) < 0 || args (c, proc, err) < 0 || env (c, proc, err) < 0)
    return -1;
  if (husk_spec_get_str (c->ccfg, "workdir", "/", &cwd, err) < 0)
    return -1;
  if (cwd[0] != '/')
    return husk_error_makex (err, EINVAL,
                             "invalid working directory \"%s\": it must be an absolute path", cwd);
  json_object_set_new (proc, "cwd", json_string (cwd));

  if (husk_spec_get_strings (c->ccfg, "cap_add", &cap_add, err) < 0
      || husk_spec_get_strings (c->ccfg, "cap_drop", &cap_drop, err) < 0
      || husk_spec_get_strings (c->ccfg, "ulimits", &ulimits, err) < 0
      || husk_spec_get_bool (c->ccfg, "no_new_privileges", false, &nnp, err) < 0
      || husk_spec_get_bool (c->ccfg, "rlimits_clamp", true, &clamp, err) < 0)
    return -1;
  caps = husk_spec_capabilities (cap_add, cap_drop, c->privileged, c->user.uid == 0,
                                 &c->bounding, err);
  if (caps == NULL)
    return -1;
  json_object_set_new (proc, "capabilities", caps);
  husk_spec_host_limits (&h);
  if ((rl = husk_spec_rlimits (ulimits, clamp, &h, err)) == NULL)
    return -1;
  json_object_set_new (proc, "rlimits", rl);
  json_object_set_new (proc, "noNewPrivileges", json_boolean (nnp));
  return process_tuning (c, proc, err);
}

/* The rest.  */

static bool
valid_id (const char *id)
{
  return id[0] != '\0' && id[0] != '.' && id[0] != '-' && strlen (id) <= 255
         && id[strspn (id, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-")]
                == '\0';
}

static int
hostname (struct husk_spec_ctx *c, husk_error_t *err)
{
  if (husk_spec_get_str (c->ccfg, "hostname", NULL, &c->hostname, err) < 0)
    return -1;
  if (c->hostname == NULL || *c->hostname == '\0')
    return 0;
  if (strlen (c->hostname) > HOST_NAME_MAX || strpbrk (c->hostname, "/ \t\n") != NULL)
    return husk_error_makex (err, EINVAL, "invalid --hostname \"%s\"", c->hostname);
  return 0;
}

static int
init_binary (struct husk_spec_ctx *c, husk_error_t *err)
{
  const char *path;
  bool init;

  if (husk_spec_get_bool (c->ccfg, "init", false, &init, err) < 0
      || husk_spec_get_str (c->ccfg, "init_path", NULL, &path, err) < 0)
    return -1;
  if (!init)
    return 0;
  if (path != NULL && *path != '\0')
    {
      if (path[0] != '/' || access (path, X_OK) < 0)
        return husk_error_makex (err, ENOENT, "--init: init binary '%s' not found", path);
      c->init_path = path;
      return 0;
    }
  for (const char *const *p = init_candidates; *p; p++)
    if (access (*p, X_OK) == 0)
      {
        c->init_path = *p;
        return 0;
      }
  return husk_error_makex (err, ENOENT,
                           "--init: no init binary found: install catatonit or set init_path");
}

static int
annotations (struct husk_spec_ctx *c, json_t *spec, husk_error_t *err)
{
  json_t *given, *v;
  json_t *a = json_object ();
  const char *k;
  int64_t sig;

  json_object_set_new (spec, "annotations", a);
  if (husk_spec_get_object (c->ccfg, "annotations", &given, err) < 0
      || husk_spec_get_int (c->ccfg, "stop_signal", 15, &sig, err) < 0)
    return -1;
  json_object_foreach (given, k, v)
    {
      if (!json_is_string (v))
        return husk_error_makex (err, EINVAL,
                                 "invalid annotation \"%s\": the value must be a string", k);
      json_object_set (a, k, v);
    }
  if (json_object_get (a, "io.container.manager") == NULL)
    json_object_set_new (a, "io.container.manager", json_string ("husk"));
  if (json_object_get (a, "org.opencontainers.image.stopSignal") == NULL)
    json_object_set_new (a, "org.opencontainers.image.stopSignal",
                         json_sprintf ("%lld", (long long) sig));
  return 0;
}

static int
resolve_user (struct husk_spec_ctx *c, husk_error_t *err)
{
  cleanup_close int rootfd = -1;
  json_t *groups;
  cleanup_strv char **gv = NULL;
  const char *spec;
  size_t i;
  json_t *g;

  if (husk_spec_get_str (c->ccfg, "user", "", &spec, err) < 0
      || husk_spec_get_strings (c->ccfg, "group_add", &groups, err) < 0)
    return -1;
  gv = husk_xzalloc (sizeof *gv);
  json_array_foreach (groups, i, g)
    husk_strv_append (&gv, json_string_value (g));
  rootfd = open (c->p->rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (rootfd < 0)
    return husk_error_make (err, errno, "open root file system '%s'", c->p->rootfs);
  /* husk's /etc/passwd copy gives the added user its name and HOME; the
     groups come from the image's /etc/group, as in Podman, where the
     added group (which lists the user) is no supplementary group.  */
  return husk_user_resolve_files (rootfd, c->p->passwd, NULL, spec, gv, &c->user, err);
}

static json_t *
generate (struct husk_spec_ctx *c, husk_error_t *err)
{
  cleanup_json json_t *spec = json_object ();
  cleanup_free char *short_id = NULL;
  json_t *proc = json_object (), *mounts, *lx;

  json_object_set_new (spec, "ociVersion", json_string (OCI_VERSION));
  json_object_set_new (spec, "process", proc);
  if (husk_spec_get_str (c->ccfg, "id", NULL, &c->id, err) < 0
      || husk_spec_get_bool (c->ccfg, "privileged", false, &c->privileged, err) < 0
      || husk_spec_get_bool (c->ccfg, "read_only", false, &c->read_only, err) < 0
      || husk_spec_get_bool (c->ccfg, "tty", false, &c->tty, err) < 0)
    return NULL;
  if (c->id == NULL || !valid_id (c->id))
    {
      husk_error_makex (err, EINVAL, "invalid container id \"%s\"", c->id ? c->id : "");
      return NULL;
    }
  if (hostname (c, err) < 0 || namespaces (c, err) < 0 || init_binary (c, err) < 0
      || resolve_user (c, err) < 0)
    return NULL;
  if (c->hostname == NULL || *c->hostname == '\0')
    c->hostname = short_id = husk_xstrndup (c->id, 12);
  c->cgroup2 = husk_spec_host_cgroup2 ();

  if (process (c, proc, err) < 0)
    return NULL;
  json_object_set_new (spec, "root", json_pack ("{s:s, s:b}", "path", c->p->rootfs,
                                                "readonly", c->read_only));
  if (c->uts.mode == HUSK_SPEC_NS_PRIVATE)
    json_object_set_new (spec, "hostname", json_string (c->hostname));
  if ((mounts = husk_spec_mounts (c, err)) == NULL)
    return NULL;
  json_object_set_new (spec, "mounts", mounts);
  if (annotations (c, spec, err) < 0 || (lx = husk_spec_linux (c, err)) == NULL)
    return NULL;
  json_object_set_new (spec, "linux", lx);
  /* The hostname string may point into short_id: copy before it goes.  */
  c->hostname = NULL;
  return steal_ptr (&spec);
}

json_t *
husk_spec_generate (json_t *ccfg, const struct husk_spec_paths *p, husk_error_t *err)
{
  struct husk_spec_ctx c;
  json_t *spec;

  memset (&c, 0, sizeof c);
  if (!json_is_object (ccfg))
    {
      husk_error_makex (err, EINVAL, "invalid container configuration: not an object");
      return NULL;
    }
  if (p == NULL || p->rootfs == NULL || p->rootfs[0] != '/')
    {
      husk_error_makex (err, EINVAL, "invalid root file system path");
      return NULL;
    }
  c.ccfg = ccfg;
  c.p = p;
  spec = generate (&c, err);
  husk_user_release (&c.user);
  return spec;
}

/* Writing.  */

static bool
has_unlimited (json_t *rl)
{
  size_t i;
  json_t *v;

  json_array_foreach (rl, i, v)
    if (json_integer_value (json_object_get (v, "hard")) == -1
        || json_integer_value (json_object_get (v, "soft")) == -1)
      return true;
  return false;
}

static void
put_limit (struct husk_buf *b, json_t *v)
{
  json_int_t x = json_integer_value (v);

  if (x == -1)
    husk_buf_puts (b, "18446744073709551615");
  else
    husk_buf_printf (b, "%lld", (long long) x);
}

/* rlimits rendered by hand, with -1 as 2^64-1.  */
static char *
render_rlimits (json_t *rl)
{
  struct husk_buf b = HUSK_BUF_INIT;
  size_t i;
  json_t *v;

  husk_buf_putc (&b, '[');
  json_array_foreach (rl, i, v)
    {
      cleanup_free char *type = json_dumps (json_object_get (v, "type"), JSON_ENCODE_ANY);

      husk_buf_printf (&b, "%s{\"type\":%s,\"hard\":", i ? "," : "", type ? type : "\"\"");
      put_limit (&b, json_object_get (v, "hard"));
      husk_buf_puts (&b, ",\"soft\":");
      put_limit (&b, json_object_get (v, "soft"));
      husk_buf_putc (&b, '}');
    }
  husk_buf_putc (&b, ']');
  return husk_buf_steal (&b);
}

static size_t
count (const char *hay, const char *needle)
{
  size_t n = 0;

  for (const char *p = hay; (p = strstr (p, needle)) != NULL; p++)
    n++;
  return n;
}

/* Dump with a placeholder string where the rlimits go, then splice the
   hand-rendered array in.  The placeholder is checked to occur exactly
   once, so no string in the spec can be mistaken for it.  */
static char *
dump_with_rlimits (json_t *spec, json_t *proc, json_t *rl)
{
  cleanup_free char *rendered = render_rlimits (rl);

  json_incref (rl);
  for (unsigned attempt = 0;; attempt++)
    {
      cleanup_free char *token = husk_asprintf ("husk-rlimits-%u-%p", attempt, (void *) rl);
      cleanup_free char *quoted = husk_asprintf ("\"%s\"", token);
      cleanup_free char *s = NULL;
      char *at;

      json_object_set_new (proc, "rlimits", json_string (token));
      s = json_dumps (spec, JSON_COMPACT);
      if (s == NULL)
        abort ();
      if (count (s, quoted) == 1)
        {
          struct husk_buf b = HUSK_BUF_INIT;

          json_object_set_new (proc, "rlimits", rl);
          at = strstr (s, quoted);
          husk_buf_append (&b, s, at - s);
          husk_buf_puts (&b, rendered);
          husk_buf_puts (&b, at + strlen (quoted));
          return husk_buf_steal (&b);
        }
    }
}

char *
husk_spec_dumps (json_t *spec)
{
  json_t *proc = json_object_get (spec, "process");
  json_t *rl;
  char *s;

  if (proc == NULL)
    proc = spec; /* a process object, as for exec --process */
  rl = json_object_get (proc, "rlimits");
  if (json_is_array (rl) && has_unlimited (rl))
    return dump_with_rlimits (spec, proc, rl);
  s = json_dumps (spec, JSON_COMPACT);
  if (s == NULL)
    abort ();
  return s;
}

int
husk_spec_write (json_t *spec, const char *path, husk_error_t *err)
{
  cleanup_free char *s = husk_spec_dumps (spec);

  return husk_write_file_replace (path, s, strlen (s), 0600, err);
}
