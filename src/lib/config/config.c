/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Loading containers.conf, storage.conf and registries.conf (see config.h
 * for the files and their order).  Each file is parsed with the TOML reader
 * and laid over the configuration so far.  The keys husk knows are listed in
 * tables that say where each one goes and what type it must have, so adding
 * a key is one line.
 */
#include "config/config.h"
#include "userns/userns.h"
#include "util/hostdb.h"
#include "config/toml.h"
#include "util/fileutil.h"
#include "util/strutil.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The file being applied, for messages.  */
struct src
{
  const char *kind;   /* "containers.conf", ... */
  const char *path;
  bool explicit_file; /* named by a CONTAINERS_* variable */
};

typedef int (*apply_fn) (struct husk_config *c, json_t *doc, const struct src *s,
                         husk_error_t *err);

enum field_type
{
  F_STR,
  F_STRV,
  F_INT,
  F_BOOL,
};

struct field
{
  const char *table;
  const char *key;
  enum field_type type;
  size_t off;
};

#define OFF(member) offsetof (struct husk_config, member)

static const struct field containers_fields[] = {
  { "engine", "runtime", F_STR, OFF (runtime) },
  { "engine", "events_logger", F_STR, OFF (events_logger) },
  { "engine", "cgroup_manager", F_STR, OFF (cgroup_manager) },
  { "engine", "infra_image", F_STR, OFF (infra_image) },
  { "engine", "helper_binaries_dir", F_STRV, OFF (helper_binaries_dir) },
  { "engine", "stop_timeout", F_INT, OFF (stop_timeout) },
  { "engine", "network_cmd_path", F_STR, OFF (network_cmd_path) },
  { "containers", "default_capabilities", F_STRV, OFF (default_capabilities) },
  { "containers", "default_ulimits", F_STRV, OFF (default_ulimits) },
  { "containers", "default_sysctls", F_STRV, OFF (default_sysctls) },
  { "containers", "env", F_STRV, OFF (env) },
  { "containers", "devices", F_STRV, OFF (devices) },
  { "containers", "volumes", F_STRV, OFF (volumes) },
  { "containers", "annotations", F_STRV, OFF (annotations) },
  { "containers", "dns_servers", F_STRV, OFF (dns_servers) },
  { "containers", "dns_searches", F_STRV, OFF (dns_searches) },
  { "containers", "dns_options", F_STRV, OFF (dns_options) },
  { "containers", "log_driver", F_STR, OFF (log_driver) },
  { "containers", "log_size_max", F_INT, OFF (log_size_max) },
  { "containers", "pids_limit", F_INT, OFF (pids_limit) },
  { "containers", "shm_size", F_STR, OFF (shm_size) },
  { "containers", "tz", F_STR, OFF (tz) },
  { "containers", "init", F_BOOL, OFF (init) },
  { "containers", "init_path", F_STR, OFF (init_path) },
  { "containers", "netns", F_STR, OFF (netns) },
  { "containers", "userns", F_STR, OFF (userns) },
  { "containers", "ipcns", F_STR, OFF (ipcns) },
  { "containers", "pidns", F_STR, OFF (pidns) },
  { "containers", "utsns", F_STR, OFF (utsns) },
  { "containers", "cgroupns", F_STR, OFF (cgroupns) },
  { "containers", "cgroups", F_STR, OFF (cgroups) },
  { "containers", "umask", F_STR, OFF (umask) },
  { "containers", "seccomp_profile", F_STR, OFF (seccomp_profile) },
  { "containers", "label", F_BOOL, OFF (label) },
  { "containers", "no_hosts", F_BOOL, OFF (no_hosts) },
  { "containers", "http_proxy", F_BOOL, OFF (http_proxy) },
  { "network", "default_network", F_STR, OFF (default_network) },
  { "network", "network_backend", F_STR, OFF (network_backend) },
  { "network", "default_subnet", F_STR, OFF (default_subnet) },
  { "network", "default_rootless_network_cmd", F_STR, OFF (default_rootless_network_cmd) },
  { "network", "pasta_options", F_STRV, OFF (pasta_options) },
};

/* Podman's default capability set.  */
static const char *const default_capabilities[] = {
  "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FOWNER", "CAP_FSETID", "CAP_KILL",
  "CAP_NET_BIND_SERVICE", "CAP_SETFCAP", "CAP_SETGID", "CAP_SETPCAP",
  "CAP_SETUID", "CAP_SYS_CHROOT", NULL,
};

static const char *const default_env[] = {
  "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
  "TERM=xterm", NULL,
};

static const char *const default_sysctls[] = { "net.ipv4.ping_group_range=0 0", NULL };

static const char *const default_helper_dirs[] = {
  "/usr/local/libexec/podman", "/usr/local/lib/podman", "/usr/libexec/podman",
  "/usr/lib/podman", NULL,
};

