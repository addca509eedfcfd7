/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The kube commands (docs/husk-kube.md): `kube play|down|generate` and
   their old spellings `play kube` and `generate kube`.  Each reads its
   flags, calls one husk_op_kube_* and prints what Podman 5 prints.  */
#include "cli/cli.h"
#include "kube/kube.h"
#include "ops/kube.h"
#include "util/cleanup.h"
#include "util/fileutil.h"
#include "util/strutil.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The YAML of FILE or "-" (standard input), bounded in size.  */
static char *
read_yaml (const char *path, size_t *len, husk_error_t *err)
{
  cleanup_close int fd = -1;
  size_t cap = 65536, n = 0;
  cleanup_free char *buf = NULL;

  /* Podman also fetches a URL; husk keeps the network out of it.  */
  if (husk_has_prefix (path, "http://") || husk_has_prefix (path, "https://"))
    return husk_error_makex (err, ENOTSUP, "'%s': reading Kubernetes YAML from a URL is not "
                             "supported by husk: download it and give the file", path), NULL;
  fd = strcmp (path, "-") == 0 ? dup (0) : open (path, O_RDONLY | O_CLOEXEC);

  if (fd < 0)
    return husk_error_make (err, errno, "open '%s'", path), NULL;
  buf = malloc (cap + 1);
  if (buf == NULL)
    return husk_error_make (err, ENOMEM, "read '%s'", path), NULL;
  for (;;)
    {
      ssize_t r;

      if (n == cap)
        {
          char *nb;

          if (cap > HUSK_KUBE_MAX_INPUT)
            return husk_error_makex (err, EINVAL, "'%s': larger than %u bytes", path,
                                     HUSK_KUBE_MAX_INPUT), NULL;
          cap *= 2;
          nb = realloc (buf, cap + 1);
          if (nb == NULL)
            return husk_error_make (err, ENOMEM, "read '%s'", path), NULL;
          buf = nb;
        }
      r = read (fd, buf + n, cap - n);
      if (r < 0 && errno == EINTR)
        continue;
      if (r < 0)
        return husk_error_make (err, errno, "read '%s'", path), NULL;
      if (r == 0)
        break;
      n += (size_t) r;
    }
  buf[n] = '\0';
  *len = n;
  return steal_ptr (&buf);
}

/* ---- play / down ------------------------------------------------------------ */

struct play_opts
{
  bool start, replace, down, force, quiet, no_hosts;
  char *userns, *log_driver;
  char **network, **publish, **annotation, **log_opt;
};

#define O(field) offsetof (struct play_opts, field)
#define BUILD "husk does not build images: build them first and name them in the YAML"
#define PULL "give registry settings to `husk pull` and pull the images first"
static const struct cli_option play_options[] = {
  { "annotation", 0, OPT_STRV, O (annotation), "key=value", "Add annotations to the containers (key=value)" },
  OPTION_REFUSED ("authfile", 0, PULL),
  OPTION_REFUSED ("build", 0, BUILD),
  OPTION_REFUSED ("cert-dir", 0, PULL),
  OPTION_REFUSED ("configmap", 0, "kube play --configmap is not supported by husk yet: put the ConfigMap in the YAML"),
  OPTION_REFUSED ("context-dir", 0, BUILD),
  OPTION_REFUSED ("creds", 0, PULL),
  { "down", 0, OPT_BOOL, O (down), NULL, "Stop pods defined in the YAML file" },
  { "force", 0, OPT_BOOL, O (force), NULL, "Remove volumes as part of --down" },
  OPTION_REFUSED ("ip", 0, "kube play --ip is not supported by husk yet"),
  { "log-driver", 0, OPT_STRING, O (log_driver), "string", "Logging driver for the container" },
  { "log-opt", 0, OPT_STRV, O (log_opt), "strings", "Logging driver options" },
  OPTION_REFUSED ("mac-address", 0, "kube play --mac-address is not supported by husk yet"),
  { "network", 0, OPT_STRV, O (network), "strings", "Connect pod to network(s) or network mode" },
  { "net", 0, OPT_STRV, O (network), "strings", "Alias of --network" },
  { "no-hosts", 0, OPT_BOOL, O (no_hosts), NULL, "Do not create /etc/hosts within the pod's containers, instead use the version from the image" },
  OPTION_REFUSED ("no-pod-prefix", 0, "kube play --no-pod-prefix is not supported by husk yet"),
  { "publish", 0, OPT_STRV, O (publish), "strings", "Publish a container's port, or a range of ports, to the host" },
  OPTION_REFUSED ("publish-all", 0, "kube play --publish-all is not supported by husk yet: set hostPort in the YAML"),
  { "quiet", 'q', OPT_BOOL, O (quiet), NULL, "Suppress output information when pulling images" },
  { "replace", 0, OPT_BOOL, O (replace), NULL, "Delete and recreate pods defined in the YAML file" },
  OPTION_REFUSED ("seccomp-profile-root", 0, "husk does not read seccomp profiles from kube annotations"),
  { "start", 0, OPT_BOOL, O (start), NULL, "Start the pod after creating it (default true)" },
  OPTION_REFUSED ("tls-verify", 0, PULL),
  { "userns", 0, OPT_STRING, O (userns), "string", "User namespace to use" },
  OPTION_REFUSED ("wait", 'w', "kube play --wait is not supported by husk yet"),
  OPTION_END,
};
#undef O

