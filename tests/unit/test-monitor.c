/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests of the monitor: the log formats, timestamps, health records
 * and the attach client against a fake monitor (always run), and
 * husk-monitor itself driving a real OCI runtime over a busybox bundle
 * (skipped unless root with crun or runc).  The bundle's rootfs comes from
 * tests/images/build.sh (or $HUSK_TEST_IMAGES when set); the runtime is
 * crun when this host can run it, else runc ($HUSK_TEST_RUNTIME overrides).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "container/monitor.h"
#include "util/cleanup.h"
#include "util/fileutil.h"
#include "util/strutil.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* --- Helpers -------------------------------------------------------------- */

static char *
tmpdir (void)
{
  husk_error_t err = NULL;
  char *d = husk_mkdtemp_in ("/tmp", "husk-mon-test-", &err);

  assert_non_null (d);
  return d;
}

static void
write_str (const char *path, const char *s)
{
  husk_error_t err = NULL;

  assert_int_equal (husk_write_file_atomic (path, s, strlen (s), 0644, &err), 0);
}

static char *
read_str (const char *path)
{
  return husk_read_file (path, NULL, NULL);
}

static void
sleep_ms (int ms)
{
  struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

  nanosleep (&ts, NULL);
}

/* Collected log records: "stream|P or F|data" joined by newlines.  */
struct collect
{
  struct husk_buf b;
  int calls;
  const char *append_path; /* for the follow test */
};

static void
collect_cb (void *ctx, const char *stream, int64_t ts, const char *data,
            size_t len, bool partial)
{
  struct collect *c = ctx;

  assert_true (ts > 0);
  husk_buf_printf (&c->b, "%s|%c|", stream, partial ? 'P' : 'F');
  husk_buf_append (&c->b, data, len);
  husk_buf_putc (&c->b, ';');
}

static char *
read_log (const char *path, const char *driver, const struct husk_log_filter *f)
{
  struct collect c = { HUSK_BUF_INIT, 0, NULL };
  husk_error_t err = NULL;

  husk_buf_append (&c.b, "", 0);
  assert_int_equal (husk_log_read (path, driver, f, collect_cb, &c, &err), 0);
  return husk_buf_steal (&c.b);
}

static void
append_records (const char *path, enum husk_log_driver d, int stream,
                int64_t ts, const char *data)
{
  struct husk_buf b = HUSK_BUF_INIT;
  int fd = open (path, O_WRONLY | O_CREAT | O_APPEND, 0644);

  assert_true (fd >= 0);
  husk_log_format (&b, d, stream, ts, data, strlen (data));
  assert_int_equal (husk_write_all (fd, b.data, b.len), 0);
  close (fd);
  husk_buf_release (&b);
}

/* --- Timestamps ----------------------------------------------------------- */

static void
timestamp_round_trips (void **state)
{
  char buf[HUSK_TIMESTAMP_LEN];
  int64_t t = 1704164645000000006LL; /* 2024-01-02T03:04:05.000000006Z */

  (void) state;
  husk_timestamp_format (buf, t);
  assert_string_equal (buf, "2024-01-02T03:04:05.000000006Z");
  assert_true (husk_timestamp_parse (buf, strlen (buf)) == t);
}

static void
timestamp_parses_offsets_and_short_fractions (void **state)
{
  const char *a = "2024-01-02T04:04:05.5+01:00";
  const char *b = "2024-01-02T03:04:05Z";

  (void) state;
  assert_true (husk_timestamp_parse (a, strlen (a)) == 1704164645500000000LL);
  assert_true (husk_timestamp_parse (b, strlen (b)) == 1704164645000000000LL);
  assert_true (husk_timestamp_parse ("2024-01-02", 10) == -1);
  assert_true (husk_timestamp_parse ("2024-13-02T03:04:05Z", 20) == -1);
  assert_true (husk_timestamp_parse ("2024-01-02T03:04:05.Z", 21) == -1);
  assert_true (husk_timestamp_parse ("2024-01-02T03:04:05X", 20) == -1);
}

/* --- Logs ----------------------------------------------------------------- */

static void
k8s_log_has_full_and_partial_records (void **state)
{
  cleanup_free char *dir = tmpdir ();
  cleanup_free char *path = husk_asprintf ("%s/ctr.log", dir);
  cleanup_free char *raw = NULL, *got = NULL;

  (void) state;
  append_records (path, HUSK_LOG_DRIVER_K8S_FILE, 1, 1000000000, "a\nbc");
  append_records (path, HUSK_LOG_DRIVER_K8S_FILE, 2, 2000000000, "d\n\n");
  raw = read_str (path);
  assert_string_equal (raw,
                       "1970-01-01T00:00:01.000000000Z stdout F a\n"
                       "1970-01-01T00:00:01.000000000Z stdout P bc\n"
                       "1970-01-01T00:00:02.000000000Z stderr F d\n"
                       "1970-01-01T00:00:02.000000000Z stderr F \n");
  got = read_log (path, "k8s-file", NULL);
  assert_string_equal (got, "stdout|F|a\n;stdout|P|bc;stderr|F|d\n;stderr|F|\n;");
  husk_rm_rf (dir, NULL);
}

static void
json_log_escapes_and_replaces_invalid_utf8 (void **state)
{
  cleanup_free char *dir = tmpdir ();
  cleanup_free char *path = husk_asprintf ("%s/ctr.log", dir);
  cleanup_free char *raw = NULL, *got = NULL;

  (void) state;
  append_records (path, HUSK_LOG_DRIVER_JSON_FILE, 1, 1000000000,
                  "q\"\\\t\x01\xff\xc3\xa9\n");
  raw = read_str (path);
  assert_string_equal (raw, "{\"log\":\"q\\\"\\\\\\t\\u0001\\ufffd\xc3\xa9\\n\","
                            "\"stream\":\"stdout\","
                            "\"time\":\"1970-01-01T00:00:01.000000000Z\"}\n");
  got = read_log (path, "json-file", NULL);
  assert_string_equal (got, "stdout|F|q\"\\\t\x01\xef\xbf\xbd\xc3\xa9\n;");
  husk_rm_rf (dir, NULL);
}

