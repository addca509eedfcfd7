/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The "mounts" of the OCI spec: the file systems every container gets
 * (/proc, /dev, /dev/pts, /dev/shm, /dev/mqueue, /sys, /sys/fs/cgroup), the
 * files husk prepares (/etc/hosts, /etc/resolv.conf, /etc/hostname,
 * /etc/passwd, /etc/group, /run/.containerenv), and the user's binds, volumes, tmpfs mounts
 * and images (bound read-only from the mount point the caller made), with
 * --init, --tz and --read-only-tmpfs.
 *
 * A user mount replaces a default one with the same destination.  The
 * runtime mounts in array order, so the list is sorted by the depth of the
 * destination (stable, so equal depths keep their order): a parent is
 * always mounted before anything under it and cannot hide it.
 */
#include "runtime/spec-private.h"
#include "util/cleanup.h"
#include "util/idmap.h"
#include "util/strutil.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define ZONEINFO "/usr/share/zoneinfo"

struct mnt
{
  json_t *j;
  char *dest;
  size_t depth;
  size_t order;
};

struct mlist
{
  struct mnt *v;
  size_t n, cap;
};

static void
mlist_release (struct mlist *l)
{
  for (size_t i = 0; i < l->n; i++)
    {
      json_decref (l->v[i].j);
      free (l->v[i].dest);
    }
  free (l->v);
  l->v = NULL;
  l->n = l->cap = 0;
}

static size_t
path_depth (const char *p)
{
  size_t d = 0;

  for (; *p; p++)
    if (*p == '/' && p[1] != '\0')
      d++;
  return d;
}

static bool
mlist_has (const struct mlist *l, const char *dest)
{
  for (size_t i = 0; i < l->n; i++)
    if (strcmp (l->v[i].dest, dest) == 0)
      return true;
  return false;
}

/* Move m to the end of l.  */
static void
mlist_take (struct mlist *l, struct mnt *m)
{
  if (l->n == l->cap)
    {
      l->cap = l->cap ? 2 * l->cap : 16;
      l->v = husk_xrealloc (l->v, l->cap * sizeof *l->v);
    }
  l->v[l->n] = *m;
  l->v[l->n].order = l->n;
  l->n++;
  m->j = NULL;
  m->dest = NULL;
}

/* Append a mount; opts is stolen.  */
static void
mlist_add (struct mlist *l, const char *dest, const char *type, const char *source,
           json_t *o)
{
  struct mnt m = {
    json_pack ("{s:s, s:s, s:s, s:o}", "destination", dest, "type", type, "source",
               source, "options", o),
    husk_xstrdup (dest), path_depth (dest), 0,
  };

  mlist_take (l, &m);
}

/* A JSON array of the NULL-terminated string arguments.  */
static json_t *
opts (const char *first, ...)
{
  json_t *a = json_array ();
  va_list ap;

  va_start (ap, first);
  for (const char *s = first; s; s = va_arg (ap, const char *))
    json_array_append_new (a, json_string (s));
  va_end (ap);
  return a;
}

char *
husk_spec_clean_path (const char *path)
{
  cleanup_strv char **parts = NULL;
  char **out;
  size_t n = 0;
  struct husk_buf b = HUSK_BUF_INIT;

  if (path == NULL || path[0] != '/')
    return NULL;
  parts = husk_strv_split (path, '/');
  out = husk_xzalloc ((husk_strv_len (parts) + 1) * sizeof *out);
  for (char **p = parts; *p; p++)
    {
      if (**p == '\0' || strcmp (*p, ".") == 0)
        continue;
      if (strcmp (*p, "..") == 0)
        {
          if (n > 0)
            n--;
          continue;
        }
      out[n++] = *p;
    }
  for (size_t i = 0; i < n; i++)
    {
      husk_buf_putc (&b, '/');
      husk_buf_puts (&b, out[i]);
    }
  free (out);
  if (n == 0)
    husk_buf_putc (&b, '/');
  return husk_buf_steal (&b);
}

/* Mount options.  */

