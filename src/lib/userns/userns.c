/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The rootless user namespace and its pause process (userns.h).
 *
 * Creating: a child unshares a user namespace and waits; the parent (in the
 * initial namespace, the owner) writes its ID maps, through newuidmap and
 * newgidmap when the user has subordinate ranges, else directly (own ID
 * only, after "deny" to setgroups, as the kernel requires); the child then
 * unshares a mount namespace owned by the new user namespace (the host's
 * shared mounts arrive there as slaves: nothing mounted inside leaks out),
 * detaches and pauses forever.  The parent records it (pid, boot, start
 * time) and joins.  Every step is under a lock, so two first commands make
 * one namespace.
 *
 * Joining: pidfd of exactly the recorded process (util/proc), then one
 * setns() with CLONE_NEWUSER | CLONE_NEWNS: both or neither, and no window
 * in which the pid could name another process.
 */
#include "userns/userns.h"
#include "util/cleanup.h"
#include "util/fileutil.h"
#include "util/hostdb.h"
#include "util/log.h"
#include "util/proc.h"
#include "util/strutil.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAX_RANGES 16

static bool joined_here; /* this process joined (rather than inherited) */

bool
husk_userns_rootless (void)
{
  return geteuid () != 0 || getenv (HUSK_USERNS_ENV) != NULL;
}

uid_t
husk_userns_host_uid (void)
{
  const char *v = getenv (HUSK_USERNS_ENV);
  char *end;
  unsigned long u;

  if (v == NULL)
    return getuid ();
  u = strtoul (v, &end, 10);
  return *end == '\0' && end != v ? (uid_t) u : getuid ();
}

/* ---- where the record lives ----------------------------------------------- */

/* dir must be the user's own and closed to others: in /tmp anybody could
   have made it first, or put a symlink there.  */
