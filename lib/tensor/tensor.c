/* Tensor handles: creation, wrapping, shape queries, storage lifetime.
 * Views live in views.c, data movement in data.c. */
#include <stdio.h>
#include <string.h>

#include "internal.h"

size_t attn_dtype_size(attn_dtype dtype)
{
    switch (dtype) {
    case ATTN_F32: return 4;
    case ATTN_I32: return 4;
    case ATTN_I64: return 8;
    default: return 0;
    }
}

const char *attn__shape_str(const attn_tensor *t, char *buf, size_t n)
{
    size_t used = 0;
    used += (size_t)snprintf(buf + used, n - used, "[");
    for (int32_t i = 0; i < t->rank && used < n; i++)
        used += (size_t)snprintf(buf + used, n - used, i ? ", %lld" : "%lld", (long long)t->shape[i]);
    if (used < n) snprintf(buf + used, n - used, "]");
    return buf;
}

/* Validates dtype/rank/shape and computes the element count. */
static attn_status check_shape(attn_ctx *ctx, const char *fn, attn_dtype dtype, int32_t rank,
                               const int64_t *shape, size_t *numel_out)
{
    if (attn_dtype_size(dtype) == 0)
        return attn__fail(ctx, ATTN_ERR_DTYPE, "%s: unknown dtype %d", fn, (int)dtype);
    if (rank < 1 || rank > ATTN_MAX_RANK)
        return attn__fail(ctx, ATTN_ERR_SHAPE, "%s: rank %d is outside 1..%d", fn, (int)rank, ATTN_MAX_RANK);
    if (!shape) return attn__fail(ctx, ATTN_ERR_INVALID_ARG, "%s: shape is NULL", fn);
    /* The strides are products of the dims too, and a zero dim does not
     * make them small: [0, 2^40, 2^40] has no elements but a first stride
     * of 2^80. So the product of the non-zero dims must fit as well. */
    size_t numel = 1, strided = 1;
    for (int32_t i = 0; i < rank; i++) {
        if (shape[i] < 0)
            return attn__fail(ctx, ATTN_ERR_SHAPE, "%s: dim %d is negative (%lld)", fn, (int)i, (long long)shape[i]);
        if ((uint64_t)shape[i] > SIZE_MAX || !attn__mul_size(numel, (size_t)shape[i], &numel) ||
            numel > (size_t)INT64_MAX ||
            (shape[i] && (!attn__mul_size(strided, (size_t)shape[i], &strided) || strided > (size_t)INT64_MAX)))
            return attn__fail(ctx, ATTN_ERR_OVERFLOW, "%s: element count or stride overflows at dim %d (%lld)", fn,
                              (int)i, (long long)shape[i]);
    }
    size_t bytes;
    if (!attn__mul_size(numel, attn_dtype_size(dtype), &bytes))
        return attn__fail(ctx, ATTN_ERR_OVERFLOW, "%s: byte size overflows (%zu elements)", fn, numel);
    *numel_out = numel;
    return ATTN_OK;
}

static void set_contiguous(attn_tensor *t, int32_t rank, const int64_t *shape)
{
    t->rank = rank;
    int64_t s = 1;
    for (int32_t i = ATTN_MAX_RANK - 1; i >= 0; i--) {
        t->shape[i] = i < rank ? shape[i] : 1;
        t->stride[i] = i < rank ? s : 0;
        if (i < rank) s *= shape[i];
    }
}

/* borrowed: the caller's memory; deferred: no memory until
 * attn__tensor_materialize (neither: zeroed memory of our own now). */
