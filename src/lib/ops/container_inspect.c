/* SPDX-License-Identifier: GPL-2.0-or-later */
/* `container inspect`: the container as Podman shapes it (State, Config,
   HostConfig, Mounts, NetworkSettings).  */
#include "ops/container.h"
#include "container/monitor.h"
#include "format/humanize.h"
#include "storage/store.h"
#include "util/cleanup.h"
#include "util/fileutil.h"
#include "util/strutil.h"

#include <string.h>

static json_t *
time_json (int64_t ns)
{
  char *s = husk_time_rfc3339nano (ns / 1000000000, ns % 1000000000);
  json_t *j = json_string (ns ? s : "0001-01-01T00:00:00Z");

  free (s);
  return j;
}

static json_t *
copy (json_t *c, const char *key, json_t *fallback)
{
  json_t *v = json_object_get (c, key);

  if (v == NULL || json_is_null (v))
    return fallback;
  json_decref (fallback);
  return json_deep_copy (v);
}

static json_t *
state_json (struct husk_engine *e, const struct husk_container_rec *r, json_t *c)
{
  bool running = strcmp (r->state, "running") == 0 || strcmp (r->state, "stopping") == 0;
  bool paused = strcmp (r->state, "paused") == 0;
  const char *status = strcmp (r->state, "stopping") == 0 ? "stopping" : r->state;
  json_t *s = json_pack ("{s:s, s:s, s:b, s:b, s:b, s:b, s:b, s:i, s:i, s:i, s:s, s:o, s:o}",
                         "OciVersion", "1.0.2", "Status", status, "Running", running || paused,
                         "Paused", paused, "Restarting", 0, "OOMKilled", r->oom_killed,
                         "Dead", 0, "Pid", r->pid, "ConmonPid", r->monitor_pid,
                         "ExitCode", r->exit_code, "Error", "", "StartedAt",
                         time_json (r->started_at), "FinishedAt", time_json (r->finished_at));

  if (json_is_object (json_object_get (c, "health")))
    {
      cleanup_free char *run = husk_op_container_rundir (e, r->id);
      cleanup_free char *path = husk_asprintf ("%s/%s", run, HUSK_MONITOR_HEALTH);
      cleanup_free char *text = husk_read_file (path, NULL, NULL);
      json_t *h = text ? json_loads (text, 0, NULL) : NULL;
      if (h == NULL)
        h = json_pack ("{s:s, s:i, s:[]}", "Status", "starting", "FailingStreak", 0, "Log");
      json_object_set_new (s, "Health", h);
    }
  return s;
}

static json_t *
mounts_json (json_t *c)
{
  json_t *out = json_array ();
  size_t i;
  json_t *m;

  json_array_foreach (json_object_get (c, "mounts"), i, m)
    {
      const char *type = json_string_value (json_object_get (m, "type"));
      bool ro = false;
      size_t k;
      json_t *o;
      json_array_foreach (json_object_get (m, "options"), k, o)
        ro = ro || strcmp (json_string_value (o), "ro") == 0;
      json_array_append_new (out, json_pack (
          "{s:s, s:s, s:s, s:s, s:s, s:O, s:b, s:s}", "Type", type,
          "Name", json_string_value (json_object_get (m, "name")) ?: "",
          "Source", json_string_value (json_object_get (m, "source")) ?: "",
          "Destination", json_string_value (json_object_get (m, "destination")),
          "Driver", strcmp (type, "volume") == 0 ? "local" : "",
          "Options", json_object_get (m, "options"), "RW", !ro,
          "Propagation", strcmp (type, "bind") == 0 ? "rprivate" : ""));
    }
  return out;
}

