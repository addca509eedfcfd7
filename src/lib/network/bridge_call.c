/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * husk's side of bridge networks at start and teardown: the namespace is
 * made here (netns.c), the links and the firewall by husk-netconf
 * (src/netconf/netconf.h says why it is a program of its own).
 */
#include "network/bridge-private.h"
#include "husk-config.h"
#include "userns/userns.h"
#include "util/cleanup.h"
#include "util/fileutil.h"
#include "util/log.h"
#include "util/strutil.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <net/if.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

/* husk-netconf next to husk (a build tree), else the installed one.  */
static char *
helper_path (void)
{
  char exe[PATH_MAX];
  ssize_t n = readlink ("/proc/self/exe", exe, sizeof exe - 1);
  char *slash;

  if (n > 0)
    {
      exe[n] = '\0';
      if ((slash = strrchr (exe, '/')))
        {
          cleanup_free char *p = husk_asprintf ("%.*s/husk-netconf", (int) (slash - exe), exe);
          if (access (p, X_OK) == 0)
            return steal_ptr (&p);
        }
    }
  return husk_xstrdup (HUSK_LIBEXECDIR "/husk-netconf");
}

static void __attribute__ ((noreturn))
exec_helper (const char *path, const char *verb, const char *arg, int in, int errw)
{
  char *argv[] = { (char *) "husk-netconf", (char *) verb, (char *) arg, NULL };
  sigset_t none;

  sigemptyset (&none);
  sigprocmask (SIG_SETMASK, &none, NULL);
  if (dup2 (in, 0) < 0 || dup2 (errw, 2) < 0 || dup2 (errw, 1) < 0)
    _exit (127);
  /* No descriptor of husk's (the state database's lock) goes along.  */
  syscall (SYS_close_range, 3U, ~0U, 0U);
  execv (path, argv);
  dprintf (2, "cannot run %s: %s\n", path, strerror (errno));
  _exit (127);
}

/* Run husk-netconf VERB [ARG] with input on its stdin.  Return: 0, or -1
   with its message.  */
static int
run_helper (const char *verb, const char *arg, json_t *input, husk_error_t *err)
{
  cleanup_free char *path = helper_path ();
  cleanup_free char *text = input ? json_dumps (input, JSON_COMPACT) : husk_xstrdup ("");
  int in[2], out[2], status;
  char msg[1024];
  size_t len = 0;
  ssize_t n;
  pid_t pid;

  if (pipe2 (in, O_CLOEXEC) < 0)
    return husk_error_make (err, errno, "pipe");
  if (pipe2 (out, O_CLOEXEC) < 0)
    {
      close (in[0]), close (in[1]);
      return husk_error_make (err, errno, "pipe");
    }
  if ((pid = fork ()) == 0)
    exec_helper (path, verb, arg, in[0], out[1]);
  close (in[0]);
  close (out[1]);
  if (pid > 0 && husk_write_all (in[1], text, strlen (text)) < 0)
    husk_log_debug ("husk-netconf: write: %s", strerror (errno));
  close (in[1]);
  while (pid > 0 && len < sizeof msg - 1
         && ((n = read (out[0], msg + len, sizeof msg - 1 - len)) > 0 || (n < 0 && errno == EINTR)))
    len += n > 0 ? (size_t) n : 0;
  close (out[0]);
  if (pid < 0)
    return husk_error_make (err, errno, "fork");
  while (waitpid (pid, &status, 0) < 0 && errno == EINTR)
    ;
  msg[len] = '\0';
  while (len && msg[len - 1] == '\n')
    msg[--len] = '\0';
  if (WIFEXITED (status) && WEXITSTATUS (status) == 0)
    return 0;
  return husk_error_makex (err, EIO, "%s", *msg ? msg : "husk-netconf failed");
}

/* The container's names in aardvark-dns; <dir>/dns (dns.N for its
   network of slot N) says which network's entry the teardown removes.  */
