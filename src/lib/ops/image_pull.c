/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * husk pull, and run/create's --pull: a name becomes candidates (short
 * names through [aliases] and unqualified-search-registries), each
 * candidate's registry becomes endpoints ([[registry.mirror]]s in order,
 * then the registry), and the first endpoint that has the manifest gives
 * the image.  Layers download in parallel (registry/fetch.c) into unnamed
 * files (O_TMPFILE: nothing can be left behind) and each is applied, in
 * order, while it downloads, through a pipe the layer store reads.  A
 * failure removes the layers this pull made and records nothing; the
 * blobs that finished stay in the download cache (image_pull_cache.c)
 * for the next pull, which takes them from there.
 */
#include "ops/image.h"
#include "ops/image-pull.h"

#include "config/config.h"
#include "engine/engine.h"
#include "events/events.h"
#include "image/image.h"
#include "image/reference.h"
#include "registry/registry.h"
#include "state/state.h"
#include "storage/store.h"
#include "util/cleanup.h"
#include "util/digest.h"
#include "util/log.h"
#include "util/strutil.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

static void
progress (const struct husk_pull_opts *o, const char *fmt, ...)
  __attribute__ ((format (printf, 2, 3)));

static void
progress (const struct husk_pull_opts *o, const char *fmt, ...)
{
  va_list ap;

  if (o->quiet)
    return;
  va_start (ap, fmt);
  vfprintf (stderr, fmt, ap);
  va_end (ap);
  fputc ('\n', stderr);
}

/* Short names: no registry host in the first component.  */
static bool
is_short (const char *name)
{
  const char *slash = strchr (name, '/');
  size_t n = slash ? (size_t) (slash - name) : 0;

  if (slash == NULL)
    return true;
  return memchr (name, '.', n) == NULL && memchr (name, ':', n) == NULL
         && !(n == 9 && strncmp (name, "localhost", 9) == 0);
}

/* The names to try for what the user wrote.  */
static int
candidates (struct husk_engine *e, const char *name, char ***out, husk_error_t *err)
{
  const struct husk_config *c = e->config;
  const char *mode = c->short_name_mode ? c->short_name_mode : "enforcing";
  size_t bare = strcspn (name, ":@");
  cleanup_free char *base = husk_xstrndup (name, bare);
  char **search = c->unqualified_search_registries;
  const char *alias;

  if (!is_short (name))
    return husk_strv_append (out, name), 0;
  if (strcmp (mode, "disabled") != 0 && (alias = husk_config_alias (c, base)) != NULL)
    {
      husk_strv_take (out, husk_asprintf ("%s%s", alias, name + bare));
      return 0;
    }
  if (search == NULL || search[0] == NULL)
    return husk_error_makex (err, ENOENT, "short-name \"%s\" did not resolve to an alias and "
                             "no unqualified-search registries are defined in \"%s\"", name,
                             c->registries_conf_path ? c->registries_conf_path : "");
  if (strcmp (mode, "enforcing") == 0 && search[1] && !(isatty (0) && isatty (1)))
    return husk_error_makex (err, EINVAL, "short-name resolution enforced but cannot prompt "
                             "without a TTY: \"%s\" could be in any of %zu unqualified-search "
                             "registries", name, husk_strv_len (search));
  for (size_t i = 0; search[i]; i++)
    husk_strv_take (out, husk_asprintf ("%s/%s", search[i], name));
  return 0;
}

static int
write_all (int fd, const char *p, size_t n)
{
  while (n > 0)
    {
      ssize_t w = write (fd, p, n);
      if (w < 0 && errno == EINTR)
        continue;
      if (w <= 0)
        return -1;
      p += w;
      n -= (size_t) w;
    }
  return 0;
}

/* One layer being applied: the reader side of a blob in the fetch.  */
struct feed
{
  struct husk_registry_fetch *fetch;
  size_t blob;
  int file_fd, pipe_fd;
  husk_error_t err;
};

