/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Inspect objects -> Kubernetes documents (kube.h).  The shape follows
 * Podman's `kube generate`: a v1 Pod whose containers carry the image,
 * the entrypoint as command and the command as args, the environment the
 * image does not set, the working directory, the published ports and the
 * volumes; a Deployment wraps the same pod spec; a Service lists the
 * published ports.  Only what husk_kube_plan() reads back is written, so
 * the output plays back to the same containers.
 */
#include "kube/kube.h"
#include "util/cleanup.h"
#include "util/strutil.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static json_t *
path (json_t *j, const char *a, const char *b)
{
  return json_object_get (json_object_get (j, a), b);
}

/* Environment the image does not set (the image's own is in "ImageEnv",
   added by ops/), without husk's defaults.  */
static json_t *
env_of (json_t *ctr)
{
  json_t *out = json_array (), *v, *img = json_object_get (ctr, "ImageEnv"), *w;
  size_t i, k;

  json_array_foreach (path (ctr, "Config", "Env"), i, v)
    {
      const char *s = json_string_value (v), *eq;
      bool skip = strcmp (s, "TERM=xterm") == 0 || husk_has_prefix (s, "container=")
                  || husk_has_prefix (s, "HOSTNAME=");

      json_array_foreach (img, k, w)
        skip = skip || json_equal (v, w);
      if (skip || (eq = strchr (s, '=')) == NULL)
        continue;
      json_array_append_new (out, json_pack ("{s:s%, s:s}", "name", s, (size_t) (eq - s),
                                             "value", eq + 1));
    }
  return out;
}

/* Published ports of bindings ({"8080/tcp": [{"HostIp", "HostPort"}]}). */
static json_t *
ports_of (json_t *bindings)
{
  json_t *out = json_array (), *list, *b;
  const char *key;
  size_t i;

  json_object_foreach (bindings, key, list)
    json_array_foreach (list, i, b)
      {
        const char *hp = json_string_value (json_object_get (b, "HostPort"));
        const char *ip = json_string_value (json_object_get (b, "HostIp"));
        const char *slash = strchr (key, '/');
        cleanup_free char *proto = husk_xstrdup (slash ? slash + 1 : "tcp");
        json_t *p;

        for (char *q = proto; *q; q++)
          *q = (char) (*q & ~0x20);
        p = json_pack ("{s:I, s:I}", "containerPort", (json_int_t) atoi (key), "hostPort",
                       (json_int_t) atoi (hp ? hp : "0"));
        if (ip && *ip && strcmp (ip, "0.0.0.0") != 0)
          json_object_set_new (p, "hostIP", json_string (ip));
        if (strcmp (proto, "TCP") != 0)
          json_object_set_new (p, "protocol", json_string (proto));
        json_array_append_new (out, p);
      }
  return out;
}

/* A volume name for a path: "tmp-data-host-N", as Podman does.  */
static char *
host_volume_name (const char *p, size_t n)
{
  cleanup_free char *s = husk_xstrdup (p[1] ? p + 1 : "root");

  for (char *q = s; *q; q++)
    if (!((*q >= 'a' && *q <= 'z') || (*q >= '0' && *q <= '9')))
      *q = (*q >= 'A' && *q <= 'Z') ? (char) (*q | 0x20) : '-';
  return husk_asprintf ("%s-host-%zu", s, n);
}

