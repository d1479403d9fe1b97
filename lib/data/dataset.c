/* The finished data set: read-only getters over what builder.c produced.
 * Every getter tolerates NULL and out-of-range arguments with a sentinel
 * (NULL or -1), since they have no context to report on. */
#include "data_internal.h"

void attn_dataset_destroy(attn_dataset *ds)
{
    if (!ds) return;
    attn_ctx *ctx = ds->ctx;
    if (ds->label_names)
        for (int32_t i = 0; i < ds->n_labels; i++) attn__free(ctx, ds->label_names[i]);
    attn__free(ctx, ds->label_names);
    attn__free(ctx, ds->pool);
    attn__free(ctx, ds->offset);
    attn__free(ctx, ds->label);
    attn__free(ctx, ds->split);
    attn__free(ctx, ds->counts);
    attn__free(ctx, ds);
}

int64_t attn_dataset_size(const attn_dataset *ds)
{
    return ds ? ds->n : -1;
}

const char *attn_dataset_text(const attn_dataset *ds, int64_t i)
{
    if (!ds || i < 0 || i >= ds->n) return NULL;
    return ds->pool + ds->offset[i];
}

int32_t attn_dataset_label(const attn_dataset *ds, int64_t i)
{
    if (!ds || i < 0 || i >= ds->n) return -1;
    return ds->label[i];
}

int32_t attn_dataset_num_labels(const attn_dataset *ds)
{
    return ds ? ds->n_labels : -1;
}

const char *attn_dataset_label_name(const attn_dataset *ds, int32_t label)
{
    if (!ds || label < 0 || label >= ds->n_labels) return NULL;
    return ds->label_names[label];
}

int32_t attn_dataset_split(const attn_dataset *ds, int64_t i)
{
    if (!ds || i < 0 || i >= ds->n) return -1;
    return ds->split[i];
}

int64_t attn_dataset_count(const attn_dataset *ds, int32_t split, int32_t label)
{
    if (!ds || split < -1 || split >= ATTN__DATASET_N_SPLITS || label < -1 || label >= ds->n_labels) return -1;
    int64_t total = 0;
    for (int32_t s = 0; s < ATTN__DATASET_N_SPLITS; s++) {
        if (split >= 0 && s != split) continue;
        for (int32_t l = 0; l < ds->n_labels; l++)
            if (label < 0 || l == label) total += ds->counts[(size_t)s * (size_t)ds->n_labels + (size_t)l];
    }
    return total;
}

int64_t attn_dataset_stat_get(const attn_dataset *ds, attn_dataset_stat s)
{
    if (!ds || (int)s < 0 || (int)s >= ATTN__DATASET_N_STATS) return -1;
    return ds->stats[s];
}
