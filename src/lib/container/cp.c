/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Copying between the host and a container's root file system.
 *
 * Theory of operation: a copy is a tar stream from a producer (a thread
 * walking the source through directory fds, container/fstar.c, or
 * re-reading a tar the user gave) to husk_tar_apply(), which writes beneath
 * one directory fd and refuses any entry whose path meets a symlink or
 * climbs out.  The only path resolution that can follow symlinks is the
 * one that finds the endpoints, and on the container side it is
 * openat2(RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS) relative to the root's
 * fd: "/target -> /" there means the container's own root, so a container
 * cannot make a copy write or read a host path.  What the walk meets is
 * archived as it is (a symlink as a symlink), never followed.
 *
 * Names follow `docker cp`: a directory copied onto an existing directory
 * lands inside it under its own name, "dir/." copies the content, a
 * missing destination is created from its parent (which must exist), and
 * replacing a directory by a non-directory or back needs --overwrite.
 * Names beginning with ".wh." are refused, by the check below (with the
 * name as the user gave it) and by the applier itself (HUSK_WHITEOUT_REFUSE,
 * which also sees names such as "x/.wh.y/." only after cleaning them): they
 * would act as layer whiteouts in an image committed from the container.
 */
#include "container/cp.h"
#include "container/fstar.h"
#include "storage/tar.h"
#include "util/cleanup.h"
#include "util/strutil.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <pthread.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

/* Paths.  */

struct cpath
{
  const char *typed; /* as the user gave it, for messages */
  char *full;   /* without trailing slashes; container: relative to the root */
  char *dir;    /* the parent: "." when none */
  char *base;   /* the last component; "" for the root */
  bool slash;   /* ended with "/": must be a directory */
  bool content; /* ended with "/.": a directory's content */
};

static void
cpath_release (struct cpath *p)
{
  free (p->full);
  free (p->dir);
  free (p->base);
}

/* Split what the user typed.  Container paths (in_root) are relative to
   the root, "/etc/x" being "etc/x", except that one without a leading "/"
   is relative to the working directory workdir, as in Podman 5.  */
static void
cpath_parse (const char *raw, bool in_root, const char *workdir, struct cpath *p)
{
  cleanup_free char *s = NULL;
  size_t n;
  char *slash;

  p->typed = raw;
  if (in_root && *raw != '/' && workdir)
    s = husk_asprintf ("%s/%s", workdir, raw);
  else
    s = husk_xstrdup (raw);
  if (in_root)
    {
      size_t lead = strspn (s, "/");
      memmove (s, s + lead, strlen (s + lead) + 1);
    }
  n = strlen (s);
  if (strcmp (s, ".") == 0 || (n >= 2 && strcmp (s + n - 2, "/.") == 0))
    {
      p->content = true;
      s[--n] = '\0';
    }
  p->slash = n > 0 && s[n - 1] == '/';
  while (n > 1 && s[n - 1] == '/')
    s[--n] = '\0';
  if (in_root && n == 1 && s[0] == '/')
    s[--n] = '\0';
  slash = strrchr (s, '/');
  if (slash == NULL)
    {
      p->dir = husk_xstrdup (".");
      p->base = husk_xstrdup (s);
    }
  else
    {
      p->dir = slash == s ? husk_xstrdup ("/") : husk_xstrndup (s, (size_t) (slash - s));
      p->base = husk_xstrdup (slash + 1);
    }
  if (strcmp (p->base, ".") == 0 || strcmp (p->base, "..") == 0)
    {
      free (p->base);
      p->base = husk_xstrdup ("");
    }
  p->full = steal_ptr (&s);
}

/* Open path on one side: inside the root rootfd (symlinks resolved as the
   container sees them, never leaving it), or on the host when rootfd < 0. */
static int
open_side (int rootfd, const char *path, int flags)
{
  struct open_how how = { .flags = (unsigned) (flags | O_CLOEXEC),
                          .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS };
  int fd = -1;

  if (rootfd < 0)
    return open (*path ? path : ".", flags | O_CLOEXEC);
  for (int tries = 0; tries < 32; tries++)
    {
      fd = (int) syscall (SYS_openat2, rootfd, *path ? path : ".", &how, sizeof how);
      if (fd >= 0 || (errno != EAGAIN && errno != EINTR))
        break;
    }
  return fd;
}

static char *
shown (int rootfd, const char *path)
{
  return rootfd < 0 ? husk_xstrdup (path) : husk_asprintf ("/%s", path);
}

