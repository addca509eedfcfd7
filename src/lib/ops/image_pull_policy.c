/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * husk pull and run/create's --pull: whether the policy asks for a pull
 * at all (the registry's half is husk_op_image_pull_remote(), see
 * ops/image-pull.h).
 */
#include "ops/image-pull.h"

#include "util/cleanup.h"
#include "util/strutil.h"

#include <errno.h>
#include <strings.h>

bool
husk_op_image_resolve_quiet (struct husk_engine *e, const char *ref, char **id)
{
  husk_error_t err = NULL;

  if (husk_op_image_resolve (e, ref, id, &err) == 0)
    return true;
  husk_error_release (&err);
  return false;
}

int
husk_op_image_pull (struct husk_engine *e, const char *image, const struct husk_pull_opts *o,
                    char **id_out, husk_error_t *err)
{
  const char *policy = o->policy ? o->policy : "always";
  cleanup_free char *local = NULL;

  *id_out = NULL;
  if (husk_has_prefix (image, "docker://"))
    image += 9;
  if (strcasecmp (policy, "missing") && strcasecmp (policy, "never")
      && strcasecmp (policy, "always") && strcasecmp (policy, "newer"))
    return husk_error_makex (err, EINVAL, "unsupported pull policy \"%s\"", policy);
  if (strcasecmp (policy, "always") && husk_op_image_resolve_quiet (e, image, &local))
    {
      if (strcasecmp (policy, "newer"))
        return *id_out = steal_ptr (&local), 0;
    }
  else if (strcasecmp (policy, "never") == 0)
    return husk_error_makex (err, ENOENT, "%s: image not known", image);
  return husk_op_image_pull_remote (e, image, o, &local, id_out, err);
}
