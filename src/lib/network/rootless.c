/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Where bridge networks keep their files (the host's for root, the
 * user's rootless), and the rootless network namespace: one per user,
 * owned by the user namespace of the pause process, bound on
 * <rundir>/rootless-netns/ns in husk's mount namespace and connected to
 * the host by a pasta of its own (design/networks.md, "Rootless").  Its
 * users (containers attached, `unshare --rootless-netns`) are files in
 * <rundir>/rootless-netns/users; the last one to go ends pasta and
 * unmounts the namespace, which takes the bridges and firewall with it.
 */
#include "network/bridge-private.h"
#include "userns/userns.h"
#include "util/cleanup.h"
#include "util/fileutil.h"
#include "util/log.h"
#include "util/proc.h"
#include "util/strutil.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <linux/magic.h>
#include <sys/mount.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <unistd.h>

static char *rundir, *dbdir, *dbpath;

const char *
husk_net_rundir (void)
{
  cleanup_free char *dir = NULL;

  if (rundir)
    return rundir;
  if (!husk_userns_rootless ())
    return rundir = husk_xstrdup ("/run/husk-net");
  dir = husk_userns_dir (husk_userns_host_uid ());
  /* husk_userns_dir fails only when the directory is not the user's own;
     joining the namespace checked it already.  */
  return rundir = husk_asprintf ("%s/net", dir ? dir : "/nonexistent");
}

const char *
husk_net_db_dir (void)
{
  const char *xdg = getenv ("XDG_DATA_HOME"), *home = getenv ("HOME");

  if (dbdir)
    return dbdir;
  if (!husk_userns_rootless ())
    return dbdir = husk_xstrdup ("/var/lib/husk-net");
  if (xdg && *xdg)
    return dbdir = husk_asprintf ("%s/husk-net", xdg);
  return dbdir = husk_asprintf ("%s/.local/share/husk-net", home ? home : "/");
}

const char *
husk_net_db_path (void)
{
  if (dbpath == NULL)
    dbpath = husk_asprintf ("%s/ipam.db", husk_net_db_dir ());
  return dbpath;
}

char *
husk_net_rootless_netns (void)
{
  return husk_asprintf ("%s/rootless-netns/ns", husk_net_rundir ());
}

int
husk_net_enter_rootless_netns (husk_error_t *err)
{
  cleanup_free char *ns = husk_net_rootless_netns ();
  cleanup_close int fd = open (ns, O_RDONLY | O_CLOEXEC);

  if (fd < 0)
    return husk_error_make (err, errno, "open the rootless network namespace '%s'", ns);
  if (setns (fd, CLONE_NEWNET) < 0)
    return husk_error_make (err, errno, "join the rootless network namespace '%s'", ns);
  return 0;
}

/* ---- the namespace and its pasta --------------------------------------- */

static int
lock_dir (const char *top, husk_error_t *err)
{
  cleanup_free char *path = husk_asprintf ("%s/rootless-netns.lock", top);
  int fd;

  if (husk_mkdir_p (top, 0700, err) < 0)
    return -1;
  fd = open (path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0)
    return husk_error_make (err, errno, "open '%s'", path);
  while (flock (fd, LOCK_EX) < 0)
    if (errno != EINTR)
      {
        close (fd);
        return husk_error_make (err, errno, "lock '%s'", path);
      }
  return fd;
}

static bool
has_users (const char *dir)
{
  cleanup_free char *users = husk_asprintf ("%s/users", dir);
  DIR *d = opendir (users);
  struct dirent *e;
  bool any = false;

  while (d && !any && (e = readdir (d)))
    any = e->d_name[0] != '.';
  if (d)
    closedir (d);
  return any;
}

/* pasta, ending, unmount, files: all of it, whatever is there.  */
static void
teardown (const char *dir)
{
  cleanup_free char *ns = husk_asprintf ("%s/ns", dir);
  husk_error_t err = NULL;

  if (!husk_path_exists (dir))
    return;
  net_end_process (dir);
  if (umount2 (ns, MNT_DETACH | UMOUNT_NOFOLLOW) < 0 && errno != EINVAL && errno != ENOENT)
    husk_log_debug ("unmount '%s': %s", ns, strerror (errno));
  if (husk_rm_rf (dir, &err) < 0)
    husk_error_drop (&err, "remove '%s'", dir);
}

/* pasta for the namespace: the host's addresses and routes copied in,
   DNS to 169.254.1.1 forwarded to the host's resolver, and no port
   forwarded (published ports have a forwarder each, forward.c).  */
static int
start_pasta (const char *dir, const char *ns, const char *exe, husk_error_t *err)
{
  cleanup_free char *pidfile = husk_asprintf ("%s/pasta.pid", dir);
  cleanup_free char *text = NULL;
  char *argv[] = { (char *) exe, (char *) "--config-net", (char *) "--quiet",
                   (char *) "--netns", (char *) ns, (char *) "--pid", pidfile,
                   (char *) "--runas", (char *) "0:0", (char *) "-t", (char *) "none",
                   (char *) "-u", (char *) "none", (char *) "-T", (char *) "none",
                   (char *) "-U", (char *) "none", (char *) "--dns-forward",
                   (char *) "169.254.1.1", NULL };
  int status = 0, pid;
  pid_t child = net_spawn (dir, argv, -1, false, err);

  if (child < 0)
    return -1;
  while (waitpid (child, &status, 0) < 0 && errno == EINTR)
    ;
  if (!WIFEXITED (status) || WEXITSTATUS (status) != 0)
    {
      cleanup_free char *why = net_log (dir);
      return husk_error_makex (err, EIO, "pasta for the rootless network namespace failed "
                               "with exit code %d%s", WIFEXITED (status) ? WEXITSTATUS (status)
                                                                          : -1, why);
    }
  text = husk_read_file (pidfile, NULL, err);
  if (text == NULL || sscanf (text, "%d", &pid) != 1)
    return text ? husk_error_makex (err, EIO, "pasta wrote no pid") : -1;
  return net_record (dir, pid, err);
}

/* Whether the namespace is there with its pasta running.  */
static bool
alive (const char *dir)
{
  cleanup_free char *path = husk_asprintf ("%s/pid", dir);
  cleanup_free char *text = husk_read_file (path, NULL, NULL);
  unsigned long long start = 0;
  int pid = 0;
  struct husk_proc_id p;

  cleanup_free char *ns = husk_asprintf ("%s/ns", dir);
  cleanup_close int fd = -1;
  struct statfs sf;

  if (text == NULL || sscanf (text, "%d %llu", &pid, &start) != 2)
    return false;
  p = (struct husk_proc_id){ .pid = pid, .start = start };
  /* The bind mount is in the pause process's mount namespace: a new
     pause (system migrate) has none, though pasta may still run.  */
  fd = open (ns, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0 || fstatfs (fd, &sf) < 0 || sf.f_type != NSFS_MAGIC)
    return false;
  return husk_proc_alive (&p);
}

static int
ensure_locked (const char *dir, const char *pasta, const char *user, husk_error_t *err)
{
  cleanup_free char *ns = husk_asprintf ("%s/ns", dir);
  cleanup_free char *users = husk_asprintf ("%s/users", dir);
  cleanup_free char *mine = husk_asprintf ("%s/%s", users, user);

  if (!alive (dir))
    {
      /* A namespace whose pasta died (or a reboot's leftovers): anew.  */
      teardown (dir);
      if (pasta == NULL)
        return husk_error_makex (err, ENOENT, "pasta not found: install the passt package "
                                 "(it connects the rootless network namespace to the host)");
      if (husk_mkdir_p (users, 0700, err) < 0 || net_make_netns (ns, err) < 0
          || start_pasta (dir, ns, pasta, err) < 0)
        {
          teardown (dir);
          return -1;
        }
    }
  return husk_write_file_replace (mine, "", 0, 0600, err);
}

int
husk_net_rootless_ensure (const char *pasta, const char *user, husk_error_t *err)
{
  cleanup_free char *dir = husk_asprintf ("%s/rootless-netns", husk_net_rundir ());
  int lock = lock_dir (husk_net_rundir (), err), ret;

  if (lock < 0)
    return -1;
  ret = ensure_locked (dir, pasta, user, err);
  close (lock);
  return ret;
}

void
husk_net_rootless_release (const char *user)
{
  cleanup_free char *dir = husk_asprintf ("%s/rootless-netns", husk_net_rundir ());
  cleanup_free char *mine = husk_asprintf ("%s/users/%s", dir, user);
  husk_error_t err = NULL;
  int lock = lock_dir (husk_net_rundir (), &err);

  if (lock < 0)
    {
      husk_error_drop (&err, "release the rootless network namespace");
      return;
    }
  unlink (mine);
  /* The last user gone: pasta ends, the namespace (bridges, firewall,
     aardvark-dns's sockets) with it.  */
  if (!has_users (dir))
    teardown (dir);
  close (lock);
}

bool
husk_net_rootless_exists (void)
{
  cleanup_free char *dir = husk_asprintf ("%s/rootless-netns", husk_net_rundir ());

  return alive (dir);
}
