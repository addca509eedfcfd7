/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The image commands: images/image ls, inspect, rmi, tag, untag, load,
   save, import, history, exists, prune, mount, unmount.  Each parses its
   flags, calls husk_op_image_*, and prints as Podman does.  */
#include "cli/cli.h"
#include "cli/output.h"
#include "cli/targets.h"
#include "format/humanize.h"
#include "image/image.h"
#include "ops/container.h"
#include "ops/image.h"
#include "ops/volume.h"
#include "ops/image_filter.h"
#include "storage/store.h"
#include "util/cleanup.h"
#include "util/fileutil.h"
#include "util/strutil.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- images / image ls ------------------------------------------------ */

struct ls_opts
{
  bool all, quiet, digests, no_trunc, noheading, history;
  char **filter;
  char *format, *sort;
};

static json_t *
ls_headers (void)
{
  return json_pack ("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}",
                    "Repository", "REPOSITORY", "Tag", "TAG", "ID", "IMAGE ID",
                    "Id", "IMAGE ID", "Created", "CREATED", "CreatedSince", "CREATED",
                    "CreatedAt", "CREATED AT", "Size", "SIZE", "Digest", "DIGEST",
                    "ReadOnly", "R/O", "Containers", "CONTAINERS", "History", "HISTORY");
}

/* Whether a name is one the user asked for (IMAGE or --filter
   reference=): Podman 5 lists only those names of a matching image.  */
static bool
name_wanted (char **patterns, const char *name)
{
  for (size_t i = 0; patterns && patterns[i]; i++)
    if (!husk_image_reference_matches (patterns[i], name))
      return false;
  return true;
}

/* One row per (repository, tag) of each image, as podman images shows.  */
static void
add_rows (json_t *rows, const struct husk_image_entry *ent, char **patterns, bool no_trunc)
{
  const struct husk_image_rec *r = &ent->rec;
  json_t *cfg = ent->config;
  cleanup_free char *history = husk_strv_join (r->names, ", ");
  cleanup_free char *id = no_trunc ? husk_asprintf ("sha256:%s", r->id)
                                   : husk_xstrndup (r->id, 12);
  cleanup_free char *since = cli_human_ago (r->created);
  cleanup_free char *size = cli_human_size (r->size);
  cleanup_free char *at = husk_time_go_string (r->created, 0, true);
  size_t n = husk_strv_len (r->names);

  for (size_t i = 0; i < (n ? n : 1); i++)
    {
      cleanup_free char *repo = NULL;
      const char *tag = "<none>";
      if (n && !name_wanted (patterns, r->names[i]))
        continue;
      if (n)
        {
          const char *colon = strrchr (r->names[i], ':');
          if (colon && !strchr (colon, '/'))
            {
              repo = husk_xstrndup (r->names[i], colon - r->names[i]);
              tag = colon + 1;
            }
          else
            repo = husk_xstrdup (r->names[i]);
        }
      json_t *row = json_pack ("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:I, s:s, s:i, s:b, s:b}",
                               "ID", id, "Id", r->id, "Repository", repo ? repo : "<none>",
                               "Tag", tag, "Created", since, "CreatedSince", since,
                               "CreatedAt", at, "Size", size, "CreatedTime",
                               (json_int_t) r->created, "Digest",
                               r->manifest_digest ? r->manifest_digest : "<none>",
                               "Containers", (int) ent->containers, "ReadOnly", 0,
                               "Dangling", n == 0);
      json_object_set_new (row, "History", json_string (history && *history ? history : "<none>"));
      json_object_set_new (row, "Labels", json_deep_copy (json_object_get (json_object_get (cfg, "config"), "Labels")) ?: json_null ());
      json_t *names = json_array ();
      for (size_t k = 0; k < n; k++)
        json_array_append_new (names, json_string (r->names[k]));
      json_object_set_new (row, "Names", names);
      json_object_set_new (row, "VirtualSize", json_string (size));
      json_object_set_new (row, "SharedSize", json_string ("0 B"));
      json_object_set_new (row, "SizeBytes", json_integer (r->size));
      json_array_append_new (rows, row);
    }
}

