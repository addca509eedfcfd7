/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What http.c shares with fetch.c.  */
#ifndef HUSK_REGISTRY_PRIVATE_H
#define HUSK_REGISTRY_PRIVATE_H

#include "registry/registry.h"

#include <curl/curl.h>

struct husk_registry
{
  char *host;      /* as in image names: "docker.io", "127.0.0.1:5000" */
  char *repo;      /* "library/busybox" */
  char *name;      /* "host/repo" */
  char *base;      /* "https://registry-1.docker.io" */
  bool verify;     /* TLS peer verification */
  bool insecure;   /* plain HTTP allowed */
  char *ca_blob;   /* system CAs plus the certificate directory's */
  size_t ca_len;
  char *client_cert, *client_key;
  char *user, *pass;
  char *authz;     /* "Authorization: ..." once authenticated, or NULL */
  struct husk_registry_opts o;
};

/* A new easy handle for url with the TLS settings, redirects, timeouts
   and the Authorization header (freed with *headers).  */
CURL *husk_registry_easy (struct husk_registry *r, const char *url,
                          struct curl_slist **headers);

/* Answer a 401's challenge (sets r->authz).  Return: 0, or -1.  */
int husk_registry_authenticate (struct husk_registry *r, const char *www_auth,
                                husk_error_t *err);

/* "login to HOST failed" (with credentials) or "authentication required". */
int husk_registry_login_failed (struct husk_registry *r, const char *why, husk_error_t *err);

/* A transfer that failed: a TLS fault names the host and --tls-verify.  */
int husk_registry_transfer_error (struct husk_registry *r, const char *url, CURLcode rc,
                                  const char *msg, husk_error_t *err);

/* Whether a transfer error is worth another attempt.  */
bool husk_registry_transient (CURLcode c, long status);

/* Keep the value of a header line (after skip bytes of its name),
   trimmed, in *dst, freeing what was there (http.c).  */
void husk_registry_keep_header (char **dst, const char *line, size_t n, size_t skip);

#endif
