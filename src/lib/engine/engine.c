/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Opening the engine: decide rootful or rootless, load the configuration,
 * choose the storage paths (DESIGN.md "Storage": --root/--runroot, then a
 * graphroot/runroot from $CONTAINERS_STORAGE_CONF, then husk's defaults),
 * then open the state database and the layer store.
 */
#include "engine/engine.h"
#include "userns/userns.h"
#include "config/config.h"
#include "runtime/driver.h"
#include "state/state.h"
#include "storage/store.h"
#include "util/cleanup.h"
#include "util/fileutil.h"
#include "util/log.h"
#include "util/strutil.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char *
default_root (bool rootless)
{
  const char *xdg = getenv ("XDG_DATA_HOME");
  const char *home = getenv ("HOME");

  if (!rootless)
    return husk_xstrdup ("/var/lib/husk");
  if (xdg && *xdg)
    return husk_asprintf ("%s/husk", xdg);
  return husk_asprintf ("%s/.local/share/husk", home ? home : "/");
}

static char *
default_runroot (bool rootless)
{
  const char *xdg = getenv ("XDG_RUNTIME_DIR");

  if (!rootless)
    return husk_xstrdup ("/run/husk");
  if (xdg && *xdg)
    return husk_asprintf ("%s/husk", xdg);
  return husk_asprintf ("/tmp/husk-run-%u", (unsigned) husk_userns_host_uid ());
}

/* NFS and its kind do not understand user namespaces: the server sees
   the user's own uid and refuses files owned by subordinate IDs, so
   rootless layers cannot be written there.  Say so before the first layer
   fails.  */
static int
check_rootless_root (const char *root, husk_error_t *err)
{
  const char *fs = husk_path_network_fs (root);

  if (fs)
    return husk_error_makex (err, ENOTSUP, "rootless storage on %s is not supported: '%s' is "
                             "on %s, which does not understand user namespaces (files of "
                             "subordinate IDs cannot be created); set --root or graphroot in "
                             "storage.conf to a local file system", fs, root, fs);
  return 0;
}

static const char *
pick (const char *a, const char *b)
{
  return a && *a ? a : b;
}

/* Store paths end up in OCI bundles and monitor configs, which are used
   from other directories: make them absolute.  */
static char *
absolute (const char *p)
{
  char cwd[4096];

  if (p == NULL || p[0] == '/' || getcwd (cwd, sizeof cwd) == NULL)
    return husk_xstrdup (p);
  return husk_asprintf ("%s/%s", cwd, p);
}

/* The global options that choose a backend husk does not have on these
   hosts fail clearly instead of being ignored.  */
static int
check_backends (const struct husk_engine_opts *o, husk_error_t *err)
{
  const char *eb = o->events_backend, *cm = o->cgroup_manager;

  if (eb && strcmp (eb, "journald") == 0)
    return husk_error_makex (err, EINVAL, "--events-backend journald: there is no journald on "
                             "this host: use \"file\" (the default) or \"none\"");
  if (eb && strcmp (eb, "file") != 0 && strcmp (eb, "none") != 0)
    return husk_error_makex (err, EINVAL, "unsupported events backend \"%s\": use \"file\" "
                             "or \"none\"", eb);
  if (cm && strcmp (cm, "systemd") == 0)
    return husk_error_makex (err, EINVAL, "--cgroup-manager systemd: systemd is not running "
                             "on this host: use \"cgroupfs\"");
  if (cm && strcmp (cm, "cgroupfs") != 0)
    return husk_error_makex (err, EINVAL, "invalid cgroup manager \"%s\": use \"cgroupfs\"",
                             cm);
  return 0;
}

/* --runtime-flag X is "--X" on every runtime command line, as in Podman. */
static char **
runtime_flags (char **flags)
{
  char **v = NULL;

  for (size_t i = 0; flags && flags[i]; i++)
    husk_strv_take (&v, husk_asprintf ("--%s", flags[i]));
  return v;
}

/* Podman's: /etc/containers/networks, for a plain user under the store. */
static char *
default_network_dir (const struct husk_engine *e)
{
  const char *xdg = getenv ("XDG_CONFIG_HOME"), *home = getenv ("HOME");

  /* Rootless, as Podman: the user's, one for all of the user's stores,
     as its networks share the one rootless network namespace.  */
  if (!e->rootless)
    return husk_xstrdup ("/etc/containers/networks");
  if (xdg && xdg[0] == '/')
    return husk_asprintf ("%s/containers/networks", xdg);
  return husk_asprintf ("%s/.config/containers/networks", home ? home : "");
}

/* The options that only name places and backends.  */
static void
apply_places (struct husk_engine *e, const struct husk_engine_opts *o)
{
  const char *eb = pick (o->events_backend, e->config->events_logger);

  /* containers.conf may say journald (Podman's default on systemd
     hosts); without journald husk keeps its own record, as Podman falls
     back to the file.  */
  e->events_backend = husk_xstrdup (eb && strcmp (eb, "none") == 0 ? "none" : "file");
  free (e->config->events_logger);
  e->config->events_logger = husk_xstrdup (e->events_backend);
  if (o->network_cmd_path && *o->network_cmd_path)
    {
      free (e->config->network_cmd_path);
      e->config->network_cmd_path = husk_xstrdup (o->network_cmd_path);
    }
  if (o->cgroup_manager && *o->cgroup_manager)
    {
      free (e->config->cgroup_manager);
      e->config->cgroup_manager = husk_xstrdup (o->cgroup_manager);
    }
  e->tmpdir = o->tmpdir && *o->tmpdir ? absolute (o->tmpdir)
                                      : husk_asprintf ("%s/tmp", e->runroot);
  e->volume_path = o->volume_path && *o->volume_path ? absolute (o->volume_path)
                                                     : husk_asprintf ("%s/volumes", e->root);
  e->network_config_dir = o->network_config_dir && *o->network_config_dir
                              ? absolute (o->network_config_dir)
                              : default_network_dir (e);
  e->runtime_flags = runtime_flags (o->runtime_flags);
  husk_runtime_set_default_args (e->runtime_flags);
}

/* Empty --storage-opt values are ignored, as Podman ignores them
   (`--storage-opt ''` is how scripts say "none").  */
static char **
storage_opts (char **given, char **configured)
{
  char **v = NULL;

  for (size_t i = 0; given && given[i]; i++)
    if (*given[i])
      husk_strv_append (&v, given[i]);
  if (given && given[0])
    return v ? v : husk_xzalloc (sizeof (char *));
  return husk_strv_dup (configured);
}

struct husk_engine *
husk_engine_new (const struct husk_engine_opts *o, husk_error_t *err)
{
  struct husk_engine *e;

  if (check_backends (o, err) < 0)
    return NULL;
  e = husk_xzalloc (sizeof *e);
  e->rootless = husk_userns_rootless ();
  e->config = husk_config_load (e->rootless, err);
  if (e->config == NULL)
    {
      free (e);
      return NULL;
    }
  for (char **f = e->config->files_read; f && *f; f++)
    husk_log_debug ("Merged system config \"%s\"", *f);
  e->root = absolute (pick (o->root, e->config->graphroot));
  if (e->root == NULL)
    e->root = default_root (e->rootless);
  e->runroot = absolute (pick (o->runroot, e->config->runroot));
  if (e->runroot == NULL)
    e->runroot = default_runroot (e->rootless);
  if (o->runtime)
    {
      free (e->config->runtime);
      e->config->runtime = husk_xstrdup (o->runtime);
    }
  e->storage_driver = husk_xstrdup (pick (o->storage_driver, e->config->storage_driver));
  e->storage_opts = storage_opts (o->storage_opts, e->config->storage_options);
  apply_places (e, o);
  return e;
}

int
husk_engine_open (struct husk_engine *e, husk_error_t *err)
{
  cleanup_free char *db = husk_asprintf ("%s/husk.db", e->root);
  cleanup_free char *graph = husk_asprintf ("%s/storage", e->root);
  cleanup_free char *run = husk_asprintf ("%s/storage", e->runroot);
  cleanup_free char *recorded = NULL;
  struct husk_store_opts so = {
    .graphroot = graph,
    .runroot = run,
    .driver = e->storage_driver,
    .driver_opts = e->storage_opts,
    .rootless = e->rootless,
  };

  struct timespec t0 = husk_log_clock ();

  husk_log_debug ("Using graph root %s", e->root);
  husk_log_debug ("Using run root %s", e->runroot);
  husk_log_debug ("Using tmp dir %s", e->tmpdir);
  husk_log_debug ("Using volume path %s", e->volume_path);
  if (husk_mkdir_p (e->root, 0700, err) < 0 || husk_mkdir_p (e->runroot, 0700, err) < 0
      || husk_mkdir_p (e->tmpdir, 0700, err) < 0)
    return -1;
  if (e->rootless && check_rootless_root (e->root, err) < 0)
    return -1;
  husk_log_debug ("Initializing state database at %s", db);
  e->state = husk_state_open (db, err);
  if (e->state == NULL)
    return husk_error_wrap (err, "open state database");
  if (husk_state_meta_get (e->state, "driver", &recorded, err) < 0)
    return -1;
  /* One store, one driver: its layers are in that driver's format.  */
  if (recorded && so.driver && *so.driver && strcmp (recorded, so.driver) != 0)
    return husk_error_makex (err, EINVAL, "store '%s' uses the storage driver \"%s\", not "
                             "\"%s\": use --storage-driver %s, another --root, or "
                             "`husk system reset`", e->root, recorded, so.driver, recorded);
  if (recorded)
    {
      so.driver = recorded;
      so.recorded = true;
    }
  e->store = husk_store_open (&so, err);
  if (e->store == NULL)
    return -1;
  if (recorded == NULL
      && husk_state_meta_set (e->state, "driver", husk_store_driver_name (e->store), err) < 0)
    return -1;
  husk_log_debug ("Using graph driver %s", husk_store_driver_name (e->store));
  husk_log_debug ("Initializing event backend %s", e->events_backend);
  husk_log_timing (&t0, "opening the state database and the store");
  return 0;
}

void
husk_engine_free (struct husk_engine *e)
{
  if (e == NULL)
    return;
  husk_store_free (e->store);
  husk_state_free (e->state);
  husk_config_free (e->config);
  free (e->root);
  free (e->runroot);
  free (e->storage_driver);
  husk_strv_free (e->storage_opts);
  husk_strv_free (e->runtime_flags);
  free (e->events_backend);
  free (e->tmpdir);
  free (e->volume_path);
  free (e->network_config_dir);
  free (e);
}

static void
arg (char ***v, const char *name, const char *value)
{
  husk_strv_append (v, name);
  husk_strv_append (v, value);
}

void
husk_engine_child_args (const struct husk_engine *e, char ***v)
{
  cleanup_free char *tmp = husk_asprintf ("%s/tmp", e->runroot);
  cleanup_free char *vols = husk_asprintf ("%s/volumes", e->root);
  cleanup_free char *nets = default_network_dir (e);

  if (strcmp (e->events_backend, "file") != 0)
    arg (v, "--events-backend", e->events_backend);
  if (strcmp (e->tmpdir, tmp) != 0)
    arg (v, "--tmpdir", e->tmpdir);
  if (strcmp (e->volume_path, vols) != 0)
    arg (v, "--volumepath", e->volume_path);
  if (strcmp (e->network_config_dir, nets) != 0)
    arg (v, "--network-config-dir", e->network_config_dir);
  for (char **f = e->runtime_flags; f && *f; f++)
    arg (v, "--runtime-flag", *f + 2);
}
