/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests of runtime/: the OCI spec generator, users and groups, the
   default seccomp profile; and, as root with crun or runc installed, real
   containers run from a generated spec.  */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "runtime/runtime.h"
#include "runtime/seccomp.h"
#include "runtime/spec.h"
#include "runtime/user.h"
#include "util/cleanup.h"
#include "util/fileutil.h"
#include "util/strutil.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#define ID "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

static const char passwd[] = "root:x:0:0:root:/root:/bin/sh\n"
                             "nobody:x:65534:65534:nobody:/nonexistent:/bin/false\n"
                             "tester:x:1000:1000::/home/tester:/bin/sh\n";
static const char group[] = "root:x:0:\naudio:x:29:tester\ntester:x:1000:\nnobody:x:65534:\n";

static char *rootfs;

static void
write_file (const char *dir, const char *name, const char *data)
{
  cleanup_free char *p = husk_asprintf ("%s/%s", dir, name);

  assert_int_equal (husk_write_file_atomic (p, data, strlen (data), 0644, NULL), 0);
}

static int
setup_rootfs (void **state)
{
  cleanup_free char *etc = NULL;

  (void) state;
  rootfs = husk_mkdtemp_in ("/tmp", "husk-test-spec-", NULL);
  assert_non_null (rootfs);
  etc = husk_asprintf ("%s/etc", rootfs);
  assert_int_equal (mkdir (etc, 0755), 0);
  write_file (etc, "passwd", passwd);
  write_file (etc, "group", group);
  return 0;
}

static int
teardown_rootfs (void **state)
{
  (void) state;
  husk_rm_rf (rootfs, NULL);
  free (rootfs);
  rootfs = NULL;
  return 0;
}

/* Generate from a ccfg in JSON text.  */
static json_t *
gen_full (const char *ccfg_text, const struct husk_spec_paths *p, husk_error_t *err)
{
  cleanup_json json_t *ccfg = json_loads (ccfg_text, 0, NULL);

  assert_non_null (ccfg);
  return husk_spec_generate (ccfg, p, err);
}

static json_t *
gen (const char *ccfg_text)
{
  struct husk_spec_paths p = { .rootfs = rootfs };
  husk_error_t err = NULL;
  json_t *spec = gen_full (ccfg_text, &p, &err);

  if (spec == NULL)
    fail_msg ("%s", err->msg);
  return spec;
}

/* The error message of a generation that must fail.  */
static char *
gen_error (const char *ccfg_text, int *code)
{
  struct husk_spec_paths p = { .rootfs = rootfs };
  husk_error_t err = NULL;
  json_t *spec = gen_full (ccfg_text, &p, &err);
  char *msg;

  assert_null (spec);
  assert_non_null (err);
  msg = husk_xstrdup (err->msg);
  if (code)
    *code = err->code;
  husk_error_release (&err);
  return msg;
}

static json_t *
path (json_t *j, const char *a, const char *b)
{
  json_t *v = json_object_get (j, a);

  return b ? json_object_get (v, b) : v;
}

static bool
strings_have (json_t *arr, const char *s)
{
  size_t i;
  json_t *v;

  json_array_foreach (arr, i, v)
    if (json_is_string (v) && strcmp (json_string_value (v), s) == 0)
      return true;
  return false;
}

static json_t *
find_mount (json_t *spec, const char *dest)
{
  size_t i;
  json_t *m;

  json_array_foreach (json_object_get (spec, "mounts"), i, m)
    if (strcmp (json_string_value (json_object_get (m, "destination")), dest) == 0)
      return m;
  return NULL;
}

static bool
has_namespace (json_t *spec, const char *type)
{
  size_t i;
  json_t *n;

  json_array_foreach (path (spec, "linux", "namespaces"), i, n)
    if (strcmp (json_string_value (json_object_get (n, "type")), type) == 0)
      return true;
  return false;
}

/* Process.  */

static void
minimal_config_gives_oci_basics (void **state)
{
  cleanup_json json_t *s = gen ("{\"id\":\"" ID "\",\"cmd\":[\"sh\"]}");
  json_t *proc = json_object_get (s, "process");
  json_t *env = json_object_get (proc, "env");

  (void) state;
  assert_string_equal (json_string_value (json_object_get (s, "ociVersion")), "1.0.2");
  assert_string_equal (json_string_value (json_array_get (json_object_get (proc, "args"), 0)),
                       "sh");
  assert_string_equal (json_string_value (json_object_get (proc, "cwd")), "/");
  assert_int_equal (json_integer_value (path (proc, "user", "uid")), 0);
  assert_int_equal (json_integer_value (path (proc, "user", "umask")), 022);
  assert_true (strings_have (env, "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:"
                                  "/sbin:/bin"));
  assert_true (strings_have (env, "HOSTNAME=0123456789ab"));
  assert_true (strings_have (env, "HOME=/root"));
  assert_true (strings_have (env, "container=podman"));
  assert_false (strings_have (env, "TERM=xterm"));
  assert_string_equal (json_string_value (json_object_get (s, "hostname")), "0123456789ab");
  assert_string_equal (json_string_value (path (s, "root", "path")), rootfs);
  assert_true (json_is_false (path (s, "root", "readonly")));
  assert_string_equal (json_string_value (path (s, "linux", "cgroupsPath")), "/husk/" ID);
  assert_string_equal (json_string_value (path (s, "annotations", "io.container.manager")),
                       "husk");
}

static void
entrypoint_and_cmd_are_joined (void **state)
{
  cleanup_json json_t *s = gen ("{\"id\":\"" ID "\",\"entrypoint\":[\"/bin/sh\",\"-c\"],"
                                "\"cmd\":[\"echo hi\"]}");
  cleanup_free char *args = json_dumps (path (s, "process", "args"), JSON_COMPACT);

  (void) state;
  assert_string_equal (args, "[\"/bin/sh\",\"-c\",\"echo hi\"]");
}

static void
no_command_is_an_error (void **state)
{
  cleanup_free char *msg = gen_error ("{\"id\":\"" ID "\",\"entrypoint\":[],\"cmd\":null}",
                                      NULL);

  (void) state;
  assert_string_equal (msg, "no command specified");
}

static void
init_runs_first_and_is_bound_read_only (void **state)
{
  cleanup_json json_t *s = gen ("{\"id\":\"" ID "\",\"cmd\":[\"sh\"],\"init\":true,"
                                "\"init_path\":\"/bin/true\"}");
  cleanup_free char *args = json_dumps (path (s, "process", "args"), JSON_COMPACT);
  json_t *m = find_mount (s, HUSK_SPEC_INIT_PATH);

  (void) state;
  assert_string_equal (args, "[\"/run/husk-init\",\"--\",\"sh\"]");
  assert_non_null (m);
  assert_string_equal (json_string_value (json_object_get (m, "source")), "/bin/true");
  assert_true (strings_have (json_object_get (m, "options"), "ro"));
}

