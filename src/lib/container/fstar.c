/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Writing file trees as tar streams.
 *
 * Theory of operation: the walk holds one directory fd per level and
 * reaches every object with fstatat(AT_SYMLINK_NOFOLLOW) relative to its
 * parent.  The header is built from that stat; the content is read from a
 * descriptor opened with O_NOFOLLOW, whose fstat must show the same inode,
 * so an object replaced meanwhile (say by a symlink to a host file, in a
 * running container) is left out (with a warning) rather than read.
 * Directories are opened with O_DIRECTORY | O_NOFOLLOW, so a symlink never
 * becomes a directory of the walk.  Depth is capped, which bounds the fds
 * held and the stack.
 * Hard links are found by libarchive's link resolver (the first path of an
 * inode carries the data); libarchive writes pax, so long names, large
 * files, nanosecond times and xattrs survive.
 *
 * Sparse files (opts.sparse): the data regions are found with SEEK_DATA /
 * SEEK_HOLE on the open descriptor and given to libarchive as the entry's
 * sparse map, which it writes as a pax GNU.sparse 1.0 entry (the map, then
 * the data regions only).  The whole file is still handed to
 * archive_write_data() in order, holes as a zero buffer that the writer
 * drops, so the stream is exactly what the map promises even when the
 * file changes meanwhile: a region that shrank reads as zeros, data
 * written into a hole is not archived.  The map is capped at
 * FSTAR_MAX_SPARSE regions by treating the shortest holes as data, so a
 * file of alternating blocks cannot make the header huge.
 */
#include "container/fstar.h"
#include "util/idmap.h"
#include "util/cleanup.h"
#include "util/log.h"
#include "util/strutil.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#define FSTAR_MAX_DEPTH 512
#define FSTAR_BUFSIZE (128 * 1024)
#define FSTAR_MAX_SPARSE 1024          /* data regions in one sparse map */
#define FSTAR_MAX_SCAN (1024 * 1024)   /* regions looked at before giving up */
#define WHITEOUT_PREFIX ".wh."
#define WHITEOUT_OPAQUE ".wh..wh..opq"

DEFINE_CLEANUP (struct archive_entry *, archive_entry_free)
DEFINE_CLEANUP (struct archive *, archive_read_free)

struct husk_fstar
{
  struct archive *a;
  struct archive_entry_linkresolver *links;
  struct husk_fstar_opts o;
  int fd;
  bool socket;
  char *buf;
};

/* Output.  */

static la_ssize_t
write_cb (struct archive *a, void *data, const void *buf, size_t len)
{
  struct husk_fstar *w = data;
  const char *p = buf;
  size_t left = len;

  while (left > 0)
    {
      ssize_t n = w->socket ? send (w->fd, p, left, MSG_NOSIGNAL) : write (w->fd, p, left);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        {
          archive_set_error (a, n < 0 ? errno : EIO, "write: %s",
                             strerror (n < 0 ? errno : EIO));
          return -1;
        }
      p += n;
      left -= (size_t) n;
    }
  return (la_ssize_t) len;
}

struct husk_fstar *
husk_fstar_new (int out_fd, const struct husk_fstar_opts *o, husk_error_t *err)
{
  struct husk_fstar *w = husk_xzalloc (sizeof *w);
  struct stat st;

  w->fd = out_fd;
  w->socket = fstat (out_fd, &st) == 0 && S_ISSOCK (st.st_mode);
  w->o = *o;
  w->buf = husk_xmalloc (FSTAR_BUFSIZE);
  w->a = archive_write_new ();
  w->links = archive_entry_linkresolver_new ();
  if (w->a == NULL || w->links == NULL)
    abort ();
  archive_entry_linkresolver_set_strategy (w->links, ARCHIVE_FORMAT_TAR_PAX_RESTRICTED);
  if (archive_write_set_format_pax_restricted (w->a) != ARCHIVE_OK
      || archive_write_add_filter_none (w->a) != ARCHIVE_OK
      || archive_write_open (w->a, w, NULL, write_cb, NULL) != ARCHIVE_OK)
    {
      husk_error_makex (err, EIO, "start tar stream: %s", archive_error_string (w->a));
      husk_fstar_free (w);
      return NULL;
    }
  return w;
}

void
husk_fstar_free (struct husk_fstar *w)
{
  if (w == NULL)
    return;
  archive_write_free (w->a);
  archive_entry_linkresolver_free (w->links);
  free (w->buf);
  free (w);
}

