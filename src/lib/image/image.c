/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Image configs and their Podman-shaped JSON views.  */
#include "image/image.h"
#include "util/cleanup.h"
#include "util/strutil.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int
husk_time_parse_rfc3339 (const char *s, int64_t *sec, long *nsec)
{
  struct tm tm = { 0 };
  const char *p;
  long frac = 0, scale = 100000000;
  int off = 0;

  if (s == NULL)
    return -1;
  p = strptime (s, "%Y-%m-%dT%H:%M:%S", &tm);
  if (p == NULL)
    p = strptime (s, "%Y-%m-%d %H:%M:%S", &tm);
  if (p == NULL)
    return -1;
  if (*p == '.')
    for (p++; isdigit ((unsigned char) *p); p++, scale /= 10)
      frac += scale > 0 ? (*p - '0') * scale : 0;
  if (*p == 'Z' || *p == 'z')
    p++;
  else if (*p == '+' || *p == '-')
    {
      int h, m;
      if (sscanf (p + 1, "%2d:%2d", &h, &m) != 2)
        return -1;
      off = (h * 3600 + m * 60) * (*p == '-' ? -1 : 1);
      p += 6;
    }
  else
    return -1;
  if (*p)
    return -1;
  *sec = (int64_t) timegm (&tm) - off;
  if (nsec)
    *nsec = frac;
  return 0;
}

char *
husk_time_format_rfc3339 (int64_t sec, long nsec)
{
  time_t t = (time_t) sec;
  struct tm tm;
  char base[64], frac[16] = "";

  gmtime_r (&t, &tm);
  strftime (base, sizeof base, "%Y-%m-%dT%H:%M:%S", &tm);
  if (nsec > 0)
    {
      int n = snprintf (frac, sizeof frac, ".%09ld", nsec);
      while (n > 1 && frac[n - 1] == '0')
        frac[--n] = '\0';
    }
  return husk_asprintf ("%s%sZ", base, frac);
}

int64_t
husk_image_config_created (json_t *config)
{
  int64_t sec = 0;

  if (husk_time_parse_rfc3339 (json_string_value (json_object_get (config, "created")),
                               &sec, NULL) < 0)
    return 0;
  return sec;
}

/* Parse a JSON array form (["a","b"]) or a shell form ("a b" -> sh -c).  */
static json_t *
exec_form (const char *arg, bool shell)
{
  json_t *j = json_loads (arg, JSON_DECODE_ANY, NULL);

  if (json_is_array (j))
    return j;
  json_decref (j);
  if (shell)
    return json_pack ("[s, s, s]", "/bin/sh", "-c", arg);
  return json_pack ("[s]", arg);
}

/* Split "a=b c=d" or "a b" into key and value pairs for ENV and LABEL.  */
static int
set_pairs (json_t *cfg, const char *key, const char *arg, bool as_env,
           husk_error_t *err)
{
  json_t *target = json_object_get (cfg, key);
  cleanup_free char *k = NULL, *v = NULL;
  const char *eq = strchr (arg, '=');
  const char *sp = strchr (arg, ' ');

  if (eq == NULL || (sp && sp < eq))
    {
      if (sp == NULL)
        return husk_error_makex (err, EINVAL, "%s requires a value: '%s'", key, arg);
      k = husk_xstrndup (arg, sp - arg);
      v = husk_xstrdup (sp + 1);
    }
  else
    {
      k = husk_xstrndup (arg, eq - arg);
      v = husk_xstrdup (eq + 1);
      if (v[0] == '"' && strlen (v) >= 2 && v[strlen (v) - 1] == '"')
        {
          memmove (v, v + 1, strlen (v));
          v[strlen (v) - 1] = '\0';
        }
    }
  if (as_env)
    {
      size_t i, klen = strlen (k);
      json_t *e;
      cleanup_free char *entry = husk_asprintf ("%s=%s", k, v);
      if (!json_is_array (target))
        json_object_set_new (cfg, key, target = json_array ());
      json_array_foreach (target, i, e)
        if (strncmp (json_string_value (e), k, klen) == 0
            && json_string_value (e)[klen] == '=')
          return json_array_set_new (target, i, json_string (entry)), 0;
      json_array_append_new (target, json_string (entry));
      return 0;
    }
  if (!json_is_object (target))
    json_object_set_new (cfg, key, target = json_object ());
  json_object_set_new (target, k, json_string (v));
  return 0;
}

