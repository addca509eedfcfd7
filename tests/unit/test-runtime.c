/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests of runtime/runtime.c: finding runtimes, command lines, state
   parsing, error messages and the hybrid-cgroup check.  */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "config/config.h"
#include "runtime/runtime.h"
#include "util/cleanup.h"
#include "util/fileutil.h"
#include "util/strutil.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void
assert_argv (char **argv, const char *expected)
{
  cleanup_free char *j = husk_strv_join (argv, " ");

  assert_string_equal (j, expected);
  husk_strv_free (argv);
}

static void
create_argv_has_root_bundle_and_pid_file (void **state)
{
  cleanup (husk_runtime_free) struct husk_runtime *rt = husk_runtime_new ("crun", "/usr/bin/crun");

  (void) state;
  husk_runtime_set_root (rt, "/run/husk");
  assert_string_equal (rt->root, "/run/husk/runtime");
  assert_argv (husk_runtime_argv_create (rt, "abc", "/b", "/b/pid", NULL, 0),
               "/usr/bin/crun --root /run/husk/runtime --log-format json create "
               "--bundle /b --pid-file /b/pid abc");
  assert_argv (husk_runtime_argv_create (rt, "abc", "/b", "/b/pid", "/s.sock", 2),
               "/usr/bin/crun --root /run/husk/runtime --log-format json create "
               "--bundle /b --pid-file /b/pid --console-socket /s.sock --preserve-fds=2 abc");
}

static void
verb_argvs_follow_the_oci_cli (void **state)
{
  cleanup (husk_runtime_free) struct husk_runtime *rt = husk_runtime_new ("runc", "/usr/sbin/runc");

  (void) state;
  assert_argv (husk_runtime_argv_start (rt, "x"), "/usr/sbin/runc --log-format json start x");
  assert_argv (husk_runtime_argv_state (rt, "x"), "/usr/sbin/runc --log-format json state x");
  assert_argv (husk_runtime_argv_kill (rt, "x", 9, true),
               "/usr/sbin/runc --log-format json kill --all x 9");
  assert_argv (husk_runtime_argv_kill (rt, "x", 15, false),
               "/usr/sbin/runc --log-format json kill x 15");
  assert_argv (husk_runtime_argv_delete (rt, "x", true),
               "/usr/sbin/runc --log-format json delete --force x");
  assert_argv (husk_runtime_argv_pause (rt, "x"), "/usr/sbin/runc --log-format json pause x");
  assert_argv (husk_runtime_argv_resume (rt, "x"), "/usr/sbin/runc --log-format json resume x");
  assert_argv (husk_runtime_argv_exec (rt, "x", "/p.json", "/pid", "/c.sock", true, 0),
               "/usr/sbin/runc --log-format json exec --process /p.json --pid-file /pid "
               "--console-socket /c.sock --detach x");
}

static void
unknown_runtime_family_gets_no_extra_flags (void **state)
{
  cleanup (husk_runtime_free) struct husk_runtime *rt = husk_runtime_new ("youki", "/opt/youki");

  (void) state;
  assert_string_equal (rt->ops->family, "oci");
  assert_argv (husk_runtime_argv_delete (rt, "x", false), "/opt/youki delete x");
}

static void
a_log_file_is_asked_for_as_json_and_plain_asks_for_nothing (void **state)
{
  cleanup (husk_runtime_free) struct husk_runtime *rt = husk_runtime_new ("youki", "/opt/youki");
  cleanup (husk_runtime_free) struct husk_runtime *crun = husk_runtime_new ("crun", "/c");

  (void) state;
  husk_runtime_set_log (rt, "/u/runtime.log");
  assert_argv (husk_runtime_argv (rt, "start", "x", NULL),
               "/opt/youki --log /u/runtime.log --log-format json start x");
  crun->plain = true;
  assert_argv (husk_runtime_argv (crun, "exec", "x", "true", NULL), "/c exec x true");
}

