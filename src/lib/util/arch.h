/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef HUSK_UTIL_ARCH_H
#define HUSK_UTIL_ARCH_H

/* Go's name (GOARCH) for the architecture husk was built for, as image
   configs, indexes, seccomp profiles and `info` spell it: "amd64",
   "arm64", ...  The build's, not uname's: a 32-bit husk on a 64-bit
   kernel runs 32-bit images.  */
const char *husk_go_arch (void);

/* GOARCH for a uname(2) machine string ("x86_64" -> "amd64"); an
   unknown one is returned as it is.  */
const char *husk_go_arch_of (const char *machine);

#endif
