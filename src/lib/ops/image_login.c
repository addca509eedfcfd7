/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The registry half of login (ops/login.h): the credentials are tried on
 * the registry's /v2/ before anything is stored.  Only in the binary that
 * links libcurl; the static husk has image_login_exec.c.
 */
#include "ops/login.h"

#include "config/config.h"
#include "util/cleanup.h"
#include "util/strutil.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int
husk_op_registry_reach (husk_error_t *err)
{
  (void) err;
  return 0; /* this husk has libcurl */
}

/* Whether registries.conf lets registry be reached without verified TLS. */
static bool
conf_insecure (const char *registry)
{
  husk_error_t err = NULL;
  cleanup (husk_config_free) struct husk_config *c = husk_config_load (geteuid () != 0, &err);
  const struct husk_config_registry *cr = c ? husk_config_registry_find (c, registry) : NULL;

  husk_error_release (&err);
  return cr && cr->insecure;
}

int
husk_op_login_check (const char *key, const char *registry, const char *user,
                     const char *pass, const struct husk_registry_opts *o,
                     husk_error_t *err)
{
  cleanup_free char *creds = husk_asprintf ("%s:%s", user, pass);
  struct husk_registry_opts ro = *o;
  struct husk_registry *r;
  cleanup_free char *body = NULL;
  size_t len;
  long status = 0;
  int ret = 0;

  if (strchr (user, ':'))
    return husk_error_makex (err, EINVAL, "invalid username \"%s\": it holds a ':'", user);
  ro.creds = creds;
  ro.authfile = NULL;
  r = husk_registry_open (registry, "", conf_insecure (registry), &ro, err);
  if (r == NULL || husk_registry_get (r, "/v2/", 1 << 16, &body, &len, &status, NULL, err) < 0)
    ret = -1;
  else if (status != 200)
    ret = husk_error_makex (err, EPROTO, "GET /v2/: status %ld", status);
  husk_registry_free (r);
  explicit_bzero (creds, strlen (creds));
  if (ret < 0 && (*err)->code == EACCES)
    {
      husk_error_release (err);
      return husk_error_makex (err, EACCES, "logging into \"%s\": invalid username/password",
                               key);
    }
  if (ret < 0)
    return husk_error_wrap (err, "authenticating creds for \"%s\"", key);
  return 0;
}

int
husk_op_login (const char *key, const char *registry, const char *user, const char *pass,
               const struct husk_registry_opts *o, char **path, husk_error_t *err)
{
  *path = NULL;
  if (husk_op_login_check (key, registry, user, pass, o, err) < 0)
    return -1;
  *path = husk_registry_auth_path (o->authfile);
  if (husk_registry_auth_store (*path, key, user, pass, err) < 0)
    {
      free (steal_ptr (path));
      return -1;
    }
  return 0;
}