static void
log_tail_counts_whole_lines (void **state)
{
  cleanup_free char *dir = tmpdir ();
  cleanup_free char *path = husk_asprintf ("%s/ctr.log", dir);
  cleanup_free char *got = NULL, *none = NULL;
  struct husk_log_filter f = { .tail = 2 };

  (void) state;
  append_records (path, HUSK_LOG_DRIVER_K8S_FILE, 1, 1000000000, "1\n2\n3");
  append_records (path, HUSK_LOG_DRIVER_K8S_FILE, 1, 1000000001, "x\n4\n");
  got = read_log (path, NULL, &f);
  /* "3" and "x\n" make one line.  */
  assert_string_equal (got, "stdout|P|3;stdout|F|x\n;stdout|F|4\n;");
  f.tail = 0;
  none = read_log (path, NULL, &f);
  assert_string_equal (none, "");
  husk_rm_rf (dir, NULL);
}

static void
log_since_and_until_filter_by_time (void **state)
{
  cleanup_free char *dir = tmpdir ();
  cleanup_free char *path = husk_asprintf ("%s/ctr.log", dir);
  cleanup_free char *got = NULL;
  struct husk_log_filter f = { .since_ns = 2000000000, .until_ns = 3000000000,
                               .tail = -1 };

  (void) state;
  append_records (path, HUSK_LOG_DRIVER_JSON_FILE, 1, 1000000000, "one\n");
  append_records (path, HUSK_LOG_DRIVER_JSON_FILE, 2, 2000000000, "two\n");
  append_records (path, HUSK_LOG_DRIVER_JSON_FILE, 1, 3000000000, "three\n");
  append_records (path, HUSK_LOG_DRIVER_JSON_FILE, 1, 4000000000, "four\n");
  got = read_log (path, "json-file", &f);
  assert_string_equal (got, "stderr|F|two\n;stdout|F|three\n;");
  husk_rm_rf (dir, NULL);
}

static bool
follow_running (void *ctx)
{
  struct collect *c = ctx;

  if (c->calls++ == 0)
    {
      append_records (c->append_path, HUSK_LOG_DRIVER_K8S_FILE, 1, 5, "late\n");
      return true;
    }
  return false;
}

static void
log_follow_reads_until_the_container_is_gone (void **state)
{
  cleanup_free char *dir = tmpdir ();
  cleanup_free char *path = husk_asprintf ("%s/ctr.log", dir);
  struct collect c = { HUSK_BUF_INIT, 0, NULL };
  struct husk_log_filter f = { .tail = -1, .follow = true,
                               .running = follow_running, .poll_ns = 10000000 };
  husk_error_t err = NULL;

  (void) state;
  c.append_path = path;
  append_records (path, HUSK_LOG_DRIVER_K8S_FILE, 1, 5, "early\n");
  husk_buf_append (&c.b, "", 0);
  assert_int_equal (husk_log_read (path, NULL, &f, collect_cb, &c, &err), 0);
  assert_string_equal (c.b.data, "stdout|F|early\n;stdout|F|late\n;");
  assert_int_equal (c.calls, 2);
  husk_buf_release (&c.b);
  husk_rm_rf (dir, NULL);
}

static void
log_read_refuses_drivers_without_a_file (void **state)
{
  husk_error_t err = NULL;

  (void) state;
  assert_int_equal (husk_log_read ("/nonexistent", "none", NULL, collect_cb,
                                   NULL, &err), -1);
  assert_non_null (strstr (err->msg, "'none'"));
  husk_error_release (&err);
}

/* --- Protocol pieces ------------------------------------------------------ */

static void
config_round_trips_through_json (void **state)
{
  cleanup_free char *dir = tmpdir ();
  cleanup_free char *path = husk_asprintf ("%s/monitor.json", dir);
  const char *rargs[] = { "--cgroup-manager=cgroupfs", NULL };
  const char *exitcmd[] = { "/bin/husk", "container", "cleanup", "ID", NULL };
  const char *test[] = { "CMD-SHELL", "true", NULL };
  struct husk_monitor_opts o = {
    .id = "ID", .bundle = "/b", .userdata = dir, .runtime = "/usr/bin/crun",
    .runtime_args = rargs, .terminal = true, .log_driver = "json-file",
    .log_max_size = 1000, .exit_command = exitcmd, .restart_policy = "on-failure",
    .max_retries = 2, .health = { .test = test, .interval_ns = 5, .retries = 4,
                                  .on_failure = "kill" },
    .preserve_fds = 2,
  };
  cleanup_json json_t *j = husk_monitor_config_to_json (&o);
  cleanup_free char *text = json_dumps (j, 0);
  struct husk_monitor_config cfg;
  husk_error_t err = NULL;

  (void) state;
  write_str (path, text);
  assert_int_equal (husk_monitor_config_load (path, &cfg, &err), 0);
  assert_string_equal (cfg.o.id, "ID");
  assert_null (cfg.o.runtime_root);
  assert_string_equal (cfg.o.runtime_args[0], "--cgroup-manager=cgroupfs");
  assert_null (cfg.o.runtime_args[1]);
  assert_true (cfg.o.terminal);
  assert_false (cfg.o.stdin_open);
  assert_string_equal (cfg.o.log_driver, "json-file");
  assert_int_equal (cfg.o.log_max_size, 1000);
  assert_string_equal (cfg.o.exit_command[3], "ID");
  assert_string_equal (cfg.o.restart_policy, "on-failure");
  assert_int_equal (cfg.o.max_retries, 2);
  assert_string_equal (cfg.o.health.test[1], "true");
  assert_int_equal (cfg.o.health.retries, 4);
  assert_string_equal (cfg.o.health.on_failure, "kill");
  assert_int_equal (cfg.o.preserve_fds, 2);
  husk_monitor_config_release (&cfg);
  husk_rm_rf (dir, NULL);
}

