/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests of what husk and `husk-monitor --exec` agree on
 * (monproto/exec.c): the session's configuration and the runtime command
 * line built from it, the frame queue over a real SOCK_SEQPACKET pair, and
 * the parsing of the small frames.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "monproto/monproto.h"
#include "util/cleanup.h"
#include "util/strutil.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static char *
argv_text (char **argv)
{
  struct husk_buf b = HUSK_BUF_INIT;

  for (char **a = argv; *a; a++)
    husk_buf_printf (&b, "%s%s", a == argv ? "" : " ", *a);
  husk_buf_append (&b, "", 0);
  return husk_buf_steal (&b);
}

/* --- Configuration -------------------------------------------------------- */

static void
config_round_trips_through_the_go_frame (void **state)
{
  const char *args[] = { "--cgroup-manager=cgroupfs", NULL };
  struct husk_exec_config in = { .ctr_id = "c1", .dir = "/run/x/exec/e1",
                                 .runtime = "/usr/bin/crun", .runtime_root = "/run/x/runtime",
                                 .runtime_args = args, .runtime_log = "/run/x/exec/e1/runtime.log",
                                 .terminal = true, .stdin_open = true, .preserve_fds = 2,
                                 .log_level = 3 };
  struct husk_exec_config out;
  cleanup_json json_t *j = husk_exec_config_to_json (&in), *parsed = NULL;
  cleanup_free char *text = json_dumps (j, JSON_COMPACT);
  husk_error_t err = NULL;

  (void) state;
  assert_int_equal (husk_exec_config_parse (text, strlen (text), &out, &parsed, &err), 0);
  assert_string_equal (out.ctr_id, "c1");
  assert_string_equal (out.dir, "/run/x/exec/e1");
  assert_string_equal (out.runtime, "/usr/bin/crun");
  assert_string_equal (out.runtime_root, "/run/x/runtime");
  assert_string_equal (out.runtime_log, "/run/x/exec/e1/runtime.log");
  assert_string_equal (out.runtime_args[0], "--cgroup-manager=cgroupfs");
  assert_null (out.runtime_args[1]);
  assert_true (out.terminal);
  assert_true (out.stdin_open);
  assert_false (out.detach);
  assert_int_equal (out.preserve_fds, 2);
  assert_int_equal (out.log_level, 3);
  husk_exec_config_release (&out);
}

static void
config_without_a_runtime_or_with_garbage_is_refused (void **state)
{
  const char *bad[] = { "{\"ctr_id\":\"c\",\"dir\":\"/d\"}",
                        "{\"ctr_id\":\"c\",\"dir\":\"/d\",\"runtime\":\"crun\"}",
                        "{\"ctr_id\":\"c\",\"dir\":\"/d\",\"runtime\":\"/crun\","
                        "\"preserve_fds\":-1}",
                        "[1,2]", "{not json" };
  (void) state;
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
    {
      struct husk_exec_config c;
      json_t *j = NULL;
      husk_error_t err = NULL;

      assert_int_equal (husk_exec_config_parse (bad[i], strlen (bad[i]), &c, &j, &err), -1);
      assert_non_null (err);
      husk_error_release (&err);
      husk_exec_config_release (&c);
      json_decref (j);
    }
}

static void
runtime_argv_is_a_detached_exec_of_the_session_files (void **state)
{
  struct husk_exec_config c = { .ctr_id = "c1", .dir = "/s", .runtime = "/usr/bin/crun",
                                .runtime_root = "/r", .runtime_log = "/s/runtime.log" };
  cleanup_strv char **argv = husk_exec_config_argv (&c, NULL);
  cleanup_strv char **tty = husk_exec_config_argv (&c, "/s/console.sock");
  cleanup_strv char **fds = NULL;
  cleanup_free char *text = argv_text (argv), *ttext = argv_text (tty), *ftext = NULL;

  (void) state;
  c.preserve_fds = 2;
  fds = husk_exec_config_argv (&c, NULL);
  ftext = argv_text (fds);
  assert_string_equal (ftext, "/usr/bin/crun --root /r --log /s/runtime.log --log-format json "
                              "exec --process /s/process.json --pid-file /s/pid --detach "
                              "--preserve-fds=2 c1");
  assert_string_equal (text, "/usr/bin/crun --root /r --log /s/runtime.log --log-format json "
                             "exec --process /s/process.json --pid-file /s/pid --detach c1");
  assert_string_equal (ttext, "/usr/bin/crun --root /r --log /s/runtime.log --log-format json "
                              "exec --process /s/process.json --pid-file /s/pid "
                              "--console-socket /s/console.sock --detach c1");
}

/* --- Frame queue ---------------------------------------------------------- */

