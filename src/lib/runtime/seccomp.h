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

#endif
