/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A container's changes against its image.
 *
 * Overlay: the upper directory holds exactly what the container wrote.
 * Each entry there is an addition, or a change when the image's tree has
 * the path; a char device 0/0 is a whiteout (a deletion); a directory
 * marked opaque hides everything the image had below it, so below it the
 * upper and lower trees are compared in full.  vfs: the container's tree is
 * a full copy, compared with the image's tree.  Both walks open every
 * directory with O_NOFOLLOW relative to its parent, so a running container
 * cannot turn the walk towards host files.
 */
#include "container/changes.h"
#include "container/fstar.h"
#include "util/cleanup.h"
#include "util/strutil.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#define CHANGES_MAX_DEPTH 512

struct clist
{
  struct husk_change *v;
  size_t n, cap;
};

static void
push (struct clist *l, char kind, const char *path)
{
  if (l->n == l->cap)
    {
      l->cap = l->cap ? l->cap * 2 : 64;
      l->v = husk_xrealloc (l->v, l->cap * sizeof *l->v);
    }
  l->v[l->n].kind = kind;
  l->v[l->n].path = husk_xstrdup (path);
  l->n++;
}

void
husk_changes_free (struct husk_change *c, size_t n)
{
  for (size_t i = 0; c && i < n; i++)
    free (c[i].path);
  free (c);
}

static int
cmp_change (const void *a, const void *b)
{
  return strcmp (((const struct husk_change *) a)->path, ((const struct husk_change *) b)->path);
}

static int
finish (struct clist *l, int r, struct husk_change **out, size_t *n)
{
  if (r < 0)
    {
      husk_changes_free (l->v, l->n);
      return -1;
    }
  if (l->n > 1)
    qsort (l->v, l->n, sizeof *l->v, cmp_change);
  *out = l->v;
  *n = l->n;
  return 0;
}

/* Append "/name" to path; restore with path_cut.  */
static size_t
path_push (struct husk_buf *path, const char *name)
{
  size_t len = path->len;

  husk_buf_putc (path, '/');
  husk_buf_puts (path, name);
  return len;
}

static void
path_cut (struct husk_buf *path, size_t len)
{
  path->len = len;
  path->data[len] = '\0';
}