static void
queue_splits_long_data_and_keeps_boundaries (void **state)
{
  struct husk_frame_queue q = { 0 };
  size_t big = HUSK_ATTACH_FRAME_MAX * 2 + 5;
  cleanup_free char *data = husk_xmalloc (big);
  char buf[HUSK_ATTACH_FRAME_MAX + 16];
  int sp[2];

  (void) state;
  memset (data, 'x', big);
  assert_int_equal (socketpair (AF_UNIX, SOCK_SEQPACKET, 0, sp), 0);
  husk_frame_queue_push (&q, HUSK_ATTACH_STDOUT, data, big);
  husk_frame_queue_push (&q, HUSK_ATTACH_CLOSE_STDIN, "", 0);
  assert_int_equal (husk_frame_queue_pending (&q), big + 4 * (4 + 1));
  assert_int_equal (husk_frame_queue_flush (&q, sp[0]), 0);
  assert_int_equal (husk_frame_queue_pending (&q), 0);
  assert_int_equal (recv (sp[1], buf, sizeof buf, 0), HUSK_ATTACH_FRAME_MAX + 1);
  assert_int_equal (buf[0], HUSK_ATTACH_STDOUT);
  assert_int_equal (recv (sp[1], buf, sizeof buf, 0), HUSK_ATTACH_FRAME_MAX + 1);
  assert_int_equal (recv (sp[1], buf, sizeof buf, 0), 6);
  assert_memory_equal (buf + 1, "xxxxx", 5);
  assert_int_equal (recv (sp[1], buf, sizeof buf, 0), 1);
  assert_int_equal (buf[0], HUSK_ATTACH_CLOSE_STDIN);
  husk_frame_queue_release (&q);
  close (sp[0]);
  close (sp[1]);
}

static void
queue_keeps_what_a_full_socket_does_not_take (void **state)
{
  struct husk_frame_queue q = { 0 };
  char frame[HUSK_ATTACH_FRAME_MAX];
  char buf[HUSK_ATTACH_FRAME_MAX + 16];
  size_t pushed = 0, got = 0;
  int sp[2];

  (void) state;
  memset (frame, 'y', sizeof frame);
  assert_int_equal (socketpair (AF_UNIX, SOCK_SEQPACKET, 0, sp), 0);
  for (int i = 0; i < 200; i++, pushed++)
    husk_frame_queue_push (&q, HUSK_ATTACH_STDERR, frame, sizeof frame);
  assert_int_equal (husk_frame_queue_flush (&q, sp[0]), 0);
  /* The socket is full; the rest waits, and comes out whole and in order
     as the reader drains it.  */
  assert_true (husk_frame_queue_pending (&q) > 0);
  while (got < pushed)
    {
      ssize_t n = recv (sp[1], buf, sizeof buf, MSG_DONTWAIT);
      if (n < 0)
        {
          assert_int_equal (errno, EAGAIN);
          assert_int_equal (husk_frame_queue_flush (&q, sp[0]), 0);
          continue;
        }
      assert_int_equal (n, sizeof frame + 1);
      assert_int_equal (buf[0], HUSK_ATTACH_STDERR);
      got++;
    }
  assert_int_equal (husk_frame_queue_pending (&q), 0);
  husk_frame_queue_release (&q);
  close (sp[0]);
  close (sp[1]);
}

static void
queue_flush_fails_when_the_peer_is_gone (void **state)
{
  struct husk_frame_queue q = { 0 };
  int sp[2];

  (void) state;
  assert_int_equal (socketpair (AF_UNIX, SOCK_SEQPACKET, 0, sp), 0);
  close (sp[1]);
  husk_frame_queue_push (&q, HUSK_ATTACH_STDOUT, "x", 1);
  assert_int_equal (husk_frame_queue_flush (&q, sp[0]), -1);
  assert_int_equal (errno, EPIPE);
  husk_frame_queue_release (&q);
  close (sp[0]);
}

/* --- Small frames --------------------------------------------------------- */

static void
numbers_parse_strictly_within_their_range (void **state)
{
  long v = 0;

  (void) state;
  assert_int_equal (husk_frame_parse_long ("15", 2, 1, 64, &v), 0);
  assert_int_equal (v, 15);
  assert_int_equal (husk_frame_parse_long (" 7\n", 3, 0, 255, &v), 0);
  assert_int_equal (v, 7);
  assert_int_equal (husk_frame_parse_long ("-1 msg", 2, -1, 255, &v), 0);
  assert_int_equal (v, -1);
  assert_int_equal (husk_frame_parse_long ("0", 1, 1, 64, &v), -1);
  assert_int_equal (husk_frame_parse_long ("65", 2, 1, 64, &v), -1);
  assert_int_equal (husk_frame_parse_long ("9x", 2, 1, 64, &v), -1);
  assert_int_equal (husk_frame_parse_long ("", 0, 1, 64, &v), -1);
  assert_int_equal (husk_frame_parse_long ("99999999999999999999999", 23, 0, 9, &v), -1);
}

static void
sizes_are_two_numbers_of_a_terminal (void **state)
{
  unsigned short rows = 0, cols = 0;

  (void) state;
  assert_int_equal (husk_frame_parse_size ("24 80", 5, &rows, &cols), 0);
  assert_int_equal (rows, 24);
  assert_int_equal (cols, 80);
  assert_int_equal (husk_frame_parse_size ("24", 2, &rows, &cols), -1);
  assert_int_equal (husk_frame_parse_size ("0 80", 4, &rows, &cols), -1);
  assert_int_equal (husk_frame_parse_size ("24 70000", 8, &rows, &cols), -1);
  assert_int_equal (husk_frame_parse_size ("a b", 3, &rows, &cols), -1);
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (config_round_trips_through_the_go_frame),
    cmocka_unit_test (config_without_a_runtime_or_with_garbage_is_refused),
    cmocka_unit_test (runtime_argv_is_a_detached_exec_of_the_session_files),
    cmocka_unit_test (queue_splits_long_data_and_keeps_boundaries),
    cmocka_unit_test (queue_keeps_what_a_full_socket_does_not_take),
    cmocka_unit_test (queue_flush_fails_when_the_peer_is_gone),
    cmocka_unit_test (numbers_parse_strictly_within_their_range),
    cmocka_unit_test (sizes_are_two_numbers_of_a_terminal),
  };

  return cmocka_run_group_tests (tests, NULL, NULL);
}