int
husk_fstar_finish (struct husk_fstar *w, husk_error_t *err)
{
  if (archive_write_close (w->a) != ARCHIVE_OK)
    return husk_error_makex (err, archive_errno (w->a) > 0 ? archive_errno (w->a) : EIO,
                             "finish tar stream: %s", archive_error_string (w->a));
  return 0;
}

static int
archive_fail (struct husk_fstar *w, const char *path, husk_error_t *err)
{
  int code = archive_errno (w->a);

  return husk_error_makex (err, code > 0 ? code : EIO, "archive '%s': %s", path,
                           archive_error_string (w->a));
}

/* Objects.  */

/* Open name in dirfd (or dirfd itself when name is "") for reading.  */
static int
reopen (int dirfd, const char *name, int flags)
{
  char proc[64];

  flags |= O_CLOEXEC | O_NOCTTY | O_NONBLOCK;
  if (*name)
    return openat (dirfd, name, flags | O_NOFOLLOW);
  if (flags & O_DIRECTORY)
    return openat (dirfd, ".", flags);
  /* Our own descriptor, so the magic link names exactly that inode.  */
  snprintf (proc, sizeof proc, "/proc/self/fd/%d", dirfd);
  return open (proc, flags);
}

/* Open an object for its content and check it is still the one stat saw.
   Return: the fd; -2 when it went away or was replaced meanwhile (by a
   running container: the entry is left out); -1 on errors.  */
static int
open_same (int dirfd, const char *name, const struct stat *st, const char *path,
           husk_error_t *err)
{
  cleanup_close int fd = reopen (dirfd, name, S_ISDIR (st->st_mode) ? O_RDONLY | O_DIRECTORY
                                                                     : O_RDONLY);
  struct stat now;

  if (fd < 0 && (errno == ENOENT || errno == ELOOP || errno == ENOTDIR))
    return -2;
  if (fd < 0)
    return husk_error_make (err, errno, "open '%s'", path);
  if (fstat (fd, &now) < 0)
    return husk_error_make (err, errno, "stat '%s'", path);
  if (now.st_ino != st->st_ino || now.st_dev != st->st_dev
      || (now.st_mode & S_IFMT) != (st->st_mode & S_IFMT))
    return -2;
  return steal_fd (&fd);
}

static bool
overlay_xattr (const char *name)
{
  return husk_has_prefix (name, "trusted.overlay.") || husk_has_prefix (name, "user.overlay.");
}

static void
add_xattrs (struct archive_entry *e, int fd)
{
  ssize_t len = flistxattr (fd, NULL, 0);
  cleanup_free char *names = NULL;

  if (len <= 0)
    return;
  names = husk_xmalloc ((size_t) len);
  len = flistxattr (fd, names, (size_t) len);
  for (ssize_t off = 0; len > 0 && off < len; off += (ssize_t) strlen (names + off) + 1)
    {
      const char *n = names + off;
      cleanup_free char *value = NULL;
      ssize_t vlen;

      if (overlay_xattr (n) || (vlen = fgetxattr (fd, n, NULL, 0)) < 0)
        continue;
      value = husk_xmalloc ((size_t) vlen + 1);
      vlen = fgetxattr (fd, n, value, (size_t) vlen);
      if (vlen >= 0)
        archive_entry_xattr_add_entry (e, n, value, (size_t) vlen);
    }
}

static bool
overlay_opaque (int dirfd)
{
  char v[4];

  return (fgetxattr (dirfd, "trusted.overlay.opaque", v, sizeof v) == 1 && v[0] == 'y')
         || (fgetxattr (dirfd, "user.overlay.opaque", v, sizeof v) == 1 && v[0] == 'y')
         || (fgetxattr (dirfd, "user.fuseoverlayfs.opaque", v, sizeof v) == 1 && v[0] == 'y');
}

bool
husk_fstar_fuse_mark (int dirfd, const char *name, const struct stat *st)
{
  if (strcmp (name, WHITEOUT_OPAQUE) == 0 && S_ISREG (st->st_mode))
    return overlay_opaque (dirfd);
  if (strcmp (name, WHITEOUT_PREFIX ".opq") == 0 && S_ISCHR (st->st_mode)
      && st->st_rdev == makedev (0, 0))
    return overlay_opaque (dirfd);
  return false;
}

