/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Writing image archives from the layer store.
 *
 * docker-archive holds uncompressed layer tars named "<diff-id-hex>.tar",
 * the config as "<image-id>.json" and manifest.json, as `podman save`
 * writes them; a layer's bytes are the stored blob decompressed, so their
 * digest is the recorded diff ID.  oci-archive / oci-dir hold the stored
 * blobs as they are (compressed or not) under blobs/sha256/, one manifest
 * per image (the stored one when it still describes these blobs, so the
 * manifest digest survives a load/save round trip) and index.json naming
 * each manifest with its reference.  Blobs shared by images are written
 * once.  A failed save removes what it wrote.
 */
#include "image/archive.h"
#include "image/reference.h"
#include "util/cleanup.h"
#include "util/digest.h"
#include "util/fileutil.h"
#include "util/strutil.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

struct husk_archive_writer
{
  enum husk_archive_format format;
  char *path;           /* oci-dir being written (removed on failure) */
  struct husk_output out; /* tar formats: the named output (util/fileutil.h) */
  struct archive *a;    /* tar formats */
  int dirfd;            /* oci-dir */
  char **written;       /* member names already written */
  bool uncompressed;    /* OCI: every layer decompressed (save --uncompressed) */
  json_t *entries;      /* docker: manifest.json; oci: index manifests */
};

/* libarchive's failure: with the system's errno when it has one (a full
   disk says "No space left on device", not "Write error").  */
static int
archive_fail (husk_error_t *err, struct archive *a, const char *what)
{
  if (archive_errno (a) > 0)
    return husk_error_make (err, archive_errno (a), "%s", what);
  return husk_error_makex (err, EIO, "%s: %s", what, archive_error_string (a));
}

static int
tar_put (struct husk_archive_writer *w, const char *name, int64_t size,
         husk_error_t *err)
{
  struct archive_entry *e = archive_entry_new ();
  int r;

  archive_entry_set_pathname (e, name);
  archive_entry_set_filetype (e, AE_IFREG);
  archive_entry_set_perm (e, 0644);
  archive_entry_set_size (e, size);
  archive_entry_set_mtime (e, 0, 0);
  r = archive_write_header (w->a, e);
  archive_entry_free (e);
  if (r != ARCHIVE_OK)
    {
      cleanup_free char *what = husk_asprintf ("write '%s'", name);
      return archive_fail (err, w->a, what);
    }
  return 0;
}

static int
tar_data (struct husk_archive_writer *w, const void *buf, size_t len,
          husk_error_t *err)
{
  if (len && archive_write_data (w->a, buf, len) != (la_ssize_t) len)
    return archive_fail (err, w->a, "write");
  return 0;
}

