/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * husk manifest: local manifest lists (OCI image indexes).  A list is an
 * image record of the store with no layers (design/images.md): its
 * manifest is the index as `manifest inspect` shows and `manifest push`
 * sends it, its config husk's own note of where each entry comes from
 * (a local image, or a repository of a registry), its ID random.
 */
#ifndef HUSK_OPS_MANIFEST_H
#define HUSK_OPS_MANIFEST_H

#include "ops/image.h"

/* What an entry says about itself (add, annotate).  */
struct husk_manifest_entry_opts
{
  char **annotations;               /* "KEY=VALUE" */
  const char *arch, *os, *os_version, *variant;
  char **os_features, **features;
};

struct husk_manifest_add_opts
{
  struct husk_registry_opts reg;
  int tls_verify;
  bool all;                         /* every entry of a remote list */
  struct husk_manifest_entry_opts entry;
};

/* Create list (a local name) with images in it.  annotations: of the
   index.  amend: an existing list is kept and added to.  Return: 0 with
   *id the list's ID, or -1 (EEXIST when list names an image).  */
int husk_op_manifest_create (struct husk_engine *e, const char *list, char **images,
                             char **annotations, bool amend,
                             const struct husk_manifest_add_opts *o, char **id,
                             husk_error_t *err);

/* Add an image (local first, else from its registry) to a list.  */
int husk_op_manifest_add (struct husk_engine *e, const char *list, const char *image,
                          const struct husk_manifest_add_opts *o, char **id,
                          husk_error_t *err);

/* Change the entry of target (a digest in the list, or a local image it
   holds), or with index the index's own annotations.  */
int husk_op_manifest_annotate (struct husk_engine *e, const char *list, const char *target,
                               bool index, const struct husk_manifest_entry_opts *o,
                               char **id, husk_error_t *err);

/* Drop the entry of digest.  ENOENT when the list has none.  */
int husk_op_manifest_remove (struct husk_engine *e, const char *list, const char *digest,
                             char **id, husk_error_t *err);

/* Whether list names a manifest list of the store.  */
bool husk_op_manifest_exists (struct husk_engine *e, const char *list);

/* Delete a list (not the images in it).  Return: 0 with *id and its
   *names (a vector), or -1.  */
int husk_op_manifest_rm (struct husk_engine *e, const char *list, char **id, char ***names,
                         husk_error_t *err);

/* The index of a local list, else the manifest of a remote reference
   (pretty JSON, as Podman prints it).  */
char *husk_op_manifest_inspect (struct husk_engine *e, const char *ref,
                                const struct husk_registry_opts *ro, husk_error_t *err);

struct husk_manifest_push_opts
{
  struct husk_push_opts push;
  bool all;       /* push the local images the list holds first */
  bool rm;        /* delete the local list once pushed */
};

/* Push a list (and with all, its local images) to dest (NULL: the list's
   name).  Return: 0 with *digest the index's, or -1.  */
int husk_op_manifest_push (struct husk_engine *e, const char *list, const char *dest,
                           const struct husk_manifest_push_opts *o, char **digest,
                           husk_error_t *err);

/* Inside ops/: the registry halves (image_manifest_remote.c in
   husk-registry; image_manifest_exec.c in the static husk runs the
   command again there).  */

/* A manifest of a registry: *body, its media type and digest, the
   repository "host/repo" it is in.  */
struct husk_remote_manifest
{
  char *body, *type, *digest, *repo;
  size_t len;
  json_t *platform;   /* image manifests: from their config */
};
void husk_remote_manifest_release (struct husk_remote_manifest *m);

/* Fetch ref's manifest ("docker://" allowed); an image manifest comes
   with its config's platform.  digest: fetch this one of ref's repository
   instead.  Return: 0, or -1.  */
int husk_op_manifest_fetch (struct husk_engine *e, const char *ref, const char *digest,
                            const struct husk_registry_opts *ro,
                            struct husk_remote_manifest *out, husk_error_t *err);

/* A local list: its ID, index and the sources of its entries
   ({"DIGEST": {"image": ID} or {"repo": "HOST/REPO"}}).  ENOENT when
   list names nothing, EINVAL when it names an image that is no list.  */
int husk_op_manifest_load (struct husk_engine *e, const char *list, char **id,
                           json_t **index, json_t **sources, husk_error_t *err);

#endif
