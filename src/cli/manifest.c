/* SPDX-License-Identifier: GPL-2.0-or-later */
/* husk manifest: create, add, annotate, remove, inspect, exists, rm, push. */
#include "cli/cli.h"

#include "ops/manifest.h"
#include "util/cleanup.h"
#include "util/strutil.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct mf_opts
{
  char *arch, *os, *os_version, *variant, *authfile, *cert_dir, *creds, *format;
  char *digestfile, *compression_format, *retry_delay;
  char **annotation, **os_features, **features;
  long retry, compression_level;
  bool all, amend, index, quiet, rm, ignore, remove_signatures;
  int force_compression; /* -1 not given: true with --compression-format */
  int tls_verify; /* -1 not given: registries.conf's insecure decides */
};

#define O(f) offsetof (struct mf_opts, f)

#define OPT_REGISTRY                                                                          \
  { "authfile", 0, OPT_STRING, O (authfile), "string", "path of the authentication file. Use REGISTRY_AUTH_FILE environment variable to override" }, \
  { "cert-dir", 0, OPT_STRING, O (cert_dir), "Pathname", "use certificates at the specified path to access the registry" }, \
  { "creds", 0, OPT_STRING, O (creds), "[username[:password]]", "use [username[:password]] for accessing the registry" }, \
  { "tls-verify", 0, OPT_TRISTATE, O (tls_verify), NULL, "require HTTPS and verify certificates when accessing the registry" }

#define OPT_PLATFORM                                                                          \
  { "annotation", 0, OPT_STRV, O (annotation), "annotation", "set an annotation for the specified image" }, \
  { "arch", 0, OPT_STRING, O (arch), "architecture", "override the architecture of the specified image" }, \
  { "features", 0, OPT_STRV, O (features), "features", "override the features of the specified image" }, \
  { "os", 0, OPT_STRING, O (os), "OS", "override the OS of the specified image" }, \
  { "os-features", 0, OPT_STRV, O (os_features), "features", "override the OS features of the specified image" }, \
  { "os-version", 0, OPT_STRING, O (os_version), "version", "override the OS version of the specified image" }, \
  { "variant", 0, OPT_STRING, O (variant), "Variant", "override the Variant of the specified image" }

static struct husk_registry_opts
reg_opts (const struct mf_opts *o)
{
  struct husk_registry_opts r = {
    .tls_verify = o->tls_verify, .cert_dir = o->cert_dir, .authfile = o->authfile, .creds = o->creds,
    .retries = o->retry >= 0 ? (int) o->retry : 3,
    .parallel = 6,
  };
  return r;
}

static struct husk_manifest_entry_opts
entry_opts (const struct mf_opts *o)
{
  return (struct husk_manifest_entry_opts) {
    .annotations = o->annotation, .arch = o->arch, .os = o->os, .os_version = o->os_version,
    .variant = o->variant, .os_features = o->os_features, .features = o->features,
  };
}

static int
nargs (struct cli_ctx *ctx, char **args, size_t lo, size_t hi)
{
  size_t n = husk_strv_len (args);

  if (n >= lo && n <= hi)
    return 0;
  if (lo == hi)
    return cli_usage_error (ctx, "accepts %zu arg(s), received %zu", lo, n), -1;
  if (n < lo)
    return cli_usage_error (ctx, "requires at least %zu arg(s), only received %zu", lo, n), -1;
  return cli_usage_error (ctx, "accepts between %zu and %zu arg(s), received %zu", lo, hi, n), -1;
}

/* Print the list's ID, as Podman does after a change.  */
static int
print_id (struct cli_ctx *ctx, int r, char **id)
{
  if (r < 0)
    return cli_fail (ctx);
  printf ("%s\n", *id);
  free (*id);
  return 0;
}

