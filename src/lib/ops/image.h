/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Image operations: the only entry points cli/ and api/ use for images.  */
#ifndef HUSK_OPS_IMAGE_H
#define HUSK_OPS_IMAGE_H

#include "image/archive.h"
#include "engine/engine.h"
#include "state/state.h"
#include "util/error.h"

#include <jansson.h>
#include <stdbool.h>

/* Resolve what a user typed (name, short name, ID, ID prefix, digest) to
   an image ID.  ENOENT: "<ref>: image not known".  */
int husk_op_image_resolve (struct husk_engine *e, const char *ref, char **id,
                           husk_error_t *err);

/* Load every image of an archive.  *names_out gets one line per loaded
   image: its names, or "sha256:<id>" for an unnamed one.  */
int husk_op_image_load (struct husk_engine *e, const char *input,
                        char ***names_out, husk_error_t *err);

/* Save images to an archive.  An image named by a name is saved with
   that name; one named by ID with none.  tags: more names for the first
   image (Podman's save without -m), normalised as `tag` does; may be NULL.
   uncompressed: OCI formats get every layer uncompressed.  */
int husk_op_image_save (struct husk_engine *e, char **refs, char **tags,
                        enum husk_archive_format format, const char *output,
                        bool uncompressed, husk_error_t *err);

struct husk_import_opts
{
  const char *source;    /* file or "-" */
  const char *reference; /* name for the new image, or NULL */
  char **changes;        /* --change instructions */
  const char *message;   /* --message: the history comment */
  const char *arch, *os, *variant;
};
int husk_op_image_import (struct husk_engine *e, const struct husk_import_opts *o,
                          char **id_out, husk_error_t *err);

/* Give image ref the names (each normalised; unqualified -> localhost/). */
int husk_op_image_tag (struct husk_engine *e, const char *ref, char **names,
                       husk_error_t *err);
/* Remove names (all names when names is NULL or empty).  */
int husk_op_image_untag (struct husk_engine *e, const char *ref, char **names,
                         husk_error_t *err);

struct husk_rmi_report
{
  char **untagged;
  char **deleted;
};
void husk_rmi_report_release (struct husk_rmi_report *r);

/* Remove one image by reference, as `podman rmi` does: a name of an image
   with other names only untags; otherwise the image goes, and with it the
   layers nothing else uses.  EBUSY when an ID names an image with several
   names and !force.  With force, the containers that use the image are
   removed first.  Unless no_prune, the unnamed parents (images whose layers
   start the removed image's) that nothing else needs go too, as Podman's
   rmi removes dangling parents.  */
int husk_op_image_remove (struct husk_engine *e, const char *ref, bool force, bool no_prune,
                          struct husk_rmi_report *rep, husk_error_t *err);
/* Remove by ID, whatever its names.  */
int husk_op_image_remove_id (struct husk_engine *e, const char *id,
                             struct husk_rmi_report *rep, husk_error_t *err);
/* The same after removing (forcibly) the containers that use the image,
   as Podman's rmi --force does; husk_op_image_remove() with force does
   that too.  */
int husk_op_image_remove_id_force (struct husk_engine *e, const char *id,
                                   struct husk_rmi_report *rep, husk_error_t *err);

/* Inspect: Podman's object.  */
json_t *husk_op_image_inspect (struct husk_engine *e, const char *ref,
                               husk_error_t *err);
/* All image records, newest first.  */
int husk_op_image_list (struct husk_engine *e, struct husk_image_rec **out,
                        size_t *n, husk_error_t *err);
/* History entries, newest first, Podman's JSON shape.  */
json_t *husk_op_image_history (struct husk_engine *e, const char *ref,
                               husk_error_t *err);

char *husk_op_image_mount (struct husk_engine *e, const char *ref, husk_error_t *err);
int husk_op_image_unmount (struct husk_engine *e, const char *ref, bool force,
                           husk_error_t *err);
