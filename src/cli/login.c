/* SPDX-License-Identifier: GPL-2.0-or-later */
/* husk login, husk logout, husk search / husk image search.  */
#include "cli/cli.h"
#include "cli/output.h"

#include "ops/login.h"
#include "util/strutil.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

struct login_opts
{
  char *username, *password, *authfile, *cert_dir;
  bool password_stdin, get_login, verbose;
  int tls_verify; /* -1 not given: registries.conf's insecure decides */
};

#define O(f) offsetof (struct login_opts, f)

/* One line of standard input without its newline, or NULL at its end.  */
static char *
read_line (void)
{
  char *line = NULL;
  size_t cap = 0;
  ssize_t n = getline (&line, &cap, stdin);

  if (n < 0)
    {
      free (line);
      return NULL;
    }
  while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
    line[--n] = '\0';
  return line;
}

/* All of standard input, its lines joined without newlines (Podman).  */
static char *
read_stdin_password (void)
{
  struct husk_buf b = HUSK_BUF_INIT;
  char *line;

  while ((line = read_line ()))
    {
      husk_buf_puts (&b, line);
      explicit_bzero (line, strlen (line));
      free (line);
    }
  return husk_buf_steal (&b);
}

/* A line from the terminal with echo off, asked for with prompt: echo
   goes off before the prompt shows, so a fast typist's (or a script's)
   answer is never echoed.  */
static char *
read_secret (const char *prompt)
{
  struct termios old, quiet;
  char *line;

  if (tcgetattr (STDIN_FILENO, &old) < 0)
    return NULL;
  quiet = old;
  quiet.c_lflag &= ~(tcflag_t) ECHO;
  quiet.c_lflag |= ECHONL;
  tcsetattr (STDIN_FILENO, TCSANOW, &quiet);
  fputs (prompt, stdout);
  fflush (stdout);
  line = read_line ();
  tcsetattr (STDIN_FILENO, TCSANOW, &old);
  return line;
}

/* Ask for what -u and -p did not give, on a terminal only.  */
static int
prompt (struct cli_ctx *ctx, const char *stored_user, char **user, char **pass)
{
  if (!isatty (STDIN_FILENO))
    return husk_error_makex (&ctx->err, EINVAL, "getting username and password: no %s given "
                             "and standard input is not a terminal (use --username and "
                             "--password or --password-stdin)",
                             *user ? "password" : "username");
  if (*user == NULL)
    {
      if (stored_user)
        printf ("Username (%s): ", stored_user);
      else
        printf ("Username: ");
      fflush (stdout);
      *user = read_line ();
      if (*user && **user == '\0' && stored_user)
        {
          free (*user);
          *user = husk_xstrdup (stored_user);
        }
    }
  if (*pass == NULL && *user)
    {
      *pass = read_secret ("Password: ");
    }
  if (*user == NULL || *pass == NULL)
    return husk_error_makex (&ctx->err, EIO, "getting username and password: end of input");
  return 0;
}

static void
free_secret (char *s)
{
  if (s)
    explicit_bzero (s, strlen (s));
  free (s);
}

/* No -u, -p: the stored credentials, when the registry still takes them. */
static int
try_stored (struct cli_ctx *ctx, const char *key, const char *registry, const char *user,
            const char *pass, const struct husk_registry_opts *ro)
{
  printf ("Authenticating with existing credentials for %s\n", key);
  if (husk_op_login_check (key, registry, user, pass, ro, &ctx->err) == 0)
    {
      printf ("Existing credentials are valid. Already logged in to %s\n", registry);
      return 1;
    }
  husk_error_release (&ctx->err);
  printf ("Existing credentials are invalid, please enter valid username and password\n");
  return 0;
}