static void
health_record_follows_dockers_rules (void **state)
{
  cleanup_free char *dir = tmpdir ();
  cleanup_free char *path = husk_asprintf ("%s/health.json", dir);
  struct husk_health_result fail = { 1, 2, 1, "bad", 3 };
  struct husk_health_result ok = { 1, 2, 0, "ok\xff", 3 };
  cleanup_json json_t *j = NULL;
  husk_error_t err = NULL;
  bool became;

  (void) state;
  assert_int_equal (husk_health_reset (dir, &err), 0);
  /* Failures in the start period do not count.  */
  assert_int_equal (husk_health_record (dir, &fail, 2, true, &became, &err),
                    HUSK_HEALTH_STARTING);
  assert_int_equal (husk_health_record (dir, &fail, 2, true, &became, &err),
                    HUSK_HEALTH_STARTING);
  assert_int_equal (husk_health_record (dir, &fail, 2, false, &became, &err),
                    HUSK_HEALTH_STARTING);
  assert_false (became);
  assert_int_equal (husk_health_record (dir, &fail, 2, false, &became, &err),
                    HUSK_HEALTH_UNHEALTHY);
  assert_true (became);
  assert_int_equal (husk_health_record (dir, &fail, 2, false, &became, &err),
                    HUSK_HEALTH_UNHEALTHY);
  assert_false (became); /* already unhealthy */
  assert_int_equal (husk_health_record (dir, &ok, 2, false, &became, &err),
                    HUSK_HEALTH_HEALTHY);
  j = json_load_file (path, 0, NULL);
  assert_string_equal (json_string_value (json_object_get (j, "Status")), "healthy");
  assert_int_equal (json_integer_value (json_object_get (j, "FailingStreak")), 0);
  assert_int_equal (json_array_size (json_object_get (j, "Log")), 5);
  assert_string_equal (json_string_value (json_object_get (
                           json_array_get (json_object_get (j, "Log"), 4), "Output")),
                       "ok\xef\xbf\xbd");
  husk_rm_rf (dir, NULL);
}

/* --- Attach client against a fake monitor -------------------------------- */

/* Serve one attach connection: send the frames (each "Tdata", T the type
   digit), then record what the client sends into <dir>/got until it
   closes.  */
static pid_t
fake_monitor (const char *dir, const char *const *frames, bool wait_close)
{
  struct sockaddr_un sa;
  socklen_t len;
  int dirfd, lfd;
  pid_t pid;

  assert_int_equal (husk_monitor_sockaddr (dir, HUSK_MONITOR_ATTACH, &sa, &len,
                                           &dirfd, NULL), 0);
  lfd = socket (AF_UNIX, SOCK_SEQPACKET, 0);
  assert_int_equal (bind (lfd, (struct sockaddr *) &sa, len), 0);
  assert_int_equal (listen (lfd, 1), 0);
  pid = fork ();
  assert_true (pid >= 0);
  if (pid == 0)
    {
      int fd = accept (lfd, NULL, NULL);
      char buf[9000];
      char *got = husk_asprintf ("%s/got", dir);
      int out = open (got, O_WRONLY | O_CREAT | O_TRUNC, 0644);
      ssize_t n;

      if (!wait_close)
        for (const char *const *f = frames; *f; f++)
          {
            char frame[256];
            size_t l = strlen (*f);
            memcpy (frame, *f, l);
            frame[0] -= '0';
            send (fd, frame, l, MSG_NOSIGNAL);
          }
      while ((n = recv (fd, buf, sizeof buf, 0)) > 0)
        {
          if (buf[0] == HUSK_ATTACH_STDIN)
            husk_write_all (out, buf + 1, n - 1);
          else
            husk_write_all (out, "<EOF>", 5);
        }
      _exit (0);
    }
  close (lfd);
  return pid;
}

static void
attach_copies_frames_and_returns_the_exit_code (void **state)
{
  cleanup_free char *dir = tmpdir ();
  cleanup_free char *out = husk_asprintf ("%s/out", dir);
  cleanup_free char *errp = husk_asprintf ("%s/err", dir);
  cleanup_free char *o = NULL, *e = NULL;
  const char *frames[] = { "1hello ", "2oops", "1world", "342", NULL };
  int ofd = open (out, O_WRONLY | O_CREAT, 0644);
  int efd = open (errp, O_WRONLY | O_CREAT, 0644);
  husk_error_t err = NULL;
  pid_t pid = fake_monitor (dir, frames, false);

  (void) state;
  assert_int_equal (husk_attach (dir, -1, ofd, efd, NULL, false, &err), 42);
  close (ofd);
  close (efd);
  o = read_str (out);
  e = read_str (errp);
  assert_string_equal (o, "hello world");
  assert_string_equal (e, "oops");
  waitpid (pid, NULL, 0);
  husk_rm_rf (dir, NULL);
}

static void
attach_detaches_on_the_keys_and_passes_near_misses (void **state)
{
  cleanup_free char *dir = tmpdir ();
  cleanup_free char *got = husk_asprintf ("%s/got", dir);
  cleanup_free char *g = NULL;
  const char *frames[] = { NULL };
  int p[2];
  husk_error_t err = NULL;
  pid_t pid = fake_monitor (dir, frames, true);

  (void) state;
  assert_int_equal (pipe (p), 0);
  /* ctrl-p then x is not the sequence: both go through.  */
  assert_int_equal (write (p[1], "ab\x10x\x10\x11zz", 8), 8);
  assert_int_equal (husk_attach (dir, p[0], -1, -1, NULL, false, &err),
                    HUSK_ATTACH_DETACHED);
  waitpid (pid, NULL, 0);
  g = read_str (got);
  assert_string_equal (g, "ab\x10x");
  close (p[0]);
  close (p[1]);
  husk_rm_rf (dir, NULL);
}

static void
attach_rejects_bad_detach_keys (void **state)
{
  husk_error_t err = NULL;

  (void) state;
  assert_int_equal (husk_attach ("/nonexistent", -1, -1, -1, "ctrl-1", false, &err),
                    -1);
  assert_non_null (strstr (err->msg, "detach keys"));
  husk_error_release (&err);
}

