/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Fuzz the Go template engine: parse the input as a template, run it on a
   fixed object (plain, strict, and as a table header), and push the output
   through the tabwriter.  Execution is bounded by output and step limits,
   parsing by the nesting limit.  The input is also tried as a report
   --format string.  */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "format/report.h"
#include "format/tabwriter.h"
#include "format/template.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static const char sample[]
    = "{\"ID\":\"abc123\",\"Size\":1000000,\"Ratio\":1.5,\"N\":null,\"T\":true,"
      "\"Names\":[\"a\",\"b\",\"c\"],\"Labels\":{\"b\":\"2\",\"a\":\"1\"},"
      "\"Mixed\":[\"x\",1,2.5,null,true,{\"k\":[]}],\"Nested\":{\"A\":{\"B\":\"deep\"}},"
      "\"Str\":\"h\\u00e9llo <&>\"}";

static void
run (struct husk_template *t, json_t *obj, const struct husk_template_exec_options *o)
{
  struct husk_buf out = HUSK_BUF_INIT;
  husk_error_t err = NULL;
  cleanup (husk_tabwriter_free) struct husk_tabwriter *tw
      = husk_tabwriter_new (12, 2, 2, ' ', HUSK_TABWRITER_STRIP_ESCAPE);

  husk_template_exec_full (t, obj, o, &out, &err);
  husk_error_release (&err);
  if (out.len)
    {
      struct husk_buf aligned = HUSK_BUF_INIT;
      husk_tabwriter_write (tw, out.data, out.len);
      husk_tabwriter_flush (tw, &aligned);
      husk_buf_release (&aligned);
    }
  husk_buf_release (&out);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  cleanup_json json_t *obj = json_loads (sample, 0, NULL);
  struct husk_template_exec_options plain = { .max_output = 1 << 20, .max_steps = 100000 };
  struct husk_template_exec_options strict = plain, header = plain;
  cleanup_free char *text = NULL;
  husk_error_t err = NULL;
  struct husk_template *t;

  if (size > 1 << 16)
    return 0;
  t = husk_template_parse_named ("fuzz", (const char *) data, size, &err);
  husk_error_release (&err);
  if (t)
    {
      strict.strict = true;
      header.header_mode = true;
      run (t, obj, &plain);
      run (t, obj, &strict);
      run (t, obj, &header);
      husk_template_free (t);
    }
  /* As a --format string (NUL-terminated); small inputs only, as a report
     has no limits of its own.  */
  if (size < 512)
    {
      cleanup (husk_report_free) struct husk_report *r = NULL;
      text = strndup ((const char *) data, size);
      r = husk_report_new (text, NULL, &err);
      husk_error_release (&err);
      if (r && !memmem (data, size, "range", 5) && !memmem (data, size, "printf", 6)
          && !memmem (data, size, "pad", 3))
        {
          struct husk_buf out = HUSK_BUF_INIT;
          husk_report_add (r, obj);
          husk_report_render (r, &out, &err);
          husk_error_release (&err);
          husk_buf_release (&out);
        }
    }
  return 0;
}
