/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * husk push: a local image to a registry.  Plan first: the destination,
 * the manifest format, and for every layer the blob to send (the stored
 * blob as it arrived, or the tar compressed anew when it is stored
 * uncompressed or another compression is forced: streamed into the
 * upload as it is compressed, or compressed into an unnamed file by a
 * worker thread meanwhile).  Each blob the repository lacks is mounted
 * from a repository of the same registry the image was pulled from, or
 * uploaded; a blob compressed anew whose digest the store's cache knows
 * from an earlier push is looked for first, uncompressed; then the config, then
 * the manifest under the tag.  The stored manifest is sent unchanged when
 * it still describes what was sent, so an image pulled and pushed keeps
 * its digest.  The local store is only read.
 */
#include "ops/image.h"
#include "ops/image-push.h"

#include "config/config.h"
#include "engine/engine.h"
#include "events/events.h"
#include "image/reference.h"
#include "registry/registry.h"
#include "state/state.h"
#include "storage/store.h"
#include "util/cleanup.h"
#include "util/digest.h"
#include "util/fileutil.h"
#include "util/log.h"
#include "util/strutil.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MT_OCI_CONFIG "application/vnd.oci.image.config.v1+json"
#define MT_DOCKER_CONFIG "application/vnd.docker.container.image.v1+json"
#define MT_DOCKER_LAYER "application/vnd.docker.image.rootfs.diff.tar.gzip"

/* One layer blob to send.  A blob compressed for the push (redo) is
   either streamed by the main thread as it compresses it, or made into a
   file by a worker thread; taken says one of them has it, ready that the
   file is done (fd, digest and size set) or failed (err), sent that it
   is in the registry; all under push.lock.  known: digest and size come
   from the cache of compressed digests (not checked yet).  */
struct blob
{
  char digest[72];
  int64_t size;
  enum husk_compression c;
  int fd;
  bool redo, known, taken, ready, sent;
  husk_error_t err;
};

struct push
{
  struct husk_engine *e;
  const struct husk_push_opts *o;
  struct husk_image_rec rec;
  struct husk_layer_info *infos;
  struct blob *blobs;
  size_t n;
  bool oci;            /* the manifest format: OCI, else Docker schema 2 */
  char *host, *repo;   /* where it goes */
  char *tag;          /* NULL: by digest (an entry of a list) */
  char *sent_digest;   /* the manifest sent, and its size */
  size_t sent_size;
  char **mount_from;   /* repositories of host the image came from */
  struct husk_registry *reg;
  /* The compression workers: they take redo blobs nobody took and
     compress them into files, while the main thread uploads the files
     that are ready and, when there are none, streams a blob nobody took
     (compressing it as curl sends it).  The main thread and the workers
     together are no more than o->reg.parallel or the processors.  */
  char *tmp;           /* the store's tmp/, for the compressed blobs */
  pthread_t *workers;
  size_t n_workers, next_job;
  bool stop;
  pthread_mutex_t lock;
  pthread_cond_t cond;
};

static void
progress (const struct push *p, const char *fmt, ...) __attribute__ ((format (printf, 2, 3)));

static void
progress (const struct push *p, const char *fmt, ...)
{
  va_list ap;

  if (p->o->quiet)
    return;
  va_start (ap, fmt);
  vfprintf (stderr, fmt, ap);
  va_end (ap);
  fputc ('\n', stderr);
}

static void workers_stop (struct push *p);

static void
push_release (struct push *p)
{
  workers_stop (p);
  husk_registry_free (p->reg);
  husk_image_rec_release (&p->rec);
  for (size_t i = 0; p->blobs && i < p->n; i++)
    {
      if (p->blobs[i].fd >= 0)
        close (p->blobs[i].fd);
      husk_error_release (&p->blobs[i].err);
    }
  free (p->blobs);
  free (p->tmp);
  free (p->infos);
  free (p->host);
  free (p->repo);
  free (p->tag);
  free (p->sent_digest);
  husk_strv_free (p->mount_from);
}

