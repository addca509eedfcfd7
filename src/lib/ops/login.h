/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * login, logout and search.  Logout only edits auth.json, so it runs in
 * every husk (image_logout.c).  Login's check of the credentials and
 * search talk to a registry: they are in the binary that links libcurl
 * (image_login.c, image_search.c); the static husk has image_login_exec.c
 * instead, whose husk_op_registry_reach() runs the command again in
 * husk-registry (ops/image-pull.h) before anything reads standard input.
 */
#ifndef HUSK_OPS_LOGIN_H
#define HUSK_OPS_LOGIN_H

#include "registry/registry.h"
#include "util/error.h"

#include <jansson.h>
#include <stdbool.h>

/* Make sure this process can reach registries: in the static husk, run
   the whole command again in husk-registry (returns only on failure);
   elsewhere nothing.  Return: 0, or -1.  */
int husk_op_registry_reach (husk_error_t *err);

/**
 * husk_op_login_key() - The auth.json key and the registry of an argument
 * @arg: what the user typed; NULL for the first unqualified-search registry
 *       of registries.conf
 *
 * Return: 0 with *key and *registry (new strings), or -1.
 */
int husk_op_login_key (const char *arg, char **key, char **registry, husk_error_t *err);

/* The stored user and password for key (auth.json and its fallbacks, or
   only authfile when set): both NULL when there are none.  */
int husk_op_login_stored (const char *key, const char *authfile, char **user, char **pass,
                          husk_error_t *err);

/**
 * husk_op_login_check() - Whether a registry accepts user and pass
 *
 * GETs /v2/ with them (Basic, or a Bearer token got with them).
 * Return: 0, or -1 (EACCES: "logging into "KEY": invalid username/password").
 */
int husk_op_login_check (const char *key, const char *registry, const char *user,
                         const char *pass, const struct husk_registry_opts *o,
                         husk_error_t *err);

/* Check, then store the credentials in the auth file (o->authfile, else
   the default), whose path *path gets.  Return: 0, or -1 (nothing stored). */
int husk_op_login (const char *key, const char *registry, const char *user, const char *pass,
                   const struct husk_registry_opts *o, char **path, husk_error_t *err);

/* Remove key's credentials (all with key NULL) from the auth file.  An
   authfile given must exist.  Return: 0, or -1 (ENOENT "not logged into
   KEY").  */
int husk_op_logout (const char *key, const char *authfile, husk_error_t *err);

struct husk_search_opts
{
  struct husk_registry_opts reg;
  int limit;            /* results per registry; 0: 25 (tags: all) */
  bool list_tags;       /* the tags of one repository */
  bool no_trunc;        /* keep descriptions whole */
  char **filters;       /* "stars=N", "is-automated=BOOL", "is-official=BOOL" */
};

/**
 * husk_op_search() - Search registries
 * @term: "[REGISTRY/]TERM": without a registry, every unqualified-search
 *        registry of registries.conf is searched
 * @out:  a JSON array of {Index, Name, Description, Stars, Official,
 *        Automated, Tag} as Podman reports them
 *
 * A registry that fails is skipped with a warning when another answers.
 * Return: 0, or -1.
 */
int husk_op_search (const char *term, const struct husk_search_opts *o, json_t **out,
                    husk_error_t *err);

#endif
