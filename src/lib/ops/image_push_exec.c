/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * husk push in the static husk: check that the image exists (an unknown
 * image fails here, without starting anything), then run the whole
 * command again in husk-registry, which has the registry client (see
 * ops/image-push.h and ops/image-pull.h).
 */
#include "ops/image-push.h"

#include "util/cleanup.h"
#include "util/exec.h"

int
husk_op_image_push (struct husk_engine *e, const char *image, const char *dest,
                    const struct husk_push_opts *o, husk_error_t *err)
{
  cleanup_free char *id = NULL;

  (void) dest, (void) o;
  if (husk_op_image_resolve (e, image, &id, err) < 0)
    return -1;
  return husk_exec_twin ("husk-registry", err);
}
