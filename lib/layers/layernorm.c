/* LayerNorm over the last axis (biased variance, eps inside the square
 * root, as torch.nn.LayerNorm). Shapes: x, y [N, H]; keeps mean and rstd
 * [N] for backward. Rows run in parallel; the weight and bias gradients
 * are column sums, split by columns so no two threads add into one
 * column. The row math is in layernorm_rows.c. */
#include <math.h>

#include "layers/fused.h"
#include "layers/layer.h"
#include "compute/compute.h"

typedef struct {
    struct attn_layer base;
    int64_t dim;
    float eps;
    attn_tensor *w, *b, *gw, *gb;  /* [H] */
    attn__layer_buf stats;               /* mean [N] then rstd [N] of the last forward */
    int64_t n;                     /* rows of the last forward */
} layernorm_layer;

attn_status attn_layernorm_create(attn_ctx *ctx, int64_t dim, float eps, attn_layer **out)
{
    if (!ctx) return ATTN_ERR_INVALID_ARG;
    if (!out) return attn__fail(ctx, ATTN_ERR_INVALID_ARG, "attn_layernorm_create: out is NULL");
    *out = NULL;
    if (dim < 1) return attn__fail(ctx, ATTN_ERR_INVALID_ARG, "attn_layernorm_create: dim must be >= 1, not %lld", (long long)dim);
    if (!(eps >= 0.0f) || !isfinite(eps))
        return attn__fail(ctx, ATTN_ERR_INVALID_ARG, "attn_layernorm_create: eps must be finite and >= 0, not %g", (double)eps);
    attn_layer *l;
    ATTN_CHECK(attn__layer_new(ctx, ATTN__LAYER_LAYERNORM, sizeof(layernorm_layer), &l));
    layernorm_layer *ln = (layernorm_layer *)l;
    ln->dim = dim;
    ln->eps = eps;
    attn__layer_track_buf(l, &ln->stats);
    int64_t s[1] = {dim};
    attn_status st = attn__layer_add_param(l, "weight", 1, s, &ln->w, &ln->gw);
    if (st == ATTN_OK) st = attn__layer_add_param(l, "bias", 1, s, &ln->b, &ln->gb);
    if (st == ATTN_OK) st = attn_tensor_fill(ln->w, 1.0);
    if (st != ATTN_OK) {
        attn_layer_destroy(l);
        return st;
    }
    *out = l;
    return attn__ok(ctx);
}

typedef struct {
    layernorm_layer *ln;
    float *y;
    const float *x, *dy;
    float *dx;
    int64_t ldy, ldx, lddy, lddx;
} ln_job;

static void forward_rows(void *arg, int64_t r0, int64_t r1)
{
    ln_job *j = arg;
    layernorm_layer *ln = j->ln;
    float *mean = ln->stats.p, *rstd = mean + ln->n;
    const float *w = attn__f32(ln->w), *b = attn__f32(ln->b);
    for (int64_t r = r0; r < r1; r++)
        attn__kern(ln->base.ctx)->layernorm_row(j->y + r * j->ldy, j->x + r * j->ldx, w, b, ln->dim, ln->eps, &mean[r], &rstd[r]);
}

attn_status attn_layernorm_forward(attn_layer *layer, const attn_tensor *x, attn_tensor *y)
{
    static const char fn[] = "attn_layernorm_forward";
    ATTN_CHECK(attn__layer_check(layer, ATTN__LAYER_LAYERNORM, fn));
    layernorm_layer *ln = (layernorm_layer *)layer;
    attn_ctx *ctx = layer->ctx;
    layer->ready = 0;
    int64_t n, ldx, ny, ldy;
    ATTN_CHECK(attn__layer_rows(ctx, x, fn, "x", ln->dim, &n, &ldx));
    ATTN_CHECK(attn__layer_rows(ctx, y, fn, "y", ln->dim, &ny, &ldy));
    ATTN_CHECK(attn__layer_same_rows(ctx, fn, x, "x", n, y, "y", ny));
    /* y may be x itself (each row is read fully before it is written), but not a shifted copy of it */
    if (!(attn__f32(y) == attn__f32(x) && ldy == ldx))
        ATTN_CHECK(attn__layer_no_overlap(ctx, fn, y, "y", n, ldy, ln->dim, x, "x", n, ldx, ln->dim));
    ATTN_CHECK(attn__layer_buf_reserve(ctx, &ln->stats, (size_t)n * 2, sizeof(float), fn));
    ln->n = n;
    ln_job j = {.ln = ln, .y = attn__f32(y), .x = attn__f32(x), .ldy = ldy, .ldx = ldx};
    attn__parallel_for(ctx, n, ln->dim * 3, forward_rows, &j);
    layer->ready = 1;
    return attn__ok(ctx);
}

