/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Pods: planning, the row with its infra container, the members' view of
 * the shared namespaces, and the status (see pod.h and docs/design/pods.md).
 */
#include "pod/pod.h"
#include "container/ccfg-build.h"
#include "container/lifecycle.h"
#include "container/netbridge.h"
#include "events/events.h"
#include "husk-config.h"
#include "format/humanize.h"
#include "util/cleanup.h"
#include "util/fileutil.h"
#include "util/strutil.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The kinds --share knows, in the order inspect lists them.  */
static const char *const share_kinds[] = { "cgroup", "ipc", "net", "pid", "uts", NULL };

/* The request keys that are the infra's (its network and user namespace). */
static const char *const infra_keys[] = {
  "network", "networks", "publish", "expose", "ip", "ip6", "mac_address", "network_aliases",
  "dns", "dns_search", "dns_options", "add_hosts", "no_hosts", "userns", "uidmap", "gidmap",
  "subuidname", "subgidname", NULL,
};

char *
husk_pod_infra_image_name (void)
{
  return husk_asprintf ("localhost/husk-pause:%s", HUSK_VERSION);
}

static const char *
str (json_t *o, const char *key)
{
  return json_string_value (json_object_get (o, key));
}

/* A request value that is given: a string, true, or a non-empty array.  */
static bool
given (json_t *req, const char *key)
{
  json_t *v = json_object_get (req, key);

  return json_is_string (v) || json_is_true (v) || json_array_size (v) > 0;
}

/* --share: "none", a list, or "+list" added to the default.  */
static json_t *
parse_share (const char *s, husk_error_t *err)
{
  cleanup_strv char **parts = NULL;
  json_t *out = json_array ();
  bool add = s && s[0] == '+';

  if (s == NULL || add)
    for (size_t i = 0; i < 3; i++)
      json_array_append_new (out, json_string ((const char *[]){ "ipc", "net", "uts" }[i]));
  if (s == NULL || strcmp (s, "none") == 0 || *s == '\0')
    return out;
  parts = husk_strv_split (s + add, ',');
  for (size_t i = 0; parts[i]; i++)
    {
      const char *k = parts[i];
      bool known = husk_strv_contains ((char *const *) share_kinds, k);
      size_t j;
      json_t *v;
      bool have = false;

      if (!known)
        {
          json_decref (out);
          return husk_error_makex (err, EINVAL, "invalid kernel namespace to share: %s. "
                                   "Options are: cgroup, ipc, net, pid, uts or none", k),
                 NULL;
        }
      json_array_foreach (out, j, v)
        have = have || strcmp (json_string_value (v), k) == 0;
      if (!have)
        json_array_append_new (out, json_string (k));
    }
  /* In share_kinds' order, as inspect shows them.  */
  {
    json_t *sorted = json_array ();
    for (size_t i = 0; share_kinds[i]; i++)
      {
        size_t j;
        json_t *v;
        json_array_foreach (out, j, v)
          if (strcmp (json_string_value (v), share_kinds[i]) == 0)
            json_array_append_new (sorted, json_string (share_kinds[i]));
      }
    json_decref (out);
    return sorted;
  }
}

static bool
shares (json_t *config, const char *kind)
{
  size_t i;
  json_t *v;

  json_array_foreach (json_object_get (config, "share"), i, v)
    if (strcmp (json_string_value (v), kind) == 0)
      return true;
  return false;
}

/* "k=v" (or "k") strings, then the lines of the label files, to an object. */
static int
build_labels (json_t *req, json_t *labels, husk_error_t *err)
{
  size_t i;
  json_t *v;

  if (husk_ccfg_label_files (req, labels, err) < 0)
    return -1;
  json_array_foreach (json_object_get (req, "labels"), i, v)
    {
      cleanup_free char *kv = husk_xstrdup (json_string_value (v));
      char *eq = strchr (kv, '=');
      if (eq)
        *eq = '\0';
      if (*kv == '\0')
        return husk_error_makex (err, EINVAL, "invalid label \"%s\": no key",
                                 json_string_value (v));
      json_object_set_new (labels, kv, json_string (eq ? eq + 1 : ""));
    }
  return 0;
}

/* The flags of the infra container, as a create request.  */
static json_t *
infra_options (json_t *req)
{
  json_t *o = json_object ();

  for (size_t i = 0; infra_keys[i]; i++)
    if (json_object_get (req, infra_keys[i]))
      json_object_set (o, infra_keys[i], json_object_get (req, infra_keys[i]));
  return o;
}

