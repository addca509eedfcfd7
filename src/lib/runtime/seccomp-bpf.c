/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Seccomp profiles compiled ahead of the runtime.
 *
 * Theory of operation
 *
 * crun turns "linux.seccomp" into a BPF program with libseccomp at every
 * create; for a profile of some 400 syscalls over three ABIs that is about
 * 15 ms, the largest single cost of starting a short container here.  crun
 * takes an already compiled program from the annotation
 * run.oci.seccomp_bpf_data (base64; documented in crun(1)), and then ignores
 * the profile for compiling while still honouring its "flags".  So husk
 * compiles each distinct profile once, keeps the program in
 * <cache>/<sha256>.bpf, and hands it over in the annotation.
 *
 * The compilation follows the OCI runtime spec's semantics, which crun and
 * runc share: seccomp_init(defaultAction with defaultErrnoRet, EPERM when
 * unset); every listed architecture added; for each rule whose action
 * differs from the default, each syscall name the library knows (unknown
 * names are skipped) gets one rule with all its argument conditions
 * ANDed; when an argument index appears twice, each condition becomes a
 * rule of its own (ORed), since libseccomp cannot AND two conditions on
 * one argument.
 *
 * Anything this file does not handle exactly as the runtime would (a
 * listener for SCMP_ACT_NOTIFY, an unknown action or operator, a library
 * error) makes husk leave the profile to the runtime: precompiling is an
 * optimisation and never changes which filter a container gets.
 */
#include "runtime/seccomp.h"
#include "util/cleanup.h"
#include "util/digest.h"
#include "util/fileutil.h"
#include "util/log.h"
#include "util/strutil.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <nettle/base64.h>
#include <seccomp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define BPF_ANNOTATION "run.oci.seccomp_bpf_data"

DEFINE_CLEANUP (scmp_filter_ctx, seccomp_release)

static int
action_of (json_t *name, json_t *errno_ret, uint32_t *out)
{
  static const struct
  {
    const char *name;
    uint32_t action;
    bool takes_errno;
  } actions[] = {
    { "SCMP_ACT_KILL", SCMP_ACT_KILL_THREAD, false },
    { "SCMP_ACT_KILL_THREAD", SCMP_ACT_KILL_THREAD, false },
    { "SCMP_ACT_KILL_PROCESS", SCMP_ACT_KILL_PROCESS, false },
    { "SCMP_ACT_TRAP", SCMP_ACT_TRAP, false },
    { "SCMP_ACT_ALLOW", SCMP_ACT_ALLOW, false },
    { "SCMP_ACT_LOG", SCMP_ACT_LOG, false },
    { "SCMP_ACT_ERRNO", 0, true },
    { "SCMP_ACT_TRACE", 0, true },
  };
  const char *s = json_string_value (name);
  int value = json_is_integer (errno_ret) ? (int) json_integer_value (errno_ret) : EPERM;

  if (s == NULL)
    return -1;
  for (size_t i = 0; i < sizeof actions / sizeof actions[0]; i++)
    {
      if (strcmp (s, actions[i].name) != 0)
        continue;
      if (!actions[i].takes_errno)
        {
          if (errno_ret)
            return -1; /* the runtime refuses this; let it say so */
          *out = actions[i].action;
        }
      else
        *out = strcmp (s, "SCMP_ACT_ERRNO") == 0 ? SCMP_ACT_ERRNO (value)
                                                 : SCMP_ACT_TRACE (value);
      return 0;
    }
  return -1; /* SCMP_ACT_NOTIFY needs the runtime's listener */
}

static int
operator_of (const char *s, enum scmp_compare *out)
{
  static const struct
  {
    const char *name;
    enum scmp_compare op;
  } ops[] = {
    { "SCMP_CMP_NE", SCMP_CMP_NE }, { "SCMP_CMP_LT", SCMP_CMP_LT },
    { "SCMP_CMP_LE", SCMP_CMP_LE }, { "SCMP_CMP_EQ", SCMP_CMP_EQ },
    { "SCMP_CMP_GE", SCMP_CMP_GE }, { "SCMP_CMP_GT", SCMP_CMP_GT },
    { "SCMP_CMP_MASKED_EQ", SCMP_CMP_MASKED_EQ },
  };

  for (size_t i = 0; s && i < sizeof ops / sizeof ops[0]; i++)
    if (strcmp (s, ops[i].name) == 0)
      {
        *out = ops[i].op;
        return 0;
      }
  return -1;
}

