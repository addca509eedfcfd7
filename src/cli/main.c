/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Command dispatch.  The table says what each command needs (CMD_ENGINE:
 * configuration, state and store opened); cli_run() provides it, so no
 * handler repeats that set-up.  Groups dispatch through their own table, and
 * the top-level aliases ("images", "rmi", ...) point at the same handlers as
 * the group verbs ("image ls", "image rm").
 */
#include "cli/cli.h"
#include "events/events.h"
#include "ops/container.h"
#include "userns/userns.h"
#include "husk-config.h"
#include "util/cleanup.h"
#include "util/log.h"
#include "util/strutil.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

static int cmd_group_image (struct cli_ctx *ctx, int argc, char **argv);
static int cmd_group_system (struct cli_ctx *ctx, int argc, char **argv);

static int cmd_group_container (struct cli_ctx *ctx, int argc, char **argv);
static int cmd_group_volume (struct cli_ctx *ctx, int argc, char **argv);
static int cmd_group_secret (struct cli_ctx *ctx, int argc, char **argv);
static int cmd_group_network (struct cli_ctx *ctx, int argc, char **argv);
static int cmd_group_pod (struct cli_ctx *ctx, int argc, char **argv);
static int cmd_group_kube (struct cli_ctx *ctx, int argc, char **argv);
static int cmd_group_play (struct cli_ctx *ctx, int argc, char **argv);
static int cmd_group_generate (struct cli_ctx *ctx, int argc, char **argv);
static int cmd_group_manifest (struct cli_ctx *ctx, int argc, char **argv);
static int cmd_group_healthcheck (struct cli_ctx *ctx, int argc, char **argv);
static int cmd_help (struct cli_ctx *ctx, int argc, char **argv);