json_t *
husk_pod_config_build (json_t *req, husk_error_t *err)
{
  cleanup_json json_t *c = json_object ();
  const char *policy = str (req, "exit_policy") ?: "continue";
  const char *given_share = str (req, "share");
  /* Podman: sharing nothing makes no infra, unless --infra asks for one. */
  bool shares_none = given_share && (*given_share == '\0' || strcmp (given_share, "none") == 0);
  bool infra = json_object_get (req, "infra") ? json_is_true (json_object_get (req, "infra"))
                                              : !shares_none;
  json_t *share, *labels = json_object ();

  json_object_set_new (c, "labels", labels);
  if (build_labels (req, labels, err) < 0)
    return NULL;
  if (strcmp (policy, "continue") && strcmp (policy, "stop"))
    return husk_error_makex (err, EINVAL, "invalid pod exit policy: \"%s\"", policy), NULL;
  if (!infra && given_share && !shares_none)
    return husk_error_makex (err, EINVAL, "you must have an infra container to share "
                             "namespaces"), NULL;
  if (!infra)
    for (size_t i = 0; infra_keys[i]; i++)
      if (given (req, infra_keys[i]))
        return husk_error_makex (err, EINVAL, "cannot set --%s without an infra container",
                                 infra_keys[i]), NULL;
  if (!infra && (str (req, "infra_image") || str (req, "infra_command")
                 || str (req, "infra_name")))
    return husk_error_makex (err, EINVAL, "cannot set infra options (--infra-image, "
                             "--infra-command, --infra-name) with --infra=false"), NULL;
  share = infra ? parse_share (str (req, "share"), err) : json_array ();
  if (share == NULL)
    return NULL;
  json_object_set_new (c, "share", share);
  if (!shares (c, "net") && (given (req, "publish") || given (req, "network")
                             || given (req, "networks")))
    return husk_error_makex (err, EINVAL, "you must share the network namespace "
                             "(--share net) to set the pod's network or publish ports"),
           NULL;
  if (!shares (c, "uts") && str (req, "hostname"))
    return husk_error_makex (err, EINVAL, "you must share the UTS namespace (--share uts) "
                             "to set the pod's hostname"), NULL;
  json_object_set_new (c, "hostname", json_string (str (req, "hostname") ?: ""));
  json_object_set_new (c, "exit_policy", json_string (policy));
  json_object_set_new (c, "infra", json_boolean (infra));
  json_object_set_new (c, "infra_name", json_string (str (req, "infra_name") ?: ""));
  json_object_set_new (c, "infra_image", json_string (str (req, "infra_image") ?: ""));
  json_object_set (c, "infra_command", json_object_get (req, "infra_command") ?: json_null ());
  json_object_set_new (c, "create_command",
                       json_deep_copy (json_object_get (req, "create_command")) ?: json_array ());
  json_object_set_new (c, "infra_options", infra_options (req));
  json_object_set_new (c, "volumes", json_deep_copy (json_object_get (req, "volumes"))
                                     ?: json_array ());
  return steal_ptr (&c);
}

/* The infra container's create request.  */
static json_t *
infra_request (json_t *config, const char *pod_id, const char *pod_name)
{
  json_t *r = json_deep_copy (json_object_get (config, "infra_options")) ?: json_object ();
  const char *name = str (config, "infra_name");
  json_t *cmd = json_object_get (config, "infra_command");

  json_object_set_new (r, "pod", json_string (pod_id));
  json_object_set_new (r, "pod_infra", json_true ());
  if (name && *name)
    json_object_set_new (r, "name", json_string (name));
  else
    json_object_set_new (r, "name", json_sprintf ("%.12s-infra", pod_id));
  /* The pod's hostname is the infra's (Podman: the pod's name by
     default); without a shared UTS namespace each keeps its own.  */
  if (shares (config, "uts"))
    json_object_set_new (r, "hostname", json_string (*str (config, "hostname")
                                                     ? str (config, "hostname") : pod_name));
  if (json_is_string (cmd))
    json_object_set_new (r, "entrypoint", json_pack ("[O]", cmd));
  /* Its process waits; an infra is never restarted by a policy.  */
  json_object_set_new (r, "passwd", json_false ());
  return r;
}

