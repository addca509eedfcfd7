/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The layer store: layers as directories on disk, behind a storage driver
 * (overlay or vfs).  This module owns files only; which images use which
 * layers is recorded by state/ (SQLite), and ops/ keeps the two in step.
 *
 * Layout under <graphroot>/<driver>/ (driver = "overlay" or "vfs"):
 *   layers/<chain-hex>/diff/        the layer's files (vfs: the full rootfs)
 *   layers/<chain-hex>/blob         the layer tar exactly as it arrived
 *                                   (gzip, zstd or plain), so save and push
 *                                   reproduce the recorded diff ID bit for bit
 *   layers/<chain-hex>/layer.json   struct husk_layer_info as JSON
 *   layers/<chain-hex>/link         overlay: the short name in l/
 *   layers/<chain-hex>/lower        overlay: ancestors' "l/<short>:..." (parent
 *                                   first); absent for a base layer
 *   l/<short>                       overlay: symlink to ../layers/<hex>/diff
 *   empty/                          overlay: second lower of 1-layer mounts
 *   containers/<id>/{diff,work,merged}  a container's read-write layer
 *                                   (vfs: diff only, a copy of the image)
 *   containers/<id>/lower           overlay: the image's lowers
 *   tmp/                            work area; partial layers live here only
 * A layer directory appears by rename() from tmp/ once complete, so a crash
 * leaves at worst garbage in tmp/, which husk_store_open() clears (entries
 * in use by another process are flock()ed and left alone).
 * Under <runroot>/<driver>/: mounts/<chain-hex>/{count,merged} for image
 * mounts, containers/<id>/count for container mounts (overlay only).
 * <graphroot>/.husk-overlay-probe caches what the automatic choice found:
 * "ok" (kernel overlay mounts work), "fuse" (they do not, fuse-overlayfs
 * is used) or "fail" (neither: vfs), then the kernel's reason.
 */
#ifndef HUSK_STORAGE_STORE_H
#define HUSK_STORAGE_STORE_H

#include "util/error.h"

#include <stdbool.h>
#include <stdint.h>

struct husk_store;

struct husk_store_opts
{
  const char *graphroot; /* persistent root, e.g. /var/lib/husk/storage */
  const char *runroot;   /* runtime root, e.g. /run/husk/storage */
  const char *driver;    /* "overlay", "vfs", or NULL/"" to pick the best */
  char **driver_opts;    /* "overlay.mount_program=...", ... (may be NULL) */
  bool rootless;         /* no mknod, no chown outside the mapping */
  bool recorded;         /* driver is the one the store was made with */
};

enum husk_compression
{
  HUSK_COMPRESSION_NONE = 0,
  HUSK_COMPRESSION_GZIP,
  HUSK_COMPRESSION_ZSTD,
};

struct husk_layer_info
{
  char chain_id[72];        /* "sha256:<hex>" */
  char diff_id[72];         /* "sha256:<hex>" of the uncompressed tar */
  char parent[72];          /* parent chain ID, "" for a base layer */
  char blob_digest[72];     /* "sha256:<hex>" of the stored blob */
  int64_t blob_size;        /* bytes of the stored blob */
  int64_t size;             /* bytes of the uncompressed tar */
  enum husk_compression compression; /* of the stored blob */
};

/* Open (creating if needed) the store.  Return: store, or NULL.  */
struct husk_store *husk_store_open (const struct husk_store_opts *opts,
                                    husk_error_t *err);
void husk_store_free (struct husk_store *s);
/* "overlay" or "vfs".  */
const char *husk_store_driver_name (struct husk_store *s);
const char *husk_store_graphroot (struct husk_store *s);
/* The FUSE program that mounts overlays (overlay.mount_program, given or
   chosen), or NULL for the kernel's overlay.  */
const char *husk_store_mount_program (struct husk_store *s);
/* Why the driver (and mount program) was chosen, one sentence.  */
const char *husk_store_driver_reason (struct husk_store *s);

/**
 * husk_store_layer_create() - Apply a layer tar on top of a parent layer
 * @parent_chain:     chain ID of the parent, or NULL for a base layer
 * @blob_path:        the layer blob; compression is detected by content
 * @take:             rename blob_path into the layer instead of copying it
 * @expected_diff_id: when not NULL, the diff ID the content must have
 * @out:              filled with the layer's metadata
 *
 * Refuses any entry that would land outside the layer (absolute paths,
 * "..", writes through symlinks, hard links out of the tree) with an error
 * naming the entry.  On any failure nothing of the layer remains.  When the
 * layer exists already this verifies nothing more and just fills @out.
 * With @take, success consumes blob_path (moved in, or removed when the
 * layer existed); failure leaves it where it was.  Safe against other
 * processes creating the same layer at the same time.
 * Return: 0, or -1.
 */
int husk_store_layer_create (struct husk_store *s, const char *parent_chain,
                             const char *blob_path, bool take,
                             const char *expected_diff_id,
                             struct husk_layer_info *out, husk_error_t *err);

