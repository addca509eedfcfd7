/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Image references: parsing, validation and Docker's normalisation
 * ("busybox" means "docker.io/library/busybox:latest").  The input comes
 * from users and from API requests, so the parser is a single left-to-right
 * pass over a bounded string with no recursion and no regular expressions.
 *
 * The grammar, as Docker's distribution/reference documents it:
 *   reference  := name [ ":" tag ] [ "@" digest ]
 *   name       := [ domain "/" ] path
 *   domain     := host [ ":" port ]
 *   host       := domain-component ( "." domain-component )* | "[" ipv6 "]"
 *   domain-component := [a-zA-Z0-9] | [a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]
 *   port       := [0-9]+
 *   path       := path-component ( "/" path-component )*
 *   path-component := [a-z0-9]+ ( separator [a-z0-9]+ )*
 *   separator  := "." | "_" | "__" | "-"+
 *   tag        := [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}
 *   digest     := algorithm ":" hex
 *   algorithm  := [a-z0-9]+ ( [+._-] [a-z0-9]+ )*
 *   hex        := [a-f0-9]{32,}  (exactly 64 for sha256)
 * The first component of the name is the domain when it contains '.' or
 * ':', is "localhost", or has an uppercase letter (which a path component
 * cannot have); otherwise the domain is docker.io, where a one-component
 * path gets "library/" in front.  "index.docker.io" is an old name of
 * docker.io and is rewritten to it.
 */
#include "image/reference.h"
#include "util/cleanup.h"
#include "util/strutil.h"

#include <errno.h>
#include <string.h>

#define DEFAULT_DOMAIN "docker.io"
#define LEGACY_DOMAIN "index.docker.io"
#define OFFICIAL_PREFIX "library/"
#define NAME_MAX_LEN 255
#define TAG_MAX_LEN 128
/* No valid reference comes close: the name is at most 255 bytes, the tag
   128 and a sha512 digest 135.  Bounding the input bounds all the work.  */
#define REFERENCE_MAX_LEN 1024

