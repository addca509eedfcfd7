/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The container commands: create, run, start, ps, stop, kill, rm, wait,
   logs, inspect, exists, cleanup.  Flags become a create request (JSON);
   the library validates it and does the work.  */
#include "cli/cli.h"
#include "cli/container_ps.h"
#include "cli/output.h"
#include "cli/targets.h"
#include "container/monitor.h"
#include "container/parse.h"
#include "format/humanize.h"
#include "ops/container.h"
#include "ops/container_logs.h"
#include "ops/container_run.h"
#include "events/events.h"
#include "util/cleanup.h"
#include "util/proc.h"
#include "util/strutil.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

/* ---- create / run ------------------------------------------------------ */

struct create_opts
{
  bool detach, interactive, tty, rm, privileged, read_only, env_host, init, no_healthcheck;
  bool replace, read_only_tmpfs_set, passwd;
  char *name, *workdir, *user, *entrypoint, *hostname, *memory, *memory_swap, *cpus;
  char *cpu_shares, *cpuset_cpus, *pids_limit, *restart, *network, *pid, *ipc, *uts;
  char *init_path, *log_driver, *stop_signal, *stop_timeout, *health_cmd;
  char *health_interval, *health_retries, *health_timeout, *health_start_period;
  char *health_on_failure, *shm_size, *tz, *cidfile, *detach_keys, *passwd_entry;
  char *read_only_tmpfs, *sig_proxy, *runtime, *group_entry;
  char **env, **env_file, **volume, **mount, **tmpfs, **cap_add, **cap_drop;
  char **security_opt, **ulimit, **label, **label_file, **annotation, **log_opt;
  char **device, **group_add, **sysctl, **env_merge;
};

