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
#include "state/state.h"
#include "storage/store.h"
#include "util/cleanup.h"
#include "util/fileutil.h"
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

struct husk_engine *
husk_engine_new (const struct husk_engine_opts *o, husk_error_t *err)
{
  struct husk_engine *e = husk_xzalloc (sizeof *e);

  e->rootless = husk_userns_rootless ();
  e->config = husk_config_load (e->rootless, err);
  if (e->config == NULL)
    {
      free (e);
      return NULL;
    }
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
  e->storage_opts = husk_strv_dup (o->storage_opts && o->storage_opts[0]
                                       ? o->storage_opts
                                       : e->config->storage_options);
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

  if (husk_mkdir_p (e->root, 0700, err) < 0 || husk_mkdir_p (e->runroot, 0700, err) < 0)
    return -1;
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
    so.driver = recorded;
  e->store = husk_store_open (&so, err);
  if (e->store == NULL)
    return -1;
  if (recorded == NULL
      && husk_state_meta_set (e->state, "driver", husk_store_driver_name (e->store), err) < 0)
    return -1;
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
  free (e);
}
