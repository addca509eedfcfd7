/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Seccomp profiles for the OCI runtime spec.
 *
 * Theory of operation
 *
 * The default profile is an allowlist.  A syscall that is not listed fails
 * with EPERM (defaultAction SCMP_ACT_ERRNO, defaultErrnoRet 1), as in
 * Docker's profile.  The list below was written for x86_64 and names the
 * 32-bit (i386) and x32 variants too, because the profile covers those
 * ABIs: a 64-bit host runs 32-bit binaries, and a filter that only knew the
 * 64-bit numbers would leave the 32-bit entry points open.  Names that an
 * ABI (or the runtime's libseccomp) does not know are skipped by crun and
 * runc, so one list serves all three.
 *
 * Because unknown syscalls get EPERM rather than ENOSYS, every syscall that
 * a current C library may try first and fall back from (faccessat2,
 * fchmodat2, clone3, openat2, close_range, epoll_pwait2, ...) must either
 * be allowed or answer ENOSYS explicitly: glibc falls back only on ENOSYS.
 * clone3 gets ENOSYS (its flags live in memory that seccomp cannot read,
 * so it cannot be filtered like clone), and so does io_uring, whose
 * interface has been a steady source of kernel bugs and which every user
 * must be able to do without.
 *
 * What is not allowed, and why:
 *  - changing the host: kexec_load, kexec_file_load, init_module,
 *    finit_module, delete_module, reboot, swapon, swapoff, acct,
 *    settimeofday, clock_settime, stime, iopl, ioperm, vhangup, quotactl
 *    (time, modules and quotas are not namespaced; adjtimex and
 *    clock_adjtime stay allowed because reading the clock's state goes
 *    through them, and the kernel wants CAP_SYS_TIME to change it);
 *  - new namespaces and mounts: unshare, setns, clone with CLONE_NEW* flags,
 *    mount, umount2, pivot_root and the new mount API (fsopen, fsmount,
 *    fspick, move_mount, open_tree, mount_setattr) — the attack surface of
 *    namespaces is large, and a container process has no use for them
 *    without CAP_SYS_ADMIN;
 *  - the kernel keyring (add_key, request_key, keyctl): not namespaced;
 *  - bpf, perf_event_open, userfaultfd, lookup_dcookie, fanotify_init,
 *    syslog: kernel introspection and exploitation aids;
 *  - open_by_handle_at and name_to_handle_at: file handles bypass the
 *    mount namespace (the "shocker" escape);
 *  - kcmp, pidfd_getfd, process_madvise: reach into other processes beyond
 *    what ptrace allows without CAP_SYS_PTRACE;
 *  - obsolete or unimplemented calls: uselib, ustat, sysfs, _sysctl,
 *    create_module, get_kernel_syms, query_module, nfsservctl, vm86,
 *    vm86old, bdflush;
 *  - personality() except the harmless personas (Linux, Linux32, UNAME26
 *    and the query value 0xffffffff): others can disable ASLR.
 *
 * ptrace and process_vm_readv/writev are allowed: since Linux 4.8 a ptrace
 * cannot be used to bypass seccomp, and the kernel applies the usual ptrace
 * access checks (same user, no CAP_SYS_PTRACE over others) to all three.
 *
 * Capabilities re-enable what they exist for: with CAP_SYS_ADMIN in the
 * bounding set, mount, unshare, setns, clone with namespace flags and
 * clone3 are allowed; CAP_SYS_TIME allows setting the clock, CAP_SYS_MODULE
 * loading modules, and so on (see gated[] below).  The kernel still checks
 * the capability itself; the profile only stops refusing the call.
 */
#include "runtime/seccomp.h"
#include "util/arch.h"
#include "util/cleanup.h"
#include "util/fileutil.h"
#include "util/strutil.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#define ERRNO_EPERM 1
#define ERRNO_ENOSYS 38

/* Allowed whatever the capabilities.  Sorted for the reader only.  */
static const char *const allowed[] = {
  "_llseek", "_newselect", "accept", "accept4", "access", "adjtimex", "alarm",
  "arch_prctl", "bind", "brk", "cachestat", "capget", "capset", "chdir",
  "chmod", "chown", "chown32", "clock_adjtime", "clock_adjtime64",
  "clock_getres", "clock_getres_time64", "clock_gettime", "clock_gettime64",
  "clock_nanosleep", "clock_nanosleep_time64", "close", "close_range", "connect",
  "copy_file_range", "creat", "dup", "dup2", "dup3", "epoll_create",
  "epoll_create1", "epoll_ctl", "epoll_pwait", "epoll_pwait2", "epoll_wait",
  "eventfd", "eventfd2", "execve", "execveat", "exit", "exit_group",
  "faccessat", "faccessat2", "fadvise64", "fadvise64_64", "fallocate",
  "fanotify_mark", "fchdir", "fchmod", "fchmodat", "fchmodat2", "fchown",
  "fchown32", "fchownat", "fcntl", "fcntl64", "fdatasync", "fgetxattr",
  "file_getattr", "file_setattr", "flistxattr", "flock", "fork",
  "fremovexattr", "fsetxattr", "fstat", "fstat64", "fstatat64", "fstatfs",
  "fstatfs64", "fsync", "ftruncate", "ftruncate64", "futex", "futex_requeue",
  "futex_time64", "futex_wait", "futex_waitv", "futex_wake", "futimesat",
  "get_mempolicy", "get_robust_list", "get_thread_area", "getcpu", "getcwd",
  "getdents", "getdents64", "getegid", "getegid32", "geteuid", "geteuid32",
  "getgid", "getgid32", "getgroups", "getgroups32", "getitimer",
  "getpeername", "getpgid", "getpgrp", "getpid", "getppid", "getpriority",
  "getrandom", "getresgid", "getresgid32", "getresuid", "getresuid32",
  "getrlimit", "getrusage", "getsid", "getsockname", "getsockopt", "gettid",
  "gettimeofday", "getuid", "getuid32", "getxattr", "getxattrat",
  "inotify_add_watch", "inotify_init", "inotify_init1", "inotify_rm_watch",
  "io_cancel", "io_destroy", "io_getevents", "io_pgetevents",
  "io_pgetevents_time64", "io_setup", "io_submit", "ioctl", "ioprio_get",
  "ioprio_set", "ipc", "kill", "landlock_add_rule", "landlock_create_ruleset",
  "landlock_restrict_self", "lchown", "lchown32", "lgetxattr", "link",
  "linkat", "listen", "listmount", "listxattr", "listxattrat", "llistxattr",
  "lremovexattr", "lseek", "lsetxattr", "lstat", "lstat64", "madvise",
  "map_shadow_stack", "mbind", "membarrier", "memfd_create", "memfd_secret",
  "mincore", "mkdir", "mkdirat", "mknod", "mknodat", "mlock", "mlock2",
  "mlockall", "mmap", "mmap2", "modify_ldt", "mprotect", "mq_getsetattr",
  "mq_notify", "mq_open", "mq_timedreceive", "mq_timedreceive_time64",
  "mq_timedsend", "mq_timedsend_time64", "mq_unlink", "mremap", "mseal",
  "msgctl", "msgget", "msgrcv", "msgsnd", "msync", "munlock", "munlockall",
  "munmap", "nanosleep", "newfstatat", "nice", "open", "openat", "openat2",
  "pause", "pidfd_open", "pidfd_send_signal", "pipe", "pipe2", "pkey_alloc",
  "pkey_free", "pkey_mprotect", "poll", "ppoll", "ppoll_time64", "prctl",
  "pread64", "preadv", "preadv2", "prlimit64", "process_mrelease",
  "process_vm_readv", "process_vm_writev", "pselect6", "pselect6_time64",
  "ptrace", "pwrite64", "pwritev", "pwritev2", "read", "readahead",
  "readlink", "readlinkat", "readv", "recv", "recvfrom", "recvmmsg",
  "recvmmsg_time64", "recvmsg", "remap_file_pages", "removexattr",
  "removexattrat", "rename", "renameat", "renameat2", "restart_syscall",
  "rmdir", "rseq", "rt_sigaction", "rt_sigpending", "rt_sigprocmask",
  "rt_sigqueueinfo", "rt_sigreturn", "rt_sigsuspend", "rt_sigtimedwait",
  "rt_sigtimedwait_time64", "rt_tgsigqueueinfo", "sched_get_priority_max",
  "sched_get_priority_min", "sched_getaffinity", "sched_getattr",
  "sched_getparam", "sched_getscheduler", "sched_rr_get_interval",
  "sched_rr_get_interval_time64", "sched_setaffinity", "sched_setattr",
  "sched_setparam", "sched_setscheduler", "sched_yield", "seccomp", "select",
  "semctl", "semget", "semop", "semtimedop", "semtimedop_time64", "send",
  "sendfile", "sendfile64", "sendmmsg", "sendmsg", "sendto", "set_mempolicy",
  "set_mempolicy_home_node", "set_robust_list", "set_thread_area",
  "set_tid_address", "setfsgid", "setfsgid32", "setfsuid", "setfsuid32",
  "setgid", "setgid32", "setgroups", "setgroups32", "setitimer", "setpgid",
  "setpriority", "setregid", "setregid32", "setresgid", "setresgid32",
  "setresuid", "setresuid32", "setreuid", "setreuid32", "setrlimit", "setsid",
  "setsockopt", "setuid", "setuid32", "setxattr", "setxattrat", "shmat",
  "shmctl", "shmdt", "shmget", "shutdown", "sigaction", "sigaltstack",
  "signal", "signalfd", "signalfd4", "sigpending", "sigprocmask", "sigreturn",
  "sigsuspend", "socket", "socketcall", "socketpair", "splice", "stat",
  "stat64", "statfs", "statfs64", "statmount", "statx", "symlink",
  "symlinkat", "sync", "sync_file_range", "syncfs", "sysinfo", "tee",
  "tgkill", "time", "timer_create", "timer_delete", "timer_getoverrun",
  "timer_gettime", "timer_gettime64", "timer_settime", "timer_settime64",
  "timerfd_create", "timerfd_gettime", "timerfd_gettime64", "timerfd_settime",
  "timerfd_settime64", "times", "tkill", "truncate", "truncate64",
  "ugetrlimit", "umask", "uname", "unlink", "unlinkat", "uretprobe", "utime",
  "utimensat", "utimensat_time64", "utimes", "vfork", "vmsplice", "wait4",
  "waitid", "waitpid", "write", "writev",
};

/* Allowed when the bounding set holds the capability.  */
static const struct
{
  const char *name;
  const char *cap;
} gated[] = {
  { "bpf", "CAP_SYS_ADMIN" },
  { "bpf", "CAP_BPF" },
  { "fanotify_init", "CAP_SYS_ADMIN" },
  { "fsconfig", "CAP_SYS_ADMIN" },
  { "fsmount", "CAP_SYS_ADMIN" },
  { "fsopen", "CAP_SYS_ADMIN" },
  { "fspick", "CAP_SYS_ADMIN" },
  { "lookup_dcookie", "CAP_SYS_ADMIN" },
  { "mount", "CAP_SYS_ADMIN" },
  { "mount_setattr", "CAP_SYS_ADMIN" },
  { "move_mount", "CAP_SYS_ADMIN" },
  { "name_to_handle_at", "CAP_SYS_ADMIN" },
  { "open_tree", "CAP_SYS_ADMIN" },
  { "perf_event_open", "CAP_SYS_ADMIN" },
  { "perf_event_open", "CAP_PERFMON" },
  { "pivot_root", "CAP_SYS_ADMIN" },
  { "quotactl", "CAP_SYS_ADMIN" },
  { "quotactl_fd", "CAP_SYS_ADMIN" },
  { "setdomainname", "CAP_SYS_ADMIN" },
  { "sethostname", "CAP_SYS_ADMIN" },
  { "setns", "CAP_SYS_ADMIN" },
  { "syslog", "CAP_SYS_ADMIN" },
  { "syslog", "CAP_SYSLOG" },
  { "umount", "CAP_SYS_ADMIN" },
  { "umount2", "CAP_SYS_ADMIN" },
  { "unshare", "CAP_SYS_ADMIN" },
  { "open_by_handle_at", "CAP_DAC_READ_SEARCH" },
  { "reboot", "CAP_SYS_BOOT" },
  { "chroot", "CAP_SYS_CHROOT" },
  { "delete_module", "CAP_SYS_MODULE" },
  { "finit_module", "CAP_SYS_MODULE" },
  { "init_module", "CAP_SYS_MODULE" },
  { "acct", "CAP_SYS_PACCT" },
  { "kcmp", "CAP_SYS_PTRACE" },
  { "pidfd_getfd", "CAP_SYS_PTRACE" },
  { "process_madvise", "CAP_SYS_PTRACE" },
  { "userfaultfd", "CAP_SYS_PTRACE" },
  { "ioperm", "CAP_SYS_RAWIO" },
  { "iopl", "CAP_SYS_RAWIO" },
  { "clock_settime", "CAP_SYS_TIME" },
  { "clock_settime64", "CAP_SYS_TIME" },
  { "settimeofday", "CAP_SYS_TIME" },
  { "stime", "CAP_SYS_TIME" },
  { "vhangup", "CAP_SYS_TTY_CONFIG" },
  { "migrate_pages", "CAP_SYS_NICE" },
  { "move_pages", "CAP_SYS_NICE" },
};

/* Answered with ENOSYS so that callers fall back to an older interface.  */
static const char *const unimplemented[] = {
  "io_uring_enter", "io_uring_register", "io_uring_setup",
};

/* personality() values allowed: PER_LINUX, PER_LINUX32, UNAME26,
   PER_LINUX32|UNAME26 and 0xffffffff (query the current persona).  */
static const json_int_t personas[] = { 0x0, 0x8, 0x20000, 0x20008, 0xffffffff };

/* The CLONE_NEW* flags: CLONE_NEWNS | CLONE_NEWCGROUP | CLONE_NEWUTS |
   CLONE_NEWIPC | CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNET.  clone() is
   allowed when none of them is set: (flags & mask) == 0.  */
#define CLONE_NS_FLAGS 0x7E020000LL

static json_t *
rule (json_t *names, const char *action, int errno_ret)
{
  json_t *r = json_pack ("{s:o, s:s}", "names", names, "action", action);

  if (errno_ret > 0)
    json_object_set_new (r, "errnoRet", json_integer (errno_ret));
  return r;
}

static json_t *
arg_rule (const char *name, json_int_t index, json_int_t value,
          json_int_t value_two, const char *op)
{
  json_t *arg = json_pack ("{s:I, s:I, s:s}", "index", index, "value", value,
                           "op", op);

  if (value_two >= 0)
    json_object_set_new (arg, "valueTwo", json_integer (value_two));
  return json_pack ("{s:[s], s:s, s:[o]}", "names", name, "action",
                    "SCMP_ACT_ALLOW", "args", arg);
}

static bool
has_cap (char *const *caps, const char *cap)
{
  return caps != NULL && husk_strv_contains (caps, cap);
}

static void
add_name_once (json_t *names, const char *name)
{
  size_t i;
  json_t *v;

  json_array_foreach (names, i, v)
    if (strcmp (json_string_value (v), name) == 0)
      return;
  json_array_append_new (names, json_string (name));
}

json_t *
husk_seccomp_profile_for_caps (char *const *caps)
{
  json_t *allow = json_array ();
  json_t *enosys = json_array ();
  json_t *syscalls = json_array ();
  bool sys_admin = has_cap (caps, "CAP_SYS_ADMIN");

  for (size_t i = 0; i < sizeof allowed / sizeof allowed[0]; i++)
    json_array_append_new (allow, json_string (allowed[i]));
  for (size_t i = 0; i < sizeof gated / sizeof gated[0]; i++)
    if (has_cap (caps, gated[i].cap))
      add_name_once (allow, gated[i].name);
  if (sys_admin)
    {
      json_array_append_new (allow, json_string ("clone"));
      json_array_append_new (allow, json_string ("clone3"));
    }
  else
    json_array_append_new (enosys, json_string ("clone3"));
  for (size_t i = 0; i < sizeof unimplemented / sizeof unimplemented[0]; i++)
    json_array_append_new (enosys, json_string (unimplemented[i]));

  json_array_append_new (syscalls, rule (allow, "SCMP_ACT_ALLOW", 0));
  for (size_t i = 0; i < sizeof personas / sizeof personas[0]; i++)
    json_array_append_new (syscalls, arg_rule ("personality", 0, personas[i], -1,
                                               "SCMP_CMP_EQ"));
  if (!sys_admin)
    json_array_append_new (syscalls, arg_rule ("clone", 0, CLONE_NS_FLAGS, 0,
                                               "SCMP_CMP_MASKED_EQ"));
  json_array_append_new (syscalls, rule (enosys, "SCMP_ACT_ERRNO", ERRNO_ENOSYS));

  return json_pack ("{s:s, s:i, s:[s,s,s], s:o}",
                    "defaultAction", "SCMP_ACT_ERRNO",
                    "defaultErrnoRet", ERRNO_EPERM,
                    "architectures", "SCMP_ARCH_X86_64", "SCMP_ARCH_X86",
                    "SCMP_ARCH_X32",
                    "syscalls", syscalls);
}

json_t *
husk_seccomp_default_profile (void)
{
  static char *const default_caps[] = {
    "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FOWNER", "CAP_FSETID", "CAP_KILL",
    "CAP_NET_BIND_SERVICE", "CAP_SETFCAP", "CAP_SETGID", "CAP_SETPCAP",
    "CAP_SETUID", "CAP_SYS_CHROOT", NULL,
  };

  return husk_seccomp_profile_for_caps (default_caps);
}

/* Docker's profile format.  */

static const char *
scmp_arch (void)
{
#if defined(__x86_64__)
  return "SCMP_ARCH_X86_64";
#elif defined(__aarch64__)
  return "SCMP_ARCH_AARCH64";
#elif defined(__i386__)
  return "SCMP_ARCH_X86";
#else
  return "";
#endif
}

/* Compare "4.8"-style versions against the running kernel.
   Return: true when the kernel is at least min.  */
static bool
kernel_at_least (const char *min)
{
  struct utsname u;
  unsigned kmaj = 0, kmin = 0, maj = 0, mn = 0;

  if (uname (&u) < 0 || sscanf (u.release, "%u.%u", &kmaj, &kmin) < 1)
    return true;
  if (sscanf (min, "%u.%u", &maj, &mn) < 1)
    return true;
  return kmaj > maj || (kmaj == maj && kmin >= mn);
}

static bool
strings_contain (json_t *arr, const char *s)
{
  size_t i;
  json_t *v;

  if (!json_is_array (arr))
    return false;
  json_array_foreach (arr, i, v)
    if (json_is_string (v) && strcmp (json_string_value (v), s) == 0)
      return true;
  return false;
}

/* Docker's includes: every listed cap present, this arch listed, kernel
   new enough.  Excludes: none of the caps, not this arch.  */
static bool
rule_applies (json_t *r, char *const *caps)
{
  json_t *inc = json_object_get (r, "includes");
  json_t *exc = json_object_get (r, "excludes");
  json_t *v;
  size_t i;

  if (json_is_object (inc))
    {
      json_t *c = json_object_get (inc, "caps");
      json_t *a = json_object_get (inc, "arches");
      json_t *k = json_object_get (inc, "minKernel");

      if (json_is_array (c))
        json_array_foreach (c, i, v)
          if (!json_is_string (v) || !has_cap (caps, json_string_value (v)))
            return false;
      if (json_is_array (a) && json_array_size (a) > 0
          && !strings_contain (a, husk_go_arch ()))
        return false;
      if (json_is_string (k) && !kernel_at_least (json_string_value (k)))
        return false;
    }
  if (json_is_object (exc))
    {
      json_t *c = json_object_get (exc, "caps");
      json_t *a = json_object_get (exc, "arches");

      if (json_is_array (c))
        json_array_foreach (c, i, v)
          if (json_is_string (v) && has_cap (caps, json_string_value (v)))
            return false;
      if (strings_contain (a, husk_go_arch ()))
        return false;
    }
  return true;
}

static int
check_strings (json_t *arr, const char *what, husk_error_t *err)
{
  size_t i;
  json_t *v;

  if (!json_is_array (arr))
    return husk_error_makex (err, EINVAL, "\"%s\" must be an array of strings", what);
  json_array_foreach (arr, i, v)
    if (!json_is_string (v))
      return husk_error_makex (err, EINVAL, "\"%s\" must be an array of strings", what);
  return 0;
}

/* One syscalls[] entry in OCI shape into *out; *out stays NULL when the
   entry does not apply to this container.  Return: 0, or -1.  */
static int
convert_rule (json_t *r, size_t idx, char *const *caps, json_t **out,
              husk_error_t *err)
{
  cleanup_json json_t *o = NULL;
  json_t *names, *name, *action, *v;

  *out = NULL;
  if (!json_is_object (r))
    return husk_error_makex (err, EINVAL, "syscalls[%zu]: not an object", idx);
  names = json_object_get (r, "names");
  name = json_object_get (r, "name");
  action = json_object_get (r, "action");
  if (!json_is_string (action) || !husk_has_prefix (json_string_value (action), "SCMP_ACT_"))
    return husk_error_makex (err, EINVAL, "syscalls[%zu]: missing or invalid \"action\"",
                             idx);
  if (names == NULL && !json_is_string (name))
    return husk_error_makex (err, EINVAL, "syscalls[%zu]: missing \"names\"", idx);
  if (names != NULL && check_strings (names, "names", err) < 0)
    return husk_error_wrap (err, "syscalls[%zu]", idx);
  v = json_object_get (r, "errnoRet");
  if (v != NULL && !json_is_null (v) && !json_is_integer (v))
    return husk_error_makex (err, EINVAL, "syscalls[%zu]: \"errnoRet\" must be a number",
                             idx);
  if (!rule_applies (r, caps))
    return 0;

  o = json_object ();
  if (names != NULL)
    json_object_set (o, "names", names);
  else
    json_object_set_new (o, "names", json_pack ("[O]", name));
  json_object_set (o, "action", action);
  if (json_is_integer (v))
    json_object_set (o, "errnoRet", v);
  if ((v = json_object_get (r, "args")) != NULL && !json_is_null (v))
    {
      if (!json_is_array (v))
        return husk_error_makex (err, EINVAL, "syscalls[%zu]: \"args\" must be an array",
                                 idx);
      json_object_set (o, "args", v);
    }
  *out = steal_ptr (&o);
  return 0;
}

/* Architectures: "architectures" as given, or from Docker's "archMap" the
   entry of this machine and its sub-architectures.  */
static json_t *
convert_arches (json_t *profile, husk_error_t *err)
{
  json_t *arches = json_object_get (profile, "architectures");
  json_t *map = json_object_get (profile, "archMap");
  json_t *out = json_array ();
  size_t i, j;
  json_t *m, *s;

  if (arches != NULL && !json_is_null (arches))
    {
      if (check_strings (arches, "architectures", err) < 0)
        {
          json_decref (out);
          return NULL;
        }
      json_array_extend (out, arches);
    }
  if (json_is_array (map))
    json_array_foreach (map, i, m)
      {
        json_t *a = json_object_get (m, "architecture");
        json_t *sub = json_object_get (m, "subArchitectures");

        if (!json_is_string (a) || strcmp (json_string_value (a), scmp_arch ()) != 0)
          continue;
        add_name_once (out, json_string_value (a));
        if (json_is_array (sub))
          json_array_foreach (sub, j, s)
            if (json_is_string (s))
              add_name_once (out, json_string_value (s));
      }
  return out;
}

json_t *
husk_seccomp_convert (json_t *profile, char *const *caps, husk_error_t *err)
{
  cleanup_json json_t *out = json_object ();
  cleanup_json json_t *rules = json_array ();
  json_t *def = json_object_get (profile, "defaultAction");
  json_t *syscalls = json_object_get (profile, "syscalls");
  json_t *arches, *v;
  size_t i;

  if (!json_is_object (profile))
    {
      husk_error_makex (err, EINVAL, "not a JSON object");
      return NULL;
    }
  if (!json_is_string (def) || !husk_has_prefix (json_string_value (def), "SCMP_ACT_"))
    {
      husk_error_makex (err, EINVAL, "missing or invalid \"defaultAction\"");
      return NULL;
    }
  json_object_set (out, "defaultAction", def);
  if ((v = json_object_get (profile, "defaultErrnoRet")) != NULL && !json_is_null (v))
    {
      if (!json_is_integer (v))
        {
          husk_error_makex (err, EINVAL, "\"defaultErrnoRet\" must be a number");
          return NULL;
        }
      json_object_set (out, "defaultErrnoRet", v);
    }
  if ((arches = convert_arches (profile, err)) == NULL)
    return NULL;
  json_object_set_new (out, "architectures", arches);
  if ((v = json_object_get (profile, "flags")) != NULL && !json_is_null (v))
    {
      if (check_strings (v, "flags", err) < 0)
        return NULL;
      json_object_set (out, "flags", v);
    }
  for (const char *const *k = (const char *const[]){ "listenerPath", "listenerMetadata", NULL };
       *k; k++)
    if (json_is_string (v = json_object_get (profile, *k)))
      json_object_set (out, *k, v);
  if (syscalls != NULL && !json_is_null (syscalls))
    {
      if (!json_is_array (syscalls))
        {
          husk_error_makex (err, EINVAL, "\"syscalls\" must be an array");
          return NULL;
        }
      json_array_foreach (syscalls, i, v)
        {
          json_t *r;

          if (convert_rule (v, i, caps, &r, err) < 0)
            return NULL;
          if (r != NULL)
            json_array_append_new (rules, r);
        }
    }
  json_object_set (out, "syscalls", rules);
  return steal_ptr (&out);
}

json_t *
husk_seccomp_load (const char *path, char *const *caps, husk_error_t *err)
{
  cleanup_json json_t *profile = NULL;
  json_error_t jerr;
  husk_error_t local = NULL;
  json_t *out;

  profile = json_load_file (path, JSON_REJECT_DUPLICATES, &jerr);
  if (profile == NULL)
    {
      if (!husk_path_exists (path))
        {
          husk_error_make (err, ENOENT, "seccomp profile '%s'", path);
          return NULL;
        }
      husk_error_makex (err, EINVAL, "seccomp profile '%s': line %d: %s", path,
                        jerr.line, jerr.text);
      return NULL;
    }
  out = husk_seccomp_convert (profile, caps, &local);
  if (out == NULL)
    {
      if (local == NULL)
        husk_error_makex (&local, EINVAL, "invalid profile");
      husk_error_wrap (&local, "seccomp profile '%s'", path);
      husk_error_move (err, &local);
    }
  return out;
}