static int
print_down (json_t *r)
{
  static const struct
  {
    const char *key, *title;
  } parts[] = { { "stopped", "Pods stopped:" }, { "removed", "Pods removed:" },
                { "volumes", "Volumes removed:" } };

  for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++)
    {
      json_t *list = json_object_get (r, parts[i].key), *v;
      size_t k;

      /* Podman prints the pods' titles even with none.  */
      if (json_array_size (list) == 0 && strcmp (parts[i].key, "volumes") == 0)
        continue;
      puts (parts[i].title);
      json_array_foreach (list, k, v)
        puts (json_string_value (v));
    }
  return 0;
}

static int
print_play (json_t *r)
{
  size_t i, k;
  json_t *p, *v;

  json_array_foreach (json_object_get (r, "warnings"), i, v)
    fprintf (stderr, "WARN[0000] %s\n", json_string_value (v));
  if (json_array_size (json_object_get (r, "volumes")) > 0)
    puts ("Volumes:");
  json_array_foreach (json_object_get (r, "volumes"), i, v)
    puts (json_string_value (v));
  json_array_foreach (json_object_get (r, "pods"), i, p)
    {
      json_t *ctrs = json_object_get (p, "containers");

      printf ("Pod:\n%s\n", json_string_value (json_object_get (p, "id")));
      if (json_array_size (ctrs) == 0)
        continue;
      puts (json_array_size (ctrs) == 1 ? "Container:" : "Containers:");
      json_array_foreach (ctrs, k, v)
        puts (json_string_value (v));
      putchar ('\n');
    }
  return 0;
}

static int
down (struct cli_ctx *ctx, const char *file, bool force)
{
  cleanup_free char *text = NULL;
  cleanup_json json_t *r = NULL;
  size_t len;

  if ((text = read_yaml (file, &len, &ctx->err)) == NULL
      || (r = husk_op_kube_down (ctx->engine, text, len, force, &ctx->err)) == NULL)
    return cli_fail (ctx);
  return print_down (r);
}

static int
one_file (struct cli_ctx *ctx, char **args)
{
  size_t n = husk_strv_len (args);

  if (n != 1)
    return cli_usage_error (ctx, "accepts 1 arg(s), received %zu", n), -1;
  return 0;
}

static int
cmd_kube_play (struct cli_ctx *ctx, int argc, char **argv)
{
  struct play_opts o = { .start = true };
  cleanup_free char *text = NULL;
  cleanup_json json_t *r = NULL;
  size_t len;

  PARSE (play_options, o, "[options] KUBEFILE|-", true);
  if (one_file (ctx, args) < 0)
    return cli_fail (ctx);
  if (o.force && !o.down)
    return husk_error_makex (&ctx->err, EINVAL, "--force may be set only with --down"),
           cli_fail (ctx);
  if (o.down && o.replace)
    return husk_error_makex (&ctx->err, EINVAL, "--down and --replace cannot be used "
                             "together"), cli_fail (ctx);
  if (o.down)
    return down (ctx, args[0], o.force);
  if ((text = read_yaml (args[0], &len, &ctx->err)) == NULL
      || (r = husk_op_kube_play (ctx->engine, text, len, &(struct husk_kube_play_opts){
                                   .start = o.start, .replace = o.replace,
                                   .networks = o.network, .publish = o.publish,
                                   .annotations = o.annotation, .userns = o.userns,
                                   .no_hosts = o.no_hosts, .quiet = o.quiet,
                                   .log_driver = o.log_driver,
                                   .log_opts = o.log_opt }, &ctx->err)) == NULL)
    return cli_fail (ctx);
  return print_play (r);
}

