/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * `info`: Podman 5's object (host, store, plugins, registries, version),
 * each key with what is true of husk on this host.  Keys that have no
 * meaning for husk yet (buildahVersion, freeLocks,
 * remoteSocket, the network backend's DNS helper, GoVersion) are left
 * out rather than filled with made-up values; docs/husk-info.md lists them.
 */
#include "ops/system.h"
#include "ops/container.h"
#include "container/monitor.h"
#include "network/network.h"
#include "config/config.h"
#include "runtime/runtime.h"
#include "state/containers.h"
#include "state/state.h"
#include "storage/store.h"
#include "util/arch.h"
#include "util/cleanup.h"
#include "util/fileutil.h"
#include "util/strutil.h"
#include "husk-config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/sysinfo.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

/* The standard output of a program (its first 64 KiB, the final newline
   dropped), or NULL when it cannot run or fails.  Only fixed argument
   vectors: no shell.  */
static char *
capture (char *const argv[])
{
  posix_spawn_file_actions_t fa;
  int fds[2], status;
  pid_t pid;
  char buf[65536];
  size_t len = 0;
  ssize_t n;

  if (pipe2 (fds, O_CLOEXEC) < 0)
    return NULL;
  posix_spawn_file_actions_init (&fa);
  posix_spawn_file_actions_adddup2 (&fa, fds[1], 1);
  posix_spawn_file_actions_addopen (&fa, 2, "/dev/null", O_WRONLY, 0);
  n = posix_spawn (&pid, argv[0], &fa, NULL, argv, environ);
  posix_spawn_file_actions_destroy (&fa);
  close (fds[1]);
  if (n != 0)
    {
      close (fds[0]);
      return NULL;
    }
  while (len < sizeof buf - 1 && ((n = read (fds[0], buf + len, sizeof buf - 1 - len)) > 0
                                  || (n < 0 && errno == EINTR)))
    len += n > 0 ? (size_t) n : 0;
  close (fds[0]);
  while (waitpid (pid, &status, 0) < 0 && errno == EINTR)
    ;
  if (!WIFEXITED (status) || WEXITSTATUS (status) != 0)
    return NULL;
  while (len && buf[len - 1] == '\n')
    len--;
  return husk_xstrndup (buf, len);
}

/* The Debian package that installed path, as Podman shows it
   ("crun_1.8.1-1+deb12u1_amd64"), or "Unknown".  */
static char *
package_of (const char *path)
{
  char *search[] = { (char *) "/usr/bin/dpkg-query", (char *) "-S", (char *) path, NULL };
  cleanup_free char *owner = path && *path ? capture (search) : NULL;
  char *colon = owner ? strchr (owner, ':') : NULL;
  char *out;

  if (colon == NULL)
    return husk_xstrdup ("Unknown");
  *colon = '\0';
  char *show[] = { (char *) "/usr/bin/dpkg-query", (char *) "-W", (char *) "-f",
                   (char *) "${Package}_${Version}_${Architecture}", owner, NULL };
  out = capture (show);
  return out ? out : husk_xstrdup ("Unknown");
}

static json_t *
os_release (void)
{
  cleanup_free char *text = husk_read_file ("/etc/os-release", NULL, NULL);
  json_t *d = json_pack ("{s:s, s:s, s:s}", "distribution", "", "version", "", "codename", "");

  for (char *p = text; p && *p;)
    {
      char *nl = strchr (p, '\n');
      if (nl)
        *nl = '\0';
      const char *key = husk_has_prefix (p, "ID=") ? "distribution"
                        : husk_has_prefix (p, "VERSION_ID=") ? "version"
                        : husk_has_prefix (p, "VERSION_CODENAME=") ? "codename" : NULL;
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
  cleanup_free char *why = NULL, *version = NULL, *package = NULL;
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
  char *argv[] = { rt->path, (char *) "--version", NULL };
  version = capture (argv);
  package = package_of (rt->path);
  o = json_pack ("{s:s, s:s, s:s, s:s}", "name", rt->name, "package", package, "path", rt->path,
                 "version", version ? version : "");
  if (why)
    json_object_set_new (o, "reason", json_string (why));
  return o;
}

/* host.pasta and host.slirp4netns as Podman 5 shows them: where the
   program is (helper_binaries_dir, then $PATH), its package and the
   first line of its --version; empty strings when it is missing.  */
static json_t *
net_program_info (struct husk_engine *e, const struct husk_net_backend *b)
{
  husk_error_t err = NULL;
  cleanup_free char *exe = husk_net_find_exe (b, e->config->helper_binaries_dir,
                                              b == &husk_net_slirp4netns
                                                  ? e->config->network_cmd_path : NULL,
                                              &err);
  cleanup_free char *package = exe ? package_of (exe) : husk_xstrdup ("");
  cleanup_free char *version = husk_net_version (exe);

  husk_error_release (&err);
  return json_pack ("{s:s, s:s, s:s}", "executable", exe ? exe : "", "package", package,
                    "version", version);
}

/* husk-monitor is to husk what conmon is to Podman; it is built and
   installed with husk, so its version is husk's.  */
static json_t *
monitor_info (void)
{
  cleanup_free char *path = husk_monitor_path ();
  cleanup_free char *package = package_of (path);
  cleanup_free char *version = husk_asprintf ("husk-monitor version %s", HUSK_VERSION);

  return json_pack ("{s:s, s:s, s:s}", "package", package, "path", path, "version", version);
}

/* The controllers this host's cgroups offer: cgroup v2's list, or the v1
   hierarchies that are mounted.  */
static json_t *
cgroup_controllers (bool v2)
{
  cleanup_free char *text = husk_read_file (v2 ? "/sys/fs/cgroup/cgroup.controllers"
                                               : "/proc/cgroups", NULL, NULL);
  json_t *out = json_array ();
  char *save = NULL;

  for (char *line = text ? strtok_r (text, v2 ? " \n" : "\n", &save) : NULL; line;
       line = strtok_r (NULL, v2 ? " \n" : "\n", &save))
    {
      char name[64];
      int hier, groups, enabled;
      if (v2)
        json_array_append_new (out, json_string (line));
      else if (sscanf (line, "%63s %d %d %d", name, &hier, &groups, &enabled) == 4 && enabled)
        {
          cleanup_free char *dir = husk_asprintf ("/sys/fs/cgroup/%s", name);
          if (husk_path_exists (dir))
            json_array_append_new (out, json_string (name));
        }
    }
  return out;
}

/* Shares of CPU time since boot, as Podman computes them.  */
static json_t *
cpu_utilization (void)
{
  cleanup_free char *text = husk_read_file ("/proc/stat", NULL, NULL);
  unsigned long long v[8] = { 0 };
  double user, sys, idle, total;

  if (text == NULL || sscanf (text, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0],
                              &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7]) < 4)
    return json_pack ("{s:f, s:f, s:f}", "userPercent", 0.0, "systemPercent", 0.0,
                      "idlePercent", 0.0);
  user = (double) (v[0] + v[1]);
  sys = (double) (v[2] + v[5] + v[6] + v[7]);
  idle = (double) (v[3] + v[4]);
  total = user + sys + idle;
  if (total <= 0)
    total = 1;
  return json_pack ("{s:f, s:f, s:f}", "userPercent", (int) (user * 10000 / total) / 100.0,
                    "systemPercent", (int) (sys * 10000 / total) / 100.0, "idlePercent",
                    (int) (idle * 10000 / total) / 100.0);
}

