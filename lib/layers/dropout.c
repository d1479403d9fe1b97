/* Dropout: in training, zeroes each element with probability p and scales
 * the rest by 1 / (1 - p); in eval mode it is the identity. Shapes: x, y
 * (and dy, dx) of one shape whose rows are row-major. The mask is not
 * stored: forward reserves a block of the context's RNG counters and keeps
 * only its start (and the seed), backward regenerates the same mask.
 * Element (r, c) draws counter start + r * cols + c whatever the strides. */
#include <math.h>

#include "layers/layer.h"
#include "compute/compute.h"

typedef struct {
    struct attn_layer base;
    float p;
    int32_t masked;       /* the last forward applied a mask */
    uint64_t seed, counter;
    int64_t rows, cols;   /* shape of the last forward, as rows */
} dropout_layer;

attn_status attn_dropout_create(attn_ctx *ctx, float p, attn_layer **out)
{
    if (!ctx) return ATTN_ERR_INVALID_ARG;
    if (!out) return attn__fail(ctx, ATTN_ERR_INVALID_ARG, "attn_dropout_create: out is NULL");
    *out = NULL;
    if (!(p >= 0.0f && p < 1.0f))
        return attn__fail(ctx, ATTN_ERR_INVALID_ARG, "attn_dropout_create: p must be in [0, 1), not %g", (double)p);
    attn_layer *l;
    ATTN_CHECK(attn__layer_new(ctx, ATTN__LAYER_DROPOUT, sizeof(dropout_layer), &l));
    ((dropout_layer *)l)->p = p;
    *out = l;
    return attn__ok(ctx);
}

typedef struct {
    dropout_layer *d;
    float *out;
    const float *in;
    int64_t ldo, ldi;
} drop_job;

static void forward_rows(void *arg, int64_t r0, int64_t r1)
{
    drop_job *j = arg;
    dropout_layer *d = j->d;
    float scale = 1.0f / (1.0f - d->p);
    for (int64_t r = r0; r < r1; r++)
        attn__kern(d->base.ctx)->dropout_row(j->out + r * j->ldo, j->in + r * j->ldi, d->cols, d->seed, d->counter + (uint64_t)(r * d->cols),
                          d->p, scale);
}

static void backward_rows(void *arg, int64_t r0, int64_t r1)
{
    drop_job *j = arg;
    dropout_layer *d = j->d;
    float scale = 1.0f / (1.0f - d->p);
    for (int64_t r = r0; r < r1; r++)
        attn__kern(d->base.ctx)->dropout_row_backward(j->out + r * j->ldo, j->in + r * j->ldi, d->cols, d->seed,
                                   d->counter + (uint64_t)(r * d->cols), d->p, scale, 1);
}

static void copy_rows(void *arg, int64_t r0, int64_t r1)
{
    drop_job *j = arg;
    for (int64_t r = r0; r < r1; r++) {
        float *o = j->out + r * j->ldo;
        const float *i = j->in + r * j->ldi;
        for (int64_t c = 0; c < j->d->cols; c++) o[c] = i[c];
    }
}

static void add_rows(void *arg, int64_t r0, int64_t r1)
{
    drop_job *j = arg;
    for (int64_t r = r0; r < r1; r++) {
        float *o = j->out + r * j->ldo;
        const float *i = j->in + r * j->ldi;
        for (int64_t c = 0; c < j->d->cols; c++) o[c] += i[c];
    }
}

