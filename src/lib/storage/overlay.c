/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The overlay driver: each layer's diff/ holds only that layer's changes,
 * with whiteouts in overlayfs' own form (0/0 char devices, the opaque
 * xattr), and an image is the overlay mount of its layers' diffs.
 *
 * Every layer gets a short name: l/<26 characters> is a symlink to
 * ../layers/<hex>/diff, recorded in the layer's "link" file; the layer's
 * "lower" file lists its ancestors' short names, parent first
 * ("l/A:l/B:...").  Mounts use the new mount API with one "lowerdir+"
 * parameter per layer (kernel >= 6.8, no length limit); on older kernels
 * they fall back to mount(2) with "lowerdir=l/A:l/B" relative to the
 * driver directory (made current with chdir() for the call), which the
 * short names keep within the one page mount(2) accepts.  A pure read-only
 * overlay needs two lower layers, so a single-layer image gets an empty
 * directory as its second.
 */
#include "storage/driver.h"
#include "userns/userns.h"
#include "util/cleanup.h"
#include "util/fileutil.h"
#include "util/log.h"
#include "util/strutil.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#define SHORT_LEN 26
#define EMPTY_DIR "empty"

/* Mounting.  */

/* The last message the kernel left on an fs context fd, if any.  */
static char *
fs_message (int fsfd)
{
  char buf[512], last[512] = "";
  ssize_t n;

  while ((n = read (fsfd, buf, sizeof buf - 1)) > 0)
    {
      buf[n] = '\0';
      snprintf (last, sizeof last, "%s", buf[0] && buf[1] == ' ' ? buf + 2 : buf);
    }
  return *last ? husk_xstrdup (last) : NULL;
}

static int
fs_error (husk_error_t *err, int fsfd, int code, const char *what)
{
  cleanup_free char *msg = fs_message (fsfd);

  if (msg)
    return husk_error_makex (err, code, "%s: %s", what, msg);
  return husk_error_make (err, code, "%s", what);
}

/* New mount API.  *unsupported is set (and no error made) when the kernel
   lacks it or "lowerdir+".  */
