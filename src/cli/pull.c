/* SPDX-License-Identifier: GPL-2.0-or-later */
/* husk pull / husk image pull.  */
#include "cli/cli.h"

#include "ops/image.h"
#include "util/cleanup.h"
#include "util/strutil.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct pull_opts
{
  char *platform, *arch, *os, *variant, *creds, *authfile, *cert_dir, *policy;
  char *retry_delay, *signature_policy;
  long retry;
  bool quiet, all_tags;
  int tls_verify; /* -1 not given: registries.conf's insecure decides */
};

#define O(f) offsetof (struct pull_opts, f)

/* pull -a: every tag of each repository, one after another.  */
static int
pull_all_tags (struct cli_ctx *ctx, char **args, const struct husk_pull_opts *po)
{
  for (size_t i = 0; args[i]; i++)
    {
      cleanup_strv char **refs = NULL;
      if (husk_op_image_tags (ctx->engine, args[i], &po->reg, &refs, &ctx->err) < 0)
        return cli_fail (ctx);
      for (size_t k = 0; refs[k]; k++)
        {
          char *id = NULL;
          if (husk_op_image_pull (ctx->engine, refs[k], po, &id, &ctx->err) < 0)
            return cli_fail (ctx);
          printf ("%s\n", id);
          free (id);
        }
    }
  return 0;
}

int
cmd_pull (struct cli_ctx *ctx, int argc, char **argv)
{
  static const struct cli_option opts[] = {
    { "all-tags", 'a', OPT_BOOL, O (all_tags), NULL, "All tagged images in the repository will be pulled" },
    { "arch", 0, OPT_STRING, O (arch), "ARCH", "Use ARCH instead of the architecture of the machine for choosing images" },
    { "authfile", 0, OPT_STRING, O (authfile), "string", "Path of the authentication file" },
    { "cert-dir", 0, OPT_STRING, O (cert_dir), "Pathname", "Pathname of a directory containing TLS certificates and keys" },
    { "creds", 0, OPT_STRING, O (creds), "[username[:password]]", "Credentials (USERNAME:PASSWORD) to use for authenticating to a registry" },
    { "os", 0, OPT_STRING, O (os), "OS", "Use OS instead of the running OS for choosing images" },
    { "platform", 0, OPT_STRING, O (platform), "string", "Specify the platform for selecting the image" },
    { "policy", 0, OPT_STRING, O (policy), "string", "Pull image policy (\"always\"|\"missing\"|\"never\"|\"newer\")" },
    { "quiet", 'q', OPT_BOOL, O (quiet), NULL, "Suppress output information when pulling images" },
    { "retry", 0, OPT_INT, O (retry), "uint", "number of times to retry in case of failure when performing pull" },
    { "retry-delay", 0, OPT_STRING, O (retry_delay), "string", "delay between retries in case of pull failures" },
    { "signature-policy", 0, OPT_STRING, O (signature_policy), "string", NULL },
    { "tls-verify", 0, OPT_TRISTATE, O (tls_verify), NULL, "Require HTTPS and verify certificates when contacting registries" },
    { "variant", 0, OPT_STRING, O (variant), "VARIANT", "Use VARIANT instead of the running architecture variant for choosing images" },
    OPTION_END,
  };
  struct pull_opts o = { .retry = -1, .tls_verify = -1 };
  int ret = 0;

  PARSE (opts, o, "[options] IMAGE [IMAGE...]", true);
  if (args[0] == NULL)
    return cli_usage_error (ctx, "requires at least 1 arg(s), only received 0"), cli_fail (ctx);
  if (husk_op_platform_split (o.platform, o.arch || o.os, &o.os, &o.arch, &o.variant,
                              &ctx->err) < 0)
    return cli_fail (ctx);
  struct husk_pull_opts po = {
    .reg = { .tls_verify = o.tls_verify, .cert_dir = o.cert_dir, .authfile = o.authfile,
             .creds = o.creds, .retries = o.retry >= 0 ? (int) o.retry : 3,
             .parallel = 6 },
    .policy = o.policy ? o.policy : "always",
    .os = o.os, .arch = o.arch, .variant = o.variant, .quiet = o.quiet,
    .signature_policy = o.signature_policy,
  };
  if (husk_op_retry_delay (o.retry_delay, &po.reg.retry_delay, &ctx->err) < 0)
    return cli_fail (ctx);
  if (o.all_tags)
    return pull_all_tags (ctx, args, &po);
  for (size_t i = 0; args[i] && ret == 0; i++)
    {
      char *id = NULL;
      if (husk_op_image_pull (ctx->engine, args[i], &po, &id, &ctx->err) < 0)
        return cli_fail (ctx);
      printf ("%s\n", id);
      free (id);
    }
  return ret;
}
