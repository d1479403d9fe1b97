/** @file
 * libattn tensors: shape, element type, storage, views.
 *
 * A tensor is an opaque handle over a strided array of rank 1..4 of float32
 * values or int32/int64 indices. Strides are in elements. A tensor either
 * owns its storage (attn_tensor_create), borrows caller memory
 * (attn_tensor_wrap) or shares another tensor's storage (views). Storage is
 * reference counted: a view keeps the storage alive after its base is
 * destroyed. Data are never copied implicitly.
 */
#ifndef ATTN_TENSOR_H
#define ATTN_TENSOR_H

#include "attn/core.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Largest rank of a tensor. */
#define ATTN_MAX_RANK 4

/** Element type of a tensor. */
typedef enum attn_dtype {
    ATTN_F32 = 0, /**< float */
    ATTN_I32 = 1, /**< int32_t (token ids, labels) */
    ATTN_I64 = 2  /**< int64_t (Hugging Face index tensors) */
} attn_dtype;

/** A tensor handle (see the file comment). Opaque. */
typedef struct attn_tensor attn_tensor;

/** Creates a zero-filled contiguous tensor. rank 1..4, every dim >= 0.
 *  ATTN_ERR_OVERFLOW if the byte size does not fit in size_t. */
ATTN_API attn_status attn_tensor_create(attn_ctx *ctx, attn_dtype dtype, int32_t rank,
                                        const int64_t *shape, attn_tensor **out);
/** Wraps caller memory (contiguous, row-major) without copying. The memory
 *  must outlive the tensor and its views; it is never freed by libattn. */
ATTN_API attn_status attn_tensor_wrap(attn_ctx *ctx, attn_dtype dtype, int32_t rank,
                                      const int64_t *shape, void *data, attn_tensor **out);
/** Releases the handle (and the storage once no view uses it). NULL is a no-op. */
ATTN_API void attn_tensor_destroy(attn_tensor *t);

/** The context the tensor belongs to (errors on it are reported there). */
ATTN_API attn_ctx *attn_tensor_ctx(const attn_tensor *t);
/** Element type of t. */
ATTN_API attn_dtype attn_tensor_dtype(const attn_tensor *t);
/** Number of axes of t (1..ATTN_MAX_RANK). */
ATTN_API int32_t attn_tensor_rank(const attn_tensor *t);
/** Size of axis (negative axes count from the end); -1 if out of range or t is NULL. */
ATTN_API int64_t attn_tensor_dim(const attn_tensor *t, int32_t axis);
/** Stride of axis in elements; 0 if out of range. */
ATTN_API int64_t attn_tensor_stride(const attn_tensor *t, int32_t axis);
/** Number of elements (product of dims). */
ATTN_API int64_t attn_tensor_numel(const attn_tensor *t);
/** 1 if the elements are laid out row-major without gaps, else 0. */
ATTN_API int32_t attn_tensor_is_contiguous(const attn_tensor *t);
/** Borrowed pointer to the first element (NULL for NULL t). */
ATTN_API void *attn_tensor_data(attn_tensor *t);
/** Borrowed float pointer, NULL unless dtype is ATTN_F32. */
ATTN_API float *attn_tensor_data_f32(attn_tensor *t);

/** Changes the shape of an owning contiguous tensor in place, without
 *  allocating, when the new element count fits the storage it already has
 *  (ATTN_ERR_LIMIT otherwise). Used to reuse buffers across batch sizes. */
ATTN_API attn_status attn_tensor_set_shape(attn_tensor *t, int32_t rank, const int64_t *shape);

/** View of elements [start, start+len) along axis. */
ATTN_API attn_status attn_tensor_view_slice(const attn_tensor *t, int32_t axis, int64_t start,
                                            int64_t len, attn_tensor **out);
/** View with a new shape; t must be contiguous and the element count equal.
 *  One dim may be -1 (inferred). */
ATTN_API attn_status attn_tensor_view_reshape(const attn_tensor *t, int32_t rank,
                                              const int64_t *shape, attn_tensor **out);
/** View with axes a and b swapped (no copy). */
ATTN_API attn_status attn_tensor_view_transpose(const attn_tensor *t, int32_t a, int32_t b,
                                                attn_tensor **out);

/** Copies src into dst elementwise (shapes and dtypes equal, any strides). */
ATTN_API attn_status attn_tensor_copy(attn_tensor *dst, const attn_tensor *src);
/** Sets every element to value (converted to the tensor's dtype). */
ATTN_API attn_status attn_tensor_fill(attn_tensor *t, double value);
/** Uniform values in [lo, hi) from the context's RNG (float32 only). */
ATTN_API attn_status attn_tensor_init_uniform(attn_tensor *t, float lo, float hi);
/** Normal values N(mean, std^2) from the context's RNG (float32 only). */
ATTN_API attn_status attn_tensor_init_normal(attn_tensor *t, float mean, float std);

/** Copies the elements (row-major order) into dst, converting to dtype.
 *  bytes must be numel * element size of dtype. */
ATTN_API attn_status attn_tensor_read(const attn_tensor *t, attn_dtype dtype, void *dst, size_t bytes);
/** Copies row-major elements from src (of dtype) into t, converting. */
ATTN_API attn_status attn_tensor_write(attn_tensor *t, attn_dtype dtype, const void *src, size_t bytes);

/** Size in bytes of one element of dtype (0 for an unknown dtype). */
ATTN_API size_t attn_dtype_size(attn_dtype dtype);

#ifdef __cplusplus
}
#endif

#endif /* ATTN_TENSOR_H */
