/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Capabilities of the container process: Podman's default set, --cap-add,
 * --cap-drop (both accept "ALL") and --privileged.
 *
 * "All capabilities" (--privileged, --cap-add ALL) means all that the
 * kernel knows and that husk itself holds in its bounding set: a runtime
 * cannot grant more, and some hosts withhold capabilities even from root
 * (CAP_SYS_RESOURCE here, see shared/ENVIRONMENT.md).
 *
 * Root gets the resulting set as bounding, effective and permitted
 * capabilities, with empty inheritable and ambient sets (so an execve() of
 * a file with inheritable file capabilities gains nothing; CVE-2022-24769).
 * A non-root user gets the same bounding set, but only the capabilities
 * added with --cap-add in its effective, permitted, inheritable and ambient
 * sets: ambient capabilities are the only ones that survive the execve()
 * of an ordinary binary by a non-root user, and without --cap-add Podman
 * (and Docker) leave such a user with no capabilities at all.
 */
#include "runtime/spec-private.h"
#include "util/cleanup.h"
#include "util/fileutil.h"
#include "util/strutil.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* By number, as in <linux/capability.h>.  */
static const char *const cap_names[] = {
  "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER",
  "CAP_FSETID", "CAP_KILL", "CAP_SETGID", "CAP_SETUID", "CAP_SETPCAP",
  "CAP_LINUX_IMMUTABLE", "CAP_NET_BIND_SERVICE", "CAP_NET_BROADCAST",
  "CAP_NET_ADMIN", "CAP_NET_RAW", "CAP_IPC_LOCK", "CAP_IPC_OWNER",
  "CAP_SYS_MODULE", "CAP_SYS_RAWIO", "CAP_SYS_CHROOT", "CAP_SYS_PTRACE",
  "CAP_SYS_PACCT", "CAP_SYS_ADMIN", "CAP_SYS_BOOT", "CAP_SYS_NICE",
  "CAP_SYS_RESOURCE", "CAP_SYS_TIME", "CAP_SYS_TTY_CONFIG", "CAP_MKNOD",
  "CAP_LEASE", "CAP_AUDIT_WRITE", "CAP_AUDIT_CONTROL", "CAP_SETFCAP",
  "CAP_MAC_OVERRIDE", "CAP_MAC_ADMIN", "CAP_SYSLOG", "CAP_WAKE_ALARM",
  "CAP_BLOCK_SUSPEND", "CAP_AUDIT_READ", "CAP_PERFMON", "CAP_BPF",
  "CAP_CHECKPOINT_RESTORE",
};
#define N_CAPS ((int) (sizeof cap_names / sizeof cap_names[0]))

#define BIT(n) ((uint64_t) 1 << (n))

/* Podman's default_capabilities (containers.conf).  */
static const uint64_t default_set
    = BIT (0) /* CHOWN */ | BIT (1) /* DAC_OVERRIDE */ | BIT (3) /* FOWNER */
      | BIT (4) /* FSETID */ | BIT (5) /* KILL */ | BIT (6) /* SETGID */
      | BIT (7) /* SETUID */ | BIT (8) /* SETPCAP */
      | BIT (10) /* NET_BIND_SERVICE */ | BIT (18) /* SYS_CHROOT */
      | BIT (31) /* SETFCAP */;

int
husk_spec_parse_capability (const char *name)
{
  const char *bare = strncasecmp (name, "CAP_", 4) == 0 ? name + 4 : name;

  if (*bare == '\0')
    return -1;
  for (int i = 0; i < N_CAPS; i++)
    if (strcasecmp (bare, cap_names[i] + 4) == 0)
      return i;
  return -1;
}

const char *
husk_spec_capability_name (int cap)
{
  return cap >= 0 && cap < N_CAPS ? cap_names[cap] : NULL;
}

int
husk_spec_cap_last (void)
{
  cleanup_free char *s = husk_read_file ("/proc/sys/kernel/cap_last_cap", NULL, NULL);
  char *end;
  long v;

  if (s == NULL)
    return N_CAPS - 1;
  v = strtol (s, &end, 10);
  if (end == s || v < 0)
    return N_CAPS - 1;
  return v < N_CAPS - 1 ? (int) v : N_CAPS - 1;
}

uint64_t
husk_spec_cap_available (void)
{
  cleanup_free char *status = husk_read_file ("/proc/self/status", NULL, NULL);
  int last = husk_spec_cap_last ();
  uint64_t full = last >= 63 ? UINT64_MAX : BIT (last + 1) - 1;
  const char *p;
  uint64_t bnd;

  if (status == NULL || (p = strstr (status, "\nCapBnd:")) == NULL
      || sscanf (p + 8, "%" SCNx64, &bnd) != 1)
    return full;
  return bnd & full;
}

char **
husk_spec_cap_names (uint64_t mask)
{
  char **v = husk_xzalloc (sizeof *v);

  for (int i = 0; i < N_CAPS; i++)
    if (mask & BIT (i))
      husk_strv_append (&v, cap_names[i]);
  return v;
}

static json_t *
mask_to_json (uint64_t mask)
{
  json_t *a = json_array ();

  for (int i = 0; i < N_CAPS; i++)
    if (mask & BIT (i))
      json_array_append_new (a, json_string (cap_names[i]));
  return a;
}

/* Parse --cap-add or --cap-drop.  "ALL" sets *all.  */
static int
parse_list (json_t *arr, const char *flag, int last, uint64_t *mask, bool *all,
            husk_error_t *err)
{
  size_t i;
  json_t *v;

  *mask = 0;
  *all = false;
  json_array_foreach (arr, i, v)
    {
      const char *name = json_string_value (v);
      int cap;

      if (strcasecmp (name, "ALL") == 0)
        {
          *all = true;
          continue;
        }
      cap = husk_spec_parse_capability (name);
      if (cap < 0)
        return husk_error_makex (err, EINVAL, "unknown capability \"%s\"", name);
      if (cap > last && strcmp (flag, "--cap-add") == 0)
        return husk_error_makex (err, EINVAL,
                                 "%s: capability \"%s\" is not supported by this kernel",
                                 flag, cap_names[cap]);
      *mask |= BIT (cap);
    }
  return 0;
}

json_t *
husk_spec_capabilities (json_t *cap_add, json_t *cap_drop, bool privileged, bool root,
                        uint64_t *bounding, husk_error_t *err)
{
  int last = husk_spec_cap_last ();
  uint64_t full = husk_spec_cap_available ();
  uint64_t add = 0, drop = 0, set, user;
  bool add_all = false, drop_all = false;

  if ((cap_add && parse_list (cap_add, "--cap-add", last, &add, &add_all, err) < 0)
      || (cap_drop && parse_list (cap_drop, "--cap-drop", last, &drop, &drop_all, err) < 0))
    return NULL;
  for (int i = 0; i < N_CAPS; i++)
    if ((add & BIT (i)) && !(full & BIT (i)))
      {
        husk_error_makex (err, EPERM,
                          "--cap-add: capability \"%s\" is not in husk's own bounding set, "
                          "so no container can have it", cap_names[i]);
        return NULL;
      }
  if (add_all)
    add = full;
  if (drop_all)
    set = add;
  else
    set = ((privileged ? full : default_set) | add) & ~drop;
  set &= full;
  *bounding = set;
  user = root ? set : add & set;
  return json_pack ("{s:o, s:o, s:o, s:o, s:o}",
                    "bounding", mask_to_json (set),
                    "effective", mask_to_json (user),
                    "permitted", mask_to_json (user),
                    "inheritable", mask_to_json (root ? 0 : user),
                    "ambient", mask_to_json (root ? 0 : user));
}
