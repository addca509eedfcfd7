/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests of the layer store (storage/store.c, mount.c, overlay.c,
 * vfs.c).  Every behaviour runs once per driver; the overlay runs are
 * skipped unless we are root and a probe overlay mount works.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "storage/driver.h"
#include "storage/store.h"
#include "util/cleanup.h"
#include "util/digest.h"
#include "util/fileutil.h"
#include "util/strutil.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zlib.h>

#define assert_ok(call, err)                                                  \
  do                                                                           \
    {                                                                          \
      int r_ = (call);                                                         \
      if (r_ != 0)                                                             \
        print_error ("%s\n", (err) ? (err)->msg : "(no error)");               \
      assert_int_equal (r_, 0);                                                \
    }                                                                          \
  while (0)

struct fixture
{
  const char *driver;
  char *top;
  char *graph;
  char *run;
  char *dir; /* graph/<driver> */
  struct husk_store *store;
};

static struct fixture fx;

static struct husk_store *
open_store (husk_error_t *err)
{
  struct husk_store_opts o = { .graphroot = fx.graph, .runroot = fx.run,
                               .driver = fx.driver };

  return husk_store_open (&o, err);
}

static bool
overlay_available (void)
{
  static int known = -1;

  if (known < 0)
    {
      cleanup_free char *d = husk_mkdtemp_in ("/var/tmp", "husk-probe-", NULL);

      known = geteuid () == 0 && d && husk_overlay_probe (d, NULL) == 0;
      if (d)
        husk_rm_rf (d, NULL);
    }
  return known;
}

static int
setup (void **state)
{
  husk_error_t err = NULL;

  fx.driver = *state;
  fx.top = husk_mkdtemp_in ("/var/tmp", "husk-store-", NULL);
  assert_non_null (fx.top);
  fx.graph = husk_asprintf ("%s/graph", fx.top);
  fx.run = husk_asprintf ("%s/run", fx.top);
  fx.dir = husk_asprintf ("%s/%s", fx.graph, fx.driver);
  fx.store = NULL;
  if (strcmp (fx.driver, "overlay") == 0 && !overlay_available ())
    return 0;
  fx.store = open_store (&err);
  if (fx.store == NULL)
    print_error ("%s\n", err->msg);
  assert_non_null (fx.store);
  return 0;
}

static int
teardown (void **state)
{
  (void) state;
  if (fx.store)
    husk_store_wipe (fx.store, NULL);
  husk_store_free (fx.store);
  husk_rm_rf (fx.top, NULL);
  free (fx.top);
  free (fx.graph);
  free (fx.run);
  free (fx.dir);
  return 0;
}

#define NEED_STORE()                                                          \
  do                                                                           \
    {                                                                          \
      (void) state;                                                            \
      if (fx.store == NULL)                                                    \
        skip ();                                                               \
    }                                                                          \
  while (0)

/* Blobs.  */

struct ent
{
  const char *path;
  unsigned type;
  const char *data;
  const char *symlink;
};

/* Write a pax tar of the entries to path, gzipped when gz; return the
   diff ID (sha256 of the uncompressed tar).  */
static char *
make_blob_n (const char *path, bool gz, const struct ent *ents, size_t n)
{
  struct archive *a = archive_write_new ();
  int fd = memfd_create ("tar", MFD_CLOEXEC);
  struct stat st;
  char *raw;
  char *diff;

  assert_int_equal (archive_write_set_format_pax_restricted (a), ARCHIVE_OK);
  assert_int_equal (archive_write_open_fd (a, fd), ARCHIVE_OK);
  for (size_t i = 0; i < n; i++)
    {
      struct archive_entry *e = archive_entry_new ();
      unsigned type = ents[i].type ? ents[i].type : AE_IFREG;
      size_t size = ents[i].data ? strlen (ents[i].data) : 0;

      archive_entry_set_pathname (e, ents[i].path);
      archive_entry_set_filetype (e, type);
      archive_entry_set_perm (e, type == AE_IFDIR ? 0755 : 0644);
      archive_entry_set_mtime (e, 1000000000, 0);
      archive_entry_set_size (e, (la_int64_t) size);
      if (ents[i].symlink)
        archive_entry_set_symlink (e, ents[i].symlink);
      assert_int_equal (archive_write_header (a, e), ARCHIVE_OK);
      if (size)
        archive_write_data (a, ents[i].data, size);
      archive_entry_free (e);
    }
  archive_write_close (a);
  archive_write_free (a);
  assert_int_equal (fstat (fd, &st), 0);
  raw = husk_xmalloc ((size_t) st.st_size);
  assert_int_equal (pread (fd, raw, (size_t) st.st_size, 0), st.st_size);
  close (fd);
  diff = husk_digest_buf (raw, (size_t) st.st_size);
  if (gz)
    {
      gzFile g = gzopen (path, "wb");
      assert_non_null (g);
      assert_int_equal (gzwrite (g, raw, (unsigned) st.st_size), st.st_size);
      gzclose (g);
    }
  else
    assert_int_equal (husk_write_file_atomic (path, raw, (size_t) st.st_size, 0644, NULL), 0);
  free (raw);
  return diff;
}

