/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The commands that work on running containers: exec, attach, pause,
   unpause, restart, top and stats.  Flags and output follow Podman's.  */
#include "cli/cli.h"
#include "cli/output.h"
#include "cli/targets.h"
#include "container/monitor.h"
#include "format/report.h"
#include "format/tabwriter.h"
#include "format/humanize.h"
#include "ops/container.h"
#include "util/cleanup.h"
#include "util/strutil.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Print the error in ctx and return status.  */
static int
fail_with (struct cli_ctx *ctx, int status)
{
  cli_fail (ctx);
  return status;
}

/* ---- exec -------------------------------------------------------------------- */

/* Signals husk gets while attached to an exec session go to its process
   through the session's monitor (the process is never our child): the
   handler writes the signal's number to a pipe the session reads
   (husk_exec_opts.signal_fd), SIGWINCH being a terminal's new size.
   SIGPIPE is ignored meanwhile, so that a reader of our output that went
   away reaches the process as its own broken pipe, not as our death.  */
static const int exec_sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH,
                                 SIGPIPE };
#define N_EXEC_SIGS (sizeof exec_sigs / sizeof exec_sigs[0])
static volatile int exec_sig_w = -1;

static void
exec_sig_forward (int sig)
{
  unsigned char b = (unsigned char) sig;
  int saved = errno;

  if (exec_sig_w >= 0 && write (exec_sig_w, &b, 1) < 0)
    {
      /* A full pipe: the session has enough to do.  */
    }
  errno = saved;
}

/* Install the forwarding; old keeps what was there.  Return: the read
   end, or -1.  */
static int
exec_sig_install (struct sigaction old[N_EXEC_SIGS], int pipe_fds[2])
{
  struct sigaction sa = { .sa_handler = exec_sig_forward, .sa_flags = SA_RESTART };

  if (pipe2 (pipe_fds, O_CLOEXEC | O_NONBLOCK) < 0)
    return -1;
  exec_sig_w = pipe_fds[1];
  sigemptyset (&sa.sa_mask);
  for (size_t i = 0; i < N_EXEC_SIGS; i++)
    {
      struct sigaction ign = { .sa_handler = SIG_IGN };
      sigaction (exec_sigs[i], exec_sigs[i] == SIGPIPE ? &ign : &sa, &old[i]);
    }
  return pipe_fds[0];
}

static void
exec_sig_remove (struct sigaction old[N_EXEC_SIGS], int pipe_fds[2])
{
  if (pipe_fds[0] < 0)
    return;
  for (size_t i = 0; i < N_EXEC_SIGS; i++)
    sigaction (exec_sigs[i], &old[i], NULL);
  exec_sig_w = -1;
  close (pipe_fds[0]);
  close (pipe_fds[1]);
}

struct exec_opts
{
  bool interactive, tty, detach, privileged;
  char *detach_keys, *user, *workdir, *preserve_fds;
  char **env, **env_file;
};

