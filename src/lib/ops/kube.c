/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * kube play / down / generate (ops/kube.h).
 *
 * Theory of operation (play): the text becomes a plan with no side
 * effect (kube/kube.h), so a bad file leaves nothing.  Then, in order:
 * --replace removes the pods of the same names; the host paths are
 * checked (and made for *OrCreate); the claims' volumes are made (an
 * existing one is used as it is); each pod is made through
 * husk_op_pod_create() and each container through the same create path
 * as `create --pod` (husk_op_container_create_with()); the pods start.
 * Everything made is recorded in struct made as it is made, and on any
 * failure it is undone in reverse: the pods with their containers and
 * those containers' anonymous volumes (emptyDir), the volumes, and the
 * host directories and files made (only when still empty).
 */
#include "ops/kube.h"
#include "husk-config.h"
#include "kube/kube.h"
#include "ops/container.h"
#include "ops/container_run.h"
#include "ops/image.h"
#include "ops/pod.h"
#include "ops/volume.h"
#include "util/cleanup.h"
#include "util/fileutil.h"
#include "util/log.h"
#include "util/strutil.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct made
{
  json_t *pods;    /* IDs */
  json_t *volumes; /* names */
  json_t *dirs;    /* host directories made */
  json_t *files;   /* host files made */
};

/* Remove a pod: its members first with their anonymous volumes, then the
   pod and its infra.  */
static int
remove_pod (struct husk_engine *e, const char *id, int timeout, husk_error_t *err)
{
  cleanup_strv char **ids = NULL, **names = NULL;

  if (husk_op_pod_containers (e, id, &ids, &names, err) < 0)
    return -1;
  for (size_t i = 1; ids && ids[0] && ids[i]; i++)
    {
      husk_error_t e2 = NULL;

      if (husk_op_container_remove (e, ids[i], true, true, timeout, &e2) < 0)
        {
          husk_log_warn ("kube: remove container %s: %s", ids[i], e2->msg);
          husk_error_release (&e2);
        }
    }
  return husk_op_pod_remove (e, id, true, timeout, err);
}

static void
rollback (struct husk_engine *e, struct made *m)
{
  size_t i;
  json_t *v;

  for (i = json_array_size (m->pods); i-- > 0;)
    {
      husk_error_t e2 = NULL;
      const char *id = json_string_value (json_array_get (m->pods, i));

      if (remove_pod (e, id, 0, &e2) < 0)
        {
          husk_log_warn ("kube: roll back pod %s: %s", id, e2->msg);
          husk_error_release (&e2);
        }
    }
  json_array_foreach (m->volumes, i, v)
    {
      husk_error_t e2 = NULL;

      if (husk_op_volume_remove (e, json_string_value (v), true, 0, NULL, &e2) < 0)
        {
          husk_log_warn ("kube: roll back volume %s: %s", json_string_value (v), e2->msg);
          husk_error_release (&e2);
        }
    }
  json_array_foreach (m->files, i, v)
    {
      struct stat st;
      if (stat (json_string_value (v), &st) == 0 && S_ISREG (st.st_mode) && st.st_size == 0)
        unlink (json_string_value (v));
    }
  for (i = json_array_size (m->dirs); i-- > 0;)
    rmdir (json_string_value (json_array_get (m->dirs, i))); /* only when empty */
}

/* mkdir -p, recording each directory made.  */
static int
make_dirs (const char *path, struct made *m, husk_error_t *err)
{
  cleanup_free char *p = husk_xstrdup (path);

  for (char *s = p + 1;; s++)
    {
      bool end = *s == '\0';

      if (*s != '/' && !end)
        continue;
      *s = '\0';
      if (mkdir (p, 0755) == 0)
        json_array_append_new (m->dirs, json_string (p));
      else if (errno != EEXIST)
        return husk_error_make (err, errno, "hostPath: create directory '%s'", p);
      if (end)
        return 0;
      *s = '/';
    }
}

static int
check_hostpath (json_t *hp, struct made *m, husk_error_t *err)
{
  const char *path = json_string_value (json_object_get (hp, "path"));
  const char *type = json_string_value (json_object_get (hp, "type"));
  struct stat st;
  bool exists = stat (path, &st) == 0;

  if (strcmp (type, "DirectoryOrCreate") == 0 && !exists)
    return make_dirs (path, m, err);
  if (strcmp (type, "FileOrCreate") == 0 && !exists)
    {
      cleanup_free char *dir = husk_xstrdup (path);
      int fd;

      *strrchr (dir, '/') = '\0';
      if (*dir && make_dirs (dir, m, err) < 0)
        return -1;
      fd = open (path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0644);
      if (fd < 0)
        return husk_error_make (err, errno, "hostPath: create file '%s'", path);
      close (fd);
      json_array_append_new (m->files, json_string (path));
      return 0;
    }
  if (*type == '\0' || strstr (type, "OrCreate"))
    return 0;
  if (!exists)
    return husk_error_make (err, errno, "hostPath '%s' (type %s)", path, type);
  if ((strcmp (type, "Directory") == 0 && !S_ISDIR (st.st_mode))
      || (strcmp (type, "File") == 0 && !S_ISREG (st.st_mode))
      || (strcmp (type, "Socket") == 0 && !S_ISSOCK (st.st_mode)))
    return husk_error_makex (err, EINVAL, "hostPath '%s' is not of type %s", path, type);
  return 0;
}