#define MAKE_BLOB(path, gz, ...)                                              \
  make_blob_n (path, gz, (const struct ent[]){ __VA_ARGS__ },                  \
               sizeof ((const struct ent[]){ __VA_ARGS__ }) / sizeof (struct ent))

static char *
top_path (const char *name)
{
  return husk_asprintf ("%s/%s", fx.top, name);
}

/* The base layer: etc/{gone,keep}, opq/lower.  */
static char *
base_blob (const char *path)
{
  return MAKE_BLOB (path, true,
                    { .path = "etc", .type = AE_IFDIR },
                    { .path = "etc/gone", .data = "lower" },
                    { .path = "etc/keep", .data = "keep" },
                    { .path = "opq", .type = AE_IFDIR },
                    { .path = "opq/lower", .data = "hidden" });
}

/* The child: whites out etc/gone, makes opq opaque with opq/new.  */
static char *
child_blob (const char *path)
{
  return MAKE_BLOB (path, false,
                    { .path = "etc", .type = AE_IFDIR },
                    { .path = "etc/.wh.gone", .data = "" },
                    { .path = "opq", .type = AE_IFDIR },
                    { .path = "opq/.wh..wh..opq", .data = "" },
                    { .path = "opq/new", .data = "upper" });
}

static int
count_entries (const char *sub)
{
  cleanup_free char *p = husk_asprintf ("%s/%s", fx.dir, sub);
  cleanup_dir DIR *d = opendir (p);
  struct dirent *de;
  int n = 0;

  if (d == NULL)
    return -1;
  while ((de = readdir (d)) != NULL)
    if (strcmp (de->d_name, ".") && strcmp (de->d_name, ".."))
      n++;
  return n;
}

static void
assert_store_clean (void)
{
  assert_int_equal (count_entries ("layers"), 0);
  assert_int_equal (count_entries ("tmp"), 0);
  if (strcmp (fx.driver, "overlay") == 0)
    assert_int_equal (count_entries ("l"), 0);
}

/* Base and child, created; fills the infos.  */
static void
make_two_layers (struct husk_layer_info *base, struct husk_layer_info *child)
{
  cleanup_free char *b = top_path ("base.tar.gz"), *c = top_path ("child.tar");
  cleanup_free char *bd = base_blob (b), *cd = child_blob (c);
  husk_error_t err = NULL;

  assert_ok (husk_store_layer_create (fx.store, NULL, b, false, bd, base, &err), err);
  assert_ok (husk_store_layer_create (fx.store, base->chain_id, c, false, cd, child, &err),
             err);
  assert_string_equal (base->diff_id, bd);
  assert_string_equal (child->diff_id, cd);
}

/* Tests.  */

static void
chain_id_follows_oci (void **state)
{
  const char *a = "sha256:1111111111111111111111111111111111111111111111111111111111111111";
  const char *b = "sha256:2222222222222222222222222222222222222222222222222222222222222222";
  cleanup_free char *text = husk_asprintf ("%s %s", a, b);
  cleanup_free char *want = husk_digest_buf (text, strlen (text));
  char out[72];

  (void) state;
  husk_store_chain_id (NULL, a, out);
  assert_string_equal (out, a);
  husk_store_chain_id (a, b, out);
  assert_string_equal (out, want);
}