int
cmd_container_exec (struct cli_ctx *ctx, int argc, char **argv)
{
#define O(f) offsetof (struct exec_opts, f)
  static const struct cli_option opts[] = {
    { "detach", 'd', OPT_BOOL, O (detach), NULL, "Run the exec session in detached mode (backgrounded)" },
    { "detach-keys", 0, OPT_STRING, O (detach_keys), "string", "Select the key sequence for detaching a container. Format is a single character [a-Z] or ctrl-<value> where <value> is one of: a-z, @, ^, [, , or _" },
    { "env", 'e', OPT_STRV, O (env), "stringArray", "Set environment variables" },
    { "env-file", 0, OPT_STRV, O (env_file), "strings", "Read in a file of environment variables" },
    { "interactive", 'i', OPT_BOOL, O (interactive), NULL, "Keep STDIN open even if not attached" },
    { "preserve-fds", 0, OPT_STRING, O (preserve_fds), "uint", "Pass N additional file descriptors to the container" },
    OPTION_REFUSED ("preserve-fd", 0, "passing chosen descriptors is crun-only in Podman; use --preserve-fds N with the descriptors on 3 .. 3+N-1"),
    { "privileged", 0, OPT_BOOL, O (privileged), NULL, "Give the process extended Linux capabilities inside the container" },
    { "tty", 't', OPT_BOOL, O (tty), NULL, "Allocate a pseudo-TTY" },
    { "user", 'u', OPT_STRING, O (user), "string", "Sets the username or UID used and optionally the groupname or GID for the specified command" },
    { "workdir", 'w', OPT_STRING, O (workdir), "string", "Working directory inside the container" },
    OPTION_END,
  };
#undef O
  struct exec_opts o = { 0 };
  cleanup_free char *exec_id = NULL;
  struct sigaction old[N_EXEC_SIGS];
  int sig_pipe[2] = { -1, -1 };
  struct husk_exec_opts eo;
  int code, ret, preserve_fds;

  PARSE (opts, o, "[options] CONTAINER COMMAND [ARG...]", false);
  if (args[0] == NULL)
    return cli_usage_error (ctx, "exec requires the name or ID of a container or the --latest "
                            "flag"), cli_fail (ctx);
  if (cli_preserve_fds (ctx, o.preserve_fds, &preserve_fds) < 0)
    return cli_fail (ctx);
  eo = (struct husk_exec_opts){
    .argv = args + 1, .env = o.env, .env_files = o.env_file, .user = o.user,
    .workdir = o.workdir, .privileged = o.privileged, .tty = o.tty,
    .interactive = o.interactive, .detach = o.detach, .detach_keys = o.detach_keys,
    .in_fd = 0, .out_fd = 1, .err_fd = 2, .preserve_fds = preserve_fds,
  };
  fflush (stdout);
  if (!o.detach)
    eo.signal_fd = exec_sig_install (old, sig_pipe);
  ret = husk_op_container_exec (ctx->engine, args[0], &eo, &code, &exec_id, &ctx->err);
  exec_sig_remove (old, sig_pipe);
  if (ret < 0)
    return fail_with (ctx, code);
  if (o.detach)
    puts (exec_id);
  return code;
}

/* ---- attach ------------------------------------------------------------------ */

struct attach_opts
{
  bool no_stdin, sig_proxy, latest;
  char *detach_keys;
};

int
cmd_container_attach (struct cli_ctx *ctx, int argc, char **argv)
{
  static const struct cli_option opts[] = {
    { "detach-keys", 0, OPT_STRING, offsetof (struct attach_opts, detach_keys), "string", "Select the key sequence for detaching a container. Format is a single character [a-Z] or a comma separated sequence of `ctrl-<value>`, where `<value>` is one of: `a-z`, `@`, `^`, `[`, `\\`, `]`, `^` or `_`" },
    { "latest", 'l', OPT_BOOL, offsetof (struct attach_opts, latest), NULL, "Act on the latest container husk is aware of" },
    { "no-stdin", 0, OPT_BOOL, offsetof (struct attach_opts, no_stdin), NULL, "Do not attach STDIN. The default is false" },
    { "sig-proxy", 0, OPT_BOOL, offsetof (struct attach_opts, sig_proxy), NULL, "Proxy received signals to the process (default true)" },
    OPTION_END,
  };
  struct attach_opts o = { .sig_proxy = true };
  struct husk_container_rec r = { 0 };
  cleanup_targets struct cli_targets t = { 0 };
  const char *ref;
  int code;

  PARSE (opts, o, "[options] CONTAINER", true);
  if (husk_strv_len (args) != (o.latest ? 0 : 1))
    return cli_usage_error (ctx, "attach requires the name or ID of a container or the "
                            "--latest flag"), cli_fail (ctx);
  ref = args[0];
  if (o.latest)
    {
      if (cli_targets_collect (ctx, args, &(struct cli_target_opts){ .latest = true }, &t) < 0)
        return cli_fail (ctx);
      ref = t.v[0].id;
    }
  if (husk_op_container_load (ctx->engine, ref, &r, &ctx->err) < 0)
    return cli_fail (ctx);
  if (o.sig_proxy && r.pid > 0)
    {
      struct husk_container_info info;
      husk_op_container_info (&r, &info);
      if (!info.tty)
        cli_sig_proxy_install (&r);
      else
        cli_winch_follow ();
      husk_container_info_release (&info);
    }
  husk_container_rec_release (&r);
  code = husk_op_container_attach (ctx->engine, ref, o.no_stdin ? -1 : 0, 1, 2,
                                   o.detach_keys, &ctx->err);
  cli_sig_proxy_remove ();
  if (code == HUSK_ATTACH_DETACHED)
    return 0;
  if (code < 0)
    return cli_fail (ctx);
  return code;
}