/* The pod's volumes (appended once) and the container's mounts.  */
static json_t *
mounts_of (json_t *ctr, json_t *vols)
{
  json_t *out = json_array (), *m;
  size_t i;

  json_array_foreach (json_object_get (ctr, "Mounts"), i, m)
    {
      const char *type = json_string_value (json_object_get (m, "Type"));
      const char *dst = json_string_value (json_object_get (m, "Destination"));
      const char *src = json_string_value (json_object_get (m, "Source"));
      cleanup_free char *name = NULL;
      json_t *vol, *vm;

      if (type == NULL || dst == NULL)
        continue;
      if (strcmp (type, "volume") == 0 && json_is_true (json_object_get (m, "Anonymous")))
        {
          name = husk_asprintf ("%s-empty-%zu",
                                json_string_value (json_object_get (ctr, "ShortName")), i);
          vol = json_pack ("{s:s, s:{}}", "name", name, "emptyDir");
        }
      else if (strcmp (type, "volume") == 0)
        {
          const char *vn = json_string_value (json_object_get (m, "Name"));

          name = husk_asprintf ("%s-pvc", vn ? vn : "");
          vol = json_pack ("{s:s, s:{s:s}}", "name", name, "persistentVolumeClaim", "claimName",
                           vn ? vn : "");
        }
      else if (strcmp (type, "bind") == 0 && src)
        {
          const char *hpt = json_string_value (json_object_get (m, "HostPathType"));

          name = host_volume_name (src, json_array_size (vols));
          vol = json_pack ("{s:{s:s}, s:s}", "hostPath", "path", src, "name", name);
          if (hpt)
            json_object_set_new (json_object_get (vol, "hostPath"), "type", json_string (hpt));
        }
      else if (strcmp (type, "tmpfs") == 0)
        {
          name = husk_asprintf ("%s-tmpfs-%zu",
                                json_string_value (json_object_get (ctr, "ShortName")), i);
          vol = json_pack ("{s:{s:s}, s:s}", "emptyDir", "medium", "Memory", "name", name);
        }
      else
        continue;
      /* One entry per volume (a shared claim or directory is one).  */
      {
        json_t *v;
        size_t k;
        bool found = false;

        json_array_foreach (vols, k, v)
          if (json_equal (json_object_get (v, "persistentVolumeClaim"),
                          json_object_get (vol, "persistentVolumeClaim"))
              && json_object_get (vol, "persistentVolumeClaim"))
            {
              found = true;
              free (name);
              name = husk_xstrdup (json_string_value (json_object_get (v, "name")));
            }
        if (found)
          json_decref (vol);
        else
          json_array_append_new (vols, vol);
      }
      vm = json_pack ("{s:s, s:s}", "mountPath", dst, "name", name);
      if (json_is_false (json_object_get (m, "RW")))
        json_object_set_new (vm, "readOnly", json_true ());
      json_array_append_new (out, vm);
    }
  return out;
}

static void
set_nonempty (json_t *obj, const char *key, json_t *v)
{
  if ((json_is_array (v) && json_array_size (v) == 0)
      || (json_is_object (v) && json_object_size (v) == 0))
    json_decref (v);
  else
    json_object_set_new (obj, key, v);
}

static json_t *
security_of (json_t *ctr)
{
  json_t *sc = json_object ();
  json_t *hc = json_object_get (ctr, "HostConfig");
  json_t *add = json_object_get (hc, "CapAdd");

  if (json_is_true (json_object_get (hc, "Privileged")))
    json_object_set_new (sc, "privileged", json_true ());
  if (json_is_true (json_object_get (hc, "ReadonlyRootfs")))
    json_object_set_new (sc, "readOnlyRootFilesystem", json_true ());
  if (json_array_size (add) > 0)
    json_object_set_new (sc, "capabilities", json_pack ("{s:O}", "add", add));
  return sc;
}

static json_t *
resources_of (json_t *ctr)
{
  json_t *hc = json_object_get (ctr, "HostConfig"), *lim = json_object ();
  json_int_t mem = json_integer_value (json_object_get (hc, "Memory"));
  json_int_t cpu = json_integer_value (json_object_get (hc, "NanoCpus"));

  if (mem > 0)
    json_object_set_new (lim, "memory", json_integer (mem));
  if (cpu > 0)
    json_object_set_new (lim, "cpu", json_sprintf ("%" JSON_INTEGER_FORMAT "m",
                                                   cpu / 1000000));
  if (json_object_size (lim) == 0)
    return lim;
  return json_pack ("{s:o}", "limits", lim);
}

