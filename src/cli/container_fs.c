/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The container commands that work on its file system: cp, diff, export,
   commit, mount, unmount; and rename, port and container prune.  Each
   parses its flags, calls its husk_op_container_* and prints what Podman
   prints.  */
#include "cli/cli.h"
#include "cli/output.h"
#include "cli/targets.h"
#include "ops/container.h"
#include "util/cleanup.h"
#include "util/fileutil.h"
#include "util/strutil.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* A tar written to standard output: a reader that goes away early (say
   `| head`) must not kill us before the container is unmounted again, and
   is not an error worth a message.  */
static int
stdout_fail (struct cli_ctx *ctx)
{
  if (ctx->err && ctx->err->code == EPIPE)
    {
      husk_error_release (&ctx->err);
      return 128 + SIGPIPE;
    }
  return cli_fail (ctx);
}

/* ---- cp ------------------------------------------------------------------ */

struct cp_opts
{
  bool archive, overwrite, pause;
};

/* "CTR:path" names a container path; a path starting with "/" or ".", "-",
   or one whose part before ":" has a "/", is the host's.  */
static bool
container_part (const char *arg, char **ctr, const char **path)
{
  const char *colon = strchr (arg, ':');

  if (arg[0] == '/' || arg[0] == '.' || strcmp (arg, "-") == 0 || colon == NULL
      || colon == arg || memchr (arg, '/', (size_t) (colon - arg)))
    return false;
  *ctr = husk_xstrndup (arg, (size_t) (colon - arg));
  *path = colon + 1;
  return true;
}

int
cmd_container_cp (struct cli_ctx *ctx, int argc, char **argv)
{
  static const struct cli_option opts[] = {
    { "archive", 'a', OPT_BOOL, offsetof (struct cp_opts, archive), NULL, "Chown copied files to the primary uid/gid of the destination container. (default true)" },
    { "overwrite", 0, OPT_BOOL, offsetof (struct cp_opts, overwrite), NULL, "Allow to overwrite directories with non-directories and vice versa" },
    /* Podman keeps --pause hidden and ignores it: scripts still pass it. */
    { "pause", 0, OPT_BOOL, offsetof (struct cp_opts, pause), NULL, NULL },
    OPTION_END,
  };
  struct cp_opts o = { .archive = true };
  cleanup_free char *sctr = NULL, *dctr = NULL;
  const char *spath = NULL, *dpath = NULL;
  struct husk_cp_request rq;
  int r;

  PARSE (opts, o, "[options] [CONTAINER:]SRC_PATH [CONTAINER:]DEST_PATH", true);
  if (husk_strv_len (args) != 2)
    return cli_usage_error (ctx, "accepts 2 arg(s), received %zu", husk_strv_len (args)),
           cli_fail (ctx);
  rq = (struct husk_cp_request){ .archive = o.archive, .overwrite = o.overwrite };
  container_part (args[0], &sctr, &spath);
  container_part (args[1], &dctr, &dpath);
  if (!sctr && !dctr)
    husk_error_makex (&ctx->err, EINVAL, "invalid arguments %s, %s: you must use just one "
                      "container", args[0], args[1]);
  if (ctx->err)
    return cli_fail (ctx);
  signal (SIGPIPE, SIG_IGN);
  if (sctr && dctr)
    r = husk_op_container_copy_between (ctx->engine, sctr, spath, dctr, dpath, &rq, &ctx->err);
  else if (sctr)
    r = husk_op_container_copy_out (ctx->engine, sctr, spath,
                                    strcmp (args[1], "-") == 0 ? NULL : args[1], 1, &rq,
                                    &ctx->err);
  else
    r = husk_op_container_copy_in (ctx->engine, dctr, strcmp (args[0], "-") == 0 ? NULL : args[0],
                                   0, dpath, &rq, &ctx->err);
  return r < 0 ? stdout_fail (ctx) : 0;
}

/* ---- diff ---------------------------------------------------------------- */

struct diff_opts
{
  char *format;
  bool latest;
};

static void
print_changes_json (const struct husk_change *c, size_t n)
{
  static const char *const keys[] = { "changed", "added", "deleted" };
  static const char kinds[] = { 'C', 'A', 'D' };
  cleanup_json json_t *out = json_object ();

  for (size_t k = 0; k < 3; k++)
    {
      json_t *a = json_array ();
      for (size_t i = 0; i < n; i++)
        if (c[i].kind == kinds[k])
          json_array_append_new (a, json_string (c[i].path));
      if (json_array_size (a))
        json_object_set_new (out, keys[k], a);
      else
        json_decref (a);
    }
  cli_print_json (out);
}

