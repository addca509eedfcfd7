/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * `container inspect`: the container as Podman 4.3 shapes it, key for key
 * and in Podman's order (State, GraphDriver, Mounts, NetworkSettings,
 * Config, HostConfig, ...).  Values come from the container's row, its
 * configuration (container/ccfg.h), the OCI spec written at start
 * (<bundle>/config.json: capabilities, cgroup path) and the layer store's
 * layout (storage/store.h).  What husk has no notion of gets Podman's zero
 * value ("" , 0, false, null), never an invented one.
 */
#include "container/inspect.h"
#include "container/netbridge.h"
#include "network/network.h"
#include "container/lifecycle.h"
#include "container/monitor.h"
#include "format/humanize.h"
#include "runtime/spec.h"
#include "storage/store.h"
#include "util/cleanup.h"
#include "util/fileutil.h"
#include "util/strutil.h"

#include <ctype.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Podman's capability baseline for CapAdd/CapDrop: the default set of the
   OCI runtime-tools generator.  */
static const char *const oci_default_caps[] = {
  "CAP_AUDIT_WRITE", "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FOWNER", "CAP_FSETID",
  "CAP_KILL", "CAP_MKNOD", "CAP_NET_BIND_SERVICE", "CAP_NET_RAW", "CAP_SETFCAP",
  "CAP_SETGID", "CAP_SETPCAP", "CAP_SETUID", "CAP_SYS_CHROOT", NULL,
};

/* Everything one inspect needs besides the row.  */
struct ictx
{
  struct husk_engine *e;
  const struct husk_container_rec *r;
  json_t *c;     /* the container configuration */
  json_t *spec;  /* <bundle>/config.json, or NULL before the first start */
  char *dir;     /* the bundle directory */
  char *run;     /* the userdata (run) directory */
  char **bounding, **effective; /* capability names, sorted */
};

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

static const char *
cstr (json_t *o, const char *key)
{
  return json_string_value (json_object_get (o, key));
}

/* The same, "" when missing: for json_pack's "s", which rejects NULL.  */
static const char *
sval (json_t *o, const char *key)
{
  const char *s = json_string_value (json_object_get (o, key));

  return s ? s : "";
}

static json_int_t
cint (json_t *o, const char *key)
{
  return (json_int_t) json_integer_value (json_object_get (o, key));
}

static int
cmp_str (const void *a, const void *b)
{
  return strcmp (*(char *const *) a, *(char *const *) b);
}

/* ---- capabilities ---------------------------------------------------------- */

static char **
sorted_names (json_t *a)
{
  char **v = NULL;
  size_t i;
  json_t *s;

  json_array_foreach (a, i, s)
    if (json_is_string (s))
      husk_strv_append (&v, json_string_value (s));
  if (v)
    qsort (v, husk_strv_len (v), sizeof *v, cmp_str);
  return v;
}

/* Whether the configured user is root without looking into the image
   ("", "root", "0", with or without a group).  */
static bool
user_is_root (const char *u)
{
  size_t n = u ? strcspn (u, ":") : 0;

  return n == 0 || (n == 4 && strncmp (u, "root", 4) == 0) || (n == 1 && u[0] == '0');
}

/* The process's capability sets: from the spec the runtime got, else (never
   started) as the spec generator will make them.  */
static void
load_caps (struct ictx *x)
{
  json_t *caps = json_object_get (json_object_get (x->spec, "process"), "capabilities");
  cleanup_json json_t *made = NULL;

  if (caps == NULL)
    {
      uint64_t bounding;
      made = husk_spec_capabilities (json_object_get (x->c, "cap_add"),
                                     json_object_get (x->c, "cap_drop"),
                                     json_is_true (json_object_get (x->c, "privileged")),
                                     user_is_root (cstr (x->c, "user")), &bounding, NULL);
      caps = made;
    }
  x->bounding = sorted_names (json_object_get (caps, "bounding"));
  x->effective = sorted_names (json_object_get (caps, "effective"));
}

/* Podman's HostConfig.CapAdd / CapDrop: the bounding set against the OCI
   default set (every capability when privileged).  */
static void
cap_diff (struct ictx *x, json_t **add, json_t **drop)
{
  cleanup_strv char **base = NULL, **dropped = NULL;

  if (json_is_true (json_object_get (x->c, "privileged")))
    for (int i = 0; i <= husk_spec_cap_last (); i++)
      {
        if (husk_spec_capability_name (i))
          husk_strv_append (&base, husk_spec_capability_name (i));
      }
  else
    base = husk_strv_dup ((char *const *) oci_default_caps);
  *add = json_array ();
  for (size_t i = 0; x->bounding && x->bounding[i]; i++)
    if (!husk_strv_contains (base, x->bounding[i]))
      json_array_append_new (*add, json_string (x->bounding[i]));
  for (size_t i = 0; base && base[i]; i++)
    if (!husk_strv_contains (x->bounding, base[i]))
      husk_strv_append (&dropped, base[i]);
  if (dropped)
    qsort (dropped, husk_strv_len (dropped), sizeof *dropped, cmp_str);
  *drop = husk_strv_json (dropped);
}

