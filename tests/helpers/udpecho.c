/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A UDP echo server for tests (busybox has none): answers each datagram
   on 0.0.0.0:PORT with "echo:" and the datagram.  Built static by the
   test that mounts it into a container.  */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

int
main (int argc, char **argv)
{
  struct sockaddr_in a = { .sin_family = AF_INET };
  char buf[2048] = "echo:";
  int fd = socket (AF_INET, SOCK_DGRAM, 0);

  if (argc != 2 || fd < 0)
    return 2;
  a.sin_port = htons (atoi (argv[1]));
  if (bind (fd, (struct sockaddr *) &a, sizeof a) < 0)
    return 1;
  for (;;)
    {
      struct sockaddr_in peer;
      socklen_t len = sizeof peer;
      ssize_t n = recvfrom (fd, buf + 5, sizeof buf - 5, 0, (struct sockaddr *) &peer, &len);
      if (n >= 0)
        sendto (fd, buf, n + 5, 0, (struct sockaddr *) &peer, len);
    }
}
