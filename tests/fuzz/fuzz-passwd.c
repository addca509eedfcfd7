/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libFuzzer target for the /etc/passwd and /etc/group readers behind
   husk_user_resolve_data(): the input is an image's passwd file, its group
   file, the --user value and --group-add values, separated by NUL bytes.
   Any input either resolves to a user whose supplementary groups are
   within the kernel's limit and free of repeats, or fails with a message;
   the time taken stays near-linear in the input.

   The same files and user then go through husk_passwd_entries()
   (container/passwd.c), with the first two --group-add values doubling
   as --passwd-entry and --group-entry templates when they pass the
   create-time checks: a line it returns is exactly one entry of 7 (or 4)
   fields.  */
#include "container/passwd.h"
#include "runtime/user.h"
#include "util/cleanup.h"
#include "util/error.h"
#include "util/strutil.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

#define PIECES_MAX 8

/* One line, ending in its newline, with fields fields.  */
static void
check_line (const char *line, size_t fields)
{
  size_t n = 1, len;

  if (line == NULL)
    return;
  len = strlen (line);
  if (len < 2 || line[len - 1] != '\n' || memchr (line, '\n', len - 1) || line[0] == ':')
    abort ();
  for (size_t i = 0; i < len; i++)
    n += line[i] == ':';
  if (n != fields)
    abort ();
}

static void
fuzz_entries (const char **piece, const size_t *len, size_t n, const char *spec, char **add)
{
  const char *ptmpl = add[0], *gtmpl = add[0] ? add[1] : NULL;
  struct husk_passwd_opts o = { spec, "/home/x", NULL, NULL };
  char *pw = NULL, *gr = NULL;
  husk_error_t err = NULL;

  if (ptmpl && husk_passwd_check_entry (ptmpl, NULL) == 0)
    o.passwd_entry = ptmpl;
  if (gtmpl && husk_passwd_check_group_entry (gtmpl, NULL) == 0)
    o.group_entry = gtmpl;
  if (husk_passwd_entries (piece[0], len[0], n > 1 ? piece[1] : NULL, n > 1 ? len[1] : 0, &o,
                           &pw, &gr, &err) < 0)
    {
      if (err == NULL || err->msg == NULL || *err->msg == '\0' || pw || gr)
        abort ();
      husk_error_release (&err);
      return;
    }
  check_line (pw, 7);
  check_line (gr, 4);
  free (pw);
  free (gr);
}

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

  fuzz_entries (piece, len, n, spec, add);
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