bool
husk_fstar_fuse_whiteout (const char *name, const struct stat *st)
{
  return husk_has_prefix (name, WHITEOUT_PREFIX) && strcmp (name, WHITEOUT_OPAQUE) != 0
         && name[strlen (WHITEOUT_PREFIX)] != '\0' && S_ISREG (st->st_mode) && st->st_size == 0;
}

/* Write len bytes of fd from off (zeros past its end: the header
   promised them) into the entry.  */
static int
write_range (struct husk_fstar *w, int fd, int64_t off, int64_t len, const char *path,
             husk_error_t *err)
{
  bool eof = false;

  while (len > 0)
    {
      size_t want = len < FSTAR_BUFSIZE ? (size_t) len : FSTAR_BUFSIZE;
      ssize_t n = eof ? 0 : pread (fd, w->buf, want, off);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        return husk_error_make (err, errno, "read '%s'", path);
      if (n == 0)
        {
          /* Shrunk meanwhile.  */
          eof = true;
          memset (w->buf, 0, want);
          n = (ssize_t) want;
        }
      if (archive_write_data (w->a, w->buf, (size_t) n) != n)
        return archive_fail (w, path, err);
      off += n;
      len -= n;
    }
  return 0;
}

/* A hole of len bytes: zeros, which the writer drops (they are a hole in
   the entry's sparse map).  */
static int
write_hole (struct husk_fstar *w, int64_t len, const char *path, husk_error_t *err)
{
  memset (w->buf, 0, FSTAR_BUFSIZE);
  while (len > 0)
    {
      size_t n = len < FSTAR_BUFSIZE ? (size_t) len : FSTAR_BUFSIZE;
      if (archive_write_data (w->a, w->buf, n) != (la_ssize_t) n)
        return archive_fail (w, path, err);
      len -= (int64_t) n;
    }
  return 0;
}

/* Write the entry's data: the regions of its sparse map, or all of it.  */
static int
write_data (struct husk_fstar *w, int fd, struct archive_entry *e, const char *path,
            husk_error_t *err)
{
  int64_t size = archive_entry_size (e), pos = 0;
  la_int64_t off, len;

  if (archive_entry_sparse_reset (e) == 0)
    return write_range (w, fd, 0, size, path, err);
  while (archive_entry_sparse_next (e, &off, &len) == ARCHIVE_OK)
    {
      if (write_hole (w, off - pos, path, err) < 0
          || write_range (w, fd, off, len, path, err) < 0)
        return -1;
      pos = off + len;
    }
  return write_hole (w, size - pos, path, err);
}

struct region
{
  int64_t off, len;
};

/* The data regions of fd (size bytes), at most FSTAR_MAX_SPARSE, in *out.
   Return: how many, or -1 when the file is better archived whole (no
   hole, SEEK_DATA unsupported, too many regions).  */
static ssize_t
data_regions (int fd, int64_t size, struct region **out)
{
  struct region *r = NULL;
  size_t n = 0, cap = 0;
  int64_t pos = 0, data = 0;

  while (pos < size)
    {
      off_t start = lseek (fd, pos, SEEK_DATA), end;

      if (start < 0 && errno == ENXIO)
        break; /* a hole up to the end */
      if (start < 0 || (end = lseek (fd, start, SEEK_HOLE)) < 0 || n >= FSTAR_MAX_SCAN)
        {
          free (r);
          return -1;
        }
      if (end > size)
        end = size;
      if (start >= end)
        break;
      if (n == cap)
        {
          cap = cap ? 2 * cap : 16;
          r = husk_xrealloc (r, cap * sizeof *r);
        }
      r[n++] = (struct region){ start, end - start };
      data += end - start;
      pos = end;
    }
  if (data == size)
    {
      free (r);
      return -1;
    }
  /* Too many regions: take ever longer holes as data.  */
  for (int64_t gap = 4096; n > FSTAR_MAX_SPARSE; gap *= 2)
    {
      size_t k = 0;

      for (size_t i = 1; i < n; i++)
        if (r[i].off - (r[k].off + r[k].len) < gap)
          r[k].len = r[i].off + r[i].len - r[k].off;
        else
          r[++k] = r[i];
      n = k + 1;
    }
  *out = r;
  return (ssize_t) n;
}