/* --- Real containers ------------------------------------------------------ */

static struct
{
  bool ok;
  char *dir;     /* shared: images and rootfs */
  char *rootfs;
  char *runtime;
  char *monitor;
  int seq;
} rt;

/* dir/rel for the first ancestor dir of our executable that has it.  */
static char *
find_up (const char *rel)
{
  char exe[PATH_MAX];
  ssize_t n = readlink ("/proc/self/exe", exe, sizeof (exe) - 1);

  if (n <= 0)
    return NULL;
  exe[n] = '\0';
  for (char *slash = strrchr (exe, '/'); slash; slash = strrchr (exe, '/'))
    {
      char *p;
      *slash = '\0';
      p = husk_asprintf ("%s/%s", *exe ? exe : "", rel);
      if (access (p, F_OK) == 0)
        return p;
      free (p);
    }
  return NULL;
}

static bool
crun_usable (void)
{
  cleanup_free char *ctl = read_str ("/sys/fs/cgroup/unified/cgroup.controllers");
  cleanup_free char *mi = read_str ("/proc/self/mountinfo");

  if (ctl == NULL || ctl[0] == '\0' || ctl[0] == '\n')
    return true;
  return mi && strstr (mi, " /sys/fs/cgroup/hugetlb ") != NULL;
}

static int
group_setup (void **state)
{
  const char *env_rt = getenv ("HUSK_TEST_RUNTIME");
  const char *images = getenv ("HUSK_TEST_IMAGES");
  cleanup_free char *build = NULL, *cmd = NULL, *tar = NULL;

  (void) state;
  if (geteuid () != 0)
    return 0;
  if (env_rt)
    rt.runtime = husk_xstrdup (env_rt);
  else if (access ("/usr/bin/crun", X_OK) == 0 && crun_usable ())
    rt.runtime = husk_xstrdup ("/usr/bin/crun");
  else if (access ("/usr/sbin/runc", X_OK) == 0)
    rt.runtime = husk_xstrdup ("/usr/sbin/runc");
  else if (access ("/usr/bin/runc", X_OK) == 0)
    rt.runtime = husk_xstrdup ("/usr/bin/runc");
  rt.monitor = find_up ("husk-monitor");
  build = find_up ("tests/images/build.sh");
  if (rt.runtime == NULL || rt.monitor == NULL || (build == NULL && images == NULL))
    return 0;
  rt.dir = tmpdir ();
  rt.rootfs = husk_asprintf ("%s/rootfs", rt.dir);
  if (images == NULL)
    {
      cmd = husk_asprintf ("sh '%s' '%s/images' >/dev/null", build, rt.dir);
      if (system (cmd) != 0)
        return 0;
      tar = husk_asprintf ("%s/images/rootfs.tar", rt.dir);
    }
  else
    tar = husk_asprintf ("%s/rootfs.tar", images);
  free (cmd);
  cmd = husk_asprintf ("mkdir -p '%s' && tar -xf '%s' -C '%s'", rt.rootfs, tar,
                       rt.rootfs);
  rt.ok = system (cmd) == 0;
  return 0;
}

static int
group_teardown (void **state)
{
  (void) state;
  if (rt.dir)
    husk_rm_rf (rt.dir, NULL);
  free (rt.dir);
  free (rt.rootfs);
  free (rt.runtime);
  free (rt.monitor);
  return 0;
}

struct ctr
{
  char *dir;
  char *userdata;
  char *bundle;
  char *rtroot;
  char id[64];
  struct husk_monitor_opts o;
};

static void
write_config (struct ctr *t, const char *const *args, bool terminal)
{
  cleanup_json json_t *cfg = json_pack (
      "{s:s, s:{s:b, s:{s:i, s:i}, s:[], s:[s, s], s:s,"
      "         s:{s:[s,s,s], s:[s,s,s], s:[s,s,s]},"
      "         s:[{s:s, s:i, s:i}], s:b},"
      " s:{s:s, s:b}, s:s,"
      " s:[{s:s, s:s, s:s},"
      "    {s:s, s:s, s:s, s:[s, s, s]},"
      "    {s:s, s:s, s:s, s:[s, s, s, s]},"
      "    {s:s, s:s, s:s, s:[s, s]}],"
      " s:{s:[{s:s}, {s:s}, {s:s}, {s:s}, {s:s}]}}",
      "ociVersion", "1.0.2",
      "process", "terminal", terminal, "user", "uid", 0, "gid", 0, "args", "env",
      "PATH=/bin:/usr/bin", "TERM=xterm", "cwd", "/tmp",
      "capabilities", "bounding", "CAP_KILL", "CAP_SETUID", "CAP_SETGID",
      "effective", "CAP_KILL", "CAP_SETUID", "CAP_SETGID", "permitted",
      "CAP_KILL", "CAP_SETUID", "CAP_SETGID",
      "rlimits", "type", "RLIMIT_NOFILE", "hard", 1024, "soft", 1024,
      "noNewPrivileges", 1,
      "root", "path", rt.rootfs, "readonly", 1, "hostname", "mon",
      "mounts", "destination", "/proc", "type", "proc", "source", "proc",
      "destination", "/dev", "type", "tmpfs", "source", "tmpfs", "options",
      "nosuid", "mode=755", "size=1m",
      "destination", "/dev/pts", "type", "devpts", "source", "devpts",
      "options", "nosuid", "newinstance", "ptmxmode=0666", "mode=0620",
      "destination", "/tmp", "type", "tmpfs", "source", "tmpfs", "options",
      "nosuid", "nodev",
      "linux", "namespaces", "type", "pid", "type", "ipc", "type", "uts",
      "type", "mount", "type", "network");
  json_t *a = json_object_get (json_object_get (cfg, "process"), "args");
  cleanup_free char *path = husk_asprintf ("%s/config.json", t->bundle);

  assert_non_null (cfg);
  for (; *args; args++)
    json_array_append_new (a, json_string (*args));
  assert_int_equal (json_dump_file (cfg, path, 0), 0);
}

