/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests of husk_op_container_info (ops/container.c): the front ends'
   typed view of a container's stored configuration.  */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "ops/container.h"
#include "state/containers.h"

#include <string.h>

static void
fields_come_from_the_stored_configuration (void **state)
{
  struct husk_container_rec r = {
    .config = (char *) "{\"image\": {\"id\": \"x\", \"name\": \"docker.io/library/busybox:latest\"},"
                       " \"entrypoint\": [\"/bin/sh\", \"-c\"], \"cmd\": [\"echo hi\"],"
                       " \"tty\": true, \"interactive\": false, \"rm\": true,"
                       " \"cidfile\": \"/tmp/cid\"}",
  };
  struct husk_container_info i;

  (void) state;
  husk_op_container_info (&r, &i);
  assert_string_equal (i.image_name, "docker.io/library/busybox:latest");
  assert_non_null (i.command);
  assert_string_equal (i.command[0], "/bin/sh");
  assert_string_equal (i.command[1], "-c");
  assert_string_equal (i.command[2], "echo hi");
  assert_null (i.command[3]);
  assert_true (i.tty);
  assert_false (i.interactive);
  assert_true (i.rm);
  assert_string_equal (i.cidfile, "/tmp/cid");
  assert_int_equal (i.n_ports, 0);
  husk_container_info_release (&i);
  husk_container_info_release (&i); /* repeatable */
}

static void
ports_get_tcp_and_any_address_by_default (void **state)
{
  struct husk_container_rec r = {
    .config = (char *) "{\"ports\": [{\"container_port\": 80, \"host_port\": 8080},"
                       " {\"container_port\": 53, \"host_port\": 5353, \"protocol\": \"udp\","
                       " \"host_ip\": \"127.0.0.1\"}]}",
  };
  struct husk_container_info i;

  (void) state;
  husk_op_container_info (&r, &i);
  assert_int_equal (i.n_ports, 2);
  assert_int_equal (i.ports[0].container_port, 80);
  assert_int_equal (i.ports[0].host_port, 8080);
  assert_string_equal (i.ports[0].protocol, "tcp");
  assert_string_equal (i.ports[0].host_ip, "0.0.0.0");
  assert_string_equal (i.ports[1].protocol, "udp");
  assert_string_equal (i.ports[1].host_ip, "127.0.0.1");
  assert_null (i.cidfile);
  assert_null (i.command);
  husk_container_info_release (&i);
}

static void
an_unreadable_configuration_gives_an_empty_view (void **state)
{
  struct husk_container_rec r = { .config = (char *) "{not json" };
  struct husk_container_info i;

  (void) state;
  husk_op_container_info (&r, &i);
  assert_null (i.image_name);
  assert_null (i.command);
  assert_false (i.tty);
  assert_int_equal (i.n_ports, 0);
  husk_container_info_release (&i);
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (fields_come_from_the_stored_configuration),
    cmocka_unit_test (ports_get_tcp_and_any_address_by_default),
    cmocka_unit_test (an_unreadable_configuration_gives_an_empty_view),
  };

  return cmocka_run_group_tests (tests, NULL, NULL);
}
