/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The registry half of a pull in the static husk: run the whole command
 * again in husk-registry, the same husk linked dynamically with libcurl
 * (see ops/image-pull.h).  Nothing has been recorded when a command gets
 * here (a pull comes before anything it is for), so the twin starts the
 * command afresh, in the same process: same pid, descriptors, terminal
 * and (rootless) user namespace.
 */
#include "ops/image-pull.h"

#include "util/exec.h"

int
husk_op_image_pull_remote (struct husk_engine *e, const char *image,
                           const struct husk_pull_opts *o, char **local, char **id_out,
                           husk_error_t *err)
{
  (void) e, (void) image, (void) o, (void) local, (void) id_out;
  return husk_exec_twin ("husk-registry", err);
}
