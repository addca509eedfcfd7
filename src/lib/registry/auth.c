/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * WWW-Authenticate challenges (RFC 7235: a scheme, then comma-separated
 * key=value or key="quoted \" value" parameters) and credentials from
 * --creds and the auth.json files of containers-auth.json(5).
 */
#include "registry/registry.h"

#include "util/cleanup.h"
#include "util/fileutil.h"
#include "util/strutil.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <nettle/base64.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

void
husk_challenge_release (struct husk_challenge *c)
{
  free (c->scheme);
  free (c->realm);
  free (c->service);
  free (c->scope);
  memset (c, 0, sizeof *c);
}

static const char *
skip_space (const char *p)
{
  while (*p == ' ' || *p == '\t')
    p++;
  return p;
}

/* A token: letters, digits and the RFC's tchar punctuation.  */
static size_t
token_len (const char *p)
{
  size_t n = 0;

  while (p[n] && (isalnum ((unsigned char) p[n]) || strchr ("!#$%&'*+-.^_`|~", p[n])))
    n++;
  return n;
}

/* A value: a token or a quoted string.  *p moves past it.  */
static char *
parse_value (const char **p)
{
  const char *s = *p;
  char *out, *o;

  if (*s != '"')
    {
      size_t n = strcspn (s, ", \t");
      *p = s + n;
      return husk_xstrndup (s, n);
    }
  o = out = husk_xzalloc (strlen (s) + 1);
  for (s++; *s && *s != '"'; s++)
    {
      if (*s == '\\' && s[1])
        s++;
      *o++ = *s;
    }
  if (*s != '"')
    {
      free (out);
      return NULL;
    }
  *p = s + 1;
  return out;
}

static void
set_param (struct husk_challenge *c, const char *key, size_t klen, char *val)
{
  char **dst = NULL;

  if (klen == 5 && strncasecmp (key, "realm", 5) == 0)
    dst = &c->realm;
  else if (klen == 7 && strncasecmp (key, "service", 7) == 0)
    dst = &c->service;
  else if (klen == 5 && strncasecmp (key, "scope", 5) == 0)
    dst = &c->scope;
  if (dst == NULL || *dst)
    {
      free (val);
      return;
    }
  *dst = val;
}

int
husk_challenge_parse (const char *s, struct husk_challenge *out, husk_error_t *err)
{
  const char *p = skip_space (s);
  size_t n = token_len (p);

  memset (out, 0, sizeof *out);
  if (n == 0)
    return husk_error_makex (err, EINVAL, "invalid WWW-Authenticate header: no scheme");
  out->scheme = husk_xstrndup (p, n);
  for (char *c = out->scheme; *c; c++)
    *c = (char) tolower ((unsigned char) *c);
  p = skip_space (p + n);
  while (*p)
    {
      const char *key = p;
      size_t klen = token_len (p);
      char *val;

      p = skip_space (p + klen);
      if (klen == 0 || *p != '=')
        break; /* the next challenge (or token68): the first one is enough */
      p = skip_space (p + 1);
      if ((val = parse_value (&p)) == NULL)
        {
          husk_challenge_release (out);
          return husk_error_makex (err, EINVAL, "invalid WWW-Authenticate header: "
                                   "unterminated quoted string");
        }
      set_param (out, key, klen, val);
      p = skip_space (p);
      if (*p == ',')
        p = skip_space (p + 1);
    }
  if (strcmp (out->scheme, "bearer") == 0 && (out->realm == NULL || *out->realm == '\0'))
    {
      husk_challenge_release (out);
      return husk_error_makex (err, EINVAL, "invalid WWW-Authenticate header: "
                               "bearer challenge without a realm");
    }
  return 0;
}

/* Credentials.  */

static int
split_creds (const char *s, char **user, char **pass)
{
  const char *colon = strchr (s, ':');

  if (colon == NULL)
    {
      *user = husk_xstrdup (s);
      *pass = husk_xstrdup ("");
      return 0;
    }
  *user = husk_xstrndup (s, colon - s);
  *pass = husk_xstrdup (colon + 1);
  return 0;
}

/* Decode an "auth" value: base64 of "user:pass".  */
static int
decode_auth (const char *b64, char **user, char **pass)
{
  size_t len = strlen (b64);
  cleanup_free char *raw = husk_xzalloc (BASE64_DECODE_LENGTH (len) + 1);
  struct base64_decode_ctx ctx;
  size_t n = BASE64_DECODE_LENGTH (len);

  base64_decode_init (&ctx);
  if (!base64_decode_update (&ctx, &n, (uint8_t *) raw, len, b64)
      || !base64_decode_final (&ctx) || memchr (raw, '\0', n) || strchr (raw, ':') == NULL)
    return -1;
  raw[n] = '\0';
  return split_creds (raw, user, pass);
}

