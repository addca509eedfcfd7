/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Reading image archives.
 *
 * Theory of operation: an archive is untrusted.  We unpack the outer tar
 * into a fresh work directory, accepting only regular files and
 * directories whose names are plain relative paths (no "..", no absolute
 * names); symlinks, which docker writes for repeated layers, are recorded
 * and resolved lexically inside the archive, never on disk.  Then the
 * format is recognised (manifest.json: docker-archive; index.json +
 * oci-layout: OCI layout), every blob a manifest names is checked against
 * its digest, and the config must list one diff ID per layer.  Layer
 * content itself is checked by the layer store (diff IDs, escapes).
 *
 * The work is bounded by the size of the archive, not by the shape of its
 * references: an index may list the same child index many times, and
 * indexes nested a few levels deep multiply (30 entries at 5 levels are
 * 24 million paths through a 40 KB archive).  So, within one archive, each
 * blob is hashed at most once, each index is followed at most once, and
 * each config is read once: a manifest or manifest.json entry reached
 * again, or naming a config read before, is the same image (the config's
 * digest is the image ID) and only adds names.  On top of that, indexes
 * nest at most MAX_DEPTH levels, at most MAX_DESCRIPTORS index entries are
 * looked at, an image has at most MAX_LAYERS layers and all entries
 * together list at most MAX_ARCHIVE_LAYERS; going past a limit fails the
 * whole archive before anything is loaded.  Link names are sorted, so
 * resolving a member name does not scan every link of the tar.
 */
#include "image/archive.h"
#include "image/reference.h"
#include "util/cleanup.h"
#include "util/digest.h"
#include "util/fileutil.h"
#include "util/log.h"
#include "util/strutil.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_JSON_SIZE (16 << 20) /* manifests and configs are small */
#define MAX_IMAGES 1024
#define MAX_DEPTH 4          /* index in index in ...: levels below index.json */
#define MAX_DESCRIPTORS 4096 /* index entries looked at, over all indexes */
#define MAX_LAYERS 1024      /* layers of one image */
#define MAX_ARCHIVE_LAYERS 4096 /* layers listed by all entries together */

struct link
{
  char *name;
  char *target;
  size_t seq; /* position in the tar: the first of equal names wins */
};

struct unpack
{
  struct link *links; /* sorted by name, then seq, once unpacked */
  size_t n_links;
};

/* The state of reading one archive's manifests: what was done already.  */
struct reader
{
  struct husk_archive *ar;
  int dirfd;
  struct unpack *u;
  json_t *verified;  /* blob digest -> true: hashed, and right */
  json_t *expanded;  /* index digest -> true: followed */
  json_t *manifests; /* manifest digest -> index of its image */
  json_t *configs;   /* config member -> index of the image it made */
  size_t descriptors; /* index entries looked at */
  size_t layers;      /* layers listed by manifests */
};

static void
reader_release (struct reader *r)
{
  json_decref (r->verified);
  json_decref (r->expanded);
  json_decref (r->manifests);
  json_decref (r->configs);
}

static void
unpack_release (struct unpack *u)
{
  for (size_t i = 0; i < u->n_links; i++)
    {
      free (u->links[i].name);
      free (u->links[i].target);
    }
  free (u->links);
}

/* Normalise an archive member name: strip "./", refuse anything that is
   not a plain relative path.  Return: a new string, or NULL.  */
static char *
clean_name (const char *name)
{
  cleanup_strv char **parts = NULL;
  char **out = NULL;
  char *r;

  while (name[0] == '.' && name[1] == '/')
    name += 2;
  if (name[0] == '/' || name[0] == '\0')
    return NULL;
  parts = husk_strv_split (name, '/');
  for (size_t i = 0; parts[i]; i++)
    {
      if (strcmp (parts[i], "..") == 0)
        {
          husk_strv_free (out);
          return NULL;
        }
      if (parts[i][0] == '\0' || strcmp (parts[i], ".") == 0)
        continue;
      husk_strv_append (&out, parts[i]);
    }
  if (out == NULL)
    return NULL;
  r = husk_strv_join (out, "/");
  husk_strv_free (out);
  return r;
}

