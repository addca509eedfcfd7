/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The core of the OCI runtime driver, shared by husk and husk-monitor: the
 * runtime handle and its families, the one builder of runtime command
 * lines, the one spawner of runtime processes, the reading of a runtime's
 * error output and the one table that turns it into an exit code.
 *
 * Only util/ and jansson are used here, so husk-monitor can link this file
 * without the configuration, the state database or anything else of
 * libhusk (runtime.h adds finding, choosing and running runtimes).
 *
 * The command lines follow the OCI runtime command line interface that
 * crun and runc share:
 *   RT [--root ROOT] [ARGS] [--log L] [--log-format json] VERB ...
 *   RT ... create --bundle B --pid-file F [--console-socket S]
 *      [--preserve-fds N] ID
 *   RT ... start ID | state ID | kill [--all] ID SIGNAL | delete [--force] ID
 *   RT ... pause ID | resume ID
 *   RT ... exec --process P --pid-file F [--console-socket S] [--detach]
 *      [--preserve-fds N] ID
 * ROOT, the runtime's state directory, is "<runroot>/runtime" for every
 * runtime (husk_runtime_set_root()), so husk's containers never mix with
 * other engines' (or another --runroot's) in the runtime's default
 * /run/crun or /run/runc.
 */
#ifndef HUSK_RUNTIME_DRIVER_H
#define HUSK_RUNTIME_DRIVER_H

#include "util/cleanup.h"
#include "util/error.h"

#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <sys/types.h>

struct husk_runtime;

/* What differs between runtimes.  */
struct husk_runtime_ops
{
  const char *family;  /* "crun", "runc" or "oci" (any other runtime) */
  bool json_log;       /* understands --log-format json (errors on stderr) */
  /* Why the runtime cannot run on this host (cgroup_root is normally
     "/sys/fs/cgroup").  Return: 0, or -1 with the cause and the fix.  */
  int (*check_host) (const struct husk_runtime *rt, const char *cgroup_root,
                     husk_error_t *err);
};

struct husk_runtime
{
  char *name;  /* "crun"; for a runtime given by path, its file name */
  char *path;  /* the executable, absolute */
  char *root;  /* --root; NULL: the runtime's default */
  char *log;   /* --log: where its messages go (always as JSON); NULL:
                  stderr, as JSON when the family understands it */
  bool plain;  /* no --log-format at all: its stderr is read by a person
                  (a healthcheck's output) */
  char **args; /* more global options, before the verb; may be NULL */
  const struct husk_runtime_ops *ops;
};

/* Global options every runtime made from now on in this process gets
   first in its args ("--debug", from --runtime-flag debug); NULL for
   none.  The engine sets them once; husk-monitor gets them in its
   configuration with the rest of args instead.  */
void husk_runtime_set_default_args (char *const *args);

/* A runtime at path, named name, without looking for it.  */
struct husk_runtime *husk_runtime_new (const char *name, const char *path);

/* A runtime recorded by its absolute path (a container's), named after
   its file name.  */
struct husk_runtime *husk_runtime_new_path (const char *path);

/* Set --root to "<runroot>/runtime", the state directory every husk
   container of that run root has used from the start.  */
void husk_runtime_set_root (struct husk_runtime *rt, const char *runroot);

/* Set (or with NULL clear) --log.  */
void husk_runtime_set_log (struct husk_runtime *rt, const char *path);

void husk_runtime_free (struct husk_runtime *rt);
DEFINE_CLEANUP (struct husk_runtime *, husk_runtime_free)

/**
 * husk_runtime_argv() - The one builder of runtime command lines
 * @verb: the OCI verb; the varargs (ending with NULL) follow it
 *
 * Return: "PATH [--root R] [args] [--log L] [--log-format json] VERB ...",
 * NULL-terminated; free with husk_strv_free().
 */
char **husk_runtime_argv (const struct husk_runtime *rt, const char *verb, ...)
    __attribute__ ((sentinel));
char **husk_runtime_argv_v (const struct husk_runtime *rt, const char *verb, va_list ap);

/* The OCI verbs.  Optional strings may be NULL; preserve_fds 0 omits the
   option.  */
char **husk_runtime_argv_create (const struct husk_runtime *rt, const char *id,
                                 const char *bundle, const char *pid_file,
                                 const char *console_socket, int preserve_fds);
char **husk_runtime_argv_start (const struct husk_runtime *rt, const char *id);
char **husk_runtime_argv_state (const struct husk_runtime *rt, const char *id);
char **husk_runtime_argv_kill (const struct husk_runtime *rt, const char *id, int signal,
                               bool all);
char **husk_runtime_argv_delete (const struct husk_runtime *rt, const char *id, bool force);
char **husk_runtime_argv_pause (const struct husk_runtime *rt, const char *id);
char **husk_runtime_argv_resume (const struct husk_runtime *rt, const char *id);
char **husk_runtime_argv_exec (const struct husk_runtime *rt, const char *id,
                               const char *process_json, const char *pid_file,
                               const char *console_socket, bool detach, int preserve_fds);

/* How a runtime process is started.  */
struct husk_runtime_stdio
{
  int fds[3];            /* its stdin, stdout, stderr; -1: /dev/null */
  const sigset_t *mask;  /* its signal mask; NULL: empty */
  bool new_session;      /* setsid(): no signal of our terminal reaches it */
};

/**
 * husk_runtime_spawn() - The one spawner of runtime processes
 * @argv: a command line from husk_runtime_argv*() (or any program)
 *
 * The child gets the given stdio and mask, default signal dispositions,
 * every other descriptor closed on exec, and executes the runtime through
 * its sealed copy (util/exec.h).  It exits 125 when it cannot set itself
 * up, 127 when the exec fails.
 *
 * Return: the pid, or -1.
 */
pid_t husk_runtime_spawn (char **argv, const struct husk_runtime_stdio *io, husk_error_t *err);

/* Wait for a child.  Return: its status, 128 + signal when killed, or 125
   when it cannot be waited for.  */
int husk_runtime_wait (pid_t pid);

/**
 * husk_runtime_error_message() - The message in a runtime's error output
 * @stderr_text: what the runtime wrote on stderr: JSON log lines
 *               ({"level":"error","msg":...}), logrus text lines
 *               (time=... level=error msg="..."), or plain text
 *
 * Return: a new string: the error-level messages joined with "; ", else
 * the last non-empty line; "" when there is nothing.
 */
char *husk_runtime_error_message (const char *stderr_text);

/* The last error-level "msg" of a runtime's JSON log file (--log); NULL
   when there is none.  */
char *husk_runtime_log_error (const char *log_path);

/**
 * husk_runtime_exit_code() - The one table of runtime failures to exit codes
 * @msg:  the runtime's error message; may be NULL
 * @what: set to Podman's words for the failure (may be NULL)
 *
 * Only a failure to run the container's command counts (the message is
 * about executing: "exec", "executable"); then, in Podman's order, 126
 * when it cannot be invoked ("permission denied", "operation not
 * permitted", "is a directory"), 127 when it is not found ("not found",
 * "no such file or directory").  Anything else, a missing bundle file
 * say, is the engine's failure: 125.
 *
 * Return: 125, 126 or 127.
 */
int husk_runtime_exit_code (const char *msg, const char **what);

/* The hybrid-cgroup refusal of crun, explained: the controllers of the
   unified hierarchy of a hybrid host (space separated, "" when none or
   not hybrid), and the error that names the fix.  */
char *husk_runtime_hybrid_controllers (const char *cgroup_root);
int husk_runtime_hybrid_error (const struct husk_runtime *rt, const char *ctrls,
                               husk_error_t *err);

#endif