static json_t *
container_of (json_t *ctr, const char *short_name, json_t *bindings, json_t *vols)
{
  json_t *c = json_object ();
  json_t *entry = path (ctr, "Config", "Entrypoint"), *cmd = path (ctr, "Config", "Cmd");
  const char *wd = json_string_value (path (ctr, "Config", "WorkingDir"));
  const char *image = json_string_value (json_object_get (ctr, "ImageName"));

  json_object_set_new (ctr, "ShortName", json_string (short_name));
  if (json_array_size (entry) > 0)
    json_object_set (c, "command", entry);
  if (json_array_size (cmd) > 0)
    json_object_set (c, "args", cmd);
  set_nonempty (c, "env", env_of (ctr));
  json_object_set_new (c, "image", json_string (image ? image
                                                : json_string_value (path (ctr, "Config",
                                                                           "Image"))));
  json_object_set_new (c, "name", json_string (short_name));
  set_nonempty (c, "ports", ports_of (bindings));
  set_nonempty (c, "resources", resources_of (ctr));
  set_nonempty (c, "securityContext", security_of (ctr));
  if (json_is_true (path (ctr, "Config", "OpenStdin")))
    json_object_set_new (c, "stdin", json_true ());
  if (json_is_true (path (ctr, "Config", "Tty")))
    json_object_set_new (c, "tty", json_true ());
  set_nonempty (c, "volumeMounts", mounts_of (ctr, vols));
  if (wd && *wd && strcmp (wd, "/") != 0)
    json_object_set_new (c, "workingDir", json_string (wd));
  return c;
}

static const char *
restart_of (json_t *ctr)
{
  const char *r = json_string_value (path (json_object_get (ctr, "HostConfig"),
                                           "RestartPolicy", "Name"));

  if (r && strcmp (r, "always") == 0)
    return "Always";
  if (r && strcmp (r, "on-failure") == 0)
    return "OnFailure";
  return "Never";
}

static json_t *
service_of (const char *name, json_t *spec)
{
  json_t *ports = json_array (), *c, *p;
  size_t i, k;

  json_array_foreach (json_object_get (spec, "containers"), i, c)
    json_array_foreach (json_object_get (c, "ports"), k, p)
      {
        json_int_t port = json_integer_value (json_object_get (p, "containerPort"));
        json_int_t host = json_integer_value (json_object_get (p, "hostPort"));
        const char *proto = json_string_value (json_object_get (p, "protocol"));
        json_t *sp = json_pack ("{s:o, s:I, s:s, s:I}", "name", json_sprintf ("%" JSON_INTEGER_FORMAT, port),
                                "port", port, "protocol", proto ? proto : "TCP", "targetPort",
                                port);

        if (host >= 30000 && host <= 32767)
          json_object_set_new (sp, "nodePort", json_integer (host));
        json_array_append_new (ports, sp);
      }
  return json_pack ("{s:s, s:s, s:{s:s}, s:{s:o, s:{s:s}, s:s}}", "apiVersion", "v1", "kind",
                    "Service", "metadata", "name", name, "spec", "ports", ports, "selector",
                    "app", name, "type", "NodePort");
}