static const char *const crun_paths[] = { "/usr/bin/crun", "/usr/local/bin/crun", NULL };
static const char *const runc_paths[] = {
  "/usr/bin/runc", "/usr/sbin/runc", "/usr/local/bin/runc", NULL,
};

/* storage.conf [storage.options] keys that are options of the driver.  */
static const char *const driver_level_options[] = {
  "mount_program", "mountopt", "size", "skip_mount_home", "ignore_chown_errors",
  "force_mask", NULL,
};

/* storage.conf [storage.options] keys of --userns=auto.  */
static const char *const userns_options[] = {
  "root-auto-userns-user", "auto-userns-min-size", "auto-userns-max-size", NULL,
};

/* [storage.options.NAME] tables that hold one driver's options.  */
static const char *const driver_tables[] = {
  "overlay", "vfs", "btrfs", "zfs", "thinpool", "aufs", NULL,
};

static char **
strv_of (const char *const *v)
{
  return husk_strv_dup ((char *const *) v);
}

static void
set_runtime (struct husk_config *c, const char *name, char **paths)
{
  for (size_t i = 0; i < c->n_runtimes; i++)
    if (strcmp (c->runtimes[i].name, name) == 0)
      {
        husk_strv_free (c->runtimes[i].paths);
        c->runtimes[i].paths = paths;
        return;
      }
  c->runtimes = husk_xrealloc (c->runtimes, (c->n_runtimes + 1) * sizeof *c->runtimes);
  c->runtimes[c->n_runtimes].name = husk_xstrdup (name);
  c->runtimes[c->n_runtimes].paths = paths;
  c->n_runtimes++;
}

struct husk_config *
husk_config_new_defaults (void)
{
  struct husk_config *c = husk_xzalloc (sizeof *c);

  set_runtime (c, "crun", strv_of (crun_paths));
  set_runtime (c, "runc", strv_of (runc_paths));
  c->events_logger = husk_xstrdup ("file");
  c->cgroup_manager = husk_xstrdup ("cgroupfs");
  c->helper_binaries_dir = strv_of (default_helper_dirs);
  c->stop_timeout = 10;

  c->default_capabilities = strv_of (default_capabilities);
  c->default_ulimits = strv_of (NULL);
  c->default_sysctls = strv_of (default_sysctls);
  c->env = strv_of (default_env);
  c->devices = strv_of (NULL);
  c->volumes = strv_of (NULL);
  c->annotations = strv_of (NULL);
  c->dns_servers = strv_of (NULL);
  c->dns_searches = strv_of (NULL);
  c->dns_options = strv_of (NULL);
  c->log_driver = husk_xstrdup ("k8s-file");
  c->log_size_max = -1;
  c->pids_limit = 2048;
  c->shm_size = husk_xstrdup ("65536k");
  c->netns = husk_xstrdup ("none");
  c->userns = husk_xstrdup ("host");
  c->ipcns = husk_xstrdup ("shareable");
  c->pidns = husk_xstrdup ("private");
  c->utsns = husk_xstrdup ("private");
  c->cgroupns = husk_xstrdup ("private");
  c->cgroups = husk_xstrdup ("enabled");
  c->umask = husk_xstrdup ("0022");
  c->label = true;
  c->http_proxy = true;

  c->default_network = husk_xstrdup ("podman");
  c->network_backend = husk_xstrdup ("netavark");
  c->default_subnet = husk_xstrdup ("10.88.0.0/16");
  c->default_rootless_network_cmd = husk_xstrdup ("pasta");
  c->pasta_options = strv_of (NULL);

  c->storage_options = strv_of (NULL);
  c->unqualified_search_registries = strv_of (NULL);
  c->files_read = strv_of (NULL);
  return c;
}

/* Typed access to the parsed document.  */

static int
type_error (const struct src *s, const char *key, const char *want, husk_error_t *err)
{
  return husk_error_makex (err, EINVAL, "%s '%s': key '%s' must be %s", s->kind, s->path,
                           key, want);
}

/* *out = parent[name] when it is a table, NULL when absent.  */
static int
get_table (json_t *parent, const char *name, const struct src *s, const char *key,
           json_t **out, husk_error_t *err)
{
  *out = parent ? json_object_get (parent, name) : NULL;
  if (*out != NULL && !json_is_object (*out))
    return type_error (s, key, "a table", err);
  return 0;
}

/* A string without NUL bytes (a NUL from "\u0000" would cut it short).  */
static bool
is_plain_string (json_t *v)
{
  return json_is_string (v) && strlen (json_string_value (v)) == json_string_length (v);
}