static void
tty_sets_terminal_and_term (void **state)
{
  cleanup_json json_t *s = gen ("{\"id\":\"" ID "\",\"cmd\":[\"sh\"],\"tty\":true,"
                                "\"env\":[\"A=b\"]}");

  (void) state;
  assert_true (json_is_true (path (s, "process", "terminal")));
  assert_true (strings_have (path (s, "process", "env"), "TERM=xterm"));
  assert_true (strings_have (path (s, "process", "env"), "A=b"));
}

static void
given_env_is_not_overridden (void **state)
{
  cleanup_json json_t *s = gen ("{\"id\":\"" ID "\",\"cmd\":[\"sh\"],"
                                "\"env\":[\"PATH=/x\",\"HOME=/h\",\"container=other\"]}");
  json_t *env = path (s, "process", "env");

  (void) state;
  assert_true (strings_have (env, "PATH=/x"));
  assert_true (strings_have (env, "HOME=/h"));
  assert_true (strings_have (env, "container=other"));
  assert_false (strings_have (env, "HOME=/root"));
  assert_false (strings_have (env, "container=podman"));
}

static void
relative_workdir_is_an_error (void **state)
{
  cleanup_free char *msg = gen_error ("{\"id\":\"" ID "\",\"cmd\":[\"sh\"],\"workdir\":\"tmp\"}",
                                      NULL);

  (void) state;
  assert_string_equal (msg, "invalid working directory \"tmp\": it must be an absolute path");
}

static void
wrong_type_names_the_key (void **state)
{
  cleanup_free char *msg = gen_error ("{\"id\":\"" ID "\",\"cmd\":[\"sh\"],\"tty\":\"yes\"}",
                                      NULL);

  (void) state;
  assert_string_equal (msg, "invalid container configuration: \"tty\" must be true or false");
}

/* Users.  */

static void
named_user_gets_uid_groups_and_home (void **state)
{
  cleanup_json json_t *s = gen ("{\"id\":\"" ID "\",\"cmd\":[\"sh\"],\"user\":\"tester\","
                                "\"group_add\":[\"audio\",\"77\"]}");
  cleanup_free char *gids = json_dumps (path (path (s, "process", "user"), "additionalGids",
                                              NULL),
                                        JSON_COMPACT);

  (void) state;
  assert_int_equal (json_integer_value (path (path (s, "process", "user"), "uid", NULL)), 1000);
  assert_int_equal (json_integer_value (path (path (s, "process", "user"), "gid", NULL)), 1000);
  assert_string_equal (gids, "[1000,29,77]");
  assert_true (strings_have (path (s, "process", "env"), "HOME=/home/tester"));
}

static void
unknown_user_uses_podman_wording (void **state)
{
  int code;
  cleanup_free char *msg = gen_error ("{\"id\":\"" ID "\",\"cmd\":[\"sh\"],"
                                      "\"user\":\"tester2\"}", &code);

  (void) state;
  assert_string_equal (msg, "unable to find user tester2: no matching entries in passwd file");
  assert_int_equal (code, ENOENT);
}

static void
resolve (const char *spec, char *const *add, struct husk_user *u)
{
  husk_error_t err = NULL;

  if (husk_user_resolve_data (passwd, strlen (passwd), group, strlen (group), spec, add, u,
                              &err) < 0)
    fail_msg ("%s", err->msg);
}

static void
numeric_uid_without_entry_gets_gid_0 (void **state)
{
  struct husk_user u;

  (void) state;
  resolve ("4242", NULL, &u);
  assert_int_equal (u.uid, 4242);
  assert_int_equal (u.gid, 0);
  assert_string_equal (u.home, "/");
  assert_null (u.name);
  assert_int_equal (u.n_gids, 1);
  assert_int_equal (u.gids[0], 0);
  husk_user_release (&u);
}

static void
numeric_uid_with_entry_gets_its_groups (void **state)
{
  struct husk_user u;

  (void) state;
  resolve ("1000", NULL, &u);
  assert_string_equal (u.name, "tester");
  assert_int_equal (u.n_gids, 2);
  assert_int_equal (u.gids[0], 1000);
  assert_int_equal (u.gids[1], 29);
  husk_user_release (&u);
}

static void
explicit_group_drops_membership_groups (void **state)
{
  struct husk_user u;

  (void) state;
  resolve ("tester:audio", NULL, &u);
  assert_int_equal (u.uid, 1000);
  assert_int_equal (u.gid, 29);
  assert_int_equal (u.n_gids, 1);
  assert_int_equal (u.gids[0], 29);
  husk_user_release (&u);
  resolve ("4242:7", NULL, &u);
  assert_int_equal (u.gid, 7);
  husk_user_release (&u);
}

static void
root_without_groups_has_no_additional_gids (void **state)
{
  struct husk_user u;

  (void) state;
  resolve ("", NULL, &u);
  assert_int_equal (u.uid, 0);
  assert_string_equal (u.home, "/root");
  assert_int_equal (u.n_gids, 0);
  husk_user_release (&u);
}

static void
unknown_group_uses_podman_wording (void **state)
{
  struct husk_user u;
  husk_error_t err = NULL;
  char *add[] = { "nogroup", NULL };

  (void) state;
  assert_int_equal (husk_user_resolve_data (passwd, strlen (passwd), group, strlen (group),
                                            "tester", add, &u, &err), -1);
  assert_string_equal (err->msg, "unable to find group nogroup: no matching entries in group file");
  husk_error_release (&err);
  assert_int_equal (husk_user_resolve_data (passwd, strlen (passwd), group, strlen (group),
                                            "tester:", NULL, &u, &err), -1);
  assert_int_equal (err->code, EINVAL);
  husk_error_release (&err);
}