const struct cli_command cli_top_commands[] = {
  { "container", cmd_group_container, 0, cli_container_commands, "Manage containers" },
  { "events", cmd_events, CMD_ENGINE, NULL, "Show husk events" },
  { "healthcheck", cmd_group_healthcheck, 0, cli_healthcheck_commands, "Manage health checks on containers" },
  { "create", cmd_container_create, CMD_ENGINE | CMD_USERNS | CMD_STOP_AT_ARG, NULL, "Create but do not start a container" },
  { "kill", cmd_container_kill, CMD_ENGINE | CMD_USERNS, NULL, "Kill one or more running containers with a specific signal" },
  { "logs", cmd_container_logs, CMD_ENGINE, NULL, "Fetch the logs of one or more containers" },
  { "ps", cmd_container_ps, CMD_ENGINE, NULL, "List containers" },
  { "rm", cmd_container_rm, CMD_ENGINE | CMD_USERNS, NULL, "Remove one or more containers" },
  { "run", cmd_container_run, CMD_ENGINE | CMD_USERNS | CMD_STOP_AT_ARG | CMD_STARTS, NULL, "Run a command in a new container" },
  { "start", cmd_container_start, CMD_ENGINE | CMD_USERNS | CMD_STARTS, NULL, "Start one or more containers" },
  { "stop", cmd_container_stop, CMD_ENGINE | CMD_USERNS, NULL, "Stop one or more containers" },
  { "wait", cmd_container_wait, CMD_ENGINE, NULL, "Block on one or more containers" },
  { "attach", cmd_container_attach, CMD_ENGINE, NULL, "Attach to a running container" },
  { "exec", cmd_container_exec, CMD_ENGINE | CMD_USERNS | CMD_STOP_AT_ARG | CMD_STARTS, NULL, "Run a process in a running container" },
  { "pause", cmd_container_pause, CMD_ENGINE | CMD_USERNS, NULL, "Pause all the processes in one or more containers" },
  { "restart", cmd_container_restart, CMD_ENGINE | CMD_USERNS | CMD_STARTS, NULL, "Restart one or more containers" },
  { "stats", cmd_container_stats, CMD_ENGINE, NULL, "Display a live stream of container resource usage statistics" },
  { "top", cmd_container_top, CMD_ENGINE | CMD_STOP_AT_ARG, NULL, "Display the running processes of a container" },
  { "unpause", cmd_container_unpause, CMD_ENGINE | CMD_USERNS, NULL, "Unpause the processes in one or more containers" },
  { "history", cmd_image_history, CMD_ENGINE, NULL, "Show history of a specified image" },
  { "image", cmd_group_image, 0, cli_image_commands, "Manage images" },
  { "images", cmd_image_ls, CMD_ENGINE, NULL, "List images in local storage" },
  { "import", cmd_image_import, CMD_ENGINE | CMD_USERNS, NULL, "Import a tarball to create a filesystem image" },
  { "info", cmd_info, CMD_ENGINE, NULL, "Display husk system information" },
  { "init", cmd_container_init, CMD_ENGINE | CMD_USERNS | CMD_STARTS, NULL, "Initialize one or more containers" },
  { "inspect", cmd_inspect, CMD_ENGINE, NULL, "Display the configuration of object denoted by ID" },
  { "load", cmd_image_load, CMD_ENGINE | CMD_USERNS, NULL, "Load image(s) from a tar archive" },
  { "pull", cmd_pull, CMD_ENGINE | CMD_USERNS, NULL, "Pull an image from a registry" },
  { "push", cmd_push, CMD_ENGINE | CMD_USERNS, NULL, "Push an image to a specified destination" },
  { "login", cmd_login, 0, NULL, "Log in to a container registry" },
  { "logout", cmd_logout, 0, NULL, "Log out of a container registry" },
  { "search", cmd_search, 0, NULL, "Search registry for image" },
  { "rmi", cmd_image_rm, CMD_ENGINE | CMD_USERNS, NULL, "Removes one or more images from local storage" },
  { "save", cmd_image_save, CMD_ENGINE, NULL, "Save image(s) to an archive" },
  { "system", cmd_group_system, 0, cli_system_commands, "Manage husk" },
  { "tag", cmd_image_tag, CMD_ENGINE, NULL, "Add an additional name to a local image" },
  { "untag", cmd_image_untag, CMD_ENGINE, NULL, "Remove a name from a local image" },
  { "unshare", cmd_unshare, CMD_STOP_AT_ARG, NULL, "Run a command in a modified user namespace" },
  { "version", cmd_version, 0, NULL, "Display the husk version information" },
  { "volume", cmd_group_volume, 0, cli_volume_commands, "Manage volumes" },
  { "secret", cmd_group_secret, 0, cli_secret_commands, "Manage secrets" },
  { "network", cmd_group_network, 0, cli_network_commands, "Manage networks" },
  { "pod", cmd_group_pod, 0, cli_pod_commands, "Manage pods" },
  { "kube", cmd_group_kube, 0, cli_kube_commands, "Play containers, pods or volumes from a structured file" },
  { "play", cmd_group_play, 0, cli_play_commands, "Play containers, pods or volumes from a structured file" },
  { "generate", cmd_group_generate, 0, cli_generate_commands, "Generate structured data based on containers, pods or volumes" },
  { "manifest", cmd_group_manifest, 0, cli_manifest_commands, "Manipulate manifest lists" },
  { "commit", cmd_container_commit, CMD_ENGINE | CMD_USERNS, NULL, "Create new image based on the changed container" },
  { "cp", cmd_container_cp, CMD_ENGINE | CMD_USERNS, NULL, "Copy files/folders between a container and the local filesystem" },
  { "diff", cmd_diff, CMD_ENGINE | CMD_USERNS, NULL, "Display the changes to the object's file system" },
  { "export", cmd_container_export, CMD_ENGINE | CMD_USERNS, NULL, "Export container's filesystem contents as a tar archive" },
  { "mount", cmd_container_mount, CMD_ENGINE | CMD_USERNS, NULL, "Mount a working container's root filesystem" },
  { "port", cmd_container_port, CMD_ENGINE, NULL, "List port mappings or a specific mapping for the container" },
  { "rename", cmd_container_rename, CMD_ENGINE, NULL, "Rename an existing container" },
  { "umount", cmd_container_unmount, CMD_ENGINE | CMD_USERNS | CMD_HIDDEN, NULL, "Unmount working container's root filesystem" },
  { "unmount", cmd_container_unmount, CMD_ENGINE | CMD_USERNS, NULL, "Unmount working container's root filesystem" },
  { "completion", cmd_completion, 0, NULL, "Generate shell autocompletions" },
  { "help", cmd_help, 0, NULL, "Help about any command" },
  { "__complete", cmd_complete, CMD_HIDDEN | CMD_RAW_ARGS, NULL, "Complete a husk command line (for the completion scripts)" },
  { "__flags", cmd_flags, CMD_HIDDEN | CMD_RAW_ARGS, NULL, "List every flag of every command (for the tests and docs/flags.md)" },
  { NULL, NULL, 0, NULL, NULL },
};