static char *
random_pod_name (const char *id)
{
  static const char *const adj[] = { "able", "bold", "cool", "dry", "epic", "fair", "glad",
                                     "hardy", "ideal", "jovial", "kind", "loyal", "mild" };
  static const char *const noun[] = { "bee", "cod", "doe", "elk", "fox", "gnu", "hen",
                                      "jay", "kea", "lynx", "mole", "owl", "ray" };
  char head[9];
  unsigned long v;

  snprintf (head, sizeof head, "%.8s", id);
  v = strtoul (head, NULL, 16);
  return husk_asprintf ("%s_%s", adj[v % 13], noun[(v / 13) % 13]);
}

static bool
valid_name (const char *n)
{
  if (!((n[0] >= 'a' && n[0] <= 'z') || (n[0] >= 'A' && n[0] <= 'Z') || (n[0] >= '0' && n[0] <= '9')))
    return false;
  for (const char *p = n; *p; p++)
    if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9')
          || *p == '_' || *p == '.' || *p == '-'))
      return false;
  return true;
}

/* The row, with a random name drawn again when it happens to be taken.  */
static int
add_row (struct husk_engine *e, struct husk_pod_rec *rec, bool named, husk_error_t *err)
{
  for (int tries = 0; husk_state_pod_add (e->state, rec, err) < 0; tries++)
    {
      cleanup_free char *salt = husk_random_hex (4);
      if ((*err)->code != EEXIST || named || tries > 50)
        return -1;
      husk_error_release (err);
      free (rec->name);
      rec->name = random_pod_name (salt);
    }
  return 0;
}

int
husk_pod_create (struct husk_engine *e, json_t *config, const char *name,
                 const char *infra_image_id, char **id_out, husk_error_t *err)
{
  cleanup_free char *id = husk_random_hex (32), *text = NULL, *infra_id = NULL;
  cleanup_json json_t *ireq = NULL;
  struct husk_pod_rec rec = { 0 };
  int ret = -1;

  if (name && *name && !valid_name (name))
    return husk_error_makex (err, EINVAL, "pod name \"%s\" is invalid: names must match "
                             "[a-zA-Z0-9][a-zA-Z0-9_.-]*", name);
  text = json_dumps (config, JSON_COMPACT);
  rec = (struct husk_pod_rec){ .id = husk_xstrdup (id),
                               .name = name && *name ? husk_xstrdup (name) : random_pod_name (id),
                               .created = husk_now_ns (), .config = husk_xstrdup (text),
                               .infra_id = husk_xstrdup ("") };
  if (add_row (e, &rec, name && *name, err) < 0)
    goto out;
  if (json_is_true (json_object_get (config, "infra")))
    {
      ireq = infra_request (config, id, rec.name);
      if (husk_container_create (e, infra_image_id, ireq, &infra_id, err) < 0)
        {
          husk_error_t rerr = NULL;
          husk_error_wrap (err, "creating the infra container of pod %s", rec.name);
          if (husk_state_pod_remove (e->state, id, &rerr) < 0)
            husk_error_drop_warn (&rerr, "pod create %s: roll back the row", id);
          goto out;
        }
      free (rec.infra_id);
      rec.infra_id = husk_xstrdup (infra_id);
      if (husk_state_pod_save (e->state, &rec, err) < 0)
        goto out;
    }
  husk_events_pod (e->state, "create", rec.id, rec.name);
  *id_out = steal_ptr (&id);
  ret = 0;
out:
  husk_pod_rec_release (&rec);
  return ret;
}

int
husk_pod_load (struct husk_engine *e, const char *ref, struct husk_pod_rec *out,
               husk_error_t *err)
{
  cleanup_free char *id = NULL;

  memset (out, 0, sizeof *out);
  if (husk_state_pod_lookup (e->state, ref, &id, err) < 0)
    return -1;
  return husk_state_pod_get (e->state, id, out, err);
}

int
husk_pod_members (struct husk_engine *e, const struct husk_pod_rec *p,
                  struct husk_container_rec **out, size_t *n, husk_error_t *err)
{
  struct husk_container_rec *rows = NULL;
  size_t len = 0, infra = (size_t) -1;

  if (husk_state_pod_containers (e->state, p->id, &rows, &len, err) < 0)
    return -1;
  for (size_t i = 0; i < len; i++)
    {
      struct husk_container_rec fresh = { 0 };
      /* Fold what the monitors recorded; a row that went meanwhile stays
         as read.  */
      if (husk_container_load (e, rows[i].id, &fresh, NULL) == 0)
        {
          husk_container_rec_release (&rows[i]);
          rows[i] = fresh;
        }
      if (strcmp (rows[i].id, p->infra_id) == 0)
        infra = i;
    }
  if (infra != (size_t) -1 && infra > 0)
    {
      struct husk_container_rec t = rows[infra];
      memmove (&rows[1], &rows[0], infra * sizeof *rows);
      rows[0] = t;
    }
  *out = rows;
  *n = len;
  return 0;
}

