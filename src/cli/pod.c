/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The pod commands (docs/husk-pod.md): flags to a pod request, one
   husk_op_pod_* call per pod named, Podman 5's output.  */
#include "cli/cli.h"
#include "cli/container_ps.h"
#include "cli/output.h"
#include "container/parse.h"
#include "format/humanize.h"
#include "format/report.h"
#include "ops/container.h"
#include "ops/pod.h"
#include "util/cleanup.h"
#include "util/fileutil.h"
#include "util/strutil.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* ---- create ---------------------------------------------------------------- */

struct create_opts
{
  bool replace, no_hosts, infra, infra_given;
  char *name, *hostname, *share, *exit_policy, *infra_name, *infra_image, *infra_command;
  char *pod_id_file, *ip, *ip6, *mac_address, *userns, *subuidname, *subgidname;
  char **label, **label_file, **network, **publish, **network_alias, **dns, **dns_option;
  char **dns_search, **add_host, **uidmap, **gidmap, **volume;
};

#define O(field) offsetof (struct create_opts, field)
#define LIMITS "pod-level resource limits are not supported by husk yet: set them on each container"
static const struct cli_option create_options[] = {
  { "add-host", 0, OPT_STRV, O (add_host), "host:ip", "Add a custom host-to-IP mapping (host:ip)" },
  OPTION_REFUSED ("blkio-weight", 0, LIMITS),
  OPTION_REFUSED ("blkio-weight-device", 0, LIMITS),
  OPTION_REFUSED ("cgroup-parent", 0, "husk leaves the cgroup to the OCI runtime's default"),
  OPTION_REFUSED ("cpu-shares", 0, LIMITS),
  OPTION_REFUSED ("cpus", 0, LIMITS),
  OPTION_REFUSED ("cpuset-cpus", 0, LIMITS),
  OPTION_REFUSED ("cpuset-mems", 0, LIMITS),
  OPTION_REFUSED ("device", 0, "pod-level devices are not supported by husk yet: give --device to each container"),
  OPTION_REFUSED ("device-read-bps", 0, LIMITS),
  OPTION_REFUSED ("device-write-bps", 0, LIMITS),
  { "dns", 0, OPT_STRV, O (dns), "strings", "Set custom DNS servers" },
  { "dns-option", 0, OPT_STRV, O (dns_option), "strings", "Set custom DNS options" },
  { "dns-search", 0, OPT_STRV, O (dns_search), "strings", "Set custom DNS search domains" },
  { "exit-policy", 0, OPT_STRING, O (exit_policy), "string", "Behaviour when the last container exits (\"continue\"|\"stop\")" },
  { "gidmap", 0, OPT_STRV, O (gidmap), "container:host:size", "GID map to use for the user namespace" },
  OPTION_REFUSED ("gpus", 0, "GPU devices need the NVIDIA container toolkit (CDI), which husk does not support"),
  { "hostname", 0, OPT_STRING, O (hostname), "string", "Set the pod's hostname" },
  { "infra", 0, OPT_BOOL, O (infra), NULL, "Create an infra container associated with the pod to share namespaces with (default true)" },
  { "infra-command", 0, OPT_STRING, O (infra_command), "string", "The command to run on the infra container when the pod is started" },
  OPTION_REFUSED ("infra-conmon-pidfile", 0, "husk has no conmon: its monitor is husk-monitor"),
  { "infra-image", 0, OPT_STRING, O (infra_image), "string", "The image of the infra container to associate with the pod" },
  { "infra-name", 0, OPT_STRING, O (infra_name), "string", "The name used as infra container name" },
  { "ip", 0, OPT_STRING, O (ip), "string", "Specify a static IPv4 address for the pod" },
  { "ip6", 0, OPT_STRING, O (ip6), "string", "Specify a static IPv6 address for the pod" },
  { "label", 'l', OPT_STRV, O (label), "stringArray", "Set metadata on pod (default [])" },
  { "label-file", 0, OPT_STRV, O (label_file), "stringArray", "Read in a line delimited file of labels" },
  { "mac-address", 0, OPT_STRING, O (mac_address), "string", "Pod MAC address (e.g. 92:d0:c6:0a:29:33)" },
  OPTION_REFUSED ("memory", 'm', LIMITS),
  OPTION_REFUSED ("memory-swap", 0, LIMITS),
  { "name", 'n', OPT_STRING, O (name), "string", "Assign a name to the pod" },
  { "network", 0, OPT_STRV, O (network), "strings", "Connect the pod to networks (bridge, NAME, pasta[:OPTIONS], slirp4netns[:OPTIONS], none, host)" },
  { "net", 0, OPT_STRV, O (network), "strings", "Alias of --network" },
  { "network-alias", 0, OPT_STRV, O (network_alias), "strings", "Add network-scoped alias for the pod" },
  { "no-hosts", 0, OPT_BOOL, O (no_hosts), NULL, "Do not create /etc/hosts within the pod's containers, instead use the version from the image" },
  OPTION_REFUSED ("pid", 0, "the pod's PID namespace mode is not supported by husk yet (use --share +pid)"),
  { "pod-id-file", 0, OPT_STRING, O (pod_id_file), "string", "Write the pod ID to the file" },
  { "publish", 'p', OPT_STRV, O (publish), "strings", "Publish a container's port, or a range of ports, to the host" },
  { "replace", 0, OPT_BOOL, O (replace), NULL, "If a pod with the same name exists, replace it" },
  OPTION_REFUSED ("restart", 0, "pod restart policies are not supported by husk yet: give --restart to each container"),
  OPTION_REFUSED ("security-opt", 0, "pod-level security options are not supported by husk yet: give them to each container"),
  { "share", 0, OPT_STRING, O (share), "string", "A comma delimited list of kernel namespaces the pod will share (cgroup, ipc, net, pid, uts or none; +kind adds to the default ipc,net,uts)" },
  OPTION_REFUSED ("share-parent", 0, "husk does not make a pod cgroup for the containers to share"),
  OPTION_REFUSED ("shm-size", 0, "pod-level /dev/shm is not supported by husk yet: give --shm-size to each container"),
  OPTION_REFUSED ("shm-size-systemd", 0, "husk does not set up systemd containers"),
  { "subgidname", 0, OPT_STRING, O (subgidname), "string", "Name of range listed in /etc/subgid for use in user namespace" },
  { "subuidname", 0, OPT_STRING, O (subuidname), "string", "Name of range listed in /etc/subuid for use in user namespace" },
  OPTION_REFUSED ("sysctl", 0, "pod-level sysctls are not supported by husk yet: give --sysctl to each container"),
  { "uidmap", 0, OPT_STRV, O (uidmap), "container:host:size", "UID map to use for the user namespace" },
  { "userns", 0, OPT_STRING, O (userns), "string", "User namespace to use (host, keep-id[:uid=,gid=], nomap, auto[:size=], ns:PATH)" },
  OPTION_REFUSED ("uts", 0, "the pod's UTS namespace mode is not supported by husk yet"),
  { "volume", 'v', OPT_STRV, O (volume), "stringArray", "Bind mount a volume into the pod's containers" },
  OPTION_REFUSED ("volumes-from", 0, "husk does not copy another container's mounts yet"),
  OPTION_END,
};
#undef O

