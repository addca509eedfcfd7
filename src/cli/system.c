/* SPDX-License-Identifier: GPL-2.0-or-later */
/* husk version, info and the "system" group (info, df, reset).  */
#include "cli/cli.h"
#include "cli/output.h"
#include "husk-config.h"
#include "husk-vcs.h"
#include "engine/engine.h"
#include "format/humanize.h"
#include "ops/system.h"
#include "userns/userns.h"
#include "util/cleanup.h"
#include "util/log.h"
#include "util/strutil.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

struct fmt_opts
{
  char *format;
  bool force, verbose;
};

static const struct cli_option format_only[] = {
  { "format", 'f', OPT_STRING, offsetof (struct fmt_opts, format), "string",
    "Change the output format to JSON or a Go template" },
  OPTION_END,
};

/* When this file was compiled (__DATE__ "Dec  5 2026", __TIME__
   "13:08:13", local time; GCC takes them from SOURCE_DATE_EPOCH when it
   is set), which the build recompiles whenever the commit changes.  */
static time_t
build_time (void)
{
  static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
  const char *date = __DATE__, *clock = __TIME__;
  char mon[4] = "";
  struct tm tm = { .tm_isdst = -1 };
  const char *m;

  if (sscanf (date, "%3s %d %d", mon, &tm.tm_mday, &tm.tm_year) != 3
      || sscanf (clock, "%d:%d:%d", &tm.tm_hour, &tm.tm_min, &tm.tm_sec) != 3
      || (m = strstr (months, mon)) == NULL)
    return 0;
  tm.tm_mon = (int) (m - months) / 3;
  tm.tm_year -= 1900;
  return mktime (&tm);
}

/* Podman's version object: {"Client": {...}}.  GoVersion names the C
   compiler husk was built with.  */
static json_t *
version_object (void)
{
  struct utsname u;
  time_t built = build_time ();
  char when[64] = "", osarch[80];
  struct tm tm;

  uname (&u);
  snprintf (osarch, sizeof osarch, "linux/%s",
            strcmp (u.machine, "x86_64") == 0    ? "amd64"
            : strcmp (u.machine, "aarch64") == 0 ? "arm64"
                                                 : u.machine);
  if (localtime_r (&built, &tm))
    strftime (when, sizeof when, "%a %b %e %H:%M:%S %Y", &tm);
  return json_pack ("{s:{s:s, s:s, s:s, s:s, s:s, s:I, s:s, s:s}}", "Client",
                    "APIVersion", HUSK_VERSION, "Version", HUSK_VERSION,
                    "GoVersion", "gcc " __VERSION__, "GitCommit", HUSK_GIT_COMMIT,
                    "BuiltTime", when, "Built", (json_int_t) built,
                    "OsArch", osarch, "Os", "linux");
}

int
cmd_version (struct cli_ctx *ctx, int argc, char **argv)
{
  struct fmt_opts o = { 0 };
  cleanup_json json_t *v = NULL;
  json_t *c;

  PARSE (format_only, o, "[options]", true);
  v = version_object ();
  c = json_object_get (v, "Client");
  if (o.format && strcmp (o.format, "json") == 0)
    {
      cleanup_free char *s = json_dumps (v, JSON_COMPACT | JSON_PRESERVE_ORDER);
      puts (s);
      return 0;
    }
  if (o.format)
    {
      cleanup_json json_t *one = json_pack ("[O]", v);
      return cli_print_objects (ctx, o.format, one) < 0 ? cli_fail (ctx) : 0;
    }
  printf ("Client:       husk Engine\nVersion:      %s\nAPI Version:  %s\n",
          json_string_value (json_object_get (c, "Version")),
          json_string_value (json_object_get (c, "APIVersion")));
  printf ("Git Commit:   %s\nBuilt:        %s\nOS/Arch:      %s\n",
          json_string_value (json_object_get (c, "GitCommit")),
          json_string_value (json_object_get (c, "BuiltTime")),
          json_string_value (json_object_get (c, "OsArch")));
  return 0;
}