json_t *
husk_kube_generate (json_t *pod, json_t *ctrs, const char *type, bool service,
                    husk_error_t *err)
{
  cleanup_json json_t *docs = json_array ();
  cleanup_json json_t *spec = json_object (), *list = json_array (), *vols = json_array ();
  cleanup_json json_t *meta = json_object ();
  cleanup_free char *name = NULL;
  json_t *ctr, *labels = pod ? json_object_get (pod, "Labels") : NULL;
  const char *hostname = pod ? json_string_value (json_object_get (pod, "Hostname")) : NULL;
  size_t i;

  if (json_array_size (ctrs) == 0)
    return husk_error_makex (err, EINVAL, "no containers to generate YAML for"), NULL;
  if (strcmp (type, "pod") != 0 && strcmp (type, "deployment") != 0)
    return husk_error_makex (err, EINVAL, "invalid type given, only supported types are pod "
                             "and deployment"), NULL;
  name = pod ? husk_xstrdup (json_string_value (json_object_get (pod, "Name")))
             : husk_asprintf ("%s-pod", json_string_value (json_object_get (
                                          json_array_get (ctrs, 0), "Name")));
  json_array_foreach (ctrs, i, ctr)
    {
      const char *cn = json_string_value (json_object_get (ctr, "Name"));
      size_t nl = strlen (name);
      json_t *bindings = path (ctr, "HostConfig", "PortBindings");

      if (cn == NULL)
        return husk_error_makex (err, EINVAL, "a container without a name"), NULL;
      if (pod && strncmp (cn, name, nl) == 0 && cn[nl] == '-' && cn[nl + 1])
        cn += nl + 1;
      /* A pod's ports are its infra's: they go on its first container.  */
      if (pod)
        bindings = i == 0 ? path (pod, "InfraConfig", "PortBindings") : NULL;
      json_array_append_new (list, container_of (ctr, cn, bindings, vols));
    }
  if (service)
    {
      labels = labels ? json_copy (labels) : json_object ();
      json_object_set_new (labels, "app", json_string (name));
    }
  else
    json_incref (labels);
  json_object_set_new (spec, "containers", json_incref (list));
  if (hostname && *hostname && strcmp (hostname, name) != 0)
    json_object_set_new (spec, "hostname", json_string (hostname));
  if (pod && json_is_true (path (pod, "InfraConfig", "HostNetwork")))
    json_object_set_new (spec, "hostNetwork", json_true ());
  json_object_set_new (spec, "restartPolicy", json_string (restart_of (json_array_get (ctrs,
                                                                                      0))));
  {
    json_t *st = path (json_array_get (ctrs, 0), "Config", "StopTimeout");

    /* The stop timeout, when not the default 10 s.  */
    if (json_is_integer (st) && json_integer_value (st) != 10)
      json_object_set_new (spec, "terminationGracePeriodSeconds", json_incref (st));
  }
  if (json_array_size (vols) > 0)
    json_object_set (spec, "volumes", vols);
  if (json_object_size (labels) > 0)
    json_object_set (meta, "labels", labels);
  json_object_set_new (meta, "name", json_string (name));
  if (strcmp (type, "pod") == 0)
    json_array_append_new (docs, json_pack ("{s:s, s:s, s:O, s:O}", "apiVersion", "v1", "kind",
                                            "Pod", "metadata", meta, "spec", spec));
  else
    {
      json_t *sel = json_object_size (labels) > 0 ? json_copy (labels)
                                                  : json_pack ("{s:s}", "app", name);

      if (json_object_size (labels) == 0)
        json_object_set (meta, "labels", sel);
      json_array_append_new (docs, json_pack ("{s:s, s:s, s:{s:o, s:O}, s:{s:i, s:{s:o}, "
                                              "s:{s:O, s:O}}}", "apiVersion", "apps/v1",
                                              "kind", "Deployment", "metadata", "name",
                                              json_sprintf ("%s-deployment", name), "labels",
                                              json_object_get (meta, "labels"), "spec",
                                              "replicas", 1, "selector", "matchLabels", sel,
                                              "template", "metadata", meta, "spec", spec));
    }
  if (service)
    json_array_append_new (docs, service_of (name, spec));
  json_decref (labels);
  return steal_ptr (&docs);
}

json_t *
husk_kube_generate_pvc (json_t *vol)
{
  const char *name = json_string_value (json_object_get (vol, "Name"));
  const char *driver = json_string_value (json_object_get (vol, "Driver"));

  /* The size is what a cluster must give; a local volume has none, and
     Podman writes 1Gi.  */
  return json_pack ("{s:s, s:s, s:{s:{s:s}, s:s}, s:{s:[s], s:{s:{s:s}}}}", "apiVersion", "v1",
                    "kind", "PersistentVolumeClaim", "metadata", "annotations",
                    "volume.podman.io/driver", driver ? driver : "local", "name",
                    name ? name : "", "spec", "accessModes", "ReadWriteOnce", "resources",
                    "requests", "storage", "1Gi");
}