static void
base_and_child_layers_are_created (void **state)
{
  struct husk_layer_info base, child, again;
  husk_error_t err = NULL;
  char chain[72];

  NEED_STORE ();
  make_two_layers (&base, &child);
  assert_string_equal (base.chain_id, base.diff_id);
  assert_string_equal (base.parent, "");
  assert_int_equal (base.compression, HUSK_COMPRESSION_GZIP);
  husk_store_chain_id (base.chain_id, child.diff_id, chain);
  assert_string_equal (child.chain_id, chain);
  assert_string_equal (child.parent, base.chain_id);
  assert_int_equal (child.compression, HUSK_COMPRESSION_NONE);
  assert_true (husk_store_layer_exists (fx.store, base.chain_id));
  assert_true (husk_store_layer_exists (fx.store, child.chain_id));
  assert_ok (husk_store_layer_info (fx.store, child.chain_id, &again, &err), err);
  assert_memory_equal (&again, &child, sizeof child);
  {
    cleanup_free char *blob = husk_store_layer_blob_path (fx.store, base.chain_id);
    cleanup_free char *digest = husk_digest_file (blob, &err);
    struct stat st;

    assert_string_equal (digest, base.blob_digest);
    assert_int_equal (stat (blob, &st), 0);
    assert_int_equal (st.st_size, base.blob_size);
  }
  assert_int_equal (count_entries ("tmp"), 0);
  if (strcmp (fx.driver, "overlay") == 0)
    assert_int_equal (count_entries ("l"), 2);
}

static void
existing_layer_is_reported_again (void **state)
{
  struct husk_layer_info base, child, again;
  cleanup_free char *b = NULL, *bd = NULL;
  husk_error_t err = NULL;

  NEED_STORE ();
  b = top_path ("again.tar.gz");
  make_two_layers (&base, &child);
  bd = base_blob (b);
  /* Without the expected diff ID the content is extracted again.  */
  assert_ok (husk_store_layer_create (fx.store, NULL, b, false, NULL, &again, &err), err);
  assert_string_equal (again.chain_id, base.chain_id);
  assert_int_equal (count_entries ("layers"), 2);
  assert_int_equal (count_entries ("tmp"), 0);
}

static void
diff_id_mismatch_leaves_nothing (void **state)
{
  cleanup_free char *b = NULL, *bd = NULL, *want = NULL;
  const char *wrong = "sha256:0000000000000000000000000000000000000000000000000000000000000000";
  struct husk_layer_info info;
  husk_error_t err = NULL;

  NEED_STORE ();
  b = top_path ("base.tar.gz");
  bd = base_blob (b);
  assert_int_equal (husk_store_layer_create (fx.store, NULL, b, false, wrong, &info, &err), -1);
  want = husk_asprintf ("layer diff ID mismatch: expected %s, got %s", wrong, bd);
  assert_non_null (strstr (err->msg, want));
  husk_error_release (&err);
  assert_store_clean ();
}

static void
failed_layer_leaves_nothing (void **state)
{
  cleanup_free char *b = NULL, *bd = NULL;
  struct husk_layer_info info;
  husk_error_t err = NULL;

  NEED_STORE ();
  b = top_path ("evil.tar");
  bd = MAKE_BLOB (b, false, { .path = "ok", .data = "fine" },
                  { .path = "../../escape", .data = "pwned" });
  assert_int_equal (husk_store_layer_create (fx.store, NULL, b, true, NULL, &info, &err), -1);
  assert_non_null (strstr (err->msg, "extract '../../escape'"));
  husk_error_release (&err);
  assert_store_clean ();
  /* A taken blob stays where it was when the layer fails.  */
  assert_true (husk_path_exists (b));
}

static void
missing_parent_is_an_error (void **state)
{
  const char *p = "sha256:3333333333333333333333333333333333333333333333333333333333333333";
  cleanup_free char *b = NULL, *bd = NULL;
  struct husk_layer_info info;
  husk_error_t err = NULL;

  NEED_STORE ();
  b = top_path ("child.tar");
  bd = child_blob (b);
  assert_int_equal (husk_store_layer_create (fx.store, p, b, false, NULL, &info, &err), -1);
  assert_int_equal (err->code, ENOENT);
  husk_error_release (&err);
  assert_store_clean ();
}

