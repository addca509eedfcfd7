/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Tree copy for the vfs driver.  Walks the source with directory fds and
 * *at() calls only, never following a symlink; hard links are recreated by
 * remembering the destination path of every multiply-linked inode (a hash
 * map keyed by device and inode).  Metadata order per entry: owner, mode,
 * xattrs, times; a directory's times are set after its content.
 *
 * The destination may be in use by a running container (a volume that
 * another container has mounted gets copied up into), so nothing is done
 * to a destination name after it is made: every metadata call goes to a
 * descriptor of the new object (O_PATH for symlinks and nodes, checked to
 * be the node just made), and hard links are made from a parent directory
 * resolved beneath the destination root without following symlinks
 * (storage/resolve.h).
 */
#include "storage/copy.h"
#include "util/idmap.h"
#include "storage/resolve.h"
#include "util/cleanup.h"
#include "util/fileutil.h"
#include "util/log.h"
#include "util/strutil.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/fs.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#define COPY_BUFSIZE (256 * 1024)

struct link_slot
{
  dev_t dev;
  ino_t ino;
  char *path; /* NULL = empty slot */
};

struct copy_ctx
{
  const struct husk_copy_opts *o;
  int dst_root;
  struct husk_buf path;   /* relative path of the entry being copied */
  struct link_slot *links;
  size_t n_links;
  size_t cap_links;       /* power of two */
  char *names;            /* xattr name list */
  size_t names_cap;
  char *value;            /* xattr value */
  size_t value_cap;
  char *data;             /* read/write fallback buffer */
  bool try_reflink;
  bool try_copy_range;
  bool wrapped;           /* the error names its entry already */
};

/* Hard links.  */

static size_t
link_hash (dev_t dev, ino_t ino)
{
  uint64_t h = (uint64_t) ino * 0x9e3779b97f4a7c15ull ^ (uint64_t) dev;

  return (size_t) (h ^ (h >> 29));
}

static struct link_slot *
link_find (struct copy_ctx *c, dev_t dev, ino_t ino)
{
  size_t mask = c->cap_links - 1;

  if (c->cap_links == 0)
    return NULL;
  for (size_t i = link_hash (dev, ino) & mask;; i = (i + 1) & mask)
    {
      struct link_slot *s = &c->links[i];

      if (s->path == NULL || (s->dev == dev && s->ino == ino))
        return s;
    }
}

static void
link_add (struct copy_ctx *c, dev_t dev, ino_t ino, const char *path)
{
  struct link_slot *s;

  if (2 * (c->n_links + 1) > c->cap_links)
    {
      struct link_slot *old = c->links;
      size_t old_cap = c->cap_links;

      c->cap_links = old_cap ? 2 * old_cap : 64;
      c->links = husk_xzalloc (c->cap_links * sizeof *c->links);
      for (size_t i = 0; i < old_cap; i++)
        if (old[i].path)
          *link_find (c, old[i].dev, old[i].ino) = old[i];
      free (old);
    }
  s = link_find (c, dev, ino);
  if (s->path)
    return;
  *s = (struct link_slot) { dev, ino, husk_xstrdup (path) };
  c->n_links++;
}

/* Xattrs.  */

static bool
xattr_failure_ok (struct copy_ctx *c, const char *name, int code)
{
  if (code == ENOTSUP || code == EOPNOTSUPP)
    return true;
  if (husk_has_prefix (name, "security."))
    return true;
  if (code == EPERM && husk_has_prefix (name, "user."))
    return true;
  return c->o->rootless && (code == EPERM || code == EACCES);
}

/* List the xattr names of sfd (or of the path spath) into c->names.
   Return: length of the list, or -1.  */
static ssize_t
list_xattrs (struct copy_ctx *c, int sfd, const char *spath, husk_error_t *err)
{
  for (;;)
    {
      ssize_t n = sfd >= 0 ? flistxattr (sfd, c->names, c->names_cap)
                           : llistxattr (spath, c->names, c->names_cap);

      if (n >= 0)
        return n;
      if (errno == ENOTSUP || errno == EOPNOTSUPP)
        return 0;
      if (errno != ERANGE)
        return husk_error_make (err, errno, "list xattrs");
      n = sfd >= 0 ? flistxattr (sfd, NULL, 0) : llistxattr (spath, NULL, 0);
      if (n < 0)
        return husk_error_make (err, errno, "list xattrs");
      c->names_cap = (size_t) n + 256;
      c->names = husk_xrealloc (c->names, c->names_cap);
    }
}