/* An auths key as a "host[/path]" prefix: Docker's legacy keys
   ("https://index.docker.io/v1/") name only a host.  */
static char *
normal_key (const char *key)
{
  const char *k = key;
  char *out;

  if (husk_has_prefix (k, "https://"))
    k += 8;
  else if (husk_has_prefix (k, "http://"))
    k += 7;
  out = k != key ? husk_xstrndup (k, strcspn (k, "/")) : husk_xstrdup (k);
  if (strcmp (out, "index.docker.io") == 0 || strcmp (out, "registry-1.docker.io") == 0)
    {
      free (out);
      out = husk_xstrdup ("docker.io");
    }
  return out;
}

/* The entry whose key is the longest prefix of "host/repo" (ending at a
   '/'), as containers-auth.json(5) says.  */
static json_t *
find_auth (json_t *auths, const char *host, const char *repo)
{
  cleanup_free char *full = husk_asprintf ("%s/%s", host, repo);
  const char *key;
  json_t *v, *best = NULL;
  size_t best_len = 0;

  json_object_foreach (auths, key, v)
    {
      cleanup_free char *k = normal_key (key);
      size_t n = strlen (k);

      if (n > best_len && strncmp (full, k, n) == 0 && (full[n] == '\0' || full[n] == '/'))
        {
          best = v;
          best_len = n;
        }
    }
  return best;
}

/* Run PROG ACTION with input on its stdin; its stdout (at most max
   bytes) in *out.  Return: its exit status, or -1.  */
static int
run_helper (const char *prog, const char *action, const char *input, char **out,
            husk_error_t *err)
{
  enum { max = 64 * 1024 };
  char *argv[] = { (char *) prog, (char *) action, NULL };
  posix_spawn_file_actions_t fa;
  int in[2] = { -1, -1 }, res[2] = { -1, -1 }, status = 0, rc;
  size_t len = 0;
  ssize_t n;
  pid_t pid;

  if (pipe2 (in, O_CLOEXEC) < 0 || pipe2 (res, O_CLOEXEC) < 0)
    {
      rc = errno;
      close (in[0]), close (in[1]);
      return husk_error_make (err, rc, "pipe");
    }
  posix_spawn_file_actions_init (&fa);
  posix_spawn_file_actions_adddup2 (&fa, in[0], 0);
  posix_spawn_file_actions_adddup2 (&fa, res[1], 1);
  rc = posix_spawnp (&pid, prog, &fa, NULL, argv, environ);
  posix_spawn_file_actions_destroy (&fa);
  close (in[0]);
  close (res[1]);
  if (rc == 0)
    {
      /* A helper that exits without reading must not kill us.  */
      void (*old) (int) = signal (SIGPIPE, SIG_IGN);
      (void) husk_write_all (in[1], input, strlen (input)); /* its answer says what failed */
      signal (SIGPIPE, old);
    }
  close (in[1]);
  if (rc != 0)
    {
      close (res[0]);
      return husk_error_makex (err, rc, "credential helper %s (credHelpers or credsStore "
                               "in the auth file): %s", prog, strerror (rc));
    }
  *out = husk_xzalloc (max + 1);
  while (len < max && (n = read (res[0], *out + len, max - len)) != 0)
    if (n > 0)
      len += n;
    else if (errno != EINTR)
      break;
  close (res[0]);
  while (waitpid (pid, &status, 0) < 0 && errno == EINTR)
    ;
  /* Its message, for the caller's error: no trailing newline.  */
  while (len && ((*out)[len - 1] == '\n' || (*out)[len - 1] == '\r'))
    (*out)[--len] = '\0';
  return WIFEXITED (status) ? WEXITSTATUS (status) : 128 + WTERMSIG (status);
}

int
husk_registry_cred_helper (const char *name, const char *action, const char *input, char **out,
                           husk_error_t *err)
{
  cleanup_free char *prog = NULL;

  *out = NULL;
  if (*name == '\0' || strspn (name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                     "0123456789-_.") != strlen (name) || name[0] == '.')
    return husk_error_makex (err, EINVAL, "invalid credential helper name \"%s\"", name);
  prog = husk_asprintf ("docker-credential-%s", name);
  return run_helper (prog, action, input, out, err);
}

/* Credentials from a docker-credential-helpers program (the
   docker-credential-helpers protocol: "get", the server URL on stdin,
   {"ServerURL", "Username", "Secret"} on stdout).  Return: 1 with
   credentials, 0 when the helper has none, -1.  */
