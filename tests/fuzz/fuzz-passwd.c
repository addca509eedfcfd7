/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libFuzzer target for the /etc/passwd and /etc/group readers behind
   husk_user_resolve_data(): the input is an image's passwd file, its group
   file, the --user value and --group-add values, separated by NUL bytes.
   Any input either resolves to a user whose supplementary groups are
   within the kernel's limit and free of repeats, or fails with a message;
   the time taken stays near-linear in the input.  */
#include "runtime/user.h"
#include "util/cleanup.h"
#include "util/error.h"
#include "util/strutil.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

#define PIECES_MAX 8

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  const char *piece[PIECES_MAX] = { NULL };
  size_t len[PIECES_MAX] = { 0 };
  size_t n = 0, start = 0;
  cleanup_free char *spec = NULL;
  cleanup_strv char **add = NULL;
  struct husk_user u;
  husk_error_t err = NULL;

  for (size_t i = 0; i <= size && n < PIECES_MAX; i++)
    if (i == size || data[i] == '\0')
      {
        piece[n] = (const char *) data + start;
        len[n++] = i - start;
        start = i + 1;
      }
  spec = husk_xstrndup (n > 2 ? piece[2] : "", n > 2 ? len[2] : 0);
  add = husk_xzalloc (sizeof *add);
  for (size_t i = 3; i < n; i++)
    husk_strv_take (&add, husk_xstrndup (piece[i], len[i]));

  if (husk_user_resolve_data (piece[0], len[0], n > 1 ? piece[1] : NULL, n > 1 ? len[1] : 0,
                              spec, add, &u, &err) < 0)
    {
      if (err == NULL || err->msg == NULL || *err->msg == '\0')
        abort ();
      husk_error_release (&err);
      return 0;
    }
  if (u.home == NULL || u.n_gids > 65536 || (u.n_gids > 0 && u.gids[0] != u.gid))
    abort ();
  for (size_t i = 0; i < u.n_gids && u.n_gids <= 4096; i++)
    for (size_t j = i + 1; j < u.n_gids; j++)
      if (u.gids[i] == u.gids[j])
        abort ();
  husk_user_release (&u);
  return 0;
}