static ssize_t
get_xattr (struct copy_ctx *c, int sfd, const char *spath, const char *name,
           husk_error_t *err)
{
  for (;;)
    {
      ssize_t n = sfd >= 0 ? fgetxattr (sfd, name, c->value, c->value_cap)
                           : lgetxattr (spath, name, c->value, c->value_cap);

      if (n >= 0)
        return n;
      if (errno != ERANGE)
        return husk_error_make (err, errno, "get xattr '%s'", name);
      n = sfd >= 0 ? fgetxattr (sfd, name, NULL, 0) : lgetxattr (spath, name, NULL, 0);
      if (n < 0)
        return husk_error_make (err, errno, "get xattr '%s'", name);
      c->value_cap = (size_t) n + 256;
      c->value = husk_xrealloc (c->value, c->value_cap);
    }
}

/* Copy xattrs from sfd (or the no-follow path spath) to the object dfd
   (any fd, O_PATH included).  */
static int
copy_xattrs (struct copy_ctx *c, int sfd, const char *spath, int dfd, husk_error_t *err)
{
  ssize_t len = list_xattrs (c, sfd, spath, err);

  if (len < 0)
    return -1;
  for (ssize_t off = 0; off < len; off += (ssize_t) strlen (c->names + off) + 1)
    {
      cleanup_free char *name = husk_xstrdup (c->names + off);
      ssize_t n = get_xattr (c, sfd, spath, name, err);
      int r;

      if (n < 0)
        return -1;
      r = husk_resolve_fsetxattr (dfd, name, c->value, (size_t) n);
      if (r < 0 && !xattr_failure_ok (c, name, errno))
        return husk_error_make (err, errno, "set xattr '%s'", name);
    }
  return 0;
}

/* Metadata.  */

static int
copy_owner (struct copy_ctx *c, int fd, const struct stat *st, husk_error_t *err)
{
  uint32_t uid = st->st_uid, gid = st->st_gid;
  int r;

  if (c->o->uids && !husk_idmap_to_host (c->o->uids, st->st_uid, &uid))
    uid = 65534;
  if (c->o->gids && !husk_idmap_to_host (c->o->gids, st->st_gid, &gid))
    gid = 65534;
  r = husk_resolve_fchown (fd, uid, gid);
  if (r < 0 && !(c->o->rootless && (errno == EPERM || errno == EINVAL)))
    return husk_error_make (err, errno, "chown to %u:%u", (unsigned) uid, (unsigned) gid);
  return 0;
}

/* Owner, mode (not for a symlink), xattrs and times, from the source sfd
   (or, when sfd < 0, the no-follow path spath) to the copy dfd.  */
static int
copy_metadata (struct copy_ctx *c, int sfd, const char *spath, int dfd,
               const struct stat *st, husk_error_t *err)
{
  struct timespec ts[2] = { st->st_atim, st->st_mtim };

  if (copy_owner (c, dfd, st, err) < 0)
    return -1;
  if (!S_ISLNK (st->st_mode) && husk_resolve_fchmod (dfd, st->st_mode & 07777) < 0)
    return husk_error_make (err, errno, "chmod");
  if (copy_xattrs (c, sfd, spath, dfd, err) < 0)
    return -1;
  if (husk_resolve_futimens (dfd, ts) < 0)
    return husk_error_make (err, errno, "set times");
  return 0;
}

static int
copy_fd_metadata (struct copy_ctx *c, int sfd, int dfd, const struct stat *st,
                  husk_error_t *err)
{
  return copy_metadata (c, sfd, NULL, dfd, st, err);
}

/* Same for a symlink or node just made as name in ddir: through an O_PATH
   fd of it, checked to be what we made.  */
static int
copy_at_metadata (struct copy_ctx *c, int sdir, int ddir, const char *name,
                  const struct stat *st, husk_error_t *err)
{
  cleanup_free char *spath = husk_resolve_proc_path (sdir, name);
  cleanup_close int dfd = husk_resolve_open_made (ddir, name, st->st_mode & S_IFMT);

  if (dfd < 0 && errno == EBUSY)
    return husk_error_makex (err, EBUSY, "replaced by another process while it was "
                                         "being made");
  if (dfd < 0)
    return husk_error_make (err, errno, "open copy");
  return copy_metadata (c, -1, spath, dfd, st, err);
}