/* Podman's text: "5h 15m 1.00s (Approximately 0.21 days)".  */
static char *
uptime_text (double secs)
{
  long h = (long) (secs / 3600), m = (long) (secs / 60) % 60;
  double s = secs - (double) h * 3600 - (double) m * 60;

  return husk_asprintf ("%ldh %ldm %.2fs (Approximately %.2f days)", h, m, s, secs / 86400);
}

/* Rootless, the maps of the user namespace husk joined (userns/), as
   Podman shows them; rootful Podman shows null, as the caller's namespace
   maps everything to itself.  */
static json_t *
id_map (const char *file)
{
  cleanup_free char *text = husk_read_file (file, NULL, NULL);
  json_t *a = json_array ();
  unsigned long in, out, size;
  int used;

  for (const char *p = text; p && sscanf (p, " %lu %lu %lu%n", &in, &out, &size, &used) == 3;
       p += used)
    json_array_append_new (a, json_pack ("{s:I, s:I, s:I}", "container_id", (json_int_t) in,
                                         "host_id", (json_int_t) out, "size",
                                         (json_int_t) size));
  return a;
}

static json_t *
id_mappings (void)
{
  return json_pack ("{s:o, s:o}", "gidmap", id_map ("/proc/self/gid_map"), "uidmap",
                    id_map ("/proc/self/uid_map"));
}