static const char *const flag_opts[] = {
  "ro", "rw", "nosuid", "suid", "nodev", "dev", "noexec", "exec",
  "relatime", "norelatime", "strictatime", "nostrictatime", "noatime", "atime",
  "nodiratime", "diratime", NULL,
};
static const char *const propagation_opts[] = {
  "private", "rprivate", "shared", "rshared", "slave", "rslave", "unbindable",
  "runbindable", NULL,
};
/* Accepted and dropped: SELinux relabelling (no SELinux here), volume
   content copying (done when the volume is created) and U (the caller
   gave the source to the container's user: container/mount-chown.c).  */
static const char *const ignored_opts[] = { "z", "Z", "copy", "nocopy", "U", NULL };

static bool
in_list (const char *const *list, const char *s)
{
  for (; *list; list++)
    if (strcmp (*list, s) == 0)
      return true;
  return false;
}

static bool
all_of (const char *s, const char *chars)
{
  return *s != '\0' && strspn (s, chars) == strlen (s);
}

/* tmpfs data options: size=64m, mode=1777, uid=0, gid=0, nr_inodes=1k.  */
static bool
valid_tmpfs_opt (const char *o)
{
  const char *eq = strchr (o, '=');
  const char *v = eq ? eq + 1 : "";

  if (husk_has_prefix (o, "size="))
    return all_of (v, "0123456789kmgtKMGT%") && v[0] >= '0' && v[0] <= '9';
  if (husk_has_prefix (o, "mode="))
    return all_of (v, "01234567") && strlen (v) <= 5;
  if (husk_has_prefix (o, "uid=") || husk_has_prefix (o, "gid="))
    return all_of (v, "0123456789");
  if (husk_has_prefix (o, "nr_inodes=") || husk_has_prefix (o, "nr_blocks="))
    return all_of (v, "0123456789kmgKMG");
  return strcmp (o, "tmpcopyup") == 0 || strcmp (o, "notmpcopyup") == 0;
}

static bool
json_strings_have (json_t *a, const char *const *list)
{
  size_t i;
  json_t *v;

  json_array_foreach (a, i, v)
    if (in_list (list, json_string_value (v)))
      return true;
  return false;
}

/* Validate the user's options (given, may be NULL) for a mount of type at
   dest and add the defaults.  Return: the options, or NULL.  */
static json_t *
mount_options (const char *type, const char *dest, json_t *given, husk_error_t *err)
{
  cleanup_json json_t *o = json_array ();
  bool tmpfs = strcmp (type, "tmpfs") == 0;
  size_t i;
  json_t *v;

  json_array_foreach (given, i, v)
    {
      const char *s = json_string_value (v);

      if (in_list (ignored_opts, s) || strcmp (s, "notmpcopyup") == 0)
        continue;
      /* The mount's own ID mapping (idmapped_mount()).  */
      if (strcmp (s, "idmap") == 0 || husk_has_prefix (s, "idmap="))
        continue;
      if (strcmp (s, "O") == 0)
        {
          husk_error_makex (err, EINVAL, "mount option \"%s\" for '%s' is not supported", s,
                            dest);
          return NULL;
        }
      if (!in_list (flag_opts, s) && !in_list (propagation_opts, s)
          && !(!tmpfs && (strcmp (s, "bind") == 0 || strcmp (s, "rbind") == 0))
          && !(tmpfs && valid_tmpfs_opt (s)))
        {
          husk_error_makex (err, EINVAL, "invalid mount option \"%s\" for '%s'", s, dest);
          return NULL;
        }
      json_array_append (o, v);
    }
  if (tmpfs)
    {
      if (!json_strings_have (given, (const char *const[]){ "suid", NULL }))
        json_array_append_new (o, json_string ("nosuid"));
      if (!json_strings_have (given, (const char *const[]){ "dev", NULL }))
        json_array_append_new (o, json_string ("nodev"));
      if (!json_strings_have (given, (const char *const[]){ "notmpcopyup", "tmpcopyup", NULL }))
        json_array_append_new (o, json_string ("tmpcopyup"));
    }
  else if (!json_strings_have (given, (const char *const[]){ "bind", "rbind", NULL }))
    json_array_append_new (o, json_string ("rbind"));
  if (!json_strings_have (given, propagation_opts))
    json_array_append_new (o, json_string ("rprivate"));
  return steal_ptr (&o);
}

