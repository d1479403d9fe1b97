/* Padded batches: n encoded texts laid out as three int32 tensors [B, T]
 * (input ids, token types, attention mask), padded with the tokenizer's
 * pad token (on the right unless its tokenizer.json says left) to the
 * longest sequence or to a fixed length. The tensors and the
 * scratch lists only grow, so a training loop stops allocating once its
 * largest batch has been seen. */
#include <stdio.h>
#include <string.h>

#include "text_internal.h"

#define FIELD_COUNT 3

struct attn_batch {
    attn_ctx *ctx;
    attn_tensor *field[FIELD_COUNT]; /* indexed by attn_batch_field */
    size_t capacity;                 /* elements every field's storage holds */
    attn__text_ids ids, types, lengths;   /* the sequences of the current call, back to back */
};

static attn_status create_fields(attn_ctx *ctx, size_t elements, attn_tensor *out[FIELD_COUNT])
{
    int64_t shape[1] = {(int64_t)elements};
    for (int f = 0; f < FIELD_COUNT; f++) {
        attn_status st = attn_tensor_create(ctx, ATTN_I32, 1, shape, &out[f]);
        if (st != ATTN_OK) {
            for (int g = 0; g < f; g++) attn_tensor_destroy(out[g]);
            return st;
        }
    }
    return ATTN_OK;
}

static attn_status set_shapes(attn_batch *b, int64_t rows, int64_t cols)
{
    int64_t shape[2] = {rows, cols};
    for (int f = 0; f < FIELD_COUNT; f++) ATTN_CHECK(attn_tensor_set_shape(b->field[f], 2, shape));
    return ATTN_OK;
}

attn_status attn_batch_create(attn_ctx *ctx, attn_batch **out)
{
    if (!ctx) return ATTN_ERR_INVALID_ARG;
    if (!out) return attn__fail(ctx, ATTN_ERR_INVALID_ARG, "attn_batch_create: out is NULL");
    *out = NULL;
    attn_batch *b = attn__calloc(ctx, 1, sizeof *b);
    if (!b) return ATTN_ERR_NOMEM;
    b->ctx = ctx;
    attn_status st = create_fields(ctx, 0, b->field);
    if (st == ATTN_OK) st = set_shapes(b, 0, 0);
    if (st != ATTN_OK) {
        attn_batch_destroy(b);
        return st;
    }
    *out = b;
    return attn__ok(ctx);
}

void attn_batch_destroy(attn_batch *b)
{
    if (!b) return;
    for (int f = 0; f < FIELD_COUNT; f++) attn_tensor_destroy(b->field[f]);
    attn__text_buf_free(b->ctx, &b->ids.buf);
    attn__text_buf_free(b->ctx, &b->types.buf);
    attn__text_buf_free(b->ctx, &b->lengths.buf);
    attn__free(b->ctx, b);
}

attn_tensor *attn_batch_tensor(attn_batch *b, attn_batch_field f)
{
    if (!b || (int)f < 0 || (int)f >= FIELD_COUNT) return NULL;
    return b->field[f];
}

/* Encodes every sequence into the batch's lists; *longest gets the longest. */
static attn_status encode_all(attn_tokenizer *tok, attn_batch *b, const char *fn, const char *const *texts,
                              const char *const *pairs, int32_t n, int32_t max_len, int32_t *longest)
{
    attn_ctx *ctx = tok->ctx;
    b->ids.n = b->types.n = b->lengths.n = 0;
    *longest = 0;
    for (int32_t i = 0; i < n; i++) {
        if (!texts[i]) return attn__fail(ctx, ATTN_ERR_INVALID_ARG, "%s: texts[%d] is NULL", fn, (int)i);
        size_t before = b->ids.n;
        attn_status st = attn__tokenizer_encode_append(tok, fn, texts[i], pairs ? pairs[i] : NULL, max_len, &b->ids,
                                                       &b->types);
        if (st != ATTN_OK) {
            char msg[ATTN_ERRMSG_MAX];
            snprintf(msg, sizeof msg, "%s", attn_ctx_last_error(ctx));
            return attn__fail(ctx, st, "%s (texts[%d])", msg, (int)i);
        }
        int32_t len = (int32_t)(b->ids.n - before);
        ATTN_CHECK(attn__text_ids_push(ctx, &b->lengths, len));
        if (len > *longest) *longest = len;
    }
    return ATTN_OK;
}