typedef struct {
    layernorm_layer *ln;
    const float *x, *r, *bias;
    float *s, *y;
    int64_t ldx, ldr, lds, ldy;
} residual_job;

static void residual_rows(void *arg, int64_t r0, int64_t r1)
{
    residual_job *j = arg;
    layernorm_layer *ln = j->ln;
    float *mean = ln->stats.p, *rstd = mean + ln->n;
    const float *w = attn__f32(ln->w), *b = attn__f32(ln->b);
    for (int64_t row = r0; row < r1; row++) {
        float *s = j->s + row * j->lds;
        const float *x = j->x + row * j->ldx, *r = j->r + row * j->ldr;
        if (j->bias)
            for (int64_t c = 0; c < ln->dim; c++) s[c] = x[c] + (r[c] + j->bias[c]);
        else
            for (int64_t c = 0; c < ln->dim; c++) s[c] = x[c] + r[c];
        /* the row is still in L1 for the normalisation */
        attn__kern(ln->base.ctx)->layernorm_row(j->y + row * j->ldy, s, w, b, ln->dim, ln->eps, &mean[row], &rstd[row]);
    }
}

attn_status attn__layernorm_forward_residual(attn_layer *layer, const attn_tensor *x, const attn_tensor *r,
                                             const float *bias, attn_tensor *s, attn_tensor *y)
{
    static const char fn[] = "attn_layernorm_forward (residual)";
    ATTN_CHECK(attn__layer_check(layer, ATTN__LAYER_LAYERNORM, fn));
    layernorm_layer *ln = (layernorm_layer *)layer;
    attn_ctx *ctx = layer->ctx;
    layer->ready = 0;
    int64_t n, ldx, nr, ldr, ns, lds, ny, ldy, d = ln->dim;
    ATTN_CHECK(attn__layer_rows(ctx, x, fn, "x", d, &n, &ldx));
    ATTN_CHECK(attn__layer_rows(ctx, r, fn, "r", d, &nr, &ldr));
    ATTN_CHECK(attn__layer_rows(ctx, s, fn, "s", d, &ns, &lds));
    ATTN_CHECK(attn__layer_rows(ctx, y, fn, "y", d, &ny, &ldy));
    ATTN_CHECK(attn__layer_same_rows(ctx, fn, x, "x", n, r, "r", nr));
    ATTN_CHECK(attn__layer_same_rows(ctx, fn, x, "x", n, s, "s", ns));
    ATTN_CHECK(attn__layer_same_rows(ctx, fn, x, "x", n, y, "y", ny));
    /* row by row: s may be x, y may be s; nothing may overlap r */
    ATTN_CHECK(attn__layer_no_overlap(ctx, fn, s, "s", n, lds, d, r, "r", n, ldr, d));
    if (!(attn__f32(s) == attn__f32(x) && lds == ldx))
        ATTN_CHECK(attn__layer_no_overlap(ctx, fn, s, "s", n, lds, d, x, "x", n, ldx, d));
    if (!(attn__f32(y) == attn__f32(s) && ldy == lds)) {
        ATTN_CHECK(attn__layer_no_overlap(ctx, fn, y, "y", n, ldy, d, s, "s", n, lds, d));
        ATTN_CHECK(attn__layer_no_overlap(ctx, fn, y, "y", n, ldy, d, r, "r", n, ldr, d));
        if (!(attn__f32(y) == attn__f32(x) && ldy == ldx))
            ATTN_CHECK(attn__layer_no_overlap(ctx, fn, y, "y", n, ldy, d, x, "x", n, ldx, d));
    }
    ATTN_CHECK(attn__layer_buf_reserve(ctx, &ln->stats, (size_t)n * 2, sizeof(float), fn));
    ln->n = n;
    residual_job j = {ln, attn__f32(x), attn__f32(r), bias, attn__f32(s), attn__f32(y), ldx, ldr, lds, ldy};
    attn__parallel_for(ctx, n, d * 5, residual_rows, &j);
    layer->ready = 1;
    return attn__ok(ctx);
}

