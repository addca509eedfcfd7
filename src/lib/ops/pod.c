/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Pod operations: the infra image, create with --replace and
 * --pod-id-file, the lifecycle over the pod's containers (the infra first
 * up, last down), and what container create, start, cleanup and rm ask
 * of a container's pod.  See ops/pod.h and docs/design/pods.md.
 */
#include "ops/pod.h"
#include "container/fstar.h"
#include "container/lifecycle.h"
#include "events/events.h"
#include "ops/container.h"
#include "ops/image-pull.h"
#include "ops/image.h"
#include "pod/pod.h"
#include "storage/store.h"
#include "util/cleanup.h"
#include "util/exec.h"
#include "util/fileutil.h"
#include "util/log.h"
#include "util/strutil.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- the infra image ------------------------------------------------------ */

/* A one-file layer: husk-pause as /pause, owned by 0:0, written to out. */
static int
pause_layer (int out, husk_error_t *err)
{
  cleanup_free char *exe = husk_exec_sibling ("husk-pause");
  cleanup_close int src = open (exe, O_PATH | O_NOFOLLOW | O_CLOEXEC);
  struct husk_fstar *w;
  struct stat st;
  int r;

  if (src < 0 || fstat (src, &st) < 0 || !S_ISREG (st.st_mode))
    return husk_error_make (err, src < 0 ? errno : ENOEXEC, "the infra container's pause "
                            "program %s (husk-pause, installed beside husk)", exe);
  w = husk_fstar_new (out, &(struct husk_fstar_opts){ .set_owner = true, .uid = 0, .gid = 0 },
                      err);
  if (w == NULL)
    return -1;
  r = husk_fstar_add (w, src, "pause", err);
  if (r == 0)
    r = husk_fstar_finish (w, err);
  husk_fstar_free (w);
  return r;
}

/* localhost/husk-pause:VERSION, made from husk-pause the first time a
   pod needs it.  A lock file in the store makes two first uses one: the
   second finds the image the first made.  */
