/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * YAML <-> JSON with libyaml (kube.h).  The text is untrusted: it is
 * bounded in size, libyaml builds each document's node graph, and the
 * walk into JSON bounds the depth (an alias to an ancestor is a cycle,
 * caught there) and the number of nodes made (aliases repeated to blow
 * up the output, "billion laughs", stop at HUSK_KUBE_MAX_NODES).
 */
#include "kube/kube.h"
#include "util/cleanup.h"
#include "util/strutil.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

struct walk
{
  yaml_document_t *doc;
  size_t nodes;
};

static bool
word_in (const char *s, const char *const *words)
{
  for (; *words; words++)
    if (strcmp (s, *words) == 0)
      return true;
  return false;
}

/* A plain scalar's value: null, bool, integer (decimal, 0octal, 0xhex),
   real or string.  */
static json_t *
plain_scalar (const char *s, size_t len)
{
  static const char *const nulls[] = { "", "~", "null", "Null", "NULL", NULL };
  static const char *const trues[] = { "true", "True", "TRUE", NULL };
  static const char *const falses[] = { "false", "False", "FALSE", NULL };
  char *end;

  if (word_in (s, nulls))
    return json_null ();
  if (word_in (s, trues))
    return json_true ();
  if (word_in (s, falses))
    return json_false ();
  if ((s[0] >= '0' && s[0] <= '9') || ((s[0] == '-' || s[0] == '+') && s[1] >= '0'
                                       && s[1] <= '9'))
    {
      long long v;
      double d;

      /* Base 0: YAML 1.1's 0644 (octal) and 0x1F (hex) too, as
         Kubernetes' YAML reader takes them (file modes are written so). */
      errno = 0;
      v = strtoll (s, &end, 0);
      if (*end == '\0' && errno == 0)
        return json_integer (v);
      errno = 0;
      d = strtod (s, &end);
      if (*end == '\0' && errno == 0 && strspn (s, "+-0123456789.eE") == len)
        return json_real (d);
    }
  return json_stringn (s, len);
}

static json_t *
string_json (yaml_node_t *n, const char *s, size_t len, husk_error_t *err)
{
  json_t *j = json_stringn (s, len);

  if (j == NULL)
    husk_error_makex (err, EINVAL, "yaml: line %zu: a string that is not UTF-8",
                      (size_t) n->start_mark.line + 1);
  return j;
}

static json_t *node_json (struct walk *w, yaml_node_t *n, int depth, husk_error_t *err);

static int
too_deep (yaml_node_t *n, husk_error_t *err)
{
  return husk_error_makex (err, EINVAL, "yaml: line %zu: nesting deeper than %d levels",
                           (size_t) n->start_mark.line + 1, HUSK_KUBE_MAX_DEPTH);
}

static json_t *
mapping_json (struct walk *w, yaml_node_t *n, int depth, husk_error_t *err)
{
  cleanup_json json_t *obj = json_object ();

  for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++)
    {
      yaml_node_t *k = yaml_document_get_node (w->doc, p->key);
      yaml_node_t *v = yaml_document_get_node (w->doc, p->value);
      cleanup_free char *key = NULL;
      json_t *jv;

      if (k == NULL || v == NULL)
        return husk_error_makex (err, EINVAL, "yaml: broken mapping"), NULL;
      if (k->type != YAML_SCALAR_NODE)
        return husk_error_makex (err, EINVAL, "yaml: line %zu: a mapping key must be a "
                                 "scalar", (size_t) k->start_mark.line + 1), NULL;
      key = husk_xstrndup ((const char *) k->data.scalar.value, k->data.scalar.length);
      if (strlen (key) != k->data.scalar.length)
        return husk_error_makex (err, EINVAL, "yaml: line %zu: a key holds a NUL byte",
                                 (size_t) k->start_mark.line + 1), NULL;
      if (json_object_get (obj, key))
        return husk_error_makex (err, EINVAL, "yaml: line %zu: duplicate key \"%s\"",
                                 (size_t) k->start_mark.line + 1, key), NULL;
      jv = node_json (w, v, depth + 1, err);
      if (jv == NULL)
        return NULL;
      json_object_set_new (obj, key, jv);
    }
  return steal_ptr (&obj);
}