#define G(field) offsetof (struct cli_global_opts, field)

const struct cli_option cli_global_options[] = {
  { "root", 0, OPT_STRING, G (root), "value",
    "Path to the root directory in which data, including images, is stored" },
  { "runroot", 0, OPT_STRING, G (runroot), "value",
    "Path to the 'run directory' where all state information is stored" },
  { "storage-driver", 0, OPT_STRING, G (storage_driver),
    "value", "Select which storage driver is used to manage storage of images and containers" },
  { "storage-opt", 0, OPT_STRV, G (storage_opt),
    "value", "Used to pass an option to the storage driver" },
  { "log-level", 0, OPT_STRING, G (log_level), "string",
    "Log messages above specified level (trace, debug, info, warn, warning, error, fatal or panic)" },
  { "runtime", 0, OPT_STRING, G (runtime), "string",
    "Path to the OCI-compatible binary used to run containers (default: the first of crun "
    "and runc that can run on this host)" },
  { "runtime-flag", 0, OPT_STRV, G (runtime_flag), "stringArray",
    "add global flags for the container runtime" },
  { "noout", 0, OPT_BOOL, G (noout), NULL, "do not output to stdout" },
  { "events-backend", 0, OPT_STRING, G (events_backend), "string",
    "Events backend to use (\"file\"|\"none\") (default \"file\")" },
  { "tmpdir", 0, OPT_STRING, G (tmpdir), "string",
    "Path to the tmp directory for husk's state content" },
  { "volumepath", 0, OPT_STRING, G (volumepath), "string",
    "Path to the volume directory in which volume data is stored" },
  { "cgroup-manager", 0, OPT_STRING, G (cgroup_manager), "string",
    "Cgroup manager to use (\"cgroupfs\") (default \"cgroupfs\")" },
  { "network-config-dir", 0, OPT_STRING, G (network_config_dir), "string",
    "Path of the configuration directory for networks" },
  { "network-cmd-path", 0, OPT_STRING, G (network_cmd_path), "string",
    "Path to the slirp4netns(1) command binary to use for setting up a slirp4netns network" },
  { "version", 'v', OPT_BOOL, G (version), NULL, "Version of husk" },
  OPTION_REFUSED ("conmon", 0, "husk runs its own monitor, husk-monitor, not conmon"),
  OPTION_REFUSED ("connection", 'c', "husk has no remote client: it runs locally"),
  OPTION_REFUSED ("remote", 'r', "husk has no remote client: it runs locally"),
  OPTION_REFUSED ("url", 0, "husk has no remote client: it runs locally"),
  OPTION_REFUSED ("identity", 0, "husk has no remote client: it runs locally"),
  OPTION_REFUSED ("ssh", 0, "husk has no remote client: it runs locally"),
  OPTION_REFUSED ("hooks-dir", 0, "OCI hooks are not supported yet"),
  OPTION_REFUSED ("namespace", 0, "libpod namespaces are not supported"),
  OPTION_REFUSED ("syslog", 0, "there is no syslog daemon on these hosts"),
  OPTION_REFUSED ("module", 0, "containers.conf modules are not supported yet"),
  OPTION_REFUSED ("db-backend", 0, "husk's state is always its SQLite database"),
  OPTION_REFUSED ("transient-store", 0, "a transient store is not supported yet"),
  OPTION_REFUSED ("imagestore", 0, "a separate image store is not supported yet"),
  OPTION_REFUSED ("out", 0, "not supported yet: redirect standard output in the shell"),
  OPTION_END,
};

int
cli_fail (struct cli_ctx *ctx)
{
  if (ctx->err == NULL)
    return 125;
  fprintf (stderr, "Error: %s\n", ctx->err->msg);
  if (ctx->err->code == HUSK_ERR_USAGE)
    fprintf (stderr, "See '%s --help'\n", ctx->cmd_path);
  husk_error_release (&ctx->err);
  return 125;
}

/* Podman 5's commands (and group verbs) that husk does not have yet: they
   say so, instead of "unrecognized command", and are left out of --help,
   completion and __flags.  A real command of the same name wins.  */
