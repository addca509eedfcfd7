/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests of container/passwd.c: the /etc/passwd and /etc/group entries
   added for a --user the image lacks (--passwd, --passwd-entry,
   --group-entry): template checks and substitution, which lines Podman's
   rules add, the copies written to the bundle, and the create-time checks
   in the container configuration.  */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "container/ccfg-build.h"
#include "container/passwd.h"
#include "runtime/user.h"
#include "util/cleanup.h"
#include "util/fileutil.h"
#include "util/strutil.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char passwd[] = "root:x:0:0:root:/root:/bin/sh\n"
                             "nobody:x:65534:65534:nobody:/nonexistent:/bin/false\n"
                             "tester:x:1000:1000::/home/tester:/bin/sh\n";
static const char group[] = "root:x:0:\naudio:x:29:tester\ntester:x:1000:\nnobody:x:65534:\n";

/* The lines husk_passwd_entries() adds for user in workdir, with the
   test files; "" for no line.  */
struct lines
{
  char *pw, *gr;
};

static struct lines
entries_with (const char *user, const char *workdir, const char *ptmpl, const char *gtmpl)
{
  struct husk_passwd_opts o = { user, workdir, ptmpl, gtmpl };
  struct lines l = { NULL, NULL };
  husk_error_t err = NULL;

  if (husk_passwd_entries (passwd, strlen (passwd), group, strlen (group), &o, &l.pw, &l.gr,
                           &err) < 0)
    fail_msg ("%s", err->msg);
  if (l.pw == NULL)
    l.pw = husk_xstrdup ("");
  if (l.gr == NULL)
    l.gr = husk_xstrdup ("");
  return l;
}

static struct lines
entries (const char *user)
{
  return entries_with (user, "/", NULL, NULL);
}

static void
lines_release (struct lines *l)
{
  free (l->pw);
  free (l->gr);
}

/* ---- templates --------------------------------------------------------- */

static void
expand_substitutes_every_variable (void **state)
{
  cleanup_free char *s = husk_passwd_expand ("$USERNAME:x:$UID:$GID:$NAME:$HOME:/bin/sh",
                                             "1234", "5678", "/work");

  (void) state;
  assert_string_equal (s, "1234:x:1234:5678:container user:/work:/bin/sh");
}

static void
expand_keeps_unknown_dollars_and_repeats (void **state)
{
  cleanup_free char *s = husk_passwd_expand ("u$UID$UID:$x:$FOO:$:$GIDS:$HOME$:$",
                                             "7", "8", "/h");

  (void) state;
  assert_string_equal (s, "u77:$x:$FOO:$:8S:/h$:$");
}

static void
expand_never_substitutes_substituted_text (void **state)
{
  /* A home directory that looks like a variable stays as it is.  */
  cleanup_free char *s = husk_passwd_expand ("$USERNAME:x:$UID:$GID:$NAME:$HOME:/bin/sh",
                                             "1", "2", "/$UID/$HOME");

  (void) state;
  assert_string_equal (s, "1:x:1:2:container user:/$UID/$HOME:/bin/sh");
}

static void
expand_group_substitutes_every_variable (void **state)
{
  cleanup_free char *s = husk_passwd_expand_group ("g$GROUPNAME:x:$GID:$USERLIST", "42", "1000");

  (void) state;
  assert_string_equal (s, "g42:x:42:1000");
}

/* The message of a template that must be refused, with EINVAL.  */
static char *
entry_error (const char *tmpl, bool group_entry)
{
  husk_error_t err = NULL;
  char *msg;

  if (group_entry)
    assert_int_equal (husk_passwd_check_group_entry (tmpl, &err), -1);
  else
    assert_int_equal (husk_passwd_check_entry (tmpl, &err), -1);
  assert_int_equal (err->code, EINVAL);
  msg = husk_xstrdup (err->msg);
  husk_error_release (&err);
  return msg;
}

static void
check_entry_accepts_seven_fields (void **state)
{
  (void) state;
  assert_int_equal (husk_passwd_check_entry ("$USERNAME:x:$UID:$GID:$NAME:$HOME:/bin/sh", NULL), 0);
  assert_int_equal (husk_passwd_check_entry ("bob:x:$UID:$GID:::", NULL), 0);
  assert_int_equal (husk_passwd_check_group_entry ("$GROUPNAME:x:$GID:", NULL), 0);
}