static json_t *
node_json (struct walk *w, yaml_node_t *n, int depth, husk_error_t *err)
{
  if (depth > HUSK_KUBE_MAX_DEPTH)
    return too_deep (n, err), NULL;
  if (++w->nodes > HUSK_KUBE_MAX_NODES)
    return husk_error_makex (err, EINVAL, "yaml: more than %d nodes (aliases expanded)",
                             HUSK_KUBE_MAX_NODES), NULL;
  switch (n->type)
    {
    case YAML_SCALAR_NODE:
      {
        const char *s = (const char *) n->data.scalar.value;
        size_t len = n->data.scalar.length;

        /* Untagged plain scalars carry the default tag too; any quoting
           or another explicit tag keeps the text a string.  */
        if (n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE
            || (n->tag && strcmp ((const char *) n->tag, YAML_DEFAULT_SCALAR_TAG) != 0))
          return string_json (n, s, len, err);
        if (strlen (s) != len)
          return string_json (n, s, len, err);
        return plain_scalar (s, len) ?: string_json (n, s, len, err);
      }
    case YAML_SEQUENCE_NODE:
      {
        cleanup_json json_t *arr = json_array ();

        for (yaml_node_item_t *i = n->data.sequence.items.start; i < n->data.sequence.items.top;
             i++)
          {
            yaml_node_t *c = yaml_document_get_node (w->doc, *i);
            json_t *jv;

            if (c == NULL)
              return husk_error_makex (err, EINVAL, "yaml: broken sequence"), NULL;
            jv = node_json (w, c, depth + 1, err);
            if (jv == NULL)
              return NULL;
            json_array_append_new (arr, jv);
          }
        return steal_ptr (&arr);
      }
    case YAML_MAPPING_NODE:
      return mapping_json (w, n, depth, err);
    default:
      return husk_error_makex (err, EINVAL, "yaml: empty node"), NULL;
    }
}

json_t *
husk_kube_yaml_load (const char *text, size_t len, husk_error_t *err)
{
  yaml_parser_t parser;
  cleanup_json json_t *docs = json_array ();
  struct walk w = { 0 };

  if (len > HUSK_KUBE_MAX_INPUT)
    return husk_error_makex (err, EINVAL, "yaml: input larger than %u bytes",
                             HUSK_KUBE_MAX_INPUT), NULL;
  if (!yaml_parser_initialize (&parser))
    return husk_error_makex (err, ENOMEM, "yaml: cannot make a parser"), NULL;
  yaml_parser_set_input_string (&parser, (const unsigned char *) text, len);
  for (;;)
    {
      yaml_document_t doc;
      yaml_node_t *root;
      json_t *j;

      if (!yaml_parser_load (&parser, &doc))
        {
          husk_error_makex (err, EINVAL, "yaml: line %zu: %s%s%s",
                            (size_t) parser.problem_mark.line + 1,
                            parser.problem ? parser.problem : "invalid YAML",
                            parser.context ? " " : "", parser.context ? parser.context : "");
          yaml_parser_delete (&parser);
          return NULL;
        }
      root = yaml_document_get_root_node (&doc);
      if (root == NULL) /* the end of the stream */
        {
          yaml_document_delete (&doc);
          break;
        }
      w.doc = &doc;
      j = node_json (&w, root, 0, err);
      yaml_document_delete (&doc);
      if (j == NULL)
        {
          yaml_parser_delete (&parser);
          return NULL;
        }
      if (json_is_null (j))
        json_decref (j);
      else
        json_array_append_new (docs, j);
      if (json_array_size (docs) > HUSK_KUBE_MAX_DOCS)
        {
          yaml_parser_delete (&parser);
          return husk_error_makex (err, EINVAL, "yaml: more than %d documents",
                                   HUSK_KUBE_MAX_DOCS), NULL;
        }
    }
  yaml_parser_delete (&parser);
  return steal_ptr (&docs);
}

/* ---- emitting ------------------------------------------------------------ */

struct out
{
  char *buf;
  size_t len;
};

static int
write_out (void *data, unsigned char *buf, size_t size)
{
  struct out *o = data;
  char *nb = realloc (o->buf, o->len + size + 1);

  if (nb == NULL)
    return 0;
  memcpy (nb + o->len, buf, size);
  o->len += size;
  nb[o->len] = '\0';
  o->buf = nb;
  return 1;
}

/* Whether a plain s would read back as something other than a string.  */
static bool
needs_quotes (const char *s, size_t len)
{
  json_t *j;
  bool q;

  if (strlen (s) != len)
    return true;
  j = plain_scalar (s, len);
  q = !json_is_string (j);

  json_decref (j);
  return q;
}

