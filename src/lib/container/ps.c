/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * `ps`: the listing, its filters, the STATUS text, the sort and the JSON
 * object (see ps.h).
 */
#include "container/ps.h"
#include "state/pods.h"
#include "container/netbridge.h"
#include "network/network.h"
#include "container/lifecycle.h"
#include "container/monitor.h"
#include "format/humanize.h"
#include "util/cleanup.h"
#include "util/fileutil.h"
#include "util/proc.h"
#include "util/strutil.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* Go's zero time.Time in Unix seconds: what Podman prints for "never".  */
#define GO_ZERO_UNIX (-62135596800LL)

/* ---- filters ------------------------------------------------------------ */

static const struct
{
  const char *name;
  enum husk_ps_filter_key key;
} filter_keys[] = {
  { "id", HUSK_PS_FILTER_ID },         { "name", HUSK_PS_FILTER_NAME },
  { "status", HUSK_PS_FILTER_STATUS }, { "exited", HUSK_PS_FILTER_EXITED },
  { "ancestor", HUSK_PS_FILTER_ANCESTOR }, { "label", HUSK_PS_FILTER_LABEL },
  { "before", HUSK_PS_FILTER_BEFORE }, { "since", HUSK_PS_FILTER_SINCE },
  { "pod", HUSK_PS_FILTER_POD },
};

void
husk_ps_filters_free (struct husk_ps_filter *f, size_t n)
{
  for (size_t i = 0; f && i < n; i++)
    free (f[i].value);
  free (f);
}

/* before= and since= compare creation times: look the container up now,
   once, rather than for every container listed.  */
static int
reference_created (struct husk_engine *e, const char *ref, int64_t *created, husk_error_t *err)
{
  cleanup_container_rec struct husk_container_rec r = { 0 };
  cleanup_free char *id = NULL;

  if (e == NULL)
    return husk_error_makex (err, EINVAL, "no container named \"%s\"", ref);
  if (husk_state_container_lookup (e->state, ref, &id, err) < 0
      || husk_state_container_get (e->state, id, &r, err) < 0)
    return -1;
  *created = r.created;
  return 0;
}

static int
parse_one (struct husk_engine *e, const char *s, struct husk_ps_filter *f, husk_error_t *err)
{
  const char *eq = strchr (s, '=');
  cleanup_free char *k = eq ? husk_xstrndup (s, eq - s) : husk_xstrdup (s);
  size_t i;

  for (i = 0; i < sizeof filter_keys / sizeof filter_keys[0]; i++)
    if (strcmp (k, filter_keys[i].name) == 0)
      break;
  if (i == sizeof filter_keys / sizeof filter_keys[0])
    return husk_error_makex (err, EINVAL, "%s is an invalid filter", k);
  f->key = filter_keys[i].key;
  f->value = husk_xstrdup (eq ? eq + 1 : "");
  if (f->key == HUSK_PS_FILTER_BEFORE || f->key == HUSK_PS_FILTER_SINCE)
    return reference_created (e, f->value, &f->created, err);
  if (f->key == HUSK_PS_FILTER_POD)
    {
      /* The pod by name or ID, once; an unknown pod matches nothing.  */
      char *id = NULL;
      if (e == NULL || husk_state_pod_lookup (e->state, f->value, &id, NULL) < 0)
        id = husk_xstrdup ("");
      free (f->value);
      f->value = id;
    }
  return 0;
}

int
husk_container_ps_filter_parse (struct husk_engine *e, char *const *filters,
                                struct husk_ps_filter **out, size_t *n, husk_error_t *err)
{
  size_t count = husk_strv_len ((char **) filters);
  struct husk_ps_filter *f = husk_xzalloc ((count + 1) * sizeof *f);

  for (size_t i = 0; i < count; i++)
    if (parse_one (e, filters[i], &f[i], err) < 0)
      {
        husk_ps_filters_free (f, count);
        return -1;
      }
  *out = f;
  *n = count;
  return 0;
}

static const char *
image_name (json_t *cfg)
{
  return json_string_value (json_object_get (json_object_get (cfg, "image"), "name"));
}

