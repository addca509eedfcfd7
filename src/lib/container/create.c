/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Creating a container: plan everything (the image, the configuration,
 * the runtime, the name) before writing anything, then the row (which
 * reserves the name), the bundle, the read-write layer and the named
 * volumes, rolled back together when one of them fails.
 */
#include "container/lifecycle.h"
#include "container/secrets.h"
#include "network/network.h"
#include "monproto/monproto.h"
#include "events/events.h"
#include "util/cleanup.h"
#include "util/fileutil.h"
#include "util/log.h"
#include "util/strutil.h"
#include "container/ccfg-build.h"
#include "container/idmaps.h"
#include "container/netbridge.h"
#include "image/image.h"
#include "volume/attach.h"
#include "runtime/runtime.h"
#include "storage/store.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

/* ---- names ------------------------------------------------------------- */


static char *
random_name (const char *id)
{
  static const char *const adj[] = {
    "amber", "brave", "calm", "deft", "eager", "fuzzy", "gentle", "happy", "icy",
    "jolly", "keen", "lucid", "merry", "nimble", "odd", "proud", "quiet", "rapid",
    "shy", "tidy", "upbeat", "vivid", "witty", "young", "zesty",
  };
  static const char *const noun[] = {
    "badger", "crane", "dingo", "egret", "ferret", "gecko", "heron", "ibis",
    "jackal", "koala", "lemur", "marten", "newt", "otter", "panda", "quail",
    "raven", "stoat", "tapir", "urchin", "vole", "walrus", "yak", "zebu",
  };
  char head[9];
  unsigned long v;

  snprintf (head, sizeof head, "%.8s", id);
  v = strtoul (head, NULL, 16);

  return husk_asprintf ("%s_%s", adj[v % 25], noun[(v / 25) % 24]);
}


static int
valid_name (const char *n)
{
  if (!((n[0] >= 'a' && n[0] <= 'z') || (n[0] >= 'A' && n[0] <= 'Z') || (n[0] >= '0' && n[0] <= '9')))
    return 0;
  for (const char *p = n; *p; p++)
    if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9')
          || *p == '_' || *p == '.' || *p == '-'))
      return 0;
  return 1;
}

/* ---- create ------------------------------------------------------------ */

/* The namespace a sysctl belongs to ("network", "ipc", "uts"), or NULL.  */
static const char *
sysctl_namespace (const char *k)
{
  static const char *const ipc[] = { "kernel.msgmax", "kernel.msgmnb", "kernel.msgmni",
                                     "kernel.sem", "kernel.shmall", "kernel.shmmax",
                                     "kernel.shmmni", "kernel.shm_rmid_forced", NULL };

  if (husk_has_prefix (k, "net."))
    return "network";
  if (husk_strv_contains ((char *const *) ipc, k) || husk_has_prefix (k, "fs.mqueue."))
    return "ipc";
  return strcmp (k, "kernel.domainname") == 0 ? "uts" : NULL;
}

/* containers.conf default_sysctls ("net.ipv4.ping_group_range=0 0", so
   that an unprivileged ping works), as Podman applies them: under the
   container's own --sysctl, and not where the namespace is the host's
   or another's, which the container must not change.  After the user
   namespace is planned.  */
static void
add_default_sysctls (json_t *c, char **defaults)
{
  json_t *set = json_object_get (c, "sysctls");
  json_t *ns = json_object_get (c, "namespaces");
  /* A network namespace husk makes (bridge, pasta, slirp4netns) exists
     before the container's own user namespace, which then does not own
     it: the runtime could not write there.  */
  json_t *userns = json_object_get (c, "userns");
  bool own_userns = userns && json_string_value (json_object_get (userns, "mode"))
                    && strcmp (json_string_value (json_object_get (userns, "mode")), "host") != 0;

  for (size_t i = 0; defaults && defaults[i] && json_is_object (set); i++)
    {
      const char *eq = strchr (defaults[i], '=');
      cleanup_free char *k = eq ? husk_xstrndup (defaults[i], eq - defaults[i]) : NULL;
      const char *kind = k ? sysctl_namespace (k) : NULL;
      const char *mode = kind ? json_string_value (json_object_get (ns, kind)) : NULL;
      if (kind == NULL || json_object_get (set, k)
          || (mode && (strcmp (mode, "host") == 0 || husk_has_prefix (mode, "container:")
                       || husk_has_prefix (mode, "ns:")))
          || (mode && strcmp (kind, "network") == 0 && strcmp (mode, "none") != 0
              && own_userns))
        continue;
      json_object_set_new (set, k, json_string (eq + 1));
    }
}

