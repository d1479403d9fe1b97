/* Embedding lookup: y[n] = table[ids[n]]. Shapes: ids any shape of N int32
 * or int64 indices (contiguous), table [V, D], y [N, D]. Every id is checked
 * before anything is written. Backward adds dy rows into the gradient rows
 * of the ids it is given and touches no other row; threads split the
 * columns, so repeated ids never race and sums keep their order. */
#include "layers/layer.h"
#include "compute/compute.h"

typedef struct {
    struct attn_layer base;
    int64_t num, dim;
    attn_tensor *table, *grad;   /* [V, D] */
} embedding_layer;

attn_status attn_embedding_create(attn_ctx *ctx, int64_t num, int64_t dim, attn_layer **out)
{
    if (!ctx) return ATTN_ERR_INVALID_ARG;
    if (!out) return attn__fail(ctx, ATTN_ERR_INVALID_ARG, "attn_embedding_create: out is NULL");
    *out = NULL;
    if (num < 1 || dim < 1)
        return attn__fail(ctx, ATTN_ERR_INVALID_ARG, "attn_embedding_create: num and dim must be >= 1 (num %lld, dim %lld)",
                          (long long)num, (long long)dim);
    attn_layer *l;
    ATTN_CHECK(attn__layer_new(ctx, ATTN__LAYER_EMBEDDING, sizeof(embedding_layer), &l));
    embedding_layer *e = (embedding_layer *)l;
    e->num = num;
    e->dim = dim;
    int64_t s[2] = {num, dim};
    attn_status st = attn__layer_add_param(l, "weight", 2, s, &e->table, &e->grad);
    if (st != ATTN_OK) {
        attn_layer_destroy(l);
        return st;
    }
    *out = l;
    return attn__ok(ctx);
}

static inline int64_t id_at(const attn_tensor *ids, int64_t i)
{
    const void *p = (const char *)ids->storage->data + (size_t)ids->offset * attn_dtype_size(ids->dtype);
    return ids->dtype == ATTN_I32 ? ((const int32_t *)p)[i] : ((const int64_t *)p)[i];
}

/* Checks ids and out (rows of dim floats) and every id's range. */
static attn_status check_ids(embedding_layer *e, const char *fn, const attn_tensor *ids, const attn_tensor *rows,
                             const char *what, int64_t *n_out, int64_t *ld_out)
{
    attn_ctx *ctx = e->base.ctx;
    if (!ids) return attn__fail(ctx, ATTN_ERR_INVALID_ARG, "%s: ids is NULL", fn);
    if (ids->dtype != ATTN_I32 && ids->dtype != ATTN_I64)
        return attn__fail(ctx, ATTN_ERR_DTYPE, "%s: ids must be int32 or int64 (dtype %d)", fn, (int)ids->dtype);
    if (!attn_tensor_is_contiguous(ids))
        return attn__fail(ctx, ATTN_ERR_SHAPE, "%s: ids must be contiguous (copy the view first)", fn);
    int64_t n = attn_tensor_numel(ids), nr, ld;
    ATTN_CHECK(attn__layer_rows(ctx, rows, fn, what, e->dim, &nr, &ld));
    if (nr != n) {
        char si[96], sr[96];
        return attn__fail(ctx, ATTN_ERR_SHAPE, "%s: ids %s hold %lld ids but %s %s has %lld rows", fn,
                          attn__shape_str(ids, si, sizeof si), (long long)n, what, attn__shape_str(rows, sr, sizeof sr),
                          (long long)nr);
    }
    for (int64_t i = 0; i < n; i++) {
        int64_t id = id_at(ids, i);
        if (id < 0 || id >= e->num)
            return attn__fail(ctx, ATTN_ERR_RANGE, "%s: id %lld at position %lld is outside [0, %lld)", fn, (long long)id,
                              (long long)i, (long long)e->num);
    }
    *n_out = n;
    *ld_out = ld;
    return ATTN_OK;
}

typedef struct {
    embedding_layer *e;
    const attn_tensor *ids;
    float *rows;
    int64_t ld, n;
} emb_job;

static void gather_rows(void *arg, int64_t i0, int64_t i1)
{
    emb_job *j = arg;
    const float *table = attn__f32(j->e->table);
    int64_t d = j->e->dim;
    for (int64_t i = i0; i < i1; i++) {
        const float *src = table + id_at(j->ids, i) * d;
        float *dst = j->rows + i * j->ld;
        for (int64_t c = 0; c < d; c++) dst[c] = src[c];
    }
}

attn_status attn_embedding_forward(attn_layer *layer, const attn_tensor *ids, attn_tensor *y)
{
    static const char fn[] = "attn_embedding_forward";
    ATTN_CHECK(attn__layer_check(layer, ATTN__LAYER_EMBEDDING, fn));
    embedding_layer *e = (embedding_layer *)layer;
    layer->ready = 0;
    int64_t n, ld;
    ATTN_CHECK(check_ids(e, fn, ids, y, "y", &n, &ld));
    emb_job j = {e, ids, attn__f32(y), ld, n};
    attn__parallel_for(layer->ctx, n, e->dim * 2, gather_rows, &j);
    layer->ready = 1;
    return attn__ok(layer->ctx);
}

/* Scatter-add over a block of columns for every id, in id order. */
#define COL_BLOCK 256

static void scatter_cols(void *arg, int64_t b0, int64_t b1)
{
    emb_job *j = arg;
    float *grad = attn__f32(j->e->grad);
    int64_t d = j->e->dim, c0 = b0 * COL_BLOCK, c1 = b1 * COL_BLOCK < d ? b1 * COL_BLOCK : d;
    for (int64_t i = 0; i < j->n; i++) {
        float *dst = grad + id_at(j->ids, i) * d;
        const float *src = j->rows + i * j->ld;
        for (int64_t c = c0; c < c1; c++) dst[c] += src[c];
    }
}

attn_status attn_embedding_backward(attn_layer *layer, const attn_tensor *ids, const attn_tensor *dy)
{
    static const char fn[] = "attn_embedding_backward";
    ATTN_CHECK(attn__layer_check(layer, ATTN__LAYER_EMBEDDING, fn));
    embedding_layer *e = (embedding_layer *)layer;
    if (!layer->ready) return attn__fail(layer->ctx, ATTN_ERR_STATE, "%s: call attn_embedding_forward first", fn);
    ATTN_CHECK(attn__layer_grads(layer));
    int64_t n, ld;
    ATTN_CHECK(check_ids(e, fn, ids, dy, "dy", &n, &ld));
    emb_job j = {e, ids, attn__f32(dy), ld, n};
    attn__parallel_for(layer->ctx, (e->dim + COL_BLOCK - 1) / COL_BLOCK, n * COL_BLOCK * 2, scatter_cols, &j);
    return attn__ok(layer->ctx);
}