/* Another name for the inode first copied as the destination path first
   (relative to the destination root), made as name in ddir.  The parent
   of first is resolved again, beneath the root and through no symlink:
   a process using the destination may have replaced a directory on that
   path by a symlink to a host directory meanwhile.  */
static int
copy_hardlink (struct copy_ctx *c, int ddir, const char *name, const char *first,
               husk_error_t *err)
{
  const char *slash = strrchr (first, '/');
  cleanup_free char *dir = slash ? husk_xstrndup (first, (size_t) (slash - first)) : NULL;
  cleanup_close int pfd = husk_resolve_beneath (c->dst_root, dir ? dir : "",
                                                O_PATH | O_DIRECTORY);

  if (pfd < 0)
    return husk_error_make (err, errno, "hard link to '%s'", first);
  /* flags 0: a symlink found there is linked itself, never followed.  */
  if (linkat (pfd, slash ? slash + 1 : first, ddir, name, 0) < 0)
    return husk_error_make (err, errno, "hard link to '%s'", first);
  return 0;
}

/* Entries.  */

static int
copy_data_rw (struct copy_ctx *c, int sfd, int dfd, husk_error_t *err)
{
  ssize_t n;

  if (c->data == NULL)
    c->data = husk_xmalloc (COPY_BUFSIZE);
  while ((n = read (sfd, c->data, COPY_BUFSIZE)) != 0)
    {
      if (n < 0)
        {
          if (errno == EINTR)
            continue;
          return husk_error_make (err, errno, "read");
        }
      if (husk_write_all (dfd, c->data, (size_t) n) < 0)
        return husk_error_make (err, errno, "write");
    }
  return 0;
}

static int
copy_data (struct copy_ctx *c, int sfd, int dfd, off_t size, husk_error_t *err)
{
  off_t done = 0;

  if (size == 0)
    return 0;
  if (c->try_reflink)
    {
      if (ioctl (dfd, FICLONE, sfd) == 0)
        return 0;
      /* Not supported here: do not ask again for every file.  */
      c->try_reflink = false;
    }
  while (c->try_copy_range && done < size)
    {
      ssize_t n = copy_file_range (sfd, NULL, dfd, NULL, (size_t) (size - done), 0);

      if (n > 0)
        {
          done += n;
          continue;
        }
      if (n == 0)
        return 0;
      if (errno == EINTR)
        continue;
      if (done > 0 || (errno != EXDEV && errno != EINVAL && errno != ENOSYS
                       && errno != EOPNOTSUPP))
        return husk_error_make (err, errno, "copy data");
      c->try_copy_range = false;
    }
  if (done >= size)
    return 0;
  return copy_data_rw (c, sfd, dfd, err);
}

