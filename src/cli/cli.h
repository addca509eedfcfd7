/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The command-line front end: a command table, a declarative option parser
 * that also writes --help, and the shared context every handler receives.
 * Handlers parse their flags, call husk_op_* and print; nothing here holds
 * engine logic.
 */
#ifndef HUSK_CLI_CLI_H
#define HUSK_CLI_CLI_H

#include "engine/engine.h"
#include "util/cleanup.h"
#include "util/error.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

enum cli_opt_type
{
  OPT_BOOL,   /* bool; "--x=false" accepted */
  OPT_STRING, /* char * (last one wins) */
  OPT_STRV,   /* char ** (repeatable; appended) */
  OPT_INT,    /* long */
  OPT_TRISTATE, /* int, a boolean flag whose absence counts: the command
                   sets it to -1, "--x" makes it 1, "--x=false" 0 */
  OPT_REFUSED, /* a Podman flag husk does not have: using it fails, help = why */
  OPT_END,
};

struct cli_option
{
  const char *name;  /* long name without "--" */
  char short_name;   /* 0 when none */
  enum cli_opt_type type;
  size_t offset;     /* offsetof (options struct, field) */
  const char *arg;   /* argument name for --help, NULL for booleans */
  const char *help;  /* NULL: hidden from --help and completion */
};

#define OPTION_END { NULL, 0, OPT_END, 0, NULL, NULL }

/* A flag that takes no separate value ("--x", "--x=false").  */
static inline bool
cli_option_is_flag (const struct cli_option *o)
{
  return o->type == OPT_BOOL || o->type == OPT_TRISTATE;
}

/* A flag Podman documents and husk refuses: "--NAME" (with or without a
   value) fails with exit 125, "not supported by husk: --NAME: WHY".  It is
   hidden from --help and completion; docs/flags.md lists it.  */
#define OPTION_REFUSED(name, short_name, why) { name, short_name, OPT_REFUSED, 0, NULL, why }

/* What a command needs before it runs.  */
enum
{
  CMD_ENGINE = 1 << 0, /* open config, state and store */
  CMD_HIDDEN = 1 << 1, /* not listed in --help */
  CMD_USERNS = 1 << 2, /* writes layer files: rootless needs a user namespace */
  CMD_STOP_AT_ARG = 1 << 3, /* words after the first positional are not ours (run) */
  CMD_RAW_ARGS = 1 << 4,    /* all its words are data: no global options, no --help */
  CMD_STARTS = 1 << 5,      /* starts container processes: husk_op_container_warm() */
};

struct cli_ctx;

struct cli_command
{
  const char *name;
  int (*fn) (struct cli_ctx *ctx, int argc, char **argv);
  unsigned flags;
  const struct cli_command *sub; /* a group: dispatch on the next word */
  const char *summary;
};

struct cli_global_opts
{
  char *root;
  char *runroot;
  char *storage_driver;
  char **storage_opt;
  char *log_level;
  char *runtime;
  char **runtime_flag;
  char *events_backend;
  char *tmpdir;
  char *volumepath;
  char *cgroup_manager;
  char *network_config_dir;
  char *network_cmd_path;
  bool noout;
  bool help;
  bool version;
};

/* What a command's cli_parse() call declares: filled instead of parsing
   when ctx->probe is set, so shell completion can learn a command's flags
   and arguments from the handler itself, as --help does.  */
struct cli_probe
{
  const struct cli_option *opts;
  const char *usage;
  bool interspersed;
};

struct cli_ctx
{
  struct cli_global_opts *g;
  struct husk_engine *engine; /* open when the command has CMD_ENGINE */
  const char *cmd_path;       /* "husk image ls" for usage lines */
  husk_error_t err;
  struct cli_probe *probe;    /* set: cli_parse() only records, returns 1 */
};

/**
 * cli_parse() - Parse options of a command into an options struct
 * @opts:    the option table
 * @out:     the options struct (fields located by offset)
 * @argc, @argv: arguments after the command name
 * @interspersed: options may follow positional arguments (false for run,
 *           exec: parsing stops at the first positional)
 * @rest:    set to a NULL-terminated vector of the positional arguments
 *           (points into argv; free only the array)
 *
 * Return: 0, 1 when --help was given (help already printed) or when
 * ctx->probe is set (the table recorded there, nothing parsed), or -1.
 */
int cli_parse (struct cli_ctx *ctx, const struct cli_option *opts, void *out,
               int argc, char **argv, bool interspersed, char ***rest,
               const char *usage);

void cli_print_help (const char *cmd_path, const char *usage,
                     const struct cli_option *opts);

/**
 * cli_options_release() - Free what cli_parse() stored in an options struct
 * @opts: the option table the struct was parsed with
 * @out:  the options struct
 *
 * Frees every OPT_STRING and OPT_STRV field the table names and sets it to
 * NULL, so two options sharing a field ("--net", "--network") and a second
 * call are harmless.  Booleans and integers are left as they are.
 */
