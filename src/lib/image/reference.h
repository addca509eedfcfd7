/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Image references with Docker's grammar and normalisation:
 *   busybox              -> docker.io/library/busybox:latest
 *   user/app:1           -> docker.io/user/app:1
 *   localhost/x          -> localhost/x:latest
 *   quay.io:443/a/b@sha256:<hex>
 *   name:tag@digest      (both kept)
 * Domain: the first component when it contains '.' or ':' or is
 * "localhost"; names are lowercase [a-z0-9] separated by '.', '_', '__',
 * one or more '-'; tags [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}; full name at
 * most 255 characters.
 */
#ifndef HUSK_IMAGE_REFERENCE_H
#define HUSK_IMAGE_REFERENCE_H

#include "util/error.h"

#include <stdbool.h>

struct husk_reference
{
  char *domain; /* "docker.io" */
  char *path;   /* "library/busybox" */
  char *tag;    /* "latest", or NULL when only a digest was given */
  char *digest; /* "sha256:<hex>" or NULL */
};

/**
 * husk_reference_parse() - Parse and normalise a reference
 * @s:           text as the user wrote it
 * @default_tag: add ":latest" when neither tag nor digest is given
 * @out:         filled on success, zeroed on failure (release is safe)
 *
 * Return: 0, or -1 with EINVAL and a message naming what is wrong.
 */
int husk_reference_parse (const char *s, bool default_tag,
                          struct husk_reference *out, husk_error_t *err);
void husk_reference_release (struct husk_reference *r);

/* "domain/path" */
char *husk_reference_name (const struct husk_reference *r);
/* "domain/path:tag", "domain/path@digest" or "domain/path:tag@digest" */
char *husk_reference_string (const struct husk_reference *r);
/* Familiar form: "busybox:latest" for docker.io/library, else full.  */
char *husk_reference_familiar (const struct husk_reference *r);
/* Familiar name without tag or digest: "busybox", "user/app", "quay.io/a/b". */
char *husk_reference_familiar_name (const struct husk_reference *r);

/* True when s looks like an image ID or ID prefix (hex, optionally with
   "sha256:"), which resolution tries before names.  */
bool husk_reference_is_id (const char *s);

#endif