static int
from_helper (const char *name, const char *host, char **user, char **pass, husk_error_t *err)
{
  cleanup_free char *out = NULL;
  cleanup_json json_t *doc = NULL;
  const char *u, *p;
  int status;

  if ((status = husk_registry_cred_helper (name, "get", host, &out, err)) < 0)
    return -1;
  if (status != 0)
    {
      if (strstr (out, "credentials not found"))
        return 0;
      return husk_error_makex (err, EACCES, "credential helper docker-credential-%s for %s "
                               "failed: %s", name, host, *out ? out : "no message");
    }
  doc = json_loads (out, 0, NULL);
  u = json_string_value (json_object_get (doc, "Username"));
  p = json_string_value (json_object_get (doc, "Secret"));
  if (u == NULL || p == NULL)
    return husk_error_makex (err, EINVAL, "credential helper docker-credential-%s for %s: "
                             "want JSON with Username and Secret", name, host);
  *user = husk_xstrdup (u);
  *pass = husk_xstrdup (p);
  return 1;
}

static int
from_file (const char *path, bool must_exist, const char *host, const char *repo,
           char **user, char **pass, husk_error_t *err)
{
  cleanup_json json_t *doc = NULL;
  json_error_t jerr;
  json_t *entry;
  const char *auth, *helper;

  if (access (path, F_OK) < 0)
    return must_exist ? husk_error_make (err, errno, "credential file '%s'", path) : 0;
  doc = json_load_file (path, 0, &jerr);
  if (doc == NULL)
    return husk_error_makex (err, EINVAL, "credential file '%s': %s", path, jerr.text);
  /* A registry's own helper is used for it alone, as
     containers-auth.json(5) says; then "auths"; then the store of all.  */
  helper = json_string_value (json_object_get (json_object_get (doc, "credHelpers"), host));
  if (helper)
    return from_helper (helper, host, user, pass, err);
  entry = find_auth (json_object_get (doc, "auths"), host, repo);
  auth = json_string_value (json_object_get (entry, "auth"));
  helper = json_string_value (json_object_get (doc, "credsStore"));
  if ((auth == NULL || *auth == '\0') && helper && *helper)
    return from_helper (helper, host, user, pass, err);
  if (auth == NULL || *auth == '\0')
    return 0;
  if (decode_auth (auth, user, pass) < 0)
    return husk_error_makex (err, EINVAL, "credential file '%s': invalid \"auth\" for '%s'",
                             path, host);
  return 1;
}

char *
husk_registry_default_authfile (void)
{
  const char *run = getenv ("XDG_RUNTIME_DIR");

  if (getenv ("REGISTRY_AUTH_FILE") && *getenv ("REGISTRY_AUTH_FILE"))
    return husk_xstrdup (getenv ("REGISTRY_AUTH_FILE"));
  if (geteuid () == 0)
    return husk_xstrdup ("/run/containers/0/auth.json");
  if (run && *run)
    return husk_asprintf ("%s/containers/auth.json", run);
  return husk_asprintf ("/run/user/%u/containers/auth.json", (unsigned) geteuid ());
}

int
husk_registry_credentials (const char *host, const char *repo, const char *creds,
                           const char *authfile, char **user, char **pass,
                           husk_error_t *err)
{
  const char *home = getenv ("HOME");
  const char *xdg = getenv ("XDG_CONFIG_HOME");
  cleanup_free char *def = NULL, *cfg = NULL, *docker = NULL;
  int r;

  *user = *pass = NULL;
  if (creds && *creds)
    return split_creds (creds, user, pass);
  if (authfile && *authfile)
    return from_file (authfile, true, host, repo, user, pass, err) < 0 ? -1 : 0;
  def = husk_registry_default_authfile ();
  if ((r = from_file (def, getenv ("REGISTRY_AUTH_FILE") != NULL
                      && *getenv ("REGISTRY_AUTH_FILE"), host, repo, user, pass, err)) != 0)
    return r < 0 ? -1 : 0;
  if (xdg && *xdg)
    cfg = husk_asprintf ("%s/containers/auth.json", xdg);
  else if (home && *home)
    cfg = husk_asprintf ("%s/.config/containers/auth.json", home);
  if (cfg && (r = from_file (cfg, false, host, repo, user, pass, err)) != 0)
    return r < 0 ? -1 : 0;
  if (home && *home)
    docker = husk_asprintf ("%s/.docker/config.json", home);
  if (docker && (r = from_file (docker, false, host, repo, user, pass, err)) < 0)
    return -1;
  return 0;
}