int
cmd_login (struct cli_ctx *ctx, int argc, char **argv)
{
  static const struct cli_option opts[] = {
    { "authfile", 0, OPT_STRING, O (authfile), "string", "path of the authentication file. Use REGISTRY_AUTH_FILE environment variable to override" },
    { "cert-dir", 0, OPT_STRING, O (cert_dir), "string", "use certificates at the specified path to access the registry" },
    OPTION_REFUSED ("compat-auth-file", 0, "writing Docker's config.json format is not supported: use --authfile"),
    { "get-login", 0, OPT_BOOL, O (get_login), NULL, "Return the current login user for the registry" },
    { "password", 'p', OPT_STRING, O (password), "string", "Password for registry" },
    { "password-stdin", 0, OPT_BOOL, O (password_stdin), NULL, "Take the password from stdin" },
    { "tls-verify", 0, OPT_TRISTATE, O (tls_verify), NULL, "Require HTTPS and verify certificates when contacting registries" },
    { "username", 'u', OPT_STRING, O (username), "string", "Username for registry" },
    { "verbose", 'v', OPT_BOOL, O (verbose), NULL, "Write more detailed information to stdout" },
    OPTION_END,
  };
  struct login_opts o = { .tls_verify = -1 };
  cleanup_free char *key = NULL, *registry = NULL, *path = NULL;
  char *user = NULL, *pass = NULL, *stored_user = NULL, *stored_pass = NULL;
  int ret = 125;

  PARSE (opts, o, "[options] [REGISTRY]", true);
  if (args[0] && args[1])
    return cli_usage_error (ctx, "accepts at most 1 arg(s), received %zu",
                            husk_strv_len (args)), cli_fail (ctx);
  if (o.password_stdin && o.password)
    return husk_error_makex (&ctx->err, EINVAL, "Can't specify both --password-stdin and "
                             "--password"), cli_fail (ctx);
  if (o.password_stdin && o.username == NULL)
    return husk_error_makex (&ctx->err, EINVAL, "Must provide --username with "
                             "--password-stdin"), cli_fail (ctx);
  if (husk_op_login_key (args[0], &key, &registry, &ctx->err) < 0)
    return cli_fail (ctx);
  if (o.get_login)
    {
      if (husk_op_login_stored (key, o.authfile, &stored_user, &stored_pass, &ctx->err) < 0)
        return cli_fail (ctx);
      free_secret (stored_pass);
      if (stored_user == NULL || *stored_user == '\0')
        return free (stored_user), husk_error_makex (&ctx->err, ENOENT, "not logged into %s",
                                                      key), cli_fail (ctx);
      printf ("%s\n", stored_user);
      free (stored_user);
      return 0;
    }
  /* From here on the registry is needed: the static husk becomes
     husk-registry now, before standard input is read.  */
  if (husk_op_registry_reach (&ctx->err) < 0)
    return cli_fail (ctx);
  struct husk_registry_opts ro = { .tls_verify = o.tls_verify, .cert_dir = o.cert_dir,
                                   .authfile = o.authfile, .retries = 0 };
  if (husk_op_login_stored (key, o.authfile, &stored_user, &stored_pass, &ctx->err) < 0)
    return cli_fail (ctx);
  user = o.username ? husk_xstrdup (o.username) : NULL;
  pass = o.password ? husk_xstrdup (o.password) : o.password_stdin ? read_stdin_password () : NULL;
  if (user == NULL && pass == NULL && stored_user && stored_pass && *stored_user
      && try_stored (ctx, key, registry, stored_user, stored_pass, &ro))
    ret = 0;
  else if ((user && pass) || prompt (ctx, stored_user, &user, &pass) == 0)
    {
      if (husk_op_login (key, registry, user, pass, &ro, &path, &ctx->err) == 0)
        {
          if (o.verbose)
            printf ("Used:  %s\n", path);
          printf ("Login Succeeded!\n");
          ret = 0;
        }
    }
  free (user);
  free_secret (pass);
  free (stored_user);
  free_secret (stored_pass);
  return ret == 0 ? 0 : cli_fail (ctx);
}

struct logout_opts
{
  char *authfile;
  bool all;
};

#undef O
#define O(f) offsetof (struct logout_opts, f)

int
cmd_logout (struct cli_ctx *ctx, int argc, char **argv)
{
  static const struct cli_option opts[] = {
    { "all", 'a', OPT_BOOL, O (all), NULL, "Remove the cached credentials for all registries in the auth file" },
    { "authfile", 0, OPT_STRING, O (authfile), "string", "path of the authentication file. Use REGISTRY_AUTH_FILE environment variable to override" },
    OPTION_REFUSED ("compat-auth-file", 0, "writing Docker's config.json format is not supported: use --authfile"),
    OPTION_END,
  };
  struct logout_opts o = { 0 };
  cleanup_free char *key = NULL, *registry = NULL;

  PARSE (opts, o, "[options] [REGISTRY]", true);
  if (o.all)
    {
      if (args[0])
        return husk_error_makex (&ctx->err, EINVAL, "--all takes no arguments"), cli_fail (ctx);
      if (husk_op_logout (NULL, o.authfile, &ctx->err) < 0)
        return cli_fail (ctx);
      printf ("Removed login credentials for all registries\n");
      return 0;
    }
  if (args[0] && args[1])
    return cli_usage_error (ctx, "accepts at most 1 arg(s), received %zu",
                            husk_strv_len (args)), cli_fail (ctx);
  if (husk_op_login_key (args[0], &key, &registry, &ctx->err) < 0
      || husk_op_logout (key, o.authfile, &ctx->err) < 0)
    return cli_fail (ctx);
  printf ("Removed login credentials for %s\n", key);
  return 0;
}

