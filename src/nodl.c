/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Linked into the static husk only, with -Wl,--wrap=dlopen.  husk loads no
 * shared objects: the one caller of dlopen() in the binary is SQLite's
 * load_extension(), which husk never enables.  Its reference is bound here
 * instead of to glibc's static dlopen (which would need the same glibc's
 * shared objects at run time), so any attempt to load code fails closed.
 */
#include <stddef.h>

void *__wrap_dlopen (const char *file, int mode);

void *
__wrap_dlopen (const char *file, int mode)
{
  (void) file;
  (void) mode;
  return NULL;
}
