/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Reading a layer blob: detect its compression, decompress it, and hash both
 * the raw bytes (the blob digest) and the decompressed bytes (the diff ID) on
 * the way.  Optionally every raw byte is also copied to a second fd, so a
 * blob is read once whether it is extracted, stored or both.  Internal to
 * storage/.
 */
#ifndef HUSK_STORAGE_BLOB_H
#define HUSK_STORAGE_BLOB_H

#include "storage/store.h"
#include "util/error.h"

#include <stdint.h>
#include <sys/types.h>

/* Size of the read and decompression buffers.  */
#define HUSK_BLOB_BUFSIZE (256 * 1024)

struct husk_blob_reader;

/**
 * husk_blob_reader_new() - Start reading a blob
 * @fd:     the blob, read from its current offset to its end (not closed)
 * @tee_fd: when >= 0, every raw byte read is also written here
 *
 * Reads the first bytes to detect the compression.
 * Return: reader, or NULL.
 */
struct husk_blob_reader *husk_blob_reader_new (int fd, int tee_fd, husk_error_t *err);

/**
 * husk_blob_reader_read() - Next chunk of decompressed data
 * @data: set to the chunk, valid until the next call
 *
 * Return: bytes in the chunk, 0 at the end of the stream, or -1.
 */
ssize_t husk_blob_reader_read (struct husk_blob_reader *r, const void **data,
                               husk_error_t *err);

/* Read (and hash) whatever remains.  Return: 0, or -1.  */
int husk_blob_reader_drain (struct husk_blob_reader *r, husk_error_t *err);

enum husk_compression husk_blob_reader_compression (struct husk_blob_reader *r);
/* Bytes of decompressed data and of raw blob seen so far.  */
int64_t husk_blob_reader_size (struct husk_blob_reader *r);
int64_t husk_blob_reader_raw_size (struct husk_blob_reader *r);

/* After the end: "sha256:<hex>" of the decompressed stream and of the raw
   blob.  Either pointer may be NULL.  Call once.  */
void husk_blob_reader_digests (struct husk_blob_reader *r, char diff_id[72],
                               char blob_digest[72]);

void husk_blob_reader_free (struct husk_blob_reader *r);

/* "gzip", "zstd" or "none".  */
const char *husk_compression_name (enum husk_compression c);

#endif