static void
check_entry_refuses_a_newline (void **state)
{
  cleanup_free char *m1 = entry_error ("a:x:1:1::/:/bin/sh\nroot2:x:0:0::/:/bin/sh", false);
  cleanup_free char *m2 = entry_error ("a:x:1:1::/:/bin/sh\r", false);
  cleanup_free char *m3 = entry_error ("g:x:1:\nh:x:0:", true);

  (void) state;
  assert_string_equal (m1, "invalid --passwd-entry: it must be a single line, without newlines");
  assert_string_equal (m2, "invalid --passwd-entry: it must be a single line, without newlines");
  assert_string_equal (m3, "invalid --group-entry: it must be a single line, without newlines");
}

static void
check_entry_refuses_a_wrong_field_count (void **state)
{
  cleanup_free char *few = entry_error ("a:b", false);
  cleanup_free char *many = entry_error ("a:x:1:1::/:/bin/sh:extra", false);
  cleanup_free char *gfew = entry_error ("g:x:1", true);

  (void) state;
  assert_string_equal (few, "invalid --passwd-entry \"a:b\": it has 2 colon-separated fields, "
                            "not 7 (name:password:UID:GID:GECOS:home:shell)");
  assert_non_null (strstr (many, "it has 8 colon-separated fields, not 7"));
  assert_string_equal (gfew, "invalid --group-entry \"g:x:1\": it has 3 colon-separated fields, "
                             "not 4 (name:password:GID:users)");
}

static void
check_entry_refuses_an_empty_name (void **state)
{
  cleanup_free char *m = entry_error (":x:$UID:$GID::/:/bin/sh", false);
  cleanup_free char *g = entry_error (":x:$GID:", true);

  (void) state;
  assert_non_null (strstr (m, "the name (the first field) is empty"));
  assert_non_null (strstr (g, "the name (the first field) is empty"));
}

static void
check_entry_refuses_a_huge_template (void **state)
{
  cleanup_free char *big = husk_xmalloc (HUSK_PASSWD_TEMPLATE_MAX + 20);
  cleanup_free char *m = NULL;

  (void) state;
  memset (big, 'a', HUSK_PASSWD_TEMPLATE_MAX + 10);
  memcpy (big, "a:x:1:1::/:", 11);
  big[HUSK_PASSWD_TEMPLATE_MAX + 10] = '\0';
  m = entry_error (big, false);
  assert_non_null (strstr (m, "longer than 4096 bytes"));
}

/* ---- which lines ------------------------------------------------------- */

static void
numeric_user_gets_podmans_default_lines (void **state)
{
  struct lines l = entries ("1234");

  (void) state;
  assert_string_equal (l.pw, "1234:*:1234:0:container user:/:/bin/sh\n");
  /* Podman adds the user part as a group too, although the gid is 0.  */
  assert_string_equal (l.gr, "1234:x:1234:1234\n");
  lines_release (&l);
}

static void
uid_gid_gets_the_gid_and_a_group_listing_the_user (void **state)
{
  struct lines l = entries ("1234:5678");

  (void) state;
  assert_string_equal (l.pw, "1234:*:1234:5678:container user:/:/bin/sh\n");
  assert_string_equal (l.gr, "5678:x:5678:1234\n");
  lines_release (&l);
}

static void
home_is_the_working_directory (void **state)
{
  struct lines l = entries_with ("1234", "/srv/app", NULL, NULL);

  (void) state;
  assert_string_equal (l.pw, "1234:*:1234:0:container user:/srv/app:/bin/sh\n");
  lines_release (&l);
}

static void
group_name_gives_its_gid_and_no_group_line (void **state)
{
  struct lines l = entries ("1234:audio");

  (void) state;
  assert_string_equal (l.pw, "1234:*:1234:29:container user:/:/bin/sh\n");
  assert_string_equal (l.gr, "");
  lines_release (&l);
}