static bool
match_one (const struct husk_ps_filter *f, const struct husk_container_rec *r, json_t *cfg)
{
  const char *v = f->value, *img;

  switch (f->key)
    {
    case HUSK_PS_FILTER_ID:
      return husk_has_prefix (r->id, v) || husk_match_regex (r->id, v);
    case HUSK_PS_FILTER_NAME:
      return husk_match_regex (r->name, v);
    case HUSK_PS_FILTER_STATUS:
      return strcmp (r->state, v) == 0
             || (strcmp (v, "stopped") == 0 && strcmp (r->state, "exited") == 0);
    case HUSK_PS_FILTER_EXITED:
      return strcmp (r->state, "exited") == 0 && r->exit_code == atoi (v);
    case HUSK_PS_FILTER_ANCESTOR:
      img = image_name (cfg);
      return husk_has_prefix (r->image_id, v) || (img && strstr (img, v));
    case HUSK_PS_FILTER_LABEL:
      return husk_label_filter_match (json_object_get (cfg, "labels"), v);
    case HUSK_PS_FILTER_BEFORE:
      return r->created < f->created;
    case HUSK_PS_FILTER_SINCE:
      return r->created > f->created;
    case HUSK_PS_FILTER_POD:
      return json_string_value (json_object_get (cfg, "pod"))
             && *v && strcmp (json_string_value (json_object_get (cfg, "pod")), v) == 0;
    }
  return false;
}

/* Whether r passes one of the filters with f[i]'s key (f[i] is the
   first of them).  */
static bool
match_key (const struct husk_ps_filter *f, size_t i, size_t n,
           const struct husk_container_rec *r, json_t *cfg)
{
  for (size_t j = i; j < n; j++)
    if (f[j].key == f[i].key && match_one (&f[j], r, cfg))
      return true;
  return false;
}

/* As Podman (and Docker) do since Podman 4.4: filters with one key are
   ORed (`-f status=created -f status=exited`), except label=, which are
   ANDed; filters with different keys are ANDed.  */
bool
husk_container_ps_filter_match (const struct husk_ps_filter *f, size_t n,
                                const struct husk_container_rec *r, json_t *cfg)
{
  for (size_t i = 0; i < n; i++)
    {
      bool seen = false;

      if (f[i].key == HUSK_PS_FILTER_LABEL)
        {
          if (!match_one (&f[i], r, cfg))
            return false;
          continue;
        }
      for (size_t j = 0; j < i && !seen; j++)
        seen = f[j].key == f[i].key;
      if (!seen && !match_key (f, i, n, r, cfg))
        return false;
    }
  return true;
}

/* ---- status text -------------------------------------------------------- */

char *
husk_container_ps_status_text (const struct husk_container_rec *r, const char *health,
                               int64_t now)
{
  cleanup_free char *d = NULL;
  char h[32] = "";

  if (health)
    snprintf (h, sizeof h, " (%s)", health);
  if (strcmp (r->state, "stopping") == 0)
    return husk_xstrdup ("Stopping"); /* Podman: the state, capitalised */
  if (strcmp (r->state, "running") == 0)
    {
      d = husk_human_duration_ago (now - r->started_at / 1000000000);
      return husk_asprintf ("Up %s%s", d, h);
    }
  if (strcmp (r->state, "paused") == 0)
    {
      d = husk_human_duration (now - r->started_at / 1000000000);
      return husk_asprintf ("Up %s (Paused)", d);
    }
  if (strcmp (r->state, "exited") == 0)
    {
      d = husk_human_duration_ago (now - r->finished_at / 1000000000);
      return husk_asprintf ("Exited (%d) %s", r->exit_code, d);
    }
  if (strcmp (r->state, "initialized") == 0)
    return husk_xstrdup ("Initialized");
  return husk_xstrdup ("Created");
}

/* The healthcheck's last status as the monitor recorded it; "starting"
   until its first check.  NULL when the container has no healthcheck.  */
static char *
health_status (struct husk_engine *e, const struct husk_container_rec *r, json_t *cfg)
{
  cleanup_free char *run = NULL, *path = NULL, *text = NULL;
  cleanup_json json_t *h = NULL;
  const char *st;

  if (!json_is_object (json_object_get (cfg, "health")))
    return NULL;
  run = husk_container_rundir (e, r->id);
  path = husk_asprintf ("%s/%s", run, HUSK_MONITOR_HEALTH);
  text = husk_read_file (path, NULL, NULL);
  h = text ? json_loads (text, 0, NULL) : NULL;
  st = json_string_value (json_object_get (h, "Status"));
  return husk_xstrdup (st ? st : "starting");
}