static const struct
{
  const char *group; /* "" for the top level */
  const char *name;
} unsupported[] = {
  { "", "artifact" },     { "", "auto-update" },   { "", "build" },
  { "", "compose" },      { "", "farm" },
  { "", "machine" },
  { "generate", "spec" }, { "generate", "systemd" },
  { "kube", "apply" },
  { "", "quadlet" },
  { "", "unshare" },       { "", "update" },
  { "container", "checkpoint" }, { "container", "clone" }, { "container", "restore" },
  { "container", "runlabel" },   { "container", "update" },
  { "image", "build" },
  { "pod", "clone" },
  { "image", "scp" },
  { "image", "sign" },    { "image", "tree" },     { "image", "trust" },
  { "system", "check" },  { "system", "connection" }, { "system", "migrate" },
  { "system", "renumber" }, { "system", "service" },
  { "volume", "mount" },  { "volume", "reload" },  { "volume", "unmount" },
};

/* "image" for "husk image", "" for "husk".  */
static const char *
group_of (const char *cmd_path)
{
  const char *sp = strchr (cmd_path, ' ');

  return sp ? sp + 1 : "";
}

static bool
is_unsupported (const char *group, const char *name)
{
  for (size_t i = 0; i < sizeof unsupported / sizeof unsupported[0]; i++)
    if (strcmp (unsupported[i].group, group) == 0 && strcmp (unsupported[i].name, name) == 0)
      return true;
  return false;
}

static int
compare_names (const void *a, const void *b)
{
  return strcmp ((*(const struct cli_command *const *) a)->name,
                 (*(const struct cli_command *const *) b)->name);
}

/* The visible commands of a table, sorted by name as cobra lists them.  */
static size_t
sorted_commands (const struct cli_command *cmds, const struct cli_command ***out)
{
  size_t n = 0;

  *out = NULL;
  for (; cmds->name; cmds++)
    if (!(cmds->flags & CMD_HIDDEN))
      {
        *out = husk_xrealloc (*out, (n + 1) * sizeof **out);
        (*out)[n++] = cmds;
      }
  if (n > 0)
    qsort (*out, n, sizeof **out, compare_names);
  return n;
}

static void
print_command_list (const struct cli_command *cmds)
{
  cleanup_free const struct cli_command **v = NULL;
  size_t n = sorted_commands (cmds, &v);
  int pad = 11; /* cobra's minimum */

  for (size_t i = 0; i < n; i++)
    if ((int) strlen (v[i]->name) > pad)
      pad = (int) strlen (v[i]->name);
  for (size_t i = 0; i < n; i++)
    printf ("  %-*s %s\n", pad, v[i]->name, v[i]->summary);
}

static int
compare_options (const void *a, const void *b)
{
  return strcmp ((*(const struct cli_option *const *) a)->name,
                 (*(const struct cli_option *const *) b)->name);
}

/* The global options, sorted by name as pflag prints them.  */
static void
print_global_options (void)
{
  static const struct cli_option help = { "help", 0, OPT_BOOL, 0, NULL, "Help for husk" };
  const struct cli_option *v[64] = { &help };
  size_t n = 1;

  for (const struct cli_option *o = cli_global_options; o->type != OPT_END && n < 64; o++)
    if (o->help && o->type != OPT_REFUSED)
      v[n++] = o;
  qsort (v, n, sizeof v[0], compare_options);
  for (size_t i = 0; i < n; i++)
    {
      char left[64];
      snprintf (left, sizeof left, "%c%c%c --%s %s", v[i]->short_name ? '-' : ' ',
                v[i]->short_name ? v[i]->short_name : ' ', v[i]->short_name ? ',' : ' ',
                v[i]->name, v[i]->arg ? v[i]->arg : "");
      printf ("  %-34s %s\n", left, v[i]->help);
    }
}

/* The entry of the top-level table that holds group table cmds.  */
static const struct cli_command *
group_entry (const struct cli_command *cmds)
{
  for (const struct cli_command *t = cli_top_commands; t->name; t++)
    if (t->sub == cmds)
      return t;
  return NULL;
}

/* Help of the top level or of a group, in Podman's layout.  */
static void
print_commands (const char *path, const struct cli_command *cmds)
{
  const struct cli_command *g = group_entry (cmds);

  if (g == NULL)
    printf ("Manage pods, containers and images\n\nUsage:\n  %s [options] [command]\n\n", path);
  else
    printf ("%s\n\nDescription:\n  %s\n\nUsage:\n  %s [command]\n\n", g->summary, g->summary,
            path);
  printf ("Available Commands:\n");
  print_command_list (cmds);
  if (g != NULL)
    return;
  printf ("\nOptions:\n");
  print_global_options ();
}