static int
cmd_manifest_create (struct cli_ctx *ctx, int argc, char **argv)
{
  static const struct cli_option opts[] = {
    { "all", 0, OPT_BOOL, O (all), NULL, "add all of the lists' images if the images to add are lists" },
    { "amend", 0, OPT_BOOL, O (amend), NULL, "modify an existing list if one with the desired name already exists" },
    { "annotation", 'a', OPT_STRV, O (annotation), "annotation", "set annotations on the new list" },
    { "tls-verify", 0, OPT_TRISTATE, O (tls_verify), NULL, "require HTTPS and verify certificates when accessing the registry" },
    OPTION_END,
  };
  struct mf_opts o = { .retry = -1, .tls_verify = -1, .force_compression = -1 };
  char *id = NULL;

  PARSE (opts, o, "[options] LIST [IMAGE...]", true);
  if (nargs (ctx, args, 1, SIZE_MAX) < 0)
    return cli_fail (ctx);
  struct husk_manifest_add_opts ao = { .reg = reg_opts (&o), .all = o.all };
  int r = husk_op_manifest_create (ctx->engine, args[0], args + 1, o.annotation, o.amend,
                                    &ao, &id, &ctx->err);
  return print_id (ctx, r, &id);
}

static int
cmd_manifest_add (struct cli_ctx *ctx, int argc, char **argv)
{
  static const struct cli_option opts[] = {
    { "all", 0, OPT_BOOL, O (all), NULL, "add all of the list's images if the image is a list" },
    OPTION_REFUSED ("artifact", 0, "OCI artifacts are not supported"),
    OPTION_REFUSED ("artifact-config", 0, "OCI artifacts are not supported"),
    OPTION_REFUSED ("artifact-config-type", 0, "OCI artifacts are not supported"),
    OPTION_REFUSED ("artifact-exclude-titles", 0, "OCI artifacts are not supported"),
    OPTION_REFUSED ("artifact-layer-type", 0, "OCI artifacts are not supported"),
    OPTION_REFUSED ("artifact-subject", 0, "OCI artifacts are not supported"),
    OPTION_REFUSED ("artifact-type", 0, "OCI artifacts are not supported"),
    OPT_PLATFORM,
    OPT_REGISTRY,
    OPTION_END,
  };
  struct mf_opts o = { .retry = -1, .tls_verify = -1, .force_compression = -1 };
  char *id = NULL;

  PARSE (opts, o, "[options] LIST IMAGE", true);
  if (nargs (ctx, args, 2, 2) < 0)
    return cli_fail (ctx);
  struct husk_manifest_add_opts ao = { .reg = reg_opts (&o), .all = o.all,
                                       .entry = entry_opts (&o) };
  int r = husk_op_manifest_add (ctx->engine, args[0], args[1], &ao, &id, &ctx->err);
  return print_id (ctx, r, &id);
}

static int
cmd_manifest_annotate (struct cli_ctx *ctx, int argc, char **argv)
{
  static const struct cli_option opts[] = {
    OPT_PLATFORM,
    { "index", 0, OPT_BOOL, O (index), NULL, "apply --annotation values to the image index itself" },
    OPTION_REFUSED ("subject", 0, "OCI subjects (referrers) are not supported"),
    OPTION_END,
  };
  struct mf_opts o = { .retry = -1, .tls_verify = -1, .force_compression = -1 };
  char *id = NULL;

  PARSE (opts, o, "[options] LIST [IMAGE|DIGEST]", true);
  if (nargs (ctx, args, o.index ? 1 : 2, 2) < 0)
    return cli_fail (ctx);
  struct husk_manifest_entry_opts eo = entry_opts (&o);
  int r = husk_op_manifest_annotate (ctx->engine, args[0], args[1], o.index, &eo, &id,
                                      &ctx->err);
  return print_id (ctx, r, &id);
}

static int
cmd_manifest_remove (struct cli_ctx *ctx, int argc, char **argv)
{
  static const struct cli_option opts[] = { OPTION_END };
  struct mf_opts o = { .retry = -1, .tls_verify = -1, .force_compression = -1 };
  char *id = NULL;

  PARSE (opts, o, "LIST DIGEST", true);
  if (nargs (ctx, args, 2, 2) < 0)
    return cli_fail (ctx);
  int r = husk_op_manifest_remove (ctx->engine, args[0], args[1], &id, &ctx->err);
  return print_id (ctx, r, &id);
}