/* Create the parent directories of name below dirfd, never following a
   symlink (there are none: we only ever create directories).  */
static int
make_parents (int dirfd, const char *name, husk_error_t *err)
{
  cleanup_free char *copy = husk_xstrdup (name);

  for (char *p = strchr (copy, '/'); p; p = strchr (p + 1, '/'))
    {
      *p = '\0';
      if (mkdirat (dirfd, copy, 0700) < 0 && errno != EEXIST)
        return husk_error_make (err, errno, "mkdir '%s'", copy);
      *p = '/';
    }
  return 0;
}

/* pwrite() all of buf.  A short write is retried, so that a full disk
   reports its own errno (ENOSPC) rather than whatever errno held.  */
static int
pwrite_all (int fd, const char *buf, size_t len, off_t off)
{
  while (len > 0)
    {
      ssize_t n = pwrite (fd, buf, len, off);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        {
          if (n == 0)
            errno = ENOSPC;
          return -1;
        }
      buf += n;
      len -= (size_t) n;
      off += n;
    }
  return 0;
}

static int
write_member (struct archive *a, int dirfd, const char *name, husk_error_t *err)
{
  cleanup_close int fd = -1;
  const void *buf;
  size_t len;
  la_int64_t off;
  int r;

  if (make_parents (dirfd, name, err) < 0)
    return -1;
  fd = openat (dirfd, name, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0)
    return husk_error_make (err, errno, "create '%s'", name);
  while ((r = archive_read_data_block (a, &buf, &len, &off)) == ARCHIVE_OK)
    if (pwrite_all (fd, buf, len, off) < 0)
      return husk_error_make (err, errno, "write '%s'", name);
  if (r != ARCHIVE_EOF)
    return husk_error_makex (err, EINVAL, "read '%s': %s", name,
                             archive_error_string (a));
  /* Sparse tails: make the file as long as the entry says.  */
  return 0;
}

static int
unpack_entry (struct archive *a, struct archive_entry *e, int dirfd,
              struct unpack *u, husk_error_t *err)
{
  const char *raw = archive_entry_pathname (e);
  cleanup_free char *name = clean_name (raw ? raw : "");

  if (name == NULL)
    {
      if (raw && (strcmp (raw, ".") == 0 || strcmp (raw, "./") == 0))
        return 0;
      return husk_error_makex (err, EINVAL, "archive member '%s': invalid name",
                               raw ? raw : "");
    }
  switch (archive_entry_filetype (e))
    {
    case AE_IFDIR:
      if (make_parents (dirfd, name, err) < 0)
        return -1;
      if (mkdirat (dirfd, name, 0700) < 0 && errno != EEXIST)
        return husk_error_make (err, errno, "mkdir '%s'", name);
      return 0;
    case AE_IFREG:
      if (archive_entry_hardlink (e))
        break; /* a hard link: treat as a symlink-like alias */
      return write_member (a, dirfd, name, err);
    case AE_IFLNK:
      break;
    default:
      husk_log_debug ("archive member '%s': skipping special file", name);
      return 0;
    }
  u->links = husk_xrealloc (u->links, (u->n_links + 1) * sizeof (*u->links));
  u->links[u->n_links].seq = u->n_links;
  u->links[u->n_links].name = steal_ptr (&name);
  u->links[u->n_links].target = husk_xstrdup (archive_entry_hardlink (e)
                                                  ? archive_entry_hardlink (e)
                                                  : archive_entry_symlink (e));
  u->links[u->n_links].target = u->links[u->n_links].target
                                    ? u->links[u->n_links].target
                                    : husk_xstrdup ("");
  u->n_links++;
  return 0;
}

