/* SPDX-License-Identifier: GPL-2.0-or-later */
/* One table of architecture names (arch.h).  */
#include "util/arch.h"

#include <string.h>

static const struct
{
  const char *uname, *go;
} names[] = {
  { "x86_64", "amd64" }, { "aarch64", "arm64" },   { "i686", "386" },   { "i386", "386" },
  { "armv7l", "arm" },   { "ppc64le", "ppc64le" }, { "s390x", "s390x" }, { "riscv64", "riscv64" },
};

const char *
husk_go_arch_of (const char *machine)
{
  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
    if (strcmp (machine, names[i].uname) == 0)
      return names[i].go;
  return machine;
}

const char *
husk_go_arch (void)
{
#if defined(__x86_64__)
  return "amd64";
#elif defined(__aarch64__)
  return "arm64";
#elif defined(__i386__)
  return "386";
#elif defined(__arm__)
  return "arm";
#elif defined(__powerpc64__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
  return "ppc64le";
#elif defined(__s390x__)
  return "s390x";
#elif defined(__riscv) && __riscv_xlen == 64
  return "riscv64";
#else
#error "husk: unknown architecture; add it to util/arch.c"
#endif
}