/* Transports of containers-transports(5) that husk does not push to.  */
static int
check_transport (const char *d, husk_error_t *err)
{
  static const char *const others[] = { "oci:", "oci-archive:", "dir:", "docker-archive:",
                                        "docker-daemon:", "containers-storage:", "sif:",
                                        "ostree:", NULL };

  for (size_t i = 0; others[i]; i++)
    if (husk_has_prefix (d, others[i]))
      return husk_error_makex (err, ENOTSUP, "push to \"%s\": the %.*s transport is not "
                               "supported: husk pushes to registries (docker://); husk save "
                               "writes archives and OCI layouts", d,
                               (int) strlen (others[i]) - 1, others[i]);
  return 0;
}

/* The registry, repository and tag the image goes to, after
   registries.conf's [[registry]] location.  */
static int
destination (struct push *p, const char *image, const char *dest, bool *insecure,
             husk_error_t *err)
{
  const char *d = dest ? dest : image;
  struct husk_reference ref;
  const struct husk_config_registry *cr;
  cleanup_free char *name = NULL, *mapped = NULL;

  if (husk_has_prefix (d, "docker://"))
    d += 9;
  else if (check_transport (d, err) < 0)
    return -1;
  if (dest == NULL && husk_reference_is_id (image))
    return husk_error_makex (err, EINVAL, "%s: an image ID names no registry: give a "
                             "DESTINATION", image);
  if (husk_reference_parse (d, true, &ref, err) < 0)
    return husk_error_wrap (err, "destination");
  if (ref.tag == NULL)
    {
      husk_reference_release (&ref);
      return husk_error_makex (err, EINVAL, "destination \"%s\": push to a tag, not a digest",
                               d);
    }
  name = husk_reference_name (&ref);
  p->tag = husk_xstrdup (ref.tag);
  husk_reference_release (&ref);
  cr = husk_config_registry_find (p->e->config, name);
  if (cr && cr->blocked)
    return husk_error_makex (err, EACCES, "registry %s is blocked in registries.conf",
                             cr->prefix);
  *insecure = cr && cr->insecure;
  if (cr && cr->location && !husk_has_prefix (cr->prefix, "*."))
    mapped = husk_asprintf ("%s%s", cr->location, name + strlen (cr->prefix));
  else
    mapped = husk_xstrdup (name);
  p->host = husk_xstrndup (mapped, strcspn (mapped, "/"));
  if (mapped[strlen (p->host)] != '/')
    return husk_error_makex (err, EINVAL, "invalid destination \"%s\"", mapped);
  p->repo = husk_xstrdup (mapped + strlen (p->host) + 1);
  return 0;
}

/* The format asked for, else the stored manifest's, else OCI.  */
static int
choose_format (struct push *p, enum husk_compression want, husk_error_t *err)
{
  const char *f = p->o->format;

  if (f == NULL)
    {
      struct husk_manifest m = { 0 };
      husk_error_t e = NULL;
      p->oci = true;
      if (p->rec.manifest
          && husk_manifest_parse (p->rec.manifest, strlen (p->rec.manifest), NULL, &m, &e) == 0)
        p->oci = strcmp (m.media_type, HUSK_MT_DOCKER_MANIFEST) != 0;
      husk_error_release (&e);
      husk_manifest_release (&m);
      /* Docker schema 2 has no zstd layers.  */
      if (want == HUSK_COMPRESSION_ZSTD)
        p->oci = true;
      return 0;
    }
  if (strcmp (f, "oci") == 0)
    p->oci = true;
  else if (strcmp (f, "v2s2") == 0)
    p->oci = false;
  else if (strcmp (f, "v2s1") == 0)
    return husk_error_makex (err, ENOTSUP, "Docker schema 1 manifests (--format v2s1) are "
                             "not written: use v2s2 or oci");
  else
    return husk_error_makex (err, EINVAL, "unknown format \"%s\": want oci or v2s2", f);
  if (!p->oci && want == HUSK_COMPRESSION_ZSTD)
    return husk_error_makex (err, EINVAL, "zstd compression needs an OCI manifest: Docker "
                             "schema 2 (--format v2s2) has no zstd layers");
  return 0;
}

