/** @file
 * libattn tensor operations: elementwise arithmetic, matrix products through
 * BLIS, reductions, activations and softmax, each with the backward pass a
 * training loop needs. All operate on float32 tensors.
 *
 * Output tensors are provided by the caller and must already have the right
 * shape; out may alias an input where noted. Broadcasting: the second operand
 * b may have the shape of a trailing part of a's shape (a bias [C] against
 * activations [N, C]).
 */
#ifndef ATTN_OPS_H
#define ATTN_OPS_H

#include "attn/tensor.h"

#ifdef __cplusplus
extern "C" {
#endif

/** out = a + b (b broadcast over leading axes). out may alias a. */
ATTN_API attn_status attn_add(attn_tensor *out, const attn_tensor *a, const attn_tensor *b);
/** out = a - b (b broadcast over leading axes). out may alias a. */
ATTN_API attn_status attn_sub(attn_tensor *out, const attn_tensor *a, const attn_tensor *b);
/** out = a * b elementwise (b broadcast over leading axes). out may alias a. */
ATTN_API attn_status attn_mul(attn_tensor *out, const attn_tensor *a, const attn_tensor *b);
/** out = s * a. out may alias a. */
ATTN_API attn_status attn_scale(attn_tensor *out, const attn_tensor *a, float s);
/** y += alpha * x (same shapes). */
ATTN_API attn_status attn_axpy(attn_tensor *y, float alpha, const attn_tensor *x);

/** Transpose flags for attn_matmul. */
enum { ATTN_NO_TRANS = 0, ATTN_TRANS = 1 };

/** out = alpha * op(a) @ op(b) + beta * out, with op = identity or transpose.
 *  Rank 2: a [M,K] (or [K,M] transposed), b [K,N] (or [N,K]), out [M,N].
 *  Rank 3: the same per batch entry (batched matmul over axis 0).
 *  Any strides are accepted (transposed views cost no copy). */
ATTN_API attn_status attn_matmul(attn_tensor *out, const attn_tensor *a, int32_t trans_a,
                                 const attn_tensor *b, int32_t trans_b, float alpha, float beta);

/** Reductions over all elements, accumulated in double. */
ATTN_API attn_status attn_sum(const attn_tensor *t, double *result);
/** Mean of all elements; ATTN_ERR_SHAPE for an empty tensor. */
ATTN_API attn_status attn_mean(const attn_tensor *t, double *result);
/** Largest element; ATTN_ERR_SHAPE for an empty tensor. */
ATTN_API attn_status attn_max(const attn_tensor *t, double *result);
/** Sum of a[i] * b[i]; a and b of the same shape (ATTN_ERR_SHAPE otherwise), any strides. */
ATTN_API attn_status attn_dot(const attn_tensor *a, const attn_tensor *b, double *result);
/** Sum of |t[i]|. */
ATTN_API attn_status attn_norm_l1(const attn_tensor *t, double *result);
/** Square root of the sum of t[i]^2. */
ATTN_API attn_status attn_norm_l2(const attn_tensor *t, double *result);

/** Elementwise activation functions (forward and derivative). */
typedef enum attn_activation {
    ATTN_ACT_RELU = 0,
    ATTN_ACT_SIGMOID = 1,
    ATTN_ACT_TANH = 2,
    ATTN_ACT_GELU = 3,      /**< exact: x * Phi(x) with erf (BERT "gelu") */
    ATTN_ACT_GELU_TANH = 4, /**< tanh approximation (BERT "gelu_new") */
    ATTN_ACT_IDENTITY = 5
} attn_activation;

/** y = f(x). y may alias x. */
ATTN_API attn_status attn_activation_forward(attn_activation f, attn_tensor *y, const attn_tensor *x);
/** dx += f'(x) * dy (accumulates, as every backward does). */
ATTN_API attn_status attn_activation_backward(attn_activation f, attn_tensor *dx,
                                              const attn_tensor *x, const attn_tensor *dy);

/** Softmax over the last axis, max-subtracted. y may alias x. */
ATTN_API attn_status attn_softmax(attn_tensor *y, const attn_tensor *x);
/** dx += y * (dy - sum(dy * y)) over the last axis, y the softmax output. */
ATTN_API attn_status attn_softmax_backward(attn_tensor *dx, const attn_tensor *y, const attn_tensor *dy);
/** Log-softmax over the last axis (x - max - log sum exp). y may alias x. */
ATTN_API attn_status attn_log_softmax(attn_tensor *y, const attn_tensor *x);
/** dx += dy - exp(y) * sum(dy) over the last axis, y the log-softmax output. */
ATTN_API attn_status attn_log_softmax_backward(attn_tensor *dx, const attn_tensor *y, const attn_tensor *dy);

#ifdef __cplusplus
}
#endif

#endif /* ATTN_OPS_H */
