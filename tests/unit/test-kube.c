/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests of kube/: resource quantities, the YAML reader's types and
   bounds, what the planner makes of a pod, and what it refuses.  */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "kube/kube.h"
#include "util/cleanup.h"
#include "util/error.h"
#include "util/strutil.h"

#include <string.h>

static int64_t
quantity (const char *s)
{
  husk_error_t err = NULL;
  int64_t v = -1;

  if (husk_kube_quantity (s, &v, &err) < 0)
    {
      husk_error_release (&err);
      return -1;
    }
  return v;
}

static void
test_quantity_suffixes_in_thousandths (void **state)
{
  (void) state;
  assert_int_equal (quantity ("500m"), 500);
  assert_int_equal (quantity ("2"), 2000);
  assert_int_equal (quantity ("0.5"), 500);
  assert_int_equal (quantity ("64Mi"), 64LL * 1024 * 1024 * 1000);
  assert_int_equal (quantity ("1.5Gi"), 1536LL * 1024 * 1024 * 1000);
  assert_int_equal (quantity ("1k"), 1000000);
  assert_int_equal (quantity ("1M"), 1000000000LL);
}

static void
test_quantity_refuses_bad_and_huge (void **state)
{
  (void) state;
  assert_int_equal (quantity (""), -1);
  assert_int_equal (quantity ("-1"), -1);
  assert_int_equal (quantity ("1Xi"), -1);
  assert_int_equal (quantity ("0.0001"), -1);
  assert_int_equal (quantity ("1.5m"), -1);
  assert_int_equal (quantity ("99999999999999999999Pi"), -1);
  assert_int_equal (quantity ("9000Pi"), -1);
}

static json_t *
load (const char *yaml, husk_error_t *err)
{
  return husk_kube_yaml_load (yaml, strlen (yaml), err);
}

static void
test_yaml_types_of_plain_and_quoted_scalars (void **state)
{
  husk_error_t err = NULL;
  cleanup_json json_t *d = load ("a: 80\nb: \"80\"\nc: true\nd: ~\ne: 1.5\nf: x\n", &err);

  (void) state;
  assert_non_null (d);
  json_t *o = json_array_get (d, 0);
  assert_true (json_is_integer (json_object_get (o, "a")));
  assert_true (json_is_string (json_object_get (o, "b")));
  assert_true (json_is_true (json_object_get (o, "c")));
  assert_true (json_is_null (json_object_get (o, "d")));
  assert_true (json_is_real (json_object_get (o, "e")));
  assert_string_equal (json_string_value (json_object_get (o, "f")), "x");
}

