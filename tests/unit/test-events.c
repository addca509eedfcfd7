/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests of ops/events.c: Podman's default line, JSON line and event
   filters, built from stored event rows.  */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "events/events.h"
#include "util/cleanup.h"
#include "util/strutil.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#define ID "a7a6de85ca7b596d5187a60e9e8cd7de80c2828bc6ac82190d28ef3464cd80be"
#define T0 1795929520355863944LL /* 2026-11-29 05:18:40.355863944 UTC */

static struct husk_event_rec
ctr_event (const char *action, const char *attrs)
{
  return (struct husk_event_rec){ .time_ns = T0, .type = (char *) "container",
                                  .action = (char *) action, .id = (char *) ID,
                                  .name = (char *) "web", .attributes = (char *) attrs };
}

static char *
json_line (const struct husk_event_rec *ev)
{
  cleanup_json json_t *j = husk_event_json (ev);

  return json_dumps (j, JSON_COMPACT);
}

static void
human_line_has_image_name_and_sorted_labels (void **state)
{
  struct husk_event_rec ev = ctr_event ("create", "{\"image\":\"localhost/b:latest\","
                                        "\"labels\":{\"zz\":\"1\",\"aa\":\"2\"}}");
  cleanup_free char *line = husk_event_human (&ev);

  (void) state;
  assert_string_equal (line, "2026-11-29 05:18:40.355863944 +0000 UTC container create " ID
                             " (image=localhost/b:latest, name=web, aa=2, zz=1)");
}

static void
human_line_puts_health_status_before_labels (void **state)
{
  struct husk_event_rec ev = ctr_event ("health_status", "{\"image\":\"i\",\"labels\":"
                                        "{\"k\":\"v\"},\"health_status\":\"healthy\"}");
  cleanup_free char *line = husk_event_human (&ev);

  (void) state;
  assert_non_null (strstr (line, "(image=i, name=web, health_status=healthy, k=v)"));
}

static void
human_line_of_image_and_volume_events (void **state)
{
  struct husk_event_rec img = { .time_ns = T0, .type = (char *) "image",
                                .action = (char *) "tag", .id = (char *) "d9a5",
                                .name = (char *) "localhost/x:1" };
  struct husk_event_rec vol = { .time_ns = T0, .type = (char *) "volume",
                                .action = (char *) "create", .id = (char *) "v1",
                                .name = (char *) "v1" };
  cleanup_free char *a = husk_event_human (&img), *b = husk_event_human (&vol);

  (void) state;
  assert_string_equal (a, "2026-11-29 05:18:40.355863944 +0000 UTC image tag d9a5 localhost/x:1");
  assert_string_equal (b, "2026-11-29 05:18:40.355863944 +0000 UTC volume create v1");
}

static void
json_line_has_podmans_fields_in_order (void **state)
{
  struct husk_event_rec ev = ctr_event ("died", "{\"image\":\"localhost/b:latest\","
                                        "\"labels\":{\"zz\":\"1\",\"aa\":\"2\"},"
                                        "\"exit_code\":137}");
  cleanup_free char *s = json_line (&ev);

  (void) state;
  assert_string_equal (s, "{\"ContainerExitCode\":137,\"ID\":\"" ID "\",\"Image\":"
                          "\"localhost/b:latest\",\"Name\":\"web\",\"Status\":\"died\","
                          "\"Time\":\"2026-11-29T05:18:40.355863944Z\",\"Type\":\"container\","
                          "\"Attributes\":{\"aa\":\"2\",\"zz\":\"1\"}}");
}

static void
json_line_leaves_out_exit_code_zero_and_keeps_empty_attributes (void **state)
{
  struct husk_event_rec ev = ctr_event ("died", "{\"image\":\"i\",\"labels\":{}}");
  cleanup_free char *s = json_line (&ev);

  (void) state;
  assert_null (strstr (s, "ContainerExitCode"));
  assert_non_null (strstr (s, "\"Attributes\":{}"));
}