/* --mount type=devpts: a new instance, with uid=, gid=, mode=, max=.  */
static json_t *
devpts_options (const char *dest, json_t *given, husk_error_t *err)
{
  cleanup_json json_t *o = json_array ();
  size_t i;
  json_t *v;

  json_array_foreach (given, i, v)
    {
      const char *s = json_string_value (v);
      const char *eq = strchr (s, '=');
      if (!in_list (flag_opts, s)
          && !(eq && (husk_has_prefix (s, "uid=") || husk_has_prefix (s, "gid=")
                      || husk_has_prefix (s, "max=")) && all_of (eq + 1, "0123456789"))
          && !(eq && husk_has_prefix (s, "mode=") && all_of (eq + 1, "01234567")))
        return husk_error_makex (err, EINVAL, "invalid mount option \"%s\" for '%s'", s,
                                 dest), NULL;
      json_array_append (o, v);
    }
  json_array_append_new (o, json_string ("newinstance"));
  json_array_append_new (o, json_string ("ptmxmode=0666"));
  json_array_append_new (o, json_string ("nosuid"));
  json_array_append_new (o, json_string ("noexec"));
  return steal_ptr (&o);
}

static json_t *
spec_idmap (const struct husk_idmap *m)
{
  json_t *a = json_array ();

  for (size_t i = 0; i < m->n; i++)
    json_array_append_new (a, json_pack ("{s:I, s:I, s:I}", "containerID",
                                         (json_int_t) m->r[i].inside, "hostID",
                                         (json_int_t) m->r[i].outside, "size",
                                         (json_int_t) m->r[i].size));
  return a;
}

/* A bind mount's "idmap" option (checked at create: container/idmaps.c)
   as the OCI 1.1 mount's uidMappings and gidMappings: file system IDs to
   host IDs, the container's own maps unless the option names others.  */
static int
idmapped_mount (json_t *ccfg, json_t *given, json_t *mount, husk_error_t *err)
{
  json_t *ns = json_object_get (ccfg, "userns");
  struct husk_idmap cu = { 0 }, cg = { 0 }, u, g;
  size_t i;
  json_t *v;

  json_array_foreach (given, i, v)
    {
      const char *s = json_string_value (v);
      if (strcmp (s, "idmap") && !husk_has_prefix (s, "idmap="))
        continue;
      if ((json_object_get (ns, "uid_map")
           && (husk_idmap_from_json (&cu, json_object_get (ns, "uid_map"), err) < 0
               || husk_idmap_from_json (&cg, json_object_get (ns, "gid_map"), err) < 0))
          || husk_idmap_mount_option (s, &cu, &cg, &u, &g, err) < 0)
        return -1;
      if (u.n > 0)
        json_object_set_new (mount, "uidMappings", spec_idmap (&u));
      if (g.n > 0)
        json_object_set_new (mount, "gidMappings", spec_idmap (&g));
    }
  return 0;
}

