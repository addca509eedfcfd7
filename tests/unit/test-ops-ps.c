/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests of container/ps.c, through the husk_op_ps_* entries the CLI
   calls (ops/container_ps.c): which containers `ps` lists (the
   running-only default, --filter, -l, -n), the STATUS text with the
   healthcheck's status, and --sort; over a real state database with
   container rows in every state.  */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "container/monitor.h"
#include "engine/engine.h"
#include "ops/container_ps.h"
#include "state/containers.h"
#include "util/cleanup.h"
#include "util/fileutil.h"
#include "util/strutil.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#define S 1000000000LL

struct fixture
{
  char *dir;
  struct husk_engine e;
  int64_t now; /* Unix seconds */
};

/* A 64-hex ID from a seed digit.  */
static char *
make_id (char c)
{
  char *id = husk_xmalloc (65);

  memset (id, c, 64);
  id[64] = '\0';
  return id;
}

/* Add a row: name, state, seconds since creation (distinct per row), the
   configuration's extra keys (JSON, without braces) and exit code.  */
static void
add (struct fixture *f, char seed, const char *name, const char *state, int age,
     const char *cfg_extra, int exit_code)
{
  cleanup_free char *id = make_id (seed), *img = make_id ('f');
  cleanup_free char *cfg = husk_asprintf ("{\"image\":{\"name\":\"localhost/husk-test/busybox:latest\"},"
                                          "\"cmd\":[\"sleep\",\"1000\"],\"labels\":{}%s%s}",
                                          cfg_extra ? "," : "", cfg_extra ? cfg_extra : "");
  struct husk_container_rec r = {
    .id = id, .name = (char *) name, .image_id = img, .config = cfg, .state = (char *) state,
    .boot_id = (char *) "", .exit_code = exit_code, .created = (f->now - age) * S,
  };
  husk_error_t err = NULL;

  if (strcmp (state, "created") != 0)
    r.started_at = (f->now - age + 1) * S;
  if (strcmp (state, "exited") == 0)
    r.finished_at = (f->now - 2) * S;
  if (husk_state_container_add (f->e.state, &r, &err) < 0)
    fail_msg ("add %s: %s", name, err->msg);
}

/* Four containers, oldest first: c-created (created), r-run (running, a
   label, a healthcheck that said "healthy"), x-zero (exited 0), x-three
   (exited 3, --rm).  A running row without a monitor stays running for
   its first 30 seconds (ops/container.c), so r-run is 10 seconds old.  */
static int
setup (void **state)
{
  struct fixture *f = husk_xzalloc (sizeof *f);
  husk_error_t err = NULL;
  cleanup_free char *path = NULL, *run = NULL, *health = NULL;

  f->now = time (NULL);
  f->dir = husk_mkdtemp_in ("/tmp", "husk-unit-ops-ps-", &err);
  assert_non_null (f->dir);
  f->e.root = f->dir;
  f->e.runroot = husk_asprintf ("%s/run", f->dir);
  path = husk_asprintf ("%s/state.db", f->dir);
  f->e.state = husk_state_open (path, &err);
  if (f->e.state == NULL)
    fail_msg ("open: %s", err->msg);
  add (f, 'a', "c-created", "created", 40, NULL, 0);
  add (f, 'b', "r-run", "running", 10,
       "\"labels\":{\"tier\":\"web\"},\"health\":{\"test\":[\"CMD\",\"true\"]}", 0);
  add (f, 'c', "x-zero", "exited", 8, NULL, 0);
  add (f, 'd', "x-three", "exited", 6, "\"rm\":true", 3);
  run = husk_asprintf ("%s/containers/bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb",
                       f->e.runroot);
  assert_int_equal (husk_mkdir_p (run, 0700, NULL), 0);
  health = husk_asprintf ("%s/%s", run, HUSK_MONITOR_HEALTH);
  assert_int_equal (husk_write_file_atomic (health, "{\"Status\":\"healthy\"}", 20, 0600, NULL), 0);
  *state = f;
  return 0;
}

static int
teardown (void **state)
{
  struct fixture *f = *state;

  husk_state_free (f->e.state);
  husk_rm_rf (f->dir, NULL);
  free (f->e.runroot);
  free (f->dir);
  free (f);
  return 0;
}

/* The names ps lists with these options, space-separated; "ERR: msg" on
   failure.  */