static json_t *
create_request (struct create_opts *o)
{
  json_t *r = json_object ();

#define S(key, val) if (val) json_object_set_new (r, key, json_string (val))
#define A(key, val) if (val) json_object_set_new (r, key, husk_strv_json (val))
  S ("name", o->name); S ("hostname", o->hostname); S ("share", o->share);
  S ("exit_policy", o->exit_policy); S ("infra_name", o->infra_name);
  S ("infra_image", o->infra_image); S ("infra_command", o->infra_command);
  S ("ip", o->ip); S ("ip6", o->ip6); S ("mac_address", o->mac_address);
  S ("userns", o->userns); S ("subuidname", o->subuidname); S ("subgidname", o->subgidname);
  A ("labels", o->label); A ("label_file", o->label_file); A ("publish", o->publish);
  A ("network_aliases", o->network_alias); A ("dns", o->dns); A ("dns_options", o->dns_option);
  A ("dns_search", o->dns_search); A ("add_hosts", o->add_host); A ("uidmap", o->uidmap);
  A ("gidmap", o->gidmap); A ("volumes", o->volume);
  if (o->network)
    S ("network", o->network[0]);
  if (husk_strv_len (o->network) > 1)
    A ("networks", o->network);
  if (o->no_hosts)
    json_object_set_new (r, "no_hosts", json_true ());
  if (o->infra_given)
    json_object_set_new (r, "infra", json_boolean (o->infra));
  json_object_set_new (r, "create_command", cli_command_line ());
#undef S
#undef A
  return r;
}

/* Whether --infra was given at all: without it, a pod that shares
   nothing gets no infra container (Podman).  */
static bool
infra_given (int argc, char **argv)
{
  for (int i = 1; i < argc && strcmp (argv[i], "--") != 0; i++)
    if (strcmp (argv[i], "--infra") == 0 || strncmp (argv[i], "--infra=", 8) == 0)
      return true;
  return false;
}

static int
cmd_pod_create (struct cli_ctx *ctx, int argc, char **argv)
{
  struct create_opts o = { .infra = true };
  cleanup_json json_t *req = NULL;
  cleanup_free char *id = NULL;

  o.infra_given = infra_given (argc, argv);
  PARSE (create_options, o, "[options] [NAME]", true);
  if (husk_strv_len (args) > 1)
    return cli_usage_error (ctx, "accepts at most 1 arg(s), received %zu",
                            husk_strv_len (args)), cli_fail (ctx);
  if (args[0] && o.name)
    return husk_error_makex (&ctx->err, EINVAL, "cannot specify --name and NAME at the same "
                             "time"), cli_fail (ctx);
  if (args[0])
    o.name = husk_xstrdup (args[0]);
  req = create_request (&o);
  if (husk_op_pod_create (ctx->engine, req, &(struct husk_pod_create_opts){
                            .replace = o.replace, .pod_id_file = o.pod_id_file }, &id,
                          &ctx->err) < 0)
    return cli_fail (ctx);
  puts (id);
  return 0;
}

/* ---- the lifecycle verbs ------------------------------------------------------ */

struct ctl_opts
{
  bool all, latest, force, ignore;
  long time;
  char *signal;
  char **pod_id_file;
};

/* The pods to act on: the arguments, the --pod-id-file files, or all
   (newest first, for --latest the newest only).  */
