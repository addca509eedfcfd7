/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * top, stats and inspect: the views of one container.  The work is in
 * container/ (top.c, stats.c, inspect.c); these resolve the container and
 * check its state with Podman's wording.
 */
#include "ops/container.h"
#include "runtime/spec.h"
#include "ops/container_ps.h"
#include "container/inspect.h"
#include "container/lifecycle.h"
#include "container/stats.h"
#include "container/top.h"
#include "util/cleanup.h"

#include <errno.h>
#include <string.h>

json_t *
husk_op_container_top (struct husk_engine *e, const char *ref, char *const *words,
                       husk_error_t *err)
{
  cleanup_container_rec struct husk_container_rec r = { 0 };

  if (husk_container_top_check (words, err) < 0)
    return NULL;
  if (husk_container_load (e, ref, &r, err) < 0)
    return NULL;
  if (strcmp (r.state, "running") != 0 && strcmp (r.state, "paused") != 0)
    return husk_error_makex (err, EBUSY, "top can only be used on running containers"), NULL;
  return husk_container_top (&r, words, err);
}

int
husk_op_container_stats (struct husk_engine *e, const char *ref,
                         struct husk_container_stats *s, husk_error_t *err)
{
  cleanup_container_rec struct husk_container_rec r = { 0 };

  memset (s, 0, sizeof *s);
  /* Rootless containers have no cgroup on v1 (spec-linux.c): nothing
     counts their memory, CPU or pids.  Podman's words.  */
  if (e->rootless && !husk_spec_host_cgroup2 ())
    return husk_error_makex (err, ENOTSUP, "stats is not supported in rootless mode without "
                             "cgroups v2");
  if (husk_container_load (e, ref, &r, err) < 0)
    return -1;
  if (husk_container_cgroup_disabled (&r))
    return husk_error_makex (err, ENOTSUP, "cannot get the stats of container %s "
                             "(--cgroups=disabled): this container does not have a cgroup", r.id);
  return husk_container_stats (&r, s, err);
}

json_t *
husk_op_container_inspect_sized (struct husk_engine *e, const char *ref, bool size,
                                 husk_error_t *err)
{
  cleanup_container_rec struct husk_container_rec r = { 0 };
  struct husk_container_size sz;

  if (husk_container_load (e, ref, &r, err) < 0)
    return NULL;
  if (size && husk_container_size (e, &r, &sz, err) < 0)
    return NULL;
  return husk_container_inspect (e, &r, size ? &sz : NULL);
}

json_t *
husk_op_container_inspect (struct husk_engine *e, const char *ref, husk_error_t *err)
{
  return husk_op_container_inspect_sized (e, ref, false, err);
}
