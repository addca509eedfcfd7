/* SPDX-License-Identifier: GPL-2.0-or-later */
/* --mount type=image: the images a container mounts (see imgmount.c).  */
#ifndef HUSK_CONTAINER_IMGMOUNT_H
#define HUSK_CONTAINER_IMGMOUNT_H

#include "engine/engine.h"
#include "util/error.h"

#include <jansson.h>

/**
 * husk_container_image_mounts_prepare() - Mount the images a container mounts
 * @id: the container's ID
 * @c:  its configuration; "mounts" entries of type "image" name an image ID
 *
 * Called at every start, before the spec is written.  Each image is
 * mounted read-only through the store (counted: containers share it) and
 * the use is recorded in the container's run directory.
 *
 * Return: a copy of @c whose image mounts have the mount point as
 * "source" (for the spec only: the saved configuration keeps the ID), or
 * NULL.  What was mounted before a failure is released by
 * husk_container_image_mounts_release().
 */
json_t *husk_container_image_mounts_prepare (struct husk_engine *e, const char *id, json_t *c,
                                             husk_error_t *err);

/* Give back every image mount use the container holds; safe to repeat
   (each use is given back once).  */
void husk_container_image_mounts_release (struct husk_engine *e, const char *id);

#endif