static int
as_string (json_t *v, const struct src *s, const char *key, char **dst, husk_error_t *err)
{
  if (!is_plain_string (v))
    return type_error (s, key, "a string", err);
  free (*dst);
  *dst = husk_xstrdup (json_string_value (v));
  return 0;
}

static int
as_strv (json_t *v, const struct src *s, const char *key, char ***dst, husk_error_t *err)
{
  cleanup_strv char **r = strv_of (NULL);
  json_t *item;
  size_t i;

  if (!json_is_array (v))
    return type_error (s, key, "an array of strings", err);
  json_array_foreach (v, i, item)
    {
      if (!is_plain_string (item))
        return type_error (s, key, "an array of strings", err);
      husk_strv_append (&r, json_string_value (item));
    }
  husk_strv_free (*dst);
  *dst = steal_ptr (&r);
  return 0;
}

static int
as_bool (json_t *v, const struct src *s, const char *key, bool *dst, husk_error_t *err)
{
  if (!json_is_boolean (v))
    return type_error (s, key, "a boolean", err);
  *dst = json_is_true (v);
  return 0;
}

static int
apply_fields (struct husk_config *c, json_t *doc, const struct field *f, size_t n,
              const struct src *s, husk_error_t *err)
{
  for (size_t i = 0; i < n; i++, f++)
    {
      cleanup_free char *key = NULL;
      void *dst = (char *) c + f->off;
      json_t *tab, *v;

      if (get_table (doc, f->table, s, f->table, &tab, err) < 0)
        return -1;
      if (tab == NULL || (v = json_object_get (tab, f->key)) == NULL)
        continue;
      key = husk_asprintf ("%s.%s", f->table, f->key);
      switch (f->type)
        {
        case F_STR:
          if (as_string (v, s, key, dst, err) < 0)
            return -1;
          break;
        case F_STRV:
          if (as_strv (v, s, key, dst, err) < 0)
            return -1;
          break;
        case F_INT:
          if (!json_is_integer (v))
            return type_error (s, key, "an integer", err);
          *(int64_t *) dst = json_integer_value (v);
          break;
        case F_BOOL:
          if (as_bool (v, s, key, dst, err) < 0)
            return -1;
          break;
        }
    }
  return 0;
}

/* containers.conf  */

/* [network] default_subnet_pools = [{base = "10.89.0.0/16", size = 24}, ...]:
   each pool kept as "BASE:SIZE"; a later file's array replaces the
   earlier one whole, as arrays do.  */
static int
apply_subnet_pools (struct husk_config *c, json_t *doc, const struct src *s, husk_error_t *err)
{
  const char *key = "network.default_subnet_pools";
  cleanup_strv char **r = strv_of (NULL);
  json_t *net, *v, *pool;
  size_t i;

  if (get_table (doc, "network", s, "network", &net, err) < 0)
    return -1;
  if (net == NULL || (v = json_object_get (net, "default_subnet_pools")) == NULL)
    return 0;
  if (!json_is_array (v))
    return type_error (s, key, "an array of {base = \"ADDRESS/PREFIX\", size = N} tables", err);
  json_array_foreach (v, i, pool)
    {
      json_t *base = json_object_get (pool, "base"), *size = json_object_get (pool, "size");
      const char *slash = is_plain_string (base) ? strchr (json_string_value (base), '/') : NULL;
      if (!json_is_object (pool) || slash == NULL || !json_is_integer (size)
          || json_integer_value (size) < 8 || json_integer_value (size) > 30
          || json_integer_value (size) < atoi (slash + 1))
        return type_error (s, key, "an array of {base = \"ADDRESS/PREFIX\", size = N} tables "
                           "with N from the base's prefix to 30", err);
      char *text = husk_asprintf ("%s:%d", json_string_value (base),
                                  (int) json_integer_value (size));
      husk_strv_append (&r, text);
      free (text);
    }
  husk_strv_free (c->default_subnet_pools);
  c->default_subnet_pools = steal_ptr (&r);
  return 0;
}

static int
apply_containers_conf (struct husk_config *c, json_t *doc, const struct src *s,
                       husk_error_t *err)
{
  json_t *engine, *runtimes, *v;
  const char *name;

  if (apply_fields (c, doc, containers_fields,
                    sizeof containers_fields / sizeof containers_fields[0], s, err) < 0
      || apply_subnet_pools (c, doc, s, err) < 0)
    return -1;
  if (get_table (doc, "engine", s, "engine", &engine, err) < 0
      || get_table (engine, "runtimes", s, "engine.runtimes", &runtimes, err) < 0)
    return -1;
  if (runtimes == NULL)
    return 0;
  json_object_foreach (runtimes, name, v)
    {
      cleanup_free char *key = husk_asprintf ("engine.runtimes.%s", name);
      cleanup_strv char **paths = NULL;

      if (as_strv (v, s, key, &paths, err) < 0)
        return -1;
      set_runtime (c, name, steal_ptr (&paths));
    }
  return 0;
}