static json_t *
plan (struct husk_engine *e, const char *image_id, json_t *req, struct husk_image_rec *img,
      husk_error_t *err)
{
  cleanup_json json_t *icfg = NULL;
  struct husk_ccfg_defaults d = {
    .log_driver = e->config->log_driver,
    .shm_size = e->config->shm_size,
    .init_path = e->config->init_path,
    .stop_timeout = e->config->stop_timeout,
    /* Rootful: the default bridge network (containers.conf default_network,
       "podman", is one of its names); rootless: pasta.  */
    .network = e->rootless ? e->config->default_rootless_network_cmd
                           : (e->config->default_network && *e->config->default_network
                                  ? e->config->default_network : HUSK_NET_DEFAULT),
    .pasta_options = e->config->pasta_options,
    .rootless = e->rootless,
  };
  json_t *c;

  if (husk_state_image_get (e->state, image_id, img, err) < 0)
    return NULL;
  icfg = json_loads (img->config, 0, NULL);
  /* A manifest list (ops/image_manifest.c) has no file system to run.  */
  if (img->layers[0] == NULL && json_object_get (icfg, "husk.manifestList"))
    return husk_error_makex (err, EINVAL, "%s is a manifest list: create the container "
                             "from one of the images it holds", img->names[0] ?: image_id),
           NULL;
  c = husk_ccfg_build (req, &d, icfg, err);
  if (c == NULL)
    return NULL;
  if (husk_container_bridge_plan (e, c, err) < 0)
    {
      json_decref (c);
      return NULL;
    }
  {
    /* Its network program must be there: say so now, not at start.  */
    const struct husk_net_backend *b = husk_net_backend_find (
        json_string_value (json_object_get (json_object_get (c, "namespaces"), "network")));
    cleanup_free char *exe = b ? husk_net_find_exe (b, e->config->helper_binaries_dir,
                                                    b == &husk_net_slirp4netns
                                                        ? e->config->network_cmd_path : NULL,
                                                    err)
                               : NULL;
    if (b && exe == NULL)
      {
        json_decref (c);
        return NULL;
      }
  }
  json_object_set_new (c, "image", json_pack ("{s:s, s:s}", "id", img->id, "name",
                                              img->names && img->names[0] ? img->names[0] : img->id));
  if (json_string_value (json_object_get (req, "image_name")))
    json_object_set (json_object_get (c, "image"), "given",
                     json_object_get (req, "image_name"));
  /* The runtime is the container's for life: chosen now, by path, so
     no later change of the host or the configuration hands it to
     another runtime.  */
  {
    cleanup_free char *why = NULL;
    cleanup (husk_runtime_free) struct husk_runtime *rt = husk_runtime_resolve (
        json_string_value (json_object_get (req, "runtime")), e->config, &why, err);
    if (rt == NULL)
      {
        json_decref (c);
        return NULL;
      }
    husk_log_debug ("Using OCI runtime \"%s\"%s%s", rt->path, why ? ": " : "", why ? why : "");
    json_object_set_new (c, "runtime", json_string (rt->path));
    /* inspect's OCIRuntime: the runtime as named, a path when given one.  */
    json_object_set_new (c, "runtime_name", json_string (json_string_value (json_object_get (req, "runtime")) ?: rt->name));
  }
  return c;
}

/* The request's name, checked, or a random one.  */
static char *
choose_name (json_t *req, const char *id, husk_error_t *err)
{
  const char *n = json_string_value (json_object_get (req, "name"));

  if (n == NULL || *n == '\0')
    return random_name (id);
  if (!valid_name (n))
    return husk_error_makex (err, EINVAL, "container name \"%s\" is invalid: names must match "
                             "[a-zA-Z0-9][a-zA-Z0-9_.-]*", n), NULL;
  return husk_xstrdup (n);
}


/* The container's layer: with a user namespace of its own, the image's
   files are owned by the IDs the container's map to (storage/idmapped.c). */
static int
create_layer (struct husk_engine *e, json_t *c, const char *id, const char *top,
              husk_error_t *err)
{
  struct husk_idmap uids, gids;

  if (husk_container_idmaps (c, &uids, &gids))
    return husk_store_container_create_mapped (e->store, id, top, &uids, &gids, err);
  return husk_store_container_create (e->store, id, top, err);
}

