/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests of config/config.c: built-in defaults, the order in which
   containers.conf, storage.conf and registries.conf files override each
   other, the CONTAINERS_* overrides, and the errors for bad files.  Each test
   gets its own directory tree standing in for /usr/share, /etc and ~/.config. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "config/config.h"
#include "util/cleanup.h"
#include "util/fileutil.h"
#include "util/strutil.h"

#include <errno.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>

struct fixture
{
  char *dir;
  char *share; /* DIR/usr/share/containers */
  char *etc;   /* DIR/etc/containers */
  char *user;  /* DIR/home/.config/containers */
  struct husk_config_paths paths;
};

static int
setup (void **state)
{
  husk_error_t err = NULL;
  struct fixture *f = husk_xzalloc (sizeof *f);

  f->dir = husk_mkdtemp_in ("/tmp", "husk-config-", &err);
  assert_non_null (f->dir);
  f->share = husk_asprintf ("%s/usr/share/containers", f->dir);
  f->etc = husk_asprintf ("%s/etc/containers", f->dir);
  f->user = husk_asprintf ("%s/home/.config/containers", f->dir);
  f->paths.share_dir = f->share;
  f->paths.etc_dir = f->etc;
  *state = f;
  return 0;
}

static int
teardown (void **state)
{
  struct fixture *f = *state;

  husk_rm_rf (f->dir, NULL);
  free (f->dir);
  free (f->share);
  free (f->etc);
  free (f->user);
  free (f);
  return 0;
}

/* Write a file under the fixture directory; return its full path.  */
static char *
put (struct fixture *f, const char *rel, const char *content)
{
  husk_error_t err = NULL;
  char *path = husk_asprintf ("%s/%s", f->dir, rel);
  cleanup_free char *parent = husk_xstrdup (path);

  assert_int_equal (husk_mkdir_p (dirname (parent), 0755, &err), 0);
  assert_int_equal (husk_write_file_atomic (path, content, strlen (content), 0644, &err), 0);
  return path;
}

static void
put_ (struct fixture *f, const char *rel, const char *content)
{
  free (put (f, rel, content));
}

static struct husk_config *
load_ok (struct fixture *f)
{
  husk_error_t err = NULL;
  struct husk_config *c = husk_config_load_from (&f->paths, &err);

  if (c == NULL)
    fail_msg ("unexpected error: %s", err->msg);
  return c;
}

/* Loading must fail with exactly this message.  */
static void
assert_load_error (struct fixture *f, const char *msg)
{
  husk_error_t err = NULL;
  struct husk_config *c = husk_config_load_from (&f->paths, &err);

  if (c != NULL)
    {
      husk_config_free (c);
      fail_msg ("loaded a configuration that should fail with: %s", msg);
    }
  assert_string_equal (err->msg, msg);
  husk_error_release (&err);
}

static void
assert_strv (char **have, const char *const *want)
{
  size_t i;

  for (i = 0; want[i]; i++)
    {
      if (have[i] == NULL)
        fail_msg ("missing '%s' at %zu", want[i], i);
      assert_string_equal (have[i], want[i]);
    }
  if (have[i] != NULL)
    fail_msg ("unexpected '%s' at %zu", have[i], i);
}

/* Defaults.  */