static void
a_runtime_opened_by_path_uses_the_one_runtime_root (void **state)
{
  husk_error_t err = NULL;
  cleanup (husk_runtime_free) struct husk_runtime *rt
      = husk_runtime_open ("/usr/bin/runc", "/run/h", &err);

  (void) state;
  assert_non_null (rt);
  assert_string_equal (rt->name, "runc");
  assert_string_equal (rt->root, "/run/h/runtime");
  assert_null (husk_runtime_open (NULL, "/run/h", &err));
  assert_int_equal (err->code, EINVAL);
  husk_error_release (&err);
}

static void
exit_codes_follow_podman (void **state)
{
  const char *what;

  (void) state;
  assert_int_equal (husk_runtime_exit_code ("executable file `nosuch` not found in $PATH: "
                                            "No such file or directory", &what), 127);
  assert_string_equal (what, "OCI runtime attempted to invoke a command that was not found");
  assert_int_equal (husk_runtime_exit_code ("runc create failed: unable to start container "
                                            "process: exec: \"/x\": stat /x: no such file "
                                            "or directory", NULL), 127);
  assert_int_equal (husk_runtime_exit_code ("open executable: Permission denied", &what), 126);
  assert_string_equal (what, "OCI permission denied");
  assert_int_equal (husk_runtime_exit_code ("open executable: Operation not permitted", NULL),
                    126);
  /* Where the two old tables disagreed: a directory cannot be invoked
     (126), and a command found but not executable is 126 even when the
     wording says "not found".  */
  assert_int_equal (husk_runtime_exit_code ("exec: \"/etc\": is a directory", NULL), 126);
  assert_int_equal (husk_runtime_exit_code ("executable file `x` not found in $PATH: "
                                            "Permission denied", NULL), 126);
  /* Not the command's failure: the engine's.  */
  assert_int_equal (husk_runtime_exit_code ("error opening file `/b/config.json`: No such "
                                            "file or directory", &what), 125);
  assert_string_equal (what, "OCI runtime error");
  assert_int_equal (husk_runtime_exit_code (NULL, NULL), 125);
}

static void
state_output_parses (void **state)
{
  struct husk_runtime_state st;
  husk_error_t err = NULL;

  (void) state;
  assert_int_equal (husk_runtime_parse_state ("{\"ociVersion\":\"1.0.2\",\"id\":\"x\","
                                              "\"pid\":1234,\"status\":\"running\","
                                              "\"bundle\":\"/b\",\"created\":\"2024\"}",
                                              &st, NULL), 0);
  assert_string_equal (st.status, "running");
  assert_int_equal (st.pid, 1234);
  assert_string_equal (st.bundle, "/b");
  husk_runtime_state_release (&st);
  assert_int_equal (husk_runtime_parse_state ("{\"status\":\"stopped\"}", &st, NULL), 0);
  assert_int_equal (st.pid, 0);
  husk_runtime_state_release (&st);
  assert_int_equal (husk_runtime_parse_state ("not json", &st, &err), -1);
  assert_int_equal (err->code, EINVAL);
  husk_error_release (&err);
  assert_int_equal (husk_runtime_parse_state ("{\"pid\":-3,\"status\":\"x\"}", &st, &err), -1);
  husk_error_release (&err);
}

static void
missing_runtime_says_how_to_fix_it (void **state)
{
  cleanup (husk_config_free) struct husk_config *cfg = husk_config_new_defaults ();
  husk_error_t err = NULL;

  (void) state;
  assert_null (husk_runtime_find ("no-such-runtime-xyz", cfg, &err));
  assert_string_equal (err->msg,
                       "OCI runtime \"no-such-runtime-xyz\" not found: install it or use "
                       "--runtime");
  assert_int_equal (err->code, ENOENT);
  husk_error_release (&err);
  assert_null (husk_runtime_find ("/no/such/crun", cfg, &err));
  assert_string_equal (err->msg, "OCI runtime \"/no/such/crun\" not found: install it or use "
                                 "--runtime");
  husk_error_release (&err);
  assert_null (husk_runtime_find ("bin/crun", cfg, &err));
  assert_int_equal (err->code, EINVAL);
  husk_error_release (&err);
}

