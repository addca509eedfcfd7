/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libFuzzer target for the kube YAML reader and planner (kube/kube.h):
   any input either loads into an array of documents or fails with a
   "yaml: ..." message; documents either plan into the documented shape or
   fail with a message; a plan's pods each have a name and containers
   with an image and a create request; and the documents written back out
   by the emitter load again to the same values.  */
#include "kube/kube.h"
#include "util/cleanup.h"
#include "util/error.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static void
check_plan (json_t *plan)
{
  size_t i, k;
  json_t *p, *c;

  if (!json_is_array (json_object_get (plan, "volumes"))
      || !json_is_array (json_object_get (plan, "warnings")))
    abort ();
  json_array_foreach (json_object_get (plan, "pods"), i, p)
    {
      if (!json_is_string (json_object_get (p, "name"))
          || !json_is_object (json_object_get (p, "req"))
          || json_array_size (json_object_get (p, "containers")) == 0)
        abort ();
      json_array_foreach (json_object_get (p, "containers"), k, c)
        if (!json_is_string (json_object_get (c, "image"))
            || !json_is_object (json_object_get (c, "req")))
          abort ();
    }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  husk_error_t err = NULL;
  cleanup_json json_t *docs = husk_kube_yaml_load ((const char *) data, size, &err);
  cleanup_json json_t *plan = NULL, *again = NULL;
  cleanup_free char *out = NULL;

  if (docs == NULL)
    {
      if (err == NULL || strncmp (err->msg, "yaml: ", 6) != 0)
        abort ();
      husk_error_release (&err);
      return 0;
    }
  if (!json_is_array (docs))
    abort ();
  plan = husk_kube_plan (docs, NULL, &err);
  if (plan == NULL)
    {
      if (err == NULL || err->msg[0] == '\0')
        abort ();
      husk_error_release (&err);
    }
  else
    check_plan (plan);
  /* Round trip through the emitter: only documents that are mappings are
     written (the emitter's input); what it writes loads to the same.  */
  {
    cleanup_json json_t *maps = json_array ();
    size_t i;
    json_t *d;

    json_array_foreach (docs, i, d)
      if (json_is_object (d))
        json_array_append (maps, d);
    if (json_array_size (maps) == 0)
      return 0;
    out = husk_kube_yaml_dump (maps, &err);
    if (out == NULL)
      {
        husk_error_release (&err);
        return 0;
      }
    again = husk_kube_yaml_load (out, strlen (out), &err);
    if (again == NULL || !json_equal (again, maps))
      abort ();
  }
  return 0;
}
