/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Volume rows of the state database.  The files of a volume live under
   <root>/volumes/<name>/ (volume/volume.h); a row exists for every volume
   the store knows, and its name is the key.  */
#ifndef HUSK_STATE_VOLUMES_H
#define HUSK_STATE_VOLUMES_H

#include "state/state.h"

#include <stdbool.h>
#include <stdint.h>

struct husk_volume_rec
{
  char *name;         /* [a-zA-Z0-9][a-zA-Z0-9_.-]* */
  char *driver;       /* "local" */
  char *labels;       /* JSON object text, string values */
  char *options;      /* JSON object text: "type", "device", "o" */
  bool anonymous;     /* made for a container's "-v /dst": rm -v removes it */
  bool needs_copy_up; /* the first container to use it seeds it from its image */
  bool needs_chown;   /* the first container to use it gives it its owner */
  int64_t created;    /* nanoseconds since epoch */
};

void husk_volume_rec_release (struct husk_volume_rec *r);
void husk_volume_rec_array_free (struct husk_volume_rec *a, size_t n);

/* Add a row.  EEXIST "volume with name ... already exists" when taken.  */
int husk_state_volume_add (struct husk_state *st, const struct husk_volume_rec *r,
                           husk_error_t *err);
/* The row of exactly this name; ENOENT when none.  */
int husk_state_volume_get (struct husk_state *st, const char *name,
                           struct husk_volume_rec *out, husk_error_t *err);
/* Resolve a full name or a unique name prefix.  ENOENT when nothing
   matches; EINVAL when a prefix matches several.  */
int husk_state_volume_lookup (struct husk_state *st, const char *ref, char **name,
                              husk_error_t *err);
/* All volumes, by name.  *out is a malloc'd array.  */
int husk_state_volume_list (struct husk_state *st, struct husk_volume_rec **out,
                            size_t *n, husk_error_t *err);
/* Write the flags (needs_copy_up, needs_chown, anonymous), labels and
   options of the row named r->name.  ENOENT when it is gone.  */
int husk_state_volume_save (struct husk_state *st, const struct husk_volume_rec *r,
                            husk_error_t *err);
/* Remove the row; ENOENT when there is none.  */
int husk_state_volume_remove (struct husk_state *st, const char *name,
                              husk_error_t *err);

#endif