static int
apply_log_level (struct cli_ctx *ctx)
{
  int level = husk_log_parse_level (ctx->g->log_level);

  if (level < 0)
    return husk_error_makex (&ctx->err, 0, "log level \"%s\" is not supported, "
                             "choose from: trace, debug, info, warn, warning, "
                             "error, fatal, panic", ctx->g->log_level);
  husk_log_set_level (level);
  return 0;
}

/* Podman refuses an unknown --log-level before anything else, with exit
   status 1 (not 125): scripts that check for it see the same.  */
static int
log_level_fail (struct cli_ctx *ctx)
{
  cli_fail (ctx);
  return 1;
}

static const struct cli_command *
find_command (const struct cli_command *cmds, const char *name)
{
  for (; cmds->name; cmds++)
    if (strcmp (cmds->name, name) == 0)
      return cmds;
  return NULL;
}

void
cli_engine_opts (const struct cli_global_opts *g, struct husk_engine_opts *o)
{
  *o = (struct husk_engine_opts){
    .root = g->root,
    .runroot = g->runroot,
    .storage_driver = g->storage_driver,
    .storage_opts = g->storage_opt,
    .runtime = g->runtime,
    .runtime_flags = g->runtime_flag,
    .events_backend = g->events_backend,
    .tmpdir = g->tmpdir,
    .volume_path = g->volumepath,
    .cgroup_manager = g->cgroup_manager,
    .network_config_dir = g->network_config_dir,
    .network_cmd_path = g->network_cmd_path,
  };
}

static int
open_engine (struct cli_ctx *ctx)
{
  struct husk_engine_opts o;

  cli_engine_opts (ctx->g, &o);
  ctx->engine = husk_engine_new (&o, &ctx->err);
  if (ctx->engine == NULL)
    return -1;
  husk_events_set_recording (strcmp (ctx->engine->events_backend, "none") != 0);
  return husk_engine_open (ctx->engine, &ctx->err);
}

/* A command that starts container processes first sets the runtime's
   cgroup wait going (ops/container.h), so that it runs beside ours.  */
static int
start_engine (struct cli_ctx *ctx, const struct cli_command *cmd)
{
  if (cmd->flags & CMD_STARTS)
    husk_op_container_warm ();
  return open_engine (ctx);
}

static bool
wants_help (int argc, char **argv, bool stop_at_arg)
{
  for (int i = 1; i < argc && strcmp (argv[i], "--") != 0; i++)
    {
      if (strcmp (argv[i], "--help") == 0)
        return true;
      if (stop_at_arg && argv[i][0] != '-')
        return false;
    }
  return false;
}

/* The option table of cmd, asked of its handler as completion asks it
   (cli_parse() records it and returns before the handler does anything). */
static const struct cli_option *
command_options (struct cli_ctx *ctx, const struct cli_command *cmd)
{
  struct cli_probe p = { 0 };
  struct cli_ctx pctx = { .g = ctx->g, .cmd_path = ctx->cmd_path, .probe = &p };
  char *none[] = { NULL };

  cmd->fn (&pctx, 0, none);
  husk_error_release (&pctx.err);
  return p.opts;
}

static bool
declares (const struct cli_option *opts, const char *name)
{
  for (; opts && opts->type != OPT_END; opts++)
    if (strcmp (opts->name, name) == 0)
      return true;
  return false;
}

/* Length of a global option at argv[i] (1 or 2 words), or 0.  own: the
   command's options.  */
static int
global_option_len (char **argv, int i, int argc, const struct cli_option *own)
{
  for (const struct cli_option *o = cli_global_options; o->type != OPT_END; o++)
    {
      size_t n = strlen (o->name);
      if (strncmp (argv[i], "--", 2) != 0 || strncmp (argv[i] + 2, o->name, n) != 0
          || (argv[i][2 + n] != '=' && argv[i][2 + n] != '\0'))
        continue;
      /* "images --noout" is the global --noout, and "images --syslog"
         the refused global, unless the command has a flag of that name
         ("ps --namespace"); --version is the top level's only, as in
         Podman.  */
      if (cli_option_is_flag (o) || o->type == OPT_REFUSED)
        {
          if (strcmp (o->name, "version") == 0 || declares (own, o->name))
            continue;
          return 1;
        }
      if (argv[i][2 + n] == '=')
        return 1;
      return i + 1 < argc ? 2 : 1;
    }
  return 0;
}

