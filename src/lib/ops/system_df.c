/* SPDX-License-Identifier: GPL-2.0-or-later */
/* `system df`: the totals of images and of the store's work area, as a
   typed record; the front ends format them.  */
#include "ops/system.h"
#include "ops/image.h"
#include "state/state.h"
#include "storage/store.h"
#include "util/cleanup.h"
#include "util/fileutil.h"
#include "util/strutil.h"

#include <dirent.h>
#include <string.h>

void
husk_op_df_work_area (const char *dir, struct husk_df_row *out)
{
  cleanup_dir DIR *d = opendir (dir);
  struct dirent *de;

  memset (out, 0, sizeof *out);
  while (d && (de = readdir (d)) != NULL)
    {
      cleanup_close int lock = -1;
      int64_t b;
      if (strcmp (de->d_name, ".") == 0 || strcmp (de->d_name, "..") == 0)
        continue;
      b = husk_tree_bytes_at (dirfd (d), de->d_name);
      out->total++;
      out->size += b;
      if (husk_work_entry_claim (dirfd (d), de->d_name, &lock) != 0)
        out->active++;
      else
        out->reclaimable += b;
    }
}

/* The bytes of the images' layers, each layer once.  */
static int64_t
layer_bytes (struct husk_engine *e, const struct husk_image_rec *list, size_t n)
{
  cleanup_strv char **seen = NULL;
  int64_t total = 0;

  for (size_t i = 0; i < n; i++)
    for (size_t k = 0; list[i].layers && list[i].layers[k]; k++)
      {
        struct husk_layer_rec l = { 0 };
        if (husk_strv_contains (seen, list[i].layers[k])
            || husk_state_layer_get (e->state, list[i].layers[k], &l, NULL) < 0)
          continue;
        husk_strv_append (&seen, list[i].layers[k]);
        total += l.size;
        husk_layer_rec_release (&l);
      }
  return total;
}

int
husk_op_system_df (struct husk_engine *e, struct husk_system_df *out, husk_error_t *err)
{
  struct husk_image_rec *list = NULL;
  cleanup_free char *tmp = NULL;
  size_t n = 0;

  memset (out, 0, sizeof *out);
  if (husk_op_image_list (e, &list, &n, err) < 0)
    return -1;
  out->images.total = (int64_t) n;
  out->images.size = layer_bytes (e, list, n);
  out->images.reclaimable = out->images.size; /* no container counts as using one */
  husk_image_rec_array_free (list, n);
  if (e->store)
    {
      tmp = husk_store_tmp_dir (e->store);
      husk_op_df_work_area (tmp, &out->build_cache);
    }
  return 0;
}
