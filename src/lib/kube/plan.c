/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Kubernetes documents -> a plan of volumes, pods and container create
 * requests (kube.h).  The documents are untrusted: every value's type is
 * checked before use, and every field is either honoured, ignored because
 * it cannot change what runs on one host (listed in ignored[] tables and
 * in docs/design/kube.md), or refused by name.  The requests are the same
 * the `pod create` and `create` flags make (pod/pod.h,
 * container/ccfg-build.h), so every value is checked again there.
 */
#include "kube/kube.h"
#include "util/cleanup.h"
#include "util/strutil.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

struct ctx
{
  const struct husk_kube_plan_opts *o;
  json_t *configmaps; /* name -> its "data" object */
  json_t *warnings;
  json_t *volumes; /* the plan's volumes (kube down adds configMap ones) */
  const char *default_restart; /* a pod's restartPolicy when not given */
  husk_error_t *err;
};

static int bad (struct ctx *c, const char *where, const char *fmt, ...)
  __attribute__ ((format (printf, 3, 4)));

/* EINVAL "WHERE: MESSAGE".  */
static int
bad (struct ctx *c, const char *where, const char *fmt, ...)
{
  va_list ap;
  cleanup_free char *msg = NULL;

  va_start (ap, fmt);
  msg = husk_vasprintf (fmt, ap);
  va_end (ap);
  return husk_error_makex (c->err, EINVAL, "%s: %s", where, msg);
}

/* Every key of obj is allowed (honoured) or ignored; else refused.  */
static int
check_keys (struct ctx *c, json_t *obj, const char *where, const char *const *allowed,
            const char *const *ignored)
{
  const char *k;
  json_t *v;

  json_object_foreach (obj, k, v)
    {
      bool ok = false;

      for (size_t i = 0; allowed[i] && !ok; i++)
        ok = strcmp (allowed[i], k) == 0;
      for (size_t i = 0; ignored && ignored[i] && !ok; i++)
        ok = strcmp (ignored[i], k) == 0;
      if (!ok)
        return bad (c, where, "field \"%s\" is not supported by husk", k);
    }
  return 0;
}

/* Typed members: 0 with *out (NULL when absent or null), -1 when of
   another type.  */
static int
get_typed (struct ctx *c, json_t *obj, const char *key, const char *where, json_type type,
           const char *what, json_t **out)
{
  json_t *v = json_object_get (obj, key);

  *out = NULL;
  if (v == NULL || json_is_null (v))
    return 0;
  if (json_typeof (v) != type && !(type == JSON_TRUE && json_is_boolean (v)))
    return bad (c, where, "\"%s\" must be %s", key, what);
  *out = v;
  return 0;
}

static int
get_obj (struct ctx *c, json_t *obj, const char *key, const char *where, json_t **out)
{
  return get_typed (c, obj, key, where, JSON_OBJECT, "a mapping", out);
}

static int
get_arr (struct ctx *c, json_t *obj, const char *key, const char *where, json_t **out)
{
  return get_typed (c, obj, key, where, JSON_ARRAY, "a list", out);
}

static int
get_str (struct ctx *c, json_t *obj, const char *key, const char *where, const char **out)
{
  json_t *v;

  *out = NULL;
  if (get_typed (c, obj, key, where, JSON_STRING, "a string", &v) < 0)
    return -1;
  if (v && strlen (json_string_value (v)) != json_string_length (v))
    return bad (c, where, "\"%s\" holds a NUL byte", key);
  *out = v ? json_string_value (v) : NULL;
  return 0;
}

static int
need_str (struct ctx *c, json_t *obj, const char *key, const char *where, const char **out)
{
  if (get_str (c, obj, key, where, out) < 0)
    return -1;
  if (*out == NULL || **out == '\0')
    return bad (c, where, "\"%s\" is required", key);
  return 0;
}

static int
get_bool (struct ctx *c, json_t *obj, const char *key, const char *where, bool *out)
{
  json_t *v;

  if (get_typed (c, obj, key, where, JSON_TRUE, "true or false", &v) < 0)
    return -1;
  *out = v && json_is_true (v);
  return 0;
}

static int
get_int (struct ctx *c, json_t *obj, const char *key, const char *where, int64_t lo,
         int64_t hi, int64_t *out, bool *given)
{
  json_t *v = json_object_get (obj, key);

  *given = v != NULL && !json_is_null (v);
  if (!*given)
    return 0;
  if (!json_is_integer (v) || json_integer_value (v) < lo || json_integer_value (v) > hi)
    return bad (c, where, "\"%s\" must be an integer from %" PRId64 " to %" PRId64, key, lo,
                hi);
  *out = json_integer_value (v);
  return 0;
}

/* A list of strings, as a new array.  */
static int
get_strv (struct ctx *c, json_t *obj, const char *key, const char *where, json_t **out)
{
  json_t *arr, *v;
  size_t i;

  *out = NULL;
  if (get_arr (c, obj, key, where, &arr) < 0)
    return -1;
  if (arr == NULL)
    return 0;
  json_array_foreach (arr, i, v)
    if (!json_is_string (v) || strlen (json_string_value (v)) != json_string_length (v))
      return bad (c, where, "\"%s[%zu]\" must be a string", key, i);
  *out = json_deep_copy (arr);
  return 0;
}

/* "k=v" strings from a mapping of strings (labels, annotations).  */
static int
map_kv (struct ctx *c, json_t *obj, const char *key, const char *where, json_t **out)
{
  json_t *m, *v;
  const char *k;

  *out = NULL;
  if (get_obj (c, obj, key, where, &m) < 0)
    return -1;
  if (m == NULL)
    return 0;
  *out = json_array ();
  json_object_foreach (m, k, v)
    {
      if (!json_is_string (v))
        return json_decref (*out), *out = NULL,
               bad (c, where, "%s \"%s\" must be a string", key, k);
      if (*k == '\0' || strchr (k, '='))
        return json_decref (*out), *out = NULL, bad (c, where, "bad %s key \"%s\"", key, k);
      json_array_append_new (*out, json_sprintf ("%s=%s", k, json_string_value (v)));
    }
  return 0;
}

/* ---- quantities ---------------------------------------------------------- */