/* Whether info's member k is a Go map, whose keys are data (storage
   options, registries), not field names.  */
static bool
is_go_map (const char *k)
{
  return strcmp (k, "graphOptions") == 0 || strcmp (k, "graphStatus") == 0
         || strcmp (k, "registries") == 0;
}

/* Podman's Go structs name fields with a capital; the JSON has them in
   camel case.  Templates see the Go names.  */
static json_t *
go_names (json_t *j)
{
  const char *k;
  json_t *v, *o;

  if (!json_is_object (j))
    return json_incref (j);
  o = json_object ();
  json_object_foreach (j, k, v)
    {
      cleanup_free char *name = strcmp (k, "ociRuntime") == 0    ? husk_xstrdup ("OCIRuntime")
                                : strcmp (k, "cgroupVersion") == 0 ? husk_xstrdup ("CgroupsVersion")
                                                                   : husk_xstrdup (k);
      name[0] = toupper ((unsigned char) name[0]);
      json_object_set_new (o, name, is_go_map (k) ? json_incref (v) : go_names (v));
    }
  return o;
}

/* The YAML-like default view of info.  */
static void
print_yaml (json_t *j, int indent)
{
  const char *k;
  json_t *v;
  size_t i;

  json_object_foreach (j, k, v)
    {
      printf ("%*s%s:", indent, "", k);
      if ((json_is_object (v) && json_object_size (v) == 0)
          || (json_is_array (v) && json_array_size (v) == 0))
        puts (json_is_object (v) ? " {}" : " []");
      else if (json_is_object (v))
        {
          putchar ('\n');
          print_yaml (v, indent + 2);
        }
      else if (json_is_array (v))
        {
          putchar ('\n');
          json_t *e;
          json_array_foreach (v, i, e)
            printf ("%*s- %s\n", indent, "", json_string_value (e) ? json_string_value (e) : "");
        }
      else if (json_is_string (v) && strchr (json_string_value (v), '\n'))
        {
          /* A block, as YAML writes a multi-line text (a runtime's version). */
          cleanup_strv char **l = husk_strv_split (json_string_value (v), '\n');
          puts (" |-");
          for (size_t n = 0; l && l[n]; n++)
            printf ("%*s%s\n", indent + 2, "", l[n]);
        }
      else if (json_is_string (v))
        printf (" %s\n", json_string_value (v));
      else
        {
          char *s = json_dumps (v, JSON_ENCODE_ANY | JSON_REAL_PRECISION (15));
          printf (" %s\n", s);
          free (s);
        }
    }
}

/* What the global options chose (--events-backend, --volumepath,
   --network-config-dir, --cgroup-manager), where Podman's info shows it. */
static void
add_global_places (const struct husk_engine *e, json_t *info)
{
  json_t *host = json_object_get (info, "host"), *store = json_object_get (info, "store");

  if (json_is_object (host))
    {
      json_object_set_new (host, "eventLogger", json_string (e->events_backend));
      json_object_set_new (host, "networkConfigDir", json_string (e->network_config_dir));
    }
  if (json_is_object (store))
    json_object_set_new (store, "volumePath", json_string (e->volume_path));
}

int
cmd_info (struct cli_ctx *ctx, int argc, char **argv)
{
  struct fmt_opts o = { 0 };
  cleanup_json json_t *info = NULL;

  PARSE (format_only, o, "[options]", true);
  info = husk_op_system_info (ctx->engine, &ctx->err);
  if (info == NULL)
    return cli_fail (ctx);
  add_global_places (ctx->engine, info);
  if (o.format == NULL)
    print_yaml (info, 0);
  else if (strcmp (o.format, "json") == 0)
    {
      /* 15 digits: a percentage prints as 29.22, not 29.219999999999999.  */
      cleanup_free char *s = json_dumps (info, JSON_INDENT (4) | JSON_REAL_PRECISION (15));
      puts (s ? s : "{}");
    }
  else
    {
      cleanup_json json_t *one = json_array ();
      json_array_append_new (one, go_names (info));
      if (cli_print_objects (ctx, o.format, one) < 0)
        return cli_fail (ctx);
    }
  return 0;
}

