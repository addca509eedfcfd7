/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * husk __complete WORD...: the candidates for the last word of a husk
 * command line, one per line ("word" or "word<TAB>description"), then one
 * directive line saying what the shell adds of its own: ":files", ":dirs"
 * or ":none".  The scripts `husk completion SHELL` prints call it with the
 * words typed so far; the last one (maybe empty) is being completed.
 *
 * Theory of operation.  Nothing here is a list of commands or flags:
 *  - commands come from the command tables (cli_top_commands and the
 *    groups' tables), hidden ones left out;
 *  - a command's flags, its usage line and whether its flags may follow
 *    its arguments come from the handler itself: called with ctx->probe
 *    set, its cli_parse() records its option table there and returns as
 *    for --help, before the handler does anything;
 *  - what its arguments name comes from that usage line's placeholders
 *    ("CONTAINER [CONTAINER...]", "IMAGE [COMMAND [ARG...]]",
 *    "bash|zsh|fish|powershell"), the same words --help shows;
 *  - names are read from the store the command line would use (--root,
 *    --runroot, ... before __complete or among the words), and only when
 *    that store exists: completing never creates one, and a store that
 *    cannot be opened completes no names, silently.
 * Only the two small tables below are hand-written: what a placeholder
 * word names, and the values of a few flags.
 */
#include "cli/cli.h"
#include "ops/pod.h"
#include "ops/container.h"
#include "ops/image.h"
#include "ops/secret.h"
#include "ops/volume.h"
#include "state/state.h"
#include "util/cleanup.h"
#include "util/fileutil.h"
#include "util/strutil.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum
{
  ARG_CONTAINER = 1 << 0,
  ARG_IMAGE = 1 << 1,
  ARG_VOLUME = 1 << 2,
  ARG_FILE = 1 << 3,
  ARG_CONTAINER_PATH = 1 << 4, /* "[CONTAINER:]PATH": "name:" or a file */
  ARG_POD = 1 << 5,
  ARG_SECRET = 1 << 6,
};

/* What the placeholder words of usage lines name.  */
static const struct
{
  const char *word;
  unsigned kinds;
} placeholders[] = {
  { "CONTAINER", ARG_CONTAINER }, { "IMAGE", ARG_IMAGE },    { "VOLUME", ARG_VOLUME },
  { "POD", ARG_POD },              { "SECRET", ARG_SECRET },
  { "PATH", ARG_FILE },           { "SRC_PATH", ARG_FILE },  { "DEST_PATH", ARG_FILE },
  { "SOURCE", ARG_FILE },         { "COMMAND", ARG_FILE },   { "ARG", ARG_FILE },
};

/* Values of flags, by long name: words, or ":files" / ":dirs".  Flags
   whose argument is "bool" complete true and false without an entry.  */
static const struct
{
  const char *name;
  const char *values;
} option_values[] = {
  { "log-level", "trace debug info warn warning error fatal panic" },
  { "storage-driver", "overlay vfs" },
  { "restart", "no always on-failure unless-stopped" },
  { "network", "pasta slirp4netns none host" },
  { "net", "pasta slirp4netns none host" },
  { "log-driver", "k8s-file json-file none passthrough" },
  { "health-on-failure", "none kill restart stop" },
  { "type", "all container image" },
  { "signal", "SIGTERM SIGKILL SIGHUP SIGINT SIGQUIT SIGUSR1 SIGUSR2 SIGSTOP SIGCONT" },
  { "stop-signal", "SIGTERM SIGKILL SIGHUP SIGINT SIGQUIT SIGUSR1 SIGUSR2" },
  { "events-backend", "file none" },
  { "cgroup-manager", "cgroupfs" },
  { "root", ":dirs" },
  { "runroot", ":dirs" },
  { "tmpdir", ":dirs" },
  { "volumepath", ":dirs" },
  { "network-config-dir", ":dirs" },
  { "network-cmd-path", ":files" },
  { "runtime", ":files" },
  { "input", ":files" },
  { "output", ":files" },
  { "file", ":files" },
  { "env-file", ":files" },
  { "label-file", ":files" },
  { "cidfile", ":files" },
  { "iidfile", ":files" },
  { "init-path", ":files" },
  { "volume", ":files" },
};

struct comp
{
  const char *cur;               /* the word being completed */
  const char *directive;         /* ":none", ":files" or ":dirs" */
  struct husk_engine_opts eo;    /* the store the command line names */
  char **storage_opts;           /* owned copies for eo */
  const struct cli_option *opts; /* the command's flags, or NULL */
  bool at_top;                   /* before the command: every global flag */
};

/* Print prefix+word, if it continues what is typed, and its description. */
static void
emit (struct comp *c, const char *prefix, const char *word, const char *desc)
{
  cleanup_free char *full = husk_asprintf ("%s%s", prefix, word);

  if (!husk_has_prefix (full, c->cur))
    return;
  fputs (full, stdout);
  if (desc && *desc)
    {
      putchar ('\t');
      for (; *desc && *desc != '\n'; desc++)
        putchar (*desc == '\t' ? ' ' : *desc);
    }
  putchar ('\n');
}

/* ---- flags ------------------------------------------------------------------ */

static bool
takes_value (const struct cli_option *o)
{
  return !cli_option_is_flag (o);
}

static const struct cli_option *
find_long (const struct cli_option *opts, const char *name, size_t len)
{
  for (; opts && opts->type != OPT_END; opts++)
    if (strlen (opts->name) == len && strncmp (opts->name, name, len) == 0)
      return opts;
  return NULL;
}

static const struct cli_option *
find_short (const struct cli_option *opts, char ch)
{
  for (; opts && opts->type != OPT_END; opts++)
    if (opts->short_name == ch)
      return opts;
  return NULL;
}

static bool
is_global (const struct cli_option *o)
{
  for (const struct cli_option *g = cli_global_options; g->type != OPT_END; g++)
    if (g == o)
      return true;
  return false;
}

/* The flag word w names, from the command's table or the global flags
   (only those with a value after the command, as extract_globals takes).
   *value: the attached value ("--x=v", "-xv"), or NULL when the value is
   the next word or the flag takes none.  */
static const struct cli_option *
lookup_flag (struct comp *c, const char *w, const char **value)
{
  const struct cli_option *o = NULL;

  *value = NULL;
  if (w[1] == '-')
    {
      const char *eq = strchr (w + 2, '=');
      size_t len = eq ? (size_t) (eq - w - 2) : strlen (w + 2);
      o = find_long (c->opts, w + 2, len);
      if (o == NULL)
        o = find_long (cli_global_options, w + 2, len);
      if (o && !c->at_top && is_global (o) && !takes_value (o))
        o = NULL;
      if (o && eq)
        *value = eq + 1;
      return o;
    }
  /* A bundle of short flags: the first that takes a value ends it.  */
  for (const char *p = w + 1; *p; p++)
    {
      o = find_short (c->opts, *p);
      if (o == NULL && c->at_top)
        o = find_short (cli_global_options, *p);
      if (o == NULL)
        return NULL;
      if (takes_value (o))
        {
          *value = p[1] ? p + 1 : NULL;
          return o;
        }
    }
  return o;
}

/* Keep what the command line says of the store: its names come from there. */
static void
note_global (struct comp *c, const struct cli_option *o, const char *value)
{
  if (!is_global (o) || value == NULL)
    return;
  if (strcmp (o->name, "root") == 0)
    c->eo.root = value;
  else if (strcmp (o->name, "runroot") == 0)
    c->eo.runroot = value;
  else if (strcmp (o->name, "storage-driver") == 0)
    c->eo.storage_driver = value;
  else if (strcmp (o->name, "runtime") == 0)
    c->eo.runtime = value;
  else if (strcmp (o->name, "storage-opt") == 0)
    {
      husk_strv_append (&c->storage_opts, value);
      c->eo.storage_opts = c->storage_opts;
    }
}

static void
emit_option (struct comp *c, const struct cli_option *o)
{
  cleanup_free char *lng = NULL;

  if (o->help == NULL || o->type == OPT_REFUSED)
    return; /* a hidden option (cli.h) */
  lng = husk_asprintf ("--%s", o->name);
  emit (c, "", lng, o->help);
  if (o->short_name)
    {
      char shrt[3] = { '-', o->short_name, '\0' };
      emit (c, "", shrt, o->help);
    }
}

static void
complete_flags (struct comp *c)
{
  for (const struct cli_option *o = c->opts; o && o->type != OPT_END; o++)
    emit_option (c, o);
  for (const struct cli_option *o = cli_global_options; o->type != OPT_END; o++)
    if ((c->at_top || takes_value (o)) && find_long (c->opts, o->name, strlen (o->name)) == NULL)
      emit_option (c, o);
  emit (c, "", "--help", "Help for this command");
  if (find_short (c->opts, 'h') == NULL)
    emit (c, "", "-h", "Help for this command");
}

/* The values of flag o; prefix is "--name=" when the value is attached.  */
static void
complete_value (struct comp *c, const struct cli_option *o, const char *prefix)
{
  const char *values = NULL;

  for (size_t i = 0; i < sizeof option_values / sizeof option_values[0]; i++)
    if (strcmp (option_values[i].name, o->name) == 0)
      values = option_values[i].values;
  if (values == NULL && o->arg && strcmp (o->arg, "bool") == 0)
    values = "true false";
  if (values == NULL)
    return;
  if (values[0] == ':')
    {
      c->directive = values;
      return;
    }
  cleanup_strv char **v = husk_strv_split (values, ' ');
  for (size_t i = 0; v[i]; i++)
    emit (c, prefix, v[i], NULL);
}

/* The word typed starts with "-": a flag, or "--name=" and its value.  */
static void
complete_flag_word (struct comp *c)
{
  const char *value;
  const struct cli_option *o = lookup_flag (c, c->cur, &value);

  if (o && value && c->cur[1] == '-')
    {
      cleanup_free char *prefix = husk_xstrndup (c->cur, (size_t) (value - c->cur));
      complete_value (c, o, prefix);
    }
  else
    complete_flags (c);
}

/* ---- names from the store ------------------------------------------------- */

/* The engine of the store the command line names, if that store exists.  */
static struct husk_engine *
open_store (struct comp *c)
{
  struct husk_engine *e = husk_engine_new (&c->eo, NULL);
  cleanup_free char *db = NULL;

  if (e == NULL)
    return NULL;
  db = husk_asprintf ("%s/husk.db", e->root);
  if (!husk_path_exists (db) || husk_engine_open (e, NULL) < 0)
    {
      husk_engine_free (e);
      return NULL;
    }
  return e;
}

/* An ID is offered once three of its digits are typed: IDs are long, and
   a name that starts with a letter from a to f should not drown in them. */
static void
emit_id (struct comp *c, const char *id, const char *desc)
{
  if (strlen (c->cur) >= 3 && husk_is_hex (c->cur, 0) && husk_has_prefix (id, c->cur))
    {
      cleanup_free char *shrt = husk_xstrndup (id, 12);
      emit (c, "", shrt, desc);
    }
}

static void
complete_containers (struct comp *c, struct husk_engine *e, const char *suffix)
{
  struct husk_container_rec *list = NULL;
  size_t n = 0;

  if (husk_op_container_list (e, &list, &n, NULL) < 0)
    return;
  for (size_t i = 0; i < n; i++)
    {
      cleanup_free char *name = husk_asprintf ("%s%s", list[i].name, suffix);
      emit (c, "", name, NULL);
      emit_id (c, list[i].id, list[i].name);
    }
  husk_container_rec_array_free (list, n);
}

/* "localhost/x:1" and "docker.io/library/x:1" are "x:1" to a user.  */
static const char *
short_name (const char *name)
{
  static const char *const domains[] = { "localhost/", "docker.io/library/", "docker.io/" };

  for (size_t i = 0; i < sizeof domains / sizeof domains[0]; i++)
    if (husk_has_prefix (name, domains[i]))
      return name + strlen (domains[i]);
  return name;
}

static void
complete_images (struct comp *c, struct husk_engine *e)
{
  struct husk_image_rec *list = NULL;
  size_t n = 0;

  if (husk_op_image_list (e, &list, &n, NULL) < 0)
    return;
  for (size_t i = 0; i < n; i++)
    {
      for (size_t k = 0; list[i].names && list[i].names[k]; k++)
        {
          const char *full = list[i].names[k];
          /* The full name, or the short one when that is what is typed. */
          emit (c, "", husk_has_prefix (full, c->cur) ? full : short_name (full), NULL);
        }
      emit_id (c, list[i].id, list[i].names ? list[i].names[0] : NULL);
    }
  husk_image_rec_array_free (list, n);
}

static void
complete_volumes (struct comp *c, struct husk_engine *e)
{
  cleanup_json json_t *vols = NULL;
  size_t i;
  json_t *v;

  if (husk_op_volume_list (e, NULL, &vols, NULL) < 0)
    return;
  json_array_foreach (vols, i, v)
    emit (c, "", json_string_value (json_object_get (v, "Name")), NULL);
}

static void
complete_secrets (struct comp *c, struct husk_engine *e)
{
  cleanup_json json_t *all = NULL;
  size_t i;
  json_t *v;

  if (husk_op_secret_list (e, NULL, &all, NULL) < 0)
    return;
  json_array_foreach (all, i, v)
    emit (c, "", json_string_value (json_object_get (json_object_get (v, "Spec"), "Name")),
          NULL);
}

static void
complete_pods (struct comp *c, struct husk_engine *e)
{
  cleanup_json json_t *pods = husk_op_pod_list (e, NULL);
  size_t i;
  json_t *p;

  json_array_foreach (pods, i, p)
    emit (c, "", json_string_value (json_object_get (p, "Name")), NULL);
}

static void
complete_names (struct comp *c, unsigned kinds)
{
  struct husk_engine *e;

  if (kinds & ARG_CONTAINER_PATH && strchr (c->cur, ':'))
    return; /* a path inside the container: not known here */
  if (kinds & (ARG_FILE | ARG_CONTAINER_PATH))
    c->directive = ":files";
  if (!(kinds & (ARG_CONTAINER | ARG_IMAGE | ARG_VOLUME | ARG_CONTAINER_PATH | ARG_POD
                 | ARG_SECRET)))
    return;
  e = open_store (c);
  if (e == NULL)
    return;
  if (kinds & (ARG_CONTAINER | ARG_CONTAINER_PATH))
    complete_containers (c, e, kinds & ARG_CONTAINER_PATH ? ":" : "");
  if (kinds & ARG_IMAGE)
    complete_images (c, e);
  if (kinds & ARG_VOLUME)
    complete_volumes (c, e);
  if (kinds & ARG_POD)
    complete_pods (c, e);
  if (kinds & ARG_SECRET)
    complete_secrets (c, e);
  husk_engine_free (e);
}

/* ---- arguments, from the usage line ------------------------------------------ */

/* The placeholder of argument pos (from 0) in a usage line such as
   "[options] IMAGE [COMMAND [ARG...]]": "IMAGE", then "COMMAND", then
   "ARG" for every later one, as a word ending in "..." (or followed by
   "[...]") repeats.  Return: the word, brackets removed, or NULL.  */
static char *
usage_placeholder (const char *usage, size_t pos)
{
  cleanup_strv char **tokens = husk_strv_split (usage, ' ');
  cleanup_strv char **slots = NULL;
  bool last_repeats = false;
  size_t n;

  for (size_t i = 0; tokens[i]; i++)
    {
      struct husk_buf w = HUSK_BUF_INIT;
      if (strcmp (tokens[i], "[options]") == 0 || tokens[i][0] == '\0')
        continue;
      if (strcmp (tokens[i], "[...]") == 0)
        {
          last_repeats = true;
          continue;
        }
      for (const char *t = tokens[i]; *t; t++)
        if (!strchr ("[]{}", *t))
          husk_buf_putc (&w, *t);
      husk_strv_take (&slots, husk_buf_steal (&w));
      last_repeats = false;
    }
  n = husk_strv_len (slots);
  if (n && husk_has_suffix (slots[n - 1], "..."))
    {
      slots[n - 1][strlen (slots[n - 1]) - 3] = '\0';
      last_repeats = true;
    }
  if (pos < n)
    return husk_xstrdup (slots[pos]);
  return n && last_repeats ? husk_xstrdup (slots[n - 1]) : NULL;
}

/* Complete argument pos of a command from its usage line: lowercase
   words are literal choices ("bash|zsh|fish"); placeholders name what the
   store or the file system holds.  */
static void
complete_argument (struct comp *c, const char *usage, size_t pos)
{
  cleanup_free char *word = usage ? usage_placeholder (usage, pos) : NULL;
  cleanup_strv char **alts = NULL;
  unsigned kinds = 0;

  if (word == NULL)
    return;
  alts = husk_strv_split (word, '|');
  for (size_t i = 0; alts[i]; i++)
    {
      const char *a = alts[i];
      if (husk_has_prefix (a, "CONTAINER:"))
        {
          kinds |= ARG_CONTAINER_PATH;
          a += strlen ("CONTAINER:");
        }
      if (islower ((unsigned char) a[0]))
        emit (c, "", a, NULL);
      for (size_t k = 0; k < sizeof placeholders / sizeof placeholders[0]; k++)
        if (strcmp (placeholders[k].word, a) == 0)
          kinds |= placeholders[k].kinds;
    }
  complete_names (c, kinds);
}

/* ---- the command line ----------------------------------------------------------- */

/* Ask the handler of cmd for its option table and usage line.  */
static void
probe (struct cli_ctx *ctx, const struct cli_command *cmd, struct cli_probe *p)
{
  struct cli_ctx pctx = { .g = ctx->g, .cmd_path = ctx->cmd_path, .probe = p };
  char *none[] = { NULL };

  memset (p, 0, sizeof *p);
  if (!(cmd->flags & CMD_RAW_ARGS))
    cmd->fn (&pctx, 0, none);
  husk_error_release (&pctx.err);
}

/* Complete the words after command cmd: words[0..n) are done, c->cur is
   being typed.  */
static void
complete_command (struct cli_ctx *ctx, struct comp *c, const struct cli_command *cmd,
                  char **words, size_t n)
{
  struct cli_probe p;
  bool only_args = false;
  size_t pos = 0;

  probe (ctx, cmd, &p);
  c->opts = p.opts;
  for (size_t i = 0; i < n; i++)
    {
      const struct cli_option *o;
      const char *value;

      if (only_args || words[i][0] != '-' || words[i][1] == '\0')
        {
          pos++;
          only_args = only_args || !p.interspersed;
          continue;
        }
      if (strcmp (words[i], "--") == 0)
        {
          only_args = true;
          continue;
        }
      o = lookup_flag (c, words[i], &value);
      if (o == NULL || !takes_value (o) || value)
        {
          if (o)
            note_global (c, o, value);
          continue;
        }
      if (i + 1 == n)
        {
          complete_value (c, o, ""); /* the word typed is this flag's value */
          return;
        }
      note_global (c, o, words[++i]);
    }
  if (!only_args && c->cur[0] == '-')
    complete_flag_word (c);
  else
    complete_argument (c, p.usage, pos);
}

static void
complete_subcommands (struct comp *c, const struct cli_command *cmds)
{
  for (; cmds->name; cmds++)
    if (!(cmds->flags & CMD_HIDDEN))
      emit (c, "", cmds->name, cmds->summary);
}

int
cmd_complete (struct cli_ctx *ctx, int argc, char **argv)
{
  struct comp c = {
    .cur = argc > 0 ? argv[argc - 1] : "",
    .directive = ":none",
    .eo = { .root = ctx->g->root, .runroot = ctx->g->runroot,
            .storage_driver = ctx->g->storage_driver, .storage_opts = ctx->g->storage_opt,
            .runtime = ctx->g->runtime },
    .at_top = true,
  };
  const struct cli_command *table = cli_top_commands;
  size_t n = argc > 0 ? (size_t) argc - 1 : 0, i = 0;

  if (ctx->probe)
    return 0;
  /* Global flags before the command.  */
  while (i < n && argv[i][0] == '-')
    {
      const char *value;
      const struct cli_option *o = lookup_flag (&c, argv[i], &value);
      if (o && takes_value (o) && value == NULL)
        {
          if (i + 1 == n)
            {
              complete_value (&c, o, "");
              goto out;
            }
          note_global (&c, o, argv[++i]);
        }
      else if (o)
        note_global (&c, o, value);
      i++;
    }
  /* The command, through its groups.  */
  for (; i < n; i++)
    {
      const struct cli_command *cmd = NULL;
      for (const struct cli_command *k = table; k->name && cmd == NULL; k++)
        if (strcmp (k->name, argv[i]) == 0)
          cmd = k;
      if (cmd == NULL)
        goto out; /* not a command (or a flag between group and verb) */
      if (cmd->sub)
        {
          table = cmd->sub;
          c.at_top = false;
          continue;
        }
      c.at_top = false;
      complete_command (ctx, &c, cmd, argv + i + 1, n - i - 1);
      goto out;
    }
  if (c.cur[0] == '-' && c.at_top)
    complete_flag_word (&c);
  else if (c.cur[0] == '-')
    {
      emit (&c, "", "--help", "Help for this command");
      emit (&c, "", "-h", "Help for this command");
    }
  else
    complete_subcommands (&c, table);
out:
  printf ("%s\n", c.directive);
  husk_strv_free (c.storage_opts);
  return 0;
}

/* ---- husk __flags: every flag of every command --------------------------------- */

static void
print_flags (struct cli_ctx *ctx, const char *path, const struct cli_command *cmds)
{
  for (; cmds->name; cmds++)
    {
      cleanup_free char *here = husk_asprintf ("%s%s%s", path, *path ? " " : "", cmds->name);
      struct cli_probe p;

      if (cmds->flags & (CMD_HIDDEN | CMD_RAW_ARGS))
        continue;
      if (cmds->sub)
        {
          print_flags (ctx, here, cmds->sub);
          continue;
        }
      probe (ctx, cmds, &p);
      for (const struct cli_option *o = p.opts; o && o->type != OPT_END; o++)
        if (o->help != NULL)
          printf ("%s\t--%s\t%c\t%s\t%s\n", here, o->name, o->short_name ? o->short_name : '-',
                  o->type == OPT_REFUSED ? "refused" : "supported", o->help);
    }
}

/* One line per flag: "COMMAND PATH<TAB>--flag<TAB>short or -<TAB>
   supported|refused<TAB>help or the reason it is refused", for the tests
   and docs/flags.md.  */
int
cmd_flags (struct cli_ctx *ctx, int argc, char **argv)
{
  (void) argc;
  (void) argv;
  if (ctx->probe)
    return 0;
  print_flags (ctx, "", cli_top_commands);
  for (const struct cli_option *o = cli_global_options; o->type != OPT_END; o++)
    if (o->help != NULL)
      printf ("(global)\t--%s\t%c\t%s\t%s\n", o->name, o->short_name ? o->short_name : '-',
              o->type == OPT_REFUSED ? "refused" : "supported", o->help);
  return 0;
}
