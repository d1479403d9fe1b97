/* Reductions over all elements of a float tensor, accumulated in double so
 * long sums stay accurate. */
#include <math.h>

#include "internal.h"

typedef enum { R_SUM, R_ABS, R_SQ, R_MAX } reduction;

static attn_status reduce(const char *fn, reduction r, const attn_tensor *t, double *result)
{
    if (!t || !result) return ATTN_ERR_INVALID_ARG;
    ATTN_CHECK(attn__check_f32(t, fn));
    int64_t n = attn_tensor_numel(t);
    if (n == 0) {
        if (r == R_MAX) return attn__fail(t->ctx, ATTN_ERR_SHAPE, "%s: empty tensor has no maximum", fn);
        *result = 0.0;
        return attn__ok(t->ctx);
    }
    const float *p = t->storage->data;
    double acc = r == R_MAX ? -INFINITY : 0.0;
    int64_t idx[ATTN_MAX_RANK] = {0};
    do {
        double v = p[attn__offset_of(t, idx)];
        switch (r) {
        case R_SUM: acc += v; break;
        case R_ABS: acc += fabs(v); break;
        case R_SQ: acc += v * v; break;
        case R_MAX: if (v > acc || isnan(v)) acc = v; break;
        }
    } while (attn__index_next(idx, t->shape, t->rank));
    *result = acc;
    return attn__ok(t->ctx);
}

attn_status attn_sum(const attn_tensor *t, double *result) { return reduce("attn_sum", R_SUM, t, result); }
attn_status attn_max(const attn_tensor *t, double *result) { return reduce("attn_max", R_MAX, t, result); }
attn_status attn_norm_l1(const attn_tensor *t, double *result) { return reduce("attn_norm_l1", R_ABS, t, result); }

attn_status attn_mean(const attn_tensor *t, double *result)
{
    ATTN_CHECK(reduce("attn_mean", R_SUM, t, result));
    int64_t n = attn_tensor_numel(t);
    if (n == 0) return attn__fail(t->ctx, ATTN_ERR_SHAPE, "attn_mean: empty tensor has no mean");
    *result /= (double)n;
    return ATTN_OK;
}

attn_status attn_norm_l2(const attn_tensor *t, double *result)
{
    ATTN_CHECK(reduce("attn_norm_l2", R_SQ, t, result));
    *result = sqrt(*result);
    return ATTN_OK;
}

attn_status attn_dot(const attn_tensor *a, const attn_tensor *b, double *result)
{
    if (!a || !b || !result) return ATTN_ERR_INVALID_ARG;
    ATTN_CHECK(attn__check_f32(a, "attn_dot: a"));
    ATTN_CHECK(attn__check_f32(b, "attn_dot: b"));
    ATTN_CHECK(attn__check_same_shape(a, b, "attn_dot: a", "b"));
    double acc = 0.0;
    if (attn_tensor_numel(a) > 0) {
        const float *pa = a->storage->data, *pb = b->storage->data;
        int64_t idx[ATTN_MAX_RANK] = {0};
        do {
            acc += (double)pa[attn__offset_of(a, idx)] * pb[attn__offset_of(b, idx)];
        } while (attn__index_next(idx, a->shape, a->rank));
    }
    *result = acc;
    return attn__ok(a->ctx);
}