/* Podman takes global options after the command too ("husk images
   --root X"): move them out of the command's arguments.  */
static int
extract_globals (struct cli_ctx *ctx, const struct cli_command *cmd, int *argc, char **argv)
{
  const struct cli_option *own = command_options (ctx, cmd);
  bool stop_at_arg = cmd->flags & CMD_STOP_AT_ARG;

  for (int i = 1; i < *argc && strcmp (argv[i], "--") != 0;)
    {
      int n = global_option_len (argv, i, *argc, own);
      char **rest = NULL;
      if (n == 0)
        {
          /* For run/exec the command's own words follow the image.  */
          if (stop_at_arg && argv[i][0] != '-')
            break;
          i++;
          continue;
        }
      if (cli_parse (ctx, cli_global_options, ctx->g, n, argv + i, true, &rest, NULL) != 0)
        return -1;
      free (rest);
      memmove (argv + i, argv + i + n, (*argc - i - n + 1) * sizeof (char *));
      *argc -= n;
    }
  return 0;
}

/* The whole command line, for the first debug line.  */
static char *command_line;

/* What the global options ask of the process once they are all known
   (they may follow the command): stdout to /dev/null for --noout, and
   Podman's first debug line.  */
static void
apply_globals (struct cli_ctx *ctx)
{
  husk_log_debug ("Called %s (%s)", ctx->cmd_path, command_line ? command_line : "");
  if (ctx->g->noout)
    {
      int fd = open ("/dev/null", O_WRONLY | O_CLOEXEC);
      fflush (stdout);
      if (fd >= 0 && dup2 (fd, STDOUT_FILENO) < 0)
        husk_log_warn ("--noout: %s", strerror (errno));
      if (fd > STDOUT_FILENO)
        close (fd);
    }
}

/* Run cmd with argv[0] its own name.  */
static int
run_command (struct cli_ctx *ctx, const struct cli_command *cmd, int argc,
             char **argv)
{
  cleanup_free char *path = husk_asprintf ("%s %s", ctx->cmd_path, cmd->name);
  const char *saved = ctx->cmd_path;
  struct timespec t0 = husk_log_clock ();
  int r;

  ctx->cmd_path = path;
  if (cmd->flags & CMD_RAW_ARGS)
    r = cmd->fn (ctx, argc - 1, argv + 1); /* its words are data, even "--help" */
  else if (!cmd->sub && extract_globals (ctx, cmd, &argc, argv) < 0)
    r = cli_fail (ctx);
  else if (!cmd->sub && ctx->g->log_level && apply_log_level (ctx) < 0)
    r = log_level_fail (ctx);
  else if (cmd->sub)
    r = cmd->fn (ctx, argc - 1, argv + 1);
  else if ((apply_globals (ctx), wants_help (argc, argv, cmd->flags & CMD_STOP_AT_ARG)))
    r = cmd->fn (ctx, argc - 1, argv + 1); /* prints help; opens nothing */
  else if ((cmd->flags & (CMD_USERNS | CMD_ENGINE)) && husk_userns_join (&ctx->err) < 0)
    r = cli_fail (ctx); /* rootless: the user's namespace, before any thread */
  else if ((cmd->flags & CMD_ENGINE) && start_engine (ctx, cmd) < 0)
    r = cli_fail (ctx);
  else
    r = cmd->fn (ctx, argc - 1, argv + 1);
  if (!cmd->sub && !(cmd->flags & CMD_RAW_ARGS))
    husk_log_timing (&t0, "`%s`", path);
  ctx->cmd_path = saved;
  return r;
}

/* Levenshtein distance, ignoring case, as cobra measures typos.  */
static size_t
distance (const char *a, const char *b)
{
  size_t la = strlen (a), lb = strlen (b);
  cleanup_free size_t *row = husk_xzalloc ((lb + 1) * sizeof *row);

  for (size_t j = 0; j <= lb; j++)
    row[j] = j;
  for (size_t i = 1; i <= la; i++)
    {
      size_t diag = row[0];
      row[0] = i;
      for (size_t j = 1; j <= lb; j++)
        {
          size_t up = row[j];
          size_t best = tolower ((unsigned char) a[i - 1]) == tolower ((unsigned char) b[j - 1])
                            ? diag
                            : 1 + (diag < up ? (diag < row[j - 1] ? diag : row[j - 1])
                                             : (up < row[j - 1] ? up : row[j - 1]));
          diag = up;
          row[j] = best;
        }
    }
  return row[lb];
}