static int
link_cmp (const void *a, const void *b)
{
  const struct link *x = a, *y = b;
  int c = strcmp (x->name, y->name);

  if (c != 0)
    return c;
  return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* The first link recorded under name, or NULL.  */
static struct link *
find_link (struct unpack *u, const char *name)
{
  size_t lo = 0, hi = u->n_links;

  while (lo < hi) /* the first entry not less than name */
    {
      size_t mid = lo + (hi - lo) / 2;
      if (strcmp (u->links[mid].name, name) < 0)
        lo = mid + 1;
      else
        hi = mid;
    }
  return lo < u->n_links && strcmp (u->links[lo].name, name) == 0 ? &u->links[lo] : NULL;
}

/* unpack_tar()'s result for input that is no tar archive.  */
#define NOT_TAR (-2)

static int
unpack_tar (const char *path, int dirfd, struct unpack *u, husk_error_t *err)
{
  struct archive *a = archive_read_new ();
  struct archive_entry *e;
  int r, ret = 0;

  archive_read_support_format_tar (a);
  archive_read_support_format_gnutar (a);
  archive_read_support_filter_gzip (a);
  archive_read_support_filter_zstd (a);
  archive_read_support_filter_none (a);
  if (strcmp (path, "-") == 0)
    r = archive_read_open_fd (a, 0, 1 << 17);
  else
    r = archive_read_open_filename (a, path, 1 << 17);
  if (r == ARCHIVE_OK)
    r = archive_read_next_header (a, &e);
  if (r != ARCHIVE_OK && r != ARCHIVE_EOF)
    {
      /* Not a tar at all: the caller says what it tried (NOT_TAR).  */
      husk_error_makex (err, archive_errno (a) > 0 ? archive_errno (a) : EINVAL,
                        "%s", archive_error_string (a) ? archive_error_string (a) : "unreadable");
      archive_read_free (a);
      return NOT_TAR;
    }
  for (; r == ARCHIVE_OK; r = archive_read_next_header (a, &e))
    if (unpack_entry (a, e, dirfd, u, err) < 0)
      {
        ret = -1;
        break;
      }
  if (ret == 0 && r != ARCHIVE_EOF)
    ret = husk_error_makex (err, EINVAL, "not a valid image archive: %s",
                            archive_error_string (a));
  archive_read_free (a);
  if (u->n_links > 1)
    qsort (u->links, u->n_links, sizeof (*u->links), link_cmp);
  return ret;
}

/* Resolve name through the recorded links, lexically, inside the archive.  */
static char *
resolve_member (struct unpack *u, const char *name, int depth)
{
  cleanup_free char *clean = clean_name (name);

  struct link *l;

  if (clean == NULL || depth > 16)
    return NULL;
  l = find_link (u, clean);
  if (l)
    {
      /* Symlink targets are relative to the link's directory; hard link
         targets are relative to the archive root.  */
      const char *t = l->target;
      const char *slash = strrchr (clean, '/');
      cleanup_free char *joined = NULL;
      if (slash && strncmp (t, "../", 3) == 0)
        joined = husk_asprintf ("%.*s/%s", (int) (slash - clean), clean, t);
      else
        joined = husk_xstrdup (t);
      /* Collapse "dir/../x".  */
      cleanup_strv char **parts = husk_strv_split (joined, '/');
      char **stack = NULL;
      for (size_t k = 0; parts[k]; k++)
        {
          if (strcmp (parts[k], "..") == 0)
            {
              size_t n = husk_strv_len (stack);
              if (n == 0)
                {
                  husk_strv_free (stack);
                  return NULL;
                }
              free (stack[n - 1]);
              stack[n - 1] = NULL;
              continue;
            }
          if (parts[k][0] && strcmp (parts[k], ".") != 0)
            husk_strv_append (&stack, parts[k]);
        }
      cleanup_free char *next = stack ? husk_strv_join (stack, "/") : NULL;
      husk_strv_free (stack);
      return next ? resolve_member (u, next, depth + 1) : NULL;
    }
  return steal_ptr (&clean);
}

static json_t *
load_json_member (int dirfd, const char *name, char **text, size_t *len,
                  husk_error_t *err)
{
  cleanup_free char *data = NULL;
  struct stat st;
  json_error_t je;
  json_t *j;
  size_t n;

  if (fstatat (dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
    {
      husk_error_make (err, errno, "'%s'", name);
      return NULL;
    }
  if (!S_ISREG (st.st_mode) || st.st_size > MAX_JSON_SIZE)
    {
      husk_error_makex (err, EINVAL, "'%s': not a regular file of sane size", name);
      return NULL;
    }
  data = husk_read_file_at (dirfd, name, &n, err);
  if (data == NULL)
    return NULL;
  j = json_loadb (data, n, JSON_REJECT_DUPLICATES, &je);
  if (j == NULL)
    {
      husk_error_makex (err, EINVAL, "'%s': invalid JSON: %s (line %d)", name,
                        je.text, je.line);
      return NULL;
    }
  if (text)
    *text = steal_ptr (&data);
  if (len)
    *len = n;
  return j;
}

static void
image_release (struct husk_archive_image *im)
{
  free (im->config);
  free (im->config_digest);
  husk_strv_free (im->layer_paths);
  husk_strv_free (im->diff_ids);
  husk_strv_free (im->names);
  free (im->manifest);
  free (im->manifest_digest);
}

void
husk_archive_free (struct husk_archive *a)
{
  if (a == NULL)
    return;
  for (size_t i = 0; i < a->n_images; i++)
    image_release (&a->images[i]);
  free (a->images);
  if (a->owns_dir && a->dir)
    {
      husk_error_t err = NULL;
      if (husk_rm_rf (a->dir, &err) < 0)
        husk_error_drop (&err, "remove the archive's work directory");
    }
  if (a->lock_fd >= 0)
    close (a->lock_fd);
  free (a->dir);
  free (a);
}

/* Read the config at member into im, check its digest when expected is
   given, and take its diff IDs.  */
static int
read_config (struct reader *r, const char *member, const char *expected,
             struct husk_archive_image *im, husk_error_t *err)
{
  cleanup_json json_t *cfg = load_json_member (r->dirfd, member, &im->config,
                                               &im->config_len, err);
  json_t *ids, *v;
  size_t i;

  if (cfg == NULL)
    return husk_error_wrap (err, "image config");
  im->config_digest = husk_digest_buf (im->config, im->config_len);
  if (expected && strcmp (expected, im->config_digest) != 0)
    return husk_error_makex (err, EINVAL, "config digest mismatch: expected %s, got %s",
                             expected, im->config_digest);
  ids = json_object_get (json_object_get (cfg, "rootfs"), "diff_ids");
  if (!json_is_array (ids))
    return husk_error_makex (err, EINVAL, "image config '%s' has no rootfs.diff_ids",
                             member);
  if (json_array_size (ids) > MAX_LAYERS)
    return husk_error_makex (err, EINVAL, "image config '%s' lists more than %d layers",
                             member, MAX_LAYERS);
  json_array_foreach (ids, i, v)
    {
      if (!json_is_string (v) || !husk_digest_valid (json_string_value (v)))
        return husk_error_makex (err, EINVAL, "image config: invalid diff ID %zu", i);
      husk_strv_append (&im->diff_ids, json_string_value (v));
    }
  if (im->diff_ids == NULL)
    im->diff_ids = husk_xzalloc (sizeof (char *));
  json_object_set_new (r->configs, member, json_integer ((json_int_t) (im - r->ar->images)));
  return 0;
}

/* The image an earlier entry made from the config at member, or NULL.  A
   config is the image (its digest is the image ID), so a second entry
   with the same config only adds names.  */
static struct husk_archive_image *
image_of_config (struct reader *r, const char *member)
{
  json_t *seen = json_object_get (r->configs, member);

  return seen ? &r->ar->images[json_integer_value (seen)] : NULL;
}

/* Count an entry's n layers against the limits.  */
static int
count_layers (struct reader *r, size_t n, husk_error_t *err)
{
  if (n > MAX_LAYERS)
    return husk_error_makex (err, EINVAL, "an image lists more than %d layers", MAX_LAYERS);
  r->layers += n;
  if (r->layers > MAX_ARCHIVE_LAYERS)
    return husk_error_makex (err, EINVAL, "the archive lists more than %d layers",
                             MAX_ARCHIVE_LAYERS);
  return 0;
}

/* Give im the layer paths of its first entry; every entry must list as
   many layers as the config has diff IDs.  */
static int
set_layers (struct husk_archive_image *im, char ***paths, husk_error_t *err)
{
  size_t n = husk_strv_len (*paths);

  if (n != husk_strv_len (im->diff_ids))
    return husk_error_makex (err, EINVAL, "image has %zu layers but its config lists %zu diff IDs",
                             n, husk_strv_len (im->diff_ids));
  if (im->layer_paths == NULL)
    im->layer_paths = *paths ? steal_ptr (paths) : husk_xzalloc (sizeof (char *));
  return 0;
}

static int
add_name (struct husk_archive_image *im, const char *name, husk_error_t *err)
{
  struct husk_reference ref = { 0 };
  char *s;

  if (husk_reference_parse (name, true, &ref, err) < 0)
    return husk_error_wrap (err, "image name '%s'", name);
  s = husk_reference_string (&ref);
  husk_reference_release (&ref);
  if (husk_strv_contains (im->names, s))
    free (s);
  else
    husk_strv_take (&im->names, s);
  return 0;
}

/* The name an OCI archive's ref.name annotation gives its image.  As in
   Podman, a name without a registry is local: "v1" is localhost/v1:latest
   and "app/web:2" localhost/app/web:2, never docker.io.  */
static char *
oci_ref_name (const char *ann)
{
  const char *slash = strchr (ann, '/');
  size_t n = slash ? (size_t) (slash - ann) : 0;
  bool domain = slash && (memchr (ann, '.', n) || memchr (ann, ':', n)
                          || (n == 9 && strncmp (ann, "localhost", 9) == 0));

  return domain ? husk_xstrdup (ann) : husk_asprintf ("localhost/%s", ann);
}

static int
check_member_file (int dirfd, const char *name, husk_error_t *err)
{
  struct stat st;

  if (fstatat (dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISREG (st.st_mode))
    return husk_error_makex (err, ENOENT, "'%s' named by the manifest is missing", name);
  return 0;
}

/* One entry of manifest.json: Config, RepoTags, Layers.  */
static int
read_docker_entry (struct reader *r, json_t *ent, size_t i, husk_error_t *err)
{
  struct husk_archive *ar = r->ar;
  const char *cfg = json_string_value (json_object_get (ent, "Config"));
  json_t *layers = json_object_get (ent, "Layers");
  cleanup_free char *cfg_path = cfg ? resolve_member (r->u, cfg, 0) : NULL;
  cleanup_strv char **paths = NULL;
  struct husk_archive_image *im;
  size_t k;
  json_t *v;

  if (cfg_path == NULL || !json_is_array (layers))
    return husk_error_makex (err, EINVAL, "manifest.json: entry %zu lacks Config or Layers", i);
  if (count_layers (r, json_array_size (layers), err) < 0)
    return husk_error_wrap (err, "manifest.json: entry %zu", i);
  json_array_foreach (layers, k, v)
    {
      cleanup_free char *p = json_is_string (v) ? resolve_member (r->u, json_string_value (v), 0) : NULL;
      if (p == NULL)
        return husk_error_makex (err, EINVAL, "manifest.json: invalid layer %zu", k);
      if (check_member_file (r->dirfd, p, err) < 0)
        return -1;
      husk_strv_take (&paths, husk_asprintf ("%s/%s", ar->dir, p));
    }
  im = image_of_config (r, cfg_path);
  if (im == NULL)
    {
      im = &ar->images[ar->n_images++];
      if (read_config (r, cfg_path, NULL, im, err) < 0)
        return -1;
    }
  if (set_layers (im, &paths, err) < 0)
    return -1;
  json_array_foreach (json_object_get (ent, "RepoTags"), k, v)
    if (json_is_string (v) && add_name (im, json_string_value (v), err) < 0)
      return -1;
  return 0;
}

/* docker-archive: manifest.json lists the images.  */
static int
read_docker (struct reader *r, husk_error_t *err)
{
  cleanup_json json_t *m = load_json_member (r->dirfd, "manifest.json", NULL, NULL, err);
  size_t i;
  json_t *ent;

  if (m == NULL)
    return -1;
  if (!json_is_array (m) || json_array_size (m) == 0 || json_array_size (m) > MAX_IMAGES)
    return husk_error_makex (err, EINVAL, "manifest.json: expected a non-empty array");
  r->ar->images = husk_xzalloc (json_array_size (m) * sizeof (*r->ar->images));
  json_array_foreach (m, i, ent)
    if (read_docker_entry (r, ent, i, err) < 0)
      return -1;
  return 0;
}

/* The blob member of a descriptor ("blobs/sha256/<hex>"), checked to exist
   and, with verify, to have that digest.  Each blob is hashed at most once
   per archive.  */
static char *
oci_blob (struct reader *r, json_t *desc, bool verify, husk_error_t *err)
{
  const char *d = json_string_value (json_object_get (desc, "digest"));
  cleanup_free char *member = NULL, *path = NULL, *actual = NULL;

  if (d == NULL || !husk_digest_valid (d))
    {
      husk_error_makex (err, EINVAL, "invalid descriptor digest '%s'", d ? d : "");
      return NULL;
    }
  member = husk_asprintf ("blobs/sha256/%s", d + 7);
  if (check_member_file (r->dirfd, member, err) < 0)
    {
      husk_error_release (err);
      husk_error_makex (err, ENOENT, "blob %s named by the manifest is missing", d);
      return NULL;
    }
  if (verify && json_object_get (r->verified, d) == NULL)
    {
      path = husk_asprintf ("%s/%s", r->ar->dir, member);
      actual = husk_digest_file (path, err);
      if (actual == NULL)
        return NULL;
      if (strcmp (actual, d) != 0)
        {
          husk_error_makex (err, EINVAL, "blob %s has digest %s", d, actual);
          return NULL;
        }
      json_object_set_new (r->verified, d, json_true ());
    }
  return steal_ptr (&member);
}

/* The name an OCI descriptor's annotations give its image, if any.  */
static int
add_oci_name (struct husk_archive_image *im, json_t *desc, husk_error_t *err)
{
  json_t *ann = json_object_get (desc, "annotations");
  const char *refname = json_string_value (json_object_get (ann, "org.opencontainers.image.ref.name"));
  cleanup_free char *name = NULL;

  if (refname == NULL)
    refname = json_string_value (json_object_get (ann, "io.containerd.image.name"));
  if (refname == NULL || *refname == '\0')
    return 0;
  name = oci_ref_name (refname);
  if (add_name (im, name, err) < 0)
    return husk_error_wrap (err, "org.opencontainers.image.ref.name \"%s\"", refname);
  return 0;
}

static int
read_oci_manifest (struct reader *r, json_t *desc, const char *member, husk_error_t *err)
{
  struct husk_archive *ar = r->ar;
  const char *digest = json_string_value (json_object_get (desc, "digest"));
  json_t *seen = json_object_get (r->manifests, digest);
  cleanup_free char *text = NULL, *cmember = NULL;
  cleanup_strv char **paths = NULL;
  cleanup_json json_t *m = NULL;
  size_t len = 0, i;
  struct husk_archive_image *im;
  json_t *cdesc, *layers, *l;

  if (seen) /* the same image again, maybe under another name */
    return add_oci_name (&ar->images[json_integer_value (seen)], desc, err);
  m = load_json_member (r->dirfd, member, &text, &len, err);
  if (m == NULL)
    return -1;
  cdesc = json_object_get (m, "config");
  cmember = oci_blob (r, cdesc, false, err);
  if (cmember == NULL)
    return husk_error_wrap (err, "image config");
  layers = json_object_get (m, "layers");
  if (count_layers (r, json_array_size (layers), err) < 0)
    return husk_error_wrap (err, "manifest %s", digest);
  json_array_foreach (layers, i, l)
    {
      cleanup_free char *p = oci_blob (r, l, true, err);
      if (p == NULL)
        return husk_error_wrap (err, "layer %zu", i + 1);
      husk_strv_take (&paths, husk_asprintf ("%s/%s", ar->dir, p));
    }
  im = image_of_config (r, cmember);
  if (im == NULL)
    {
      if (ar->n_images >= MAX_IMAGES)
        return husk_error_makex (err, EINVAL, "too many images in the archive");
      ar->images = husk_xrealloc (ar->images, (ar->n_images + 1) * sizeof (*ar->images));
      im = &ar->images[ar->n_images++];
      memset (im, 0, sizeof (*im));
      im->manifest = steal_ptr (&text);
      im->manifest_digest = husk_xstrdup (digest);
      if (read_config (r, cmember, json_string_value (json_object_get (cdesc, "digest")),
                       im, err) < 0)
        return -1;
    }
  if (set_layers (im, &paths, err) < 0)
    return -1;
  json_object_set_new (r->manifests, digest, json_integer ((json_int_t) (im - ar->images)));
  return add_oci_name (im, desc, err);
}

static int read_oci_index (struct reader *r, const char *member, int depth,
                           husk_error_t *err);

static int
read_oci_descriptor (struct reader *r, json_t *desc, int depth, husk_error_t *err)
{
  const char *mt = json_string_value (json_object_get (desc, "mediaType"));
  cleanup_free char *member = NULL;
  json_t *platform = json_object_get (desc, "platform");

  if (++r->descriptors > MAX_DESCRIPTORS)
    return husk_error_makex (err, EINVAL, "image index lists more than %d descriptors",
                             MAX_DESCRIPTORS);
  if (depth > MAX_DEPTH)
    return husk_error_makex (err, EINVAL, "image index nested too deep");
  if (platform)
    {
      const char *arch = json_string_value (json_object_get (platform, "architecture"));
      if (arch && strcmp (arch, "amd64") != 0)
        return 0;
    }
  member = oci_blob (r, desc, true, err);
  if (member == NULL)
    return -1;
  if (mt && (strstr (mt, "image.index") || strstr (mt, "manifest.list")))
    {
      const char *digest = json_string_value (json_object_get (desc, "digest"));
      if (json_object_get (r->expanded, digest))
        return 0; /* followed already: it adds nothing new */
      json_object_set_new (r->expanded, digest, json_true ());
      return read_oci_index (r, member, depth + 1, err);
    }
  return read_oci_manifest (r, desc, member, err);
}

/* Follow every descriptor of the index at member (index.json at depth 0). */
static int
read_oci_index (struct reader *r, const char *member, int depth, husk_error_t *err)
{
  cleanup_json json_t *idx = load_json_member (r->dirfd, member, NULL, NULL, err);
  size_t i;
  json_t *d;

  if (idx == NULL)
    return -1;
  json_array_foreach (json_object_get (idx, "manifests"), i, d)
    if (read_oci_descriptor (r, d, depth, err) < 0)
      return -1;
  return 0;
}

static int
read_oci (struct reader *r, husk_error_t *err)
{
  if (read_oci_index (r, "index.json", 0, err) < 0)
    return -1;
  if (r->ar->n_images == 0)
    return husk_error_makex (err, EINVAL, "index.json lists no image for linux/amd64");
  return 0;
}

/* recognise()'s result for a tree with neither manifest.json nor
   index.json.  */
#define NOT_IMAGE (-3)

/* Podman's message for input in no format it knows, with what each format
   found wrong ("payload does not match any of the supported image
   formats:" and one " * FORMAT: reason" line per format tried).  */
static int
unknown_format (const char *path, bool dir, int why, husk_error_t *err)
{
  cleanup_free char *tar = NULL;

  if (why == NOT_TAR)
    tar = husk_asprintf ("not a tar archive: %s", (*err)->msg);
  husk_error_release (err);
  if (dir)
    return husk_error_makex (err, EINVAL, "payload does not match any of the supported image "
                             "formats:\n * oci: no index.json in directory '%s'\n"
                             " * docker-archive: '%s' is a directory", path, path);
  return husk_error_makex (err, EINVAL, "payload does not match any of the supported image "
                           "formats:\n * oci: '%s' is not a directory\n * oci-archive: %s\n"
                           " * docker-archive: %s", path,
                           tar ? tar : "no index.json in the archive",
                           tar ? tar : "no manifest.json in the archive");
}

static int
recognise (struct husk_archive *ar, int dirfd, struct unpack *u, husk_error_t *err)
{
  struct reader r = { .ar = ar, .dirfd = dirfd, .u = u };
  int ret;

  r.verified = json_object ();
  r.expanded = json_object ();
  r.manifests = json_object ();
  r.configs = json_object ();
  if (faccessat (dirfd, "manifest.json", F_OK, AT_SYMLINK_NOFOLLOW) == 0)
    ret = read_docker (&r, err);
  else if (faccessat (dirfd, "index.json", F_OK, AT_SYMLINK_NOFOLLOW) == 0)
    ret = read_oci (&r, err);
  else
    ret = NOT_IMAGE;
  reader_release (&r);
  return ret;
}

/* A work directory that is locked before it gets its visible name: it is
   made as ".archive-*" (which cleaners skip), locked, then renamed, so a
   concurrent clean_tmp (ops/image.c) never sees it unlocked.  */
static char *
make_work_dir (const char *parent, int *lock_fd, husk_error_t *err)
{
  cleanup_free char *hidden = husk_mkdtemp_in (parent, ".archive-", err);
  char *visible;

  if (hidden == NULL)
    return NULL;
  *lock_fd = open (hidden, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (*lock_fd < 0 || flock (*lock_fd, LOCK_EX) < 0)
    {
      husk_error_make (err, errno, "lock '%s'", hidden);
      rmdir (hidden);
      return NULL;
    }
  visible = husk_asprintf ("%s/%s", parent, strrchr (hidden, '/') + 2);
  if (rename (hidden, visible) < 0)
    {
      husk_error_make (err, errno, "rename '%s'", hidden);
      rmdir (hidden);
      free (visible);
      return NULL;
    }
  return visible;
}

int
husk_archive_open (const char *path, const char *tmp_parent,
                   struct husk_archive **out, husk_error_t *err)
{
  struct husk_archive *ar = husk_xzalloc (sizeof *ar);
  struct unpack u = { 0 };

  ar->lock_fd = -1;
  cleanup_close int dirfd = -1;
  struct stat st;
  int r;

  if (strcmp (path, "-") != 0 && stat (path, &st) < 0)
    {
      free (ar);
      return husk_error_make (err, errno, "'%s'", path);
    }
  if (strcmp (path, "-") != 0 && S_ISDIR (st.st_mode))
    ar->dir = realpath (path, NULL);
  else
    {
      ar->dir = make_work_dir (tmp_parent, &ar->lock_fd, err);
      ar->owns_dir = true;
    }
  if (ar->dir == NULL)
    {
      free (ar);
      return -1;
    }
  dirfd = open (ar->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dirfd < 0)
    r = husk_error_make (err, errno, "open '%s'", ar->dir);
  else if (ar->owns_dir && (r = unpack_tar (path, dirfd, &u, err)) < 0)
    ;
  else
    r = recognise (ar, dirfd, &u, err);
  if (r == NOT_TAR || r == NOT_IMAGE)
    r = unknown_format (path, !ar->owns_dir, r, err);
  unpack_release (&u);
  if (r < 0)
    {
      husk_archive_free (ar);
      return -1;
    }
  *out = ar;
  return 0;
}

int
husk_archive_format_parse (const char *s)
{
  if (strcmp (s, "docker-archive") == 0)
    return HUSK_ARCHIVE_DOCKER;
  if (strcmp (s, "oci-archive") == 0)
    return HUSK_ARCHIVE_OCI;
  if (strcmp (s, "oci-dir") == 0)
    return HUSK_ARCHIVE_OCI_DIR;
  return -1;
}
