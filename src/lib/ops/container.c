/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Container operations.
 *
 * Theory of operation: a container is a state row (state/containers.c),
 * a read-write layer (storage), a bundle directory <root>/containers/<id>
 * (config.json, hosts, hostname, resolv.conf, .containerenv, the log) and,
 * while it runs, a run directory <runroot>/containers/<id> owned by its
 * husk-monitor (attach socket, pid, exit record, health).  husk never waits
 * for a container: the monitor records the exit and runs `husk container
 * cleanup ID`; any command that looks at a container first folds in what
 * the monitor recorded (sync_state), so a lost cleanup is repaired by the
 * next command.  create plans everything before it writes anything, and
 * rolls back what it wrote when a later step fails.
 */
#include "ops/container.h"
#include "config/config.h"
#include "events/events.h"
#include "container/ccfg-build.h"
#include "container/monitor.h"
#include "container/passwd.h"
#include "image/image.h"
#include "ops/image.h"
#include "ops/volume.h"
#include "runtime/runtime.h"
#include "runtime/seccomp.h"
#include "runtime/spec.h"
#include "state/containers.h"
#include "storage/store.h"
#include "util/exec.h"
#include "util/cleanup.h"
#include "util/digest.h"
#include "util/fileutil.h"
#include "util/log.h"
#include "util/proc.h"
#include "util/strutil.h"
#include "husk-config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int64_t
now_ns (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_REALTIME, &ts);
  return (int64_t) ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void
event (struct husk_engine *e, const char *action, const struct husk_container_rec *r)
{
  husk_events_container (e->state, r, action, 0, NULL);
}

static char *
bundle_dir (struct husk_engine *e, const char *id)
{
  return husk_asprintf ("%s/containers/%s", e->root, id);
}

char *
husk_op_container_rundir (struct husk_engine *e, const char *id)
{
  return husk_asprintf ("%s/containers/%s", e->runroot, id);
}

int
husk_op_container_resolve (struct husk_engine *e, const char *ref, char **id,
                           husk_error_t *err)
{
  return husk_state_container_lookup (e->state, ref, id, err);
}

/* ---- names ------------------------------------------------------------- */

static char *
random_hex (size_t bytes)
{
  unsigned char buf[32];
  char *out = husk_xmalloc (bytes * 2 + 1);
  int fd = open ("/dev/urandom", O_RDONLY | O_CLOEXEC);

  if (fd < 0 || read (fd, buf, bytes) != (ssize_t) bytes)
    abort ();
  close (fd);
  for (size_t i = 0; i < bytes; i++)
    snprintf (out + 2 * i, 3, "%02x", buf[i]);
  return out;
}

static char *
random_name (const char *id)
{
  static const char *const adj[] = {
    "amber", "brave", "calm", "deft", "eager", "fuzzy", "gentle", "happy", "icy",
    "jolly", "keen", "lucid", "merry", "nimble", "odd", "proud", "quiet", "rapid",
    "shy", "tidy", "upbeat", "vivid", "witty", "young", "zesty",
  };
  static const char *const noun[] = {
    "badger", "crane", "dingo", "egret", "ferret", "gecko", "heron", "ibis",
    "jackal", "koala", "lemur", "marten", "newt", "otter", "panda", "quail",
    "raven", "stoat", "tapir", "urchin", "vole", "walrus", "yak", "zebu",
  };
  char head[9];
  unsigned long v;

  snprintf (head, sizeof head, "%.8s", id);
  v = strtoul (head, NULL, 16);

  return husk_asprintf ("%s_%s", adj[v % 25], noun[(v / 25) % 24]);
}

static int
valid_name (const char *n)
{
  if (!((n[0] >= 'a' && n[0] <= 'z') || (n[0] >= 'A' && n[0] <= 'Z') || (n[0] >= '0' && n[0] <= '9')))
    return 0;
  for (const char *p = n; *p; p++)
    if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9')
          || *p == '_' || *p == '.' || *p == '-'))
      return 0;
  return 1;
}

/* ---- files of the bundle ---------------------------------------------- */

/* A file of the bundle directory create has just made.  */
static int
write_text (const char *dir, const char *name, const char *text, husk_error_t *err)
{
  cleanup_free char *p = husk_asprintf ("%s/%s", dir, name);

  return husk_write_file_new (p, text, strlen (text), 0644, err);
}

static int
write_bundle_files (struct husk_engine *e, const char *dir, json_t *c, husk_error_t *err)
{
  const char *host = json_string_value (json_object_get (c, "hostname"));
  const char *name = json_string_value (json_object_get (c, "name"));
  cleanup_free char *hosts = husk_asprintf (
      "127.0.0.1\tlocalhost localhost.localdomain localhost4 localhost4.localdomain4\n"
      "::1\tlocalhost localhost.localdomain localhost6 localhost6.localdomain6\n"
      "127.0.1.1\t%s %s\n", host, name);
  cleanup_free char *hn = husk_asprintf ("%s\n", host);
  cleanup_free char *resolv = husk_read_file ("/etc/resolv.conf", NULL, NULL);
  cleanup_free char *env = husk_asprintf (
      "engine=\"husk-%s\"\nname=\"%s\"\nid=\"%s\"\nimage=\"%s\"\nimageid=\"%s\"\nrootless=%d\n",
      HUSK_VERSION, name, json_string_value (json_object_get (c, "id")),
      json_string_value (json_object_get (json_object_get (c, "image"), "name")),
      json_string_value (json_object_get (json_object_get (c, "image"), "id")), e->rootless);

  if (write_text (dir, "hosts", hosts, err) < 0 || write_text (dir, "hostname", hn, err) < 0
      || write_text (dir, "resolv.conf", resolv ? resolv : "", err) < 0
      || write_text (dir, ".containerenv", env, err) < 0)
    return -1;
  return 0;
}

/* ---- runtime ------------------------------------------------------------ */

/* ---- create ------------------------------------------------------------ */