#define O(field) offsetof (struct create_opts, field)
static const struct cli_option create_options[] = {
  { "annotation", 0, OPT_STRV, O (annotation), "key=value", "Add annotations to container (key=value)" },
  { "cap-add", 0, OPT_STRV, O (cap_add), "stringArray", "Add capabilities to the container" },
  { "cap-drop", 0, OPT_STRV, O (cap_drop), "stringArray", "Drop capabilities from the container" },
  { "cidfile", 0, OPT_STRING, O (cidfile), "string", "Write the container ID to the file" },
  { "cpu-shares", 'c', OPT_STRING, O (cpu_shares), "uint", "CPU shares (relative weight)" },
  { "cpus", 0, OPT_STRING, O (cpus), "float", "Number of CPUs. The default is 0.000 which means no limit" },
  { "cpuset-cpus", 0, OPT_STRING, O (cpuset_cpus), "string", "CPUs in which to allow execution (0-3, 0,1)" },
  OPTION_REFUSED ("gpus", 0, "GPU devices need the NVIDIA container toolkit (CDI), which husk does not support"),
  { "detach", 'd', OPT_BOOL, O (detach), NULL, "Run container in background and print container ID" },
  { "detach-keys", 0, OPT_STRING, O (detach_keys), "string", "Override the key sequence for detaching a container" },
  { "device", 0, OPT_STRV, O (device), "stringArray", "Add a host device to the container" },
  { "entrypoint", 0, OPT_STRING, O (entrypoint), "string", "Overwrite the default ENTRYPOINT of the image" },
  { "env", 'e', OPT_STRV, O (env), "stringArray", "Set environment variables in container" },
  { "env-file", 0, OPT_STRV, O (env_file), "stringArray", "Read in a file of environment variables" },
  { "env-host", 0, OPT_BOOL, O (env_host), NULL, "Use all current host environment variables in container" },
  { "env-merge", 0, OPT_STRV, O (env_merge), "stringArray", "Preprocess environment variables from image before injecting them into the container" },
  { "group-add", 0, OPT_STRV, O (group_add), "strings", "Add additional groups to the primary container process" },
  { "group-entry", 0, OPT_STRING, O (group_entry), "string", "Entry to write to /etc/group" },
  { "health-cmd", 0, OPT_STRING, O (health_cmd), "string", "set a healthcheck command for the container ('none' disables the existing healthcheck)" },
  { "health-interval", 0, OPT_STRING, O (health_interval), "string", "set an interval for the healthcheck" },
  { "health-on-failure", 0, OPT_STRING, O (health_on_failure), "string", "action to take once the container turns unhealthy" },
  { "health-retries", 0, OPT_STRING, O (health_retries), "uint", "the number of retries allowed before a healthcheck is considered to be unhealthy" },
  { "health-start-period", 0, OPT_STRING, O (health_start_period), "string", "the initialization time needed for a container to bootstrap" },
  { "health-timeout", 0, OPT_STRING, O (health_timeout), "string", "the maximum time allowed to complete the healthcheck before an interval is considered failed" },
  { "hostname", 'h', OPT_STRING, O (hostname), "string", "Set container hostname" },
  { "init", 0, OPT_BOOL, O (init), NULL, "Run an init binary inside the container that forwards signals and reaps processes" },
  { "init-path", 0, OPT_STRING, O (init_path), "string", "Path to the container-init binary" },
  { "interactive", 'i', OPT_BOOL, O (interactive), NULL, "Keep STDIN open even if not attached" },
  { "ipc", 0, OPT_STRING, O (ipc), "string", "IPC namespace to use" },
  { "label", 'l', OPT_STRV, O (label), "stringArray", "Set metadata on container" },
  { "label-file", 0, OPT_STRV, O (label_file), "stringArray", "Read in a line delimited file of labels" },
  { "log-driver", 0, OPT_STRING, O (log_driver), "string", "Logging driver for the container" },
  { "log-opt", 0, OPT_STRV, O (log_opt), "stringArray", "Logging driver options" },
  { "memory", 'm', OPT_STRING, O (memory), "string", "Memory limit (format: <number>[<unit>], where unit = b (bytes), k (kibibytes), m (mebibytes), or g (gibibytes))" },
  { "memory-swap", 0, OPT_STRING, O (memory_swap), "string", "Swap limit equal to memory plus swap: '-1' to enable unlimited swap" },
  { "mount", 0, OPT_STRV, O (mount), "stringArray", "Attach a filesystem mount to the container" },
  { "name", 0, OPT_STRING, O (name), "string", "Assign a name to the container" },
  { "network", 0, OPT_STRING, O (network), "string", "Connect a container to a network (none, host, container:NAME, ns:PATH)" },
  { "net", 0, OPT_STRING, O (network), "string", "Alias of --network" },
  { "no-healthcheck", 0, OPT_BOOL, O (no_healthcheck), NULL, "Disable healthchecks on container" },
  { "passwd", 0, OPT_BOOL, O (passwd), NULL, "add entries to /etc/passwd and /etc/group (default true)" },
  { "passwd-entry", 0, OPT_STRING, O (passwd_entry), "string", "Entry to write to /etc/passwd" },
  { "pid", 0, OPT_STRING, O (pid), "string", "PID namespace to use" },
  { "pids-limit", 0, OPT_STRING, O (pids_limit), "int", "Tune container pids limit (set -1 for unlimited)" },
  { "privileged", 0, OPT_BOOL, O (privileged), NULL, "Give extended privileges to container" },
  { "read-only", 0, OPT_BOOL, O (read_only), NULL, "Make containers root filesystem read-only" },
  { "read-only-tmpfs", 0, OPT_STRING, O (read_only_tmpfs), "bool", "When running containers in read-only mode mount a read-write tmpfs on /run, /tmp and /var/tmp" },
  { "replace", 0, OPT_BOOL, O (replace), NULL, "If a container with the same name exists, replace it" },
  { "restart", 0, OPT_STRING, O (restart), "string", "Restart policy to apply when a container exits (\"always\"|\"no\"|\"on-failure\"|\"unless-stopped\")" },
  { "rm", 0, OPT_BOOL, O (rm), NULL, "Remove container (and pod if created) after exit" },
  { "runtime", 0, OPT_STRING, O (runtime), "string", "Path to the OCI-compatible binary used to run containers" },
  { "security-opt", 0, OPT_STRV, O (security_opt), "stringArray", "Security Options" },
  { "shm-size", 0, OPT_STRING, O (shm_size), "string", "Size of /dev/shm (format: <number>[<unit>])" },
  { "sig-proxy", 0, OPT_STRING, O (sig_proxy), "bool", "Proxy received signals to the process (default true)" },
  { "stop-signal", 0, OPT_STRING, O (stop_signal), "string", "Signal to stop a container. Default is SIGTERM" },
  { "stop-timeout", 0, OPT_STRING, O (stop_timeout), "uint", "Timeout (in seconds) that containers stopped by user command have to exit. If exceeded, the container will be forcibly stopped via SIGKILL" },
  { "sysctl", 0, OPT_STRV, O (sysctl), "strings", "Sysctl options" },
  { "tmpfs", 0, OPT_STRV, O (tmpfs), "tmpfs", "Mount a temporary filesystem (tmpfs) into a container" },
  { "tty", 't', OPT_BOOL, O (tty), NULL, "Allocate a pseudo-TTY for container" },
  { "tz", 0, OPT_STRING, O (tz), "string", "Set timezone in container" },
  { "ulimit", 0, OPT_STRV, O (ulimit), "strings", "Ulimit options" },
  { "user", 'u', OPT_STRING, O (user), "string", "Username or UID (format: <name|uid>[:<group|gid>])" },
  { "uts", 0, OPT_STRING, O (uts), "string", "UTS namespace to use" },
  { "volume", 'v', OPT_STRV, O (volume), "stringArray", "Bind mount a volume into the container" },
  { "workdir", 'w', OPT_STRING, O (workdir), "string", "Working directory inside the container" },
  OPTION_END,
};
#undef O

static json_t *
strv_json (char **v)
{
  json_t *a = json_array ();

  for (size_t i = 0; v && v[i]; i++)
    json_array_append_new (a, json_string (v[i]));
  return a;
}