static void
take_moves_the_blob_in (void **state)
{
  cleanup_free char *b = NULL, *bd = NULL, *digest = NULL;
  struct husk_layer_info info;
  husk_error_t err = NULL;

  NEED_STORE ();
  b = top_path ("take.tar.gz");
  bd = base_blob (b);
  digest = husk_digest_file (b, &err);
  assert_ok (husk_store_layer_create (fx.store, NULL, b, true, NULL, &info, &err), err);
  assert_false (husk_path_exists (b));
  assert_string_equal (info.blob_digest, digest);
  {
    cleanup_free char *blob = husk_store_layer_blob_path (fx.store, info.chain_id);
    cleanup_free char *d2 = husk_digest_file (blob, &err);
    assert_string_equal (d2, digest);
  }
}

static void
layer_remove_removes_everything (void **state)
{
  struct husk_layer_info base, child;
  husk_error_t err = NULL;

  NEED_STORE ();
  make_two_layers (&base, &child);
  assert_ok (husk_store_layer_remove (fx.store, child.chain_id, &err), err);
  assert_false (husk_store_layer_exists (fx.store, child.chain_id));
  assert_int_equal (count_entries ("layers"), 1);
  assert_int_equal (count_entries ("tmp"), 0);
  if (strcmp (fx.driver, "overlay") == 0)
    assert_int_equal (count_entries ("l"), 1);
  assert_int_equal (husk_store_layer_remove (fx.store, child.chain_id, &err), -1);
  assert_int_equal (err->code, ENOENT);
  husk_error_release (&err);
  assert_ok (husk_store_layer_remove (fx.store, base.chain_id, &err), err);
  assert_store_clean ();
}

static bool
exists_under (const char *dir, const char *rel)
{
  cleanup_free char *p = husk_asprintf ("%s/%s", dir, rel);
  struct stat st;

  return lstat (p, &st) == 0;
}

static void
image_mount_shows_the_merged_view (void **state)
{
  struct husk_layer_info base, child;
  cleanup_free char *m1 = NULL, *m2 = NULL, *keep = NULL;
  husk_error_t err = NULL;
  bool overlay;

  NEED_STORE ();
  overlay = strcmp (fx.driver, "overlay") == 0;
  make_two_layers (&base, &child);
  m1 = husk_store_image_mount (fx.store, child.chain_id, &err);
  if (m1 == NULL)
    print_error ("%s\n", err->msg);
  assert_non_null (m1);
  keep = husk_asprintf ("%s/etc/keep", m1);
  assert_true (husk_path_exists (keep));
  assert_false (exists_under (m1, "etc/gone"));     /* whited out */
  assert_false (exists_under (m1, "opq/lower"));    /* opaque dir */
  assert_true (exists_under (m1, "opq/new"));
  assert_false (exists_under (m1, "etc/.wh.gone"));
  if (overlay)
    assert_true (husk_store_is_mountpoint (m1));
  /* Nested mounts are counted.  */
  m2 = husk_store_image_mount (fx.store, child.chain_id, &err);
  assert_non_null (m2);
  assert_string_equal (m1, m2);
  assert_ok (husk_store_image_unmount (fx.store, child.chain_id, false, &err), err);
  if (overlay)
    assert_true (husk_store_is_mountpoint (m1));
  assert_ok (husk_store_image_unmount (fx.store, child.chain_id, false, &err), err);
  if (overlay)
    assert_false (husk_store_is_mountpoint (m1));
}

static void
single_layer_image_mounts (void **state)
{
  struct husk_layer_info base, child;
  cleanup_free char *m = NULL;
  husk_error_t err = NULL;

  NEED_STORE ();
  make_two_layers (&base, &child);
  m = husk_store_image_mount (fx.store, base.chain_id, &err);
  if (m == NULL)
    print_error ("%s\n", err->msg);
  assert_non_null (m);
  assert_true (exists_under (m, "etc/gone"));
  assert_true (exists_under (m, "opq/lower"));
  assert_ok (husk_store_image_unmount (fx.store, base.chain_id, true, &err), err);
}