/* Podman's message, with the path as the user typed it.  */
static int
not_found (husk_error_t *err, const struct cpath *p, const char *where)
{
  return husk_error_makex (err, ENOENT, "\"%s\" could not be found on %s: no such file "
                           "or directory", p->typed, where);
}

/* Where a copy lands: entries named as (or the content, for "") beneath
   the directory dirfd.  */
struct target
{
  int dirfd;
  const char *as;
  char *shown; /* the directory, for messages */
};

static int
plan_target (int rootfd, const struct cpath *d, bool src_dir, bool src_content,
             const char *src_base, bool overwrite, const char *where, struct target *t,
             husk_error_t *err)
{
  cleanup_close int fd = open_side (rootfd, d->full, O_PATH);
  cleanup_free char *p = shown (rootfd, d->full);
  struct stat st;

  if (fd >= 0 && fstat (fd, &st) == 0 && S_ISDIR (st.st_mode))
    {
      t->dirfd = steal_fd (&fd);
      t->as = src_content ? "" : src_base;
      t->shown = steal_ptr (&p);
      return 0;
    }
  if (fd >= 0)
    {
      if (d->slash || d->content)
        return husk_error_makex (err, ENOTDIR, "\"%s\" on %s is not a directory", p, where);
      if (src_dir && !overwrite)
        return husk_error_makex (err, ENOTDIR, "destination must be a directory when copying "
                                 "a directory");
    }
  else if (errno != ENOENT)
    return husk_error_make (err, errno, "resolve \"%s\" on %s", p, where);
  else if (d->slash || d->content)
    return not_found (err, d, where);
  if (*d->base == '\0')
    return husk_error_makex (err, EINVAL, "invalid destination \"%s\"", p);
  if (fd >= 0)
    close (fd);
  fd = open_side (rootfd, d->dir, O_PATH | O_DIRECTORY);
  if (fd < 0)
    {
      if (errno == ENOENT || errno == ENOTDIR)
        return not_found (err, d, where);
      return husk_error_make (err, errno, "resolve \"%s\" on %s", d->dir, where);
    }
  t->dirfd = steal_fd (&fd);
  t->as = d->base;
  t->shown = shown (rootfd, d->dir);
  return 0;
}

/* Entries.  */

struct check_ctx
{
  int dirfd;
  bool overwrite;
  const char *shown;
};

static int
check_entry (void *data, const char *path, mode_t mode, husk_error_t *err)
{
  struct check_ctx *c = data;
  const char *slash = strrchr (path, '/'), *base = slash ? slash + 1 : path;
  cleanup_free char *dir = slash ? husk_xstrndup (path, (size_t) (slash - path)) : NULL;
  struct open_how how = { .flags = O_PATH | O_DIRECTORY | O_CLOEXEC,
                          .resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS
                                     | RESOLVE_NO_MAGICLINKS };
  cleanup_close int pfd = -1;
  struct stat st;

  if (husk_has_prefix (base, ".wh."))
    return husk_error_makex (err, EINVAL, "cannot copy \"%s\": names beginning with "
                             "\".wh.\" are reserved for layer whiteouts", path);
  if (c->overwrite)
    return 0;
  pfd = (int) syscall (SYS_openat2, c->dirfd, dir ? dir : ".", &how, sizeof how);
  if (pfd < 0 || fstatat (pfd, base, &st, AT_SYMLINK_NOFOLLOW) < 0)
    return 0; /* nothing there to overwrite (or the applier will refuse) */
  if (S_ISDIR (mode) != S_ISDIR (st.st_mode))
    {
      size_t n = strlen (c->shown);
      bool ends = n > 0 && c->shown[n - 1] == '/';
      return husk_error_makex (err, EEXIST, "cannot overwrite %s \"%s%s%s\" with %s (use "
                               "--overwrite)", S_ISDIR (mode) ? "non-directory" : "directory",
                               c->shown, ends ? "" : "/", path,
                               S_ISDIR (mode) ? "a directory" : "a non-directory");
    }
  return 0;
}

/* The pump: a producer thread writes a tar into a socket; this thread
   applies it.  */

struct producer
{
  struct husk_fstar_opts fo;
  int fd;       /* the object to archive, or the tar to re-read */
  const char *as;
  bool retar;   /* fd is a tar stream */
  int sock;
  husk_error_t err;
  int ret;
};

