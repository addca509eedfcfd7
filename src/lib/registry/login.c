/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Writing auth.json (containers-auth.json(5)) for login and logout.  No
 * network here: logout runs in the static husk, login's check of the
 * credentials is ops/image_login.c's.
 *
 * The file is read, changed as a JSON document (so entries and keys husk
 * does not know stay as they were) and written whole through a temporary
 * file and a rename: a reader never sees half a file, and a crash leaves
 * the old one.  It holds passwords: mode 0600, its directory 0700.
 */
#include "registry/registry.h"

#include "util/cleanup.h"
#include "util/fileutil.h"
#include "util/strutil.h"

#include <ctype.h>
#include <errno.h>
#include <libgen.h>
#include <nettle/base64.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The characters a repository path may hold (lowercase, digits,
   separators); a ':' or '@' there would be a tag or digest.  */
static bool
path_valid (const char *p)
{
  if (*p == '\0')
    return false;
  for (; *p; p++)
    if (!(islower ((unsigned char) *p) || isdigit ((unsigned char) *p) || strchr ("._-/", *p)))
      return false;
  return true;
}

int
husk_registry_auth_key (const char *arg, char **key, char **host, husk_error_t *err)
{
  const char *a = arg;
  size_t hlen;

  *key = *host = NULL;
  if (husk_has_prefix (a, "https://") || husk_has_prefix (a, "http://"))
    {
      /* A URL names a registry: its path (often "/v1/") is no namespace. */
      a = strchr (a, '/') + 2;
      *key = husk_xstrndup (a, strcspn (a, "/"));
      *host = husk_xstrdup (*key);
      if (**key == '\0')
        return husk_error_makex (err, EINVAL, "no registry in \"%s\"", arg);
      return 0;
    }
  hlen = strcspn (a, "/");
  if (hlen == 0)
    return husk_error_makex (err, EINVAL, "no registry in \"%s\"", arg);
  if (a[hlen] == '/' && !path_valid (a + hlen + 1))
    {
      if (strpbrk (a + hlen + 1, ":@"))
        return husk_error_makex (err, EINVAL, "reference \"%s\" contains tag or digest", arg);
      return husk_error_makex (err, EINVAL, "parse reference from \"%s\": invalid reference "
                               "format", arg);
    }
  *key = husk_xstrdup (a);
  *host = husk_xstrndup (a, hlen);
  return 0;
}

char *
husk_registry_auth_path (const char *authfile)
{
  if (authfile && *authfile)
    return husk_xstrdup (authfile);
  return husk_registry_default_authfile ();
}

/* The document in path; a missing file is an empty one (*existed false). */
static json_t *
load (const char *path, bool *existed, husk_error_t *err)
{
  json_error_t jerr;
  json_t *doc;

  *existed = access (path, F_OK) == 0;
  if (!*existed)
    return errno == ENOENT ? json_object ()
                           : (husk_error_make (err, errno, "auth file '%s'", path), NULL);
  doc = json_load_file (path, 0, &jerr);
  if (doc == NULL)
    return husk_error_makex (err, EINVAL, "auth file '%s': %s", path, jerr.text), NULL;
  if (!json_is_object (doc))
    {
      json_decref (doc);
      return husk_error_makex (err, EINVAL, "auth file '%s': not a JSON object", path), NULL;
    }
  return doc;
}

/* doc's "auths" object, made when absent.  */
static json_t *
auths_of (json_t *doc)
{
  json_t *a = json_object_get (doc, "auths");

  if (!json_is_object (a))
    {
      a = json_object ();
      json_object_set_new (doc, "auths", a);
    }
  return a;
}

/* Tab indentation as Podman writes the file: jansson indents with one
   space per level, and leading spaces can only be indentation (a JSON
   string holds no raw newline).  */
static char *
tabify (const char *s)
{
  struct husk_buf b = HUSK_BUF_INIT;
  bool bol = true;

  for (; *s; s++)
    {
      if (bol && *s == ' ')
        {
          husk_buf_putc (&b, '\t');
          continue;
        }
      bol = *s == '\n';
      husk_buf_putc (&b, *s);
    }
  return husk_buf_steal (&b);
}