/* Write a member from memory.  */
static int
put_buf (struct husk_archive_writer *w, const char *name, const void *data,
         size_t len, husk_error_t *err)
{
  if (w->format == HUSK_ARCHIVE_OCI_DIR)
    {
      cleanup_close int fd = openat (w->dirfd, name, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
      if (fd < 0 || husk_write_all (fd, data, len) < 0)
        return husk_error_make (err, errno, "write '%s'", name);
      return 0;
    }
  if (tar_put (w, name, len, err) < 0)
    return -1;
  return tar_data (w, data, len, err);
}

/* Copy a file into the archive, decompressing it when asked (through
   libarchive's raw format, which applies the gzip/zstd filters).  */
static int
put_file (struct husk_archive_writer *w, const char *name, const char *path,
          int64_t size, bool decompress, husk_error_t *err)
{
  struct archive *r = archive_read_new ();
  struct archive_entry *e;
  const void *buf;
  size_t len;
  la_int64_t off;
  int64_t total = 0;
  cleanup_close int out = -1;
  int rc, ret = 0;

  archive_read_support_format_raw (r);
  if (decompress)
    {
      /* Only what layers use: each filter links in its library.  */
      archive_read_support_filter_gzip (r);
      archive_read_support_filter_zstd (r);
    }
  if (archive_read_open_filename (r, path, 1 << 17) != ARCHIVE_OK
      || archive_read_next_header (r, &e) != ARCHIVE_OK)
    {
      ret = husk_error_makex (err, EIO, "read '%s': %s", path, archive_error_string (r));
      archive_read_free (r);
      return ret;
    }
  if (w->format == HUSK_ARCHIVE_OCI_DIR)
    {
      out = openat (w->dirfd, name, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
      if (out < 0)
        ret = husk_error_make (err, errno, "create '%s'", name);
    }
  else
    ret = tar_put (w, name, size, err);
  while (ret == 0 && (rc = archive_read_data_block (r, &buf, &len, &off)) == ARCHIVE_OK)
    {
      total += len;
      if (total > size && w->format != HUSK_ARCHIVE_OCI_DIR)
        ret = husk_error_makex (err, EIO, "'%s' is longer than recorded", path);
      else if (out >= 0 && husk_write_all (out, buf, len) < 0)
        ret = husk_error_make (err, errno, "write '%s'", name);
      else if (out < 0)
        ret = tar_data (w, buf, len, err);
    }
  if (ret == 0 && total != size)
    ret = husk_error_makex (err, EIO, "'%s' has %lld bytes, %lld recorded", path,
                            (long long) total, (long long) size);
  archive_read_free (r);
  return ret;
}

static bool
already (struct husk_archive_writer *w, const char *name)
{
  if (husk_strv_contains (w->written, name))
    return true;
  husk_strv_append (&w->written, name);
  return false;
}

struct husk_archive_writer *
husk_archive_writer_new (enum husk_archive_format f, const char *path,
                         husk_error_t *err)
{
  struct husk_archive_writer *w = husk_xzalloc (sizeof *w);

  w->format = f;
  w->dirfd = -1;
  w->out.fd = -1;
  w->entries = json_array ();
  if (f == HUSK_ARCHIVE_OCI_DIR)
    {
      if (mkdir (path, 0755) < 0)
        {
          /* Never write into (or, on failure, remove) an existing directory. */
          husk_error_make (err, errno, "create directory '%s'", path);
          goto fail;
        }
      w->path = husk_xstrdup (path);
      w->dirfd = open (path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
      if (w->dirfd < 0 || mkdirat (w->dirfd, "blobs", 0755) < 0
          || mkdirat (w->dirfd, "blobs/sha256", 0755) < 0)
        {
          husk_error_make (err, errno, "create '%s'", path);
          goto fail;
        }
      return w;
    }
  /* A new path or a regular file: written beside and renamed at the end,
     so a failed save leaves an existing file as it was; a device or FIFO
     is written into (util/fileutil.h).  */
  if (husk_output_open (&w->out, path, 0644, err) < 0)
    goto fail;
  w->a = archive_write_new ();
  archive_write_set_format_pax_restricted (w->a);
  archive_write_set_bytes_in_last_block (w->a, 1);
  if (archive_write_open_fd (w->a, w->out.fd) != ARCHIVE_OK)
    {
      archive_fail (err, w->a, "open archive");
      goto fail;
    }
  if (f == HUSK_ARCHIVE_OCI)
    {
      static const char layout[] = "{\"imageLayoutVersion\":\"1.0.0\"}";
      if (put_buf (w, "oci-layout", layout, sizeof layout - 1, err) < 0)
        goto fail;
    }
  return w;
fail:
  husk_archive_writer_abort (w);
  return NULL;
}

static const char *
layer_media_type (enum husk_compression c)
{
  switch (c)
    {
    case HUSK_COMPRESSION_GZIP:
      return "application/vnd.oci.image.layer.v1.tar+gzip";
    case HUSK_COMPRESSION_ZSTD:
      return "application/vnd.oci.image.layer.v1.tar+zstd";
    default:
      return "application/vnd.oci.image.layer.v1.tar";
    }
}

static json_t *
descriptor (const char *mt, const char *digest, int64_t size)
{
  return json_pack ("{s:s, s:s, s:I}", "mediaType", mt, "digest", digest, "size",
                    (json_int_t) size);
}

/* Is the stored manifest still a true description of config + blobs?  */
static bool
manifest_matches (const char *text, const char *config_digest,
                  struct husk_layer_info *infos, size_t n)
{
  cleanup_json json_t *m = text ? json_loads (text, 0, NULL) : NULL;
  json_t *layers = json_object_get (m, "layers");
  const char *cd = json_string_value (json_object_get (json_object_get (m, "config"), "digest"));

  if (m == NULL || cd == NULL || strcmp (cd, config_digest) != 0
      || json_array_size (layers) != n)
    return false;
  for (size_t i = 0; i < n; i++)
    {
      const char *d = json_string_value (json_object_get (json_array_get (layers, i), "digest"));
      if (d == NULL || strcmp (d, infos[i].blob_digest) != 0)
        return false;
    }
  return true;
}

static char *
make_manifest (const char *config_digest, size_t config_len,
               struct husk_layer_info *infos, size_t n)
{
  cleanup_json json_t *m = json_object ();
  json_t *layers = json_array ();

  json_object_set_new (m, "schemaVersion", json_integer (2));
  json_object_set_new (m, "mediaType", json_string ("application/vnd.oci.image.manifest.v1+json"));
  json_object_set_new (m, "config", descriptor ("application/vnd.oci.image.config.v1+json",
                                                config_digest, config_len));
  for (size_t i = 0; i < n; i++)
    json_array_append_new (layers, descriptor (layer_media_type (infos[i].compression),
                                               infos[i].blob_digest, infos[i].blob_size));
  json_object_set_new (m, "layers", layers);
  return json_dumps (m, JSON_COMPACT);
}

void
husk_archive_writer_set_uncompressed (struct husk_archive_writer *w, bool uncompressed)
{
  w->uncompressed = uncompressed;
}

static int
add_oci (struct husk_archive_writer *w, struct husk_store *s,
         const struct husk_archive_out_image *img, struct husk_layer_info *infos,
         size_t n, husk_error_t *err)
{
  size_t clen = strlen (img->config);
  cleanup_free char *manifest = NULL, *mdigest = NULL;
  cleanup_free char *cname = husk_asprintf ("blobs/sha256/%s", img->config_digest + 7);

  for (size_t i = 0; i < n; i++)
    {
      /* An uncompressed blob is the layer tar itself: its digest is the
         diff ID, and the manifest below describes it so.  */
      bool decompress = w->uncompressed && infos[i].compression != HUSK_COMPRESSION_NONE;
      cleanup_free char *blob = husk_store_layer_blob_path (s, infos[i].chain_id);
      if (decompress)
        {
          memcpy (infos[i].blob_digest, infos[i].diff_id, sizeof infos[i].blob_digest);
          infos[i].blob_size = infos[i].size;
          infos[i].compression = HUSK_COMPRESSION_NONE;
        }
      cleanup_free char *name = husk_asprintf ("blobs/sha256/%s", infos[i].blob_digest + 7);
      if (!already (w, name)
          && put_file (w, name, blob, infos[i].blob_size, decompress, err) < 0)
        return -1;
    }
  if (!already (w, cname) && put_buf (w, cname, img->config, clen, err) < 0)
    return -1;
  if (manifest_matches (img->manifest, img->config_digest, infos, n))
    manifest = husk_xstrdup (img->manifest);
  else
    manifest = make_manifest (img->config_digest, clen, infos, n);
  mdigest = husk_digest_buf (manifest, strlen (manifest));
  {
    cleanup_free char *mname = husk_asprintf ("blobs/sha256/%s", mdigest + 7);
    if (!already (w, mname) && put_buf (w, mname, manifest, strlen (manifest), err) < 0)
      return -1;
  }
  for (size_t i = 0; img->names && img->names[i]; i++)
    {
      json_t *d = descriptor ("application/vnd.oci.image.manifest.v1+json", mdigest,
                              strlen (manifest));
      json_object_set_new (d, "annotations",
                           json_pack ("{s:s}", "org.opencontainers.image.ref.name",
                                      img->names[i]));
      json_array_append_new (w->entries, d);
    }
  if (img->names == NULL || img->names[0] == NULL)
    json_array_append_new (w->entries, descriptor ("application/vnd.oci.image.manifest.v1+json",
                                                   mdigest, strlen (manifest)));
  return 0;
}

static int
add_docker (struct husk_archive_writer *w, struct husk_store *s,
            const struct husk_archive_out_image *img, struct husk_layer_info *infos,
            size_t n, husk_error_t *err)
{
  cleanup_free char *cname = husk_asprintf ("%s.json", img->config_digest + 7);
  json_t *ent = json_object (), *layers = json_array (), *tags = json_array ();

  json_object_set_new (ent, "Config", json_string (cname));
  json_object_set_new (ent, "RepoTags", tags);
  json_object_set_new (ent, "Layers", layers);
  json_array_append_new (w->entries, ent);
  for (size_t i = 0; img->names && img->names[i]; i++)
    json_array_append_new (tags, json_string (img->names[i]));
  for (size_t i = 0; i < n; i++)
    {
      cleanup_free char *name = husk_asprintf ("%s.tar", infos[i].diff_id + 7);
      cleanup_free char *blob = husk_store_layer_blob_path (s, infos[i].chain_id);
      json_array_append_new (layers, json_string (name));
      if (!already (w, name)
          && put_file (w, name, blob, infos[i].size, true, err) < 0)
        return -1;
    }
  if (!already (w, cname) && put_buf (w, cname, img->config, strlen (img->config), err) < 0)
    return -1;
  return 0;
}

int
husk_archive_writer_add (struct husk_archive_writer *w, struct husk_store *s,
                         const struct husk_archive_out_image *img, husk_error_t *err)
{
  size_t n = husk_strv_len (img->layers);
  cleanup_free struct husk_layer_info *infos = husk_xzalloc (n * sizeof (*infos) + 1);

  for (size_t i = 0; i < n; i++)
    if (husk_store_layer_info (s, img->layers[i], &infos[i], err) < 0)
      return husk_error_wrap (err, "layer %s", img->layers[i]);
  if (w->format == HUSK_ARCHIVE_DOCKER)
    return add_docker (w, s, img, infos, n, err);
  return add_oci (w, s, img, infos, n, err);
}

int
husk_archive_writer_finish (struct husk_archive_writer *w, husk_error_t *err)
{
  cleanup_free char *text = NULL;
  int ret = 0;

  if (w->format == HUSK_ARCHIVE_DOCKER)
    {
      text = json_dumps (w->entries, JSON_COMPACT);
      ret = put_buf (w, "manifest.json", text, strlen (text), err);
    }
  else
    {
      cleanup_json json_t *idx = json_pack ("{s:i, s:O}", "schemaVersion", 2,
                                            "manifests", w->entries);
      text = json_dumps (idx, JSON_COMPACT);
      ret = put_buf (w, "index.json", text, strlen (text), err);
      if (ret == 0 && w->format == HUSK_ARCHIVE_OCI_DIR)
        {
          static const char layout[] = "{\"imageLayoutVersion\":\"1.0.0\"}";
          ret = put_buf (w, "oci-layout", layout, sizeof layout - 1, err);
        }
    }
  if (ret == 0 && w->a && archive_write_close (w->a) != ARCHIVE_OK)
    ret = archive_fail (err, w->a, "close archive");
  if (ret < 0)
    {
      husk_archive_writer_abort (w);
      return -1;
    }
  if (w->out.fd >= 0 && husk_output_commit (&w->out, err) < 0)
    {
      husk_archive_writer_abort (w);
      return -1;
    }
  free (w->path);
  w->path = NULL;
  husk_archive_writer_abort (w);
  return 0;
}

void
husk_archive_writer_abort (struct husk_archive_writer *w)
{
  if (w == NULL)
    return;
  if (w->a)
    archive_write_free (w->a);
  if (w->dirfd >= 0)
    close (w->dirfd);
  husk_output_release (&w->out); /* removes an uncommitted temporary */
  if (w->path)
    {
      husk_error_t err = NULL;
      if (husk_rm_rf (w->path, &err) < 0)
        husk_error_drop (&err, "remove the archive's work directory");
    }
  free (w->path);
  husk_strv_free (w->written);
  json_decref (w->entries);
  free (w);
}
