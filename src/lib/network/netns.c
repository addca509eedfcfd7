/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A container's network namespace kept in a file, its backend process
 * started and ended, the backends' programs found (network.h has the
 * theory of operation).
 */
#include "network/network-private.h"
#include "util/cleanup.h"
#include "util/fileutil.h"
#include "util/log.h"
#include "util/proc.h"
#include "util/strutil.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

/* ---- modes and programs ----------------------------------------------- */

const struct husk_net_backend *
husk_net_backend_find (const char *mode)
{
  if (mode && strcmp (mode, "pasta") == 0)
    return &husk_net_pasta;
  if (mode && strcmp (mode, "slirp4netns") == 0)
    return &husk_net_slirp4netns;
  return NULL;
}

int
husk_net_parse_mode (const char *spec, char **mode, json_t **options, husk_error_t *err)
{
  const char *colon = strchr (spec, ':');
  cleanup_free char *name = colon ? husk_xstrndup (spec, colon - spec) : husk_xstrdup (spec);
  const struct husk_net_backend *b = husk_net_backend_find (name);
  cleanup_json json_t *opts = json_array ();

  if (b == NULL)
    {
      *mode = husk_xstrdup (spec);
      *options = steal_ptr (&opts);
      return 0;
    }
  if (colon && colon[1])
    {
      /* Podman splits the options at commas: "pasta:-t,8080,-u,53".  */
      cleanup_strv char **v = husk_strv_split (colon + 1, ',');
      for (size_t i = 0; v[i]; i++)
        if (*v[i])
          json_array_append_new (opts, json_string (v[i]));
    }
  if (b->check_options (opts, err) < 0)
    return husk_error_wrap (err, "--network %s", spec);
  *mode = steal_ptr (&name);
  *options = steal_ptr (&opts);
  return 1;
}

static bool
executable (const char *path)
{
  struct stat st;

  return stat (path, &st) == 0 && S_ISREG (st.st_mode) && access (path, X_OK) == 0;
}

char *
husk_net_find_exe (const struct husk_net_backend *b, char *const *helper_dirs,
                   const char *override, husk_error_t *err)
{
  const char *path = getenv ("PATH");
  cleanup_strv char **dirs = husk_strv_split (path && *path ? path : "/usr/local/bin:/usr/bin:/bin", ':');

  if (override && *override)
    {
      if (executable (override))
        return husk_xstrdup (override);
      return husk_error_makex (err, ENOENT, "%s \"%s\" (--network-cmd-path) is not an "
                               "executable file", b->binary, override), NULL;
    }
  /* Podman's order: helper_binaries_dir, then $PATH.  */
  for (size_t i = 0; helper_dirs && helper_dirs[i]; i++)
    {
      cleanup_free char *p = husk_asprintf ("%s/%s", helper_dirs[i], b->binary);
      if (executable (p))
        return steal_ptr (&p);
    }
  for (size_t i = 0; dirs[i]; i++)
    {
      cleanup_free char *p = husk_asprintf ("%s/%s", *dirs[i] ? dirs[i] : ".", b->binary);
      if (*dirs[i] && executable (p))
        return steal_ptr (&p);
    }
  return husk_error_makex (err, ENOENT, "%s not found in helper_binaries_dir (containers.conf) "
                           "nor in $PATH: install the %s package, or choose another network "
                           "(--network %s)", b->binary, b->package,
                           strcmp (b->name, "pasta") == 0 ? "slirp4netns" : "pasta"), NULL;
}

char *
husk_net_version (const char *exe)
{
  char *argv[] = { (char *) exe, (char *) "--version", NULL };
  char buf[256];
  size_t len = 0;
  ssize_t n;
  int fds[2], status;
  pid_t pid;

  if (exe == NULL || *exe == '\0' || pipe2 (fds, O_CLOEXEC) < 0)
    return husk_xstrdup ("");
  pid = fork ();
  if (pid == 0)
    {
      int null = open ("/dev/null", O_RDWR);
      dup2 (null, 0);
      dup2 (fds[1], 1);
      dup2 (null, 2);
      execv (exe, argv);
      _exit (127);
    }
  close (fds[1]);
  while (pid > 0 && len < sizeof buf - 1
         && ((n = read (fds[0], buf + len, sizeof buf - 1 - len)) > 0 || (n < 0 && errno == EINTR)))
    len += n > 0 ? (size_t) n : 0;
  close (fds[0]);
  while (pid > 0 && waitpid (pid, &status, 0) < 0 && errno == EINTR)
    ;
  buf[len] = '\0';
  buf[strcspn (buf, "\n")] = '\0';
  return husk_xstrdup (buf);
}

char *
husk_net_dir (const char *runroot, const char *id)
{
  return husk_asprintf ("%s/net/%s", runroot, id);
}

/* ---- processes -------------------------------------------------------- */