attn_status attn_tokenizer_encode_batch(attn_tokenizer *tok, attn_batch *batch, const char *const *texts,
                                        const char *const *pairs, int32_t n, int32_t max_len, int32_t pad_to)
{
    static const char fn[] = "attn_tokenizer_encode_batch";
    if (!tok) return ATTN_ERR_INVALID_ARG;
    attn_ctx *ctx = tok->ctx;
    if (!batch) return attn__fail(ctx, ATTN_ERR_INVALID_ARG, "%s: batch is NULL", fn);
    if (batch->ctx != ctx)
        return attn__fail(ctx, ATTN_ERR_INVALID_ARG, "%s: the batch and the tokenizer belong to different contexts", fn);
    if (n < 0 || pad_to < 0 || max_len < 0)
        return attn__fail(ctx, ATTN_ERR_INVALID_ARG, "%s: n (%d), max_len (%d) and pad_to (%d) must be >= 0", fn,
                          (int)n, (int)max_len, (int)pad_to);
    if (n > 0 && !texts) return attn__fail(ctx, ATTN_ERR_INVALID_ARG, "%s: texts is NULL", fn);

    int32_t longest;
    ATTN_CHECK(encode_all(tok, batch, fn, texts, pairs, n, max_len, &longest));
    const int32_t *lengths = attn__text_ids_data(&batch->lengths);
    int32_t width = pad_to > 0 ? pad_to : longest;
    int needs_padding = 0;
    for (int32_t i = 0; i < n; i++) {
        if (lengths[i] > width)
            return attn__fail(ctx, ATTN_ERR_LIMIT, "%s: texts[%d] has %d ids, more than pad_to %d (pass max_len to truncate)",
                              fn, (int)i, (int)lengths[i], (int)width);
        needs_padding |= lengths[i] < width;
    }
    int32_t pad = tok->pad_id;
    if (needs_padding && pad < 0)
        return attn__fail(ctx, ATTN_ERR_NOT_FOUND,
                          "%s: the vocab has no [PAD] entry (nor the tokenizer a pad token) and the batch needs padding", fn);

    size_t elements;
    if (!attn__mul_size((size_t)n, (size_t)width, &elements) || elements > (size_t)INT64_MAX / sizeof(int32_t))
        return attn__fail(ctx, ATTN_ERR_OVERFLOW, "%s: a batch of %d x %d overflows", fn, (int)n, (int)width);
    if (elements > batch->capacity) {
        size_t grown = batch->capacity + batch->capacity / 2;
        size_t capacity = grown > elements ? grown : elements;
        attn_tensor *fresh[FIELD_COUNT];
        ATTN_CHECK(create_fields(ctx, capacity, fresh));
        for (int f = 0; f < FIELD_COUNT; f++) {
            attn_tensor_destroy(batch->field[f]);
            batch->field[f] = fresh[f];
        }
        batch->capacity = capacity;
    }
    ATTN_CHECK(set_shapes(batch, n, width));

    int32_t *ids = attn_tensor_data(batch->field[ATTN_BATCH_INPUT_IDS]);
    int32_t *types = attn_tensor_data(batch->field[ATTN_BATCH_TOKEN_TYPE_IDS]);
    int32_t *mask = attn_tensor_data(batch->field[ATTN_BATCH_ATTENTION_MASK]);
    const int32_t *src_ids = attn__text_ids_data(&batch->ids), *src_types = attn__text_ids_data(&batch->types);
    size_t from = 0;
    for (int32_t i = 0; i < n; i++) {
        size_t row = (size_t)i * (size_t)width, len = (size_t)lengths[i], padding = (size_t)width - len;
        /* a tokenizer.json may ask for padding on the left */
        size_t text_at = tok->pad_left ? row + padding : row, pad_at = tok->pad_left ? row : row + len;
        memcpy(ids + text_at, src_ids + from, len * sizeof *ids);
        memcpy(types + text_at, src_types + from, len * sizeof *types);
        for (size_t j = 0; j < len; j++) mask[text_at + j] = 1;
        for (size_t j = 0; j < padding; j++) {
            ids[pad_at + j] = pad;
            types[pad_at + j] = tok->pad_type_id;
            mask[pad_at + j] = 0;
        }
        from += len;
    }
    return attn__ok(ctx);
}
