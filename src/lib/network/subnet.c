/* SPDX-License-Identifier: GPL-2.0-or-later */
/* IPv4 subnets of bridge networks: parsed, compared, and checked against
   the host's own routes and addresses.  */
#include "network/bridge-private.h"
#include "userns/userns.h"
#include "util/cleanup.h"
#include "util/fileutil.h"
#include "util/strutil.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

static uint32_t
mask (unsigned prefix)
{
  return prefix == 0 ? 0 : 0xffffffffU << (32 - prefix);
}

int
husk_ip_parse (const char *text, uint32_t *ip)
{
  struct in_addr a;

  if (text == NULL || inet_pton (AF_INET, text, &a) != 1)
    return -1;
  *ip = ntohl (a.s_addr);
  return 0;
}

char *
husk_ip_text (uint32_t ip)
{
  char buf[INET_ADDRSTRLEN];
  struct in_addr a = { .s_addr = htonl (ip) };

  inet_ntop (AF_INET, &a, buf, sizeof buf);
  return husk_xstrdup (buf);
}

char *
husk_subnet_text (const struct husk_subnet *s)
{
  cleanup_free char *ip = husk_ip_text (s->net);

  return husk_asprintf ("%s/%u", ip, s->prefix);
}

int
husk_subnet_parse (const char *text, struct husk_subnet *s, husk_error_t *err)
{
  const char *slash = text ? strchr (text, '/') : NULL;
  cleanup_free char *ip = slash ? husk_xstrndup (text, slash - text) : NULL;
  char *end;
  unsigned long prefix;

  if (slash == NULL)
    return husk_error_makex (err, EINVAL, "invalid subnet \"%s\": want ADDRESS/PREFIX, "
                             "e.g. 10.89.1.0/24", text ? text : "");
  if (strchr (ip, ':'))
    return husk_error_makex (err, ENOTSUP, "subnet \"%s\": IPv6 networks are not supported "
                             "yet", text);
  errno = 0;
  prefix = strtoul (slash + 1, &end, 10);
  if (husk_ip_parse (ip, &s->net) < 0 || *end || end == slash + 1 || prefix > 30
      || prefix < 8)
    return husk_error_makex (err, EINVAL, "invalid subnet \"%s\": want an IPv4 "
                             "ADDRESS/PREFIX with a prefix of 8 to 30", text);
  s->prefix = prefix;
  if (s->net & ~mask (s->prefix))
    {
      cleanup_free char *net = husk_ip_text (s->net & mask (s->prefix));
      return husk_error_makex (err, EINVAL, "invalid subnet \"%s\": the address has host "
                               "bits set (the network is %s)", text, net);
    }
  return 0;
}

bool
husk_subnet_contains (const struct husk_subnet *s, uint32_t ip)
{
  return (ip & mask (s->prefix)) == s->net;
}

bool
husk_subnet_overlaps (const struct husk_subnet *a, const struct husk_subnet *b)
{
  unsigned p = a->prefix < b->prefix ? a->prefix : b->prefix;

  return (a->net & mask (p)) == (b->net & mask (p));
}

/* Routes from /proc/net/route: every destination but the default.  */
static char *
route_user (const struct husk_subnet *s, const char *skip)
{
  cleanup_fclose FILE *f = fopen ("/proc/net/route", "re");
  char line[256], name[IF_NAMESIZE + 1];
  unsigned dest, gate, flags, refcnt, use, metric, msk;

  while (f && fgets (line, sizeof line, f))
    {
      struct husk_subnet r;
      if (sscanf (line, "%16s %x %x %x %u %u %u %x", name, &dest, &gate, &flags, &refcnt,
                  &use, &metric, &msk) != 8 || msk == 0)
        continue;
      if (skip && strcmp (name, skip) == 0)
        continue;
      r.net = ntohl (dest);
      r.prefix = __builtin_popcount (msk);
      if (husk_subnet_overlaps (s, &r))
        return husk_xstrdup (name);
    }
  return NULL;
}

char *
husk_subnet_host_user (const struct husk_subnet *s, const char *skip)
{
  struct ifaddrs *all = NULL;
  char *user = route_user (s, skip);

  if (user || getifaddrs (&all) < 0)
    return user;
  for (struct ifaddrs *a = all; a && user == NULL; a = a->ifa_next)
    if (a->ifa_addr && a->ifa_addr->sa_family == AF_INET && !(skip && strcmp (a->ifa_name, skip) == 0)
        && husk_subnet_contains (s, ntohl (((struct sockaddr_in *) a->ifa_addr)->sin_addr.s_addr)))
      user = husk_xstrdup (a->ifa_name);
  freeifaddrs (all);
  return user;
}

/* ---- host-wide claims --------------------------------------------------- */

char *
husk_net_claim_dir (const char *bridge)
{
  return husk_asprintf ("%s/%s", HUSK_NET_CLAIMS, bridge);
}

/* The holder of a claim (its file's first line) when its link is still
   there: the veth its second line names (a claim of an older husk has
   none: the first network's name).  Else NULL.  */
static char *
claim_holder (const char *path)
{
  cleanup_free char *text = husk_read_file (path, NULL, NULL);
  char veth[IF_NAMESIZE] = "";
  char *nl = text ? strchr (text, '\n') : NULL;

  if (text == NULL || *text == '\0' || *text == '\n')
    return NULL;
  if (nl)
    *nl = '\0';
  if (nl && nl[1] && nl[1] != '\n')
    snprintf (veth, sizeof veth, "%.*s", (int) strcspn (nl + 1, "\n"), nl + 1);
  else
    snprintf (veth, sizeof veth, "huskv%.10s", text);
  return if_nametoindex (veth) != 0 ? husk_xstrdup (text) : NULL;
}

json_t *
husk_net_claims (const char *bridge)
{
  cleanup_free char *dir = husk_net_claim_dir (bridge);
  json_t *out = json_object ();
  DIR *d = opendir (dir);
  struct dirent *e;

  while (d && (e = readdir (d)))
    {
      cleanup_free char *p = husk_asprintf ("%s/%s", dir, e->d_name);
      cleanup_free char *id = e->d_name[0] != '.' ? claim_holder (p) : NULL;
      if (id)
        json_object_set_new (out, e->d_name, json_string (id));
    }
  if (d)
    closedir (d);
  return out;
}

/* The host's lock, or rootless the user's: its bridges are in its own
   network namespace.  */
static const char *
lock_path (void)
{
  static char *p;

  if (p == NULL)
    p = husk_userns_rootless () ? husk_asprintf ("%s/network.lock", husk_net_rundir ())
                                : husk_xstrdup ("/run/lock/husk-network.lock");
  return p;
}

int
husk_net_lock (husk_error_t *err)
{
  int fd;

  if (!husk_userns_rootless ())
    mkdir ("/run/lock", 0755);
  else if (husk_mkdir_p (husk_net_rundir (), 0700, err) < 0)
    return -1;
  fd = open (lock_path (), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0)
    return husk_error_make (err, errno, "open '%s'", lock_path ());
  while (flock (fd, LOCK_EX) < 0)
    if (errno != EINTR)
      {
        close (fd);
        return husk_error_make (err, errno, "lock '%s'", lock_path ());
      }
  return fd;
}

void
husk_net_unclaim (const char *path, const char *id)
{
  cleanup_free char *holder = path ? husk_read_file (path, NULL, NULL) : NULL;

  if (holder && id && strncmp (holder, id, strlen (id)) == 0
      && (holder[strlen (id)] == '\0' || holder[strlen (id)] == '\n'))
    unlink (path);
}