/* A row as Podman prints it: sizes in human units, the reclaimable part
   with its percentage; RawSize and RawReclaimable in bytes.  */
static json_t *
df_row (const char *type, const struct husk_df_row *r)
{
  cleanup_free char *size = cli_human_size (r->size);
  cleanup_free char *rsize = cli_human_size (r->reclaimable);
  cleanup_free char *recl = husk_asprintf ("%s (%d%%)", rsize,
                                           r->size ? (int) (r->reclaimable * 100 / r->size) : 0);

  return json_pack ("{s:s, s:I, s:I, s:s, s:s, s:I, s:I}", "Type", type,
                    "Total", (json_int_t) r->total, "Active", (json_int_t) r->active,
                    "Size", size, "Reclaimable", recl, "RawSize", (json_int_t) r->size,
                    "RawReclaimable", (json_int_t) r->reclaimable);
}

/* Humanised copies of the byte and time fields a -v table shows.  */
static void
humanise (json_t *rows, const char *const *keys)
{
  size_t i;
  json_t *r;

  json_array_foreach (rows, i, r)
    for (size_t k = 0; keys[k]; k++)
      {
        json_int_t v = json_integer_value (json_object_get (r, keys[k]));
        cleanup_free char *name = husk_asprintf ("%sText", keys[k]);
        cleanup_free char *text = strcmp (keys[k], "Created") == 0 ? cli_human_ago (v)
                                                                  : cli_human_size (v);
        json_object_set_new (r, name, json_string (text));
      }
}

/* `system df -v`: Podman's three tables.  */
static int
df_verbose (struct cli_ctx *ctx, const char *format)
{
  static const char *const ikeys[] = { "Created", "Size", "SharedSize", "UniqueSize", NULL };
  static const char *const ckeys[] = { "Created", "Size", NULL };
  static const char *const vkeys[] = { "Size", NULL };
  cleanup_json json_t *v = husk_op_system_df_verbose (ctx->engine, &ctx->err), *h = NULL;
  json_t *images, *ctrs, *vols;
  size_t i;
  json_t *r;

  if (v == NULL)
    return cli_fail (ctx);
  if (format && strcmp (format, "json") == 0)
    return cli_print_json (v), 0;
  images = json_object_get (v, "Images");
  ctrs = json_object_get (v, "Containers");
  vols = json_object_get (v, "Volumes");
  humanise (images, ikeys);
  humanise (ctrs, ckeys);
  humanise (vols, vkeys);
  json_array_foreach (images, i, r)
    json_object_set_new (r, "ShortID", json_stringn (json_string_value (json_object_get (r, "ImageID")), 12));
  json_array_foreach (ctrs, i, r)
    json_object_set_new (r, "ShortID", json_stringn (json_string_value (json_object_get (r, "ContainerID")), 12));
  h = json_pack ("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}",
                 "Repository", "REPOSITORY", "Tag", "TAG", "ShortID", "IMAGE ID",
                 "CreatedText", "CREATED", "SizeText", "SIZE", "SharedSizeText", "SHARED SIZE",
                 "UniqueSizeText", "UNIQUE SIZE", "Containers", "CONTAINERS", "Image", "IMAGE",
                 "Command", "COMMAND", "LocalVolumes", "LOCAL VOLUMES", "Status", "STATUS",
                 "Names", "NAMES", "VolumeName", "VOLUME NAME", "Links", "LINKS");
  puts ("Images space usage:\n");
  if (cli_print_list (ctx, NULL, "table {{.Repository}}\t{{.Tag}}\t{{.ShortID}}\t{{.CreatedText}}\t"
                      "{{.SizeText}}\t{{.SharedSizeText}}\t{{.UniqueSizeText}}\t{{.Containers}}",
                      h, images, NULL, false) < 0)
    return cli_fail (ctx);
  json_object_set_new (h, "ShortID", json_string ("CONTAINER ID"));
  puts ("\nContainers space usage:\n");
  if (cli_print_list (ctx, NULL, "table {{.ShortID}}\t{{.Image}}\t{{.Command}}\t{{.LocalVolumes}}\t"
                      "{{.SizeText}}\t{{.CreatedText}}\t{{.Status}}\t{{.Names}}",
                      h, ctrs, NULL, false) < 0)
    return cli_fail (ctx);
  puts ("\nLocal Volumes space usage:\n");
  if (cli_print_list (ctx, NULL, "table {{.VolumeName}}\t{{.Links}}\t{{.SizeText}}", h, vols,
                      NULL, false) < 0)
    return cli_fail (ctx);
  return 0;
}

