/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The container commands: create, run, start, ps, stop, kill, rm, wait,
   logs, inspect, exists, cleanup.  Flags become a create request (JSON);
   the library validates it and does the work.  */
#include "cli/cli.h"
#include "cli/container_ps.h"
#include "cli/output.h"
#include "cli/targets.h"
#include "container/monitor.h"
#include "container/parse.h"
#include "format/humanize.h"
#include "ops/container.h"
#include "ops/container_logs.h"
#include "ops/container_ps.h"
#include "ops/container_run.h"
#include "events/events.h"
#include "util/cleanup.h"
#include "util/fileutil.h"
#include "util/log.h"
#include "util/proc.h"
#include "util/strutil.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

/* ---- create / run ------------------------------------------------------ */

struct create_opts
{
  bool detach, interactive, tty, rm, privileged, read_only, env_host, init, no_healthcheck;
  bool replace, passwd, read_only_tmpfs, sig_proxy, quiet, no_hosts, no_hostname;
  bool http_proxy, unsetenv_all, content_trust, publish_all;
  char *name, *workdir, *user, *entrypoint, *hostname, *memory, *memory_swap, *cpus;
  char *cpu_shares, *cpuset_cpus, *pids_limit, *restart, *ip, *ip6, *mac_address, *pid, *ipc, *uts;
  char *init_path, *log_driver, *stop_signal, *stop_timeout, *health_cmd;
  char *health_interval, *health_retries, *health_timeout, *health_start_period;
  char *health_on_failure, *shm_size, *tz, *cidfile, *detach_keys, *passwd_entry;
  char *runtime, *group_entry, *pull, *timeout, *cgroupns, *umask, *cgroups;
  char *oom_score_adj, *preserve_fds, *userns, *subuidname, *subgidname, *pod, *pod_id_file;
  char **env, **env_file, **volume, **mount, **tmpfs, **cap_add, **cap_drop;
  char **security_opt, **ulimit, **label, **label_file, **annotation, **log_opt;
  char **device, **group_add, **sysctl, **env_merge, **attach, **device_cgroup_rule;
  char **dns, **dns_option, **dns_search, **network_alias, **add_host, **unsetenv, **uidmap, **gidmap;
  char **secret;
  char **publish, **expose, **network;
  /* The pull the image may need (--pull): as `husk pull`'s.  */
  char *authfile, *platform, *arch, *os, *variant, *retry_delay;
  long retry;     /* -1 not given */
  int tls_verify; /* -1 not given: registries.conf's insecure decides */
};

#define O(field) offsetof (struct create_opts, field)
/* Podman 5's run/create flags, each implemented or refused with the reason
   (docs/husk-run.md).  */
