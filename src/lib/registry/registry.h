/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A client of one repository on one registry, speaking the OCI
 * distribution spec (Docker Registry HTTP API v2) over libcurl: the /v2/
 * ping, authentication from WWW-Authenticate (Bearer tokens, anonymous or
 * with credentials, and Basic), manifests by tag or digest, and blobs,
 * fetched in parallel into files (fetch.c).  Everything a registry sends
 * is hostile: sizes are capped, every manifest and blob digest is checked.
 *
 * TLS: the system's CAs plus every *.crt of the certificate directory
 * (--cert-dir, else /etc/containers/certs.d/HOST:PORT/), whose
 * client.cert/client.key pair is offered as client certificate.  An
 * insecure registry (--tls-verify=false, or insecure = true in
 * registries.conf) is tried over HTTPS without verification, then over
 * plain HTTP.
 */
#ifndef HUSK_REGISTRY_REGISTRY_H
#define HUSK_REGISTRY_REGISTRY_H

#include "util/error.h"

#include <jansson.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The largest manifest or config accepted (the spec suggests 4 MiB).  */
#define HUSK_REGISTRY_MANIFEST_MAX (4 * 1024 * 1024)
#define HUSK_REGISTRY_CONFIG_MAX (16 * 1024 * 1024)

struct husk_registry_opts
{
  int tls_verify;        /* -1: as registries.conf says; 0; 1 */
  const char *cert_dir;  /* --cert-dir, or NULL */
  const char *authfile;  /* --authfile, or NULL: the usual places */
  const char *creds;     /* --creds "USER[:PASS]", or NULL */
  int retries;           /* attempts after the first for transient faults */
  int retry_delay;       /* seconds between them; 0: 1, 2, 4 ... */
  int parallel;          /* blobs fetched at once */
  bool push;             /* ask for push access too (push.c) */
  char **mount_from;     /* repositories of the same registry whose blobs a
                            push may mount: their pull access is asked too */
};

struct husk_registry;

/**
 * husk_registry_open() - Connect to a repository (pings /v2/)
 * @host:     "host[:port]" as in image names ("docker.io" goes to
 *            registry-1.docker.io)
 * @repo:     "library/busybox"
 * @insecure: registries.conf says insecure (used when tls_verify is -1)
 *
 * Return: the client, or NULL with an error naming the host (a TLS
 * failure also names --tls-verify).
 */
struct husk_registry *husk_registry_open (const char *host, const char *repo, bool insecure,
                                          const struct husk_registry_opts *o,
                                          husk_error_t *err);
void husk_registry_free (struct husk_registry *r);

/**
 * husk_registry_get_manifest() - Fetch a manifest by tag or digest
 * @ref:        a tag, or "sha256:<hex>" (the body must then hash to it)
 * @body, @len: the manifest as sent (at most HUSK_REGISTRY_MANIFEST_MAX)
 * @type:       its media type (from the body, else Content-Type)
 * @digest:     "sha256:<hex>" of the body
 *
 * Return: 0, or -1 (ENOENT: no such manifest, the reference named;
 * EACCES: authentication failed, "login to HOST failed").
 */
int husk_registry_get_manifest (struct husk_registry *r, const char *ref, char **body,
                                size_t *len, char **type, char **digest, husk_error_t *err);

/* Fetch a small blob (a config) into memory, at most max bytes, and check
   its digest.  Return: 0, or -1.  */
int husk_registry_get_blob (struct husk_registry *r, const char *digest, size_t max,
                            char **body, size_t *len, husk_error_t *err);

/**
 * husk_registry_get() - GET a path of the registry into memory
 * @path:   "/v2/_catalog?n=100", authenticated as the registry asks
 * @status: the HTTP status (the caller judges it)
 * @link:   the Link header of the answer (new string, or NULL); may be NULL
 *
 * Return: 0 with *body (at most max bytes), or -1 (EACCES: the
 * credentials were refused).
 */
int husk_registry_get (struct husk_registry *r, const char *path, size_t max, char **body,
                       size_t *len, long *status, char **link, husk_error_t *err);

/* "HOST/REPO" as shown in messages.  */
const char *husk_registry_name (const struct husk_registry *r);

/* Blobs fetched in parallel (fetch.c).  */

struct husk_registry_blob
{
  const char *digest;   /* what the bytes must hash to */
  int64_t size;         /* declared size: more bytes fail the blob */
  int fd;               /* where the bytes go (appended, not closed) */
};

struct husk_registry_fetch;

/**
 * husk_registry_fetch_start() - Start fetching blobs in a thread
 * @blobs: fetched in order, up to opts.parallel at once; the array must
 *         outlive the fetch
 *
 * A transfer cut short is resumed from where it stopped (Range), up to
 * opts.retries times.  A blob whose bytes do not hash to its digest, or
 * that is longer than declared, fails.
 * Return: the fetch, or NULL.
 */
