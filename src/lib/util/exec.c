/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Executing OCI runtimes through a sealed in-memory copy (see exec.h).  */
#include "util/exec.h"
#include "husk-config.h"
#include "util/cleanup.h"
#include "util/fileutil.h"
#include "util/strutil.h"

#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <unistd.h>

/* The seals crun and runc look for (all four, or they copy again).  */
#define RUNTIME_SEALS (F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE)

static bool
clones_itself (const char *path)
{
  const char *base = strrchr (path, '/');

  base = base ? base + 1 : path;
  return strcmp (base, "crun") == 0 || strcmp (base, "runc") == 0;
}

/* A sealed memfd with the content of path, or -1.  */
static int
sealed_copy (const char *path)
{
  struct stat st;
  off_t off = 0;
  int src, fd;

  src = open (path, O_RDONLY | O_CLOEXEC);
  if (src < 0)
    return -1;
  fd = memfd_create ("husk-runtime", MFD_CLOEXEC | MFD_ALLOW_SEALING);
  if (fd < 0 || fstat (src, &st) < 0)
    goto fail;
  while (off < st.st_size)
    if (sendfile (fd, src, &off, (size_t) (st.st_size - off)) <= 0)
      goto fail;
  if (fcntl (fd, F_ADD_SEALS, RUNTIME_SEALS) < 0)
    goto fail;
  close (src);
  return fd;

fail:
  close (src);
  if (fd >= 0)
    close (fd);
  return -1;
}

int
husk_exec_runtime (const char *path, char *const argv[], char *const envp[])
{
  if (clones_itself (path))
    {
      int fd = sealed_copy (path);
      if (fd >= 0)
        {
          /* The fd is close-on-exec: the kernel has what it needs by then. */
          execveat (fd, "", argv, envp, AT_EMPTY_PATH);
          close (fd);
        }
    }
  execve (path, argv, envp);
  return -1;
}

int
husk_runtime_sealed_copy (const char *path)
{
  return clones_itself (path) ? sealed_copy (path) : -1;
}

int
husk_exec_runtime_from (int copy, const char *path, char *const argv[], char *const envp[])
{
  if (copy >= 0)
    execveat (copy, "", argv, envp, AT_EMPTY_PATH);
  return husk_exec_runtime (path, argv, envp);
}

char *
husk_exec_sibling (const char *name)
{
  char exe[PATH_MAX];
  ssize_t n = readlink ("/proc/self/exe", exe, sizeof exe - 1);
  char *slash;

  if (n > 0)
    {
      exe[n] = '\0';
      if ((slash = strrchr (exe, '/')) != NULL)
        {
          char *p;
          *slash = '\0';
          p = husk_asprintf ("%s/%s", exe, name);
          if (access (p, X_OK) == 0)
            return p;
          free (p);
        }
    }
  return husk_asprintf ("%s/%s", HUSK_LIBEXECDIR, name);
}

/* The command line as the kernel gave it: the parser reorders main()'s
   vector, never the strings (/proc/self/cmdline reads those).  */
static char **
own_argv (husk_error_t *err)
{
  size_t len = 0, n = 0;
  char *text = husk_read_file ("/proc/self/cmdline", &len, err);
  char **v;

  if (text == NULL)
    return NULL;
  for (size_t i = 0; i < len; i++)
    n += text[i] == '\0';
  v = husk_xmalloc ((n + 1) * sizeof *v);
  for (size_t i = 0, k = 0; k < n; i += strlen (text + i) + 1)
    v[k++] = text + i;
  v[n] = NULL;
  return v; /* the strings stay with text: exec or exit follows */
}

int
husk_exec_twin (const char *name, husk_error_t *err)
{
  cleanup_free char *path = husk_exec_sibling (name);
  char **argv = own_argv (err);

  if (argv == NULL)
    return -1;
  fflush (NULL);
  execv (path, argv);
  return husk_error_make (err, errno, "this husk pulls through %s, which it could not run "
                          "(%s)", name, path);
}
