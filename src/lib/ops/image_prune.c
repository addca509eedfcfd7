/* SPDX-License-Identifier: GPL-2.0-or-later */
/* image prune: what `podman image prune` removes, for every front end.  */
#include "ops/image_filter.h"
#include "state/containers.h"
#include "util/cleanup.h"
#include "util/strutil.h"

#include <errno.h>

/* Podman prunes only what no container uses, and says nothing about the
   images it leaves for that reason.  */
static bool
in_use (struct husk_engine *e, const char *id)
{
  cleanup_strv char **users = NULL;

  if (husk_state_image_users (e->state, id, &users, NULL) < 0)
    return true; /* unsure: leave it */
  return users != NULL;
}

int
husk_op_image_prune (struct husk_engine *e, char **filters, bool all, char ***removed,
                     char ***failures, husk_error_t *err)
{
  struct husk_image_entry *list = NULL;
  size_t n = 0;

  *removed = NULL;
  *failures = NULL;
  if (husk_op_image_select (e, filters, !all, &list, &n, err) < 0)
    return -1;
  for (size_t i = 0; i < n; i++)
    {
      struct husk_rmi_report rep = { 0 };
      husk_error_t rmerr = NULL;

      if (in_use (e, list[i].rec.id))
        continue;
      if (husk_op_image_remove_id (e, list[i].rec.id, &rep, &rmerr) < 0)
        {
          husk_strv_append (failures, rmerr->msg);
          husk_error_release (&rmerr);
          continue;
        }
      husk_strv_append (removed, list[i].rec.id);
      husk_rmi_report_release (&rep);
    }
  husk_image_entry_array_free (list, n);
  return 0;
}