static void
runtime_by_path_is_named_by_its_file (void **state)
{
  cleanup (husk_runtime_free) struct husk_runtime *rt = husk_runtime_find ("/bin/true", NULL, NULL);

  (void) state;
  assert_non_null (rt);
  assert_string_equal (rt->name, "true");
  assert_string_equal (rt->path, "/bin/true");
  assert_null (rt->root);
}

static void
configured_runtime_paths_are_used (void **state)
{
  cleanup (husk_config_free) struct husk_config *cfg = husk_config_new_defaults ();
  cleanup (husk_runtime_free) struct husk_runtime *rt = NULL;
  char **paths = husk_config_runtime_paths (cfg, "crun");
  const char *first = NULL;

  (void) state;
  for (char **p = paths; p && *p; p++)
    if (access (*p, X_OK) == 0)
      {
        first = *p;
        break;
      }
  if (first == NULL)
    skip ();
  rt = husk_runtime_find ("crun", cfg, NULL);
  assert_non_null (rt);
  assert_string_equal (rt->path, first);
  assert_string_equal (rt->ops->family, "crun");
}

static char *
fake_cgroup_root (const char *controllers)
{
  char *dir = husk_mkdtemp_in ("/tmp", "husk-test-cgroup-", NULL);
  cleanup_free char *unified = husk_asprintf ("%s/unified", dir);
  cleanup_free char *file = husk_asprintf ("%s/cgroup.controllers", unified);

  assert_int_equal (mkdir (unified, 0755), 0);
  if (controllers)
    assert_int_equal (husk_write_file_atomic (file, controllers, strlen (controllers), 0644,
                                              NULL), 0);
  return dir;
}

static void
hybrid_cgroups_with_v2_controllers_stop_crun (void **state)
{
  cleanup (husk_runtime_free) struct husk_runtime *crun = husk_runtime_new ("crun", "/x/crun");
  cleanup (husk_runtime_free) struct husk_runtime *runc = husk_runtime_new ("runc", "/x/runc");
  cleanup_free char *dir = fake_cgroup_root ("hugetlb\n");
  husk_error_t err = NULL;

  (void) state;
  assert_int_equal (husk_runtime_check_host_at (crun, dir, &err), -1);
  assert_string_equal (err->msg,
                       "crun cannot run on this host: cgroups are in hybrid mode with "
                       "controllers in the unified hierarchy (hugetlb); mount a cgroup v1 "
                       "hugetlb hierarchy (mkdir -p /sys/fs/cgroup/hugetlb && mount -t cgroup "
                       "-o hugetlb cgroup /sys/fs/cgroup/hugetlb) or use --runtime runc");
  assert_int_equal (err->code, EOPNOTSUPP);
  husk_error_release (&err);
  assert_int_equal (husk_runtime_check_host_at (runc, dir, &err), 0);
  husk_rm_rf (dir, NULL);
}

static void
hybrid_cgroups_without_v2_controllers_are_fine (void **state)
{
  cleanup (husk_runtime_free) struct husk_runtime *crun = husk_runtime_new ("crun", "/x/crun");
  cleanup_free char *empty = fake_cgroup_root ("\n");
  cleanup_free char *v1 = fake_cgroup_root (NULL);

  (void) state;
  assert_int_equal (husk_runtime_check_host_at (crun, empty, NULL), 0);
  assert_int_equal (husk_runtime_check_host_at (crun, v1, NULL), 0);
  assert_int_equal (husk_runtime_check_host_at (crun, "/no/such/dir", NULL), 0);
  husk_rm_rf (empty, NULL);
  husk_rm_rf (v1, NULL);
}

/* cfg's runtime `name` is found at path.  */
static void
set_paths (struct husk_config *cfg, const char *name, const char *path)
{
  for (size_t i = 0; i < cfg->n_runtimes; i++)
    if (strcmp (cfg->runtimes[i].name, name) == 0)
      {
        husk_strv_free (cfg->runtimes[i].paths);
        cfg->runtimes[i].paths = husk_xzalloc (2 * sizeof (char *));
        cfg->runtimes[i].paths[0] = husk_xstrdup (path);
      }
}

