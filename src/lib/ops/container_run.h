/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What `create`, `run` and `start -a` do around the container operations
 * of ops/container.h: --cidfile and --replace planned before anything is
 * created (ops/container_create.c), and starting a container with its
 * output attached (ops/container_attach.c).
 */
#ifndef HUSK_OPS_CONTAINER_RUN_H
#define HUSK_OPS_CONTAINER_RUN_H

#include "engine/engine.h"
#include "state/containers.h"
#include "util/error.h"

#include <jansson.h>
#include <stdbool.h>

/* --cidfile, reserved before the container exists.  */
struct husk_cidfile
{
  int fd;     /* the new, empty file; -1 when none */
  char *path;
};

/**
 * husk_op_cidfile_reserve() - Make the --cidfile before creating anything
 * @path: the file, which must not exist
 * @c:    set up here; hand to husk_op_cidfile_commit() or _abandon()
 *
 * The file is created empty (O_EXCL, mode 0644), so two commands given the
 * same path cannot both go on, and nothing is created when it exists.
 * Return: 0, or -1 (EEXIST "container id file exists. Ensure another
 * container is not using it or delete PATH", as Podman).
 */
int husk_op_cidfile_reserve (const char *path, struct husk_cidfile *c, husk_error_t *err);
/* Write the ID into the reserved file and close it.  Return: 0, or -1.  */
int husk_op_cidfile_commit (struct husk_cidfile *c, const char *id, husk_error_t *err);
/* Remove the reserved file again (when it is still the one made) and close
   it.  Safe on a struct never reserved, and twice.  */
void husk_op_cidfile_abandon (struct husk_cidfile *c);

struct husk_create_opts
{
  const char *cidfile; /* write the new ID there; NULL: none */
  bool replace;        /* remove a container that has req's "name" first */
};

/**
 * husk_op_container_create_with() - Create a container with --cidfile and
 *   --replace
 * @req: the create request (husk_op_container_create())
 *
 * Plans first: the cidfile is reserved before the container with the same
 * name is removed (--replace) and before the new one is created, so an
 * existing cidfile leaves everything as it was.  A failure afterwards
 * removes the reserved file.
 * Return: 0 with *id_out set, or -1.
 */
int husk_op_container_create_with (struct husk_engine *e, const char *image, json_t *req,
                                   const struct husk_create_opts *o, char **id_out,
                                   husk_error_t *err);

struct husk_start_attach_opts
{
  int in_fd;               /* forwarded to the container's stdin; -1: none */
  int out_fd, err_fd;      /* where its stdout and stderr go */
  const char *detach_keys; /* NULL: "ctrl-p,ctrl-q"; "": none */
  /* --preserve-fds: the caller's own fds 3 .. 3+N-1 go to the process
     (open, and not husk's own: the caller checked); 0: none.  */
  int preserve_fds;
  /* Called once the container runs, before its output is read (run
     installs its signal proxy here); may be NULL.  */
  void (*started) (void *data, const struct husk_container_rec *r);
  void *data;
  /* Set when the exit code came but cleaning up after it failed (the
     container exited all the same); may be NULL.  */
  husk_error_t *cleanup_err;
};

/**
 * husk_op_container_start_attached() - Start a container and attach to it
 * @exit_hint: set to 0 once the container runs; when it could not be
 *             started 125, or 126/127 when its command cannot run
 *
 * Starts it with an attach socket connected before its process runs (so
 * no output is lost; the "attach" event is recorded with the start's),
 * attaches with the container's terminal setting, and when its exit code
 * comes cleans up as the monitor would have (--rm removes it).  Detached,
 * the monitor's exit command cleans up later.
 * Return: the container's exit code, HUSK_ATTACH_DETACHED, or -1.
 */
int husk_op_container_start_attached (struct husk_engine *e, const char *ref,
                                      const struct husk_start_attach_opts *o, int *exit_hint,
                                      husk_error_t *err);

#endif