static void
passwd_symlink_cannot_leave_the_root (void **state)
{
  cleanup_free char *outside = husk_mkdtemp_in ("/tmp", "husk-test-out-", NULL);
  cleanup_free char *evil = husk_asprintf ("%s/passwd", outside);
  cleanup_free char *link_target = NULL;
  cleanup_free char *pw = husk_asprintf ("%s/etc/passwd", rootfs);
  cleanup_free char *base = NULL;
  cleanup_free char *msg = NULL;

  (void) state;
  write_file (outside, "passwd", "evil:x:0:0::/:/bin/sh\n");
  /* Relative and absolute escapes: both must resolve inside the root.  */
  base = husk_xstrdup (strrchr (outside, '/') + 1);
  link_target = husk_asprintf ("../../../../../../../tmp/%s/passwd", base);
  assert_int_equal (unlink (pw), 0);
  assert_int_equal (symlink (link_target, pw), 0);
  msg = gen_error ("{\"id\":\"" ID "\",\"cmd\":[\"sh\"],\"user\":\"evil\"}", NULL);
  assert_string_equal (msg, "unable to find user evil: no matching entries in passwd file");
  assert_int_equal (unlink (pw), 0);
  assert_int_equal (symlink (evil, pw), 0);
  free (msg);
  msg = gen_error ("{\"id\":\"" ID "\",\"cmd\":[\"sh\"],\"user\":\"evil\"}", NULL);
  assert_string_equal (msg, "unable to find user evil: no matching entries in passwd file");
  unlink (pw);
  write_file (rootfs, "etc/passwd", passwd);
  husk_rm_rf (outside, NULL);
}

static void
passwd_fifo_is_refused_without_blocking (void **state)
{
  cleanup_free char *pw = husk_asprintf ("%s/etc/passwd", rootfs);
  cleanup_free char *msg = NULL;

  (void) state;
  assert_int_equal (unlink (pw), 0);
  assert_int_equal (mkfifo (pw, 0644), 0);
  msg = gen_error ("{\"id\":\"" ID "\",\"cmd\":[\"sh\"],\"user\":\"tester\"}", NULL);
  assert_string_equal (msg, "'/etc/passwd' is not a regular file");
  unlink (pw);
  write_file (rootfs, "etc/passwd", passwd);
}

static void
oversized_passwd_is_refused (void **state)
{
  cleanup_free char *big = husk_xmalloc (HUSK_USER_FILE_MAX + 2);
  cleanup_free char *msg = NULL;

  (void) state;
  memset (big, '#', HUSK_USER_FILE_MAX + 1);
  big[HUSK_USER_FILE_MAX + 1] = '\0';
  write_file (rootfs, "etc/passwd", big);
  msg = gen_error ("{\"id\":\"" ID "\",\"cmd\":[\"sh\"],\"user\":\"tester\"}", NULL);
  assert_non_null (strstr (msg, "is larger than"));
  write_file (rootfs, "etc/passwd", passwd);
}

/* Capabilities.  */

static uint64_t
mask_of (json_t *arr)
{
  uint64_t m = 0;
  size_t i;
  json_t *v;

  json_array_foreach (arr, i, v)
    m |= (uint64_t) 1 << husk_spec_parse_capability (json_string_value (v));
  return m;
}

static void
root_gets_podmans_default_capabilities (void **state)
{
  cleanup_json json_t *s = gen ("{\"id\":\"" ID "\",\"cmd\":[\"sh\"]}");
  json_t *caps = path (s, "process", "capabilities");

  (void) state;
  assert_int_equal (mask_of (json_object_get (caps, "bounding")), 0x800405fb);
  assert_int_equal (mask_of (json_object_get (caps, "effective")), 0x800405fb);
  assert_int_equal (mask_of (json_object_get (caps, "permitted")), 0x800405fb);
  assert_int_equal (json_array_size (json_object_get (caps, "inheritable")), 0);
  assert_int_equal (json_array_size (json_object_get (caps, "ambient")), 0);
}

static void
cap_add_and_drop_apply (void **state)
{
  cleanup_json json_t *s = gen ("{\"id\":\"" ID "\",\"cmd\":[\"sh\"],"
                                "\"cap_add\":[\"net_admin\"],\"cap_drop\":[\"CAP_CHOWN\"]}");
  cleanup_json json_t *t = gen ("{\"id\":\"" ID "\",\"cmd\":[\"sh\"],"
                                "\"cap_add\":[\"NET_RAW\"],\"cap_drop\":[\"ALL\"]}");
  uint64_t b = mask_of (path (path (s, "process", "capabilities"), "bounding", NULL));

  (void) state;
  assert_true (b & (1u << 12));   /* NET_ADMIN */
  assert_false (b & (1u << 0));   /* CHOWN */
  assert_int_equal (mask_of (path (path (t, "process", "capabilities"), "bounding", NULL)),
                    1u << 13);
}

static void
non_root_gets_only_added_capabilities (void **state)
{
  cleanup_json json_t *s = gen ("{\"id\":\"" ID "\",\"cmd\":[\"sh\"],\"user\":\"tester\","
                                "\"cap_add\":[\"NET_ADMIN\"]}");
  json_t *caps = path (s, "process", "capabilities");

  (void) state;
  assert_int_equal (mask_of (json_object_get (caps, "bounding")), 0x800415fb);
  assert_int_equal (mask_of (json_object_get (caps, "effective")), 1u << 12);
  assert_int_equal (mask_of (json_object_get (caps, "ambient")), 1u << 12);
  assert_int_equal (mask_of (json_object_get (caps, "inheritable")), 1u << 12);
}

static void
unknown_capability_is_named (void **state)
{
  cleanup_free char *msg = gen_error ("{\"id\":\"" ID "\",\"cmd\":[\"sh\"],"
                                      "\"cap_add\":[\"CAP_FOO\"]}", NULL);

  (void) state;
  assert_string_equal (msg, "unknown capability \"CAP_FOO\"");
}

static void
privileged_gets_all_available_and_no_confinement (void **state)
{
  cleanup_json json_t *s = gen ("{\"id\":\"" ID "\",\"cmd\":[\"sh\"],\"privileged\":true}");
  json_t *lx = json_object_get (s, "linux");

  (void) state;
  assert_int_equal (mask_of (path (path (s, "process", "capabilities"), "bounding", NULL)),
                    husk_spec_cap_available ());
  assert_null (json_object_get (lx, "seccomp"));
  assert_int_equal (json_array_size (json_object_get (lx, "maskedPaths")), 0);
  assert_int_equal (json_array_size (json_object_get (lx, "readonlyPaths")), 0);
  assert_true (strings_have (json_object_get (find_mount (s, "/sys"), "options"), "rw"));
}

/* Rlimits.  */

static struct husk_spec_host_limits
limited_host (bool can_raise)
{
  struct husk_spec_host_limits h;

  memset (&h, 0xff, sizeof h.hard);
  h.can_raise = can_raise;
  for (int i = 0; i < 16; i++)
    h.hard[i] = UINT64_MAX;
  h.hard[RLIMIT_NOFILE] = 20000;
  h.hard[RLIMIT_NPROC] = 96365;
  h.nr_open = 1048576;
  return h;
}

