/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * husk-netconf's work: a container attached to a bridge network, and
 * detached again (network/bridge.h has the theory of operation), under
 * one host-wide lock, so that a bridge made by one start is never
 * deleted under another.
 */
#include "netconf/netconf.h"
#include "userns/userns.h"
#include "util/cleanup.h"
#include "util/fileutil.h"
#include "util/log.h"
#include "util/strutil.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

/* The peer's index in the container's new namespace: lo is 1.  */
#define PEER_INDEX 2

static void
write_sysctl (const char *path, const char *value)
{
  int fd = open (path, O_WRONLY | O_CLOEXEC);

  if (fd < 0 || write (fd, value, strlen (value)) < 0)
    husk_log_debug ("write '%s': %s", path, strerror (errno));
  if (fd >= 0)
    close (fd);
}

static json_t *
subnet_of (json_t *net)
{
  return json_array_get (json_object_get (net, "subnets"), 0);
}

static unsigned
mtu_of (json_t *net)
{
  const char *m = json_string_value (json_object_get (json_object_get (net, "options"), "mtu"));

  return m ? (unsigned) strtoul (m, NULL, 10) : 0;
}

/* The network's VLAN (--opt vlan=), or 0: none.  */
static unsigned
vlan_of (json_t *net)
{
  const char *v = json_string_value (json_object_get (json_object_get (net, "options"), "vlan"));

  return v ? (unsigned) strtoul (v, NULL, 10) : 0;
}

/* A port (or with self the bridge itself) of a network with a VLAN in
   that VLAN only, as netavark: its PVID, untagged, and no longer in the
   default VLAN 1 the kernel put it in.  */
static int
join_vlan (struct husk_nl *nl, int index, unsigned vid, bool self, husk_error_t *err)
{
  if (vid == 0)
    return 0;
  if (husk_nl_bridge_vlan (nl, index, vid, self, true, err) < 0)
    return -1;
  return vid == 1 ? 0 : husk_nl_bridge_vlan (nl, index, 1, self, false, err);
}

/* The commands that add (verb "add") or delete the network's subnet in
   its sets: "internal" or "nets"; with isolate= also "isolated" and
   "own", for strict "strict" (nft.c; the caller frees).  */
static char *
set_cmds (json_t *net, const char *verb)
{
  const char *s = json_string_value (json_object_get (subnet_of (net), "subnet"));
  const char *iso = json_string_value (json_object_get (json_object_get (net, "options"),
                                                        "isolate")) ?: "";
  struct husk_buf b = HUSK_BUF_INIT;

  if (json_is_true (json_object_get (net, "internal")))
    husk_buf_printf (&b, "%s element ip husk internal { %s }\n", verb, s);
  else
    husk_buf_printf (&b, "%s element ip husk nets { %s }\n", verb, s);
  if (strcmp (iso, "true") == 0 || strcmp (iso, "strict") == 0)
    husk_buf_printf (&b, "%s element ip husk isolated { %s }\n%s element ip husk own { %s . \"%s\" }\n",
                     verb, s, verb, s,
                     json_string_value (json_object_get (net, "network_interface")));
  if (strcmp (iso, "strict") == 0)
    husk_buf_printf (&b, "%s element ip husk strict { %s }\n", verb, s);
  return husk_buf_steal (&b);
}