/* ---- pause, unpause, restart ---------------------------------------------- */

struct ctl_opts
{
  bool all, running, latest;
  long time;
  char **cidfile, **filter;
};

/* IDs of the containers in one of the states (NULL: any).  */
static int
ids_in_state (struct cli_ctx *ctx, const char *s1, const char *s2, char ***ids)
{
  struct husk_container_rec *list = NULL;
  size_t n = 0;

  if (husk_op_container_list (ctx->engine, &list, &n, &ctx->err) < 0)
    return -1;
  for (size_t i = 0; i < n; i++)
    if (s1 == NULL || strcmp (list[i].state, s1) == 0 || (s2 && strcmp (list[i].state, s2) == 0))
      husk_strv_append (ids, list[i].id);
  husk_container_rec_array_free (list, n);
  return 0;
}

static int
pause_cmd (struct cli_ctx *ctx, int argc, char **argv, bool pause)
{
  static const struct cli_option pause_opts[] = {
    { "all", 'a', OPT_BOOL, offsetof (struct ctl_opts, all), NULL, "Pause all running containers" },
    { "cidfile", 0, OPT_STRV, offsetof (struct ctl_opts, cidfile), "stringArray", "Read the container ID from the file" },
    { "filter", 'f', OPT_STRV, offsetof (struct ctl_opts, filter), "stringArray", "Filter output based on conditions given" },
    { "latest", 'l', OPT_BOOL, offsetof (struct ctl_opts, latest), NULL, "Act on the latest container husk is aware of" },
    OPTION_END,
  };
  static const struct cli_option unpause_opts[] = {
    { "all", 'a', OPT_BOOL, offsetof (struct ctl_opts, all), NULL, "Unpause all paused containers" },
    { "cidfile", 0, OPT_STRV, offsetof (struct ctl_opts, cidfile), "stringArray", "Read the container ID from the file" },
    { "filter", 'f', OPT_STRV, offsetof (struct ctl_opts, filter), "stringArray", "Filter output based on conditions given" },
    { "latest", 'l', OPT_BOOL, offsetof (struct ctl_opts, latest), NULL, "Act on the latest container husk is aware of" },
    OPTION_END,
  };
  struct ctl_opts o = { 0 };
  struct cli_targets t;

  PARSE (pause ? pause_opts : unpause_opts, o, "[options] CONTAINER [CONTAINER...]", true);
  if (cli_collect_filtered (ctx, args, o.cidfile, o.filter, &(struct cli_target_opts){
                              .all = o.all, .latest = o.latest,
                              .filter = pause ? CLI_ALL_RUNNING : CLI_ALL_PAUSED }, &t) < 0)
    return cli_fail (ctx);
  for (size_t i = 0; i < t.n; i++)
    {
      int r = pause ? husk_op_container_pause (ctx->engine, t.v[i].id, &ctx->err)
                    : husk_op_container_unpause (ctx->engine, t.v[i].id, &ctx->err);
      if (r < 0)
        cli_targets_defer (ctx, &t, 125);
      else
        puts (t.v[i].ref);
    }
  return cli_targets_finish (&t);
}

int
cmd_container_pause (struct cli_ctx *ctx, int argc, char **argv)
{
  return pause_cmd (ctx, argc, argv, true);
}

int
cmd_container_unpause (struct cli_ctx *ctx, int argc, char **argv)
{
  return pause_cmd (ctx, argc, argv, false);
}

