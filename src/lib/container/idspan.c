/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * How many IDs an image needs (idmaps.h): --userns=auto sizes the
 * container's range from it, as Podman does from the IDs its layers
 * record and from the image's /etc/passwd and /etc/group.  husk's layers
 * record no IDs, so the image's tree is walked instead: the same order of
 * work as the owner-shifted copy that follows for such a container
 * (storage/idmapped.c), and only for --userns=auto without size=.
 */
#include "container/idmaps.h"

#include "engine/engine.h"
#include "runtime/user.h"
#include "storage/store.h"
#include "util/cleanup.h"
#include "util/log.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <stdlib.h>
#include <unistd.h>

#define NOBODY 65534
/* Deeper trees are not walked further: each level holds a descriptor.  */
#define MAX_DEPTH 128

static void
note (uint32_t *span, uint64_t id)
{
  if (id < UINT32_MAX && id + 1 > *span)
    *span = (uint32_t) id + 1;
}

/* The owners of everything under the directory dfd (closed here), never
   following a link: entries are looked at with AT_SYMLINK_NOFOLLOW and
   directories opened with O_NOFOLLOW.  */
static int
walk (int dfd, int depth, uint32_t *span, husk_error_t *err)
{
  DIR *d = fdopendir (dfd);
  struct dirent *de;

  if (d == NULL)
    {
      close (dfd);
      return husk_error_make (err, errno, "read the image's tree");
    }
  while ((errno = 0, de = readdir (d)) != NULL)
    {
      struct stat st;

      if (strcmp (de->d_name, ".") == 0 || strcmp (de->d_name, "..") == 0)
        continue;
      if (fstatat (dirfd (d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
        continue;
      note (span, st.st_uid);
      note (span, st.st_gid);
      if (S_ISDIR (st.st_mode) && depth < MAX_DEPTH)
        {
          int sub = openat (dirfd (d), de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW
                                                       | O_CLOEXEC);
          if (sub >= 0 && walk (sub, depth + 1, span, err) < 0)
            {
              closedir (d);
              return -1;
            }
        }
    }
  closedir (d);
  return 0;
}

/* The IDs (third field; the group of a passwd line, fourth, too) of the
   names of a passwd or group file, as Podman counts them.  */
static void
names (int rootfd, const char *path, bool passwd, uint32_t *span)
{
  size_t len;
  cleanup_free char *text = husk_user_read_file (rootfd, path, 1 << 22, &len, NULL);

  for (char *line = text, *eol; line && *line; line = eol ? eol + 1 : NULL)
    {
      char *f[5] = { line };
      size_t n = 1;
      eol = strchr (line, '\n');
      if (eol)
        *eol = '\0';
      for (char *p = line; *p && n < 5; p++)
        if (*p == ':')
          *p = '\0', f[n++] = p + 1;
      if (n < (passwd ? 4u : 3u) || strcmp (f[0], "nobody") == 0 || strcmp (f[0], "nogroup") == 0)
        continue;
      for (size_t k = 2; k < (passwd ? 4u : 3u); k++)
        {
          char *end;
          unsigned long long id = strtoull (f[k], &end, 10);
          if (end != f[k] && *end == '\0' && id != NOBODY)
            note (span, id);
        }
    }
}

int
husk_container_image_id_span (struct husk_engine *e, const char *image_chain, uint32_t *span,
                              husk_error_t *err)
{
  cleanup_free char *root = husk_store_image_mount (e->store, image_chain, err);
  int fd, r;

  *span = 0;
  if (root == NULL)
    return -1;
  fd = open (root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0)
    r = husk_error_make (err, errno, "open '%s'", root);
  else
    {
      names (fd, "/etc/passwd", true, span);
      names (fd, "/etc/group", false, span);
      r = walk (fd, 0, span, err);
    }
  {
    husk_error_t uerr = NULL;
    if (husk_store_image_unmount (e->store, image_chain, false, &uerr) < 0)
      husk_error_drop (&uerr, "unmount image '%s'", image_chain);
  }
  return r;
}