/* A fresh container directory; returns false (and skips) without a
   runtime.  */
static bool
ctr_init (struct ctr *t, const char *const *args, bool terminal)
{
  husk_error_t err = NULL;

  memset (t, 0, sizeof (*t));
  if (!rt.ok)
    return false;
  t->dir = tmpdir ();
  t->userdata = husk_asprintf ("%s/userdata", t->dir);
  t->bundle = husk_asprintf ("%s/bundle", t->dir);
  t->rtroot = husk_asprintf ("%s/rt", t->dir);
  assert_int_equal (husk_mkdir_p (t->userdata, 0700, &err), 0);
  assert_int_equal (husk_mkdir_p (t->bundle, 0700, &err), 0);
  snprintf (t->id, sizeof t->id, "husk-mon-%d-%d", (int) getpid (), ++rt.seq);
  write_config (t, args, terminal);
  t->o.id = t->id;
  t->o.bundle = t->bundle;
  t->o.userdata = t->userdata;
  t->o.runtime = rt.runtime;
  t->o.runtime_root = t->rtroot;
  t->o.terminal = terminal;
  t->o.monitor_path = rt.monitor;
  return true;
}

static void
ctr_release (struct ctr *t)
{
  cleanup_free char *cmd = NULL;

  if (t->dir == NULL)
    return;
  cmd = husk_asprintf ("'%s' --root '%s' delete --force '%s' >/dev/null 2>&1",
                       rt.runtime, t->rtroot, t->id);
  if (system (cmd) < 0)
    fprintf (stderr, "cleanup failed\n");
  husk_rm_rf (t->dir, NULL);
  free (t->dir);
  free (t->userdata);
  free (t->bundle);
  free (t->rtroot);
}

static char *
ud_path (struct ctr *t, const char *name)
{
  return husk_asprintf ("%s/%s", t->userdata, name);
}

static bool
wait_file (const char *path, bool present, int ms)
{
  for (int i = 0; i < ms / 20; i++)
    {
      if (husk_path_exists (path) == present)
        return true;
      sleep_ms (20);
    }
  return husk_path_exists (path) == present;
}

/* Wait until the monitor is gone (it removes monitor.pid when it exits).  */
static void
wait_monitor_gone (struct ctr *t)
{
  cleanup_free char *pid = ud_path (t, HUSK_MONITOR_PID);

  assert_true (wait_file (pid, false, 30000));
}

static int
wait_exit (struct ctr *t, struct husk_monitor_exit *ex)
{
  husk_error_t err = NULL;

  wait_monitor_gone (t);
  assert_int_equal (husk_monitor_read_exit (t->userdata, ex, &err), 1);
  return ex->exit_code;
}

static void
start_ok (struct ctr *t, struct husk_monitor_result *res)
{
  husk_error_t err = NULL;
  int rc = husk_monitor_start (&t->o, res, &err);

  if (rc < 0)
    fail_msg ("husk_monitor_start: %s", err->msg);
  assert_true (res->container_pid > 0);
  assert_true (res->monitor_pid > 0);
}

#define SKIP_WITHOUT_RUNTIME(t, args, tty)                                     \
  do                                                                           \
    if (!ctr_init (t, args, tty))                                              \
      {                                                                        \
        skip ();                                                               \
        return;                                                                \
      }                                                                        \
  while (0)

static void
container_exit_code_and_k8s_log_are_recorded (void **state)
{
  const char *args[] = { "sh", "-c", "echo out; echo err >&2; exit 3", NULL };
  struct husk_monitor_result res;
  struct husk_monitor_exit ex;
  cleanup_free char *log = NULL, *got = NULL;
  struct ctr t;

  (void) state;
  SKIP_WITHOUT_RUNTIME (&t, args, false);
  start_ok (&t, &res);
  assert_int_equal (wait_exit (&t, &ex), 3);
  assert_true (ex.finished_at_ns > 0);
  assert_false (ex.restarting);
  log = ud_path (&t, HUSK_MONITOR_CTR_LOG);
  got = read_log (log, "k8s-file", NULL);
  assert_non_null (strstr (got, "stdout|F|out\n;"));
  assert_non_null (strstr (got, "stderr|F|err\n;"));
  husk_monitor_exit_release (&ex);
  ctr_release (&t);
}

static void
json_file_driver_writes_docker_records (void **state)
{
  const char *args[] = { "sh", "-c", "echo hello; printf part", NULL };
  struct husk_monitor_result res;
  struct husk_monitor_exit ex;
  cleanup_free char *log = NULL, *got = NULL, *raw = NULL;
  struct ctr t;

  (void) state;
  SKIP_WITHOUT_RUNTIME (&t, args, false);
  log = husk_asprintf ("%s/custom.json", t.dir);
  t.o.log_driver = "json-file";
  t.o.log_path = log;
  start_ok (&t, &res);
  assert_int_equal (wait_exit (&t, &ex), 0);
  raw = read_str (log);
  assert_non_null (strstr (raw, "{\"log\":\"hello\\n\",\"stream\":\"stdout\",\"time\":\""));
  got = read_log (log, "json-file", NULL);
  assert_string_equal (got, "stdout|F|hello\n;stdout|P|part;");
  husk_monitor_exit_release (&ex);
  ctr_release (&t);
}

static void
log_max_size_rotates_the_file (void **state)
{
  const char *args[] = { "sh", "-c",
                         "i=0; while [ $i -lt 50 ]; do echo line$i; i=$((i+1));"
                         " sleep 0.01; done", NULL };
  struct husk_monitor_result res;
  struct husk_monitor_exit ex;
  cleanup_free char *log = NULL, *got = NULL;
  struct stat st;
  struct ctr t;

  (void) state;
  SKIP_WITHOUT_RUNTIME (&t, args, false);
  t.o.log_max_size = 300;
  start_ok (&t, &res);
  assert_int_equal (wait_exit (&t, &ex), 0);
  log = ud_path (&t, HUSK_MONITOR_CTR_LOG);
  assert_int_equal (stat (log, &st), 0);
  assert_true (st.st_size <= 300);
  got = read_log (log, NULL, NULL);
  assert_non_null (strstr (got, "line49\n"));
  assert_null (strstr (got, "line0\n"));
  husk_monitor_exit_release (&ex);
  ctr_release (&t);
}