static json_t *
security_info (struct husk_engine *e)
{
  cleanup_free char *aa = husk_read_file ("/sys/module/apparmor/parameters/enabled", NULL, NULL);
  cleanup_free char *status = husk_read_file ("/proc/self/status", NULL, NULL);
  cleanup_free char *caps = husk_strv_join (e->config->default_capabilities, ",");

  return json_pack ("{s:b, s:s, s:b, s:b, s:s, s:b}", "apparmorEnabled", aa && aa[0] == 'Y',
                    "capabilities", caps, "rootless", e->rootless, "seccompEnabled",
                    status && strstr (status, "\nSeccomp:") != NULL, "seccompProfilePath",
                    e->config->seccomp_profile ? e->config->seccomp_profile : "",
                    "selinuxEnabled", husk_path_exists ("/sys/fs/selinux/enforce"));
}

static json_t *
host_info (struct husk_engine *e)
{
  struct utsname u;
  struct sysinfo si;
  char host[256] = "";
  bool v2 = access ("/sys/fs/cgroup/cgroup.controllers", F_OK) == 0;
  cleanup_free char *up = NULL;
  json_t *h;

  uname (&u);
  sysinfo (&si);
  gethostname (host, sizeof host - 1);
  up = uptime_text ((double) si.uptime);
  h = json_pack ("{s:s, s:o, s:s, s:s, s:o, s:i, s:o, s:s, s:o, s:s, s:s, s:{s:n, s:n},"
                 " s:s, s:s, s:s, s:I, s:I, s:s, s:{s:s}}",
                 "arch", husk_go_arch_of (u.machine), "cgroupControllers", cgroup_controllers (v2),
                 "cgroupManager", e->config->cgroup_manager, "cgroupVersion", v2 ? "v2" : "v1",
                 "conmon", monitor_info (), "cpus", (int) sysconf (_SC_NPROCESSORS_ONLN),
                 "cpuUtilization", cpu_utilization (), "databaseBackend", "sqlite",
                 "distribution", os_release (), "eventLogger",
                 /* Events live in the state database (husk.db).  */
                 e->config->events_logger && strcmp (e->config->events_logger, "none") == 0
                     ? "none" : "database",
                 "hostname", host, "idMappings", "gidmap", "uidmap", "kernel", u.release,
                 /* the husk binary is linked statically (meson.build) */
                 "linkmode", "static", "logDriver",
                 e->config->log_driver ? e->config->log_driver : "k8s-file",
                 "memFree", (json_int_t) si.freeram * si.mem_unit, "memTotal",
                 (json_int_t) si.totalram * si.mem_unit,
                 /* Bridge networks are husk's own (husk-netconf, aardvark-dns):
                    rootless too, in the rootless network namespace.  */
                 "networkBackend", "husk", "networkBackendInfo", "backend", "husk");
  if (e->rootless)
    json_object_set_new (h, "idMappings", id_mappings ());
  json_object_set_new (h, "ociRuntime", runtime_info (e));
  json_object_set_new (h, "os", json_string ("linux"));
  json_object_set_new (h, "pasta", net_program_info (e, &husk_net_pasta));
  /* The default network of a rootless container (rootful: none until
     bridge networks come).  */
  json_object_set_new (h, "rootlessNetworkCmd",
                       json_string (e->config->default_rootless_network_cmd));
  json_object_set_new (h, "security", security_info (e));
  json_object_set_new (h, "serviceIsRemote", json_false ());
  json_object_set_new (h, "slirp4netns", net_program_info (e, &husk_net_slirp4netns));
  json_object_set_new (h, "swapFree", json_integer ((json_int_t) si.freeswap * si.mem_unit));
  json_object_set_new (h, "swapTotal", json_integer ((json_int_t) si.totalswap * si.mem_unit));
  json_object_set_new (h, "uptime", json_string (up));
  json_object_set_new (h, "variant", json_string (""));
  return h;
}

