/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The "linux" member of the OCI spec: namespaces, cgroup resources and
 * path, the device cgroup and device nodes, sysctls, masked and read-only
 * paths, and seccomp.
 *
 * Sysctls are checked against the namespaces the container has: only
 * parameters that belong to a namespace can be set (net.* to the network
 * namespace; kernel.shm*, kernel.msg*, kernel.sem and fs.mqueue.* to the
 * IPC namespace; kernel.domainname to the UTS namespace), and not when
 * that namespace is the host's, where the write would change the host.
 */
#include "runtime/seccomp.h"
#include "runtime/spec-private.h"
#include "util/cleanup.h"
#include "util/idmap.h"
#include "util/log.h"
#include "util/strutil.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#define CPU_PERIOD 100000
#define MEMORY_MIN (6 * 1024 * 1024)
#define DEVICE_DEPTH_MAX 8

static const char *const default_masked[] = {
  "/proc/acpi", "/proc/kcore", "/proc/keys", "/proc/latency_stats",
  "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/proc/scsi",
  "/sys/firmware", "/sys/fs/selinux", "/sys/dev/block",
  "/sys/devices/virtual/powercap", NULL,
};

static const char *const default_readonly[] = {
  "/proc/asound", "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys",
  "/proc/sysrq-trigger", NULL,
};

/* The device cgroup allows these besides --device: mknod of anything
   (CAP_MKNOD still decides), the standard character devices, the
   console, /dev/ptmx and the pseudo terminals.  */
static const struct
{
  char type;
  int major, minor; /* -1: any */
  const char *access;
} default_devices[] = {
  { 'c', -1, -1, "m" }, { 'b', -1, -1, "m" },
  { 'c', 1, 3, "rwm" },  /* null */
  { 'c', 1, 5, "rwm" },  /* zero */
  { 'c', 1, 7, "rwm" },  /* full */
  { 'c', 1, 8, "rwm" },  /* random */
  { 'c', 1, 9, "rwm" },  /* urandom */
  { 'c', 5, 0, "rwm" },  /* tty */
  { 'c', 5, 1, "rwm" },  /* console */
  { 'c', 5, 2, "rwm" },  /* ptmx */
  { 'c', 136, -1, "rwm" }, /* pts/N */
};

static void
add_ns (json_t *a, const char *type, const struct husk_spec_ns *ns)
{
  if (ns->mode == HUSK_SPEC_NS_PRIVATE)
    json_array_append_new (a, json_pack ("{s:s}", "type", type));
  else if (ns->mode == HUSK_SPEC_NS_PATH)
    json_array_append_new (a, json_pack ("{s:s, s:s}", "type", type, "path", ns->path));
}

static json_t *
namespaces (struct husk_spec_ctx *c)
{
  json_t *a = json_array ();
  struct husk_spec_ns private = { HUSK_SPEC_NS_PRIVATE, NULL };
  const char *cgroupns = json_string_value (json_object_get (json_object_get (c->ccfg,
                                                                              "namespaces"),
                                                             "cgroup"));

  add_ns (a, "pid", &c->pid);
  add_ns (a, "network", &c->net);
  add_ns (a, "ipc", &c->ipc);
  add_ns (a, "uts", &c->uts);
  add_ns (a, "mount", &private);
  /* Podman gives a private cgroup namespace on cgroup v2 only, unless
     --cgroupns says otherwise.  */
  if (cgroupns && strncmp (cgroupns, "path:", 5) == 0)
    add_ns (a, "cgroup", &(struct husk_spec_ns){ HUSK_SPEC_NS_PATH, cgroupns + 5 });
  else if (cgroupns ? strcmp (cgroupns, "private") == 0 : c->cgroup2)
    add_ns (a, "cgroup", &private);
  /* Rootless, husk already runs inside the user's namespace (userns/),
     whose maps come from /etc/subuid and /etc/subgid: the container shares
     it, as Podman's default (--userns=""), and needs no user namespace of
     its own unless --userns or --uidmap ask for one (user_namespace()).  */
  return a;
}

/* Device rules and nodes.  */

static json_t *
device_rule (char type, long long major, long long minor, const char *access)
{
  json_t *r = json_pack ("{s:b, s:s}", "allow", 1, "access", access);
  char t[2] = { type, '\0' };

  if (type != 'a')
    json_object_set_new (r, "type", json_string (t));
  if (major >= 0)
    json_object_set_new (r, "major", json_integer (major));
  if (minor >= 0)
    json_object_set_new (r, "minor", json_integer (minor));
  return r;
}