/* The images `image mount` holds: [{"id", "Repositories", "mountpoint"}],
   as `podman image mount --format json` shows them.  */
json_t *husk_op_image_mounts (struct husk_engine *e, husk_error_t *err);
/* Unmount (completely) every image `image mount` holds; *ids: their IDs. */
int husk_op_image_unmount_all (struct husk_engine *e, char ***ids, husk_error_t *err);

/* husk pull and run/create's --pull (ops/image_pull.c).  */
#include "registry/registry.h"

struct husk_pull_opts
{
  struct husk_registry_opts reg;
  const char *policy;  /* "always" (NULL), "missing", "never", "newer" */
  const char *os, *arch, *variant; /* NULL: the host's */
  bool quiet;          /* no progress lines on stderr */
  const char *signature_policy; /* policy.json to use, or NULL: the usual ones */
};

/* --platform "os/arch[/variant]" into *os, *arch and *variant (new
   strings; a part not given stays as it was).  As Podman, --platform
   with --arch or --os (had_arch_or_os) is refused.  NULL or "": nothing.
   Return: 0, or -1.  */
int husk_op_platform_split (const char *platform, bool had_arch_or_os, char **os, char **arch,
                            char **variant, husk_error_t *err);

/* --retry-delay: a Go duration ("10s", "500ms", "1m") in whole seconds,
   rounded up (husk_registry_opts.retry_delay counts seconds); NULL or
   "" is 0, the registry client's doubling delay.  Return: 0, or -1 with
   Go's message for a bad duration.  */
int husk_op_retry_delay (const char *duration, int *seconds, husk_error_t *err);

/**
 * husk_op_image_pull() - Pull an image from a registry
 * @image: "busybox", "quay.io/a/b:tag", "x@sha256:...", "docker://..."
 * @id_out: the image ID (64 hex)
 *
 * Return: 0, or -1 (nothing of a failed pull is kept).
 */
int husk_op_image_pull (struct husk_engine *e, const char *image, const struct husk_pull_opts *o,
                        char **id_out, husk_error_t *err);

/* pull --all-tags: every tag of repo ("NAME", no tag or digest) as
   "NAME:TAG" references for husk_op_image_pull() (a NULL-terminated
   vector).  In the static husk this runs the command again in
   husk-registry.  Return: 0, or -1.  */
int husk_op_image_tags (struct husk_engine *e, const char *repo,
                        const struct husk_registry_opts *ro, char ***refs, husk_error_t *err);

/* husk push (ops/image_push.c).  */
struct husk_push_opts
{
  struct husk_registry_opts reg;
  const char *format;      /* "oci", "v2s2", or NULL: the image's own manifest type */
  const char *compression; /* "gzip" or "zstd"; NULL: gzip */
  int compression_level;   /* -1: the format's default */
  bool force_compression;  /* recompress layers stored with another compression */
  const char *digestfile;  /* write the manifest digest there, or NULL */
  bool quiet;              /* no progress lines on stderr */
};

/**
 * husk_op_image_push() - Push a local image to a registry
 * @image: a local image (name, ID or ID prefix)
 * @dest:  "[docker://]REGISTRY/NAME[:TAG]", or NULL: image's name
 *
 * The local store is only read.
 * Return: 0, or -1.
 */
int husk_op_image_push (struct husk_engine *e, const char *image, const char *dest,
                        const struct husk_push_opts *o, husk_error_t *err);

struct husk_layer_info;
/**
 * husk_op_image_record() - Record layers (already in the store), an image
 * and its names in one transaction, under the store lock (shared), as load
 * and import do.  Exported for commit (ops/container_fs.c).
 * @rec:   the image (rec->names are given to it, taken from other images)
 * @infos: the layers to record (those recorded already may be left out)
 * Return: 0, or -1.
 */
int husk_op_image_record (struct husk_engine *e, struct husk_image_rec *rec,
                          struct husk_layer_info *infos, size_t n, husk_error_t *err);

#endif