static json_t *
request (struct create_opts *o, char **command)
{
  json_t *r = json_object ();

#define S(key, val) if (val) json_object_set_new (r, key, json_string (val))
#define B(key, val) json_object_set_new (r, key, json_boolean (val))
#define A(key, val) json_object_set_new (r, key, strv_json (val))
  S ("name", o->name); S ("workdir", o->workdir); S ("user", o->user);
  S ("hostname", o->hostname); S ("memory", o->memory); S ("memory_swap", o->memory_swap);
  S ("cpus", o->cpus); S ("cpu_shares", o->cpu_shares); S ("cpuset_cpus", o->cpuset_cpus);
  S ("pids_limit", o->pids_limit); S ("restart", o->restart); S ("network", o->network);
  S ("pid", o->pid); S ("ipc", o->ipc); S ("uts", o->uts); S ("init_path", o->init_path);
  S ("log_driver", o->log_driver); S ("stop_signal", o->stop_signal);
  S ("stop_timeout", o->stop_timeout); S ("health_cmd", o->health_cmd);
  S ("health_interval", o->health_interval); S ("health_retries", o->health_retries);
  S ("health_timeout", o->health_timeout); S ("health_start_period", o->health_start_period);
  S ("health_on_failure", o->health_on_failure); S ("shm_size", o->shm_size); S ("tz", o->tz);
  S ("detach_keys", o->detach_keys); S ("passwd_entry", o->passwd_entry);
  S ("runtime", o->runtime); S ("group_entry", o->group_entry); B ("passwd", o->passwd);
  B ("tty", o->tty); B ("interactive", o->interactive); B ("rm", o->rm);
  B ("privileged", o->privileged); B ("read_only", o->read_only); B ("env_host", o->env_host);
  B ("init", o->init); B ("no_healthcheck", o->no_healthcheck); B ("detach", o->detach);
  if (o->read_only_tmpfs)
    B ("read_only_tmpfs", strcmp (o->read_only_tmpfs, "false") != 0);
  A ("env", o->env); A ("env_file", o->env_file); A ("volumes", o->volume);
  A ("mounts", o->mount); A ("tmpfs", o->tmpfs); A ("cap_add", o->cap_add);
  A ("cap_drop", o->cap_drop); A ("security_opt", o->security_opt); A ("ulimits", o->ulimit);
  A ("labels", o->label); A ("label_file", o->label_file); A ("annotations", o->annotation);
  A ("log_opts", o->log_opt); A ("devices", o->device); A ("group_add", o->group_add);
  A ("sysctls", o->sysctl); A ("command", command); A ("env_merge", o->env_merge);
  if (o->entrypoint)
    json_object_set_new (r, "entrypoint", json_string (o->entrypoint));
#undef S
#undef B
#undef A
  return r;
}

/* Parse run/create flags; the first positional is the image, the rest the
   command.  Return: 0 with *image, *req set, 1 after --help, or -1.  */
static int
parse_create (struct cli_ctx *ctx, int argc, char **argv, struct create_opts *o,
              char **image, json_t **req, char ***rest)
{
  int r;

  o->passwd = true; /* --passwd defaults to true */
  r = cli_parse (ctx, create_options, o, argc, argv, false, rest,
                 "[options] IMAGE [COMMAND [ARG...]]");

  if (r != 0)
    return r;
  if ((*rest)[0] == NULL)
    return cli_usage_error (ctx, "requires at least 1 arg(s), only received 0");
  *image = (*rest)[0];
  *req = request (o, *rest + 1);
  json_object_set_new (*req, "create_command", cli_command_line ());
  if (o->cidfile)
    json_object_set_new (*req, "cidfile", json_string (o->cidfile));
  return 0;
}

static int
create_one (struct cli_ctx *ctx, struct create_opts *o, const char *image, json_t *req,
            char **id)
{
  return husk_op_container_create_with (ctx->engine, image, req, &(struct husk_create_opts){
                                          .cidfile = o->cidfile, .replace = o->replace },
                                        id, &ctx->err);
}

int
cmd_container_create (struct cli_ctx *ctx, int argc, char **argv)
{
  struct create_opts o = { 0 };
  CLI_OPTIONS_OWNED (create_options, o);
  cleanup_free char **rest = NULL;
  cleanup_json json_t *req = NULL;
  cleanup_free char *id = NULL;
  char *image;
  int r = parse_create (ctx, argc, argv, &o, &image, &req, &rest);

  if (r != 0)
    return r < 0 ? cli_fail (ctx) : 0;
  if (create_one (ctx, &o, image, req, &id) < 0)
    return cli_fail (ctx);
  puts (id);
  return 0;
}

/* --sig-proxy: signals husk receives while attached go to the container's
   init, through a pidfd of exactly the process recorded (util/proc.h): if
   it exits and its pid is reused meanwhile, the signal reaches no one.
   The syscall is async-signal-safe; the descriptor is set before
   attaching.  */
static volatile int proxy_fd = -1;

static void
proxy_signal (int sig)
{
  if (proxy_fd >= 0)
    syscall (SYS_pidfd_send_signal, proxy_fd, sig, NULL, 0);
}

void
cli_sig_proxy_install (const struct husk_container_rec *r)
{
  static const int sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2 };
  struct husk_proc_id p = { .pid = r->pid, .start = r->pid_start, .boot_id = r->boot_id };
  struct sigaction sa = { .sa_handler = proxy_signal };

  cli_sig_proxy_remove ();
  proxy_fd = husk_proc_open (&p);
  if (proxy_fd < 0)
    return;
  sigemptyset (&sa.sa_mask); /* no SA_RESTART: the attach loop wakes up */
  for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
    sigaction (sigs[i], &sa, NULL);
}

