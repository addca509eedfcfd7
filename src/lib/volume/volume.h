/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Named volumes on disk, with the "local" driver only.  A volume is the
 * directory <root>/volumes/<name>/ (mode 0700) holding _data/ (mode 0755),
 * the directory containers see, as in Podman's layout.  A volume made with
 * mount options (--opt type=tmpfs, --opt o=bind --opt device=/path) gets
 * its file system mounted on _data when it is first used and keeps it
 * until the volume is removed.  Which volumes exist, their labels and
 * options are the state database's business (state/volumes.h); this module
 * owns the files only, and ops/volume.c keeps the two in step.
 */
#ifndef HUSK_VOLUME_VOLUME_H
#define HUSK_VOLUME_VOLUME_H

#include "util/error.h"

#include <jansson.h>
#include <stdbool.h>

/* True when name matches [a-zA-Z0-9][a-zA-Z0-9_.-]* (so it can never be
   ".", ".." or contain a '/').  */
bool husk_volume_name_valid (const char *name);

/* "<volpath>/<name>" and "<volpath>/<name>/_data" (caller frees); volpath
   is the engine's volume_path (--volumepath, default <root>/volumes).  */
char *husk_volume_dir (const char *volpath, const char *name);
char *husk_volume_data_dir (const char *volpath, const char *name);

/**
 * husk_volume_options_parse() - Check --opt values for the local driver
 * @opts: "key=value" strings (NULL-terminated; may be NULL); keys are
 *        "type", "device" and "o" (comma-separated mount options)
 *
 * A bind volume (o=bind or o=rbind) needs an absolute, existing device
 * directory; any other type but tmpfs needs a device; a device or o
 * without a type (and without bind) is refused.
 *
 * Return: the options as a JSON object (empty when none), or NULL.
 */
json_t *husk_volume_options_parse (char *const *opts, husk_error_t *err);

/* True when the options ask for a mount on _data.  */
bool husk_volume_options_need_mount (json_t *options);

/* Make <root>/volumes/<name>/_data.  Directories that exist are fine (two
   containers may create a volume at once).  */
int husk_volume_dirs_create (const char *volpath, const char *name, husk_error_t *err);

/* Unmount _data when mounted, then remove the volume's directory.  Refuses
   (EBUSY) rather than remove anything below a mount that stays.  Missing
   is fine.  */
int husk_volume_dirs_remove (const char *volpath, const char *name, husk_error_t *err);

/**
 * husk_volume_mount() - Mount a volume's file system on its _data
 * @data_dir: the volume's _data
 * @options:  its options (husk_volume_options_parse)
 *
 * Does nothing when the options ask for no mount or _data is a mount
 * point already.  Return: 1 when it mounted, 0 when nothing was to do, -1.
 */
int husk_volume_mount (const char *data_dir, json_t *options, husk_error_t *err);

/* Detach whatever is mounted on data_dir (stacked mounts too).  Not
   mounted is fine.  */
int husk_volume_unmount (const char *data_dir, husk_error_t *err);

/* True when data_dir is the root of a mount.  */
bool husk_volume_is_mounted (const char *data_dir);

/* Return: 1 when the directory fd has no entries, 0 when it has, -1.  */
int husk_volume_is_empty (int dir_fd, husk_error_t *err);

/**
 * husk_volume_copy_up() - Seed a volume with an image's content
 * @rootfs:  the container's mounted root file system
 * @dest:    the mount destination inside it ("/etc")
 * @data_fd: the volume's _data directory, empty
 *
 * @dest is opened inside @rootfs with openat2(RESOLVE_IN_ROOT), so ".."
 * and symlinks (even absolute ones) resolve within the image and never
 * reach the host.  Its content is copied with owners, modes, xattrs, times,
 * hard links and symlinks (as links), and _data takes the directory's own
 * owner and mode, as Docker does.
 *
 * Return: 1 when copied, 0 when @dest is not a directory in the image, -1.
 */
int husk_volume_copy_up (const char *rootfs, const char *dest, int data_fd, bool rootless,
                         husk_error_t *err);

/* Extract a tar (plain, gzip or zstd) read from in_fd into data_fd, with
   the layer extractor's guarantees: nothing is written outside.  */
int husk_volume_import (int data_fd, int in_fd, bool rootless, husk_error_t *err);

/**
 * husk_volume_export() - Write a volume's content as a tar to out_fd
 * @data_fd: the directory to archive (its entries, not itself)
 *
 * The walk uses directory fds and never follows a symlink.  Entries are
 * pax, named relative to the directory ("dir/", "dir/file"), with owners,
 * modes, times, symlinks, hard links, devices and fifos; sockets and xattrs
 * are left out.  Return: 0, or -1.
 */
int husk_volume_export (int data_fd, int out_fd, husk_error_t *err);

#endif