static int
cmd_kube_down (struct cli_ctx *ctx, int argc, char **argv)
{
  static const struct cli_option opts[] = {
    { "force", 0, OPT_BOOL, offsetof (struct play_opts, force), NULL, "remove volumes" },
    OPTION_END,
  };
  struct play_opts o = { 0 };

  PARSE (opts, o, "[options] KUBEFILE|-", true);
  if (one_file (ctx, args) < 0)
    return cli_fail (ctx);
  return down (ctx, args[0], o.force);
}

/* ---- generate ------------------------------------------------------------- */

struct generate_opts
{
  bool service;
  char *filename, *type;
  long replicas;
};

#define G(field) offsetof (struct generate_opts, field)
static const struct cli_option generate_options[] = {
  { "filename", 'f', OPT_STRING, G (filename), "string", "Write output to the specified path" },
  OPTION_REFUSED ("no-trunc", 0, "husk writes annotations whole and has nothing to truncate"),
  OPTION_REFUSED ("podman-only", 0, "husk writes no Podman-only fields"),
  { "replicas", 'r', OPT_INT, G (replicas), "int", "Set the replica number for Deployment kind (default 1)" },
  { "service", 's', OPT_BOOL, G (service), NULL, "Generate YAML for a Kubernetes service object" },
  { "type", 't', OPT_STRING, G (type), "string", "Generate YAML for the given Kubernetes kind (pod, deployment)" },
  OPTION_END,
};
#undef G

static int
cmd_kube_generate (struct cli_ctx *ctx, int argc, char **argv)
{
  struct generate_opts o = { .replicas = 1 };
  cleanup_free char *yaml = NULL;
  const char *type;

  PARSE (generate_options, o, "[options] {CONTAINER...|POD...|VOLUME...}", true);
  type = o.type ? o.type : "pod";
  if (husk_strv_len (args) == 0)
    return cli_usage_error (ctx, "requires at least 1 arg(s), only received 0"),
           cli_fail (ctx);
  if (strcmp (type, "pod") != 0 && strcmp (type, "deployment") != 0)
    return husk_error_makex (&ctx->err, EINVAL, "invalid type given, only supported types are "
                             "pod and deployment"), cli_fail (ctx);
  if (o.replicas != 1)
    return husk_error_makex (&ctx->err, EINVAL, "--replicas: husk plays one replica only; "
                             "only 1 is supported"), cli_fail (ctx);
  if ((yaml = husk_op_kube_generate (ctx->engine, args, type, o.service, &ctx->err)) == NULL)
    return cli_fail (ctx);
  if (o.filename == NULL)
    return fputs (yaml, stdout) < 0 ? 125 : 0;
  if (husk_write_file_new (o.filename, yaml, strlen (yaml), 0644, &ctx->err) < 0)
    return cli_fail (ctx);
  return 0;
}

const struct cli_command cli_kube_commands[] = {
  { "down", cmd_kube_down, CMD_ENGINE | CMD_USERNS, NULL, "Remove pods based on Kubernetes YAML" },
  { "generate", cmd_kube_generate, CMD_ENGINE, NULL, "Generate Kubernetes YAML based on containers, pods or volumes" },
  { "play", cmd_kube_play, CMD_ENGINE | CMD_USERNS | CMD_STARTS, NULL, "Play a pod or volume based on Kubernetes YAML" },
  { NULL, NULL, 0, NULL, NULL },
};

/* `husk play kube`, Podman's older spelling.  */
const struct cli_command cli_play_commands[] = {
  { "kube", cmd_kube_play, CMD_ENGINE | CMD_USERNS | CMD_STARTS, NULL, "Play a pod or volume based on Kubernetes YAML" },
  { NULL, NULL, 0, NULL, NULL },
};

/* `husk generate kube`.  */
const struct cli_command cli_generate_commands[] = {
  { "kube", cmd_kube_generate, CMD_ENGINE, NULL, "Generate Kubernetes YAML based on containers, pods or volumes" },
  { NULL, NULL, 0, NULL, NULL },
};