static int
user_mount (json_t *ccfg, json_t *m, size_t idx, struct mlist *l, husk_error_t *err)
{
  const char *type, *dest_raw, *source;
  cleanup_free char *dest = NULL;
  json_t *given = NULL, *o;
  struct stat st;

  if (!json_is_object (m))
    return husk_error_makex (err, EINVAL, "invalid mount %zu: not an object", idx);
  if (husk_spec_get_str (m, "type", NULL, &type, err) < 0
      || husk_spec_get_str (m, "destination", NULL, &dest_raw, err) < 0
      || husk_spec_get_str (m, "source", NULL, &source, err) < 0
      || husk_spec_get_strings (m, "options", &given, err) < 0)
    return husk_error_wrap (err, "invalid mount %zu", idx);
  if (type == NULL
      || (strcmp (type, "bind") != 0 && strcmp (type, "volume") != 0
          && strcmp (type, "tmpfs") != 0 && strcmp (type, "devpts") != 0
          && strcmp (type, "image") != 0))
    return husk_error_makex (err, EINVAL, "invalid mount type \"%s\": expected bind, volume, "
                             "tmpfs, image or devpts", type ? type : "");
  dest = husk_spec_clean_path (dest_raw);
  if (dest == NULL || strcmp (dest, "/") == 0)
    return husk_error_makex (err, EINVAL, "invalid mount destination \"%s\": %s",
                             dest_raw ? dest_raw : "",
                             dest ? "cannot mount over /" : "must be an absolute path");
  if (mlist_has (l, dest))
    return husk_error_makex (err, EINVAL, "duplicate mount destination '%s'", dest);
  if (strcmp (type, "devpts") == 0)
    {
      if ((o = devpts_options (dest, given, err)) == NULL)
        return -1;
      mlist_add (l, dest, "devpts", "devpts", o);
      return 0;
    }
  if ((o = mount_options (type, dest, given, err)) == NULL)
    return -1;
  /* An image's mount point (the store's) is never written through.  */
  if (strcmp (type, "image") == 0 && !json_strings_have (o, (const char *const[]){ "ro", NULL }))
    json_array_append_new (o, json_string ("ro"));
  if (strcmp (type, "tmpfs") == 0)
    {
      mlist_add (l, dest, "tmpfs", "tmpfs", o);
      return 0;
    }
  if (source == NULL || source[0] != '/')
    {
      json_decref (o);
      return husk_error_makex (err, EINVAL,
                               "invalid %s source \"%s\" for '%s': must be an absolute path",
                               type, source ? source : "", dest);
    }
  if (stat (source, &st) < 0)
    {
      json_decref (o);
      return husk_error_make (err, errno, "%s source '%s'", type, source);
    }
  mlist_add (l, dest, "bind", source, o);
  return idmapped_mount (ccfg, given, l->v[l->n - 1].j, err);
}

/* --tz: a zone under /usr/share/zoneinfo, or "local" for the host's.  */
static int
tz_mount (const char *tz, struct mlist *l, husk_error_t *err)
{
  cleanup_free char *src = NULL;
  struct stat st;

  if (strcmp (tz, "local") == 0)
    {
      src = realpath ("/etc/localtime", NULL);
      if (src == NULL)
        return husk_error_make (err, errno, "--tz local: the host's '/etc/localtime'");
    }
  else
    {
      cleanup_strv char **parts = husk_strv_split (tz, '/');

      if (tz[0] == '/' || !all_of (tz, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                                       "0123456789/_+-."))
        return husk_error_makex (err, EINVAL, "invalid timezone \"%s\"", tz);
      for (char **p = parts; *p; p++)
        if (**p == '\0' || **p == '.')
          return husk_error_makex (err, EINVAL, "invalid timezone \"%s\"", tz);
      src = husk_asprintf ("%s/%s", ZONEINFO, tz);
    }
  if (stat (src, &st) < 0 || !S_ISREG (st.st_mode))
    return husk_error_makex (err, EINVAL, "invalid timezone \"%s\": no such zone in '%s'",
                             tz, ZONEINFO);
  if (!mlist_has (l, "/etc/localtime"))
    mlist_add (l, "/etc/localtime", "bind", src, opts ("bind", "ro", "rprivate", NULL));
  return 0;
}

/* --secret NAME (type=mount): the copy prepared at start, read-only at its
   target (container/secrets.h).  */