static void
a_spawned_monitor_without_go_leaves_without_a_container (void **state)
{
  const char *args[] = { "sh", "-c", "echo ran", NULL };
  struct husk_monitor_launch l;
  husk_error_t err = NULL;
  cleanup_free char *exit_file = NULL, *pidfile = NULL, *state_dir = NULL;
  struct ctr t;
  int status;

  (void) state;
  SKIP_WITHOUT_RUNTIME (&t, args, false);
  assert_int_equal (husk_monitor_spawn (&t.o, &l, &err), 0);
  /* The caller failed before its go: the monitor must not create it.  */
  husk_monitor_launch_release (&l);
  assert_int_equal (waitpid (l.pid, &status, 0), l.pid);
  assert_true (WIFEXITED (status) && WEXITSTATUS (status) == 0);
  exit_file = ud_path (&t, HUSK_MONITOR_EXIT);
  pidfile = ud_path (&t, HUSK_MONITOR_PIDFILE);
  state_dir = husk_asprintf ("%s/%s", t.rtroot, t.id);
  assert_false (husk_path_exists (exit_file));
  assert_false (husk_path_exists (pidfile));
  assert_false (husk_path_exists (state_dir));
  ctr_release (&t);
}

/* The runtime's process is forked ahead of the go and waits for it; a
   monitor killed before the go takes it along, so a go that still comes
   starts nothing.  */
static void
a_monitor_killed_before_go_leaves_no_runtime_to_start (void **state)
{
  const char *args[] = { "sh", "-c", "echo ran", NULL };
  struct husk_monitor_launch l;
  husk_error_t err = NULL;
  cleanup_free char *mpid = NULL, *state_dir = NULL;
  struct ctr t;
  int status;

  (void) state;
  SKIP_WITHOUT_RUNTIME (&t, args, false);
  assert_int_equal (husk_monitor_spawn (&t.o, &l, &err), 0);
  /* monitor.pid is written after the runtime's process is forked.  */
  mpid = ud_path (&t, HUSK_MONITOR_PID);
  assert_true (wait_file (mpid, true, 10000));
  kill (l.pid, SIGKILL);
  assert_int_equal (waitpid (l.pid, &status, 0), l.pid);
  /* The go may reach the runtime's forked process, or nobody when that
     process has died with the monitor already (EPIPE): either way no
     runtime may start.  */
  (void) send (l.go_w, "1", 1, MSG_NOSIGNAL);
  husk_monitor_launch_release (&l);
  sleep_ms (500);
  state_dir = husk_asprintf ("%s/%s", t.rtroot, t.id);
  assert_false (husk_path_exists (state_dir));
  ctr_release (&t);
}

static void
attach_feeds_stdin_and_gets_the_exit_code (void **state)
{
  const char *args[] = { "cat", NULL };
  struct husk_monitor_result res;
  cleanup_free char *out = NULL, *o = NULL, *log = NULL, *got = NULL;
  husk_error_t err = NULL;
  struct ctr t;
  int p[2], ofd;

  (void) state;
  SKIP_WITHOUT_RUNTIME (&t, args, false);
  t.o.stdin_open = true;
  t.o.attach_wait = true;
  start_ok (&t, &res);
  out = husk_asprintf ("%s/out", t.dir);
  ofd = open (out, O_WRONLY | O_CREAT, 0644);
  assert_int_equal (pipe (p), 0);
  assert_int_equal (write (p[1], "echo me\n", 8), 8);
  close (p[1]);
  assert_int_equal (husk_attach_fd (res.attach_fd, t.userdata, p[0], ofd, ofd, NULL, false, &err), 0);
  close (p[0]);
  close (ofd);
  o = read_str (out);
  assert_string_equal (o, "echo me\n");
  /* Nothing was lost before the attach: the log has it too.  */
  log = ud_path (&t, HUSK_MONITOR_CTR_LOG);
  got = read_log (log, NULL, NULL);
  assert_string_equal (got, "stdout|F|echo me\n;");
  wait_monitor_gone (&t);
  ctr_release (&t);
}

static void
count_bytes (void *ctx, const char *stream, int64_t ts, const char *data,
             size_t len, bool partial)
{
  (void) stream;
  (void) ts;
  (void) partial;
  for (size_t i = 0; i < len; i++)
    if (data[i] == '\0')
      (*(size_t *) ctx)++;
}

static void
attach_with_a_slow_reader_loses_no_output (void **state)
{
  const char *args[] = { "head", "-c", "3000000", "/dev/zero", NULL };
  struct husk_monitor_result res;
  cleanup_free char *out = NULL, *log = NULL;
  husk_error_t err = NULL;
  size_t zeros = 0;
  struct stat st;
  struct ctr t;
  int p[2];
  pid_t reader;

  (void) state;
  SKIP_WITHOUT_RUNTIME (&t, args, false);
  t.o.attach_wait = true;
  start_ok (&t, &res);
  out = husk_asprintf ("%s/out", t.dir);
  assert_int_equal (pipe (p), 0);
  reader = fork ();
  if (reader == 0)
    {
      /* Drain the pipe slowly, so the monitor has to hold output back.  */
      char buf[65536];
      int fd = open (out, O_WRONLY | O_CREAT, 0644);
      ssize_t n;
      close (p[1]);
      while ((n = read (p[0], buf, sizeof buf)) > 0)
        {
          husk_write_all (fd, buf, n);
          sleep_ms (2);
        }
      _exit (0);
    }
  close (p[0]);
  assert_int_equal (husk_attach_fd (res.attach_fd, t.userdata, -1, p[1], p[1], NULL, false, &err), 0);
  close (p[1]);
  waitpid (reader, NULL, 0);
  assert_int_equal (stat (out, &st), 0);
  assert_int_equal (st.st_size, 3000000);
  log = ud_path (&t, HUSK_MONITOR_CTR_LOG);
  assert_int_equal (husk_log_read (log, NULL, NULL, count_bytes, &zeros, &err), 0);
  assert_int_equal (zeros, 3000000);
  wait_monitor_gone (&t);
  ctr_release (&t);
}