/* Capabilities are kept in the OCI form: upper case, "CAP_" prefix.  */
static void
normalize_capabilities (char **caps)
{
  for (size_t i = 0; caps[i]; i++)
    {
      for (char *p = caps[i]; *p; p++)
        *p = toupper ((unsigned char) *p);
      if (!husk_has_prefix (caps[i], "CAP_"))
        {
          char *full = husk_asprintf ("CAP_%s", caps[i]);
          free (caps[i]);
          caps[i] = full;
        }
    }
}

/* storage.conf  */

/* Set "name=value" in opts, replacing an earlier value of name.  */
static void
set_option (char ***opts, const char *name, const char *value)
{
  size_t len = strlen (name);
  char *opt = husk_asprintf ("%s=%s", name, value);

  for (size_t i = 0; (*opts)[i]; i++)
    if (strncmp ((*opts)[i], name, len) == 0 && (*opts)[i][len] == '=')
      {
        free ((*opts)[i]);
        (*opts)[i] = opt;
        return;
      }
  husk_strv_take (opts, opt);
}

/* The text of a string, integer or boolean; NULL for anything else.  */
static char *
scalar_text (json_t *v)
{
  if (is_plain_string (v))
    return husk_xstrdup (json_string_value (v));
  if (json_is_integer (v))
    return husk_asprintf ("%" JSON_INTEGER_FORMAT, json_integer_value (v));
  if (json_is_boolean (v))
    return husk_xstrdup (json_is_true (v) ? "true" : "false");
  return NULL;
}

static int
apply_storage_options (struct husk_config *c, json_t *opts, const struct src *s,
                       husk_error_t *err)
{
  const char *driver = c->storage_driver && *c->storage_driver ? c->storage_driver : "overlay";
  const char *key;
  json_t *v;

  json_object_foreach (opts, key, v)
    {
      if (husk_strv_contains ((char *const *) driver_level_options, key))
        {
          cleanup_free char *text = scalar_text (v);
          cleanup_free char *name = husk_asprintf ("%s.%s", driver, key);
          if (text == NULL)
            {
              cleanup_free char *what = husk_asprintf ("storage.options.%s", key);
              return type_error (s, what, "a string", err);
            }
          set_option (&c->storage_options, name, text);
        }
      else if (husk_strv_contains ((char *const *) userns_options, key))
        {
          /* --userns=auto's; under "userns." so that the store skips them.  */
          cleanup_free char *text = scalar_text (v);
          cleanup_free char *name = husk_asprintf ("userns.%s", key);
          if (text != NULL)
            set_option (&c->storage_options, name, text);
        }
      else if (husk_strv_contains ((char *const *) driver_tables, key) && json_is_object (v))
        {
          const char *k2;
          json_t *v2;
          json_object_foreach (v, k2, v2)
            {
              cleanup_free char *text = scalar_text (v2);
              cleanup_free char *name = husk_asprintf ("%s.%s", key, k2);
              if (text != NULL)
                set_option (&c->storage_options, name, text);
            }
        }
    }
  return 0;
}

static int
apply_storage_conf (struct husk_config *c, json_t *doc, const struct src *s, husk_error_t *err)
{
  json_t *storage, *opts, *v;

  if (get_table (doc, "storage", s, "storage", &storage, err) < 0)
    return -1;
  if (storage == NULL)
    return 0;
  if ((v = json_object_get (storage, "driver")) != NULL
      && as_string (v, s, "storage.driver", &c->storage_driver, err) < 0)
    return -1;
  /* graphroot and runroot name Podman's store unless the user pointed us
     at this file explicitly; see config.h.  */
  if (s->explicit_file)
    {
      if ((v = json_object_get (storage, "graphroot")) != NULL
          && as_string (v, s, "storage.graphroot", &c->graphroot, err) < 0)
        return -1;
      if ((v = json_object_get (storage, "runroot")) != NULL
          && as_string (v, s, "storage.runroot", &c->runroot, err) < 0)
        return -1;
    }
  if (get_table (storage, "options", s, "storage.options", &opts, err) < 0)
    return -1;
  return opts ? apply_storage_options (c, opts, s, err) : 0;
}

/* registries.conf  */

static struct husk_config_registry *
registry_for (struct husk_config *c, const char *prefix)
{
  struct husk_config_registry *r;

  for (size_t i = 0; i < c->n_registries; i++)
    if (strcmp (c->registries[i].prefix, prefix) == 0)
      return &c->registries[i];
  c->registries = husk_xrealloc (c->registries, (c->n_registries + 1) * sizeof *c->registries);
  r = &c->registries[c->n_registries++];
  *r = (struct husk_config_registry) { .prefix = husk_xstrdup (prefix) };
  return r;
}

