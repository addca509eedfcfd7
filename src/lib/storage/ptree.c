/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Path tree: nodes in an array, names in one byte pool, and an
 * open-addressing hash table (linear probing, kept at most half full)
 * keyed by (parent node, name).
 */
#include "storage/ptree.h"
#include "util/strutil.h"

#include <stdlib.h>
#include <string.h>

struct node
{
  uint32_t parent;
  uint32_t name_len;
  size_t name_off;
  unsigned flags;
};

struct husk_ptree
{
  struct node *nodes;
  size_t n_nodes;
  size_t cap_nodes;
  char *pool;
  size_t pool_len;
  size_t pool_cap;
  uint32_t *slots; /* node index + 1, 0 = empty */
  size_t n_slots;  /* power of two */
};

static uint64_t
hash_key (uint32_t parent, const char *name, size_t len)
{
  /* FNV-1a over the parent index and the name.  */
  uint64_t h = 1469598103934665603ull;

  for (int i = 0; i < 4; i++)
    {
      h ^= (parent >> (8 * i)) & 0xff;
      h *= 1099511628211ull;
    }
  for (size_t i = 0; i < len; i++)
    {
      h ^= (unsigned char) name[i];
      h *= 1099511628211ull;
    }
  return h;
}

static bool
node_is (const struct husk_ptree *t, uint32_t idx, uint32_t parent,
         const char *name, size_t len)
{
  const struct node *n = &t->nodes[idx];

  return n->parent == parent && n->name_len == len
         && memcmp (t->pool + n->name_off, name, len) == 0;
}

static void
insert_slot (struct husk_ptree *t, uint32_t idx)
{
  const struct node *n = &t->nodes[idx];
  size_t mask = t->n_slots - 1;
  size_t i = hash_key (n->parent, t->pool + n->name_off, n->name_len) & mask;

  while (t->slots[i] != 0)
    i = (i + 1) & mask;
  t->slots[i] = idx + 1;
}

static void
grow_slots (struct husk_ptree *t)
{
  free (t->slots);
  t->n_slots *= 2;
  t->slots = husk_xzalloc (t->n_slots * sizeof *t->slots);
  /* Node 0 is the root and is never looked up by name.  */
  for (size_t i = 1; i < t->n_nodes; i++)
    insert_slot (t, (uint32_t) i);
}

struct husk_ptree *
husk_ptree_new (void)
{
  struct husk_ptree *t = husk_xzalloc (sizeof *t);

  t->cap_nodes = 64;
  t->nodes = husk_xmalloc (t->cap_nodes * sizeof *t->nodes);
  t->nodes[0] = (struct node) { HUSK_PTREE_NONE, 0, 0, 0 };
  t->n_nodes = 1;
  t->n_slots = 128;
  t->slots = husk_xzalloc (t->n_slots * sizeof *t->slots);
  return t;
}

void
husk_ptree_free (struct husk_ptree *t)
{
  if (t == NULL)
    return;
  free (t->nodes);
  free (t->pool);
  free (t->slots);
  free (t);
}

static uint32_t
add_node (struct husk_ptree *t, uint32_t parent, const char *name, size_t len)
{
  uint32_t idx;

  if (t->n_nodes == t->cap_nodes)
    {
      t->cap_nodes *= 2;
      t->nodes = husk_xrealloc (t->nodes, t->cap_nodes * sizeof *t->nodes);
    }
  if (t->pool_len + len > t->pool_cap)
    {
      t->pool_cap = (t->pool_cap + len) * 2;
      t->pool = husk_xrealloc (t->pool, t->pool_cap);
    }
  memcpy (t->pool + t->pool_len, name, len);
  idx = (uint32_t) t->n_nodes++;
  t->nodes[idx] = (struct node) { parent, (uint32_t) len, t->pool_len, 0 };
  t->pool_len += len;
  if (2 * t->n_nodes > t->n_slots)
    grow_slots (t);
  else
    insert_slot (t, idx);
  return idx;
}

uint32_t
husk_ptree_child (struct husk_ptree *t, uint32_t parent, const char *name,
                  size_t len, bool create)
{
  size_t mask = t->n_slots - 1;
  size_t i = hash_key (parent, name, len) & mask;

  for (; t->slots[i] != 0; i = (i + 1) & mask)
    if (node_is (t, t->slots[i] - 1, parent, name, len))
      return t->slots[i] - 1;
  if (!create)
    return HUSK_PTREE_NONE;
  return add_node (t, parent, name, len);
}

uint32_t
husk_ptree_path (struct husk_ptree *t, const char *path, bool create)
{
  uint32_t node = HUSK_PTREE_ROOT;
  const char *p = path;

  while (*p && node != HUSK_PTREE_NONE)
    {
      const char *slash = strchr (p, '/');
      size_t len = slash ? (size_t) (slash - p) : strlen (p);

      if (len > 0)
        node = husk_ptree_child (t, node, p, len, create);
      p += len;
      if (*p == '/')
        p++;
    }
  return node;
}

void
husk_ptree_set_flags (struct husk_ptree *t, uint32_t node, unsigned flags)
{
  if (node < t->n_nodes)
    t->nodes[node].flags |= flags;
}

unsigned
husk_ptree_flags (struct husk_ptree *t, uint32_t node)
{
  return node < t->n_nodes ? t->nodes[node].flags : 0;
}
