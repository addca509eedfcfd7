/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests of runtime/seccomp-bpf.c's cache: a profile is compiled once,
   and any change to it is a new program, never a stale one.  */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "runtime/seccomp.h"
#include "util/cleanup.h"
#include "util/fileutil.h"
#include "util/strutil.h"

#include <dirent.h>
#include <jansson.h>
#include <string.h>

#define BPF "run.oci.seccomp_bpf_data"

static json_t *
spec_with (const char *syscall, json_t *errno_ret)
{
  return json_pack ("{s:{s:{s:s, s:[s], s:[{s:[s], s:s, s:o}]}}}", "linux", "seccomp",
                    "defaultAction", "SCMP_ACT_ALLOW", "architectures", "SCMP_ARCH_X86_64",
                    "syscalls", "names", syscall, "action", "SCMP_ACT_ERRNO", "errnoRet",
                    errno_ret);
}

static int
files_in (const char *dir)
{
  DIR *d = opendir (dir);
  struct dirent *de;
  int n = 0;

  if (d == NULL)
    return 0;
  while ((de = readdir (d)) != NULL)
    n += de->d_name[0] != '.';
  closedir (d);
  return n;
}

/* The program crun is handed for spec (base64), as a new string.  */
static char *
program (json_t *spec, const char *cache)
{
  husk_seccomp_precompile (spec, cache);
  return husk_xstrdup (json_string_value (json_object_get (json_object_get (spec, "annotations"),
                                                           BPF)));
}

static void
same_profile_hits_the_cache_and_changes_miss_it (void **state)
{
  cleanup_free char *tmp = husk_mkdtemp_in ("/tmp", "husk-test-seccomp-", NULL);
  cleanup_free char *cache = husk_asprintf ("%s/cache", tmp);
  cleanup_json json_t *a = spec_with ("mkdir", json_integer (1));
  cleanup_json json_t *a2 = spec_with ("mkdir", json_integer (1));
  cleanup_json json_t *b = spec_with ("rmdir", json_integer (1));
  cleanup_json json_t *c = spec_with ("mkdir", json_integer (13));
  cleanup_free char *pa = NULL, *pa2 = NULL, *pb = NULL, *pc = NULL;

  (void) state;
  pa = program (a, cache);
  assert_non_null (pa);
  assert_int_equal (files_in (cache), 1);
  pa2 = program (a2, cache); /* from the cache */
  assert_string_equal (pa, pa2);
  assert_int_equal (files_in (cache), 1);
  pb = program (b, cache);
  assert_int_equal (files_in (cache), 2);
  assert_string_not_equal (pa, pb);
  pc = program (c, cache);
  assert_int_equal (files_in (cache), 3);
  assert_string_not_equal (pa, pc);
  husk_rm_rf (tmp, NULL);
}

static void
a_spec_that_has_a_program_is_left_alone (void **state)
{
  cleanup_free char *tmp = husk_mkdtemp_in ("/tmp", "husk-test-seccomp-", NULL);
  cleanup_json json_t *a = spec_with ("mkdir", json_integer (1));

  (void) state;
  json_object_set_new (a, "annotations", json_pack ("{s:s}", BPF, "given"));
  husk_seccomp_precompile (a, tmp);
  assert_string_equal (json_string_value (json_object_get (json_object_get (a, "annotations"),
                                                           BPF)), "given");
  assert_int_equal (files_in (tmp), 0);
  husk_rm_rf (tmp, NULL);
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (same_profile_hits_the_cache_and_changes_miss_it),
    cmocka_unit_test (a_spec_that_has_a_program_is_left_alone),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