static json_t *
config_json (const struct husk_container_rec *r, json_t *c)
{
  bool tty = json_is_true (json_object_get (c, "tty"));
  bool in = json_is_true (json_object_get (c, "interactive"));
  json_t *cfg;

  cfg = json_pack (
      "{s:s, s:s, s:s, s:b, s:b, s:b, s:b, s:b, s:b, s:o, s:o, s:s, s:o, s:s, s:o, s:o, "
      "s:o, s:I, s:I, s:s, s:s}",
      "Hostname", json_string_value (json_object_get (c, "hostname")), "Domainname", "",
      "User", json_string_value (json_object_get (c, "user")), "AttachStdin", in,
      "AttachStdout", 0, "AttachStderr", 0, "Tty", tty, "OpenStdin", in, "StdinOnce", 0,
      "Env", copy (c, "env", json_array ()), "Cmd", copy (c, "cmd", json_null ()),
      "Image", json_string_value (json_object_get (json_object_get (c, "image"), "name")),
      "Volumes", json_null (), "WorkingDir", json_string_value (json_object_get (c, "workdir")),
      "Entrypoint", copy (c, "entrypoint", json_null ()), "Labels", copy (c, "labels", json_object ()),
      "Annotations", copy (c, "annotations", json_object ()),
      "StopSignal", (json_int_t) json_integer_value (json_object_get (c, "stop_signal")),
      "StopTimeout", (json_int_t) json_integer_value (json_object_get (c, "stop_timeout")),
      "Timezone", json_string_value (json_object_get (c, "tz")) ?: "", "Umask", "0022");
  /* --passwd; containers from before it have none: true, its default.  */
  json_object_set_new (cfg, "Passwd", json_boolean (!json_is_false (json_object_get (c, "passwd"))));
  (void) r;
  return cfg;
}

static json_t *
hostconfig_json (json_t *c)
{
  json_t *res = json_object_get (c, "resources");
  json_t *ns = json_object_get (c, "namespaces");
  json_t *log = json_object_get (c, "log");
  json_t *restart = json_object_get (c, "restart");
  json_t *binds = json_array (), *tmpfs = json_object (), *ulimits = json_array ();
  size_t i;
  json_t *m;
  const char *policy = json_string_value (json_object_get (restart, "policy"));

  json_array_foreach (json_object_get (c, "mounts"), i, m)
    {
      const char *type = json_string_value (json_object_get (m, "type"));
      const char *dst = json_string_value (json_object_get (m, "destination"));
      if (strcmp (type, "tmpfs") == 0)
        json_object_set_new (tmpfs, dst, json_string (""));
      else
        {
          cleanup_free char *b = husk_asprintf ("%s:%s", json_string_value (json_object_get (m, "source"))
                                                ?: json_string_value (json_object_get (m, "name")), dst);
          json_array_append_new (binds, json_string (b));
        }
    }
  json_array_foreach (json_object_get (c, "ulimits"), i, m)
    {
      cleanup_strv char **kv = husk_strv_split (json_string_value (m), '=');
      cleanup_strv char **lim = kv[1] ? husk_strv_split (kv[1], ':') : NULL;
      if (lim)
        json_array_append_new (ulimits, json_pack ("{s:s, s:I, s:I}", "Name", kv[0],
                                                   "Soft", (json_int_t) atoll (lim[0]),
                                                   "Hard", (json_int_t) atoll (lim[1] ? lim[1] : lim[0])));
    }
  return json_pack (
      "{s:o, s:s, s:{s:s, s:n, s:s, s:s}, s:s, s:{}, s:{s:s, s:i}, s:b, s:O, s:O, s:O, "
      "s:s, s:s, s:s, s:b, s:b, s:o, s:s, s:I, s:I, s:I, s:I, s:s, s:I, s:O, s:o, s:b}",
      "Binds", binds, "CgroupManager", "cgroupfs",
      "LogConfig", "Type", json_string_value (json_object_get (log, "driver")), "Config",
      "Path", json_string_value (json_object_get (log, "path")) ?: "", "Size", "0B",
      "NetworkMode", json_string_value (json_object_get (ns, "network")), "PortBindings",
      "RestartPolicy", "Name", strcmp (policy ? policy : "no", "no") == 0 ? "" : policy,
      "MaximumRetryCount", (int) json_integer_value (json_object_get (restart, "max_retries")),
      "AutoRemove", json_is_true (json_object_get (c, "rm")),
      "CapAdd", json_object_get (c, "cap_add"), "CapDrop", json_object_get (c, "cap_drop"),
      "GroupAdd", json_object_get (c, "group_add"),
      "IpcMode", json_string_value (json_object_get (ns, "ipc")),
      "PidMode", json_string_value (json_object_get (ns, "pid")),
      "UTSMode", json_string_value (json_object_get (ns, "uts")),
      "Privileged", json_is_true (json_object_get (c, "privileged")),
      "ReadonlyRootfs", json_is_true (json_object_get (c, "read_only")),
      "Tmpfs", tmpfs, "Runtime", "oci",
      "ShmSize", (json_int_t) json_integer_value (json_object_get (c, "shm_size")),
      "Memory", (json_int_t) json_integer_value (json_object_get (res, "memory")),
      "MemorySwap", (json_int_t) json_integer_value (json_object_get (res, "memory_swap")),
      "NanoCpus", (json_int_t) (json_real_value (json_object_get (res, "cpus")) * 1e9),
      "CpusetCpus", json_string_value (json_object_get (res, "cpuset_cpus")) ?: "",
      "PidsLimit", (json_int_t) json_integer_value (json_object_get (res, "pids_limit")),
      "Devices", json_object_get (c, "devices"), "Ulimits", ulimits,
      "Init", json_is_true (json_object_get (c, "init")));
}

