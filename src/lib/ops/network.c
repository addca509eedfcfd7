/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The network commands: create, ls with filters, inspect, rm (with -f its
   containers first), prune.  */
#include "ops/network.h"
#include "config/config.h"
#include "container/netbridge.h"
#include "ops/container.h"
#include "state/containers.h"
#include "network/network.h"
#include "util/cleanup.h"
#include "util/strutil.h"

#include <errno.h>
#include <regex.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

int
husk_op_network_create (struct husk_engine *e, const struct husk_network_request *q,
                        json_t **out, husk_error_t *err)
{
  struct husk_netenv v = husk_container_netenv (e);

  v.subnet_pools = e->config->default_subnet_pools;
  return husk_network_create (&v, q, out, err);
}

int
husk_op_network_update (struct husk_engine *e, const char *ref, json_t *dns_add,
                        json_t *dns_drop, json_t **out, husk_error_t *err)
{
  struct husk_netenv v = husk_container_netenv (e);

  return husk_network_update_dns (&v, ref, dns_add, dns_drop, out, err);
}

/* One filter "key=value" against a network.  */
static bool
match_one (json_t *n, const char *key, const char *val, husk_error_t *err, bool *bad)
{
  const char *name = json_string_value (json_object_get (n, "name"));

  if (strcmp (key, "name") == 0)
    {
      regex_t re;
      bool hit;
      if (regcomp (&re, val, REG_EXTENDED | REG_NOSUB) != 0)
        return *bad = true, husk_error_makex (err, EINVAL, "invalid name filter \"%s\"", val),
               false;
      hit = regexec (&re, name, 0, NULL, 0) == 0;
      regfree (&re);
      return hit;
    }
  if (strcmp (key, "id") == 0)
    return husk_has_prefix (json_string_value (json_object_get (n, "id")), val);
  if (strcmp (key, "driver") == 0)
    return strcmp (json_string_value (json_object_get (n, "driver")), val) == 0;
  if (strcmp (key, "label") == 0)
    return husk_label_filter_match (json_object_get (n, "labels"), val);
  if (strcmp (key, "label!") == 0)
    return !husk_label_filter_match (json_object_get (n, "labels"), val);
  *bad = true;
  husk_error_makex (err, EINVAL, "invalid filter \"%s\": use name=, id=, driver=, label= or "
                    "label!=", key);
  return false;
}

/* Values of one key are alternatives, keys must all match (Podman).  */
static int
matches (json_t *n, char **filters, bool *hit, husk_error_t *err)
{
  bool bad = false;

  *hit = true;
  for (size_t i = 0; filters && filters[i] && *hit; i++)
    {
      const char *eq = strchr (filters[i], '=');
      cleanup_free char *key = eq ? husk_xstrndup (filters[i], eq - filters[i]) : NULL;
      bool any = false;
      if (key == NULL)
        return husk_error_makex (err, EINVAL, "invalid filter \"%s\": want key=value",
                                 filters[i]);
      for (size_t k = 0; filters[k]; k++)
        if (husk_has_prefix (filters[k], key) && filters[k][strlen (key)] == '=')
          any = any || match_one (n, key, filters[k] + strlen (key) + 1, err, &bad);
      if (bad)
        return -1;
      *hit = any;
    }
  return 0;
}

int
husk_op_network_list (struct husk_engine *e, char **filters, json_t **out, husk_error_t *err)
{
  struct husk_netenv v = husk_container_netenv (e);
  cleanup_json json_t *all = husk_network_list (&v, err);
  size_t i;
  json_t *n;

  *out = NULL;
  if (all == NULL)
    return -1;
  *out = json_array ();
  json_array_foreach (all, i, n)
    {
      bool hit;
      if (matches (n, filters, &hit, err) < 0)
        {
          json_decref (*out);
          *out = NULL;
          return -1;
        }
      if (hit)
        json_array_append (*out, n);
    }
  return 0;
}

json_t *
husk_op_network_inspect (struct husk_engine *e, const char *ref, husk_error_t *err)
{
  struct husk_netenv v = husk_container_netenv (e);

  return husk_network_get (&v, ref, err);
}

