/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libFuzzer target for image references: whatever parses must print in a
   form that parses back to the same reference, in both its normalised and
   its familiar form.  */
#include "image/reference.h"
#include "util/cleanup.h"
#include "util/error.h"
#include "util/strutil.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

/* Parse s and check that it prints as want.  */
static void
check_reparse (const char *s, bool default_tag, const char *want)
{
  struct husk_reference r;
  cleanup_free char *again = NULL;

  if (husk_reference_parse (s, default_tag, &r, NULL) < 0)
    abort ();
  again = husk_reference_string (&r);
  if (strcmp (again, want) != 0)
    abort ();
  husk_reference_release (&r);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  cleanup_free char *s = NULL;
  cleanup_free char *str = NULL;
  cleanup_free char *name = NULL;
  cleanup_free char *fam = NULL;
  struct husk_reference r;
  husk_error_t err = NULL;
  bool default_tag;

  if (size < 1)
    return 0;
  default_tag = data[0] & 1;
  s = husk_xstrndup ((const char *) data + 1, size - 1);
  husk_reference_is_id (s);
  if (husk_reference_parse (s, default_tag, &r, &err) < 0)
    {
      if (err == NULL || err->msg == NULL || r.domain != NULL)
        abort ();
      husk_error_release (&err);
      return 0;
    }
  str = husk_reference_string (&r);
  name = husk_reference_name (&r);
  fam = husk_reference_familiar (&r);
  if (strlen (name) > 255 || (r.tag && strlen (r.tag) > 128))
    abort ();
  check_reparse (str, default_tag, str);
  check_reparse (fam, default_tag, str);
  husk_reference_release (&r);
  return 0;
}