static json_t *
plan (struct husk_engine *e, const char *image, json_t *req, struct husk_image_rec *img,
      husk_error_t *err)
{
  cleanup_free char *image_id = NULL;
  cleanup_json json_t *icfg = NULL;
  struct husk_ccfg_defaults d = {
    .log_driver = e->config->log_driver,
    .shm_size = e->config->shm_size,
    .init_path = e->config->init_path,
    .stop_timeout = e->config->stop_timeout,
  };
  json_t *c;

  if (husk_op_image_resolve (e, image, &image_id, err) < 0
      || husk_state_image_get (e->state, image_id, img, err) < 0)
    return NULL;
  icfg = json_loads (img->config, 0, NULL);
  c = husk_ccfg_build (req, &d, icfg, err);
  if (c == NULL)
    return NULL;
  json_object_set_new (c, "image", json_pack ("{s:s, s:s}", "id", img->id, "name",
                                              img->names && img->names[0] ? img->names[0] : img->id));
  /* The runtime is the container's for life: chosen now, by path, so
     no later change of the host or the configuration hands it to
     another runtime.  */
  {
    cleanup_free char *why = NULL;
    cleanup (husk_runtime_free) struct husk_runtime *rt = husk_runtime_resolve (
        json_string_value (json_object_get (req, "runtime")), e->config, &why, err);
    if (rt == NULL)
      {
        json_decref (c);
        return NULL;
      }
    if (why)
      husk_log_debug ("using %s: %s", rt->name, why);
    json_object_set_new (c, "runtime", json_string (rt->path));
  }
  return c;
}

/* The request's name, checked, or a random one.  */
static char *
choose_name (json_t *req, const char *id, husk_error_t *err)
{
  const char *n = json_string_value (json_object_get (req, "name"));

  if (n == NULL || *n == '\0')
    return random_name (id);
  if (!valid_name (n))
    return husk_error_makex (err, EINVAL, "container name \"%s\" is invalid: names must match "
                             "[a-zA-Z0-9][a-zA-Z0-9_.-]*", n), NULL;
  return husk_xstrdup (n);
}

int
husk_op_container_create (struct husk_engine *e, const char *image, json_t *req,
                          char **id_out, husk_error_t *err)
{
  struct husk_image_rec img = { 0 };
  cleanup_json json_t *c = plan (e, image, req, &img, err);
  cleanup_free char *id = random_hex (32), *name = NULL, *dir = NULL, *text = NULL;
  struct husk_container_rec rec = { 0 };
  const char *top;
  int ret = -1;

  if (c == NULL)
    goto out;
  if ((name = choose_name (req, id, err)) == NULL)
    goto out;
  json_object_set_new (c, "id", json_string (id));
  json_object_set_new (c, "name", json_string (name));
  if (json_object_get (c, "hostname") == NULL)
    {
      /* Podman: the short ID, or with the host's network its hostname.  */
      const char *net = json_string_value (json_object_get (json_object_get (c, "namespaces"),
                                                            "network"));
      char host[256] = "";
      cleanup_free char *h = husk_xstrndup (id, 12);
      if (net && strcmp (net, "host") == 0 && gethostname (host, sizeof host - 1) == 0 && *host)
        json_object_set_new (c, "hostname", json_string (host));
      else
        json_object_set_new (c, "hostname", json_string (h));
    }
  dir = bundle_dir (e, id);
  if (json_object_get (json_object_get (c, "log"), "path") == NULL)
    {
      cleanup_free char *lp = husk_asprintf ("%s/ctr.log", dir);
      json_object_set_new (json_object_get (c, "log"), "path", json_string (lp));
    }
  text = json_dumps (c, JSON_COMPACT);
  rec = (struct husk_container_rec){ .id = id, .name = name, .image_id = img.id,
                                     .config = text, .state = (char *) "created",
                                     .created = now_ns () };
  /* The row first: it reserves the name, so a conflict costs nothing.  A
     generated name that happens to be taken is simply drawn again.  */
  for (int tries = 0; husk_state_container_add (e->state, &rec, err) < 0; tries++)
    {
      cleanup_free char *salt = random_hex (4);
      if ((*err)->code != EEXIST || json_string_value (json_object_get (req, "name")) || tries > 50)
        goto out;
      husk_error_release (err);
      free (name);
      name = random_name (salt);
      rec.name = name;
      json_object_set_new (c, "name", json_string (name));
      free (text);
      text = json_dumps (c, JSON_COMPACT);
      rec.config = text;
    }
  top = img.layers && img.layers[0] ? img.layers[husk_strv_len (img.layers) - 1] : NULL;
  /* Named volumes exist from create on, as in Podman; they are seeded from
     the image at the first start.  */
  if (husk_mkdir_p (dir, 0700, err) < 0 || write_bundle_files (e, dir, c, err) < 0
      || husk_store_container_create (e->store, id, top, err) < 0
      || (json_is_true (json_object_get (c, "rm"))
          && husk_store_container_set_transient (e->store, id, err) < 0)
      || husk_op_volume_create_named (e, c, err) < 0)
    {
      husk_store_container_remove (e->store, id, NULL);
      husk_rm_rf (dir, NULL);
      husk_state_container_remove (e->state, id, NULL);
      goto out;
    }
  event (e, "create", &rec);
  *id_out = steal_ptr (&id);
  ret = 0;
out:
  husk_image_rec_release (&img);
  return ret;
}

/* ---- state ------------------------------------------------------------- */

/* The recorded processes.  A pid is only a name: after a reboot, or once
   a monitor and its container died without an exit record, it may belong
   to any process.  Every check and every signal on a pid from the row goes
   through ctr_proc(), which adds the boot and start time recorded with it
   (util/proc.h): a process that does not match is not the container's, is
   never signalled and never counts as alive.  A row recorded before boot
   IDs were (no boot_id) belongs to this boot only if it started after the
   boot did; the minute of slack keeps a clock stepped after boot from
   ending a container that runs.  */
static struct husk_proc_id
ctr_proc (const struct husk_container_rec *r, bool monitor)
{
  struct husk_proc_id p = { .pid = monitor ? r->monitor_pid : r->pid,
                            .start = monitor ? r->monitor_start : r->pid_start,
                            .boot_id = r->boot_id };

  if ((r->boot_id == NULL || r->boot_id[0] == '\0') && r->started_at > 0
      && r->started_at < husk_proc_boot_time_ns () - 60LL * 1000000000)
    p.pid = 0;
  return p;
}

/* Whether the container's process (or its monitor) as recorded still
   runs.  A zombie is dead: init here reaps orphans slowly, and an exited
   monitor can linger as one for a second.  */