json_t *
husk_op_container_inspect (struct husk_engine *e, const char *ref, husk_error_t *err)
{
  cleanup_free char *id = NULL;
  struct husk_container_rec *list = NULL, *r = NULL;
  size_t n = 0;
  cleanup_json json_t *c = NULL;
  json_t *o, *args;
  cleanup_free char *dir = NULL;

  if (husk_op_container_resolve (e, ref, &id, err) < 0
      || husk_op_container_list (e, &list, &n, err) < 0)
    return NULL;
  for (size_t i = 0; i < n; i++)
    if (strcmp (list[i].id, id) == 0)
      r = &list[i];
  if (r == NULL)
    {
      husk_container_rec_array_free (list, n);
      return husk_error_makex (err, ENOENT, "no such container %s", ref), NULL;
    }
  c = json_loads (r->config, 0, NULL);
  dir = husk_asprintf ("%s/containers/%s", e->root, r->id);
  args = json_array ();
  json_array_extend (args, json_object_get (c, "entrypoint"));
  json_array_extend (args, json_object_get (c, "cmd"));
  {
    cleanup_free char *created = husk_time_rfc3339nano (r->created / 1000000000, r->created % 1000000000);
    cleanup_free char *hosts = husk_asprintf ("%s/hosts", dir);
    cleanup_free char *hostname = husk_asprintf ("%s/hostname", dir);
    cleanup_free char *resolv = husk_asprintf ("%s/resolv.conf", dir);
    json_t *path = json_array_get (args, 0);
    o = json_pack ("{s:s, s:s, s:s, s:o, s:o, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, "
                   "s:i, s:s, s:o, s:o, s:[], s:o, s:o}",
                   "Id", r->id, "Created", created,
                   "Path", path ? json_string_value (path) : "",
                   "Args", json_array (), "State", state_json (e, r, c),
                   "Image", r->image_id,
                   "ImageName", json_string_value (json_object_get (json_object_get (c, "image"), "name")),
                   "Rootfs", "", "Pod", "", "ResolvConfPath", resolv, "HostnamePath", hostname,
                   "HostsPath", hosts, "StaticDir", dir, "Name", r->name,
                   "RestartCount", r->restart_count, "Driver", husk_store_driver_name (e->store),
                   "Mounts", mounts_json (c), "Config", config_json (r, c),
                   "ExecIDs", "HostConfig", hostconfig_json (c),
                   "NetworkSettings", json_pack ("{s:s, s:s, s:{}, s:{}}", "SandboxKey", "",
                                                 "IPAddress", "", "Ports", "Networks"));
    for (size_t i = 1; i < json_array_size (args); i++)
      json_array_append (json_object_get (o, "Args"), json_array_get (args, i));
    {
      const char *rt = json_string_value (json_object_get (c, "runtime"));
      const char *base = rt && strrchr (rt, '/') ? strrchr (rt, '/') + 1 : rt;
      json_object_set_new (o, "OCIRuntime", json_string (base ? base : ""));
    }
  }
  json_decref (args);
  husk_container_rec_array_free (list, n);
  return o;
}