/* ---- State ----------------------------------------------------------------- */

static json_t *
health_json (struct ictx *x)
{
  cleanup_free char *path = NULL, *text = NULL;
  json_t *h = NULL;

  if (json_is_object (json_object_get (x->c, "health")))
    {
      path = husk_asprintf ("%s/%s", x->run, HUSK_MONITOR_HEALTH);
      text = husk_read_file (path, NULL, NULL);
      h = text ? json_loads (text, 0, NULL) : NULL;
      if (h == NULL)
        h = json_pack ("{s:s, s:i, s:[]}", "Status", "starting", "FailingStreak", 0, "Log");
      return h;
    }
  /* Podman prints the zero value for a container without a healthcheck. */
  return json_pack ("{s:s, s:i, s:n}", "Status", "", "FailingStreak", 0, "Log");
}

/* The unified-hierarchy cgroup of pid ("0::PATH" in /proc/PID/cgroup).  */
static char *
process_cgroup (int pid)
{
  cleanup_free char *path = husk_asprintf ("/proc/%d/cgroup", pid);
  cleanup_free char *text = pid > 0 ? husk_read_file (path, NULL, NULL) : NULL;
  char *line = text ? strstr (text, "0::") : NULL;

  if (line == NULL || (line != text && line[-1] != '\n'))
    return NULL;
  line += 3;
  return husk_xstrndup (line, strcspn (line, "\n"));
}

static json_t *
state_json (struct ictx *x)
{
  const struct husk_container_rec *r = x->r;
  bool running = strcmp (r->state, "running") == 0 || strcmp (r->state, "stopping") == 0;
  bool paused = strcmp (r->state, "paused") == 0;
  const char *cgroup = cstr (json_object_get (x->spec, "linux"), "cgroupsPath");
  json_t *s = json_pack ("{s:s, s:s, s:b, s:b, s:b, s:b, s:b, s:i, s:i, s:i, s:s, s:o, s:o, s:o}",
                         "OciVersion", "1.0.2", "Status", r->state, "Running", running || paused,
                         "Paused", paused, "Restarting", 0, "OOMKilled", r->oom_killed,
                         "Dead", 0, "Pid", r->pid, "ConmonPid", r->monitor_pid,
                         "ExitCode", r->exit_code, "Error", "", "StartedAt",
                         time_json (r->started_at), "FinishedAt", time_json (r->finished_at),
                         "Health", health_json (x));

  /* Podman shows the cgroup only while the container runs.  A container
     without one of its own (rootless on cgroup v1) is in its caller's.  */
  if (running || paused)
    {
      cleanup_free char *own = cgroup ? NULL : process_cgroup (r->pid);
      json_object_set_new (s, "CgroupPath", json_string (cgroup ? cgroup : own ? own : ""));
    }
  json_object_set_new (s, "CheckpointedAt", time_json (0));
  json_object_set_new (s, "RestoredAt", time_json (0));
  return s;
}

/* ---- GraphDriver --------------------------------------------------------- */

/* The full paths of the lower layers the container's overlay stacks, top
   first, from the "lower" file the store keeps ("l/<short>:..."), each
   link read to its layer's diff directory.  NULL when it has none.  */
static char *
lower_dirs (const char *base, const char *id)
{
  cleanup_free char *path = husk_asprintf ("%s/containers/%s/lower", base, id);
  cleanup_free char *text = husk_read_file (path, NULL, NULL);
  cleanup_strv char **links = NULL, **dirs = NULL;

  if (text == NULL || *text == '\0')
    return NULL;
  text[strcspn (text, "\n")] = '\0';
  links = husk_strv_split (text, ':');
  for (size_t i = 0; links[i]; i++)
    {
      cleanup_free char *link = husk_asprintf ("%s/%s", base, links[i]);
      char target[PATH_MAX];
      ssize_t n = readlink (link, target, sizeof target - 1);
      if (n <= 0)
        continue;
      target[n] = '\0';
      /* "../layers/<hex>/diff", relative to l/.  */
      husk_strv_take (&dirs, husk_has_prefix (target, "../")
                                 ? husk_asprintf ("%s/%s", base, target + 3)
                                 : husk_xstrdup (target));
    }
  return dirs ? husk_strv_join (dirs, ":") : NULL;
}