static json_t *
rlimits (const char *ulimits_text, bool clamp, bool can_raise, husk_error_t *err)
{
  cleanup_json json_t *u = json_loads (ulimits_text, 0, NULL);
  struct husk_spec_host_limits h = limited_host (can_raise);

  return husk_spec_rlimits (u, clamp, &h, err);
}

static void
default_rlimits_are_clamped_to_hard_limits (void **state)
{
  cleanup_json json_t *r = rlimits ("[]", true, false, NULL);
  cleanup_free char *s = json_dumps (r, JSON_COMPACT);

  (void) state;
  assert_string_equal (s, "[{\"type\":\"RLIMIT_NOFILE\",\"hard\":20000,\"soft\":20000},"
                          "{\"type\":\"RLIMIT_NPROC\",\"hard\":96365,\"soft\":96365}]");
}

static void
default_rlimits_stay_when_limits_can_be_raised (void **state)
{
  cleanup_json json_t *r = rlimits ("[]", true, true, NULL);
  cleanup_free char *s = json_dumps (r, JSON_COMPACT);

  (void) state;
  assert_string_equal (s, "[{\"type\":\"RLIMIT_NOFILE\",\"hard\":1048576,\"soft\":1048576},"
                          "{\"type\":\"RLIMIT_NPROC\",\"hard\":4194304,\"soft\":4194304}]");
}

static void
ulimit_entries_parse (void **state)
{
  cleanup_json json_t *r = rlimits ("[\"nofile=1024:2048\",\"core=-1\",\"nproc=100\"]", true,
                                    false, NULL);
  cleanup_free char *s = json_dumps (r, JSON_COMPACT);

  (void) state;
  assert_string_equal (s, "[{\"type\":\"RLIMIT_NOFILE\",\"hard\":2048,\"soft\":1024},"
                          "{\"type\":\"RLIMIT_CORE\",\"hard\":-1,\"soft\":-1},"
                          "{\"type\":\"RLIMIT_NPROC\",\"hard\":100,\"soft\":100}]");
}

static void
ulimit_above_unraisable_hard_limit_is_named (void **state)
{
  husk_error_t err = NULL;

  (void) state;
  assert_null (rlimits ("[\"nofile=30000\"]", true, false, &err));
  assert_string_equal (err->msg, "invalid ulimit \"nofile=30000\": above the current hard "
                                 "limit 20000, which cannot be raised without CAP_SYS_RESOURCE");
  husk_error_release (&err);
  /* Not clamping: passed through for the runtime to judge.  */
  json_decref (rlimits ("[\"nofile=30000\"]", false, false, &err));
  assert_null (err);
}

static void
invalid_ulimits_are_named (void **state)
{
  static const char *const bad[][2] = {
    { "[\"nofile=abc\"]", "invalid ulimit \"nofile=abc\"" },
    { "[\"nofile\"]", "invalid ulimit \"nofile\": expected NAME=SOFT[:HARD]" },
    { "[\"bogus=1\"]", "invalid ulimit \"bogus=1\": unknown limit name" },
    { "[\"nofile=10:5\"]", "invalid ulimit \"nofile=10:5\": soft limit is above the hard limit" },
    { "[\"nofile=-2\"]", "invalid ulimit \"nofile=-2\"" },
    { "[\"nofile=1\",\"nofile=2\"]", "invalid ulimit \"nofile=2\": \"nofile\" given twice" },
  };

  (void) state;
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
    {
      husk_error_t err = NULL;

      assert_null (rlimits (bad[i][0], true, true, &err));
      assert_string_equal (err->msg, bad[i][1]);
      assert_int_equal (err->code, EINVAL);
      husk_error_release (&err);
    }
}

static void
dumps_writes_unlimited_as_uint64_max (void **state)
{
  cleanup_json json_t *s = gen ("{\"id\":\"" ID "\",\"cmd\":[\"sh\"],\"ulimits\":[\"core=-1\"],"
                                "\"env\":[\"X=\\\"husk-rlimits-0-0x1\\\"\"]}");
  cleanup_free char *text = husk_spec_dumps (s);
  cleanup_json json_t *back = json_loads (text, JSON_DECODE_INT_AS_REAL, NULL);
  json_t *rl;

  (void) state;
  assert_non_null (strstr (text, "{\"type\":\"RLIMIT_CORE\",\"hard\":18446744073709551615,"
                                 "\"soft\":18446744073709551615}"));
  assert_non_null (back);
  rl = path (back, "process", "rlimits");
  assert_int_equal (json_array_size (rl), 3);
  assert_true (strings_have (path (back, "process", "env"), "X=\"husk-rlimits-0-0x1\""));
  /* The tree is left as it was.  */
  assert_int_equal (json_integer_value (path (json_array_get (path (s, "process", "rlimits"), 0),
                                              "hard", NULL)), -1);
}

/* Mounts.  */

static size_t
depth (const char *p)
{
  size_t d = 0;

  for (; *p; p++)
    d += *p == '/' && p[1];
  return d;
}

static void
default_mounts_are_present_and_sorted (void **state)
{
  struct husk_spec_paths p = { .rootfs = rootfs, .hosts = "/etc/hosts",
                               .containerenv = "/etc/hostname" };
  cleanup_json json_t *s = gen_full ("{\"id\":\"" ID "\",\"cmd\":[\"sh\"]}", &p, NULL);
  static const char *const dests[] = { "/proc", "/dev", "/dev/pts", "/dev/shm", "/dev/mqueue",
                                       "/sys", "/sys/fs/cgroup", "/etc/hosts",
                                       "/run/.containerenv" };
  size_t i, last = 0;
  json_t *m;

  (void) state;
  assert_non_null (s);
  for (i = 0; i < sizeof dests / sizeof dests[0]; i++)
    assert_non_null (find_mount (s, dests[i]));
  assert_null (find_mount (s, "/etc/resolv.conf"));
  assert_true (strings_have (json_object_get (find_mount (s, "/run/.containerenv"), "options"),
                             "ro"));
  assert_false (strings_have (json_object_get (find_mount (s, "/etc/hosts"), "options"), "ro"));
  assert_true (strings_have (json_object_get (find_mount (s, "/dev/shm"), "options"),
                             "size=65536k"));
  json_array_foreach (json_object_get (s, "mounts"), i, m)
    {
      size_t d = depth (json_string_value (json_object_get (m, "destination")));

      assert_true (d >= last);
      last = d;
    }
}