int
cmd_container_restart (struct cli_ctx *ctx, int argc, char **argv)
{
  static const struct cli_option opts[] = {
    { "all", 'a', OPT_BOOL, offsetof (struct ctl_opts, all), NULL, "Restart all containers" },
    { "cidfile", 0, OPT_STRV, offsetof (struct ctl_opts, cidfile), "stringArray", "Read the container ID from the file" },
    { "filter", 'f', OPT_STRV, offsetof (struct ctl_opts, filter), "stringArray", "Filter output based on conditions given" },
    { "latest", 'l', OPT_BOOL, offsetof (struct ctl_opts, latest), NULL, "Act on the latest container husk is aware of" },
    { "running", 0, OPT_BOOL, offsetof (struct ctl_opts, running), NULL, "Restart only running containers" },
    { "time", 't', OPT_INT, offsetof (struct ctl_opts, time), "uint", "Seconds to wait for stop before killing the container" },
    OPTION_END,
  };
  struct ctl_opts o = { .time = -1 };
  struct cli_targets t;
  int hint;

  PARSE (opts, o, "[options] CONTAINER [CONTAINER...]", true);
  /* --running narrows --all; alone it names nothing, as in Podman.  */
  if (cli_collect_filtered (ctx, args, o.cidfile, o.filter, &(struct cli_target_opts){
                              .all = o.all, .latest = o.latest,
                              .filter = o.running ? CLI_ALL_RUNNING : CLI_ALL_ANY }, &t) < 0)
    return cli_fail (ctx);
  for (size_t i = 0; i < t.n; i++)
    {
      if (husk_op_container_restart (ctx->engine, t.v[i].id, (int) o.time, &hint, &ctx->err) < 0)
        cli_targets_defer (ctx, &t, 125);
      else
        puts (t.v[i].ref);
    }
  return cli_targets_finish (&t);
}

/* ---- top ----------------------------------------------------------------------- */

void
cli_print_top (json_t *t)
{
  cleanup (husk_tabwriter_free) struct husk_tabwriter *tw = husk_tabwriter_new (12, 2, 2, ' ', 0);
  struct husk_buf out = HUSK_BUF_INIT;
  json_t *rows = json_object_get (t, "Processes"), *row;
  size_t i;

  json_array_insert (rows, 0, json_object_get (t, "Titles"));
  json_array_foreach (rows, i, row)
    {
      struct husk_buf line = HUSK_BUF_INIT;
      size_t k;
      json_t *v;

      json_array_foreach (row, k, v)
        {
          if (k > 0)
            husk_buf_putc (&line, '\t');
          for (const char *s = json_string_value (v); s && *s; s++)
            husk_buf_putc (&line, *s == '\t' || *s == '\n' ? ' ' : *s);
        }
      husk_buf_putc (&line, '\n');
      husk_tabwriter_write (tw, line.data, line.len);
      husk_buf_release (&line);
    }
  husk_tabwriter_flush (tw, &out);
  fwrite (out.data ? out.data : "", 1, out.len, stdout);
  husk_buf_release (&out);
}

/* Podman runs ps(1) in the container for what it does not know itself. */
static int
top_with_ps (struct cli_ctx *ctx, const char *ctr, char **words)
{
  cleanup_free char **argv = husk_xzalloc ((husk_strv_len (words) + 2) * sizeof (char *));
  struct husk_exec_opts eo = { .argv = argv, .in_fd = -1, .out_fd = 1, .err_fd = 2 };
  husk_error_t perr = NULL;
  int code;

  argv[0] = (char *) "ps";
  for (size_t i = 0; words[i]; i++)
    argv[i + 1] = words[i];
  fflush (stdout);
  if (husk_op_container_exec (ctx->engine, ctr, &eo, &code, NULL, &perr) < 0)
    {
      /* No ps(1) in there: the descriptor error says more.  */
      husk_error_release (&perr);
      return cli_fail (ctx);
    }
  husk_error_release (&ctx->err);
  return code == 0 ? 0 : 125;
}