static int
diff_cmd (struct cli_ctx *ctx, int argc, char **argv, enum husk_diff_kind kind)
{
  static const struct cli_option opts[] = {
    { "format", 0, OPT_STRING, offsetof (struct diff_opts, format), "string", "Change the output format (json)" },
    { "latest", 'l', OPT_BOOL, offsetof (struct diff_opts, latest), NULL, "Act on the latest container husk is aware of" },
    OPTION_END,
  };
  static const struct cli_option image_opts[] = { /* no containers, no --latest */
    { "format", 0, OPT_STRING, offsetof (struct diff_opts, format), "string", "Change the output format (json)" },
    OPTION_END,
  };
  const struct cli_option *table = kind == HUSK_DIFF_IMAGE ? image_opts : opts;
  static const char *const usage[] = { "[options] {CONTAINER|IMAGE} [{CONTAINER|IMAGE}]",
                                       "[options] CONTAINER [CONTAINER]", "[options] IMAGE [IMAGE]" };
  struct diff_opts o = { 0 };
  struct husk_change *c = NULL;
  cleanup_targets struct cli_targets t = { 0 };
  size_t n = 0;

  PARSE (table, o, usage[kind], true);
  if (o.latest && args[0])
    return husk_error_makex (&ctx->err, EINVAL, "--latest and containers cannot be used "
                             "together"), cli_fail (ctx);
  if (args[0] == NULL && !o.latest)
    return cli_usage_error (ctx, "requires at least 1 arg(s), only received 0"), cli_fail (ctx);
  if (args[0] && args[1] && args[2])
    return cli_usage_error (ctx, "accepts at most 2 arg(s), received %zu",
                            husk_strv_len (args)), cli_fail (ctx);
  if (o.format && strcmp (o.format, "json") != 0)
    return husk_error_makex (&ctx->err, EINVAL, "only the json format is supported, not "
                             "\"%s\"", o.format), cli_fail (ctx);
  if (o.latest && cli_targets_collect (ctx, args, &(struct cli_target_opts){ .latest = true },
                                       &t) < 0)
    return cli_fail (ctx);
  if (husk_op_diff (ctx->engine, o.latest ? t.v[0].id : args[0], o.latest ? NULL : args[1],
                    o.latest ? HUSK_DIFF_CONTAINER : kind, &c, &n, &ctx->err) < 0)
    return cli_fail (ctx);
  if (o.format)
    print_changes_json (c, n);
  else
    for (size_t i = 0; i < n; i++)
      printf ("%c %s\n", c[i].kind, c[i].path);
  husk_changes_free (c, n);
  return 0;
}

int
cmd_diff (struct cli_ctx *ctx, int argc, char **argv)
{
  return diff_cmd (ctx, argc, argv, HUSK_DIFF_ANY);
}

int
cmd_container_diff (struct cli_ctx *ctx, int argc, char **argv)
{
  return diff_cmd (ctx, argc, argv, HUSK_DIFF_CONTAINER);
}

int
cmd_image_diff (struct cli_ctx *ctx, int argc, char **argv)
{
  return diff_cmd (ctx, argc, argv, HUSK_DIFF_IMAGE);
}

/* ---- export -------------------------------------------------------------- */

struct export_opts
{
  char *output;
};

int
cmd_container_export (struct cli_ctx *ctx, int argc, char **argv)
{
  static const struct cli_option opts[] = {
    { "output", 'o', OPT_STRING, offsetof (struct export_opts, output), "string", "Write to a specified file (default: stdout, which must be redirected)" },
    OPTION_END,
  };
  struct export_opts o = { 0 };
  struct husk_output out = { .fd = -1 };
  int r;

  PARSE (opts, o, "[options] CONTAINER", true);
  if (husk_strv_len (args) != 1)
    return cli_usage_error (ctx, "accepts 1 arg(s), received %zu", husk_strv_len (args)),
           cli_fail (ctx);
  if ((o.output == NULL || husk_output_is_stdout (o.output)) && isatty (1))
    return husk_error_makex (&ctx->err, EINVAL, "refusing to export to terminal. Use -o flag "
                             "or redirect"), cli_fail (ctx);
  signal (SIGPIPE, SIG_IGN);
  /* A file is written beside and renamed (a failed export leaves it as it
     was); a device or FIFO is written into (util/fileutil.h).  */
  r = husk_output_open (&out, o.output ? o.output : "-", 0644, &ctx->err);
  if (r == 0)
    r = husk_op_container_export (ctx->engine, args[0], out.fd, &ctx->err);
  if (r == 0)
    r = husk_output_commit (&out, &ctx->err);
  husk_output_release (&out);
  return r < 0 ? stdout_fail (ctx) : 0;
}

