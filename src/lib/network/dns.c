/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Name resolution between the containers of a bridge network, through
 * aardvark-dns, driven as Podman's netavark drives it: one file per
 * network in HUSK_DNS_DIR, its first line the addresses to listen on (the
 * gateway) and, after a space, the network's DNS servers (network create
 * --dns: aardvark-dns forwards other names there instead of the host's
 * resolvers; aardvark-dns before 1.6 ignores them), then one line per
 * container "ID IPV4S IPV6S NAMES" (lists comma-separated, IPv6 empty
 * here).  One aardvark-dns serves the host on
 * port 53 of every gateway; it reads the files again on SIGHUP.
 *
 * Every change holds HUSK_DNS_LOCK: the first container of a network
 * writes its file and starts aardvark-dns when none runs (else SIGHUP),
 * the last one's teardown removes the file, and with the last file the
 * server is stopped.  The server's pid and start time are recorded in
 * HUSK_DNS_PID, so that only that process is ever signalled.
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
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

/* Under husk_net_rundir (): the host's, or the user's rootless.  */
static const char *
dns_file (const char *leaf)
{
  static char *dir, *lock, *pid;
  char **p = strcmp (leaf, "aardvark-dns") == 0 ? &dir : strcmp (leaf, "aardvark.lock") == 0 ? &lock : &pid;

  if (*p == NULL)
    *p = husk_asprintf ("%s/%s", husk_net_rundir (), leaf);
  return *p;
}
#define HUSK_DNS_DIR dns_file ("aardvark-dns")
#define HUSK_DNS_LOCK dns_file ("aardvark.lock")
#define HUSK_DNS_PID dns_file ("aardvark.id")

static int
dns_lock (husk_error_t *err)
{
  int fd;

  if (husk_mkdir_p (HUSK_DNS_DIR, 0700, err) < 0)
    return -1;
  fd = open (HUSK_DNS_LOCK, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0)
    return husk_error_make (err, errno, "open '%s'", HUSK_DNS_LOCK);
  while (flock (fd, LOCK_EX) < 0)
    if (errno != EINTR)
      {
        close (fd);
        return husk_error_make (err, errno, "lock '%s'", HUSK_DNS_LOCK);
      }
  return fd;
}

/* The recorded server, when it still runs.  */
static bool
server (struct husk_proc_id *p)
{
  cleanup_free char *text = husk_read_file (HUSK_DNS_PID, NULL, NULL);
  unsigned long long start = 0;
  int pid = 0;

  if (text == NULL || sscanf (text, "%d %llu", &pid, &start) != 2 || pid <= 0 || start == 0)
    return false;
  *p = (struct husk_proc_id){ .pid = pid, .start = start };
  return husk_proc_alive (p);
}

static void
stop_server (void)
{
  struct husk_proc_id p;

  if (server (&p) && husk_proc_signal (&p, SIGTERM) == 0)
    husk_proc_await (&p, 2000);
  unlink (HUSK_DNS_PID);
}

static void __attribute__ ((noreturn))
exec_server (const char *exe, int errfd)
{
  char *argv[] = { (char *) "aardvark-dns", (char *) "--config", (char *) HUSK_DNS_DIR,
                   (char *) "-p", (char *) "53", (char *) "run", NULL };
  int null = open ("/dev/null", O_RDWR);
  sigset_t none;

  husk_error_t err = NULL;

  sigemptyset (&none);
  sigprocmask (SIG_SETMASK, &none, NULL);
  setsid ();
  if (null < 0 || dup2 (null, 0) < 0 || dup2 (null, 1) < 0 || dup2 (errfd, 2) < 0)
    _exit (127);
  /* Rootless, the gateways it listens on are in the rootless network
     namespace.  */
  if (husk_userns_rootless () && husk_net_enter_rootless_netns (&err) < 0)
    {
      dprintf (2, "%s\n", err->msg);
      _exit (127);
    }
  /* No lock or database of husk's goes along.  */
  syscall (SYS_close_range, 3U, ~0U, 0U);
  execv (exe, argv);
  dprintf (2, "cannot run %s: %s\n", exe, strerror (errno));
  _exit (127);
}