static char **
targets (struct cli_ctx *ctx, struct ctl_opts *o, char **args)
{
  cleanup_strv char **out = husk_strv_dup (args) ?: husk_xzalloc (sizeof (char *));

  for (size_t i = 0; o->pod_id_file && o->pod_id_file[i]; i++)
    {
      husk_error_t rerr = NULL;
      cleanup_free char *text = husk_read_file (o->pod_id_file[i], NULL, &rerr);
      if (text == NULL)
        {
          int code = rerr->code;
          husk_error_release (&rerr);
          if (o->ignore && code == ENOENT)
            continue;
          husk_error_makex (&ctx->err, code, "reading pod ID file: open %s: %s",
                            o->pod_id_file[i], strerror (code));
          return NULL;
        }
      text[strcspn (text, "\n")] = '\0';
      husk_strv_append (&out, text);
    }
  if ((o->all || o->latest) && out[0])
    return husk_error_makex (&ctx->err, EINVAL, "when using the --all or --latest flag, no "
                             "pods can be given: invalid argument"), NULL;
  if (o->all || o->latest)
    {
      cleanup_json json_t *list = husk_op_pod_list (ctx->engine, &ctx->err);
      size_t i;
      json_t *p;
      if (list == NULL)
        return NULL;
      json_array_foreach (list, i, p)
        if (o->all || i == 0)
          husk_strv_append (&out, json_string_value (json_object_get (p, "Id")));
    }
  else if (out[0] == NULL && !o->pod_id_file)
    return cli_usage_error (ctx, "you must provide at least one name or id"), NULL;
  return steal_ptr (&out);
}

enum verb
{
  V_START, V_STOP, V_KILL, V_PAUSE, V_UNPAUSE, V_RESTART, V_RM,
};

static int
act (struct cli_ctx *ctx, enum verb v, const struct ctl_opts *o, int sig, const char *ref)
{
  struct husk_engine *e = ctx->engine;

  switch (v)
    {
    case V_START:
      return husk_op_pod_start (e, ref, &ctx->err);
    case V_STOP:
      return husk_op_pod_stop (e, ref, (int) o->time, &ctx->err);
    case V_KILL:
      return husk_op_pod_kill (e, ref, sig, &ctx->err);
    case V_PAUSE:
      return husk_op_pod_pause (e, ref, &ctx->err);
    case V_UNPAUSE:
      return husk_op_pod_unpause (e, ref, &ctx->err);
    case V_RESTART:
      return husk_op_pod_restart (e, ref, &ctx->err);
    case V_RM:
      return husk_op_pod_remove (e, ref, o->force, (int) o->time, &ctx->err);
    }
  return -1;
}

/* One call per pod; the pod's full ID printed for each that worked, an
   error line for each that did not (exit 125).  */
static int
run_verb (struct cli_ctx *ctx, enum verb v, struct ctl_opts *o, char **args)
{
  cleanup_strv char **list = targets (ctx, o, args);
  int status = 0, sig = SIGKILL;

  if (list == NULL)
    return cli_fail (ctx);
  if (v == V_KILL && o->signal && husk_parse_signal (o->signal, &sig, &ctx->err) < 0)
    return cli_fail (ctx);
  for (size_t i = 0; list[i]; i++)
    {
      cleanup_free char *id = NULL;
      if (husk_op_pod_resolve (ctx->engine, list[i], &id, &ctx->err) < 0)
        {
          if (o->ignore && ctx->err->code == ENOENT)
            {
              husk_error_release (&ctx->err);
              continue;
            }
          status = cli_fail (ctx);
          continue;
        }
      if (act (ctx, v, o, sig, id) < 0)
        {
          status = cli_fail (ctx);
          continue;
        }
      puts (id);
    }
  return status;
}

#define C(field) offsetof (struct ctl_opts, field)
#define ALL(what) { "all", 'a', OPT_BOOL, C (all), NULL, what }
#define LATEST { "latest", 'l', OPT_BOOL, C (latest), NULL, "Act on the latest pod husk is aware of" }
#define IDFILE { "pod-id-file", 0, OPT_STRV, C (pod_id_file), "stringArray", "Read the pod ID from the file" }

static int
cmd_pod_start (struct cli_ctx *ctx, int argc, char **argv)
{
  static const struct cli_option opts[] = {
    ALL ("Start all pods"), LATEST, IDFILE, OPTION_END,
  };
  struct ctl_opts o = { 0 };

  PARSE (opts, o, "[options] POD [POD...]", true);
  return run_verb (ctx, V_START, &o, args);
}

static int
cmd_pod_stop (struct cli_ctx *ctx, int argc, char **argv)
{
  static const struct cli_option opts[] = {
    ALL ("Stop all running pods"),
    { "ignore", 'i', OPT_BOOL, C (ignore), NULL, "Ignore errors when a specified pod is missing" },
    LATEST, IDFILE,
    { "time", 't', OPT_INT, C (time), "int", "Seconds to wait for pod stop before killing the container" },
    OPTION_END,
  };
  struct ctl_opts o = { .time = -1 };

  PARSE (opts, o, "[options] POD [POD...]", true);
  return run_verb (ctx, V_STOP, &o, args);
}

static int
cmd_pod_kill (struct cli_ctx *ctx, int argc, char **argv)
{
  static const struct cli_option opts[] = {
    ALL ("Kill all containers in all pods"), LATEST,
    { "signal", 's', OPT_STRING, C (signal), "string", "Signal to send to the containers in the pod (default \"KILL\")" },
    OPTION_END,
  };
  struct ctl_opts o = { 0 };

  PARSE (opts, o, "[options] POD [POD...]", true);
  return run_verb (ctx, V_KILL, &o, args);
}

static int
cmd_pod_pause (struct cli_ctx *ctx, int argc, char **argv)
{
  static const struct cli_option opts[] = { ALL ("Pause all running pods"), LATEST, OPTION_END };
  struct ctl_opts o = { 0 };

  PARSE (opts, o, "[options] POD [POD...]", true);
  return run_verb (ctx, V_PAUSE, &o, args);
}

static int
cmd_pod_unpause (struct cli_ctx *ctx, int argc, char **argv)
{
  static const struct cli_option opts[] = { ALL ("Unpause all paused pods"), LATEST, OPTION_END };
  struct ctl_opts o = { 0 };

  PARSE (opts, o, "[options] POD [POD...]", true);
  return run_verb (ctx, V_UNPAUSE, &o, args);
}