static void
json_line_of_volume_has_no_id_and_null_attributes (void **state)
{
  struct husk_event_rec vol = { .time_ns = T0, .type = (char *) "volume",
                                .action = (char *) "remove", .id = (char *) "v1",
                                .name = (char *) "v1" };
  cleanup_free char *s = json_line (&vol);

  (void) state;
  assert_string_equal (s, "{\"Name\":\"v1\",\"Status\":\"remove\",\"Time\":"
                          "\"2026-11-29T05:18:40.355863944Z\",\"Type\":\"volume\","
                          "\"Attributes\":null}");
}

static bool
matches (const char *filter, const struct husk_event_rec *ev)
{
  char *v[] = { (char *) filter, NULL };
  struct husk_event_filter *f = husk_event_filter_new (v, NULL);
  bool m = husk_event_filter_match (f, ev);

  husk_event_filter_free (f);
  return m;
}

static void
container_filter_is_exact_name_or_id_prefix (void **state)
{
  struct husk_event_rec ev = ctr_event ("start", NULL);

  (void) state;
  assert_true (matches ("container=web", &ev));
  assert_true (matches ("container=a7a6de", &ev));
  assert_false (matches ("container=we", &ev));
  assert_false (matches ("container=eb", &ev));
  assert_false (matches ("image=web", &ev));
}

static void
label_filter_needs_key_and_value (void **state)
{
  struct husk_event_rec ev = ctr_event ("start", "{\"labels\":{\"app\":\"web\"}}");

  (void) state;
  assert_true (matches ("label=app=web", &ev));
  assert_false (matches ("label=app=db", &ev));
  assert_false (matches ("label=app", &ev));
}

static void
same_keys_any_different_keys_all (void **state)
{
  struct husk_event_rec ev = ctr_event ("start", NULL);
  char *any[] = { (char *) "event=stop", (char *) "event=start", NULL };
  char *all[] = { (char *) "event=start", (char *) "container=other", NULL };
  struct husk_event_filter *f1 = husk_event_filter_new (any, NULL);
  struct husk_event_filter *f2 = husk_event_filter_new (all, NULL);

  (void) state;
  assert_true (husk_event_filter_match (f1, &ev));
  assert_false (husk_event_filter_match (f2, &ev));
  husk_event_filter_free (f1);
  husk_event_filter_free (f2);
}

static void
bad_filters_are_refused (void **state)
{
  char *unknown[] = { (char *) "bogus=1", NULL };
  char *nokey[] = { (char *) "container", NULL };
  husk_error_t err = NULL;

  (void) state;
  assert_null (husk_event_filter_new (unknown, &err));
  assert_string_equal (err->msg, "bogus is an invalid filter");
  husk_error_release (&err);
  assert_null (husk_event_filter_new (nokey, &err));
  assert_string_equal (err->msg, "invalid filter \"container\": expected key=value");
  husk_error_release (&err);
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (human_line_has_image_name_and_sorted_labels),
    cmocka_unit_test (human_line_puts_health_status_before_labels),
    cmocka_unit_test (human_line_of_image_and_volume_events),
    cmocka_unit_test (json_line_has_podmans_fields_in_order),
    cmocka_unit_test (json_line_leaves_out_exit_code_zero_and_keeps_empty_attributes),
    cmocka_unit_test (json_line_of_volume_has_no_id_and_null_attributes),
    cmocka_unit_test (container_filter_is_exact_name_or_id_prefix),
    cmocka_unit_test (label_filter_needs_key_and_value),
    cmocka_unit_test (same_keys_any_different_keys_all),
    cmocka_unit_test (bad_filters_are_refused),
  };

  /* The lines are in the local time zone, as Podman's.  */
  setenv ("TZ", "UTC", 1);
  tzset ();
  return cmocka_run_group_tests (tests, NULL, NULL);
}
