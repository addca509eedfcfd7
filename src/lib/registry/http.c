/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The registry client's requests: connection settings, the /v2/ ping,
 * authentication and small objects (manifests, configs) into memory.
 */
#include "registry/registry-private.h"

#include "util/cleanup.h"
#include "util/digest.h"
#include "util/fileutil.h"
#include "util/log.h"
#include "util/strutil.h"
#include "userns/userns.h"

#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <nettle/base64.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define SYSTEM_CA "/etc/ssl/certs/ca-certificates.crt"
#define CERTS_D "/etc/containers/certs.d"

static const char accept_manifests[] =
  "Accept: " HUSK_MT_OCI_INDEX ", " HUSK_MT_OCI_MANIFEST ", " HUSK_MT_DOCKER_LIST ", "
  HUSK_MT_DOCKER_MANIFEST;

struct resp
{
  long status;
  char *body;
  size_t len, max;
  bool too_big;
  char *type, *www_auth, *digest, *link;
};

static void
resp_release (struct resp *r)
{
  free (r->body);
  free (r->type);
  free (r->www_auth);
  free (r->digest);
  free (r->link);
  memset (r, 0, sizeof *r);
}

static size_t
on_body (char *p, size_t size, size_t n, void *data)
{
  struct resp *r = data;

  n *= size;
  if (r->len + n > r->max)
    {
      r->too_big = true;
      return 0;
    }
  r->body = husk_xrealloc (r->body, r->len + n + 1);
  memcpy (r->body + r->len, p, n);
  r->len += n;
  r->body[r->len] = '\0';
  return n;
}

/* Keep a header's value (trimmed); the later response of a redirect wins. */
void
husk_registry_keep_header (char **dst, const char *line, size_t n, size_t skip)
{
  while (n > skip && (line[n - 1] == '\r' || line[n - 1] == '\n' || line[n - 1] == ' '))
    n--;
  while (skip < n && line[skip] == ' ')
    skip++;
  free (*dst);
  *dst = husk_xstrndup (line + skip, n - skip);
}

static size_t
on_header (char *line, size_t size, size_t n, void *data)
{
  struct resp *r = data;

  n *= size;
  if (n > 5 && strncmp (line, "HTTP/", 5) == 0)
    {
      free (r->www_auth);
      r->www_auth = NULL;
    }
  else if (n > 13 && strncasecmp (line, "Content-Type:", 13) == 0)
    husk_registry_keep_header (&r->type, line, n, 13);
  else if (n > 22 && strncasecmp (line, "Docker-Content-Digest:", 22) == 0)
    husk_registry_keep_header (&r->digest, line, n, 22);
  else if (n > 5 && strncasecmp (line, "Link:", 5) == 0)
    husk_registry_keep_header (&r->link, line, n, 5);
  else if (n > 17 && strncasecmp (line, "WWW-Authenticate:", 17) == 0
           && (r->www_auth == NULL || strncasecmp (r->www_auth, "bearer", 6) != 0))
    husk_registry_keep_header (&r->www_auth, line, n, 17);
  return n;
}

bool
husk_registry_transient (CURLcode c, long status)
{
  switch (c)
    {
    case CURLE_OK:
      return status == 429 || status >= 500;
    case CURLE_COULDNT_CONNECT:
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
      return true;
    default:
      return false;
    }
}

static bool
tls_error (CURLcode c)
{
  return c == CURLE_SSL_CONNECT_ERROR || c == CURLE_PEER_FAILED_VERIFICATION
         || c == CURLE_SSL_CERTPROBLEM || c == CURLE_SSL_CACERT_BADFILE
         || c == CURLE_SSL_ISSUER_ERROR || c == CURLE_SSL_PINNEDPUBKEYNOTMATCH;
}

/* One connection cache for the process's requests: the ping, the token,
   the manifest and the config (or a push's HEADs, POSTs and PUTs) go
   over one kept-alive connection instead of a TLS handshake each.  The
   DNS answers and TLS sessions are shared too.  curl wants locks for
   what is shared even when one thread uses it; fetch.c's transfers (in
   a thread of their own) keep to their multi handle's cache (curl does
   not support one connection cache in concurrent threads).  */
static pthread_mutex_t share_locks[CURL_LOCK_DATA_LAST];
static pthread_once_t share_once = PTHREAD_ONCE_INIT;
static CURLSH *share;

