/* Row kernels on raw float pointers, shared by the tensor operations and the
 * layers. Each has one plain definition here; faster variants elsewhere must
 * agree with these (tests compare them). */
#ifndef ATTN_KERNELS_H
#define ATTN_KERNELS_H

#include <stdint.h>

#include "attn/ops.h"

/* y[i] = f(x[i]); y may equal x. */
void attn__act_forward(attn_activation f, float *y, const float *x, int64_t n);
/* dx[i] += f'(x[i]) * dy[i] */
void attn__act_backward(attn_activation f, float *dx, const float *x, const float *dy, int64_t n);

/* Softmax of one row of n values (max-subtracted); y may equal x. */
void attn__softmax_row(float *y, const float *x, int64_t n);
/* dx += y * (dy - <dy, y>) */
void attn__softmax_row_backward(float *dx, const float *y, const float *dy, int64_t n);
/* Log-softmax of one row; y may equal x. */
void attn__log_softmax_row(float *y, const float *x, int64_t n);
/* dx += dy - exp(y) * sum(dy) */
void attn__log_softmax_row_backward(float *dx, const float *y, const float *dy, int64_t n);

#endif /* ATTN_KERNELS_H */