int
husk_kube_quantity (const char *s, int64_t *milli, husk_error_t *err)
{
  static const struct
  {
    const char *suffix;
    int64_t mult; /* in thousandths */
  } units[] = {
    { "Ki", 1000LL << 10 }, { "Mi", 1000LL << 20 }, { "Gi", 1000LL << 30 },
    { "Ti", 1000LL << 40 }, { "Pi", 1000LL << 50 }, { "k", 1000000LL },
    { "M", 1000000000LL },  { "G", 1000000000000LL }, { "T", 1000000000000000LL },
    { "P", 1000000000000000000LL }, { "m", 1 }, { "", 1000 },
  };
  const char *p = s;
  int64_t whole = 0, frac = 0, v;
  int frac_digits = 0;

  if (*p == '\0' || *p < '0' || *p > '9')
    return husk_error_makex (err, EINVAL, "quantity \"%s\": must start with a digit", s);
  for (; *p >= '0' && *p <= '9'; p++)
    if (__builtin_mul_overflow (whole, 10, &whole)
        || __builtin_add_overflow (whole, *p - '0', &whole))
      return husk_error_makex (err, EINVAL, "quantity \"%s\": too large", s);
  if (*p == '.')
    for (p++; *p >= '0' && *p <= '9'; p++)
      {
        if (++frac_digits > 3)
          return husk_error_makex (err, EINVAL, "quantity \"%s\": more than 3 decimals", s);
        frac = frac * 10 + (*p - '0');
      }
  for (int i = frac_digits; i < 3; i++)
    frac *= 10;
  for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
    {
      if (strcmp (p, units[i].suffix) != 0)
        continue;
      /* (whole + frac/1000) * mult, in thousandths.  */
      if (__builtin_mul_overflow (whole, units[i].mult, &v))
        return husk_error_makex (err, EINVAL, "quantity \"%s\": too large", s);
      if (units[i].mult == 1 && frac != 0)
        return husk_error_makex (err, EINVAL, "quantity \"%s\": fractions of milli-units",
                                 s);
      if (__builtin_add_overflow (v, frac * (units[i].mult / 1000), &v))
        return husk_error_makex (err, EINVAL, "quantity \"%s\": too large", s);
      *milli = v;
      return 0;
    }
  return husk_error_makex (err, EINVAL, "quantity \"%s\": unknown suffix \"%s\"", s, p);
}

/* A quantity given as a string or an integer.  */
static int
get_quantity (struct ctx *c, json_t *obj, const char *key, const char *where, int64_t *milli,
              bool *given)
{
  json_t *v = json_object_get (obj, key);
  cleanup_free char *s = NULL;
  husk_error_t e = NULL;

  *given = v != NULL && !json_is_null (v);
  if (!*given)
    return 0;
  if (json_is_integer (v) && json_integer_value (v) >= 0)
    s = husk_asprintf ("%" JSON_INTEGER_FORMAT, json_integer_value (v));
  else if (json_is_string (v))
    s = husk_xstrdup (json_string_value (v));
  else
    return bad (c, where, "\"%s\" must be a quantity", key);
  if (husk_kube_quantity (s, milli, &e) < 0)
    {
      int r = bad (c, where, "\"%s\": %s", key, e->msg);
      husk_error_release (&e);
      return r;
    }
  return 0;
}

/* ---- containers ------------------------------------------------------------ */

/* The value of a configMapKeyRef, or NULL when optional and missing.  */
static int
configmap_key (struct ctx *c, json_t *ref, const char *where, const char **value)
{
  static const char *const keys[] = { "name", "key", "optional", NULL };
  const char *name, *key;
  bool optional;
  json_t *data;

  *value = NULL;
  if (check_keys (c, ref, where, keys, NULL) < 0 || need_str (c, ref, "name", where, &name) < 0
      || need_str (c, ref, "key", where, &key) < 0
      || get_bool (c, ref, "optional", where, &optional) < 0)
    return -1;
  data = json_object_get (c->configmaps, name);
  if (data == NULL && !optional)
    return bad (c, where, "ConfigMap \"%s\" not found", name);
  if (data && json_object_get (data, key))
    *value = json_string_value (json_object_get (data, key));
  else if (!optional)
    return bad (c, where, "key \"%s\" not found in ConfigMap \"%s\"", key, name);
  return 0;
}

static int
env_one (struct ctx *c, json_t *e, const char *where, json_t *env)
{
  static const char *const keys[] = { "name", "value", "valueFrom", NULL };
  static const char *const from_keys[] = { "configMapKeyRef", NULL };
  const char *name, *value;
  json_t *from, *ref;

  if (!json_is_object (e))
    return bad (c, where, "must be a mapping");
  if (check_keys (c, e, where, keys, NULL) < 0 || need_str (c, e, "name", where, &name) < 0
      || get_str (c, e, "value", where, &value) < 0
      || get_obj (c, e, "valueFrom", where, &from) < 0)
    return -1;
  if (strchr (name, '='))
    return bad (c, where, "bad name \"%s\"", name);
  if (from)
    {
      cleanup_free char *w = husk_asprintf ("%s.valueFrom", where);
      cleanup_free char *w2 = husk_asprintf ("%s.valueFrom.configMapKeyRef", where);

      if (check_keys (c, from, w, from_keys, NULL) < 0
          || get_obj (c, from, "configMapKeyRef", w, &ref) < 0)
        return -1;
      if (ref == NULL)
        return bad (c, w, "only configMapKeyRef is supported by husk");
      if (configmap_key (c, ref, w2, &value) < 0)
        return -1;
      if (value == NULL) /* optional and missing: no variable */
        return 0;
    }
  json_array_append_new (env, json_sprintf ("%s=%s", name, value ? value : ""));
  return 0;
}

static int
env_from_one (struct ctx *c, json_t *e, const char *where, json_t *env)
{
  static const char *const keys[] = { "configMapRef", "prefix", NULL };
  static const char *const ref_keys[] = { "name", "optional", NULL };
  const char *prefix, *name, *k;
  json_t *ref, *data, *v;
  bool optional;

  if (!json_is_object (e))
    return bad (c, where, "must be a mapping");
  if (check_keys (c, e, where, keys, NULL) < 0 || get_str (c, e, "prefix", where, &prefix) < 0
      || get_obj (c, e, "configMapRef", where, &ref) < 0)
    return -1;
  if (ref == NULL)
    return bad (c, where, "only configMapRef is supported by husk");
  if (check_keys (c, ref, where, ref_keys, NULL) < 0
      || need_str (c, ref, "name", where, &name) < 0
      || get_bool (c, ref, "optional", where, &optional) < 0)
    return -1;
  data = json_object_get (c->configmaps, name);
  if (data == NULL)
    return optional ? 0 : bad (c, where, "ConfigMap \"%s\" not found", name);
  json_object_foreach (data, k, v)
    json_array_append_new (env, json_sprintf ("%s%s=%s", prefix ? prefix : "", k,
                                              json_string_value (v)));
  return 0;
}