/* In the forked child: the program's descriptors and session, then exec.  */
static void __attribute__ ((noreturn))
exec_child (const char *dir, const char *log, char *const argv[], int keep_fd)
{
  sigset_t none;
  int null = open ("/dev/null", O_RDWR | O_CLOEXEC);
  int out = open (log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);

  sigemptyset (&none);
  sigprocmask (SIG_SETMASK, &none, NULL);
  /* Ignored signals stay ignored across exec: pasta takes a SIGPIPE that
     was ignored already for a failure to install its handlers.  */
  for (int sig = 1; sig < NSIG; sig++)
    if (sig != SIGKILL && sig != SIGSTOP)
      signal (sig, SIG_DFL);
  setsid ();
  /* Relative paths (slirp4netns's API socket) are the directory's. */
  if (chdir (dir) < 0)
    _exit (127);
  if (null < 0 || out < 0 || dup2 (null, 0) < 0 || dup2 (out, 1) < 0 || dup2 (out, 2) < 0)
    _exit (127);
  /* dup2 onto itself keeps close-on-exec (stdio closed when husk began). */
  for (int fd = 0; fd < 3; fd++)
    fcntl (fd, F_SETFD, 0);
  if (keep_fd >= 0 && (keep_fd == 3 ? fcntl (3, F_SETFD, 0) : dup2 (keep_fd, 3)) < 0)
    _exit (127);
  syscall (SYS_close_range, keep_fd >= 0 ? 4U : 3U, ~0U, 0U);
  execv (argv[0], argv);
  _exit (127);
}

pid_t
net_spawn (const char *dir, char *const argv[], int keep_fd, bool detach, husk_error_t *err)
{
  cleanup_free char *log = husk_asprintf ("%s/log", dir);
  int fds[2] = { -1, -1 }, status;
  pid_t pid, grandchild = -1;

  if (detach && pipe2 (fds, O_CLOEXEC) < 0)
    return husk_error_make (err, errno, "pipe");
  pid = fork ();
  if (pid < 0)
    {
      if (detach)
        close (fds[0]), close (fds[1]);
      return husk_error_make (err, errno, "fork");
    }
  if (pid == 0)
    {
      if (!detach)
        exec_child (dir, log, argv, keep_fd);
      grandchild = fork ();
      if (grandchild == 0)
        exec_child (dir, log, argv, keep_fd);
      (void) !write (fds[1], &grandchild, sizeof grandchild);
      _exit (grandchild < 0 ? 1 : 0);
    }
  if (!detach)
    return pid;
  close (fds[1]);
  while (read (fds[0], &grandchild, sizeof grandchild) < 0 && errno == EINTR)
    ;
  close (fds[0]);
  while (waitpid (pid, &status, 0) < 0 && errno == EINTR)
    ;
  if (grandchild <= 0)
    return husk_error_makex (err, ECHILD, "could not start %s", argv[0]);
  return grandchild;
}

int
net_record (const char *dir, pid_t pid, husk_error_t *err)
{
  cleanup_free char *path = husk_asprintf ("%s/pid", dir);
  cleanup_free char *text = NULL;
  uint64_t start = 0;

  if (husk_proc_start_time (pid, &start) < 0)
    return husk_error_makex (err, ESRCH, "the network program (pid %d) exited", (int) pid);
  text = husk_asprintf ("%d %llu\n", (int) pid, (unsigned long long) start);
  return husk_write_file_replace (path, text, strlen (text), 0600, err);
}

char *
net_log (const char *dir)
{
  cleanup_free char *path = husk_asprintf ("%s/log", dir);
  cleanup_free char *text = husk_read_file (path, NULL, NULL);
  size_t n = text ? strlen (text) : 0;
  const char *p;

  while (n && (text[n - 1] == '\n' || text[n - 1] == ' '))
    text[--n] = '\0';
  if (n == 0)
    return husk_xstrdup ("");
  /* The last two lines say why; earlier ones are banners.  */
  p = text + n;
  for (int lines = 0; p > text && lines < 2; p--)
    if (p[-1] == '\n' && ++lines == 2)
      break;
  {
    cleanup_free char *flat = husk_xstrdup (p);
    for (char *q = flat; *q; q++)
      if (*q == '\n')
        *q = ' ';
    return husk_asprintf (": %s", flat);
  }
}

/* End the recorded backend process: only the recorded one (pid and start
   time, signalled through a pidfd), and wait a little for it, so that
   whoever looks next sees it gone.  */
void
net_end_process (const char *dir)
{
  cleanup_free char *path = husk_asprintf ("%s/pid", dir);
  cleanup_free char *text = husk_read_file (path, NULL, NULL);
  unsigned long long start = 0;
  int pid = 0;
  struct husk_proc_id p;

  if (text == NULL || sscanf (text, "%d %llu", &pid, &start) != 2 || pid <= 0 || start == 0)
    return;
  p = (struct husk_proc_id){ .pid = pid, .start = start };
  if (husk_proc_signal (&p, SIGTERM) == 0)
    husk_proc_await (&p, 1000);
}