void cli_options_release (const struct cli_option *opts, void *out);

/* An options struct and its table, released together when it goes out of
   scope (cli_options_owner_release); PARSE declares one.  */
struct cli_options_owner
{
  const struct cli_option *opts;
  void *out;
};

void cli_options_owner_release (struct cli_options_owner *owner);

/* Free the strings of options struct o, parsed with table opts, when the
   enclosing block ends: declare right after o, before parsing.  */
#define CLI_OPTIONS_OWNED(opts, o)                                             \
  __attribute__ ((__cleanup__ (cli_options_owner_release), __unused__))        \
  struct cli_options_owner options_owner_ = { (opts), &(o) }

/* Parse a handler's options into o, leaving the positionals in `args`;
   returns from the handler after --help (0) or a usage error (125).  The
   strings parsed into o are freed when the handler returns.  */
#define PARSE(opts, o, usage, interspersed)                                    \
  cleanup_free char **args = NULL;                                             \
  CLI_OPTIONS_OWNED (opts, o);                                                 \
  {                                                                            \
    int pr_ = cli_parse (ctx, opts, &o, argc, argv, interspersed, &args, usage); \
    if (pr_ != 0)                                                              \
      return pr_ < 0 ? cli_fail (ctx) : 0;                                     \
  }

/* Print "WARNING! <what>" and ask to continue; true only for y/Y.  */
bool cli_confirm (const char *fmt, ...) __attribute__ ((format (printf, 1, 2)));

/* Fail with a usage error ("accepts at most 1 arg(s), received 2").  */
int cli_usage_error (struct cli_ctx *ctx, const char *fmt, ...)
    __attribute__ ((format (printf, 2, 3)));

/* --sig-proxy of run, start -a and attach: forward SIGINT, SIGTERM, ... to
   the container's recorded process (and to no later owner of its pid)
   until removed (cli/container.c).  */
struct husk_container_rec;
void cli_sig_proxy_install (const struct husk_container_rec *r);
void cli_sig_proxy_remove (void);
/* Follow the terminal's size while attached to a container with one (a
   SIGWINCH handler that interrupts the attach loop).  */
void cli_winch_follow (void);

/* --preserve-fds N of run and exec (cli/container.c): value parsed as
   Podman's uint, and fds 3 .. 3+N-1 checked to be the caller's, open
   since husk started (before it opened anything of its own), as Podman
   checks them; they become close-on-exec, so that only the monitor that
   passes them on gets them.  value NULL: *n is 0.  Return: 0, or -1.  */
int cli_preserve_fds (struct cli_ctx *ctx, const char *value, int *n);

/* The containers a command acts on (cli/targets.h) with Podman's
   --cidfile (the first line of each file names one; a missing file is
   skipped with o->ignore) and --filter (ps's filters; alone they act on
   every container, and the targets are then named by full ID).  */
struct cli_target_opts;
struct cli_targets;
int cli_collect_filtered (struct cli_ctx *ctx, char **args, char **cidfiles, char **filters,
                          struct cli_target_opts *o, struct cli_targets *t);

/* The engine options the global options give (husk_engine_new()).  */
void cli_engine_opts (const struct cli_global_opts *g, struct husk_engine_opts *o);

/* Print an error the way every command does and return the exit status.  */
int cli_fail (struct cli_ctx *ctx);

/* The exit status of an `exists` command whose lookup returned found
   (>= 0: found) with ctx->err set otherwise: 0 found, 1 when not found
   (ENOENT, nothing printed), else the error's status.  */
int cli_exists_status (struct cli_ctx *ctx, int found);

/* Command groups, defined in their files.  */
int cli_main (int argc, char **argv);

extern const struct cli_command cli_top_commands[];
extern const struct cli_option cli_global_options[];

extern const struct cli_command cli_image_commands[];
extern const struct cli_command cli_system_commands[];
extern const struct cli_command cli_container_commands[];
extern const struct cli_command cli_volume_commands[];
extern const struct cli_command cli_secret_commands[];
extern const struct cli_command cli_network_commands[];
extern const struct cli_command cli_pod_commands[];
extern const struct cli_command cli_kube_commands[];
extern const struct cli_command cli_play_commands[];
extern const struct cli_command cli_generate_commands[];
extern const struct cli_command cli_manifest_commands[];
extern const struct cli_command cli_healthcheck_commands[];
int cmd_events (struct cli_ctx *ctx, int argc, char **argv);
int cmd_completion (struct cli_ctx *ctx, int argc, char **argv);
int cmd_complete (struct cli_ctx *ctx, int argc, char **argv);
int cmd_flags (struct cli_ctx *ctx, int argc, char **argv);
int cmd_healthcheck_run (struct cli_ctx *ctx, int argc, char **argv);