static int
cmd_system_df (struct cli_ctx *ctx, int argc, char **argv)
{
  static const struct cli_option opts[] = {
    { "format", 0, OPT_STRING, offsetof (struct fmt_opts, format), "string", "Pretty-print images using a Go template" },
    { "verbose", 'v', OPT_BOOL, offsetof (struct fmt_opts, verbose), NULL, "Show detailed information on disk usage" },
    OPTION_END,
  };
  struct fmt_opts o = { 0 };
  struct husk_system_df df;
  cleanup_json json_t *rows = json_array (), *headers = NULL;
  int r;

  PARSE (opts, o, "[options]", true);
  if (o.verbose)
    return df_verbose (ctx, o.format);
  if (husk_op_system_df (ctx->engine, &df, &ctx->err) < 0)
    return cli_fail (ctx);
  json_array_append_new (rows, df_row ("Images", &df.images));
  json_array_append_new (rows, df_row ("Containers", &df.containers));
  json_array_append_new (rows, df_row ("Local Volumes", &df.volumes));
  /* Docker's name for it; husk's work area is what comes closest.  */
  json_array_append_new (rows, df_row ("Build Cache", &df.build_cache));
  headers = json_pack ("{s:s, s:s, s:s, s:s, s:s}", "Type", "TYPE", "Total", "TOTAL",
                       "Active", "ACTIVE", "Size", "SIZE", "Reclaimable", "RECLAIMABLE");
  r = cli_print_list (ctx, o.format, "table {{.Type}}\t{{.Total}}\t{{.Active}}\t{{.Size}}\t{{.Reclaimable}}",
                      headers, rows, NULL, false);
  return r < 0 ? cli_fail (ctx) : 0;
}

static int
cmd_system_reset (struct cli_ctx *ctx, int argc, char **argv)
{
  static const struct cli_option opts[] = {
    { "force", 'f', OPT_BOOL, offsetof (struct fmt_opts, force), NULL, "Do not prompt for confirmation" },
    OPTION_END,
  };
  struct fmt_opts o = { 0 };
  struct husk_engine_opts eo;
  husk_error_t oerr = NULL;

  PARSE (opts, o, "[options]", true);
  cli_engine_opts (ctx->g, &eo);
  if (!o.force && !cli_confirm ("This will remove:\n        - all containers\n"
                                 "        - all images\n        - all volumes"))
    return 0;
  /* Reset is the recovery tool: it opens the engine itself (no CMD_ENGINE)
     and goes on without the database or the store when they cannot be
     opened (malformed, truncated, another driver).  */
  ctx->engine = husk_engine_new (&eo, &ctx->err);
  if (ctx->engine == NULL)
    return cli_fail (ctx);
  if (husk_engine_open (ctx->engine, &oerr) < 0)
    {
      husk_log_warn ("resetting without the state database: %s", oerr->msg);
      husk_error_release (&oerr);
    }
  if (husk_op_system_reset (ctx->engine, &ctx->err) < 0)
    return cli_fail (ctx);
  /* As Podman: the user namespace goes too (its files are gone, removed
     from inside it, as only there the subordinate IDs' files are the
     user's); the next command makes a new one.  */
  if (husk_userns_rootless ())
    {
      bool stopped;

      if (husk_userns_stop_pause (&stopped, &ctx->err) < 0)
        return cli_fail (ctx);
      husk_log_debug ("%s", stopped ? "stopped the pause process" : "no pause process");
    }
  return 0;
}