static int
open_dir (int dirfd, const char *name)
{
  return openat (dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
}

static bool
same_link (int nfd, int ofd, const char *name)
{
  char a[PATH_MAX], b[PATH_MAX];
  ssize_t na = readlinkat (nfd, name, a, sizeof a);
  ssize_t nb = readlinkat (ofd, name, b, sizeof b);

  return na >= 0 && na == nb && memcmp (a, b, (size_t) na) == 0;
}

static bool
meta_differs (const struct stat *n, const struct stat *o)
{
  return n->st_mode != o->st_mode || n->st_uid != o->st_uid || n->st_gid != o->st_gid
         || n->st_mtim.tv_sec != o->st_mtim.tv_sec || n->st_mtim.tv_nsec != o->st_mtim.tv_nsec;
}

static bool
file_differs (const struct stat *n, const struct stat *o, int nfd, int ofd, const char *name)
{
  if (meta_differs (n, o) || n->st_rdev != o->st_rdev)
    return true;
  if (S_ISREG (n->st_mode) && n->st_size != o->st_size)
    return true;
  return S_ISLNK (n->st_mode) && !same_link (nfd, ofd, name);
}

static int
cmp_name_ptr (const void *a, const void *b)
{
  return strcmp (*(char *const *) a, *(char *const *) b);
}

static bool
in_sorted (char **names, const char *name)
{
  return names && bsearch (&name, names, husk_strv_len (names), sizeof *names, cmp_name_ptr) != NULL;
}

static bool
opaque (int dirfd)
{
  char v[4];

  return (fgetxattr (dirfd, "trusted.overlay.opaque", v, sizeof v) == 1 && v[0] == 'y')
         || (fgetxattr (dirfd, "user.overlay.opaque", v, sizeof v) == 1 && v[0] == 'y')
         || (fgetxattr (dirfd, "user.fuseoverlayfs.opaque", v, sizeof v) == 1 && v[0] == 'y');
}


/* Compare directory nfd (taken) with ofd (taken; -1 for none) below path.
   Return: 1 when anything differs, 0 when nothing does, -1 on error.  */
static int
compare_dir (struct clist *l, int nfd_in, int ofd_in, struct husk_buf *path, unsigned depth,
             husk_error_t *err)
{
  cleanup_close int nfd = nfd_in, ofd = ofd_in;
  cleanup_strv char **nn = NULL, **on = NULL;
  int changed = 0;

  if (depth > CHANGES_MAX_DEPTH)
    return husk_error_makex (err, ELOOP, "'%s': directories nested too deep", path->data);
  if ((nn = husk_fstar_names (dup (nfd), path->data, err)) == NULL)
    return -1;
  if (ofd >= 0 && (on = husk_fstar_names (dup (ofd), path->data, err)) == NULL)
    return -1;
  for (size_t i = 0; nn[i]; i++)
    {
      struct stat ns, os;
      size_t len;
      int r = 0;
      bool old;

      if (fstatat (nfd, nn[i], &ns, AT_SYMLINK_NOFOLLOW) < 0 || husk_fstar_fuse_mark (nfd, nn[i], &ns))
        continue; /* gone meanwhile, or not the container's */
      old = ofd >= 0 && fstatat (ofd, nn[i], &os, AT_SYMLINK_NOFOLLOW) == 0;
      len = path_push (path, nn[i]);
      if (old && S_ISDIR (ns.st_mode) && S_ISDIR (os.st_mode))
        {
          int sub = open_dir (nfd, nn[i]);
          r = sub < 0 ? 0 : compare_dir (l, sub, open_dir (ofd, nn[i]), path, depth + 1, err);
          if (r >= 0 && (r > 0 || meta_differs (&ns, &os)))
            push (l, 'C', path->data), changed = 1;
        }
      else if (!old || file_differs (&ns, &os, nfd, ofd, nn[i]))
        {
          push (l, old ? 'C' : 'A', path->data);
          changed = 1;
          if (S_ISDIR (ns.st_mode))
            {
              int sub = open_dir (nfd, nn[i]);
              r = sub < 0 ? 0 : compare_dir (l, sub, -1, path, depth + 1, err);
            }
        }
      path_cut (path, len);
      if (r < 0)
        return -1;
    }
  for (size_t i = 0; on && on[i]; i++)
    if (!in_sorted (nn, on[i]))
      {
        size_t len = path_push (path, on[i]);
        push (l, 'D', path->data);
        path_cut (path, len);
        changed = 1;
      }
  return changed;
}

/* Walk upper directory ufd (taken) over lower lfd (taken; -1 for none).  */
static int
walk_upper (struct clist *l, int ufd_in, int lfd_in, bool fuse, struct husk_buf *path,
            unsigned depth, husk_error_t *err)
{
  cleanup_close int ufd = ufd_in, lfd = lfd_in;
  cleanup_strv char **names = NULL;

  if (depth > CHANGES_MAX_DEPTH)
    return husk_error_makex (err, ELOOP, "'%s': directories nested too deep", path->data);
  if ((names = husk_fstar_names (dup (ufd), path->data, err)) == NULL)
    return -1;
  for (size_t i = 0; names[i]; i++)
    {
      struct stat us, ls;
      size_t len;
      bool lower;
      int r = 0;

      if (fstatat (ufd, names[i], &us, AT_SYMLINK_NOFOLLOW) < 0 || husk_fstar_fuse_mark (ufd, names[i], &us))
        continue;
      if (fuse && husk_fstar_fuse_whiteout (names[i], &us))
        {
          len = path_push (path, names[i] + strlen (".wh."));
          push (l, 'D', path->data);
          path_cut (path, len);
          continue;
        }
      len = path_push (path, names[i]);
      if (S_ISCHR (us.st_mode) && us.st_rdev == makedev (0, 0))
        {
          push (l, 'D', path->data);
          path_cut (path, len);
          continue;
        }
      lower = lfd >= 0 && fstatat (lfd, names[i], &ls, AT_SYMLINK_NOFOLLOW) == 0;
      push (l, lower ? 'C' : 'A', path->data);
      if (S_ISDIR (us.st_mode))
        {
          int sub = open_dir (ufd, names[i]);
          int lsub = lower && S_ISDIR (ls.st_mode) ? open_dir (lfd, names[i]) : -1;
          if (sub < 0)
            {
              if (lsub >= 0)
                close (lsub);
            }
          else if (opaque (sub))
            r = compare_dir (l, sub, lsub, path, depth + 1, err);
          else
            r = walk_upper (l, sub, lsub, fuse, path, depth + 1, err);
        }
      path_cut (path, len);
      if (r < 0)
        return -1;
    }
  return 0;
}

int
husk_changes_overlay (int upper_fd, int lower_fd, bool fuse, struct husk_change **out,
                      size_t *n, husk_error_t *err)
{
  struct clist l = { 0 };
  struct husk_buf path = HUSK_BUF_INIT;
  int ufd = open_dir (upper_fd, "."), lfd = lower_fd >= 0 ? open_dir (lower_fd, ".") : -1;
  int r;

  husk_buf_puts (&path, "");
  if (ufd < 0)
    {
      if (lfd >= 0)
        close (lfd);
      return husk_error_make (err, errno, "open upper directory");
    }
  r = walk_upper (&l, ufd, lfd, fuse, &path, 0, err);
  husk_buf_release (&path);
  return finish (&l, r, out, n);
}

int
husk_changes_compare (int new_fd, int old_fd, struct husk_change **out, size_t *n,
                      husk_error_t *err)
{
  struct clist l = { 0 };
  struct husk_buf path = HUSK_BUF_INIT;
  int nfd = open_dir (new_fd, "."), ofd = old_fd >= 0 ? open_dir (old_fd, ".") : -1;
  int r;

  husk_buf_puts (&path, "");
  if (nfd < 0)
    {
      if (ofd >= 0)
        close (ofd);
      return husk_error_make (err, errno, "open container tree");
    }
  r = compare_dir (&l, nfd, ofd, &path, 0, err);
  husk_buf_release (&path);
  return finish (&l, r < 0 ? -1 : 0, out, n);
}

bool
husk_changes_runtime_path (const char *path)
{
  static const char *const paths[] = {
    "/dev", "/etc/hostname", "/etc/hosts", "/etc/mtab", "/etc/resolv.conf", "/proc",
    "/run", "/run/.containerenv", "/run/secrets", "/sys",
  };

  for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++)
    if (strcmp (path, paths[i]) == 0)
      return true;
  return false;
}