static void
mirrors_clear (struct husk_config_registry *r)
{
  for (size_t i = 0; i < r->n_mirrors; i++)
    free (r->mirrors[i].location);
  free (r->mirrors);
  r->mirrors = NULL;
  r->n_mirrors = 0;
}

/* [[registry.mirror]] tables: location (required) and insecure.  */
static int
apply_mirrors (struct husk_config_registry *r, json_t *list, const struct src *s,
               husk_error_t *err)
{
  json_t *m;
  size_t i;

  mirrors_clear (r);
  if (list == NULL)
    return 0;
  if (!json_is_array (list))
    return type_error (s, "registry.mirror", "an array of tables", err);
  json_array_foreach (list, i, m)
    {
      cleanup_free char *location = NULL;
      bool insecure = false;
      json_t *v;

      if (!json_is_object (m))
        return type_error (s, "registry.mirror", "an array of tables", err);
      if (((v = json_object_get (m, "location"))
           && as_string (v, s, "registry.mirror.location", &location, err) < 0)
          || ((v = json_object_get (m, "insecure"))
              && as_bool (v, s, "registry.mirror.insecure", &insecure, err) < 0))
        return -1;
      if (location == NULL || *location == '\0')
        return husk_error_makex (err, EINVAL, "%s '%s': [[registry.mirror]] needs a location",
                                 s->kind, s->path);
      r->mirrors = husk_xrealloc (r->mirrors, (r->n_mirrors + 1) * sizeof *r->mirrors);
      r->mirrors[r->n_mirrors++] = (struct husk_config_mirror) { steal_ptr (&location), insecure };
    }
  return 0;
}

/* [aliases]: short name = fully qualified name; a later file's value for
   the same name replaces the earlier one.  */
static int
apply_aliases (struct husk_config *c, json_t *t, const struct src *s, husk_error_t *err)
{
  const char *k;
  json_t *v;

  if (!json_is_object (t))
    return type_error (s, "aliases", "a table", err);
  json_object_foreach (t, k, v)
    {
      cleanup_free char *prefix = husk_asprintf ("%s=", k);
      cleanup_free char *val = NULL;
      size_t n = husk_strv_len (c->aliases);

      if (as_string (v, s, "aliases", &val, err) < 0)
        return -1;
      for (size_t i = 0; i < n; i++)
        if (husk_has_prefix (c->aliases[i], prefix))
          {
            free (c->aliases[i]);
            c->aliases[i] = c->aliases[--n];
            c->aliases[n] = NULL;
            break;
          }
      husk_strv_take (&c->aliases, husk_asprintf ("%s=%s", k, val));
    }
  return 0;
}

/* One [[registry]] table (v2 format); replaces an earlier one with the same
   prefix.  */
static int
apply_registry (struct husk_config *c, json_t *t, const struct src *s, husk_error_t *err)
{
  cleanup_free char *prefix = NULL, *location = NULL;
  bool insecure = false, blocked = false;
  struct husk_config_registry *r;
  json_t *v;

  if (!json_is_object (t))
    return type_error (s, "registry", "an array of tables", err);
  if (((v = json_object_get (t, "prefix")) && as_string (v, s, "registry.prefix", &prefix, err) < 0)
      || ((v = json_object_get (t, "location"))
          && as_string (v, s, "registry.location", &location, err) < 0)
      || ((v = json_object_get (t, "insecure"))
          && as_bool (v, s, "registry.insecure", &insecure, err) < 0)
      || ((v = json_object_get (t, "blocked"))
          && as_bool (v, s, "registry.blocked", &blocked, err) < 0))
    return -1;
  if ((prefix == NULL || *prefix == '\0') && (location == NULL || *location == '\0'))
    return husk_error_makex (err, EINVAL, "%s '%s': [[registry]] needs a location or a prefix",
                             s->kind, s->path);
  r = registry_for (c, prefix && *prefix ? prefix : location);
  free (r->location);
  r->location = NULL;
  if (location && *location)
    r->location = husk_xstrdup (location);
  else if (!husk_has_prefix (r->prefix, "*."))
    r->location = husk_xstrdup (r->prefix);
  r->insecure = insecure;
  r->blocked = blocked;
  return apply_mirrors (r, json_object_get (t, "mirror"), s, err);
}

/* The v1 format: [registries.search], [registries.insecure] and
   [registries.block], each with a list "registries".  */