static bool
ctr_alive (const struct husk_container_rec *r, bool monitor)
{
  struct husk_proc_id p = ctr_proc (r, monitor);

  return husk_proc_alive (&p);
}

/* Record the boot the pids about to be recorded belong to.  */
static void
set_boot (struct husk_container_rec *r)
{
  char boot[HUSK_BOOT_ID_LEN + 1];

  husk_proc_boot_id (boot);
  free (r->boot_id);
  r->boot_id = husk_xstrdup (boot);
}


/* The states in which a monitor looks after the container.  */
static bool
has_monitor (const char *state)
{
  return strcmp (state, "running") == 0 || strcmp (state, "paused") == 0
         || strcmp (state, "stopping") == 0 || strcmp (state, "initialized") == 0;
}

/* The runtime recorded in a container's configuration, with husk's --root. */
static struct husk_runtime *
ctr_runtime (struct husk_engine *e, const struct husk_container_rec *r, husk_error_t *err)
{
  cleanup_json json_t *c = json_loads (r->config, 0, NULL);

  return husk_runtime_open (json_string_value (json_object_get (c, "runtime")), e->runroot,
                            err);
}

/* Release what a stopped container holds: the runtime's record, the mount. */
static void
release_ex (struct husk_engine *e, struct husk_container_rec *r, bool runtime)
{
  husk_error_t err = NULL;
  cleanup (husk_runtime_free) struct husk_runtime *rt = ctr_runtime (e, r, &err);
  cleanup_free char *state = rt ? husk_asprintf ("%s/%s", rt->root, r->id) : NULL;

  /* crun and runc keep <root>/<id> while they know the container: without
     it there is nothing to delete, and a runtime call costs milliseconds. */
  if (runtime && rt && husk_path_exists (state) && husk_runtime_delete (rt, r->id, true, &err) < 0)
    husk_log_debug ("release %s: %s", r->id, err->msg);
  husk_error_release (&err);
  husk_store_container_unmount (e->store, r->id, true, NULL);
}

/* Delete the runtime's record of an exited container and unmount it.  */
static void
release (struct husk_engine *e, struct husk_container_rec *r)
{
  release_ex (e, r, true);
}

/* The monitor's record of the last start: {"pid", "pid_start",
   "monitor_pid", "monitor_start", "started_at_ns"}.  NULL if none.  */
static json_t *
read_started (const char *run)
{
  cleanup_free char *path = husk_asprintf ("%s/%s", run, HUSK_MONITOR_STARTED);
  cleanup_free char *text = husk_read_file (path, NULL, NULL);

  return text ? json_loads (text, 0, NULL) : NULL;
}

/* The monitor restarts the container on its own (restart policy): take
   the new pid, its start time and the count from its files.  */
static int
follow_restart (struct husk_engine *e, struct husk_container_rec *r, const char *run)
{
  cleanup_json json_t *j = read_started (run);
  int count = husk_monitor_restart_count (run);
  int pid = (int) json_integer_value (json_object_get (j, "pid"));
  uint64_t start = (uint64_t) json_integer_value (json_object_get (j, "pid_start"));

  if (count == r->restart_count && (pid == 0 || (pid == r->pid && start == r->pid_start)))
    return 0;
  r->restart_count = count;
  if (pid)
    {
      r->pid = pid;
      r->pid_start = start;
    }
  husk_state_container_save (e->state, r, NULL);
  return 1;
}

/* A start whose husk died before it recorded the monitor: the monitor's
   own pid file tells whether one runs; without it, after a grace period,
   nothing does.  */
static bool
monitor_never_came (struct husk_container_rec *r, const char *run)
{
  cleanup_free char *path = husk_asprintf ("%s/%s", run, HUSK_MONITOR_PID);
  cleanup_free char *text = husk_read_file (path, NULL, NULL);

  if (text)
    {
      /* Its start time is in `started` once the container started; until
         then a live process with its pid counts (util/proc.h).  */
      cleanup_json json_t *j = read_started (run);
      r->monitor_pid = atoi (text);
      r->monitor_start = 0;
      if (json_integer_value (json_object_get (j, "monitor_pid")) == r->monitor_pid)
        r->monitor_start = (uint64_t) json_integer_value (json_object_get (j, "monitor_start"));
      return !ctr_alive (r, true) && !ctr_alive (r, false);
    }
  return now_ns () - r->started_at > 30LL * 1000000000;
}

/* Save a folded exit, once: the monitor's cleanup and a command may both
   see the exit record; only the one that still finds the row active
   writes it and records the event.  */
static int
save_exit (struct husk_engine *e, struct husk_container_rec *r)
{
  struct husk_container_rec cur = { 0 };
  bool first;

  if (husk_state_begin (e->state, NULL) < 0)
    return 0;
  if (husk_state_container_get (e->state, r->id, &cur, NULL) == 0)
    {
      first = strcmp (cur.state, "exited") != 0 && strcmp (cur.state, "created") != 0;
      if (first && husk_state_container_save (e->state, r, NULL) == 0)
        {
          /* In the transaction that folds the exit, so that exactly one
             process records them.  An --rm container gets "remove"
             instead of "cleanup", as in Podman.  */
          cleanup_json json_t *c = json_loads (r->config, 0, NULL);
          husk_events_container (e->state, r, "died", r->exit_code, NULL);
          if (!json_is_true (json_object_get (c, "rm")))
            event (e, "cleanup", r);
        }
      husk_container_rec_release (&cur);
    }
  if (husk_state_commit (e->state, NULL) < 0)
    return 0;
  return 1;
}

