/* SPDX-License-Identifier: GPL-2.0-or-later */
/* network create's --subnet and --gateway, each given up to twice: one
   IPv4 and one IPv6 subnet (dual stack), each gateway for the subnet in
   the same place (as Podman pairs them).  */
#ifndef HUSK_CLI_NETWORK6_H
#define HUSK_CLI_NETWORK6_H

#include "ops/network.h"

/* Fill q->subnet, gateway, subnet6, gateway6 (pointers into the
   vectors); an IPv6 subnet sets q->ipv6.  Return: 0, or -1 (EINVAL).  */
int cli_network_subnets (char **subnets, char **gateways, struct husk_network_request *q,
                         husk_error_t *err);

#endif
