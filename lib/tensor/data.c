/* Moving data in and out of tensors: copy, fill, random init, read/write
 * with dtype conversion. Every loop walks the multi-index so any strided
 * view works; contiguous float tensors take a flat fast path. */
#include <math.h>
#include <string.h>

#include "internal.h"

static double get_as_double(const void *base, attn_dtype dt, int64_t off)
{
    switch (dt) {
    case ATTN_F32: return ((const float *)base)[off];
    case ATTN_I32: return ((const int32_t *)base)[off];
    default: return (double)((const int64_t *)base)[off];
    }
}

static int64_t get_as_int(const void *base, attn_dtype dt, int64_t off)
{
    switch (dt) {
    case ATTN_F32: return (int64_t)((const float *)base)[off];
    case ATTN_I32: return ((const int32_t *)base)[off];
    default: return ((const int64_t *)base)[off];
    }
}

/* Copies element src[soff] (dtype sdt) into dst[doff] (dtype ddt). Integer to
 * integer goes through int64 so large ids stay exact. */
static void convert(void *dst, attn_dtype ddt, int64_t doff, const void *src, attn_dtype sdt, int64_t soff)
{
    switch (ddt) {
    case ATTN_F32: ((float *)dst)[doff] = (float)get_as_double(src, sdt, soff); break;
    case ATTN_I32: ((int32_t *)dst)[doff] = (int32_t)get_as_int(src, sdt, soff); break;
    default: ((int64_t *)dst)[doff] = get_as_int(src, sdt, soff); break;
    }
}

attn_status attn_tensor_copy(attn_tensor *dst, const attn_tensor *src)
{
    if (!dst || !src) return ATTN_ERR_INVALID_ARG;
    if (dst->dtype != src->dtype)
        return attn__fail(dst->ctx, ATTN_ERR_DTYPE, "attn_tensor_copy: dtypes differ (%d vs %d)", (int)dst->dtype, (int)src->dtype);
    ATTN_CHECK(attn__check_same_shape(dst, src, "attn_tensor_copy: dst", "src"));
    size_t es = attn_dtype_size(dst->dtype);
    if (attn_tensor_is_contiguous(dst) && attn_tensor_is_contiguous(src)) {
        memmove(attn_tensor_data(dst), attn_tensor_data((attn_tensor *)src), (size_t)attn_tensor_numel(dst) * es);
        return attn__ok(dst->ctx);
    }
    if (attn_tensor_numel(dst) == 0) return attn__ok(dst->ctx);
    int64_t idx[ATTN_MAX_RANK] = {0};
    do {
        memcpy((char *)dst->storage->data + attn__offset_of(dst, idx) * es,
               (const char *)src->storage->data + attn__offset_of(src, idx) * es, es);
    } while (attn__index_next(idx, dst->shape, dst->rank));
    return attn__ok(dst->ctx);
}

attn_status attn_tensor_fill(attn_tensor *t, double value)
{
    if (!t) return ATTN_ERR_INVALID_ARG;
    int64_t n = attn_tensor_numel(t);
    if (n == 0) return attn__ok(t->ctx);
    if (attn_tensor_is_contiguous(t)) {
        /* zeroing gradients is on every training step: keep it at memset speed */
        void *p = attn_tensor_data(t);
        if (value == 0.0) {
            memset(p, 0, (size_t)n * attn_dtype_size(t->dtype));
        } else if (t->dtype == ATTN_F32) {
            float v = (float)value, *f = p;
            for (int64_t i = 0; i < n; i++) f[i] = v;
        } else if (t->dtype == ATTN_I32) {
            int32_t v = (int32_t)value, *q = p;
            for (int64_t i = 0; i < n; i++) q[i] = v;
        } else {
            int64_t v = (int64_t)value, *q = p;
            for (int64_t i = 0; i < n; i++) q[i] = v;
        }
        return attn__ok(t->ctx);
    }
    int64_t idx[ATTN_MAX_RANK] = {0};
    do {
        int64_t o = attn__offset_of(t, idx);
        switch (t->dtype) {
        case ATTN_F32: ((float *)t->storage->data)[o] = (float)value; break;
        case ATTN_I32: ((int32_t *)t->storage->data)[o] = (int32_t)value; break;
        default: ((int64_t *)t->storage->data)[o] = (int64_t)value; break;
        }
    } while (attn__index_next(idx, t->shape, t->rank));
    return attn__ok(t->ctx);
}

