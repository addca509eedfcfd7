/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * timeit RUNS CMD [ARG...]: run CMD once to warm up, then RUNS times, and
 * print the median wall time in milliseconds.  A shell loop around `date`
 * adds several milliseconds of its own forks to every sample; this does
 * not (posix_spawn, output to /dev/null, CLOCK_MONOTONIC).
 */
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
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
  return (b.tv_sec - a.tv_sec) * 1e3 + (b.tv_nsec - a.tv_nsec) / 1e6;
}

static int
cmp (const void *x, const void *y)
{
  double a = *(const double *) x, b = *(const double *) y;
  return (a > b) - (a < b);
}

int
main (int argc, char **argv)
{
  int runs = argc > 2 ? atoi (argv[1]) : 0;
  double *t;

  if (runs <= 0)
    {
      fprintf (stderr, "usage: timeit RUNS CMD [ARG...]\n");
      return 2;
    }
  t = calloc ((size_t) runs, sizeof *t);
  run_once (argv + 2);
  for (int i = 0; i < runs; i++)
    t[i] = run_once (argv + 2);
  qsort (t, (size_t) runs, sizeof *t, cmp);
  printf ("%.2f\n", runs % 2 ? t[runs / 2] : (t[runs / 2 - 1] + t[runs / 2]) / 2);
  free (t);
  return 0;
}