static void
existing_user_gets_no_passwd_line (void **state)
{
  struct lines byname = entries ("tester"), bynum = entries ("1000"), root = entries ("0");
  struct lines withgid = entries ("tester:5678"), numgid = entries ("1000:5678");

  (void) state;
  assert_string_equal (byname.pw, "");
  assert_string_equal (byname.gr, ""); /* a name: never added */
  assert_string_equal (bynum.pw, "");
  assert_string_equal (bynum.gr, ""); /* group 1000 exists */
  assert_string_equal (root.pw, "");
  assert_string_equal (root.gr, "");
  assert_string_equal (withgid.pw, "");
  assert_string_equal (withgid.gr, "5678:x:5678:tester\n");
  assert_string_equal (numgid.gr, "5678:x:5678:1000\n");
  lines_release (&byname);
  lines_release (&bynum);
  lines_release (&root);
  lines_release (&withgid);
  lines_release (&numgid);
}

static void
no_user_gets_nothing (void **state)
{
  struct lines l = entries ("");

  (void) state;
  assert_string_equal (l.pw, "");
  assert_string_equal (l.gr, "");
  lines_release (&l);
}

static void
templates_replace_the_default_lines (void **state)
{
  struct lines l = entries_with ("1234:5678", "/tmp", "$USERNAME:x:$UID:$GID:$NAME:/home/$USERNAME:/bin/false",
                                 "grp$GID:x:$GID:$USERLIST");

  (void) state;
  assert_string_equal (l.pw, "1234:x:1234:5678:container user:/home/1234:/bin/false\n");
  assert_string_equal (l.gr, "grp5678:x:5678:1234\n");
  lines_release (&l);
}

static void
image_without_files_gets_both_lines (void **state)
{
  struct husk_passwd_opts o = { "0", "/", NULL, NULL };
  cleanup_free char *pw = NULL, *gr = NULL;

  (void) state;
  assert_int_equal (husk_passwd_entries (NULL, 0, NULL, 0, &o, &pw, &gr, NULL), 0);
  assert_string_equal (pw, "0:*:0:0:container user:/:/bin/sh\n");
  assert_string_equal (gr, "0:x:0:0\n");
}

static void
unknown_group_name_is_podmans_error (void **state)
{
  struct husk_passwd_opts o = { "1234:nosuch", "/", NULL, NULL };
  char *pw = NULL, *gr = NULL;
  husk_error_t err = NULL;

  (void) state;
  assert_int_equal (husk_passwd_entries (passwd, strlen (passwd), group, strlen (group), &o, &pw,
                                         &gr, &err), -1);
  assert_string_equal (err->msg, "unable to find group nosuch: no matching entries in group file");
  assert_null (pw);
  assert_null (gr);
  husk_error_release (&err);
}

static void
home_with_a_colon_is_refused (void **state)
{
  struct husk_passwd_opts o = { "1234", "/a:b", NULL, NULL };
  struct husk_passwd_opts custom = { "1234", "/a:b", "x:x:$UID:$GID::/:/bin/sh", NULL };
  char *pw = NULL, *gr = NULL;
  husk_error_t err = NULL;

  (void) state;
  assert_int_equal (husk_passwd_check (&o, &err), -1);
  assert_int_equal (err->code, EINVAL);
  assert_non_null (strstr (err->msg, "the working directory \"/a:b\" cannot be the home"));
  husk_error_release (&err);
  assert_int_equal (husk_passwd_entries (NULL, 0, NULL, 0, &o, &pw, &gr, NULL), -1);
  /* A template without $HOME does not use it.  */
  assert_int_equal (husk_passwd_check (&custom, NULL), 0);
}

static void
check_ignores_the_workdir_of_a_named_user (void **state)
{
  struct husk_passwd_opts o = { "tester", "/a:b", NULL, NULL };
  struct husk_passwd_opts off = { "", "/a\nb", NULL, NULL };

  (void) state;
  assert_int_equal (husk_passwd_check (&o, NULL), 0);
  assert_int_equal (husk_passwd_check (&off, NULL), 0);
}

/* ---- the copies ---------------------------------------------------------- */

static char *tmp;

static int
setup_tmp (void **state)
{
  (void) state;
  tmp = husk_mkdtemp_in ("/tmp", "husk-test-passwd-", NULL);
  assert_non_null (tmp);
  return 0;
}

static int
teardown_tmp (void **state)
{
  (void) state;
  husk_rm_rf (tmp, NULL);
  free (tmp);
  tmp = NULL;
  return 0;
}

static void
put (const char *rel, const char *data)
{
  cleanup_free char *p = husk_asprintf ("%s/%s", tmp, rel);

  assert_int_equal (husk_write_file_atomic (p, data, strlen (data), 0644, NULL), 0);
}

