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
#include "ops/pod.h"
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

static int
cidfile_exists (const char *path, husk_error_t *err)
{
  return husk_error_makex (err, EEXIST, "container id file exists. Ensure another "
                           "container is not using it or delete %s", path);
}

int
husk_op_cidfile_reserve (const char *path, struct husk_cidfile *c, husk_error_t *err)
{
  c->fd = open (path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
  c->path = NULL;
  if (c->fd < 0 && errno == EEXIST)
    return cidfile_exists (path, err);
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

/* --pull (default missing): pull what the policy asks for before the
   container is made from the local store, with the request's "pull_opts"
   (cli/container.c: --authfile, --tls-verify, --platform, --retry ...).  */
static int
check_pull (struct husk_engine *e, const char *image, json_t *req, husk_error_t *err)
{
  const char *policy = json_string_value (json_object_get (req, "pull"));
  json_t *p = json_object_get (req, "pull_opts");
  json_t *retry = json_object_get (p, "retry"), *tls = json_object_get (p, "tls_verify");
  cleanup_free char *os = husk_xstrdup (json_string_value (json_object_get (p, "os")));
  cleanup_free char *arch = husk_xstrdup (json_string_value (json_object_get (p, "arch")));
  cleanup_free char *variant = husk_xstrdup (json_string_value (json_object_get (p, "variant")));
  struct husk_pull_opts o = {
    .reg = { .tls_verify = json_is_integer (tls) ? (int) json_integer_value (tls) : -1,
             .authfile = json_string_value (json_object_get (p, "authfile")),
             .retries = json_is_integer (retry) && json_integer_value (retry) >= 0
                          ? (int) json_integer_value (retry) : 3,
             .parallel = 6 },
    .policy = policy && *policy ? policy : "missing",
    .quiet = json_is_true (json_object_get (req, "quiet")),
  };
  cleanup_free char *id = NULL;

  /* Bad pull options fail even when nothing is to be pulled, as Podman's. */
  if (husk_op_platform_split (json_string_value (json_object_get (p, "platform")), os || arch,
                              &os, &arch, &variant, err) < 0
      || husk_op_retry_delay (json_string_value (json_object_get (p, "retry_delay")),
                              &o.reg.retry_delay, err) < 0)
    return -1;
  o.os = os;
  o.arch = arch;
  o.variant = variant;
  if (local_transport (image))
    return 0;
  return husk_op_image_pull (e, image, &o, &id, err);
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

/**
 * load_transport() - Load the image a transport reference names first
 * @image: what the user gave: "docker-archive:PATH[:NAME]",
 *         "oci-archive:PATH[:NAME]", "oci:DIR[:NAME]", or a plain image
 * @out:   set to what to create from (the loaded image's name or ID, or
 *         NAME), or NULL when image names no transport
 *
 * As Podman does, the archive is loaded into the store and the container
 * made from the image loaded (the one NAME names, when given; as in
 * containers-transports(5), PATH ends at its first colon).
 * Return: 0, or -1.
 */
static int
load_transport (struct husk_engine *e, const char *image, char **out, husk_error_t *err)
{
  static const char *const prefixes[] = { "docker-archive:", "oci-archive:", "oci:" };
  cleanup_strv char **loaded = NULL;
  cleanup_free char *path = NULL;
  const char *rest = NULL, *name;

  *out = NULL;
  for (size_t i = 0; i < sizeof prefixes / sizeof prefixes[0] && rest == NULL; i++)
    if (husk_has_prefix (image, prefixes[i]))
      rest = image + strlen (prefixes[i]);
  if (rest == NULL)
    return 0;
  name = strchr (rest, ':');
  path = name ? husk_xstrndup (rest, name - rest) : husk_xstrdup (rest);
  if (*path == '\0')
    return husk_error_makex (err, EINVAL, "invalid image reference \"%s\": no path", image);
  if (husk_op_image_load (e, path, &loaded, err) < 0)
    return -1;
  if (name && name[1])
    *out = husk_xstrdup (name + 1);
  else if (loaded && loaded[0])
    *out = husk_xstrdup (loaded[0]);
  else
    return husk_error_makex (err, ENOENT, "%s: no image in the archive", image);
  return 0;
}

/* run --pod new:NAME made the pod for a container that then failed.  */
static void
drop_new_pod (struct husk_engine *e, json_t *req)
{
  const char *pod = json_string_value (json_object_get (req, "pod"));
  husk_error_t rerr = NULL;

  if (json_is_true (json_object_get (req, "pod_new")) && pod
      && husk_op_pod_remove (e, pod, true, 0, &rerr) < 0)
    husk_error_drop_warn (&rerr, "remove pod %s again", pod);
}

int
husk_op_container_create_with (struct husk_engine *e, const char *image, json_t *req,
                               const struct husk_create_opts *o, char **id_out,
                               husk_error_t *err)
{
  struct husk_cidfile cid = { .fd = -1 };
  cleanup_free char *loaded = NULL;

  if (load_transport (e, image, &loaded, err) < 0)
    return -1;
  if (loaded)
    image = loaded;
  /* A cidfile that exists fails before anything is pulled (Podman); it is
     reserved only after the pull, which the static husk may run again in
     husk-registry (ops/image-pull.h), where a reservation would be found. */
  if (o->cidfile && faccessat (AT_FDCWD, o->cidfile, F_OK, AT_SYMLINK_NOFOLLOW) == 0)
    return cidfile_exists (o->cidfile, err);
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
  if ((o->replace && replace_old (e, req, err) < 0) || husk_op_pod_join (e, req, err) < 0
      || husk_op_container_create (e, image, req, id_out, err) < 0)
    {
      husk_op_cidfile_abandon (&cid);
      drop_new_pod (e, req);
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
