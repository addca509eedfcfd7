/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer target for the layer tar applier: the input is applied as a
 * layer (any compression) to a fresh directory with whiteouts as deletions
 * and rootless set, so no device node is ever made.  Besides crashes and
 * leaks it checks the one property that matters most: nothing appears next
 * to the layer root, whatever the input says.
 */
#include "storage/tar.h"
#include "util/cleanup.h"
#include "util/fileutil.h"
#include "util/strutil.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

/* The sandbox must hold the root and nothing else.  */
static void
check_sandbox (const char *sandbox)
{
  cleanup_dir DIR *d = opendir (sandbox);
  struct dirent *de;

  if (d == NULL)
    abort ();
  while ((de = readdir (d)) != NULL)
    if (strcmp (de->d_name, ".") && strcmp (de->d_name, "..")
        && strcmp (de->d_name, "root"))
      abort ();
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  struct husk_tar_apply_opts opts = { .whiteout = HUSK_WHITEOUT_DELETE,
                                      .rootless = true,
                                      .ignore_chown_errors = true };
  cleanup_free char *sandbox = husk_mkdtemp_in ("/tmp", "husk-fuzz-tar-", NULL);
  cleanup_free char *root = NULL;
  cleanup_close int in = memfd_create ("fuzz-tar", MFD_CLOEXEC);
  cleanup_close int root_fd = -1;
  struct husk_tar_result res;
  husk_error_t err = NULL;

  if (sandbox == NULL || in < 0)
    abort ();
  root = husk_asprintf ("%s/root", sandbox);
  if (mkdir (root, 0755) < 0 || husk_write_all (in, data, size) < 0
      || lseek (in, 0, SEEK_SET) != 0)
    abort ();
  root_fd = open (root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (root_fd < 0)
    abort ();
  husk_tar_apply (in, root_fd, &opts, &res, &err);
  husk_error_release (&err);
  check_sandbox (sandbox);
  if (husk_rm_rf (sandbox, NULL) < 0)
    abort ();
  return 0;
}
