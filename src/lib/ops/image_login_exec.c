/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * login's and search's registry half in the static husk: the command runs
 * again, whole, in husk-registry (ops/login.h, ops/image-pull.h).  The
 * command line calls husk_op_registry_reach() before it prompts or reads
 * a password from standard input, so the twin finds it unread.
 */
#include "ops/login.h"

#include "util/exec.h"

int
husk_op_registry_reach (husk_error_t *err)
{
  return husk_exec_twin ("husk-registry", err);
}

int
husk_op_login_check (const char *key, const char *registry, const char *user,
                     const char *pass, const struct husk_registry_opts *o,
                     husk_error_t *err)
{
  (void) key, (void) registry, (void) user, (void) pass, (void) o;
  return husk_exec_twin ("husk-registry", err);
}

int
husk_op_login (const char *key, const char *registry, const char *user, const char *pass,
               const struct husk_registry_opts *o, char **path, husk_error_t *err)
{
  (void) key, (void) registry, (void) user, (void) pass, (void) o;
  *path = NULL;
  return husk_exec_twin ("husk-registry", err);
}

int
husk_op_search (const char *term, const struct husk_search_opts *o, json_t **out,
                husk_error_t *err)
{
  (void) term, (void) o;
  *out = NULL;
  return husk_exec_twin ("husk-registry", err);
}