/* "A=1 B=\"two words\"" sets two pairs; "A 1 2" (old form) sets A to "1 2". */
static int
set_all_pairs (json_t *cfg, const char *key, const char *arg, bool as_env,
               husk_error_t *err)
{
  const char *sp = strchr (arg, ' ');
  const char *eq = strchr (arg, '=');
  struct husk_buf tok = HUSK_BUF_INIT;
  bool quoted = false;
  int ret = 0;

  if (eq == NULL || (sp && sp < eq))
    return set_pairs (cfg, key, arg, as_env, err);
  for (const char *p = arg;; p++)
    {
      if (*p == '"')
        quoted = !quoted;
      if ((*p == ' ' && !quoted) || *p == '\0')
        {
          if (tok.len && (ret = set_pairs (cfg, key, tok.data, as_env, err)) < 0)
            break;
          husk_buf_release (&tok);
          if (*p == '\0')
            break;
          continue;
        }
      husk_buf_putc (&tok, *p);
    }
  husk_buf_release (&tok);
  return ret;
}

int
husk_image_apply_change (json_t *config, const char *change, husk_error_t *err)
{
  json_t *cfg = json_object_get (config, "config");
  const char *sp = strchr (change, ' ');
  cleanup_free char *ins = husk_xstrndup (change, sp ? (size_t) (sp - change) : strlen (change));
  const char *arg = sp ? sp + 1 : "";

  if (!json_is_object (cfg))
    json_object_set_new (config, "config", cfg = json_object ());
  for (char *p = ins; *p; p++)
    *p = toupper ((unsigned char) *p);
  while (*arg == ' ')
    arg++;
  if (strcmp (ins, "CMD") == 0)
    json_object_set_new (cfg, "Cmd", exec_form (arg, true));
  else if (strcmp (ins, "ENTRYPOINT") == 0)
    json_object_set_new (cfg, "Entrypoint", exec_form (arg, true));
  else if (strcmp (ins, "ENV") == 0 || strcmp (ins, "LABEL") == 0)
    return set_all_pairs (cfg, ins[0] == 'E' ? "Env" : "Labels", arg, ins[0] == 'E', err);
  else if (strcmp (ins, "USER") == 0)
    json_object_set_new (cfg, "User", json_string (arg));
  else if (strcmp (ins, "WORKDIR") == 0)
    json_object_set_new (cfg, "WorkingDir", json_string (arg));
  else if (strcmp (ins, "STOPSIGNAL") == 0)
    json_object_set_new (cfg, "StopSignal", json_string (arg));
  else if (strcmp (ins, "EXPOSE") == 0 || strcmp (ins, "VOLUME") == 0)
    {
      const char *key = ins[0] == 'E' ? "ExposedPorts" : "Volumes";
      json_t *set = json_object_get (cfg, key);
      cleanup_free char *port = NULL;
      if (!json_is_object (set))
        json_object_set_new (cfg, key, set = json_object ());
      if (ins[0] == 'E' && strchr (arg, '/') == NULL)
        port = husk_asprintf ("%s/tcp", arg);
      json_object_set_new (set, port ? port : arg, json_object ());
    }
  else if (strcmp (ins, "ONBUILD") == 0)
    {
      json_t *ob = json_object_get (cfg, "OnBuild");
      if (!json_is_array (ob))
        json_object_set_new (cfg, "OnBuild", ob = json_array ());
      json_array_append_new (ob, json_string (arg));
    }
  else
    return husk_error_makex (err, EINVAL, "invalid change \"%s\": unknown instruction \"%s\"",
                             change, ins);
  return 0;
}

/* RepoDigests: the stored ones, and "repo@<manifest digest>" for each
   repository the image is named in, as Podman derives them.  */
static json_t *
repo_digests (const struct husk_image_rec *r)
{
  json_t *a = husk_strv_json (r->digests);

  for (size_t i = 0; r->manifest_digest && r->names && r->names[i]; i++)
    {
      const char *colon = strrchr (r->names[i], ':');
      size_t len = colon && !strchr (colon, '/') ? (size_t) (colon - r->names[i])
                                                 : strlen (r->names[i]);
      cleanup_free char *rd = husk_asprintf ("%.*s@%s", (int) len, r->names[i],
                                             r->manifest_digest);
      bool dup = false;
      size_t k;
      json_t *v;
      json_array_foreach (a, k, v)
        dup = dup || strcmp (json_string_value (v), rd) == 0;
      if (!dup)
        json_array_append_new (a, json_string (rd));
    }
  return a;
}