static int
cmd_pod_restart (struct cli_ctx *ctx, int argc, char **argv)
{
  static const struct cli_option opts[] = { ALL ("Restart all running pods"), LATEST, OPTION_END };
  struct ctl_opts o = { 0 };

  PARSE (opts, o, "[options] POD [POD...]", true);
  return run_verb (ctx, V_RESTART, &o, args);
}

static int
cmd_pod_rm (struct cli_ctx *ctx, int argc, char **argv)
{
  static const struct cli_option opts[] = {
    ALL ("Remove all running pods"),
    { "force", 'f', OPT_BOOL, C (force), NULL, "Force removal of a running pod by first stopping all containers, then removing all containers in the pod" },
    { "ignore", 'i', OPT_BOOL, C (ignore), NULL, "Ignore errors when a specified pod is missing" },
    LATEST, IDFILE,
    { "time", 't', OPT_INT, C (time), "int", "Seconds to wait for pod stop before killing the container" },
    OPTION_END,
  };
  struct ctl_opts o = { .time = -1 };

  PARSE (opts, o, "[options] POD [POD...]", true);
  return run_verb (ctx, V_RM, &o, args);
}

static int
cmd_pod_exists (struct cli_ctx *ctx, int argc, char **argv)
{
  static const struct cli_option opts[] = { OPTION_END };
  struct ctl_opts o = { 0 };
  cleanup_free char *id = NULL;

  PARSE (opts, o, "POD", true);
  if (husk_strv_len (args) != 1)
    return cli_usage_error (ctx, "accepts 1 arg(s), received %zu", husk_strv_len (args)),
           cli_fail (ctx);
  return cli_exists_status (ctx, husk_op_pod_resolve (ctx->engine, args[0], &id, &ctx->err));
}

/* ---- inspect, ps, prune, top ----------------------------------------------------- */

struct list_opts
{
  bool latest, quiet, no_trunc, noheading, ctr_ids, ctr_names, ctr_status, ns, force;
  char *format, *sort;
  char **filter;
};

#define L(field) offsetof (struct list_opts, field)

static int
cmd_pod_inspect (struct cli_ctx *ctx, int argc, char **argv)
{
  static const struct cli_option opts[] = {
    { "format", 'f', OPT_STRING, L (format), "string", "Format the output to a Go template or json" },
    { "latest", 'l', OPT_BOOL, L (latest), NULL, "Act on the latest pod husk is aware of" },
    OPTION_END,
  };
  struct list_opts o = { 0 };
  cleanup_json json_t *all = json_array ();
  cleanup_strv char **names = NULL;
  int status = 0;

  PARSE (opts, o, "[options] POD [POD...]", true);
  names = husk_strv_dup (args) ?: husk_xzalloc (sizeof (char *));
  if (o.latest)
    {
      cleanup_json json_t *list = husk_op_pod_list (ctx->engine, &ctx->err);
      if (list == NULL)
        return cli_fail (ctx);
      if (json_array_size (list))
        husk_strv_append (&names, json_string_value (json_object_get (json_array_get (list, 0), "Id")));
    }
  if (names[0] == NULL)
    return cli_usage_error (ctx, "you must provide at least one name or id"), cli_fail (ctx);
  for (size_t i = 0; names[i]; i++)
    {
      json_t *j = husk_op_pod_inspect (ctx->engine, names[i], &ctx->err);
      if (j == NULL)
        {
          status = cli_fail (ctx);
          continue;
        }
      json_array_append_new (all, j);
    }
  if (json_array_size (all) && cli_print_inspect (ctx, o.format, all) < 0)
    return cli_fail (ctx);
  return status;
}

static char *
joined (json_t *ctrs, const char *key, bool trunc)
{
  cleanup_strv char **v = NULL;
  size_t i;
  json_t *c;

  json_array_foreach (ctrs, i, c)
    {
      const char *s = json_string_value (json_object_get (c, key)) ?: "";
      cleanup_free char *t = trunc ? husk_xstrndup (s, 12) : husk_xstrdup (s);
      husk_strv_append (&v, t);
    }
  return v ? husk_strv_join (v, ",") : husk_xstrdup ("");
}

/* The fields of a template row, Podman's ListPodReporter.  */
static json_t *
pod_row (json_t *p, bool no_trunc)
{
  const char *id = json_string_value (json_object_get (p, "Id"));
  const char *infra = json_string_value (json_object_get (p, "InfraId"));
  json_t *ctrs = json_object_get (p, "Containers");
  cleanup_free char *ids = joined (ctrs, "Id", !no_trunc), *names = joined (ctrs, "Names", false);
  cleanup_free char *statuses = joined (ctrs, "Status", false);
  cleanup_free char *nets = NULL;
  cleanup_strv char **netv = NULL;
  struct tm tm = { 0 };
  const char *created = json_string_value (json_object_get (p, "Created"));
  cleanup_free char *ago = NULL;
  size_t i;
  json_t *n;

  json_array_foreach (json_object_get (p, "Networks"), i, n)
    husk_strv_append (&netv, json_string_value (n));
  nets = netv ? husk_strv_join (netv, ",") : husk_xstrdup ("");
  if (created && strptime (created, "%Y-%m-%dT%H:%M:%S", &tm))
    ago = husk_human_duration_ago (time (NULL) - timegm (&tm));
  return json_pack ("{s:s%, s:O, s:O, s:s, s:s, s:s%, s:I, s:O, s:s, s:s, s:s, s:s, s:s, s:s}",
                    "ID", id, no_trunc ? strlen (id) : (size_t) 12,
                    "Name", json_object_get (p, "Name"), "Status", json_object_get (p, "Status"),
                    "Created", ago ? ago : "", "CreatedAt", created ? created : "",
                    "InfraID", infra, no_trunc ? strlen (infra) : (strlen (infra) < 12 ? strlen (infra) : (size_t) 12),
                    "NumberOfContainers", (json_int_t) json_array_size (ctrs),
                    "Labels", json_object_get (p, "Labels"), "Networks", nets,
                    "ContainerIds", ids, "ContainerNames", names, "ContainerStatuses", statuses,
                    "Cgroup", "", "Namespace", "");
}