static void *
feeder (void *data)
{
  struct feed *f = data;
  char chunk[64 * 1024];
  int64_t have = 0, avail;
  sigset_t pipe_set;
  int r;

  sigemptyset (&pipe_set);
  sigaddset (&pipe_set, SIGPIPE);
  pthread_sigmask (SIG_BLOCK, &pipe_set, NULL);
  do
    {
      r = husk_registry_fetch_wait (f->fetch, f->blob, have, &avail, &f->err);
      while (r >= 0 && have < avail)
        {
          size_t want = avail - have < (int64_t) sizeof chunk ? (size_t) (avail - have)
                                                              : sizeof chunk;
          ssize_t n = pread (f->file_fd, chunk, want, have);
          if (n <= 0 || write_all (f->pipe_fd, chunk, (size_t) n) < 0)
            {
              r = -1; /* the applier stopped reading: it has the error */
              break;
            }
          have += n;
        }
    }
  while (r > 0);
  close (f->pipe_fd);
  f->pipe_fd = -1;
  return NULL;
}

struct pull
{
  struct husk_engine *e;
  const struct husk_pull_opts *o;
  struct husk_registry *reg;
  struct husk_manifest m;
  char **diff_ids;
  char *config;
  size_t config_len;
  char **created;
};

static void
drop_created (struct pull *p)
{
  for (size_t i = husk_strv_len (p->created); i > 0; i--)
    {
      husk_error_t e = NULL;
      struct husk_layer_rec l = { 0 };
      if (husk_state_layer_get (p->e->state, p->created[i - 1], &l, NULL) == 0)
        {
          husk_layer_rec_release (&l);
          continue;
        }
      if (husk_store_layer_remove (p->e->store, p->created[i - 1], &e) < 0)
        husk_error_drop (&e, "roll back layer %s", p->created[i - 1]);
    }
}

/* Apply layer i, streaming blob b of the fetch.  */
static int
apply_streamed (struct pull *p, struct husk_registry_fetch *fetch, size_t b, int file_fd,
                const char *parent, size_t i, struct husk_layer_info *info, husk_error_t *err)
{
  struct feed f = { fetch, b, file_fd, -1, NULL };
  cleanup_free char *src = NULL;
  pthread_t th;
  int fds[2], r;

  if (pipe2 (fds, O_CLOEXEC) < 0)
    return husk_error_make (err, errno, "pipe");
  f.pipe_fd = fds[1];
  src = husk_asprintf ("/proc/self/fd/%d", fds[0]);
  if ((r = pthread_create (&th, NULL, feeder, &f)) != 0)
    {
      close (fds[0]);
      close (fds[1]);
      return husk_error_make (err, r, "start a layer feeder");
    }
  /* The download's file becomes the layer's blob: no second copy.  */
  r = husk_store_layer_create_linked (p->e->store, parent, src, file_fd, p->diff_ids[i], info,
                                      err);
  close (fds[0]);
  pthread_join (th, NULL);
  if (f.err)
    {
      husk_error_release (err);
      husk_error_move (err, &f.err);
      r = -1;
    }
  else if (r == 0 && strcmp (info->blob_digest, p->m.layers[i].digest) != 0)
    r = husk_error_makex (err, EINVAL, "layer %s: digest mismatch: got %s",
                          p->m.layers[i].digest, info->blob_digest);
  return r;
}

static void
short_digest (const char *d, char out[13])
{
  snprintf (out, 13, "%s", d + 7);
}

/* Apply layer i from fd, a blob the download cache had.  */
static int
apply_cached (struct pull *p, int fd, const char *parent, size_t i,
              struct husk_layer_info *info, husk_error_t *err)
{
  cleanup_free char *src = husk_asprintf ("/proc/self/fd/%d", fd);

  husk_log_debug ("layer blob %s: taken from the download cache, not downloaded",
                  p->m.layers[i].digest);
  if (husk_store_layer_create_linked (p->e->store, parent, src, fd, p->diff_ids[i], info, err)
      < 0)
    return -1;
  if (strcmp (info->blob_digest, p->m.layers[i].digest) != 0)
    return husk_error_makex (err, EINVAL, "layer %s: digest mismatch: got %s",
                             p->m.layers[i].digest, info->blob_digest);
  return 0;
}

/* Blobs index i of the layers maps to, besides those of the fetch.  */
#define LAYER_PRESENT SIZE_MAX
#define LAYER_CACHED (SIZE_MAX - 1)

/* The pull failed: keep the blobs that finished downloading, so that the
   next pull need not fetch them again.  */