static int
apply_registries_v1 (struct husk_config *c, json_t *v1, const struct src *s, husk_error_t *err)
{
  static const char *const lists[] = { "search", "insecure", "block" };

  for (size_t i = 0; i < 3; i++)
    {
      cleanup_free char *key = husk_asprintf ("registries.%s", lists[i]);
      cleanup_free char *listkey = husk_asprintf ("registries.%s.registries", lists[i]);
      cleanup_strv char **names = NULL;
      json_t *t, *v;

      if (get_table (v1, lists[i], s, key, &t, err) < 0)
        return -1;
      if (t == NULL || (v = json_object_get (t, "registries")) == NULL)
        continue;
      if (as_strv (v, s, listkey, &names, err) < 0)
        return -1;
      if (i == 0)
        {
          husk_strv_free (c->unqualified_search_registries);
          c->unqualified_search_registries = steal_ptr (&names);
          continue;
        }
      for (size_t k = 0; names[k]; k++)
        {
          struct husk_config_registry *r = registry_for (c, names[k]);
          if (r->location == NULL)
            r->location = husk_xstrdup (names[k]);
          if (i == 1)
            r->insecure = true;
          else
            r->blocked = true;
        }
    }
  return 0;
}

static int
apply_registries_conf (struct husk_config *c, json_t *doc, const struct src *s,
                       husk_error_t *err)
{
  json_t *search = json_object_get (doc, "unqualified-search-registries");
  json_t *regs = json_object_get (doc, "registry");
  json_t *mode = json_object_get (doc, "short-name-mode");
  json_t *aliases = json_object_get (doc, "aliases");
  json_t *v1, *t;
  size_t i;

  if (get_table (doc, "registries", s, "registries", &v1, err) < 0)
    return -1;
  if (v1 && (search || regs))
    return husk_error_makex (err, EINVAL, "%s '%s': mixes the v1 [registries] format "
                             "with the v2 format", s->kind, s->path);
  if (v1)
    return apply_registries_v1 (c, v1, s, err);
  if (search && as_strv (search, s, "unqualified-search-registries",
                         &c->unqualified_search_registries, err) < 0)
    return -1;
  if (mode && as_string (mode, s, "short-name-mode", &c->short_name_mode, err) < 0)
    return -1;
  if (c->short_name_mode && strcmp (c->short_name_mode, "enforcing")
      && strcmp (c->short_name_mode, "permissive") && strcmp (c->short_name_mode, "disabled"))
    return husk_error_makex (err, EINVAL, "%s '%s': short-name-mode \"%s\": must be "
                             "enforcing, permissive or disabled", s->kind, s->path,
                             c->short_name_mode);
  if (aliases && apply_aliases (c, aliases, s, err) < 0)
    return -1;
  if (regs == NULL)
    return 0;
  if (!json_is_array (regs))
    return type_error (s, "registry", "an array of tables", err);
  json_array_foreach (regs, i, t)
    if (apply_registry (c, t, s, err) < 0)
      return -1;
  return 0;
}

/* Reading files.  */

/* Read, parse and apply one file.  Return: 1 when read, 0 when missing (and
   not named explicitly), or -1.  */
static int
load_file (struct husk_config *c, const struct src *s, apply_fn apply, husk_error_t *err)
{
  cleanup_free char *text = NULL;
  cleanup_json json_t *doc = NULL;
  husk_error_t e = NULL;
  size_t len;

  text = husk_read_file (s->path, &len, &e);
  if (text == NULL)
    {
      int code = e->code;
      husk_error_release (&e);
      if ((code == ENOENT || code == ENOTDIR) && !s->explicit_file)
        return 0;
      return husk_error_make (err, code, "%s '%s'", s->kind, s->path);
    }
  doc = husk_toml_parse (text, len, err);
  if (doc == NULL)
    return husk_error_wrap (err, "%s '%s'", s->kind, s->path);
  if (apply (c, doc, s, err) < 0)
    return -1;
  husk_strv_append (&c->files_read, s->path);
  return 1;
}

static int
load_path (struct husk_config *c, const char *kind, const char *path, bool explicit_file,
           apply_fn apply, husk_error_t *err)
{
  struct src s = { kind, path, explicit_file };

  return load_file (c, &s, apply, err);
}

static int
compare_names (const void *a, const void *b)
{
  return strcmp (*(char *const *) a, *(char *const *) b);
}

/* Every regular NAME.conf in dir, in sorted order.  */
static int
load_dir (struct husk_config *c, const char *kind, const char *dir, apply_fn apply,
          husk_error_t *err)
{
  cleanup_dir DIR *d = opendir (dir);
  cleanup_strv char **names = strv_of (NULL);
  struct dirent *de;

  if (d == NULL)
    {
      if (errno == ENOENT || errno == ENOTDIR)
        return 0;
      return husk_error_make (err, errno, "%s directory '%s'", kind, dir);
    }
  while ((de = readdir (d)) != NULL)
    if (de->d_name[0] != '.' && husk_has_suffix (de->d_name, ".conf"))
      husk_strv_append (&names, de->d_name);
  qsort (names, husk_strv_len (names), sizeof *names, compare_names);
  for (size_t i = 0; names[i]; i++)
    {
      cleanup_free char *path = husk_asprintf ("%s/%s", dir, names[i]);
      struct stat st;

      if (stat (path, &st) == 0 && !S_ISREG (st.st_mode))
        continue;
      if (load_path (c, kind, path, false, apply, err) < 0)
        return -1;
    }
  return 0;
}

