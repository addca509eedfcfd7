/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The files of a container's bundle: hosts, hostname, resolv.conf and
 * .containerenv written at create, config.json (the OCI spec) at every
 * start, with "container:NAME" namespaces resolved to the other
 * container's.
 */
#include "container/idmaps.h"
#include "container/netbridge.h"
#include "container/lifecycle.h"
#include "container/imgmount.h"
#include "container/mount-chown.h"
#include "container/secrets.h"
#include "events/events.h"
#include "util/cleanup.h"
#include "util/fileutil.h"
#include "util/log.h"
#include "util/strutil.h"
#include "container/passwd.h"
#include "network/network.h"
#include "runtime/seccomp.h"
#include "runtime/spec.h"
#include "husk-config.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

/* A file of the bundle directory create has just made.  */
static int
write_text (const char *dir, const char *name, const char *text, husk_error_t *err)
{
  cleanup_free char *p = husk_asprintf ("%s/%s", dir, name);

  return husk_write_file_new (p, text, strlen (text), 0644, err);
}


/* The backend of the container's own network (pasta, slirp4netns), or
   NULL.  */
static const struct husk_net_backend *
net_backend (json_t *c)
{
  return husk_net_backend_find (json_string_value (json_object_get (
      json_object_get (c, "namespaces"), "network")));
}

static bool
is_host_net (json_t *c)
{
  const char *net = json_string_value (json_object_get (json_object_get (c, "namespaces"),
                                                        "network"));
  return net && strcmp (net, "host") == 0;
}

/* /etc/hosts as Podman writes it: the --add-host lines, then localhost
   (with the host's network, the host's own entries instead), then the
   container's hostname and name.  */
static char *
hosts_text (json_t *c)
{
  const char *host = json_string_value (json_object_get (c, "hostname"));
  const char *name = json_string_value (json_object_get (c, "name"));
  json_t *nets = husk_container_networks (c), *first = json_array_get (nets, 0);
  struct husk_buf b = HUSK_BUF_INIT;
  size_t i;
  json_t *v;

  json_array_foreach (json_object_get (c, "add_hosts"), i, v)
    {
      husk_buf_puts (&b, json_string_value (v));
      husk_buf_putc (&b, '\n');
    }
  if (is_host_net (c))
    {
      cleanup_free char *base = husk_read_file ("/etc/hosts", NULL, NULL);
      size_t n = base ? strlen (base) : 0;
      husk_buf_puts (&b, base ? base : "");
      if (n > 0 && base[n - 1] != '\n')
        husk_buf_putc (&b, '\n');
    }
  else
    husk_buf_puts (&b, "127.0.0.1\tlocalhost localhost.localdomain localhost4 "
                       "localhost4.localdomain4\n"
                       "::1\tlocalhost localhost.localdomain localhost6 "
                       "localhost6.localdomain6\n");
  /* On bridge networks the container's own address on each (Podman).  */
  json_array_foreach (nets, i, v)
    {
      const char *ip6 = json_string_value (json_object_get (v, "ip6"));
      husk_buf_printf (&b, "%s\t%s %s\n", json_string_value (json_object_get (v, "ip")) ?: "",
                       host, name);
      if (ip6 && *ip6)
        husk_buf_printf (&b, "%s\t%s %s\n", ip6, host, name);
    }
  if (json_array_size (nets) == 0)
    husk_buf_printf (&b, "127.0.1.1\t%s %s\n", host, name);
  if (json_string_value (json_object_get (first, "gateway")))
    husk_buf_printf (&b, "%s\thost.containers.internal host.docker.internal\n",
                     json_string_value (json_object_get (first, "gateway")));
  else if (net_backend (c))
    {
      /* Podman's names for the host, where the backend reaches it.  */
      cleanup_free char *ip = net_backend (c)->host_address (json_object_get (c, "network_options"));
      if (ip && *ip)
        husk_buf_printf (&b, "%s\thost.containers.internal host.docker.internal\n", ip);
    }
  return husk_buf_steal (&b);
}