static int
make_volume (struct husk_engine *e, const char *name, struct made *m, json_t *report,
             husk_error_t *err)
{
  cleanup_free char *found = NULL;
  husk_error_t e2 = NULL;

  if (husk_op_volume_resolve (e, name, &found, &e2) == 0 && strcmp (found, name) == 0)
    return 0; /* an existing claim's volume is used as it is */
  husk_error_release (&e2);
  if (husk_op_volume_create (e, &(struct husk_volume_create_opts){ .name = name }, NULL, err)
      < 0)
    return husk_error_wrap (err, "PersistentVolumeClaim \"%s\"", name);
  json_array_append_new (m->volumes, json_string (name));
  json_array_append_new (report, json_string (name));
  return 0;
}

/* A configMap volume: the volume of the ConfigMap's name (made unless it
   exists), with one file per key written into it.  The names were checked
   to be single safe components (kube/plan.c); each file is opened beneath
   the volume's directory without following a symlink, so nothing a
   container left in the volume leads the write elsewhere.  */
static int
fill_configmap (struct husk_engine *e, json_t *cm, struct made *m, json_t *report,
                husk_error_t *err)
{
  const char *vol = json_string_value (json_object_get (cm, "volume"));
  mode_t mode = (mode_t) json_integer_value (json_object_get (cm, "mode"));
  cleanup_json json_t *info = NULL;
  cleanup_close int dfd = -1;
  const char *key, *dir;
  json_t *v;

  if (make_volume (e, vol, m, report, err) < 0
      || (info = husk_op_volume_inspect (e, vol, err)) == NULL)
    return -1;
  dir = json_string_value (json_object_get (info, "Mountpoint"));
  if (dir == NULL)
    return husk_error_makex (err, EINVAL, "volume \"%s\" has no directory", vol);
  dfd = open (dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (dfd < 0)
    return husk_error_make (err, errno, "configMap volume \"%s\": open '%s'", vol, dir);
  json_object_foreach (json_object_get (cm, "files"), key, v)
    {
      const char *data = json_string_value (v);
      cleanup_close int fd = openat (dfd, key, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW
                                     | O_CLOEXEC, mode);

      if (fd < 0 || fchmod (fd, mode) < 0 || husk_write_all (fd, data, strlen (data)) < 0)
        return husk_error_make (err, errno, "configMap volume \"%s\": write '%s'", vol, key);
    }
  return 0;
}

static int
make_pod (struct husk_engine *e, json_t *pod, struct made *m, json_t *report, husk_error_t *err)
{
  cleanup_free char *pod_id = NULL;
  json_t *ctrs = json_array (), *c;
  size_t i;

  json_array_append_new (report, json_pack ("{s:o}", "containers", ctrs));
  if (husk_op_pod_create (e, json_object_get (pod, "req"), &(struct husk_pod_create_opts){ 0 },
                          &pod_id, err) < 0)
    return husk_error_wrap (err, "pod \"%s\"",
                            json_string_value (json_object_get (pod, "name")));
  json_array_append_new (m->pods, json_string (pod_id));
  json_object_set_new (json_array_get (report, json_array_size (report) - 1), "id",
                       json_string (pod_id));
  json_array_foreach (json_object_get (pod, "containers"), i, c)
    {
      cleanup_free char *id = NULL;
      json_t *req = json_object_get (c, "req");

      json_object_set_new (req, "pod", json_string (pod_id));
      if (husk_op_container_create_with (e, json_string_value (json_object_get (c, "image")),
                                         req, &(struct husk_create_opts){ 0 }, &id, err) < 0)
        return husk_error_wrap (err, "container \"%s\"",
                                json_string_value (json_object_get (c, "name")));
      json_array_append_new (ctrs, json_string (id));
    }
  return 0;
}

/* Stop and remove the plan's pods that exist (kube down, --replace);
   their IDs go to report's "stopped" and "removed" (report may be NULL). */
static int
down_pods (struct husk_engine *e, json_t *plan, json_t *report, husk_error_t *err)
{
  size_t i;
  json_t *p;

  json_array_foreach (json_object_get (plan, "pods"), i, p)
    {
      cleanup_free char *id = NULL;
      husk_error_t e2 = NULL;

      if (husk_op_pod_resolve (e, json_string_value (json_object_get (p, "name")), &id, &e2) < 0)
        {
          husk_error_release (&e2);
          continue;
        }
      if (husk_op_pod_stop (e, id, -1, err) < 0)
        return -1;
      if (report)
        json_array_append_new (json_object_get (report, "stopped"), json_string (id));
      if (remove_pod (e, id, -1, err) < 0)
        return -1;
      if (report)
        json_array_append_new (json_object_get (report, "removed"), json_string (id));
    }
  return 0;
}

static json_t *
plan_text (const char *text, size_t len, const struct husk_kube_plan_opts *po,
           husk_error_t *err)
{
  cleanup_json json_t *docs = husk_kube_yaml_load (text, len, err);

  if (docs == NULL)
    return NULL;
  return husk_kube_plan (docs, po, err);
}

static int
play (struct husk_engine *e, json_t *plan, const struct husk_kube_play_opts *o,
      struct made *m, json_t *report, husk_error_t *err)
{
  size_t i, k;
  json_t *p, *hp;

  if (o->replace && down_pods (e, plan, NULL, err) < 0)
    return -1;
  json_array_foreach (json_object_get (plan, "pods"), i, p)
    json_array_foreach (json_object_get (p, "hostpaths"), k, hp)
      if (check_hostpath (hp, m, err) < 0)
        return -1;
  json_array_foreach (json_object_get (plan, "volumes"), i, p)
    if (make_volume (e, json_string_value (p), m, json_object_get (report, "volumes"), err) < 0)
      return -1;
  json_array_foreach (json_object_get (plan, "pods"), i, p)
    json_array_foreach (json_object_get (p, "configmaps"), k, hp)
      if (fill_configmap (e, hp, m, json_object_get (report, "volumes"), err) < 0)
        return -1;
  json_array_foreach (json_object_get (plan, "pods"), i, p)
    if (make_pod (e, p, m, json_object_get (report, "pods"), err) < 0)
      return -1;
  if (!o->start)
    return 0;
  json_array_foreach (m->pods, i, p)
    if (husk_op_pod_start (e, json_string_value (p), err) < 0)
      return husk_error_wrap (err, "start pod \"%s\"", json_string_value (
                                json_object_get (json_array_get (json_object_get (plan, "pods"),
                                                                 i), "name")));
  return 0;
}

json_t *
husk_op_kube_play (struct husk_engine *e, const char *text, size_t len,
                   const struct husk_kube_play_opts *o, husk_error_t *err)
{
  cleanup_json json_t *plan = plan_text (text, len, &(struct husk_kube_plan_opts){
                                           .networks = o->networks, .publish = o->publish,
                                           .annotations = o->annotations,
                                           .userns = o->userns, .no_hosts = o->no_hosts,
                                           .quiet = o->quiet,
                                           .log_driver = o->log_driver,
                                           .log_opts = o->log_opts }, err);
  cleanup_json json_t *report = NULL;
  struct made m = { json_array (), json_array (), json_array (), json_array () };
  int r;

  if (plan == NULL)
    return NULL;
  report = json_pack ("{s:[], s:[], s:O}", "pods", "volumes", "warnings",
                      json_object_get (plan, "warnings"));
  r = play (e, plan, o, &m, report, err);
  if (r < 0)
    rollback (e, &m);
  json_decref (m.pods);
  json_decref (m.volumes);
  json_decref (m.dirs);
  json_decref (m.files);
  return r < 0 ? NULL : steal_ptr (&report);
}

json_t *
husk_op_kube_down (struct husk_engine *e, const char *text, size_t len, bool force,
                   husk_error_t *err)
{
  /* Only the names: a file whose ConfigMap changed still comes down.  */
  cleanup_json json_t *plan = plan_text (text, len, &(struct husk_kube_plan_opts){
                                           .names_only = true }, err);
  cleanup_json json_t *report = json_pack ("{s:[], s:[], s:[]}", "stopped", "removed",
                                           "volumes");
  size_t i;
  json_t *p;

  if (plan == NULL)
    return NULL;
  if (down_pods (e, plan, report, err) < 0)
    return NULL;
  if (!force)
    return steal_ptr (&report);
  json_array_foreach (json_object_get (plan, "volumes"), i, p)
    {
      husk_error_t e2 = NULL;

      if (husk_op_volume_remove (e, json_string_value (p), false, -1, NULL, &e2) < 0)
        {
          if (e2->code != ENOENT)
            {
              *err = e2;
              return NULL;
            }
          husk_error_release (&e2);
          continue;
        }
      json_array_append (json_object_get (report, "volumes"), p);
    }
  return steal_ptr (&report);
}

/* The container's inspect object with what generate needs besides:
   "ImageEnv" (the image's environment) and "Anonymous" on mounts.  */
static json_t *
ctr_for_generate (struct husk_engine *e, const char *ref, husk_error_t *err)
{
  cleanup_json json_t *c = husk_op_container_inspect (e, ref, err);
  cleanup_json json_t *img = NULL;
  husk_error_t e2 = NULL;
  json_t *m;
  size_t i;

  if (c == NULL)
    return NULL;
  if (json_is_true (json_object_get (c, "IsInfra")))
    return husk_error_makex (err, EINVAL, "\"%s\" is an infra container: name its pod",
                             ref), NULL;
  img = husk_op_image_inspect (e, json_string_value (json_object_get (c, "Image")), &e2);
  husk_error_release (&e2);
  json_object_set (c, "ImageEnv", img ? json_object_get (json_object_get (img, "Config"),
                                                         "Env") : json_null ());
  json_array_foreach (json_object_get (c, "Mounts"), i, m)
    {
      const char *name = json_string_value (json_object_get (m, "Name"));
      const char *src = json_string_value (json_object_get (m, "Source"));
      cleanup_json json_t *v = NULL;
      struct stat st;

      /* A bind mount's hostPath type, as Podman writes it: what the host
         path is now.  */
      if (src && strcmp (json_string_value (json_object_get (m, "Type")) ?: "", "bind") == 0)
        json_object_set_new (m, "HostPathType",
                             json_string (stat (src, &st) < 0 ? "DirectoryOrCreate"
                                          : S_ISDIR (st.st_mode) ? "Directory" : "File"));

      if (name == NULL || (v = husk_op_volume_inspect (e, name, &e2)) == NULL)
        {
          husk_error_release (&e2);
          continue;
        }
      json_object_set (m, "Anonymous", json_is_true (json_object_get (v, "Anonymous"))
                                         ? json_true () : json_false ());
    }
  return steal_ptr (&c);
}

char *
husk_op_kube_generate (struct husk_engine *e, char *const *refs, const char *type,
                       bool service, husk_error_t *err)
{
  cleanup_json json_t *pod = NULL, *ctrs = json_array (), *docs = NULL, *vols = json_array ();
  cleanup_free char *pod_id = NULL, *yaml = NULL;
  husk_error_t e2 = NULL;

  if (refs[0] && refs[1] == NULL && husk_op_pod_resolve (e, refs[0], &pod_id, &e2) == 0)
    {
      cleanup_strv char **ids = NULL, **names = NULL;

      if ((pod = husk_op_pod_inspect (e, pod_id, err)) == NULL
          || husk_op_pod_containers (e, pod_id, &ids, &names, err) < 0)
        return NULL;
      if (json_is_array (pod))
        {
          json_t *p = json_incref (json_array_get (pod, 0));
          json_decref (pod);
          pod = p;
        }
      for (size_t i = 0; ids && ids[i]; i++)
        {
          json_t *c;

          if (strcmp (ids[i], json_string_value (json_object_get (pod, "InfraContainerID")) ?: "")
              == 0)
            continue;
          if ((c = ctr_for_generate (e, ids[i], err)) == NULL)
            return NULL;
          json_array_append_new (ctrs, c);
        }
      if (json_array_size (ctrs) == 0)
        return husk_error_makex (err, EINVAL, "pod \"%s\" has no containers besides its "
                                 "infra container", refs[0]), NULL;
    }
  else
    {
      husk_error_release (&e2);
      for (size_t i = 0; refs[i]; i++)
        {
          json_t *c = ctr_for_generate (e, refs[i], err), *v;

          if (c != NULL)
            {
              json_array_append_new (ctrs, c);
              continue;
            }
          if ((*err)->code != ENOENT)
            return NULL;
          husk_error_release (err);
          /* A volume: a PersistentVolumeClaim (Podman).  */
          if ((v = husk_op_volume_inspect (e, refs[i], &e2)) == NULL)
            {
              husk_error_release (&e2);
              return husk_error_makex (err, ENOENT, "name or ID \"%s\" not found", refs[i]),
                     NULL;
            }
          json_array_append_new (vols, v);
        }
    }
  docs = json_array ();
  for (size_t i = 0; i < json_array_size (vols); i++)
    json_array_append_new (docs, husk_kube_generate_pvc (json_array_get (vols, i)));
  if (json_array_size (ctrs) > 0)
    {
      cleanup_json json_t *more = husk_kube_generate (pod, ctrs, type, service, err);

      if (more == NULL)
        return NULL;
      json_array_extend (docs, more);
    }
  if ((yaml = husk_kube_yaml_dump (docs, err)) == NULL)
    return NULL;
  return husk_asprintf ("# Save the output of this file and use kubectl create -f to import\n"
                        "# it into Kubernetes.\n#\n# Created with husk-%s\n%s",
                        HUSK_VERSION, yaml);
}