static void
terminal_gets_a_pty_and_resizes (void **state)
{
  const char *args[] = { "sh", "-c",
                         "test -t 0 && test -t 1 && echo isatty; sleep 0.5;"
                         " busybox stty size", NULL };
  struct husk_monitor_result res;
  cleanup_free char *out = NULL, *o = NULL;
  husk_error_t err = NULL;
  struct ctr t;
  int ofd;

  (void) state;
  SKIP_WITHOUT_RUNTIME (&t, args, true);
  t.o.attach_wait = true;
  start_ok (&t, &res);
  assert_int_equal (husk_monitor_resize (t.userdata, 33, 77, &err), 0);
  out = husk_asprintf ("%s/out", t.dir);
  ofd = open (out, O_WRONLY | O_CREAT, 0644);
  assert_int_equal (husk_attach_fd (res.attach_fd, t.userdata, -1, ofd, ofd, NULL, true, &err), 0);
  close (ofd);
  o = read_str (out);
  assert_non_null (strstr (o, "isatty\r\n"));
  assert_non_null (strstr (o, "33 77"));
  wait_monitor_gone (&t);
  ctr_release (&t);
}

static void
passthrough_hands_the_callers_fds_to_the_container (void **state)
{
  const char *args[] = { "sh", "-c", "echo direct; echo also >&2", NULL };
  struct husk_monitor_result res;
  struct husk_monitor_exit ex;
  cleanup_free char *out = NULL, *o = NULL, *log = NULL;
  struct ctr t;
  int ofd;

  (void) state;
  SKIP_WITHOUT_RUNTIME (&t, args, false);
  out = husk_asprintf ("%s/out", t.dir);
  ofd = open (out, O_WRONLY | O_CREAT | O_APPEND, 0644);
  t.o.log_driver = "passthrough";
  t.o.stdio_fds[0] = -1;
  t.o.stdio_fds[1] = ofd;
  t.o.stdio_fds[2] = ofd;
  start_ok (&t, &res);
  close (ofd);
  assert_int_equal (wait_exit (&t, &ex), 0);
  o = read_str (out);
  assert_string_equal (o, "direct\nalso\n");
  log = ud_path (&t, HUSK_MONITOR_CTR_LOG);
  assert_false (husk_path_exists (log));
  husk_monitor_exit_release (&ex);
  ctr_release (&t);
}

static void
missing_program_fails_start_with_the_runtime_message (void **state)
{
  const char *args[] = { "nosuch", NULL };
  struct husk_monitor_result res;
  husk_error_t err = NULL;
  struct ctr t;

  (void) state;
  SKIP_WITHOUT_RUNTIME (&t, args, false);
  assert_int_equal (husk_monitor_start (&t.o, &res, &err), -1);
  assert_non_null (strstr (err->msg, "nosuch"));
  assert_non_null (strstr (err->msg, "not found"));
  assert_true (husk_has_prefix (err->msg, strrchr (rt.runtime, '/') + 1));
  assert_int_equal (res.exit_code_hint, 127);
  husk_error_release (&err);
  wait_monitor_gone (&t);
  ctr_release (&t);
}

static void
exit_command_runs_after_the_exit_is_recorded (void **state)
{
  const char *args[] = { "true", NULL };
  struct husk_monitor_result res;
  struct husk_monitor_exit ex;
  cleanup_free char *marker = NULL, *script = NULL, *m = NULL;
  /* "sh" is $0: a --restarting the monitor appends would be $1.  */
  const char *cmd[5] = { "/bin/sh", "-c", NULL, "sh", NULL };
  struct ctr t;

  (void) state;
  SKIP_WITHOUT_RUNTIME (&t, args, false);
  marker = husk_asprintf ("%s/marker", t.dir);
  script = husk_asprintf ("test -f '%s/exit' && echo \"[$*]\" > '%s'", t.userdata, marker);
  cmd[2] = script;
  t.o.exit_command = cmd;
  start_ok (&t, &res);
  assert_int_equal (wait_exit (&t, &ex), 0);
  m = read_str (marker);
  assert_non_null (m);
  assert_string_equal (m, "[]\n");
  husk_monitor_exit_release (&ex);
  ctr_release (&t);
}

static void
on_failure_restarts_up_to_max_retries (void **state)
{
  const char *args[] = { "sh", "-c", "echo run; exit 2", NULL };
  struct husk_monitor_result res;
  struct husk_monitor_exit ex;
  cleanup_free char *log = NULL, *got = NULL;
  struct ctr t;
  const char *p;
  int runs = 0;

  (void) state;
  SKIP_WITHOUT_RUNTIME (&t, args, false);
  t.o.restart_policy = "on-failure";
  t.o.max_retries = 2;
  start_ok (&t, &res);
  assert_int_equal (wait_exit (&t, &ex), 2);
  assert_false (ex.restarting);
  assert_int_equal (ex.restart_count, 2);
  assert_int_equal (husk_monitor_restart_count (t.userdata), 2);
  log = ud_path (&t, HUSK_MONITOR_CTR_LOG);
  got = read_log (log, NULL, NULL);
  for (p = got; (p = strstr (p, "stdout|F|run\n")) != NULL; p++)
    runs++;
  assert_int_equal (runs, 3);
  husk_monitor_exit_release (&ex);
  ctr_release (&t);
}

