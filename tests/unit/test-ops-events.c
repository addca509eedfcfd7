/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests of ops/events.c: the event stream front ends (and later the
   API) consume, and the times its --since/--until take.  */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "engine/engine.h"
#include "ops/events.h"
#include "util/cleanup.h"
#include "util/fileutil.h"
#include "util/strutil.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define SEC 1000000000LL

struct fixture
{
  char *dir;
  struct husk_engine e;
};

static void
add (struct fixture *f, int64_t t, const char *type, const char *action, const char *name)
{
  struct husk_event_rec ev = { .time_ns = t, .type = (char *) type, .action = (char *) action,
                               .id = (char *) name, .name = (char *) name };

  assert_int_equal (husk_state_event_add (f->e.state, &ev, NULL), 0);
}

static int
setup (void **state)
{
  struct fixture *f = husk_xzalloc (sizeof *f);
  cleanup_free char *db = NULL;
  husk_error_t err = NULL;

  f->dir = husk_mkdtemp_in ("/tmp", "husk-unit-events-", &err);
  assert_non_null (f->dir);
  db = husk_asprintf ("%s/state.db", f->dir);
  f->e.state = husk_state_open (db, &err);
  assert_non_null (f->e.state);
  add (f, 100 * SEC, "container", "create", "a");
  add (f, 200 * SEC, "volume", "create", "v");
  add (f, 300 * SEC, "container", "start", "a");
  add (f, 400 * SEC, "container", "died", "b");
  *state = f;
  return 0;
}

static int
teardown (void **state)
{
  struct fixture *f = *state;

  husk_state_free (f->e.state);
  husk_rm_rf (f->dir, NULL);
  free (f->dir);
  free (f);
  return 0;
}

/* Collects "action:name " and stops after `stop_after` events (0: never). */
struct seen
{
  struct husk_buf b;
  int count, stop_after;
};

static int
collect (void *ctx, const struct husk_event_rec *ev)
{
  struct seen *s = ctx;

  husk_buf_printf (&s->b, "%s:%s ", ev->action, ev->name);
  return ++s->count == s->stop_after ? 7 : 0;
}

static char *
stream (struct fixture *f, struct husk_events_stream_opts *o, int stop_after, int *ret)
{
  struct seen s = { HUSK_BUF_INIT, 0, stop_after };

  *ret = husk_op_events_stream (&f->e, o, collect, &s, NULL);
  return husk_buf_steal (&s.b);
}

static void
test_all_in_order (void **state)
{
  struct husk_events_stream_opts o = { 0 };
  int r;
  cleanup_free char *out = stream (*state, &o, 0, &r);

  assert_int_equal (r, 0);
  assert_string_equal (out, "create:a create:v start:a died:b ");
}

static void
test_since_until_and_filters (void **state)
{
  char *filters[] = { (char *) "type=container", NULL };
  struct husk_events_stream_opts o = { .filters = filters, .since_ns = 150 * SEC,
                                       .until_ns = 400 * SEC };
  int r;
  cleanup_free char *out = stream (*state, &o, 0, &r);

  assert_int_equal (r, 0);
  assert_string_equal (out, "start:a ");
}

/* The callback ends a stream (a client that went away): its value comes
   back, and follow with until never waits.  */
static void
test_callback_stops (void **state)
{
  struct husk_events_stream_opts o = { .follow = true, .since_ns = 1 };
  int r;
  cleanup_free char *out = stream (*state, &o, 2, &r);

  assert_int_equal (r, 7);
  assert_string_equal (out, "create:a create:v ");
}

static void
test_bad_filter (void **state)
{
  char *filters[] = { (char *) "colour=red", NULL };
  struct husk_events_stream_opts o = { .filters = filters };
  int r;
  cleanup_free char *out = stream (*state, &o, 0, &r);

  assert_int_equal (r, -1);
  assert_string_equal (out, "");
}

static void
test_times (void **state)
{
  int64_t ns;
  husk_error_t err = NULL;

  (void) state;
  assert_int_equal (husk_op_events_time (NULL, &ns, NULL), 0);
  assert_int_equal (ns, 0);
  assert_int_equal (husk_op_events_time ("1700000000", &ns, NULL), 0);
  assert_int_equal (ns, 1700000000 * SEC);
  assert_int_equal (husk_op_events_time ("2023-11-14T22:13:20Z", &ns, NULL), 0);
  assert_int_equal (ns, 1700000000 * SEC);
  assert_int_equal (husk_op_events_time ("10m", &ns, NULL), 0);
  assert_true (husk_now_ns () - ns >= 600 * SEC && husk_now_ns () - ns < 610 * SEC);
  assert_int_equal (husk_op_events_time ("soon", &ns, &err), -1);
  assert_int_equal (err->code, EINVAL);
  assert_non_null (strstr (err->msg, "soon"));
  husk_error_release (&err);
  assert_int_equal (husk_op_events_time ("", &ns, NULL), -1);
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup_teardown (test_all_in_order, setup, teardown),
    cmocka_unit_test_setup_teardown (test_since_until_and_filters, setup, teardown),
    cmocka_unit_test_setup_teardown (test_callback_stops, setup, teardown),
    cmocka_unit_test_setup_teardown (test_bad_filter, setup, teardown),
    cmocka_unit_test (test_times),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
