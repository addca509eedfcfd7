/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests of image/reference.c: Docker's reference grammar and
   normalisation, as tables of valid and invalid inputs.  */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "image/reference.h"
#include "util/cleanup.h"
#include "util/strutil.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#define HEX64 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define HEX32 "0123456789abcdef0123456789abcdef"

struct valid_case
{
  const char *in;
  bool default_tag;
  const char *string;   /* husk_reference_string */
  const char *name;     /* husk_reference_name */
  const char *familiar; /* husk_reference_familiar */
  const char *tag;      /* NULL when none */
};

static const struct valid_case valid[] = {
  { "busybox", true, "docker.io/library/busybox:latest", "docker.io/library/busybox",
    "busybox:latest", "latest" },
  { "busybox", false, "docker.io/library/busybox", "docker.io/library/busybox",
    "busybox", NULL },
  { "busybox:1.36", true, "docker.io/library/busybox:1.36",
    "docker.io/library/busybox", "busybox:1.36", "1.36" },
  { "user/app:1", true, "docker.io/user/app:1", "docker.io/user/app", "user/app:1", "1" },
  { "localhost/x", true, "localhost/x:latest", "localhost/x", "localhost/x:latest", "latest" },
  { "localhost:5000/a/b:v1", true, "localhost:5000/a/b:v1", "localhost:5000/a/b",
    "localhost:5000/a/b:v1", "v1" },
  { "quay.io:443/a/b@sha256:" HEX64, true, "quay.io:443/a/b@sha256:" HEX64,
    "quay.io:443/a/b", "quay.io:443/a/b@sha256:" HEX64, NULL },
  { "name:tag@sha256:" HEX64, true, "docker.io/library/name:tag@sha256:" HEX64,
    "docker.io/library/name", "name:tag@sha256:" HEX64, "tag" },
  { "docker.io/library/busybox", true, "docker.io/library/busybox:latest",
    "docker.io/library/busybox", "busybox:latest", "latest" },
  { "docker.io/busybox", true, "docker.io/library/busybox:latest",
    "docker.io/library/busybox", "busybox:latest", "latest" },
  { "index.docker.io/user/app", true, "docker.io/user/app:latest", "docker.io/user/app",
    "user/app:latest", "latest" },
  /* library/ is only dropped before a single component.  */
  { "docker.io/library/a/b", true, "docker.io/library/a/b:latest",
    "docker.io/library/a/b", "library/a/b:latest", "latest" },
  /* docker.io/ stays when the rest would read as a domain.  */
  { "docker.io/a.b/c", true, "docker.io/a.b/c:latest", "docker.io/a.b/c",
    "docker.io/a.b/c:latest", "latest" },
  /* A 64-hex name is refused alone, so its familiar form keeps a prefix. */
  { "library/" HEX64, false, "docker.io/library/" HEX64, "docker.io/library/" HEX64,
    "docker.io/library/" HEX64, NULL },
  { "a.b-c__d---e_f", true, "docker.io/library/a.b-c__d---e_f:latest",
    "docker.io/library/a.b-c__d---e_f", "a.b-c__d---e_f:latest", "latest" },
  { "Registry.Example.COM/x", true, "Registry.Example.COM/x:latest",
    "Registry.Example.COM/x", "Registry.Example.COM/x:latest", "latest" },
  /* An uppercase first component can only be a domain.  */
  { "Host/x", true, "Host/x:latest", "Host/x", "Host/x:latest", "latest" },
  { "[::1]:5000/foo:bar", true, "[::1]:5000/foo:bar", "[::1]:5000/foo",
    "[::1]:5000/foo:bar", "bar" },
  { "example.com/a:Tag_1.x-y", true, "example.com/a:Tag_1.x-y", "example.com/a",
    "example.com/a:Tag_1.x-y", "Tag_1.x-y" },
  { "a:_t", true, "docker.io/library/a:_t", "docker.io/library/a", "a:_t", "_t" },
  { "abc123", true, "docker.io/library/abc123:latest", "docker.io/library/abc123",
    "abc123:latest", "latest" },
  /* No '/': "localhost:5000" is the image localhost with tag 5000.  */
  { "localhost:5000", true, "docker.io/library/localhost:5000",
    "docker.io/library/localhost", "localhost:5000", "5000" },
  { "localhost", true, "docker.io/library/localhost:latest",
    "docker.io/library/localhost", "localhost:latest", "latest" },
  { "foo@sha512:" HEX64 HEX64, true, "docker.io/library/foo@sha512:" HEX64 HEX64,
    "docker.io/library/foo", "foo@sha512:" HEX64 HEX64, NULL },
  { "foo@multi+hash.x_y-z:" HEX32, true, "docker.io/library/foo@multi+hash.x_y-z:" HEX32,
    "docker.io/library/foo", "foo@multi+hash.x_y-z:" HEX32, NULL },
  { "my-registry.local:5000/team/app", false, "my-registry.local:5000/team/app",
    "my-registry.local:5000/team/app", "my-registry.local:5000/team/app", NULL },
};

