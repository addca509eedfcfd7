/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Image list filters (podman images --filter, Docker API filters).  */
#ifndef HUSK_OPS_IMAGE_FILTER_H
#define HUSK_OPS_IMAGE_FILTER_H

#include "ops/image.h"

struct husk_image_filter;

/* Parse "key=value" filters; before=/since= name images, resolved now.  */
struct husk_image_filter *husk_image_filter_new (struct husk_engine *e, char **filters,
                                                 husk_error_t *err);
bool husk_image_filter_match (struct husk_image_filter *f, const struct husk_image_rec *r,
                              json_t *config);
void husk_image_filter_free (struct husk_image_filter *f);

/* The label= filter of every listing: "key" matches any value, "key=value"
   that value (labels: a JSON object of strings).  */
bool husk_label_filter_match (json_t *labels, const char *want);

#endif
