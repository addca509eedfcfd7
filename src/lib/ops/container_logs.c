/* SPDX-License-Identifier: GPL-2.0-or-later */
/* `logs`: where a container's log is and when following it ends (the
   monitor's exit file), so that front ends only print records.  */
#include "ops/container_logs.h"
#include "ops/container.h"
#include "util/cleanup.h"
#include "util/fileutil.h"
#include "util/strutil.h"

#include <errno.h>
#include <string.h>

int
husk_op_container_logs (struct husk_engine *e, const char *ref,
                        const struct husk_logs_opts *o, husk_log_cb cb, void *data,
                        husk_error_t *err)
{
  cleanup_free char *path = NULL, *driver = NULL, *id = NULL, *run = NULL, *exitf = NULL;
  struct husk_log_filter f = { .since_ns = o->since_ns, .until_ns = o->until_ns,
                               .tail = o->tail, .follow = o->follow };

  if (husk_op_container_log (e, ref, &path, &driver, &id, err) < 0)
    return -1;
  if (strcmp (driver, "none") == 0 || strcmp (driver, "passthrough") == 0)
    return husk_error_makex (err, EINVAL, "this container is using the '%s' log driver, "
                             "cannot read logs", driver);
  run = husk_op_container_rundir (e, id);
  exitf = husk_asprintf ("%s/%s", run, HUSK_MONITOR_EXIT);
  f.exit_file = exitf;
  if (f.follow && !husk_path_exists (run))
    f.follow = false;
  if (!husk_path_exists (path))
    return 0;
  return husk_log_read (path, driver, &f, cb, data, err);
}