static int
row_cmp (const void *a, const void *b, void *key)
{
  json_t *x = *(json_t *const *) a, *y = *(json_t *const *) b;
  const char *k = key;

  if (strcmp (k, "created") == 0)
    return (int) (json_integer_value (json_object_get (y, "CreatedTime"))
                  > json_integer_value (json_object_get (x, "CreatedTime")))
           - (int) (json_integer_value (json_object_get (y, "CreatedTime"))
                    < json_integer_value (json_object_get (x, "CreatedTime")));
  if (strcmp (k, "size") == 0)
    return (int) (json_integer_value (json_object_get (x, "SizeBytes"))
                  > json_integer_value (json_object_get (y, "SizeBytes")))
           - (int) (json_integer_value (json_object_get (x, "SizeBytes"))
                    < json_integer_value (json_object_get (y, "SizeBytes")));
  const char *f = strcmp (k, "id") == 0 ? "Id" : strcmp (k, "tag") == 0 ? "Tag" : "Repository";
  return strcmp (json_string_value (json_object_get (x, f)),
                 json_string_value (json_object_get (y, f)));
}

static void
sort_rows (json_t *rows, const char *key)
{
  size_t n = json_array_size (rows);
  cleanup_free json_t **v = husk_xzalloc ((n + 1) * sizeof (json_t *));

  for (size_t i = 0; i < n; i++)
    v[i] = json_incref (json_array_get (rows, i));
  qsort_r (v, n, sizeof (json_t *), row_cmp, (void *) key);
  json_array_clear (rows);
  for (size_t i = 0; i < n; i++)
    json_array_append_new (rows, v[i]);
}

int
cmd_image_ls (struct cli_ctx *ctx, int argc, char **argv)
{
  static const struct cli_option opts[] = {
    { "all", 'a', OPT_BOOL, offsetof (struct ls_opts, all), NULL, "Show all images (default hides intermediate images)" },
    { "digests", 0, OPT_BOOL, offsetof (struct ls_opts, digests), NULL, "Show digests" },
    { "filter", 'f', OPT_STRV, offsetof (struct ls_opts, filter), "filters", "Filter output based on conditions provided" },
    { "format", 0, OPT_STRING, offsetof (struct ls_opts, format), "string", "Change the output format to JSON or a Go template" },
    { "history", 0, OPT_BOOL, offsetof (struct ls_opts, history), NULL, "Display the image name history" },
    { "noheading", 'n', OPT_BOOL, offsetof (struct ls_opts, noheading), NULL, "Do not print column headings" },
    { "no-trunc", 0, OPT_BOOL, offsetof (struct ls_opts, no_trunc), NULL, "Do not truncate output" },
    { "quiet", 'q', OPT_BOOL, offsetof (struct ls_opts, quiet), NULL, "Display only image IDs" },
    { "sort", 0, OPT_STRING, offsetof (struct ls_opts, sort), "string", "Sort by created, id, repository, size or tag" },
    OPTION_END,
  };
  struct ls_opts o = { 0 };
  struct husk_image_entry *list = NULL;
  cleanup_json json_t *rows = json_array (), *summaries = json_array (), *headers = ls_headers ();
  cleanup_strv char **patterns = NULL;
  cleanup_free char *table = NULL;
  const char *sort;
  size_t n = 0;
  int r;

  PARSE (opts, o, "[options] [IMAGE]", true);
  if (husk_strv_len (args) > 1)
    return cli_usage_error (ctx, "accepts at most 1 arg(s), received %zu", husk_strv_len (args)), cli_fail (ctx);
  sort = o.sort ? o.sort : "created";
  if (strcmp (sort, "created") && strcmp (sort, "id") && strcmp (sort, "repository")
      && strcmp (sort, "size") && strcmp (sort, "tag"))
    return cli_usage_error (ctx, "\"%s\" is not a valid field for sorting: "
                            "choose from created, id, repository, size, tag", sort), cli_fail (ctx);
  if (args[0])
    {
      cleanup_free char *flt = husk_asprintf ("reference=%s", args[0]);
      husk_strv_append (&o.filter, flt);
    }
  for (size_t i = 0; o.filter && o.filter[i]; i++)
    if (husk_has_prefix (o.filter[i], "reference="))
      husk_strv_append (&patterns, o.filter[i] + 10);
  if (husk_op_image_select (ctx->engine, o.filter, false, &list, &n, &ctx->err) < 0)
    return cli_fail (ctx);
  for (size_t i = 0; i < n; i++)
    {
      json_t *sum;
      if (list[i].intermediate && !o.all)
        continue;
      add_rows (rows, &list[i], patterns, o.no_trunc);
      sum = husk_image_summary_json (&list[i].rec, list[i].config);
      json_object_set_new (sum, "Containers", json_integer (list[i].containers));
      json_array_append_new (summaries, sum);
    }
  husk_image_entry_array_free (list, n);
  sort_rows (rows, sort);
  if (o.quiet && o.format == NULL)
    {
      cleanup_strv char **seen = NULL;
      size_t i;
      json_t *row;
      json_array_foreach (rows, i, row)
        {
          const char *id = json_string_value (json_object_get (row, "ID"));
          if (!husk_strv_contains (seen, id))
            {
              husk_strv_append (&seen, id);
              puts (id);
            }
        }
      return 0;
    }
  table = husk_asprintf ("table {{.Repository}}\t{{.Tag}}%s\t{{.ID}}\t{{.Created}}\t{{.Size}}%s",
                         o.digests ? "\t{{.Digest}}" : "", o.history ? "\t{{.History}}" : "");
  r = cli_print_list (ctx, o.format, table, headers, rows, summaries, o.noheading);
  return r < 0 ? cli_fail (ctx) : 0;
}

