/* Tokenizing once and batching with dynamic padding (see train_data.h). */
#include "train_data.h"

#include <stdlib.h>
#include <string.h>

void label_map_free(label_map *map)
{
    free(map->class_of);
    free(map->values);
    memset(map, 0, sizeof *map);
}

static int in_mask(const attn_dataset *ds, int64_t i, uint32_t mask)
{
    int32_t s = attn_dataset_split(ds, i);
    return s >= 0 && s < 3 && (mask >> s & 1u);
}

int encoded_set_build(encoded_set *set, attn_tokenizer *tok, const attn_dataset *ds, uint32_t split_mask,
                      int32_t max_len, const label_map *map)
{
    memset(set, 0, sizeof *set);
    int64_t total = attn_dataset_size(ds), n = 0;
    for (int64_t i = 0; i < total; i++) n += in_mask(ds, i, split_mask);
    set->n = n;
    set->problem = map->problem;
    set->width = map->problem == ATTN_PROBLEM_SINGLE_LABEL ? 1 : map->width;
    set->start = calloc((size_t)n + 1, sizeof *set->start);
    set->ids = malloc((size_t)(n ? n : 1) * (size_t)max_len * sizeof *set->ids);
    set->labels = calloc((size_t)n + 1, sizeof *set->labels);
    set->targets = calloc((size_t)(n + 1) * (size_t)set->width, sizeof *set->targets);
    set->source = calloc((size_t)n + 1, sizeof *set->source);
    if (!set->start || !set->ids || !set->labels || !set->targets || !set->source) return -1;
    int64_t k = 0, used = 0;
    for (int64_t i = 0; i < total; i++) {
        if (!in_mask(ds, i, split_mask)) continue;
        int32_t len = 0, full = 0;
        attn_status st = attn_tokenizer_encode(tok, attn_dataset_text(ds, i), NULL, 0, NULL, NULL, 0, &full);
        if (st == ATTN_OK)
            st = attn_tokenizer_encode(tok, attn_dataset_text(ds, i), NULL, max_len, set->ids + used, NULL, max_len, &len);
        if (st != ATTN_OK) return -1;
        set->truncated += full > max_len;
        set->start[k] = used;
        int32_t label = attn_dataset_label(ds, i);
        if (map->problem == ATTN_PROBLEM_SINGLE_LABEL)
            set->labels[k] = map->class_of[label];
        else
            memcpy(set->targets + k * set->width, map->values + (int64_t)label * set->width,
                   (size_t)set->width * sizeof *set->targets);
        set->source[k] = i;
        used += len;
        k++;
    }
    set->start[n] = used;
    set->tokens = used;
    return 0;
}

void encoded_set_free(encoded_set *set)
{
    free(set->start);
    free(set->ids);
    free(set->labels);
    free(set->targets);
    free(set->source);
    memset(set, 0, sizeof *set);
}

int batch_tensors_init(batch_tensors *bt, attn_ctx *ctx, int32_t max_batch, int32_t max_len, int32_t pad_id,
                       int32_t problem, int32_t width)
{
    memset(bt, 0, sizeof *bt);
    int64_t shape[2] = {max_batch, max_len}, lshape[2] = {max_batch, width};
    bt->pad_id = pad_id;
    bt->problem = problem;
    bt->width = width;
    int multi = problem == ATTN_PROBLEM_MULTI_LABEL;
    if (attn_tensor_create(ctx, ATTN_I32, 2, shape, &bt->ids) != ATTN_OK ||
        attn_tensor_create(ctx, ATTN_I32, 2, shape, &bt->mask) != ATTN_OK ||
        attn_tensor_create(ctx, problem == ATTN_PROBLEM_SINGLE_LABEL ? ATTN_I32 : ATTN_F32, multi ? 2 : 1, lshape,
                           &bt->labels) != ATTN_OK)
        return -1;
    return 0;
}

void batch_tensors_free(batch_tensors *bt)
{
    attn_tensor_destroy(bt->ids);
    attn_tensor_destroy(bt->mask);
    attn_tensor_destroy(bt->labels);
    memset(bt, 0, sizeof *bt);
}

int batch_tensors_fill(batch_tensors *bt, const encoded_set *set, const int64_t *order, int64_t first, int64_t count)
{
    int64_t T = 1;
    for (int64_t b = 0; b < count; b++) {
        int64_t e = order ? order[first + b] : first + b;
        int64_t len = set->start[e + 1] - set->start[e];
        if (len > T) T = len;
    }
    int multi = bt->problem == ATTN_PROBLEM_MULTI_LABEL;
    int64_t shape[2] = {count, T}, lshape[2] = {count, bt->width};
    if (attn_tensor_set_shape(bt->ids, 2, shape) != ATTN_OK || attn_tensor_set_shape(bt->mask, 2, shape) != ATTN_OK ||
        attn_tensor_set_shape(bt->labels, multi ? 2 : 1, lshape) != ATTN_OK)
        return -1;
    int32_t *ids = attn_tensor_data(bt->ids), *mask = attn_tensor_data(bt->mask), *labels = attn_tensor_data(bt->labels);
    float *targets = attn_tensor_data_f32(bt->labels);
    for (int64_t b = 0; b < count; b++) {
        int64_t e = order ? order[first + b] : first + b;
        int64_t len = set->start[e + 1] - set->start[e];
        memcpy(ids + b * T, set->ids + set->start[e], (size_t)len * sizeof *ids);
        for (int64_t t = 0; t < T; t++) {
            mask[b * T + t] = t < len;
            if (t >= len) ids[b * T + t] = bt->pad_id;
        }
        if (bt->problem == ATTN_PROBLEM_SINGLE_LABEL)
            labels[b] = set->labels[e];
        else
            memcpy(targets + b * bt->width, set->targets + e * bt->width, (size_t)bt->width * sizeof *targets);
    }
    return 0;
}

static uint64_t mix(uint64_t z)
{
    z += 0x9e3779b97f4a7c15ULL;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

void shuffle_order(int64_t *order, int64_t n, uint64_t seed, int64_t epoch)
{
    for (int64_t i = 0; i < n; i++) order[i] = i;
    uint64_t s = mix(seed ^ mix((uint64_t)epoch + 1));
    for (int64_t i = n - 1; i > 0; i--) {
        s = mix(s);
        int64_t j = (int64_t)(s % (uint64_t)(i + 1));
        int64_t t = order[i];
        order[i] = order[j];
        order[j] = t;
    }
}
