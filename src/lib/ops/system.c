/* SPDX-License-Identifier: GPL-2.0-or-later */
/* System-wide operations: info and reset.  */
#include "ops/system.h"
#include "ops/volume.h"
#include "config/config.h"
#include "runtime/runtime.h"
#include "state/state.h"
#include "storage/store.h"
#include "util/cleanup.h"
#include "util/fileutil.h"
#include "util/strutil.h"
#include "husk-config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/sysinfo.h>
#include <sys/utsname.h>
#include <unistd.h>

static const char *
go_arch (const char *machine)
{
  if (strcmp (machine, "x86_64") == 0)
    return "amd64";
  if (strcmp (machine, "aarch64") == 0)
    return "arm64";
  return machine;
}

static json_t *
os_release (void)
{
  cleanup_free char *text = husk_read_file ("/etc/os-release", NULL, NULL);
  json_t *d = json_pack ("{s:s, s:s}", "distribution", "", "version", "");

  if (text == NULL)
    return d;
  for (char *p = text; p && *p;)
    {
      char *nl = strchr (p, '\n');
      if (nl)
        *nl = '\0';
      const char *key = husk_has_prefix (p, "ID=") ? "distribution"
                        : husk_has_prefix (p, "VERSION_ID=") ? "version" : NULL;
      if (key)
        {
          char *v = strchr (p, '=') + 1;
          if (*v == '"')
            v++;
          if (*v && v[strlen (v) - 1] == '"')
            v[strlen (v) - 1] = '\0';
          json_object_set_new (d, key, json_string (v));
        }
      p = nl ? nl + 1 : NULL;
    }
  return d;
}

/* The runtime a new container gets, and why when it is not the first
   choice; a runtime that cannot be found is shown with its error.  */
static json_t *
runtime_info (struct husk_engine *e)
{
  husk_error_t err = NULL;
  cleanup_free char *why = NULL;
  cleanup (husk_runtime_free) struct husk_runtime *rt
      = husk_runtime_resolve (NULL, e->config, &why, &err);
  json_t *o;

  if (rt == NULL)
    {
      o = json_pack ("{s:s, s:s, s:s}", "name", e->config->runtime ? e->config->runtime : "",
                     "path", "", "error", err->msg);
      husk_error_release (&err);
      return o;
    }
  o = json_pack ("{s:s, s:s}", "name", rt->name, "path", rt->path);
  if (why)
    json_object_set_new (o, "reason", json_string (why));
  return o;
}

json_t *
husk_op_system_info (struct husk_engine *e, husk_error_t *err)
{
  struct utsname u;
  struct sysinfo si;
  char host[256] = "";
  struct husk_image_rec *list = NULL;
  size_t n = 0;
  json_t *search = json_array ();
  bool v2 = access ("/sys/fs/cgroup/cgroup.controllers", F_OK) == 0;

  if (husk_state_image_list (e->state, &list, &n, err) < 0)
    {
      json_decref (search);
      return NULL;
    }
  husk_image_rec_array_free (list, n);
  uname (&u);
  sysinfo (&si);
  gethostname (host, sizeof host - 1);
  for (size_t i = 0; e->config->unqualified_search_registries[i]; i++)
    json_array_append_new (search, json_string (e->config->unqualified_search_registries[i]));
  return json_pack (
      "{s:{s:s, s:s, s:s, s:i, s:o, s:s, s:s, s:I, s:I, s:o, s:s, s:b, s:I},"
      " s:{s:s, s:{s:i}, s:s, s:s, s:{s:I}, s:s, s:s, s:s},"
      " s:{s:o},"
      " s:{s:s, s:s, s:s}}",
      "host", "arch", go_arch (u.machine), "cgroupManager", e->config->cgroup_manager,
      "cgroupVersion", v2 ? "v2" : "v1", "cpus", (int) sysconf (_SC_NPROCESSORS_ONLN),
      "distribution", os_release (), "hostname", host, "kernel", u.release,
      "memFree", (json_int_t) si.freeram * si.mem_unit, "memTotal",
      (json_int_t) si.totalram * si.mem_unit, "ociRuntime", runtime_info (e), "os", "linux",
      "rootless", e->rootless, "uptime", (json_int_t) si.uptime,
      "store", "configFile", e->config->storage_conf_path ? e->config->storage_conf_path : "",
      "containerStore", "number", 0, "graphDriverName", husk_store_driver_name (e->store),
      "graphRoot", e->root, "imageStore", "number", (json_int_t) n, "runRoot", e->runroot,
      "volumePath", "", "containersConf", e->config->containers_conf_path ? e->config->containers_conf_path : "",
      "registries", "search", search,
      "version", "APIVersion", HUSK_VERSION, "Version", HUSK_VERSION, "OsArch", "linux/amd64");
}

int
husk_op_system_reset (struct husk_engine *e, husk_error_t *err)
{
  cleanup_free char *db = husk_asprintf ("%s/husk.db", e->root);
  const char *suffixes[] = { "", "-wal", "-shm", ".lock" };

  /* Volumes first: a bind volume's _data is the user's own directory,
     and removing the root must not reach into it.  */
  if (husk_op_volume_unmount_all (e, err) < 0)
    return -1;
  if (husk_store_wipe (e->store, err) < 0)
    return -1;
  husk_store_free (e->store);
  e->store = NULL;
  husk_state_free (e->state);
  e->state = NULL;
  for (size_t i = 0; i < sizeof suffixes / sizeof suffixes[0]; i++)
    {
      cleanup_free char *p = husk_asprintf ("%s%s", db, suffixes[i]);
      if (unlink (p) < 0 && errno != ENOENT)
        return husk_error_make (err, errno, "remove '%s'", p);
    }
  if (husk_rm_rf (e->root, err) < 0 || husk_rm_rf (e->runroot, err) < 0)
    return -1;
  return 0;
}
