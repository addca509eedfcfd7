/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Events (recorded in the state database by every operation) and the
   on-demand healthcheck.  */
#include "ops/events.h"
#include "container/monitor.h"
#include "format/humanize.h"
#include "ops/container.h"
#include "state/containers.h"
#include "util/cleanup.h"
#include "util/strutil.h"

#include <errno.h>
#include <string.h>

struct husk_event_filter
{
  char **containers, **events, **images, **types;
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
  free (f);
}

struct husk_event_filter *
husk_event_filter_new (char **filters, husk_error_t *err)
{
  struct husk_event_filter *f = husk_xzalloc (sizeof *f);

  for (size_t i = 0; filters && filters[i]; i++)
    {
      const char *eq = strchr (filters[i], '=');
      cleanup_free char *k = eq ? husk_xstrndup (filters[i], eq - filters[i]) : NULL;
      if (k == NULL)
        {
          husk_event_filter_free (f);
          return husk_error_makex (err, EINVAL, "invalid filter \"%s\": expected key=value",
                                   filters[i]), NULL;
        }
      if (strcmp (k, "container") == 0)
        husk_strv_append (&f->containers, eq + 1);
      else if (strcmp (k, "event") == 0 || strcmp (k, "status") == 0)
        husk_strv_append (&f->events, eq + 1);
      else if (strcmp (k, "image") == 0)
        husk_strv_append (&f->images, eq + 1);
      else if (strcmp (k, "type") == 0)
        husk_strv_append (&f->types, eq + 1);
      else
        {
          husk_event_filter_free (f);
          return husk_error_makex (err, EINVAL, "%s is an invalid filter", k), NULL;
        }
    }
  return f;
}

static bool
any_match (char **want, const char *id, const char *name)
{
  if (want == NULL)
    return true;
  for (size_t i = 0; want[i]; i++)
    if ((id && husk_has_prefix (id, want[i])) || (name && strcmp (name, want[i]) == 0)
        || (name && husk_has_suffix (name, want[i])))
      return true;
  return false;
}

bool
husk_event_filter_match (struct husk_event_filter *f, const struct husk_event_rec *ev)
{
  bool is_ctr = strcmp (ev->type, "container") == 0;
  bool is_img = strcmp (ev->type, "image") == 0;

  if (f->types && !husk_strv_contains (f->types, ev->type))
    return false;
  if (f->events && !husk_strv_contains (f->events, ev->action))
    return false;
  if (f->containers && (!is_ctr || !any_match (f->containers, ev->id, ev->name)))
    return false;
  if (f->images && (!is_img || !any_match (f->images, ev->id, ev->name)))
    return false;
  return true;
}

json_t *
husk_event_json (const struct husk_event_rec *ev)
{
  cleanup_free char *t = husk_time_go_string (ev->time_ns / 1000000000, ev->time_ns % 1000000000, true);
  json_t *attrs = ev->attributes ? json_loads (ev->attributes, 0, NULL) : NULL;

  return json_pack ("{s:s, s:s, s:s, s:s, s:s, s:I, s:s, s:o}",
                    "ID", ev->id ? ev->id : "", "Image", "", "Name", ev->name ? ev->name : "",
                    "Status", ev->action, "Time", t, "TimeNano", (json_int_t) ev->time_ns,
                    "Type", ev->type, "Attributes", attrs ? attrs : json_object ());
}

int
husk_op_events_list (struct husk_engine *e, int64_t after_seq, int64_t since_ns,
                     int64_t until_ns, struct husk_event_rec **out, size_t *n,
                     husk_error_t *err)
{
  return husk_state_event_list (e->state, after_seq, since_ns, until_ns, out, n, err);
}

int
husk_op_healthcheck_run (struct husk_engine *e, const char *ref, husk_error_t *err)
{
  cleanup_free char *id = NULL, *run = NULL;
  struct husk_container_rec r = { 0 };
  cleanup_json json_t *c = NULL;
  int status;

  if (husk_op_container_resolve (e, ref, &id, err) < 0
      || husk_state_container_get (e->state, id, &r, err) < 0)
    return -1;
  c = json_loads (r.config, 0, NULL);
  if (strcmp (r.state, "running") != 0)
    {
      husk_error_makex (err, EINVAL, "container %s is not running", ref);
      husk_container_rec_release (&r);
      return -1;
    }
  if (!json_is_object (json_object_get (c, "health")))
    {
      husk_container_rec_release (&r);
      return husk_error_makex (err, EINVAL, "container %s has no defined healthcheck", ref);
    }
  husk_container_rec_release (&r);
  run = husk_op_container_rundir (e, id);
  status = husk_health_run_once (run, err);
  if (status < 0)
    return -1;
  return status == HUSK_HEALTH_HEALTHY ? 0 : 1;
}