struct prune_opts
{
  bool all, force, volumes;
  char **filter;
};

/* Podman's warning, the lines as its options make them.  */
static bool
prune_confirmed (const struct prune_opts *o)
{
  return cli_confirm ("This command removes:\n"
                      "\t- all stopped containers\n"
                      "\t- all networks not used by at least one container%s\n"
                      "\t- %s\n"
                      "\t- all %sbuild cache\n",
                      o->volumes ? "\n\t- all volumes not used by at least one container" : "",
                      o->all ? "all images without at least one container associated with them"
                             : "all dangling images",
                      o->all ? "" : "dangling ");
}

static void
print_section (const char *title, char **items)
{
  if (items == NULL)
    return;
  puts (title);
  for (size_t i = 0; items[i]; i++)
    puts (items[i]);
}

static int
cmd_system_prune (struct cli_ctx *ctx, int argc, char **argv)
{
  static const struct cli_option opts[] = {
    { "all", 'a', OPT_BOOL, offsetof (struct prune_opts, all), NULL, "Remove all unused data" },
    OPTION_REFUSED ("build", 0, "husk has no build containers to remove"),
    OPTION_REFUSED ("external", 0, "husk's store holds no containers it does not know"),
    { "filter", 0, OPT_STRV, offsetof (struct prune_opts, filter), "stringArray", "Provide filter values (e.g. 'label=<key>=<value>')" },
    { "force", 'f', OPT_BOOL, offsetof (struct prune_opts, force), NULL, "Do not prompt for confirmation.  The default is false" },
    { "volumes", 0, OPT_BOOL, offsetof (struct prune_opts, volumes), NULL, "Prune volumes" },
    OPTION_END,
  };
  struct prune_opts o = { 0 };
  struct husk_system_prune_report r = { 0 };
  cleanup_free char *reclaimed = NULL;
  int ret;

  PARSE (opts, o, "[options]", true);
  if (args[0])
    return cli_usage_error (ctx, "accepts 0 arg(s), received %zu", husk_strv_len (args)),
           cli_fail (ctx);
  /* As Podman: the question is asked even when standard input is no
     terminal, and anything but yes leaves everything as it was.  */
  if (!o.force && !prune_confirmed (&o))
    return 0;
  ret = husk_op_system_prune (ctx->engine, &(struct husk_system_prune_opts){
                                .all = o.all, .volumes = o.volumes, .filters = o.filter },
                              &r, &ctx->err);
  print_section ("Deleted Pods", r.pods);
  print_section ("Deleted Containers", r.containers);
  print_section ("Deleted Networks", r.networks);
  print_section ("Deleted Volumes", r.volumes);
  print_section ("Deleted Images", r.images);
  for (size_t i = 0; r.failures && r.failures[i]; i++)
    fprintf (stderr, "Error: %s\n", r.failures[i]);
  reclaimed = husk_human_size_4 (r.reclaimed);
  if (ret == 0)
    printf ("Total reclaimed space: %s\n", reclaimed);
  ret = ret < 0 ? cli_fail (ctx) : r.failures ? 125 : 0;
  husk_system_prune_report_release (&r);
  return ret;
}

const struct cli_command cli_system_commands[] = {
  { "df", cmd_system_df, CMD_ENGINE, NULL, "Show husk disk usage" },
  { "events", cmd_events, CMD_ENGINE | CMD_HIDDEN, NULL, "Show husk events" },
  { "info", cmd_info, CMD_ENGINE, NULL, "Display husk system information" },
  { "migrate", cmd_system_migrate, 0, NULL, "Migrate containers: re-create the user namespace after subordinate ID ranges changed" },
  { "prune", cmd_system_prune, CMD_ENGINE | CMD_USERNS, NULL, "Remove unused data" },
  { "reset", cmd_system_reset, CMD_USERNS, NULL, "Reset husk storage" },
  { NULL, NULL, 0, NULL, NULL },
};