/* The network's bridge, made when missing.  Return: its index, or -1.  */
static int
ensure_bridge (struct husk_nl *nl, json_t *net, bool *made, husk_error_t *err)
{
  const char *name = json_string_value (json_object_get (net, "network_interface"));
  struct husk_subnet s;
  uint32_t gw;
  int index = if_nametoindex (name);

  *made = index <= 0;
  if (index > 0)
    return index;
  if (husk_subnet_parse (json_string_value (json_object_get (subnet_of (net), "subnet")), &s,
                         err) < 0
      || husk_ip_parse (json_string_value (json_object_get (subnet_of (net), "gateway")), &gw) < 0)
    return husk_error_makex (err, EINVAL, "network %s: bad subnet",
                             json_string_value (json_object_get (net, "name")));
  /* With a VLAN the bridge filters by VLAN; the bridge itself is in the
     VLAN too, so that the gateway's address reaches the containers.  */
  if (husk_nl_bridge_add (nl, name, mtu_of (net), vlan_of (net) != 0, err) < 0)
    {
      if ((*err)->code != EOPNOTSUPP || vlan_of (net) == 0)
        return -1;
      husk_error_release (err);
      return husk_error_makex (err, EOPNOTSUPP, "network %s: vlan= needs VLAN filtering on "
                               "bridges, which this kernel lacks "
                               "(CONFIG_BRIDGE_VLAN_FILTERING)",
                               json_string_value (json_object_get (net, "name")));
    }
  index = if_nametoindex (name);
  if (index <= 0 || join_vlan (nl, index, vlan_of (net), true, err) < 0
      || husk_nl_addr_add (nl, index, htonl (gw), s.prefix, err) < 0
      || netconf_bridge6 (nl, index, net, err) < 0 || husk_nl_link_up (nl, index, err) < 0)
    {
      if (index > 0)
        husk_nl_link_del (nl, index, NULL);
      return -1;
    }
  {
    /* DNAT of 127.0.0.1 to a container routes a loopback source out of
       the bridge: allowed only with route_localnet.  */
    cleanup_free char *p = husk_asprintf ("/proc/sys/net/ipv4/conf/%s/route_localnet", name);
    write_sysctl (p, "1");
  }
  write_sysctl ("/proc/sys/net/ipv4/ip_forward", "1");
  return index;
}