/* ---- inspect ------------------------------------------------------------- */

struct inspect_opts
{
  char *format, *type;
  bool size, latest;
};

static int
inspect_images (struct cli_ctx *ctx, char **refs, const char *format)
{
  cleanup_json json_t *all = json_array ();
  int status = 0;

  for (size_t i = 0; refs[i]; i++)
    {
      json_t *o = husk_op_image_inspect (ctx->engine, refs[i], &ctx->err);
      if (o == NULL)
        {
          fprintf (stderr, "Error: %s\n", ctx->err->msg);
          husk_error_release (&ctx->err);
          status = 125;
          continue;
        }
      json_array_append_new (all, o);
    }
  if (cli_print_inspect (ctx, format, all) < 0)
    return cli_fail (ctx);
  return status;
}

int
cmd_image_inspect (struct cli_ctx *ctx, int argc, char **argv)
{
  static const struct cli_option opts[] = {
    { "format", 'f', OPT_STRING, offsetof (struct inspect_opts, format), "string", "Format the output to a Go template or json" },
    OPTION_END,
  };
  struct inspect_opts o = { 0 };

  PARSE (opts, o, "[options] IMAGE [IMAGE...]", true);
  if (args[0] == NULL)
    return cli_usage_error (ctx, "requires at least 1 arg(s), only received 0"), cli_fail (ctx);
  return inspect_images (ctx, args, o.format);
}

int
cmd_inspect (struct cli_ctx *ctx, int argc, char **argv)
{
  static const struct cli_option opts[] = {
    { "format", 'f', OPT_STRING, offsetof (struct inspect_opts, format), "string", "Format the output to a Go template or json" },
    { "latest", 'l', OPT_BOOL, offsetof (struct inspect_opts, latest), NULL, "Act on the latest container husk is aware of" },
    { "size", 's', OPT_BOOL, offsetof (struct inspect_opts, size), NULL, "Display total file size" },
    { "type", 't', OPT_STRING, offsetof (struct inspect_opts, type), "string", "Specify inspect-object type (\"image\", \"container\" or \"all\")" },
    OPTION_END,
  };
  struct inspect_opts o = { 0 };
  cleanup_strv char **errors = NULL;
  cleanup_targets struct cli_targets t = { 0 };
  char *latest[2] = { NULL, NULL }, **refs;
  const char *type;

  PARSE (opts, o, "[options] {CONTAINER|IMAGE|POD|NETWORK|VOLUME} [...]", true);
  type = o.type ? o.type : "all";
  if (strcmp (type, "image") && strcmp (type, "all") && strcmp (type, "container"))
    return cli_usage_error (ctx, "invalid type \"%s\": must be one of image, container, all", type), cli_fail (ctx);
  refs = cli_inspect_refs (ctx, args, o.latest, &t, latest, &errors);
  if (refs == NULL)
    return cli_fail (ctx);
  if (strcmp (type, "image") == 0)
    return inspect_images (ctx, refs, o.format);
  return cli_inspect_objects (ctx, refs, type, o.size, o.format, &errors);
}

/* ---- exists, tag, untag ---------------------------------------------------- */

int
cmd_image_exists (struct cli_ctx *ctx, int argc, char **argv)
{
  static const struct cli_option opts[] = { OPTION_END };
  struct inspect_opts o = { 0 };
  cleanup_free char *id = NULL;

  PARSE (opts, o, "IMAGE", true);
  if (husk_strv_len (args) != 1)
    return cli_usage_error (ctx, "accepts 1 arg(s), received %zu", husk_strv_len (args)), cli_fail (ctx);
  return cli_exists_status (ctx, husk_op_image_resolve (ctx->engine, args[0], &id, &ctx->err));
}

