/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the files of the spec generator share: the generation context,
 * typed access to the container configuration, and the builders of the
 * "mounts" and "linux" members.
 */
#ifndef HUSK_RUNTIME_SPEC_PRIVATE_H
#define HUSK_RUNTIME_SPEC_PRIVATE_H

#include "runtime/spec.h"
#include "runtime/user.h"

#include <stdbool.h>
#include <stdint.h>

enum husk_spec_ns_mode
{
  HUSK_SPEC_NS_PRIVATE,
  HUSK_SPEC_NS_HOST,
  HUSK_SPEC_NS_PATH,
};

struct husk_spec_ns
{
  enum husk_spec_ns_mode mode;
  const char *path; /* HUSK_SPEC_NS_PATH: the namespace file */
};

struct husk_spec_ctx
{
  json_t *ccfg;
  const struct husk_spec_paths *p;
  const char *id;
  const char *hostname;
  bool privileged;
  bool read_only;
  bool tty;
  bool cgroup2;                  /* the host runs the unified hierarchy only */
  struct husk_spec_ns net, pid, ipc, uts;
  const char *init_path;         /* --init: the host binary, else NULL */
  struct husk_user user;
  uint64_t bounding;             /* capability bounding set, bit n = cap n */
};

/* Typed access to the container configuration.  Absent keys, JSON null and
   o == NULL give the default; a value of the wrong type is an error naming
   the key.  Return: 0, or -1.  */
int husk_spec_get_str (json_t *o, const char *key, const char *def, const char **out,
                       husk_error_t *err);
int husk_spec_get_bool (json_t *o, const char *key, bool def, bool *out,
                        husk_error_t *err);
int husk_spec_get_int (json_t *o, const char *key, int64_t def, int64_t *out,
                       husk_error_t *err);
int husk_spec_get_real (json_t *o, const char *key, double def, double *out,
                        husk_error_t *err);
/* An array of strings, or NULL when absent.  */
int husk_spec_get_strings (json_t *o, const char *key, json_t **out, husk_error_t *err);
/* An array (of anything), or NULL when absent.  */
int husk_spec_get_array (json_t *o, const char *key, json_t **out, husk_error_t *err);
/* An object, or NULL when absent.  */
int husk_spec_get_object (json_t *o, const char *key, json_t **out, husk_error_t *err);

/* Lexically clean an absolute path ("/a//b/../c/" -> "/a/c").
   Return: a new string, or NULL when path is not absolute.  */
char *husk_spec_clean_path (const char *path);

/* The NULL-terminated names of the capabilities in mask.  */
char **husk_spec_cap_names (uint64_t mask);

/* The "mounts" member.  Return: the array, or NULL.  */
json_t *husk_spec_mounts (struct husk_spec_ctx *c, husk_error_t *err);

/* The "linux" member.  Return: the object, or NULL.  */
json_t *husk_spec_linux (struct husk_spec_ctx *c, husk_error_t *err);

#endif