static int
container_env (struct ctx *c, json_t *ctr, const char *where, json_t *req)
{
  json_t *list, *e, *env = json_array ();
  size_t i;

  json_object_set_new (req, "env", env);
  if (get_arr (c, ctr, "envFrom", where, &list) < 0)
    return -1;
  json_array_foreach (list, i, e)
    {
      cleanup_free char *w = husk_asprintf ("%s.envFrom[%zu]", where, i);
      if (env_from_one (c, e, w, env) < 0)
        return -1;
    }
  if (get_arr (c, ctr, "env", where, &list) < 0)
    return -1;
  json_array_foreach (list, i, e)
    {
      cleanup_free char *w = husk_asprintf ("%s.env[%zu]", where, i);
      if (env_one (c, e, w, env) < 0)
        return -1;
    }
  return 0;
}

/* ports: containerPort with hostPort is published on the pod.  */
static int
container_ports (struct ctx *c, json_t *ctr, const char *where, json_t *pod_req)
{
  static const char *const keys[] = { "containerPort", "hostPort", "protocol", "hostIP",
                                      "name", NULL };
  json_t *list, *p, *publish = json_object_get (pod_req, "publish");
  size_t i;

  if (get_arr (c, ctr, "ports", where, &list) < 0)
    return -1;
  json_array_foreach (list, i, p)
    {
      cleanup_free char *w = husk_asprintf ("%s.ports[%zu]", where, i);
      cleanup_free char *proto = NULL;
      const char *protocol, *host_ip, *name;
      int64_t cport, hport = 0;
      bool has_c, has_h;

      if (!json_is_object (p))
        return bad (c, w, "must be a mapping");
      if (check_keys (c, p, w, keys, NULL) < 0
          || get_int (c, p, "containerPort", w, 1, 65535, &cport, &has_c) < 0
          || get_int (c, p, "hostPort", w, 0, 65535, &hport, &has_h) < 0
          || get_str (c, p, "protocol", w, &protocol) < 0
          || get_str (c, p, "hostIP", w, &host_ip) < 0 || get_str (c, p, "name", w, &name) < 0)
        return -1;
      if (!has_c)
        return bad (c, w, "\"containerPort\" is required");
      if (protocol && strcmp (protocol, "TCP") != 0 && strcmp (protocol, "UDP") != 0
          && strcmp (protocol, "SCTP") != 0)
        return bad (c, w, "unknown protocol \"%s\"", protocol);
      if (host_ip && (strchr (host_ip, '/') || strchr (host_ip, ' ')))
        return bad (c, w, "bad hostIP \"%s\"", host_ip);
      if (hport == 0)
        continue; /* not published (Podman 5 without --publish-all) */
      proto = husk_xstrdup (protocol ? protocol : "TCP");
      for (char *q = proto; *q; q++)
        *q = (char) (*q | 0x20);
      if (publish == NULL)
        json_object_set_new (pod_req, "publish", publish = json_array ());
      if (host_ip && *host_ip)
        json_array_append_new (publish, json_sprintf ("%s%s%s:%" PRId64 ":%" PRId64 "/%s",
                                                      strchr (host_ip, ':') ? "[" : "",
                                                      host_ip,
                                                      strchr (host_ip, ':') ? "]" : "",
                                                      hport, cport, proto));
      else
        json_array_append_new (publish, json_sprintf ("%" PRId64 ":%" PRId64 "/%s", hport,
                                                      cport, proto));
    }
  return 0;
}

/* volumeMounts against the pod's volumes (name -> "SRC" for a -v, "" for
   an anonymous volume, or {"tmpfs": true}).  */
static int
container_mounts (struct ctx *c, json_t *ctr, const char *where, json_t *vols, json_t *req)
{
  static const char *const keys[] = { "name", "mountPath", "readOnly", NULL };
  static const char *const ignored[] = { "mountPropagation", NULL };
  json_t *list, *m, *volumes = json_array (), *tmpfs = json_array ();
  size_t i;

  json_object_set_new (req, "volumes", volumes);
  json_object_set_new (req, "tmpfs", tmpfs);
  if (get_arr (c, ctr, "volumeMounts", where, &list) < 0)
    return -1;
  json_array_foreach (list, i, m)
    {
      cleanup_free char *w = husk_asprintf ("%s.volumeMounts[%zu]", where, i);
      const char *name, *path, *src;
      bool ro;
      json_t *v;

      if (!json_is_object (m))
        return bad (c, w, "must be a mapping");
      if (check_keys (c, m, w, keys, ignored) < 0 || need_str (c, m, "name", w, &name) < 0
          || need_str (c, m, "mountPath", w, &path) < 0
          || get_bool (c, m, "readOnly", w, &ro) < 0)
        return -1;
      if (path[0] != '/' || strpbrk (path, ":,"))
        return bad (c, w, "mountPath \"%s\" must be absolute, without ':' or ','", path);
      v = json_object_get (vols, name);
      if (v == NULL)
        return bad (c, w, "no volume named \"%s\" in the pod's volumes", name);
      ro = ro || json_is_true (json_object_get (v, "ro"));
      src = json_string_value (json_object_get (v, "src"));
      if (json_object_get (v, "tmpfs"))
        json_array_append_new (tmpfs, json_sprintf ("%s%s", path, ro ? ":ro" : ""));
      else if (*src == '\0')
        json_array_append_new (volumes, json_sprintf ("%s%s", path, ro ? ":ro" : ""));
      else
        json_array_append_new (volumes, json_sprintf ("%s:%s%s", src, path, ro ? ":ro" : ""));
    }
  return 0;
}

