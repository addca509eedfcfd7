/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Applying a layer tar to a directory.
 *
 * Theory of operation
 *
 * The blob is read by storage/blob.c, which detects gzip/zstd/plain by
 * content, decompresses, and hashes every decompressed byte (the diff ID).
 * libarchive parses the decompressed stream (format tar only: ustar, pax,
 * GNU; no filters of its own), but it never writes: every entry is created
 * by us with *at() calls relative to the layer root fd.  After the parser
 * reports the end of the archive the rest of the stream is drained into the
 * hash, so the diff ID covers padding after the end-of-archive blocks.
 *
 * Safety rests on three rules:
 *  1. Entry paths are cleaned lexically first: "." and empty components are
 *     dropped, ".." pops one component, and an absolute path or a ".." that
 *     would climb above the root is refused.  Hard link targets likewise.
 *  2. The parent directory of an entry is opened with openat2(RESOLVE_BENEATH
 *     | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS).  A symlink anywhere in
 *     the parent path, planted by this layer or a lower one, makes the entry
 *     fail (ELOOP), so nothing is ever written through a link.
 *  3. The final component is created with O_CREAT|O_EXCL, mkdirat, symlinkat,
 *     linkat or mknodat, none of which follow a symlink at the last
 *     component; when the name exists it is unlinked first (a directory is
 *     kept when the entry is a directory, removed otherwise), so an entry
 *     replaces a symlink, never its target, and never writes into an inode
 *     shared with a lower layer through a hard link.
 * Metadata: owner first, then mode (chown clears setuid/setgid), then
 * xattrs (chown clears security.capability), then times.  Directory modes
 * and times are applied at the end, when their content is complete, and
 * re-resolved beneath the root then, so a directory replaced meanwhile by a
 * symlink is skipped, not followed (and one replaced by another directory,
 * which its device and inode tell, is skipped too).
 *
 * Racing writers: cp and volume import apply tars into trees that a running
 * container is using, and its processes can replace any name at any time.
 * So no metadata is ever set through a name: a node is made with mknodat /
 * symlinkat / mkdirat, opened at once O_PATH|O_NOFOLLOW and checked to be
 * the node made (type, owner, link count: husk_resolve_open_made()), and
 * owner, mode, xattrs and times are set through that descriptor
 * (storage/resolve.h).  A node replaced in between fails the entry.
 *
 * Whiteouts: HUSK_WHITEOUT_OVERLAY writes overlayfs' own form (a 0/0 char
 * device; the "trusted.overlay.opaque" xattr).  HUSK_WHITEOUT_DELETE applies
 * them to a copy of the lower tree: ".wh.x" removes x, and an opaque marker
 * removes from its directory whatever this layer did not write.  What this
 * layer wrote is recorded in a path tree (storage/ptree.c) and opaque
 * directories are purged after the last entry, so the order of the marker
 * and its siblings in the stream does not matter.
 *
 * Limits: paths and link targets are bounded by PATH_MAX, libarchive caps
 * pax headers at 1 MiB, bookkeeping is linear in the input, and the only
 * recursion (purge, rm -rf) is bounded by the depth a PATH_MAX path allows.
 */
#include "storage/blob.h"
#include "storage/ptree.h"
#include "storage/resolve.h"
#include "storage/tar.h"
#include "util/idmap.h"
#include "util/cleanup.h"
#include "util/fileutil.h"
#include "util/log.h"
#include "util/strutil.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#define WHITEOUT_PREFIX ".wh."
#define WHITEOUT_META_PREFIX ".wh..wh."
#define WHITEOUT_OPAQUE ".wh..wh..opq"

DEFINE_CLEANUP (struct archive *, archive_read_free)

struct dir_fixup
{
  char *path;
  size_t depth; /* components */
  size_t seq;   /* stream order */
  mode_t mode;
  struct timespec times[2];
  dev_t dev; /* the directory the entry made or kept */
  ino_t ino;
};

struct apply_ctx
{
  int root_fd;
  const struct husk_tar_apply_opts *opts;
  struct husk_blob_reader *blob;
  husk_error_t read_err;  /* a failure inside the read callback */
  const void *pending;    /* first chunk, read before libarchive starts */
  ssize_t pending_len;

  /* The parent directory of the previous entry, kept open: consecutive
     entries mostly share it.  Only a child of it can change between two
     hits, so it never goes stale.  */
  char *cache_path;
  int cache_fd;
  uint32_t cache_node;

  struct dir_fixup *fixups;
  size_t n_fixups;
  size_t cap_fixups;

  /* HUSK_WHITEOUT_DELETE: what this layer wrote, and the opaque dirs.  */
  struct husk_ptree *tree;
  char **opaque;
  size_t n_opaque;
  size_t cap_opaque;

  bool xattr_warned;
};

/* Paths.  */

/* Clean an entry path (rule 1).  Return: a new string, "" for the root, or
   NULL with *why set.  */