static bool
is_mounted (const char *path, const char *parent)
{
  struct stat a, b;

  return stat (path, &a) == 0 && stat (parent, &b) == 0 && a.st_dev != b.st_dev;
}

static json_t *
graphdriver_json (struct ictx *x)
{
  const char *driver = husk_store_driver_name (x->e->store);
  cleanup_free char *base = NULL, *lower = NULL, *ctr = NULL, *merged = NULL;
  json_t *data;

  if (strcmp (driver, "overlay") != 0)
    return json_pack ("{s:s, s:n}", "Name", driver, "Data");
  base = husk_asprintf ("%s/%s", husk_store_graphroot (x->e->store), driver);
  ctr = husk_asprintf ("%s/containers/%s", base, x->r->id);
  merged = husk_asprintf ("%s/merged", ctr);
  data = json_object ();
  if ((lower = lower_dirs (base, x->r->id)) != NULL)
    json_object_set_new (data, "LowerDir", json_string (lower));
  if (is_mounted (merged, ctr))
    json_object_set_new (data, "MergedDir", json_string (merged));
  json_object_set_new (data, "UpperDir", json_sprintf ("%s/diff", ctr));
  json_object_set_new (data, "WorkDir", json_sprintf ("%s/work", ctr));
  return json_pack ("{s:s, s:o}", "Name", driver, "Data", data);
}

/* ---- Mounts, Dependencies, NetworkSettings --------------------------------- */

/* Volumes, bind and image mounts; tmpfs mounts are in HostConfig.Tmpfs only.  */
static json_t *
mounts_json (json_t *c)
{
  json_t *out = json_array ();
  size_t i;
  json_t *m;

  json_array_foreach (json_object_get (c, "mounts"), i, m)
    {
      const char *type = cstr (m, "type");
      bool ro = false;
      size_t k;
      json_t *o, *one;
      if (type == NULL || strcmp (type, "tmpfs") == 0)
        continue;
      json_array_foreach (json_object_get (m, "options"), k, o)
        ro = ro || strcmp (json_string_value (o), "ro") == 0;
      if (strcmp (type, "image") == 0)
        {
          /* Podman: the image by ID, with no options and no propagation.  */
          json_array_append_new (out, json_pack (
              "{s:s, s:s, s:s, s:s, s:s, s:n, s:b, s:s}", "Type", "image", "Source",
              sval (m, "source"), "Destination", sval (m, "destination"), "Driver", "", "Mode",
              "", "Options", "RW", false, "Propagation", ""));
          continue;
        }
      one = json_pack ("{s:s}", "Type", type);
      if (strcmp (type, "volume") == 0)
        json_object_set_new (one, "Name", json_string (cstr (m, "name") ?: ""));
      json_object_update_new (one, json_pack (
          "{s:s, s:s, s:s, s:s, s:o, s:b, s:s}",
          "Source", sval (m, "source"), "Destination", sval (m, "destination"),
          "Driver", strcmp (type, "volume") == 0 ? "local" : "", "Mode", "",
          "Options", copy (m, "options", json_array ()), "RW", !ro, "Propagation", "rprivate"));
      json_array_append_new (out, one);
    }
  return out;
}

/* The IDs of the containers whose namespaces this one joins (as named
   at create: a name that no longer resolves is shown as it was given).  */
static json_t *
dependencies_json (struct husk_engine *e, json_t *c)
{
  json_t *out = json_array ();
  const char *key;
  json_t *v;

  json_object_foreach (json_object_get (c, "namespaces"), key, v)
    {
      const char *s = json_string_value (v);
      cleanup_free char *id = NULL;
      bool seen = false;
      size_t i;
      json_t *d;
      if (s == NULL || !husk_has_prefix (s, "container:"))
        continue;
      if (husk_state_container_lookup (e->state, s + 10, &id, NULL) < 0)
        id = husk_xstrdup (s + 10);
      json_array_foreach (out, i, d)
        seen = seen || strcmp (json_string_value (d), id) == 0;
      if (!seen)
        json_array_append_new (out, json_string (id));
    }
  return out;
}

/* The IPv6 address of a dual-stack network's n, while up, in o.  */
static json_t *
with_v6 (json_t *o, json_t *n, bool up)
{
  if (up && json_string_value (json_object_get (n, "ip6")))
    {
      json_object_set (o, "GlobalIPv6Address", json_object_get (n, "ip6"));
      json_object_set (o, "IPv6Gateway", json_object_get (n, "gateway6"));
      json_object_set (o, "GlobalIPv6PrefixLen", json_object_get (n, "prefix6"));
    }
  return o;
}

/* Networks.NAME of one of a container's bridge networks: its address
   while it runs, its aliases after the short ID (Podman).  */