#define CGROUP_LATER "husk does not set this cgroup limit yet"
static const struct cli_option create_options[] = {
  { "add-host", 0, OPT_STRV, O (add_host), "host:ip", "Add a custom host-to-IP mapping (host:ip)" },
  { "annotation", 0, OPT_STRV, O (annotation), "key=value", "Add annotations to container (key=value)" },
  { "arch", 0, OPT_STRING, O (arch), "ARCH", "use ARCH instead of the architecture of the machine for choosing images" },
  { "attach", 'a', OPT_STRV, O (attach), "stringArray", "Attach to STDIN, STDOUT or STDERR" },
  { "authfile", 0, OPT_STRING, O (authfile), "string", "Path of the authentication file. Use REGISTRY_AUTH_FILE environment variable to override" },
  OPTION_REFUSED ("blkio-weight", 0, CGROUP_LATER),
  OPTION_REFUSED ("blkio-weight-device", 0, CGROUP_LATER),
  { "cap-add", 0, OPT_STRV, O (cap_add), "stringArray", "Add capabilities to the container" },
  { "cap-drop", 0, OPT_STRV, O (cap_drop), "stringArray", "Drop capabilities from the container" },
  OPTION_REFUSED ("cgroup-conf", 0, CGROUP_LATER),
  OPTION_REFUSED ("cgroup-parent", 0, "husk leaves the cgroup to the OCI runtime's default"),
  { "cgroupns", 0, OPT_STRING, O (cgroupns), "string", "cgroup namespace to use (host, private)" },
  { "cgroups", 0, OPT_STRING, O (cgroups), "string", "control container cgroup configuration (\"enabled\"|\"disabled\"|\"no-conmon\"|\"split\")" },
  OPTION_REFUSED ("chrootdirs", 0, "husk does not track chroot directories inside the container"),
  { "cidfile", 0, OPT_STRING, O (cidfile), "string", "Write the container ID to the file" },
  OPTION_REFUSED ("conmon-pidfile", 0, "husk has no conmon: its monitor is husk-monitor"),
  OPTION_REFUSED ("cpu-period", 0, CGROUP_LATER " (use --cpus)"),
  OPTION_REFUSED ("cpu-quota", 0, CGROUP_LATER " (use --cpus)"),
  OPTION_REFUSED ("cpu-rt-period", 0, CGROUP_LATER),
  OPTION_REFUSED ("cpu-rt-runtime", 0, CGROUP_LATER),
  { "cpu-shares", 'c', OPT_STRING, O (cpu_shares), "uint", "CPU shares (relative weight)" },
  { "cpus", 0, OPT_STRING, O (cpus), "float", "Number of CPUs. The default is 0.000 which means no limit" },
  { "cpuset-cpus", 0, OPT_STRING, O (cpuset_cpus), "string", "CPUs in which to allow execution (0-3, 0,1)" },
  OPTION_REFUSED ("cpuset-mems", 0, CGROUP_LATER),
  OPTION_REFUSED ("decryption-key", 0, "husk does not decrypt images"),
  { "detach", 'd', OPT_BOOL, O (detach), NULL, "Run container in background and print container ID" },
  { "detach-keys", 0, OPT_STRING, O (detach_keys), "string", "Override the key sequence for detaching a container" },
  { "device", 0, OPT_STRV, O (device), "stringArray", "Add a host device to the container" },
  { "device-cgroup-rule", 0, OPT_STRV, O (device_cgroup_rule), "stringArray", "Add a rule to the cgroup allowed devices list" },
  OPTION_REFUSED ("device-read-bps", 0, CGROUP_LATER),
  OPTION_REFUSED ("device-read-iops", 0, CGROUP_LATER),
  OPTION_REFUSED ("device-write-bps", 0, CGROUP_LATER),
  OPTION_REFUSED ("device-write-iops", 0, CGROUP_LATER),
  { "disable-content-trust", 0, OPT_BOOL, O (content_trust), NULL, "This is a Docker specific option and is a NOOP" },
  { "dns", 0, OPT_STRV, O (dns), "strings", "Set custom DNS servers" },
  { "dns-option", 0, OPT_STRV, O (dns_option), "strings", "Set custom DNS options" },
  { "dns-opt", 0, OPT_STRV, O (dns_option), "strings", "Alias of --dns-option" },
  { "dns-search", 0, OPT_STRV, O (dns_search), "strings", "Set custom DNS search domains" },
  { "entrypoint", 0, OPT_STRING, O (entrypoint), "string", "Overwrite the default ENTRYPOINT of the image" },
  { "env", 'e', OPT_STRV, O (env), "stringArray", "Set environment variables in container" },
  { "env-file", 0, OPT_STRV, O (env_file), "stringArray", "Read in a file of environment variables" },
  { "env-host", 0, OPT_BOOL, O (env_host), NULL, "Use all current host environment variables in container" },
  { "env-merge", 0, OPT_STRV, O (env_merge), "stringArray", "Preprocess environment variables from image before injecting them into the container" },
  { "expose", 0, OPT_STRV, O (expose), "strings", "Expose a port or a range of ports" },
  { "gidmap", 0, OPT_STRV, O (gidmap), "container:host:size", "GID map to use for the user namespace" },
  OPTION_REFUSED ("gpus", 0, "GPU devices need the NVIDIA container toolkit (CDI), which husk does not support"),
  { "group-add", 0, OPT_STRV, O (group_add), "strings", "Add additional groups to the primary container process. 'keep-groups' allows container processes to use supplementary groups." },
  { "group-entry", 0, OPT_STRING, O (group_entry), "string", "Entry to write to /etc/group" },
  { "health-cmd", 0, OPT_STRING, O (health_cmd), "string", "set a healthcheck command for the container ('none' disables the existing healthcheck)" },
  { "health-interval", 0, OPT_STRING, O (health_interval), "string", "set an interval for the healthcheck" },
  OPTION_REFUSED ("health-log-destination", 0, "husk keeps healthcheck results in the container's state only"),
  OPTION_REFUSED ("health-max-log-count", 0, "husk keeps healthcheck results in the container's state only"),
  OPTION_REFUSED ("health-max-log-size", 0, "husk keeps healthcheck results in the container's state only"),
  { "health-on-failure", 0, OPT_STRING, O (health_on_failure), "string", "action to take once the container turns unhealthy" },
  { "health-retries", 0, OPT_STRING, O (health_retries), "uint", "the number of retries allowed before a healthcheck is considered to be unhealthy" },
  { "health-start-period", 0, OPT_STRING, O (health_start_period), "string", "the initialization time needed for a container to bootstrap" },
  OPTION_REFUSED ("health-startup-cmd", 0, "startup healthchecks are not supported by husk yet"),
  OPTION_REFUSED ("health-startup-interval", 0, "startup healthchecks are not supported by husk yet"),
  OPTION_REFUSED ("health-startup-retries", 0, "startup healthchecks are not supported by husk yet"),
  OPTION_REFUSED ("health-startup-success", 0, "startup healthchecks are not supported by husk yet"),
  OPTION_REFUSED ("health-startup-timeout", 0, "startup healthchecks are not supported by husk yet"),
  { "health-timeout", 0, OPT_STRING, O (health_timeout), "string", "the maximum time allowed to complete the healthcheck before an interval is considered failed" },
  { "hostname", 'h', OPT_STRING, O (hostname), "string", "Set container hostname" },
  OPTION_REFUSED ("hosts-file", 0, "husk builds /etc/hosts from the host's (see --no-hosts)"),
  OPTION_REFUSED ("hostuser", 0, "husk does not copy host users into the container yet (use --passwd-entry)"),
  { "http-proxy", 0, OPT_BOOL, O (http_proxy), NULL, "Set proxy environment in container (default true)" },
  OPTION_REFUSED ("image-volume", 0, "husk always makes the image's volumes anonymous volumes"),
  { "init", 0, OPT_BOOL, O (init), NULL, "Run an init binary inside the container that forwards signals and reaps processes" },
  { "init-path", 0, OPT_STRING, O (init_path), "string", "Path to the container-init binary" },
  { "interactive", 'i', OPT_BOOL, O (interactive), NULL, "Keep STDIN open even if not attached" },
  { "ip", 0, OPT_STRING, O (ip), "string", "Specify a static IPv4 address for the container" },
  { "ip6", 0, OPT_STRING, O (ip6), "string", "Specify a static IPv6 address for the container" },
  { "ipc", 0, OPT_STRING, O (ipc), "string", "IPC namespace to use" },
  { "label", 'l', OPT_STRV, O (label), "stringArray", "Set metadata on container" },
  { "label-file", 0, OPT_STRV, O (label_file), "stringArray", "Read in a line delimited file of labels" },
  OPTION_REFUSED ("link-local-ip", 0, "husk does not assign link-local addresses"),
  { "log-driver", 0, OPT_STRING, O (log_driver), "string", "Logging driver for the container" },
  { "log-opt", 0, OPT_STRV, O (log_opt), "stringArray", "Logging driver options" },
  { "mac-address", 0, OPT_STRING, O (mac_address), "string", "Container MAC address (e.g. 92:d0:c6:0a:29:33)" },
  { "memory", 'm', OPT_STRING, O (memory), "string", "Memory limit (format: <number>[<unit>], where unit = b (bytes), k (kibibytes), m (mebibytes), or g (gibibytes))" },
  OPTION_REFUSED ("memory-reservation", 0, CGROUP_LATER " (use --memory)"),
  { "memory-swap", 0, OPT_STRING, O (memory_swap), "string", "Swap limit equal to memory plus swap: '-1' to enable unlimited swap" },
  OPTION_REFUSED ("memory-swappiness", 0, CGROUP_LATER),
  { "mount", 0, OPT_STRV, O (mount), "stringArray", "Attach a filesystem mount to the container" },
  { "name", 0, OPT_STRING, O (name), "string", "Assign a name to the container" },
  { "network", 0, OPT_STRV, O (network), "strings", "Connect a container to networks (bridge, NAME[:ip=,mac=,alias=,interface_name=] repeated for more, pasta[:OPTIONS], slirp4netns[:OPTIONS], none, host, container:NAME, ns:PATH)" },
  { "net", 0, OPT_STRV, O (network), "strings", "Alias of --network" },
  { "network-alias", 0, OPT_STRV, O (network_alias), "strings", "Add network-scoped alias for the container" },
  { "no-healthcheck", 0, OPT_BOOL, O (no_healthcheck), NULL, "Disable healthchecks on container" },
  { "no-hostname", 0, OPT_BOOL, O (no_hostname), NULL, "Do not create /etc/hostname" },
  { "no-hosts", 0, OPT_BOOL, O (no_hosts), NULL, "Do not create /etc/hosts within the container, instead use the version from the image" },
  OPTION_REFUSED ("oom-kill-disable", 0, CGROUP_LATER),
  { "oom-score-adj", 0, OPT_STRING, O (oom_score_adj), "int", "Tune the host's OOM preferences (-1000 to 1000)" },
  { "os", 0, OPT_STRING, O (os), "OS", "use OS instead of the running OS for choosing images" },
  { "passwd", 0, OPT_BOOL, O (passwd), NULL, "add entries to /etc/passwd and /etc/group (default true)" },
  { "passwd-entry", 0, OPT_STRING, O (passwd_entry), "string", "Entry to write to /etc/passwd" },
  OPTION_REFUSED ("personality", 0, "husk does not set execution domains"),
  { "pid", 0, OPT_STRING, O (pid), "string", "PID namespace to use" },
  OPTION_REFUSED ("pidfile", 0, "husk does not write the container's pid to a file yet (inspect --format {{.State.Pid}})"),
  { "pids-limit", 0, OPT_STRING, O (pids_limit), "int", "Tune container pids limit (set -1 for unlimited)" },
  { "platform", 0, OPT_STRING, O (platform), "string", "Specify the platform for selecting the image.  (Conflicts with --arch and --os)" },
  { "pod", 0, OPT_STRING, O (pod), "string", "Run container in an existing pod (new:NAME creates it)" },
  { "pod-id-file", 0, OPT_STRING, O (pod_id_file), "string", "Read the pod ID from the file" },
  { "preserve-fds", 0, OPT_STRING, O (preserve_fds), "uint", "Pass a number of additional file descriptors into the container" },
  OPTION_REFUSED ("preserve-fd", 0, "passing chosen descriptors is crun-only in Podman; use --preserve-fds N with the descriptors on 3 .. 3+N-1"),
  { "privileged", 0, OPT_BOOL, O (privileged), NULL, "Give extended privileges to container" },
  { "publish", 'p', OPT_STRV, O (publish), "strings", "Publish a container's port, or a range of ports, to the host" },
  { "publish-all", 'P', OPT_BOOL, O (publish_all), NULL, "Publish all exposed ports to random ports on the host interface" },
  { "pull", 0, OPT_STRING, O (pull), "string", "Pull image policy (\"always\"|\"missing\"|\"never\"|\"newer\")" },
  { "quiet", 'q', OPT_BOOL, O (quiet), NULL, "Suppress output information when pulling images" },
  OPTION_REFUSED ("rdt-class", 0, "husk does not manage Intel RDT classes"),
  { "read-only", 0, OPT_BOOL, O (read_only), NULL, "Make containers root filesystem read-only" },
  { "read-only-tmpfs", 0, OPT_BOOL, O (read_only_tmpfs), NULL, "When running containers in read-only mode mount a read-write tmpfs on /run, /tmp and /var/tmp (default true)" },
  { "replace", 0, OPT_BOOL, O (replace), NULL, "If a container with the same name exists, replace it" },
  OPTION_REFUSED ("requires", 0, "husk does not start dependency containers"),
  { "restart", 0, OPT_STRING, O (restart), "string", "Restart policy to apply when a container exits (\"always\"|\"no\"|\"on-failure\"|\"unless-stopped\")" },
  { "retry", 0, OPT_INT, O (retry), "uint", "number of times to retry in case of failure when performing pull" },
  { "retry-delay", 0, OPT_STRING, O (retry_delay), "string", "delay between retries in case of pull failures" },
  { "rm", 0, OPT_BOOL, O (rm), NULL, "Remove container (and pod if created) after exit" },
  OPTION_REFUSED ("rmi", 0, "husk does not remove the image after the container yet (run husk rmi)"),
  OPTION_REFUSED ("rootfs", 0, "husk runs containers from images only"),
  { "runtime", 0, OPT_STRING, O (runtime), "string", "Path to the OCI-compatible binary used to run containers" },
  OPTION_REFUSED ("sdnotify", 0, "husk does not pass sd_notify through (no systemd here)"),
  OPTION_REFUSED ("seccomp-policy", 0, "husk does not read seccomp profiles from image annotations"),
  { "secret", 0, OPT_STRV, O (secret), "stringArray", "Add secret to container" },
  { "security-opt", 0, OPT_STRV, O (security_opt), "stringArray", "Security Options" },
  { "shm-size", 0, OPT_STRING, O (shm_size), "string", "Size of /dev/shm (format: <number>[<unit>])" },
  OPTION_REFUSED ("shm-size-systemd", 0, "husk does not set up systemd containers"),
  { "sig-proxy", 0, OPT_BOOL, O (sig_proxy), NULL, "Proxy received signals to the process (default true)" },
  { "stop-signal", 0, OPT_STRING, O (stop_signal), "string", "Signal to stop a container. Default is SIGTERM" },
  { "stop-timeout", 0, OPT_STRING, O (stop_timeout), "uint", "Timeout (in seconds) that containers stopped by user command have to exit. If exceeded, the container will be forcibly stopped via SIGKILL" },
  { "subgidname", 0, OPT_STRING, O (subgidname), "string", "Name of range listed in /etc/subgid for use in user namespace" },
  { "subuidname", 0, OPT_STRING, O (subuidname), "string", "Name of range listed in /etc/subuid for use in user namespace" },
  { "sysctl", 0, OPT_STRV, O (sysctl), "strings", "Sysctl options" },
  OPTION_REFUSED ("systemd", 0, "husk does not set up systemd containers"),
  { "timeout", 0, OPT_STRING, O (timeout), "uint", "Maximum length of time a container is allowed to run. The container will be killed automatically after the time expires." },
  { "tls-verify", 0, OPT_TRISTATE, O (tls_verify), NULL, "Require HTTPS and verify certificates when contacting registries for pulling images" },
  { "tmpfs", 0, OPT_STRV, O (tmpfs), "tmpfs", "Mount a temporary filesystem (tmpfs) into a container" },
  { "tty", 't', OPT_BOOL, O (tty), NULL, "Allocate a pseudo-TTY for container" },
  { "tz", 0, OPT_STRING, O (tz), "string", "Set timezone in container" },
  { "uidmap", 0, OPT_STRV, O (uidmap), "container:host:size", "UID map to use for the user namespace" },
  { "ulimit", 0, OPT_STRV, O (ulimit), "strings", "Ulimit options" },
  { "umask", 0, OPT_STRING, O (umask), "string", "Set umask in container (default \"0022\")" },
  { "unsetenv", 0, OPT_STRV, O (unsetenv), "stringArray", "Unset environment default variables in container" },
  { "unsetenv-all", 0, OPT_BOOL, O (unsetenv_all), NULL, "Unset all default environment variables in container" },
  { "user", 'u', OPT_STRING, O (user), "string", "Username or UID (format: <name|uid>[:<group|gid>])" },
  { "userns", 0, OPT_STRING, O (userns), "string", "User namespace to use" },
  { "uts", 0, OPT_STRING, O (uts), "string", "UTS namespace to use" },
  { "variant", 0, OPT_STRING, O (variant), "VARIANT", "Use VARIANT instead of the running architecture variant for choosing images" },
  { "volume", 'v', OPT_STRV, O (volume), "stringArray", "Bind mount a volume into the container" },
  OPTION_REFUSED ("volumes-from", 0, "husk does not copy another container's mounts yet"),
  { "workdir", 'w', OPT_STRING, O (workdir), "string", "Working directory inside the container" },
  OPTION_END,
};
#undef O

