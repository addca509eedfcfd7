/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests of util/proc: a recorded pid names its process only while the
   boot ID and the start time match; signals reach no other process.  */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "util/proc.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* A child that waits to be killed.  */
static pid_t
sleeper (void)
{
  pid_t pid = fork ();

  assert_true (pid >= 0);
  if (pid == 0)
    {
      for (;;)
        pause ();
    }
  return pid;
}

static struct husk_proc_id
id_of (pid_t pid, char *boot)
{
  struct husk_proc_id p = { .pid = pid, .boot_id = boot };

  assert_int_equal (husk_proc_boot_id (boot), 0);
  assert_int_equal (husk_proc_start_time (pid, &p.start), 0);
  return p;
}

static void
reap (pid_t pid)
{
  kill (pid, SIGKILL);
  waitpid (pid, NULL, 0);
}

static int64_t
ms_now (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (int64_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
test_stat_parse_counts_fields_after_the_last_paren (void **state)
{
  /* A command name may hold spaces and parentheses.  */
  const char *line = "42 (a) b) c) S 1 42 42 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 "
                     "123456 1000 10 18446744073709551615";
  char st = 0;
  uint64_t start = 0;

  (void) state;
  assert_int_equal (husk_proc_stat_parse (line, &st, &start), 0);
  assert_int_equal (st, 'S');
  assert_int_equal (start, 123456);
  assert_int_equal (husk_proc_stat_parse ("42 (x) S 1 2", &st, &start), -1);
  assert_int_equal (husk_proc_stat_parse ("no parens", &st, &start), -1);
  assert_int_equal (husk_proc_stat_parse (NULL, &st, &start), -1);
}

static void
test_boot_id_is_the_kernels (void **state)
{
  char boot[HUSK_BOOT_ID_LEN + 1];

  (void) state;
  assert_int_equal (husk_proc_boot_id (boot), 0);
  assert_int_equal (strlen (boot), HUSK_BOOT_ID_LEN);
  assert_int_equal (boot[8], '-');
  assert_true (husk_proc_boot_time_ns () > 0);
}

static void
test_alive_only_with_the_recorded_start_and_boot (void **state)
{
  char boot[HUSK_BOOT_ID_LEN + 1];
  pid_t pid = sleeper ();
  struct husk_proc_id p = id_of (pid, boot);
  struct husk_proc_id other_start = p, other_boot = p, unknown = p;

  (void) state;
  other_start.start = p.start + 1;
  other_boot.boot_id = "00000000-0000-0000-0000-000000000000";
  unknown.start = 0;
  unknown.boot_id = NULL;
  assert_true (husk_proc_alive (&p));
  assert_false (husk_proc_alive (&other_start));
  assert_false (husk_proc_alive (&other_boot));
  assert_true (husk_proc_alive (&unknown)); /* a row from before */
  reap (pid);
  assert_false (husk_proc_alive (&p));
}

static void
test_a_zombie_is_not_alive (void **state)
{
  char boot[HUSK_BOOT_ID_LEN + 1];
  pid_t pid = sleeper ();
  struct husk_proc_id p = id_of (pid, boot);
  uint64_t start;
  siginfo_t si;

  (void) state;
  kill (pid, SIGKILL);
  /* Exited, not reaped.  */
  assert_int_equal (waitid (P_PID, pid, &si, WEXITED | WNOWAIT), 0);
  assert_int_equal (husk_proc_start_time (pid, &start), -1);
  assert_false (husk_proc_alive (&p));
  waitpid (pid, NULL, 0);
}

static void
test_signal_refuses_a_process_that_is_not_the_recorded_one (void **state)
{
  char boot[HUSK_BOOT_ID_LEN + 1];
  pid_t pid = sleeper ();
  struct husk_proc_id p = id_of (pid, boot);
  struct husk_proc_id other_start = p, other_boot = p, unknown = p;
  siginfo_t si = { 0 };

  (void) state;
  other_start.start = p.start - 1;
  other_boot.boot_id = "00000000-0000-0000-0000-000000000000";
  unknown.start = 0;
  errno = 0;
  assert_int_equal (husk_proc_signal (&other_start, SIGKILL), -1);
  assert_int_equal (errno, ESRCH);
  assert_int_equal (husk_proc_signal (&other_boot, SIGKILL), -1);
  assert_int_equal (husk_proc_signal (&unknown, SIGKILL), -1);
  assert_true (husk_proc_alive (&p));
  assert_int_equal (waitid (P_PID, pid, &si, WEXITED | WNOHANG), 0);
  assert_int_equal (si.si_pid, 0);
  /* The recorded one gets it.  */
  assert_int_equal (husk_proc_signal (&p, SIGKILL), 0);
  assert_int_equal (waitpid (pid, NULL, 0), pid);
  assert_int_equal (husk_proc_signal (&p, 0), -1);
}

static void
test_await_ignores_a_process_that_is_not_the_recorded_one (void **state)
{
  char boot[HUSK_BOOT_ID_LEN + 1];
  pid_t pid = sleeper ();
  struct husk_proc_id p = id_of (pid, boot);
  struct husk_proc_id other_start = p;
  int64_t t0;

  (void) state;
  other_start.start = p.start + 1;
  t0 = ms_now ();
  husk_proc_await (&other_start, 5000);
  assert_true (ms_now () - t0 < 1000);
  t0 = ms_now ();
  husk_proc_await (&p, 300); /* it does not exit: the whole timeout */
  assert_true (ms_now () - t0 >= 250);
  reap (pid);
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_stat_parse_counts_fields_after_the_last_paren),
    cmocka_unit_test (test_boot_id_is_the_kernels),
    cmocka_unit_test (test_alive_only_with_the_recorded_start_and_boot),
    cmocka_unit_test (test_a_zombie_is_not_alive),
    cmocka_unit_test (test_signal_refuses_a_process_that_is_not_the_recorded_one),
    cmocka_unit_test (test_await_ignores_a_process_that_is_not_the_recorded_one),
  };

  return cmocka_run_group_tests (tests, NULL, NULL);
}