static void
user_mounts_get_defaults_and_replace_builtins (void **state)
{
  cleanup_json json_t *s = gen ("{\"id\":\"" ID "\",\"cmd\":[\"sh\"],\"mounts\":["
                                "{\"type\":\"bind\",\"source\":\"/tmp\",\"destination\":\"/a/b/\","
                                "\"options\":[\"ro\",\"z\"]},"
                                "{\"type\":\"tmpfs\",\"destination\":\"/dev/shm\","
                                "\"options\":[\"size=1m\"]},"
                                "{\"type\":\"volume\",\"source\":\"/tmp\",\"name\":\"v\","
                                "\"destination\":\"/a\"}]}");
  json_t *b = find_mount (s, "/a/b"), *t = find_mount (s, "/dev/shm");
  cleanup_free char *bo = json_dumps (json_object_get (b, "options"), JSON_COMPACT);
  cleanup_free char *to = json_dumps (json_object_get (t, "options"), JSON_COMPACT);
  size_t i, ia = 0, ib = 0, n = 0;
  json_t *m;

  (void) state;
  assert_string_equal (bo, "[\"ro\",\"rbind\",\"rprivate\"]");
  assert_string_equal (json_string_value (json_object_get (b, "type")), "bind");
  assert_string_equal (to, "[\"size=1m\",\"nosuid\",\"nodev\",\"tmpcopyup\",\"rprivate\"]");
  json_array_foreach (json_object_get (s, "mounts"), i, m)
    {
      const char *d = json_string_value (json_object_get (m, "destination"));

      if (strcmp (d, "/a") == 0)
        ia = i;
      if (strcmp (d, "/a/b") == 0)
        ib = i;
      n += strcmp (d, "/dev/shm") == 0;
    }
  assert_true (ia < ib);
  assert_int_equal (n, 1);
}

static void
invalid_mounts_are_refused (void **state)
{
  static const char *const bad[][2] = {
    { "{\"type\":\"bind\",\"source\":\"/tmp\",\"destination\":\"rel\"}",
      "invalid mount destination \"rel\": must be an absolute path" },
    { "{\"type\":\"bind\",\"source\":\"/tmp\",\"destination\":\"/x/..\"}",
      "invalid mount destination \"/x/..\": cannot mount over /" },
    { "{\"type\":\"bind\",\"source\":\"/tmp\",\"destination\":\"/x\",\"options\":[\"size=1\"]}",
      "invalid mount option \"size=1\" for '/x'" },
    { "{\"type\":\"bind\",\"source\":\"/no/such/dir\",\"destination\":\"/x\"}",
      "bind source '/no/such/dir': No such file or directory" },
    { "{\"type\":\"nfs\",\"destination\":\"/x\"}",
      "invalid mount type \"nfs\": expected bind, volume, tmpfs, image or devpts" },
    { "{\"type\":\"image\",\"source\":\"abc\",\"destination\":\"/x\"}",
      "invalid image source \"abc\" for '/x': must be an absolute path" },
    { "{\"type\":\"tmpfs\",\"destination\":\"/x\",\"options\":[\"size=abc\"]}",
      "invalid mount option \"size=abc\" for '/x'" },
  };

  (void) state;
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
    {
      cleanup_free char *cfg = husk_asprintf ("{\"id\":\"" ID "\",\"cmd\":[\"sh\"],"
                                              "\"mounts\":[%s]}", bad[i][0]);
      cleanup_free char *msg = gen_error (cfg, NULL);

      assert_string_equal (msg, bad[i][1]);
    }
}

static void
read_only_adds_tmpfs_and_read_only_binds (void **state)
{
  struct husk_spec_paths p = { .rootfs = rootfs, .hosts = "/etc/hosts" };
  cleanup_json json_t *s = gen_full ("{\"id\":\"" ID "\",\"cmd\":[\"sh\"],\"read_only\":true}",
                                     &p, NULL);
  cleanup_json json_t *t = gen ("{\"id\":\"" ID "\",\"cmd\":[\"sh\"],\"read_only\":true,"
                                "\"read_only_tmpfs\":false}");

  (void) state;
  assert_true (json_is_true (path (s, "root", "readonly")));
  assert_true (strings_have (json_object_get (find_mount (s, "/tmp"), "options"), "mode=1777"));
  assert_non_null (find_mount (s, "/var/tmp"));
  assert_non_null (find_mount (s, "/run"));
  assert_true (strings_have (json_object_get (find_mount (s, "/etc/hosts"), "options"), "ro"));
  assert_null (find_mount (t, "/tmp"));
}

static void
tz_binds_a_zone_and_refuses_escapes (void **state)
{
  cleanup_free char *msg = NULL;

  (void) state;
  if (husk_path_exists ("/usr/share/zoneinfo/Europe/Paris"))
    {
      cleanup_json json_t *s = gen ("{\"id\":\"" ID "\",\"cmd\":[\"sh\"],"
                                    "\"tz\":\"Europe/Paris\"}");
      json_t *m = find_mount (s, "/etc/localtime");

      assert_non_null (m);
      assert_string_equal (json_string_value (json_object_get (m, "source")),
                           "/usr/share/zoneinfo/Europe/Paris");
    }
  msg = gen_error ("{\"id\":\"" ID "\",\"cmd\":[\"sh\"],\"tz\":\"../../etc/shadow\"}", NULL);
  assert_string_equal (msg, "invalid timezone \"../../etc/shadow\"");
}

/* Linux.  */

static void
namespaces_follow_the_configuration (void **state)
{
  cleanup_json json_t *s = gen ("{\"id\":\"" ID "\",\"cmd\":[\"sh\"]}");
  cleanup_json json_t *h = gen ("{\"id\":\"" ID "\",\"cmd\":[\"sh\"],\"namespaces\":{"
                                "\"network\":\"host\",\"uts\":\"host\","
                                "\"pid\":\"ns:/proc/self/ns/pid\"}}");
  cleanup_free char *msg = gen_error ("{\"id\":\"" ID "\",\"cmd\":[\"sh\"],\"namespaces\":{"
                                      "\"ipc\":\"container:abc\"}}", NULL);
  size_t i;
  json_t *n;

  (void) state;
  for (const char *const *t = (const char *const[]){ "pid", "network", "ipc", "uts", "mount",
                                                      NULL };
       *t; t++)
    assert_true (has_namespace (s, *t));
  assert_false (has_namespace (h, "network"));
  assert_false (has_namespace (h, "uts"));
  assert_null (json_object_get (h, "hostname"));
  json_array_foreach (path (h, "linux", "namespaces"), i, n)
    if (strcmp (json_string_value (json_object_get (n, "type")), "pid") == 0)
      assert_string_equal (json_string_value (json_object_get (n, "path")),
                           "/proc/self/ns/pid");
  assert_non_null (strstr (msg, "must resolve a container's namespace"));
}