/* Fold what the monitor recorded into the row.  Return: 1 if it changed. */
static int
sync_state_ex (struct husk_engine *e, struct husk_container_rec *r, bool runtime)
{
  cleanup_free char *run = husk_op_container_rundir (e, r->id);
  struct husk_monitor_exit ex = { 0 };
  if (!has_monitor (r->state))
    return 0;
  if (r->monitor_pid > 0)
    follow_restart (e, r, run);
  if (husk_monitor_read_exit (run, &ex, NULL) > 0)
    {
      if (ex.restarting)
        {
          husk_monitor_exit_release (&ex);
          return follow_restart (e, r, run);
        }
      free (r->state);
      r->state = husk_xstrdup ("exited");
      r->exit_code = ex.exit_code;
      r->finished_at = ex.finished_at_ns;
      r->oom_killed = ex.oom_killed;
      r->restart_count = ex.restart_count;
      r->pid = 0;
      husk_monitor_exit_release (&ex);
    }
  else if (r->monitor_pid > 0 ? !ctr_alive (r, true) && !ctr_alive (r, false)
                               : monitor_never_came (r, run))
    {
      /* Monitor and container gone without a record (killed, or a reboot:
         the run directory cleared, or the boot ID differs and every
         recorded pid is stale).  The mount goes now (release_ex).  */
      free (r->state);
      r->state = husk_xstrdup ("exited");
      r->exit_code = -1;
      r->finished_at = now_ns ();
      r->pid = 0;
    }
  else
    return 0;
  release_ex (e, r, runtime);
  return save_exit (e, r);
}

static int
sync_state (struct husk_engine *e, struct husk_container_rec *r)
{
  return sync_state_ex (e, r, true);
}

static int
load (struct husk_engine *e, const char *ref, struct husk_container_rec *r, husk_error_t *err)
{
  cleanup_free char *id = NULL;

  if (husk_op_container_resolve (e, ref, &id, err) < 0
      || husk_state_container_get (e->state, id, r, err) < 0)
    return -1;
  sync_state (e, r);
  return 0;
}

int
husk_op_container_load (struct husk_engine *e, const char *ref, struct husk_container_rec *r,
                        husk_error_t *err)
{
  return load (e, ref, r, err);
}

int
husk_op_container_list (struct husk_engine *e, struct husk_container_rec **out,
                        size_t *n, husk_error_t *err)
{
  if (husk_state_container_list (e->state, out, n, err) < 0)
    return -1;
  for (size_t i = 0; i < *n; i++)
    sync_state (e, &(*out)[i]);
  return 0;
}

/* ---- start --------------------------------------------------------------- */

static char **
exit_command (struct husk_engine *e, const char *id)
{
  char **v = NULL;
  char self[4096];
  ssize_t n = readlink ("/proc/self/exe", self, sizeof self - 1);

  self[n > 0 ? n : 0] = '\0';
  husk_strv_append (&v, self);
  husk_strv_append (&v, "--root");
  husk_strv_append (&v, e->root);
  husk_strv_append (&v, "--runroot");
  husk_strv_append (&v, e->runroot);
  if (e->storage_driver)
    {
      husk_strv_append (&v, "--storage-driver");
      husk_strv_append (&v, husk_store_driver_name (e->store));
    }
  husk_strv_append (&v, "container");
  husk_strv_append (&v, "cleanup");
  husk_strv_append (&v, id);
  return v;
}

/* "container:NAME" namespaces become the path of that container's: it must
   be running, and its namespace is joined by path.  */
static int
resolve_shared_namespaces (struct husk_engine *e, json_t *c, husk_error_t *err)
{
  static const char *const kinds[][2] = { { "network", "net" }, { "pid", "pid" },
                                          { "ipc", "ipc" }, { "uts", "uts" } };
  json_t *ns = json_object_get (c, "namespaces");

  for (size_t i = 0; i < 4; i++)
    {
      const char *v = json_string_value (json_object_get (ns, kinds[i][0]));
      struct husk_container_rec other = { 0 };
      cleanup_free char *path = NULL;
      if (v == NULL || strncmp (v, "container:", 10) != 0)
        continue;
      if (load (e, v + 10, &other, err) < 0)
        return husk_error_wrap (err, "--%s %s", kinds[i][0], v);
      if (strcmp (other.state, "running") || other.pid <= 0)
        {
          husk_error_makex (err, EINVAL, "--%s %s: container %s is not running",
                            kinds[i][0], v, other.name);
          husk_container_rec_release (&other);
          return -1;
        }
      path = husk_asprintf ("path:/proc/%d/ns/%s", other.pid, kinds[i][1]);
      json_object_set_new (ns, kinds[i][0], json_string (path));
      husk_container_rec_release (&other);
    }
  return 0;
}

/* crun takes a compiled seccomp program (runtime/seccomp-bpf.c).  */
static bool
runtime_is_crun (const char *path)
{
  const char *base = path ? strrchr (path, '/') : NULL;

  return path && strcmp (base ? base + 1 : path, "crun") == 0;
}

static int
write_spec (struct husk_engine *e, json_t *c, const char *dir, const char *rootfs,
            husk_error_t *err)
{
  cleanup_free char *hosts = husk_asprintf ("%s/hosts", dir);
  cleanup_free char *hn = husk_asprintf ("%s/hostname", dir);
  cleanup_free char *resolv = husk_asprintf ("%s/resolv.conf", dir);
  cleanup_free char *env = husk_asprintf ("%s/.containerenv", dir);
  cleanup_free char *cfgpath = husk_asprintf ("%s/config.json", dir);
  cleanup_free char *passwd = NULL, *group = NULL;
  struct husk_spec_paths p = { .rootfs = rootfs, .hosts = hosts, .hostname = hn,
                               .resolv_conf = resolv, .containerenv = env,
                               .rootless = e->rootless };
  const char *net = json_string_value (json_object_get (json_object_get (c, "namespaces"), "network"));
  cleanup_json json_t *spec = NULL;

  if (net && strcmp (net, "host") == 0)
    p.hosts = p.resolv_conf = NULL; /* the host's own files show through */
  if (resolve_shared_namespaces (e, c, err) < 0
      || husk_passwd_prepare (c, rootfs, dir, &passwd, &group, err) < 0)
    return -1;
  p.passwd = passwd;
  p.group = group;
  spec = husk_spec_generate (c, &p, err);
  if (spec == NULL)
    return -1;
  if (runtime_is_crun (json_string_value (json_object_get (c, "runtime"))))
    {
      cleanup_free char *cache = husk_asprintf ("%s/seccomp", e->runroot);
      husk_seccomp_precompile (spec, cache);
    }
  return husk_spec_write (spec, cfgpath, err);
}