static char *
path_in (const char *dir, const char *name)
{
  return dir ? husk_asprintf ("%s/%s", dir, name) : NULL;
}

static int
load_containers_conf (struct husk_config *c, const struct husk_config_paths *p,
                      husk_error_t *err)
{
  static const char kind[] = "containers.conf";
  cleanup_free char *share = path_in (p->share_dir, "containers.conf");
  cleanup_free char *etc = path_in (p->etc_dir, "containers.conf");
  cleanup_free char *etc_d = path_in (p->etc_dir, "containers.conf.d");
  cleanup_free char *user = path_in (p->user_dir, "containers.conf");
  cleanup_free char *user_d = path_in (p->user_dir, "containers.conf.d");

  if (p->containers_conf)
    {
      c->containers_conf_path = husk_xstrdup (p->containers_conf);
      return load_path (c, kind, p->containers_conf, true, apply_containers_conf, err);
    }
  c->containers_conf_path = husk_xstrdup (user ? user : etc);
  if ((share && load_path (c, kind, share, false, apply_containers_conf, err) < 0)
      || (etc && load_path (c, kind, etc, false, apply_containers_conf, err) < 0)
      || (etc_d && load_dir (c, kind, etc_d, apply_containers_conf, err) < 0)
      || (user && load_path (c, kind, user, false, apply_containers_conf, err) < 0)
      || (user_d && load_dir (c, kind, user_d, apply_containers_conf, err) < 0))
    return -1;
  return 0;
}

static int
load_storage_conf (struct husk_config *c, const struct husk_config_paths *p, husk_error_t *err)
{
  static const char kind[] = "storage.conf";
  cleanup_free char *share = path_in (p->share_dir, "storage.conf");
  cleanup_free char *etc = path_in (p->etc_dir, "storage.conf");
  cleanup_free char *user = path_in (p->user_dir, "storage.conf");

  if (p->storage_conf)
    {
      c->storage_conf_path = husk_xstrdup (p->storage_conf);
      return load_path (c, kind, p->storage_conf, true, apply_storage_conf, err);
    }
  c->storage_conf_path = husk_xstrdup (user ? user : etc);
  if (user && husk_path_exists (user))
    return load_path (c, kind, user, false, apply_storage_conf, err);
  if ((share && load_path (c, kind, share, false, apply_storage_conf, err) < 0)
      || (etc && load_path (c, kind, etc, false, apply_storage_conf, err) < 0))
    return -1;
  return 0;
}

static int
load_registries_conf (struct husk_config *c, const struct husk_config_paths *p,
                      husk_error_t *err)
{
  static const char kind[] = "registries.conf";
  cleanup_free char *etc = path_in (p->etc_dir, "registries.conf");
  cleanup_free char *etc_d = path_in (p->etc_dir, "registries.conf.d");
  cleanup_free char *user = path_in (p->user_dir, "registries.conf");
  cleanup_free char *user_d = path_in (p->user_dir, "registries.conf.d");

  if (p->registries_conf)
    {
      c->registries_conf_path = husk_xstrdup (p->registries_conf);
      return load_path (c, kind, p->registries_conf, true, apply_registries_conf, err);
    }
  if (user && husk_path_exists (user))
    {
      c->registries_conf_path = husk_xstrdup (user);
      if (load_path (c, kind, user, false, apply_registries_conf, err) < 0)
        return -1;
      return load_dir (c, kind, user_d, apply_registries_conf, err);
    }
  c->registries_conf_path = husk_xstrdup (etc);
  if ((etc && load_path (c, kind, etc, false, apply_registries_conf, err) < 0)
      || (etc_d && load_dir (c, kind, etc_d, apply_registries_conf, err) < 0)
      || (user_d && load_dir (c, kind, user_d, apply_registries_conf, err) < 0))
    return -1;
  return 0;
}

/* Whether prefix covers name: equal, or a part of it ending at '/', or a
   "*.domain" wildcard matching name's host.  Return: how much it covers
   (for the longest match), or 0.  */
static size_t
prefix_covers (const char *prefix, const char *name)
{
  size_t n = strlen (prefix);

  if (husk_has_prefix (prefix, "*."))
    {
      size_t host = strcspn (name, "/");
      size_t dom = n - 1; /* ".domain" */
      return host > dom && strncmp (name + host - dom, prefix + 1, dom) == 0 ? n : 0;
    }
  if (strncmp (prefix, name, n) != 0)
    return 0;
  return name[n] == '\0' || name[n] == '/' || name[n] == ':' || name[n] == '@' ? n : 0;
}