int
cmd_image_tag (struct cli_ctx *ctx, int argc, char **argv)
{
  static const struct cli_option opts[] = { OPTION_END };
  struct inspect_opts o = { 0 };

  PARSE (opts, o, "IMAGE TARGET_NAME [TARGET_NAME...]", true);
  if (husk_strv_len (args) < 2)
    return cli_usage_error (ctx, "requires at least 2 arg(s), only received %zu", husk_strv_len (args)), cli_fail (ctx);
  if (husk_op_image_tag (ctx->engine, args[0], args + 1, &ctx->err) < 0)
    return cli_fail (ctx);
  return 0;
}

int
cmd_image_untag (struct cli_ctx *ctx, int argc, char **argv)
{
  static const struct cli_option opts[] = { OPTION_END };
  struct inspect_opts o = { 0 };

  PARSE (opts, o, "IMAGE [IMAGE...]", true);
  if (args[0] == NULL)
    return cli_usage_error (ctx, "requires at least 1 arg(s), only received 0"), cli_fail (ctx);
  if (husk_op_image_untag (ctx->engine, args[0], args + 1, &ctx->err) < 0)
    return cli_fail (ctx);
  return 0;
}

/* ---- rmi / image rm, prune ------------------------------------------------ */

struct rm_opts
{
  bool force, all, ignore, no_prune, external;
  char **filter;
};

static void
print_rmi (struct husk_rmi_report *rep)
{
  for (size_t i = 0; rep->untagged && rep->untagged[i]; i++)
    printf ("Untagged: %s\n", rep->untagged[i]);
  for (size_t i = 0; rep->deleted && rep->deleted[i]; i++)
    printf ("Deleted: %s\n", rep->deleted[i]);
  husk_rmi_report_release (rep);
}

int
cmd_image_rm (struct cli_ctx *ctx, int argc, char **argv)
{
  static const struct cli_option opts[] = {
    { "all", 'a', OPT_BOOL, offsetof (struct rm_opts, all), NULL, "Remove all images" },
    { "force", 'f', OPT_BOOL, offsetof (struct rm_opts, force), NULL, "Force Removal of the image" },
    { "ignore", 'i', OPT_BOOL, offsetof (struct rm_opts, ignore), NULL, "Ignore errors if a specified image does not exist" },
    { "no-prune", 0, OPT_BOOL, offsetof (struct rm_opts, no_prune), NULL, "Do not remove dangling parent images" },
    OPTION_END,
  };
  struct rm_opts o = { 0 };
  int status = 0;

  PARSE (opts, o, "[options] IMAGE [IMAGE...]", true);
  if (o.all && args[0])
    return cli_usage_error (ctx, "when using the --all switch, you may not pass any images names or IDs"), cli_fail (ctx);
  if (!o.all && args[0] == NULL)
    return cli_usage_error (ctx, "image name or ID must be specified"), cli_fail (ctx);
  if (o.all)
    {
      struct husk_image_rec *list = NULL;
      size_t n = 0;
      if (husk_op_image_list (ctx->engine, &list, &n, &ctx->err) < 0)
        return cli_fail (ctx);
      for (size_t i = 0; i < n; i++)
        {
          struct husk_rmi_report rep = { 0 };
          if ((o.force ? husk_op_image_remove_id_force : husk_op_image_remove_id) (
                  ctx->engine, list[i].id, &rep, &ctx->err) < 0)
            {
              fprintf (stderr, "Error: %s\n", ctx->err->msg);
              husk_error_release (&ctx->err);
              status = 125;
            }
          print_rmi (&rep);
        }
      husk_image_rec_array_free (list, n);
      return status;
    }
  for (size_t i = 0; args[i]; i++)
    {
      struct husk_rmi_report rep = { 0 };
      if (husk_op_image_remove (ctx->engine, args[i], o.force, o.no_prune, &rep, &ctx->err) < 0)
        {
          int code = ctx->err->code;
          /* Podman: --force, like --ignore, is quiet about images that
             do not exist.  */
          if (code == ENOENT && (o.ignore || o.force))
            {
              husk_error_release (&ctx->err);
              continue;
            }
          fprintf (stderr, "Error: %s\n", ctx->err->msg);
          husk_error_release (&ctx->err);
          /* Podman: 1 when an image is not known, 2 when in use.  */
          if (status == 0 || status == 1)
            status = code == ENOENT ? 1 : code == EBUSY ? 2 : 125;
        }
      print_rmi (&rep);
    }
  return status;
}