/* Give e the sparse map of fd when it has holes.  */
static void
add_sparse_map (struct archive_entry *e, int fd, int64_t size)
{
  struct region *r = NULL;
  ssize_t n;

  if (size <= 0 || (n = data_regions (fd, size, &r)) < 0)
    return;
  for (ssize_t i = 0; i < n; i++)
    archive_entry_sparse_add_entry (e, r[i].off, r[i].len);
  /* No data at all: one empty region at the end, as GNU tar writes it,
     or libarchive would see no map and write the zeros.  */
  if (n == 0)
    archive_entry_sparse_add_entry (e, size, 0);
  free (r);
}

static struct archive_entry *
entry_from_stat (struct husk_fstar *w, const struct stat *st, const char *path)
{
  struct archive_entry *e = archive_entry_new ();

  archive_entry_copy_stat (e, st);
  archive_entry_unset_atime (e);
  archive_entry_unset_ctime (e);
  archive_entry_unset_birthtime (e);
  archive_entry_copy_pathname (e, path);
  if (w->o.set_owner)
    {
      archive_entry_set_uid (e, w->o.uid);
      archive_entry_set_gid (e, w->o.gid);
    }
  else if (w->o.uids)
    {
      uint32_t uid, gid;
      if (!husk_idmap_to_container (w->o.uids, st->st_uid, &uid))
        uid = 65534; /* the overflow ID, as the container sees it */
      if (!husk_idmap_to_container (w->o.gids, st->st_gid, &gid))
        gid = 65534;
      archive_entry_set_uid (e, uid);
      archive_entry_set_gid (e, gid);
    }
  if (!S_ISREG (st->st_mode))
    archive_entry_set_size (e, 0);
  if (!S_ISREG (st->st_mode) || st->st_nlink < 2)
    archive_entry_set_nlink (e, 1);
  return e;
}

static int add_dir_content (struct husk_fstar *w, int dirfd, struct husk_buf *path,
                            unsigned depth, husk_error_t *err);

/* A whiteout entry named name: an empty regular file of mode 0.  */
static int
write_marker (struct husk_fstar *w, const char *name, husk_error_t *err)
{
  cleanup (archive_entry_free) struct archive_entry *e = archive_entry_new ();

  archive_entry_copy_pathname (e, name);
  archive_entry_set_filetype (e, AE_IFREG);
  archive_entry_set_perm (e, 0);
  archive_entry_set_size (e, 0);
  if (archive_write_header (w->a, e) != ARCHIVE_OK)
    return archive_fail (w, name, err);
  return 0;
}

/* Archive one object: name in dirfd ("" for dirfd itself) at path, with
   what is below it when recurse.  */
static int
add_object (struct husk_fstar *w, int dirfd, const char *name, struct husk_buf *path,
            bool recurse, unsigned depth, husk_error_t *err)
{
  cleanup (archive_entry_free) struct archive_entry *e = NULL;
  cleanup_close int fd = -1;
  struct stat st;
  struct archive_entry *out, *spare = NULL;
  int r;

  if (fstatat (dirfd, name, &st, AT_SYMLINK_NOFOLLOW | (*name ? 0 : AT_EMPTY_PATH)) < 0)
    {
      if (errno == ENOENT)
        return 0; /* gone meanwhile */
      return husk_error_make (err, errno, "stat '%s'", path->data);
    }
  if (w->o.overlay_whiteouts && *name && husk_fstar_fuse_mark (dirfd, name, &st))
    return 0;
  if (w->o.fuse_whiteouts && *name && husk_fstar_fuse_whiteout (name, &st))
    return write_marker (w, path->data, err);
  if (w->o.overlay_whiteouts && S_ISCHR (st.st_mode) && st.st_rdev == makedev (0, 0))
    return husk_fstar_add_whiteout (w, path->data, err);
  if ((S_ISCHR (st.st_mode) || S_ISBLK (st.st_mode)) && w->o.skip_devices)
    return 0;
  if (S_ISSOCK (st.st_mode))
    return 0; /* tar cannot hold sockets */
  if (w->o.check && (r = w->o.check (w->o.check_data, path->data, st.st_mode, err)) != 0)
    return r < 0 ? -1 : 0;
  e = entry_from_stat (w, &st, path->data);
  if (S_ISLNK (st.st_mode))
    {
      char target[PATH_MAX];
      ssize_t n = readlinkat (dirfd, name, target, sizeof target - 1);
      if (n < 0)
        return husk_error_make (err, errno, "read link '%s'", path->data);
      target[n] = '\0';
      archive_entry_copy_symlink (e, target);
    }
  else if (S_ISREG (st.st_mode) || S_ISDIR (st.st_mode))
    {
      fd = open_same (dirfd, name, &st, path->data, err);
      if (fd == -2)
        {
          husk_log_warn ("'%s' changed while it was being archived: left out", path->data);
          return 0;
        }
      if (fd < 0)
        return -1;
      if (w->o.xattrs)
        add_xattrs (e, fd);
      if (w->o.sparse && S_ISREG (st.st_mode))
        add_sparse_map (e, fd, st.st_size);
    }
  out = e;
  if (S_ISREG (st.st_mode))
    archive_entry_linkify (w->links, &out, &spare);
  if (archive_write_header (w->a, out) != ARCHIVE_OK)
    return archive_fail (w, path->data, err);
  if (S_ISREG (st.st_mode) && archive_entry_size (out) > 0
      && write_data (w, fd, out, path->data, err) < 0)
    return -1;
  if (!S_ISDIR (st.st_mode))
    return 0;
  if (w->o.overlay_whiteouts && overlay_opaque (fd))
    {
      size_t len = path->len;
      husk_buf_puts (path, "/" WHITEOUT_OPAQUE);
      r = write_marker (w, path->data, err);
      path->len = len;
      path->data[len] = '\0';
      if (r < 0)
        return -1;
    }
  if (!recurse)
    return 0;
  return add_dir_content (w, steal_fd (&fd), path, depth + 1, err);
}

