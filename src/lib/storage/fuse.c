/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Overlay through a FUSE mount program (fuse-overlayfs), Podman's
 * `mount_program`: for graph roots where the kernel's overlay cannot mount
 * (its upper file system lacks what overlay needs, or the kernel refuses
 * overlay in a user namespace).  fuse-overlayfs reads the layers as the
 * kernel would (0/0 character devices as whiteouts, the opaque xattrs), so
 * a store keeps one format whichever mounts it.
 *
 * The program mounts, forks its server into the background and exits;
 * the server lives until the mount is unmounted (umount2(), which needs no
 * fusermount3 as husk is root of the mount namespace that holds the
 * mount) and then exits by itself.
 */
#include "storage/driver.h"
#include "util/cleanup.h"
#include "util/fileutil.h"
#include "util/log.h"
#include "util/strutil.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define FUSE_OVERLAYFS "fuse-overlayfs"

char *
husk_fuse_overlay_find (void)
{
  /* The program is of no use when the caller may not open /dev/fuse
     (a host that keeps it 0600).  */
  if (access ("/dev/fuse", R_OK | W_OK) < 0)
    return NULL;
  const char *path = getenv ("PATH");
  cleanup_strv char **dirs = husk_strv_split (path && *path ? path : "/usr/local/bin:/usr/bin:/bin", ':');

  for (size_t i = 0; dirs && dirs[i]; i++)
    {
      char *p = husk_asprintf ("%s/" FUSE_OVERLAYFS, *dirs[i] ? dirs[i] : ".");

      if (dirs[i][0] == '/' && access (p, X_OK) == 0)
        return p;
      free (p);
    }
  return NULL;
}

/* "-o" argument: lowerdir=A:B,upperdir=U,workdir=W.  Paths are absolute:
   the server resolves them once, at start.  */
static char *
fuse_options (const char *base, char **lowers, const char *upper, const char *work)
{
  cleanup_strv char **abs = NULL;
  cleanup_free char *lower = NULL;

  for (size_t i = 0; lowers[i]; i++)
    {
      cleanup_free char *p = husk_asprintf ("%s/%s", base, lowers[i]);

      husk_strv_append (&abs, p);
    }
  lower = husk_strv_join (abs, ":");
  /* allow_other: container processes of any ID may use the mount; the
     kernel still checks permissions (default_permissions).  */
  if (upper)
    return husk_asprintf ("lowerdir=%s,upperdir=%s/%s,workdir=%s/%s,allow_other,"
                          "default_permissions", lower, base, upper, base, work);
  return husk_asprintf ("lowerdir=%s,allow_other,default_permissions", lower);
}

/* The program's complaints on one line, without its warnings about
   options it ignores.  */
static char *
stderr_reason (char *text)
{
  cleanup_strv char **lines = husk_strv_split (text, '\n');
  cleanup_strv char **kept = NULL;

  for (size_t i = 0; lines && lines[i]; i++)
    if (*lines[i] && !husk_has_prefix (lines[i], "unknown argument ignored"))
      husk_strv_append (&kept, lines[i]);
  return kept ? husk_strv_join (kept, "; ") : husk_xstrdup ("");
}

int
husk_fuse_overlay_mount (const char *program, const char *base, char **lowers,
                         const char *upper, const char *work, const char *target,
                         husk_error_t *err)
{
  cleanup_free char *opts = fuse_options (base, lowers, upper, work);
  char *argv[] = { (char *) program, (char *) "-o", opts, (char *) target, NULL };
  int pipefd[2], status = 0;
  char msg[2048] = "";
  cleanup_free char *why = NULL;
  ssize_t n;
  pid_t pid;

  husk_log_debug ("mount %s: %s -o %s %s", target, program, opts, target);
  if (pipe2 (pipefd, O_CLOEXEC) < 0)
    return husk_error_make (err, errno, "pipe");
  pid = fork ();
  if (pid < 0)
    {
      close (pipefd[0]);
      close (pipefd[1]);
      return husk_error_make (err, errno, "fork");
    }
  if (pid == 0)
    {
      int null = open ("/dev/null", O_RDWR);

      /* The server outlives this command: it must hold none of its
         descriptors (a test harness waits for their last holder).  */
      if (null < 0 || dup2 (null, 0) < 0 || dup2 (null, 1) < 0 || dup2 (pipefd[1], 2) < 0)
        _exit (127);
      close_range (3, ~0U, 0);
      execv (program, argv);
      _exit (127);
    }
  close (pipefd[1]);
  while (waitpid (pid, &status, 0) < 0 && errno == EINTR)
    ;
  /* The server keeps the pipe until it detaches: read what is there.  */
  fcntl (pipefd[0], F_SETFL, O_NONBLOCK);
  n = read (pipefd[0], msg, sizeof msg - 1);
  close (pipefd[0]);
  msg[n > 0 ? n : 0] = '\0';
  why = stderr_reason (msg);
  if (WIFEXITED (status) && WEXITSTATUS (status) == 0 && husk_store_is_mountpoint (target))
    return 0;
  if (WIFEXITED (status) && WEXITSTATUS (status) == 127 && !*why)
    return husk_error_makex (err, ENOENT, "cannot run the mount program '%s'", program);
  return husk_error_makex (err, EIO, "mount program '%s' failed to mount '%s'%s%s", program,
                           target, *why ? ": " : "", why);
}