static int
attach_dns (const struct husk_bridge_attach *a, husk_error_t *err)
{
  const char *name = json_string_value (json_object_get (a->network, "name"));
  json_t *sub = json_array_get (json_object_get (a->network, "subnets"), 0);
  struct husk_dns_entry q = {
    .network = name,
    .gateway = json_string_value (json_object_get (sub, "gateway")),
    .id = a->id,
    .ip = a->ip,
    .ip6 = a->ip6 && *a->ip6 ? a->ip6 : NULL,
    .names = a->dns_names,
    .exe = a->dns_exe,
    .servers = json_object_get (a->network, "network_dns_servers"),
  };
  cleanup_free char *path = husk_net_slot_file (a->dir, "dns", a->slot);
  cleanup_free char *text = husk_asprintf ("%s\n%s\n", name, a->id);

  if (husk_write_file_new (path, text, strlen (text), 0600, err) < 0)
    return -1;
  return husk_dns_add (&q, err);
}

static void
detach_dns (const char *path)
{
  cleanup_free char *text = husk_read_file (path, NULL, NULL);
  cleanup_strv char **lines = text ? husk_strv_split (text, '\n') : NULL;

  if (lines && lines[0] && lines[1] && *lines[0] && *lines[1])
    husk_dns_remove (lines[0], lines[1]);
  unlink (path);
}

/* Rootless: the container counts as a user of the rootless network
   namespace (made now when there is none), recorded in <dir>/rootless
   for the teardown.  */
static int
rootless_join (const struct husk_bridge_attach *a, husk_error_t *err)
{
  cleanup_free char *path = husk_asprintf ("%s/rootless", a->dir);

  /* Counted once, with its first network.  */
  if (husk_path_exists (path))
    return 0;
  if (husk_write_file_new (path, a->id, strlen (a->id), 0600, err) < 0)
    return -1;
  return husk_net_rootless_ensure (a->pasta_exe, a->id, err);
}

/* The request for husk-netconf.  Rootless, ports are no business of the
   firewall: the forwarder takes them to the container's address.  */
static json_t *
attach_request (const struct husk_bridge_attach *a)
{
  json_t *ports = a->ports && !husk_userns_rootless () ? a->ports : json_null ();

  return json_pack ("{s:O, s:s, s:s?, s:s, s:O, s:s, s:s, s:s, s:s, s:i, s:i}", "network",
                    a->network, "ip", a->ip, "ip6", a->ip6 && *a->ip6 ? a->ip6 : NULL, "mac", a->mac, "ports", ports, "dir", a->dir, "netns",
                    a->netns, "id", a->id, "interface", a->interface ?: "eth0", "slot", a->slot,
                    "metric", (int) a->metric);
}

int
husk_bridge_attach (const struct husk_bridge_attach *a, husk_error_t *err)
{
  cleanup_json json_t *q = attach_request (a);
  bool rootless = husk_userns_rootless ();

  husk_net_teardown (a->dir);
  if (husk_mkdir_p (a->dir, 0700, err) < 0 || net_make_netns (a->netns, err) < 0
      || (rootless && rootless_join (a, err) < 0) || run_helper ("attach", NULL, q, err) < 0
      || (a->dns_names && attach_dns (a, err) < 0)
      || (rootless && net_forward_start (a->dir, a->ports, a->ip, err) < 0))
    {
      husk_net_teardown (a->dir);
      return -1;
    }
  return 0;
}

/* The teardown of a container without published ports, done here: the
   veth goes with the namespace (husk-netconf release says why), the
   firewall has nothing of the container's, so what is left is its
   address's claim and the record.  Starting husk-netconf for that costs
   more than all of it.  Return: whether it was done.  */
static bool
release_here (const char *path)
{
  cleanup_json json_t *r = json_load_file (path, 0, NULL);
  const char *nft = json_string_value (json_object_get (r, "nft_delete"));
  int lock;

  if (r == NULL || nft == NULL || *nft || (lock = husk_net_lock (NULL)) < 0)
    return false;
  husk_net_unclaim (json_string_value (json_object_get (r, "claim")),
                    json_string_value (json_object_get (r, "id")));
  close (lock);
  unlink (path);
  return true;
}

/* Undo one network's record (path) and DNS entry (dns).  */
static void
detach_one (const char *path, const char *dns, bool ns_going)
{
  husk_error_t err = NULL;

  detach_dns (dns);
  if (husk_path_exists (path) && !(ns_going && release_here (path))
      && run_helper (ns_going ? "release" : "detach", path, NULL, &err) < 0)
    husk_error_drop (&err, "tear down the bridge network of '%s'", path);
}

/* The slots of the networks whose records are in dir, in an array of n
   (the caller frees).  */