static void
health_opts (json_t *h, struct husk_monitor_health *mh, char ***test)
{
  size_t i;
  json_t *v;

  if (!json_is_object (h))
    return;
  json_array_foreach (json_object_get (h, "test"), i, v)
    husk_strv_append (test, json_string_value (v));
  mh->test = (const char *const *) *test;
  mh->interval_ns = json_integer_value (json_object_get (h, "interval"));
  mh->timeout_ns = json_integer_value (json_object_get (h, "timeout"));
  mh->start_period_ns = json_integer_value (json_object_get (h, "start_period"));
  mh->retries = (int) json_integer_value (json_object_get (h, "retries"));
  mh->on_failure = json_string_value (json_object_get (h, "on_failure"));
}

static int
launch (struct husk_engine *e, struct husk_container_rec *r, json_t *c, bool attach_wait,
        bool create_only, struct husk_monitor_launch *l, husk_error_t *err)
{
  cleanup_free char *dir = bundle_dir (e, r->id), *run = husk_op_container_rundir (e, r->id);
  cleanup_free char *trash = husk_store_tmp_dir (e->store);
  cleanup_strv char **exitcmd = exit_command (e, r->id), **test = NULL;
  json_t *log = json_object_get (c, "log"), *restart = json_object_get (c, "restart");
  cleanup (husk_runtime_free) struct husk_runtime *rt
      = husk_runtime_open (json_string_value (json_object_get (c, "runtime")), e->runroot, err);
  struct husk_monitor_opts o = {
    .id = r->id, .bundle = dir, .userdata = run,
    .runtime = rt ? rt->path : NULL, .runtime_root = rt ? rt->root : NULL,
    .terminal = json_is_true (json_object_get (c, "tty")),
    .stdin_open = json_is_true (json_object_get (c, "interactive")),
    .log_driver = json_string_value (json_object_get (log, "driver")),
    .log_path = json_string_value (json_object_get (log, "path")),
    .log_max_size = json_integer_value (json_object_get (log, "max_size")),
    .attach_wait = attach_wait,
    .create_only = create_only,
    .handoff_cleanup = attach_wait,
    .trash_dir = trash,
    .exit_command = (const char *const *) exitcmd,
    .restart_policy = json_string_value (json_object_get (restart, "policy")),
    .max_retries = (int) json_integer_value (json_object_get (restart, "max_retries")),
    .stop_signal = (int) json_integer_value (json_object_get (c, "stop_signal")),
    .stop_timeout = (int) json_integer_value (json_object_get (c, "stop_timeout")),
    .stdio_fds = { -1, -1, -1 },
  };

  /* Say why the runtime cannot work on this host (crun on hybrid cgroups)
     instead of passing on its raw refusal.  */
  if (rt == NULL || husk_runtime_check_host (rt, err) < 0)
    return -1;
  if (o.log_driver && strcmp (o.log_driver, "passthrough") == 0)
    {
      /* The container's stdio are the caller's own.  */
      o.stdio_fds[0] = 0;
      o.stdio_fds[1] = 1;
      o.stdio_fds[2] = 2;
      o.attach_wait = false;
    }
  health_opts (json_object_get (c, "health"), &o.health, &test);
  /* A fresh run directory: no exit record of an earlier run.  */
  husk_rm_rf (run, NULL);
  if (husk_mkdir_p (run, 0700, err) < 0 || husk_mkdir_p (rt->root, 0700, err) < 0)
    return -1;
  return husk_monitor_spawn (&o, l, err);
}

static void
set_state (struct husk_container_rec *r, const char *state, int pid, int monitor_pid)
{
  free (r->state);
  r->state = husk_xstrdup (state);
  if (pid != r->pid)
    r->pid_start = 0;
  if (monitor_pid != r->monitor_pid)
    r->monitor_start = 0;
  r->pid = pid;
  r->monitor_pid = monitor_pid;
  r->finished_at = 0;
  r->exit_code = 0;
}

/* Record the pids, unless the container already exited and its cleanup
   (run by the monitor) got there first: one transaction decides.  The
   init and start events go in the same transaction, so they come before
   the died that the monitor's cleanup records (see wait_for_starter).  */
static int
record_pids (struct husk_engine *e, const char *id, struct husk_monitor_result *res,
             bool init_only, bool attach, husk_error_t *err)
{
  struct husk_container_rec r = { 0 };
  int ret = 0;

  if (husk_state_begin (e->state, err) < 0)
    return -1;
  if (husk_state_container_get (e->state, id, &r, NULL) < 0)
    {
      husk_state_rollback (e->state);
      return 0; /* gone already: it ran, exited and was removed (--rm) */
    }
  if (has_monitor (r.state) && r.monitor_pid == 0)
    {
      r.pid = res->container_pid;
      r.monitor_pid = res->monitor_pid;
      r.pid_start = res->container_start;
      r.monitor_start = res->monitor_start;
      set_boot (&r);
      ret = husk_state_container_save (e->state, &r, err);
    }
  if (ret == 0)
    {
      event (e, "init", &r);
      if (!init_only)
        event (e, "start", &r);
      if (attach) /* the caller attaches: in the same transaction */
        event (e, "attach", &r);
      ret = husk_state_commit (e->state, err);
    }
  else
    husk_state_rollback (e->state);
  husk_container_rec_release (&r);
  return ret;
}

/* Mount, write the spec and launch the monitor: the process starts, or
   with init only waits in the runtime (state "initialized").  */