/* ---- rows --------------------------------------------------------------- */

void
husk_ps_row_release (struct husk_ps_row *r)
{
  husk_container_rec_release (&r->rec);
  free (r->image);
  free (r->command);
  free (r->ports);
  free (r->status);
  free (r->size_error);
  json_decref (r->labels);
  json_decref (r->namespaces);
  json_decref (r->cfg);
  memset (r, 0, sizeof *r);
}

void
husk_ps_rows_free (struct husk_ps_row *rows, size_t n)
{
  for (size_t i = 0; rows && i < n; i++)
    husk_ps_row_release (&rows[i]);
  free (rows);
}

static char *
command_text (json_t *cfg)
{
  cleanup_strv char **words = NULL;
  size_t i;
  json_t *v;

  json_array_foreach (json_object_get (cfg, "entrypoint"), i, v)
    husk_strv_append (&words, json_string_value (v));
  json_array_foreach (json_object_get (cfg, "cmd"), i, v)
    husk_strv_append (&words, json_string_value (v));
  return words ? husk_strv_join (words, " ") : husk_xstrdup ("");
}

/* ---- namespaces --------------------------------------------------------- */

/* The inode number in a /proc/PID/ns link ("net:[4026531992]"), or "".  */
static char *
ns_inode (int pid, const char *name)
{
  char path[64], link[128];
  ssize_t n;
  char *open_b, *close_b;

  snprintf (path, sizeof path, "/proc/%d/ns/%s", pid, name);
  n = readlink (path, link, sizeof link - 1);
  if (n <= 0)
    return husk_xstrdup ("");
  link[n] = '\0';
  open_b = strchr (link, '[');
  close_b = open_b ? strchr (open_b, ']') : NULL;
  if (close_b == NULL)
    return husk_xstrdup ("");
  return husk_xstrndup (open_b + 1, (size_t) (close_b - open_b - 1));
}

json_t *
husk_container_ps_namespaces (const struct husk_container_rec *r)
{
  static const char *const keys[][2] = { { "Cgroup", "cgroup" }, { "IPC", "ipc" },
                                         { "MNT", "mnt" },       { "NET", "net" },
                                         { "PIDNS", "pid" },     { "User", "user" },
                                         { "UTS", "uts" } };
  struct husk_proc_id p = { .pid = r->pid, .start = r->pid_start, .boot_id = r->boot_id };
  bool live = r->pid > 0 && husk_proc_alive (&p);
  json_t *o = json_object ();

  for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
    json_object_set_new (o, keys[i][0], json_string (""));
  if (!live)
    return o;
  for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
    {
      cleanup_free char *v = ns_inode (r->pid, keys[i][1]);
      json_object_set_new (o, keys[i][0], json_string (v));
    }
  /* Gone meanwhile: what was read may be another process's.  */
  if (!husk_proc_alive (&p))
    {
      json_decref (o);
      return husk_container_ps_namespaces (&(struct husk_container_rec){ 0 });
    }
  return o;
}

/* Fill a row, taking over rec.  */
static void
row_fill (struct husk_engine *e, struct husk_ps_row *row, struct husk_container_rec *rec,
          json_t *cfg, const struct husk_ps_opts *o)
{
  cleanup_free char *health = health_status (e, rec, cfg);
  json_t *labels = json_object_get (cfg, "labels");
  husk_error_t err = NULL;

  row->rec = *rec;
  memset (rec, 0, sizeof *rec);
  row->image = husk_xstrdup (image_name (cfg) ? image_name (cfg) : "");
  row->command = command_text (cfg);
  row->status = husk_container_ps_status_text (&row->rec, health, time (NULL));
  row->auto_remove = json_is_true (json_object_get (cfg, "rm"));
  row->ports = husk_net_ports_text (json_object_get (cfg, "ports"));
  row->labels = json_is_object (labels) ? json_incref (labels) : NULL;
  row->cfg = json_incref (cfg);
  if (o->namespaces)
    row->namespaces = husk_container_ps_namespaces (&row->rec);
  if (!o->size)
    return;
  if (husk_container_size (e, &row->rec, &row->size, &err) < 0)
    {
      row->size_error = husk_xstrdup (err->msg);
      husk_error_release (&err);
      return;
    }
  row->sized = true;
}