static int
cmd_manifest_exists (struct cli_ctx *ctx, int argc, char **argv)
{
  static const struct cli_option opts[] = { OPTION_END };
  struct mf_opts o = { .retry = -1, .tls_verify = -1, .force_compression = -1 };

  PARSE (opts, o, "LIST", true);
  if (nargs (ctx, args, 1, 1) < 0)
    return cli_fail (ctx);
  return husk_op_manifest_exists (ctx->engine, args[0]) ? 0 : 1;
}

static int
cmd_manifest_rm (struct cli_ctx *ctx, int argc, char **argv)
{
  static const struct cli_option opts[] = {
    { "ignore", 'i', OPT_BOOL, O (ignore), NULL, "If a manifest list does not exist, do not fail" },
    OPTION_END,
  };
  struct mf_opts o = { .retry = -1, .tls_verify = -1, .force_compression = -1 };
  int ret = 0;

  PARSE (opts, o, "[options] LIST [LIST...]", true);
  if (nargs (ctx, args, 1, SIZE_MAX) < 0)
    return cli_fail (ctx);
  for (size_t i = 0; args[i]; i++)
    {
      char *id = NULL;
      cleanup_strv char **names = NULL;
      if (husk_op_manifest_rm (ctx->engine, args[i], &id, &names, &ctx->err) == 0)
        {
          for (size_t k = 0; names && names[k]; k++)
            printf ("Untagged: %s\n", names[k]);
          printf ("Deleted: %s\n", id);
        }
      else if (o.ignore && ctx->err->code == ENOENT)
        husk_error_release (&ctx->err);
      else
        {
          fprintf (stderr, "Error: %s\n", ctx->err->msg);
          husk_error_release (&ctx->err);
          ret = 125;
        }
      free (id);
    }
  return ret;
}

static int
cmd_manifest_inspect (struct cli_ctx *ctx, int argc, char **argv)
{
  static const struct cli_option opts[] = {
    { "authfile", 0, OPT_STRING, O (authfile), "string", "path of the authentication file. Use REGISTRY_AUTH_FILE environment variable to override" },
    { "tls-verify", 0, OPT_TRISTATE, O (tls_verify), NULL, "require HTTPS and verify certificates when accessing the registry" },
    OPTION_END,
  };
  struct mf_opts o = { .retry = -1, .tls_verify = -1, .force_compression = -1 };
  cleanup_free char *out = NULL;

  PARSE (opts, o, "[options] LIST|IMAGE", true);
  if (nargs (ctx, args, 1, 1) < 0)
    return cli_fail (ctx);
  struct husk_registry_opts ro = reg_opts (&o);
  if ((out = husk_op_manifest_inspect (ctx->engine, args[0], &ro, &ctx->err)) == NULL)
    return cli_fail (ctx);
  printf ("%s\n", out);
  return 0;
}