static void
test_yaml_refuses_duplicates_cycles_and_bombs (void **state)
{
  husk_error_t err = NULL;
  json_t *d;
  cleanup_free char *bomb = NULL;

  (void) state;
  d = load ("a: 1\na: 2\n", &err);
  assert_null (d);
  assert_non_null (strstr (err->msg, "duplicate key \"a\""));
  husk_error_release (&err);
  d = load ("a: &x [*x]\n", &err);
  assert_null (d);
  husk_error_release (&err);
  /* 10 levels of 10 aliases: 10^10 nodes once expanded.  */
  bomb = husk_xstrdup ("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
  for (int i = 1; i < 10; i++)
    {
      char *n = husk_asprintf ("%sa%d: &a%d [*a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d, "
                               "*a%d, *a%d]\n", bomb, i, i, i - 1, i - 1, i - 1, i - 1, i - 1,
                               i - 1, i - 1, i - 1, i - 1, i - 1);
      free (bomb);
      bomb = n;
    }
  d = load (bomb, &err);
  assert_null (d);
  assert_non_null (strstr (err->msg, "nodes"));
  husk_error_release (&err);
}

static json_t *
plan (const char *yaml, husk_error_t *err)
{
  cleanup_json json_t *d = load (yaml, err);

  return d ? husk_kube_plan (d, NULL, err) : NULL;
}

static void
test_plan_pod_to_requests (void **state)
{
  husk_error_t err = NULL;
  cleanup_json json_t *p = plan ("kind: Pod\nmetadata: {name: web}\nspec:\n"
                                 "  restartPolicy: Never\n  containers:\n"
                                 "  - name: c\n    image: img\n    command: [a]\n"
                                 "    env: [{name: K, value: v}]\n"
                                 "    ports: [{containerPort: 80, hostPort: 8080}]\n"
                                 "    volumeMounts: [{name: d, mountPath: /d}]\n"
                                 "  volumes: [{name: d, persistentVolumeClaim: {claimName: vol}}]\n",
                                 &err);
  json_t *pod, *c, *req;

  (void) state;
  assert_non_null (p);
  pod = json_array_get (json_object_get (p, "pods"), 0);
  assert_string_equal (json_string_value (json_object_get (pod, "name")), "web");
  assert_string_equal (json_string_value (json_array_get (
                         json_object_get (json_object_get (pod, "req"), "publish"), 0)),
                       "8080:80/tcp");
  c = json_array_get (json_object_get (pod, "containers"), 0);
  assert_string_equal (json_string_value (json_object_get (c, "name")), "web-c");
  req = json_object_get (c, "req");
  assert_string_equal (json_string_value (json_array_get (json_object_get (req, "entrypoint"),
                                                          0)), "a");
  assert_int_equal (json_array_size (json_object_get (req, "command")), 0);
  assert_string_equal (json_string_value (json_array_get (json_object_get (req, "env"), 0)),
                       "K=v");
  assert_string_equal (json_string_value (json_array_get (json_object_get (req, "volumes"), 0)),
                       "vol:/d");
  assert_string_equal (json_string_value (json_object_get (req, "restart")), "no");
}

static void
test_plan_configmap_volume_files_and_modes (void **state)
{
  husk_error_t err = NULL;
  cleanup_json json_t *p = plan ("kind: ConfigMap\nmetadata: {name: cm}\ndata: {a: \"1\", b: \"2\"}\n"
                                 "---\nkind: Pod\nmetadata: {name: p}\nspec:\n"
                                 "  containers: [{name: c, image: i, volumeMounts: "
                                 "[{name: v, mountPath: /v}, {name: w, mountPath: /w}]}]\n"
                                 "  volumes:\n  - {name: v, configMap: {name: cm}}\n"
                                 "  - {name: w, configMap: {name: cm, defaultMode: 0400, "
                                 "items: [{key: b, path: bee}]}}\n", &err);
  json_t *pod, *cms, *req;

  (void) state;
  assert_non_null (p);
  pod = json_array_get (json_object_get (p, "pods"), 0);
  cms = json_object_get (pod, "configmaps");
  assert_int_equal (json_array_size (cms), 2);
  assert_string_equal (json_string_value (json_object_get (json_array_get (cms, 0), "volume")),
                       "cm");
  assert_int_equal (json_object_size (json_object_get (json_array_get (cms, 0), "files")), 2);
  assert_string_equal (json_string_value (json_object_get (json_array_get (cms, 1), "volume")),
                       "cm-p-w");
  assert_int_equal (json_integer_value (json_object_get (json_array_get (cms, 1), "mode")), 0400);
  assert_string_equal (json_string_value (json_object_get (json_object_get (
                         json_array_get (cms, 1), "files"), "bee")), "2");
  req = json_object_get (json_array_get (json_object_get (pod, "containers"), 0), "req");
  assert_string_equal (json_string_value (json_array_get (json_object_get (req, "volumes"), 0)),
                       "cm:/v:ro");
  assert_string_equal (json_string_value (json_array_get (json_object_get (req, "volumes"), 1)),
                       "cm-p-w:/w:ro");
}

static void
assert_refused (const char *yaml, const char *words)
{
  husk_error_t err = NULL;
  json_t *p = plan (yaml, &err);

  assert_null (p);
  assert_non_null (err);
  if (strstr (err->msg, words) == NULL)
    fail_msg ("\"%s\" does not say \"%s\"", err->msg, words);
  husk_error_release (&err);
}

static void
test_plan_refuses_by_name (void **state)
{
  (void) state;
  assert_refused ("kind: Secret\nmetadata: {name: j}\n", "kind \"Secret\"");
  assert_refused ("kind: Job\nmetadata: {name: j}\nspec: {completions: 3, template: {}}\n",
                  "more than one completion");
  assert_refused ("kind: Job\nmetadata: {name: j}\nspec: {template: {spec: {restartPolicy: Always, "
                  "containers: [{name: c, image: i}]}}}\n", "must be Never or OnFailure");
  assert_refused ("kind: Pod\nmetadata: {name: p}\nspec: {containers: []}\n",
                  "at least one container");
  assert_refused ("kind: Pod\nmetadata: {name: p}\nspec: {containers: [{name: c}]}\n",
                  "\"image\" is required");
  assert_refused ("kind: Pod\nmetadata: {name: p}\nspec: {containers: [{name: c, image: i, "
                  "volumeMounts: [{name: x, mountPath: /x}]}]}\n", "no volume named \"x\"");
  assert_refused ("kind: Pod\nmetadata: {name: p}\nspec: {containers: [{name: c, image: i}], "
                  "volumes: [{name: x, secret: {}}]}\n", "field \"secret\"");
  assert_refused ("kind: Pod\nmetadata: {name: p}\nspec: {containers: [{name: c, image: i, "
                  "env: [{name: A, valueFrom: {secretKeyRef: {}}}]}]}\n", "secretKeyRef");
  assert_refused ("kind: Pod\nmetadata: {name: p}\nspec: {containers: [{name: c, image: 5}]}\n",
                  "\"image\" must be a string");
  assert_refused ("- a\n", "must be a mapping");
  assert_refused ("kind: ConfigMap\nmetadata: {name: cm}\ndata: {a: \"1\"}\n---\nkind: Pod\n"
                  "metadata: {name: p}\nspec: {containers: [{name: c, image: i}], volumes: "
                  "[{name: v, configMap: {name: cm, items: [{key: a, path: ../x}]}}]}\n",
                  "must be one file name");
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_quantity_suffixes_in_thousandths),
    cmocka_unit_test (test_quantity_refuses_bad_and_huge),
    cmocka_unit_test (test_yaml_types_of_plain_and_quoted_scalars),
    cmocka_unit_test (test_yaml_refuses_duplicates_cycles_and_bombs),
    cmocka_unit_test (test_plan_pod_to_requests),
    cmocka_unit_test (test_plan_configmap_volume_files_and_modes),
    cmocka_unit_test (test_plan_refuses_by_name),
  };

  return cmocka_run_group_tests (tests, NULL, NULL);
}