static json_t *
bridge_net_json (const struct husk_container_rec *r, json_t *n, bool up)
{
  const char *ip = up ? json_string_value (json_object_get (n, "ip")) ?: "" : "";
  const char *gw = up ? json_string_value (json_object_get (n, "gateway")) ?: "" : "";
  const char *mac = up ? json_string_value (json_object_get (n, "mac")) ?: "" : "";
  int prefix = up ? json_integer_value (json_object_get (n, "prefix")) : 0;
  json_t *aliases = json_pack ("[s#]", r->id, (int) (strlen (r->id) < 12 ? strlen (r->id) : 12));
  size_t i;
  json_t *a;

  json_array_foreach (json_object_get (n, "aliases"), i, a)
    json_array_append (aliases, a);
  return with_v6 (json_pack ("{s:s, s:s, s:s, s:i, s:s, s:s, s:i, s:s, s:s, s:n, s:n, s:n, s:o}",
                    "EndpointID", "", "Gateway", gw, "IPAddress", ip, "IPPrefixLen", prefix,
                    "IPv6Gateway", "", "GlobalIPv6Address", "", "GlobalIPv6PrefixLen", 0,
                    "MacAddress", mac, "NetworkID",
                    json_string_value (json_object_get (n, "id")) ?: "", "DriverOpts",
                    "IPAMConfig", "Links", "Aliases", aliases), n, up);
}

/* NetworkSettings of a container on bridge networks: its first network's
   address (while it runs) at the top, as Docker shows it, and each
   network under Networks.NAME.  */
static json_t *
bridge_json (const struct husk_container_rec *r, json_t *c, bool up)
{
  json_t *list = husk_container_networks (c), *first = json_array_get (list, 0);
  const char *ip = up ? json_string_value (json_object_get (first, "ip")) ?: "" : "";
  const char *gw = up ? json_string_value (json_object_get (first, "gateway")) ?: "" : "";
  const char *mac = up ? json_string_value (json_object_get (first, "mac")) ?: "" : "";
  int prefix = up ? json_integer_value (json_object_get (first, "prefix")) : 0;
  cleanup_free char *key = up ? husk_asprintf ("/proc/%d/ns/net", r->pid) : NULL;
  json_t *nets = json_object ();
  size_t i;
  json_t *n;

  json_array_foreach (list, i, n)
    json_object_set_new (nets, json_string_value (json_object_get (n, "name")),
                         bridge_net_json (r, n, up));
  return with_v6 (json_pack ("{s:s, s:s, s:s, s:i, s:s, s:s, s:i, s:s, s:s, s:s, s:b, s:s, s:i, "
                    "s:o, s:s, s:o}",
                    "EndpointID", "", "Gateway", gw, "IPAddress", ip, "IPPrefixLen", prefix,
                    "IPv6Gateway", "", "GlobalIPv6Address", "", "GlobalIPv6PrefixLen", 0,
                    "MacAddress", mac, "Bridge", "", "SandboxID", "", "HairpinMode", 0,
                    "LinkLocalIPv6Address", "", "LinkLocalIPv6PrefixLen", 0, "Ports",
                    up ? husk_net_ports_bindings (json_object_get (c, "ports"),
                                                  json_object_get (c, "expose"))
                       : json_object (),
                    "SandboxKey", key ? key : "", "Networks", nets), first, up);
}

/* NetworkSettings: the published ports (and the exposed ones, null) while
   the container runs, as Docker shows them; the namespace's file of a
   network of its own.  */
static json_t *
network_json (struct husk_engine *e, const struct husk_container_rec *r, json_t *c)
{
  bool up = strcmp (r->state, "running") == 0 || strcmp (r->state, "paused") == 0;
  const struct husk_net_backend *b = husk_net_backend_find (
      json_string_value (json_object_get (json_object_get (c, "namespaces"), "network")));
  cleanup_free char *dir = b && up ? husk_net_dir (e->runroot, r->id) : NULL;
  cleanup_free char *key = dir ? husk_asprintf ("%s/ns", dir) : NULL;

  json_t *o;

  if (json_array_size (husk_container_networks (c)))
    return bridge_json (r, c, up);
  o = json_pack ("{s:s, s:s, s:s, s:i, s:s, s:s, s:i, s:s, s:s, s:s, s:b, s:s, s:i, "
                    "s:o, s:s, s:{}}",
                    "EndpointID", "", "Gateway", "", "IPAddress", "", "IPPrefixLen", 0,
                    "IPv6Gateway", "", "GlobalIPv6Address", "", "GlobalIPv6PrefixLen", 0,
                    "MacAddress", "", "Bridge", "", "SandboxID", "", "HairpinMode", 0,
                    "LinkLocalIPv6Address", "", "LinkLocalIPv6PrefixLen", 0, "Ports",
                    up ? husk_net_ports_bindings (json_object_get (c, "ports"),
                                                  json_object_get (c, "expose"))
                       : json_object (),
                    "SandboxKey", key ? key : "", "Networks");
  return o;
}