static char *
get (const char *rel)
{
  cleanup_free char *p = husk_asprintf ("%s/%s", tmp, rel);

  return husk_read_file (p, NULL, NULL);
}

static void
make_dirs (void)
{
  cleanup_free char *root = husk_asprintf ("%s/root/etc", tmp);
  cleanup_free char *bundle = husk_asprintf ("%s/bundle", tmp);

  assert_int_equal (husk_mkdir_p (root, 0755, NULL), 0);
  assert_int_equal (husk_mkdir_p (bundle, 0700, NULL), 0);
}

/* Run husk_passwd_prepare() on tmp/root and tmp/bundle.  */
static int
prepare (const char *ccfg_text, char **pw, char **gr, husk_error_t *err)
{
  cleanup_json json_t *ccfg = json_loads (ccfg_text, 0, NULL);
  cleanup_free char *root = husk_asprintf ("%s/root", tmp);
  cleanup_free char *bundle = husk_asprintf ("%s/bundle", tmp);

  assert_non_null (ccfg);
  return husk_passwd_prepare (ccfg, root, bundle, pw, gr, err);
}

static void
prepare_writes_image_file_plus_entry (void **state)
{
  cleanup_free char *pw = NULL, *gr = NULL, *pdata = NULL, *gdata = NULL, *orig = NULL;
  cleanup_free char *want_pw = husk_asprintf ("%s/bundle/passwd", tmp);
  struct stat st;

  (void) state;
  make_dirs ();
  put ("root/etc/passwd", passwd);
  put ("root/etc/group", "root:x:0:"); /* no final newline */
  assert_int_equal (prepare ("{\"user\":\"1234:5678\",\"workdir\":\"/w\"}", &pw, &gr, NULL), 0);
  assert_string_equal (pw, want_pw);
  assert_non_null (gr);
  pdata = get ("bundle/passwd");
  gdata = get ("bundle/group");
  assert_true (husk_has_prefix (pdata, passwd));
  assert_string_equal (pdata + strlen (passwd), "1234:*:1234:5678:container user:/w:/bin/sh\n");
  assert_string_equal (gdata, "root:x:0:\n5678:x:5678:1234\n");
  assert_int_equal (stat (pw, &st), 0);
  assert_int_equal (st.st_mode & 07777, 0644);
  /* The image's files are untouched.  */
  orig = get ("root/etc/group");
  assert_string_equal (orig, "root:x:0:");
}

static void
prepare_makes_nothing_when_not_needed (void **state)
{
  char *pw = NULL, *gr = NULL;
  cleanup_free char *bundle_pw = husk_asprintf ("%s/bundle/passwd", tmp);

  (void) state;
  make_dirs ();
  put ("root/etc/passwd", passwd);
  put ("root/etc/group", group);
  assert_int_equal (prepare ("{\"user\":\"tester\",\"workdir\":\"/\"}", &pw, &gr, NULL), 0);
  assert_null (pw);
  assert_null (gr);
  assert_int_equal (prepare ("{\"user\":\"1234\",\"passwd\":false}", &pw, &gr, NULL), 0);
  assert_null (pw);
  assert_null (gr);
  assert_int_equal (prepare ("{\"user\":\"\"}", &pw, &gr, NULL), 0);
  assert_null (pw);
  assert_false (husk_path_exists (bundle_pw));
}

static void
prepare_leaves_files_the_user_mounts (void **state)
{
  cleanup_free char *pw = NULL, *gr = NULL;

  (void) state;
  make_dirs ();
  put ("root/etc/passwd", passwd);
  assert_int_equal (prepare ("{\"user\":\"1234\",\"mounts\":[{\"type\":\"bind\",\"source\":\"/x\","
                             "\"destination\":\"//etc/passwd/\"}]}", &pw, &gr, NULL), 0);
  assert_null (pw);
  assert_non_null (gr);
}

static void
prepare_without_image_files_writes_just_the_entries (void **state)
{
  cleanup_free char *pw = NULL, *gr = NULL, *pdata = NULL, *gdata = NULL;

  (void) state;
  make_dirs ();
  assert_int_equal (prepare ("{\"user\":\"1234\",\"workdir\":\"/\"}", &pw, &gr, NULL), 0);
  pdata = get ("bundle/passwd");
  gdata = get ("bundle/group");
  assert_string_equal (pdata, "1234:*:1234:0:container user:/:/bin/sh\n");
  assert_string_equal (gdata, "1234:x:1234:1234\n");
}

