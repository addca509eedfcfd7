/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Automatic cleanup.  Every cleaner is NULL-safe and idempotent, so a value
 * can be released early and still go out of scope safely.  Ownership moves
 * out of a cleaned variable with steal_ptr() / steal_fd().
 */
#ifndef HUSK_UTIL_CLEANUP_H
#define HUSK_UTIL_CLEANUP_H

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#define DEFINE_CLEANUP(type, fn)                                              \
  static inline void cleanup_##fn##_p (type *p)                               \
  {                                                                            \
    if (*p)                                                                    \
      fn (*p);                                                                 \
    *p = NULL;                                                                 \
  }

static inline void
cleanup_freep (void *p)
{
  void **pp = (void **) p;
  free (*pp);
  *pp = NULL;
}

static inline void
cleanup_closep (int *fd)
{
  if (*fd >= 0)
    {
      int saved = errno;
      close (*fd);
      errno = saved;
    }
  *fd = -1;
}

static inline void
cleanup_fclosep (FILE **f)
{
  if (*f)
    fclose (*f);
  *f = NULL;
}

static inline void
cleanup_dirp (DIR **d)
{
  if (*d)
    closedir (*d);
  *d = NULL;
}

static inline void
cleanup_strvp (char ***v)
{
  if (*v)
    {
      for (char **s = *v; *s; s++)
        free (*s);
      free (*v);
    }
  *v = NULL;
}

#define cleanup_free __attribute__ ((__cleanup__ (cleanup_freep)))
#define cleanup_close __attribute__ ((__cleanup__ (cleanup_closep)))
#define cleanup_fclose __attribute__ ((__cleanup__ (cleanup_fclosep)))
#define cleanup_dir __attribute__ ((__cleanup__ (cleanup_dirp)))
#define cleanup_strv __attribute__ ((__cleanup__ (cleanup_strvp)))

/* Use as: cleanup (fn) type *x = ...; for a type with DEFINE_CLEANUP.  */
#define cleanup(fn) __attribute__ ((__cleanup__ (cleanup_##fn##_p)))

static inline void *
steal_ptr_impl (void *pp)
{
  void **p = (void **) pp;
  void *r = *p;
  *p = NULL;
  return r;
}
#define steal_ptr(pp) steal_ptr_impl ((void *) (pp))

static inline int
steal_fd (int *fd)
{
  int r = *fd;
  *fd = -1;
  return r;
}

/* jansson */
#include <jansson.h>
static inline void
cleanup_jsonp (json_t **j)
{
  if (*j)
    json_decref (*j);
  *j = NULL;
}
#define cleanup_json __attribute__ ((__cleanup__ (cleanup_jsonp)))

#endif