struct husk_registry_fetch *husk_registry_fetch_start (struct husk_registry *r,
                                                       struct husk_registry_blob *blobs,
                                                       size_t n, husk_error_t *err);

/**
 * husk_registry_fetch_wait() - Wait for more of blob i
 * @have: bytes of it the caller has consumed
 * @avail: set to the bytes written so far (> have, unless done)
 *
 * Return: 1 while more may come, 0 when the blob is complete and verified
 * (then *avail is its size), or -1 when it failed.
 */
int husk_registry_fetch_wait (struct husk_registry_fetch *f, size_t i, int64_t have,
                              int64_t *avail, husk_error_t *err);

/* Whether blob i is complete and verified (after a failure elsewhere,
   the blobs worth keeping).  */
bool husk_registry_fetch_done (struct husk_registry_fetch *f, size_t i);

/* Stop (when running) and free.  */
void husk_registry_fetch_free (struct husk_registry_fetch *f);

/* Pushes (push.c): open the registry with opts.push set.  */

/* Whether the repository has the blob.  Return: 1, 0, or -1.  */
int husk_registry_blob_exists (struct husk_registry *r, const char *digest, husk_error_t *err);

/**
 * husk_registry_blob_mount() - Mount a blob from another repository
 * @from: a repository of the same registry that has the blob
 *
 * Return: 1 when mounted, 0 when the registry declined (then upload it),
 * or -1.
 */
int husk_registry_blob_mount (struct husk_registry *r, const char *digest, const char *from,
                              husk_error_t *err);

/* Upload bytes above this size in chunks of this size (PATCH with
   Content-Range), smaller ones in one PUT.  */
#define HUSK_REGISTRY_CHUNK (32 * 1024 * 1024)

/**
 * husk_registry_put_blob() - Upload a blob
 * @buf:  the bytes, or NULL to read them from @fd (from offset 0)
 * @size: their number
 *
 * The registry checks the digest.  A transient fault starts the upload
 * again, up to opts.retries times.
 * Return: 0, or -1.
 */
int husk_registry_put_blob (struct husk_registry *r, const char *digest, const char *buf,
                            int fd, int64_t size, husk_error_t *err);

/* Bytes for a streamed upload: up to n into buf.  Return: how many, 0 at
   the end, or -1 with *err set.  */
typedef ssize_t (*husk_registry_source_fn) (void *data, void *buf, size_t n,
                                            husk_error_t *err);

/**
 * husk_registry_put_blob_stream() - Upload a blob whose bytes are made as
 *   they are sent
 * @fill, @data: the source of the bytes
 * @digest: the blob's digest, which the source writes here by its end
 *
 * One PATCH carries the bytes as the source gives them (no length known
 * ahead), then a PUT names the digest, which the registry checks.  The
 * bytes cannot be read again, so there is one attempt: the caller starts
 * again with a new source when it wants another.
 * Return: 0, or -1.
 */
int husk_registry_put_blob_stream (struct husk_registry *r, husk_registry_source_fn fill,
                                   void *data, const char *digest, husk_error_t *err);

/* Store a manifest of media type under tag (or digest).  Return: 0, or -1. */
int husk_registry_put_manifest (struct husk_registry *r, const char *tag, const char *body,
                                size_t len, const char *type, husk_error_t *err);

/* Manifests (manifest.c).  */

#define HUSK_MT_OCI_MANIFEST "application/vnd.oci.image.manifest.v1+json"
#define HUSK_MT_OCI_INDEX "application/vnd.oci.image.index.v1+json"
#define HUSK_MT_DOCKER_MANIFEST "application/vnd.docker.distribution.manifest.v2+json"
#define HUSK_MT_DOCKER_LIST "application/vnd.docker.distribution.manifest.list.v2+json"

struct husk_descriptor
{
  char *media_type;
  char *digest;
  int64_t size;
  char *os, *arch, *variant; /* index entries only; NULL when absent */
};

struct husk_manifest
{
  bool is_index;
  char *media_type;
  struct husk_descriptor config;     /* image manifests */
  struct husk_descriptor *layers;    /* image manifests, bottom first */
  size_t n_layers;
  struct husk_descriptor *manifests; /* indexes */
  size_t n_manifests;
};

/**
 * husk_manifest_parse() - Parse and check an image manifest or an index
 * @type: the media type the registry gave (Content-Type), or NULL
 *
 * Refuses schema 1 ("unsupported manifest format ... schema 1"), unknown
 * media types, bad digests, negative or huge sizes, too many entries.
 * Return: 0, or -1 (EINVAL) saying what is wrong.
 */
int husk_manifest_parse (const char *body, size_t len, const char *type,
                         struct husk_manifest *out, husk_error_t *err);
void husk_manifest_release (struct husk_manifest *m);

/**
 * husk_manifest_select() - The entry of an index for a platform
 * @os, @arch, @variant: wanted; NULL for the host's (variant: any)
 *
 * Return: the entry (owned by @m), or NULL with ENOENT naming the platform.
 */
