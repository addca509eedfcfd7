/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Writing a volume's content as a tar (`husk volume export`).  The walk
 * holds one directory fd per level and opens every entry with O_NOFOLLOW
 * relative to its parent, so a symlink planted by a container (even while
 * the export runs) is archived as a link and never followed.  Hard links
 * are found by libarchive's link resolver; the first path of an inode
 * carries the data.  Depth is capped so the walk's fds stay bounded.
 */
#include "volume/volume.h"
#include "util/cleanup.h"
#include "util/strutil.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define EXPORT_MAX_DEPTH 256
#define EXPORT_BUFSIZE (128 * 1024)

DEFINE_CLEANUP (struct archive *, archive_write_free)
DEFINE_CLEANUP (struct archive_entry *, archive_entry_free)
DEFINE_CLEANUP (struct archive_entry_linkresolver *, archive_entry_linkresolver_free)

struct export_ctx
{
  struct archive *a;
  struct archive_entry_linkresolver *links;
  struct husk_buf path; /* relative path of the current entry */
  char *buf;
};

static int
archive_fail (struct export_ctx *c, husk_error_t *err)
{
  return husk_error_makex (err, EIO, "write '%s': %s", c->path.data,
                           archive_error_string (c->a));
}

static int
write_data (struct export_ctx *c, int fd, int64_t size, husk_error_t *err)
{
  int64_t done = 0;

  while (done < size)
    {
      ssize_t n = read (fd, c->buf, EXPORT_BUFSIZE);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        return husk_error_make (err, errno, "read '%s'", c->path.data);
      if (n == 0)
        break;
      /* A file that grew meanwhile is cut at the size in its header.  */
      if (n > size - done)
        n = (ssize_t) (size - done);
      if (archive_write_data (c->a, c->buf, (size_t) n) < 0)
        return archive_fail (c, err);
      done += n;
    }
  /* One that shrank is padded, so the archive stays well-formed.  */
  memset (c->buf, 0, EXPORT_BUFSIZE);
  while (done < size)
    {
      size_t n = size - done > EXPORT_BUFSIZE ? EXPORT_BUFSIZE : (size_t) (size - done);
      if (archive_write_data (c->a, c->buf, n) < 0)
        return archive_fail (c, err);
      done += (int64_t) n;
    }
  return 0;
}

static int export_dir (struct export_ctx *c, int dfd, int depth, husk_error_t *err);

/* Archive the entry name of directory dfd; c->path holds its path.  */
static int
export_entry (struct export_ctx *c, int dfd, const char *name, int depth, husk_error_t *err)
{
  cleanup (archive_entry_free) struct archive_entry *e = archive_entry_new ();
  struct archive_entry *spare = NULL;
  cleanup_close int fd = -1;
  struct stat st;

  if (fstatat (dfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
    return husk_error_make (err, errno, "stat '%s'", c->path.data);
  if (S_ISSOCK (st.st_mode))
    return 0;
  if (S_ISREG (st.st_mode) || S_ISDIR (st.st_mode))
    {
      fd = openat (dfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC
                                  | (S_ISDIR (st.st_mode) ? O_DIRECTORY : 0));
      /* Stat the opened file: it is the one whose data goes out.  */
      if (fd < 0 || fstat (fd, &st) < 0)
        return husk_error_make (err, errno, "open '%s'", c->path.data);
    }
  archive_entry_copy_stat (e, &st);
  if (!S_ISREG (st.st_mode))
    archive_entry_set_size (e, 0);
  if (S_ISDIR (st.st_mode))
    husk_buf_putc (&c->path, '/');
  archive_entry_set_pathname (e, c->path.data);
  if (S_ISLNK (st.st_mode))
    {
      char target[PATH_MAX];
      ssize_t n = readlinkat (dfd, name, target, sizeof target - 1);
      if (n < 0)
        return husk_error_make (err, errno, "read link '%s'", c->path.data);
      target[n] = '\0';
      archive_entry_set_symlink (e, target);
    }
  if (!S_ISDIR (st.st_mode))
    {
      /* The tar strategy never defers an entry: spare stays NULL.  */
      archive_entry_linkify (c->links, &e, &spare);
      archive_entry_free (spare);
    }
  if (archive_write_header (c->a, e) < ARCHIVE_WARN)
    return archive_fail (c, err);
  if (S_ISREG (st.st_mode) && archive_entry_size (e) > 0
      && write_data (c, fd, archive_entry_size (e), err) < 0)
    return -1;
  if (S_ISDIR (st.st_mode))
    return export_dir (c, fd, depth + 1, err);
  return 0;
}

/* Archive the entries of the directory fd (borrowed).  */
static int
export_dir (struct export_ctx *c, int fd, int depth, husk_error_t *err)
{
  int dup_fd;
  cleanup_dir DIR *d = NULL;
  struct dirent *de;
  size_t base = c->path.len;

  if (depth > EXPORT_MAX_DEPTH)
    return husk_error_makex (err, ELOOP, "export '%s': directories nested deeper than %d",
                             c->path.data, EXPORT_MAX_DEPTH);
  dup_fd = openat (fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dup_fd < 0 || (d = fdopendir (dup_fd)) == NULL)
    {
      if (dup_fd >= 0)
        close (dup_fd);
      return husk_error_make (err, errno, "open directory '%s'", c->path.data);
    }
  while ((errno = 0, de = readdir (d)) != NULL)
    {
      if (strcmp (de->d_name, ".") == 0 || strcmp (de->d_name, "..") == 0)
        continue;
      c->path.len = base;
      c->path.data[base] = '\0';
      husk_buf_puts (&c->path, de->d_name);
      if (export_entry (c, dirfd (d), de->d_name, depth, err) < 0)
        return -1;
      if (c->path.len > base)
        c->path.data[c->path.len = base] = '\0';
      errno = 0;
    }
  if (errno)
    return husk_error_make (err, errno, "read directory '%s'", c->path.data);
  return 0;
}

int
husk_volume_export (int data_fd, int out_fd, husk_error_t *err)
{
  cleanup (archive_write_free) struct archive *a = archive_write_new ();
  cleanup (archive_entry_linkresolver_free) struct archive_entry_linkresolver *links
      = archive_entry_linkresolver_new ();
  cleanup_free char *buf = husk_xmalloc (EXPORT_BUFSIZE);
  struct export_ctx c = { .a = a, .links = links, .buf = buf };
  int ret;

  archive_write_set_format_pax_restricted (a);
  archive_write_set_bytes_in_last_block (a, 1);
  archive_entry_linkresolver_set_strategy (links, archive_format (a));
  if (archive_write_open_fd (a, out_fd) != ARCHIVE_OK)
    return husk_error_makex (err, EIO, "open archive: %s", archive_error_string (a));
  husk_buf_puts (&c.path, "");
  ret = export_dir (&c, data_fd, 0, err);
  husk_buf_release (&c.path);
  if (ret < 0)
    return -1;
  if (archive_write_close (a) != ARCHIVE_OK)
    return husk_error_makex (err, EIO, "finish archive: %s", archive_error_string (a));
  return 0;
}
