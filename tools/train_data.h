/* Examples tokenized once, and padded batches built from them without
 * allocating (for `attn train` and `attn eval`). */
#ifndef ATTN_TOOLS_TRAIN_DATA_H
#define ATTN_TOOLS_TRAIN_DATA_H

#include <stdint.h>

#include "attn.h"

/* How a data set's labels become the model's targets: single-label files
 * map each label of the file to a class of the model (-1: unknown to the
 * model); regression and multi-label files give each label (a number, or
 * multi-hot 0/1 values) its width target values. */
typedef struct label_map {
    int32_t problem;        /* attn_problem_type */
    int32_t width;          /* targets per example: 1 (regression) or num_labels (multi-label) */
    int32_t n_file_labels;  /* labels of the data set */
    int32_t *class_of;      /* [n_file_labels], single-label */
    float *values;          /* [n_file_labels * width], regression and multi-label */
} label_map;

void label_map_free(label_map *map);

typedef struct encoded_set {
    int64_t n;            /* examples */
    int64_t *start;       /* [n + 1] offsets into ids */
    int32_t *ids;         /* WordPiece ids with [CLS] ... [SEP], truncated to max_len */
    int32_t *labels;      /* [n] classes (single-label) */
    float *targets;       /* [n * width] (regression, multi-label) */
    int32_t problem, width;
    int64_t *source;      /* [n] index in the dataset */
    int64_t truncated;    /* examples cut at max_len */
    int64_t tokens;       /* ids kept, padding excluded */
} encoded_set;

/* Tokenizes the examples whose split is in split_mask (bit s for split s;
 * SPLITS_ALL for every example), with their targets from map. */
#define SPLITS_ALL 7u
int encoded_set_build(encoded_set *set, attn_tokenizer *tok, const attn_dataset *ds, uint32_t split_mask,
                      int32_t max_len, const label_map *map);
void encoded_set_free(encoded_set *set);

/* Padded batch tensors, allocated once for [max_batch, max_len]; labels are
 * int32 [B] (single-label), float32 [B] (regression) or [B, width]. */
typedef struct batch_tensors {
    attn_tensor *ids, *mask, *labels;   /* int32 [B, T], int32 [B, T], labels */
    int32_t pad_id, problem, width;
} batch_tensors;

int batch_tensors_init(batch_tensors *bt, attn_ctx *ctx, int32_t max_batch, int32_t max_len, int32_t pad_id,
                       int32_t problem, int32_t width);
void batch_tensors_free(batch_tensors *bt);
/* Fills the batch with examples order[first .. first+count) of set, padded
 * to the longest of them (dynamic padding). order may be NULL (identity). */
int batch_tensors_fill(batch_tensors *bt, const encoded_set *set, const int64_t *order, int64_t first, int64_t count);

/* A permutation of 0..n-1 from (seed, epoch): the same every run. */
void shuffle_order(int64_t *order, int64_t n, uint64_t seed, int64_t epoch);

#endif
