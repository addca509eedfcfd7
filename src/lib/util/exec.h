/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Executing programs, and OCI runtimes in particular.  */
#ifndef HUSK_UTIL_EXEC_H
#define HUSK_UTIL_EXEC_H

#include "util/error.h"

/**
 * husk_exec_runtime() - execve() an OCI runtime, through a sealed copy
 * @path: the executable
 * @argv, @envp: as for execve()
 *
 * crun and runc protect the host binary against a container that would
 * overwrite it through /proc/self/exe (CVE-2019-5736): at every start they
 * copy themselves into a sealed memfd and execute that copy, unless they
 * already run from one.  For those two this function makes the sealed copy
 * and executes it, which saves the runtime its second exec (about 40 % of
 * its start-up here) with the same protection.  Any other program, or any
 * failure on the way, gets a plain execve().
 *
 * Only async-signal-safe calls: usable in a forked child.  Returns only on
 * failure, with errno set.
 */
int husk_exec_runtime (const char *path, char *const argv[], char *const envp[]);

/* The sealed copy itself (for crun and runc; else -1), made ahead of time
   by a caller that waits anyway, and its use in a forked child:
   execveat() of copy when it is >= 0, else husk_exec_runtime().  */
int husk_runtime_sealed_copy (const char *path);
int husk_exec_runtime_from (int copy, const char *path, char *const argv[],
                            char *const envp[]);

/* The path of name beside this executable when it is there, else in
   husk's libexec directory (husk-monitor, husk-registry).  */
char *husk_exec_sibling (const char *name);

/**
 * husk_exec_twin() - Run this command again in another build of husk
 * @name: the other executable's name ("husk-registry"), looked for next to
 *        this one, then in husk's libexec directory
 *
 * Flushes stdio and execv()s it with this process's command line (from
 * /proc/self/cmdline: nothing is saved at start-up) and environment.
 * Returns only on failure: -1 with err naming the program.
 */
int husk_exec_twin (const char *name, husk_error_t *err);

#endif
