/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * create with --cidfile and --replace, planned before anything changes:
 * the cidfile is made first (O_EXCL), so an existing one stops the command
 * while the old container (--replace) and the store are untouched, and a
 * second command given the same path loses the race cleanly.
 */
#include "ops/container_run.h"
#include "ops/container.h"
#include "ops/image.h"
#include "util/cleanup.h"
#include "util/strutil.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

/* path, absolute: relative to the working directory.  */
static char *
absolute (const char *path)
{
  cleanup_free char *cwd = path[0] == '/' ? NULL : getcwd (NULL, 0);

  if (cwd == NULL)
    return husk_xstrdup (path);
  return husk_asprintf ("%s%s%s", cwd, strcmp (cwd, "/") ? "/" : "", path);
}

int
husk_op_cidfile_reserve (const char *path, struct husk_cidfile *c, husk_error_t *err)
{
  c->fd = open (path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
  c->path = NULL;
  if (c->fd < 0 && errno == EEXIST)
    return husk_error_makex (err, EEXIST, "container id file exists. Ensure another "
                             "container is not using it or delete %s", path);
  if (c->fd < 0)
    return husk_error_make (err, errno, "opening cidfile %s", path);
  c->path = husk_xstrdup (path);
  return 0;
}

int
husk_op_cidfile_commit (struct husk_cidfile *c, const char *id, husk_error_t *err)
{
  size_t len = strlen (id);

  errno = 0;
  if (write (c->fd, id, len) != (ssize_t) len || fsync (c->fd) < 0)
    {
      husk_error_make (err, errno ? errno : EIO, "write cidfile %s", c->path);
      husk_op_cidfile_abandon (c); /* no half-written file left behind */
      return -1;
    }
  close (c->fd);
  c->fd = -1;
  free (c->path);
  c->path = NULL;
  return 0;
}

void
husk_op_cidfile_abandon (struct husk_cidfile *c)
{
  struct stat ours, now;

  /* Only the file we made: someone may have replaced it meanwhile.  */
  if (c->fd >= 0 && c->path && fstat (c->fd, &ours) == 0 && lstat (c->path, &now) == 0
      && ours.st_dev == now.st_dev && ours.st_ino == now.st_ino)
    unlink (c->path);
  if (c->fd >= 0)
    close (c->fd);
  c->fd = -1;
  free (c->path);
  c->path = NULL;
}

/* An image reference with a transport that names a local file
   ("docker-archive:x.tar", "oci:dir"): nothing to pull.  */
static bool
local_transport (const char *image)
{
  static const char *const local[] = { "docker-archive:", "oci-archive:", "oci:", "dir:", NULL };

  for (size_t i = 0; local[i]; i++)
    if (strncmp (image, local[i], strlen (local[i])) == 0)
      return true;
  return false;
}

/* --pull: never and missing use the local store (pulling is not there
   yet: a missing image fails as not known); always, and newer for an
   image not in the store, would need a registry.  */
static int
check_pull (struct husk_engine *e, const char *image, json_t *req, husk_error_t *err)
{
  const char *policy = json_string_value (json_object_get (req, "pull"));
  cleanup_free char *id = NULL;

  if (policy == NULL || *policy == '\0')
    return 0;
  if (strcasecmp (policy, "never") && strcasecmp (policy, "missing")
      && strcasecmp (policy, "always") && strcasecmp (policy, "newer"))
    return husk_error_makex (err, EINVAL, "unsupported pull policy \"%s\"", policy);
  if (local_transport (image) || strcasecmp (policy, "never") == 0
      || strcasecmp (policy, "missing") == 0)
    return 0;
  if (strcasecmp (policy, "newer") == 0)
    {
      husk_error_t lerr = NULL;
      if (husk_op_image_resolve (e, image, &id, &lerr) == 0)
        return 0; /* no registry to compare with: the local image is the newest known */
      husk_error_release (&lerr);
    }
  return husk_error_makex (err, ENOTSUP, "--pull %s: pulling \"%s\" from a registry is not "
                           "supported by husk yet (use --pull missing with a loaded image)",
                           policy, image);
}

static int
replace_old (struct husk_engine *e, json_t *req, husk_error_t *err)
{
  const char *name = json_string_value (json_object_get (req, "name"));
  cleanup_free char *old = NULL;

  if (name == NULL || husk_op_container_resolve (e, name, &old, NULL) < 0)
    return 0;
  return husk_op_container_remove (e, old, true, false, 0, err);
}

int
husk_op_container_create_with (struct husk_engine *e, const char *image, json_t *req,
                               const struct husk_create_opts *o, char **id_out,
                               husk_error_t *err)
{
  struct husk_cidfile cid = { .fd = -1 };

  if (check_pull (e, image, req, err) < 0)
    return -1;
  if (o->cidfile && husk_op_cidfile_reserve (o->cidfile, &cid, err) < 0)
    return -1;
  /* rm removes the file (container/remove.c), from whatever directory it
     runs in: record where it is.  */
  if (o->cidfile)
    {
      cleanup_free char *abs = absolute (o->cidfile);
      json_object_set_new (req, "cidfile_path", json_string (abs));
    }
  /* inspect's ImageName is the image as the user named it.  */
  if (json_object_get (req, "image_name") == NULL)
    json_object_set_new (req, "image_name", json_string (image));
  if ((o->replace && replace_old (e, req, err) < 0)
      || husk_op_container_create (e, image, req, id_out, err) < 0)
    {
      husk_op_cidfile_abandon (&cid);
      return -1;
    }
  if (o->cidfile && husk_op_cidfile_commit (&cid, *id_out, err) < 0)
    {
      husk_error_t rerr = NULL;
      if (husk_op_container_remove (e, *id_out, true, false, 0, &rerr) < 0)
        husk_error_drop_warn (&rerr, "remove container %s again", *id_out);
      free (*id_out);
      *id_out = NULL;
      return -1;
    }
  return 0;
}
