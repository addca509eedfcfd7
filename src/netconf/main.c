/* SPDX-License-Identifier: GPL-2.0-or-later */
/* husk-netconf's commands (netconf.h); an error's message on stderr, exit
   status 1.  */
#include "netconf/netconf.h"
#include "userns/userns.h"
#include "util/cleanup.h"

#include <errno.h>
#include <sched.h>
#include <sys/mount.h>

#include <stdio.h>
#include <string.h>

static int
fail (husk_error_t *err)
{
  fprintf (stderr, "%s\n", *err ? (*err)->msg : "failed");
  husk_error_release (err);
  return 1;
}

static int
attach (void)
{
  cleanup_json json_t *q = json_loadf (stdin, 0, NULL);
  husk_error_t err = NULL;
  struct husk_bridge_attach a = {
    .network = json_object_get (q, "network"),
    .ip = json_string_value (json_object_get (q, "ip")),
    .ip6 = json_string_value (json_object_get (q, "ip6")),
    .mac = json_string_value (json_object_get (q, "mac")),
    .ports = json_object_get (q, "ports"),
    .dir = json_string_value (json_object_get (q, "dir")),
    .netns = json_string_value (json_object_get (q, "netns")),
    .id = json_string_value (json_object_get (q, "id")),
    .interface = json_string_value (json_object_get (q, "interface")) ?: "eth0",
    .slot = json_integer_value (json_object_get (q, "slot")),
    .metric = json_integer_value (json_object_get (q, "metric")),
  };

  if (!json_is_object (a.network) || !a.ip || !a.mac || !a.dir || !a.netns || !a.id)
    {
      fprintf (stderr, "husk-netconf attach: incomplete request\n");
      return 1;
    }
  return netconf_attach (&a, &err) < 0 ? fail (&err) : 0;
}

/* Rootless, the bridges are in the rootless network namespace: work
   there, with a /sys of that namespace (sysfs shows the links of the
   namespace that mounted it), in a mount namespace of our own so that
   nobody else sees it.  */
static int
enter_rootless (void)
{
  husk_error_t err = NULL;

  if (husk_net_enter_rootless_netns (&err) < 0)
    return fail (&err);
  if (unshare (CLONE_NEWNS) < 0 || mount (NULL, "/", NULL, MS_REC | MS_SLAVE, NULL) < 0
      || mount ("sysfs", "/sys", "sysfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
    {
      fprintf (stderr, "husk-netconf: a /sys of the rootless network namespace: %s\n",
               strerror (errno));
      return 1;
    }
  return 0;
}

int
main (int argc, char **argv)
{
  if (husk_userns_rootless () && enter_rootless () != 0)
    return 1;
  if (argc == 2 && strcmp (argv[1], "attach") == 0)
    return attach ();
  if (argc == 3 && (strcmp (argv[1], "detach") == 0 || strcmp (argv[1], "release") == 0))
    {
      netconf_detach (argv[2], strcmp (argv[1], "release") == 0);
      return 0;
    }
  if (argc == 2 && strcmp (argv[1], "forget") == 0)
    {
      cleanup_json json_t *net = json_loadf (stdin, 0, NULL);
      if (net)
        netconf_forget (net);
      return 0;
    }
  if (argc == 2 && strcmp (argv[1], "reload") == 0)
    {
      cleanup_json json_t *list = json_loadf (stdin, 0, NULL);
      husk_error_t err = NULL;
      if (!json_is_array (list))
        {
          fprintf (stderr, "husk-netconf reload: incomplete request\n");
          return 1;
        }
      return netconf_reload (list, &err) < 0 ? fail (&err) : 0;
    }
  fprintf (stderr, "usage: husk-netconf attach|detach REC|release REC|forget|reload (run by husk)\n");
  return 2;
}