static int *
slots_of (const char *dir, size_t *n)
{
  DIR *d = opendir (dir);
  struct dirent *e;
  int *slots = NULL;

  *n = 0;
  while (d && (e = readdir (d)))
    {
      const char *tail = NULL;
      if (strcmp (e->d_name, "bridge") == 0 || strcmp (e->d_name, "dns") == 0)
        tail = "0";
      else if (husk_has_prefix (e->d_name, "bridge."))
        tail = e->d_name + 7;
      else if (husk_has_prefix (e->d_name, "dns."))
        tail = e->d_name + 4;
      size_t k = 0;
      if (tail == NULL || tail[strspn (tail, "0123456789")] != '\0' || *tail == '\0')
        continue;
      while (k < *n && slots[k] != atoi (tail))
        k++;
      if (k < *n)
        continue; /* its bridge and its dns both */
      slots = husk_xrealloc (slots, (*n + 1) * sizeof *slots);
      slots[(*n)++] = atoi (tail);
    }
  if (d)
    closedir (d);
  return slots;
}

/* The rootless namespace and the port forwarder outlive a network only
   while another is left.  */
static void
detach_rootless (const char *dir)
{
  cleanup_free char *rl = husk_asprintf ("%s/rootless", dir);
  cleanup_free char *user = husk_read_file (rl, NULL, NULL);

  if (user && *user)
    {
      /* Its port forwarder first: it would hold the namespace.  */
      net_end_process (dir);
      husk_net_rootless_release (user);
    }
  unlink (rl);
}

void
net_bridge_detach (const char *dir, bool ns_going)
{
  size_t n;
  cleanup_free int *slots = slots_of (dir, &n);

  for (size_t i = 0; i < n; i++)
    {
      cleanup_free char *path = husk_net_slot_file (dir, "bridge", slots[i]);
      cleanup_free char *dns = husk_net_slot_file (dir, "dns", slots[i]);
      detach_one (path, dns, ns_going);
    }
  detach_rootless (dir);
}

void
husk_bridge_forget (json_t *net)
{
  husk_error_t err = NULL;

  /* A macvlan network's interface is its parent, the host's: never
     touched (a record's key of one is "DRIVER:ID", no link's name).  */
  if (!husk_network_is_bridge (net)
      || strchr (json_string_value (json_object_get (net, "network_interface")) ?: "", ':'))
    return;
  /* Rootless, the bridge went with the namespace, if that is gone.  */
  if (husk_userns_rootless () && !husk_net_rootless_exists ())
    return;
  /* Rootful, a network no container ever started on has no bridge
     (attach makes it): nothing to undo, and no helper to start.  */
  if (!husk_userns_rootless ()
      && if_nametoindex (json_string_value (json_object_get (net, "network_interface")) ?: "") == 0)
    return;
  if (run_helper ("forget", NULL, net, &err) < 0)
    husk_error_drop (&err, "remove the bridge of network %s",
                     json_string_value (json_object_get (net, "name")));
}

int
husk_bridge_reload (json_t *list, husk_error_t *err)
{
  return run_helper ("reload", NULL, list, err);
}

int
husk_bridge_netns_only (const char *dir, const char *netns, husk_error_t *err)
{
  husk_net_teardown (dir);
  if (husk_mkdir_p (dir, 0700, err) < 0 || net_make_netns (netns, err) < 0)
    {
      husk_net_teardown (dir);
      return -1;
    }
  return 0;
}

int
husk_bridge_join (const struct husk_bridge_attach *a, husk_error_t *err)
{
  cleanup_json json_t *q = attach_request (a);
  bool rootless = husk_userns_rootless ();

  if ((rootless && rootless_join (a, err) < 0) || run_helper ("attach", NULL, q, err) < 0
      || (a->dns_names && attach_dns (a, err) < 0)
      || (rootless && net_forward_start (a->dir, a->ports, a->ip, err) < 0))
    {
      husk_bridge_leave (a->dir, a->slot, json_array_size (a->ports) > 0);
      return -1;
    }
  return 0;
}

void
husk_bridge_leave (const char *dir, int slot, bool ports)
{
  cleanup_free char *path = husk_net_slot_file (dir, "bridge", slot);
  cleanup_free char *dns = husk_net_slot_file (dir, "dns", slot);
  size_t n;
  cleanup_free int *left = NULL;

  detach_one (path, dns, false);
  left = slots_of (dir, &n);
  if (n == 0)
    detach_rootless (dir);
  else if (ports)
    net_end_process (dir);
}