/* ---- commit -------------------------------------------------------------- */

struct commit_opts
{
  char *author, *format, *iidfile, *message;
  char **change;
  bool pause, quiet;
};

int
cmd_container_commit (struct cli_ctx *ctx, int argc, char **argv)
{
  static const struct cli_option opts[] = {
    { "author", 'a', OPT_STRING, offsetof (struct commit_opts, author), "string", "Set the author for the image committed" },
    { "change", 'c', OPT_STRV, offsetof (struct commit_opts, change), "stringArray", "Apply the following possible instructions to the created image (default []): CMD | ENTRYPOINT | ENV | EXPOSE | LABEL | ONBUILD | STOPSIGNAL | USER | VOLUME | WORKDIR" },
    { "format", 'f', OPT_STRING, offsetof (struct commit_opts, format), "Format", "Format of the image manifest and metadata (default \"oci\")" },
    { "iidfile", 0, OPT_STRING, offsetof (struct commit_opts, iidfile), "file", "file to write the image ID to" },
    { "message", 'm', OPT_STRING, offsetof (struct commit_opts, message), "string", "Set commit message for imported image" },
    { "pause", 'p', OPT_BOOL, offsetof (struct commit_opts, pause), NULL, "Pause container during commit" },
    { "quiet", 'q', OPT_BOOL, offsetof (struct commit_opts, quiet), NULL, "Suppress output" },
    OPTION_END,
  };
  struct commit_opts o = { 0 };
  struct husk_commit_opts co;
  cleanup_free char *id = NULL;

  PARSE (opts, o, "[options] CONTAINER [IMAGE]", true);
  if (args[0] == NULL || (args[1] && args[2]))
    return cli_usage_error (ctx, "requires at least 1 and at most 2 arg(s), received %zu",
                            husk_strv_len (args)), cli_fail (ctx);
  co = (struct husk_commit_opts){ .reference = args[1], .changes = o.change,
                                  .message = o.message, .author = o.author,
                                  .format = o.format, .pause = o.pause };
  if (husk_op_container_commit (ctx->engine, args[0], &co, &id, &ctx->err) < 0)
    return cli_fail (ctx);
  if (o.iidfile && husk_write_file_atomic (o.iidfile, id, strlen (id), 0644, &ctx->err) < 0)
    return cli_fail (ctx);
  puts (id);
  return 0;
}

/* ---- mount, unmount ------------------------------------------------------ */

struct mount_opts
{
  bool all, no_trunc, force, latest;
  char *format;
};

static int
list_mounts (struct cli_ctx *ctx, const struct mount_opts *o)
{
  struct husk_ctr_mount *m = NULL;
  size_t n = 0;

  if (o->format && strcmp (o->format, "json") != 0)
    return husk_error_makex (&ctx->err, EINVAL, "unknown --format argument: %s", o->format),
           cli_fail (ctx);
  if (husk_op_container_mounts (ctx->engine, &m, &n, &ctx->err) < 0)
    return cli_fail (ctx);
  if (o->format)
    {
      cleanup_json json_t *a = json_array ();
      for (size_t i = 0; i < n; i++)
        json_array_append_new (a, json_pack ("{s:s, s:[s], s:s}", "id", m[i].id, "Names",
                                             m[i].name, "mountpoint", m[i].path));
      cli_print_json (a);
    }
  else
    for (size_t i = 0; i < n; i++)
      printf ("%.*s  %s\n", o->no_trunc ? 64 : 12, m[i].id, m[i].path);
  husk_ctr_mount_array_free (m, n);
  return 0;
}

/* Podman mounts and unmounts every container it finds even when a name
   is missing, then reports only the first missing name: nothing else is
   printed.  Return: the exit status.  */
static int
finish_mounts (struct cli_ctx *ctx, struct cli_targets *t, char **lines)
{
  if (t->missing)
    {
      husk_error_move (&ctx->err, &t->missing);
      cli_targets_release (t);
      return cli_fail (ctx);
    }
  for (size_t i = 0; lines && lines[i]; i++)
    puts (lines[i]);
  return cli_targets_finish (t);
}

