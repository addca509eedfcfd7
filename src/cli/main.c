/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Command dispatch.  The table says what each command needs (CMD_ENGINE:
 * configuration, state and store opened); cli_run() provides it, so no
 * handler repeats that set-up.  Groups dispatch through their own table, and
 * the top-level aliases ("images", "rmi", ...) point at the same handlers as
 * the group verbs ("image ls", "image rm").
 */
#include "cli/cli.h"
#include "userns/userns.h"
#include "husk-config.h"
#include "util/cleanup.h"
#include "util/log.h"
#include "util/strutil.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int cmd_group_image (struct cli_ctx *ctx, int argc, char **argv);
static int cmd_group_system (struct cli_ctx *ctx, int argc, char **argv);

static int cmd_group_container (struct cli_ctx *ctx, int argc, char **argv);
static int cmd_group_volume (struct cli_ctx *ctx, int argc, char **argv);
static int cmd_group_healthcheck (struct cli_ctx *ctx, int argc, char **argv);

const struct cli_command cli_top_commands[] = {
  { "container", cmd_group_container, 0, cli_container_commands, "Manage containers" },
  { "events", cmd_events, CMD_ENGINE, NULL, "Show husk events" },
  { "healthcheck", cmd_group_healthcheck, 0, cli_healthcheck_commands, "Manage health checks on containers" },
  { "create", cmd_container_create, CMD_ENGINE | CMD_USERNS | CMD_STOP_AT_ARG, NULL, "Create but do not start a container" },
  { "kill", cmd_container_kill, CMD_ENGINE | CMD_USERNS, NULL, "Kill one or more running containers with a specific signal" },
  { "logs", cmd_container_logs, CMD_ENGINE, NULL, "Fetch the logs of one or more containers" },
  { "ps", cmd_container_ps, CMD_ENGINE, NULL, "List containers" },
  { "rm", cmd_container_rm, CMD_ENGINE | CMD_USERNS, NULL, "Remove one or more containers" },
  { "run", cmd_container_run, CMD_ENGINE | CMD_USERNS | CMD_STOP_AT_ARG, NULL, "Run a command in a new container" },
  { "start", cmd_container_start, CMD_ENGINE | CMD_USERNS, NULL, "Start one or more containers" },
  { "stop", cmd_container_stop, CMD_ENGINE | CMD_USERNS, NULL, "Stop one or more containers" },
  { "wait", cmd_container_wait, CMD_ENGINE, NULL, "Block on one or more containers" },
  { "attach", cmd_container_attach, CMD_ENGINE, NULL, "Attach to a running container" },
  { "exec", cmd_container_exec, CMD_ENGINE | CMD_USERNS | CMD_STOP_AT_ARG, NULL, "Run a process in a running container" },
  { "pause", cmd_container_pause, CMD_ENGINE | CMD_USERNS, NULL, "Pause all the processes in one or more containers" },
  { "restart", cmd_container_restart, CMD_ENGINE | CMD_USERNS, NULL, "Restart one or more containers" },
  { "stats", cmd_container_stats, CMD_ENGINE, NULL, "Display a live stream of container resource usage statistics" },
  { "top", cmd_container_top, CMD_ENGINE | CMD_STOP_AT_ARG, NULL, "Display the running processes of a container" },
  { "unpause", cmd_container_unpause, CMD_ENGINE | CMD_USERNS, NULL, "Unpause the processes in one or more containers" },
  { "history", cmd_image_history, CMD_ENGINE, NULL, "Show history of a specified image" },
  { "image", cmd_group_image, 0, cli_image_commands, "Manage images" },
  { "images", cmd_image_ls, CMD_ENGINE, NULL, "List images in local storage" },
  { "import", cmd_image_import, CMD_ENGINE | CMD_USERNS, NULL, "Import a tarball to create a filesystem image" },
  { "info", cmd_info, CMD_ENGINE, NULL, "Display husk system information" },
  { "init", cmd_container_init, CMD_ENGINE | CMD_USERNS, NULL, "Initialize one or more containers" },
  { "inspect", cmd_inspect, CMD_ENGINE, NULL, "Display the configuration of object denoted by ID" },
  { "load", cmd_image_load, CMD_ENGINE | CMD_USERNS, NULL, "Load image(s) from a tar archive" },
  { "rmi", cmd_image_rm, CMD_ENGINE | CMD_USERNS, NULL, "Removes one or more images from local storage" },
  { "save", cmd_image_save, CMD_ENGINE, NULL, "Save image(s) to an archive" },
  { "system", cmd_group_system, 0, cli_system_commands, "Manage husk" },
  { "tag", cmd_image_tag, CMD_ENGINE, NULL, "Add an additional name to a local image" },
  { "untag", cmd_image_untag, CMD_ENGINE, NULL, "Remove a name from a local image" },
  { "unshare", cmd_unshare, CMD_STOP_AT_ARG, NULL, "Run a command in a modified user namespace" },
  { "version", cmd_version, 0, NULL, "Display the husk version information" },
  { "volume", cmd_group_volume, 0, cli_volume_commands, "Manage volumes" },
  { "commit", cmd_container_commit, CMD_ENGINE | CMD_USERNS, NULL, "Create new image based on the changed container" },
  { "cp", cmd_container_cp, CMD_ENGINE | CMD_USERNS, NULL, "Copy files/folders between a container and the local filesystem" },
  { "diff", cmd_container_diff, CMD_ENGINE | CMD_USERNS, NULL, "Display the changes to the object's file system" },
  { "export", cmd_container_export, CMD_ENGINE | CMD_USERNS, NULL, "Export container's filesystem contents as a tar archive" },
  { "mount", cmd_container_mount, CMD_ENGINE | CMD_USERNS, NULL, "Mount a working container's root filesystem" },
  { "port", cmd_container_port, CMD_ENGINE, NULL, "List port mappings or a specific mapping for the container" },
  { "rename", cmd_container_rename, CMD_ENGINE, NULL, "Rename an existing container" },
  { "umount", cmd_container_unmount, CMD_ENGINE | CMD_USERNS | CMD_HIDDEN, NULL, "Unmount working container's root filesystem" },
  { "unmount", cmd_container_unmount, CMD_ENGINE | CMD_USERNS, NULL, "Unmount working container's root filesystem" },
  { "completion", cmd_completion, 0, NULL, "Generate shell autocompletions" },
  { "__complete", cmd_complete, CMD_HIDDEN | CMD_RAW_ARGS, NULL, "Complete a husk command line (for the completion scripts)" },
  { "__flags", cmd_flags, CMD_HIDDEN | CMD_RAW_ARGS, NULL, "List every flag of every command (for the tests and docs/flags.md)" },
  { NULL, NULL, 0, NULL, NULL },
};