static bool
resolv_key (const char *line, const char *key)
{
  size_t n = strlen (key);

  return strncmp (line, key, n) == 0 && (line[n] == ' ' || line[n] == '\t');
}

/* A resolv.conf line "KEY v1 v2" of the strings in a (nothing when empty
   or, for search, only ".").  */
static void
resolv_line (struct husk_buf *b, const char *key, json_t *a, bool one_per_line)
{
  size_t i;
  json_t *v;

  if (json_array_size (a) == 0
      || (strcmp (key, "search") == 0 && json_array_size (a) == 1
          && strcmp (json_string_value (json_array_get (a, 0)), ".") == 0))
    return;
  if (!one_per_line)
    husk_buf_puts (b, key);
  json_array_foreach (a, i, v)
    {
      if (one_per_line)
        husk_buf_puts (b, key);
      husk_buf_putc (b, ' ');
      husk_buf_puts (b, json_string_value (v));
      if (one_per_line)
        husk_buf_putc (b, '\n');
    }
  if (!one_per_line)
    husk_buf_putc (b, '\n');
}

/* A nameserver line for the host's loopback: useless in a network of the
   container's own.  */
static bool
loopback_nameserver (const char *line)
{
  const char *v = line + strlen ("nameserver");

  v += strspn (v, " \t");
  return husk_has_prefix (v, "127.") || strcmp (v, "::1") == 0;
}

/* The host's resolv.conf with --dns, --dns-search and --dns-option
   replacing its nameserver, search and options lines.  With pasta or
   slirp4netns, the backend's resolver comes first (Podman) and the host's
   loopback resolvers go.  */
static char *
resolv_text (json_t *c)
{
  cleanup_free char *host = husk_read_file ("/etc/resolv.conf", NULL, NULL);
  cleanup_strv char **lines = husk_strv_split (host ? host : "", '\n');
  json_t *dns = json_object_get (c, "dns"), *search = json_object_get (c, "dns_search");
  json_t *opts = json_object_get (c, "dns_options");
  const struct husk_net_backend *b = net_backend (c);
  struct husk_buf b_ = HUSK_BUF_INIT;
  struct husk_buf *out = &b_;

  json_t *nets = husk_container_networks (c), *n;
  bool aardvark = false;
  size_t k;

  /* The gateway of each network with DNS, where aardvark-dns answers.  */
  json_array_foreach (nets, k, n)
    aardvark = aardvark || json_is_true (json_object_get (n, "dns"));
  aardvark = aardvark && json_array_size (dns) == 0;
  resolv_line (out, "search", search, false);
  json_array_foreach (nets, k, n)
    if (aardvark && json_is_true (json_object_get (n, "dns")))
      husk_buf_printf (out, "nameserver %s\n",
                       json_string_value (json_object_get (n, "gateway")));
  if (b && json_array_size (dns) == 0)
    {
      cleanup_free char *ns = b->nameserver (json_object_get (c, "network_options"));
      husk_buf_printf (out, "nameserver %s\n", ns);
    }
  for (size_t i = 0; lines[i]; i++)
    {
      /* aardvark-dns forwards the rest to the host's resolvers.  */
      if (lines[i][0] == '\0' || ((aardvark || json_array_size (dns)) && resolv_key (lines[i], "nameserver"))
          || ((b || json_array_size (nets)) && resolv_key (lines[i], "nameserver")
              && loopback_nameserver (lines[i]))
          || (json_array_size (search) && (resolv_key (lines[i], "search")
                                           || resolv_key (lines[i], "domain")))
          || (json_array_size (opts) && resolv_key (lines[i], "options")))
        continue;
      husk_buf_puts (out, lines[i]);
      husk_buf_putc (out, '\n');
    }
  resolv_line (out, "nameserver", dns, true);
  resolv_line (out, "options", opts, false);
  return husk_buf_steal (out);
}