/* Start aardvark-dns: it forks, and its first process exits once the
   server listens.  Record the server's pid (it writes aardvark.pid).  */
static int
start_server (const char *exe, husk_error_t *err)
{
  cleanup_free char *log = husk_asprintf ("%s.log", HUSK_DNS_PID);
  cleanup_free char *pidfile = husk_asprintf ("%s/aardvark.pid", HUSK_DNS_DIR);
  cleanup_free char *text = NULL, *rec = NULL;
  cleanup_close int errfd = open (log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  uint64_t start = 0;
  int status, pid;
  pid_t child;

  if (errfd < 0)
    return husk_error_make (err, errno, "open '%s'", log);
  unlink (pidfile);
  if ((child = fork ()) < 0)
    return husk_error_make (err, errno, "fork");
  if (child == 0)
    exec_server (exe, errfd);
  while (waitpid (child, &status, 0) < 0 && errno == EINTR)
    ;
  text = husk_read_file (pidfile, NULL, NULL);
  if (!WIFEXITED (status) || WEXITSTATUS (status) != 0 || text == NULL
      || (pid = atoi (text)) <= 0 || husk_proc_start_time (pid, &start) < 0)
    {
      cleanup_free char *why = husk_read_file (log, NULL, NULL);
      size_t n = why ? strlen (why) : 0;
      while (n && why[n - 1] == '\n')
        why[--n] = '\0';
      return husk_error_makex (err, EIO, "aardvark-dns did not start: %s",
                               n ? why : "no message");
    }
  rec = husk_asprintf ("%d %llu\n", pid, (unsigned long long) start);
  return husk_write_file_replace (HUSK_DNS_PID, rec, strlen (rec), 0600, err);
}

/* The network's file without the container's line (NULL: no file).  */
static char *
without (const char *path, const char *id)
{
  cleanup_free char *text = husk_read_file (path, NULL, NULL);
  cleanup_strv char **lines = NULL;
  struct husk_buf b = HUSK_BUF_INIT;

  if (text == NULL)
    return NULL;
  lines = husk_strv_split (text, '\n');
  for (size_t i = 0; lines[i]; i++)
    if (*lines[i] && !(i > 0 && husk_has_prefix (lines[i], id) && lines[i][strlen (id)] == ' '))
      {
        husk_buf_puts (&b, lines[i]);
        husk_buf_putc (&b, '\n');
      }
  return husk_buf_steal (&b);
}

static bool
any_network (void)
{
  DIR *d = opendir (HUSK_DNS_DIR);
  struct dirent *e;
  bool any = false;

  while (d && !any && (e = readdir (d)))
    any = e->d_name[0] != '.' && strcmp (e->d_name, "aardvark.pid") != 0;
  if (d)
    closedir (d);
  return any;
}

/* A network file's first line: the gateway, then its servers.  */
static char *
first_line (const char *gateway, json_t *servers)
{
  struct husk_buf b = HUSK_BUF_INIT;
  size_t i;
  json_t *v;

  husk_buf_puts (&b, gateway);
  json_array_foreach (servers, i, v)
    {
      husk_buf_putc (&b, i == 0 ? ' ' : ',');
      husk_buf_puts (&b, json_string_value (v));
    }
  husk_buf_putc (&b, '\n');
  return husk_buf_steal (&b);
}

/* Tell the server to read its files again, if it runs.  */
static int
reload_server (husk_error_t *err)
{
  struct husk_proc_id p;

  if (server (&p) && husk_proc_signal (&p, SIGHUP) < 0)
    return husk_error_make (err, errno, "signal aardvark-dns (pid %d)", p.pid);
  return 0;
}

static int
set_servers_locked (const char *network, json_t *servers, husk_error_t *err)
{
  cleanup_free char *path = husk_asprintf ("%s/%s", HUSK_DNS_DIR, network);
  cleanup_free char *text = husk_read_file (path, NULL, NULL);
  cleanup_free char *gateway = NULL, *head = NULL, *out = NULL;
  const char *nl = text ? strchr (text, '\n') : NULL;

  if (nl == NULL)
    return 0; /* no container of the network runs */
  gateway = husk_xstrndup (text, strcspn (text, " \n"));
  head = first_line (gateway, servers);
  out = husk_asprintf ("%s%s", head, nl + 1);
  if (husk_write_file_replace (path, out, strlen (out), 0644, err) < 0)
    return -1;
  return reload_server (err);
}

int
husk_dns_set_servers (const char *network, json_t *servers, husk_error_t *err)
{
  int fd = dns_lock (err), ret;

  if (fd < 0)
    return -1;
  ret = set_servers_locked (network, servers, err);
  close (fd);
  return ret;
}

static int
add_locked (const struct husk_dns_entry *q, husk_error_t *err)
{
  cleanup_free char *path = husk_asprintf ("%s/%s", HUSK_DNS_DIR, q->network);
  cleanup_free char *old = without (path, q->id);
  cleanup_free char *names = husk_strv_join (q->names, ",");
  cleanup_free char *text = NULL;
  struct husk_proc_id p;

  if (old == NULL)
    old = first_line (q->gateway, q->servers);
  /* The IPv6 column of a dual-stack network: AAAA answers.  */
  text = husk_asprintf ("%s%s %s %s %s\n", old, q->id, q->ip, q->ip6 ? q->ip6 : "", names);
  if (husk_write_file_replace (path, text, strlen (text), 0644, err) < 0)
    return -1;
  if (server (&p))
    {
      if (husk_proc_signal (&p, SIGHUP) < 0)
        return husk_error_make (err, errno, "signal aardvark-dns (pid %d)", p.pid);
      return 0;
    }
  return start_server (q->exe, err);
}

int
husk_dns_add (const struct husk_dns_entry *q, husk_error_t *err)
{
  int fd = dns_lock (err), ret;

  if (fd < 0)
    return -1;
  ret = add_locked (q, err);
  close (fd);
  return ret;
}

void
husk_dns_remove (const char *network, const char *id)
{
  cleanup_free char *path = husk_asprintf ("%s/%s", HUSK_DNS_DIR, network);
  cleanup_free char *rest = NULL;
  husk_error_t err = NULL;
  struct husk_proc_id p;
  int fd = dns_lock (&err);

  if (fd < 0)
    {
      husk_error_drop (&err, "DNS entry of %.12s", id);
      return;
    }
  rest = without (path, id);
  /* Only the first line left: the network has no container any more.  */
  if (rest && strchr (rest, '\n') == rest + strlen (rest) - 1)
    unlink (path);
  else if (rest && husk_write_file_replace (path, rest, strlen (rest), 0644, &err) < 0)
    husk_error_drop (&err, "DNS entry of %.12s", id);
  if (!any_network ())
    stop_server ();
  else if (server (&p))
    husk_proc_signal (&p, SIGHUP);
  close (fd);
}

char *
husk_dns_find_exe (char *const *helper_dirs, husk_error_t *err)
{
  for (size_t i = 0; helper_dirs && helper_dirs[i]; i++)
    {
      cleanup_free char *p = husk_asprintf ("%s/aardvark-dns", helper_dirs[i]);
      if (access (p, X_OK) == 0)
        return steal_ptr (&p);
    }
  return husk_error_makex (err, ENOENT, "aardvark-dns not found in helper_binaries_dir "
                           "(containers.conf): install the aardvark-dns package, or create "
                           "the network with --disable-dns"), NULL;
}