const struct cli_option cli_global_options[] = {
  { "root", 0, OPT_STRING, offsetof (struct cli_global_opts, root), "value",
    "Path to the root directory in which data, including images, is stored" },
  { "runroot", 0, OPT_STRING, offsetof (struct cli_global_opts, runroot), "value",
    "Path to the 'run directory' where all state information is stored" },
  { "storage-driver", 0, OPT_STRING, offsetof (struct cli_global_opts, storage_driver),
    "value", "Select which storage driver is used to manage storage of images and containers" },
  { "storage-opt", 0, OPT_STRV, offsetof (struct cli_global_opts, storage_opt),
    "value", "Used to pass an option to the storage driver" },
  { "log-level", 0, OPT_STRING, offsetof (struct cli_global_opts, log_level), "string",
    "Log messages above specified level (trace, debug, info, warn, warning, error, fatal or panic)" },
  { "runtime", 0, OPT_STRING, offsetof (struct cli_global_opts, runtime), "string",
    "Path to the OCI-compatible binary used to run containers (default: the first of crun "
    "and runc that can run on this host)" },
  { "version", 'v', OPT_BOOL, offsetof (struct cli_global_opts, version), NULL,
    "Version of husk" },
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

static void
print_commands (const char *path, const struct cli_command *cmds, bool top)
{
  printf ("Usage:\n  %s [options] COMMAND\n\nAvailable Commands:\n", path);
  for (; cmds->name; cmds++)
    if (!(cmds->flags & CMD_HIDDEN))
      printf ("  %-14s %s\n", cmds->name, cmds->summary);
  if (!top)
    return;
  printf ("\nOptions:\n");
  for (const struct cli_option *o = cli_global_options; o->type != OPT_END; o++)
    {
      char left[64];
      if (o->short_name)
        snprintf (left, sizeof left, "-%c, --%s %s", o->short_name, o->name,
                  o->arg ? o->arg : "");
      else
        snprintf (left, sizeof left, "    --%s %s", o->name, o->arg ? o->arg : "");
      printf ("  %-30s %s\n", left, o->help);
    }
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

static int
open_engine (struct cli_ctx *ctx)
{
  struct husk_engine_opts o = {
    .root = ctx->g->root,
    .runroot = ctx->g->runroot,
    .storage_driver = ctx->g->storage_driver,
    .storage_opts = ctx->g->storage_opt,
    .runtime = ctx->g->runtime,
  };

  ctx->engine = husk_engine_new (&o, &ctx->err);
  if (ctx->engine == NULL)
    return -1;
  return husk_engine_open (ctx->engine, &ctx->err);
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

/* Length of a global option at argv[i] (1 or 2 words), or 0.  */
static int
global_option_len (char **argv, int i, int argc)
{
  for (const struct cli_option *o = cli_global_options; o->type != OPT_END; o++)
    {
      size_t n = strlen (o->name);
      if (o->type == OPT_BOOL || strncmp (argv[i], "--", 2) != 0
          || strncmp (argv[i] + 2, o->name, n) != 0)
        continue;
      if (argv[i][2 + n] == '=')
        return 1;
      if (argv[i][2 + n] == '\0')
        return i + 1 < argc ? 2 : 1;
    }
  return 0;
}

/* Podman takes global options after the command too ("husk images
   --root X"): move them out of the command's arguments.  */
static int
extract_globals (struct cli_ctx *ctx, int *argc, char **argv, bool stop_at_arg)
{
  for (int i = 1; i < *argc && strcmp (argv[i], "--") != 0;)
    {
      int n = global_option_len (argv, i, *argc);
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

/* Run cmd with argv[0] its own name.  */
static int
run_command (struct cli_ctx *ctx, const struct cli_command *cmd, int argc,
             char **argv)
{
  cleanup_free char *path = husk_asprintf ("%s %s", ctx->cmd_path, cmd->name);
  const char *saved = ctx->cmd_path;
  int r;

  ctx->cmd_path = path;
  if (cmd->flags & CMD_RAW_ARGS)
    r = cmd->fn (ctx, argc - 1, argv + 1); /* its words are data, even "--help" */
  else if (!cmd->sub && extract_globals (ctx, &argc, argv, cmd->flags & CMD_STOP_AT_ARG) < 0)
    r = cli_fail (ctx);
  else if (!cmd->sub && ctx->g->log_level && apply_log_level (ctx) < 0)
    r = log_level_fail (ctx);
  else if (cmd->sub)
    r = cmd->fn (ctx, argc - 1, argv + 1);
  else if (wants_help (argc, argv, cmd->flags & CMD_STOP_AT_ARG))
    r = cmd->fn (ctx, argc - 1, argv + 1); /* prints help; opens nothing */
  else if ((cmd->flags & (CMD_USERNS | CMD_ENGINE)) && husk_userns_join (&ctx->err) < 0)
    r = cli_fail (ctx); /* rootless: the user's namespace, before any thread */
  else if ((cmd->flags & CMD_ENGINE) && open_engine (ctx) < 0)
    r = cli_fail (ctx);
  else
    r = cmd->fn (ctx, argc - 1, argv + 1);
  ctx->cmd_path = saved;
  return r;
}

static int
dispatch (struct cli_ctx *ctx, const struct cli_command *cmds, int argc,
          char **argv)
{
  const struct cli_command *cmd;

  if (argc == 0 || strcmp (argv[0], "--help") == 0 || strcmp (argv[0], "-h") == 0
      || strcmp (argv[0], "help") == 0)
    {
      print_commands (ctx->cmd_path, cmds, cmds == cli_top_commands);
      return argc == 0 && cmds != cli_top_commands ? 125 : 0;
    }
  cmd = find_command (cmds, argv[0]);
  if (cmd == NULL)
    {
      cli_usage_error (ctx, "unrecognized command `%s %s`", ctx->cmd_path, argv[0]);
      return cli_fail (ctx);
    }
  return run_command (ctx, cmd, argc, argv);
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
      if (o->type != OPT_END && o->type != OPT_BOOL && eq == NULL)
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
  r = dispatch (&ctx, cli_top_commands, argc - first, argv + first);
  husk_engine_free (ctx.engine);
  return r;
}
