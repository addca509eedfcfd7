/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Opening the engine: decide rootful or rootless, the storage paths
 * (DESIGN.md "Storage"), then open the state database and the layer store.
 */
#include "ops/engine.h"
#include "util/cleanup.h"
#include "util/fileutil.h"
#include "util/strutil.h"

#include <stdlib.h>
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
  return husk_asprintf ("/tmp/husk-run-%u", (unsigned) getuid ());
}

struct husk_engine *
husk_engine_new (const struct husk_engine_opts *o, husk_error_t *err)
{
  struct husk_engine *e = husk_xzalloc (sizeof *e);

  (void) err;
  e->rootless = geteuid () != 0;
  e->root = o->root ? husk_xstrdup (o->root) : default_root (e->rootless);
  e->runroot = o->runroot ? husk_xstrdup (o->runroot) : default_runroot (e->rootless);
  return e;
}

int
husk_engine_open (struct husk_engine *e, husk_error_t *err)
{
  if (husk_mkdir_p (e->root, 0700, err) < 0 || husk_mkdir_p (e->runroot, 0700, err) < 0)
    return -1;
  return 0;
}

void
husk_engine_free (struct husk_engine *e)
{
  if (e == NULL)
    return;
  free (e->root);
  free (e->runroot);
  free (e);
}