static json_t *
copy_or (json_t *v, json_t *fallback)
{
  if (v)
    {
      json_decref (fallback);
      return json_deep_copy (v);
    }
  return fallback;
}

json_t *
husk_image_inspect_json (const struct husk_image_rec *r, json_t *config,
                         const char *driver, json_t *graph_data)
{
  json_t *cfg = json_object_get (config, "config");
  json_t *o = json_object ();
  cleanup_free char *created = husk_time_format_rfc3339 (r->created, 0);
  const char *created_s = json_string_value (json_object_get (config, "created"));
  json_t *layers = json_array ();

  json_object_set_new (o, "Id", json_string (r->id));
  json_object_set_new (o, "Digest", json_string (r->manifest_digest ? r->manifest_digest : ""));
  json_object_set_new (o, "RepoTags", husk_strv_json (r->names));
  json_object_set_new (o, "RepoDigests", repo_digests (r));
  json_object_set_new (o, "Parent", json_string (""));
  json_object_set_new (o, "Comment", copy_or (json_object_get (config, "comment"), json_string ("")));
  json_object_set_new (o, "Created", json_string (created_s ? created_s : created));
  json_object_set_new (o, "Config", copy_or (cfg, json_object ()));
  json_object_set_new (o, "Version", copy_or (json_object_get (config, "docker_version"), json_string ("")));
  json_object_set_new (o, "Author", copy_or (json_object_get (config, "author"), json_string ("")));
  json_object_set_new (o, "Architecture", copy_or (json_object_get (config, "architecture"), json_string ("")));
  json_object_set_new (o, "Os", copy_or (json_object_get (config, "os"), json_string ("")));
  json_object_set_new (o, "Size", json_integer (r->size));
  json_object_set_new (o, "VirtualSize", json_integer (r->size));
  json_object_set_new (o, "GraphDriver", json_pack ("{s:s, s:O}", "Name", driver,
                                                    "Data", graph_data ? graph_data : json_object ()));
  {
    size_t i;
    json_t *d;
    json_array_foreach (json_object_get (json_object_get (config, "rootfs"), "diff_ids"), i, d)
      json_array_append (layers, d);
  }
  json_object_set_new (o, "RootFS", json_pack ("{s:s, s:o}", "Type", "layers", "Layers", layers));
  json_object_set_new (o, "Labels", copy_or (json_object_get (cfg, "Labels"), json_object ()));
  json_object_set_new (o, "Annotations", json_object ());
  json_object_set_new (o, "ManifestType", json_string ("application/vnd.oci.image.manifest.v1+json"));
  json_object_set_new (o, "User", copy_or (json_object_get (cfg, "User"), json_string ("")));
  json_object_set_new (o, "History", copy_or (json_object_get (config, "history"), json_array ()));
  json_object_set_new (o, "NamesHistory", husk_strv_json (r->names));
  return o;
}

json_t *
husk_image_summary_json (const struct husk_image_rec *r, json_t *config)
{
  json_t *cfg = json_object_get (config, "config");
  cleanup_free char *created = husk_time_format_rfc3339 (r->created, 0);
  json_t *o = json_object ();

  json_object_set_new (o, "Id", json_string (r->id));
  json_object_set_new (o, "ParentId", json_string (""));
  json_object_set_new (o, "RepoTags", husk_strv_json (r->names));
  json_object_set_new (o, "RepoDigests", repo_digests (r));
  json_object_set_new (o, "Size", json_integer (r->size));
  json_object_set_new (o, "SharedSize", json_integer (0));
  json_object_set_new (o, "VirtualSize", json_integer (r->size));
  json_object_set_new (o, "Labels", copy_or (json_object_get (cfg, "Labels"), json_object ()));
  json_object_set_new (o, "Containers", json_integer (0));
  json_object_set_new (o, "Names", husk_strv_json (r->names));
  json_object_set_new (o, "Digest", json_string (r->manifest_digest ? r->manifest_digest : ""));
  json_object_set_new (o, "History", husk_strv_json (r->names));
  json_object_set_new (o, "Created", json_integer (r->created));
  json_object_set_new (o, "CreatedAt", json_string (created));
  return o;
}