/* Whether the container gets husk's resolv.conf: not with --dns none.  */
static bool
own_resolv (json_t *c)
{
  json_t *dns = json_object_get (c, "dns");

  return !(json_array_size (dns) == 1
           && strcmp (json_string_value (json_array_get (dns, 0)), "none") == 0);
}

int
husk_container_write_bundle_files (struct husk_engine *e, const char *dir, json_t *c, husk_error_t *err)
{
  const char *host = json_string_value (json_object_get (c, "hostname"));
  const char *name = json_string_value (json_object_get (c, "name"));
  cleanup_free char *hosts = hosts_text (c);
  cleanup_free char *hn = husk_asprintf ("%s\n", host);
  cleanup_free char *resolv = resolv_text (c);
  cleanup_free char *env = husk_asprintf (
      "engine=\"husk-%s\"\nname=\"%s\"\nid=\"%s\"\nimage=\"%s\"\nimageid=\"%s\"\nrootless=%d\n",
      HUSK_VERSION, name, json_string_value (json_object_get (c, "id")),
      json_string_value (json_object_get (json_object_get (c, "image"), "name")),
      json_string_value (json_object_get (json_object_get (c, "image"), "id")), e->rootless);

  if (write_text (dir, "hosts", hosts, err) < 0 || write_text (dir, "hostname", hn, err) < 0
      || write_text (dir, "resolv.conf", resolv, err) < 0
      || write_text (dir, ".containerenv", env, err) < 0)
    return -1;
  return 0;
}

/* One file of the bundle written again in place: a running container
   has it bind-mounted, so the same inode must get the new text.  */
static int
rewrite_text (const char *dir, const char *name, const char *text, husk_error_t *err)
{
  cleanup_free char *p = husk_asprintf ("%s/%s", dir, name);
  cleanup_close int fd = open (p, O_WRONLY | O_TRUNC | O_NOFOLLOW | O_CLOEXEC);

  if (fd < 0 && errno == ENOENT)
    return write_text (dir, name, text, err);
  if (fd < 0 || husk_write_all (fd, text, strlen (text)) < 0)
    return husk_error_make (err, errno, "write '%s'", p);
  return 0;
}

int
husk_container_rewrite_net_files (const char *dir, json_t *c, husk_error_t *err)
{
  cleanup_free char *hosts = hosts_text (c);
  cleanup_free char *resolv = resolv_text (c);

  if (rewrite_text (dir, "hosts", hosts, err) < 0
      || rewrite_text (dir, "resolv.conf", resolv, err) < 0)
    return -1;
  return 0;
}

/* Whether path is dir or under it.  */
static bool
path_under (const char *path, const char *dir)
{
  size_t n = strlen (dir);

  while (n > 1 && dir[n - 1] == '/')
    n--;
  return strncmp (path, dir, n) == 0 && (path[n] == '\0' || path[n] == '/' || n == 1);
}

/* -w must exist (Podman): only the image's own WorkingDir is made by the
   runtime when missing, and one inside a mount is the mount's business.
   Looked up beneath the root: a container's symlinks stay inside it.  */
