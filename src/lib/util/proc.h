/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Recorded processes: telling the process husk recorded from a later one
 * that got the same pid.
 *
 * A pid is only a name, and the kernel hands it out again once its process
 * is reaped: after a reboot, or after a monitor and its container died
 * without an exit record (kill -9 of both), the pid in a container's row
 * may belong to anything.  husk therefore records, with every pid, the boot
 * ID (/proc/sys/kernel/random/boot_id) and the process's start time (field
 * 22 of /proc/PID/stat, clock ticks after boot), and treats a pid as its
 * process only while both still match.  A signal goes through a pidfd
 * opened before the check (husk_proc_signal()), so the process checked is
 * the process signalled: if the recorded one dies and its pid is reused
 * between the open and the check, the check reads the newcomer's start
 * time and fails; if it dies after the check, the pidfd refers to the dead
 * process and the signal fails with ESRCH.
 */
#ifndef HUSK_UTIL_PROC_H
#define HUSK_UTIL_PROC_H

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define HUSK_BOOT_ID_LEN 36 /* "504b6e46-19e4-48bc-9fb7-41193df70688" */

/* A process as recorded.  */
struct husk_proc_id
{
  int pid;             /* 0: none */
  uint64_t start;      /* start time, field 22 of /proc/PID/stat; 0: unknown */
  const char *boot_id; /* the boot it was recorded in; NULL or "": unknown */
};

/**
 * husk_proc_stat_parse() - The state and start time in a /proc/PID/stat text
 * @text:  the file's content, NUL-terminated
 * @state: set to field 3 (R, S, D, Z, X, ...)
 * @start: set to field 22, the start time in clock ticks after boot
 *
 * Inline so that husk-monitor, which links no more than util/'s basic
 * files, parses the same way.  The command name (field 2) may hold spaces
 * and parentheses: the fields are counted from its last ')'.
 *
 * Return: 0, or -1 when the text is not such a line.
 */
static inline int
husk_proc_stat_parse (const char *text, char *state, uint64_t *start)
{
  const char *p = text ? strrchr (text, ')') : NULL;
  char *end;

  if (p == NULL || p[1] != ' ' || p[2] == '\0')
    return -1;
  *state = p[2];
  p += 2;
  for (int field = 3; field < 22; field++)
    {
      p = strchr (p, ' ');
      if (p == NULL)
        return -1;
      p++;
    }
  *start = strtoull (p, &end, 10);
  return end == p ? -1 : 0;
}

/**
 * husk_proc_boot_id() - The boot ID of the running kernel
 * @out: receives it, NUL-terminated ("" when it cannot be read)
 *
 * Return: 0, or -1 when /proc/sys/kernel/random/boot_id cannot be read.
 */
int husk_proc_boot_id (char out[HUSK_BOOT_ID_LEN + 1]);

/**
 * husk_proc_boot_time_ns() - When this boot began (btime of /proc/stat)
 *
 * Return: nanoseconds since the epoch, or 0 when unknown.
 */
int64_t husk_proc_boot_time_ns (void);

/**
 * husk_proc_start_time() - The start time of a live process
 * @pid:   the process
 * @start: set to field 22 of /proc/PID/stat
 *
 * A zombie counts as gone: it has exited, only its parent has not reaped it.
 *
 * Return: 0, or -1 when there is no such live process.
 */
int husk_proc_start_time (int pid, uint64_t *start);

/**
 * husk_proc_alive() - Whether the recorded process still runs
 * @p: the record
 *
 * False when nothing is recorded, when the boot differs, when the pid is
 * gone or a zombie, or when its start time differs from a recorded one.
 * With the start time unknown (a row written before it was recorded) a
 * live process of the same boot counts: it cannot be told apart, and may
 * be looked after, but husk_proc_signal() refuses it.
 */
bool husk_proc_alive (const struct husk_proc_id *p);

/**
 * husk_proc_open() - A pidfd of exactly the recorded process
 * @p: the record; its start time must be known
 *
 * Return: the pidfd (close it), or -1 with errno ESRCH when the process is
 * not the recorded one (or gone), or another errno from pidfd_open().
 */
int husk_proc_open (const struct husk_proc_id *p);

/**
 * husk_proc_signal() - Send a signal to the recorded process, and to no other
 * @p:   the record; its start time must be known
 * @sig: the signal (0 tests for it)
 *
 * Return: 0, or -1 with errno ESRCH when the process is not the recorded
 * one (or gone), EPERM, ...
 */
int husk_proc_signal (const struct husk_proc_id *p, int sig);

/**
 * husk_proc_await() - Wait for the recorded process to exit
 * @p:          the record
 * @timeout_ms: the longest wait
 *
 * Returns at once when the process is not the recorded one.  With the
 * start time unknown, waits for a live process of the same pid and boot.
 */
void husk_proc_await (const struct husk_proc_id *p, int timeout_ms);

#endif
