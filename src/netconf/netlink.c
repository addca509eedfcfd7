/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The links, addresses and routes of a bridge network, through rtnetlink
 * with libmnl: no `ip` program is run.  Every request waits for the
 * kernel's acknowledgement, so an error names what failed.
 */
#include "netconf/netconf.h"
#include "util/cleanup.h"
#include "util/fileutil.h"
#include "util/strutil.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <libmnl/libmnl.h>
#include <linux/if.h>
#include <linux/if_bridge.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

struct husk_nl
{
  struct mnl_socket *sock;
  unsigned portid;
  unsigned seq;
};

void
husk_nl_close (struct husk_nl *nl)
{
  if (nl == NULL)
    return;
  if (nl->sock)
    mnl_socket_close (nl->sock);
  free (nl);
}

/* A socket is bound to the network namespace it was made in: to talk to
   a container's, husk enters it for the socket() call only.  */
struct husk_nl *
husk_nl_open (const char *netns, husk_error_t *err)
{
  cleanup_close int self = -1, target = -1;
  struct husk_nl *nl = husk_xzalloc (sizeof *nl);
  int saved = 0;

  if (netns)
    {
      self = open ("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
      target = open (netns, O_RDONLY | O_CLOEXEC);
      if (self < 0 || target < 0 || setns (target, CLONE_NEWNET) < 0)
        {
          husk_error_make (err, errno, "enter the network namespace '%s'", netns);
          free (nl);
          return NULL;
        }
    }
  nl->sock = mnl_socket_open2 (NETLINK_ROUTE, SOCK_CLOEXEC);
  saved = errno;
  if (netns && setns (self, CLONE_NEWNET) < 0)
    abort (); /* husk must never stay in a container's namespace */
  if (nl->sock == NULL || mnl_socket_bind (nl->sock, 0, MNL_SOCKET_AUTOPID) < 0)
    {
      husk_error_make (err, nl->sock ? errno : saved, "netlink socket");
      husk_nl_close (nl);
      return NULL;
    }
  nl->portid = mnl_socket_get_portid (nl->sock);
  nl->seq = (unsigned) time (NULL);
  return nl;
}

static struct nlmsghdr *
request (char *buf, struct husk_nl *nl, int type, int flags)
{
  struct nlmsghdr *h = mnl_nlmsg_put_header (buf);

  h->nlmsg_type = type;
  h->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
  h->nlmsg_seq = ++nl->seq;
  return h;
}

/* Send h and wait for its acknowledgement.  Return: 0, or -errno.  */
static int
talk (struct husk_nl *nl, struct nlmsghdr *h)
{
  char buf[MNL_SOCKET_BUFFER_SIZE];
  ssize_t n;
  int ret;

  if (mnl_socket_sendto (nl->sock, h, h->nlmsg_len) < 0)
    return -errno;
  while ((n = mnl_socket_recvfrom (nl->sock, buf, sizeof buf)) > 0)
    {
      ret = mnl_cb_run (buf, n, h->nlmsg_seq, nl->portid, NULL, NULL);
      if (ret < 0)
        return -errno;
      if (ret == MNL_CB_STOP)
        return 0;
    }
  return n < 0 ? -errno : 0;
}

static struct ifinfomsg *
put_ifinfo (struct nlmsghdr *h, int index)
{
  struct ifinfomsg *i = mnl_nlmsg_put_extra_header (h, sizeof *i);

  i->ifi_family = AF_UNSPEC;
  i->ifi_index = index;
  return i;
}

int
husk_nl_bridge_add (struct husk_nl *nl, const char *name, unsigned mtu, bool vlan_filtering,
                    husk_error_t *err)
{
  char buf[MNL_SOCKET_BUFFER_SIZE];
  struct nlmsghdr *h = request (buf, nl, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL);
  struct nlattr *info, *data;
  int ret;

  put_ifinfo (h, 0);
  mnl_attr_put_strz (h, IFLA_IFNAME, name);
  if (mtu)
    mnl_attr_put_u32 (h, IFLA_MTU, mtu);
  info = mnl_attr_nest_start (h, IFLA_LINKINFO);
  mnl_attr_put_strz (h, IFLA_INFO_KIND, "bridge");
  if (vlan_filtering)
    {
      data = mnl_attr_nest_start (h, IFLA_INFO_DATA);
      mnl_attr_put_u8 (h, IFLA_BR_VLAN_FILTERING, 1);
      mnl_attr_nest_end (h, data);
    }
  mnl_attr_nest_end (h, info);
  if ((ret = talk (nl, h)) < 0)
    return husk_error_make (err, -ret, "create the bridge %s", name);
  return 0;
}

int
husk_nl_veth_add (struct husk_nl *nl, const struct husk_nl_veth *v, husk_error_t *err)
{
  char buf[MNL_SOCKET_BUFFER_SIZE];
  struct nlmsghdr *h = request (buf, nl, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL);
  struct nlattr *info, *data, *peer;
  struct ifinfomsg *pi;
  int ret;

  put_ifinfo (h, 0);
  mnl_attr_put_strz (h, IFLA_IFNAME, v->host_name);
  mnl_attr_put_u32 (h, IFLA_MASTER, v->master);
  if (v->mtu)
    mnl_attr_put_u32 (h, IFLA_MTU, v->mtu);
  info = mnl_attr_nest_start (h, IFLA_LINKINFO);
  mnl_attr_put_strz (h, IFLA_INFO_KIND, "veth");
  data = mnl_attr_nest_start (h, IFLA_INFO_DATA);
  peer = mnl_attr_nest_start (h, VETH_INFO_PEER);
  /* The peer's ifinfomsg, then its attributes: named, numbered and
     addressed as the container sees it, made inside its namespace.  */
  pi = mnl_nlmsg_put_extra_header (h, sizeof *pi);
  pi->ifi_family = AF_UNSPEC;
  pi->ifi_index = v->peer_index;
  mnl_attr_put_strz (h, IFLA_IFNAME, v->peer_name);
  mnl_attr_put_u32 (h, IFLA_NET_NS_FD, v->peer_netns_fd);
  mnl_attr_put (h, IFLA_ADDRESS, 6, v->peer_mac);
  if (v->mtu)
    mnl_attr_put_u32 (h, IFLA_MTU, v->mtu);
  mnl_attr_nest_end (h, peer);
  mnl_attr_nest_end (h, data);
  mnl_attr_nest_end (h, info);
  if ((ret = talk (nl, h)) < 0)
    return husk_error_make (err, -ret, "create the veth pair %s", v->host_name);
  return 0;
}

int
husk_nl_sublink_add (struct husk_nl *nl, const struct husk_nl_sublink *l, husk_error_t *err)
{
  char buf[MNL_SOCKET_BUFFER_SIZE];
  struct nlmsghdr *h = request (buf, nl, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL);
  struct nlattr *info, *data;
  bool macvlan = strcmp (l->kind, "macvlan") == 0;
  int ret;

  put_ifinfo (h, 0);
  mnl_attr_put_strz (h, IFLA_IFNAME, l->name);
  mnl_attr_put_u32 (h, IFLA_LINK, l->parent);
  mnl_attr_put_u32 (h, IFLA_NET_NS_FD, l->netns_fd);
  if (l->mac)
    mnl_attr_put (h, IFLA_ADDRESS, 6, l->mac);
  if (l->mtu)
    mnl_attr_put_u32 (h, IFLA_MTU, l->mtu);
  info = mnl_attr_nest_start (h, IFLA_LINKINFO);
  mnl_attr_put_strz (h, IFLA_INFO_KIND, l->kind);
  data = mnl_attr_nest_start (h, IFLA_INFO_DATA);
  /* The kernel reads macvlan's mode as 32 bits, ipvlan's as 16.  */
  if (macvlan)
    mnl_attr_put_u32 (h, IFLA_MACVLAN_MODE, l->mode);
  else
    mnl_attr_put_u16 (h, IFLA_IPVLAN_MODE, (uint16_t) l->mode);
  mnl_attr_nest_end (h, data);
  mnl_attr_nest_end (h, info);
  if ((ret = talk (nl, h)) < 0)
    return husk_error_make (err, -ret, "create the %s link %s", l->kind, l->name);
  return 0;
}

/* A port of a VLAN-filtering bridge joins (or leaves) VLAN vid: the
   request goes to the bridge's AF_BRIDGE handler, for the bridge device
   itself with BRIDGE_FLAGS_SELF.  A join is as the PVID, untagged: what
   comes in untagged is of that VLAN and leaves untagged.  */
int
husk_nl_bridge_vlan (struct husk_nl *nl, int index, unsigned vid, bool self, bool join,
                     husk_error_t *err)
{
  char buf[MNL_SOCKET_BUFFER_SIZE];
  struct nlmsghdr *h = request (buf, nl, join ? RTM_SETLINK : RTM_DELLINK, 0);
  struct ifinfomsg *i = put_ifinfo (h, index);
  struct bridge_vlan_info v = { .vid = vid };
  struct nlattr *spec;
  int ret;

  i->ifi_family = AF_BRIDGE;
  if (join)
    v.flags = BRIDGE_VLAN_INFO_PVID | BRIDGE_VLAN_INFO_UNTAGGED;
  spec = mnl_attr_nest_start (h, IFLA_AF_SPEC);
  if (self)
    mnl_attr_put_u16 (h, IFLA_BRIDGE_FLAGS, BRIDGE_FLAGS_SELF);
  mnl_attr_put (h, IFLA_BRIDGE_VLAN_INFO, sizeof v, &v);
  mnl_attr_nest_end (h, spec);
  if ((ret = talk (nl, h)) < 0)
    return husk_error_make (err, -ret, "%s VLAN %u on link %d", join ? "join" : "leave", vid,
                            index);
  return 0;
}

int
husk_nl_link_up (struct husk_nl *nl, int index, husk_error_t *err)
{
  char buf[MNL_SOCKET_BUFFER_SIZE];
  struct nlmsghdr *h = request (buf, nl, RTM_NEWLINK, 0);
  struct ifinfomsg *i = put_ifinfo (h, index);
  int ret;

  i->ifi_flags = IFF_UP;
  i->ifi_change = IFF_UP;
  if ((ret = talk (nl, h)) < 0)
    return husk_error_make (err, -ret, "set link %d up", index);
  return 0;
}

int
husk_nl_link_del (struct husk_nl *nl, int index, husk_error_t *err)
{
  char buf[MNL_SOCKET_BUFFER_SIZE];
  struct nlmsghdr *h = request (buf, nl, RTM_DELLINK, 0);
  int ret;

  put_ifinfo (h, index);
  if ((ret = talk (nl, h)) < 0 && ret != -ENODEV)
    return husk_error_make (err, -ret, "delete link %d", index);
  return 0;
}

int
husk_nl_addr_add (struct husk_nl *nl, int index, uint32_t addr, unsigned prefix,
                  husk_error_t *err)
{
  char buf[MNL_SOCKET_BUFFER_SIZE];
  struct nlmsghdr *h = request (buf, nl, RTM_NEWADDR, NLM_F_CREATE | NLM_F_REPLACE);
  struct ifaddrmsg *a = mnl_nlmsg_put_extra_header (h, sizeof *a);
  uint32_t brd = prefix < 32 ? (addr | htonl (0xffffffffU >> prefix)) : addr;
  int ret;

  a->ifa_family = AF_INET;
  a->ifa_prefixlen = prefix;
  a->ifa_scope = RT_SCOPE_UNIVERSE;
  a->ifa_index = index;
  mnl_attr_put_u32 (h, IFA_LOCAL, addr);
  mnl_attr_put_u32 (h, IFA_ADDRESS, addr);
  mnl_attr_put_u32 (h, IFA_BROADCAST, brd);
  if ((ret = talk (nl, h)) < 0)
    return husk_error_make (err, -ret, "add an address to link %d", index);
  return 0;
}

int
husk_nl_route_default (struct husk_nl *nl, int index, uint32_t gateway, unsigned metric,
                       husk_error_t *err)
{
  char buf[MNL_SOCKET_BUFFER_SIZE];
  struct nlmsghdr *h = request (buf, nl, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL);
  struct rtmsg *r = mnl_nlmsg_put_extra_header (h, sizeof *r);
  int ret;

  r->rtm_family = AF_INET;
  r->rtm_dst_len = 0;
  r->rtm_table = RT_TABLE_MAIN;
  r->rtm_protocol = RTPROT_BOOT;
  r->rtm_scope = RT_SCOPE_UNIVERSE;
  r->rtm_type = RTN_UNICAST;
  mnl_attr_put_u32 (h, RTA_GATEWAY, gateway);
  mnl_attr_put_u32 (h, RTA_OIF, index);
  if (metric)
    mnl_attr_put_u32 (h, RTA_PRIORITY, metric);
  if ((ret = talk (nl, h)) < 0)
    return husk_error_make (err, -ret, "add the default route");
  return 0;
}

/* ---- IPv6 (dual-stack networks) ------------------------------------------ */

int
husk_nl_addr6_add (struct husk_nl *nl, int index, const struct in6_addr *addr, unsigned prefix,
                   husk_error_t *err)
{
  char buf[MNL_SOCKET_BUFFER_SIZE];
  struct nlmsghdr *h = request (buf, nl, RTM_NEWADDR, NLM_F_CREATE | NLM_F_REPLACE);
  struct ifaddrmsg *a = mnl_nlmsg_put_extra_header (h, sizeof *a);
  int ret;

  a->ifa_family = AF_INET6;
  a->ifa_prefixlen = prefix;
  a->ifa_scope = RT_SCOPE_UNIVERSE;
  a->ifa_index = index;
  /* No duplicate address detection: the address is usable at once, and
     the network's IPAM already made it unique.  */
  a->ifa_flags = IFA_F_NODAD;
  mnl_attr_put (h, IFA_LOCAL, sizeof *addr, addr);
  mnl_attr_put (h, IFA_ADDRESS, sizeof *addr, addr);
  mnl_attr_put_u32 (h, IFA_FLAGS, IFA_F_NODAD);
  if ((ret = talk (nl, h)) < 0)
    return husk_error_make (err, -ret, "add an IPv6 address to link %d", index);
  return 0;
}

int
husk_nl_route6_default (struct husk_nl *nl, int index, const struct in6_addr *gateway,
                        unsigned metric, husk_error_t *err)
{
  char buf[MNL_SOCKET_BUFFER_SIZE];
  struct nlmsghdr *h = request (buf, nl, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL);
  struct rtmsg *r = mnl_nlmsg_put_extra_header (h, sizeof *r);
  int ret;

  r->rtm_family = AF_INET6;
  r->rtm_table = RT_TABLE_MAIN;
  r->rtm_protocol = RTPROT_BOOT;
  r->rtm_scope = RT_SCOPE_UNIVERSE;
  r->rtm_type = RTN_UNICAST;
  mnl_attr_put (h, RTA_GATEWAY, sizeof *gateway, gateway);
  mnl_attr_put_u32 (h, RTA_OIF, index);
  if (metric)
    mnl_attr_put_u32 (h, RTA_PRIORITY, metric);
  if ((ret = talk (nl, h)) < 0)
    return husk_error_make (err, -ret, "add the default IPv6 route");
  return 0;
}
