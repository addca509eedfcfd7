/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Image list filters (podman images --filter, Docker API filters).  */
#ifndef HUSK_OPS_IMAGE_FILTER_H
#define HUSK_OPS_IMAGE_FILTER_H

#include "ops/image.h"
#include "util/strutil.h"

struct husk_image_filter;

/* Parse "key=value" filters; before=/since= name images, resolved now.  */
struct husk_image_filter *husk_image_filter_new (struct husk_engine *e, char **filters,
                                                 husk_error_t *err);
/* dangling: the image has no name and no image is built on it.  */
bool husk_image_filter_match (struct husk_image_filter *f, const struct husk_image_rec *r,
                              json_t *config, bool dangling);
void husk_image_filter_free (struct husk_image_filter *f);

/* An image of a listing with its configuration parsed once, for every
   front end (NULL when the stored text does not parse).  */
struct husk_image_entry
{
  struct husk_image_rec rec;
  json_t *config;
  /* No name, and the parent of another image (its layers are the start of
     the other's): hidden by `images` without -a, as Podman does.  */
  bool intermediate;
  int64_t containers; /* how many containers use it */
};

/* Whether a name matches a reference filter's pattern, in any of the forms
   a user may mean ("busybox", "husk-test/busybox:latest", globs).  */
bool husk_image_reference_matches (const char *pattern, const char *name);

/**
 * husk_op_image_select() - The images that pass the filters
 * @filters:       "key=value" filters, as husk_image_filter_new() takes
 * @dangling_only: only images without a name
 *
 * Return: 0 with a malloc'd array in *out, or -1 with an error (a bad
 * filter).
 */
int husk_op_image_select (struct husk_engine *e, char **filters, bool dangling_only,
                          struct husk_image_entry **out, size_t *n, husk_error_t *err);
void husk_image_entry_array_free (struct husk_image_entry *a, size_t n);

/**
 * husk_op_image_prune() - Remove dangling images (all unused with @all)
 *
 * Images a container uses stay, without a word, as in Podman.  *removed
 * gets the IDs removed; a removal that fails adds its message to
 * *failures and the others go on.  Return: 0, or -1 (a bad filter).
 */
int husk_op_image_prune (struct husk_engine *e, char **filters, bool all, char ***removed,
                         char ***failures, husk_error_t *err);

#endif