static attn_status new_tensor(attn_ctx *ctx, const char *fn, attn_dtype dtype, int32_t rank,
                              const int64_t *shape, void *borrowed, int deferred, attn_tensor **out)
{
    if (!out) return attn__fail(ctx, ATTN_ERR_INVALID_ARG, "%s: out is NULL", fn);
    *out = NULL;
    if (!ctx) return ATTN_ERR_INVALID_ARG;
    size_t numel;
    ATTN_CHECK(check_shape(ctx, fn, dtype, rank, shape, &numel));
    size_t bytes = numel * attn_dtype_size(dtype);
    attn_tensor *t = attn__calloc(ctx, 1, sizeof *t);
    attn__storage *s = t ? attn__calloc(ctx, 1, sizeof *s) : NULL;
    if (!s) {
        attn__free(ctx, t);
        return ATTN_ERR_NOMEM;
    }
    if (borrowed) {
        s->data = borrowed;
    } else if (deferred) {
        s->owned = 1;
    } else {
        s->data = attn__calloc(ctx, 1, bytes ? bytes : 1);
        if (!s->data) {
            attn__free(ctx, s);
            attn__free(ctx, t);
            return ATTN_ERR_NOMEM;
        }
        s->owned = 1;
    }
    s->bytes = bytes;
    s->refcount = 1;
    s->ctx = ctx;
    t->ctx = ctx;
    t->storage = s;
    t->dtype = dtype;
    set_contiguous(t, rank, shape);
    *out = t;
    return attn__ok(ctx);
}

attn_status attn_tensor_create(attn_ctx *ctx, attn_dtype dtype, int32_t rank, const int64_t *shape,
                               attn_tensor **out)
{
    return new_tensor(ctx, "attn_tensor_create", dtype, rank, shape, NULL, 0, out);
}

attn_status attn_tensor_wrap(attn_ctx *ctx, attn_dtype dtype, int32_t rank, const int64_t *shape,
                             void *data, attn_tensor **out)
{
    if (!data) {
        if (out) *out = NULL;
        return attn__fail(ctx, ATTN_ERR_INVALID_ARG, "attn_tensor_wrap: data is NULL");
    }
    return new_tensor(ctx, "attn_tensor_wrap", dtype, rank, shape, data, 0, out);
}

attn_status attn__tensor_create_deferred(attn_ctx *ctx, attn_dtype dtype, int32_t rank, const int64_t *shape,
                                        attn_tensor **out)
{
    return new_tensor(ctx, "attn__tensor_create_deferred", dtype, rank, shape, NULL, 1, out);
}

attn_status attn__tensor_materialize(attn_tensor *t)
{
    attn__storage *s = t->storage;
    if (s->data) return ATTN_OK;
    s->data = attn__calloc(t->ctx, 1, s->bytes ? s->bytes : 1);
    return s->data ? ATTN_OK : ATTN_ERR_NOMEM;
}

/* Used by views: a new handle on t's storage. */
attn_status attn__tensor_alias(const attn_tensor *t, attn_tensor **out)
{
    attn_tensor *v = attn__alloc(t->ctx, sizeof *v);
    if (!v) return ATTN_ERR_NOMEM;
    *v = *t;
    v->storage->refcount++;
    *out = v;
    return ATTN_OK;
}

void attn_tensor_destroy(attn_tensor *t)
{
    if (!t) return;
    attn_ctx *ctx = t->ctx;
    attn__storage *s = t->storage;
    if (--s->refcount == 0) {
        if (s->owned && s->data) attn__free(ctx, s->data);
        attn__free(ctx, s);
    }
    attn__free(ctx, t);
}

attn_ctx *attn_tensor_ctx(const attn_tensor *t) { return t ? t->ctx : NULL; }
attn_dtype attn_tensor_dtype(const attn_tensor *t) { return t ? t->dtype : ATTN_F32; }
int32_t attn_tensor_rank(const attn_tensor *t) { return t ? t->rank : 0; }

int64_t attn_tensor_dim(const attn_tensor *t, int32_t axis)
{
    if (!t) return -1;
    if (axis < 0) axis += t->rank;
    if (axis < 0 || axis >= t->rank) return -1;
    return t->shape[axis];
}

