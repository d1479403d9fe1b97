/* Feed-forward block of a transformer layer:
 *   pre = x W1^T + b1, act = f(pre), y = act W2^T + b2
 * with W1 [I, H] ("intermediate.dense"), W2 [H, I] ("output.dense").
 * Shapes: x, y [N, H]; pre, act [N, I] are kept for backward. The first
 * GEMM writes pre, one fused pass adds b1 and applies f (rows in parallel),
 * the second GEMM adds onto y prefilled with b2. Backward:
 *   dW2 += dy^T act, db2 += sum dy, d = (dy W2) * f'(pre),
 *   dW1 += d^T x, db1 += sum d, dx += d W1. */
#include "layers/fused.h"
#include "layers/layer.h"
#include "compute/compute.h"

typedef struct {
    struct attn_layer base;
    int64_t hidden, inner;
    attn_activation act;
    attn_tensor *w1, *b1, *w2, *b2;
    attn_tensor *gw1, *gb1, *gw2, *gb2;
    attn__layer_buf pre, post;    /* [N, I] each; backward's d [N, I] is in the context's work area */
    int64_t n;                    /* rows of the last forward */
} ffn_layer;

attn_status attn_ffn_create(attn_ctx *ctx, int64_t hidden, int64_t inner, attn_activation act, attn_layer **out)
{
    if (!ctx) return ATTN_ERR_INVALID_ARG;
    if (!out) return attn__fail(ctx, ATTN_ERR_INVALID_ARG, "attn_ffn_create: out is NULL");
    *out = NULL;
    if (hidden < 1 || inner < 1)
        return attn__fail(ctx, ATTN_ERR_INVALID_ARG, "attn_ffn_create: hidden and inner must be >= 1 (hidden %lld, inner %lld)",
                          (long long)hidden, (long long)inner);
    if (act < ATTN_ACT_RELU || act > ATTN_ACT_IDENTITY)
        return attn__fail(ctx, ATTN_ERR_INVALID_ARG, "attn_ffn_create: unknown activation %d", (int)act);
    attn_layer *l;
    ATTN_CHECK(attn__layer_new(ctx, ATTN__LAYER_FFN, sizeof(ffn_layer), &l));
    ffn_layer *f = (ffn_layer *)l;
    f->hidden = hidden;
    f->inner = inner;
    f->act = act;
    attn__layer_track_buf(l, &f->pre);
    attn__layer_track_buf(l, &f->post);
    attn__layer_use_scratch(l);
    int64_t w1s[2] = {inner, hidden}, b1s[1] = {inner}, w2s[2] = {hidden, inner}, b2s[1] = {hidden};
    attn_status st = attn__layer_add_param(l, "intermediate.dense.weight", 2, w1s, &f->w1, &f->gw1);
    if (st == ATTN_OK) st = attn__layer_add_param(l, "intermediate.dense.bias", 1, b1s, &f->b1, &f->gb1);
    if (st == ATTN_OK) st = attn__layer_add_param(l, "output.dense.weight", 2, w2s, &f->w2, &f->gw2);
    if (st == ATTN_OK) st = attn__layer_add_param(l, "output.dense.bias", 1, b2s, &f->b2, &f->gb2);
    if (st != ATTN_OK) {
        attn_layer_destroy(l);
        return st;
    }
    *out = l;
    return attn__ok(ctx);
}

typedef struct {
    ffn_layer *f;
    float *d;           /* backward: dpre */
    float *pre, *post;  /* forward: [N, I] each */
} ffn_job;

static void act_rows(void *arg, int64_t r0, int64_t r1)
{
    ffn_job *j = arg;
    ffn_layer *f = j->f;
    float *pre = j->pre, *post = j->post;
    const float *b1 = attn__f32(f->b1);
    for (int64_t r = r0; r < r1; r++) attn__kern(f->base.ctx)->bias_act_row(f->act, pre + r * f->inner, post + r * f->inner, b1, f->inner);
}

static void act_grad_rows(void *arg, int64_t r0, int64_t r1)
{
    ffn_job *j = arg;
    ffn_layer *f = j->f;
    const float *pre = f->pre.p;
    for (int64_t r = r0; r < r1; r++) attn__kern(f->base.ctx)->act_grad_row(f->act, j->d + r * f->inner, pre + r * f->inner, f->inner);
}

/* Work estimate per element of f, in copies: the vectorised GELU takes
 * about 0.7 ns per element, a copy some 0.2. */
static int64_t act_cost(attn_activation a)
{
    return a == ATTN_ACT_GELU || a == ATTN_ACT_GELU_TANH ? 4 : 2;
}

attn_status attn_ffn_forward(attn_layer *layer, const attn_tensor *x, attn_tensor *y)
{
    return attn__ffn_forward_ex(layer, x, y, 1);
}

const float *attn__ffn_output_bias(const attn_layer *layer)
{
    return attn__f32(((const ffn_layer *)layer)->b2);
}