/* The same, reading the blob from @blob_path (a pipe, say) and keeping as
   the layer's blob the file @blob_fd, which must hold the very same bytes
   once the blob has been read (a download's O_TMPFILE in the store's tmp
   directory): it is linked in, not written a second time.  */
int husk_store_layer_create_linked (struct husk_store *s, const char *parent_chain,
                                    const char *blob_path, int blob_fd,
                                    const char *expected_diff_id,
                                    struct husk_layer_info *out, husk_error_t *err);

bool husk_store_layer_exists (struct husk_store *s, const char *chain_id);
int husk_store_layer_info (struct husk_store *s, const char *chain_id,
                           struct husk_layer_info *out, husk_error_t *err);
/* Remove a layer (no check that nothing uses it: ops/ decides).  */
int husk_store_layer_remove (struct husk_store *s, const char *chain_id,
                             husk_error_t *err);
/* Path of the stored blob (caller frees).  */
char *husk_store_layer_blob_path (struct husk_store *s, const char *chain_id);
/* Write the layer's uncompressed tar to fd; its sha256 is the diff ID.  */
int husk_store_layer_export (struct husk_store *s, const char *chain_id,
                             int out_fd, husk_error_t *err);

/* Chain ID of (parent, diff_id): diff_id for a base layer, else
   sha256 of "<parent> <diff_id>".  Writes into out[72].  */
void husk_store_chain_id (const char *parent_chain, const char *diff_id,
                          char out[72]);

/* Mount the image whose top layer is chain_id read-only; return the mount
   point (caller frees).  Mounts are counted, so nested mounts are fine.
   vfs: returns the layer's own directory, which must not be written.  */
char *husk_store_image_mount (struct husk_store *s, const char *chain_id,
                              husk_error_t *err);
/* Whether `image mount` holds the image whose top layer is chain_id (its
   mount point is mounted; the count directory outlives the mount).  */
bool husk_store_image_mounted (struct husk_store *s, const char *chain_id);
int husk_store_image_unmount (struct husk_store *s, const char *chain_id,
                              bool force, husk_error_t *err);

/* Container read-write layers (used from the containers issue on).
   image_chain may be NULL for an empty rootfs.  container_mount returns
   the rootfs path (overlay: containers/<id>/merged, counted; vfs:
   containers/<id>/diff); container_remove unmounts first.  */
int husk_store_container_create (struct husk_store *s, const char *id,
                                 const char *image_chain, husk_error_t *err);
/**
 * husk_store_container_create_mapped() - A container layer for a container
 * with a user namespace of its own
 * @uids, @gids: the container's maps (util/idmap.h)
 *
 * Like husk_store_container_create(), but the image's files are a copy of
 * the image owned by the host IDs the container's IDs map to (overlay:
 * the container's one lower layer; vfs: its diff), and the upper
 * directory's root is owned by the container's root.
 */
struct husk_idmap;
int husk_store_container_create_mapped (struct husk_store *s, const char *id,
                                        const char *image_chain,
                                        const struct husk_idmap *uids,
                                        const struct husk_idmap *gids, husk_error_t *err);
/* Mark a container's layer as transient (a --rm container): the overlay
   driver then mounts it "volatile", without the sync of the upper file
   system at unmount (milliseconds per container) that a layer about to
   be removed does not need.  Return: 0, or -1.  */
int husk_store_container_set_transient (struct husk_store *s, const char *id,
                                        husk_error_t *err);

char *husk_store_container_mount (struct husk_store *s, const char *id,
                                  husk_error_t *err);
int husk_store_container_unmount (struct husk_store *s, const char *id,
                                  bool force, husk_error_t *err);
int husk_store_container_remove (struct husk_store *s, const char *id,
                                 husk_error_t *err);

/**
 * husk_store_container_remove_later() - Take a container's storage out of
 *   the store now; delete its files later
 * @also:  another directory of the container that goes with it (its
 *         bundle), or NULL; moved in if it is on the same file system,
 *         else removed at once
 * @trash: set to the name of the work directory in husk_store_tmp_dir()
 *         that now holds them
 *
 * The container's storage is gone from the store as soon as this returns;
 * deleting the files (milliseconds of rmdir on ext4) is left to whoever
 * the caller hands @trash: it locks the directory (flock) before it
 * deletes it, and husk_store_open() clears one that nobody holds, so
 * whichever comes first deletes it and nothing stays behind.
 */
int husk_store_container_remove_later (struct husk_store *s, const char *id,
                                       const char *also, char **trash, husk_error_t *err);

/* The store's work area, where trash from husk_store_container_remove_later()
   is (a new string).  */
char *husk_store_tmp_dir (struct husk_store *s);

/* The store's cache directory, for what can be worked out again (such as
   the compressed digests a push made; a new string).  */
char *husk_store_cache_dir (struct husk_store *s);

/* Remove everything of this store (system reset).  */
int husk_store_wipe (struct husk_store *s, husk_error_t *err);

#endif
