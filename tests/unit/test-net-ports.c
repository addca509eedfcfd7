/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests of network/ports.c: -p, -P and --expose to the configuration's
   ports, and the texts ps and inspect show.  */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "network/network.h"
#include "util/cleanup.h"
#include "util/error.h"

#include <stdlib.h>
#include <string.h>

/* Build from -p values (a NULL-terminated list); *msg gets the error.  */
static json_t *
build (const char *const *publish, const char *const *expose, bool all, bool rootless,
       json_t **exposed, char **msg)
{
  cleanup_json json_t *p = json_array (), *x = json_array ();
  struct husk_net_port_request q = { .publish = p, .expose = x, .publish_all = all,
                                     .rootless = rootless };
  husk_error_t err = NULL;
  json_t *ports = NULL, *ex = NULL;

  for (size_t i = 0; publish && publish[i]; i++)
    json_array_append_new (p, json_string (publish[i]));
  for (size_t i = 0; expose && expose[i]; i++)
    json_array_append_new (x, json_string (expose[i]));
  *msg = NULL;
  if (husk_net_ports_build (&q, &ports, &ex, &err) < 0)
    {
      *msg = strdup (err->msg);
      husk_error_release (&err);
      return NULL;
    }
  if (exposed)
    *exposed = ex;
  else
    json_decref (ex);
  return ports;
}

static void
host_address_port_and_protocol_are_read (void **state)
{
  static const char *const p[] = { "8080:80", "127.0.0.1:5353:53/udp", "[::1]:8443:443", NULL };
  char *msg;
  cleanup_json json_t *ports = build (p, NULL, false, false, NULL, &msg);
  cleanup_free char *text = NULL;

  (void) state;
  assert_non_null (ports);
  text = husk_net_ports_text (ports);
  assert_string_equal (text, "0.0.0.0:8080->80/tcp, 127.0.0.1:5353->53/udp, [::1]:8443->443/tcp");
}

static void
ranges_give_one_port_each_and_show_as_ranges (void **state)
{
  static const char *const p[] = { "8000-8002:80-82", NULL };
  char *msg;
  cleanup_json json_t *ports = build (p, NULL, false, false, NULL, &msg);
  cleanup_free char *text = NULL;
  cleanup_json json_t *b = NULL;

  (void) state;
  assert_non_null (ports);
  assert_int_equal (json_array_size (ports), 3);
  text = husk_net_ports_text (ports);
  assert_string_equal (text, "0.0.0.0:8000-8002->80-82/tcp");
  b = husk_net_ports_bindings (ports, NULL);
  assert_string_equal (json_string_value (json_object_get (json_array_get (
                           json_object_get (b, "81/tcp"), 0), "HostPort")), "8001");
}

static void
a_missing_host_port_is_chosen (void **state)
{
  static const char *const p[] = { "80", "127.0.0.1::81", NULL };
  char *msg;
  cleanup_json json_t *ports = build (p, NULL, false, false, NULL, &msg);

  (void) state;
  assert_non_null (ports);
  assert_true (json_integer_value (json_object_get (json_array_get (ports, 0), "host_port")) > 0);
  assert_true (json_integer_value (json_object_get (json_array_get (ports, 1), "host_port")) > 0);
  assert_string_equal (json_string_value (json_object_get (json_array_get (ports, 1), "host_ip")),
                       "127.0.0.1");
}

static void
publish_all_takes_the_exposed_ports_not_published (void **state)
{
  static const char *const p[] = { "9000:7000", NULL };
  static const char *const x[] = { "7000-7001", "53/udp", NULL };
  char *msg;
  json_t *exposed = NULL;
  cleanup_json json_t *ports = build (p, x, true, false, &exposed, &msg);
  cleanup_json json_t *ex = exposed;

  (void) state;
  assert_non_null (ports);
  assert_int_equal (json_array_size (ports), 3);
  assert_int_equal (json_integer_value (json_object_get (json_array_get (ports, 0), "host_port")),
                    9000);
  assert_int_equal (json_array_size (ex), 3);
  assert_string_equal (json_string_value (json_array_get (ex, 2)), "53/udp");
}

static void
bad_values_are_refused_with_the_reason (void **state)
{
  static const struct
  {
    const char *p, *msg;
  } bad[] = {
    { "1:2:3:4", "use [[IP:][HOSTPORT]:]PORT[/PROTOCOL]" },
    { "8000-8002:80-81", "must have the same length" },
    { "0", "ports are numbers from 1 to 65535" },
    { "65536", "ports are numbers from 1 to 65535" },
    { "80/icmp", "the protocol must be tcp or udp" },
    { "80/sctp", "sctp is not supported" },
    { "x:80:80", "\"x\" is not an IP address" },
    { "[::1:80:80", "an IPv6 address in brackets" },
  };

  (void) state;
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
    {
      const char *const p[] = { bad[i].p, NULL };
      char *msg;
      json_t *ports = build (p, NULL, false, false, NULL, &msg);
      assert_null (ports);
      assert_non_null (strstr (msg, bad[i].msg));
      free (msg);
    }
}

static void
the_same_host_port_twice_is_refused (void **state)
{
  static const char *const p[] = { "8080:80", "8080:81", NULL };
  char *msg;
  json_t *ports = build (p, NULL, false, false, NULL, &msg);

  (void) state;
  assert_null (ports);
  assert_non_null (strstr (msg, "host port 8080/tcp is published twice"));
  free (msg);
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (host_address_port_and_protocol_are_read),
    cmocka_unit_test (ranges_give_one_port_each_and_show_as_ranges),
    cmocka_unit_test (a_missing_host_port_is_chosen),
    cmocka_unit_test (publish_all_takes_the_exposed_ports_not_published),
    cmocka_unit_test (bad_values_are_refused_with_the_reason),
    cmocka_unit_test (the_same_host_port_twice_is_refused),
  };

  return cmocka_run_group_tests (tests, NULL, NULL);
}