static bool
any_ctr (json_t *p, const char *key, const char *v, bool regex)
{
  size_t i;
  json_t *c;

  json_array_foreach (json_object_get (p, "Containers"), i, c)
    {
      const char *s = json_string_value (json_object_get (c, key)) ?: "";
      if (regex ? husk_match_regex (s, v) : (strcmp (s, v) == 0 || husk_has_prefix (s, v)))
        return true;
    }
  return false;
}

static bool
label_match (json_t *labels, const char *v)
{
  const char *eq = strchr (v, '=');
  cleanup_free char *k = eq ? husk_xstrndup (v, eq - v) : husk_xstrdup (v);
  const char *have = json_string_value (json_object_get (labels, k));

  return have && (eq == NULL || strcmp (have, eq + 1) == 0);
}

/* One --filter against a pod.  Return: 1 match, 0 not, -1 bad filter. */
static int
filter_one (struct cli_ctx *ctx, json_t *p, const char *f)
{
  const char *eq = strchr (f, '=');
  cleanup_free char *k = eq ? husk_xstrndup (f, eq - f) : NULL, *low = NULL;
  const char *v = eq ? eq + 1 : "";
  const char *status = json_string_value (json_object_get (p, "Status"));

  if (k == NULL)
    return husk_error_makex (&ctx->err, EINVAL, "invalid filter \"%s\"", f);
  if (strcmp (k, "id") == 0)
    {
      const char *id = json_string_value (json_object_get (p, "Id"));
      return husk_has_prefix (id, v) || husk_match_regex (id, v);
    }
  if (strcmp (k, "name") == 0)
    return husk_match_regex (json_string_value (json_object_get (p, "Name")), v);
  if (strcmp (k, "label") == 0)
    return label_match (json_object_get (p, "Labels"), v);
  if (strcmp (k, "status") == 0)
    {
      static const char *const ok[] = { "stopped", "running", "paused", "exited", "dead",
                                         "created", "degraded", "error", NULL };
      if (!husk_strv_contains ((char *const *) ok, v))
        return husk_error_makex (&ctx->err, EINVAL, "%s is not a valid status", v);
      low = husk_xstrdup (status);
      for (char *c = low; *c; c++)
        *c = (char) (*c >= 'A' && *c <= 'Z' ? *c + 32 : *c);
      return strcmp (low, v) == 0;
    }
  if (strcmp (k, "ctr-names") == 0)
    return any_ctr (p, "Names", v, true);
  if (strcmp (k, "ctr-ids") == 0)
    return any_ctr (p, "Id", v, false);
  if (strcmp (k, "ctr-status") == 0)
    return any_ctr (p, "Status", v, false);
  if (strcmp (k, "ctr-number") == 0)
    return (long) json_array_size (json_object_get (p, "Containers")) == atol (v);
  if (strcmp (k, "network") == 0)
    {
      size_t i;
      json_t *n;
      json_array_foreach (json_object_get (p, "Networks"), i, n)
        if (strcmp (json_string_value (n), v) == 0)
          return 1;
      return 0;
    }
  return husk_error_makex (&ctx->err, EINVAL, "%s is an invalid filter", k);
}

/* Filters with one key: any; different keys: all (as Podman).  */
static int
filter_pod (struct cli_ctx *ctx, json_t *p, char **filters)
{
  for (size_t i = 0; filters && filters[i]; i++)
    {
      size_t klen = strcspn (filters[i], "=");
      bool seen = false, any = false;
      for (size_t j = 0; j < i; j++)
        seen = seen || (strncmp (filters[j], filters[i], klen + 1) == 0);
      if (seen)
        continue;
      for (size_t j = i; filters[j]; j++)
        if (strncmp (filters[j], filters[i], klen + 1) == 0)
          {
            int r = filter_one (ctx, p, filters[j]);
            if (r < 0)
              return -1;
            any = any || r;
          }
      if (!any)
        return 0;
    }
  return 1;
}

/* The value of a pod's --sort key, as a string.  */
static const char *
sort_field (json_t *p, const char *key)
{
  const char *field = strcmp (key, "id") == 0 ? "Id"
                      : strcmp (key, "name") == 0 ? "Name"
                      : strcmp (key, "created") == 0 ? "Created" : "Status";

  return json_string_value (json_object_get (p, field)) ?: "";
}

static int
cmp_pods (const void *a, const void *b, void *data)
{
  json_t *x = *(json_t *const *) a, *y = *(json_t *const *) b;
  const char *key = data;

  if (strcmp (key, "number") == 0)
    return (int) json_array_size (json_object_get (x, "Containers"))
           - (int) json_array_size (json_object_get (y, "Containers"));
  /* Newest first, as the listing is.  */
  if (strcmp (key, "created") == 0)
    return -strcmp (sort_field (x, key), sort_field (y, key));
  return strcmp (sort_field (x, key), sort_field (y, key));
}