struct search_opts
{
  char *authfile, *cert_dir, *creds, *format;
  char **filter;
  long limit;
  bool compatible, list_tags, no_trunc;
  int tls_verify; /* -1 not given */
};

#undef O
#define O(f) offsetof (struct search_opts, f)

/* --list-tags --format json: one object per repository with its tags.  */
static json_t *
tags_json (json_t *rows)
{
  json_t *out = json_array (), *r, *last = NULL;
  size_t i;

  json_array_foreach (rows, i, r)
    {
      json_t *name = json_object_get (r, "Name");
      if (last == NULL || !json_equal (json_object_get (last, "Name"), name))
        {
          last = json_pack ("{s:O,s:[]}", "Name", name, "Tags");
          json_array_append_new (out, last);
        }
      json_array_append (json_object_get (last, "Tags"), json_object_get (r, "Tag"));
    }
  return out;
}

int
cmd_search (struct cli_ctx *ctx, int argc, char **argv)
{
  static const struct cli_option opts[] = {
    { "authfile", 0, OPT_STRING, O (authfile), "string", "Path of the authentication file. Use REGISTRY_AUTH_FILE environment variable to override" },
    { "cert-dir", 0, OPT_STRING, O (cert_dir), "Pathname", "Pathname of a directory containing TLS certificates and keys" },
    { "compatible", 0, OPT_BOOL, O (compatible), NULL, "List stars, official and automated columns (Docker compatibility)" },
    { "creds", 0, OPT_STRING, O (creds), "[username[:password]]", "Credentials (USERNAME:PASSWORD) to use for authenticating to a registry" },
    { "filter", 'f', OPT_STRV, O (filter), "strings", "Filter output based on conditions provided (default [])" },
    { "format", 0, OPT_STRING, O (format), "string", "Change the output format to JSON or a Go template" },
    { "limit", 0, OPT_INT, O (limit), "int", "Limit the number of results" },
    { "list-tags", 0, OPT_BOOL, O (list_tags), NULL, "List the tags of the input registry" },
    { "no-trunc", 0, OPT_BOOL, O (no_trunc), NULL, "Do not truncate the output" },
    { "tls-verify", 0, OPT_TRISTATE, O (tls_verify), NULL, "Require HTTPS and verify certificates when contacting registries" },
    OPTION_END,
  };
  struct search_opts o = { .tls_verify = -1 };
  cleanup_json json_t *rows = NULL, *json_rows = NULL, *headers = NULL;
  const char *table = "table {{.Name}}\t{{.Description}}";

  PARSE (opts, o, "[options] TERM", true);
  if (args[0] == NULL || args[1])
    return cli_usage_error (ctx, "accepts 1 arg(s), received %zu", husk_strv_len (args)),
           cli_fail (ctx);
  if (o.authfile && access (o.authfile, F_OK) < 0)
    return husk_error_make (&ctx->err, errno, "stat %s", o.authfile), cli_fail (ctx);
  struct husk_search_opts so = {
    .reg = { .tls_verify = o.tls_verify, .cert_dir = o.cert_dir, .authfile = o.authfile,
             .creds = o.creds, .retries = 0 },
    .limit = (int) o.limit, .list_tags = o.list_tags, .no_trunc = o.no_trunc,
    .filters = o.filter,
  };
  if (husk_op_search (args[0], &so, &rows, &ctx->err) < 0)
    return cli_fail (ctx);
  if (json_array_size (rows) == 0)
    return 0;
  if (o.list_tags)
    {
      table = "table {{.Name}}\t{{.Tag}}";
      json_rows = tags_json (rows);
    }
  else if (o.compatible)
    table = "table {{.Name}}\t{{.Description}}\t{{.Stars}}\t{{.Official}}\t{{.Automated}}";
  return cli_print_list (ctx, o.format, table, NULL, rows, json_rows, false) < 0
         ? cli_fail (ctx) : 0;
}