int
husk_op_network_remove (struct husk_engine *e, const char *ref, bool force, int timeout,
                        char **removed, husk_error_t *err)
{
  struct husk_netenv v = husk_container_netenv (e);
  cleanup_json json_t *net = husk_network_get (&v, ref, err);
  cleanup_strv char **users = NULL;
  const char *name;
  size_t elsewhere;

  if (net == NULL)
    return -1;
  name = json_string_value (json_object_get (net, "name"));
  if (husk_network_is_default (name))
    return husk_error_makex (err, EPERM, "default network %s cannot be removed", name);
  if ((users = husk_network_users (&v, net, &elsewhere, err)) == NULL)
    return -1;
  if (force && elsewhere)
    return husk_error_makex (err, EBUSY, "\"%s\" has %zu associated containers of other "
                             "stores: network is being used", name, elsewhere);
  for (size_t i = 0; force && users[i]; i++)
    if (husk_op_container_remove (e, users[i], true, false, timeout, err) < 0)
      return husk_error_wrap (err, "remove network %s", name);
  if (husk_network_remove (&v, net, err) < 0)
    return -1;
  husk_bridge_forget (net);
  *removed = husk_xstrdup (name);
  return 0;
}

int
husk_op_network_prune (struct husk_engine *e, char **filters, char ***removed,
                       husk_error_t *err)
{
  struct husk_netenv v = husk_container_netenv (e);
  cleanup_json json_t *nets = NULL;
  size_t i, elsewhere;
  json_t *n;

  *removed = NULL;
  for (size_t k = 0; filters && filters[k]; k++)
    if (!husk_has_prefix (filters[k], "label=") && !husk_has_prefix (filters[k], "label!="))
      return husk_error_makex (err, EINVAL, "invalid prune filter \"%s\": use label= or "
                               "label!=", filters[k]);
  if (husk_op_network_list (e, filters, &nets, err) < 0)
    return -1;
  json_array_foreach (nets, i, n)
    {
      const char *name = json_string_value (json_object_get (n, "name"));
      cleanup_strv char **users = NULL;
      if (husk_network_is_default (name))
        continue;
      if ((users = husk_network_users (&v, n, &elsewhere, err)) == NULL)
        return -1;
      if (users[0] || elsewhere)
        continue;
      if (husk_network_remove (&v, n, err) < 0)
        return -1;
      husk_bridge_forget (n);
      husk_strv_append (removed, name);
    }
  return 0;
}

/* Whether the running container r is named by refs (all: any).  */
static bool
reload_wanted (struct husk_container_rec *r, char **ids, bool all)
{
  if (strcmp (r->state, "running") != 0 && strcmp (r->state, "paused") != 0)
    return false;
  for (size_t i = 0; !all && ids[i]; i++)
    if (strcmp (ids[i], r->id) == 0)
      return true;
  return all;
}

/* The reload's entries of a container on bridge networks, appended to
   out: one per network, the published ports with the first.  Return: 0,
   or -1.  */
static int
reload_entries (struct husk_netenv *v, struct husk_container_rec *r, json_t *out,
                husk_error_t *err)
{
  cleanup_json json_t *c = json_loads (r->config, 0, NULL);
  const char *mode = json_string_value (json_object_get (json_object_get (c, "namespaces"),
                                                         "network"));
  size_t i;
  json_t *n, *net;

  if (mode == NULL || strcmp (mode, "bridge") != 0)
    return 0;
  json_array_foreach (husk_container_networks (c), i, n)
    {
      /* Rootless, published ports are the forwarder's, not the
         firewall's; rootful, they go with the first network.  */
      json_t *ports = i == 0 && !v->rootless ? json_object_get (c, "ports") : NULL;
      net = husk_network_get (v, json_string_value (json_object_get (n, "name")), err);
      if (net == NULL)
        return -1;
      /* A macvlan network has nothing in the firewall.  */
      if (!husk_network_is_bridge (net))
        {
          json_decref (net);
          continue;
        }
      json_array_append_new (out, json_pack ("{s:o, s:O, s:O, s:O}", "network", net, "ip",
                                             json_object_get (n, "ip"), "ip6",
                                             json_object_get (n, "ip6") ?: json_null (),
                                             "ports", ports ?: json_null ()));
    }
  return 0;
}

