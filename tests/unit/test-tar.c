/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests of storage/tar.c: layer tars built in memory with libarchive's
 * writer are applied to a scratch root next to a sentinel directory that no
 * entry may touch.  Runs as root (devices, owners, trusted.* xattrs).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "storage/resolve.h"
#include "storage/tar.h"
#include "util/cleanup.h"
#include "util/digest.h"
#include "util/fileutil.h"
#include "util/strutil.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <grp.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

/* Like assert_int_equal (call, 0), showing the error when it fails.  */
#define assert_ok(call, err)                                                  \
  do                                                                           \
    {                                                                          \
      int r_ = (call);                                                         \
      if (r_ != 0)                                                             \
        print_error ("%s\n", (err) ? (err)->msg : "(no error)");               \
      assert_int_equal (r_, 0);                                                \
    }                                                                          \
  while (0)

/* Scratch layout: <top>/sandbox/root is the layer root, <top>/outside the
   sentinel.  */
struct fixture
{
  char *top;
  char *root;
  char *outside;
  int root_fd;
};

static struct fixture fx;

static int
setup (void **state)
{
  (void) state;
  fx.top = husk_mkdtemp_in ("/tmp", "husk-tar-", NULL);
  assert_non_null (fx.top);
  fx.root = husk_asprintf ("%s/sandbox/root", fx.top);
  fx.outside = husk_asprintf ("%s/outside", fx.top);
  assert_int_equal (husk_mkdir_p (fx.root, 0755, NULL), 0);
  assert_int_equal (mkdir (fx.outside, 0755), 0);
  fx.root_fd = open (fx.root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  assert_true (fx.root_fd >= 0);
  return 0;
}

static int
teardown (void **state)
{
  (void) state;
  close (fx.root_fd);
  husk_rm_rf (fx.top, NULL);
  free (fx.top);
  free (fx.root);
  free (fx.outside);
  return 0;
}

/* Building tars.  */

struct ent
{
  const char *path;
  unsigned type; /* AE_IF*, default regular */
  unsigned perm; /* default 0644 (0755 for directories) */
  const char *data;
  const char *symlink;
  const char *hardlink;
  int64_t uid, gid;
  time_t mtime;
  unsigned major, minor;
  const char *xname, *xvalue;
};

static void
add (struct archive *a, const struct ent *x)
{
  struct archive_entry *e = archive_entry_new ();
  unsigned type = x->type ? x->type : AE_IFREG;
  size_t size = x->data ? strlen (x->data) : 0;

  archive_entry_set_pathname (e, x->path);
  archive_entry_set_filetype (e, type);
  archive_entry_set_perm (e, x->perm ? x->perm : type == AE_IFDIR ? 0755 : 0644);
  archive_entry_set_uid (e, x->uid);
  archive_entry_set_gid (e, x->gid);
  archive_entry_set_mtime (e, x->mtime ? x->mtime : 1000000000, 0);
  if (x->symlink)
    archive_entry_set_symlink (e, x->symlink);
  if (x->hardlink)
    archive_entry_set_hardlink (e, x->hardlink);
  if (type == AE_IFCHR || type == AE_IFBLK)
    {
      archive_entry_set_rdevmajor (e, x->major);
      archive_entry_set_rdevminor (e, x->minor);
    }
  if (x->xname)
    archive_entry_xattr_add_entry (e, x->xname, x->xvalue, strlen (x->xvalue));
  archive_entry_set_size (e, type == AE_IFREG && !x->hardlink ? (la_int64_t) size : 0);
  /* WARN: a name the C locale cannot convert is written as raw bytes.  */
  assert_true (archive_write_header (a, e) >= ARCHIVE_WARN);
  if (size && !x->hardlink)
    assert_int_equal (archive_write_data (a, x->data, size), (la_ssize_t) size);
  archive_entry_free (e);
}

/* A plain pax tar of the entries in a memfd, at offset 0.  */
static int
build_fmt (const struct ent *ents, size_t n, int format)
{
  struct archive *a = archive_write_new ();
  int fd = memfd_create ("tar", MFD_CLOEXEC);

  assert_true (fd >= 0);
  assert_int_equal (archive_write_set_format (a, format), ARCHIVE_OK);
  assert_int_equal (archive_write_open_fd (a, fd), ARCHIVE_OK);
  for (size_t i = 0; i < n; i++)
    add (a, &ents[i]);
  assert_int_equal (archive_write_close (a), ARCHIVE_OK);
  archive_write_free (a);
  lseek (fd, 0, SEEK_SET);
  return fd;
}

static int
build (const struct ent *ents, size_t n)
{
  return build_fmt (ents, n, ARCHIVE_FORMAT_TAR_PAX_RESTRICTED);
}

#define BUILD(...)                                                            \
  build ((const struct ent[]){ __VA_ARGS__ },                                  \
         sizeof ((const struct ent[]){ __VA_ARGS__ }) / sizeof (struct ent))

static char *
slurp_fd (int fd, size_t *len)
{
  struct stat st;
  char *buf;

  assert_int_equal (fstat (fd, &st), 0);
  buf = husk_xmalloc ((size_t) st.st_size + 1);
  assert_int_equal (pread (fd, buf, (size_t) st.st_size, 0), st.st_size);
  *len = (size_t) st.st_size;
  return buf;
}

static int
memfd_with (const void *data, size_t len)
{
  int fd = memfd_create ("blob", MFD_CLOEXEC);

  assert_true (fd >= 0);
  assert_int_equal (husk_write_all (fd, data, len), 0);
  lseek (fd, 0, SEEK_SET);
  return fd;
}

/* gzip one buffer as one member.  */
static void
gzip_append (struct husk_buf *out, const char *data, size_t len)
{
  z_stream z = { 0 };
  char chunk[65536];
  int r;

  assert_int_equal (deflateInit2 (&z, 6, Z_DEFLATED, 16 + MAX_WBITS, 8,
                                  Z_DEFAULT_STRATEGY), Z_OK);
  z.next_in = (unsigned char *) data;
  z.avail_in = (unsigned) len;
  do
    {
      z.next_out = (unsigned char *) chunk;
      z.avail_out = sizeof chunk;
      r = deflate (&z, Z_FINISH);
      husk_buf_append (out, chunk, sizeof chunk - z.avail_out);
    }
  while (r == Z_OK);
  assert_int_equal (r, Z_STREAM_END);
  deflateEnd (&z);
}

static int
apply_opts (int fd, enum husk_whiteout_mode mode, bool rootless,
            struct husk_tar_result *res, husk_error_t *err)
{
  struct husk_tar_apply_opts o = { .whiteout = mode, .rootless = rootless };

  lseek (fd, 0, SEEK_SET);
  return husk_tar_apply (fd, fx.root_fd, &o, res, err);
}

static int
apply (int fd, husk_error_t *err)
{
  return apply_opts (fd, HUSK_WHITEOUT_OVERLAY, false, NULL, err);
}

static char *
rpath (const char *rel)
{
  return husk_asprintf ("%s/%s", fx.root, rel);
}

static bool
exists_in_root (const char *rel)
{
  cleanup_free char *p = rpath (rel);
  struct stat st;

  return lstat (p, &st) == 0;
}

static char *
read_in_root (const char *rel)
{
  cleanup_free char *p = rpath (rel);

  return husk_read_file (p, NULL, NULL);
}

static void
assert_dir_empty (const char *path)
{
  cleanup_dir DIR *d = opendir (path);
  struct dirent *de;
  int n = 0;

  assert_non_null (d);
  while ((de = readdir (d)) != NULL)
    if (strcmp (de->d_name, ".") && strcmp (de->d_name, ".."))
      n++;
  assert_int_equal (n, 0);
}

/* Nothing of an entry may appear outside root: the sentinel stays empty,
   the sandbox holds root only, and the top holds sandbox and outside.  */
static void
assert_nothing_outside (void)
{
  cleanup_free char *sandbox = husk_asprintf ("%s/sandbox", fx.top);
  cleanup_dir DIR *d = opendir (sandbox);
  cleanup_dir DIR *t = opendir (fx.top);
  struct dirent *de;
  int n = 0;

  assert_dir_empty (fx.outside);
  while ((de = readdir (d)) != NULL)
    if (strcmp (de->d_name, ".") && strcmp (de->d_name, ".."))
      {
        assert_string_equal (de->d_name, "root");
        n++;
      }
  assert_int_equal (n, 1);
  n = 0;
  while ((de = readdir (t)) != NULL)
    if (strcmp (de->d_name, ".") && strcmp (de->d_name, ".."))
      n++;
  assert_int_equal (n, 2);
}

static void
assert_refused (int fd, const char *entry, const char *reason)
{
  husk_error_t err = NULL;
  cleanup_free char *want = husk_asprintf ("extract '%s'", entry);

  assert_int_equal (apply (fd, &err), -1);
  assert_non_null (err);
  assert_non_null (strstr (err->msg, want));
  if (reason)
    assert_non_null (strstr (err->msg, reason));
  husk_error_release (&err);
  close (fd);
  assert_nothing_outside ();
}

/* Refusals.  */

static void
dotdot_escape_is_refused (void **state)
{
  (void) state;
  assert_refused (BUILD ({ .path = "ok", .data = "x" },
                         { .path = "../../etc/husk-escape", .data = "pwned" }),
                  "../../etc/husk-escape", "path escapes the layer root");
  assert_true (exists_in_root ("ok"));
}

static void
dotdot_inside_the_root_is_fine (void **state)
{
  husk_error_t err = NULL;
  int fd = BUILD ({ .path = "a", .type = AE_IFDIR },
                  { .path = "a/../b", .data = "x" });

  (void) state;
  assert_ok (apply (fd, &err), err);
  close (fd);
  assert_true (exists_in_root ("b"));
  assert_false (exists_in_root ("a/b"));
}

static void
absolute_path_is_refused (void **state)
{
  (void) state;
  assert_refused (BUILD ({ .path = "/abs", .data = "x" }), "/abs", "escapes");
  assert_false (exists_in_root ("abs"));
}

static void
write_through_planted_symlink_is_refused (void **state)
{
  (void) state;
  assert_refused (BUILD ({ .path = "evil", .type = AE_IFLNK, .symlink = fx.outside },
                         { .path = "evil/passwd", .data = "pwned" }),
                  "evil/passwd", "symlink");
}

static void
write_through_root_symlink_is_refused (void **state)
{
  (void) state;
  assert_refused (BUILD ({ .path = "evil", .type = AE_IFLNK, .symlink = "/" },
                         { .path = "evil/etc/husk-escape-test", .data = "pwned" }),
                  "evil/etc/husk-escape-test", "symlink");
  assert_false (husk_path_exists ("/etc/husk-escape-test"));
}

static void
write_through_relative_symlink_is_refused (void **state)
{
  (void) state;
  assert_refused (BUILD ({ .path = "up", .type = AE_IFLNK, .symlink = "../.." },
                         { .path = "up/outside/x", .data = "pwned" }),
                  "up/outside/x", NULL);
}

static void
hardlink_to_absolute_path_is_refused (void **state)
{
  (void) state;
  assert_refused (BUILD ({ .path = "shadow", .hardlink = "/etc/shadow" }),
                  "shadow", "escapes");
  assert_false (exists_in_root ("shadow"));
}

static void
hardlink_escaping_with_dotdot_is_refused (void **state)
{
  (void) state;
  assert_refused (BUILD ({ .path = "x", .hardlink = "../../outside/secret" }),
                  "x", "escapes");
}

static void
hardlink_through_symlink_is_refused (void **state)
{
  cleanup_free char *secret = husk_asprintf ("%s/secret", fx.outside);

  (void) state;
  assert_int_equal (husk_write_file_atomic (secret, "s", 1, 0600, NULL), 0);
  {
    husk_error_t err = NULL;
    int fd = BUILD ({ .path = "evil", .type = AE_IFLNK, .symlink = fx.outside },
                    { .path = "h", .hardlink = "evil/secret" });

    assert_int_equal (apply (fd, &err), -1);
    assert_non_null (strstr (err->msg, "extract 'h'"));
    assert_non_null (strstr (err->msg, "symlink"));
    husk_error_release (&err);
    close (fd);
  }
  assert_false (exists_in_root ("h"));
  unlink (secret);
}

static void
entry_replaces_symlink_not_its_target (void **state)
{
  cleanup_free char *target = husk_asprintf ("%s/target", fx.outside);
  cleanup_free char *content = NULL, *mine = NULL;
  husk_error_t err = NULL;
  struct stat st;
  int fd;

  (void) state;
  assert_int_equal (husk_write_file_atomic (target, "orig", 4, 0644, NULL), 0);
  fd = BUILD ({ .path = "f", .type = AE_IFLNK, .symlink = target },
              { .path = "d", .type = AE_IFLNK, .symlink = fx.outside },
              { .path = "f", .data = "new" },
              { .path = "d", .type = AE_IFDIR, .perm = 0700 });
  assert_ok (apply (fd, &err), err);
  close (fd);
  content = husk_read_file (target, NULL, NULL);
  assert_string_equal (content, "orig");
  mine = read_in_root ("f");
  assert_string_equal (mine, "new");
  {
    cleanup_free char *d = rpath ("d");
    assert_int_equal (lstat (d, &st), 0);
    assert_true (S_ISDIR (st.st_mode));
  }
  unlink (target);
  assert_dir_empty (fx.outside);
}

static void
invalid_whiteout_is_refused (void **state)
{
  husk_error_t err = NULL;
  int fd = BUILD ({ .path = "d/keep", .data = "k" }, { .path = "d/.wh...", .data = "" });

  (void) state;
  assert_int_equal (apply_opts (fd, HUSK_WHITEOUT_DELETE, false, NULL, &err), -1);
  assert_non_null (strstr (err->msg, "extract 'd/.wh...'"));
  husk_error_release (&err);
  close (fd);
  assert_true (exists_in_root ("d/keep"));
}

static void
overlong_path_is_refused (void **state)
{
  char *name = husk_xmalloc (PATH_MAX + 10);

  (void) state;
  for (size_t i = 0; i < PATH_MAX + 8; i++)
    name[i] = i % 100 == 99 ? '/' : 'a';
  name[PATH_MAX + 8] = '\0';
  {
    husk_error_t err = NULL;
    int fd = BUILD ({ .path = name, .data = "x" });

    assert_int_equal (apply (fd, &err), -1);
    assert_non_null (strstr (err->msg, "too long"));
    husk_error_release (&err);
    close (fd);
  }
  free (name);
}

/* What is preserved.  */

static void
owners_modes_and_mtimes_are_preserved (void **state)
{
  husk_error_t err = NULL;
  struct stat st;
  int fd = BUILD ({ .path = "dir", .type = AE_IFDIR, .perm = 02750, .uid = 7, .gid = 8,
                    .mtime = 111111 },
                  { .path = "dir/suid", .perm = 04755, .data = "#!", .uid = 1000,
                    .gid = 2000, .mtime = 222222 },
                  { .path = "tmp", .type = AE_IFDIR, .perm = 01777, .mtime = 333333 },
                  { .path = "dir/link", .type = AE_IFLNK, .symlink = "suid",
                    .uid = 5, .gid = 6, .mtime = 444444 });

  (void) state;
  assert_ok (apply (fd, &err), err);
  close (fd);
  {
    cleanup_free char *p = rpath ("dir/suid");
    assert_int_equal (lstat (p, &st), 0);
    assert_int_equal (st.st_mode & 07777, 04755);
    assert_int_equal (st.st_uid, 1000);
    assert_int_equal (st.st_gid, 2000);
    assert_int_equal (st.st_mtime, 222222);
  }
  {
    /* Written into after its header: the mtime is fixed up at the end.  */
    cleanup_free char *p = rpath ("dir");
    assert_int_equal (lstat (p, &st), 0);
    assert_int_equal (st.st_mode & 07777, 02750);
    assert_int_equal (st.st_uid, 7);
    assert_int_equal (st.st_gid, 8);
    assert_int_equal (st.st_mtime, 111111);
  }
  {
    cleanup_free char *p = rpath ("tmp");
    assert_int_equal (lstat (p, &st), 0);
    assert_int_equal (st.st_mode & 07777, 01777);
  }
  {
    cleanup_free char *p = rpath ("dir/link");
    char target[16] = "";
    assert_int_equal (lstat (p, &st), 0);
    assert_true (S_ISLNK (st.st_mode));
    assert_int_equal (st.st_uid, 5);
    assert_int_equal (st.st_mtime, 444444);
    assert_int_equal (readlink (p, target, sizeof target - 1), 4);
    assert_string_equal (target, "suid");
  }
}

static void
missing_parents_are_created_0755 (void **state)
{
  husk_error_t err = NULL;
  cleanup_free char *p = rpath ("a/b");
  struct stat st;
  int fd = BUILD ({ .path = "a/b/c", .data = "x" });
  mode_t old = umask (077);

  (void) state;
  assert_ok (apply (fd, &err), err);
  umask (old);
  close (fd);
  assert_int_equal (stat (p, &st), 0);
  assert_int_equal (st.st_mode & 07777, 0755);
}

static void
hardlinks_within_the_layer_share_an_inode (void **state)
{
  husk_error_t err = NULL;
  cleanup_free char *a = rpath ("d/a"), *b = rpath ("b");
  struct stat sa, sb;
  int fd = BUILD ({ .path = "d/a", .data = "same" }, { .path = "b", .hardlink = "d/a" });

  (void) state;
  assert_ok (apply (fd, &err), err);
  close (fd);
  assert_int_equal (stat (a, &sa), 0);
  assert_int_equal (stat (b, &sb), 0);
  assert_int_equal (sa.st_ino, sb.st_ino);
  assert_int_equal (sa.st_nlink, 2);
}

static void
hardlink_to_missing_target_fails (void **state)
{
  husk_error_t err = NULL;
  int fd = BUILD ({ .path = "b", .hardlink = "nowhere" });

  (void) state;
  assert_int_equal (apply (fd, &err), -1);
  assert_non_null (strstr (err->msg, "extract 'b'"));
  assert_non_null (strstr (err->msg, "not found"));
  husk_error_release (&err);
  close (fd);
}

static void
devices_and_fifos_are_created_rootful (void **state)
{
  husk_error_t err = NULL;
  struct stat st;
  int fd = BUILD ({ .path = "null", .type = AE_IFCHR, .major = 1, .minor = 3, .perm = 0666 },
                  { .path = "loop", .type = AE_IFBLK, .major = 7, .minor = 0, .perm = 0660 },
                  { .path = "fifo", .type = AE_IFIFO, .perm = 0600 });

  (void) state;
  assert_ok (apply (fd, &err), err);
  close (fd);
  {
    cleanup_free char *p = rpath ("null");
    assert_int_equal (lstat (p, &st), 0);
    assert_true (S_ISCHR (st.st_mode));
    assert_int_equal (st.st_rdev, makedev (1, 3));
    assert_int_equal (st.st_mode & 07777, 0666);
  }
  {
    cleanup_free char *p = rpath ("loop");
    assert_int_equal (lstat (p, &st), 0);
    assert_true (S_ISBLK (st.st_mode));
    assert_int_equal (st.st_rdev, makedev (7, 0));
  }
  {
    cleanup_free char *p = rpath ("fifo");
    assert_int_equal (lstat (p, &st), 0);
    assert_true (S_ISFIFO (st.st_mode));
  }
}

static void
devices_are_skipped_rootless (void **state)
{
  husk_error_t err = NULL;
  int fd = BUILD ({ .path = "null", .type = AE_IFCHR, .major = 1, .minor = 3 },
                  { .path = "fifo", .type = AE_IFIFO });

  (void) state;
  assert_ok (apply_opts (fd, HUSK_WHITEOUT_DELETE, true, NULL, &err), err);
  close (fd);
  assert_false (exists_in_root ("null"));
  assert_true (exists_in_root ("fifo"));
}

static void
rootless_extraction_works_as_a_plain_user (void **state)
{
  cleanup_free char *sandbox = husk_asprintf ("%s/sandbox", fx.top);
  struct stat st;
  pid_t pid;
  int status;
  int fd = BUILD ({ .path = "locked", .type = AE_IFDIR, .perm = 0400 },
                  { .path = "locked/sub", .type = AE_IFDIR },
                  { .path = "locked/sub/f", .data = "x", .uid = 0, .gid = 0 },
                  { .path = "null", .type = AE_IFCHR, .major = 1, .minor = 3 },
                  { .path = "fifo", .type = AE_IFIFO },
                  { .path = "t", .data = "t", .xname = "trusted.x", .xvalue = "1" },
                  { .path = "u", .data = "u", .xname = "user.x", .xvalue = "1" });

  (void) state;
  assert_int_equal (chmod (fx.top, 0755), 0);
  assert_int_equal (chmod (sandbox, 0755), 0);
  assert_int_equal (chown (fx.root, 65534, 65534), 0);
  pid = fork ();
  assert_true (pid >= 0);
  if (pid == 0)
    {
      struct husk_tar_apply_opts o = { .whiteout = HUSK_WHITEOUT_DELETE, .rootless = true,
                                       .ignore_chown_errors = true };
      husk_error_t err = NULL;

      if (setgroups (0, NULL) < 0 || setgid (65534) < 0 || setuid (65534) < 0)
        _exit (2);
      if (husk_tar_apply (fd, fx.root_fd, &o, NULL, &err) < 0)
        {
          fprintf (stderr, "%s\n", err->msg);
          _exit (1);
        }
      _exit (0);
    }
  assert_int_equal (waitpid (pid, &status, 0), pid);
  assert_true (WIFEXITED (status));
  assert_int_equal (WEXITSTATUS (status), 0);
  close (fd);
  assert_true (exists_in_root ("locked/sub/f"));
  assert_false (exists_in_root ("null"));
  {
    cleanup_free char *p = rpath ("locked");
    assert_int_equal (lstat (p, &st), 0);
    assert_int_equal (st.st_mode & 07777, 0400);
  }
  {
    cleanup_free char *p = rpath ("locked/sub/f");
    assert_int_equal (lstat (p, &st), 0);
    assert_int_equal (st.st_uid, 65534);
  }
}

static void
xattrs_are_preserved (void **state)
{
  husk_error_t err = NULL;
  cleanup_free char *f = rpath ("f"), *d = rpath ("d"), *o = rpath ("o");
  char v[32];
  ssize_t n;
  int fd = BUILD ({ .path = "f", .data = "x", .xname = "user.colour", .xvalue = "blue" },
                  { .path = "d", .type = AE_IFDIR, .xname = "trusted.note", .xvalue = "t" },
                  { .path = "o", .type = AE_IFDIR, .xname = "trusted.overlay.redirect",
                    .xvalue = "/etc" });

  (void) state;
  assert_ok (apply (fd, &err), err);
  close (fd);
  n = getxattr (f, "user.colour", v, sizeof v);
  assert_int_equal (n, 4);
  assert_memory_equal (v, "blue", 4);
  n = getxattr (d, "trusted.note", v, sizeof v);
  assert_int_equal (n, 1);
  /* overlayfs' own xattrs never come from a tar.  */
  assert_int_equal (getxattr (o, "trusted.overlay.redirect", v, sizeof v), -1);
}

static void
later_entries_override_earlier_ones (void **state)
{
  husk_error_t err = NULL;
  struct stat st;
  int fd = BUILD ({ .path = "a", .data = "file" },
                  { .path = "a", .type = AE_IFDIR },
                  { .path = "d", .type = AE_IFDIR },
                  { .path = "d/inner", .data = "x" },
                  { .path = "d", .data = "now a file" },
                  { .path = "k", .type = AE_IFDIR, .perm = 0755 },
                  { .path = "k/content", .data = "kept" },
                  { .path = "k", .type = AE_IFDIR, .perm = 0700 },
                  { .path = "s", .data = "one" },
                  { .path = "s", .data = "two" });
  cleanup_free char *d = NULL, *kc = NULL, *s = NULL;

  (void) state;
  assert_ok (apply (fd, &err), err);
  close (fd);
  {
    cleanup_free char *p = rpath ("a");
    assert_int_equal (lstat (p, &st), 0);
    assert_true (S_ISDIR (st.st_mode));
  }
  d = read_in_root ("d");
  assert_string_equal (d, "now a file");
  kc = read_in_root ("k/content");
  assert_string_equal (kc, "kept");
  {
    cleanup_free char *p = rpath ("k");
    assert_int_equal (lstat (p, &st), 0);
    assert_int_equal (st.st_mode & 07777, 0700);
  }
  s = read_in_root ("s");
  assert_string_equal (s, "two");
}

static void
utf8_names_are_kept_byte_for_byte (void **state)
{
  husk_error_t err = NULL;
  int fd = BUILD ({ .path = "d\xc3\xafr/f\xc3\xafle", .data = "x" });

  (void) state;
  assert_ok (apply (fd, &err), err);
  close (fd);
  assert_true (exists_in_root ("d\xc3\xafr/f\xc3\xafle"));
}

static void
ustar_and_gnu_formats_are_read (void **state)
{
  int formats[] = { ARCHIVE_FORMAT_TAR_USTAR, ARCHIVE_FORMAT_TAR_GNUTAR };

  (void) state;
  for (size_t i = 0; i < 2; i++)
    {
      husk_error_t err = NULL;
      int fd = build_fmt ((const struct ent[]){ { .path = "fmt/file", .data = "x" } }, 1,
                          formats[i]);

      assert_ok (apply (fd, &err), err);
      close (fd);
      assert_true (exists_in_root ("fmt/file"));
    }
}

/* Whiteouts.  */

static void
whiteouts_become_devices_in_overlay_mode (void **state)
{
  husk_error_t err = NULL;
  cleanup_free char *gone = rpath ("etc/gone"), *opq = rpath ("opq");
  struct stat st;
  char v[4];
  int fd = BUILD ({ .path = "etc", .type = AE_IFDIR },
                  { .path = "etc/.wh.gone", .data = "" },
                  { .path = "opq", .type = AE_IFDIR },
                  { .path = "opq/.wh..wh..opq", .data = "" },
                  { .path = ".wh..wh.plnk", .type = AE_IFDIR });

  (void) state;
  assert_ok (apply (fd, &err), err);
  close (fd);
  assert_int_equal (lstat (gone, &st), 0);
  assert_true (S_ISCHR (st.st_mode));
  assert_int_equal (st.st_rdev, makedev (0, 0));
  assert_false (exists_in_root ("etc/.wh.gone"));
  assert_int_equal (getxattr (opq, "trusted.overlay.opaque", v, sizeof v), 1);
  assert_int_equal (v[0], 'y');
  assert_false (exists_in_root ("opq/.wh..wh..opq"));
  assert_false (exists_in_root (".wh..wh.plnk"));
}

/* Lower content for the delete-mode tests.  */
static void
make_lower (void)
{
  const char *dirs[] = { "odir/sub", "keep", "rm/deep" };
  const char *files[] = { "gone", "keep/k", "odir/lower1", "odir/lower2",
                          "odir/sub/a", "odir/sub/b", "rm/deep/x" };

  for (size_t i = 0; i < sizeof dirs / sizeof dirs[0]; i++)
    {
      cleanup_free char *p = rpath (dirs[i]);
      assert_int_equal (husk_mkdir_p (p, 0755, NULL), 0);
    }
  for (size_t i = 0; i < sizeof files / sizeof files[0]; i++)
    {
      cleanup_free char *p = rpath (files[i]);
      assert_int_equal (husk_write_file_atomic (p, "lower", 5, 0644, NULL), 0);
    }
}

static void
whiteouts_delete_in_delete_mode (void **state)
{
  husk_error_t err = NULL;
  int fd = BUILD ({ .path = ".wh.gone", .data = "" },
                  { .path = ".wh.rm", .data = "" },
                  { .path = "nodir/.wh.x", .data = "" });

  (void) state;
  make_lower ();
  assert_ok (apply_opts (fd, HUSK_WHITEOUT_DELETE, false, NULL, &err), err);
  close (fd);
  assert_false (exists_in_root ("gone"));
  assert_false (exists_in_root ("rm"));
  assert_false (exists_in_root ("nodir"));
  assert_true (exists_in_root ("keep/k"));
  assert_false (exists_in_root (".wh.gone"));
}

static void
check_opaque_result (void)
{
  assert_true (exists_in_root ("odir/new"));
  assert_true (exists_in_root ("odir/late"));
  assert_false (exists_in_root ("odir/lower1"));
  assert_false (exists_in_root ("odir/lower2"));
  assert_false (exists_in_root ("odir/.wh..wh..opq"));
  assert_true (exists_in_root ("keep/k"));
}

static void
opaque_marker_first_keeps_this_layers_entries (void **state)
{
  husk_error_t err = NULL;
  int fd = BUILD ({ .path = "odir", .type = AE_IFDIR },
                  { .path = "odir/.wh..wh..opq", .data = "" },
                  { .path = "odir/new", .data = "n" },
                  { .path = "odir/late", .data = "l" });

  (void) state;
  make_lower ();
  assert_ok (apply_opts (fd, HUSK_WHITEOUT_DELETE, false, NULL, &err), err);
  close (fd);
  check_opaque_result ();
  assert_false (exists_in_root ("odir/sub"));
}

static void
opaque_marker_last_keeps_this_layers_entries (void **state)
{
  husk_error_t err = NULL;
  int fd = BUILD ({ .path = "odir", .type = AE_IFDIR },
                  { .path = "odir/new", .data = "n" },
                  { .path = "odir/late", .data = "l" },
                  { .path = "odir/.wh..wh..opq", .data = "" });

  (void) state;
  make_lower ();
  assert_ok (apply_opts (fd, HUSK_WHITEOUT_DELETE, false, NULL, &err), err);
  close (fd);
  check_opaque_result ();
}

static void
opaque_hides_lower_content_of_kept_subdirectories (void **state)
{
  husk_error_t err = NULL;
  int fd = BUILD ({ .path = "odir/.wh..wh..opq", .data = "" },
                  { .path = "odir/new", .data = "n" },
                  { .path = "odir/late", .data = "l" },
                  { .path = "odir/sub/a", .data = "mine" });
  cleanup_free char *a = NULL;

  (void) state;
  make_lower ();
  assert_ok (apply_opts (fd, HUSK_WHITEOUT_DELETE, false, NULL, &err), err);
  close (fd);
  check_opaque_result ();
  a = read_in_root ("odir/sub/a");
  assert_string_equal (a, "mine");
  assert_false (exists_in_root ("odir/sub/b"));
}

/* The stream: compression and the diff ID.  */

static void
gzip_zstd_and_plain_give_the_same_diff_id (void **state)
{
  int plain = BUILD ({ .path = "etc", .type = AE_IFDIR },
                     { .path = "etc/hosts", .data = "127.0.0.1 localhost\n" });
  struct husk_buf gz = HUSK_BUF_INIT, padded = HUSK_BUF_INIT;
  cleanup_free char *raw = NULL, *expect = NULL, *zbuf = NULL;
  cleanup_free char *gz_digest = NULL;
  size_t len, zlen;
  int fds[3];
  enum husk_compression comp[] = { HUSK_COMPRESSION_NONE, HUSK_COMPRESSION_GZIP,
                                   HUSK_COMPRESSION_ZSTD };

  (void) state;
  raw = slurp_fd (plain, &len);
  close (plain);
  /* Zero padding after the end-of-archive blocks is part of the digest.  */
  husk_buf_append (&padded, raw, len);
  for (int i = 0; i < 4096; i++)
    husk_buf_putc (&padded, '\0');
  expect = husk_digest_buf (padded.data, padded.len);
  gzip_append (&gz, padded.data, padded.len);
  gz_digest = husk_digest_buf (gz.data, gz.len);
  zbuf = husk_xmalloc (ZSTD_compressBound (padded.len));
  zlen = ZSTD_compress (zbuf, ZSTD_compressBound (padded.len), padded.data, padded.len, 3);
  assert_false (ZSTD_isError (zlen));
  fds[0] = memfd_with (padded.data, padded.len);
  fds[1] = memfd_with (gz.data, gz.len);
  fds[2] = memfd_with (zbuf, zlen);
  for (int i = 0; i < 3; i++)
    {
      husk_error_t err = NULL;
      struct husk_tar_result res;

      assert_ok (apply_opts (fds[i], HUSK_WHITEOUT_OVERLAY, false, &res, &err), err);
      assert_string_equal (res.diff_id, expect);
      assert_int_equal (res.size, (int64_t) padded.len);
      assert_int_equal (res.compression, comp[i]);
      close (fds[i]);
    }
  {
    /* And the blob digest is that of the bytes read.  */
    husk_error_t err = NULL;
    struct husk_tar_result res;
    int fd = memfd_with (gz.data, gz.len);

    assert_ok (apply_opts (fd, HUSK_WHITEOUT_OVERLAY, false, &res, &err), err);
    assert_string_equal (res.blob_digest, gz_digest);
    assert_int_equal (res.blob_size, (int64_t) gz.len);
    close (fd);
  }
  assert_true (exists_in_root ("etc/hosts"));
  husk_buf_release (&gz);
  husk_buf_release (&padded);
}

static void
multi_member_gzip_is_read_whole (void **state)
{
  int plain = BUILD ({ .path = "a", .data = "aaaa" }, { .path = "b", .data = "bbbb" });
  struct husk_buf gz = HUSK_BUF_INIT;
  cleanup_free char *raw = NULL, *expect = NULL;
  husk_error_t err = NULL;
  struct husk_tar_result res;
  size_t len;
  int fd;

  (void) state;
  raw = slurp_fd (plain, &len);
  close (plain);
  expect = husk_digest_buf (raw, len);
  gzip_append (&gz, raw, 700);
  gzip_append (&gz, raw + 700, len - 700);
  fd = memfd_with (gz.data, gz.len);
  assert_ok (apply_opts (fd, HUSK_WHITEOUT_OVERLAY, false, &res, &err), err);
  assert_string_equal (res.diff_id, expect);
  assert_true (exists_in_root ("b"));
  close (fd);
  husk_buf_release (&gz);
}

static void
truncated_gzip_fails_cleanly (void **state)
{
  int plain = BUILD ({ .path = "big", .data = "0123456789abcdef0123456789abcdef" },
                     { .path = "next", .data = "x" });
  struct husk_buf gz = HUSK_BUF_INIT;
  cleanup_free char *raw = NULL;
  husk_error_t err = NULL;
  size_t len;
  int fd;

  (void) state;
  raw = slurp_fd (plain, &len);
  close (plain);
  gzip_append (&gz, raw, len);
  fd = memfd_with (gz.data, gz.len / 2);
  assert_int_equal (apply (fd, &err), -1);
  assert_non_null (strstr (err->msg, "gzip"));
  husk_error_release (&err);
  close (fd);
  husk_buf_release (&gz);
}

static void
garbage_after_gzip_is_refused (void **state)
{
  int plain = BUILD ({ .path = "a", .data = "x" });
  struct husk_buf gz = HUSK_BUF_INIT;
  cleanup_free char *raw = NULL;
  husk_error_t err = NULL;
  size_t len;
  int fd;

  (void) state;
  raw = slurp_fd (plain, &len);
  close (plain);
  gzip_append (&gz, raw, len);
  husk_buf_puts (&gz, "trailing junk");
  fd = memfd_with (gz.data, gz.len);
  assert_int_equal (apply (fd, &err), -1);
  assert_non_null (strstr (err->msg, "after the compressed stream"));
  husk_error_release (&err);
  close (fd);
  husk_buf_release (&gz);
}

static void
garbage_is_not_a_tar (void **state)
{
  const char junk[] = "this is certainly not a tar archive, not even close .......";
  husk_error_t err = NULL;
  int fd = memfd_with (junk, sizeof junk);

  (void) state;
  assert_int_equal (apply (fd, &err), -1);
  assert_non_null (err);
  husk_error_release (&err);
  close (fd);
}

static void
empty_stream_is_an_empty_layer (void **state)
{
  husk_error_t err = NULL;
  struct husk_tar_result res;
  int fd = memfd_with ("", 0);

  (void) state;
  assert_ok (apply_opts (fd, HUSK_WHITEOUT_OVERLAY, false, &res, &err), err);
  assert_string_equal (res.diff_id, "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4"
                                    "649b934ca495991b7852b855");
  assert_int_equal (res.size, 0);
  close (fd);
}

static void
detect_compression_by_magic (void **state)
{
  const unsigned char gz[] = { 0x1f, 0x8b, 8, 0 };
  const unsigned char zs[] = { 0x28, 0xb5, 0x2f, 0xfd };
  const unsigned char tar[] = { 'e', 't', 'c', '/' };

  (void) state;
  assert_int_equal (husk_detect_compression (gz, 4), HUSK_COMPRESSION_GZIP);
  assert_int_equal (husk_detect_compression (zs, 4), HUSK_COMPRESSION_ZSTD);
  assert_int_equal (husk_detect_compression (tar, 4), HUSK_COMPRESSION_NONE);
  assert_int_equal (husk_detect_compression (zs, 3), HUSK_COMPRESSION_NONE);
}

/* Host safety: metadata through descriptors (storage/resolve.h).  */

static void
metadata_calls_act_on_the_descriptor_not_the_name (void **state)
{
  cleanup_free char *target = husk_asprintf ("%s/target", fx.outside);
  struct timespec ts[2] = { { 1000, 0 }, { 2000, 0 } };
  cleanup_close int lfd = -1, ffd = -1;
  struct stat st;
  char v[4];

  (void) state;
  assert_int_equal (close (open (target, O_CREAT | O_WRONLY, 0644)), 0);
  assert_int_equal (symlinkat (target, fx.root_fd, "link"), 0);
  assert_int_equal (mkfifoat (fx.root_fd, "fifo", 0600), 0);
  lfd = husk_resolve_open_made (fx.root_fd, "link", S_IFLNK);
  ffd = husk_resolve_open_made (fx.root_fd, "fifo", S_IFIFO);
  assert_true (lfd >= 0 && ffd >= 0);
  /* The link itself gets owner, times and xattrs; its target nothing.  */
  assert_int_equal (husk_resolve_fchown (lfd, 1234, 1234), 0);
  assert_int_equal (husk_resolve_futimens (lfd, ts), 0);
  assert_int_equal (husk_resolve_fsetxattr (lfd, "trusted.husk", "y", 1), 0);
  assert_int_equal (fstatat (fx.root_fd, "link", &st, AT_SYMLINK_NOFOLLOW), 0);
  assert_int_equal (st.st_uid, 1234);
  assert_int_equal (st.st_mtim.tv_sec, 2000);
  assert_int_equal (stat (target, &st), 0);
  assert_int_equal (st.st_uid, 0);
  assert_int_not_equal (st.st_mtim.tv_sec, 2000);
  assert_int_equal (getxattr (target, "trusted.husk", v, sizeof v), -1);
  /* A FIFO is changed through its O_PATH fd, without opening it.  */
  assert_int_equal (husk_resolve_fchmod (ffd, 04777), 0);
  assert_int_equal (fstatat (fx.root_fd, "fifo", &st, AT_SYMLINK_NOFOLLOW), 0);
  assert_int_equal (st.st_mode & 07777, 04777);
}

static void
open_made_refuses_a_replaced_node (void **state)
{
  cleanup_free char *target = husk_asprintf ("%s/target", fx.outside);
  cleanup_free char *file = husk_asprintf ("%s/file", fx.root);

  (void) state;
  assert_int_equal (close (open (target, O_CREAT | O_WRONLY, 0644)), 0);
  /* What a racing container leaves where a FIFO was just made.  */
  assert_int_equal (symlinkat (target, fx.root_fd, "fifo"), 0);
  errno = 0;
  assert_int_equal (husk_resolve_open_made (fx.root_fd, "fifo", S_IFIFO), -1);
  assert_int_equal (errno, EBUSY);
  /* A second name for a file the container has (a hard link).  */
  assert_int_equal (close (open (file, O_CREAT | O_WRONLY, 0644)), 0);
  assert_int_equal (linkat (fx.root_fd, "file", fx.root_fd, "again", 0), 0);
  assert_int_equal (husk_resolve_open_made (fx.root_fd, "again", S_IFREG), -1);
  assert_int_equal (errno, EBUSY);
  assert_int_equal (husk_resolve_open_made (fx.root_fd, "gone", S_IFIFO), -1);
  assert_int_equal (errno, EBUSY);
}

static void
whiteout_names_are_refused_when_not_a_layer (void **state)
{
  husk_error_t err = NULL;
  /* "d/.wh.keep/." is "d/.wh.keep" once cleaned: a whiteout of d/keep.  */
  int fd = BUILD ({ .path = "d/keep", .data = "k" },
                  { .path = "d/.wh.keep/.", .type = AE_IFDIR });

  (void) state;
  assert_int_equal (apply_opts (fd, HUSK_WHITEOUT_REFUSE, false, NULL, &err), -1);
  assert_non_null (strstr (err->msg, "reserved for layer whiteouts"));
  husk_error_release (&err);
  close (fd);
  assert_true (exists_in_root ("d/keep"));
}

static void
write_zeros (struct archive *a, int64_t n)
{
  static const char zero[1 << 20];

  while (n > 0)
    {
      size_t k = n < (int64_t) sizeof zero ? (size_t) n : sizeof zero;
      assert_int_equal (archive_write_data (a, zero, k), (la_ssize_t) k);
      n -= (int64_t) k;
    }
}

static void
sparse_entries_are_written_with_holes (void **state)
{
  const int64_t size = (int64_t) 1 << 32; /* 4 GiB */
  struct archive *a = archive_write_new ();
  struct archive_entry *e = archive_entry_new ();
  int fd = memfd_create ("tar", MFD_CLOEXEC);
  husk_error_t err = NULL;
  cleanup_free char *path = rpath ("sparse");
  char buf[8];
  struct stat st;

  (void) state;
  assert_int_equal (archive_write_set_format_pax_restricted (a), ARCHIVE_OK);
  assert_int_equal (archive_write_open_fd (a, fd), ARCHIVE_OK);
  archive_entry_set_pathname (e, "sparse");
  archive_entry_set_filetype (e, AE_IFREG);
  archive_entry_set_perm (e, 0644);
  archive_entry_set_size (e, size);
  archive_entry_sparse_add_entry (e, size / 2, 4);
  assert_int_equal (archive_write_header (a, e), ARCHIVE_OK);
  /* The writer drops what falls in holes: hand it the whole file.  */
  write_zeros (a, size / 2);
  assert_int_equal (archive_write_data (a, "data", 4), 4);
  write_zeros (a, size / 2 - 4);
  assert_int_equal (archive_write_close (a), ARCHIVE_OK);
  archive_write_free (a);
  archive_entry_free (e);
  assert_true (lseek (fd, 0, SEEK_END) < 64 * 1024);
  assert_ok (apply_opts (fd, HUSK_WHITEOUT_OVERLAY, false, NULL, &err), err);
  close (fd);
  assert_int_equal (stat (path, &st), 0);
  assert_int_equal (st.st_size, size);
  assert_true (st.st_blocks * 512 < 1024 * 1024);
  fd = open (path, O_RDONLY | O_CLOEXEC);
  assert_int_equal (pread (fd, buf, 4, size / 2), 4);
  assert_memory_equal (buf, "data", 4);
  close (fd);
}

#define T(f) cmocka_unit_test_setup_teardown (f, setup, teardown)

int
main (void)
{
  const struct CMUnitTest tests[] = {
    T (dotdot_escape_is_refused),
    T (dotdot_inside_the_root_is_fine),
    T (absolute_path_is_refused),
    T (write_through_planted_symlink_is_refused),
    T (write_through_root_symlink_is_refused),
    T (write_through_relative_symlink_is_refused),
    T (hardlink_to_absolute_path_is_refused),
    T (hardlink_escaping_with_dotdot_is_refused),
    T (hardlink_through_symlink_is_refused),
    T (entry_replaces_symlink_not_its_target),
    T (invalid_whiteout_is_refused),
    T (overlong_path_is_refused),
    T (owners_modes_and_mtimes_are_preserved),
    T (missing_parents_are_created_0755),
    T (hardlinks_within_the_layer_share_an_inode),
    T (hardlink_to_missing_target_fails),
    T (devices_and_fifos_are_created_rootful),
    T (devices_are_skipped_rootless),
    T (rootless_extraction_works_as_a_plain_user),
    T (xattrs_are_preserved),
    T (later_entries_override_earlier_ones),
    T (utf8_names_are_kept_byte_for_byte),
    T (ustar_and_gnu_formats_are_read),
    T (whiteouts_become_devices_in_overlay_mode),
    T (whiteouts_delete_in_delete_mode),
    T (opaque_marker_first_keeps_this_layers_entries),
    T (opaque_marker_last_keeps_this_layers_entries),
    T (opaque_hides_lower_content_of_kept_subdirectories),
    T (gzip_zstd_and_plain_give_the_same_diff_id),
    T (multi_member_gzip_is_read_whole),
    T (truncated_gzip_fails_cleanly),
    T (garbage_after_gzip_is_refused),
    T (garbage_is_not_a_tar),
    T (empty_stream_is_an_empty_layer),
    T (detect_compression_by_magic),
    T (metadata_calls_act_on_the_descriptor_not_the_name),
    T (open_made_refuses_a_replaced_node),
    T (whiteout_names_are_refused_when_not_a_layer),
    T (sparse_entries_are_written_with_holes),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