static bool
is_lower_alnum (char c)
{
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

static bool
is_alnum (char c)
{
  return is_lower_alnum (c) || (c >= 'A' && c <= 'Z');
}

static bool
is_hexdigit (char c)
{
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

static int
invalid (husk_error_t *err, const char *detail)
{
  return husk_error_makex (err, EINVAL, "invalid reference format: %s", detail);
}

/* host[:port] with host a dotted name or a bracketed IPv6 address.  */
static int
check_domain (const char *d, size_t len, husk_error_t *err)
{
  size_t i = 0;

  if (len > 0 && d[0] == '[')
    {
      for (i = 1; i < len && (is_hexdigit (d[i]) || (d[i] >= 'A' && d[i] <= 'F')
                              || d[i] == ':'); i++)
        ;
      if (i == 1 || i >= len || d[i] != ']')
        return invalid (err, "invalid IPv6 address in domain");
      i++;
    }
  else
    {
      size_t start = 0;

      for (;; i++)
        {
          if (i < len && (is_alnum (d[i]) || d[i] == '-'))
            continue;
          /* End of one dot-separated component.  */
          if (i == start || d[start] == '-' || d[i - 1] == '-')
            return invalid (err, "domain components must start and end with a letter or digit");
          if (i < len && d[i] == '.')
            {
              start = i + 1;
              continue;
            }
          break;
        }
    }
  if (i == len)
    return 0;
  if (d[i] != ':')
    return invalid (err, "invalid character in domain");
  if (++i == len)
    return invalid (err, "empty port in domain");
  for (; i < len; i++)
    if (d[i] < '0' || d[i] > '9')
      return invalid (err, "port in domain must be a number");
  return 0;
}

/* One path component: [a-z0-9]+ joined by '.', '_', '__' or '-'+.  */
static int
check_component (const char *c, size_t len, husk_error_t *err)
{
  size_t i = 0;

  if (len == 0)
    return invalid (err, "empty path component in repository name");
  if (!is_lower_alnum (c[0]) || !is_lower_alnum (c[len - 1]))
    return invalid (err, "path components must start and end with a lowercase letter or digit");
  while (i < len)
    {
      size_t sep;

      while (i < len && is_lower_alnum (c[i]))
        i++;
      if (i == len)
        break;
      sep = i;
      while (i < len && !is_lower_alnum (c[i]))
        i++;
      /* c[sep..i) is a run of non-alphanumerics between two alphanumerics. */
      if (i - sep == 1 && (c[sep] == '.' || c[sep] == '_' || c[sep] == '-'))
        continue;
      if (i - sep == 2 && c[sep] == '_' && c[sep + 1] == '_')
        continue;
      if (strspn (c + sep, "-") >= i - sep)
        continue;
      for (size_t k = sep; k < i; k++)
        if (c[k] != '.' && c[k] != '_' && c[k] != '-')
          return invalid (err, "invalid character in repository name");
      return invalid (err, "invalid separator in repository name");
    }
  return 0;
}

static int
check_path (const char *p, husk_error_t *err)
{
  for (const char *c = p; *c; c++)
    if (*c >= 'A' && *c <= 'Z')
      return invalid (err, "repository name must be lowercase");
  for (;;)
    {
      const char *slash = strchr (p, '/');
      size_t len = slash ? (size_t) (slash - p) : strlen (p);

      if (check_component (p, len, err) < 0)
        return -1;
      if (slash == NULL)
        return 0;
      p = slash + 1;
    }
}

static int
check_tag (const char *t, husk_error_t *err)
{
  size_t len = strlen (t);

  if (len == 0)
    return invalid (err, "empty tag");
  if (len > TAG_MAX_LEN)
    return invalid (err, "tag is longer than 128 characters");
  if (!(is_alnum (t[0]) || t[0] == '_'))
    return invalid (err, "tag must start with a letter, digit or '_'");
  for (size_t i = 1; i < len; i++)
    if (!(is_alnum (t[i]) || t[i] == '_' || t[i] == '.' || t[i] == '-'))
      return invalid (err, "invalid character in tag");
  return 0;
}

static int
check_digest (const char *d, husk_error_t *err)
{
  const char *colon = strchr (d, ':');
  size_t alen, hlen;

  if (colon == NULL)
    return invalid (err, "digest must be 'algorithm:hex'");
  alen = colon - d;
  if (alen == 0 || !is_lower_alnum (d[0]) || !is_lower_alnum (d[alen - 1]))
    return invalid (err, "invalid digest algorithm");
  for (size_t i = 1; i < alen; i++)
    if (!is_lower_alnum (d[i])
        && !(strchr ("+._-", d[i]) && is_lower_alnum (d[i - 1])))
      return invalid (err, "invalid digest algorithm");
  hlen = strlen (colon + 1);
  for (size_t i = 0; i < hlen; i++)
    if (!is_hexdigit (colon[1 + i]))
      return invalid (err, "digest must be lowercase hexadecimal");
  if (alen == 6 && memcmp (d, "sha256", 6) == 0)
    {
      if (hlen != 64)
        return invalid (err, "sha256 digest must have 64 hex digits");
    }
  else if (hlen < 32)
    return invalid (err, "digest must have at least 32 hex digits");
  return 0;
}

/* Does the first component of a name denote a registry?  */
static bool
is_domain (const char *c, size_t len)
{
  if (len == 9 && memcmp (c, "localhost", 9) == 0)
    return true;
  for (size_t i = 0; i < len; i++)
    if (c[i] == '.' || c[i] == ':' || (c[i] >= 'A' && c[i] <= 'Z'))
      return true;
  return false;
}

/* Split name into domain and path, normalise both and check them.  */
static int
split_name (const char *name, char **domain, char **path, husk_error_t *err)
{
  const char *slash = strchr (name, '/');
  cleanup_free char *d = NULL;
  cleanup_free char *p = NULL;

  if (slash && is_domain (name, slash - name))
    {
      if (check_domain (name, slash - name, err) < 0)
        return -1;
      d = husk_xstrndup (name, slash - name);
      p = husk_xstrdup (slash + 1);
      if (strcmp (d, LEGACY_DOMAIN) == 0)
        {
          free (d);
          d = husk_xstrdup (DEFAULT_DOMAIN);
        }
    }
  else
    {
      d = husk_xstrdup (DEFAULT_DOMAIN);
      p = husk_xstrdup (name);
    }
  if (check_path (p, err) < 0)
    return -1;
  if (strcmp (d, DEFAULT_DOMAIN) == 0 && strchr (p, '/') == NULL)
    {
      char *full = husk_asprintf (OFFICIAL_PREFIX "%s", p);
      free (p);
      p = full;
    }
  if (strlen (d) + 1 + strlen (p) > NAME_MAX_LEN)
    return invalid (err, "repository name must not be more than 255 characters");
  *domain = steal_ptr (&d);
  *path = steal_ptr (&p);
  return 0;
}

int
husk_reference_parse (const char *s, bool default_tag,
                      struct husk_reference *out, husk_error_t *err)
{
  cleanup_free char *copy = NULL;
  char *at, *colon, *slash;
  const char *tag = NULL, *digest = NULL;
  struct husk_reference r = { NULL, NULL, NULL, NULL };

  memset (out, 0, sizeof *out);
  if (s == NULL || *s == '\0')
    return invalid (err, "empty reference");
  if (strlen (s) > REFERENCE_MAX_LEN)
    return invalid (err, "reference is too long");
  if (husk_is_hex (s, 64))
    return husk_error_makex (err, EINVAL, "invalid repository name, cannot "
                             "specify 64-byte hexadecimal strings");
  copy = husk_xstrdup (s);

  at = strchr (copy, '@');
  if (at)
    {
      *at = '\0';
      digest = at + 1;
      if (*digest == '\0')
        return invalid (err, "empty digest");
      if (check_digest (digest, err) < 0)
        return -1;
    }
  /* A ':' after the last '/' starts the tag; one before it is a port.  */
  colon = strrchr (copy, ':');
  slash = strrchr (copy, '/');
  if (colon && (slash == NULL || colon > slash))
    {
      *colon = '\0';
      tag = colon + 1;
      if (check_tag (tag, err) < 0)
        return -1;
    }
  if (*copy == '\0')
    return invalid (err, "repository name must have at least one component");
  if (split_name (copy, &r.domain, &r.path, err) < 0)
    return -1;

  r.tag = husk_xstrdup (tag);
  r.digest = husk_xstrdup (digest);
  if (tag == NULL && digest == NULL && default_tag)
    r.tag = husk_xstrdup ("latest");
  *out = r;
  return 0;
}

void
husk_reference_release (struct husk_reference *r)
{
  if (r == NULL)
    return;
  free (r->domain);
  free (r->path);
  free (r->tag);
  free (r->digest);
  memset (r, 0, sizeof *r);
}

char *
husk_reference_name (const struct husk_reference *r)
{
  return husk_asprintf ("%s/%s", r->domain, r->path);
}

static char *
with_suffixes (const char *name, const struct husk_reference *r)
{
  return husk_asprintf ("%s%s%s%s%s", name, r->tag ? ":" : "",
                        r->tag ? r->tag : "", r->digest ? "@" : "",
                        r->digest ? r->digest : "");
}

char *
husk_reference_string (const struct husk_reference *r)
{
  cleanup_free char *name = husk_reference_name (r);

  return with_suffixes (name, r);
}

char *
husk_reference_familiar_name (const struct husk_reference *r)
{
  const char *p = r->path;

  const char *slash = strchr (p, '/');

  /* Dropping "docker.io/" must not make the first path component look
     like a domain ("docker.io/a.b/c" is not "a.b/c"), so the familiar
     form always parses back to the same reference.  */
  if (strcmp (r->domain, DEFAULT_DOMAIN) != 0 || (slash && is_domain (p, slash - p)))
    return husk_reference_name (r);
  if (husk_has_prefix (p, OFFICIAL_PREFIX)
      && strchr (p + strlen (OFFICIAL_PREFIX), '/') == NULL)
    {
      /* "docker.io/library/<64 hex>" is a name, but "<64 hex>" alone is
         refused as one: keep the prefix then.  */
      if (husk_is_hex (p + strlen (OFFICIAL_PREFIX), 64))
        return husk_reference_name (r);
      p += strlen (OFFICIAL_PREFIX);
    }
  return husk_xstrdup (p);
}

char *
husk_reference_familiar (const struct husk_reference *r)
{
  cleanup_free char *name = husk_reference_familiar_name (r);

  return with_suffixes (name, r);
}

bool
husk_reference_is_id (const char *s)
{
  size_t len;

  if (s == NULL)
    return false;
  if (husk_has_prefix (s, "sha256:"))
    s += strlen ("sha256:");
  len = strlen (s);
  return len >= 1 && len <= 64 && husk_is_hex (s, 0);
}