static int
cmp_names (const void *a, const void *b)
{
  return strcmp (*(char *const *) a, *(char *const *) b);
}

char **
husk_fstar_names (int dirfd, const char *path, husk_error_t *err)
{
  cleanup_dir DIR *d = fdopendir (dirfd);
  char **names = NULL;
  size_t n = 0, cap = 0;
  struct dirent *de;

  if (d == NULL)
    {
      close (dirfd);
      husk_error_make (err, errno, "open directory '%s'", *path ? path : ".");
      return NULL;
    }
  errno = 0;
  while ((de = readdir (d)) != NULL)
    {
      if (strcmp (de->d_name, ".") == 0 || strcmp (de->d_name, "..") == 0)
        continue;
      if (n + 2 > cap)
        {
          cap = cap ? cap * 2 : 16;
          names = husk_xrealloc (names, cap * sizeof *names);
        }
      names[n++] = husk_xstrdup (de->d_name);
    }
  if (errno != 0)
    {
      husk_strv_free (names);
      husk_error_make (err, errno, "read directory '%s'", *path ? path : ".");
      return NULL;
    }
  if (names == NULL)
    names = husk_xzalloc (sizeof *names);
  names[n] = NULL;
  qsort (names, n, sizeof *names, cmp_names);
  return names;
}

/* Archive what dirfd (taken) holds, below path ("" for the top).  */
static int
add_dir_content (struct husk_fstar *w, int dirfd, struct husk_buf *path, unsigned depth,
                 husk_error_t *err)
{
  cleanup_close int fd = dirfd;
  cleanup_strv char **names = NULL;
  size_t len = path->len;

  if (depth > FSTAR_MAX_DEPTH)
    return husk_error_makex (err, ELOOP, "'%s': directories nested too deep", path->data);
  names = husk_fstar_names (dup (fd), path->data, err);
  if (names == NULL)
    return -1;
  for (size_t i = 0; names[i]; i++)
    {
      int r;
      if (len)
        husk_buf_putc (path, '/');
      husk_buf_puts (path, names[i]);
      r = add_object (w, fd, names[i], path, true, depth, err);
      path->len = len;
      path->data[len] = '\0';
      if (r < 0)
        return -1;
    }
  return 0;
}

int
husk_fstar_add (struct husk_fstar *w, int fd, const char *as, husk_error_t *err)
{
  struct husk_buf path = HUSK_BUF_INIT;
  int r, dfd;

  husk_buf_puts (&path, as);
  if (*as)
    r = add_object (w, fd, "", &path, true, 0, err);
  else if ((dfd = reopen (fd, "", O_RDONLY | O_DIRECTORY)) < 0)
    r = husk_error_make (err, errno, "open directory");
  else
    r = add_dir_content (w, dfd, &path, 0, err);
  husk_buf_release (&path);
  return r;
}

int
husk_fstar_add_entry (struct husk_fstar *w, int dirfd, const char *name, const char *path,
                      husk_error_t *err)
{
  struct husk_buf p = HUSK_BUF_INIT;
  int r;

  husk_buf_puts (&p, path);
  r = add_object (w, dirfd, name, &p, false, 0, err);
  husk_buf_release (&p);
  return r;
}