static int
copy_file (struct copy_ctx *c, int sdir, int ddir, const char *name,
           const struct stat *st, husk_error_t *err)
{
  cleanup_close int sfd = openat (sdir, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  cleanup_close int dfd = -1;

  if (sfd < 0)
    return husk_error_make (err, errno, "open");
  dfd = openat (ddir, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (dfd < 0)
    return husk_error_make (err, errno, "create");
  if (copy_data (c, sfd, dfd, st->st_size, err) < 0)
    return -1;
  return copy_fd_metadata (c, sfd, dfd, st, err);
}

static int
copy_symlink (struct copy_ctx *c, int sdir, int ddir, const char *name,
              const struct stat *st, husk_error_t *err)
{
  char target[PATH_MAX];
  ssize_t n = readlinkat (sdir, name, target, sizeof target - 1);

  if (n < 0)
    return husk_error_make (err, errno, "readlink");
  target[n] = '\0';
  if (symlinkat (target, ddir, name) < 0)
    return husk_error_make (err, errno, "symlink");
  return copy_at_metadata (c, sdir, ddir, name, st, err);
}

static int
copy_node (struct copy_ctx *c, int sdir, int ddir, const char *name,
           const struct stat *st, husk_error_t *err)
{
  bool device = S_ISCHR (st->st_mode) || S_ISBLK (st->st_mode);

  if (device && c->o->rootless)
    {
      husk_log_debug ("skip device node '%s': not permitted rootless", name);
      return 0;
    }
  if (mknodat (ddir, name, (st->st_mode & S_IFMT) | 0600, device ? st->st_rdev : 0) < 0)
    return husk_error_make (err, errno, "mknod");
  return copy_at_metadata (c, sdir, ddir, name, st, err);
}

static int copy_entry (struct copy_ctx *c, int sdir, int ddir, const char *name,
                       husk_error_t *err);

static int
copy_content (struct copy_ctx *c, int sfd, int dfd, husk_error_t *err)
{
  int fd = dup (sfd);
  cleanup_dir DIR *d = fd >= 0 ? fdopendir (fd) : NULL;
  struct dirent *de;

  if (d == NULL)
    {
      if (fd >= 0)
        close (fd);
      return husk_error_make (err, errno, "opendir");
    }
  while ((errno = 0, de = readdir (d)) != NULL)
    {
      if (strcmp (de->d_name, ".") == 0 || strcmp (de->d_name, "..") == 0)
        continue;
      if (copy_entry (c, dirfd (d), dfd, de->d_name, err) < 0)
        return -1;
    }
  if (errno != 0)
    return husk_error_make (err, errno, "readdir");
  return 0;
}

static int
copy_dir (struct copy_ctx *c, int sdir, int ddir, const char *name,
          const struct stat *st, husk_error_t *err)
{
  cleanup_close int sfd = -1, dfd = -1;
  struct stat dst;

  if (mkdirat (ddir, name, 0700) < 0)
    return husk_error_make (err, errno, "mkdir");
  sfd = openat (sdir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (sfd < 0)
    return husk_error_make (err, errno, "open");
  dfd = openat (ddir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (dfd < 0)
    return husk_error_make (err, errno, "open copy");
  /* Still the directory just made (ours, empty), not one moved there.  */
  if (fstat (dfd, &dst) < 0 || dst.st_uid != geteuid () || dst.st_nlink > 2)
    return husk_error_makex (err, EBUSY, "replaced by another process while it was "
                                         "being made");
  if (copy_content (c, sfd, dfd, err) < 0)
    return -1;
  return copy_fd_metadata (c, sfd, dfd, st, err);
}

static int
copy_entry (struct copy_ctx *c, int sdir, int ddir, const char *name,
            husk_error_t *err)
{
  size_t saved = c->path.len;
  struct link_slot *seen = NULL;
  struct stat st;
  int r;

  if (c->path.len > 0)
    husk_buf_putc (&c->path, '/');
  husk_buf_puts (&c->path, name);
  if (fstatat (sdir, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
    r = husk_error_make (err, errno, "stat");
  else if (!S_ISDIR (st.st_mode) && st.st_nlink > 1
           && (seen = link_find (c, st.st_dev, st.st_ino)) && seen->path)
    r = copy_hardlink (c, ddir, name, seen->path, err);
  else if (S_ISDIR (st.st_mode))
    r = copy_dir (c, sdir, ddir, name, &st, err);
  else if (S_ISREG (st.st_mode))
    r = copy_file (c, sdir, ddir, name, &st, err);
  else if (S_ISLNK (st.st_mode))
    r = copy_symlink (c, sdir, ddir, name, &st, err);
  else
    r = copy_node (c, sdir, ddir, name, &st, err);
  if (r == 0 && !S_ISDIR (st.st_mode) && st.st_nlink > 1 && !(seen && seen->path))
    link_add (c, st.st_dev, st.st_ino, c->path.data);
  if (r < 0 && !c->wrapped)
    {
      husk_error_wrap (err, "copy '%s'", c->path.data);
      c->wrapped = true;
    }
  c->path.len = saved;
  c->path.data[saved] = '\0';
  return r;
}

int
husk_copy_tree (int src_fd, int dst_fd, const struct husk_copy_opts *o,
                husk_error_t *err)
{
  struct copy_ctx c = { .o = o, .try_reflink = true, .try_copy_range = true };
  cleanup_close int sfd = openat (src_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  cleanup_close int dfd = openat (dst_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  struct stat st;
  int r = -1;

  if (sfd < 0 || dfd < 0)
    return husk_error_make (err, errno, "open directory to copy");
  if (fstat (sfd, &st) < 0)
    return husk_error_make (err, errno, "stat directory to copy");
  c.dst_root = dfd;
  husk_buf_puts (&c.path, "");
  if (copy_content (&c, sfd, dfd, err) == 0)
    r = copy_fd_metadata (&c, sfd, dfd, &st, err);
  for (size_t i = 0; i < c.cap_links; i++)
    free (c.links[i].path);
  free (c.links);
  free (c.names);
  free (c.value);
  free (c.data);
  husk_buf_release (&c.path);
  return r;
}
