/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Removing a stopped container: the runtime's record, the mount, the
 * read-write layer, the bundle and run directories, then the row, and
 * the --cidfile if it still holds the container's ID.
 */
#include "container/lifecycle.h"
#include "container/netbridge.h"
#include "events/events.h"
#include "util/cleanup.h"
#include "util/fileutil.h"
#include "util/log.h"
#include "util/strutil.h"
#include "storage/store.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The --cidfile goes with the container, as in Podman 5, but only while
   it still holds this container's ID: never through a symlink (O_NOFOLLOW
   on the last component), never a file that is not regular (O_NONBLOCK: a
   FIFO does not hang us), never one that another container or the user
   wrote since, and only the file that was checked (same inode, removed
   relative to its directory).  "cidfile_path" is the absolute path create
   recorded; "cidfile" as given serves when it is absolute.  */
static void
remove_cidfile (const struct husk_container_rec *r)
{
  cleanup_json json_t *c = r->config ? json_loads (r->config, 0, NULL) : NULL;
  const char *path = json_string_value (json_object_get (c, "cidfile_path"));
  cleanup_free char *dir = NULL;
  cleanup_close int dfd = -1, fd = -1;
  size_t idlen = strlen (r->id);
  struct stat st, now;
  const char *base;
  char buf[128];
  ssize_t n;

  if (path == NULL)
    path = json_string_value (json_object_get (c, "cidfile"));
  if (path == NULL || path[0] != '/')
    return;
  base = strrchr (path, '/') + 1;
  if (*base == '\0')
    return;
  dir = husk_xstrndup (path, base - path == 1 ? 1 : (size_t) (base - path - 1));
  dfd = open (dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (dfd < 0)
    return;
  fd = openat (dfd, base, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
  if (fd < 0 || fstat (fd, &st) < 0 || !S_ISREG (st.st_mode))
    return;
  n = read (fd, buf, sizeof buf);
  if (n < 0 || (size_t) n < idlen || memcmp (buf, r->id, idlen) != 0
      || ((size_t) n > idlen && !((size_t) n == idlen + 1 && buf[idlen] == '\n')))
    return; /* not (or no longer) ours */
  if (fstatat (dfd, base, &now, AT_SYMLINK_NOFOLLOW) < 0 || now.st_dev != st.st_dev
      || now.st_ino != st.st_ino)
    return;
  if (unlinkat (dfd, base, 0) < 0)
    husk_log_debug ("remove %s: cidfile '%s': %s", r->id, path, strerror (errno));
}

/* A monitor that may still run the exit command ends first, unless it
   runs us (HUSK_CLEANUP_BY_MONITOR) or waits for us (handed over).
   trash: NULL, or (handed over) set to the store's work directory whose
   deleting the waiting monitor takes over, so that a foreground `run
   --rm` returns without doing it.  */
int
husk_container_remove (struct husk_engine *e, struct husk_container_rec *r, unsigned flags,
                       char **trash, husk_error_t *err)
{
  bool handed_over = flags & HUSK_CLEANUP_HANDED_OVER;
  husk_error_t derr = NULL;
  cleanup_free char *dir = husk_container_bundle_dir (e, r->id), *run = husk_container_rundir (e, r->id);
  int ret;

  if (!handed_over && !(flags & HUSK_CLEANUP_BY_MONITOR) && r->monitor_pid > 0)
    husk_container_await_monitor (r, 5000);
  husk_container_release (e, r, !handed_over);
  ret = trash ? husk_store_container_remove_later (e->store, r->id, dir, trash, err)
              : husk_store_container_remove (e->store, r->id, err);
  /* A create killed half-way may have left a row without its layer.  */
  if (ret < 0)
    {
      if ((*err)->code != ENOENT)
        return -1;
      husk_error_release (err);
    }
  if (husk_rm_rf (run, &derr) < 0)
    husk_error_drop (&derr, "remove %s: run directory", r->id);
  /* Moved to the trash, unless there was none.  */
  if (husk_rm_rf (dir, &derr) < 0)
    husk_error_drop (&derr, "remove %s: bundle directory", r->id);
  if (husk_state_container_remove (e->state, r->id, err) < 0)
    return -1;
  {
    /* Its address returns, host-wide (network/bridge.h).  */
    cleanup_json json_t *c = r->config ? json_loads (r->config, 0, NULL) : NULL;
    husk_container_bridge_release (e, c, r->id);
  }
  remove_cidfile (r);
  husk_events_container (e->state, r, "remove", 0, NULL);
  return 0;
}
