/* SPDX-License-Identifier: GPL-2.0-or-later */
/* husk push / husk image push.  */
#include "cli/cli.h"

#include "ops/image.h"
#include "util/strutil.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct push_opts
{
  char *authfile, *cert_dir, *compression_format, *creds, *digestfile, *format;
  char *retry_delay;
  long compression_level, retry;
  bool content_trust, quiet, remove_signatures;
  int force_compression; /* -1 not given: true with --compression-format */
  int tls_verify; /* -1 not given: registries.conf's insecure decides */
};

#define O(f) offsetof (struct push_opts, f)

int
cmd_push (struct cli_ctx *ctx, int argc, char **argv)
{
  static const struct cli_option opts[] = {
    { "authfile", 0, OPT_STRING, O (authfile), "string", "Path of the authentication file" },
    { "cert-dir", 0, OPT_STRING, O (cert_dir), "Pathname", "Path to a directory containing TLS certificates and keys" },
    OPTION_REFUSED ("compress", 0, "--compress is for the dir transport, which husk does not push to"),
    { "compression-format", 0, OPT_STRING, O (compression_format), "string", "compression format to use (gzip or zstd)" },
    { "compression-level", 0, OPT_INT, O (compression_level), "int", "compression level to use" },
    { "creds", 0, OPT_STRING, O (creds), "[username[:password]]", "Credentials (USERNAME:PASSWORD) to use for authenticating to a registry" },
    { "digestfile", 0, OPT_STRING, O (digestfile), "string", "Write the digest of the pushed image to the specified file" },
    { "disable-content-trust", 0, OPT_BOOL, O (content_trust), NULL, "This is a Docker specific option and is a NOOP" },
    OPTION_REFUSED ("encrypt-layer", 0, "layer encryption is not supported"),
    OPTION_REFUSED ("encryption-key", 0, "layer encryption is not supported"),
    { "force-compression", 0, OPT_TRISTATE, O (force_compression), NULL, "Use the specified compression algorithm even if the destination contains a differently-compressed variant already" },
    { "format", 'f', OPT_STRING, O (format), "string", "Manifest type (oci or v2s2) to use in the destination (default is manifest type of source, with fallbacks)" },
    { "quiet", 'q', OPT_BOOL, O (quiet), NULL, "Suppress output information when pushing images" },
    { "remove-signatures", 0, OPT_BOOL, O (remove_signatures), NULL, "Discard any pre-existing signatures in the image" },
    { "retry", 0, OPT_INT, O (retry), "uint", "number of times to retry in case of failure when performing push" },
    { "retry-delay", 0, OPT_STRING, O (retry_delay), "string", "delay between retries in case of push failures" },
    OPTION_REFUSED ("sign-by", 0, "husk does not sign images"),
    OPTION_REFUSED ("sign-by-sigstore", 0, "husk does not sign images"),
    OPTION_REFUSED ("sign-by-sigstore-private-key", 0, "husk does not sign images"),
    OPTION_REFUSED ("sign-passphrase-file", 0, "husk does not sign images"),
    { "tls-verify", 0, OPT_TRISTATE, O (tls_verify), NULL, "Require HTTPS and verify certificates when contacting registries" },
    OPTION_END,
  };
  struct push_opts o = { .retry = -1, .compression_level = -1, .tls_verify = -1,
                          .force_compression = -1 };

  PARSE (opts, o, "[options] IMAGE [DESTINATION]", true);
  if (args[0] == NULL)
    return cli_usage_error (ctx, "requires at least 1 arg(s), only received 0"), cli_fail (ctx);
  if (args[1] && args[2])
    return cli_usage_error (ctx, "accepts between 1 and 2 arg(s), received %zu",
                            husk_strv_len (args)), cli_fail (ctx);
  struct husk_push_opts po = {
    .reg = { .tls_verify = o.tls_verify, .cert_dir = o.cert_dir, .authfile = o.authfile,
             .creds = o.creds, .retries = o.retry >= 0 ? (int) o.retry : 3,
             .parallel = 6 },
    .format = o.format, .compression = o.compression_format,
    .compression_level = (int) o.compression_level, .digestfile = o.digestfile,
    .quiet = o.quiet,
  };
  /* As Podman: --force-compression defaults to true when
     --compression-format is given.  */
  po.force_compression = o.force_compression >= 0 ? o.force_compression
                                                                   : o.compression_format != NULL;
  if (husk_op_retry_delay (o.retry_delay, &po.reg.retry_delay, &ctx->err) < 0)
    return cli_fail (ctx);
  if (husk_op_image_push (ctx->engine, args[0], args[1], &po, &ctx->err) < 0)
    return cli_fail (ctx);
  return 0;
}