int
cmd_image_prune (struct cli_ctx *ctx, int argc, char **argv)
{
  static const struct cli_option opts[] = {
    { "all", 'a', OPT_BOOL, offsetof (struct rm_opts, all), NULL, "Remove all images not in use by containers, not just dangling ones" },
    OPTION_REFUSED ("build-cache", 0, "husk has no builds yet, so no build cache to remove"),
    /* husk has no external (storage-only) containers: nothing more to do. */
    { "external", 0, OPT_BOOL, offsetof (struct rm_opts, external), NULL, "Remove images even when they are used by external containers (e.g., by build containers)" },
    { "filter", 0, OPT_STRV, offsetof (struct rm_opts, filter), "filters", "Provide filter values (e.g. 'label=<key>=<value>')" },
    { "force", 'f', OPT_BOOL, offsetof (struct rm_opts, force), NULL, "Do not prompt for confirmation" },
    OPTION_END,
  };
  struct rm_opts o = { 0 };
  cleanup_strv char **removed = NULL, **failures = NULL;

  PARSE (opts, o, "[options]", true);
  if (!o.force && isatty (0) && !cli_confirm ("This command removes all %s images.",
              o.all ? "unused" : "dangling"))
    return 0;
  if (husk_op_image_prune (ctx->engine, o.filter, o.all, &removed, &failures, &ctx->err) < 0)
    return cli_fail (ctx);
  for (size_t i = 0; removed && removed[i]; i++)
    puts (removed[i]);
  for (size_t i = 0; failures && failures[i]; i++)
    fprintf (stderr, "Error: %s\n", failures[i]);
  return failures ? 125 : 0;
}

/* ---- load, save, import --------------------------------------------------- */

struct load_opts
{
  char *input;
  bool quiet;
};

int
cmd_image_load (struct cli_ctx *ctx, int argc, char **argv)
{
  static const struct cli_option opts[] = {
    { "input", 'i', OPT_STRING, offsetof (struct load_opts, input), "string", "Read from specified archive file (default: stdin)" },
    { "quiet", 'q', OPT_BOOL, offsetof (struct load_opts, quiet), NULL, "Suppress the output" },
    OPTION_END,
  };
  struct load_opts o = { 0 };
  cleanup_strv char **names = NULL;
  const char *input;

  PARSE (opts, o, "[options]", true);
  if (args[0])
    return cli_usage_error (ctx, "accepts 0 arg(s), received %zu", husk_strv_len (args)), cli_fail (ctx);
  input = o.input ? o.input : "-";
  if (strcmp (input, "-") == 0 && isatty (0))
    {
      husk_error_makex (&ctx->err, EINVAL, "cannot read from terminal, use command-line redirection or the --input flag");
      return cli_fail (ctx);
    }
  if (husk_op_image_load (ctx->engine, input, &names, &ctx->err) < 0)
    return cli_fail (ctx);
  for (size_t i = 0; names && names[i]; i++)
    printf ("Loaded image: %s\n", names[i]);
  return 0;
}

struct save_opts
{
  char *output, *format;
  bool multi, compress, quiet, uncompressed;
};

int
cmd_image_save (struct cli_ctx *ctx, int argc, char **argv)
{
  static const struct cli_option opts[] = {
    { "compress", 0, OPT_BOOL, offsetof (struct save_opts, compress), NULL, "Compress tarball image layers when saving to a directory using the 'dir' transport" },
    { "format", 0, OPT_STRING, offsetof (struct save_opts, format), "format", "Save image to oci-archive, oci-dir (directory with oci manifest type), docker-archive" },
    { "multi-image-archive", 'm', OPT_BOOL, offsetof (struct save_opts, multi), NULL, "Interpret additional arguments as images not tags and create a multi-image-archive (only for docker-archive)" },
    { "output", 'o', OPT_STRING, offsetof (struct save_opts, output), "string", "Write to a specified file (default: stdout, which must be redirected)" },
    { "quiet", 'q', OPT_BOOL, offsetof (struct save_opts, quiet), NULL, "Suppress the output" },
    { "uncompressed", 0, OPT_BOOL, offsetof (struct save_opts, uncompressed), NULL, "Accept uncompressed layers when copying OCI images" },
    OPTION_END,
  };
  struct save_opts o = { 0 };
  const char *output;
  int format, r;

  PARSE (opts, o, "[options] IMAGE [IMAGE...]", true);
  if (args[0] == NULL)
    return cli_usage_error (ctx, "need at least 1 argument"), cli_fail (ctx);
  format = husk_archive_format_parse (o.format ? o.format : "docker-archive");
  if (o.format && strcmp (o.format, "docker-dir") == 0)
    {
      husk_error_makex (&ctx->err, ENOTSUP, "not supported by husk: --format docker-dir: the "
                        "dir transport is not implemented; use oci-dir");
      return cli_fail (ctx);
    }
  if (format < 0)
    return cli_usage_error (ctx, "unsupported format \"%s\": choose docker-archive, "
                            "oci-archive or oci-dir", o.format), cli_fail (ctx);
  /* Podman: --compress is for docker-dir only, which husk does not write. */
  if (o.compress)
    return cli_usage_error (ctx, "--compress can only be set when --format is 'docker-dir'"), cli_fail (ctx);
  output = o.output ? o.output : "-";
  if (husk_output_is_stdout (output) && isatty (1))
    {
      husk_error_makex (&ctx->err, EINVAL, "refusing to save to terminal. Use -o flag or redirect");
      return cli_fail (ctx);
    }
  if (format == HUSK_ARCHIVE_OCI_DIR && husk_output_is_stdout (output))
    return cli_usage_error (ctx, "oci-dir needs a directory: use -o"), cli_fail (ctx);
  if (o.multi && format != HUSK_ARCHIVE_DOCKER && args[1])
    {
      husk_error_makex (&ctx->err, EINVAL, "unsupported format \"%s\" for saving multiple "
                        "images (only docker-archive)", o.format);
      return cli_fail (ctx);
    }
  /* Podman: without -m, the arguments after the first are more names
     (tags) for the first image.  */
  if (o.multi || args[1] == NULL)
    r = husk_op_image_save (ctx->engine, args, NULL, format, output, o.uncompressed, &ctx->err);
  else
    {
      char *first[2] = { args[0], NULL };
      r = husk_op_image_save (ctx->engine, first, args + 1, format, output, o.uncompressed,
                              &ctx->err);
    }
  if (r < 0)
    return cli_fail (ctx);
  return 0;
}

