/* Row kernels and the fork-join helper the layers are built from. Each
 * kernel works on one row (or a column range) of raw floats and is
 * vectorised; the plain definitions they must agree with are the ones in
 * lib/compute/kernels.h (activations, softmax) or the formulas quoted in
 * each file, and tests/layers/test_kernels.c compares them. */
#ifndef ATTN_LAYERS_LAYER_KERNELS_H
#define ATTN_LAYERS_LAYER_KERNELS_H

#include <stdint.h>

#include "internal.h"

/* ---- parallel.c: fork-join over the context's thread count ---- */

/* Processes items [begin, end) of a split. */
typedef void (*attn__range_fn)(void *arg, int64_t begin, int64_t end);
/* Runs fn over [0, n) in contiguous ranges on up to ctx->threads threads
 * (the caller is one of them). work_per_item (about the floats touched)
 * limits the split to workers that each get enough work to pay for
 * waking a thread. Ranges depend only on n and the worker count, and every
 * kernel writes disjoint outputs per item, so results never depend on the
 * thread count. */
void attn__parallel_for(const attn_ctx *ctx, int64_t n, int64_t work_per_item, attn__range_fn fn, void *arg);
/* Number of workers attn__parallel_for would use. */
int32_t attn__parallel_workers(const attn_ctx *ctx, int64_t n, int64_t work_per_item);
/* Runs fn(arg, s, shares) once for every s in [0, shares) on the context's
 * threads (attn__pool_run); a share never runs on two threads at once, so
 * per-share scratch needs no lock. */
void attn__parallel_run(const attn_ctx *ctx, int32_t shares, attn__share_fn fn, void *arg);
/* Most threads a fork-join uses. */
#define ATTN__MAX_WORKERS ATTN__MAX_THREADS

/* ---- gemm_split.c: GEMMs on several threads ---- */

/* A context that runs GEMMs on one thread (attn__sgemm reads only the
 * thread count): for work items that already run in parallel. */
extern const attn_ctx attn__serial_ctx;
/* ctx, or attn__serial_ctx when an m x n x k product is too small to pay
 * for a thread start. */
const attn_ctx *attn__gemm_ctx(const attn_ctx *ctx, int64_t m, int64_t n, int64_t k);
/* attn__sgemm_rm on up to ctx->threads threads, each running one
 * single-threaded call on a block of C's rows or columns. */
void attn__layer_gemm(const attn_ctx *ctx, int trans_a, int trans_b, int64_t m, int64_t n, int64_t k, float alpha,
                      const float *a, int64_t lda, const float *b, int64_t ldb, float beta, float *c, int64_t ldc);

/* ---- act_rows.c: activations (vectorised GELU) ---- */

/* pre[i] += bias[i] (bias may be NULL), then act[i] = f(pre[i]). */
void attn__bias_act_row(attn_activation f, float *pre, float *act, const float *bias, int64_t n);
/* d[i] *= f'(pre[i]) in place. */
void attn__act_grad_row(attn_activation f, float *d, const float *pre, int64_t n);

/* ---- softmax_rows.c: attention softmax ---- */

/* In place softmax of a score row over the keys with keep[j] != 0 (keep
 * NULL: all keys); dropped keys get exactly 0. At least one key must be
 * kept. */
void attn__softmax_keep_row(float *x, const uint8_t *keep, int64_t n);
/* d = p * (d - <d, p>) in place: the softmax gradient. */
void attn__softmax_grad_row(float *d, const float *p, int64_t n);

/* ---- layernorm_rows.c ---- */

/* y = (x - mean) * rstd * w + b with mean and rstd = 1/sqrt(var + eps),
 * var biased; stores mean and rstd. y may equal x. */
void attn__layernorm_row(float *y, const float *x, const float *w, const float *b, int64_t n, float eps,
                         float *mean, float *rstd);
/* dx += rstd * (g - mean(g) - xhat * mean(g * xhat)), g = dy * w,
 * xhat = (x - mean) * rstd. */
void attn__layernorm_row_backward(float *dx, const float *x, const float *dy, const float *w, float mean, float rstd,
                                  int64_t n);
/* Columns [c0, c1) over rows: dw[c] += sum_r dy[r,c] xhat[r,c],
 * db[c] += sum_r dy[r,c]. */
void attn__layernorm_param_grad(float *dw, float *db, const float *x, int64_t ldx, const float *dy, int64_t lddy,
                                const float *mean, const float *rstd, int64_t rows, int64_t c0, int64_t c1);

/* ---- bias_rows.c ---- */

/* y[r, :] = bias for every row. */
void attn__bias_fill_rows(float *y, int64_t ld, int64_t rows, const float *bias, int64_t cols);
/* y[r, c] += bias[c]: a bias added after a GEMM with beta = 0 (torch's
 * addmm adds it inside; the two differ only in rounding order). */
void attn__bias_add_rows(float *y, int64_t ld, int64_t rows, const float *bias, int64_t cols);

/* acc[c] += sum_r a[r*ld + c] for c in [c0, c1), rows summed in order. */
void attn__colsum_add(float *acc, const float *a, int64_t rows, int64_t ld, int64_t c0, int64_t c1);
/* The same over all columns, split by columns across the context's threads. */
void attn__colsum_add_parallel(const attn_ctx *ctx, float *acc, const float *a, int64_t rows, int64_t ld,
                               int64_t cols);

/* ---- dropout_rows.c ---- */

/* Element i is kept when uniform(seed, counter + i) >= p.
 * y[i] = kept ? x[i] * scale : 0. y may equal x. */
void attn__dropout_row(float *y, const float *x, int64_t n, uint64_t seed, uint64_t counter, float p, float scale);
/* dx[i] += kept ? dy[i] * scale : 0 (accumulate = 1) or dx[i] = ... (0). */
void attn__dropout_row_backward(float *dx, const float *dy, int64_t n, uint64_t seed, uint64_t counter, float p,
                                float scale, int accumulate);

#endif /* ATTN_LAYERS_LAYER_KERNELS_H */