const char *
husk_pod_status (const struct husk_container_rec *m, size_t n)
{
  size_t running = 0, paused = 0, stopped = 0, created = 0, other = 0;

  if (n == 0)
    return "Created";
  for (size_t i = 0; i < n; i++)
    {
      const char *s = m[i].state;
      if (strcmp (s, "running") == 0 || strcmp (s, "stopping") == 0)
        running++;
      else if (strcmp (s, "paused") == 0)
        paused++;
      else if (strcmp (s, "exited") == 0)
        stopped++;
      else if (strcmp (s, "created") == 0 || strcmp (s, "initialized") == 0)
        created++;
      else
        other++;
    }
  if (running == n)
    return "Running";
  if (running > 0)
    return "Degraded";
  if (paused == n)
    return "Paused";
  if (stopped == n)
    return "Exited";
  if (stopped > 0)
    return "Stopped";
  if (other > 0)
    return "Error";
  return "Created";
}

/* Whether r's configuration can name a pod at all.  Every start and every
   cleanup asks, for containers that mostly have none: without the text
   "pod there is no such key, and the JSON need not be parsed.  */
static bool
names_pod (const struct husk_container_rec *r)
{
  return r->config && strstr (r->config, "\"pod") != NULL;
}

bool
husk_pod_is_infra (const struct husk_container_rec *r)
{
  cleanup_json json_t *c = names_pod (r) ? json_loads (r->config, 0, NULL) : NULL;

  return json_is_true (json_object_get (c, "pod_infra"));
}

char *
husk_pod_of (const struct husk_container_rec *r)
{
  cleanup_json json_t *c = names_pod (r) ? json_loads (r->config, 0, NULL) : NULL;
  const char *p = str (c, "pod");

  return p && *p ? husk_xstrdup (p) : NULL;
}

/* ---- members ------------------------------------------------------------ */

static int
refuse (husk_error_t *err, const char *what)
{
  return husk_error_makex (err, EINVAL, "invalid config provided: %s: network cannot be "
                           "configured when it is shared with a pod", what);
}

/* The flags that the pod's network namespace owns.  */
static int
check_net (json_t *req, husk_error_t *err)
{
  if (given (req, "publish") || given (req, "publish_all") || given (req, "expose"))
    return refuse (err, "published or exposed ports must be defined when the pod is created");
  if (given (req, "network") || given (req, "networks") || given (req, "network_aliases"))
    return refuse (err, "networks must be defined when the pod is created");
  if (given (req, "ip") || given (req, "ip6") || given (req, "mac_address"))
    return refuse (err, "static IP and MAC addresses must be defined when the pod is created");
  if (given (req, "dns") || given (req, "dns_search") || given (req, "dns_options"))
    return refuse (err, "DNS options must be defined when the pod is created");
  if (given (req, "add_hosts") || given (req, "no_hosts"))
    return refuse (err, "extra host entries must be specified on the pod");
  return 0;
}

/* Join the infra's user namespace, with its maps (the member's layer is
   owned as the infra's is) and, for keep-id, its user.  */
static int
join_userns (json_t *req, json_t *infra, const char *infra_id, husk_error_t *err)
{
  json_t *ns = json_object_get (infra, "userns");
  const char *mode = str (ns, "mode");

  if (ns == NULL)
    return 0;
  if (given (req, "userns") || given (req, "uidmap") || given (req, "gidmap")
      || given (req, "subuidname") || given (req, "subgidname"))
    return husk_error_makex (err, EINVAL, "cannot specify a new uid/gid map when entering a "
                             "pod with an infra container: invalid argument");
  json_object_set_new (req, "userns_from", json_pack ("{s:s++, s:O, s:O}", "mode",
                                                      "container:", infra_id, "",
                                                      "uid_map", json_object_get (ns, "uid_map"),
                                                      "gid_map", json_object_get (ns, "gid_map")));
  if (mode && husk_has_prefix (mode, "keep-id") && !given (req, "user"))
    {
      if (str (infra, "user") && *str (infra, "user"))
        json_object_set (req, "user", json_object_get (infra, "user"));
      if (str (infra, "passwd_entry") && *str (infra, "passwd_entry")
          && !given (req, "passwd_entry"))
        json_object_set (req, "passwd_entry", json_object_get (infra, "passwd_entry"));
    }
  return 0;
}