int
cmd_container_top (struct cli_ctx *ctx, int argc, char **argv)
{
  static const struct cli_option opts[] = { OPTION_END };
  struct ctl_opts o = { 0 };
  cleanup_json json_t *t = NULL;

  PARSE (opts, o, "[options] CONTAINER [FORMAT-DESCRIPTORS|ARGS...]", false);
  if (args[0] == NULL)
    return cli_usage_error (ctx, "you must provide the name or id of a running container"),
           cli_fail (ctx);
  t = husk_op_container_top (ctx->engine, args[0], args + 1, &ctx->err);
  if (t == NULL)
    {
      if (ctx->err->code == EINVAL && args[1])
        return top_with_ps (ctx, args[0], args + 1);
      return cli_fail (ctx);
    }
  cli_print_top (t);
  return 0;
}

/* ---- stats --------------------------------------------------------------------- */

struct stats_opts
{
  bool all, no_stream, no_reset, no_trunc;
  long interval;
  char *format;
};

/* go-units: 4 significant digits, decimal or binary units, no space.  */
static char *
size4 (double v, bool binary)
{
  static const char *const dec[] = { "B", "kB", "MB", "GB", "TB", "PB", "EB" };
  static const char *const bin[] = { "B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB" };
  double base = binary ? 1024 : 1000;
  int i = 0;

  while (v >= base && i < 6)
    {
      v /= base;
      i++;
    }
  return husk_asprintf ("%.4g%s", v, binary ? bin[i] : dec[i]);
}

static char *
pair (double a, double b, bool binary)
{
  cleanup_free char *x = size4 (a, binary), *y = size4 (b, binary);

  return husk_asprintf ("%s / %s", x, y);
}

/* CPU use since the last sample of this container (kept in prev), or
   since its start on the first.  */
static double
cpu_percent (const struct husk_container_stats *s, json_t *prev)
{
  json_t *p = json_object_get (prev, s->id);
  double cpu = (double) s->cpu_ns, wall = (double) s->up_ns;

  if (p)
    {
      cpu -= (double) json_integer_value (json_array_get (p, 0));
      wall = (double) (s->read_ns - json_integer_value (json_array_get (p, 1)));
    }
  json_object_set_new (prev, s->id, json_pack ("[I, I]", (json_int_t) s->cpu_ns,
                                               (json_int_t) s->read_ns));
  return wall > 0 && cpu > 0 ? cpu / wall * 100.0 : 0.0;
}

static void
stats_rows (const struct husk_container_stats *s, bool no_trunc, json_t *prev, json_t *rows,
            json_t *jrows)
{
  double pct = cpu_percent (s, prev);
  double avg = s->up_ns > 0 ? (double) s->cpu_ns / (double) s->up_ns * 100.0 : 0.0;
  double memp = s->mem_limit ? (double) s->mem_usage / (double) s->mem_limit * 100.0 : 0.0;
  cleanup_free char *id = no_trunc ? husk_xstrdup (s->id) : husk_xstrndup (s->id, 12);
  cleanup_free char *cpu = husk_asprintf ("%.2f%%", pct), *avgs = husk_asprintf ("%.2f%%", avg);
  cleanup_free char *mem = pair (s->mem_usage, s->mem_limit, false);
  cleanup_free char *memb = pair (s->mem_usage, s->mem_limit, true);
  cleanup_free char *memp_s = husk_asprintf ("%.2f%%", memp);
  cleanup_free char *net = s->net_rx < 0 ? husk_xstrdup ("--") : pair (s->net_rx, s->net_tx, false);
  cleanup_free char *blk = pair (s->blk_read, s->blk_write, false);
  cleanup_free char *pids = husk_asprintf ("%" PRIu64, s->pids);
  cleanup_free char *up = husk_go_duration (s->cpu_ns);

  json_array_append_new (rows, json_pack (
      "{s:s, s:s, s:s, s:s, s:f, s:I, s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:I, s:I}",
      "ID", id, "ContainerID", s->id, "Name", s->name, "CPUPerc", cpu, "CPU", pct,
      "CPUNano", (json_int_t) s->cpu_ns, "SystemNano", (json_int_t) s->read_ns,
      "AVGCPU", avgs, "MemUsage", mem, "MemUsageBytes", memb, "MemPerc", memp_s,
      "NetIO", net, "BlockIO", blk, "PIDs", pids, "UpTime", up,
      "MemLimit", (json_int_t) s->mem_limit, "Duration", (json_int_t) s->up_ns));
  json_array_append_new (jrows, json_pack (
      "{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "id", id, "name", s->name,
      "cpu_time", up, "cpu_percent", cpu, "avg_cpu", avgs, "mem_usage", mem,
      "mem_percent", memp_s, "net_io", net, "block_io", blk, "pids", pids));
}