static void
choice_skips_a_runtime_that_cannot_run_here (void **state)
{
  cleanup (husk_config_free) struct husk_config *cfg = husk_config_new_defaults ();
  cleanup_free char *hybrid = fake_cgroup_root ("hugetlb\n");
  cleanup_free char *fine = fake_cgroup_root ("");
  cleanup_free char *why = NULL;
  husk_error_t err = NULL;
  struct husk_runtime *rt;

  (void) state;
  set_paths (cfg, "crun", "/bin/true");
  set_paths (cfg, "runc", "/bin/false");
  rt = husk_runtime_choose (cfg, fine, &why, &err);
  assert_non_null (rt);
  assert_string_equal (rt->name, "crun");
  assert_string_equal (rt->path, "/bin/true");
  assert_null (why);
  husk_runtime_free (rt);

  rt = husk_runtime_choose (cfg, hybrid, &why, &err);
  assert_non_null (rt);
  assert_string_equal (rt->name, "runc");
  assert_string_equal (rt->path, "/bin/false");
  assert_true (strncmp (why, "crun cannot run on this host: cgroups are in hybrid mode", 56) == 0);
  husk_runtime_free (rt);
  free (steal_ptr (&why));

  /* Neither installed: say so.  Only crun, and it cannot run: its reason.
     (Runtimes are looked for in $PATH too.)  */
  setenv ("PATH", "/no/such/dir", 1);
  set_paths (cfg, "runc", "/no/such/runc");
  assert_null (husk_runtime_choose (cfg, hybrid, &why, &err));
  assert_int_equal (err->code, EOPNOTSUPP);
  husk_error_release (&err);
  set_paths (cfg, "crun", "/no/such/crun");
  assert_null (husk_runtime_choose (cfg, hybrid, &why, &err));
  assert_string_equal (err->msg, "no OCI runtime found: install crun or runc, or name one "
                                 "with --runtime");
  husk_error_release (&err);
  husk_rm_rf (hybrid, NULL);
  husk_rm_rf (fine, NULL);
}

static void
a_named_runtime_is_used_as_named (void **state)
{
  cleanup (husk_config_free) struct husk_config *cfg = husk_config_new_defaults ();
  cleanup_free char *why = NULL;
  struct husk_runtime *rt;

  (void) state;
  set_paths (cfg, "runc", "/bin/false");
  rt = husk_runtime_resolve ("/bin/true", cfg, &why, NULL);
  assert_string_equal (rt->path, "/bin/true");
  husk_runtime_free (rt);
  cfg->runtime = husk_xstrdup ("runc");
  rt = husk_runtime_resolve (NULL, cfg, &why, NULL);
  assert_string_equal (rt->path, "/bin/false");
  assert_null (why);
  husk_runtime_free (rt);
}

static void
error_messages_are_extracted (void **state)
{
  cleanup_free char *json = husk_runtime_error_message (
      "{\"level\":\"warning\",\"msg\":\"w\"}\n"
      "{\"msg\":\"container does not exist\",\"level\":\"error\",\"time\":\"t\"}\n");
  cleanup_free char *logrus = husk_runtime_error_message (
      "time=\"t\" level=warning msg=\"cannot toggle freezer\"\n"
      "time=\"t\" level=error msg=\"runc run failed: \\\"x\\\" bad\"\n");
  cleanup_free char *plain = husk_runtime_error_message ("first\nsomething broke\n\n");
  cleanup_free char *none = husk_runtime_error_message ("");

  (void) state;
  assert_string_equal (json, "container does not exist");
  assert_string_equal (logrus, "runc run failed: \"x\" bad");
  assert_string_equal (plain, "something broke");
  assert_string_equal (none, "");
}

/* A fake runtime: /bin/sh running a script given in argv.  */
static int
run_fake (const char *name, const char *script, char **out, husk_error_t *err)
{
  cleanup (husk_runtime_free) struct husk_runtime *rt = husk_runtime_new (name, "/bin/sh");
  char *argv[] = { "/bin/sh", "-c", (char *) script, NULL };

  return husk_runtime_run (rt, argv, out, err);
}