static bool
listed_by_default (const struct husk_container_rec *r)
{
  return strcmp (r->state, "running") == 0 || strcmp (r->state, "paused") == 0;
}

/* Pick from list (newest first) what o asks for, moving the records into
   rows.  */
static size_t
select_rows (struct husk_engine *e, const struct husk_ps_opts *o, const struct husk_ps_filter *f,
             size_t nf, struct husk_container_rec *list, size_t n, struct husk_ps_row *rows)
{
  bool everything = o->all || o->latest || o->last >= 0;
  size_t shown = 0;

  /* As Podman (and Docker): a status= filter looks at every container;
     any other filter narrows the running ones unless -a is given.  */
  for (size_t i = 0; i < nf; i++)
    everything = everything || f[i].key == HUSK_PS_FILTER_STATUS;

  for (size_t i = 0; i < n; i++)
    {
      if (!everything && !listed_by_default (&list[i]))
        continue;
      cleanup_json json_t *cfg = json_loads (list[i].config, 0, NULL);
      if (!husk_container_ps_filter_match (f, nf, &list[i], cfg))
        continue;
      if ((o->latest && shown >= 1) || (o->last >= 0 && shown >= (size_t) o->last))
        break;
      row_fill (e, &rows[shown++], &list[i], cfg, o);
    }
  return shown;
}

int
husk_container_ps (struct husk_engine *e, const struct husk_ps_opts *o,
                   struct husk_ps_row **rows, size_t *n, husk_error_t *err)
{
  struct husk_ps_filter *f = NULL;
  struct husk_container_rec *list = NULL;
  size_t nf = 0, nl = 0;

  if (o->sort && !husk_container_ps_sort_valid (o->sort))
    return husk_error_makex (err, EINVAL, "invalid option for --sort, options are: command, "
                             "created, id, image, names, runningfor, size, or status");
  if (husk_container_ps_filter_parse (e, o->filters, &f, &nf, err) < 0)
    return -1;
  if (husk_container_list (e, &list, &nl, err) < 0)
    {
      husk_ps_filters_free (f, nf);
      return -1;
    }
  *rows = husk_xzalloc ((nl + 1) * sizeof **rows);
  *n = select_rows (e, o, f, nf, list, nl, *rows);
  husk_container_rec_array_free (list, nl);
  husk_ps_filters_free (f, nf);
  husk_container_ps_sort (*rows, *n, o->sort);
  return 0;
}

/* ---- sort --------------------------------------------------------------- */

static const char *const sort_keys[] = { "command", "created", "id", "image", "names",
                                         "runningfor", "size", "status", NULL };

bool
husk_container_ps_sort_valid (const char *key)
{
  return husk_strv_contains ((char **) sort_keys, key);
}

static int
cmp_int (int64_t a, int64_t b)
{
  return (a > b) - (a < b);
}

static int
cmp_by (const struct husk_ps_row *x, const struct husk_ps_row *y, const char *k)
{
  if (strcmp (k, "size") == 0)
    {
      /* As Podman: by root file system size (with --size), then created. */
      int c = cmp_int (x->sized ? x->size.rootfs : 0, y->sized ? y->size.rootfs : 0);
      if (c)
        return c;
    }
  if (strcmp (k, "created") == 0 || strcmp (k, "runningfor") == 0 || strcmp (k, "size") == 0)
    return cmp_int (x->rec.created, y->rec.created);
  if (strcmp (k, "id") == 0)
    return strcmp (x->rec.id, y->rec.id);
  if (strcmp (k, "image") == 0)
    return strcmp (x->image, y->image);
  if (strcmp (k, "names") == 0)
    return strcmp (x->rec.name, y->rec.name);
  if (strcmp (k, "status") == 0)
    return strcmp (x->status, y->status);
  return strcmp (x->command, y->command);
}

