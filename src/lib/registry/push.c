/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The registry client's writes, for husk push: HEAD to find the blobs a
 * repository has, cross-repository mounts, uploads (POST for a session,
 * then one PUT ?digest=, or PATCHes of HUSK_REGISTRY_CHUNK bytes with
 * Content-Range before it for big blobs), and manifests.  Each answer's
 * Location says where the upload goes on, relative to the registry or
 * absolute (another host, such as a storage service, gets no
 * Authorization header).
 */
#include "registry/registry-private.h"

#include "util/cleanup.h"
#include "util/log.h"
#include "util/strutil.h"

#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#define UPLOAD_BUFFER (512L * 1024)

/* What a request sends.  */
struct body
{
  const char *buf;   /* from memory, or NULL: from fd */
  int fd;
  int64_t off, len;  /* the part of the bytes sent */
  int64_t pos;       /* sent so far (of len) */
  husk_registry_source_fn fill;  /* or made as they go: len unknown */
  void *data;
  husk_error_t fill_err;
};

struct answer
{
  long status;
  char *location, *www_auth;
  char text[2048];   /* the start of the body: the registry's error */
  size_t text_len;
};

static void
answer_release (struct answer *a)
{
  free (a->location);
  free (a->www_auth);
  memset (a, 0, sizeof *a);
}

static size_t
on_text (char *p, size_t size, size_t n, void *data)
{
  struct answer *a = data;
  size_t room = sizeof a->text - 1 - a->text_len;

  n *= size;
  memcpy (a->text + a->text_len, p, n < room ? n : room);
  a->text_len += n < room ? n : room;
  a->text[a->text_len] = '\0';
  return n;
}

static size_t
on_header (char *line, size_t size, size_t n, void *data)
{
  struct answer *a = data;

  n *= size;
  if (n > 9 && strncasecmp (line, "Location:", 9) == 0)
    husk_registry_keep_header (&a->location, line, n, 9);
  else if (n > 17 && strncasecmp (line, "WWW-Authenticate:", 17) == 0
           && (a->www_auth == NULL || strncasecmp (a->www_auth, "bearer", 6) != 0))
    husk_registry_keep_header (&a->www_auth, line, n, 17);
  return n;
}

static size_t
on_read (char *p, size_t size, size_t n, void *data)
{
  struct body *b = data;
  int64_t left = b->len - b->pos;
  size_t want = (int64_t) (size * n) < left ? size * n : (size_t) left;
  ssize_t got;

  if (b->fill)
    {
      got = b->fill (b->data, p, size * n, &b->fill_err);
      if (got < 0)
        return CURL_READFUNC_ABORT;
      b->pos += got;
      return (size_t) got;
    }
  if (want == 0)
    return 0;
  if (b->buf)
    {
      memcpy (p, b->buf + b->off + b->pos, want);
      got = (ssize_t) want;
    }
  else
    do
      got = pread (b->fd, p, want, b->off + b->pos);
    while (got < 0 && errno == EINTR);
  if (got <= 0)
    return CURL_READFUNC_ABORT; /* the file shrank under us */
  b->pos += got;
  return (size_t) got;
}

/* The same origin as the registry: gets the Authorization header.  */
static bool
same_origin (const struct husk_registry *r, const char *url)
{
  size_t n = strlen (r->base);

  return strncmp (url, r->base, n) == 0 && (url[n] == '/' || url[n] == '\0');
}

/* One request.  Return: the curl code; *a filled.  */
static CURLcode
send_one (struct husk_registry *r, const char *method, const char *url,
          struct curl_slist *extra, struct body *b, struct answer *a, char *errbuf)
{
  struct curl_slist *headers = NULL;
  char *authz = r->authz;
  CURL *c;
  CURLcode rc;

