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
 *   isolated   the subnets of networks with isolate=true or strict (also
 *              in nets): nothing is forwarded between two of them
 *   strict     those with isolate=strict: nothing is forwarded between
 *              them and any other network
 *   own        SUBNET . BRIDGE of those: what stays in one network (with
 *              br_netfilter, traffic within a bridge comes through the
 *              forward hook too; and a published port's hairpin) passes
 *   ports_any  PROTO . HOSTPORT : ADDRESS . PORT, published on every
 *              host address (DNAT)
 *   ports_ip   HOSTIP . PROTO . HOSTPORT : ADDRESS . PORT, on one
 *
 * Each change is one nft transaction: all of it happens, or none.
 */
#include "netconf/netconf.h"
#include "util/cleanup.h"
#include "util/strutil.h"

#include <dlfcn.h>
#include <errno.h>
#include <nftables/libnftables.h>
#include <string.h>

/* libnftables, loaded on first use: most starts and stops of a
   container change nothing in the firewall, and loading the library with
   its own (libnftnl, libxtables, libgmp) costs every run of husk-netconf
   milliseconds.  */
struct nft_api
{
  struct nft_ctx *(*ctx_new) (uint32_t flags);
  void (*ctx_free) (struct nft_ctx *ctx);
  int (*buffer_output) (struct nft_ctx *ctx);
  int (*buffer_error) (struct nft_ctx *ctx);
  const char *(*error_buffer) (struct nft_ctx *ctx);
  int (*run) (struct nft_ctx *ctx, const char *buf);
};

static int
nft_load (struct nft_api *api, husk_error_t *err)
{
  void *h = dlopen ("libnftables.so.1", RTLD_NOW | RTLD_LOCAL);

  if (h == NULL)
    return husk_error_makex (err, ENOENT, "nftables: %s (install libnftables1)", dlerror ());
  api->ctx_new = (struct nft_ctx * (*) (uint32_t)) dlsym (h, "nft_ctx_new");
  api->ctx_free = (void (*) (struct nft_ctx *)) dlsym (h, "nft_ctx_free");
  api->buffer_output = (int (*) (struct nft_ctx *)) dlsym (h, "nft_ctx_buffer_output");
  api->buffer_error = (int (*) (struct nft_ctx *)) dlsym (h, "nft_ctx_buffer_error");
  api->error_buffer = (const char *(*) (struct nft_ctx *)) dlsym (h, "nft_ctx_get_error_buffer");
  api->run = (int (*) (struct nft_ctx *, const char *)) dlsym (h, "nft_run_cmd_from_buffer");
  if (!api->ctx_new || !api->ctx_free || !api->buffer_output || !api->buffer_error
      || !api->error_buffer || !api->run)
    return husk_error_makex (err, ENOENT, "nftables: libnftables.so.1 lacks a function");
  return 0;
}

int
husk_nft_run (const char *cmds, husk_error_t *err)
{
  static struct nft_api api;
  struct nft_ctx *nft;
  int ret = 0;

  if (api.run == NULL && nft_load (&api, err) < 0)
    return -1;
  if ((nft = api.ctx_new (NFT_CTX_DEFAULT)) == NULL)
    return husk_error_makex (err, ENOMEM, "nftables: cannot make a context");
  api.buffer_output (nft);
  api.buffer_error (nft);
  if (api.run (nft, cmds) != 0)
    {
      const char *msg = api.error_buffer (nft);
      cleanup_free char *first = husk_xstrndup (msg ? msg : "", strcspn (msg ? msg : "", "\n"));
      ret = husk_error_makex (err, strstr (msg ? msg : "", "File exists") ? EEXIST : EIO,
                              "nftables: %s", *first ? first : "the transaction failed");
    }
  api.ctx_free (nft);
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
      "add set ip husk isolated { type ipv4_addr; flags interval; }\n"
      "add set ip husk strict { type ipv4_addr; flags interval; }\n"
      "add set ip husk own { type ipv4_addr . ifname; flags interval; }\n"
      "add map ip husk ports_any { type inet_proto . inet_service : ipv4_addr . inet_service; }\n"
      "add map ip husk ports_ip { type ipv4_addr . inet_proto . inet_service : "
      "ipv4_addr . inet_service; }\n"
      "add chain ip husk ports\n"
      /* A base chain of its own, before forward: drops there are final.  */
      "add chain ip husk isolation { type filter hook forward priority filter - 1; "
      "policy accept; }\n"
      "add chain ip husk prerouting { type nat hook prerouting priority dstnat; policy accept; }\n"
      "add chain ip husk output { type nat hook output priority -100; policy accept; }\n"
      "add chain ip husk postrouting { type nat hook postrouting priority srcnat; policy accept; }\n"
      "add chain ip husk forward { type filter hook forward priority filter; policy accept; }\n"
      "flush chain ip husk ports\n"
      "flush chain ip husk isolation\n"
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
      "add rule ip husk isolation ip saddr . oifname @own return\n"
      "add rule ip husk isolation ip saddr @isolated ip daddr @isolated drop\n"
      "add rule ip husk isolation ip saddr @strict ip daddr @nets drop\n"
      "add rule ip husk isolation ip daddr @strict ip saddr @nets drop\n"
      "add rule ip husk forward ip daddr @nets ct state established,related accept\n"
      "add rule ip husk forward ct status dnat ip daddr @nets accept\n"
      "add rule ip husk forward ip saddr @nets accept\n");
}