static int
sort_pods (struct cli_ctx *ctx, json_t *list, const char *key)
{
  static const char *const keys[] = { "created", "id", "name", "number", "status", NULL };
  size_t n = json_array_size (list);
  cleanup_free json_t **v = NULL;

  if (key == NULL)
    return 0;
  if (!husk_strv_contains ((char *const *) keys, key))
    return husk_error_makex (&ctx->err, EINVAL, "invalid option for --sort, options are: "
                             "created, id, name, number, or status");
  v = husk_xzalloc ((n + 1) * sizeof *v);
  for (size_t i = 0; i < n; i++)
    v[i] = json_incref (json_array_get (list, i));
  qsort_r (v, n, sizeof *v, cmp_pods, (void *) key);
  json_array_clear (list);
  for (size_t i = 0; i < n; i++)
    json_array_append_new (list, v[i]);
  return 0;
}

static int
cmd_pod_ps (struct cli_ctx *ctx, int argc, char **argv)
{
  static const struct cli_option opts[] = {
    { "ctr-ids", 0, OPT_BOOL, L (ctr_ids), NULL, "Display the container UUIDs. If no-trunc is not set they will be truncated" },
    { "ctr-names", 0, OPT_BOOL, L (ctr_names), NULL, "Display the container names" },
    { "ctr-status", 0, OPT_BOOL, L (ctr_status), NULL, "Display the container status" },
    { "filter", 'f', OPT_STRV, L (filter), "stringArray", "Filter output based on conditions given" },
    { "format", 0, OPT_STRING, L (format), "string", "Pretty-print pods to JSON or using a Go template" },
    { "latest", 'l', OPT_BOOL, L (latest), NULL, "Act on the latest pod husk is aware of" },
    { "no-trunc", 0, OPT_BOOL, L (no_trunc), NULL, "Do not truncate pod and container IDs" },
    { "noheading", 0, OPT_BOOL, L (noheading), NULL, "Do not print headers" },
    OPTION_REFUSED ("ns", 0, "namespace columns of pod ps are not supported by husk yet (pod inspect shows SharedNamespaces)"),
    { "quiet", 'q', OPT_BOOL, L (quiet), NULL, "Print the numeric IDs of the pods only" },
    { "sort", 0, OPT_STRING, L (sort), "string", "Sort output by created, id, name, or number" },
    OPTION_END,
  };
  struct list_opts o = { 0 };
  cleanup_json json_t *list = NULL, *kept = json_array (), *rows = json_array ();
  cleanup_json json_t *headers = NULL;
  struct husk_buf table = HUSK_BUF_INIT;
  size_t i;
  json_t *p;
  int r;

  PARSE (opts, o, "[options]", true);
  if (args[0])
    return cli_usage_error (ctx, "`%s` takes no arguments", ctx->cmd_path), cli_fail (ctx);
  if ((list = husk_op_pod_list (ctx->engine, &ctx->err)) == NULL)
    return cli_fail (ctx);
  json_array_foreach (list, i, p)
    {
      int m = filter_pod (ctx, p, o.filter);
      if (m < 0)
        return cli_fail (ctx);
      if (m && (!o.latest || json_array_size (kept) == 0))
        json_array_append (kept, p);
    }
  if (sort_pods (ctx, kept, o.sort) < 0)
    return cli_fail (ctx);
  json_array_foreach (kept, i, p)
    json_array_append_new (rows, pod_row (p, o.no_trunc));
  if (o.quiet && o.format == NULL)
    {
      json_array_foreach (rows, i, p)
        puts (json_string_value (json_object_get (p, "ID")));
      return 0;
    }
  headers = json_pack ("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}",
                       "ID", "POD ID", "Name", "NAME", "Status", "STATUS", "Created", "CREATED",
                       "InfraID", "INFRA ID", "NumberOfContainers", "# OF CONTAINERS",
                       "ContainerIds", "IDS", "ContainerNames", "NAMES", "ContainerStatuses",
                       "STATUS", "Labels", "LABELS", "Networks", "NETWORKS", "CreatedAt",
                       "CREATED AT");
  husk_buf_puts (&table, "table {{.ID}}\t{{.Name}}\t{{.Status}}\t{{.Created}}\t{{.InfraID}}");
  if (o.ctr_ids)
    husk_buf_puts (&table, "\t{{.ContainerIds}}");
  if (o.ctr_names)
    husk_buf_puts (&table, "\t{{.ContainerNames}}");
  if (o.ctr_status)
    husk_buf_puts (&table, "\t{{.ContainerStatuses}}");
  husk_buf_puts (&table, "\t{{.NumberOfContainers}}");
  r = cli_print_list (ctx, o.format, table.data, headers, rows, kept, o.noheading);
  husk_buf_release (&table);
  return r < 0 ? cli_fail (ctx) : 0;
}

static int
cmd_pod_prune (struct cli_ctx *ctx, int argc, char **argv)
{
  static const struct cli_option opts[] = {
    { "force", 'f', OPT_BOOL, L (force), NULL, "Do not prompt for confirmation.  The default is false" },
    OPTION_END,
  };
  struct list_opts o = { 0 };
  cleanup_strv char **removed = NULL;
  int r;

  PARSE (opts, o, "[options]", true);
  if (args[0])
    return cli_usage_error (ctx, "`%s` takes no arguments", ctx->cmd_path), cli_fail (ctx);
  if (!o.force && !cli_confirm ("This will remove all stopped/exited pods..\nAre you sure you "
                                "want to continue? [y/N] "))
    return 0;
  r = husk_op_pod_prune (ctx->engine, &removed, &ctx->err);
  for (size_t i = 0; removed && removed[i]; i++)
    puts (removed[i]);
  return r < 0 ? cli_fail (ctx) : 0;
}