/* ---- Config ---------------------------------------------------------------- */

static json_t *
healthcheck_json (json_t *h)
{
  json_t *o = json_pack ("{s:o}", "Test", copy (h, "test", json_array ()));

  if (cint (h, "start_period"))
    json_object_set_new (o, "StartPeriod", json_integer (cint (h, "start_period")));
  json_object_set_new (o, "Interval", json_integer (cint (h, "interval")));
  json_object_set_new (o, "Timeout", json_integer (cint (h, "timeout")));
  json_object_set_new (o, "Retries", json_integer (cint (h, "retries")));
  return o;
}

static json_t *
config_json (json_t *c)
{
  bool tty = json_is_true (json_object_get (c, "tty"));
  bool in = json_is_true (json_object_get (c, "interactive"));
  json_t *h = json_object_get (c, "health");
  json_t *o = json_pack (
      "{s:s, s:s, s:s, s:b, s:b, s:b, s:b, s:b, s:b, s:o, s:o, s:s, s:n, s:s, s:o, s:n, "
      "s:o, s:o, s:I}",
      "Hostname", sval (c, "hostname"), "Domainname", "", "User", sval (c, "user"),
      "AttachStdin", in, "AttachStdout", 0, "AttachStderr", 0, "Tty", tty, "OpenStdin", in,
      "StdinOnce", 0, "Env", copy (c, "env", json_array ()), "Cmd", copy (c, "cmd", json_null ()),
      "Image", sval (json_object_get (c, "image"), "name"), "Volumes",
      "WorkingDir", sval (c, "workdir"), "Entrypoint", copy (c, "entrypoint", json_null ()),
      "OnBuild", "Labels", copy (c, "labels", json_object ()),
      "Annotations", copy (c, "annotations", json_object ()), "StopSignal", cint (c, "stop_signal"));

  if (json_is_object (h))
    json_object_set_new (o, "Healthcheck", healthcheck_json (h));
  json_object_set_new (o, "HealthcheckOnFailureAction",
                       json_string (json_is_object (h) && cstr (h, "on_failure")
                                    ? cstr (h, "on_failure") : "none"));
  if (json_is_array (json_object_get (c, "create_command")))
    json_object_set (o, "CreateCommand", json_object_get (c, "create_command"));
  if (cstr (c, "tz") && *cstr (c, "tz"))
    json_object_set_new (o, "Timezone", json_string (cstr (c, "tz")));
  /* Podman lists the mounted secrets only (env ones are not there).  */
  if (json_array_size (json_object_get (c, "secrets")) > 0)
    {
      json_t *a = json_array (), *sec;
      size_t i;
      json_array_foreach (json_object_get (c, "secrets"), i, sec)
        if (cstr (sec, "type") && strcmp (cstr (sec, "type"), "mount") == 0)
          json_array_append_new (a, json_pack ("{s:s, s:s, s:I, s:I, s:I}", "Name",
                                               sval (sec, "name"), "ID", sval (sec, "id"),
                                               "UID", cint (sec, "uid"), "GID", cint (sec, "gid"),
                                               "Mode", cint (sec, "mode")));
      if (json_array_size (a) > 0)
        json_object_set_new (o, "Secrets", a);
      else
        json_decref (a);
    }
  /* --umask (the spec's default 0022), --timeout in seconds.  --passwd:
     containers from before it have none, so true, its default.  */
  json_object_update_new (o, json_pack ("{s:s, s:I, s:I, s:b}", "Umask",
                                        cstr (c, "umask") ? cstr (c, "umask") : "0022",
                                        "Timeout", cint (c, "timeout"),
                                        "StopTimeout", cint (c, "stop_timeout"), "Passwd",
                                        !json_is_false (json_object_get (c, "passwd"))));
  return o;
}

/* ---- HostConfig ------------------------------------------------------------ */

static json_t *
security_opt_json (json_t *c)
{
  const char *seccomp = cstr (c, "seccomp");
  json_t *out = json_array ();

  if (json_is_true (json_object_get (c, "no_new_privileges")))
    json_array_append_new (out, json_string ("no-new-privileges"));
  if (seccomp && strcmp (seccomp, "default") != 0)
    json_array_append_new (out, json_sprintf ("seccomp=%s", seccomp));
  return out;
}