int cmd_container_create (struct cli_ctx *ctx, int argc, char **argv);
int cmd_container_run (struct cli_ctx *ctx, int argc, char **argv);
int cmd_container_start (struct cli_ctx *ctx, int argc, char **argv);
int cmd_container_ps (struct cli_ctx *ctx, int argc, char **argv);
int cmd_container_stop (struct cli_ctx *ctx, int argc, char **argv);
int cmd_container_kill (struct cli_ctx *ctx, int argc, char **argv);
int cmd_container_rm (struct cli_ctx *ctx, int argc, char **argv);
int cmd_container_wait (struct cli_ctx *ctx, int argc, char **argv);
int cmd_container_logs (struct cli_ctx *ctx, int argc, char **argv);
int cmd_container_inspect (struct cli_ctx *ctx, int argc, char **argv);
int cmd_container_exists (struct cli_ctx *ctx, int argc, char **argv);
int cmd_container_cleanup (struct cli_ctx *ctx, int argc, char **argv);
/* File-system commands (cli/container_fs.c).  */
int cmd_container_cp (struct cli_ctx *ctx, int argc, char **argv);
int cmd_container_diff (struct cli_ctx *ctx, int argc, char **argv);
int cmd_diff (struct cli_ctx *ctx, int argc, char **argv);
int cmd_image_diff (struct cli_ctx *ctx, int argc, char **argv);
int cmd_container_export (struct cli_ctx *ctx, int argc, char **argv);
int cmd_container_commit (struct cli_ctx *ctx, int argc, char **argv);
int cmd_container_mount (struct cli_ctx *ctx, int argc, char **argv);
int cmd_container_unmount (struct cli_ctx *ctx, int argc, char **argv);
int cmd_container_rename (struct cli_ctx *ctx, int argc, char **argv);
int cmd_container_port (struct cli_ctx *ctx, int argc, char **argv);
int cmd_container_prune (struct cli_ctx *ctx, int argc, char **argv);
int cmd_container_exec (struct cli_ctx *ctx, int argc, char **argv);
int cmd_container_attach (struct cli_ctx *ctx, int argc, char **argv);
int cmd_container_pause (struct cli_ctx *ctx, int argc, char **argv);
int cmd_container_init (struct cli_ctx *ctx, int argc, char **argv);
int cmd_container_unpause (struct cli_ctx *ctx, int argc, char **argv);
int cmd_container_restart (struct cli_ctx *ctx, int argc, char **argv);
int cmd_container_top (struct cli_ctx *ctx, int argc, char **argv);
/* One `pod stats` report of the containers ids (pods[i]: the pod of
   ids[i]) with Podman's pod stats fields, rendered into out
   (cli/container_exec.c, beside `stats`).  prev keeps the CPU samples
   between reports.  */
struct husk_buf;
int cli_pod_stats_report (struct cli_ctx *ctx, char **ids, char **pods, const char *format,
                          json_t *prev, struct husk_buf *out);
/* Print a top table ({"Titles", "Processes"}), as `top` does.  */
void cli_print_top (json_t *t);
int cmd_container_stats (struct cli_ctx *ctx, int argc, char **argv);

/* Top-level handlers shared between "husk images" and "husk image ls" etc.  */
int cmd_image_ls (struct cli_ctx *ctx, int argc, char **argv);
int cmd_image_inspect (struct cli_ctx *ctx, int argc, char **argv);
int cmd_image_rm (struct cli_ctx *ctx, int argc, char **argv);
int cmd_image_tag (struct cli_ctx *ctx, int argc, char **argv);
int cmd_image_untag (struct cli_ctx *ctx, int argc, char **argv);
int cmd_image_load (struct cli_ctx *ctx, int argc, char **argv);
int cmd_pull (struct cli_ctx *ctx, int argc, char **argv);
int cmd_push (struct cli_ctx *ctx, int argc, char **argv);
/* cli/login.c */
int cmd_login (struct cli_ctx *ctx, int argc, char **argv);
int cmd_logout (struct cli_ctx *ctx, int argc, char **argv);
int cmd_search (struct cli_ctx *ctx, int argc, char **argv);
int cmd_image_save (struct cli_ctx *ctx, int argc, char **argv);
int cmd_image_import (struct cli_ctx *ctx, int argc, char **argv);
int cmd_image_history (struct cli_ctx *ctx, int argc, char **argv);
int cmd_image_exists (struct cli_ctx *ctx, int argc, char **argv);
int cmd_image_prune (struct cli_ctx *ctx, int argc, char **argv);
int cmd_image_mount (struct cli_ctx *ctx, int argc, char **argv);
int cmd_image_unmount (struct cli_ctx *ctx, int argc, char **argv);
int cmd_inspect (struct cli_ctx *ctx, int argc, char **argv);
int cmd_version (struct cli_ctx *ctx, int argc, char **argv);
int cmd_info (struct cli_ctx *ctx, int argc, char **argv);
int cmd_unshare (struct cli_ctx *ctx, int argc, char **argv);
int cmd_system_migrate (struct cli_ctx *ctx, int argc, char **argv);

#endif
