/* Views: new handles over the same storage with another shape or strides. */
#include "internal.h"

static int norm_axis(const attn_tensor *t, int32_t *axis)
{
    if (*axis < 0) *axis += t->rank;
    return *axis >= 0 && *axis < t->rank;
}

attn_status attn_tensor_view_slice(const attn_tensor *t, int32_t axis, int64_t start, int64_t len,
                                   attn_tensor **out)
{
    if (!t || !out) return ATTN_ERR_INVALID_ARG;
    *out = NULL;
    int32_t ax = axis;
    if (!norm_axis(t, &ax))
        return attn__fail(t->ctx, ATTN_ERR_RANGE, "attn_tensor_view_slice: axis %d outside rank %d", (int)axis, (int)t->rank);
    if (start < 0 || len < 0 || start > t->shape[ax] || len > t->shape[ax] - start)
        return attn__fail(t->ctx, ATTN_ERR_RANGE,
                          "attn_tensor_view_slice: [%lld, %lld+%lld) is outside axis %d of size %lld",
                          (long long)start, (long long)start, (long long)len, (int)ax, (long long)t->shape[ax]);
    attn_tensor *v;
    ATTN_CHECK(attn__tensor_alias(t, &v));
    v->offset += start * t->stride[ax];
    v->shape[ax] = len;
    *out = v;
    return attn__ok(t->ctx);
}

attn_status attn_tensor_view_reshape(const attn_tensor *t, int32_t rank, const int64_t *shape, attn_tensor **out)
{
    if (!t || !out || !shape) return ATTN_ERR_INVALID_ARG;
    *out = NULL;
    if (rank < 1 || rank > ATTN_MAX_RANK)
        return attn__fail(t->ctx, ATTN_ERR_SHAPE, "attn_tensor_view_reshape: rank %d is outside 1..%d", (int)rank, ATTN_MAX_RANK);
    if (!attn_tensor_is_contiguous(t))
        return attn__fail(t->ctx, ATTN_ERR_STATE, "attn_tensor_view_reshape: tensor is not contiguous; copy it first");
    /* strided: the product of the non-zero dims, which the strides are
     * made of even when a zero dim makes the element count 0 */
    int64_t numel = attn_tensor_numel(t), known = 1, strided = 1, dims[ATTN_MAX_RANK];
    int32_t infer = -1;
    for (int32_t i = 0; i < rank; i++) {
        dims[i] = shape[i];
        if (shape[i] == -1) {
            if (infer >= 0) return attn__fail(t->ctx, ATTN_ERR_SHAPE, "attn_tensor_view_reshape: more than one -1");
            infer = i;
        } else if (shape[i] < 0) {
            return attn__fail(t->ctx, ATTN_ERR_SHAPE, "attn_tensor_view_reshape: dim %d is negative", (int)i);
        } else {
            if (shape[i] != 0 && strided > INT64_MAX / shape[i])
                return attn__fail(t->ctx, ATTN_ERR_OVERFLOW,
                                  "attn_tensor_view_reshape: element count or stride overflows at dim %d", (int)i);
            known *= shape[i];
            if (shape[i] != 0) strided *= shape[i];
        }
    }
    if (infer >= 0) {
        if (known == 0 || numel % known != 0)
            return attn__fail(t->ctx, ATTN_ERR_SHAPE, "attn_tensor_view_reshape: cannot infer a dim for %lld elements", (long long)numel);
        dims[infer] = numel / known;
        known = numel;
    }
    if (known != numel)
        return attn__fail(t->ctx, ATTN_ERR_SHAPE, "attn_tensor_view_reshape: %lld elements cannot take a shape of %lld",
                          (long long)numel, (long long)known);
    attn_tensor *v;
    ATTN_CHECK(attn__tensor_alias(t, &v));
    v->rank = rank;
    int64_t s = 1;
    for (int32_t i = ATTN_MAX_RANK - 1; i >= 0; i--) {
        v->shape[i] = i < rank ? dims[i] : 1;
        v->stride[i] = i < rank ? s : 0;
        if (i < rank) s *= dims[i];
    }
    *out = v;
    return attn__ok(t->ctx);
}

attn_status attn_tensor_view_transpose(const attn_tensor *t, int32_t a, int32_t b, attn_tensor **out)
{
    if (!t || !out) return ATTN_ERR_INVALID_ARG;
    *out = NULL;
    int32_t ia = a, ib = b;
    if (!norm_axis(t, &ia) || !norm_axis(t, &ib))
        return attn__fail(t->ctx, ATTN_ERR_RANGE, "attn_tensor_view_transpose: axes %d, %d outside rank %d", (int)a, (int)b, (int)t->rank);
    attn_tensor *v;
    ATTN_CHECK(attn__tensor_alias(t, &v));
    int64_t sh = v->shape[ia], st = v->stride[ia];
    v->shape[ia] = v->shape[ib];
    v->stride[ia] = v->stride[ib];
    v->shape[ib] = sh;
    v->stride[ib] = st;
    *out = v;
    return attn__ok(t->ctx);
}