static void
keep_finished (struct pull *p, struct husk_registry_fetch *fetch,
               const struct husk_registry_blob *blobs, const bool *kept, size_t nb)
{
  for (size_t b = 0; fetch && b < nb; b++)
    if (!kept[b] && blobs[b].fd >= 0 && husk_registry_fetch_done (fetch, b))
      husk_op_pull_cache_keep (p->e, blobs[b].digest, blobs[b].fd);
}

/* Fetch and apply every layer; infos filled bottom to top.  A blob the
   download cache has is read from there instead.  */
static int
pull_layers (struct pull *p, struct husk_layer_info *infos, husk_error_t *err)
{
  size_t n = p->m.n_layers, nb = 0;
  cleanup_free struct husk_registry_blob *blobs = husk_xzalloc ((n + 1) * sizeof *blobs);
  cleanup_free size_t *blob_of = husk_xzalloc ((n + 1) * sizeof *blob_of);
  cleanup_free int *cached = husk_xzalloc ((n + 1) * sizeof *cached);
  cleanup_free bool *kept = husk_xzalloc ((n + 1) * sizeof *kept);
  cleanup_free char *tmp = husk_store_tmp_dir (p->e->store);
  struct husk_registry_fetch *fetch = NULL;
  char chain[72] = "", sd[13];
  int ret = 0;

  husk_op_pull_cache_trim (p->e);
  for (size_t i = 0; i < n; i++)
    {
      char next[72];
      husk_store_chain_id (i ? chain : NULL, p->diff_ids[i], next);
      memcpy (chain, next, sizeof chain);
      blob_of[i] = LAYER_PRESENT;
      cached[i] = -1;
      if (husk_store_layer_exists (p->e->store, chain))
        continue;
      cached[i] = husk_op_pull_cache_open (p->e, p->m.layers[i].digest, p->m.layers[i].size);
      if (cached[i] >= 0)
        {
          blob_of[i] = LAYER_CACHED;
          continue;
        }
      blobs[nb] = (struct husk_registry_blob) { p->m.layers[i].digest, p->m.layers[i].size, -1 };
      blobs[nb].fd = open (tmp, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
      if (blobs[nb].fd < 0)
        {
          ret = husk_error_make (err, errno, "temporary file in '%s'", tmp);
          goto out;
        }
      blob_of[i] = nb++;
    }
  if (nb && (fetch = husk_registry_fetch_start (p->reg, blobs, nb, err)) == NULL)
    {
      ret = -1;
      goto out;
    }
  for (size_t i = 0; i < n && ret == 0; i++)
    {
      const char *parent = i ? infos[i - 1].chain_id : NULL;
      size_t b = blob_of[i];
      short_digest (p->m.layers[i].digest, sd);
      if (b == LAYER_PRESENT)
        {
          char c[72];
          husk_store_chain_id (parent, p->diff_ids[i], c);
          ret = husk_store_layer_info (p->e->store, c, &infos[i], err);
          if (ret == 0)
            progress (p->o, "Copying blob %s skipped: already exists", sd);
          continue;
        }
      if (b == LAYER_CACHED)
        ret = apply_cached (p, cached[i], parent, i, &infos[i], err);
      else if ((ret = apply_streamed (p, fetch, b, blobs[b].fd, parent, i, &infos[i], err)) == 0)
        {
          /* Until the image is recorded: a pull cut short after this
             point (even killed) finds the blob there next time.  */
          husk_op_pull_cache_keep (p->e, blobs[b].digest, blobs[b].fd);
          kept[b] = true;
        }
      if (ret == 0)
        husk_strv_append (&p->created, infos[i].chain_id);
      if (ret == 0)
        progress (p->o, "Copying blob %s done", sd);
    }
out:
  if (ret < 0)
    keep_finished (p, fetch, blobs, kept, nb);
  husk_registry_fetch_free (fetch);
  for (size_t i = 0; i < nb; i++)
    if (blobs[i].fd >= 0)
      close (blobs[i].fd);
  for (size_t i = 0; i < n; i++)
    if (cached[i] >= 0)
      close (cached[i]);
  return ret;
}

/* The image is recorded: its blobs need no caching any more.  */
static void
drop_cached (struct pull *p)
{
  for (size_t i = 0; i < p->m.n_layers; i++)
    husk_op_pull_cache_drop (p->e, p->m.layers[i].digest);
}

/* The config's diff IDs, one per layer.  */
static int
read_config (struct pull *p, husk_error_t *err)
{
  cleanup_json json_t *cfg = json_loadb (p->config, p->config_len, 0, NULL);
  json_t *ids = json_object_get (json_object_get (cfg, "rootfs"), "diff_ids"), *v;
  size_t i;

  if (!json_is_array (ids) || json_array_size (ids) != p->m.n_layers)
    return husk_error_makex (err, EINVAL, "invalid image config %s: it must list one diff ID "
                             "per layer (%zu)", p->m.config.digest, p->m.n_layers);
  json_array_foreach (ids, i, v)
    {
      const char *d = json_string_value (v);
      if (d == NULL || !husk_digest_valid (d))
        return husk_error_makex (err, EINVAL, "invalid image config %s: bad diff ID",
                                 p->m.config.digest);
      husk_strv_append (&p->diff_ids, d);
    }
  return 0;
}

/* The image config: the stored image's when the store has the image
   (its ID is the config's sha256, so the bytes are the same; a pull of
   a present image then asks the registry for the manifest only), else
   the registry's.  */
static int
get_config (struct pull *p, husk_error_t *err)
{
  const char *digest = p->m.config.digest;
  struct husk_image_rec r = { 0 };

  if (husk_has_prefix (digest, "sha256:")
      && husk_state_image_get (p->e->state, digest + 7, &r, NULL) == 0 && r.config)
    {
      cleanup_free char *got = husk_digest_buf (r.config, strlen (r.config));
      if (strcmp (got, digest) == 0)
        {
          p->config = steal_ptr (&r.config);
          p->config_len = strlen (p->config);
          husk_image_rec_release (&r);
          return 0;
        }
    }
  husk_image_rec_release (&r);
  return husk_registry_get_blob (p->reg, digest, HUSK_REGISTRY_CONFIG_MAX, &p->config,
                                 &p->config_len, err);
}

static int
record (struct pull *p, const struct husk_reference *ref, const char *manifest,
        const char *mdigest, const char *index_digest, struct husk_layer_info *infos,
        husk_error_t *err)
{
  cleanup_free char *name = husk_reference_name (ref);
  cleanup_free char *full = husk_reference_string (ref);
  cleanup_strv char **names = NULL, **digests = NULL, **chains = NULL;
  cleanup_json json_t *cfg = json_loadb (p->config, p->config_len, 0, NULL);
  struct husk_image_rec rec = { 0 };
  const char *id = p->m.config.digest + 7;

  if (ref->tag)
    husk_strv_take (&names, husk_asprintf ("%s:%s", name, ref->tag));
  husk_strv_take (&digests, husk_asprintf ("%s@%s", name, mdigest));
  if (index_digest)
    husk_strv_take (&digests, husk_asprintf ("%s@%s", name, index_digest));
  for (size_t i = 0; i < p->m.n_layers; i++)
    {
      husk_strv_append (&chains, infos[i].chain_id);
      rec.size += infos[i].size;
    }
  rec.id = (char *) id;
  rec.names = names;
  rec.digests = digests;
  rec.layers = chains ? chains : (char *[]){ NULL };
  rec.config = p->config;
  rec.manifest = (char *) manifest;
  rec.manifest_digest = (char *) mdigest;
  rec.created = husk_image_config_created (cfg);
  rec.added = time (NULL);
  if (husk_op_image_record (p->e, &rec, infos, p->m.n_layers, err) < 0)
    return -1;
  for (size_t i = 0; digests[i]; i++)
    if (husk_state_image_add_digest (p->e->state, id, digests[i], err) < 0)
      return -1;
  husk_events_image (p->e->state, "pull", id, full);
  return 0;
}

/* The image manifest for ref (through an index when there is one).  */
static int
get_image_manifest (struct pull *p, const struct husk_reference *ref, char **body,
                    char **digest, char **index_digest, husk_error_t *err)
{
  cleanup_free char *type = NULL;
  const char *want = ref->digest ? ref->digest : ref->tag;
  size_t len;

  if (husk_registry_get_manifest (p->reg, want, body, &len, &type, digest, err) < 0
      || husk_manifest_parse (*body, len, type, &p->m, err) < 0)
    return -1;
  if (!p->m.is_index)
    return 0;
  const struct husk_descriptor *d = husk_manifest_select (&p->m, p->o->os, p->o->arch,
                                                          p->o->variant, err);
  if (d == NULL)
    return -1;
  cleanup_free char *sel = husk_xstrdup (d->digest);
  *index_digest = steal_ptr (digest);
  free (*body);
  *body = NULL;
  free (type);
  type = NULL;
  husk_manifest_release (&p->m);
  if (husk_registry_get_manifest (p->reg, sel, body, &len, &type, digest, err) < 0
      || husk_manifest_parse (*body, len, type, &p->m, err) < 0)
    return -1;
  if (p->m.is_index)
    return husk_error_makex (err, EINVAL, "invalid manifest: an index inside an index");
  return 0;
}

/* Has the store the image ref names, from this very manifest, under
   this name and with these repository digests?  Then the pull has
   nothing to write: the registry's manifest was the only question (no
   config, no layer lookups, no write transaction).  Return: its ID, or
   NULL.  */
static char *
already_present (struct pull *p, const struct husk_reference *ref, const char *digest,
                 const char *index_digest)
{
  cleanup_free char *full = husk_reference_string (ref);
  cleanup_free char *name = husk_reference_name (ref);
  cleanup_free char *md = husk_asprintf ("%s@%s", name, digest);
  cleanup_free char *id = NULL;
  cleanup_free char *xd = index_digest ? husk_asprintf ("%s@%s", name, index_digest) : NULL;
  struct husk_image_rec r = { 0 };
  bool same;

  if (!husk_has_prefix (p->m.config.digest, "sha256:")
      || !husk_op_image_resolve_quiet (p->e, full, &id)
      || strcmp (id, p->m.config.digest + 7) != 0
      || husk_state_image_get (p->e->state, id, &r, NULL) < 0)
    return NULL;
  same = r.manifest_digest && strcmp (r.manifest_digest, digest) == 0
         && husk_strv_contains (r.digests, md)
         && (xd == NULL || husk_strv_contains (r.digests, xd))
         && (ref->tag == NULL || husk_strv_contains (r.names, full));
  husk_image_rec_release (&r);
  return same ? steal_ptr (&id) : NULL;
}

/* What a pull of a present image shows, as for one that copies.  */
static void
show_present (struct pull *p)
{
  char sd[13];

  progress (p->o, "Getting image source signatures");
  for (size_t i = 0; i < p->m.n_layers; i++)
    {
      short_digest (p->m.layers[i].digest, sd);
      progress (p->o, "Copying blob %s skipped: already exists", sd);
    }
  short_digest (p->m.config.digest, sd);
  progress (p->o, "Copying config %s done", sd);
  progress (p->o, "Writing manifest to image destination");
}

/* Pull ref from one endpoint.  Return: 0 (*id set), or -1.  */
static int
pull_from (struct pull *p, const struct husk_reference *ref, char **id, husk_error_t *err)
{
  cleanup_free char *body = NULL, *digest = NULL, *index_digest = NULL;
  cleanup_free struct husk_layer_info *infos = NULL;
  cleanup_free char *local = NULL;
  char sd[13];

  if (get_image_manifest (p, ref, &body, &digest, &index_digest, err) < 0)
    return -1;
  if (p->o->policy && strcasecmp (p->o->policy, "newer") == 0)
    {
      cleanup_free char *full = husk_reference_string (ref);
      struct husk_image_rec r = { 0 };
      if (husk_op_image_resolve_quiet (p->e, full, &local)
          && husk_state_image_get (p->e->state, local, &r, NULL) == 0)
        {
          bool same = r.manifest_digest && strcmp (r.manifest_digest, digest) == 0;
          husk_image_rec_release (&r);
          if (same)
            return *id = steal_ptr (&local), 0;
        }
    }
  if ((local = already_present (p, ref, digest, index_digest)) != NULL)
    {
      cleanup_free char *full = husk_reference_string (ref);
      husk_log_debug ("%s: the store has image %.12s from manifest %s: nothing to copy",
                      full, local, digest);
      show_present (p);
      husk_events_image (p->e->state, "pull", local, full);
      return *id = steal_ptr (&local), 0;
    }
  if (get_config (p, err) < 0 || read_config (p, err) < 0)
    return -1;
  progress (p->o, "Getting image source signatures");
  infos = husk_xzalloc ((p->m.n_layers + 1) * sizeof *infos);
  if (pull_layers (p, infos, err) < 0)
    return -1;
  short_digest (p->m.config.digest, sd);
  progress (p->o, "Copying config %s done", sd);
  progress (p->o, "Writing manifest to image destination");
  if (record (p, ref, body, digest, index_digest, infos, err) < 0)
    return -1;
  drop_cached (p);
  *id = husk_xstrdup (p->m.config.digest + 7);
  return 0;
}

static void
pull_release (struct pull *p)
{
  husk_registry_free (p->reg);
  p->reg = NULL;
  husk_manifest_release (&p->m);
  husk_strv_free (p->diff_ids);
  p->diff_ids = NULL;
  free (p->config);
  p->config = NULL;
  husk_strv_free (p->created);
  p->created = NULL;
}

/* Try one endpoint ("host[/namespace]" replacing the matched prefix).  */
static int
try_endpoint (struct pull *p, const struct husk_reference *ref, const char *location,
              const char *prefix, bool insecure, char **id, husk_error_t *err)
{
  cleanup_free char *name = husk_reference_name (ref);
  cleanup_free char *mapped = husk_asprintf ("%s%s", location, name + strlen (prefix));
  cleanup_free char *host = husk_xstrndup (mapped, strcspn (mapped, "/"));
  const char *repo = mapped + strlen (host);
  int r;

  if (*repo != '/')
    return husk_error_makex (err, EINVAL, "invalid location \"%s\" for \"%s\"", location, name);
  p->reg = husk_registry_open (host, repo + 1, insecure, &p->o->reg, err);
  r = p->reg ? pull_from (p, ref, id, err) : -1;
  if (r < 0)
    drop_created (p);
  pull_release (p);
  return r;
}

/* Pull one fully qualified candidate through its mirrors and registry. */
static int
pull_candidate (struct husk_engine *e, const char *cand, const struct husk_pull_opts *o,
                char **id, husk_error_t *err)
{
  cleanup_free char *shown = NULL, *name = NULL;
  const struct husk_config_registry *cr;
  struct husk_reference ref;
  struct pull p = { .e = e, .o = o };
  int r = -1;

  if (husk_reference_parse (cand, true, &ref, err) < 0)
    return -1;
  shown = husk_reference_string (&ref);
  name = husk_reference_name (&ref);
  cr = husk_config_registry_find (e->config, name);
  if (cr && cr->blocked)
    {
      husk_reference_release (&ref);
      return husk_error_makex (err, EACCES, "registry %s is blocked in registries.conf",
                               cr->prefix);
    }
  if (husk_policy_check (o->signature_policy, shown, name, err) < 0)
    {
      husk_reference_release (&ref);
      return -1;
    }
  progress (o, "Trying to pull %s...", shown);
  for (size_t i = 0; cr && i < cr->n_mirrors && r < 0; i++)
    {
      husk_error_t merr = NULL;
      r = try_endpoint (&p, &ref, cr->mirrors[i].location, cr->prefix,
                        cr->mirrors[i].insecure, id, &merr);
      if (r < 0)
        {
          husk_log_info ("mirror %s: %s", cr->mirrors[i].location, merr->msg);
          husk_error_move (err, &merr);
          if (i + 1 < cr->n_mirrors || cr->location)
            husk_error_release (err);
        }
    }
  if (r < 0 && (cr == NULL || cr->location))
    {
      const char *prefix = cr ? cr->prefix : "";
      const char *loc = cr ? cr->location : "";
      husk_error_release (err);
      if (cr && husk_has_prefix (cr->prefix, "*."))
        prefix = loc = "";
      r = try_endpoint (&p, &ref, loc, prefix, cr && cr->insecure, id, err);
    }
  husk_reference_release (&ref);
  return r;
}

int
husk_op_image_pull_remote (struct husk_engine *e, const char *image,
                           const struct husk_pull_opts *o, char **local, char **id_out,
                           husk_error_t *err)
{
  cleanup_strv char **cands = NULL;
  int r = -1;

  if (candidates (e, image, &cands, err) == 0)
    for (size_t i = 0; cands[i] && r < 0; i++)
      {
        if (i > 0)
          husk_error_release (err);
        r = pull_candidate (e, cands[i], o, id_out, err);
      }
  /* newer: a registry that cannot be reached, or a name that leads to
     none, leaves the local image.  */
  if (r < 0 && *local)
    {
      husk_log_warn ("%s: %s; using the local image", image, (*err)->msg);
      husk_error_release (err);
      *id_out = steal_ptr (local);
      return 0;
    }
  return r;
}