static char *
clean_path (const char *raw, const char **why)
{
  size_t len = strlen (raw), o = 0;
  const char *p = raw;
  char *out;

  if (len >= PATH_MAX)
    {
      *why = "path too long";
      return NULL;
    }
  if (raw[0] == '/')
    {
      *why = "absolute path escapes the layer root";
      return NULL;
    }
  out = husk_xmalloc (len + 1);
  while (*p)
    {
      const char *s = p;
      size_t n;

      while (*p && *p != '/')
        p++;
      n = (size_t) (p - s);
      if (*p == '/')
        p++;
      if (n == 0 || (n == 1 && s[0] == '.'))
        continue;
      if (n == 2 && s[0] == '.' && s[1] == '.')
        {
          if (o == 0)
            {
              free (out);
              *why = "path escapes the layer root";
              return NULL;
            }
          while (o > 0 && out[o - 1] != '/')
            o--;
          if (o > 0)
            o--;
          continue;
        }
      if (o > 0)
        out[o++] = '/';
      memcpy (out + o, s, n);
      o += n;
    }
  out[o] = '\0';
  return out;
}

/* Split a cleaned path in place into directory ("" for the root) and last
   component.  */
static void
split_path (char *path, const char **dir, const char **base)
{
  char *slash = strrchr (path, '/');

  if (slash == NULL)
    {
      *dir = "";
      *base = path;
      return;
    }
  *slash = '\0';
  *dir = path;
  *base = slash + 1;
}

/* A failed resolution (errno) as an error.  */
static int
resolve_error (husk_error_t *err, int code, const char *what)
{
  switch (code)
    {
    case EXDEV:
      return husk_error_makex (err, EXDEV, "%s escapes the layer root", what);
    case ELOOP:
      return husk_error_makex (err, ELOOP, "%s goes through a symlink", what);
    case ENOTDIR:
      return husk_error_makex (err, ENOTDIR, "%s goes through a non-directory", what);
    default:
      return husk_error_make (err, code, "open %s", what);
    }
}

/* Directory resolution (rule 2).  */

static void
mark_fresh (struct apply_ctx *c, const char *dir, size_t len)
{
  cleanup_free char *sub = NULL;

  if (c->tree == NULL)
    return;
  sub = husk_xstrndup (dir, len);
  husk_ptree_set_flags (c->tree, husk_ptree_path (c->tree, sub, true),
                        HUSK_PTREE_FRESH);
}

/* Open dir one component at a time, creating missing ones (mode 0755, as
   Docker does for parents a tar leaves out).  Return: fd or -1 (errno).  */
static int
open_dir_creating (struct apply_ctx *c, const char *dir)
{
  cleanup_free char *copy = husk_xstrdup (dir);
  cleanup_close int fd = husk_resolve_beneath (c->root_fd, "", O_PATH | O_DIRECTORY);
  char *p = copy;

  if (fd < 0)
    return -1;
  while (*p)
    {
      char *slash = strchr (p, '/');
      int next;

      if (slash)
        *slash = '\0';
      next = husk_resolve_beneath (fd, p, O_PATH | O_DIRECTORY);
      if (next < 0 && errno == ENOENT)
        {
          bool made = mkdirat (fd, p, 0755) == 0;

          if (!made && errno != EEXIST)
            return -1;
          mark_fresh (c, dir, (size_t) (p - copy) + strlen (p));
          next = husk_resolve_beneath (fd, p, O_PATH | O_DIRECTORY);
          /* mkdir is subject to the umask; parents are 0755 regardless.
             Through the fd: the name may have been replaced by now.  */
          if (made && next >= 0)
            husk_resolve_fchmod (next, 0755);
        }
      if (next < 0)
        return -1;
      close (fd);
      fd = next;
      if (slash == NULL)
        break;
      p = slash + 1;
    }
  return steal_fd (&fd);
}

static void
drop_cache (struct apply_ctx *c)
{
  free (c->cache_path);
  c->cache_path = NULL;
  if (c->cache_fd >= 0)
    close (c->cache_fd);
  c->cache_fd = -1;
  c->cache_node = HUSK_PTREE_NONE;
}

/* The parent directory dir as a borrowed O_PATH fd.  Return: fd, or -1 with
   errno set (no error made).  */
static int
parent_fd (struct apply_ctx *c, const char *dir, bool create)
{
  int fd;

  if (c->cache_path && strcmp (c->cache_path, dir) == 0)
    return c->cache_fd;
  fd = husk_resolve_beneath (c->root_fd, dir, O_PATH | O_DIRECTORY);
  if (fd < 0 && errno == ENOENT && create)
    fd = open_dir_creating (c, dir);
  if (fd < 0)
    return -1;
  drop_cache (c);
  c->cache_path = husk_xstrdup (dir);
  c->cache_fd = fd;
  return fd;
}

/* The path-tree node of the cached parent (recording it and its ancestors
   as written), or NONE when not tracking.  */
static uint32_t
parent_node (struct apply_ctx *c)
{
  if (c->tree == NULL)
    return HUSK_PTREE_NONE;
  if (c->cache_node == HUSK_PTREE_NONE)
    c->cache_node = husk_ptree_path (c->tree, c->cache_path, true);
  return c->cache_node;
}

/* Making room (rule 3).  */

/* Free the name for a new entry.  Return: 1 when a directory is there and
   keep_dir, 0 when the name is free, -1 on error.  */