/* The lowest fd above stdio that was not open when husk started: the
   caller's fds are 3 up to it (a shell's `3<file 4>file`).  Taken before
   main(), so before husk opens anything: the state database gets the
   lowest free fds, which would look like the caller's after.  */
static int first_unopened_fd = 3;

__attribute__ ((constructor)) static void
note_inherited_fds (void)
{
  for (int fd = 0; fd < 3; fd++)
    {
      int dup = fcntl (fd, F_DUPFD_CLOEXEC, 3);
      if (dup >= 0)
        {
          first_unopened_fd = dup;
          close (dup);
          return;
        }
    }
}

int
cli_preserve_fds (struct cli_ctx *ctx, const char *value, int *n)
{
  uint64_t v;

  *n = 0;
  if (value == NULL)
    return 0;
  if (husk_parse_uint_flag (value, "preserve-fds", &v, &ctx->err) < 0)
    return -1;
  if (v > (uint64_t) (first_unopened_fd - 3))
    return husk_error_makex (&ctx->err, EBADF, "file descriptor %d is not available - the "
                             "preserve-fds option requires that file descriptors must be "
                             "passed", first_unopened_fd);
  *n = (int) v;
  for (int fd = 3; fd < 3 + *n; fd++)
    fcntl (fd, F_SETFD, FD_CLOEXEC);
  if (*n > 0)
    husk_log_debug ("--preserve-fds: fds 3-%d go to the container's process", 2 + *n);
  return 0;
}

/* How to pull the image if it must be: ops/container_create.c.  */
static json_t *
pull_request (const struct create_opts *o)
{
  json_t *p = json_object ();

#define S(key, val) if (val) json_object_set_new (p, key, json_string (val))
  S ("authfile", o->authfile); S ("platform", o->platform); S ("arch", o->arch);
  S ("os", o->os); S ("variant", o->variant); S ("retry_delay", o->retry_delay);
#undef S
  json_object_set_new (p, "retry", json_integer (o->retry));
  json_object_set_new (p, "tls_verify", json_integer (o->tls_verify));
  return p;
}

static json_t *
request (struct create_opts *o, char **command)
{
  json_t *r = json_object ();

#define S(key, val) if (val) json_object_set_new (r, key, json_string (val))
#define B(key, val) json_object_set_new (r, key, json_boolean (val))
#define A(key, val) json_object_set_new (r, key, husk_strv_json (val))
  S ("name", o->name); S ("workdir", o->workdir); S ("user", o->user);
  S ("hostname", o->hostname); S ("memory", o->memory); S ("memory_swap", o->memory_swap);
  S ("cpus", o->cpus); S ("cpu_shares", o->cpu_shares); S ("cpuset_cpus", o->cpuset_cpus);
  S ("pids_limit", o->pids_limit); S ("restart", o->restart);
  /* Several bridge networks: --network a --network b.  */
  if (o->network)
    S ("network", o->network[0]);
  if (husk_strv_len (o->network) > 1)
    A ("networks", o->network);
  S ("ip", o->ip); S ("ip6", o->ip6); S ("mac_address", o->mac_address);
  S ("pid", o->pid); S ("ipc", o->ipc); S ("uts", o->uts); S ("init_path", o->init_path);
  S ("log_driver", o->log_driver); S ("stop_signal", o->stop_signal);
  S ("stop_timeout", o->stop_timeout); S ("health_cmd", o->health_cmd);
  S ("health_interval", o->health_interval); S ("health_retries", o->health_retries);
  S ("health_timeout", o->health_timeout); S ("health_start_period", o->health_start_period);
  S ("health_on_failure", o->health_on_failure); S ("shm_size", o->shm_size); S ("tz", o->tz);
  S ("detach_keys", o->detach_keys); S ("passwd_entry", o->passwd_entry);
  S ("runtime", o->runtime); S ("group_entry", o->group_entry); B ("passwd", o->passwd);
  B ("tty", o->tty); B ("interactive", o->interactive); B ("rm", o->rm);
  B ("privileged", o->privileged); B ("read_only", o->read_only); B ("env_host", o->env_host);
  B ("init", o->init); B ("no_healthcheck", o->no_healthcheck); B ("detach", o->detach);
  B ("read_only_tmpfs", o->read_only_tmpfs); B ("no_hosts", o->no_hosts);
  B ("no_hostname", o->no_hostname); B ("http_proxy", o->http_proxy);
  B ("unsetenv_all", o->unsetenv_all); S ("cgroupns", o->cgroupns); S ("umask", o->umask);
  S ("userns", o->userns); S ("subuidname", o->subuidname); S ("subgidname", o->subgidname);
  A ("uidmap", o->uidmap); A ("gidmap", o->gidmap);
  S ("cgroups", o->cgroups); S ("pod", o->pod); S ("pod_id_file", o->pod_id_file);
  S ("oom_score_adj", o->oom_score_adj); S ("timeout", o->timeout); S ("pull", o->pull);
  A ("device_cgroup_rules", o->device_cgroup_rule); A ("dns", o->dns);
  A ("dns_options", o->dns_option); A ("dns_search", o->dns_search);
  A ("network_aliases", o->network_alias);
  A ("unsetenv", o->unsetenv); A ("add_hosts", o->add_host);
  A ("env", o->env); A ("env_file", o->env_file); A ("volumes", o->volume);
  A ("mounts", o->mount); A ("tmpfs", o->tmpfs); A ("cap_add", o->cap_add);
  A ("cap_drop", o->cap_drop); A ("security_opt", o->security_opt); A ("ulimits", o->ulimit);
  A ("labels", o->label); A ("label_file", o->label_file); A ("annotations", o->annotation);
  A ("log_opts", o->log_opt); A ("devices", o->device); A ("group_add", o->group_add);
  A ("sysctls", o->sysctl); A ("command", command); A ("env_merge", o->env_merge);
  A ("publish", o->publish); A ("expose", o->expose); B ("publish_all", o->publish_all);
  if (o->secret)
    A ("secrets", o->secret);
  if (o->entrypoint)
    json_object_set_new (r, "entrypoint", json_string (o->entrypoint));
  json_object_set_new (r, "pull_opts", pull_request (o));
#undef S
#undef B
#undef A
  return r;
}

/* Parse run/create flags; the first positional is the image, the rest the
   command.  Return: 0 with *image, *req set, 1 after --help, or -1.  */
