/* Examples tokenized once, and padded batches built from them without
 * allocating (for `attn train`, `attn predict` evaluation and the bench). */
#ifndef ATTN_TOOLS_TRAIN_DATA_H
#define ATTN_TOOLS_TRAIN_DATA_H

#include <stdint.h>

#include "attn.h"

typedef struct encoded_set {
    int64_t n;            /* examples */
    int64_t *start;       /* [n + 1] offsets into ids */
    int32_t *ids;         /* WordPiece ids with [CLS] ... [SEP], truncated to max_len */
    int32_t *labels;      /* [n] */
    int64_t *source;      /* [n] index in the dataset */
    int64_t truncated;    /* examples cut at max_len */
    int64_t tokens;       /* ids kept, padding excluded */
} encoded_set;

/* Tokenizes the examples of one split (split -1: every example). */
int encoded_set_build(encoded_set *set, attn_tokenizer *tok, const attn_dataset *ds, int32_t split, int32_t max_len);
void encoded_set_free(encoded_set *set);

/* Padded batch tensors, allocated once for [max_batch, max_len]. */
typedef struct batch_tensors {
    attn_tensor *ids, *mask, *labels;   /* int32 [B, T], int32 [B, T], int32 [B] */
    int32_t pad_id;
} batch_tensors;

int batch_tensors_init(batch_tensors *bt, attn_ctx *ctx, int32_t max_batch, int32_t max_len, int32_t pad_id);
void batch_tensors_free(batch_tensors *bt);
/* Fills the batch with examples order[first .. first+count) of set, padded
 * to the longest of them (dynamic padding). order may be NULL (identity). */
int batch_tensors_fill(batch_tensors *bt, const encoded_set *set, const int64_t *order, int64_t first, int64_t count);

/* A permutation of 0..n-1 from (seed, epoch): the same every run. */
void shuffle_order(int64_t *order, int64_t n, uint64_t seed, int64_t epoch);

#endif