static int
secret_mounts (struct husk_spec_ctx *c, struct mlist *l, husk_error_t *err)
{
  json_t *s;
  size_t i;

  json_array_foreach (json_object_get (c->ccfg, "secrets"), i, s)
    {
      const char *type = json_string_value (json_object_get (s, "type"));
      const char *target = json_string_value (json_object_get (s, "target"));
      cleanup_free char *dst = NULL, *src = NULL;

      if (type == NULL || strcmp (type, "mount") != 0)
        continue;
      if (target == NULL || target[0] != '/')
        return husk_error_makex (err, EINVAL, "invalid secret target \"%s\"",
                                 target ? target : "");
      dst = husk_spec_clean_path (target);
      if (mlist_has (l, dst))
        return husk_error_makex (err, EINVAL, "%s: duplicate mount destination", dst);
      src = husk_asprintf ("%s/%zu", c->p->secrets_dir, i);
      mlist_add (l, dst, "bind", src,
                 opts ("bind", "ro", "rprivate", "nosuid", "nodev", "noexec", NULL));
    }
  return 0;
}

/* What the user asked for, plus --init, --tz and --read-only-tmpfs.  */
static int
requested_mounts (struct husk_spec_ctx *c, struct mlist *l, husk_error_t *err)
{
  json_t *mounts, *m;
  const char *tz;
  bool ro_tmpfs;
  size_t i;

  if (husk_spec_get_str (c->ccfg, "tz", "", &tz, err) < 0
      || husk_spec_get_bool (c->ccfg, "read_only_tmpfs", true, &ro_tmpfs, err) < 0)
    return -1;
  if (husk_spec_get_array (c->ccfg, "mounts", &mounts, err) < 0)
    return -1;
  json_array_foreach (mounts, i, m)
    if (user_mount (c->ccfg, m, i, l, err) < 0)
      return -1;
  if (c->p->secrets_dir != NULL && secret_mounts (c, l, err) < 0)
    return -1;
  if (c->init_path != NULL && !mlist_has (l, HUSK_SPEC_INIT_PATH))
    mlist_add (l, HUSK_SPEC_INIT_PATH, "bind", c->init_path,
               opts ("bind", "ro", "rprivate", NULL));
  if (*tz != '\0' && tz_mount (tz, l, err) < 0)
    return -1;
  /* The modes are explicit: runtimes differ in what they give a tmpfs
     whose mount point the image lacks (runc 0755, crun 1777).  */
  if (c->read_only && ro_tmpfs)
    for (const char *const *d = (const char *const[]){ "/tmp", "/var/tmp", "/run", NULL }; *d;
         d++)
      if (!mlist_has (l, *d))
        mlist_add (l, *d, "tmpfs", "tmpfs",
                   opts ("rw", "rprivate", "nosuid", "nodev", "tmpcopyup",
                         strcmp (*d, "/run") == 0 ? "mode=755" : "mode=1777", NULL));
  return 0;
}

static void
add_default (struct mlist *l, const struct mlist *user, const char *dest,
             const char *type, const char *source, json_t *o)
{
  if (mlist_has (user, dest))
    json_decref (o);
  else
    mlist_add (l, dest, type, source, o);
}

/* A bind of a file husk prepared (hosts, resolv.conf, ...).  */
static void
add_file (struct husk_spec_ctx *c, struct mlist *l, const struct mlist *user,
          const char *dest, const char *source, bool ro)
{
  json_t *o = opts ("bind", "rprivate", NULL);

  if (source == NULL)
    {
      json_decref (o);
      return;
    }
  if (ro || c->read_only)
    json_array_append_new (o, json_string ("ro"));
  if (c->read_only)
    {
      json_array_append_new (o, json_string ("nosuid"));
      json_array_append_new (o, json_string ("noexec"));
      json_array_append_new (o, json_string ("nodev"));
    }
  add_default (l, user, dest, "bind", source, o);
}

