/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The registry half of husk manifest in the static husk: run the whole
 * command again in husk-registry (see ops/image-pull.h).  A fetch comes
 * before the command writes anything (image_manifest.c), and a push
 * checks the list here first, so an unknown list fails without starting
 * anything.  pull --all-tags lists its tags there too.
 */
#include "ops/manifest.h"

#include "util/cleanup.h"
#include "util/exec.h"

int
husk_op_manifest_fetch (struct husk_engine *e, const char *ref, const char *digest,
                        const struct husk_registry_opts *ro, struct husk_remote_manifest *out,
                        husk_error_t *err)
{
  (void) e, (void) ref, (void) digest, (void) ro, (void) out;
  return husk_exec_twin ("husk-registry", err);
}

int
husk_op_manifest_push (struct husk_engine *e, const char *list, const char *dest,
                       const struct husk_manifest_push_opts *o, char **digest,
                       husk_error_t *err)
{
  cleanup_free char *id = NULL;
  cleanup_json json_t *index = NULL, *sources = NULL;

  (void) dest, (void) o, (void) digest;
  if (husk_op_manifest_load (e, list, &id, &index, &sources, err) < 0)
    return -1;
  return husk_exec_twin ("husk-registry", err);
}

int
husk_op_image_tags (struct husk_engine *e, const char *repo, const struct husk_registry_opts *ro,
                    char ***refs, husk_error_t *err)
{
  (void) e, (void) repo, (void) ro, (void) refs;
  return husk_exec_twin ("husk-registry", err);
}