int
husk_pod_member_request (struct husk_engine *e, const struct husk_pod_rec *p, json_t *req,
                         husk_error_t *err)
{
  static const char *const kinds[][2] = { { "net", "network" }, { "ipc", "ipc" },
                                          { "pid", "pid" }, { "uts", "uts" },
                                          { "cgroup", "cgroupns" } };
  cleanup_json json_t *config = json_loads (p->config, 0, NULL);
  cleanup_json json_t *infra = NULL;
  cleanup_container_rec struct husk_container_rec ir = { 0 };
  json_t *vols = json_object_get (config, "volumes");

  json_object_set_new (req, "pod", json_string (p->id));
  if (json_array_size (vols))
    {
      json_t *mine = json_object_get (req, "volumes");
      json_t *all = json_deep_copy (vols);
      json_array_extend (all, json_is_array (mine) ? mine : NULL);
      json_object_set_new (req, "volumes", all);
    }
  if (p->infra_id == NULL || *p->infra_id == '\0')
    return 0;
  if (husk_state_container_get (e->state, p->infra_id, &ir, err) < 0)
    return husk_error_wrap (err, "the infra container of pod %s", p->name);
  infra = json_loads (ir.config, 0, NULL);
  if (shares (config, "net") && check_net (req, err) < 0)
    return -1;
  if (shares (config, "uts") && given (req, "hostname"))
    return husk_error_makex (err, EINVAL, "invalid config provided: cannot set hostname when "
                             "joining the pod UTS namespace: invalid configuration");
  for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
    {
      if (!shares (config, kinds[i][0]))
        continue;
      if (i > 0 && given (req, kinds[i][1]))
        return husk_error_makex (err, EINVAL, "invalid config provided: cannot set --%s "
                                 "when the pod shares its %s namespace: invalid "
                                 "configuration", kinds[i][1], kinds[i][0]);
      json_object_set_new (req, kinds[i][1], json_sprintf ("container:%s", p->infra_id));
    }
  json_object_del (req, "networks");
  /* The hostname the member sees is the pod's: its /etc/hostname too. */
  if (shares (config, "uts") && str (infra, "hostname"))
    json_object_set (req, "hostname", json_object_get (infra, "hostname"));
  return join_userns (req, infra, p->infra_id, err);
}

/* ---- inspect and list ----------------------------------------------------- */

static json_t *
port_bindings (json_t *c)
{
  json_t *out = json_object ();
  size_t i;
  json_t *p;

  json_array_foreach (json_object_get (c, "ports"), i, p)
    {
      cleanup_free char *key = husk_asprintf (
          "%lld/%s", (long long) json_integer_value (json_object_get (p, "container_port")),
          str (p, "protocol") ?: "tcp");
      const char *hip = str (p, "host_ip") ?: "";
      json_t *list = json_object_get (out, key);
      if (list == NULL)
        json_object_set_new (out, key, list = json_array ());
      json_array_append_new (list, json_pack (
          "{s:s, s:o}", "HostIp", strcmp (hip, "0.0.0.0") == 0 ? "" : hip, "HostPort",
          json_sprintf ("%lld", (long long) json_integer_value (json_object_get (p, "host_port")))));
    }
  return out;
}

/* The networks the infra is on: its bridge networks by name, else its
   mode ("pasta", "host", ...), as Podman lists them.  */
static json_t *
networks_of (json_t *c)
{
  json_t *out = json_array (), *n;
  size_t i;
  const char *mode = str (json_object_get (c, "namespaces"), "network");

  json_array_foreach (husk_container_networks (c), i, n)
    json_array_append (out, json_object_get (n, "name"));
  if (json_array_size (out) == 0 && mode && strcmp (mode, "bridge") != 0)
    json_array_append_new (out, json_string (mode));
  return out;
}

static json_t *
strings_or_null (json_t *a)
{
  return json_array_size (a) ? json_deep_copy (a) : json_null ();
}