static void
run_captures_output (void **state)
{
  cleanup_free char *out = NULL;

  (void) state;
  assert_int_equal (run_fake ("crun", "echo '{\"status\":\"created\"}'; echo noise >&2", &out,
                              NULL), 0);
  assert_string_equal (out, "{\"status\":\"created\"}\n");
}

static void
run_failure_carries_the_runtimes_message (void **state)
{
  husk_error_t err = NULL;

  (void) state;
  assert_int_equal (run_fake ("crun", "echo '{\"level\":\"error\",\"msg\":\"boom\"}' >&2; exit 1",
                              NULL, &err), -1);
  assert_string_equal (err->msg, "crun: boom");
  assert_int_equal (err->code, EIO);
  husk_error_release (&err);
  assert_int_equal (run_fake ("runc", "echo '{\"level\":\"error\",\"msg\":\"container does not "
                                      "exist\"}' >&2; exit 1", NULL, &err), -1);
  assert_int_equal (err->code, ENOENT);
  husk_error_release (&err);
  assert_int_equal (run_fake ("runc", "exit 3", NULL, &err), -1);
  assert_string_equal (err->msg, "runc: exited with status 3");
  husk_error_release (&err);
}

static void
raw_hybrid_message_is_translated (void **state)
{
  husk_error_t err = NULL;

  (void) state;
  assert_int_equal (run_fake ("crun", "echo '{\"level\":\"error\",\"msg\":\"cgroups in hybrid "
                                      "mode not supported, drop all controllers from "
                                      "cgroupv2\"}' >&2; exit 1", NULL, &err), -1);
  assert_int_equal (err->code, EOPNOTSUPP);
  assert_true (husk_has_prefix (err->msg, "crun cannot run on this host: cgroups are in "
                                          "hybrid mode"));
  assert_non_null (strstr (err->msg, "or use --runtime runc"));
  assert_null (strstr (err->msg, "drop all controllers"));
  husk_error_release (&err);
}

static void
large_output_is_read_without_deadlock (void **state)
{
  cleanup_free char *out = NULL;

  (void) state;
  /* Both pipes well beyond their buffer size at once.  */
  assert_int_equal (run_fake ("oci", "i=0; while [ $i -lt 2000 ]; do echo "
                                     "0123456789012345678901234567890123456789; echo "
                                     "errerrerrerrerrerrerrerrerrerrerr >&2; i=$((i+1)); done",
                              &out, NULL), 0);
  assert_int_equal (strlen (out), 2000 * 41);
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (create_argv_has_root_bundle_and_pid_file),
    cmocka_unit_test (verb_argvs_follow_the_oci_cli),
    cmocka_unit_test (unknown_runtime_family_gets_no_extra_flags),
    cmocka_unit_test (a_log_file_is_asked_for_as_json_and_plain_asks_for_nothing),
    cmocka_unit_test (a_runtime_opened_by_path_uses_the_one_runtime_root),
    cmocka_unit_test (exit_codes_follow_podman),
    cmocka_unit_test (state_output_parses),
    cmocka_unit_test (missing_runtime_says_how_to_fix_it),
    cmocka_unit_test (runtime_by_path_is_named_by_its_file),
    cmocka_unit_test (configured_runtime_paths_are_used),
    cmocka_unit_test (hybrid_cgroups_with_v2_controllers_stop_crun),
    cmocka_unit_test (hybrid_cgroups_without_v2_controllers_are_fine),
    cmocka_unit_test (choice_skips_a_runtime_that_cannot_run_here),
    cmocka_unit_test (a_named_runtime_is_used_as_named),
    cmocka_unit_test (error_messages_are_extracted),
    cmocka_unit_test (run_captures_output),
    cmocka_unit_test (run_failure_carries_the_runtimes_message),
    cmocka_unit_test (raw_hybrid_message_is_translated),
    cmocka_unit_test (large_output_is_read_without_deadlock),
  };

  return cmocka_run_group_tests (tests, NULL, NULL);
}