int
husk_container_create (struct husk_engine *e, const char *image_id, json_t *req,
                          char **id_out, husk_error_t *err)
{
  struct husk_image_rec img = { 0 };
  cleanup_json json_t *c = plan (e, image_id, req, &img, err);
  cleanup_free char *id = husk_random_hex (32), *name = NULL, *dir = NULL, *text = NULL;
  struct husk_container_rec rec = { 0 };
  cleanup_close int userns_lock = -1;
  const char *top;
  int ret = -1;

  if (c == NULL || husk_container_secrets_resolve (e, c, err) < 0)
    goto out;
  top = img.layers && img.layers[0] ? img.layers[husk_strv_len (img.layers) - 1] : NULL;
  if (husk_container_userns_build (e, req, c, top, &userns_lock, err) < 0
      || husk_container_idmap_mounts (e, c, err) < 0)
    goto out;
  add_default_sysctls (c, e->config->default_sysctls);
  if ((name = choose_name (req, id, err)) == NULL)
    goto out;
  json_object_set_new (c, "id", json_string (id));
  json_object_set_new (c, "name", json_string (name));
  if (json_object_get (c, "hostname") == NULL)
    {
      /* Podman: the short ID, or with the host's network its hostname.  */
      const char *net = json_string_value (json_object_get (json_object_get (c, "namespaces"),
                                                            "network"));
      char host[256] = "";
      cleanup_free char *h = husk_xstrndup (id, 12);
      if (net && strcmp (net, "host") == 0 && gethostname (host, sizeof host - 1) == 0 && *host)
        json_object_set_new (c, "hostname", json_string (host));
      else
        json_object_set_new (c, "hostname", json_string (h));
    }
  dir = husk_container_bundle_dir (e, id);
  if (json_object_get (json_object_get (c, "log"), "path") == NULL)
    {
      cleanup_free char *lp = husk_asprintf ("%s/ctr.log", dir);
      json_object_set_new (json_object_get (c, "log"), "path", json_string (lp));
    }
  text = json_dumps (c, JSON_COMPACT);
  rec = (struct husk_container_rec){ .id = id, .name = name, .image_id = img.id,
                                     .config = text, .state = (char *) "created",
                                     .created = husk_now_ns () };
  /* The row first: it reserves the name, so a conflict costs nothing.  A
     generated name that happens to be taken is simply drawn again.  */
  for (int tries = 0; husk_state_container_add (e->state, &rec, err) < 0; tries++)
    {
      cleanup_free char *salt = husk_random_hex (4);
      if ((*err)->code != EEXIST || json_string_value (json_object_get (req, "name")) || tries > 50)
        goto out;
      husk_error_release (err);
      free (name);
      name = random_name (salt);
      rec.name = name;
      json_object_set_new (c, "name", json_string (name));
      free (text);
      text = json_dumps (c, JSON_COMPACT);
      rec.config = text;
    }
  /* The row holds the container's --userns=auto range from now on.  */
  if (userns_lock >= 0)
    close (steal_fd (&userns_lock));
  /* Named volumes exist from create on, as in Podman; they are seeded from
     the image at the first start.  */
  if (husk_container_bridge_alloc (e, &rec, c, &text, err) < 0 || husk_mkdir_p (dir, 0700, err) < 0 || husk_container_write_bundle_files (e, dir, c, err) < 0
      || husk_container_secrets_copy (e, dir, c, err) < 0
      || create_layer (e, c, id, top, err) < 0
      || (json_is_true (json_object_get (c, "rm"))
          && husk_store_container_set_transient (e->store, id, err) < 0)
      || husk_volume_create_named (e, c, err) < 0)
    {
      husk_error_t rerr = NULL;
      /* Roll back; what cannot go is for rm to finish.  */
      if (husk_store_container_remove (e->store, id, &rerr) < 0)
        husk_error_drop (&rerr, "create %s: roll back the layer", id);
      if (husk_rm_rf (dir, &rerr) < 0)
        husk_error_drop (&rerr, "create %s: roll back the bundle", id);
      if (husk_state_container_remove (e->state, id, &rerr) < 0)
        husk_error_drop_warn (&rerr, "create %s: roll back the row", id);
      husk_container_bridge_release (e, c, id);
      goto out;
    }
  husk_events_container (e->state, &rec, "create", 0, NULL);
  *id_out = steal_ptr (&id);
  ret = 0;
out:
  husk_image_rec_release (&img);
  return ret;
}