static void
legacy_mount_api_works (void **state)
{
  struct husk_store_opts o = { .graphroot = fx.graph, .runroot = fx.run,
                               .driver = fx.driver,
                               .driver_opts = (char *[]){ (char *) "overlay.mount_api=legacy",
                                                          NULL } };
  struct husk_layer_info base, child;
  struct husk_store *s;
  cleanup_free char *m = NULL;
  husk_error_t err = NULL;

  NEED_STORE ();
  if (strcmp (fx.driver, "overlay") != 0)
    skip ();
  make_two_layers (&base, &child);
  s = husk_store_open (&o, &err);
  assert_non_null (s);
  m = husk_store_image_mount (s, child.chain_id, &err);
  if (m == NULL)
    print_error ("%s\n", err->msg);
  assert_non_null (m);
  assert_true (exists_under (m, "opq/new"));
  assert_false (exists_under (m, "etc/gone"));
  assert_ok (husk_store_image_unmount (s, child.chain_id, false, &err), err);
  husk_store_free (s);
}

static void
export_reproduces_the_diff_id (void **state)
{
  struct husk_layer_info base, child;
  husk_error_t err = NULL;

  NEED_STORE ();
  make_two_layers (&base, &child);
  for (int i = 0; i < 2; i++)
    {
      struct husk_layer_info *l = i ? &child : &base;
      int fd = memfd_create ("export", MFD_CLOEXEC);
      cleanup_free char *path = husk_asprintf ("/proc/self/fd/%d", fd);
      cleanup_free char *digest = NULL;
      struct stat st;

      assert_ok (husk_store_layer_export (fx.store, l->chain_id, fd, &err), err);
      digest = husk_digest_file (path, &err);
      assert_string_equal (digest, l->diff_id);
      assert_int_equal (fstat (fd, &st), 0);
      assert_int_equal (st.st_size, l->size);
      close (fd);
    }
}

static void
concurrent_creation_makes_one_layer (void **state)
{
  cleanup_free char *b = NULL, *bd = NULL;
  struct husk_layer_info info;
  husk_error_t err = NULL;
  pid_t pids[6];

  NEED_STORE ();
  b = top_path ("base.tar.gz");
  bd = base_blob (b);
  for (int i = 0; i < 6; i++)
    {
      pids[i] = fork ();
      assert_true (pids[i] >= 0);
      if (pids[i] == 0)
        {
          husk_error_t cerr = NULL;
          struct husk_store *s = open_store (&cerr);
          struct husk_layer_info ci;
          int r = s ? husk_store_layer_create (s, NULL, b, false, NULL, &ci, &cerr) : -1;

          _exit (r == 0 && strcmp (ci.diff_id, bd) == 0 ? 0 : 1);
        }
    }
  for (int i = 0; i < 6; i++)
    {
      int status;

      assert_int_equal (waitpid (pids[i], &status, 0), pids[i]);
      assert_true (WIFEXITED (status));
      assert_int_equal (WEXITSTATUS (status), 0);
    }
  assert_int_equal (count_entries ("layers"), 1);
  assert_int_equal (count_entries ("tmp"), 0);
  if (strcmp (fx.driver, "overlay") == 0)
    assert_int_equal (count_entries ("l"), 1);
  assert_ok (husk_store_layer_info (fx.store, bd, &info, &err), err);
}

static void
open_clears_stale_work_but_not_live_work (void **state)
{
  cleanup_free char *stale = NULL;
  cleanup_free char *live = NULL;
  struct husk_store *s;
  husk_error_t err = NULL;
  int fd;

  NEED_STORE ();
  stale = husk_asprintf ("%s/tmp/layer-stale", fx.dir);
  live = husk_asprintf ("%s/tmp/layer-live", fx.dir);
  assert_int_equal (husk_mkdir_p (stale, 0700, NULL), 0);
  assert_int_equal (husk_mkdir_p (live, 0700, NULL), 0);
  fd = open (live, O_RDONLY | O_DIRECTORY);
  assert_int_equal (flock (fd, LOCK_EX), 0);
  /* The lock is per open file description: take it in a child's view by
     opening the store in a child process.  */
  if (fork () == 0)
    {
      s = open_store (&err);
      _exit (s ? 0 : 1);
    }
  wait (NULL);
  assert_false (husk_path_exists (stale));
  assert_true (husk_path_exists (live));
  close (fd);
  s = open_store (&err);
  assert_non_null (s);
  husk_store_free (s);
  assert_false (husk_path_exists (live));
}

