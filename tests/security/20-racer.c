/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The hostile process of 20-metadata-races.bats, run inside a container:
 * whenever DIR/<prefix><i> (i < COUNT, for each prefix) exists and is not
 * a symlink, replace it at once with a symlink to TARGETS/c<i>, for ever,
 * so that a host process acting on that name after creating it (chmod,
 * chown, utimes by name) follows the link.  Names that do not exist are
 * left alone, so the host's creation itself goes through and the racer
 * aims only at the window after it.  Built static by the test; two
 * copies run, on alternate names.
 *
 * Usage: racer DIR TARGETS COUNT START STEP PREFIX...
 */
#include <limits.h>
#include <sys/stat.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int
main (int argc, char **argv)
{
  char tmp[PATH_MAX], name[PATH_MAX], target[PATH_MAX];
  long count, start, step;

  if (argc < 7)
    return 2;
  count = atol (argv[3]);
  start = atol (argv[4]);
  step = atol (argv[5]);
  snprintf (tmp, sizeof tmp, "%s/.racer%ld", argv[1], (long) getpid ());
  for (;;)
    for (long i = start; i < count; i += step)
      for (int p = 6; p < argc; p++)
        {
          struct stat st;

          snprintf (name, sizeof name, "%s/%s%ld", argv[1], argv[p], i);
          if (lstat (name, &st) < 0 || S_ISLNK (st.st_mode))
            continue;
          snprintf (target, sizeof target, "%s/c%ld", argv[2], i);
          unlink (tmp);
          if (symlink (target, tmp) == 0)
            rename (tmp, name);
        }
}
