/* SPDX-License-Identifier: GPL-2.0-or-later */
/* SHA-256 digests in the OCI "sha256:<hex>" form.  */
#ifndef HUSK_UTIL_DIGEST_H
#define HUSK_UTIL_DIGEST_H

#include "util/error.h"

#include <stddef.h>

#define HUSK_SHA256_HEX_LEN 64

struct husk_sha256;

struct husk_sha256 *husk_sha256_new (void);
void husk_sha256_update (struct husk_sha256 *h, const void *data, size_t len);
/* Finish and free h; write 64 hex digits plus NUL into hex.  */
void husk_sha256_final (struct husk_sha256 *h, char hex[HUSK_SHA256_HEX_LEN + 1]);
void husk_sha256_free (struct husk_sha256 *h);

/* "sha256:<hex>" of a buffer.  */
char *husk_digest_buf (const void *data, size_t len);
/* "sha256:<hex>" of a file's content; NULL on error.  */
char *husk_digest_file (const char *path, husk_error_t *err);
/* True when d is "sha256:" followed by 64 lowercase hex digits.  */
int husk_digest_valid (const char *d);

#endif