static int
add_arches (scmp_filter_ctx ctx, json_t *arches)
{
  size_t i;
  json_t *a;

  json_array_foreach (arches, i, a)
    {
      const char *s = json_string_value (a);
      char lower[32];
      size_t n = 0;
      uint32_t token;
      int rc;

      if (s == NULL)
        return -1;
      if (strncmp (s, "SCMP_ARCH_", 10) == 0)
        s += 10;
      for (; s[n] && n < sizeof lower - 1; n++)
        lower[n] = (char) tolower ((unsigned char) s[n]);
      lower[n] = '\0';
      token = seccomp_arch_resolve_name (lower);
      if (token == 0)
        return -1;
      rc = seccomp_arch_add (ctx, token);
      if (rc < 0 && rc != -EEXIST)
        return -1;
    }
  return 0;
}

/* The argument conditions of one rule; *or_each when an index repeats.  */
static int
conditions (json_t *args, struct scmp_arg_cmp cmp[6], unsigned *n, bool *or_each)
{
  unsigned seen = 0;
  size_t i;
  json_t *a;

  *n = 0;
  *or_each = false;
  if (json_array_size (args) > 6)
    return -1;
  json_array_foreach (args, i, a)
    {
      json_int_t index = json_integer_value (json_object_get (a, "index"));
      enum scmp_compare op;
      if (index < 0 || index > 5
          || operator_of (json_string_value (json_object_get (a, "op")), &op) < 0)
        return -1;
      if (seen & (1u << index))
        *or_each = true;
      seen |= 1u << index;
      cmp[*n] = (struct scmp_arg_cmp) {
        .arg = (unsigned) index,
        .op = op,
        .datum_a = (scmp_datum_t) json_integer_value (json_object_get (a, "value")),
        .datum_b = (scmp_datum_t) json_integer_value (json_object_get (a, "valueTwo")),
      };
      (*n)++;
    }
  return 0;
}

static int
add_rule (scmp_filter_ctx ctx, json_t *rule, uint32_t def)
{
  struct scmp_arg_cmp cmp[6];
  unsigned n;
  bool or_each;
  uint32_t action;
  size_t i;
  json_t *name;

  if (action_of (json_object_get (rule, "action"), json_object_get (rule, "errnoRet"), &action) < 0
      || conditions (json_object_get (rule, "args"), cmp, &n, &or_each) < 0)
    return -1;
  if (action == def)
    return 0;
  json_array_foreach (json_object_get (rule, "names"), i, name)
    {
      int nr = seccomp_syscall_resolve_name (json_string_value (name));
      if (nr == __NR_SCMP_ERROR)
        continue; /* as the runtimes do: a name this ABI set lacks */
      if (n == 0 || !or_each)
        {
          if (seccomp_rule_add_array (ctx, action, nr, n, cmp) < 0)
            return -1;
          continue;
        }
      for (unsigned k = 0; k < n; k++)
        if (seccomp_rule_add_array (ctx, action, nr, 1, &cmp[k]) < 0)
          return -1;
    }
  return 0;
}

/* The program's bytes, through a memfd (libseccomp writes to an fd).  */
static char *
export_program (scmp_filter_ctx ctx, size_t *len)
{
  cleanup_close int fd = memfd_create ("husk-seccomp", MFD_CLOEXEC);
  struct stat st;
  char *buf;

  if (fd < 0 || seccomp_export_bpf (ctx, fd) < 0 || fstat (fd, &st) < 0
      || st.st_size <= 0 || st.st_size > (1 << 20))
    return NULL;
  buf = husk_xmalloc ((size_t) st.st_size);
  if (pread (fd, buf, (size_t) st.st_size, 0) != st.st_size)
    {
      free (buf);
      return NULL;
    }
  *len = (size_t) st.st_size;
  return buf;
}

char *
husk_seccomp_compile (json_t *seccomp, size_t *len)
{
  cleanup (seccomp_release) scmp_filter_ctx ctx = NULL;
  uint32_t def;
  size_t i;
  json_t *rule;

  if (json_object_get (seccomp, "listenerPath")
      || action_of (json_object_get (seccomp, "defaultAction"),
                    json_object_get (seccomp, "defaultErrnoRet"), &def) < 0)
    return NULL;
  ctx = seccomp_init (def);
  if (ctx == NULL || add_arches (ctx, json_object_get (seccomp, "architectures")) < 0)
    return NULL;
  json_array_foreach (json_object_get (seccomp, "syscalls"), i, rule)
    if (add_rule (ctx, rule, def) < 0)
      return NULL;
  return export_program (ctx, len);
}