static void
sysctls_must_be_namespaced (void **state)
{
  cleanup_json json_t *s = gen ("{\"id\":\"" ID "\",\"cmd\":[\"sh\"],\"sysctls\":{"
                                "\"net.ipv4.ip_forward\":\"1\",\"kernel.shmmax\":\"1\","
                                "\"fs.mqueue.msg_max\":\"20\"}}");
  cleanup_free char *a = gen_error ("{\"id\":\"" ID "\",\"cmd\":[\"sh\"],\"sysctls\":{"
                                    "\"kernel.panic\":\"1\"}}", NULL);
  cleanup_free char *b = gen_error ("{\"id\":\"" ID "\",\"cmd\":[\"sh\"],\"namespaces\":{"
                                    "\"network\":\"host\"},\"sysctls\":{"
                                    "\"net.ipv4.ip_forward\":\"1\"}}", NULL);

  (void) state;
  assert_int_equal (json_object_size (path (s, "linux", "sysctl")), 3);
  assert_string_equal (a, "invalid sysctl \"kernel.panic\": not a namespaced kernel parameter");
  assert_string_equal (b, "invalid sysctl \"net.ipv4.ip_forward\": the container shares the "
                          "host's network namespace");
}

static void
resources_translate_to_cgroup_values (void **state)
{
  cleanup_json json_t *s = gen ("{\"id\":\"" ID "\",\"cmd\":[\"sh\"],\"resources\":{"
                                "\"memory\":104857600,\"cpus\":0.5,\"cpu_shares\":512,"
                                "\"cpuset_cpus\":\"0\",\"pids_limit\":100}}");
  cleanup_json json_t *d = gen ("{\"id\":\"" ID "\",\"cmd\":[\"sh\"]}");
  json_t *r = path (s, "linux", "resources");

  (void) state;
  assert_int_equal (json_integer_value (path (path (r, "memory", NULL), "limit", NULL)),
                    104857600);
  assert_int_equal (json_integer_value (path (path (r, "cpu", NULL), "quota", NULL)), 50000);
  assert_int_equal (json_integer_value (path (path (r, "cpu", NULL), "period", NULL)), 100000);
  assert_int_equal (json_integer_value (path (path (r, "cpu", NULL), "shares", NULL)), 512);
  assert_string_equal (json_string_value (path (path (r, "cpu", NULL), "cpus", NULL)), "0");
  assert_int_equal (json_integer_value (path (path (r, "pids", NULL), "limit", NULL)), 100);
  assert_int_equal (json_integer_value (path (path (path (d, "linux", "resources"), "pids",
                                                    NULL), "limit", NULL)), 2048);
}

static void
invalid_resources_are_named (void **state)
{
  cleanup_free char *a = gen_error ("{\"id\":\"" ID "\",\"cmd\":[\"sh\"],\"resources\":{"
                                    "\"cpus\":100000}}", NULL);
  cleanup_free char *b = gen_error ("{\"id\":\"" ID "\",\"cmd\":[\"sh\"],\"resources\":{"
                                    "\"cpuset_cpus\":\"0-\"}}", NULL);
  cleanup_free char *c = gen_error ("{\"id\":\"" ID "\",\"cmd\":[\"sh\"],\"resources\":{"
                                    "\"memory_swap\":1000}}", NULL);

  (void) state;
  assert_true (husk_has_prefix (a, "invalid --cpus 100000.00: range of CPUs is from 0.01 to "));
  assert_string_equal (b, "invalid --cpuset-cpus \"0-\"");
  assert_string_equal (c, "--memory-swap requires --memory");
}

static void
device_cgroup_denies_all_then_allows_defaults_and_devices (void **state)
{
  cleanup_json json_t *s = gen ("{\"id\":\"" ID "\",\"cmd\":[\"sh\"],\"devices\":["
                                "{\"path\":\"/dev/null\",\"destination\":\"/dev/mynull\","
                                "\"permissions\":\"rw\"}]}");
  json_t *rules = path (path (s, "linux", "resources"), "devices", NULL);
  json_t *dev = json_array_get (path (s, "linux", "devices"), 0);
  json_t *last = json_array_get (rules, json_array_size (rules) - 1);
  cleanup_free char *msg = gen_error ("{\"id\":\"" ID "\",\"cmd\":[\"sh\"],\"devices\":["
                                      "{\"path\":\"/dev/no-such-device\"}]}", NULL);

  (void) state;
  assert_true (json_is_false (json_object_get (json_array_get (rules, 0), "allow")));
  assert_null (json_object_get (json_array_get (rules, 0), "type"));
  assert_string_equal (json_string_value (json_object_get (dev, "path")), "/dev/mynull");
  assert_string_equal (json_string_value (json_object_get (dev, "type")), "c");
  assert_int_equal (json_integer_value (json_object_get (dev, "major")), 1);
  assert_int_equal (json_integer_value (json_object_get (dev, "minor")), 3);
  assert_string_equal (json_string_value (json_object_get (last, "access")), "rw");
  assert_string_equal (msg, "--device '/dev/no-such-device': No such file or directory");
}

static void
mask_and_unmask_edit_the_lists (void **state)
{
  cleanup_json json_t *s = gen ("{\"id\":\"" ID "\",\"cmd\":[\"sh\"],"
                                "\"mask\":[\"/proc/foo:/proc/bar\"],\"unmask\":[\"/proc/kcore\","
                                "\"/proc/sys\"]}");
  cleanup_json json_t *a = gen ("{\"id\":\"" ID "\",\"cmd\":[\"sh\"],\"unmask\":[\"ALL\"]}");
  cleanup_json json_t *d = gen ("{\"id\":\"" ID "\",\"cmd\":[\"sh\"]}");
  json_t *masked = path (s, "linux", "maskedPaths");

  (void) state;
  assert_true (strings_have (path (d, "linux", "maskedPaths"), "/proc/kcore"));
  assert_true (strings_have (path (d, "linux", "readonlyPaths"), "/proc/sysrq-trigger"));
  assert_true (strings_have (masked, "/proc/foo"));
  assert_true (strings_have (masked, "/proc/bar"));
  assert_false (strings_have (masked, "/proc/kcore"));
  assert_false (strings_have (path (s, "linux", "readonlyPaths"), "/proc/sys"));
  assert_int_equal (json_array_size (path (a, "linux", "maskedPaths")), 0);
  assert_int_equal (json_array_size (path (a, "linux", "readonlyPaths")), 0);
}

/* Seccomp.  */

static json_t *
find_rule (json_t *profile, const char *name, const char *action)
{
  size_t i;
  json_t *r;

  json_array_foreach (json_object_get (profile, "syscalls"), i, r)
    if (strings_have (json_object_get (r, "names"), name)
        && strcmp (json_string_value (json_object_get (r, "action")), action) == 0)
      return r;
  return NULL;
}

