/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Events (recorded in the state database by every operation, with what
   Podman shows of them) and the on-demand healthcheck.  */
#include "events/events.h"
#include "format/humanize.h"
#include "state/containers.h"
#include "util/cleanup.h"
#include "util/log.h"
#include "util/strutil.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static int
cmp_str (const void *a, const void *b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

/*
 * What a container event records beyond the row's type, action, ID and
 * name: the attributes column holds {"image": NAME, "labels": {...},
 * "exit_code": N, "health_status": S}, the last two only when they apply.
 * Podman's shapes are built from that when the event is shown.
 */

struct husk_event_filter
{
  char **containers, **events, **images, **types, **labels, **volumes, **pods, **networks;
};

void
husk_event_filter_free (struct husk_event_filter *f)
{
  if (f == NULL)
    return;
  husk_strv_free (f->containers);
  husk_strv_free (f->events);
  husk_strv_free (f->images);
  husk_strv_free (f->types);
  husk_strv_free (f->labels);
  husk_strv_free (f->volumes);
  husk_strv_free (f->pods);
  husk_strv_free (f->networks);
  free (f);
}

/* The list a filter key fills, or NULL for an unknown key.  */
static char ***
filter_list (struct husk_event_filter *f, const char *k)
{
  if (strcmp (k, "container") == 0)
    return &f->containers;
  if (strcmp (k, "event") == 0 || strcmp (k, "status") == 0)
    return &f->events;
  if (strcmp (k, "image") == 0)
    return &f->images;
  if (strcmp (k, "type") == 0)
    return &f->types;
  if (strcmp (k, "label") == 0)
    return &f->labels;
  if (strcmp (k, "volume") == 0)
    return &f->volumes;
  if (strcmp (k, "pod") == 0)
    return &f->pods;
  if (strcmp (k, "network") == 0)
    return &f->networks;
  return NULL;
}

struct husk_event_filter *
husk_event_filter_new (char **filters, husk_error_t *err)
{
  struct husk_event_filter *f = husk_xzalloc (sizeof *f);

  for (size_t i = 0; filters && filters[i]; i++)
    {
      const char *eq = strchr (filters[i], '=');
      cleanup_free char *k = eq ? husk_xstrndup (filters[i], eq - filters[i]) : NULL;
      char ***list = k ? filter_list (f, k) : NULL;
      if (k == NULL)
        {
          husk_event_filter_free (f);
          return husk_error_makex (err, EINVAL, "invalid filter \"%s\": expected key=value",
                                   filters[i]), NULL;
        }
      if (list == NULL)
        {
          husk_event_filter_free (f);
          return husk_error_makex (err, EINVAL, "%s is an invalid filter", k), NULL;
        }
      husk_strv_append (list, eq + 1);
    }
  return f;
}

/* Podman's rule for container=, image=, pod=: the exact name, or a prefix
   of the ID.  */
static bool
name_or_id (char **want, const struct husk_event_rec *ev)
{
  for (size_t i = 0; want[i]; i++)
    if ((ev->name && strcmp (ev->name, want[i]) == 0)
        || (ev->id && *want[i] && husk_has_prefix (ev->id, want[i])))
      return true;
  return false;
}

/* label=KEY=VALUE: the event's container has that label with that value.
   As in Podman, a bare KEY matches nothing.  */
static bool
label_match (char **want, json_t *labels)
{
  for (size_t i = 0; want[i]; i++)
    {
      const char *eq = strchr (want[i], '=');
      cleanup_free char *k = eq ? husk_xstrndup (want[i], eq - want[i]) : NULL;
      const char *v = k ? json_string_value (json_object_get (labels, k)) : NULL;
      if (v && strcmp (v, eq + 1) == 0)
        return true;
    }
  return false;
}

/* The keys of an object, sorted (Go prints and marshals maps so).  Free
   the array only.  */
static const char **
sorted_keys (json_t *obj, size_t *n)
{
  const char **keys = husk_xzalloc ((json_object_size (obj) + 1) * sizeof (char *));
  const char *k;
  json_t *v;

  *n = 0;
  json_object_foreach (obj, k, v)
    keys[(*n)++] = k;
  qsort (keys, *n, sizeof *keys, cmp_str);
  return keys;
}

/* A container's labels as Podman's JSON has them: sorted by key.  */
static json_t *
sorted_labels (json_t *labels)
{
  size_t n;
  cleanup_free const char **keys = sorted_keys (labels, &n);
  json_t *out = json_object ();

  for (size_t i = 0; i < n; i++)
    json_object_set (out, keys[i], json_object_get (labels, keys[i]));
  return out;
}

static json_t *
attributes (const struct husk_event_rec *ev)
{
  json_t *a = ev->attributes ? json_loads (ev->attributes, 0, NULL) : NULL;

  return json_is_object (a) ? a : (json_decref (a), json_object ());
}

static bool
is_type (const struct husk_event_rec *ev, const char *type)
{
  return strcmp (ev->type, type) == 0;
}

bool
husk_event_filter_match (struct husk_event_filter *f, const struct husk_event_rec *ev)
{
  if (f->types && !husk_strv_contains (f->types, ev->type))
    return false;
  if (f->events && !husk_strv_contains (f->events, ev->action))
    return false;
  if (f->containers && (!is_type (ev, "container") || !name_or_id (f->containers, ev)))
    return false;
  if (f->images && (!is_type (ev, "image") || !name_or_id (f->images, ev)))
    return false;
  if (f->pods && (!is_type (ev, "pod") || !name_or_id (f->pods, ev)))
    return false;
  if (f->volumes && (!is_type (ev, "volume") || !husk_strv_contains (f->volumes, ev->name)))
    return false;
  if (f->networks && !is_type (ev, "network"))
    return false;
  if (f->labels)
    {
      cleanup_json json_t *a = attributes (ev);
      if (!label_match (f->labels, json_object_get (a, "labels")))
        return false;
    }
  return true;
}

json_t *
husk_event_json (const struct husk_event_rec *ev)
{
  cleanup_free char *t = husk_time_rfc3339nano_local (ev->time_ns / 1000000000,
                                                      ev->time_ns % 1000000000);
  cleanup_json json_t *a = attributes (ev);
  bool ctr = is_type (ev, "container");
  json_int_t code = json_integer_value (json_object_get (a, "exit_code"));
  const char *image = json_string_value (json_object_get (a, "image"));
  const char *health = json_string_value (json_object_get (a, "health_status"));
  json_t *labels = json_object_get (a, "labels");
  json_t *j = json_object ();

  /* Podman's field order; empty fields are left out, as its omitempty. */
  if (code)
    json_object_set_new (j, "ContainerExitCode", json_integer (code));
  if (ev->id && *ev->id && !is_type (ev, "volume"))
    json_object_set_new (j, "ID", json_string (ev->id));
  if (image && *image)
    json_object_set_new (j, "Image", json_string (image));
  if (ev->name && *ev->name)
    json_object_set_new (j, "Name", json_string (ev->name));
  json_object_set_new (j, "Status", json_string (ev->action));
  json_object_set_new (j, "Time", json_string (t));
  json_object_set_new (j, "Type", json_string (ev->type));
  if (health)
    json_object_set_new (j, "health_status", json_string (health));
  json_object_set_new (j, "Attributes", ctr ? sorted_labels (labels) : json_null ());
  return j;
}

json_t *
husk_event_template_object (const struct husk_event_rec *ev)
{
  cleanup_free char *t = husk_time_go_string (ev->time_ns / 1000000000,
                                              ev->time_ns % 1000000000, false);
  cleanup_json json_t *a = attributes (ev);
  const char *image = json_string_value (json_object_get (a, "image"));
  const char *health = json_string_value (json_object_get (a, "health_status"));
  json_t *labels = json_object_get (a, "labels");

  return json_pack ("{s:I, s:s, s:s, s:s, s:s, s:s, s:I, s:s, s:s, s:o}",
                    "ContainerExitCode", json_integer_value (json_object_get (a, "exit_code")),
                    "ID", ev->id ? ev->id : "", "Image", image ? image : "",
                    "Name", ev->name ? ev->name : "", "Status", ev->action, "Time", t,
                    "TimeNano", (json_int_t) ev->time_ns, "Type", ev->type,
                    "HealthStatus", health ? health : "",
                    "Attributes", sorted_labels (labels));
}

char *
husk_event_human (const struct husk_event_rec *ev)
{
  cleanup_free char *t = husk_time_go_string (ev->time_ns / 1000000000,
                                              ev->time_ns % 1000000000, false);
  const char *id = ev->id ? ev->id : "", *name = ev->name ? ev->name : "";
  struct husk_buf b = HUSK_BUF_INIT;

  husk_buf_printf (&b, "%s %s %s ", t, ev->type, ev->action);
  if (is_type (ev, "container") || is_type (ev, "pod"))
    {
      cleanup_json json_t *a = attributes (ev);
      const char *image = json_string_value (json_object_get (a, "image"));
      const char *health = json_string_value (json_object_get (a, "health_status"));
      json_t *labels = json_object_get (a, "labels");
      size_t n;
      /* Labels sorted by key (Podman's order is Go's random map order). */
      cleanup_free const char **keys = sorted_keys (labels, &n);

      husk_buf_printf (&b, "%s (image=%s, name=%s", id, image ? image : "", name);
      if (health)
        husk_buf_printf (&b, ", health_status=%s", health);
      for (size_t i = 0; i < n; i++)
        husk_buf_printf (&b, ", %s=%s", keys[i],
                         json_string_value (json_object_get (labels, keys[i])));
      husk_buf_putc (&b, ')');
    }
  else if (is_type (ev, "volume"))
    husk_buf_puts (&b, name);
  else
    husk_buf_printf (&b, "%s %s", id, name);
  return husk_buf_steal (&b);
}

/* Image name and labels from the container's configuration.  */
static char *
container_attributes (const struct husk_container_rec *r, int exit_code, const char *health)
{
  cleanup_json json_t *c = r->config ? json_loads (r->config, 0, NULL) : NULL;
  cleanup_json json_t *a = json_object ();
  json_t *labels = json_object_get (c, "labels");
  const char *image = json_string_value (json_object_get (json_object_get (c, "image"), "name"));

  json_object_set_new (a, "image", json_string (image ? image : ""));
  json_object_set_new (a, "labels", json_is_object (labels) ? json_incref (labels)
                                                            : json_object ());
  if (exit_code)
    json_object_set_new (a, "exit_code", json_integer (exit_code));
  if (health)
    json_object_set_new (a, "health_status", json_string (health));
  return json_dumps (a, JSON_COMPACT);
}

static bool recording = true;

void
husk_events_set_recording (bool on)
{
  recording = on;
}

void
husk_events_container (struct husk_state *st, const struct husk_container_rec *r,
                       const char *action, int exit_code, const char *health)
{
  cleanup_free char *attrs = container_attributes (r, exit_code, health);
  struct husk_event_rec ev = { .time_ns = husk_now_ns (), .type = (char *) "container",
                               .action = (char *) action, .id = r->id, .name = r->name,
                               .attributes = attrs };
  husk_error_t err = NULL;

  if (recording && husk_state_event_add (st, &ev, &err) < 0)
    {
      husk_log_debug ("could not record event %s for %s: %s", action, r->id, err->msg);
      husk_error_release (&err);
    }
}

static void
record (struct husk_state *st, const char *type, const char *action, const char *id,
        const char *name)
{
  struct husk_event_rec ev = { .time_ns = husk_now_ns (), .type = (char *) type,
                               .action = (char *) action, .id = (char *) id,
                               .name = (char *) name };
  husk_error_t err = NULL;

  if (recording && husk_state_event_add (st, &ev, &err) < 0)
    {
      husk_log_debug ("could not record %s event %s for %s: %s", type, action, id, err->msg);
      husk_error_release (&err);
    }
}

void
husk_events_image (struct husk_state *st, const char *action, const char *id,
                   const char *name)
{
  record (st, "image", action, id, name);
}

void
husk_events_volume (struct husk_state *st, const char *action, const char *name)
{
  record (st, "volume", action, name, name);
}

void
husk_events_secret (struct husk_state *st, const char *action, const char *id)
{
  record (st, "secret", action, id, NULL);
}

void
husk_events_pod (struct husk_state *st, const char *action, const char *id, const char *name)
{
  record (st, "pod", action, id, name);
}