const struct husk_descriptor *husk_manifest_select (const struct husk_manifest *m,
                                                    const char *os, const char *arch,
                                                    const char *variant, husk_error_t *err);

/* Authentication (auth.c).  */

struct husk_challenge
{
  char *scheme;  /* "bearer" or "basic" (lowercase) */
  char *realm, *service, *scope;
};

/* Parse a WWW-Authenticate value; the first challenge is kept.
   Return: 0, or -1 (EINVAL).  */
int husk_challenge_parse (const char *s, struct husk_challenge *out, husk_error_t *err);
void husk_challenge_release (struct husk_challenge *c);

/**
 * husk_policy_check() - Whether containers-policy.json lets an image in
 * @policy: --signature-policy, or NULL for the user's, else the system's
 *          policy.json (none at all accepts)
 * @image:  "host/repo:tag" or "host/repo@digest", as pulled
 * @repo:   "host/repo"
 *
 * Return: 0 to go on; -1 when the policy rejects the image (EACCES), asks
 * for signatures (ENOTSUP: husk verifies none) or cannot be read.
 */
int husk_policy_check (const char *policy, const char *image, const char *repo,
                       husk_error_t *err);

/**
 * husk_registry_credentials() - Credentials for a registry
 * @host:     "host[:port]"
 * @repo:     the repository (auth.json keys may name "host/repo")
 * @creds:    --creds "USER[:PASS]", used first when set
 * @authfile: --authfile: only this file; else REGISTRY_AUTH_FILE, else
 *            $XDG_RUNTIME_DIR/containers/auth.json, then
 *            $XDG_CONFIG_HOME/containers/auth.json, then
 *            ~/.docker/config.json
 * @user, @pass: set (new strings) or left NULL for anonymous
 *
 * Return: 0, or -1 when a file named explicitly is missing or bad.
 */
int husk_registry_credentials (const char *host, const char *repo, const char *creds,
                               const char *authfile, char **user, char **pass,
                               husk_error_t *err);

/* The auth.json husk and Podman use by default (new string).  */
char *husk_registry_default_authfile (void);

/* auth.json (login.c): containers-auth.json(5), written the way Podman
   writes it (an "auths" object of "KEY": {"auth": base64("USER:PASS")},
   tab-indented), through a temporary file and a rename, mode 0600 in a
   directory made 0700; other entries and unknown keys are kept.  */

/**
 * husk_registry_auth_key() - The auth.json key a login argument names
 * @arg:  "HOST[:PORT]", "HOST/NAMESPACE/REPO", or "https://HOST[:PORT]/..."
 *        (a URL keeps only its host and port)
 * @key:  the key (new string)
 * @host: its registry part (new string)
 *
 * Return: 0, or -1 (EINVAL: a tag or digest, or an empty name).
 */
int husk_registry_auth_key (const char *arg, char **key, char **host, husk_error_t *err);

/* The file a login writes: authfile when set, else the default.  */
char *husk_registry_auth_path (const char *authfile);

/* Run docker-credential-NAME ACTION ("get", "store", "erase") with input
   on its stdin, as the docker-credential-helpers protocol has it; *out
   gets its output (trailing newlines dropped).  Return: its exit status,
   or -1 (an invalid name, or it cannot run).  */
int husk_registry_cred_helper (const char *name, const char *action, const char *input,
                               char **out, husk_error_t *err);

/* Store the credentials of key: through the auth file's credHelpers
   entry for key when it has one (nothing is written to the file then,
   as containers-auth.json(5) has it), else as its "auths" entry.
   Return: 0, or -1.  */
int husk_registry_auth_store (const char *path, const char *key, const char *user,
                              const char *pass, husk_error_t *err);

/* Remove the entry of key (and erase it from key's credential helper,
   when credHelpers names one).  Return: 0; -1 with ENOENT ("not logged
   into KEY") when neither has it, or another error.  */
int husk_registry_auth_remove (const char *path, const char *key, husk_error_t *err);

/* Remove every entry (and credential helper).  Return: 0, or -1.  */
int husk_registry_auth_remove_all (const char *path, husk_error_t *err);

/* Search (search.c).  */

/**
 * husk_registry_search() - Repositories of a registry matching a term
 * @term:  a substring of the repository name ("" for all)
 * @limit: the most results wanted (> 0)
 * @hits:  set to a JSON array of {"name", "description", "stars",
 *         "official", "automated"} (name without the host)
 *
 * The Docker Hub's /v1/search first; a registry without it (Docker
 * Distribution) answers from /v2/_catalog, filtered here.
 * Return: 0, or -1.
 */
int husk_registry_search (struct husk_registry *r, const char *term, int limit,
                          json_t **hits, husk_error_t *err);

/* The tags of the repository r was opened for (/v2/REPO/tags/list, every
   page): a NULL-terminated vector.  Return: 0, or -1.  */
int husk_registry_list_tags (struct husk_registry *r, char ***tags, husk_error_t *err);

#endif