static bool
has_device (json_t *devs, const char *dest)
{
  size_t i;
  json_t *d;

  json_array_foreach (devs, i, d)
    if (strcmp (json_string_value (json_object_get (d, "path")), dest) == 0)
      return true;
  return false;
}

static void
add_node (json_t *devs, json_t *rules, const struct stat *st, const char *dest,
          const char *access)
{
  char type = S_ISCHR (st->st_mode) ? 'c' : 'b';
  char t[2] = { type, '\0' };

  if (has_device (devs, dest))
    return;
  json_array_append_new (devs, json_pack ("{s:s, s:s, s:I, s:I, s:I, s:I, s:I}",
                                          "path", dest, "type", t,
                                          "major", (json_int_t) major (st->st_rdev),
                                          "minor", (json_int_t) minor (st->st_rdev),
                                          "fileMode", (json_int_t) (st->st_mode & 07777),
                                          "uid", (json_int_t) st->st_uid,
                                          "gid", (json_int_t) st->st_gid));
  if (rules != NULL)
    json_array_append_new (rules, device_rule (type, major (st->st_rdev),
                                               minor (st->st_rdev), access));
}

/* Add the device nodes under host (a directory), at the same place under
   dest.  Symlinks are not followed; skip names the runtime provides.  */
static int
add_tree (json_t *devs, json_t *rules, const char *host, const char *dest,
          const char *access, int depth, const char *const *skip, husk_error_t *err)
{
  cleanup_dir DIR *d = NULL;
  struct dirent *de;

  if (depth > DEVICE_DEPTH_MAX)
    return 0;
  if ((d = opendir (host)) == NULL)
    return husk_error_make (err, errno, "device directory '%s'", host);
  while ((de = readdir (d)) != NULL)
    {
      cleanup_free char *h = NULL;
      cleanup_free char *t = NULL;
      struct stat st;

      if (de->d_name[0] == '.'
          || (skip && husk_strv_contains ((char *const *) skip, de->d_name)))
        continue;
      h = husk_asprintf ("%s/%s", host, de->d_name);
      t = husk_asprintf ("%s/%s", dest, de->d_name);
      if (fstatat (dirfd (d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
        continue;
      if (S_ISDIR (st.st_mode)
          && add_tree (devs, rules, h, t, access, depth + 1, NULL, err) < 0)
        return -1;
      if (S_ISCHR (st.st_mode) || S_ISBLK (st.st_mode))
        add_node (devs, rules, &st, t, access);
    }
  return 0;
}

/* A non-empty combination of r, w and m, each at most once.  */
static bool
valid_access (const char *a)
{
  bool seen[3] = { false, false, false };

  if (*a == '\0')
    return false;
  for (; *a; a++)
    {
      const char *k = strchr ("rwm", *a);

      if (k == NULL || seen[k - "rwm"])
        return false;
      seen[k - "rwm"] = true;
    }
  return true;
}

/* --device PATH[:DEST[:PERMS]] entries.  */
static int
user_devices (json_t *list, json_t *devs, json_t *rules, husk_error_t *err)
{
  size_t i;
  json_t *d;

  json_array_foreach (list, i, d)
    {
      const char *path, *dest, *perms;
      cleanup_free char *cpath = NULL;
      cleanup_free char *cdest = NULL;
      struct stat st;

      if (!json_is_object (d))
        return husk_error_makex (err, EINVAL, "invalid device %zu: not an object", i);
      if (husk_spec_get_str (d, "path", NULL, &path, err) < 0
          || husk_spec_get_str (d, "destination", NULL, &dest, err) < 0
          || husk_spec_get_str (d, "permissions", "rwm", &perms, err) < 0)
        return husk_error_wrap (err, "invalid device %zu", i);
      cpath = husk_spec_clean_path (path);
      cdest = husk_spec_clean_path (dest ? dest : path);
      if (cpath == NULL || cdest == NULL || strcmp (cdest, "/") == 0)
        return husk_error_makex (err, EINVAL, "invalid --device \"%s\": paths must be absolute",
                                 path ? path : "");
      if (!valid_access (perms))
        return husk_error_makex (err, EINVAL,
                                 "invalid --device \"%s\": permissions \"%s\" are not a "
                                 "combination of r, w and m", path, perms);
      if (stat (cpath, &st) < 0)
        return husk_error_make (err, errno, "--device '%s'", cpath);
      if (S_ISDIR (st.st_mode))
        {
          if (add_tree (devs, rules, cpath, cdest, perms, 0, NULL, err) < 0)
            return -1;
          continue;
        }
      if (!S_ISCHR (st.st_mode) && !S_ISBLK (st.st_mode))
        return husk_error_makex (err, EINVAL, "--device '%s': not a device node", cpath);
      add_node (devs, rules, &st, cdest, perms);
    }
  return 0;
}

/* --device-cgroup-rule: {type, major, minor, access}, -1 for '*'.  */
static int
cgroup_rules (struct husk_spec_ctx *c, json_t *rules, husk_error_t *err)
{
  json_t *list = NULL, *r;
  size_t i;

  if (husk_spec_get_array (c->ccfg, "device_cgroup_rules", &list, err) < 0)
    return -1;
  json_array_foreach (list, i, r)
    {
      const char *type = json_string_value (json_object_get (r, "type"));
      const char *access = json_string_value (json_object_get (r, "access"));
      if (type == NULL || strlen (type) != 1 || strchr ("abc", type[0]) == NULL
          || access == NULL || !valid_access (access))
        return husk_error_makex (err, EINVAL, "invalid device cgroup rule %zu", i);
      json_array_append_new (rules, device_rule (type[0],
                                                 json_integer_value (json_object_get (r, "major")),
                                                 json_integer_value (json_object_get (r, "minor")),
                                                 access));
    }
  return 0;
}

static int
devices (struct husk_spec_ctx *c, json_t *lx, json_t *res, husk_error_t *err)
{
  static const char *const host_skip[] = { "pts", "shm", "mqueue", "console", "ptmx",
                                           "tty", "fd", NULL };
  json_t *list = NULL;
  json_t *rules = json_array ();
  json_t *devs = json_array ();

  json_object_set_new (res, "devices", rules);
  json_object_set_new (lx, "devices", devs);
  json_array_append_new (rules, json_pack ("{s:b, s:s}", "allow", 0, "access", "rwm"));
  if (c->privileged)
    {
      json_array_append_new (rules, device_rule ('a', -1, -1, "rwm"));
      if (add_tree (devs, NULL, "/dev", "/dev", "rwm", 0, host_skip, err) < 0)
        return -1;
    }
  else
    for (size_t i = 0; i < sizeof default_devices / sizeof default_devices[0]; i++)
      json_array_append_new (rules, device_rule (default_devices[i].type,
                                                 default_devices[i].major,
                                                 default_devices[i].minor,
                                                 default_devices[i].access));
  if (cgroup_rules (c, rules, err) < 0 || husk_spec_get_array (c->ccfg, "devices", &list, err) < 0)
    return -1;
  return list ? user_devices (list, devs, rules, err) : 0;
}

/* Resources.  */

/* Whether the kernel accounts swap (memory.memsw.* on cgroup v1).  */
static bool
swap_accounting (bool cgroup2)
{
  return cgroup2 || access ("/sys/fs/cgroup/memory/memory.memsw.limit_in_bytes", F_OK) == 0;
}

static int
memory (struct husk_spec_ctx *c, json_t *r, json_t *res, husk_error_t *err)
{
  int64_t mem, swap;

  if (husk_spec_get_int (r, "memory", 0, &mem, err) < 0
      || husk_spec_get_int (r, "memory_swap", 0, &swap, err) < 0)
    return -1;
  if (mem < 0)
    return husk_error_makex (err, EINVAL, "invalid --memory %lld", (long long) mem);
  if (mem > 0 && mem < MEMORY_MIN)
    return husk_error_makex (err, EINVAL, "invalid --memory %lld: the minimum is 6MB",
                             (long long) mem);
  if (swap < -1)
    return husk_error_makex (err, EINVAL, "invalid --memory-swap %lld", (long long) swap);
  if (swap > 0 && mem == 0)
    return husk_error_makex (err, EINVAL, "--memory-swap requires --memory");
  if (swap > 0 && swap < mem)
    return husk_error_makex (err, EINVAL,
                             "--memory-swap must be at least --memory: it limits memory "
                             "and swap together");
  if (mem == 0)
    return 0;
  json_t *m = json_pack ("{s:I}", "limit", (json_int_t) mem);
  json_object_set_new (res, "memory", m);
  if (swap == 0 && mem <= INT64_MAX / 2)
    swap = 2 * mem;
  if (!swap_accounting (c->cgroup2))
    husk_log_warn ("the kernel does not account swap: --memory-swap ignored");
  else
    json_object_set_new (m, "swap", json_integer (swap));
  return 0;
}

static bool
valid_cpuset (const char *s)
{
  /* "0-3,5,7-8": numbers, ranges, commas.  */
  if (*s == '\0')
    return false;
  while (*s)
    {
      if (*s < '0' || *s > '9')
        return false;
      while (*s >= '0' && *s <= '9')
        s++;
      if (*s == '-')
        {
          s++;
          if (*s < '0' || *s > '9')
            return false;
          while (*s >= '0' && *s <= '9')
            s++;
        }
      if (*s == ',')
        {
          s++;
          if (*s == '\0')
            return false;
        }
      else if (*s != '\0')
        return false;
    }
  return true;
}

static int
cpu (json_t *r, json_t *res, husk_error_t *err)
{
  double cpus;
  int64_t shares;
  const char *cpuset;
  json_t *o = json_object ();
  long ncpu = sysconf (_SC_NPROCESSORS_ONLN);

  json_object_set_new (res, "cpu", o);
  if (husk_spec_get_real (r, "cpus", 0, &cpus, err) < 0
      || husk_spec_get_int (r, "cpu_shares", 0, &shares, err) < 0
      || husk_spec_get_str (r, "cpuset_cpus", "", &cpuset, err) < 0)
    return -1;
  if (!isfinite (cpus) || cpus < 0 || (cpus > 0 && cpus < 0.01))
    return husk_error_makex (err, EINVAL, "invalid --cpus %g: the minimum is 0.01", cpus);
  if (ncpu > 0 && cpus > (double) ncpu)
    return husk_error_makex (err, EINVAL,
                             "invalid --cpus %.2f: range of CPUs is from 0.01 to %ld.00, "
                             "as there are only %ld CPUs available",
                             cpus, ncpu, ncpu);
  if (shares < 0 || shares > 262144)
    return husk_error_makex (err, EINVAL, "invalid --cpu-shares %lld", (long long) shares);
  if (*cpuset && !valid_cpuset (cpuset))
    return husk_error_makex (err, EINVAL, "invalid --cpuset-cpus \"%s\"", cpuset);
  if (shares > 0)
    json_object_set_new (o, "shares", json_integer (shares < 2 ? 2 : shares));
  if (cpus > 0)
    {
      json_object_set_new (o, "quota", json_integer ((json_int_t) llround (cpus * CPU_PERIOD)));
      json_object_set_new (o, "period", json_integer (CPU_PERIOD));
    }
  if (*cpuset)
    json_object_set_new (o, "cpus", json_string (cpuset));
  if (json_object_size (o) == 0)
    json_object_del (res, "cpu");
  return 0;
}

static int
resources (struct husk_spec_ctx *c, json_t *lx, husk_error_t *err)
{
  json_t *r = NULL;
  json_t *res = json_object ();
  int64_t pids;
  const char *parent = c->p->cgroup_parent ? c->p->cgroup_parent : "husk";
  const char *mode = json_string_value (json_object_get (c->ccfg, "cgroups"));

  json_object_set_new (lx, "resources", res);
  if (husk_spec_get_object (c->ccfg, "resources", &r, err) < 0)
    return -1;
  if (memory (c, r, res, err) < 0 || cpu (r, res, err) < 0
      || husk_spec_get_int (r, "pids_limit", 2048, &pids, err) < 0)
    return -1;
  if (pids < -1)
    return husk_error_makex (err, EINVAL, "invalid --pids-limit %lld", (long long) pids);
  if (pids > 0)
    json_object_set_new (res, "pids", json_pack ("{s:I}", "limit", (json_int_t) pids));
  if (devices (c, lx, res, err) < 0)
    return -1;
  /* --cgroups=disabled: no cgroup, so no limits (ccfg refused those
     given); the container stays in its caller's cgroup.  */
  if (strcmp (mode ? mode : "", "disabled") == 0)
    {
      json_object_del (res, "memory");
      json_object_del (res, "cpu");
      json_object_del (res, "pids");
      return 0;
    }
  /* Without cgroup v2 delegation a rootless container has no cgroup of
     its own: limits cannot be applied.  Podman warns and goes on; an
     explicit --cgroups=enabled asked for a cgroup, and fails.  */
  if (c->p->rootless && !c->cgroup2)
    {
      bool limited = json_object_get (res, "memory") || json_object_get (res, "cpu")
                     || json_object_get (r, "pids_limit");

      if (limited && mode)
        return husk_error_makex (err, ENOTSUP, "--cgroups=enabled: resource limits need a "
                                 "cgroup, and rootless containers get none on cgroup v1 "
                                 "(they need cgroup v2 with delegation): drop the limits, "
                                 "or leave out --cgroups=enabled to have them ignored "
                                 "with a warning, as Podman does");
      if (limited)
        husk_log_warn ("Resource limits are not supported and ignored on cgroups V1 "
                       "rootless systems");
      json_object_del (res, "memory");
      json_object_del (res, "cpu");
      json_object_del (res, "pids");
      return 0;
    }
  json_object_set_new (lx, "cgroupsPath",
                       json_sprintf ("%s%s/%s", parent[0] == '/' ? "" : "/", parent, c->id));
  return 0;
}

/* Sysctls.  */

static bool
ipc_sysctl (const char *k)
{
  static const char *const names[] = {
    "kernel.msgmax", "kernel.msgmnb", "kernel.msgmni", "kernel.sem",
    "kernel.shmall", "kernel.shmmax", "kernel.shmmni", "kernel.shm_rmid_forced",
    NULL,
  };

  return husk_strv_contains ((char *const *) names, k) || husk_has_prefix (k, "fs.mqueue.");
}

static int
sysctls (struct husk_spec_ctx *c, json_t *lx, husk_error_t *err)
{
  json_t *s = NULL, *v;
  json_t *out;
  const char *k;

  if (husk_spec_get_object (c->ccfg, "sysctls", &s, err) < 0)
    return -1;
  if (s == NULL || json_object_size (s) == 0)
    return 0;
  out = json_object ();
  json_object_set_new (lx, "sysctl", out);
  json_object_foreach (s, k, v)
    {
      const struct husk_spec_ns *ns;
      const char *what;

      if (!json_is_string (v))
        return husk_error_makex (err, EINVAL,
                                 "invalid sysctl \"%s\": the value must be a string", k);
      if (*k == '\0' || strstr (k, "..") || k[strspn (k, "abcdefghijklmnopqrstuvwxyz"
                                                        "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                                        "0123456789_.-/")] != '\0')
        return husk_error_makex (err, EINVAL, "invalid sysctl \"%s\"", k);
      if (husk_has_prefix (k, "net."))
        {
          ns = &c->net;
          what = "network";
        }
      else if (ipc_sysctl (k))
        {
          ns = &c->ipc;
          what = "IPC";
        }
      else if (strcmp (k, "kernel.domainname") == 0)
        {
          ns = &c->uts;
          what = "UTS";
        }
      else
        return husk_error_makex (err, EINVAL,
                                 "invalid sysctl \"%s\": not a namespaced kernel parameter", k);
      if (ns->mode == HUSK_SPEC_NS_HOST)
        return husk_error_makex (err, EINVAL,
                                 "invalid sysctl \"%s\": the container shares the host's %s "
                                 "namespace", k, what);
      json_object_set (out, k, v);
    }
  return 0;
}

/* Masked and read-only paths.  */

static void
strv_remove (char ***v, const char *s)
{
  size_t k = 0;

  for (size_t i = 0; (*v)[i]; i++)
    {
      if (strcmp ((*v)[i], s) == 0)
        free ((*v)[i]);
      else
        (*v)[k++] = (*v)[i];
    }
  (*v)[k] = NULL;
}

static json_t *
strv_to_json (char *const *v)
{
  json_t *a = json_array ();

  for (; *v; v++)
    json_array_append_new (a, json_string (*v));
  return a;
}

/* Call fn for each path in a list of "a:b" entries.  */
static int
each_path (json_t *list, const char *flag, void (*fn) (const char *, void *), void *data,
           husk_error_t *err)
{
  size_t i;
  json_t *v;

  json_array_foreach (list, i, v)
    {
      cleanup_strv char **parts = husk_strv_split (json_string_value (v), ':');

      for (char **p = parts; *p; p++)
        {
          cleanup_free char *clean = NULL;

          if (strcmp (*p, "ALL") == 0 && strcmp (flag, "unmask") == 0)
            {
              fn ("ALL", data);
              continue;
            }
          if ((clean = husk_spec_clean_path (*p)) == NULL)
            return husk_error_makex (err, EINVAL,
                                     "invalid --security-opt %s=%s: paths must be absolute",
                                     flag, json_string_value (v));
          fn (clean, data);
        }
    }
  return 0;
}

struct masks
{
  char **masked;
  char **readonly;
};

static void
do_mask (const char *p, void *data)
{
  struct masks *m = data;

  if (!husk_strv_contains (m->masked, p))
    husk_strv_append (&m->masked, p);
}

static void
do_unmask (const char *p, void *data)
{
  struct masks *m = data;

  if (strcmp (p, "ALL") == 0)
    {
      husk_strv_free (m->masked);
      husk_strv_free (m->readonly);
      m->masked = husk_xzalloc (sizeof (char *));
      m->readonly = husk_xzalloc (sizeof (char *));
      return;
    }
  strv_remove (&m->masked, p);
  strv_remove (&m->readonly, p);
}

static int
masked_paths (struct husk_spec_ctx *c, json_t *lx, husk_error_t *err)
{
  struct masks m;
  json_t *mask = NULL, *unmask = NULL;
  int r = 0;

  if (husk_spec_get_strings (c->ccfg, "mask", &mask, err) < 0
      || husk_spec_get_strings (c->ccfg, "unmask", &unmask, err) < 0)
    return -1;
  m.masked = husk_strv_dup (c->privileged ? (char *const[]){ NULL }
                                          : (char *const *) default_masked);
  m.readonly = husk_strv_dup (c->privileged ? (char *const[]){ NULL }
                                            : (char *const *) default_readonly);
  if ((mask && each_path (mask, "mask", do_mask, &m, err) < 0)
      || (unmask && each_path (unmask, "unmask", do_unmask, &m, err) < 0))
    r = -1;
  else
    {
      json_object_set_new (lx, "maskedPaths", strv_to_json (m.masked));
      json_object_set_new (lx, "readonlyPaths", strv_to_json (m.readonly));
    }
  husk_strv_free (m.masked);
  husk_strv_free (m.readonly);
  return r;
}

static int
seccomp (struct husk_spec_ctx *c, json_t *lx, husk_error_t *err)
{
  cleanup_strv char **caps = husk_spec_cap_names (c->bounding);
  const char *v;
  json_t *profile;

  if (husk_spec_get_str (c->ccfg, "seccomp", "default", &v, err) < 0)
    return -1;
  if (strcmp (v, "unconfined") == 0)
    return 0;
  if (strcmp (v, "default") == 0 || *v == '\0')
    {
      if (c->privileged)
        return 0;
      profile = husk_seccomp_profile_for_caps (caps);
    }
  else if ((profile = husk_seccomp_load (v, caps, err)) == NULL)
    return -1;
  json_object_set_new (lx, "seccomp", profile);
  return 0;
}

/* The container's own user namespace (container/idmaps.h): joined by path,
   or made with the ccfg's maps ("C:H:S" strings, host IDs being those of
   the namespace husk runs in).  */
static int
user_namespace (struct husk_spec_ctx *c, json_t *lx, husk_error_t *err)
{
  json_t *ns = json_object_get (c->ccfg, "userns");
  const char *mode = json_string_value (json_object_get (ns, "mode"));
  struct husk_idmap m;
  static const char *const maps[2][2] = { { "uid_map", "uidMappings" },
                                          { "gid_map", "gidMappings" } };

  if (mode == NULL)
    return 0;
  if (husk_has_prefix (mode, "ns:"))
    {
      json_array_append_new (json_object_get (lx, "namespaces"),
                             json_pack ("{s:s, s:s}", "type", "user", "path", mode + 3));
      return 0;
    }
  json_array_append_new (json_object_get (lx, "namespaces"), json_pack ("{s:s}", "type", "user"));
  for (int k = 0; k < 2; k++)
    {
      json_t *a = json_array ();
      if (husk_idmap_from_json (&m, json_object_get (ns, maps[k][0]), err) < 0)
        return json_decref (a), -1;
      for (size_t i = 0; i < m.n; i++)
        json_array_append_new (a, json_pack ("{s:I, s:I, s:I}", "containerID",
                                             (json_int_t) m.r[i].inside, "hostID",
                                             (json_int_t) m.r[i].outside, "size",
                                             (json_int_t) m.r[i].size));
      json_object_set_new (lx, maps[k][1], a);
    }
  return 0;
}

json_t *
husk_spec_linux (struct husk_spec_ctx *c, husk_error_t *err)
{
  cleanup_json json_t *lx = json_object ();

  json_object_set_new (lx, "namespaces", namespaces (c));
  if (user_namespace (c, lx, err) < 0)
    return NULL;
  if (resources (c, lx, err) < 0 || sysctls (c, lx, err) < 0
      || masked_paths (c, lx, err) < 0 || seccomp (c, lx, err) < 0)
    return NULL;
  return steal_ptr (&lx);
}
