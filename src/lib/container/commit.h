/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * commit: a new image from a container's changes (commit.c).  This is the
 * work on the layer store and the config; ops/container_fs.c resolves the
 * container, pauses it when asked, records and tags the image and the
 * event, and calls husk_container_commit_drop_layer() when the record
 * fails.
 *
 * Theory of operation: the read-write layer is written as a tar into the
 * store's work area (its tmp/, a file locked while it is written, so only
 * the file of a commit that died is cleared by the next command): overlay's
 * upper directory as it is (whiteouts as ".wh." files), vfs's copy as the
 * list of its changes against the image.  husk_store_layer_create() applies
 * it on top of the image's top layer.
 */
#ifndef HUSK_CONTAINER_COMMIT_H
#define HUSK_CONTAINER_COMMIT_H

#include "engine/engine.h"
#include "state/containers.h"
#include "state/state.h"
#include "storage/store.h"
#include "util/error.h"

#include <stdbool.h>

struct husk_commit_opts
{
  const char *reference; /* name of the new image, or NULL */
  char **changes;        /* --change instructions ("CMD x" or "CMD=x") */
  const char *message;   /* history comment */
  const char *author;
  const char *format;    /* "oci" (default) or "docker" */
  bool pause;            /* pause a running container meanwhile */
};

/* Check what can be checked before any work: the format, the reference
   and the --change instructions.  Return: 0, or -1 (EINVAL).  */
int husk_container_commit_check (const struct husk_commit_opts *o, husk_error_t *err);

/**
 * husk_container_commit_layer() - The container's changes as a new layer
 * @img:  the container's image: the layer goes on top of its top layer
 * @info: set to the new layer's (chain ID, diff ID, size)
 *
 * Return: 0, or -1 (no layer is left).
 */
int husk_container_commit_layer (struct husk_engine *e, const struct husk_container_rec *r,
                                 const struct husk_image_rec *img,
                                 struct husk_layer_info *info, husk_error_t *err);

/**
 * husk_container_commit_config() - The new image's config, Docker's commit
 * @diff_id: the new layer's diff ID
 *
 * The image's config with the container's Env, Entrypoint, Cmd,
 * WorkingDir, User and Labels, the new layer, a history entry and the
 * --change instructions applied.
 * Return: the config as compact JSON, or NULL.
 */
char *husk_container_commit_config (const struct husk_image_rec *img,
                                    const struct husk_container_rec *r,
                                    const struct husk_commit_opts *o, const char *diff_id,
                                    husk_error_t *err);

/* Remove the layer a failed commit made, unless an image records it.  */
void husk_container_commit_drop_layer (struct husk_engine *e, const char *chain);

#endif