/* cobra's "Did you mean this?": names that start with what was typed,
   and at the top level also those within two edits of it (Podman's
   groups ask cobra with a distance of 0, so only prefixes count there).
   Aliases are candidates too ("image lis": list).  */
static char *
suggestions (const struct cli_command *cmds, const char *typed, bool top)
{
  struct husk_buf b = HUSK_BUF_INIT;
  const struct cli_command **v = NULL;
  size_t n = 0;

  for (const struct cli_command *c = cmds; c->name; c++)
    if (strncmp (c->name, "__", 2) != 0 && !(top && (c->flags & CMD_HIDDEN))
        && (strncasecmp (c->name, typed, strlen (typed)) == 0
            || (top && distance (typed, c->name) <= 2)))
      {
        v = husk_xrealloc (v, (n + 1) * sizeof *v);
        v[n++] = c;
      }
  if (n > 0)
    qsort (v, n, sizeof *v, compare_names);
  for (size_t i = 0; i < n; i++)
    if (i == 0 || strcmp (v[i]->name, v[i - 1]->name) != 0)
      husk_buf_printf (&b, "\t%s\n", v[i]->name);
  free (v);
  husk_buf_append (&b, "", 0);
  return husk_buf_steal (&b);
}

static int
unrecognized (struct cli_ctx *ctx, const struct cli_command *cmds, const char *name)
{
  cleanup_free char *s = suggestions (cmds, name, cmds == cli_top_commands);

  fprintf (stderr, "Error: unrecognized command `%s %s`\n", ctx->cmd_path, name);
  if (*s)
    fprintf (stderr, "\nDid you mean this?\n%s\n", s);
  fprintf (stderr, "Try '%s --help' for more information\n", ctx->cmd_path);
  return 125;
}

static int
dispatch (struct cli_ctx *ctx, const struct cli_command *cmds, int argc,
          char **argv)
{
  const struct cli_command *cmd;

  if (argc == 0 || strcmp (argv[0], "--help") == 0 || strcmp (argv[0], "-h") == 0)
    {
      print_commands (ctx->cmd_path, cmds);
      if (argc > 0)
        return 0;
      fprintf (stderr, "Error: missing command '%s COMMAND'\n", ctx->cmd_path);
      return 125;
    }
  cmd = find_command (cmds, argv[0]);
  if (cmd != NULL)
    return run_command (ctx, cmd, argc, argv);
  if (is_unsupported (group_of (ctx->cmd_path), argv[0]))
    {
      fprintf (stderr, "Error: `%s %s` is not supported by husk yet\n", ctx->cmd_path, argv[0]);
      return 125;
    }
  return unrecognized (ctx, cmds, argv[0]);
}

/* husk help [COMMAND [VERB]]: that command's --help, as cobra's help
   command gives it.  */
static int
cmd_help (struct cli_ctx *ctx, int argc, char **argv)
{
  static const struct cli_option opts[] = { OPTION_END };
  const struct cli_command *cmds = cli_top_commands, *cmd = NULL;
  char path[256] = "husk";
  struct cli_ctx hctx = { .g = ctx->g, .cmd_path = path };
  char *words[3] = { NULL, (char *) "--help", NULL };
  struct
  {
    int none;
  } o = { 0 };
  int i = 0;

  PARSE (opts, o, "[command]", true);
  argc = (int) husk_strv_len (args);
  argv = args;
  for (; i < argc; i++)
    {
      size_t len = strlen (path);
      cmd = find_command (cmds, argv[i]);
      if (cmd == NULL || cmd->sub == NULL)
        break;
      cmds = cmd->sub;
      snprintf (path + len, sizeof path - len, " %s", cmd->name);
    }
  if (i < argc && cmd == NULL && is_unsupported (group_of (hctx.cmd_path), argv[i]))
    {
      fprintf (stderr, "Error: `%s %s` is not supported by husk yet\n", hctx.cmd_path, argv[i]);
      return 125;
    }
  if (i < argc && cmd == NULL)
    {
      printf ("Unknown help topic [`%s`]\n", argv[i]);
      print_commands ("husk", cli_top_commands);
      return 0;
    }
  if (i == argc || (cmd->flags & CMD_RAW_ARGS))
    {
      print_commands (i == argc ? path : "husk", i == argc ? cmds : cli_top_commands);
      return 0;
    }
  words[0] = (char *) cmd->name;
  return run_command (&hctx, cmd, 2, words);
}