int
husk_fstar_add_whiteout (struct husk_fstar *w, const char *path, husk_error_t *err)
{
  const char *slash = strrchr (path, '/');
  const char *base = slash ? slash + 1 : path;
  cleanup_free char *name = NULL;

  /* A whiteout of ".wh.x" would read as an aufs marker, of ".wh..opq"
     as an opaque directory (an overlay upper directory can hold such a
     0/0 device: mknod in the container makes one).  */
  if (husk_has_prefix (base, WHITEOUT_PREFIX))
    return husk_error_makex (err, EINVAL, "cannot delete \"/%s\" in a layer: names "
                                          "beginning with \"" WHITEOUT_PREFIX "\" are "
                                          "reserved for layer whiteouts", path);
  name = husk_asprintf ("%.*s" WHITEOUT_PREFIX "%s", (int) (base - path), path, base);
  return write_marker (w, name, err);
}

/* Tar streams.  */

/* The name an entry of a foreign tar has, cleaned for the check: no
   leading "/" or "./", no trailing "/".  */
static char *
entry_path (const char *raw)
{
  char *p;
  size_t n;

  while (*raw == '/' || (raw[0] == '.' && raw[1] == '/'))
    raw += raw[0] == '/' ? 1 : 2;
  p = husk_xstrdup (raw);
  n = strlen (p);
  while (n > 0 && p[n - 1] == '/')
    p[--n] = '\0';
  return p;
}

static int
copy_entry_data (struct husk_fstar *w, struct archive *in, const char *path,
                 husk_error_t *err)
{
  for (;;)
    {
      la_ssize_t n = archive_read_data (in, w->buf, FSTAR_BUFSIZE);
      if (n == 0)
        return 0;
      if (n < 0)
        return husk_error_makex (err, EINVAL, "read tar entry '%s': %s", path,
                                 archive_error_string (in));
      if (archive_write_data (w->a, w->buf, (size_t) n) != n)
        return archive_fail (w, path, err);
    }
}

int
husk_fstar_add_archive (struct husk_fstar *w, int in_fd, husk_error_t *err)
{
  cleanup (archive_read_free) struct archive *in = archive_read_new ();
  struct archive_entry *e;
  size_t entries = 0;
  int r;

  /* The filters whose libraries husk links (not lz4, lzip, lrzip...).  */
  archive_read_support_filter_gzip (in);
  archive_read_support_filter_zstd (in);
  archive_read_support_filter_bzip2 (in);
  archive_read_support_filter_xz (in);
  archive_read_support_format_tar (in);
  archive_read_support_format_empty (in);
  if (archive_read_open_fd (in, in_fd, FSTAR_BUFSIZE) != ARCHIVE_OK)
    return husk_error_makex (err, EILSEQ, "not a (compressed) tar archive: %s",
                             archive_error_string (in));
  while ((r = archive_read_next_header (in, &e)) == ARCHIVE_OK || r == ARCHIVE_WARN)
    {
      const char *raw = archive_entry_pathname (e);
      entries++;
      cleanup_free char *path = entry_path (raw ? raw : "");
      int c = 0;

      /* The root entry ("./") describes the directory the stream goes
         into, which exists and is not the stream's to change.  */
      if (*path == '\0' || strcmp (path, ".") == 0)
        continue;
      if (w->o.check
          && (c = w->o.check (w->o.check_data, path, archive_entry_mode (e), err)) < 0)
        return -1;
      if (c > 0)
        continue;
      if (w->o.set_owner)
        {
          archive_entry_set_uid (e, w->o.uid);
          archive_entry_set_gid (e, w->o.gid);
          archive_entry_copy_uname (e, NULL);
          archive_entry_copy_gname (e, NULL);
        }
      if (archive_write_header (w->a, e) != ARCHIVE_OK)
        return archive_fail (w, path, err);
      if (archive_entry_size (e) > 0 && copy_entry_data (w, in, path, err) < 0)
        return -1;
    }
  /* Nothing read (an empty stream has no header either): no tar at all. */
  if (entries == 0)
    return husk_error_makex (err, EILSEQ, "not a (compressed) tar archive");
  if (r != ARCHIVE_EOF)
    return husk_error_makex (err, EINVAL, "read tar stream: %s", archive_error_string (in));
  return 0;
}