/* Element k (row-major order) gets the random value at counter first + k, so
 * the result does not depend on the layout or on threads. */
static attn_status init_random(attn_tensor *t, const char *fn, int normal, float a, float b)
{
    if (!t) return ATTN_ERR_INVALID_ARG;
    if (t->dtype != ATTN_F32) return attn__fail(t->ctx, ATTN_ERR_DTYPE, "%s: tensor must be float32", fn);
    if (!isfinite(a) || !isfinite(b) || (!normal && !(a <= b)) || (normal && b < 0))
        return attn__fail(t->ctx, ATTN_ERR_INVALID_ARG, "%s: bad parameters (%g, %g)", fn, a, b);
    int64_t n = attn_tensor_numel(t);
    if (n == 0) return attn__ok(t->ctx);
    uint64_t first = attn__rng_reserve(t->ctx, (uint64_t)n);
    int64_t idx[ATTN_MAX_RANK] = {0}, k = 0;
    float *base = t->storage->data;
    do {
        uint64_t c = first + (uint64_t)k++;
        base[attn__offset_of(t, idx)] = normal ? a + b * attn__rng_normal(t->ctx->seed, c)
                                               : a + (b - a) * attn__rng_uniform(t->ctx->seed, c);
    } while (attn__index_next(idx, t->shape, t->rank));
    return attn__ok(t->ctx);
}

attn_status attn_tensor_init_uniform(attn_tensor *t, float lo, float hi)
{
    return init_random(t, "attn_tensor_init_uniform", 0, lo, hi);
}

attn_status attn_tensor_init_normal(attn_tensor *t, float mean, float std)
{
    return init_random(t, "attn_tensor_init_normal", 1, mean, std);
}

static attn_status check_io(const attn_tensor *t, const char *fn, attn_dtype dtype, const void *buf, size_t bytes)
{
    if (!t) return ATTN_ERR_INVALID_ARG;
    if (!buf) return attn__fail(t->ctx, ATTN_ERR_INVALID_ARG, "%s: buffer is NULL", fn);
    size_t es = attn_dtype_size(dtype);
    if (es == 0) return attn__fail(t->ctx, ATTN_ERR_DTYPE, "%s: unknown dtype %d", fn, (int)dtype);
    if ((size_t)attn_tensor_numel(t) * es != bytes)
        return attn__fail(t->ctx, ATTN_ERR_SHAPE, "%s: buffer has %zu bytes, tensor needs %zu", fn, bytes,
                          (size_t)attn_tensor_numel(t) * es);
    return ATTN_OK;
}

attn_status attn_tensor_read(const attn_tensor *t, attn_dtype dtype, void *dst, size_t bytes)
{
    ATTN_CHECK(check_io(t, "attn_tensor_read", dtype, dst, bytes));
    if (bytes == 0) return attn__ok(t->ctx);
    if (dtype == t->dtype && attn_tensor_is_contiguous(t)) {
        memcpy(dst, attn_tensor_data((attn_tensor *)t), bytes);
        return attn__ok(t->ctx);
    }
    int64_t idx[ATTN_MAX_RANK] = {0}, k = 0;
    do {
        convert(dst, dtype, k++, t->storage->data, t->dtype, attn__offset_of(t, idx));
    } while (attn__index_next(idx, t->shape, t->rank));
    return attn__ok(t->ctx);
}

attn_status attn_tensor_write(attn_tensor *t, attn_dtype dtype, const void *src, size_t bytes)
{
    ATTN_CHECK(check_io(t, "attn_tensor_write", dtype, src, bytes));
    if (bytes == 0) return attn__ok(t->ctx);
    if (dtype == t->dtype && attn_tensor_is_contiguous(t)) {
        memcpy(attn_tensor_data(t), src, bytes);
        return attn__ok(t->ctx);
    }
    int64_t idx[ATTN_MAX_RANK] = {0}, k = 0;
    do {
        convert(t->storage->data, t->dtype, attn__offset_of(t, idx), src, dtype, k++);
    } while (attn__index_next(idx, t->shape, t->rank));
    return attn__ok(t->ctx);
}
