/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Image archives: docker-archive (`docker save`), oci-archive (an OCI image
 * layout in a tar) and oci-dir (the layout as a directory).  Reading unpacks
 * an archive into a private work directory and validates it; the caller
 * then applies the layers.  Writing streams layers out of the layer store.
 */
#ifndef HUSK_IMAGE_ARCHIVE_H
#define HUSK_IMAGE_ARCHIVE_H

#include "storage/store.h"
#include "util/error.h"

#include <stdbool.h>
#include <stddef.h>

/* One image found in an archive; every path is inside the work directory. */
struct husk_archive_image
{
  char *config;          /* the config JSON exactly as stored */
  size_t config_len;
  char *config_digest;   /* "sha256:<hex>" of config: the image ID */
  char **layer_paths;    /* layer blobs, bottom to top (never NULL) */
  char **diff_ids;       /* from the config's rootfs.diff_ids (never NULL) */
  char **names;          /* normalised references (may be empty) */
  char *manifest;        /* OCI/Docker v2 manifest text, or NULL */
  char *manifest_digest; /* its digest, or NULL */
};

struct husk_archive
{
  char *dir;             /* work directory (removed on free when owned) */
  bool owns_dir;
  int lock_fd;           /* flock held on dir while in use, or -1 */
  struct husk_archive_image *images;
  size_t n_images;
};

/**
 * husk_archive_open() - Unpack and validate an image archive
 * @path:       a file, "-" for standard input, or an OCI layout directory
 * @tmp_parent: where to make the work directory (same file system as the
 *              store, so that layer blobs can be renamed into it)
 *
 * Every blob named by a manifest must be present, have the digest the
 * manifest says, and the config must list one diff ID per layer.  Entries
 * with the same config are one image with all their names.  The work is
 * bounded by the archive's size, whatever its indexes repeat, and by
 * limits on nesting, index entries and layers (see archive_read.c).
 * Return: 0, or -1 with an error naming what is wrong.
 */
int husk_archive_open (const char *path, const char *tmp_parent,
                       struct husk_archive **out, husk_error_t *err);
void husk_archive_free (struct husk_archive *a);

enum husk_archive_format
{
  HUSK_ARCHIVE_DOCKER,
  HUSK_ARCHIVE_OCI,
  HUSK_ARCHIVE_OCI_DIR,
};

/* Parse "docker-archive", "oci-archive", "oci-dir".  Return: format or -1.  */
int husk_archive_format_parse (const char *s);

/* An image to write: its config, its layers in the store, its names.  */
struct husk_archive_out_image
{
  const char *config;
  const char *config_digest;
  char **layers;          /* chain IDs, bottom to top */
  char **names;           /* full references; may be empty */
  const char *manifest;   /* a stored OCI manifest whose blobs are the
                             stored layer blobs, reused when possible */
};

struct husk_archive_writer;

/* Start an archive at path ("-" = fd 1; a directory for oci-dir).  */
struct husk_archive_writer *husk_archive_writer_new (enum husk_archive_format f,
                                                     const char *path,
                                                     husk_error_t *err);
/* OCI formats: write every layer uncompressed (media type ".tar", digest
   the diff ID) instead of as stored.  docker-archive's layers are always
   uncompressed.  */
void husk_archive_writer_set_uncompressed (struct husk_archive_writer *w, bool uncompressed);
int husk_archive_writer_add (struct husk_archive_writer *w, struct husk_store *s,
                             const struct husk_archive_out_image *img,
                             husk_error_t *err);
/* Finish (write the index/manifest) and free.  On error, the partial
   output file is removed.  */
int husk_archive_writer_finish (struct husk_archive_writer *w, husk_error_t *err);
void husk_archive_writer_abort (struct husk_archive_writer *w);

#endif
