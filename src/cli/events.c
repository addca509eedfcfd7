/* SPDX-License-Identifier: GPL-2.0-or-later */
/* husk events and husk healthcheck run.  */
#include "cli/cli.h"
#include "cli/output.h"
#include "container/monitor.h"
#include "container/parse.h"
#include "format/humanize.h"
#include "events/events.h"
#include "ops/events.h"
#include "util/cleanup.h"
#include "util/strutil.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct events_opts
{
  char **filter;
  char *format, *since, *until, *stream;
  bool no_trunc;
};

static int
time_arg (const char *s, int64_t *ns, husk_error_t *err)
{
  int64_t d, t;
  char *end;
  long long sec;

  if (s == NULL)
    return *ns = 0, 0;
  if ((t = husk_timestamp_parse (s, strlen (s))) >= 0)
    return *ns = t, 0;
  if (husk_parse_duration (s, &d, NULL) == 0)
    return *ns = husk_now_ns () - d, 0;
  sec = strtoll (s, &end, 10);
  if (*end == '\0')
    return *ns = sec * 1000000000LL, 0;
  return husk_error_makex (err, EINVAL, "invalid time \"%s\"", s);
}

static int
print_batch (struct cli_ctx *ctx, const char *format, struct husk_event_filter *f,
             struct husk_event_rec *evs, size_t n, int64_t *last_seq)
{
  for (size_t i = 0; i < n; i++)
    {
      *last_seq = evs[i].seq;
      if (!husk_event_filter_match (f, &evs[i]))
        continue;
      if (format == NULL)
        {
          cleanup_free char *line = husk_event_human (&evs[i]);
          puts (line);
        }
      else if (strcmp (format, "json") == 0)
        {
          cleanup_json json_t *j = husk_event_json (&evs[i]);
          cleanup_free char *s = json_dumps (j, JSON_COMPACT);
          puts (s);
        }
      else
        {
          cleanup_json json_t *one = json_array ();
          json_array_append_new (one, husk_event_template_object (&evs[i]));
          if (cli_print_objects (ctx, format, one) < 0)
            return -1;
        }
    }
  fflush (stdout);
  return 0;
}

int
cmd_events (struct cli_ctx *ctx, int argc, char **argv)
{
  static const struct cli_option opts[] = {
    { "filter", 'f', OPT_STRV, offsetof (struct events_opts, filter), "stringArray", "filter output" },
    { "format", 0, OPT_STRING, offsetof (struct events_opts, format), "string", "format the output using a Go template" },
    { "no-trunc", 0, OPT_BOOL, offsetof (struct events_opts, no_trunc), NULL, "do not truncate the output (default true)" },
    { "since", 0, OPT_STRING, offsetof (struct events_opts, since), "string", "show all events created since timestamp" },
    { "stream", 0, OPT_STRING, offsetof (struct events_opts, stream), "bool", "stream events and do not exit when returning the last known event (default true)" },
    { "until", 0, OPT_STRING, offsetof (struct events_opts, until), "string", "show all events until timestamp" },
    OPTION_END,
  };
  struct events_opts o = { 0 };
  struct husk_event_filter *f;
  int64_t since = 0, until = 0, seq = 0;
  bool stream;

  PARSE (opts, o, "[options]", true);
  if (time_arg (o.since, &since, &ctx->err) < 0 || time_arg (o.until, &until, &ctx->err) < 0)
    return cli_fail (ctx);
  stream = (o.stream == NULL || strcmp (o.stream, "false") != 0) && o.until == NULL;
  f = husk_event_filter_new (o.filter, &ctx->err);
  if (f == NULL)
    return cli_fail (ctx);
  if (stream && o.since == NULL)
    {
      /* Streaming shows what happens from now on, as Podman does.  */
      struct husk_event_rec *evs = NULL;
      size_t n = 0;
      if (husk_op_events_list (ctx->engine, 0, 0, 0, &evs, &n, &ctx->err) < 0)
        {
          husk_event_filter_free (f);
          return cli_fail (ctx);
        }
      seq = n ? evs[n - 1].seq : 0;
      husk_event_rec_array_free (evs, n);
    }
  for (;;)
    {
      struct husk_event_rec *evs = NULL;
      size_t n = 0;
      if (husk_op_events_list (ctx->engine, seq, since, until, &evs, &n, &ctx->err) < 0
          || print_batch (ctx, o.format, f, evs, n, &seq) < 0)
        {
          husk_event_rec_array_free (evs, n);
          husk_event_filter_free (f);
          return cli_fail (ctx);
        }
      husk_event_rec_array_free (evs, n);
      if (!stream)
        break;
      usleep (200000);
    }
  husk_event_filter_free (f);
  return 0;
}

int
cmd_healthcheck_run (struct cli_ctx *ctx, int argc, char **argv)
{
  static const struct cli_option opts[] = { OPTION_END };
  struct events_opts o = { 0 };
  int r;

  PARSE (opts, o, "CONTAINER", true);
  if (husk_strv_len (args) != 1)
    return cli_usage_error (ctx, "accepts 1 arg(s), received %zu", husk_strv_len (args)), cli_fail (ctx);
  r = husk_op_healthcheck_run (ctx->engine, args[0], &ctx->err);
  if (r < 0)
    return cli_fail (ctx);
  if (r == 1)
    puts ("unhealthy");
  return r;
}

const struct cli_command cli_healthcheck_commands[] = {
  { "run", cmd_healthcheck_run, CMD_ENGINE | CMD_USERNS, NULL, "Run the health check of a container" },
  { NULL, NULL, 0, NULL, NULL },
};