static int
default_mounts (struct husk_spec_ctx *c, struct mlist *l, const struct mlist *user,
                husk_error_t *err)
{
  const char *shm_path, *ro_rw = c->privileged ? "rw" : "ro";
  int64_t shm_size;
  cleanup_free char *shm_opt = NULL;

  if (husk_spec_get_int (c->ccfg, "shm_size", 0, &shm_size, err) < 0
      || husk_spec_get_str (c->ccfg, "shm_path", NULL, &shm_path, err) < 0)
    return -1;
  if (shm_size < 0)
    return husk_error_makex (err, EINVAL, "invalid --shm-size %lld", (long long) shm_size);
  if (shm_size == 0)
    shm_size = 65536 * 1024;
  /* tmpfs rounds up to pages; say it in KiB so no unit is misread.  */
  shm_opt = husk_asprintf ("size=%lldk", (long long) ((shm_size + 1023) / 1024));

  add_default (l, user, "/proc", "proc", "proc", opts ("nosuid", "noexec", "nodev", NULL));
  add_default (l, user, "/dev", "tmpfs", "tmpfs",
               opts ("nosuid", "noexec", "strictatime", "mode=755", "size=65536k", NULL));
  /* TODO(rootless): gid=5 needs gid 5 mapped in the user namespace.  */
  add_default (l, user, "/dev/pts", "devpts", "devpts",
               c->p->rootless
                   ? opts ("nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", NULL)
                   : opts ("nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620",
                           "gid=5", NULL));
  if (c->ipc.mode == HUSK_SPEC_NS_HOST && access ("/dev/shm", F_OK) == 0)
    add_default (l, user, "/dev/shm", "bind", "/dev/shm", opts ("rbind", "rprivate", NULL));
  else if (shm_path != NULL)
    add_default (l, user, "/dev/shm", "bind", shm_path,
                 opts ("rbind", "rprivate", "nosuid", "noexec", "nodev", NULL));
  else
    add_default (l, user, "/dev/shm", "tmpfs", "shm",
                 opts ("nosuid", "noexec", "nodev", "mode=1777", shm_opt, NULL));
  /* An mqueue file system shows the queues of the IPC namespace that
     mounts it, so this is right for a shared IPC namespace too.  */
  add_default (l, user, "/dev/mqueue", "mqueue", "mqueue",
               opts ("nosuid", "noexec", "nodev", NULL));
  /* sysfs can only be mounted by the owner of the network namespace; a
     rootless container in the host's gets a bind instead.  */
  if (c->p->rootless && c->net.mode == HUSK_SPEC_NS_HOST)
    add_default (l, user, "/sys", "bind", "/sys",
                 opts ("rbind", "rprivate", "nosuid", "noexec", "nodev", "ro", NULL));
  else
    add_default (l, user, "/sys", "sysfs", "sysfs",
                 opts ("nosuid", "noexec", "nodev", ro_rw, NULL));
  add_default (l, user, "/sys/fs/cgroup", "cgroup", "cgroup",
               opts ("rprivate", "nosuid", "noexec", "nodev", "relatime", ro_rw, NULL));
  add_file (c, l, user, "/etc/hosts", c->p->hosts, false);
  add_file (c, l, user, "/etc/resolv.conf", c->p->resolv_conf, false);
  add_file (c, l, user, "/etc/hostname", c->p->hostname, false);
  add_file (c, l, user, "/etc/passwd", c->p->passwd, false);
  add_file (c, l, user, "/etc/group", c->p->group, false);
  add_file (c, l, user, "/run/.containerenv", c->p->containerenv, true);
  return 0;
}

static int
cmp_mnt (const void *a, const void *b)
{
  const struct mnt *x = a, *y = b;

  if (x->depth != y->depth)
    return x->depth < y->depth ? -1 : 1;
  return x->order < y->order ? -1 : (x->order > y->order);
}

json_t *
husk_spec_mounts (struct husk_spec_ctx *c, husk_error_t *err)
{
  struct mlist user = { NULL, 0, 0 }, all = { NULL, 0, 0 };
  json_t *out;

  if (requested_mounts (c, &user, err) < 0 || default_mounts (c, &all, &user, err) < 0)
    {
      mlist_release (&user);
      mlist_release (&all);
      return NULL;
    }
  for (size_t i = 0; i < user.n; i++)
    mlist_take (&all, &user.v[i]);
  qsort (all.v, all.n, sizeof *all.v, cmp_mnt);
  out = json_array ();
  for (size_t i = 0; i < all.n; i++)
    json_array_append (out, all.v[i].j);
  mlist_release (&user);
  mlist_release (&all);
  return out;
}