static int
parse_create (struct cli_ctx *ctx, int argc, char **argv, struct create_opts *o,
              char **image, json_t **req, char ***rest)
{
  int r;

  /* The booleans that default to true, and the flags whose absence counts.  */
  o->passwd = o->read_only_tmpfs = o->sig_proxy = o->http_proxy = true;
  o->retry = -1;
  o->tls_verify = -1;
  r = cli_parse (ctx, create_options, o, argc, argv, false, rest,
                 "[options] IMAGE [COMMAND [ARG...]]");

  if (r != 0)
    return r;
  if ((*rest)[0] == NULL)
    return cli_usage_error (ctx, "requires at least 1 arg(s), only received 0");
  *image = (*rest)[0];
  *req = request (o, *rest + 1);
  json_object_set_new (*req, "create_command", cli_command_line ());
  if (o->cidfile)
    json_object_set_new (*req, "cidfile", json_string (o->cidfile));
  return 0;
}

static int
create_one (struct cli_ctx *ctx, struct create_opts *o, const char *image, json_t *req,
            char **id)
{
  return husk_op_container_create_with (ctx->engine, image, req, &(struct husk_create_opts){
                                          .cidfile = o->cidfile, .replace = o->replace },
                                        id, &ctx->err);
}

int
cmd_container_create (struct cli_ctx *ctx, int argc, char **argv)
{
  struct create_opts o = { 0 };
  CLI_OPTIONS_OWNED (create_options, o);
  cleanup_free char **rest = NULL;
  cleanup_json json_t *req = NULL;
  cleanup_free char *id = NULL;
  char *image;
  int r = parse_create (ctx, argc, argv, &o, &image, &req, &rest);

  if (r != 0)
    return r < 0 ? cli_fail (ctx) : 0;
  /* The descriptors are ours only while we run: a later start has none.  */
  if (o.preserve_fds)
    return husk_error_makex (&ctx->err, EINVAL, "--preserve-fds: only run and exec pass "
                             "file descriptors on (create has no process to give them to)"),
           cli_fail (ctx);
  if (create_one (ctx, &o, image, req, &id) < 0)
    return cli_fail (ctx);
  puts (id);
  return 0;
}

/* --sig-proxy: signals husk receives while attached go to the container's
   init, through a pidfd of exactly the process recorded (util/proc.h): if
   it exits and its pid is reused meanwhile, the signal reaches no one.
   The syscall is async-signal-safe; the descriptor is set before
   attaching.  */
static volatile int proxy_fd = -1;

static void
proxy_signal (int sig)
{
  if (proxy_fd >= 0)
    syscall (SYS_pidfd_send_signal, proxy_fd, sig, NULL, 0);
}

void
cli_sig_proxy_install (const struct husk_container_rec *r)
{
  static const int sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2 };
  struct husk_proc_id p = { .pid = r->pid, .start = r->pid_start, .boot_id = r->boot_id };
  struct sigaction sa = { .sa_handler = proxy_signal };

  cli_sig_proxy_remove ();
  proxy_fd = husk_proc_open (&p);
  if (proxy_fd < 0)
    return;
  sigemptyset (&sa.sa_mask); /* no SA_RESTART: the attach loop wakes up */
  for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
    sigaction (sigs[i], &sa, NULL);
}

void
cli_sig_proxy_remove (void)
{
  int fd = proxy_fd;

  proxy_fd = -1;
  if (fd >= 0)
    close (fd);
}

/* A terminal's new size follows SIGWINCH: the handler does nothing but
   interrupt the attach loop's poll (no SA_RESTART), which then sends the
   size to the container's monitor.  */
static void
winch_noop (int sig)
{
  (void) sig;
}

void
cli_winch_follow (void)
{
  struct sigaction sa = { .sa_handler = winch_noop };

  sigemptyset (&sa.sa_mask);
  sigaction (SIGWINCH, &sa, NULL);
}

/* run's started() hook: proxy signals to the container now running.  */
static void
sig_proxy_started (void *data, const struct husk_container_rec *r)
{
  (void) data;
  cli_sig_proxy_install (r);
}

/* Print what cleaning up after the exit could not do (the exit status is
   the container's all the same).  */
static void
report_cleanup (const char *id, husk_error_t *cerr)
{
  if (*cerr == NULL)
    return;
  fprintf (stderr, "Error: clean up container %s: %s\n", id, (*cerr)->msg);
  husk_error_release (cerr);
}

/* The status of run or start -a from what attaching returned.  */
static int
attached_status (struct cli_ctx *ctx, int code)
{
  if (code == HUSK_ATTACH_DETACHED)
    return 0;
  if (code < 0)
    return cli_fail (ctx);
  return code;
}

/* A failed start: its status; a --rm container goes again.  What the
   container cannot run in (a missing --workdir) is 126, as in Podman.  */
static int
run_start_failed (struct cli_ctx *ctx, const struct create_opts *o, const char *id, int hint)
{
  if (hint == 125 && ctx->err && ctx->err->code == ENOEXEC)
    hint = 126;
  cli_fail (ctx);
  if (o->rm)
    husk_op_container_remove (ctx->engine, id, true, false, 0, NULL);
  return hint;
}

/* --log-driver passthrough: the container has our stdio and no attach
   stream carries its exit code: wait for it, then remove the container
   ourselves (--rm was kept from the monitor).  */
static int
run_passthrough (struct cli_ctx *ctx, const struct create_opts *o, const char *id,
                 int preserve_fds)
{
  int hint = 125, code, afd = -1;

  if (husk_op_container_start_sized (ctx->engine, id, &afd, 0, 0, preserve_fds, &hint,
                                     &ctx->err) < 0)
    return run_start_failed (ctx, o, id, hint);
  if (afd >= 0)
    close (afd);
  if (husk_op_container_wait (ctx->engine, id, NULL, &code, &ctx->err) < 0)
    return cli_fail (ctx);
  if (o->rm)
    husk_op_container_remove (ctx->engine, id, true, true, 0, NULL);
  return code;
}

/* --attach: the streams run connects; without it all three (stdin with
   -i).  A stream left out goes to /dev/null.  */
struct run_streams
{
  int in, out, err;
  int null_fd;
};

static int
run_streams (struct cli_ctx *ctx, const struct create_opts *o, struct run_streams *s)
{
  bool in = o->interactive, out = true, err = true;

  s->null_fd = -1;
  if (o->attach)
    {
      in = out = err = false;
      for (size_t i = 0; o->attach[i]; i++)
        {
          if (strcasecmp (o->attach[i], "stdin") == 0)
            in = true;
          else if (strcasecmp (o->attach[i], "stdout") == 0)
            out = true;
          else if (strcasecmp (o->attach[i], "stderr") == 0)
            err = true;
          else
            return husk_error_makex (&ctx->err, EINVAL, "invalid stream \"%s\" for --attach "
                                     "- must be one of stdin, stdout, or stderr: invalid "
                                     "argument", o->attach[i]);
        }
    }
  if ((!out || !err) && (s->null_fd = open ("/dev/null", O_WRONLY | O_CLOEXEC)) < 0)
    return husk_error_make (&ctx->err, errno, "open /dev/null");
  s->in = in ? 0 : -1;
  s->out = out ? 1 : s->null_fd;
  s->err = err ? 2 : s->null_fd;
  return 0;
}

int
cmd_container_run (struct cli_ctx *ctx, int argc, char **argv)
{
  struct create_opts o = { 0 };
  CLI_OPTIONS_OWNED (create_options, o);
  cleanup_free char **rest = NULL;
  cleanup_json json_t *req = NULL;
  cleanup_free char *id = NULL;
  husk_error_t cerr = NULL;
  char *image;
  int hint = 125, code, preserve_fds;
  bool passthrough, proxy;
  struct run_streams st = { .null_fd = -1 };
  cleanup_close int null_fd = -1;
  int r = parse_create (ctx, argc, argv, &o, &image, &req, &rest);

  if (r != 0)
    return r < 0 ? cli_fail (ctx) : 0;
  if (cli_preserve_fds (ctx, o.preserve_fds, &preserve_fds) < 0
      || run_streams (ctx, &o, &st) < 0)
    return cli_fail (ctx);
  null_fd = st.null_fd;
  if (st.in >= 0) /* -a stdin: the container's stdin stays open, as with -i */
    json_object_set_new (req, "interactive", json_true ());
  if (o.tty && o.interactive && !isatty (0) && !o.detach)
    fprintf (stderr, "WARN[0000] The input device is not a TTY. The --tty and --interactive "
             "flags might not work properly\n");
  passthrough = o.log_driver && strcmp (o.log_driver, "passthrough") == 0 && !o.detach;
  if (passthrough && o.rm)
    json_object_set_new (req, "rm", json_false ());
  if (create_one (ctx, &o, image, req, &id) < 0)
    return cli_fail (ctx);
  if (o.detach)
    {
      if (husk_op_container_start_sized (ctx->engine, id, NULL, 0, 0, preserve_fds, &hint,
                                         &ctx->err) < 0)
        return run_start_failed (ctx, &o, id, hint);
      puts (id);
      return 0;
    }
  if (o.tty)
    cli_winch_follow ();
  if (passthrough)
    return run_passthrough (ctx, &o, id, preserve_fds);
  /* With a tty, ctrl-c reaches the container through the terminal.  */
  proxy = !o.tty && o.sig_proxy;
  code = husk_op_container_start_attached (ctx->engine, id, &(struct husk_start_attach_opts){
                                             .in_fd = st.in, .out_fd = st.out,
                                             .err_fd = st.err, .detach_keys = o.detach_keys,
                                             .preserve_fds = preserve_fds,
                                             .started = proxy ? sig_proxy_started : NULL,
                                             .cleanup_err = &cerr }, &hint, &ctx->err);
  report_cleanup (id, &cerr);
  if (code < 0 && hint != 0)
    return run_start_failed (ctx, &o, id, hint);
  return attached_status (ctx, code);
}