const struct husk_config_registry *
husk_config_registry_find (const struct husk_config *c, const char *name)
{
  const struct husk_config_registry *best = NULL;
  size_t best_len = 0;

  for (size_t i = 0; i < c->n_registries; i++)
    {
      size_t n = prefix_covers (c->registries[i].prefix, name);
      if (n > best_len)
        {
          best = &c->registries[i];
          best_len = n;
        }
    }
  return best;
}

const char *
husk_config_alias (const struct husk_config *c, const char *name)
{
  size_t n = strlen (name);

  for (size_t i = 0; c->aliases && c->aliases[i]; i++)
    if (strncmp (c->aliases[i], name, n) == 0 && c->aliases[i][n] == '=')
      return c->aliases[i] + n + 1;
  return NULL;
}

struct husk_config *
husk_config_load_from (const struct husk_config_paths *p, husk_error_t *err)
{
  cleanup (husk_config_free) struct husk_config *c = husk_config_new_defaults ();

  if (load_containers_conf (c, p, err) < 0 || load_storage_conf (c, p, err) < 0
      || load_registries_conf (c, p, err) < 0)
    return NULL;
  normalize_capabilities (c->default_capabilities);
  return steal_ptr (&c);
}

static const char *
getenv_set (const char *name)
{
  const char *v = getenv (name);

  return v && *v ? v : NULL;
}

/* $XDG_CONFIG_HOME/containers, with XDG's default of ~/.config.  */
static char *
user_config_dir (void)
{
  const char *xdg = getenv_set ("XDG_CONFIG_HOME");
  const char *home = getenv_set ("HOME");
  cleanup_free char *pw_home = NULL;

  if (xdg && xdg[0] == '/')
    return husk_asprintf ("%s/containers", xdg);
  if (home == NULL)
    home = pw_home = husk_hostdb_field ("/etc/passwd", husk_userns_host_uid (), 5);
  return home ? husk_asprintf ("%s/.config/containers", home) : NULL;
}

struct husk_config *
husk_config_load (bool rootless, husk_error_t *err)
{
  const char *prefix = getenv_set ("HUSK_CONFIG_PREFIX");
  cleanup_free char *share = husk_asprintf ("%s/usr/share/containers", prefix ? prefix : "");
  cleanup_free char *etc = husk_asprintf ("%s/etc/containers", prefix ? prefix : "");
  cleanup_free char *user = rootless ? user_config_dir () : NULL;
  struct husk_config_paths p = {
    .share_dir = share,
    .etc_dir = etc,
    .user_dir = user,
    .containers_conf = getenv_set ("CONTAINERS_CONF"),
    .storage_conf = getenv_set ("CONTAINERS_STORAGE_CONF"),
    .registries_conf = getenv_set ("CONTAINERS_REGISTRIES_CONF"),
  };

  return husk_config_load_from (&p, err);
}

char **
husk_config_runtime_paths (const struct husk_config *c, const char *name)
{
  for (size_t i = 0; i < c->n_runtimes; i++)
    if (strcmp (c->runtimes[i].name, name) == 0)
      return c->runtimes[i].paths;
  return NULL;
}

void
husk_config_free (struct husk_config *c)
{
  const struct field *f = containers_fields;

  if (c == NULL)
    return;
  char **strs[] = {
    &c->storage_driver, &c->graphroot, &c->runroot, &c->containers_conf_path,
    &c->storage_conf_path, &c->registries_conf_path, &c->short_name_mode,
  };
  char ***strvs[] = { &c->storage_options, &c->unqualified_search_registries, &c->files_read,
                      &c->aliases, &c->default_subnet_pools };
  for (size_t i = 0; i < sizeof containers_fields / sizeof containers_fields[0]; i++, f++)
    if (f->type == F_STR)
      free (*(char **) ((char *) c + f->off));
    else if (f->type == F_STRV)
      husk_strv_free (*(char ***) ((char *) c + f->off));
  for (size_t i = 0; i < sizeof strs / sizeof strs[0]; i++)
    free (*strs[i]);
  for (size_t i = 0; i < sizeof strvs / sizeof strvs[0]; i++)
    husk_strv_free (*strvs[i]);
  for (size_t i = 0; i < c->n_runtimes; i++)
    {
      free (c->runtimes[i].name);
      husk_strv_free (c->runtimes[i].paths);
    }
  free (c->runtimes);
  for (size_t i = 0; i < c->n_registries; i++)
    {
      free (c->registries[i].prefix);
      free (c->registries[i].location);
      mirrors_clear (&c->registries[i]);
    }
  free (c->registries);
  free (c);
}
