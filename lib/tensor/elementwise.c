/* Elementwise arithmetic with broadcasting of a trailing operand
 * (a bias [C] against activations [N, C]). */
#include "internal.h"

typedef enum { OP_ADD, OP_SUB, OP_MUL } binop;

/* b broadcasts against a if b's dims equal a's trailing dims. Returns the
 * strides of b aligned to a's axes (0 on broadcast axes). */
static int broadcast_strides(const attn_tensor *a, const attn_tensor *b, int64_t *bstride)
{
    if (b->rank > a->rank) return 0;
    int32_t lead = a->rank - b->rank;
    for (int32_t i = 0; i < a->rank; i++) {
        if (i < lead) {
            bstride[i] = 0;
        } else {
            if (b->shape[i - lead] != a->shape[i]) return 0;
            bstride[i] = b->stride[i - lead];
        }
    }
    return 1;
}

static attn_status binary(const char *fn, binop op, attn_tensor *out, const attn_tensor *a, const attn_tensor *b)
{
    if (!out || !a || !b) return ATTN_ERR_INVALID_ARG;
    ATTN_CHECK(attn__check_f32(out, "out"));
    ATTN_CHECK(attn__check_f32(a, "a"));
    ATTN_CHECK(attn__check_f32(b, "b"));
    ATTN_CHECK(attn__check_same_shape(out, a, fn, "a"));
    int64_t bs[ATTN_MAX_RANK];
    if (!broadcast_strides(a, b, bs)) {
        char sa[96], sb[96];
        return attn__fail(out->ctx, ATTN_ERR_SHAPE, "%s: b %s does not broadcast to a %s", fn,
                          attn__shape_str(b, sb, sizeof sb), attn__shape_str(a, sa, sizeof sa));
    }
    if (attn_tensor_numel(a) == 0) return attn__ok(out->ctx);
    if (attn_tensor_is_contiguous(out) && attn_tensor_is_contiguous(a) && attn_tensor_is_contiguous(b)) {
        /* hot path for activations and biases: flat loops the compiler vectorises */
        float *o = attn__f32(out);
        const float *x = attn__f32(a), *y = attn__f32(b);
        int64_t n = attn_tensor_numel(a), m = attn_tensor_numel(b);
        for (int64_t r = 0; r < n; r += m) {
            switch (op) {
            case OP_ADD: for (int64_t i = 0; i < m; i++) o[r + i] = x[r + i] + y[i]; break;
            case OP_SUB: for (int64_t i = 0; i < m; i++) o[r + i] = x[r + i] - y[i]; break;
            case OP_MUL: for (int64_t i = 0; i < m; i++) o[r + i] = x[r + i] * y[i]; break;
            }
        }
        return attn__ok(out->ctx);
    }
    float *po = out->storage->data;
    const float *pa = a->storage->data, *pb = b->storage->data;
    int64_t idx[ATTN_MAX_RANK] = {0};
    do {
        int64_t ob = b->offset;
        for (int32_t i = 0; i < a->rank; i++) ob += idx[i] * bs[i];
        float x = pa[attn__offset_of(a, idx)], y = pb[ob];
        po[attn__offset_of(out, idx)] = op == OP_ADD ? x + y : op == OP_SUB ? x - y : x * y;
    } while (attn__index_next(idx, a->shape, a->rank));
    return attn__ok(out->ctx);
}

attn_status attn_add(attn_tensor *out, const attn_tensor *a, const attn_tensor *b)
{
    return binary("attn_add: out", OP_ADD, out, a, b);
}

attn_status attn_sub(attn_tensor *out, const attn_tensor *a, const attn_tensor *b)
{
    return binary("attn_sub: out", OP_SUB, out, a, b);
}

attn_status attn_mul(attn_tensor *out, const attn_tensor *a, const attn_tensor *b)
{
    return binary("attn_mul: out", OP_MUL, out, a, b);
}

attn_status attn_scale(attn_tensor *out, const attn_tensor *a, float s)
{
    if (!out || !a) return ATTN_ERR_INVALID_ARG;
    ATTN_CHECK(attn__check_f32(out, "attn_scale: out"));
    ATTN_CHECK(attn__check_f32(a, "attn_scale: a"));
    ATTN_CHECK(attn__check_same_shape(out, a, "attn_scale: out", "a"));
    if (attn_tensor_numel(a) == 0) return attn__ok(out->ctx);
    float *po = out->storage->data;
    const float *pa = a->storage->data;
    int64_t idx[ATTN_MAX_RANK] = {0};
    do {
        po[attn__offset_of(out, idx)] = s * pa[attn__offset_of(a, idx)];
    } while (attn__index_next(idx, a->shape, a->rank));
    return attn__ok(out->ctx);
}

attn_status attn_axpy(attn_tensor *y, float alpha, const attn_tensor *x)
{
    if (!y || !x) return ATTN_ERR_INVALID_ARG;
    ATTN_CHECK(attn__check_f32(y, "attn_axpy: y"));
    ATTN_CHECK(attn__check_f32(x, "attn_axpy: x"));
    ATTN_CHECK(attn__check_same_shape(y, x, "attn_axpy: y", "x"));
    if (attn_tensor_numel(x) == 0) return attn__ok(y->ctx);
    if (attn_tensor_is_contiguous(y) && attn_tensor_is_contiguous(x)) {
        float *o = attn__f32(y);
        const float *in = attn__f32(x);
        int64_t n = attn_tensor_numel(x);
        for (int64_t i = 0; i < n; i++) o[i] += alpha * in[i];
        return attn__ok(y->ctx);
    }
    float *py = y->storage->data;
    const float *px = x->storage->data;
    int64_t idx[ATTN_MAX_RANK] = {0};
    do {
        py[attn__offset_of(y, idx)] += alpha * px[attn__offset_of(x, idx)];
    } while (attn__index_next(idx, x->shape, x->rank));
    return attn__ok(y->ctx);
}