static int
pause_image (struct husk_engine *e, char **id, husk_error_t *err)
{
  cleanup_free char *name = husk_pod_infra_image_name ();
  cleanup_free char *lockpath = husk_asprintf ("%s/husk-pause.lock", e->root);
  cleanup_free char *tmp = husk_store_tmp_dir (e->store);
  cleanup_free char *tar = NULL;
  cleanup_close int lock = -1, out = -1;
  char *changes[] = { (char *) "ENTRYPOINT [\"/pause\"]", NULL };
  int r;

  if (husk_op_image_resolve_quiet (e, name, id))
    return 0;
  lock = open (lockpath, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (lock < 0 || flock (lock, LOCK_EX) < 0)
    return husk_error_make (err, errno, "lock %s", lockpath);
  if (husk_op_image_resolve_quiet (e, name, id))
    return 0;
  if (husk_mkdir_p (tmp, 0700, err) < 0)
    return -1;
  /* A work file: locked while open, so that no store opening meanwhile
     takes it for a dead process's.  */
  if ((out = husk_work_file_create (tmp, "pause", &tar, err)) < 0)
    return -1;
  r = pause_layer (out, err);
  if (r == 0)
    r = husk_op_image_import (e, &(struct husk_import_opts){
                                .source = tar, .reference = name, .changes = changes,
                                .message = "husk pod infra image" }, id, err);
  unlink (tar);
  return r < 0 ? husk_error_wrap (err, "make the infra image %s", name) : 0;
}

/* --infra-image: pulled when missing, as `run` does.  */
static int
infra_image (struct husk_engine *e, const char *given, char **id, husk_error_t *err)
{
  struct husk_pull_opts o = {
    .reg = { .tls_verify = -1, .retries = 3, .parallel = 6 },
    .policy = "missing", .quiet = true,
  };

  if (given == NULL || *given == '\0')
    return pause_image (e, id, err);
  if (husk_op_image_resolve_quiet (e, given, id))
    return 0;
  return husk_op_image_pull (e, given, &o, id, err);
}

/* ---- create --------------------------------------------------------------- */

static int
write_pod_id_file (const char *path, const char *id, husk_error_t *err)
{
  return husk_write_file_new (path, id, strlen (id), 0644, err);
}

int
husk_op_pod_create (struct husk_engine *e, json_t *req, const struct husk_pod_create_opts *o,
                    char **id_out, husk_error_t *err)
{
  cleanup_json json_t *config = husk_pod_config_build (req, err);
  const char *name = json_string_value (json_object_get (req, "name"));
  cleanup_free char *image_id = NULL, *old = NULL;

  if (config == NULL)
    return -1;
  if (o->pod_id_file && faccessat (AT_FDCWD, o->pod_id_file, F_OK, AT_SYMLINK_NOFOLLOW) == 0)
    return husk_error_makex (err, EEXIST, "pod id file exists. Ensure another pod is not "
                             "using it or delete %s", o->pod_id_file);
  if (json_is_true (json_object_get (config, "infra"))
      && infra_image (e, json_string_value (json_object_get (req, "infra_image")), &image_id,
                      err) < 0)
    return -1;
  if (o->replace && name && husk_state_pod_lookup (e->state, name, &old, NULL) == 0
      && husk_op_pod_remove (e, old, true, 0, err) < 0)
    return -1;
  if (husk_pod_create (e, config, name, image_id, id_out, err) < 0)
    return -1;
  if (o->pod_id_file && write_pod_id_file (o->pod_id_file, *id_out, err) < 0)
    {
      husk_error_t rerr = NULL;
      if (husk_op_pod_remove (e, *id_out, true, 0, &rerr) < 0)
        husk_error_drop_warn (&rerr, "remove pod %s again", *id_out);
      free (*id_out);
      *id_out = NULL;
      return -1;
    }
  return 0;
}

int
husk_op_pod_resolve (struct husk_engine *e, const char *ref, char **id, husk_error_t *err)
{
  return husk_state_pod_lookup (e->state, ref, id, err);
}

/* ---- the lifecycle -------------------------------------------------------- */

struct pod_view
{
  struct husk_pod_rec pod;
  struct husk_container_rec *m; /* the infra first */
  size_t n;
};

static void
view_release (struct pod_view *v)
{
  husk_pod_rec_release (&v->pod);
  husk_container_rec_array_free (v->m, v->n);
  v->m = NULL;
  v->n = 0;
}
#define cleanup_view __attribute__ ((__cleanup__ (view_release)))

static int
view_load (struct husk_engine *e, const char *ref, struct pod_view *v, husk_error_t *err)
{
  if (husk_pod_load (e, ref, &v->pod, err) < 0)
    return -1;
  return husk_pod_members (e, &v->pod, &v->m, &v->n, err);
}

static bool
is_infra (const struct pod_view *v, size_t i)
{
  return strcmp (v->m[i].id, v->pod.infra_id) == 0;
}

/* Keep the first error, log the others.  */
static void
keep_first (husk_error_t *first, husk_error_t *e)
{
  if (*first == NULL)
    *first = *e;
  else
    husk_error_drop_warn (e, "pod");
  *e = NULL;
}

static int
finish (husk_error_t *first, husk_error_t *err)
{
  if (*first == NULL)
    return 0;
  *err = *first;
  return -1;
}

int
husk_op_pod_start (struct husk_engine *e, const char *ref, husk_error_t *err)
{
  cleanup_view struct pod_view v = { 0 };
  husk_error_t first = NULL;

  if (view_load (e, ref, &v, err) < 0)
    return -1;
  for (size_t i = 0; i < v.n; i++)
    {
      husk_error_t one = NULL;
      int hint;
      if (strcmp (v.m[i].state, "running") == 0 || strcmp (v.m[i].state, "paused") == 0)
        continue;
      if (husk_op_container_start (e, v.m[i].id, NULL, &hint, &one) < 0)
        {
          husk_error_wrap (&one, "starting container %s", v.m[i].id);
          keep_first (&first, &one);
          /* Without its infra no member can join the namespaces.  */
          if (is_infra (&v, i))
            break;
        }
    }
  if (first == NULL)
    husk_events_pod (e->state, "start", v.pod.id, v.pod.name);
  return finish (&first, err);
}

/* Members newest first, then the infra.  */
static void
down_order (const struct pod_view *v, size_t *order)
{
  size_t k = 0;

  for (size_t i = v->n; i-- > 0;)
    if (!is_infra (v, i))
      order[k++] = i;
  for (size_t i = 0; i < v->n; i++)
    if (is_infra (v, i))
      order[k++] = i;
}

static bool
active (const struct husk_container_rec *r)
{
  return husk_container_has_monitor (r->state);
}

int
husk_op_pod_stop (struct husk_engine *e, const char *ref, int timeout, husk_error_t *err)
{
  cleanup_view struct pod_view v = { 0 };
  cleanup_free size_t *order = NULL;
  husk_error_t first = NULL;

  if (view_load (e, ref, &v, err) < 0)
    return -1;
  order = husk_xzalloc ((v.n + 1) * sizeof *order);
  down_order (&v, order);
  for (size_t k = 0; k < v.n; k++)
    {
      husk_error_t one = NULL;
      if (active (&v.m[order[k]])
          && husk_op_container_stop (e, v.m[order[k]].id, timeout, &one) < 0)
        keep_first (&first, &one);
    }
  if (first == NULL)
    husk_events_pod (e->state, "stop", v.pod.id, v.pod.name);
  return finish (&first, err);
}

/* Each running (or paused) container, members first.  */
static int
each_active (struct husk_engine *e, const char *ref, const char *event,
             int (*fn) (struct husk_engine *, const char *, void *, husk_error_t *),
             void *data, const char *state, husk_error_t *err)
{
  cleanup_view struct pod_view v = { 0 };
  cleanup_free size_t *order = NULL;
  husk_error_t first = NULL;
  size_t done = 0;

  if (view_load (e, ref, &v, err) < 0)
    return -1;
  order = husk_xzalloc ((v.n + 1) * sizeof *order);
  down_order (&v, order);
  for (size_t k = 0; k < v.n; k++)
    {
      husk_error_t one = NULL;
      const struct husk_container_rec *r = &v.m[order[k]];
      if (state ? strcmp (r->state, state) != 0 : !active (r))
        continue;
      done++;
      if (fn (e, r->id, data, &one) < 0)
        keep_first (&first, &one);
    }
  if (done == 0 && first == NULL)
    return husk_error_makex (err, EINVAL, "no containers in pod %s are %s: pod state "
                             "improper", v.pod.id, state ? state : "running");
  if (first == NULL)
    husk_events_pod (e->state, event, v.pod.id, v.pod.name);
  return finish (&first, err);
}

static int
kill_one (struct husk_engine *e, const char *id, void *data, husk_error_t *err)
{
  return husk_op_container_kill (e, id, *(int *) data, err);
}

static int
pause_one (struct husk_engine *e, const char *id, void *data, husk_error_t *err)
{
  (void) data;
  return husk_op_container_pause (e, id, err);
}

static int
unpause_one (struct husk_engine *e, const char *id, void *data, husk_error_t *err)
{
  (void) data;
  return husk_op_container_unpause (e, id, err);
}

int
husk_op_pod_kill (struct husk_engine *e, const char *ref, int sig, husk_error_t *err)
{
  return each_active (e, ref, "kill", kill_one, &sig, NULL, err);
}

int
husk_op_pod_pause (struct husk_engine *e, const char *ref, husk_error_t *err)
{
  return each_active (e, ref, "pause", pause_one, NULL, "running", err);
}

int
husk_op_pod_unpause (struct husk_engine *e, const char *ref, husk_error_t *err)
{
  return each_active (e, ref, "unpause", unpause_one, NULL, "paused", err);
}

int
husk_op_pod_restart (struct husk_engine *e, const char *ref, husk_error_t *err)
{
  if (husk_op_pod_stop (e, ref, -1, err) < 0)
    return -1;
  return husk_op_pod_start (e, ref, err);
}

int
husk_op_pod_remove (struct husk_engine *e, const char *ref, bool force, int timeout,
                    husk_error_t *err)
{
  cleanup_view struct pod_view v = { 0 };
  cleanup_free size_t *order = NULL;
  cleanup_strv char **busy = NULL;
  struct husk_rm_opts ro = { .force = true, .infra = true,
                             .stop = { .timeout = timeout } };

  if (view_load (e, ref, &v, err) < 0)
    return -1;
  for (size_t i = 0; i < v.n; i++)
    if (active (&v.m[i]))
      husk_strv_append (&busy, v.m[i].name);
  if (busy && !force)
    {
      cleanup_free char *list = husk_strv_join (busy, ", ");
      return husk_error_makex (err, EBUSY, "pod %s has containers that are not ready to be "
                               "removed: running or paused containers cannot be removed "
                               "without force (%s): container state improper", v.pod.id, list);
    }
  order = husk_xzalloc ((v.n + 1) * sizeof *order);
  down_order (&v, order);
  /* Stopped first, all of them, so that no member's exit policy or
     restart races the removal; then removed, the infra last.  */
  if (busy && husk_op_pod_stop (e, v.pod.id, timeout, err) < 0)
    return -1;
  for (size_t k = 0; k < v.n; k++)
    if (husk_op_container_remove_with (e, v.m[order[k]].id, &ro, err) < 0)
      return husk_error_wrap (err, "remove pod %s", v.pod.name);
  if (husk_state_pod_remove (e->state, v.pod.id, err) < 0)
    return -1;
  husk_events_pod (e->state, "remove", v.pod.id, v.pod.name);
  return 0;
}

/* ---- queries -------------------------------------------------------------- */

json_t *
husk_op_pod_inspect (struct husk_engine *e, const char *ref, husk_error_t *err)
{
  cleanup_view struct pod_view v = { 0 };

  if (view_load (e, ref, &v, err) < 0)
    return NULL;
  return husk_pod_inspect (e, &v.pod, v.m, v.n);
}

json_t *
husk_op_pod_list (struct husk_engine *e, husk_error_t *err)
{
  struct husk_pod_rec *pods = NULL;
  size_t n = 0;
  json_t *out;

  if (husk_state_pod_list (e->state, &pods, &n, err) < 0)
    return NULL;
  out = json_array ();
  for (size_t i = 0; i < n; i++)
    {
      struct husk_container_rec *m = NULL;
      size_t k = 0;
      if (husk_pod_members (e, &pods[i], &m, &k, NULL) < 0)
        continue;
      json_array_append_new (out, husk_pod_list_entry (&pods[i], m, k));
      husk_container_rec_array_free (m, k);
    }
  husk_pod_rec_array_free (pods, n);
  return out;
}

int
husk_op_pod_prune (struct husk_engine *e, char ***removed, husk_error_t *err)
{
  cleanup_json json_t *list = husk_op_pod_list (e, err);
  husk_error_t first = NULL;
  size_t i;
  json_t *p;

  *removed = NULL;
  if (list == NULL)
    return -1;
  json_array_foreach (list, i, p)
    {
      const char *status = json_string_value (json_object_get (p, "Status"));
      const char *id = json_string_value (json_object_get (p, "Id"));
      husk_error_t one = NULL;
      if (strcmp (status, "Exited") && strcmp (status, "Stopped"))
        continue;
      if (husk_op_pod_remove (e, id, false, -1, &one) < 0)
        keep_first (&first, &one);
      else
        husk_strv_append (removed, id);
    }
  return finish (&first, err);
}

json_t *
husk_op_pod_top (struct husk_engine *e, const char *ref, char *const *descriptors,
                 husk_error_t *err)
{
  cleanup_view struct pod_view v = { 0 };
  json_t *all = NULL;

  if (view_load (e, ref, &v, err) < 0)
    return NULL;
  for (size_t i = 0; i < v.n; i++)
    {
      json_t *t;
      size_t k;
      json_t *row;
      if (strcmp (v.m[i].state, "running"))
        continue;
      if ((t = husk_op_container_top (e, v.m[i].id, descriptors, err)) == NULL)
        {
          json_decref (all);
          return NULL;
        }
      if (all == NULL)
        {
          all = t;
          continue;
        }
      json_array_foreach (json_object_get (t, "Processes"), k, row)
        json_array_append (json_object_get (all, "Processes"), row);
      json_decref (t);
    }
  if (all == NULL)
    return husk_error_makex (err, EINVAL, "pod top can only be used on pods with at least "
                             "one running container"), NULL;
  return all;
}

int
husk_op_pod_containers (struct husk_engine *e, const char *ref, char ***ids, char ***names,
                        husk_error_t *err)
{
  cleanup_view struct pod_view v = { 0 };

  *ids = *names = NULL;
  if (view_load (e, ref, &v, err) < 0)
    return -1;
  for (size_t i = 0; i < v.n; i++)
    {
      husk_strv_append (ids, v.m[i].id);
      husk_strv_append (names, v.m[i].name);
    }
  return 0;
}

/* ---- what containers ask of their pod --------------------------------------- */

/* run --pod new:NAME: the container's network flags are the new pod's. */
static int
new_pod (struct husk_engine *e, const char *name, json_t *req, char **id, husk_error_t *err)
{
  static const char *const moved[] = { "publish", "expose", "network", "networks", "ip",
                                       "ip6", "mac_address", "network_aliases", "dns",
                                       "dns_search", "dns_options", "add_hosts", NULL };
  cleanup_json json_t *preq = json_pack ("{s:s}", "name", name);
  cleanup_free char *old = NULL;

  if (husk_state_pod_lookup (e->state, name, &old, NULL) == 0)
    return husk_error_makex (err, EEXIST, "adding pod to state: name \"%s\" is in use: pod "
                             "already exists", name);
  for (size_t i = 0; moved[i]; i++)
    if (json_object_get (req, moved[i]))
      {
        json_object_set (preq, moved[i], json_object_get (req, moved[i]));
        json_object_del (req, moved[i]);
      }
  json_object_del (req, "publish_all");
  return husk_op_pod_create (e, preq, &(struct husk_pod_create_opts){ 0 }, id, err);
}

int
husk_op_pod_join (struct husk_engine *e, json_t *req, husk_error_t *err)
{
  const char *ref = json_string_value (json_object_get (req, "pod"));
  const char *idfile = json_string_value (json_object_get (req, "pod_id_file"));
  cleanup_free char *text = NULL, *made = NULL;
  cleanup_pod_rec struct husk_pod_rec p = { 0 };

  if (ref == NULL && idfile)
    {
      if ((text = husk_read_file (idfile, NULL, err)) == NULL)
        return husk_error_wrap (err, "reading pod ID file");
      text[strcspn (text, "\n")] = '\0';
      ref = text;
    }
  if (ref == NULL || *ref == '\0')
    return 0;
  if (husk_has_prefix (ref, "new:"))
    {
      if (new_pod (e, ref + 4, req, &made, err) < 0)
        return -1;
      json_object_set_new (req, "pod_new", json_true ());
      ref = made;
    }
  if (husk_pod_load (e, ref, &p, err) < 0)
    return -1;
  return husk_pod_member_request (e, &p, req, err);
}

int
husk_op_pod_before_start (struct husk_engine *e, const struct husk_container_rec *r,
                          husk_error_t *err)
{
  cleanup_container_rec struct husk_container_rec infra = { 0 };
  cleanup_pod_rec struct husk_pod_rec p = { 0 };
  cleanup_free char *pod = NULL;
  int hint;

  if ((pod = husk_pod_of (r)) == NULL || husk_pod_is_infra (r))
    return 0;
  if (husk_state_pod_get (e->state, pod, &p, NULL) < 0 || *p.infra_id == '\0')
    return 0;
  if (husk_container_load (e, p.infra_id, &infra, err) < 0)
    return husk_error_wrap (err, "the infra container of pod %s", p.name);
  if (strcmp (infra.state, "running") == 0)
    return 0;
  if (husk_op_container_start (e, infra.id, NULL, &hint, err) < 0)
    return husk_error_wrap (err, "starting the infra container of pod %s", p.name);
  return 0;
}

char *
husk_op_pod_member_of (struct husk_engine *e, const char *ref, bool *drop_pod)
{
  cleanup_container_rec struct husk_container_rec r = { 0 };
  cleanup_free char *id = NULL;
  cleanup_json json_t *c = NULL;

  char *pod;

  *drop_pod = false;
  if (husk_state_container_lookup (e->state, ref, &id, NULL) < 0
      || husk_state_container_get (e->state, id, &r, NULL) < 0
      || (pod = husk_pod_of (&r)) == NULL)
    return NULL;
  if (husk_pod_is_infra (&r))
    {
      free (pod);
      return NULL;
    }
  c = json_loads (r.config, 0, NULL);
  *drop_pod = json_is_true (json_object_get (c, "rm"))
              && json_is_true (json_object_get (c, "pod_new"));
  return pod;
}

void
husk_op_pod_after_exit (struct husk_engine *e, const char *pod, bool drop_pod)
{
  cleanup_view struct pod_view v = { 0 };
  cleanup_json json_t *config = NULL;
  husk_error_t err = NULL;
  size_t members = 0;

  if (pod == NULL || view_load (e, pod, &v, NULL) < 0)
    return;
  for (size_t i = 0; i < v.n; i++)
    if (!is_infra (&v, i))
      members++;
  /* run --rm --pod new:NAME: the pod goes with its container.  */
  if (drop_pod && members == 0)
    {
      if (husk_op_pod_remove (e, v.pod.id, true, 0, &err) < 0)
        husk_error_drop_warn (&err, "remove pod %s", v.pod.name);
      return;
    }
  config = json_loads (v.pod.config, 0, NULL);
  if (*v.pod.infra_id == '\0'
      || strcmp (json_string_value (json_object_get (config, "exit_policy")) ?: "", "stop") != 0)
    return;
  for (size_t i = 0; i < v.n; i++)
    if (!is_infra (&v, i) && active (&v.m[i]))
      return;
  for (size_t i = 0; i < v.n; i++)
    if (is_infra (&v, i) && active (&v.m[i])
        && husk_op_container_stop (e, v.m[i].id, -1, &err) < 0)
      husk_error_drop_warn (&err, "pod %s: exit policy stop", v.pod.name);
}

int
husk_op_pod_check_remove (struct husk_engine *e, const char *ctr_id, husk_error_t *err)
{
  cleanup_container_rec struct husk_container_rec r = { 0 };
  cleanup_pod_rec struct husk_pod_rec p = { 0 };
  cleanup_free char *pod = NULL;

  if (husk_state_container_get (e->state, ctr_id, &r, NULL) < 0
      || (pod = husk_pod_of (&r)) == NULL || !husk_pod_is_infra (&r)
      || husk_state_pod_get (e->state, pod, &p, NULL) < 0)
    return 0;
  return husk_error_makex (err, EPERM, "container %s is the infra container of pod %s and "
                           "cannot be removed without removing the pod", r.id, p.id);
}

char *
husk_op_pod_of_infra (struct husk_engine *e, const char *ctr_id)
{
  cleanup_container_rec struct husk_container_rec r = { 0 };

  if (husk_state_container_get (e->state, ctr_id, &r, NULL) < 0 || !husk_pod_is_infra (&r))
    return NULL;
  return husk_pod_of (&r);
}
