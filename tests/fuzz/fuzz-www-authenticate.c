/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libFuzzer target for WWW-Authenticate challenges (the header a registry
   answers 401 with): what parses has a lowercase token for scheme and, for
   Bearer, a realm; what fails says why and leaves nothing behind.  */
#include "registry/registry.h"
#include "util/cleanup.h"
#include "util/error.h"
#include "util/strutil.h"

#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  cleanup_free char *s = husk_xstrndup ((const char *) data, size);
  struct husk_challenge c;
  husk_error_t err = NULL;

  if (husk_challenge_parse (s, &c, &err) < 0)
    {
      if (err == NULL || err->msg == NULL || c.scheme || c.realm || c.service || c.scope)
        abort ();
      husk_error_release (&err);
      return 0;
    }
  if (err != NULL || c.scheme == NULL || *c.scheme == '\0')
    abort ();
  for (const char *p = c.scheme; *p; p++)
    if (isupper ((unsigned char) *p) || isspace ((unsigned char) *p) || *p == ',' || *p == '=')
      abort ();
  if (strcmp (c.scheme, "bearer") == 0 && (c.realm == NULL || *c.realm == '\0'))
    abort ();
  husk_challenge_release (&c);
  return 0;
}