attn_status attn__ffn_forward_ex(attn_layer *layer, const attn_tensor *x, attn_tensor *y, int output_bias)
{
    static const char fn[] = "attn_ffn_forward";
    ATTN_CHECK(attn__layer_check(layer, ATTN__LAYER_FFN, fn));
    ffn_layer *f = (ffn_layer *)layer;
    attn_ctx *ctx = layer->ctx;
    layer->ready = 0;
    int64_t n, ldx, ny, ldy, h = f->hidden, in = f->inner;
    ATTN_CHECK(attn__layer_rows(ctx, x, fn, "x", h, &n, &ldx));
    ATTN_CHECK(attn__layer_rows(ctx, y, fn, "y", h, &ny, &ldy));
    ATTN_CHECK(attn__layer_same_rows(ctx, fn, x, "x", n, y, "y", ny));
    ATTN_CHECK(attn__layer_no_overlap(ctx, fn, y, "y", n, ldy, h, x, "x", n, ldx, h));
    size_t count;
    if (!attn__mul_size((size_t)n, (size_t)in, &count))
        return attn__fail(ctx, ATTN_ERR_OVERFLOW, "%s: %lld rows of %lld overflow", fn, (long long)n, (long long)in);
    float *pre, *post, *py = attn__f32(y);
    if (layer->drop_activations) { /* nothing kept: the context's shared area serves every layer */
        size_t both;
        if (!attn__mul_size(count, 2 * sizeof(float), &both))
            return attn__fail(ctx, ATTN_ERR_OVERFLOW, "%s: %lld rows of %lld overflow", fn, (long long)n, (long long)in);
        pre = attn__scratch(ctx, both);
        if (!pre) return ATTN_ERR_NOMEM;
        post = pre + count;
    } else {
        ATTN_CHECK(attn__layer_buf_reserve(ctx, &f->pre, count, sizeof(float), fn));
        ATTN_CHECK(attn__layer_buf_reserve(ctx, &f->post, count, sizeof(float), fn));
        pre = f->pre.p;
        post = f->post.p;
    }
    f->n = n;
    attn__gemm(ctx, 0, 1, n, in, h, 1.0f, attn__f32(x), ldx, attn__f32(f->w1), h, 0.0f, pre, in);
    ffn_job j = {f, NULL, pre, post};
    attn__parallel_for(ctx, n, in * act_cost(f->act), act_rows, &j);
    if (output_bias) attn__bias_fill_rows(py, ldy, n, attn__f32(f->b2), h);
    attn__gemm(ctx, 0, 1, n, h, in, 1.0f, post, in, attn__f32(f->w2), in, output_bias ? 1.0f : 0.0f, py, ldy);
    layer->ready = !layer->drop_activations;
    return attn__ok(ctx);
}

attn_status attn_ffn_backward(attn_layer *layer, const attn_tensor *x, const attn_tensor *dy, attn_tensor *dx)
{
    static const char fn[] = "attn_ffn_backward";
    ATTN_CHECK(attn__layer_check(layer, ATTN__LAYER_FFN, fn));
    ffn_layer *f = (ffn_layer *)layer;
    attn_ctx *ctx = layer->ctx;
    if (!layer->ready)
        return attn__fail(ctx, ATTN_ERR_STATE, layer->drop_activations ? "%s: the layer is set for inference only"
                                                                          : "%s: call attn_ffn_forward first", fn);
    ATTN_CHECK(attn__layer_grads(layer));
    int64_t n, ldx, ndy, lddy, ndx, lddx = 0, h = f->hidden, in = f->inner;
    ATTN_CHECK(attn__layer_rows(ctx, x, fn, "x", h, &n, &ldx));
    if (n != f->n) {
        char s[96];
        return attn__fail(ctx, ATTN_ERR_SHAPE, "%s: x %s has %lld rows but the forward saw %lld", fn,
                          attn__shape_str(x, s, sizeof s), (long long)n, (long long)f->n);
    }
    ATTN_CHECK(attn__layer_rows(ctx, dy, fn, "dy", h, &ndy, &lddy));
    ATTN_CHECK(attn__layer_same_rows(ctx, fn, x, "x", n, dy, "dy", ndy));
    if (dx) {
        ATTN_CHECK(attn__layer_rows(ctx, dx, fn, "dx", h, &ndx, &lddx));
        ATTN_CHECK(attn__layer_same_rows(ctx, fn, x, "x", n, dx, "dx", ndx));
        ATTN_CHECK(attn__layer_no_overlap(ctx, fn, dx, "dx", n, lddx, h, dy, "dy", n, lddy, h));
        ATTN_CHECK(attn__layer_no_overlap(ctx, fn, dx, "dx", n, lddx, h, x, "x", n, ldx, h));
    }
    size_t work;
    if (!attn__mul_size((size_t)n * (size_t)in, sizeof(float), &work))
        return attn__fail(ctx, ATTN_ERR_OVERFLOW, "%s: %lld rows of %lld overflow", fn, (long long)n, (long long)in);
    float *d = attn__scratch(ctx, work);
    if (!d) return ATTN_ERR_NOMEM;
    const float *px = attn__f32(x), *pdy = attn__f32(dy), *post = f->post.p;
    attn__gemm(ctx, 1, 0, h, in, n, 1.0f, pdy, lddy, post, in, 1.0f, attn__f32(f->gw2), in);
    attn__colsum_add_parallel(ctx, attn__f32(f->gb2), pdy, n, lddy, h);
    attn__gemm(ctx, 0, 0, n, in, h, 1.0f, pdy, lddy, attn__f32(f->w2), in, 0.0f, d, in);
    ffn_job j = {f, d, NULL, NULL};
    attn__parallel_for(ctx, n, in * act_cost(f->act), act_grad_rows, &j);
    attn__gemm(ctx, 1, 0, in, h, n, 1.0f, d, in, px, ldx, 1.0f, attn__f32(f->gw1), h);
    attn__colsum_add_parallel(ctx, attn__f32(f->gb1), d, n, in, in);
    if (dx) attn__gemm(ctx, 0, 0, n, h, in, 1.0f, d, in, attn__f32(f->w1), h, 1.0f, attn__f32(dx), lddx);
    return attn__ok(ctx);
}