/* containers/storage's names of the file systems it recognises.  */
static const char *
fs_name (long type)
{
  switch ((unsigned long) type)
    {
    case 0xef53: return "extfs";
    case 0x58465342: return "xfs";
    case 0x9123683e: return "btrfs";
    case 0x01021994: return "tmpfs";
    case 0x794c7630: return "overlayfs";
    case 0x2fc12fc1: return "zfs";
    case 0x65735546: return "fuseblk";
    case 0x6969: return "nfs";
    default: return "<unknown>";
    }
}

/* Whether readdir() on dir gives file types (overlay needs it).  */
static bool
supports_d_type (const char *dir)
{
  cleanup_dir DIR *d = opendir (dir);
  struct dirent *de;

  while (d && (de = readdir (d)) != NULL)
    if (de->d_type == DT_UNKNOWN)
      return false;
  return d != NULL;
}

static json_t *
graph_status (struct husk_engine *e)
{
  const char *root = husk_store_graphroot (e->store);
  struct statfs sf;
  const char *fs = statfs (root, &sf) == 0 ? fs_name (sf.f_type) : "<unknown>";
  json_t *o = json_pack ("{s:s}", "Backing Filesystem", fs);

  if (strcmp (husk_store_driver_name (e->store), "overlay") != 0)
    return o;
  /* husk's overlay computes diffs from the upper directory itself and does
     not turn on metacopy; Podman calls a diff "native" only without a
     mount program, and so does husk.  */
  json_object_set_new (o, "Native Overlay Diff",
                       json_string (husk_store_mount_program (e->store) ? "false" : "true"));
  json_object_set_new (o, "Supports d_type", json_string (supports_d_type (root) ? "true" : "false"));
  json_object_set_new (o, "Using metacopy", json_string ("false"));
  return o;
}

/* The FUSE mount program as Podman shows it.  */
static json_t *
mount_program_info (const char *path)
{
  char *argv[] = { (char *) path, (char *) "--version", NULL };
  cleanup_free char *version = capture (argv);
  cleanup_free char *package = package_of (path);

  return json_pack ("{s:s, s:s, s:s}", "Executable", path, "Package", package, "Version",
                    version ? version : "");
}

/* --storage-opt and storage.conf's options, "key=value" as a map; the
   mount program (given or chosen) as an object, as Podman shows it.  */
static json_t *
graph_options (struct husk_engine *e)
{
  json_t *o = json_object ();
  const char *program = husk_store_mount_program (e->store);

  for (size_t i = 0; e->storage_opts && e->storage_opts[i]; i++)
    {
      const char *eq = strchr (e->storage_opts[i], '=');
      cleanup_free char *k = eq ? husk_xstrndup (e->storage_opts[i], eq - e->storage_opts[i])
                                : husk_xstrdup (e->storage_opts[i]);
      if (*k)
        json_object_set_new (o, k, json_string (eq ? eq + 1 : ""));
    }
  json_object_del (o, "mount_program");
  json_object_del (o, "overlay.mount_program");
  if (program)
    json_object_set_new (o, "overlay.mount_program", mount_program_info (program));
  return o;
}