/* ---- shared by start, stop, kill and rm ---------------------------------- */

/* Seconds since this process started, for logrus's "WARN[0010]".  */
static long
uptime_seconds (void)
{
  cleanup_free char *stat = husk_read_file ("/proc/self/stat", NULL, NULL);
  struct timespec now;
  uint64_t start = 0;
  char state;
  long secs;

  if (stat == NULL || husk_proc_stat_parse (stat, &state, &start) < 0
      || clock_gettime (CLOCK_BOOTTIME, &now) < 0)
    return 0;
  secs = now.tv_sec - (long) (start / (uint64_t) sysconf (_SC_CLK_TCK));
  return secs < 0 ? 0 : secs;
}

/* Now in RFC 3339, as logrus writes it: "2026-12-05T13:12:13Z", or with
   the offset "+01:00".  */
static void
rfc3339_now (char ts[32])
{
  time_t t = time (NULL);
  struct tm tm;
  int off;

  localtime_r (&t, &tm);
  strftime (ts, 32, "%Y-%m-%dT%H:%M:%S", &tm);
  off = (int) (tm.tm_gmtoff / 60);
  if (off == 0)
    snprintf (ts + 19, 13, "Z");
  else
    snprintf (ts + 19, 13, "%c%02d:%02d", off < 0 ? '-' : '+', abs (off) / 60, abs (off) % 60);
}

/* Podman's warnings are logrus lines: "WARN[0010] MSG" on a terminal, else
   time="..." level=warning msg="..." (the message quoted).  */
static void
podman_warn (const char *msg)
{
  char ts[32];

  if (isatty (2))
    {
      fprintf (stderr, "WARN[%04ld] %s\n", uptime_seconds (), msg);
      return;
    }
  rfc3339_now (ts);
  fprintf (stderr, "time=\"%s\" level=warning msg=\"", ts);
  for (const char *p = msg; *p; p++)
    {
      if (*p == '"' || *p == '\\')
        fputc ('\\', stderr);
      fputc (*p, stderr);
    }
  fputs ("\"\n", stderr);
}

static void
stop_timed_out (void *data, const char *name, const char *signal, int timeout)
{
  cleanup_free char *msg = husk_asprintf ("StopSignal %s failed to stop container %s in %d "
                                          "seconds, resorting to SIGKILL", signal, name, timeout);

  (void) data;
  podman_warn (msg);
}

/* The names to act on: the arguments, then the first line of each
   --cidfile (a missing file is skipped with ignore), as Podman reads them.
   Return: a new vector (free with husk_strv_free), or NULL with ctx->err. */
static char **
with_cidfiles (struct cli_ctx *ctx, char **args, char **cidfiles, bool ignore)
{
  cleanup_strv char **out = husk_strv_dup (args);

  if (out == NULL)
    out = husk_xzalloc (sizeof (char *));
  for (size_t i = 0; cidfiles && cidfiles[i]; i++)
    {
      husk_error_t rerr = NULL;
      cleanup_free char *text = husk_read_file (cidfiles[i], NULL, &rerr);
      if (text == NULL)
        {
          int code = rerr->code;
          husk_error_release (&rerr);
          if (ignore && code == ENOENT)
            continue;
          husk_error_makex (&ctx->err, code, "reading CIDFile: open %s: %s", cidfiles[i],
                            strerror (code));
          return NULL;
        }
      text[strcspn (text, "\n")] = '\0';
      husk_strv_append (&out, text);
    }
  return steal_ptr (&out);
}

/* --filter (ps's filters): keep the targets that match every filter,
   named by their full ID as Podman prints them.  Return: 0, or -1.  */
static int
filter_targets (struct cli_ctx *ctx, char **filters, struct cli_targets *t)
{
  struct husk_ps_filter *pf = NULL;
  size_t nf = 0, kept = 0;

  for (size_t i = 0; filters && filters[i]; i++)
    if (strchr (filters[i], '=') == NULL)
      return husk_error_makex (&ctx->err, EINVAL, "invalid filter \"%s\"", filters[i]);
  if (husk_op_ps_filter_parse (ctx->engine, filters, &pf, &nf, &ctx->err) < 0)
    return -1;
  for (size_t i = 0; i < t->n; i++)
    {
      cleanup_container_rec struct husk_container_rec r = { 0 };
      cleanup_json json_t *cfg = NULL;
      bool match = husk_op_container_load (ctx->engine, t->v[i].id, &r, NULL) == 0
                   && (cfg = json_loads (r.config, 0, NULL)) != NULL
                   && husk_op_ps_filter_match (pf, nf, &r, cfg);
      free (t->v[i].ref);
      if (!match)
        {
          free (t->v[i].id);
          continue;
        }
      t->v[kept].id = t->v[i].id;
      t->v[kept++].ref = husk_xstrdup (t->v[i].id);
    }
  t->n = kept;
  husk_ps_filters_free (pf, nf);
  return 0;
}

/* Collect the targets of a command that takes --cidfile and --filter:
   filters alone act on every container.  Return: 0, or -1.  */
int
cli_collect_filtered (struct cli_ctx *ctx, char **args, char **cidfiles, char **filters,
                  struct cli_target_opts *o, struct cli_targets *t)
{
  cleanup_strv char **names = with_cidfiles (ctx, args, cidfiles, o->ignore);

  if (names == NULL)
    return -1;
  if (filters && names[0] == NULL && !o->latest)
    o->all = true;
  /* Only --cidfile files, all missing with --ignore: nothing to do.  */
  if (cidfiles && names[0] == NULL && !o->all && !o->latest)
    return memset (t, 0, sizeof *t), 0;
  if (cli_targets_collect (ctx, names, o, t) < 0)
    return -1;
  if (filters && filter_targets (ctx, filters, t) < 0)
    {
      cli_targets_release (t);
      return -1;
    }
  return 0;
}

/* ---- start ------------------------------------------------------------- */

struct start_opts
{
  bool attach, interactive, all, latest, sig_proxy;
  char *detach_keys;
  char **filter;
};

/* start -a's started() hook: as run's, signals go to the container's
   process unless it has a terminal (^C reaches it through that).  */
static void
start_sig_proxy (void *data, const struct husk_container_rec *r)
{
  struct husk_container_info info;

  (void) data;
  husk_op_container_info (r, &info);
  if (!info.tty)
    cli_sig_proxy_install (r);
  husk_container_info_release (&info);
}

static int
start_attached (struct cli_ctx *ctx, struct start_opts *o, const char *id)
{
  husk_error_t cerr = NULL;
  int hint, code;

  cli_winch_follow ();
  code = husk_op_container_start_attached (ctx->engine, id, &(struct husk_start_attach_opts){
                                             .in_fd = o->interactive ? 0 : -1, .out_fd = 1,
                                             .err_fd = 2, .detach_keys = o->detach_keys,
                                             .started = o->sig_proxy ? start_sig_proxy : NULL,
                                             .cleanup_err = &cerr }, &hint, &ctx->err);
  cli_sig_proxy_remove ();
  report_cleanup (id, &cerr);
  if (code < 0 && hint != 0)
    husk_error_wrap (&ctx->err, "unable to start container %s", id);
  return attached_status (ctx, code);
}

/* Podman 5: --sig-proxy defaults to --attach, and needs it.  */
static int
start_sig_proxy_check (struct cli_ctx *ctx, struct start_opts *o, int argc, char **argv)
{
  bool given = false;

  for (int i = 0; i < argc && strcmp (argv[i], "--") != 0; i++)
    given = given || husk_has_prefix (argv[i], "--sig-proxy");
  if (!given)
    o->sig_proxy = o->attach;
  if (o->sig_proxy && !o->attach)
    return husk_error_makex (&ctx->err, EINVAL, "you cannot use sig-proxy without --attach: "
                             "invalid argument");
  return 0;
}