static json_t *
stats_headers (void)
{
  return json_pack ("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}",
                    "ID", "ID", "ContainerID", "CONTAINER ID", "Name", "NAME",
                    "CPUPerc", "CPU %", "MemUsage", "MEM USAGE / LIMIT",
                    "MemUsageBytes", "MEM USAGE / LIMIT", "MemPerc", "MEM %",
                    "NetIO", "NET IO", "BlockIO", "BLOCK IO", "PIDs", "PIDS",
                    "UpTime", "CPU TIME", "AVGCPU", "AVG CPU %", "CPU", "CPU");
}

/* One report of every target.  Return: 0, or -1.  */
static int
stats_once (struct cli_ctx *ctx, struct stats_opts *o, char **names, json_t *prev,
            struct husk_buf *out)
{
  struct husk_report_options ro = {
    .name = "stats", .strict = true, .json_indent = 1, .headers = NULL,
    .default_format = "table {{.ID}}\t{{.Name}}\t{{.CPUPerc}}\t{{.MemUsage}}\t{{.MemPerc}}\t"
                      "{{.NetIO}}\t{{.BlockIO}}\t{{.PIDs}}\t{{.UpTime}}\t{{.AVGCPU}}",
  };
  cleanup_json json_t *rows = json_array (), *jrows = json_array (), *headers = stats_headers ();
  cleanup (husk_report_free) struct husk_report *r = NULL;
  cleanup_strv char **ids = NULL;
  json_t *items, *it;
  size_t i;

  ro.headers = headers;
  if (names && names[0])
    ids = husk_strv_dup (names);
  else if (ids_in_state (ctx, o->all ? NULL : "running", o->all ? NULL : "paused", &ids) < 0)
    return -1;
  for (size_t k = 0; ids && ids[k]; k++)
    {
      struct husk_container_stats s;
      if (husk_op_container_stats (ctx->engine, ids[k], &s, &ctx->err) < 0)
        {
          /* A container removed while we list is no error without names. */
          if (names && names[0])
            return -1;
          husk_error_release (&ctx->err);
          continue;
        }
      stats_rows (&s, o->no_trunc, prev, rows, jrows);
      husk_container_stats_release (&s);
    }
  items = o->format && husk_report_is_json (o->format) ? jrows : rows;
  if ((r = husk_report_new (o->format, &ro, &ctx->err)) == NULL)
    return -1;
  json_array_foreach (items, i, it)
    husk_report_add (r, it);
  return husk_report_render (r, out, &ctx->err);
}

int
cmd_container_stats (struct cli_ctx *ctx, int argc, char **argv)
{
#define O(f) offsetof (struct stats_opts, f)
  static const struct cli_option opts[] = {
    { "all", 'a', OPT_BOOL, O (all), NULL, "Show all containers. Only running containers are shown by default" },
    { "format", 0, OPT_STRING, O (format), "string", "Pretty-print container statistics to JSON or using a Go template" },
    { "interval", 'i', OPT_INT, O (interval), "int", "Time in seconds between stats reports (default 5)" },
    { "no-reset", 0, OPT_BOOL, O (no_reset), NULL, "Disable resetting the screen between intervals" },
    { "no-stream", 0, OPT_BOOL, O (no_stream), NULL, "Disable streaming stats and only pull the first result" },
    { "no-trunc", 0, OPT_BOOL, O (no_trunc), NULL, "Do not truncate output" },
    OPTION_END,
  };
#undef O
  struct stats_opts o = { .interval = 5 };
  cleanup_json json_t *prev = json_object ();

  PARSE (opts, o, "[options] [CONTAINER...]", true);
  if (o.all && args[0])
    return cli_usage_error (ctx, "--all and containers cannot be used together"), cli_fail (ctx);
  if (o.interval < 1)
    return cli_usage_error (ctx, "invalid interval, must be a positive number greater zero"),
           cli_fail (ctx);
  for (;;)
    {
      struct husk_buf out = HUSK_BUF_INIT;
      if (stats_once (ctx, &o, args, prev, &out) < 0)
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
      sleep ((unsigned) o.interval);
    }
}