/* Both tensors float32, of one shape, with row-major rows. */
static attn_status check_pair(attn_ctx *ctx, const char *fn, const attn_tensor *a, const char *wa,
                              const attn_tensor *b, const char *wb, int64_t *rows, int64_t *cols, int64_t *lda,
                              int64_t *ldb)
{
    if (!a) return attn__fail(ctx, ATTN_ERR_INVALID_ARG, "%s: %s is NULL", fn, wa);
    if (!b) return attn__fail(ctx, ATTN_ERR_INVALID_ARG, "%s: %s is NULL", fn, wb);
    int64_t ra, rb;
    ATTN_CHECK(attn__layer_rows(ctx, a, fn, wa, -1, &ra, lda));
    ATTN_CHECK(attn__layer_rows(ctx, b, fn, wb, -1, &rb, ldb));
    int same = a->rank == b->rank;
    for (int32_t i = 0; same && i < a->rank; i++) same = a->shape[i] == b->shape[i];
    if (!same) {
        char sa[96], sb[96];
        return attn__fail(ctx, ATTN_ERR_SHAPE, "%s: %s %s and %s %s differ", fn, wa, attn__shape_str(a, sa, sizeof sa),
                          wb, attn__shape_str(b, sb, sizeof sb));
    }
    *rows = ra;
    *cols = a->shape[a->rank - 1];
    return ATTN_OK;
}

attn_status attn_dropout_forward(attn_layer *layer, const attn_tensor *x, attn_tensor *y)
{
    static const char fn[] = "attn_dropout_forward";
    ATTN_CHECK(attn__layer_check(layer, ATTN__LAYER_DROPOUT, fn));
    dropout_layer *d = (dropout_layer *)layer;
    attn_ctx *ctx = layer->ctx;
    layer->ready = 0;
    int64_t rows, cols, ldx, ldy;
    ATTN_CHECK(check_pair(ctx, fn, x, "x", y, "y", &rows, &cols, &ldx, &ldy));
    if (!(attn__f32(y) == attn__f32(x) && ldy == ldx))
        ATTN_CHECK(attn__layer_no_overlap(ctx, fn, y, "y", rows, ldy, cols, x, "x", rows, ldx, cols));
    d->rows = rows;
    d->cols = cols;
    d->masked = layer->training && d->p > 0.0f;
    drop_job j = {d, attn__f32(y), attn__f32(x), ldy, ldx};
    if (d->masked) {
        d->seed = ctx->seed;
        d->counter = attn__rng_reserve(ctx, (uint64_t)(rows * cols));
        attn__parallel_for(ctx, rows, cols * 8, forward_rows, &j);
    } else if (j.out != j.in) {
        attn__parallel_for(ctx, rows, cols * 2, copy_rows, &j);
    }
    layer->ready = 1;
    return attn__ok(ctx);
}

attn_status attn_dropout_backward(attn_layer *layer, const attn_tensor *dy, attn_tensor *dx)
{
    static const char fn[] = "attn_dropout_backward";
    ATTN_CHECK(attn__layer_check(layer, ATTN__LAYER_DROPOUT, fn));
    dropout_layer *d = (dropout_layer *)layer;
    attn_ctx *ctx = layer->ctx;
    if (!layer->ready) return attn__fail(ctx, ATTN_ERR_STATE, "%s: call attn_dropout_forward first", fn);
    if (!dx) {
        int64_t r, l;
        ATTN_CHECK(attn__layer_rows(ctx, dy, fn, "dy", -1, &r, &l));
        return attn__ok(ctx);
    }
    int64_t rows, cols, lddy, lddx;
    ATTN_CHECK(check_pair(ctx, fn, dy, "dy", dx, "dx", &rows, &cols, &lddy, &lddx));
    if (rows != d->rows || cols != d->cols) {
        char s[96];
        return attn__fail(ctx, ATTN_ERR_SHAPE, "%s: dy %s is not the shape of the forward's x (%lld rows of %lld)", fn,
                          attn__shape_str(dy, s, sizeof s), (long long)d->rows, (long long)d->cols);
    }
    ATTN_CHECK(attn__layer_no_overlap(ctx, fn, dx, "dx", rows, lddx, cols, dy, "dy", rows, lddy, cols));
    drop_job j = {d, attn__f32(dx), attn__f32(dy), lddx, lddy};
    attn__parallel_for(ctx, rows, cols * (d->masked ? 8 : 2), d->masked ? backward_rows : add_rows, &j);
    return attn__ok(ctx);
}