static int
cmd_pod_top (struct cli_ctx *ctx, int argc, char **argv)
{
  static const struct cli_option opts[] = {
    { "latest", 'l', OPT_BOOL, L (latest), NULL, "Act on the latest pod husk is aware of" },
    OPTION_END,
  };
  struct list_opts o = { 0 };
  cleanup_json json_t *t = NULL;

  PARSE (opts, o, "[options] POD [FORMAT-DESCRIPTORS|ARGS...]", false);
  if (args[0] == NULL)
    return cli_usage_error (ctx, "you must provide the name or id of a running pod"),
           cli_fail (ctx);
  if ((t = husk_op_pod_top (ctx->engine, args[0], args + 1, &ctx->err)) == NULL)
    return cli_fail (ctx);
  cli_print_top (t);
  return 0;
}

/* ---- logs -------------------------------------------------------------------- */

struct logs_opts
{
  bool color, follow, latest, names, timestamps;
  char *container, *since, *tail, *until;
};

/* The logs of the pod's containers (the infra, which writes nothing,
   left out), or of the one --container names, as `husk logs` prints
   several: each line prefixed by its container's ID (with --names, its
   name).  */
static int
cmd_pod_logs (struct cli_ctx *ctx, int argc, char **argv)
{
  static const struct cli_option opts[] = {
    { "color", 0, OPT_BOOL, offsetof (struct logs_opts, color), NULL, "Output the containers with different colors in the log" },
    { "container", 'c', OPT_STRING, offsetof (struct logs_opts, container), "string", "Filter logs by container name or id which belongs to pod" },
    { "follow", 'f', OPT_BOOL, offsetof (struct logs_opts, follow), NULL, "Follow log output" },
    { "latest", 'l', OPT_BOOL, offsetof (struct logs_opts, latest), NULL, "Act on the latest pod husk is aware of" },
    { "names", 'n', OPT_BOOL, offsetof (struct logs_opts, names), NULL, "Output container names instead of container IDs in the log" },
    { "since", 0, OPT_STRING, offsetof (struct logs_opts, since), "string", "Show logs since TIMESTAMP" },
    { "tail", 0, OPT_STRING, offsetof (struct logs_opts, tail), "int", "Output the specified number of LINES at the end of the logs" },
    { "timestamps", 't', OPT_BOOL, offsetof (struct logs_opts, timestamps), NULL, "Output the timestamps in the log" },
    { "until", 0, OPT_STRING, offsetof (struct logs_opts, until), "string", "Show logs until TIMESTAMP" },
    OPTION_END,
  };
  struct logs_opts o = { 0 };
  cleanup_strv char **ids = NULL, **names = NULL, **av = NULL;
  cleanup_free char *pod = NULL, *ctr = NULL, *infra = NULL;
  cleanup_json json_t *list = NULL;
  size_t shown = 0;

  PARSE (opts, o, "[options] POD", true);
  if (o.latest && args[0] == NULL)
    {
      if ((list = husk_op_pod_list (ctx->engine, &ctx->err)) == NULL)
        return cli_fail (ctx);
      if (json_array_size (list))
        pod = husk_xstrdup (json_string_value (json_object_get (json_array_get (list, 0), "Id")));
    }
  else if (husk_strv_len (args) == 1 && !o.latest)
    pod = husk_xstrdup (args[0]);
  if (pod == NULL)
    return cli_usage_error (ctx, "specify one pod name or ID, or --latest"), cli_fail (ctx);
  if (husk_op_pod_containers (ctx->engine, pod, &ids, &names, &ctx->err) < 0)
    return cli_fail (ctx);
  {
    cleanup_json json_t *pi = husk_op_pod_inspect (ctx->engine, pod, &ctx->err);
    if (pi == NULL)
      return cli_fail (ctx);
    infra = husk_xstrdup (json_string_value (json_object_get (pi, "InfraContainerID")) ?: "");
  }
  if (o.container && husk_op_container_resolve (ctx->engine, o.container, &ctr, &ctx->err) < 0)
    return cli_fail (ctx);
  if (ctr && !husk_strv_contains (ids, ctr))
    return husk_error_makex (&ctx->err, EINVAL, "container %s is not in pod %s", o.container,
                             pod), cli_fail (ctx);
  av = husk_xzalloc (sizeof (char *));
#define FLAG(on, text) if (on) husk_strv_append (&av, text)
  FLAG (o.color, "--color"); FLAG (o.follow, "--follow"); FLAG (o.names, "--names");
  FLAG (o.timestamps, "--timestamps");
#undef FLAG
  if (o.since)
    husk_strv_take (&av, husk_asprintf ("--since=%s", o.since));
  if (o.tail)
    husk_strv_take (&av, husk_asprintf ("--tail=%s", o.tail));
  if (o.until)
    husk_strv_take (&av, husk_asprintf ("--until=%s", o.until));
  for (size_t i = 0; ids && ids[i]; i++)
    if (ctr ? strcmp (ids[i], ctr) == 0 : strcmp (ids[i], infra) != 0)
      {
        husk_strv_append (&av, names[i]);
        shown++;
      }
  if (shown == 0)
    return husk_error_makex (&ctx->err, ENOENT, "pod %s has no containers to show the logs "
                             "of", pod), cli_fail (ctx);
  return cmd_container_logs (ctx, (int) husk_strv_len (av), av);
}

/* ---- stats ------------------------------------------------------------------- */

struct stats_opts
{
  bool all, latest, no_reset, no_stream;
  char *format;
};

/* The running containers of the pods named (all running pods with --all
   or none named), each with its pod's ID.  */