static int
emit_scalar (yaml_emitter_t *em, const char *s, size_t len, bool string)
{
  yaml_event_t ev;
  yaml_scalar_style_t style = string && needs_quotes (s, len) ? YAML_DOUBLE_QUOTED_SCALAR_STYLE
                                                              : YAML_ANY_SCALAR_STYLE;

  if (len > INT_MAX
      || !yaml_scalar_event_initialize (&ev, NULL, NULL, (yaml_char_t *) s, (int) len, 1, 1,
                                        style))
    return -1;
  return yaml_emitter_emit (em, &ev) ? 0 : -1;
}

static int
emit_json (yaml_emitter_t *em, json_t *j)
{
  yaml_event_t ev;
  char num[64];

  switch (json_typeof (j))
    {
    case JSON_OBJECT:
      {
        const char *k;
        json_t *v;

        if (!yaml_mapping_start_event_initialize (&ev, NULL, NULL, 1, YAML_BLOCK_MAPPING_STYLE)
            || !yaml_emitter_emit (em, &ev))
          return -1;
        json_object_foreach (j, k, v)
          if (emit_scalar (em, k, strlen (k), true) < 0 || emit_json (em, v) < 0)
            return -1;
        return yaml_mapping_end_event_initialize (&ev) && yaml_emitter_emit (em, &ev) ? 0 : -1;
      }
    case JSON_ARRAY:
      {
        size_t i;
        json_t *v;

        if (!yaml_sequence_start_event_initialize (&ev, NULL, NULL, 1,
                                                   YAML_BLOCK_SEQUENCE_STYLE)
            || !yaml_emitter_emit (em, &ev))
          return -1;
        json_array_foreach (j, i, v)
          if (emit_json (em, v) < 0)
            return -1;
        return yaml_sequence_end_event_initialize (&ev) && yaml_emitter_emit (em, &ev) ? 0 : -1;
      }
    case JSON_STRING:
      return emit_scalar (em, json_string_value (j), json_string_length (j), true);
    case JSON_INTEGER:
      snprintf (num, sizeof num, "%" JSON_INTEGER_FORMAT, json_integer_value (j));
      return emit_scalar (em, num, strlen (num), false);
    case JSON_REAL:
      /* Enough digits to read back the same double, and a '.' or an
         exponent so that it reads back as a real.  */
      {
        int n = snprintf (num, sizeof num, "%.17g", json_real_value (j));

        if (strspn (num, "-0123456789") == strlen (num))
          snprintf (num + n, sizeof num - (size_t) n, ".0");
      }
      return emit_scalar (em, num, strlen (num), false);
    case JSON_TRUE:
      return emit_scalar (em, "true", 4, false);
    case JSON_FALSE:
      return emit_scalar (em, "false", 5, false);
    default:
      return emit_scalar (em, "null", 4, false);
    }
}

static int
emit_docs (yaml_emitter_t *em, json_t *docs)
{
  yaml_event_t ev;
  size_t i;
  json_t *d;

  if (!yaml_stream_start_event_initialize (&ev, YAML_UTF8_ENCODING)
      || !yaml_emitter_emit (em, &ev))
    return -1;
  json_array_foreach (docs, i, d)
    {
      if (!yaml_document_start_event_initialize (&ev, NULL, NULL, NULL, i == 0)
          || !yaml_emitter_emit (em, &ev) || emit_json (em, d) < 0
          || !yaml_document_end_event_initialize (&ev, 1) || !yaml_emitter_emit (em, &ev))
        return -1;
    }
  return yaml_stream_end_event_initialize (&ev) && yaml_emitter_emit (em, &ev) ? 0 : -1;
}

char *
husk_kube_yaml_dump (json_t *docs, husk_error_t *err)
{
  yaml_emitter_t em;
  struct out o = { 0 };
  int r;

  if (!yaml_emitter_initialize (&em))
    return husk_error_makex (err, ENOMEM, "yaml: cannot make an emitter"), NULL;
  yaml_emitter_set_output (&em, write_out, &o);
  yaml_emitter_set_unicode (&em, 1);
  yaml_emitter_set_width (&em, -1);
  yaml_emitter_set_indent (&em, 2);
  r = emit_docs (&em, docs);
  if (r == 0 && !yaml_emitter_flush (&em))
    r = -1;
  if (r < 0)
    husk_error_makex (err, EINVAL, "yaml: cannot write: %s",
                      em.problem ? em.problem : "emitter failed");
  yaml_emitter_delete (&em);
  if (r < 0)
    {
      free (o.buf);
      return NULL;
    }
  return o.buf ? o.buf : husk_xstrdup ("");
}