static void
valid_references_normalise (void **state)
{
  (void) state;
  for (size_t i = 0; i < sizeof valid / sizeof valid[0]; i++)
    {
      const struct valid_case *c = &valid[i];
      struct husk_reference r;
      husk_error_t err = NULL;
      cleanup_free char *s = NULL;
      cleanup_free char *n = NULL;
      cleanup_free char *f = NULL;

      if (husk_reference_parse (c->in, c->default_tag, &r, &err) < 0)
        fail_msg ("'%s' rejected: %s", c->in, err->msg);
      s = husk_reference_string (&r);
      n = husk_reference_name (&r);
      f = husk_reference_familiar (&r);
      if (strcmp (s, c->string) || strcmp (n, c->name) || strcmp (f, c->familiar))
        fail_msg ("'%s': got '%s' '%s' '%s'", c->in, s, n, f);
      if (c->tag)
        assert_string_equal (r.tag, c->tag);
      else
        assert_null (r.tag);
      husk_reference_release (&r);
    }
}

static void
normalised_and_familiar_forms_parse_back (void **state)
{
  (void) state;
  for (size_t i = 0; i < sizeof valid / sizeof valid[0]; i++)
    {
      const struct valid_case *c = &valid[i];
      struct husk_reference r;
      cleanup_free char *s = NULL;

      assert_int_equal (husk_reference_parse (c->familiar, c->default_tag, &r, NULL), 0);
      s = husk_reference_string (&r);
      assert_string_equal (s, c->string);
      husk_reference_release (&r);
      free (steal_ptr (&s));
      assert_int_equal (husk_reference_parse (c->string, c->default_tag, &r, NULL), 0);
      s = husk_reference_string (&r);
      assert_string_equal (s, c->string);
      husk_reference_release (&r);
    }
}

static void
parts_are_split (void **state)
{
  struct husk_reference r;

  (void) state;
  assert_int_equal (husk_reference_parse ("quay.io:443/a/b:t@sha256:" HEX64, true, &r,
                                          NULL), 0);
  assert_string_equal (r.domain, "quay.io:443");
  assert_string_equal (r.path, "a/b");
  assert_string_equal (r.tag, "t");
  assert_string_equal (r.digest, "sha256:" HEX64);
  husk_reference_release (&r);
  assert_null (r.domain);
  husk_reference_release (&r); /* idempotent */
}

static void
familiar_name_has_no_tag (void **state)
{
  struct husk_reference r;
  cleanup_free char *f = NULL;

  (void) state;
  assert_int_equal (husk_reference_parse ("busybox:1@sha256:" HEX64, true, &r, NULL), 0);
  f = husk_reference_familiar_name (&r);
  assert_string_equal (f, "busybox");
  husk_reference_release (&r);
}

struct invalid_case
{
  const char *in;
  const char *msg; /* expected part of the message */
};

#define LONG_TAG                                                               \
  "t123456789012345678901234567890123456789012345678901234567890123"           \
  "4567890123456789012345678901234567890123456789012345678901234567"

static const struct invalid_case invalid[] = {
  { "", "empty reference" },
  { ":tag", "at least one component" },
  { "name:", "empty tag" },
  { "@sha256:" HEX64, "at least one component" },
  { "@sha256:x", "lowercase hexadecimal" },
  { "@sha256:abc", "64 hex digits" },
  { "a//b", "empty path component" },
  { "a/", "empty path component" },
  { "/a", "empty path component" },
  { "-a", "must start and end" },
  { "a-", "must start and end" },
  { "a.", "must start and end" },
  { "a_", "must start and end" },
  { "a..b", "invalid separator" },
  { "a___b", "invalid separator" },
  { "a_.b", "invalid separator" },
  { "a-.b", "invalid separator" },
  { "Busybox", "repository name must be lowercase" },
  { "user/App", "repository name must be lowercase" },
  { "quay.io/Team/app", "repository name must be lowercase" },
  { "a:b:c", "invalid character in repository name" },
  { "a b", "invalid character in repository name" },
  { "a/b$c", "invalid character in repository name" },
  { "a@sha256:abc", "64 hex digits" },
  { "a@sha256:" HEX64 "0", "64 hex digits" },
  { "a@md5:0123456789abcdef", "at least 32 hex digits" },
  { "a@SHA256:" HEX64, "invalid digest algorithm" },
  { "a@sha256+:" HEX64, "invalid digest algorithm" },
  { "a@+sha:" HEX64, "invalid digest algorithm" },
  { "a@" HEX64, "algorithm:hex" },
  { "a@sha256:0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef",
    "lowercase hexadecimal" },
  { "a@", "empty digest" },
  { "a@sha256:" HEX64 "@x", "lowercase hexadecimal" },
  { "a:-tag", "tag must start" },
  { "a:.tag", "tag must start" },
  { "a:t$g", "invalid character in tag" },
  { "a:" LONG_TAG "x", "longer than 128" },
  { HEX64, "64-byte hexadecimal" },
  { "-a.com/b", "domain components" },
  { "a-.com/b", "domain components" },
  { "a..com/b", "domain components" },
  { "a_b.com/c", "invalid character in domain" },
  { "a.com:/b", "empty port" },
  { "a.com:x/b", "port in domain must be a number" },
  { "a.com:1:2/b", "port in domain must be a number" },
  { "[::1/foo", "invalid IPv6" },
  { "[]:5000/foo", "invalid IPv6" },
  { "[]/foo", "must start and end" },
  { "[::1]x/foo", "invalid character in domain" },
};