static void
default_profile_allows_common_and_denies_dangerous (void **state)
{
  cleanup_json json_t *p = husk_seccomp_default_profile ();
  json_t *enosys;

  (void) state;
  assert_string_equal (json_string_value (json_object_get (p, "defaultAction")),
                       "SCMP_ACT_ERRNO");
  assert_int_equal (json_integer_value (json_object_get (p, "defaultErrnoRet")), 1);
  for (const char *const *n = (const char *const[]){ "read", "openat", "execve", "fork",
                                                      "faccessat2", "fchmodat2", "chroot",
                                                      "clock_adjtime", NULL };
       *n; n++)
    assert_non_null (find_rule (p, *n, "SCMP_ACT_ALLOW"));
  for (const char *const *n = (const char *const[]){ "mount", "umount2", "unshare", "setns",
                                                      "kexec_load", "init_module", "bpf",
                                                      "keyctl", "open_by_handle_at",
                                                      "pivot_root", "reboot", "swapon", NULL };
       *n; n++)
    assert_null (find_rule (p, *n, "SCMP_ACT_ALLOW"));
  enosys = find_rule (p, "clone3", "SCMP_ACT_ERRNO");
  assert_non_null (enosys);
  assert_int_equal (json_integer_value (json_object_get (enosys, "errnoRet")), 38);
  /* clone only without namespace flags.  */
  assert_non_null (json_object_get (find_rule (p, "clone", "SCMP_ACT_ALLOW"), "args"));
}

static void
sys_admin_unlocks_mount_and_namespaces (void **state)
{
  char *caps[] = { "CAP_SYS_ADMIN", "CAP_SYS_TIME", NULL };
  cleanup_json json_t *p = husk_seccomp_profile_for_caps (caps);

  (void) state;
  assert_non_null (find_rule (p, "mount", "SCMP_ACT_ALLOW"));
  assert_non_null (find_rule (p, "unshare", "SCMP_ACT_ALLOW"));
  assert_non_null (find_rule (p, "settimeofday", "SCMP_ACT_ALLOW"));
  assert_null (json_object_get (find_rule (p, "clone", "SCMP_ACT_ALLOW"), "args"));
  assert_null (find_rule (p, "clone3", "SCMP_ACT_ERRNO"));
  assert_null (find_rule (p, "kexec_load", "SCMP_ACT_ALLOW"));
}

static void
docker_profile_is_converted (void **state)
{
  cleanup_free char *file = husk_asprintf ("%s/profile.json", rootfs);
  cleanup_free char *cfg = husk_asprintf ("{\"id\":\"" ID "\",\"cmd\":[\"sh\"],"
                                          "\"seccomp\":\"%s\"}", file);
  cleanup_json json_t *s = NULL;
  json_t *sc, *rules;
  cleanup_free char *bad = NULL;

  (void) state;
  write_file (rootfs, "profile.json",
              "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"archMap\":[{\"architecture\":"
              "\"SCMP_ARCH_X86_64\",\"subArchitectures\":[\"SCMP_ARCH_X86\"]},"
              "{\"architecture\":\"SCMP_ARCH_AARCH64\",\"subArchitectures\":[]}],"
              "\"syscalls\":[{\"names\":[\"read\",\"write\"],\"action\":\"SCMP_ACT_ALLOW\","
              "\"comment\":\"x\"},"
              "{\"name\":\"mount\",\"action\":\"SCMP_ACT_ALLOW\",\"includes\":{\"caps\":"
              "[\"CAP_SYS_ADMIN\"]}},"
              "{\"names\":[\"chown\"],\"action\":\"SCMP_ACT_ALLOW\",\"excludes\":{\"caps\":"
              "[\"CAP_SYS_ADMIN\"]}}]}");
  s = gen (cfg);
  sc = path (s, "linux", "seccomp");
  rules = json_object_get (sc, "syscalls");
  assert_int_equal (json_array_size (rules), 2);
  assert_null (json_object_get (json_array_get (rules, 0), "comment"));
  assert_true (strings_have (json_object_get (json_array_get (rules, 1), "names"), "chown"));
  assert_true (strings_have (json_object_get (sc, "architectures"), "SCMP_ARCH_X86"));
  assert_false (strings_have (json_object_get (sc, "architectures"), "SCMP_ARCH_AARCH64"));
  write_file (rootfs, "profile.json", "{\"syscalls\":[]}");
  bad = gen_error (cfg, NULL);
  assert_true (husk_has_suffix (bad, "missing or invalid \"defaultAction\""));
  unlink (file);
}

static void
unconfined_has_no_seccomp (void **state)
{
  cleanup_json json_t *s = gen ("{\"id\":\"" ID "\",\"cmd\":[\"sh\"],"
                                "\"seccomp\":\"unconfined\"}");

  (void) state;
  assert_null (path (s, "linux", "seccomp"));
}

/* Real containers: root only, with crun or runc installed.  */

static const char *const applets[] = { "sh", "id", "cat", "grep", "hostname", "ls", "unshare",
                                       "mount", NULL };

static char *
make_busybox_bundle (void)
{
  char *b = husk_mkdtemp_in ("/tmp", "husk-test-bundle-", NULL);
  cleanup_free char *bin = husk_asprintf ("%s/rootfs/bin", b);
  cleanup_free char *etc = husk_asprintf ("%s/rootfs/etc", b);
  cleanup_free char *bb = husk_asprintf ("%s/busybox", bin);
  cleanup_free char *data = NULL;
  size_t len;

  assert_non_null (b);
  assert_int_equal (husk_mkdir_p (bin, 0755, NULL), 0);
  assert_int_equal (husk_mkdir_p (etc, 0755, NULL), 0);
  for (const char *const *d = (const char *const[]){ "proc", "sys", "dev", "tmp", "mnt",
                                                      NULL };
       *d; d++)
    {
      cleanup_free char *p = husk_asprintf ("%s/rootfs/%s", b, *d);

      assert_int_equal (mkdir (p, 0755), 0);
    }
  data = husk_read_file ("/bin/busybox", &len, NULL);
  assert_non_null (data);
  assert_int_equal (husk_write_file_atomic (bb, data, len, 0755, NULL), 0);
  for (const char *const *a = applets; *a; a++)
    {
      cleanup_free char *l = husk_asprintf ("%s/%s", bin, *a);

      assert_int_equal (symlink ("busybox", l), 0);
    }
  write_file (etc, "passwd", passwd);
  write_file (etc, "group", group);
  return b;
}