static void
share_lock (CURL *c, curl_lock_data d, curl_lock_access a, void *data)
{
  (void) c, (void) a, (void) data;
  pthread_mutex_lock (&share_locks[d]);
}

static void
share_unlock (CURL *c, curl_lock_data d, void *data)
{
  (void) c, (void) data;
  pthread_mutex_unlock (&share_locks[d]);
}

static void
share_init (void)
{
  for (size_t i = 0; i < CURL_LOCK_DATA_LAST; i++)
    pthread_mutex_init (&share_locks[i], NULL);
  share = curl_share_init ();
  if (share == NULL)
    return;
  curl_share_setopt (share, CURLSHOPT_LOCKFUNC, share_lock);
  curl_share_setopt (share, CURLSHOPT_UNLOCKFUNC, share_unlock);
  curl_share_setopt (share, CURLSHOPT_SHARE, CURL_LOCK_DATA_CONNECT);
  curl_share_setopt (share, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
  curl_share_setopt (share, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION);
}

CURL *
husk_registry_easy (struct husk_registry *r, const char *url, struct curl_slist **headers)
{
  CURL *c = curl_easy_init ();

  if (c == NULL)
    return NULL;
  pthread_once (&share_once, share_init);
  if (share)
    curl_easy_setopt (c, CURLOPT_SHARE, share);
  curl_easy_setopt (c, CURLOPT_URL, url);
  curl_easy_setopt (c, CURLOPT_USERAGENT, "husk (containers/image compatible)");
  curl_easy_setopt (c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt (c, CURLOPT_FOLLOWLOCATION, 1L);
  curl_easy_setopt (c, CURLOPT_MAXREDIRS, 5L);
  curl_easy_setopt (c, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt (c, CURLOPT_REDIR_PROTOCOLS_STR, r->insecure ? "http,https" : "https");
  curl_easy_setopt (c, CURLOPT_CONNECTTIMEOUT, 30L);
  /* A stalled transfer (under 1 byte/s for a minute) is a cut one.  */
  curl_easy_setopt (c, CURLOPT_LOW_SPEED_LIMIT, 1L);
  curl_easy_setopt (c, CURLOPT_LOW_SPEED_TIME, 60L);
  curl_easy_setopt (c, CURLOPT_SSL_VERIFYPEER, r->verify ? 1L : 0L);
  curl_easy_setopt (c, CURLOPT_SSL_VERIFYHOST, r->verify ? 2L : 0L);
  if (r->ca_blob)
    {
      struct curl_blob blob = { r->ca_blob, r->ca_len, CURL_BLOB_NOCOPY };
      curl_easy_setopt (c, CURLOPT_CAINFO_BLOB, &blob);
    }
  if (r->client_cert && r->client_key)
    {
      curl_easy_setopt (c, CURLOPT_SSLCERT, r->client_cert);
      curl_easy_setopt (c, CURLOPT_SSLKEY, r->client_key);
    }
  if (r->authz)
    *headers = curl_slist_append (*headers, r->authz);
  return c;
}

/* Read the certificate directory: every *.crt is a CA (added to the
   system's), NAME.cert with NAME.key a client certificate.  */
static int
load_certs (struct husk_registry *r, const char *dir, husk_error_t *err)
{
  cleanup_dir DIR *d = opendir (dir);
  cleanup_free char *sys = NULL;
  struct dirent *de;
  size_t len = 0;

  if (d == NULL)
    return errno == ENOENT ? 0 : husk_error_make (err, errno, "certificate directory '%s'", dir);
  sys = husk_read_file (SYSTEM_CA, &len, NULL);
  r->ca_blob = sys ? steal_ptr (&sys) : husk_xstrdup ("");
  r->ca_len = len;
  while ((de = readdir (d)))
    {
      cleanup_free char *path = husk_asprintf ("%s/%s", dir, de->d_name);
      size_t n = strlen (de->d_name), flen;

      if (n > 4 && strcmp (de->d_name + n - 4, ".crt") == 0)
        {
          cleanup_free char *pem = husk_read_file (path, &flen, err);
          if (pem == NULL)
            return -1;
          r->ca_blob = husk_xrealloc (r->ca_blob, r->ca_len + flen + 2);
          r->ca_blob[r->ca_len++] = '\n';
          memcpy (r->ca_blob + r->ca_len, pem, flen);
          r->ca_len += flen;
        }
      else if (n > 5 && strcmp (de->d_name + n - 5, ".cert") == 0)
        {
          cleanup_free char *key = husk_asprintf ("%s/%.*s.key", dir, (int) (n - 5), de->d_name);
          if (access (key, R_OK) < 0)
            return husk_error_makex (err, ENOENT, "missing key %s for client certificate %s",
                                     key, path);
          free (r->client_cert);
          free (r->client_key);
          r->client_cert = steal_ptr (&path);
          r->client_key = steal_ptr (&key);
        }
    }
  return 0;
}

/* One request into memory.  Return: the curl code; *resp filled.  */
static CURLcode
perform (struct husk_registry *r, const char *method, const char *url, const char *accept,
         size_t max, struct resp *resp, char *errbuf)
{
  struct curl_slist *headers = NULL;
  CURL *c = husk_registry_easy (r, url, &headers);
  CURLcode rc;

  resp_release (resp);
  resp->max = max;
  if (c == NULL)
    return CURLE_OUT_OF_MEMORY;
  if (accept)
    headers = curl_slist_append (headers, accept);
  curl_easy_setopt (c, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt (c, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt (c, CURLOPT_WRITEDATA, resp);
  curl_easy_setopt (c, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt (c, CURLOPT_HEADERDATA, resp);
  curl_easy_setopt (c, CURLOPT_ERRORBUFFER, errbuf);
  if (strcmp (method, "HEAD") == 0)
    curl_easy_setopt (c, CURLOPT_NOBODY, 1L);
  errbuf[0] = '\0';
  rc = curl_easy_perform (c);
  curl_easy_getinfo (c, CURLINFO_RESPONSE_CODE, &resp->status);
  curl_easy_cleanup (c);
  curl_slist_free_all (headers);
  if (errbuf[0] == '\0')
    snprintf (errbuf, CURL_ERROR_SIZE, "%s", curl_easy_strerror (rc));
  return rc;
}

static int
transfer_error (struct husk_registry *r, const char *url, CURLcode rc, const char *msg,
                husk_error_t *err)
{
  if (tls_error (rc))
    return husk_error_makex (err, EPROTO, "pinging container registry %s: Get \"%s\": "
                             "TLS: %s (put the registry's CA in %s/%s/ca.crt or pass "
                             "--cert-dir; --tls-verify=false skips verification)",
                             r->host, url, msg, CERTS_D, r->host);
  return husk_error_makex (err, rc == CURLE_COULDNT_CONNECT ? ECONNREFUSED : EIO,
                           "Get \"%s\": %s", url, msg);
}

/* With retries for transient faults.  */
static CURLcode
perform_retry (struct husk_registry *r, const char *method, const char *url,
               const char *accept, size_t max, struct resp *resp, char *errbuf)
{
  CURLcode rc;

  for (int attempt = 0;; attempt++)
    {
      rc = perform (r, method, url, accept, max, resp, errbuf);
      if (attempt >= r->o.retries || !husk_registry_transient (rc, resp->status)
          || resp->too_big)
        return rc;
      unsigned delay = r->o.retry_delay > 0 ? (unsigned) r->o.retry_delay : 1u << attempt;
      husk_log_info ("retrying '%s' in %us: %s", url, delay, errbuf);
      sleep (delay);
    }
}

static char *
basic_header (const char *user, const char *pass)
{
  cleanup_free char *raw = husk_asprintf ("%s:%s", user, pass);
  size_t n = strlen (raw);
  cleanup_free char *b64 = husk_xzalloc (BASE64_ENCODE_RAW_LENGTH (n) + 1);

  base64_encode_raw ((char *) b64, n, (const uint8_t *) raw);
  return husk_asprintf ("Authorization: Basic %s", b64);
}

static int
login_failed (struct husk_registry *r, const char *why, husk_error_t *err)
{
  if (r->user)
    return husk_error_makex (err, EACCES, "login to %s failed: invalid username/password: %s",
                             r->host, why);
  return husk_error_makex (err, EACCES, "reading from %s: authentication required "
                           "(log in, or pass --creds or --authfile)", r->name);
}

static char *
escape (const char *s)
{
  CURL *c = curl_easy_init ();
  char *e = c ? curl_easy_escape (c, s, 0) : NULL;
  char *out = husk_xstrdup (e ? e : "");

  curl_free (e);
  curl_easy_cleanup (c);
  return out;
}

/* The scope parameters of a token request: the repository (with push
   for a push), and pull of the repositories a push mounts blobs from.  */
static char *
token_scopes (struct husk_registry *r)
{
  cleanup_free char *raw = husk_asprintf ("repository:%s:%s", r->repo,
                                          r->o.push ? "pull,push" : "pull");
  char *out = escape (raw);

  for (size_t i = 0; r->o.push && r->o.mount_from && r->o.mount_from[i]; i++)
    {
      cleanup_free char *m = husk_asprintf ("repository:%s:pull", r->o.mount_from[i]);
      cleanup_free char *e = escape (m);
      char *next = husk_asprintf ("%s&scope=%s", out, e);
      free (out);
      out = next;
    }
  return out;
}

/* A token from the realm of a Bearer challenge.  */
static int
get_token (struct husk_registry *r, const struct husk_challenge *ch, husk_error_t *err)
{
  cleanup_free char *service = escape (ch->service ? ch->service : "");
  /* A push asks for its own scopes (push, and pull where blobs are
     mounted from); else the challenge's scope when it names one (the
     catalog's "registry:catalog:*"), the repository's, or none for a
     login's bare /v2/.  */
  cleanup_free char *scope = r->o.push || (ch->scope == NULL && *r->repo) ? token_scopes (r)
                             : ch->scope                                  ? escape (ch->scope)
                                                                          : NULL;
  cleanup_free char *url = husk_asprintf ("%s%cservice=%s%s%s", ch->realm,
                                          strchr (ch->realm, '?') ? '&' : '?', service,
                                          scope ? "&scope=" : "", scope ? scope : "");
  cleanup_json json_t *doc = NULL;
  char errbuf[CURL_ERROR_SIZE];
  struct resp resp = { 0 };
  const char *tok;
  long status;
  CURLcode rc;

  free (r->authz);
  r->authz = r->user ? basic_header (r->user, r->pass) : NULL;
  rc = perform_retry (r, "GET", url, NULL, 1 << 20, &resp, errbuf);
  free (r->authz);
  r->authz = NULL;
  if (rc != CURLE_OK)
    {
      resp_release (&resp);
      return transfer_error (r, url, rc, errbuf, err);
    }
  if (resp.status == 401 || resp.status == 403)
    {
      resp_release (&resp);
      return login_failed (r, "unauthorized", err);
    }
  doc = resp.status == 200 ? json_loadb (resp.body ? resp.body : "", resp.len, 0, NULL) : NULL;
  tok = json_string_value (json_object_get (doc, "token"));
  if (tok == NULL || *tok == '\0')
    tok = json_string_value (json_object_get (doc, "access_token"));
  status = resp.status;
  resp_release (&resp);
  if (tok == NULL || *tok == '\0' || strpbrk (tok, "\r\n"))
    return husk_error_makex (err, EPROTO, "getting a token from '%s': no token in the answer "
                             "(status %ld)", ch->realm, status);
  r->authz = husk_asprintf ("Authorization: Bearer %s", tok);
  return 0;
}

/* Answer a 401's challenge.  */
static int
authenticate (struct husk_registry *r, const char *www_auth, husk_error_t *err)
{
  struct husk_challenge ch;
  int ret;

  if (www_auth == NULL)
    return login_failed (r, "no WWW-Authenticate challenge", err);
  if (husk_challenge_parse (www_auth, &ch, err) < 0)
    return -1;
  if (strcmp (ch.scheme, "bearer") == 0)
    ret = get_token (r, &ch, err);
  else if (strcmp (ch.scheme, "basic") == 0 && r->user)
    {
      free (r->authz);
      r->authz = basic_header (r->user, r->pass);
      ret = 0;
    }
  else if (strcmp (ch.scheme, "basic") == 0)
    ret = login_failed (r, "", err);
  else
    ret = husk_error_makex (err, ENOTSUP, "%s: unsupported authentication scheme \"%s\"",
                            r->host, ch.scheme);
  husk_challenge_release (&ch);
  return ret;
}

/* GET (or HEAD) a path of the repository, authenticating when asked.  */
static int
request (struct husk_registry *r, const char *method, const char *path, const char *accept,
         size_t max, struct resp *resp, husk_error_t *err)
{
  cleanup_free char *url = husk_asprintf ("%s%s", r->base, path);
  char errbuf[CURL_ERROR_SIZE];
  CURLcode rc;

  for (int round = 0; round < 2; round++)
    {
      rc = perform_retry (r, method, url, accept, max, resp, errbuf);
      if (resp->too_big)
        return husk_error_makex (err, EFBIG, "%s: more than %zu bytes", url, max);
      if (rc != CURLE_OK)
        return transfer_error (r, url, rc, errbuf, err);
      if (resp->status != 401)
        return 0;
      if (round == 1 && r->authz)
        return login_failed (r, "unauthorized", err);
      if (authenticate (r, resp->www_auth, err) < 0)
        return -1;
    }
  return 0;
}

/* The /v2/ ping: which scheme works, and the first challenge.  */
static int
ping (struct husk_registry *r, const char *endpoint, husk_error_t *err)
{
  char errbuf[CURL_ERROR_SIZE];
  struct resp resp = { 0 };
  CURLcode rc;
  cleanup_free char *url = NULL;

  free (r->base);
  r->base = husk_asprintf ("https://%s", endpoint);
  url = husk_asprintf ("%s/v2/", r->base);
  rc = perform_retry (r, "GET", url, NULL, 1 << 16, &resp, errbuf);
  if (rc != CURLE_OK && r->insecure)
    {
      free (r->base);
      free (url);
      r->base = husk_asprintf ("http://%s", endpoint);
      url = husk_asprintf ("%s/v2/", r->base);
      rc = perform_retry (r, "GET", url, NULL, 1 << 16, &resp, errbuf);
    }
  if (rc != CURLE_OK)
    {
      resp_release (&resp);
      if (tls_error (rc))
        return transfer_error (r, url, rc, errbuf, err);
      return husk_error_makex (err, ECONNREFUSED, "pinging container registry %s: "
                               "Get \"%s\": %s", r->host, url, errbuf);
    }
  if (resp.status != 200 && resp.status != 401)
    {
      long st = resp.status;
      resp_release (&resp);
      return husk_error_makex (err, EPROTO, "pinging container registry %s: "
                               "Get \"%s\": status %ld", r->host, url, st);
    }
  if (resp.status == 401 && authenticate (r, resp.www_auth, err) < 0)
    {
      resp_release (&resp);
      return -1;
    }
  resp_release (&resp);
  return 0;
}

/* The per-host certificate directory, as containers-certs.d(5): the
   first of the user's (rootless), /etc/containers/certs.d and
   /etc/docker/certs.d that has one for the host.  */
static char *
certs_dir (const char *host)
{
  const char *home = getenv ("HOME");
  cleanup_free char *user = NULL;
  const char *dirs[3];
  size_t n = 0;
  struct stat st;

  if (husk_userns_rootless () && home && *home)
    dirs[n++] = user = husk_asprintf ("%s/.config/containers/certs.d", home);
  dirs[n++] = CERTS_D;
  dirs[n++] = "/etc/docker/certs.d";
  for (size_t i = 0; i < n; i++)
    {
      char *d = husk_asprintf ("%s/%s", dirs[i], host);
      if (stat (d, &st) == 0 && S_ISDIR (st.st_mode))
        return d;
      free (d);
    }
  return husk_asprintf ("%s/%s", CERTS_D, host);
}

struct husk_registry *
husk_registry_open (const char *host, const char *repo, bool insecure,
                    const struct husk_registry_opts *o, husk_error_t *err)
{
  struct husk_registry *r = husk_xzalloc (sizeof *r);
  cleanup_free char *certs = NULL;
  const char *endpoint = strcmp (host, "docker.io") == 0 ? "registry-1.docker.io" : host;

  curl_global_init (CURL_GLOBAL_DEFAULT);
  r->o = *o;
  r->host = husk_xstrdup (host);
  r->repo = husk_xstrdup (repo);
  r->name = husk_asprintf ("%s/%s", host, repo);
  r->insecure = o->tls_verify == 0 || (o->tls_verify < 0 && insecure);
  r->verify = !r->insecure;
  certs = o->cert_dir ? husk_xstrdup (o->cert_dir) : certs_dir (host);
  if (load_certs (r, certs, err) < 0
      || husk_registry_credentials (host, repo, o->creds, o->authfile, &r->user, &r->pass,
                                    err) < 0
      || ping (r, endpoint, err) < 0)
    {
      husk_registry_free (r);
      return NULL;
    }
  return r;
}

void
husk_registry_free (struct husk_registry *r)
{
  if (r == NULL)
    return;
  free (r->host);
  free (r->repo);
  free (r->name);
  free (r->base);
  free (r->ca_blob);
  free (r->client_cert);
  free (r->client_key);
  free (r->user);
  if (r->pass)
    explicit_bzero (r->pass, strlen (r->pass));
  free (r->pass);
  free (r->authz);
  free (r);
}

int
husk_registry_authenticate (struct husk_registry *r, const char *www_auth, husk_error_t *err)
{
  return authenticate (r, www_auth, err);
}

int
husk_registry_login_failed (struct husk_registry *r, const char *why, husk_error_t *err)
{
  return login_failed (r, why, err);
}

int
husk_registry_transfer_error (struct husk_registry *r, const char *url, CURLcode rc,
                              const char *msg, husk_error_t *err)
{
  return transfer_error (r, url, rc, msg, err);
}

const char *
husk_registry_name (const struct husk_registry *r)
{
  return r->name;
}

/* The body's digest must be the one asked for (or the one the registry
   announced, which only helps to name the fault).  */
static char *
checked_digest (const struct resp *resp, const char *want, husk_error_t *err)
{
  char *got = husk_digest_buf (resp->body ? resp->body : "", resp->len);

  if (want && strcmp (got, want) != 0)
    {
      husk_error_makex (err, EINVAL, "digest mismatch: expected %s, got %s", want, got);
      free (got);
      return NULL;
    }
  return got;
}

int
husk_registry_get_manifest (struct husk_registry *r, const char *ref, char **body,
                            size_t *len, char **type, char **digest, husk_error_t *err)
{
  cleanup_free char *path = husk_asprintf ("/v2/%s/manifests/%s", r->repo, ref);
  bool by_digest = husk_has_prefix (ref, "sha256:");
  struct resp resp = { 0 };

  if (request (r, "GET", path, accept_manifests, HUSK_REGISTRY_MANIFEST_MAX, &resp, err) < 0)
    return husk_error_wrap (err, "reading manifest %s in %s", ref, r->name);
  if (resp.status == 404)
    {
      resp_release (&resp);
      return husk_error_makex (err, ENOENT, "reading manifest %s in %s: manifest unknown",
                               ref, r->name);
    }
  if (resp.status != 200)
    {
      long st = resp.status;
      resp_release (&resp);
      return husk_error_makex (err, EPROTO, "reading manifest %s in %s: status %ld", ref,
                               r->name, st);
    }
  *digest = checked_digest (&resp, by_digest ? ref : NULL, err);
  if (*digest == NULL)
    {
      resp_release (&resp);
      return husk_error_wrap (err, "reading manifest %s in %s", ref, r->name);
    }
  *len = resp.len;
  *body = resp.body ? steal_ptr (&resp.body) : husk_xstrdup ("");
  *type = resp.type ? steal_ptr (&resp.type) : NULL;
  resp_release (&resp);
  return 0;
}

int
husk_registry_get_blob (struct husk_registry *r, const char *digest, size_t max, char **body,
                        size_t *len, husk_error_t *err)
{
  cleanup_free char *path = husk_asprintf ("/v2/%s/blobs/%s", r->repo, digest);
  cleanup_free char *got = NULL;
  struct resp resp = { 0 };

  if (request (r, "GET", path, NULL, max, &resp, err) < 0)
    return husk_error_wrap (err, "reading blob %s", digest);
  if (resp.status != 200)
    {
      long st = resp.status;
      resp_release (&resp);
      return husk_error_makex (err, st == 404 ? ENOENT : EPROTO,
                               "reading blob %s in %s: status %ld", digest, r->name, st);
    }
  got = checked_digest (&resp, digest, err);
  if (got == NULL)
    {
      resp_release (&resp);
      return husk_error_wrap (err, "reading blob %s", digest);
    }
  *len = resp.len;
  *body = resp.body ? steal_ptr (&resp.body) : husk_xstrdup ("");
  resp_release (&resp);
  return 0;
}

int
husk_registry_get (struct husk_registry *r, const char *path, size_t max, char **body,
                   size_t *len, long *status, char **link, husk_error_t *err)
{
  struct resp resp = { 0 };

  if (request (r, "GET", path, NULL, max, &resp, err) < 0)
    {
      resp_release (&resp);
      return -1;
    }
  *status = resp.status;
  *len = resp.len;
  *body = resp.body ? steal_ptr (&resp.body) : husk_xstrdup ("");
  if (link)
    *link = steal_ptr (&resp.link);
  resp_release (&resp);
  return 0;
}