static int
check_dir (const char *dir, uid_t uid, husk_error_t *err)
{
  cleanup_close int fd = open (dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  /* Inside the namespace (system reset stops the pause from there) the
     user's own uid reads as 0.  */
  uid_t seen = getenv (HUSK_USERNS_ENV) && geteuid () == 0 ? 0 : uid;
  struct stat st;

  if (fd < 0 || fstat (fd, &st) < 0)
    return husk_error_make (err, errno, "open '%s'", dir);
  if (st.st_uid != seen || (st.st_mode & 077) != 0)
    return husk_error_makex (err, EPERM, "'%s' must be a directory of uid %u with mode 0700 "
                             "(it is uid %u, mode %04o): remove it or set XDG_RUNTIME_DIR",
                             dir, (unsigned) uid, (unsigned) st.st_uid,
                             (unsigned) (st.st_mode & 07777));
  return 0;
}

static char *
userns_dir (uid_t uid, husk_error_t *err)
{
  const char *xdg = getenv ("XDG_RUNTIME_DIR");
  char *dir;

  if (xdg && xdg[0] == '/')
    dir = husk_asprintf ("%s/husk", xdg);
  else
    dir = husk_asprintf ("/tmp/husk-run-%u", (unsigned) uid);
  if (husk_mkdir_p (dir, 0700, err) < 0)
    {
      free (dir);
      return NULL;
    }
  if (check_dir (dir, uid, err) < 0)
    {
      free (dir);
      return NULL;
    }
  return dir;
}

char *
husk_userns_dir (uid_t uid)
{
  return userns_dir (uid, NULL);
}

/* ---- ID ranges ------------------------------------------------------------ */

static bool
owner_matches (const char *s, size_t len, const char *name, uid_t id)
{
  char num[24];

  if (name && strlen (name) == len && memcmp (s, name, len) == 0)
    return true;
  snprintf (num, sizeof num, "%u", (unsigned) id);
  return strlen (num) == len && memcmp (s, num, len) == 0;
}

static bool
parse_range (const char *s, struct husk_id_range *r)
{
  char *end;
  unsigned long start, count;

  errno = 0;
  start = strtoul (s, &end, 10);
  if (errno || end == s || *end != ':')
    return false;
  s = end + 1;
  count = strtoul (s, &end, 10);
  if (errno || end == s || (*end != '\0' && *end != '\n') || count == 0)
    return false;
  r->outside = start;
  r->size = count;
  return true;
}

size_t
husk_userns_subids (const char *file, const char *name, uid_t id,
                    struct husk_id_range *r, size_t max)
{
  size_t len = 0, n = 0;
  cleanup_free char *text = husk_read_file (file, &len, NULL);
  unsigned long next = 1; /* inside: 0 is the user's own ID */

  for (char *line = text, *eol; line && *line && n < max; line = eol ? eol + 1 : NULL)
    {
      char *colon = strchr (line, ':');

      eol = strchr (line, '\n');
      if (eol)
        *eol = '\0';
      if (colon == NULL || !owner_matches (line, (size_t) (colon - line), name, id)
          || !parse_range (colon + 1, &r[n]))
        continue;
      r[n].inside = next;
      next += r[n].size;
      n++;
    }
  return n;
}

/* ---- the maps ------------------------------------------------------------- */

static int
run_helper (char *const argv[], husk_error_t *err)
{
  int status;
  pid_t pid = fork ();

  if (pid < 0)
    return husk_error_make (err, errno, "fork");
  if (pid == 0)
    {
      execvp (argv[0], argv);
      _exit (127);
    }
  while (waitpid (pid, &status, 0) < 0)
    if (errno != EINTR)
      return husk_error_make (err, errno, "wait for %s", argv[0]);
  if (WIFEXITED (status) && WEXITSTATUS (status) == 0)
    return 0;
  if (WIFEXITED (status) && WEXITSTATUS (status) == 127)
    return husk_error_makex (err, ENOENT, "%s not found: install the uidmap package",
                             argv[0]);
  return husk_error_makex (err, EPERM, "%s failed (status %d): check the ranges for "
                           "this user in /etc/subuid and /etc/subgid", argv[0],
                           WIFEXITED (status) ? WEXITSTATUS (status) : 128 + WTERMSIG (status));
}

/* newuidmap PID 0 ID 1 [INSIDE OUTSIDE SIZE]... */
static int
map_with_helper (const char *helper, pid_t pid, unsigned long id,
                 const struct husk_id_range *r, size_t n, husk_error_t *err)
{
  char *argv[5 + 3 * MAX_RANGES + 1] = { NULL };
  size_t a = 0;
  int ret;

  argv[a++] = husk_xstrdup (helper);
  argv[a++] = husk_asprintf ("%d", (int) pid);
  argv[a++] = husk_xstrdup ("0");
  argv[a++] = husk_asprintf ("%lu", id);
  argv[a++] = husk_xstrdup ("1");
  for (size_t i = 0; i < n; i++)
    {
      argv[a++] = husk_asprintf ("%lu", r[i].inside);
      argv[a++] = husk_asprintf ("%lu", r[i].outside);
      argv[a++] = husk_asprintf ("%lu", r[i].size);
    }
  ret = run_helper (argv, err);
  for (size_t i = 0; i < a; i++)
    free (argv[i]);
  return ret;
}

static int
write_proc (pid_t pid, const char *file, const char *text, husk_error_t *err)
{
  cleanup_free char *path = husk_asprintf ("/proc/%d/%s", (int) pid, file);
  cleanup_close int fd = open (path, O_WRONLY | O_CLOEXEC);

  if (fd < 0 || husk_write_all (fd, text, strlen (text)) < 0)
    return husk_error_make (err, errno, "write '%s'", path);
  return 0;
}

/* Without ranges (or helpers): the user's own IDs only.  */
static int
map_single (pid_t pid, husk_error_t *err)
{
  cleanup_free char *u = husk_asprintf ("0 %u 1\n", (unsigned) getuid ());
  cleanup_free char *g = husk_asprintf ("0 %u 1\n", (unsigned) getgid ());

  if (write_proc (pid, "uid_map", u, err) < 0 || write_proc (pid, "setgroups", "deny", err) < 0)
    return -1;
  return write_proc (pid, "gid_map", g, err);
}

static int
write_maps (pid_t pid, husk_error_t *err)
{
  struct husk_id_range ur[MAX_RANGES], gr[MAX_RANGES];
  cleanup_free char *name = husk_hostdb_field ("/etc/passwd", getuid (), 0);
  size_t nu = husk_userns_subids ("/etc/subuid", name, getuid (), ur, MAX_RANGES);
  /* /etc/subgid is keyed by the user too (its name or uid), as shadow-utils
     writes it.  */
  size_t ng = husk_userns_subids ("/etc/subgid", name, getuid (), gr, MAX_RANGES);

  if (nu == 0 || ng == 0)
    {
      husk_log_debug ("no subordinate ranges for uid %u: mapping only its own IDs",
                      (unsigned) getuid ());
      return map_single (pid, err);
    }
  if (map_with_helper ("newuidmap", pid, getuid (), ur, nu, err) < 0)
    return -1;
  return map_with_helper ("newgidmap", pid, getgid (), gr, ng, err);
}

/* ---- the pause process ---------------------------------------------------- */

static void
send_byte (int fd, char c)
{
  while (write (fd, &c, 1) < 0 && errno == EINTR)
    ;
}

static char
recv_byte (int fd)
{
  char c = 0;

  while (read (fd, &c, 1) < 0 && errno == EINTR)
    ;
  return c;
}

void
husk_userns_pause (void)
{
  sigset_t none;

  prctl (PR_SET_NAME, HUSK_PAUSE_NAME, 0, 0, 0);
  signal (SIGHUP, SIG_IGN);
  signal (SIGINT, SIG_IGN);
  sigemptyset (&none);
  sigprocmask (SIG_SETMASK, &none, NULL);
  for (;;)
    pause ();
}

/* Detach and become the pause process: the same binary run again as
   "husk-pause", so that it holds no copy of the command that made it
   (ps shows it by that name, and it is small); in place if that fails.  */
static void __attribute__ ((noreturn))
pause_forever (void)
{
  char *argv[] = { (char *) HUSK_PAUSE_NAME, NULL };
  char *envp[] = { NULL };
  int null = open ("/dev/null", O_RDWR | O_CLOEXEC);

  setsid ();
  if (null >= 0)
    {
      dup2 (null, 0);
      dup2 (null, 1);
      dup2 (null, 2);
    }
  close_range (3, ~0U, 0);
  if (chdir ("/") < 0)
    _exit (1);
  execve ("/proc/self/exe", argv, envp);
  husk_userns_pause ();
}

/* The child: unshare, wait for the maps, make the mount namespace.  */
static void __attribute__ ((noreturn))
pause_child (int up, int down)
{
  if (unshare (CLONE_NEWUSER) < 0)
    {
      send_byte (up, 'E');
      _exit (1);
    }
  send_byte (up, 'U');
  if (recv_byte (down) != 'M')
    _exit (1);
  if (unshare (CLONE_NEWNS) < 0)
    {
      send_byte (up, 'E');
      _exit (1);
    }
  send_byte (up, 'R');
  close (up);
  close (down);
  pause_forever ();
}

static int
write_record (const char *dir, pid_t pid, husk_error_t *err)
{
  char boot[HUSK_BOOT_ID_LEN + 1];
  uint64_t start;
  cleanup_free char *path = husk_asprintf ("%s/pause.pid", dir);
  cleanup_free char *text = NULL;

  if (husk_proc_boot_id (boot) < 0 || husk_proc_start_time (pid, &start) < 0)
    return husk_error_make (err, errno, "identify the pause process %d", (int) pid);
  /* The pid alone on the first line, as other tools read pause.pid.  */
  text = husk_asprintf ("%d\n%s %llu\n", (int) pid, boot, (unsigned long long) start);
  return husk_write_file_replace (path, text, strlen (text), 0600, err);
}

static int
create_pause (const char *dir, husk_error_t *err)
{
  int up[2], down[2];
  pid_t pid;
  char c;

  if (pipe2 (up, O_CLOEXEC) < 0)
    return husk_error_make (err, errno, "pipe");
  if (pipe2 (down, O_CLOEXEC) < 0)
    {
      close (up[0]);
      close (up[1]);
      return husk_error_make (err, errno, "pipe");
    }
  pid = fork ();
  if (pid == 0)
    {
      close (up[0]);
      close (down[1]);
      pause_child (up[1], down[0]);
    }
  close (up[1]);
  close (down[0]);
  if (pid < 0)
    goto fail_errno;
  if ((c = recv_byte (up[0])) != 'U')
    goto fail_unshare;
  if (write_maps (pid, err) < 0)
    goto fail;
  send_byte (down[1], 'M');
  if ((c = recv_byte (up[0])) != 'R')
    goto fail_unshare;
  close (up[0]);
  close (down[1]);
  husk_log_debug ("created the user namespace: pause process %d", (int) pid);
  if (write_record (dir, pid, err) == 0)
    return 0;
  kill (pid, SIGKILL);
  waitpid (pid, NULL, 0);
  return -1;

fail_unshare:
  husk_error_makex (err, EPERM, "cannot create a user namespace: user namespaces are "
                    "disabled or limited on this host (see "
                    "/proc/sys/user/max_user_namespaces)");
  goto fail;
fail_errno:
  husk_error_make (err, errno, "fork");
fail:
  close (up[0]);
  close (down[1]);
  if (pid > 0)
    {
      kill (pid, SIGKILL);
      waitpid (pid, NULL, 0);
    }
  return -1;
}

/* ---- joining -------------------------------------------------------------- */

/* The recorded pause process, or pid 0.  boot receives the boot ID.  */
static struct husk_proc_id
read_record (const char *dir, char boot[HUSK_BOOT_ID_LEN + 1])
{
  cleanup_free char *path = husk_asprintf ("%s/pause.pid", dir);
  cleanup_free char *text = husk_read_file (path, NULL, NULL);
  struct husk_proc_id id = { 0 };
  unsigned long long start;
  int pid;

  if (text && sscanf (text, "%d\n%36s %llu", &pid, boot, &start) == 3 && pid > 0)
    {
      id.pid = pid;
      id.start = start;
      id.boot_id = boot;
    }
  return id;
}

/* setns() resets the working directory to the namespace's root: keep it.  */
static int
enter (int pidfd, husk_error_t *err)
{
  cleanup_free char *cwd = getcwd (NULL, 0);
  char uid[24];

  snprintf (uid, sizeof uid, "%u", (unsigned) getuid ());
  if (setns (pidfd, CLONE_NEWUSER | CLONE_NEWNS) < 0)
    return husk_error_make (err, errno, "join the user namespace");
  if (cwd && chdir (cwd) < 0 && chdir ("/") < 0)
    return husk_error_make (err, errno, "chdir");
  setenv (HUSK_USERNS_ENV, uid, 1);
  joined_here = true;
  return 0;
}

bool
husk_userns_inherited (void)
{
  return getenv (HUSK_USERNS_ENV) != NULL && !joined_here;
}

/* Join the recorded pause process: 1 when joined, 0 when there is none
   (or it is not the recorded process any more), -1 on error.  */
static int
try_join (const char *dir, husk_error_t *err)
{
  struct timespec t0 = husk_log_clock ();
  char boot[HUSK_BOOT_ID_LEN + 1] = "";
  struct husk_proc_id id = read_record (dir, boot);
  cleanup_close int pidfd = id.pid ? husk_proc_open (&id) : -1;

  if (pidfd < 0)
    return 0;
  if (enter (pidfd, err) < 0)
    return -1;
  /* bench/rootless.sh reads this line: the issue bounds the join at 1 ms.  */
  husk_log_timing (&t0, "joining the user namespace of pause process %d", (int) id.pid);
  return 1;
}

int
husk_userns_join (husk_error_t *err)
{
  cleanup_free char *dir = NULL;
  cleanup_free char *lock_path = NULL;
  cleanup_close int lock = -1;
  int r;

  if (geteuid () == 0 || getenv (HUSK_USERNS_ENV) != NULL)
    return 0;
  dir = userns_dir (getuid (), err);
  if (dir == NULL)
    return -1;
  if ((r = try_join (dir, err)) != 0)
    return r < 0 ? -1 : 0;
  lock_path = husk_asprintf ("%s/pause.lock", dir);
  lock = open (lock_path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (lock < 0 || flock (lock, LOCK_EX) < 0)
    return husk_error_make (err, errno, "lock '%s'", lock_path);
  /* Another command may have made it while this one waited.  */
  if ((r = try_join (dir, err)) != 0)
    return r < 0 ? -1 : 0;
  if (create_pause (dir, err) < 0)
    return -1;
  r = try_join (dir, err);
  if (r == 0)
    return husk_error_makex (err, ESRCH, "the pause process exited before husk could join it");
  return r < 0 ? -1 : 0;
}

int
husk_userns_stop_pause (bool *stopped, husk_error_t *err)
{
  char boot[HUSK_BOOT_ID_LEN + 1] = "";
  cleanup_free char *dir = userns_dir (husk_userns_host_uid (), err);
  cleanup_free char *path = NULL;
  struct husk_proc_id id;

  *stopped = false;
  if (dir == NULL)
    return -1;
  id = read_record (dir, boot);
  path = husk_asprintf ("%s/pause.pid", dir);
  if (id.pid && husk_proc_signal (&id, SIGKILL) == 0)
    {
      *stopped = true;
      husk_proc_await (&id, 5000);
    }
  if (unlink (path) < 0 && errno != ENOENT)
    return husk_error_make (err, errno, "remove '%s'", path);
  return 0;
}