static void backward_rows(void *arg, int64_t r0, int64_t r1)
{
    ln_job *j = arg;
    layernorm_layer *ln = j->ln;
    const float *mean = ln->stats.p, *rstd = mean + ln->n, *w = attn__f32(ln->w);
    for (int64_t r = r0; r < r1; r++)
        attn__kern(ln->base.ctx)->layernorm_row_backward(j->dx + r * j->lddx, j->x + r * j->ldx, j->dy + r * j->lddy, w, mean[r], rstd[r],
                                     ln->dim);
}

/* Parameter gradients in blocks of columns. */
#define PARAM_COL_BLOCK 256

static void param_grad_cols(void *arg, int64_t b0, int64_t b1)
{
    ln_job *j = arg;
    layernorm_layer *ln = j->ln;
    const float *mean = ln->stats.p, *rstd = mean + ln->n;
    int64_t c0 = b0 * PARAM_COL_BLOCK, c1 = b1 * PARAM_COL_BLOCK < ln->dim ? b1 * PARAM_COL_BLOCK : ln->dim;
    attn__kern(ln->base.ctx)->layernorm_param_grad(attn__f32(ln->gw), attn__f32(ln->gb), j->x, j->ldx, j->dy, j->lddy, mean, rstd, ln->n,
                               c0, c1);
}

attn_status attn_layernorm_backward(attn_layer *layer, const attn_tensor *x, const attn_tensor *dy, attn_tensor *dx)
{
    static const char fn[] = "attn_layernorm_backward";
    ATTN_CHECK(attn__layer_check(layer, ATTN__LAYER_LAYERNORM, fn));
    layernorm_layer *ln = (layernorm_layer *)layer;
    attn_ctx *ctx = layer->ctx;
    if (!layer->ready) return attn__fail(ctx, ATTN_ERR_STATE, "%s: call attn_layernorm_forward first", fn);
    ATTN_CHECK(attn__layer_grads(layer));
    int64_t n, ldx, ndy, lddy, ndx, lddx = 0;
    ATTN_CHECK(attn__layer_rows(ctx, x, fn, "x", ln->dim, &n, &ldx));
    if (n != ln->n) {
        char s[96];
        return attn__fail(ctx, ATTN_ERR_SHAPE, "%s: x %s has %lld rows but the forward saw %lld", fn,
                          attn__shape_str(x, s, sizeof s), (long long)n, (long long)ln->n);
    }
    ATTN_CHECK(attn__layer_rows(ctx, dy, fn, "dy", ln->dim, &ndy, &lddy));
    ATTN_CHECK(attn__layer_same_rows(ctx, fn, x, "x", n, dy, "dy", ndy));
    if (dx) {
        ATTN_CHECK(attn__layer_rows(ctx, dx, fn, "dx", ln->dim, &ndx, &lddx));
        ATTN_CHECK(attn__layer_same_rows(ctx, fn, x, "x", n, dx, "dx", ndx));
        ATTN_CHECK(attn__layer_no_overlap(ctx, fn, dx, "dx", n, lddx, ln->dim, dy, "dy", n, lddy, ln->dim));
        ATTN_CHECK(attn__layer_no_overlap(ctx, fn, dx, "dx", n, lddx, ln->dim, x, "x", n, ldx, ln->dim));
    }
    ln_job j = {.ln = ln, .x = attn__f32(x), .dy = attn__f32(dy), .ldx = ldx, .lddy = lddy};
    int64_t blocks = (ln->dim + PARAM_COL_BLOCK - 1) / PARAM_COL_BLOCK;
    attn__parallel_for(ctx, blocks, n * PARAM_COL_BLOCK * 2, param_grad_cols, &j);
    if (dx) {
        j.dx = attn__f32(dx);
        j.lddx = lddx;
        attn__parallel_for(ctx, n, ln->dim * 4, backward_rows, &j);
    }
    return attn__ok(ctx);
}
