/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The parts of login and logout that need no registry (ops/login.h): the
 * key an argument names, the stored credentials, logout.
 */
#include "ops/login.h"

#include "config/config.h"
#include "util/cleanup.h"
#include "util/strutil.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Podman's default when no registry is named: the first search registry. */
static char *
first_search_registry (husk_error_t *err)
{
  cleanup (husk_config_free) struct husk_config *c = husk_config_load (geteuid () != 0, err);

  if (c == NULL)
    return NULL;
  if (c->unqualified_search_registries == NULL || c->unqualified_search_registries[0] == NULL)
    return husk_error_makex (err, EINVAL, "no registries found in registries.conf, a registry "
                             "must be provided"), NULL;
  return husk_xstrdup (c->unqualified_search_registries[0]);
}

int
husk_op_login_key (const char *arg, char **key, char **registry, husk_error_t *err)
{
  cleanup_free char *first = NULL;

  if (arg == NULL && (arg = first = first_search_registry (err)) == NULL)
    return -1;
  return husk_registry_auth_key (arg, key, registry, err);
}

int
husk_op_login_stored (const char *key, const char *authfile, char **user, char **pass,
                      husk_error_t *err)
{
  size_t hlen = strcspn (key, "/");
  cleanup_free char *host = husk_xstrndup (key, hlen);
  const char *repo = key[hlen] ? key + hlen + 1 : "";

  const char *file = authfile && *authfile ? authfile : getenv ("REGISTRY_AUTH_FILE");

  *user = *pass = NULL;
  /* A login may name a file it is about to make: no credentials yet.  */
  if (file && *file && access (file, F_OK) < 0)
    return 0;
  return husk_registry_credentials (host, repo, NULL, file, user, pass, err);
}

int
husk_op_logout (const char *key, const char *authfile, husk_error_t *err)
{
  cleanup_free char *path = husk_registry_auth_path (authfile);

  if (authfile && *authfile && access (authfile, F_OK) < 0)
    return husk_error_make (err, errno, "checking authfile: stat %s", authfile);
  if (key == NULL)
    return husk_registry_auth_remove_all (path, err);
  return husk_registry_auth_remove (path, key, err);
}