struct import_opts
{
  char **change;
  char *message, *arch, *os, *variant;
  bool quiet;
};

int
cmd_image_import (struct cli_ctx *ctx, int argc, char **argv)
{
  static const struct cli_option opts[] = {
    { "arch", 0, OPT_STRING, offsetof (struct import_opts, arch), "string", "Set the architecture of the imported image" },
    { "change", 'c', OPT_STRV, offsetof (struct import_opts, change), "stringArray", "Apply the following possible instructions to the created image (default []): CMD | ENTRYPOINT | ENV | EXPOSE | LABEL | ONBUILD | STOPSIGNAL | USER | VOLUME | WORKDIR" },
    { "message", 'm', OPT_STRING, offsetof (struct import_opts, message), "string", "Set commit message for imported image" },
    { "os", 0, OPT_STRING, offsetof (struct import_opts, os), "string", "Set the OS of the imported image" },
    { "quiet", 'q', OPT_BOOL, offsetof (struct import_opts, quiet), NULL, "Suppress output" },
    { "variant", 0, OPT_STRING, offsetof (struct import_opts, variant), "string", "Set the variant of the imported image" },
    OPTION_END,
  };
  struct import_opts o = { 0 };
  cleanup_free char *id = NULL;
  struct husk_import_opts io = { 0 };

  PARSE (opts, o, "[options] PATH [REFERENCE]", true);
  if (args[0] == NULL || husk_strv_len (args) > 2)
    return cli_usage_error (ctx, "accepts between 1 and 2 arg(s), received %zu", husk_strv_len (args)), cli_fail (ctx);
  if (husk_has_prefix (args[0], "http://") || husk_has_prefix (args[0], "https://"))
    {
      husk_error_makex (&ctx->err, ENOTSUP, "import from a URL is not supported yet: download the tarball and import the file");
      return cli_fail (ctx);
    }
  io.source = args[0];
  io.reference = args[1];
  io.changes = o.change;
  io.message = o.message;
  io.arch = o.arch;
  io.os = o.os;
  io.variant = o.variant;
  if (husk_op_image_import (ctx->engine, &io, &id, &ctx->err) < 0)
    return cli_fail (ctx);
  printf ("%s\n", id);
  return 0;
}

/* ---- history ------------------------------------------------------------ */

struct history_opts
{
  bool human, no_trunc, quiet;
  char *format;
};

