/* SPDX-License-Identifier: GPL-2.0-or-later */
/* pause and unpause: freezing and thawing a container through its runtime. */
#include "container/lifecycle.h"
#include "runtime/runtime.h"
#include "util/cleanup.h"
#include "util/strutil.h"

#include <string.h>

/* Move the row from one state to another in one transaction, unless
   something else changed it meanwhile.  */
static int
switch_state (struct husk_engine *e, const char *id, const char *from, const char *to,
              husk_error_t *err)
{
  cleanup_container_rec struct husk_container_rec r = { 0 };
  int ret = 0;

  if (husk_state_begin (e->state, err) < 0)
    return -1;
  if (husk_state_container_get (e->state, id, &r, err) < 0)
    {
      husk_state_rollback (e->state);
      return -1;
    }
  if (strcmp (r.state, from) == 0)
    {
      free (r.state);
      r.state = husk_xstrdup (to);
      ret = husk_state_container_save (e->state, &r, err);
    }
  if (ret == 0)
    ret = husk_state_commit (e->state, err);
  else
    husk_state_rollback (e->state);
  return ret;
}

int
husk_container_pause (struct husk_engine *e, struct husk_container_rec *r, bool pause,
                      husk_error_t *err)
{
  cleanup (husk_runtime_free) struct husk_runtime *rt = husk_container_runtime (e, r, err);

  if (rt == NULL || (pause ? husk_runtime_pause (rt, r->id, err)
                           : husk_runtime_resume (rt, r->id, err)) < 0)
    return -1;
  return switch_state (e, r->id, pause ? "running" : "paused", pause ? "paused" : "running", err);
}