static int
stats_targets (struct cli_ctx *ctx, struct stats_opts *o, char **args, char ***ids,
               char ***pods)
{
  cleanup_json json_t *list = husk_op_pod_list (ctx->engine, &ctx->err);
  size_t i;
  json_t *p;

  *ids = *pods = NULL;
  if (list == NULL)
    return -1;
  for (size_t k = 0; args && args[k]; k++)
    {
      cleanup_free char *id = NULL;
      if (husk_op_pod_resolve (ctx->engine, args[k], &id, &ctx->err) < 0)
        return -1;
    }
  json_array_foreach (list, i, p)
    {
      const char *id = json_string_value (json_object_get (p, "Id"));
      bool wanted = args[0] == NULL && (o->all || !o->latest || i == 0);
      size_t k;
      json_t *c;
      for (size_t a = 0; args[a] && !wanted; a++)
        {
          cleanup_free char *full = NULL;
          wanted = husk_op_pod_resolve (ctx->engine, args[a], &full, NULL) == 0
                   && strcmp (full, id) == 0;
        }
      if (!wanted)
        continue;
      json_array_foreach (json_object_get (p, "Containers"), k, c)
        if (strcmp (json_string_value (json_object_get (c, "Status")), "running") == 0)
          {
            husk_strv_append (ids, json_string_value (json_object_get (c, "Id")));
            husk_strv_append (pods, id);
          }
    }
  return 0;
}

static int
cmd_pod_stats (struct cli_ctx *ctx, int argc, char **argv)
{
  static const struct cli_option opts[] = {
    { "all", 'a', OPT_BOOL, offsetof (struct stats_opts, all), NULL, "Provide stats for all pods" },
    { "format", 0, OPT_STRING, offsetof (struct stats_opts, format), "string", "Pretty-print container statistics to JSON or using a Go template" },
    { "latest", 'l', OPT_BOOL, offsetof (struct stats_opts, latest), NULL, "Act on the latest pod husk is aware of" },
    { "no-reset", 0, OPT_BOOL, offsetof (struct stats_opts, no_reset), NULL, "Disable resetting the screen when streaming" },
    { "no-stream", 0, OPT_BOOL, offsetof (struct stats_opts, no_stream), NULL, "Disable streaming stats and only pull the first result" },
    OPTION_END,
  };
  struct stats_opts o = { 0 };
  cleanup_json json_t *prev = json_object ();

  PARSE (opts, o, "[options] [POD...]", true);
  if ((o.all || o.latest) && args[0])
    return cli_usage_error (ctx, "--all, --latest and pods cannot be used together"),
           cli_fail (ctx);
  for (;;)
    {
      cleanup_strv char **ids = NULL, **pods = NULL;
      struct husk_buf out = HUSK_BUF_INIT;
      if (stats_targets (ctx, &o, args, &ids, &pods) < 0
          || cli_pod_stats_report (ctx, ids, pods, o.format, prev, &out) < 0)
        {
          husk_buf_release (&out);
          return cli_fail (ctx);
        }
      if (!o.no_stream && !o.no_reset)
        fputs ("\033[2J\033[H", stdout);
      fwrite (out.data ? out.data : "", 1, out.len, stdout);
      fflush (stdout);
      husk_buf_release (&out);
      if (o.no_stream)
        return 0;
      sleep (5);
    }
}

const struct cli_command cli_pod_commands[] = {
  { "create", cmd_pod_create, CMD_ENGINE | CMD_USERNS, NULL, "Create a new empty pod" },
  { "exists", cmd_pod_exists, CMD_ENGINE, NULL, "Check if a pod exists in local storage" },
  { "inspect", cmd_pod_inspect, CMD_ENGINE, NULL, "Display a pod configuration" },
  { "kill", cmd_pod_kill, CMD_ENGINE | CMD_USERNS, NULL, "Send the specified signal or SIGKILL to containers in pod" },
  { "list", cmd_pod_ps, CMD_ENGINE | CMD_HIDDEN, NULL, "List pods" },
  { "logs", cmd_pod_logs, CMD_ENGINE, NULL, "Fetch logs for pod with one or more containers" },
  { "ls", cmd_pod_ps, CMD_ENGINE | CMD_HIDDEN, NULL, "List pods" },
  { "pause", cmd_pod_pause, CMD_ENGINE | CMD_USERNS, NULL, "Pause one or more pods" },
  { "prune", cmd_pod_prune, CMD_ENGINE | CMD_USERNS, NULL, "Remove all stopped pods and their containers" },
  { "ps", cmd_pod_ps, CMD_ENGINE, NULL, "List pods" },
  { "restart", cmd_pod_restart, CMD_ENGINE | CMD_USERNS | CMD_STARTS, NULL, "Restart one or more pods" },
  { "rm", cmd_pod_rm, CMD_ENGINE | CMD_USERNS, NULL, "Remove one or more pods" },
  { "stats", cmd_pod_stats, CMD_ENGINE, NULL, "Display a live stream of resource usage statistics for the containers in one or more pods" },
  { "start", cmd_pod_start, CMD_ENGINE | CMD_USERNS | CMD_STARTS, NULL, "Start one or more pods" },
  { "stop", cmd_pod_stop, CMD_ENGINE | CMD_USERNS, NULL, "Stop one or more pods" },
  { "top", cmd_pod_top, CMD_ENGINE | CMD_STOP_AT_ARG, NULL, "Display the running processes of containers in a pod" },
  { "unpause", cmd_pod_unpause, CMD_ENGINE | CMD_USERNS, NULL, "Unpause one or more pods" },
  { NULL, NULL, 0, NULL, NULL },
};