static char *
names (struct fixture *f, struct husk_ps_opts o)
{
  struct husk_ps_row *rows = NULL;
  size_t n = 0;
  husk_error_t err = NULL;
  cleanup_strv char **v = NULL;
  char *s;

  if (o.last == 0 && !o.latest)
    o.last = -1; /* a zeroed struct means no -n */
  if (husk_op_container_ps (&f->e, &o, &rows, &n, &err) < 0)
    {
      s = husk_asprintf ("ERR: %s", err->msg);
      husk_error_release (&err);
      return s;
    }
  for (size_t i = 0; i < n; i++)
    husk_strv_append (&v, rows[i].rec.name);
  husk_ps_rows_free (rows, n);
  return v ? husk_strv_join (v, " ") : husk_xstrdup ("");
}

/* With -a: what the filter alone selects.  */
static char *
filtered (struct fixture *f, const char *filter)
{
  char *fl[] = { (char *) filter, NULL };

  return names (f, (struct husk_ps_opts){ .filters = fl, .all = true });
}

/* Without -a, as `ps --filter X` runs.  */
static char *
filtered_default (struct fixture *f, const char *filter)
{
  char *fl[] = { (char *) filter, NULL };

  return names (f, (struct husk_ps_opts){ .filters = fl });
}

static void
default_lists_only_running_containers (void **state)
{
  cleanup_free char *s = names (*state, (struct husk_ps_opts){ 0 });

  assert_string_equal (s, "r-run");
}

static void
all_lists_every_container_oldest_first (void **state)
{
  cleanup_free char *s = names (*state, (struct husk_ps_opts){ .all = true });

  assert_string_equal (s, "c-created r-run x-zero x-three");
}

/* As Podman: status= looks at every container without -a; any other
   filter narrows the running ones.  */
static void
filter_without_all_status_sees_all_others_only_running (void **state)
{
  struct fixture *f = *state;
  cleanup_free char *ex = filtered_default (f, "status=exited");
  cleanup_free char *name_x = filtered_default (f, "name=x-");
  cleanup_free char *name_r = filtered_default (f, "name=r-");
  cleanup_free char *exited = filtered_default (f, "exited=3");

  assert_string_equal (ex, "x-zero x-three");
  assert_string_equal (name_x, "");
  assert_string_equal (name_r, "r-run");
  assert_string_equal (exited, "");
}

static void
filter_status_selects_exactly_that_state (void **state)
{
  struct fixture *f = *state;
  cleanup_free char *ex = filtered_default (f, "status=exited");
  cleanup_free char *run = filtered_default (f, "status=running");
  cleanup_free char *cr = filtered_default (f, "status=created");
  cleanup_free char *st = filtered_default (f, "status=stopped");
  cleanup_free char *pa = filtered_default (f, "status=paused");

  assert_string_equal (ex, "x-zero x-three");
  assert_string_equal (run, "r-run");
  assert_string_equal (cr, "c-created");
  assert_string_equal (st, "x-zero x-three");
  assert_string_equal (pa, "");
}

static void
filter_name_id_label_exited_ancestor (void **state)
{
  struct fixture *f = *state;
  cleanup_free char *name = filtered (f, "name=x-");
  cleanup_free char *id = filtered (f, "id=ccc");
  cleanup_free char *label = filtered (f, "label=tier");
  cleanup_free char *label_v = filtered (f, "label=tier=web");
  cleanup_free char *label_no = filtered (f, "label=tier=db");
  cleanup_free char *exited = filtered (f, "exited=3");
  cleanup_free char *exited0 = filtered (f, "exited=0");
  cleanup_free char *anc = filtered (f, "ancestor=busybox");
  cleanup_free char *anc_id = filtered (f, "ancestor=fff");
  cleanup_free char *anc_no = filtered (f, "ancestor=alpine");

  assert_string_equal (name, "x-zero x-three");
  assert_string_equal (id, "x-zero");
  assert_string_equal (label, "r-run");
  assert_string_equal (label_v, "r-run");
  assert_string_equal (label_no, "");
  assert_string_equal (exited, "x-three");
  assert_string_equal (exited0, "x-zero"); /* not the created one, whose code is 0 too */
  assert_string_equal (anc, "c-created r-run x-zero x-three");
  assert_string_equal (anc_id, "c-created r-run x-zero x-three");
  assert_string_equal (anc_no, "");
}

static void
filter_before_and_since_compare_creation (void **state)
{
  struct fixture *f = *state;
  cleanup_free char *before = filtered (f, "before=x-zero");
  cleanup_free char *since = filtered (f, "since=r-run");
  cleanup_free char *missing = filtered (f, "since=nothere");

  assert_string_equal (before, "c-created r-run");
  assert_string_equal (since, "x-zero x-three");
  assert_true (husk_has_prefix (missing, "ERR: "));
}