static int
mount_new (const char *base, char **lowers, const char *upper, const char *work,
           bool transient, const char *target, bool *unsupported, husk_error_t *err)
{
  cleanup_close int fsfd = fsopen ("overlay", FSOPEN_CLOEXEC);
  cleanup_close int mfd = -1;

  *unsupported = false;
  if (fsfd < 0)
    {
      if (errno == ENOSYS)
        {
          *unsupported = true;
          return -1;
        }
      return husk_error_make (err, errno, "open overlay file system context");
    }
  for (size_t i = 0; lowers[i]; i++)
    {
      cleanup_free char *p = husk_asprintf ("%s/%s", base, lowers[i]);

      if (fsconfig (fsfd, FSCONFIG_SET_STRING, "lowerdir+", p, 0) == 0)
        continue;
      if (i == 0 && errno == EINVAL)
        {
          cleanup_free char *msg = fs_message (fsfd);

          /* Unknown parameter: kernel < 6.8.  Anything else is real.  */
          if (msg == NULL || strstr (msg, "nknown parameter"))
            {
              *unsupported = true;
              return -1;
            }
          return husk_error_makex (err, EINVAL, "overlay lower '%s': %s", p, msg);
        }
      return fs_error (err, fsfd, errno, "overlay lower directory");
    }
  /* In a user namespace overlay keeps its metadata (opaque directories,
     redirects) in user.overlay.* xattrs: trusted.* needs the initial
     namespace's CAP_SYS_ADMIN.  The layers were written to match
     (tar.c).  */
  if (husk_userns_rootless () && fsconfig (fsfd, FSCONFIG_SET_FLAG, "userxattr", NULL, 0) < 0)
    return fs_error (err, fsfd, errno, "overlay userxattr");
  if (upper)
    {
      cleanup_free char *u = husk_asprintf ("%s/%s", base, upper);
      cleanup_free char *w = husk_asprintf ("%s/%s", base, work);

      if (fsconfig (fsfd, FSCONFIG_SET_STRING, "upperdir", u, 0) < 0
          || fsconfig (fsfd, FSCONFIG_SET_STRING, "workdir", w, 0) < 0
          || (transient && fsconfig (fsfd, FSCONFIG_SET_FLAG, "volatile", NULL, 0) < 0))
        return fs_error (err, fsfd, errno, "overlay upper directory");
    }
  if (fsconfig (fsfd, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
    return fs_error (err, fsfd, errno, "create overlay");
  mfd = fsmount (fsfd, FSMOUNT_CLOEXEC, upper ? 0 : MOUNT_ATTR_RDONLY);
  if (mfd < 0)
    return fs_error (err, fsfd, errno, "mount overlay");
  if (move_mount (mfd, "", AT_FDCWD, target, MOVE_MOUNT_F_EMPTY_PATH) < 0)
    return husk_error_make (err, errno, "attach overlay at '%s'", target);
  return 0;
}

/* mount(2) with paths relative to base, which is made the current
   directory for the call: short names keep the options within a page.  */
static int
mount_legacy (const char *base, char **lowers, const char *upper, const char *work,
              bool transient, const char *target, husk_error_t *err)
{
  cleanup_free char *lower = husk_strv_join (lowers, ":");
  cleanup_free char *opts = NULL;
  cleanup_close int cwd = open (".", O_PATH | O_DIRECTORY | O_CLOEXEC);
  int r, saved;

  const char *ux = husk_userns_rootless () ? ",userxattr" : "";

  if (upper)
    opts = husk_asprintf ("lowerdir=%s,upperdir=%s,workdir=%s%s%s", lower, upper, work,
                          transient ? ",volatile" : "", ux);
  else
    opts = husk_asprintf ("lowerdir=%s%s", lower, ux);
  if (strlen (opts) >= (size_t) getpagesize ())
    return husk_error_makex (err, E2BIG, "too many layers for an overlay mount on "
                                         "this kernel (%zu)", husk_strv_len (lowers));
  if (cwd < 0 || chdir (base) < 0)
    return husk_error_make (err, errno, "chdir '%s'", base);
  r = mount ("overlay", target, "overlay", upper ? 0 : MS_RDONLY, opts);
  saved = errno;
  if (fchdir (cwd) < 0)
    husk_log_warn ("cannot return to the working directory: %s", strerror (errno));
  if (r < 0)
    return husk_error_make (err, saved, "mount overlay at '%s'", target);
  return 0;
}

/* Mount an overlay of base/lowers[...] (top first), with base/upper and
   base/work when upper is not NULL, at target.  */
static int
ovl_mount (const char *base, char **lowers, const char *upper, const char *work,
           bool transient, const char *target, bool legacy, husk_error_t *err)
{
  bool unsupported = true;

  if (!legacy
      && mount_new (base, lowers, upper, work, transient, target, &unsupported, err) == 0)
    return 0;
  if (!unsupported)
    return -1;
  return mount_legacy (base, lowers, upper, work, transient, target, err);
}

int
husk_overlay_probe (const char *dir, husk_error_t *err)
{
  static const char *subdirs[] = { "l1", "l2", "upper", "work", "merged" };
  cleanup_free char *tmp = husk_mkdtemp_in (dir, ".probe-", err);
  cleanup_free char *merged = NULL;
  char *lowers[] = { (char *) "l1", (char *) "l2", NULL };
  husk_error_t rmerr = NULL;
  int r;

  if (tmp == NULL)
    return -1;
  for (size_t i = 0; i < sizeof subdirs / sizeof subdirs[0]; i++)
    {
      cleanup_free char *p = husk_asprintf ("%s/%s", tmp, subdirs[i]);

      if (mkdir (p, 0700) < 0)
        {
          husk_error_make (err, errno, "mkdir '%s'", p);
          husk_rm_rf (tmp, NULL);
          return -1;
        }
    }
  merged = husk_asprintf ("%s/merged", tmp);
  r = ovl_mount (tmp, lowers, "upper", "work", false, merged, false, err);
  if (r == 0 && umount2 (merged, MNT_DETACH) < 0)
    r = husk_error_make (err, errno, "unmount '%s'", merged);
  if (husk_rm_rf (tmp, &rmerr) < 0)
    husk_error_drop (&rmerr, "remove the overlay probe");
  return r;
}

/* Layers.  */

static void
random_short (char out[SHORT_LEN + 1])
{
  static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  unsigned char rnd[SHORT_LEN];

  if (getrandom (rnd, sizeof rnd, 0) != (ssize_t) sizeof rnd)
    for (size_t i = 0; i < sizeof rnd; i++)
      rnd[i] = (unsigned char) (random () & 0xff);
  for (size_t i = 0; i < SHORT_LEN; i++)
    out[i] = alphabet[rnd[i] & 31];
  out[SHORT_LEN] = '\0';
}

static bool
valid_short (const char *s)
{
  if (strlen (s) != SHORT_LEN)
    return false;
  for (const char *p = s; *p; p++)
    if (!((*p >= 'A' && *p <= 'Z') || (*p >= '2' && *p <= '7')))
      return false;
  return true;
}

/* Read a small one-line file under dirfd, without its newline.  */
static char *
read_line_at (int dirfd, const char *name, husk_error_t *err)
{
  char *s = husk_read_file_at (dirfd, name, NULL, err);

  if (s)
    s[strcspn (s, "\n")] = '\0';
  return s;
}

static int
write_at (int dirfd, const char *name, const char *text, husk_error_t *err)
{
  cleanup_close int fd = openat (dirfd, name, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

  if (fd < 0 || husk_write_all (fd, text, strlen (text)) < 0)
    return husk_error_make (err, errno, "write '%s'", name);
  return 0;
}

/* "l/<link>[:<lower>]" of layer hex: the lowers of a mount on top of it.  */
static char *
chain_of (struct husk_store *s, const char *hex, husk_error_t *err)
{
  cleanup_free char *lrel = husk_asprintf ("layers/%s/link", hex);
  cleanup_free char *orel = husk_asprintf ("layers/%s/lower", hex);
  cleanup_free char *link = read_line_at (s->dir_fd, lrel, err);
  cleanup_free char *lower = NULL;

  if (link == NULL)
    return NULL;
  if (!valid_short (link))
    {
      husk_error_makex (err, EINVAL, "layer '%s': corrupt link file", hex);
      return NULL;
    }
  if (faccessat (s->dir_fd, orel, F_OK, 0) == 0)
    {
      lower = read_line_at (s->dir_fd, orel, err);
      if (lower == NULL)
        return NULL;
    }
  return lower && *lower ? husk_asprintf ("l/%s:%s", link, lower)
                         : husk_asprintf ("l/%s", link);
}

static int
ovl_layer_prepare (struct husk_store *s, const char *parent_hex, int layer_fd,
                   husk_error_t *err)
{
  (void) s, (void) parent_hex, (void) layer_fd, (void) err;
  return 0;
}

static int
ovl_layer_commit (struct husk_store *s, const char *hex, const char *parent_hex,
                  int layer_fd, husk_error_t *err)
{
  cleanup_free char *target = husk_asprintf ("../layers/%s/diff", hex);
  cleanup_close int lfd = openat (s->dir_fd, "l", O_PATH | O_DIRECTORY | O_CLOEXEC);
  char name[SHORT_LEN + 1];

  if (lfd < 0)
    return husk_error_make (err, errno, "open '%s/l'", s->dir);
  if (parent_hex)
    {
      cleanup_free char *lower = chain_of (s, parent_hex, err);

      if (lower == NULL || write_at (layer_fd, "lower", lower, err) < 0)
        return husk_error_wrap (err, "parent layer '%s'", parent_hex);
    }
  /* The link dangles until the layer is renamed into place.  */
  for (int tries = 0;; tries++)
    {
      random_short (name);
      if (symlinkat (target, lfd, name) == 0)
        break;
      if (errno != EEXIST || tries > 16)
        return husk_error_make (err, errno, "create link '%s/l/%s'", s->dir, name);
    }
  if (write_at (layer_fd, "link", name, err) < 0)
    {
      unlinkat (lfd, name, 0);
      return -1;
    }
  return 0;
}

static void
ovl_layer_release (struct husk_store *s, int layer_fd)
{
  cleanup_free char *link = read_line_at (layer_fd, "link", NULL);
  cleanup_free char *rel = NULL;

  if (link == NULL || !valid_short (link))
    return;
  rel = husk_asprintf ("l/%s", link);
  if (unlinkat (s->dir_fd, rel, 0) < 0 && errno != ENOENT)
    husk_log_warn ("remove '%s/%s': %s", s->dir, rel, strerror (errno));
}

/* Split a chain into lowers, adding the empty directory when there is only
   one (a read-only overlay needs two).  */
static char **
lowers_of (struct husk_store *s, const char *chain, bool need_two, husk_error_t *err)
{
  char **v = *chain ? husk_strv_split (chain, ':') : NULL;
  cleanup_free char *empty = NULL;

  if (husk_strv_len (v) >= (need_two ? 2u : 1u))
    return v;
  empty = husk_asprintf ("%s/" EMPTY_DIR, s->dir);
  if (mkdir (empty, 0755) < 0 && errno != EEXIST)
    {
      husk_strv_free (v);
      husk_error_make (err, errno, "mkdir '%s'", empty);
      return NULL;
    }
  husk_strv_append (&v, EMPTY_DIR);
  return v;
}

static int
ovl_image_mount (struct husk_store *s, const char *hex, const char *target,
                 husk_error_t *err)
{
  cleanup_free char *chain = chain_of (s, hex, err);
  cleanup_strv char **lowers = NULL;

  if (chain == NULL)
    return -1;
  lowers = lowers_of (s, chain, true, err);
  if (lowers == NULL)
    return -1;
  if (s->mount_program)
    return husk_fuse_overlay_mount (s->mount_program, s->dir, lowers, NULL, NULL, target, err);
  return ovl_mount (s->dir, lowers, NULL, NULL, false, target, s->legacy_mount, err);
}

/* Containers.  */

static int
ovl_container_prepare (struct husk_store *s, const char *image_hex, int ctr_fd,
                       husk_error_t *err)
{
  static const char *subdirs[] = { "diff", "work", "merged" };
  cleanup_free char *chain = NULL;

  for (size_t i = 0; i < sizeof subdirs / sizeof subdirs[0]; i++)
    if (mkdirat (ctr_fd, subdirs[i], 0755) < 0)
      return husk_error_make (err, errno, "mkdir '%s'", subdirs[i]);
  if (image_hex == NULL)
    return 0;
  chain = chain_of (s, image_hex, err);
  if (chain == NULL)
    return -1;
  /* The container's / is the upper directory: it keeps the mode of the
     image's / (the top layer's root), as in Podman.  */
  {
    cleanup_strv char **v = husk_strv_split (chain, ':');
    struct stat st;
    if (v[0] && fstatat (s->dir_fd, v[0], &st, 0) == 0
        && fchmodat (ctr_fd, "diff", st.st_mode & 07777, 0) < 0)
      return husk_error_make (err, errno, "chmod 'diff'");
  }
  return write_at (ctr_fd, "lower", chain, err);
}

static int
ovl_container_mount (struct husk_store *s, const char *id, const char *target,
                     husk_error_t *err)
{
  cleanup_free char *rel = husk_asprintf ("containers/%s/lower", id);
  cleanup_free char *chain = NULL, *upper = NULL, *work = NULL;
  cleanup_strv char **lowers = NULL;
  bool transient;

  if (faccessat (s->dir_fd, rel, F_OK, 0) == 0)
    {
      chain = read_line_at (s->dir_fd, rel, err);
      if (chain == NULL)
        return -1;
    }
  lowers = lowers_of (s, chain ? chain : "", false, err);
  if (lowers == NULL)
    return -1;
  upper = husk_asprintf ("containers/%s/diff", id);
  work = husk_asprintf ("containers/%s/work", id);
  free (rel);
  rel = husk_asprintf ("containers/%s/transient", id);
  transient = faccessat (s->dir_fd, rel, F_OK, 0) == 0;
  if (transient)
    {
      /* A volatile mount that was not cleanly unmounted (a crash) leaves
         <workdir>/work/incompat/volatile, and overlay refuses the upper directory
         until it is gone; the layer's content is thrown away anyway.  */
      cleanup_free char *mark = husk_asprintf ("containers/%s/work/work/incompat", id);
      husk_error_t rmerr = NULL;
      if (husk_rm_rf_at (s->dir_fd, mark, &rmerr) < 0)
        husk_error_drop (&rmerr, "remove '%s'", mark);
    }
  if (s->mount_program)
    return husk_fuse_overlay_mount (s->mount_program, s->dir, lowers, upper, work, target, err);
  return ovl_mount (s->dir, lowers, upper, work, transient, target, s->legacy_mount, err);
}

const struct husk_storage_driver husk_storage_overlay = {
  .name = "overlay",
  .whiteout = HUSK_WHITEOUT_OVERLAY,
  .layer_prepare = ovl_layer_prepare,
  .layer_commit = ovl_layer_commit,
  .layer_release = ovl_layer_release,
  .image_mount = ovl_image_mount,
  .container_prepare = ovl_container_prepare,
  .container_mount = ovl_container_mount,
};