int
cmd_container_mount (struct cli_ctx *ctx, int argc, char **argv)
{
  static const struct cli_option opts[] = {
    { "all", 'a', OPT_BOOL, offsetof (struct mount_opts, all), NULL, "Mount all containers" },
    { "format", 0, OPT_STRING, offsetof (struct mount_opts, format), "string", "Print the mounted containers in specified format (json)" },
    { "latest", 'l', OPT_BOOL, offsetof (struct mount_opts, latest), NULL, "Act on the latest container husk is aware of" },
    { "no-trunc", 0, OPT_BOOL, offsetof (struct mount_opts, no_trunc), NULL, "Do not truncate output" },
    OPTION_END,
  };
  struct mount_opts o = { 0 };
  cleanup_strv char **paths = NULL;
  struct cli_targets t;

  PARSE (opts, o, "[options] [CONTAINER...]", true);
  if (!o.all && !o.latest && args[0] == NULL)
    return list_mounts (ctx, &o);
  if (cli_targets_collect (ctx, args, &(struct cli_target_opts){
                             .all = o.all, .latest = o.latest, .keep_going = true }, &t) < 0)
    return cli_fail (ctx);
  for (size_t i = 0; i < t.n; i++)
    {
      char *path = husk_op_container_mount (ctx->engine, t.v[i].id, &ctx->err);
      if (path == NULL)
        cli_targets_defer (ctx, &t, 125);
      else
        husk_strv_take (&paths, path);
    }
  return finish_mounts (ctx, &t, paths);
}

int
cmd_container_unmount (struct cli_ctx *ctx, int argc, char **argv)
{
  static const struct cli_option opts[] = {
    { "all", 'a', OPT_BOOL, offsetof (struct mount_opts, all), NULL, "Unmount all of the currently mounted containers" },
    { "force", 'f', OPT_BOOL, offsetof (struct mount_opts, force), NULL, "Force the complete unmount of the specified mounted containers" },
    { "latest", 'l', OPT_BOOL, offsetof (struct mount_opts, latest), NULL, "Act on the latest container husk is aware of" },
    OPTION_END,
  };
  struct mount_opts o = { 0 };
  cleanup_strv char **done = NULL;
  struct cli_targets t;

  PARSE (opts, o, "[options] CONTAINER [CONTAINER...]", true);
  if (o.all)
    {
      /* The containers that are mounted, rather than every one.  */
      struct husk_ctr_mount *m = NULL;
      size_t n = 0;
      memset (&t, 0, sizeof t);
      if (args[0] || o.latest)
        return husk_error_makex (&ctx->err, EINVAL, "%s", args[0] ? "no arguments are needed "
                                 "with --all" : "--all and --latest cannot be used together"),
               cli_fail (ctx);
      if (husk_op_container_mounts (ctx->engine, &m, &n, &ctx->err) < 0)
        return cli_fail (ctx);
      for (size_t i = 0; i < n; i++)
        cli_targets_add (&t, m[i].id, m[i].id);
      husk_ctr_mount_array_free (m, n);
    }
  else if (cli_targets_collect (ctx, args, &(struct cli_target_opts){
                                  .latest = o.latest, .keep_going = true }, &t) < 0)
    return cli_fail (ctx);
  for (size_t i = 0; i < t.n; i++)
    {
      if (husk_op_container_unmount (ctx->engine, t.v[i].id, o.force, &ctx->err) == 0)
        husk_strv_append (&done, t.v[i].ref);
      else if (o.all && ctx->err->code == EBUSY)
        husk_error_release (&ctx->err); /* running: its own mount stays */
      else
        cli_targets_defer (ctx, &t, 125);
    }
  return finish_mounts (ctx, &t, done);
}

/* ---- rename -------------------------------------------------------------- */

int
cmd_container_rename (struct cli_ctx *ctx, int argc, char **argv)
{
  static const struct cli_option opts[] = { OPTION_END };
  struct cp_opts o = { 0 };

  PARSE (opts, o, "CONTAINER NAME", true);
  if (husk_strv_len (args) != 2)
    return husk_error_makex (&ctx->err, EINVAL, "accepts 2 arg(s), received %zu",
                             husk_strv_len (args)), cli_fail (ctx);
  if (husk_op_container_rename (ctx->engine, args[0], args[1], &ctx->err) < 0)
    return cli_fail (ctx);
  return 0;
}

/* ---- port ---------------------------------------------------------------- */

struct port_opts
{
  bool all, latest;
};

/* Print the mappings of ports (filter: "80" or "80/tcp", NULL for all).
   Return: how many matched.  */
