/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Secret rows of the state database.  A row holds what `secret inspect`
   shows; the secret's data is a file of its own (secret/secret.h) and is
   never written here.  */
#ifndef HUSK_STATE_SECRETS_H
#define HUSK_STATE_SECRETS_H

#include "state/state.h"

#include <stdint.h>

struct husk_secret_rec
{
  char *id;        /* 25 lowercase hex digits, as Podman */
  char *name;      /* [a-zA-Z0-9][a-zA-Z0-9_.-]*, unique */
  char *driver;    /* "file" */
  char *labels;    /* JSON object text, string values */
  int64_t created; /* nanoseconds since epoch */
  int64_t updated;
};

void husk_secret_rec_release (struct husk_secret_rec *r);
void husk_secret_rec_array_free (struct husk_secret_rec *a, size_t n);

/* Add a row.  EEXIST "NAME: secret name in use" when the name is taken.  */
int husk_state_secret_add (struct husk_state *st, const struct husk_secret_rec *r,
                           husk_error_t *err);
/* The row of exactly this ID; ENOENT when none.  */
int husk_state_secret_get (struct husk_state *st, const char *id,
                           struct husk_secret_rec *out, husk_error_t *err);
/* Resolve a name, a full ID or a unique ID prefix to the ID.  ENOENT
   "no secret with name or id "REF": no such secret"; EINVAL when a prefix matches several.  */
int husk_state_secret_lookup (struct husk_state *st, const char *ref, char **id,
                              husk_error_t *err);
/* The ID of the secret named exactly name (*id NULL when none): names
   only, never an ID prefix.  */
int husk_state_secret_find_name (struct husk_state *st, const char *name, char **id,
                                 husk_error_t *err);
/* All secrets, by creation time.  *out is a malloc'd array.  */
int husk_state_secret_list (struct husk_state *st, struct husk_secret_rec **out,
                            size_t *n, husk_error_t *err);
/* Write driver, labels and times of the row with r->id; ENOENT when gone.  */
int husk_state_secret_save (struct husk_state *st, const struct husk_secret_rec *r,
                            husk_error_t *err);
/* Remove the row; ENOENT when there is none.  */
int husk_state_secret_remove (struct husk_state *st, const char *id, husk_error_t *err);

#endif