void
cli_sig_proxy_remove (void)
{
  int fd = proxy_fd;

  proxy_fd = -1;
  if (fd >= 0)
    close (fd);
}

/* run's started() hook: proxy signals to the container now running.  */
static void
sig_proxy_started (void *data, const struct husk_container_rec *r)
{
  (void) data;
  cli_sig_proxy_install (r);
}

/* Print what cleaning up after the exit could not do (the exit status is
   the container's all the same).  */
static void
report_cleanup (const char *id, husk_error_t *cerr)
{
  if (*cerr == NULL)
    return;
  fprintf (stderr, "Error: clean up container %s: %s\n", id, (*cerr)->msg);
  husk_error_release (cerr);
}

/* The status of run or start -a from what attaching returned.  */
static int
attached_status (struct cli_ctx *ctx, int code)
{
  if (code == HUSK_ATTACH_DETACHED)
    return 0;
  if (code < 0)
    return cli_fail (ctx);
  return code;
}

/* A failed start: its status; a --rm container goes again.  */
static int
run_start_failed (struct cli_ctx *ctx, const struct create_opts *o, const char *id, int hint)
{
  cli_fail (ctx);
  if (o->rm)
    husk_op_container_remove (ctx->engine, id, true, false, 0, NULL);
  return hint;
}

/* --log-driver passthrough: the container has our stdio and no attach
   stream carries its exit code: wait for it, then remove the container
   ourselves (--rm was kept from the monitor).  */
static int
run_passthrough (struct cli_ctx *ctx, const struct create_opts *o, const char *id)
{
  int hint = 125, code, afd = -1;

  if (husk_op_container_start (ctx->engine, id, &afd, &hint, &ctx->err) < 0)
    return run_start_failed (ctx, o, id, hint);
  if (afd >= 0)
    close (afd);
  if (husk_op_container_wait (ctx->engine, id, NULL, &code, &ctx->err) < 0)
    return cli_fail (ctx);
  if (o->rm)
    husk_op_container_remove (ctx->engine, id, true, true, 0, NULL);
  return code;
}

int
cmd_container_run (struct cli_ctx *ctx, int argc, char **argv)
{
  struct create_opts o = { 0 };
  CLI_OPTIONS_OWNED (create_options, o);
  cleanup_free char **rest = NULL;
  cleanup_json json_t *req = NULL;
  cleanup_free char *id = NULL;
  husk_error_t cerr = NULL;
  char *image;
  int hint = 125, code;
  bool passthrough, proxy;
  int r = parse_create (ctx, argc, argv, &o, &image, &req, &rest);

  if (r != 0)
    return r < 0 ? cli_fail (ctx) : 0;
  if (o.tty && o.interactive && !isatty (0) && !o.detach)
    fprintf (stderr, "WARN[0000] The input device is not a TTY. The --tty and --interactive "
             "flags might not work properly\n");
  passthrough = o.log_driver && strcmp (o.log_driver, "passthrough") == 0 && !o.detach;
  if (passthrough && o.rm)
    json_object_set_new (req, "rm", json_false ());
  if (create_one (ctx, &o, image, req, &id) < 0)
    return cli_fail (ctx);
  if (o.detach)
    {
      if (husk_op_container_start (ctx->engine, id, NULL, &hint, &ctx->err) < 0)
        return run_start_failed (ctx, &o, id, hint);
      puts (id);
      return 0;
    }
  if (passthrough)
    return run_passthrough (ctx, &o, id);
  /* With a tty, ctrl-c reaches the container through the terminal.  */
  proxy = !o.tty && (o.sig_proxy == NULL || strcmp (o.sig_proxy, "false") != 0);
  code = husk_op_container_start_attached (ctx->engine, id, &(struct husk_start_attach_opts){
                                             .in_fd = o.interactive ? 0 : -1, .out_fd = 1,
                                             .err_fd = 2, .detach_keys = o.detach_keys,
                                             .started = proxy ? sig_proxy_started : NULL,
                                             .cleanup_err = &cerr }, &hint, &ctx->err);
  report_cleanup (id, &cerr);
  if (code < 0 && hint != 0)
    return run_start_failed (ctx, &o, id, hint);
  return attached_status (ctx, code);
}

/* ---- start ------------------------------------------------------------- */

struct start_opts
{
  bool attach, interactive, all, latest;
  char *detach_keys, *sig_proxy;
};

static int
start_attached (struct cli_ctx *ctx, struct start_opts *o, const char *id)
{
  husk_error_t cerr = NULL;
  int hint, code;

  code = husk_op_container_start_attached (ctx->engine, id, &(struct husk_start_attach_opts){
                                             .in_fd = o->interactive ? 0 : -1, .out_fd = 1,
                                             .err_fd = 2, .detach_keys = o->detach_keys,
                                             .cleanup_err = &cerr }, &hint, &ctx->err);
  report_cleanup (id, &cerr);
  if (code < 0 && hint != 0)
    husk_error_wrap (&ctx->err, "unable to start container %s", id);
  return attached_status (ctx, code);
}