static size_t
print_ports (const struct husk_container_port *ports, size_t n, const char *filter)
{
  size_t hits = 0;

  for (size_t i = 0; i < n; i++)
    {
      const struct husk_container_port *p = &ports[i];
      cleanup_free char *key = husk_asprintf ("%u/%s", p->container_port, p->protocol);
      cleanup_free char *bare = husk_asprintf ("%u", p->container_port);

      if (filter == NULL)
        printf ("%s -> %s:%u\n", key, p->host_ip, p->host_port);
      else if (strcmp (filter, key) == 0 || (strcmp (filter, bare) == 0
                                             && strcmp (p->protocol, "tcp") == 0))
        printf ("%s:%u\n", p->host_ip, p->host_port);
      else
        continue;
      hits++;
    }
  return hits;
}

int
cmd_container_port (struct cli_ctx *ctx, int argc, char **argv)
{
  static const struct cli_option opts[] = {
    { "all", 'a', OPT_BOOL, offsetof (struct port_opts, all), NULL, "Display port information for all containers" },
    { "latest", 'l', OPT_BOOL, offsetof (struct port_opts, latest), NULL, "Act on the latest container husk is aware of" },
    OPTION_END,
  };
  struct port_opts o = { 0 };
  struct husk_container_port *ports = NULL;
  size_t nports = 0;
  cleanup_targets struct cli_targets t = { 0 };
  char *first[2] = { NULL, NULL };
  const char *filter;

  PARSE (opts, o, "[options] CONTAINER [PORT]", true);
  if (husk_strv_len (args) > 2)
    return husk_error_makex (&ctx->err, EINVAL, "`port` accepts at most 2 arguments"),
           cli_fail (ctx);
  /* The container, then the port; with --latest the only argument is
     the port.  */
  first[0] = o.latest ? NULL : args[0];
  if (cli_targets_collect (ctx, o.all ? args : first, &(struct cli_target_opts){
                             .all = o.all, .latest = o.latest,
                             .no_args = "you must supply a running container name or id" },
                           &t) < 0)
    return cli_fail (ctx);
  if (o.all)
    {
      struct husk_container_rec *list = NULL;
      size_t n = 0;
      if (husk_op_container_list (ctx->engine, &list, &n, &ctx->err) < 0)
        return cli_fail (ctx);
      for (size_t i = 0; i < n; i++)
        {
          struct husk_container_info info;
          husk_op_container_info (&list[i], &info);
          if (strcmp (list[i].state, "running") == 0 && info.n_ports > 0)
            {
              puts (list[i].id);
              print_ports (info.ports, info.n_ports, NULL);
            }
          husk_container_info_release (&info);
        }
      husk_container_rec_array_free (list, n);
      return 0;
    }
  filter = o.latest ? args[0] : args[1];
  if (o.latest && args[0] && args[1])
    return husk_error_makex (&ctx->err, EINVAL, "--latest and containers cannot be used "
                             "together"), cli_fail (ctx);
  if (husk_op_container_ports (ctx->engine, t.v[0].id, &ports, &nports, &ctx->err) < 0)
    return cli_fail (ctx);
  print_ports (ports, nports, filter);
  husk_container_ports_free (ports, nports);
  return 0;
}

/* ---- container prune ----------------------------------------------------- */

struct prune_opts
{
  bool force;
  char **filter;
};

int
cmd_container_prune (struct cli_ctx *ctx, int argc, char **argv)
{
  static const struct cli_option opts[] = {
    { "filter", 0, OPT_STRV, offsetof (struct prune_opts, filter), "stringArray", "Provide filter values (e.g. 'label=<key>=<value>')" },
    { "force", 'f', OPT_BOOL, offsetof (struct prune_opts, force), NULL, "Do not prompt for confirmation.  The default is false" },
    OPTION_END,
  };
  struct prune_opts o = { 0 };
  cleanup_strv char **removed = NULL;
  int r;

  PARSE (opts, o, "[options]", true);
  if (args[0])
    return cli_usage_error (ctx, "accepts 0 arg(s), received %zu", husk_strv_len (args)),
           cli_fail (ctx);
  if (!o.force && isatty (0) && !cli_confirm ("This will remove all non running containers."))
    return 0;
  r = husk_op_container_prune (ctx->engine, o.filter, &removed, &ctx->err);
  for (size_t i = 0; removed && removed[i]; i++)
    puts (removed[i]);
  return r < 0 ? cli_fail (ctx) : 0;
}