static void
stopping_file_prevents_a_restart (void **state)
{
  const char *args[] = { "sleep", "30", NULL };
  struct husk_monitor_result res;
  struct husk_monitor_exit ex;
  cleanup_free char *stopping = NULL;
  struct ctr t;

  (void) state;
  SKIP_WITHOUT_RUNTIME (&t, args, false);
  t.o.restart_policy = "always";
  start_ok (&t, &res);
  stopping = ud_path (&t, HUSK_MONITOR_STOPPING);
  write_str (stopping, "");
  assert_int_equal (kill (res.container_pid, SIGKILL), 0);
  assert_int_equal (wait_exit (&t, &ex), 137);
  assert_false (ex.restarting);
  assert_int_equal (husk_monitor_restart_count (t.userdata), 0);
  husk_monitor_exit_release (&ex);
  ctr_release (&t);
}

static json_t *
wait_health (struct ctr *t, const char *status)
{
  cleanup_free char *path = ud_path (t, HUSK_MONITOR_HEALTH);

  for (int i = 0; i < 500; i++)
    {
      json_t *j = json_load_file (path, 0, NULL);
      const char *s = json_string_value (json_object_get (j, "Status"));
      if (s && strcmp (s, status) == 0)
        return j;
      json_decref (j);
      sleep_ms (20);
    }
  fail_msg ("health never became %s", status);
  return NULL;
}

static void
healthcheck_marks_healthy_then_unhealthy_and_kills (void **state)
{
  const char *args[] = { "sleep", "30", NULL };
  const char *test[] = { "CMD-SHELL", "test ! -f /tmp/sick && echo fine", NULL };
  struct husk_monitor_result res;
  struct husk_monitor_exit ex;
  cleanup_json json_t *h = NULL;
  cleanup_free char *cmd = NULL;
  husk_error_t err = NULL;
  json_t *entry;
  struct ctr t;

  (void) state;
  SKIP_WITHOUT_RUNTIME (&t, args, false);
  t.o.health.test = test;
  t.o.health.interval_ns = 200000000;
  t.o.health.retries = 2;
  t.o.health.on_failure = "kill";
  start_ok (&t, &res);
  h = wait_health (&t, "healthy");
  entry = json_array_get (json_object_get (h, "Log"), 0);
  assert_int_equal (json_integer_value (json_object_get (entry, "ExitCode")), 0);
  assert_string_equal (json_string_value (json_object_get (entry, "Output")), "fine\n");
  /* One check on demand, as `husk healthcheck run` does it.  */
  assert_int_equal (husk_health_run_once (t.userdata, &err), HUSK_HEALTH_HEALTHY);
  cmd = husk_asprintf ("'%s' --root '%s' exec '%s' touch /tmp/sick", rt.runtime,
                       t.rtroot, t.id);
  assert_int_equal (system (cmd), 0);
  json_decref (h);
  h = wait_health (&t, "unhealthy");
  /* on_failure=kill: the container dies with SIGKILL.  */
  assert_int_equal (wait_exit (&t, &ex), 137);
  husk_monitor_exit_release (&ex);
  ctr_release (&t);
}

static void
monitor_outlives_a_killed_starter (void **state)
{
  const char *args[] = { "sh", "-c", "sleep 1; exit 5", NULL };
  cleanup_free char *pidfile = NULL;
  struct husk_monitor_exit ex;
  struct ctr t;
  pid_t child;

  (void) state;
  SKIP_WITHOUT_RUNTIME (&t, args, false);
  pidfile = ud_path (&t, HUSK_MONITOR_PID);
  child = fork ();
  assert_true (child >= 0);
  if (child == 0)
    {
      struct husk_monitor_result res;
      husk_monitor_start (&t.o, &res, NULL);
      pause ();
      _exit (0);
    }
  /* Kill the starter while the monitor creates the container.  */
  assert_true (wait_file (pidfile, true, 10000));
  kill (child, SIGKILL);
  waitpid (child, NULL, 0);
  assert_int_equal (wait_exit (&t, &ex), 5);
  husk_monitor_exit_release (&ex);
  ctr_release (&t);
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (timestamp_round_trips),
    cmocka_unit_test (timestamp_parses_offsets_and_short_fractions),
    cmocka_unit_test (k8s_log_has_full_and_partial_records),
    cmocka_unit_test (json_log_escapes_and_replaces_invalid_utf8),
    cmocka_unit_test (log_tail_counts_whole_lines),
    cmocka_unit_test (log_since_and_until_filter_by_time),
    cmocka_unit_test (log_follow_reads_until_the_container_is_gone),
    cmocka_unit_test (log_read_refuses_drivers_without_a_file),
    cmocka_unit_test (config_round_trips_through_json),
    cmocka_unit_test (health_record_follows_dockers_rules),
    cmocka_unit_test (attach_copies_frames_and_returns_the_exit_code),
    cmocka_unit_test (attach_detaches_on_the_keys_and_passes_near_misses),
    cmocka_unit_test (attach_rejects_bad_detach_keys),
    cmocka_unit_test (container_exit_code_and_k8s_log_are_recorded),
    cmocka_unit_test (json_file_driver_writes_docker_records),
    cmocka_unit_test (log_max_size_rotates_the_file),
    cmocka_unit_test (a_spawned_monitor_without_go_leaves_without_a_container),
    cmocka_unit_test (a_monitor_killed_before_go_leaves_no_runtime_to_start),
    cmocka_unit_test (attach_feeds_stdin_and_gets_the_exit_code),
    cmocka_unit_test (attach_with_a_slow_reader_loses_no_output),
    cmocka_unit_test (terminal_gets_a_pty_and_resizes),
    cmocka_unit_test (passthrough_hands_the_callers_fds_to_the_container),
    cmocka_unit_test (missing_program_fails_start_with_the_runtime_message),
    cmocka_unit_test (exit_command_runs_after_the_exit_is_recorded),
    cmocka_unit_test (on_failure_restarts_up_to_max_retries),
    cmocka_unit_test (stopping_file_prevents_a_restart),
    cmocka_unit_test (healthcheck_marks_healthy_then_unhealthy_and_kills),
    cmocka_unit_test (monitor_outlives_a_killed_starter),
  };
  return cmocka_run_group_tests (tests, group_setup, group_teardown);
}