static int
check_workdir (json_t *c, const char *rootfs, husk_error_t *err)
{
  const char *wd = json_string_value (json_object_get (c, "workdir"));
  const char *id = json_string_value (json_object_get (c, "id"));
  struct open_how how = { .flags = O_PATH | O_CLOEXEC,
                          .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS };
  cleanup_close int rootfd = -1, fd = -1;
  struct stat st;
  size_t i;
  json_t *m;

  if (wd == NULL || strcmp (wd, "/") == 0 || json_is_true (json_object_get (c, "workdir_create")))
    return 0;
  json_array_foreach (json_object_get (c, "mounts"), i, m)
    {
      const char *dest = json_string_value (json_object_get (m, "destination"));
      if (dest && path_under (wd, dest))
        return 0;
    }
  rootfd = open (rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (rootfd < 0)
    return husk_error_make (err, errno, "open root file system '%s'", rootfs);
  fd = (int) syscall (SYS_openat2, rootfd, wd, &how, sizeof how);
  if (fd < 0 && errno == ENOENT)
    return husk_error_makex (err, ENOEXEC, "workdir \"%s\" does not exist on container %s",
                             wd, id);
  if (fd < 0 || fstat (fd, &st) < 0)
    return husk_error_make (err, errno, "workdir \"%s\"", wd);
  if (!S_ISDIR (st.st_mode))
    return husk_error_makex (err, ENOEXEC, "workdir \"%s\" exists on container %s, but is "
                             "not a directory", wd, id);
  return 0;
}

/* A pod member's user namespace, "container:ID" (the infra's), becomes
   the path of that container's, as the other kinds below.  */
static int
resolve_shared_userns (struct husk_engine *e, json_t *c, husk_error_t *err)
{
  json_t *u = json_object_get (c, "userns");
  const char *mode = json_string_value (json_object_get (u, "mode"));
  cleanup_container_rec struct husk_container_rec other = { 0 };

  if (mode == NULL || strncmp (mode, "container:", 10) != 0)
    return 0;
  if (husk_container_load (e, mode + 10, &other, err) < 0)
    return husk_error_wrap (err, "--userns %s", mode);
  if (strcmp (other.state, "running") || other.pid <= 0)
    return husk_error_makex (err, EINVAL, "--userns %s: container %s is not running", mode,
                             other.name);
  json_object_set_new (u, "mode", json_sprintf ("ns:/proc/%d/ns/user", other.pid));
  return 0;
}

/* "container:NAME" namespaces become the path of that container's: it must
   be running, and its namespace is joined by path.  */
static int
resolve_shared_namespaces (struct husk_engine *e, json_t *c, husk_error_t *err)
{
  static const char *const kinds[][2] = { { "network", "net" }, { "pid", "pid" },
                                          { "ipc", "ipc" }, { "uts", "uts" },
                                          { "cgroup", "cgroup" } };
  json_t *ns = json_object_get (c, "namespaces");

  for (size_t i = 0; i < 5; i++)
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
  return resolve_shared_userns (e, c, err);
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
  cleanup_free char *passwd = NULL, *group = NULL, *secrets = NULL;
  struct husk_spec_paths p = { .rootfs = rootfs, .hosts = hosts, .hostname = hn,
                               .resolv_conf = resolv, .containerenv = env,
                               .rootless = e->rootless };
  cleanup_json json_t *spec = NULL, *with_images = NULL;

  if (json_is_true (json_object_get (c, "no_hosts")))
    p.hosts = NULL; /* the image's own */
  if (json_is_true (json_object_get (c, "no_hostname")))
    p.hostname = NULL;
  if (!own_resolv (c))
    p.resolv_conf = NULL; /* the image's, or with the host's network the host's */
  if (check_workdir (c, rootfs, err) < 0 || resolve_shared_namespaces (e, c, err) < 0
      || husk_passwd_prepare (c, rootfs, dir, &passwd, &group, err) < 0)
    return -1;
  p.passwd = passwd;
  p.group = group;
  if (husk_container_chown_mounts (c, rootfs, err) < 0)
    return -1;
  /* Released with the container's mount (husk_container_release).  */
  with_images = husk_container_image_mounts_prepare (e, json_string_value (json_object_get (c, "id")),
                                                     c, err);
  if (with_images == NULL)
    return -1;
  if (husk_container_secrets_prepare (e, c, with_images, dir, &secrets, err) < 0)
    return -1;
  p.secrets_dir = secrets;
  spec = husk_spec_generate (with_images, &p, err);
  if (spec == NULL)
    return -1;
  if (json_object_get (c, "userns") && husk_container_userns_reach (e, spec, err) < 0)
    return -1;
  if (runtime_is_crun (json_string_value (json_object_get (c, "runtime"))))
    {
      cleanup_free char *cache = husk_asprintf ("%s/seccomp", e->runroot);
      husk_seccomp_precompile (spec, cache);
    }
  return husk_spec_write (spec, cfgpath, err);
}
