/* Linear layer: y = x W^T + b with W [out, in] as PyTorch and Hugging Face
 * store it. Shapes: x [N, in], y [N, out]. Forward broadcasts the bias into
 * y and lets the GEMM add x W^T (beta = 1), as torch's addmm does. */
#include "layers/layer.h"
#include "compute/compute.h"

typedef struct {
    struct attn_layer base;
    int64_t in, out;
    attn_tensor *w, *b;        /* [out, in], [out] or NULL */
    attn_tensor *gw, *gb;
} linear_layer;

attn_status attn_linear_create(attn_ctx *ctx, int64_t in_features, int64_t out_features, int32_t bias,
                               attn_layer **out)
{
    if (!ctx) return ATTN_ERR_INVALID_ARG;
    if (!out) return attn__fail(ctx, ATTN_ERR_INVALID_ARG, "attn_linear_create: out is NULL");
    *out = NULL;
    if (in_features < 1 || out_features < 1)
        return attn__fail(ctx, ATTN_ERR_INVALID_ARG, "attn_linear_create: features must be >= 1 (in %lld, out %lld)",
                          (long long)in_features, (long long)out_features);
    if (bias != 0 && bias != 1)
        return attn__fail(ctx, ATTN_ERR_INVALID_ARG, "attn_linear_create: bias must be 0 or 1, not %d", (int)bias);
    attn_layer *l;
    ATTN_CHECK(attn__layer_new(ctx, ATTN__LAYER_LINEAR, sizeof(linear_layer), &l));
    linear_layer *lin = (linear_layer *)l;
    lin->in = in_features;
    lin->out = out_features;
    int64_t ws[2] = {out_features, in_features}, bs[1] = {out_features};
    attn_status st = attn__layer_add_param(l, "weight", 2, ws, &lin->w, &lin->gw);
    if (st == ATTN_OK && bias) st = attn__layer_add_param(l, "bias", 1, bs, &lin->b, &lin->gb);
    if (st != ATTN_OK) {
        attn_layer_destroy(l);
        return st;
    }
    *out = l;
    return attn__ok(ctx);
}

attn_status attn_linear_forward(attn_layer *layer, const attn_tensor *x, attn_tensor *y)
{
    static const char fn[] = "attn_linear_forward";
    ATTN_CHECK(attn__layer_check(layer, ATTN__LAYER_LINEAR, fn));
    linear_layer *lin = (linear_layer *)layer;
    attn_ctx *ctx = layer->ctx;
    layer->ready = 0;
    int64_t n, ldx, ny, ldy;
    ATTN_CHECK(attn__layer_rows(ctx, x, fn, "x", lin->in, &n, &ldx));
    ATTN_CHECK(attn__layer_rows(ctx, y, fn, "y", lin->out, &ny, &ldy));
    ATTN_CHECK(attn__layer_same_rows(ctx, fn, x, "x", n, y, "y", ny));
    ATTN_CHECK(attn__layer_no_overlap(ctx, fn, y, "y", n, ldy, lin->out, x, "x", n, ldx, lin->in));
    float *py = attn__f32(y);
    float beta = 0.0f;
    if (lin->b) {
        attn__bias_fill_rows(py, ldy, n, attn__f32(lin->b), lin->out);
        beta = 1.0f;
    }
    attn__gemm(ctx, 0, 1, n, lin->out, lin->in, 1.0f, attn__f32(x), ldx, attn__f32(lin->w), lin->in, beta, py,
                   ldy);
    layer->ready = 1;
    return attn__ok(ctx);
}

attn_status attn_linear_backward(attn_layer *layer, const attn_tensor *x, const attn_tensor *dy, attn_tensor *dx)
{
    static const char fn[] = "attn_linear_backward";
    ATTN_CHECK(attn__layer_check(layer, ATTN__LAYER_LINEAR, fn));
    linear_layer *lin = (linear_layer *)layer;
    attn_ctx *ctx = layer->ctx;
    if (!layer->ready) return attn__fail(ctx, ATTN_ERR_STATE, "%s: call attn_linear_forward first", fn);
    ATTN_CHECK(attn__layer_grads(layer));
    int64_t n, ldx, ndy, lddy, ndx = 0, lddx = 0;
    ATTN_CHECK(attn__layer_rows(ctx, x, fn, "x", lin->in, &n, &ldx));
    ATTN_CHECK(attn__layer_rows(ctx, dy, fn, "dy", lin->out, &ndy, &lddy));
    ATTN_CHECK(attn__layer_same_rows(ctx, fn, x, "x", n, dy, "dy", ndy));
    if (dx) {
        ATTN_CHECK(attn__layer_rows(ctx, dx, fn, "dx", lin->in, &ndx, &lddx));
        ATTN_CHECK(attn__layer_same_rows(ctx, fn, x, "x", n, dx, "dx", ndx));
        ATTN_CHECK(attn__layer_no_overlap(ctx, fn, dx, "dx", n, lddx, lin->in, dy, "dy", n, lddy, lin->out));
        ATTN_CHECK(attn__layer_no_overlap(ctx, fn, dx, "dx", n, lddx, lin->in, x, "x", n, ldx, lin->in));
    }
    const float *px = attn__f32(x), *pdy = attn__f32(dy);
    /* dW [out, in] += dy^T x */
    attn__gemm(ctx, 1, 0, lin->out, lin->in, n, 1.0f, pdy, lddy, px, ldx, 1.0f, attn__f32(lin->gw), lin->in);
    if (lin->gb) attn__colsum_add_parallel(ctx, attn__f32(lin->gb), pdy, n, lddy, lin->out);
    /* dx [N, in] += dy W */
    if (dx)
        attn__gemm(ctx, 0, 0, n, lin->in, lin->out, 1.0f, pdy, lddy, attn__f32(lin->w), lin->in, 1.0f,
                       attn__f32(dx), lddx);
    return attn__ok(ctx);
}