static int
bring_up (struct husk_engine *e, struct husk_container_rec *r, bool init, int *attach_fd,
          int *exit_hint, husk_error_t *err)
{
  struct husk_monitor_result res = { 0 };
  struct husk_monitor_launch l = { .sync_r = -1, .go_w = -1, .attach_fd = -1 };
  cleanup_json json_t *c = json_loads (r->config, 0, NULL);
  cleanup_free char *rootfs = NULL, *dir = bundle_dir (e, r->id);
  cleanup_free char *run = husk_op_container_rundir (e, r->id);
  cleanup_free char *prev = husk_xstrdup (r->state);
  int64_t prev_started = r->started_at;
  int ret, vols;

  /* The monitor of the last run may still be deleting the runtime's
     record (a handed-over cleanup does not wait for that).  */
  husk_op_container_await_monitor (r, 10000);
  /* The new monitor starts up while we mount and write the spec; it
     waits for our go.  */
  if (launch (e, r, c, attach_fd != NULL, init, &l, err) < 0)
    return -1;
  rootfs = husk_store_container_mount (e->store, r->id, err);
  if (rootfs == NULL || (vols = husk_op_volume_prepare (e, c, rootfs, err)) < 0)
    goto fail;
  if (vols > 0)
    {
      /* Anonymous volumes got names: keep them across restarts.  */
      free (r->config);
      r->config = json_dumps (c, JSON_COMPACT);
      if (husk_state_container_save (e->state, r, err) < 0)
        goto fail;
    }
  if (write_spec (e, c, dir, rootfs, err) < 0)
    goto fail;
  /* Active before the monitor goes: its cleanup may come before we
     return, and must find a row it can fold the exit into.  */
  set_state (r, init ? "initialized" : "running", 0, 0);
  set_boot (r);
  if (!init)
    r->started_at = now_ns ();
  if (husk_state_container_save (e->state, r, err) < 0)
    goto fail;
  if (husk_monitor_go (run, &l, &res, err) < 0)
    {
      if (res.exit_code_hint)
        *exit_hint = res.exit_code_hint;
      set_state (r, prev, 0, 0);
      r->started_at = prev_started;
      husk_state_container_save (e->state, r, NULL);
      event (e, "cleanup", r); /* as Podman records a start that failed */
      goto fail;
    }
  husk_monitor_launch_release (&l);
  /* An attach socket handed back (not with the passthrough log driver):
     the caller attaches, and the event goes with the start's.  */
  ret = record_pids (e, r->id, &res, init, attach_fd != NULL && res.attach_fd >= 0, err);
  if (ret == 0 && attach_fd)
    *attach_fd = res.attach_fd;
  else if (res.attach_fd >= 0)
    close (res.attach_fd);
  return ret;
fail:
  husk_monitor_launch_release (&l);
  release (e, r);
  return -1;
}

/* Start what `init` created: the monitor runs `runtime start`.  */
static int
start_initialized (struct husk_engine *e, struct husk_container_rec *r, int *attach_fd,
                   husk_error_t *err)
{
  cleanup_free char *run = husk_op_container_rundir (e, r->id);
  cleanup_close int sock = -1;
  struct husk_container_rec cur = { 0 };
  int ret = 0;

  if (attach_fd && (sock = husk_monitor_connect_attach (run, err)) < 0)
    return -1;
  if (husk_monitor_start_created (run, err) < 0)
    return husk_error_wrap (err, "start '%s'", r->name);
  if (husk_state_begin (e->state, err) < 0)
    return -1;
  if (husk_state_container_get (e->state, r->id, &cur, NULL) == 0
      && strcmp (cur.state, "initialized") == 0)
    {
      set_state (&cur, "running", cur.pid, cur.monitor_pid);
      cur.started_at = now_ns ();
      ret = husk_state_container_save (e->state, &cur, err);
    }
  husk_container_rec_release (&cur);
  if (ret < 0 || husk_state_commit (e->state, err) < 0)
    {
      husk_state_rollback (e->state);
      return -1;
    }
  event (e, "start", r);
  if (attach_fd)
    {
      event (e, "attach", r);
      *attach_fd = steal_fd (&sock);
    }
  return 0;
}

int
husk_op_container_start (struct husk_engine *e, const char *ref, int *attach_fd,
                         int *exit_hint, husk_error_t *err)
{
  struct husk_container_rec r = { 0 };
  int ret;

  *exit_hint = 125;
  if (attach_fd)
    *attach_fd = -1;
  if (load (e, ref, &r, err) < 0)
    return -1;
  if (strcmp (r.state, "running") == 0)
    ret = 1;
  else if (strcmp (r.state, "paused") == 0)
    ret = husk_error_makex (err, EBUSY, "container %s must be in Created or Stopped state "
                            "to be started: container state improper", r.id);
  else if (strcmp (r.state, "initialized") == 0)
    ret = start_initialized (e, &r, attach_fd, err);
  else
    ret = bring_up (e, &r, false, attach_fd, exit_hint, err);
  husk_container_rec_release (&r);
  return ret;
}

int
husk_op_container_init (struct husk_engine *e, const char *ref, husk_error_t *err)
{
  struct husk_container_rec r = { 0 };
  int hint, ret;

  if (load (e, ref, &r, err) < 0)
    return -1;
  if (strcmp (r.state, "created") && strcmp (r.state, "exited"))
    ret = husk_error_makex (err, EBUSY,
                            "container %s has already been created in runtime: "
                            "container state improper", r.id);
  else
    ret = bring_up (e, &r, true, NULL, &hint, err);
  husk_container_rec_release (&r);
  return ret;
}

/* ---- cleanup, stop, kill, rm, wait -------------------------------------- */

/* The monitor runs `container cleanup` after the exit: let it finish
   before the files it works on go away.  */
static void
wait_monitor (struct husk_container_rec *r)
{
  husk_op_container_await_monitor (r, 5000);
}

void
husk_op_container_await_monitor (const struct husk_container_rec *r, int timeout_ms)
{
  struct husk_proc_id p = ctr_proc (r, true);

  husk_proc_await (&p, timeout_ms);
}

/* Remove the container.  wait: let a monitor that may still run the exit
   command end first (not when that monitor is our parent, or waits for
   us: a handed-over cleanup).  trash: NULL, or (handed over) set to the
   store's work directory whose deleting the waiting monitor takes over,
   so that a foreground `run --rm` returns without doing it.  */
static int
remove_files (struct husk_engine *e, struct husk_container_rec *r, bool wait, char **trash,
              husk_error_t *err)
{
  cleanup_free char *dir = bundle_dir (e, r->id), *run = husk_op_container_rundir (e, r->id);
  int ret;

  if (wait && r->monitor_pid > 0 && r->monitor_pid != getppid ())
    wait_monitor (r);
  release_ex (e, r, wait);
  ret = trash ? husk_store_container_remove_later (e->store, r->id, dir, trash, err)
              : husk_store_container_remove (e->store, r->id, err);
  /* A create killed half-way may have left a row without its layer.  */
  if (ret < 0)
    {
      if ((*err)->code != ENOENT)
        return -1;
      husk_error_release (err);
    }
  husk_rm_rf (run, NULL);
  husk_rm_rf (dir, NULL); /* moved to the trash, unless there was none */
  if (husk_state_container_remove (e->state, r->id, err) < 0)
    return -1;
  event (e, "remove", r);
  return 0;
}