int
cmd_image_history (struct cli_ctx *ctx, int argc, char **argv)
{
  static const struct cli_option opts[] = {
    { "format", 0, OPT_STRING, offsetof (struct history_opts, format), "string", "Change the output to JSON or a Go template" },
    { "human", 'H', OPT_BOOL, offsetof (struct history_opts, human), NULL, "Display sizes and dates in human readable format (default true)" },
    { "no-trunc", 0, OPT_BOOL, offsetof (struct history_opts, no_trunc), NULL, "Do not truncate the output" },
    { "quiet", 'q', OPT_BOOL, offsetof (struct history_opts, quiet), NULL, "Display the numeric IDs only" },
    OPTION_END,
  };
  struct history_opts o = { .human = true };
  cleanup_json json_t *hist = NULL, *rows = json_array (), *headers = NULL;
  size_t i;
  json_t *h;

  PARSE (opts, o, "[options] IMAGE", true);
  if (husk_strv_len (args) != 1)
    return cli_usage_error (ctx, "accepts 1 arg(s), received %zu", husk_strv_len (args)), cli_fail (ctx);
  hist = husk_op_image_history (ctx->engine, args[0], &ctx->err);
  if (hist == NULL)
    return cli_fail (ctx);
  json_array_foreach (hist, i, h)
    {
      const char *id = json_string_value (json_object_get (h, "id"));
      const char *by = json_string_value (json_object_get (h, "CreatedBy"));
      const char *created = json_string_value (json_object_get (h, "created"));
      int64_t t = 0, size = json_integer_value (json_object_get (h, "size"));
      cleanup_free char *sid = NULL, *sby = NULL, *ago = NULL, *ssize = NULL, *since = NULL, *at = NULL;

      husk_time_parse_rfc3339 (created, &t, NULL);
      sid = (o.no_trunc || strcmp (id, "<missing>") == 0) ? husk_xstrdup (id) : husk_xstrndup (id, 12);
      sby = (!o.no_trunc && strlen (by) > 45) ? husk_asprintf ("%.42s...", by) : husk_xstrdup (by);
      since = cli_human_ago (t);
      at = husk_time_go_string (t, 0, true);
      ago = o.human ? husk_xstrdup (since) : husk_xstrdup (created ? created : "");
      ssize = o.human ? cli_human_size (size) : husk_asprintf ("%lld", (long long) size);
      json_array_append_new (rows, json_pack ("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:O}", "ID", sid,
                                              "Created", ago, "CreatedSince", since, "CreatedAt", at,
                                              "CreatedBy", sby, "Size", ssize,
                                              "Comment", json_string_value (json_object_get (h, "comment")),
                                              "Tags", json_object_get (h, "tags") ?: json_null ()));
    }
  if (o.quiet && o.format == NULL)
    {
      json_array_foreach (rows, i, h)
        puts (json_string_value (json_object_get (h, "ID")));
      return 0;
    }
  headers = json_pack ("{s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "ID", "ID", "Created", "CREATED",
                       "CreatedSince", "CREATED", "CreatedAt", "CREATED AT",
                       "CreatedBy", "CREATED BY", "Size", "SIZE", "Comment", "COMMENT");
  if (cli_print_list (ctx, o.format, "table {{.ID}}\t{{.Created}}\t{{.CreatedBy}}\t{{.Size}}\t{{.Comment}}",
                      headers, rows, hist, false) < 0)
    return cli_fail (ctx);
  return 0;
}

/* ---- mount, unmount ------------------------------------------------------- */

struct mount_opts
{
  bool all, force;
  char *format;
};

/* Without IMAGE: the mounted images, "NAME  MOUNTPOINT" or JSON.  */
static int
print_mounts (struct cli_ctx *ctx, const char *format)
{
  cleanup_json json_t *mounts = husk_op_image_mounts (ctx->engine, &ctx->err);
  size_t i;
  json_t *m;

  if (mounts == NULL)
    return cli_fail (ctx);
  if (format)
    {
      cli_print_json (mounts);
      return 0;
    }
  json_array_foreach (mounts, i, m)
    {
      json_t *repos = json_object_get (m, "Repositories");
      const char *name = json_array_size (repos) ? json_string_value (json_array_get (repos, 0))
                                                 : json_string_value (json_object_get (m, "id"));
      printf ("%s  %s\n", name, json_string_value (json_object_get (m, "mountpoint")));
    }
  return 0;
}

int
cmd_image_mount (struct cli_ctx *ctx, int argc, char **argv)
{
  static const struct cli_option opts[] = {
    { "all", 'a', OPT_BOOL, offsetof (struct mount_opts, all), NULL, "Mount all images" },
    { "format", 0, OPT_STRING, offsetof (struct mount_opts, format), "string", "Print the mounted images in specified format (json)" },
    OPTION_END,
  };
  struct mount_opts o = { 0 };

  PARSE (opts, o, "[options] [IMAGE...]", true);
  if (o.format && strcmp (o.format, "json") != 0)
    return cli_usage_error (ctx, "unknown --format argument: %s", o.format), cli_fail (ctx);
  if (o.all && args[0])
    return cli_usage_error (ctx, "when using the --all switch, you may not pass any image names or IDs"), cli_fail (ctx);
  if (o.all)
    {
      struct husk_image_rec *list = NULL;
      size_t n = 0;
      if (husk_op_image_list (ctx->engine, &list, &n, &ctx->err) < 0)
        return cli_fail (ctx);
      for (size_t i = 0; i < n; i++)
        {
          cleanup_free char *path = husk_op_image_mount (ctx->engine, list[i].id, &ctx->err);
          if (path == NULL)
            {
              husk_image_rec_array_free (list, n);
              return cli_fail (ctx);
            }
        }
      husk_image_rec_array_free (list, n);
    }
  if (args[0] == NULL)
    return print_mounts (ctx, o.format);
  for (size_t i = 0; args[i]; i++)
    {
      cleanup_free char *path = husk_op_image_mount (ctx->engine, args[i], &ctx->err);
      if (path == NULL)
        return cli_fail (ctx);
      puts (path);
    }
  return 0;
}

