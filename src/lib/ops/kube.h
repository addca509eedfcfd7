/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Kubernetes YAML operations (kube/kube.h, docs/design/kube.md): play a
   file's pods and volumes, take them down, generate YAML from what
   exists.  The only entries cli/ and api/ use for kube.  */
#ifndef HUSK_OPS_KUBE_H
#define HUSK_OPS_KUBE_H

#include "engine/engine.h"
#include "util/error.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

struct husk_kube_play_opts
{
  bool start;            /* start the pods (default true) */
  bool replace;          /* remove pods of the same names first */
  char *const *networks; /* --network, for every pod (NULL: the default) */
  char *const *publish;  /* --publish, for every pod */
  char *const *annotations; /* --annotation, for every container */
  const char *userns;    /* --userns, for every pod */
  bool no_hosts;         /* --no-hosts */
  bool quiet;            /* --quiet: no pull progress */
  const char *log_driver;
  char *const *log_opts;
};

/**
 * husk_op_kube_play() - Create (and start) what a YAML text describes
 * @text: the YAML, untrusted
 *
 * Plans everything first (kube/kube.h), then creates the volumes, the
 * pods and their containers, and starts the pods.  Any failure removes
 * every pod, container, volume and host directory this call made.
 * Return: {"pods": [{"id", "containers": [ID...]}], "volumes": [NAME...],
 * "warnings": [TEXT...]}, or NULL (EINVAL for the file, else the
 * failure's code).
 */
json_t *husk_op_kube_play (struct husk_engine *e, const char *text, size_t len,
                           const struct husk_kube_play_opts *o, husk_error_t *err);

/**
 * husk_op_kube_down() - Remove the pods a YAML text describes
 * @force: remove the volumes of its PersistentVolumeClaims too
 *
 * Pods that do not exist are skipped, as Podman does.
 * Return: {"stopped": [ID...], "removed": [ID...], "volumes": [NAME...]},
 * or NULL.
 */
json_t *husk_op_kube_down (struct husk_engine *e, const char *text, size_t len, bool force,
                           husk_error_t *err);

/**
 * husk_op_kube_generate() - Kubernetes YAML for a pod or containers
 * @refs: one pod, or containers (not infra containers)
 * @type: "pod" or "deployment"
 *
 * Return: the YAML text (caller frees), or NULL (ENOENT for a name that is
 * neither).
 */
char *husk_op_kube_generate (struct husk_engine *e, char *const *refs, const char *type,
                             bool service, husk_error_t *err);

#endif