static void
defaults_apply_without_files (void **state)
{
  struct fixture *f = *state;
  cleanup (husk_config_free) struct husk_config *c = load_ok (f);
  static const char *const caps[] = {
    "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FOWNER", "CAP_FSETID", "CAP_KILL",
    "CAP_NET_BIND_SERVICE", "CAP_SETFCAP", "CAP_SETGID", "CAP_SETPCAP", "CAP_SETUID",
    "CAP_SYS_CHROOT", NULL,
  };
  static const char *const none[] = { NULL };

  assert_null (c->runtime); /* chosen per host */
  assert_strv (husk_config_runtime_paths (c, "crun"),
               (const char *const[]) { "/usr/bin/crun", "/usr/local/bin/crun", NULL });
  assert_strv (husk_config_runtime_paths (c, "runc"),
               (const char *const[]) { "/usr/bin/runc", "/usr/sbin/runc",
                                       "/usr/local/bin/runc", NULL });
  assert_null (husk_config_runtime_paths (c, "kata"));
  assert_string_equal (c->cgroup_manager, "cgroupfs");
  assert_string_equal (c->events_logger, "file");
  assert_strv (c->default_capabilities, caps);
  assert_strv (c->default_ulimits, none);
  assert_string_equal (c->log_driver, "k8s-file");
  assert_int_equal (c->log_size_max, -1);
  assert_int_equal (c->pids_limit, 2048);
  assert_string_equal (c->shm_size, "65536k");
  assert_null (c->tz);
  assert_false (c->init);
  assert_string_equal (c->netns, "none");
  assert_string_equal (c->umask, "0022");
  assert_true (c->label);
  assert_string_equal (c->default_network, "podman");
  assert_string_equal (c->network_backend, "netavark");
  assert_null (c->storage_driver);
  assert_null (c->graphroot);
  assert_null (c->runroot);
  assert_strv (c->storage_options, none);
  assert_strv (c->unqualified_search_registries, none);
  assert_int_equal (c->n_registries, 0);
  assert_strv (c->files_read, none);
}