int64_t attn_tensor_stride(const attn_tensor *t, int32_t axis)
{
    if (!t) return 0;
    if (axis < 0) axis += t->rank;
    if (axis < 0 || axis >= t->rank) return 0;
    return t->stride[axis];
}

int64_t attn_tensor_numel(const attn_tensor *t)
{
    if (!t) return 0;
    int64_t n = 1;
    for (int32_t i = 0; i < t->rank; i++) n *= t->shape[i];
    return n;
}

int32_t attn_tensor_is_contiguous(const attn_tensor *t)
{
    if (!t) return 0;
    int64_t s = 1;
    for (int32_t i = t->rank - 1; i >= 0; i--) {
        if (t->shape[i] != 1 && t->stride[i] != s) return 0;
        s *= t->shape[i];
    }
    return 1;
}

int attn__as_matrix(const attn_tensor *t, int64_t *rows, int64_t *cols, int64_t *ld)
{
    int32_t r = t->rank;
    int64_t c = t->shape[r - 1];
    if (c > 1 && t->stride[r - 1] != 1) return 0;
    int64_t n = 1;
    for (int32_t i = 0; i < r - 1; i++) n *= t->shape[i];
    /* the leading axes must collapse into one row index with one stride */
    int64_t row_stride = r >= 2 ? t->stride[r - 2] : c;
    for (int32_t i = 0; i + 2 < r; i++)
        if (t->shape[i] > 1 && t->stride[i] != t->stride[i + 1] * t->shape[i + 1]) return 0;
    if (r >= 2 && t->shape[r - 2] == 1) row_stride = c;
    if (row_stride < c) row_stride = c;
    *rows = n;
    *cols = c;
    *ld = row_stride;
    return 1;
}

void *attn_tensor_data(attn_tensor *t)
{
    if (!t) return NULL;
    return (char *)t->storage->data + (size_t)t->offset * attn_dtype_size(t->dtype);
}

float *attn_tensor_data_f32(attn_tensor *t)
{
    if (!t || t->dtype != ATTN_F32) return NULL;
    return attn__f32(t);
}

attn_status attn_tensor_set_shape(attn_tensor *t, int32_t rank, const int64_t *shape)
{
    if (!t) return ATTN_ERR_INVALID_ARG;
    size_t numel;
    ATTN_CHECK(check_shape(t->ctx, "attn_tensor_set_shape", t->dtype, rank, shape, &numel));
    if (t->offset != 0 || !attn_tensor_is_contiguous(t))
        return attn__fail(t->ctx, ATTN_ERR_STATE, "attn_tensor_set_shape: tensor is a strided view");
    if (numel * attn_dtype_size(t->dtype) > t->storage->bytes)
        return attn__fail(t->ctx, ATTN_ERR_LIMIT,
                          "attn_tensor_set_shape: %zu elements do not fit the %zu bytes of storage",
                          numel, t->storage->bytes);
    set_contiguous(t, rank, shape);
    return attn__ok(t->ctx);
}

attn_status attn__check_f32(const attn_tensor *t, const char *what)
{
    if (!t) return ATTN_ERR_INVALID_ARG;
    if (t->dtype != ATTN_F32)
        return attn__fail(t->ctx, ATTN_ERR_DTYPE, "%s must be float32 (dtype %d)", what, (int)t->dtype);
    return ATTN_OK;
}

attn_status attn__check_same_shape(const attn_tensor *a, const attn_tensor *b, const char *what_a,
                                   const char *what_b)
{
    int same = a->rank == b->rank;
    for (int32_t i = 0; same && i < a->rank; i++) same = a->shape[i] == b->shape[i];
    if (!same) {
        char sa[96], sb[96];
        return attn__fail(a->ctx, ATTN_ERR_SHAPE, "%s %s and %s %s differ", what_a,
                          attn__shape_str(a, sa, sizeof sa), what_b, attn__shape_str(b, sb, sizeof sb));
    }
    return ATTN_OK;
}