static int
make_room (int dfd, const char *name, bool keep_dir, husk_error_t *err)
{
  struct stat st;

  if (fstatat (dfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
    {
      if (errno == ENOENT)
        return 0;
      return husk_error_make (err, errno, "stat existing entry");
    }
  if (S_ISDIR (st.st_mode))
    {
      if (keep_dir)
        return 1;
      return husk_rm_rf_at (dfd, name, err) < 0 ? -1 : 0;
    }
  if (unlinkat (dfd, name, 0) < 0 && errno != ENOENT)
    return husk_error_make (err, errno, "remove existing entry");
  return 0;
}

/* Metadata.  */

/* Metadata is only ever set through fd, a descriptor of the object
   itself (O_PATH for nodes and symlinks), never through a name that a
   process in the container could replace meanwhile: see resolve.h.  */

static int
set_owner (struct apply_ctx *c, int fd, struct archive_entry *e, husk_error_t *err)
{
  la_int64_t uid = archive_entry_uid (e), gid = archive_entry_gid (e);

  if (uid < 0 || uid >= UINT32_MAX || gid < 0 || gid >= UINT32_MAX)
    return husk_error_makex (err, EINVAL, "invalid owner %lld:%lld",
                             (long long) uid, (long long) gid);
  if (c->opts->uids)
    {
      uint32_t hu, hg;
      if (!husk_idmap_to_host (c->opts->uids, (uint32_t) uid, &hu)
          || !husk_idmap_to_host (c->opts->gids, (uint32_t) gid, &hg))
        return husk_error_makex (err, EINVAL, "owner %lld:%lld is not mapped in the "
                                 "container's user namespace", (long long) uid,
                                 (long long) gid);
      uid = hu;
      gid = hg;
    }
  if (husk_resolve_fchown (fd, (uid_t) uid, (gid_t) gid) == 0)
    return 0;
  if (c->opts->rootless && c->opts->ignore_chown_errors
      && (errno == EPERM || errno == EINVAL))
    {
      husk_log_debug ("ignore chown to %lld:%lld: %s", (long long) uid,
                      (long long) gid, strerror (errno));
      return 0;
    }
  if (c->opts->rootless && (errno == EPERM || errno == EINVAL))
    return husk_error_makex (err, errno, "chown to %lld:%lld: the user namespace "
                                         "has too few IDs (see /etc/subuid and "
                                         "/etc/subgid, or ignore_chown_errors)",
                             (long long) uid, (long long) gid);
  return husk_error_make (err, errno, "chown to %lld:%lld", (long long) uid,
                          (long long) gid);
}

static int
set_mode (int fd, struct archive_entry *e, husk_error_t *err)
{
  mode_t mode = archive_entry_mode (e) & 07777;

  if (husk_resolve_fchmod (fd, mode) < 0)
    return husk_error_make (err, errno, "chmod %04o", (unsigned) mode);
  return 0;
}

static void
entry_times (struct archive_entry *e, struct timespec ts[2])
{
  long mns = archive_entry_mtime_nsec (e), ans = archive_entry_atime_nsec (e);

  if (archive_entry_mtime_is_set (e))
    {
      ts[1].tv_sec = archive_entry_mtime (e);
      ts[1].tv_nsec = mns >= 0 && mns < 1000000000 ? mns : 0;
    }
  else
    {
      ts[1].tv_sec = 0;
      ts[1].tv_nsec = UTIME_OMIT;
    }
  ts[0] = ts[1];
  if (archive_entry_atime_is_set (e))
    {
      ts[0].tv_sec = archive_entry_atime (e);
      ts[0].tv_nsec = ans >= 0 && ans < 1000000000 ? ans : 0;
    }
}

static int
set_times (int fd, struct archive_entry *e, husk_error_t *err)
{
  struct timespec ts[2];

  entry_times (e, ts);
  if (husk_resolve_futimens (fd, ts) < 0)
    return husk_error_make (err, errno, "set times");
  return 0;
}

/* An xattr a layer may not set: overlayfs reads these from its layers, and
   a hostile tar could use them to redirect lookups.  */
static bool
xattr_refused (const char *name)
{
  return husk_has_prefix (name, "trusted.overlay.")
         || husk_has_prefix (name, "user.overlay.");
}

/* Whether a failure to set xattr name is worth only a log line.  */
static bool
xattr_failure_ok (struct apply_ctx *c, const char *name, int code)
{
  if (code == ENOTSUP || code == EOPNOTSUPP)
    {
      if (!c->xattr_warned)
        husk_log_warn ("the layer's file system does not support xattr '%s'; "
                       "skipping such xattrs", name);
      c->xattr_warned = true;
      return true;
    }
  if (husk_has_prefix (name, "security."))
    return true;
  /* user.* is refused on symlinks and devices.  */
  if (code == EPERM && husk_has_prefix (name, "user."))
    return true;
  return c->opts->rootless && (code == EPERM || code == EACCES);
}

static int
set_xattrs (struct apply_ctx *c, int fd, struct archive_entry *e, husk_error_t *err)
{
  const char *xname;
  const void *value;
  size_t size;

  if (archive_entry_xattr_reset (e) == 0)
    return 0;
  while (archive_entry_xattr_next (e, &xname, &value, &size) == ARCHIVE_OK)
    {
      int r;

      if (xattr_refused (xname))
        {
          husk_log_debug ("skip xattr '%s'", xname);
          continue;
        }
      r = husk_resolve_fsetxattr (fd, xname, value, size);
      if (r == 0)
        continue;
      if (xattr_failure_ok (c, xname, errno))
        {
          husk_log_debug ("skip xattr '%s': %s", xname, strerror (errno));
          continue;
        }
      return husk_error_make (err, errno, "set xattr '%s'", xname);
    }
  return 0;
}

/* Owner, mode, xattrs and times of a non-directory, in that order.  */
static int
set_metadata (struct apply_ctx *c, int fd, struct archive_entry *e, bool with_mode,
              husk_error_t *err)
{
  if (set_owner (c, fd, e, err) < 0)
    return -1;
  if (with_mode && set_mode (fd, e, err) < 0)
    return -1;
  if (set_xattrs (c, fd, e, err) < 0)
    return -1;
  return set_times (fd, e, err);
}

/* An O_PATH fd of the node just made as name, checked to be that node.
   Return: the fd, or -1 with an error.  */
static int
open_made (int dfd, const char *name, mode_t type, husk_error_t *err)
{
  int fd = husk_resolve_open_made (dfd, name, type);

  if (fd >= 0)
    return fd;
  if (errno == EBUSY || errno == ELOOP)
    return husk_error_makex (err, EBUSY, "replaced by another process while it was "
                                         "being made");
  return husk_error_make (err, errno, "open what was made");
}

/* Remember the mode and times of the directory fd for the end.  */
static int
add_fixup (struct apply_ctx *c, int fd, const char *path, struct archive_entry *e,
           husk_error_t *err)
{
  struct dir_fixup *f;
  struct stat st;

  if (fstat (fd, &st) < 0)
    return husk_error_make (err, errno, "stat directory");

  if (c->n_fixups == c->cap_fixups)
    {
      c->cap_fixups = c->cap_fixups ? 2 * c->cap_fixups : 64;
      c->fixups = husk_xrealloc (c->fixups, c->cap_fixups * sizeof *c->fixups);
    }
  f = &c->fixups[c->n_fixups];
  f->seq = c->n_fixups++;
  f->path = husk_xstrdup (path);
  f->depth = *path ? 1 : 0;
  for (const char *p = path; *p; p++)
    f->depth += *p == '/';
  f->mode = archive_entry_mode (e) & 07777;
  f->dev = st.st_dev;
  f->ino = st.st_ino;
  entry_times (e, f->times);
  return 0;
}

/* Entry types.  */

static int
write_data (struct archive *a, int fd, struct archive_entry *e,
            husk_error_t *err)
{
  int64_t pos = 0;

  for (;;)
    {
      const void *buf;
      size_t size;
      la_int64_t off;
      int r = archive_read_data_block (a, &buf, &size, &off);

      if (r == ARCHIVE_EOF)
        break;
      if (r != ARCHIVE_OK && r != ARCHIVE_WARN)
        return husk_error_makex (err, EIO, "read data: %s",
                                 archive_error_string (a) ? archive_error_string (a)
                                                          : "corrupt archive");
      if (off != pos)
        {
          /* A hole in a sparse file.  */
          if (off < 0 || lseek (fd, off, SEEK_SET) < 0)
            return husk_error_make (err, errno ? errno : EINVAL, "seek");
          pos = off;
        }
      if (size > 0 && husk_write_all (fd, buf, size) < 0)
        return husk_error_make (err, errno, "write");
      pos += (int64_t) size;
    }
  if (archive_entry_size_is_set (e) && archive_entry_size (e) > pos
      && ftruncate (fd, archive_entry_size (e)) < 0)
    return husk_error_make (err, errno, "truncate");
  return 0;
}

static int
make_file (struct apply_ctx *c, struct archive *a, int dfd, const char *name,
           struct archive_entry *e, husk_error_t *err)
{
  const int flags = O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC;
  cleanup_close int fd = openat (dfd, name, flags, 0600);

  if (fd < 0 && errno == EEXIST)
    {
      if (make_room (dfd, name, false, err) < 0)
        return -1;
      fd = openat (dfd, name, flags, 0600);
    }
  if (fd < 0)
    return husk_error_make (err, errno, "create");
  if (write_data (a, fd, e, err) < 0)
    return -1;
  return set_metadata (c, fd, e, true, err);
}

static int
make_dir (struct apply_ctx *c, int dfd, const char *name, const char *path,
          uint32_t node, struct archive_entry *e, husk_error_t *err)
{
  cleanup_close int fd = -1;
  bool fresh = true;

  if (mkdirat (dfd, name, 0700) < 0)
    {
      int r;

      if (errno != EEXIST)
        return husk_error_make (err, errno, "mkdir");
      r = make_room (dfd, name, true, err);
      if (r < 0)
        return -1;
      if (r == 1)
        fresh = false;
      else if (mkdirat (dfd, name, 0700) < 0)
        return husk_error_make (err, errno, "mkdir");
    }
  if (fresh && c->tree)
    husk_ptree_set_flags (c->tree, node, HUSK_PTREE_FRESH);
  if (fresh)
    fd = open_made (dfd, name, S_IFDIR, err);
  else if ((fd = husk_resolve_beneath (dfd, name, O_PATH | O_DIRECTORY)) < 0)
    resolve_error (err, errno, "directory");
  if (fd < 0)
    return -1;
  if (set_owner (c, fd, e, err) < 0 || set_xattrs (c, fd, e, err) < 0)
    return -1;
  return add_fixup (c, fd, path, e, err);
}

static int
make_symlink (struct apply_ctx *c, int dfd, const char *name,
              struct archive_entry *e, husk_error_t *err)
{
  const char *target = archive_entry_symlink (e);
  cleanup_close int fd = -1;

  if (target == NULL)
    target = archive_entry_symlink_utf8 (e);
  if (target == NULL || *target == '\0')
    return husk_error_makex (err, EINVAL, "symlink without a target");
  if (strlen (target) >= PATH_MAX)
    return husk_error_makex (err, ENAMETOOLONG, "symlink target too long");
  if (symlinkat (target, dfd, name) < 0)
    {
      if (errno != EEXIST)
        return husk_error_make (err, errno, "symlink");
      if (make_room (dfd, name, false, err) < 0)
        return -1;
      if (symlinkat (target, dfd, name) < 0)
        return husk_error_make (err, errno, "symlink");
    }
  if ((fd = open_made (dfd, name, S_IFLNK, err)) < 0)
    return -1;
  return set_metadata (c, fd, e, false, err);
}

/* A hard link: the target is cleaned and resolved like an entry path, must
   exist in the tree and must not be a directory.  */
static int
make_hardlink (struct apply_ctx *c, int dfd, const char *name, const char *path,
               struct archive_entry *e, husk_error_t *err)
{
  const char *raw = archive_entry_hardlink (e), *why = NULL, *tdir, *tbase;
  cleanup_free char *tpath = NULL;
  cleanup_close int tdfd = -1;
  struct stat st;

  if (raw == NULL)
    raw = archive_entry_hardlink_utf8 (e);
  if (raw == NULL)
    return husk_error_makex (err, EINVAL, "hard link without a target");
  tpath = clean_path (raw, &why);
  if (tpath == NULL)
    return husk_error_makex (err, EXDEV, "hard link target '%s': %s", raw, why);
  if (strcmp (tpath, path) == 0)
    return 0;
  if (*tpath == '\0')
    return husk_error_makex (err, EPERM, "hard link to the layer root");
  split_path (tpath, &tdir, &tbase);
  tdfd = husk_resolve_beneath (c->root_fd, tdir, O_PATH | O_DIRECTORY);
  if (tdfd < 0 && (errno == ENOENT || errno == ENOTDIR))
    return husk_error_makex (err, ENOENT, "hard link target '%s' not found", raw);
  if (tdfd < 0)
    {
      cleanup_free char *what = husk_asprintf ("hard link target '%s'", raw);
      return resolve_error (err, errno, what);
    }
  if (fstatat (tdfd, tbase, &st, AT_SYMLINK_NOFOLLOW) < 0)
    {
      if (errno == ENOENT)
        return husk_error_makex (err, ENOENT, "hard link target '%s' not found", raw);
      return husk_error_make (err, errno, "hard link target '%s'", raw);
    }
  if (S_ISDIR (st.st_mode))
    return husk_error_makex (err, EPERM, "hard link target '%s' is a directory", raw);
  /* flags 0: a symlink target is linked itself, never followed.  */
  if (linkat (tdfd, tbase, dfd, name, 0) < 0)
    {
      if (errno != EEXIST)
        return husk_error_make (err, errno, "hard link to '%s'", raw);
      if (make_room (dfd, name, false, err) < 0)
        return -1;
      if (linkat (tdfd, tbase, dfd, name, 0) < 0)
        return husk_error_make (err, errno, "hard link to '%s'", raw);
    }
  /* The inode's metadata came with the entry that created it.  */
  return 0;
}

static int
make_node (struct apply_ctx *c, int dfd, const char *name,
           struct archive_entry *e, husk_error_t *err)
{
  mode_t type = archive_entry_filetype (e);
  cleanup_close int fd = -1;
  dev_t dev = 0;

  if (type != AE_IFIFO)
    dev = makedev (archive_entry_rdevmajor (e), archive_entry_rdevminor (e));
  if (c->opts->rootless && type != AE_IFIFO)
    {
      husk_log_debug ("skip device node '%s': not permitted rootless", name);
      /* What the entry replaces goes away all the same.  */
      return make_room (dfd, name, false, err) < 0 ? -1 : 0;
    }
  if (mknodat (dfd, name, type | 0600, dev) < 0)
    {
      if (errno != EEXIST)
        return husk_error_make (err, errno, "mknod");
      if (make_room (dfd, name, false, err) < 0)
        return -1;
      if (mknodat (dfd, name, type | 0600, dev) < 0)
        return husk_error_make (err, errno, "mknod");
    }
  /* The race that matters most: a FIFO of mode 04777 chmodded by name
     would give a host file the setuid bit if the container put a symlink
     there first.  */
  if ((fd = open_made (dfd, name, type, err)) < 0)
    return -1;
  return set_metadata (c, fd, e, true, err);
}

/* Whiteouts.  */

static const char *
opaque_xattr (struct apply_ctx *c)
{
  /* Rootless kernel overlay mounts with "userxattr" (overlay.c), which
     reads user.overlay.*.  */
  return c->opts->rootless ? "user.overlay.opaque" : "trusted.overlay.opaque";
}

/* fuse-overlayfs also reads aufs' form: an empty file ".wh.<name>" for a
   whiteout, ".wh..wh..opq" in an opaque directory.  For a graph root where
   0/0 devices or overlay's xattrs cannot be made (it is itself an
   overlay), as containers/storage does with a mount program.  */
static int
aufs_marker (int dfd, const char *marker, husk_error_t *err)
{
  int fd = openat (dfd, marker, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0);

  if (fd < 0 && errno != EEXIST)
    return husk_error_make (err, errno, "create whiteout '%s'", marker);
  if (fd >= 0)
    close (fd);
  return 0;
}

static int
apply_opaque (struct apply_ctx *c, const char *dir, husk_error_t *err)
{
  int dfd;

  if (c->opts->whiteout == HUSK_WHITEOUT_DELETE)
    {
      if (c->n_opaque == c->cap_opaque)
        {
          c->cap_opaque = c->cap_opaque ? 2 * c->cap_opaque : 16;
          c->opaque = husk_xrealloc (c->opaque, c->cap_opaque * sizeof *c->opaque);
        }
      c->opaque[c->n_opaque++] = husk_xstrdup (dir);
      return 0;
    }
  dfd = parent_fd (c, dir, true);
  if (dfd < 0)
    return resolve_error (err, errno, "directory");
  if (husk_resolve_fsetxattr (dfd, opaque_xattr (c), "y", 1) == 0)
    return 0;
  if (c->opts->aufs_fallback && (errno == EPERM || errno == ENOTSUP))
    return aufs_marker (dfd, WHITEOUT_OPAQUE, err);
  return husk_error_make (err, errno, "set opaque xattr '%s'", opaque_xattr (c));
}

static int
apply_whiteout (struct apply_ctx *c, const char *dir, const char *base,
                husk_error_t *err)
{
  const char *name = base + strlen (WHITEOUT_PREFIX);
  int dfd;

  if (strcmp (base, WHITEOUT_OPAQUE) == 0)
    return apply_opaque (c, dir, err);
  if (husk_has_prefix (base, WHITEOUT_META_PREFIX))
    {
      /* aufs bookkeeping (.wh..wh.plnk, ...): meaningless here.  */
      husk_log_debug ("skip whiteout metadata '%s'", base);
      return 0;
    }
  if (*name == '\0' || strcmp (name, ".") == 0 || strcmp (name, "..") == 0)
    return husk_error_makex (err, EINVAL, "invalid whiteout");
  if (c->opts->whiteout == HUSK_WHITEOUT_DELETE)
    {
      dfd = parent_fd (c, dir, false);
      if (dfd < 0 && (errno == ENOENT || errno == ENOTDIR))
        return 0; /* nothing there to delete */
      if (dfd < 0)
        return resolve_error (err, errno, "path");
      return husk_rm_rf_at (dfd, name, err);
    }
  dfd = parent_fd (c, dir, true);
  if (dfd < 0)
    return resolve_error (err, errno, "path");
  if (make_room (dfd, name, false, err) < 0)
    return -1;
  /* 0/0 is the one device a user namespace may create (Linux 5.8).  */
  if (mknodat (dfd, name, S_IFCHR | 0, makedev (0, 0)) == 0)
    return 0;
  if (c->opts->aufs_fallback && (errno == EPERM || errno == ENOTSUP))
    return make_room (dfd, base, false, err) < 0 ? -1 : aufs_marker (dfd, base, err);
  return husk_error_make (err, errno, "create whiteout device");
}

/* One entry.  */

static int
apply_root (struct apply_ctx *c, struct archive_entry *e, husk_error_t *err)
{
  if (archive_entry_filetype (e) != AE_IFDIR || archive_entry_hardlink (e))
    return husk_error_makex (err, EINVAL, "cannot replace the layer root");
  if (set_owner (c, c->root_fd, e, err) < 0 || set_xattrs (c, c->root_fd, e, err) < 0)
    return -1;
  return add_fixup (c, c->root_fd, "", e, err);
}

static int
apply_entry_at (struct apply_ctx *c, struct archive *a, struct archive_entry *e,
                char *path, husk_error_t *err)
{
  cleanup_free char *full = husk_xstrdup (path);
  const char *dir, *base;
  uint32_t node = HUSK_PTREE_NONE;
  int dfd;

  if (*path == '\0')
    return apply_root (c, e, err);
  split_path (path, &dir, &base);
  if (husk_has_prefix (base, WHITEOUT_PREFIX) && c->opts->whiteout == HUSK_WHITEOUT_REFUSE)
    return husk_error_makex (err, EINVAL, "names beginning with \"" WHITEOUT_PREFIX "\" are "
                                          "reserved for layer whiteouts");
  if (husk_has_prefix (base, WHITEOUT_PREFIX))
    return apply_whiteout (c, dir, base, err);
  dfd = parent_fd (c, dir, true);
  if (dfd < 0)
    return resolve_error (err, errno, "path");
  if (c->tree)
    node = husk_ptree_child (c->tree, parent_node (c), base, strlen (base), true);
  if (archive_entry_hardlink (e) || archive_entry_hardlink_utf8 (e))
    return make_hardlink (c, dfd, base, full, e, err);
  switch (archive_entry_filetype (e))
    {
    case AE_IFREG:
      return make_file (c, a, dfd, base, e, err);
    case AE_IFDIR:
      return make_dir (c, dfd, base, full, node, e, err);
    case AE_IFLNK:
      return make_symlink (c, dfd, base, e, err);
    case AE_IFCHR:
    case AE_IFBLK:
    case AE_IFIFO:
      return make_node (c, dfd, base, e, err);
    default:
      husk_log_debug ("skip entry '%s' of unsupported type 0%o", full,
                      (unsigned) archive_entry_filetype (e));
      return 0;
    }
}

static int
apply_entry (struct apply_ctx *c, struct archive *a, struct archive_entry *e,
             husk_error_t *err)
{
  const char *raw = archive_entry_pathname (e), *why = NULL;
  cleanup_free char *path = NULL;

  if (raw == NULL)
    raw = archive_entry_pathname_utf8 (e);
  if (raw == NULL)
    return husk_error_makex (err, EINVAL, "extract: entry without a usable name");
  path = clean_path (raw, &why);
  if (path == NULL)
    return husk_error_makex (err, EXDEV, "extract '%s': %s", raw, why);
  if (apply_entry_at (c, a, e, path, err) < 0)
    return husk_error_wrap (err, "extract '%s'", raw);
  return 0;
}

/* After the last entry.  */

/* Remove from the directory fd (owned) what this layer did not write, and
   recurse into kept directories that came from below.  */
static int
purge_dir (struct apply_ctx *c, int fd, uint32_t node, husk_error_t *err)
{
  cleanup_dir DIR *d = fdopendir (fd);
  struct dirent *de;

  if (d == NULL)
    {
      close (fd);
      return husk_error_make (err, errno, "opendir");
    }
  while ((de = readdir (d)) != NULL)
    {
      uint32_t child = HUSK_PTREE_NONE;
      int cfd;

      if (strcmp (de->d_name, ".") == 0 || strcmp (de->d_name, "..") == 0)
        continue;
      if (node != HUSK_PTREE_NONE)
        child = husk_ptree_child (c->tree, node, de->d_name, strlen (de->d_name), false);
      if (child == HUSK_PTREE_NONE)
        {
          if (husk_rm_rf_at (dirfd (d), de->d_name, err) < 0)
            return -1;
          continue;
        }
      if (husk_ptree_flags (c->tree, child) & HUSK_PTREE_FRESH)
        continue;
      if (de->d_type != DT_DIR && de->d_type != DT_UNKNOWN)
        continue;
      cfd = openat (dirfd (d), de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      if (cfd < 0)
        {
          if (errno == ENOTDIR || errno == ELOOP || errno == ENOENT)
            continue;
          return husk_error_make (err, errno, "open '%s'", de->d_name);
        }
      if (purge_dir (c, cfd, child, err) < 0)
        return husk_error_wrap (err, "'%s'", de->d_name);
    }
  return 0;
}

static int
purge_opaque_dirs (struct apply_ctx *c, husk_error_t *err)
{
  for (size_t i = 0; i < c->n_opaque; i++)
    {
      int fd = husk_resolve_beneath (c->root_fd, c->opaque[i], O_RDONLY | O_DIRECTORY);

      if (fd < 0)
        {
          if (errno == ENOENT || errno == ENOTDIR || errno == ELOOP)
            continue;
          return husk_error_make (err, errno, "open opaque directory '%s'", c->opaque[i]);
        }
      if (purge_dir (c, fd, husk_ptree_path (c->tree, c->opaque[i], false), err) < 0)
        return husk_error_wrap (err, "opaque directory '%s'", c->opaque[i]);
    }
  return 0;
}

/* Deepest first, so that a parent made unsearchable (mode 0) does not
   stop us reaching its children; for one path, the last entry first.  */
static int
fixup_order (const void *a, const void *b)
{
  const struct dir_fixup *x = a, *y = b;

  if (x->depth != y->depth)
    return x->depth > y->depth ? -1 : 1;
  return x->seq > y->seq ? -1 : x->seq < y->seq;
}

static int
fix_dirs (struct apply_ctx *c, husk_error_t *err)
{
  struct husk_ptree *done = husk_ptree_new ();
  int r = 0;

  if (c->n_fixups > 1)
    qsort (c->fixups, c->n_fixups, sizeof *c->fixups, fixup_order);
  for (size_t i = 0; i < c->n_fixups && r == 0; i++)
    {
      struct dir_fixup *f = &c->fixups[i];
      uint32_t node = husk_ptree_path (done, f->path, true);
      struct stat st;
      int fd;

      /* The later entry for this directory won.  */
      if (husk_ptree_flags (done, node) & HUSK_PTREE_DONE)
        continue;
      husk_ptree_set_flags (done, node, HUSK_PTREE_DONE);
      fd = husk_resolve_beneath (c->root_fd, f->path, O_RDONLY | O_DIRECTORY);
      if (fd < 0)
        {
          /* Replaced or removed by a later entry.  */
          if (errno != ENOENT && errno != ENOTDIR && errno != ELOOP)
            r = husk_error_make (err, errno, "open directory '%s'", f->path);
          continue;
        }
      /* Another directory moved there meanwhile (by a process in a
         running container) does not get this entry's mode.  */
      if (fstat (fd, &st) < 0 || st.st_dev != f->dev || st.st_ino != f->ino)
        husk_log_debug ("directory '%s' was replaced: mode and times not set", f->path);
      else if (fchmod (fd, f->mode) < 0)
        r = husk_error_make (err, errno, "chmod directory '%s'", f->path);
      else if (futimens (fd, f->times) < 0)
        r = husk_error_make (err, errno, "set times of directory '%s'", f->path);
      close (fd);
    }
  husk_ptree_free (done);
  return r;
}

/* Reading.  */

static la_ssize_t
read_cb (struct archive *a, void *data, const void **buf)
{
  struct apply_ctx *c = data;
  ssize_t n;

  if (c->pending)
    {
      *buf = c->pending;
      c->pending = NULL;
      return c->pending_len;
    }
  n = husk_blob_reader_read (c->blob, buf, &c->read_err);
  if (n < 0)
    {
      archive_set_error (a, EIO, "%s", c->read_err ? c->read_err->msg : "read error");
      return -1;
    }
  return n;
}

static int
archive_fail (struct apply_ctx *c, struct archive *a, husk_error_t *err)
{
  const char *msg = archive_error_string (a);

  if (c->read_err)
    return husk_error_move (err, &c->read_err);
  return husk_error_makex (err, EINVAL, "read tar: %s", msg ? msg : "corrupt archive");
}

static int
read_entries (struct apply_ctx *c, husk_error_t *err)
{
  cleanup (archive_read_free) struct archive *a = archive_read_new ();
  struct archive_entry *e;

  if (a == NULL)
    return husk_error_makex (err, ENOMEM, "cannot allocate the tar reader");
  archive_read_support_filter_none (a);
  archive_read_support_format_tar (a);
  if (archive_read_open (a, c, NULL, read_cb, NULL) != ARCHIVE_OK)
    return archive_fail (c, a, err);
  for (;;)
    {
      int r = archive_read_next_header (a, &e);

      if (r == ARCHIVE_EOF)
        return 0;
      if (r != ARCHIVE_OK && r != ARCHIVE_WARN)
        return archive_fail (c, a, err);
      if (apply_entry (c, a, e, err) < 0)
        {
          /* A read failure surfaces as a data error; report the cause.  */
          if (c->read_err)
            husk_error_move (err, &c->read_err);
          return -1;
        }
    }
}

static int
apply (struct apply_ctx *c, struct husk_tar_result *res, husk_error_t *err)
{
  c->pending_len = husk_blob_reader_read (c->blob, &c->pending, err);
  if (c->pending_len < 0)
    return -1;
  /* An empty stream is an empty layer (Go's tar reader agrees); libarchive
     would call it an unrecognised format.  */
  if (c->pending_len == 0)
    c->pending = NULL;
  else if (read_entries (c, err) < 0)
    return -1;
  if (husk_blob_reader_drain (c->blob, err) < 0)
    return -1;
  drop_cache (c);
  if (purge_opaque_dirs (c, err) < 0 || fix_dirs (c, err) < 0)
    return -1;
  if (res)
    {
      memset (res, 0, sizeof *res);
      res->size = husk_blob_reader_size (c->blob);
      res->blob_size = husk_blob_reader_raw_size (c->blob);
      res->compression = husk_blob_reader_compression (c->blob);
      husk_blob_reader_digests (c->blob, res->diff_id, res->blob_digest);
    }
  return 0;
}

static void
ctx_release (struct apply_ctx *c)
{
  drop_cache (c);
  for (size_t i = 0; i < c->n_fixups; i++)
    free (c->fixups[i].path);
  free (c->fixups);
  for (size_t i = 0; i < c->n_opaque; i++)
    free (c->opaque[i]);
  free (c->opaque);
  husk_ptree_free (c->tree);
  husk_blob_reader_free (c->blob);
  husk_error_release (&c->read_err);
}

int
husk_tar_apply_tee (int in_fd, int tee_fd, int root_fd,
                    const struct husk_tar_apply_opts *opts,
                    struct husk_tar_result *res, husk_error_t *err)
{
  struct apply_ctx c = { .root_fd = root_fd, .opts = opts, .cache_fd = -1,
                         .cache_node = HUSK_PTREE_NONE };
  int r;

  c.blob = husk_blob_reader_new (in_fd, tee_fd, err);
  if (c.blob == NULL)
    return husk_error_wrap (err, "read layer");
  if (opts->whiteout == HUSK_WHITEOUT_DELETE)
    c.tree = husk_ptree_new ();
  r = apply (&c, res, err);
  ctx_release (&c);
  return r;
}

int
husk_tar_apply (int in_fd, int root_fd, const struct husk_tar_apply_opts *opts,
                struct husk_tar_result *res, husk_error_t *err)
{
  return husk_tar_apply_tee (in_fd, -1, root_fd, opts, res, err);
}