static int
container_counts (struct husk_engine *e, json_t **out, husk_error_t *err)
{
  struct husk_container_rec *list = NULL;
  size_t n = 0;
  json_int_t paused = 0, running = 0;

  if (husk_op_container_list (e, &list, &n, err) < 0)
    return -1;
  for (size_t i = 0; i < n; i++)
    if (strcmp (list[i].state, "paused") == 0)
      paused++;
    else if (strcmp (list[i].state, "running") == 0 || strcmp (list[i].state, "stopping") == 0)
      running++;
  husk_container_rec_array_free (list, n);
  *out = json_pack ("{s:I, s:I, s:I, s:I}", "number", (json_int_t) n, "paused", paused,
                    "running", running, "stopped", (json_int_t) n - paused - running);
  return 0;
}

static json_t *
store_info (struct husk_engine *e, json_t *containers, size_t images)
{
  struct statvfs vfs = { 0 };
  cleanup_free char *tmp = husk_store_tmp_dir (e->store);
  cleanup_free char *volumes = husk_asprintf ("%s/volumes", e->root);

  statvfs (husk_store_graphroot (e->store), &vfs);
  return json_pack ("{s:s, s:o, s:s, s:s, s:o, s:s, s:I, s:I, s:o, s:s, s:{s:I}, s:s, s:b,"
                    " s:s, s:s}",
                    "configFile", e->config->storage_conf_path ? e->config->storage_conf_path : "",
                    "containerStore", containers, "graphDriverName",
                    husk_store_driver_name (e->store), "graphDriverReason",
                    husk_store_driver_reason (e->store), "graphOptions", graph_options (e),
                    "graphRoot", e->root, "graphRootAllocated",
                    (json_int_t) vfs.f_blocks * vfs.f_frsize, "graphRootUsed",
                    (json_int_t) (vfs.f_blocks - vfs.f_bfree) * vfs.f_frsize, "graphStatus",
                    graph_status (e), "imageCopyTmpDir", tmp, "imageStore", "number",
                    (json_int_t) images, "runRoot", e->runroot, "transientStore", false,
                    "volumePath", volumes, "containersConf",
                    e->config->containers_conf_path ? e->config->containers_conf_path : "");
}

json_t *
husk_op_system_info (struct husk_engine *e, husk_error_t *err)
{
  struct husk_image_rec *list = NULL;
  size_t n = 0;
  json_t *search = json_array (), *containers = NULL;
  struct utsname u;
  cleanup_free char *osarch = NULL;

  if (husk_state_image_list (e->state, &list, &n, err) < 0
      || container_counts (e, &containers, err) < 0)
    {
      json_decref (search);
      return NULL;
    }
  husk_image_rec_array_free (list, n);
  uname (&u);
  osarch = husk_asprintf ("linux/%s", husk_go_arch_of (u.machine));
  for (size_t i = 0; e->config->unqualified_search_registries[i]; i++)
    json_array_append_new (search, json_string (e->config->unqualified_search_registries[i]));
  return json_pack ("{s:o, s:o, s:{s:[s], s:[], s:[s, s, s, s], s:n}, s:{s:o},"
                    " s:{s:s, s:s, s:s, s:s}}",
                    "host", host_info (e), "store", store_info (e, containers, n),
                    "plugins", "volume", "local", "network", "log", "k8s-file", "json-file",
                    "none", "passthrough", "authorization",
                    "registries", "search", search,
                    "version", "APIVersion", HUSK_VERSION, "Version", HUSK_VERSION, "OsArch",
                    osarch, "Os", "linux");
}