int
cmd_container_start (struct cli_ctx *ctx, int argc, char **argv)
{
  static const struct cli_option opts[] = {
    { "all", 0, OPT_BOOL, offsetof (struct start_opts, all), NULL, "Start all containers regardless of their state or configuration" },
    { "attach", 'a', OPT_BOOL, offsetof (struct start_opts, attach), NULL, "Attach container's STDOUT and STDERR" },
    { "detach-keys", 0, OPT_STRING, offsetof (struct start_opts, detach_keys), "string", "Select the key sequence for detaching a container" },
    { "interactive", 'i', OPT_BOOL, offsetof (struct start_opts, interactive), NULL, "Keep STDIN open even if not attached" },
    { "latest", 'l', OPT_BOOL, offsetof (struct start_opts, latest), NULL, "Act on the latest container husk is aware of" },
    { "sig-proxy", 0, OPT_STRING, offsetof (struct start_opts, sig_proxy), "bool", "Proxy received signals to the process" },
    OPTION_END,
  };
  struct start_opts o = { 0 };
  struct cli_targets t;
  int hint, r;

  PARSE (opts, o, "[options] CONTAINER [CONTAINER...]", true);
  if (o.attach && o.all)
    return husk_error_makex (&ctx->err, EINVAL, "you cannot start and attach all containers "
                             "at once"), cli_fail (ctx);
  if (o.attach && args[0] && args[1])
    return husk_error_makex (&ctx->err, EINVAL, "you cannot start and attach multiple "
                             "containers at once"), cli_fail (ctx);
  if (cli_targets_collect (ctx, args, &(struct cli_target_opts){
                             .all = o.all, .latest = o.latest, .filter = CLI_ALL_NOT_RUNNING,
                             .no_args = "start requires at least one argument",
                             .all_and_args = "either start all containers or the container(s) "
                                             "provided in the arguments" }, &t) < 0)
    return cli_fail (ctx);
  if (o.attach && t.n == 1)
    {
      cleanup_free char *id = husk_xstrdup (t.v[0].id);
      cli_targets_release (&t);
      return start_attached (ctx, &o, id);
    }
  for (size_t i = 0; i < t.n; i++)
    {
      r = husk_op_container_start (ctx->engine, t.v[i].id, NULL, &hint, &ctx->err);
      if (r < 0)
        {
          husk_error_wrap (&ctx->err, "unable to start container \"%s\"", t.v[i].id);
          cli_targets_defer (ctx, &t, 125);
        }
      else if (r == 0)
        puts (t.v[i].ref); /* 1: it was running already, and is not named */
    }
  return cli_targets_finish (&t);
}

/* ---- stop, kill, rm, wait ------------------------------------------------ */

struct stop_opts
{
  bool all, ignore, force, volumes, latest;
  long time;
  char *signal, *interval;
  char **condition;
};

int
cmd_container_stop (struct cli_ctx *ctx, int argc, char **argv)
{
  static const struct cli_option opts[] = {
    { "all", 'a', OPT_BOOL, offsetof (struct stop_opts, all), NULL, "Stop all running containers" },
    { "ignore", 'i', OPT_BOOL, offsetof (struct stop_opts, ignore), NULL, "Ignore errors when a specified container is missing" },
    { "latest", 'l', OPT_BOOL, offsetof (struct stop_opts, latest), NULL, "Act on the latest container husk is aware of" },
    { "time", 't', OPT_INT, offsetof (struct stop_opts, time), "int", "Seconds to wait for stop before killing the container" },
    OPTION_END,
  };
  struct stop_opts o = { .time = -1 };
  struct cli_targets t;

  PARSE (opts, o, "[options] CONTAINER [CONTAINER...]", true);
  if (cli_targets_collect (ctx, args, &(struct cli_target_opts){ .all = o.all, .latest = o.latest,
                                                                 .ignore = o.ignore }, &t) < 0)
    return cli_fail (ctx);
  for (size_t i = 0; i < t.n; i++)
    {
      if (husk_op_container_stop (ctx->engine, t.v[i].id, (int) o.time, &ctx->err) < 0)
        cli_targets_defer (ctx, &t, 125);
      else
        puts (t.v[i].ref);
    }
  return cli_targets_finish (&t);
}

int
cmd_container_kill (struct cli_ctx *ctx, int argc, char **argv)
{
  static const struct cli_option opts[] = {
    { "all", 'a', OPT_BOOL, offsetof (struct stop_opts, all), NULL, "Signal all running containers" },
    { "latest", 'l', OPT_BOOL, offsetof (struct stop_opts, latest), NULL, "Act on the latest container husk is aware of" },
    { "signal", 's', OPT_STRING, offsetof (struct stop_opts, signal), "string", "Signal to send to the container" },
    OPTION_END,
  };
  struct stop_opts o = { 0 };
  struct cli_targets t;
  int sig = SIGKILL;

  PARSE (opts, o, "[options] CONTAINER [CONTAINER...]", true);
  if (o.signal && husk_parse_signal (o.signal, &sig, &ctx->err) < 0)
    return cli_fail (ctx);
  if (cli_targets_collect (ctx, args, &(struct cli_target_opts){ .all = o.all, .latest = o.latest,
                                                                 .filter = CLI_ALL_ACTIVE }, &t) < 0)
    return cli_fail (ctx);
  for (size_t i = 0; i < t.n; i++)
    {
      if (husk_op_container_kill (ctx->engine, t.v[i].id, sig, &ctx->err) < 0)
        cli_targets_defer (ctx, &t, 125);
      else
        puts (t.v[i].ref);
    }
  return cli_targets_finish (&t);
}