static json_t *
infra_config (json_t *pc, json_t *ic)
{
  json_t *opts = json_object_get (pc, "infra_options");
  json_t *ns = json_object_get (ic, "namespaces");
  const char *net = str (ns, "network") ?: "";
  const char *userns = str (json_object_get (ic, "userns"), "mode");
  json_t *first = json_array_get (husk_container_networks (ic), 0);

  return json_pack (
      "{s:o, s:b, s:s, s:s, s:b, s:o, s:o, s:o, s:b, s:o, s:o, s:o, s:s, s:s, s:s}",
      "PortBindings", port_bindings (ic), "HostNetwork", strcmp (net, "host") == 0,
      "StaticIP", str (first, "ip") ?: "", "StaticMAC", str (first, "mac") ?: "",
      "NoManageResolvConf", false, "DNSServer", strings_or_null (json_object_get (opts, "dns")),
      "DNSSearch", strings_or_null (json_object_get (opts, "dns_search")),
      "DNSOption", strings_or_null (json_object_get (opts, "dns_options")),
      "NoManageHosts", json_is_true (json_object_get (opts, "no_hosts")),
      "HostAdd", strings_or_null (json_object_get (opts, "add_hosts")),
      "Networks", networks_of (ic), "NetworkOptions", json_null (),
      "pid_ns", str (ns, "pid") ?: "private", "userns", userns ?: "host",
      "uts_ns", str (ns, "uts") ?: "private");
}

json_t *
husk_pod_inspect (struct husk_engine *e, const struct husk_pod_rec *p,
                  const struct husk_container_rec *m, size_t n)
{
  cleanup_json json_t *pc = json_loads (p->config, 0, NULL);
  cleanup_free char *created = husk_time_rfc3339nano (p->created / 1000000000,
                                                      p->created % 1000000000);
  json_t *ctrs = json_array (), *o;
  cleanup_json json_t *ic = NULL;

  (void) e;
  for (size_t i = 0; i < n; i++)
    {
      json_array_append_new (ctrs, json_pack ("{s:s, s:s, s:s}", "Id", m[i].id, "Name",
                                              m[i].name, "State", m[i].state));
      if (strcmp (m[i].id, p->infra_id) == 0)
        ic = json_loads (m[i].config, 0, NULL);
    }
  o = json_pack ("{s:s, s:s, s:s, s:o, s:s, s:s, s:s, s:o, s:b, s:b, s:s}",
                 "Id", p->id, "Name", p->name, "Created", created,
                 "CreateCommand", json_deep_copy (json_object_get (pc, "create_command"))
                                  ?: json_array (),
                 "ExitPolicy", str (pc, "exit_policy") ?: "continue",
                 "State", husk_pod_status (m, n), "Hostname", str (pc, "hostname") ?: "",
                 "Labels", json_deep_copy (json_object_get (pc, "labels")) ?: json_object (),
                 "CreateCgroup", false, "CreateInfra",
                 json_is_true (json_object_get (pc, "infra")),
                 "InfraContainerID", p->infra_id);
  if (ic)
    json_object_set_new (o, "InfraConfig", infra_config (pc, ic));
  json_object_set (o, "SharedNamespaces", json_array_size (json_object_get (pc, "share"))
                                          ? json_object_get (pc, "share") : json_null ());
  json_object_set_new (o, "NumContainers", json_integer ((json_int_t) n));
  json_object_set_new (o, "Containers", ctrs);
  return o;
}

json_t *
husk_pod_list_entry (const struct husk_pod_rec *p, const struct husk_container_rec *m,
                     size_t n)
{
  cleanup_json json_t *pc = json_loads (p->config, 0, NULL);
  cleanup_free char *created = husk_time_rfc3339nano (p->created / 1000000000,
                                                      p->created % 1000000000);
  cleanup_json json_t *ic = NULL;
  json_t *ctrs = json_array ();

  for (size_t i = 0; i < n; i++)
    {
      json_array_append_new (ctrs, json_pack ("{s:s, s:s, s:s}", "Id", m[i].id, "Names",
                                              m[i].name, "Status", m[i].state));
      if (strcmp (m[i].id, p->infra_id) == 0)
        ic = json_loads (m[i].config, 0, NULL);
    }
  return json_pack ("{s:s, s:o, s:s, s:s, s:s, s:s, s:s, s:o, s:s, s:o}",
                    "Cgroup", "", "Containers", ctrs, "Created", created, "Id", p->id,
                    "InfraId", p->infra_id, "Name", p->name, "Namespace", "",
                    "Networks", ic ? networks_of (ic) : json_array (),
                    "Status", husk_pod_status (m, n),
                    "Labels", json_deep_copy (json_object_get (pc, "labels")) ?: json_object ());
}
