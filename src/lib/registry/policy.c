/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * containers-policy.json(5) for images from registries (the "docker"
 * transport): the requirements of the most specific scope that names the
 * image, else the transport's "" scope, else "default".  husk verifies no
 * signatures, so of the requirement types it knows insecureAcceptAnything
 * (accept) and reject (refuse); signedBy and sigstoreSigned are refused
 * with that reason rather than skipped, so a policy that asks for
 * signatures is never passed over silently.
 */
#include "registry/registry.h"

#include "util/cleanup.h"
#include "util/fileutil.h"
#include "util/strutil.h"

#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The policy file: --signature-policy, else the user's, else the
   system's.  NULL when there is none.  */
static char *
policy_path (const char *given)
{
  const char *xdg = getenv ("XDG_CONFIG_HOME"), *home = getenv ("HOME");
  cleanup_free char *user = NULL;

  if (given && *given)
    return husk_xstrdup (given);
  if (xdg && *xdg)
    user = husk_asprintf ("%s/containers/policy.json", xdg);
  else if (home && *home)
    user = husk_asprintf ("%s/.config/containers/policy.json", home);
  if (user && access (user, F_OK) == 0)
    return steal_ptr (&user);
  if (access ("/etc/containers/policy.json", F_OK) == 0)
    return husk_xstrdup ("/etc/containers/policy.json");
  return NULL;
}

/* Whether scope names image ("host/repo[:tag|@digest]"): the whole
   reference, the repository, a namespace of it, the host, or a
   "*.domain" wildcard of the host.  Longer scopes are more specific.  */
static bool
scope_matches (const char *scope, const char *image, const char *repo)
{
  size_t n = strlen (scope);

  if (husk_has_prefix (scope, "*."))
    {
      size_t hl = strcspn (image, "/");
      return hl > n - 1 && strncmp (image + hl - (n - 1), scope + 1, n - 1) == 0;
    }
  if (strcmp (scope, image) == 0)
    return true;
  return strncmp (repo, scope, n) == 0 && (repo[n] == '\0' || repo[n] == '/');
}

static json_t *
requirements_for (json_t *policy, const char *image, const char *repo)
{
  json_t *scopes = json_object_get (json_object_get (policy, "transports"), "docker");
  json_t *best = NULL, *v;
  size_t best_len = 0;
  const char *k;

  json_object_foreach (scopes, k, v)
    if (*k && strlen (k) > best_len && scope_matches (k, image, repo))
      {
        best = v;
        best_len = strlen (k);
      }
  if (best == NULL)
    best = json_object_get (scopes, "");
  return best ? best : json_object_get (policy, "default");
}

int
husk_policy_check (const char *given, const char *image, const char *repo, husk_error_t *err)
{
  cleanup_free char *path = policy_path (given);
  cleanup_json json_t *policy = NULL;
  json_error_t jerr;
  json_t *reqs, *r;
  size_t i;

  /* No policy file at all: nothing asks for more than acceptance.  */
  if (path == NULL)
    return 0;
  policy = json_load_file (path, 0, &jerr);
  if (policy == NULL)
    return husk_error_makex (err, EINVAL, "invalid policy in \"%s\": %s", path, jerr.text);
  reqs = requirements_for (policy, image, repo);
  if (!json_is_array (reqs) || json_array_size (reqs) == 0)
    return husk_error_makex (err, EINVAL, "invalid policy in \"%s\": no requirements for "
                             "docker://%s", path, image);
  json_array_foreach (reqs, i, r)
    {
      const char *type = json_string_value (json_object_get (r, "type"));
      if (type && strcmp (type, "insecureAcceptAnything") == 0)
        continue;
      if (type && strcmp (type, "reject") == 0)
        return husk_error_makex (err, EACCES, "Source image rejected: Running image "
                                 "docker://%s is rejected by policy (%s).", image, path);
      if (type && (strcmp (type, "signedBy") == 0 || strcmp (type, "sigstoreSigned") == 0))
        return husk_error_makex (err, ENOTSUP, "docker://%s: the policy in %s requires %s "
                                 "signatures, which husk cannot verify yet", image, path, type);
      return husk_error_makex (err, EINVAL, "invalid policy in \"%s\": unknown requirement "
                               "type \"%s\"", path, type ? type : "");
    }
  return 0;
}