/* Podman's exit status of rm: 1 once a container was missing, 2 for one
   in use, else 125.  */
static int
rm_status (int status, int code)
{
  if (status == 1 || code == ENOENT)
    return 1;
  if (code == EBUSY)
    return 2;
  return status ? status : 125;
}

int
cmd_container_rm (struct cli_ctx *ctx, int argc, char **argv)
{
  static const struct cli_option opts[] = {
    { "all", 'a', OPT_BOOL, offsetof (struct stop_opts, all), NULL, "Remove all containers" },
    { "force", 'f', OPT_BOOL, offsetof (struct stop_opts, force), NULL, "Force removal of a running or unusable container" },
    { "ignore", 'i', OPT_BOOL, offsetof (struct stop_opts, ignore), NULL, "Ignore errors when a specified container is missing" },
    { "latest", 'l', OPT_BOOL, offsetof (struct stop_opts, latest), NULL, "Act on the latest container husk is aware of" },
    { "time", 't', OPT_INT, offsetof (struct stop_opts, time), "int", "Seconds to wait for stop before killing the container" },
    { "volumes", 'v', OPT_BOOL, offsetof (struct stop_opts, volumes), NULL, "Remove anonymous volumes associated with the container" },
    OPTION_END,
  };
  struct stop_opts o = { .time = -1 };
  struct cli_targets t;

  PARSE (opts, o, "[options] CONTAINER [CONTAINER...]", true);
  if (cli_targets_collect (ctx, args, &(struct cli_target_opts){ .all = o.all, .latest = o.latest,
                                                                 .ignore = o.ignore }, &t) < 0)
    {
      int code = ctx->err->code;
      /* Podman: with --force a missing name makes rm do nothing, quietly. */
      if (code == ENOENT && o.force)
        return husk_error_release (&ctx->err), 0;
      cli_fail (ctx);
      return code == ENOENT ? 1 : 125;
    }
  for (size_t i = 0; i < t.n; i++)
    {
      if (husk_op_container_remove (ctx->engine, t.v[i].id, o.force, o.volumes, (int) o.time,
                                    &ctx->err) < 0)
        cli_targets_defer (ctx, &t, rm_status (t.status, ctx->err->code));
      else
        puts (t.v[i].ref);
    }
  return cli_targets_finish (&t);
}

int
cmd_container_wait (struct cli_ctx *ctx, int argc, char **argv)
{
  static const struct cli_option opts[] = {
    { "condition", 0, OPT_STRV, offsetof (struct stop_opts, condition), "strings", "Condition to wait on" },
    { "ignore", 0, OPT_BOOL, offsetof (struct stop_opts, ignore), NULL, "Ignore if a container does not exist" },
    { "interval", 'i', OPT_STRING, offsetof (struct stop_opts, interval), "string", "Time Interval to wait before polling for completion" },
    { "latest", 'l', OPT_BOOL, offsetof (struct stop_opts, latest), NULL, "Act on the latest container husk is aware of" },
    OPTION_END,
  };
  struct stop_opts o = { 0 };
  struct cli_targets t;

  PARSE (opts, o, "[options] CONTAINER [CONTAINER...]", true);
  /* --ignore keeps missing names in place: they print -1 (Podman 4.6).  */
  if (cli_targets_collect (ctx, args, &(struct cli_target_opts){
                             .latest = o.latest, .keep_going = o.ignore,
                             .no_args = "\"husk wait\" requires a name, id, or the \"--latest\" flag" },
                           &t) < 0)
    return cli_fail (ctx);
  for (size_t i = 0, k = 0; o.latest ? i < 1 : args[i] != NULL; i++)
    {
      int code;
      if (k >= t.n || (!o.latest && strcmp (t.v[k].ref, args[i]) != 0))
        {
          puts ("-1");
          continue;
        }
      if (husk_op_container_wait (ctx->engine, t.v[k++].id, o.condition ? o.condition[0] : NULL,
                                  &code, &ctx->err) < 0)
        cli_targets_defer (ctx, &t, 125);
      else
        printf ("%d\n", code);
    }
  return cli_targets_finish (&t);
}

/* ---- logs -------------------------------------------------------------- */

struct logs_opts
{
  bool follow, timestamps, names, latest;
  char *since, *until, *tail;
};

struct log_print
{
  const char *prefix;
  bool timestamps;
};

