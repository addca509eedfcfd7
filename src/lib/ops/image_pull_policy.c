/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * husk pull and run/create's --pull: whether the policy asks for a pull
 * at all (the registry's half is husk_op_image_pull_remote(), see
 * ops/image-pull.h).
 */
#include "ops/image-pull.h"

#include "container/parse.h"
#include "engine/engine.h"
#include "state/state.h"
#include "util/arch.h"
#include "util/cleanup.h"
#include "util/strutil.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
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

/* Whether a part of the platform asked for (NULL: not asked) is the
   image's (its config's value, NULL when it has none).  */
static bool
part_matches (const char *want, const char *have, bool arch)
{
  if (want == NULL || *want == '\0')
    return true;
  if (have == NULL)
    return false;
  return arch ? strcmp (husk_go_arch_of (want), husk_go_arch_of (have)) == 0
              : strcmp (want, have) == 0;
}

/* Whether the local image id is of the platform o asks for: with --arch,
   --os, --variant or --platform, a local image of another platform does
   not count as present (Podman's), so "missing" pulls and "never" fails. */
static bool
platform_matches (struct husk_engine *e, const char *id, const struct husk_pull_opts *o)
{
  struct husk_image_rec r = { 0 };
  cleanup_json json_t *c = NULL;

  if (!o->os && !o->arch && !o->variant)
    return true;
  if (husk_state_image_get (e->state, id, &r, NULL) < 0)
    return false;
  c = json_loads (r.config ? r.config : "", 0, NULL);
  husk_image_rec_release (&r);
  return part_matches (o->os, json_string_value (json_object_get (c, "os")), false)
         && part_matches (o->arch, json_string_value (json_object_get (c, "architecture")), true)
         && part_matches (o->variant, json_string_value (json_object_get (c, "variant")), false);
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
  if (strcasecmp (policy, "always") && husk_op_image_resolve_quiet (e, image, &local)
      && !platform_matches (e, local, o))
    free (steal_ptr (&local)); /* of another platform: as if absent */
  if (local)
    {
      if (strcasecmp (policy, "newer"))
        return *id_out = steal_ptr (&local), 0;
    }
  else if (strcasecmp (policy, "never") == 0)
    return husk_error_makex (err, ENOENT, "%s: image not known", image);
  return husk_op_image_pull_remote (e, image, o, &local, id_out, err);
}

int
husk_op_retry_delay (const char *duration, int *seconds, husk_error_t *err)
{
  int64_t ns;

  *seconds = 0;
  if (duration == NULL || *duration == '\0')
    return 0;
  if (husk_parse_duration (duration, &ns, err) < 0)
    return husk_error_wrap (err, "invalid --retry-delay \"%s\"", duration), -1;
  if (ns < 0 || ns / 1000000000 >= INT32_MAX)
    return husk_error_makex (err, HUSK_ERR_USAGE, "invalid --retry-delay \"%s\"", duration);
  *seconds = (int) ((ns + 999999999) / 1000000000);
  return 0;
}

int
husk_op_platform_split (const char *platform, bool had_arch_or_os, char **os, char **arch,
                        char **variant, husk_error_t *err)
{
  cleanup_strv char **parts = NULL;
  size_t n;

  if (platform == NULL || *platform == '\0')
    return 0;
  if (had_arch_or_os)
    return husk_error_makex (err, HUSK_ERR_USAGE,
                             "--platform option can not be specified with --arch or --os");
  parts = husk_strv_split (platform, '/');
  n = husk_strv_len (parts);
  if (n < 2 || n > 3 || *parts[0] == '\0' || *parts[1] == '\0' || (n == 3 && *parts[2] == '\0'))
    return husk_error_makex (err, HUSK_ERR_USAGE,
                             "invalid platform \"%s\": want os/arch[/variant]", platform);
  free (*os);
  free (*arch);
  *os = husk_xstrdup (parts[0]);
  *arch = husk_xstrdup (parts[1]);
  if (n == 3)
    {
      free (*variant);
      *variant = husk_xstrdup (parts[2]);
    }
  return 0;
}