static void
filters_are_anded (void **state)
{
  struct fixture *f = *state;
  char *fl[] = { (char *) "status=exited", (char *) "name=three", NULL };
  cleanup_free char *s = names (f, (struct husk_ps_opts){ .filters = fl });

  assert_string_equal (s, "x-three");
}

/* One key: any of its filters (Podman 4.4 and later, as Docker); label=
   filters all; different keys all.  */
static void
filters_of_one_key_are_ored_but_labels_anded (void **state)
{
  struct fixture *f = *state;
  char *st[] = { (char *) "status=created", (char *) "status=running", NULL };
  char *mixed[] = { (char *) "status=created", (char *) "name=r-", (char *) "status=running",
                    NULL };
  char *labels[] = { (char *) "label=tier=web", (char *) "label=tier=db", NULL };
  char *one_label[] = { (char *) "label=tier", (char *) "label=tier=web", NULL };
  cleanup_free char *s = names (f, (struct husk_ps_opts){ .filters = st });
  cleanup_free char *m = names (f, (struct husk_ps_opts){ .filters = mixed });
  cleanup_free char *l = names (f, (struct husk_ps_opts){ .filters = labels });
  cleanup_free char *l1 = names (f, (struct husk_ps_opts){ .filters = one_label });

  assert_string_equal (s, "c-created r-run");
  assert_string_equal (m, "r-run");
  assert_string_equal (l, "");
  assert_string_equal (l1, "r-run");
}

static void
unknown_filter_fails_before_listing (void **state)
{
  struct fixture *f = *state;
  cleanup_free char *s = filtered (f, "colour=red");
  cleanup_free char *bare = filtered (f, "bogus");

  assert_string_equal (s, "ERR: colour is an invalid filter");
  assert_string_equal (bare, "ERR: bogus is an invalid filter");
}

static void
latest_and_last_take_the_newest_in_any_state (void **state)
{
  struct fixture *f = *state;
  cleanup_free char *l = names (f, (struct husk_ps_opts){ .latest = true, .last = -1 });
  cleanup_free char *n2 = names (f, (struct husk_ps_opts){ .last = 2 });
  cleanup_free char *n1f = NULL;
  char *fl[] = { (char *) "status=running", NULL };

  n1f = names (f, (struct husk_ps_opts){ .last = 1, .filters = fl });
  assert_string_equal (l, "x-three");
  assert_string_equal (n2, "x-zero x-three");
  assert_string_equal (n1f, "r-run");
}

static void
sort_keys_order_rows (void **state)
{
  struct fixture *f = *state;
  cleanup_free char *by_name = names (f, (struct husk_ps_opts){ .all = true, .sort = "names" });
  cleanup_free char *by_id = names (f, (struct husk_ps_opts){ .all = true, .sort = "id" });
  cleanup_free char *by_status = names (f, (struct husk_ps_opts){ .all = true, .sort = "status" });
  cleanup_free char *bad = names (f, (struct husk_ps_opts){ .all = true, .sort = "colour" });

  assert_string_equal (by_name, "c-created r-run x-three x-zero");
  assert_string_equal (by_id, "c-created r-run x-zero x-three");
  /* "Created" < "Exited (0)..." < "Exited (3)..." < "Up ..." */
  assert_string_equal (by_status, "c-created x-zero x-three r-run");
  assert_true (husk_has_prefix (bad, "ERR: invalid option for --sort"));
  assert_true (husk_op_ps_sort_valid ("runningfor"));
  assert_false (husk_op_ps_sort_valid ("bogus"));
}

static void
rows_carry_status_with_health_image_command_and_rm (void **state)
{
  struct fixture *f = *state;
  struct husk_ps_row *rows = NULL;
  size_t n = 0;
  husk_error_t err = NULL;

  assert_int_equal (husk_op_container_ps (&f->e, &(struct husk_ps_opts){ .all = true, .last = -1 },
                                          &rows, &n, &err), 0);
  assert_int_equal (n, 4);
  assert_string_equal (rows[0].status, "Created");
  assert_true (husk_has_prefix (rows[1].status, "Up "));
  assert_non_null (strstr (rows[1].status, " ago (healthy)"));
  assert_true (husk_has_prefix (rows[3].status, "Exited (3) "));
  assert_string_equal (rows[1].image, "localhost/husk-test/busybox:latest");
  assert_string_equal (rows[1].command, "sleep 1000");
  assert_string_equal (json_string_value (json_object_get (rows[1].labels, "tier")), "web");
  assert_true (rows[3].auto_remove);
  assert_false (rows[2].auto_remove);
  assert_false (rows[0].sized);
  husk_ps_rows_free (rows, n);
}