static int
save (const char *path, json_t *doc, husk_error_t *err)
{
  cleanup_free char *dup = husk_xstrdup (path);
  cleanup_free char *raw = json_dumps (doc, JSON_INDENT (1) | JSON_PRESERVE_ORDER);
  cleanup_free char *text = NULL;
  const char *dir = dirname (dup);

  if (raw == NULL)
    return husk_error_makex (err, ENOMEM, "auth file '%s': encoding JSON", path);
  text = tabify (raw);
  if (access (dir, F_OK) < 0 && husk_mkdir_p (dir, 0700, err) < 0)
    return husk_error_wrap (err, "auth file '%s'", path);
  if (husk_write_file_atomic (path, text, strlen (text), 0600, err) < 0)
    {
      /* Several passwords live in this file; a failed write keeps it.  */
      explicit_bzero (text, strlen (text));
      return husk_error_wrap (err, "writing auth file");
    }
  explicit_bzero (text, strlen (text));
  explicit_bzero (raw, strlen (raw));
  return 0;
}

static char *
encode_auth (const char *user, const char *pass)
{
  cleanup_free char *raw = husk_asprintf ("%s:%s", user, pass);
  size_t n = strlen (raw);
  char *b64 = husk_xzalloc (BASE64_ENCODE_RAW_LENGTH (n) + 1);

  base64_encode_raw (b64, n, (const uint8_t *) raw);
  explicit_bzero (raw, n);
  return b64;
}

/* The credential helper the file names for key, or NULL.  */
static const char *
helper_of (json_t *doc, const char *key)
{
  const char *h = json_string_value (json_object_get (json_object_get (doc, "credHelpers"), key));

  return h && *h ? h : NULL;
}

static int
helper_store (const char *helper, const char *key, const char *user, const char *pass,
              husk_error_t *err)
{
  cleanup_json json_t *q = json_pack ("{s:s, s:s, s:s}", "ServerURL", key, "Username", user,
                                      "Secret", pass);
  cleanup_free char *in = json_dumps (q, JSON_COMPACT);
  cleanup_free char *out = NULL;
  int status = husk_registry_cred_helper (helper, "store", in, &out, err);

  explicit_bzero (in, strlen (in));
  if (status > 0)
    return husk_error_makex (err, EIO, "credential helper docker-credential-%s: storing the "
                             "credentials of %s failed: %s", helper, key,
                             *out ? out : "no message");
  return status;
}

/* Return: 1 erased, 0 the helper had none, -1.  */
static int
helper_erase (const char *helper, const char *key, husk_error_t *err)
{
  cleanup_free char *out = NULL;
  int status = husk_registry_cred_helper (helper, "erase", key, &out, err);

  if (status > 0 && strstr (out, "credentials not found"))
    return 0;
  if (status > 0)
    return husk_error_makex (err, EIO, "credential helper docker-credential-%s: erasing the "
                             "credentials of %s failed: %s", helper, key,
                             *out ? out : "no message");
  return status < 0 ? -1 : 1;
}

int
husk_registry_auth_store (const char *path, const char *key, const char *user,
                          const char *pass, husk_error_t *err)
{
  cleanup_json json_t *doc = NULL;
  cleanup_free char *b64 = NULL;
  const char *helper;
  bool existed;
  int r;

  if ((doc = load (path, &existed, err)) == NULL)
    return -1;
  if ((helper = helper_of (doc, key)))
    return helper_store (helper, key, user, pass, err);
  b64 = encode_auth (user, pass);
  /* A new entry, as Podman: an identity token of an older login goes.  */
  json_object_set_new (auths_of (doc), key, json_pack ("{s:s}", "auth", b64));
  r = save (path, doc, err);
  explicit_bzero (b64, strlen (b64));
  return r;
}

int
husk_registry_auth_remove (const char *path, const char *key, husk_error_t *err)
{
  cleanup_json json_t *doc = NULL;
  json_t *auths;
  const char *helper;
  bool existed;
  int erased = 0;

  if ((doc = load (path, &existed, err)) == NULL)
    return -1;
  if ((helper = helper_of (doc, key)) && (erased = helper_erase (helper, key, err)) < 0)
    return -1;
  auths = json_object_get (doc, "auths");
  if (!existed || json_object_get (auths, key) == NULL)
    return erased ? 0 : husk_error_makex (err, ENOENT, "not logged into %s", key);
  json_object_del (auths, key);
  return save (path, doc, err);
}

int
husk_registry_auth_remove_all (const char *path, husk_error_t *err)
{
  cleanup_json json_t *doc = NULL;
  bool existed;

  if ((doc = load (path, &existed, err)) == NULL)
    return -1;
  if (!existed)
    return 0;
  json_object_set_new (doc, "auths", json_object ());
  json_object_del (doc, "credHelpers");
  return save (path, doc, err);
}
