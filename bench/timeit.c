/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * timeit RUNS CMD [ARG...] [--- CMD [ARG...]]...: run each CMD once to
 * warm up, then RUNS times, and print the median wall time of each in
 * milliseconds, one line per command.  Several commands are run in turn
 * (A B C A B C ...), so that a machine whose speed drifts during the run
 * (a virtual machine does) slows all of them alike and their ratio holds.
 * A shell loop around `date` adds several milliseconds of its own forks to
 * every sample; this does not (posix_spawn, output to /dev/null,
 * CLOCK_MONOTONIC).
 *
 * With TIMEIT_SETTLE_MS=N in the environment it waits N ms (untimed)
 * before each run, so that what one command leaves running in the
 * background (a monitor deleting a runtime record, conmon exiting) does not
 * slow the next one: each sample is then one command on an idle machine,
 * the latency a user sees.
 *
 * With TIMEIT_RAW=FILE every sample is also written there, one line per
 * round: the times of the commands in order, for paired comparisons
 * (round by round differences are steadier than a difference of medians
 * when other work shares the machine).
 */
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static double
run_once (char **argv)
{
  posix_spawn_file_actions_t fa;
  struct timespec a, b;
  pid_t pid;
  int status;

  posix_spawn_file_actions_init (&fa);
  posix_spawn_file_actions_addopen (&fa, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen (&fa, 2, "/dev/null", O_WRONLY, 0);
  clock_gettime (CLOCK_MONOTONIC, &a);
  if (posix_spawnp (&pid, argv[0], &fa, NULL, argv, environ) != 0)
    {
      perror (argv[0]);
      exit (1);
    }
  waitpid (pid, &status, 0);
  clock_gettime (CLOCK_MONOTONIC, &b);
  posix_spawn_file_actions_destroy (&fa);
  /* A command that failed did not do the work being timed: a median of
     failures once looked like a fast husk.  */
  if (! WIFEXITED (status) || WEXITSTATUS (status) != 0)
    {
      fprintf (stderr, "timeit: %s failed (status %#x); run it by hand to see why:\n ", argv[0], status);
      for (char **a = argv; *a; a++)
        fprintf (stderr, " %s", *a);
      fputc ('\n', stderr);
      exit (1);
    }
  return (b.tv_sec - a.tv_sec) * 1e3 + (b.tv_nsec - a.tv_nsec) / 1e6;
}

static int
cmp (const void *x, const void *y)
{
  double a = *(const double *) x, b = *(const double *) y;
  return (a > b) - (a < b);
}

static double
median (double *t, int n)
{
  qsort (t, (size_t) n, sizeof *t, cmp);
  return n % 2 ? t[n / 2] : (t[n / 2 - 1] + t[n / 2]) / 2;
}

int
main (int argc, char **argv)
{
  int runs = argc > 2 ? atoi (argv[1]) : 0;
  char **cmds[16];
  int n = 0, settle;
  FILE *raw;
  double *t;

  if (runs <= 0)
    {
      fprintf (stderr, "usage: timeit RUNS CMD [ARG...] [--- CMD [ARG...]]...\n");
      return 2;
    }
  /* Split argv at each "---" into commands.  */
  cmds[n++] = argv + 2;
  for (int i = 2; i < argc && n < 16; i++)
    if (strcmp (argv[i], "---") == 0)
      {
        argv[i] = NULL;
        cmds[n++] = argv + i + 1;
      }
  settle = getenv ("TIMEIT_SETTLE_MS") ? atoi (getenv ("TIMEIT_SETTLE_MS")) : 0;
  raw = getenv ("TIMEIT_RAW") ? fopen (getenv ("TIMEIT_RAW"), "w") : NULL;
  t = calloc ((size_t) (runs * n), sizeof *t);
  for (int c = 0; c < n; c++)
    run_once (cmds[c]);
  for (int i = 0; i < runs; i++)
    for (int c = 0; c < n; c++)
      {
        if (settle > 0)
          usleep ((useconds_t) settle * 1000);
        t[c * runs + i] = run_once (cmds[c]);
        if (raw)
          fprintf (raw, c + 1 < n ? "%.3f " : "%.3f\n", t[c * runs + i]);
      }
  for (int c = 0; c < n; c++)
    printf ("%.2f\n", median (t + c * runs, runs));
  if (raw)
    fclose (raw);
  free (t);
  return 0;
}