static void
prepare_keeps_the_copy_of_an_earlier_start (void **state)
{
  cleanup_free char *pw = NULL, *gr = NULL, *pdata = NULL;

  (void) state;
  make_dirs ();
  put ("root/etc/passwd", passwd);
  put ("bundle/passwd", "edited:x:1234:0::/:/bin/sh\n");
  assert_int_equal (prepare ("{\"user\":\"1234\"}", &pw, &gr, NULL), 0);
  assert_non_null (pw);
  pdata = get ("bundle/passwd");
  assert_string_equal (pdata, "edited:x:1234:0::/:/bin/sh\n");
}

static void
prepare_never_reads_through_a_symlink_out_of_the_root (void **state)
{
  cleanup_free char *host = husk_asprintf ("%s/host-passwd", tmp);
  cleanup_free char *link = husk_asprintf ("%s/root/etc/passwd", tmp);
  cleanup_free char *glink = husk_asprintf ("%s/root/etc/group", tmp);
  cleanup_free char *pw = NULL, *gr = NULL, *pdata = NULL, *hdata = NULL;

  (void) state;
  make_dirs ();
  put ("host-passwd", "HOSTSECRET:x:0:0::/:/bin/sh\n");
  assert_int_equal (symlink (host, link), 0);
  assert_int_equal (symlink ("../../../../../../../../host-passwd", glink), 0);
  assert_int_equal (prepare ("{\"user\":\"1234\"}", &pw, &gr, NULL), 0);
  pdata = get ("bundle/passwd");
  /* Resolved inside the root, where nothing is: just the entry.  */
  assert_string_equal (pdata, "1234:*:1234:0:container user:/:/bin/sh\n");
  hdata = get ("host-passwd");
  assert_string_equal (hdata, "HOSTSECRET:x:0:0::/:/bin/sh\n");
}

static void
prepare_refuses_a_directory_as_passwd (void **state)
{
  cleanup_free char *dir = husk_asprintf ("%s/root/etc/passwd", tmp);
  char *pw = NULL, *gr = NULL;
  husk_error_t err = NULL;

  (void) state;
  make_dirs ();
  assert_int_equal (mkdir (dir, 0755), 0);
  assert_int_equal (prepare ("{\"user\":\"1234\"}", &pw, &gr, &err), -1);
  assert_string_equal (err->msg, "the image's '/etc/passwd': '/etc/passwd' is not a regular file");
  husk_error_release (&err);
}

static void
resolve_files_reads_the_copy (void **state)
{
  cleanup_free char *root = husk_asprintf ("%s/root", tmp);
  cleanup_free char *copy = husk_asprintf ("%s/bundle/passwd", tmp);
  cleanup_close int rootfd = -1;
  struct husk_user u;

  (void) state;
  make_dirs ();
  put ("root/etc/passwd", passwd);
  put ("bundle/passwd", "bob:x:1234:0:container user:/tmp:/bin/sh\n");
  rootfd = open (root, O_PATH | O_DIRECTORY | O_CLOEXEC);
  assert_true (rootfd >= 0);
  assert_int_equal (husk_user_resolve_files (rootfd, copy, NULL, "1234", NULL, &u, NULL), 0);
  assert_string_equal (u.name, "bob");
  assert_string_equal (u.home, "/tmp");
  husk_user_release (&u);
}

/* ---- the container configuration ---------------------------------------- */

static json_t *
build (const char *req_text, husk_error_t *err)
{
  cleanup_json json_t *req = json_loads (req_text, 0, NULL);
  cleanup_json json_t *img = json_loads ("{\"config\":{\"Cmd\":[\"sh\"]}}", 0, NULL);
  struct husk_ccfg_defaults d = { 0 };

  assert_non_null (req);
  return husk_ccfg_build (req, &d, img, err);
}

