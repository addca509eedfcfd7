/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libFuzzer target for the TOML reader: any input either parses, in both
   encodings alike, to a table that jansson can print, or fails in both with
   the same "line N: ..." message naming a line of the input.  */
#include "config/toml.h"
#include "util/cleanup.h"
#include "util/error.h"
#include "util/strutil.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static size_t
count_lines (const uint8_t *data, size_t size)
{
  size_t n = 1;

  for (size_t i = 0; i < size; i++)
    n += data[i] == '\n';
  return n;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  husk_error_t err = NULL, err_typed = NULL;
  cleanup_json json_t *plain = husk_toml_parse ((const char *) data, size, &err);
  cleanup_json json_t *typed = husk_toml_parse_typed ((const char *) data, size, &err_typed);
  cleanup_free char *out = NULL;
  unsigned long line;

  if ((plain == NULL) != (typed == NULL))
    abort ();
  if (plain != NULL)
    {
      if (!json_is_object (plain) || !json_is_object (typed))
        abort ();
      out = json_dumps (plain, JSON_COMPACT | JSON_ENCODE_ANY);
      if (out == NULL)
        abort ();
      return 0;
    }
  if (err == NULL || err_typed == NULL || strcmp (err->msg, err_typed->msg) != 0)
    abort ();
  if (!husk_has_prefix (err->msg, "line ") || (line = strtoul (err->msg + 5, NULL, 10)) < 1
      || line > count_lines (data, size))
    abort ();
  husk_error_release (&err);
  husk_error_release (&err_typed);
  return 0;
}