int
cmd_image_unmount (struct cli_ctx *ctx, int argc, char **argv)
{
  static const struct cli_option opts[] = {
    { "all", 'a', OPT_BOOL, offsetof (struct mount_opts, all), NULL, "Unmount all of the currently mounted images" },
    { "force", 'f', OPT_BOOL, offsetof (struct mount_opts, force), NULL, "Force the complete unmount of the specified mounted images" },
    OPTION_END,
  };
  struct mount_opts o = { 0 };

  PARSE (opts, o, "[options] IMAGE [IMAGE...]", true);
  if (o.all && args[0])
    return cli_usage_error (ctx, "when using the --all switch, you may not pass any image names or IDs"), cli_fail (ctx);
  if (o.all)
    {
      cleanup_strv char **ids = NULL;
      if (husk_op_image_unmount_all (ctx->engine, &ids, &ctx->err) < 0)
        return cli_fail (ctx);
      for (size_t i = 0; ids && ids[i]; i++)
        puts (ids[i]);
      return 0;
    }
  if (args[0] == NULL)
    return cli_usage_error (ctx, "image name or ID must be specified"), cli_fail (ctx);
  for (size_t i = 0; args[i]; i++)
    {
      if (husk_op_image_unmount (ctx->engine, args[i], o.force, &ctx->err) < 0)
        return cli_fail (ctx);
      puts (args[i]);
    }
  return 0;
}

const struct cli_command cli_image_commands[] = {
  { "diff", cmd_image_diff, CMD_ENGINE | CMD_USERNS, NULL, "Inspect changes to the image's file systems" },
  { "exists", cmd_image_exists, CMD_ENGINE, NULL, "Check if an image exists in local storage" },
  { "history", cmd_image_history, CMD_ENGINE, NULL, "Show history of a specified image" },
  { "import", cmd_image_import, CMD_ENGINE | CMD_USERNS, NULL, "Import a tarball to create a filesystem image" },
  { "inspect", cmd_image_inspect, CMD_ENGINE, NULL, "Display the configuration of an image" },
  { "list", cmd_image_ls, CMD_ENGINE | CMD_HIDDEN, NULL, "List images in local storage" },
  { "load", cmd_image_load, CMD_ENGINE | CMD_USERNS, NULL, "Load image(s) from a tar archive" },
  { "ls", cmd_image_ls, CMD_ENGINE, NULL, "List images in local storage" },
  { "mount", cmd_image_mount, CMD_ENGINE | CMD_USERNS, NULL, "Mount an image's root filesystem" },
  { "prune", cmd_image_prune, CMD_ENGINE | CMD_USERNS, NULL, "Remove unused images" },
  { "pull", cmd_pull, CMD_ENGINE | CMD_USERNS, NULL, "Pull an image from a registry" },
  { "push", cmd_push, CMD_ENGINE | CMD_USERNS, NULL, "Push an image to a specified destination" },
  { "search", cmd_search, 0, NULL, "Search registry for image" },
  { "rm", cmd_image_rm, CMD_ENGINE | CMD_USERNS, NULL, "Removes one or more images from local storage" },
  { "save", cmd_image_save, CMD_ENGINE, NULL, "Save image(s) to an archive" },
  { "tag", cmd_image_tag, CMD_ENGINE, NULL, "Add an additional name to a local image" },
  { "unmount", cmd_image_unmount, CMD_ENGINE | CMD_USERNS, NULL, "Unmount an image's root filesystem" },
  { "untag", cmd_image_untag, CMD_ENGINE, NULL, "Remove a name from a local image" },
  { "umount", cmd_image_unmount, CMD_ENGINE | CMD_USERNS | CMD_HIDDEN, NULL, "Unmount an image's root filesystem" },
  { NULL, NULL, 0, NULL, NULL },
};