int
cmd_container_start (struct cli_ctx *ctx, int argc, char **argv)
{
  static const struct cli_option opts[] = {
    { "all", 0, OPT_BOOL, offsetof (struct start_opts, all), NULL, "Start all containers regardless of their state or configuration" },
    { "attach", 'a', OPT_BOOL, offsetof (struct start_opts, attach), NULL, "Attach container's STDOUT and STDERR" },
    { "detach-keys", 0, OPT_STRING, offsetof (struct start_opts, detach_keys), "string", "Select the key sequence for detaching a container" },
    { "filter", 'f', OPT_STRV, offsetof (struct start_opts, filter), "stringArray", "Filter output based on conditions given" },
    { "interactive", 'i', OPT_BOOL, offsetof (struct start_opts, interactive), NULL, "Keep STDIN open even if not attached" },
    { "latest", 'l', OPT_BOOL, offsetof (struct start_opts, latest), NULL, "Act on the latest container husk is aware of" },
    { "sig-proxy", 0, OPT_BOOL, offsetof (struct start_opts, sig_proxy), NULL, "Proxy received signals to the process (default true if attaching, false otherwise)" },
    OPTION_END,
  };
  struct start_opts o = { 0 };
  struct cli_targets t;
  int hint, r;

  PARSE (opts, o, "[options] CONTAINER [CONTAINER...]", true);
  if (start_sig_proxy_check (ctx, &o, argc, argv) < 0)
    return cli_fail (ctx);
  if (o.attach && o.all)
    return husk_error_makex (&ctx->err, EINVAL, "you cannot start and attach all containers "
                             "at once"), cli_fail (ctx);
  if (o.attach && args[0] && args[1])
    return husk_error_makex (&ctx->err, EINVAL, "you cannot start and attach multiple "
                             "containers at once"), cli_fail (ctx);
  if (cli_collect_filtered (ctx, args, NULL, o.filter, &(struct cli_target_opts){
                          .all = o.all, .latest = o.latest,
                          .filter = o.filter ? CLI_ALL_ANY : CLI_ALL_NOT_RUNNING,
                          .no_args = "start requires at least one argument",
                          .all_and_args = "either start all containers or the container(s) "
                                          "provided in the arguments" }, &t) < 0)
    return cli_fail (ctx);
  if (o.attach && t.n == 1)
    {
      cleanup_free char *id = husk_xstrdup (t.v[0].id);
      cli_targets_release (&t);
      return start_attached (ctx, &o, id);
    }
  for (size_t i = 0; i < t.n; i++)
    {
      r = husk_op_container_start (ctx->engine, t.v[i].id, NULL, &hint, &ctx->err);
      if (r < 0)
        {
          husk_error_wrap (&ctx->err, "unable to start container \"%s\"", t.v[i].id);
          cli_targets_defer (ctx, &t, 125);
        }
      else if (r == 0)
        puts (t.v[i].ref); /* 1: it was running already, and is not named */
    }
  return cli_targets_finish (&t);
}

/* ---- stop, kill, rm, wait ------------------------------------------------ */

struct stop_opts
{
  bool all, ignore, force, volumes, latest, depend;
  long time;
  char *signal, *interval;
  char **condition, **cidfile, **filter;
};

int
cmd_container_stop (struct cli_ctx *ctx, int argc, char **argv)
{
  static const struct cli_option opts[] = {
    { "all", 'a', OPT_BOOL, offsetof (struct stop_opts, all), NULL, "Stop all running containers" },
    { "cidfile", 0, OPT_STRV, offsetof (struct stop_opts, cidfile), "stringArray", "Read the container ID from the file" },
    { "filter", 'f', OPT_STRV, offsetof (struct stop_opts, filter), "stringArray", "Filter output based on conditions given" },
    { "ignore", 'i', OPT_BOOL, offsetof (struct stop_opts, ignore), NULL, "Ignore errors when a specified container is missing" },
    { "latest", 'l', OPT_BOOL, offsetof (struct stop_opts, latest), NULL, "Act on the latest container husk is aware of" },
    { "time", 't', OPT_INT, offsetof (struct stop_opts, time), "int", "Seconds to wait for stop before killing the container" },
    { "timeout", 0, OPT_INT, offsetof (struct stop_opts, time), "int", "Alias of --time" },
    OPTION_END,
  };
  struct stop_opts o = { .time = -1 };
  struct cli_targets t;

  PARSE (opts, o, "[options] CONTAINER [CONTAINER...]", true);
  if (cli_collect_filtered (ctx, args, o.cidfile, o.filter, &(struct cli_target_opts){
                          .all = o.all, .latest = o.latest, .ignore = o.ignore }, &t) < 0)
    return cli_fail (ctx);
  for (size_t i = 0; i < t.n; i++)
    {
      struct husk_stop_opts so = { .timeout = (int) o.time, .timed_out = stop_timed_out };
      if (husk_op_container_stop_with (ctx->engine, t.v[i].id, &so, &ctx->err) < 0)
        cli_targets_defer (ctx, &t, 125);
      else
        puts (t.v[i].ref);
    }
  return cli_targets_finish (&t);
}

/* kill -s: a name with or without SIG, or a number, each with an optional
   leading "-" (kill(1)'s "-9"), 1 to 64, in Podman's words.  */
static int
kill_signal (struct cli_ctx *ctx, const char *s, int *sig)
{
  const char *base = s[0] == '-' ? s + 1 : s;
  char *end;
  long v;

  if (*base == '\0' || strchr ("+0123456789", *base) == NULL)
    return husk_parse_signal (base, sig, &ctx->err);
  errno = 0;
  v = strtol (base, &end, 10);
  if (*end != '\0')
    return husk_error_makex (&ctx->err, EINVAL, "invalid signal: %s", base);
  if (v == 0 && errno == 0)
    return husk_error_makex (&ctx->err, EINVAL, "invalid signal: %s", base);
  if (v < 1 || v > 64 || errno == ERANGE)
    return husk_error_makex (&ctx->err, EINVAL, "valid signals are 1 through 64");
  *sig = (int) v;
  return 0;
}

int
cmd_container_kill (struct cli_ctx *ctx, int argc, char **argv)
{
  static const struct cli_option opts[] = {
    { "all", 'a', OPT_BOOL, offsetof (struct stop_opts, all), NULL, "Signal all running containers" },
    { "cidfile", 0, OPT_STRV, offsetof (struct stop_opts, cidfile), "stringArray", "Read the container ID from the file" },
    { "latest", 'l', OPT_BOOL, offsetof (struct stop_opts, latest), NULL, "Act on the latest container husk is aware of" },
    { "signal", 's', OPT_STRING, offsetof (struct stop_opts, signal), "string", "Signal to send to the container" },
    OPTION_END,
  };
  struct stop_opts o = { 0 };
  struct cli_targets t;
  int sig = SIGKILL;

  PARSE (opts, o, "[options] CONTAINER [CONTAINER...]", true);
  if (o.signal && kill_signal (ctx, o.signal, &sig) < 0)
    return cli_fail (ctx);
  if (cli_collect_filtered (ctx, args, o.cidfile, NULL, &(struct cli_target_opts){
                          .all = o.all, .latest = o.latest, .filter = CLI_ALL_ACTIVE }, &t) < 0)
    return cli_fail (ctx);
  for (size_t i = 0; i < t.n; i++)
    {
      if (husk_op_container_kill (ctx->engine, t.v[i].id, sig, &ctx->err) < 0)
        cli_targets_defer (ctx, &t, 125);
      else
        puts (t.v[i].ref);
    }
  return cli_targets_finish (&t);
}

/* Podman's exit status of rm: 1 once a container was missing, 2 for one
   in use, else 125.  */
static int
rm_status (int status, int code)
{
  if (status == 1 || code == ENOENT)
    return 1;
  if (code == EBUSY)
    return 2;
  return status ? status : 125;
}

/* rm --depend prints each dependent it removed.  */
static void
rm_removed (void *data, const char *id)
{
  (void) data;
  puts (id);
}

int
cmd_container_rm (struct cli_ctx *ctx, int argc, char **argv)
{
  static const struct cli_option opts[] = {
    { "all", 'a', OPT_BOOL, offsetof (struct stop_opts, all), NULL, "Remove all containers" },
    { "cidfile", 0, OPT_STRV, offsetof (struct stop_opts, cidfile), "stringArray", "Read the container ID from the file" },
    { "depend", 0, OPT_BOOL, offsetof (struct stop_opts, depend), NULL, "Remove container and all containers that depend on it" },
    { "filter", 0, OPT_STRV, offsetof (struct stop_opts, filter), "stringArray", "Filter output based on conditions given" },
    { "force", 'f', OPT_BOOL, offsetof (struct stop_opts, force), NULL, "Force removal of a running or unusable container" },
    { "ignore", 'i', OPT_BOOL, offsetof (struct stop_opts, ignore), NULL, "Ignore errors when a specified container is missing" },
    { "latest", 'l', OPT_BOOL, offsetof (struct stop_opts, latest), NULL, "Act on the latest container husk is aware of" },
    { "time", 't', OPT_INT, offsetof (struct stop_opts, time), "int", "Seconds to wait for stop before killing the container" },
    { "volumes", 'v', OPT_BOOL, offsetof (struct stop_opts, volumes), NULL, "Remove anonymous volumes associated with the container" },
    OPTION_END,
  };
  struct stop_opts o = { .time = -1 };
  struct cli_targets t;

  PARSE (opts, o, "[options] CONTAINER [CONTAINER...]", true);
  if (cli_collect_filtered (ctx, args, o.cidfile, o.filter, &(struct cli_target_opts){
                          .all = o.all, .latest = o.latest, .ignore = o.ignore }, &t) < 0)
    {
      int code = ctx->err->code;
      /* Podman: with --force a missing name makes rm do nothing, quietly. */
      if (code == ENOENT && o.force)
        return husk_error_release (&ctx->err), 0;
      cli_fail (ctx);
      return code == ENOENT ? 1 : 125;
    }
  for (size_t i = 0; i < t.n; i++)
    {
      /* Podman: --all implies --depend (a pod's infra takes its pod).  */
      struct husk_rm_opts ro = { .force = o.force, .volumes = o.volumes,
                                 .check_dependents = true, .depend = o.depend || o.all,
                                 .stop = { .timeout = (int) o.time, .timed_out = stop_timed_out },
                                 .removed = rm_removed };
      if (husk_op_container_remove_with (ctx->engine, t.v[i].id, &ro, &ctx->err) < 0)
        {
          /* Gone with a container or pod removed before it (--all).  */
          if (o.all && ctx->err->code == ENOENT)
            {
              husk_error_release (&ctx->err);
              continue;
            }
          cli_targets_defer (ctx, &t, rm_status (t.status, ctx->err->code));
        }
      else
        puts (t.v[i].ref);
    }
  return cli_targets_finish (&t);
}