int
husk_op_network_reload (struct husk_engine *e, char **refs, bool all, char ***done,
                        husk_error_t *err)
{
  struct husk_netenv v = husk_container_netenv (e);
  struct husk_container_rec *list = NULL;
  cleanup_strv char **ids = husk_xzalloc (sizeof *ids);
  cleanup_json json_t *entries = json_array ();
  size_t n = 0;
  int ret = -1;

  *done = husk_xzalloc (sizeof **done);
  for (size_t i = 0; refs && refs[i]; i++)
    {
      char *id;
      if (husk_state_container_lookup (e->state, refs[i], &id, err) < 0)
        return -1;
      husk_strv_append (&ids, id);
      free (id);
    }
  if (husk_state_container_list (e->state, &list, &n, err) < 0)
    return -1;
  for (size_t i = 0; i < n; i++)
    {
      if (!reload_wanted (&list[i], ids, all))
        continue;
      if (reload_entries (&v, &list[i], entries, err) < 0)
        goto out;
      husk_strv_append (done, list[i].id);
    }
  ret = json_array_size (entries) ? husk_bridge_reload (entries, err) : 0;
out:
  husk_container_rec_array_free (list, n);
  return ret;
}

/* The container named by ref, and whether it runs.  */
static int
container_of (struct husk_engine *e, const char *ref, struct husk_container_rec *r, bool *running,
              husk_error_t *err)
{
  cleanup_free char *id = NULL;

  if (husk_op_container_resolve (e, ref, &id, err) < 0
      || husk_state_container_get (e->state, id, r, err) < 0)
    return -1;
  *running = strcmp (r->state, "running") == 0 || strcmp (r->state, "paused") == 0;
  return 0;
}

int
husk_op_network_connect (struct husk_engine *e, const char *container,
                         const struct husk_bridge_connect *q, husk_error_t *err)
{
  cleanup_container_rec struct husk_container_rec r = { 0 };
  bool running;

  if (container_of (e, container, &r, &running, err) < 0)
    return -1;
  return husk_container_bridge_connect (e, &r, q, running, err);
}

int
husk_op_network_disconnect (struct husk_engine *e, const char *network, const char *container,
                            husk_error_t *err)
{
  cleanup_container_rec struct husk_container_rec r = { 0 };
  bool running;

  if (container_of (e, container, &r, &running, err) < 0)
    return -1;
  return husk_container_bridge_disconnect (e, &r, network, running, err);
}

static void __attribute__ ((noreturn))
run_inside (char *const argv[])
{
  husk_error_t err = NULL;

  if (husk_net_enter_rootless_netns (&err) < 0)
    {
      fprintf (stderr, "Error: %s\n", err->msg);
      _exit (125);
    }
  execvp (argv[0], argv);
  fprintf (stderr, "Error: exec '%s': %s\n", argv[0], strerror (errno));
  _exit (errno == ENOENT ? 127 : 126);
}

int
husk_op_network_rootless_run (char *const argv[], int *status, husk_error_t *err)
{
  struct husk_config *conf = husk_config_load (true, err);
  cleanup_free char *pasta = NULL;
  cleanup_free char *user = husk_asprintf ("unshare-%d", (int) getpid ());
  int st = 0;
  pid_t pid;

  if (conf == NULL)
    return -1;
  pasta = husk_net_find_exe (&husk_net_pasta, conf->helper_binaries_dir, NULL, err);
  husk_config_free (conf);
  if (pasta == NULL || husk_net_rootless_ensure (pasta, user, err) < 0)
    return -1;
  fflush (NULL);
  if ((pid = fork ()) == 0)
    run_inside (argv);
  while (pid > 0 && waitpid (pid, &st, 0) < 0 && errno == EINTR)
    ;
  husk_net_rootless_release (user);
  if (pid < 0)
    return husk_error_make (err, errno, "fork");
  *status = WIFEXITED (st) ? WEXITSTATUS (st) : 128 + WTERMSIG (st);
  return 0;
}