static int
container_security (struct ctx *c, json_t *ctr, const char *where, json_t *req)
{
  static const char *const keys[] = { "runAsUser", "runAsGroup", "privileged",
                                      "readOnlyRootFilesystem", "capabilities",
                                      "allowPrivilegeEscalation", NULL };
  static const char *const cap_keys[] = { "add", "drop", NULL };
  cleanup_free char *w = husk_asprintf ("%s.securityContext", where);
  json_t *sc, *caps, *add, *drop;
  int64_t uid = 0, gid = 0;
  bool has_uid, has_gid, priv, ro;
  json_t *ape;

  if (get_obj (c, ctr, "securityContext", where, &sc) < 0)
    return -1;
  if (sc == NULL)
    return 0;
  if (check_keys (c, sc, w, keys, NULL) < 0
      || get_int (c, sc, "runAsUser", w, 0, UINT32_MAX - 1, &uid, &has_uid) < 0
      || get_int (c, sc, "runAsGroup", w, 0, UINT32_MAX - 1, &gid, &has_gid) < 0
      || get_bool (c, sc, "privileged", w, &priv) < 0
      || get_bool (c, sc, "readOnlyRootFilesystem", w, &ro) < 0
      || get_typed (c, sc, "allowPrivilegeEscalation", w, JSON_TRUE, "true or false", &ape) < 0
      || get_obj (c, sc, "capabilities", w, &caps) < 0)
    return -1;
  if (has_gid && !has_uid)
    return bad (c, w, "runAsGroup without runAsUser is not supported by husk");
  if (has_uid)
    json_object_set_new (req, "user", has_gid ? json_sprintf ("%" PRId64 ":%" PRId64, uid, gid)
                                              : json_sprintf ("%" PRId64, uid));
  json_object_set_new (req, "privileged", json_boolean (priv));
  json_object_set_new (req, "read_only", json_boolean (ro));
  if (ape && json_is_false (ape))
    json_object_set_new (req, "security_opt", json_pack ("[s]", "no-new-privileges"));
  if (caps)
    {
      cleanup_free char *wc = husk_asprintf ("%s.capabilities", w);

      if (check_keys (c, caps, wc, cap_keys, NULL) < 0 || get_strv (c, caps, "add", wc, &add) < 0)
        return -1;
      if (add)
        json_object_set_new (req, "cap_add", add);
      if (get_strv (c, caps, "drop", wc, &drop) < 0)
        return -1;
      if (drop)
        json_object_set_new (req, "cap_drop", drop);
    }
  return 0;
}

static int
container_resources (struct ctx *c, json_t *ctr, const char *where, json_t *req)
{
  static const char *const keys[] = { "limits", "requests", NULL };
  static const char *const limit_keys[] = { "memory", "cpu", NULL };
  cleanup_free char *w = husk_asprintf ("%s.resources", where);
  cleanup_free char *wl = husk_asprintf ("%s.resources.limits", where);
  json_t *res, *lim, *reqs;
  int64_t mem, cpu;
  bool has_mem, has_cpu;

  if (get_obj (c, ctr, "resources", where, &res) < 0)
    return -1;
  if (res == NULL)
    return 0;
  /* requests only place a pod on a node; one host has nothing to place. */
  if (check_keys (c, res, w, keys, NULL) < 0 || get_obj (c, res, "limits", w, &lim) < 0
      || get_obj (c, res, "requests", w, &reqs) < 0)
    return -1;
  if (lim == NULL)
    return 0;
  if (check_keys (c, lim, wl, limit_keys, NULL) < 0
      || get_quantity (c, lim, "memory", wl, &mem, &has_mem) < 0
      || get_quantity (c, lim, "cpu", wl, &cpu, &has_cpu) < 0)
    return -1;
  if (has_mem)
    json_object_set_new (req, "memory", json_sprintf ("%" PRId64 "b", (mem + 999) / 1000));
  if (has_cpu)
    json_object_set_new (req, "cpus", json_sprintf ("%" PRId64 ".%03" PRId64, cpu / 1000,
                                                    cpu % 1000));
  return 0;
}

static int
pull_policy (struct ctx *c, json_t *ctr, const char *where, json_t *req)
{
  static const char *const k8s[] = { "Always", "IfNotPresent", "Never", NULL };
  static const char *const husk[] = { "always", "missing", "never" };
  const char *p;

  if (get_str (c, ctr, "imagePullPolicy", where, &p) < 0)
    return -1;
  if (p == NULL)
    return 0;
  for (size_t i = 0; k8s[i]; i++)
    if (strcmp (p, k8s[i]) == 0)
      return json_object_set_new (req, "pull", json_string (husk[i])), 0;
  return bad (c, where, "unknown imagePullPolicy \"%s\"", p);
}

static int
container_plan (struct ctx *c, json_t *ctr, const char *where, const char *pod_name,
                json_t *vols, json_t *pod_req, json_t *common, json_t *out)
{
  static const char *const keys[] = { "name", "image", "command", "args", "workingDir", "env",
                                      "envFrom", "ports", "volumeMounts", "securityContext",
                                      "resources", "imagePullPolicy", "stdin", "tty", NULL };
  static const char *const ignored[] = { "terminationMessagePath", "terminationMessagePolicy",
                                         NULL };
  cleanup_json json_t *req = json_deep_copy (common);
  const char *name, *image, *workdir;
  json_t *command, *args;
  bool tty, in;

  if (!json_is_object (ctr))
    return bad (c, where, "must be a mapping");
  if (check_keys (c, ctr, where, keys, ignored) < 0 || need_str (c, ctr, "name", where, &name) < 0
      || need_str (c, ctr, "image", where, &image) < 0
      || get_str (c, ctr, "workingDir", where, &workdir) < 0
      || get_strv (c, ctr, "command", where, &command) < 0)
    return -1;
  if (command)
    json_object_set_new (req, "entrypoint", command);
  if (get_strv (c, ctr, "args", where, &args) < 0)
    return -1;
  /* Kubernetes: command without args drops the image's CMD too.  */
  json_object_set_new (req, "command", args ? args : json_array ());
  if (workdir)
    json_object_set_new (req, "workdir", json_string (workdir));
  if (get_bool (c, ctr, "tty", where, &tty) < 0 || get_bool (c, ctr, "stdin", where, &in) < 0)
    return -1;
  json_object_set_new (req, "tty", json_boolean (tty));
  json_object_set_new (req, "interactive", json_boolean (in));
  if (container_env (c, ctr, where, req) < 0 || container_ports (c, ctr, where, pod_req) < 0
      || container_mounts (c, ctr, where, vols, req) < 0
      || container_security (c, ctr, where, req) < 0
      || container_resources (c, ctr, where, req) < 0 || pull_policy (c, ctr, where, req) < 0)
    return -1;
  json_object_set_new (req, "name", json_sprintf ("%s-%s", pod_name, name));
  json_array_append_new (out, json_pack ("{s:o, s:s, s:O}", "name",
                                         json_sprintf ("%s-%s", pod_name, name), "image", image,
                                         "req", req));
  return 0;
}