static void *
produce (void *arg)
{
  struct producer *p = arg;
  struct husk_fstar *w = husk_fstar_new (p->sock, &p->fo, &p->err);
  int r = w ? 0 : -1;

  if (r == 0)
    r = p->retar ? husk_fstar_add_archive (w, p->fd, &p->err)
                 : husk_fstar_add (w, p->fd, p->as, &p->err);
  if (r == 0)
    r = husk_fstar_finish (w, &p->err);
  husk_fstar_free (w);
  shutdown (p->sock, SHUT_WR); /* the reader sees the end */
  p->ret = r;
  return NULL;
}

static int
pump (struct producer *p, int dirfd, const struct husk_cp_opts *o, husk_error_t *err)
{
  struct husk_tar_apply_opts ao = { .whiteout = HUSK_WHITEOUT_REFUSE, .rootless = o->rootless,
                                    .uids = o->uids, .gids = o->gids };
  husk_error_t aerr = NULL;
  pthread_t thread;
  int sv[2], r, e;

  if (socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
    return husk_error_make (err, errno, "socketpair");
  p->sock = sv[1];
  if ((e = pthread_create (&thread, NULL, produce, p)) != 0)
    {
      close (sv[0]);
      close (sv[1]);
      return husk_error_make (err, e, "start copy thread");
    }
  r = husk_tar_apply (sv[0], dirfd, &ao, NULL, &aerr);
  close (sv[0]); /* a producer still writing now fails with EPIPE */
  pthread_join (thread, NULL);
  close (sv[1]);
  /* The producer's error is the cause, unless it only saw the reader go. */
  if (p->ret < 0 && !(r < 0 && p->err->code == EPIPE))
    {
      husk_error_release (&aerr);
      return husk_error_move (err, &p->err);
    }
  husk_error_release (&p->err);
  if (r < 0)
    return husk_error_move (err, &aerr);
  return 0;
}

static int
stream (struct producer *p, int out_fd, husk_error_t *err)
{
  struct husk_fstar *w = husk_fstar_new (out_fd, &p->fo, err);
  int r = w ? 0 : -1;

  if (r == 0)
    r = husk_fstar_add (w, p->fd, p->as, err);
  if (r == 0)
    r = husk_fstar_finish (w, err);
  husk_fstar_free (w);
  return r;
}

/* Into the container.  */

/* `cp - CTR:DIR`: the tar goes into a directory that exists, as Podman
   says it (a path ending in "/" that is missing is not found).  */
static int
plan_stdin (int rootfd, const struct cpath *d, const struct husk_cp_opts *o, struct target *t,
            husk_error_t *err)
{
  cleanup_close int fd = open_side (rootfd, d->full, O_PATH);
  struct stat st;

  if (fd < 0 && errno != ENOENT && errno != ENOTDIR)
    return husk_error_make (err, errno, "resolve \"%s\" on %s", d->typed, o->where);
  if (fd < 0 && d->slash)
    return not_found (err, d, o->where);
  if (fd < 0 || fstat (fd, &st) < 0 || !S_ISDIR (st.st_mode))
    return husk_error_makex (err, ENOTDIR, "destination must be a directory when copying "
                             "from stdin");
  t->dirfd = steal_fd (&fd);
  t->as = "";
  t->shown = shown (rootfd, d->full);
  return 0;
}

/* Open the source of a copy in: on the host (srcroot < 0, symlinks
   followed as the user's shell would) or in another container's root. */
static int
open_source (int srcroot, const struct cpath *s, const char *where, struct stat *st,
             husk_error_t *err)
{
  int fd = open_side (srcroot, s->full, O_PATH);

  if (fd < 0 || fstat (fd, st) < 0)
    {
      if (errno == ENOENT || errno == ENOTDIR)
        not_found (err, s, where);
      else
        husk_error_make (err, errno, "open \"%s\"", s->typed);
      if (fd >= 0)
        close (fd);
      return -1;
    }
  if ((s->slash || s->content) && !S_ISDIR (st->st_mode))
    {
      close (fd);
      return husk_error_makex (err, ENOTDIR, "\"%s\" is not a directory", s->typed);
    }
  return fd;
}

/* Copy src (in srcroot, the host when < 0; or the tar on in_fd when src
   is NULL) to dst inside rootfd.  */
static int
copy_to (int rootfd, const char *dst, int srcroot, const char *src, int in_fd,
         const struct husk_cp_opts *o, husk_error_t *err)
{
  struct cpath d = { 0 }, s = { 0 };
  struct target t = { .dirfd = -1 };
  struct producer p = { .fd = -1 };
  struct check_ctx c = { .overwrite = o->overwrite };
  struct stat st;
  int r = -1;

  cpath_parse (dst, true, o->workdir, &d);
  if (src)
    cpath_parse (src, srcroot >= 0, o->src_workdir, &s);
  if (src == NULL)
    {
      if (plan_stdin (rootfd, &d, o, &t, err) < 0)
        goto out;
      p.fd = in_fd;
      p.retar = true;
    }
  else
    {
      p.fd = open_source (srcroot, &s, srcroot >= 0 ? o->src_where : "the host", &st, err);
      if (p.fd < 0)
        goto out;
      if (plan_target (rootfd, &d, S_ISDIR (st.st_mode), s.content || *s.base == '\0',
                       s.base, o->overwrite, o->where, &t, err) < 0)
        goto out;
      p.as = t.as;
    }
  c.dirfd = t.dirfd;
  c.shown = t.shown;
  p.fo = (struct husk_fstar_opts){ .set_owner = o->set_owner, .uid = o->uid, .gid = o->gid,
                                   .uids = o->src_uids, .gids = o->src_gids,
                                   .sparse = true, .check = check_entry, .check_data = &c };
  r = pump (&p, t.dirfd, o, err);
  /* Podman's words for a stream that is no tar at all.  */
  if (r < 0 && src == NULL && (*err)->code == EILSEQ)
    {
      husk_error_release (err);
      r = husk_error_makex (err, EINVAL, "source must be a (compressed) tar archive when "
                            "copying from stdin");
    }
out:
  if (src && p.fd >= 0)
    close (p.fd);
  if (t.dirfd >= 0)
    close (t.dirfd);
  free (t.shown);
  cpath_release (&d);
  cpath_release (&s);
  return r;
}

int
husk_cp_into (int rootfd, const char *dst, const char *src, int in_fd,
              const struct husk_cp_opts *o, husk_error_t *err)
{
  return copy_to (rootfd, dst, -1, src, in_fd, o, err);
}

int
husk_cp_between (int srcroot, const char *src, int dstroot, const char *dst,
                 const struct husk_cp_opts *o, husk_error_t *err)
{
  return copy_to (dstroot, dst, srcroot, src, -1, o, err);
}

/* Out of the container.  */

int
husk_cp_out (int rootfd, const char *src, const char *dst, int out_fd,
             const struct husk_cp_opts *o, husk_error_t *err)
{
  struct cpath s = { 0 }, d = { 0 };
  struct target t = { .dirfd = -1 };
  struct producer p = { .fd = -1 };
  struct check_ctx c = { .overwrite = o->overwrite };
  bool content;
  struct stat st;
  int r = -1;

  cpath_parse (src, true, o->workdir, &s);
  p.fd = open_side (rootfd, s.full, O_PATH);
  if (p.fd < 0 || fstat (p.fd, &st) < 0)
    {
      if (errno == ENOENT || errno == ENOTDIR)
        not_found (err, &s, o->where);
      else
        husk_error_make (err, errno, "resolve \"%s\" on %s", s.typed, o->where);
      goto out;
    }
  if ((s.slash || s.content) && !S_ISDIR (st.st_mode))
    {
      husk_error_makex (err, ENOTDIR, "\"%s\" on %s is not a directory", s.typed, o->where);
      goto out;
    }
  content = S_ISDIR (st.st_mode) && (s.content || *s.base == '\0');
  /* What lands on the host is the caller's, as Podman does it.  */
  p.fo = (struct husk_fstar_opts){ .set_owner = true, .uid = getuid (), .gid = getgid () };
  if (dst == NULL)
    {
      p.as = content ? "" : s.base;
      r = stream (&p, out_fd, err);
      goto out;
    }
  cpath_parse (dst, false, NULL, &d);
  if (plan_target (-1, &d, S_ISDIR (st.st_mode), content, s.base, o->overwrite, "the host",
                   &t, err) < 0)
    goto out;
  c.dirfd = t.dirfd;
  c.shown = t.shown;
  p.as = t.as;
  p.fo.skip_devices = true;
  p.fo.sparse = true; /* our own applier reads it: holes stay holes */
  p.fo.check = check_entry;
  p.fo.check_data = &c;
  {
    /* The host's side has no maps.  */
    struct husk_cp_opts host = { .rootless = o->rootless };
    r = pump (&p, t.dirfd, &host, err);
  }
out:
  if (p.fd >= 0)
    close (p.fd);
  if (t.dirfd >= 0)
    close (t.dirfd);
  free (t.shown);
  cpath_release (&s);
  cpath_release (&d);
  return r;
}