/* The blob for layer i: the stored one, or one compressed anew (whose
   digest the cache may know from an earlier push).  */
static int
plan_layer (struct push *p, size_t i, enum husk_compression want, husk_error_t *err)
{
  const struct husk_layer_info *l = &p->infos[i];
  struct blob *b = &p->blobs[i];
  bool redo = l->compression == HUSK_COMPRESSION_NONE
              || (p->o->force_compression && l->compression != want)
              || (!p->oci && l->compression != HUSK_COMPRESSION_GZIP);

  if (redo)
    {
      b->c = want;
      b->redo = true;
      b->known = husk_op_image_push_cache_get (p->e->store, l->diff_id, want,
                                               p->o->compression_level, b->digest, &b->size);
      return 0;
    }
  cleanup_free char *path = husk_store_layer_blob_path (p->e->store, l->chain_id);
  b->fd = open (path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (b->fd < 0)
    return husk_error_make (err, errno, "layer blob '%s'", path);
  memcpy (b->digest, l->blob_digest, sizeof b->digest);
  b->size = l->blob_size;
  b->c = l->compression;
  b->ready = true;
  return 0;
}

/* The next redo blob nobody took (marked taken), or p->n.  Under lock. */
static size_t
take_locked (struct push *p)
{
  while (p->next_job < p->n && (!p->blobs[p->next_job].redo || p->blobs[p->next_job].taken))
    p->next_job++;
  if (p->next_job == p->n)
    return p->n;
  p->blobs[p->next_job].taken = true;
  return p->next_job++;
}

static size_t
take_job (struct push *p)
{
  size_t i;

  pthread_mutex_lock (&p->lock);
  i = p->stop ? p->n : take_locked (p);
  pthread_mutex_unlock (&p->lock);
  return i;
}

static void *
compress_worker (void *data)
{
  struct push *p = data;
  size_t i;

  while ((i = take_job (p)) < p->n)
    {
      const struct husk_layer_info *l = &p->infos[i];
      struct blob *b = &p->blobs[i];
      husk_error_t e = NULL;
      char digest[72];
      int64_t size = 0;
      int fd = -1;

      husk_log_debug ("layer %s: compressing into a file", l->diff_id);
      husk_op_image_push_compress (p->e->store, l->chain_id, l->diff_id, b->c,
                                   p->o->compression_level, p->tmp, &fd, digest, &size, &e);
      pthread_mutex_lock (&p->lock);
      b->fd = fd;
      if (fd >= 0)
        memcpy (b->digest, digest, sizeof digest);
      b->size = size;
      b->err = e;
      b->ready = true;
      pthread_cond_broadcast (&p->cond);
      pthread_mutex_unlock (&p->lock);
    }
  return NULL;
}

static int
workers_start (struct push *p, husk_error_t *err)
{
  long cpus = sysconf (_SC_NPROCESSORS_ONLN);
  size_t jobs = 0, want;

  for (size_t i = 0; i < p->n; i++)
    jobs += p->blobs[i].redo && !p->blobs[i].taken;
  want = p->o->reg.parallel > 0 ? (size_t) p->o->reg.parallel : 1;
  /* No more compressing threads than processors, the main thread's
     streaming included: five layers sharing two cores would all be done
     only at the end, leaving nothing for the uploads to overlap with.  */
  if (cpus > 0 && want > (size_t) cpus)
    want = (size_t) cpus;
  want--;
  if (want + 1 > jobs)
    want = jobs > 0 ? jobs - 1 : 0;
  if (want == 0)
    return 0;
  p->workers = husk_xzalloc (want * sizeof *p->workers);
  for (; p->n_workers < want; p->n_workers++)
    {
      int e = pthread_create (&p->workers[p->n_workers], NULL, compress_worker, p);
      if (e != 0 && p->n_workers == 0)
        return husk_error_make (err, e, "starting a compression thread");
      if (e != 0)
        break; /* fewer threads will do */
    }
  return 0;
}

/* Let the workers finish the blob they hold, and end them.  */
static void
workers_stop (struct push *p)
{
  if (p->workers == NULL)
    return;
  pthread_mutex_lock (&p->lock);
  p->stop = true;
  pthread_mutex_unlock (&p->lock);
  for (size_t i = 0; i < p->n_workers; i++)
    pthread_join (p->workers[i], NULL);
  free (p->workers);
  p->workers = NULL;
  p->n_workers = 0;
}

/* The main thread's next blob: one that is ready and not sent (*stream
   false), else one nobody took, to stream (*stream true), else wait for
   a worker.  Return: its index, or p->n when all are sent.  */
static size_t
next_blob (struct push *p, bool *stream)
{
  size_t i, unsent;

  pthread_mutex_lock (&p->lock);
  for (;;)
    {
      unsent = 0;
      for (i = 0; i < p->n; i++)
        {
          unsent += !p->blobs[i].sent;
          if (p->blobs[i].ready && !p->blobs[i].sent)
            break;
        }
      *stream = false;
      if (i == p->n && unsent > 0)
        {
          i = take_locked (p);
          *stream = i < p->n;
        }
      if (i < p->n || unsent == 0)
        break;
      pthread_cond_wait (&p->cond, &p->lock);
    }
  pthread_mutex_unlock (&p->lock);
  return unsent == 0 ? p->n : i;
}

static int
plan (struct push *p, husk_error_t *err)
{
  const char *cf = p->o->compression ? p->o->compression : "gzip";
  enum husk_compression want;

  if (strcmp (cf, "gzip") == 0)
    want = HUSK_COMPRESSION_GZIP;
  else if (strcmp (cf, "zstd") == 0)
    want = HUSK_COMPRESSION_ZSTD;
  else
    return husk_error_makex (err, EINVAL, "unsupported compression format \"%s\": want gzip "
                             "or zstd", cf);
  if (choose_format (p, want, err) < 0)
    return -1;
  p->n = husk_strv_len (p->rec.layers);
  p->infos = husk_xzalloc ((p->n + 1) * sizeof *p->infos);
  p->blobs = husk_xzalloc ((p->n + 1) * sizeof *p->blobs);
  for (size_t i = 0; i < p->n; i++)
    p->blobs[i].fd = -1;
  p->tmp = husk_store_tmp_dir (p->e->store);
  for (size_t i = 0; i < p->n; i++)
    if (husk_store_layer_info (p->e->store, p->rec.layers[i], &p->infos[i], err) < 0
        || plan_layer (p, i, want, err) < 0)
      return -1;
  return 0;
}

/* Repositories of the destination's registry that the image was pulled
   from (its repository digests): blobs can be mounted from them.  */
static void
find_mount_sources (struct push *p)
{
  size_t hl = strlen (p->host);

  for (size_t i = 0; p->rec.digests && p->rec.digests[i]; i++)
    {
      const char *d = p->rec.digests[i];
      size_t n = strcspn (d, "@");
      if (n <= hl + 1 || strncmp (d, p->host, hl) != 0 || d[hl] != '/')
        continue;
      cleanup_free char *repo = husk_xstrndup (d + hl + 1, n - hl - 1);
      if (strcmp (repo, p->repo) != 0 && !husk_strv_contains (p->mount_from, repo))
        husk_strv_append (&p->mount_from, repo);
    }
}

static const char *
layer_type (const struct push *p, enum husk_compression c)
{
  if (!p->oci)
    return MT_DOCKER_LAYER;
  return c == HUSK_COMPRESSION_ZSTD ? "application/vnd.oci.image.layer.v1.tar+zstd"
                                    : "application/vnd.oci.image.layer.v1.tar+gzip";
}

/* Does the stored manifest describe exactly what is sent?  */
static bool
stored_fits (const struct push *p, const char *type, const char *config_digest)
{
  struct husk_manifest m = { 0 };
  husk_error_t e = NULL;
  bool fits = false;

  if (p->rec.manifest
      && husk_manifest_parse (p->rec.manifest, strlen (p->rec.manifest), NULL, &m, &e) == 0
      && !m.is_index && strcmp (m.media_type, type) == 0
      && strcmp (m.config.digest, config_digest) == 0 && m.n_layers == p->n)
    {
      fits = true;
      for (size_t i = 0; i < p->n && fits; i++)
        fits = strcmp (m.layers[i].digest, p->blobs[i].digest) == 0
               && strcmp (m.layers[i].media_type, layer_type (p, p->blobs[i].c)) == 0;
    }
  husk_error_release (&e);
  husk_manifest_release (&m);
  return fits;
}

static json_t *
descriptor (const char *type, const char *digest, int64_t size)
{
  return json_pack ("{s:s, s:s, s:I}", "mediaType", type, "digest", digest, "size",
                    (json_int_t) size);
}

static char *
make_manifest (const struct push *p, const char *type, const char *config_digest)
{
  cleanup_json json_t *m = json_object ();
  json_t *layers = json_array ();

  if (stored_fits (p, type, config_digest))
    return husk_xstrdup (p->rec.manifest);
  json_object_set_new (m, "schemaVersion", json_integer (2));
  json_object_set_new (m, "mediaType", json_string (type));
  json_object_set_new (m, "config", descriptor (p->oci ? MT_OCI_CONFIG : MT_DOCKER_CONFIG,
                                                config_digest,
                                                (int64_t) strlen (p->rec.config)));
  for (size_t i = 0; i < p->n; i++)
    json_array_append_new (layers, descriptor (layer_type (p, p->blobs[i].c),
                                               p->blobs[i].digest, p->blobs[i].size));
  json_object_set_new (m, "layers", layers);
  return json_dumps (m, JSON_COMPACT);
}

/* Does the repository have the blob, or can it mount it?  Return: 1 (and
   the "skipped" line shown), 0, or -1.  */
static int
blob_present (struct push *p, const char *what, const char *digest, husk_error_t *err)
{
  int r;

  if ((r = husk_registry_blob_exists (p->reg, digest, err)) < 0)
    return -1;
  for (size_t i = 0; r == 0 && p->mount_from && p->mount_from[i]; i++)
    {
      if ((r = husk_registry_blob_mount (p->reg, digest, p->mount_from[i], err)) < 0)
        return -1;
      if (r > 0)
        husk_log_info ("blob %s mounted from %s/%s", digest, p->host, p->mount_from[i]);
    }
  if (r > 0)
    progress (p, "Copying %s %.12s skipped: already exists", what, digest + 7);
  return r;
}

/* Send one blob unless the repository has it or can mount it.  */
static int
send_blob (struct push *p, const char *what, const char *digest, const char *buf, int fd,
           int64_t size, husk_error_t *err)
{
  char sd[13];
  int r;

  snprintf (sd, sizeof sd, "%s", digest + 7);
  if ((r = blob_present (p, what, digest, err)) != 0)
    return r < 0 ? -1 : 0;
  if (husk_registry_put_blob (p->reg, digest, buf, fd, size, err) < 0)
    return -1;
  progress (p, "Copying %s %s done", what, sd);
  return 0;
}

/* A streamed blob's source: the compressor, which sets the blob's
   digest and size at its end (before the PUT that names it).  */
struct source
{
  struct husk_op_image_push_stream *st;
  struct blob *b;
};

static ssize_t
source_fill (void *data, void *buf, size_t n, husk_error_t *err)
{
  struct source *src = data;
  ssize_t got = husk_op_image_push_stream_read (src->st, buf, n, err);

  if (got == 0)
    husk_op_image_push_stream_result (src->st, src->b->digest, &src->b->size);
  return got;
}

static int
stream_once (struct push *p, size_t i, husk_error_t *err)
{
  const struct husk_layer_info *l = &p->infos[i];
  struct source src = { NULL, &p->blobs[i] };
  int ret;

  src.st = husk_op_image_push_stream_new (p->e->store, l->chain_id, l->diff_id, src.b->c,
                                          p->o->compression_level, err);
  if (src.st == NULL)
    return -1;
  husk_log_debug ("layer %s: compressing while uploading", l->diff_id);
  ret = husk_registry_put_blob_stream (p->reg, source_fill, &src, src.b->digest, err);
  husk_op_image_push_stream_free (src.st);
  return ret;
}

/* Upload layer i as it is compressed.  A streamed upload has one attempt
   (its bytes cannot be read again): when it fails, the blob is made into
   a file and sent with the usual retries.  */
static int
stream_blob (struct push *p, size_t i, husk_error_t *err)
{
  const struct husk_layer_info *l = &p->infos[i];
  struct blob *b = &p->blobs[i];

  if (stream_once (p, i, err) == 0)
    {
      progress (p, "Copying blob %.12s done", b->digest + 7);
      return 0;
    }
  if ((*err)->code == EACCES || p->o->reg.retries <= 0)
    return -1;
  husk_log_info ("layer %s: %s; sending it again from a file", l->diff_id, (*err)->msg);
  husk_error_release (err);
  if (husk_op_image_push_compress (p->e->store, l->chain_id, l->diff_id, b->c,
                                   p->o->compression_level, p->tmp, &b->fd, b->digest,
                                   &b->size, err) < 0)
    return -1;
  return send_blob (p, "blob", b->digest, NULL, b->fd, b->size, err);
}

/* Redo blobs whose compressed digest the cache knows and the registry
   has need no compression at all.  */
static int
skip_known (struct push *p, husk_error_t *err)
{
  for (size_t i = 0; i < p->n; i++)
    {
      struct blob *b = &p->blobs[i];
      int r;
      if (!b->redo || !b->known)
        continue;
      if ((r = blob_present (p, "blob", b->digest, err)) < 0)
        return -1;
      if (r == 0)
        continue;
      husk_log_debug ("layer %s: blob %s known from the cache and present: not compressed",
                      p->infos[i].diff_id, b->digest);
      b->taken = b->ready = b->sent = true;
    }
  return 0;
}

/* Send every layer blob: the files as they are ready, streaming the
   others meanwhile.  */
static int
send_layers (struct push *p, husk_error_t *err)
{
  size_t i;
  bool stream;

  if (skip_known (p, err) < 0 || workers_start (p, err) < 0)
    return -1;
  while ((i = next_blob (p, &stream)) < p->n)
    {
      struct blob *b = &p->blobs[i];
      int r;
      if (stream)
        r = stream_blob (p, i, err);
      else if (b->err)
        {
          *err = steal_ptr (&b->err);
          r = -1;
        }
      else
        r = send_blob (p, "blob", b->digest, NULL, b->fd, b->size, err);
      if (r < 0)
        return -1;
      pthread_mutex_lock (&p->lock);
      b->sent = true;
      pthread_mutex_unlock (&p->lock);
      if (b->redo && b->fd >= 0)
        close (b->fd), b->fd = -1;
    }
  return 0;
}

static int
send_all (struct push *p, const char *shown, husk_error_t *err)
{
  cleanup_free char *config_digest = husk_asprintf ("sha256:%s", p->rec.id);
  const char *type = p->oci ? HUSK_MT_OCI_MANIFEST : HUSK_MT_DOCKER_MANIFEST;
  cleanup_free char *manifest = NULL, *mdigest = NULL;

  progress (p, "Getting image source signatures");
  if (send_layers (p, err) < 0)
    return -1;
  if (send_blob (p, "config", config_digest, p->rec.config, -1,
                 (int64_t) strlen (p->rec.config), err) < 0)
    return -1;
  manifest = make_manifest (p, type, config_digest);
  mdigest = husk_digest_buf (manifest, strlen (manifest));
  progress (p, "Writing manifest to image destination");
  if (husk_registry_put_manifest (p->reg, p->tag ? p->tag : mdigest, manifest,
                                  strlen (manifest), type, err) < 0)
    return -1;
  p->sent_size = strlen (manifest);
  p->sent_digest = steal_ptr (&mdigest);
  if (p->o->digestfile
      && husk_output_write (p->o->digestfile, p->sent_digest, strlen (p->sent_digest), 0644,
                            err) < 0)
    return husk_error_wrap (err, "--digestfile");
  husk_events_image (p->e->state, "push", p->rec.id, shown);
  return 0;
}

/* Connect to the destination, asking for the scopes the push needs
   (pull of the repositories blobs are mounted from), and send.  */
static int
connect_and_send (struct push *p, bool insecure, const char *shown, husk_error_t *err)
{
  struct husk_registry_opts ro = p->o->reg;

  find_mount_sources (p);
  ro.push = true;
  ro.mount_from = p->mount_from;
  p->reg = husk_registry_open (p->host, p->repo, insecure, &ro, err);
  return p->reg ? send_all (p, shown, err) : -1;
}

int
husk_op_image_push (struct husk_engine *e, const char *image, const char *dest,
                    const struct husk_push_opts *o, husk_error_t *err)
{
  struct push p = { .e = e, .o = o, .lock = PTHREAD_MUTEX_INITIALIZER,
                    .cond = PTHREAD_COND_INITIALIZER };
  cleanup_free char *id = NULL, *shown = NULL;
  bool insecure = false;
  int ret = -1;

  if (husk_op_image_resolve (e, image, &id, err) < 0)
    return -1;
  if (destination (&p, image, dest, &insecure, err) < 0
      || husk_state_image_get (e->state, id, &p.rec, err) < 0
      || plan (&p, err) < 0)
    goto out;
  shown = husk_asprintf ("%s/%s:%s", p.host, p.repo, p.tag);
  if (connect_and_send (&p, insecure, shown, err) == 0)
    ret = 0;
out:
  push_release (&p);
  if (ret < 0 && shown)
    husk_error_wrap (err, "pushing %s", shown);
  return ret;
}

int
husk_op_image_push_instance (struct husk_engine *e, const char *id, const char *host,
                             const char *repo, bool insecure, const struct husk_push_opts *o,
                             char **digest, char **type, int64_t *size, husk_error_t *err)
{
  struct push p = { .e = e, .o = o, .lock = PTHREAD_MUTEX_INITIALIZER,
                    .cond = PTHREAD_COND_INITIALIZER };
  cleanup_free char *shown = husk_asprintf ("%s/%s", host, repo);
  int ret = -1;

  p.host = husk_xstrdup (host);
  p.repo = husk_xstrdup (repo);
  if (husk_state_image_get (e->state, id, &p.rec, err) < 0 || plan (&p, err) < 0)
    goto out;
  if (connect_and_send (&p, insecure, shown, err) == 0)
    {
      *digest = steal_ptr (&p.sent_digest);
      *type = husk_xstrdup (p.oci ? HUSK_MT_OCI_MANIFEST : HUSK_MT_DOCKER_MANIFEST);
      *size = (int64_t) p.sent_size;
      ret = 0;
    }
out:
  push_release (&p);
  if (ret < 0)
    husk_error_wrap (err, "pushing image %.12s to %s", id, shown);
  return ret;
}