void
husk_net_teardown (const char *dir)
{
  cleanup_free char *ns = husk_asprintf ("%s/ns", dir);

  if (!husk_path_exists (dir))
    return;
  net_end_process (dir);
  net_bridge_detach (dir, true);
  /* Until the bind mount goes the namespace stays, even with nobody in it. */
  if (umount2 (ns, MNT_DETACH | UMOUNT_NOFOLLOW) < 0 && errno != EINVAL && errno != ENOENT)
    husk_log_debug ("unmount '%s': %s", ns, strerror (errno));
  husk_error_t err = NULL;
  if (husk_rm_rf (dir, &err) < 0)
    husk_error_drop (&err, "remove '%s'", dir);
}

/* ---- the namespace ---------------------------------------------------- */

/* A new network namespace bound to path (an empty file): made by a child,
   so that husk itself never leaves the host's network namespace (rootless
   it could not come back).  */
int
net_make_netns (const char *path, husk_error_t *err)
{
  cleanup_close int fd = open (path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  int status;
  pid_t pid;

  if (fd < 0)
    return husk_error_make (err, errno, "create '%s'", path);
  pid = fork ();
  if (pid < 0)
    return husk_error_make (err, errno, "fork");
  if (pid == 0)
    {
      if (unshare (CLONE_NEWNET) < 0)
        _exit (errno);
      if (mount ("/proc/self/ns/net", path, NULL, MS_BIND, NULL) < 0)
        _exit (errno);
      _exit (0);
    }
  while (waitpid (pid, &status, 0) < 0 && errno == EINTR)
    ;
  if (!WIFEXITED (status) || WEXITSTATUS (status) != 0)
    return husk_error_makex (err, WIFEXITED (status) ? WEXITSTATUS (status) : ECHILD,
                             "make a network namespace on '%s': %s", path,
                             WIFEXITED (status) ? strerror (WEXITSTATUS (status)) : "killed");
  return 0;
}

/* Both backends make a tap device: say so when they cannot, before they
   fail with less to go on.  */
static int
check_tun (const struct husk_net_backend *b, husk_error_t *err)
{
  int fd = open ("/dev/net/tun", O_RDWR | O_CLOEXEC);

  if (fd >= 0)
    {
      close (fd);
      return 0;
    }
  return husk_error_make (err, errno, "%s needs /dev/net/tun, which is not accessible "
                          "(load the tun module, or make the device node 0666 as "
                          "distributions do)", b->name);
}

int
husk_net_start (const struct husk_net_backend *b, const struct husk_net_ctx *n,
                struct husk_net_pending *p, husk_error_t *err)
{
  *p = (struct husk_net_pending){ .child = 0, .ready_fd = -1 };
  husk_net_teardown (n->dir);
  if (check_tun (b, err) < 0)
    return -1;
  if (husk_mkdir_p (n->dir, 0700, err) < 0 || net_make_netns (n->netns, err) < 0
      || b->start (n, p, err) < 0)
    {
      husk_net_teardown (n->dir);
      return -1;
    }
  return 0;
}

int
husk_net_finish (const struct husk_net_backend *b, const struct husk_net_ctx *n,
                 struct husk_net_pending *p, husk_error_t *err)
{
  int ret = b->finish (n, p, err);

  if (p->ready_fd >= 0)
    close (p->ready_fd);
  *p = (struct husk_net_pending){ .child = 0, .ready_fd = -1 };
  if (ret < 0 || err == NULL)
    husk_net_teardown (n->dir);
  return ret;
}

/* ---- the host's addresses --------------------------------------------- */

/* The default route from /proc/net/route: its interface and gateway.  */
static bool
default_route (char ifname[IF_NAMESIZE], struct in_addr *gw)
{
  cleanup_fclose FILE *f = fopen ("/proc/net/route", "re");
  char line[256], name[IF_NAMESIZE + 1] = "";
  unsigned dest, gate, flags;

  while (f && fgets (line, sizeof line, f))
    if (sscanf (line, "%15s %x %x %x", name, &dest, &gate, &flags) == 4 && dest == 0
        && (flags & 0x2 /* RTF_GATEWAY */))
      {
        memcpy (ifname, name, IF_NAMESIZE - 1);
        ifname[IF_NAMESIZE - 1] = '\0';
        gw->s_addr = gate;
        return true;
      }
  return false;
}

char *
net_host_gateway (void)
{
  char ifname[IF_NAMESIZE], text[INET_ADDRSTRLEN];
  struct in_addr gw;

  if (!default_route (ifname, &gw) || inet_ntop (AF_INET, &gw, text, sizeof text) == NULL)
    return husk_xstrdup ("");
  return husk_xstrdup (text);
}

char *
net_host_ipv4 (void)
{
  char ifname[IF_NAMESIZE], text[INET_ADDRSTRLEN] = "";
  struct in_addr gw;
  struct ifaddrs *all = NULL;

  if (!default_route (ifname, &gw) || getifaddrs (&all) < 0)
    return husk_xstrdup ("");
  for (struct ifaddrs *a = all; a && text[0] == '\0'; a = a->ifa_next)
    if (a->ifa_addr && a->ifa_addr->sa_family == AF_INET && strcmp (a->ifa_name, ifname) == 0)
      inet_ntop (AF_INET, &((struct sockaddr_in *) a->ifa_addr)->sin_addr, text, sizeof text);
  freeifaddrs (all);
  return husk_xstrdup (text);
}