/* Whether a host port is in use on the host: a bind of it fails.  */
static bool
port_busy (int family, const char *ip, const char *proto, unsigned port)
{
  struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons (port) };
  struct sockaddr_in6 a6 = { .sin6_family = AF_INET6, .sin6_port = htons (port) };
  int one = 1, fd, ret;

  if (family == AF_INET6)
    inet_pton (AF_INET6, ip, &a6.sin6_addr);
  else if (*ip)
    inet_pton (AF_INET, ip, &a.sin_addr);
  fd = socket (family, (strcmp (proto, "tcp") == 0 ? SOCK_STREAM : SOCK_DGRAM) | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return false;
  setsockopt (fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  ret = family == AF_INET6 ? bind (fd, (struct sockaddr *) &a6, sizeof a6)
                           : bind (fd, (struct sockaddr *) &a, sizeof a);
  close (fd);
  return ret < 0 && errno == EADDRINUSE;
}

/* The host ports must be free now: a program of the host's that listens
   there would never see its connections again (they are DNATed), and
   Podman fails the start too.  An IPv6 host address needs the
   container's IPv6 address, and cannot be ::1 (nft6.c).  */
static int
check_ports (const struct husk_bridge_attach *a, husk_error_t *err)
{
  size_t i;
  json_t *p;
  unsigned char buf[sizeof (struct in6_addr)];

  json_array_foreach (a->ports, i, p)
    {
      const char *ip = json_string_value (json_object_get (p, "host_ip")) ?: "";
      const char *proto = json_string_value (json_object_get (p, "protocol")) ?: "tcp";
      unsigned port = json_integer_value (json_object_get (p, "host_port"));
      int family = AF_INET;
      if (*ip && inet_pton (AF_INET, ip, buf) != 1)
        {
          if (inet_pton (AF_INET6, ip, buf) != 1)
            return husk_error_makex (err, EINVAL, "publishing on %s: not an IP address", ip);
          if (a->ip6 == NULL || *a->ip6 == '\0')
            return husk_error_makex (err, ENOTSUP, "publishing on %s: network %s has no IPv6 "
                                     "(create it with --ipv6)", ip,
                                     json_string_value (json_object_get (a->network, "name")));
          if (IN6_IS_ADDR_LOOPBACK ((struct in6_addr *) buf))
            return husk_error_makex (err, ENOTSUP, "publishing on ::1 is not supported: the "
                                     "kernel cannot forward IPv6 loopback connections to a "
                                     "container (IPv6 has no route_localnet); publish on "
                                     "127.0.0.1 instead");
          family = AF_INET6;
        }
      if (strcmp (proto, "tcp") && strcmp (proto, "udp"))
        continue;
      if (port_busy (family, ip, proto, port))
        return husk_error_makex (err, EADDRINUSE, "cannot publish port %u/%s: %s%s%s:%u is "
                                 "already in use on the host", port, proto,
                                 family == AF_INET6 ? "[" : "", *ip ? ip : "0.0.0.0",
                                 family == AF_INET6 ? "]" : "", port);
    }
  return 0;
}

/* The map elements of the published ports: "add" (create) or "delete"
   commands, one per port; ip6 the container's IPv6 address or NULL, for
   the IPv6 ones (nft6.c).  */
static char *
port_cmds (json_t *ports, const char *ip, const char *ip6, const char *verb)
{
  cleanup_free char *v6 = husk_nft6_port_cmds (ports, ip6, verb);
  struct husk_buf b = HUSK_BUF_INIT;
  size_t i;
  json_t *p;

  json_array_foreach (ports, i, p)
    {
      const char *hip = json_string_value (json_object_get (p, "host_ip")) ?: "";
      const char *proto = json_string_value (json_object_get (p, "protocol")) ?: "tcp";
      json_int_t hport = json_integer_value (json_object_get (p, "host_port"));
      json_int_t cport = json_integer_value (json_object_get (p, "container_port"));
      bool del = strcmp (verb, "delete") == 0;
      if (strchr (hip, ':'))
        continue; /* an IPv6 host address: v6's */
      if (*hip)
        husk_buf_printf (&b, "%s element ip husk ports_ip { %s . %s . %lld", verb, hip, proto,
                         (long long) hport);
      else
        husk_buf_printf (&b, "%s element ip husk ports_any { %s . %lld", verb, proto,
                         (long long) hport);
      if (del)
        husk_buf_puts (&b, " }\n");
      else
        husk_buf_printf (&b, " : %s . %lld }\n", ip, (long long) cport);
    }
  husk_buf_puts (&b, v6);
  return husk_buf_steal (&b);
}

/* The host's end of the container's veth on this network: the first
   network's keeps its old name, huskv and the ID's start.  */
static char *
veth_name (const struct husk_bridge_attach *a)
{
  return a->slot ? husk_asprintf ("huskv%.7s.%d", a->id, a->slot)
                 : husk_asprintf ("huskv%.10s", a->id);
}

/* Claim the address on the bridge for this container (bridge-private.h):
   refused while another container's claim is live.  The claim names the
   veth too, by which its liveness is judged.  */
static int
claim (const struct husk_bridge_attach *a, husk_error_t *err)
{
  cleanup_free char *veth = veth_name (a);
  cleanup_free char *text = husk_asprintf ("%s\n%s\n", a->id, veth);
  const char *br = json_string_value (json_object_get (a->network, "network_interface"));
  cleanup_free char *dir = husk_net_claim_dir (br);
  cleanup_free char *path = husk_asprintf ("%s/%s", dir, a->ip);
  cleanup_json json_t *live = husk_net_claims (br);
  const char *holder = json_string_value (json_object_get (live, a->ip));

  if (holder && strcmp (holder, a->id) != 0)
    return husk_error_makex (err, EADDRINUSE, "address %s on %s is in use by container %.12s "
                             "(of another store): remove and create the container again",
                             a->ip, br, holder);
  if (husk_mkdir_p (dir, 0700, err) < 0)
    return -1;
  /* No fsync: the claims are under /run, which a reboot empties anyway.  */
  return husk_write_file_replace (path, text, strlen (text), 0600, err);
}

/* What the teardown undoes, in <dir>/bridge (<dir>/bridge.N for the
   container's network of slot N).  */
static int
record (const struct husk_bridge_attach *a, const char *veth, int veth_index, int br_index,
        const char *nft_del, husk_error_t *err)
{
  cleanup_free char *path = husk_net_slot_file (a->dir, "bridge", a->slot);
  cleanup_free char *del6 = husk_nft6_element (a->network, "delete");
  cleanup_free char *sets_del = set_cmds (a->network, "delete");
  cleanup_free char *net_del = husk_asprintf ("%s%s", sets_del, del6);
  cleanup_free char *claim_path = husk_asprintf (
      "%s/%s/%s", HUSK_NET_CLAIMS,
      json_string_value (json_object_get (a->network, "network_interface")), a->ip);
  cleanup_json json_t *r = json_pack (
      "{s:s, s:s, s:s, s:i, s:s, s:i, s:s, s:s}", "id", a->id, "claim", claim_path, "bridge",
      json_string_value (json_object_get (a->network, "network_interface")), "bridge_index",
      br_index, "veth", veth, "veth_index", veth_index, "nft_delete", nft_del,
      "network_nft_delete", net_del);
  cleanup_free char *text = json_dumps (r, JSON_COMPACT);

  /* In the run root: no fsync, nothing of it outlives a reboot.  */
  return husk_write_file_replace (path, text, strlen (text), 0600, err);
}

/* The index of the container's interface in its namespace: the kernel
   gives it unless it is the first's (PEER_INDEX asked for), and may give
   another when that was taken (network connect after disconnect).  */
static int
peer_index (const char *netns, const char *name)
{
  int self = open ("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
  int target = open (netns, O_RDONLY | O_CLOEXEC);
  int index = PEER_INDEX;

  if (self >= 0 && target >= 0 && setns (target, CLONE_NEWNET) == 0)
    {
      int found = if_nametoindex (name);
      if (found > 0)
        index = found;
      if (setns (self, CLONE_NEWNET) < 0)
        abort (); /* never go on in the wrong namespace */
    }
  if (self >= 0)
    close (self);
  if (target >= 0)
    close (target);
  return index;
}

/* ethN in the container: its address, up, lo up, the default route (its
   metric puts the first network's first, as Podman's).  */
static int
configure_inside (const struct husk_bridge_attach *a, husk_error_t *err)
{
  json_t *sub = subnet_of (a->network);
  struct husk_subnet s;
  uint32_t ip, gw;
  struct husk_nl *nl;
  int ret = -1, eth0 = peer_index (a->netns, a->interface);

  if (husk_subnet_parse (json_string_value (json_object_get (sub, "subnet")), &s, err) < 0
      || husk_ip_parse (a->ip, &ip) < 0
      || husk_ip_parse (json_string_value (json_object_get (sub, "gateway")), &gw) < 0)
    return husk_error_makex (err, EINVAL, "bad address %s", a->ip);
  if ((nl = husk_nl_open (a->netns, err)) == NULL)
    return -1;
  if (husk_nl_link_up (nl, 1, err) == 0
      && husk_nl_addr_add (nl, eth0, htonl (ip), s.prefix, err) == 0
      && husk_nl_link_up (nl, eth0, err) == 0
      && (json_is_true (json_object_get (a->network, "internal"))
          || husk_nl_route_default (nl, eth0, htonl (gw), a->metric, err) == 0)
      && netconf_inside6 (nl, eth0, a, err) == 0)
    ret = 0;
  husk_nl_close (nl);
  return ret;
}

static int
add_veth (struct husk_nl *nl, const struct husk_bridge_attach *a, const char *veth, int master,
          husk_error_t *err)
{
  struct husk_nl_veth v = { .host_name = veth, .master = master, .peer_name = a->interface,
                            .peer_index = a->slot ? 0 : PEER_INDEX, .mtu = mtu_of (a->network) };
  unsigned m[6];
  int old = if_nametoindex (veth), ret;

  if (sscanf (a->mac, "%x:%x:%x:%x:%x:%x", &m[0], &m[1], &m[2], &m[3], &m[4], &m[5]) != 6)
    return husk_error_makex (err, EINVAL, "bad MAC address %s", a->mac);
  for (int i = 0; i < 6; i++)
    v.peer_mac[i] = m[i];
  /* Named after the container: one left by a start that died is ours.  */
  if (old > 0)
    husk_nl_link_del (nl, old, NULL);
  v.peer_netns_fd = open (a->netns, O_RDONLY | O_CLOEXEC);
  if (v.peer_netns_fd < 0)
    return husk_error_make (err, errno, "open '%s'", a->netns);
  /* A teardown leaves the host's end to go with the container's old
     namespace (netconf_detach): the kernel may not have freed its name
     yet when the container starts again at once.  */
  for (int tries = 0; (ret = husk_nl_veth_add (nl, &v, err)) < 0 && tries < 20; tries++)
    {
      /* PEER_INDEX taken by another of the container's interfaces (its
         first network was disconnected and connected again).  */
      if ((*err)->code == EBUSY && v.peer_index)
        v.peer_index = 0;
      else if ((*err)->code != EEXIST || if_nametoindex (veth) != 0)
        break;
      else
        usleep (50 * 1000);
      husk_error_release (err);
    }
  close (v.peer_netns_fd);
  return ret;
}

static int
attach_locked (struct husk_nl *nl, const struct husk_bridge_attach *a, husk_error_t *err)
{
  cleanup_free char *veth = veth_name (a);
  cleanup_free char *table = husk_nft_table_cmds ();
  cleanup_free char *table6 = husk_net_subnet6 (a->network) ? husk_nft6_table_cmds ()
                                                            : husk_xstrdup ("");
  cleanup_free char *add6 = husk_nft6_element (a->network, "add");
  cleanup_free char *add = port_cmds (a->ports, a->ip, a->ip6, "create");
  cleanup_free char *del = port_cmds (a->ports, a->ip, a->ip6, "delete");
  cleanup_free char *cmds = NULL;
  bool made;
  int br, vi;

  if (check_ports (a, err) < 0 || (br = ensure_bridge (nl, a->network, &made, err)) < 0)
    return -1;
  if (claim (a, err) < 0 || add_veth (nl, a, veth, br, err) < 0)
    return -1;
  vi = if_nametoindex (veth);
  if (vi <= 0 || record (a, veth, vi, br, "", err) < 0
      || join_vlan (nl, vi, vlan_of (a->network), false, err) < 0
      || husk_nl_link_up (nl, vi, err) < 0
      || configure_inside (a, err) < 0)
    return -1;
  /* The table is (re)made with a new bridge, or when it is gone (a flush
     of the firewall); otherwise only the elements change.  */
  cleanup_free char *sets = set_cmds (a->network, "add");
  cmds = husk_asprintf ("%s%s", sets, add);
  /* Without ports nothing changes in the firewall: each nft run costs
     10 ms and more (libnftables reads the whole ruleset first).  */
  if (!made && json_array_size (a->ports) == 0)
    return record (a, veth, vi, br, del, err);
  if (!made && husk_nft_run (cmds, err) == 0)
    return record (a, veth, vi, br, del, err);
  if (!made && (*err)->code == EEXIST)
    return husk_error_wrap (err, "a published port is taken by another container");
  husk_error_release (err);
  free (cmds);
  /* The tables first: the ports may go into either.  */
  cmds = husk_asprintf ("%s%s%s%s%s", table, table6, sets, add6, add);
  if (husk_nft_run (cmds, err) < 0)
    {
      if ((*err)->code == EEXIST)
        husk_error_wrap (err, "a published port is taken by another container");
      return -1;
    }
  return record (a, veth, vi, br, del, err);
}

int
netconf_attach (const struct husk_bridge_attach *a, husk_error_t *err)
{
  struct husk_nl *nl;
  int lock, ret = -1;

  if (!husk_network_is_bridge (a->network))
    return netconf_macvlan_attach (a, err);
  if ((nl = husk_nl_open (NULL, err)) == NULL)
    return -1;
  if ((lock = husk_net_lock (err)) >= 0)
    {
      ret = attach_locked (nl, a, err);
      close (lock);
    }
  husk_nl_close (nl);
  return ret;
}

/* ---- detach --------------------------------------------------------------- */

/* Whether a link still is the one husk recorded.  */
static bool
same_link (int index, const char *name)
{
  char now[IF_NAMESIZE];

  return index > 0 && name && if_indextoname (index, now) && strcmp (now, name) == 0;
}

static bool
bridge_empty (const char *name)
{
  cleanup_free char *p = husk_asprintf ("/sys/class/net/%s/brif", name);
  DIR *d = opendir (p);
  struct dirent *e;
  bool empty = true;

  while (d && empty && (e = readdir (d)))
    empty = e->d_name[0] == '.';
  if (d)
    closedir (d);
  return d != NULL && empty;
}

/* Whether any bridge husk names (huskN) is left on the host.  */
static bool
any_bridge_left (void)
{
  DIR *d = opendir ("/sys/class/net");
  struct dirent *e;
  bool found = false;

  while (d && !found && (e = readdir (d)))
    if (husk_has_prefix (e->d_name, "husk") && e->d_name[4] >= '0' && e->d_name[4] <= '9')
      {
        cleanup_free char *p = husk_asprintf ("/sys/class/net/%s/bridge", e->d_name);
        found = husk_path_exists (p);
      }
  if (d)
    closedir (d);
  return found;
}

/* Run cmds as one transaction; when that fails (an element is gone
   already: a flushed table), line by line.  */
static void
nft_undo (const char *cmds)
{
  cleanup_strv char **lines = NULL;

  if (cmds == NULL || *cmds == '\0' || husk_nft_run (cmds, NULL) == 0)
    return;
  lines = husk_strv_split (cmds, '\n');
  for (size_t i = 0; lines[i]; i++)
    if (*lines[i])
      husk_nft_run (lines[i], NULL);
}

/* Whether the bridge is empty, or becomes so within 2 s: the host's
   ends of the veth pairs of containers just removed go with their
   namespaces, in the kernel's own time (netconf_detach).  */
static bool
bridge_empties (const char *name)
{
  for (int i = 0; i < 40; i++)
    {
      if (bridge_empty (name))
        return true;
      usleep (50 * 1000);
    }
  return false;
}

/* A removed network's bridge goes when no container is on it; with the
   last bridge, husk's table.  A bridge stays while its network exists:
   deleting and making it again would cost every start and stop tens of
   milliseconds (the kernel waits for RCU on each link's removal).  */
static void
drop_bridge (struct husk_nl *nl, const char *name, int index, const char *net_del)
{
  if (!same_link (index, name) || !bridge_empties (name))
    return;
  husk_nl_link_del (nl, index, NULL);
  nft_undo (net_del);
  if (!any_bridge_left ())
    {
      husk_nft_run ("delete table ip husk\n", NULL);
      husk_nft_run ("delete table ip6 husk\n", NULL);
    }
}

/* With ns_going, the container's namespace goes next (its teardown):
   its end of the veth pair takes the host's end along, in the kernel's
   cleanup work after we are done.  Deleting it here would make the user
   wait for it: the kernel's answer to RTM_DELLINK waits for RCU grace
   periods, 20 ms and more.  */
void
netconf_detach (const char *path, bool ns_going)
{
  cleanup_json json_t *r = json_load_file (path, 0, NULL);
  struct husk_nl *nl;
  int lock;

  if (r && json_object_get (r, "driver"))
    {
      netconf_macvlan_detach (r, ns_going);
      unlink (path);
      return;
    }
  if (r == NULL || (nl = husk_nl_open (NULL, NULL)) == NULL)
    return;
  if ((lock = husk_net_lock (NULL)) >= 0)
    {
      const char *veth = json_string_value (json_object_get (r, "veth"));
      int vi = json_integer_value (json_object_get (r, "veth_index"));
      if (!ns_going && same_link (vi, veth))
        husk_nl_link_del (nl, vi, NULL);
      nft_undo (json_string_value (json_object_get (r, "nft_delete")));
      husk_net_unclaim (json_string_value (json_object_get (r, "claim")),
               json_string_value (json_object_get (r, "id")));
      close (lock);
    }
  husk_nl_close (nl);
  unlink (path);
}

void
netconf_forget (json_t *net)
{
  const char *name = json_string_value (json_object_get (net, "network_interface"));
  cleanup_free char *del6 = husk_nft6_element (net, "delete");
  cleanup_free char *sets_del = set_cmds (net, "delete");
  cleanup_free char *del = husk_asprintf ("%s%s", sets_del, del6);
  struct husk_nl *nl = husk_nl_open (NULL, NULL);
  int lock = husk_net_lock (NULL);

  /* A macvlan network's interface is the host's, never husk's to drop.  */
  if (nl && lock >= 0 && name && husk_network_is_bridge (net))
    drop_bridge (nl, name, if_nametoindex (name), del);
  if (lock >= 0)
    close (lock);
  husk_nl_close (nl);
}

/* ---- reload ---------------------------------------------------------------- */

/* husk's table made again (a flush of the firewall took it) with the
   subnets and published ports of the running containers listed: each
   {network, ip, ports}.  "add" of what is there changes nothing.  */
int
netconf_reload (json_t *list, husk_error_t *err)
{
  cleanup_free char *table = husk_nft_table_cmds ();
  struct husk_buf b = HUSK_BUF_INIT;
  cleanup_free char *cmds = NULL;
  size_t i;
  json_t *c;
  int lock, ret;

  husk_buf_puts (&b, table);
  json_array_foreach (list, i, c)
    {
      json_t *net = json_object_get (c, "network");
      cleanup_free char *ports = port_cmds (json_object_get (c, "ports"),
                                            json_string_value (json_object_get (c, "ip")),
                                            json_string_value (json_object_get (c, "ip6")),
                                            "add");
      cleanup_free char *sets = set_cmds (net, "add");
      cleanup_free char *add6 = husk_nft6_element (net, "add");
      husk_buf_printf (&b, "%s%s", sets, ports);
      if (*add6)
        {
          /* The table again with the first network of IPv6 (idempotent). */
          cleanup_free char *t6 = husk_nft6_table_cmds ();
          husk_buf_printf (&b, "%s%s", t6, add6);
        }
    }
  cmds = husk_buf_steal (&b);
  if ((lock = husk_net_lock (err)) < 0)
    return -1;
  ret = husk_nft_run (cmds, err);
  close (lock);
  return ret;
}
