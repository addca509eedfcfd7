/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * husk's firewall: the table `ip husk`, through libnftables.  Nothing of
 * another table is read or changed, so a flush of the others leaves
 * husk's rules alone (and `nft delete table ip husk` is all it takes to
 * drop them).  What changes per network and per container are elements
 * of sets and maps, never rules, so that nothing needs a rule's handle:
 *
 *   nets       the subnets of the networks with a way out (masquerade,
 *              forwarding)
 *   internal   the subnets of --internal networks (nothing in or out)
 *   ports_any  PROTO . HOSTPORT : ADDRESS . PORT, published on every
 *              host address (DNAT)
 *   ports_ip   HOSTIP . PROTO . HOSTPORT : ADDRESS . PORT, on one
 *
 * Each change is one nft transaction: all of it happens, or none.
 */
#include "netconf/netconf.h"
#include "util/cleanup.h"
#include "util/strutil.h"

#include <errno.h>
#include <nftables/libnftables.h>
#include <string.h>

int
husk_nft_run (const char *cmds, husk_error_t *err)
{
  struct nft_ctx *nft = nft_ctx_new (NFT_CTX_DEFAULT);
  int ret = 0;

  if (nft == NULL)
    return husk_error_makex (err, ENOMEM, "nftables: cannot make a context");
  nft_ctx_buffer_output (nft);
  nft_ctx_buffer_error (nft);
  if (nft_run_cmd_from_buffer (nft, cmds) != 0)
    {
      const char *msg = nft_ctx_get_error_buffer (nft);
      cleanup_free char *first = husk_xstrndup (msg ? msg : "", strcspn (msg ? msg : "", "\n"));
      ret = husk_error_makex (err, strstr (msg ? msg : "", "File exists") ? EEXIST : EIO,
                              "nftables: %s", *first ? first : "the transaction failed");
    }
  nft_ctx_free (nft);
  return ret;
}

char *
husk_nft_table_cmds (void)
{
  /* "add" of what exists is a no-op; the chains are flushed and filled
     again, so that this also repairs the table.  Published ports are
     DNATed where they come in (prerouting) and where the host itself
     connects (output: 127.0.0.1 too, with route_localnet on the bridge
     and the masquerade of 127.0.0.0/8 sources).  A container that
     reaches a published port of its own network through the host is
     masqueraded too (hairpin), so that the answer comes back through
     the host.  */
  return husk_xstrdup (
      "add table ip husk\n"
      "add set ip husk nets { type ipv4_addr; flags interval; }\n"
      "add set ip husk internal { type ipv4_addr; flags interval; }\n"
      "add map ip husk ports_any { type inet_proto . inet_service : ipv4_addr . inet_service; }\n"
      "add map ip husk ports_ip { type ipv4_addr . inet_proto . inet_service : "
      "ipv4_addr . inet_service; }\n"
      "add chain ip husk ports\n"
      "add chain ip husk prerouting { type nat hook prerouting priority dstnat; policy accept; }\n"
      "add chain ip husk output { type nat hook output priority -100; policy accept; }\n"
      "add chain ip husk postrouting { type nat hook postrouting priority srcnat; policy accept; }\n"
      "add chain ip husk forward { type filter hook forward priority filter; policy accept; }\n"
      "flush chain ip husk ports\n"
      "flush chain ip husk prerouting\n"
      "flush chain ip husk output\n"
      "flush chain ip husk postrouting\n"
      "flush chain ip husk forward\n"
      "add rule ip husk prerouting fib daddr type local jump ports\n"
      "add rule ip husk output fib daddr type local jump ports\n"
      "add rule ip husk ports dnat ip to ip daddr . meta l4proto . th dport map @ports_ip\n"
      "add rule ip husk ports dnat ip to meta l4proto . th dport map @ports_any\n"
      "add rule ip husk postrouting ip saddr @nets ip daddr != @nets masquerade\n"
      "add rule ip husk postrouting ct status dnat ip saddr 127.0.0.0/8 masquerade\n"
      "add rule ip husk postrouting ct status dnat ip saddr @nets ip daddr @nets masquerade\n"
      "add rule ip husk forward ip saddr @internal ip daddr != @internal drop\n"
      "add rule ip husk forward ip daddr @internal ip saddr != @internal drop\n"
      "add rule ip husk forward ip daddr @nets ct state established,related accept\n"
      "add rule ip husk forward ct status dnat ip daddr @nets accept\n"
      "add rule ip husk forward ip saddr @nets accept\n");
}