/* What goes into a layer.  A name that begins with ".wh." is refused: in
   the layer it would be a whiteout, and `touch /etc/.wh.passwd
   /bin/.wh..wh..opq` in a container would make the committed image lose
   /etc/passwd and all of /bin (Podman and Docker have that bug; cp refuses
   such names too).  Files the runtime bind-mounts over are left out: what
   the upper directory has there is an empty mount point, never something
   the container wrote.  */
static int
layer_check (void *data, const char *path, mode_t mode, husk_error_t *err)
{
  static const char *const files[] = {
    "etc/hostname", "etc/hosts", "etc/resolv.conf", "run/.containerenv",
  };
  const char *slash = strrchr (path, '/'), *base = slash ? slash + 1 : path;

  (void) data;
  if (husk_has_prefix (base, ".wh."))
    return husk_error_makex (err, EINVAL, "cannot commit \"/%s\": names beginning with "
                                          "\".wh.\" are reserved for layer whiteouts "
                                          "(rename or remove it in the container)", path);
  if (!S_ISREG (mode))
    return 0;
  for (size_t i = 0; i < sizeof files / sizeof files[0]; i++)
    if (strcmp (path, files[i]) == 0)
      return 1;
  return 0;
}

int
husk_changes_layer_overlay (int upper_fd, bool fuse, int out_fd, const struct husk_idmap *uids,
                            const struct husk_idmap *gids, husk_error_t *err)
{
  struct husk_fstar_opts o = { .xattrs = true, .overlay_whiteouts = true, .fuse_whiteouts = fuse,
                               .sparse = true, .uids = uids, .gids = gids, .check = layer_check };
  struct husk_fstar *w = husk_fstar_new (out_fd, &o, err);
  int r;

  if (w == NULL)
    return -1;
  r = husk_fstar_add (w, upper_fd, "", err);
  if (r == 0)
    r = husk_fstar_finish (w, err);
  husk_fstar_free (w);
  return r;
}

int
husk_changes_open_parent (int root, const char *rel, const char **base)
{
  const char *slash = strrchr (rel, '/');
  cleanup_free char *dir = slash ? husk_xstrndup (rel, (size_t) (slash - rel)) : NULL;
  struct open_how how = { .flags = O_PATH | O_DIRECTORY | O_CLOEXEC,
                          .resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS
                                     | RESOLVE_NO_MAGICLINKS };

  *base = slash ? slash + 1 : rel;
  return (int) syscall (SYS_openat2, root, dir ? dir : ".", &how, sizeof how);
}

int
husk_changes_layer_list (int tree_fd, const struct husk_change *c, size_t n, int out_fd,
                         const struct husk_idmap *uids, const struct husk_idmap *gids,
                         husk_error_t *err)
{
  struct husk_fstar_opts o = { .xattrs = true, .sparse = true, .uids = uids, .gids = gids,
                               .check = layer_check };
  struct husk_fstar *w = husk_fstar_new (out_fd, &o, err);
  int r = 0;

  if (w == NULL)
    return -1;
  for (size_t i = 0; i < n && r == 0; i++)
    {
      const char *rel = c[i].path + 1, *base;
      cleanup_close int dfd = -1;

      if (c[i].kind == 'D')
        {
          r = husk_fstar_add_whiteout (w, rel, err);
          continue;
        }
      dfd = husk_changes_open_parent (tree_fd, rel, &base);
      if (dfd < 0)
        r = husk_error_make (err, errno, "open parent of '%s'", c[i].path);
      else
        r = husk_fstar_add_entry (w, dfd, base, rel, err);
    }
  if (r == 0)
    r = husk_fstar_finish (w, err);
  husk_fstar_free (w);
  return r;
}
