/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The pull's download cache, <store>/cache/blobs/sha256/<hex>: a layer
 * blob that finished downloading and hashed to its digest is linked here
 * (it is the pull's unnamed temporary file, so no copy) until the pull
 * that fetched it records its image.  A pull that fails, or is killed,
 * leaves its finished blobs, and the next pull of a manifest naming them
 * reads them from here instead of the registry.  Nothing here is an image
 * or a layer: a cache file is hashed again before it is used, and one
 * that does not match (cut short by a crash: the link is not fsync'd) is
 * deleted and downloaded again.  Entries older than a day, or beyond
 * 2 GiB in all, are dropped when a pull starts; system reset removes it
 * with the rest of the store.
 */
#include "ops/image-pull.h"

#include "engine/engine.h"
#include "storage/store.h"
#include "util/cleanup.h"
#include "util/digest.h"
#include "util/fileutil.h"
#include "util/log.h"
#include "util/strutil.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define CACHE_MAX_AGE (24 * 3600)
#define CACHE_MAX_BYTES ((int64_t) 2 << 30)

static char *
cache_path (struct husk_engine *e)
{
  cleanup_free char *dir = husk_store_cache_dir (e->store);

  return husk_asprintf ("%s/blobs/sha256", dir);
}

/* The cache directory, made when make is set.  Return: fd, or -1.  */
static int
cache_dir (struct husk_engine *e, bool make)
{
  cleanup_free char *path = cache_path (e);
  husk_error_t err = NULL;

  if (make && husk_mkdir_p (path, 0700, &err) < 0)
    {
      husk_error_drop (&err, "download cache");
      return -1;
    }
  return open (path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
}

/* "sha256:<hex>" names a cache file; any other digest none.  */
static const char *
cache_name (const char *digest)
{
  if (!husk_has_prefix (digest, "sha256:") || !husk_digest_valid (digest))
    return NULL;
  return digest + 7;
}

/* Whether fd holds exactly size bytes hashing to hex.  */
static bool
intact (int fd, const char *hex, int64_t size)
{
  struct husk_sha256 *h = husk_sha256_new ();
  char got[HUSK_SHA256_HEX_LEN + 1], buf[64 * 1024];
  int64_t total = 0;
  ssize_t n;

  while ((n = read (fd, buf, sizeof buf)) > 0)
    {
      husk_sha256_update (h, buf, (size_t) n);
      total += n;
    }
  husk_sha256_final (h, got);
  return n == 0 && total == size && strcmp (got, hex) == 0
         && lseek (fd, 0, SEEK_SET) == 0;
}

int
husk_op_pull_cache_open (struct husk_engine *e, const char *digest, int64_t size)
{
  const char *hex = cache_name (digest);
  int dfd, fd;

  if (hex == NULL || (dfd = cache_dir (e, false)) < 0)
    return -1;
  fd = openat (dfd, hex, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (fd >= 0 && !intact (fd, hex, size))
    {
      husk_log_info ("download cache: blob %s is damaged; downloading it again", digest);
      unlinkat (dfd, hex, 0);
      close (fd);
      fd = -1;
    }
  close (dfd);
  return fd;
}

void
husk_op_pull_cache_keep (struct husk_engine *e, const char *digest, int fd)
{
  const char *hex = cache_name (digest);
  cleanup_free char *src = husk_asprintf ("/proc/self/fd/%d", fd);
  cleanup_free char *tmp = NULL;
  int dfd;

  if (hex == NULL || (dfd = cache_dir (e, true)) < 0)
    return;
  /* Under a temporary name first: a reader sees the whole file or none.  */
  tmp = husk_asprintf (".tmp-%s-%d", hex, (int) getpid ());
  unlinkat (dfd, tmp, 0);
  if (linkat (AT_FDCWD, src, dfd, tmp, AT_SYMLINK_FOLLOW) < 0
      || renameat (dfd, tmp, dfd, hex) < 0)
    {
      husk_log_debug ("download cache: keep blob %s: %s", digest, strerror (errno));
      unlinkat (dfd, tmp, 0);
    }
  else
    husk_log_debug ("download cache: kept blob %s", digest);
  close (dfd);
}

void
husk_op_pull_cache_drop (struct husk_engine *e, const char *digest)
{
  const char *hex = cache_name (digest);
  int dfd;

  if (hex == NULL || (dfd = cache_dir (e, false)) < 0)
    return;
  if (unlinkat (dfd, hex, 0) == 0)
    husk_log_debug ("download cache: dropped blob %s", digest);
  close (dfd);
}

struct entry
{
  char *name;
  time_t mtime;
  int64_t size;
};

static int
newest_first (const void *a, const void *b)
{
  const struct entry *x = a, *y = b;

  return (x->mtime < y->mtime) - (x->mtime > y->mtime);
}

void
husk_op_pull_cache_trim (struct husk_engine *e)
{
  int dfd = cache_dir (e, false);
  struct entry *list = NULL;
  size_t n = 0;
  int64_t total = 0;
  time_t now = time (NULL);
  struct dirent *d;
  DIR *dir;

  if (dfd < 0 || (dir = fdopendir (dfd)) == NULL)
    {
      if (dfd >= 0)
        close (dfd);
      return;
    }
  while ((d = readdir (dir)) != NULL)
    {
      struct stat st;
      if (d->d_name[0] == '.' && (d->d_name[1] == '\0' || strcmp (d->d_name, "..") == 0))
        continue;
      if (fstatat (dirfd (dir), d->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISREG (st.st_mode))
        continue;
      list = husk_xrealloc (list, (n + 1) * sizeof *list);
      list[n++] = (struct entry) { husk_xstrdup (d->d_name), st.st_mtime, st.st_size };
    }
  qsort (list, n, sizeof *list, newest_first);
  for (size_t i = 0; i < n; i++)
    {
      total += list[i].size;
      if (now - list[i].mtime > CACHE_MAX_AGE || total > CACHE_MAX_BYTES)
        {
          husk_log_debug ("download cache: dropped %s (old, or over the cap)", list[i].name);
          unlinkat (dirfd (dir), list[i].name, 0);
        }
      free (list[i].name);
    }
  free (list);
  closedir (dir);
}