static void
status_text_of_each_state (void **state)
{
  const int64_t now = 1800000000;
  struct husk_container_rec r = { .started_at = (now - 180) * S, .finished_at = (now - 5) * S,
                                  .exit_code = 137 };
  cleanup_free char *up = NULL, *healthy = NULL, *starting = NULL, *paused = NULL;
  cleanup_free char *stopping = NULL, *exited = NULL, *init = NULL, *created = NULL;

  (void) state;
  r.state = (char *) "running";
  up = husk_op_ps_status_text (&r, NULL, now);
  healthy = husk_op_ps_status_text (&r, "healthy", now);
  starting = husk_op_ps_status_text (&r, "starting", now);
  r.state = (char *) "stopping";
  stopping = husk_op_ps_status_text (&r, "unhealthy", now);
  r.state = (char *) "paused";
  paused = husk_op_ps_status_text (&r, "healthy", now);
  r.state = (char *) "exited";
  exited = husk_op_ps_status_text (&r, "healthy", now);
  r.state = (char *) "initialized";
  init = husk_op_ps_status_text (&r, NULL, now);
  r.state = (char *) "created";
  created = husk_op_ps_status_text (&r, NULL, now);

  assert_string_equal (up, "Up 3 minutes ago");
  assert_string_equal (healthy, "Up 3 minutes ago (healthy)");
  assert_string_equal (starting, "Up 3 minutes ago (starting)");
  assert_string_equal (stopping, "Stopping"); /* Podman: the state, capitalised */
  assert_string_equal (paused, "Up 3 minutes (Paused)");
  assert_string_equal (exited, "Exited (137) 5 seconds ago");
  assert_string_equal (init, "Initialized");
  assert_string_equal (created, "Created");
}

static void
health_is_starting_until_the_monitor_records_one (void **state)
{
  struct fixture *f = *state;
  cleanup_free char *path = husk_asprintf (
      "%s/containers/bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb/%s",
      f->e.runroot, HUSK_MONITOR_HEALTH);
  char *fl[] = { (char *) "name=r-run", NULL };
  struct husk_ps_row *rows = NULL;
  size_t n = 0;

  assert_int_equal (unlink (path), 0);
  assert_int_equal (husk_op_container_ps (&f->e, &(struct husk_ps_opts){ .filters = fl, .last = -1 },
                                          &rows, &n, NULL), 0);
  assert_int_equal (n, 1);
  assert_non_null (strstr (rows[0].status, " ago (starting)"));
  husk_ps_rows_free (rows, n);
}

static void
sort_by_size_puts_unsized_first_then_by_rootfs (void **state)
{
  struct husk_ps_row rows[3] = { 0 };

  (void) state;
  rows[0].rec.created = 3, rows[0].sized = true, rows[0].size.rootfs = 500;
  rows[1].rec.created = 1, rows[1].sized = true, rows[1].size.rootfs = 100;
  rows[2].rec.created = 2;
  rows[0].rec.name = (char *) "big", rows[1].rec.name = (char *) "small";
  rows[2].rec.name = (char *) "unsized";
  husk_op_ps_sort (rows, 3, "size");
  assert_string_equal (rows[0].rec.name, "unsized");
  assert_string_equal (rows[1].rec.name, "small");
  assert_string_equal (rows[2].rec.name, "big");
  husk_op_ps_sort (rows, 3, NULL);
  assert_string_equal (rows[0].rec.name, "small");
  assert_string_equal (rows[2].rec.name, "big");
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown (fn, setup, teardown)
    T (default_lists_only_running_containers),
    T (all_lists_every_container_oldest_first),
    T (filter_status_selects_exactly_that_state),
    T (filter_without_all_status_sees_all_others_only_running),
    T (filter_name_id_label_exited_ancestor),
    T (filter_before_and_since_compare_creation),
    T (filters_are_anded),
    T (filters_of_one_key_are_ored_but_labels_anded),
    T (unknown_filter_fails_before_listing),
    T (latest_and_last_take_the_newest_in_any_state),
    T (sort_keys_order_rows),
    T (rows_carry_status_with_health_image_command_and_rm),
    T (health_is_starting_until_the_monitor_records_one),
#undef T
    cmocka_unit_test (status_text_of_each_state),
    cmocka_unit_test (sort_by_size_puts_unsized_first_then_by_rootfs),
  };

  return cmocka_run_group_tests (tests, NULL, NULL);
}
