/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Kubernetes YAML (docs/design/kube.md).  Three pure steps, none of which
 * touches the store, so each is fuzzed and unit-tested alone:
 *
 *   husk_kube_yaml_load()  YAML text (untrusted) -> JSON documents, with
 *                          libyaml, bounded in size, depth and nodes;
 *   husk_kube_plan()       documents -> a plan: the volumes, pods and the
 *                          create requests of their containers, every field
 *                          checked; a field or kind husk cannot honour is
 *                          refused by name;
 *   husk_kube_generate()   inspect objects -> a v1 Pod (or Deployment) and
 *                          Service document, and husk_kube_yaml_dump()
 *                          writes documents out with libyaml's emitter.
 *
 * ops/kube.c carries a plan out (and rolls it back), and removes what a
 * file describes.
 */
#ifndef HUSK_KUBE_KUBE_H
#define HUSK_KUBE_KUBE_H

#include "util/error.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Bounds on untrusted input.  */
#define HUSK_KUBE_MAX_INPUT (4u << 20) /* bytes of YAML */
#define HUSK_KUBE_MAX_DEPTH 64         /* nesting of mappings and sequences */
#define HUSK_KUBE_MAX_NODES 200000     /* nodes after aliases are expanded */
#define HUSK_KUBE_MAX_DOCS 256         /* documents in one file */

/**
 * husk_kube_yaml_load() - Parse YAML documents into JSON values
 * @text: the YAML (need not be NUL-terminated), at most HUSK_KUBE_MAX_INPUT
 *
 * Plain scalars become null, booleans, integers or reals when they read as
 * such (YAML 1.1's core forms), everything quoted or else a string.
 * Mapping keys must be scalars and unique.  Empty documents are dropped.
 * Return: an array of the documents, or NULL (EINVAL "yaml: line N: ...").
 */
json_t *husk_kube_yaml_load (const char *text, size_t len, husk_error_t *err);

/**
 * husk_kube_yaml_dump() - Write JSON values as YAML documents
 * @docs: an array of objects; each becomes one document ("---" between)
 *
 * Strings that would read back as another type are quoted.
 * Return: the text (caller frees), or NULL.
 */
char *husk_kube_yaml_dump (json_t *docs, husk_error_t *err);

/* What `kube play` was asked beyond the file.  */
struct husk_kube_plan_opts
{
  char *const *networks; /* --network (NULL: the pod's default) */
  bool names_only;       /* kube down: only the pods' and volumes' names */
  char *const *publish;  /* --publish: more ports for every pod */
  char *const *annotations; /* --annotation KEY=VALUE: on every container */
  const char *userns;    /* --userns for every pod */
  bool no_hosts;         /* --no-hosts */
  bool quiet;            /* --quiet: no pull progress */
  const char *log_driver;   /* --log-driver for every container */
  char *const *log_opts;    /* --log-opt */
};

/**
 * husk_kube_plan() - Plan what the documents describe
 * @docs: from husk_kube_yaml_load()
 *
 * ConfigMaps are read first, then PersistentVolumeClaims, then Pods and
 * Deployments in file order (Podman's order).
 * Return: {"volumes": [NAME...], "pods": [{"name", "req": pod create
 * request, "hostpaths": [{"path", "type"}], "containers": [{"name",
 * "image", "req"}]}], "warnings": [TEXT...]}, or NULL with EINVAL naming
 * the document, kind and field at fault.
 */
json_t *husk_kube_plan (json_t *docs, const struct husk_kube_plan_opts *o, husk_error_t *err);

/**
 * husk_kube_quantity() - A Kubernetes resource quantity in thousandths
 * @s: "128Mi", "1G", "500m", "0.5", "2" (at most 3 decimals)
 *
 * Return: 0 with *milli set (bytes * 1000 for memory, millicores for cpu),
 * or -1 (EINVAL; also on overflow).
 */
int husk_kube_quantity (const char *s, int64_t *milli, husk_error_t *err);

/**
 * husk_kube_generate() - Kubernetes documents for a pod or containers
 * @pod:        `pod inspect` of the pod, or NULL for lone containers
 * @ctrs:       `container inspect` objects of the containers to describe
 *              (a pod's members, its infra left out)
 * @type:       "pod" or "deployment"
 * @service:    add a Service for the published ports
 *
 * Return: an array of documents, or NULL (EINVAL).
 */
json_t *husk_kube_generate (json_t *pod, json_t *ctrs, const char *type, bool service,
                            husk_error_t *err);

/* A PersistentVolumeClaim document for a volume (`volume inspect`), as
   Podman writes it.  */
json_t *husk_kube_generate_pvc (json_t *vol);

#endif
