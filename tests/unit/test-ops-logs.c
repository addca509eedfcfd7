/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests of ops/container_logs.c: the log of a container row is found
   and streamed to the callback; drivers without a log are refused.  */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "engine/engine.h"
#include "ops/container_logs.h"
#include "state/containers.h"
#include "util/cleanup.h"
#include "util/fileutil.h"
#include "util/strutil.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define ID "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

struct fixture
{
  char *dir;
  char *log;
  struct husk_engine e;
};

static void
add (struct fixture *f, const char *name, const char *driver)
{
  cleanup_free char *cfg = husk_asprintf ("{\"log\":{\"path\":\"%s\",\"driver\":\"%s\"}}",
                                          f->log, driver);
  char id[65];
  struct husk_container_rec r = { .id = id, .name = (char *) name, .image_id = (char *) ID,
                                  .config = cfg, .state = (char *) "exited",
                                  .boot_id = (char *) "" };

  memcpy (id, ID, 65);
  id[0] = name[0];
  assert_int_equal (husk_state_container_add (f->e.state, &r, NULL), 0);
}

static int
setup (void **state)
{
  struct fixture *f = husk_xzalloc (sizeof *f);
  cleanup_free char *db = NULL;
  husk_error_t err = NULL;

  f->dir = husk_mkdtemp_in ("/tmp", "husk-unit-logs-", &err);
  assert_non_null (f->dir);
  f->log = husk_asprintf ("%s/ctr.log", f->dir);
  db = husk_asprintf ("%s/state.db", f->dir);
  f->e.state = husk_state_open (db, &err);
  assert_non_null (f->e.state);
  f->e.root = f->dir;
  f->e.runroot = f->dir;
  add (f, "k8s", "k8s-file");
  add (f, "none", "none");
  add (f, "pass", "passthrough");
  *state = f;
  return 0;
}

static int
teardown (void **state)
{
  struct fixture *f = *state;

  husk_state_free (f->e.state);
  husk_rm_rf (f->dir, NULL);
  free (f->log);
  free (f->dir);
  free (f);
  return 0;
}

/* Records as "stream:text|".  */
static void
collect (void *data, const char *stream, int64_t ts_ns, const char *text, size_t len,
         bool partial)
{
  char **out = data;
  char *s = husk_asprintf ("%s%s:%.*s|", *out ? *out : "", stream, (int) len, text);

  (void) ts_ns;
  (void) partial;
  free (*out);
  *out = s;
}

static void
records_reach_the_callback_in_order_tail_applies (void **state)
{
  struct fixture *f = *state;
  const char *log = "2026-11-29T05:18:40.000000001Z stdout F one\n"
                    "2026-11-29T05:18:41.000000001Z stderr F two\n"
                    "2026-11-29T05:18:42.000000001Z stdout F three\n";
  cleanup_free char *all = NULL, *last = NULL;

  assert_int_equal (husk_write_file_atomic (f->log, log, strlen (log), 0600, NULL), 0);
  assert_int_equal (husk_op_container_logs (&f->e, "k8s", &(struct husk_logs_opts){ .tail = -1 },
                                            collect, &all, NULL), 0);
  assert_string_equal (all, "stdout:one\n|stderr:two\n|stdout:three\n|");
  assert_int_equal (husk_op_container_logs (&f->e, "k8s", &(struct husk_logs_opts){ .tail = 1 },
                                            collect, &last, NULL), 0);
  assert_string_equal (last, "stdout:three\n|");
}

static void
a_log_not_written_yet_shows_nothing (void **state)
{
  struct fixture *f = *state;
  cleanup_free char *out = NULL;

  assert_int_equal (husk_op_container_logs (&f->e, "k8s", &(struct husk_logs_opts){
                                              .tail = -1, .follow = true }, collect, &out, NULL),
                    0);
  assert_null (out);
}

static void
none_and_passthrough_drivers_are_refused (void **state)
{
  struct fixture *f = *state;
  husk_error_t err = NULL;
  cleanup_free char *out = NULL;

  assert_int_equal (husk_op_container_logs (&f->e, "none", &(struct husk_logs_opts){ .tail = -1 },
                                            collect, &out, &err), -1);
  assert_int_equal (err->code, EINVAL);
  assert_string_equal (err->msg, "this container is using the 'none' log driver, cannot read logs");
  husk_error_release (&err);
  assert_int_equal (husk_op_container_logs (&f->e, "pass", &(struct husk_logs_opts){ .tail = -1 },
                                            collect, &out, &err), -1);
  assert_non_null (strstr (err->msg, "'passthrough'"));
  husk_error_release (&err);
  assert_int_equal (husk_op_container_logs (&f->e, "nothere", &(struct husk_logs_opts){ .tail = -1 },
                                            collect, &out, &err), -1);
  assert_int_equal (err->code, ENOENT);
  husk_error_release (&err);
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup_teardown (records_reach_the_callback_in_order_tail_applies, setup,
                                     teardown),
    cmocka_unit_test_setup_teardown (a_log_not_written_yet_shows_nothing, setup, teardown),
    cmocka_unit_test_setup_teardown (none_and_passthrough_drivers_are_refused, setup, teardown),
  };

  return cmocka_run_group_tests (tests, NULL, NULL);
}