/* A command that exits at once can bring the monitor's cleanup here
   before the husk that started it has recorded the start (record_pids):
   give that husk a moment, so that died follows start.  One that was
   killed half-way never comes; after 2 s the exit is folded anyway.  */
static void
wait_for_starter (struct husk_engine *e, const char *ref)
{
  cleanup_free char *id = NULL;

  if (husk_op_container_resolve (e, ref, &id, NULL) < 0)
    return;
  for (int i = 0; i < 100; i++)
    {
      struct husk_container_rec r = { 0 };
      bool starting;
      if (husk_state_container_get (e->state, id, &r, NULL) < 0)
        return;
      starting = has_monitor (r.state) && r.monitor_pid == 0;
      husk_container_rec_release (&r);
      if (!starting)
        return;
      usleep (20000);
    }
}

/* Release an exited container, and remove it if it was made with --rm.
   handed_over: the caller of a foreground run, whose monitor waits for it.
   trash: NULL, or for the caller of a foreground run, whose monitor
   waits for it (handed over), what that monitor is to delete.
   Return: 1 when it was exited (and so cleaned up), 0 when not, or -1. */
static int
cleanup_exited (struct husk_engine *e, const char *ref, char **trash, husk_error_t *err)
{
  struct husk_container_rec r = { 0 };
  cleanup_free char *id = NULL;
  cleanup_json json_t *c = NULL;
  bool handed_over = trash != NULL;
  int ret = 0;
  bool exited;

  /* Handed over, the monitor deletes the runtime's record meanwhile; the
     caller recorded the start long before.  */
  if (!handed_over)
    wait_for_starter (e, ref);
  if (husk_op_container_resolve (e, ref, &id, err) < 0
      || husk_state_container_get (e->state, id, &r, err) < 0)
    return -1;
  sync_state_ex (e, &r, !handed_over);
  c = json_loads (r.config, 0, NULL);
  if (strcmp (r.state, "running") == 0 && getenv ("HUSK_MONITOR_RESTARTING") == NULL
      && ctr_alive (&r, true) && r.monitor_pid != getppid ())
    {
      husk_error_makex (err, EBUSY, "container %s is running: refusing to clean up", r.id);
      husk_container_rec_release (&r);
      return -1;
    }
  exited = strcmp (r.state, "exited") == 0;
  if (exited)
    {
      release_ex (e, &r, !handed_over);
      /* --rm takes the container's anonymous volumes too, as Podman does. */
      if (json_is_true (json_object_get (c, "rm")))
        ret = remove_files (e, &r, !handed_over, trash, err);
      if (ret == 0 && json_is_true (json_object_get (c, "rm")))
        ret = husk_op_volume_release_anonymous (e, c, err);
    }
  husk_container_rec_release (&r);
  return ret < 0 ? -1 : exited;
}

int
husk_op_container_cleanup (struct husk_engine *e, const char *ref, husk_error_t *err)
{
  return cleanup_exited (e, ref, NULL, err) < 0 ? -1 : 0;
}

/* Whether the container's monitor waits for its attach client to clean
   up (monitor.json), rather than running the exit command.  */
static bool
monitor_hands_over (struct husk_engine *e, const char *id)
{
  cleanup_free char *run = husk_op_container_rundir (e, id);
  cleanup_free char *path = husk_asprintf ("%s/%s", run, HUSK_MONITOR_CONFIG);
  struct husk_monitor_config cfg = { 0 };
  bool yes;

  if (husk_monitor_config_load (path, &cfg, NULL) < 0)
    return false;
  yes = cfg.o.handoff_cleanup;
  husk_monitor_config_release (&cfg);
  return yes;
}

int
husk_op_container_attached_exit (struct husk_engine *e, const char *id, int sock,
                                 husk_error_t *err)
{
  cleanup_free char *trash = NULL;
  int ret;

  if (!monitor_hands_over (e, id))
    {
      close (sock); /* an `init` monitor: its exit command cleans up */
      return 0;
    }
  ret = cleanup_exited (e, id, &trash, err);
  if (ret == 1)
    husk_attach_cleaned (sock, trash);
  close (sock);
  return ret < 0 ? -1 : 0;
}

/* Wait until the monitor has recorded an exit, up to timeout_ms.  */
static bool
wait_exit (struct husk_engine *e, struct husk_container_rec *r, int timeout_ms)
{
  for (int waited = 0;; waited += 20)
    {
      struct husk_container_rec fresh = { 0 };
      bool done;
      if (husk_state_container_get (e->state, r->id, &fresh, NULL) < 0)
        return true;
      sync_state (e, &fresh);
      done = !has_monitor (fresh.state);
      husk_container_rec_release (&fresh);
      if (done)
        return true;
      if (timeout_ms >= 0 && waited >= timeout_ms)
        return false;
      usleep (20000);
    }
}

static int
signal_container (struct husk_engine *e, struct husk_container_rec *r, int sig, bool all)
{
  husk_error_t err = NULL;
  cleanup (husk_runtime_free) struct husk_runtime *rt = ctr_runtime (e, r, &err);
  struct husk_proc_id p = ctr_proc (r, false);

  if (rt && husk_runtime_kill (rt, r->id, sig, all, &err) == 0)
    return 0;
  husk_log_debug ("kill %s: %s", r->id, err ? err->msg : "");
  husk_error_release (&err);
  /* The runtime may have lost track: signal the pid, but only while it is
     still the process recorded (util/proc.h), never one that got its pid
     since; a row without the start time gets no signal of ours.  */
  return husk_proc_signal (&p, sig);
}

