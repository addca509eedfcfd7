/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Image configs: reading the fields husk shows, building new configs
   (import), and the Podman-shaped JSON of inspect, images and history.  */
#ifndef HUSK_IMAGE_IMAGE_H
#define HUSK_IMAGE_IMAGE_H

#include "state/state.h"
#include "util/error.h"

#include <jansson.h>
#include <stdint.h>

/* Parse an RFC 3339 time ("2024-01-01T00:00:00.5+02:00").  Return: 0 or -1. */
int husk_time_parse_rfc3339 (const char *s, int64_t *sec, long *nsec);
/* Format seconds + nanoseconds as RFC 3339 with nanoseconds, Go style.  */
char *husk_time_format_rfc3339 (int64_t sec, long nsec);

/* Creation time of a config (0 when absent or invalid).  */
int64_t husk_image_config_created (json_t *config);

/**
 * husk_image_apply_change() - Apply one Dockerfile-style --change
 * @config: the image config (its "config" member is edited)
 * @change: "CMD [\"sh\"]", "ENV A=b", "LABEL a=b", "EXPOSE 80/tcp",
 *          "ENTRYPOINT ...", "USER u", "WORKDIR /x", "VOLUME /v",
 *          "STOPSIGNAL SIGTERM", "ONBUILD ..."
 * Return: 0, or -1 (EINVAL) naming the unknown instruction.
 */
int husk_image_apply_change (json_t *config, const char *change, husk_error_t *err);

/* Podman's `image inspect` object for an image.  */
json_t *husk_image_inspect_json (const struct husk_image_rec *r, json_t *config,
                                 const char *driver, json_t *graph_data);
/* Podman's `images --format json` summary object.  */
json_t *husk_image_summary_json (const struct husk_image_rec *r, json_t *config);

#endif