static int
cmd_manifest_push (struct cli_ctx *ctx, int argc, char **argv)
{
  static const struct cli_option opts[] = {
    OPTION_REFUSED ("add-compression", 0, "pushing variants in other compressions is not supported"),
    { "all", 0, OPT_BOOL, O (all), NULL, "also push the images in the list" },
    { "authfile", 0, OPT_STRING, O (authfile), "string", "path of the authentication file. Use REGISTRY_AUTH_FILE environment variable to override" },
    { "cert-dir", 0, OPT_STRING, O (cert_dir), "Pathname", "use certificates at the specified path to access the registry" },
    { "compression-format", 0, OPT_STRING, O (compression_format), "string", "compression format to use (gzip or zstd)" },
    { "compression-level", 0, OPT_INT, O (compression_level), "int", "compression level to use" },
    { "creds", 0, OPT_STRING, O (creds), "[username[:password]]", "use [username[:password]] for accessing the registry" },
    { "digestfile", 0, OPT_STRING, O (digestfile), "string", "after copying the image, write the digest of the resulting digest to the file" },
    { "force-compression", 0, OPT_TRISTATE, O (force_compression), NULL, "Use the specified compression algorithm if the destination contains a differently-compressed variant already" },
    { "format", 'f', OPT_STRING, O (format), "string", "manifest type (oci or v2s2) to attempt to use when pushing the manifest list (default is manifest type of source)" },
    { "quiet", 'q', OPT_BOOL, O (quiet), NULL, "don't output progress information when pushing lists" },
    { "remove-signatures", 0, OPT_BOOL, O (remove_signatures), NULL, "don't copy signatures when pushing images" },
    { "retry", 0, OPT_INT, O (retry), "uint", "number of times to retry in case of failure when performing push" },
    { "retry-delay", 0, OPT_STRING, O (retry_delay), "string", "delay between retries in case of push failures" },
    { "rm", 0, OPT_BOOL, O (rm), NULL, "remove the manifest list if push succeeds" },
    OPTION_REFUSED ("sign-by", 0, "husk does not sign images"),
    OPTION_REFUSED ("sign-by-sigstore", 0, "husk does not sign images"),
    OPTION_REFUSED ("sign-by-sigstore-private-key", 0, "husk does not sign images"),
    OPTION_REFUSED ("sign-passphrase-file", 0, "husk does not sign images"),
    { "tls-verify", 0, OPT_TRISTATE, O (tls_verify), NULL, "require HTTPS and verify certificates when accessing the registry" },
    OPTION_END,
  };
  struct mf_opts o = { .retry = -1, .tls_verify = -1, .force_compression = -1, .compression_level = -1, .all = true };
  cleanup_free char *digest = NULL;

  PARSE (opts, o, "[options] LIST [DESTINATION]", true);
  if (nargs (ctx, args, 1, 2) < 0)
    return cli_fail (ctx);
  struct husk_manifest_push_opts po = {
    .push = { .reg = reg_opts (&o), .format = o.format,
              .compression = o.compression_format,
              .compression_level = (int) o.compression_level, .digestfile = o.digestfile,
              .quiet = o.quiet },
    .all = o.all, .rm = o.rm,
  };
  /* As Podman: --force-compression defaults to true when
     --compression-format is given.  */
  po.push.force_compression = o.force_compression >= 0
                                ? o.force_compression : o.compression_format != NULL;
  if (husk_op_retry_delay (o.retry_delay, &po.push.reg.retry_delay, &ctx->err) < 0)
    return cli_fail (ctx);
  if (husk_op_manifest_push (ctx->engine, args[0], args[1], &po, &digest, &ctx->err) < 0)
    return cli_fail (ctx);
  return 0;
}

const struct cli_command cli_manifest_commands[] = {
  { "add", cmd_manifest_add, CMD_ENGINE, NULL, "Add images to a manifest list or image index" },
  { "annotate", cmd_manifest_annotate, CMD_ENGINE, NULL, "Add or update information about an entry in a manifest list or image index" },
  { "create", cmd_manifest_create, CMD_ENGINE, NULL, "Create manifest list or image index" },
  { "exists", cmd_manifest_exists, CMD_ENGINE, NULL, "Check if a manifest list exists in local storage" },
  { "inspect", cmd_manifest_inspect, CMD_ENGINE, NULL, "Display the contents of a manifest list or image index" },
  { "push", cmd_manifest_push, CMD_ENGINE | CMD_USERNS, NULL, "Push a manifest list or image index to a registry" },
  { "remove", cmd_manifest_remove, CMD_ENGINE, NULL, "Remove an entry from a manifest list or image index" },
  { "rm", cmd_manifest_rm, CMD_ENGINE | CMD_USERNS, NULL, "Remove manifest list or image index from local storage" },
  { NULL, NULL, 0, NULL, NULL },
};