static void
invalid_references_are_rejected (void **state)
{
  (void) state;
  for (size_t i = 0; i < sizeof invalid / sizeof invalid[0]; i++)
    {
      const struct invalid_case *c = &invalid[i];
      struct husk_reference r;
      husk_error_t err = NULL;

      if (husk_reference_parse (c->in, true, &r, &err) == 0)
        fail_msg ("'%s' accepted", c->in);
      assert_int_equal (err->code, EINVAL);
      if (strstr (err->msg, c->msg) == NULL)
        fail_msg ("'%s': message '%s' lacks '%s'", c->in, err->msg, c->msg);
      assert_null (r.domain);
      husk_error_release (&err);
    }
}

static void
uppercase_gives_podman_message (void **state)
{
  struct husk_reference r;
  husk_error_t err = NULL;

  (void) state;
  assert_int_equal (husk_reference_parse ("Busybox", true, &r, &err), -1);
  assert_string_equal (err->msg, "invalid reference format: repository name must be lowercase");
  husk_error_release (&err);
}

static void
tag_length_limit_is_128 (void **state)
{
  struct husk_reference r;

  (void) state;
  assert_int_equal (strlen (LONG_TAG), 128);
  assert_int_equal (husk_reference_parse ("a:" LONG_TAG, true, &r, NULL), 0);
  assert_string_equal (r.tag, LONG_TAG);
  husk_reference_release (&r);
}

static void
name_length_limit_is_255_after_normalising (void **state)
{
  char path[300];
  struct husk_reference r;
  husk_error_t err = NULL;

  (void) state;
  /* "docker.io/library/" is 18 characters: 237 more make 255.  */
  memset (path, 'a', sizeof path);
  path[237] = '\0';
  assert_int_equal (husk_reference_parse (path, true, &r, NULL), 0);
  husk_reference_release (&r);
  path[237] = 'a';
  path[238] = '\0';
  assert_int_equal (husk_reference_parse (path, true, &r, &err), -1);
  assert_non_null (strstr (err->msg, "255"));
  husk_error_release (&err);
}

static void
is_id_accepts_hex_prefixes (void **state)
{
  (void) state;
  assert_true (husk_reference_is_id ("a"));
  assert_true (husk_reference_is_id ("abc123"));
  assert_true (husk_reference_is_id (HEX64));
  assert_true (husk_reference_is_id ("sha256:" HEX64));
  assert_true (husk_reference_is_id ("sha256:ab"));
  assert_false (husk_reference_is_id (""));
  assert_false (husk_reference_is_id ("sha256:"));
  assert_false (husk_reference_is_id (HEX64 "0"));
  assert_false (husk_reference_is_id ("ABC"));
  assert_false (husk_reference_is_id ("busybox"));
  assert_false (husk_reference_is_id ("sha512:ab"));
  assert_false (husk_reference_is_id (NULL));
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (valid_references_normalise),
    cmocka_unit_test (normalised_and_familiar_forms_parse_back),
    cmocka_unit_test (parts_are_split),
    cmocka_unit_test (familiar_name_has_no_tag),
    cmocka_unit_test (invalid_references_are_rejected),
    cmocka_unit_test (uppercase_gives_podman_message),
    cmocka_unit_test (tag_length_limit_is_128),
    cmocka_unit_test (name_length_limit_is_255_after_normalising),
    cmocka_unit_test (is_id_accepts_hex_prefixes),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
