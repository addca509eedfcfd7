/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Inside the layer store: the store itself and the storage driver ops that
 * overlay.c and vfs.c implement.  store.c owns the layout common to both
 * (tmp/, layers/<hex>/{blob,layer.json}, the rename protocol, mount counts);
 * a driver owns what a layer directory means for mounting.  Internal to
 * storage/.
 */
#ifndef HUSK_STORAGE_DRIVER_H
#define HUSK_STORAGE_DRIVER_H

#include "storage/store.h"
#include "storage/tar.h"
#include "util/error.h"

#include <stdbool.h>

struct husk_storage_driver;

struct husk_store
{
  char *graphroot;
  char *runroot;
  char *dir;         /* <graphroot>/<driver> */
  char *rundir;      /* <runroot>/<driver> */
  int dir_fd;        /* dir, O_PATH */
  bool rootless;
  bool ignore_chown_errors; /* <driver>.ignore_chown_errors=true */
  bool legacy_mount;        /* overlay.mount_api=legacy: no lowerdir+ */
  char *mount_program;      /* overlay through FUSE (fuse-overlayfs), or NULL */
  char *reason;             /* why this driver (and mount program) */
  const struct husk_storage_driver *driver;
};

struct husk_storage_driver
{
  const char *name;
  enum husk_whiteout_mode whiteout;

  /* Fill layer_fd/diff (already created, empty) before the layer's tar is
     applied to it; parent_hex is NULL for a base layer.  */
  int (*layer_prepare) (struct husk_store *s, const char *parent_hex, int layer_fd,
                        husk_error_t *err);
  /* Last step before layer_fd (in tmp/) is renamed to layers/<hex>.  */
  int (*layer_commit) (struct husk_store *s, const char *hex, const char *parent_hex,
                       int layer_fd, husk_error_t *err);
  /* Undo what layer_commit did outside layer_fd (NULL-safe no-op if none);
     called for a layer that lost the rename race or is being removed.  */
  void (*layer_release) (struct husk_store *s, int layer_fd);
  /* Mount the image whose top layer is hex read-only at target; NULL when
     the layer's diff is the image's whole tree (vfs).  */
  int (*image_mount) (struct husk_store *s, const char *hex, const char *target,
                      husk_error_t *err);
  /* Fill a fresh container directory ctr_fd; image_hex NULL for none.  */
  int (*container_prepare) (struct husk_store *s, const char *image_hex, int ctr_fd,
                            husk_error_t *err);
  /* Mount container id's rootfs at target; NULL when containers/<id>/diff
     is the rootfs itself (vfs).  */
  int (*container_mount) (struct husk_store *s, const char *id, const char *target,
                          husk_error_t *err);
};

extern const struct husk_storage_driver husk_storage_overlay;
extern const struct husk_storage_driver husk_storage_vfs;

/* overlay.c: whether kernel overlay mounts (with upper and work dirs) work
   in the directory dir.  Return: 0 when they do, else -1 with the reason. */
int husk_overlay_probe (const char *dir, husk_error_t *err);

/* fuse.c: the fuse-overlayfs found in $PATH (a new string), or NULL (also
   when /dev/fuse cannot be opened).  */
char *husk_fuse_overlay_find (void);
/* fuse.c: mount an overlay of base/lowers[...] (top first), with
   base/upper and base/work when upper is not NULL, at target, by running
   program (fuse-overlayfs).  Return: 0, or -1.  */
int husk_fuse_overlay_mount (const char *program, const char *base, char **lowers,
                             const char *upper, const char *work, const char *target,
                             husk_error_t *err);

/* store.c: a work directory in tmp/, locked for as long as it is open so
   that husk_store_open() in another process leaves it alone.  */
struct husk_work_dir
{
  char *name; /* under tmp/ */
  char *path; /* absolute */
  int fd;     /* O_RDONLY directory, flock()ed */
};
int husk_store_work_new (struct husk_store *s, const char *prefix,
                         struct husk_work_dir *w, husk_error_t *err);
/* Remove the work directory (unless moved away) and release it.  */
void husk_store_work_discard (struct husk_store *s, struct husk_work_dir *w);

/* "sha256:<hex>" -> "<hex>" after checking it; NULL with an error else.  */
const char *husk_store_chain_hex (const char *chain_id, husk_error_t *err);

/* Whether path is the root of a mount.  */
bool husk_store_is_mountpoint (const char *path);

#endif