static void
print_log (void *ctx, const char *stream, int64_t ts_ns, const char *data, size_t len,
           bool partial)
{
  struct log_print *p = ctx;
  FILE *out = strcmp (stream, "stderr") == 0 ? stderr : stdout;

  (void) partial;
  if (p->prefix)
    fprintf (out, "%s ", p->prefix);
  if (p->timestamps)
    {
      char ts[HUSK_TIMESTAMP_LEN];
      husk_timestamp_format (ts, ts_ns);
      fprintf (out, "%s ", ts);
    }
  fwrite (data, 1, len, out);
  fflush (out);
}

static int
parse_time_arg (const char *s, int64_t *ns, husk_error_t *err)
{
  int64_t d, t;

  if (s == NULL)
    return *ns = 0, 0;
  if ((t = husk_timestamp_parse (s, strlen (s))) >= 0)
    return *ns = t, 0;
  {
    /* A bare number is a Unix time ("0": from the beginning).  */
    char *end;
    long long sec = strtoll (s, &end, 10);
    if (*end == '\0' && end != s)
      return *ns = sec * 1000000000LL, 0;
  }
  if (husk_parse_duration (s, &d, NULL) == 0)
    return *ns = husk_now_ns () - d, 0;
  return husk_error_makex (err, EINVAL, "invalid time \"%s\": use RFC 3339, a Unix "
                           "timestamp or a duration such as 10m", s);
}

int
cmd_container_logs (struct cli_ctx *ctx, int argc, char **argv)
{
  static const struct cli_option opts[] = {
    { "follow", 'f', OPT_BOOL, offsetof (struct logs_opts, follow), NULL, "Follow log output" },
    { "latest", 'l', OPT_BOOL, offsetof (struct logs_opts, latest), NULL, "Act on the latest container" },
    { "names", 'n', OPT_BOOL, offsetof (struct logs_opts, names), NULL, "Output the container name in the log" },
    { "since", 0, OPT_STRING, offsetof (struct logs_opts, since), "string", "Show logs since TIMESTAMP" },
    { "tail", 0, OPT_STRING, offsetof (struct logs_opts, tail), "int", "Output the specified number of LINES at the end of the logs" },
    { "timestamps", 't', OPT_BOOL, offsetof (struct logs_opts, timestamps), NULL, "Output the timestamps in the log" },
    { "until", 0, OPT_STRING, offsetof (struct logs_opts, until), "string", "Show logs until TIMESTAMP" },
    OPTION_END,
  };
  struct logs_opts o = { 0 };
  struct husk_logs_opts lo = { .tail = -1 };
  cleanup_targets struct cli_targets t = { 0 };
  bool several;

  PARSE (opts, o, "[options] CONTAINER [CONTAINER...]", true);
  if (cli_targets_collect (ctx, args, &(struct cli_target_opts){
                             .latest = o.latest,
                             .no_args = "specify at least one container name or ID to log" },
                           &t) < 0)
    return cli_fail (ctx);
  if (parse_time_arg (o.since, &lo.since_ns, &ctx->err) < 0
      || parse_time_arg (o.until, &lo.until_ns, &ctx->err) < 0)
    return cli_fail (ctx);
  if (o.tail)
    {
      char *end;
      lo.tail = strtol (o.tail, &end, 10);
      if (*end || end == o.tail)
        return cli_usage_error (ctx, "invalid argument \"%s\" for \"--tail\" flag", o.tail),
               cli_fail (ctx);
    }
  several = t.n > 1;
  for (size_t i = 0; i < t.n; i++)
    {
      cleanup_free char *prefix = NULL;
      struct log_print p = { .timestamps = o.timestamps };
      if (o.names || several)
        prefix = o.names ? husk_xstrdup (t.v[i].ref) : husk_xstrndup (t.v[i].id, 12);
      p.prefix = prefix;
      lo.follow = o.follow;
      if (husk_op_container_logs (ctx->engine, t.v[i].id, &lo, print_log, &p, &ctx->err) < 0)
        return cli_fail (ctx);
    }
  return 0;
}

/* ---- inspect, exists, cleanup -------------------------------------------- */

struct cinspect_opts
{
  char *format;
  bool size, latest;
};

int
cmd_container_inspect (struct cli_ctx *ctx, int argc, char **argv)
{
  static const struct cli_option opts[] = {
    { "format", 'f', OPT_STRING, offsetof (struct cinspect_opts, format), "string", "Format the output to a Go template or json" },
    { "latest", 'l', OPT_BOOL, offsetof (struct cinspect_opts, latest), NULL, "Act on the latest container" },
    { "size", 's', OPT_BOOL, offsetof (struct cinspect_opts, size), NULL, "Display total file size" },
    OPTION_END,
  };
  struct cinspect_opts o = { 0 };
  cleanup_strv char **errors = NULL;
  cleanup_targets struct cli_targets t = { 0 };
  char *latest[2] = { NULL, NULL }, **refs;

  PARSE (opts, o, "[options] CONTAINER [CONTAINER...]", true);
  refs = cli_inspect_refs (ctx, args, o.latest, &t, latest, &errors);
  if (refs == NULL)
    return cli_fail (ctx);
  return cli_inspect_objects (ctx, refs, "container", o.size, o.format, &errors);
}