static int
cmp_rows (const void *a, const void *b, void *key)
{
  return cmp_by (a, b, key);
}

void
husk_container_ps_sort (struct husk_ps_row *rows, size_t n, const char *key)
{
  if (n > 1)
    qsort_r (rows, n, sizeof *rows, cmp_rows, (void *) (key ? key : "created"));
}

/* ---- JSON --------------------------------------------------------------- */

static json_int_t
unix_or_zero (int64_t ns)
{
  return ns ? (json_int_t) (ns / 1000000000) : (json_int_t) GO_ZERO_UNIX;
}

/* Podman's PortMapping objects, or null when none are published.  */
static json_t *
ports_json (json_t *c)
{
  json_t *ports = json_object_get (c, "ports"), *out, *p;
  size_t i;

  if (json_array_size (ports) == 0)
    return json_null ();
  out = json_array ();
  json_array_foreach (ports, i, p)
    json_array_append_new (out, json_pack (
        "{s:s, s:I, s:I, s:i, s:s}",
        "host_ip", json_string_value (json_object_get (p, "host_ip")) ?: "",
        "container_port", (json_int_t) json_integer_value (json_object_get (p, "container_port")),
        "host_port", (json_int_t) json_integer_value (json_object_get (p, "host_port")),
        "range", 1, "protocol", json_string_value (json_object_get (p, "protocol")) ?: "tcp"));
  return out;
}

json_t *
husk_container_ps_json (struct husk_engine *e, const struct husk_container_rec *r,
                        json_t *cfg, const char *status, const struct husk_container_size *size)
{
  /* The rows of ps bring their config parsed: parsing it again was half
     of a `ps -a`.  */
  cleanup_json json_t *c = cfg ? json_incref (cfg) : json_loads (r->config, 0, NULL);
  cleanup_free char *ago = NULL;
  json_t *mounts = json_array (), *networks = json_array (), *m;
  json_t *cmd = json_object_get (c, "cmd");
  const char *image = json_string_value (json_object_get (json_object_get (c, "image"), "name"));
  bool exited = strcmp (r->state, "exited") == 0;
  cleanup_pod_rec struct husk_pod_rec pod = { 0 };
  const char *pod_name = "";
  size_t i;

  if (json_string_value (json_object_get (c, "pod"))
      && husk_state_pod_get (e->state, json_string_value (json_object_get (c, "pod")), &pod,
                             NULL) == 0)
    pod_name = pod.name;
  ago = husk_human_duration_ago (time (NULL) - r->created / 1000000000);
  json_array_foreach (json_object_get (c, "mounts"), i, m)
    json_array_append (mounts, json_object_get (m, "destination"));
  json_array_foreach (husk_container_networks (c), i, m)
    json_array_append (networks, json_object_get (m, "name"));
  return json_pack (
      "{s:b, s:O, s:s, s:b, s:I, s:i, s:s, s:s, s:s, s:b, s:O, s:o, s:[s], s:{}, s:o, s:i, "
      "s:s, s:s, s:o, s:o, s:I, s:s, s:s, s:I}",
      "AutoRemove", json_is_true (json_object_get (c, "rm")),
      "Command", json_is_array (cmd) ? cmd : json_null (),
      "CreatedAt", ago, "Exited", exited,
      "ExitedAt", unix_or_zero (r->finished_at),
      "ExitCode", r->exit_code, "Id", r->id, "Image", image ? image : "",
      "ImageID", r->image_id, "IsInfra", json_is_true (json_object_get (c, "pod_infra")),
      "Labels", json_object_size (json_object_get (c, "labels")) ? json_object_get (c, "labels")
                                                                 : json_null (),
      "Mounts", mounts, "Names", r->name, "Namespaces", "Networks", networks, "Pid", r->pid,
      "Pod", json_string_value (json_object_get (c, "pod")) ?: "", "PodName", pod_name,
      "Ports", ports_json (c),
      "Size", size ? json_pack ("{s:I, s:I}", "rootFsSize", (json_int_t) size->rootfs,
                                "rwSize", (json_int_t) size->rw)
                   : json_null (),
      "StartedAt", unix_or_zero (r->started_at), "State", r->state, "Status", status,
      "Created", (json_int_t) (r->created / 1000000000));
}
