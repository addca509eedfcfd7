/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Seccomp profiles in the OCI runtime spec's "linux.seccomp" shape: husk's
 * default profile (an allowlist written for x86_64 and its 32-bit ABIs),
 * and profiles loaded from files in either the OCI shape or the
 * Docker/Podman profile format.
 */
#ifndef HUSK_RUNTIME_SECCOMP_H
#define HUSK_RUNTIME_SECCOMP_H

#include "util/error.h"

#include <jansson.h>

/**
 * husk_seccomp_default_profile() - The default profile for the default
 *                                  capabilities
 *
 * Return: a new linux.seccomp object (never NULL).
 */
json_t *husk_seccomp_default_profile (void);

/**
 * husk_seccomp_profile_for_caps() - The default profile for a capability set
 * @caps: the container's bounding set ("CAP_SYS_ADMIN", ...), NULL-terminated;
 *        syscalls that only a capability makes useful are allowed when it
 *        is there (mount, unshare and setns with CAP_SYS_ADMIN, ...)
 *
 * Return: a new linux.seccomp object (never NULL).
 */
json_t *husk_seccomp_profile_for_caps (char *const *caps);

/**
 * husk_seccomp_convert() - Turn a parsed profile into the OCI shape
 * @profile: OCI linux.seccomp, or Docker's format ("archMap", "name",
 *           "includes"/"excludes" by caps, arches and minKernel, "comment")
 * @caps:    the container's bounding set, for includes/excludes
 * @err:     names what is wrong, e.g. "syscalls[3]: missing \"action\""
 *
 * Return: a new object, or NULL.
 */
json_t *husk_seccomp_convert (json_t *profile, char *const *caps, husk_error_t *err);

/**
 * husk_seccomp_load() - Read a profile file and convert it
 * @path: the file (--security-opt seccomp=PATH)
 * @caps: as for husk_seccomp_convert()
 *
 * Return: a new object, or NULL; the error names the file.
 */
json_t *husk_seccomp_load (const char *path, char *const *caps, husk_error_t *err);

/**
 * husk_seccomp_compile() - Compile a linux.seccomp object to a BPF program
 *                          as an OCI runtime would (see seccomp-bpf.c)
 * @len: set to the program's size in bytes
 *
 * Return: the program (struct sock_filter[]), or NULL when the profile needs
 * the runtime (a listener, an action or operator it alone would judge).
 */
char *husk_seccomp_compile (json_t *seccomp, size_t *len);

/**
 * husk_seccomp_precompile() - Hand crun the compiled profile of a spec
 * @spec:      an OCI spec; gains the run.oci.seccomp_bpf_data annotation
 * @cache_dir: where compiled programs are kept, one per profile
 *
 * Only for crun, which reads that annotation.  On any failure the spec is
 * left as it was and the runtime compiles the profile itself.
 */
void husk_seccomp_precompile (json_t *spec, const char *cache_dir);

#endif
