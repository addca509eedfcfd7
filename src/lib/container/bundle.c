/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The files of a container's bundle: hosts, hostname, resolv.conf and
 * .containerenv written at create, config.json (the OCI spec) at every
 * start, with "container:NAME" namespaces resolved to the other
 * container's.
 */
#include "container/lifecycle.h"
#include "events/events.h"
#include "util/cleanup.h"
#include "util/fileutil.h"
#include "util/log.h"
#include "util/strutil.h"
#include "container/passwd.h"
#include "runtime/seccomp.h"
#include "runtime/spec.h"
#include "husk-config.h"

#include <string.h>

/* A file of the bundle directory create has just made.  */
static int
write_text (const char *dir, const char *name, const char *text, husk_error_t *err)
{
  cleanup_free char *p = husk_asprintf ("%s/%s", dir, name);

  return husk_write_file_new (p, text, strlen (text), 0644, err);
}


int
husk_container_write_bundle_files (struct husk_engine *e, const char *dir, json_t *c, husk_error_t *err)
{
  const char *host = json_string_value (json_object_get (c, "hostname"));
  const char *name = json_string_value (json_object_get (c, "name"));
  cleanup_free char *hosts = husk_asprintf (
      "127.0.0.1\tlocalhost localhost.localdomain localhost4 localhost4.localdomain4\n"
      "::1\tlocalhost localhost.localdomain localhost6 localhost6.localdomain6\n"
      "127.0.1.1\t%s %s\n", host, name);
  cleanup_free char *hn = husk_asprintf ("%s\n", host);
  cleanup_free char *resolv = husk_read_file ("/etc/resolv.conf", NULL, NULL);
  cleanup_free char *env = husk_asprintf (
      "engine=\"husk-%s\"\nname=\"%s\"\nid=\"%s\"\nimage=\"%s\"\nimageid=\"%s\"\nrootless=%d\n",
      HUSK_VERSION, name, json_string_value (json_object_get (c, "id")),
      json_string_value (json_object_get (json_object_get (c, "image"), "name")),
      json_string_value (json_object_get (json_object_get (c, "image"), "id")), e->rootless);

  if (write_text (dir, "hosts", hosts, err) < 0 || write_text (dir, "hostname", hn, err) < 0
      || write_text (dir, "resolv.conf", resolv ? resolv : "", err) < 0
      || write_text (dir, ".containerenv", env, err) < 0)
    return -1;
  return 0;
}

/* "container:NAME" namespaces become the path of that container's: it must
   be running, and its namespace is joined by path.  */
static int
resolve_shared_namespaces (struct husk_engine *e, json_t *c, husk_error_t *err)
{
  static const char *const kinds[][2] = { { "network", "net" }, { "pid", "pid" },
                                          { "ipc", "ipc" }, { "uts", "uts" } };
  json_t *ns = json_object_get (c, "namespaces");

  for (size_t i = 0; i < 4; i++)
    {
      const char *v = json_string_value (json_object_get (ns, kinds[i][0]));
      cleanup_container_rec struct husk_container_rec other = { 0 };
      cleanup_free char *path = NULL;
      if (v == NULL || strncmp (v, "container:", 10) != 0)
        continue;
      if (husk_container_load (e, v + 10, &other, err) < 0)
        return husk_error_wrap (err, "--%s %s", kinds[i][0], v);
      if (strcmp (other.state, "running") || other.pid <= 0)
        return husk_error_makex (err, EINVAL, "--%s %s: container %s is not running",
                                 kinds[i][0], v, other.name);
      path = husk_asprintf ("path:/proc/%d/ns/%s", other.pid, kinds[i][1]);
      json_object_set_new (ns, kinds[i][0], json_string (path));
    }
  return 0;
}

/* crun takes a compiled seccomp program (runtime/seccomp-bpf.c).  */
static bool
runtime_is_crun (const char *path)
{
  const char *base = path ? strrchr (path, '/') : NULL;

  return path && strcmp (base ? base + 1 : path, "crun") == 0;
}


int
husk_container_write_spec (struct husk_engine *e, json_t *c, const char *dir, const char *rootfs,
            husk_error_t *err)
{
  cleanup_free char *hosts = husk_asprintf ("%s/hosts", dir);
  cleanup_free char *hn = husk_asprintf ("%s/hostname", dir);
  cleanup_free char *resolv = husk_asprintf ("%s/resolv.conf", dir);
  cleanup_free char *env = husk_asprintf ("%s/.containerenv", dir);
  cleanup_free char *cfgpath = husk_asprintf ("%s/config.json", dir);
  cleanup_free char *passwd = NULL, *group = NULL;
  struct husk_spec_paths p = { .rootfs = rootfs, .hosts = hosts, .hostname = hn,
                               .resolv_conf = resolv, .containerenv = env,
                               .rootless = e->rootless };
  const char *net = json_string_value (json_object_get (json_object_get (c, "namespaces"), "network"));
  cleanup_json json_t *spec = NULL;

  if (net && strcmp (net, "host") == 0)
    p.hosts = p.resolv_conf = NULL; /* the host's own files show through */
  if (resolve_shared_namespaces (e, c, err) < 0
      || husk_passwd_prepare (c, rootfs, dir, &passwd, &group, err) < 0)
    return -1;
  p.passwd = passwd;
  p.group = group;
  spec = husk_spec_generate (c, &p, err);
  if (spec == NULL)
    return -1;
  if (runtime_is_crun (json_string_value (json_object_get (c, "runtime"))))
    {
      cleanup_free char *cache = husk_asprintf ("%s/seccomp", e->runroot);
      husk_seccomp_precompile (spec, cache);
    }
  return husk_spec_write (spec, cfgpath, err);
}