static json_t *
ulimits_json (json_t *c)
{
  json_t *out = json_array (), *u;
  size_t i;

  json_array_foreach (json_object_get (c, "ulimits"), i, u)
    {
      cleanup_strv char **kv = husk_strv_split (json_string_value (u), '=');
      cleanup_strv char **lim = kv[1] ? husk_strv_split (kv[1], ':') : NULL;
      cleanup_free char *name = NULL;
      if (lim == NULL || lim[0] == NULL)
        continue;
      name = husk_asprintf ("RLIMIT_%s", kv[0]);
      for (char *p = name; *p; p++)
        *p = (char) toupper ((unsigned char) *p);
      json_array_append_new (out, json_pack ("{s:s, s:I, s:I}", "Name", name,
                                             "Soft", (json_int_t) atoll (lim[0]),
                                             "Hard", (json_int_t) atoll (lim[1] ? lim[1] : lim[0])));
    }
  return out;
}

static json_t *
devices_json (json_t *c)
{
  json_t *out = json_array (), *d;
  size_t i;

  json_array_foreach (json_object_get (c, "devices"), i, d)
    json_array_append_new (out, json_pack ("{s:s, s:s, s:s}", "PathOnHost", cstr (d, "path") ?: "",
                                           "PathInContainer", cstr (d, "destination") ?: "",
                                           "CgroupPermissions", cstr (d, "permissions") ?: ""));
  return out;
}

static void
binds_tmpfs (json_t *c, json_t **binds, json_t **tmpfs)
{
  size_t i;
  json_t *m;

  *binds = json_array ();
  *tmpfs = json_object ();
  json_array_foreach (json_object_get (c, "mounts"), i, m)
    {
      const char *type = cstr (m, "type"), *dst = cstr (m, "destination");
      if (type == NULL || dst == NULL)
        continue;
      if (strcmp (type, "tmpfs") == 0)
        json_object_set_new (*tmpfs, dst, json_string (""));
      else
        json_array_append_new (*binds, json_sprintf ("%s:%s", cstr (m, "source") ?: sval (m, "name"),
                                                     dst));
    }
}

/* The first part of HostConfig: through UTSMode in Podman's order.  */
/* --add-host as Docker shows it: "name:ip", one per name.  */
static json_t *
extra_hosts (json_t *c)
{
  json_t *a = json_array ();
  size_t i;
  json_t *v;

  json_array_foreach (json_object_get (c, "add_hosts"), i, v)
    {
      const char *line = json_string_value (v);
      const char *tab = line ? strchr (line, '\t') : NULL;
      cleanup_strv char **names = tab ? husk_strv_split (tab + 1, ' ') : NULL;
      for (size_t k = 0; names && names[k]; k++)
        json_array_append_new (a, json_sprintf ("%s:%.*s", names[k], (int) (tab - line), line));
    }
  return a;
}

static json_t *
hostconfig_head (struct ictx *x)
{
  json_t *c = x->c, *ns = json_object_get (c, "namespaces");
  json_t *log = json_object_get (c, "log"), *restart = json_object_get (c, "restart");
  json_t *binds, *tmpfs, *add, *drop;
  const char *policy = cstr (restart, "policy");
  const char *ipc = cstr (ns, "ipc");
  bool cgroupns = false;
  size_t i;
  json_t *n;

  json_array_foreach (json_object_get (json_object_get (x->spec, "linux"), "namespaces"), i, n)
    cgroupns = cgroupns || strcmp (cstr (n, "type") ?: "", "cgroup") == 0;
  binds_tmpfs (c, &binds, &tmpfs);
  cap_diff (x, &add, &drop);
  return json_pack (
      "{s:o, s:s, s:s, s:s, s:{s:s, s:n, s:s, s:s, s:s}, s:s, s:o, s:{s:s, s:i}, s:b, s:s, "
      "s:n, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:s, s:s, s:s, s:n, s:I, s:s, s:b, s:b, "
      "s:b, s:o, s:o, s:s}",
      "Binds", binds, "CgroupManager", "cgroupfs",
      /* The spec has a cgroup namespace only on cgroup v2 (as Podman).  */
      "CgroupMode", cgroupns ? "private" : "host", "ContainerIDFile", sval (c, "cidfile"),
      "LogConfig", "Type", sval (log, "driver"), "Config", "Path", sval (log, "path"),
      "Tag", "", "Size", "0B",
      "NetworkMode", sval (ns, "network"), "PortBindings",
      husk_net_ports_bindings (json_object_get (c, "ports"), NULL),
      "RestartPolicy", "Name", strcmp (policy ? policy : "no", "no") == 0 ? "" : policy,
      "MaximumRetryCount", (int) cint (restart, "max_retries"),
      "AutoRemove", json_is_true (json_object_get (c, "rm")), "VolumeDriver", "",
      "VolumesFrom", "CapAdd", add, "CapDrop", drop, "Dns", copy (c, "dns", json_array ()),
      "DnsOptions", copy (c, "dns_options", json_array ()),
      "DnsSearch", copy (c, "dns_search", json_array ()), "ExtraHosts", extra_hosts (c),
      "GroupAdd", copy (c, "group_add", json_array ()),
      /* A private IPC namespace can be joined by others: Docker's "shareable". */
      "IpcMode", ipc && strcmp (ipc, "private") == 0 ? "shareable" : ipc ? ipc : "",
      /* Podman shows "default" for enabled (and no-conmon, split).  */
      "Cgroup", "", "Cgroups", strcmp (sval (c, "cgroups"), "disabled") ? "default" : "disabled",
      "Links", "OomScoreAdj", cint (c, "oom_score_adj"),
      "PidMode", sval (ns, "pid"), "Privileged", json_is_true (json_object_get (c, "privileged")),
      "PublishAllPorts", json_is_true (json_object_get (c, "publish_all")), "ReadonlyRootfs", json_is_true (json_object_get (c, "read_only")),
      "SecurityOpt", security_opt_json (c), "Tmpfs", tmpfs, "UTSMode", sval (ns, "uts"));
}