/* ---- pods ------------------------------------------------------------------ */

/* A file name for a ConfigMap key or item path: one component of
   Kubernetes' key characters, not "." or "..".  */
static bool
safe_file_name (const char *s)
{
  return *s && strspn (s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._")
                 == strlen (s)
         && strcmp (s, ".") != 0 && strcmp (s, "..") != 0 && strlen (s) <= 253;
}

/* A configMap volume: a named volume of the ConfigMap's name holding a
   file per key (or per item), mounted read-only.  */
/* The volume of a configMap volume: the ConfigMap's name, or with items
   or a defaultMode (another set of files) CONFIGMAP-POD-VOLUME.  */
static char *
configmap_volume_name (json_t *t, const char *pod, const char *volname)
{
  const char *cm = json_string_value (json_object_get (t, "name"));

  if (json_object_get (t, "items") || json_object_get (t, "defaultMode"))
    return husk_asprintf ("%s-%s-%s", cm, pod, volname);
  return husk_xstrdup (cm);
}

static int
configmap_volume (struct ctx *c, json_t *t, const char *w, json_t *files_out)
{
  static const char *const keys[] = { "name", "items", "defaultMode", "optional", NULL };
  static const char *const item_keys[] = { "key", "path", "mode", NULL };
  json_t *data, *items, *it, *v, *files = json_object ();
  const char *name, *k;
  int64_t mode = 0644;
  bool optional, given;
  size_t i;

  json_object_set_new (files_out, "files", files);
  if (check_keys (c, t, w, keys, NULL) < 0 || need_str (c, t, "name", w, &name) < 0
      || get_bool (c, t, "optional", w, &optional) < 0
      || get_int (c, t, "defaultMode", w, 0, 0777, &mode, &given) < 0
      || get_arr (c, t, "items", w, &items) < 0)
    return -1;
  if (strpbrk (name, ":,/"))
    return bad (c, w, "bad ConfigMap name \"%s\"", name);
  json_object_set_new (files_out, "mode", json_integer (mode));
  data = json_object_get (c->configmaps, name);
  if (data == NULL && !optional)
    return bad (c, w, "ConfigMap \"%s\" not found", name);
  if (items == NULL)
    {
      json_object_foreach (data, k, v)
        {
          if (!safe_file_name (k))
            return bad (c, w, "ConfigMap key \"%s\" is not a file name husk writes", k);
          json_object_set (files, k, v);
        }
      return 0;
    }
  json_array_foreach (items, i, it)
    {
      const char *key, *path;

      if (!json_is_object (it) || check_keys (c, it, w, item_keys, NULL) < 0
          || need_str (c, it, "key", w, &key) < 0 || need_str (c, it, "path", w, &path) < 0)
        return json_is_object (it) ? -1 : bad (c, w, "items[%zu] must be a mapping", i);
      if (json_object_get (it, "mode"))
        return bad (c, w, "items[%zu].mode is not supported by husk: use defaultMode", i);
      if (!safe_file_name (path))
        return bad (c, w, "items path \"%s\" must be one file name (no '/')", path);
      if ((v = json_object_get (data, key)) == NULL)
        {
          if (optional)
            continue;
          return bad (c, w, "key \"%s\" not found in ConfigMap \"%s\"", key, name);
        }
      json_object_set (files, path, v);
    }
  return 0;
}

/* The pod's volumes: name -> {"src", "ro"} for a -v (src "" for an
   anonymous volume) or {"tmpfs": true}; host paths to check go to
   hostpaths, configMap volumes' files to configmaps.  */
static int
pod_volumes (struct ctx *c, json_t *spec, const char *where, const char *pod, json_t *vols,
             json_t *hostpaths, json_t *configmaps)
{
  static const char *const keys[] = { "name", "hostPath", "emptyDir", "persistentVolumeClaim",
                                      "configMap", NULL };
  static const char *const hp_keys[] = { "path", "type", NULL };
  static const char *const ed_keys[] = { "medium", "sizeLimit", NULL };
  static const char *const pvc_keys[] = { "claimName", "readOnly", NULL };
  static const char *const types[] = { "", "Directory", "DirectoryOrCreate", "File",
                                       "FileOrCreate", "Socket", NULL };
  json_t *list, *v, *t;
  size_t i;

  if (get_arr (c, spec, "volumes", where, &list) < 0)
    return -1;
  json_array_foreach (list, i, v)
    {
      cleanup_free char *w = husk_asprintf ("%s.volumes[%zu]", where, i);
      const char *name, *s, *type;
      bool ok = false;

      if (!json_is_object (v))
        return bad (c, w, "must be a mapping");
      if (need_str (c, v, "name", w, &name) < 0)
        return -1;
      if (json_object_get (vols, name))
        return bad (c, w, "duplicate volume name \"%s\"", name);
      if (check_keys (c, v, w, keys, NULL) < 0)
        return -1;
      if (get_obj (c, v, "hostPath", w, &t) < 0)
        return -1;
      if (t)
        {
          if (check_keys (c, t, w, hp_keys, NULL) < 0 || need_str (c, t, "path", w, &s) < 0
              || get_str (c, t, "type", w, &type) < 0)
            return -1;
          if (s[0] != '/' || strpbrk (s, ":,"))
            return bad (c, w, "hostPath \"%s\" must be absolute, without ':' or ','", s);
          for (size_t k = 0; types[k] && !ok; k++)
            ok = strcmp (types[k], type ? type : "") == 0;
          if (!ok)
            return bad (c, w, "hostPath type \"%s\" is not supported by husk", type);
          json_object_set_new (vols, name, json_pack ("{s:s, s:b}", "src", s, "ro", 0));
          json_array_append_new (hostpaths, json_pack ("{s:s, s:s}", "path", s, "type",
                                                       type ? type : ""));
          continue;
        }
      if (get_obj (c, v, "emptyDir", w, &t) < 0)
        return -1;
      if (t || json_object_get (v, "emptyDir"))
        {
          const char *medium = NULL;

          if (t && (check_keys (c, t, w, ed_keys, NULL) < 0
                    || get_str (c, t, "medium", w, &medium) < 0))
            return -1;
          if (medium && *medium && strcmp (medium, "Memory") != 0)
            return bad (c, w, "emptyDir medium \"%s\" is not supported by husk", medium);
          /* An anonymous volume, or with medium Memory a tmpfs.  */
          json_object_set_new (vols, name, medium && *medium
                                             ? json_pack ("{s:b}", "tmpfs", 1)
                                             : json_pack ("{s:s, s:b}", "src", "", "ro", 0));
          continue;
        }
      if (get_obj (c, v, "persistentVolumeClaim", w, &t) < 0)
        return -1;
      if (t)
        {
          bool ro;

          if (check_keys (c, t, w, pvc_keys, NULL) < 0
              || need_str (c, t, "claimName", w, &s) < 0
              || get_bool (c, t, "readOnly", w, &ro) < 0)
            return -1;
          if (strpbrk (s, ":,/"))
            return bad (c, w, "bad claimName \"%s\"", s);
          json_object_set_new (vols, name, json_pack ("{s:s, s:b}", "src", s, "ro", ro));
          continue;
        }
      if (get_obj (c, v, "configMap", w, &t) < 0)
        return -1;
      if (t)
        {
          json_t *cm = json_object ();
          cleanup_free char *vol = NULL;

          json_array_append_new (configmaps, cm);
          if (configmap_volume (c, t, w, cm) < 0)
            return -1;
          vol = configmap_volume_name (t, pod, name);
          json_object_set_new (cm, "volume", json_string (vol));
          json_object_set_new (vols, name, json_pack ("{s:s, s:b}", "src", vol, "ro", 1));
          continue;
        }
      return bad (c, w, "volume \"%s\" has no type husk supports (hostPath, emptyDir, "
                  "persistentVolumeClaim, configMap)", name);
    }
  return 0;
}

static int
restart_policy (struct ctx *c, json_t *spec, const char *where, json_t *common)
{
  static const char *const k8s[] = { "Always", "OnFailure", "Never", NULL };
  static const char *const husk[] = { "always", "on-failure", "no" };
  const char *p;

  if (get_str (c, spec, "restartPolicy", where, &p) < 0)
    return -1;
  if (p == NULL)
    p = c->default_restart ? c->default_restart : "Always";
  for (size_t i = 0; k8s[i]; i++)
    if (strcmp (p, k8s[i]) == 0)
      return json_object_set_new (common, "restart", json_string (husk[i])), 0;
  return bad (c, where, "unknown restartPolicy \"%s\"", p);
}

static void
append_strv (json_t *obj, const char *key, char *const *v)
{
  json_t *arr = json_object_get (obj, key);

  if (v == NULL || v[0] == NULL)
    return;
  if (arr == NULL)
    json_object_set_new (obj, key, arr = json_array ());
  for (size_t i = 0; v[i]; i++)
    json_array_append_new (arr, json_string (v[i]));
}

/* The command line's settings for every pod and container.  */
static void
apply_opts (const struct husk_kube_plan_opts *o, json_t *req, json_t *common)
{
  if (o == NULL)
    return;
  append_strv (common, "annotations", o->annotations);
  append_strv (common, "log_opts", o->log_opts);
  if (o->log_driver)
    json_object_set_new (common, "log_driver", json_string (o->log_driver));
  if (o->userns)
    json_object_set_new (req, "userns", json_string (o->userns));
  if (o->no_hosts)
    json_object_set_new (req, "no_hosts", json_true ());
  if (o->quiet)
    json_object_set_new (common, "quiet", json_true ());
}

static json_t *
configmap_volume_json (json_t *t, const char *pod, json_t *v)
{
  cleanup_free char *n = configmap_volume_name (t, pod, json_string_value (json_object_get (v,
                                                                                           "name")));
  return json_string (n);
}

/* A pod from its metadata and spec (a Pod, or a Deployment's template). */
static int
pod_plan (struct ctx *c, json_t *meta, json_t *spec, const char *name, const char *where,
          json_t *pods)
{
  static const char *const keys[] = { "containers", "volumes", "restartPolicy", "hostname",
                                      "hostNetwork", "terminationGracePeriodSeconds", NULL };
  /* Scheduling and cluster-only settings: nothing to do on one host.  */
  static const char *const ignored[] = { "dnsPolicy", "enableServiceLinks",
                                         "automountServiceAccountToken", "nodeSelector",
                                         "nodeName", "schedulerName", "serviceAccountName",
                                         "serviceAccount", "priority", "tolerations",
                                         "affinity", "securityContext", NULL };
  cleanup_json json_t *req = json_object (), *common = json_object (), *vols = json_object ();
  cleanup_json json_t *hostpaths = json_array (), *ctrs = json_array ();
  cleanup_json json_t *cmvols = json_array ();
  cleanup_json json_t *labels = NULL, *annotations = NULL;
  json_t *list, *ctr, *psc;
  const char *hostname;
  bool host_net;
  int64_t grace;
  bool has_grace;
  size_t i;

  if (c->o && c->o->names_only)
    {
      json_t *vlist = json_object_get (spec, "volumes"), *v, *t;
      size_t k;

      /* kube down --force: the configMap volumes' names too.  */
      json_array_foreach (json_is_array (vlist) ? vlist : NULL, k, v)
        if (json_is_object (t = json_object_get (v, "configMap"))
            && json_is_string (json_object_get (t, "name"))
            && json_is_string (json_object_get (v, "name")))
          json_array_append_new (c->volumes, configmap_volume_json (t, name, v));
      json_array_append_new (pods, json_pack ("{s:s}", "name", name));
      return 0;
    }
  if (spec == NULL)
    return bad (c, where, "\"spec\" is required");
  if (check_keys (c, spec, where, keys, ignored) < 0)
    return -1;
  if (get_obj (c, spec, "securityContext", where, &psc) < 0)
    return -1;
  if (psc && json_object_size (psc) > 0)
    return bad (c, where, "a pod-level securityContext is not supported by husk: set it on "
                "each container");
  json_object_set_new (req, "name", json_string (name));
  if (map_kv (c, meta, "labels", where, &labels) < 0
      || map_kv (c, meta, "annotations", where, &annotations) < 0)
    return -1;
  if (labels)
    json_object_set (req, "labels", labels);
  if (labels)
    json_object_set (common, "labels", labels);
  if (annotations)
    json_object_set (common, "annotations", annotations);
  if (get_str (c, spec, "hostname", where, &hostname) < 0
      || get_bool (c, spec, "hostNetwork", where, &host_net) < 0
      || get_int (c, spec, "terminationGracePeriodSeconds", where, 0, 1000000, &grace,
                  &has_grace) < 0 || restart_policy (c, spec, where, common) < 0)
    return -1;
  if (hostname)
    json_object_set_new (req, "hostname", json_string (hostname));
  if (host_net)
    json_object_set_new (req, "network", json_string ("host"));
  else if (c->o && c->o->networks && c->o->networks[0])
    {
      json_t *nets = json_array ();

      for (size_t k = 0; c->o->networks[k]; k++)
        json_array_append_new (nets, json_string (c->o->networks[k]));
      json_object_set_new (req, "network", json_string (c->o->networks[0]));
      if (json_array_size (nets) > 1)
        json_object_set (req, "networks", nets);
      json_decref (nets);
    }
  if (has_grace)
    json_object_set_new (common, "stop_timeout", json_sprintf ("%" PRId64, grace));
  apply_opts (c->o, req, common);
  if (pod_volumes (c, spec, where, name, vols, hostpaths, cmvols) < 0)
    return -1;
  if (get_arr (c, spec, "containers", where, &list) < 0)
    return -1;
  if (json_array_size (list) == 0)
    return bad (c, where, "\"spec.containers\" must list at least one container");
  json_array_foreach (list, i, ctr)
    {
      cleanup_free char *w = husk_asprintf ("%s.containers[%zu]", where, i);
      if (container_plan (c, ctr, w, name, vols, req, common, ctrs) < 0)
        return -1;
    }
  /* The host's network has no ports to publish (Podman drops them).  */
  if (host_net)
    json_object_del (req, "publish");
  else if (c->o)
    append_strv (req, "publish", c->o->publish);
  json_array_foreach (ctrs, i, ctr)
    for (size_t k = i + 1; k < json_array_size (ctrs); k++)
      if (json_equal (json_object_get (ctr, "name"),
                      json_object_get (json_array_get (ctrs, k), "name")))
        return bad (c, where, "two containers named \"%s\"",
                    json_string_value (json_object_get (ctr, "name")));
  json_array_append_new (pods, json_pack ("{s:s, s:O, s:O, s:O, s:O}", "name", name, "req",
                                          req, "hostpaths", hostpaths, "configmaps", cmvols,
                                          "containers", ctrs));
  return 0;
}

static const char *const doc_keys[] = { "apiVersion", "kind", "metadata", "spec", NULL };
static const char *const doc_ignored[] = { "status", NULL };
static const char *const meta_keys[] = { "name", "labels", "annotations", NULL };
static const char *const meta_ignored[] = { "namespace", "creationTimestamp", "uid",
                                            "resourceVersion", "generation", NULL };

static int
meta_name (struct ctx *c, json_t *doc, const char *where, json_t **meta, const char **name)
{
  if (get_obj (c, doc, "metadata", where, meta) < 0)
    return -1;
  if (*meta == NULL)
    return bad (c, where, "\"metadata.name\" is required");
  if (check_keys (c, *meta, where, meta_keys, meta_ignored) < 0
      || need_str (c, *meta, "name", where, name) < 0)
    return -1;
  return 0;
}

/* Deployment, DaemonSet and Job: one pod NAME-pod from spec.template, as
   Podman makes it.  */
static int
workload_plan (struct ctx *c, json_t *doc, const char *kind, const char *where, json_t *pods)
{
  static const char *const dep_keys[] = { "replicas", "template", "selector", NULL };
  static const char *const dep_ignored[] = { "strategy", "revisionHistoryLimit",
                                             "progressDeadlineSeconds", "minReadySeconds",
                                             NULL };
  static const char *const ds_keys[] = { "template", "selector", NULL };
  static const char *const ds_ignored[] = { "updateStrategy", "revisionHistoryLimit",
                                            "minReadySeconds", NULL };
  static const char *const job_keys[] = { "template", "completions", "parallelism", NULL };
  static const char *const job_ignored[] = { "selector", "manualSelector", "backoffLimit",
                                             NULL };
  static const char *const tmpl_keys[] = { "metadata", "spec", NULL };
  bool job = strcmp (kind, "Job") == 0, dep = strcmp (kind, "Deployment") == 0;
  cleanup_free char *pod_name = NULL;
  json_t *meta, *spec, *tmpl, *tmeta, *tspec;
  const char *name, *restart;
  int64_t replicas = 1, n = 1;
  bool given;

  if (check_keys (c, doc, where, doc_keys, doc_ignored) < 0
      || meta_name (c, doc, where, &meta, &name) < 0 || get_obj (c, doc, "spec", where, &spec) < 0)
    return -1;
  if (spec == NULL)
    return bad (c, where, "\"spec\" is required");
  if (check_keys (c, spec, where, dep ? dep_keys : job ? job_keys : ds_keys,
                  dep ? dep_ignored : job ? job_ignored : ds_ignored) < 0
      || get_int (c, spec, "replicas", where, 0, INT32_MAX, &replicas, &given) < 0
      || get_int (c, spec, "completions", where, 0, INT32_MAX, &n, &given) < 0
      || (!given && get_int (c, spec, "parallelism", where, 0, INT32_MAX, &n, &given) < 0)
      || get_obj (c, spec, "template", where, &tmpl) < 0)
    return -1;
  if (job && (n > 1 || (json_is_integer (json_object_get (spec, "parallelism"))
                        && json_integer_value (json_object_get (spec, "parallelism")) > 1)))
    return bad (c, where, "a Job of more than one completion or parallel pod is not supported "
                "by husk");
  if (tmpl == NULL)
    return bad (c, where, "\"spec.template\" is required");
  if (check_keys (c, tmpl, where, tmpl_keys, NULL) < 0
      || get_obj (c, tmpl, "metadata", where, &tmeta) < 0
      || get_obj (c, tmpl, "spec", where, &tspec) < 0)
    return -1;
  if (tmeta && check_keys (c, tmeta, where, meta_keys, meta_ignored) < 0)
    return -1;
  if (job && tspec && get_str (c, tspec, "restartPolicy", where, &restart) == 0 && restart
      && strcmp (restart, "Never") != 0 && strcmp (restart, "OnFailure") != 0)
    return bad (c, where, "a Job's restartPolicy must be Never or OnFailure");
  if (replicas > 1)
    json_array_append_new (c->warnings, json_string ("Limiting replica count to 1, more than "
                                                     "one replica is not supported by husk"));
  /* Podman names the pod NAME-pod.  A Job's pod runs once unless told.  */
  pod_name = husk_asprintf ("%s-pod", name);
  c->default_restart = job ? "Never" : "Always";
  return pod_plan (c, tmeta ? tmeta : meta, tspec, pod_name, where, pods);
}

static int
configmap_read (struct ctx *c, json_t *doc, const char *where)
{
  static const char *const keys[] = { "apiVersion", "kind", "metadata", "data", NULL };
  static const char *const ignored[] = { "immutable", NULL };
  json_t *meta, *data, *v;
  const char *name, *k;

  if (check_keys (c, doc, where, keys, ignored) < 0 || meta_name (c, doc, where, &meta, &name) < 0
      || get_obj (c, doc, "data", where, &data) < 0)
    return -1;
  if (json_object_get (c->configmaps, name))
    return bad (c, where, "a second ConfigMap named \"%s\"", name);
  json_object_foreach (data, k, v)
    if (!json_is_string (v))
      return bad (c, where, "data \"%s\" must be a string", k);
  json_object_set_new (c->configmaps, name, data ? json_deep_copy (data) : json_object ());
  return 0;
}

static int
pvc_read (struct ctx *c, json_t *doc, const char *where, json_t *volumes)
{
  json_t *meta;
  const char *name;

  /* The spec (size, access modes, storage class) asks a cluster for
     storage; a local volume has no such bounds.  */
  if (check_keys (c, doc, where, doc_keys, doc_ignored) < 0
      || meta_name (c, doc, where, &meta, &name) < 0)
    return -1;
  if (strpbrk (name, ":,/"))
    return bad (c, where, "bad volume name \"%s\"", name);
  json_array_append_new (volumes, json_string (name));
  return 0;
}

/* "kind" of a document, checked.  */
static int
doc_kind (struct ctx *c, json_t *doc, size_t i, const char **kind)
{
  char where[64];

  snprintf (where, sizeof where, "document %zu", i + 1);
  if (!json_is_object (doc))
    return bad (c, where, "must be a mapping");
  if (need_str (c, doc, "kind", where, kind) < 0)
    return -1;
  return 0;
}

json_t *
husk_kube_plan (json_t *docs, const struct husk_kube_plan_opts *o, husk_error_t *err)
{
  cleanup_json json_t *cms = json_object (), *warnings = json_array ();
  cleanup_json json_t *volumes = json_array (), *pods = json_array ();
  struct ctx c = { .o = o, .configmaps = cms, .warnings = warnings, .volumes = volumes,
                   .err = err };
  const char *kind;
  size_t i;
  json_t *d;

  if (!json_is_array (docs) || json_array_size (docs) == 0)
    return husk_error_makex (err, EINVAL, "the YAML holds no documents"), NULL;
  /* ConfigMaps and PersistentVolumeClaims first, whatever their place.  */
  json_array_foreach (docs, i, d)
    {
      cleanup_free char *where = NULL;

      if (doc_kind (&c, d, i, &kind) < 0)
        return NULL;
      where = husk_asprintf ("document %zu (%s)", i + 1, kind);
      if (strcmp (kind, "ConfigMap") == 0 && configmap_read (&c, d, where) < 0)
        return NULL;
      if (strcmp (kind, "PersistentVolumeClaim") == 0 && pvc_read (&c, d, where, volumes) < 0)
        return NULL;
    }
  json_array_foreach (docs, i, d)
    {
      cleanup_free char *where = NULL;
      json_t *meta, *spec;
      const char *name;

      doc_kind (&c, d, i, &kind);
      if (strcmp (kind, "ConfigMap") == 0 || strcmp (kind, "PersistentVolumeClaim") == 0
          || strcmp (kind, "Service") == 0)
        continue; /* Services: what a cluster routes; the pod's hostPorts publish */
      if (strcmp (kind, "Pod") == 0)
        {
          where = husk_asprintf ("document %zu (Pod)", i + 1);
          if (check_keys (&c, d, where, doc_keys, doc_ignored) < 0
              || meta_name (&c, d, where, &meta, &name) < 0
              || get_obj (&c, d, "spec", where, &spec) < 0)
            return NULL;
          free (where);
          where = husk_asprintf ("Pod \"%s\": spec", name);
          c.default_restart = "Always";
          if (pod_plan (&c, meta, spec, name, where, pods) < 0)
            return NULL;
        }
      else if (strcmp (kind, "Deployment") == 0 || strcmp (kind, "DaemonSet") == 0
               || strcmp (kind, "Job") == 0)
        {
          where = husk_asprintf ("document %zu (%s)", i + 1, kind);
          if (workload_plan (&c, d, kind, where, pods) < 0)
            return NULL;
        }
      else
        return husk_error_makex (err, EINVAL, "document %zu: kind \"%s\" is not supported by "
                                 "husk (Pod, Deployment, DaemonSet, Job, "
                                 "PersistentVolumeClaim, ConfigMap, Service)", i + 1, kind),
               NULL;
    }
  json_array_foreach (pods, i, d)
    for (size_t k = i + 1; k < json_array_size (pods); k++)
      if (json_equal (json_object_get (d, "name"),
                      json_object_get (json_array_get (pods, k), "name")))
        return husk_error_makex (err, EINVAL, "two pods named \"%s\"",
                                 json_string_value (json_object_get (d, "name"))), NULL;
  return json_pack ("{s:O, s:O, s:O}", "volumes", volumes, "pods", pods, "warnings", warnings);
}