/* Feed a JSON value to h, unambiguously: a type letter, then
   length-prefixed text.  Object members go in their order, which is the
   generator's (or the profile file's): the same profile hashes the same,
   and a reordered one merely misses the cache.  Walking the tree is what
   makes a cache hit cheap; dumping the profile to text first cost 2 ms.  */
static void
hash_json (struct husk_sha256 *h, json_t *j)
{
  char num[32];
  const char *k;
  size_t i, n;
  json_t *v;

  switch (json_typeof (j))
    {
    case JSON_OBJECT:
      husk_sha256_update (h, "{", 1);
      json_object_foreach (j, k, v)
        {
          n = strlen (k);
          husk_sha256_update (h, &n, sizeof n);
          husk_sha256_update (h, k, n);
          hash_json (h, v);
        }
      husk_sha256_update (h, "}", 1);
      break;
    case JSON_ARRAY:
      husk_sha256_update (h, "[", 1);
      json_array_foreach (j, i, v)
        hash_json (h, v);
      husk_sha256_update (h, "]", 1);
      break;
    case JSON_STRING:
      n = json_string_length (j);
      husk_sha256_update (h, "s", 1);
      husk_sha256_update (h, &n, sizeof n);
      husk_sha256_update (h, json_string_value (j), n);
      break;
    case JSON_INTEGER:
      n = (size_t) snprintf (num, sizeof num, "i%" JSON_INTEGER_FORMAT ";",
                             json_integer_value (j));
      husk_sha256_update (h, num, n);
      break;
    case JSON_REAL:
      n = (size_t) snprintf (num, sizeof num, "r%.17g;", json_real_value (j));
      husk_sha256_update (h, num, n);
      break;
    default:
      husk_sha256_update (h, json_is_true (j) ? "t" : json_is_false (j) ? "f" : "n", 1);
      break;
    }
}

/* The cache file of a profile: the profile and the library version decide
   the program.  */
static char *
cache_path (json_t *seccomp, const char *cache_dir)
{
  const struct scmp_version *v = seccomp_version ();
  cleanup_free char *salt = husk_asprintf ("libseccomp %u.%u.%u\n", v->major, v->minor,
                                           v->micro);
  struct husk_sha256 *h = husk_sha256_new ();
  char hex[HUSK_SHA256_HEX_LEN + 1];

  husk_sha256_update (h, salt, strlen (salt));
  hash_json (h, seccomp);
  husk_sha256_final (h, hex);
  return husk_asprintf ("%s/%s.bpf", cache_dir, hex);
}

static char *
program_for (json_t *seccomp, const char *cache_dir, size_t *len)
{
  cleanup_free char *path = cache_path (seccomp, cache_dir);
  husk_error_t err = NULL;
  char *prog;

  if (path == NULL)
    return NULL;
  prog = husk_read_file (path, len, NULL);
  if (prog && *len > 0 && *len % 8 == 0)
    return prog; /* whole sock_filter instructions: written by us */
  free (prog);
  prog = husk_seccomp_compile (seccomp, len);
  if (prog == NULL)
    return NULL;
  /* The cache only saves time: a failure costs the next run a compile.  */
  if (husk_mkdir_p (cache_dir, 0700, &err) < 0
      || husk_write_file_replace (path, prog, *len, 0600, &err) < 0)
    husk_error_drop (&err, "cache the seccomp filter");
  return prog;
}

void
husk_seccomp_precompile (json_t *spec, const char *cache_dir)
{
  json_t *seccomp = json_object_get (json_object_get (spec, "linux"), "seccomp");
  json_t *ann = json_object_get (spec, "annotations");
  cleanup_free char *prog = NULL, *b64 = NULL;
  size_t len = 0;

  if (seccomp == NULL || (ann && json_object_get (ann, BPF_ANNOTATION)))
    return;
  prog = program_for (seccomp, cache_dir, &len);
  if (prog == NULL)
    {
      husk_log_debug ("seccomp profile left to the runtime to compile");
      return;
    }
  b64 = husk_xzalloc (BASE64_ENCODE_RAW_LENGTH (len) + 1);
  base64_encode_raw (b64, len, (const uint8_t *) prog);
  if (ann == NULL)
    {
      ann = json_object ();
      json_object_set_new (spec, "annotations", ann);
    }
  json_object_set_new (ann, BPF_ANNOTATION, json_string (b64));
}