/* The resources part of HostConfig, from the configuration with the
   defaults the spec generator applies (runtime/spec-linux.c).  */
static json_t *
hostconfig_tail (json_t *c)
{
  json_t *res = json_object_get (c, "resources");
  json_int_t mem = cint (res, "memory"), swap = cint (res, "memory_swap");
  double cpus = json_number_value (json_object_get (res, "cpus"));
  json_t *pids = json_object_get (res, "pids_limit");

  if (mem > 0 && swap == 0)
    swap = 2 * mem;
  return json_pack (
      "{s:s, s:I, s:s, s:[i,i], s:s, s:I, s:I, s:I, s:s, s:i, s:n, s:n, s:n, s:n, s:n, s:I, "
      "s:I, s:i, s:i, s:s, s:s, s:o, s:i, s:i, s:i, s:I, s:i, s:b, s:I, s:o, s:i, s:i, s:i, "
      "s:i, s:n, s:b}",
      "UsernsMode", "", "ShmSize", cint (c, "shm_size"), "Runtime", "oci",
      "ConsoleSize", 0, 0, "Isolation", "", "CpuShares", cint (res, "cpu_shares"),
      "Memory", mem, "NanoCpus", (json_int_t) (cpus * 1e9 + 0.5), "CgroupParent", "",
      "BlkioWeight", 0, "BlkioWeightDevice", "BlkioDeviceReadBps", "BlkioDeviceWriteBps",
      "BlkioDeviceReadIOps", "BlkioDeviceWriteIOps",
      "CpuPeriod", (json_int_t) (cpus > 0 ? 100000 : 0),
      "CpuQuota", (json_int_t) (cpus > 0 ? cpus * 100000 + 0.5 : 0),
      "CpuRealtimePeriod", 0, "CpuRealtimeRuntime", 0,
      "CpusetCpus", sval (res, "cpuset_cpus"), "CpusetMems", "",
      "Devices", devices_json (c), "DiskQuota", 0, "KernelMemory", 0, "MemoryReservation", 0,
      "MemorySwap", swap, "MemorySwappiness", 0, "OomKillDisable", 0,
      "PidsLimit", (json_int_t) (json_is_integer (pids) ? json_integer_value (pids) : 2048),
      "Ulimits", ulimits_json (c), "CpuCount", 0, "CpuPercent", 0, "IOMaximumIOps", 0,
      "IOMaximumBandwidth", 0, "CgroupConf", "Init", json_is_true (json_object_get (c, "init")));
}

/* UsernsMode and IDMappings (container/idmaps.h): "" and no IDMappings
   without a user namespace of the container's own, as in Podman.  */
static void
userns_json (json_t *c, json_t *o)
{
  json_t *ns = json_object_get (c, "userns");
  const char *mode = json_string_value (json_object_get (ns, "mode"));

  if (mode == NULL)
    return;
  json_object_set_new (o, "UsernsMode", json_string (mode));
  if (json_object_get (ns, "uid_map"))
    json_object_set_new (o, "IDMappings",
                         json_pack ("{s:O, s:O}", "UidMap", json_object_get (ns, "uid_map"),
                                    "GidMap", json_object_get (ns, "gid_map")));
}

static json_t *
hostconfig_json (struct ictx *x)
{
  json_t *o = hostconfig_head (x);

  json_object_update_new (o, hostconfig_tail (x->c));
  userns_json (x->c, o);
  return o;
}

/* ---- the whole object ------------------------------------------------------ */

