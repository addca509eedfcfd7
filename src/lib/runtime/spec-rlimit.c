/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Resource limits of the container process: --ulimit entries, and Podman's
 * defaults (RLIMIT_NOFILE 1048576, RLIMIT_NPROC 4194304).
 *
 * The runtime sets the limits with setrlimit() in the container, and
 * raising a hard limit needs CAP_SYS_RESOURCE in the initial user
 * namespace.  Rootless users never have it, and some hosts withhold it even
 * from root (see shared/ENVIRONMENT.md), where Podman's defaults make every
 * container fail to start.  So, unless the caller can raise limits, the
 * defaults are lowered to the caller's current hard limits, and an explicit
 * --ulimit above them is refused here, naming the limit, instead of by the
 * runtime with "Operation not permitted".
 */
#include "runtime/spec-private.h"
#include "userns/userns.h"
#include "util/cleanup.h"
#include "util/fileutil.h"
#include "util/strutil.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>

#define UNLIMITED UINT64_MAX
#define CAP_SYS_RESOURCE_BIT 24

static const struct
{
  const char *name;
  int resource;
} names[] = {
  { "core", RLIMIT_CORE },         { "cpu", RLIMIT_CPU },
  { "data", RLIMIT_DATA },         { "fsize", RLIMIT_FSIZE },
  { "locks", RLIMIT_LOCKS },       { "memlock", RLIMIT_MEMLOCK },
  { "msgqueue", RLIMIT_MSGQUEUE }, { "nice", RLIMIT_NICE },
  { "nofile", RLIMIT_NOFILE },     { "nproc", RLIMIT_NPROC },
  { "rss", RLIMIT_RSS },           { "rtprio", RLIMIT_RTPRIO },
  { "rttime", RLIMIT_RTTIME },     { "sigpending", RLIMIT_SIGPENDING },
  { "stack", RLIMIT_STACK },
};
#define N_NAMES (sizeof names / sizeof names[0])

struct limit
{
  int resource;
  const char *name;
  uint64_t soft, hard;
  const char *given; /* the --ulimit entry, NULL for a default */
};

static bool
has_cap_sys_resource (void)
{
  cleanup_free char *status = husk_read_file ("/proc/self/status", NULL, NULL);
  const char *p;
  uint64_t eff;

  if (status == NULL || (p = strstr (status, "\nCapEff:")) == NULL)
    return false;
  if (sscanf (p + 8, "%" SCNx64, &eff) != 1)
    return false;
  return (eff >> CAP_SYS_RESOURCE_BIT) & 1;
}

void
husk_spec_host_limits (struct husk_spec_host_limits *h)
{
  cleanup_free char *nr_open = husk_read_file ("/proc/sys/fs/nr_open", NULL, NULL);

  memset (h, 0, sizeof *h);
  /* CAP_SYS_RESOURCE of a user namespace does not raise hard limits: only
     the initial namespace's does.  */
  h->can_raise = !husk_userns_rootless () && has_cap_sys_resource ();
  for (int i = 0; i < 16; i++)
    {
      struct rlimit rl;

      h->hard[i] = UNLIMITED;
      if (getrlimit (i, &rl) == 0)
        h->hard[i] = rl.rlim_max == RLIM_INFINITY ? UNLIMITED : (uint64_t) rl.rlim_max;
    }
  h->nr_open = nr_open ? strtoull (nr_open, NULL, 10) : 1048576;
  if (h->nr_open == 0)
    h->nr_open = 1048576;
}

/* "-1" (unlimited) or a decimal below 2^63.  */
static bool
parse_value (const char *s, size_t n, uint64_t *out)
{
  uint64_t v = 0;

  if (n == 2 && memcmp (s, "-1", 2) == 0)
    {
      *out = UNLIMITED;
      return true;
    }
  if (n == 0 || n > 19)
    return false;
  for (size_t i = 0; i < n; i++)
    {
      if (s[i] < '0' || s[i] > '9')
        return false;
      v = v * 10 + (uint64_t) (s[i] - '0');
    }
  if (v > INT64_MAX)
    return false;
  *out = v;
  return true;
}