static void
container_layer_is_writable_and_removable (void **state)
{
  struct husk_layer_info base, child;
  cleanup_free char *m = NULL, *f = NULL, *again = NULL;
  husk_error_t err = NULL;
  bool overlay;

  NEED_STORE ();
  overlay = strcmp (fx.driver, "overlay") == 0;
  make_two_layers (&base, &child);
  assert_ok (husk_store_container_create (fx.store, "c1", child.chain_id, &err), err);
  assert_int_equal (husk_store_container_create (fx.store, "c1", child.chain_id, &err), -1);
  assert_int_equal (err->code, EEXIST);
  husk_error_release (&err);
  m = husk_store_container_mount (fx.store, "c1", &err);
  if (m == NULL)
    print_error ("%s\n", err->msg);
  assert_non_null (m);
  assert_true (exists_under (m, "etc/keep"));
  assert_false (exists_under (m, "etc/gone"));
  assert_false (exists_under (m, "opq/lower"));
  f = husk_asprintf ("%s/written", m);
  assert_int_equal (husk_write_file_atomic (f, "w", 1, 0644, NULL), 0);
  if (overlay)
    {
      cleanup_free char *up = husk_asprintf ("%s/containers/c1/diff", fx.dir);
      assert_true (exists_under (up, "written"));
      again = husk_store_container_mount (fx.store, "c1", &err);
      assert_string_equal (again, m);
      assert_ok (husk_store_container_unmount (fx.store, "c1", false, &err), err);
      assert_true (husk_store_is_mountpoint (m));
    }
  /* The image's own layers are untouched.  */
  {
    cleanup_free char *im = husk_store_image_mount (fx.store, child.chain_id, &err);
    assert_non_null (im);
    assert_false (exists_under (im, "written"));
    husk_store_image_unmount (fx.store, child.chain_id, true, NULL);
  }
  assert_ok (husk_store_container_remove (fx.store, "c1", &err), err);
  if (overlay)
    assert_false (husk_store_is_mountpoint (m));
  assert_int_equal (count_entries ("containers"), 0);
  assert_int_equal (count_entries ("tmp"), 0);
}

static void
vfs_hardlink_to_a_lower_file_works (void **state)
{
  struct husk_layer_info base, child, top;
  cleanup_free char *t = NULL;
  husk_error_t err = NULL;

  NEED_STORE ();
  if (strcmp (fx.driver, "vfs") != 0)
    skip ();
  t = top_path ("link.tar");
  make_two_layers (&base, &child);
  {
    struct archive *a = archive_write_new ();
    struct archive_entry *e = archive_entry_new ();

    archive_write_set_format_pax_restricted (a);
    assert_int_equal (archive_write_open_filename (a, t), ARCHIVE_OK);
    archive_entry_set_pathname (e, "etc/keep2");
    archive_entry_set_filetype (e, AE_IFREG);
    archive_entry_set_perm (e, 0644);
    archive_entry_set_hardlink (e, "etc/keep");
    assert_int_equal (archive_write_header (a, e), ARCHIVE_OK);
    archive_entry_free (e);
    archive_write_close (a);
    archive_write_free (a);
  }
  assert_ok (husk_store_layer_create (fx.store, child.chain_id, t, false, NULL, &top, &err),
             err);
  {
    cleanup_free char *k = husk_asprintf ("%s/layers/%s/diff/etc/keep", fx.dir, top.chain_id + 7);
    cleanup_free char *k2 = husk_asprintf ("%s/layers/%s/diff/etc/keep2", fx.dir, top.chain_id + 7);
    struct stat a, b;

    assert_int_equal (stat (k, &a), 0);
    assert_int_equal (stat (k2, &b), 0);
    assert_int_equal (a.st_ino, b.st_ino);
  }
  /* The parent's tree is a copy, not linked to its child's.  */
  {
    cleanup_free char *pk = husk_asprintf ("%s/layers/%s/diff/etc/keep", fx.dir, child.chain_id + 7);
    struct stat st;

    assert_int_equal (stat (pk, &st), 0);
    assert_int_equal (st.st_nlink, 1);
  }
}

static void
wipe_unmounts_and_empties (void **state)
{
  struct husk_layer_info base, child;
  cleanup_free char *m = NULL;
  husk_error_t err = NULL;

  NEED_STORE ();
  make_two_layers (&base, &child);
  m = husk_store_image_mount (fx.store, child.chain_id, &err);
  assert_non_null (m);
  assert_ok (husk_store_wipe (fx.store, &err), err);
  assert_false (husk_store_is_mountpoint (m));
  assert_store_clean ();
  assert_false (husk_store_layer_exists (fx.store, base.chain_id));
}