int
cmd_container_wait (struct cli_ctx *ctx, int argc, char **argv)
{
  static const struct cli_option opts[] = {
    { "condition", 0, OPT_STRV, offsetof (struct stop_opts, condition), "strings", "Condition to wait on" },
    { "ignore", 0, OPT_BOOL, offsetof (struct stop_opts, ignore), NULL, "Ignore if a container does not exist" },
    { "interval", 'i', OPT_STRING, offsetof (struct stop_opts, interval), "string", "Time Interval to wait before polling for completion" },
    { "latest", 'l', OPT_BOOL, offsetof (struct stop_opts, latest), NULL, "Act on the latest container husk is aware of" },
    OPTION_END,
  };
  struct stop_opts o = { 0 };
  cleanup_strv char **conditions = NULL;
  int64_t interval = 0;
  struct cli_targets t;

  PARSE (opts, o, "[options] CONTAINER [CONTAINER...]", true);
  if (o.interval && husk_parse_duration (o.interval, &interval, &ctx->err) < 0)
    return cli_fail (ctx); /* Podman's words: Go's, unwrapped */
  /* A list, as Podman's: repeated or separated by commas.  */
  for (size_t i = 0; o.condition && o.condition[i]; i++)
    {
      cleanup_strv char **words = husk_strv_split (o.condition[i], ',');
      for (size_t w = 0; words && words[w]; w++)
        husk_strv_append (&conditions, words[w]);
    }
  /* --ignore keeps missing names in place: they print -1 (Podman 4.6).  */
  if (cli_targets_collect (ctx, args, &(struct cli_target_opts){
                             .latest = o.latest, .keep_going = o.ignore,
                             .no_args = "\"husk wait\" requires a name, id, or the \"--latest\" flag" },
                           &t) < 0)
    return cli_fail (ctx);
  for (size_t i = 0, k = 0; o.latest ? i < 1 : args[i] != NULL; i++)
    {
      int code;
      if (k >= t.n || (!o.latest && strcmp (t.v[k].ref, args[i]) != 0))
        {
          puts ("-1");
          continue;
        }
      if (husk_op_container_wait_any (ctx->engine, t.v[k++].id, conditions,
                                      (int) (interval / 1000000), &code, &ctx->err) < 0)
        cli_targets_defer (ctx, &t, 125);
      else
        printf ("%d\n", code);
    }
  return cli_targets_finish (&t);
}

/* ---- logs -------------------------------------------------------------- */

struct logs_opts
{
  bool follow, timestamps, names, latest, color;
  char *since, *until, *tail;
};

struct log_print
{
  const char *prefix;
  bool timestamps;
  const char *color; /* --color: this container's, or NULL */
};

/* --color: Podman 5's colours, one per container in turn, each line
   painted whole and reset after it.  */
static const char *
log_color (size_t i)
{
  static const char *const colors[] = { "\033[37m", "\033[31m", "\033[33m", "\033[34m",
                                        "\033[35m", "\033[36m", "\033[32m" };

  return colors[i % (sizeof colors / sizeof colors[0])];
}

/* Records of containers followed at once come from one thread each: a
   record is printed whole before another begins.  */
static pthread_mutex_t print_lock = PTHREAD_MUTEX_INITIALIZER;

static void
print_log (void *ctx, const char *stream, int64_t ts_ns, const char *data, size_t len,
           bool partial)
{
  struct log_print *p = ctx;
  FILE *out = strcmp (stream, "stderr") == 0 ? stderr : stdout;

  pthread_mutex_lock (&print_lock);
  if (p->color)
    fputs (p->color, out);
  if (p->prefix)
    fprintf (out, "%s ", p->prefix);
  if (p->timestamps)
    {
      char ts[HUSK_TIMESTAMP_LEN];
      husk_timestamp_format (ts, ts_ns);
      fprintf (out, "%s ", ts);
    }
  fwrite (data, 1, len, out);
  if (p->color && !partial)
    fputs ("\033[0m", out);
  fflush (out);
  pthread_mutex_unlock (&print_lock);
}

/* One container's log, as the loop below or a follower thread reads it. */
struct log_job
{
  struct husk_log_source src;
  struct husk_logs_opts lo;
  struct log_print p;
  char *prefix;
  husk_error_t err;
  int ret;
  pthread_t thread;
  bool started;
};

static void *
log_job_run (void *arg)
{
  struct log_job *j = arg;

  j->ret = husk_op_log_source_read (&j->src, &j->lo, print_log, &j->p, &j->err);
  return NULL;
}

static void
log_jobs_free (struct log_job *jobs, size_t n)
{
  for (size_t i = 0; jobs && i < n; i++)
    {
      husk_log_source_release (&jobs[i].src);
      husk_error_release (&jobs[i].err);
      free (jobs[i].prefix);
    }
  free (jobs);
}

/* Read every job: one after the other, or, following several containers,
   all at once (as Podman does: a log that is followed never ends while
   its container runs, and would hold back the next).  Return: 0, or -1
   with the first job's error in ctx->err.  */
static int
log_jobs_run (struct cli_ctx *ctx, struct log_job *jobs, size_t n, bool together)
{
  int ret = 0;

  for (size_t i = 0; i < n; i++)
    {
      if (together && pthread_create (&jobs[i].thread, NULL, log_job_run, &jobs[i]) == 0)
        jobs[i].started = true;
      else
        log_job_run (&jobs[i]);
      if (!together && jobs[i].ret < 0)
        break;
    }
  for (size_t i = 0; i < n; i++)
    {
      if (jobs[i].started)
        pthread_join (jobs[i].thread, NULL);
      if (jobs[i].ret < 0 && ret == 0)
        ret = husk_error_move (&ctx->err, &jobs[i].err);
    }
  return ret;
}

int
cmd_container_logs (struct cli_ctx *ctx, int argc, char **argv)
{
  static const struct cli_option opts[] = {
    { "color", 0, OPT_BOOL, offsetof (struct logs_opts, color), NULL, "Output the containers with different colors in the log" },
    { "follow", 'f', OPT_BOOL, offsetof (struct logs_opts, follow), NULL, "Follow log output" },
    { "latest", 'l', OPT_BOOL, offsetof (struct logs_opts, latest), NULL, "Act on the latest container" },
    { "names", 'n', OPT_BOOL, offsetof (struct logs_opts, names), NULL, "Output the container name in the log" },
    { "since", 0, OPT_STRING, offsetof (struct logs_opts, since), "string", "Show logs since TIMESTAMP" },
    { "tail", 0, OPT_STRING, offsetof (struct logs_opts, tail), "int", "Output the specified number of LINES at the end of the logs" },
    { "timestamps", 't', OPT_BOOL, offsetof (struct logs_opts, timestamps), NULL, "Output the timestamps in the log" },
    { "until", 0, OPT_STRING, offsetof (struct logs_opts, until), "string", "Show logs until TIMESTAMP" },
    OPTION_END,
  };
  struct logs_opts o = { 0 };
  struct husk_logs_opts lo = { .tail = -1 };
  cleanup_targets struct cli_targets t = { 0 };
  struct log_job *jobs;
  bool several;
  int r = 0;

  PARSE (opts, o, "[options] CONTAINER [CONTAINER...]", true);
  if (cli_targets_collect (ctx, args, &(struct cli_target_opts){
                             .latest = o.latest,
                             .no_args = "specify at least one container name or ID to log" },
                           &t) < 0)
    return cli_fail (ctx);
  if (husk_op_logs_time ("since", o.since, true, &lo.since_ns, &ctx->err) < 0
      || husk_op_logs_time ("until", o.until, false, &lo.until_ns, &ctx->err) < 0)
    return cli_fail (ctx);
  if (o.tail)
    {
      char *end;
      lo.tail = strtol (o.tail, &end, 10);
      if (*end || end == o.tail)
        return cli_usage_error (ctx, "invalid argument \"%s\" for \"--tail\" flag", o.tail),
               cli_fail (ctx);
    }
  several = t.n > 1;
  lo.follow = o.follow;
  jobs = husk_xzalloc ((t.n + 1) * sizeof *jobs);
  /* Every log is found first, in the state; then only files are read.  */
  for (size_t i = 0; i < t.n && r == 0; i++)
    {
      struct log_job *j = &jobs[i];
      if (o.names || several)
        j->prefix = o.names ? husk_xstrdup (t.v[i].ref) : husk_xstrndup (t.v[i].id, 12);
      j->p = (struct log_print){ .prefix = j->prefix, .timestamps = o.timestamps,
                                 .color = o.color ? log_color (i) : NULL };
      j->lo = lo;
      r = husk_op_container_log_source (ctx->engine, t.v[i].id, &j->src, &ctx->err);
    }
  if (r == 0)
    r = log_jobs_run (ctx, jobs, t.n, o.follow && several);
  log_jobs_free (jobs, t.n);
  return r < 0 ? cli_fail (ctx) : 0;
}

