/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Secret operations: the only entry points cli/ and api/ use for secrets,
   and the lookup the container create path uses for --secret.  */
#ifndef HUSK_OPS_SECRET_H
#define HUSK_OPS_SECRET_H

#include "engine/engine.h"
#include "util/error.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

struct husk_secret_create_opts
{
  const char *name;
  const char *driver;  /* NULL or "file" */
  char **labels;       /* "k=v" */
  bool replace;        /* an existing secret of the name gets the new data */
  bool ignore;         /* an existing secret of the name is the answer, unchanged */
  const void *data;
  size_t len;
};

/**
 * husk_op_secret_create() - Create (or with replace, update) a secret
 * @id_out: its ID (caller frees); may be NULL
 *
 * Return: 0, or -1: EINVAL for a bad name, driver, label or size; EEXIST
 * "NAME: secret name in use" without replace or ignore.  Nothing is left behind on
 * failure.
 */
int husk_op_secret_create (struct husk_engine *e, const struct husk_secret_create_opts *o,
                           char **id_out, husk_error_t *err);

/* A name, full ID or unique ID prefix to the ID.  ENOENT "no secret with
   name or id "REF": no such secret".  */
int husk_op_secret_resolve (struct husk_engine *e, const char *ref, char **id,
                            husk_error_t *err);

/* Podman 5's inspect object: ID, CreatedAt, UpdatedAt, Spec {Name, Driver
   {Name, Options}, Labels}, and SecretData only when show_data.  */
json_t *husk_op_secret_inspect (struct husk_engine *e, const char *ref, bool show_data,
                                husk_error_t *err);

/* Inspect objects of the secrets that match every filter ("name=REGEX",
   "id=PREFIX"; values of one key are alternatives), oldest first.  Each
   also has "created_ns" and "updated_ns" (nanoseconds since the epoch),
   for the relative times of `secret ls`, which removes them.  */
int husk_op_secret_list (struct husk_engine *e, char **filters, json_t **out,
                         husk_error_t *err);

/* Remove a secret: its data, then its row.  Containers that use it keep
   their own copy (Podman: removing a secret in use is safe).  */
int husk_op_secret_remove (struct husk_engine *e, const char *ref, char **removed_id,
                           husk_error_t *err);

/* The ID, name and data of a secret (for --secret).  */
int husk_op_secret_data (struct husk_engine *e, const char *ref, char **id, char **name,
                         char **data, size_t *len, husk_error_t *err);

#endif