static void
defaults_have_podman_environment (void **state)
{
  cleanup (husk_config_free) struct husk_config *c = husk_config_new_defaults ();

  (void) state;
  assert_strv (c->env, (const char *const[]) {
                           "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                           "TERM=xterm", NULL });
}

/* containers.conf  */

static void
later_containers_conf_files_override_earlier_keys (void **state)
{
  struct fixture *f = *state;
  cleanup (husk_config_free) struct husk_config *c = NULL;
  cleanup_free char *share = put (f, "usr/share/containers/containers.conf",
                                  "[engine]\nruntime = 'runc'\n"
                                  "[containers]\npids_limit = 100\nlog_driver = 'journald'\n");
  cleanup_free char *etc = put (f, "etc/containers/containers.conf",
                                "[containers]\npids_limit = 200\n");
  cleanup_free char *b = put (f, "etc/containers/containers.conf.d/20-b.conf",
                              "[containers]\npids_limit = 400\n");
  cleanup_free char *a = put (f, "etc/containers/containers.conf.d/10-a.conf",
                              "[containers]\npids_limit = 300\ntz = 'UTC'\n");

  put_ (f, "etc/containers/containers.conf.d/30-ignored.txt", "[containers]\npids_limit = 9\n");
  c = load_ok (f);
  assert_string_equal (c->runtime, "runc");
  assert_string_equal (c->log_driver, "journald");
  assert_string_equal (c->tz, "UTC");
  assert_int_equal (c->pids_limit, 400);
  assert_strv (c->files_read, (const char *const[]) { share, etc, a, b, NULL });
}

static void
user_containers_conf_is_read_only_when_rootless (void **state)
{
  struct fixture *f = *state;
  cleanup_free char *etc = put (f, "etc/containers/containers.conf", "[containers]\ninit = true\n");
  cleanup_free char *user = put (f, "home/.config/containers/containers.conf",
                                 "[containers]\nnetns = 'slirp4netns'\nuserns = 'keep-id'\n");
  cleanup_free char *drop = put (f, "home/.config/containers/containers.conf.d/a.conf",
                                 "[containers]\nuserns = 'auto'\n");
  cleanup (husk_config_free) struct husk_config *rootful = load_ok (f);
  cleanup (husk_config_free) struct husk_config *rootless = NULL;

  assert_string_equal (rootful->netns, "none");
  assert_string_equal (rootful->containers_conf_path, etc);
  f->paths.user_dir = f->user;
  rootless = load_ok (f);
  assert_true (rootless->init);
  assert_string_equal (rootless->netns, "slirp4netns");
  assert_string_equal (rootless->userns, "auto");
  assert_string_equal (rootless->containers_conf_path, user);
  assert_strv (rootless->files_read, (const char *const[]) { etc, user, drop, NULL });
}

static void
containers_conf_variable_reads_only_that_file (void **state)
{
  struct fixture *f = *state;
  cleanup (husk_config_free) struct husk_config *c = NULL;
  cleanup_free char *custom = put (f, "custom.conf", "[containers]\nuserns = 'keep-id'\n");

  put_ (f, "etc/containers/containers.conf", "[containers]\npids_limit = 5\n");
  put_ (f, "home/.config/containers/containers.conf", "[containers]\npids_limit = 6\n");
  f->paths.user_dir = f->user;
  f->paths.containers_conf = custom;
  c = load_ok (f);
  assert_string_equal (c->userns, "keep-id");
  assert_int_equal (c->pids_limit, 2048);
  assert_string_equal (c->containers_conf_path, custom);
  assert_strv (c->files_read, (const char *const[]) { custom, NULL });
}

static void
containers_conf_variable_naming_a_missing_file_fails (void **state)
{
  struct fixture *f = *state;
  cleanup_free char *missing = husk_asprintf ("%s/nope.conf", f->dir);
  cleanup_free char *msg = husk_asprintf ("containers.conf '%s': No such file or directory",
                                          missing);

  f->paths.containers_conf = missing;
  assert_load_error (f, msg);
}

static void
arrays_replace_earlier_arrays_whole (void **state)
{
  struct fixture *f = *state;
  cleanup (husk_config_free) struct husk_config *c = NULL;

  put_ (f, "usr/share/containers/containers.conf",
        "[containers]\nenv = ['A=1', 'B=2']\ndefault_ulimits = ['nofile=10:20']\n");
  put_ (f, "etc/containers/containers.conf",
        "[containers]\nenv = ['C=3']\ndefault_capabilities = ['chown', 'CAP_KILL', 'net_raw']\n");
  c = load_ok (f);
  assert_strv (c->env, (const char *const[]) { "C=3", NULL });
  assert_strv (c->default_ulimits, (const char *const[]) { "nofile=10:20", NULL });
  assert_strv (c->default_capabilities,
               (const char *const[]) { "CAP_CHOWN", "CAP_KILL", "CAP_NET_RAW", NULL });
}

static void
runtimes_merge_by_name (void **state)
{
  struct fixture *f = *state;
  cleanup (husk_config_free) struct husk_config *c = NULL;

  put_ (f, "etc/containers/containers.conf",
        "[engine.runtimes]\ncrun = ['/opt/crun']\nkata = ['/usr/bin/kata-runtime']\n");
  c = load_ok (f);
  assert_strv (husk_config_runtime_paths (c, "crun"), (const char *const[]) { "/opt/crun", NULL });
  assert_strv (husk_config_runtime_paths (c, "kata"),
               (const char *const[]) { "/usr/bin/kata-runtime", NULL });
  assert_non_null (husk_config_runtime_paths (c, "runc"));
}

static void
unknown_keys_and_tables_are_ignored (void **state)
{
  struct fixture *f = *state;
  cleanup (husk_config_free) struct husk_config *c = NULL;

  put_ (f, "etc/containers/containers.conf",
        "[engine]\nconmon_path = ['/usr/bin/conmon']\nnum_locks = 2048\n"
        "[machine]\ncpus = 1\n[containers]\npids_limit = 7\n");
  c = load_ok (f);
  assert_int_equal (c->pids_limit, 7);
}

static void
wrong_type_of_known_key_is_an_error (void **state)
{
  struct fixture *f = *state;
  cleanup_free char *path = put (f, "etc/containers/containers.conf",
                                 "[containers]\npids_limit = 'many'\n");
  cleanup_free char *msg = husk_asprintf ("containers.conf '%s': key 'containers.pids_limit' "
                                          "must be an integer", path);

  assert_load_error (f, msg);
}

static void
subnet_pools_are_an_array_of_inline_tables (void **state)
{
  struct fixture *f = *state;
  cleanup (husk_config_free) struct husk_config *c = NULL;

  put_ (f, "etc/containers/containers.conf",
        "[network]\ndefault_subnet_pools = [\n  {\"base\" = \"10.128.0.0/9\", \"size\" = 24},\n"
        "  {base = \"192.168.0.0/16\", size = 28},\n]\n");
  c = load_ok (f);
  assert_strv (c->default_subnet_pools,
               (const char *const[]) { "10.128.0.0/9:24", "192.168.0.0/16:28", NULL });
}

static void
subnet_pool_without_size_is_an_error (void **state)
{
  struct fixture *f = *state;
  cleanup_free char *path = put (f, "etc/containers/containers.conf",
                                 "[network]\ndefault_subnet_pools = [{base = \"10.0.0.0/8\"}]\n");
  cleanup_free char *msg = husk_asprintf (
      "containers.conf '%s': key 'network.default_subnet_pools' must be an array of {base = "
      "\"ADDRESS/PREFIX\", size = N} tables with N from the base's prefix to 30", path);

  assert_load_error (f, msg);
}

static void
wrong_type_messages_name_the_expected_type (void **state)
{
  struct fixture *f = *state;
  cleanup_free char *path = husk_asprintf ("%s/etc/containers/containers.conf", f->dir);
  static const struct
  {
    const char *doc, *msg;
  } cases[] = {
    { "containers = 1\n", "key 'containers' must be a table" },
    { "[containers]\nenv = ['A=1', 2]\n", "key 'containers.env' must be an array of strings" },
    { "[containers]\ninit = 'yes'\n", "key 'containers.init' must be a boolean" },
    { "[engine]\nruntime = ['crun']\n", "key 'engine.runtime' must be a string" },
    { "[engine.runtimes]\ncrun = '/usr/bin/crun'\n",
      "key 'engine.runtimes.crun' must be an array of strings" },
    { "[network]\ndefault_network = \"a\\u0000b\"\n",
      "key 'network.default_network' must be a string" },
  };

  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
    {
      cleanup_free char *msg = husk_asprintf ("containers.conf '%s': %s", path, cases[i].msg);
      put_ (f, "etc/containers/containers.conf", cases[i].doc);
      assert_load_error (f, msg);
    }
}

static void
invalid_toml_names_file_and_line (void **state)
{
  struct fixture *f = *state;
  cleanup_free char *path = put (f, "etc/containers/containers.conf.d/50-bad.conf",
                                 "[containers]\npids_limit = 1\nbroken\n");
  cleanup_free char *msg = husk_asprintf ("containers.conf '%s': line 3: expected '=' after key",
                                          path);

  assert_load_error (f, msg);
}

static void
unreadable_file_is_an_error (void **state)
{
  struct fixture *f = *state;
  cleanup_free char *path = husk_asprintf ("%s/containers.conf", f->etc);
  cleanup_free char *msg = husk_asprintf ("containers.conf '%s': Is a directory", path);
  husk_error_t err = NULL;

  assert_int_equal (husk_mkdir_p (path, 0755, &err), 0);
  assert_load_error (f, msg);
}

/* storage.conf  */

static void
system_storage_conf_cannot_move_husk_store (void **state)
{
  struct fixture *f = *state;
  cleanup (husk_config_free) struct husk_config *c = NULL;
  cleanup_free char *etc = put (f, "etc/containers/storage.conf",
                                "[storage]\ndriver = 'overlay'\n"
                                "graphroot = '/var/lib/containers/storage'\n"
                                "runroot = '/run/containers/storage'\n"
                                "rootless_storage_path = '/tmp/x'\n"
                                "[storage.options]\nmount_program = '/usr/bin/fuse-overlayfs'\n"
                                "additionalimagestores = []\n"
                                "[storage.options.overlay]\nmountopt = 'nodev,metacopy=on'\n"
                                "[storage.options.pull_options]\n"
                                "enable_partial_images = 'false'\n");

  c = load_ok (f);
  assert_string_equal (c->storage_driver, "overlay");
  assert_null (c->graphroot);
  assert_null (c->runroot);
  assert_strv (c->storage_options,
               (const char *const[]) { "overlay.mount_program=/usr/bin/fuse-overlayfs",
                                       "overlay.mountopt=nodev,metacopy=on", NULL });
  assert_string_equal (c->storage_conf_path, etc);
}

static void
storage_conf_variable_may_set_graphroot (void **state)
{
  struct fixture *f = *state;
  cleanup (husk_config_free) struct husk_config *c = NULL;
  cleanup_free char *mine = put (f, "my-storage.conf",
                                 "[storage]\ndriver = 'vfs'\ngraphroot = '/srv/husk'\n"
                                 "runroot = '/run/husk-test'\n");

  put_ (f, "etc/containers/storage.conf", "[storage]\n[storage.options.overlay]\nmountopt = 'x'\n");
  f->paths.storage_conf = mine;
  c = load_ok (f);
  assert_string_equal (c->storage_driver, "vfs");
  assert_string_equal (c->graphroot, "/srv/husk");
  assert_string_equal (c->runroot, "/run/husk-test");
  assert_strv (c->storage_options, (const char *const[]) { NULL });
  assert_strv (c->files_read, (const char *const[]) { mine, NULL });
  assert_string_equal (c->storage_conf_path, mine);
}

static void
storage_options_override_by_name (void **state)
{
  struct fixture *f = *state;
  cleanup (husk_config_free) struct husk_config *c = NULL;

  put_ (f, "usr/share/containers/storage.conf",
        "[storage]\ndriver = 'overlay'\n[storage.options.overlay]\nmountopt = 'a'\nsize = '1G'\n");
  put_ (f, "etc/containers/storage.conf",
        "[storage.options.overlay]\nmountopt = 'b'\nskip_mount_home = true\n");
  c = load_ok (f);
  assert_strv (c->storage_options,
               (const char *const[]) { "overlay.mountopt=b", "overlay.size=1G",
                                       "overlay.skip_mount_home=true", NULL });
}

static void
user_storage_conf_replaces_system_files_when_rootless (void **state)
{
  struct fixture *f = *state;
  cleanup (husk_config_free) struct husk_config *c = NULL;
  cleanup_free char *user = put (f, "home/.config/containers/storage.conf",
                                 "[storage]\ndriver = 'vfs'\ngraphroot = '/home/x/storage'\n");

  put_ (f, "etc/containers/storage.conf",
        "[storage]\ndriver = 'overlay'\n[storage.options.overlay]\nmountopt = 'x'\n");
  f->paths.user_dir = f->user;
  c = load_ok (f);
  assert_string_equal (c->storage_driver, "vfs");
  assert_null (c->graphroot);
  assert_strv (c->storage_options, (const char *const[]) { NULL });
  assert_strv (c->files_read, (const char *const[]) { user, NULL });
}

static void
storage_conf_wrong_type_is_an_error (void **state)
{
  struct fixture *f = *state;
  cleanup_free char *path = put (f, "etc/containers/storage.conf",
                                 "[storage.options]\nmount_program = ['/bin/x']\n");
  cleanup_free char *msg = husk_asprintf ("storage.conf '%s': key 'storage.options.mount_program' "
                                          "must be a string", path);

  assert_load_error (f, msg);
}

/* registries.conf  */

static void
registries_conf_and_drop_ins (void **state)
{
  struct fixture *f = *state;
  cleanup (husk_config_free) struct husk_config *c = NULL;
  struct husk_config_registry *r;

  put_ (f, "etc/containers/registries.conf",
        "unqualified-search-registries = ['docker.io', 'quay.io']\n"
        "short-name-mode = 'enforcing'\n"
        "[[registry]]\nlocation = 'localhost:5000'\ninsecure = true\n"
        "[[registry]]\nprefix = 'example.com/foo'\nlocation = 'mirror.example.com/foo'\n"
        "[[registry]]\nprefix = '*.example.org'\nblocked = true\n");
  put_ (f, "etc/containers/registries.conf.d/10-more.conf",
        "unqualified-search-registries = ['registry.local']\n"
        "[[registry]]\nlocation = 'localhost:5000'\nblocked = true\n"
        "[[registry.mirror]]\nlocation = 'elsewhere'\n");
  c = load_ok (f);
  assert_strv (c->unqualified_search_registries, (const char *const[]) { "registry.local", NULL });
  assert_int_equal (c->n_registries, 3);
  r = &c->registries[0];
  assert_string_equal (r->prefix, "localhost:5000");
  assert_string_equal (r->location, "localhost:5000");
  assert_false (r->insecure); /* the drop-in's entry replaced the whole entry */
  assert_true (r->blocked);
  r = &c->registries[1];
  assert_string_equal (r->prefix, "example.com/foo");
  assert_string_equal (r->location, "mirror.example.com/foo");
  r = &c->registries[2];
  assert_string_equal (r->prefix, "*.example.org");
  assert_null (r->location); /* a wildcard keeps each name's own registry */
  assert_true (r->blocked);
}

static void
registries_conf_version_1_format (void **state)
{
  struct fixture *f = *state;
  cleanup (husk_config_free) struct husk_config *c = NULL;

  put_ (f, "etc/containers/registries.conf",
        "[registries.search]\nregistries = ['docker.io']\n"
        "[registries.insecure]\nregistries = ['localhost:5000']\n"
        "[registries.block]\nregistries = ['evil.example.com', 'localhost:5000']\n");
  c = load_ok (f);
  assert_strv (c->unqualified_search_registries, (const char *const[]) { "docker.io", NULL });
  assert_int_equal (c->n_registries, 2);
  assert_string_equal (c->registries[0].location, "localhost:5000");
  assert_true (c->registries[0].insecure);
  assert_true (c->registries[0].blocked);
  assert_true (c->registries[1].blocked);
  assert_false (c->registries[1].insecure);
}

static void
registries_conf_rejects_mixed_formats_and_empty_entries (void **state)
{
  struct fixture *f = *state;
  cleanup_free char *path = put (f, "etc/containers/registries.conf",
                                 "unqualified-search-registries = []\n"
                                 "[registries.search]\nregistries = []\n");
  cleanup_free char *mixed = husk_asprintf ("registries.conf '%s': mixes the v1 [registries] "
                                            "format with the v2 format", path);
  cleanup_free char *empty = husk_asprintf ("registries.conf '%s': [[registry]] needs a "
                                            "location or a prefix", path);

  assert_load_error (f, mixed);
  put_ (f, "etc/containers/registries.conf", "[[registry]]\ninsecure = true\n");
  assert_load_error (f, empty);
}

static void
user_registries_conf_replaces_system_file_when_rootless (void **state)
{
  struct fixture *f = *state;
  cleanup (husk_config_free) struct husk_config *c = NULL;
  cleanup_free char *user = put (f, "home/.config/containers/registries.conf",
                                 "unqualified-search-registries = ['user.example']\n");
  cleanup_free char *drop = put (f, "home/.config/containers/registries.conf.d/a.conf",
                                 "[[registry]]\nlocation = 'r.example'\n");

  put_ (f, "etc/containers/registries.conf", "[[registry]]\nlocation = 'sys.example'\n");
  put_ (f, "etc/containers/registries.conf.d/b.conf", "[[registry]]\nlocation = 'sys2.example'\n");
  f->paths.user_dir = f->user;
  c = load_ok (f);
  assert_strv (c->unqualified_search_registries, (const char *const[]) { "user.example", NULL });
  assert_int_equal (c->n_registries, 1);
  assert_string_equal (c->registries[0].location, "r.example");
  assert_string_equal (c->registries_conf_path, user);
  assert_strv (c->files_read, (const char *const[]) { user, drop, NULL });
}

static void
registries_conf_variable_reads_only_that_file (void **state)
{
  struct fixture *f = *state;
  cleanup (husk_config_free) struct husk_config *c = NULL;
  cleanup_free char *mine = put (f, "reg.conf", "unqualified-search-registries = ['mine']\n");

  put_ (f, "etc/containers/registries.conf.d/b.conf", "[[registry]]\nlocation = 'sys.example'\n");
  f->paths.registries_conf = mine;
  c = load_ok (f);
  assert_strv (c->unqualified_search_registries, (const char *const[]) { "mine", NULL });
  assert_int_equal (c->n_registries, 0);
  assert_strv (c->files_read, (const char *const[]) { mine, NULL });
}

/* husk_config_load() and the environment.  */

static void
load_uses_prefix_and_xdg_config_home (void **state)
{
  struct fixture *f = *state;
  cleanup (husk_config_free) struct husk_config *c = NULL;
  cleanup_free char *xdg = husk_asprintf ("%s/xdg", f->dir);
  cleanup_free char *etc = put (f, "etc/containers/containers.conf", "[containers]\ntz = 'UTC'\n");
  cleanup_free char *user = put (f, "xdg/containers/containers.conf",
                                 "[containers]\numask = '0077'\n");
  cleanup_free char *storage = put (f, "xdg/containers/storage.conf",
                                    "[storage]\ndriver = 'vfs'\n");
  husk_error_t err = NULL;

  setenv ("HUSK_CONFIG_PREFIX", f->dir, 1);
  setenv ("XDG_CONFIG_HOME", xdg, 1);
  unsetenv ("CONTAINERS_CONF");
  unsetenv ("CONTAINERS_STORAGE_CONF");
  unsetenv ("CONTAINERS_REGISTRIES_CONF");
  c = husk_config_load (true, &err);
  unsetenv ("HUSK_CONFIG_PREFIX");
  unsetenv ("XDG_CONFIG_HOME");
  if (c == NULL)
    fail_msg ("%s", err->msg);
  assert_string_equal (c->tz, "UTC");
  assert_string_equal (c->umask, "0077");
  assert_string_equal (c->storage_driver, "vfs");
  assert_strv (c->files_read, (const char *const[]) { etc, user, storage, NULL });
}

static void
load_honours_containers_variables (void **state)
{
  struct fixture *f = *state;
  cleanup (husk_config_free) struct husk_config *c = NULL;
  cleanup_free char *conf = put (f, "c.conf", "[engine]\nruntime = 'runc'\n");
  cleanup_free char *storage = put (f, "s.conf", "[storage]\ngraphroot = '/srv/g'\n");
  cleanup_free char *reg = put (f, "r.conf", "unqualified-search-registries = ['x.example']\n");
  husk_error_t err = NULL;

  put_ (f, "etc/containers/containers.conf", "[engine]\nruntime = 'kata'\n");
  setenv ("HUSK_CONFIG_PREFIX", f->dir, 1);
  setenv ("CONTAINERS_CONF", conf, 1);
  setenv ("CONTAINERS_STORAGE_CONF", storage, 1);
  setenv ("CONTAINERS_REGISTRIES_CONF", reg, 1);
  c = husk_config_load (false, &err);
  unsetenv ("HUSK_CONFIG_PREFIX");
  unsetenv ("CONTAINERS_CONF");
  unsetenv ("CONTAINERS_STORAGE_CONF");
  unsetenv ("CONTAINERS_REGISTRIES_CONF");
  if (c == NULL)
    fail_msg ("%s", err->msg);
  assert_string_equal (c->runtime, "runc");
  assert_string_equal (c->graphroot, "/srv/g");
  assert_strv (c->unqualified_search_registries, (const char *const[]) { "x.example", NULL });
  assert_strv (c->files_read, (const char *const[]) { conf, storage, reg, NULL });
}

#define T(name) cmocka_unit_test_setup_teardown (name, setup, teardown)

int
main (void)
{
  const struct CMUnitTest tests[] = {
    T (defaults_apply_without_files),
    T (defaults_have_podman_environment),
    T (later_containers_conf_files_override_earlier_keys),
    T (user_containers_conf_is_read_only_when_rootless),
    T (containers_conf_variable_reads_only_that_file),
    T (containers_conf_variable_naming_a_missing_file_fails),
    T (arrays_replace_earlier_arrays_whole),
    T (runtimes_merge_by_name),
    T (unknown_keys_and_tables_are_ignored),
    T (wrong_type_of_known_key_is_an_error),
    T (wrong_type_messages_name_the_expected_type),
    T (subnet_pools_are_an_array_of_inline_tables),
    T (subnet_pool_without_size_is_an_error),
    T (invalid_toml_names_file_and_line),
    T (unreadable_file_is_an_error),
    T (system_storage_conf_cannot_move_husk_store),
    T (storage_conf_variable_may_set_graphroot),
    T (storage_options_override_by_name),
    T (user_storage_conf_replaces_system_files_when_rootless),
    T (storage_conf_wrong_type_is_an_error),
    T (registries_conf_and_drop_ins),
    T (registries_conf_version_1_format),
    T (registries_conf_rejects_mixed_formats_and_empty_entries),
    T (user_registries_conf_replaces_system_file_when_rootless),
    T (registries_conf_variable_reads_only_that_file),
    T (load_uses_prefix_and_xdg_config_home),
    T (load_honours_containers_variables),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