static void
ccfg_stores_the_passwd_settings (void **state)
{
  cleanup_json json_t *def = build ("{}", NULL);
  cleanup_json json_t *c = build ("{\"user\":\"1234\",\"passwd\":false,"
                                  "\"passwd_entry\":\"a:x:$UID:$GID::/:/bin/sh\","
                                  "\"group_entry\":\"g:x:$GID:\"}", NULL);

  (void) state;
  assert_non_null (def);
  assert_true (json_is_true (json_object_get (def, "passwd")));
  assert_string_equal (json_string_value (json_object_get (def, "passwd_entry")), "");
  assert_string_equal (json_string_value (json_object_get (def, "group_entry")), "");
  assert_non_null (c);
  assert_true (json_is_false (json_object_get (c, "passwd")));
  assert_string_equal (json_string_value (json_object_get (c, "passwd_entry")),
                       "a:x:$UID:$GID::/:/bin/sh");
  assert_string_equal (json_string_value (json_object_get (c, "group_entry")), "g:x:$GID:");
}

static void
ccfg_refuses_a_bad_template_before_anything (void **state)
{
  husk_error_t err = NULL;
  json_t *c = build ("{\"passwd_entry\":\"a:b\\nc\"}", &err);

  (void) state;
  assert_null (c);
  assert_int_equal (err->code, EINVAL);
  assert_string_equal (err->msg, "invalid --passwd-entry: it must be a single line, without newlines");
  husk_error_release (&err);
  c = build ("{\"group_entry\":\"a:b\"}", &err);
  assert_null (c);
  assert_non_null (strstr (err->msg, "invalid --group-entry \"a:b\""));
  husk_error_release (&err);
  /* --passwd=false: the working directory does not matter.  */
  c = build ("{\"user\":\"1\",\"workdir\":\"/a:b\",\"passwd\":false}", NULL);
  assert_non_null (c);
  json_decref (c);
  c = build ("{\"user\":\"1\",\"workdir\":\"/a:b\"}", NULL);
  assert_null (c);
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (expand_substitutes_every_variable),
    cmocka_unit_test (expand_keeps_unknown_dollars_and_repeats),
    cmocka_unit_test (expand_never_substitutes_substituted_text),
    cmocka_unit_test (expand_group_substitutes_every_variable),
    cmocka_unit_test (check_entry_accepts_seven_fields),
    cmocka_unit_test (check_entry_refuses_a_newline),
    cmocka_unit_test (check_entry_refuses_a_wrong_field_count),
    cmocka_unit_test (check_entry_refuses_an_empty_name),
    cmocka_unit_test (check_entry_refuses_a_huge_template),
    cmocka_unit_test (numeric_user_gets_podmans_default_lines),
    cmocka_unit_test (uid_gid_gets_the_gid_and_a_group_listing_the_user),
    cmocka_unit_test (home_is_the_working_directory),
    cmocka_unit_test (group_name_gives_its_gid_and_no_group_line),
    cmocka_unit_test (existing_user_gets_no_passwd_line),
    cmocka_unit_test (no_user_gets_nothing),
    cmocka_unit_test (templates_replace_the_default_lines),
    cmocka_unit_test (image_without_files_gets_both_lines),
    cmocka_unit_test (unknown_group_name_is_podmans_error),
    cmocka_unit_test (home_with_a_colon_is_refused),
    cmocka_unit_test (check_ignores_the_workdir_of_a_named_user),
    cmocka_unit_test_setup_teardown (prepare_writes_image_file_plus_entry, setup_tmp, teardown_tmp),
    cmocka_unit_test_setup_teardown (prepare_makes_nothing_when_not_needed, setup_tmp, teardown_tmp),
    cmocka_unit_test_setup_teardown (prepare_leaves_files_the_user_mounts, setup_tmp, teardown_tmp),
    cmocka_unit_test_setup_teardown (prepare_without_image_files_writes_just_the_entries,
                                     setup_tmp, teardown_tmp),
    cmocka_unit_test_setup_teardown (prepare_keeps_the_copy_of_an_earlier_start, setup_tmp,
                                     teardown_tmp),
    cmocka_unit_test_setup_teardown (prepare_never_reads_through_a_symlink_out_of_the_root,
                                     setup_tmp, teardown_tmp),
    cmocka_unit_test_setup_teardown (prepare_refuses_a_directory_as_passwd, setup_tmp,
                                     teardown_tmp),
    cmocka_unit_test_setup_teardown (resolve_files_reads_the_copy, setup_tmp, teardown_tmp),
    cmocka_unit_test (ccfg_stores_the_passwd_settings),
    cmocka_unit_test (ccfg_refuses_a_bad_template_before_anything),
  };

  return cmocka_run_group_tests (tests, NULL, NULL);
}