  answer_release (a);
  if (!same_origin (r, url))
    r->authz = NULL;
  c = husk_registry_easy (r, url, &headers);
  r->authz = authz;
  if (c == NULL)
    return CURLE_OUT_OF_MEMORY;
  for (struct curl_slist *h = extra; h; h = h->next)
    headers = curl_slist_append (headers, h->data);
  headers = curl_slist_append (headers, "Expect:");
  curl_easy_setopt (c, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt (c, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt (c, CURLOPT_HEADERDATA, a);
  curl_easy_setopt (c, CURLOPT_WRITEFUNCTION, on_text);
  curl_easy_setopt (c, CURLOPT_WRITEDATA, a);
  curl_easy_setopt (c, CURLOPT_ERRORBUFFER, errbuf);
  /* A POST or PUT answered with a redirect is not followed with a GET.  */
  curl_easy_setopt (c, CURLOPT_FOLLOWLOCATION, strcmp (method, "HEAD") == 0 ? 1L : 0L);
  if (strcmp (method, "HEAD") == 0)
    curl_easy_setopt (c, CURLOPT_NOBODY, 1L);
  else if (strcmp (method, "POST") == 0)
    {
      curl_easy_setopt (c, CURLOPT_POST, 1L);
      curl_easy_setopt (c, CURLOPT_POSTFIELDSIZE, 0L);
      curl_easy_setopt (c, CURLOPT_POSTFIELDS, "");
    }
  else if (strcmp (method, "DELETE") == 0)
    curl_easy_setopt (c, CURLOPT_CUSTOMREQUEST, "DELETE");
  else
    {
      if (b)
        b->pos = 0;
      curl_easy_setopt (c, CURLOPT_UPLOAD, 1L);
      curl_easy_setopt (c, CURLOPT_CUSTOMREQUEST, method);
      curl_easy_setopt (c, CURLOPT_READFUNCTION, on_read);
      curl_easy_setopt (c, CURLOPT_READDATA, b);
      /* A streamed body: chunked transfer encoding (HTTP/1.1).  */
      curl_easy_setopt (c, CURLOPT_INFILESIZE_LARGE,
                        (curl_off_t) (b && b->fill ? -1 : b ? b->len : 0));
      /* Large reads and writes: curl's default 64 KiB buffer went out
         in ~8 KB writes, at a quarter of what the link takes.  */
      curl_easy_setopt (c, CURLOPT_UPLOAD_BUFFERSIZE, UPLOAD_BUFFER);
    }
  errbuf[0] = '\0';
  rc = curl_easy_perform (c);
  curl_easy_getinfo (c, CURLINFO_RESPONSE_CODE, &a->status);
  curl_easy_cleanup (c);
  curl_slist_free_all (headers);
  if (errbuf[0] == '\0')
    snprintf (errbuf, CURL_ERROR_SIZE, "%s", curl_easy_strerror (rc));
  return rc;
}

/* A request that authenticates when asked (twice is a failed login).
   Transfer faults are retried only where the caller says (retry).  */
static int
send_auth (struct husk_registry *r, const char *method, const char *url,
           struct curl_slist *extra, struct body *b, bool retry, struct answer *a,
           husk_error_t *err)
{
  static const struct body empty = { NULL, -1, 0, 0, 0, NULL, NULL, NULL };
  struct body none = empty;
  char errbuf[CURL_ERROR_SIZE];
  CURLcode rc;

  if (b == NULL)
    b = &none;
  for (int round = 0, attempt = 0; round < 2;)
    {
      rc = send_one (r, method, url, extra, b, a, errbuf);
      if (retry && attempt < r->o.retries && husk_registry_transient (rc, a->status))
        {
          unsigned delay = r->o.retry_delay > 0 ? (unsigned) r->o.retry_delay : 1u << attempt;
          husk_log_info ("retrying %s '%s' in %us: %s", method, url, delay, errbuf);
          sleep (delay);
          attempt++;
          continue;
        }
      if (b->fill_err)
        {
          *err = steal_ptr (&b->fill_err);
          return -1;
        }
      if (rc != CURLE_OK)
        return husk_registry_transfer_error (r, url, rc, errbuf, err);
      if (a->status != 401)
        return 0;
      if (round == 1 || b->fill)  /* a streamed body cannot be sent again */
        return husk_registry_login_failed (r, "unauthorized", err);
      if (husk_registry_authenticate (r, a->www_auth, err) < 0)
        return -1;
      round++;
    }
  return 0;
}

/* The registry's own words for a failed request ("errors": [{message}]).  */
static int
refused (struct husk_registry *r, const struct answer *a, const char *what, husk_error_t *err)
{
  cleanup_json json_t *doc = json_loadb (a->text, a->text_len, 0, NULL);
  json_t *e0 = json_array_get (json_object_get (doc, "errors"), 0);
  const char *code = json_string_value (json_object_get (e0, "code"));
  const char *msg = json_string_value (json_object_get (e0, "message"));
  int errnum = a->status == 404 ? ENOENT : a->status == 403 ? EACCES : EPROTO;

  if (a->status == 403)
    return husk_error_makex (err, EACCES, "%s in %s: requested access to the resource is "
                             "denied", what, r->name);
  if (msg)
    return husk_error_makex (err, errnum, "%s in %s: status %ld: %s%s%s", what, r->name,
                             a->status, code ? code : "", code ? ": " : "", msg);
  return husk_error_makex (err, errnum, "%s in %s: status %ld", what, r->name, a->status);
}

/* "BASE/v2/REPO/KIND/ARG".  */
static char *
repo_url (const struct husk_registry *r, const char *kind, const char *arg)
{
  return husk_asprintf ("%s/v2/%s/%s/%s", r->base, r->repo, kind, arg);
}

int
husk_registry_blob_exists (struct husk_registry *r, const char *digest, husk_error_t *err)
{
  cleanup_free char *url = repo_url (r, "blobs", digest);
  struct answer a = { 0 };
  int ret;

  if (send_auth (r, "HEAD", url, NULL, NULL, true, &a, err) < 0)
    return husk_error_wrap (err, "checking blob %s", digest);
  if (a.status == 200)
    ret = 1;
  else if (a.status == 404)
    ret = 0;
  else
    ret = refused (r, &a, "checking blob", err);
  answer_release (&a);
  return ret;
}

/* Where an answer's Location points (a new string), or NULL.  */
static char *
follow (const struct husk_registry *r, const struct answer *a, husk_error_t *err)
{
  const char *loc = a->location;

  if (loc == NULL || *loc == '\0')
    {
      husk_error_makex (err, EPROTO, "upload to %s: status %ld without a Location", r->name,
                        a->status);
      return NULL;
    }
  if (husk_has_prefix (loc, "https://") || husk_has_prefix (loc, "http://"))
    return husk_xstrdup (loc);
  return husk_asprintf ("%s%s%s", r->base, *loc == '/' ? "" : "/", loc);
}

static char *
escaped (const char *s)
{
  CURL *c = curl_easy_init ();
  char *e = c ? curl_easy_escape (c, s, 0) : NULL;
  char *out = husk_xstrdup (e ? e : s);

  curl_free (e);
  curl_easy_cleanup (c);
  return out;
}

/* Give up an upload session the registry opened for nothing.  */
static void
cancel (struct husk_registry *r, const char *url)
{
  husk_error_t e = NULL;
  struct answer a = { 0 };

  if (send_auth (r, "DELETE", url, NULL, NULL, false, &a, &e) < 0)
    husk_error_drop (&e, "cancel upload");
  answer_release (&a);
}

int
husk_registry_blob_mount (struct husk_registry *r, const char *digest, const char *from,
                          husk_error_t *err)
{
  cleanup_free char *d = escaped (digest), *f = escaped (from);
  cleanup_free char *url = husk_asprintf ("%s/v2/%s/blobs/uploads/?mount=%s&from=%s", r->base,
                                          r->repo, d, f);
  struct answer a = { 0 };
  int ret = 0;

  if (send_auth (r, "POST", url, NULL, NULL, true, &a, err) < 0)
    return husk_error_wrap (err, "mounting blob %s from %s", digest, from);
  if (a.status == 201)
    ret = 1;
  else if (a.status == 202)
    {
      /* Declined: a plain upload session was opened instead.  */
      husk_error_t e = NULL;
      cleanup_free char *loc = follow (r, &a, &e);
      if (loc)
        cancel (r, loc);
      husk_error_release (&e);
    }
  else if (a.status != 404 && a.status != 401 && a.status != 403)
    ret = refused (r, &a, "mounting blob", err);
  answer_release (&a);
  return ret;
}

static char *
with_digest (const char *loc, const char *digest)
{
  cleanup_free char *d = escaped (digest);

  return husk_asprintf ("%s%cdigest=%s", loc, strchr (loc, '?') ? '&' : '?', d);
}

/* Chunk size: HUSK_REGISTRY_CHUNK_SIZE (bytes) lets the tests send small
   blobs in chunks.  */
static int64_t
chunk_size (void)
{
  const char *s = getenv ("HUSK_REGISTRY_CHUNK_SIZE");
  long long v = s ? atoll (s) : 0;

  return v > 0 ? v : HUSK_REGISTRY_CHUNK;
}

/* One PATCH of b's bytes (with its Content-Range header, if any) to *loc,
   which moves on to the answer's Location.  Return: 0, or -1.  */
static int
patch (struct husk_registry *r, char **loc, const char *range, struct body *b, const char *what,
       husk_error_t *err)
{
  struct curl_slist *h = range ? curl_slist_append (NULL, range) : NULL;
  struct answer a = { 0 };
  int ret;

  h = curl_slist_append (h, "Content-Type: application/octet-stream");
  ret = send_auth (r, "PATCH", *loc, h, b, false, &a, err);
  curl_slist_free_all (h);
  if (ret == 0 && a.status != 202)
    ret = refused (r, &a, what, err);
  if (ret == 0)
    {
      char *next = follow (r, &a, err);
      if (next == NULL)
        ret = -1;
      else
        free (*loc), *loc = next;
    }
  answer_release (&a);
  return ret;
}

/* PATCH the bytes before the last chunk; *loc moves on with each answer. */
static int
send_chunks (struct husk_registry *r, char **loc, const char *buf, int fd, int64_t size,
             int64_t *done, husk_error_t *err)
{
  int64_t chunk = chunk_size ();

  *done = 0;
  if (size <= chunk)
    return 0;
  while (size - *done > chunk)
    {
      struct body b = { buf, fd, *done, chunk, 0, NULL, NULL, NULL };
      cleanup_free char *range = husk_asprintf ("Content-Range: %" PRId64 "-%" PRId64, *done,
                                                *done + chunk - 1);

      if (patch (r, loc, range, &b, "uploading a chunk", err) < 0)
        return -1;
      *done += chunk;
    }
  return 0;
}

/* One attempt at an upload.  *transient: a fault worth another.  */
static int
upload_once (struct husk_registry *r, const char *digest, const char *buf, int fd,
             int64_t size, bool *transient, husk_error_t *err)
{
  cleanup_free char *start = husk_asprintf ("%s/v2/%s/blobs/uploads/", r->base, r->repo);
  cleanup_free char *loc = NULL, *put = NULL;
  struct curl_slist *h = NULL;
  struct answer a = { 0 };
  int64_t done;
  int ret;

  if (send_auth (r, "POST", start, NULL, NULL, true, &a, err) < 0)
    return -1;
  if (a.status != 202)
    {
      ret = refused (r, &a, "starting an upload", err);
      answer_release (&a);
      return ret;
    }
  loc = follow (r, &a, err);
  answer_release (&a);
  if (loc == NULL || send_chunks (r, &loc, buf, fd, size, &done, err) < 0)
    {
      *transient = loc != NULL;
      if (loc)
        cancel (r, loc);
      return -1;
    }
  struct body b = { buf, fd, done, size - done, 0, NULL, NULL, NULL };
  put = with_digest (loc, digest);
  h = curl_slist_append (h, "Content-Type: application/octet-stream");
  if (done > 0 && size > done)
    {
      cleanup_free char *range = husk_asprintf ("Content-Range: %" PRId64 "-%" PRId64, done,
                                                size - 1);
      h = curl_slist_append (h, range);
    }
  ret = send_auth (r, "PUT", put, h, &b, false, &a, err);
  curl_slist_free_all (h);
  if (ret < 0)
    *transient = true;
  else if (a.status != 201)
    {
      *transient = husk_registry_transient (CURLE_OK, a.status);
      ret = refused (r, &a, "uploading", err);
    }
  answer_release (&a);
  return ret;
}

int
husk_registry_put_blob (struct husk_registry *r, const char *digest, const char *buf, int fd,
                        int64_t size, husk_error_t *err)
{
  for (int attempt = 0;; attempt++)
    {
      bool transient = false;
      if (upload_once (r, digest, buf, fd, size, &transient, err) == 0)
        return 0;
      if (!transient || attempt >= r->o.retries || (*err)->code == EACCES)
        return husk_error_wrap (err, "writing blob %s", digest);
      unsigned delay = r->o.retry_delay > 0 ? (unsigned) r->o.retry_delay : 1u << attempt;
      husk_log_info ("writing blob %s: %s; starting again in %us", digest, (*err)->msg, delay);
      husk_error_release (err);
      sleep (delay);
    }
}

/* POST for an upload session.  Return: its location, or NULL.  */
static char *
upload_start (struct husk_registry *r, husk_error_t *err)
{
  cleanup_free char *start = husk_asprintf ("%s/v2/%s/blobs/uploads/", r->base, r->repo);
  struct answer a = { 0 };
  char *loc = NULL;

  if (send_auth (r, "POST", start, NULL, NULL, true, &a, err) == 0)
    {
      if (a.status == 202)
        loc = follow (r, &a, err);
      else
        refused (r, &a, "starting an upload", err);
    }
  answer_release (&a);
  return loc;
}

/* The streamed bytes in one PATCH; *loc moves on with the answer.  */
static int
patch_stream (struct husk_registry *r, char **loc, husk_registry_source_fn fill, void *data,
              husk_error_t *err)
{
  struct body b = { NULL, -1, 0, 0, 0, fill, data, NULL };
  int ret = patch (r, loc, NULL, &b, "uploading", err);

  husk_error_release (&b.fill_err);
  return ret;
}

int
husk_registry_put_blob_stream (struct husk_registry *r, husk_registry_source_fn fill,
                               void *data, const char *digest, husk_error_t *err)
{
  cleanup_free char *loc = upload_start (r, err), *put = NULL;
  struct body b = { "", -1, 0, 0, 0, NULL, NULL, NULL };
  struct answer a = { 0 };
  int ret;

  if (loc == NULL)
    return husk_error_wrap (err, "writing a blob");
  if (patch_stream (r, &loc, fill, data, err) < 0)
    {
      cancel (r, loc);
      return husk_error_wrap (err, "writing a blob");
    }
  put = with_digest (loc, digest);
  ret = send_auth (r, "PUT", put, NULL, &b, false, &a, err);
  if (ret == 0 && a.status != 201)
    ret = refused (r, &a, "uploading", err);
  answer_release (&a);
  return ret < 0 ? husk_error_wrap (err, "writing blob %s", digest) : 0;
}

int
husk_registry_put_manifest (struct husk_registry *r, const char *tag, const char *body,
                            size_t len, const char *type, husk_error_t *err)
{
  cleanup_free char *url = repo_url (r, "manifests", tag);
  cleanup_free char *ct = husk_asprintf ("Content-Type: %s", type);
  struct curl_slist *h = curl_slist_append (NULL, ct);
  struct body b = { body, -1, 0, (int64_t) len, 0, NULL, NULL, NULL };
  struct answer a = { 0 };
  int ret;

  ret = send_auth (r, "PUT", url, h, &b, true, &a, err);
  curl_slist_free_all (h);
  if (ret == 0 && a.status != 201 && a.status != 200)
    ret = refused (r, &a, "writing manifest", err);
  answer_release (&a);
  return ret < 0 ? husk_error_wrap (err, "writing manifest %s", tag) : 0;
}
