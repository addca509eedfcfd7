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
  char *format, *since, *until;
  bool no_trunc, stream;
};

struct printer
{
  struct cli_ctx *ctx;
  const char *format;
};

static int
print_event (void *data, const struct husk_event_rec *ev)
{
  struct printer *p = data;
  int r = 0;

  if (p->format == NULL)
    {
      cleanup_free char *line = husk_event_human (ev);
      puts (line);
    }
  else if (strcmp (p->format, "json") == 0)
    {
      cleanup_json json_t *j = husk_event_json (ev);
      cleanup_free char *s = json_dumps (j, JSON_COMPACT);
      puts (s);
    }
  else
    {
      cleanup_json json_t *one = json_array ();
      json_array_append_new (one, husk_event_template_object (ev));
      r = cli_print_objects (p->ctx, p->format, one) < 0 ? -1 : 0;
    }
  fflush (stdout);
  return r;
}

int
cmd_events (struct cli_ctx *ctx, int argc, char **argv)
{
  static const struct cli_option opts[] = {
    { "filter", 'f', OPT_STRV, offsetof (struct events_opts, filter), "stringArray", "filter output" },
    { "format", 0, OPT_STRING, offsetof (struct events_opts, format), "string", "format the output using a Go template" },
    { "no-trunc", 0, OPT_BOOL, offsetof (struct events_opts, no_trunc), NULL, "do not truncate the output (default true)" },
    { "since", 0, OPT_STRING, offsetof (struct events_opts, since), "string", "show all events created since timestamp" },
    { "stream", 0, OPT_BOOL, offsetof (struct events_opts, stream), NULL, "stream events and do not exit when returning the last known event (default true)" },
    { "until", 0, OPT_STRING, offsetof (struct events_opts, until), "string", "show all events until timestamp" },
    OPTION_END,
  };
  struct events_opts o = { .stream = true };
  struct husk_events_stream_opts so = { 0 };
  struct printer p = { ctx, NULL };

  PARSE (opts, o, "[options]", true);
  /* "--stream false" leaves "false" here: a boolean takes its value only
     as "--stream=false", as in Podman.  */
  if (args[0])
    return cli_usage_error (ctx, "`%s` takes no arguments", ctx->cmd_path), cli_fail (ctx);
  if (husk_op_events_time (o.since, &so.since_ns, &ctx->err) < 0
      || husk_op_events_time (o.until, &so.until_ns, &ctx->err) < 0)
    return cli_fail (ctx);
  so.filters = o.filter;
  so.follow = o.stream && o.until == NULL;
  p.format = o.format;
  /* A template error was reported by cli_print_objects into ctx->err.  */
  if (husk_op_events_stream (ctx->engine, &so, print_event, &p, &ctx->err) != 0)
    return cli_fail (ctx);
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
  { "run", cmd_healthcheck_run, CMD_ENGINE | CMD_USERNS | CMD_STARTS, NULL, "Run the health check of a container" },
  { NULL, NULL, 0, NULL, NULL },
};