/* ---- pod stats (cli/pod.c) ----------------------------------------------------- */

int
cli_pod_stats_report (struct cli_ctx *ctx, char **ids, char **pods, const char *format,
                      json_t *prev, struct husk_buf *out)
{
  struct husk_report_options ro = {
    .name = "stats", .strict = true, .json_indent = 1, .headers = NULL,
    .default_format = "table {{.Pod}}\t{{.CID}}\t{{.Name}}\t{{.CPU}}\t{{.MemUsage}}\t{{.Mem}}\t"
                      "{{.NetIO}}\t{{.BlockIO}}\t{{.PIDS}}",
  };
  cleanup_json json_t *rows = json_array (), *jrows = json_array ();
  cleanup_json json_t *headers = json_pack ("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}",
                                            "Pod", "POD", "CID", "CID", "Name", "NAME",
                                            "CPU", "CPU %", "MemUsage", "MEM USAGE/ LIMIT",
                                            "Mem", "MEM %", "NetIO", "NET IO",
                                            "BlockIO", "BLOCK IO", "PIDS", "PIDS");
  cleanup (husk_report_free) struct husk_report *r = NULL;
  json_t *items, *it;
  size_t i;

  ro.headers = headers;
  for (size_t k = 0; ids && ids[k]; k++)
    {
      struct husk_container_stats s;
      cleanup_json json_t *one = json_array (), *jone = json_array ();
      json_t *c;
      cleanup_free char *pod = husk_xstrndup (pods[k], 12);
      if (husk_op_container_stats (ctx->engine, ids[k], &s, &ctx->err) < 0)
        {
          husk_error_release (&ctx->err); /* removed while we list */
          continue;
        }
      stats_rows (&s, false, prev, one, jone);
      husk_container_stats_release (&s);
      c = json_array_get (one, 0);
      /* Podman's pod stats names: CPU and Mem are the percentages.  */
      json_array_append_new (rows, json_pack (
          "{s:s, s:O, s:O, s:O, s:O, s:O, s:O, s:O, s:O}", "Pod", pod,
          "CID", json_object_get (c, "ID"), "Name", json_object_get (c, "Name"),
          "CPU", json_object_get (c, "CPUPerc"), "MemUsage", json_object_get (c, "MemUsage"),
          "Mem", json_object_get (c, "MemPerc"), "NetIO", json_object_get (c, "NetIO"),
          "BlockIO", json_object_get (c, "BlockIO"), "PIDS", json_object_get (c, "PIDs")));
      json_array_append_new (jrows, json_pack (
          "{s:s, s:O, s:O, s:O, s:O, s:O, s:O, s:O, s:O}", "pod", pod,
          "cid", json_object_get (c, "ID"), "name", json_object_get (c, "Name"),
          "cpu_percent", json_object_get (c, "CPUPerc"),
          "mem_usage", json_object_get (c, "MemUsage"),
          "mem_percent", json_object_get (c, "MemPerc"), "net_io", json_object_get (c, "NetIO"),
          "block_io", json_object_get (c, "BlockIO"), "pids", json_object_get (c, "PIDs")));
    }
  items = format && husk_report_is_json (format) ? jrows : rows;
  if ((r = husk_report_new (format, &ro, &ctx->err)) == NULL)
    return -1;
  json_array_foreach (items, i, it)
    husk_report_add (r, it);
  return husk_report_render (r, out, &ctx->err);
}