/* ---- inspect, exists, cleanup -------------------------------------------- */

struct cinspect_opts
{
  char *format;
  bool size, latest;
};

int
cmd_container_inspect (struct cli_ctx *ctx, int argc, char **argv)
{
  static const struct cli_option opts[] = {
    { "format", 'f', OPT_STRING, offsetof (struct cinspect_opts, format), "string", "Format the output to a Go template or json" },
    { "latest", 'l', OPT_BOOL, offsetof (struct cinspect_opts, latest), NULL, "Act on the latest container" },
    { "size", 's', OPT_BOOL, offsetof (struct cinspect_opts, size), NULL, "Display total file size" },
    OPTION_END,
  };
  struct cinspect_opts o = { 0 };
  cleanup_strv char **errors = NULL;
  cleanup_targets struct cli_targets t = { 0 };
  char *latest[2] = { NULL, NULL }, **refs;

  PARSE (opts, o, "[options] CONTAINER [CONTAINER...]", true);
  refs = cli_inspect_refs (ctx, args, o.latest, &t, latest, &errors);
  if (refs == NULL)
    return cli_fail (ctx);
  return cli_inspect_objects (ctx, refs, "container", o.size, o.format, &errors);
}

int
cmd_container_exists (struct cli_ctx *ctx, int argc, char **argv)
{
  static const struct cli_option opts[] = { OPTION_END };
  struct cinspect_opts o = { 0 };
  cleanup_free char *id = NULL;

  PARSE (opts, o, "CONTAINER", true);
  if (husk_strv_len (args) != 1)
    return cli_usage_error (ctx, "accepts 1 arg(s), received %zu", husk_strv_len (args)), cli_fail (ctx);
  if (husk_op_container_resolve (ctx->engine, args[0], &id, &ctx->err) < 0)
    {
      bool missing = ctx->err->code == ENOENT;
      if (missing)
        return husk_error_release (&ctx->err), 1;
      return cli_fail (ctx);
    }
  return 0;
}

struct cleanup_opts
{
  bool by_monitor, restarting;
};

/* Who runs the cleanup: the monitor's exit command says so with the
   hidden --by-monitor (and --restarting before a restart by policy).  A
   monitor that puts HUSK_MONITOR_RESTARTING=0/1 into the exit command's
   environment is one too: monitors spawned by an older husk, still
   watching containers across an upgrade, say it only that way.  */
static unsigned
cleanup_flags (const struct cleanup_opts *o)
{
  const char *env = getenv ("HUSK_MONITOR_RESTARTING");
  unsigned flags = HUSK_CLEANUP_DEFAULT;

  if (o->by_monitor || env)
    flags |= HUSK_CLEANUP_BY_MONITOR;
  if (o->restarting || (env && strcmp (env, "1") == 0))
    flags |= HUSK_CLEANUP_BY_MONITOR | HUSK_CLEANUP_RESTARTING;
  return flags;
}

int
cmd_container_cleanup (struct cli_ctx *ctx, int argc, char **argv)
{
  /* No help text: hidden from --help and completion.  */
  static const struct cli_option opts[] = {
    { "by-monitor", 0, OPT_BOOL, offsetof (struct cleanup_opts, by_monitor), NULL, NULL },
    { "restarting", 0, OPT_BOOL, offsetof (struct cleanup_opts, restarting), NULL, NULL },
    OPTION_END,
  };
  struct cleanup_opts o = { 0 };
  unsigned flags;

  PARSE (opts, o, "CONTAINER", true);
  if (args[0] == NULL)
    return cli_usage_error (ctx, "you must provide at least one container name or id"), cli_fail (ctx);
  flags = cleanup_flags (&o);
  for (size_t i = 0; args[i]; i++)
    if (husk_op_container_cleanup (ctx->engine, args[i], flags, &ctx->err) < 0)
      return cli_fail (ctx);
  return 0;
}

const struct cli_command cli_container_commands[] = {
  { "cleanup", cmd_container_cleanup, CMD_ENGINE | CMD_USERNS, NULL, "Clean up network and mountpoints of one or more containers" },
  { "create", cmd_container_create, CMD_ENGINE | CMD_USERNS | CMD_STOP_AT_ARG, NULL, "Create but do not start a container" },
  { "exists", cmd_container_exists, CMD_ENGINE, NULL, "Check if a container exists in local storage" },
  { "init", cmd_container_init, CMD_ENGINE | CMD_USERNS | CMD_STARTS, NULL, "Initialize one or more containers" },
  { "inspect", cmd_container_inspect, CMD_ENGINE, NULL, "Display the configuration of a container" },
  { "kill", cmd_container_kill, CMD_ENGINE | CMD_USERNS, NULL, "Kill one or more running containers with a specific signal" },
  { "list", cmd_container_ps, CMD_ENGINE | CMD_HIDDEN, NULL, "List containers" },
  { "logs", cmd_container_logs, CMD_ENGINE, NULL, "Fetch the logs of one or more containers" },
  { "ls", cmd_container_ps, CMD_ENGINE, NULL, "List containers" },
  { "ps", cmd_container_ps, CMD_ENGINE | CMD_HIDDEN, NULL, "List containers" },
  { "rm", cmd_container_rm, CMD_ENGINE | CMD_USERNS, NULL, "Remove one or more containers" },
  { "run", cmd_container_run, CMD_ENGINE | CMD_USERNS | CMD_STOP_AT_ARG | CMD_STARTS, NULL, "Run a command in a new container" },
  { "start", cmd_container_start, CMD_ENGINE | CMD_USERNS | CMD_STARTS, NULL, "Start one or more containers" },
  { "stop", cmd_container_stop, CMD_ENGINE | CMD_USERNS, NULL, "Stop one or more containers" },
  { "wait", cmd_container_wait, CMD_ENGINE, NULL, "Block on one or more containers" },
  { "attach", cmd_container_attach, CMD_ENGINE, NULL, "Attach to a running container" },
  { "exec", cmd_container_exec, CMD_ENGINE | CMD_USERNS | CMD_STOP_AT_ARG | CMD_STARTS, NULL, "Run a process in a running container" },
  { "pause", cmd_container_pause, CMD_ENGINE | CMD_USERNS, NULL, "Pause all the processes in one or more containers" },
  { "restart", cmd_container_restart, CMD_ENGINE | CMD_USERNS | CMD_STARTS, NULL, "Restart one or more containers" },
  { "stats", cmd_container_stats, CMD_ENGINE, NULL, "Display a live stream of container resource usage statistics" },
  { "top", cmd_container_top, CMD_ENGINE | CMD_STOP_AT_ARG, NULL, "Display the running processes of a container" },
  { "unpause", cmd_container_unpause, CMD_ENGINE | CMD_USERNS, NULL, "Unpause the processes in one or more containers" },
  { "commit", cmd_container_commit, CMD_ENGINE | CMD_USERNS, NULL, "Create new image based on the changed container" },
  { "cp", cmd_container_cp, CMD_ENGINE | CMD_USERNS, NULL, "Copy files/folders between a container and the local filesystem" },
  { "diff", cmd_container_diff, CMD_ENGINE | CMD_USERNS, NULL, "Inspect changes to the container's file systems" },
  { "export", cmd_container_export, CMD_ENGINE | CMD_USERNS, NULL, "Export a container's filesystem contents as a tar archive" },
  { "mount", cmd_container_mount, CMD_ENGINE | CMD_USERNS, NULL, "Mount a working container's root filesystem" },
  { "port", cmd_container_port, CMD_ENGINE, NULL, "List port mappings or a specific mapping for the container" },
  { "prune", cmd_container_prune, CMD_ENGINE | CMD_USERNS, NULL, "Remove all non running containers" },
  { "rename", cmd_container_rename, CMD_ENGINE, NULL, "Rename an existing container" },
  { "umount", cmd_container_unmount, CMD_ENGINE | CMD_USERNS | CMD_HIDDEN, NULL, "Unmount working container's root filesystem" },
  { "unmount", cmd_container_unmount, CMD_ENGINE | CMD_USERNS, NULL, "Unmount working container's root filesystem" },
  { NULL, NULL, 0, NULL, NULL },
};
