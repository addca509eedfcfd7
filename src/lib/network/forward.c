/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Published ports of a rootless container on a bridge network, as
 * Podman's rootlessport: a process of husk's that binds the host's ports
 * in the host's network namespace, then joins the rootless network
 * namespace, where it passes traffic on to the container's address.
 * Sockets keep the namespace they were made in, so the listeners stay the
 * host's and the sockets made later are the namespace's.
 *
 * TCP: one child per accepted connection copies both ways.  UDP has no
 * connections: the forwarder keeps a flow per (published port, sender),
 * a socket connected to the container that carries the sender's
 * datagrams there and the replies back, dropped after UDP_IDLE seconds
 * of silence (as Docker's userland proxy does).  The forwarder is
 * recorded in <dir>/pid like a backend and ended by the container's
 * teardown.
 */
#include "network/bridge-private.h"
#include "util/cleanup.h"
#include "util/fileutil.h"
#include "util/strutil.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_LISTEN 256
#define MAX_FLOWS 256
#define UDP_IDLE 90

struct listener
{
  int fd;
  unsigned port; /* the container's */
  bool udp;
};

/* One UDP sender of one published port.  */
struct flow
{
  int up; /* connected to the container's address and port */
  size_t l;
  struct sockaddr_in peer;
  time_t last;
};

struct udp_table
{
  struct flow f[MAX_FLOWS];
  size_t n;
};

/* The forwarder's flows (one forwarder per process).  */
static struct udp_table flows;

/* Copy both ways until both sides are done.  */
static void
relay (int a, int b)
{
  int fd[2] = { a, b };
  bool open_[2] = { true, true };
  char buf[65536];

  while (open_[0] || open_[1])
    {
      struct pollfd p[2] = { { a, open_[0] ? POLLIN : 0, 0 }, { b, open_[1] ? POLLIN : 0, 0 } };
      if (poll (p, 2, -1) < 0)
        {
          if (errno == EINTR)
            continue;
          return;
        }
      for (int i = 0; i < 2; i++)
        {
          ssize_t n;
          if (!open_[i] || !p[i].revents)
            continue;
          n = read (fd[i], buf, sizeof buf);
          if (n < 0 && errno == EINTR)
            continue;
          if (n <= 0)
            {
              open_[i] = false;
              shutdown (fd[1 - i], SHUT_WR);
            }
          else if (husk_write_all (fd[1 - i], buf, n) < 0)
            return;
        }
    }
}

static void __attribute__ ((noreturn))
serve_one (int client, const struct in_addr *ip, unsigned port)
{
  struct sockaddr_in to = { .sin_family = AF_INET, .sin_port = htons (port), .sin_addr = *ip };
  int up = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

  prctl (PR_SET_PDEATHSIG, SIGTERM);
  if (up < 0 || connect (up, (struct sockaddr *) &to, sizeof to) < 0)
    _exit (1);
  relay (client, up);
  _exit (0);
}

static time_t
now (void)
{
  struct timespec t;

  clock_gettime (CLOCK_MONOTONIC, &t);
  return t.tv_sec;
}

static void
flow_drop (struct udp_table *t, size_t i)
{
  close (t->f[i].up);
  t->f[i] = t->f[--t->n];
}

/* The flow of a sender, made when new; the oldest makes room.  */
static struct flow *
flow_get (struct udp_table *t, size_t l, const struct sockaddr_in *peer,
          const struct in_addr *ip, unsigned port)
{
  struct sockaddr_in to = { .sin_family = AF_INET, .sin_port = htons (port), .sin_addr = *ip };
  size_t i, oldest = 0;
  int up;

  for (i = 0; i < t->n; i++)
    {
      if (t->f[i].l == l && t->f[i].peer.sin_port == peer->sin_port
          && t->f[i].peer.sin_addr.s_addr == peer->sin_addr.s_addr)
        return &t->f[i];
      if (t->f[i].last < t->f[oldest].last)
        oldest = i;
    }
  if (t->n == MAX_FLOWS)
    flow_drop (t, oldest);
  up = socket (AF_INET, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (up < 0 || connect (up, (struct sockaddr *) &to, sizeof to) < 0)
    {
      if (up >= 0)
        close (up);
      return NULL;
    }
  t->f[t->n] = (struct flow){ .up = up, .l = l, .peer = *peer };
  return &t->f[t->n++];
}

/* A datagram from the host's side goes to the container.  */
static void
udp_in (struct udp_table *t, struct listener *l, size_t i, const struct in_addr *ip)
{
  char buf[65536];
  struct sockaddr_in peer;
  socklen_t len = sizeof peer;
  struct flow *f;
  ssize_t n = recvfrom (l[i].fd, buf, sizeof buf, MSG_DONTWAIT, (struct sockaddr *) &peer, &len);

  if (n < 0 || len != sizeof peer || (f = flow_get (t, i, &peer, ip, l[i].port)) == NULL)
    return;
  f->last = now ();
  (void) send (f->up, buf, n, MSG_DONTWAIT);
}

/* A reply from the container goes back to its sender, from the port it
   was sent to.  A refusal (ICMP port unreachable) is not one.  */
static void
udp_out (struct udp_table *t, struct listener *l, size_t k)
{
  char buf[65536];
  struct flow *f = &t->f[k];
  ssize_t n = recv (f->up, buf, sizeof buf, MSG_DONTWAIT);

  if (n < 0)
    return;
  f->last = now ();
  (void) sendto (l[f->l].fd, buf, n, MSG_DONTWAIT, (struct sockaddr *) &f->peer, sizeof f->peer);
}

static void
tcp_accept (struct listener *l, size_t n, size_t i, const struct in_addr *ip)
{
  int c = accept4 (l[i].fd, NULL, NULL, SOCK_CLOEXEC);

  if (c < 0)
    return;
  if (fork () == 0)
    {
      /* The connection's copier holds none of the forwarder's sockets.  */
      for (size_t k = 0; k < n; k++)
        close (l[k].fd);
      for (size_t k = 0; k < flows.n; k++)
        close (flows.f[k].up);
      serve_one (c, ip, l[i].port);
    }
  close (c);
}

static void __attribute__ ((noreturn))
serve (struct listener *l, size_t n, const struct in_addr *ip)
{
  struct udp_table *t = &flows;
  struct pollfd p[MAX_LISTEN + MAX_FLOWS];

  signal (SIGCHLD, SIG_IGN);
  for (;;)
    {
      size_t nf = t->n;
      for (size_t i = 0; i < n; i++)
        p[i] = (struct pollfd){ .fd = l[i].fd, .events = POLLIN };
      for (size_t k = 0; k < nf; k++)
        p[n + k] = (struct pollfd){ .fd = t->f[k].up, .events = POLLIN };
      if (poll (p, n + nf, nf ? 10000 : -1) < 0)
        continue;
      /* Replies first: a new flow may move the table's entries.  */
      for (size_t k = 0; k < nf; k++)
        if (p[n + k].revents & (POLLIN | POLLERR))
          udp_out (t, l, k);
      for (size_t i = 0; i < n; i++)
        if (p[i].revents & POLLIN)
          l[i].udp ? udp_in (t, l, i, ip) : tcp_accept (l, n, i, ip);
      for (size_t k = t->n; k-- > 0;)
        if (now () - t->f[k].last > UDP_IDLE)
          flow_drop (t, k);
    }
}

/* Bind the host's ports.  Return: how many listeners, or -1 with a
   message in msg.  */
static int
listen_all (json_t *ports, struct listener *l, char *msg, size_t len)
{
  size_t i, n = 0;
  json_t *p;

  json_array_foreach (ports, i, p)
    {
      const char *hip = json_string_value (json_object_get (p, "host_ip")) ?: "";
      const char *proto = json_string_value (json_object_get (p, "protocol")) ?: "tcp";
      unsigned hport = json_integer_value (json_object_get (p, "host_port"));
      struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons (hport) };
      bool udp = strcmp (proto, "udp") == 0;
      int one = 1, fd;
      if (n == MAX_LISTEN)
        return snprintf (msg, len, "too many published ports (at most %d)", MAX_LISTEN), -1;
      if (!udp && strcmp (proto, "tcp") != 0)
        return snprintf (msg, len, "publishing %s ports of a rootless container on a bridge "
                         "network is not supported: only tcp and udp", proto), -1;
      if (*hip && inet_pton (AF_INET, hip, &a.sin_addr) != 1)
        return snprintf (msg, len, "publishing on %s: only IPv4 host addresses are "
                         "supported for rootless containers on bridge networks (their ports "
                         "go through husk's IPv4 forwarder)", hip), -1;
      fd = socket (AF_INET, (udp ? SOCK_DGRAM : SOCK_STREAM) | SOCK_CLOEXEC, 0);
      if (fd >= 0)
        setsockopt (fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
      if (fd < 0 || bind (fd, (struct sockaddr *) &a, sizeof a) < 0 || (!udp && listen (fd, 128) < 0))
        return snprintf (msg, len, "cannot publish port %u/%s: bind %s:%u: %s", hport, proto,
                         *hip ? hip : "0.0.0.0", hport, strerror (errno)), -1;
      l[n++] = (struct listener){ .fd = fd,
                                  .port = json_integer_value (json_object_get (p, "container_port")),
                                  .udp = udp };
    }
  return n;
}

/* The forwarder itself: say on report "OK PID" or why not.  */
static void __attribute__ ((noreturn))
forwarder (json_t *ports, const char *ip, int report)
{
  struct listener l[MAX_LISTEN];
  struct in_addr addr;
  husk_error_t err = NULL;
  char msg[512];
  int n, null = open ("/dev/null", O_RDWR);

  if (null >= 0)
    dup2 (null, 0), dup2 (null, 1), dup2 (null, 2);
  /* No descriptor of husk's (the state database's lock) stays open.  */
  if (dup2 (report, 3) < 0)
    _exit (1);
  report = 3;
  syscall (SYS_close_range, 4U, ~0U, 0U);
  if (inet_pton (AF_INET, ip, &addr) != 1)
    dprintf (report, "bad address %s", ip), _exit (1);
  if ((n = listen_all (ports, l, msg, sizeof msg)) < 0)
    dprintf (report, "%s", msg), _exit (1);
  if (husk_net_enter_rootless_netns (&err) < 0)
    dprintf (report, "%s", err->msg), _exit (1);
  dprintf (report, "OK %d", (int) getpid ());
  close (report);
  serve (l, n, &addr);
}

int
net_forward_start (const char *dir, json_t *ports, const char *ip, husk_error_t *err)
{
  char msg[600] = "";
  int fds[2], status, pid = 0;
  ssize_t len = 0, k;
  pid_t child;

  if (json_array_size (ports) == 0)
    return 0;
  if (pipe2 (fds, O_CLOEXEC) < 0)
    return husk_error_make (err, errno, "pipe");
  if ((child = fork ()) == 0)
    {
      sigset_t none;
      close (fds[0]);
      sigemptyset (&none);
      sigprocmask (SIG_SETMASK, &none, NULL);
      setsid ();
      /* Nobody's child of ours: the grandchild serves.  */
      if (fork () == 0)
        forwarder (ports, ip, fds[1]);
      _exit (0);
    }
  close (fds[1]);
  while (len < (ssize_t) sizeof msg - 1
         && ((k = read (fds[0], msg + len, sizeof msg - 1 - len)) > 0 || (k < 0 && errno == EINTR)))
    len += k > 0 ? k : 0;
  close (fds[0]);
  msg[len] = '\0';
  if (child > 0)
    while (waitpid (child, &status, 0) < 0 && errno == EINTR)
      ;
  if (child < 0)
    return husk_error_make (err, errno, "fork");
  if (sscanf (msg, "OK %d", &pid) != 1 || pid <= 0)
    return husk_error_makex (err, EADDRINUSE, "%s", *msg ? msg : "the port forwarder failed");
  return net_record (dir, pid, err);
}