static int
parse_ulimit (const char *u, struct limit *l, husk_error_t *err)
{
  const char *eq = strchr (u, '=');
  const char *val, *colon;
  size_t i;

  if (eq == NULL)
    return husk_error_makex (err, EINVAL, "invalid ulimit \"%s\": expected NAME=SOFT[:HARD]",
                             u);
  for (i = 0; i < N_NAMES; i++)
    if (strlen (names[i].name) == (size_t) (eq - u)
        && strncasecmp (u, names[i].name, eq - u) == 0)
      break;
  if (i == N_NAMES)
    return husk_error_makex (err, EINVAL, "invalid ulimit \"%s\": unknown limit name", u);
  val = eq + 1;
  colon = strchr (val, ':');
  if (!parse_value (val, colon ? (size_t) (colon - val) : strlen (val), &l->soft)
      || (colon && !parse_value (colon + 1, strlen (colon + 1), &l->hard)))
    return husk_error_makex (err, EINVAL, "invalid ulimit \"%s\"", u);
  if (colon == NULL)
    l->hard = l->soft;
  if (l->soft > l->hard)
    return husk_error_makex (err, EINVAL,
                             "invalid ulimit \"%s\": soft limit is above the hard limit", u);
  l->resource = names[i].resource;
  l->name = names[i].name;
  l->given = u;
  return 0;
}

static char *
show (uint64_t v)
{
  return v == UNLIMITED ? husk_xstrdup ("unlimited") : husk_asprintf ("%" PRIu64, v);
}

/* Fit l under what the host allows.  Defaults shrink; explicit limits that
   do not fit are errors.  */
static int
fit (struct limit *l, const struct husk_spec_host_limits *h, husk_error_t *err)
{
  uint64_t max = h->can_raise ? UNLIMITED : h->hard[l->resource];
  const char *why = "which cannot be raised without CAP_SYS_RESOURCE";

  if (l->resource == RLIMIT_NOFILE && h->nr_open < max)
    {
      max = h->nr_open;
      why = "the kernel's fs.nr_open";
    }
  if (l->hard <= max)
    return 0;
  if (l->given == NULL)
    {
      l->hard = max;
      if (l->soft > max)
        l->soft = max;
      return 0;
    }
  cleanup_free char *m = show (max);
  return husk_error_makex (err, EINVAL,
                           "invalid ulimit \"%s\": above the current hard limit %s, %s",
                           l->given, m, why);
}

static json_t *
limit_json (const struct limit *l)
{
  cleanup_free char *type = husk_asprintf ("RLIMIT_%s", l->name);

  for (char *p = type; *p; p++)
    if (*p >= 'a' && *p <= 'z')
      *p = (char) (*p - 'a' + 'A');
  return json_pack ("{s:s, s:I, s:I}", "type", type,
                    "hard", l->hard == UNLIMITED ? (json_int_t) -1 : (json_int_t) l->hard,
                    "soft", l->soft == UNLIMITED ? (json_int_t) -1 : (json_int_t) l->soft);
}

/* --ulimit host: the caller's own limits, all of them.  */
static json_t *
host_limits (void)
{
  json_t *a = json_array ();

  for (size_t i = 0; i < N_NAMES; i++)
    {
      struct rlimit rl;
      struct limit l = { names[i].resource, names[i].name, 0, 0, NULL };

      if (getrlimit (names[i].resource, &rl) < 0)
        continue;
      l.soft = rl.rlim_cur == RLIM_INFINITY ? UNLIMITED : (uint64_t) rl.rlim_cur;
      l.hard = rl.rlim_max == RLIM_INFINITY ? UNLIMITED : (uint64_t) rl.rlim_max;
      json_array_append_new (a, limit_json (&l));
    }
  return a;
}

json_t *
husk_spec_rlimits (json_t *ulimits, bool clamp, const struct husk_spec_host_limits *h,
                   husk_error_t *err)
{
  struct limit defaults[] = {
    { RLIMIT_NOFILE, "nofile", 1048576, 1048576, NULL },
    { RLIMIT_NPROC, "nproc", 4194304, 4194304, NULL },
  };
  cleanup_json json_t *out = json_array ();
  bool seen[16] = { false };
  size_t i;
  json_t *v;

  json_array_foreach (ulimits, i, v)
    {
      const char *u = json_string_value (v);
      struct limit l = { 0, NULL, 0, 0, NULL };

      if (strcmp (u, "host") == 0)
        {
          if (json_array_size (ulimits) != 1)
            {
              husk_error_makex (err, EINVAL, "--ulimit host cannot be combined with other limits");
              return NULL;
            }
          return host_limits ();
        }
      if (parse_ulimit (u, &l, err) < 0)
        return NULL;
      if (seen[l.resource])
        {
          husk_error_makex (err, EINVAL, "invalid ulimit \"%s\": \"%s\" given twice", u, l.name);
          return NULL;
        }
      seen[l.resource] = true;
      if (clamp && fit (&l, h, err) < 0)
        return NULL;
      json_array_append_new (out, limit_json (&l));
    }
  for (i = 0; i < sizeof defaults / sizeof defaults[0]; i++)
    {
      if (seen[defaults[i].resource])
        continue;
      if (clamp)
        fit (&defaults[i], h, NULL);
      json_array_append_new (out, limit_json (&defaults[i]));
    }
  return steal_ptr (&out);
}