static json_t *
paths_json (struct ictx *x)
{
  const char *rt = cstr (x->c, "runtime");
  const char *base = rt && strrchr (rt, '/') ? strrchr (rt, '/') + 1 : rt;

  return json_pack ("{s:o, s:o, s:o, s:s, s:o, s:s, s:o, s:o}",
                    "ResolvConfPath", json_sprintf ("%s/resolv.conf", x->dir),
                    "HostnamePath", json_sprintf ("%s/hostname", x->dir),
                    "HostsPath", json_sprintf ("%s/hosts", x->dir), "StaticDir", x->dir,
                    "OCIConfigPath", json_sprintf ("%s/config.json", x->dir),
                    "OCIRuntime", cstr (x->c, "runtime_name") ?: (base ? base : ""),
                    "ConmonPidFile", json_sprintf ("%s/%s", x->run, HUSK_MONITOR_PID),
                    "PidFile", json_sprintf ("%s/%s", x->run, HUSK_MONITOR_PIDFILE));
}

/* The image as the user named it at create (Podman's ImageName), else
   (containers made by an older husk) the image's first name.  */
static const char *
image_name (json_t *c)
{
  json_t *img = json_object_get (c, "image");
  const char *given = json_string_value (json_object_get (img, "given"));

  return given && *given ? given : sval (img, "name");
}

static json_t *
inspect_one (struct ictx *x, const struct husk_container_size *size)
{
  const struct husk_container_rec *r = x->r;
  cleanup_free char *created = husk_time_rfc3339nano (r->created / 1000000000, r->created % 1000000000);
  cleanup_strv char **execs = husk_container_exec_ids (x->e, r->id);
  struct husk_image_rec img = { 0 };
  json_t *args = json_array (), *o;
  const char *digest = NULL;

  json_array_extend (args, json_object_get (x->c, "entrypoint"));
  json_array_extend (args, json_object_get (x->c, "cmd"));
  if (husk_state_image_get (x->e->state, r->image_id, &img, NULL) == 0)
    digest = img.manifest_digest;
  o = json_pack ("{s:s, s:s, s:s, s:o, s:o, s:s, s:s, s:s, s:s, s:s}",
                 "Id", r->id, "Created", created,
                 "Path", json_string_value (json_array_get (args, 0)) ?: "",
                 "Args", json_array (), "State", state_json (x), "Image", r->image_id,
                 "ImageDigest", digest ? digest : "",
                 "ImageName", image_name (x->c),
                 "Rootfs", "", "Pod", sval (x->c, "pod"));
  husk_image_rec_release (&img);
  for (size_t i = 1; i < json_array_size (args); i++)
    json_array_append (json_object_get (o, "Args"), json_array_get (args, i));
  json_decref (args);
  json_object_update_new (o, paths_json (x));
  load_caps (x);
  json_object_update_new (o, json_pack (
      "{s:s, s:i, s:s, s:s, s:s, s:s, s:o, s:o, s:o, s:o}",
      "Name", r->name, "RestartCount", r->restart_count,
      "Driver", husk_store_driver_name (x->e->store), "MountLabel", "", "ProcessLabel", "",
      "AppArmorProfile", "", "EffectiveCaps", husk_strv_json (x->effective),
      "BoundingCaps", husk_strv_json (x->bounding), "ExecIDs", husk_strv_json (execs),
      "GraphDriver", graphdriver_json (x)));
  if (size)
    {
      json_object_set_new (o, "SizeRw", json_integer (size->rw));
      json_object_set_new (o, "SizeRootFs", json_integer (size->rootfs));
    }
  json_object_update_new (o, json_pack (
      "{s:o, s:o, s:o, s:s, s:b, s:b, s:o, s:o}", "Mounts", mounts_json (x->c),
      "Dependencies", dependencies_json (x->e, x->c), "NetworkSettings", network_json (x->e, x->r, x->c),
      "Namespace", "", "IsInfra", json_is_true (json_object_get (x->c, "pod_infra")), "IsService", 0, "Config", config_json (x->c),
      "HostConfig", hostconfig_json (x)));
  return o;
}

json_t *
husk_container_inspect (struct husk_engine *e, const struct husk_container_rec *r,
                        const struct husk_container_size *size)
{
  cleanup_free char *specpath = NULL, *spec = NULL;
  struct ictx x = { .e = e, .r = r };
  json_t *o;

  x.c = json_loads (r->config, 0, NULL);
  x.dir = husk_asprintf ("%s/containers/%s", e->root, r->id);
  x.run = husk_container_rundir (e, r->id);
  specpath = husk_asprintf ("%s/config.json", x.dir);
  spec = husk_read_file (specpath, NULL, NULL);
  x.spec = spec ? json_loads (spec, 0, NULL) : NULL;
  o = inspect_one (&x, size);
  json_decref (x.c);
  json_decref (x.spec);
  free (x.dir);
  free (x.run);
  husk_strv_free (x.bounding);
  husk_strv_free (x.effective);
  return o;
}
