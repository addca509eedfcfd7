/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The layer store: opening, driver choice, and the life of a layer.
 *
 * Theory of operation
 *
 * A layer is built in a fresh work directory tmp/<name>/ (diff/, blob,
 * layer.json and the driver's files) and appears under layers/<chain-hex>
 * by one rename().  Readers only look under layers/, so they see a layer
 * complete or not at all; a crash leaves garbage in tmp/ only.  Removal is
 * the same move backwards: rename() into a work directory, then rm -rf.
 *
 * Concurrency.  Several husk processes may create the same layer at once:
 * each extracts into its own work directory and the first rename() wins;
 * the others get EEXIST/ENOTEMPTY, discard their copy and report the
 * winner's layer, so all succeed.  Work directories are flock()ed while in
 * use; husk_store_open() clears tmp/ of stale ones (whose lock it can
 * take) only, never of another process's work in progress.  The same work
 * area holds the files of load, import and commit (ops/), under the same
 * rule, so what a command killed by SIGKILL leaves is removed by the next
 * command that opens the store, and `system df` counts what remains.  A work
 * directory removed between its mkdtemp() and its flock() is noticed
 * (st_nlink == 0 once locked) and made again.
 *
 * The blob is read once: it is hashed (blob digest), copied into the work
 * directory (unless taken by rename) and decompressed into the tar applier,
 * which hashes the uncompressed stream (diff ID).
 */
#include "storage/blob.h"
#include "storage/driver.h"
#include "storage/resolve.h"
#include "storage/store.h"
#include "storage/tar.h"
#include "util/cleanup.h"
#include "util/digest.h"
#include "util/fileutil.h"
#include "util/log.h"
#include "util/strutil.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#define PROBE_CACHE ".husk-overlay-probe"

/* Small helpers.  */

const char *
husk_store_chain_hex (const char *chain_id, husk_error_t *err)
{
  if (chain_id == NULL || !husk_digest_valid (chain_id))
    {
      husk_error_makex (err, EINVAL, "invalid layer ID '%s'", chain_id ? chain_id : "");
      return NULL;
    }
  return chain_id + 7;
}

bool
husk_store_is_mountpoint (const char *path)
{
  struct statx stx;

  if (statx (AT_FDCWD, path, AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS, &stx) < 0)
    return false;
  return (stx.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT)
         && (stx.stx_attributes & STATX_ATTR_MOUNT_ROOT);
}

void
husk_store_chain_id (const char *parent_chain, const char *diff_id, char out[72])
{
  struct husk_sha256 *h;
  char hex[HUSK_SHA256_HEX_LEN + 1];

  if (parent_chain == NULL || *parent_chain == '\0')
    {
      snprintf (out, 72, "%s", diff_id);
      return;
    }
  h = husk_sha256_new ();
  husk_sha256_update (h, parent_chain, strlen (parent_chain));
  husk_sha256_update (h, " ", 1);
  husk_sha256_update (h, diff_id, strlen (diff_id));
  husk_sha256_final (h, hex);
  snprintf (out, 72, "sha256:%s", hex);
}

/* Work directories.  */

int
husk_store_work_new (struct husk_store *s, const char *prefix,
                     struct husk_work_dir *w, husk_error_t *err)
{
  cleanup_free char *tmp = husk_asprintf ("%s/tmp", s->dir);

  for (int tries = 0; tries < 100; tries++)
    {
      struct stat st;

      w->path = husk_mkdtemp_in (tmp, prefix, err);
      if (w->path == NULL)
        return -1;
      w->name = husk_xstrdup (strrchr (w->path, '/') + 1);
      w->fd = open (w->path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      if (w->fd >= 0 && flock (w->fd, LOCK_EX) == 0 && fstat (w->fd, &st) == 0
          && st.st_nlink > 0)
        return 0;
      /* Cleared by a concurrent husk_store_open(): try again.  */
      if (w->fd >= 0)
        close (w->fd);
      w->fd = -1;
      free (w->path);
      free (w->name);
      w->path = w->name = NULL;
    }
  return husk_error_makex (err, EAGAIN, "cannot create a work directory in '%s'", tmp);
}

void
husk_store_work_discard (struct husk_store *s, struct husk_work_dir *w)
{
  husk_error_t err = NULL;

  (void) s;
  if (w->path && husk_rm_rf (w->path, &err) < 0)
    {
      husk_log_warn ("%s", err->msg);
      husk_error_release (&err);
    }
  if (w->fd >= 0)
    close (w->fd);
  w->fd = -1;
  free (w->path);
  free (w->name);
  w->path = w->name = NULL;
}

/* Remove what a dead process left in tmp/: layer work directories, trash,
   and the files of load, import and commit (ops/), each flock()ed by the
   process using it (husk_work_entry_claim() says which are stale).  */
static void
clear_tmp (struct husk_store *s)
{
  cleanup_close int tfd = openat (s->dir_fd, "tmp", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  cleanup_dir DIR *d = tfd >= 0 ? fdopendir (tfd) : NULL;
  struct dirent *de;

  if (d == NULL)
    return;
  tfd = -1; /* owned by d */
  while ((de = readdir (d)) != NULL)
    {
      cleanup_close int lock = -1;
      husk_error_t err = NULL;

      if (strcmp (de->d_name, ".") == 0 || strcmp (de->d_name, "..") == 0)
        continue;
      if (husk_work_entry_claim (dirfd (d), de->d_name, &lock) != 0)
        continue; /* in use */
      /* Removed under our lock: a racing clear skips it.  */
      if (husk_rm_rf_at (dirfd (d), de->d_name, &err) < 0)
        {
          husk_log_warn ("clear stale work entry: %s", err->msg);
          husk_error_release (&err);
        }
    }
}

/* Opening.  */

static bool
has_layers (const char *graphroot, const char *driver)
{
  cleanup_free char *p = husk_asprintf ("%s/%s/layers", graphroot, driver);

  return husk_path_exists (p);
}

/* Whether kernel overlay mounts work under graphroot, probed once and
   cached; *why gets the kernel's reason when they do not.  */
static bool
kernel_overlay_works (const char *graphroot, bool probe, char **why)
{
  cleanup_free char *cache = husk_asprintf ("%s/" PROBE_CACHE, graphroot);
  cleanup_free char *known = husk_read_file (cache, NULL, NULL);
  cleanup_free char *text = NULL;
  husk_error_t err = NULL;
  bool ok;

  if (known)
    {
      char *nl = strchr (known, '\n');

      if (husk_has_prefix (known, "ok"))
        return true;
      *why = husk_xstrdup (nl && nl[1] ? nl + 1 : "an earlier probe mount failed");
      (*why)[strcspn (*why, "\n")] = '\0';
      return false;
    }
  if (!probe)
    return true;
  if (husk_mkdir_p (graphroot, 0700, &err) < 0)
    {
      *why = husk_xstrdup (err->msg);
      husk_error_release (&err);
      return false;
    }
  ok = husk_overlay_probe (graphroot, &err) == 0;
  if (!ok)
    {
      *why = husk_xstrdup (err->msg);
      (*why)[strcspn (*why, "\n")] = '\0';
      husk_error_release (&err);
    }
  text = ok ? husk_xstrdup ("ok\n") : husk_asprintf ("fail\n%s\n", *why);
  if (husk_write_file_atomic (cache, text, strlen (text), 0644, &err) < 0)
    husk_error_release (&err);
  return ok;
}

/* Drivers of Podman that husk does not have.  */
static const char *const foreign_drivers[] = { "btrfs", "zfs", "devmapper", "aufs", NULL };

static const struct husk_storage_driver *
named_driver (const char *d, bool rootless, husk_error_t *err)
{
  if (strcmp (d, "overlay") == 0 || strcmp (d, "overlay2") == 0)
    return &husk_storage_overlay;
  if (strcmp (d, "vfs") == 0)
    return &husk_storage_vfs;
  if (husk_strv_contains ((char *const *) foreign_drivers, d) && rootless)
    husk_error_makex (err, EPERM, "the storage driver \"%s\" cannot be used rootless: an "
                                  "unprivileged user's store can use overlay (the kernel's or "
                                  "fuse-overlayfs) or vfs", d);
  else if (husk_strv_contains ((char *const *) foreign_drivers, d))
    husk_error_makex (err, ENOTSUP, "the storage driver \"%s\" is not supported by husk "
                                    "(supported: overlay, vfs)", d);
  else
    husk_error_makex (err, EINVAL, "unknown storage driver '%s' (supported: overlay, vfs)", d);
  return NULL;
}

/* The driver: the one named, else the one whose layers are there, else
   kernel overlay if a probe mount works, else overlay through
   fuse-overlayfs, else vfs (Podman's order).  */
static int
pick_driver (struct husk_store *s, const struct husk_store_opts *o, husk_error_t *err)
{
  cleanup_free char *why = NULL;

  if (o->driver && *o->driver)
    {
      s->driver = named_driver (o->driver, o->rootless, err);
      s->reason = husk_xstrdup (o->recorded ? "the store was made with it"
                                            : "requested (--storage-driver or storage.conf)");
      return s->driver ? 0 : -1;
    }
  s->driver = &husk_storage_overlay;
  if (has_layers (o->graphroot, "overlay"))
    s->reason = husk_xstrdup ("the store's layers are overlay's");
  else if (has_layers (o->graphroot, "vfs"))
    {
      s->driver = &husk_storage_vfs;
      s->reason = husk_xstrdup ("the store's layers are vfs's");
    }
  else if (kernel_overlay_works (o->graphroot, true, &why))
    s->reason = husk_xstrdup ("a kernel overlay mount works in the graph root");
  else if ((s->mount_program = husk_fuse_overlay_find ()) != NULL)
    s->reason = husk_asprintf ("kernel overlay cannot mount in the graph root (%s): "
                               "overlay through fuse-overlayfs", why);
  else
    {
      s->driver = &husk_storage_vfs;
      s->reason = husk_asprintf ("kernel overlay cannot mount in the graph root (%s) and "
                                 "fuse-overlayfs is not installed or /dev/fuse cannot "
                                 "be opened", why);
    }
  return 0;
}

/* overlay without a mount program, where an earlier probe found that
   kernel overlay cannot mount: fuse-overlayfs, as when the store was
   made.  */
static void
pick_mount_program (struct husk_store *s)
{
  cleanup_free char *why = NULL;
  char *reason;

  if (s->driver != &husk_storage_overlay || s->mount_program
      || kernel_overlay_works (s->graphroot, false, &why))
    return;
  s->mount_program = husk_fuse_overlay_find ();
  if (s->mount_program == NULL)
    return;
  reason = husk_asprintf ("%s; kernel overlay cannot mount in the graph root (%s): "
                          "through fuse-overlayfs", s->reason, why);
  free (s->reason);
  s->reason = reason;
}

static int
set_mount_program (struct husk_store *s, const char *path, husk_error_t *err)
{
  if (*path != '/')
    return husk_error_makex (err, EINVAL, "overlay.mount_program '%s': not an absolute path",
                             path);
  if (access (path, X_OK) < 0)
    return husk_error_make (err, errno, "overlay.mount_program '%s'", path);
  free (s->mount_program);
  s->mount_program = husk_xstrdup (path);
  free (s->reason);
  s->reason = husk_xstrdup ("overlay.mount_program is set (--storage-opt or storage.conf)");
  return 0;
}

/* Options are "<driver>.<key>=<value>" (or without the driver prefix);
   those for another driver are ignored.  */
static int
parse_driver_opts (struct husk_store *s, char **opts, husk_error_t *err)
{
  for (size_t i = 0; opts && opts[i]; i++)
    {
      const char *o = opts[i], *dot = strchr (o, '.'), *eq = strchr (o, '=');
      const char *key = o;

      if (*o == '\0')
        continue; /* `--storage-opt ''`: Podman accepts it silently */
      if (dot && (eq == NULL || dot < eq))
        {
          size_t n = (size_t) (dot - o);

          if (strlen (s->driver->name) != n || strncmp (o, s->driver->name, n) != 0)
            continue;
          key = dot + 1;
        }
      if (strcmp (key, "ignore_chown_errors=true") == 0)
        s->ignore_chown_errors = true;
      else if (strcmp (key, "ignore_chown_errors=false") == 0)
        s->ignore_chown_errors = false;
      else if (strcmp (key, "mount_api=legacy") == 0)
        s->legacy_mount = true;
      else if (s->driver == &husk_storage_overlay && husk_has_prefix (key, "mount_program="))
        {
          if (*(key + strlen ("mount_program=")) == '\0')
            continue; /* empty: the kernel's overlay, as in Podman */
          if (set_mount_program (s, key + strlen ("mount_program="), err) < 0)
            return -1;
        }
      else
        husk_log_warn ("ignoring unsupported storage option '%s'", o);
    }
  return 0;
}

static int
make_dirs (struct husk_store *s, husk_error_t *err)
{
  static const char *subdirs[] = { "layers", "tmp", "containers", "l" };

  if (husk_mkdir_p (s->dir, 0700, err) < 0 || husk_mkdir_p (s->rundir, 0700, err) < 0)
    return -1;
  for (size_t i = 0; i < sizeof subdirs / sizeof subdirs[0]; i++)
    {
      cleanup_free char *p = husk_asprintf ("%s/%s", s->dir, subdirs[i]);

      if (strcmp (subdirs[i], "l") == 0 && s->driver != &husk_storage_overlay)
        continue;
      if (mkdir (p, 0700) < 0 && errno != EEXIST)
        return husk_error_make (err, errno, "mkdir '%s'", p);
    }
  if (s->dir_fd >= 0)
    close (s->dir_fd);
  s->dir_fd = open (s->dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (s->dir_fd < 0)
    return husk_error_make (err, errno, "open '%s'", s->dir);
  return 0;
}

struct husk_store *
husk_store_open (const struct husk_store_opts *opts, husk_error_t *err)
{
  struct husk_store *s;
  const struct husk_storage_driver *d;

  if (opts->graphroot == NULL || opts->runroot == NULL)
    {
      husk_error_makex (err, EINVAL, "storage needs a graph root and a run root");
      return NULL;
    }
  s = husk_xzalloc (sizeof *s);
  s->dir_fd = -1;
  s->rootless = opts->rootless;
  s->graphroot = husk_xstrdup (opts->graphroot);
  s->runroot = husk_xstrdup (opts->runroot);
  if (pick_driver (s, opts, err) < 0 || parse_driver_opts (s, opts->driver_opts, err) < 0)
    {
      husk_store_free (s);
      return NULL;
    }
  pick_mount_program (s);
  d = s->driver;
  s->dir = husk_asprintf ("%s/%s", opts->graphroot, d->name);
  s->rundir = husk_asprintf ("%s/%s", opts->runroot, d->name);
  husk_log_debug ("Storage driver %s%s%s: %s", d->name, s->mount_program ? " with mount program " : "",
                  s->mount_program ? s->mount_program : "", s->reason);
  if (make_dirs (s, err) < 0)
    {
      husk_store_free (s);
      return NULL;
    }
  clear_tmp (s);
  return s;
}

void
husk_store_free (struct husk_store *s)
{
  if (s == NULL)
    return;
  if (s->dir_fd >= 0)
    close (s->dir_fd);
  free (s->graphroot);
  free (s->runroot);
  free (s->dir);
  free (s->rundir);
  free (s->mount_program);
  free (s->reason);
  free (s);
}

const char *
husk_store_driver_name (struct husk_store *s)
{
  return s->driver->name;
}

const char *
husk_store_mount_program (struct husk_store *s)
{
  return s->mount_program;
}

const char *
husk_store_driver_reason (struct husk_store *s)
{
  return s->reason;
}

const char *
husk_store_graphroot (struct husk_store *s)
{
  return s->graphroot;
}

/* layer.json.  */

static int
write_info (int layer_fd, const struct husk_layer_info *i, husk_error_t *err)
{
  cleanup_json json_t *o = json_pack ("{s:s, s:s, s:s, s:s, s:I, s:I, s:s}",
                                      "chain_id", i->chain_id, "diff_id", i->diff_id,
                                      "parent", i->parent, "blob_digest", i->blob_digest,
                                      "blob_size", (json_int_t) i->blob_size,
                                      "size", (json_int_t) i->size, "compression",
                                      husk_compression_name (i->compression));
  cleanup_free char *text = o ? json_dumps (o, JSON_COMPACT) : NULL;
  cleanup_close int fd = -1;

  if (text == NULL)
    return husk_error_makex (err, ENOMEM, "encode layer.json");
  /* No fsync: the directory becomes visible by rename only when complete,
     and the layer's files are not synced either.  */
  fd = openat (layer_fd, "layer.json", O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0 || husk_write_all (fd, text, strlen (text)) < 0)
    return husk_error_make (err, errno, "write layer.json");
  return 0;
}

static int
copy_field (char dst[72], json_t *o, const char *key)
{
  const char *v = json_string_value (json_object_get (o, key));

  if (v == NULL || strlen (v) >= 72)
    return -1;
  snprintf (dst, 72, "%s", v);
  return 0;
}

int
husk_store_layer_info (struct husk_store *s, const char *chain_id,
                       struct husk_layer_info *out, husk_error_t *err)
{
  const char *hex = husk_store_chain_hex (chain_id, err);
  cleanup_free char *rel = NULL, *text = NULL;
  cleanup_json json_t *o = NULL;
  const char *comp;

  if (hex == NULL)
    return -1;
  rel = husk_asprintf ("layers/%s/layer.json", hex);
  text = husk_read_file_at (s->dir_fd, rel, NULL, NULL);
  if (text == NULL)
    return husk_error_makex (err, ENOENT, "layer '%s' not found", chain_id);
  o = json_loads (text, 0, NULL);
  memset (out, 0, sizeof *out);
  if (o == NULL || copy_field (out->chain_id, o, "chain_id") < 0
      || copy_field (out->diff_id, o, "diff_id") < 0
      || copy_field (out->parent, o, "parent") < 0
      || copy_field (out->blob_digest, o, "blob_digest") < 0)
    return husk_error_makex (err, EINVAL, "layer '%s': corrupt layer.json", chain_id);
  out->blob_size = json_integer_value (json_object_get (o, "blob_size"));
  out->size = json_integer_value (json_object_get (o, "size"));
  comp = json_string_value (json_object_get (o, "compression"));
  if (comp && strcmp (comp, "gzip") == 0)
    out->compression = HUSK_COMPRESSION_GZIP;
  else if (comp && strcmp (comp, "zstd") == 0)
    out->compression = HUSK_COMPRESSION_ZSTD;
  return 0;
}

bool
husk_store_layer_exists (struct husk_store *s, const char *chain_id)
{
  cleanup_free char *rel = NULL;

  if (chain_id == NULL || !husk_digest_valid (chain_id))
    return false;
  rel = husk_asprintf ("layers/%s/layer.json", chain_id + 7);
  return faccessat (s->dir_fd, rel, F_OK, 0) == 0;
}

char *
husk_store_layer_blob_path (struct husk_store *s, const char *chain_id)
{
  if (chain_id == NULL || !husk_digest_valid (chain_id))
    return NULL;
  return husk_asprintf ("%s/layers/%s/blob", s->dir, chain_id + 7);
}

/* Creating a layer.  */

struct create
{
  const char *parent;      /* chain ID or NULL */
  const char *parent_hex;
  const char *blob_path;
  bool take;
  const char *expected;
  bool blob_moved;         /* take: blob_path renamed into the work dir */
  int link_fd;             /* >= 0: linked in as the blob after extraction */
};

static int
copy_blob (const char *from, int layer_fd, husk_error_t *err)
{
  cleanup_close int in = open (from, O_RDONLY | O_CLOEXEC);
  cleanup_close int out = openat (layer_fd, "blob", O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  struct stat st;

  if (in < 0 || out < 0 || fstat (in, &st) < 0)
    return husk_error_make (err, errno, "copy blob '%s'", from);
  while (st.st_size > 0)
    {
      ssize_t n = copy_file_range (in, NULL, out, NULL, (size_t) st.st_size, 0);

      if (n <= 0)
        return husk_error_make (err, n == 0 ? EIO : errno, "copy blob '%s'", from);
      st.st_size -= n;
    }
  return 0;
}

/* Put the taken blob into the work directory.  */
static int
take_blob (struct create *c, struct husk_work_dir *w, husk_error_t *err)
{
  cleanup_free char *dst = husk_asprintf ("%s/blob", w->path);

  if (rename (c->blob_path, dst) == 0)
    {
      c->blob_moved = true;
      return 0;
    }
  if (errno != EXDEV)
    return husk_error_make (err, errno, "move blob '%s'", c->blob_path);
  return copy_blob (c->blob_path, w->fd, err);
}

/* The blob as extracted, linked in from its (complete) file.  Through
   /proc/self/fd: linkat's AT_EMPTY_PATH needs CAP_DAC_READ_SEARCH, which
   a rootless user namespace does not give over the store.  */
static int
link_blob (int fd, struct husk_work_dir *w, husk_error_t *err)
{
  char src[64];

  snprintf (src, sizeof src, "/proc/self/fd/%d", fd);
  /* As a blob written here would be (a download's file is 0600).  */
  if (fchmod (fd, 0644) < 0)
    return husk_error_make (err, errno, "chmod the blob of '%s'", w->path);
  if (linkat (AT_FDCWD, src, w->fd, "blob", AT_SYMLINK_FOLLOW) < 0)
    return husk_error_make (err, errno, "link the blob into '%s'", w->path);
  return 0;
}

static void
untake_blob (struct create *c, struct husk_work_dir *w)
{
  cleanup_free char *src = husk_asprintf ("%s/blob", w->path);

  if (c->blob_moved && rename (src, c->blob_path) == 0)
    c->blob_moved = false;
}

/* Apply the blob into w/diff.  Fills info's digests and sizes.  */
static int
extract (struct husk_store *s, struct create *c, struct husk_work_dir *w,
         struct husk_layer_info *info, husk_error_t *err)
{
  struct husk_tar_apply_opts opts = {
    .whiteout = s->driver->whiteout,
    .rootless = s->rootless,
    .aufs_fallback = s->mount_program != NULL,
    .ignore_chown_errors = s->ignore_chown_errors,
  };
  cleanup_close int in = -1, tee = -1, diff = -1;
  struct husk_tar_result res;

  if (mkdirat (w->fd, "diff", 0755) < 0)
    return husk_error_make (err, errno, "mkdir '%s/diff'", w->path);
  if (s->driver->layer_prepare (s, c->parent_hex, w->fd, err) < 0)
    return -1;
  diff = openat (w->fd, "diff", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  in = open (c->blob_path, O_RDONLY | O_CLOEXEC);
  if (diff < 0 || in < 0)
    return husk_error_make (err, errno, "open '%s'", diff < 0 ? "diff" : c->blob_path);
  if (!c->take && c->link_fd < 0)
    {
      tee = openat (w->fd, "blob", O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
      if (tee < 0)
        return husk_error_make (err, errno, "create '%s/blob'", w->path);
    }
  if (husk_tar_apply_tee (in, tee, diff, &opts, &res, err) < 0)
    return -1;
  if (c->expected && strcmp (c->expected, res.diff_id) != 0)
    return husk_error_makex (err, EINVAL, "layer diff ID mismatch: expected %s, got %s",
                             c->expected, res.diff_id);
  memset (info, 0, sizeof *info);
  husk_store_chain_id (c->parent, res.diff_id, info->chain_id);
  snprintf (info->diff_id, sizeof info->diff_id, "%s", res.diff_id);
  snprintf (info->parent, sizeof info->parent, "%s", c->parent ? c->parent : "");
  snprintf (info->blob_digest, sizeof info->blob_digest, "%s", res.blob_digest);
  info->blob_size = res.blob_size;
  info->size = res.size;
  info->compression = res.compression;
  return 0;
}

/* The layer exists already: report it, and consume a taken blob.  */
static int
existing (struct husk_store *s, struct create *c, const char *chain,
          struct husk_layer_info *out, husk_error_t *err)
{
  if (husk_store_layer_info (s, chain, out, err) < 0)
    return -1;
  if (c->take && !c->blob_moved)
    unlink (c->blob_path);
  return 0;
}

/* Extract, then publish by rename.  Return: 0 (out filled), or -1.  */
static int
create_in (struct husk_store *s, struct create *c, struct husk_work_dir *w,
           struct husk_layer_info *out, husk_error_t *err)
{
  cleanup_free char *target = NULL;
  const char *hex;

  if (extract (s, c, w, out, err) < 0)
    return -1;
  hex = out->chain_id + 7;
  /* Made meanwhile by another process: theirs is as good as ours.  */
  if (husk_store_layer_exists (s, out->chain_id))
    return existing (s, c, out->chain_id, out, err);
  if (c->take && take_blob (c, w, err) < 0)
    return -1;
  if (c->link_fd >= 0 && link_blob (c->link_fd, w, err) < 0)
    return -1;
  if (write_info (w->fd, out, err) < 0
      || s->driver->layer_commit (s, hex, c->parent_hex, w->fd, err) < 0)
    goto fail;
  target = husk_asprintf ("%s/layers/%s", s->dir, hex);
  if (rename (w->path, target) < 0)
    {
      int saved = errno;

      s->driver->layer_release (s, w->fd);
      if (saved == EEXIST || saved == ENOTEMPTY)
        return existing (s, c, out->chain_id, out, err);
      husk_error_make (err, saved, "rename layer into '%s'", target);
      goto fail;
    }
  free (w->path);
  w->path = NULL; /* moved: nothing to discard */
  if (c->take && !c->blob_moved)
    unlink (c->blob_path);
  return 0;

fail:
  if (c->take)
    untake_blob (c, w);
  return -1;
}

/* What both entries share: check, extract into a work directory, publish. */
static int
layer_create (struct husk_store *s, struct create *c, struct husk_layer_info *out,
              husk_error_t *err)
{
  struct husk_work_dir w = { NULL, NULL, -1 };
  int r;

  if (c->parent && (c->parent_hex = husk_store_chain_hex (c->parent, err)) == NULL)
    return -1;
  if (c->expected && !husk_digest_valid (c->expected))
    return husk_error_makex (err, EINVAL, "invalid diff ID '%s'", c->expected);
  if (c->expected)
    {
      char chain[72];

      husk_store_chain_id (c->parent, c->expected, chain);
      if (husk_store_layer_exists (s, chain))
        return existing (s, c, chain, out, err);
    }
  if (c->parent && !husk_store_layer_exists (s, c->parent))
    return husk_error_makex (err, ENOENT, "parent layer '%s' not found", c->parent);
  if (husk_store_work_new (s, "layer-", &w, err) < 0)
    return -1;
  r = create_in (s, c, &w, out, err);
  husk_store_work_discard (s, &w);
  return r;
}

int
husk_store_layer_create (struct husk_store *s, const char *parent_chain,
                         const char *blob_path, bool take,
                         const char *expected_diff_id,
                         struct husk_layer_info *out, husk_error_t *err)
{
  struct create c = { .parent = parent_chain && *parent_chain ? parent_chain : NULL,
                      .blob_path = blob_path, .take = take,
                      .expected = expected_diff_id, .link_fd = -1 };

  return layer_create (s, &c, out, err);
}

int
husk_store_layer_create_linked (struct husk_store *s, const char *parent_chain,
                                const char *blob_path, int blob_fd,
                                const char *expected_diff_id,
                                struct husk_layer_info *out, husk_error_t *err)
{
  struct create c = { .parent = parent_chain && *parent_chain ? parent_chain : NULL,
                      .blob_path = blob_path, .expected = expected_diff_id,
                      .link_fd = blob_fd };

  return layer_create (s, &c, out, err);
}

/* Removing, exporting.  */

int
husk_store_layer_remove (struct husk_store *s, const char *chain_id,
                         husk_error_t *err)
{
  const char *hex = husk_store_chain_hex (chain_id, err);
  cleanup_free char *src = NULL, *dst = NULL;
  struct husk_work_dir w = { NULL, NULL, -1 };
  cleanup_close int fd = -1;

  if (hex == NULL)
    return -1;
  if (husk_store_work_new (s, "rm-", &w, err) < 0)
    return -1;
  src = husk_asprintf ("%s/layers/%s", s->dir, hex);
  dst = husk_asprintf ("%s/layer", w.path);
  if (rename (src, dst) < 0)
    {
      int saved = errno;

      husk_store_work_discard (s, &w);
      if (saved == ENOENT)
        return husk_error_makex (err, ENOENT, "layer '%s' not found", chain_id);
      return husk_error_make (err, saved, "remove layer '%s'", chain_id);
    }
  fd = open (dst, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd >= 0)
    s->driver->layer_release (s, fd);
  husk_store_work_discard (s, &w);
  return 0;
}

int
husk_store_layer_export (struct husk_store *s, const char *chain_id, int out_fd,
                         husk_error_t *err)
{
  cleanup_free char *blob = husk_store_layer_blob_path (s, chain_id);
  cleanup_close int in = -1;
  struct husk_layer_info info;
  struct husk_blob_reader *r;
  char diff_id[72];
  const void *data;
  ssize_t n;

  if (husk_store_layer_info (s, chain_id, &info, err) < 0)
    return -1;
  in = open (blob, O_RDONLY | O_CLOEXEC);
  if (in < 0)
    return husk_error_make (err, errno, "open '%s'", blob);
  r = husk_blob_reader_new (in, -1, err);
  if (r == NULL)
    return husk_error_wrap (err, "export layer '%s'", chain_id);
  while ((n = husk_blob_reader_read (r, &data, err)) > 0)
    if (husk_write_all (out_fd, data, (size_t) n) < 0)
      {
        husk_error_make (err, errno, "write layer '%s'", chain_id);
        break;
      }
  if (n != 0)
    {
      husk_blob_reader_free (r);
      return husk_error_wrap (err, "export layer '%s'", chain_id);
    }
  husk_blob_reader_digests (r, diff_id, NULL);
  husk_blob_reader_free (r);
  if (strcmp (diff_id, info.diff_id) != 0)
    return husk_error_makex (err, EIO, "layer '%s' is corrupt: its blob has diff ID %s",
                             chain_id, diff_id);
  return 0;
}

/* Wiping.  */

/* Unmount <parent>/<each>/merged where mounted.  */
static void
unmount_all_in (const char *parent)
{
  cleanup_dir DIR *d = opendir (parent);
  struct dirent *de;

  if (d == NULL)
    return;
  while ((de = readdir (d)) != NULL)
    {
      cleanup_free char *m = husk_asprintf ("%s/%s/merged", parent, de->d_name);

      if (de->d_name[0] != '.' && husk_store_is_mountpoint (m)
          && umount2 (m, MNT_DETACH) < 0)
        husk_log_warn ("unmount '%s': %s", m, strerror (errno));
    }
}

int
husk_store_wipe (struct husk_store *s, husk_error_t *err)
{
  cleanup_free char *mounts = husk_asprintf ("%s/mounts", s->rundir);
  cleanup_free char *ctrs = husk_asprintf ("%s/containers", s->dir);

  unmount_all_in (mounts);
  unmount_all_in (ctrs);
  if (husk_rm_rf (s->rundir, err) < 0 || husk_rm_rf (s->dir, err) < 0)
    return husk_error_wrap (err, "wipe storage");
  return make_dirs (s, err);
}