static void
unknown_driver_is_refused (void **state)
{
  struct husk_store_opts o = { .graphroot = "/nonexistent", .runroot = "/nonexistent",
                               .driver = "btrfs" };
  husk_error_t err = NULL;

  (void) state;
  assert_null (husk_store_open (&o, &err));
  assert_non_null (strstr (err->msg, "the storage driver \"btrfs\" is not supported by husk"));
  husk_error_release (&err);
  o.rootless = true;
  o.driver = "zfs";
  assert_null (husk_store_open (&o, &err));
  assert_non_null (strstr (err->msg, "the storage driver \"zfs\" cannot be used rootless"));
  husk_error_release (&err);
  o.driver = "nosuch";
  assert_null (husk_store_open (&o, &err));
  assert_non_null (strstr (err->msg, "unknown storage driver 'nosuch'"));
  husk_error_release (&err);
}

/* Rootless stores choose as rootful ones do (overlay works in the user
   namespace, with userxattr); a store that already has vfs layers, as
   rootless stores made before that had, keeps them.  */
static void
rootless_store_with_vfs_layers_stays_vfs (void **state)
{
  cleanup_free char *top = husk_mkdtemp_in ("/var/tmp", "husk-auto-", NULL);
  cleanup_free char *g = husk_asprintf ("%s/g", top), *r = husk_asprintf ("%s/r", top);
  cleanup_free char *layers = husk_asprintf ("%s/vfs/layers", g);
  struct husk_store_opts o = { .graphroot = g, .runroot = r, .rootless = true };
  husk_error_t err = NULL;
  struct husk_store *s;

  (void) state;
  assert_int_equal (husk_mkdir_p (layers, 0700, NULL), 0);
  s = husk_store_open (&o, &err);
  assert_non_null (s);
  assert_string_equal (husk_store_driver_name (s), "vfs");
  husk_store_free (s);
  husk_rm_rf (top, NULL);
}

static void
rootful_auto_choice_probes_overlay_once (void **state)
{
  cleanup_free char *top = NULL, *g = NULL, *r = NULL, *cache = NULL;
  struct husk_store_opts o = { NULL };
  husk_error_t err = NULL;
  struct husk_store *s;

  (void) state;
  if (!overlay_available ())
    skip ();
  top = husk_mkdtemp_in ("/var/tmp", "husk-auto-", NULL);
  g = husk_asprintf ("%s/g", top);
  r = husk_asprintf ("%s/r", top);
  cache = husk_asprintf ("%s/.husk-overlay-probe", g);
  o.graphroot = g;
  o.runroot = r;
  s = husk_store_open (&o, &err);
  assert_non_null (s);
  assert_string_equal (husk_store_driver_name (s), "overlay");
  assert_true (husk_path_exists (cache));
  husk_store_free (s);
  husk_rm_rf (top, NULL);
}

#define BOTH(f)                                                               \
  { "vfs: " #f, f, setup, teardown, (void *) "vfs" },                          \
      { "overlay: " #f, f, setup, teardown, (void *) "overlay" }

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (chain_id_follows_oci),
    cmocka_unit_test (unknown_driver_is_refused),
    cmocka_unit_test (rootless_store_with_vfs_layers_stays_vfs),
    cmocka_unit_test (rootful_auto_choice_probes_overlay_once),
    BOTH (base_and_child_layers_are_created),
    BOTH (existing_layer_is_reported_again),
    BOTH (diff_id_mismatch_leaves_nothing),
    BOTH (failed_layer_leaves_nothing),
    BOTH (missing_parent_is_an_error),
    BOTH (take_moves_the_blob_in),
    BOTH (layer_remove_removes_everything),
    BOTH (image_mount_shows_the_merged_view),
    BOTH (single_layer_image_mounts),
    BOTH (legacy_mount_api_works),
    BOTH (export_reproduces_the_diff_id),
    BOTH (concurrent_creation_makes_one_layer),
    BOTH (open_clears_stale_work_but_not_live_work),
    BOTH (container_layer_is_writable_and_removable),
    BOTH (vfs_hardlink_to_a_lower_file_works),
    BOTH (wipe_unmounts_and_empties),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