static int
cmd_group_image (struct cli_ctx *ctx, int argc, char **argv)
{
  return dispatch (ctx, cli_image_commands, argc, argv);
}

static int
cmd_group_container (struct cli_ctx *ctx, int argc, char **argv)
{
  return dispatch (ctx, cli_container_commands, argc, argv);
}

static int
cmd_group_healthcheck (struct cli_ctx *ctx, int argc, char **argv)
{
  return dispatch (ctx, cli_healthcheck_commands, argc, argv);
}

static int
cmd_group_system (struct cli_ctx *ctx, int argc, char **argv)
{
  return dispatch (ctx, cli_system_commands, argc, argv);
}

static int
cmd_group_volume (struct cli_ctx *ctx, int argc, char **argv)
{
  return dispatch (ctx, cli_volume_commands, argc, argv);
}

static int
cmd_group_secret (struct cli_ctx *ctx, int argc, char **argv)
{
  return dispatch (ctx, cli_secret_commands, argc, argv);
}

static int
cmd_group_pod (struct cli_ctx *ctx, int argc, char **argv)
{
  return dispatch (ctx, cli_pod_commands, argc, argv);
}

static int
cmd_group_kube (struct cli_ctx *ctx, int argc, char **argv)
{
  return dispatch (ctx, cli_kube_commands, argc, argv);
}

static int
cmd_group_play (struct cli_ctx *ctx, int argc, char **argv)
{
  return dispatch (ctx, cli_play_commands, argc, argv);
}

static int
cmd_group_generate (struct cli_ctx *ctx, int argc, char **argv)
{
  return dispatch (ctx, cli_generate_commands, argc, argv);
}

static int
cmd_group_network (struct cli_ctx *ctx, int argc, char **argv)
{
  return dispatch (ctx, cli_network_commands, argc, argv);
}

static int
cmd_group_manifest (struct cli_ctx *ctx, int argc, char **argv)
{
  return dispatch (ctx, cli_manifest_commands, argc, argv);
}

/* Global options come before the command word.  */
static int
parse_globals (struct cli_ctx *ctx, int argc, char **argv, int *first)
{
  int i = 1;

  for (; i < argc && argv[i][0] == '-' && strcmp (argv[i], "--help") != 0
         && strcmp (argv[i], "-h") != 0;
       i++)
    {
      char **one = NULL;
      int n = 1;
      const char *eq = strchr (argv[i], '=');
      const struct cli_option *o;

      /* Find whether this option takes a separate value.  */
      for (o = cli_global_options; o->type != OPT_END; o++)
        if (argv[i][1] == '-' && strncmp (argv[i] + 2, o->name, strlen (o->name)) == 0
            && (argv[i][2 + strlen (o->name)] == '\0'
                || argv[i][2 + strlen (o->name)] == '='))
          break;
      if (o->type != OPT_END && !cli_option_is_flag (o) && eq == NULL)
        n = 2;
      if (i + n > argc)
        n = argc - i;
      if (cli_parse (ctx, cli_global_options, ctx->g, n, argv + i, true, &one, NULL) != 0)
        return -1;
      free (one);
      i += n - 1;
    }
  *first = i;
  return 0;
}

int
cli_main (int argc, char **argv)
{
  struct cli_global_opts g = { 0 };
  CLI_OPTIONS_OWNED (cli_global_options, g);
  struct cli_ctx ctx = { .g = &g, .cmd_path = "husk" };
  int first, r;

  if (parse_globals (&ctx, argc, argv, &first) < 0)
    return cli_fail (&ctx);
  if (g.log_level && apply_log_level (&ctx) < 0)
    return log_level_fail (&ctx);
  if (g.version)
    {
      printf ("husk version %s\n", HUSK_VERSION);
      return 0;
    }
  command_line = husk_strv_join (argv, " ");
  r = dispatch (&ctx, cli_top_commands, argc - first, argv + first);
  husk_engine_free (ctx.engine);
  free (command_line);
  command_line = NULL;
  return r;
}
