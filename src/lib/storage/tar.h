/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Applying a layer tar to a directory, safely.  Used by the layer store, cp
 * and volume import.  Every path is resolved beneath the root directory fd
 * with openat2(RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_SYMLINKS
 * for the parent), so no entry can reach outside, and all metadata is set
 * through descriptors of what was made (storage/resolve.h), so a process
 * racing the apply in a running container cannot redirect it either.
 */
#ifndef HUSK_STORAGE_TAR_H
#define HUSK_STORAGE_TAR_H

#include "storage/store.h"
#include "util/error.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum husk_whiteout_mode
{
  HUSK_WHITEOUT_OVERLAY, /* write char 0/0 devices and the opaque xattr */
  HUSK_WHITEOUT_DELETE,  /* vfs: delete what the whiteout names */
  HUSK_WHITEOUT_REFUSE,  /* not a layer (cp): a ".wh." name fails the entry */
};

struct husk_idmap;

struct husk_tar_apply_opts
{
  enum husk_whiteout_mode whiteout;
  bool rootless;        /* skip device nodes and ownership that cannot be set */
  bool ignore_chown_errors;
  /* The owners in the tar are IDs of a container with these maps: files
     get the host IDs they map to (util/idmap.h).  NULL: as they are.  */
  const struct husk_idmap *uids, *gids;
  bool aufs_fallback;   /* overlay: ".wh." files where 0/0 devices or the
                           opaque xattr cannot be made (a mount program's
                           store, which reads them) */
};

struct husk_tar_result
{
  char diff_id[72]; /* sha256 of the uncompressed stream */
  int64_t size;     /* bytes of the uncompressed stream */
  enum husk_compression compression;
  char blob_digest[72]; /* sha256 of the bytes read from in_fd */
  int64_t blob_size;    /* bytes read from in_fd */
};

/* Apply the (maybe compressed) tar read from in_fd to the directory root_fd.
   Return: 0, or -1 with an error naming the offending entry.  */
int husk_tar_apply (int in_fd, int root_fd, const struct husk_tar_apply_opts *opts,
                    struct husk_tar_result *res, husk_error_t *err);

/* Same, and copy every byte read from in_fd to tee_fd (when >= 0) on the
   way, so a blob can be stored and applied in one read.  */
int husk_tar_apply_tee (int in_fd, int tee_fd, int root_fd,
                        const struct husk_tar_apply_opts *opts,
                        struct husk_tar_result *res, husk_error_t *err);

/* Detect compression from the first bytes.  */
enum husk_compression husk_detect_compression (const unsigned char *buf, size_t len);

#endif