static int
stop_container (struct husk_engine *e, const char *ref, int timeout, bool record,
                husk_error_t *err)
{
  struct husk_container_rec r = { 0 };
  cleanup_json json_t *c = NULL;
  cleanup_free char *run = NULL, *stopping = NULL;
  int sig;

  if (load (e, ref, &r, err) < 0)
    return -1;
  if (!has_monitor (r.state))
    {
      husk_container_rec_release (&r);
      return 0; /* already stopped: Podman succeeds too */
    }
  c = json_loads (r.config, 0, NULL);
  sig = (int) json_integer_value (json_object_get (c, "stop_signal"));
  if (timeout < 0)
    timeout = (int) json_integer_value (json_object_get (c, "stop_timeout"));
  run = husk_op_container_rundir (e, r.id);
  stopping = husk_asprintf ("%s/%s", run, HUSK_MONITOR_STOPPING);
  /* Before the signal: the exit it causes is folded (died, cleanup) by
     whichever process sees it first, maybe the monitor's.  */
  if (record)
    event (e, "stop", &r);
  husk_write_file_atomic (stopping, "1", 1, 0600, NULL); /* no restart after this */
  if (strcmp (r.state, "paused") == 0)
    {
      husk_error_t rerr = NULL;
      cleanup (husk_runtime_free) struct husk_runtime *rt = ctr_runtime (e, &r, &rerr);
      if (rt == NULL || husk_runtime_resume (rt, r.id, &rerr) < 0)
        husk_log_debug ("stop %s: resume: %s", r.id, rerr->msg);
      husk_error_release (&rerr);
    }
  if (timeout > 0)
    signal_container (e, &r, sig ? sig : SIGTERM, false);
  if (timeout == 0 || !wait_exit (e, &r, timeout * 1000))
    {
      signal_container (e, &r, SIGKILL, true);
      wait_exit (e, &r, 10000);
    }
  /* The monitor's cleanup comes after the exit: let it end, so that a
     start right after this stop cannot lose its rootfs to it.  */
  {
    struct husk_container_rec fresh = { 0 };
    if (husk_state_container_get (e->state, r.id, &fresh, NULL) == 0)
      {
        if (fresh.monitor_pid > 0)
          wait_monitor (&fresh);
        husk_container_rec_release (&fresh);
      }
  }
  husk_container_rec_release (&r);
  return 0;
}

int
husk_op_container_stop (struct husk_engine *e, const char *ref, int timeout,
                        husk_error_t *err)
{
  return stop_container (e, ref, timeout, true, err);
}

int
husk_op_container_stop_quiet (struct husk_engine *e, const char *ref, int timeout,
                              husk_error_t *err)
{
  return stop_container (e, ref, timeout, false, err);
}

int
husk_op_container_kill (struct husk_engine *e, const char *ref, int sig, husk_error_t *err)
{
  struct husk_container_rec r = { 0 };
  int ret = 0;

  if (load (e, ref, &r, err) < 0)
    return -1;
  if (strcmp (r.state, "running") && strcmp (r.state, "paused"))
    ret = husk_error_makex (err, EINVAL, "can only kill running containers. %s is in state "
                            "%s: container state improper", r.id, r.state);
  /* Signal while holding the write lock, so that the kill event comes
     before the died that the monitor's cleanup records.  */
  else if (husk_state_begin (e->state, err) < 0)
    ret = -1;
  else if (signal_container (e, &r, sig, false) < 0)
    {
      ret = husk_error_make (err, errno, "kill container %s", r.id);
      husk_state_rollback (e->state);
    }
  else
    {
      event (e, "kill", &r);
      ret = husk_state_commit (e->state, err);
    }
  husk_container_rec_release (&r);
  return ret;
}

int
husk_op_container_remove (struct husk_engine *e, const char *ref, bool force, bool volumes,
                          int timeout, husk_error_t *err)
{
  struct husk_container_rec r = { 0 };
  cleanup_json json_t *c = NULL;
  int ret;

  if (load (e, ref, &r, err) < 0)
    return -1;
  c = json_loads (r.config, 0, NULL);
  if (has_monitor (r.state))
    {
      /* An initialized container has no process running yet: Podman
         removes it without --force.  */
      if (!force && strcmp (r.state, "initialized") != 0)
        {
          ret = husk_error_makex (err, EBUSY, "cannot remove container %s as it is %s - "
                                  "running or paused containers cannot be removed without "
                                  "force: container state improper", r.id, r.state);
          husk_container_rec_release (&r);
          return ret;
        }
      husk_op_container_stop (e, r.id, timeout, NULL);
    }
  ret = remove_files (e, &r, true, NULL, err);
  if (ret == 0 && volumes)
    ret = husk_op_volume_release_anonymous (e, c, err);
  husk_container_rec_release (&r);
  return ret;
}

int
husk_op_container_wait (struct husk_engine *e, const char *ref, const char *condition,
                        int *exit_code, husk_error_t *err)
{
  struct husk_container_rec r = { 0 };
  bool want_running = condition && strcmp (condition, "running") == 0;

  if (condition && strcmp (condition, "running") && strcmp (condition, "stopped")
      && strcmp (condition, "exited"))
    return husk_error_makex (err, EINVAL, "invalid condition \"%s\": use running, stopped "
                             "or exited", condition);
  if (load (e, ref, &r, err) < 0)
    return -1;
  for (;;)
    {
      bool running = has_monitor (r.state) && strcmp (r.state, "initialized") != 0;
      if (!want_running && strcmp (r.state, "initialized") == 0)
        running = true; /* it will run: wait for its exit */
      if (want_running ? running : !running && strcmp (r.state, "created") != 0)
        break;
      if (!want_running && strcmp (r.state, "created") == 0 && r.started_at == 0)
        {
          /* Never started: Docker waits; Podman returns its exit code.  */
          break;
        }
      usleep (50000);
      {
        cleanup_free char *id = husk_xstrdup (r.id);
        husk_container_rec_release (&r);
        if (husk_state_container_get (e->state, id, &r, err) < 0)
          {
            /* Removed meanwhile (--rm): the exit code is gone with it.  */
            if ((*err)->code == ENOENT)
              {
                husk_error_release (err);
                *exit_code = 0;
                return 0;
              }
            return -1;
          }
        sync_state (e, &r);
      }
    }
  *exit_code = r.exit_code;
  husk_container_rec_release (&r);
  return 0;
}

int
husk_op_container_log (struct husk_engine *e, const char *ref, char **path, char **driver,
                       char **id, husk_error_t *err)
{
  struct husk_container_rec r = { 0 };
  cleanup_json json_t *c = NULL;
  json_t *log;

  if (load (e, ref, &r, err) < 0)
    return -1;
  c = json_loads (r.config, 0, NULL);
  log = json_object_get (c, "log");
  *path = husk_xstrdup (json_string_value (json_object_get (log, "path")));
  *driver = husk_xstrdup (json_string_value (json_object_get (log, "driver")));
  *id = steal_ptr (&r.id);
  husk_container_rec_release (&r);
  return 0;
}