static void
run_container (const char *name)
{
  static const char script[]
      = "id; grep Cap /proc/self/status; ulimit -n; hostname; ls /dev; "
        "unshare -m true 2>/dev/null; echo unshare=$?";
  cleanup (husk_runtime_free) struct husk_runtime *rt = NULL;
  cleanup_free char *bundle = NULL;
  cleanup_free char *rfs = NULL;
  cleanup_free char *cfgpath = NULL;
  cleanup_free char *root = NULL;
  cleanup_free char *out = NULL;
  cleanup_free char *nofile = NULL;
  cleanup_json json_t *ccfg = NULL;
  cleanup_json json_t *spec = NULL;
  cleanup_strv char **argv = NULL;
  struct husk_spec_paths p = { NULL };
  struct husk_spec_host_limits h;
  uint64_t want;
  husk_error_t err = NULL;

  if (geteuid () != 0)
    skip ();
  rt = husk_runtime_find (name, NULL, NULL);
  if (rt == NULL)
    skip ();
  if (husk_runtime_check_host (rt, &err) < 0)
    {
      print_message ("skipping %s: %s\n", name, err->msg);
      husk_error_release (&err);
      skip ();
    }
  bundle = make_busybox_bundle ();
  rfs = husk_asprintf ("%s/rootfs", bundle);
  cfgpath = husk_asprintf ("%s/config.json", bundle);
  root = husk_asprintf ("%s/state", bundle);
  p.rootfs = rfs;
  ccfg = json_pack ("{s:s, s:[s,s,s]}", "id", ID, "cmd", "sh", "-c", script);
  spec = husk_spec_generate (ccfg, &p, &err);
  if (spec == NULL)
    fail_msg ("%s", err->msg);
  assert_int_equal (husk_spec_write (spec, cfgpath, NULL), 0);

  husk_strv_append (&argv, rt->path);
  husk_strv_append (&argv, "--root");
  husk_strv_append (&argv, root);
  husk_strv_append (&argv, "run");
  husk_strv_append (&argv, "--bundle");
  husk_strv_append (&argv, bundle);
  husk_strv_append (&argv, "husk-test-spec-e2e");
  if (husk_runtime_run (rt, argv, &out, &err) < 0)
    fail_msg ("%s", err->msg);

  husk_spec_host_limits (&h);
  want = h.nr_open < 1048576 ? h.nr_open : 1048576;
  if (!h.can_raise && h.hard[RLIMIT_NOFILE] < want)
    want = h.hard[RLIMIT_NOFILE];
  nofile = husk_asprintf ("\n%llu\n", (unsigned long long) want);
  assert_non_null (strstr (out, "uid=0(root) gid=0(root)"));
  assert_non_null (strstr (out, "CapBnd:\t00000000800405fb"));
  assert_non_null (strstr (out, "CapEff:\t00000000800405fb"));
  assert_non_null (strstr (out, nofile));
  assert_non_null (strstr (out, "\n0123456789ab\n"));
  assert_non_null (strstr (out, "\nnull\n"));
  assert_non_null (strstr (out, "\npts\n"));
  assert_non_null (strstr (out, "unshare=1"));
  husk_rm_rf (bundle, NULL);
}

static void
container_runs_under_crun (void **state)
{
  (void) state;
  run_container ("crun");
}

static void
container_runs_under_runc (void **state)
{
  (void) state;
  run_container ("runc");
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (minimal_config_gives_oci_basics),
    cmocka_unit_test (entrypoint_and_cmd_are_joined),
    cmocka_unit_test (no_command_is_an_error),
    cmocka_unit_test (init_runs_first_and_is_bound_read_only),
    cmocka_unit_test (tty_sets_terminal_and_term),
    cmocka_unit_test (given_env_is_not_overridden),
    cmocka_unit_test (relative_workdir_is_an_error),
    cmocka_unit_test (wrong_type_names_the_key),
    cmocka_unit_test (named_user_gets_uid_groups_and_home),
    cmocka_unit_test (unknown_user_uses_podman_wording),
    cmocka_unit_test (numeric_uid_without_entry_gets_gid_0),
    cmocka_unit_test (numeric_uid_with_entry_gets_its_groups),
    cmocka_unit_test (explicit_group_drops_membership_groups),
    cmocka_unit_test (root_without_groups_has_no_additional_gids),
    cmocka_unit_test (unknown_group_uses_podman_wording),
    cmocka_unit_test (passwd_symlink_cannot_leave_the_root),
    cmocka_unit_test (passwd_fifo_is_refused_without_blocking),
    cmocka_unit_test (oversized_passwd_is_refused),
    cmocka_unit_test (root_gets_podmans_default_capabilities),
    cmocka_unit_test (cap_add_and_drop_apply),
    cmocka_unit_test (non_root_gets_only_added_capabilities),
    cmocka_unit_test (unknown_capability_is_named),
    cmocka_unit_test (privileged_gets_all_available_and_no_confinement),
    cmocka_unit_test (default_rlimits_are_clamped_to_hard_limits),
    cmocka_unit_test (default_rlimits_stay_when_limits_can_be_raised),
    cmocka_unit_test (ulimit_entries_parse),
    cmocka_unit_test (ulimit_above_unraisable_hard_limit_is_named),
    cmocka_unit_test (invalid_ulimits_are_named),
    cmocka_unit_test (dumps_writes_unlimited_as_uint64_max),
    cmocka_unit_test (default_mounts_are_present_and_sorted),
    cmocka_unit_test (user_mounts_get_defaults_and_replace_builtins),
    cmocka_unit_test (invalid_mounts_are_refused),
    cmocka_unit_test (read_only_adds_tmpfs_and_read_only_binds),
    cmocka_unit_test (tz_binds_a_zone_and_refuses_escapes),
    cmocka_unit_test (namespaces_follow_the_configuration),
    cmocka_unit_test (sysctls_must_be_namespaced),
    cmocka_unit_test (resources_translate_to_cgroup_values),
    cmocka_unit_test (invalid_resources_are_named),
    cmocka_unit_test (device_cgroup_denies_all_then_allows_defaults_and_devices),
    cmocka_unit_test (mask_and_unmask_edit_the_lists),
    cmocka_unit_test (default_profile_allows_common_and_denies_dangerous),
    cmocka_unit_test (sys_admin_unlocks_mount_and_namespaces),
    cmocka_unit_test (docker_profile_is_converted),
    cmocka_unit_test (unconfined_has_no_seccomp),
    cmocka_unit_test (container_runs_under_crun),
    cmocka_unit_test (container_runs_under_runc),
  };

  return cmocka_run_group_tests (tests, setup_rootfs, teardown_rootfs);
}