int
cmd_container_exists (struct cli_ctx *ctx, int argc, char **argv)
{
  static const struct cli_option opts[] = { OPTION_END };
  struct cinspect_opts o = { 0 };
  cleanup_free char *id = NULL;

  PARSE (opts, o, "CONTAINER", true);
  if (husk_strv_len (args) != 1)
    return cli_usage_error (ctx, "accepts 1 arg(s), received %zu", husk_strv_len (args)), cli_fail (ctx);
  if (husk_op_container_resolve (ctx->engine, args[0], &id, &ctx->err) < 0)
    {
      bool missing = ctx->err->code == ENOENT;
      if (missing)
        return husk_error_release (&ctx->err), 1;
      return cli_fail (ctx);
    }
  return 0;
}

struct cleanup_opts
{
  bool by_monitor, restarting;
};

/* Who runs the cleanup: the monitor's exit command says so with the
   hidden --by-monitor (and --restarting before a restart by policy).  A
   monitor that puts HUSK_MONITOR_RESTARTING=0/1 into the exit command's
   environment is one too: monitors spawned by an older husk, still
   watching containers across an upgrade, say it only that way.  */
static unsigned
cleanup_flags (const struct cleanup_opts *o)
{
  const char *env = getenv ("HUSK_MONITOR_RESTARTING");
  unsigned flags = HUSK_CLEANUP_DEFAULT;

  if (o->by_monitor || env)
    flags |= HUSK_CLEANUP_BY_MONITOR;
  if (o->restarting || (env && strcmp (env, "1") == 0))
    flags |= HUSK_CLEANUP_BY_MONITOR | HUSK_CLEANUP_RESTARTING;
  return flags;
}

int
cmd_container_cleanup (struct cli_ctx *ctx, int argc, char **argv)
{
  /* No help text: hidden from --help and completion.  */
  static const struct cli_option opts[] = {
    { "by-monitor", 0, OPT_BOOL, offsetof (struct cleanup_opts, by_monitor), NULL, NULL },
    { "restarting", 0, OPT_BOOL, offsetof (struct cleanup_opts, restarting), NULL, NULL },
    OPTION_END,
  };
  struct cleanup_opts o = { 0 };
  unsigned flags;

  PARSE (opts, o, "CONTAINER", true);
  if (args[0] == NULL)
    return cli_usage_error (ctx, "you must provide at least one container name or id"), cli_fail (ctx);
  flags = cleanup_flags (&o);
  for (size_t i = 0; args[i]; i++)
    if (husk_op_container_cleanup (ctx->engine, args[i], flags, &ctx->err) < 0)
      return cli_fail (ctx);
  return 0;
}

const struct cli_command cli_container_commands[] = {
  { "cleanup", cmd_container_cleanup, CMD_ENGINE | CMD_USERNS, NULL, "Clean up network and mountpoints of one or more containers" },
  { "create", cmd_container_create, CMD_ENGINE | CMD_USERNS | CMD_STOP_AT_ARG, NULL, "Create but do not start a container" },
  { "exists", cmd_container_exists, CMD_ENGINE, NULL, "Check if a container exists in local storage" },
  { "init", cmd_container_init, CMD_ENGINE | CMD_USERNS, NULL, "Initialize one or more containers" },
  { "inspect", cmd_container_inspect, CMD_ENGINE, NULL, "Display the configuration of a container" },
  { "kill", cmd_container_kill, CMD_ENGINE | CMD_USERNS, NULL, "Kill one or more running containers with a specific signal" },
  { "list", cmd_container_ps, CMD_ENGINE | CMD_HIDDEN, NULL, "List containers" },
  { "logs", cmd_container_logs, CMD_ENGINE, NULL, "Fetch the logs of one or more containers" },
  { "ls", cmd_container_ps, CMD_ENGINE, NULL, "List containers" },
  { "ps", cmd_container_ps, CMD_ENGINE | CMD_HIDDEN, NULL, "List containers" },
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
  { "commit", cmd_container_commit, CMD_ENGINE | CMD_USERNS, NULL, "Create new image based on the changed container" },
  { "cp", cmd_container_cp, CMD_ENGINE | CMD_USERNS, NULL, "Copy files/folders between a container and the local filesystem" },
  { "diff", cmd_container_diff, CMD_ENGINE | CMD_USERNS, NULL, "Inspect changes to the container's file systems" },
  { "export", cmd_container_export, CMD_ENGINE | CMD_USERNS, NULL, "Export a container's filesystem contents as a tar archive" },
  { "mount", cmd_container_mount, CMD_ENGINE | CMD_USERNS, NULL, "Mount a working container's root filesystem" },
  { "port", cmd_container_port, CMD_ENGINE, NULL, "List port mappings or a specific mapping for the container" },
  { "prune", cmd_container_prune, CMD_ENGINE | CMD_USERNS, NULL, "Remove all non running containers" },
  { "rename", cmd_container_rename, CMD_ENGINE, NULL, "Rename an existing container" },
  { "umount", cmd_container_unmount, CMD_ENGINE | CMD_USERNS | CMD_HIDDEN, NULL, "Unmount working container's root filesystem" },
  { "unmount", cmd_container_unmount, CMD_ENGINE | CMD_USERNS, NULL, "Unmount working container's root filesystem" },
  { NULL, NULL, 0, NULL, NULL },
};
